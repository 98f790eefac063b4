#ifndef CENSUS_WORKER_INTERNAL_PAGE_CONTENT_H_
#define CENSUS_WORKER_INTERNAL_PAGE_CONTENT_H_

// What a page holds besides its list: the text a reader sees in its main area
// (not links, not navigation, header, footer or breadcrumb), whether a script
// fills its list after load, and the breadcrumb (当前位置). A column page with no
// list is blank only when this is empty (docs/COLUMNS.md).

#include <cstdint>
#include <string>
#include <vector>

#include "worker/extract.h"
#include "worker/internal/html_dom.h"
#include "worker/internal/url_resolver.h"

namespace census {
namespace internal {

// The text lines of `body` a reader would call the page's own content: text at
// block boundaries, collapsed, outside <a>, forms, navigation/header/footer/
// breadcrumb blocks (by tag and id/class hints), non-content elements and
// hidden elements. Lines of only digits, dates or punctuation are dropped.
// Lines contained in the page's <title> (`title`: the column's own heading, a
// breadcrumb's last name) are dropped too. Links of the main area (not "more" or
// pager links) count as content: a page of undated links (领导信息, 机构设置) is not
// blank; each is kept by LinkTextHash of its target with its text's characters.
// Each line is kept as its TextHash and character count: the aggregator
// subtracts lines that recur on the site's other pages (the template's chrome)
// and links to the site's own columns and homepage.
std::vector<ContentLine> ContentLines(const xmlNode* body, absl::string_view title,
                                      UrlResolver* urls);

// What a page's scripts and frames may do in a browser.
struct ScriptFacts {
  // A page whose list is empty may still show one in a browser: an inline script
  // loads list data after load (XMLHttpRequest, $.ajax, $.get/$.post/getJSON,
  // fetch(, axios, jsonp; not a visit counter), an inline script holds dated records
  // (two or more full dates), a client-side template (<script type="text/x-handlebars-
  // template">) is there, or an <iframe> sits outside the navigation.
  bool may_fill = false;
  // Any JavaScript <script> or visible <iframe>: what a browser shows may differ from the
  // markup.
  bool scripted = false;
  // An empty list element (<ul class="list"></ul>, an empty <tbody>, a <div id="…list…">
  // with nothing in it, a data store with no records) outside the chrome.
  bool empty_container = false;
  // The list data URLs those scripts name (ScriptDataUrls, and <script src> that look
  // like data: JSONP), as written, at most 4.
  std::vector<std::string> data_urls;
};
ScriptFacts ScriptsOf(const xmlNode* root);

// The breadcrumb's names, root first, without 首页 / 网站首页 / 当前位置 and the
// like: the line of `lines` that starts with 当前位置 / 您的位置 / 您现在的位置 /
// 所在位置 split at > » › → / . Empty when there is none.
std::vector<std::string> Breadcrumb(const std::vector<std::string>& lines);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_PAGE_CONTENT_H_
