#include "worker/extract.h"

#include <random>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace census {
namespace {

ExtractOptions Options(const char* base, absl::CivilDay as_of = absl::CivilDay(2026, 11, 20)) {
  ExtractOptions o;
  o.base_url = base;
  o.as_of = as_of;
  return o;
}

PageExtract MustExtract(const std::string& html, const ExtractOptions& o) {
  absl::StatusOr<PageExtract> p = ExtractPage(html, "text/html; charset=utf-8", o);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : PageExtract();
}

TEST(ExtractPageTest, ListWithDatesAfterAndBeforeTitles) {
  const std::string html = R"(<html><head><title>通知公告</title></head><body>
    <div class="nav"><a href="/">首页</a><a href="/tzgg/">通知公告</a></div>
    <ul class="list">
      <li><a href="a1.html" title="关于开展第一项工作的通知">关于开展第一项工作的通知</a><span>2026-11-12</span></li>
      <li><a href="a2.html">关于第二项工作的公告</a><span>[2026-10-01]</span></li>
      <li><span>11-15</span><a href="a3.html">第三条</a></li>
    </ul>
    <div class="footer"><a href="http://www.gov.cn/">中国政府网</a> 2026-11-19</div>
    </body></html>)";
  PageExtract p = MustExtract(html, Options("http://www.x.gov.cn/tzgg/index.html"));
  EXPECT_EQ(p.kind, "list");
  EXPECT_EQ(p.title, "通知公告");
  ASSERT_EQ(p.items.size(), 3u);
  EXPECT_EQ(p.items[0].title, "关于开展第一项工作的通知");
  EXPECT_EQ(p.items[0].href, "http://www.x.gov.cn/tzgg/a1.html");
  EXPECT_EQ(p.items[0].date, "2026-11-12");
  EXPECT_EQ(p.items[1].date, "2026-10-01");
  EXPECT_EQ(p.items[1].date_raw, "[2026-10-01]");
  EXPECT_EQ(p.items[2].title, "第三条");
  EXPECT_EQ(p.items[2].date, "2026-11-15");
  EXPECT_EQ(p.latest_date, "2026-11-15");
  EXPECT_FALSE(p.blank_placeholder);
}

TEST(ExtractPageTest, ListInsideCommentAndHanwebScript) {
  const std::string html = R"(<html><body><ul class="l">
    <!-- <li><a href="/c/1.html">第一</a><b>2025-11-17</b></li>
         <li><a href="/c/2.html">第二</a><b>2025-11-05</b></li> -->
    </ul>
    <div id="hw"><script type="text/xml"><datastore><recordset>
      <record><![CDATA[<li><a href="/d/1.html">甲文章</a><span>2026-01-02</span></li>]]></record>
      <record><![CDATA[<li><a href="/d/2.html">乙文章</a><span>2026-01-01</span></li>]]></record>
    </recordset></datastore></script></div></body></html>)";
  PageExtract p = MustExtract(html, Options("https://h.gov.cn/c/"));
  ASSERT_EQ(p.items.size(), 4u);
  EXPECT_EQ(p.items[0].href, "https://h.gov.cn/c/1.html");
  EXPECT_EQ(p.items[0].date, "2025-11-17");
  EXPECT_EQ(p.items[2].title, "甲文章");
  EXPECT_EQ(p.items[2].href, "https://h.gov.cn/d/1.html");
  EXPECT_EQ(p.latest_date, "2026-01-02");
  // Commented-out links are not links readers can follow.
  for (const ExtractedLink& l : p.links) {
    EXPECT_FALSE(absl::StrContains(l.url, "/c/1.html")) << l.url;
  }
}

