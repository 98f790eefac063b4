#ifndef CENSUS_AGGREGATOR_AGGREGATOR_H_
#define CENSUS_AGGREGATOR_AGGREGATOR_H_

// Aggregator: turns what one store shard holds into the census report, and writes
// report.json / report.csv / report.html. Reads only (the Store may be read-only).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "proto/report.pb.h"
#include "storage/store.h"

namespace census {

// Thresholds of the rubric (gov-2019 defaults). Windows count back from as_of:
// an item dated D is "within N days" when as_of - D <= N days.
struct Rubric {
  std::string name = "gov-2019";
  double unreachable_veto_ratio = 0.05;          // site_unreachable when failures/probes >= this
  int homepage_window_days = 14;                 // homepage_stale when newest item older
  int news_window_days = 14;                     // NEWS stale
  int notice_policy_window_months = 6;           // NOTICE/POLICY stale (calendar months)
  int personnel_plan_window_months = 12;         // PERSONNEL/PLAN stale
  int stale_columns_veto = 5;                    // columns_stale when stale columns >= this
  int blank_columns_veto = 5;                    // blank_columns when blank columns >= this
  double availability_points_per_percent = 5.0;  // deduction per 1% failed probes
  double homepage_link_points = 1.0;             // per broken link on the homepage
  double other_link_points = 0.1;                // per broken link elsewhere
  double links_cap = 20.0;                       // cap of each link deduction rule
};

// Reads a rubric file (--rubric): one `key = value` a line (`:` also accepted), `#`
// comments and blank lines ignored; keys are the Rubric field names above, missing keys
// keep their gov-2019 default. InvalidArgument (with the line number) on an unknown key
// or a bad value.
absl::StatusOr<Rubric> ParseRubric(const std::string& text);

struct AggregateOptions {
  absl::CivilDay as_of;
  int64_t run_started_ms = 0;   // probes / link checks counted from here
  int64_t run_finished_ms = 0;  // and up to here ("as of T" for observations)
  Rubric rubric;
  std::vector<report::InputError> input_errors;
  int pages_fetched = 0;
};

absl::StatusOr<report::CensusReport> Aggregate(Store& store, const AggregateOptions& options);

// Writes report.json, report.csv and report.html into `out_dir` (created if missing).
absl::Status WriteReports(const report::CensusReport& report, const std::string& out_dir);

// report.json text (proto field names kept, defaults printed).
absl::StatusOr<std::string> ReportToJson(const report::CensusReport& report);

// Parses report.json text back (unknown fields ignored): for merging shard reports
// and for replay.
absl::StatusOr<report::CensusReport> ReportFromJson(const std::string& json);

// report.csv text: UTF-8 with BOM, RFC 4180 (CRLF, quoted when needed), one row a
// site under the header
// site_id,name,url,region,level,verdict,score,probes,probe_failures,
// homepage_last_update,stale_columns,blank_columns,broken_links,site_unreachable,
// homepage_stale,columns_stale,blank_columns_veto (veto columns are 1 or 0).
std::string ReportToCsv(const report::CensusReport& report);

// report.html text: the readable census notice (self-contained HTML5, inline CSS/SVG).
std::string ReportToHtml(const report::CensusReport& report);

// Merges the reports of several shards (each aggregated its own sites) into one:
// sites concatenated and sorted by site_id, counts summed, started = earliest,
// finished = latest, pages_fetched summed, input errors concatenated. as_of and
// rubric are taken from the first report.
report::CensusReport MergeReports(const std::vector<report::CensusReport>& reports);

}  // namespace census

#endif  // CENSUS_AGGREGATOR_AGGREGATOR_H_
