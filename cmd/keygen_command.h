#ifndef CENSUS_CMD_KEYGEN_COMMAND_H_
#define CENSUS_CMD_KEYGEN_COMMAND_H_

// `census keygen`: a CURVE key pair for one host's Census role (common/wire_security.h).

#include <string>
#include <vector>

namespace census {

// census keygen --out PREFIX
// Writes PREFIX.key (secret, mode 0600) and PREFIX.pub and prints the public key. Exit 0
// on success, 1 when the files exist or cannot be written (nothing is overwritten), 2 for
// a usage error (usage on stderr); --help prints usage on stdout and exits 0.
int RunKeygen(const std::vector<std::string>& args);

}  // namespace census

#endif  // CENSUS_CMD_KEYGEN_COMMAND_H_
