// aggregate_benchmark: times the aggregation of a national-scale census.
//
// Builds (or reuses) a synthetic store per size — a real storage::Store holding a census
// of N sites × C columns: per site 20 probes in the run window, a homepage observation
// with dated items and links, C column observations with ~10 dated items each, a fetch
// record per page and a few link checks — then runs census::Aggregate() over it in a
// fresh child process and reports wall time, CPU time and peak RSS (wait4 rusage), and
// how they grow with N. Not part of ctest. docs/BENCHMARKS.md has the figures.
//
//   aggregate_benchmark --dir DIR [--sites 10000,100000] [--columns 100] [--items 10]
//                       [--probes 20] [--link-checks 5] [--report-bench [--protobuf-json]]
//                       [--build-only] [--stream] [--write OUT] [--dump-json PREFIX]
//
// --report-bench also times ReportToJson (wall and CPU seconds, MB/s) and ReportToHtml on
// the aggregated report; --protobuf-json times as well protobuf's MessageToJsonString with
// report.json's options (what ReportToJson used before its hand-written printer) on the
// same report and checks that the two print the same bytes.
//
// --stream times AggregateEach (each site's report dropped once counted, as a streaming
// report writer would) instead of Aggregate (the whole CensusReport held in memory);
// --write OUT streams AggregateEachRendered into a ReportWriter
// (OUT/sites-N/report.{json,csv,html}), which is what `census run` does.
// --build-only builds the missing stores and stops; --dump-json writes each size's
// report.json text to PREFIX-N.json (to check that a change leaves the report as it was).
//
// Stores live in DIR/sites-N-cC (reused when DIR/sites-N-cC/COMPLETE exists), compacted
// once after building (DIR/sites-N-cC/COMPACTED), as a live shard's would be.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "aggregator/aggregator.h"
#include "common/clock.h"
#include "google/protobuf/util/json_util.h"
#include "proto/census.pb.h"
#include "storage/store.h"

namespace census {
namespace {

struct Config {
  std::string dir;
  std::vector<int> sizes = {10000, 100000};
  int columns = 100;
  int items = 10;
  int probes = 20;
  int link_checks = 5;
  bool report_bench = false;   // also time ReportToJson / ReportToHtml
  bool protobuf_json = false;  // and MessageToJsonString, the printer ReportToJson replaced
  bool build_only = false;     // build the stores, do not aggregate
  bool stream = false;         // AggregateEach (sites dropped as they come) instead of Aggregate
  std::string dump_json;       // write the report's JSON here (DUMP-N.json per size)
  std::string write_dir;       // AggregateEach into a ReportWriter here (WRITE/sites-N/), as
                               // `census run` does: aggregation and the three report files
};

constexpr absl::CivilDay kAsOf(2026, 11, 20);

int64_t DayMs(absl::CivilDay day) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(day), absl::FixedTimeZone(8 * 3600)));
}

const Category kCategories[] = {NEWS,        NOTICE,  POLICY, PERSONNEL, PLAN,
                                INTERACTION, SERVICE, TOPIC,  OTHER};
const char* const kCategoryNames[] = {"要闻动态", "通知公告", "政策文件", "人事信息", "规划计划",
                                      "政民互动", "办事服务", "专题专栏", "其他"};

std::string FakeHash(uint64_t a, uint64_t b) {
  return absl::StrFormat("%016x%016x%016x%016x", a * 0x9e3779b97f4a7c15ULL, b, a ^ b, a + b);
}

