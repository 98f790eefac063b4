#include <curl/curl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ops/http_server.h"
#include "ops/metrics.h"

namespace census {
namespace {

using ::testing::HasSubstr;

// ---- MetricsRegistry::Render ---------------------------------------------------------

TEST(MetricsRenderTest, EmptyRegistryRendersNothing) {
  MetricsRegistry registry;
  EXPECT_EQ(registry.Render(), "");
}

TEST(MetricsRenderTest, CountersWithLabelsShareOneHelpAndTypeBlock) {
  MetricsRegistry registry;
  Counter* ok = registry.AddCounter("census_pages_fetched_total", "Pages fetched.",
                                    {{"role", "worker"}, {"outcome", "ok"}});
  Counter* restarts = registry.AddCounter("census_restarts_total", "Process restarts.");
  // A second series of the first family, registered after another family: it is
  // rendered inside the first family's block, not as a second block.
  Counter* failed = registry.AddCounter("census_pages_fetched_total", "Pages fetched.",
                                        {{"role", "worker"}, {"outcome", "error"}});
  ok->Increment();
  ok->Increment(41);
  failed->Increment(3);
  failed->Increment(-5);  // ignored: counters never go down
  failed->Increment(0);
  EXPECT_EQ(ok->value(), 42);
  EXPECT_EQ(failed->value(), 3);
  EXPECT_EQ(restarts->value(), 0);
  EXPECT_EQ(registry.Render(),
            "# HELP census_pages_fetched_total Pages fetched.\n"
            "# TYPE census_pages_fetched_total counter\n"
            "census_pages_fetched_total{role=\"worker\",outcome=\"ok\"} 42\n"
            "census_pages_fetched_total{role=\"worker\",outcome=\"error\"} 3\n"
            "# HELP census_restarts_total Process restarts.\n"
            "# TYPE census_restarts_total counter\n"
            "census_restarts_total 0\n");
}

TEST(MetricsRenderTest, GaugesAndCallbacks) {
  MetricsRegistry registry;
  Gauge* depth = registry.AddGauge("census_queue_depth", "Queued items.", {{"queue", "fetch"}});
  int leases = 7;
  registry.AddGaugeCallback("census_queue_depth", "Queued items.", {{"queue", "store"}},
                            [&leases] { return static_cast<double>(leases) * 2; });
  registry.AddGaugeCallback("census_leases_out", "Leases handed out and not returned.", {},
                            [&leases] { return static_cast<double>(leases); });
  Gauge* temp = registry.AddGauge("census_ratio", "A ratio.");
  depth->Set(2.5);
  depth->Add(-1);
  temp->Set(-0.125);
  EXPECT_EQ(depth->value(), 1.5);
  const std::string first = registry.Render();
  EXPECT_EQ(first,
            "# HELP census_queue_depth Queued items.\n"
            "# TYPE census_queue_depth gauge\n"
            "census_queue_depth{queue=\"fetch\"} 1.5\n"
            "census_queue_depth{queue=\"store\"} 14\n"
            "# HELP census_leases_out Leases handed out and not returned.\n"
            "# TYPE census_leases_out gauge\n"
            "census_leases_out 7\n"
            "# HELP census_ratio A ratio.\n"
            "# TYPE census_ratio gauge\n"
            "census_ratio -0.125\n");
  // Callbacks are read at scrape time, not at registration.
  leases = 9;
  depth->Set(1e6);
  EXPECT_THAT(registry.Render(), HasSubstr("census_queue_depth{queue=\"fetch\"} 1e+06\n"
                                           "census_queue_depth{queue=\"store\"} 18\n"));
  EXPECT_THAT(registry.Render(), HasSubstr("census_leases_out 9\n"));
}

TEST(MetricsRenderTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  MetricsRegistry registry;
  Histogram* h = registry.AddHistogram("census_fetch_seconds", "Fetch latency.", {0.25, 1, 2.5},
                                       {{"role", "worker"}});
  Histogram* empty = registry.AddHistogram("census_page_bytes", "Page sizes.", {1024});
  // 0.25 sits exactly on a bound: "le" counts it in that bucket.
  for (double v : {0.125, 0.25, 0.5, 1.0, 4.0, 8.0}) h->Observe(v);
  const Histogram::Snapshot snap = h->Read();
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{2, 4, 4, 6}));
  EXPECT_EQ(snap.count, 6u);
  EXPECT_EQ(snap.sum, 13.875);
  EXPECT_EQ(registry.Render(),
            "# HELP census_fetch_seconds Fetch latency.\n"
            "# TYPE census_fetch_seconds histogram\n"
            "census_fetch_seconds_bucket{role=\"worker\",le=\"0.25\"} 2\n"
            "census_fetch_seconds_bucket{role=\"worker\",le=\"1\"} 4\n"
            "census_fetch_seconds_bucket{role=\"worker\",le=\"2.5\"} 4\n"
            "census_fetch_seconds_bucket{role=\"worker\",le=\"+Inf\"} 6\n"
            "census_fetch_seconds_sum{role=\"worker\"} 13.875\n"
            "census_fetch_seconds_count{role=\"worker\"} 6\n"
            "# HELP census_page_bytes Page sizes.\n"
            "# TYPE census_page_bytes histogram\n"
            "census_page_bytes_bucket{le=\"1024\"} 0\n"
            "census_page_bytes_bucket{le=\"+Inf\"} 0\n"
            "census_page_bytes_sum 0\n"
            "census_page_bytes_count 0\n");
  (void)empty;
}

