#include "aggregator/site_verdict.h"

#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/text_hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace census {
namespace {

using ::testing::ElementsAre;

const absl::CivilDay kAsOf(2026, 11, 20);

std::vector<std::string> Rules(const report::SiteReport& site) {
  std::vector<std::string> rules;
  for (const auto& veto : site.vetoes()) rules.push_back(veto.rule());
  return rules;
}

std::vector<std::pair<std::string, double>> Deductions(const report::SiteReport& site) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& d : site.deductions()) out.emplace_back(d.rule(), d.points());
  return out;
}

// A healthy site: reachable, homepage updated yesterday, no columns, no links.
report::SiteReport HealthySite() {
  report::SiteReport site;
  site.set_site_id("1");
  site.mutable_reachability()->set_probes(140);
  site.mutable_homepage()->set_last_update("2026-11-19");
  site.mutable_homepage()->set_updates_in_window(12);
  site.mutable_links();
  return site;
}

TEST(HelpersTest, MonthsBeforeClampsTheDay) {
  EXPECT_EQ(MonthsBefore(absl::CivilDay(2026, 8, 31), 6), absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(MonthsBefore(absl::CivilDay(2024, 8, 31), 6), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(MonthsBefore(absl::CivilDay(2026, 11, 20), 12), absl::CivilDay(2025, 11, 20));
  EXPECT_EQ(MonthsBefore(absl::CivilDay(2026, 3, 31), 1), absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(MonthsBefore(absl::CivilDay(2026, 1, 15), 6), absl::CivilDay(2025, 7, 15));
}

TEST(HelpersTest, DaysBefore) {
  EXPECT_EQ(DaysBefore("2026-11-06", kAsOf), 14);
  EXPECT_EQ(DaysBefore("2026-11-21", kAsOf), -1);
  EXPECT_EQ(DaysBefore("2026-11-6", kAsOf), std::nullopt);
  EXPECT_EQ(DaysBefore("", kAsOf), std::nullopt);
}

TEST(HelpersTest, CategoryAndErrorNames) {
  EXPECT_EQ(CategoryName(NEWS), "news");
  EXPECT_EQ(CategoryName(PLAN), "plan");
  EXPECT_EQ(CategoryName(CATEGORY_UNSPECIFIED), "other");
  EXPECT_EQ(FetchErrorName(HTTP_404), "http_404");
  EXPECT_EQ(FetchErrorName(REDIRECT_LOOP), "redirect_loop");
  EXPECT_EQ(FetchErrorName(OTHER_ERROR), "other");
  EXPECT_EQ(FetchErrorName(FETCH_OK), "");
}

TEST(HelpersTest, ColumnProblemsNamesEveryStateInOrder) {
  report::ColumnReport c;
  c.set_page("list");
  EXPECT_TRUE(ColumnProblems(c).empty());
  c.set_page("static");  // not judged: nothing wrong
  EXPECT_TRUE(ColumnProblems(c).empty());
  c.set_page("unverified-blank");
  EXPECT_EQ(ColumnProblems(c), std::vector<std::string>({"unverified-blank"}));
  c.set_long_unupdated(true);
  c.set_stale(true);
  c.set_blank(true);
  c.set_fetch_error("http_404");
  EXPECT_EQ(ColumnProblems(c), std::vector<std::string>({"not opened: http_404", "blank", "stale",
                                                         "long unupdated", "unverified-blank"}));

  // HasColumnProblems says the same of every combination of the five states.
  for (int bits = 0; bits < 32; ++bits) {
    report::ColumnReport column;
    column.set_fetch_error(bits & 1 ? "timeout" : "");
    column.set_blank(bits & 2);
    column.set_stale(bits & 4);
    column.set_long_unupdated(bits & 8);
    column.set_page(bits & 16 ? "unverified-blank" : "list");
    EXPECT_EQ(HasColumnProblems(column), !ColumnProblems(column).empty()) << bits;
  }
}

TEST(HelpersTest, ProbeFailed) {
  struct Case {
    FetchError error;
    int status;
    bool failed;
  };
  const Case cases[] = {
      {FETCH_OK, 200, false},  {FETCH_OK, 304, false}, {FETCH_OK, 399, false},
      {FETCH_OK, 301, false},  {FETCH_OK, 199, true},  {FETCH_OK, 400, true},
      {FETCH_OK, 404, true},   {FETCH_OK, 503, true},  {FETCH_OK, 0, true},
      {TIMEOUT, 0, true},      {HTTP_5XX, 500, true},  {TOO_LARGE, 200, false},
      {TOO_LARGE, 206, false}, {TOO_LARGE, 0, true},   {TOO_LARGE, 503, true},
  };
  for (const Case& c : cases) {
    FetchRecord probe;
    probe.set_error(c.error);
    probe.set_status(c.status);
    EXPECT_EQ(ProbeFailed(probe), c.failed) << c.error << " " << c.status;
  }
}

TEST(HelpersTest, BrokenLinkError) {
  struct Case {
    FetchError error;
    std::optional<std::string> expected;
  };
  const Case cases[] = {
      {FETCH_OK, std::nullopt},
      {TOO_LARGE, std::nullopt},
      {BLOCKED_ADDRESS, std::nullopt},
      {HTTP_404, "http_404"},
      {HTTP_4XX, "http_4xx"},
      {HTTP_5XX, "http_5xx"},
      {TIMEOUT, "timeout"},
      {DNS, "dns"},
      {CONNECT, "connect"},
      {TLS, "tls"},
      {SOFT_404, "soft_404"},
      {REDIRECT_LOOP, "redirect_loop"},
      {OTHER_ERROR, "other"},
  };
  for (const Case& c : cases) {
    FetchRecord check;
    check.set_error(c.error);
    EXPECT_EQ(BrokenLinkError(check), c.expected) << c.error;
  }
}

struct ColumnCase {
  std::string label;
  Category category;
  bool observed;
  std::vector<std::string> dates;
  bool placeholder;
  FetchError error;
  // expected
  bool stale;
  bool blank;
  std::string last_update;
  std::string fetch_error;
};

class JudgeColumnTest : public ::testing::TestWithParam<ColumnCase> {};

TEST_P(JudgeColumnTest, StaleAndBlank) {
  const ColumnCase& c = GetParam();
  ColumnFacts facts;
  facts.name = "col";
  facts.url = "https://a.gov.cn/col/";
  facts.category = c.category;
  facts.observed = c.observed;
  facts.item_dates = c.dates;
  facts.blank_placeholder = c.placeholder;
  facts.fetch_error = c.error;
  report::ColumnReport column = JudgeColumn(facts, kAsOf, DefaultRubric());
  EXPECT_EQ(column.stale(), c.stale);
  EXPECT_EQ(column.blank(), c.blank);
  EXPECT_EQ(column.last_update(), c.last_update);
  EXPECT_EQ(column.fetch_error(), c.fetch_error);
  EXPECT_EQ(column.items(), static_cast<int>(c.dates.size()));
  EXPECT_EQ(column.name(), "col");
  EXPECT_EQ(column.url(), "https://a.gov.cn/col/");
  EXPECT_EQ(column.category(), CategoryName(c.category));
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, JudgeColumnTest,
    ::testing::Values(
        ColumnCase{"news_14_days",
                   NEWS,
                   true,
                   {"2026-11-06", "2026-10-01"},
                   false,
                   FETCH_OK,
                   false,
                   false,
                   "2026-11-06",
                   ""},
        ColumnCase{"news_15_days",
                   NEWS,
                   true,
                   {"2026-11-05", "2026-10-01"},
                   false,
                   FETCH_OK,
                   true,
                   false,
                   "2026-11-05",
                   ""},
        ColumnCase{"notice_6_months",
                   NOTICE,
                   true,
                   {"2026-05-20"},
                   false,
                   FETCH_OK,
                   false,
                   false,
                   "2026-05-20",
                   ""},
        ColumnCase{"notice_6_months_1_day",
                   NOTICE,
                   true,
                   {"2026-05-19"},
                   false,
                   FETCH_OK,
                   true,
                   false,
                   "2026-05-19",
                   ""},
        ColumnCase{"policy_6_months_1_day",
                   POLICY,
                   true,
                   {"2026-05-19"},
                   false,
                   FETCH_OK,
                   true,
                   false,
                   "2026-05-19",
                   ""},
        ColumnCase{"personnel_12_months",
                   PERSONNEL,
                   true,
                   {"2025-11-20"},
                   false,
                   FETCH_OK,
                   false,
                   false,
                   "2025-11-20",
                   ""},
        ColumnCase{"plan_12_months_1_day",
                   PLAN,
                   true,
                   {"2025-11-19"},
                   false,
                   FETCH_OK,
                   true,
                   false,
                   "2025-11-19",
                   ""},
        ColumnCase{"interaction_old_not_judged",
                   INTERACTION,
                   true,
                   {"2020-01-01"},
                   false,
                   FETCH_OK,
                   false,
                   false,
                   "2020-01-01",
                   ""},
        ColumnCase{
            "undated_news_is_stale", NEWS, true, {"", ""}, false, FETCH_OK, true, false, "", ""},
        ColumnCase{
            "undated_topic_not_judged", TOPIC, true, {""}, false, FETCH_OK, false, false, "", ""},
        ColumnCase{"no_items_blank", NEWS, true, {}, false, FETCH_OK, false, true, "", ""},
        ColumnCase{"placeholder_blank",
                   NOTICE,
                   true,
                   {"2026-11-19"},
                   true,
                   FETCH_OK,
                   false,
                   true,
                   "2026-11-19",
                   ""},
        ColumnCase{"other_blank", OTHER, true, {}, false, FETCH_OK, false, true, "", ""},
        ColumnCase{"fetch_failed", NEWS, false, {}, false, HTTP_404, false, false, "", "http_404"},
        ColumnCase{"fetch_failed_old_observation",
                   NEWS,
                   true,
                   {"2020-01-01"},
                   false,
                   TIMEOUT,
                   false,
                   false,
                   "2020-01-01",
                   "timeout"},
        ColumnCase{"too_large_is_read",
                   NEWS,
                   true,
                   {"2026-11-19"},
                   false,
                   TOO_LARGE,
                   false,
                   false,
                   "2026-11-19",
                   ""},
        ColumnCase{
            "not_fetched", NEWS, false, {}, false, FETCH_OK, false, false, "", "not_fetched"}),
    [](const ::testing::TestParamInfo<ColumnCase>& info) { return info.param.label; });

TEST(JudgeColumnStatsTest, UpdatesAndInterval) {
  ColumnFacts facts;
  facts.category = NEWS;
  facts.observed = true;
  // Distinct dates 10-21, 11-01, 11-10, 11-20: gaps 11, 9, 10 → mean 10.
  facts.item_dates = {"2026-11-20", "2026-11-10", "2026-11-10", "2026-11-01",
                      "2026-10-21", "",           "2026-10-20x"};
  report::ColumnReport column = JudgeColumn(facts, kAsOf, DefaultRubric());
  EXPECT_EQ(column.items(), 7);
  EXPECT_EQ(column.last_update(), "2026-11-20");
  EXPECT_EQ(column.updates_30d(), 5);  // 10-21 is 30 days before 11-20
  EXPECT_DOUBLE_EQ(column.mean_interval_days(), 10.0);
  EXPECT_FALSE(column.stale());
  EXPECT_FALSE(column.blank());

  facts.item_dates = {"2026-11-20", "2026-10-20"};  // 31 days: outside 30d
  column = JudgeColumn(facts, kAsOf, DefaultRubric());
  EXPECT_EQ(column.updates_30d(), 1);
  EXPECT_DOUBLE_EQ(column.mean_interval_days(), 31.0);

  facts.item_dates = {"2026-11-20"};
  column = JudgeColumn(facts, kAsOf, DefaultRubric());
  EXPECT_DOUBLE_EQ(column.mean_interval_days(), 0.0);
}

TEST(JudgeHomepageTest, DatedItems) {
  report::Homepage homepage =
      JudgeHomepage({"2026-11-06", "2026-11-05", "2026-11-21", "", "2026-11-20"}, {}, true, kAsOf,
                    DefaultRubric());
  EXPECT_EQ(homepage.last_update(), "2026-11-21");
  EXPECT_EQ(homepage.updates_in_window(), 2);  // 11-06 and 11-20; 11-21 is ahead
  EXPECT_FALSE(homepage.navigation_only());
}

TEST(JudgeHomepageTest, NavigationOnlyTakesNewestColumn) {
  google::protobuf::RepeatedPtrField<report::ColumnReport> columns;
  columns.Add()->set_last_update("2026-10-01");
  columns.Add()->set_last_update("2026-11-12");
  columns.Add()->set_last_update("");
  report::Homepage homepage = JudgeHomepage({"", ""}, columns, true, kAsOf, DefaultRubric());
  EXPECT_TRUE(homepage.navigation_only());
  EXPECT_EQ(homepage.last_update(), "2026-11-12");
  EXPECT_EQ(homepage.updates_in_window(), 0);
}

TEST(JudgeHomepageTest, NoItemsNoColumns) {
  report::Homepage homepage = JudgeHomepage({}, {}, false, kAsOf, DefaultRubric());
  EXPECT_FALSE(homepage.navigation_only());
  EXPECT_EQ(homepage.last_update(), "");
  EXPECT_EQ(homepage.updates_in_window(), 0);
}

struct ProbeCase {
  int probes;
  int failures;
  std::vector<std::string> vetoes;
  std::string verdict;
  double score;
  std::vector<std::pair<std::string, double>> deductions;
};

class ReachabilityTest : public ::testing::TestWithParam<ProbeCase> {};

TEST_P(ReachabilityTest, VetoAndDeduction) {
  const ProbeCase& c = GetParam();
  report::SiteReport site = HealthySite();
  site.mutable_reachability()->set_probes(c.probes);
  site.mutable_reachability()->set_failures(c.failures);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(Rules(site), c.vetoes);
  EXPECT_EQ(site.verdict(), c.verdict);
  EXPECT_DOUBLE_EQ(site.score(), c.score);
  EXPECT_EQ(Deductions(site), c.deductions);
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, ReachabilityTest,
    ::testing::Values(ProbeCase{0, 0, {}, "pass", 100.0, {}},
                      ProbeCase{140, 0, {}, "pass", 100.0, {}},
                      // 1/140 = 0.714% → 3.5714 points → 96.4
                      ProbeCase{140, 1, {}, "pass", 96.4, {{"homepage_availability", 3.57}}},
                      // 6/140 = 4.29% → 21.43 points → 78.6
                      ProbeCase{140, 6, {}, "pass", 78.6, {{"homepage_availability", 21.43}}},
                      // 19/400 = 4.75% → 23.75 → 76.3 (round half away from zero on 76.25)
                      ProbeCase{400, 19, {}, "pass", 76.3, {{"homepage_availability", 23.75}}},
                      // exactly 5%: veto, no availability deduction
                      ProbeCase{140, 7, {"site_unreachable"}, "fail", 100.0, {}},
                      ProbeCase{20, 1, {"site_unreachable"}, "fail", 100.0, {}},
                      ProbeCase{140, 139, {"site_unreachable"}, "fail", 100.0, {}},
                      ProbeCase{140, 140, {"site_unreachable"}, "unreachable", 0.0, {}}));

TEST(JudgeSiteTest, UnreachableReportsOnlyThatVeto) {
  report::SiteReport site = HealthySite();
  site.mutable_reachability()->set_failures(140);
  site.mutable_homepage()->set_last_update("");
  for (int i = 0; i < 6; ++i) {
    auto* column = site.add_columns();
    column->set_name("c");
    column->set_blank(true);
  }
  site.mutable_links()->add_broken()->set_on_homepage(true);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(site.verdict(), "unreachable");
  EXPECT_EQ(site.score(), 0.0);
  ASSERT_EQ(site.vetoes_size(), 1);
  EXPECT_EQ(site.vetoes(0).rule(), "site_unreachable");
  EXPECT_EQ(site.vetoes(0).detail(), "140 of 140 probes failed (100.0%)");
  EXPECT_EQ(site.deductions_size(), 0);
}

TEST(JudgeSiteTest, ProbeDetail) {
  report::SiteReport site = HealthySite();
  site.mutable_reachability()->set_failures(9);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  ASSERT_EQ(site.vetoes_size(), 1);
  EXPECT_EQ(site.vetoes(0).detail(), "9 of 140 probes failed (6.4%)");
}

TEST(JudgeSiteTest, HomepageStaleBoundary) {
  struct Case {
    std::string last_update;
    bool navigation_only;
    bool stale;
  };
  const Case cases[] = {{"2026-11-20", false, false},
                        {"2026-11-06", false, false},
                        {"2026-11-05", false, true},
                        {"", false, true},
                        {"2026-11-06", true, false},
                        {"2026-11-05", true, true},
                        {"", true, true},
                        {"garbage", false, true}};
  for (const Case& c : cases) {
    report::SiteReport site = HealthySite();
    site.mutable_homepage()->set_last_update(c.last_update);
    site.mutable_homepage()->set_navigation_only(c.navigation_only);
    JudgeSite(kAsOf, DefaultRubric(), &site);
    EXPECT_EQ(Rules(site),
              c.stale ? std::vector<std::string>{"homepage_stale"} : std::vector<std::string>{})
        << c.last_update;
    EXPECT_EQ(site.verdict(), c.stale ? "fail" : "pass");
  }
  report::SiteReport site = HealthySite();
  site.mutable_homepage()->set_last_update("2026-11-05");
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(site.vetoes(0).detail(),
            "homepage: newest dated item 2026-11-05, 15 days before 2026-11-20 "
            "(window 14 days)");
}

TEST(JudgeSiteTest, StaleColumnsBoundaryAndDeductions) {
  for (int stale = 3; stale <= 6; ++stale) {
    report::SiteReport site = HealthySite();
    const char* categories[] = {"news", "notice", "policy", "personnel", "plan", "news"};
    for (int i = 0; i < stale; ++i) {
      auto* column = site.add_columns();
      column->set_name(absl::StrCat("c", i));
      column->set_category(categories[i]);
      column->set_stale(true);
      column->set_last_update("2020-01-01");
    }
    site.add_columns()->set_name("fresh");
    JudgeSite(kAsOf, DefaultRubric(), &site);
    const double points[] = {3, 4, 4, 5, 5, 3};
    double sum = 0;
    for (int i = 0; i < stale; ++i) sum += points[i];
    EXPECT_DOUBLE_EQ(site.score(), 100.0 - sum) << stale;
    ASSERT_EQ(site.deductions_size(), stale);
    for (int i = 0; i < stale; ++i) {
      EXPECT_EQ(site.deductions(i).rule(), "columns_not_updated");
      EXPECT_DOUBLE_EQ(site.deductions(i).points(), points[i]);
    }
    if (stale >= 5) {
      EXPECT_EQ(Rules(site), std::vector<std::string>{"columns_stale"});
      EXPECT_EQ(site.verdict(), "fail");
    } else {
      EXPECT_EQ(Rules(site), std::vector<std::string>{});
      EXPECT_EQ(site.verdict(), "pass");
    }
  }
  report::SiteReport site = HealthySite();
  for (int i = 0; i < 5; ++i) {
    auto* column = site.add_columns();
    column->set_name(absl::StrCat("c", i));
    column->set_category("news");
    column->set_stale(true);
  }
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(site.vetoes(0).detail(), "5 columns not updated in their window: c0, c1, c2, c3, c4");
  EXPECT_EQ(site.deductions(0).detail(), "c0 (news): last update none");
}

TEST(JudgeSiteTest, BlankColumnsBoundary) {
  for (int blank = 4; blank <= 5; ++blank) {
    report::SiteReport site = HealthySite();
    for (int i = 0; i < blank; ++i) {
      auto* column = site.add_columns();
      column->set_name(absl::StrCat("b", i));
      column->set_blank(true);
    }
    JudgeSite(kAsOf, DefaultRubric(), &site);
    EXPECT_EQ(site.score(), 100.0);
    if (blank == 5) {
      EXPECT_EQ(Rules(site), std::vector<std::string>{"blank_columns"});
      EXPECT_EQ(site.vetoes(0).detail(), "5 blank columns: b0, b1, b2, b3, b4");
    } else {
      EXPECT_EQ(Rules(site), std::vector<std::string>{});
    }
  }
}

TEST(JudgeSiteTest, VetoOrder) {
  report::SiteReport site = HealthySite();
  site.mutable_reachability()->set_failures(70);
  site.mutable_homepage()->set_last_update("2026-01-01");
  for (int i = 0; i < 5; ++i) {
    auto* column = site.add_columns();
    column->set_category("news");
    column->set_stale(true);
    auto* blank = site.add_columns();
    blank->set_blank(true);
  }
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_THAT(Rules(site),
              ElementsAre("site_unreachable", "homepage_stale", "columns_stale", "blank_columns"));
  EXPECT_EQ(site.verdict(), "fail");
  EXPECT_DOUBLE_EQ(site.score(), 85.0);  // 5 stale news columns × 3
}

TEST(JudgeSiteTest, LinkDeductionCaps) {
  struct Case {
    int home;
    int other;
    std::vector<std::pair<std::string, double>> deductions;
    double score;
  };
  const Case cases[] = {
      {0, 0, {}, 100.0},
      {1, 0, {{"broken_links_homepage", 1.0}}, 99.0},
      {20, 0, {{"broken_links_homepage", 20.0}}, 80.0},
      {25, 0, {{"broken_links_homepage", 20.0}}, 80.0},
      {0, 7, {{"broken_links_other", 0.7}}, 99.3},
      {0, 200, {{"broken_links_other", 20.0}}, 80.0},
      {0, 250, {{"broken_links_other", 20.0}}, 80.0},
      {3, 3, {{"broken_links_homepage", 3.0}, {"broken_links_other", 0.3}}, 96.7},
      {30, 300, {{"broken_links_homepage", 20.0}, {"broken_links_other", 20.0}}, 60.0},
  };
  for (const Case& c : cases) {
    report::SiteReport site = HealthySite();
    for (int i = 0; i < c.home; ++i) site.mutable_links()->add_broken()->set_on_homepage(true);
    for (int i = 0; i < c.other; ++i) site.mutable_links()->add_broken();
    JudgeSite(kAsOf, DefaultRubric(), &site);
    EXPECT_EQ(Deductions(site), c.deductions) << c.home << " " << c.other;
    EXPECT_DOUBLE_EQ(site.score(), c.score) << c.home << " " << c.other;
    EXPECT_EQ(site.verdict(), "pass");
  }
}

TEST(JudgeSiteTest, ScoreRoundedAndNeverNegative) {
  report::SiteReport site = HealthySite();
  site.mutable_reachability()->set_failures(6);  // 21.4286 points
  for (int i = 0; i < 30; ++i) site.mutable_links()->add_broken()->set_on_homepage(true);
  for (int i = 0; i < 300; ++i) site.mutable_links()->add_broken();
  for (int i = 0; i < 4; ++i) {
    auto* column = site.add_columns();
    column->set_category("plan");
    column->set_stale(true);
  }
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(site.verdict(), "fail");  // no veto, but below 60
  EXPECT_EQ(site.vetoes_size(), 0);
  EXPECT_DOUBLE_EQ(site.score(), 18.6);  // 100 - (21.4286 + 20 + 20 + 4 x 5)

  for (int i = 0; i < 6; ++i) {
    auto* column = site.add_columns();
    column->set_category("plan");
    column->set_stale(true);
  }
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(site.verdict(), "fail");
  EXPECT_DOUBLE_EQ(site.score(), 0.0);  // 21.43 + 20 + 20 + 40 (10 x 5, cap 40)
  ASSERT_EQ(site.deductions_size(), 13);
  EXPECT_DOUBLE_EQ(site.deductions(10).points(), 5.0);  // the 8th stale column: 40 reached
  EXPECT_DOUBLE_EQ(site.deductions(11).points(), 0.0);
}

TEST(JudgeSiteTest, RoundTo) {
  EXPECT_DOUBLE_EQ(RoundTo(92.857142, 1), 92.9);
  EXPECT_DOUBLE_EQ(RoundTo(92.85, 1), 92.9);
  EXPECT_DOUBLE_EQ(RoundTo(0.70000000000000007, 2), 0.7);
  EXPECT_DOUBLE_EQ(RoundTo(3.5714285, 2), 3.57);
}

TEST(JudgeSiteTest, RubricVariant) {
  Rubric rubric = DefaultRubric();
  rubric.columns_stale.threshold = 2;
  rubric.homepage_stale.window = {30, 0};
  report::SiteReport site = HealthySite();
  site.mutable_homepage()->set_last_update("2026-10-21");  // 30 days
  for (int i = 0; i < 2; ++i) {
    auto* column = site.add_columns();
    column->set_category("news");
    column->set_stale(true);
  }
  JudgeSite(kAsOf, rubric, &site);
  EXPECT_EQ(Rules(site), std::vector<std::string>{"columns_stale"});
}

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(CENSUS_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RubricTest, BuiltInIsGov2019File) {
  EXPECT_EQ(DefaultRubricText(), ReadSourceFile("rubrics/gov-2019.textproto"));
  const Rubric& r = DefaultRubric();
  EXPECT_EQ(r.name, "gov-2019");
  EXPECT_DOUBLE_EQ(r.fail_below, 60.0);
  ASSERT_EQ(r.categories.size(), 5u);
  EXPECT_EQ(r.categories.at(NEWS).window.days, 14);
  EXPECT_DOUBLE_EQ(r.categories.at(NEWS).points, 3.0);
  EXPECT_EQ(r.categories.at(NOTICE).window.months, 6);
  EXPECT_DOUBLE_EQ(r.categories.at(POLICY).points, 4.0);
  EXPECT_EQ(r.categories.at(PLAN).window.months, 12);
  EXPECT_DOUBLE_EQ(r.categories.at(PERSONNEL).points, 5.0);
  EXPECT_EQ(r.should_update, (std::set<Category>{NEWS, NOTICE, POLICY, PERSONNEL, PLAN}));
  EXPECT_DOUBLE_EQ(r.site_unreachable.threshold, 0.05);
  EXPECT_EQ(r.homepage_stale.window.days, 14);
  EXPECT_DOUBLE_EQ(r.columns_stale.threshold, 5);
  EXPECT_DOUBLE_EQ(r.long_unupdated.threshold, 10);
  EXPECT_EQ(r.long_unupdated.window.months, 12);
  EXPECT_DOUBLE_EQ(r.blank_columns.threshold, 5);
  EXPECT_EQ(r.interaction_unanswered.window.months, 3);
  EXPECT_EQ(r.interaction_unanswered.lookback.months, 12);
  EXPECT_TRUE(r.serious_error.enabled);
  EXPECT_DOUBLE_EQ(r.homepage_availability.points, 5);
  EXPECT_DOUBLE_EQ(r.broken_links_homepage.cap, 20);
  EXPECT_DOUBLE_EQ(r.broken_links_other.points, 0.1);
  EXPECT_DOUBLE_EQ(r.homepage_update_volume.threshold, 10);
  EXPECT_DOUBLE_EQ(r.columns_not_updated.cap, 40);
  EXPECT_DOUBLE_EQ(r.interaction_slow_replies.threshold, 14);
  EXPECT_DOUBLE_EQ(r.warn_unreachable_ratio.threshold, 0.03);
  EXPECT_DOUBLE_EQ(r.warn_homepage_not_updated.threshold, 10);
  EXPECT_DOUBLE_EQ(r.warn_blank_columns.threshold, 2);
  EXPECT_DOUBLE_EQ(r.warn_columns_not_updated.threshold, 6);
}

TEST(RubricTest, ProvinceExampleLoads) {
  absl::StatusOr<Rubric> r =
      LoadRubricFile(std::string(CENSUS_SOURCE_DIR) + "/rubrics/province-example.textproto");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->name, "province-example");
  EXPECT_EQ(r->categories.at(NEWS).window.days, 7);
  EXPECT_DOUBLE_EQ(r->blank_columns.threshold, 3);
  EXPECT_EQ(r->should_update.count(SERVICE), 1u);
  EXPECT_DOUBLE_EQ(r->fail_below, 70);
}

TEST(RubricTest, Errors) {
  auto error = [](const std::string& text) {
    return std::string(ParseRubric(text, "p.textproto").status().message());
  };
  const std::string base = "name: \"p\"\n";
  EXPECT_EQ(error("name: \"p\"\nbogus: 1\n"),
            "p.textproto:2:6: Message type \"census.rubric.Rubric\" has no field named \"bogus\".");
  EXPECT_EQ(error(""), "p.textproto: name is required");
  EXPECT_EQ(error(base + "veto { rule: \"columns_stale\" threshold: 0 }"),
            "p.textproto: rule columns_stale: threshold must be >= 1");
  EXPECT_EQ(error(base + "veto { rule: \"nope\" }"), "p.textproto: unknown veto rule \"nope\"");
  EXPECT_EQ(error(base + "veto { rule: \"site_unreachable\" threshold: 5 }"),
            "p.textproto: rule site_unreachable: threshold must be a ratio in (0, 1]");
  EXPECT_EQ(error(base + "veto { rule: \"homepage_stale\" window { days: 14 months: 1 } }"),
            "p.textproto: rule homepage_stale: window needs exactly one of days or months");
  EXPECT_EQ(error(base + "veto { rule: \"homepage_stale\" }"),
            "p.textproto: rule homepage_stale: window is required");
  EXPECT_EQ(error(base + "veto { rule: \"interaction_unanswered\" threshold: 1 "
                         "window { months: 3 } }"),
            "p.textproto: rule interaction_unanswered: lookback is required");
  EXPECT_EQ(error(base + "category { category: \"gossip\" window { days: 1 } }"),
            "p.textproto: category gossip: unknown category");
  EXPECT_EQ(error(base + "category { category: \"news\" window { days: -1 } }"),
            "p.textproto: category news: window must not be negative");
  EXPECT_EQ(error(base + "deduction { rule: \"columns_not_updated\" points: 3 }"),
            "p.textproto: rule columns_not_updated: points come from the category rules; leave "
            "points out");
  EXPECT_EQ(error(base + "deduction { rule: \"broken_links_other\" points: 0.1 }\n"
                         "deduction { rule: \"broken_links_other\" points: 0.2 }"),
            "p.textproto: rule broken_links_other: given twice");
  EXPECT_EQ(error(base + "deduction { rule: \"broken_links_other\" cap: -1 }"),
            "p.textproto: rule broken_links_other: cap must be >= 0");
  EXPECT_EQ(error(base + "warning { rule: \"unreachable_ratio\" threshold: 1 }"),
            "p.textproto: warning unreachable_ratio: threshold must be a ratio in [0, 1)");
  EXPECT_EQ(error(base + "fail_below: 101"), "p.textproto: fail_below must be within 0..100");
  EXPECT_EQ(error(base + "should_update: \"gossip\""),
            "p.textproto: should_update: unknown category gossip");
  EXPECT_EQ(LoadRubricFile("/nonexistent/r.textproto").status().message(),
            "rubric file /nonexistent/r.textproto: cannot be read");
  // A minimal rubric: every rule off.
  absl::StatusOr<Rubric> empty = ParseRubric(base);
  ASSERT_TRUE(empty.ok());
  report::SiteReport site = HealthySite();
  site.mutable_homepage()->set_last_update("");
  JudgeSite(kAsOf, *empty, &site);
  EXPECT_EQ(site.verdict(), "pass");
  EXPECT_EQ(site.vetoes_size(), 0);
}

// The same crawl judged under gov-2019 and the provincial example.
report::SiteReport JudgeSample(const Rubric& rubric) {
  report::SiteReport site;
  site.mutable_reachability()->set_probes(100);
  site.mutable_reachability()->set_failures(2);
  auto add = [&](const std::string& name, Category category, std::vector<std::string> dates) {
    ColumnFacts facts;
    facts.name = name;
    facts.category = category;
    facts.observed = true;
    facts.item_dates = std::move(dates);
    *site.add_columns() = JudgeColumn(facts, kAsOf, rubric);
  };
  add("要闻", NEWS, {"2026-11-10"});
  add("通知公告", NOTICE, {"2026-07-01"});
  for (int i = 0; i < 3; ++i) add(absl::StrCat("空", i), TOPIC, {});
  *site.mutable_homepage() = JudgeHomepage({"2026-11-10", "2026-11-08", "2026-11-01"},
                                           site.columns(), true, kAsOf, rubric);
  site.mutable_links()->add_broken()->set_on_homepage(true);
  JudgeSite(kAsOf, rubric, &site);
  return site;
}

std::vector<std::string> Warnings(const report::SiteReport& site) {
  std::vector<std::string> out;
  for (const auto& w : site.early_warnings()) out.push_back(w.rule() + ": " + w.detail());
  return out;
}

TEST(RubricTest, SameDataScoresDifferentlyUnderTheProvinceRubric) {
  report::SiteReport gov = JudgeSample(DefaultRubric());
  EXPECT_EQ(gov.homepage().updates_in_window(), 2);
  EXPECT_EQ(gov.verdict(), "pass");
  EXPECT_THAT(Rules(gov), ElementsAre());
  EXPECT_EQ(Deductions(gov),
            (std::vector<std::pair<std::string, double>>{{"homepage_availability", 10.0},
                                                         {"broken_links_homepage", 1.0},
                                                         {"homepage_update_volume", 5.0}}));
  EXPECT_DOUBLE_EQ(gov.score(), 84.0);
  EXPECT_THAT(Warnings(gov), ElementsAre("blank_columns: 3 blank columns (more than 2)"));

  absl::StatusOr<Rubric> province =
      LoadRubricFile(std::string(CENSUS_SOURCE_DIR) + "/rubrics/province-example.textproto");
  ASSERT_TRUE(province.ok()) << province.status();
  report::SiteReport p = JudgeSample(*province);
  EXPECT_EQ(p.homepage().updates_in_window(), 0);
  EXPECT_TRUE(p.columns(0).stale());
  EXPECT_TRUE(p.columns(1).stale());
  EXPECT_EQ(p.verdict(), "fail");
  EXPECT_THAT(Rules(p), ElementsAre("homepage_stale", "blank_columns"));
  EXPECT_EQ(p.vetoes(0).detail(),
            "homepage: newest dated item 2026-11-10, 10 days before 2026-11-20 (window 7 days)");
  EXPECT_EQ(Deductions(p),
            (std::vector<std::pair<std::string, double>>{{"homepage_availability", 16.0},
                                                         {"broken_links_homepage", 2.0},
                                                         {"homepage_update_volume", 8.0},
                                                         {"columns_not_updated", 4.0},
                                                         {"columns_not_updated", 5.0}}));
  EXPECT_DOUBLE_EQ(p.score(), 65.0);
  EXPECT_THAT(Warnings(p),
              ElementsAre("unreachable_ratio: 2 of 100 probes failed (2.0%), above 1.0%"));
}

TEST(JudgeColumnLongTest, LongUnupdatedBoundaries) {
  struct Case {
    Category category;
    std::vector<std::string> dates;
    bool stale;
    bool long_unupdated;
  };
  const Case cases[] = {
      {PERSONNEL, {"2025-11-20"}, false, false},
      {PERSONNEL, {"2025-11-19"}, true, true},
      {NEWS, {"2026-01-01"}, true, false},
      {NEWS, {"2025-11-19"}, true, true},
      {POLICY, {""}, true, true},
      {TOPIC, {"2020-01-01"}, false, false},
      {NOTICE, {}, false, false},  // blank
  };
  for (const Case& c : cases) {
    ColumnFacts facts;
    facts.category = c.category;
    facts.observed = true;
    facts.item_dates = c.dates;
    report::ColumnReport column = JudgeColumn(facts, kAsOf, DefaultRubric());
    EXPECT_EQ(column.stale(), c.stale) << c.category << " " << c.dates.size();
    EXPECT_EQ(column.long_unupdated(), c.long_unupdated) << c.category;
  }
}

TEST(JudgeSiteTest, LongUnupdatedVetoAtTen) {
  for (int n = 9; n <= 10; ++n) {
    report::SiteReport site = HealthySite();
    for (int i = 0; i < n; ++i) {
      auto* column = site.add_columns();
      column->set_name(absl::StrCat("l", i));
      column->set_category("other");
      column->set_long_unupdated(true);
    }
    JudgeSite(kAsOf, DefaultRubric(), &site);
    if (n == 10) {
      EXPECT_THAT(Rules(site), ElementsAre("long_unupdated"));
      EXPECT_EQ(site.vetoes(0).detail(),
                "10 columns that should be updated have no item in 12 months: l0, l1, l2, l3, l4, "
                "l5, l6, l7, l8, l9");
    } else {
      EXPECT_THAT(Rules(site), ElementsAre());
    }
    EXPECT_DOUBLE_EQ(site.score(), 100.0);
    // Not stale, so not in the stale deduction; but counted for the warning (> 6).
    EXPECT_EQ(site.early_warnings(0).rule(), "columns_not_updated");
    EXPECT_EQ(site.early_warnings(0).detail(),
              absl::StrCat(n, " columns not updated (more than 6)"));
  }
}

MailboxMessage Message(const std::string& submitted, bool answered, const std::string& replied) {
  MailboxMessage m;
  m.set_submitted(submitted);
  m.set_answered(answered);
  m.set_replied(replied);
  return m;
}

TEST(InteractionTest, UnansweredTooLongBoundaries) {
  const Rubric& r = DefaultRubric();
  EXPECT_TRUE(UnansweredTooLong(Message("2026-08-19", false, ""), kAsOf, r));
  EXPECT_FALSE(UnansweredTooLong(Message("2026-08-20", false, ""), kAsOf, r));
  EXPECT_TRUE(UnansweredTooLong(Message("2025-11-20", false, ""), kAsOf, r));
  EXPECT_FALSE(UnansweredTooLong(Message("2025-11-19", false, ""), kAsOf, r));
  EXPECT_TRUE(UnansweredTooLong(Message("2026-01-31", true, "2026-05-01"), kAsOf, r));
  EXPECT_FALSE(UnansweredTooLong(Message("2026-02-01", true, "2026-05-01"), kAsOf, r));
  EXPECT_FALSE(UnansweredTooLong(Message("2026-01-01", true, ""), kAsOf, r));
  EXPECT_FALSE(UnansweredTooLong(Message("去年", false, ""), kAsOf, r));
  EXPECT_TRUE(SlowReply(Message("2026-10-01", true, "2026-10-16"), kAsOf, r));
  EXPECT_FALSE(SlowReply(Message("2026-10-01", true, "2026-10-15"), kAsOf, r));
  EXPECT_FALSE(SlowReply(Message("2025-11-19", true, "2025-12-30"), kAsOf, r));
  EXPECT_FALSE(SlowReply(Message("2026-10-01", false, "2026-12-30"), kAsOf, r));
  EXPECT_TRUE(IsConsultationColumn("领导信箱", r));
  EXPECT_TRUE(IsConsultationColumn("咨询投诉", r));
  EXPECT_FALSE(IsConsultationColumn("在线访谈", r));
  EXPECT_FALSE(IsConsultationColumn("网上信访", r));
  EXPECT_FALSE(IsConsultationColumn("纪检举报", r));
  EXPECT_FALSE(IsConsultationColumn("调查征集", r));

  report::Interaction i =
      JudgeInteraction({Message("2026-08-19", false, ""), Message("2026-11-01", false, ""),
                        Message("2026-10-01", true, "2026-10-16"),
                        Message("2026-10-01", true, "2026-10-05"), Message("2026-10-01", true, "")},
                       kAsOf, r);
  EXPECT_EQ(i.messages(), 5);
  EXPECT_EQ(i.answered(), 3);
  EXPECT_EQ(i.unanswered_over_3_months(), 1);
  EXPECT_EQ(i.slow_replies(), 1);
  EXPECT_DOUBLE_EQ(i.mean_reply_days(), 9.5);
}

TEST(JudgeSiteTest, InteractionVetoAndSlowReplies) {
  report::SiteReport site = HealthySite();
  site.mutable_interaction()->set_unanswered_over_3_months(1);
  site.mutable_interaction()->set_slow_replies(12);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_THAT(Rules(site), ElementsAre("interaction_unanswered"));
  EXPECT_EQ(site.vetoes(0).detail(),
            "1 consultation messages submitted within 12 months unanswered for more than 3 months");
  EXPECT_EQ(Deductions(site),
            (std::vector<std::pair<std::string, double>>{{"interaction_slow_replies", 10.0}}));
  EXPECT_EQ(site.deductions(0).detail(), "12 replies later than 14 days");
  EXPECT_DOUBLE_EQ(site.score(), 90.0);
  site.mutable_interaction()->set_unanswered_over_3_months(0);
  site.mutable_interaction()->set_slow_replies(3);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_THAT(Rules(site), ElementsAre());
  EXPECT_DOUBLE_EQ(site.score(), 97.0);
}

TEST(JudgeSiteTest, SeriousErrorFromContentFindings) {
  report::SiteReport site = HealthySite();
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_THAT(Rules(site), ElementsAre());
  site.add_content()->set_kind("serious_typo");
  site.add_content()->set_kind("forged_date");
  site.add_content()->set_kind("forged_date");
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_THAT(Rules(site), ElementsAre("serious_error"));
  EXPECT_EQ(site.vetoes(0).detail(), "3 serious errors: 2 forged_date, 1 serious_typo");
  EXPECT_EQ(site.verdict(), "fail");
  EXPECT_DOUBLE_EQ(site.score(), 100.0);
}

TEST(LinksTest, ConfirmedOrSuspected) {
  struct Case {
    FetchError error;
    int status;
    int attempts;
    bool confirmed;
  };
  const Case cases[] = {
      {HTTP_404, 404, 1, true},  {HTTP_404, 410, 1, true},  {HTTP_4XX, 403, 1, true},
      {HTTP_4XX, 400, 1, false}, {HTTP_5XX, 500, 1, false}, {TIMEOUT, 0, 1, false},
      {HTTP_5XX, 503, 2, true},  {DNS, 0, 2, true},         {CONNECT, 0, 0, false}};
  for (const Case& c : cases) {
    FetchRecord check;
    check.set_error(c.error);
    check.set_status(c.status);
    check.set_attempts(c.attempts);
    EXPECT_EQ(LinkConfirmed(check), c.confirmed) << c.status << " " << c.attempts;
  }
  FetchRecord robots;
  robots.set_error(OTHER_ERROR);
  robots.set_robots_disallowed(true);
  EXPECT_EQ(BrokenLinkError(robots), std::nullopt);
  EXPECT_TRUE(IsOnlineSystemText("网上办事大厅", DefaultRubric()));
  EXPECT_TRUE(IsOnlineSystemText("政务服务平台", DefaultRubric()));
  EXPECT_FALSE(IsOnlineSystemText("新闻", DefaultRubric()));
  EXPECT_FALSE(IsOnlineSystemText("", DefaultRubric()));
}

TEST(JudgeSiteTest, AttachmentAndOnlineSystemDeductions) {
  report::SiteReport site = HealthySite();
  auto add = [&](bool home, bool attachment, bool system) {
    auto* link = site.mutable_links()->add_broken();
    link->set_on_homepage(home);
    link->set_attachment(attachment);
    link->set_online_system(system);
  };
  add(true, true, false);
  add(false, true, true);  // an attachment first
  add(false, false, true);
  add(true, false, false);
  for (int i = 0; i < 3; ++i) add(false, false, false);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(Deductions(site),
            (std::vector<std::pair<std::string, double>>{{"broken_links_homepage", 1.0},
                                                         {"broken_links_other", 0.3},
                                                         {"attachments_unavailable", 2.0},
                                                         {"online_systems_unavailable", 2.0}}));
  EXPECT_DOUBLE_EQ(site.score(), 94.7);
  for (int i = 0; i < 15; ++i) add(false, true, false);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_DOUBLE_EQ(site.deductions(2).points(), 10.0);  // 17 attachments, cap 10
}

TEST(JudgeSiteTest, HomepageUpdateVolumeBoundary) {
  report::SiteReport site = HealthySite();
  site.mutable_homepage()->set_updates_in_window(10);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(site.deductions_size(), 0);
  site.mutable_homepage()->set_updates_in_window(9);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(Deductions(site),
            (std::vector<std::pair<std::string, double>>{{"homepage_update_volume", 5.0}}));
  EXPECT_EQ(site.deductions(0).detail(), "9 homepage items within 14 days (fewer than 10)");
  EXPECT_DOUBLE_EQ(site.score(), 95.0);
}

TEST(JudgeSiteTest, FailBelowSixty) {
  report::SiteReport site = HealthySite();
  for (int i = 0; i < 30; ++i) site.mutable_links()->add_broken()->set_on_homepage(true);
  for (int i = 0; i < 300; ++i) site.mutable_links()->add_broken();
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_DOUBLE_EQ(site.score(), 60.0);
  EXPECT_EQ(site.verdict(), "pass");
  site.mutable_homepage()->set_updates_in_window(9);
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_DOUBLE_EQ(site.score(), 55.0);
  EXPECT_EQ(site.verdict(), "fail");
  EXPECT_EQ(site.vetoes_size(), 0);
}

TEST(JudgeSiteTest, EarlyWarningBoundaries) {
  auto warnings = [](report::SiteReport site) {
    JudgeSite(kAsOf, DefaultRubric(), &site);
    return Warnings(site);
  };
  report::SiteReport site = HealthySite();
  site.mutable_reachability()->set_probes(100);
  site.mutable_reachability()->set_failures(3);
  EXPECT_THAT(warnings(site), ElementsAre());
  site.mutable_reachability()->set_failures(4);
  EXPECT_THAT(warnings(site),
              ElementsAre("unreachable_ratio: 4 of 100 probes failed (4.0%), above 3.0%"));
  site.mutable_reachability()->set_failures(5);  // the veto, not a warning
  EXPECT_THAT(warnings(site), ElementsAre());

  site = HealthySite();
  site.mutable_homepage()->set_last_update("2026-11-10");
  EXPECT_THAT(warnings(site), ElementsAre());
  site.mutable_homepage()->set_last_update("2026-11-09");
  EXPECT_THAT(warnings(site), ElementsAre("homepage_not_updated: homepage last updated "
                                          "2026-11-09, 11 days before 2026-11-20 (more than 10)"));
  site.mutable_homepage()->set_last_update("2026-11-01");  // stale: veto
  EXPECT_THAT(warnings(site), ElementsAre());

  for (int blank : {2, 3, 5}) {
    site = HealthySite();
    for (int i = 0; i < blank; ++i) site.add_columns()->set_blank(true);
    std::vector<std::string> w = warnings(site);
    if (blank == 3) {
      EXPECT_THAT(w, ElementsAre("blank_columns: 3 blank columns (more than 2)"));
    } else {
      EXPECT_THAT(w, ElementsAre()) << blank;
    }
  }
  for (int stale : {6, 7}) {
    site = HealthySite();
    for (int i = 0; i < stale; ++i) {
      auto* c = site.add_columns();
      c->set_category("news");
      c->set_stale(true);
    }
    std::vector<std::string> w = warnings(site);
    if (stale == 7) {
      EXPECT_THAT(w, ElementsAre("columns_not_updated: 7 columns not updated (more than 6)"));
    } else {
      EXPECT_THAT(w, ElementsAre());
    }
  }
}

TEST(ChangeRateTest, ChoGarciaMolinaEstimator) {
  EXPECT_NEAR(EstimateChangeRate(10, 3, 1.0), 0.336472237, 1e-9);   // -ln(7.5/10.5)
  EXPECT_NEAR(EstimateChangeRate(10, 10, 2.0), 1.522261219, 1e-9);  // ln(21)/2
  EXPECT_NEAR(EstimateChangeRate(2, 5, 1.0), 1.609437912, 1e-9);    // X clamped: ln(5)
  EXPECT_EQ(EstimateChangeRate(4, 0, 1.0), 0.0);
  EXPECT_EQ(EstimateChangeRate(0, 0, 1.0), 0.0);
  EXPECT_EQ(EstimateChangeRate(3, 1, 0.0), 0.0);
}

int64_t At(int y, int m, int d, int h = 10) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(y, m, d, h, 0, 0), CensusTimeZone()));
}

