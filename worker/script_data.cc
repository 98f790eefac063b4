// Lists carried as script data (internal/script_data.h).
//
// RapidJSON reads the data. JavaScript object literals are not JSON (bare and
// single-quoted keys, single-quoted strings, \x escapes, comments, trailing commas,
// variables and calls as values), and no Debian-packaged library parses JavaScript
// into values, so a pre-pass written here rewrites one literal at a time into JSON:
// it tokenizes, never evaluates, and turns every value it cannot read (a variable, a
// call, a function) into null. RapidJSON then does the parsing and decodes the escapes.

#include "worker/internal/script_data.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "worker/extract.h"
#include "worker/internal/html_dom.h"

namespace census {
namespace internal {
namespace {

constexpr size_t kMaxSource = 4u << 20;
constexpr size_t kMaxDepth = 64;
constexpr int kMaxNestedJson = 2;  // JSON inside a string inside JSON inside a string
constexpr unsigned kParseFlags = rapidjson::kParseTrailingCommasFlag |
                                 rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseNanAndInfFlag;

bool IdentStart(char ch) {
  const unsigned char c = static_cast<unsigned char>(ch);
  return absl::ascii_isalpha(c) || c == '_' || c == '$' || c >= 0x80;
}
bool IdentChar(char c) {
  return IdentStart(c) || absl::ascii_isdigit(static_cast<unsigned char>(c));
}
bool IsQuote(char c) { return c == '"' || c == '\'' || c == '`'; }

void SkipSpace(absl::string_view s, size_t* p) {
  while (*p < s.size()) {
    const char c = s[*p];
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      ++*p;
    } else if (c == '/' && *p + 1 < s.size() && s[*p + 1] == '/') {
      const size_t e = s.find('\n', *p);
      *p = e == absl::string_view::npos ? s.size() : e + 1;
    } else if (c == '/' && *p + 1 < s.size() && s[*p + 1] == '*') {
      const size_t e = s.find("*/", *p + 2);
      *p = e == absl::string_view::npos ? s.size() : e + 2;
    } else {
      return;
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

void AppendU(uint32_t unit, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) *out += kHex[(unit >> shift) & 15];
}

// Rewrites the JavaScript string literal at s[*p] (' " or `) as a JSON string literal
// appended to `out`; escapes stay escapes for RapidJSON to decode. False for an
// unterminated literal or a template with ${…}.
bool JsStringToJson(absl::string_view s, size_t* p, std::string* out) {
  const char q = s[*p];
  *out += '"';
  size_t i = *p + 1;
  while (i < s.size()) {
    const char c = s[i];
    if (c == q) {
      *out += '"';
      *p = i + 1;
      return true;
    }
    if ((c == '\n' || c == '\r') && q != '`') return false;
    if (q == '`' && c == '$' && i + 1 < s.size() && s[i + 1] == '{') return false;
    if (c == '"') {
      *out += "\\\"";
      ++i;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      AppendU(static_cast<unsigned char>(c), out);
      ++i;
    } else if (c != '\\') {
      *out += c;
      ++i;
    } else {
      if (i + 1 >= s.size()) return false;
      const char e = s[i + 1];
      i += 2;
      switch (e) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          *out += '\\';
          *out += e;
          break;
        case 'v':
          AppendU(0x0b, out);
          break;
        case '0':
          AppendU(0, out);
          break;
        case 'x': {
          if (i + 1 >= s.size() || HexValue(s[i]) < 0 || HexValue(s[i + 1]) < 0) return false;
          AppendU(static_cast<uint32_t>(HexValue(s[i]) * 16 + HexValue(s[i + 1])), out);
          i += 2;
          break;
        }
        case 'u': {
          uint32_t cp = 0;
          if (i < s.size() && s[i] == '{') {  // \u{1F600}
            const size_t close = s.find('}', i);
            if (close == absl::string_view::npos || close - i > 7) return false;
            for (size_t k = i + 1; k < close; ++k) {
              if (HexValue(s[k]) < 0) return false;
              cp = cp * 16 + static_cast<uint32_t>(HexValue(s[k]));
            }
            i = close + 1;
          } else {
            if (i + 4 > s.size()) return false;
            for (size_t k = i; k < i + 4; ++k) {
              if (HexValue(s[k]) < 0) return false;
              cp = cp * 16 + static_cast<uint32_t>(HexValue(s[k]));
            }
            i += 4;
          }
          if (cp > 0x10FFFF) return false;
          if (cp >= 0x10000) {
            cp -= 0x10000;
            AppendU(0xD800 + (cp >> 10), out);
            AppendU(0xDC00 + (cp & 0x3FF), out);
          } else {
            AppendU(cp, out);
          }
          break;
        }
        case '\r':  // line continuation
          if (i < s.size() && s[i] == '\n') ++i;
          break;
        case '\n':
          break;
        default:  // \' \` and unknown escapes: the character itself
          *out += e;
      }
    }
  }
  return false;
}

// Skips the string literal at s[*p]; false when unterminated.
bool SkipString(absl::string_view s, size_t* p) {
  const char q = s[*p];
  for (size_t i = *p + 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == q) {
      *p = i + 1;
      return true;
    } else if (s[i] == '\n' && q != '`') {
      return false;
    }
  }
  return false;
}

// The JavaScript string literal at s[*p], decoded (RapidJSON reads the escapes).
bool ReadJsString(absl::string_view s, size_t* p, std::string* value) {
  std::string json;
  size_t q = *p;
  if (!JsStringToJson(s, &q, &json)) return false;
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsString()) return false;
  value->assign(d.GetString(), d.GetStringLength());
  *p = q;
  return true;
}

// After a value ending at s[*p]: true when a `+` follows, with *p moved to the start of
// the term it adds (a concatenation, "a" + b + "c").
bool PlusTerm(absl::string_view s, size_t* p) {
  size_t q = *p;
  SkipSpace(s, &q);
  if (q >= s.size() || s[q] != '+') return false;
  ++q;
  SkipSpace(s, &q);
  *p = q;
  return true;
}

// Skips the bracketed group at s[*p] ('(' '[' or '{'), strings and comments included.
bool SkipGroup(absl::string_view s, size_t* p) {
  int depth = 0;
  size_t i = *p;
  while (i < s.size()) {
    const char c = s[i];
    if (IsQuote(c)) {
      if (!SkipString(s, &i)) return false;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && (s[i + 1] == '/' || s[i + 1] == '*')) {
      SkipSpace(s, &i);
      continue;
    }
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') {
      if (--depth == 0) {
        *p = i + 1;
        return true;
      }
    }
    ++i;
  }
  return false;
}

