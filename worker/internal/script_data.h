#ifndef CENSUS_WORKER_INTERNAL_SCRIPT_DATA_H_
#define CENSUS_WORKER_INTERNAL_SCRIPT_DATA_H_

// Lists that a page carries as data for its scripts rather than as markup: arrays of
// objects with a title, a date and a link in an inline <script> (a JavaScript object
// literal such as `var listData = {articleList: [{title: '…', pubDate: …}]}`), or in
// the JSON / JSONP body of the list's data URL. Read with RapidJSON after a tolerant
// pre-pass that turns JavaScript literal syntax into JSON (docs/COLUMNS.md "Lists that
// scripts build").

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace census {
namespace internal {

struct ScriptListItem {
  std::string title;      // markup stripped, whitespace collapsed
  std::string href;       // as the data gives it (a JSON-encoded {"pc": …} decoded)
  std::string date_text;  // as given, or "YYYY-MM-DD HH:MM" (Beijing time) for epoch values
};

// The items of every array of objects in `source` whose objects carry a title, a link
// and (for at least one of them) a date, whatever the keys are named (title, showTitle,
// docTitle, 标题 …; url, urls, link, href, 链接 …; pubDate, releaseTime, 发布时间 …). A
// channel tree (objects holding arrays of their kind) is not a list. `source` is
// JavaScript, JSON or JSONP; up to 4 MB of it is read.
std::vector<ScriptListItem> ScriptListItems(absl::string_view source);

// The data URLs a page's script names for its list (as written, to be resolved against
// the page): string literals — or literal + variable concatenations whose variables the
// script sets to literals — that look like list data endpoints (.json, JSONP callbacks,
// /api/ paths, dataproxy.jsp, list/channel/page query parameters). At most 4, first
// named first.
std::vector<std::string> ScriptDataUrls(absl::string_view script);

// A URL (as written) that looks like a list data endpoint, as ScriptDataUrls judges.
bool LooksLikeDataUrl(absl::string_view url);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_SCRIPT_DATA_H_
