// Lists that scripts carry (internal/script_data.h, ExtractListData): the forms seen on
// real government CMSs, each with exact items, and the JavaScript-literal pre-pass.

#include "worker/internal/script_data.h"

#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "worker/extract.h"

namespace census {
namespace {

using internal::ScriptDataUrls;
using internal::ScriptListItem;
using internal::ScriptListItems;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Row(const ScriptListItem& i) {
  return absl::StrCat(i.title, " | ", i.href, " | ", i.date_text);
}
std::vector<std::string> Rows(const std::vector<ScriptListItem>& items) {
  std::vector<std::string> out;
  for (const ScriptListItem& i : items) out.push_back(Row(i));
  return out;
}
std::vector<std::string> Rows(const std::vector<ExtractedItem>& items) {
  std::vector<std::string> out;
  for (const ExtractedItem& i : items)
    out.push_back(absl::StrCat(i.title, " | ", i.href, " | ", i.date));
  return out;
}

TEST(ScriptListItemsTest, JavaScriptObjectLiteral) {
  // Bare and single-quoted keys, single-quoted strings with \' \x and \u escapes,
  // comments, a trailing comma, and values that are code (a variable, a call, a
  // function) which become null.
  const std::string js = R"JS(
    var base = "/col";
    var data = {
      list: [
        // newest first
        {title: 'A \'quoted\' title', url: '/a/1.html', date: '2026-11-30', hits: count(), onClick: function (e) { return {x: 1}; }},
        {'title': "caf\xe9 \u6587\u4ef6 \u{1F600}", "url": base + '/2.html', link: "./b/2.html", date: "2026/11/02"}, /* block comment */
        {title: "Third", href: "https://x.gov.cn/3.html", pubDate: new Date(2026, 10, 1), date: "2026年10月01日",},
      ],
    };
  )JS";
  EXPECT_THAT(
      Rows(ScriptListItems(js)),
      ElementsAre("A 'quoted' title | /a/1.html | 2026-11-30",
                  "caf\xC3\xA9 \xE6\x96\x87\xE4\xBB\xB6 \xF0\x9F\x98\x80 | ./b/2.html | 2026/11/02",
                  "Third | https://x.gov.cn/3.html | 2026年10月01日"));
}

TEST(ScriptListItemsTest, KeysInChineseAndEpochDates) {
  const std::string json = R"({"rows":[
      {"标题":"关于征求意见的公告","链接":"/tzgg/1.html","发布日期":1795656600000},
      {"标题":"第二条","链接":"/tzgg/2.html","发布日期":"1792461600"}]})";
  EXPECT_THAT(Rows(ScriptListItems(json)),
              ElementsAre("关于征求意见的公告 | /tzgg/1.html | 2026-11-26 09:30",
                          "第二条 | /tzgg/2.html | 2026-10-20 10:00"));
}

TEST(ScriptListItemsTest, NestedJsonStringsAndJsonParse) {
  // The list is a JSON string inside JSON; another is JSON.parse('…') of a literal.
  const std::string js = R"JS(
    var resp = {"data": "[{\"docTitle\":\"嵌套的列表\",\"docUrl\":\"/n/1.html\",\"docDate\":\"2026-11-11\"}]"};
    var more = JSON.parse('[{"title":"解析的列表","url":"/p/1.html","time":"2026-10-10 08:00"}]');
  )JS";
  EXPECT_THAT(Rows(ScriptListItems(js)), ElementsAre("嵌套的列表 | /n/1.html | 2026-11-11",
                                                     "解析的列表 | /p/1.html | 2026-10-10 08:00"));
}

TEST(ScriptListItemsTest, WhatIsNotAList) {
  // A channel tree (names, column URLs, epoch-ms times, children) is not a list.
  EXPECT_THAT(ScriptListItems(R"([{"name":"政务公开","url":"/col/1/","releaseTime":1796097600000,
      "children":[{"name":"通知公告","url":"/col/2/","releaseTime":1796140800000,"children":[]}]}])"),
              IsEmpty());
  // Titles and links but no date anywhere: not a list this can judge (the renderer looks).
  EXPECT_THAT(
      ScriptListItems(R"([{"title":"领导信息","url":"/ld/1.html"},{"title":"机构","url":"/jg/"}])"),
      IsEmpty());
  // An image is not the item's link.
  EXPECT_THAT(ScriptListItems(R"([{"title":"图片新闻","imgUrl":"/p/1.jpg","date":"2026-11-01"}])"),
              IsEmpty());
  // Code, not data.
  EXPECT_THAT(ScriptListItems("function f(a) { if (a) { return [a, {b: c + d}]; } }"), IsEmpty());
}

// Deep, unterminated and endlessly nested input: nothing read, and (the ctest timeout
// is the guard) no quadratic pass.
TEST(ScriptListItemsTest, HostileInputReadsNothing) {
  std::string deep(200000, '[');
  std::string unterminated = "var x = [{title: 'no end";
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "{a: [{b: ";
  EXPECT_THAT(ScriptListItems(deep), IsEmpty());
  EXPECT_THAT(ScriptListItems(unterminated), IsEmpty());
  EXPECT_THAT(ScriptListItems(many), IsEmpty());
  EXPECT_THAT(ScriptListItems(std::string(1 << 20, '{')), IsEmpty());
}

