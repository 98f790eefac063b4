#include "common/clock.h"

#include <string>
#include <thread>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace census {
namespace {

class RealClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  void SleepUntil(absl::Time deadline) override {
    absl::Duration d = deadline - absl::Now();
    if (d > absl::ZeroDuration()) absl::SleepFor(d);
  }
};

}  // namespace

Clock* Clock::Real() {
  static Clock* clock = new RealClock();
  return clock;
}

absl::Time FakeClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

void FakeClock::SleepUntil(absl::Time deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (deadline > now_) now_ = deadline;
}

void FakeClock::Advance(absl::Duration d) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ += d;
}

void FakeClock::Set(absl::Time t) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ = t;
}

absl::TimeZone CensusTimeZone() {
  static const absl::TimeZone tz = absl::FixedTimeZone(8 * 3600);
  return tz;
}

absl::CivilDay ToCensusDay(absl::Time t) { return absl::ToCivilDay(t, CensusTimeZone()); }

bool ParseCivilDay(absl::string_view s, absl::CivilDay* out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0, m = 0, d = 0;
  for (int i : {0, 1, 2, 3}) {
    if (s[i] < '0' || s[i] > '9') return false;
    y = y * 10 + (s[i] - '0');
  }
  for (int i : {5, 6}) {
    if (s[i] < '0' || s[i] > '9') return false;
    m = m * 10 + (s[i] - '0');
  }
  for (int i : {8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
    d = d * 10 + (s[i] - '0');
  }
  absl::CivilDay day(y, m, d);
  // CivilDay normalises out-of-range fields; reject them instead.
  if (day.year() != y || day.month() != m || day.day() != d) return false;
  *out = day;
  return true;
}

std::string FormatCivilDay(absl::CivilDay d) {
  // Written by hand for years 0-9999 (every date a census reports): StrFormat's
  // parsing of the format took 2 % of the aggregation, which formats a date per column.
  if (d.year() < 0 || d.year() > 9999) {
    return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
  }
  const int y = static_cast<int>(d.year());
  const char text[10] = {static_cast<char>('0' + y / 1000),
                         static_cast<char>('0' + y / 100 % 10),
                         static_cast<char>('0' + y / 10 % 10),
                         static_cast<char>('0' + y % 10),
                         '-',
                         static_cast<char>('0' + d.month() / 10),
                         static_cast<char>('0' + d.month() % 10),
                         '-',
                         static_cast<char>('0' + d.day() / 10),
                         static_cast<char>('0' + d.day() % 10)};
  return std::string(text, sizeof(text));
}

std::string FormatRfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, CensusTimeZone());
}

}  // namespace census
