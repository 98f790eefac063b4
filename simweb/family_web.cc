// Family sites: their columns and planted findings (MakeFamilySite) and every page
// drawn from the family's markup (FamilyPage). See family_web.h and docs/SIMWEB.md.

#include "simweb/family_web.h"

#include <random>
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
    case Family::kKaipu:
    case Family::kClassic:
      break;
  }
  return KaipuMarkup();
}

namespace {

// mt19937_64 with our own modulo mapping, one draw a statement (site_model.h).
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  int Uniform(int lo, int hi) {
    return hi <= lo ? lo : lo + static_cast<int>(g_() % static_cast<uint64_t>(hi - lo + 1));
  }

 private:
  std::mt19937_64 g_;
};

// The columns every family site has, in navigation order (docs/SIMWEB.md).
struct Spec {
  const char* name;
  const char* slug;
  Category category;
  Column::Kind kind;
  const char* via;
  const char* parent;
  bool short_list;  // 1-7 rows in the family's short-list markup
};
constexpr Spec kSpecs[] = {
    {"机构概况", "jggk", Category::kOther, Column::Kind::kStatic, "nav", "", false},
    {"领导信息", "ldxx", Category::kOther, Column::Kind::kStatic, "nav", "", false},
    {"工作动态", "gzdt", Category::kNews, Column::Kind::kList, "nav", "", false},
    {"通知公告", "tzgg", Category::kNotice, Column::Kind::kList, "submenu", "政务公开", true},
    {"政策文件", "zcwj", Category::kPolicy, Column::Kind::kList, "submenu", "政务公开", true},
    {"人事信息", "rsxx", Category::kPersonnel, Column::Kind::kList, "submenu", "政务公开", true},
    {"规划计划", "ghjh", Category::kPlan, Column::Kind::kList, "submenu", "政务公开", true},
    {"统计数据", "tjsj", Category::kOther, Column::Kind::kStatic, "submenu", "政务公开", false},
    {"乡镇动态", "xzdt", Category::kNews, Column::Kind::kList, "more", "", false},
    {"部门动态", "bmdt", Category::kNews, Column::Kind::kList, "sidebar", "新闻中心", false},
    {"办事指南", "bszn", Category::kService, Column::Kind::kList, "block", "办事服务", true},
    {"森林防火", "slfh", Category::kTopic, Column::Kind::kList, "block", "专题专栏", true},
    {"安全生产", "aqsc", Category::kTopic, Column::Kind::kList, "block", "专题专栏", true},
    {"联系我们", "lxwm", Category::kOther, Column::Kind::kStatic, "nav", "", false},
};
constexpr int kWorkNews = 2, kNotice = 3, kPolicy = 4, kPersonnel = 5, kPlan = 6;
constexpr int kTownNews = 8, kDeptNews = 9, kForest = 11, kSafety = 12;
constexpr int kPeople = 3;  // leaders on 领导信息

constexpr const char* kTopics[] = {"安全生产", "乡村振兴", "营商环境", "防汛抗旱", "森林防火",
                                   "医疗保障", "就业创业", "城乡建设", "食品安全", "民生实事"};
constexpr const char* kLeaders[] = {"张建国", "李明辉", "王芳", "赵华", "陈伟"};

std::string ItemTitle(Rng& r, const Spec& spec, const std::string& place) {
  const std::string topic = kTopics[r.Uniform(0, 9)];
  switch (spec.category) {
    case Category::kNews:
      return absl::StrCat(place, "召开", topic, "工作推进会");
    case Category::kNotice:
      return absl::StrCat("关于做好", topic, "工作的通知");
    case Category::kPolicy:
      return absl::StrCat("关于印发", topic, "实施办法的通知");
    case Category::kPersonnel:
      return absl::StrCat(place, "关于", kLeaders[r.Uniform(0, 4)], "同志任职的通知");
    case Category::kPlan:
      return absl::StrCat(place, topic, "三年行动计划");
    case Category::kService:
      return absl::StrCat(topic, "事项办事指南");
    default:
      return absl::StrCat(spec.name, "：", topic, "工作进展");
  }
}

// Newest item's age in days when fresh (inside every window) or stale (outside it).
int NewestAge(Rng& r, Category c, bool stale) {
  switch (c) {
    case Category::kNews:
      return stale ? r.Uniform(20, 60) : r.Uniform(0, 4);
    case Category::kNotice:
    case Category::kPolicy:
      return stale ? r.Uniform(215, 360) : r.Uniform(3, 90);
    case Category::kPersonnel:
    case Category::kPlan:
      return stale ? r.Uniform(400, 520) : r.Uniform(10, 170);
    default:
      return r.Uniform(1, 90);
  }
}

