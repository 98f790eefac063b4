#include <arpa/inet.h>
#include <iconv.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "proto/rubric.pb.h"
#include "simweb/http_server.h"
#include "simweb/iconv_for_tests.h"
#include "simweb/sim_web.h"
#include "simweb/site_model.h"
#include "simweb/truth.h"

namespace census::simweb {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

WebOptions Demo(uint64_t seed = 1, int sites = 12) {
  WebOptions o;
  o.seed = seed;
  o.sites = sites;
  o.as_of = absl::CivilDay(2026, 11, 20);
  o.probes = 24;
  return o;
}

HttpRequest Get(const std::string& host, const std::string& target, bool probe = false) {
  HttpRequest r;
  r.method = "GET";
  r.host = host;
  r.target = target;
  if (probe) r.headers["cache-control"] = "no-cache";
  return r;
}

bool ValidUtf8(const std::string& s) {
  iconv_t cd = iconv_open("UTF-16LE", "UTF-8");
  std::string out(s.size() * 4 + 4, '\0');
  char* in = const_cast<char*>(s.data());
  size_t in_left = s.size();
  char* o = out.data();
  size_t out_left = out.size();
  const size_t rc = iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  return rc != static_cast<size_t>(-1) && in_left == 0;
}

std::string GbkToUtf8(const std::string& s) {
  std::string out;
  EXPECT_TRUE(IconvToUtf8(s, "GBK", &out));
  return out;
}

TEST(SimWebModelTest, DeterministicTruthAndPages) {
  SimWeb a(BuildWeb(Demo(1)));
  SimWeb b(BuildWeb(Demo(1)));
  SimWeb c(BuildWeb(Demo(2)));
  const auto ct = ConnectTo(a.web(), 8080, 9);
  EXPECT_EQ(TruthJson(a.web(), ct), TruthJson(b.web(), ct));
  EXPECT_NE(TruthJson(a.web(), ct), TruthJson(c.web(), ct));
  EXPECT_EQ(SitesCsv(a.web()), SitesCsv(b.web()));
  EXPECT_EQ(ColumnsCsv(a.web()), ColumnsCsv(b.web()));
  for (const Site& s : a.web().sites) {
    std::vector<std::string> paths = {"/"};
    for (const Column& col : s.columns) {
      paths.push_back(col.Path());
      if (!col.items.empty()) paths.push_back(col.ArticlePath(col.items.back()));
    }
    for (const std::string& p : paths) {
      HttpResponse ra = a.Handle(Get(s.host, p));
      HttpResponse rb = b.Handle(Get(s.host, p));
      EXPECT_EQ(ra.status, rb.status) << s.host << p;
      EXPECT_EQ(ra.body, rb.body) << s.host << p;
    }
  }
  // Sites do not depend on how many sites the web has.
  const Web big = BuildWeb(Demo(1, 30));
  EXPECT_EQ(big.sites[5].host, a.web().sites[5].host);
  EXPECT_EQ(big.sites[5].columns.size(), a.web().sites[5].columns.size());
}

TEST(SimWebModelTest, DemoIdentity) {
  const Web web = BuildWeb(Demo());
  ASSERT_EQ(web.sites.size(), 12u);
  std::set<std::string> hosts;
  std::set<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    const Site& s = web.sites[i];
    EXPECT_EQ(static_cast<int>(s.scenario), i);
    EXPECT_TRUE(absl::EndsWith(s.host, absl::StrFormat("%02d.gov.cn", i + 1))) << s.host;
    EXPECT_EQ(s.site_id.size(), 10u) << s.site_id;
    EXPECT_TRUE(absl::EndsWith(s.site_id, absl::StrFormat("%04d", i + 1))) << s.site_id;
    hosts.insert(s.host);
    ids.insert(s.site_id);
    EXPECT_GE(s.columns.size(), 8u);
  }
  EXPECT_EQ(hosts.size(), 12u);
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_EQ(web.sites[0].level, "province");
  EXPECT_TRUE(absl::StartsWith(web.sites[0].host, "www."));
  EXPECT_EQ(web.sites[0].kind, "portal");
  EXPECT_EQ(web.sites[4].kind, "department");
}

TEST(SimWebTruthTest, ScenarioVerdicts) {
  const Web web = BuildWeb(Demo());
  const std::vector<std::pair<std::string, std::vector<std::string>>> want = {
      {"pass", {}},
      {"pass", {}},
      {"pass", {}},
      {"fail", {"homepage_stale"}},
      {"fail", {"columns_stale"}},
      {"fail", {"blank_columns"}},
      {"unreachable", {"site_unreachable"}},
      {"fail", {"site_unreachable"}},
      {"pass", {}},
      {"pass", {}},
      {"pass", {}},
      {"pass", {}},
  };
  const std::vector<int> failures = {0, 0, 0, 0, 0, 0, 24, 6, 1, 0, 0, 0};
  for (int i = 0; i < 12; ++i) {
    const SiteTruth t = ComputeSiteTruth(web, web.sites[i]);
    EXPECT_EQ(t.verdict, want[i].first) << i;
    EXPECT_EQ(t.vetoes, want[i].second) << i;
    EXPECT_EQ(t.probes, 24) << i;
    EXPECT_EQ(t.failures, failures[i]) << i;
    EXPECT_EQ(t.broken_links.size(), i == 10 ? 10u : 0u) << i;
    EXPECT_EQ(t.navigation_only, i == 9) << i;
  }
}

TEST(SimWebTruthTest, HealthySiteIsFresh) {
  const Web web = BuildWeb(Demo());
  for (int i : {0, 1, 2, 8}) {
    const SiteTruth t = ComputeSiteTruth(web, web.sites[i]);
    ASSERT_FALSE(t.homepage_last_update.empty());
    absl::CivilDay home;
    ASSERT_TRUE(absl::ParseCivilTime(t.homepage_last_update, &home));
    EXPECT_GE(web.options.as_of - home, 1) << i;
    EXPECT_LE(web.options.as_of - home, 5) << i;
    // Enough homepage items within two weeks: no homepage_update_volume deduction.
    EXPECT_GE(t.homepage_updates_in_window, gov2019::kVolumeThreshold) << i;
    EXPECT_TRUE(t.early_warnings.empty() || i == 8) << i;
    if (i != 8) {
      EXPECT_TRUE(t.deductions.empty()) << i;
      EXPECT_EQ(t.score, 100.0) << i;
    }
    for (const ColumnTruth& c : t.columns) {
      EXPECT_FALSE(c.stale) << i << c.name;
      EXPECT_FALSE(c.blank) << i << c.name;
      EXPECT_GE(c.items, 8) << i << c.name;
      EXPECT_LE(c.items, 20) << i << c.name;
    }
  }
  EXPECT_EQ(web.sites[0].charset_in_header, true);
  EXPECT_EQ(web.sites[0].gbk, false);
  EXPECT_EQ(web.sites[0].home_template, ListTemplate::kUlSpan);
  EXPECT_EQ(web.sites[1].home_template, ListTemplate::kTableDateFirst);
  EXPECT_EQ(web.sites[2].home_template, ListTemplate::kDivBracket);
  EXPECT_EQ(web.sites[2].home_date_format, DateFormat::kYearless);
}

TEST(SimWebTruthTest, HomepageStale) {
  const Web web = BuildWeb(Demo());
  const Site& s = web.sites[3];
  const SiteTruth t = ComputeSiteTruth(web, s);
  absl::CivilDay home;
  ASSERT_TRUE(absl::ParseCivilTime(t.homepage_last_update, &home));
  EXPECT_GE(web.options.as_of - home, 35);
  EXPECT_LE(web.options.as_of - home, 90);
  ASSERT_EQ(s.home_blocks.size(), 2u);
  for (const HomeBlock& b : s.home_blocks) {
    EXPECT_GE(b.items.size(), 10u);
    EXPECT_LE(b.items.size(), 12u);
  }
  int stale = 0;
  for (const ColumnTruth& c : t.columns) stale += c.stale ? 1 : 0;
  EXPECT_EQ(stale, 0);
  // The news column itself is fresh.
  EXPECT_LE(web.options.as_of - absl::CivilDay(s.columns[0].items[0].time), 5);
  // No homepage item within two weeks: homepage_update_volume too; the early warning is
  // left to the veto.
  EXPECT_EQ(t.homepage_updates_in_window, 0);
  ASSERT_EQ(t.deductions.size(), 1u);
  EXPECT_EQ(t.deductions[0].rule, "homepage_update_volume");
  EXPECT_EQ(t.deductions[0].points, 5.0);
  EXPECT_TRUE(t.early_warnings.empty());
  EXPECT_EQ(t.score, 95.0);
}

TEST(SimWebTruthTest, ColumnsStaleHasSevenTwoOfThemAYearOld) {
  const Web web = BuildWeb(Demo());
  const SiteTruth t = ComputeSiteTruth(web, web.sites[4]);
  std::vector<std::string> stale;
  std::vector<std::string> long_unupdated;
  for (const ColumnTruth& c : t.columns) {
    if (c.stale) stale.push_back(c.name);
    if (c.long_unupdated) long_unupdated.push_back(c.name);
  }
  EXPECT_THAT(stale, UnorderedElementsAre("部门动态", "要闻动态", "公示公告", "政策文件",
                                          "政策解读", "人事信息", "规划计划"));
  EXPECT_THAT(long_unupdated, UnorderedElementsAre("人事信息", "规划计划"));
  for (const ColumnTruth& c : t.columns) {
    absl::CivilDay d;
    ASSERT_TRUE(absl::ParseCivilTime(c.last_update, &d)) << c.name;
    const int64_t age = web.options.as_of - d;
    if (c.name == "部门动态" || c.name == "要闻动态") {
      EXPECT_GE(age, 20);
      EXPECT_LE(age, 60);
    } else if (c.name == "公示公告" || c.name == "政策文件" || c.name == "政策解读") {
      EXPECT_GE(age, 215);
      EXPECT_LE(age, 360);
    } else if (c.name == "人事信息" || c.name == "规划计划") {
      EXPECT_GE(age, 400);
    }
  }
  EXPECT_EQ(t.vetoes, std::vector<std::string>{"columns_stale"});
  // 2 news x 3 + 3 notice/policy x 4 + 2 personnel/plan x 5; 7 columns not updated > 6.
  ASSERT_EQ(t.deductions.size(), 1u);
  EXPECT_EQ(t.deductions[0].rule, "columns_not_updated");
  EXPECT_EQ(t.deductions[0].points, 28.0);
  EXPECT_EQ(t.early_warnings, std::vector<std::string>{"columns_not_updated"});
  EXPECT_EQ(t.score, 72.0);
  EXPECT_EQ(t.verdict, "fail");
}

