#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "aggregator/aggregator.h"
#include "aggregator/site_verdict.h"
#include "common/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace census {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// Run window: 2026-11-13 00:00 to 2026-11-20 12:00 (UTC+8); as of 2026-11-20.
const absl::CivilDay kAsOf(2026, 11, 20);

int64_t Ms(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), CensusTimeZone()));
}

const int64_t kStart = Ms(2026, 11, 13);
const int64_t kFinish = Ms(2026, 11, 20, 12);

Site MakeSite(const std::string& id, const std::string& name, const std::string& url,
              const std::string& region, const std::string& level) {
  Site site;
  site.set_site_id(id);
  site.set_name(name);
  site.set_url(url);
  site.set_region(region);
  site.set_level(level);
  site.set_org(name + "办公室");
  return site;
}

FetchRecord Probe(const std::string& url, int index, int64_t at, FetchError error, int status) {
  FetchRecord r;
  r.set_kind(PROBE);
  r.set_url(url);
  r.set_probe_index(index);
  r.set_fetched_at_ms(at);
  r.set_error(error);
  r.set_status(status);
  return r;
}

FetchRecord Fetch(TaskKind kind, const std::string& url, int64_t at, FetchError error, int status) {
  FetchRecord r;
  r.set_kind(kind);
  r.set_url(url);
  r.set_fetched_at_ms(at);
  r.set_error(error);
  r.set_status(status);
  return r;
}

// n probes spread over the run, the first `failed` of them failing with `error`.
void AddProbes(ResultBatch* batch, const std::string& url, int n, int failed, FetchError error,
               int64_t from = kStart) {
  for (int i = 0; i < n; ++i) {
    bool fail = i < failed;
    *batch->add_fetches() = Probe(url, i, from + (i + 1) * 60000, fail ? error : FETCH_OK,
                                  fail ? 0 : (i % 10 == 9 ? 304 : 200));
  }
}

PageObservation Obs(TaskKind kind, const std::string& url, int64_t at,
                    const std::vector<std::string>& dates, const std::vector<std::string>& links) {
  PageObservation obs;
  obs.set_kind(kind);
  obs.set_url(url);
  obs.set_fetched_at_ms(at);
  obs.set_content_hash(absl::StrCat("hash-", url, "-", at));
  int n = 0;
  for (const std::string& date : dates) {
    ListItem* item = obs.add_items();
    item->set_title(absl::StrCat("条目", ++n));
    item->set_date(date);
  }
  for (const std::string& link : links) obs.add_links(link);
  return obs;
}