PageObservation Snapshot(int64_t at, const std::string& hash,
                         const std::vector<std::pair<std::string, std::string>>& items) {
  PageObservation obs;
  obs.set_url("https://x.gov.cn/list/");
  obs.set_fetched_at_ms(at);
  obs.set_content_hash(hash);
  for (const auto& [href, date] : items) {
    ListItem* item = obs.add_items();
    item->set_href(href);
    item->set_title(absl::AsciiStrToUpper(href.substr(href.size() - 1)));
    item->set_date(date);
  }
  return obs;
}

TEST(ChangeRateTest, HistoryAndColumn) {
  const int64_t day = 86400000;
  const int64_t t0 = At(2026, 11, 1);
  std::vector<PageObservation> history = {
      Snapshot(t0, "h1", {{"u/a", "2026-10-01"}}),
      Snapshot(t0 + day, "h2", {{"u/a", "2026-10-01"}}),
      Snapshot(t0 + 3 * day, "h3", {{"u/b", "2026-11-03"}, {"u/a", "2026-10-01"}}),
      Snapshot(t0 + 6 * day, "h4", {{"u/b", "2026-11-03"}, {"u/a", "2026-10-01"}})};
  HistorySummary summary = SummarizeHistory(history);
  EXPECT_EQ(summary.observations, 4);
  EXPECT_EQ(summary.changes, 1);  // items, not the hash
  EXPECT_DOUBLE_EQ(summary.mean_interval_days, 2.0);
  std::vector<PageObservation> pages = {Snapshot(t0, "h1", {}), Snapshot(t0 + day, "h1", {}),
                                        Snapshot(t0 + 2 * day, "h2", {})};
  EXPECT_EQ(SummarizeHistory(pages).changes, 1);
  EXPECT_EQ(SummarizeHistory({}).observations, 0);
  EXPECT_EQ(SummarizeHistory({pages[0]}).mean_interval_days, 0.0);

  ColumnFacts facts;
  facts.category = NEWS;
  facts.observed = true;
  facts.item_dates = {"2026-11-19"};
  facts.observations = 4;
  facts.changes = 1;
  facts.observation_interval_days = 2.0;
  report::ColumnReport column = JudgeColumn(facts, kAsOf, DefaultRubric());
  EXPECT_EQ(column.observations(), 4);
  EXPECT_EQ(column.changes(), 1);
  EXPECT_NEAR(column.change_rate_per_day(), 0.168236118, 1e-9);  // ln(3.5/2.5)/2
}

