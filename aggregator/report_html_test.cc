// report.html: structure and escaping (what a reader sees is checked in headless
// Chromium by tests/browser/).

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "aggregator/aggregator.h"
#include "aggregator/internal/report_parts.h"
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

// Region page names: safe file names and URL segments, distinct for distinct regions.
TEST(ReportHtmlTest, RegionSlugs) {
  EXPECT_EQ(RegionSlug("420100"), "420100");
  EXPECT_EQ(RegionSlug(""), "_unassigned");
  EXPECT_EQ(RegionSlug("湖北"), "_E6_B9_96_E5_8C_97");
  EXPECT_EQ(RegionSlug("Hubei"), "_48ubei");
  EXPECT_EQ(RegionSlug("../a b"), "_2E_2E_2Fa_20b");
  EXPECT_EQ(RegionSlug("_E6"), "_5F_456");  // not the escape of a byte
  EXPECT_EQ(RegionPagePath("湖北"), "regions/_E6_B9_96_E5_8C_97.html");
  const std::string long_a(100, 'x'), long_b = std::string(99, 'x') + "y";
  EXPECT_LE(RegionSlug("湖" + long_a).size(), 200u);
  EXPECT_NE(RegionSlug("湖北省" + long_a + long_a), RegionSlug("湖北省" + long_a + long_b));
  for (const std::string& slug : {RegionSlug("省" + long_a + long_a), RegionSlug("a b/c")}) {
    EXPECT_EQ(slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_ABCDEF"),
              std::string::npos)
        << slug;
  }
}