Column MakeColumn(const std::string& name, const std::string& url, Category category) {
  Column column;
  column.set_name(name);
  column.set_url(url);
  column.set_category(category);
  column.set_declared(true);
  return column;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class AggregateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("aggregate_test_", getpid(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = Store::Open((dir_ / "db").string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    WriteSites();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Write(const ResultBatch& batch) {
    absl::Status status = store_->Write(batch);
    ASSERT_TRUE(status.ok()) << status;
  }

  void WriteSites() {
    // 1001: a passing site with an availability deduction, broken links, one stale
    // and one blank column and one column page that does not open.
    {
      ResultBatch b;
      *b.mutable_site() = MakeSite("1001", "甲市人民政府", "https://a.gov.cn/", "420100", "city");
      AddProbes(&b, "https://a.gov.cn/", 140, 2, TIMEOUT);
      *b.add_columns() = MakeColumn("要闻", "https://a.gov.cn/news/", NEWS);
      *b.add_columns() = MakeColumn("通知公告", "https://a.gov.cn/notice/", NOTICE);
      *b.add_columns() = MakeColumn("政策文件", "https://a.gov.cn/policy/", POLICY);
      *b.add_columns() = MakeColumn("人事", "https://a.gov.cn/hr/", PERSONNEL);
      const int64_t t = Ms(2026, 11, 20, 9);
      *b.add_fetches() = Fetch(HOMEPAGE, "https://a.gov.cn/", t, FETCH_OK, 200);
      *b.add_observations() =
          Obs(HOMEPAGE, "https://a.gov.cn/", t, {"2026-11-18", "2026-11-10", "2026-11-01", ""},
              {"https://a.gov.cn/news/", "https://a.gov.cn/notice/", "https://a.gov.cn/dead1",
               "https://ext.example.com/ok", "https://a.gov.cn/big.pdf", "https://10.0.0.1/",
               "mailto:x@a.gov.cn", "https://a.gov.cn/nocheck", "https://a.gov.cn/news/"});
      *b.add_fetches() = Fetch(COLUMN, "https://a.gov.cn/news/", t + 1000, FETCH_OK, 200);
      PageObservation news = Obs(COLUMN, "https://a.gov.cn/news/", t + 1000,
                                 {"2026-11-19", "2026-11-12", "2026-11-05"},
                                 {"https://a.gov.cn/dead1", "https://a.gov.cn/dead2"});
      *news.mutable_column() = b.columns(0);
      *b.add_observations() = news;
      *b.add_fetches() = Fetch(COLUMN, "https://a.gov.cn/notice/", t + 2000, FETCH_OK, 200);
      PageObservation notice =
          Obs(COLUMN, "https://a.gov.cn/notice/", t + 2000, {"2026-04-01", "2026-03-01"}, {});
      *b.add_observations() = notice;  // matched by url only
      // The policy page failed earlier in the run, then failed again (newest wins).
      *b.add_fetches() = Fetch(COLUMN, "https://a.gov.cn/policy/", t + 2500, TIMEOUT, 0);
      *b.add_fetches() = Fetch(COLUMN, "https://a.gov.cn/policy/", t + 3000, HTTP_404, 404);
      *b.add_fetches() = Fetch(COLUMN, "https://a.gov.cn/hr/", t + 4000, FETCH_OK, 200);
      PageObservation hr = Obs(COLUMN, "https://a.gov.cn/hr/", t + 4000, {}, {});
      hr.set_blank_placeholder(true);
      *hr.mutable_column() = b.columns(3);
      *b.add_observations() = hr;
      // Link checks.
      const int64_t c = Ms(2026, 11, 20, 10);
      *b.add_fetches() = Fetch(LINK_CHECK, "https://a.gov.cn/dead1", c, HTTP_404, 404);
      *b.add_fetches() = Fetch(LINK_CHECK, "https://a.gov.cn/dead2", c, HTTP_5XX, 502);
      *b.add_fetches() = Fetch(LINK_CHECK, "https://ext.example.com/ok", c, FETCH_OK, 200);
      *b.add_fetches() = Fetch(LINK_CHECK, "https://a.gov.cn/big.pdf", c, TOO_LARGE, 200);
      *b.add_fetches() = Fetch(LINK_CHECK, "https://10.0.0.1/", c, BLOCKED_ADDRESS, 0);
      // An old check of the OK link that failed before the run: not counted.
      *b.add_fetches() =
          Fetch(LINK_CHECK, "https://ext.example.com/ok", kStart - 1000, HTTP_5XX, 500);
      Write(b);
    }
    // 1002: every probe fails.
    {
      ResultBatch b;
      *b.mutable_site() = MakeSite("1002", "乙县人民政府", "https://b.gov.cn/", "420101", "county");
      AddProbes(&b, "https://b.gov.cn/", 20, 20, CONNECT);
      *b.add_fetches() = Fetch(HOMEPAGE, "https://b.gov.cn/", Ms(2026, 11, 20, 9), CONNECT, 0);
      Write(b);
    }
    // 1003: navigation-only homepage, stale by its columns, five blank columns.
    {
      ResultBatch b;
      *b.mutable_site() = MakeSite("1003", "丙局", "https://c.gov.cn/", "420100", "county");
      AddProbes(&b, "https://c.gov.cn/", 10, 0, FETCH_OK);
      const int64_t t = Ms(2026, 11, 19, 9);
      *b.add_observations() = Obs(HOMEPAGE, "https://c.gov.cn/", t, {"", ""}, {});
      *b.add_columns() = MakeColumn("工作动态", "https://c.gov.cn/gzdt/", NEWS);
      *b.add_observations() =
          Obs(COLUMN, "https://c.gov.cn/gzdt/", t, {"2026-10-01", "2026-09-01"}, {});
      for (int i = 0; i < 5; ++i) {
        std::string url = absl::StrCat("https://c.gov.cn/empty", i, "/");
        *b.add_columns() = MakeColumn(absl::StrCat("空栏目", i), url, i == 0 ? TOPIC : NOTICE);
        PageObservation obs = Obs(COLUMN, url, t + i, {}, {});
        if (i == 4) {
          obs.add_items()->set_title("暂无信息");
          obs.set_blank_placeholder(true);
        }
        *b.add_observations() = obs;
      }
      Write(b);
    }
    // 0999: exactly 5% of the run's probes fail; failures before the run do not count;
    // a homepage observation after the run is not seen.
    {
      ResultBatch b;
      *b.mutable_site() =
          MakeSite("0999", "省政府门户", "https://www.p.gov.cn/", "420000", "province");
      AddProbes(&b, "https://www.p.gov.cn/", 20, 1, HTTP_5XX);
      AddProbes(&b, "https://www.p.gov.cn/", 5, 5, TIMEOUT, kStart - 3600000);
      *b.add_observations() =
          Obs(HOMEPAGE, "https://www.p.gov.cn/", Ms(2026, 11, 20, 8), {"2026-11-20"}, {});
      *b.add_observations() =
          Obs(HOMEPAGE, "https://www.p.gov.cn/", kFinish + 1, {"2025-01-01"}, {});
      Write(b);
    }
  }

  AggregateOptions Options() const {
    AggregateOptions options;
    options.as_of = kAsOf;
    options.run_started_ms = kStart;
    options.run_finished_ms = kFinish;
    options.pages_fetched = 1234;
    report::InputError error;
    error.set_file("sites.csv");
    error.set_line(7);
    error.set_reason("duplicate site_id 1001");
    options.input_errors.push_back(error);
    return options;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

// rubrics/province-example.textproto (a test failure when it does not load).
Rubric ProvinceRubric() {
  absl::StatusOr<Rubric> rubric =
      LoadRubricFile(std::string(CENSUS_SOURCE_DIR) + "/rubrics/province-example.textproto");
  EXPECT_TRUE(rubric.ok()) << rubric.status();
  return rubric.ok() ? *rubric : DefaultRubric();
}

std::vector<std::string> VetoRules(const report::SiteReport& site) {
  std::vector<std::string> rules;
  for (const auto& v : site.vetoes()) rules.push_back(v.rule());
  return rules;
}

TEST_F(AggregateTest, Summary) {
  auto report = Aggregate(*store_, Options());
  ASSERT_TRUE(report.ok()) << report.status();
  const report::CensusSummary& census = report->census();
  EXPECT_EQ(census.as_of(), "2026-11-20");
  EXPECT_EQ(census.rubric(), "gov-2019");
  EXPECT_EQ(census.sites(), 4);
  EXPECT_EQ(census.passed(), 1);
  EXPECT_EQ(census.failed(), 3);
  EXPECT_EQ(census.unreachable(), 1);
  EXPECT_EQ(census.started(), "2026-11-13T00:00:00+08:00");
  EXPECT_EQ(census.finished(), "2026-11-20T12:00:00+08:00");
  EXPECT_EQ(census.pages_fetched(), 1234);
  ASSERT_EQ(census.input_errors_size(), 1);
  EXPECT_EQ(census.input_errors(0).line(), 7);
  std::vector<std::string> ids;
  std::vector<std::string> verdicts;
  for (const auto& site : report->sites()) {
    ids.push_back(site.site_id());
    verdicts.push_back(site.verdict());
  }
  EXPECT_THAT(ids, ElementsAre("0999", "1001", "1002", "1003"));
  EXPECT_THAT(verdicts, ElementsAre("fail", "pass", "unreachable", "fail"));
}

TEST_F(AggregateTest, PassingSiteWithDeductions) {
  auto report = Aggregate(*store_, Options());
  ASSERT_TRUE(report.ok()) << report.status();
  const report::SiteReport& site = report->sites(1);
  EXPECT_EQ(site.site_id(), "1001");
  EXPECT_EQ(site.name(), "甲市人民政府");
  EXPECT_EQ(site.url(), "https://a.gov.cn/");
  EXPECT_EQ(site.region(), "420100");
  EXPECT_EQ(site.level(), "city");
  EXPECT_EQ(site.org(), "甲市人民政府办公室");
  EXPECT_EQ(site.verdict(), "pass");
  EXPECT_EQ(site.vetoes_size(), 0);

  EXPECT_EQ(site.reachability().probes(), 140);
  EXPECT_EQ(site.reachability().failures(), 2);
  EXPECT_DOUBLE_EQ(site.reachability().failure_ratio(), 2.0 / 140.0);

  EXPECT_EQ(site.homepage().last_update(), "2026-11-18");
  EXPECT_EQ(site.homepage().updates_in_window(), 2);
  EXPECT_FALSE(site.homepage().navigation_only());

  ASSERT_EQ(site.columns_size(), 4);
  const auto& news = site.columns(0);
  EXPECT_EQ(news.name(), "要闻");
  EXPECT_EQ(news.category(), "news");
  EXPECT_EQ(news.items(), 3);
  EXPECT_EQ(news.last_update(), "2026-11-19");
  EXPECT_FALSE(news.stale());
  EXPECT_FALSE(news.blank());
  EXPECT_EQ(news.updates_30d(), 3);
  EXPECT_DOUBLE_EQ(news.mean_interval_days(), 7.0);
  EXPECT_EQ(news.fetch_error(), "");
  const auto& notice = site.columns(1);
  EXPECT_EQ(notice.category(), "notice");
  EXPECT_EQ(notice.items(), 2);
  EXPECT_EQ(notice.last_update(), "2026-04-01");
  EXPECT_TRUE(notice.stale());
  EXPECT_EQ(notice.updates_30d(), 0);
  EXPECT_DOUBLE_EQ(notice.mean_interval_days(), 31.0);
  const auto& policy = site.columns(2);
  EXPECT_EQ(policy.fetch_error(), "http_404");
  EXPECT_FALSE(policy.stale());
  EXPECT_FALSE(policy.blank());
  EXPECT_EQ(policy.items(), 0);
  const auto& hr = site.columns(3);
  EXPECT_EQ(hr.category(), "personnel");
  EXPECT_TRUE(hr.blank());
  EXPECT_FALSE(hr.stale());

  // news/, notice/ (column fetches), dead1, ok, big.pdf, dead2 (checks), policy/
  // (failed column); the blocked address, mailto: and the unchecked link are not.
  EXPECT_EQ(site.links().checked(), 7);
  ASSERT_EQ(site.links().broken_size(), 3);
  const auto& dead1 = site.links().broken(0);
  EXPECT_EQ(dead1.url(), "https://a.gov.cn/dead1");
  EXPECT_EQ(dead1.found_on(), "https://a.gov.cn/");
  EXPECT_TRUE(dead1.on_homepage());
  EXPECT_EQ(dead1.error(), "http_404");
  EXPECT_EQ(dead1.status(), 404);
  const auto& dead2 = site.links().broken(1);
  EXPECT_EQ(dead2.url(), "https://a.gov.cn/dead2");
  EXPECT_EQ(dead2.found_on(), "https://a.gov.cn/news/");
  EXPECT_FALSE(dead2.on_homepage());
  EXPECT_EQ(dead2.error(), "http_5xx");
  EXPECT_EQ(dead2.status(), 502);
  const auto& policy_link = site.links().broken(2);
  EXPECT_EQ(policy_link.url(), "https://a.gov.cn/policy/");
  EXPECT_EQ(policy_link.found_on(), "https://a.gov.cn/");
  EXPECT_TRUE(policy_link.on_homepage());
  EXPECT_EQ(policy_link.error(), "http_404");
  EXPECT_EQ(policy_link.status(), 404);

  std::vector<std::pair<std::string, double>> deductions;
  for (const auto& d : site.deductions()) deductions.emplace_back(d.rule(), d.points());
  EXPECT_THAT(deductions,
              ElementsAre(Pair("homepage_availability", 7.14), Pair("broken_links_homepage", 2.0),
                          Pair("broken_links_other", 0.1), Pair("homepage_update_volume", 5.0),
                          Pair("columns_not_updated", 4.0)));
  // 100 - (7.142857 + 2 + 0.1 + 5 + 4) = 81.757
  EXPECT_DOUBLE_EQ(site.score(), 81.8);
  EXPECT_EQ(site.links().confirmed(), 2);  // dead1 and policy/ (404)
  EXPECT_EQ(site.links().suspected(), 1);  // dead2 (502, once)
  EXPECT_TRUE(site.links().broken(0).confirmed());
  EXPECT_FALSE(site.links().broken(1).confirmed());

  // One per deduction rule, then one per broken link.
  std::vector<std::string> findings;
  for (const auto& e : site.evidence()) findings.push_back(e.finding() + " " + e.url());
  EXPECT_THAT(
      findings,
      ElementsAre(
          "homepage_availability https://a.gov.cn/", "broken_links_homepage https://a.gov.cn/",
          "broken_links_other https://a.gov.cn/news/", "homepage_update_volume https://a.gov.cn/",
          "columns_not_updated https://a.gov.cn/notice/", "broken_link https://a.gov.cn/dead1",
          "broken_link https://a.gov.cn/dead2", "broken_link https://a.gov.cn/policy/"));
  EXPECT_EQ(site.evidence(0).fetched_at(), "2026-11-13T00:02:00+08:00");  // newest failed probe
  EXPECT_EQ(site.evidence(5).fetched_at(), "2026-11-20T10:00:00+08:00");
  EXPECT_EQ(site.evidence(5).snapshot(),
            absl::StrCat("hash-https://a.gov.cn/-", Ms(2026, 11, 20, 9)));
  EXPECT_EQ(site.evidence(6).snapshot(),
            absl::StrCat("hash-https://a.gov.cn/news/-", Ms(2026, 11, 20, 9) + 1000));
  EXPECT_EQ(site.evidence(7).fetched_at(), "2026-11-20T09:00:03+08:00");
}

TEST_F(AggregateTest, UnreachableSite) {
  auto report = Aggregate(*store_, Options());
  ASSERT_TRUE(report.ok()) << report.status();
  const report::SiteReport& site = report->sites(2);
  EXPECT_EQ(site.site_id(), "1002");
  EXPECT_EQ(site.verdict(), "unreachable");
  EXPECT_EQ(site.score(), 0.0);
  EXPECT_EQ(site.reachability().probes(), 20);
  EXPECT_EQ(site.reachability().failures(), 20);
  EXPECT_DOUBLE_EQ(site.reachability().failure_ratio(), 1.0);
  // Why: one class, its first and last probe (a minute apart from kStart on).
  ASSERT_EQ(site.reachability().failures_by_error_size(), 1);
  const report::ProbeFailures& why = site.reachability().failures_by_error(0);
  EXPECT_EQ(why.error(), "connect");
  EXPECT_EQ(why.count(), 20);
  EXPECT_EQ(why.first_at(), FormatRfc3339(absl::FromUnixMillis(kStart + 60000)));
  EXPECT_EQ(why.last_at(), FormatRfc3339(absl::FromUnixMillis(kStart + 20 * 60000)));
  EXPECT_EQ(why.status(), 0);
  ASSERT_EQ(site.vetoes_size(), 1);
  EXPECT_EQ(site.vetoes(0).rule(), "site_unreachable");
  EXPECT_EQ(site.vetoes(0).detail(), "20 of 20 probes failed (100.0%)");
  EXPECT_EQ(site.deductions_size(), 0);
  EXPECT_EQ(site.columns_size(), 0);
  ASSERT_EQ(site.evidence_size(), 1);
  EXPECT_EQ(site.evidence(0).finding(), "site_unreachable");
  EXPECT_EQ(site.evidence(0).url(), "https://b.gov.cn/");
  EXPECT_EQ(site.evidence(0).fetched_at(), "2026-11-13T00:20:00+08:00");
}

TEST_F(AggregateTest, NavigationOnlyHomepageAndBlankColumns) {
  auto report = Aggregate(*store_, Options());
  ASSERT_TRUE(report.ok()) << report.status();
  const report::SiteReport& site = report->sites(3);
  EXPECT_EQ(site.site_id(), "1003");
  EXPECT_TRUE(site.homepage().navigation_only());
  EXPECT_EQ(site.homepage().last_update(), "2026-10-01");
  EXPECT_EQ(site.homepage().updates_in_window(), 0);
  EXPECT_THAT(VetoRules(site), ElementsAre("homepage_stale", "blank_columns"));
  EXPECT_EQ(site.vetoes(0).detail(),
            "navigation-only homepage: newest column item 2026-10-01, 50 days before "
            "2026-11-20 (window 14 days)");
  EXPECT_EQ(site.vetoes(1).detail(),
            "5 blank columns: 空栏目0, 空栏目1, 空栏目2, 空栏目3, 空栏目4");
  ASSERT_EQ(site.columns_size(), 6);
  EXPECT_TRUE(site.columns(0).stale());
  EXPECT_EQ(site.columns(5).items(), 1);
  EXPECT_TRUE(site.columns(5).blank());
  EXPECT_EQ(site.verdict(), "fail");
  // The navigation-only homepage's update count comes from its column pages (0 within
  // 14 days): 3 (stale news) + 5 (homepage_update_volume).
  EXPECT_DOUBLE_EQ(site.score(), 92.0);
  ASSERT_EQ(site.evidence_size(), 8);
  EXPECT_EQ(site.evidence(6).finding(), "homepage_update_volume");
  EXPECT_EQ(site.evidence(7).finding(), "columns_not_updated");
  EXPECT_EQ(site.evidence(7).url(), "https://c.gov.cn/gzdt/");
  EXPECT_EQ(site.evidence(0).finding(), "homepage_stale");
  EXPECT_EQ(site.evidence(0).url(), "https://c.gov.cn/");
  EXPECT_EQ(site.evidence(0).fetched_at(), "2026-11-19T09:00:00+08:00");
  EXPECT_EQ(site.evidence(5).finding(), "blank_columns");
  EXPECT_EQ(site.evidence(5).url(), "https://c.gov.cn/empty4/");
  EXPECT_EQ(site.evidence(5).snapshot(),
            absl::StrCat("hash-https://c.gov.cn/empty4/-", Ms(2026, 11, 19, 9) + 4));
}

TEST_F(AggregateTest, RunWindowBoundsProbesAndObservations) {
  auto report = Aggregate(*store_, Options());
  ASSERT_TRUE(report.ok()) << report.status();
  const report::SiteReport& site = report->sites(0);
  EXPECT_EQ(site.site_id(), "0999");
  EXPECT_EQ(site.reachability().probes(), 20);
  EXPECT_EQ(site.reachability().failures(), 1);
  EXPECT_THAT(VetoRules(site), ElementsAre("site_unreachable"));
  EXPECT_EQ(site.vetoes(0).detail(), "1 of 20 probes failed (5.0%)");
  EXPECT_EQ(site.homepage().last_update(), "2026-11-20");
  EXPECT_EQ(site.homepage().updates_in_window(), 1);
  EXPECT_EQ(site.verdict(), "fail");
  EXPECT_DOUBLE_EQ(site.score(), 95.0);  // 1 homepage item within 14 days (< 10)
  EXPECT_EQ(site.links().checked(), 0);
}

TEST_F(AggregateTest, WriteReportsRoundTrips) {
  auto report = Aggregate(*store_, Options());
  ASSERT_TRUE(report.ok()) << report.status();
  const std::filesystem::path out = dir_ / "out" / "nested";
  ASSERT_TRUE(WriteReports(*report, out.string()).ok());

  const std::string json = ReadFile(out / "report.json");
  auto parsed = ReportFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*parsed, *report));
  EXPECT_TRUE(absl::StrContains(json, "\n  {\"site_id\":\"1001\","));  // a site a line
  EXPECT_TRUE(absl::StrContains(json, "\"navigation_only\":false"));   // defaults printed
  // The sites first, the census summary last (written after the last site; docs/REPORT.md).
  EXPECT_TRUE(absl::StartsWith(json, "{\n \"sites\": [\n  {\"site_id\":")) << json.substr(0, 80);
  const size_t census = json.rfind("\n ],\n \"census\": {\n  \"as_of\": ");
  ASSERT_NE(census, std::string::npos);
  EXPECT_EQ(json.find("\"census\""), census + 6);
  EXPECT_TRUE(absl::EndsWith(json, "\n }\n}\n"));

  // report.jsonl: one site a line, each the same object as in report.json.
  const std::string jsonl = ReadFile(out / "report.jsonl");
  std::vector<std::string> jsonl_lines = absl::StrSplit(jsonl, '\n', absl::SkipEmpty());
  ASSERT_EQ(jsonl_lines.size(), static_cast<size_t>(report->sites_size()));
  EXPECT_TRUE(absl::EndsWith(jsonl, "}\n"));
  for (int i = 0; i < report->sites_size(); ++i) {
    EXPECT_TRUE(absl::StartsWith(jsonl_lines[i], "{\"site_id\":\"")) << jsonl_lines[i];
    EXPECT_TRUE(
        absl::StrContains(json, absl::StrCat(i == 0 ? "[\n  " : "},\n  ", jsonl_lines[i],
                                             i + 1 == report->sites_size() ? "\n ]" : ",\n")))
        << i;  // report.json's element is the same line
    report::SiteReport site;
    google::protobuf::util::JsonParseOptions parse;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(jsonl_lines[i], &site, parse).ok())
        << jsonl_lines[i];
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(site, report->sites(i)))
        << jsonl_lines[i];
  }

  const std::string csv = ReadFile(out / "report.csv");
  ASSERT_TRUE(absl::StartsWith(csv, "\xEF\xBB\xBF"));
  std::vector<std::string> lines = absl::StrSplit(csv.substr(3), "\r\n", absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0],
            "site_id,name,url,region,level,verdict,score,probes,probe_failures,"
            "homepage_last_update,stale_columns,blank_columns,broken_links,site_unreachable,"
            "homepage_stale,columns_stale,blank_columns_veto,probe_failure_reasons,"
            "ipv6_aaaa,ipv6_status,ipv6_probes,ipv6_failures,https_status,https_offered,"
            "certificate_error,certificate_days_to_expiry,tls_version");
  EXPECT_EQ(lines[1],
            "0999,省政府门户,https://www.p.gov.cn/,420000,province,fail,95.0,20,1,"
            "2026-11-20,0,0,0,1,0,0,0,http_5xx:1,unverified,unverified,0,0,unverified,0,,,");
  EXPECT_EQ(lines[2],
            "1001,甲市人民政府,https://a.gov.cn/,420100,city,pass,81.8,140,2,"
            "2026-11-18,1,1,3,0,0,0,0,timeout:2,unverified,unverified,0,0,unverified,0,,,");
  EXPECT_EQ(lines[3],
            "1002,乙县人民政府,https://b.gov.cn/,420101,county,unreachable,0.0,20,20,"
            ",0,0,0,1,0,0,0,connect:20,unverified,unverified,0,0,unverified,0,,,");
  EXPECT_EQ(lines[4],
            "1003,丙局,https://c.gov.cn/,420100,county,fail,92.0,10,0,"
            "2026-10-01,1,5,0,0,1,0,1,,unverified,unverified,0,0,unverified,0,,,");

  const std::string html = ReadFile(out / "report.html");
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>"));
  for (const char* id : {"0999", "1001", "1002", "1003"}) {
    EXPECT_TRUE(absl::StrContains(html, id)) << id;  // layout: report_html_test
  }
  EXPECT_TRUE(absl::StrContains(html, "<svg"));
  EXPECT_TRUE(absl::StrContains(html, "甲市人民政府"));
  EXPECT_TRUE(absl::EndsWith(html, "</html>\n"));
}

