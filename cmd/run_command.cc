#include "cmd/run_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "aggregator/aggregator.h"
#include "cmd/replay_command.h"
#include "common/clock.h"
#include "coordinator/coordinator.h"
#include "coordinator/site_list.h"
#include "storage/store.h"
#include "storage/store_server.h"
#include "worker/content_scan.h"
#include "worker/extract.h"
#include "worker/worker.h"

namespace census {

const char kUsage[] =
    "usage:\n"
    "  census run --sites FILE [--columns FILE] [--out DIR] [--data DIR]\n"
    "             [--as-of YYYY-MM-DD|now] [--workers N]\n"
    "             [--probes N] [--probe-interval DURATION] [--probe-timeout DURATION]\n"
    "             [--ipv6-probes N] [--https-check on|off] [--ca-file PEM]\n"
    "             [--page-timeout DURATION] [--host-delay DURATION] [--host-connections N]\n"
    "             [--connect-to HOST:PORT:CONNECT_HOST:CONNECT_PORT]...\n"
    "             [--max-pages-per-site N] [--max-list-pages N] [--recheck-delay DURATION]\n"
    "             [--rubric FILE] [--lexicon FILE] [--no-robots] [--allow-private] [--quiet]\n"
    "             [--render auto|off] [--chromium PATH] [--render-timeout DURATION]\n"
    "             [--evidence-base URL]  (report.html's evidence links into census serve)\n"
    "  census extract [--url URL] [--as-of YYYY-MM-DD] [--column] FILE|-\n"
    "  census diff OLD_REPORT_JSON NEW_REPORT_JSON [--json]\n"
    "  census coordinator|worker|store|aggregate|status ...   (the cluster roles; --help)\n"
    "  census replay --data DIR [--run RUN_ID] [--rubric FILE] [--out DIR] [--reextracted]\n"
    "                [--evidence-base URL] | --list | --snapshot HASH [--out FILE]\n"
    "  census replay --data DIR --as-of YYYY-MM-DD [--until TIME] [--sites FILE] [--rubric FILE]\n"
    "                [--out DIR]   (the census of any day from what was stored by then)\n"
    "  census replay --data DIR [--run RUN_ID] --reextract [--lexicon FILE] [--out DIR]\n"
    "                (today's extractor over the run's stored pages; what changed)\n"
    "  census serve --data DIR [--listen 127.0.0.1:8080]\n"
    "                (read-only web UI of the stored runs, pages and diffs: docs/SERVE.md)\n"
    "  census report --data DIR --run RUN_ID (--site SITE_ID | --region REGION) [--json]\n"
    "                (one site's or one region's findings of a stored run; no file written)\n"
    "  census export-warc --data DIR [--run RUN_ID] --out FILE.warc.gz\n"
    "                (the stored fetches as a WARC 1.1 file: docs/WARC.md)\n"
    "  census import-warc --data DIR [--sites FILE] [--columns FILE] [--as-of YYYY-MM-DD] FILE...\n"
    "                (WARC files of census, wget or Heritrix into the store as a run)\n"
    "  census compact --data DIR [--keep-versions N] [--keep-days D]\n"
    "                (retention: drops old page bodies, keeps every run's evidence)\n"
    "  census keygen --out PREFIX   (CURVE key pair: PREFIX.key, PREFIX.pub)\n"
    "durations: 500ms, 15s, 2m, 1h\n";

namespace {

absl::Status ParseDurationFlag(const std::string& flag, const std::string& value,
                               absl::Duration* out) {
  if (!absl::ParseDuration(value, out) || *out < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " wants a duration like 500ms, 15s or 2m, not '", value, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

void WarnWithoutRenderer(const char* who, bool render, const std::string& chromium) {
  const std::string path = chromium.empty() ? DefaultChromiumPath() : chromium;
  if (!render) {
    std::fprintf(stderr,
                 "%s: --render off: a column whose list a script may build is reported "
                 "unverified-blank, never blank\n",
                 who);
  } else if (!ChromiumAvailable(path)) {
    std::fprintf(stderr,
                 "%s: no Chromium at %s, so no rendered look: a column whose list a script may "
                 "build is reported unverified-blank, never blank (install Debian's chromium: "
                 "scripts/install-browser.sh, or name it with --chromium PATH)\n",
                 who, path.c_str());
  }
}

namespace {

absl::Status ParseIntFlag(const std::string& flag, const std::string& value, int min, int* out) {
  if (!absl::SimpleAtoi(value, out) || *out < min) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " wants a whole number >= ", min, ", not '", value, "'"));
  }
  return absl::OkStatus();
}

// Progress on stderr: one rewritten line on a terminal, plain lines otherwise.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0) {}
  void Print(const CoordinatorProgress& p, absl::Duration elapsed, bool final_line) {
    if (quiet_) return;
    double secs = std::max(absl::ToDoubleSeconds(elapsed), 0.001);
    std::string line = absl::StrFormat(
        "census: sites %d/%d done, %d pages fetched (%.0f/s), %d errors, %d leases out, %.1fs",
        p.sites_done, p.sites_total, p.pages_fetched, p.pages_fetched / secs, p.errors,
        p.leases_out, secs);
    if (tty_) {
      std::fprintf(stderr, "\r%-100s%s", line.c_str(), final_line ? "\n" : "");
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  }

 private:
  bool quiet_;
  bool tty_;
};

}  // namespace

absl::StatusOr<std::string> ReadInputFile(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
    ss << in.rdbuf();
  }
  return ss.str();
}

