// coordinator_dispatch: how fast a real Coordinator hands out work, and what a queued
// URL costs it in memory (issue 10, "Measured"). Not part of ctest; figures and the
// commands that produced them in docs/BENCHMARKS.md ("Cluster (issue 10)").
//
//   coordinator_dispatch [--sites 10000,100000] [--transports inproc,tcp]
//                        [--clients 4] [--columns 10] [--links 40] [--external-links 4]
//                        [--window 1] [--probes 0] [--dir DIR] [--time-limit SECONDS]
//
// For each (sites, transport, clients) it forks a child that starts a Coordinator on
// inproc://… or tcp://127.0.0.1:* with its state in DIR (RocksDB, as `census
// coordinator` keeps it), registers N sites with `--columns` declared columns each (one
// host a site: the homepage lease carries the homepage and every column), and drives it
// with K client threads, each a DEALER that sends WorkRequest and answers every Lease at
// once with LeaseDone (--window W: a client holds W leases and answers the oldest when
// it gets the W-th or NoWork, as a worker holds up to --max-leases, so K × W are out). The
// LeaseDone of a homepage lease reports `--links` links found on the homepage — `--external-links`
// of them on hosts of their own, the rest on the site's host — so the coordinator queues link
// checks (distinct census-wide: none is deduped): 1 + columns + links URLs a site (51 by default)
// in 1 + 1 + external leases. The run ends when every client got Shutdown (the census complete).
//
// Printed per configuration: leases and URLs (tasks in leases) handed out per second
// over the whole run, the coordinator thread's CPU seconds, and memory: the process's
// VmRSS before the sites are built, after (input held, as `census coordinator` holds
// it), after AddSites (every homepage and column task queued), its peak during the run
// (sampled every 10 ms, with the most tasks queued at once) and at the end (every URL
// in the census-wide dedup set, no task queued), each growth divided by the URLs it
// holds. The clients run in the same process (a few KiB each).

#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/wire.h"
#include "coordinator/coordinator.h"
#include "proto/census.pb.h"

namespace census {
namespace {

struct Config {
  std::vector<int> sites = {10000, 100000};
  std::vector<std::string> transports = {"inproc", "tcp"};
  std::vector<int> clients = {4};
  int columns = 10;
  int links = 40;
  int external_links = 4;
  int probes = 0;
  int window = 1;  // leases a client holds before it answers the oldest
  std::string dir = "/tmp/coordinator-dispatch";
  int time_limit = 600;
};

// VmRSS of this process, bytes.
int64_t Rss() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      int64_t kb = 0;
      (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(6, line.size() - 9)), &kb);
      return kb * 1024;
    }
  }
  return 0;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string SiteHost(int i) { return absl::StrFormat("s%06d.gov.cn", i); }

struct ClientCounts {
  int64_t leases = 0;
  int64_t urls = 0;
  int64_t no_work = 0;
  bool shutdown = false;
};