// One page a region, each with that region's sites only, its figures and failing sites,
// linked from report.html's regions table and linking back.
TEST(ReportHtmlTest, RegionPages) {
  const report::CensusReport report = Sample();
  const std::string html = ReportToHtml(report);
  EXPECT_EQ(Count(html, "<a class=\"region-page\" href=\"regions/"), 2);
  EXPECT_NE(html.find("href=\"regions/_E6_B9_96_E5_8C_97.html\">湖北</a>"), std::string::npos);
  EXPECT_NE(html.find("href=\"regions/_unassigned.html\">未填地区"), std::string::npos);
  // 湖北: A1 88.5 and B2 100 → mean 94.2 (rounded to 0.1).
  EXPECT_NE(html.find("<td class=\"n\">50.0%</td><td class=\"n\">94.2</td>"), std::string::npos);

  const std::map<std::string, std::string> pages = ReportToRegionHtml(report);
  ASSERT_EQ(pages.size(), 2u);
  const std::string& hubei = pages.at("regions/_E6_B9_96_E5_8C_97.html");
  EXPECT_EQ(hubei.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(hubei.find("<title>湖北 · 2026-11-20 政府网站普查情况通报</title>"), std::string::npos);
  EXPECT_NE(hubei.find("<a id=\"national\" href=\"../report.html\">"), std::string::npos);
  EXPECT_EQ(Count(hubei, "<section class=\"site "), 2);
  EXPECT_NE(hubei.find("id=\"site-A1\""), std::string::npos);
  EXPECT_NE(hubei.find("id=\"site-B2\""), std::string::npos);
  EXPECT_EQ(hubei.find("site-C_3"), std::string::npos);
  EXPECT_NE(hubei.find("<b id=\"sum-sites\">2</b>"), std::string::npos);
  EXPECT_NE(hubei.find("<b id=\"sum-failed\" class=\"mark\">1</b>"), std::string::npos);
  EXPECT_NE(hubei.find("<b id=\"sum-mean-score\">94.2</b>"), std::string::npos);
  EXPECT_EQ(Count(hubei, "<tr><td class=\"n\">1</td><td>湖北</td><td><a href=\"#site-A1\">"), 1);
  EXPECT_EQ(hubei.find("<script"), std::string::npos);
  EXPECT_EQ(hubei.substr(hubei.size() - 16), "</body>\n</html>\n");
  // A site's section on its region page is the one report.html shows.
  const size_t start = html.find("<section class=\"site fail\" id=\"site-A1\"");
  ASSERT_NE(start, std::string::npos);
  const std::string section = html.substr(start, html.find("</section>\n", start) + 11 - start);
  EXPECT_NE(hubei.find(section), std::string::npos);

  const std::string& unassigned = pages.at("regions/_unassigned.html");
  EXPECT_EQ(Count(unassigned, "<section class=\"site "), 1);
  EXPECT_NE(unassigned.find("id=\"site-C_3\""), std::string::npos);
  EXPECT_NE(unassigned.find("<span id=\"region-name\">未填地区</span>"), std::string::npos);
}

// `sites` sites in three regions (甲, 420100, none), every other one failing.
report::CensusReport ThreeRegions(int sites) {
  report::CensusReport report;
  report.mutable_census()->set_as_of("2026-11-20");
  report.mutable_census()->set_sites(sites);
  for (int i = 0; i < sites; ++i) {
    report::SiteReport* site = report.add_sites();
    site->set_site_id(absl::StrFormat("%05d", i));
    site->set_region(i % 3 == 0 ? "甲" : (i % 3 == 1 ? "420100" : ""));
    site->set_verdict(i % 2 == 0 ? "fail" : "pass");
  }
  return report;
}

// Up to 500 sites report.html holds every site; above, the summary only, and every site
// is on its region's page.
TEST(ReportHtmlTest, OverTheThresholdTheSitesAreOnTheRegionPages) {
  for (int sites : {500, 501}) {
    SCOPED_TRACE(sites);
    const report::CensusReport report = ThreeRegions(sites);
    const std::string html = ReportToHtml(report);
    const bool inline_sites = sites <= 500;
    EXPECT_EQ(Count(html, "<section class=\"site "), inline_sites ? sites : 0);
    EXPECT_EQ(Count(html, "id=\"table-failed\""), inline_sites ? 1 : 0);
    EXPECT_EQ(Count(html, "class=\"by-region-only\""), inline_sites ? 0 : 2);
    EXPECT_EQ(Count(html, "<a class=\"region-page\""), 3);
    // A region's sites fill pages of kRegionSitesPerPage in report order; its first page
    // lists all its failing sites, each linked to the page that holds its section.
    constexpr int kPerPage = report_parts::HtmlNotice::kRegionSitesPerPage;
    std::map<std::string, int> seen_in_region;
    std::map<std::string, std::pair<int, int>> want;         // page: sites, failing rows
    std::map<std::string, std::string> first_page_links;     // region's first page: its links
    std::vector<std::pair<std::string, std::string>> links;  // (first page, href) of failures
    for (const report::SiteReport& site : report.sites()) {
      const int page = seen_in_region[site.region()]++ / kPerPage;
      const std::string path = RegionPagePath(site.region(), page);
      ++want[path].first;
      if (site.verdict() != "fail") continue;
      ++want[RegionPagePath(site.region())].second;
      const std::string file = path.substr(path.find('/') + 1);
      links.emplace_back(RegionPagePath(site.region()),
                         absl::StrCat(page == 0 ? "" : file, "#site-", site.site_id()));
    }
    const std::map<std::string, std::string> pages = ReportToRegionHtml(report);
    EXPECT_EQ(pages.size(), want.size());
    // 167 / 167 / 166 or 167 sites a region: two pages each.
    EXPECT_EQ(pages.size(), 6u);
    for (const auto& [path, page] : pages) {
      EXPECT_EQ(Count(page, "<section class=\"site "), want[path].first) << path;
      EXPECT_EQ(Count(page, "<tr><td class=\"n\">"), want[path].second) << path;
      EXPECT_EQ(Count(page, "<nav class=\"pager\">"), 2) << path;
    }
    for (const auto& [first, href] : links) {
      EXPECT_EQ(Count(pages.at(first), absl::StrCat("href=\"", href, "\"")), 1) << href;
    }
    EXPECT_TRUE(absl::StrContains(pages.at("regions/420100.p2.html"),
                                  "<a href=\"420100.html\">1</a> <b>2</b></nav>"));
  }
}

std::string ReadWhole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a ReportWriter left in `out`: report.html and every region page are the
// whole-report functions' bytes, and nothing partial is left beside them.
void ExpectTheWholeReportsPages(const std::filesystem::path& out,
                                const report::CensusReport& report) {
  EXPECT_EQ(ReadWhole(out / "report.html"), ReportToHtml(report));
  const std::map<std::string, std::string> pages = ReportToRegionHtml(report);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out / "regions")) {
    ++files;
    const std::string name = absl::StrCat("regions/", entry.path().filename().string());
    ASSERT_EQ(pages.count(name), 1u) << name;
    EXPECT_EQ(ReadWhole(entry.path()), pages.at(name)) << name;
  }
  EXPECT_EQ(files, static_cast<int>(pages.size()));
  for (const auto& entry : std::filesystem::directory_iterator(out)) {
    EXPECT_FALSE(absl::StrContains(entry.path().filename().string(), "partial")) << entry.path();
  }
}