absl::StatusOr<RunConfig> ParseRunArgs(const std::vector<std::string>& args) {
  RunConfig c;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&]() -> absl::StatusOr<std::string> {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(flag + " needs a value");
      return args[++i];
    };
    auto take = [&](std::string* field) -> absl::Status {
      auto v = value();
      if (!v.ok()) return v.status();
      *field = *v;
      return absl::OkStatus();
    };
    absl::Status st;
    std::string v;
    if (flag == "--sites") {
      st = take(&c.sites_file);
    } else if (flag == "--columns") {
      st = take(&c.columns_file);
    } else if (flag == "--out") {
      st = take(&c.out_dir);
    } else if (flag == "--data") {
      st = take(&c.data_dir);
    } else if (flag == "--as-of") {
      st = take(&c.as_of);
      absl::CivilDay day;
      if (st.ok() && c.as_of != "now" && !ParseCivilDay(c.as_of, &day)) {
        st = absl::InvalidArgumentError("--as-of wants YYYY-MM-DD or now, not '" + c.as_of + "'");
      }
    } else if (flag == "--rubric") {
      st = take(&c.rubric_file);
    } else if (flag == "--lexicon") {
      st = take(&c.lexicon_file);
    } else if (flag == "--evidence-base") {
      st = take(&c.evidence_base);
    } else if (flag == "--workers") {
      if ((st = take(&v)).ok()) st = ParseIntFlag(flag, v, 1, &c.workers);
    } else if (flag == "--probes") {
      if ((st = take(&v)).ok()) st = ParseIntFlag(flag, v, 0, &c.probes);
    } else if (flag == "--probe-interval") {
      if ((st = take(&v)).ok()) st = ParseDurationFlag(flag, v, &c.probe_interval);
    } else if (flag == "--probe-timeout") {
      if ((st = take(&v)).ok()) st = ParseDurationFlag(flag, v, &c.probe_timeout);
    } else if (flag == "--ipv6-probes") {
      if ((st = take(&v)).ok()) st = ParseIntFlag(flag, v, 0, &c.ipv6_probes);
    } else if (flag == "--https-check") {
      if ((st = take(&v)).ok()) {
        if (v == "on" || v == "off") {
          c.https_check = v == "on";
        } else {
          st = absl::InvalidArgumentError("--https-check wants on or off, not '" + v + "'");
        }
      }
    } else if (flag == "--ca-file") {
      st = take(&c.ca_file);
      if (st.ok() && !std::filesystem::is_regular_file(c.ca_file)) {
        st = absl::InvalidArgumentError("--ca-file: cannot read " + c.ca_file);
      }
    } else if (flag == "--page-timeout") {
      if ((st = take(&v)).ok()) st = ParseDurationFlag(flag, v, &c.page_timeout);
    } else if (flag == "--host-delay") {
      if ((st = take(&v)).ok()) st = ParseDurationFlag(flag, v, &c.host_delay);
    } else if (flag == "--host-connections") {
      if ((st = take(&v)).ok()) st = ParseIntFlag(flag, v, 1, &c.host_connections);
    } else if (flag == "--connect-to") {
      if ((st = take(&v)).ok()) {
        auto parsed = ConnectTo::Parse(v);
        if (parsed.ok()) {
          c.connect_to.push_back(v);
        } else {
          st =
              absl::InvalidArgumentError(absl::StrCat("--connect-to: ", parsed.status().message()));
        }
      }
    } else if (flag == "--max-pages-per-site") {
      if ((st = take(&v)).ok()) st = ParseIntFlag(flag, v, 1, &c.max_pages_per_site);
    } else if (flag == "--max-list-pages") {
      if ((st = take(&v)).ok()) st = ParseIntFlag(flag, v, 1, &c.max_list_pages);
    } else if (flag == "--recheck-delay") {
      if ((st = take(&v)).ok()) st = ParseDurationFlag(flag, v, &c.recheck_delay);
    } else if (flag == "--no-robots") {
      c.no_robots = true;
    } else if (flag == "--allow-private") {
      c.allow_private = true;
    } else if (flag == "--quiet") {
      c.quiet = true;
    } else if (flag == "--render") {
      if ((st = take(&v)).ok()) {
        if (v == "auto" || v == "off") {
          c.render = v == "auto";
        } else {
          st = absl::InvalidArgumentError(absl::StrCat(
              "--render wants auto (on when Chromium is installed) or off, not '", v, "'"));
        }
      }
    } else if (flag == "--chromium") {
      if ((st = take(&v)).ok()) c.chromium = v;
    } else if (flag == "--render-timeout") {
      if ((st = take(&v)).ok()) st = ParseDurationFlag(flag, v, &c.render_timeout);
    } else {
      st = absl::InvalidArgumentError("unknown flag " + flag);
    }
    if (!st.ok()) return st;
  }
  if (c.sites_file.empty()) {
    return absl::InvalidArgumentError(
        "--sites FILE is required (a CSV with header site_id,name,url; see README.md, or "
        "run scripts/census.sh for the bundled demo)");
  }
  return c;
}

