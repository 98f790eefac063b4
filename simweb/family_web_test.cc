// The CMS-family webs (family_sites.cc, family_web.cc): every truth column is served and
// linked where its found_via says, static pages hold text and no dated row, short lists
// hold exactly their dated rows, long lists paginate as their family does, articles and
// attachments are served, GBK sites decode to the same pages, and the truth is the mix
// of passing and failing sites the families plant. The classic web is unchanged.

#include "simweb/family_web.h"

#include <map>
#include <regex>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "simweb/family_markup.h"
#include "simweb/iconv_for_tests.h"
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
  for (int f = 1; f < kMarkupFamilyEnd; ++f) o.families.push_back(static_cast<Family>(f));
  return o;
}

std::string GbkToUtf8(const std::string& s) {
  std::string out;
  return IconvToUtf8(s, "GB18030", &out) ? out : "<invalid GBK>";
}

// The page as UTF-8 (GBK sites' bytes decoded).
std::string Body(SimWeb& sim, const Site& s, const std::string& path, int* status = nullptr) {
  HttpResponse r = sim.Handle(Get(s.host, path));
  if (status != nullptr) *status = r.status;
  return s.gbk ? GbkToUtf8(r.body) : r.body;
}

// Dates in the page's text (not in its tags: Hanweb's and TRS's article URLs hold dates).
int DatedRows(const std::string& html) {
  static const std::regex tag("<[^>]*>");
  static const std::regex date("20\\d\\d(?:[-/.]|年)\\d{1,2}(?:[-/.]|月)\\d{1,2}");
  const std::string text = std::regex_replace(html, tag, " ");
  return static_cast<int>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), date), std::sregex_iterator()));
}

// The anchors (href="path" ... </a>) linking `path` on a page.
std::vector<std::string> Anchors(const std::string& html, const std::string& path) {
  std::vector<std::string> out;
  const std::string href = absl::StrCat("href=\"", path, "\"");
  for (size_t at = html.find(href); at != std::string::npos; at = html.find(href, at + 1)) {
    out.push_back(html.substr(at, html.find("</a>", at) - at));
  }
  return out;
}

TEST(FamilyWebTest, EveryColumnIsServedAndLinkedWhereItsTruthSays) {
  SimWeb sim(BuildWeb(Families(60)));
  const std::set<std::string> vias = {"nav", "submenu", "sidebar", "more", "topic"};
  for (const Site& s : sim.web().sites) {
    SCOPED_TRACE(absl::StrCat(s.site_id, " ", FamilyName(s.family)));
    ASSERT_NE(s.family, Family::kClassic);
    const std::string home = Body(sim, s, "/");
    const std::string work_news = Body(sim, s, s.columns[2].path);
    for (const Column& c : s.columns) {
      SCOPED_TRACE(c.name);
      EXPECT_EQ(vias.count(c.found_via), 1u) << c.found_via;
      int status = 0;
      const std::string page = Body(sim, s, c.path, &status);
      ASSERT_EQ(status, 200);
      EXPECT_TRUE(absl::StrContains(page, "位置")) << "a breadcrumb";
      EXPECT_TRUE(absl::StrContains(page, "<meta name=\"ColumnName\" content=\"" + c.name));
      const std::vector<std::string> on_home = Anchors(home, c.path);
      int named = 0;
      for (const std::string& a : on_home) named += absl::StrContains(a, c.name) ? 1 : 0;
      if (c.found_via == "sidebar") {
        EXPECT_TRUE(on_home.empty());
        EXPECT_FALSE(Anchors(work_news, c.path).empty());
      } else if (c.found_via == "more") {
        ASSERT_EQ(on_home.size(), 1u);
        EXPECT_EQ(named, 0) << "only a 更多 link: " << on_home[0];
      } else {
        EXPECT_GE(named, 1);
        // Submenu and topic columns come after their parent's heading.
        if (!c.parent.empty()) {
          EXPECT_LT(home.find(c.parent), home.find(on_home[0]));
        }
      }
      if (c.kind == Column::Kind::kStatic) {
        EXPECT_EQ(DatedRows(page), 0) << "a static page holds no dated row";
        EXPECT_GT(page.size(), 1000u);
        continue;
      }
      if (c.items.empty()) {
        EXPECT_EQ(DatedRows(page), 0);
        EXPECT_EQ(absl::StrContains(page, "暂无信息"), c.says_no_info);
      }
      for (const Item& item : c.items) {
        const std::string path = FamilyArticlePath(s, c, item);
        EXPECT_NE(path, c.path);
        const std::string article = Body(sim, s, path, &status);
        EXPECT_EQ(status, 200) << path;
        EXPECT_TRUE(absl::StrContains(article, item.title)) << path;
        EXPECT_TRUE(absl::StrContains(article, FormatItemDate(item.time, DateFormat::kDateTime)));
        EXPECT_TRUE(absl::StrContains(article, "来源"));
        EXPECT_TRUE(
            absl::StrContains(article, "<meta name=\"PubDate\" content=\"" +
                                           FormatItemDate(item.time, DateFormat::kDateTime)));
      }
    }
  }
}

