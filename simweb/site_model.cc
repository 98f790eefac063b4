#include "simweb/site_model.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "simweb/family_web.h"

namespace census::simweb {
namespace {

uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Deterministic across compilers: mt19937_64 + modulo mapping.
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  // Inclusive range [lo, hi].
  int Uniform(int lo, int hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int>(g_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool OneIn(int n) { return g_() % static_cast<uint64_t>(n) == 0; }
  template <typename T, size_t N>
  const T& Pick(const T (&arr)[N]) {
    return arr[g_() % N];
  }

 private:
  std::mt19937_64 g_;
};

struct Syllable {
  const char* han;
  char initial;
};
constexpr Syllable kSyllables[] = {
    {"恒", 'h'}, {"丰", 'f'}, {"青", 'q'}, {"山", 's'}, {"安", 'a'}, {"平", 'p'}, {"宁", 'n'},
    {"远", 'y'}, {"东", 'd'}, {"阳", 'y'}, {"河", 'h'}, {"西", 'x'}, {"南", 'n'}, {"江", 'j'},
    {"临", 'l'}, {"泉", 'q'}, {"川", 'c'}, {"云", 'y'}, {"明", 'm'}, {"华", 'h'}, {"新", 'x'},
    {"城", 'c'}, {"兴", 'x'}, {"德", 'd'}, {"永", 'y'}, {"和", 'h'}, {"长", 'c'}, {"乐", 'l'},
    {"康", 'k'}, {"福", 'f'}, {"桂", 'g'}, {"林", 'l'}, {"松", 's'}, {"金", 'j'}, {"石", 's'},
    {"清", 'q'}, {"龙", 'l'}, {"凤", 'f'}, {"文", 'w'}, {"泰", 't'}, {"广", 'g'}, {"源", 'y'},
};

struct Department {
  const char* name;
  const char* abbrev;
};
constexpr Department kDepartments[] = {
    {"教育局", "jyj"},       {"财政局", "czj"},     {"卫生健康局", "wjj"},
    {"生态环境局", "sthjj"}, {"交通运输局", "jtj"}, {"自然资源局", "zrzyj"},
};

constexpr const char* kTopics[] = {
    "安全生产", "乡村振兴",       "营商环境",     "生态环境保护", "防汛抗旱",     "森林防火",
    "医疗保障", "义务教育",       "就业创业",     "城乡建设",     "文明城市创建", "食品安全",
    "政务公开", "高标准农田建设", "消防安全",     "人居环境整治", "河湖长制",     "民生实事",
    "养老服务", "住房保障",       "交通运输",     "水利工程",     "招商引资",     "科技创新",
    "文化旅游", "社会救助",       "退役军人服务", "网格化管理",   "耕地保护",     "燃气安全",
};
constexpr const char* kSurnames[] = {"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"};
constexpr const char* kGivenNames[] = {"建国", "伟", "芳", "明辉", "华",
                                       "军",   "静", "磊", "志强", "丽娟"};

struct ColumnDef {
  const char* name;
  const char* slug;
  Category category;
};
constexpr ColumnDef kBaseColumns[] = {
    {"工作动态", "gzdt", Category::kNews},    {"通知公告", "tzgg", Category::kNotice},
    {"政策文件", "zcwj", Category::kPolicy},  {"人事信息", "rsxx", Category::kPersonnel},
    {"规划计划", "ghjh", Category::kPlan},    {"领导信箱", "ldxx", Category::kInteraction},
    {"办事服务", "bsfw", Category::kService}, {"专题专栏", "ztzl", Category::kTopic},
};
constexpr ColumnDef kExtraColumns[] = {
    {"部门动态", "bmdt", Category::kNews},      {"要闻动态", "ywdt", Category::kNews},
    {"政策解读", "zcjd", Category::kPolicy},    {"公示公告", "gsgg", Category::kNotice},
    {"人事任免", "rsrm", Category::kPersonnel}, {"在线咨询", "zxzx", Category::kInteraction},
    {"办事指南", "bszn", Category::kService},   {"专题报道", "ztbd", Category::kTopic},
    {"便民服务", "bmfw", Category::kService},   {"工作计划", "gzjh", Category::kPlan},
};

// kAbandoned: nothing for over a year (kAbandonedMinDays..700 days), whatever the category.
enum class ColState { kFresh, kStale, kBlank, kAbandoned };

// Item ids are (column index + 1) * 100000 + k; items added after the original list
// (day-N news, planted letters) use k >= kDayItemIdBase.
constexpr int kDayItemIdBase = 50000;

struct PlannedColumn {
  ColumnDef def;
  ColState state = ColState::kFresh;
  int order = 0;  // insertion order, for a stable sort by category
};

std::string Title(Rng& r, Category c, const std::string& place) {
  const std::string topic = r.Pick(kTopics);
  const int form = r.Uniform(0, 3);
  switch (c) {
    case Category::kNews:
      switch (form) {
        case 0:
          return absl::StrCat(place, "召开", topic, "工作推进会");
        case 1:
          return absl::StrCat(place, "开展", topic, "专项督查");
        case 2:
          return absl::StrCat("主要领导带队调研", topic, "工作");
        default:
          return absl::StrCat(place, "举办", topic, "业务培训班");
      }
    case Category::kNotice:
      switch (form) {
        case 0:
          return absl::StrCat("关于做好", topic, "工作的通知");
        case 1:
          return absl::StrCat("关于开展", topic, "专项检查的通知");
        case 2:
          return absl::StrCat("关于", topic, "项目拟立项情况的公示");
        default:
          return absl::StrCat("关于征集", topic, "意见建议的公告");
      }
    case Category::kPolicy:
      switch (form) {
        case 0:
          return absl::StrCat("关于印发", place, topic, "实施方案的通知");
        case 1:
          return absl::StrCat(place, topic, "管理办法");
        case 2:
          return absl::StrCat("《", place, topic, "实施意见》政策解读");
        default:
          return absl::StrCat("关于进一步加强", topic, "工作的意见");
      }
    case Category::kPersonnel: {
      const std::string surname = r.Pick(kSurnames);
      const std::string given = r.Pick(kGivenNames);
      if (form < 2) return absl::StrCat("关于", surname, given, "等同志职务任免的通知");
      return absl::StrCat(place, "公开招聘", topic, "工作人员拟聘用人员名单");
    }
    case Category::kPlan:
      switch (form) {
        case 0:
          return absl::StrCat(place, topic, "发展规划");
        case 1:
          return absl::StrCat(place, topic, "工作计划");
        case 2:
          return absl::StrCat(place, topic, "工作要点");
        default:
          return absl::StrCat(place, topic, "三年行动计划");
      }
    case Category::kInteraction:
      switch (form) {
        case 0:
          return absl::StrCat("关于", topic, "问题的咨询");
        case 1:
          return absl::StrCat("咨询", topic, "相关政策");
        case 2:
          return absl::StrCat("反映", topic, "有关情况");
        default:
          return absl::StrCat("对", topic, "工作的建议");
      }
    case Category::kService:
      if (form < 2) return absl::StrCat(topic, "事项办事指南");
      return absl::StrCat(topic, "业务办理流程");
    case Category::kTopic:
      if (form < 2) return absl::StrCat("聚焦", topic);
      return absl::StrCat(topic, "在行动");
    case Category::kOther:
      break;
  }
  return topic;
}

// Age in days of the newest item of a column.
int NewestAge(Rng& r, Category c, ColState state) {
  if (state == ColState::kAbandoned) return r.Uniform(kAbandonedMinDays, 700);
  const bool stale = state == ColState::kStale;
  switch (c) {
    case Category::kNews:
      return stale ? r.Uniform(20, 60) : r.Uniform(1, 5);
    case Category::kNotice:
    case Category::kPolicy:
      return stale ? r.Uniform(215, 360) : r.Uniform(30, 90);
    case Category::kPersonnel:
    case Category::kPlan:
      return stale ? r.Uniform(400, 520) : r.Uniform(10, 170);
    default:
      return r.Uniform(1, 60);
  }
}

// Days between consecutive items of a column: MinGap..MaxGap (news: several a day).
int MinGap(Category c) { return c == Category::kNews ? 0 : 1; }

int MaxGap(Category c) {
  switch (c) {
    case Category::kNews:
      return 1;
    case Category::kNotice:
      return 12;
    case Category::kPolicy:
      return 20;
    case Category::kPersonnel:
    case Category::kPlan:
      return 30;
    case Category::kInteraction:
      return 10;
    case Category::kService:
      return 20;
    case Category::kTopic:
      return 15;
    case Category::kOther:
      break;
  }
  return 10;
}

int FindColumn(const Site& s, const char* slug) {
  for (size_t i = 0; i < s.columns.size(); ++i) {
    if (s.columns[i].slug == slug) return static_cast<int>(i);
  }
  return -1;
}

// Draws for the content added after the original generator (mailbox replies, day-N
// items, planted content) come from their own generators, so the original sites'
// columns and dates are unchanged by them.
Rng ExtraRng(const WebOptions& o, int site, uint64_t salt) {
  return Rng(SplitMix(SplitMix(o.seed ^ 0x5EED5EED5EEDULL) +
                      static_cast<uint64_t>(site) * 1000003ULL + salt));
}

bool NewestFirst(const Item& a, const Item& b) { return a.time > b.time; }

// Mailbox replies for an interaction column; news items for days 1..o.day.
void AddNewContent(const WebOptions& o, const Site& s, const std::string& place, bool fresh,
                   int col_id_base, Column* c) {
  if (c->category == Category::kInteraction) {
    Rng r = ExtraRng(o, s.index, static_cast<uint64_t>(col_id_base));
    for (Item& letter : c->items) letter.reply_after_days = r.Uniform(1, 5);
  }
  if (c->category != Category::kNews || !fresh || c->items.empty() || o.day <= 0) return;
  std::vector<Item> added;
  for (int d = 1; d <= o.day; ++d) {
    Rng r =
        ExtraRng(o, s.index, (static_cast<uint64_t>(d) << 24) + static_cast<uint64_t>(col_id_base));
    const int n = r.Uniform(1, 2);
    for (int j = 0; j < n; ++j) {
      Item item;
      item.title = Title(r, c->category, place);
      const int hour = r.Uniform(8, 17);
      const int minute = r.Uniform(0, 59);
      const absl::CivilDay day = o.as_of + d;
      item.time = absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute);
      item.path_time = item.time;
      item.id = col_id_base + kDayItemIdBase + d * 4 + j;
      added.push_back(std::move(item));
    }
  }
  c->items.insert(c->items.begin(), added.begin(), added.end());
  std::stable_sort(c->items.begin(), c->items.end(), NewestFirst);
}

void AddScenarioContent(const WebOptions& o, Site* s) {
  switch (s->scenario) {
    case Scenario::kInteractionUnanswered: {
      // Two consultation letters 4-8 months old that never got an answer.
      const int ci = FindColumn(*s, "zxzx");
      Column& c = s->columns[ci];
      Rng r = ExtraRng(o, s->index, 1);
      int ages[2];
      ages[0] = r.Uniform(125, 180);
      ages[1] = r.Uniform(190, 235);
      const char* titles[] = {"咨询城乡居民医疗保险缴费问题", "关于小区燃气安全隐患的投诉"};
      const int base = (ci + 1) * 100000 + kDayItemIdBase - 2;
      for (int k = 0; k < 2; ++k) {
        Item letter;
        letter.title = titles[k];
        const absl::CivilDay day = o.as_of - ages[k];
        const int hour = r.Uniform(8, 17);
        const int minute = r.Uniform(0, 59);
        letter.time = absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute);
        letter.path_time = letter.time;
        letter.id = base + k;
        letter.reply_after_days = -1;
        c.items.push_back(std::move(letter));
      }
      // Two letters answered, but 18-30 days after they came in (interaction_slow_replies;
      // within 3 months, so not interaction_unanswered).
      Rng slow = ExtraRng(o, s->index, 2);
      const char* slow_titles[] = {"咨询新生儿医保参保登记办理流程",
                                   "关于老旧小区加装电梯补贴政策的咨询"};
      for (int k = 0; k < 2; ++k) {
        Item letter;
        letter.title = slow_titles[k];
        const absl::CivilDay day = o.as_of - slow.Uniform(60, 100);
        const int hour = slow.Uniform(8, 17);
        const int minute = slow.Uniform(0, 59);
        letter.time = absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute);
        letter.path_time = letter.time;
        letter.id = base - 2 + k;
        letter.reply_after_days = slow.Uniform(18, 30);
        c.items.push_back(std::move(letter));
      }
      std::stable_sort(c.items.begin(), c.items.end(), NewestFirst);
      break;
    }
    case Scenario::kSeriousTypo: {
      const int ci = FindColumn(*s, "zcwj");
      s->columns[ci].intro =
          "本栏目集中发布本级政府及部门制定的规范性文件和政策措施。各地各部门要深入学习贯彻"
          "习近平新时代中国特设社会主义思想，严格落实政务公开各项要求。";
      s->planted_terms.push_back({"serious_typo", "习近平新时代中国特设社会主义思想",
                                  "习近平新时代中国特色社会主义思想", ci});
      break;
    }
    case Scenario::kSensitiveWord: {
      const int ci = FindColumn(*s, "ztzl");
      s->columns[ci].intro =
          "【推广】澳门网上赌场，注册即送88元体验金；六合彩开奖结果实时更新，"
          "请访问 www.bocai-spam.example 了解详情。";
      s->planted_terms.push_back({"sensitive_word", "网上赌场", "", ci});
      s->planted_terms.push_back({"sensitive_word", "六合彩", "", ci});
      break;
    }
    case Scenario::kHiddenSpamLink:
      s->hidden_links = {
          {"http://www.bocai-spam.example/", "娱乐城", "display:none"},
          {"http://www.casino-spam.example/vip/", "真人视讯", "off-screen"},
          {"http://www.lottery-spam.example/kj.html", "开奖直播", "font-size:0"},
      };
      break;
    case Scenario::kForgedDate: {
      // The fourth 工作动态 item is re-dated to day 1 (as if published that day).
      const int ci = FindColumn(*s, "gzdt");
      Column& c = s->columns[ci];
      // Day-N items are newer than every original item; skip past them.
      size_t k = 0;
      while (k < c.items.size() && c.items[k].id % 100000 >= kDayItemIdBase) ++k;
      k += 3;
      if (k >= c.items.size()) break;
      Item& item = c.items[k];
      s->has_forged_date = true;
      s->forged_date.column = ci;
      s->forged_date.item_id = item.id;
      s->forged_date.before = item.time;
      const absl::CivilDay day1 = o.as_of + 1;
      s->forged_date.after = absl::CivilMinute(day1.year(), day1.month(), day1.day(), 9, 0);
      if (o.day >= 1) {
        item.time = s->forged_date.after;
        std::stable_sort(c.items.begin(), c.items.end(), NewestFirst);
      }
      break;
    }
    default:
      break;
  }
}

