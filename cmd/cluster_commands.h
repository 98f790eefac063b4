#ifndef CENSUS_CMD_CLUSTER_COMMANDS_H_
#define CENSUS_CMD_CLUSTER_COMMANDS_H_

// The roles as processes of their own (docs/PROTOCOL.md "The cluster"): the same code
// as `census run`, only the endpoints change.
//   census coordinator --listen tcp://HOST:PORT --data DIR --sites FILE --stores LIST ...
//   census worker --coordinator tcp://... --stores tcp://...,tcp://... ...
//   census store --listen tcp://... --data DIR --shard I/K ...
//   census aggregate --stores LIST --run ID --out DIR
//   census status --coordinator tcp://... [--json]
// Each returns the process's exit status (0 done, 1 failure, 2 usage).

#include <string>
#include <vector>

namespace census {

int RunCoordinatorCommand(const std::vector<std::string>& args);
int RunWorkerCommand(const std::vector<std::string>& args);
int RunStoreCommand(const std::vector<std::string>& args);
int RunAggregateCommand(const std::vector<std::string>& args);
int RunStatusCommand(const std::vector<std::string>& args);

}  // namespace census

#endif  // CENSUS_CMD_CLUSTER_COMMANDS_H_