// Skips an expression that starts with an identifier: a member chain with calls and
// indexes (a.b(c)[d]), `new X(…)`, or `function (…) {…}`.
bool SkipIdentExpression(absl::string_view s, size_t* p) {
  while (true) {
    while (*p < s.size() && IdentChar(s[*p])) ++*p;
    size_t q = *p;
    SkipSpace(s, &q);
    if (q >= s.size()) return false;
    const char c = s[q];
    if (c == '.' || IdentStart(c)) {  // a.b, or `new X`, `function name`
      *p = q + (c == '.' ? 1 : 0);
      SkipSpace(s, p);
    } else if (c == '(' || c == '[' || c == '{') {
      *p = q;
      if (!SkipGroup(s, p)) return false;
      size_t r = *p;
      SkipSpace(s, &r);
      if (r < s.size() && (s[r] == '.' || s[r] == '(' || s[r] == '[' || s[r] == '{')) {
        *p = r + (s[r] == '.' ? 1 : 0);
        if (s[r] != '.') continue;
        SkipSpace(s, p);
      } else {
        return true;
      }
    } else {
      return true;
    }
  }
}

// Rewrites the JavaScript object or array literal at s[start] as JSON into `out`.
// Returns the position after it, or npos when it is not a literal this reads.
size_t LiteralToJson(absl::string_view s, size_t start, std::string* out) {
  std::vector<char> open;
  bool expect_key = false;
  size_t p = start;
  while (true) {
    SkipSpace(s, &p);
    if (p >= s.size() || out->size() > kMaxSource) return absl::string_view::npos;
    const char c = s[p];
    if (c == '{' || c == '[') {
      if (open.size() >= kMaxDepth) return absl::string_view::npos;
      open.push_back(c);
      *out += c;
      expect_key = c == '{';
      ++p;
    } else if (c == '}' || c == ']') {
      if (open.empty() || open.back() != (c == '}' ? '{' : '[')) return absl::string_view::npos;
      open.pop_back();
      *out += c;
      ++p;
      if (open.empty()) return p;
      expect_key = false;
    } else if (c == ',') {
      *out += c;
      expect_key = open.back() == '{';
      ++p;
    } else if (c == ':') {
      if (open.back() != '{' || expect_key) return absl::string_view::npos;
      *out += c;
      ++p;
    } else if (IsQuote(c)) {
      const size_t value_at = out->size();
      if (!JsStringToJson(s, &p, out)) return absl::string_view::npos;
      if (expect_key) {
        expect_key = false;
        continue;
      }
      // "a" + "b" joins; "a" + variable is not a value this can know.
      bool known = true;
      for (size_t q = p; PlusTerm(s, &q); p = q) {
        if (q < s.size() && IsQuote(s[q])) {
          std::string more;
          if (!JsStringToJson(s, &q, &more)) return absl::string_view::npos;
          if (known) {
            out->pop_back();  // the closing quote
            out->append(more, 1, std::string::npos);
          }
        } else if (q < s.size() && IdentStart(s[q])) {
          if (!SkipIdentExpression(s, &q)) return absl::string_view::npos;
          known = false;
        } else {
          return absl::string_view::npos;
        }
      }
      if (!known) {
        out->resize(value_at);
        *out += "null";
      }
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
               c == '+') {
      size_t e = p + 1;
      while (e < s.size() &&
             (absl::ascii_isalnum(static_cast<unsigned char>(s[e])) || s[e] == '.' ||
              ((s[e] == '-' || s[e] == '+') && (s[e - 1] == 'e' || s[e - 1] == 'E')))) {
        ++e;
      }
      absl::string_view num = s.substr(p, e - p);
      p = e;
      if (absl::ConsumePrefix(&num, "+") && num.empty()) return absl::string_view::npos;
      if (expect_key) {
        absl::StrAppend(out, "\"", num, "\"");
        expect_key = false;
      } else if (absl::StartsWithIgnoreCase(num, "0x")) {
        uint64_t v = 0;
        if (!absl::SimpleHexAtoi(num.substr(2), &v)) return absl::string_view::npos;
        absl::StrAppend(out, v);
      } else {
        if (num.front() == '.') *out += '0';
        if (absl::StartsWith(num, "-.")) {
          *out += "-0";
          num.remove_prefix(1);
        }
        absl::StrAppend(out, num);
        if (num.back() == '.') *out += '0';
      }
    } else if (IdentStart(c)) {
      size_t e = p;
      while (e < s.size() && IdentChar(s[e])) ++e;
      const absl::string_view word = s.substr(p, e - p);
      if (expect_key) {
        absl::StrAppend(out, "\"", word, "\"");
        p = e;
        expect_key = false;
      } else if (word == "true" || word == "false" || word == "null") {
        absl::StrAppend(out, word);
        p = e;
      } else {
        // undefined, NaN, a variable, a call, a function, and what is added to it: not
        // a value to read.
        if (!SkipIdentExpression(s, &p)) return absl::string_view::npos;
        for (size_t q = p; PlusTerm(s, &q); p = q) {
          if (q < s.size() && IsQuote(s[q])) {
            if (!SkipString(s, &q)) return absl::string_view::npos;
          } else if (q < s.size() && IdentStart(s[q])) {
            if (!SkipIdentExpression(s, &q)) return absl::string_view::npos;
          } else {
            return absl::string_view::npos;
          }
        }
        *out += "null";
      }
    } else {
      return absl::string_view::npos;
    }
  }
}

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

