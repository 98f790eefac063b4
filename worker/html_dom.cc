// libxml2 HTML DOM helpers: parsing, text, inline-style visibility.

#include "worker/internal/html_dom.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <mutex>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

namespace census {
namespace internal {
namespace {

void Silent(void*, const char*, ...) {}

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

DocPtr ParseHtml(absl::string_view utf8) {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  // Error handlers are per thread in libxml2; keep them quiet here.
  xmlSetGenericErrorFunc(nullptr, Silent);
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  if (utf8.empty()) return nullptr;
  const int size =
      utf8.size() > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(utf8.size());
  return DocPtr(htmlReadMemory(utf8.data(), size, nullptr, "UTF-8",
                               HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                   HTML_PARSE_NONET | HTML_PARSE_COMPACT));
}

absl::string_view TagName(const xmlNode* n) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE || n->name == nullptr) {
    return "";
  }
  return Str(n->name);
}

bool IsTag(const xmlNode* n, absl::string_view tag) {
  return absl::EqualsIgnoreCase(TagName(n), tag);
}

std::string Attr(const xmlNode* n, const char* name) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE) return "";
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (a->name != nullptr && absl::EqualsIgnoreCase(Str(a->name), name)) {
      std::string v;
      for (const xmlNode* c = a->children; c != nullptr; c = c->next) {
        if (c->content != nullptr) v += Str(c->content);
      }
      return v;
    }
  }
  return "";
}

bool IsNonContent(const xmlNode* n) {
  const absl::string_view t = TagName(n);
  return t == "script" || t == "style" || t == "noscript" || t == "template" || t == "head" ||
         t == "title" || t == "select";
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

std::string CollapseWhitespace(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = 1;
    bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    bool drop = false;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {
      ws = true;
      len = 2;
    } else if (c == 0xE3 && s.substr(i, 3) == "\xE3\x80\x80") {
      ws = true;
      len = 3;
    } else if (c == 0xE2 && (s.substr(i, 3) == "\xE2\x80\x8B" || s.substr(i, 3) == "\xE2\x80\x8C" ||
                             s.substr(i, 3) == "\xE2\x80\x8D")) {
      drop = true;
      len = 3;
    } else if (c == 0xEF && s.substr(i, 3) == "\xEF\xBB\xBF") {
      drop = true;
      len = 3;
    }
    if (ws) {
      space = true;
    } else if (!drop) {
      if (space && !out.empty()) out += ' ';
      space = false;
      out.append(s.data() + i, std::min(len, s.size() - i));
    }
    i += len;
  }
  return out;
}

std::string NodeText(const xmlNode* n) {
  std::string raw;
  AppendText(n, &raw);
  return CollapseWhitespace(raw);
}

bool HiddenByStyle(const xmlNode* n) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE) return false;
  if (xmlHasProp(const_cast<xmlNode*>(n), BAD_CAST "hidden") != nullptr) {
    return true;
  }
  std::string style = absl::AsciiStrToLower(Attr(n, "style"));
  if (style.empty()) return false;
  absl::StrReplaceAll({{" ", ""}, {"\t", ""}, {"\n", ""}, {"\r", ""}}, &style);
  if (absl::StrContains(style, "display:none") || absl::StrContains(style, "visibility:hidden")) {
    return true;
  }
  if (TinyLength(style, "font-size:")) return true;
  if (absl::StrContains(style, "overflow:hidden") &&
      (TinyLength(style, "width:") || TinyLength(style, "height:"))) {
    return true;
  }
  if (FarNegative(style, "text-indent:")) return true;
  if (absl::StrContains(style, "position:absolute") || absl::StrContains(style, "position:fixed")) {
    if (FarNegative(style, "left:") || FarNegative(style, "top:") || FarNegative(style, "right:") ||
        FarNegative(style, "margin-left:")) {
      return true;
    }
  }
  return false;
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