void RunClient(zmq::context_t& ctx, const std::string& endpoint, int id, const Config& config,
               absl::Time deadline, ClientCounts* counts) {
  zmq::socket_t socket(ctx, zmq::socket_type::dealer);
  (void)ConfigureSocket(socket, kCoordinatorMaxMessage);
  socket.set(zmq::sockopt::rcvtimeo, 10000);
  socket.connect(endpoint);
  const std::string worker_id = absl::StrCat("client-", id);
  ToCoordinator request;
  request.mutable_work_request()->set_worker_id(worker_id);
  request.mutable_work_request()->set_capacity(1);
  ToCoordinator done_msg;
  FromCoordinator reply;
  std::deque<Lease> held;  // leases out to this client, oldest first
  while (absl::Now() < deadline) {
    if (!SendToRouter(socket, request).ok()) break;
    if (!ReceiveFromRouter(socket, &reply).ok()) break;  // 10 s without a reply
    if (reply.has_shutdown()) {
      counts->shutdown = true;
      break;
    }
    if (reply.has_no_work()) {
      ++counts->no_work;
      if (held.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
    } else if (reply.has_lease()) {
      ++counts->leases;
      counts->urls += reply.lease().tasks_size();
      held.push_back(std::move(*reply.mutable_lease()));
      if (static_cast<int>(held.size()) < config.window) continue;
    } else {
      continue;
    }
    // Answers the oldest lease held.
    const Lease lease = std::move(held.front());
    held.pop_front();
    LeaseDone* done = done_msg.mutable_lease_done();
    done->Clear();
    done->set_lease_id(lease.lease_id());
    done->set_worker_id(worker_id);
    done->set_pages_fetched(lease.tasks_size());
    bool homepage = false;
    for (const FetchTask& t : lease.tasks()) homepage |= t.kind() == HOMEPAGE;
    if (homepage) {
      const std::string& home = lease.site().url();  // http://HOST/
      const std::string host = home.substr(7, home.size() - 8);
      for (int j = 0; j < config.links; ++j) {
        LinkRef* link = done->add_links();
        if (j < config.external_links) {
          link->set_url(absl::StrCat("http://x", j, "-", host, "/"));
        } else {
          link->set_url(absl::StrCat(home, "a/", j, ".html"));
        }
        link->set_found_on(home);
        link->set_on_homepage(true);
      }
    }
    if (!SendToRouter(socket, done_msg).ok()) break;
  }
}

struct Result {
  int64_t leases = 0, urls = 0, no_work = 0;
  bool complete = false;
  double wall = 0, add_seconds = 0, coordinator_cpu = 0;
  int64_t rss0 = 0, rss_input = 0, rss_added = 0, rss_peak = 0, rss_end = 0;
  int64_t queued_at_add = 0, queued_peak = 0;
};

Result RunOne(const Config& config, int n, const std::string& transport, int k) {
  Result r;
  r.rss0 = Rss();
  std::vector<Site> sites;
  absl::flat_hash_map<std::string, std::vector<Column>> columns;
  sites.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    Site s;
    s.set_site_id(absl::StrFormat("S%06d", i));
    s.set_name(absl::StrCat("Site ", i));
    s.set_url(absl::StrCat("http://", SiteHost(i), "/"));
    std::vector<Column>& cols = columns[s.site_id()];
    for (int c = 0; c < config.columns; ++c) {
      Column col;
      col.set_site_id(s.site_id());
      col.set_name(absl::StrCat("column ", c));
      col.set_url(absl::StrCat(s.url(), "col/", c, "/"));
      col.set_category(static_cast<Category>(1 + c % 9));
      col.set_declared(true);
      cols.push_back(std::move(col));
    }
    sites.push_back(std::move(s));
  }
  r.rss_input = Rss();

  const std::string data = absl::StrCat(config.dir, "/state-", n, "-", transport, "-", k);
  std::filesystem::remove_all(data);
  std::filesystem::create_directories(config.dir);
  zmq::context_t server_ctx;
  zmq::context_t client_ctx_tcp;
  CoordinatorOptions options;
  options.data_dir = data;
  options.as_of = "2026-11-20";
  options.probes = config.probes;
  options.probe_interval = absl::Seconds(1);
  options.lease_timeout = absl::Minutes(10);
  options.run_id = "dispatch-bench";
  options.sites_digest = "dispatch-bench";
  const std::string endpoint =
      transport == "tcp" ? "tcp://127.0.0.1:*" : absl::StrCat("inproc://dispatch-", n, "-", k);
  Coordinator coordinator(server_ctx, endpoint, options);
  if (auto st = coordinator.Start(); !st.ok()) {
    std::fprintf(stderr, "start: %s\n", std::string(st.message()).c_str());
    std::exit(1);
  }
  absl::Time t_add = absl::Now();
  if (auto st = coordinator.AddSites(sites, columns); !st.ok()) {
    std::fprintf(stderr, "AddSites: %s\n", std::string(st.message()).c_str());
    std::exit(1);
  }
  r.add_seconds = absl::ToDoubleSeconds(absl::Now() - t_add);
  r.rss_added = Rss();
  r.queued_at_add = coordinator.progress().queued_tasks;
  const std::string bound = coordinator.endpoint();

  std::atomic<bool> serving_done{false};
  std::thread serving([&] {
    (void)coordinator.Serve();
    r.coordinator_cpu = ThreadCpuSeconds();
    serving_done.store(true);
  });
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling.load()) {
      r.rss_peak = std::max(r.rss_peak, Rss());
      r.queued_peak = std::max(r.queued_peak, coordinator.progress().queued_tasks);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });

  zmq::context_t& client_ctx = transport == "tcp" ? client_ctx_tcp : server_ctx;
  std::vector<ClientCounts> counts(static_cast<size_t>(k));
  std::vector<std::thread> clients;
  const absl::Time deadline = absl::Now() + absl::Seconds(config.time_limit);
  const absl::Time t0 = absl::Now();
  for (int i = 0; i < k; ++i) {
    clients.emplace_back(RunClient, std::ref(client_ctx), bound, i, std::cref(config), deadline,
                         &counts[static_cast<size_t>(i)]);
  }
  for (auto& t : clients) t.join();
  r.wall = absl::ToDoubleSeconds(absl::Now() - t0);
  sampling.store(false);
  sampler.join();
  r.rss_end = Rss();
  r.rss_peak = std::max(r.rss_peak, r.rss_end);
  r.complete = coordinator.progress().complete;
  for (const ClientCounts& c : counts) {
    r.leases += c.leases;
    r.urls += c.urls;
    r.no_work += c.no_work;
  }
  coordinator.Stop();
  serving.join();
  std::filesystem::remove_all(data);
  return r;
}

bool ParseInts(const std::string& s, std::vector<int>* out) {
  out->clear();
  for (absl::string_view part : absl::StrSplit(s, ',')) {
    int v = 0;
    if (!absl::SimpleAtoi(part, &v) || v <= 0) return false;
    out->push_back(v);
  }
  return !out->empty();
}

