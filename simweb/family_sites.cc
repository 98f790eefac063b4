// Family sites' model (MakeFamilySite): which columns a CMS-family site has, what each
// is called, what it holds and what the site plants. Rendering is in family_web.cc,
// markup in family_markup.cc / family_heldout.cc; docs/SIMWEB.md has the tables.
//
// Every family site has 14 columns in the same roles (the Role enum, in navigation
// order); their names are drawn from what real sites call them (领导信息 or 领导之窗,
// 政务公开 or 信息公开 as the submenu's parent, two 专题 of a pool ...). Site i of a
// family web is round i / families; round % 10 decides what it plants (kind of site):
//
//   0 pass, one stale column      5 pass, every list near its window's edge
//   1 fail: 5 blank columns       6 pass, 4 stale columns (one short of the veto)
//   2 fail: 5 stale columns       7 pass
//   3 pass, 1-row lists, 1 blank  8 pass, 4 blank columns (one short of the veto)
//   4 fail: homepage stale        9 fail: a lexicon term (article body, attachment text,
//                                   list title or a serious typo, by round and family)
//
// Determinism: mt19937_64 with our own modulo, one draw a statement (site_model.h).

#include <algorithm>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "simweb/family_markup.h"
#include "simweb/family_web.h"

namespace census::simweb {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  int Uniform(int lo, int hi) {
    return hi <= lo ? lo : lo + static_cast<int>(g_() % static_cast<uint64_t>(hi - lo + 1));
  }

 private:
  std::mt19937_64 g_;
};

// Column roles: the index of the column in Site::columns.
enum Role {
  kOrg,
  kLeaders,
  kWorkNews,
  kNotice,
  kPolicy,
  kPersonnel,
  kPlan,
  kStats,
  kTownNews,
  kDeptNews,
  kGuide,
  kTopicA,
  kTopicB,
  kContact,
  kRoleCount
};

struct Spec {
  const char* names[3];  // what sites call it (the first nullptr ends the list)
  const char* slug;
  Category category;
  Column::Kind kind;
  const char* via;     // nav | submenu | more | sidebar | topic
  const char* parent;  // "" none; "submenu" columns take the site's drawn parent
  bool short_list;     // 1-7 rows in the family's short-list markup
};
constexpr Spec kSpecs[kRoleCount] = {
    {{"机构概况", "机构职能", "单位概况"},
     "jggk",
     Category::kOther,
     Column::Kind::kStatic,
     "nav",
     "",
     false},
    {{"领导信息", "领导之窗", "领导简介"},
     "ldxx",
     Category::kOther,
     Column::Kind::kStatic,
     "nav",
     "",
     false},
    {{"工作动态", "政务动态", nullptr},
     "gzdt",
     Category::kNews,
     Column::Kind::kList,
     "nav",
     "",
     false},
    {{"通知公告", "公示公告", nullptr},
     "tzgg",
     Category::kNotice,
     Column::Kind::kList,
     "submenu",
     "",
     true},
    {{"政策文件", "政策法规", nullptr},
     "zcwj",
     Category::kPolicy,
     Column::Kind::kList,
     "submenu",
     "",
     true},
    {{"人事信息", "人事任免", nullptr},
     "rsxx",
     Category::kPersonnel,
     Column::Kind::kList,
     "submenu",
     "",
     true},
    {{"规划计划", "发展规划", nullptr},
     "ghjh",
     Category::kPlan,
     Column::Kind::kList,
     "submenu",
     "",
     true},
    {{"统计数据", "统计信息", nullptr},
     "tjsj",
     Category::kOther,
     Column::Kind::kStatic,
     "submenu",
     "",
     false},
    {{"乡镇动态", "基层动态", nullptr},
     "xzdt",
     Category::kNews,
     Column::Kind::kList,
     "more",
     "",
     false},
    {{"部门动态", "部门工作", nullptr},
     "bmdt",
     Category::kNews,
     Column::Kind::kList,
     "sidebar",
     kNewsSection,
     false},
    {{"办事指南", "服务指南", nullptr},
     "bszn",
     Category::kService,
     Column::Kind::kList,
     "topic",
     "办事服务",
     true},
    {{nullptr}, "", Category::kTopic, Column::Kind::kList, "topic", "专题专栏", true},
    {{nullptr}, "", Category::kTopic, Column::Kind::kList, "topic", "专题专栏", true},
    {{"联系我们", "联系方式", nullptr},
     "lxwm",
     Category::kOther,
     Column::Kind::kStatic,
     "nav",
     "",
     false},
};
constexpr const char* kSubmenuParents[] = {"政务公开", "信息公开"};
// 专题专栏's children: two of these a site.
constexpr std::pair<const char*, const char*> kTopicPool[] = {
    {"森林防火", "slfh"}, {"安全生产", "aqsc"}, {"扫黑除恶", "shce"},
    {"乡村振兴", "xczx"}, {"防汛抗旱", "fxkh"}, {"文明城市创建", "wmcj"},
};
constexpr const char* kTopics[] = {"安全生产", "乡村振兴", "营商环境", "防汛抗旱", "森林防火",
                                   "医疗保障", "就业创业", "城乡建设", "食品安全", "民生实事"};