bool ContainsAnyOf(absl::string_view key, std::initializer_list<absl::string_view> words) {
  for (absl::string_view w : words) {
    if (absl::StrContains(key, w)) return true;
  }
  return false;
}

// Rank of a member as the item's title, link or date: lower is better, -1 not one.
int TitleRank(const std::string& key) {
  if (key == "title") return 0;
  if (ContainsAnyOf(key, {"subtitle", "titleimg", "titlepic", "titlecolor", "titlestyle"}))
    return -1;
  if (absl::StrContains(key, "title") || absl::StrContains(key, "标题")) return 1;
  if (key == "subject" || key == "headline" || key == "topic" || key == "主题") return 2;
  return -1;
}

int LinkRank(const std::string& key) {
  if (ContainsAnyOf(key, {"img", "pic", "image", "thumb", "icon", "logo", "video", "file", "attach",
                          "cover"})) {
    return -1;
  }
  if (key == "url" || key == "urls" || key == "href" || key == "link") return 0;
  if (ContainsAnyOf(key, {"url", "href", "link", "链接", "网址", "地址"})) return 1;
  if (key == "path" || key == "docpath") return 2;
  return -1;
}

int DateRank(const std::string& key) {
  if (ContainsAnyOf(key, {"timeout", "times", "count"})) return -1;
  if (ContainsAnyOf(key, {"pub", "release", "发布", "issue", "publish"})) return 0;
  if (ContainsAnyOf(key, {"date", "日期"})) return 1;
  if (ContainsAnyOf(key, {"update", "modif", "更新"})) return 3;
  if (ContainsAnyOf(key, {"time", "时间", "created", "day"})) return 2;
  return -1;
}

