#include "serve/archive.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "worker/charset.h"
#include "worker/extract.h"

namespace census::serve {

std::string Timestamp14(int64_t ms) {
  return absl::FormatTime("%Y%m%d%H%M%S", absl::FromUnixMillis(ms), absl::UTCTimeZone());
}

bool ParseTimestamp14(absl::string_view ts, int64_t* start_ms) {
  if (ts.size() != 14) return false;
  for (char c : ts) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!absl::SimpleAtoi(ts.substr(0, 4), &y) || !absl::SimpleAtoi(ts.substr(4, 2), &mo) ||
      !absl::SimpleAtoi(ts.substr(6, 2), &d) || !absl::SimpleAtoi(ts.substr(8, 2), &h) ||
      !absl::SimpleAtoi(ts.substr(10, 2), &mi) || !absl::SimpleAtoi(ts.substr(12, 2), &s)) {
    return false;
  }
  const absl::CivilSecond civil(y, mo, d, h, mi, s);
  // CivilSecond normalizes (month 13 becomes January): a timestamp that does not read
  // back the same is not a time.
  if (civil.year() != y || civil.month() != mo || civil.day() != d || civil.hour() != h ||
      civil.minute() != mi || civil.second() != s) {
    return false;
  }
  *start_ms = absl::ToUnixMillis(absl::FromCivil(civil, absl::UTCTimeZone()));
  return true;
}

std::string UrlHost(absl::string_view url) {
  absl::string_view rest;
  if (absl::StartsWithIgnoreCase(url, "http://")) {
    rest = url.substr(7);
  } else if (absl::StartsWithIgnoreCase(url, "https://")) {
    rest = url.substr(8);
  } else {
    return "";
  }
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != absl::string_view::npos) rest = rest.substr(at + 1);
  return absl::AsciiStrToLower(rest);
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string QueryValue(absl::string_view query, absl::string_view name) {
  for (absl::string_view pair : absl::StrSplit(query, '&')) {
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    return eq == absl::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
  }
  return "";
}

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool IsNameChar(char c) {
  return !IsSpace(c) && c != '>' && c != '/' && c != '=' && c != '"' && c != '\'' && c != '<';
}

// Where the raw-text element `tag` (script, style ...) opened before `from` ends: the
// position of its "</tag", or the end.
size_t RawTextEnd(absl::string_view html, size_t from, absl::string_view tag) {
  for (size_t i = html.find("</", from); i != absl::string_view::npos; i = html.find("</", i + 2)) {
    if (i + 2 + tag.size() <= html.size() &&
        absl::EqualsIgnoreCase(html.substr(i + 2, tag.size()), tag)) {
      return i;
    }
  }
  return html.size();
}

bool IsRawTextTag(absl::string_view tag) {
  return absl::EqualsIgnoreCase(tag, "script") || absl::EqualsIgnoreCase(tag, "style") ||
         absl::EqualsIgnoreCase(tag, "textarea") || absl::EqualsIgnoreCase(tag, "title");
}

bool IsLinkAttribute(absl::string_view name) {
  for (absl::string_view a : {"href", "src", "action", "background", "poster"}) {
    if (absl::EqualsIgnoreCase(name, a)) return true;
  }
  return false;
}

