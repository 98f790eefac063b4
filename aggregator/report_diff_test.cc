#include "aggregator/report_diff.h"

#include <string>

#include "aggregator/aggregator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace census {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// OLD (2026-08-20): A passes; B fails (homepage_stale, one stale column, one broken
// link); C fails (unreachable); D passes and is dropped from NEW.
constexpr char kOld[] = R"json({
  "census": {"as_of": "2026-08-20", "rubric": "gov-2019", "sites": 4, "failed": 2},
  "sites": [
    {"site_id": "A1", "name": "甲市政府", "verdict": "pass", "score": 99.0,
     "columns": [{"name": "要闻", "url": "http://a.gov.cn/news/", "category": "news"}],
     "links": {"checked": 10, "broken": []}},
    {"site_id": "B2", "name": "乙县政府", "verdict": "fail", "score": 80.0,
     "vetoes": [{"rule": "homepage_stale", "detail": "last update 2026-07-01"}],
     "columns": [{"name": "通知", "url": "http://b.gov.cn/tz/", "category": "notice",
                  "stale": true, "last_update": "2026-01-02"},
                 {"name": "要闻", "url": "http://b.gov.cn/yw/", "category": "news"}],
     "links": {"checked": 5, "broken": [{"url": "http://b.gov.cn/old.html",
               "found_on": "http://b.gov.cn/", "on_homepage": true, "error": "http_404",
               "status": 404}]}},
    {"site_id": "C3", "name": "丙局", "verdict": "unreachable", "score": 0,
     "vetoes": [{"rule": "site_unreachable", "detail": "20 of 20 probes failed"}]},
    {"site_id": "D4", "name": "丁办", "verdict": "pass", "score": 100}
  ]})json";

// NEW (2026-11-20): A fails now (blank columns, a broken link, a content finding); B is
// fixed (homepage updated, column updated, link fixed) but has a new blank column
// without veto; C is reachable but still fails (columns_stale); E is new.
constexpr char kNew[] = R"json({
  "census": {"as_of": "2026-11-20", "rubric": "gov-2019", "sites": 4, "failed": 2},
  "sites": [
    {"site_id": "A1", "name": "甲市政府", "verdict": "fail", "score": 90.5,
     "vetoes": [{"rule": "blank_columns", "detail": "5 blank columns"}],
     "columns": [{"name": "要闻", "url": "http://a.gov.cn/news/", "category": "news",
                  "blank": true}],
     "links": {"checked": 10, "broken": [{"url": "http://a.gov.cn/x.pdf",
               "found_on": "http://a.gov.cn/news/", "error": "timeout"}]},
     "content": [{"kind": "serious_typo", "url": "http://a.gov.cn/a.html",
                  "detail": "错字"}]},
    {"site_id": "B2", "name": "乙县政府", "verdict": "pass", "score": 98.0,
     "columns": [{"name": "通知", "url": "http://b.gov.cn/tz/", "category": "notice",
                  "last_update": "2026-11-01"},
                 {"name": "要闻", "url": "http://b.gov.cn/yw/", "category": "news",
                  "blank": true}],
     "links": {"checked": 5, "broken": []}},
    {"site_id": "C3", "name": "丙局", "verdict": "fail", "score": 70,
     "vetoes": [{"rule": "columns_stale", "detail": "6 stale columns"}]},
    {"site_id": "E5", "name": "戊委", "verdict": "pass", "score": 100}
  ]})json";

ReportDiff Diff(const std::string& old_json, const std::string& new_json) {
  auto old_report = ReportFromJson(old_json);
  auto new_report = ReportFromJson(new_json);
  EXPECT_TRUE(old_report.ok()) << old_report.status();
  EXPECT_TRUE(new_report.ok()) << new_report.status();
  return DiffReports(*old_report, *new_report);
}

TEST(ReportDiffTest, ClassifiesSites) {
  ReportDiff diff = Diff(kOld, kNew);
  EXPECT_EQ(diff.old_as_of, "2026-08-20");
  EXPECT_EQ(diff.new_as_of, "2026-11-20");
  EXPECT_EQ(diff.old_sites, 4);
  EXPECT_EQ(diff.new_sites, 4);
  EXPECT_EQ(diff.old_failed, 2);
  EXPECT_EQ(diff.new_failed, 2);
  EXPECT_THAT(diff.newly_failing, ElementsAre("A1"));
  EXPECT_THAT(diff.fixed, ElementsAre("B2"));
  EXPECT_THAT(diff.still_failing, ElementsAre("C3"));
  EXPECT_THAT(diff.verdict_changed, ElementsAre("A1", "B2", "C3"));
  EXPECT_THAT(diff.added, ElementsAre("E5"));
  EXPECT_THAT(diff.removed, ElementsAre("D4"));
  ASSERT_EQ(diff.sites.size(), 5u);
  EXPECT_EQ(diff.sites[0].site_id, "A1");
  EXPECT_EQ(diff.sites[1].site_id, "B2");
  EXPECT_EQ(diff.sites[2].site_id, "C3");
  EXPECT_EQ(diff.sites[3].site_id, "D4");
  EXPECT_EQ(diff.sites[4].site_id, "E5");
}

