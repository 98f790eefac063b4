#include "serve/archive.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace census::serve {
namespace {

TEST(Timestamp, RoundTripsAndRefusesWhatIsNotATime) {
  int64_t ms = 0;
  ASSERT_TRUE(ParseTimestamp14("20261120093005", &ms));
  EXPECT_EQ(Timestamp14(ms), "20261120093005");
  EXPECT_EQ(Timestamp14(ms + 999), "20261120093005");
  EXPECT_FALSE(ParseTimestamp14("2026112009300", &ms));
  EXPECT_FALSE(ParseTimestamp14("20261320093005", &ms));  // month 13
  EXPECT_FALSE(ParseTimestamp14("20261131093005", &ms));  // 31 November
  EXPECT_FALSE(ParseTimestamp14("2026112009300x", &ms));
}

TEST(UrlHost, LowerCasesAndKeepsThePort) {
  EXPECT_EQ(UrlHost("http://WWW.Example.gov.cn:8080/a?b#c"), "www.example.gov.cn:8080");
  EXPECT_EQ(UrlHost("https://u:p@h.cn"), "h.cn");
  EXPECT_EQ(UrlHost("ftp://h.cn/"), "");
}

TEST(Percent, EncodesAndDecodes) {
  EXPECT_EQ(PercentEncode("http://h/a b?c=1&d"), "http%3A%2F%2Fh%2Fa%20b%3Fc%3D1%26d");
  EXPECT_EQ(PercentDecode(PercentEncode("站点/1?&=")), "站点/1?&=");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(QueryValue("page=2&url=http%3A%2F%2Fh%2F", "url"), "http://h/");
  EXPECT_EQ(QueryValue("page=2", "url"), "");
}

TEST(RewriteLinks, PointsThePagesOwnLinksIntoTheArchiveAndKeepsEveryOtherByte) {
  const std::string page =
      "<html><head><link rel=stylesheet href=/s.css><script>var a='<a href=\"/x\">';</script>"
      "</head><body><!-- <a href=\"/c\"> --><a href=\"list.html\">L</a> "
      "<A HREF='http://other.cn/p?a=1&amp;b=2'>O</A><a href=\"#top\">T</a>"
      "<a href=\"javascript:void(0)\">J</a><img src = \"../img/1.png\"><form action=\"/post\">"
      "</form></body></html>";
  const std::string out = RewriteLinks(page, "http://h.cn/dir/index.html", "/web/20261120093005/");
  EXPECT_EQ(out,
            "<html><head><link rel=stylesheet href=/web/20261120093005/http://h.cn/s.css>"
            "<script>var a='<a href=\"/x\">';</script></head><body><!-- <a href=\"/c\"> -->"
            "<a href=\"/web/20261120093005/http://h.cn/dir/list.html\">L</a> "
            "<A HREF='/web/20261120093005/http://other.cn/p?a=1&amp;b=2'>O</A>"
            "<a href=\"#top\">T</a><a href=\"javascript:void(0)\">J</a>"
            "<img src = \"/web/20261120093005/http://h.cn/img/1.png\">"
            "<form action=\"/web/20261120093005/http://h.cn/post\"></form></body></html>");
  EXPECT_EQ(RewriteLinks("no markup", "http://h.cn/", "/web/1/"), "no markup");
}

TEST(VisibleTextLines, KeepsWhatAReaderSees) {
  const std::string page =
      "<html><head><title>标题 &amp; T</title><style>p{}</style><script>x()</script></head>"
      "<body><p>第一行&nbsp; one</p><!-- hidden --><ul><li>2026-11-20 <a href=x>新闻</a></li>"
      "</ul><noscript>no</noscript>&#20013;</body></html>";
  EXPECT_EQ(VisibleTextLines(page, "text/html; charset=utf-8"),
            (std::vector<std::string>{"标题 & T", "第一行 one", "2026-11-20", "新闻", "中"}));
}

TEST(DiffLines, ListsTheLinesRemovedAndAdded) {
  const LineDiff d = DiffLines({"a", "b", "c", "d"}, {"a", "c", "e", "d"});
  EXPECT_EQ(d.removed, std::vector<std::string>{"b"});
  EXPECT_EQ(d.added, std::vector<std::string>{"e"});
  const LineDiff same = DiffLines({"a"}, {"a"});
  EXPECT_TRUE(same.removed.empty() && same.added.empty());
}

ListItem Item(const std::string& title, const std::string& href, const std::string& date) {
  ListItem item;
  item.set_title(title);
  item.set_href(href);
  item.set_date(date);
  return item;
}

TEST(DiffItems, MatchesByLinkAndShowsMovedDates) {
  PageObservation before, after;
  *before.add_items() = Item("A", "http://h/a", "2026-11-01");
  *before.add_items() = Item("B", "http://h/b", "2026-10-01");
  *before.add_items() = Item("C", "http://h/c", "2026-09-01");
  *after.add_items() = Item("N", "http://h/n", "2026-11-21");
  *after.add_items() = Item("A2", "http://h/a", "2026-11-01");
  *after.add_items() = Item("C", "http://h/c", "2026-11-21");
  const std::vector<ItemRow> rows = DiffItems(before, after);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].change, ItemRow::kAdded);
  EXPECT_EQ(rows[0].href, "http://h/n");
  EXPECT_EQ(rows[1].change, ItemRow::kRetitled);
  EXPECT_EQ(rows[1].old_title, "A");
  EXPECT_EQ(rows[2].change, ItemRow::kRemoved);
  EXPECT_EQ(rows[2].href, "http://h/b");
  EXPECT_EQ(rows[2].date_before, "2026-10-01");
  EXPECT_EQ(rows[3].change, ItemRow::kDateMoved);
  EXPECT_EQ(rows[3].date_before, "2026-09-01");
  EXPECT_EQ(rows[3].date_after, "2026-11-21");
}

}  // namespace
}  // namespace census::serve
