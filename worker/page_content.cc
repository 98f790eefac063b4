// A page's own content besides its list (see internal/page_content.h).

#include "worker/internal/page_content.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/text_hash.h"
#include "worker/internal/dates.h"
#include "worker/internal/list_finder.h"
#include "worker/internal/script_data.h"

namespace census {
namespace internal {
namespace {

const char* Str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

// Elements whose text is never the page's own content.
bool IsChromeTag(const xmlNode* n) {
  static constexpr absl::string_view kTags[] = {
      "form",     "button", "input", "select", "textarea", "iframe", "nav",     "header",
      "footer",   "img",    "svg",   "object", "embed",    "label",  "marquee", "option",
      "optgroup", "map",    "area",  "video",  "audio",    "canvas"};
  const absl::string_view tag = TagName(n);
  for (absl::string_view t : kTags) {
    if (tag == t) return true;
  }
  return IsTag(n, kEmbeddedTag);
}

// id/class words of site chrome: navigation, header, footer, breadcrumb, search,
// link farms. Matched per word (class="list top-news" is not chrome for "top").
bool IsChromeWord(absl::string_view w) {
  static constexpr absl::string_view kParts[] = {
      "nav",    "menu",    "footer", "foot",   "bottom",  "copyright",  "banquan",  "header",
      "banner", "logo",    "crumb",  "dqwz",   "weizhi",  "position",   "location", "friend",
      "yqlj",   "youqing", "search", "sousuo", "daohang", "toolbar",    "share",    "fenxiang",
      "print",  "dayin",   "pager",  "paging", "fenye",   "pagination", "weather",  "skip"};
  for (absl::string_view p : kParts) {
    if (absl::StrContains(w, p)) return true;
  }
  if (absl::StartsWith(w, "top") && !absl::StartsWith(w, "topic")) return true;
  return w == "head" || absl::StartsWith(w, "head_") || absl::StartsWith(w, "head-");
}

bool IsChromeBlock(const xmlNode* n) {
  std::string storage;
  for (const char* attr : {"id", "class"}) {
    const std::string value = absl::AsciiStrToLower(AttrView(n, attr, &storage));
    for (absl::string_view w :
         absl::StrSplit(value, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
      if (IsChromeWord(w)) return true;
    }
  }
  return false;
}

bool IsBlock(absl::string_view t) {
  static constexpr absl::string_view kBlocks[] = {
      "p",       "div", "li",  "ul",         "ol",    "tr",     "td",   "th",    "table", "br",
      "h1",      "h2",  "h3",  "h4",         "h5",    "h6",     "dd",   "dt",    "dl",    "section",
      "article", "hr",  "pre", "blockquote", "tbody", "center", "main", "aside", "span"};
  for (absl::string_view b : kBlocks) {
    if (t == b) return true;
  }
  return false;
}

// Letters, digits and CJK ideographs: punctuation and symbols do not make content.
int ContentChars(absl::string_view line, bool* only_dates_or_digits) {
  int chars = 0;
  bool letters = false;
  for (size_t i = 0; i < line.size();) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c < 0x80) {
      if (absl::ascii_isalpha(c)) letters = true;
      if (absl::ascii_isalnum(c)) ++chars;
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (i + len > line.size()) break;
    uint32_t cp = 0;
    if (len == 3) {
      cp = ((c & 0x0F) << 12) | ((line[i + 1] & 0x3F) << 6) | (line[i + 2] & 0x3F);
    }
    // CJK unified ideographs (and extension A); 年月日 alone are date words.
    if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || len == 4) {
      ++chars;
      const absl::string_view ch = line.substr(i, len);
      if (ch != "年" && ch != "月" && ch != "日" && ch != "时" && ch != "分") letters = true;
    } else if (len == 2) {
      ++chars;  // Latin with diacritics, Cyrillic ...
      letters = true;
    }
    i += len;
  }
  *only_dates_or_digits = !letters;
  return chars;
}

// Lines that are page furniture whatever their block: breadcrumbs, pagers,
// visit counters, the date of today.
bool IsFurnitureLine(absl::string_view line) {
  static constexpr absl::string_view kWords[] = {
      "当前位置", "您的位置", "您现在的位置", "所在位置", "当前页",   "条记录",  "访问量",
      "浏览次数", "今天是",   "星期",         "字号",     "打印本页", "关闭窗口"};
  for (absl::string_view w : kWords) {
    if (absl::StrContains(line, w)) return true;
  }
  return (absl::StrContains(line, "共") || absl::StrContains(line, "第")) &&
         absl::StrContains(line, "页") && line.size() <= 90;
}

// Letters, digits and ideographs only: "> > 人事信息" and "人事信息_某县" compare.
std::string LettersOnly(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    bool keep = c < 0x80 ? absl::ascii_isalnum(c) != 0 : true;
    if (len == 3 && i + 2 < s.size()) {
      const uint32_t cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
      keep = (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
    }
    if (keep) out.append(s.data() + i, std::min(len, s.size() - i));
    i += len;
  }
  return out;
}

struct LineWalk {
  std::string title;  // letters only
  UrlResolver* urls = nullptr;
  std::string cur;
  std::vector<ContentLine> out;

