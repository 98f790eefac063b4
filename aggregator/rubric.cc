// The rubric as data: a text-format census.Rubric (proto/rubric.proto) parsed,
// validated and resolved into the typed Rubric the verdict code reads.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "aggregator/aggregator.h"
#include "common/category.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "proto/rubric.pb.h"

namespace census {

// Defined in the generated gov_2019_rubric.cc (aggregator/CMakeLists.txt).
extern const char kGov2019RubricText[];

namespace {

namespace rpb = ::census::rubric;

// Collects the text-format parser's first error as "SOURCE:LINE:COLUMN: message".
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  explicit FirstError(std::string source) : source_(std::move(source)) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (error_.empty())
      error_ = absl::StrCat(source_, ":", line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
  const std::string& error() const { return error_; }

 private:
  std::string source_;
  std::string error_;
};

// Empty when valid; otherwise what is wrong with the window.
std::string WindowProblem(const rpb::RubricWindow& w) {
  if (w.days() < 0 || w.months() < 0) return "must not be negative";
  if ((w.days() > 0) == (w.months() > 0)) return "needs exactly one of days or months";
  return "";
}

RubricWindow ToWindow(const rpb::RubricWindow& w) {
  RubricWindow out;
  out.days = w.days();
  out.months = w.months();
  return out;
}

class Validator {
 public:
  explicit Validator(std::string source) : source_(std::move(source)) {}

  absl::Status Error(const std::string& what) const {
    return absl::InvalidArgumentError(absl::StrCat(source_, ": ", what));
  }
  absl::Status RuleError(const std::string& rule, const std::string& what) const {
    return Error(absl::StrCat("rule ", rule, ": ", what));
  }
  absl::Status Window(const std::string& rule, const char* field, bool present,
                      const rpb::RubricWindow& w) const {
    if (!present) return RuleError(rule, absl::StrCat(field, " is required"));
    std::string problem = WindowProblem(w);
    if (!problem.empty()) return RuleError(rule, absl::StrCat(field, " ", problem));
    return absl::OkStatus();
  }