TEST(MetricsRenderTest, HistogramNaNGoesToInfOnly) {
  MetricsRegistry registry;
  Histogram* h = registry.AddHistogram("census_x_seconds", "X.", {1});
  h->Observe(std::numeric_limits<double>::quiet_NaN());
  const Histogram::Snapshot snap = h->Read();
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(snap.count, 1u);
  EXPECT_THAT(registry.Render(), HasSubstr("census_x_seconds_sum NaN\n"));
}

TEST(MetricsRenderTest, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry;
  registry.AddCounter("census_errors_total",
                      "Errors by message.\nSecond line, a \\ and \"quotes\".",
                      {{"message", "path C:\\tmp \"x\"\nnext"}});
  EXPECT_EQ(registry.Render(),
            "# HELP census_errors_total Errors by message.\\nSecond line, a \\\\ and \"quotes\".\n"
            "# TYPE census_errors_total counter\n"
            "census_errors_total{message=\"path C:\\\\tmp \\\"x\\\"\\nnext\"} 0\n");
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");
}

TEST(MetricsRenderTest, FormatsNumbers) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(0.1), "0.1");
  EXPECT_EQ(FormatMetricValue(-2.5), "-2.5");
  EXPECT_EQ(FormatMetricValue(123456789), "123456789");
  EXPECT_EQ(FormatMetricValue(1e6), "1e+06");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(MetricsRenderTest, ConcurrentUpdatesAreNotLost) {
  MetricsRegistry registry;
  Counter* c = registry.AddCounter("census_ops_total", "Ops.");
  Gauge* g = registry.AddGauge("census_level", "Level.");
  Histogram* h = registry.AddHistogram("census_size_bytes", "Sizes.", {10, 100});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50000;
  std::atomic<bool> stop{false};
  std::thread scraper([&] {
    while (!stop.load()) {
      const std::string text = registry.Render();
      ASSERT_THAT(text, HasSubstr("# TYPE census_size_bytes histogram\n"));
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        c->Increment();
        g->Add(1);
        h->Observe(t * 50);  // 0, 50, 100, 150
      }
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  scraper.join();
  EXPECT_EQ(c->value(), kThreads * kPerThread);
  EXPECT_EQ(g->value(), kThreads * kPerThread);
  const Histogram::Snapshot snap = h->Read();
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{kPerThread, 3 * kPerThread, 4 * kPerThread}));
  EXPECT_EQ(snap.sum, 300.0 * kPerThread);
}

// ---- Registration contract -------------------------------------------------------------