  void Flush() {
    std::string line = CollapseWhitespace(cur);
    cur.clear();
    if (line.empty() || IsFurnitureLine(line)) return;
    bool dates_only = false;
    const int chars = ContentChars(line, &dates_only);
    if (chars == 0 || dates_only) return;
    if (!title.empty() && absl::StrContains(title, LettersOnly(line))) return;
    out.push_back({TextHash(line), chars});
  }

  void Link(const xmlNode* a) {
    if (HiddenByStyle(a)) return;
    const std::string text = NodeText(a);
    bool dates_only = false;
    const int chars = ContentChars(text, &dates_only);
    if (chars < 2 || dates_only || IsMoreLink(text)) return;
    std::string storage;
    const std::string url = urls->Resolve(AttrView(a, "href", &storage));
    if (url.empty()) return;
    out.push_back({LinkTextHash(url), -chars});  // negative: a link (extract.h)
  }

  void Walk(const xmlNode* n) {
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        if (c->content != nullptr) cur += Str(c->content);
        continue;
      }
      if (IsTag(c, "a")) {
        Link(c);
        continue;
      }
      if (c->type != XML_ELEMENT_NODE || IsNonContent(c) || IsChromeTag(c) || HiddenByStyle(c) ||
          IsChromeBlock(c) || IsBoilerplateBlock(c)) {
        continue;
      }
      const bool block = IsBlock(TagName(c));
      if (block) Flush();
      Walk(c);
      if (block) Flush();
    }
  }
};

// An inline script that fetches data after load, for a list rather than a visit
// counter or a statistics beacon.
bool ScriptLoadsList(absl::string_view script) {
  static constexpr absl::string_view kLoaders[] = {
      "XMLHttpRequest", "$.ajax", "$.get", "$.post", "getJSON",
      "jQuery.ajax",    "fetch(", "axios", "jsonp",  ".load("};
  bool loads = false;
  for (absl::string_view l : kLoaders) loads = loads || absl::StrContains(script, l);
  if (!loads) return false;
  const std::string lower = absl::AsciiStrToLower(script);
  static constexpr absl::string_view kListWords[] = {
      "list", "page",  "channel", "column", "col",  "article", "info",
      "news", "query", "search",  "data",   "json", "record"};
  static constexpr absl::string_view kCounterWords[] = {"count",  "visit", "click", "hits",
                                                        "tongji", "stat",  "fwl",   "pv"};
  bool list = false;
  for (absl::string_view w : kListWords) list = list || absl::StrContains(lower, w);
  bool counter = false;
  for (absl::string_view w : kCounterWords) counter = counter || absl::StrContains(lower, w);
  return list && !(counter && lower.size() < 600);
}

// Data a script renders itself: two or more full dates in an inline script
// (var listData = {articleList: [{title, pubDate: "2026-11-20 09:30"} ...]}) that
// the extractor's JSON reading did not turn into items.
bool ScriptHoldsDatedRecords(absl::string_view script) {
  int dates = 0;
  DateMatch m;
  for (size_t from = 0; from < script.size() && dates < 2 && FindDate(script, from, &m);
       from = m.end) {
    if (m.year != 0) ++dates;
  }
  return dates >= 2;
}

// A list element with nothing in it (<ul class="list"></ul>, an empty <tbody>, a
// <div id="newsList"></div>) outside the site's chrome: what a script fills.
bool IsEmptyListContainer(const xmlNode* n) {
  const absl::string_view tag = TagName(n);
  bool list = tag == "ul" || tag == "ol" || tag == "tbody" || tag == "dl";
  if (!list && (tag == "div" || tag == "table")) {
    std::string id_storage, class_storage;
    const std::string names = absl::AsciiStrToLower(
        absl::StrCat(AttrView(n, "id", &id_storage), " ", AttrView(n, "class", &class_storage)));
    list = absl::StrContains(names, "list");
  }
  if (!list) return false;
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) return false;
    if (c->type == XML_TEXT_NODE && c->content != nullptr &&
        !absl::StripAsciiWhitespace(Str(c->content)).empty()) {
      return false;
    }
  }
  return !IsBoilerplateBlock(n) && !IsChromeBlock(n) && !IsChromeBlock(n->parent);
}

