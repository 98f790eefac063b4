// report.json (whole, and in the pieces ReportWriter streams) and merging shard reports.

#include <algorithm>
#include <cstring>
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

// The sites come first and the census summary last: a writer streaming the sites knows
// the summary only after the last of them, and so writes every byte once (docs/REPORT.md).
// Each member's text is protobuf's JSON mapping (tested against MessageToJsonString): a
// site on one line, as report.jsonl holds it (a site's object is tens of KB; indenting it
// made a national report.json 1.6 GB larger and cost a second pass over every byte to
// make the jsonl line), the census summary indented.
absl::StatusOr<std::string> ReportToJson(const report::CensusReport& report) {
  std::string json = report_parts::JsonHead();
  for (int i = 0; i < report.sites_size(); ++i) {
    ASSIGN_OR_RETURN(std::string site, report_parts::JsonSite(report.sites(i), i == 0));
    json.append(site);
  }
  ASSIGN_OR_RETURN(std::string tail,
                   report_parts::JsonTail(report.has_census() ? &report.census() : nullptr,
                                          report.sites_size() > 0));
  json.append(tail);
  return json;
}

namespace report_parts {

// The sites and the census are printed nested in place: the whole report's bytes.
std::string JsonHead() { return "{\n \"sites\": ["; }

absl::StatusOr<std::string> JsonSite(const report::SiteReport& site, bool first) {
  std::string json;
  RETURN_IF_ERROR(AppendJsonSite(site, first, &json));
  return json;
}

const char* JsonSiteSeparator(bool first) { return first ? "\n  " : ",\n  "; }

absl::Status AppendJsonSite(const report::SiteReport& site, bool first, std::string* json) {
  const size_t mark = json->size();
  json->append(JsonSiteSeparator(first));
  absl::Status status = AppendMessageJsonLine(site, json);
  if (!status.ok()) json->resize(mark);
  return status;
}

absl::Status AppendJsonSiteLine(const report::SiteReport& site, std::string* line) {
  RETURN_IF_ERROR(AppendMessageJsonLine(site, line));
  line->push_back('\n');
  return absl::OkStatus();
}

absl::StatusOr<std::string> JsonTail(const report::CensusSummary* census, bool any_site) {
  std::string json = any_site ? "\n ]" : "]";
  if (census != nullptr) {
    json.append(",\n \"census\": ");
    RETURN_IF_ERROR(AppendMessageJson(*census, 1, &json));
  }
  json.append("\n}\n");
  return json;
}

std::string JsonLine(absl::string_view json_site) {
  std::string line;
  AppendJsonLine(json_site, &line);
  return line;
}

void AppendJsonLine(absl::string_view json_site, std::string* line) {
  // Whitespace between tokens goes; inside strings every byte stays (the printer escapes
  // control characters, so a string holds no raw newline). Written here: the site's text
  // is already the exact JSON report.json holds, and re-printing it through a parser
  // could change its numbers' spelling. Strings and runs of other tokens are copied
  // whole (memchr to a string's end): this runs over every byte of report.json.
  line->reserve(line->size() + json_site.size() + 1);
  const char* p = json_site.data();
  const char* const end = p + json_site.size();
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (p < end && (is_space(*p) || *p == ',')) ++p;  // the separator before a later site
  while (p < end) {
    if (is_space(*p)) {
      ++p;
      continue;
    }
    const char* q = p;
    if (*p == '"') {
      // To the closing quote: the first '"' after an even run of backslashes.
      ++q;
      while (true) {
        q = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end - q)));
        if (q == nullptr) {
          q = end;
          break;
        }
        const char* b = q;
        while (b[-1] == '\\') --b;
        ++q;
        if ((q - 1 - b) % 2 == 0) break;
      }
    } else {
      while (q < end && !is_space(*q) && *q != '"') ++q;
    }
    line->append(p, q);
    p = q;
  }
  line->push_back('\n');
}

}  // namespace report_parts

absl::StatusOr<std::string> SiteToJsonLine(const report::SiteReport& site) {
  std::string line;
  RETURN_IF_ERROR(report_parts::AppendJsonSiteLine(site, &line));
  return line;
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
