// libxml2 HTML DOM helpers: parsing, text, inline-style visibility.

#include "worker/internal/html_dom.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <array>
#include <climits>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace census {
namespace internal {
namespace {

const char* Str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

bool IsBlock(absl::string_view tag) {
  static constexpr absl::string_view kBlocks[] = {
      "p",  "div",     "li",      "ul",     "ol",     "tr",  "td",   "th",     "table",
      "br", "h1",      "h2",      "h3",     "h4",     "h5",  "h6",   "dd",     "dt",
      "dl", "section", "article", "header", "footer", "nav", "form", "option", "tbody"};
  for (absl::string_view b : kBlocks) {
    if (tag == b) return true;
  }
  return false;
}

// "-500px", "-9999em" ...: a number of at least three digits after a minus.
bool FarNegative(absl::string_view style, absl::string_view prop) {
  size_t pos = 0;
  while ((pos = style.find(prop, pos)) != absl::string_view::npos) {
    pos += prop.size();
    if (pos + 3 < style.size() && style[pos] == '-' && absl::ascii_isdigit(style[pos + 1]) &&
        absl::ascii_isdigit(style[pos + 2]) && absl::ascii_isdigit(style[pos + 3])) {
      return true;
    }
  }
  return false;
}

// prop followed by a tiny length: "0", "0px", "1px", "0;" ...
bool TinyLength(absl::string_view style, absl::string_view prop) {
  size_t pos = 0;
  while ((pos = style.find(prop, pos)) != absl::string_view::npos) {
    // Must start a declaration ("line-height:0" is not "height:0").
    const bool starts =
        pos == 0 || style[pos - 1] == ';' || style[pos - 1] == '{' || style[pos - 1] == '"';
    pos += prop.size();
    if (!starts || pos >= style.size()) continue;
    if (style[pos] != '0' && style[pos] != '1') continue;
    absl::string_view rest = style.substr(pos + 1);
    if (style[pos] == '0' && (rest.empty() || rest[0] == ';' || rest[0] == '!' ||
                              absl::StartsWith(rest, "px") || absl::StartsWith(rest, "pt") ||
                              absl::StartsWith(rest, "em") || absl::StartsWith(rest, "%"))) {
      return true;
    }
    if (style[pos] == '1' && absl::StartsWith(rest, "px")) return true;
  }
  return false;
}

}  // namespace

absl::string_view TagName(const xmlNode* n) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE || n->name == nullptr) {
    return "";
  }
  return Str(n->name);
}

namespace {

// EqualsIgnoreCase(attr_name, name), rejecting at the first byte first: most
// attributes asked about are not the one asked for.
bool NameIs(const char* attr_name, const char* name) {
  return absl::ascii_tolower(static_cast<unsigned char>(attr_name[0])) ==
             absl::ascii_tolower(static_cast<unsigned char>(name[0])) &&
         absl::EqualsIgnoreCase(attr_name, name);
}

std::string AttrValue(const xmlAttr* a) {
  std::string v;
  for (const xmlNode* c = a->children; c != nullptr; c = c->next) {
    if (c->content != nullptr) v += Str(c->content);
  }
  return v;
}

}  // namespace

absl::string_view AttrView(const xmlNode* n, const char* name, std::string* storage) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE) return "";
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (a->name == nullptr || !NameIs(Str(a->name), name)) continue;
    const xmlNode* c = a->children;
    if (c == nullptr) return "";
    if (c->next == nullptr) return c->content != nullptr ? Str(c->content) : "";
    *storage = AttrValue(a);
    return *storage;
  }
  return "";
}

std::string Attr(const xmlNode* n, const char* name) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE) return "";
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (a->name != nullptr && NameIs(Str(a->name), name)) return AttrValue(a);
  }
  return "";
}

void AppendText(const xmlNode* n, std::string* out) {
  if (n == nullptr) return;
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
    if (n->content != nullptr) *out += Str(n->content);
    return;
  }
  if (n->type != XML_ELEMENT_NODE && n->type != XML_DOCUMENT_NODE &&
      n->type != XML_HTML_DOCUMENT_NODE) {
    return;
  }
  if (IsNonContent(n)) return;
  const bool block = IsBlock(TagName(n));
  if (block) *out += ' ';
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    AppendText(c, out);
  }
  if (block) *out += ' ';
}

namespace {

// Bytes that end CollapseWhitespace's fast path: white space and control
// bytes, and the lead bytes of NBSP, U+3000, zero-width characters and the BOM.
constexpr std::array<bool, 256> kCollapseStop = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c <= ' '; ++c) t[c] = true;
  t[0xC2] = t[0xE2] = t[0xE3] = t[0xEF] = true;
  return t;
}();