// One site's census as the workers would have stored it. Deterministic from `i`.
ResultBatch MakeSite(int i, const Config& config) {
  const int64_t run_started = DayMs(kAsOf - 7);
  const int64_t run_finished = DayMs(kAsOf);
  ResultBatch batch;
  batch.set_lease_id(static_cast<uint64_t>(i) + 1);
  Site* site = batch.mutable_site();
  site->set_site_id(absl::StrFormat("42%08d", i));
  site->set_name(absl::StrCat("模拟市第", i, "号政府网站"));
  const std::string host = absl::StrFormat("http://s%d.gov.cn", i);
  site->set_url(host + "/");
  site->set_org(absl::StrCat("模拟单位", i % 997));
  site->set_region(absl::StrFormat("42%02d00", i % 17));
  site->set_level(i % 10 == 0 ? "city" : (i % 3 == 0 ? "department" : "county"));
  site->set_kind(i % 10 == 0 ? "portal" : "department");

  // Probes: most sites fine, every 40th misses 2 of 20 (10%: vetoed), every 1000th is down.
  for (int p = 0; p < config.probes; ++p) {
    FetchRecord* probe = batch.add_fetches();
    probe->set_site_id(site->site_id());
    probe->set_kind(PROBE);
    probe->set_url(site->url());
    probe->set_probe_index(p);
    probe->set_fetched_at_ms(run_started +
                             (p + 1) * (run_finished - run_started) / (config.probes + 1));
    bool failed = (i % 1000 == 999) || (i % 40 == 7 && p < 2);
    probe->set_status(failed ? 0 : 200);
    probe->set_error(failed ? TIMEOUT : FETCH_OK);
    probe->set_elapsed_ms(failed ? 15000 : 120 + (i + p) % 300);
  }

  const int64_t fetched = run_finished - 3600 * 1000;
  // Homepage: 20 dated items, links to every column and to its items.
  PageObservation* home = batch.add_observations();
  home->set_site_id(site->site_id());
  home->set_kind(HOMEPAGE);
  home->set_url(site->url());
  home->set_page_kind("home");
  home->set_title(site->name());
  home->set_fetched_at_ms(fetched);
  home->set_content_hash(FakeHash(i, 0));
  const int home_age = (i % 25 == 3) ? 30 : i % 5;  // every 25th homepage is stale
  for (int k = 0; k < 20; ++k) {
    ListItem* item = home->add_items();
    item->set_title(absl::StrCat("首页要闻", k));
    item->set_href(absl::StrCat(host, "/c0/", k, ".html"));
    item->set_date(FormatCivilDay(kAsOf - home_age - k * 2));
    home->add_links(item->href());
  }
  FetchRecord* home_fetch = batch.add_fetches();
  home_fetch->set_site_id(site->site_id());
  home_fetch->set_kind(HOMEPAGE);
  home_fetch->set_url(site->url());
  home_fetch->set_status(200);
  home_fetch->set_fetched_at_ms(fetched);
  home_fetch->set_content_hash(home->content_hash());

  for (int c = 0; c < config.columns; ++c) {
    Column* column = batch.add_columns();
    column->set_site_id(site->site_id());
    column->set_name(absl::StrCat(kCategoryNames[c % 9], c / 9));
    column->set_url(absl::StrCat(host, "/c", c, "/"));
    column->set_category(kCategories[c % 9]);
    column->set_declared(true);
    home->add_links(column->url());

    PageObservation* obs = batch.add_observations();
    obs->set_site_id(site->site_id());
    obs->set_kind(COLUMN);
    obs->set_url(column->url());
    *obs->mutable_column() = *column;
    obs->set_page_kind("list");
    obs->set_fetched_at_ms(fetched);
    obs->set_content_hash(FakeHash(i, c + 1));
    obs->set_list_pages(1);
    // A column's newest item is 0..59 days old (some stale news), items every 1..9
    // days; a few blank columns (every 7th site has 6: vetoed).
    const bool blank = (i % 7 == 0) ? c >= config.columns - 6 : (c == config.columns - 1);
    const int age = (i * 7 + c * 13) % 60;
    const int step = 1 + (i + c) % 9;
    for (int k = 0; !blank && k < config.items; ++k) {
      ListItem* item = obs->add_items();
      item->set_title(absl::StrCat("信息", c, "-", k));
      item->set_href(absl::StrCat(host, "/c", c, "/", k, ".html"));
      item->set_date(FormatCivilDay(kAsOf - age - k * step));
      obs->add_links(item->href());
    }
    if (!blank) obs->set_latest_date(obs->items(0).date());
    obs->set_blank_placeholder(blank && c % 2 == 0);

    FetchRecord* fetch = batch.add_fetches();
    fetch->set_site_id(site->site_id());
    fetch->set_kind(COLUMN);
    fetch->set_url(column->url());
    fetch->set_status(200);
    fetch->set_fetched_at_ms(fetched);
    fetch->set_content_hash(obs->content_hash());
  }

  // A few link checks of homepage items: every other one a 404.
  for (int k = 0; k < config.link_checks; ++k) {
    FetchRecord* check = batch.add_fetches();
    check->set_site_id(site->site_id());
    check->set_kind(LINK_CHECK);
    check->set_url(absl::StrCat(host, "/c0/", k, ".html"));
    check->set_fetched_at_ms(fetched + k);
    check->set_status(k % 2 == 1 ? 404 : 200);
    check->set_error(k % 2 == 1 ? HTTP_404 : FETCH_OK);
    check->set_attempts(k % 2 == 1 ? 2 : 1);
  }
  return batch;
}

double Seconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }
double CpuSeconds(const rusage& ru) { return Seconds(ru.ru_utime) + Seconds(ru.ru_stime); }
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int64_t DirBytes(const std::string& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) total += static_cast<int64_t>(entry.file_size(ec));
  }
  return total;
}

// Runs `fn` in a forked child; returns its exit status and rusage (wait4: that child only).
struct ChildResult {
  int status = -1;
  rusage usage{};
  double wall = 0;
  std::string output;  // what the child wrote to the pipe
};

template <typename Fn>
ChildResult RunChild(Fn fn) {
  int fds[2];
  if (pipe(fds) != 0) {
    std::perror("pipe");
    std::exit(1);
  }
  std::fflush(nullptr);
  double start = NowSeconds();
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    int code = fn(&out);
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = write(fds[1], out.data() + off, out.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(fds[1]);
    std::fflush(nullptr);
    _exit(code);
  }
  close(fds[1]);
  ChildResult result;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) result.output.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  while (wait4(pid, &result.status, 0, &result.usage) < 0 && errno == EINTR) {
  }
  result.wall = NowSeconds() - start;
  return result;
}

int BuildStore(const std::string& path, int sites, const Config& config, std::string* out) {
  StoreOptions options;
  options.sync_writes = false;
  auto store = Store::Open(path, options);
  if (!store.ok()) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), store.status().ToString().c_str());
    return 1;
  }
  double start = NowSeconds();
  for (int i = 0; i < sites; ++i) {
    absl::Status s = (*store)->Write(MakeSite(i, config));
    if (!s.ok()) {
      std::fprintf(stderr, "write site %d: %s\n", i, s.ToString().c_str());
      return 1;
    }
    if ((i + 1) % 10000 == 0) {
      std::fprintf(stderr, "  built %d / %d sites (%.0f s)\n", i + 1, sites, NowSeconds() - start);
    }
  }
  RunRecord run;
  run.set_run_id("bench");
  run.set_started_ms(DayMs(kAsOf - 7));
  run.set_finished_ms(DayMs(kAsOf));
  run.set_as_of(FormatCivilDay(kAsOf));
  run.set_sites(sites);
  absl::Status s = (*store)->PutRun(run);
  if (!s.ok()) return 1;
  store->reset();  // flush + close
  std::ofstream(path + "/COMPLETE") << sites << "\n";
  *out = absl::StrFormat("%.2f", NowSeconds() - start);
  return 0;
}

