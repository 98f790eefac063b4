#include "common/clock.h"

#include <gtest/gtest.h>

namespace census {
namespace {

TEST(ClockTest, FakeClockAdvancesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(1000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1000));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1005));
  clock.SleepUntil(absl::FromUnixSeconds(2000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(2000));
  clock.SleepUntil(absl::FromUnixSeconds(10));  // never goes back
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(2000));
}

TEST(ClockTest, CivilDayRoundTrip) {
  struct Case {
    const char* text;
    bool ok;
  } cases[] = {
      {"2026-11-20", true}, {"2026-02-29", false}, {"2024-02-29", true}, {"2026-13-01", false},
      {"2026-1-01", false}, {"20261120xx", false}, {"", false}};
  for (const auto& c : cases) {
    absl::CivilDay d;
    EXPECT_EQ(ParseCivilDay(c.text, &d), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(FormatCivilDay(d), c.text);
    }
  }
}

TEST(ClockTest, FormatCivilDayPadsEveryField) {
  EXPECT_EQ(FormatCivilDay(absl::CivilDay(2026, 1, 9)), "2026-01-09");
  EXPECT_EQ(FormatCivilDay(absl::CivilDay(987, 10, 31)), "0987-10-31");
  EXPECT_EQ(FormatCivilDay(absl::CivilDay(9999, 12, 31)), "9999-12-31");
  EXPECT_EQ(FormatCivilDay(absl::CivilDay(10000, 1, 1)), "10000-01-01");
  // Every day of a leap year round-trips through ParseCivilDay.
  for (absl::CivilDay d(2024, 1, 1); d < absl::CivilDay(2025, 1, 1); ++d) {
    absl::CivilDay back;
    ASSERT_TRUE(ParseCivilDay(FormatCivilDay(d), &back)) << d;
    EXPECT_EQ(back, d);
  }
}

TEST(ClockTest, CensusDayIsUtcPlus8) {
  // 2026-11-19T20:00:00Z is already the 20th in Beijing.
  absl::Time t = absl::FromCivil(absl::CivilSecond(2026, 11, 19, 20, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(FormatCivilDay(ToCensusDay(t)), "2026-11-20");
  EXPECT_EQ(FormatRfc3339(t), "2026-11-20T04:00:00+08:00");
}

}  // namespace
}  // namespace census
