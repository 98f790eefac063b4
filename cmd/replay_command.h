#ifndef CENSUS_CMD_REPLAY_COMMAND_H_
#define CENSUS_CMD_REPLAY_COMMAND_H_

// `census replay`: a past census recomputed from the store, and stored pages shown as
// they were fetched (the evidence of a finding). Also the report step `census run` ends
// with, so that a run's report and its replay are one code path.

#include <filesystem>
#include <memory>
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

// The store a `census run --data DIR` keeps (DIR/store-0), opened read-only; NotFound
// naming DIR when it holds no census data.
absl::StatusOr<std::unique_ptr<Store>> OpenRunStore(const std::string& data_dir);

// The run `run_id` of `store` (the newest when empty); NotFound naming the runs it holds
// (`data_dir` names the store in the message).
absl::StatusOr<RunRecord> FindRun(Store& store, const std::string& data_dir,
                                  const std::string& run_id);

// Prints where the reports written into `out` are (census run, replay and aggregate).
void PrintReportPaths(const std::filesystem::path& out);

// census replay --data DIR [--run RUN_ID] [--rubric FILE] [--out DIR] [--evidence-base URL]
// census replay --data DIR --list
// census replay --data DIR --snapshot HASH [--out FILE]
int RunReplay(const std::vector<std::string>& args);

}  // namespace census

#endif  // CENSUS_CMD_REPLAY_COMMAND_H_