// Compacts the records of a built store down to one sorted run (Store::CompactRecords,
// with the Store's own compression), as a shard that has been live for a while is: a
// store closed right after a bulk load still has a dozen overlapping level-0 files, each
// of which every seek must visit.
int CompactStore(const std::string& path, std::string* out) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path);
  if (!store.ok()) {
    std::fprintf(stderr, "compact: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  double start = NowSeconds();
  absl::Status s = (*store)->CompactRecords();
  store->reset();
  if (!s.ok()) {
    std::fprintf(stderr, "compact %s: %s\n", path.c_str(), std::string(s.message()).c_str());
    return 1;
  }
  std::ofstream(path + "/COMPACTED") << "1\n";
  *out = absl::StrFormat("%.2f", NowSeconds() - start);
  return 0;
}

int AggregateStore(const std::string& path, int sites_hint, const Config& config,
                   std::string* out) {
  StoreOptions options;
  options.read_only = true;
  auto store = Store::Open(path, options);
  if (!store.ok()) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), store.status().ToString().c_str());
    return 1;
  }
  AggregateOptions agg;
  agg.as_of = kAsOf;
  agg.run_started_ms = DayMs(kAsOf - 7);
  agg.run_finished_ms = DayMs(kAsOf);
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  double start = NowSeconds();
  int64_t columns = 0;
  int64_t broken = 0;
  absl::StatusOr<report::CensusReport> report = report::CensusReport();
  if (!config.write_dir.empty()) {
    auto writer = ReportWriter::Open(absl::StrCat(config.write_dir, "/sites-", sites_hint),
                                     FormatCivilDay(kAsOf));
    if (!writer.ok()) {
      std::fprintf(stderr, "report writer: %s\n", writer.status().ToString().c_str());
      return 1;
    }
    auto summary = AggregateEachRendered(
        **store, agg, [&](report::SiteReport& site, const RenderedSite& rendered) {
          columns += site.columns_size();
          broken += site.links().broken_size();
          return (*writer)->Add(site, rendered);
        });
    if (summary.ok()) {
      const double finish_start = NowSeconds();
      absl::Status st = (*writer)->Finish(*summary);
      std::fprintf(stderr, "  ReportWriter::Finish (head, tail, assembly, renames): %.1f s\n",
                   NowSeconds() - finish_start);
      if (!st.ok()) {
        report = st;
      } else {
        *report->mutable_census() = *std::move(summary);
      }
    } else {
      report = summary.status();
    }
  } else if (config.stream) {
    // AggregateEach: each site's report is counted and dropped, as a streaming writer
    // would do after writing it out.
    auto summary = AggregateEach(**store, agg, [&](report::SiteReport& site) {
      columns += site.columns_size();
      broken += site.links().broken_size();
      return absl::OkStatus();
    });
    if (summary.ok()) {
      *report->mutable_census() = *std::move(summary);
    } else {
      report = summary.status();
    }
  } else {
    report = Aggregate(**store, agg);
  }
  double wall = NowSeconds() - start;
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  if (!report.ok()) {
    std::fprintf(stderr, "aggregate: %s\n", report.status().ToString().c_str());
    return 1;
  }
  for (const report::SiteReport& site : report->sites()) {
    columns += site.columns_size();
    broken += site.links().broken_size();
  }
  *out =
      absl::StrFormat("%.3f %.3f %ld %d %d %d %d %d", wall, CpuSeconds(after) - CpuSeconds(before),
                      after.ru_maxrss, report->census().sites(), report->census().failed(),
                      report->census().unreachable(), columns, broken);
  if (!config.dump_json.empty()) {
    auto json = ReportToJson(*report);
    if (!json.ok()) {
      std::fprintf(stderr, "report json: %s\n", json.status().ToString().c_str());
      return 1;
    }
    std::ofstream(absl::StrCat(config.dump_json, "-", report->census().sites(), ".json")) << *json;
  }
  if (config.report_bench) {
    double t0 = NowSeconds();
    double cpu0 = ThreadCpuSeconds();
    auto json = ReportToJson(*report);
    double cpu1 = ThreadCpuSeconds();
    double t1 = NowSeconds();
    std::string html = ReportToHtml(*report);
    double t2 = NowSeconds();
    rusage end{};
    getrusage(RUSAGE_SELF, &end);
    absl::StrAppendFormat(out, " %.3f %d %.3f %d %ld %.3f", t1 - t0,
                          json.ok() ? static_cast<int64_t>(json->size()) : -1, t2 - t1,
                          static_cast<int64_t>(html.size()), end.ru_maxrss, cpu1 - cpu0);
    if (config.protobuf_json) {
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      options.always_print_primitive_fields = true;
      options.add_whitespace = true;
      std::string protobuf;
      double p0 = NowSeconds();
      double pcpu0 = ThreadCpuSeconds();
      auto status = google::protobuf::util::MessageToJsonString(*report, &protobuf, options);
      double pcpu1 = ThreadCpuSeconds();
      double p1 = NowSeconds();
      absl::StrAppendFormat(out, " %.3f %.3f %d", p1 - p0, pcpu1 - pcpu0,
                            status.ok() && json.ok() && protobuf == *json ? 1 : 0);
    }
  }
  return 0;
}

