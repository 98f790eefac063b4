#include "coordinator/site_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace census {
namespace {

TEST(CsvTest, QuotesNewlinesAndBom) {
  std::vector<int> lines;
  auto rows = ParseCsv(
      "\xEF\xBB\xBF"
      "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\"multi\nline\",z\n",
      &lines);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x,1", "say \"hi\""}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"multi\nline", "z"}));
  EXPECT_EQ(lines, (std::vector<int>{1, 2, 3}));
}

TEST(SiteListTest, BadRowsReportedRestKept) {
  const char* text =
      "site_id,name,url,org,region,level,kind\n"
      "4202020002,黄石市人民政府,http://www.huangshi.gov.cn/,,420200,city,portal\n"
      ",无标识,http://a.gov.cn/,,,,\n"
      "4202020003,,http://b.gov.cn/,,,,\n"
      "4202020004,坏地址,ftp://c.gov.cn/,,,,\n"
      "4202020002,重复,http://d.gov.cn/,,,,\n"
      "4202020005,少列,http://e.gov.cn/\n"
      "\n"
      "4202020006,端口,http://f.gov.cn:80x/,,,,\n"
      "4202020007,正常,https://g.gov.cn/index.html,,,,\n";
  auto list = ParseSitesCsv(text, "sites.csv");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->sites.size(), 2u);
  EXPECT_EQ(list->sites[0].site_id(), "4202020002");
  EXPECT_EQ(list->sites[0].region(), "420200");
  EXPECT_EQ(list->sites[1].url(), "https://g.gov.cn/index.html");
  struct Want {
    int line;
    std::string reason;
  } want[] = {{3, "missing site_id"},
              {4, "missing name"},
              {5, "url 'ftp://c.gov.cn/' is not http(s)"},
              {6, "duplicate site_id 4202020002"},
              {7, "row has 3 fields, header has 7"},
              {9, "url 'http://f.gov.cn:80x/' has an invalid port"}};
  ASSERT_EQ(list->errors.size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    EXPECT_EQ(list->errors[i].file(), "sites.csv");
    EXPECT_EQ(list->errors[i].line(), want[i].line);
    EXPECT_EQ(list->errors[i].reason(), want[i].reason);
  }
}

// Issue 14: a national list of 100,000 rows with 1 % bad rows of every kind the parser
// knows. Every bad row is reported by file and line with its reason, in file order, and
// every good row is kept.
TEST(SiteListTest, HundredThousandRowsWithOnePercentBad) {
  constexpr int kRows = 100000;
  std::string text = "site_id,name,url,org,region,level,kind\n";
  struct Want {
    int line;
    std::string reason;
  };
  std::vector<Want> want;
  int good = 0;
  for (int k = 1; k <= kRows; ++k) {
    const int line = k + 1;  // the header is line 1
    const std::string id = absl::StrCat(4200000000 + k);
    if (k % 100 != 37) {
      absl::StrAppend(&text, id, ",站点", k, ",http://s", k, ".gov.cn/,,420000,county,portal\n");
      ++good;
      continue;
    }
    switch ((k / 100) % 6) {
      case 0:
        absl::StrAppend(&text, ",无标识,http://s", k, ".gov.cn/,,,,\n");
        want.push_back({line, "missing site_id"});
        break;
      case 1:
        absl::StrAppend(&text, id, ",,http://s", k, ".gov.cn/,,,,\n");
        want.push_back({line, "missing name"});
        break;
      case 2:
        absl::StrAppend(&text, id, ",坏地址,ftp://s", k, ".gov.cn/,,,,\n");
        want.push_back({line, absl::StrCat("url 'ftp://s", k, ".gov.cn/' is not http(s)")});
        break;
      case 3:  // the id of the row before, which was good
        absl::StrAppend(&text, 4200000000 + k - 1, ",重复,http://d", k, ".gov.cn/,,,,\n");
        want.push_back({line, absl::StrCat("duplicate site_id ", 4200000000 + k - 1)});
        break;
      case 4:
        absl::StrAppend(&text, id, ",少列,http://s", k, ".gov.cn/\n");
        want.push_back({line, "row has 3 fields, header has 7"});
        break;
      case 5:
        absl::StrAppend(&text, id, ",端口,http://s", k, ".gov.cn:80x/,,,,\n");
        want.push_back(
            {line, absl::StrCat("url 'http://s", k, ".gov.cn:80x/' has an invalid port")});
        break;
    }
  }
  auto list = ParseSitesCsv(text, "national.csv");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->sites.size(), static_cast<size_t>(good));
  EXPECT_EQ(good, 99000);
  ASSERT_EQ(list->errors.size(), want.size());
  ASSERT_EQ(want.size(), 1000u);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(list->errors[i].file(), "national.csv");
    EXPECT_EQ(list->errors[i].line(), want[i].line);
    EXPECT_EQ(list->errors[i].reason(), want[i].reason);
  }
  EXPECT_EQ(list->sites.back().site_id(), absl::StrCat(4200000000 + kRows));
}

