// report.json (whole, and in the pieces ReportWriter streams) and merging shard reports.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "aggregator/aggregator.h"
#include "aggregator/internal/report_parts.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace census {

namespace {

google::protobuf::util::JsonPrintOptions PrintOptions() {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.add_whitespace = true;
  return options;
}

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message) {
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, PrintOptions());
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("report to JSON: ", status.ToString()));
  }
  return json;
}

// `json` as protobuf prints it alone ("{\n" ... "}\n", one space an indent level), as it
// stands nested: every line but the first indented by `indent`, no final newline. Only
// structure breaks lines (JSON strings escape their newlines), so this is exact.
std::string Nest(absl::string_view json, absl::string_view indent) {
  if (absl::EndsWith(json, "\n")) json.remove_suffix(1);
  return absl::StrReplaceAll(json, {{"\n", absl::StrCat("\n", indent)}});
}

}  // namespace

absl::StatusOr<std::string> ReportToJson(const report::CensusReport& report) {
  return ToJson(report);
}

namespace report_parts {

absl::StatusOr<std::string> JsonHead(const report::CensusSummary& census) {
  ASSIGN_OR_RETURN(std::string json, ToJson(census));
  return absl::StrCat("{\n \"census\": ", Nest(json, " "), ",\n \"sites\": [");
}

absl::StatusOr<std::string> JsonSite(const report::SiteReport& site, bool first) {
  ASSIGN_OR_RETURN(std::string json, ToJson(site));
  return absl::StrCat(first ? "\n  " : ",\n  ", Nest(json, "  "));
}

std::string JsonTail(bool any_site) { return any_site ? "\n ]\n}\n" : "]\n}\n"; }

}  // namespace report_parts

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

}  // namespace census