// The streamed files are the whole-report functions' output byte for byte, for the
// reports of this fixture and for an empty census; an unfinished writer leaves nothing.
// What census run and census replay do: the sites rendered on the aggregation threads
// and written in order give the same three files as the whole report.
TEST_F(AggregateTest, AggregateEachRenderedWritesTheSameBytes) {
  auto report = Aggregate(*store_, Options());
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_GE(report->sites_size(), 4);
  const std::filesystem::path out = dir_ / "rendered";
  auto writer = ReportWriter::Open(out.string(), report->census().as_of());
  ASSERT_TRUE(writer.ok()) << writer.status();
  int64_t next = 0;
  auto summary = AggregateEachRendered(*store_, Options(),
                                       [&](report::SiteReport& site, const RenderedSite& rendered) {
                                         EXPECT_EQ(rendered.index, next++);
                                         return (*writer)->Add(site, rendered);
                                       });
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(next, report->sites_size());
  ASSERT_TRUE((*writer)->Finish(*summary).ok());
  auto json = ReportToJson(*report);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(ReadFile(out / "report.json"), *json);
  EXPECT_EQ(ReadFile(out / "report.csv"), ReportToCsv(*report));
  EXPECT_EQ(ReadFile(out / "report.html"), ReportToHtml(*report));
  for (const auto& [page, html] : ReportToRegionHtml(*report)) {
    EXPECT_EQ(ReadFile(out / page), html) << page;
  }

  // A site rendered for another place in the report is refused.
  auto second = ReportWriter::Open((dir_ / "misplaced").string(), report->census().as_of());
  ASSERT_TRUE(second.ok());
  RenderedSite rendered;
  ASSERT_TRUE(ReportWriter::Render(report->sites(1), 1, &rendered).ok());
  EXPECT_EQ((*second)->Add(report->sites(1), rendered).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(AggregateTest, ReportWriterStreamsTheSameBytes) {
  auto report = Aggregate(*store_, Options());
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_GE(report->sites_size(), 4);
  report::CensusReport empty;
  *empty.mutable_census() = report->census();
  for (const report::CensusReport* whole : {&*report, &empty}) {
    const std::filesystem::path out = dir_ / absl::StrCat("streamed-", whole->sites_size());
    auto writer = ReportWriter::Open(out.string(), whole->census().as_of());
    ASSERT_TRUE(writer.ok()) << writer.status();
    for (const report::SiteReport& site : whole->sites()) ASSERT_TRUE((*writer)->Add(site).ok());
    EXPECT_FALSE(std::filesystem::exists(out / "report.json"));  // not before Finish
    ASSERT_TRUE((*writer)->Finish(whole->census()).ok());
    auto json = ReportToJson(*whole);
    ASSERT_TRUE(json.ok());
    EXPECT_EQ(ReadFile(out / "report.json"), *json);
    EXPECT_EQ(ReadFile(out / "report.csv"), ReportToCsv(*whole));
    EXPECT_EQ(ReadFile(out / "report.html"), ReportToHtml(*whole));
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
      files.push_back(entry.path().lexically_relative(out).string());
    }
    std::sort(files.begin(), files.end());
    std::vector<std::string> want = {"regions", "report.csv", "report.html", "report.json",
                                     "report.jsonl"};
    for (const auto& [page, html] : ReportToRegionHtml(*whole)) {
      EXPECT_EQ(ReadFile(out / page), html) << page;
      want.push_back(page);
    }
    std::sort(want.begin(), want.end());
    EXPECT_EQ(files, want);
    if (whole->sites_size() > 0) {
      EXPECT_GE(want.size(), 7u);  // regions 420000, 420100, ...
    }
  }

  // Written again, into the same folder, of fewer regions: no page of the first stays.
  {
    report::CensusReport one = *report;
    one.mutable_sites()->DeleteSubrange(1, one.sites_size() - 1);
    const std::filesystem::path out = dir_ / absl::StrCat("streamed-", report->sites_size());
    ASSERT_TRUE(WriteReports(one, out.string()).ok());
    std::vector<std::string> pages;
    for (const auto& entry : std::filesystem::directory_iterator(out / "regions")) {
      pages.push_back(entry.path().filename().string());
    }
    EXPECT_THAT(pages, ElementsAre(RegionSlug(one.sites(0).region()) + ".html"));
    EXPECT_FALSE(std::filesystem::exists(out / "regions.partial"));
    EXPECT_FALSE(std::filesystem::exists(out / "regions.previous"));
  }

  const std::filesystem::path abandoned = dir_ / "abandoned";
  {
    auto writer = ReportWriter::Open(abandoned.string(), report->census().as_of());
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)->Add(report->sites(0)).ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(abandoned));
}

