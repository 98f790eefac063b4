#ifndef CENSUS_SIMWEB_SITE_MODEL_H_
#define CENSUS_SIMWEB_SITE_MODEL_H_

// The simulated government web: a deterministic in-memory model of many
// government sites (homepage, columns with dated lists, articles, broken links,
// flaky hosts) built from a seed. Only the model lives here; rendering is in
// sim_web.h and the ground truth in truth.h.
//
// Determinism: std::mt19937_64 (fully specified by the standard) with our own
// modulo mapping; no std::*_distribution, and every random draw is its own
// statement so evaluation order never depends on the compiler.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace census::simweb {

// Site i gets scenario i % kScenarioCount. The first 12 are the original demo; the
// content and interaction scenarios and the abandoned site follow, so `--sites 18` holds one
// site of each.
enum class Scenario {
  kHealthy = 0,            // UTF-8, ul/li template
  kHealthyGbkHeader,       // GBK declared in the Content-Type header, table template
  kHealthyGbkMeta,         // GBK declared only in <meta>, div/[MM-DD] template
  kHomepageStale,          // homepage items all > 30 days old, columns fresh
  kColumnsStale,           // 7 stale columns (2 over a year old): columns_stale + a warning
  kBlankColumns,           // exactly 5 blank columns
  kUnreachable,            // every request answers 503
  kFlakyHigh,              // probes with counter % 4 == 0 are slow
  kFlakyLow,               // only probe 0 is slow
  kNavigationOnly,         // homepage carries navigation only; 3 blank columns (a warning)
  kBrokenLinks,            // one broken link of each error, 2 attachments, 3 online systems
  kMixed,                  // date-times, 年月日 dates, a slow (not broken) column page, and a
                           // 工作动态 last updated kQuietNewsDays ago (and not since)
  kInteractionUnanswered,  // 在线咨询 holds 2 letters 4-8 months old, still 未回复, and 2
                           // answered 18-30 days after they came in (slow replies)
  kSeriousTypo,            // GBK; 政策文件's page text carries a built-in serious typo
  kSensitiveWord,          // 专题专栏's page carries injected gambling spam text
  kHiddenSpamLink,         // homepage hides 3 links to spam hosts from readers
  kForgedDate,             // from day 1 one 工作动态 item shows a later date, same href
  kAbandoned,              // an abandoned site: 10 of its 11 should-update columns (news ...
                           // plan), its homepage's among them, have had nothing for over a
                           // year (kAbandonedMinDays+ days), the 11th (政策解读) for 215-360
                           // days; its mailbox, service and topic pages are kept up
};
constexpr int kScenarioCount = 18;
constexpr int kDemoScenarioCount = 12;  // the original demo (`--sites 12`)
// The mixed scenario's 工作动态 (its homepage's newest items) was last updated this many
// days before the as-of date and gets no new item on later days: more than the early
// warning's 10 days, within the homepage_stale veto's 14 (on days 0-2).
constexpr int kQuietNewsDays = 12;
// The abandoned scenario's long-unupdated columns were last updated at least this many days
// before the as-of date (and at most 700): well past the long_unupdated veto's 12 months.
constexpr int kAbandonedMinDays = 400;
const char* ScenarioName(Scenario s);

enum class Category {
  kNews,
  kNotice,
  kPolicy,
  kPersonnel,
  kPlan,
  kInteraction,
  kService,
  kTopic,
  kOther,  // family sites' static pages (机构概况 ...): never judged for freshness
};
const char* CategoryName(Category c);  // "news", "notice", ...

