#ifndef CENSUS_CMD_COMPACT_COMMAND_H_
#define CENSUS_CMD_COMPACT_COMMAND_H_

// `census compact`: retention over a `census run` store (docs/STORAGE.md "Retention").

#include <string>
#include <vector>

namespace census {

// census compact --data DIR [--keep-versions N] [--keep-days D] [--quiet]
int RunCompact(const std::vector<std::string>& args);

}  // namespace census

#endif  // CENSUS_CMD_COMPACT_COMMAND_H_