// A store shared by several censuses holds every run's sites; a census reports its own.
TEST_F(AggregateTest, ReportsOnlyTheCensusSites) {
  AggregateOptions options = Options();
  options.site_ids = {"1003", "1001", "not-in-the-store"};
  auto report = Aggregate(*store_, options);
  ASSERT_TRUE(report.ok()) << report.status();
  std::vector<std::string> ids;
  for (const report::SiteReport& site : report->sites()) ids.push_back(site.site_id());
  EXPECT_THAT(ids, ElementsAre("1001", "1003"));
  EXPECT_EQ(report->census().sites(), 2);
}

// Many chunks of sites: AggregateEach hands every site to the callback once, in site_id
// order, while the next chunk is aggregated; a callback error stops it right there.
TEST_F(AggregateTest, AggregateEachStreamsManyChunksInOrderAndStopsOnError) {
  constexpr int kExtra = 700;  // several chunks on any number of threads
  for (int i = 0; i < kExtra; ++i) {
    ResultBatch b;
    const std::string url = absl::StrCat("https://s", i, ".gov.cn/");
    *b.mutable_site() =
        MakeSite(absl::StrFormat("5%05d", (i * 7919) % kExtra), "站", url, "420100", "county");
    AddProbes(&b, url, 4, i % 3 == 0 ? 4 : 0, TIMEOUT);
    Write(b);
  }
  std::vector<std::string> ids;
  int unreachable = 0;
  auto summary = AggregateEach(*store_, Options(), [&](report::SiteReport& site) {
    ids.push_back(site.site_id());
    unreachable += site.verdict() == "unreachable";
    return absl::OkStatus();
  });
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(ids.size(), static_cast<size_t>(kExtra) + 4);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(summary->sites(), kExtra + 4);
  EXPECT_EQ(summary->unreachable(), unreachable);
  EXPECT_GE(unreachable, kExtra / 3);

  auto whole = Aggregate(*store_, Options());
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->sites_size(), static_cast<int>(ids.size()));
  for (size_t i = 0; i < ids.size(); ++i)
    EXPECT_EQ(whole->sites(static_cast<int>(i)).site_id(), ids[i]);

  int calls = 0;
  auto stopped = AggregateEach(*store_, Options(), [&](report::SiteReport&) {
    return ++calls == 300 ? absl::DataLossError("disk full") : absl::OkStatus();
  });
  EXPECT_EQ(stopped.status(), absl::DataLossError("disk full"));
  EXPECT_EQ(calls, 300);
}