bool ParseArgs(int argc, char** argv, Config* config) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](int* out) {
      return i + 1 < argc && absl::SimpleAtoi(argv[++i], out) && *out >= 0;
    };
    if (arg == "--dir" && i + 1 < argc) {
      config->dir = argv[++i];
    } else if (arg == "--sites" && i + 1 < argc) {
      config->sizes.clear();
      for (absl::string_view part : absl::StrSplit(argv[++i], ',')) {
        int n = 0;
        if (!absl::SimpleAtoi(part, &n) || n <= 0) return false;
        config->sizes.push_back(n);
      }
    } else if (arg == "--columns") {
      if (!value(&config->columns) || config->columns < 6) return false;
    } else if (arg == "--items") {
      if (!value(&config->items) || config->items < 1) return false;
    } else if (arg == "--probes") {
      if (!value(&config->probes)) return false;
    } else if (arg == "--link-checks") {
      if (!value(&config->link_checks)) return false;
    } else if (arg == "--report-bench") {
      config->report_bench = true;
    } else if (arg == "--protobuf-json") {
      config->protobuf_json = true;
    } else if (arg == "--stream") {
      config->stream = true;
    } else if (arg == "--write" && i + 1 < argc) {
      config->write_dir = argv[++i];
    } else if (arg == "--build-only") {
      config->build_only = true;
    } else if (arg == "--dump-json" && i + 1 < argc) {
      config->dump_json = argv[++i];
    } else {
      return false;
    }
  }
  return !config->dir.empty();
}

