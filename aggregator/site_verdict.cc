#include "aggregator/site_verdict.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/clock.h"

namespace census {


bool ProbeFailed(const FetchRecord& probe) {
  if (probe.error() != FETCH_OK) return true;
  return probe.status() < 200 || probe.status() >= 400;
}

std::optional<std::string> BrokenLinkError(const FetchRecord& check) {
  switch (check.error()) {
    case FETCH_OK:
    case TOO_LARGE:
    case BLOCKED_ADDRESS:
      return std::nullopt;
    default:
      return FetchErrorName(check.error());
  }
}

std::optional<int64_t> DaysBefore(const std::string& date, absl::CivilDay as_of) {
  absl::CivilDay day;
  if (!ParseCivilDay(date, &day)) return std::nullopt;
  return as_of - day;
}

absl::CivilDay MonthsBefore(absl::CivilDay as_of, int months) {
  absl::CivilMonth month = absl::CivilMonth(as_of) - months;
  int days_in_month = static_cast<int>(absl::CivilDay(month + 1) - absl::CivilDay(month));
  return absl::CivilDay(month.year(), month.month(), std::min(as_of.day(), days_in_month));
}

bool IsJudgedCategory(Category category) {
  switch (category) {
    case NEWS:
    case NOTICE:
    case POLICY:
    case PERSONNEL:
    case PLAN:
      return true;
    default:
      return false;
  }
}

namespace {

// The column's update window has passed since `last` (a valid date).
bool PastWindow(Category category, absl::CivilDay last, absl::CivilDay as_of,
                const Rubric& rubric) {
  switch (category) {
    case NEWS:
      return as_of - last > rubric.news_window_days;
    case NOTICE:
    case POLICY:
      return last < MonthsBefore(as_of, rubric.notice_policy_window_months);
    case PERSONNEL:
    case PLAN:
      return last < MonthsBefore(as_of, rubric.personnel_plan_window_months);
    default:
      return false;
  }
}

// Points of a stale column by its category name (2015 table, RUBRIC.md section C).
double StaleColumnPoints(const std::string& category) {
  if (category == "news") return 3.0;
  if (category == "notice" || category == "policy") return 4.0;
  if (category == "personnel" || category == "plan") return 5.0;
  return 0.0;
}

std::string Percent(double ratio) { return absl::StrFormat("%.1f%%", ratio * 100.0); }

}  // namespace

report::ColumnReport JudgeColumn(const ColumnFacts& facts, absl::CivilDay as_of,
                                 const Rubric& rubric) {
  report::ColumnReport column;
  column.set_name(facts.name);
  column.set_url(facts.url);
  column.set_category(CategoryName(facts.category));
  column.set_items(static_cast<int>(facts.item_dates.size()));

  std::set<absl::CivilDay> dates;
  int updates_30d = 0;
  for (const std::string& text : facts.item_dates) {
    absl::CivilDay day;
    if (!ParseCivilDay(text, &day)) continue;
    dates.insert(day);
    int64_t age = as_of - day;
    if (age >= 0 && age <= 30) ++updates_30d;
  }
  if (!dates.empty()) column.set_last_update(FormatCivilDay(*dates.rbegin()));
  column.set_updates_30d(updates_30d);
  if (dates.size() >= 2) {
    double span = static_cast<double>(*dates.rbegin() - *dates.begin());
    column.set_mean_interval_days(span / static_cast<double>(dates.size() - 1));
  }

  if (facts.fetch_error != FETCH_OK && facts.fetch_error != TOO_LARGE) {
    column.set_fetch_error(FetchErrorName(facts.fetch_error));
    return column;  // neither blank nor stale: the page could not be read
  }
  if (!facts.observed) {
    column.set_fetch_error("not_fetched");
    return column;
  }
  bool blank = facts.item_dates.empty() || facts.blank_placeholder;
  column.set_blank(blank);
  if (!blank && IsJudgedCategory(facts.category)) {
    // An undated column counts as not updated.
    column.set_stale(dates.empty() || PastWindow(facts.category, *dates.rbegin(), as_of, rubric));
  }
  return column;
}

report::Homepage JudgeHomepage(const std::vector<std::string>& item_dates,
                               const std::vector<report::ColumnReport>& columns, bool has_columns,
                               absl::CivilDay as_of, const Rubric& rubric) {
  report::Homepage homepage;
  std::optional<absl::CivilDay> newest;
  int in_window = 0;
  for (const std::string& text : item_dates) {
    absl::CivilDay day;
    if (!ParseCivilDay(text, &day)) continue;
    if (!newest || day > *newest) newest = day;
    int64_t age = as_of - day;
    if (age >= 0 && age <= rubric.homepage_window_days) ++in_window;
  }
  homepage.set_updates_in_window(in_window);
  if (newest) {
    homepage.set_last_update(FormatCivilDay(*newest));
    return homepage;
  }
  if (has_columns) {
    homepage.set_navigation_only(true);
    std::string last;
    for (const report::ColumnReport& column : columns) {
      last = std::max(last, column.last_update());
    }
    homepage.set_last_update(last);
  }
  return homepage;
}

double RoundTo(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

void JudgeSite(absl::CivilDay as_of, const Rubric& rubric, report::SiteReport* site) {
  site->clear_vetoes();
  site->clear_deductions();
  const report::Reachability& reach = site->reachability();
  const int probes = reach.probes();
  const int failures = reach.failures();
  const double ratio =
      probes > 0 ? static_cast<double>(failures) / static_cast<double>(probes) : 0.0;
  const std::string probe_detail =
      absl::StrFormat("%d of %d probes failed (%s)", failures, probes, Percent(ratio));

  auto add_veto = [&](const std::string& rule, const std::string& detail) {
    report::Veto* veto = site->add_vetoes();
    veto->set_rule(rule);
    veto->set_detail(detail);
  };

  if (probes > 0 && failures >= probes) {
    add_veto("site_unreachable", probe_detail);
    site->set_verdict("unreachable");
    site->set_score(0.0);
    return;
  }

  if (probes > 0 && ratio >= rubric.unreachable_veto_ratio) {
    add_veto("site_unreachable", probe_detail);
  }

  const report::Homepage& homepage = site->homepage();
  const std::string where = homepage.navigation_only()
                                ? "navigation-only homepage: newest column item"
                                : "homepage: newest dated item";
  if (homepage.last_update().empty()) {
    add_veto("homepage_stale", homepage.navigation_only()
                                   ? "navigation-only homepage: no dated item on any column page"
                                   : "homepage: no dated item (undated counts as not updated)");
  } else {
    std::optional<int64_t> age = DaysBefore(homepage.last_update(), as_of);
    if (!age || *age > rubric.homepage_window_days) {
      add_veto("homepage_stale",
               absl::StrFormat("%s %s, %d days before %s (window %d days)", where,
                               homepage.last_update(), age.value_or(0), FormatCivilDay(as_of),
                               rubric.homepage_window_days));
    }
  }

  std::vector<std::string> stale_names;
  std::vector<std::string> blank_names;
  for (const report::ColumnReport& column : site->columns()) {
    if (column.stale()) stale_names.push_back(column.name());
    if (column.blank()) blank_names.push_back(column.name());
  }
  if (static_cast<int>(stale_names.size()) >= rubric.stale_columns_veto) {
    add_veto("columns_stale",
             absl::StrCat(stale_names.size(), " columns not updated in their window: ",
                          absl::StrJoin(stale_names, ", ")));
  }
  if (static_cast<int>(blank_names.size()) >= rubric.blank_columns_veto) {
    add_veto("blank_columns", absl::StrCat(blank_names.size(),
                                           " blank columns: ", absl::StrJoin(blank_names, ", ")));
  }

  // Deductions.
  double total = 0.0;
  auto add_deduction = [&](const std::string& rule, double points, const std::string& detail) {
    total += points;
    report::Deduction* deduction = site->add_deductions();
    deduction->set_rule(rule);
    deduction->set_points(RoundTo(points, 2));
    deduction->set_detail(detail);
  };
  if (ratio > 0.0 && ratio < rubric.unreachable_veto_ratio) {
    add_deduction("homepage_availability", ratio * 100.0 * rubric.availability_points_per_percent,
                  probe_detail);
  }
  int home_broken = 0;
  int other_broken = 0;
  for (const report::BrokenLink& link : site->links().broken()) {
    if (link.on_homepage()) {
      ++home_broken;
    } else {
      ++other_broken;
    }
  }
  if (home_broken > 0) {
    add_deduction("broken_links_homepage",
                  std::min(rubric.links_cap, home_broken * rubric.homepage_link_points),
                  absl::StrCat(home_broken, " broken links on the homepage"));
  }
  if (other_broken > 0) {
    add_deduction("broken_links_other",
                  std::min(rubric.links_cap, other_broken * rubric.other_link_points),
                  absl::StrCat(other_broken, " broken links on other pages"));
  }
  for (const report::ColumnReport& column : site->columns()) {
    if (!column.stale()) continue;
    add_deduction("columns_not_updated", StaleColumnPoints(column.category()),
                  absl::StrCat(column.name(), " (", column.category(), "): last update ",
                               column.last_update().empty() ? "none" : column.last_update()));
  }

  site->set_score(std::max(0.0, RoundTo(100.0 - total, 1)));
  site->set_verdict(site->vetoes_size() > 0 ? "fail" : "pass");
}

}  // namespace census