TEST(FamilyWebTest, ShortListsHoldExactlyTheirDatedRows) {
  SimWeb sim(BuildWeb(Families(60)));
  int short_lists = 0;
  std::set<size_t> sizes;
  for (const Site& s : sim.web().sites) {
    for (const Column& c : s.columns) {
      if (c.kind != Column::Kind::kList || c.items.empty() || c.items.size() > 7) continue;
      ++short_lists;
      sizes.insert(c.items.size());
      const std::string body = Body(sim, s, c.path);
      EXPECT_EQ(DatedRows(body), static_cast<int>(c.items.size()))
          << s.site_id << " " << FamilyName(s.family) << " " << c.name;
      for (const Item& item : c.items) EXPECT_TRUE(absl::StrContains(body, item.title));
    }
  }
  EXPECT_GT(short_lists, 200);
  EXPECT_EQ(sizes.size(), 7u) << "every length 1-7";
}

TEST(FamilyWebTest, LongListsPaginateAsTheirFamilyDoes) {
  SimWeb sim(BuildWeb(Families(24)));
  int paged = 0;
  for (const Site& s : sim.web().sites) {
    for (size_t ci = 0; ci < s.columns.size(); ++ci) {
      const Column& c = s.columns[ci];
      if (c.items.size() <= static_cast<size_t>(kFamilyPageRows)) continue;
      const std::string first = Body(sim, s, c.path);
      const bool pages = s.family == Family::kTrs || s.family == Family::kDedeCms;
      EXPECT_EQ(DatedRows(first), pages ? kFamilyPageRows : static_cast<int>(c.items.size()))
          << FamilyName(s.family) << " " << c.path;
      if (!pages) continue;
      ++paged;
      const std::string second = s.family == Family::kTrs
                                     ? absl::StrCat(c.path, "index_1.html")
                                     : absl::StrCat(c.path, "list_", ci + 1, "_2.html");
      int status = 0;
      const std::string rest = Body(sim, s, second, &status);
      EXPECT_EQ(status, 200) << second;
      EXPECT_EQ(DatedRows(rest), static_cast<int>(c.items.size()) - kFamilyPageRows);
      EXPECT_TRUE(absl::StrContains(rest, c.items.back().title));
      // TRS writes its pager by script; DedeCMS links page 2.
      EXPECT_EQ(absl::StrContains(first, second.substr(second.rfind('/') + 1) + "'"),
                s.family == Family::kDedeCms);
    }
  }
  EXPECT_GT(paged, 4);
}

TEST(FamilyWebTest, ArticleAttachmentsAreServed) {
  SimWeb sim(BuildWeb(Families(12)));
  static const std::regex attachment("href=\"([^\"]+\\.(pdf|doc))\"");
  int files = 0;
  for (const Site& s : sim.web().sites) {
    for (const Column& c : s.columns) {
      for (const Item& item : c.items) {
        const std::string article = Body(sim, s, FamilyArticlePath(s, c, item));
        for (std::sregex_iterator m(article.begin(), article.end(), attachment), end; m != end;
             ++m) {
          HttpResponse r = sim.Handle(Get(s.host, (*m)[1].str()));
          EXPECT_EQ(r.status, 200) << (*m)[1].str();
          EXPECT_TRUE(absl::StartsWith(r.content_type, "application/")) << r.content_type;
          ++files;
        }
      }
    }
  }
  EXPECT_GT(files, 100);
}

TEST(FamilyWebTest, GbkSitesDecodeToTheirPages) {
  SimWeb sim(BuildWeb(Families(60)));
  int gbk = 0;
  for (const Site& s : sim.web().sites) {
    if (!s.gbk) continue;
    ++gbk;
    EXPECT_TRUE(s.family == Family::kTrs || s.family == Family::kDedeCms);
    for (const std::string& path : {std::string("/"), s.columns[2].path, s.columns[3].path}) {
      HttpResponse r = sim.Handle(Get(s.host, path));
      int status = 0;
      std::string utf8;
      std::string type;
      ASSERT_TRUE(FamilyPage(sim.web(), s, path, "", &status, &utf8, &type));
      EXPECT_NE(r.body, utf8);
      EXPECT_EQ(GbkToUtf8(r.body), utf8) << s.host << path;
      EXPECT_TRUE(absl::StrContains(utf8, "charset=gb2312"));
      EXPECT_EQ(absl::StrContains(r.content_type, "gbk"), s.charset_in_header);
    }
  }
  EXPECT_GE(gbk, 4);
}