TEST(ContentTest, DateChangesAcrossSnapshots) {
  std::vector<PageObservation> history = {
      Snapshot(At(2026, 11, 13), "h1",
               {{"https://x.gov.cn/a", "2026-11-01"}, {"https://x.gov.cn/b", "2026-11-05"}}),
      Snapshot(At(2026, 11, 16), "h2",
               {{"https://x.gov.cn/a", "2026-11-01"}, {"https://x.gov.cn/b", "2026-11-12"}}),
      Snapshot(At(2026, 11, 20), "h3",
               {{"https://x.gov.cn/a", "2026-11-01"},
                {"https://x.gov.cn/b", "2026-11-12"},
                {"https://x.gov.cn/c", ""}})};
  std::vector<DateChange> changes = FindDateChanges(history);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].url, "https://x.gov.cn/b");
  EXPECT_EQ(changes[0].index, 1u);
  EXPECT_EQ(changes[0].detail,
            "item \"B\" on https://x.gov.cn/list/ shown dated 2026-11-05 on 2026-11-13, dated "
            "2026-11-12 on 2026-11-16");

  PageObservation a1;
  a1.set_url("https://x.gov.cn/a.html");
  a1.set_fetched_at_ms(At(2026, 11, 13));
  a1.set_publication_date("2026-10-01");
  PageObservation a2 = a1;
  a2.set_fetched_at_ms(At(2026, 11, 20));
  a2.set_publication_date("2026-11-18");
  changes = FindDateChanges({a1, a1, a2});
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].index, 2u);
  EXPECT_EQ(changes[0].detail,
            "article https://x.gov.cn/a.html published 2026-10-01 (seen 2026-11-13), 2026-11-18 "
            "(seen 2026-11-20)");
  EXPECT_TRUE(FindDateChanges({a1, a1}).empty());
}

