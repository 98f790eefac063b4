#include <atomic>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
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

}  // namespace
}  // namespace census