TEST(FamilyWebTest, TruthPlantsEachKindOfFailureInEveryFamilyAndMostSitesPass) {
  const Web web = BuildWeb(Families(120));
  std::map<std::string, std::map<std::string, int>> by_family;  // family -> veto -> sites
  std::map<std::string, std::set<std::string>> names;           // slug -> names used
  std::map<std::string, int> plantings;                         // kind + where
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
        EXPECT_EQ(c.category, "other");
      }
      if (c.parent == "专题专栏") {
        EXPECT_EQ(c.category, "topic") << c.name;
      }
      if (c.parent == "办事服务") {
        EXPECT_EQ(c.category, "service") << c.name;
      }
    }
    for (const Column& c : s.columns)
      names[c.parent == "专题专栏" ? "topic" : c.slug].insert(c.name);
    for (const ContentTruth& c : t.content) {
      plantings[c.kind]++;
    }
    EXPECT_EQ(statics, 4);
    EXPECT_EQ(t.columns.size(), 14u);
  }
  ASSERT_EQ(by_family.size(), 6u);
  for (const auto& [family, counts] : by_family) {
    SCOPED_TRACE(family);
    EXPECT_EQ(counts.at("pass"), 12);
    EXPECT_EQ(counts.at("fail"), 8);
    EXPECT_EQ(counts.at("blank_columns"), 2);
    EXPECT_EQ(counts.at("columns_stale"), 2);
    EXPECT_EQ(counts.at("homepage_stale"), 2);
    EXPECT_EQ(counts.at("serious_error"), 2);
  }
  for (const auto& [slug, used] : names) EXPECT_GE(used.size(), 2u) << slug;
  EXPECT_GE(names["topic"].size(), 5u);
  EXPECT_EQ(plantings["sensitive_word"], 13);  // 3 bodies, 4 attachments, 3 titles x 2 pages
  EXPECT_EQ(plantings["serious_typo"], 2);
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
  EXPECT_TRUE(absl::StrContains(json, "\"found_via\":\"topic\",\"parent\":\"专题专栏\""));
  EXPECT_TRUE(absl::StrContains(json, "\"found_via\":\"topic\",\"parent\":\"办事服务\""));
  EXPECT_FALSE(absl::StrContains(json, "\"found_via\":\"block\""));
}

// Homepage blocks carry each family's date form; DedeCMS's are year-less (11-08).
TEST(FamilyWebTest, HomepageBlocksCarryTheirFamilysDates) {
  SimWeb sim(BuildWeb(Families(12)));
  for (const Site& s : sim.web().sites) {
    const std::string home = Body(sim, s, "/");
    const Item& newest = s.columns[2].items.front();
    const bool dede = s.family == Family::kDedeCms;
    const DateFormat form = dede ? DateFormat::kYearless : MarkupOf(s.family).list_date;
    EXPECT_TRUE(absl::StrContains(home, FormatItemDate(newest.time, form))) << s.site_id;
    if (dede) {
      EXPECT_EQ(DatedRows(home), 0) << "no year on a DedeCMS homepage";
    }
  }
}

// A later --day serves the same family sites (same articles, same dates), only older: no
// URL shows a later date than it did on day 0.
TEST(FamilyWebTest, LaterDaysServeTheSameItems) {
  WebOptions o = Families(30);
  const Web day0 = BuildWeb(o);
  o.day = 30;
  const Web day30 = BuildWeb(o);
  int stale0 = 0;
  int stale30 = 0;
  for (size_t i = 0; i < day0.sites.size(); ++i) {
    const Site& a = day0.sites[i];
    const Site& b = day30.sites[i];
    ASSERT_EQ(a.columns.size(), b.columns.size());
    for (size_t ci = 0; ci < a.columns.size(); ++ci) {
      ASSERT_EQ(a.columns[ci].items.size(), b.columns[ci].items.size());
      for (size_t k = 0; k < a.columns[ci].items.size(); ++k) {
        EXPECT_EQ(a.columns[ci].items[k].time, b.columns[ci].items[k].time);
        EXPECT_EQ(FamilyArticlePath(a, a.columns[ci], a.columns[ci].items[k]),
                  FamilyArticlePath(b, b.columns[ci], b.columns[ci].items[k]));
      }
    }
    for (const ColumnTruth& c : ComputeSiteTruth(day0, a).columns) stale0 += c.stale ? 1 : 0;
    for (const ColumnTruth& c : ComputeSiteTruth(day30, b).columns) stale30 += c.stale ? 1 : 0;
  }
  EXPECT_GT(stale30, stale0) << "a month later more columns are stale";
}

// FNV-1a, to pin the classic web's bytes.
uint64_t Fnv(const std::string& s, uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// The classic web (no --families) is what it was before the families: its truth.json and
// its homepages, column pages and articles, byte for byte.
TEST(FamilyWebTest, ClassicWebIsUnchanged) {
  WebOptions o;
  o.sites = kScenarioCount;
  SimWeb sim(BuildWeb(o));
  EXPECT_EQ(Fnv(TruthJson(sim.web(), {})), 12795883068281129842ULL)
      << "truth.json of --sites 18 changed";
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const Site& s : sim.web().sites) {
    h = Fnv(sim.Handle(Get(s.host, "/")).body, h);
    for (const Column& c : s.columns) {
      h = Fnv(sim.Handle(Get(s.host, c.Path())).body, h);
      if (!c.items.empty()) h = Fnv(sim.Handle(Get(s.host, c.ArticlePath(c.items[0]))).body, h);
    }
  }
  EXPECT_EQ(h, 7809460919391269140ULL) << "pages of --sites 18 changed";
}

}  // namespace
}  // namespace census::simweb