// One tag from its '<' (html[pos]); calls `on_attribute(name, value_begin, value_end)`
// for each attribute with a value. Returns the position after its '>' and the tag's name.
template <typename Fn>
size_t ScanTag(absl::string_view html, size_t pos, std::string* tag_name, Fn on_attribute) {
  size_t i = pos + 1;
  if (i < html.size() && html[i] == '/') ++i;
  const size_t name_begin = i;
  while (i < html.size() && IsNameChar(html[i])) ++i;
  *tag_name = std::string(html.substr(name_begin, i - name_begin));
  while (i < html.size()) {
    while (i < html.size() && (IsSpace(html[i]) || html[i] == '/')) ++i;
    if (i >= html.size()) break;
    if (html[i] == '>') return i + 1;
    const size_t attr_begin = i;
    while (i < html.size() && IsNameChar(html[i])) ++i;
    if (i == attr_begin) {  // a stray quote or '=': skip it
      ++i;
      continue;
    }
    const absl::string_view attr = html.substr(attr_begin, i - attr_begin);
    size_t j = i;
    while (j < html.size() && IsSpace(html[j])) ++j;
    if (j >= html.size() || html[j] != '=') continue;  // no value
    ++j;
    while (j < html.size() && IsSpace(html[j])) ++j;
    if (j >= html.size()) break;
    size_t value_begin, value_end;
    if (html[j] == '"' || html[j] == '\'') {
      const size_t close = html.find(html[j], j + 1);
      value_begin = j + 1;
      value_end = close == absl::string_view::npos ? html.size() : close;
      i = close == absl::string_view::npos ? html.size() : close + 1;
    } else {
      value_begin = j;
      while (j < html.size() && !IsSpace(html[j]) && html[j] != '>') ++j;
      value_end = j;
      i = j;
    }
    on_attribute(attr, value_begin, value_end);
  }
  return html.size();
}

void AppendEntityDecoded(absl::string_view text, std::string* out) {
  static const std::map<std::string, std::string, std::less<>> kEntities = {
      {"amp", "&"},    {"lt", "<"},   {"gt", ">"},    {"quot", "\""},
      {"apos", "'"},   {"nbsp", " "}, {"ensp", " "},  {"emsp", " "},
      {"middot", "·"}, {"copy", "©"}, {"raquo", "»"}, {"laquo", "«"}};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out->push_back(text[i]);
      continue;
    }
    const size_t semi = text.find(';', i + 1);
    if (semi == absl::string_view::npos || semi - i > 10) {
      out->push_back('&');
      continue;
    }
    const absl::string_view name = text.substr(i + 1, semi - i - 1);
    uint32_t code = 0;
    bool numeric = false;
    if (absl::StartsWith(name, "#x") || absl::StartsWith(name, "#X")) {
      numeric = absl::SimpleHexAtoi(name.substr(2), &code);
    } else if (absl::StartsWith(name, "#")) {
      numeric = absl::SimpleAtoi(name.substr(1), &code);
    }
    if (numeric && code > 0 && code < 0x110000 && !(code >= 0xD800 && code < 0xE000)) {
      // UTF-8 of the code point.
      if (code < 0x80) {
        out->push_back(static_cast<char>(code));
      } else if (code < 0x800) {
        out->push_back(static_cast<char>(0xC0 | (code >> 6)));
        out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
      } else if (code < 0x10000) {
        out->push_back(static_cast<char>(0xE0 | (code >> 12)));
        out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
      } else {
        out->push_back(static_cast<char>(0xF0 | (code >> 18)));
        out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
        out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
      }
      i = semi;
      continue;
    }
    if (auto it = kEntities.find(name); it != kEntities.end()) {
      out->append(it->second);
      i = semi;
      continue;
    }
    out->push_back('&');
  }
}

}  // namespace

std::string RewriteLinks(absl::string_view html, absl::string_view page_url,
                         absl::string_view prefix) {
  std::string out;
  out.reserve(html.size() + html.size() / 8);
  size_t copied = 0;  // html[0, copied) is in `out`
  size_t i = 0;
  while ((i = html.find('<', i)) != absl::string_view::npos) {
    if (html.substr(i, 4) == "<!--") {
      const size_t end = html.find("-->", i + 4);
      i = end == absl::string_view::npos ? html.size() : end + 3;
      continue;
    }
    const char next = i + 1 < html.size() ? html[i + 1] : '\0';
    if (!absl::ascii_isalpha(static_cast<unsigned char>(next)) && next != '/') {
      ++i;
      continue;
    }
    std::string tag;
    const size_t end =
        ScanTag(html, i, &tag, [&](absl::string_view attr, size_t begin, size_t value_end) {
          if (!IsLinkAttribute(attr)) return;
          const absl::string_view value =
              absl::StripAsciiWhitespace(html.substr(begin, value_end - begin));
          if (value.empty() || value[0] == '#') return;
          std::string href;  // the value as the browser reads it (entities decoded)
          AppendEntityDecoded(value, &href);
          const std::string resolved = ResolveUrl(page_url, href);
          if (resolved.empty()) return;  // javascript:, mailto:, data: ...
          // The value is inside quotes (or unquoted without spaces): what a URL holds that
          // would end the attribute is escaped.
          absl::StrAppend(&out, html.substr(copied, begin - copied), prefix, HtmlEscape(resolved));
          copied = value_end;
        });
    i = end;
    if (html[i - 1] == '>' && next != '/' && IsRawTextTag(tag)) i = RawTextEnd(html, i, tag);
  }
  absl::StrAppend(&out, html.substr(copied));
  return out;
}

