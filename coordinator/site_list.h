#ifndef CENSUS_COORDINATOR_SITE_LIST_H_
#define CENSUS_COORDINATOR_SITE_LIST_H_

// Reading the census inputs, sites.csv and columns.csv (DESIGN.md "Input files").
// A bad row is reported with file, line and reason and skipped; the rest still runs.
// Only an unreadable file or a missing header is an error of the whole file.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "proto/census.pb.h"
#include "proto/report.pb.h"

namespace census {

struct SiteList {
  std::vector<Site> sites;
  std::vector<report::InputError> errors;
};

struct ColumnList {
  absl::flat_hash_map<std::string, std::vector<Column>> by_site;  // site_id → columns
  std::vector<report::InputError> errors;
};

// RFC 4180 CSV: quoted fields with "" escapes, CRLF or LF, optional UTF-8 BOM.
// `line_numbers` receives the 1-based line each record starts on.
std::vector<std::vector<std::string>> ParseCsv(absl::string_view text,
                                               std::vector<int>* line_numbers);

absl::StatusOr<SiteList> ReadSitesCsv(const std::string& path);
absl::StatusOr<SiteList> ParseSitesCsv(absl::string_view text, const std::string& file_name);

// Rows naming a site_id not in `known_sites` are reported and skipped.
absl::StatusOr<ColumnList> ReadColumnsCsv(const std::string& path, const SiteList& known_sites);
absl::StatusOr<ColumnList> ParseColumnsCsv(absl::string_view text, const std::string& file_name,
                                           const SiteList& known_sites);

// True for an absolute http(s) URL with a host; sets *reason otherwise.
bool IsValidHttpUrl(absl::string_view url, std::string* reason);

}  // namespace census

#endif  // CENSUS_COORDINATOR_SITE_LIST_H_
