#include "worker/internal/dates.h"

#include <string>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "worker/extract.h"

namespace census {
namespace {

struct DateCase {
  const char* text;
  const char* as_of;     // YYYY-MM-DD
  const char* expected;  // YYYY-MM-DD, "" when no date
  const char* raw;
};

absl::CivilDay Day(const char* s) {
  absl::CivilDay d;
  EXPECT_TRUE(absl::ParseCivilTime(s, &d)) << s;
  return d;
}

TEST(ParseDateTest, Table) {
  const DateCase kCases[] = {
      {"2026-11-12", "2026-11-20", "2026-11-12", "2026-11-12"},
      {"2026/11/12", "2026-11-20", "2026-11-12", "2026/11/12"},
      {"2026.11.12", "2026-11-20", "2026-11-12", "2026.11.12"},
      {"2026年11月12日", "2026-11-20", "2026-11-12", "2026年11月12日"},
      {"2026年5月1日", "2026-11-20", "2026-05-01", "2026年5月1日"},
      {"2018 年 03 月 08 日", "2026-11-20", "2018-03-08", "2018 年 03 月 08 日"},
      {"二〇二六年十一月十二日", "2026-11-20", "2026-11-12", "二〇二六年十一月十二日"},
      {"二零一九年五月九日", "2026-11-20", "2019-05-09", "二零一九年五月九日"},
      {"二〇二〇年二月二十九日", "2026-11-20", "2020-02-29", "二〇二〇年二月二十九日"},
      {"[11-12]", "2026-11-20", "2026-11-12", "11-12"},
      {"11-12", "2026-11-20", "2026-11-12", "11-12"},
      {"11/12", "2026-11-20", "2026-11-12", "11/12"},
      {"11月12日", "2026-11-20", "2026-11-12", "11月12日"},
      {"[11-21]", "2026-11-20", "2025-11-21", "11-21"},
      {"12-20", "2017-12-21", "2017-12-20", "12-20"},
      {"12-31", "2018-01-02", "2017-12-31", "12-31"},
      {"02-29", "2026-11-20", "2024-02-29", "02-29"},
      {"2026-11-12 10:30:00", "2026-11-20", "2026-11-12", "2026-11-12"},
      {"发布时间：2019-06-17 10:00 来源：国新网", "2026-11-20", "2019-06-17", "2019-06-17"},
      {"[2019-05-09]", "2026-11-20", "2019-05-09", "2019-05-09"},
      {"2007-08-20-23:59:59", "2026-11-20", "2007-08-20", "2007-08-20"},
      {"2026-02-30", "2026-11-20", "", ""},
      {"2026-13-01", "2026-11-20", "", ""},
      {"1989-06-01", "2026-11-20", "", ""},
      {"2028-01-01", "2026-11-20", "", ""},
      {"2027-01-01", "2026-11-20", "2027-01-01", "2027-01-01"},
      {"no date here", "2026-11-20", "", ""},
      {"电话：0797-3266688", "2026-11-20", "", ""},
      {"2025-2026学年", "2026-11-20", "", ""},
      {"10:30", "2026-11-20", "", ""},
      {"第1-24条", "2026-11-20", "", ""},
      {"12-20-2017", "2026-11-20", "", ""},
      {"２０２６", "2026-11-20", "", ""},
      {"2026-02-30 and 2026-03-01", "2026-11-20", "2026-03-01", "2026-03-01"},
  };
  for (const DateCase& c : kCases) {
    absl::CivilDay got;
    std::string raw;
    const bool ok = ParseDate(c.text, Day(c.as_of), &got, &raw);
    if (c.expected[0] == '\0') {
      EXPECT_FALSE(ok) << c.text << " -> " << got;
    } else {
      ASSERT_TRUE(ok) << c.text;
      EXPECT_EQ(got, Day(c.expected)) << c.text;
      EXPECT_EQ(raw, c.raw) << c.text;
    }
  }
}

TEST(ParseDateTest, YearlessNeedsAsOf) {
  absl::CivilDay got;
  EXPECT_FALSE(ParseDate("11-12", absl::CivilDay(), &got));
  ASSERT_TRUE(ParseDate("2026-11-12", absl::CivilDay(), &got));
  EXPECT_EQ(got, absl::CivilDay(2026, 11, 12));
}

TEST(IsDateTextTest, Table) {
  const struct {
    const char* text;
    bool expected;
  } kCases[] = {
      {"[2019-05-09]", true},
      {" 2025-11-17 ", true},
      {"发布时间：2025-11-05 16:28:36", true},
      {"(10-11)", true},
      {"【2024-01-02】", true},
      {"日期：2025-02-26 11:54", true},
      {"2023年10月11日 星期三", false},
      {"12月19日，市委召开会议", false},
      {"备案日期 2018年03月08日 有效", false},
      {"关于2025-11-17的通知", false},
  };
  for (const auto& c : kCases) {
    internal::DateMatch m;
    EXPECT_EQ(internal::IsDateText(c.text, &m), c.expected) << c.text;
  }
}

}  // namespace
}  // namespace census