namespace {

// Whitespace (ASCII and U+3000) collapsed to single spaces, trimmed.
std::string CollapseSpaces(absl::string_view text) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool ideographic_space = text.substr(i, 3) == "\xE3\x80\x80";
    if (IsSpace(text[i]) || ideographic_space) {
      space = true;
      if (ideographic_space) i += 2;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(text[i]);
  }
  return out;
}

bool IsHiddenTextTag(absl::string_view tag) {
  return absl::EqualsIgnoreCase(tag, "script") || absl::EqualsIgnoreCase(tag, "style") ||
         absl::EqualsIgnoreCase(tag, "noscript") || absl::EqualsIgnoreCase(tag, "template");
}

}  // namespace

std::vector<std::string> VisibleTextLines(absl::string_view body, absl::string_view content_type) {
  const DecodedText decoded = DecodeToUtf8(body, content_type);
  const absl::string_view html = decoded.utf8;
  std::vector<std::string> lines;
  auto add = [&](absl::string_view text) {
    std::string decoded_text;
    AppendEntityDecoded(text, &decoded_text);
    std::string line = CollapseSpaces(decoded_text);
    if (!line.empty()) lines.push_back(std::move(line));
  };
  size_t i = 0, text_begin = 0;
  while ((i = html.find('<', i)) != absl::string_view::npos) {
    if (html.substr(i, 4) == "<!--") {
      add(html.substr(text_begin, i - text_begin));
      const size_t end = html.find("-->", i + 4);
      i = text_begin = end == absl::string_view::npos ? html.size() : end + 3;
      continue;
    }
    const char next = i + 1 < html.size() ? html[i + 1] : '\0';
    if (!absl::ascii_isalpha(static_cast<unsigned char>(next)) && next != '/' && next != '!') {
      ++i;
      continue;
    }
    add(html.substr(text_begin, i - text_begin));
    std::string tag;
    i = ScanTag(html, i, &tag, [](absl::string_view, size_t, size_t) {});
    if (next != '/' && IsHiddenTextTag(tag)) {
      i = RawTextEnd(html, i, tag);
    } else if (next != '/' && IsRawTextTag(tag)) {  // title, textarea: text, no tags
      const size_t end = RawTextEnd(html, i, tag);
      add(html.substr(i, end - i));
      i = end;
    }
    text_begin = i;
  }
  add(html.substr(text_begin));
  return lines;
}