// A region with more failing sites than a page holds lists them on a page of their own,
// each row linked to the page that holds the site; its first page links that list.
// ReportWriter keeps report.html's sections in memory while the census is small enough
// to inline them (no side file, no copy) and drops them past the threshold: at 500 and
// 501 sites its files are the whole-report functions' bytes, the region pages cut from
// its sections file (copy_file_range) included.
TEST(ReportHtmlTest, TheWriterAtTheThreshold) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("report-html-writer-", getpid());
  for (int sites : {500, 501}) {
    SCOPED_TRACE(sites);
    const report::CensusReport report = ThreeRegions(sites);
    const std::filesystem::path out = dir / absl::StrCat(sites);
    ASSERT_TRUE(WriteReports(report, out.string()).ok());
    ExpectTheWholeReportsPages(out, report);
  }
  std::filesystem::remove_all(dir);
}

// The region pages are cut from the sections the writer keeps: in memory (in chunks) up
// to a budget, then all in a side file. Every way gives the whole-report function's pages.
TEST(ReportHtmlTest, TheWriterKeepsSectionsInMemoryOrInAFile) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("report-html-sections-", getpid());
  const report::CensusReport report = ThreeRegions(40);
  struct Budget {
    uint64_t bytes;
    size_t chunk;
  };
  // All in memory in one chunk; in memory in chunks of about a section (sections never
  // split); in memory for a third of the sites, then in the file; in the file from the first.
  const uint64_t third = ReportToHtml(report).size() / 6;
  for (const Budget& budget :
       {Budget{uint64_t{1} << 30, size_t{1} << 20}, Budget{uint64_t{1} << 30, 600},
        Budget{third, 4096}, Budget{0, 4096}}) {
    SCOPED_TRACE(absl::StrCat(budget.bytes, " / ", budget.chunk));
    const std::filesystem::path out = dir / absl::StrCat(budget.bytes, "-", budget.chunk);
    auto writer = ReportWriter::Open(out.string(), report.census().as_of());
    ASSERT_TRUE(writer.ok()) << writer.status();
    (*writer)->set_sections_in_memory_up_to(budget.bytes, budget.chunk);
    for (const report::SiteReport& site : report.sites()) ASSERT_TRUE((*writer)->Add(site).ok());
    ASSERT_TRUE((*writer)->Finish(report.census()).ok());
    ExpectTheWholeReportsPages(out, report);
  }
  std::filesystem::remove_all(dir);
}

TEST(ReportHtmlTest, ALongFailingListIsAPageOfItsOwn) {
  report::CensusReport report;
  report.mutable_census()->set_as_of("2026-11-20");
  constexpr int kSites = 250;
  report.mutable_census()->set_sites(kSites);
  for (int i = 0; i < kSites; ++i) {
    report::SiteReport* site = report.add_sites();
    site->set_site_id(absl::StrFormat("%05d", i));
    site->set_region("420100");
    site->set_verdict(i % 5 == 0 ? "pass" : "fail");  // 200 fail
  }
  const std::map<std::string, std::string> pages = ReportToRegionHtml(report);
  ASSERT_EQ(pages.size(), 4u);  // 3 pages of sites and the failing list
  const std::string& first = pages.at("regions/420100.html");
  const std::string& failed = pages.at("regions/420100.failed.html");
  EXPECT_EQ(Count(first, "id=\"table-failed\""), 0);
  EXPECT_EQ(Count(first, "<a id=\"failed-page\" href=\"420100.failed.html\">"), 1);
  EXPECT_EQ(Count(failed, "<tr><td class=\"n\">"), 200);
  EXPECT_EQ(Count(failed, "<section class=\"site "), 0);
  EXPECT_EQ(Count(failed, "href=\"420100.html#site-00001\""), 1);
  EXPECT_EQ(Count(failed, "href=\"420100.p2.html#site-00101\""), 1);
  EXPECT_EQ(Count(failed, "href=\"420100.p3.html#site-00249\""), 1);
  EXPECT_EQ(Count(pages.at("regions/420100.p3.html"), "<section class=\"site "), 50);
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