bool ParseArgs(int argc, char** argv, Config* c) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    auto int_flag = [&](int* out) {
      const char* v = next();
      return v != nullptr && absl::SimpleAtoi(v, out) && *out >= 0;
    };
    if (arg == "--sites" || arg == "--clients") {
      const char* v = next();
      if (v == nullptr || !ParseInts(v, arg == "--sites" ? &c->sites : &c->clients)) return false;
    } else if (arg == "--transports") {
      const char* v = next();
      if (v == nullptr) return false;
      c->transports = absl::StrSplit(v, ',');
      for (const std::string& t : c->transports) {
        if (t != "inproc" && t != "tcp") return false;
      }
    } else if (arg == "--columns") {
      if (!int_flag(&c->columns)) return false;
    } else if (arg == "--links") {
      if (!int_flag(&c->links)) return false;
    } else if (arg == "--external-links") {
      if (!int_flag(&c->external_links)) return false;
    } else if (arg == "--window") {
      if (!int_flag(&c->window) || c->window < 1) return false;
    } else if (arg == "--probes") {
      if (!int_flag(&c->probes)) return false;
    } else if (arg == "--time-limit") {
      if (!int_flag(&c->time_limit)) return false;
    } else if (arg == "--dir") {
      const char* v = next();
      if (v == nullptr) return false;
      c->dir = v;
    } else {
      return false;
    }
  }
  return c->external_links <= c->links;
}

double MiB(int64_t b) { return static_cast<double>(b) / 1048576.0; }

int Main(int argc, char** argv) {
  Config config;
  if (!ParseArgs(argc, argv, &config)) {
    std::fprintf(stderr,
                 "usage: coordinator_dispatch [--sites 10000,100000] [--transports inproc,tcp]\n"
                 "         [--clients 4] [--columns 10] [--links 40] [--external-links 4]\n"
                 "         [--window 1] [--probes 0] [--dir DIR] [--time-limit SECONDS]\n");
    return 2;
  }
  std::printf(
      "coordinator_dispatch: %d columns, %d links (%d external) a site, %d probes, "
      "window %d; %ld cores, load %s\n",
      config.columns, config.links, config.external_links, config.probes, config.window,
      sysconf(_SC_NPROCESSORS_ONLN),
      [] {
        std::ifstream in("/proc/loadavg");
        std::string a, b, c;
        in >> a >> b >> c;
        return absl::StrCat(a, " ", b, " ", c);
      }()
          .c_str());
  std::printf(
      "\n| sites | transport | clients | leases | URLs | wall s | leases/s | URLs/s "
      "| coord CPU s | process CPU s | no-work | AddSites s | RSS after AddSites "
      "| B/queued URL | peak RSS (queued) | end RSS | B/URL at end |\n");
  std::printf(
      "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
      "---:|\n");
  std::fflush(stdout);
  int failures = 0;
  for (int n : config.sites) {
    for (const std::string& transport : config.transports) {
      for (int k : config.clients) {
        // A fresh process per configuration: the RSS figures are its own.
        int pipefd[2];
        if (pipe(pipefd) != 0) return 1;
        pid_t pid = fork();
        if (pid == 0) {
          close(pipefd[0]);
          Result r = RunOne(config, n, transport, k);
          (void)!write(pipefd[1], &r, sizeof r);
          _exit(0);
        }
        close(pipefd[1]);
        Result r;
        const bool got = read(pipefd[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
        close(pipefd[0]);
        int status = 0;
        rusage ru{};
        wait4(pid, &status, 0, &ru);
        if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
          std::printf("| %d | %s | %d | child failed (status %d) |\n", n, transport.c_str(), k,
                      status);
          ++failures;
          continue;
        }
        const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        const double urls = static_cast<double>(r.urls);
        std::printf(
            "| %d | %s | %d | %lld | %lld%s | %.2f | %.0f | **%.0f** | %.2f | %.2f | %lld | %.2f "
            "| %.0f MiB (+%.0f for %lld URLs) | %.0f | %.0f MiB (%lld) | %.0f MiB | %.0f |\n",
            n, transport.c_str(), k, static_cast<long long>(r.leases),
            static_cast<long long>(r.urls), r.complete ? "" : " (INCOMPLETE)", r.wall,
            static_cast<double>(r.leases) / r.wall, urls / r.wall, r.coordinator_cpu, cpu,
            static_cast<long long>(r.no_work), r.add_seconds, MiB(r.rss_added),
            MiB(r.rss_added - r.rss_input), static_cast<long long>(r.queued_at_add),
            static_cast<double>(r.rss_added - r.rss_input) /
                static_cast<double>(std::max<int64_t>(1, r.queued_at_add)),
            MiB(r.rss_peak), static_cast<long long>(r.queued_peak), MiB(r.rss_end),
            static_cast<double>(r.rss_end - r.rss_input) / std::max(1.0, urls));
        std::fflush(stdout);
        if (!r.complete) ++failures;
      }
    }
  }
  std::printf(
      "\nRSS before the input: measured per child; input (sites + columns) held "
      "throughout, as `census coordinator` holds it.\n");
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace census

int main(int argc, char** argv) { return census::Main(argc, argv); }