TEST(MetricsRegistrationDeathTest, RefusesContractViolations) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(MetricsRegistry().AddGauge("9lives", "h"), "not a valid metric name");
  EXPECT_DEATH(MetricsRegistry().AddGauge("census-dash", "h"), "not a valid metric name");
  EXPECT_DEATH(MetricsRegistry().AddCounter("census_pages", "h"), "must end in _total");
  EXPECT_DEATH(MetricsRegistry().AddGauge("census_pages_total", "h"), "only counters");
  EXPECT_DEATH(MetricsRegistry().AddGauge("census_x", ""), "help is empty");
  EXPECT_DEATH(MetricsRegistry().AddGauge("census_x", "h", {{"bad-label", "v"}}), "bad label name");
  EXPECT_DEATH(MetricsRegistry().AddGauge("census_x", "h", {{"__name__", "v"}}), "reserved");
  EXPECT_DEATH(MetricsRegistry().AddGauge("census_x", "h", {{"a", "1"}, {"a", "2"}}),
               "given twice");
  EXPECT_DEATH(MetricsRegistry().AddHistogram("census_x", "h", {1}, {{"le", "1"}}), "\"le\"");
  EXPECT_DEATH(MetricsRegistry().AddHistogram("census_x", "h", {1, 1}), "strictly increasing");
  EXPECT_DEATH(
      MetricsRegistry().AddHistogram("census_x", "h", {std::numeric_limits<double>::infinity()}),
      "finite");
  EXPECT_DEATH(MetricsRegistry().AddGaugeCallback("census_x", "h", {}, nullptr), "empty");
  EXPECT_DEATH(
      {
        MetricsRegistry r;
        r.AddGauge("census_x", "h", {{"a", "1"}, {"b", "2"}});
        r.AddGauge("census_x", "h", {{"b", "2"}, {"a", "1"}});  // same set, other order
      },
      "a series with these labels exists");
  EXPECT_DEATH(
      {
        MetricsRegistry r;
        r.AddGauge("census_x", "h", {{"a", "1"}});
        r.AddGaugeCallback("census_x", "h", {{"a", "1"}}, [] { return 1.0; });
      },
      "a series with these labels exists");
  EXPECT_DEATH(
      {
        MetricsRegistry r;
        r.AddGauge("census_x", "h");
        r.AddHistogram("census_x", "h", {1}, {{"a", "1"}});
      },
      "another type");
  EXPECT_DEATH(
      {
        MetricsRegistry r;
        r.AddGauge("census_x", "h", {{"a", "1"}});
        r.AddGauge("census_x", "other", {{"a", "2"}});
      },
      "other help");
  EXPECT_DEATH(
      {
        MetricsRegistry r;
        r.AddHistogram("census_x", "h", {1}, {{"a", "1"}});
        r.AddHistogram("census_x", "h", {2}, {{"a", "2"}});
      },
      "other bucket bounds");
}

// ---- OpsHttpServer ---------------------------------------------------------------------

struct HttpResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string content_type;
  std::string allow;  // the Allow header, if any
};

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t CaptureAllow(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  if (absl::StartsWithIgnoreCase(line, "Allow:")) {
    std::string value = line.substr(6);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    *static_cast<std::string*>(out) = value;
  }
  return size * n;
}

HttpResult Fetch(int port, const std::string& path, const std::string& method = "GET") {
  HttpResult result;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    result.code = CURLE_FAILED_INIT;
    return result;
  }
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY,
                   "*");  // an http_proxy in the environment must not interfere
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &CaptureAllow);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.allow);
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "x=1");
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  result.code = curl_easy_perform(curl);
  if (result.code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
    const char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) result.content_type = type;
  }
  curl_easy_cleanup(curl);
  return result;
}

