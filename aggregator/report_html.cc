// report.html: the census notice (政府网站普查情况通报) as offices publish it.
// Self-contained HTML5: inline CSS and SVG charts, no scripts, no external resources,
// print-friendly. Every text taken from the report is escaped; only http(s) URLs become
// links. Fields of proto/report.proto this file does not know yet are still shown (by
// reflection), so a new report field is never silently dropped from the notice.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "aggregator/aggregator.h"
#include "aggregator/internal/report_parts.h"
#include "aggregator/site_verdict.h"
#include "common/clock.h"
#include "common/content_hash.h"
#include "common/web_text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace census {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Esc(absl::string_view text) { return HtmlEscape(text); }

// An id attribute value: HTML5 ids must be non-empty and have no whitespace.
std::string AnchorId(const std::string& site_id) {
  std::string id = "site-";
  for (char c : site_id) {
    id += (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') ? '_' : c;
  }
  return id;
}

bool IsWebUrl(const std::string& url) {
  return absl::StartsWithIgnoreCase(url, "http://") || absl::StartsWithIgnoreCase(url, "https://");
}

// A link when the URL is http(s), plain text otherwise (no javascript: hrefs).
std::string Link(const std::string& url, const std::string& text) {
  if (IsWebUrl(url)) {
    return absl::StrCat("<a href=\"", Esc(url), "\" rel=\"noopener noreferrer\">", Esc(text),
                        "</a>");
  }
  return Esc(text);
}

std::string UrlCell(const std::string& url) {
  return absl::StrCat("<td class=\"url\">", url.empty() ? "—" : Link(url, url), "</td>");
}

// "中文 <small>english</small>" for a known key, the escaped key otherwise.
std::string Label(const std::map<std::string, std::string>& labels, const std::string& key) {
  auto it = labels.find(key);
  if (it == labels.end()) return key.empty() ? "—" : Esc(key);
  return absl::StrCat(it->second, " <small>", Esc(key), "</small>");
}

const std::map<std::string, std::string>& RuleLabels() {
  static const auto* labels = new std::map<std::string, std::string>{
      {"site_unreachable", "站点无法访问"},
      {"homepage_stale", "首页栏目信息更新不及时"},
      {"columns_stale", "栏目不更新"},
      {"long_unupdated", "应更新栏目长期未更新"},
      {"blank_columns", "空白栏目"},
      {"interaction_unanswered", "互动回应差"},
      {"serious_error", "严重表述错误"},
      {"homepage_availability", "首页可用性"},
      {"broken_links_homepage", "首页不可用链接"},
      {"broken_links_other", "其他页面不可用链接"},
      {"attachments_unavailable", "附件无法下载"},
      {"online_systems_unavailable", "办事系统无法使用"},
      {"homepage_update_volume", "首页更新量不足"},
      {"columns_not_updated", "栏目未按时更新"},
      {"interaction_slow_replies", "互动回复不及时"},
      {"broken_link", "不可用链接"},
      {"unreachable_ratio", "访问失败率偏高"},
      {"homepage_not_updated", "首页长时间未更新"},
      {"sensitive_word", "敏感词"},
      {"serious_typo", "严重错别字"},
      {"hidden_link", "隐藏链接（暗链）"},
      {"forged_date", "发布日期被改动"},
      {"content", "内容问题"},
      {"ipv6_unsupported", "不支持IPv6访问"},
      {"https_unavailable", "未提供HTTPS访问"},
      {"certificate_invalid", "HTTPS证书无效"},
      {"certificate_expiring", "HTTPS证书即将过期"},
  };
  return *labels;
}
// Why the probes failed, in words a site owner acts on (首页无法访问：重定向循环 …).
const char* ProbeErrorWords(const std::string& error) {
  static const std::map<std::string, const char*> kWords = {
      {"timeout", "超时（监测时限内未打开）"},
      {"connect", "无法建立连接（连接被拒绝或中断）"},
      {"dns", "域名解析失败"},
      {"tls", "HTTPS 证书或加密连接错误"},
      {"redirect_loop", "重定向循环"},
      {"http_5xx", "服务器错误（5xx）"},
      {"http_4xx", "拒绝访问（4xx）"},
      {"http_404", "页面不存在（404）"},
      {"http_status", "HTTP 状态异常"},
      {"blocked_address", "跳转到内网地址（未访问）"},
      {"other", "其他错误"},
  };
  auto it = kWords.find(error);
  return it == kWords.end() ? "其他错误" : it->second;
}

void ProbeFailureLines(std::string* out, const report::Reachability& reach) {
  if (reach.failures_by_error_size() == 0 && reach.over_cap() == 0) return;
  absl::StrAppend(out, "<ul class=\"probe-failures\">\n");
  for (const report::ProbeFailures& f : reach.failures_by_error()) {
    absl::StrAppend(out, "<li>首页无法访问：", ProbeErrorWords(f.error()), " <small>",
                    Esc(f.error()), "</small> × ", f.count(), "（", Esc(f.first_at()), " — ",
                    Esc(f.last_at()), "）");
    if (f.status() > 0) absl::StrAppend(out, " HTTP ", f.status());
    if (f.error() == "timeout" && f.elapsed_ms() > 0) {
      absl::StrAppend(out, absl::StrFormat(" 等待 %.1f 秒", f.elapsed_ms() / 1000.0),
                      f.first_byte_ms() >= 0 ? absl::StrFormat("（%.1f 秒收到首字节，页面未传完）",
                                                               f.first_byte_ms() / 1000.0)
                                             : std::string("（服务器未作任何响应）"));
    }
    if (f.redirects_size() > 0) {
      std::vector<std::string> chain;
      for (const std::string& r : f.redirects()) chain.push_back(Esc(r));
      absl::StrAppend(out, " <small>", absl::StrJoin(chain, " → "), "</small>");
    }
    if (!f.detail().empty()) absl::StrAppend(out, " <small>", Esc(f.detail()), "</small>");
    absl::StrAppend(out, "</li>\n");
  }
  if (reach.over_cap() > 0) {
    absl::StrAppend(out,
                    "<li>首页可以打开，但页面体积超过抓取上限 <small>over the fetch cap, "
                    "reachable</small> × ",
                    reach.over_cap(), "</li>\n");
  }
  absl::StrAppend(out, "</ul>\n");
}

std::string RuleLabel(const std::string& rule) { return Label(RuleLabels(), rule); }

// The site's IPv6 and HTTPS findings (docs/REPORT.md "IPv6 and HTTPS"), one line each;
// a check that could not be made says so (未能核实), it is never a failure.
void Ipv6HttpsLines(std::string* out, const report::SiteReport& site) {
  const report::Ipv6& v6 = site.ipv6();
  const report::Https& tls = site.https();
  if (v6.status().empty() && tls.status().empty()) return;  // a report from before them
  absl::StrAppend(out, "<h4>IPv6 与 HTTPS <small>IPv6 and HTTPS</small></h4>\n",
                  "<ul class=\"ipv6-https\">\n<li class=\"ipv6 ", Esc(v6.status()), "\">");
  const std::string probes =
      absl::StrCat(v6.probes() - v6.failures(), "/", v6.probes(), " 次 IPv6 探测成功");
  if (v6.status() == "reachable" || v6.status() == "partial" || v6.status() == "unreachable") {
    absl::StrAppend(out, "IPv6：",
                    v6.status() == "reachable" ? "可访问"
                    : v6.status() == "partial" ? "<span class=\"mark\">部分探测失败</span>"
                                               : "<span class=\"mark\">无法访问</span>",
                    " <small>", Esc(v6.status()), "</small>，地址 <code>", Esc(v6.address()),
                    "</code>，", probes, absl::StrFormat("（%.1f%%）", v6.availability() * 100.0));
  } else if (v6.status() == "no_aaaa") {
    absl::StrAppend(out, "IPv6：<span class=\"mark\">域名无 IPv6 地址（AAAA 记录）</span> ",
                    "<small>no_aaaa</small>");
  } else {
    absl::StrAppend(out, "IPv6：未能核实（监测节点无法进行 IPv6 探测，不扣分） ",
                    "<small>unverified</small>");
  }
  if (v6.unverified() > 0) absl::StrAppend(out, "；", v6.unverified(), " 次探测未能进行");
  if (!v6.detail().empty() && v6.status() != "reachable") {
    absl::StrAppend(out, " <small>", Esc(v6.detail()), "</small>");
  }
  absl::StrAppend(out, "</li>\n<li class=\"https ", Esc(tls.status()), "\">HTTPS：");
  if (tls.status() == "valid") {
    absl::StrAppend(out, "证书有效 <small>valid</small>");
  } else if (tls.status() == "invalid") {
    static const auto* kWords = new std::map<std::string, std::string>{
        {"expired", "证书已过期"},        {"not_yet_valid", "证书尚未生效"},
        {"wrong_host", "证书与域名不符"}, {"self_signed", "自签名证书"},
        {"untrusted", "证书不受信任"},    {"revoked", "证书已吊销"}};
    auto it = kWords->find(tls.certificate_error());
    absl::StrAppend(out, "<span class=\"mark\">",
                    it == kWords->end() ? std::string("证书无效") : it->second, "</span> <small>",
                    Esc(tls.certificate_error()), "</small>");
  } else if (tls.status() == "not_offered") {
    absl::StrAppend(out,
                    "<span class=\"mark\">未提供 HTTPS 访问</span> <small>not_offered</small>");
  } else {
    absl::StrAppend(out, "未能核实（不扣分） <small>unverified</small>");
  }
  if (!tls.url().empty()) absl::StrAppend(out, " ", Link(tls.url(), tls.url()));
  if (!tls.tls_version().empty()) absl::StrAppend(out, " · ", Esc(tls.tls_version()));
  if (!tls.certificate_expires().empty()) {
    absl::StrAppend(
        out, " · 证书到期 <small>expires</small> <time>", Esc(tls.certificate_expires()), "</time>",
        tls.days_to_expiry() >= 0 ? absl::StrCat("（还有 ", tls.days_to_expiry(), " 天）")
                                  : absl::StrCat("（已过期 ", -tls.days_to_expiry(), " 天）"));
  }
  if (tls.http_redirects_to_https()) absl::StrAppend(out, " · http 跳转到 https");
  if (!tls.detail().empty() && tls.status() != "valid") {
    absl::StrAppend(out, " <small>", Esc(tls.detail()), "</small>");
  }
  absl::StrAppend(out, "</li>\n</ul>\n");
}

const std::map<std::string, std::string>& CategoryLabels() {
  static const auto* labels = new std::map<std::string, std::string>{
      {"news", "动态要闻"},    {"notice", "通知公告"}, {"policy", "政策文件"},
      {"personnel", "人事"},   {"plan", "规划计划"},   {"interaction", "互动交流"},
      {"service", "办事服务"}, {"topic", "专题专栏"},  {"other", "其他"},
  };
  return *labels;
}

const std::map<std::string, std::string>& ErrorLabels() {
  static const auto* labels = new std::map<std::string, std::string>{
      {"http_404", "页面不存在"}, {"http_4xx", "拒绝访问"},   {"http_5xx", "服务器错误"},
      {"timeout", "超时"},        {"dns", "域名无法解析"},    {"connect", "无法连接"},
      {"tls", "证书错误"},        {"soft_404", "错误提示页"}, {"redirect_loop", "循环跳转"},
      {"other", "其他错误"},      {"not_fetched", "未抓取"},
  };
  return *labels;
}

std::string VerdictBadge(const std::string& verdict) {
  if (verdict == "pass") return "<span class=\"badge pass\">合格 <small>pass</small></span>";
  if (verdict == "fail") return "<span class=\"badge fail\">不合格 <small>fail</small></span>";
  if (verdict == "unreachable") {
    return "<span class=\"badge unr\">无法访问 <small>unreachable</small></span>";
  }
  return absl::StrCat("<span class=\"badge\">", Esc(verdict), "</span>");
}

std::string Num(double value) {
  if (std::isnan(value) || std::isinf(value)) return "—";
  return absl::StrFormat("%.1f", value);
}
std::string Percent(int part, int whole) {
  return whole > 0 ? absl::StrFormat("%.1f%%", 100.0 * part / whole) : "—";
}

// ------------------------------------------------------------ unknown fields

// Fields of `d` numbered above `last_known`: added to the proto after this renderer.
std::vector<const FieldDescriptor*> NewFields(const Descriptor* d, int last_known) {
  std::vector<const FieldDescriptor*> fields;
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->number() > last_known) fields.push_back(d->field(i));
  }
  std::sort(fields.begin(), fields.end(), [](const FieldDescriptor* a, const FieldDescriptor* b) {
    return a->number() < b->number();
  });
  return fields;
}