TEST_F(AggregateTest, WriteReportsFailsOnAFile) {
  std::filesystem::create_directories(dir_);
  const std::filesystem::path file = dir_ / "plainfile";
  std::ofstream(file) << "x";
  absl::Status status = WriteReports(report::CensusReport(), file.string());
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(absl::StrContains(status.message(), file.string())) << status;
}

// 2001: mailboxes, lexicon hits, hidden links, attachments and online systems, a date
// that moved between two runs, confirmed and suspected broken links, a warning.
TEST_F(AggregateTest, InteractionContentLinksAndHistory) {
  const std::string home = "https://www.d.gov.cn/";
  const int64_t t = Ms(2026, 11, 20, 9);
  auto item = [](PageObservation* obs, const std::string& title, const std::string& href,
                 const std::string& date) {
    ListItem* i = obs->add_items();
    i->set_title(title);
    i->set_href(href);
    i->set_date(date);
  };
  auto message = [](PageObservation* obs, const std::string& submitted, bool answered,
                    const std::string& replied) {
    MailboxMessage* m = obs->add_messages();
    m->set_title("来信" + submitted);
    m->set_submitted(submitted);
    m->set_answered(answered);
    m->set_replied(replied);
    obs->add_items()->set_date(submitted);
  };
  {
    // An earlier run: the news list as it was on 2026-11-06.
    ResultBatch b;
    *b.mutable_site() = MakeSite("2001", "丁市人民政府", home, "420200", "city");
    PageObservation yw = Obs(COLUMN, home + "yw/", Ms(2026, 11, 6, 9), {}, {});
    item(&yw, "旧闻一", home + "yw/1", "2026-11-01");
    item(&yw, "旧闻二", home + "yw/2", "2026-10-20");
    *b.add_observations() = yw;
    Write(b);
  }
  ResultBatch b;
  *b.mutable_site() = MakeSite("2001", "丁市人民政府", home, "420200", "city");
  AddProbes(&b, home, 100, 4, TIMEOUT);
  *b.add_columns() = MakeColumn("要闻", home + "yw/", NEWS);
  *b.add_columns() = MakeColumn("领导信箱", home + "xx/", INTERACTION);
  *b.add_columns() = MakeColumn("在线访谈", home + "ft/", INTERACTION);
  PageObservation hp = Obs(HOMEPAGE, home, t, std::vector<std::string>(12, "2026-11-19"),
                           {home + "private/", home + "slow"});
  auto outlink = [&](const std::string& url, const std::string& text, bool attachment, bool hidden,
                     const std::string& how) {
    PageLink* link = hp.add_outlinks();
    link->set_url(url);
    link->set_text(text);
    link->set_attachment(attachment);
    link->set_hidden(hidden);
    link->set_hidden_how(how);
  };
  outlink(home + "files/a.pdf", "附件", true, false, "");
  outlink(home + "wsbs/", "网上办事大厅", false, false, "");
  outlink("http://spam.example.com/casino", "博彩", false, true, "display:none");
  outlink("https://sub.d.gov.cn/x", "", false, true, "display:none");  // on-site: no finding
  ContentHit* hit = hp.add_content_hits();
  hit->set_kind("serious_typo");
  hit->set_term("习近平总书计");
  hit->set_correction("习近平总书记");
  hit->set_context("学习习近平总书计讲话");
  *b.add_observations() = hp;
  PageObservation xx = Obs(COLUMN, home + "xx/", t + 2000, {}, {});
  message(&xx, "2026-07-01", false, "");           // unanswered over 3 months
  message(&xx, "2026-10-01", true, "2026-10-20");  // answered in 19 days: slow
  message(&xx, "2026-11-10", false, "");
  *b.add_observations() = xx;
  PageObservation ft = Obs(COLUMN, home + "ft/", t + 2500, {}, {});
  message(&ft, "2026-01-01", false, "");  // 在线访谈 is not consultation
  *b.add_observations() = ft;
  PageObservation yw = Obs(COLUMN, home + "yw/", t + 3000, {}, {});
  item(&yw, "新闻三", home + "yw/3", "2026-11-19");
  item(&yw, "旧闻一", home + "yw/1", "2026-11-01");
  item(&yw, "旧闻二", home + "yw/2", "2026-11-15");  // was 2026-10-20
  *b.add_observations() = yw;
  const int64_t c = Ms(2026, 11, 20, 10);
  *b.add_fetches() = Fetch(LINK_CHECK, home + "files/a.pdf", c, HTTP_404, 404);
  FetchRecord wsbs = Fetch(LINK_CHECK, home + "wsbs/", c, TIMEOUT, 0);
  wsbs.set_attempts(2);
  *b.add_fetches() = wsbs;
  *b.add_fetches() = Fetch(LINK_CHECK, home + "slow", c, HTTP_5XX, 503);
  *b.add_fetches() = Fetch(LINK_CHECK, "http://spam.example.com/casino", c, FETCH_OK, 200);
  FetchRecord robots = Fetch(LINK_CHECK, home + "private/", c, OTHER_ERROR, 0);
  robots.set_robots_disallowed(true);
  *b.add_fetches() = robots;
  Write(b);

  auto report = Aggregate(*store_, Options());
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->sites_size(), 5);
  const report::SiteReport& site = report->sites(4);
  ASSERT_EQ(site.site_id(), "2001");

  EXPECT_THAT(VetoRules(site), ElementsAre("interaction_unanswered", "serious_error"));
  EXPECT_EQ(site.vetoes(1).detail(),
            "3 serious errors: 1 forged_date, 1 hidden_link, 1 serious_typo");
  EXPECT_EQ(site.verdict(), "fail");
  std::vector<std::pair<std::string, double>> deductions;
  for (const auto& d : site.deductions()) deductions.emplace_back(d.rule(), d.points());
  EXPECT_THAT(
      deductions,
      ElementsAre(Pair("homepage_availability", 20.0), Pair("broken_links_homepage", 1.0),
                  Pair("attachments_unavailable", 1.0), Pair("online_systems_unavailable", 2.0),
                  Pair("interaction_slow_replies", 1.0)));
  EXPECT_DOUBLE_EQ(site.score(), 75.0);
  ASSERT_EQ(site.early_warnings_size(), 1);
  EXPECT_EQ(site.early_warnings(0).rule(), "unreachable_ratio");
  EXPECT_EQ(site.early_warnings(0).detail(), "4 of 100 probes failed (4.0%), above 3.0%");

  EXPECT_EQ(site.interaction().messages(), 3);
  EXPECT_EQ(site.interaction().answered(), 1);
  EXPECT_EQ(site.interaction().unanswered_over_3_months(), 1);
  EXPECT_EQ(site.interaction().slow_replies(), 1);
  EXPECT_DOUBLE_EQ(site.interaction().mean_reply_days(), 19.0);

  EXPECT_EQ(site.links().checked(), 4);  // a.pdf, wsbs/, slow, spam; not robots, not unchecked
  EXPECT_EQ(site.links().confirmed(), 2);
  EXPECT_EQ(site.links().suspected(), 1);
  ASSERT_EQ(site.links().broken_size(), 3);
  EXPECT_EQ(site.links().broken(0).url(), home + "files/a.pdf");
  EXPECT_TRUE(site.links().broken(0).attachment());
  EXPECT_TRUE(site.links().broken(0).confirmed());
  EXPECT_EQ(site.links().broken(1).url(), home + "slow");
  EXPECT_FALSE(site.links().broken(1).confirmed());
  EXPECT_EQ(site.links().broken(2).url(), home + "wsbs/");
  EXPECT_TRUE(site.links().broken(2).online_system());
  EXPECT_TRUE(site.links().broken(2).confirmed());  // failed again after a delay
  EXPECT_EQ(site.links().broken(2).text(), "网上办事大厅");

  ASSERT_EQ(site.content_size(), 3);
  EXPECT_EQ(site.content(0).kind(), "serious_typo");
  EXPECT_EQ(site.content(0).url(), home);
  EXPECT_EQ(site.content(0).detail(),
            "\"习近平总书计\" (should be \"习近平总书记\"): …学习习近平总书计讲话…");
  EXPECT_EQ(site.content(1).kind(), "hidden_link");
  EXPECT_EQ(site.content(1).detail(),
            "hidden link to http://spam.example.com/casino \"博彩\" (display:none)");
  EXPECT_EQ(site.content(2).kind(), "forged_date");
  EXPECT_EQ(site.content(2).url(), home + "yw/2");
  EXPECT_EQ(site.content(2).detail(),
            "item \"旧闻二\" on https://www.d.gov.cn/yw/ shown dated 2026-10-20 on 2026-11-06, "
            "dated 2026-11-15 on 2026-11-20");

  const report::ColumnReport& news = site.columns(0);
  EXPECT_EQ(news.observations(), 2);
  EXPECT_EQ(news.changes(), 1);
  // ln((1 - 1 + 0.5) / (1 + 0.5)) over one interval of 14 days and 3 s.
  EXPECT_NEAR(news.change_rate_per_day(), std::log(3.0) / (14.0 + 3.0 / 86400.0), 1e-12);
  EXPECT_NEAR(news.change_rate_per_day(), 0.0784721117, 1e-9);
  EXPECT_EQ(news.updates_30d(), 3);
  EXPECT_FALSE(site.columns(1).blank());

  std::vector<std::string> findings;
  for (const auto& e : site.evidence()) findings.push_back(e.finding() + " " + e.url());
  EXPECT_THAT(
      findings,
      ElementsAre(
          "interaction_unanswered https://www.d.gov.cn/xx/", "serious_error https://www.d.gov.cn/",
          "serious_error https://www.d.gov.cn/", "serious_error https://www.d.gov.cn/yw/2",
          "homepage_availability https://www.d.gov.cn/",
          "broken_links_homepage https://www.d.gov.cn/",
          "attachments_unavailable https://www.d.gov.cn/",
          "online_systems_unavailable https://www.d.gov.cn/",
          "interaction_slow_replies https://www.d.gov.cn/xx/",
          "broken_link https://www.d.gov.cn/files/a.pdf", "broken_link https://www.d.gov.cn/slow",
          "broken_link https://www.d.gov.cn/wsbs/", "serious_typo https://www.d.gov.cn/",
          "hidden_link https://www.d.gov.cn/", "forged_date https://www.d.gov.cn/yw/2"));
  EXPECT_EQ(site.evidence(0).fetched_at(), "2026-11-20T09:00:02+08:00");
  EXPECT_EQ(site.evidence(0).snapshot(), absl::StrCat("hash-", home, "xx/-", t + 2000));
  EXPECT_EQ(site.evidence(4).fetched_at(), "2026-11-13T00:04:00+08:00");
  EXPECT_EQ(site.evidence(14).fetched_at(), "2026-11-20T09:00:03+08:00");
  EXPECT_EQ(site.evidence(14).snapshot(), absl::StrCat("hash-", home, "yw/-", t + 3000));
}