TEST(ScriptDataUrlsTest, LiteralsAndKnownVariables) {
  const std::string js = R"JS(
    var channelId = "2041", pageSize = 15;
    $.ajax({url: "/api/content/list?channelId=" + channelId + "&pageNo=1&pageSize=" + pageSize});
    $.getJSON('/data/col/' + unknownVar + '.json');
    fetch("/json/news_list.json");
    $.get("/api/visit/count?siteId=12");
    var css = "/style/list.css", img = "/images/banner.png", page = "/zwgk/index.html";
  )JS";
  EXPECT_THAT(
      ScriptDataUrls(js),
      ElementsAre("/api/content/list?channelId=2041&pageNo=1&pageSize=15", "/json/news_list.json"));
}

// ---------------------------------------------------------------- fixtures

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> TruthRows(const rapidjson::Value& items) {
  std::vector<std::string> out;
  for (const auto& i : items.GetArray()) {
    out.push_back(absl::StrCat(i["title"].GetString(), " | ", i["href"].GetString(), " | ",
                               i["date"].GetString()));
  }
  return out;
}

// tests/fixtures/script: one page per form (README in the truth files' "form"), each
// extracted as a column page: exact items in order, where they were read, and the data
// URLs named; a page's data URL body (truth "data") gives exact items too.
TEST(ScriptListFixturesTest, EveryFormExtractsExactly) {
  const std::filesystem::path dir =
      std::filesystem::path(CENSUS_SOURCE_DIR) / "tests" / "fixtures" / "script";
  int pages = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".html") continue;
    ++pages;
    SCOPED_TRACE(e.path().filename().string());
    rapidjson::Document truth;
    const std::string truth_text = ReadFile(e.path().string() + ".truth.json");
    truth.Parse(truth_text.data(), truth_text.size());
    ASSERT_FALSE(truth.HasParseError());
    ExtractOptions options;
    options.base_url = truth["url"].GetString();
    options.column_page = true;
    ASSERT_TRUE(ParseCivilDay(truth["as_of"].GetString(), &options.as_of));
    absl::StatusOr<PageExtract> page = ExtractPage(ReadFile(e.path()), "text/html", options);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(Rows(page->items), TruthRows(truth["items"]));
    EXPECT_EQ(page->list_source, truth["list_source"].GetString());
    std::vector<std::string> urls;
    for (const auto& u : truth["list_data_urls"].GetArray()) urls.push_back(u.GetString());
    EXPECT_EQ(page->list_data_urls, urls);
    EXPECT_EQ(page->script_list, page->items.empty());
    if (truth.HasMember("data")) {
      const rapidjson::Value& data = truth["data"];
      absl::StatusOr<PageExtract> list = ExtractListData(ReadFile(dir / data["file"].GetString()),
                                                         data["content_type"].GetString(), options);
      ASSERT_TRUE(list.ok()) << list.status();
      EXPECT_EQ(Rows(list->items), TruthRows(data["items"]));
      EXPECT_EQ(list->list_source, "script");
    }
  }
  EXPECT_EQ(pages, 3);
}

TEST(ExtractListDataTest, JsonpAndRecordBodies) {
  ExtractOptions options;
  options.base_url = "http://scjg.example.gov.cn/xxgk/tzgg/index.html";
  options.as_of = absl::CivilDay(2026, 12, 4);
  const std::filesystem::path dir =
      std::filesystem::path(CENSUS_SOURCE_DIR) / "tests" / "fixtures" / "script";
  absl::StatusOr<PageExtract> jsonp =
      ExtractListData(ReadFile(dir / "jsonp_body.js"), "application/javascript", options);
  ASSERT_TRUE(jsonp.ok());
  EXPECT_THAT(
      Rows(jsonp->items),
      ElementsAre("市场监管局关于开展冬季食品安全抽检的通告 | "
                  "http://scjg.example.gov.cn/xxgk/tzgg/202612/t20261203_301.html | 2026-12-03",
                  "关于公布2026年第四批抽检结果的公告 | "
                  "http://scjg.example.gov.cn/xxgk/tzgg/202611/t20261118_288.html | 2026-11-18"));
  EXPECT_EQ(jsonp->latest_date, "2026-12-03");

  // A data-store proxy's answer (the records of page 2).
  absl::StatusOr<PageExtract> records = ExtractListData(
      "<datastore><recordset><record><![CDATA[<li><a href=\"/art/2026/11/2/art_1_9.html\">"
      "第二页的文章</a><span>2026-11-02</span></li>]]></record></recordset></datastore>",
      "text/xml;charset=UTF-8", options);
  ASSERT_TRUE(records.ok());
  EXPECT_THAT(
      Rows(records->items),
      ElementsAre(
          "第二页的文章 | http://scjg.example.gov.cn/art/2026/11/2/art_1_9.html | 2026-11-02"));
  EXPECT_EQ(records->list_source, "script");

  // Not data at all.
  absl::StatusOr<PageExtract> none = ExtractListData("{\"ok\":true}", "application/json", options);
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(none->items, IsEmpty());
  EXPECT_FALSE(ExtractListData("\x89PNG\r\n", "image/png", options).ok());
}

}  // namespace
}  // namespace census
