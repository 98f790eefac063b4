// census diff OLD NEW [--json]: what changed between two census runs.
// census render-report REPORT_JSON OUT_DIR (hidden): report.json → the report files and
// the region pages (report.html, regions/*.html: what the browser test opens).

#include "cmd/diff_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "aggregator/aggregator.h"
#include "aggregator/report_diff.h"

namespace census {
namespace {

constexpr char kDiffUsage[] =
    "usage: census diff OLD_REPORT_JSON NEW_REPORT_JSON [--json]\n"
    "  Compares two census reports (report.json): sites newly failing, fixed, still\n"
    "  failing, verdict changes, vetoes and findings added and removed per site.\n"
    "  --json   print one JSON object instead of the text summary\n";

absl::StatusOr<report::CensusReport> ReadReport(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::stringstream text;
  text << in.rdbuf();
  auto report = ReportFromJson(text.str());
  if (!report.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a census report: ", report.status().message()));
  }
  return report;
}

}  // namespace

int RunDiff(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  bool json = false;
  for (const std::string& arg : args) {
    if (arg == "--json") {
      json = true;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kDiffUsage, stdout);
      return 0;
    } else if (arg.size() > 1 && arg[0] == '-') {
      std::fprintf(stderr, "census diff: unknown flag %s\n\n%s", arg.c_str(), kDiffUsage);
      return 2;
    } else {
      files.push_back(arg);
    }
  }
  if (files.size() != 2) {
    std::fprintf(stderr, "census diff: expected two report.json files\n\n%s", kDiffUsage);
    return 2;
  }
  auto old_report = ReadReport(files[0]);
  if (!old_report.ok()) {
    std::fprintf(stderr, "census diff: %s\n", std::string(old_report.status().message()).c_str());
    return 2;
  }
  auto new_report = ReadReport(files[1]);
  if (!new_report.ok()) {
    std::fprintf(stderr, "census diff: %s\n", std::string(new_report.status().message()).c_str());
    return 2;
  }
  ReportDiff diff = DiffReports(*old_report, *new_report);
  std::string out = json ? DiffToJson(diff) : DiffToText(diff);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int RunRenderReport(const std::vector<std::string>& args) {
  // REPORT_JSON OUT_DIR [--evidence-base URL]
  std::vector<std::string> operands;
  std::string evidence_base;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--evidence-base" && i + 1 < args.size()) {
      evidence_base = args[++i];
    } else {
      operands.push_back(args[i]);
    }
  }
  if (operands.size() != 2) {
    std::fputs("usage: census render-report REPORT_JSON OUT_DIR [--evidence-base URL]\n", stderr);
    return 2;
  }
  auto report = ReadReport(operands[0]);
  if (!report.ok()) {
    std::fprintf(stderr, "census render-report: %s\n",
                 std::string(report.status().message()).c_str());
    return 2;
  }
  if (!evidence_base.empty()) {
    for (report::SiteReport& site : *report->mutable_sites()) {
      SetEvidenceLinks(evidence_base, &site);
    }
  }
  // Every report file, the region pages too, through the writer census run uses.
  if (absl::Status status = WriteReports(*report, operands[1]); !status.ok()) {
    std::fprintf(stderr, "census render-report: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  const std::string path = (std::filesystem::path(operands[1]) / "report.html").string();
  std::printf("%s\n", path.c_str());
  return 0;
}

}  // namespace census
