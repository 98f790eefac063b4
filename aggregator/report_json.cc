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
#include "absl/strings/str_cat.h"
#include "aggregator/aggregator.h"
#include "aggregator/internal/json_printer.h"
#include "aggregator/internal/report_parts.h"
#include "common/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace census {

// report.json is printed by report_parts::MessageToJson (aggregator/internal/json_printer.h),
// a hand-written printer: protobuf's MessageToJsonString with these options
// (always_print_primitive_fields) is slow, ~22 MB/s, and report.json is protobuf's JSON
// mapping of the report protos, which that printer reproduces byte for byte.

absl::StatusOr<std::string> ReportToJson(const report::CensusReport& report) {
  return report_parts::MessageToJson(report);
}

namespace report_parts {

// The census and the sites are printed nested in place: the whole report's bytes.
absl::StatusOr<std::string> JsonHead(const report::CensusSummary& census) {
  std::string json = "{\n \"census\": ";
  RETURN_IF_ERROR(AppendMessageJson(census, 1, &json));
  json.append(",\n \"sites\": [");
  return json;
}

absl::StatusOr<std::string> JsonSite(const report::SiteReport& site, bool first) {
  std::string json = first ? "\n  " : ",\n  ";
  RETURN_IF_ERROR(AppendMessageJson(site, 2, &json));
  return json;
}

std::string JsonTail(bool any_site) { return any_site ? "\n ]\n}\n" : "]\n}\n"; }

std::string JsonLine(absl::string_view json_site) {
  // Whitespace between tokens goes; inside strings every byte stays (the printer escapes
  // control characters, so a string holds no raw newline). Written here: the site's text
  // is already the exact JSON report.json holds, and re-printing it through a parser
  // could change its numbers' spelling.
  std::string line;
  line.reserve(json_site.size());
  bool in_string = false, escaped = false, started = false;
  for (char c : json_site) {
    if (in_string) {
      line.push_back(c);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (!started && c == ',') continue;  // the separator before a site that is not the first
    started = true;
    if (c == '"') in_string = true;
    line.push_back(c);
  }
  line.push_back('\n');
  return line;
}

}  // namespace report_parts

absl::StatusOr<std::string> SiteToJsonLine(const report::SiteReport& site) {
  ASSIGN_OR_RETURN(std::string json, report_parts::JsonSite(site, /*first=*/true));
  return report_parts::JsonLine(json);
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

}  // namespace census
