// Column pages and column discovery on markup of CMS families the census was not
// written against (issue 16; docs/COLUMNS.md): short lists, static pages, empty
// pages, article URLs, "more" links, submenus, topic blocks and link collections.

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "worker/extract.h"

namespace census {
namespace {

constexpr char kColumnUrl[] = "http://www.hf.gov.cn/col/col7602/index.html";

PageExtract ExtractColumn(const std::string& body,
                          const std::string& title = "通知公告_恒丰县人民政府") {
  ExtractOptions o;
  o.base_url = kColumnUrl;
  o.as_of = absl::CivilDay(2026, 12, 1);
  o.column_page = true;
  const std::string html =
      absl::StrCat("<html><head><meta charset=\"utf-8\"><title>", title, "</title></head><body>\n",
                   "<div class=\"nav\"><a href=\"/\">首页</a><a "
                   "href=\"/col/col7601/index.html\">政务动态</a></div>\n",
                   body,
                   "\n<div class=\"footer\">版权所有：恒丰县人民政府 网站标识码：4202020001 "
                   "发布时间：2026-11-30</div></body></html>");
  absl::StatusOr<PageExtract> p = ExtractPage(html, "text/html; charset=utf-8", o);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : PageExtract();
}

int OwnChars(const PageExtract& p) {
  int n = 0;
  for (const ContentLine& l : p.content_lines) n += std::abs(l.chars);
  return n;
}

// Class 3 of the issue: 1-7 dated rows are a list, whatever the footer says.
TEST(ColumnPageTest, OneDatedTableRowIsAList) {
  PageExtract p = ExtractColumn(
      "<div class=\"position\">当前位置：<a href=\"/\">首页</a> &gt; <a "
      "href=\"javascript:;\">政务公开</a>"
      " &gt; 通知公告</div>\n<table class=\"tb\"><tr><td class=\"bt\"><a "
      "href=\"/art/2026/11/25/art_7602_123456.html\">关于开展森林防火检查的通知</a></td>"
      "<td class=\"rq\">2026/11/25</td></tr></table>");
  EXPECT_EQ(p.kind, "list");
  ASSERT_EQ(p.items.size(), 1u);
  EXPECT_EQ(p.items[0].date, "2026-11-25");
  EXPECT_EQ(p.latest_date, "2026-11-25");
  EXPECT_EQ(p.publication_date, "");
  EXPECT_EQ(absl::StrJoin(p.breadcrumb, "|"), "政务公开|通知公告");
  // Only the item's link: the breadcrumb, the heading and the footer are chrome.
  EXPECT_EQ(OwnChars(p), 13);
}

TEST(ColumnPageTest, ThreeItemListWithSpanDates) {
  PageExtract p = ExtractColumn(
      "<div class=\"main\"><h2>通知公告</h2><ul>"
      "<li><a "
      "href=\"./202611/t20261101_1.html\">关于印发某某办法的通知</a><span>2026-11-01</span></li>"
      "<li><a href=\"./202610/t20261001_2.html\">关于某某的意见</a><span>2026-10-01</span></li>"
      "<li><a href=\"./202609/t20260901_3.html\">某某实施方案</a><span>2026-09-01</span></li>"
      "</ul></div>");
  EXPECT_EQ(p.kind, "list");
  EXPECT_EQ(p.items.size(), 3u);
  EXPECT_EQ(p.latest_date, "2026-11-01");
}

// Without the column hint a lone row beside a labelled date reads as an article, as
// before: the hint is what a census knows about the page.
TEST(ColumnPageTest, TheHintDecides) {
  ExtractOptions o;
  o.base_url = kColumnUrl;
  o.as_of = absl::CivilDay(2026, 12, 1);
  const std::string html =
      "<html><head><title>通知公告</title></head><body><table><tr><td><a "
      "href=\"/art/2026/11/25/art_1_2.html\">关于开展检查的通知</a></td><td>2026/11/25</td></tr>"
      "</table><p>发布时间：2026-11-30</p></body></html>";
  absl::StatusOr<PageExtract> plain = ExtractPage(html, "", o);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->kind, "article");
  o.column_page = true;
  absl::StatusOr<PageExtract> column = ExtractPage(html, "", o);
  ASSERT_TRUE(column.ok());
  EXPECT_EQ(column->kind, "list");
  EXPECT_EQ(column->items.size(), 1u);
}

// Class 2: a static page has text of its own; an empty one has none.
TEST(ColumnPageTest, StaticPageHasOwnTextEmptyPageHasNone) {
  PageExtract intro = ExtractColumn(
      "<div class=\"position\">当前位置：首页 &gt; 机构概况</div><div "
      "class=\"content\"><h1>机构概况</h1>"
      "<p>恒丰县人民政府办公室是县人民政府的办事机构，负责协助县政府领导处理县政府日常工作。</p>"
      "<p>内设机构：秘书股、综合股、督查股。</p></div>",
      "机构概况_恒丰县人民政府");
  EXPECT_NE(intro.kind, "list");
  EXPECT_TRUE(intro.items.empty());
  EXPECT_EQ(intro.content_lines.size(), 2u);  // the heading is the <title>'s
  EXPECT_EQ(OwnChars(intro), 39 + 13);

  PageExtract empty = ExtractColumn(
      "<div class=\"position\">当前位置：首页 &gt; 人事信息</div><h2>人事信息</h2>"
      "<div class=\"list\"><ul></ul></div><div class=\"page\">共0条 第1/1页</div>",
      "人事信息_恒丰县人民政府");
  EXPECT_TRUE(empty.items.empty());
  EXPECT_FALSE(empty.blank_placeholder);
  EXPECT_EQ(OwnChars(empty), 0);
  EXPECT_FALSE(empty.script_list);

  // A page of undated links (领导信息) is content too.
  PageExtract leaders = ExtractColumn(
      "<div class=\"ld\"><ul><li><a href=\"/ld/zhang.html\">张三</a></li>"
      "<li><a href=\"/ld/li.html\">李四</a></li></ul></div>",
      "领导信息_恒丰县人民政府");
  EXPECT_EQ(OwnChars(leaders), 4);
  ASSERT_EQ(leaders.content_lines.size(), 2u);
  EXPECT_NE(leaders.content_lines[0].hash, leaders.content_lines[1].hash);
  EXPECT_EQ(leaders.content_lines[0].chars, -2);  // links: the count negated
}

TEST(ColumnPageTest, ScriptBuiltListIsMarked) {
  PageExtract p = ExtractColumn(
      "<div id=\"list\"></div><script>$.ajax({url:'/api/list?channel=12&page=1'});</script>");
  EXPECT_TRUE(p.items.empty());
  EXPECT_TRUE(p.script_list);
  // A library loaded from a file says nothing about this page's list.
  PageExtract q = ExtractColumn("<div id=\"list\"></div><script src=\"/js/jquery.js\"></script>");
  EXPECT_FALSE(q.script_list);
  // A visit counter is not a list.
  PageExtract counter = ExtractColumn(
      "<ul class=\"list\"></ul><script>$.get('/counter?id=1', function(n){$('#pv').text(n);});"
      "</script>");
  EXPECT_FALSE(counter.script_list);
  // Records the page renders itself, and a client-side template.
  PageExtract records = ExtractColumn(
      "<ul id=\"art\"></ul><script>var listData = {articleList: [{t: 'a', pubDate: '2026-11-20 "
      "09:30'}, {t: 'b', pubDate: '2026-11-02 10:00'}]};</script>");
  EXPECT_TRUE(records.script_list);
  PageExtract templated = ExtractColumn(
      "<ul id=\"art\"></ul><script "
      "type=\"text/x-handlebars-template\"><li>{{title}}</li></script>");
  EXPECT_TRUE(templated.script_list);
}

// Some CMSs put an ArticleTitle meta on list pages: a short list stays a list.
TEST(ColumnPageTest, ArticleTitleMetaOnAListPage) {
  ExtractOptions o;
  o.base_url = kColumnUrl;
  o.as_of = absl::CivilDay(2026, 12, 1);
  o.column_page = true;
  absl::StatusOr<PageExtract> p = ExtractPage(
      "<html><head><meta name=\"ArticleTitle\" content=\"通知公告\"><title>通知公告</title></head>"
      "<body><ul><li><a href=\"/art/2026/11/2/art_1_1.html\">关于开展检查的通知</a>"
      "<span>2026-11-02</span></li></ul></body></html>",
      "", o);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, "list");
  EXPECT_EQ(p->items.size(), 1u);
}

