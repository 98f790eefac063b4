#ifndef CENSUS_WORKER_INTERNAL_DATES_H_
#define CENSUS_WORKER_INTERNAL_DATES_H_

// Date scanning shared by ParseDate and the page extractor.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace census {
namespace internal {

// One date expression found in a text, before validation.
struct DateMatch {
  size_t begin = 0;  // byte offsets into the scanned text
  size_t end = 0;
  int year = 0;  // 0 for year-less forms ("11-12", "11月12日")
  int month = 0;
  int day = 0;
};

// Finds the leftmost date expression starting at or after `from`. Does not check
// that the date exists (see ResolveDate).
bool FindDate(absl::string_view text, size_t from, DateMatch* m);

// Turns a match into a day: rejects impossible dates and implausible years
// (< 1990 or > as_of.year + 1); year-less dates take the year that puts them on
// or before `as_of`. A year-less date cannot be resolved when `as_of` is unset
// (before 1990).
bool ResolveDate(const DateMatch& m, absl::CivilDay as_of, absl::CivilDay* out);

// True when `as_of` is a usable reference day.
inline bool AsOfSet(absl::CivilDay as_of) { return as_of.year() >= 1990; }

// True when `text` is essentially a date: the date, optionally with a time, a
// label (发布时间, 日期 ...), brackets and punctuation, nothing else. Fills `m`
// with the match (offsets into `text`).
bool IsDateText(absl::string_view text, DateMatch* m);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_DATES_H_