TEST(ContentTest, OffSite) {
  EXPECT_EQ(UrlHost("https://User@WWW.A.gov.cn:8080/x?y"), "www.a.gov.cn");
  EXPECT_EQ(UrlHost("mailto:x@a.gov.cn"), "");
  EXPECT_TRUE(IsOffSite("http://spam.example.com/x", "http://www.a.gov.cn/"));
  EXPECT_FALSE(IsOffSite("http://a.gov.cn/x", "http://www.a.gov.cn/"));
  EXPECT_FALSE(IsOffSite("http://sub.a.gov.cn/", "http://www.a.gov.cn/"));
  EXPECT_TRUE(IsOffSite("http://www.b.gov.cn/", "http://www.a.gov.cn/"));
  EXPECT_TRUE(IsOffSite("http://xa.gov.cn/", "http://a.gov.cn/"));
}

// docs/COLUMNS.md: a column page with no items is blank only when it has no text of
// its own; static pages and pages a script may fill are neither blank nor stale.
TEST(JudgeColumnPageTest, WhatAPageWithoutItemsIs) {
  const struct {
    const char* name;
    bool measured;
    std::string kind;
    int own_chars;
    int own_links;
    bool script_list;
    bool messages;
    bool placeholder;
    // expected
    std::string page;
    bool blank;
    // The rendered look (PageObservation.render) and what the report says of it.
    std::string render = "";
    std::string verdict_source = "html";
    std::string render_detail = "";
  } kCases[] = {
      {"unmeasured (stored before) stays blank", false, "other", 0, 0, false, false, false, "",
       true},
      {"no own text", true, "other", 0, 0, false, false, false, "empty", true},
      {"heading residue", true, "other", kStaticPageMinChars - 1, 1, false, false, false, "empty",
       true},
      {"intro page", true, "other", kStaticPageMinChars, 0, false, false, false, "static", false},
      {"a page of links", true, "other", 0, kStaticPageMinLinks, false, false, false, "static",
       false},
      {"an article", true, "article", 0, 0, false, false, false, "static", false},
      {"script may fill, not rendered", true, "other", 0, 0, true, false, false, "unverified-blank",
       false, "", "html", "not rendered"},
      {"script may fill, no renderer", true, "other", 0, 0, true, false, false, "unverified-blank",
       false, "unavailable", "html", "no renderer (Chromium) on the worker"},
      {"render failed", true, "other", 0, 0, false, false, false, "unverified-blank", false,
       "failed", "html", "render timed out"},
      {"render skipped, judged empty after all", true, "other", 3, 0, false, false, false,
       "unverified-blank", false, "skipped", "html", "render timed out"},
      {"script may fill, rendered and empty", true, "other", 0, 0, true, false, false, "empty",
       true, "rendered", "rendered"},
      {"no script: the markup is final", true, "other", 0, 0, false, false, false, "empty", true,
       "", "html"},
      {"placeholder and a loader, not rendered", true, "other", 200, 0, true, false, true,
       "unverified-blank", false, "", "html", "not rendered"},
      {"placeholder in the browser too", true, "other", 200, 0, true, false, true, "empty", true,
       "rendered", "rendered"},
      {"placeholder without a script", true, "other", 200, 0, false, false, true, "empty", true},
      {"letters without items", true, "mailbox", 0, 0, false, true, false, "mailbox", false},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    ColumnFacts facts;
    facts.name = "机构概况";
    facts.url = "https://a.gov.cn/col/jggk/";
    facts.category = NEWS;  // even a news column: a static page is not judged stale
    facts.observed = true;
    facts.own_text_measured = c.measured;
    facts.page_kind = c.kind;
    facts.own_chars = c.own_chars;
    facts.own_links = c.own_links;
    facts.script_list = c.script_list;
    facts.has_messages = c.messages;
    facts.blank_placeholder = c.placeholder;
    facts.render = c.render;
    facts.render_detail = c.render.empty() || c.render == "unavailable" ? "" : "render timed out";
    report::ColumnReport column = JudgeColumn(facts, kAsOf, DefaultRubric());
    EXPECT_EQ(column.page(), c.page);
    EXPECT_EQ(column.blank(), c.blank);
    EXPECT_EQ(column.verdict_source(), c.verdict_source);
    EXPECT_EQ(column.render_detail(), c.render_detail);
    EXPECT_FALSE(column.stale());
    EXPECT_FALSE(column.long_unupdated());
  }
  // One dated item is a list, judged for freshness.
  ColumnFacts one;
  one.category = NEWS;
  one.observed = true;
  one.own_text_measured = true;
  one.page_kind = "list";
  one.item_dates = {"2026-10-01"};
  report::ColumnReport column = JudgeColumn(one, kAsOf, DefaultRubric());
  EXPECT_EQ(column.page(), "list");
  EXPECT_FALSE(column.blank());
  EXPECT_TRUE(column.stale());
  EXPECT_EQ(column.verdict_source(), "html");
  // Items read from a data URL: the verdict says so.
  one.list_source = "data_url";
  one.item_dates = {"2026-11-19"};
  column = JudgeColumn(one, kAsOf, DefaultRubric());
  EXPECT_EQ(column.verdict_source(), "data_url");
  EXPECT_FALSE(column.stale());
}

