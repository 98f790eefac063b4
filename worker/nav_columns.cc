// Candidate columns of a page (internal/page_links.h NavColumns; docs/COLUMNS.md §1):
// navigation, submenus, 更多 targets, headed boxes, category-named links; never an
// article.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "worker/internal/list_finder.h"
#include "worker/internal/page_links.h"

namespace census {
namespace internal {
namespace {

size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The host of `url` as written ("" when it has no "://").
absl::string_view HostView(absl::string_view url) {
  const size_t s = url.find("://");
  if (s == absl::string_view::npos) return "";
  url.remove_prefix(s + 3);
  size_t end = 0;
  while (end < url.size() && url[end] != '/' && url[end] != '?') ++end;
  url = url.substr(0, end);
  const size_t at = url.rfind('@');
  if (at != absl::string_view::npos) url.remove_prefix(at + 1);
  return url.substr(0, url.find(':'));
}

std::string HostOf(absl::string_view url) { return absl::AsciiStrToLower(HostView(url)); }

// HostOf(url) == host for a lower-case `host`, without a copy.
bool OnHost(absl::string_view url, absl::string_view host) {
  return absl::EqualsIgnoreCase(HostView(url), host);
}

std::string PathOf(absl::string_view url) {
  const size_t s = url.find("://");
  if (s == absl::string_view::npos) return "";
  url.remove_prefix(s + 3);
  const size_t slash = url.find('/');
  if (slash == absl::string_view::npos) return "/";
  url.remove_prefix(slash);
  return std::string(url.substr(0, url.find('?')));
}

bool AllDigits(absl::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// Detail (article) pages by their URL, as the CMS families write them: a yyyymm
// or yyyymmdd folder (TRS ./202610/t20261008_123.html), a y/m/d or y/mmdd folder run
// (Hanweb /art/2026/10/8/art_7607_1.html, DedeCMS /a/news/2026/1008/123.html), a
// TRS t20231011_123 name, Hanweb art_… and govcms content_… names, VSB
// /info/1015/4213.htm, a long numeric or hex file name, or a detail script with an
// id (show.asp?id=12, view.php?aid=3, detail?id=…). An article is never a column.
bool ArticleLike(absl::string_view url) {
  const std::string path = PathOf(url);
  const std::vector<absl::string_view> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  for (size_t i = 0; i < parts.size(); ++i) {
    const absl::string_view p = parts[i];
    const bool year = p.size() == 4 && AllDigits(p) && (p[0] == '1' || p[0] == '2');
    if (AllDigits(p) && (p.size() == 6 || p.size() == 8) && (p[0] == '1' || p[0] == '2')) {
      return true;  // yyyymm, yyyymmdd
    }
    if (year && i + 1 < parts.size()) {
      absl::string_view next = parts[i + 1];
      next = next.substr(0, next.find('.'));
      if (AllDigits(next) && next.size() <= 4 && i + 2 < parts.size()) return true;
    }
    if (p == "art" || p == "info") {
      if (i + 2 < parts.size() && AllDigits(parts[i + 1].substr(0, 4))) return true;
    }
  }
  const size_t last = path.rfind('/');
  absl::string_view file = absl::string_view(path).substr(last + 1);
  const absl::string_view ext = file.substr(std::min(file.size(), file.find('.')));
  file = file.substr(0, file.find('.'));
  if (absl::StartsWith(file, "t") && absl::StrContains(file, "_") && file.size() > 9 &&
      AllDigits(file.substr(1, 8))) {
    return true;
  }
  for (absl::string_view prefix : {"art_", "content_", "article_", "news_", "detail_"}) {
    if (absl::StartsWith(file, prefix) &&
        absl::ascii_isdigit(file.size() > prefix.size() ? file[prefix.size()] : 'x')) {
      return true;
    }
  }
  const std::string lower_path = absl::AsciiStrToLower(path);
  const bool list_path = absl::StrContains(lower_path, "list") ||
                         absl::StrContains(lower_path, "col") ||
                         absl::StrContains(lower_path, "channel");
  if (AllDigits(file) && file.size() >= 3 && !ext.empty() && !list_path) return true;
  size_t hexish = 0;
  for (char c : file) hexish += absl::ascii_isxdigit(c) || c == '_';
  if (file.size() >= 10 && hexish == file.size()) return true;
  // Detail scripts: an id parameter names one record.
  const size_t q = url.find('?');
  if (q != absl::string_view::npos) {
    const std::string query = absl::AsciiStrToLower(url.substr(q + 1));
    for (absl::string_view key :
         {"id=", "aid=", "articleid=", "newsid=", "infoid=", "docid=", "contentid=", "artid="}) {
      const size_t at = absl::string_view(query).find(key);
      if (at != std::string::npos && (at == 0 || query[at - 1] == '&') && !list_path) {
        return true;
      }
    }
  }
  return false;
}

bool InNavBlock(const xmlNode* n) {
  for (; n != nullptr && n->type == XML_ELEMENT_NODE; n = n->parent) {
    if (IsTag(n, "nav")) return true;
    const std::string hint =
        absl::AsciiStrToLower(absl::StrCat(Attr(n, "id"), " ", Attr(n, "class")));
    if (absl::StrContains(hint, "nav") || absl::StrContains(hint, "menu") ||
        absl::StrContains(hint, "daohang")) {
      return true;
    }
    if (absl::StrContains(hint, "footer") || absl::StrContains(hint, "friend")) {
      return false;
    }
  }
  return false;
}

// "更多", "more>>", "+", an image or empty link with class "more".
bool IsMoreTarget(const xmlNode* a, absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (absl::StrContains(t, "更多") && Utf8Length(t) <= 8) return true;
  if (absl::StartsWith(t, "more") && t.size() <= 8) return true;
  if (t == ">>" || t == "»" || t == "+" || t == "more+" || t == "查看全部") return true;
  if (!t.empty()) return false;
  for (const xmlNode* n = a; n != nullptr && n != a->parent->parent; n = n->parent) {
    if (absl::StrContains(absl::AsciiStrToLower(Attr(n, "class")), "more")) return true;
  }
  return false;
}

// Blocks that hold a menu's or a box's links: a label before one of them names them
// (<h5>新闻中心</h5><p><a>工作动态</a></p><p><a>部门动态</a></p>).
bool IsListContainer(const xmlNode* n) {
  return IsTag(n, "ul") || IsTag(n, "ol") || IsTag(n, "dl") || IsTag(n, "dd") || IsTag(n, "div") ||
         IsTag(n, "table") || IsTag(n, "tbody") || IsTag(n, "section") || IsTag(n, "p");
}

// Text of `n` without the subtree `skip`.
std::string TextWithout(const xmlNode* n, const xmlNode* skip) {
  std::string out;
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c == skip) continue;
    if (c->type == XML_TEXT_NODE && c->content != nullptr) {
      out += reinterpret_cast<const char*>(c->content);
      out += ' ';
    } else if (c->type == XML_ELEMENT_NODE && !IsNonContent(c)) {
      out += NodeText(c);
      out += ' ';
    }
  }
  return CollapseWhitespace(out);
}

// The heading a "more" link stands beside: the text of its nearest ancestor (up to
// three levels) once the link is left out, when that is a short name.
std::string MoreLinkHeading(const xmlNode* a) {
  const xmlNode* node = a;
  for (int depth = 0; depth < 3 && node->parent != nullptr; ++depth) {
    const xmlNode* p = node->parent;
    if (p->type != XML_ELEMENT_NODE) break;
    // Other "more" marks beside the heading ("通知公告 更多>>" in one box) go.
    std::string text =
        CollapseWhitespace(absl::StrReplaceAll(TextWithout(p, node), {{"更多", " "},
                                                                      {">", " "},
                                                                      {"»", " "},
                                                                      {"+", " "},
                                                                      {"...", " "},
                                                                      {"…", " "},
                                                                      {"more", " "},
                                                                      {"MORE", " "},
                                                                      {"More", " "}}));
    const size_t len = Utf8Length(text);
    if (len >= 2 && len <= 12) return text;
    if (len > 12) break;
    node = p;
  }
  return "";
}

// The parent entry of a link in a nested menu or a headed block: climbing from the
// link, the nearest list container whose preceding sibling is a short label (a
// `javascript:;` entry, a <dt>, a heading, a <span>) gives that label's text.
std::string ParentLabel(const xmlNode* a) {
  // The label before `node` among its siblings, past the list's other entries (the
  // same tag): a short text that is not itself a list.
  const auto label_before = [](const xmlNode* node) -> std::string {
    for (const xmlNode* prev = node->prev; prev != nullptr; prev = prev->prev) {
      if (prev->type != XML_ELEMENT_NODE) continue;
      if (TagName(prev) == TagName(node)) continue;  // the list's other entries
      if (IsListContainer(prev) && !IsTag(prev, "div")) return "";
      std::string text = NodeText(prev);
      const size_t len = Utf8Length(text);
      if (len >= 2 && len <= 10 && !IsMoreLink(text)) return text;
      return "";
    }
    return "";
  };
  // Links straight under a heading in one box: <div><div class="tit">专题专栏</div><a>…
  if (std::string label = label_before(a); !label.empty()) return label;
  const xmlNode* node = a->parent;
  for (int depth = 0; depth < 5 && node != nullptr && node->parent != nullptr; ++depth) {
    const xmlNode* p = node->parent;
    if (p->type != XML_ELEMENT_NODE || IsTag(p, "body")) break;
    if (IsListContainer(node)) {
      if (std::string label = label_before(node); !label.empty()) return label;
    }
    node = p;
  }
  return "";
}

struct NavWalk {
  UrlResolver* urls;
  std::string host;
  std::string home;
  const absl::flat_hash_set<const xmlNode*>* item_anchors;
  absl::flat_hash_map<std::string, bool> seen;
  std::vector<NavColumn> out;