Site BuildSite(const WebOptions& o, int i) {
  Rng r(SplitMix(o.seed * 0x100000001B3ULL + static_cast<uint64_t>(i)));
  Site s;
  s.index = i;
  s.scenario = static_cast<Scenario>(i % kScenarioCount);
  const int n1 = static_cast<int>(std::size(kSyllables));
  const int a = r.Uniform(0, n1 - 1);
  int b = r.Uniform(0, n1 - 1);
  if (b == a) b = (a + 1) % n1;

  std::string suffix = "县";
  char suffix_initial = 'x';
  if (i == 0) {
    s.level = "province";
    suffix = "省";
    suffix_initial = 's';
  } else if (r.OneIn(3)) {
    s.level = "city";
    suffix = "市";
    suffix_initial = 's';
  } else {
    s.level = "county";
  }
  const std::string place = absl::StrCat(kSyllables[a].han, kSyllables[b].han, suffix);
  const std::string abbrev = absl::StrFormat("%c%c%c%02d", kSyllables[a].initial,
                                             kSyllables[b].initial, suffix_initial, i + 1);
  const int city = r.Uniform(1, 17);
  const int county = r.Uniform(21, 40);
  if (s.level == "province") {
    s.region = "420000";
  } else if (s.level == "city") {
    s.region = absl::StrFormat("42%02d00", city);
  } else {
    s.region = absl::StrFormat("42%02d%02d", city, county);
  }
  s.site_id = absl::StrFormat("%s%04d", s.region, i + 1);
  if (i % 5 == 4) {
    const Department& d = r.Pick(kDepartments);
    s.kind = "department";
    s.name = absl::StrCat(place, d.name);
    s.org = s.name;
    s.host = absl::StrCat(d.abbrev, ".", abbrev, ".gov.cn");
  } else {
    s.kind = "portal";
    s.name = absl::StrCat(place, "人民政府");
    s.org = absl::StrCat(place, "人民政府办公室");
    s.host = absl::StrCat("www.", abbrev, ".gov.cn");
  }
  const int icp = r.Uniform(1000000, 9999999);
  s.icp = absl::StrFormat("鄂ICP备%08d号", icp);

  // Charset, templates and date formats.
  switch (s.scenario) {
    case Scenario::kHealthyGbkHeader:
      s.gbk = true;
      s.charset_in_header = true;
      break;
    case Scenario::kHealthyGbkMeta:
      s.gbk = true;
      s.charset_in_header = false;
      break;
    case Scenario::kSeriousTypo:  // the typo must survive GBK -> UTF-8
      s.gbk = true;
      s.charset_in_header = true;
      break;
    default:
      if (i >= kScenarioCount && r.OneIn(4)) {
        s.gbk = true;
        s.charset_in_header = r.OneIn(2);
      }
  }
  constexpr DateFormat kFormats[] = {DateFormat::kIso, DateFormat::kSlash, DateFormat::kDot,
                                     DateFormat::kChinese, DateFormat::kDateTime};
  constexpr ListTemplate kTemplates[] = {ListTemplate::kUlSpan, ListTemplate::kTableDateFirst,
                                         ListTemplate::kDivBracket};
  switch (s.scenario) {
    case Scenario::kHealthy:
      s.home_template = ListTemplate::kUlSpan;
      s.home_date_format = DateFormat::kIso;
      break;
    case Scenario::kHealthyGbkHeader:
      s.home_template = ListTemplate::kTableDateFirst;
      s.home_date_format = DateFormat::kSlash;
      break;
    case Scenario::kHealthyGbkMeta:
      s.home_template = ListTemplate::kDivBracket;
      s.home_date_format = DateFormat::kYearless;
      break;
    case Scenario::kMixed:
      s.home_template = ListTemplate::kUlSpan;
      s.home_date_format = DateFormat::kChinese;
      break;
    default:
      s.home_template = r.Pick(kTemplates);
      s.home_date_format = r.Pick(kFormats);
  }
  s.navigation_only = s.scenario == Scenario::kNavigationOnly;

  // Column plan.
  std::vector<PlannedColumn> plan;
  auto add = [&plan](const ColumnDef& d, ColState st) {
    for (auto& p : plan) {
      if (std::string(p.def.slug) == d.slug) {
        p.state = st;
        return;
      }
    }
    PlannedColumn pc;
    pc.def = d;
    pc.state = st;
    pc.order = static_cast<int>(plan.size());
    plan.push_back(pc);
  };
  auto extra = [](const char* slug) -> const ColumnDef& {
    for (const auto& d : kExtraColumns) {
      if (std::string(d.slug) == slug) return d;
    }
    return kExtraColumns[0];
  };
  for (const auto& d : kBaseColumns) add(d, ColState::kFresh);
  if (s.scenario == Scenario::kColumnsStale) {
    add(extra("bmdt"), ColState::kStale);
    add(extra("gsgg"), ColState::kStale);
    add(kBaseColumns[2], ColState::kStale);  // 政策文件
    add(kBaseColumns[3], ColState::kStale);  // 人事信息
    add(kBaseColumns[4], ColState::kStale);  // 规划计划
    add(extra("ywdt"), ColState::kStale);    // 7 > 6: the columns_not_updated early warning
    add(extra("zcjd"), ColState::kStale);
  } else if (s.scenario == Scenario::kBlankColumns) {
    add(extra("rsrm"), ColState::kBlank);
    add(extra("ztbd"), ColState::kBlank);
    add(extra("bszn"), ColState::kBlank);
    add(extra("bmfw"), ColState::kBlank);
    add(kBaseColumns[7], ColState::kBlank);  // 专题专栏
  } else if (s.scenario == Scenario::kInteractionUnanswered) {
    add(extra("zxzx"), ColState::kFresh);  // 在线咨询, a consultation mailbox
  } else if (s.scenario == Scenario::kAbandoned) {
    // Every should-update column there is (5 base, 6 extra); 10 abandoned: the long_unupdated
    // veto's line exactly. 政策解读 is stale but within the year (stale, not long-unupdated).
    for (int k = 0; k < 5; ++k) add(kBaseColumns[k], ColState::kAbandoned);
    for (const char* slug : {"bmdt", "ywdt", "gsgg", "rsrm", "gzjh"}) {
      add(extra(slug), ColState::kAbandoned);
    }
    add(extra("zcjd"), ColState::kStale);
  } else if (s.scenario == Scenario::kNavigationOnly) {
    // 3 blank columns: above the blank_columns early warning (2), below the veto (5).
    add(extra("bszn"), ColState::kBlank);
    add(extra("bmfw"), ColState::kBlank);
    add(extra("ztbd"), ColState::kBlank);
  }
  const int random_extras = r.Uniform(0, 2);
  for (int k = 0; k < random_extras; ++k) {
    const ColumnDef& d = r.Pick(kExtraColumns);
    bool present = false;
    for (const auto& p : plan) present = present || std::string(p.def.slug) == d.slug;
    if (!present) add(d, ColState::kFresh);
  }
  std::stable_sort(plan.begin(), plan.end(), [](const PlannedColumn& x, const PlannedColumn& y) {
    return static_cast<int>(x.def.category) < static_cast<int>(y.def.category);
  });

  const int span_limit = s.home_date_format == DateFormat::kYearless ? 330 : 1500;
  int blank_seen = 0;
  for (size_t ci = 0; ci < plan.size(); ++ci) {
    const PlannedColumn& p = plan[ci];
    Column c;
    c.name = p.def.name;
    c.slug = p.def.slug;
    c.category = p.def.category;
    c.list_template = s.home_template;
    c.date_format = s.home_date_format;
    if (s.scenario == Scenario::kMixed) {
      c.date_format = ci % 2 == 0 ? DateFormat::kDateTime : DateFormat::kChinese;
      c.href_style = Column::HrefStyle::kFullUrl;
      if (c.slug == "zcwj") c.delay = o.slow_page_delay;
    } else if (c.list_template == ListTemplate::kTableDateFirst || r.OneIn(3)) {
      c.href_style = Column::HrefStyle::kRelative;
    }
    const bool home = c.slug == "gzdt" || c.slug == "tzgg";
    if (p.state == ColState::kBlank) {
      c.says_no_info = blank_seen % 2 == 0;
      ++blank_seen;
      s.columns.push_back(std::move(c));
      continue;
    }
    int count = o.items_per_column > 0 ? o.items_per_column : r.Uniform(8, 20);
    if (home) count = std::max(count, s.scenario == Scenario::kHomepageStale ? 14 : 12);
    int age = NewestAge(r, c.category, p.state);
    if (s.scenario == Scenario::kHomepageStale && c.slug == "tzgg") age = r.Uniform(35, 90);
    const bool quiet = s.scenario == Scenario::kMixed && c.slug == "gzdt";
    if (quiet) age = kQuietNewsDays;
    const int max_gap = std::max(1, std::min(MaxGap(c.category), (span_limit - age) / count));
    const int col_id_base = (static_cast<int>(ci) + 1) * 100000;
    for (int k = 0; k < count; ++k) {
      if (k > 0) {
        // (The quiet column posts every few days: few items within two weeks.)
        const int gap = quiet ? r.Uniform(1, 4) : r.Uniform(MinGap(c.category), max_gap);
        age += gap;
      }
      if (s.scenario == Scenario::kHomepageStale && c.slug == "gzdt" && k == 3) {
        const int jump = r.Uniform(35, 40);
        age = std::max(age, jump);
      }
      Item item;
      item.title = Title(r, c.category, place);
      const int hour = r.Uniform(8, 17);
      const int minute = r.Uniform(0, 59);
      const absl::CivilDay day = o.as_of - age;
      item.time = absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute);
      item.path_time = item.time;
      item.id = col_id_base + k;
      c.items.push_back(std::move(item));
    }
    AddNewContent(o, s, place, p.state == ColState::kFresh && !quiet, col_id_base, &c);
    s.columns.push_back(std::move(c));
  }
  AddScenarioContent(o, &s);

  // Homepage blocks: the newest items of 工作动态 and 通知公告 (for the
  // homepage_stale scenario only items older than 30 days).
  if (!s.navigation_only) {
    const int min_age = s.scenario == Scenario::kHomepageStale ? 31 : 0;
    for (const char* slug : {"gzdt", "tzgg"}) {
      HomeBlock block;
      block.column = FindColumn(s, slug);
      const Column& c = s.columns[block.column];
      const int want = r.Uniform(10, 12);
      for (size_t k = 0; k < c.items.size() && static_cast<int>(block.items.size()) < want; ++k) {
        const absl::CivilDay day(c.items[k].time);
        // (The homepage_stale site's homepage shows none of the days' new items.)
        if (min_age == 0 || o.as_of - day >= min_age) block.items.push_back(static_cast<int>(k));
      }
      s.home_blocks.push_back(std::move(block));
    }
  }

  if (s.scenario == Scenario::kBrokenLinks) {
    const std::string base = absl::StrCat("http://", s.host);
    const int n = i + 1;
    const int policy = FindColumn(s, "zcwj");
    const int personnel = FindColumn(s, "rsxx");
    const int service = FindColumn(s, "bsfw");
    using Kind = BrokenLink::Kind;
    auto link = [&](const std::string& href, const std::string& url, const char* anchor, int column,
                    const char* error, int status, Kind kind) {
      BrokenLink l;
      l.href = href;
      l.url = url;
      l.anchor = anchor;
      l.column = column;
      l.error = error;
      l.status = status;
      l.kind = kind;
      s.broken_links.push_back(std::move(l));
    };
    link("/zwgk/oldcatalog/index.html", base + "/zwgk/oldcatalog/index.html", "原政务公开目录", -1,
         "http_404", 404, Kind::kPage);
    link("/zwgk/moved.html", base + "/zwgk/moved.html", "历年政务公开资料", -1, "soft_404", 200,
         Kind::kPage);
    const std::string dns = absl::StrFormat("http://www.nosuchsite-%d.invalid/", n);
    link(dns, dns, "原合作单位网站", -1, "dns", 0, Kind::kPage);
    link("/uploads/2025/P020250301_gzbg.pdf", base + "/uploads/2025/P020250301_gzbg.pdf",
         "2025年政府工作报告全文", -1, "http_404", 404, Kind::kAttachment);
    link("/cgi-bin/report.jsp", base + "/cgi-bin/report.jsp", "统计报表查询", policy, "http_5xx",
         500, Kind::kOnlineSystem);
    link("/video/live.html", base + "/video/live.html", "视频直播", policy, "timeout", 0,
         Kind::kPage);
    link("/uploads/2024/xxgksqb.doc", base + "/uploads/2024/xxgksqb.doc", "政府信息公开申请表",
         policy, "http_404", 404, Kind::kAttachment);
    link("/loop-a", base + "/loop-a", "历史信息查询", personnel, "redirect_loop", 302,
         Kind::kOnlineSystem);
    // (On 办事服务's page: on the homepage the census would take a same-host link named
    // 网上办事... for a service column.)
    link("/wsbs/login.jsp", base + "/wsbs/login.jsp", "网上办事系统", service, "http_404", 404,
         Kind::kOnlineSystem);
    const std::string dead = absl::StrFormat("http://www.deadhost-%d.gov.cn/", n);
    link(dead, dead, "原人才服务网", personnel, "connect", 0, Kind::kPage);
  }
  return s;
}

}  // namespace

