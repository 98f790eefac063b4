#ifndef CENSUS_AGGREGATOR_REPORT_DIFF_H_
#define CENSUS_AGGREGATOR_REPORT_DIFF_H_

// `census diff OLD NEW`: what changed between two census reports (report.json) —
// sites newly failing, fixed, still failing, verdict changes, vetoes and findings
// added and removed per site.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/report.pb.h"

namespace census {

// One finding of a site, comparable across runs: `kind` and `subject` identify it
// (a finding with the same kind and subject in both reports is unchanged); `detail`
// is for reading. Kinds: broken_link (subject: the URL), stale_column / blank_column /
// column_fetch_error (subject: the column URL, or its name when it has none), content
// (subject: "<content kind> <url> <detail>"), early_warning (subject: its rule) when
// the report carries early warnings.
struct DiffFinding {
  std::string kind;
  std::string subject;
  std::string detail;
};

struct SiteDiff {
  std::string site_id;
  std::string name;
  std::string old_verdict;  // "" when the site is only in NEW
  std::string new_verdict;  // "" when the site is only in OLD
  double old_score = 0;
  double new_score = 0;
  std::vector<std::string> vetoes_added;    // rules, in NEW's order
  std::vector<std::string> vetoes_removed;  // rules, in OLD's order
  std::vector<DiffFinding> findings_added;
  std::vector<DiffFinding> findings_removed;
};

struct ReportDiff {
  std::string old_as_of;
  std::string new_as_of;
  int old_sites = 0, new_sites = 0;
  int old_failed = 0, new_failed = 0;
  // Site ids, sorted. failing = verdict other than "pass".
  std::vector<std::string> newly_failing;    // pass → fail/unreachable (in both reports)
  std::vector<std::string> fixed;            // fail/unreachable → pass
  std::vector<std::string> still_failing;    // failing in both
  std::vector<std::string> verdict_changed;  // any verdict change (includes fail ↔ unreachable)
  std::vector<std::string> added;            // only in NEW
  std::vector<std::string> removed;          // only in OLD
  // Every site with a change (verdict, score, vetoes or findings, or added/removed),
  // sorted by site_id.
  std::vector<SiteDiff> sites;
};

ReportDiff DiffReports(const report::CensusReport& old_report,
                       const report::CensusReport& new_report);

// The findings of one site (see DiffFinding), in report order.
std::vector<DiffFinding> SiteFindings(const report::SiteReport& site);

// Readable summary (UTF-8, Chinese labels with English).
std::string DiffToText(const ReportDiff& diff);

// One JSON object:
// {"old": {"as_of", "sites", "failed"}, "new": {...}, "newly_failing": [ids], "fixed",
//  "still_failing", "verdict_changed", "added", "removed",
//  "sites": [{"site_id", "name", "old_verdict", "new_verdict", "old_score", "new_score",
//             "vetoes_added": [rules], "vetoes_removed",
//             "findings_added": [{"kind", "subject", "detail"}], "findings_removed"}]}
std::string DiffToJson(const ReportDiff& diff);

}  // namespace census

#endif  // CENSUS_AGGREGATOR_REPORT_DIFF_H_