TEST(ExtractPageTest, JsonListInScript) {
  const std::string html = R"(<html><body><div id="list"></div><script>
    var data = [{"title":"新闻\u4e00","url":"/n/1.html","pubDate":"2026-11-01"},
                {"title":"新闻二","url":"/n/2.html","pubDate":"2026-11-03 10:00"}];
    </script></body></html>)";
  PageExtract p = MustExtract(html, Options("http://j.gov.cn/n/"));
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_EQ(p.items[0].title, "新闻一");
  EXPECT_EQ(p.items[0].href, "http://j.gov.cn/n/1.html");
  EXPECT_EQ(p.items[1].date, "2026-11-03");
  EXPECT_EQ(p.latest_date, "2026-11-03");
}

TEST(ExtractPageTest, ArticleVisibleDateBeatsMeta) {
  const std::string html = R"(<html><head><title>标题_网站</title>
    <meta name="PubDate" content="2026-03-27 09:36:38">
    <meta name="ArticleTitle" content="关于某事的通知"></head><body>
    <h1>关于某事的通知</h1><div class="info">发布时间：2025-02-26 11:54 来源：办公室</div>
    <div class="content"><p>2025年2月20日，召开会议。</p><p>发文日期：2025-02-20</p></div>
    <ul class="xg"><li><a href="/x.html">相关</a><span>2026-01-01</span></li></ul>
    </body></html>)";
  PageExtract p = MustExtract(html, Options("http://a.gov.cn/art/2025/1.html"));
  EXPECT_EQ(p.kind, "article");
  EXPECT_EQ(p.title, "关于某事的通知");
  EXPECT_EQ(p.publication_date, "2025-02-26");
  EXPECT_EQ(p.latest_date, "2025-02-26");
  EXPECT_TRUE(p.items.empty());
}

TEST(ExtractPageTest, ArticleMetaFallback) {
  const std::string html = R"(<html><head><title>公报</title>
    <meta name="PubDate" content="2023-05-16 12:34:05"></head><body>
    <table><tr><td>发文日期：2023-04-18</td></tr></table>
    <p>（2023年4月12日）</p><p>正文很长。</p></body></html>)";
  PageExtract p = MustExtract(html, Options(""));
  EXPECT_EQ(p.kind, "article");
  EXPECT_EQ(p.publication_date, "2023-05-16");
}

TEST(ExtractPageTest, HomepageNavColumnsAndHiddenLinks) {
  const std::string html = R"(<html><head><title>某市人民政府</title></head><body>
    <div class="nav"><a href="/">首页</a><a href="/zwdt/">政务动态</a>
      <a href="/tzgg/index.html">通知公告</a><a href="/zwdt/">政务动态</a>
      <a href="/jgsz/">机构设置</a></div>
    <div class="main"><a href="/ldxx/">领导信箱</a><a href="/zwdt/202611/t20261101_1.html">动态文章</a>
    <ul><li><a href="/zwdt/202611/a.html">甲</a><span>11-18</span></li>
        <li><a href="/zwdt/202611/b.html">乙</a><span>11-17</span></li></ul>
    <div style="display:none"><ul><li><a href="/tzgg/202611/c.html">丙</a><span>2026-11-19</span></li></ul></div>
    <a href="http://spam.example.com/" style="position:absolute;left:-9999px">广告</a>
    <a href="/files/a.PDF">附件</a>
    </div></body></html>)";
  PageExtract p = MustExtract(html, Options("http://www.city.gov.cn/"));
  EXPECT_EQ(p.kind, "home");
  ASSERT_EQ(p.items.size(), 3u);
  EXPECT_EQ(p.items[0].date, "2026-11-18");
  EXPECT_EQ(p.items[2].date, "2026-11-19");
  EXPECT_EQ(p.latest_date, "2026-11-19");
  ASSERT_EQ(p.nav_columns.size(), 4u);
  EXPECT_EQ(p.nav_columns[0].name, "政务动态");
  EXPECT_EQ(p.nav_columns[0].url, "http://www.city.gov.cn/zwdt/");
  EXPECT_EQ(p.nav_columns[0].category, NEWS);
  EXPECT_EQ(p.nav_columns[1].category, NOTICE);
  EXPECT_EQ(p.nav_columns[2].name, "机构设置");
  EXPECT_EQ(p.nav_columns[2].category, OTHER);
  EXPECT_EQ(p.nav_columns[3].name, "领导信箱");
  EXPECT_EQ(p.nav_columns[3].category, INTERACTION);
  bool saw_spam = false, saw_pdf = false;
  for (const ExtractedLink& l : p.links) {
    if (l.url == "http://spam.example.com/") {
      saw_spam = true;
      EXPECT_TRUE(l.hidden);
    } else if (l.url == "http://www.city.gov.cn/files/a.PDF") {
      saw_pdf = true;
      EXPECT_TRUE(l.attachment);
      EXPECT_FALSE(l.hidden);
    } else if (l.url == "http://www.city.gov.cn/zwdt/") {
      EXPECT_FALSE(l.hidden);
      EXPECT_FALSE(l.attachment);
    }
  }
  EXPECT_TRUE(saw_spam);
  EXPECT_TRUE(saw_pdf);
}

