// The four CMS families the census's column rules were tuned on (docs/SIMWEB.md):
// Hanweb (大汉) with plain and data-store lists, TRS (拓尔思 WCM) and DedeCMS (织梦).
// Shapes follow public sites of each family: URL schemes, navigation with a
// `javascript:;` / `#` parent and its submenu, list markup and date forms.

#include "simweb/family_markup.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace census::simweb {
namespace {

std::string HanwebColumn(const Site&, int ci, const Column&) {
  return absl::StrCat("/col/col", 7600 + ci, "/index.html");
}

// /art/2026/11/8/art_7603_310004.html (month and day unpadded, as Hanweb writes them).
std::string HanwebArticle(const Site&, const Column& c, const Item& item) {
  const absl::CivilMinute t = item.path_time;
  const std::string col = c.path.substr(8, c.path.find('/', 8) - 8);  // "/col/col7603/..."
  return absl::StrCat("/art/", t.year(), "/", t.month(), "/", t.day(), "/art_", col, "_", item.id,
                      ".html");
}

std::string TrsColumn(const Site&, int, const Column& c) {
  return absl::StrCat("/xxgk/", c.slug, "/");
}

std::string TrsArticle(const Site&, const Column& c, const Item& item) {
  const absl::CivilMinute t = item.path_time;
  return absl::StrFormat("/xxgk/%s/%04d%02d/t%04d%02d%02d_%d.html", c.slug, t.year(), t.month(),
                         t.year(), t.month(), t.day(), item.id);
}

std::string DedeColumn(const Site&, int, const Column& c) {
  return absl::StrCat("/a/", c.slug, "/");
}

std::string DedeArticle(const Site&, const Column& c, const Item& item) {
  const absl::CivilMinute t = item.path_time;
  return absl::StrFormat("/a/%s/%04d/%02d%02d/%d.html", c.slug, t.year(), t.month(), t.day(),
                         item.id);
}

constexpr char kHanwebHeader[] =
    "<div class=\"top\"><div class=\"top-con\"><span>今天是<script>document.write(new "
    "Date().toLocaleDateString())</script></span><a href=\"/\">设为首页</a></div></div>\n"
    "<div class=\"head\"><div class=\"logo\"><img src=\"/images/logo.png\" alt=\"{site}\">"
    "</div><div class=\"search\"><form action=\"/jsearch/search.do\"><input name=\"q\">"
    "<input type=\"submit\" value=\"搜索\"></form></div></div>\n";
constexpr char kHanwebFooter[] =
    "<div class=\"bottom\"><div class=\"bottom-con\"><p>主办：{site}办公室 承办：{site}大数据中心"
    "</p><p>网站标识码：{id} 地址：人民路1号 电话：0790-1234567</p></div></div>\n";

}  // namespace

const FamilyMarkup& HanwebMarkup() {
  static const FamilyMarkup m = {
      HanwebColumn,
      HanwebArticle,
      false,
      "<div class=\"nav\"><ul class=\"nav-ul\"><li><a href=\"/\">首页</a></li>\n",
      "</ul></div>\n",
      "<li><a href=\"{href}\" target=\"_blank\">{name}</a></li>\n",
      "<li class=\"has-sub\"><a href=\"javascript:;\">{name}</a><div class=\"sub-nav\" "
      "style=\"display:none\">",
      "<a href=\"{href}\">{name}</a>",
      "</div></li>\n",
      "<div class=\"default_pgContainer\"><ul class=\"list-ul\">\n",
      "<li><a href=\"{href}\" target=\"_blank\" title=\"{title}\">{title}</a>"
      "<span class=\"bt-data-time\">{date}</span></li>\n",
      "</ul></div>\n",
      DateFormat::kIso,
      "<table class=\"tb\" width=\"100%\">\n",
      "<tr><td class=\"bt\"><a href=\"{href}\" target=\"_blank\">{title}</a></td>"
      "<td class=\"rq\">{date}</td></tr>\n",
      "</table>\n",
      DateFormat::kSlash,
      false,
      "<div class=\"default_pgContainer\"><ul class=\"list-ul\"></ul></div>\n",
      "<div class=\"box\"><div class=\"box-hd\"><span class=\"box-tit\">{name}</span>"
      "<a class=\"more\" href=\"{more}\">更多&gt;&gt;</a></div><div class=\"box-bd\">\n",
      "</div></div>\n",
      "<div class=\"focus\"><ul class=\"focus-list\">\n",
      "<li><a href=\"{href}\" target=\"_blank\"><img src=\"/images/logo.png\"><p>{title}</p></a>"
      "</li>\n",
      "</ul></div>\n",
      "<div class=\"zt\"><div class=\"zt-hd\"><h3>{name}</h3></div><ul class=\"zt-list\">\n",
      "<li><a href=\"{href}\" target=\"_blank\">{name}</a></li>\n",
      "</ul></div>\n",
      kHanwebHeader,
      kHanwebFooter,
      "<div class=\"dqwz\">当前位置：<a href=\"/\">首页</a>{crumbs}</div>\n",
      "<div class=\"left-side\"><div class=\"side-tit\">{name}</div><ul class=\"side-list\">\n",
      "<li><a href=\"{href}\">{name}</a></li>\n",
      "</ul></div>\n",
      "<div class=\"main-txt\"><div class=\"main-tit\">{name}</div><div class=\"main-con\">"
      "{text}</div></div>\n",
      "<div class=\"article\"><h1 class=\"title\">{title}</h1><div class=\"info\">发布日期："
      "{date} 来源：{source}</div><div class=\"art-con\" id=\"zoom\">{body}</div></div>\n",
  };
  return m;
}