TEST(ReportDiffTest, VetoesAndFindingsPerSite) {
  ReportDiff diff = Diff(kOld, kNew);
  ASSERT_EQ(diff.sites.size(), 5u);
  const SiteDiff& a = diff.sites[0];
  EXPECT_EQ(a.old_verdict, "pass");
  EXPECT_EQ(a.new_verdict, "fail");
  EXPECT_DOUBLE_EQ(a.old_score, 99.0);
  EXPECT_DOUBLE_EQ(a.new_score, 90.5);
  EXPECT_THAT(a.vetoes_added, ElementsAre("blank_columns"));
  EXPECT_THAT(a.vetoes_removed, IsEmpty());
  ASSERT_EQ(a.findings_added.size(), 3u);
  EXPECT_EQ(a.findings_added[0].kind, "broken_link");
  EXPECT_EQ(a.findings_added[0].subject, "http://a.gov.cn/x.pdf");
  EXPECT_EQ(a.findings_added[0].detail, "timeout, found on http://a.gov.cn/news/");
  EXPECT_EQ(a.findings_added[1].kind, "blank_column");
  EXPECT_EQ(a.findings_added[1].subject, "http://a.gov.cn/news/");
  EXPECT_EQ(a.findings_added[1].detail, "要闻");
  EXPECT_EQ(a.findings_added[2].kind, "content");
  EXPECT_EQ(a.findings_added[2].subject, "serious_typo http://a.gov.cn/a.html 错字");
  EXPECT_THAT(a.findings_removed, IsEmpty());

  const SiteDiff& b = diff.sites[1];
  EXPECT_THAT(b.vetoes_added, IsEmpty());
  EXPECT_THAT(b.vetoes_removed, ElementsAre("homepage_stale"));
  ASSERT_EQ(b.findings_added.size(), 1u);
  EXPECT_EQ(b.findings_added[0].kind, "blank_column");
  EXPECT_EQ(b.findings_added[0].subject, "http://b.gov.cn/yw/");
  ASSERT_EQ(b.findings_removed.size(), 2u);
  EXPECT_EQ(b.findings_removed[0].kind, "broken_link");
  EXPECT_EQ(b.findings_removed[0].subject, "http://b.gov.cn/old.html");
  EXPECT_EQ(b.findings_removed[0].detail, "http_404 404, found on http://b.gov.cn/");
  EXPECT_EQ(b.findings_removed[1].kind, "stale_column");
  EXPECT_EQ(b.findings_removed[1].subject, "http://b.gov.cn/tz/");
  EXPECT_EQ(b.findings_removed[1].detail, "通知 (notice, last update 2026-01-02)");

  const SiteDiff& c = diff.sites[2];
  EXPECT_EQ(c.old_verdict, "unreachable");
  EXPECT_EQ(c.new_verdict, "fail");
  EXPECT_THAT(c.vetoes_added, ElementsAre("columns_stale"));
  EXPECT_THAT(c.vetoes_removed, ElementsAre("site_unreachable"));

  EXPECT_EQ(diff.sites[3].old_verdict, "pass");
  EXPECT_EQ(diff.sites[3].new_verdict, "");
  EXPECT_EQ(diff.sites[4].old_verdict, "");
  EXPECT_EQ(diff.sites[4].new_verdict, "pass");
}

TEST(ReportDiffTest, SameReportHasNoChanges) {
  ReportDiff diff = Diff(kNew, kNew);
  EXPECT_THAT(diff.newly_failing, IsEmpty());
  EXPECT_THAT(diff.fixed, IsEmpty());
  EXPECT_THAT(diff.still_failing, ElementsAre("A1", "C3"));
  EXPECT_THAT(diff.verdict_changed, IsEmpty());
  EXPECT_THAT(diff.added, IsEmpty());
  EXPECT_THAT(diff.removed, IsEmpty());
  EXPECT_THAT(diff.sites, IsEmpty());
}