TEST(SimWebTruthTest, BlankColumnsHasExactlyFive) {
  const Web web = BuildWeb(Demo());
  SimWeb sim(BuildWeb(Demo()));
  const Site& s = web.sites[5];
  const SiteTruth t = ComputeSiteTruth(web, s);
  std::vector<std::string> blank;
  for (const ColumnTruth& c : t.columns) {
    if (!c.blank) continue;
    blank.push_back(c.name);
    EXPECT_FALSE(c.stale);
    EXPECT_EQ(c.items, 0);
    EXPECT_EQ(c.last_update, "");
  }
  EXPECT_THAT(blank,
              UnorderedElementsAre("人事任免", "专题专栏", "专题报道", "办事指南", "便民服务"));
  int says_none = 0;
  int empty_container = 0;
  for (const Column& c : s.columns) {
    if (!c.items.empty()) continue;
    HttpResponse r = sim.Handle(Get(s.host, c.Path()));
    EXPECT_EQ(r.status, 200);
    if (absl::StrContains(r.body, "暂无信息")) {
      ++says_none;
    } else {
      ++empty_container;
      EXPECT_FALSE(absl::StrContains(r.body, "/col/" + c.slug + "/2")) << c.name;
    }
  }
  EXPECT_EQ(says_none, 3);
  EXPECT_EQ(empty_container, 2);
  // Blank columns cost no points; the early warning is left to the veto.
  EXPECT_TRUE(t.deductions.empty());
  EXPECT_TRUE(t.early_warnings.empty());
  EXPECT_EQ(t.score, 100.0);
}

TEST(SimWebTruthTest, NavigationOnlyUsesNewestColumnItem) {
  const Web web = BuildWeb(Demo());
  SimWeb sim(BuildWeb(Demo()));
  const Site& s = web.sites[9];
  const SiteTruth t = ComputeSiteTruth(web, s);
  EXPECT_TRUE(t.navigation_only);
  std::string newest;
  for (const ColumnTruth& c : t.columns) newest = std::max(newest, c.last_update);
  EXPECT_EQ(t.homepage_last_update, newest);
  HttpResponse home = sim.Handle(Get(s.host, "/"));
  EXPECT_FALSE(absl::StrContains(home.body, "news_list"));
  EXPECT_FALSE(absl::StrContains(home.body, "/col/gzdt/2"));
  EXPECT_TRUE(absl::StrContains(home.body, "column_entry"));
  // Its three blank columns: the blank_columns early warning, no veto.
  std::vector<std::string> blank;
  for (const ColumnTruth& c : t.columns) {
    if (c.blank) blank.push_back(c.name);
  }
  EXPECT_THAT(blank, UnorderedElementsAre("办事指南", "便民服务", "专题报道"));
  EXPECT_TRUE(t.vetoes.empty());
  EXPECT_EQ(t.early_warnings, std::vector<std::string>{"blank_columns"});
  // Its column pages' items count as the homepage's.
  int in_window = 0;
  for (const Column& c : s.columns) {
    for (const Item& item : c.items) {
      in_window += web.options.as_of - absl::CivilDay(item.time) <= 14 ? 1 : 0;
    }
  }
  EXPECT_EQ(t.homepage_updates_in_window, in_window);
  EXPECT_GE(in_window, 10);
  EXPECT_TRUE(t.deductions.empty());
  EXPECT_EQ(t.score, 100.0);
}

TEST(SimWebTruthTest, UnreachableSiteAnswers503) {
  SimWeb sim(BuildWeb(Demo()));
  const Site& s = sim.web().sites[6];
  for (const char* p : {"/", "/robots.txt", "/col/gzdt/"}) {
    EXPECT_EQ(sim.Handle(Get(s.host, p)).status, 503) << p;
  }
  EXPECT_EQ(sim.Handle(Get(s.host, "/", true)).status, 503);
  const SiteTruth t = ComputeSiteTruth(sim.web(), s);
  EXPECT_TRUE(t.columns.empty());
  EXPECT_EQ(t.homepage_last_update, "");
  EXPECT_FALSE(absl::StrContains(ColumnsCsv(sim.web()), s.site_id));
}

// Homepage items (a navigation-only homepage: its column pages' items) dated within the
// last `days` days.
int HomepageItemsWithin(const Site& s, absl::CivilDay as_of, int days) {
  int n = 0;
  auto count = [&](const Item& item) {
    const int64_t age = as_of - absl::CivilDay(item.time);
    if (age >= 0 && age <= days) ++n;
  };
  if (s.navigation_only) {
    for (const Column& c : s.columns) {
      for (const Item& item : c.items) count(item);
    }
  } else {
    for (const HomeBlock& b : s.home_blocks) {
      for (int k : b.items) count(s.columns[b.column].items[k]);
    }
  }
  return n;
}

std::vector<std::string> DeductionRules(const SiteTruth& t) {
  std::vector<std::string> rules;
  for (const DeductionTruth& d : t.deductions) rules.push_back(d.rule);
  return rules;
}

TEST(SimWebTruthTest, ThresholdMarginsAcrossSeeds) {
  for (uint64_t seed : {1, 2, 3, 77}) {
    const Web web = BuildWeb(Demo(seed, 48));
    const absl::CivilDay as_of = web.options.as_of;
    for (const Site& s : web.sites) {
      for (const Column& c : s.columns) {
        if (c.items.empty()) continue;
        const absl::CivilDay newest(c.items.front().time);
        if (s.scenario == Scenario::kMixed && c.slug == "gzdt") {
          // Planted between the early warning (10 days) and the veto (14).
          EXPECT_EQ(as_of - newest, kQuietNewsDays) << s.host;
          continue;
        }
        for (int shift : {-3, 3}) {
          EXPECT_EQ(IsStale(c.category, newest, as_of), IsStale(c.category, newest + shift, as_of))
              << seed << " " << s.host << " " << c.name;
          EXPECT_EQ(IsLongUnupdated(c.category, newest, as_of),
                    IsLongUnupdated(c.category, newest + shift, as_of))
              << seed << " " << s.host << " " << c.name;
        }
        for (const Item& item : c.items) EXPECT_LE(absl::CivilDay(item.time), as_of);
        EXPECT_GE(c.items.size(), 8u);
        // interaction_unanswered adds two old letters and two slow replies to 在线咨询.
        EXPECT_LE(c.items.size(),
                  s.scenario == Scenario::kInteractionUnanswered && c.slug == "zxzx" ? 24u : 20u);
      }
      const SiteTruth t = ComputeSiteTruth(web, s);
      if (t.homepage_last_update.empty()) continue;
      absl::CivilDay home;
      ASSERT_TRUE(absl::ParseCivilTime(t.homepage_last_update, &home));
      const int64_t age = as_of - home;
      if (s.scenario == Scenario::kMixed) {
        EXPECT_EQ(age, kQuietNewsDays) << s.host;
      } else {
        // Off the early warning's line (10 days) and the veto's (14).
        EXPECT_TRUE(age <= gov2019::kWarnHomepageDays - 3 || age >= gov2019::kHomepageStaleDays + 3)
            << s.host;
      }
      // Every site of a scenario has the demo site's verdict, deduction rules and early
      // warnings.
      const SiteTruth demo = ComputeSiteTruth(web, web.sites[s.index % kScenarioCount]);
      EXPECT_EQ(t.verdict, demo.verdict) << s.host;
      EXPECT_EQ(t.vetoes, demo.vetoes) << s.host;
      EXPECT_EQ(DeductionRules(t), DeductionRules(demo)) << s.host;
      EXPECT_EQ(t.early_warnings, demo.early_warnings) << s.host;
      // homepage_update_volume does not hang on a day of its window: counting 13 or 15
      // days gives the same side of the threshold.
      for (int days : {gov2019::kVolumeDays - 1, gov2019::kVolumeDays + 1}) {
        EXPECT_EQ(HomepageItemsWithin(s, as_of, days) < gov2019::kVolumeThreshold,
                  t.homepage_updates_in_window < gov2019::kVolumeThreshold)
            << s.host << " " << days;
      }
    }
  }
}

