// Pagers, mailbox lists, hidden links and attachments (ExtractPage).

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "worker/extract.h"
#include "worker/internal/list_finder.h"
#include "worker/internal/page_extras.h"

namespace census {
namespace {

ExtractOptions Options(const std::string& base) {
  ExtractOptions o;
  o.base_url = base;
  o.as_of = absl::CivilDay(2026, 11, 20);
  return o;
}

PageExtract Extract(const std::string& html, const std::string& base) {
  absl::StatusOr<PageExtract> p = ExtractPage(html, "text/html; charset=utf-8", Options(base));
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : PageExtract();
}

std::string Fixture(const std::string& name) {
  std::ifstream in(
      std::filesystem::path(CENSUS_SOURCE_DIR) / ".." / "shared" / "fixtures" / "real" / name,
      std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string List(int n) {
  std::string s = "<ul class='list'>";
  for (int i = 1; i <= n; ++i) {
    s += "<li><a href='t" + std::to_string(i) + ".htm'>第" + std::to_string(i) +
         "条新闻标题内容</a><span>2026-11-0" + std::to_string(i) + "</span></li>";
  }
  return s + "</ul>";
}

TEST(PagerTest, FixturesStaticAndScriptPagers) {
  PageExtract scio = Extract(Fixture("scio_gxyw_1.html"), "http://www.scio.gov.cn/gxyw/index.htm");
  EXPECT_EQ(scio.next_page_url, "http://www.scio.gov.cn/gxyw/index_1.htm");
  PageExtract jyt = Extract(Fixture("gansu-jyt_wjtz_1.html"),
                            "https://jyt.gansu.gov.cn/jyt/c107733/zwgklist.shtml");
  EXPECT_EQ(jyt.next_page_url, "https://jyt.gansu.gov.cn/jyt/c107733/zwgklist_1.shtml");
  PageExtract article =
      Extract(Fixture("govcn_article_1.html"), "http://www.gov.cn/zwgk/2007-08/20/content_1.htm");
  EXPECT_EQ(article.next_page_url, "");
}

TEST(PagerTest, SyntheticPagers) {
  const std::string base = "http://a.gov.cn/col/tzgg/index_2.html";
  EXPECT_EQ(
      Extract(List(4) + "<div class=page><a href='index_1.html'>上一页</a>"
                        "<a href='index_3.html'>下一页</a><a href='index_9.html'>尾页</a></div>",
              base)
          .next_page_url,
      "http://a.gov.cn/col/tzgg/index_3.html");
  EXPECT_EQ(Extract(List(4) + "<a href='?page=3'> 下页 &gt;&gt; </a>", base).next_page_url,
            "http://a.gov.cn/col/tzgg/index_2.html?page=3");
  EXPECT_EQ(Extract(List(4) + "<a href='list_3.html'>&gt;</a>", base).next_page_url,
            "http://a.gov.cn/col/tzgg/list_3.html");
  // Last page: 下一页 is a dead link.
  EXPECT_EQ(Extract(List(4) + "<a href='javascript:void(0)'>下一页</a>", base).next_page_url, "");
  // TRS 4-argument form, 0-based current page, variables.
  EXPECT_EQ(
      Extract(List(4) + "<script>var countPage = 5; var currentPage = 2;"
                        "createPageHTML(countPage, currentPage, \"index\", \"html\");</script>",
              base)
          .next_page_url,
      "http://a.gov.cn/col/tzgg/index_3.html");
  EXPECT_EQ(Extract(List(4) + "<script>createPageHTML(3, 2, 'index', 'html');</script>", base)
                .next_page_url,
            "");
  // 6-argument form on its last page; a definition is not a call.
  EXPECT_EQ(Extract(List(4) + "<script>function createPageHTML(a,b,c,d,e,f){}"
                              "createPageHTML('page_div',4, 4,'zwgklist','shtml',80);</script>",
                    base)
                .next_page_url,
            "");
}

TEST(MailboxTest, TableWithStatusColumn) {
  const std::string html =
      "<html><head><title>市长信箱</title></head><body><table class='xx'>"
      "<tr><th>标题</th><th>来信时间</th><th>办理状态</th><th>回复时间</th></tr>"
      "<tr><td><a href='/m/1.html'>关于小区停车难的问题</a></td><td>2026-10-01</td>"
      "<td>已回复</td><td>2026-10-05</td></tr>"
      "<tr><td><a href='/m/2.html'>咨询公积金提取</a></td><td>2026-10-08</td>"
      "<td>办理中</td><td></td></tr>"
      "<tr><td><a href='/m/3.html'>道路积水</a></td><td>2026-06-02</td>"
      "<td>已办结</td><td>2026-06-30</td></tr></table></body></html>";
  PageExtract p = Extract(html, "http://www.a.gov.cn/szxx/index.html");
  EXPECT_EQ(p.kind, "mailbox");
  ASSERT_EQ(p.messages.size(), 3u);
  EXPECT_EQ(p.messages[0].title(), "关于小区停车难的问题");
  EXPECT_EQ(p.messages[0].href(), "http://www.a.gov.cn/m/1.html");
  EXPECT_EQ(p.messages[0].submitted(), "2026-10-01");
  EXPECT_TRUE(p.messages[0].answered());
  EXPECT_EQ(p.messages[0].replied(), "2026-10-05");
  EXPECT_EQ(p.messages[0].status_raw(), "已回复");
  EXPECT_EQ(p.messages[1].submitted(), "2026-10-08");
  EXPECT_FALSE(p.messages[1].answered());
  EXPECT_EQ(p.messages[1].replied(), "");
  EXPECT_EQ(p.messages[1].status_raw(), "办理中");
  EXPECT_EQ(p.messages[2].status_raw(), "已办结");
  EXPECT_EQ(p.messages[2].replied(), "2026-06-30");
}

TEST(MailboxTest, MayHoldMailboxFindsStatusWordsAnywhere) {
  EXPECT_TRUE(internal::MayHoldMailbox("留言列表 已回复 2026-11-02"));
  EXPECT_TRUE(internal::MayHoldMailbox("来信时间：2026-11-02"));
  EXPECT_FALSE(internal::MayHoldMailbox("新闻动态 通知公告 2026-11-02"));
  // A stray lead byte makes the one pass step over the start of 已回复; the
  // word still counts.
  EXPECT_TRUE(internal::MayHoldMailbox("\xE5已回复"));
  EXPECT_FALSE(internal::MayHoldMailbox("\xE5已回"));
}

TEST(MailboxTest, ListItemsWithStatusMarkers) {
  const std::string html =
      "<html><body><ul class='lylist'>"
      "<li><a href='ly1.htm'>噪音扰民问题反映</a> <span>[已回复]</span> <em>2026-11-02</em></li>"
      "<li><a href='ly2.htm'>学校招生咨询</a> <span>[未回复]</span> <em>2026-11-10</em></li>"
      "<li><a href='ly3.htm'>供暖不达标</a> <span>[待回复]</span> <em>11-15</em></li>"
      "</ul></body></html>";
  PageExtract p = Extract(html, "http://www.b.gov.cn/hdjl/ly/index.html");
  EXPECT_EQ(p.kind, "mailbox");
  ASSERT_EQ(p.messages.size(), 3u);
  EXPECT_EQ(p.messages[0].href(), "http://www.b.gov.cn/hdjl/ly/ly1.htm");
  EXPECT_TRUE(p.messages[0].answered());
  EXPECT_EQ(p.messages[0].submitted(), "2026-11-02");
  EXPECT_FALSE(p.messages[1].answered());
  EXPECT_EQ(p.messages[1].status_raw(), "未回复");
  EXPECT_EQ(p.messages[2].submitted(), "2026-11-15");
  EXPECT_EQ(p.messages[2].status_raw(), "待回复");
}

TEST(MailboxTest, DetailBlocksWithLabelledDates) {
  const std::string html =
      "<html><body><div class='letters'>"
      "<div class='letter'><h3><a href='/x/1'>反映农村道路破损</a></h3>"
      "<p>来信时间：2026年09月03日</p><p>回复时间：2026年09月20日</p><p>状态：已答复</p></div>"
      "<div class='letter'><h3><a href='/x/2'>关于医保报销比例</a></h3>"
      "<p>留言时间：2026-11-11 10:20</p><p>状态：未办结</p></div>"
      "</div></body></html>";
  PageExtract p = Extract(html, "http://www.c.gov.cn/hdjl/xx/list.html");
  EXPECT_EQ(p.kind, "mailbox");
  ASSERT_EQ(p.messages.size(), 2u);
  EXPECT_EQ(p.messages[0].submitted(), "2026-09-03");
  EXPECT_EQ(p.messages[0].replied(), "2026-09-20");
  EXPECT_TRUE(p.messages[0].answered());
  EXPECT_EQ(p.messages[0].status_raw(), "已答复");
  EXPECT_EQ(p.messages[1].submitted(), "2026-11-11");
  EXPECT_EQ(p.messages[1].replied(), "");
  EXPECT_FALSE(p.messages[1].answered());
}

TEST(MailboxTest, NewsListsAreNotMailboxes) {
  PageExtract p = Extract("<html><body>" + List(5) + "</body></html>", "http://d.gov.cn/a/");
  EXPECT_EQ(p.kind, "list");
  EXPECT_TRUE(p.messages.empty());
}

const ExtractedLink* Link(const PageExtract& p, const std::string& url) {
  for (const ExtractedLink& l : p.links) {
    if (l.url == url) return &l;
  }
  return nullptr;
}

TEST(HiddenLinkTest, InlineStylesClassRulesAndAncestors) {
  const std::string html =
      "<html><head><style>.a1{color:red}\n .hid , #gone { display : none }\n"
      "div .ctx{display:none} .tiny{height:0;overflow:hidden}</style></head><body>"
      "<a href='http://v.example/'>visible</a>"
      "<div style='position:absolute; left:-9999px'><p><a "
      "href='http://s1.example/'>s1</a></p></div>"
      "<a href='http://s2.example/' style='font-size:0px'>s2</a>"
      "<span class='x hid'><a href='http://s3.example/'>s3</a></span>"
      "<div id='gone'><a href='http://s4.example/'>s4</a></div>"
      "<a href='http://s5.example/' hidden>s5</a>"
      "<div class='tiny'><a href='http://s6.example/'>s6</a></div>"
      "<p style='text-indent:-9999px'><a href='http://s7.example/'>s7</a></p>"
      "<span style='visibility:hidden'><a href='http://s8.example/'>s8</a></span>"
      "<span class='ctx'><a href='http://c.example/'>descendant rule not applied</a></span>"
      "<a href='http://both.example/' style='display:none'>x</a>"
      "<a href='http://both.example/'>shown too</a>"
      "</body></html>";
  PageExtract p = Extract(html, "http://e.gov.cn/");
  const std::pair<const char*, const char*> expect[] = {
      {"http://v.example/", ""},
      {"http://s1.example/", "off-screen"},
      {"http://s2.example/", "font-size:0"},
      {"http://s3.example/", "style rule .hid: display:none"},
      {"http://s4.example/", "style rule #gone: display:none"},
      {"http://s5.example/", "hidden attribute"},
      {"http://s6.example/", "style rule .tiny: tiny box"},
      {"http://s7.example/", "text-indent off-screen"},
      {"http://s8.example/", "visibility:hidden"},
      {"http://c.example/", ""},
      {"http://both.example/", ""},
  };
  for (const auto& [url, how] : expect) {
    const ExtractedLink* l = Link(p, url);
    ASSERT_NE(l, nullptr) << url;
    EXPECT_EQ(l->hidden_how, how) << url;
    EXPECT_EQ(l->hidden, std::string(how) != "") << url;
  }
}

// The link walk runs before comments and scripts are expanded, the list finder
// after; an anchor holding such a comment gets its title again (AnchorTitles).
TEST(ListTest, ItemTitleSeesMarkupExpandedInsideItsAnchor) {
  const std::string html =
      "<html><body><ul>"
      "<li><a href='/a/1.html'>第一条新闻标题<!-- <li><a href='/x/9.html'>注释标题</a> "
      "<span>2026-10-09</span></li> --></a> <span>2026-10-01</span></li>"
      "<li><a href='/a/2.html'>第二条新闻标题</a> <span>2026-10-02</span></li>"
      "</ul></body></html>";
  PageExtract p = Extract(html, "http://www.c.gov.cn/xw/index.html");
  ASSERT_FALSE(p.items.empty());
  EXPECT_EQ(p.items[0].title, "第一条新闻标题 注释标题");
  ASSERT_FALSE(p.links.empty());
  EXPECT_EQ(p.links[0].text, "第一条新闻标题");
}

TEST(ListTest, MoreLinks) {
  EXPECT_TRUE(internal::IsMoreLink("更多>>"));
  EXPECT_TRUE(internal::IsMoreLink("  More>> "));
  EXPECT_TRUE(internal::IsMoreLink("【详情】"));
  EXPECT_TRUE(internal::IsMoreLink("12"));
  EXPECT_TRUE(internal::IsMoreLink("12345678901234567890"));  // long, but a number
  EXPECT_FALSE(internal::IsMoreLink("关于开展2026年度安全生产检查的通知"));
  EXPECT_FALSE(internal::IsMoreLink("更多关于开展安全生产检查的通知"));  // over 8 characters
  EXPECT_FALSE(internal::IsMoreLink(""));
}

TEST(AttachmentTest, ExtensionsFlagged) {
  std::string html = "<html><body>";
  const char* files[] = {"a.doc", "b.DOCX", "c.pdf",  "d.xls", "e.xlsx", "f.zip", "g.rar",
                         "h.wps", "i.ppt",  "j.pptx", "k.txt", "l.et",   "m.ofd", "n.pdf?v=2"};
  for (const char* f : files) html += std::string("<a href='/files/") + f + "'>附件</a>";
  html += "<a href='/files/o.html'>page</a><a href='/files/pdf/'>dir</a></body></html>";
  PageExtract p = Extract(html, "http://f.gov.cn/");
  int attachments = 0;
  for (const ExtractedLink& l : p.links) attachments += l.attachment;
  EXPECT_EQ(attachments, 14);
  EXPECT_FALSE(Link(p, "http://f.gov.cn/files/o.html")->attachment);
  EXPECT_FALSE(Link(p, "http://f.gov.cn/files/pdf/")->attachment);
  EXPECT_TRUE(Link(p, "http://f.gov.cn/files/n.pdf?v=2")->attachment);
  const std::string json = PageExtractToJson(p);
  EXPECT_NE(json.find("\"attachments\":[\n  \"http://f.gov.cn/files/a.doc\""), std::string::npos);
}

}  // namespace
}  // namespace census