const char* ScenarioName(Scenario s) {
  switch (s) {
    case Scenario::kHealthy:
      return "healthy";
    case Scenario::kHealthyGbkHeader:
      return "healthy_gbk_header";
    case Scenario::kHealthyGbkMeta:
      return "healthy_gbk_meta";
    case Scenario::kHomepageStale:
      return "homepage_stale";
    case Scenario::kColumnsStale:
      return "columns_stale";
    case Scenario::kBlankColumns:
      return "blank_columns";
    case Scenario::kUnreachable:
      return "unreachable";
    case Scenario::kFlakyHigh:
      return "flaky_high";
    case Scenario::kFlakyLow:
      return "flaky_low";
    case Scenario::kNavigationOnly:
      return "navigation_only";
    case Scenario::kBrokenLinks:
      return "broken_links";
    case Scenario::kMixed:
      return "mixed";
    case Scenario::kInteractionUnanswered:
      return "interaction_unanswered";
    case Scenario::kSeriousTypo:
      return "serious_typo";
    case Scenario::kSensitiveWord:
      return "sensitive_word";
    case Scenario::kHiddenSpamLink:
      return "hidden_spam_link";
    case Scenario::kForgedDate:
      return "forged_date";
    case Scenario::kAbandoned:
      return "abandoned";
  }
  return "unknown";
}