TEST(ReportDiffTest, Text) {
  std::string text = DiffToText(Diff(kOld, kNew));
  EXPECT_EQ(text,
            "census diff: 2026-08-20 → 2026-11-20\n"
            "网站 sites: 4 → 4 · 不合格 failed: 2 → 2\n"
            "\n新增不合格 Newly failing (1)\n"
            "  A1 甲市政府  (pass → fail; +blank_columns)\n"
            "\n已整改合格 Fixed (1)\n"
            "  B2 乙县政府  (fail → pass; -homepage_stale)\n"
            "\n仍不合格 Still failing (1)\n"
            "  C3 丙局  (unreachable → fail; +columns_stale; -site_unreachable)\n"
            "\n结论变化 Verdict changed (3)\n"
            "  A1 甲市政府  (pass → fail; +blank_columns)\n"
            "  B2 乙县政府  (fail → pass; -homepage_stale)\n"
            "  C3 丙局  (unreachable → fail; +columns_stale; -site_unreachable)\n"
            "\n新增网站 Added (1)\n"
            "  E5 戊委  (- → pass)\n"
            "\n不再检查 Removed (1)\n"
            "  D4 丁办  (pass → -)\n"
            "\n各网站变化 Changes per site (5)\n"
            "  A1 甲市政府: pass → fail, score 99.0 → 90.5\n"
            "    + 否决 veto blank_columns\n"
            "    + broken_link http://a.gov.cn/x.pdf — timeout, found on "
            "http://a.gov.cn/news/\n"
            "    + blank_column http://a.gov.cn/news/ — 要闻\n"
            "    + content serious_typo http://a.gov.cn/a.html 错字 — serious_typo: 错字 "
            "(http://a.gov.cn/a.html)\n"
            "  B2 乙县政府: fail → pass, score 80.0 → 98.0\n"
            "    - 否决 veto homepage_stale\n"
            "    + blank_column http://b.gov.cn/yw/ — 要闻\n"
            "    - broken_link http://b.gov.cn/old.html — http_404 404, found on "
            "http://b.gov.cn/\n"
            "    - stale_column http://b.gov.cn/tz/ — 通知 (notice, last update 2026-01-02)\n"
            "  C3 丙局: unreachable → fail, score 0.0 → 70.0\n"
            "    + 否决 veto columns_stale\n"
            "    - 否决 veto site_unreachable\n"
            "  D4 丁办: pass → -, score 100.0 → -\n"
            "  E5 戊委: - → pass, score - → 100.0\n");
}

TEST(ReportDiffTest, Json) {
  ReportDiff diff = Diff(kOld, kNew);
  diff.sites.resize(1);  // keep the expected text short: A1 only
  EXPECT_EQ(DiffToJson(diff),
            "{\"old\":{\"as_of\":\"2026-08-20\",\"sites\":4,\"failed\":2},"
            "\"new\":{\"as_of\":\"2026-11-20\",\"sites\":4,\"failed\":2},"
            "\"newly_failing\":[\"A1\"],\"fixed\":[\"B2\"],\"still_failing\":[\"C3\"],"
            "\"verdict_changed\":[\"A1\",\"B2\",\"C3\"],\"added\":[\"E5\"],"
            "\"removed\":[\"D4\"],\"sites\":[{\"site_id\":\"A1\",\"name\":\"甲市政府\","
            "\"old_verdict\":\"pass\",\"new_verdict\":\"fail\",\"old_score\":99.0,"
            "\"new_score\":90.5,\"vetoes_added\":[\"blank_columns\"],\"vetoes_removed\":[],"
            "\"findings_added\":["
            "{\"kind\":\"broken_link\",\"subject\":\"http://a.gov.cn/x.pdf\","
            "\"detail\":\"timeout, found on http://a.gov.cn/news/\"},"
            "{\"kind\":\"blank_column\",\"subject\":\"http://a.gov.cn/news/\",\"detail\":\"要闻\"},"
            "{\"kind\":\"content\",\"subject\":\"serious_typo http://a.gov.cn/a.html 错字\","
            "\"detail\":\"serious_typo: 错字 (http://a.gov.cn/a.html)\"}],"
            "\"findings_removed\":[]}]}\n");
}

TEST(ReportDiffTest, JsonEscapes) {
  ReportDiff diff;
  diff.old_as_of = "a\"b\\c\n\x01";
  std::string json = DiffToJson(diff);
  EXPECT_EQ(json.substr(0, 34), "{\"old\":{\"as_of\":\"a\\\"b\\\\c\\n\\u0001\",");
}

}  // namespace
}  // namespace census
