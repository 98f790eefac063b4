// Three CMS families whose column lists are built by JavaScript in the browser
// (docs/SIMWEB.md "Script-built lists"), on Hanweb's URLs and chrome. The forms follow
// provincial CMSs seen on public sites:
// - listdata: the list as a JavaScript object in an inline <script> (`var listData =
//   {articleList: [{title, showTitle: "<p>…</p>", pubDate: "YYYY-MM-DD HH:MM", urls:
//   "{\"pc\": …}"}]}`) rendered through a text/x-handlebars-template, beside a channel
//   tree with epoch-millisecond releaseTime values that is not a list;
// - dataurl: an empty container; the script fetches the list after load from a JSON data
//   URL with the channel id and a page number (XMLHttpRequest), or, on every other
//   column, from a JSONP script;
// - rendered: the rows ship base64-encoded and are decoded by script: only a browser (the
//   census's rendered look) reads them.
// An empty column is the same page with no rows; the browser then shows 暂无信息.

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "simweb/family_markup.h"
#include "simweb/family_web.h"

namespace census::simweb {
namespace {

constexpr int kChannelBase = 1000;

std::string JsonEscape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// HTML-escaped too: the strings sit inside <script>, where "</" must not appear.
std::string ScriptString(absl::string_view s) {
  return absl::StrReplaceAll(JsonEscape(s), {{"</", "<\\/"}, {"<", "\\u003c"}, {">", "\\u003e"}});
}

int64_t EpochMillis(absl::CivilMinute t) {
  return absl::ToUnixMillis(absl::FromCivil(t, absl::FixedTimeZone(8 * 3600)));
}

int ChannelOf(size_t ci) { return kChannelBase + static_cast<int>(ci); }

// The empty-list message a script writes when its data holds no rows.
constexpr char kNoRows[] = "<li class=\\\"nodata\\\">暂无信息</li>";

std::string ListData(const Site& s, const Column& c, size_t ci) {
  std::string tree = "[";
  int k = 0;
  for (const Column& other : s.columns) {
    if (k > 0) tree += ",";
    absl::StrAppend(&tree, "{\"name\":\"", ScriptString(other.name), "\",\"url\":\"", other.path,
                    "\",\"releaseTime\":", EpochMillis(absl::CivilMinute(2026, 1, 1 + k % 28, 8)),
                    ",\"children\":[]}");
    if (++k == 6) break;
  }
  tree += "]";
  std::string rows;
  for (const Item& item : c.items) {
    const std::string title = ScriptString(item.title);
    absl::StrAppend(&rows, "      {\n        title: '", title, "',\n        showTitle: '<p>", title,
                    "</p>',\n        pubDate: \"", FormatItemDate(item.time, DateFormat::kDateTime),
                    "\",\n        urls: \"{\\\"pc\\\":\\\"", FamilyArticlePath(s, c, item),
                    "\\\"}\"\n      },\n");
  }
  return absl::StrCat(
      "<ul class=\"list\" id=\"articleList\"></ul>\n"
      "<script id=\"list-tpl\" type=\"text/x-handlebars-template\">{{#each articleList}}"
      "<li><a href=\"{{url}}\" target=\"_blank\">{{{showTitle}}}</a><span>{{pubDate}}</span>"
      "</li>{{/each}}</script>\n<script>\n  var channelTree = [{\"name\":\"",
      ScriptString(c.parent.empty() ? c.name : c.parent),
      "\",\"url\":\"/\",\"releaseTime\":", EpochMillis(absl::CivilMinute(2026, 1, 1, 8)),
      ",\"children\":", tree, "}];\n  var listData = {\n    channelId: ", ChannelOf(ci),
      ",\n    pageNo: 1,\n    articleList: [\n", rows,
      "    ]\n  };\n"
      "  (function () {\n"
      "    var a = listData.articleList, h = \"\";\n"
      "    for (var i = 0; i < a.length; i++) {\n"
      "      h += '<li><a href=\"' + JSON.parse(a[i].urls).pc + '\" target=\"_blank\">' +\n"
      "           a[i].showTitle.replace(/<\\/?p>/g, '') + '</a><span>' +\n"
      "           a[i].pubDate.substring(0, 10) + '</span></li>';\n"
      "    }\n"
      "    document.getElementById(\"articleList\").innerHTML = h || \"",
      kNoRows,
      "\";\n"
      "  })();\n</script>\n");
}

// Odd columns load JSONP through a script element, the rest JSON through XMLHttpRequest.
bool Jsonp(size_t ci) { return ci % 2 == 1; }

std::string DataUrlList(const Site&, const Column&, size_t ci) {
  const std::string render = absl::StrCat(
      "  function showList(res) {\n"
      "    var r = res.data.records, h = \"\";\n"
      "    for (var i = 0; i < r.length; i++) {\n"
      "      var d = new Date(r[i].publishTime + 8 * 3600 * 1000).toISOString().substring(0, "
      "10);\n"
      "      h += '<li><a href=\"' + r[i].linkUrl + '\">' + r[i].docTitle + '</a><span>' + d +\n"
      "           '</span></li>';\n"
      "    }\n"
      "    document.getElementById(\"newsList\").innerHTML = h || \"",
      kNoRows, "\";\n  }\n");
  if (Jsonp(ci)) {
    return absl::StrCat("<ul class=\"list\" id=\"newsList\"></ul>\n<script>\n", render,
                        "</script>\n<script src=\"/api/list?channelId=", ChannelOf(ci),
                        "&amp;pageNo=1&amp;callback=showList\"></script>\n");
  }
  return absl::StrCat(
      "<ul class=\"list\" id=\"newsList\"></ul>\n<script>\n  var channelId = \"", ChannelOf(ci),
      "\";\n  var pageSize = 20;\n", render,
      "  var xhr = new XMLHttpRequest();\n"
      "  xhr.open(\"GET\", \"/api/list?channelId=\" + channelId + \"&pageNo=1&pageSize=\" + "
      "pageSize);\n"
      "  xhr.onload = function () { showList(JSON.parse(xhr.responseText)); };\n"
      "  xhr.send();\n</script>\n");
}

std::string EncodedList(const Site& s, const Column& c, size_t) {
  std::string rows = "[";
  for (size_t k = 0; k < c.items.size(); ++k) {
    const Item& item = c.items[k];
    absl::StrAppend(&rows, k > 0 ? "," : "", "[\"", JsonEscape(item.title), "\",\"",
                    FamilyArticlePath(s, c, item), "\",\"",
                    FormatItemDate(item.time, DateFormat::kIso), "\"]");
  }
  rows += "]";
  return absl::StrCat(
      "<ul class=\"list\" id=\"infoList\"></ul>\n<script>var _d = \"", absl::Base64Escape(rows),
      "\";</script>\n<script>\n"
      "  (function () {\n"
      "    var rows = JSON.parse(decodeURIComponent(escape(atob(_d)))), h = \"\";\n"
      "    for (var i = 0; i < rows.length; i++) {\n"
      "      h += '<li><a href=\"' + rows[i][1] + '\">' + rows[i][0] + '</a><span>' + rows[i][2] "
      "+\n"
      "           '</span></li>';\n"
      "    }\n"
      "    document.getElementById(\"infoList\").innerHTML = h || \"",
      kNoRows, "\";\n  })();\n</script>\n");
}

// /api/list?channelId=N&pageNo=1[&callback=F]: the column's rows as JSON (or JSONP).
bool DataUrlEndpoint(const Site& s, absl::string_view path, absl::string_view query, int* status,
                     std::string* body, std::string* content_type) {
  if (path != "/api/list") return false;
  int channel = -1, page = 1;
  std::string callback;
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, '=');
    if (kv.first == "channelId" && !absl::SimpleAtoi(kv.second, &channel)) channel = -1;
    if (kv.first == "pageNo" && !absl::SimpleAtoi(kv.second, &page)) page = 0;
    if (kv.first == "callback") callback = std::string(kv.second);
  }
  const int ci = channel - kChannelBase;
  if (ci < 0 || ci >= static_cast<int>(s.columns.size()) || page < 1) {
    *status = 404;
    *content_type = "application/json;charset=UTF-8";
    *body = "{\"code\":404,\"msg\":\"no such channel\"}";
    return true;
  }
  const Column& c = s.columns[static_cast<size_t>(ci)];
  std::string records;
  if (page == 1) {
    for (size_t k = 0; k < c.items.size(); ++k) {
      const Item& item = c.items[k];
      absl::StrAppend(&records, k > 0 ? ",\n" : "", "{\"docId\":", item.id, ",\"docTitle\":\"",
                      JsonEscape(item.title), "\",\"linkUrl\":\"", FamilyArticlePath(s, c, item),
                      "\",\"publishTime\":", EpochMillis(item.time), ",\"source\":\"",
                      JsonEscape(s.org), "\"}");
    }
  }
  const std::string json =
      absl::StrCat("{\"code\":200,\"msg\":\"success\",\"data\":{\"total\":", c.items.size(),
                   ",\"pageNo\":", page, ",\"records\":[", records, "]}}");
  *status = 200;
  if (!callback.empty()) {
    *content_type = "application/javascript;charset=UTF-8";
    *body = absl::StrCat(callback, "(", json, ");");
  } else {
    *content_type = "application/json;charset=UTF-8";
    *body = json;
  }
  return true;
}

FamilyMarkup ScriptFamily(std::string (*list)(const Site&, const Column&, size_t)) {
  FamilyMarkup m = HanwebMarkup();
  m.script_list = list;
  return m;
}

}  // namespace

const FamilyMarkup& ListDataMarkup() {
  static const FamilyMarkup m = ScriptFamily(ListData);
  return m;
}

const FamilyMarkup& DataUrlMarkup() {
  static const FamilyMarkup m = [] {
    FamilyMarkup d = ScriptFamily(DataUrlList);
    d.data_endpoint = DataUrlEndpoint;
    return d;
  }();
  return m;
}

const FamilyMarkup& EncodedListMarkup() {
  static const FamilyMarkup m = ScriptFamily(EncodedList);
  return m;
}

}  // namespace census::simweb
