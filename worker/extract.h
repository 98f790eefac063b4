#ifndef CENSUS_WORKER_EXTRACT_H_
#define CENSUS_WORKER_EXTRACT_H_

// Page extraction: what the census reads from one fetched page, with libxml2's HTML
// parser. Pure function of (bytes, content type, options): no I/O, thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/category.h"
#include "proto/census.pb.h"

namespace census {

struct ExtractOptions {
  std::string base_url;    // resolves relative hrefs; may be empty
  absl::CivilDay as_of;    // resolves year-less dates ("11-12", "[06-12]");
                           // a page that states its generation time
                           // (页面生成时间) resolves against that when earlier.
                           // Unset (default 1970-01-01): year-less dates
                           // stay "" unless the page states that time.
  std::string list_xpath;  // optional XPath selecting the list items' elements
  // The page is a column's list page (the census leased it as a column): its kind
  // is "list" when it holds any dated content item, however few, unless it is
  // plainly an article (docs/COLUMNS.md). Off, the kind is guessed from the page
  // alone, as for a page of unknown role.
  bool column_page = false;
  // Fill PageExtract::content_lines on a page that is not a column's (the census
  // measures its homepage too: lines the homepage shares with a column page are the
  // site's template, not the column's content).
  bool measure_own_text = false;
};

struct ExtractedItem {
  std::string title;
  std::string href;      // absolute when base_url is set
  std::string date;      // YYYY-MM-DD, "" when none
  std::string date_raw;  // date text as it appears
};

struct ExtractedLink {
  std::string url;  // absolute (http/https only; javascript:, mailto:, # dropped)
  std::string text;
  bool hidden = false;      // hidden from readers (style/class/off-screen/tiny)
  bool attachment = false;  // .doc .pdf .xls .zip ...
  std::string hidden_how;   // why it counts as hidden: "display:none", "off-screen", ...
};

struct NavColumn {
  std::string name;  // anchor text (for a "more" link: its block's heading)
  std::string url;   // absolute
  Category category = OTHER;
  // How the page links it: "nav" (a navigation block), "submenu" (under a parent
  // entry such as a `javascript:;` 政务公开), "more" (a block's 更多 link), "block" (a
  // link of a headed block such as 专题专栏), "named" (elsewhere, a short link text
  // that names a column category).
  std::string via;
  std::string parent;  // the parent entry's or block heading's text, "" when none
};

// One line of a page's own text (internal/page_content.h): its stable hash and
// how many letters, digits and ideographs it has; a link of the page's main area is
// an entry too, hashed by its target (common/text_hash.h LinkTextHash) with its
// text's count negated.
struct ContentLine {
  uint64_t hash = 0;
  int chars = 0;  // < 0: a link with -chars characters of text
};

struct PageExtract {
  std::string charset;
  std::string kind;  // list | article | home | mailbox | other
  std::string title;
  std::vector<ExtractedItem> items;      // dated (and undated) items of the main list(s)
  std::string latest_date;               // newest item date, or publication date
  std::string publication_date;          // articles
  std::vector<ExtractedLink> links;      // every distinct link on the page
  std::vector<NavColumn> nav_columns;    // candidate columns (homepage navigation);
                                         // filled for every kind when base_url is an
                                         // absolute http(s) URL, empty otherwise
  bool blank_placeholder = false;        // 暂无信息 / 暂无数据 / 暂无内容 ...
  std::string text;                      // visible text, whitespace collapsed
  std::string next_page_url;             // list pages: the pager's next page, "" if none
  std::vector<MailboxMessage> messages;  // mailbox list pages (kind "mailbox")
  // The page's own text outside links and site chrome, line by line: a column
  // page with no list is blank only when none of it is its own (the aggregator
  // subtracts lines that recur on the site's other pages). Column pages only
  // (ExtractOptions::column_page or measure_own_text).
  std::vector<ContentLine> content_lines;
  bool script_list = false;  // a script or iframe may fill the page after load
  bool scripted = false;     // column pages: it has a script or a frame at all
  // Column pages without items: an empty list element (<ul class="list"></ul>, an empty
  // data store) that a script may fill.
  bool empty_list_container = false;
  // Where the items were read (docs/COLUMNS.md "Lists that scripts build"): "html" (the
  // page's markup, comments included) or "script" (data a script carries: a JSON or
  // JavaScript array of objects, data-store records); "" without items.
  std::string list_source;
  // Column pages without items whose scripts name the list's data URL (JSON, JSONP,
  // data-store records): absolute, at most 4. The worker reads them (ExtractListData).
  std::vector<std::string> list_data_urls;
  std::vector<std::string> breadcrumb;  // 当前位置 names, root first (no 首页)
};

// Never fails on bad bytes; InvalidArgument only when the input is not HTML at all
// (e.g. a binary body).
absl::StatusOr<PageExtract> ExtractPage(absl::string_view bytes,
                                        absl::string_view content_type_header,
                                        const ExtractOptions& options);

// The items of a list's data URL body: JSON or JSONP (arrays of objects with a title,
// a link and a date, as in a page's scripts), or markup (an HTML fragment of rows or
// data-store records, read as a column page). Links resolve against
// options.base_url (the page that named the URL). InvalidArgument for a binary body.
absl::StatusOr<PageExtract> ExtractListData(absl::string_view bytes,
                                            absl::string_view content_type_header,
                                            const ExtractOptions& options);

// The visible text of a page (charset detected as ExtractPage does, block lines
// joined by spaces): what a reader of an article sees, for the lexicon scan of the
// pages a census only link-checks. InvalidArgument for a body that is not HTML.
absl::StatusOr<std::string> PageVisibleText(absl::string_view bytes,
                                            absl::string_view content_type_header);

// Column category from its name: 动态/要闻/新闻 → NEWS, 通知/公告/公示 → NOTICE,
// 政策/文件/法规/解读 → POLICY, 人事/任免 → PERSONNEL, 规划/计划 → PLAN,
// 信箱/留言/咨询/互动 → INTERACTION, 办事/服务/指南 → SERVICE, 专题/专栏 → TOPIC,
// else OTHER. Also accepts the English names (news, notice, ...).
Category ClassifyColumnName(absl::string_view name);

// The category of a column named `name` under the navigation parent or breadcrumb
// ancestors `parents` (nearest last): the name decides when it names a category;
// under 专题专栏 every column is a topic and under 办事服务 a service one whatever
// its name; otherwise the nearest parent that names a category decides
// (新闻中心 ▸ 乡镇 is news). OTHER when nothing does.
Category ClassifyColumn(absl::string_view name, const std::vector<std::string>& parents);

// Dates: parses one date expression anywhere in `text` (2026-11-12, 2026/11/12,
// 2026.11.12, 2026年11月12日, 二〇二六年十一月十二日, [11-12], date-times). Year-less
// forms take the year that puts the date nearest before `as_of` (not after it).
// Returns false when `text` holds no date.
bool ParseDate(absl::string_view text, absl::CivilDay as_of, absl::CivilDay* out,
               std::string* raw = nullptr);

// Resolves `href` against `base` (RFC 3986); "" when the result is not http(s).
std::string ResolveUrl(absl::string_view base, absl::string_view href);

// The JSON printed by `census extract` (DESIGN.md). Missing dates are null; also
// carries "date_raw" per item, "blank_placeholder", "nav_columns",
// "hidden_links" [{url, text, how}], "attachments" [url], "next_page" (null when
// none) and "messages" [{title, href, submitted, answered, replied, status}].
// "links" stays a list of URL strings.
std::string PageExtractToJson(const PageExtract& page);

}  // namespace census

#endif  // CENSUS_WORKER_EXTRACT_H_