int Main(int argc, char** argv) {
  Config config;
  if (!ParseArgs(argc, argv, &config)) {
    std::fprintf(stderr,
                 "usage: aggregate_benchmark --dir DIR [--sites 10000,100000] [--columns 100] "
                 "[--items 10] [--probes 20] [--link-checks 5] [--report-bench [--protobuf-json]] "
                 "[--build-only] [--stream] [--write OUT] [--dump-json PREFIX]\n");
    return 2;
  }
  std::filesystem::create_directories(config.dir);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf(
      "census aggregation benchmark (%s): %d columns × %d items a site, %d probes, %d link "
      "checks; %ld CPUs, load average %.1f (other work slows wall time: compare CPU s)\n",
      !config.write_dir.empty() ? "AggregateEach into ReportWriter, the three files written"
      : config.stream           ? "AggregateEach, sites dropped"
                                : "Aggregate, whole report held",
      config.columns, config.items, config.probes, config.link_checks,
      sysconf(_SC_NPROCESSORS_ONLN), load[0]);
  struct Row {
    int sites = 0;
    double agg_wall = 0, agg_cpu = 0;
    long agg_rss_kb = 0;
    double build_wall = -1;
    int64_t store_bytes = 0;
  };
  std::vector<Row> rows;
  for (int n : config.sizes) {
    std::string path = absl::StrCat(config.dir, "/sites-", n, "-c", config.columns);
    Row row;
    row.sites = n;
    if (!std::filesystem::exists(path + "/COMPLETE")) {
      std::filesystem::remove_all(path);
      std::fprintf(stderr, "building %s ...\n", path.c_str());
      ChildResult built =
          RunChild([&](std::string* out) { return BuildStore(path, n, config, out); });
      if (built.status != 0) {
        std::fprintf(stderr, "building the store failed\n");
        return 1;
      }
      row.build_wall = built.wall;
      std::printf("build  %7d sites: %8.1f s wall, %8.1f s CPU, peak RSS %6.0f MiB\n", n,
                  built.wall, CpuSeconds(built.usage), built.usage.ru_maxrss / 1024.0);
    }
    if (!std::filesystem::exists(path + "/COMPACTED")) {
      std::fprintf(stderr, "compacting %s ...\n", path.c_str());
      ChildResult compacted = RunChild([&](std::string* out) { return CompactStore(path, out); });
      if (compacted.status != 0) {
        std::fprintf(stderr, "compacting the store failed\n");
        return 1;
      }
      if (row.build_wall >= 0) row.build_wall += compacted.wall;
      std::printf("compact %6d sites: %8.1f s wall, %8.1f s CPU\n", n, compacted.wall,
                  CpuSeconds(compacted.usage));
    }
    row.store_bytes = DirBytes(path);
    if (config.build_only) {
      std::printf("store  %7d sites: %.0f MiB in %s\n", n, row.store_bytes / 1048576.0,
                  path.c_str());
      continue;
    }
    ChildResult agg =
        RunChild([&](std::string* out) { return AggregateStore(path, n, config, out); });
    if (agg.status != 0) {
      std::fprintf(stderr, "aggregation failed\n");
      return 1;
    }
    std::vector<std::string> f = absl::StrSplit(agg.output, ' ');
    int sites = 0, failed = 0, unreachable = 0;
    int64_t columns = 0, broken = 0;
    if (f.size() < 8 || !absl::SimpleAtod(f[0], &row.agg_wall) ||
        !absl::SimpleAtod(f[1], &row.agg_cpu) || !absl::SimpleAtoi(f[2], &row.agg_rss_kb) ||
        !absl::SimpleAtoi(f[3], &sites) || !absl::SimpleAtoi(f[4], &failed) ||
        !absl::SimpleAtoi(f[5], &unreachable) || !absl::SimpleAtoi(f[6], &columns) ||
        !absl::SimpleAtoi(f[7], &broken)) {
      std::fprintf(stderr, "bad child output: %s\n", agg.output.c_str());
      return 1;
    }
    std::printf(
        "aggregate %7d sites: %8.2f s wall, %8.2f s CPU, peak RSS %6.0f MiB (process: %.2f s "
        "wall incl. open); store %.0f MiB; report: %d sites, %d failed, %d unreachable, %ld "
        "columns, %ld broken links\n",
        n, row.agg_wall, row.agg_cpu, row.agg_rss_kb / 1024.0, agg.wall,
        row.store_bytes / 1048576.0, sites, failed, unreachable, columns, broken);
    if (f.size() >= 13) {
      std::printf(
          "report    %7d sites: ReportToJson %s s (%.0f MiB), ReportToHtml %s s (%.0f MiB), "
          "peak RSS %.0f MiB\n",
          n, f[8].c_str(), std::atof(f[9].c_str()) / 1048576.0, f[10].c_str(),
          std::atof(f[11].c_str()) / 1048576.0, std::atof(f[12].c_str()) / 1024.0);
    }
    if (f.size() >= 14) {
      const double bytes = std::atof(f[9].c_str());
      std::printf("report.json %5d sites: ReportToJson %.1f MB/s wall, %.1f MB/s CPU (%s s CPU)\n",
                  n, bytes / 1e6 / std::atof(f[8].c_str()), bytes / 1e6 / std::atof(f[13].c_str()),
                  f[13].c_str());
    }
    if (f.size() >= 17) {
      const double bytes = std::atof(f[9].c_str());
      std::printf(
          "report.json %5d sites: MessageToJsonString %.1f MB/s wall, %.1f MB/s CPU (%s s CPU); "
          "%s\n",
          n, bytes / 1e6 / std::atof(f[14].c_str()), bytes / 1e6 / std::atof(f[15].c_str()),
          f[15].c_str(), f[16] == "1" ? "the same bytes" : "DIFFERENT BYTES");
    }
    std::fflush(stdout);
    rows.push_back(row);
  }
  std::printf(
      "\n| sites | store MiB | build s | aggregate wall s | CPU s | peak RSS MiB | µs/site "
      "| growth vs first |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const Row& row : rows) {
    std::printf("| %d | %.0f | %s | %.2f | %.2f | %.0f | %.0f | %.2f× time for %.0f× sites |\n",
                row.sites, row.store_bytes / 1048576.0,
                row.build_wall < 0 ? "(reused)" : absl::StrFormat("%.0f", row.build_wall).c_str(),
                row.agg_wall, row.agg_cpu, row.agg_rss_kb / 1024.0, row.agg_wall * 1e6 / row.sites,
                row.agg_wall / rows[0].agg_wall, static_cast<double>(row.sites) / rows[0].sites);
  }
  return 0;
}

}  // namespace
}  // namespace census

int main(int argc, char** argv) { return census::Main(argc, argv); }
