// The simulated web against the built-in lexicon: scanning the text of every page of
// every site finds exactly the serious_typo / sensitive_word findings truth.json lists.

#include <map>
#include <regex>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simweb/family_web.h"
#include "simweb/iconv_for_tests.h"
#include "simweb/sim_web.h"
#include "simweb/site_model.h"
#include "simweb/truth.h"
#include "worker/content_scan.h"

namespace census::simweb {
namespace {

std::string GbkToUtf8(const std::string& s);

// Crude visible text: no tags, no <head>.
std::string Text(const std::string& html) {
  static const std::regex head("<head>[\\s\\S]*?</head>");
  static const std::regex tag("<[^>]*>");
  return std::regex_replace(std::regex_replace(html, head, " "), tag, " ");
}

// Scans the text of every page of `paths` on `s`, each of which must answer 200, and
// adds "kind url term correction" per hit to *found.
void ScanPages(SimWeb& sim, const LexiconScanner& scanner, const Site& s,
               const std::vector<std::string>& paths, std::set<std::string>* found) {
  for (const std::string& p : paths) {
    HttpRequest req;
    req.method = "GET";
    req.host = s.host;
    req.target = p;
    HttpResponse r = sim.Handle(req);
    ASSERT_EQ(r.status, 200) << s.host << p;
    const std::string html = s.gbk ? GbkToUtf8(r.body) : r.body;
    for (const ContentHit& h : scanner.Scan(Text(html))) {
      found->insert(
          absl::StrCat(h.kind(), " http://", s.host, p, " ", h.term(), " ", h.correction()));
    }
  }
}

TEST(SimWebLexiconTest, BuiltinLexiconFindsExactlyTheTruth) {
  WebOptions o;
  o.seed = 1;
  o.sites = kScenarioCount;
  o.day = 1;
  SimWeb sim(BuildWeb(o));
  auto scanner = LexiconScanner::Create(BuiltinLexicon());
  ASSERT_TRUE(scanner.ok()) << scanner.status();
  std::set<std::string> found;
  std::set<std::string> want;
  int pages = 0;
  for (const Site& s : sim.web().sites) {
    if (s.scenario == Scenario::kUnreachable) continue;
    for (const ContentTruth& c : ComputeSiteTruth(sim.web(), s).content) {
      if (c.kind == "serious_typo" || c.kind == "sensitive_word") {
        want.insert(absl::StrCat(c.kind, " ", c.url, " ", c.term, " ", c.correction));
      }
    }
    std::vector<std::string> paths = {"/", "/sitemap.html", "/contact.html"};
    for (const Column& c : s.columns) {
      paths.push_back(c.Path());
      for (const Item& item : c.items) paths.push_back(c.ArticlePath(item));
    }
    pages += static_cast<int>(paths.size());
    ScanPages(sim, **scanner, s, paths, &found);
  }
  EXPECT_GT(pages, 2000);
  EXPECT_EQ(want.size(), 3u);
  EXPECT_EQ(found, want);
}

// The CMS-family web (family_sites.cc): its terms sit in article bodies, attachment link
// texts, a list row's title (its column page and its article) and, as a serious typo, in an
// article body; every page of every site, attachments aside, holds exactly those.
TEST(SimWebLexiconTest, FamilyWebHoldsExactlyItsPlantedTerms) {
  WebOptions o;
  o.seed = 1;
  o.sites = 120;
  for (int f = 1; f < kMarkupFamilyEnd; ++f) o.families.push_back(static_cast<Family>(f));
  SimWeb sim(BuildWeb(o));
  auto scanner = LexiconScanner::Create(BuiltinLexicon());
  ASSERT_TRUE(scanner.ok()) << scanner.status();
  std::set<std::string> found;
  std::set<std::string> want;
  for (const Site& s : sim.web().sites) {
    for (const ContentTruth& c : ComputeSiteTruth(sim.web(), s).content) {
      want.insert(absl::StrCat(c.kind, " ", c.url, " ", c.term, " ", c.correction));
    }
    std::vector<std::string> paths = {"/"};
    for (const Column& c : s.columns) {
      paths.push_back(c.path);
      for (const Item& item : c.items) paths.push_back(FamilyArticlePath(s, c, item));
    }
    ScanPages(sim, **scanner, s, paths, &found);
  }
  EXPECT_EQ(want.size(), 15u);
  EXPECT_EQ(found, want);
}

std::string GbkToUtf8(const std::string& s) {
  std::string out;
  IconvToUtf8(s, "GB18030", &out);  // the scan reads what decodes
  return out;
}

}  // namespace
}  // namespace census::simweb
