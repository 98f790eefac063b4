// ParseRubric: the rubric as data (a province's variant or a new year's index is a file).

#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "aggregator/aggregator.h"

namespace census {

absl::StatusOr<Rubric> ParseRubric(const std::string& text) {
  Rubric rubric;
  using Setter = std::function<bool(absl::string_view)>;
  auto int_field = [](int* field) -> Setter {
    return [field](absl::string_view v) { return absl::SimpleAtoi(v, field) && *field >= 0; };
  };
  auto double_field = [](double* field) -> Setter {
    return [field](absl::string_view v) { return absl::SimpleAtod(v, field) && *field >= 0; };
  };
  const std::map<std::string, Setter> setters = {
      {"name",
       [&rubric](absl::string_view v) {
         rubric.name = std::string(v);
         return !v.empty();
       }},
      {"unreachable_veto_ratio", double_field(&rubric.unreachable_veto_ratio)},
      {"homepage_window_days", int_field(&rubric.homepage_window_days)},
      {"news_window_days", int_field(&rubric.news_window_days)},
      {"notice_policy_window_months", int_field(&rubric.notice_policy_window_months)},
      {"personnel_plan_window_months", int_field(&rubric.personnel_plan_window_months)},
      {"stale_columns_veto", int_field(&rubric.stale_columns_veto)},
      {"blank_columns_veto", int_field(&rubric.blank_columns_veto)},
      {"availability_points_per_percent", double_field(&rubric.availability_points_per_percent)},
      {"homepage_link_points", double_field(&rubric.homepage_link_points)},
      {"other_link_points", double_field(&rubric.other_link_points)},
      {"links_cap", double_field(&rubric.links_cap)},
  };
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (line_no == 1) absl::ConsumePrefix(&line, "\xEF\xBB\xBF");
    line = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    size_t sep = line.find_first_of("=:");
    if (sep == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("rubric line ", line_no, ": expected key = value"));
    }
    std::string key(absl::StripAsciiWhitespace(line.substr(0, sep)));
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(sep + 1));
    auto it = setters.find(key);
    if (it == setters.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("rubric line ", line_no, ": unknown key \"", key, "\""));
    }
    if (!it->second(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("rubric line ", line_no, ": bad value for ", key, ": \"", value, "\""));
    }
  }
  return rubric;
}

}  // namespace census