// The CMS family a site's markup imitates (simweb/family_web.cc; docs/SIMWEB.md).
// kClassic is the original simulated web; the others build each site's columns,
// navigation, lists and URLs the way that family's real sites do.
enum class Family {
  kClassic = 0,
  kHanweb,           // 大汉: /col/col1234/index.html, /art/2026/11/8/art_1234_5.html
  kHanwebDatastore,  // 大汉 with <script type="text/xml"><datastore> lists
  kTrs,              // 拓尔思 TRS WCM: /xxgk/tzgg/, ./202611/t20261108_5.html
  kDedeCms,          // 织梦 DedeCMS: /a/news/, /a/news/2026/1108/5.html
  kGovcms,           // a provincial govcms: held out
  kKaipu,            // 开普-style: held out
  // Lists built by JavaScript in the browser (family_script.cc, docs/SIMWEB.md):
  kListData,     // a JavaScript object in an inline script, through a handlebars template
  kDataUrl,      // fetched after load from a JSON / JSONP data URL
  kEncodedList,  // base64-encoded rows a script decodes: only a browser reads them
};
constexpr int kFamilyCount = 10;
// `--families all`: the six CMS families whose lists are in their markup (1 to 6);
// `--families scripts`: the three whose lists a script builds.
constexpr int kMarkupFamilyEnd = 7;
const char* FamilyName(Family f);  // "classic", "hanweb", ...
bool ParseFamily(absl::string_view name, Family* out);
// Held-out families were written and frozen and are only measured, never tuned on.
bool FamilyHeldOut(Family f);

enum class ListTemplate {
  kUlSpan,          // <ul><li><a>title</a><span>date</span></li>
  kTableDateFirst,  // <table><tr><td>date</td><td><a>title</a></td></tr>
  kDivBracket,      // <div><a>title</a><em>[date]</em></div>
};

enum class DateFormat {
  kIso,       // 2026-11-12
  kSlash,     // 2026/11/12
  kDot,       // 2026.11.12
  kChinese,   // 2026年11月12日
  kYearless,  // 11-12 (year from the as_of context)
  kDateTime,  // 2026-11-12 09:30
};
std::string FormatItemDate(absl::CivilMinute t, DateFormat f);

struct Item {
  std::string title;
  absl::CivilMinute time;       // publication time shown (site-local); mailbox: submitted
  absl::CivilMinute path_time;  // date in the article's URL (differs from time if forged)
  int id = 0;                   // unique within the site
  // Mailbox letters (interaction columns): the reply comes this many days after the
  // letter (-1: never); a reply later than the day being served is not there yet.
  int reply_after_days = -1;
  // Family sites: a lexicon term the article's body carries ("" none).
  std::string body_term;
};

struct Column {
  std::string name;  // e.g. 工作动态
  std::string slug;  // e.g. gzdt -> /col/gzdt/
  Category category = Category::kNews;
  ListTemplate list_template = ListTemplate::kUlSpan;
  DateFormat date_format = DateFormat::kIso;
  std::vector<Item> items;                      // newest first; empty = blank column
  bool says_no_info = false;                    // a blank column renders 暂无信息
  absl::Duration delay = absl::ZeroDuration();  // slow list page (still healthy)
  enum class HrefStyle { kAbsolutePath, kRelative, kFullUrl } href_style = HrefStyle::kAbsolutePath;

  // Visible text shown above the list (column intro or, on a hacked site, spam).
  std::string intro;

  // Family sites (Family != kClassic).
  enum class Kind { kList, kStatic } kind = Kind::kList;  // static: text, no list; never blank
  std::string path;       // the column's URL path as the family writes it
  std::string found_via;  // nav | submenu | more | sidebar | topic (a 专题专栏/办事服务 block)
  std::string parent;     // navigation parent or block heading ("" none)
  std::string text;       // static pages: their text
  bool empty_as_datastore = false;  // a blank column shows an empty data-store

  std::string Path() const { return path.empty() ? "/col/" + slug + "/" : path; }
  std::string ArticlePath(const Item& item) const;
};

// A link that is broken on purpose; it appears on exactly one page.
struct BrokenLink {
  // What the link is, as planted: a page, a file attachment (its URL ends in .pdf, .doc
  // ...), or an online system (its text names one: 网上办事系统, ...查询).
  enum class Kind { kPage, kAttachment, kOnlineSystem };
  std::string url;     // absolute URL of the target
  std::string href;    // as written in the page
  std::string anchor;  // link text
  int column = -1;     // page it appears on: -1 = homepage, else column index
  std::string error;   // http_404 | http_5xx | timeout | soft_404 | redirect_loop | dns | connect
  int status = 0;      // 404, 500, 200 (soft_404), 302 (redirect_loop: the last answer); 0 for
                       // timeout/dns/connect
  Kind kind = Kind::kPage;
};

