// Anchor texts: titles, "more" links, and boilerplate blocks (declared in
// internal/list_finder.h).

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "worker/internal/html_dom.h"
#include "worker/internal/list_finder.h"

namespace census {
namespace internal {
namespace {

const char* Str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Text of an anchor for use as a title: like NodeText, but a <br> between two
// CJK characters joins them (titles wrapped in the middle of a sentence).
// `graft_point` is set when the subtree holds a comment or a script (see
// AnchorTitles).
void TitleText(const xmlNode* n, std::string* out, bool* graft_point) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE && c->content != nullptr) {
      *out += Str(c->content);
    } else if (c->type == XML_COMMENT_NODE) {
      *graft_point = true;
    } else if (c->type == XML_ELEMENT_NODE && !IsNonContent(c)) {
      if (IsTag(c, "br")) {
        *out += '\x01';
      } else {
        TitleText(c, out, graft_point);
      }
    } else if (IsTag(c, "script")) {
      *graft_point = true;
    }
  }
}

std::string JoinBreaks(std::string s) {
  if (s.find('\x01') == std::string::npos) return s;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\x01') {
      out += s[i];
      continue;
    }
    size_t next = i + 1;
    while (next < s.size() && absl::ascii_isspace(s[next])) ++next;
    size_t prev = out.size();
    while (prev > 0 && absl::ascii_isspace(out[prev - 1])) --prev;
    const bool cjk_before = prev > 0 && static_cast<unsigned char>(out[prev - 1]) >= 0x80;
    const bool cjk_after = next < s.size() && static_cast<unsigned char>(s[next]) >= 0x80;
    if (cjk_before && cjk_after) {
      out.resize(prev);
      i = next - 1;
    } else {
      out += ' ';
    }
  }
  return out;
}

}  // namespace

bool IsMoreLink(absl::string_view text) {
  static constexpr absl::string_view kWords[] = {
      "more",   "more>>", "more+", "详情",     "[详情]",   "【详情】", "详细",
      "查看",   "进入",   ">>",    "»",        "+",        "首页",     "上一页",
      "下一页", "尾页",   "末页",  "查看全文", "阅读全文", "点击进入"};
  static constexpr size_t kLongestWord = [] {
    size_t n = 0;
    for (absl::string_view w : kWords) n = std::max(n, w.size());
    return n;
  }();
  const absl::string_view stripped = absl::StripAsciiWhitespace(text);
  const auto all_digits = [](absl::string_view t) {
    return !t.empty() &&
           std::all_of(t.begin(), t.end(), [](char c) { return absl::ascii_isdigit(c); });
  };
  // Whether `t` has more than 8 characters, counting no further than that.
  const auto over_8_chars = [](absl::string_view t) {
    size_t n = 0;
    for (size_t i = 0; i < t.size() && n <= 8; ++i) {
      n += (static_cast<unsigned char>(t[i]) & 0xC0) != 0x80;
    }
    return n > 8;
  };
  // Titles (the common case) are longer than every word and than 8
  // characters: only a page number can still be a "more" link. Lower-casing
  // changes neither the length nor the character count.
  if (stripped.size() > kLongestWord && over_8_chars(stripped)) return all_digits(stripped);
  const std::string t = absl::AsciiStrToLower(stripped);
  if (absl::StrContains(t, "更多") && Utf8Length(t) <= 8) return true;
  for (absl::string_view w : kWords) {
    if (t == w) return true;
  }
  return all_digits(t);
}

namespace {

std::string ComputeAnchorTitle(const xmlNode* a, bool* graft_point) {
  std::string raw;
  TitleText(a, &raw, graft_point);
  const std::string visible = CollapseWhitespace(JoinBreaks(std::move(raw)));
  const std::string attr = CollapseWhitespace(Attr(a, "title"));
  if (attr.empty()) return visible;
  if (visible.empty()) return attr;
  absl::string_view v = visible;
  const bool dots = absl::ConsumeSuffix(&v, "...") || absl::ConsumeSuffix(&v, "…") ||
                    absl::ConsumeSuffix(&v, "..");
  v = absl::StripTrailingAsciiWhitespace(v);
  if (dots && absl::StartsWith(attr, v)) return attr;
  if (Utf8Length(attr) >= 4 && absl::StrContains(visible, attr)) return attr;
  if (Utf8Length(v) >= 4 && absl::StartsWith(attr, v)) return attr;
  return visible;
}

}  // namespace

std::string AnchorTitle(const xmlNode* a) {
  bool graft_point = false;
  return ComputeAnchorTitle(a, &graft_point);
}

std::string AnchorTitles::Get(const xmlNode* a) {
  if (auto it = memo_.find(a); it != memo_.end()) return it->second;
  bool graft_point = false;
  std::string title = ComputeAnchorTitle(a, &graft_point);
  if (!graft_point) memo_.emplace(a, title);
  return title;
}

namespace {

bool ComputeBoilerplateBlock(const xmlNode* n) {
  if (IsTag(n, "nav") || IsTag(n, "footer")) return true;
  const std::string hint =
      absl::AsciiStrToLower(absl::StrCat(Attr(n, "id"), " ", Attr(n, "class")));
  static constexpr absl::string_view kHints[] = {"nav",    "menu", "footer", "copyright",
                                                 "friend", "yqlj", "youqing"};
  for (absl::string_view h : kHints) {
    if (absl::StrContains(hint, h)) return true;
  }
  return false;
}

}  // namespace

bool IsBoilerplateBlock(const xmlNode* n) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE) return false;
  // Memoised in two more spare `extra` bits: MakeItem asks about every
  // ancestor of every item.
  constexpr unsigned short kKnown = 0x0400, kYes = 0x0800;
  if ((n->extra & kKnown) != 0) return (n->extra & kYes) != 0;
  const bool yes = ComputeBoilerplateBlock(n);
  const_cast<xmlNode*>(n)->extra |= kKnown | (yes ? kYes : 0);
  return yes;
}

}  // namespace internal
}  // namespace census
