#ifndef CENSUS_SERVE_ARCHIVE_H_
#define CENSUS_SERVE_ARCHIVE_H_

// What `census serve` does to stored pages, without the store or the server: Wayback-style
// timestamps, an archived page's links rewritten into the archive, its visible text, and
// the difference between two versions (docs/SERVE.md).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/web_text.h"
#include "proto/census.pb.h"

namespace census::serve {

// `ms` (Unix milliseconds) as the 14 digits YYYYMMDDhhmmss, UTC.
std::string Timestamp14(int64_t ms);
// The first millisecond of the second a 14-digit timestamp names; false unless `ts` is
// exactly 14 digits of a valid UTC time. A version "at or before T" is one fetched
// before *start_ms + 1000: the address names a whole second.
bool ParseTimestamp14(absl::string_view ts, int64_t* start_ms);

// "host[:port]" of an http(s) URL, lower-cased; "" for anything else.
std::string UrlHost(absl::string_view url);

// HtmlEscape and PercentEncode: common/web_text.h.
using census::HtmlEscape;
using census::PercentEncode;
// Undoes PercentEncode ('+' stays '+'); a malformed escape is kept as it is.
std::string PercentDecode(absl::string_view text);
// The value of `name` in a query string ("a=1&b=2"), percent-decoded; "" when absent.
std::string QueryValue(absl::string_view query, absl::string_view name);

// The page's own links pointed into the archive: every href, src, action, background
// and poster attribute of the markup whose value resolves (against `page_url`) to an
// http(s) URL becomes `prefix` + that URL (prefix e.g. "/web/20261120093000/"). Values
// that are fragments only, javascript:, mailto:, data: ... stay; so do the contents of
// <script>, <style> and comments. Every other byte is kept as stored (a byte scan, not a
// parse and re-serialization, so a page in GBK stays GBK).
std::string RewriteLinks(absl::string_view html, absl::string_view page_url,
                         absl::string_view prefix);

// The text a reader sees, one line per run of text between tags, whitespace collapsed,
// the common entities decoded; <script>, <style>, <noscript>, <template> and comments
// left out. The body is decoded to UTF-8 first (worker/charset.h: header, BOM, meta,
// detector).
std::vector<std::string> VisibleTextLines(absl::string_view body, absl::string_view content_type);

// A line diff (longest common subsequence; above 4 million line pairs, lines only in one
// side, as multisets): the lines of `before` not kept and the lines of `after` new, in
// their order.
struct LineDiff {
  std::vector<std::string> removed;
  std::vector<std::string> added;
};
LineDiff DiffLines(const std::vector<std::string>& before, const std::vector<std::string>& after);

// Two versions' extracted list items, matched by link (an item without one by its
// title; the n-th item with a key in one version matches the n-th with it in the other).
struct ItemRow {
  enum Change { kSame, kAdded, kRemoved, kDateMoved, kRetitled };
  Change change = kSame;
  std::string title;      // the newer title (the older for a removed item)
  std::string old_title;  // kRetitled
  std::string href;
  std::string date_before;  // "" when added, or undated
  std::string date_after;   // "" when removed, or undated
};
// Rows in the newer version's order, each removed item after the row it followed.
std::vector<ItemRow> DiffItems(const PageObservation& before, const PageObservation& after);

}  // namespace census::serve

#endif  // CENSUS_SERVE_ARCHIVE_H_
