#ifndef CENSUS_CMD_DIFF_COMMAND_H_
#define CENSUS_CMD_DIFF_COMMAND_H_

// `census diff OLD NEW [--json]` and the hidden `census render-report REPORT_JSON OUT_DIR`.

#include <string>
#include <vector>

namespace census {

// Compares two report.json files; prints the summary (or JSON with --json) to stdout.
// Exit status 0 when both reports were read, 2 on bad usage or an unreadable report.
int RunDiff(const std::vector<std::string>& args);

// Reads report.json and writes the report files into OUT_DIR as census run does
// (report.html and regions/*.html: the browser test's fixture path); prints report.html's path.
int RunRenderReport(const std::vector<std::string>& args);

}  // namespace census

#endif  // CENSUS_CMD_DIFF_COMMAND_H_