TEST(ExtractPageTest, BlankPlaceholder) {
  const std::string html = R"(<html><head><title>人事信息</title></head><body>
    <div class="nav"><a href="/">首页</a></div><div class="list">暂无信息</div></body></html>)";
  PageExtract p = MustExtract(html, Options("http://b.gov.cn/rsxx/"));
  EXPECT_TRUE(p.items.empty());
  EXPECT_TRUE(p.blank_placeholder);
  EXPECT_EQ(p.latest_date, "");
  EXPECT_EQ(p.text, "首页 暂无信息");
}

TEST(ExtractPageTest, ListXPath) {
  const std::string html = R"(<html><body><div class="x">
    <p class="row"><a href="/1.html">一</a> 发布于 2026/11/02</p>
    <p class="row"><a href="/2.html">二</a></p></div></body></html>)";
  ExtractOptions o = Options("http://x.gov.cn/");
  o.list_xpath = "//p[@class='row']";
  PageExtract p = MustExtract(html, o);
  ASSERT_EQ(p.items.size(), 2u);
  EXPECT_EQ(p.items[0].date, "2026-11-02");
  EXPECT_EQ(p.items[1].title, "二");
  EXPECT_EQ(p.items[1].date, "");
  EXPECT_EQ(p.latest_date, "2026-11-02");
}