// Visible text of a title that may carry markup (<p>…</p>, &amp;).
std::string PlainTitle(absl::string_view s) {
  if (s.find_first_of("<&") == absl::string_view::npos) return CollapseWhitespace(s);
  DocPtr doc = ParseHtml(absl::StrCat("<html><body>", s, "</body></html>"));
  const xmlNode* root = doc == nullptr ? nullptr : xmlDocGetRootElement(doc.get());
  return root == nullptr ? CollapseWhitespace(s) : NodeText(root);
}

bool LooksLikeLink(absl::string_view v) {
  if (v.empty() || v.size() > 2048 || absl::StartsWithIgnoreCase(v, "javascript:") ||
      v.find_first_of(" \t\n<>\"") != absl::string_view::npos) {
    return false;
  }
  return absl::StartsWith(v, "http") || absl::StartsWith(v, "/") || absl::StartsWith(v, "./") ||
         absl::StartsWith(v, "../") || absl::StrContains(v, ".") || absl::StrContains(v, "?");
}

// A link value: a URL, or a JSON-encoded object of URLs ({"pc": "/col/…", "h5": …}).
std::string LinkOf(const rapidjson::Value& v) {
  if (!v.IsString()) return "";
  absl::string_view s(v.GetString(), v.GetStringLength());
  s = absl::StripAsciiWhitespace(s);
  if (absl::StartsWith(s, "{")) {
    rapidjson::Document inner;
    inner.Parse<kParseFlags>(s.data(), s.size());
    if (inner.HasParseError() || !inner.IsObject()) return "";
    for (const char* key : {"pc", "url", "href", "link"}) {
      auto it = inner.FindMember(key);
      if (it != inner.MemberEnd() && it->value.IsString()) return LinkOf(it->value);
    }
    for (auto& m : inner.GetObject()) {
      std::string link = LinkOf(m.value);
      if (!link.empty()) return link;
    }
    return "";
  }
  return LooksLikeLink(s) ? std::string(s) : "";
}

// Epoch seconds (10 digits) or milliseconds (13) as Beijing wall time.
std::string EpochDate(double v) {
  int64_t ms = 0;
  if (v >= 1e12 && v < 1e13) {
    ms = static_cast<int64_t>(v);
  } else if (v >= 1e9 && v < 1e10) {
    ms = static_cast<int64_t>(v) * 1000;
  } else {
    return "";
  }
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixMillis(ms),
                          absl::FixedTimeZone(8 * 3600));
}

std::string DateOf(const rapidjson::Value& v) {
  if (v.IsNumber()) return EpochDate(v.GetDouble());
  if (!v.IsString()) return "";
  absl::string_view s =
      absl::StripAsciiWhitespace(absl::string_view(v.GetString(), v.GetStringLength()));
  if (s.size() >= 10 && s.size() <= 13 &&
      s.find_first_not_of("0123456789") == absl::string_view::npos) {
    double d = 0;
    if (absl::SimpleAtod(s, &d)) return EpochDate(d);
  }
  absl::CivilDay day;
  if (s.size() > 64 || !ParseDate(s, absl::CivilDay(2100, 1, 1), &day)) return "";
  return std::string(s);
}

bool ReadItem(const rapidjson::Value& obj, ScriptListItem* item) {
  int title_rank = 99, link_rank = 99, date_rank = 99;
  for (auto& m : obj.GetObject()) {
    const std::string key = Lower(absl::string_view(m.name.GetString(), m.name.GetStringLength()));
    if (const int r = TitleRank(key); r >= 0 && r < title_rank && m.value.IsString()) {
      std::string t = PlainTitle(absl::string_view(m.value.GetString(), m.value.GetStringLength()));
      if (!t.empty()) {
        item->title = std::move(t);
        title_rank = r;
      }
    }
    if (const int r = LinkRank(key); r >= 0 && r < link_rank) {
      std::string link = LinkOf(m.value);
      if (!link.empty()) {
        item->href = std::move(link);
        link_rank = r;
      }
    }
    if (const int r = DateRank(key); r >= 0 && r < date_rank) {
      std::string date = DateOf(m.value);
      if (!date.empty()) {
        item->date_text = std::move(date);
        date_rank = r;
      }
    }
  }
  return !item->title.empty() && !item->href.empty();
}

