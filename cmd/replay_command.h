#ifndef CENSUS_CMD_REPLAY_COMMAND_H_
#define CENSUS_CMD_REPLAY_COMMAND_H_

// `census replay`: a past census recomputed from the store, and stored pages shown as
// they were fetched (the evidence of a finding). Also the report step `census run` ends
// with, so that a run's report and its replay are one code path.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "aggregator/aggregator.h"
#include "proto/census.pb.h"
#include "proto/report.pb.h"
#include "storage/store.h"

namespace census {

// How a run's report is aggregated: its census date, window, sites and input errors,
// scored with `rubric`. Shared by `census run`, `census replay` and each store shard's
// part of `census aggregate`, so that all three make the same report.
absl::StatusOr<AggregateOptions> AggregateOptionsForRun(const RunRecord& run, const Rubric& rubric);

// The census of day `as_of` recomputed from what the store held at `until_ms` (the end
// of that day in census time, EndOfCensusDay, unless the caller says otherwise), not
// from a run record (docs/REPORT.md "A census as of a day"). The window of fetch
// records (probes, page fetches, link checks) starts where the newest run started at
// or before until_ms started (`window_run`; every record up to until_ms when there is
// none); observations and columns are those stored at until_ms. The sites are `sites`
// when given, else every site of the store with a fetch record in the window (NotFound
// when there is none: no census of that day); the
// rubric is `rubric` when given, else the window run's, else the newest run's, else the
// built-in one.
struct AsOfCensus {
  AggregateOptions options;
  std::optional<RunRecord> window_run;
};
absl::StatusOr<AsOfCensus> AsOfOptions(Store& store, absl::CivilDay as_of, int64_t until_ms,
                                       const std::vector<Site>* sites, const Rubric* rubric);

// The last millisecond of `day` in census time (UTC+8).
int64_t EndOfCensusDay(absl::CivilDay day);

// Aggregates the census `options` describe from `store` and writes report.json / .csv /
// .html into `out_dir`, site by site (WriteRunReports for any census, a run's or not).
absl::StatusOr<report::CensusSummary> WriteCensusReports(Store& store,
                                                         const AggregateOptions& options,
                                                         const std::string& out_dir,
                                                         bool quiet = false);

// Aggregates the census `run` describes (its sites, window, pages and input errors) from
// `store` under `rubric` and writes report.json / .csv / .html into `out_dir`, site by
// site, printing how far it got to stderr every few seconds unless `quiet`. Returns the
// census summary. A non-empty `evidence_base` links each evidence to `census serve`
// there (AggregateOptions::evidence_base).
absl::StatusOr<report::CensusSummary> WriteRunReports(Store& store, const RunRecord& run,
                                                      const Rubric& rubric,
                                                      const std::string& out_dir,
                                                      bool quiet = false,
                                                      const std::string& evidence_base = "");

// The store a `census run --data DIR` keeps (DIR/store-0), opened read-only unless
// `writable` (never created), its observations read as StoreOptions::extractor_version
// says; NotFound naming DIR when it holds no census data.
absl::StatusOr<std::unique_ptr<Store>> OpenRunStore(const std::string& data_dir,
                                                    bool writable = false,
                                                    int32_t extractor_version = 0);

// The run `run_id` of `store` (the newest when empty); NotFound naming the runs it holds
// (`data_dir` names the store in the message).
absl::StatusOr<RunRecord> FindRun(Store& store, const std::string& data_dir,
                                  const std::string& run_id);

// Prints where the reports written into `out` are (census run, replay and aggregate).
void PrintReportPaths(const std::filesystem::path& out);

// census replay --data DIR [--run RUN_ID] [--rubric FILE] [--out DIR] [--reextracted]
//                [--evidence-base URL]
// census replay --data DIR --as-of DATE [--until TIME] [--sites FILE] [--rubric FILE] [--out DIR]
// census replay --data DIR [--run RUN_ID] --reextract [--lexicon FILE] [--rubric FILE] [--out DIR]
// census replay --data DIR --list
// census replay --data DIR --snapshot HASH [--out FILE]
int RunReplay(const std::vector<std::string>& args);

}  // namespace census

#endif  // CENSUS_CMD_REPLAY_COMMAND_H_
