#ifndef CENSUS_AGGREGATOR_SITE_VERDICT_H_
#define CENSUS_AGGREGATOR_SITE_VERDICT_H_

// The pure half of the aggregator: from facts gathered about one site (probe
// outcomes, dated list items, link checks) and a Rubric to the report's columns,
// homepage, vetoes, deductions, score and verdict. No Store, no I/O: every
// function here is a deterministic function of its arguments.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "aggregator/aggregator.h"
#include "common/category.h"
#include "common/fetch_error.h"
#include "proto/census.pb.h"
#include "proto/report.pb.h"

namespace census {

// A reachability probe failed: transport/HTTP error, or a status other than 2xx/3xx.
bool ProbeFailed(const FetchRecord& probe);

// The error name of a broken link check, or nullopt when the target opened (FETCH_OK,
// or TOO_LARGE: the body was only over our cap) or was not judged (BLOCKED_ADDRESS).
std::optional<std::string> BrokenLinkError(const FetchRecord& check);

// Whole days from `date` ("YYYY-MM-DD") to as_of; nullopt when `date` is malformed.
std::optional<int64_t> DaysBefore(const std::string& date, absl::CivilDay as_of);

// as_of minus `months` calendar months, the day clamped to the target month's length
// (2026-08-31 minus 6 months is 2026-02-28).
absl::CivilDay MonthsBefore(absl::CivilDay as_of, int months);

// What is known about one column's list page.
struct ColumnFacts {
  std::string name;
  std::string url;
  Category category = CATEGORY_UNSPECIFIED;
  // A list-page observation exists (the page was read, now or in an earlier run).
  bool observed = false;
  std::vector<std::string> item_dates;  // one per list item, "" when undated
  bool blank_placeholder = false;       // the page says 暂无信息 etc.
  // Error of the newest fetch of the page within the run (FETCH_OK when it was read
  // or not fetched in this run).
  FetchError fetch_error = FETCH_OK;
};

// Columns whose category has an update window (news, notice, policy, personnel, plan).
bool IsJudgedCategory(Category category);

// items, last_update, blank, stale, updates_30d, mean_interval_days, fetch_error.
// A column whose page failed is neither blank nor stale (fetch_error says why); a
// column never read and not failing is "not_fetched", neither blank nor stale.
report::ColumnReport JudgeColumn(const ColumnFacts& facts, absl::CivilDay as_of,
                                 const Rubric& rubric);

// The homepage: last_update = newest dated item; updates_in_window = items dated
// within the homepage window. With no dated item and at least one column, the
// homepage is navigation-only and last_update is the newest column last_update.
report::Homepage JudgeHomepage(const std::vector<std::string>& item_dates,
                               const std::vector<report::ColumnReport>& columns, bool has_columns,
                               absl::CivilDay as_of, const Rubric& rubric);

// Fills site->verdict, score, vetoes and deductions from site->reachability,
// homepage, columns and links.broken (which must already be filled). Clears any
// vetoes/deductions already there.
void JudgeSite(absl::CivilDay as_of, const Rubric& rubric, report::SiteReport* site);

// Rounds to one decimal (scores) and to two decimals (deduction points).
double RoundTo(double value, int decimals);

}  // namespace census

#endif  // CENSUS_AGGREGATOR_SITE_VERDICT_H_