TEST(ColumnPageTest, ArticleLeasedAsColumnStaysAnArticle) {
  std::string body = "<h1>关于某某工作的通知</h1><p>发布时间：2026-11-02 来源：县政府办</p><div>";
  for (int i = 0; i < 20; ++i)
    body += "<p>各乡镇人民政府，县直各单位：现将有关事项通知如下，请认真贯彻执行。</p>";
  body += "</div>";
  PageExtract p = ExtractColumn(body, "关于某某工作的通知_恒丰县人民政府");
  EXPECT_EQ(p.kind, "article");
  EXPECT_EQ(p.publication_date, "2026-11-02");
}

std::vector<std::string> Discovered(const std::string& body) {
  ExtractOptions o;
  o.base_url = "http://www.hf.gov.cn/";
  o.as_of = absl::CivilDay(2026, 12, 1);
  absl::StatusOr<PageExtract> p =
      ExtractPage(absl::StrCat("<html><body>", body, "</body></html>"), "", o);
  EXPECT_TRUE(p.ok());
  std::vector<std::string> out;
  for (const NavColumn& c : p->nav_columns) {
    out.push_back(absl::StrCat(c.via, " ", CategoryName(c.category), " ", c.name,
                               c.parent.empty() ? "" : absl::StrCat(" <", c.parent, ">"), " ",
                               c.url.substr(std::string("http://www.hf.gov.cn").size())));
  }
  return out;
}

