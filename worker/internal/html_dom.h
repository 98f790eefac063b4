#ifndef CENSUS_WORKER_INTERNAL_HTML_DOM_H_
#define CENSUS_WORKER_INTERNAL_HTML_DOM_H_

// Thin helpers over libxml2's HTML DOM for the extractor. Nothing here throws;
// libxml2 reports parse problems to nobody (NOERROR | NOWARNING).

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace census {
namespace internal {

// Frees documents from either parser below (html_parse.cc).
struct DocDeleter {
  void operator()(xmlDoc* d) const;
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

// Parses UTF-8 text as HTML (recovering) into a libxml2-compatible tree built
// the way libxml2 2.9's HTML parser builds it, several times faster (nodes in
// one arena; the tree may be read, walked with XPath and have libxml2-made
// nodes added, but its own nodes must not be freed or unlinked). Null only
// for empty input.
DocPtr ParseHtml(absl::string_view utf8);

// The same with libxml2's own parser (htmlReadMemory): the reference the fast
// parser is tested against, and the parse-only benchmark's baseline.
DocPtr ParseHtmlWithLibxml2(absl::string_view utf8);

// Name of the wrapper element that holds markup recovered from comments and
// scripts (see ExpandEmbeddedMarkup); it is not visible to readers.
inline constexpr char kEmbeddedTag[] = "census-embedded";
// Its attribute saying where the markup came from: kFromComment (an HTML comment, part
// of the page's markup) or kFromScript (script data: data-store records, JSON lists).
inline constexpr char kEmbeddedSourceAttr[] = "from";
inline constexpr char kFromComment[] = "comment";
inline constexpr char kFromScript[] = "script";

// Lists shipped outside the visible DOM become elements: an HTML comment in the
// body that holds list markup (<!-- <li><a ...>...</a></li> -->) is replaced by
// its parsed content, and Hanweb-style <record><![CDATA[...]]></record> data and
// arrays of {title, url, date} objects inside <script> (internal/script_data.h) are
// read and inserted after the script. Each insertion is wrapped in a
// <census-embedded from="comment|script"> element.
void ExpandEmbeddedMarkup(xmlDoc* doc);

// Lower-case tag name of an element ("" for non-elements).
absl::string_view TagName(const xmlNode* n);
// `tag` in lower case (both parsers lower-case element names). Inline: the
// extractor asks it about every element several times, and most answers are
// "no" at the first byte.
inline bool IsTag(const xmlNode* n, absl::string_view tag) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE || n->name == nullptr) return false;
  const char* name = reinterpret_cast<const char*>(n->name);
  if (tag.empty()) return name[0] == '\0';
  return name[0] == tag[0] && std::strncmp(name, tag.data(), tag.size()) == 0 &&
         name[tag.size()] == '\0';
}
// Attribute value ("" when absent).
std::string Attr(const xmlNode* n, const char* name);
// The same without a copy when the value is one text node (the parsers make
// it so): a view into the tree, else into `storage`.
absl::string_view AttrView(const xmlNode* n, const char* name, std::string* storage);
// script, style, noscript, template, head, title, select: never visible text.
// Inline, switching on the first byte: every text walk asks it per element.
inline bool IsNonContent(const xmlNode* n) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE || n->name == nullptr) return false;
  const char* t = reinterpret_cast<const char*>(n->name);
  switch (t[0]) {
    case 's':
      return std::strcmp(t, "script") == 0 || std::strcmp(t, "style") == 0 ||
             std::strcmp(t, "select") == 0;
    case 'n':
      return std::strcmp(t, "noscript") == 0;
    case 't':
      return std::strcmp(t, "template") == 0 || std::strcmp(t, "title") == 0;
    case 'h':
      return std::strcmp(t, "head") == 0;
    default:
      return false;
  }
}

// Appends the text of `n`'s subtree (skipping non-content elements) to `out`,
// with a space at block-level element boundaries.
void AppendText(const xmlNode* n, std::string* out);
// Collapses runs of white space (ASCII, NBSP, ideographic space) to one space,
// drops zero-width characters, trims.
std::string CollapseWhitespace(absl::string_view s);
// CollapseWhitespace(AppendText(n)).
std::string NodeText(const xmlNode* n);

// Inline style / hidden attribute of this element hides it from readers:
// display:none, visibility:hidden, font-size:0, width or height 0/1px,
// large negative off-screen positions or text-indent.
bool HiddenByStyle(const xmlNode* n);
// Why HiddenByStyle holds: "hidden attribute", "display:none",
// "visibility:hidden", "font-size:0", "tiny box", "text-indent off-screen",
// "off-screen"; "" when it does not.
std::string HiddenHow(const xmlNode* n);
// The same test on CSS declarations: `style` lower-cased without white space
// (NormalizeStyle).
std::string NormalizeStyle(absl::string_view style);
absl::string_view HiddenStyleHow(absl::string_view normalized_style);
// HiddenByStyle on the element or any ancestor.
bool HiddenWithAncestors(const xmlNode* n);

// True when `n` or an ancestor has the given tag.
bool InsideTag(const xmlNode* n, absl::string_view tag);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_HTML_DOM_H_
