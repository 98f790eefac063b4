#include "cmd/cluster_commands.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "aggregator/aggregator.h"
#include "cmd/cluster_security.h"
#include "cmd/flags.h"
#include "cmd/replay_command.h"
#include "cmd/run_command.h"
#include "common/content_hash.h"
#include "common/fetch_error.h"
#include "common/shard.h"
#include "common/status_macros.h"
#include "common/wire.h"
#include "coordinator/coordinator.h"
#include "coordinator/site_list.h"
#include "google/protobuf/util/json_util.h"
#include "storage/store.h"
#include "storage/store_server.h"
#include "worker/content_scan.h"
#include "worker/worker.h"

namespace census {
namespace {

// SIGTERM / SIGINT: the roles end cleanly (a worker drains, servers stop).
std::atomic<int> g_signal{0};

void OnSignal(int sig) { g_signal.store(sig); }

// Installs the handlers and blocks the two signals in this thread, so every thread
// started from here on (ZeroMQ's I/O threads, the role's own, libcurl's resolver
// threads) inherits the block: a signal landing in a fetching thread would interrupt
// its system calls (a probe in flight failed with OTHER_ERROR when a worker was given
// SIGTERM). The main thread takes them once its threads run: AcceptSignals().
void InstallSignalHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void AcceptSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

int Usage(const char* usage, const std::string& command, const absl::Status& error) {
  std::fprintf(stderr, "census %s: %s\n\n%s", command.c_str(), std::string(error.message()).c_str(),
               usage);
  return 2;
}

int Fail(const std::string& command, const absl::Status& error) {
  std::fprintf(stderr, "census %s: %s\n", command.c_str(), std::string(error.message()).c_str());
  return 1;
}

// Waits up to `timeout` for a message on `socket`.
bool WaitReadable(zmq::socket_t& socket, absl::Duration timeout) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  try {
    zmq::poll(&item, 1, std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  } catch (const zmq::error_t&) {
    return false;
  }
  return (item.revents & ZMQ_POLLIN) != 0;
}

// ------------------------------------------------------------------ coordinator

constexpr char kCoordinatorUsage[] =
    "usage: census coordinator --listen tcp://HOST:PORT --data DIR --sites FILE\n"
    "                          --stores tcp://HOST:PORT[,...] [--columns FILE]\n"
    "                          [--as-of YYYY-MM-DD|now] [--probes N] [--probe-interval D]\n"
    "                          [--ipv6-probes N] [--https-check on|off]\n"
    "                          [--max-pages-per-site N] [--max-list-pages N] [--no-robots]\n"
    "                          [--lease-timeout D] [--host-leases N] [--rubric FILE]\n"
    "                          [--new-census] [--linger D] [--metrics HOST:PORT] [--quiet]\n"
    "                          SECURITY\n"
    "  Owns the census's registry, schedule and leases (durable in DIR: a coordinator\n"
    "  started again on the same DIR goes on with the unfinished census). When every\n"
    "  site is done it records the run on every store shard (--stores, shard i at\n"
    "  position i), answers the workers Shutdown for --linger (default 5s) and exits "
    "0.\n" SECURITY_USAGE;

int CoordinatorCommand(const std::vector<std::string>& args) {
  std::string listen, data_dir, sites_file, columns_file, as_of = "now", rubric_file, metrics;
  std::vector<std::string> stores;
  int probes = 20, max_pages = 2000, max_list_pages = 3, host_leases = 2, ipv6_probes = 3;
  std::string https_check = "on";
  absl::Duration probe_interval = absl::Seconds(30), lease_timeout = absl::Minutes(5),
                 linger = absl::Seconds(5);
  bool no_robots = false, new_census = false, quiet = false, help = false;
  SecurityFlags security;
  FlagSet flags;
  flags.String("--listen", &listen);
  flags.String("--data", &data_dir);
  flags.String("--sites", &sites_file);
  flags.String("--columns", &columns_file);
  flags.List("--stores", &stores);
  flags.String("--as-of", &as_of);
  flags.Int("--probes", 0, &probes);
  flags.Duration("--probe-interval", &probe_interval);
  flags.Int("--ipv6-probes", 0, &ipv6_probes);
  flags.String("--https-check", &https_check);
  flags.Int("--max-pages-per-site", 1, &max_pages);
  flags.Int("--max-list-pages", 1, &max_list_pages);
  flags.Bool("--no-robots", &no_robots);
  flags.Duration("--lease-timeout", &lease_timeout);
  flags.Int("--host-leases", 1, &host_leases);
  flags.String("--rubric", &rubric_file);
  flags.Bool("--new-census", &new_census);
  flags.Duration("--linger", &linger);
  flags.String("--metrics", &metrics);
  flags.Bool("--quiet", &quiet);
  security.Register(flags);
  const std::string cmd = "coordinator";
  if (auto st = flags.Parse(args, &help); !st.ok()) return Usage(kCoordinatorUsage, cmd, st);
  if (https_check != "on" && https_check != "off") {
    return Usage(
        kCoordinatorUsage, cmd,
        absl::InvalidArgumentError("--https-check wants on or off, not '" + https_check + "'"));
  }
  if (help) {
    std::fputs(kCoordinatorUsage, stdout);
    return 0;
  }
  if (listen.empty() || data_dir.empty() || sites_file.empty() || stores.empty()) {
    return Usage(kCoordinatorUsage, cmd,
                 absl::InvalidArgumentError("--listen, --data, --sites and --stores are required"));
  }
  absl::CivilDay day = ToCensusDay(absl::Now());
  if (as_of != "now" && !ParseCivilDay(as_of, &day)) {
    return Usage(
        kCoordinatorUsage, cmd,
        absl::InvalidArgumentError("--as-of wants YYYY-MM-DD or now, not '" + as_of + "'"));
  }
  Rubric rubric = DefaultRubric();
  if (!rubric_file.empty()) {
    auto loaded = LoadRubricFile(rubric_file);
    if (!loaded.ok()) return Usage(kCoordinatorUsage, cmd, loaded.status());
    rubric = *std::move(loaded);
  }
  auto sites = ReadSitesCsv(sites_file);
  if (!sites.ok()) return Fail(cmd, sites.status());
  std::vector<report::InputError> input_errors = sites->errors;
  ColumnList columns;
  std::string digest_input;
  if (auto bytes = ReadInputFile(sites_file); bytes.ok()) digest_input += *bytes;
  if (!columns_file.empty()) {
    auto cols = ReadColumnsCsv(columns_file, *sites);
    if (!cols.ok()) return Fail(cmd, cols.status());
    columns = std::move(*cols);
    input_errors.insert(input_errors.end(), columns.errors.begin(), columns.errors.end());
    if (auto bytes = ReadInputFile(columns_file); bytes.ok()) digest_input += "\n--\n" + *bytes;
  }
  for (const auto& e : input_errors) {
    std::fprintf(stderr, "%s:%d: %s (row skipped)\n", e.file().c_str(), e.line(),
                 e.reason().c_str());
  }
  if (sites->sites.empty()) {
    return Fail(cmd, absl::InvalidArgumentError(sites_file + " lists no usable site"));
  }

  InstallSignalHandlers();
  zmq::context_t context;
  auto secure = ServerSecurity(context, security, cmd);
  if (!secure.ok()) return Fail(cmd, secure.status());
  auto client_secure = ClientSecurity(security, cmd);
  if (!client_secure.ok()) return Fail(cmd, client_secure.status());

  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  CoordinatorOptions options;
  options.data_dir = (std::filesystem::path(data_dir) / "coordinator").string();
  options.as_of = FormatCivilDay(day);
  options.probes = probes;
  options.probe_interval = probe_interval;
  options.ipv6_probes = ipv6_probes;
  options.https_check = https_check == "on";
  options.max_pages_per_site = max_pages;
  options.max_list_pages = max_list_pages;
  options.respect_robots = !no_robots;
  options.lease_timeout = lease_timeout;
  options.max_leases_per_host = host_leases;
  options.run_id = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  options.sites_digest = ContentHash(digest_input);
  options.secure = secure->socket_fn;
  Coordinator coordinator(context, listen, options);
  if (auto st = coordinator.Start(); !st.ok()) return Fail(cmd, st);
  bool resumed = false;
  if (!new_census) {
    auto r = coordinator.Resume(options.sites_digest);
    if (!r.ok()) return Fail(cmd, r.status());
    resumed = *r;
  }
  if (!resumed) {
    if (auto st = coordinator.AddSites(sites->sites, columns.by_site); !st.ok()) {
      return Fail(cmd, st);
    }
  }
  CensusMeta meta = coordinator.meta();
  std::fprintf(stderr, "census coordinator: %s census %s (as of %s, %d sites) on %s\n",
               resumed ? "going on with" : "started", meta.run_id().c_str(), meta.as_of().c_str(),
               meta.sites(), coordinator.endpoint().c_str());
  auto ops = StartOps(metrics, cmd, [&] { return true; });
  if (!ops.ok()) return Fail(cmd, ops.status());
  if (*ops != nullptr) {
    MetricsRegistry& m = (*ops)->registry();
    m.AddGaugeCallback("census_sites", "Sites in the census.", {},
                       [&] { return coordinator.progress().sites_total; });
    m.AddGaugeCallback("census_sites_done", "Sites whose work is all done.", {},
                       [&] { return coordinator.progress().sites_done; });
    m.AddGaugeCallback("census_leases_out", "Leases handed out and not yet done.", {},
                       [&] { return static_cast<double>(coordinator.progress().leases_out); });
    m.AddGaugeCallback("census_queued_tasks", "Crawl tasks waiting (leased ones included).", {},
                       [&] { return static_cast<double>(coordinator.progress().queued_tasks); });
    m.AddGaugeCallback("census_pages_fetched", "Pages fetched in leases done.", {},
                       [&] { return static_cast<double>(coordinator.progress().pages_fetched); });
    m.AddGaugeCallback("census_fetch_errors", "Failed fetches in leases done.", {},
                       [&] { return static_cast<double>(coordinator.progress().errors); });
    m.AddGaugeCallback("census_leases_expired", "Leases that passed their deadline.", {},
                       [&] { return static_cast<double>(coordinator.progress().leases_expired); });
    m.AddGaugeCallback("census_wire_dropped_messages", "Messages dropped from the wire.", {}, [&] {
      return static_cast<double>(coordinator.drops().malformed() +
                                 coordinator.drops().wrong_version());
    });
    // Failed fetches by kind (every kind listed, zeros included, so a dashboard's
    // series exist from the start).
    for (int e = FetchError_MIN + 1; e <= FetchError_MAX; ++e) {
      if (!FetchError_IsValid(e)) continue;
      const std::string kind = FetchErrorName(static_cast<FetchError>(e));
      m.AddGaugeCallback("census_fetch_errors_by_kind", "Failed fetches in leases done, by kind.",
                         {{"kind", kind}}, [&coordinator, kind] {
                           return static_cast<double>(coordinator.ErrorsOfKind(kind));
                         });
    }
  }

  absl::Status serve_status;
  std::thread serving([&] { serve_status = coordinator.Serve(); });
  // The run is recorded on every store shard once the census is complete.
  std::vector<std::unique_ptr<zmq::socket_t>> store_sockets;
  for (const std::string& endpoint : stores) {
    auto socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
    (void)ConfigureSocket(*socket, kStoreMaxMessage);
    if (client_secure->socket_fn) (void)client_secure->socket_fn(*socket);
    socket->connect(endpoint);
    store_sockets.push_back(std::move(socket));
  }
  AcceptSignals();
  int status = 0;
  absl::Time last_print = absl::InfinitePast();
  absl::Time recorded_at = absl::InfiniteFuture();
  if (meta.run_recorded()) recorded_at = absl::Now();
  while (g_signal.load() == 0) {
    CoordinatorProgress p = coordinator.progress();
    if (!quiet && absl::Now() - last_print >= absl::Seconds(2)) {
      last_print = absl::Now();
      std::fprintf(stderr,
                   "census coordinator: sites %d/%d done, %lld pages, %lld errors, %lld leases "
                   "out, %lld expired\n",
                   p.sites_done, p.sites_total, static_cast<long long>(p.pages_fetched),
                   static_cast<long long>(p.errors), static_cast<long long>(p.leases_out),
                   static_cast<long long>(p.leases_expired));
    }
    if (p.complete && recorded_at == absl::InfiniteFuture()) {
      RunRecord run;
      run.set_run_id(meta.run_id());
      run.set_started_ms(meta.started_ms());
      run.set_finished_ms(meta.finished_ms() > 0 ? meta.finished_ms()
                                                 : absl::ToUnixMillis(absl::Now()));
      run.set_as_of(meta.as_of());
      run.set_sites(static_cast<int>(sites->sites.size()));
      for (const Site& site : sites->sites) run.add_site_ids(site.site_id());
      run.set_pages_fetched(p.pages_fetched);
      run.set_rubric_text(rubric.text);
      for (const report::InputError& e : input_errors) *run.add_input_errors() = e;
      // Every shard must ack; unanswered ones are asked again (a shard restarting).
      std::vector<bool> acked(store_sockets.size(), false);
      size_t remaining = store_sockets.size();
      while (remaining > 0 && g_signal.load() == 0) {
        ToStore request;
        *request.mutable_put_run() = run;
        for (size_t i = 0; i < store_sockets.size(); ++i) {
          if (!acked[i]) (void)SendToRouter(*store_sockets[i], request);
        }
        absl::Time deadline = absl::Now() + absl::Seconds(5);
        while (remaining > 0 && absl::Now() < deadline && g_signal.load() == 0) {
          for (size_t i = 0; i < store_sockets.size(); ++i) {
            if (acked[i] || !WaitReadable(*store_sockets[i], absl::Milliseconds(20))) continue;
            FromStore reply;
            if (!ReceiveFromRouter(*store_sockets[i], &reply).ok() || !reply.has_ack() ||
                reply.ack().run_id() != run.run_id()) {
              continue;
            }
            if (!reply.ack().ok()) {
              std::fprintf(stderr, "census coordinator: store %s: %s\n", stores[i].c_str(),
                           reply.ack().error().c_str());
              continue;
            }
            acked[i] = true;
            --remaining;
          }
        }
      }
      if (remaining > 0) break;  // signalled
      if (auto st = coordinator.MarkRunRecorded(run.finished_ms()); !st.ok()) {
        status = Fail(cmd, st);
        break;
      }
      recorded_at = absl::Now();
      std::printf("census %s complete: %d sites, %lld pages fetched\n", run.run_id().c_str(),
                  run.sites(), static_cast<long long>(run.pages_fetched()));
      std::printf("report: census aggregate --stores %s --run %s --out DIR\n",
                  absl::StrJoin(stores, ",").c_str(), run.run_id().c_str());
      std::fflush(stdout);
    }
    if (absl::Now() - recorded_at >= linger) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  coordinator.Stop();
  serving.join();
  if (!serve_status.ok()) return Fail(cmd, serve_status);
  return status;
}

// ------------------------------------------------------------------ worker

constexpr char kWorkerUsage[] =
    "usage: census worker --coordinator tcp://HOST:PORT --stores tcp://HOST:PORT[,...]\n"
    "                     [--id NAME] [--threads N] [--max-leases N] [--probe-timeout D]\n"
    "                     [--page-timeout D]\n"
    "                     [--host-delay D] [--host-connections N] [--recheck-delay D]\n"
    "                     [--connect-to HOST:PORT:CONNECT_HOST:CONNECT_PORT]...\n"
    "                     [--allow-private] [--ca-file PEM] [--lexicon FILE] [--drain D] [--stay]\n"
    "                     [--render auto|off] [--chromium PATH] [--render-timeout D]\n"
    "                     [--metrics HOST:PORT] SECURITY\n"
    "  Stateless: asks the coordinator for leases, fetches, writes each lease's results\n"
    "  to its site's store shard (--stores in shard order) and reports it done once every\n"
    "  shard acked. Reconnects when the coordinator or a store restarts. On SIGTERM it\n"
    "  finishes its leases for up to --drain (default 20s), hands back the rest and exits\n"
    "  0; it exits 0 as well when the coordinator says the census is complete. --threads N\n"
    "  runs N workers in the process (default 1; one a core: extraction is "
    "CPU-bound). A column page that shows no dated item and has a script is rendered\n"
    "  once in headless Chromium (--render auto, the default, when it is installed); with\n"
    "  no renderer such a column is reported unverified-blank.\n" SECURITY_USAGE;

int WorkerCommand(const std::vector<std::string>& args) {
  std::string coordinator, id, lexicon_file, metrics, render = "auto", chromium, ca_file;
  std::vector<std::string> stores, connect_to;
  int max_leases = 32, host_connections = 4, threads = 1;
  absl::Duration probe_timeout = absl::Seconds(15), page_timeout = absl::Seconds(30),
                 host_delay = absl::Milliseconds(50), recheck_delay = absl::Seconds(2),
                 drain = absl::Seconds(20), render_timeout = absl::Seconds(8);
  bool allow_private = false, stay = false, help = false;
  SecurityFlags security;
  FlagSet flags;
  flags.String("--coordinator", &coordinator);
  flags.Bool("--stay", &stay);
  flags.List("--stores", &stores);
  flags.String("--id", &id);
  flags.Int("--max-leases", 1, &max_leases);
  flags.Int("--threads", 1, &threads);
  flags.Duration("--probe-timeout", &probe_timeout);
  flags.Duration("--page-timeout", &page_timeout);
  flags.Duration("--host-delay", &host_delay);
  flags.Int("--host-connections", 1, &host_connections);
  flags.Duration("--recheck-delay", &recheck_delay);
  flags.List("--connect-to", &connect_to);
  flags.Bool("--allow-private", &allow_private);
  flags.String("--ca-file", &ca_file);
  flags.String("--lexicon", &lexicon_file);
  flags.Duration("--drain", &drain);
  flags.String("--metrics", &metrics);
  flags.String("--render", &render);
  flags.String("--chromium", &chromium);
  flags.Duration("--render-timeout", &render_timeout);
  security.Register(flags);
  const std::string cmd = "worker";
  if (auto st = flags.Parse(args, &help); !st.ok()) return Usage(kWorkerUsage, cmd, st);
  if (help) {
    std::fputs(kWorkerUsage, stdout);
    return 0;
  }
  if (coordinator.empty() || stores.empty()) {
    return Usage(kWorkerUsage, cmd,
                 absl::InvalidArgumentError("--coordinator and --stores are required"));
  }
  if (render != "auto" && render != "off") {
    return Usage(
        kWorkerUsage, cmd,
        absl::InvalidArgumentError(absl::StrCat(
            "--render wants auto (on when Chromium is installed) or off, not '", render, "'")));
  }
  FetcherOptions fetcher;
  for (const std::string& spec : connect_to) {
    auto parsed = ConnectTo::Parse(spec);
    if (!parsed.ok()) return Usage(kWorkerUsage, cmd, parsed.status());
    fetcher.connect_to.push_back(*parsed);
  }
  fetcher.max_host_connections = host_connections;
  fetcher.per_host_delay = host_delay;
  fetcher.allow_private_addresses = allow_private;
  fetcher.ca_file = ca_file;
  auto scanner = LoadLexiconScanner(lexicon_file);
  if (!scanner.ok()) return Fail(cmd, scanner.status());

  InstallSignalHandlers();
  zmq::context_t context;
  auto secure = ClientSecurity(security, cmd);
  if (!secure.ok()) return Fail(cmd, secure.status());
  WorkerOptions options;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  options.worker_id = id.empty() ? absl::StrCat(host, "-", getpid()) : id;
  options.coordinator_endpoint = coordinator;
  options.store_endpoints = stores;
  options.fetcher = fetcher;
  options.max_leases = max_leases;
  options.probe_timeout = probe_timeout;
  options.page_timeout = page_timeout;
  options.recheck_delay = recheck_delay;
  options.scanner = scanner->get();
  options.secure = secure->socket_fn;
  options.exit_on_shutdown = !stay;
  options.render = render == "auto";
  if (!chromium.empty()) options.renderer.chromium_path = chromium;
  options.renderer.render_timeout = render_timeout;
  WarnWithoutRenderer("census worker", options.render, chromium);
  // --threads N: N workers in this process (each its own sockets and fetcher, ids
  // NAME/0 .. NAME/N-1), as `census run --workers N` runs them: extraction is CPU-bound,
  // so one thread a core.
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) {
    WorkerOptions o = options;
    if (threads > 1) o.worker_id = absl::StrCat(options.worker_id, "/", i);
    workers.push_back(std::make_unique<Worker>(context, o));
  }
  auto total = [&workers] {
    WorkerStats sum;
    for (const auto& w : workers) {
      WorkerStats s = w->stats();
      sum.fetches += s.fetches;
      sum.errors += s.errors;
      sum.leases_done += s.leases_done;
      sum.bytes += s.bytes;
      sum.leases_returned += s.leases_returned;
      sum.store_resends += s.store_resends;
      sum.request_resends += s.request_resends;
      sum.renders += s.renders;
      sum.render_failures += s.render_failures;
    }
    return sum;
  };
  auto ops = StartOps(metrics, cmd, [] { return true; });
  if (!ops.ok()) return Fail(cmd, ops.status());
  if (*ops != nullptr) {
    MetricsRegistry& m = (*ops)->registry();
    m.AddGaugeCallback("census_worker_fetches", "Fetches made.", {},
                       [&] { return static_cast<double>(total().fetches); });
    m.AddGaugeCallback("census_worker_fetch_errors", "Fetches that failed.", {},
                       [&] { return static_cast<double>(total().errors); });
    m.AddGaugeCallback("census_worker_bytes", "Body bytes fetched.", {},
                       [&] { return static_cast<double>(total().bytes); });
    m.AddGaugeCallback("census_worker_leases_done", "Leases done (every shard acked).", {},
                       [&] { return static_cast<double>(total().leases_done); });
    m.AddGaugeCallback("census_worker_store_resends", "Batches sent again (no ack in time).", {},
                       [&] { return static_cast<double>(total().store_resends); });
    m.AddGaugeCallback("census_worker_renders", "Column pages rendered in headless Chromium.", {},
                       [&] { return static_cast<double>(total().renders); });
    m.AddGaugeCallback("census_worker_render_failures",
                       "Column pages that wanted a rendered look and got none.", {},
                       [&] { return static_cast<double>(total().render_failures); });
  }
  std::vector<absl::Status> run_status(workers.size());
  std::atomic<int> finished{0};
  std::vector<std::thread> running;
  for (size_t i = 0; i < workers.size(); ++i) {
    running.emplace_back([&, i] {
      run_status[i] = workers[i]->Run();
      finished.fetch_add(1);
    });
  }
  std::fprintf(stderr, "census worker %s: %d thread(s), coordinator %s, %zu store shard(s)\n",
               options.worker_id.c_str(), threads, coordinator.c_str(), stores.size());
  AcceptSignals();
  bool draining = false;
  while (finished.load() < threads) {
    if (!draining && g_signal.load() != 0) {
      draining = true;
      std::fprintf(stderr, "census worker %s: draining (up to %s), then handing back leases\n",
                   options.worker_id.c_str(), absl::FormatDuration(drain).c_str());
      for (auto& w : workers) w->Drain(drain);
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  for (auto& t : running) t.join();
  WorkerStats stats = total();
  std::fprintf(stderr,
               "census worker %s: %lld leases done, %lld fetches, %lld returned, %lld resent\n",
               options.worker_id.c_str(), static_cast<long long>(stats.leases_done),
               static_cast<long long>(stats.fetches), static_cast<long long>(stats.leases_returned),
               static_cast<long long>(stats.store_resends));
  for (const absl::Status& st : run_status) {
    if (!st.ok()) return Fail(cmd, st);
  }
  return 0;
}

// ------------------------------------------------------------------ store

constexpr char kStoreUsage[] =
    "usage: census store --listen tcp://HOST:PORT --data DIR --shard I/K\n"
    "                    [--metrics HOST:PORT] SECURITY\n"
    "  Store shard I of K: owns the sites whose FNV-1a 64 site_id hash mod K is I (a\n"
    "  batch of another shard's site is refused with the reason), acks a batch once it\n"
    "  is durable (WAL synced), keeps one result per task of a run, and aggregates its\n"
    "  sites for `census aggregate`. Ends cleanly on SIGTERM.\n" SECURITY_USAGE;

int StoreCommand(const std::vector<std::string>& args) {
  std::string listen, data_dir, shard_text = "0/1", metrics;
  bool help = false;
  SecurityFlags security;
  FlagSet flags;
  flags.String("--listen", &listen);
  flags.String("--data", &data_dir);
  flags.String("--shard", &shard_text);
  flags.String("--metrics", &metrics);
  security.Register(flags);
  const std::string cmd = "store";
  if (auto st = flags.Parse(args, &help); !st.ok()) return Usage(kStoreUsage, cmd, st);
  if (help) {
    std::fputs(kStoreUsage, stdout);
    return 0;
  }
  if (listen.empty() || data_dir.empty()) {
    return Usage(kStoreUsage, cmd, absl::InvalidArgumentError("--listen and --data are required"));
  }
  auto shard = ParseShardSpec(shard_text);
  if (!shard.ok()) return Usage(kStoreUsage, cmd, shard.status());
  InstallSignalHandlers();
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  auto store = Store::Open(data_dir);  // sync_writes: an ack means durable
  if (!store.ok()) return Fail(cmd, store.status());
  zmq::context_t context;
  auto secure = ServerSecurity(context, security, cmd);
  if (!secure.ok()) return Fail(cmd, secure.status());
  StoreServerOptions options;
  options.shard = *shard;
  options.secure = secure->socket_fn;
  options.aggregate = [](Store& s, const RunRecord& run, const std::string& rubric_text,
                         const std::function<absl::Status(report::SiteReport&)>& on_site)
      -> absl::StatusOr<report::CensusSummary> {
    auto rubric = ParseRubric(rubric_text.empty() ? run.rubric_text() : rubric_text,
                              rubric_text.empty() ? "run rubric" : "--rubric");
    if (!rubric.ok()) return rubric.status();
    auto agg = AggregateOptionsForRun(run, *rubric);
    if (!agg.ok()) return agg.status();
    return AggregateEach(s, *agg, on_site);
  };
  StoreServer server(context, listen, **store, options);
  if (auto st = server.Bind(); !st.ok()) return Fail(cmd, st);
  auto ops = StartOps(metrics, cmd, [] { return true; });
  if (!ops.ok()) return Fail(cmd, ops.status());
  if (*ops != nullptr) {
    MetricsRegistry& m = (*ops)->registry();
    Histogram* latency =
        m.AddHistogram("census_store_write_seconds", "Time to write and sync one batch.",
                       {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5});
    server.on_write = [latency](double seconds) { latency->Observe(seconds); };
    m.AddGaugeCallback("census_store_batches_written", "Batches written.", {},
                       [&] { return static_cast<double>(server.batches_written()); });
    m.AddGaugeCallback("census_store_duplicate_tasks", "Task results dropped as repeats.", {},
                       [&] { return static_cast<double>((*store)->duplicate_tasks()); });
    m.AddGaugeCallback("census_store_wrong_shard", "Batches refused: another shard's site.", {},
                       [&] { return static_cast<double>(server.wrong_shard()); });
    m.AddGaugeCallback("census_wire_dropped_messages", "Messages dropped from the wire.", {},
                       [&] { return static_cast<double>(server.malformed_messages()); });
  }
  std::fprintf(stderr, "census store: shard %d/%d of %s on %s\n", shard->index, shard->count,
               data_dir.c_str(), server.endpoint().c_str());
  absl::Status serve_status;
  std::thread serving([&] { serve_status = server.Serve(); });
  AcceptSignals();
  while (g_signal.load() == 0) absl::SleepFor(absl::Milliseconds(50));
  server.Stop();
  serving.join();
  if (!serve_status.ok()) return Fail(cmd, serve_status);
  return 0;
}

// ------------------------------------------------------------------ aggregate

constexpr char kAggregateUsage[] =
    "usage: census aggregate --stores tcp://HOST:PORT[,...] --run RUN_ID --out DIR\n"
    "                        [--rubric FILE] [--timeout D] SECURITY\n"
    "  Asks every store shard to aggregate its sites of the run and merges their streams\n"
    "  into one report (report.json/.csv/.html in DIR), site_id order: the same report\n"
    "  `census run` writes for the same data.\n" SECURITY_USAGE;

int AggregateCommand(const std::vector<std::string>& args) {
  std::vector<std::string> stores;
  std::string run_id, out_dir, rubric_file;
  absl::Duration timeout = absl::Minutes(2);
  bool help = false;
  SecurityFlags security;
  FlagSet flags;
  flags.List("--stores", &stores);
  flags.String("--run", &run_id);
  flags.String("--out", &out_dir);
  flags.String("--rubric", &rubric_file);
  flags.Duration("--timeout", &timeout);
  security.Register(flags);
  const std::string cmd = "aggregate";
  if (auto st = flags.Parse(args, &help); !st.ok()) return Usage(kAggregateUsage, cmd, st);
  if (help) {
    std::fputs(kAggregateUsage, stdout);
    return 0;
  }
  if (stores.empty() || run_id.empty() || out_dir.empty()) {
    return Usage(kAggregateUsage, cmd,
                 absl::InvalidArgumentError("--stores, --run and --out are required"));
  }
  std::string rubric_text, as_of;
  if (!rubric_file.empty()) {
    auto loaded = LoadRubricFile(rubric_file);
    if (!loaded.ok()) return Usage(kAggregateUsage, cmd, loaded.status());
    rubric_text = loaded->text;
  }
  zmq::context_t context;
  auto secure = ClientSecurity(security, cmd);
  if (!secure.ok()) return Fail(cmd, secure.status());
  struct Shard {
    std::unique_ptr<zmq::socket_t> socket;
    std::deque<report::SiteReport> buffer;
    bool done = false;
    bool asked = false;
    report::CensusSummary summary;
  };
  std::vector<Shard> shards(stores.size());
  for (size_t i = 0; i < stores.size(); ++i) {
    shards[i].socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
    (void)ConfigureSocket(*shards[i].socket, kStoreMaxMessage);
    if (secure->socket_fn) (void)secure->socket_fn(*shards[i].socket);
    shards[i].socket->connect(stores[i]);
    ToStore request;
    request.mutable_aggregate()->set_run_id(run_id);
    request.mutable_aggregate()->set_rubric_text(rubric_text);
    request.mutable_aggregate()->set_max_sites(64);
    (void)SendToRouter(*shards[i].socket, request);
    shards[i].asked = true;
  }
  // Fills shard i's buffer (one chunk), or fails.
  auto refill = [&](size_t i) -> absl::Status {
    Shard& s = shards[i];
    if (!s.asked) {
      ToStore next;
      next.mutable_aggregate_next()->set_run_id(run_id);
      RETURN_IF_ERROR(SendToRouter(*s.socket, next));
      s.asked = true;
    }
    if (!WaitReadable(*s.socket, timeout)) {
      return absl::DeadlineExceededError(
          absl::StrCat("store ", stores[i], " did not answer in ", absl::FormatDuration(timeout)));
    }
    FromStore reply;
    RETURN_IF_ERROR(ReceiveFromRouter(*s.socket, &reply));
    s.asked = false;
    if (!reply.has_chunk()) return absl::DataLossError("store answered no chunk");
    AggregateChunk& chunk = *reply.mutable_chunk();
    if (!chunk.error().empty()) {
      return absl::FailedPreconditionError(absl::StrCat("store ", stores[i], ": ", chunk.error()));
    }
    if (chunk.shards() != static_cast<int>(stores.size()) || chunk.shard() != static_cast<int>(i)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "store ", stores[i], " is shard ", chunk.shard(), "/", chunk.shards(), ", listed as ", i,
          "/", stores.size(), ": --stores must name the shards in order"));
    }
    if (as_of.empty()) as_of = chunk.as_of();
    for (auto& site : *chunk.mutable_sites()) s.buffer.push_back(std::move(site));
    if (chunk.done()) {
      s.done = true;
      s.summary = chunk.summary();
    }
    return absl::OkStatus();
  };
  auto refill_all = [&]() -> absl::Status {
    // Every shard not done needs a site in hand before the smallest can be chosen.
    for (size_t i = 0; i < shards.size(); ++i) {
      while (shards[i].buffer.empty() && !shards[i].done) RETURN_IF_ERROR(refill(i));
    }
    return absl::OkStatus();
  };
  int written = 0;
  absl::Time started = absl::Now();
  absl::Status status = [&]() -> absl::Status {
    RETURN_IF_ERROR(refill_all());
    ASSIGN_OR_RETURN(std::unique_ptr<ReportWriter> writer, ReportWriter::Open(out_dir, as_of));
    while (true) {
      RETURN_IF_ERROR(refill_all());
      int pick = -1;
      for (size_t i = 0; i < shards.size(); ++i) {
        if (shards[i].buffer.empty()) continue;
        if (pick < 0 || shards[i].buffer.front().site_id() <
                            shards[static_cast<size_t>(pick)].buffer.front().site_id()) {
          pick = static_cast<int>(i);
        }
      }
      if (pick < 0) break;
      Shard& s = shards[static_cast<size_t>(pick)];
      RETURN_IF_ERROR(writer->Add(s.buffer.front()));
      s.buffer.pop_front();
      ++written;
    }
    // The shards' summaries: the run's fields are the same in each; counts add up.
    report::CensusSummary summary = shards[0].summary;
    summary.set_sites(0);
    summary.set_failed(0);
    summary.set_unreachable(0);
    summary.set_passed(0);
    for (const Shard& s : shards) {
      summary.set_sites(summary.sites() + s.summary.sites());
      summary.set_failed(summary.failed() + s.summary.failed());
      summary.set_unreachable(summary.unreachable() + s.summary.unreachable());
      summary.set_passed(summary.passed() + s.summary.passed());
    }
    RETURN_IF_ERROR(writer->Finish(summary));
    const std::filesystem::path out(out_dir);
    PrintReportPaths(out);
    std::printf(
        "census %s (run %s): %d sites from %zu shard(s), %d failed (%d unreachable), %.1fs\n",
        summary.as_of().c_str(), run_id.c_str(), summary.sites(), shards.size(), summary.failed(),
        summary.unreachable(), absl::ToDoubleSeconds(absl::Now() - started));
    return absl::OkStatus();
  }();
  if (!status.ok()) return Fail(cmd, status);
  return 0;
}

// ------------------------------------------------------------------ status

constexpr char kStatusUsage[] =
    "usage: census status --coordinator tcp://HOST:PORT [--json] [--timeout D] SECURITY\n"
    "  A running census: sites done / total, leases out, pages/s, errors by kind, the\n"
    "  workers and their last contact, the ETA.\n" SECURITY_USAGE;

int StatusCommand(const std::vector<std::string>& args) {
  std::string coordinator;
  bool json = false, help = false;
  absl::Duration timeout = absl::Seconds(5);
  SecurityFlags security;
  FlagSet flags;
  flags.String("--coordinator", &coordinator);
  flags.Bool("--json", &json);
  flags.Duration("--timeout", &timeout);
  security.Register(flags);
  const std::string cmd = "status";
  if (auto st = flags.Parse(args, &help); !st.ok()) return Usage(kStatusUsage, cmd, st);
  if (help) {
    std::fputs(kStatusUsage, stdout);
    return 0;
  }
  if (coordinator.empty()) {
    return Usage(kStatusUsage, cmd, absl::InvalidArgumentError("--coordinator is required"));
  }
  zmq::context_t context;
  auto secure = ClientSecurity(security, cmd);
  if (!secure.ok()) return Fail(cmd, secure.status());
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  (void)ConfigureSocket(socket, kCoordinatorMaxMessage);
  if (secure->socket_fn) (void)secure->socket_fn(socket);
  socket.connect(coordinator);
  ToCoordinator request;
  request.mutable_status_request();
  if (auto st = SendToRouter(socket, request); !st.ok()) return Fail(cmd, st);
  if (!WaitReadable(socket, timeout)) {
    return Fail(cmd, absl::DeadlineExceededError(absl::StrCat(
                         "no answer from ", coordinator, " in ", absl::FormatDuration(timeout),
                         " (is it running, and are the keys right?)")));
  }
  FromCoordinator reply;
  if (auto st = ReceiveFromRouter(socket, &reply); !st.ok()) return Fail(cmd, st);
  const StatusReport& r = reply.status();
  if (json) {
    std::string text;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(r, &text, options);
    std::printf("%s\n", text.c_str());
    return 0;
  }
  const double elapsed = std::max(1.0, (r.now_ms() - r.started_ms()) / 1000.0);
  std::printf("census %s (as of %s)%s\n", r.run_id().c_str(), r.as_of().c_str(),
              r.complete() ? (r.run_recorded() ? ": complete, recorded" : ": complete") : "");
  std::printf("sites      %d / %d done\n", r.sites_done(), r.sites_total());
  std::printf("leases     %lld out, %lld expired; %lld tasks queued\n",
              static_cast<long long>(r.leases_out()), static_cast<long long>(r.leases_expired()),
              static_cast<long long>(r.queued_tasks()));
  std::printf("pages      %lld (%.1f/s)\n", static_cast<long long>(r.pages_fetched()),
              r.pages_fetched() / elapsed);
  std::printf("errors     %lld", static_cast<long long>(r.errors()));
  std::vector<std::pair<std::string, int64_t>> kinds(r.errors_by_kind().begin(),
                                                     r.errors_by_kind().end());
  std::sort(kinds.begin(), kinds.end());
  for (const auto& [kind, n] : kinds)
    std::printf(" %s=%lld", kind.c_str(), static_cast<long long>(n));
  std::printf("\n");
  std::printf("eta        %s\n",
              r.eta_ms() < 0
                  ? "unknown"
                  : absl::FormatDuration(absl::Milliseconds(r.eta_ms() / 1000 * 1000)).c_str());
  std::printf("workers    %d\n", r.workers_size());
  for (const WorkerContact& w : r.workers()) {
    std::printf("  %-24s last contact %.1fs ago, %d leases out, %lld done\n", w.worker_id().c_str(),
                (r.now_ms() - w.last_contact_ms()) / 1000.0, w.leases_out(),
                static_cast<long long>(w.leases_done()));
  }
  return 0;
}

}  // namespace

int RunCoordinatorCommand(const std::vector<std::string>& args) { return CoordinatorCommand(args); }
int RunWorkerCommand(const std::vector<std::string>& args) { return WorkerCommand(args); }
int RunStoreCommand(const std::vector<std::string>& args) { return StoreCommand(args); }
int RunAggregateCommand(const std::vector<std::string>& args) { return AggregateCommand(args); }
int RunStatusCommand(const std::vector<std::string>& args) { return StatusCommand(args); }

}  // namespace census
