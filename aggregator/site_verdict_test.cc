#include "aggregator/site_verdict.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
  site.mutable_homepage()->set_updates_in_window(3);
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

TEST(HelpersTest, ProbeFailed) {
  struct Case {
    FetchError error;
    int status;
    bool failed;
  };
  const Case cases[] = {
      {FETCH_OK, 200, false}, {FETCH_OK, 304, false}, {FETCH_OK, 399, false},
      {FETCH_OK, 301, false}, {FETCH_OK, 199, true},  {FETCH_OK, 400, true},
      {FETCH_OK, 404, true},  {FETCH_OK, 503, true},  {FETCH_OK, 0, true},
      {TIMEOUT, 0, true},     {HTTP_5XX, 500, true},  {TOO_LARGE, 200, true},
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
  report::ColumnReport column = JudgeColumn(facts, kAsOf, Rubric());
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
  report::ColumnReport column = JudgeColumn(facts, kAsOf, Rubric());
  EXPECT_EQ(column.items(), 7);
  EXPECT_EQ(column.last_update(), "2026-11-20");
  EXPECT_EQ(column.updates_30d(), 5);  // 10-21 is 30 days before 11-20
  EXPECT_DOUBLE_EQ(column.mean_interval_days(), 10.0);
  EXPECT_FALSE(column.stale());
  EXPECT_FALSE(column.blank());

  facts.item_dates = {"2026-11-20", "2026-10-20"};  // 31 days: outside 30d
  column = JudgeColumn(facts, kAsOf, Rubric());
  EXPECT_EQ(column.updates_30d(), 1);
  EXPECT_DOUBLE_EQ(column.mean_interval_days(), 31.0);

  facts.item_dates = {"2026-11-20"};
  column = JudgeColumn(facts, kAsOf, Rubric());
  EXPECT_DOUBLE_EQ(column.mean_interval_days(), 0.0);
}

TEST(JudgeHomepageTest, DatedItems) {
  report::Homepage homepage = JudgeHomepage(
      {"2026-11-06", "2026-11-05", "2026-11-21", "", "2026-11-20"}, {}, true, kAsOf, Rubric());
  EXPECT_EQ(homepage.last_update(), "2026-11-21");
  EXPECT_EQ(homepage.updates_in_window(), 2);  // 11-06 and 11-20; 11-21 is ahead
  EXPECT_FALSE(homepage.navigation_only());
}

TEST(JudgeHomepageTest, NavigationOnlyTakesNewestColumn) {
  std::vector<report::ColumnReport> columns(3);
  columns[0].set_last_update("2026-10-01");
  columns[1].set_last_update("2026-11-12");
  columns[2].set_last_update("");
  report::Homepage homepage = JudgeHomepage({"", ""}, columns, true, kAsOf, Rubric());
  EXPECT_TRUE(homepage.navigation_only());
  EXPECT_EQ(homepage.last_update(), "2026-11-12");
  EXPECT_EQ(homepage.updates_in_window(), 0);
}

TEST(JudgeHomepageTest, NoItemsNoColumns) {
  report::Homepage homepage = JudgeHomepage({}, {}, false, kAsOf, Rubric());
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
  JudgeSite(kAsOf, Rubric(), &site);
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
  JudgeSite(kAsOf, Rubric(), &site);
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
  JudgeSite(kAsOf, Rubric(), &site);
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
    JudgeSite(kAsOf, Rubric(), &site);
    EXPECT_EQ(Rules(site),
              c.stale ? std::vector<std::string>{"homepage_stale"} : std::vector<std::string>{})
        << c.last_update;
    EXPECT_EQ(site.verdict(), c.stale ? "fail" : "pass");
  }
  report::SiteReport site = HealthySite();
  site.mutable_homepage()->set_last_update("2026-11-05");
  JudgeSite(kAsOf, Rubric(), &site);
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
    JudgeSite(kAsOf, Rubric(), &site);
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
  JudgeSite(kAsOf, Rubric(), &site);
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
    JudgeSite(kAsOf, Rubric(), &site);
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
  JudgeSite(kAsOf, Rubric(), &site);
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
    JudgeSite(kAsOf, Rubric(), &site);
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
  JudgeSite(kAsOf, Rubric(), &site);
  EXPECT_EQ(site.verdict(), "pass");
  EXPECT_DOUBLE_EQ(site.score(), 18.6);  // 100 - (21.4286 + 20 + 20 + 4 x 5)

  for (int i = 0; i < 6; ++i) {
    auto* column = site.add_columns();
    column->set_category("plan");
    column->set_stale(true);
  }
  JudgeSite(kAsOf, Rubric(), &site);
  EXPECT_EQ(site.verdict(), "fail");
  EXPECT_DOUBLE_EQ(site.score(), 0.0);  // 111.43 points of deductions
}

TEST(JudgeSiteTest, RoundTo) {
  EXPECT_DOUBLE_EQ(RoundTo(92.857142, 1), 92.9);
  EXPECT_DOUBLE_EQ(RoundTo(92.85, 1), 92.9);
  EXPECT_DOUBLE_EQ(RoundTo(0.70000000000000007, 2), 0.7);
  EXPECT_DOUBLE_EQ(RoundTo(3.5714285, 2), 3.57);
}

TEST(JudgeSiteTest, RubricVariant) {
  Rubric rubric;
  rubric.stale_columns_veto = 2;
  rubric.homepage_window_days = 30;
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

TEST(ParseRubricTest, OverridesAndDefaults) {
  absl::StatusOr<Rubric> rubric = ParseRubric(
      "\xEF\xBB\xBF# a province's variant\n"
      "name = hubei-2020\n"
      "\n"
      "stale_columns_veto: 3   # stricter\n"
      "unreachable_veto_ratio = 0.03\n"
      "links_cap = 10\n");
  ASSERT_TRUE(rubric.ok()) << rubric.status();
  EXPECT_EQ(rubric->name, "hubei-2020");
  EXPECT_EQ(rubric->stale_columns_veto, 3);
  EXPECT_DOUBLE_EQ(rubric->unreachable_veto_ratio, 0.03);
  EXPECT_DOUBLE_EQ(rubric->links_cap, 10.0);
  EXPECT_EQ(rubric->homepage_window_days, 14);  // default kept
  EXPECT_EQ(rubric->blank_columns_veto, 5);
}

TEST(ParseRubricTest, Errors) {
  EXPECT_EQ(ParseRubric("bogus = 1\n").status().message(), "rubric line 1: unknown key \"bogus\"");
  EXPECT_EQ(ParseRubric("# x\nnews_window_days = two\n").status().message(),
            "rubric line 2: bad value for news_window_days: \"two\"");
  EXPECT_EQ(ParseRubric("links_cap = -1").status().message(),
            "rubric line 1: bad value for links_cap: \"-1\"");
  EXPECT_EQ(ParseRubric("just words").status().message(), "rubric line 1: expected key = value");
  EXPECT_TRUE(ParseRubric("").ok());
}

}  // namespace
}  // namespace census