TEST(SiteListTest, MissingHeaderColumnFailsWholeFile) {
  auto list = ParseSitesCsv("id,name,url\n1,a,http://a.gov.cn/\n", "s.csv");
  EXPECT_EQ(list.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(list.status().message().find("site_id"), std::string::npos);
}

TEST(SiteListTest, ColumnsCategoriesAndUnknownSites) {
  auto sites = ParseSitesCsv("site_id,name,url\n1,a,http://a.gov.cn/\n", "s.csv");
  ASSERT_TRUE(sites.ok());
  const char* text =
      "site_id,name,url,category\n"
      "1,工作动态,http://a.gov.cn/gzdt/,news\n"
      "1,通知公告,http://a.gov.cn/tzgg/,通知公告\n"
      "1,奇怪,http://a.gov.cn/x/,weird\n"
      "2,别站,http://b.gov.cn/y/,news\n"
      "1,重复,http://a.gov.cn/gzdt/,news\n";
  auto cols = ParseColumnsCsv(text, "c.csv", *sites);
  ASSERT_TRUE(cols.ok());
  ASSERT_EQ(cols->by_site["1"].size(), 2u);
  EXPECT_EQ(cols->by_site["1"][0].category(), NEWS);
  EXPECT_EQ(cols->by_site["1"][1].category(), NOTICE);
  EXPECT_TRUE(cols->by_site["1"][1].declared());
  ASSERT_EQ(cols->errors.size(), 3u);
  EXPECT_EQ(cols->errors[0].line(), 4);
  EXPECT_NE(cols->errors[0].reason().find("unknown category 'weird'"), std::string::npos);
  EXPECT_EQ(cols->errors[1].reason(), "site_id 2 is not in the sites file");
  EXPECT_EQ(cols->errors[2].reason(), "duplicate column url http://a.gov.cn/gzdt/");
}

TEST(SiteListTest, GbkFileIsReadAndBadBytesNeverLeak) {
  // "政府" in GBK: what Excel on a Chinese Windows saves.
  std::string gbk = "site_id,name,url\n1,\xd5\xfe\xb8\xae,http://a.gov.cn/\n";
  auto list = ParseSitesCsv(gbk, "gbk.csv");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->sites.size(), 1u);
  EXPECT_EQ(list->sites[0].name(), "政府");
  // Neither UTF-8 nor GB18030: the bad byte becomes U+FFFD, in the error text too.
  auto bad = ParseSitesCsv("site_id,name,url\n1,a,\xff\n", "bad.csv");
  ASSERT_TRUE(bad.ok());
  ASSERT_EQ(bad->errors.size(), 1u);
  EXPECT_EQ(bad->errors[0].reason(), "url '\xEF\xBF\xBD' is not http(s)");
  report::InputError copy;
  EXPECT_TRUE(copy.ParseFromString(bad->errors[0].SerializeAsString()));
}

}  // namespace
}  // namespace census
