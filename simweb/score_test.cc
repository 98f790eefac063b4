#include "simweb/score.h"

#include <string>

#include "gtest/gtest.h"

namespace census::simweb {
namespace {

testing::TruthSite TruthSite(const std::string& id, const std::string& verdict,
                             const std::string& family, bool held_out) {
  testing::TruthSite s;
  s.set_site_id(id);
  s.set_verdict(verdict);
  s.set_template_(family);
  s.set_held_out(held_out);
  return s;
}

testing::TruthColumn* TruthCol(testing::TruthSite* s, const std::string& url, bool blank,
                               bool stale, const std::string& category = "news") {
  testing::TruthColumn* c = s->add_columns();
  c->set_url(url);
  c->set_blank(blank);
  c->set_stale(stale);
  c->set_category(category);
  return c;
}

report::ColumnReport* GotCol(report::SiteReport* s, const std::string& url, bool blank, bool stale,
                             const std::string& category = "news") {
  report::ColumnReport* c = s->add_columns();
  c->set_url(url);
  c->set_blank(blank);
  c->set_stale(stale);
  c->set_category(category);
  return c;
}

TEST(NormalizeUrlTest, Table) {
  const struct {
    const char* in;
    const char* out;
  } kCases[] = {
      {"http://WWW.A.gov.cn/col/a/index.html", "http://www.a.gov.cn/col/a/"},
      {"http://www.a.gov.cn/col/a/", "http://www.a.gov.cn/col/a/"},
      {"http://www.a.gov.cn/zwgk/x/index.shtml#top", "http://www.a.gov.cn/zwgk/x/"},
      {"http://www.a.gov.cn", "http://www.a.gov.cn/"},
      {"http://www.a.gov.cn/A/list.html", "http://www.a.gov.cn/A/list.html"},
      {"http://www.a.gov.cn/default.htm", "http://www.a.gov.cn/"},
  };
  for (const auto& c : kCases) EXPECT_EQ(NormalizeUrl(c.in), c.out) << c.in;
}

TEST(ScoreCensusTest, CountsEveryFindingByGroup) {
  testing::Truth truth;
  // Site 1 (hanweb, tuned): passes; one stale column, one static column.
  testing::TruthSite* a = truth.add_sites();
  *a = TruthSite("1", "pass", "hanweb", false);
  TruthCol(a, "http://a.gov.cn/col/1/index.html", false, true);
  TruthCol(a, "http://a.gov.cn/col/2/", false, false, "other");
  // Site 2 (govcms, held out): fails for 5 blank columns; the report misses one.
  testing::TruthSite* b = truth.add_sites();
  *b = TruthSite("2", "fail", "govcms", true);
  b->add_vetoes("blank_columns");
  TruthCol(b, "http://b.gov.cn/x/", true, false);
  // Site 3: not in the report.
  *truth.add_sites() = TruthSite("3", "fail", "trs", false);

  report::CensusReport report;
  report::SiteReport* ga = report.add_sites();
  ga->set_site_id("1");
  ga->set_verdict("fail");  // a false fail
  ga->add_vetoes()->set_rule("blank_columns");
  GotCol(ga, "http://a.gov.cn/col/1/", false, true);
  GotCol(ga, "http://a.gov.cn/col/2/index.html", true, false, "news");   // static called blank
  GotCol(ga, "http://a.gov.cn/art/2026/1/1/art_1_2.html", true, false);  // an article
  report::SiteReport* gb = report.add_sites();
  gb->set_site_id("2");
  gb->set_verdict("pass");
  GotCol(gb, "http://B.gov.cn/x/index.html", false, false);
  report.add_sites()->set_site_id("9");  // not in the truth

  const Score s = ScoreCensus(truth, report);
  EXPECT_EQ(s.sites_scored, 3);
  EXPECT_EQ(s.sites_missing, 1);
  EXPECT_EQ(s.sites_extra, 1);
  auto counts = [&](const std::string& finding, const std::string& group) {
    const Counts& c = s.counts.at(finding).at(group);
    return std::to_string(c.tp) + "/" + std::to_string(c.fp) + "/" + std::to_string(c.fn);
  };
  EXPECT_EQ(counts("fail", "all"), "0/1/2");
  EXPECT_EQ(counts("fail", "hanweb"), "0/1/0");
  EXPECT_EQ(counts("fail", "held_out"), "0/0/1");
  EXPECT_EQ(counts("fail", "tuned"), "0/1/1");
  EXPECT_EQ(counts("veto:blank_columns", "all"), "0/1/1");
  EXPECT_EQ(counts("blank_column", "all"), "0/2/1");
  EXPECT_EQ(counts("stale_column", "all"), "1/0/0");
  EXPECT_EQ(counts("column", "all"), "3/1/0");
  EXPECT_EQ(counts("category", "all"), "2/1/0");
  EXPECT_DOUBLE_EQ(s.counts.at("column").at("all").precision(), 0.75);
  EXPECT_DOUBLE_EQ(s.counts.at("fail").at("all").precision(), 0.0);
  EXPECT_DOUBLE_EQ(s.counts.at("stale_column").at("all").recall(), 1.0);
  EXPECT_DOUBLE_EQ(s.counts.at("veto:blank_columns").at("tuned").recall(), -1);  // n/a
  EXPECT_EQ(s.counts.at("stale_column").count("govcms"), 0u);
  // Every disagreement is listed.
  int fp = 0;
  for (const Mismatch& m : s.mismatches) fp += m.false_positive ? 1 : 0;
  // Site 1's fail and veto, its two blank columns, the article taken for a column and
  // the static page's wrong category.
  EXPECT_EQ(fp, 6);
  EXPECT_EQ(s.mismatches.size(), 6u + 4u);  // and the misses: fail ×2, veto, blank
  const std::string json = ScoreJson(s);
  EXPECT_NE(json.find("\"fail\":{\"all\":{\"tp\":0,\"fp\":1,\"fn\":2,\"precision\":0.0000,"
                      "\"recall\":0.0000}"),
            std::string::npos)
      << json;
  EXPECT_NE(ScoreTable(s, true).find("FP blank_column 1 [hanweb] http://a.gov.cn/col/2/"),
            std::string::npos);
}

TEST(RunScoreTest, UsageAndBadFiles) {
  EXPECT_EQ(RunScore({"--help"}), 0);
  EXPECT_EQ(RunScore({}), 2);
  EXPECT_EQ(RunScore({"--truth", "x"}), 2);
  EXPECT_EQ(RunScore({"--bogus"}), 2);
  EXPECT_EQ(RunScore({"--truth", "/nonexistent/truth.json", "--report", "/nonexistent/r.json"}), 1);
}

}  // namespace
}  // namespace census::simweb