PageObservation OwnLines(std::vector<std::pair<uint64_t, int>> lines, bool measured = true) {
  PageObservation obs;
  obs.set_own_text_measured(measured);
  for (const auto& [hash, chars] : lines) {
    obs.add_own_line_hashes(hash);
    obs.add_own_line_chars(chars);
  }
  return obs;
}

TEST(OwnTextTest, TheSiteTemplateAndLinksToTheSiteCancelOut) {
  const uint64_t footer = TextHash("主办：恒丰县人民政府");
  const uint64_t intro = TextHash("恒丰县人民政府办公室是县人民政府的办事机构");
  const uint64_t sidebar = LinkTextHash("http://a.gov.cn/col/tzgg/");
  const uint64_t zhang = LinkTextHash("http://a.gov.cn/ld/zhang.html");
  const uint64_t li = LinkTextHash("http://a.gov.cn/ld/li.html");
  // Links carry their text's count negated.
  PageObservation home = OwnLines({{footer, 10}});
  PageObservation blank = OwnLines({{footer, 10}, {sidebar, -4}});
  PageObservation about = OwnLines({{footer, 10}, {intro, 21}, {intro, 21}});
  PageObservation leaders = OwnLines({{footer, 10}, {zhang, -2}, {li, -2}});
  PageObservation old = OwnLines({}, false);
  const std::vector<OwnText> got = OwnTextOf({&home, &blank, &about, &leaders, &old, nullptr},
                                             {"http://a.gov.cn/", "http://a.gov.cn/col/tzgg/"});
  ASSERT_EQ(got.size(), 6u);
  // The footer recurs; the sidebar links a column; a repeated line counts once.
  const int want[][3] = {{1, 0, 0}, {1, 0, 0}, {1, 21, 0}, {1, 0, 2}, {0, 0, 0}, {0, 0, 0}};
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(got[i].measured, want[i][0] == 1);
    EXPECT_EQ(got[i].chars, want[i][1]);
    EXPECT_EQ(got[i].links, want[i][2]);
  }
  // Alone, nothing is subtracted but the links to the site.
  const std::vector<OwnText> alone = OwnTextOf({&blank}, {"http://a.gov.cn/col/tzgg/"});
  EXPECT_EQ(alone[0].chars, 10);
  EXPECT_EQ(alone[0].links, 0);
}