int RunCensus(const RunConfig& config) {
  absl::Time started = absl::Now();
  // The rubric (--rubric FILE, else the built-in gov-2019), checked before any fetching.
  Rubric rubric = DefaultRubric();
  if (!config.rubric_file.empty()) {
    auto loaded = LoadRubricFile(config.rubric_file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "census run: %s\n", std::string(loaded.status().message()).c_str());
      return 2;
    }
    rubric = *std::move(loaded);
  }
  auto sites = ReadSitesCsv(config.sites_file);
  if (!sites.ok()) {
    std::fprintf(stderr, "census run: %s\n", std::string(sites.status().message()).c_str());
    return 1;
  }
  std::vector<report::InputError> input_errors = sites->errors;
  ColumnList columns;
  if (!config.columns_file.empty()) {
    auto cols = ReadColumnsCsv(config.columns_file, *sites);
    if (!cols.ok()) {
      std::fprintf(stderr, "census run: %s\n", std::string(cols.status().message()).c_str());
      return 1;
    }
    columns = std::move(*cols);
    input_errors.insert(input_errors.end(), columns.errors.begin(), columns.errors.end());
  }
  for (const auto& e : input_errors) {
    std::fprintf(stderr, "%s:%d: %s (row skipped)\n", e.file().c_str(), e.line(),
                 e.reason().c_str());
  }
  if (sites->sites.empty()) {
    std::fprintf(stderr, "census run: %s lists no usable site\n", config.sites_file.c_str());
    return 1;
  }
  absl::CivilDay as_of = ToCensusDay(started);
  if (config.as_of != "now") ParseCivilDay(config.as_of, &as_of);

  // Content scanning: the built-in lexicon plus --lexicon FILE, one scanner shared by
  // every worker.
  auto scanner = LoadLexiconScanner(config.lexicon_file);
  if (!scanner.ok()) {
    std::fprintf(stderr, "census run: %s\n", std::string(scanner.status().message()).c_str());
    return 1;
  }

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    std::fprintf(stderr, "census run: cannot create --data %s: %s\n", config.data_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  auto store = Store::Open((std::filesystem::path(config.data_dir) / "store-0").string());
  if (!store.ok()) {
    std::fprintf(stderr, "census run: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }

  zmq::context_t context;
  const std::string coordinator_endpoint = "inproc://coordinator";
  const std::string store_endpoint = "inproc://store-0";
  StoreServer store_server(context, store_endpoint, **store);
  if (auto st = store_server.Bind(); !st.ok()) {
    std::fprintf(stderr, "census run: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  CoordinatorOptions coordinator_options;
  coordinator_options.data_dir = (std::filesystem::path(config.data_dir) / "coordinator").string();
  coordinator_options.as_of = FormatCivilDay(as_of);
  coordinator_options.probes = config.probes;
  coordinator_options.probe_interval = config.probe_interval;
  coordinator_options.ipv6_probes = config.ipv6_probes;
  coordinator_options.https_check = config.https_check;
  coordinator_options.max_pages_per_site = config.max_pages_per_site;
  coordinator_options.respect_robots = !config.no_robots;
  coordinator_options.max_list_pages = config.max_list_pages;
  const std::string run_id = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", started, absl::UTCTimeZone());
  coordinator_options.run_id = run_id;
  // A lease must outlive its slowest transfers and the politeness queue.
  coordinator_options.lease_timeout =
      std::max(absl::Minutes(5), config.page_timeout * 4 + config.probe_timeout);
  Coordinator coordinator(context, coordinator_endpoint, coordinator_options);
  if (auto st = coordinator.Start(); !st.ok()) {
    std::fprintf(stderr, "census run: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  if (auto st = coordinator.AddSites(sites->sites, columns.by_site); !st.ok()) {
    std::fprintf(stderr, "census run: %s\n", std::string(st.message()).c_str());
    return 1;
  }

  absl::Status store_status, coordinator_status;
  std::thread store_thread([&] { store_status = store_server.Serve(); });
  std::thread coordinator_thread([&] { coordinator_status = coordinator.Serve(); });

  WarnWithoutRenderer("census run", config.render, config.chromium);
  FetcherOptions fetcher_options;
  for (const auto& spec : config.connect_to)
    fetcher_options.connect_to.push_back(*ConnectTo::Parse(spec));
  fetcher_options.max_host_connections = config.host_connections;
  fetcher_options.per_host_delay = config.host_delay;
  fetcher_options.allow_private_addresses = config.allow_private;
  fetcher_options.ca_file = config.ca_file;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<absl::Status> worker_status(config.workers);
  std::vector<std::thread> worker_threads;
  for (int i = 0; i < config.workers; ++i) {
    WorkerOptions options;
    options.worker_id = absl::StrCat("worker-", i);
    options.coordinator_endpoint = coordinator_endpoint;
    options.store_endpoints = {store_endpoint};
    options.fetcher = fetcher_options;
    options.probe_timeout = config.probe_timeout;
    options.page_timeout = config.page_timeout;
    options.recheck_delay = config.recheck_delay;
    options.scanner = scanner->get();
    options.render = config.render;
    if (!config.chromium.empty()) options.renderer.chromium_path = config.chromium;
    options.renderer.render_timeout = config.render_timeout;
    workers.push_back(std::make_unique<Worker>(context, options));
  }
  for (int i = 0; i < config.workers; ++i) {
    worker_threads.emplace_back([&, i] { worker_status[i] = workers[i]->Run(); });
  }

  ProgressPrinter printer(config.quiet);
  absl::Time last_print = absl::InfinitePast();
  while (true) {
    CoordinatorProgress p = coordinator.progress();
    absl::Time now = absl::Now();
    if (p.complete) {
      printer.Print(p, now - started, true);
      break;
    }
    if (now - last_print >= absl::Milliseconds(isatty(STDERR_FILENO) ? 250 : 2000)) {
      printer.Print(p, now - started, false);
      last_print = now;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  for (auto& t : worker_threads) t.join();
  coordinator.Stop();
  store_server.Stop();
  coordinator_thread.join();
  store_thread.join();
  absl::Time finished = absl::Now();
  for (const auto& st : worker_status) {
    if (!st.ok())
      std::fprintf(stderr, "census run: worker: %s\n", std::string(st.message()).c_str());
  }
  int64_t renders = 0, render_failures = 0;
  for (const auto& w : workers) {
    renders += w->stats().renders;
    render_failures += w->stats().render_failures;
  }
  if (renders + render_failures > 0 && !config.quiet) {
    std::fprintf(stderr,
                 "census run: %lld column pages rendered in headless Chromium, %lld without a "
                 "rendered look (their columns are unverified-blank where empty)\n",
                 static_cast<long long>(renders), static_cast<long long>(render_failures));
  }

  // The run goes into the store first, so that `census replay` can recompute this very
  // report (and score it under another rubric) later.
  CoordinatorProgress progress = coordinator.progress();
  RunRecord run;
  run.set_run_id(run_id);
  run.set_started_ms(absl::ToUnixMillis(started));
  run.set_finished_ms(absl::ToUnixMillis(finished));
  run.set_as_of(FormatCivilDay(as_of));
  run.set_sites(static_cast<int>(sites->sites.size()));
  for (const Site& site : sites->sites) run.add_site_ids(site.site_id());
  run.set_pages_fetched(progress.pages_fetched);
  run.set_rubric_text(rubric.text);
  for (const report::InputError& e : input_errors) *run.add_input_errors() = e;
  if (auto st = (*store)->PutRun(run); !st.ok()) {
    std::fprintf(stderr, "census run: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  auto census_summary =
      WriteRunReports(**store, run, rubric, config.out_dir, config.quiet, config.evidence_base);
  if (!census_summary.ok()) {
    std::fprintf(stderr, "census run: report: %s\n",
                 std::string(census_summary.status().message()).c_str());
    return 1;
  }
  const report::CensusSummary& summary = *census_summary;
  std::filesystem::path out(config.out_dir);
  PrintReportPaths(out);
  std::printf("census %s: %d sites, %d failed (%d unreachable), %d pages fetched, %.1fs%s\n",
              summary.as_of().c_str(), summary.sites(), summary.failed(), summary.unreachable(),
              summary.pages_fetched(), absl::ToDoubleSeconds(finished - started),
              input_errors.empty()
                  ? ""
                  : absl::StrCat(", ", input_errors.size(), " bad input rows skipped").c_str());
  return 0;
}

int RunExtract(const std::vector<std::string>& args) {
  std::string url, as_of_text, file;
  bool column_page = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::printf(
          "usage: census extract [--url URL] [--as-of YYYY-MM-DD] [--column] FILE|-\n"
          "  Prints, as JSON, what the census extracts from one saved page (any charset):\n"
          "  kind, title, dated items, latest and publication dates, links, candidate\n"
          "  columns. --url resolves relative links (and names the page's site);\n"
          "  --as-of resolves year-less dates; --column reads the page as a column's page\n"
          "  (one dated row is a list; its own text and breadcrumb are printed:\n"
          "  docs/COLUMNS.md).\n");
      return 0;
    }
    if (args[i] == "--column") {
      column_page = true;  // read it as a census reads a column's page
    } else if (args[i] == "--url" && i + 1 < args.size()) {
      url = args[++i];
    } else if (args[i] == "--as-of" && i + 1 < args.size()) {
      as_of_text = args[++i];
    } else if (file.empty() && (args[i] == "-" || args[i].rfind("--", 0) != 0)) {
      file = args[i];
    } else {
      std::fprintf(stderr, "census extract: unexpected argument '%s'\n\n%s", args[i].c_str(),
                   kUsage);
      return 2;
    }
  }
  if (file.empty()) {
    std::fprintf(stderr, "census extract: name a saved page (or - for stdin)\n\n%s", kUsage);
    return 2;
  }
  ExtractOptions options;
  options.base_url = url;
  options.column_page = column_page;
  options.as_of = ToCensusDay(absl::Now());
  if (!as_of_text.empty() && !ParseCivilDay(as_of_text, &options.as_of)) {
    std::fprintf(stderr, "census extract: --as-of wants YYYY-MM-DD, not '%s'\n",
                 as_of_text.c_str());
    return 2;
  }
  auto bytes = ReadInputFile(file);
  if (!bytes.ok()) {
    std::fprintf(stderr, "census extract: %s\n", std::string(bytes.status().message()).c_str());
    return 1;
  }
  auto page = ExtractPage(*bytes, "", options);
  if (!page.ok()) {
    std::fprintf(stderr, "census extract: %s: %s\n", file.c_str(),
                 std::string(page.status().message()).c_str());
    return 1;
  }
  std::printf("%s\n", PageExtractToJson(*page).c_str());
  return 0;
}

}  // namespace census
