#ifndef CENSUS_CMD_REPORT_COMMAND_H_
#define CENSUS_CMD_REPORT_COMMAND_H_

// `census report`: one site's or one region's findings of a stored run, printed without
// writing a national report (a province asks about its own sites).

#include <string>
#include <vector>

namespace census {

extern const char kReportUsage[];

// census report --data DIR --run RUN_ID (--site SITE_ID | --region REGION) [--json]
// Exit status: 0 printed, 1 no such run / site / region (the message names those that
// exist) or the store failed, 2 a usage error (usage on stderr).
int RunReportCommand(const std::vector<std::string>& args);

}  // namespace census

#endif  // CENSUS_CMD_REPORT_COMMAND_H_