// ---------------------------------------------------------------- IPv6 and HTTPS

FetchRecord V6Probe(FetchError error, int status, const std::string& ip, int os_errno = 0,
                    int64_t at = 1000, const std::string& detail = "") {
  FetchRecord r;
  r.set_kind(PROBE_V6);
  r.set_error(error);
  r.set_status(status);
  r.set_remote_ip(ip);
  r.set_os_errno(os_errno);
  r.set_fetched_at_ms(at);
  r.set_error_detail(detail);
  return r;
}

std::string Ipv6Text(const report::Ipv6& v6) {
  return absl::StrCat(v6.aaaa(), " ", v6.status(), " ", v6.address(), " ", v6.probes(), "/",
                      v6.failures(), "/", v6.unverified(), " ", v6.availability(), " ",
                      v6.detail());
}

TEST(JudgeIpv6Test, Outcomes) {
  EXPECT_EQ(JudgeIpv6Probe(V6Probe(FETCH_OK, 200, "::1")), Ipv6ProbeOutcome::kOpened);
  EXPECT_EQ(JudgeIpv6Probe(V6Probe(FETCH_OK, 503, "::1")), Ipv6ProbeOutcome::kFailed);
  EXPECT_EQ(JudgeIpv6Probe(V6Probe(TIMEOUT, 0, "2001:db8::1")), Ipv6ProbeOutcome::kFailed);
  EXPECT_EQ(JudgeIpv6Probe(V6Probe(CONNECT, 0, "", ECONNREFUSED)), Ipv6ProbeOutcome::kFailed);
  EXPECT_EQ(JudgeIpv6Probe(V6Probe(DNS, 0, "")), Ipv6ProbeOutcome::kNoAddress);
  for (int e : {ENETUNREACH, EAFNOSUPPORT, EADDRNOTAVAIL}) {
    EXPECT_EQ(JudgeIpv6Probe(V6Probe(CONNECT, 0, "", e)), Ipv6ProbeOutcome::kUnverified) << e;
  }
  EXPECT_EQ(JudgeIpv6Probe(V6Probe(BLOCKED_ADDRESS, 0, "")), Ipv6ProbeOutcome::kUnverified);
}