TEST(ExtractPageTest, BinaryIsInvalidArgument) {
  const std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj";
  EXPECT_EQ(ExtractPage(pdf, "", {}).status().code(), absl::StatusCode::kInvalidArgument);
  std::string nuls(4096, '\0');
  EXPECT_EQ(ExtractPage(nuls, "text/html", {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExtractPage("<html></html>", "image/png", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<PageExtract> empty = ExtractPage("", "text/html", {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->kind, "other");
  EXPECT_TRUE(empty->items.empty());
}

TEST(ExtractPageTest, NeverCrashesOnRandomBytes) {
  std::mt19937 rng(42);
  const std::string alphabet = "<>/=\"' a-:[]!0123456789li&;#\xE5\xB9\xB4\n";
  for (int round = 0; round < 300; ++round) {
    std::string s;
    const int n = rng() % 2000;
    for (int i = 0; i < n; ++i) {
      s += round % 2 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    absl::StatusOr<PageExtract> p = ExtractPage(s, "", Options("http://r.gov.cn/"));
    if (p.ok()) {
      const std::string json = PageExtractToJson(*p);
      EXPECT_EQ(json.front(), '{');
    }
  }
}

TEST(PageExtractToJsonTest, Exact) {
  PageExtract p;
  p.charset = "utf-8";
  p.kind = "list";
  p.title = "标题 \"引号\"\\\n";
  p.items.push_back({"甲", "http://a/1", "2026-11-12", "[11-12]"});
  p.items.push_back({"乙", "http://a/2", "", "x"});
  p.latest_date = "2026-11-12";
  p.links.push_back({"http://a/1", "甲", false, false});
  p.links.push_back({"http://spam.example/", "x", true, false, "display:none"});
  p.links.push_back({"http://a/f.pdf", "", false, true});
  p.next_page_url = "http://a/index_1.htm";
  MailboxMessage m;
  m.set_title("问");
  m.set_href("http://a/m1");
  m.set_submitted("2026-11-01");
  m.set_answered(true);
  m.set_replied("2026-11-03");
  m.set_status_raw("已回复");
  p.messages.push_back(m);
  EXPECT_EQ(PageExtractToJson(p),
            "{\"charset\":\"utf-8\",\"kind\":\"list\",\"title\":\"标题 \\\"引号\\\"\\\\\\n\","
            "\"items\":[\n  {\"title\":\"甲\",\"href\":\"http://a/1\",\"date\":\"2026-11-12\","
            "\"date_raw\":\"[11-12]\"},\n  {\"title\":\"乙\",\"href\":\"http://a/2\","
            "\"date\":null,\"date_raw\":\"x\"}],\n\"latest_date\":\"2026-11-12\","
            "\"publication_date\":null,\"blank_placeholder\":false,\n\"nav_columns\":[],\n"
            "\"links\":[\n  \"http://a/1\",\n  \"http://spam.example/\",\n  \"http://a/f.pdf\"],\n"
            "\"hidden_links\":[\n  {\"url\":\"http://spam.example/\",\"text\":\"x\","
            "\"how\":\"display:none\"}],\n\"attachments\":[\n  \"http://a/f.pdf\"],\n"
            "\"next_page\":\"http://a/index_1.htm\",\n\"messages\":[\n  {\"title\":\"问\","
            "\"href\":\"http://a/m1\",\"submitted\":\"2026-11-01\",\"answered\":true,"
            "\"replied\":\"2026-11-03\",\"status\":\"已回复\"}]}\n");
}

}  // namespace
}  // namespace census

namespace census {
namespace {

TEST(ExtractPageTest, DeepNestingAndManyLinks) {
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "<div><span>";
  deep += "<a href='/x.html'>深</a><span>2026-11-01</span>";
  absl::StatusOr<PageExtract> p = ExtractPage(deep, "text/html", Options("http://d.gov.cn/"));
  ASSERT_TRUE(p.ok());

  std::string many = "<html><body><div>";
  for (int i = 0; i < 20000; ++i) {
    many += "<a href='/p" + std::to_string(i) + ".html'>链接标题</a> ";
  }
  many += "</div></body></html>";
  p = ExtractPage(many, "text/html", Options("http://d.gov.cn/"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->links.size(), 20000u);
  EXPECT_TRUE(p->items.empty());
}

}  // namespace
}  // namespace census

namespace census {
namespace {

TEST(ExtractPageTest, GbkPage) {
  // "通知" and "公告" in GBK.
  const std::string html =
      "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
      "charset=gb2312\"><title>\xCD\xA8\xD6\xAA</title></head><body><ul>"
      "<li><a href=\"1.htm\">\xB9\xAB\xB8\xE6</a><span>2026-11-01</span></li>"
      "<li><a href=\"2.htm\">\xCD\xA8\xD6\xAA</a><span>2026-11-02</span></li>"
      "</ul></body></html>";
  absl::StatusOr<PageExtract> p = ExtractPage(html, "text/html", Options("http://g.gov.cn/"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->charset, "gb18030");
  EXPECT_EQ(p->title, "通知");
  ASSERT_EQ(p->items.size(), 2u);
  EXPECT_EQ(p->items[0].title, "公告");
  EXPECT_EQ(p->items[1].href, "http://g.gov.cn/2.htm");
  EXPECT_EQ(p->latest_date, "2026-11-02");
}

}  // namespace
}  // namespace census