const char* CategoryName(Category c) {
  switch (c) {
    case Category::kNews:
      return "news";
    case Category::kNotice:
      return "notice";
    case Category::kPolicy:
      return "policy";
    case Category::kPersonnel:
      return "personnel";
    case Category::kPlan:
      return "plan";
    case Category::kInteraction:
      return "interaction";
    case Category::kService:
      return "service";
    case Category::kTopic:
      return "topic";
    case Category::kOther:
      break;
  }
  return "other";
}

const char* FamilyName(Family f) {
  switch (f) {
    case Family::kClassic:
      return "classic";
    case Family::kHanweb:
      return "hanweb";
    case Family::kHanwebDatastore:
      return "hanweb_datastore";
    case Family::kTrs:
      return "trs";
    case Family::kDedeCms:
      return "dedecms";
    case Family::kGovcms:
      return "govcms";
    case Family::kKaipu:
      return "kaipu";
    case Family::kListData:
      return "listdata";
    case Family::kDataUrl:
      return "dataurl";
    case Family::kEncodedList:
      return "rendered";
  }
  return "classic";
}

bool ParseFamily(absl::string_view name, Family* out) {
  for (int i = 0; i < kFamilyCount; ++i) {
    const Family f = static_cast<Family>(i);
    if (name == FamilyName(f)) {
      *out = f;
      return true;
    }
  }
  return false;
}