std::string StaticText(const Spec& spec, const Site& s) {
  if (std::string(spec.slug) == "ldxx") {
    std::string t = "<ul class=\"leaders\">";
    for (int k = 0; k < kPeople; ++k) {
      absl::StrAppend(&t, "<li><a href=\"/ld/", k + 1, ".html\">", kLeaders[k], "</a></li>");
    }
    return t + "</ul>";
  }
  if (std::string(spec.slug) == "lxwm") {
    return "<p>地址：人民路1号行政中心</p><p>电话：0790-1234567 邮编：336000</p>";
  }
  if (std::string(spec.slug) == "tjsj") {
    return absl::StrCat("<p>", s.name,
                        "统计数据按月发布，包括地区生产总值、固定资产投资、社会消费品零售总额等主要"
                        "经济指标，数据来源于县统计局。</p>");
  }
  return absl::StrCat(
      "<p>", s.name,
      "办公室是政府的办事机构，负责协助政府领导处理日常工作，督促检查各部门和下级"
      "政府对上级文件的贯彻落实情况。</p><p>内设机构：秘书科、综合科、督查科。</p>");
}

std::string Fill(const char* tpl,
                 std::initializer_list<std::pair<absl::string_view, absl::string_view>> v) {
  std::vector<std::pair<const absl::string_view, absl::string_view>> pairs(v.begin(), v.end());
  return absl::StrReplaceAll(tpl, pairs);
}

std::string Esc(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

}  // namespace

void MakeFamilySite(const WebOptions& o, Family f, Site* s) {
  const FamilyMarkup& m = MarkupOf(f);
  Rng r(o.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(s->index) * 0x100000001B3ULL + 0xFA);
  s->family = f;
  s->scenario = Scenario::kHealthy;
  s->gbk = false;
  s->charset_in_header = true;
  s->navigation_only = false;
  s->columns.clear();
  s->home_blocks.clear();
  s->broken_links.clear();
  s->hidden_links.clear();
  s->planted_terms.clear();
  s->has_forged_date = false;
  // Site i of a family web is round i / families: its type decides what it plants.
  const int round = s->index / static_cast<int>(std::max<size_t>(1, o.families.size()));
  const int type = round % 5;  // 0 pass, 1 blank, 2 stale, 3 pass (1-row lists), 4 home stale
  const absl::CivilDay today = o.as_of + o.day;
  const std::string place = s->name.substr(0, s->name.find("人民政府"));
  for (size_t ci = 0; ci < std::size(kSpecs); ++ci) {
    const Spec& spec = kSpecs[ci];
    Column c;
    c.name = spec.name;
    c.slug = spec.slug;
    c.category = spec.category;
    c.kind = spec.kind;
    c.found_via = spec.via;
    c.parent = spec.parent;
    c.path = m.column_path(*s, static_cast<int>(ci), c);
    if (c.kind == Column::Kind::kStatic) {
      c.text = StaticText(spec, *s);
      s->columns.push_back(std::move(c));
      continue;
    }
    const int i = static_cast<int>(ci);
    bool blank = (type == 1 && (i == kPersonnel || i == kPlan || i == kDeptNews || i == kForest ||
                                i == kSafety)) ||
                 (type == 3 && i == kPlan);
    bool stale = (type == 2 && (i == kTownNews || i == kDeptNews || i == kNotice || i == kPolicy ||
                                i == kPersonnel)) ||
                 (type == 4 && (i == kWorkNews || i == kNotice || i == kTownNews));
    const int draw = r.Uniform(0, 99);        // drawn for every list column: same stream either way
    if (type == 0 && draw < 8) stale = true;  // an occasional stale column on a passing site
    if (blank) {
      c.says_no_info = r.Uniform(0, 1) == 0;
      s->columns.push_back(std::move(c));
      continue;
    }
    int n = spec.short_list ? r.Uniform(1, 7) : r.Uniform(8, 16);
    if (type == 3 && spec.short_list) n = 1;
    int age = NewestAge(r, c.category, stale);
    // A stale homepage: its blocks' columns have nothing in the last 14 days.
    if (type == 4 && stale && c.category == Category::kNews) age = r.Uniform(16, 40);
    if (type == 4 && i == kNotice) age = r.Uniform(15, 90);
    absl::CivilMinute t = absl::CivilMinute(today - age) + r.Uniform(8 * 60, 17 * 60);
    for (int k = 0; k < n; ++k) {
      Item item;
      item.title = ItemTitle(r, spec, place);
      item.time = t;
      item.path_time = t;
      item.id = (i + 1) * 100000 + k;
      c.items.push_back(std::move(item));
      const int gap = c.category == Category::kNews ? r.Uniform(0, 2) : r.Uniform(3, 25);
      t -= gap * 24 * 60 + r.Uniform(0, 300);
    }
    s->columns.push_back(std::move(c));
  }
  // The homepage's dated blocks: 工作动态, 通知公告, 乡镇动态 (5 newest each).
  for (int ci : {kWorkNews, kNotice, kTownNews}) {
    HomeBlock b;
    b.column = ci;
    for (int k = 0; k < 5 && k < static_cast<int>(s->columns[ci].items.size()); ++k) {
      b.items.push_back(k);
    }
    s->home_blocks.push_back(std::move(b));
  }
  // Class 6 of the issue: terms in an article body and an attachment's link text.
  if (type == 0 && round % 4 == 1 && !s->columns[kWorkNews].items.empty()) {
    Item& item = s->columns[kWorkNews].items.front();
    item.body_term = "网上赌场";
    s->planted_terms.push_back(
        {"sensitive_word", "网上赌场", "", -1, FamilyArticlePath(*s, s->columns[kWorkNews], item)});
  }
  if (type == 3 && round % 4 == 2 && !s->columns[kPolicy].items.empty()) {
    s->planted_terms.push_back({"sensitive_word", "六合彩", "", kPolicy, ""});
  }
}