// A registry shaped like a role's: labelled counters, gauges, a callback, histograms,
// and a label value that needs escaping.
void FillSampleRegistry(MetricsRegistry* registry, std::atomic<int>* leases) {
  registry
      ->AddCounter("census_pages_fetched_total", "Pages fetched, by outcome.", {{"outcome", "ok"}})
      ->Increment(12);
  registry
      ->AddCounter("census_pages_fetched_total", "Pages fetched, by outcome.",
                   {{"outcome", "error"}})
      ->Increment(2);
  registry
      ->AddCounter("census_fetch_errors_total", "Fetch errors, by message.",
                   {{"message", "tls: \"bad\" cert\\chain\nline 2"}})
      ->Increment();
  registry->AddGauge("census_store_open_files", "Files the store holds open.")->Set(37);
  registry->AddGaugeCallback("census_leases_out", "Leases handed out and not yet returned.", {},
                             [leases] { return static_cast<double>(leases->load()); });
  Histogram* h = registry->AddHistogram("census_fetch_duration_seconds", "Page fetch latency.",
                                        {0.05, 0.1, 0.5, 1, 5}, {{"scheme", "https"}});
  for (double v : {0.01, 0.07, 0.3, 0.3, 2.0, 9.0}) h->Observe(v);
  registry->AddHistogram("census_fetch_duration_seconds", "Page fetch latency.",
                         {0.05, 0.1, 0.5, 1, 5}, {{"scheme", "http"}});
}

