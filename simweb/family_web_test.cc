// The CMS-family webs (family_web.cc): every truth column is served and linked where its
// found_via says, static pages hold text and no dated row, short lists hold exactly their
// items, blank columns show their family's empty form, and the truth is what the
// families plant.

#include "simweb/family_web.h"

#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "simweb/sim_web.h"
#include "simweb/truth.h"

namespace census::simweb {
namespace {

HttpRequest Get(const std::string& host, const std::string& target) {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  r.host = host;
  return r;
}

WebOptions Families(int sites) {
  WebOptions o;
  o.sites = sites;
  o.probes = 2;
  for (int f = 1; f < kFamilyCount; ++f) o.families.push_back(static_cast<Family>(f));
  return o;
}

// Counts of `needle` in `hay`.
int Count(const std::string& hay, const std::string& needle) {
  int n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST(FamilyWebTest, EveryColumnIsServedAndLinkedWhereItsTruthSays) {
  SimWeb sim(BuildWeb(Families(30)));
  for (const Site& s : sim.web().sites) {
    SCOPED_TRACE(absl::StrCat(s.site_id, " ", FamilyName(s.family)));
    ASSERT_NE(s.family, Family::kClassic);
    const std::string home = sim.Handle(Get(s.host, "/")).body;
    const std::string work_news = sim.Handle(Get(s.host, s.columns[2].path)).body;
    for (const Column& c : s.columns) {
      SCOPED_TRACE(c.name);
      HttpResponse r = sim.Handle(Get(s.host, c.path));
      ASSERT_EQ(r.status, 200);
      const std::string href = absl::StrCat("href=\"", c.path, "\"");
      if (c.found_via == "sidebar") {
        EXPECT_FALSE(absl::StrContains(home, href));
        EXPECT_TRUE(absl::StrContains(work_news, href));
      } else {
        EXPECT_TRUE(absl::StrContains(home, href));
      }
      if (c.kind == Column::Kind::kStatic) {
        EXPECT_FALSE(absl::StrContains(r.body, "2026-")) << "a static page holds no dated row";
        continue;
      }
      for (const Item& item : c.items) {
        const std::string article = FamilyArticlePath(s, c, item);
        EXPECT_EQ(sim.Handle(Get(s.host, article)).status, 200) << article;
        EXPECT_FALSE(absl::StrContains(home, absl::StrCat("href=\"", c.path, "\">", item.title)));
      }
      if (c.items.empty()) {
        EXPECT_TRUE(c.says_no_info ? absl::StrContains(r.body, "暂无信息")
                                   : !absl::StrContains(r.body, "暂无信息"));
      }
    }
  }
}

TEST(FamilyWebTest, ShortListsHoldExactlyTheirItems) {
  SimWeb sim(BuildWeb(Families(18)));
  int short_lists = 0;
  for (const Site& s : sim.web().sites) {
    for (const Column& c : s.columns) {
      if (c.kind != Column::Kind::kList || c.items.empty() || c.items.size() > 7) continue;
      ++short_lists;
      const std::string body = sim.Handle(Get(s.host, c.path)).body;
      int links = 0;
      for (const Item& item : c.items) links += Count(body, item.title) > 0 ? 1 : 0;
      EXPECT_EQ(links, static_cast<int>(c.items.size())) << s.site_id << " " << c.name;
    }
  }
  EXPECT_GT(short_lists, 30);
}

TEST(FamilyWebTest, TruthPlantsEachKindOfFailureInEveryFamily) {
  const Web web = BuildWeb(Families(120));
  std::map<std::string, std::map<std::string, int>> by_family;  // family -> veto -> sites
  for (const Site& s : web.sites) {
    const SiteTruth t = ComputeSiteTruth(web, s);
    auto& counts = by_family[FamilyName(s.family)];
    counts[t.verdict]++;
    for (const std::string& v : t.vetoes) counts[v]++;
    int statics = 0;
    for (const ColumnTruth& c : t.columns) {
      if (c.kind == "static") {
        ++statics;
        EXPECT_FALSE(c.blank || c.stale || c.long_unupdated) << c.url;
      }
    }
    EXPECT_EQ(statics, 4);
  }
  ASSERT_EQ(by_family.size(), 6u);
  for (const auto& [family, counts] : by_family) {
    SCOPED_TRACE(family);
    EXPECT_EQ(counts.at("pass"), 6);
    EXPECT_EQ(counts.at("fail"), 14);
    EXPECT_EQ(counts.at("blank_columns"), 4);
    EXPECT_EQ(counts.at("columns_stale"), 4);
    EXPECT_EQ(counts.at("homepage_stale"), 4);
    EXPECT_EQ(counts.at("serious_error"), 2);
  }
  EXPECT_TRUE(FamilyHeldOut(Family::kGovcms));
  EXPECT_TRUE(FamilyHeldOut(Family::kKaipu));
  EXPECT_FALSE(FamilyHeldOut(Family::kHanweb));
}

TEST(FamilyWebTest, TruthJsonNamesTemplateAndColumnKinds) {
  const Web web = BuildWeb(Families(6));
  const std::string json = TruthJson(web, {});
  EXPECT_TRUE(absl::StrContains(json, "\"template\":\"govcms\",\"held_out\":true"));
  EXPECT_TRUE(absl::StrContains(json, "\"template\":\"hanweb\",\"held_out\":false"));
  EXPECT_TRUE(absl::StrContains(json, "\"kind\":\"static\",\"found_via\":\"nav\""));
  EXPECT_TRUE(absl::StrContains(json, "\"found_via\":\"sidebar\",\"parent\":\"新闻中心\""));
}

}  // namespace
}  // namespace census::simweb
