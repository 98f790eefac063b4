#ifndef CENSUS_SIMWEB_SCORE_H_
#define CENSUS_SIMWEB_SCORE_H_

// `simweb score`: a census's report.json against the simulated web's truth.json —
// precision and recall of every finding, overall, per CMS family (template) and for
// the tuned and held-out families (docs/SCORING.md). Pure functions over the two
// messages; the command reads the files.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "proto/report.pb.h"
#include "simweb/truth.pb.h"

namespace census::simweb {

struct Counts {
  int tp = 0;
  int fp = 0;
  int fn = 0;
  // -1 when the denominator is 0 (printed "n/a").
  double precision() const { return tp + fp == 0 ? -1 : static_cast<double>(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? -1 : static_cast<double>(tp) / (tp + fn); }
};

// One disagreement: a finding the report made that the truth does not have (false
// positive) or one it missed (false negative).
struct Mismatch {
  std::string finding;
  std::string site_id;
  std::string group;  // the site's template
  std::string key;    // the column / link / content it is about ("" for site findings)
  bool false_positive = false;
  std::string detail;  // what the report said of it
};

struct Score {
  // finding -> group ("all", "tuned", "held_out", then each template) -> counts.
  std::map<std::string, std::map<std::string, Counts>> counts;
  std::vector<Mismatch> mismatches;
  int sites_scored = 0;
  int sites_missing = 0;  // in the truth, not in the report: every finding missed
  int sites_extra = 0;    // in the report, not in the truth: ignored
};

// Findings: "fail" (verdict not pass, per site), "veto:<rule>" (per site),
// "column" (discovery: per site and column URL), "category" (matched columns: right
// category counts as tp, wrong as fp), "blank_column", "stale_column",
// "long_unupdated" (per column; a report column the truth does not have counts as
// fp when it is blank/stale), "broken_link" (per link URL), "content:<kind>" (per
// page URL and kind).
Score ScoreCensus(const testing::Truth& truth, const report::CensusReport& report);

// Column and link URLs compare lower-cased in scheme and host, without a fragment,
// and without a trailing index.html / index.htm / index.shtml / index.jsp /
// index.php / default.htm / default.html.
std::string NormalizeUrl(absl::string_view url);

// The table people read; `verbose` lists every mismatch after it.
std::string ScoreTable(const Score& score, bool verbose);
// The same numbers as one JSON object:
// {"sites":N,"sites_missing":N,"sites_extra":N,"findings":{"fail":{"all":{"tp":..,
//  "fp":..,"fn":..,"precision":..|null,"recall":..|null}, "hanweb":{...}}, ...}}
std::string ScoreJson(const Score& score);

// `simweb score --truth FILE --report FILE [--json] [--verbose]`: 0 when scored, 1
// when a file cannot be read or parsed, 2 on a usage error (usage on stderr).
int RunScore(const std::vector<std::string>& args);

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_SCORE_H_
