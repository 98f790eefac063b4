// report.json, merging shard reports, and writing the three report files.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "aggregator/aggregator.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace census {

absl::StatusOr<std::string> ReportToJson(const report::CensusReport& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.add_whitespace = true;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(report, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("report to JSON: ", status.ToString()));
  }
  return json;
}

absl::StatusOr<report::CensusReport> ReportFromJson(const std::string& json) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  report::CensusReport report;
  auto status = google::protobuf::util::JsonStringToMessage(json, &report, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("report.json: ", status.ToString()));
  }
  return report;
}

report::CensusReport MergeReports(const std::vector<report::CensusReport>& reports) {
  report::CensusReport merged;
  report::CensusSummary* census = merged.mutable_census();
  std::set<std::tuple<std::string, int, std::string>> errors_seen;
  bool first = true;
  for (const report::CensusReport& part : reports) {
    const report::CensusSummary& in = part.census();
    if (first) {
      census->set_as_of(in.as_of());
      census->set_rubric(in.rubric());
      census->set_started(in.started());
      census->set_finished(in.finished());
      first = false;
    } else {
      // RFC 3339 in one fixed offset: string order is time order.
      if (!in.started().empty() &&
          (census->started().empty() || in.started() < census->started())) {
        census->set_started(in.started());
      }
      if (in.finished() > census->finished()) census->set_finished(in.finished());
    }
    census->set_sites(census->sites() + in.sites());
    census->set_failed(census->failed() + in.failed());
    census->set_passed(census->passed() + in.passed());
    census->set_unreachable(census->unreachable() + in.unreachable());
    census->set_pages_fetched(census->pages_fetched() + in.pages_fetched());
    for (const report::InputError& error : in.input_errors()) {
      if (errors_seen.emplace(error.file(), error.line(), error.reason()).second) {
        *census->add_input_errors() = error;
      }
    }
    for (const report::SiteReport& site : part.sites()) *merged.add_sites() = site;
  }
  std::stable_sort(merged.mutable_sites()->begin(), merged.mutable_sites()->end(),
                   [](const report::SiteReport& a, const report::SiteReport& b) {
                     return a.site_id() < b.site_id();
                   });
  return merged;
}

namespace {

absl::Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::UnavailableError(absl::StrCat("cannot open ", path.string()));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return absl::DataLossError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteReports(const report::CensusReport& report, const std::string& out_dir) {
  std::filesystem::path dir(out_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(dir.string(), " is not a directory"));
  }
  ASSIGN_OR_RETURN(std::string json, ReportToJson(report));
  RETURN_IF_ERROR(WriteFile(dir / "report.json", json));
  RETURN_IF_ERROR(WriteFile(dir / "report.csv", ReportToCsv(report)));
  RETURN_IF_ERROR(WriteFile(dir / "report.html", ReportToHtml(report)));
  return absl::OkStatus();
}

}  // namespace census
