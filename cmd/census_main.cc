// census: one binary, a subcommand per role (DESIGN.md "Command line").
#include <cstdio>
#include <string>
#include <vector>

#include "cmd/cluster_commands.h"
#include "cmd/compact_command.h"
#include "cmd/diff_command.h"
#include "cmd/keygen_command.h"
#include "cmd/replay_command.h"
#include "cmd/report_command.h"
#include "cmd/run_command.h"
#include "cmd/serve_command.h"
#include "cmd/warc_command.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(census::kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "run") {
    auto config = census::ParseRunArgs(args);
    if (!config.ok()) {
      std::fprintf(stderr, "census run: %s\n\n%s", std::string(config.status().message()).c_str(),
                   census::kUsage);
      return 2;
    }
    return census::RunCensus(*config);
  }
  if (command == "extract") return census::RunExtract(args);
  if (command == "diff") return census::RunDiff(args);
  if (command == "replay") return census::RunReplay(args);
  if (command == "report") return census::RunReportCommand(args);
  if (command == "serve") return census::RunServe(args);
  if (command == "export-warc") return census::RunExportWarc(args);
  if (command == "import-warc") return census::RunImportWarc(args);
  if (command == "compact") return census::RunCompact(args);
  if (command == "keygen") return census::RunKeygen(args);
  if (command == "render-report") return census::RunRenderReport(args);  // hidden: tests
  if (command == "coordinator") return census::RunCoordinatorCommand(args);
  if (command == "worker") return census::RunWorkerCommand(args);
  if (command == "store") return census::RunStoreCommand(args);
  if (command == "aggregate") return census::RunAggregateCommand(args);
  if (command == "status") return census::RunStatusCommand(args);
  std::fprintf(stderr, "census: unknown command '%s'\n\n%s", command.c_str(), census::kUsage);
  return 2;
}
