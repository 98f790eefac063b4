// census diff: compares two census reports site by site.

#include "aggregator/report_diff.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace census {
namespace {

bool Failing(const std::string& verdict) { return !verdict.empty() && verdict != "pass"; }

std::string FindingKey(const DiffFinding& f) { return absl::StrCat(f.kind, "\n", f.subject); }

// Findings of `a` whose (kind, subject) is not among `b`'s, in `a`'s order.
std::vector<DiffFinding> Minus(const std::vector<DiffFinding>& a,
                               const std::vector<DiffFinding>& b) {
  std::set<std::string> keys;
  for (const DiffFinding& f : b) keys.insert(FindingKey(f));
  std::vector<DiffFinding> out;
  std::set<std::string> emitted;
  for (const DiffFinding& f : a) {
    std::string key = FindingKey(f);
    if (keys.count(key) == 0 && emitted.insert(key).second) out.push_back(f);
  }
  return out;
}

std::vector<std::string> Rules(const report::SiteReport& site) {
  std::vector<std::string> rules;
  for (const report::Veto& veto : site.vetoes()) {
    if (std::find(rules.begin(), rules.end(), veto.rule()) == rules.end()) {
      rules.push_back(veto.rule());
    }
  }
  return rules;
}

std::vector<std::string> RulesMinus(const std::vector<std::string>& a,
                                    const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const std::string& rule : a) {
    if (std::find(b.begin(), b.end(), rule) == b.end()) out.push_back(rule);
  }
  return out;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

std::string JsonStrings(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& v : values) quoted.push_back(JsonString(v));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

std::string JsonFindings(const std::vector<DiffFinding>& findings) {
  std::vector<std::string> items;
  for (const DiffFinding& f : findings) {
    items.push_back(absl::StrCat("{\"kind\":", JsonString(f.kind), ",\"subject\":",
                                 JsonString(f.subject), ",\"detail\":", JsonString(f.detail), "}"));
  }
  return absl::StrCat("[", absl::StrJoin(items, ","), "]");
}

std::string Score(double score) { return absl::StrFormat("%.1f", score); }

}  // namespace

std::vector<DiffFinding> SiteFindings(const report::SiteReport& site) {
  std::vector<DiffFinding> findings;
  for (const report::BrokenLink& link : site.links().broken()) {
    std::string detail = link.error();
    if (link.status() != 0) absl::StrAppend(&detail, " ", link.status());
    if (!link.found_on().empty()) absl::StrAppend(&detail, ", found on ", link.found_on());
    findings.push_back({"broken_link", link.url(), detail});
  }
  for (const report::ColumnReport& column : site.columns()) {
    const std::string& subject = column.url().empty() ? column.name() : column.url();
    std::string last = column.last_update().empty() ? "no dated item" : column.last_update();
    if (!column.fetch_error().empty()) {
      findings.push_back(
          {"column_fetch_error", subject, absl::StrCat(column.name(), ": ", column.fetch_error())});
    } else if (column.blank()) {
      findings.push_back({"blank_column", subject, column.name()});
    } else if (column.stale()) {
      findings.push_back(
          {"stale_column", subject,
           absl::StrCat(column.name(), " (", column.category(), ", ", "last update ", last, ")")});
    }
  }
  for (const report::ContentFinding& content : site.content()) {
    findings.push_back(
        {"content", absl::StrCat(content.kind(), " ", content.url(), " ", content.detail()),
         absl::StrCat(content.kind(), ": ", content.detail(), " (", content.url(), ")")});
  }
  return findings;
}

ReportDiff DiffReports(const report::CensusReport& old_report,
                       const report::CensusReport& new_report) {
  ReportDiff diff;
  diff.old_as_of = old_report.census().as_of();
  diff.new_as_of = new_report.census().as_of();
  diff.old_sites = old_report.sites_size();
  diff.new_sites = new_report.sites_size();
  for (const auto& site : old_report.sites()) diff.old_failed += Failing(site.verdict()) ? 1 : 0;
  for (const auto& site : new_report.sites()) diff.new_failed += Failing(site.verdict()) ? 1 : 0;

  std::map<std::string, std::pair<const report::SiteReport*, const report::SiteReport*>> by_id;
  for (const auto& site : old_report.sites()) by_id[site.site_id()].first = &site;
  for (const auto& site : new_report.sites()) by_id[site.site_id()].second = &site;

  static const report::SiteReport kNone;
  for (const auto& [id, pair] : by_id) {
    const report::SiteReport& before = pair.first ? *pair.first : kNone;
    const report::SiteReport& after = pair.second ? *pair.second : kNone;
    SiteDiff site;
    site.site_id = id;
    site.name = pair.second ? after.name() : before.name();
    site.old_verdict = before.verdict();
    site.new_verdict = after.verdict();
    site.old_score = before.score();
    site.new_score = after.score();
    std::vector<std::string> old_rules = Rules(before);
    std::vector<std::string> new_rules = Rules(after);
    site.vetoes_added = RulesMinus(new_rules, old_rules);
    site.vetoes_removed = RulesMinus(old_rules, new_rules);
    std::vector<DiffFinding> old_findings = SiteFindings(before);
    std::vector<DiffFinding> new_findings = SiteFindings(after);
    site.findings_added = Minus(new_findings, old_findings);
    site.findings_removed = Minus(old_findings, new_findings);

    if (!pair.first) {
      diff.added.push_back(id);
    } else if (!pair.second) {
      diff.removed.push_back(id);
    } else {
      bool was = Failing(site.old_verdict);
      bool is = Failing(site.new_verdict);
      if (!was && is) diff.newly_failing.push_back(id);
      if (was && !is) diff.fixed.push_back(id);
      if (was && is) diff.still_failing.push_back(id);
      if (site.old_verdict != site.new_verdict) diff.verdict_changed.push_back(id);
    }
    bool changed = !pair.first || !pair.second || site.old_verdict != site.new_verdict ||
                   Score(site.old_score) != Score(site.new_score) || !site.vetoes_added.empty() ||
                   !site.vetoes_removed.empty() || !site.findings_added.empty() ||
                   !site.findings_removed.empty();
    if (changed) diff.sites.push_back(std::move(site));
  }
  return diff;
}