const FamilyMarkup& HanwebDatastoreMarkup() {
  static const FamilyMarkup m = [] {
    FamilyMarkup d = HanwebMarkup();
    d.datastore = true;
    d.list_open =
        "<div id=\"4456\"><script type=\"text/xml\"><datastore><nextgroup><![CDATA["
        "]]></nextgroup><recordset>\n";
    d.list_item =
        "<record><![CDATA[\n<li><a href=\"{href}\" target=\"_blank\" title=\"{title}\">{title}"
        "</a><span>{date}</span></li>\n]]></record>\n";
    d.list_close =
        "</recordset></datastore></script><script "
        "language=\"javascript\">var currpage=1;</script></div>\n";
    d.short_open = d.list_open;
    d.short_item = d.list_item;
    d.short_close = d.list_close;
    d.short_date = DateFormat::kIso;
    d.empty_list =
        "<div id=\"4456\"><script type=\"text/xml\"><datastore><nextgroup><![CDATA[]]>"
        "</nextgroup><recordset></recordset></datastore></script></div>\n";
    return d;
  }();
  return m;
}

const FamilyMarkup& TrsMarkup() {
  static const FamilyMarkup m = {
      TrsColumn,
      TrsArticle,
      true,
      "<div class=\"menu\"><ul><li class=\"first\"><a href=\"/\">首页</a></li>\n",
      "</ul></div>\n",
      "<li><a href=\"{href}\">{name}</a></li>\n",
      "<li><a href=\"javascript:void(0)\">{name}</a><ul class=\"second\">",
      "<li><a href=\"{href}\">{name}</a></li>",
      "</ul></li>\n",
      "<div class=\"list_con\"><ul class=\"list\">\n",
      "<li><span class=\"date\">{date}</span><a href=\"{href}\" target=\"_blank\" "
      "title=\"{title}\">{title}</a></li>\n",
      "</ul><div class=\"fy\"><script>createPageHTML(1, 0, \"index\", \"html\");</script></div>"
      "</div>\n",
      DateFormat::kIso,
      "<div class=\"list_con\"><ul class=\"list\">\n",
      "<li><a href=\"{href}\" target=\"_blank\">{title}</a><span>{date}</span></li>\n",
      "</ul></div>\n",
      DateFormat::kIso,
      false,
      "<div class=\"list_con\"><ul class=\"list\">\n</ul></div>\n",
      "<div class=\"news-box\"><div class=\"news-hd\"><h2>{name}</h2><a href=\"{more}\" "
      "class=\"more\">more+</a></div>\n",
      "</div>\n",
      "<div class=\"toutiao\">\n",
      "<h1><a href=\"{href}\" target=\"_blank\">{title}</a></h1>\n",
      "</div>\n",
      "<div class=\"ztzl\"><div class=\"ztzl-tit\">{name}</div>\n",
      "<a href=\"{href}\" class=\"zt-a\">{name}</a>\n",
      "</div>\n",
      "<div class=\"header\"><h1>{site}</h1></div>\n",
      "<div class=\"footer\"><p>{site} 版权所有 网站标识码：{id}</p><p>技术支持：拓尔思</p>"
      "</div>\n",
      "<div class=\"location\">您现在的位置：<a href=\"/\">首页</a>{crumbs}</div>\n",
      "<div class=\"sub-left\"><h3>{name}</h3><ul>\n",
      "<li><a href=\"{href}\">{name}</a></li>\n",
      "</ul></div>\n",
      "<div class=\"TRS_Editor\"><h2>{name}</h2>{text}</div>\n",
      "<div class=\"detail\"><h2>{title}</h2><p class=\"laiyuan\">来源：{source} "
      "发布时间：{date}</p><div class=\"TRS_Editor\">{body}</div></div>\n",
  };
  return m;
}