TEST(OpsHttpServerTest, ServesMetricsHealthAndReadiness) {
  MetricsRegistry registry;
  std::atomic<int> leases{3};
  FillSampleRegistry(&registry, &leases);
  std::atomic<bool> ready{false};
  absl::StatusOr<std::unique_ptr<OpsHttpServer>> server =
      OpsHttpServer::Start("127.0.0.1:0", &registry, [&ready] { return ready.load(); });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  ASSERT_GT(port, 0);

  HttpResult metrics = Fetch(port, "/metrics");
  ASSERT_EQ(metrics.code, CURLE_OK) << curl_easy_strerror(metrics.code);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.body, registry.Render());
  EXPECT_THAT(metrics.body, HasSubstr("census_leases_out 3\n"));
  EXPECT_THAT(metrics.body, HasSubstr("census_pages_fetched_total{outcome=\"ok\"} 12\n"));
  EXPECT_THAT(metrics.body,
              HasSubstr("census_fetch_duration_seconds_bucket{scheme=\"https\",le=\"+Inf\"} 6\n"));
  leases = 5;  // a callback gauge is read per scrape
  EXPECT_THAT(Fetch(port, "/metrics?ignored=1").body, HasSubstr("census_leases_out 5\n"));

  HttpResult health = Fetch(port, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");

  HttpResult not_ready = Fetch(port, "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready\n");
  ready = true;
  HttpResult now_ready = Fetch(port, "/readyz");
  EXPECT_EQ(now_ready.status, 200);
  EXPECT_EQ(now_ready.body, "ready\n");

  HttpResult missing = Fetch(port, "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, "not found\n");
  EXPECT_EQ(Fetch(port, "/").status, 404);
  EXPECT_EQ(Fetch(port, "/metrics/").status, 404);

  HttpResult post = Fetch(port, "/metrics", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.allow, "GET, HEAD");
  EXPECT_EQ(Fetch(port, "/healthz", "DELETE").status, 405);
  EXPECT_EQ(Fetch(port, "/nope", "PUT").status, 404);

  HttpResult head = Fetch(port, "/metrics", "HEAD");
  EXPECT_EQ(head.code, CURLE_OK);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(head.body, "");

  server->reset();  // the destructor stops listening
  EXPECT_EQ(Fetch(port, "/healthz").code, CURLE_COULDNT_CONNECT);
}

TEST(OpsHttpServerTest, EmptyReadyMeansAlwaysReadyAndLocalhostWorks) {
  MetricsRegistry registry;
  absl::StatusOr<std::unique_ptr<OpsHttpServer>> server =
      OpsHttpServer::Start("localhost:0", &registry, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  HttpResult ready = Fetch((*server)->port(), "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  HttpResult metrics = Fetch((*server)->port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "");
}

TEST(OpsHttpServerTest, AddressInUseIsAClearError) {
  MetricsRegistry registry;
  absl::StatusOr<std::unique_ptr<OpsHttpServer>> first =
      OpsHttpServer::Start("127.0.0.1:0", &registry, nullptr);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string address = absl::StrCat("127.0.0.1:", (*first)->port());
  absl::StatusOr<std::unique_ptr<OpsHttpServer>> second =
      OpsHttpServer::Start(address, &registry, nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(address));
  EXPECT_THAT(second.status().message(), HasSubstr("in use"));
  // The first server is unharmed.
  EXPECT_EQ(Fetch((*first)->port(), "/healthz").status, 200);
}

TEST(OpsHttpServerTest, RefusesMalformedAddresses) {
  MetricsRegistry registry;
  for (const char* bad :
       {"", "9100", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:http",
        "example.com:9100", ":9100", "[::1]:9100", "127.0.0.1:9100x"}) {
    absl::StatusOr<std::unique_ptr<OpsHttpServer>> server =
        OpsHttpServer::Start(bad, &registry, nullptr);
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(OpsHttpServer::Start("127.0.0.1:0", nullptr, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// ---- promtool ------------------------------------------------------------------------

struct CommandResult {
  int exit_status = -1;
  std::string output;  // stdout and stderr
};

// Runs `promtool check metrics < path` (promtool: Debian package "prometheus").
CommandResult PromtoolCheck(const std::string& path) {
  CommandResult result;
  const std::string command = absl::StrCat("promtool check metrics < '", path, "' 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) result.output.append(buf, n);
  const int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string WriteTempFile(const std::string& name, const std::string& contents) {
  const std::string path = absl::StrCat(testing::TempDir(), "/", name, ".", getpid(), ".prom");
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

TEST(PromtoolTest, ScrapedMetricsPassPromtoolCheck) {
  MetricsRegistry registry;
  std::atomic<int> leases{4};
  FillSampleRegistry(&registry, &leases);
  absl::StatusOr<std::unique_ptr<OpsHttpServer>> server =
      OpsHttpServer::Start("127.0.0.1:0", &registry, nullptr);
  ASSERT_TRUE(server.ok()) << server.status();
  HttpResult metrics = Fetch((*server)->port(), "/metrics");
  ASSERT_EQ(metrics.status, 200);
  ASSERT_FALSE(metrics.body.empty());

  const std::string path = WriteTempFile("scraped", metrics.body);
  const CommandResult check = PromtoolCheck(path);
  std::remove(path.c_str());
  ASSERT_NE(check.exit_status, 127)
      << "promtool not found; scripts/install-deps.sh installs it (package prometheus)";
  EXPECT_EQ(check.exit_status, 0) << check.output << "\n--- checked:\n" << metrics.body;
  EXPECT_EQ(check.output, "") << "--- checked:\n" << metrics.body;
}

// The check above can fail: promtool flags text that breaks the rules the registry
// enforces (a counter without _total, a family split into two blocks).
TEST(PromtoolTest, PromtoolFlagsWhatTheRegistryRefuses) {
  const std::string path = WriteTempFile("bad",
                                         "# HELP census_pages Pages.\n"
                                         "# TYPE census_pages counter\n"
                                         "census_pages 1\n");
  const CommandResult lint = PromtoolCheck(path);
  std::remove(path.c_str());
  ASSERT_NE(lint.exit_status, 127);
  EXPECT_NE(lint.exit_status, 0);
  EXPECT_THAT(lint.output, HasSubstr("_total"));

  const std::string split = WriteTempFile("split",
                                          "# HELP census_a_total A.\n"
                                          "# TYPE census_a_total counter\n"
                                          "census_a_total{x=\"1\"} 1\n"
                                          "# HELP census_b B.\n"
                                          "# TYPE census_b gauge\n"
                                          "census_b 1\n"
                                          "# HELP census_a_total A.\n"
                                          "# TYPE census_a_total counter\n"
                                          "census_a_total{x=\"2\"} 1\n");
  const CommandResult parse = PromtoolCheck(split);
  std::remove(split.c_str());
  EXPECT_NE(parse.exit_status, 0) << parse.output;
}

}  // namespace
}  // namespace census