LineDiff DiffLines(const std::vector<std::string>& before, const std::vector<std::string>& after) {
  LineDiff diff;
  // The common head and tail cost nothing; the DP runs on what is between.
  size_t head = 0;
  while (head < before.size() && head < after.size() && before[head] == after[head]) ++head;
  size_t tail = 0;
  while (tail < before.size() - head && tail < after.size() - head &&
         before[before.size() - 1 - tail] == after[after.size() - 1 - tail]) {
    ++tail;
  }
  const size_t n = before.size() - head - tail, m = after.size() - head - tail;
  auto a = [&](size_t i) -> const std::string& { return before[head + i]; };
  auto b = [&](size_t j) -> const std::string& { return after[head + j]; };
  if (n * m > 4'000'000) {
    std::multiset<std::string> in_before, in_after;
    for (size_t i = 0; i < n; ++i) in_before.insert(a(i));
    for (size_t j = 0; j < m; ++j) in_after.insert(b(j));
    for (size_t i = 0; i < n; ++i) {
      if (auto it = in_after.find(a(i)); it != in_after.end()) {
        in_after.erase(it);
      } else {
        diff.removed.push_back(a(i));
      }
    }
    for (size_t j = 0; j < m; ++j) {
      if (auto it = in_before.find(b(j)); it != in_before.end()) {
        in_before.erase(it);
      } else {
        diff.added.push_back(b(j));
      }
    }
    return diff;
  }
  // lcs[i][j]: the LCS length of a(i..) and b(j..).
  std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      at(i, j) = a(i) == b(j) ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  size_t i = 0, j = 0;
  while (i < n && j < m) {
    if (a(i) == b(j)) {
      ++i;
      ++j;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      diff.removed.push_back(a(i++));
    } else {
      diff.added.push_back(b(j++));
    }
  }
  while (i < n) diff.removed.push_back(a(i++));
  while (j < m) diff.added.push_back(b(j++));
  return diff;
}

std::vector<ItemRow> DiffItems(const PageObservation& before, const PageObservation& after) {
  auto key = [](const ListItem& item) {
    return item.href().empty() ? absl::StrCat("title:", item.title()) : item.href();
  };
  // Each key's items of the older version, in order; matched ones are taken.
  std::map<std::string, std::vector<int>> old_by_key;
  for (int i = 0; i < before.items_size(); ++i) old_by_key[key(before.items(i))].push_back(i);
  std::map<std::string, size_t> taken;  // key → how many of old_by_key[key] are matched
  std::vector<int> match(after.items_size(), -1);
  std::vector<bool> old_matched(before.items_size(), false);
  for (int j = 0; j < after.items_size(); ++j) {
    const std::string k = key(after.items(j));
    auto it = old_by_key.find(k);
    if (it == old_by_key.end()) continue;
    size_t& n = taken[k];
    if (n < it->second.size()) {
      match[j] = it->second[n++];
      old_matched[match[j]] = true;
    }
  }
  // Removed items go after the newer row that follows their older neighbour: walk the
  // older list and attach each unmatched item to the last matched one before it.
  std::vector<std::vector<int>> removed_after(after.items_size() + 1);  // [0]: at the top
  std::vector<int> new_index_of_old(before.items_size(), -1);
  for (int j = 0; j < after.items_size(); ++j) {
    if (match[j] >= 0) new_index_of_old[match[j]] = j;
  }
  int last = -1;
  for (int i = 0; i < before.items_size(); ++i) {
    if (old_matched[i]) {
      last = new_index_of_old[i];
    } else {
      removed_after[last + 1].push_back(i);
    }
  }
  std::vector<ItemRow> rows;
  auto add_removed = [&](int slot) {
    for (int i : removed_after[slot]) {
      const ListItem& item = before.items(i);
      ItemRow row;
      row.change = ItemRow::kRemoved;
      row.title = item.title();
      row.href = item.href();
      row.date_before = item.date();
      rows.push_back(std::move(row));
    }
  };
  add_removed(0);
  for (int j = 0; j < after.items_size(); ++j) {
    const ListItem& item = after.items(j);
    ItemRow row;
    row.title = item.title();
    row.href = item.href();
    row.date_after = item.date();
    if (match[j] < 0) {
      row.change = ItemRow::kAdded;
    } else {
      const ListItem& old = before.items(match[j]);
      row.date_before = old.date();
      if (old.date() != item.date()) {
        row.change = ItemRow::kDateMoved;
      } else if (old.title() != item.title()) {
        row.change = ItemRow::kRetitled;
      }
      if (old.title() != item.title()) row.old_title = old.title();
    }
    rows.push_back(std::move(row));
    add_removed(j + 1);
  }
  return rows;
}

}  // namespace census::serve
