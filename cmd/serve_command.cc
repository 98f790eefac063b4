#include "cmd/serve_command.h"

#include <signal.h>

#include <cstdio>
#include <memory>

#include "aggregator/aggregator.h"
#include "cmd/flags.h"
#include "cmd/replay_command.h"
#include "ops/http_server.h"
#include "ops/metrics.h"
#include "serve/serve.h"

namespace census {

namespace {

constexpr char kServeUsage[] =
    "usage: census serve --data DIR [--listen HOST:PORT] [--threads N]\n"
    "  a read-only web UI over the census store of DIR (a `census run --data DIR`):\n"
    "  runs, a run's sites and findings, a site's columns and pages, a page's versions,\n"
    "  a page as it was at a time (/web/YYYYMMDDhhmmss/URL) and the diff of two versions.\n"
    "  Reports written with --evidence-base http://HOST:PORT link their evidence here.\n"
    "  --listen   default 127.0.0.1:8080 (PORT 0: one the kernel picks, printed)\n"
    "  --threads  threads answering requests (default 4)\n"
    "  Also /metrics, /healthz and /readyz. docs/SERVE.md\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "census serve: %s\n", message.c_str());
  return 1;
}

}  // namespace

int RunServe(const std::vector<std::string>& args) {
  std::string data_dir, listen = "127.0.0.1:8080";
  int threads = 4;
  FlagSet flags;
  flags.String("--data", &data_dir);
  flags.String("--listen", &listen);
  flags.Int("--threads", 1, &threads);
  bool help = false;
  if (absl::Status st = flags.Parse(args, &help); !st.ok()) {
    std::fprintf(stderr, "census serve: %s\n\n%s", std::string(st.message()).c_str(), kServeUsage);
    return 2;
  }
  if (help) {
    std::fputs(kServeUsage, stdout);
    return 0;
  }
  if (data_dir.empty()) {
    std::fprintf(stderr, "census serve: --data is required\n\n%s", kServeUsage);
    return 2;
  }
  auto store = OpenRunStore(data_dir);
  if (!store.ok()) return Fail(std::string(store.status().message()));
  auto server = serve::ArchiveServer::Create(
      store->get(), [](const RunRecord& run) -> absl::StatusOr<AggregateOptions> {
        absl::StatusOr<Rubric> rubric = ParseRubric(run.rubric_text(), "the run's rubric");
        if (!rubric.ok()) return rubric.status();
        return AggregateOptionsForRun(run, *rubric);
      });
  if (!server.ok()) return Fail(std::string(server.status().message()));

  // SIGTERM and SIGINT are taken by sigwait below: blocked before the server's threads
  // start, so they inherit the mask and the main thread alone receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  MetricsRegistry registry;
  OpsHttpServerOptions options;
  const serve::ArchiveServer* app = server->get();
  options.handler = [app](const HttpRequest& request) { return app->Handle(request); };
  options.threads = static_cast<unsigned int>(threads);
  options.connection_limit = 256;
  auto http = OpsHttpServer::Start(listen, &registry, nullptr, std::move(options));
  if (!http.ok()) return Fail(std::string(http.status().message()));
  const std::string host = listen.substr(0, listen.rfind(':'));
  std::printf("serving http://%s:%d/\n", host.c_str(), (*http)->port());
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  std::fprintf(stderr, "census serve: stopping (signal %d)\n", signal_number);
  return 0;
}

}  // namespace census