// A link hidden from readers on the homepage (injected spam).
struct HiddenLink {
  std::string url;     // absolute, on a SpamHosts() host
  std::string anchor;  // link text
  std::string how;     // display:none | off-screen | font-size:0
};

// A lexicon term placed in a page's visible text (exactly once on that page).
struct PlantedTerm {
  std::string kind;  // sensitive_word | serious_typo
  std::string term;
  std::string correction;
  int column = -1;   // the column page it is on (-1: homepage)
  std::string path;  // family sites: the page carrying it, when not a column page
};

// An item whose shown date moves later between day 0 and day 1 (same href).
struct ForgedDate {
  int column = -1;
  int item_id = 0;
  absl::CivilMinute before;  // shown on day 0
  absl::CivilMinute after;   // shown from day 1 on
};

struct HomeBlock {
  int column = 0;
  std::vector<int> items;  // indexes into columns[column].items
};

struct Site {
  int index = 0;
  std::string site_id;  // e.g. 4202020001
  std::string name;     // e.g. 恒丰县人民政府
  std::string host;     // e.g. www.hfx01.gov.cn
  std::string org;      // 主办单位
  std::string region;   // 6-digit region code
  std::string level;    // province | city | county
  std::string kind;     // portal | department
  std::string icp;      // ICP备案号
  Scenario scenario = Scenario::kHealthy;
  Family family = Family::kClassic;
  bool gbk = false;
  bool charset_in_header = true;  // false: only <meta> declares it
  ListTemplate home_template = ListTemplate::kUlSpan;
  DateFormat home_date_format = DateFormat::kIso;
  bool navigation_only = false;
  std::vector<Column> columns;  // navigation order
  std::vector<HomeBlock> home_blocks;
  std::vector<BrokenLink> broken_links;
  std::vector<HiddenLink> hidden_links;
  std::vector<PlantedTerm> planted_terms;
  bool has_forged_date = false;
  ForgedDate forged_date;  // when has_forged_date; in effect when options.day >= 1

  std::string Url() const { return "http://" + host + "/"; }
};

struct WebOptions {
  uint64_t seed = 1;
  int sites = 12;
  absl::CivilDay as_of = absl::CivilDay(2026, 11, 20);  // the as-of date of day 0
  // Day served: day N shows the web as of as_of + N (news columns gain items each day,
  // mailbox replies arrive, the forged_date scenario's item changes its date on day 1).
  int day = 0;
  int probes = 24;
  int items_per_column = 0;  // 0: 8-20 chosen by seed; else exactly this many
  int article_bytes = 0;     // 0: ~2 KB of text; else at least this many bytes of body
  // Articles edited a day (0..1; classic web): on each day 1..day an article is revised
  // with this probability (a draw per article and day, from the seed), and a revised
  // article carries one new paragraph a revision. 0: articles never change.
  double article_change_rate = 0;
  // Empty: the classic web. Else site i imitates families[i % size] (family_web.cc).
  std::vector<Family> families;
  absl::Duration probe_fail_delay = absl::Seconds(3);
  absl::Duration hang_delay = absl::Seconds(8);
  absl::Duration slow_page_delay = absl::Milliseconds(1200);
};

struct Web {
  WebOptions options;
  std::vector<Site> sites;

  // The monitoring date of the day served: as_of + day.
  absl::CivilDay Today() const { return options.as_of + options.day; }
};

// Builds the model; same options -> identical model.
Web BuildWeb(const WebOptions& options);

// Hosts outside the registry that pages link to (中国政府网 ...); served 200.
const std::vector<std::string>& ExternalHosts();
// Spam hosts the hidden links point to; served 200 (a neutral page).
const std::vector<std::string>& SpamHosts();

// Is a mailbox letter answered on `today`? Its reply date then (`replied`).
bool Answered(const Item& letter, absl::CivilDay today, absl::CivilDay* replied = nullptr);

// Days between two civil days (a - b).
inline int64_t DaysBetween(absl::CivilDay a, absl::CivilDay b) { return a - b; }

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_SITE_MODEL_H_