// Class 1: headline links to articles are never columns, whatever their text says.
TEST(ColumnDiscoveryTest, ArticlesAreNotColumns) {
  EXPECT_TRUE(
      Discovered(
          "<div class=\"news\"><ul>"
          "<li><a href=\"/art/2026/10/8/art_7607_1.html\">关于防汛的通知</a></li>"
          "<li><a href=\"/zwgk/content_12345.html\">政策文件解读</a></li>"
          "<li><a href=\"/xxgk/tzgg/202610/t20261008_123456.html\">通知公告</a></li>"
          "<li><a href=\"/a/news/2026/1008/123.html\">工作动态</a></li>"
          "<li><a href=\"/news/show.asp?id=77\">要闻</a></li>"
          "<li><a href=\"/info/1015/4213.htm\">通知</a></li>"
          "<li><a href=\"/xwzx/gzdt/a.html\">县长主持召开动态会议</a><span>2026-11-30</span></li>"
          "</ul></div>")
          .empty());
}

TEST(ColumnDiscoveryTest, NavSubmenuMoreAndBlocks) {
  const std::vector<std::string> got = Discovered(
      "<div class=\"nav\"><ul>"
      "<li><a href=\"/col/col1/index.html\">机构概况</a></li>"
      "<li><a href=\"javascript:;\">政务公开</a><ul class=\"sub\">"
      "<li><a href=\"/col/col2/index.html\">通知公告</a></li>"
      "<li><a href=\"/col/col3/index.html\">人事信息</a></li></ul></li>"
      "</ul></div>"
      "<div class=\"box\"><div class=\"hd\"><span>乡镇动态</span><a class=\"more\" "
      "href=\"/col/col4/index.html\">更多&gt;&gt;</a></div><ul>"
      "<li><a "
      "href=\"/art/2026/11/1/art_4_1.html\">某镇开展活动</a><span>2026-11-01</span></li></ul></div>"
      "<div class=\"zt\"><dl><dt>专题专栏</dt><dd><a "
      "href=\"/col/col5/index.html\">森林防火</a></dd>"
      "<dd><a href=\"/col/col6/index.html\">安全生产</a></dd></dl></div>"
      "<div class=\"yq\"><h3>友情链接</h3><ul><li><a "
      "href=\"/col/col9/index.html\">政务服务网</a></li>"
      "</ul></div>");
  EXPECT_EQ(absl::StrJoin(got, "\n"),
            "nav other 机构概况 /col/col1/index.html\n"
            "submenu notice 通知公告 <政务公开> /col/col2/index.html\n"
            "submenu personnel 人事信息 <政务公开> /col/col3/index.html\n"
            "more news 乡镇动态 /col/col4/index.html\n"
            "block topic 森林防火 <专题专栏> /col/col5/index.html\n"
            "block topic 安全生产 <专题专栏> /col/col6/index.html");
}

// A box headed by a category's name makes its short links columns of that category,
// whatever their own names say (a sidebar 新闻中心 ▸ 部门工作).
TEST(ColumnDiscoveryTest, HeadedBoxNamesItsLinks) {
  EXPECT_EQ(absl::StrJoin(Discovered("<div class=\"left\"><h3>新闻中心</h3><ul>"
                                     "<li><a href=\"/col/col7/index.html\">部门工作</a></li>"
                                     "</ul></div><div><h3>其他</h3><ul><li><a "
                                     "href=\"/col/col8/index.html\">部门工作</a></li></ul></div>"),
                          "\n"),
            "named news 部门工作 <新闻中心> /col/col7/index.html");
}

TEST(ClassifyColumnTest, ParentsDecideForSections) {
  EXPECT_EQ(ClassifyColumn("森林防火", {"专题专栏"}), TOPIC);
  EXPECT_EQ(ClassifyColumn("工作动态", {"专题专栏", "扫黑除恶"}), TOPIC);
  EXPECT_EQ(ClassifyColumn("办事指南", {}), SERVICE);
  EXPECT_EQ(ClassifyColumn("个人办事", {"办事服务"}), SERVICE);
  EXPECT_EQ(ClassifyColumn("教育", {"办事服务"}), SERVICE);
  EXPECT_EQ(ClassifyColumn("通知公告", {"政务公开"}), NOTICE);
  EXPECT_EQ(ClassifyColumn("乡镇", {"新闻中心"}), NEWS);
  EXPECT_EQ(ClassifyColumn("机构概况", {"政务公开"}), OTHER);
  EXPECT_EQ(ClassifyColumnName("政策问答"), POLICY);
  EXPECT_EQ(ClassifyColumnName("文件解读"), POLICY);
  EXPECT_EQ(ClassifyColumnName("政务信息"), NEWS);
}

}  // namespace
}  // namespace census