bool HasValue(const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  return f->is_repeated() ? r->FieldSize(m, f) > 0 : r->HasField(m, f);
}

std::string ValueText(const Message& m, const FieldDescriptor* f, int index);

std::string MessageText(const Message& m) {
  std::vector<std::string> parts;
  const Descriptor* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (!HasValue(m, f)) continue;
    parts.push_back(absl::StrCat(f->name(), ": ", ValueText(m, f, -1)));
  }
  return absl::StrJoin(parts, "; ");
}

// Plain text (not escaped) of a field: index -1 = the whole field (repeated: joined).
std::string ValueText(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  if (f->is_repeated() && index < 0) {
    std::vector<std::string> parts;
    for (int i = 0; i < r->FieldSize(m, f); ++i) parts.push_back(ValueText(m, f, i));
    return absl::StrJoin(parts, ", ");
  }
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrFormat("%g", rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrFormat("%g", rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "是 yes" : "否 no";
    case FieldDescriptor::CPPTYPE_ENUM:
      return std::string((rep ? r->GetRepeatedEnum(m, f, index) : r->GetEnum(m, f))->name());
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return MessageText(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
  }
  return "";
}

// Cells (th or td) for the new fields of a table's row message.
std::string NewFieldHeaders(const std::vector<const FieldDescriptor*>& fields) {
  std::string out;
  for (const FieldDescriptor* f : fields) absl::StrAppend(&out, "<th>", Esc(f->name()), "</th>");
  return out;
}
std::string NewFieldCells(const Message& m, const std::vector<const FieldDescriptor*>& fields) {
  std::string out;
  for (const FieldDescriptor* f : fields) {
    absl::StrAppend(&out, "<td>", HasValue(m, f) ? Esc(ValueText(m, f, -1)) : "", "</td>");
  }
  return out;
}

// A block for each new field of `m` that has a value: a table for repeated messages,
// a line otherwise.
std::string NewFieldBlocks(const Message& m, int last_known) {
  std::string out;
  for (const FieldDescriptor* f : NewFields(m.GetDescriptor(), last_known)) {
    if (!HasValue(m, f)) continue;
    absl::StrAppend(&out, "<h4>", Esc(f->name()), "</h4>\n");
    const Reflection* r = m.GetReflection();
    if (f->is_repeated() && f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      const Descriptor* d = f->message_type();
      std::vector<const FieldDescriptor*> columns = NewFields(d, 0);
      absl::StrAppend(&out, "<table><thead><tr>", NewFieldHeaders(columns),
                      "</tr></thead><tbody>\n");
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        absl::StrAppend(&out, "<tr>", NewFieldCells(r->GetRepeatedMessage(m, f, i), columns),
                        "</tr>\n");
      }
      absl::StrAppend(&out, "</tbody></table>\n");
    } else {
      absl::StrAppend(&out, "<p>", Esc(ValueText(m, f, -1)), "</p>\n");
    }
  }
  return out;
}

// Last field numbers this file renders by name (proto/report.proto as of writing).
constexpr int kSummaryKnown = 10;
constexpr int kSiteKnown = 20;  // ipv6 (19) and https (20): Ipv6HttpsLines
constexpr int kColumnKnown = 14;
constexpr int kBrokenKnown = 9;
constexpr int kLinksKnown = 4;
constexpr int kInteractionKnown = 5;
constexpr int kContentKnown = 3;
constexpr int kEvidenceKnown = 5;
constexpr int kWarningKnown = 2;

// ------------------------------------------------------------ style

const char kStyle[] = R"css(
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:0 auto;max-width:1120px;padding:1em 2em 3em;color:#222;line-height:1.55;background:#fff}
header.notice{text-align:center;border-bottom:3px solid #b01c1c;margin-bottom:1.2em}
header.notice .org{color:#b01c1c;font-size:1.6em;font-weight:bold;letter-spacing:.15em;margin:.4em 0 0}
h1{font-size:1.7em;margin:.3em 0 .2em}
header.notice p{margin:.2em 0 .8em;color:#444}
h2{font-size:1.3em;border-left:6px solid #b01c1c;padding-left:.5em;margin-top:2em}
h3{font-size:1.12em;margin:.4em 0}
h4{font-size:1em;margin:1em 0 .3em;color:#333}
small{color:#777;font-weight:normal;font-size:.78em}
th small{display:block}
p.lead{font-size:1.05em;text-indent:2em}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.9em;max-width:100%}
th,td{border:1px solid #c8c8c8;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f2f2f2}
td.n,th.n{text-align:right;white-space:nowrap}
table.wide{width:100%}
.url{word-break:break-all;overflow-wrap:anywhere}
td.hash,code.hash{font-family:monospace;font-size:.8em;word-break:break-all}
.badge{display:inline-block;padding:.05em .6em;border-radius:.8em;color:#fff;font-weight:bold;font-size:.9em;white-space:nowrap}
.badge small{color:#fff;opacity:.85}
.badge.pass{background:#2a7d2a}.badge.fail{background:#b01c1c}.badge.unr{background:#555}
.kpi{display:flex;flex-wrap:wrap;gap:.8em;margin:.6em 0 1em}
.kpi div{border:1px solid #ddd;border-radius:6px;padding:.5em 1em;min-width:9em}
.kpi b{display:block;font-size:1.6em}
.site{border:1px solid #ccc;border-radius:6px;padding:.3em 1em 1em;margin:1.4em 0}
.site.fail{border-left:6px solid #b01c1c}.site.unreachable{border-left:6px solid #555}.site.pass{border-left:6px solid #2a7d2a}
.meta{color:#444;margin:.2em 0}
ul.vetoes li{color:#b01c1c}
ul.warnings li{color:#a55a00}
.mark{color:#b01c1c;font-weight:bold}
.warn{color:#a55a00;font-weight:bold}
.muted{color:#777}
.legend span{display:inline-block;margin-right:1.2em}
.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}
figure{margin:.5em 0 1.2em}
figcaption{font-weight:bold;margin-bottom:.3em}
svg{max-width:100%;height:auto}
svg text{font-size:12px;font-family:"Noto Sans CJK SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;fill:#333}
nav.toc{columns:2;font-size:.92em}
footer{margin-top:3em;border-top:1px solid #ccc;color:#777;font-size:.85em}
@media print{
 body{max-width:none;padding:0;font-size:10.5pt}
 a{color:inherit;text-decoration:none}
 nav.toc,.top{display:none}
 h2{break-after:avoid}
 .site,figure,tr{break-inside:avoid}
 .site{border-left-width:3px}
}
)css";

// Added on the region pages, which grow with the census (report.html holds at most
// kInlineSitesUpTo sites): the browser lays out and paints only the site sections near
// the viewport (the others are still in the document, found by find-in-page and by
// #site-… links, and printed), so a page of thousands of sites shows its top at once
// instead of laying out every table first (one page of all 5,000 sections of a region:
// the load event 33 s → 5 s). Pages now hold kRegionSitesPerPage sites, and this still
// spares laying out the ones below the fold (tests/browser/report_regions.test.mjs
// measures it). Offscreen sections have no innerText until scrolled to.
constexpr char kRegionStyle[] =
    ".site{content-visibility:auto;contain-intrinsic-size:auto 900px}\n"
    "@media print{.site{content-visibility:visible}}\n";

// ------------------------------------------------------------ charts

constexpr char kRed[] = "#b01c1c";
constexpr char kOrange[] = "#e08a00";
constexpr char kGrey[] = "#8a8a8a";
constexpr char kBlue[] = "#2b6cb0";

std::string Ellipsize(const std::string& text, size_t max_chars) {
  // Counts UTF-8 code points; cuts on a code point boundary.
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return text.substr(0, i) + "…";
      ++chars;
    }
  }
  return text;
}

struct Segment {
  double value = 0;
  const char* color = kRed;
  std::string what;  // for the tooltip
};
struct Bar {
  std::string label;    // left of the bar
  std::string tooltip;  // <title>
  std::vector<Segment> segments;
};

// A horizontal (stacked) bar chart, one <g class="bar"> per bar.
std::string HorizontalBars(const std::string& id, const std::string& title,
                           const std::vector<Bar>& bars, const std::string& unit) {
  const int bar_h = 16, gap = 5, label_w = 230, chart_w = 560, top = 6;
  const int width = label_w + chart_w + 70;
  const int height = top + static_cast<int>(bars.size()) * (bar_h + gap) + 22;
  double max_total = 1.0;
  for (const Bar& bar : bars) {
    double total = 0;
    for (const Segment& s : bar.segments) total += s.value;
    max_total = std::max(max_total, total);
  }
  std::string svg = absl::StrFormat(
      "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
      "height=\"%d\" role=\"img\" aria-label=\"%s\"><title>%s</title>\n",
      id, width, height, width, height, Esc(title), Esc(title));
  int y = top;
  for (const Bar& bar : bars) {
    absl::StrAppendFormat(&svg,
                          "<g class=\"bar\"><title>%s</title>"
                          "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
                          Esc(bar.tooltip), label_w - 6, y + bar_h - 3,
                          Esc(Ellipsize(bar.label, 16)));
    double x = label_w;
    double total = 0;
    for (const Segment& s : bar.segments) {
      if (s.value <= 0) continue;
      double w = std::max(1.0, s.value / max_total * chart_w);
      absl::StrAppendFormat(&svg,
                            "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                            "fill=\"%s\"><title>%s</title></rect>",
                            x, y, w, bar_h, s.color, Esc(s.what));
      x += w;
      total += s.value;
    }
    absl::StrAppendFormat(&svg, "<text x=\"%.1f\" y=\"%d\">%s</text></g>\n", x + 4, y + bar_h - 3,
                          Esc(absl::StrCat(absl::StrFormat("%g", total), unit)));
    y += bar_h + gap;
  }
  absl::StrAppendFormat(&svg,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
                        "<text x=\"%d\" y=\"%d\">0</text><text x=\"%d\" y=\"%d\" "
                        "text-anchor=\"end\">%s</text>\n</svg>\n",
                        label_w, top, label_w, y, label_w - 3, y + 14, label_w + chart_w, y + 14,
                        Esc(absl::StrCat(absl::StrFormat("%g", max_total), unit)));
  return svg;
}

// A vertical histogram, one <g class="bar"> per bucket.
std::string Histogram(const std::string& id, const std::string& title,
                      const std::vector<std::pair<std::string, int>>& buckets) {
  const int col_w = 74, gap = 14, left = 50, top = 14, plot_h = 180;
  const int width = left + static_cast<int>(buckets.size()) * (col_w + gap) + 10;
  const int height = top + plot_h + 40;
  int max_count = 1;
  for (const auto& bucket : buckets) max_count = std::max(max_count, bucket.second);
  std::string svg = absl::StrFormat(
      "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
      "height=\"%d\" role=\"img\" aria-label=\"%s\"><title>%s</title>\n"
      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
      "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>"
      "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n",
      id, width, height, width, height, Esc(title), Esc(title), left, top + plot_h, width - 5,
      top + plot_h, left - 6, top + 10, max_count, left - 6, top + plot_h);
  int x = left + gap / 2;
  for (const auto& [label, count] : buckets) {
    int h = count == 0 ? 0 : std::max(1, static_cast<int>(1.0 * count / max_count * plot_h));
    absl::StrAppendFormat(&svg,
                          "<g class=\"bar\"><title>%s: %d</title>"
                          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                          "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>"
                          "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text></g>\n",
                          Esc(label), count, x, top + plot_h - h, col_w, h, kBlue, x + col_w / 2,
                          top + plot_h - h - 3, count, x + col_w / 2, top + plot_h + 16,
                          Esc(label));
    x += col_w + gap;
  }
  svg += "</svg>\n";
  return svg;
}

// ------------------------------------------------------------ tallies

struct Tally {
  int sites = 0;
  int failed = 0;
  int unreachable = 0;
  double score_sum = 0;  // for the mean score
};

// A region's or level's name as a table shows it ("未填" for sites without one).
std::string TallyKeyText(const std::string& key) {
  return key.empty() ? "<span class=\"muted\">未填 —</span>" : Esc(key);
}

// With `region_pages` (the regions table) each row also has the mean score and a link to
// the region's page.
void TallyTable(std::string* out, const std::string& id, const std::string& key_header,
                const std::map<std::string, Tally>& tallies, bool region_pages = false) {
  absl::StrAppend(out, "<table id=\"", id, "\"><thead><tr><th>", key_header,
                  "</th><th class=\"n\">检查 <small>checked</small></th>"
                  "<th class=\"n\">合格 <small>passed</small></th>"
                  "<th class=\"n\">不合格 <small>failed</small></th>"
                  "<th class=\"n\">其中无法访问 <small>unreachable</small></th>"
                  "<th class=\"n\">合格率 <small>pass rate</small></th>",
                  region_pages ? "<th class=\"n\">平均得分 <small>mean score</small></th>"
                                 "<th>地区页面 <small>page</small></th>"
                               : "",
                  "</tr></thead><tbody>\n");
  for (const auto& [key, t] : tallies) {
    absl::StrAppend(out, "<tr><td>", TallyKeyText(key), "</td><td class=\"n\">", t.sites,
                    "</td><td class=\"n\">", t.sites - t.failed, "</td><td class=\"n\">", t.failed,
                    "</td><td class=\"n\">", t.unreachable, "</td><td class=\"n\">",
                    Percent(t.sites - t.failed, t.sites), "</td>");
    if (region_pages) {
      absl::StrAppend(out, "<td class=\"n\">", Num(t.score_sum / std::max(t.sites, 1)),
                      "</td><td><a class=\"region-page\" href=\"", Esc(RegionPagePath(key)), "\">",
                      key.empty() ? "未填地区 <small>unassigned</small>" : Esc(key), "</a></td>");
    }
    absl::StrAppend(out, "</tr>\n");
  }
  absl::StrAppend(out, "</tbody></table>\n");
}

// ------------------------------------------------------------ one site

std::string ColumnState(const report::ColumnReport& c) {
  std::vector<std::string> marks;
  if (!c.fetch_error().empty()) {
    marks.push_back(absl::StrCat(
        "<span class=\"mark\">无法打开 ", Label(ErrorLabels(), c.fetch_error()),
        c.fetch_status() > 0 ? absl::StrCat(" HTTP ", c.fetch_status()) : "", "</span>",
        c.fetch_detail().empty() ? ""
                                 : absl::StrCat(" <small>", Esc(c.fetch_detail()), "</small>")));
  }
  if (c.blank()) marks.push_back("<span class=\"mark\">空白 <small>blank</small></span>");
  // Not judged, and why: a page of text (机构概况), or one a script may fill.
  if (c.page() == "static") marks.push_back("静态页面 <small>static page, not judged</small>");
  if (c.page() == "unverified-blank") {
    marks.push_back(absl::StrCat(
        "待人工核实 <small>unverified-blank: a script may build the list and it was not "
        "rendered",
        c.render_detail().empty() ? "" : absl::StrCat(" (", Esc(c.render_detail()), ")"),
        "</small>"));
  }
  if (c.stale()) marks.push_back("<span class=\"mark\">未更新 <small>stale</small></span>");
  if (c.long_unupdated()) {
    marks.push_back("<span class=\"mark\">长期未更新 <small>long unupdated</small></span>");
  }
  if (marks.empty()) return "正常 <small>ok</small>";
  return absl::StrJoin(marks, "<br>");
}

// A site with more columns than this lists only its problem columns in the notice; the
// others are counted. A notice is read by people: a national census of sites with a
// hundred columns each would otherwise be gigabytes of healthy rows (every column stays
// in report.json and report.csv).
constexpr int kAllColumnsUpTo = 30;

void ColumnsTable(std::string* out, const report::SiteReport& site) {
  const std::vector<const FieldDescriptor*> extra =
      NewFields(report::ColumnReport::descriptor(), kColumnKnown);
  int stale = 0, blank = 0, problems = 0;
  for (const report::ColumnReport& c : site.columns()) {
    stale += c.stale() ? 1 : 0;
    blank += c.blank() ? 1 : 0;
    problems += HasColumnProblems(c) ? 1 : 0;
  }
  const bool only_problems = site.columns_size() > kAllColumnsUpTo;
  absl::StrAppend(out, "<h4>栏目 <small>Columns</small> (", site.columns_size(), ")：未更新 ",
                  stale, " 个，空白 ", blank, " 个</h4>\n",
                  "<table class=\"wide columns\"><thead><tr><th>栏目 <small>column</small></th>"
                  "<th>类别 <small>category</small></th>"
                  "<th class=\"n\">条目 <small>items</small></th>"
                  "<th>最后更新 <small>last update</small></th>"
                  "<th class=\"n\">30天更新 <small>30 days</small></th>"
                  "<th class=\"n\">平均间隔 <small>mean interval (d)</small></th>"
                  "<th class=\"n\">变化率 <small>changes/day (obs)</small></th>"
                  "<th>状态 <small>state</small></th>",
                  NewFieldHeaders(extra), "</tr></thead><tbody>\n");
  for (const report::ColumnReport& c : site.columns()) {
    const bool problem = HasColumnProblems(c);
    if (only_problems && !problem) continue;
    std::string rate = "—";
    if (c.observations() > 0) {
      rate = absl::StrFormat("%.3f <small>(%d)</small>", c.change_rate_per_day(), c.observations());
    }
    absl::StrAppend(out, problem ? "<tr class=\"problem\">" : "<tr>", "<td>",
                    Link(c.url(), c.name().empty() ? c.url() : c.name()), "</td><td>",
                    Label(CategoryLabels(), c.category()), "</td><td class=\"n\">", c.items(),
                    "</td><td>", c.last_update().empty() ? "—" : Esc(c.last_update()),
                    "</td><td class=\"n\">", c.updates_30d(), "</td><td class=\"n\">",
                    c.mean_interval_days() > 0 ? Num(c.mean_interval_days()) : "—",
                    "</td><td class=\"n\">", rate, "</td><td>", ColumnState(c), "</td>",
                    NewFieldCells(c, extra), "</tr>\n");
  }
  absl::StrAppend(out, "</tbody></table>\n");
  if (only_problems) {
    absl::StrAppend(out, "<p class=\"muted columns-omitted\">其余 ", site.columns_size() - problems,
                    " 个栏目正常，未列出（见 report.json / report.csv）。 <small>", kAllColumnsUpTo,
                    "+ columns: only the ", problems, " with problems are listed; the other ",
                    site.columns_size() - problems,
                    " are in report.json and report.csv.</small></p>\n");
  }
}

void BrokenLinksTable(std::string* out, const report::SiteReport& site) {
  const report::Links& links = site.links();
  absl::StrAppend(out, "<h4>链接 <small>Links</small></h4>\n<p>已检查 <small>checked</small> ",
                  links.checked(), " · 不可用 <small>broken</small> <b>", links.broken_size(),
                  "</b>");
  if (links.confirmed() + links.suspected() > 0) {
    absl::StrAppend(out, "（确认 <small>confirmed</small> ", links.confirmed(),
                    "，疑似 <small>suspected</small> ", links.suspected(), "）");
  }
  for (const FieldDescriptor* f : NewFields(report::Links::descriptor(), kLinksKnown)) {
    if (HasValue(links, f)) {
      absl::StrAppend(out, " · ", Esc(f->name()), " ", Esc(ValueText(links, f, -1)));
    }
  }
  absl::StrAppend(out, "</p>\n");
  if (links.broken_size() == 0) return;
  const std::vector<const FieldDescriptor*> extra =
      NewFields(report::BrokenLink::descriptor(), kBrokenKnown);
  absl::StrAppend(
      out,
      "<table class=\"wide broken\"><thead><tr><th>链接 <small>URL</small></th>"
      "<th>所在页面 <small>found on</small></th>"
      "<th>错误 <small>error</small></th><th class=\"n\">状态码 <small>status</small></th>"
      "<th>判定 <small>class</small></th>",
      NewFieldHeaders(extra), "</tr></thead><tbody>\n");
  for (const report::BrokenLink& b : links.broken()) {
    std::vector<std::string> tags;
    if (b.on_homepage()) tags.push_back("首页 <small>homepage</small>");
    if (b.attachment()) tags.push_back("附件 <small>attachment</small>");
    if (b.online_system()) tags.push_back("办事系统 <small>online system</small>");
    std::string url_cell = absl::StrCat("<td class=\"url\">", Link(b.url(), b.url()));
    if (!b.text().empty()) absl::StrAppend(&url_cell, "<br><small>", Esc(b.text()), "</small>");
    absl::StrAppend(&url_cell, "</td>");
    absl::StrAppend(out, "<tr>", url_cell, "<td class=\"url\">", Link(b.found_on(), b.found_on()),
                    tags.empty() ? "" : "<br>", absl::StrJoin(tags, " · "), "</td><td>",
                    Label(ErrorLabels(), b.error()), "</td><td class=\"n\">",
                    b.status() != 0 ? absl::StrCat(b.status()) : "—", "</td><td>",
                    b.confirmed() ? "<span class=\"mark\">确认 <small>confirmed</small></span>"
                                  : "<span class=\"warn\">疑似 <small>suspected</small></span>",
                    "</td>", NewFieldCells(b, extra), "</tr>\n");
  }
  absl::StrAppend(out, "</tbody></table>\n");
}

void SiteSection(std::string* out, const report::SiteReport& site, int64_t index) {
  const std::string verdict_class = site.verdict() == "pass"          ? "pass"
                                    : site.verdict() == "unreachable" ? "unreachable"
                                                                      : "fail";
  absl::StrAppend(out, "<section class=\"site ", verdict_class, "\" id=\"",
                  Esc(AnchorId(site.site_id())), "\" data-verdict=\"", Esc(site.verdict()),
                  "\">\n<h3>", index, ". ", Esc(site.name()), " ", VerdictBadge(site.verdict()),
                  " <span class=\"score\">得分 <small>score</small> <b>", Num(site.score()),
                  "</b></span></h3>\n");
  absl::StrAppend(out, "<p class=\"meta\">网站标识码 <small>site id</small> <code>",
                  Esc(site.site_id()),
                  "</code> · 首页 <small>homepage</small> <span class=\"url\">",
                  Link(site.url(), site.url()), "</span>");
  if (!site.org().empty()) absl::StrAppend(out, " · 主办单位 <small>org</small> ", Esc(site.org()));
  if (!site.region().empty())
    absl::StrAppend(out, " · 地区 <small>region</small> ", Esc(site.region()));
  if (!site.level().empty())
    absl::StrAppend(out, " · 层级 <small>level</small> ", Esc(site.level()));
  absl::StrAppend(out, "</p>\n");

  if (site.vetoes_size() > 0) {
    absl::StrAppend(out, "<h4>单项否决 <small>Vetoes</small></h4>\n<ul class=\"vetoes\">\n");
    for (const report::Veto& veto : site.vetoes()) {
      absl::StrAppend(out, "<li><b>", RuleLabel(veto.rule()), "</b>：", Esc(veto.detail()),
                      "</li>\n");
    }
    absl::StrAppend(out, "</ul>\n");
  }
  if (site.early_warnings_size() > 0) {
    const std::vector<const FieldDescriptor*> extra =
        NewFields(report::EarlyWarning::descriptor(), kWarningKnown);
    absl::StrAppend(out, "<h4>预警 <small>Early warnings</small></h4>\n<ul class=\"warnings\">\n");
    for (const report::EarlyWarning& w : site.early_warnings()) {
      absl::StrAppend(out, "<li><b>", RuleLabel(w.rule()), "</b>：", Esc(w.detail()));
      for (const FieldDescriptor* f : extra) {
        if (HasValue(w, f))
          absl::StrAppend(out, " · ", Esc(f->name()), ": ", Esc(ValueText(w, f, -1)));
      }
      absl::StrAppend(out, "</li>\n");
    }
    absl::StrAppend(out, "</ul>\n");
  }
  if (site.deductions_size() > 0) {
    double total = 0;
    for (const report::Deduction& d : site.deductions()) total += d.points();
    absl::StrAppend(
        out,
        "<h4>扣分 <small>Deductions</small></h4>\n<table class=\"deductions\"><thead>"
        "<tr><th>指标 <small>rule</small></th><th class=\"n\">扣分 <small>points</small>"
        "</th><th>说明 <small>detail</small></th></tr></thead><tbody>\n");
    for (const report::Deduction& d : site.deductions()) {
      absl::StrAppend(out, "<tr><td>", RuleLabel(d.rule()), "</td><td class=\"n\">",
                      absl::StrFormat("%.2f", d.points()), "</td><td>", Esc(d.detail()),
                      "</td></tr>\n");
    }
    absl::StrAppend(out, "<tr><th>合计 <small>total</small></th><th class=\"n\">",
                    absl::StrFormat("%.2f", total), "</th><th></th></tr>\n</tbody></table>\n");
  }

  const report::Reachability& reach = site.reachability();
  const report::Homepage& home = site.homepage();
  absl::StrAppend(
      out, "<h4>可用性与首页更新 <small>Reachability and homepage</small></h4>\n",
      "<table class=\"facts\"><tbody>\n<tr><th>首页探测 <small>probes</small></th><td class=\"n\">",
      reach.probes(), "</td><th>失败 <small>failures</small></th><td class=\"n\">",
      reach.failures(), " (", absl::StrFormat("%.1f%%", reach.failure_ratio() * 100.0),
      ")</td></tr>\n<tr><th>首页最后更新 <small>last update</small></th><td>",
      home.last_update().empty() ? "<span class=\"mark\">无 <small>none</small></span>"
                                 : Esc(home.last_update()),
      home.navigation_only() ? " <small>（导航型首页，按二级页面判断 navigation-only）</small>"
                             : "",
      "</td><th>窗口内更新 <small>updates in window</small></th><td class=\"n\">",
      home.updates_in_window(), "</td></tr>\n</tbody></table>\n");
  ProbeFailureLines(out, reach);
  if (!home.fetch_error().empty()) {
    absl::StrAppend(out, "<p class=\"home-fetch\">首页抓取失败：",
                    ProbeErrorWords(home.fetch_error()),
                    home.fetch_status() > 0 ? absl::StrCat(" HTTP ", home.fetch_status()) : "",
                    home.fetch_detail().empty()
                        ? ""
                        : absl::StrCat(" <small>", Esc(home.fetch_detail()), "</small>"),
                    "</p>\n");
  }

  Ipv6HttpsLines(out, site);

  if (site.columns_size() > 0) ColumnsTable(out, site);
  BrokenLinksTable(out, site);

  const report::Interaction& inter = site.interaction();
  if (inter.messages() > 0 || inter.unanswered_over_3_months() > 0) {
    absl::StrAppend(
        out, "<h4>互动交流 <small>Interaction</small></h4>\n<p class=\"interaction\">留言 ",
        "<small>messages</small> ", inter.messages(), " · 已回复 <small>answered</small> ",
        inter.answered(), " · 超过3个月未回复 <small>unanswered &gt; 3 months</small> ",
        inter.unanswered_over_3_months() > 0
            ? absl::StrCat("<span class=\"mark\">", inter.unanswered_over_3_months(), "</span>")
            : "0",
        " · 平均回复 <small>mean reply</small> ",
        inter.answered() > 0 ? absl::StrCat(Num(inter.mean_reply_days()), " 天") : "—",
        " · 回复超时 <small>slow replies</small> ", inter.slow_replies());
    for (const FieldDescriptor* f :
         NewFields(report::Interaction::descriptor(), kInteractionKnown)) {
      if (HasValue(inter, f)) {
        absl::StrAppend(out, " · ", Esc(f->name()), " ", Esc(ValueText(inter, f, -1)));
      }
    }
    absl::StrAppend(out, "</p>\n");
  }

  if (site.content_size() > 0) {
    const std::vector<const FieldDescriptor*> extra =
        NewFields(report::ContentFinding::descriptor(), kContentKnown);
    absl::StrAppend(
        out,
        "<h4>内容问题 <small>Content findings</small></h4>\n<table class=\"wide content\">"
        "<thead><tr><th>类型 <small>kind</small></th><th>页面 <small>page</small></th>"
        "<th>说明 <small>detail</small></th>",
        NewFieldHeaders(extra), "</tr></thead><tbody>\n");
    for (const report::ContentFinding& f : site.content()) {
      absl::StrAppend(out, "<tr><td class=\"mark\">", RuleLabel(f.kind()), "</td>",
                      UrlCell(f.url()), "<td>", Esc(f.detail()), "</td>", NewFieldCells(f, extra),
                      "</tr>\n");
    }
    absl::StrAppend(out, "</tbody></table>\n");
  }

  absl::StrAppend(out, NewFieldBlocks(site, kSiteKnown));

  if (site.evidence_size() > 0) {
    const std::vector<const FieldDescriptor*> extra =
        NewFields(report::Evidence::descriptor(), kEvidenceKnown);
    absl::StrAppend(
        out,
        "<h4>证据 <small>Evidence (snapshots readable with census replay)</small></h4>\n"
        "<table class=\"wide evidence\"><thead><tr><th>问题 <small>finding</small></th>"
        "<th>页面 <small>URL</small></th><th>抓取时间 <small>fetched at</small></th>"
        "<th>快照 <small>snapshot (SHA-256)</small></th>",
        NewFieldHeaders(extra), "</tr></thead><tbody>\n");
    for (const report::Evidence& e : site.evidence()) {
      absl::StrAppend(
          out, "<tr><td>", RuleLabel(e.finding()), "</td>", UrlCell(e.url()), "<td>",
          e.fetched_at().empty() ? "—" : absl::StrCat("<time>", Esc(e.fetched_at()), "</time>"),
          "</td><td class=\"hash\">",
          e.snapshot().empty() ? "—"
          : e.has_link() ? absl::StrCat("<a class=\"evidence-link\" href=\"", Esc(e.link()), "\">",
                                        Esc(e.snapshot()), "</a>")
                         : Esc(e.snapshot()),
          "</td>", NewFieldCells(e, extra), "</tr>\n");
    }
    absl::StrAppend(out, "</tbody></table>\n");
  }
  absl::StrAppend(
      out, "<p class=\"top\"><a href=\"#top\">↑ 返回顶部 <small>top</small></a></p>\n</section>\n");
}

std::string SiteLabel(const report::SiteReport& site) {
  return site.name().empty() ? site.site_id() : site.name();
}

// A chart bar's site, as the charts need it once the site's report is gone.
struct ChartSite {
  std::string site_id;
  std::string name;
  int value = 0;        // days since the homepage update / broken links
  int confirmed = 0;    // broken links: how many of `value` are confirmed
  bool vetoed = false;  // days: the site has the homepage_stale veto

  // What SiteLabel gives for the site: its name, else its id.
  const std::string& label() const { return name.empty() ? site_id : name; }
};

constexpr size_t kChartBars = 40;

// Longest bars first, then by site id: the order the charts show.
bool ChartOrder(const ChartSite& a, const ChartSite& b) {
  return a.value != b.value ? a.value > b.value : a.site_id < b.site_id;
}

// Keeps the kChartBars first bars (ChartOrder) of all offered, and how many were offered;
// memory stays bounded however many sites stream past.
class TopBars {
 public:
  void Offer(ChartSite site) {
    ++offered_;
    kept_.push_back(std::move(site));
    if (kept_.size() >= 4 * kChartBars) Trim();
  }
  size_t offered() const { return offered_; }
  std::vector<ChartSite> Sorted() const {
    std::vector<ChartSite> sorted = kept_;
    std::sort(sorted.begin(), sorted.end(), ChartOrder);
    if (sorted.size() > kChartBars) sorted.resize(kChartBars);
    return sorted;
  }

 private:
  void Trim() {
    std::nth_element(kept_.begin(), kept_.begin() + kChartBars, kept_.end(), ChartOrder);
    kept_.resize(kChartBars);
  }
  std::vector<ChartSite> kept_;
  size_t offered_ = 0;
};

// Mean update interval of each column with at least two dated items.
const std::vector<std::pair<std::string, double>>& IntervalBuckets() {
  static const auto* buckets = new std::vector<std::pair<std::string, double>>{
      {"≤1天", 1},     {"1–7天", 7},      {"7–14天", 14},   {"14–30天", 30},
      {"30–90天", 90}, {"90–180天", 180}, {">180天", 1e300}};
  return *buckets;
}

// The start of a notice page, up to and including <body>; `more_style` follows the style.
void DocumentStart(std::string* out, const std::string& title, const char* more_style = "") {
  absl::StrAppend(out,
                  "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>",
                  Esc(title), "</title>\n<style>", kStyle, more_style,
                  "</style>\n</head>\n<body id=\"top\">\n");
}

// The key figures; `more` is appended inside the box (further figures).
void Kpi(std::string* out, int sites, int failed, int unreachable, int passed,
         const std::string& more) {
  absl::StrAppend(
      out, "<div class=\"kpi\" id=\"kpi\">",
      "<div>检查网站 <small>sites checked</small><b id=\"sum-sites\">", sites,
      "</b></div><div>不合格 <small>failed</small><b id=\"sum-failed\" class=\"mark\">", failed,
      "</b></div><div>其中无法访问 <small>unreachable</small><b id=\"sum-unreachable\">",
      unreachable, "</b></div><div>合格 <small>passed</small><b id=\"sum-passed\">", passed,
      "</b></div><div>合格率 <small>pass rate</small><b id=\"sum-rate\">", Percent(passed, sites),
      "</b></div>", more, "</div>\n");
}

constexpr char kFooter[] =
    "<footer><p>本通报由 Census 根据抓取快照自动生成；每项问题的证据（页面地址、抓取时间、"
    "快照哈希）可用 <code>census replay</code> 复现。 <small>Generated by Census from "
    "stored snapshots; every finding's evidence can be replayed.</small></p></footer>\n"
    "</body>\n</html>\n";

}  // namespace

namespace report_parts {

struct HtmlNotice::State {
  bool have_as_of = false;
  absl::CivilDay as_of;
  int sites = 0;
  // Failures by rule, region and level.
  std::map<std::string, int> by_rule;
  std::map<std::string, int> warnings_by_rule;
  std::map<std::string, Tally> by_region;
  std::map<std::string, Tally> by_level;
  // Charts.
  TopBars ages;    // days since homepage update
  TopBars broken;  // broken links
  std::vector<int> intervals = std::vector<int>(IntervalBuckets().size(), 0);
  int no_interval = 0;
  bool any_column = false;
  // The failing sites' table rows, in report order, each without its leading number cell
  // (the national list and a region's page number them differently), and each region's
  // rows (indexes into `failing`).
  std::vector<std::string> failing;
  // Each failing row's region page (its site's place in its region / kRegionSitesPerPage),
  // and where in the row the anchor's href starts (the page name goes there).
  std::vector<int> failing_page;
  std::vector<size_t> failing_href_at;
  std::map<std::string, std::vector<size_t>> failing_by_region;
  std::map<std::string, int> sites_by_region;
};

HtmlNotice::HtmlNotice(const std::string& as_of) : state_(std::make_unique<State>()) {
  state_->have_as_of = ParseCivilDay(as_of, &state_->as_of);
}

HtmlNotice::~HtmlNotice() = default;

void HtmlNotice::AddSite(const report::SiteReport& site, std::string* section) {
  Count(site);
  Section(site, state_->sites, section);
}

void HtmlNotice::Section(const report::SiteReport& site, int64_t number, std::string* section) {
  SiteSection(section, site, number);
}

void HtmlNotice::Count(const report::SiteReport& site) {
  State& s = *state_;
  ++s.sites;
  ++s.sites_by_region[site.region()];
  std::set<std::string> rules;
  for (const report::Veto& veto : site.vetoes()) rules.insert(veto.rule());
  for (const std::string& rule : rules) ++s.by_rule[rule];
  std::set<std::string> warnings;
  for (const report::EarlyWarning& w : site.early_warnings()) warnings.insert(w.rule());
  for (const std::string& rule : warnings) ++s.warnings_by_rule[rule];
  for (auto* tallies : {&s.by_region, &s.by_level}) {
    Tally& t = (*tallies)[tallies == &s.by_region ? site.region() : site.level()];
    ++t.sites;
    if (site.verdict() != "pass") ++t.failed;
    if (site.verdict() == "unreachable") ++t.unreachable;
    t.score_sum += site.score();
  }

  absl::CivilDay last;
  if (s.have_as_of && ParseCivilDay(site.homepage().last_update(), &last)) {
    ChartSite bar{site.site_id(), site.name(),
                  static_cast<int>(std::max<int64_t>(0, s.as_of - last))};
    bar.vetoed = std::any_of(site.vetoes().begin(), site.vetoes().end(),
                             [](const report::Veto& v) { return v.rule() == "homepage_stale"; });
    s.ages.Offer(std::move(bar));
  }
  if (site.links().broken_size() > 0) {
    ChartSite bar{site.site_id(), site.name(), site.links().broken_size()};
    for (const report::BrokenLink& b : site.links().broken())
      bar.confirmed += b.confirmed() ? 1 : 0;
    s.broken.Offer(std::move(bar));
  }
  const auto& buckets = IntervalBuckets();
  for (const report::ColumnReport& c : site.columns()) {
    s.any_column = true;
    if (c.mean_interval_days() <= 0) {
      ++s.no_interval;
      continue;
    }
    for (size_t b = 0; b < buckets.size(); ++b) {
      if (c.mean_interval_days() <= buckets[b].second) {
        ++s.intervals[b];
        break;
      }
    }
  }

  if (site.verdict() != "pass") {
    std::vector<std::string> vetoes;
    for (const report::Veto& veto : site.vetoes()) {
      auto it = RuleLabels().find(veto.rule());
      vetoes.push_back(it == RuleLabels().end() ? Esc(veto.rule()) : it->second);
    }
    if (vetoes.empty() && site.verdict() == "fail") vetoes.push_back("得分低于合格线");
    s.failing_by_region[site.region()].push_back(s.failing.size());
    s.failing_page.push_back((s.sites_by_region[site.region()] - 1) / kRegionSitesPerPage);
    // The link is to the section on the same page: report.html's when it holds the
    // sites, else the region page's (FailingTable puts a later page's name first).
    std::string row = absl::StrCat("<td>", site.region().empty() ? "—" : Esc(site.region()),
                                   "</td><td><a href=\"");
    s.failing_href_at.push_back(row.size());
    s.failing.push_back(
        absl::StrCat(row, "#", Esc(AnchorId(site.site_id())), "\">", Esc(SiteLabel(site)),
                     "</a></td><td><code>", Esc(site.site_id()), "</code></td><td>",
                     VerdictBadge(site.verdict()), "</td><td class=\"n\">", Num(site.score()),
                     "</td><td>", absl::StrJoin(vetoes, "；"), "</td></tr>\n"));
  }
}

bool HtmlNotice::SitesInline() const { return state_->sites <= kInlineSitesUpTo; }

std::vector<std::string> HtmlNotice::Regions() const {
  std::vector<std::string> regions;
  regions.reserve(state_->by_region.size());
  for (const auto& [region, tally] : state_->by_region) regions.push_back(region);
  return regions;
}

std::string HtmlNotice::Head(const report::CensusSummary& census) const {
  const State& s = *state_;
  const int sites = census.sites() > 0 ? census.sites() : s.sites;
  const int failed = census.failed();
  const int passed = census.passed();

  std::string out;
  out.reserve(16384 + (SitesInline() ? s.failing.size() * 256 : s.by_region.size() * 256));
  const std::string title = absl::StrCat(census.as_of(), " 政府网站普查情况通报");
  DocumentStart(&out, title);
  absl::StrAppend(&out,
                  "<header class=\"notice\">\n<p class=\"org\">政府网站普查</p>\n<h1 id=\"title\">",
                  Esc(title),
                  "</h1>\n<p>Government website census — notice of results · 监测时间点 <small>as "
                  "of</small> <b>",
                  Esc(census.as_of()), "</b> · 指标 <small>rubric</small> <b>",
                  Esc(census.rubric()), "</b></p>\n</header>\n");

  // Summary, in the words of a notice, then the figures.
  absl::StrAppend(
      &out, "<h2 id=\"summary\">一、总体情况 <small>Summary</small></h2>\n<p class=\"lead\">",
      "按照", Esc(census.rubric()), "指标，以", Esc(census.as_of()),
      "为监测时间点，本次共检查政府网站 <b id=\"lead-sites\">", sites, "</b> 个，其中合格 ", passed,
      " 个，不合格 <b id=\"lead-failed\">", failed, "</b> 个（含无法访问 ", census.unreachable(),
      " 个），总体合格率 ", Percent(passed, sites), "。</p>\n");
  Kpi(&out, sites, failed, census.unreachable(), passed, "");
  absl::StrAppend(&out, "<p class=\"meta\">监测起止 <small>run</small> ",
                  census.started().empty() ? "—" : Esc(census.started()), " — ",
                  census.finished().empty() ? "—" : Esc(census.finished()),
                  " · 抓取页面 <small>pages fetched</small> ", census.pages_fetched(), "</p>\n");
  for (const FieldDescriptor* f : NewFields(report::CensusSummary::descriptor(), kSummaryKnown)) {
    if (HasValue(census, f)) {
      absl::StrAppend(&out, "<p class=\"meta\">", Esc(f->name()), ": ",
                      Esc(ValueText(census, f, -1)), "</p>\n");
    }
  }

  absl::StrAppend(&out,
                  "<h2 id=\"by-rule\">二、存在的主要问题 <small>Failures by rule</small></h2>\n");
  if (s.by_rule.empty()) {
    absl::StrAppend(&out, "<p class=\"muted\">无单项否决 <small>no vetoes</small></p>\n");
  } else {
    absl::StrAppend(
        &out,
        "<table id=\"table-by-rule\"><thead><tr><th>单项否决指标 <small>veto rule</small></th>"
        "<th class=\"n\">网站数 <small>sites</small></th>"
        "<th class=\"n\">占检查网站 <small>of checked</small></th></tr></thead><tbody>\n");
    for (const auto& [rule, count] : s.by_rule) {
      absl::StrAppend(&out, "<tr><td>", RuleLabel(rule), "</td><td class=\"n\">", count,
                      "</td><td class=\"n\">", Percent(count, sites), "</td></tr>\n");
    }
    absl::StrAppend(&out,
                    "</tbody></table>\n<p class=\"muted\">一个网站可同时触发多项否决。 "
                    "<small>A site may fail on several rules.</small></p>\n");
  }
  if (!s.warnings_by_rule.empty()) {
    absl::StrAppend(&out,
                    "<h3>预警 <small>Early warnings (before a veto line is crossed)</small></h3>\n"
                    "<table id=\"table-warnings\"><thead><tr><th>预警 <small>warning</small></th>"
                    "<th class=\"n\">网站数 <small>sites</small></th></tr></thead><tbody>\n");
    for (const auto& [rule, count] : s.warnings_by_rule) {
      absl::StrAppend(&out, "<tr><td>", RuleLabel(rule), "</td><td class=\"n\">", count,
                      "</td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody></table>\n");
  }
  absl::StrAppend(&out,
                  "<h3 id=\"by-region\">按地区 <small>By region (each region's sites on its own "
                  "page)</small></h3>\n");
  TallyTable(&out, "table-by-region", "地区 <small>region</small>", s.by_region,
             /*region_pages=*/true);
  absl::StrAppend(&out, "<h3 id=\"by-level\">按层级 <small>By level</small></h3>\n");
  TallyTable(&out, "table-by-level", "层级 <small>level</small>", s.by_level);

  // Charts.
  const std::vector<ChartSite> ages = s.ages.Sorted();
  const std::vector<ChartSite> broken = s.broken.Sorted();
  absl::StrAppend(&out, "<h2 id=\"charts\">三、图表 <small>Charts</small></h2>\n");
  absl::StrAppend(
      &out,
      "<figure id=\"fig-home-age\"><figcaption>首页距最后更新天数 <small>Days since the "
      "homepage was last updated",
      s.ages.offered() > kChartBars
          ? absl::StrCat(" (", kChartBars, " longest of ", s.ages.offered(), ")")
          : "",
      "</small></figcaption>\n");
  if (ages.empty()) {
    absl::StrAppend(&out, "<p class=\"muted\">无数据 <small>no data</small></p>\n");
  } else {
    std::vector<Bar> bars;
    for (const ChartSite& site : ages) {
      bars.push_back({site.label(),
                      absl::StrCat(site.name, " ", site.site_id, ": ", site.value, " 天"),
                      {{static_cast<double>(site.value), site.vetoed ? kRed : kGrey,
                        site.vetoed ? "首页不更新 homepage_stale" : "未否决 not vetoed"}}});
    }
    absl::StrAppend(&out,
                    HorizontalBars("chart-home-age", "Days since homepage update", bars, " 天"),
                    "<p class=\"legend\"><span><i style=\"background:", kRed,
                    "\"></i>首页不更新否决 <small>homepage_stale veto</small></span><span><i "
                    "style=\"background:",
                    kGrey, "\"></i>未否决 <small>not vetoed</small></span></p>\n");
  }
  absl::StrAppend(&out, "</figure>\n");

  if (s.any_column) {
    std::vector<std::pair<std::string, int>> intervals;
    for (size_t b = 0; b < IntervalBuckets().size(); ++b) {
      intervals.emplace_back(IntervalBuckets()[b].first, s.intervals[b]);
    }
    absl::StrAppend(
        &out,
        "<figure id=\"fig-intervals\"><figcaption>栏目平均更新间隔分布 <small>Columns by mean "
        "update interval (",
        s.no_interval, " columns with fewer than two dated items not shown)</small></figcaption>\n",
        Histogram("chart-intervals", "Columns by mean update interval", intervals), "</figure>\n");
  }

  absl::StrAppend(
      &out, "<figure id=\"fig-broken\"><figcaption>各网站不可用链接数 <small>Broken links per site",
      s.broken.offered() > kChartBars
          ? absl::StrCat(" (", kChartBars, " most of ", s.broken.offered(), ")")
          : "",
      "</small></figcaption>\n");
  if (broken.empty()) {
    absl::StrAppend(&out,
                    "<p class=\"muted\">未发现不可用链接 <small>no broken links</small></p>\n");
  } else {
    std::vector<Bar> bars;
    for (const ChartSite& site : broken) {
      const int count = site.value;
      bars.push_back({site.label(),
                      absl::StrCat(site.name, " ", site.site_id, ": ", count, " (确认 ",
                                   site.confirmed, ", 疑似 ", count - site.confirmed, ")"),
                      {{static_cast<double>(site.confirmed), kRed, "确认 confirmed"},
                       {static_cast<double>(count - site.confirmed), kOrange, "疑似 suspected"}}});
    }
    absl::StrAppend(&out, HorizontalBars("chart-broken", "Broken links per site", bars, ""),
                    "<p class=\"legend\"><span><i style=\"background:", kRed,
                    "\"></i>确认 <small>confirmed (404/403, failed again)</small></span><span><i "
                    "style=\"background:",
                    kOrange,
                    "\"></i>疑似 <small>suspected (timeout, 5xx, refused)</small></span></p>\n");
  }
  absl::StrAppend(&out, "</figure>\n");

  // The failing sites, as a notice lists them: here when the notice holds every site,
  // else on each region's page.
  absl::StrAppend(&out,
                  "<h2 id=\"failed\">四、不合格网站名单 <small>Sites that failed</small></h2>\n");
  if (SitesInline()) {
    std::vector<size_t> all(s.failing.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    FailingTable(&out, all);
  } else {
    absl::StrAppend(&out, "<p class=\"by-region-only\">不合格网站 ", failed,
                    " 个，名单按地区分页列出，见<a href=\"#by-region\">按地区</a>表中各地区页面。 "
                    "<small>Over ",
                    kInlineSitesUpTo,
                    " sites the failing sites are listed on each region's page (By region "
                    "above).</small></p>\n");
  }

  // Every site's findings follow, or are on the region pages.
  absl::StrAppend(&out,
                  "<h2 id=\"sites\">五、各网站检查详情 <small>Findings per site</small></h2>\n");
  if (!SitesInline()) {
    absl::StrAppend(&out, "<p class=\"by-region-only\">共 ", s.sites,
                    " 个网站，各网站检查详情按地区分页，见<a href=\"#by-region\">按地区</a>"
                    "表中各地区页面。 <small>Each site's findings are on its region's page.</small>"
                    "</p>\n");
  }
  return out;
}

void HtmlNotice::FailingTable(std::string* out, const std::vector<size_t>& rows,
                              const std::string& region_slug, bool from_elsewhere) const {
  if (rows.empty()) {
    absl::StrAppend(out, "<p>本次检查网站全部合格。 <small>Every site passed.</small></p>\n");
    return;
  }
  absl::StrAppend(
      out,
      "<table class=\"wide\" id=\"table-failed\"><thead><tr><th class=\"n\">序号 "
      "<small>no.</small></th>"
      "<th>地区 <small>region</small></th><th>网站名称 <small>site</small></th>"
      "<th>标识码 <small>site id</small></th><th>结论 <small>verdict</small></th>"
      "<th class=\"n\">得分 <small>score</small></th><th>主要问题 <small>vetoes</small></th>"
      "</tr></thead><tbody>\n");
  const State& s = *state_;
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string& row = s.failing[rows[i]];
    const int page = region_slug.empty() ? 0 : s.failing_page[rows[i]];
    if (page == 0 && !from_elsewhere) {
      absl::StrAppend(out, "<tr><td class=\"n\">", i + 1, "</td>", row);
      continue;
    }
    const absl::string_view head = absl::string_view(row).substr(0, s.failing_href_at[rows[i]]);
    const absl::string_view rest = absl::string_view(row).substr(s.failing_href_at[rows[i]]);
    absl::StrAppend(out, "<tr><td class=\"n\">", i + 1, "</td>", head,
                    RegionPageFile(region_slug, page), rest);
  }
  absl::StrAppend(out, "</tbody></table>\n");
}

int HtmlNotice::RegionPages(const std::string& region) const {
  auto it = state_->sites_by_region.find(region);
  if (it == state_->sites_by_region.end()) return 0;
  return (it->second + kRegionSitesPerPage - 1) / kRegionSitesPerPage;
}

// 第 1 2 3 页 links between a region's pages; "" for a region of one page.
std::string HtmlNotice::Pager(const std::string& region, int page) const {
  const int pages = RegionPages(region);
  if (pages <= 1) return "";
  const std::string slug = RegionSlug(region);
  std::string out =
      absl::StrCat("<nav class=\"pager\">第 ", page + 1, " / ", pages, " 页 <small>page</small>：");
  for (int p = 0; p < pages; ++p) {
    if (p == page) {
      absl::StrAppend(&out, " <b>", p + 1, "</b>");
    } else {
      absl::StrAppend(&out, " <a href=\"", RegionPageFile(slug, p), "\">", p + 1, "</a>");
    }
  }
  absl::StrAppend(&out, "</nav>\n");
  return out;
}

const std::vector<size_t>& HtmlNotice::FailingRows(const std::string& region) const {
  static const std::vector<size_t> kNoRows;
  auto rows = state_->failing_by_region.find(region);
  return rows == state_->failing_by_region.end() ? kNoRows : rows->second;
}

std::string HtmlNotice::RegionPageStart(const std::string& region,
                                        const report::CensusSummary& census,
                                        const std::string& title_suffix) const {
  std::string out;
  const std::string name = region.empty() ? "未填地区" : region;
  DocumentStart(&out,
                absl::StrCat(name, " · ", census.as_of(), " 政府网站普查情况通报", title_suffix),
                kRegionStyle);
  absl::StrAppend(
      &out,
      "<header class=\"notice\">\n<p class=\"org\">政府网站普查</p>\n<h1 id=\"title\">"
      "<span id=\"region-name\">",
      Esc(name), "</span> 网站检查情况</h1>\n<p>",
      region.empty() ? "未填地区的网站 <small>sites without a region (unassigned)</small> · " : "",
      "监测时间点 <small>as of</small> <b>", Esc(census.as_of()),
      "</b> · 指标 <small>rubric</small> <b>", Esc(census.rubric()),
      "</b> · <a id=\"national\" href=\"../report.html\">全国汇总 <small>national "
      "summary</small></a></p>\n</header>\n");
  return out;
}

std::string HtmlNotice::RegionHead(const std::string& region, const report::CensusSummary& census,
                                   int page) const {
  const State& s = *state_;
  static const Tally kNone;
  auto tally = s.by_region.find(region);
  const Tally& t = tally == s.by_region.end() ? kNone : tally->second;
  std::string out = RegionPageStart(region, census, "");
  if (page > 0) {  // a later page: the sites go on
    absl::StrAppend(&out, Pager(region, page),
                    "<h2 id=\"sites\">各网站检查详情（续） <small>Findings per site, continued "
                    "(numbered as in report.json)</small></h2>\n");
    return out;
  }
  Kpi(&out, t.sites, t.failed, t.unreachable, t.sites - t.failed,
      absl::StrCat("<div>平均得分 <small>mean score</small><b id=\"sum-mean-score\">",
                   t.sites > 0 ? Num(t.score_sum / t.sites) : "—", "</b></div>"));
  absl::StrAppend(&out, "<h2 id=\"failed\">不合格网站名单 <small>Sites that failed</small></h2>\n");
  const std::vector<size_t>& rows = FailingRows(region);
  if (rows.size() > static_cast<size_t>(kRegionSitesPerPage)) {
    // A long list is a page of its own: this page opens at once.
    absl::StrAppend(
        &out, "<p class=\"failed-list\">不合格网站 <b>", rows.size(),
        "</b> 个，名单见 <a id=\"failed-page\" href=\"", RegionFailedFile(RegionSlug(region)),
        "\">不合格网站名单 <small>the list of the sites that failed</small></a>。</p>\n");
  } else {
    FailingTable(&out, rows, RegionSlug(region));
  }
  absl::StrAppend(&out,
                  "<h2 id=\"sites\">各网站检查详情 <small>Findings per site (numbered "
                  "as in report.json)</small></h2>\n",
                  Pager(region, page));
  return out;
}

std::string HtmlNotice::RegionFailedPage(const std::string& region,
                                         const report::CensusSummary& census) const {
  const std::vector<size_t>& rows = FailingRows(region);
  if (rows.size() <= static_cast<size_t>(kRegionSitesPerPage)) return "";
  std::string out = RegionPageStart(region, census, " · 不合格网站名单");
  absl::StrAppend(&out, "<p><a href=\"", RegionPageFile(RegionSlug(region)),
                  "\">返回地区页 <small>back to the region's page</small></a></p>\n",
                  "<h2 id=\"failed\">不合格网站名单 <small>Sites that failed</small></h2>\n");
  FailingTable(&out, rows, RegionSlug(region), /*from_elsewhere=*/true);
  absl::StrAppend(&out, kFooter);
  return out;
}

std::string HtmlNotice::RegionTail(const std::string& region, int page) const {
  return absl::StrCat(Pager(region, page), kFooter);
}

std::string HtmlNotice::Tail(const report::CensusSummary& census) const {
  std::string out;
  if (census.input_errors_size() > 0) {
    absl::StrAppend(
        &out,
        "<h2 id=\"input-errors\">附：输入错误 <small>Input errors</small></h2>\n"
        "<table><thead><tr><th>文件 <small>file</small></th><th class=\"n\">行 "
        "<small>line</small></th><th>原因 <small>reason</small></th></tr></thead><tbody>\n");
    for (const report::InputError& e : census.input_errors()) {
      absl::StrAppend(&out, "<tr><td>", Esc(e.file()), "</td><td class=\"n\">", e.line(),
                      "</td><td>", Esc(e.reason()), "</td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody></table>\n");
  }
  absl::StrAppend(&out, kFooter);
  return out;
}

}  // namespace report_parts

std::string ReportToHtml(const report::CensusReport& report) {
  report_parts::HtmlNotice notice(report.census().as_of());
  std::string sections;
  if (report.sites_size() <= report_parts::HtmlNotice::kInlineSitesUpTo) {
    sections.reserve(static_cast<size_t>(report.sites_size()) * 8192);
    for (const report::SiteReport& site : report.sites()) notice.AddSite(site, &sections);
  } else {
    for (const report::SiteReport& site : report.sites()) notice.Count(site);
  }
  return absl::StrCat(notice.Head(report.census()), sections, notice.Tail(report.census()));
}

std::map<std::string, std::string> ReportToRegionHtml(const report::CensusReport& report) {
  using report_parts::HtmlNotice;
  HtmlNotice notice(report.census().as_of());
  std::map<std::string, std::vector<std::string>> sections;  // by region, one a site
  for (const report::SiteReport& site : report.sites()) {
    notice.AddSite(site, &sections[site.region()].emplace_back());
  }
  std::map<std::string, std::string> pages;
  for (const auto& [region, html] : sections) {
    for (int page = 0; page < notice.RegionPages(region); ++page) {
      std::string& out = pages[RegionPagePath(region, page)];
      out = notice.RegionHead(region, report.census(), page);
      const size_t first = static_cast<size_t>(page) * HtmlNotice::kRegionSitesPerPage;
      for (size_t i = first; i < html.size() && i < first + HtmlNotice::kRegionSitesPerPage; ++i) {
        out += html[i];
      }
      out += notice.RegionTail(region, page);
    }
    std::string failed = notice.RegionFailedPage(region, report.census());
    if (!failed.empty()) pages[RegionFailedPath(region)] = std::move(failed);
  }
  return pages;
}

std::string RegionSlug(const std::string& region) {
  if (region.empty()) return "_unassigned";
  std::string slug;
  for (char c : region) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
      slug.push_back(c);
    } else {
      absl::StrAppendFormat(&slug, "_%02X", static_cast<unsigned char>(c));
    }
  }
  // File names stop at 255 bytes: a long name keeps its start and a hash of the whole
  // ("_h" is never an escape, so this cannot be another region's slug).
  if (slug.size() > 200) slug = absl::StrCat(slug.substr(0, 130), "_h", ContentHash(region));
  return slug;
}

std::string RegionPageFile(const std::string& slug, int page) {
  return page == 0 ? absl::StrCat(slug, ".html") : absl::StrCat(slug, ".p", page + 1, ".html");
}

std::string RegionFailedFile(const std::string& slug) { return absl::StrCat(slug, ".failed.html"); }

std::string RegionFailedPath(const std::string& region) {
  return absl::StrCat("regions/", RegionFailedFile(RegionSlug(region)));
}

std::string RegionPagePath(const std::string& region, int page) {
  return absl::StrCat("regions/", RegionPageFile(RegionSlug(region), page));
}

}  // namespace census
