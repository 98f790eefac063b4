// HELD-OUT CMS families (docs/SIMWEB.md): a provincial govcms and a Kaipu-style
// site-group platform. Written once and frozen: the census's column rules were not
// tuned on these pages, and a change to the census is never judged by editing them.
// They only measure (`simweb score`, tests/e2e_score_test.cc).

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "simweb/family_markup.h"

namespace census::simweb {
namespace {

std::string GovcmsColumn(const Site&, int, const Column& c) {
  return absl::StrCat("/zwgk/", c.slug, "/index.shtml");
}

std::string GovcmsArticle(const Site&, const Column& c, const Item& item) {
  return absl::StrFormat("/zwgk/%s/content_%d.shtml", c.slug, item.id);
}

std::string KaipuColumn(const Site&, int ci, const Column&) {
  return absl::StrCat("/site/tpl/", 5100 + ci, "/list.html");
}

std::string KaipuArticle(const Site&, const Column&, const Item& item) {
  const absl::CivilMinute t = item.path_time;
  return absl::StrFormat("/site/info/%04d/%d.html", t.year(), item.id);
}

}  // namespace

const FamilyMarkup& GovcmsMarkup() {
  static const FamilyMarkup m = {
      GovcmsColumn,
      GovcmsArticle,
      false,
      "<div id=\"mainNav\"><dl class=\"nav-dl\"><dd><a href=\"/\">网站首页</a></dd>\n",
      "</dl></div>\n",
      "<dd><a href=\"{href}\">{name}</a></dd>\n",
      "<dd class=\"more-dd\"><span class=\"nav-txt\">{name}</span><div class=\"erji\">",
      "<p><a href=\"{href}\">{name}</a></p>",
      "</div></dd>\n",
      "<div class=\"news_list\">\n",
      "<dl><dt><a href=\"{href}\" target=\"_blank\">{title}</a></dt><dd>{date}</dd></dl>\n",
      "</div>\n",
      DateFormat::kChinese,
      "<div class=\"news_list\"><ul>\n",
      "<li><em>{date}</em><a href=\"{href}\" target=\"_blank\">{title}</a></li>\n",
      "</ul></div>\n",
      DateFormat::kDot,
      false,
      "<div class=\"news_list\"><ul></ul><p class=\"nodata\"></p></div>\n",
      "<div class=\"bk\"><div class=\"bk-t\"><b>{name}</b><i><a "
      "href=\"{more}\">&gt;&gt;</a></i></div>"
      "<ul class=\"bk-list\">\n",
      "</ul></div>\n",
      "<div class=\"hot\"><marquee>\n",
      "<a href=\"{href}\">{title}</a>\n",
      "</marquee></div>\n",
      "<div class=\"special\"><h4>{name}</h4><p>\n",
      "<a href=\"{href}\" title=\"{name}\"><img src=\"/images/logo.png\" alt=\"{name}\"></a>\n",
      "</p></div>\n",
      "<table class=\"banner-table\" width=\"100%\"><tr><td><img src=\"/images/logo.png\"></td>"
      "<td class=\"sitename\">{site}</td></tr></table>\n",
      "<table width=\"100%\" class=\"copy\"><tr><td>{site}主办 网站标识码{id} "
      "建议使用1024×768分辨率浏览</td></tr></table>\n",
      "<div class=\"crumbs\">您的位置：<a href=\"/\">网站首页</a>{crumbs}</div>\n",
      "<div class=\"col-side\"><h5>{name}</h5>\n",
      "<p><a href=\"{href}\">{name}</a></p>\n",
      "</div>\n",
      "<div class=\"con-page\"><div class=\"con-title\">{name}</div><div class=\"con-text\">{text}"
      "</div></div>\n",
      "<div class=\"xl\"><div class=\"xl-title\">{title}</div><div class=\"xl-info\"><span>"
      "信息来源：{source}</span><span>发布日期：{date}</span></div><div class=\"xl-text\">{body}"
      "</div></div>\n",
  };
  return m;
}

const FamilyMarkup& KaipuMarkup() {
  static const FamilyMarkup m = {
      KaipuColumn,
      KaipuArticle,
      false,
      "<div class=\"g-nav\"><div class=\"w1200\"><a class=\"nav-home\" href=\"/\">首页</a>\n",
      "</div></div>\n",
      "<div class=\"nav-item\"><a class=\"nav-a\" href=\"{href}\">{name}</a></div>\n",
      "<div class=\"nav-item\"><a class=\"nav-a\" href=\"javascript:void(0);\">{name}</a><div "
      "class=\"nav-drop\"><ul>",
      "<li><a href=\"{href}\">{name}</a></li>",
      "</ul></div></div>\n",
      "<div class=\"doc-list\"><table class=\"list-table\"><tbody>\n",
      "<tr><td class=\"title\"><a href=\"{href}\" title=\"{title}\">{title}</a></td>"
      "<td class=\"time\">[{date}]</td></tr>\n",
      "</tbody></table></div>\n",
      DateFormat::kIso,
      "<div class=\"doc-list\"><ul class=\"doc-ul\">\n",
      "<li><a href=\"{href}\">{title}</a><span class=\"time\">{date}</span></li>\n",
      "</ul></div>\n",
      DateFormat::kDateTime,
      false,
      "<div class=\"doc-list\"><table class=\"list-table\"><tbody></tbody></table></div>\n",
      "<div class=\"m-box\"><div class=\"m-hd\"><a class=\"m-title\" "
      "href=\"javascript:;\">{name}</a><a class=\"m-more\" href=\"{more}\" "
      "target=\"_blank\">+</a></div><ul class=\"m-list\">\n",
      "</ul></div>\n",
      "<div class=\"slider\"><div class=\"slider-items\">\n",
      "<div class=\"slider-item\"><a href=\"{href}\"><span>{title}</span></a></div>\n",
      "</div></div>\n",
      "<div class=\"m-special\"><div class=\"m-hd\"><span>{name}</span></div><ul>\n",
      "<li><a href=\"{href}\" target=\"_blank\">{name}</a></li>\n",
      "</ul></div>\n",
      "<div class=\"g-header\"><div class=\"w1200\"><img src=\"/images/logo.png\" "
      "alt=\"{site}\"></div></div>\n",
      "<div class=\"g-footer\"><div class=\"w1200\"><p>主办单位：{site} "
      "网站标识码：{id}</p><p>技术支持：开普云</p></div></div>\n",
      "<div class=\"m-crumb\">当前位置：<a href=\"/\">首页</a>{crumbs}</div>\n",
      "<div class=\"m-aside\"><div class=\"aside-hd\">{name}</div><ul class=\"aside-list\">\n",
      "<li><a href=\"{href}\">{name}</a></li>\n",
      "</ul></div>\n",
      "<div class=\"m-article\"><h2>{name}</h2><div class=\"m-content\">{text}</div></div>\n",
      "<div class=\"m-article\"><h1>{title}</h1><div class=\"m-meta\">时间：{date} &nbsp; "
      "来源：{source}</div><div class=\"m-content\">{body}</div></div>\n",
  };
  return m;
}

}  // namespace census::simweb