TEST(JudgeIpv6Test, SiteFigures) {
  EXPECT_EQ(Ipv6Text(JudgeIpv6({})), "unverified unverified  0/0/0 0 no IPv6 probe in this census");
  EXPECT_EQ(Ipv6Text(JudgeIpv6(
                {V6Probe(FETCH_OK, 200, "::1", 0, 1), V6Probe(FETCH_OK, 301, "::1", 0, 2)})),
            "yes reachable ::1 2/0/0 1 ");
  EXPECT_EQ(Ipv6Text(JudgeIpv6(
                {V6Probe(DNS, 0, "", 0, 1, "no AAAA"), V6Probe(DNS, 0, "", 0, 2, "no AAAA 2")})),
            "no no_aaaa  2/2/0 0 no AAAA 2");
  EXPECT_EQ(Ipv6Text(JudgeIpv6({V6Probe(CONNECT, 0, "2001:db8::1", ECONNREFUSED, 1, "refused"),
                                V6Probe(TIMEOUT, 0, "2001:db8::2", 0, 2, "timed out")})),
            "yes unreachable 2001:db8::2 2/2/0 0 timed out");
  EXPECT_EQ(Ipv6Text(JudgeIpv6({V6Probe(FETCH_OK, 200, "2001:db8::1", 0, 1),
                                V6Probe(TIMEOUT, 0, "2001:db8::1", 0, 2, "timed out"),
                                V6Probe(CONNECT, 0, "", ENETUNREACH, 3, "unreachable net")})),
            "yes partial 2001:db8::1 2/1/1 0.5 unreachable net");
  // Only the worker's own network failed: nothing is known of the site.
  EXPECT_EQ(Ipv6Text(JudgeIpv6({V6Probe(CONNECT, 0, "", ENETUNREACH, 1, "no route")})),
            "unverified unverified  0/0/1 0 no route");
}