  void Walk(const xmlNode* n) {
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE || IsNonContent(c) || IsTag(c, kEmbeddedTag)) {
        continue;
      }
      if (!IsTag(c, "a")) {
        Walk(c);
        continue;
      }
      Consider(c);
    }
  }

  void Consider(const xmlNode* a) {
    // A dated list item links an article, whatever its URL looks like.
    if (item_anchors->contains(a)) return;
    std::string storage;
    const std::string url = urls->Resolve(AttrView(a, "href", &storage));
    if (url.empty() || url == home || !OnHost(url, host) || IsAttachmentUrl(url) ||
        ArticleLike(url) || PathOf(url) == "/") {
      return;
    }
    std::string name = NodeText(a);
    if (name.empty()) name = CollapseWhitespace(Attr(a, "title"));
    if (name.empty()) {
      for (const xmlNode* c = a->children; c != nullptr; c = c->next) {
        if (IsTag(c, "img")) name = CollapseWhitespace(Attr(c, "alt"));
      }
    }
    NavColumn col;
    col.url = url;
    if (IsMoreTarget(a, name)) {
      col.name = MoreLinkHeading(a);
      col.via = "more";
    } else {
      const size_t len = Utf8Length(name);
      if (len < 2 || len > 16 || IsMoreLink(name)) return;
      col.name = std::move(name);
      col.parent = ParentLabel(a);
      // Link collections (友情链接, 相关链接, 专题链接) link other sites and pages,
      // not the site's columns.
      if (absl::StrContains(col.parent, "链接") || absl::StrContains(col.parent, "友情")) return;
      const bool nav = InNavBlock(a);
      const Category parent_cat = col.parent.empty() ? OTHER : ClassifyColumnName(col.parent);
      if (!col.parent.empty() && nav) {
        col.via = "submenu";
      } else if (nav) {
        col.via = "nav";
      } else if (parent_cat == TOPIC || parent_cat == SERVICE) {
        col.via = "block";
      } else if (Utf8Length(col.name) <= 10 &&
                 ClassifyColumn(col.name, col.parent.empty()
                                              ? std::vector<std::string>{}
                                              : std::vector<std::string>{col.parent}) != OTHER) {
        // Its text, or its box's heading (新闻中心 ▸ 部门工作), names a category.
        col.via = "named";
      } else {
        return;
      }
    }
    if (col.name.empty()) return;
    std::vector<std::string> parents;
    if (!col.parent.empty()) parents.push_back(col.parent);
    col.category = ClassifyColumn(col.name, parents);
    if (!seen.emplace(url, true).second) return;
    out.push_back(std::move(col));
  }
};

}  // namespace

std::vector<NavColumn> NavColumns(const xmlNode* root, UrlResolver* urls,
                                  const absl::flat_hash_set<const xmlNode*>& item_anchors) {
  const std::string home = urls->Resolve("");
  if (root == nullptr || home.empty()) return {};
  NavWalk walk{urls, HostOf(home), home, &item_anchors, {}, {}};
  walk.Walk(root);
  return std::move(walk.out);
}

}  // namespace internal
}  // namespace census
