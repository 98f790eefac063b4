// Dated list items without per-site rules (see internal/list_finder.h).

#include "worker/internal/list_finder.h"

#include <libxml/xpath.h>

#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/clock.h"
#include "worker/internal/dates.h"

namespace census {
namespace internal {
namespace {

const char* Str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

// The href without surrounding white space, as a view (see AttrView).
absl::string_view HrefView(const xmlNode* a, std::string* storage) {
  return absl::StripAsciiWhitespace(AttrView(a, "href", storage));
}

std::string HrefOf(const xmlNode* a) {
  std::string storage;
  return std::string(HrefView(a, &storage));
}

// `title_out` receives the anchor's title when it is one.
// `titles` (may be null) memoises the title.
bool IsContentAnchor(const xmlNode* a, std::string* title_out = nullptr,
                     AnchorTitles* titles = nullptr) {
  if (!IsTag(a, "a")) return false;
  std::string storage;
  const absl::string_view href = HrefView(a, &storage);
  if (href.empty() || href == "#") return false;
  std::string title = titles != nullptr ? titles->Get(a) : AnchorTitle(a);
  if (title.empty() || IsMoreLink(title)) return false;
  if (title_out != nullptr) *title_out = std::move(title);
  return true;
}

// IsContentAnchor memoised in the node's spare `extra` bits (html_dom.cc uses
// two others): ScanSubtree meets the same neighbour anchors from every anchor
// of a block.
constexpr unsigned short kContentKnown = 0x1000, kContentYes = 0x2000;

void RememberContentAnchor(const xmlNode* a, bool yes) {
  const_cast<xmlNode*>(a)->extra |= kContentKnown | (yes ? kContentYes : 0);
}

bool IsContentAnchorCached(const xmlNode* a) {
  if ((a->extra & kContentKnown) != 0) return (a->extra & kContentYes) != 0;
  const bool yes = IsContentAnchor(a);
  RememberContentAnchor(a, yes);
  return yes;
}

// A date text needs an ASCII digit or a 年 (Chinese numerals); the cheap test
// spares most text nodes the collapse and the date scan.
bool MayHoldDate(const char* s) {
  for (; (s = std::strpbrk(s, "0123456789\xE5")) != nullptr; ++s) {
    if (*s != '\xE5') return true;
    if (s[1] == '\xB9' && s[2] == '\xB4') return true;  // 年
  }
  return false;
}

struct Scan {
  bool multi = false;
  bool found = false;
  std::string text;  // the date text, collapsed
  DateMatch match;
};

// Looks through `n`'s subtree for another content link (a different href) and
// for the first text that is a date. `skip`'s subtree (the anchor's, or the
// part already scanned) is left out.
void ScanSubtree(const xmlNode* n, const xmlNode* skip, const std::string& href, Scan* s) {
  for (const xmlNode* c = n->children; c != nullptr && !s->multi; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      // Collapsed blocks inside an item (相似文章, display:none) are not part
      // of it.
      if (c == skip || IsNonContent(c) || HiddenByStyle(c)) continue;
      std::string storage;
      if (IsTag(c, "a") && IsContentAnchorCached(c) && HrefView(c, &storage) != href) {
        s->multi = true;
        return;
      }
      ScanSubtree(c, skip, href, s);
    } else if (!s->found && (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
               c->content != nullptr && MayHoldDate(Str(c->content))) {
      std::string t = CollapseWhitespace(Str(c->content));
      if (!t.empty() && IsDateText(t, &s->match)) {
        s->found = true;
        s->text = std::move(t);
      }
    }
  }
}

// A date inside the anchor itself: a child text that is only a date
// (<a><span>title</span><span>2019-05-09</span></a>), or a trailing
// "[2019-05-09]" after the title. `title` loses the date part.
bool DateInsideAnchor(const xmlNode* a, const std::string& href, Scan* s, std::string* title) {
  Scan inner;
  ScanSubtree(a, nullptr, href, &inner);
  if (inner.found && !inner.multi) {
    std::string rest = *title;
    const size_t at = rest.find(inner.text);
    if (at != std::string::npos) rest.erase(at, inner.text.size());
    rest = CollapseWhitespace(rest);
    if (!rest.empty()) {
      *s = inner;
      *title = rest;
      return true;
    }
  }
  // Trailing date in the same text: "title [2019-05-09]", "title 2019-05-09".
  DateMatch m;
  size_t from = 0;
  DateMatch last;
  bool any = false;
  while (FindDate(*title, from, &m)) {
    last = m;
    any = true;
    from = m.end;
  }
  if (!any || last.begin == 0 || last.year == 0) return false;
  absl::string_view tail = absl::string_view(*title).substr(last.end);
  tail = absl::StripAsciiWhitespace(tail);
  if (!(tail.empty() || tail == "]" || tail == ")" || tail == "）" || tail == "】")) {
    return false;
  }
  std::string head = title->substr(0, last.begin);
  absl::string_view h = absl::StripAsciiWhitespace(head);
  bool bracket = absl::ConsumeSuffix(&h, "[") || absl::ConsumeSuffix(&h, "(") ||
                 absl::ConsumeSuffix(&h, "（") || absl::ConsumeSuffix(&h, "【");
  (void)bracket;
  // Only when the date is set apart from the title text.
  if (h.size() == head.size()) return false;
  s->found = true;
  s->text = std::string(absl::string_view(*title).substr(last.begin));
  s->match = last;
  s->match.end -= last.begin;
  s->match.begin = 0;
  *title = CollapseWhitespace(h);
  return !title->empty();
}

// "tag.firstclass/" per element from the root down to `n`. The levels are
// read leaf to root and written root first into one string (prepending each
// level copied the whole key once per ancestor).
std::string GroupKey(const xmlNode* n) {
  struct Level {
    absl::string_view tag;
    std::string first_class;
  };
  std::vector<Level> levels;
  std::string storage;
  for (; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    absl::string_view first = absl::StripAsciiWhitespace(AttrView(n, "class", &storage));
    first = first.substr(0, first.find_first_of(" \t\r\n"));
    levels.push_back({TagName(n), std::string(first)});
  }
  std::string key;
  for (auto it = levels.rbegin(); it != levels.rend(); ++it) {
    key.append(it->tag.data(), it->tag.size());
    if (!it->first_class.empty()) {
      key += '.';
      key += it->first_class;
    }
    key += '/';
  }
  return key;
}

FoundItem MakeItem(const xmlNode* anchor, const std::string& href, const xmlNode* container,
                   const Scan& s, std::string title, UrlResolver* urls, absl::CivilDay as_of) {
  FoundItem f;
  f.anchor = anchor;
  f.container = container;
  f.item.title = std::move(title);
  std::string resolved = urls->base().empty() ? "" : urls->Resolve(href);
  f.item.href = resolved.empty() ? href : resolved;
  f.item.date_raw = s.text;
  absl::CivilDay day;
  if (ResolveDate(s.match, as_of, &day)) f.item.date = FormatCivilDay(day);
  f.group = GroupKey(container);
  for (const xmlNode* n = container; n != nullptr; n = n->parent) {
    if (IsBoilerplateBlock(n)) f.boilerplate = true;
  }
  return f;
}

// Date in the siblings next to the anchor (lists separated by <br> inside one
// cell): the following siblings up to the next link, else the preceding ones.
bool DateInSiblings(const xmlNode* a, const std::string& href, Scan* s) {
  for (int dir = 0; dir < 2; ++dir) {
    for (const xmlNode* c = dir == 0 ? a->next : a->prev; c != nullptr;
         c = dir == 0 ? c->next : c->prev) {
      if (c->type == XML_ELEMENT_NODE) {
        if (IsTag(c, "br") || IsTag(c, "p") || IsTag(c, "li")) break;
        Scan sub;
        ScanSubtree(c, nullptr, href, &sub);
        if (sub.multi || IsContentAnchorCached(c)) break;
        if (sub.found) {
          *s = sub;
          return true;
        }
      } else if (c->type == XML_TEXT_NODE && c->content != nullptr) {
        std::string t = CollapseWhitespace(Str(c->content));
        if (!t.empty() && IsDateText(t, &s->match)) {
          s->found = true;
          s->text = std::move(t);
          return true;
        }
      }
    }
  }
  return false;
}

bool AncestorOrSelf(const xmlNode* a, const xmlNode* n) {
  for (; n != nullptr; n = n->parent) {
    if (n == a) return true;
  }
  return false;
}

// A result whose title link and source/date link share the href yields two
// candidates; the first (the title) holds the other's container.
std::vector<FoundItem> DropNestedDuplicates(std::vector<FoundItem> items) {
  std::vector<FoundItem> out;
  absl::flat_hash_map<std::string, std::vector<size_t>> by_href;
  for (FoundItem& f : items) {
    bool dup = false;
    for (size_t i : by_href[f.item.href]) {
      if (AncestorOrSelf(out[i].container, f.container)) dup = true;
    }
    if (dup) continue;
    by_href[f.item.href].push_back(out.size());
    out.push_back(std::move(f));
  }
  return out;
}

struct Anchor {
  const xmlNode* node;
  std::string title;
};

void CollectAnchors(const xmlNode* n, std::vector<Anchor>* out, AnchorTitles* titles = nullptr) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || IsNonContent(c)) continue;
    if (IsTag(c, "a")) {
      std::string title;
      const bool yes = IsContentAnchor(c, &title, titles);
      RememberContentAnchor(c, yes);
      if (yes) out->push_back({c, std::move(title)});
      continue;  // nested anchors are invalid HTML; the outer one counts
    }
    CollectAnchors(c, out, titles);
  }
}

}  // namespace

