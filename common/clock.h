#ifndef CENSUS_COMMON_CLOCK_H_
#define CENSUS_COMMON_CLOCK_H_

// The time seam. Logic never calls absl::Now() or sleeps directly: it asks a Clock,
// so tests can run a week of probes or a year of history in milliseconds.
// Abseil 20220623 (Debian 12) has no absl::Clock, hence this small interface.

#include <mutex>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace census {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // Blocks the calling thread until Now() >= deadline (or returns at once).
  virtual void SleepUntil(absl::Time deadline) = 0;

  // The process-wide real clock. Never null; lives forever.
  static Clock* Real();
};

// A clock that only moves when told to. Thread-safe. SleepUntil advances the clock
// to the deadline instead of blocking, so code under test never waits.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  void SleepUntil(absl::Time deadline) override;
  void Advance(absl::Duration d);
  void Set(absl::Time t);

 private:
  mutable std::mutex mu_;
  absl::Time now_;
};

// Census dates are in China's local calendar (UTC+8, no DST).
absl::TimeZone CensusTimeZone();
absl::CivilDay ToCensusDay(absl::Time t);
// Parses "YYYY-MM-DD"; false when malformed.
bool ParseCivilDay(absl::string_view s, absl::CivilDay* out);
std::string FormatCivilDay(absl::CivilDay d);
// RFC 3339 in UTC+8, e.g. "2026-11-20T10:15:00+08:00".
std::string FormatRfc3339(absl::Time t);

}  // namespace census

#endif  // CENSUS_COMMON_CLOCK_H_