TEST_F(AggregateTest, ProvinceRubricNamesTheCensus) {
  AggregateOptions options = Options();
  options.rubric = ProvinceRubric();
  auto report = Aggregate(*store_, options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->census().rubric(), "province-example");
  // 1001 scores 81.8 under gov-2019. Here: 1.43% x 8 = 11.43, 2 x 2 (homepage links),
  // 0.2, 8 (1 homepage item within 7 days < 20), notice stale 5 = 28.63 points.
  const report::SiteReport& site = report->sites(1);
  EXPECT_EQ(site.verdict(), "pass");  // the pass mark is 70
  EXPECT_THAT(VetoRules(site), ElementsAre());
  EXPECT_DOUBLE_EQ(site.score(), 71.4);
  EXPECT_EQ(site.homepage().updates_in_window(), 1);
}

// IPv6 probes and the HTTPS check as the worker stores them, read back into the site's
// ipv6 and https and scored by the province example (gov-2019 leaves them unscored).
TEST_F(AggregateTest, Ipv6AndHttpsFromTheStore) {
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("1001", "甲市人民政府", "https://a.gov.cn/", "420100", "city");
  for (int i = 0; i < 4; ++i) {
    FetchRecord v6 = Probe("https://a.gov.cn/", i, kStart + (i + 1) * 60000 + 1, FETCH_OK, 200);
    v6.set_kind(PROBE_V6);
    v6.set_remote_ip("2001:db8::a");
    if (i == 2) {  // the site's address did not answer
      v6.set_error(TIMEOUT);
      v6.set_status(0);
      v6.set_error_detail("Connection timed out after 15000 milliseconds");
    }
    if (i == 3) {  // the worker had no IPv6 route: not the site's doing
      v6.set_error(CONNECT);
      v6.set_status(0);
      v6.set_remote_ip("");
      v6.set_os_errno(ENETUNREACH);
      v6.set_error_detail("Failed to connect: Network is unreachable");
    }
    *batch.add_fetches() = v6;
  }
  FetchRecord check = Fetch(HTTPS_CHECK, "https://a.gov.cn/", kStart + 90000, TLS, 0);
  check.set_error_detail("SSL certificate problem: certificate has expired");
  TlsCheck* tls = check.mutable_tls();
  tls->set_https_url("https://a.gov.cn/");
  tls->set_handshake(true);
  tls->set_verify_result(10);
  tls->set_cert_problem("expired");
  tls->set_cert_subject("CN=a.gov.cn");
  tls->set_cert_issuer("CN=CA");
  tls->set_cert_not_after_ms(kStart + 90000 - 3 * 86400000LL - 1);  // 3 days and 1 ms ago
  tls->set_tls_version("TLSv1.2");
  tls->set_unverified_status(200);
  *batch.add_fetches() = check;
  Write(batch);

  AggregateOptions options = Options();
  options.rubric = ProvinceRubric();
  auto report = Aggregate(*store_, options);
  ASSERT_TRUE(report.ok()) << report.status();
  const report::SiteReport& site = report->sites(1);
  ASSERT_EQ(site.site_id(), "1001");
  EXPECT_EQ(site.ipv6().aaaa(), "yes");
  EXPECT_EQ(site.ipv6().address(), "2001:db8::a");
  EXPECT_EQ(site.ipv6().status(), "partial");
  EXPECT_EQ(site.ipv6().probes(), 3);
  EXPECT_EQ(site.ipv6().failures(), 1);
  EXPECT_DOUBLE_EQ(site.ipv6().availability(), 2.0 / 3.0);
  EXPECT_EQ(site.ipv6().unverified(), 1);
  EXPECT_EQ(site.ipv6().detail(), "Failed to connect: Network is unreachable");
  EXPECT_EQ(site.https().status(), "invalid");
  EXPECT_TRUE(site.https().offered());
  EXPECT_EQ(site.https().certificate_error(), "expired");
  EXPECT_EQ(site.https().https_status(), 200);
  EXPECT_EQ(site.https().days_to_expiry(), -4);  // rounded down
  EXPECT_EQ(site.https().certificate_expires(),
            FormatRfc3339(absl::FromUnixMillis(kStart + 90000 - 3 * 86400000LL - 1)));
  EXPECT_EQ(site.https().checked_at(), FormatRfc3339(absl::FromUnixMillis(kStart + 90000)));
  EXPECT_EQ(site.https().tls_version(), "TLSv1.2");
  std::vector<std::string> findings;
  for (const report::Deduction& d : site.deductions()) {
    if (d.rule() == "certificate_invalid" || d.rule() == "ipv6_unsupported") {
      findings.push_back(absl::StrCat(d.rule(), " ", d.points(), " ", d.detail()));
    }
  }
  // A partly reachable IPv6 homepage is supported: no ipv6_unsupported.
  EXPECT_THAT(findings, ElementsAre("certificate_invalid 3 certificate of https://a.gov.cn/ "
                                    "refused: expired (SSL certificate problem: certificate has "
                                    "expired)"));

  auto gov = Aggregate(*store_, Options());
  ASSERT_TRUE(gov.ok()) << gov.status();
  for (const report::Deduction& d : gov->sites(1).deductions()) {
    EXPECT_NE(d.rule(), "certificate_invalid");
  }
  EXPECT_EQ(gov->sites(1).https().status(), "invalid");
}