std::string FamilyArticlePath(const Site& site, const Column& column, const Item& item) {
  return MarkupOf(site.family).article_path(site, column, item);
}

namespace {

std::string ItemHref(const Site& s, const FamilyMarkup& m, const Column& c, const Item& item,
                     bool column_page) {
  const std::string path = FamilyArticlePath(s, c, item);
  if (column_page && m.relative_items && absl::StartsWith(path, c.path)) {
    return absl::StrCat("./", path.substr(c.path.size()));
  }
  return path;
}

std::string Items(const Site& s, const FamilyMarkup& m, const Column& c, int limit,
                  bool column_page) {
  const bool short_form = column_page && c.items.size() <= 7;
  std::string out = short_form ? m.short_open : m.list_open;
  for (int k = 0; k < limit && k < static_cast<int>(c.items.size()); ++k) {
    const Item& item = c.items[static_cast<size_t>(k)];
    const std::string date = FormatItemDate(item.time, short_form ? m.short_date : m.list_date);
    const std::string href = ItemHref(s, m, c, item, column_page);
    const std::string title = Esc(item.title);
    out += Fill(short_form ? m.short_item : m.list_item,
                {{"{href}", href}, {"{title}", title}, {"{date}", date}});
  }
  out += short_form ? m.short_close : m.list_close;
  return out;
}

std::string Page(const Site& s, const FamilyMarkup& m, const std::string& title,
                 const std::string& main) {
  std::string h = absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", Esc(title),
      "</title><meta name=\"SiteName\" content=\"", Esc(s.name),
      "\"><meta name=\"SiteIDCode\" "
      "content=\"",
      s.site_id, "\"><link rel=\"stylesheet\" href=\"/css/style.css\"></head>\n<body>\n",
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

std::string Home(const Site& s, const FamilyMarkup& m) {
  std::string main = m.headline_open;
  const Column& news = s.columns[kWorkNews];
  for (size_t k = 0; k < 3 && k < news.items.size(); ++k) {
    main += Fill(m.headline_item, {{"{href}", FamilyArticlePath(s, news, news.items[k])},
                                   {"{title}", Esc(news.items[k].title)}});
  }
  // A headline whose short text names a column category is still an article.
  if (!s.columns[kNotice].items.empty()) {
    main += Fill(m.headline_item,
                 {{"{href}", FamilyArticlePath(s, s.columns[kNotice], s.columns[kNotice].items[0])},
                  {"{title}", "通知公告"}});
  }
  main += m.headline_close;
  for (const HomeBlock& b : s.home_blocks) {
    const Column& c = s.columns[static_cast<size_t>(b.column)];
    main += Fill(m.block_open, {{"{name}", c.name}, {"{more}", c.path}});
    main += Items(s, m, c, 5, false);
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

std::string ColumnPage(const Web& web, const Site& s, const FamilyMarkup& m, size_t ci) {
  (void)web;
  const Column& c = s.columns[ci];
  std::string crumbs;
  if (!c.parent.empty())
    absl::StrAppend(&crumbs, " &gt; <a href=\"javascript:;\">", c.parent, "</a>");
  absl::StrAppend(&crumbs, " &gt; <span>", c.name, "</span>");
  std::string main = Fill(m.crumb, {{"{crumbs}", crumbs}});
  // The sidebar: the column's section (部门动态 is linked from 工作动态's only).
  const std::string section = c.found_via == "sidebar" || c.slug == "gzdt" ? "新闻中心" : c.parent;
  if (!section.empty()) {
    main += Fill(m.side_open, {{"{name}", section}});
    for (const Column& other : s.columns) {
      const bool in_section =
          other.parent == section || (section == "新闻中心" && other.slug == "gzdt");
      if (in_section) main += Fill(m.side_item, {{"{href}", other.path}, {"{name}", other.name}});
    }
    main += m.side_close;
  }
  if (c.kind == Column::Kind::kStatic) {
    main += Fill(m.static_page, {{"{name}", c.name}, {"{text}", c.text}});
  } else if (c.items.empty()) {
    main += c.says_no_info ? "<div class=\"nodata\"><p>暂无信息</p></div>\n" : m.empty_list;
  } else {
    main += Items(s, m, c, static_cast<int>(c.items.size()), true);
  }
  for (const PlantedTerm& p : s.planted_terms) {
    if (p.column == static_cast<int>(ci)) {
      absl::StrAppend(&main, "<p class=\"fj\">附件：<a href=\"/files/", c.slug, "-1.pdf\">", p.term,
                      "整治工作方案.pdf</a></p>\n");
    }
  }
  return Page(s, m, absl::StrCat(c.name, "_", s.name), main);
}

std::string Article(const Site& s, const FamilyMarkup& m, const Column& c, const Item& item) {
  std::string body;
  for (int p = 0; p < 6; ++p) {
    absl::StrAppend(&body, "<p>", Esc(item.title),
                    "。会议要求，各地各部门要高度重视，压实责任，"
                    "确保各项工作落到实处，切实提升群众满意度。</p>");
  }
  if (!item.body_term.empty()) absl::StrAppend(&body, "<p>", item.body_term, "</p>");
  std::string crumbs = absl::StrCat(" &gt; <a href=\"", c.path, "\">", c.name, "</a> &gt; 正文");
  const std::string main =
      absl::StrCat(Fill(m.crumb, {{"{crumbs}", crumbs}}),
                   Fill(m.article, {{"{title}", Esc(item.title)},
                                    {"{date}", FormatItemDate(item.time, DateFormat::kDateTime)},
                                    {"{source}", Esc(s.org)},
                                    {"{body}", body}}));
  return Page(s, m, absl::StrCat(item.title, "_", s.name), main);
}

}  // namespace

bool FamilyPage(const Web& web, const Site& s, absl::string_view path, int* status,
                std::string* body, std::string* content_type) {
  const FamilyMarkup& m = MarkupOf(s.family);
  *status = 200;
  if (path == "/" || path == "/index.html" || path == "/index.shtml") {
    *body = Home(s, m);
    return true;
  }
  for (size_t ci = 0; ci < s.columns.size(); ++ci) {
    const Column& c = s.columns[ci];
    if (path == c.path ||
        (absl::EndsWith(c.path, "/") && path == absl::StrCat(c.path, "index.html"))) {
      *body = ColumnPage(web, s, m, ci);
      return true;
    }
    for (const Item& item : c.items) {
      if (path == FamilyArticlePath(s, c, item)) {
        *body = Article(s, m, c, item);
        return true;
      }
    }
    if (path == absl::StrCat("/files/", c.slug, "-1.pdf")) {
      *body = "%PDF-1.4 simulated attachment\n";
      *content_type = "application/pdf";
      return true;
    }
  }
  for (int k = 1; k <= kPeople; ++k) {
    if (path == absl::StrCat("/ld/", k, ".html")) {
      *body = Page(s, m, absl::StrCat(kLeaders[k - 1], "_", s.name),
                   absl::StrCat("<div class=\"leader\"><h2>", kLeaders[k - 1],
                                "</h2><p>负责政府全面工作。</p></div>"));
      return true;
    }
  }
  return false;
}

}  // namespace census::simweb
