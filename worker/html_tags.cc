// libxml2 2.9's HTML element tables (see internal/html_tags.h).

#include "worker/internal/html_tags.h"

#include <utility>

namespace census {
namespace internal {
namespace {

constexpr const char* kTags[] = {
    "a",        "abbr",    "acronym",    "address", "area",    "b",        "base",     "basefont",
    "bdo",      "big",     "blockquote", "body",    "br",      "caption",  "center",   "cite",
    "code",     "col",     "colgroup",   "dd",      "dir",     "div",      "dl",       "dt",
    "em",       "embed",   "fieldset",   "font",    "form",    "frame",    "frameset", "h1",
    "h2",       "h3",      "h4",         "h5",      "h6",      "head",     "hr",       "html",
    "i",        "iframe",  "img",        "input",   "isindex", "kbd",      "legend",   "li",
    "link",     "listing", "map",        "menu",    "meta",    "noframes", "noscript", "ol",
    "optgroup", "option",  "p",          "param",   "pre",     "q",        "s",        "samp",
    "script",   "small",   "span",       "strike",  "strong",  "style",    "sub",      "sup",
    "table",    "tbody",   "td",         "tfoot",   "th",      "thead",    "title",    "tr",
    "tt",       "u",       "ul",         "var",     "xmp",     "select",   "textarea", "label",
    "button",   "section", "article",    "nav",     "header",  "footer",   "aside",    "main",
    "template", "svg",     "object",     "ins",     "del",     "dfn",      "figure",   "video"};
static_assert(sizeof(kTags) / sizeof(kTags[0]) == kNumHtmlTags);

// {open element, start tag that closes it} from libxml2's htmlStartClose.
constexpr const char* kStartClose[][2] = {{"a", "a"},
                                          {"a", "fieldset"},
                                          {"a", "table"},
                                          {"a", "td"},
                                          {"a", "th"},
                                          {"address", "dd"},
                                          {"address", "dl"},
                                          {"address", "dt"},
                                          {"address", "form"},
                                          {"address", "li"},
                                          {"address", "ul"},
                                          {"b", "center"},
                                          {"b", "p"},
                                          {"b", "td"},
                                          {"b", "th"},
                                          {"big", "p"},
                                          {"caption", "col"},
                                          {"caption", "colgroup"},
                                          {"caption", "tbody"},
                                          {"caption", "tfoot"},
                                          {"caption", "thead"},
                                          {"caption", "tr"},
                                          {"col", "col"},
                                          {"col", "colgroup"},
                                          {"col", "tbody"},
                                          {"col", "tfoot"},
                                          {"col", "thead"},
                                          {"col", "tr"},
                                          {"colgroup", "colgroup"},
                                          {"colgroup", "tbody"},
                                          {"colgroup", "tfoot"},
                                          {"colgroup", "thead"},
                                          {"colgroup", "tr"},
                                          {"dd", "dt"},
                                          {"dir", "dd"},
                                          {"dir", "dl"},
                                          {"dir", "dt"},
                                          {"dir", "form"},
                                          {"dir", "ul"},
                                          {"dl", "form"},
                                          {"dl", "li"},
                                          {"dt", "dd"},
                                          {"dt", "dl"},
                                          {"font", "center"},
                                          {"font", "td"},
                                          {"font", "th"},
                                          {"form", "form"},
                                          {"hr", "form"},
                                          {"i", "center"},
                                          {"i", "p"},
                                          {"i", "td"},
                                          {"i", "th"},
                                          {"legend", "fieldset"},
                                          {"li", "li"},
                                          {"link", "body"},
                                          {"link", "frameset"},
                                          {"menu", "dd"},
                                          {"menu", "dl"},
                                          {"menu", "dt"},
                                          {"menu", "form"},
                                          {"menu", "ul"},
                                          {"ol", "form"},
                                          {"option", "optgroup"},
                                          {"option", "option"},
                                          {"s", "p"},
                                          {"script", "noscript"},
                                          {"small", "p"},
                                          {"span", "td"},
                                          {"span", "th"},
                                          {"strike", "p"},
                                          {"style", "body"},
                                          {"style", "frameset"},
                                          {"tbody", "tbody"},
                                          {"tbody", "tfoot"},
                                          {"td", "tbody"},
                                          {"td", "td"},
                                          {"td", "tfoot"},
                                          {"td", "th"},
                                          {"td", "tr"},
                                          {"tfoot", "tbody"},
                                          {"th", "tbody"},
                                          {"th", "td"},
                                          {"th", "tfoot"},
                                          {"th", "th"},
                                          {"th", "tr"},
                                          {"thead", "tbody"},
                                          {"thead", "tfoot"},
                                          {"title", "body"},
                                          {"title", "frameset"},
                                          {"tr", "tbody"},
                                          {"tr", "tfoot"},
                                          {"tr", "tr"},
                                          {"tt", "p"},
                                          {"u", "p"},
                                          {"u", "td"},
                                          {"u", "th"},
                                          {"ul", "address"},
                                          {"ul", "form"},
                                          {"ul", "menu"},
                                          {"ul", "pre"}};
// Open elements closed by any of a group of start tags.
constexpr const char* kHeadClosers[] = {
    "a",       "abbr",   "acronym",  "address", "b",    "bdo",      "big",   "blockquote", "body",
    "br",      "center", "cite",     "code",    "dd",   "dfn",      "dir",   "div",        "dl",
    "dt",      "em",     "fieldset", "font",    "form", "frameset", "h1",    "h2",         "h3",
    "h4",      "h5",     "h6",       "hr",      "i",    "iframe",   "img",   "kbd",        "li",
    "listing", "map",    "menu",     "ol",      "p",    "pre",      "q",     "s",          "samp",
    "small",   "span",   "strike",   "strong",  "sub",  "sup",      "table", "tt",         "u",
    "ul",      "var",    "xmp"};
constexpr const char* kPClosers[] = {
    "address", "blockquote", "body",  "caption", "center",   "col",   "colgroup", "dd",
    "dir",     "div",        "dl",    "dt",      "fieldset", "form",  "frameset", "h1",
    "h2",      "h3",         "h4",    "h5",      "h6",       "head",  "hr",       "li",
    "listing", "menu",       "ol",    "p",       "pre",      "table", "tbody",    "td",
    "tfoot",   "th",         "title", "tr",      "ul",       "xmp"};
constexpr const char* kHeadingClosed[] = {"fieldset", "form", "li", "p", "table"};
constexpr const char* kPreLikeClosed[] = {"dd",   "dl", "dt",    "fieldset",
                                          "form", "li", "table", "ul"};

}  // namespace

const char* TagTable::Name(int id) const { return kTags[id]; }

void TagTable::Close(const char* open, const char* by) {
  const int o = Id(open), b = Id(by);
  if (o >= 0 && b >= 0) closes[o][b] = true;
}

TagTable::TagTable() {
  for (int i = 0; i < kNumHtmlTags; ++i) {
    const absl::string_view name = kTags[i];
    size_t h = Hash(name);
    while (slots_[h].id >= 0) h = (h + 1) & (kSlots - 1);
    slots_[h] = {name, i};
  }
  for (const auto& p : kStartClose) Close(p[0], p[1]);
  for (const char* t : kHeadClosers) Close("head", t);
  for (const char* t : kPClosers) Close("p", t);
  for (const char* h : {"h1", "h2", "h3", "h4", "h5", "h6"}) {
    for (const char* t : kHeadingClosed) Close(h, t);
  }
  for (const char* o : {"listing", "pre", "xmp"}) {
    for (const char* t : kPreLikeClosed) Close(o, t);
  }
  end_priority.fill(100);
  const std::pair<const char*, int> prio[] = {
      {"div", 150},   {"td", 160},    {"th", 160},   {"tr", 170},   {"thead", 180}, {"tbody", 180},
      {"tfoot", 180}, {"table", 190}, {"head", 200}, {"body", 200}, {"html", 220}};
  for (const auto& [t, p] : prio) end_priority[Id(t)] = p;
  for (const char* t : {"area", "base", "basefont", "br", "col", "frame", "hr", "img", "input",
                        "isindex", "link", "meta", "param"}) {
    empty[Id(t)] = true;
  }
}

const TagTable& Tags() {
  static const TagTable* t = new TagTable();
  return *t;
}

}  // namespace internal
}  // namespace census