TEST(ReportTextTest, CsvQuotingAndHtmlEscaping) {
  report::CensusReport report;
  report::SiteReport* site = report.add_sites();
  site->set_site_id("x 1");
  site->set_name("A \"quoted\", <b>name</b>");
  site->set_url("javascript:alert(1)");
  site->set_verdict("pass");
  site->set_score(100);
  const std::string csv = ReportToCsv(report);
  EXPECT_TRUE(absl::StrContains(
      csv, "\r\nx 1,\"A \"\"quoted\"\", <b>name</b>\",javascript:alert(1),,,pass,100.0,"));
  const std::string html = ReportToHtml(report);
  EXPECT_TRUE(absl::StrContains(html, "A &quot;quoted&quot;, &lt;b&gt;name&lt;/b&gt;"));
  EXPECT_FALSE(absl::StrContains(html, "<b>name"));
  EXPECT_FALSE(absl::StrContains(html, "href=\"javascript:"));
}

TEST(ReportTextTest, MergeReports) {
  report::CensusReport a;
  a.mutable_census()->set_as_of("2026-11-20");
  a.mutable_census()->set_rubric("gov-2019");
  a.mutable_census()->set_sites(2);
  a.mutable_census()->set_failed(1);
  a.mutable_census()->set_passed(1);
  a.mutable_census()->set_started("2026-11-13T00:00:05+08:00");
  a.mutable_census()->set_finished("2026-11-20T10:00:00+08:00");
  a.mutable_census()->set_pages_fetched(10);
  a.mutable_census()->add_input_errors()->set_line(3);
  a.add_sites()->set_site_id("3");
  a.add_sites()->set_site_id("1");
  report::CensusReport b = a;
  b.mutable_census()->set_started("2026-11-13T00:00:01+08:00");
  b.mutable_census()->set_finished("2026-11-20T11:00:00+08:00");
  b.mutable_census()->set_unreachable(1);
  b.mutable_census()->set_sites(1);
  b.mutable_census()->set_passed(0);
  b.clear_sites();
  b.add_sites()->set_site_id("2");
  report::CensusReport merged = MergeReports({a, b});
  EXPECT_EQ(merged.census().sites(), 3);
  EXPECT_EQ(merged.census().failed(), 2);
  EXPECT_EQ(merged.census().passed(), 1);
  EXPECT_EQ(merged.census().unreachable(), 1);
  EXPECT_EQ(merged.census().pages_fetched(), 20);
  EXPECT_EQ(merged.census().started(), "2026-11-13T00:00:01+08:00");
  EXPECT_EQ(merged.census().finished(), "2026-11-20T11:00:00+08:00");
  EXPECT_EQ(merged.census().input_errors_size(), 1);
  ASSERT_EQ(merged.sites_size(), 3);
  EXPECT_EQ(merged.sites(0).site_id(), "1");
  EXPECT_EQ(merged.sites(1).site_id(), "2");
  EXPECT_EQ(merged.sites(2).site_id(), "3");
}

}  // namespace
}  // namespace census
