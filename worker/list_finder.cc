// Dated list items without per-site rules (see internal/list_finder.h).

#include "worker/internal/list_finder.h"

#include <libxml/xpath.h>

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

size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string HrefOf(const xmlNode* a) {
  return std::string(absl::StripAsciiWhitespace(Attr(a, "href")));
}

bool IsContentAnchor(const xmlNode* a) {
  if (!IsTag(a, "a")) return false;
  const std::string href = HrefOf(a);
  if (href.empty() || href == "#") return false;
  const std::string title = AnchorTitle(a);
  return !title.empty() && !IsMoreLink(title);
}

struct Scan {
  bool multi = false;
  bool found = false;
  std::string text;  // the date text, collapsed
  DateMatch match;
};

// Looks through `n`'s subtree for another content link (a different href) and
// for the first text that is a date. The anchor's own subtree is skipped.
void ScanSubtree(const xmlNode* n, const xmlNode* anchor, const std::string& href, Scan* s) {
  for (const xmlNode* c = n->children; c != nullptr && !s->multi; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) {
      // Collapsed blocks inside an item (相似文章, display:none) are not part
      // of it.
      if (c == anchor || IsNonContent(c) || HiddenByStyle(c)) continue;
      if (IsTag(c, "a") && HrefOf(c) != href && IsContentAnchor(c)) {
        s->multi = true;
        return;
      }
      ScanSubtree(c, anchor, href, s);
    } else if (!s->found && (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
               c->content != nullptr) {
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
bool DateInsideAnchor(const xmlNode* a, Scan* s, std::string* title) {
  Scan inner;
  ScanSubtree(a, nullptr, HrefOf(a), &inner);
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

std::string GroupKey(const xmlNode* n) {
  std::string key;
  for (; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    std::string cls = Attr(n, "class");
    absl::string_view first = absl::StripAsciiWhitespace(cls);
    first = first.substr(0, first.find_first_of(" \t\r\n"));
    key = absl::StrCat(TagName(n), first.empty() ? "" : ".", first, "/", key);
  }
  return key;
}

FoundItem MakeItem(const xmlNode* anchor, const xmlNode* container, const Scan& s,
                   std::string title, const std::string& base, absl::CivilDay as_of) {
  FoundItem f;
  f.anchor = anchor;
  f.container = container;
  f.item.title = std::move(title);
  const std::string href = HrefOf(anchor);
  std::string resolved = base.empty() ? "" : ResolveUrl(base, href);
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
bool DateInSiblings(const xmlNode* a, Scan* s) {
  for (int dir = 0; dir < 2; ++dir) {
    for (const xmlNode* c = dir == 0 ? a->next : a->prev; c != nullptr;
         c = dir == 0 ? c->next : c->prev) {
      if (c->type == XML_ELEMENT_NODE) {
        if (IsTag(c, "br") || IsTag(c, "p") || IsTag(c, "li")) break;
        Scan sub;
        ScanSubtree(c, nullptr, HrefOf(a), &sub);
        if (sub.multi || IsContentAnchor(c)) break;
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

// Text of an anchor for use as a title: like NodeText, but a <br> between two
// CJK characters joins them (titles wrapped in the middle of a sentence).
void TitleText(const xmlNode* n, std::string* out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE && c->content != nullptr) {
      *out += Str(c->content);
    } else if (c->type == XML_ELEMENT_NODE && !IsNonContent(c)) {
      if (IsTag(c, "br")) {
        *out += '\x01';
      } else {
        TitleText(c, out);
      }
    }
  }
}

std::string JoinBreaks(std::string s) {
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

void CollectAnchors(const xmlNode* n, std::vector<const xmlNode*>* out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || IsNonContent(c)) continue;
    if (IsTag(c, "a")) {
      if (IsContentAnchor(c)) out->push_back(c);
      continue;  // nested anchors are invalid HTML; the outer one counts
    }
    CollectAnchors(c, out);
  }
}

}  // namespace

bool IsMoreLink(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (absl::StrContains(t, "更多") && Utf8Length(t) <= 8) return true;
  static constexpr absl::string_view kWords[] = {
      "more",   "more>>", "more+", "详情",     "[详情]",   "【详情】", "详细",
      "查看",   "进入",   ">>",    "»",        "+",        "首页",     "上一页",
      "下一页", "尾页",   "末页",  "查看全文", "阅读全文", "点击进入"};
  for (absl::string_view w : kWords) {
    if (t == w) return true;
  }
  bool digits = !t.empty();
  for (char c : t) digits = digits && absl::ascii_isdigit(c);
  return digits;
}

std::string AnchorTitle(const xmlNode* a) {
  std::string raw;
  TitleText(a, &raw);
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

bool IsBoilerplateBlock(const xmlNode* n) {
  if (n == nullptr || n->type != XML_ELEMENT_NODE) return false;
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

std::vector<FoundItem> FindDatedItems(xmlDoc* doc, const std::string& base, absl::CivilDay as_of) {
  std::vector<FoundItem> items;
  xmlNode* root = doc == nullptr ? nullptr : xmlDocGetRootElement(doc);
  if (root == nullptr) return items;
  std::vector<const xmlNode*> anchors;
  CollectAnchors(root, &anchors);
  for (const xmlNode* a : anchors) {
    const std::string href = HrefOf(a);
    std::string title = AnchorTitle(a);
    Scan s;
    if (DateInsideAnchor(a, &s, &title)) {
      items.push_back(MakeItem(a, a->parent, s, title, base, as_of));
      continue;
    }
    const xmlNode* node = a;
    for (int depth = 0; depth < 5; ++depth) {
      const xmlNode* p = node->parent;
      if (p == nullptr || p->type != XML_ELEMENT_NODE || IsTag(p, "body") || IsTag(p, "html")) {
        break;
      }
      Scan level;
      ScanSubtree(p, a, href, &level);
      if (level.multi) {
        if (depth == 0 && DateInSiblings(a, &s)) {
          items.push_back(MakeItem(a, a, s, title, base, as_of));
        }
        break;
      }
      if (level.found) {
        items.push_back(MakeItem(a, p, level, title, base, as_of));
        break;
      }
      node = p;
    }
  }
  return DropNestedDuplicates(std::move(items));
}

std::vector<FoundItem> ItemsByXPath(xmlDoc* doc, const std::string& xpath, const std::string& base,
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
      std::vector<const xmlNode*> anchors;
      if (IsContentAnchor(el)) {
        anchors.push_back(el);
      } else {
        CollectAnchors(el, &anchors);
      }
      if (anchors.empty()) continue;
      const xmlNode* a = anchors.front();
      Scan s;
      ScanSubtree(el, a, HrefOf(a), &s);
      std::string title = AnchorTitle(a);
      if (!s.found) {
        DateInsideAnchor(a, &s, &title);
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
      FoundItem f = MakeItem(a, el, s, title, base, as_of);
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
