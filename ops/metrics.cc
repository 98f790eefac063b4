#include "ops/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace census {

// The hot paths promise no locks (metrics.h); hold the platform to it.
static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(std::atomic<double>::is_always_lock_free);

namespace {

// Registration contract violations are programming errors (see metrics.h).
[[noreturn]] void RegistrationError(absl::string_view name, absl::string_view why) {
  std::fprintf(stderr, "MetricsRegistry: cannot register \"%.*s\": %.*s\n",
               static_cast<int>(name.size()), name.data(), static_cast<int>(why.size()),
               why.data());
  std::abort();
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool ValidMetricName(absl::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!(IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && IsAsciiDigit(c)))) return false;
  }
  return true;
}

// [a-zA-Z_][a-zA-Z0-9_]*
bool ValidLabelName(absl::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!(IsAsciiLetter(c) || c == '_' || (i > 0 && IsAsciiDigit(c)))) return false;
  }
  return true;
}

void AppendSample(std::string* out, absl::string_view name, absl::string_view labels,
                  absl::string_view value) {
  absl::StrAppend(out, name);
  if (!labels.empty()) absl::StrAppend(out, "{", labels, "}");
  absl::StrAppend(out, " ", value, "\n");
}

}  // namespace

std::string EscapeLabelValue(absl::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeHelp(absl::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Shortest round-trip form ("0.25", "1e+06"), which Prometheus parses exactly.
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::Observe(double v) {
  // lower_bound: the first bound >= v. NaN compares false with everything, so the
  // explicit check sends it to +Inf.
  const size_t i = std::isnan(v)
                       ? bounds_.size()
                       : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                             bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Series* MetricsRegistry::AddSeries(absl::string_view name, absl::string_view help,
                                                    Type type, MetricLabels labels,
                                                    const std::vector<double>* bounds) {
  if (!ValidMetricName(name)) RegistrationError(name, "not a valid metric name");
  const bool total_suffix = absl::EndsWith(name, "_total");
  if (type == Type::kCounter && !total_suffix) {
    RegistrationError(name, "a counter's name must end in _total");
  }
  if (type != Type::kCounter && total_suffix) {
    RegistrationError(name, "only counters' names end in _total");
  }
  if (help.empty()) RegistrationError(name, "help is empty");
  if (bounds != nullptr) {
    for (size_t i = 0; i < bounds->size(); ++i) {
      if (!std::isfinite((*bounds)[i]) || (i > 0 && !((*bounds)[i - 1] < (*bounds)[i]))) {
        RegistrationError(name, "histogram bounds must be finite and strictly increasing");
      }
    }
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string& key = labels[i].first;
    if (!ValidLabelName(key)) RegistrationError(name, absl::StrCat("bad label name \"", key, "\""));
    if (absl::StartsWith(key, "__")) {
      RegistrationError(name, absl::StrCat("label name \"", key, "\" is reserved"));
    }
    if (type == Type::kHistogram && key == "le") {
      RegistrationError(name, "a histogram cannot have an \"le\" label");
    }
    for (size_t j = 0; j < i; ++j) {
      if (labels[j].first == key) {
        RegistrationError(name, absl::StrCat("label \"", key, "\" given twice"));
      }
    }
  }

  Family* family;
  auto it = by_name_.find(name);
  if (it == by_name_.end()) {
    auto owned = std::make_unique<Family>();
    owned->name = std::string(name);
    owned->help = std::string(help);
    owned->type = type;
    if (bounds != nullptr) owned->bounds = *bounds;
    family = owned.get();
    families_.push_back(std::move(owned));
    by_name_.emplace(family->name, family);
  } else {
    family = it->second;
    if (family->type != type) RegistrationError(name, "registered before as another type");
    if (family->help != help) RegistrationError(name, "registered before with other help");
    if (bounds != nullptr && family->bounds != *bounds) {
      RegistrationError(name, "registered before with other bucket bounds");
    }
  }

  MetricLabels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  if (std::find(family->label_sets.begin(), family->label_sets.end(), sorted) !=
      family->label_sets.end()) {
    RegistrationError(name, "a series with these labels exists");
  }
  family->label_sets.push_back(std::move(sorted));

  auto series = std::make_unique<Series>();
  for (const auto& [key, value] : labels) {
    if (!series->rendered_labels.empty()) series->rendered_labels += ",";
    absl::StrAppend(&series->rendered_labels, key, "=\"", EscapeLabelValue(value), "\"");
  }
  family->series.push_back(std::move(series));
  return family->series.back().get();
}

Counter* MetricsRegistry::AddCounter(absl::string_view name, absl::string_view help,
                                     MetricLabels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series* s = AddSeries(name, help, Type::kCounter, std::move(labels), nullptr);
  s->counter.reset(new Counter());  // private constructor: make_unique cannot reach it
  return s->counter.get();
}

Gauge* MetricsRegistry::AddGauge(absl::string_view name, absl::string_view help,
                                 MetricLabels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series* s = AddSeries(name, help, Type::kGauge, std::move(labels), nullptr);
  s->gauge.reset(new Gauge());
  return s->gauge.get();
}

Histogram* MetricsRegistry::AddHistogram(absl::string_view name, absl::string_view help,
                                         std::vector<double> bounds, MetricLabels labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series* s = AddSeries(name, help, Type::kHistogram, std::move(labels), &bounds);
  s->histogram.reset(new Histogram(std::move(bounds)));
  return s->histogram.get();
}

void MetricsRegistry::AddGaugeCallback(absl::string_view name, absl::string_view help,
                                       MetricLabels labels, std::function<double()> read) {
  if (!read) RegistrationError(name, "the callback is empty");
  std::lock_guard<std::mutex> lock(mu_);
  Series* s = AddSeries(name, help, Type::kGauge, std::move(labels), nullptr);
  s->read = std::move(read);
}

std::string MetricsRegistry::Render() const {
  // Which series exist is copied under the lock; values are read after releasing it,
  // so gauge callbacks run unlocked (see AddGaugeCallback). Families and series are
  // never removed and their fields other than `series` never change after
  // registration, so the pointers stay valid and readable.
  std::vector<std::pair<const Family*, std::vector<const Series*>>> view;
  {
    std::lock_guard<std::mutex> lock(mu_);
    view.reserve(families_.size());
    for (const auto& family : families_) {
      std::vector<const Series*> series;
      series.reserve(family->series.size());
      for (const auto& s : family->series) series.push_back(s.get());
      view.emplace_back(family.get(), std::move(series));
    }
  }

  std::string out;
  for (const auto& [family, series] : view) {
    const char* type = family->type == Type::kCounter ? "counter"
                       : family->type == Type::kGauge ? "gauge"
                                                      : "histogram";
    absl::StrAppend(&out, "# HELP ", family->name, " ", EscapeHelp(family->help), "\n");
    absl::StrAppend(&out, "# TYPE ", family->name, " ", type, "\n");
    for (const Series* s : series) {
      if (s->counter != nullptr) {
        AppendSample(&out, family->name, s->rendered_labels, absl::StrCat(s->counter->value()));
      } else if (s->gauge != nullptr) {
        AppendSample(&out, family->name, s->rendered_labels, FormatMetricValue(s->gauge->value()));
      } else if (s->read) {
        AppendSample(&out, family->name, s->rendered_labels, FormatMetricValue(s->read()));
      } else if (s->histogram != nullptr) {
        const Histogram::Snapshot snap = s->histogram->Read();
        const std::vector<double>& bounds = s->histogram->bounds();
        const std::string bucket = absl::StrCat(family->name, "_bucket");
        const std::string prefix = s->rendered_labels.empty() ? "" : s->rendered_labels + ",";
        for (size_t i = 0; i <= bounds.size(); ++i) {
          const std::string le =
              i < bounds.size() ? FormatMetricValue(bounds[i]) : std::string("+Inf");
          AppendSample(&out, bucket, absl::StrCat(prefix, "le=\"", le, "\""),
                       absl::StrCat(snap.cumulative[i]));
        }
        AppendSample(&out, absl::StrCat(family->name, "_sum"), s->rendered_labels,
                     FormatMetricValue(snap.sum));
        AppendSample(&out, absl::StrCat(family->name, "_count"), s->rendered_labels,
                     absl::StrCat(snap.count));
      }
    }
  }
  return out;
}

}  // namespace census