bool IsAsciiSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// At a kCollapseStop byte that is not ASCII white space: the length of the
// NBSP or U+3000 (`*ws`) or dropped zero-width character there, 0 when the
// byte is kept as it is.
size_t SpaceOrDropAt(absl::string_view s, size_t i, bool* ws) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c == 0xC2) {
    *ws = true;
    return i + 1 < s.size() && b(i + 1) == 0xA0 ? 2 : 0;
  }
  if (c < 0xE2 || i + 2 >= s.size()) return 0;
  const unsigned char c1 = b(i + 1), c2 = b(i + 2);
  *ws = c == 0xE3;
  if (c == 0xE3) return c1 == 0x80 && c2 == 0x80 ? 3 : 0;
  if (c == 0xE2) return c1 == 0x80 && c2 >= 0x8B && c2 <= 0x8D ? 3 : 0;
  if (c == 0xEF) return c1 == 0xBB && c2 == 0xBF ? 3 : 0;
  return 0;
}

}  // namespace

std::string CollapseWhitespace(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  bool ws = false;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (IsAsciiSpace(c)) {
      space = true;
      ++i;
      continue;
    }
    if (kCollapseStop[c]) {
      if (const size_t len = SpaceOrDropAt(s, i, &ws); len != 0) {
        space = space || ws;
        i += len;
        continue;
      }
    }
    // A run of kept bytes is copied at once.
    size_t j = i + 1;
    while (j < s.size()) {
      const unsigned char d = static_cast<unsigned char>(s[j]);
      if (kCollapseStop[d] && (d <= ' ' || SpaceOrDropAt(s, j, &ws) != 0)) break;
      ++j;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out.append(s.data() + i, j - i);
    i = j;
  }
  return out;
}

std::string NodeText(const xmlNode* n) {
  std::string raw;
  AppendText(n, &raw);
  return CollapseWhitespace(raw);
}

namespace {

// HiddenStyleHow(NormalizeStyle(style)) memoised per distinct raw style: a
// page repeats a few dozen style strings hundreds of times. The answer is a
// function of the string alone (and a static literal), so the memo is kept
// per thread across pages and cleared when it grows large.
absl::string_view InlineStyleHow(const std::string& style) {
  thread_local absl::flat_hash_map<std::string, absl::string_view> memo;
  if (auto it = memo.find(style); it != memo.end()) return it->second;
  if (memo.size() >= 4096) memo.clear();
  const absl::string_view how = HiddenStyleHow(NormalizeStyle(style));
  memo.emplace(style, how);
  return how;
}

absl::string_view ComputeHiddenHow(const xmlNode* n) {
  const xmlAttr* style = nullptr;  // the first style attribute, as Attr finds it
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    const char* name = Str(a->name);
    if (name == nullptr) continue;
    if (NameIs(name, "hidden")) return "hidden attribute";
    if (style == nullptr && NameIs(name, "style")) style = a;
  }
  if (style == nullptr) return "";
  return InlineStyleHow(AttrValue(style));
}

}  // namespace

bool HiddenByStyle(const xmlNode* n) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE || n->properties == nullptr) return false;
  // Memoised in the node's spare `extra` bits: the list finder asks about the
  // same elements once per nearby anchor.
  constexpr unsigned short kKnown = 0x4000, kHidden = 0x8000;
  if ((n->extra & kKnown) != 0) return (n->extra & kHidden) != 0;
  const bool hidden = !ComputeHiddenHow(n).empty();
  const_cast<xmlNode*>(n)->extra |= kKnown | (hidden ? kHidden : 0);
  return hidden;
}

std::string HiddenHow(const xmlNode* n) {
  if (!HiddenByStyle(n)) return "";
  return std::string(ComputeHiddenHow(n));
}

std::string NormalizeStyle(absl::string_view style) {
  std::string out(style.size(), '\0');
  size_t k = 0;
  for (char c : style) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out[k++] = absl::ascii_tolower(c);
  }
  out.resize(k);
  return out;
}

absl::string_view HiddenStyleHow(absl::string_view style) {
  if (style.empty()) return "";
  if (absl::StrContains(style, "display:none")) return "display:none";
  if (absl::StrContains(style, "visibility:hidden")) return "visibility:hidden";
  if (TinyLength(style, "font-size:")) return "font-size:0";
  if (absl::StrContains(style, "overflow:hidden") &&
      (TinyLength(style, "width:") || TinyLength(style, "height:"))) {
    return "tiny box";
  }
  if (FarNegative(style, "text-indent:")) return "text-indent off-screen";
  if (absl::StrContains(style, "position:absolute") || absl::StrContains(style, "position:fixed")) {
    if (FarNegative(style, "left:") || FarNegative(style, "top:") || FarNegative(style, "right:") ||
        FarNegative(style, "margin-left:")) {
      return "off-screen";
    }
  }
  return "";
}

bool HiddenWithAncestors(const xmlNode* n) {
  for (; n != nullptr; n = n->parent) {
    if (HiddenByStyle(n)) return true;
  }
  return false;
}

bool InsideTag(const xmlNode* n, absl::string_view tag) {
  for (; n != nullptr; n = n->parent) {
    if (IsTag(n, tag)) return true;
  }
  return false;
}

}  // namespace internal
}  // namespace census
