// Family sites' pages (FamilyPage), drawn on the fly from the family's markup
// (family_markup.cc, family_heldout.cc) and the site's model (family_sites.cc). See
// family_web.h and docs/SIMWEB.md.
//
// Pages: the homepage (headline strip of article links, dated blocks with 更多, the
// 办事服务 and 专题专栏 sections), column pages (breadcrumb, section sidebar, a list in
// the family's long or short form, the family's empty form or 暂无信息, or a static
// text), page 2 of long lists on families that paginate (TRS index_1.html, DedeCMS
// list_<tid>_2.html), articles (title, date, 来源, body, attachments of notices and
// policies), the attachments (.pdf, .doc), leaders' pages.

#include "simweb/family_web.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "simweb/family_markup.h"

namespace census::simweb {

const FamilyMarkup& MarkupOf(Family f) {
  switch (f) {
    case Family::kHanweb:
      return HanwebMarkup();
    case Family::kHanwebDatastore:
      return HanwebDatastoreMarkup();
    case Family::kTrs:
      return TrsMarkup();
    case Family::kDedeCms:
      return DedeCmsMarkup();
    case Family::kGovcms:
      return GovcmsMarkup();
    case Family::kListData:
      return ListDataMarkup();
    case Family::kDataUrl:
      return DataUrlMarkup();
    case Family::kEncodedList:
      return EncodedListMarkup();
    case Family::kKaipu:
    case Family::kClassic:
      break;
  }
  return KaipuMarkup();
}

namespace {

std::string Fill(const char* tpl,
                 std::initializer_list<std::pair<absl::string_view, absl::string_view>> v) {
  std::vector<std::pair<const absl::string_view, absl::string_view>> pairs(v.begin(), v.end());
  return absl::StrReplaceAll(tpl, pairs);
}

std::string Esc(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

}  // namespace

std::string FamilyArticlePath(const Site& site, const Column& column, const Item& item) {
  return MarkupOf(site.family).article_path(site, column, item);
}

namespace {

// Attachments of an article (notices and policies): beside it, as TRS writes them
// (P0 + date + id). The first is a .pdf, the second (policies) a .doc.
std::string AttachmentPath(const Site& s, const Column& c, const Item& item, int k) {
  const std::string article = FamilyArticlePath(s, c, item);
  const absl::CivilMinute t = item.path_time;
  return absl::StrFormat("%sP0%04d%02d%02d%d_%d.%s", article.substr(0, article.rfind('/') + 1),
                         t.year(), t.month(), t.day(), item.id, k, k == 1 ? "pdf" : "doc");
}

int Attachments(const Column& c) {
  return c.category == Category::kPolicy ? 2 : c.category == Category::kNotice ? 1 : 0;
}

// Page 2 of a long list, on the families that paginate ("" none).
std::string SecondPagePath(const Site& s, size_t ci) {
  const Column& c = s.columns[ci];
  if (c.items.size() <= static_cast<size_t>(kFamilyPageRows)) return "";
  if (s.family == Family::kTrs) return absl::StrCat(c.path, "index_1.html");
  if (s.family == Family::kDedeCms) return absl::StrCat(c.path, "list_", ci + 1, "_2.html");
  return "";
}

std::string ItemHref(const Site& s, const FamilyMarkup& m, const Column& c, const Item& item,
                     bool column_page) {
  const std::string path = FamilyArticlePath(s, c, item);
  if (column_page && m.relative_items && absl::StartsWith(path, c.path)) {
    return absl::StrCat("./", path.substr(c.path.size()));
  }
  return path;
}

// Rows [begin, end) of `c`: the short form on a column page of 1-7 items.
std::string Items(const Site& s, const FamilyMarkup& m, const Column& c, size_t begin, size_t end,
                  bool column_page) {
  const bool short_form = column_page && c.items.size() <= 7;
  std::string out = short_form ? m.short_open : m.list_open;
  for (size_t k = begin; k < end && k < c.items.size(); ++k) {
    const Item& item = c.items[k];
    const DateFormat form = short_form                          ? m.short_date
                            : !column_page && m.yearless_blocks ? DateFormat::kYearless
                                                                : m.list_date;
    const std::string date = FormatItemDate(item.time, form);
    const std::string href = ItemHref(s, m, c, item, column_page);
    const std::string title = Esc(item.title);
    out += Fill(short_form ? m.short_item : m.list_item,
                {{"{href}", href}, {"{title}", title}, {"{date}", date}});
  }
  out += short_form ? m.short_close : m.list_close;
  return out;
}

// A page: head (with `meta`: the national site metadata of a column or an article),
// header, navigation, `main`, footer.
std::string Page(const Site& s, const FamilyMarkup& m, const std::string& title,
                 const std::string& main, const std::string& meta = "") {
  const char* charset = s.gbk ? "<meta http-equiv=\"Content-Type\" content=\"text/html; "
                                "charset=gb2312\">"
                              : "<meta charset=\"utf-8\">";
  std::string h = absl::StrCat("<!DOCTYPE html>\n<html><head>", charset, "<title>", Esc(title),
                               "</title><meta name=\"SiteName\" content=\"", Esc(s.name),
                               "\"><meta name=\"SiteIDCode\" "
                               "content=\"",
                               s.site_id, "\">", meta,
                               "<link rel=\"stylesheet\" href=\"/css/style.css\"></head>\n<body>\n",
                               Fill(m.header, {{"{site}", Esc(s.name)}}), m.nav_open);
  bool in_parent = false;
  std::string parent;
  for (const Column& c : s.columns) {
    if (c.found_via != "nav" && c.found_via != "submenu") continue;
    if (in_parent && c.parent != parent) {
      h += m.nav_parent_close;
      in_parent = false;
    }
    if (c.found_via == "submenu" && !in_parent) {
      h += Fill(m.nav_parent_open, {{"{name}", c.parent}});
      in_parent = true;
      parent = c.parent;
    }
    h += Fill(c.found_via == "submenu" ? m.nav_sub_item : m.nav_item,
              {{"{href}", c.path}, {"{name}", c.name}});
  }
  if (in_parent) h += m.nav_parent_close;
  absl::StrAppend(&h, m.nav_close, main,
                  Fill(m.footer, {{"{site}", Esc(s.name)}, {"{id}", s.site_id}}),
                  "</body></html>\n");
  return h;
}

const Column* BySlug(const Site& s, absl::string_view slug) {
  for (const Column& c : s.columns) {
    if (c.slug == slug) return &c;
  }
  return nullptr;
}

std::string Home(const Site& s, const FamilyMarkup& m) {
  std::string main = m.headline_open;
  const Column* news = BySlug(s, "gzdt");
  for (size_t k = 0; news != nullptr && k < 3 && k < news->items.size(); ++k) {
    main += Fill(m.headline_item, {{"{href}", FamilyArticlePath(s, *news, news->items[k])},
                                   {"{title}", Esc(news->items[k].title)}});
  }
  // Headlines whose short text names a column (通知公告, 政策文件, 工作动态) still link
  // articles: an article is never a column.
  for (const char* slug : {"tzgg", "zcwj", "gzdt"}) {
    const Column* c = BySlug(s, slug);
    const size_t k = absl::string_view(slug) == "gzdt" ? 3 : 0;
    if (c == nullptr || c->items.size() <= k) continue;
    main += Fill(m.headline_item,
                 {{"{href}", FamilyArticlePath(s, *c, c->items[k])}, {"{title}", c->name}});
  }
  main += m.headline_close;
  for (const HomeBlock& b : s.home_blocks) {
    const Column& c = s.columns[static_cast<size_t>(b.column)];
    main += Fill(m.block_open, {{"{name}", c.name}, {"{more}", c.path}});
    main += Items(s, m, c, 0, 5, false);
    main += m.block_close;
  }
  for (const char* section : {"办事服务", "专题专栏"}) {
    main += Fill(m.section_open, {{"{name}", section}});
    for (const Column& c : s.columns) {
      if (c.parent == section)
        main += Fill(m.section_item, {{"{href}", c.path}, {"{name}", c.name}});
    }
    main += m.section_close;
  }
  return Page(s, m, s.name, main);
}

// A column's page; `page` 2 is the rest of a long list on families that paginate.
std::string ColumnPage(const Site& s, const FamilyMarkup& m, size_t ci, int page) {
  const Column& c = s.columns[ci];
  std::string crumbs;
  if (!c.parent.empty())
    absl::StrAppend(&crumbs, " &gt; <a href=\"javascript:;\">", c.parent, "</a>");
  absl::StrAppend(&crumbs, " &gt; <span>", c.name, "</span>");
  std::string main = Fill(m.crumb, {{"{crumbs}", crumbs}});
  // The sidebar: the column's section (the sidebar-only column is linked from 工作动态's).
  const std::string section =
      c.found_via == "sidebar" || c.slug == "gzdt" ? kNewsSection : c.parent;
  if (!section.empty()) {
    main += Fill(m.side_open, {{"{name}", section}});
    for (const Column& other : s.columns) {
      const bool in_section =
          other.parent == section || (section == kNewsSection && other.slug == "gzdt");
      if (in_section) main += Fill(m.side_item, {{"{href}", other.path}, {"{name}", other.name}});
    }
    main += m.side_close;
  }
  const std::string second = SecondPagePath(s, ci);
  if (c.kind == Column::Kind::kStatic) {
    main += Fill(m.static_page, {{"{name}", c.name}, {"{text}", c.text}});
  } else if (m.script_list != nullptr) {
    main += m.script_list(s, c, ci);
  } else if (c.items.empty()) {
    main += c.says_no_info ? "<div class=\"nodata\"><p>暂无信息</p></div>\n" : m.empty_list;
  } else if (second.empty()) {
    main += Items(s, m, c, 0, c.items.size(), true);
    if (s.family == Family::kDedeCms && c.items.size() > 7) {
      main +=
          "<div class=\"dede_pages\"><ul class=\"pagelist\"><li><span class=\"pageinfo\">共 "
          "<strong>1</strong>页</span></li></ul></div>\n";
    }
  } else {
    const size_t rows = static_cast<size_t>(kFamilyPageRows);
    main += page == 2 ? Items(s, m, c, rows, c.items.size(), true) : Items(s, m, c, 0, rows, true);
    const std::string file = second.substr(second.rfind('/') + 1);
    if (s.family == Family::kTrs) {  // the pager is written by script, as TRS does
      absl::StrAppend(&main, "<div class=\"page\"><script>createPageHTML(2, ", page - 1,
                      ", \"index\", \"html\");</script></div>\n");
    } else if (page == 1) {
      absl::StrAppend(&main,
                      "<div class=\"dede_pages\"><ul class=\"pagelist\"><li><a>首页</a></li><li "
                      "class=\"thisclass\"><a>1</a></li><li><a href='",
                      file, "'>2</a></li><li><a href='", file,
                      "'>下一页</a></li><li><span class=\"pageinfo\">共 <strong>2</strong>页"
                      "</span></li></ul></div>\n");
    } else {
      absl::StrAppend(&main,
                      "<div class=\"dede_pages\"><ul class=\"pagelist\"><li><a href='./'>首页"
                      "</a></li><li><a href='./'>上一页</a></li><li class=\"thisclass\"><a>2</a>"
                      "</li></ul></div>\n");
    }
  }
  for (const PlantedTerm& p : s.planted_terms) {
    if (p.column == static_cast<int>(ci) && page == 1) {
      absl::StrAppend(&main, "<p class=\"fj\">附件：<a href=\"/files/", c.slug, "-1.pdf\">", p.term,
                      "整治工作方案.pdf</a></p>\n");
    }
  }
  return Page(s, m, absl::StrCat(c.name, "_", s.name), main,
              absl::StrCat("<meta name=\"ColumnName\" content=\"", c.name,
                           "\"><meta name=\"ColumnType\" content=\"",
                           c.parent.empty() ? c.name : c.parent, "\">"));
}

std::string Article(const Site& s, const FamilyMarkup& m, const Column& c, const Item& item) {
  std::string body;
  for (int p = 0; p < 6; ++p) {
    absl::StrAppend(&body, "<p>", Esc(item.title),
                    "。会议要求，各地各部门要高度重视，压实责任，"
                    "确保各项工作落到实处，切实提升群众满意度。</p>");
  }
  if (!item.body_term.empty()) {
    absl::StrAppend(&body, "<p>", item.body_term, "</p>");
  }
  for (int k = 1; k <= Attachments(c); ++k) {
    const std::string href = AttachmentPath(s, c, item, k);
    absl::StrAppend(&body, "<p class=\"fj\">附件", k, "：<a href=\"", href, "\">",
                    k == 1 ? Esc(item.title) : "申报表", k == 1 ? ".pdf" : ".doc", "</a></p>");
  }
  std::string crumbs = absl::StrCat(" &gt; <a href=\"", c.path, "\">", c.name, "</a> &gt; 正文");
  const std::string main =
      absl::StrCat(Fill(m.crumb, {{"{crumbs}", crumbs}}),
                   Fill(m.article, {{"{title}", Esc(item.title)},
                                    {"{date}", FormatItemDate(item.time, DateFormat::kDateTime)},
                                    {"{source}", Esc(s.org)},
                                    {"{body}", body}}));
  const std::string meta = absl::StrCat(
      "<meta name=\"ColumnName\" content=\"", c.name, "\"><meta name=\"ArticleTitle\" content=\"",
      Esc(item.title), "\"><meta name=\"PubDate\" content=\"",
      FormatItemDate(item.time, DateFormat::kDateTime),
      "\"><meta name=\"ContentSource\" content=\"", Esc(s.org), "\">");
  return Page(s, m, absl::StrCat(item.title, "_", s.name), main, meta);
}

}  // namespace

bool FamilyPage(const Web& web, const Site& s, absl::string_view path, absl::string_view query,
                int* status, std::string* body, std::string* content_type) {
  (void)web;
  const FamilyMarkup& m = MarkupOf(s.family);
  if (m.data_endpoint != nullptr && m.data_endpoint(s, path, query, status, body, content_type)) {
    return true;
  }
  *status = 200;
  if (path == "/" || path == "/index.html" || path == "/index.shtml") {
    *body = Home(s, m);
    return true;
  }
  for (size_t ci = 0; ci < s.columns.size(); ++ci) {
    const Column& c = s.columns[ci];
    if (path == c.path ||
        (absl::EndsWith(c.path, "/") && path == absl::StrCat(c.path, "index.html"))) {
      *body = ColumnPage(s, m, ci, 1);
      return true;
    }
    const std::string second = SecondPagePath(s, ci);
    if (!second.empty() && path == second) {
      *body = ColumnPage(s, m, ci, 2);
      return true;
    }
    for (const Item& item : c.items) {
      if (path == FamilyArticlePath(s, c, item)) {
        *body = Article(s, m, c, item);
        return true;
      }
      for (int k = 1; k <= Attachments(c); ++k) {
        if (path == AttachmentPath(s, c, item, k)) {
          *body = k == 1 ? "%PDF-1.4 simulated attachment\n" : "simulated document\n";
          *content_type = k == 1 ? "application/pdf" : "application/msword";
          return true;
        }
      }
    }
    if (path == absl::StrCat("/files/", c.slug, "-1.pdf")) {
      *body = "%PDF-1.4 simulated attachment\n";
      *content_type = "application/pdf";
      return true;
    }
  }
  for (int k = 1; k <= kFamilyLeaderPages; ++k) {
    if (path == absl::StrCat("/ld/", k, ".html")) {
      *body = Page(s, m, absl::StrCat(kFamilyLeaders[k - 1], "_", s.name),
                   absl::StrCat("<div class=\"leader\"><h2>", kFamilyLeaders[k - 1],
                                "</h2><p>负责政府全面工作。</p></div>"));
      return true;
    }
  }
  return false;
}

}  // namespace census::simweb
