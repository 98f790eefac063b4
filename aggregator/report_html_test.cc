// report.html: structure and escaping (what a reader sees is checked in headless
// Chromium by tests/browser/).

#include <string>

#include "aggregator/aggregator.h"
#include "gtest/gtest.h"

namespace census {
namespace {

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

report::CensusReport Sample() {
  report::CensusReport report;
  report::CensusSummary* census = report.mutable_census();
  census->set_as_of("2026-11-20");
  census->set_rubric("gov-2019");
  census->set_sites(3);
  census->set_failed(2);
  census->set_passed(1);
  census->set_unreachable(1);

  report::SiteReport* a = report.add_sites();
  a->set_site_id("A1");
  a->set_name("甲<script>alert(1)</script>");
  a->set_url("javascript:alert(1)");
  a->set_verdict("fail");
  a->set_score(88.5);
  a->set_region("湖北");
  a->set_level("county");
  a->add_vetoes()->set_rule("homepage_stale");
  a->mutable_vetoes(0)->set_detail("last update 2026-10-01 & older");
  a->mutable_homepage()->set_last_update("2026-10-01");
  report::ColumnReport* column = a->add_columns();
  column->set_name("通知公告");
  column->set_url("http://a.gov.cn/tzgg/");
  column->set_category("notice");
  column->set_stale(true);
  column->set_mean_interval_days(40);
  report::BrokenLink* link = a->mutable_links()->add_broken();
  link->set_url("http://a.gov.cn/x.html?a=1&b=2");
  link->set_found_on("http://a.gov.cn/");
  link->set_error("http_404");
  link->set_status(404);
  link->set_confirmed(true);
  a->mutable_links()->add_broken()->set_url("http://a.gov.cn/slow");
  a->mutable_links()->mutable_broken(1)->set_error("timeout");
  report::EarlyWarning* warning = a->add_early_warnings();
  warning->set_rule("blank_columns");
  warning->set_detail("3 blank columns");

  report::SiteReport* b = report.add_sites();
  b->set_site_id("B2");
  b->set_name("乙");
  b->set_verdict("pass");
  b->set_score(100);
  b->set_region("湖北");
  b->mutable_homepage()->set_last_update("2026-11-19");

  report::SiteReport* c = report.add_sites();
  c->set_site_id("C 3");
  c->set_name("丙");
  c->set_verdict("unreachable");
  c->add_vetoes()->set_rule("site_unreachable");
  return report;
}

TEST(ReportHtmlTest, Structure) {
  std::string html = ReportToHtml(Sample());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"zh-CN\">", 0), 0u);
  EXPECT_NE(html.find("<title>2026-11-20 政府网站普查情况通报</title>"), std::string::npos);
  EXPECT_NE(html.find("<b id=\"sum-sites\">3</b>"), std::string::npos);
  EXPECT_NE(html.find("<b id=\"sum-failed\" class=\"mark\">2</b>"), std::string::npos);
  EXPECT_NE(html.find("<b id=\"sum-rate\">33.3%</b>"), std::string::npos);
  EXPECT_EQ(Count(html, "<section class=\"site "), 3);
  EXPECT_EQ(Count(html, "data-verdict=\"fail\""), 1);
  EXPECT_EQ(Count(html, "<ul class=\"vetoes\">"), 2);
  // Charts: 2 homepage ages (A1, B2), 1 site with broken links, 7 interval buckets.
  EXPECT_EQ(Count(html, "<svg id=\"chart-home-age\""), 1);
  EXPECT_EQ(Count(html, "<svg id=\"chart-broken\""), 1);
  EXPECT_EQ(Count(html, "<svg id=\"chart-intervals\""), 1);
  EXPECT_EQ(Count(html, "<g class=\"bar\">"), 2 + 1 + 7);
  EXPECT_NE(
      html.find("<title>甲&lt;script&gt;alert(1)&lt;/script&gt; A1: 2 (确认 1, 疑似 1)</title>"),
      std::string::npos);
  // Early warnings, failing list, id without whitespace.
  EXPECT_NE(html.find("<ul class=\"warnings\">"), std::string::npos);
  EXPECT_NE(html.find("id=\"site-C_3\""), std::string::npos);
  EXPECT_EQ(Count(html, "<tbody>\n<tr><td class=\"n\">1</td>"), 1);
  EXPECT_EQ(html.substr(html.size() - 16), "</body>\n</html>\n");
}

TEST(ReportHtmlTest, EscapesEverything) {
  std::string html = ReportToHtml(Sample());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("href=\"javascript:"), std::string::npos);
  EXPECT_NE(html.find("甲&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("href=\"http://a.gov.cn/x.html?a=1&amp;b=2\""), std::string::npos);
  EXPECT_NE(html.find("last update 2026-10-01 &amp; older"), std::string::npos);
}

// Up to 30 columns a site: every column is a row. Above: only the problem columns, and
// how many are left out (report.json keeps them all).
TEST(ReportHtmlTest, ManyColumnsListOnlyTheProblemOnes) {
  for (int columns : {30, 31, 100}) {
    report::CensusReport report;
    report.mutable_census()->set_as_of("2026-11-20");
    report::SiteReport* site = report.add_sites();
    site->set_site_id("M1");
    site->set_verdict("fail");
    for (int i = 0; i < columns; ++i) {
      report::ColumnReport* c = site->add_columns();
      c->set_name("栏目" + std::to_string(i));
      c->set_category("news");
      if (i % 10 == 3) c->set_stale(true);
      if (i == 5) c->set_blank(true);
      if (i == 7) c->set_fetch_error("http_404");
    }
    const int problems = columns / 10 + (columns % 10 > 3 ? 1 : 0) + 2;
    const std::string html = ReportToHtml(report);
    SCOPED_TRACE(columns);
    EXPECT_EQ(Count(html, "<tr class=\"problem\">"), problems);
    if (columns <= 30) {
      EXPECT_EQ(Count(html, "<tr><td>栏目"), columns - problems);
      EXPECT_EQ(Count(html, "columns-omitted"), 0);
    } else {
      EXPECT_EQ(Count(html, "<tr><td>栏目"), 0);
      EXPECT_NE(html.find("其余 " + std::to_string(columns - problems) + " 个栏目正常"),
                std::string::npos);
    }
    EXPECT_NE(html.find("(" + std::to_string(columns) + ")"), std::string::npos);
  }
}

TEST(ReportHtmlTest, EmptyReport) {
  report::CensusReport report;
  report.mutable_census()->set_as_of("2026-11-20");
  std::string html = ReportToHtml(report);
  EXPECT_EQ(Count(html, "<svg"), 0);
  EXPECT_EQ(Count(html, "<section class=\"site "), 0);
  EXPECT_NE(html.find("<b id=\"sum-sites\">0</b>"), std::string::npos);
  EXPECT_NE(html.find("<b id=\"sum-rate\">—</b>"), std::string::npos);
}

}  // namespace
}  // namespace census