bool FamilyHeldOut(Family f) { return f == Family::kGovcms || f == Family::kKaipu; }

std::string FormatItemDate(absl::CivilMinute t, DateFormat f) {
  const int y = static_cast<int>(t.year());
  const int m = t.month();
  const int d = t.day();
  switch (f) {
    case DateFormat::kIso:
      return absl::StrFormat("%04d-%02d-%02d", y, m, d);
    case DateFormat::kSlash:
      return absl::StrFormat("%04d/%02d/%02d", y, m, d);
    case DateFormat::kDot:
      return absl::StrFormat("%04d.%02d.%02d", y, m, d);
    case DateFormat::kChinese:
      return absl::StrFormat("%04d年%02d月%02d日", y, m, d);
    case DateFormat::kYearless:
      return absl::StrFormat("%02d-%02d", m, d);
    case DateFormat::kDateTime:
      return absl::StrFormat("%04d-%02d-%02d %02d:%02d", y, m, d, t.hour(), t.minute());
  }
  return "";
}

std::string Column::ArticlePath(const Item& item) const {
  const absl::CivilMinute t = item.path_time;
  return absl::StrFormat("/col/%s/%04d%02d/t%04d%02d%02d_%d.html", slug, t.year(), t.month(),
                         t.year(), t.month(), t.day(), item.id);
}