std::vector<FoundItem> FindDatedItems(xmlDoc* doc, UrlResolver* urls, absl::CivilDay as_of,
                                      AnchorTitles* titles) {
  std::vector<FoundItem> items;
  xmlNode* root = doc == nullptr ? nullptr : xmlDocGetRootElement(doc);
  if (root == nullptr) return items;
  std::vector<Anchor> anchors;
  CollectAnchors(root, &anchors, titles);
  for (Anchor& anchor : anchors) {
    const xmlNode* a = anchor.node;
    const std::string href = HrefOf(a);
    std::string title = std::move(anchor.title);
    Scan s;
    if (DateInsideAnchor(a, href, &s, &title)) {
      items.push_back(MakeItem(a, href, a->parent, s, title, urls, as_of));
      continue;
    }
    const xmlNode* node = a;
    for (int depth = 0; depth < 5; ++depth) {
      const xmlNode* p = node->parent;
      if (p == nullptr || p->type != XML_ELEMENT_NODE || IsTag(p, "body") || IsTag(p, "html")) {
        break;
      }
      // Only p's other children: `node`'s subtree (less the anchor's) was
      // scanned at the level below and held neither a date nor another link,
      // so the first date and any other link of p lie outside it.
      Scan level;
      ScanSubtree(p, node, href, &level);
      if (level.multi) {
        if (depth == 0 && DateInSiblings(a, href, &s)) {
          items.push_back(MakeItem(a, href, a, s, title, urls, as_of));
        }
        break;
      }
      if (level.found) {
        items.push_back(MakeItem(a, href, p, level, title, urls, as_of));
        break;
      }
      node = p;
    }
  }
  return DropNestedDuplicates(std::move(items));
}

