// report.html: the readable census notice. Self-contained HTML5 (inline CSS and SVG,
// no scripts, no external resources); every text from the report is escaped.

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "aggregator/aggregator.h"
#include "common/clock.h"

namespace census {
namespace {

std::string Esc(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// An id attribute value: HTML5 ids must be non-empty and have no whitespace.
std::string AnchorId(const std::string& site_id) {
  std::string id;
  for (char c : site_id) {
    id += (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') ? '_' : c;
  }
  return id.empty() ? "_" : id;
}

// A link when the URL is http(s), plain text otherwise (no javascript: hrefs).
std::string Link(const std::string& url, const std::string& text) {
  if (absl::StartsWithIgnoreCase(url, "http://") || absl::StartsWithIgnoreCase(url, "https://")) {
    return absl::StrCat("<a href=\"", Esc(url), "\" rel=\"noopener noreferrer\">", Esc(text),
                        "</a>");
  }
  return Esc(text);
}

std::string RuleLabel(const std::string& rule) {
  static const std::map<std::string, std::string> kLabels = {
      {"site_unreachable", "站点无法访问"},
      {"homepage_stale", "首页不更新"},
      {"columns_stale", "栏目不更新"},
      {"blank_columns", "空白栏目"},
      {"interaction_unanswered", "互动回应差"},
      {"serious_error", "严重错误"},
      {"homepage_availability", "首页可用性"},
      {"broken_links_homepage", "首页链接不可用"},
      {"broken_links_other", "其他页面链接不可用"},
      {"columns_not_updated", "栏目未按时更新"},
      {"broken_link", "链接不可用"},
  };
  auto it = kLabels.find(rule);
  return it == kLabels.end() ? Esc(rule)
                             : absl::StrCat(it->second, " <code>", Esc(rule), "</code>");
}

std::string VerdictBadge(const std::string& verdict) {
  std::string label = verdict == "pass"          ? "合格 pass"
                      : verdict == "unreachable" ? "无法访问 unreachable"
                      : verdict == "fail"        ? "不合格 fail"
                                                 : verdict;
  std::string cls = verdict == "pass" ? "pass" : verdict == "fail" ? "fail" : "unr";
  return absl::StrCat("<span class=\"badge ", cls, "\">", Esc(label), "</span>");
}

std::string Score(double score) { return absl::StrFormat("%.1f", score); }

const char kStyle[] = R"css(
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#222;line-height:1.5}
h1{border-bottom:3px solid #b22;padding-bottom:.3em}
h2{border-bottom:1px solid #ccc;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.n{text-align:right}
.badge{display:inline-block;padding:.1em .6em;border-radius:.8em;color:#fff;font-weight:bold}
.badge.pass{background:#2a7d2a}.badge.fail{background:#b22}.badge.unr{background:#555}
.site{border:1px solid #ddd;border-radius:6px;padding:0 1em 1em;margin:1.5em 0}
.mark{color:#b22;font-weight:bold}
.muted{color:#777}
code{font-size:.85em;color:#555}
.url{word-break:break-all}
svg text{font-size:11px;font-family:sans-serif}
)css";

// A horizontal bar chart: one bar a (label, value).
std::string BarChart(const std::string& title,
                     const std::vector<std::pair<std::string, double>>& bars,
                     const std::string& color) {
  if (bars.empty()) return "<p class=\"muted\">—</p>\n";
  const int bar_h = 16;
  const int label_w = 160;
  const int chart_w = 480;
  const int h = static_cast<int>(bars.size()) * (bar_h + 4) + 24;
  double max_value = 1.0;
  for (const auto& bar : bars) max_value = std::max(max_value, bar.second);
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "role=\"img\" aria-label=\"%s\">\n<title>%s</title>\n",
      label_w + chart_w + 60, h, Esc(title), Esc(title));
  int y = 4;
  for (const auto& [label, value] : bars) {
    int w = static_cast<int>(value / max_value * chart_w);
    absl::StrAppendFormat(&svg,
                          "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                          "<text x=\"%d\" y=\"%d\">%s</text>\n",
                          label_w - 6, y + bar_h - 4, Esc(label), label_w, y, std::max(w, 1), bar_h,
                          color, label_w + std::max(w, 1) + 4, y + bar_h - 4,
                          absl::StrFormat("%g", value));
    y += bar_h + 4;
  }
  svg += "</svg>\n";
  return svg;
}

struct Tally {
  int sites = 0;
  int failed = 0;
  int unreachable = 0;
};

void TallyTable(std::string* out, const std::string& key_header,
                const std::map<std::string, Tally>& tallies) {
  absl::StrAppend(out, "<table><thead><tr><th>", key_header,
                  "</th><th>网站数 Sites</th><th>不合格 Failed</th>"
                  "<th>无法访问 Unreachable</th></tr></thead><tbody>\n");
  for (const auto& [key, tally] : tallies) {
    absl::StrAppend(out, "<tr><td>", key.empty() ? "<span class=\"muted\">—</span>" : Esc(key),
                    "</td><td class=\"n\">", tally.sites, "</td><td class=\"n\">", tally.failed,
                    "</td><td class=\"n\">", tally.unreachable, "</td></tr>\n");
  }
  absl::StrAppend(out, "</tbody></table>\n");
}

void SiteSection(std::string* out, const report::SiteReport& site) {
  absl::StrAppend(out, "<section class=\"site\" id=\"", Esc(AnchorId(site.site_id())), "\">\n<h3>",
                  Esc(site.name()), " <code>", Esc(site.site_id()), "</code> ",
                  VerdictBadge(site.verdict()), "</h3>\n");
  absl::StrAppend(out, "<p>", Link(site.url(), site.url()), "<br>得分 Score: <b>",
                  Score(site.score()), "</b>");
  if (!site.org().empty()) absl::StrAppend(out, " · 主办 Org: ", Esc(site.org()));
  if (!site.region().empty()) absl::StrAppend(out, " · 地区 Region: ", Esc(site.region()));
  if (!site.level().empty()) absl::StrAppend(out, " · 层级 Level: ", Esc(site.level()));
  absl::StrAppend(out, "</p>\n");

  if (site.vetoes_size() > 0) {
    absl::StrAppend(out, "<h4>单项否决 Vetoes</h4>\n<ul>\n");
    for (const report::Veto& veto : site.vetoes()) {
      absl::StrAppend(out, "<li class=\"mark\">", RuleLabel(veto.rule()), ": ", Esc(veto.detail()),
                      "</li>\n");
    }
    absl::StrAppend(out, "</ul>\n");
  }
  if (site.deductions_size() > 0) {
    absl::StrAppend(out,
                    "<h4>扣分 Deductions</h4>\n<table><thead><tr><th>规则 Rule</th>"
                    "<th>扣分 Points</th><th>说明 Detail</th></tr></thead><tbody>\n");
    for (const report::Deduction& d : site.deductions()) {
      absl::StrAppend(out, "<tr><td>", RuleLabel(d.rule()), "</td><td class=\"n\">",
                      absl::StrFormat("%g", d.points()), "</td><td>", Esc(d.detail()),
                      "</td></tr>\n");
    }
    absl::StrAppend(out, "</tbody></table>\n");
  }

  const report::Reachability& reach = site.reachability();
  const report::Homepage& home = site.homepage();
  absl::StrAppend(
      out, "<h4>可用性与更新 Reachability and updates</h4>\n<table><tbody>\n",
      "<tr><th>探测次数 Probes</th><td class=\"n\">", reach.probes(), "</td></tr>\n",
      "<tr><th>失败次数 Failures</th><td class=\"n\">", reach.failures(), " (",
      absl::StrFormat("%.1f%%", reach.failure_ratio() * 100.0), ")</td></tr>\n",
      "<tr><th>首页最后更新 Homepage last update</th><td>",
      home.last_update().empty() ? "<span class=\"mark\">无 none</span>" : Esc(home.last_update()),
      home.navigation_only() ? " <span class=\"muted\">(导航型首页 navigation-only)</span>" : "",
      "</td></tr>\n", "<tr><th>两周内更新 Updates in window</th><td class=\"n\">",
      home.updates_in_window(), "</td></tr>\n</tbody></table>\n");

  if (site.columns_size() > 0) {
    absl::StrAppend(out,
                    "<h4>栏目 Columns</h4>\n<table><thead><tr><th>栏目 Name</th>"
                    "<th>类别 Category</th><th>条目 Items</th><th>最后更新 Last update</th>"
                    "<th>30天更新 30d</th><th>平均间隔(天) Interval</th>"
                    "<th>状态 State</th></tr></thead><tbody>\n");
    for (const report::ColumnReport& c : site.columns()) {
      std::string state;
      if (!c.fetch_error().empty()) {
        state = absl::StrCat("<span class=\"mark\">无法打开 ", Esc(c.fetch_error()), "</span>");
      } else if (c.blank()) {
        state = "<span class=\"mark\">空白 blank</span>";
      } else if (c.stale()) {
        state = "<span class=\"mark\">未更新 stale</span>";
      } else {
        state = "正常 ok";
      }
      absl::StrAppend(out, "<tr><td>", Link(c.url(), c.name()), "</td><td>", Esc(c.category()),
                      "</td><td class=\"n\">", c.items(), "</td><td>", Esc(c.last_update()),
                      "</td><td class=\"n\">", c.updates_30d(), "</td><td class=\"n\">",
                      absl::StrFormat("%.1f", c.mean_interval_days()), "</td><td>", state,
                      "</td></tr>\n");
    }
    absl::StrAppend(out, "</tbody></table>\n");
  }

  absl::StrAppend(out, "<h4>链接 Links</h4>\n<p>已检查 Checked: ", site.links().checked(),
                  " · 不可用 Broken: ", site.links().broken_size(), "</p>\n");
  if (site.links().broken_size() > 0) {
    absl::StrAppend(out,
                    "<table><thead><tr><th>链接 URL</th><th>所在页面 Found on</th>"
                    "<th>首页 Homepage</th><th>错误 Error</th><th>状态码 Status</th>"
                    "</tr></thead><tbody>\n");
    for (const report::BrokenLink& b : site.links().broken()) {
      absl::StrAppend(out, "<tr><td class=\"url\">", Link(b.url(), b.url()),
                      "</td><td class=\"url\">", Link(b.found_on(), b.found_on()), "</td><td>",
                      b.on_homepage() ? "是 yes" : "否 no", "</td><td>", Esc(b.error()),
                      "</td><td class=\"n\">", b.status(), "</td></tr>\n");
    }
    absl::StrAppend(out, "</tbody></table>\n");
  }

  if (site.content_size() > 0) {
    absl::StrAppend(out, "<h4>内容问题 Content findings</h4>\n<ul>\n");
    for (const report::ContentFinding& f : site.content()) {
      absl::StrAppend(out, "<li>", Esc(f.kind()), ": ", Link(f.url(), f.url()), " ",
                      Esc(f.detail()), "</li>\n");
    }
    absl::StrAppend(out, "</ul>\n");
  }

  if (site.evidence_size() > 0) {
    absl::StrAppend(out, "<h4>证据 Evidence</h4>\n<ol>\n");
    for (const report::Evidence& e : site.evidence()) {
      absl::StrAppend(out, "<li>", RuleLabel(e.finding()), ": <span class=\"url\">",
                      Link(e.url(), e.url()), "</span>");
      if (!e.fetched_at().empty()) {
        absl::StrAppend(out, " · 抓取时间 fetched <time>", Esc(e.fetched_at()), "</time>");
      }
      if (!e.snapshot().empty()) {
        absl::StrAppend(out, " · 快照 snapshot <code>", Esc(e.snapshot()), "</code>");
      }
      absl::StrAppend(out, "</li>\n");
    }
    absl::StrAppend(out, "</ol>\n");
  }
  absl::StrAppend(out, "<p><a href=\"#top\">↑ 返回 top</a></p>\n</section>\n");
}

}  // namespace

std::string ReportToHtml(const report::CensusReport& report) {
  const report::CensusSummary& census = report.census();
  absl::CivilDay as_of;
  const bool have_as_of = ParseCivilDay(census.as_of(), &as_of);

  std::string out;
  absl::StrAppend(&out,
                  "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>政府网站普查情况通报 Government website census ",
                  Esc(census.as_of()), "</title>\n<style>", kStyle,
                  "</style>\n</head>\n<body id=\"top\">\n");
  absl::StrAppend(
      &out, "<h1>政府网站普查情况通报<br><small>Government website census</small></h1>\n",
      "<p>监测时间点 As of: <b>", Esc(census.as_of()), "</b> · 规则 Rubric: ", Esc(census.rubric()),
      " · 开始 Started: ", Esc(census.started()), " · 结束 Finished: ", Esc(census.finished()),
      "</p>\n");

  // Summary.
  absl::StrAppend(&out, "<h2 id=\"summary\">总体情况 Summary</h2>\n<table><tbody>\n",
                  "<tr><th>检查网站 Sites checked</th><td class=\"n\">", census.sites(),
                  "</td></tr>\n", "<tr><th>不合格 Failed</th><td class=\"n\">", census.failed(),
                  "</td></tr>\n", "<tr><th>其中无法访问 of which unreachable</th><td class=\"n\">",
                  census.unreachable(), "</td></tr>\n", "<tr><th>合格 Passed</th><td class=\"n\">",
                  census.passed(), "</td></tr>\n",
                  "<tr><th>抓取页面 Pages fetched</th><td class=\"n\">", census.pages_fetched(),
                  "</td></tr>\n", "<tr><th>监测时间点 As of</th><td>", Esc(census.as_of()),
                  "</td></tr>\n", "</tbody></table>\n");

  // Failures by rule, region and level.
  std::map<std::string, int> by_rule;
  std::map<std::string, Tally> by_region;
  std::map<std::string, Tally> by_level;
  for (const report::SiteReport& site : report.sites()) {
    for (const report::Veto& veto : site.vetoes()) ++by_rule[veto.rule()];
    for (auto* tallies : {&by_region, &by_level}) {
      Tally& t = (*tallies)[tallies == &by_region ? site.region() : site.level()];
      ++t.sites;
      if (site.verdict() != "pass") ++t.failed;
      if (site.verdict() == "unreachable") ++t.unreachable;
    }
  }
  absl::StrAppend(&out, "<h2 id=\"by-rule\">按问题统计 Failures by rule</h2>\n");
  if (by_rule.empty()) {
    absl::StrAppend(&out, "<p class=\"muted\">无 none</p>\n");
  } else {
    absl::StrAppend(&out,
                    "<table><thead><tr><th>否决项 Rule</th><th>网站数 Sites</th>"
                    "</tr></thead><tbody>\n");
    for (const auto& [rule, count] : by_rule) {
      absl::StrAppend(&out, "<tr><td>", RuleLabel(rule), "</td><td class=\"n\">", count,
                      "</td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody></table>\n");
  }
  absl::StrAppend(&out, "<h2 id=\"by-region\">按地区 By region</h2>\n");
  TallyTable(&out, "地区 Region", by_region);
  absl::StrAppend(&out, "<h2 id=\"by-level\">按层级 By level</h2>\n");
  TallyTable(&out, "层级 Level", by_level);

  // Charts: the 40 sites with most broken links / oldest homepage.
  constexpr size_t kChartBars = 40;
  std::vector<std::pair<std::string, double>> broken_bars;
  std::vector<std::pair<std::string, double>> age_bars;
  for (const report::SiteReport& site : report.sites()) {
    if (site.links().broken_size() > 0) {
      broken_bars.emplace_back(site.site_id(), site.links().broken_size());
    }
    absl::CivilDay last;
    if (have_as_of && ParseCivilDay(site.homepage().last_update(), &last)) {
      age_bars.emplace_back(site.site_id(),
                            static_cast<double>(std::max<int64_t>(0, as_of - last)));
    }
  }
  for (auto* bars : {&broken_bars, &age_bars}) {
    std::stable_sort(bars->begin(), bars->end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (bars->size() > kChartBars) bars->resize(kChartBars);
  }
  absl::StrAppend(&out, "<h2 id=\"charts\">图表 Charts</h2>\n",
                  "<h3>不可用链接数 Broken links per site</h3>\n",
                  BarChart("Broken links per site", broken_bars, "#b22"),
                  "<h3>首页距上次更新天数 Days since homepage update</h3>\n",
                  BarChart("Days since homepage update", age_bars, "#c80"));

  // Index of sites.
  absl::StrAppend(&out,
                  "<h2 id=\"sites\">网站列表 Sites</h2>\n<table><thead><tr>"
                  "<th>标识码 Site ID</th><th>名称 Name</th><th>结论 Verdict</th>"
                  "<th>得分 Score</th><th>否决项 Vetoes</th></tr></thead><tbody>\n");
  for (const report::SiteReport& site : report.sites()) {
    std::string vetoes;
    for (const report::Veto& veto : site.vetoes()) {
      absl::StrAppend(&vetoes, vetoes.empty() ? "" : ", ", Esc(veto.rule()));
    }
    absl::StrAppend(&out, "<tr><td><a href=\"#", Esc(AnchorId(site.site_id())), "\">",
                    Esc(site.site_id()), "</a></td><td>", Esc(site.name()), "</td><td>",
                    VerdictBadge(site.verdict()), "</td><td class=\"n\">", Score(site.score()),
                    "</td><td>", vetoes, "</td></tr>\n");
  }
  absl::StrAppend(&out, "</tbody></table>\n");

  for (const report::SiteReport& site : report.sites()) SiteSection(&out, site);

  if (census.input_errors_size() > 0) {
    absl::StrAppend(&out, "<h2 id=\"input-errors\">输入错误 Input errors</h2>\n<ul>\n");
    for (const report::InputError& e : census.input_errors()) {
      absl::StrAppend(&out, "<li>", Esc(e.file()), ":", e.line(), ": ", Esc(e.reason()), "</li>\n");
    }
    absl::StrAppend(&out, "</ul>\n");
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

}  // namespace census