// Objects that hold arrays of objects of their own (a channel tree's children).
bool IsTree(const rapidjson::Value& array) {
  for (const auto& el : array.GetArray()) {
    if (!el.IsObject()) continue;
    for (auto& m : el.GetObject()) {
      if (m.value.IsArray() && !m.value.Empty() && m.value[0].IsObject()) return true;
    }
  }
  return false;
}

bool TryList(const rapidjson::Value& array, std::vector<ScriptListItem>* items) {
  std::vector<ScriptListItem> got;
  size_t objects = 0, dated = 0;
  for (const auto& el : array.GetArray()) {
    if (!el.IsObject()) continue;
    ++objects;
    ScriptListItem item;
    if (ReadItem(el, &item)) {
      dated += !item.date_text.empty();
      got.push_back(std::move(item));
    }
  }
  if (got.empty() || dated == 0 || got.size() * 2 < objects) return false;
  for (ScriptListItem& item : got) items->push_back(std::move(item));
  return true;
}

void Scan(absl::string_view source, int nested, std::vector<ScriptListItem>* items);

void Visit(const rapidjson::Value& v, size_t depth, int nested,
           std::vector<ScriptListItem>* items) {
  if (depth > kMaxDepth) return;
  if (v.IsString()) {
    absl::string_view s(v.GetString(), v.GetStringLength());
    s = absl::StripAsciiWhitespace(s);
    if (nested < kMaxNestedJson && s.size() > 16 && (s.front() == '[' || s.front() == '{')) {
      Scan(s, nested + 1, items);  // JSON carried in a string
    }
  } else if (v.IsObject()) {
    for (auto& m : v.GetObject()) Visit(m.value, depth + 1, nested, items);
  } else if (v.IsArray()) {
    if (TryList(v, items) || IsTree(v)) return;
    for (const auto& el : v.GetArray()) Visit(el, depth + 1, nested, items);
  }
}

void Scan(absl::string_view source, int nested, std::vector<ScriptListItem>* items) {
  const absl::string_view s = source.substr(0, kMaxSource);
  // Failed literals are retried from their inner brackets; this bounds the rewriting
  // work on adversarial scripts to a few passes over the source.
  size_t budget = 8 * s.size() + 4096;
  std::string json;
  size_t p = 0;
  while (p < s.size()) {
    const char c = s[p];
    if (IsQuote(c)) {
      const size_t at = p;
      if (!SkipString(s, &p)) {
        ++p;
        continue;
      }
      // JSON.parse('[{…}]'): a literal in a string.
      if (nested < kMaxNestedJson && p - at > 16 && (s[at + 1] == '[' || s[at + 1] == '{')) {
        size_t q = at;
        std::string inner;
        if (ReadJsString(s, &q, &inner)) Scan(inner, nested + 1, items);
      }
      continue;
    }
    if (c == '/' && p + 1 < s.size() && (s[p + 1] == '/' || s[p + 1] == '*')) {
      SkipSpace(s, &p);
      continue;
    }
    if ((c == '{' || c == '[') && budget > 0) {
      json.clear();
      const size_t end = LiteralToJson(s, p, &json);
      const size_t used = end == absl::string_view::npos ? json.size() + 1 : end - p;
      budget = used >= budget ? 0 : budget - used;
      if (end != absl::string_view::npos) {
        rapidjson::Document doc;
        doc.Parse<kParseFlags>(json.data(), json.size());
        if (!doc.HasParseError()) {
          Visit(doc, 0, nested, items);
          p = end;
          continue;
        }
      }
    }
    ++p;
  }
}

}  // namespace

