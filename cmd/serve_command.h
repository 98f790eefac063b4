#ifndef CENSUS_CMD_SERVE_COMMAND_H_
#define CENSUS_CMD_SERVE_COMMAND_H_

// `census serve`: the read-only web UI over a census store (serve/serve.h, docs/SERVE.md).

#include <string>
#include <vector>

namespace census {

// census serve --data DIR [--listen HOST:PORT] [--threads N]
// Opens DIR's store read-only, prints "serving http://HOST:PORT/" on stdout once it
// listens, and serves until SIGTERM or SIGINT (exit 0). Exit 1 when the store cannot be
// opened or the address cannot be listened on; 2 for a usage error (usage on stderr);
// --help prints the usage on stdout and exits 0.
int RunServe(const std::vector<std::string>& args);

}  // namespace census

#endif  // CENSUS_CMD_SERVE_COMMAND_H_
