#ifndef CENSUS_OPS_METRICS_H_
#define CENSUS_OPS_METRICS_H_

// A small metrics registry every Census role serves on /metrics, rendered in the
// Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// Why hand-written: Debian 12 packages no Prometheus C++ client, and the roles need
// only counters, gauges, gauges read at scrape time and fixed-bucket histograms.
//
// Thread-safety: registration and Render() may run concurrently from any threads.
// Counter/Gauge/Histogram updates are lock-free atomics (relaxed order), cheap enough
// for per-page calls on worker hot paths. Render() takes a consistent view of which
// series exist, but not a point-in-time snapshot of their values: values updated
// during a scrape may be seen before or after the update, as with every Prometheus
// client.
//
// Registration contract (the names are constants chosen by the roles at startup, so a
// bad one is a bug, not a runtime condition; a crash with a message in the first test
// that builds the role finds it, where a Status would burden every call site):
// registration calls std::abort() after printing the reason to stderr when
//   - the metric name does not match [a-zA-Z_:][a-zA-Z0-9_:]*;
//   - a counter's name does not end in "_total", or a gauge's or histogram's does
//     (the Prometheus naming convention, which `promtool check metrics` lints);
//   - help is empty, or differs from the help an earlier series of that name gave;
//   - the name was registered before as another metric type (or, for histograms,
//     with other bucket bounds);
//   - a label name does not match [a-zA-Z_][a-zA-Z0-9_]*, starts with "__" (reserved
//     by Prometheus), is repeated within one series, or is "le" on a histogram;
//   - a series with the same name and the same label set (in any order) exists;
//   - histogram bounds are not finite and strictly increasing.
// Other promtool lints (units such as "milliseconds", camelCase) are the caller's to
// respect; ops_test runs promtool over a representative registry.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace census {

// (name, value) pairs; rendered in the order given.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// A monotonically increasing count. Exposed as an integer.
class Counter {
 public:
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Adds n. A counter never goes down: negative n is ignored.
  void Increment(int64_t n = 1) {
    if (n > 0) value_.fetch_add(n, std::memory_order_relaxed);
  }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  friend class MetricsRegistry;
  Counter() = default;
  std::atomic<int64_t> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  friend class MetricsRegistry;
  Gauge() = default;
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets. Rendered as cumulative
// name_bucket{le="bound"} series, le="+Inf", name_sum and name_count.
class Histogram {
 public:
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Counts v in the first bucket whose bound is >= v (the "le" semantics) and adds it
  // to the sum. NaN lands only in +Inf and makes the sum NaN, as in the Prometheus
  // client libraries.
  void Observe(double v);

  // A snapshot for rendering and tests. `cumulative[i]` counts observations <=
  // bounds()[i]; the last entry (index bounds().size()) is the +Inf bucket and equals
  // count, by construction, even while other threads observe.
  struct Snapshot {
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  friend class MetricsRegistry;
  explicit Histogram(std::vector<double> bounds);

  const std::vector<double> bounds_;
  // Non-cumulative counts per bucket; bounds_.size() + 1 entries, the last for +Inf.
  // _count is their total rather than a separate atomic, so a scrape can never show
  // a +Inf bucket that disagrees with _count.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0.0};
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;
  ~MetricsRegistry();

  // Each call adds one series. Series sharing a name form one family, rendered under
  // one # HELP / # TYPE block at the position of the family's first registration;
  // see the registration contract above. The returned pointers are never null and
  // live as long as the registry.
  Counter* AddCounter(absl::string_view name, absl::string_view help, MetricLabels labels = {});
  Gauge* AddGauge(absl::string_view name, absl::string_view help, MetricLabels labels = {});
  // `bounds`: the finite, strictly increasing upper bounds; +Inf is implicit.
  Histogram* AddHistogram(absl::string_view name, absl::string_view help,
                          std::vector<double> bounds, MetricLabels labels = {});
  // A gauge whose value `read` returns at scrape time (queue depths, leases out).
  // `read` runs on the scraping thread with no registry lock held, so it may take the
  // caller's own locks (a role's mutex that is also held while registering cannot
  // deadlock a scrape). It must be thread-safe, quick (a scrape waits for it), and
  // whatever it captures must outlive the registry's last Render().
  void AddGaugeCallback(absl::string_view name, absl::string_view help, MetricLabels labels,
                        std::function<double()> read);

  // The exposition text (format 0.0.4): families in registration order, series in
  // registration order within a family. Empty when nothing is registered.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    std::string rendered_labels;  // `k="v",k2="v2"` (escaped), without braces
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;  // gauge callback
  };
  struct Family {
    std::string name;
    std::string help;
    Type type;
    std::vector<std::unique_ptr<Series>> series;
    std::vector<double> bounds;            // histograms: every series shares them
    std::vector<MetricLabels> label_sets;  // sorted copies, to refuse duplicates
  };

  // Validates and appends a series (aborting on a contract violation); returns it for
  // the caller to fill. Called with mu_ held.
  Series* AddSeries(absl::string_view name, absl::string_view help, Type type, MetricLabels labels,
                    const std::vector<double>* bounds);

  mutable std::mutex mu_;  // guards families_ and by_name_; not the metric values
  std::vector<std::unique_ptr<Family>> families_;
  std::map<std::string, Family*, std::less<>> by_name_;
};

// Exposed for tests and for roles that build their own text: the 0.0.4 escapings and
// number formatting.
std::string EscapeLabelValue(absl::string_view v);  // \ " and newline
std::string EscapeHelp(absl::string_view v);        // \ and newline
// Shortest text that parses back to v; "+Inf", "-Inf", "NaN" for the specials.
std::string FormatMetricValue(double v);

}  // namespace census

#endif  // CENSUS_OPS_METRICS_H_