TEST(SimWebPagesTest, GbkSitesEncodeAndDeclare) {
  SimWeb sim(BuildWeb(Demo()));
  const Site& header = sim.web().sites[1];
  const Site& meta = sim.web().sites[2];
  HttpResponse h = sim.Handle(Get(header.host, "/"));
  EXPECT_EQ(h.content_type, "text/html; charset=gbk");
  EXPECT_FALSE(ValidUtf8(h.body));
  EXPECT_FALSE(absl::StrContains(h.body, "charset=gbk"));
  const std::string hu = GbkToUtf8(h.body);
  for (const Column& c : header.columns) EXPECT_TRUE(absl::StrContains(hu, c.name)) << c.name;
  EXPECT_TRUE(absl::StrContains(hu, header.name));

  HttpResponse m = sim.Handle(Get(meta.host, meta.columns[0].Path()));
  EXPECT_EQ(m.content_type, "text/html");
  EXPECT_FALSE(ValidUtf8(m.body));
  EXPECT_TRUE(absl::StrContains(
      m.body, "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">"));
  const std::string mu = GbkToUtf8(m.body);
  for (const Column& c : meta.columns) EXPECT_TRUE(absl::StrContains(mu, c.name)) << c.name;
  // Year-less bracket dates.
  const Item& first = meta.columns[0].items[0];
  EXPECT_TRUE(absl::StrContains(mu, absl::StrFormat("<em class=\"date\">[%02d-%02d]</em>",
                                                    first.time.month(), first.time.day())));

  HttpResponse u = sim.Handle(Get(sim.web().sites[0].host, "/"));
  EXPECT_EQ(u.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(ValidUtf8(u.body));
  EXPECT_TRUE(absl::StrContains(u.body, "<meta charset=\"utf-8\">"));
}

TEST(SimWebPagesTest, TemplatesAndDateFormats) {
  SimWeb sim(BuildWeb(Demo()));
  const Site& ul = sim.web().sites[0];
  const Item& a = ul.columns[0].items[0];
  HttpResponse r = sim.Handle(Get(ul.host, ul.columns[0].Path()));
  EXPECT_TRUE(absl::StrContains(
      r.body,
      absl::StrCat("</a><span>", FormatItemDate(a.time, DateFormat::kIso), "</span></li>")));
  // Article pages carry the publication time and answer 200.
  HttpResponse art = sim.Handle(Get(ul.host, ul.columns[0].ArticlePath(a)));
  EXPECT_EQ(art.status, 200);
  EXPECT_TRUE(
      absl::StrContains(art.body, "发布时间：" + FormatItemDate(a.time, DateFormat::kDateTime)));
  EXPECT_TRUE(absl::StrContains(art.body, a.title));

  const Site& table = sim.web().sites[1];
  const Item& b = table.columns[0].items[0];
  const std::string tb = GbkToUtf8(sim.Handle(Get(table.host, table.columns[0].Path())).body);
  EXPECT_TRUE(absl::StrContains(tb, absl::StrCat("<td class=\"date\" width=\"110\">",
                                                 FormatItemDate(b.time, DateFormat::kSlash),
                                                 "</td><td class=\"title\"><a href=\"./")));

  const Site& mixed = sim.web().sites[11];
  bool saw_datetime = false;
  bool saw_chinese = false;
  for (const Column& c : mixed.columns) {
    HttpResponse cr = sim.Handle(Get(mixed.host, c.Path()));
    EXPECT_EQ(cr.status, 200);
    if (c.slug == "zcwj") {
      EXPECT_EQ(cr.delay, absl::Milliseconds(1200));
    } else {
      EXPECT_EQ(cr.delay, absl::ZeroDuration()) << c.name;
    }
    // Mailbox lists (interaction columns) always show YYYY-MM-DD.
    const std::string d = FormatItemDate(
        c.items[0].time, c.category == Category::kInteraction ? DateFormat::kIso : c.date_format);
    EXPECT_TRUE(absl::StrContains(cr.body, d)) << c.name;
    saw_datetime |= c.date_format == DateFormat::kDateTime;
    saw_chinese |= c.date_format == DateFormat::kChinese;
    EXPECT_TRUE(absl::StrContains(cr.body, "href=\"http://" + mixed.host + "/col/" + c.slug + "/"));
  }
  EXPECT_TRUE(saw_datetime);
  EXPECT_TRUE(saw_chinese);
  EXPECT_EQ(FormatItemDate(absl::CivilMinute(2026, 11, 12, 9, 30), DateFormat::kChinese),
            "2026年11月12日");
  EXPECT_EQ(FormatItemDate(absl::CivilMinute(2026, 11, 12, 9, 30), DateFormat::kDateTime),
            "2026-11-12 09:30");
  EXPECT_EQ(FormatItemDate(absl::CivilMinute(2026, 1, 2, 9, 30), DateFormat::kDot), "2026.01.02");
  EXPECT_EQ(FormatItemDate(absl::CivilMinute(2026, 1, 2, 9, 30), DateFormat::kYearless), "01-02");
}

TEST(SimWebPagesTest, ProbeCounters) {
  SimWeb sim(BuildWeb(Demo()));
  const Site& high = sim.web().sites[7];
  const Site& low = sim.web().sites[8];
  const Site& healthy = sim.web().sites[0];
  // Ordinary GETs of "/" are neither counted nor slow.
  for (int i = 0; i < 3; ++i) {
    HttpResponse r = sim.Handle(Get(high.host, "/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.delay, absl::ZeroDuration());
  }
  EXPECT_EQ(sim.probes_seen(7), 0);
  std::vector<int> slow_high;
  std::vector<int> slow_low;
  std::vector<int> slow_healthy;
  for (int i = 0; i < 10; ++i) {
    HttpResponse h = sim.Handle(Get(high.host, "/", true));
    EXPECT_EQ(h.status, 200);
    if (h.delay > absl::ZeroDuration()) {
      EXPECT_EQ(h.delay, absl::Seconds(3));
      slow_high.push_back(i);
    }
    if (sim.Handle(Get(low.host, "/", true)).delay > absl::ZeroDuration()) slow_low.push_back(i);
    if (sim.Handle(Get(healthy.host, "/", true)).delay > absl::ZeroDuration()) {
      slow_healthy.push_back(i);
    }
    // A probe header on another path is not a probe.
    EXPECT_EQ(sim.Handle(Get(high.host, "/robots.txt", true)).delay, absl::ZeroDuration());
  }
  EXPECT_THAT(slow_high, ElementsAre(0, 4, 8));
  EXPECT_THAT(slow_low, ElementsAre(0));
  EXPECT_TRUE(slow_healthy.empty());
  EXPECT_EQ(sim.probes_seen(7), 10);
  EXPECT_EQ(sim.probes_seen(8), 10);
}

TEST(SimWebPagesTest, BrokenLinkEndpoints) {
  WebOptions o = Demo();
  o.hang_delay = absl::Seconds(8);
  SimWeb sim(BuildWeb(o));
  const Site& s = sim.web().sites[10];
  const SiteTruth t = ComputeSiteTruth(sim.web(), s);
  const std::string base = "http://" + s.host;
  // The pages (one of each error) by error; the attachments and online systems by URL.
  std::map<std::string, BrokenLinkTruth> by_error;
  std::map<std::string, BrokenLinkTruth> by_url;
  for (const BrokenLinkTruth& b : t.broken_links) {
    by_url[b.url] = b;
    if (b.error != "http_404" || b.url == base + "/zwgk/oldcatalog/index.html") {
      by_error[b.error] = b;
    }
  }
  ASSERT_EQ(by_url.size(), 10u);
  ASSERT_EQ(by_error.size(), 7u);
  EXPECT_EQ(by_error["http_404"].url, base + "/zwgk/oldcatalog/index.html");
  EXPECT_EQ(by_error["http_404"].status, 404);
  EXPECT_TRUE(by_error["http_404"].on_homepage);
  EXPECT_EQ(by_error["http_404"].found_on, base + "/");
  EXPECT_EQ(by_error["soft_404"].status, 200);
  EXPECT_TRUE(by_error["soft_404"].on_homepage);
  EXPECT_EQ(by_error["dns"].url, "http://www.nosuchsite-11.invalid/");
  EXPECT_TRUE(by_error["dns"].on_homepage);
  EXPECT_EQ(by_error["http_5xx"].found_on, base + "/col/zcwj/");
  EXPECT_EQ(by_error["http_5xx"].status, 500);
  EXPECT_FALSE(by_error["http_5xx"].on_homepage);
  EXPECT_EQ(by_error["timeout"].found_on, base + "/col/zcwj/");
  EXPECT_EQ(by_error["timeout"].status, 0);
  EXPECT_EQ(by_error["redirect_loop"].found_on, base + "/col/rsxx/");
  EXPECT_EQ(by_error["redirect_loop"].status, 302);
  EXPECT_EQ(by_error["connect"].url, "http://www.deadhost-11.gov.cn/");
  EXPECT_EQ(by_error["connect"].found_on, base + "/col/rsxx/");
  // Attachments (a .pdf on the homepage, a .doc on 政策文件) and online systems (网上办事系统
  // on 办事服务, 统计报表查询 and 历史信息查询).
  std::vector<std::string> attachments;
  std::vector<std::string> systems;
  for (const BrokenLinkTruth& b : t.broken_links) {
    EXPECT_FALSE(b.attachment && b.online_system) << b.url;
    if (b.attachment) attachments.push_back(b.url + " " + b.found_on);
    if (b.online_system) systems.push_back(b.url + " " + b.found_on);
  }
  EXPECT_THAT(attachments,
              UnorderedElementsAre(base + "/uploads/2025/P020250301_gzbg.pdf " + base + "/",
                                   base + "/uploads/2024/xxgksqb.doc " + base + "/col/zcwj/"));
  EXPECT_THAT(systems, UnorderedElementsAre(base + "/wsbs/login.jsp " + base + "/col/bsfw/",
                                            base + "/cgi-bin/report.jsp " + base + "/col/zcwj/",
                                            base + "/loop-a " + base + "/col/rsxx/"));
  EXPECT_EQ(by_url[base + "/wsbs/login.jsp"].status, 404);
  EXPECT_EQ(by_url[base + "/uploads/2024/xxgksqb.doc"].error, "http_404");
  EXPECT_EQ(sim.Handle(Get(s.host, "/uploads/2025/P020250301_gzbg.pdf")).status, 404);
  HttpRequest head = Get(s.host, "/uploads/2024/xxgksqb.doc");
  head.method = "HEAD";
  EXPECT_EQ(sim.Handle(head).status, 404);
  // Scored: 3 page links on the homepage (1 each), 2 elsewhere (0.1 each), 2 attachments
  // (1 each), 3 online systems (2 each).
  std::vector<std::pair<std::string, double>> deductions;
  for (const DeductionTruth& d : t.deductions) deductions.emplace_back(d.rule, d.points);
  ASSERT_EQ(deductions.size(), 4u);
  EXPECT_EQ(deductions[0], std::make_pair(std::string("broken_links_homepage"), 3.0));
  EXPECT_EQ(deductions[1].first, "broken_links_other");
  EXPECT_DOUBLE_EQ(deductions[1].second, 0.2);
  EXPECT_EQ(deductions[2], std::make_pair(std::string("attachments_unavailable"), 2.0));
  EXPECT_EQ(deductions[3], std::make_pair(std::string("online_systems_unavailable"), 6.0));
  EXPECT_DOUBLE_EQ(t.score, 88.8);
  EXPECT_EQ(t.verdict, "pass");

  EXPECT_EQ(sim.Handle(Get(s.host, "/zwgk/oldcatalog/index.html")).status, 404);
  EXPECT_EQ(sim.Handle(Get(s.host, "/cgi-bin/report.jsp")).status, 500);
  HttpResponse hang = sim.Handle(Get(s.host, "/video/live.html"));
  EXPECT_EQ(hang.delay, absl::Seconds(8));
  HttpResponse soft = sim.Handle(Get(s.host, "/zwgk/moved.html"));
  EXPECT_EQ(soft.status, 200);
  EXPECT_TRUE(absl::StrContains(soft.body, "<title>页面不存在</title>"));
  EXPECT_TRUE(absl::StrContains(soft.body, "您访问的页面不存在或已被删除"));
  HttpResponse a = sim.Handle(Get(s.host, "/loop-a"));
  HttpResponse b = sim.Handle(Get(s.host, "/loop-b"));
  EXPECT_EQ(a.status, 302);
  EXPECT_EQ(b.status, 302);
  EXPECT_THAT(a.headers,
              ElementsAre(std::make_pair(std::string("Location"), std::string("/loop-b"))));
  EXPECT_THAT(b.headers,
              ElementsAre(std::make_pair(std::string("Location"), std::string("/loop-a"))));
  // Broken endpoints exist only on the broken-links site.
  EXPECT_EQ(sim.Handle(Get(sim.web().sites[0].host, "/loop-a")).status, 404);
  EXPECT_EQ(sim.Handle(Get(sim.web().sites[0].host, "/zwgk/moved.html")).status, 404);

  const auto ct = ConnectTo(sim.web(), 8080, 4444);
  EXPECT_EQ(ct.size(), 12u + 2u + 12u + 1u);  // sites, external hosts, sites' 443, dead host
  EXPECT_EQ(ct.back(), "www.deadhost-11.gov.cn:80:127.0.0.1:4444");
  EXPECT_EQ(ct[0], sim.web().sites[0].host + ":80:127.0.0.1:8080");
  EXPECT_EQ(ct[14], sim.web().sites[0].host + ":443:127.0.0.1:4444");  // no site serves https
}

TEST(SimWebPagesTest, MiscEndpoints) {
  SimWeb sim(BuildWeb(Demo()));
  const Site& s = sim.web().sites[0];
  HttpResponse robots = sim.Handle(Get(s.host, "/robots.txt"));
  EXPECT_EQ(robots.status, 200);
  EXPECT_EQ(robots.body, "User-agent: *\nAllow: /\n");
  EXPECT_EQ(sim.Handle(Get(s.host, "/no/such/page.html")).status, 404);
  EXPECT_EQ(sim.Handle(Get(s.host, "/col/gzdt/202001/t20200101_100000.html")).status, 404);
  EXPECT_EQ(sim.Handle(Get("www.unknown.gov.cn", "/")).status, 404);
  EXPECT_EQ(sim.Handle(Get("www.gov.cn", "/")).status, 200);
  HttpRequest post = Get(s.host, "/");
  post.method = "POST";
  EXPECT_EQ(sim.Handle(post).status, 405);
  HttpResponse q = sim.Handle(Get(s.host, "/col/gzdt/?page=1"));
  EXPECT_EQ(q.status, 200);
  HttpResponse home = sim.Handle(Get(s.host, "/"));
  EXPECT_TRUE(absl::StrContains(home.body, "网站标识码：" + s.site_id));
  EXPECT_TRUE(absl::StrContains(home.body, "主办单位：" + s.org));
  EXPECT_TRUE(absl::StrContains(home.body, s.icp));
}

// Resolves href against the page URL (absolute, absolute-path, ./relative).
std::string Resolve(const std::string& page, const std::string& href) {
  if (absl::StartsWith(href, "http://") || absl::StartsWith(href, "https://")) return href;
  const size_t host_end = page.find('/', 7);
  if (absl::StartsWith(href, "/")) return page.substr(0, host_end) + href;
  std::string dir = page.substr(0, page.rfind('/') + 1);
  std::string rel = href;
  if (absl::StartsWith(rel, "./")) rel = rel.substr(2);
  return dir + rel;
}

// Walks every site from its homepage; every link must answer 200 except the
// listed broken links, and each broken link is on exactly its found_on page.
void WalkEverySite(const WebOptions& options) {
  SimWeb sim(BuildWeb(options));
  std::set<std::string> external(ExternalHosts().begin(), ExternalHosts().end());
  external.insert(SpamHosts().begin(), SpamHosts().end());
  const std::regex link_re("(?:href|src)=\"([^\"]+)\"");
  int pages_walked = 0;
  for (const Site& s : sim.web().sites) {
    if (s.scenario == Scenario::kUnreachable) continue;
    const SiteTruth t = ComputeSiteTruth(sim.web(), s);
    std::map<std::string, const BrokenLinkTruth*> broken;
    for (const BrokenLinkTruth& b : t.broken_links) broken[b.url] = &b;
    std::map<std::string, std::set<std::string>> broken_seen_on;
    std::set<std::string> seen = {s.Url()};
    std::deque<std::string> queue = {s.Url()};
    while (!queue.empty()) {
      const std::string url = queue.front();
      queue.pop_front();
      const std::string host = url.substr(7, url.find('/', 7) - 7);
      const std::string path = url.substr(7 + host.size());
      HttpResponse r = sim.Handle(Get(host, path));
      ASSERT_EQ(r.status, 200) << url;
      EXPECT_EQ(r.delay, s.scenario == Scenario::kMixed && path == "/col/zcwj/"
                             ? absl::Milliseconds(1200)
                             : absl::ZeroDuration())
          << url;
      ++pages_walked;
      if (host != s.host || !absl::StartsWith(r.content_type, "text/html")) continue;
      const std::string body = s.gbk ? GbkToUtf8(r.body) : r.body;
      for (std::sregex_iterator it(body.begin(), body.end(), link_re), end; it != end; ++it) {
        const std::string target = Resolve(url, (*it)[1].str());
        auto b = broken.find(target);
        if (b != broken.end()) {
          broken_seen_on[target].insert(url);
          continue;
        }
        const std::string thost = target.substr(7, target.find('/', 7) - 7);
        ASSERT_TRUE(thost == s.host || external.count(thost) > 0) << target << " on " << url;
        if (seen.insert(target).second) queue.push_back(target);
      }
    }
    for (const BrokenLinkTruth& b : t.broken_links) {
      EXPECT_THAT(broken_seen_on[b.url], ElementsAre(b.found_on)) << b.url;
      if (b.error == "dns" || b.error == "connect") continue;
      const std::string path = b.url.substr(7 + s.host.size());
      HttpResponse r = sim.Handle(Get(s.host, path));
      if (b.error == "timeout") {
        EXPECT_EQ(r.delay, sim.web().options.hang_delay);
      } else if (b.error == "redirect_loop") {
        EXPECT_EQ(r.status, 302);
      } else {
        EXPECT_EQ(r.status, b.status) << b.url;
      }
    }
    // Every column and every article was reached.
    size_t articles = 0;
    for (const Column& c : s.columns) {
      EXPECT_EQ(seen.count("http://" + s.host + c.Path()), 1u) << c.name;
      for (const Item& item : c.items) {
        articles += seen.count("http://" + s.host + c.ArticlePath(item));
      }
    }
    size_t total = 0;
    for (const Column& c : s.columns) total += c.items.size();
    EXPECT_EQ(articles, total) << s.host;
    // Hidden links were reached (their spam hosts answer 200).
    for (const HiddenLink& l : s.hidden_links) EXPECT_EQ(seen.count(l.url), 1u) << l.url;
  }
  EXPECT_GT(pages_walked, 1000);
}

TEST(SimWebPagesTest, EveryLinkResolvesExceptListedBroken) { WalkEverySite(Demo()); }

TEST(SimWebPagesTest, EveryLinkResolvesOnDayTwoOfTheExtendedWeb) {
  WebOptions o = Demo(1, kScenarioCount);
  o.day = 2;
  WalkEverySite(o);
}

TEST(SimWebFilesTest, CsvFiles) {
  const Web web = BuildWeb(Demo());
  const std::string sites = SitesCsv(web);
  EXPECT_TRUE(absl::StartsWith(sites, "site_id,name,url,org,region,level,kind\n"));
  EXPECT_EQ(std::count(sites.begin(), sites.end(), '\n'), 13);
  const Site& s = web.sites[0];
  EXPECT_TRUE(
      absl::StrContains(sites, absl::StrCat("\n", s.site_id, ",", s.name, ",http://", s.host, "/,",
                                            s.org, ",420000,province,portal\n")));
  const std::string cols = ColumnsCsv(web);
  EXPECT_TRUE(absl::StartsWith(cols, "site_id,name,url,category\n"));
  size_t want = 1;
  for (const Site& site : web.sites) {
    if (site.scenario != Scenario::kUnreachable) want += site.columns.size();
  }
  EXPECT_EQ(static_cast<size_t>(std::count(cols.begin(), cols.end(), '\n')), want);
  EXPECT_TRUE(absl::StrContains(
      cols, absl::StrCat(s.site_id, ",工作动态,http://", s.host, "/col/gzdt/,news\n")));
  const std::string json = TruthJson(web, {"a:80:127.0.0.1:1"});
  EXPECT_TRUE(absl::StartsWith(
      json, "{\"seed\":1,\"as_of\":\"2026-11-20\",\"day\":0,\"probes\":24,\"sites\":["));
  EXPECT_TRUE(absl::EndsWith(json, "],\"connect_to\":[\"a:80:127.0.0.1:1\"]}\n"));
  EXPECT_TRUE(absl::StrContains(
      json,
      "\"scenario\":\"flaky_high\",\"charset\":\"utf-8\",\"verdict\":\"fail\",\"vetoes\":[\"site_"
      "unreachable\"],\"reachability\":{\"probes\":24,\"failures\":6}"));
}

TEST(SimWebFilesTest, WritesTruthAndStaticPages) {
  const std::string dir = ::testing::TempDir() + "/simweb_files";
  std::filesystem::remove_all(dir);
  SimWeb sim(BuildWeb(Demo()));
  ASSERT_TRUE(WriteTruthFiles(sim.web(), ConnectTo(sim.web(), 80, 1), dir + "/truth").ok());
  ASSERT_TRUE(sim.WritePages(dir + "/pages").ok());
  auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(read(dir + "/truth/sites.csv"), SitesCsv(sim.web()));
  EXPECT_EQ(read(dir + "/truth/columns.csv"), ColumnsCsv(sim.web()));
  EXPECT_EQ(read(dir + "/truth/truth.json"), TruthJson(sim.web(), ConnectTo(sim.web(), 80, 1)));
  const Site& s = sim.web().sites[1];
  EXPECT_EQ(read(dir + "/pages/" + s.host + "/index.html"), sim.Handle(Get(s.host, "/")).body);
  const Column& c = s.columns[0];
  EXPECT_EQ(read(dir + "/pages/" + s.host + c.Path() + "index.html"),
            sim.Handle(Get(s.host, c.Path())).body);
  EXPECT_EQ(read(dir + "/pages/" + s.host + c.ArticlePath(c.items[0])),
            sim.Handle(Get(s.host, c.ArticlePath(c.items[0]))).body);
  EXPECT_EQ(read(dir + "/pages/www.gov.cn/index.html"), sim.Handle(Get("www.gov.cn", "/")).body);
  std::filesystem::remove_all(dir);
}

TEST(SimWebOptionsTest, LargeWebKnobs) {
  WebOptions o = Demo(5, 40);
  o.items_per_column = 200;
  o.article_bytes = 30000;
  SimWeb sim(BuildWeb(o));
  for (const Site& s : sim.web().sites) {
    for (const Column& c : s.columns) {
      const size_t want =
          s.scenario == Scenario::kInteractionUnanswered && c.slug == "zxzx" ? 204u : 200u;
      EXPECT_TRUE(c.items.empty() || c.items.size() == want) << s.host << c.name;
    }
  }
  const Site& s = sim.web().sites[0];
  HttpResponse art = sim.Handle(Get(s.host, s.columns[0].ArticlePath(s.columns[0].items[150])));
  EXPECT_EQ(art.status, 200);
  EXPECT_GE(art.body.size(), 30000u);
  EXPECT_LE(art.body.size(), 36000u);
}

// Over a real socket through the HTTP server.
std::string Fetch(int port, const std::string& host, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  const std::string req = absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: ", host, ":", port,
                                       "\r\nConnection: close\r\n\r\n");
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

TEST(SimWebServerTest, ServesOverLoopback) {
  auto sim = std::make_shared<SimWeb>(BuildWeb(Demo()));
  auto server = HttpServer::Start([sim](const HttpRequest& r) { return sim->Handle(r); }, 0);
  ASSERT_TRUE(server.ok()) << server.status();
  const Site& s = sim->web().sites[0];
  const std::string home = Fetch((*server)->port(), s.host, "/");
  EXPECT_TRUE(absl::StartsWith(home, "HTTP/1.1 200")) << home.substr(0, 100);
  EXPECT_TRUE(absl::StrContains(home, "<title>" + s.name + "</title>"));
  const std::string gone = Fetch((*server)->port(), sim->web().sites[6].host, "/");
  EXPECT_TRUE(absl::StartsWith(gone, "HTTP/1.1 503")) << gone.substr(0, 100);
  (*server)->Stop();
}

// ---------------------------------------------------------------- extended scenarios

WebOptions Extended(int day = 0) {
  WebOptions o = Demo(1, kScenarioCount);
  o.day = day;
  return o;
}

std::string Utf8Body(const Site& s, const HttpResponse& r) {
  return s.gbk ? GbkToUtf8(r.body) : r.body;
}

// The href a column page writes for an item.
std::string ItemHrefForTest(const Site& s, const Column& c, const Item& item) {
  const std::string path = c.ArticlePath(item);
  switch (c.href_style) {
    case Column::HrefStyle::kRelative:
      return "href=\"." + path.substr(c.Path().size() - 1) + "\"";
    case Column::HrefStyle::kFullUrl:
      return "href=\"http://" + s.host + path + "\"";
    case Column::HrefStyle::kAbsolutePath:
      break;
  }
  return "href=\"" + path + "\"";
}

int Count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST(SimWebExtendedTest, ScenarioVerdictsOfEighteenSites) {
  const Web web = BuildWeb(Extended());
  const Web demo = BuildWeb(Demo());
  ASSERT_EQ(kScenarioCount, 18);
  ASSERT_EQ(web.sites.size(), 18u);
  const std::vector<std::string> names = {
      "interaction_unanswered", "serious_typo", "sensitive_word",
      "hidden_spam_link",       "forged_date",  "abandoned"};
  const std::vector<std::vector<std::string>> vetoes = {
      {"interaction_unanswered"},
      {"serious_error"},
      {"serious_error"},
      {"serious_error"},
      {},
      {"columns_stale", "homepage_stale", "long_unupdated"}};
  for (int i = 12; i < kScenarioCount; ++i) {
    const SiteTruth t = ComputeSiteTruth(web, web.sites[i]);
    EXPECT_EQ(ScenarioName(web.sites[i].scenario), names[i - 12]);
    EXPECT_EQ(t.vetoes, vetoes[i - 12]) << i;
    EXPECT_EQ(t.verdict, vetoes[i - 12].empty() ? "pass" : "fail") << i;
    EXPECT_EQ(t.failures, 0) << i;
    EXPECT_TRUE(absl::EndsWith(web.sites[i].host, absl::StrFormat("%02d.gov.cn", i + 1)));
  }
  // The first twelve sites are the demo's, finding for finding.
  for (int i = 0; i < 12; ++i) {
    const SiteTruth a = ComputeSiteTruth(web, web.sites[i]);
    const SiteTruth b = ComputeSiteTruth(demo, demo.sites[i]);
    EXPECT_EQ(a.verdict, b.verdict) << i;
    EXPECT_EQ(a.vetoes, b.vetoes) << i;
    EXPECT_EQ(a.homepage_last_update, b.homepage_last_update) << i;
    EXPECT_EQ(a.columns.size(), b.columns.size()) << i;
    EXPECT_EQ(a.interaction.unanswered_over_3_months, 0) << i;
    EXPECT_TRUE(a.content.empty()) << i;
  }
  // Day 1: only the forged_date site changes its verdict.
  const Web day1 = BuildWeb(Extended(1));
  for (int i = 0; i < kScenarioCount; ++i) {
    const SiteTruth a = ComputeSiteTruth(web, web.sites[i]);
    const SiteTruth b = ComputeSiteTruth(day1, day1.sites[i]);
    if (i == 16) {
      EXPECT_EQ(b.vetoes, std::vector<std::string>{"serious_error"});
      EXPECT_EQ(b.verdict, "fail");
    } else {
      EXPECT_EQ(a.vetoes, b.vetoes) << i;
    }
  }
}

TEST(SimWebExtendedTest, MailboxesListLettersWithStatusAndReplyDates) {
  SimWeb sim(BuildWeb(Extended()));
  const absl::CivilDay today = sim.web().Today();
  int mailboxes = 0;
  for (const Site& s : sim.web().sites) {
    if (s.scenario == Scenario::kUnreachable) continue;
    const SiteTruth t = ComputeSiteTruth(sim.web(), s);
    int letters = 0;
    int answered = 0;
    for (const Column& c : s.columns) {
      if (c.category != Category::kInteraction) continue;
      ++mailboxes;
      const std::string body = Utf8Body(s, sim.Handle(Get(s.host, c.Path())));
      EXPECT_TRUE(absl::StrContains(
          body,
          absl::StrCat("<thead><tr><th>标题</th><th>", c.slug == "ldxx" ? "来信时间" : "提交时间",
                       "</th><th>状态</th><th>回复时间</th></tr></thead>")))
          << s.host << c.name;
      EXPECT_EQ(Count(body, "<tr><td class=\"title\">"), static_cast<int>(c.items.size()));
      for (const Item& letter : c.items) {
        ++letters;
        absl::CivilDay replied;
        const std::string submitted = FormatItemDate(letter.time, DateFormat::kIso);
        const std::string row_tail =
            Answered(letter, today, &replied)
                ? absl::StrCat(
                      submitted, "</td><td class=\"status\">已回复</td><td class=\"date\">",
                      FormatItemDate(absl::CivilMinute(replied), DateFormat::kIso), "</td></tr>")
                : absl::StrCat(
                      submitted,
                      "</td><td class=\"status\">未回复</td><td class=\"date\"></td></tr>");
        EXPECT_TRUE(absl::StrContains(
            body, absl::StrCat(letter.title, "</a></td><td class=\"date\">", row_tail)))
            << s.host << " " << letter.title;
        if (Answered(letter, today, &replied)) {
          ++answered;
          if (s.scenario == Scenario::kInteractionUnanswered &&
              replied - absl::CivilDay(letter.time) > 5) {
            // The two slow replies.
            EXPECT_GE(replied - absl::CivilDay(letter.time), 18) << letter.title;
            EXPECT_LE(replied - absl::CivilDay(letter.time), 30) << letter.title;
            continue;
          }
          EXPECT_GE(replied - absl::CivilDay(letter.time), 1);
          EXPECT_LE(replied - absl::CivilDay(letter.time), 5);
        } else if (s.scenario != Scenario::kInteractionUnanswered) {
          // Healthy mailboxes: only the last few days' letters wait for an answer.
          EXPECT_LE(today - absl::CivilDay(letter.time), 4) << s.host;
        }
      }
    }
    EXPECT_EQ(t.interaction.messages, letters) << s.host;
    EXPECT_EQ(t.interaction.answered, answered) << s.host;
  }
  EXPECT_GE(mailboxes, 16);

  // interaction_unanswered: two consultation letters 4-8 months old, never answered.
  const Site& s = sim.web().sites[12];
  const SiteTruth t = ComputeSiteTruth(sim.web(), s);
  EXPECT_EQ(t.interaction.unanswered_over_3_months, 2);
  const Column* zxzx = nullptr;
  for (const Column& c : s.columns) zxzx = c.slug == "zxzx" ? &c : zxzx;
  ASSERT_NE(zxzx, nullptr);
  EXPECT_EQ(zxzx->name, "在线咨询");
  std::vector<std::string> old;
  for (const Item& letter : zxzx->items) {
    const int64_t age = today - absl::CivilDay(letter.time);
    if (Answered(letter, today)) continue;
    EXPECT_GE(age, 125);
    EXPECT_LE(age, 235);
    old.push_back(letter.title);
    const std::string art = sim.Handle(Get(s.host, zxzx->ArticlePath(letter))).body;
    EXPECT_TRUE(absl::StrContains(art, "<h3>答复内容</h3><p>尚未答复</p>"));
  }
  EXPECT_THAT(old, ElementsAre("咨询城乡居民医疗保险缴费问题", "关于小区燃气安全隐患的投诉"));
  // interaction_slow_replies: two letters of the last year answered 18-30 days late.
  std::vector<std::string> slow;
  for (const Item& letter : zxzx->items) {
    absl::CivilDay replied;
    if (!Answered(letter, today, &replied) || replied - absl::CivilDay(letter.time) <= 14) continue;
    EXPECT_GE(today - absl::CivilDay(letter.time), 60);
    EXPECT_LE(today - absl::CivilDay(letter.time), 100);
    slow.push_back(letter.title);
    const std::string art = sim.Handle(Get(s.host, zxzx->ArticlePath(letter))).body;
    EXPECT_TRUE(absl::StrContains(
        art, absl::StrCat("<p>答复时间：",
                          FormatItemDate(absl::CivilMinute(replied), DateFormat::kIso), "</p>")));
  }
  EXPECT_THAT(slow, UnorderedElementsAre("咨询新生儿医保参保登记办理流程",
                                         "关于老旧小区加装电梯补贴政策的咨询"));
  EXPECT_EQ(t.interaction.slow_replies, 2);
  ASSERT_EQ(t.deductions.size(), 1u);
  EXPECT_EQ(t.deductions[0].rule, "interaction_slow_replies");
  EXPECT_EQ(t.deductions[0].points, 2.0);
  EXPECT_EQ(t.score, 98.0);
  EXPECT_EQ(t.verdict, "fail");  // the veto
  const std::string json = TruthJson(sim.web(), {});
  EXPECT_TRUE(absl::StrContains(
      json, absl::StrCat("\"interaction\":{\"messages\":", t.interaction.messages,
                         ",\"answered\":", t.interaction.answered,
                         ",\"unanswered_over_3_months\":2,\"slow_replies\":2},\"content\":[],"
                         "\"deductions\":[{\"rule\":\"interaction_slow_replies\",\"points\":2.00}],"
                         "\"early_warnings\":[],\"score\":98.0}")));
}

TEST(SimWebExtendedTest, PlantedLexiconTermsAreOnExactlyOnePage) {
  SimWeb sim(BuildWeb(Extended()));
  const Site& typo = sim.web().sites[13];
  EXPECT_TRUE(typo.gbk);
  const SiteTruth tt = ComputeSiteTruth(sim.web(), typo);
  ASSERT_EQ(tt.content.size(), 1u);
  EXPECT_EQ(tt.content[0].kind, "serious_typo");
  EXPECT_EQ(tt.content[0].url, "http://" + typo.host + "/col/zcwj/");
  EXPECT_EQ(tt.content[0].term, "习近平新时代中国特设社会主义思想");
  EXPECT_EQ(tt.content[0].correction, "习近平新时代中国特色社会主义思想");
  const std::string zcwj = Utf8Body(typo, sim.Handle(Get(typo.host, "/col/zcwj/")));
  EXPECT_TRUE(absl::StrContains(
      zcwj,
      "<div class=\"col_intro\"><p>本栏目集中发布本级政府及部门制定的规范性文件和政策措施。"
      "各地各部门要深入学习贯彻习近平新时代中国特设社会主义思想，严格落实政务公开各项要求。</p>"
      "</div>\n<div class=\"list\">"));

  const Site& spam = sim.web().sites[14];
  const SiteTruth st = ComputeSiteTruth(sim.web(), spam);
  ASSERT_EQ(st.content.size(), 2u);
  EXPECT_EQ(st.content[0].kind, "sensitive_word");
  EXPECT_EQ(st.content[0].term, "网上赌场");
  EXPECT_EQ(st.content[1].term, "六合彩");
  EXPECT_EQ(st.content[1].url, "http://" + spam.host + "/col/ztzl/");
  EXPECT_EQ(st.content[1].correction, "");
  const std::string json = TruthJson(sim.web(), {});
  EXPECT_TRUE(absl::StrContains(
      json,
      absl::StrCat("\"content\":[\n  {\"kind\":\"sensitive_word\",\"url\":\"http://", spam.host,
                   "/col/ztzl/\",\"term\":\"网上赌场\"},\n  {\"kind\":\"sensitive_word\","
                   "\"url\":\"http://",
                   spam.host,
                   "/col/ztzl/\",\"term\":\"六合彩\"}],\"deductions\":[],\"early_warnings\":[],"
                   "\"score\":100.0}")));
  EXPECT_TRUE(absl::StrContains(
      json, absl::StrCat("\"url\":\"http://", typo.host,
                         "/col/zcwj/\",\"term\":\"习近平新时代中国特设社会主义思想\","
                         "\"correction\":\"习近平新时代中国特色社会主义思想\"}")));

  // Each term occurs on its page only: walk every page of every site.
  std::map<std::string, std::set<std::string>> pages_with;
  for (const Site& s : sim.web().sites) {
    if (s.scenario == Scenario::kUnreachable) continue;
    std::vector<std::string> paths = {"/", "/sitemap.html", "/contact.html"};
    for (const Column& c : s.columns) {
      paths.push_back(c.Path());
      for (const Item& item : c.items) paths.push_back(c.ArticlePath(item));
    }
    for (const std::string& p : paths) {
      const std::string body = Utf8Body(s, sim.Handle(Get(s.host, p)));
      for (const char* term : {"习近平新时代中国特设社会主义思想", "网上赌场", "六合彩"}) {
        if (absl::StrContains(body, term)) pages_with[term].insert("http://" + s.host + p);
      }
    }
  }
  EXPECT_THAT(pages_with["习近平新时代中国特设社会主义思想"],
              ElementsAre("http://" + typo.host + "/col/zcwj/"));
  EXPECT_THAT(pages_with["网上赌场"], ElementsAre("http://" + spam.host + "/col/ztzl/"));
  EXPECT_THAT(pages_with["六合彩"], ElementsAre("http://" + spam.host + "/col/ztzl/"));
}

TEST(SimWebExtendedTest, HiddenSpamLinksOnTheHomepage) {
  SimWeb sim(BuildWeb(Extended()));
  const Site& s = sim.web().sites[15];
  const std::string home = sim.Handle(Get(s.host, "/")).body;
  EXPECT_TRUE(
      absl::StrContains(home,
                        "<div style=\"display:none\"><a href=\"http://www.bocai-spam.example/"
                        "\" target=\"_blank\">娱乐城</a></div>\n"));
  EXPECT_TRUE(absl::StrContains(
      home,
      "<div style=\"position:absolute;left:-9999px;top:0\"><a "
      "href=\"http://www.casino-spam.example/vip/\" target=\"_blank\">真人视讯</a></div>\n"));
  EXPECT_TRUE(
      absl::StrContains(home,
                        "<p style=\"font-size:0\"><a href=\"http://www.lottery-spam.example/"
                        "kj.html\" target=\"_blank\">开奖直播</a></p>\n"));
  const SiteTruth t = ComputeSiteTruth(sim.web(), s);
  ASSERT_EQ(t.content.size(), 3u);
  EXPECT_EQ(t.content[1].kind, "hidden_link");
  EXPECT_EQ(t.content[1].url, s.Url());
  EXPECT_EQ(t.content[1].target, "http://www.casino-spam.example/vip/");
  EXPECT_EQ(t.content[1].found_on, "");
  EXPECT_EQ(t.content[1].how, "off-screen");
  const std::string json = TruthJson(sim.web(), {});
  EXPECT_TRUE(
      absl::StrContains(json, absl::StrCat("{\"kind\":\"hidden_link\",\"url\":\"http://", s.host,
                                           "/\",\"target\":\"http://www.bocai-spam.example/\","
                                           "\"how\":\"display:none\"}")));
  // The spam hosts answer (so a census reaches them through --connect-to) ...
  for (const char* url : {"/", "/vip/", "/kj.html"}) {
    HttpResponse r = sim.Handle(Get("www.casino-spam.example", url));
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(absl::StrContains(r.body, "<title>Welcome</title>"));
  }
  // ... and are routed only when some site links to them.
  const auto ct = ConnectTo(sim.web(), 8080, 9);
  EXPECT_THAT(ct, ::testing::Contains("www.lottery-spam.example:80:127.0.0.1:8080"));
  EXPECT_EQ(ct.size(), 18u + 2u + 18u + 1u + 3u);
  SimWeb demo(BuildWeb(Demo()));
  EXPECT_EQ(ConnectTo(demo.web(), 8080, 9).size(), 12u + 2u + 12u + 1u);
  EXPECT_EQ(demo.Handle(Get("www.no-such-spam.example", "/")).status, 404);
}

TEST(SimWebExtendedTest, DaysAddNewsAndMoveTheForgedDate) {
  SimWeb day0(BuildWeb(Extended(0)));
  SimWeb day1(BuildWeb(Extended(1)));
  SimWeb day2(BuildWeb(Extended(2)));
  SimWeb day1_again(BuildWeb(Extended(1)));
  EXPECT_EQ(TruthJson(day1.web(), {}), TruthJson(day1_again.web(), {}));
  EXPECT_NE(TruthJson(day0.web(), {}), TruthJson(day1.web(), {}));
  EXPECT_TRUE(absl::StartsWith(TruthJson(day1.web(), {}),
                               "{\"seed\":1,\"as_of\":\"2026-11-21\",\"day\":1,\"probes\":24,"));
  // Day 0 is the web without days.
  EXPECT_EQ(TruthJson(day0.web(), {}), TruthJson(BuildWeb(Demo(1, kScenarioCount)), {}));

  for (size_t i = 0; i < static_cast<size_t>(kScenarioCount); ++i) {
    const Site& a = day0.web().sites[i];
    const Site& b = day1.web().sites[i];
    const Site& c = day2.web().sites[i];
    ASSERT_EQ(a.columns.size(), b.columns.size());
    for (size_t ci = 0; ci < a.columns.size(); ++ci) {
      const Column& ca = a.columns[ci];
      const Column& cb = b.columns[ci];
      const Column& cc = c.columns[ci];
      std::map<int, std::string> paths_a, paths_b;
      for (const Item& item : ca.items) paths_a[item.id] = ca.ArticlePath(item);
      for (const Item& item : cb.items) paths_b[item.id] = cb.ArticlePath(item);
      // Nothing disappears, hrefs stay; only fresh news columns grow, by 1-2 items a day.
      for (const auto& [id, path] : paths_a) EXPECT_EQ(paths_b[id], path) << b.host << cb.name;
      const size_t added1 = cb.items.size() - ca.items.size();
      const size_t added2 = cc.items.size() - cb.items.size();
      // (The mixed site's 工作动态 is quiet: no new item since kQuietNewsDays ago.)
      const bool quiet = a.scenario == Scenario::kMixed && ca.slug == "gzdt";
      const bool grows =
          ca.category == Category::kNews && !ca.items.empty() && !quiet &&
          !IsStale(ca.category, absl::CivilDay(ca.items.front().time), day0.web().Today());
      if (grows) {
        EXPECT_GE(added1, 1u) << b.host << cb.name;
        EXPECT_LE(added1, 2u) << b.host << cb.name;
        EXPECT_GE(added2, 1u) << b.host << cb.name;
        EXPECT_LE(added2, 2u) << b.host << cb.name;
        EXPECT_EQ(FormatItemDate(cb.items.front().time, DateFormat::kIso), "2026-11-21");
        EXPECT_EQ(FormatItemDate(cc.items.front().time, DateFormat::kIso), "2026-11-22");
        // Day 2 still lists day 1's items, unchanged.
        for (size_t k = 0; k < added1; ++k) {
          EXPECT_EQ(cc.items[added2 + k].title, cb.items[k].title);
          EXPECT_EQ(cc.items[added2 + k].id, cb.items[k].id);
        }
      } else {
        EXPECT_EQ(added1, 0u) << b.host << cb.name;
      }
    }
  }

  // forged_date: same href, date moved from day 0's date to day 1.
  const Site& f0 = day0.web().sites[16];
  const Site& f1 = day1.web().sites[16];
  ASSERT_TRUE(f1.has_forged_date);
  const Column& g0 = f0.columns[f0.forged_date.column];
  const Column& g1 = f1.columns[f1.forged_date.column];
  EXPECT_EQ(g1.slug, "gzdt");
  const Item* before = nullptr;
  const Item* after = nullptr;
  for (const Item& item : g0.items) before = item.id == f0.forged_date.item_id ? &item : before;
  for (const Item& item : g1.items) after = item.id == f1.forged_date.item_id ? &item : after;
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(g0.ArticlePath(*before), g1.ArticlePath(*after));
  EXPECT_EQ(before->time, f0.forged_date.before);
  EXPECT_EQ(after->time, absl::CivilMinute(2026, 11, 21, 9, 0));
  EXPECT_GE(day0.web().Today() - absl::CivilDay(before->time), 3);
  const std::string href = ItemHrefForTest(f1, g1, *after);
  const std::string list0 = day0.Handle(Get(f0.host, g0.Path())).body;
  const std::string list1 = day1.Handle(Get(f1.host, g1.Path())).body;
  EXPECT_TRUE(absl::StrContains(list0, FormatItemDate(before->time, g0.date_format)));
  EXPECT_TRUE(absl::StrContains(list0, href));
  EXPECT_TRUE(absl::StrContains(list1, href));
  const std::string art1 = day1.Handle(Get(f1.host, g1.ArticlePath(*after))).body;
  EXPECT_TRUE(absl::StrContains(art1, "<meta name=\"PubDate\" content=\"2026-11-21 09:00\">"));
  const std::string art0 = day0.Handle(Get(f0.host, g0.ArticlePath(*before))).body;
  EXPECT_TRUE(absl::StrContains(
      art0, absl::StrCat("<meta name=\"PubDate\" content=\"",
                         FormatItemDate(before->time, DateFormat::kDateTime), "\">")));

  const SiteTruth t0 = ComputeSiteTruth(day0.web(), f0);
  const SiteTruth t1 = ComputeSiteTruth(day1.web(), f1);
  const SiteTruth t2 = ComputeSiteTruth(day2.web(), day2.web().sites[16]);
  EXPECT_TRUE(t0.content.empty());
  ASSERT_EQ(t1.content.size(), 1u);
  EXPECT_EQ(t1.content[0].kind, "forged_date");
  EXPECT_EQ(t1.content[0].url, "http://" + f1.host + g1.ArticlePath(*after));
  EXPECT_EQ(t1.content[0].found_on, "http://" + f1.host + "/col/gzdt/");
  EXPECT_EQ(t1.content[0].date_before, FormatItemDate(before->time, DateFormat::kIso));
  EXPECT_EQ(t1.content[0].date_after, "2026-11-21");
  ASSERT_EQ(t2.content.size(), 1u);
  EXPECT_EQ(t2.content[0].url, t1.content[0].url);
  const std::string json = TruthJson(day1.web(), {});
  EXPECT_TRUE(absl::StrContains(
      json, absl::StrCat("{\"kind\":\"forged_date\",\"url\":\"", t1.content[0].url,
                         "\",\"found_on\":\"http://", f1.host, "/col/gzdt/\",\"date_before\":\"",
                         t1.content[0].date_before, "\",\"date_after\":\"2026-11-21\"}")));
}

// ---------------------------------------------------------------- the rubric's scoring

// rubrics/gov-2019.textproto, parsed with protobuf.
census::rubric::Rubric Gov2019FromFile() {
  std::ifstream in(std::string(CENSUS_SOURCE_DIR) + "/rubrics/gov-2019.textproto");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  census::rubric::Rubric rubric;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &rubric));
  return rubric;
}

TEST(SimWebRubricTest, TheTruthsNumbersAreGov2019s) {
  const census::rubric::Rubric r = Gov2019FromFile();
  ASSERT_EQ(r.name(), "gov-2019");
  EXPECT_EQ(r.fail_below(), gov2019::kFailBelow);
  std::map<std::string, std::pair<std::string, double>> categories;  // window, points
  for (const auto& c : r.category()) {
    categories[c.category()] = {c.window().months() > 0 ? absl::StrCat(c.window().months(), "m")
                                                        : absl::StrCat(c.window().days(), "d"),
                                c.points()};
  }
  using Rule = std::pair<std::string, double>;
  const std::string notice = absl::StrCat(gov2019::kNoticePolicyStaleMonths, "m");
  const std::string personnel = absl::StrCat(gov2019::kPersonnelPlanStaleMonths, "m");
  EXPECT_EQ(categories,
            (std::map<std::string, Rule>{
                {"news", {absl::StrCat(gov2019::kNewsStaleDays, "d"), gov2019::kNewsPoints}},
                {"notice", {notice, gov2019::kNoticePolicyPoints}},
                {"policy", {notice, gov2019::kNoticePolicyPoints}},
                {"personnel", {personnel, gov2019::kPersonnelPlanPoints}},
                {"plan", {personnel, gov2019::kPersonnelPlanPoints}}}));
  EXPECT_THAT(r.should_update(),
              UnorderedElementsAre("news", "notice", "policy", "personnel", "plan"));
  std::map<std::string, const census::rubric::VetoRule*> vetoes;
  for (const auto& v : r.veto()) vetoes[v.rule()] = &v;
  ASSERT_EQ(vetoes.size(), 7u);
  EXPECT_EQ(vetoes["site_unreachable"]->threshold(), gov2019::kUnreachableRatio);
  EXPECT_EQ(vetoes["homepage_stale"]->window().days(), gov2019::kHomepageStaleDays);
  EXPECT_EQ(vetoes["columns_stale"]->threshold(), gov2019::kColumnsStale);
  EXPECT_EQ(vetoes["long_unupdated"]->threshold(), gov2019::kLongUnupdated);
  EXPECT_EQ(vetoes["long_unupdated"]->window().months(), gov2019::kLongUnupdatedMonths);
  EXPECT_EQ(vetoes["blank_columns"]->threshold(), gov2019::kBlankColumns);
  EXPECT_EQ(vetoes["interaction_unanswered"]->threshold(), 1);
  EXPECT_EQ(vetoes["interaction_unanswered"]->window().months(), gov2019::kUnansweredMonths);
  EXPECT_EQ(vetoes["interaction_unanswered"]->lookback().months(),
            gov2019::kUnansweredLookbackMonths);
  EXPECT_EQ(vetoes["serious_error"]->threshold(), 1);
  std::vector<std::string> deduction_rules;
  std::map<std::string, const census::rubric::DeductionRule*> deductions;
  for (const auto& d : r.deduction()) {
    deduction_rules.push_back(d.rule());
    deductions[d.rule()] = &d;
  }
  EXPECT_THAT(deduction_rules, ::testing::ElementsAreArray(kDeductionRules));
  auto points_cap = [&](const char* rule) {
    return Rule(absl::StrCat(deductions[rule]->points()), deductions[rule]->cap());
  };
  auto want = [](double points, double cap) { return Rule(absl::StrCat(points), cap); };
  EXPECT_EQ(points_cap("homepage_availability"),
            want(gov2019::kAvailabilityPoints, gov2019::kAvailabilityCap));
  EXPECT_EQ(points_cap("broken_links_homepage"),
            want(gov2019::kHomeLinkPoints, gov2019::kHomeLinkCap));
  EXPECT_EQ(points_cap("broken_links_other"),
            want(gov2019::kOtherLinkPoints, gov2019::kOtherLinkCap));
  EXPECT_EQ(points_cap("attachments_unavailable"),
            want(gov2019::kAttachmentPoints, gov2019::kAttachmentCap));
  EXPECT_EQ(points_cap("online_systems_unavailable"),
            want(gov2019::kOnlineSystemPoints, gov2019::kOnlineSystemCap));
  EXPECT_EQ(points_cap("homepage_update_volume"), want(gov2019::kVolumePoints, 0));
  EXPECT_EQ(deductions["homepage_update_volume"]->threshold(), gov2019::kVolumeThreshold);
  EXPECT_EQ(deductions["homepage_update_volume"]->window().days(), gov2019::kVolumeDays);
  EXPECT_EQ(points_cap("columns_not_updated"), want(0, gov2019::kColumnsNotUpdatedCap));
  EXPECT_EQ(points_cap("interaction_slow_replies"),
            want(gov2019::kSlowReplyPoints, gov2019::kSlowReplyCap));
  EXPECT_EQ(deductions["interaction_slow_replies"]->threshold(), gov2019::kSlowReplyDays);
  std::vector<std::string> warning_rules;
  std::map<std::string, double> warnings;
  for (const auto& w : r.warning()) {
    warning_rules.push_back(w.rule());
    warnings[w.rule()] = w.threshold();
  }
  EXPECT_THAT(warning_rules, ::testing::ElementsAreArray(kWarningRules));
  EXPECT_EQ(warnings["unreachable_ratio"], gov2019::kWarnUnreachableRatio);
  EXPECT_EQ(warnings["homepage_not_updated"], gov2019::kWarnHomepageDays);
  EXPECT_EQ(warnings["blank_columns"], gov2019::kWarnBlankColumns);
  EXPECT_EQ(warnings["columns_not_updated"], gov2019::kWarnColumnsNotUpdated);
}

// What each planted broken link is, against the rubric's words for it: an attachment's URL
// ends in a file extension; an online system's text holds an online_system_keyword, and
// no other link's text does (the census would count it as an online system).
TEST(SimWebRubricTest, PlantedLinkKindsMatchTheRubricsWords) {
  const census::rubric::Rubric r = Gov2019FromFile();
  ASSERT_GT(r.online_system_keyword_size(), 0);
  const Web web = BuildWeb(Demo(1, kScenarioCount));
  int kinds[3] = {0, 0, 0};
  for (const Site& s : web.sites) {
    for (const BrokenLink& l : s.broken_links) {
      ++kinds[static_cast<int>(l.kind)];
      bool names_system = false;
      for (const std::string& word : r.online_system_keyword()) {
        names_system |= absl::StrContains(l.anchor, word);
      }
      const std::string path = l.url.substr(0, l.url.find('?'));
      const bool file = absl::EndsWith(path, ".pdf") || absl::EndsWith(path, ".doc");
      EXPECT_EQ(file, l.kind == BrokenLink::Kind::kAttachment) << l.url;
      if (!file) {
        EXPECT_EQ(names_system, l.kind == BrokenLink::Kind::kOnlineSystem) << l.anchor;
      }
    }
  }
  EXPECT_EQ(kinds[0], 5);  // pages
  EXPECT_EQ(kinds[1], 2);  // attachments
  EXPECT_EQ(kinds[2], 3);  // online systems
}

std::map<std::string, double> DeductionMap(const SiteTruth& t) {
  std::map<std::string, double> out;
  for (const DeductionTruth& d : t.deductions) out[d.rule] = d.points;
  return out;
}

// Every site's deductions, early warnings and score; each rule is planted on some site and
// absent on others, on every day the end-to-end test serves.
TEST(SimWebRubricTest, EachDeductionAndWarningIsPlantedOnSomeSites) {
  using Points = std::map<std::string, double>;
  using Warnings = std::vector<std::string>;
  const std::vector<std::tuple<Points, Warnings, double>> want = {
      {{}, {}, 100},                                                 // healthy
      {{}, {}, 100},                                                 // healthy_gbk_header
      {{}, {}, 100},                                                 // healthy_gbk_meta
      {{{"homepage_update_volume", 5}}, {}, 95},                     // homepage_stale
      {{{"columns_not_updated", 28}}, {"columns_not_updated"}, 72},  // columns_stale
      {{}, {}, 100},                                                 // blank_columns
      {{}, {}, 0},                                                   // unreachable
      {{}, {}, 100},                                                 // flaky_high (vetoed)
      {{{"homepage_availability", 100.0 / 24 * 5}}, {"unreachable_ratio"}, 79.2},  // flaky_low
      {{}, {"blank_columns"}, 100},  // navigation_only
      {{{"broken_links_homepage", 3},
        {"broken_links_other", 0.2},
        {"attachments_unavailable", 2},
        {"online_systems_unavailable", 6}},
       {},
       88.8},                                                           // broken_links
      {{{"homepage_update_volume", 5}}, {"homepage_not_updated"}, 95},  // mixed
      {{{"interaction_slow_replies", 2}}, {}, 98},                      // interaction_unanswered
      {{}, {}, 100},                                                    // serious_typo
      {{}, {}, 100},                                                    // sensitive_word
      {{}, {}, 100},                                                    // hidden_spam_link
      {{}, {}, 100},                                                    // forged_date
      // abandoned: 11 stale columns (3 news x 3 + 4 notice/policy x 4 + 4 personnel/plan x 5
      // = 45, capped at 40), no homepage item within 14 days.
      {{{"homepage_update_volume", 5}, {"columns_not_updated", 40}}, {"columns_not_updated"}, 55},
  };
  ASSERT_EQ(want.size(), static_cast<size_t>(kScenarioCount));
  for (int day : {0, 1, 2}) {
    const Web w = BuildWeb(Extended(day));
    std::map<std::string, int> deducted, warned;
    int long_columns = 0;
    for (int i = 0; i < kScenarioCount; ++i) {
      const SiteTruth t = ComputeSiteTruth(w, w.sites[i]);
      const auto& [points, warnings, score] = want[i];
      const Points got = DeductionMap(t);
      EXPECT_EQ(got.size(), points.size()) << day << " " << i;
      for (const auto& [rule, p] : points) {
        EXPECT_EQ(got.count(rule), 1u) << day << " " << i << " " << rule;
        if (got.count(rule) > 0) {
          EXPECT_DOUBLE_EQ(got.at(rule), p) << day << " " << i << rule;
        }
      }
      EXPECT_EQ(t.early_warnings, warnings) << day << " " << i;
      EXPECT_DOUBLE_EQ(t.score, score) << day << " " << i;
      for (const auto& [rule, p] : got) ++deducted[rule];
      for (const std::string& rule : t.early_warnings) ++warned[rule];
      for (const ColumnTruth& c : t.columns) long_columns += c.long_unupdated ? 1 : 0;
    }
    for (const char* rule : kDeductionRules) EXPECT_GE(deducted[rule], 1) << day << rule;
    for (const char* rule : kWarningRules) EXPECT_GE(warned[rule], 1) << day << rule;
    // 人事信息, 规划计划 of columns_stale; the abandoned site's 10.
    EXPECT_EQ(long_columns, 2 + 10) << day;
  }
}

TEST(SimWebRubricTest, QuietNewsColumnKeepsTheMixedHomepageBetweenWarningAndVeto) {
  for (int day : {0, 1, 2}) {
    const Web w = BuildWeb(Extended(day));
    const Site& s = w.sites[11];
    const SiteTruth t = ComputeSiteTruth(w, s);
    absl::CivilDay home;
    ASSERT_TRUE(absl::ParseCivilTime(t.homepage_last_update, &home));
    EXPECT_EQ(w.Today() - home, kQuietNewsDays + day);
    EXPECT_TRUE(t.vetoes.empty()) << day;
    EXPECT_EQ(t.verdict, "pass") << day;
    EXPECT_LT(t.homepage_updates_in_window, gov2019::kVolumeThreshold) << day;
    for (const ColumnTruth& c : t.columns) EXPECT_FALSE(c.stale) << day << c.name;
  }
}

// The abandoned site: exactly 10 should-update columns with nothing for over a year (the
// long_unupdated veto's line), one more stale within the year; on every day served.
TEST(SimWebRubricTest, AbandonedSiteHasTenLongUnupdatedColumns) {
  const Web day0 = BuildWeb(Extended());
  for (int day : {0, 1, 2}) {
    SimWeb sim(BuildWeb(Extended(day)));
    const Web& w = sim.web();
    const Site& s = w.sites[17];
    ASSERT_EQ(s.scenario, Scenario::kAbandoned);
    const SiteTruth t = ComputeSiteTruth(w, s);
    std::vector<std::string> long_unupdated;
    std::vector<std::string> stale;
    int should_update = 0;
    for (const ColumnTruth& c : t.columns) {
      if (c.long_unupdated) long_unupdated.push_back(c.name);
      if (c.stale) stale.push_back(c.name);
      EXPECT_FALSE(c.blank) << day << c.name;
    }
    for (const Column& c : s.columns) {
      ASSERT_FALSE(c.items.empty()) << c.name;
      const int64_t age = w.Today() - absl::CivilDay(c.items.front().time);
      switch (c.category) {
        case Category::kNews:
        case Category::kNotice:
        case Category::kPolicy:
        case Category::kPersonnel:
        case Category::kPlan:
          ++should_update;
          if (c.slug == "zcjd") {
            EXPECT_GE(age, 215 + day) << c.name;
            EXPECT_LE(age, 360 + day) << c.name;
          } else {
            EXPECT_GE(age, kAbandonedMinDays + day) << c.name;
            EXPECT_LE(age, 700 + day) << c.name;
          }
          break;
        default:
          break;  // its mailbox, service and topic pages are still kept
      }
    }
    EXPECT_EQ(should_update, 11) << day;
    EXPECT_THAT(long_unupdated,
                UnorderedElementsAre("工作动态", "部门动态", "要闻动态", "通知公告", "公示公告",
                                     "政策文件", "人事信息", "人事任免", "规划计划", "工作计划"))
        << day;
    EXPECT_EQ(long_unupdated.size(), static_cast<size_t>(gov2019::kLongUnupdated));
    EXPECT_EQ(stale.size(), 11u) << day;
    EXPECT_THAT(stale, ::testing::Contains("政策解读"));
    // The homepage shows only the abandoned 工作动态 and 通知公告.
    absl::CivilDay home;
    ASSERT_TRUE(absl::ParseCivilTime(t.homepage_last_update, &home));
    EXPECT_GE(w.Today() - home, kAbandonedMinDays + day);
    EXPECT_EQ(t.homepage_updates_in_window, 0);
    EXPECT_EQ(t.vetoes,
              (std::vector<std::string>{"columns_stale", "homepage_stale", "long_unupdated"}));
    EXPECT_EQ(t.interaction.unanswered_over_3_months, 0);
    EXPECT_TRUE(t.content.empty());
    EXPECT_TRUE(t.broken_links.empty());
    ASSERT_EQ(t.deductions.size(), 2u);
    EXPECT_EQ(t.deductions[0].rule, "homepage_update_volume");
    EXPECT_EQ(t.deductions[0].points, 5.0);
    EXPECT_EQ(t.deductions[1].rule, "columns_not_updated");
    EXPECT_EQ(t.deductions[1].points, gov2019::kColumnsNotUpdatedCap);  // 45 capped
    EXPECT_EQ(t.early_warnings, std::vector<std::string>{"columns_not_updated"});
    EXPECT_EQ(t.score, 55.0);
    EXPECT_EQ(t.verdict, "fail");
    // No column of the site gains an item on later days.
    const Site& s0 = day0.sites[17];
    ASSERT_EQ(s.columns.size(), s0.columns.size());
    for (size_t ci = 0; ci < s.columns.size(); ++ci) {
      if (s.columns[ci].category == Category::kInteraction) continue;  // replies arrive
      EXPECT_EQ(s.columns[ci].items.size(), s0.columns[ci].items.size())
          << day << s.columns[ci].name;
    }
    // Its column pages list their old items (the census reads the dates there).
    for (const Column& c : s.columns) {
      const std::string page = sim.Handle(Get(s.host, c.Path())).body;
      const std::string newest =
          FormatItemDate(c.items.front().time,
                         c.category == Category::kInteraction ? DateFormat::kIso : c.date_format);
      EXPECT_TRUE(absl::StrContains(page, newest)) << day << c.name;
    }
  }
  const std::string json = TruthJson(BuildWeb(Extended()), {});
  EXPECT_TRUE(absl::StrContains(
      json,
      "\"scenario\":\"abandoned\",\"charset\":\"utf-8\",\"verdict\":\"fail\",\"vetoes\":"
      "[\"columns_stale\",\"homepage_stale\",\"long_unupdated\"]"));
  EXPECT_TRUE(absl::StrContains(
      json,
      "\"deductions\":[{\"rule\":\"homepage_update_volume\",\"points\":5.00},{\"rule\":"
      "\"columns_not_updated\",\"points\":40.00}],\"early_warnings\":[\"columns_not_updated\"],"
      "\"score\":55.0}"));
}

TEST(SimWebRubricTest, TruthJsonCarriesTheScoring) {
  const Web web = BuildWeb(Demo());
  const std::string json = TruthJson(web, {});
  const Site& low = web.sites[8];
  EXPECT_TRUE(
      absl::StrContains(json,
                        "\"deductions\":[{\"rule\":\"homepage_availability\",\"points\":20.83}],"
                        "\"early_warnings\":[\"unreachable_ratio\"],\"score\":79.2}"))
      << low.host;
  EXPECT_TRUE(
      absl::StrContains(json,
                        "\"deductions\":[{\"rule\":\"columns_not_updated\",\"points\":28.00}],"
                        "\"early_warnings\":[\"columns_not_updated\"],\"score\":72.0}"));
  const std::string unreachable = absl::StrCat("\"host\":\"", web.sites[6].host, "\"");
  const size_t at = json.find(unreachable);
  ASSERT_NE(at, std::string::npos);
  EXPECT_TRUE(absl::StrContains(json.substr(at, json.find('\n', at) - at),
                                "\"deductions\":[],\"early_warnings\":[],\"score\":0.0}"));
  EXPECT_TRUE(absl::StrContains(json, "\"long_unupdated\":true"));
  EXPECT_TRUE(absl::StrContains(json, "\"attachment\":true,\"online_system\":false"));
  EXPECT_TRUE(absl::StrContains(json, "\"attachment\":false,\"online_system\":true"));
  EXPECT_TRUE(absl::StrContains(json, "\"navigation_only\":false,\"updates_in_window\":"));
}

}  // namespace
}  // namespace census::simweb
