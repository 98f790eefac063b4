#ifndef CENSUS_CMD_REEXTRACT_H_
#define CENSUS_CMD_REEXTRACT_H_

// `census replay --reextract`: today's extractor over a stored run's page bodies,
// without fetching (docs/STORAGE.md "Re-extraction", docs/REPORT.md).

#include <string>

#include "absl/status/statusor.h"
#include "proto/census.pb.h"
#include "storage/store.h"
#include "worker/content_scan.h"

namespace census {

// What re-extracting one site did.
struct SiteReextraction {
  int pages = 0;    // observations re-extracted
  int changed = 0;  // of which came out different (stored by PutReextracted)
  int kept = 0;     // observations that cannot be made again from the stored body
};

// Re-extracts every observation of `site_id` that the replay of `run` reads (fetched
// at or before run.finished_ms) from its stored body with today's extractor
// (ExtractPage + ObservePage, kExtractorVersion), and stores those that come out
// different with PutReextracted, marking the site done for the run. A page whose
// observation holds more than its stored body shows (later list pages, a data URL's or
// a rendered page's items) or whose body is not stored is kept as it was. Year-less
// dates resolve against the as_of of the run whose window holds the fetch (`runs`),
// else the census day of the fetch.
absl::StatusOr<SiteReextraction> ReextractSite(Store& store, const RunRecord& run,
                                               const std::vector<RunRecord>& runs,
                                               const std::string& site_id,
                                               const LexiconScanner* scanner);

// census replay --data DIR [--run RUN_ID] --reextract [--lexicon FILE] [--rubric FILE]
// [--out DIR]; `limit` > 0 stops after that many sites (a test of resuming): exit 3.
int Reextract(const std::string& data_dir, const std::string& run_id,
              const std::string& rubric_file, const std::string& lexicon_file,
              const std::string& out_dir, int limit);

}  // namespace census

#endif  // CENSUS_CMD_REEXTRACT_H_