namespace {

FamilyMarkup DedeCmsBase() {
  return {
      DedeColumn,
      DedeArticle,
      false,
      "<div class=\"header\"><div class=\"module\"><ul id=\"navmenu\"><li class=\"hover\"><a "
      "href=\"/\">主页</a></li>\n",
      "</ul></div></div>\n",
      "<li><a href=\"{href}\" rel=\"dropmenu1\">{name}</a></li>\n",
      "<li><a href=\"#\">{name}</a><ul class=\"dropmenu\">",
      "<li><a href=\"{href}\">{name}</a></li>",
      "</ul></li>\n",
      "<div class=\"listbox\"><ul class=\"e2\">\n",
      "<li><a href=\"{href}\" class=\"title\">{title}</a><span class=\"info\"><small>日期："
      "</small>{date}</span></li>\n",
      "</ul></div>\n",  // the pager (共 N 页) is the renderer's: it knows the pages
      DateFormat::kIso,
      "<div class=\"listbox\"><table class=\"tb\">\n",
      "<tr><td class=\"bt\"><a href=\"{href}\">{title}</a></td><td class=\"rq\">{date}</td></tr>\n",
      "</table></div>\n",
      DateFormat::kSlash,
      false,
      "<div class=\"listbox\"><ul class=\"e2\">\n</ul></div>\n",
      "<div class=\"pright\"><div class=\"titlebar\"><h3>{name}</h3><span class=\"more\"><a "
      "href=\"{more}\">更多</a></span></div><div class=\"infos_userinfo\"><ul class=\"c1 ico2\">\n",
      "</ul></div></div>\n",
      "<div class=\"flashnews\"><ul>\n",
      "<li><a href=\"{href}\">{title}</a></li>\n",
      "</ul></div>\n",
      "<div class=\"pright\"><dl class=\"tbox\"><dt><strong>{name}</strong></dt><dd><ul "
      "class=\"d1\">\n",
      "<li><a href=\"{href}\">{name}</a></li>\n",
      "</ul></dd></dl></div>\n",
      "<div class=\"top\"><div class=\"title\"><h2>{site}</h2></div></div>\n",
      "<div class=\"footer w960 center mt1 clear\"><div class=\"footer_body\"><p "
      "class=\"powered\">Powered by DedeCMS {site} {id}</p></div></div>\n",
      "<div class=\"place\"><strong>当前位置:</strong> <a href=\"/\">主页</a>{crumbs}</div>\n",
      "<div class=\"pright\"><dl class=\"tbox\"><dt><strong>{name}</strong></dt><dd><ul "
      "class=\"d6\">\n",
      "<li><a href=\"{href}\">{name}</a></li>\n",
      "</ul></dd></dl></div>\n",
      "<div class=\"viewbox\"><div class=\"title\"><h2>{name}</h2></div><div class=\"content\">"
      "{text}</div></div>\n",
      "<div class=\"viewbox\"><div class=\"title\"><h2>{title}</h2></div><div class=\"info\">"
      "<small>时间:</small>{date}<small>来源:</small>{source}</div><div class=\"content\">{body}"
      "</div></div>\n",
  };
}

}  // namespace

const FamilyMarkup& DedeCmsMarkup() {
  static const FamilyMarkup m = [] {
    FamilyMarkup d = DedeCmsBase();
    d.yearless_blocks = true;  // {dede:arclist} with MyDate('m-d', ...)
    return d;
  }();
  return m;
}

}  // namespace census::simweb