void ScriptTexts(const xmlNode* n, ScriptFacts* facts, int depth) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (IsTag(c, "iframe") && !IsBoilerplateBlock(c->parent) && !IsChromeBlock(c->parent)) {
      std::string storage;
      const absl::string_view src = AttrView(c, "src", &storage);
      if (!src.empty() && !HiddenByStyle(c)) facts->may_fill = facts->scripted = true;
      continue;
    }
    if (IsTag(c, "script")) {
      std::string storage;
      {
        // Only JavaScript runs (text/xml data stores and templates are data for one).
        const std::string type = absl::AsciiStrToLower(AttrView(c, "type", &storage));
        if (type.empty() || type == "module" || absl::StrContains(type, "javascript") ||
            absl::StrContains(type, "ecmascript")) {
          facts->scripted = true;
        }
      }
      if (const absl::string_view src = AttrView(c, "src", &storage); !src.empty()) {
        // Libraries are not this page's data; a JSONP or data source is.
        if (LooksLikeDataUrl(src) && facts->data_urls.size() < 4)
          facts->data_urls.emplace_back(src);
        continue;
      }
      const std::string type = absl::AsciiStrToLower(AttrView(c, "type", &storage));
      std::string text;
      for (const xmlNode* t = c->children; t != nullptr; t = t->next) {
        if (t->content != nullptr) text += Str(t->content);
      }
      // A client-side template (handlebars, x-template) renders a list in the browser.
      if (absl::StrContains(type, "template") || absl::StrContains(type, "handlebars")) {
        facts->may_fill = true;
        continue;
      }
      // A data store with no records: an empty list a script pages into.
      if (absl::StrContains(text, "<recordset") && !absl::StrContains(text, "<record>")) {
        facts->empty_container = true;
      }
      if (ScriptLoadsList(text) || ScriptHoldsDatedRecords(text)) {
        facts->may_fill = true;
        for (std::string& url : ScriptDataUrls(text)) {
          if (facts->data_urls.size() < 4) facts->data_urls.push_back(std::move(url));
        }
      }
      continue;
    }
    if (!facts->empty_container && IsEmptyListContainer(c)) facts->empty_container = true;
    if (depth < 64) ScriptTexts(c, facts, depth + 1);
  }
}

}  // namespace

std::vector<ContentLine> ContentLines(const xmlNode* body, absl::string_view title,
                                      UrlResolver* urls) {
  LineWalk walk;
  walk.title = LettersOnly(title);
  walk.urls = urls;
  if (body == nullptr) return walk.out;
  walk.Walk(body);
  walk.Flush();
  return std::move(walk.out);
}

ScriptFacts ScriptsOf(const xmlNode* root) {
  ScriptFacts facts;
  if (root != nullptr) ScriptTexts(root, &facts, 0);
  return facts;
}

std::vector<std::string> Breadcrumb(const std::vector<std::string>& lines) {
  static constexpr absl::string_view kStarts[] = {"当前位置",     "您的位置", "您现在的位置",
                                                  "您当前的位置", "所在位置", "当前页面"};
  for (const std::string& line : lines) {
    if (line.size() > 300) continue;
    size_t at = std::string::npos;
    for (absl::string_view s : kStarts) {
      if (const size_t p = line.find(s.data(), 0, s.size()); p != std::string::npos && p < 12) {
        at = p + s.size();
        break;
      }
    }
    if (at == std::string::npos) continue;
    absl::string_view rest = absl::string_view(line).substr(at);
    absl::ConsumePrefix(&rest, "：");
    absl::ConsumePrefix(&rest, ":");
    // Multi-byte separators become '>' first: splitting on their bytes would cut
    // CJK characters that share them.
    const std::string plain = absl::StrReplaceAll(
        rest, {{"＞", ">"}, {"》", ">"}, {"→", ">"}, {"»", ">"}, {"›", ">"}, {"＼", ">"}});
    std::vector<std::string> names;
    for (absl::string_view part :
         absl::StrSplit(plain, absl::ByAnyChar(">/|\\"), absl::SkipWhitespace())) {
      part = absl::StripAsciiWhitespace(part);
      if (part.empty() || part == "首页" || part == "网站首页" || part == "主页" ||
          part == "正文" || part == "详情") {
        continue;
      }
      names.emplace_back(part);
    }
    return names;
  }
  return {};
}

}  // namespace internal
}  // namespace census