 private:
  std::string source_;
};

absl::StatusOr<Rubric> Resolve(const rpb::Rubric& spec, const std::string& source) {
  Validator v(source);
  Rubric rubric;
  if (spec.name().empty()) return v.Error("name is required");
  rubric.name = spec.name();
  rubric.description = spec.description();
  if (spec.fail_below() < 0 || spec.fail_below() > 100) {
    return v.Error("fail_below must be within 0..100");
  }
  rubric.fail_below = spec.fail_below();

  for (const rpb::CategoryRule& rule : spec.category()) {
    std::optional<Category> category = ParseCategoryName(rule.category());
    const std::string label = absl::StrCat("category ", rule.category());
    if (!category) return v.Error(absl::StrCat(label, ": unknown category"));
    if (rubric.categories.count(*category) > 0)
      return v.Error(absl::StrCat(label, ": given twice"));
    if (!rule.has_window()) return v.Error(absl::StrCat(label, ": window is required"));
    std::string problem = WindowProblem(rule.window());
    if (!problem.empty()) return v.Error(absl::StrCat(label, ": window ", problem));
    if (rule.points() < 0) return v.Error(absl::StrCat(label, ": points must be >= 0"));
    rubric.categories[*category] = {ToWindow(rule.window()), rule.points()};
  }
  for (const std::string& name : spec.should_update()) {
    std::optional<Category> category = ParseCategoryName(name);
    if (!category) return v.Error(absl::StrCat("should_update: unknown category ", name));
    rubric.should_update.insert(*category);
  }
  for (const std::string& term : spec.consultation_exclude()) {
    if (term.empty()) return v.Error("consultation_exclude: empty term");
    rubric.consultation_exclude.push_back(term);
  }
  for (const std::string& term : spec.online_system_keyword()) {
    if (term.empty()) return v.Error("online_system_keyword: empty term");
    rubric.online_system_keywords.push_back(term);
  }

  const std::map<std::string, RubricRule*> vetoes = {
      {"site_unreachable", &rubric.site_unreachable},
      {"homepage_stale", &rubric.homepage_stale},
      {"columns_stale", &rubric.columns_stale},
      {"long_unupdated", &rubric.long_unupdated},
      {"blank_columns", &rubric.blank_columns},
      {"interaction_unanswered", &rubric.interaction_unanswered},
      {"serious_error", &rubric.serious_error}};
  for (const rpb::VetoRule& rule : spec.veto()) {
    const std::string& name = rule.rule();
    auto it = vetoes.find(name);
    if (it == vetoes.end()) return v.Error(absl::StrCat("unknown veto rule \"", name, "\""));
    RubricRule* out = it->second;
    if (out->enabled) return v.RuleError(name, "given twice");
    if (name == "site_unreachable") {
      if (!(rule.threshold() > 0 && rule.threshold() <= 1)) {
        return v.RuleError(name, "threshold must be a ratio in (0, 1]");
      }
    } else if (name != "homepage_stale" && rule.threshold() < 1) {
      return v.RuleError(name, "threshold must be >= 1");
    }
    if (name == "homepage_stale" || name == "long_unupdated" || name == "interaction_unanswered") {
      absl::Status st = v.Window(name, "window", rule.has_window(), rule.window());
      if (!st.ok()) return st;
    }
    if (name == "interaction_unanswered") {
      absl::Status st = v.Window(name, "lookback", rule.has_lookback(), rule.lookback());
      if (!st.ok()) return st;
    }
    out->enabled = true;
    out->threshold = rule.threshold();
    out->window = ToWindow(rule.window());
    out->lookback = ToWindow(rule.lookback());
  }

  const std::map<std::string, RubricRule*> deductions = {
      {"homepage_availability", &rubric.homepage_availability},
      {"broken_links_homepage", &rubric.broken_links_homepage},
      {"broken_links_other", &rubric.broken_links_other},
      {"attachments_unavailable", &rubric.attachments_unavailable},
      {"online_systems_unavailable", &rubric.online_systems_unavailable},
      {"homepage_update_volume", &rubric.homepage_update_volume},
      {"columns_not_updated", &rubric.columns_not_updated},
      {"interaction_slow_replies", &rubric.interaction_slow_replies},
      {"ipv6_unsupported", &rubric.ipv6_unsupported},
      {"https_unavailable", &rubric.https_unavailable},
      {"certificate_invalid", &rubric.certificate_invalid}};
  for (const rpb::DeductionRule& rule : spec.deduction()) {
    const std::string& name = rule.rule();
    auto it = deductions.find(name);
    if (it == deductions.end())
      return v.Error(absl::StrCat("unknown deduction rule \"", name, "\""));
    RubricRule* out = it->second;
    if (out->enabled) return v.RuleError(name, "given twice");
    if (rule.points() < 0) return v.RuleError(name, "points must be >= 0");
    if (rule.cap() < 0) return v.RuleError(name, "cap must be >= 0");
    if (name == "columns_not_updated" && rule.points() != 0) {
      return v.RuleError(name, "points come from the category rules; leave points out");
    }
    if (name == "homepage_update_volume") {
      if (rule.threshold() < 1) return v.RuleError(name, "threshold must be >= 1");
      absl::Status st = v.Window(name, "window", rule.has_window(), rule.window());
      if (!st.ok()) return st;
    }
    if (name == "interaction_slow_replies" && rule.threshold() < 1) {
      return v.RuleError(name, "threshold must be >= 1 (days)");
    }
    out->enabled = true;
    out->points = rule.points();
    out->cap = rule.cap();
    out->threshold = rule.threshold();
    out->window = ToWindow(rule.window());
  }

  const std::map<std::string, RubricRule*> warnings = {
      {"unreachable_ratio", &rubric.warn_unreachable_ratio},
      {"homepage_not_updated", &rubric.warn_homepage_not_updated},
      {"blank_columns", &rubric.warn_blank_columns},
      {"columns_not_updated", &rubric.warn_columns_not_updated},
      {"certificate_expiring", &rubric.warn_certificate_expiring}};
  for (const rpb::WarningRule& rule : spec.warning()) {
    const std::string& name = rule.rule();
    auto it = warnings.find(name);
    if (it == warnings.end()) return v.Error(absl::StrCat("unknown warning rule \"", name, "\""));
    RubricRule* out = it->second;
    if (out->enabled) return v.Error(absl::StrCat("warning ", name, ": given twice"));
    if (name == "unreachable_ratio" ? !(rule.threshold() >= 0 && rule.threshold() < 1)
                                    : rule.threshold() < 0) {
      return v.Error(absl::StrCat("warning ", name, ": threshold must be ",
                                  name == "unreachable_ratio" ? "a ratio in [0, 1)" : ">= 0"));
    }
    if (name == "certificate_expiring" && rule.threshold() < 1) {
      return v.Error(absl::StrCat("warning ", name, ": threshold must be >= 1 (days)"));
    }
    out->enabled = true;
    out->threshold = rule.threshold();
  }
  return rubric;
}

}  // namespace

absl::CivilDay WindowStart(absl::CivilDay as_of, const RubricWindow& window) {
  if (window.months > 0) {
    absl::CivilMonth month = absl::CivilMonth(as_of) - window.months;
    int days_in_month = static_cast<int>(absl::CivilDay(month + 1) - absl::CivilDay(month));
    return absl::CivilDay(month.year(), month.month(), std::min(as_of.day(), days_in_month));
  }
  return as_of - window.days;
}

absl::StatusOr<Rubric> ParseRubric(const std::string& text, const std::string& source) {
  rpb::Rubric spec;
  google::protobuf::TextFormat::Parser parser;
  FirstError errors(source);
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &spec)) {
    return absl::InvalidArgumentError(
        errors.error().empty() ? absl::StrCat(source, ": not a rubric") : errors.error());
  }
  absl::StatusOr<Rubric> rubric = Resolve(spec, source);
  if (rubric.ok()) rubric->text = text;
  return rubric;
}

absl::StatusOr<Rubric> LoadRubricFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("rubric file ", path, ": cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  return ParseRubric(text.str(), path);
}

const std::string& DefaultRubricText() {
  static const auto* text = new std::string(kGov2019RubricText);
  return *text;
}

const Rubric& DefaultRubric() {
  static const Rubric* rubric = [] {
    absl::StatusOr<Rubric> parsed = ParseRubric(DefaultRubricText(), "rubrics/gov-2019.textproto");
    if (!parsed.ok()) {  // guarded by site_verdict_test
      std::fprintf(stderr, "built-in rubric: %s\n", std::string(parsed.status().message()).c_str());
      std::abort();
    }
    return new Rubric(*std::move(parsed));
  }();
  return *rubric;
}

}  // namespace census