std::vector<FoundItem> ItemsByXPath(xmlDoc* doc, const std::string& xpath, UrlResolver* urls,
                                    absl::CivilDay as_of) {
  std::vector<FoundItem> items;
  if (doc == nullptr || xpath.empty()) return items;
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  if (ctx == nullptr) return items;
  xmlXPathObjectPtr res = xmlXPathEvalExpression(BAD_CAST xpath.c_str(), ctx);
  if (res != nullptr && res->type == XPATH_NODESET && res->nodesetval != nullptr) {
    for (int i = 0; i < res->nodesetval->nodeNr; ++i) {
      const xmlNode* el = res->nodesetval->nodeTab[i];
      if (el == nullptr || el->type != XML_ELEMENT_NODE) continue;
      std::vector<Anchor> anchors;
      if (std::string t; IsContentAnchor(el, &t)) {
        anchors.push_back({el, std::move(t)});
      } else {
        CollectAnchors(el, &anchors);
      }
      if (anchors.empty()) continue;
      const xmlNode* a = anchors.front().node;
      Scan s;
      const std::string href = HrefOf(a);
      ScanSubtree(el, a, href, &s);
      std::string title = AnchorTitle(a);
      if (!s.found) {
        DateInsideAnchor(a, href, &s, &title);
      }
      if (!s.found) {
        const std::string text = NodeText(el);
        DateMatch m;
        if (FindDate(text, 0, &m)) {
          s.found = true;
          s.text = text.substr(m.begin, m.end - m.begin);
          s.match = m;
          s.match.end -= m.begin;
          s.match.begin = 0;
        }
      }
      FoundItem f = MakeItem(a, href, el, s, title, urls, as_of);
      if (!s.found) {
        f.item.date.clear();
        f.item.date_raw.clear();
      }
      items.push_back(std::move(f));
    }
  }
  if (res != nullptr) xmlXPathFreeObject(res);
  xmlXPathFreeContext(ctx);
  return items;
}

}  // namespace internal
}  // namespace census