FetchRecord HttpsCheck(FetchError error, int status, bool handshake, const std::string& problem) {
  FetchRecord r;
  r.set_kind(HTTPS_CHECK);
  r.set_url("http://a.gov.cn/");
  r.set_error(error);
  r.set_status(status);
  r.set_fetched_at_ms(absl::ToUnixMillis(
      absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0), CensusTimeZone())));
  r.set_error_detail(error == FETCH_OK ? "" : "words");
  TlsCheck* tls = r.mutable_tls();
  tls->set_https_url("https://a.gov.cn/");
  tls->set_handshake(handshake);
  tls->set_verified(status > 0);
  tls->set_cert_problem(problem);
  return r;
}

std::string HttpsText(const report::Https& h) {
  return absl::StrCat(h.status(), " offered=", h.offered(), " valid=", h.certificate_valid(),
                      " error=", h.certificate_error(), " status=", h.https_status(),
                      " days=", h.days_to_expiry(), " expires=", h.certificate_expires(),
                      " detail=", h.detail());
}

TEST(JudgeHttpsTest, Statuses) {
  EXPECT_EQ(HttpsText(JudgeHttps(nullptr)),
            "unverified offered=0 valid=0 error= status=0 days=0 expires= detail=no HTTPS check in "
            "this census");
  FetchRecord valid = HttpsCheck(FETCH_OK, 200, true, "");
  // notAfter 30 days and 13 hours after the check: 30 whole days.
  valid.mutable_tls()->set_cert_not_after_ms(valid.fetched_at_ms() + (30 * 24 + 13) * 3600000LL);
  EXPECT_EQ(HttpsText(JudgeHttps(&valid)),
            "valid offered=1 valid=1 error= status=200 days=30 "
            "expires=2026-12-20T23:00:00+08:00 detail=");
  FetchRecord expired = HttpsCheck(TLS, 0, true, "expired");
  expired.mutable_tls()->set_unverified_status(200);
  expired.mutable_tls()->set_cert_not_after_ms(expired.fetched_at_ms() - 3600000LL);  // 1 h ago
  EXPECT_EQ(HttpsText(JudgeHttps(&expired)),
            "invalid offered=1 valid=0 error=expired status=200 days=-1 "
            "expires=2026-11-20T09:00:00+08:00 detail=words");
  FetchRecord refused = HttpsCheck(CONNECT, 0, false, "");
  EXPECT_EQ(HttpsText(JudgeHttps(&refused)),
            "not_offered offered=0 valid=0 error= status=0 days=0 expires= detail=words");
  FetchRecord no_tls = HttpsCheck(TLS, 0, false, "");  // 443 speaks no TLS
  EXPECT_EQ(JudgeHttps(&no_tls).status(), "not_offered");
  // Could not tell: a timeout, a name that did not resolve, anything else.
  for (FetchError e : {TIMEOUT, DNS, OTHER_ERROR}) {
    FetchRecord unknown = HttpsCheck(e, 0, false, "");
    EXPECT_EQ(JudgeHttps(&unknown).status(), "unverified") << e;
  }
  // http redirects to https but https could not be opened: offered, not judged.
  FetchRecord redirected = HttpsCheck(CONNECT, 0, false, "");
  redirected.mutable_tls()->set_http_redirects_to_https(true);
  EXPECT_EQ(HttpsText(JudgeHttps(&redirected)),
            "unverified offered=1 valid=0 error= status=0 days=0 expires= detail=words");
}

TEST(JudgeSiteTest, Ipv6AndHttpsRules) {
  absl::StatusOr<Rubric> rubric = ParseRubric(R"(
      name: "t"
      deduction { rule: "ipv6_unsupported" points: 5 }
      deduction { rule: "https_unavailable" points: 3 }
      deduction { rule: "certificate_invalid" points: 2.5 cap: 2 }
      warning { rule: "certificate_expiring" threshold: 30 })");
  ASSERT_TRUE(rubric.ok()) << rubric.status();
  auto judged = [&](const std::string& v6, const std::string& https, const std::string& error,
                    int days) {
    report::SiteReport site = HealthySite();
    site.mutable_ipv6()->set_status(v6);
    site.mutable_ipv6()->set_address("2001:db8::1");
    site.mutable_ipv6()->set_probes(3);
    site.mutable_ipv6()->set_failures(3);
    site.mutable_https()->set_status(https);
    site.mutable_https()->set_url("https://a.gov.cn/");
    site.mutable_https()->set_certificate_valid(https == "valid");
    site.mutable_https()->set_certificate_error(error);
    site.mutable_https()->set_certificate_expires("2026-12-01T00:00:00+08:00");
    site.mutable_https()->set_days_to_expiry(days);
    site.mutable_https()->set_detail("curl words");
    JudgeSite(kAsOf, *rubric, &site);
    std::vector<std::string> out;
    for (const auto& d : site.deductions()) {
      out.push_back(absl::StrCat(d.rule(), " ", d.points(), " ", d.detail()));
    }
    for (const auto& w : site.early_warnings())
      out.push_back(absl::StrCat(w.rule(), " ", w.detail()));
    out.push_back(absl::StrCat(site.score()));
    return out;
  };
  EXPECT_THAT(judged("reachable", "valid", "", 30), ElementsAre("100"));
  EXPECT_THAT(judged("partial", "valid", "", 29),
              ElementsAre("certificate_expiring certificate of https://a.gov.cn/ expires "
                          "2026-12-01T00:00:00+08:00, in 29 days (fewer than 30)",
                          "100"));
  EXPECT_THAT(judged("no_aaaa", "not_offered", "", 0),
              ElementsAre("ipv6_unsupported 5 the homepage's host has no IPv6 address (AAAA)",
                          "https_unavailable 3 no HTTPS: https://a.gov.cn/ (curl words)", "92"));
  EXPECT_THAT(judged("unreachable", "invalid", "wrong_host", 90),
              ElementsAre("ipv6_unsupported 5 the homepage does not open over IPv6 (2001:db8::1): "
                          "3 of 3 IPv6 probes failed",
                          "certificate_invalid 2 certificate of https://a.gov.cn/ refused: "
                          "wrong_host (curl words)",
                          "93"));
  // A check that could not be made costs nothing.
  EXPECT_THAT(judged("unverified", "unverified", "", 0), ElementsAre("100"));
  // gov-2019 measures them and scores none.
  report::SiteReport site = HealthySite();
  site.mutable_ipv6()->set_status("no_aaaa");
  site.mutable_https()->set_status("not_offered");
  JudgeSite(kAsOf, DefaultRubric(), &site);
  EXPECT_EQ(site.deductions_size(), 0);
  EXPECT_EQ(site.score(), 100.0);
}

TEST(RubricTest, CertificateExpiringNeedsDays) {
  absl::StatusOr<Rubric> rubric =
      ParseRubric("name: \"t\" warning { rule: \"certificate_expiring\" threshold: 0 }", "r");
  ASSERT_FALSE(rubric.ok());
  EXPECT_EQ(rubric.status().message(),
            "r: warning certificate_expiring: threshold must be >= 1 (days)");
}

}  // namespace
}  // namespace census