const std::vector<std::string>& ExternalHosts() {
  static const auto* hosts = new std::vector<std::string>{"www.gov.cn", "www.ccdi.gov.cn"};
  return *hosts;
}

const std::vector<std::string>& SpamHosts() {
  static const auto* hosts = new std::vector<std::string>{
      "www.bocai-spam.example", "www.casino-spam.example", "www.lottery-spam.example"};
  return *hosts;
}

bool Answered(const Item& letter, absl::CivilDay today, absl::CivilDay* replied) {
  if (letter.reply_after_days < 0) return false;
  const absl::CivilDay r = absl::CivilDay(letter.time) + letter.reply_after_days;
  if (r > today) return false;
  if (replied != nullptr) *replied = r;
  return true;
}

Web BuildWeb(const WebOptions& options) {
  Web web;
  web.options = options;
  web.sites.reserve(static_cast<size_t>(std::max(0, options.sites)));
  for (int i = 0; i < options.sites; ++i) {
    web.sites.push_back(BuildSite(options, i));
    if (!options.families.empty()) {
      const Family f = options.families[static_cast<size_t>(i) % options.families.size()];
      if (f != Family::kClassic) MakeFamilySite(options, f, &web.sites.back());
    }
  }
  return web;
}

}  // namespace census::simweb