std::string ItemTitle(Rng& r, Category category, const std::string& column,
                      const std::string& place) {
  const std::string topic = kTopics[r.Uniform(0, 9)];
  switch (category) {
    case Category::kNews:
      return absl::StrCat(place, "召开", topic, "工作推进会");
    case Category::kNotice:
      return absl::StrCat("关于做好", topic, "工作的通知");
    case Category::kPolicy:
      return absl::StrCat("关于印发", topic, "实施办法的通知");
    case Category::kPersonnel:
      return absl::StrCat(place, "关于", kFamilyLeaders[r.Uniform(0, 4)], "同志任职的通知");
    case Category::kPlan:
      return absl::StrCat(place, topic, "三年行动计划");
    case Category::kService:
      return absl::StrCat(topic, "事项办事指南");
    default:
      return absl::StrCat(column, "：", topic, "工作进展");
  }
}

// The newest item's age in days: fresh (inside every window), stale (outside it), or near
// the edge (fresh, within a few weeks of going stale).
enum class Age { kFresh, kStale, kEdge };
int NewestAge(Rng& r, Category c, Age a) {
  const bool stale = a == Age::kStale;
  const bool edge = a == Age::kEdge;
  switch (c) {
    case Category::kNews:
      return stale ? r.Uniform(20, 60) : edge ? r.Uniform(10, 13) : r.Uniform(0, 4);
    case Category::kNotice:
    case Category::kPolicy:
      return stale ? r.Uniform(215, 360) : edge ? r.Uniform(150, 175) : r.Uniform(3, 90);
    case Category::kPersonnel:
    case Category::kPlan:
      return stale ? r.Uniform(400, 520) : edge ? r.Uniform(300, 340) : r.Uniform(10, 170);
    default:
      return r.Uniform(1, 90);
  }
}

std::string StaticText(Role role, const Site& s) {
  if (role == kLeaders) {
    std::string t = "<ul class=\"leaders\">";
    for (int k = 0; k < kFamilyLeaderPages; ++k) {
      absl::StrAppend(&t, "<li><a href=\"/ld/", k + 1, ".html\">", kFamilyLeaders[k], "</a></li>");
    }
    return t + "</ul>";
  }
  if (role == kContact) {
    return "<p>地址：人民路1号行政中心</p><p>电话：0790-1234567 邮编：336000</p>";
  }
  if (role == kStats) {
    return absl::StrCat("<p>", s.name,
                        "统计数据按月发布，包括地区生产总值、固定资产投资、社会消费品零售总额等主要"
                        "经济指标，数据来源于县统计局。</p>");
  }
  return absl::StrCat(
      "<p>", s.name,
      "办公室是政府的办事机构，负责协助政府领导处理日常工作，督促检查各部门和下级"
      "政府对上级文件的贯彻落实情况。</p><p>内设机构：秘书科、综合科、督查科。</p>");
}

bool In(int role, std::initializer_list<int> roles) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace

void MakeFamilySite(const WebOptions& o, Family f, Site* s) {
  const FamilyMarkup& m = MarkupOf(f);
  Rng r(o.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(s->index) * 0x100000001B3ULL + 0xFA);
  const int families = static_cast<int>(std::max<size_t>(1, o.families.size()));
  const int round = s->index / families;
  const int kind = round % 10;  // what the site plants (the table above)
  s->family = f;
  s->scenario = Scenario::kHealthy;
  // GBK: some TRS sites declare it in the header, some DedeCMS sites only in a <meta>.
  s->gbk = (f == Family::kTrs && round % 3 == 1) || (f == Family::kDedeCms && round % 3 == 2);
  s->charset_in_header = f != Family::kDedeCms;
  s->navigation_only = false;
  s->columns.clear();
  s->home_blocks.clear();
  s->broken_links.clear();
  s->hidden_links.clear();
  s->planted_terms.clear();
  s->has_forged_date = false;
  // Dates count back from day 0's as-of date: on a later --day the site is the same (same
  // URLs, same dates, no new item), only older. Counting from as_of + day would move every
  // date of a URL that carries none (govcms, Kaipu) a day later: forged dates everywhere.
  const absl::CivilDay today = o.as_of;
  const std::string place = s->name.substr(0, s->name.find("人民政府"));

  // Names: each role's name, the submenu's parent, the two topics.
  const std::string submenu_parent = kSubmenuParents[r.Uniform(0, 1)];
  const int topic_a = r.Uniform(0, 5);
  const int topic_step = r.Uniform(1, 5);
  const int topic_b = (topic_a + topic_step) % 6;
  // One stale column on a kind-0 site, and the body of a kind-9 site's planting.
  constexpr int kOddStale[] = {kTownNews, kNotice, kPolicy};
  const int odd_stale = kOddStale[r.Uniform(0, 2)];
  const int planting = (round / 10 + s->index % families) % 4;

  for (int i = 0; i < kRoleCount; ++i) {
    const Spec& spec = kSpecs[i];
    Column c;
    int choices = 0;
    while (choices < 3 && spec.names[choices] != nullptr) ++choices;
    const int pick = r.Uniform(0, std::max(0, choices - 1));
    if (i == kTopicA || i == kTopicB) {
      const auto& topic = kTopicPool[i == kTopicA ? topic_a : topic_b];
      c.name = topic.first;
      c.slug = topic.second;
    } else {
      c.name = spec.names[pick];
      c.slug = spec.slug;
    }
    c.category = spec.category;
    c.kind = spec.kind;
    c.found_via = spec.via;
    c.parent = c.found_via == "submenu" ? submenu_parent : spec.parent;
    c.path = m.column_path(*s, i, c);
    if (c.kind == Column::Kind::kStatic) {
      c.text = StaticText(static_cast<Role>(i), *s);
      s->columns.push_back(std::move(c));
      continue;
    }
    const bool blank = (kind == 1 && In(i, {kPersonnel, kPlan, kDeptNews, kTopicA, kTopicB})) ||
                       (kind == 3 && i == kPlan) ||
                       (kind == 8 && In(i, {kPersonnel, kPlan, kTopicA, kTopicB}));
    const bool stale = (kind == 0 && i == odd_stale) ||
                       (kind == 2 && In(i, {kTownNews, kDeptNews, kNotice, kPolicy, kPersonnel})) ||
                       (kind == 4 && In(i, {kWorkNews, kTownNews})) ||
                       (kind == 6 && In(i, {kTownNews, kDeptNews, kNotice, kPolicy}));
    const int says = r.Uniform(0, 1);  // drawn for every list column: same stream either way
    if (blank) {
      c.says_no_info = says == 0;
      s->columns.push_back(std::move(c));
      continue;
    }
    const int rows = spec.short_list ? r.Uniform(1, 7) : r.Uniform(8, 16);
    const int n = kind == 3 && spec.short_list ? 1 : rows;
    int age = NewestAge(r, c.category, stale ? Age::kStale : kind == 5 ? Age::kEdge : Age::kFresh);
    // A stale homepage: its three blocks have nothing in the last 14 days.
    if (kind == 4 && In(i, {kWorkNews, kTownNews})) age = r.Uniform(16, 40);
    if (kind == 4 && i == kNotice) age = r.Uniform(15, 90);
    absl::CivilMinute t = absl::CivilMinute(today - age) + r.Uniform(8 * 60, 17 * 60);
    for (int k = 0; k < n; ++k) {
      Item item;
      item.title = ItemTitle(r, c.category, c.name, place);
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
  if (kind != 9) return;
  // Class 6 of issue 16: a lexicon term where only a census that reads further finds it.
  Column& news = s->columns[kWorkNews];
  Column& notice = s->columns[kNotice];
  Column& policy = s->columns[kPolicy];
  switch (planting) {
    case 0: {  // a banned word in the body of an article of 工作动态's list
      Item& item = news.items.front();
      item.body_term = "网上赌场";
      s->planted_terms.push_back(
          {"sensitive_word", item.body_term, "", -1, FamilyArticlePath(*s, news, item)});
      break;
    }
    case 1:  // a banned word in an attachment's link text on 政策文件's page
      s->planted_terms.push_back({"sensitive_word", "六合彩", "", kPolicy, ""});
      break;
    case 2: {  // a banned word in the title of 政策文件's last row: its page and article
      Item& item = policy.items.back();
      item.title = "关于依法打击博彩违法犯罪活动的通告";
      s->planted_terms.push_back({"sensitive_word", "博彩", "", -1, policy.path});
      s->planted_terms.push_back(
          {"sensitive_word", "博彩", "", -1, FamilyArticlePath(*s, policy, item)});
      break;
    }
    default: {  // a serious typo in the body of an article of 通知公告's list
      Item& item = notice.items.back();
      item.body_term = "中华人民共合国";
      s->planted_terms.push_back({"serious_typo", item.body_term, "中华人民共和国", -1,
                                  FamilyArticlePath(*s, notice, item)});
      break;
    }
  }
}

}  // namespace census::simweb