std::string DiffToText(const ReportDiff& diff) {
  std::map<std::string, const SiteDiff*> by_id;
  for (const SiteDiff& site : diff.sites) by_id[site.site_id] = &site;
  auto label = [&](const std::string& id) {
    auto it = by_id.find(id);
    return it == by_id.end() || it->second->name.empty() ? id
                                                         : absl::StrCat(id, " ", it->second->name);
  };

  std::string out = absl::StrFormat("census diff: %s → %s\n", diff.old_as_of, diff.new_as_of);
  absl::StrAppendFormat(&out, "网站 sites: %d → %d · 不合格 failed: %d → %d\n", diff.old_sites,
                        diff.new_sites, diff.old_failed, diff.new_failed);
  const std::pair<const char*, const std::vector<std::string>*> groups[] = {
      {"新增不合格 Newly failing", &diff.newly_failing},
      {"已整改合格 Fixed", &diff.fixed},
      {"仍不合格 Still failing", &diff.still_failing},
      {"结论变化 Verdict changed", &diff.verdict_changed},
      {"新增网站 Added", &diff.added},
      {"不再检查 Removed", &diff.removed},
  };
  for (const auto& [title, ids] : groups) {
    absl::StrAppendFormat(&out, "\n%s (%d)\n", title, ids->size());
    for (const std::string& id : *ids) {
      auto it = by_id.find(id);
      std::string verdicts;
      if (it != by_id.end()) {
        const SiteDiff& s = *it->second;
        verdicts = absl::StrCat(s.old_verdict.empty() ? "-" : s.old_verdict, " → ",
                                s.new_verdict.empty() ? "-" : s.new_verdict);
        if (!s.vetoes_added.empty()) {
          absl::StrAppend(&verdicts, "; +", absl::StrJoin(s.vetoes_added, " +"));
        }
        if (!s.vetoes_removed.empty()) {
          absl::StrAppend(&verdicts, "; -", absl::StrJoin(s.vetoes_removed, " -"));
        }
      }
      absl::StrAppend(&out, "  ", label(id), verdicts.empty() ? "" : "  (", verdicts,
                      verdicts.empty() ? "" : ")", "\n");
    }
  }
  absl::StrAppendFormat(&out, "\n各网站变化 Changes per site (%d)\n", diff.sites.size());
  for (const SiteDiff& s : diff.sites) {
    absl::StrAppend(&out, "  ", label(s.site_id), ": ", s.old_verdict.empty() ? "-" : s.old_verdict,
                    " → ", s.new_verdict.empty() ? "-" : s.new_verdict, ", score ",
                    s.old_verdict.empty() ? "-" : Score(s.old_score), " → ",
                    s.new_verdict.empty() ? "-" : Score(s.new_score), "\n");
    for (const std::string& rule : s.vetoes_added) {
      absl::StrAppend(&out, "    + 否决 veto ", rule, "\n");
    }
    for (const std::string& rule : s.vetoes_removed) {
      absl::StrAppend(&out, "    - 否决 veto ", rule, "\n");
    }
    for (const DiffFinding& f : s.findings_added) {
      absl::StrAppend(&out, "    + ", f.kind, " ", f.subject, f.detail.empty() ? "" : " — ",
                      f.detail, "\n");
    }
    for (const DiffFinding& f : s.findings_removed) {
      absl::StrAppend(&out, "    - ", f.kind, " ", f.subject, f.detail.empty() ? "" : " — ",
                      f.detail, "\n");
    }
  }
  return out;
}

std::string DiffToJson(const ReportDiff& diff) {
  std::string out = absl::StrCat(
      "{\"old\":{\"as_of\":", JsonString(diff.old_as_of), ",\"sites\":", diff.old_sites,
      ",\"failed\":", diff.old_failed, "},\"new\":{\"as_of\":", JsonString(diff.new_as_of),
      ",\"sites\":", diff.new_sites, ",\"failed\":", diff.new_failed, "}");
  absl::StrAppend(&out, ",\"newly_failing\":", JsonStrings(diff.newly_failing),
                  ",\"fixed\":", JsonStrings(diff.fixed),
                  ",\"still_failing\":", JsonStrings(diff.still_failing),
                  ",\"verdict_changed\":", JsonStrings(diff.verdict_changed),
                  ",\"added\":", JsonStrings(diff.added),
                  ",\"removed\":", JsonStrings(diff.removed), ",\"sites\":[");
  for (size_t i = 0; i < diff.sites.size(); ++i) {
    const SiteDiff& s = diff.sites[i];
    absl::StrAppend(
        &out, i == 0 ? "" : ",", "{\"site_id\":", JsonString(s.site_id),
        ",\"name\":", JsonString(s.name), ",\"old_verdict\":", JsonString(s.old_verdict),
        ",\"new_verdict\":", JsonString(s.new_verdict), ",\"old_score\":", Score(s.old_score),
        ",\"new_score\":", Score(s.new_score), ",\"vetoes_added\":", JsonStrings(s.vetoes_added),
        ",\"vetoes_removed\":", JsonStrings(s.vetoes_removed),
        ",\"findings_added\":", JsonFindings(s.findings_added),
        ",\"findings_removed\":", JsonFindings(s.findings_removed), "}");
  }
  absl::StrAppend(&out, "]}\n");
  return out;
}

}  // namespace census