bool LooksLikeDataUrl(absl::string_view url) {
  if (url.size() < 4 || url.size() > 1024 || !LooksLikeLink(url) ||
      url.find_first_of("/?") == absl::string_view::npos) {
    return false;
  }
  const std::string u = Lower(url);
  const size_t query = u.find('?');
  const absl::string_view path = absl::string_view(u).substr(0, query);
  for (absl::string_view ext : {".css", ".png", ".jpg", ".gif", ".ico", ".svg", ".woff", ".html",
                                ".htm", ".shtml", ".pdf", ".doc"}) {
    if (absl::EndsWith(path, ext)) return false;
  }
  if (absl::EndsWith(path, ".js") && query == std::string::npos) return false;
  // Visit counters and statistics beacons are data too, but not a list's.
  if (ContainsAnyOf(u, {"count", "visit", "click", "hits", "tongji", "stat", "/pv"})) return false;
  if (ContainsAnyOf(u, {".json", "jsonp", "callback=", "/api/", "dataproxy", "getlist", "querylist",
                        "list.do", "listdata", "/data/"})) {
    return true;
  }
  return query != std::string::npos &&
         ContainsAnyOf(u.substr(query), {"channelid", "columnid", "catid", "colid", "chnlid",
                                         "pageno", "pagenum", "pageindex", "page="});
}

namespace {

// var x = "lit" | 12; and x: "lit" pairs, for resolving concatenations.
absl::flat_hash_map<std::string, std::string> LiteralVariables(absl::string_view s) {
  absl::flat_hash_map<std::string, std::string> vars;
  size_t p = 0;
  while (p < s.size()) {
    if (IsQuote(s[p])) {
      if (!SkipString(s, &p)) ++p;
      continue;
    }
    if (!IdentStart(s[p]) || (p > 0 && (IdentChar(s[p - 1]) || s[p - 1] == '.'))) {
      ++p;
      continue;
    }
    size_t e = p;
    while (e < s.size() && IdentChar(s[e])) ++e;
    const std::string name(s.substr(p, e - p));
    size_t q = e;
    SkipSpace(s, &q);
    p = e;
    if (q >= s.size() || (s[q] != '=' && s[q] != ':') ||
        (q + 1 < s.size() && s[q] == '=' && s[q + 1] == '=')) {
      continue;
    }
    ++q;
    SkipSpace(s, &q);
    if (q >= s.size()) break;
    if (std::string value; IsQuote(s[q]) && ReadJsString(s, &q, &value)) {
      vars[name] = std::move(value);
    } else if (absl::ascii_isdigit(static_cast<unsigned char>(s[q]))) {
      size_t r = q;
      while (r < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[r]))) ++r;
      vars[name] = std::string(s.substr(q, r - q));
    }
  }
  return vars;
}

}  // namespace

std::vector<ScriptListItem> ScriptListItems(absl::string_view source) {
  std::vector<ScriptListItem> items;
  Scan(source, 0, &items);
  return items;
}

std::vector<std::string> ScriptDataUrls(absl::string_view script) {
  script = script.substr(0, kMaxSource);
  std::vector<std::string> urls;
  absl::flat_hash_map<std::string, std::string> vars;
  bool vars_read = false;
  size_t p = 0;
  while (p < script.size() && urls.size() < 4) {
    if (script[p] == '/' && p + 1 < script.size() &&
        (script[p + 1] == '/' || script[p + 1] == '*')) {
      SkipSpace(script, &p);
      continue;
    }
    if (!IsQuote(script[p])) {
      ++p;
      continue;
    }
    std::string url;
    if (!ReadJsString(script, &p, &url)) {
      if (!SkipString(script, &p)) ++p;
      continue;
    }
    bool complete = true;
    // "…?channelId=" + channelId + "&page=1"
    for (size_t r = p; PlusTerm(script, &r); p = r) {
      if (std::string more; r < script.size() && IsQuote(script[r])) {
        if (!ReadJsString(script, &r, &more)) break;
        url += more;
      } else if (r < script.size() && IdentStart(script[r])) {
        size_t e = r;
        while (e < script.size() && (IdentChar(script[e]) || script[e] == '.')) ++e;
        absl::string_view name = script.substr(r, e - r);
        if (const size_t dot = name.rfind('.'); dot != absl::string_view::npos) {
          name.remove_prefix(dot + 1);
        }
        if (!vars_read) {
          vars = LiteralVariables(script);
          vars_read = true;
        }
        auto it = vars.find(name);
        if (it == vars.end()) {
          complete = false;  // not known here: a guess would fetch the wrong list
        } else {
          url += it->second;
        }
        r = e;
      } else {
        break;
      }
    }
    if (complete && LooksLikeDataUrl(url) &&
        std::find(urls.begin(), urls.end(), url) == urls.end()) {
      urls.push_back(std::move(url));
    }
  }
  return urls;
}

}  // namespace internal
}  // namespace census
