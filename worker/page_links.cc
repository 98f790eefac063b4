// Links of a page and homepage navigation columns.

#include "worker/internal/page_links.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "worker/internal/list_finder.h"

namespace census {
namespace internal {
namespace {

size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// s.find_first_of(...) as a loop over an inline test: absl builds a 256-entry
// table per call, and a page's <style> blocks hold thousands of selectors.
template <typename Pred>
size_t FindIf(absl::string_view s, Pred pred) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (pred(s[i])) return i;
  }
  return absl::string_view::npos;
}

// " >+~:[*": a selector that is not a single compound one.
bool IsComplexMark(char c) {
  return c == ' ' || c == '>' || c == '+' || c == '~' || c == ':' || c == '[' || c == '*';
}

bool IsClassOrIdMark(char c) { return c == '.' || c == '#'; }

// Simple hiding rules of the page's <style> blocks: ".cls{display:none}",
// "#id{...}", "tag.cls{...}" (single compound selectors only, so a rule never
// hides more than it names).
class HiddenRules {
 public:
  explicit HiddenRules(const xmlNode* root) {
    if (root != nullptr) Collect(root);
  }

  // "style rule .cls: display:none" when a rule hides `n`, else "".
  std::string How(const xmlNode* n) const {
    if (classes_.empty() && ids_.empty()) return "";
    if (!ids_.empty()) {
      if (auto it = ids_.find(Attr(n, "id")); it != ids_.end()) {
        return absl::StrCat("style rule #", it->first, ": ", it->second);
      }
    }
    if (!classes_.empty()) {
      const std::string cls = Attr(n, "class");
      for (absl::string_view c :
           absl::StrSplit(cls, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
        if (auto it = classes_.find(c); it != classes_.end()) {
          return absl::StrCat("style rule .", it->first, ": ", it->second);
        }
      }
    }
    return "";
  }

 private:
  void Collect(const xmlNode* n) {
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (IsTag(c, "style")) {
        std::string css;
        for (const xmlNode* t = c->children; t != nullptr; t = t->next) {
          if (t->content != nullptr) css += reinterpret_cast<const char*>(t->content);
        }
        Parse(css);
      } else if (!IsTag(c, "script")) {
        Collect(c);
      }
    }
  }

  void Parse(absl::string_view css) {
    size_t pos = 0;
    while (pos < css.size()) {
      const size_t open = css.find('{', pos);
      if (open == absl::string_view::npos) break;
      const size_t close = css.find('}', open);
      if (close == absl::string_view::npos) break;
      absl::string_view selectors = css.substr(pos, open - pos);
      if (const size_t c = selectors.rfind("*/"); c != absl::string_view::npos) {
        selectors.remove_prefix(c + 2);
      }
      const absl::string_view raw = css.substr(open + 1, close - open - 1);
      pos = close + 1;
      if (selectors.find('@') != absl::string_view::npos) continue;
      // The single compound selectors first: most rules have none, and their
      // declarations need no look.
      std::vector<std::pair<char, absl::string_view>> names;  // '.' or '#', name
      for (absl::string_view sel : absl::StrSplit(selectors, ',')) {
        sel = absl::StripAsciiWhitespace(sel);
        if (sel.empty() || FindIf(sel, IsComplexMark) != absl::string_view::npos) continue;
        const size_t mark = FindIf(sel, IsClassOrIdMark);
        if (mark == absl::string_view::npos) continue;
        absl::string_view name = sel.substr(mark + 1);
        if (name.empty() || FindIf(name, IsClassOrIdMark) != absl::string_view::npos) continue;
        names.emplace_back(sel[mark], name);
      }
      if (names.empty()) continue;
      // Only declarations that can hide anything are worth normalising.
      bool may_hide = false;
      for (absl::string_view w :
           {"none", "hidden", "font-size", "indent", "absolute", "fixed", "NONE", "HIDDEN"}) {
        may_hide = may_hide || absl::StrContains(raw, w);
      }
      if (!may_hide) continue;
      const std::string decls = NormalizeStyle(raw);
      const absl::string_view how = HiddenStyleHow(decls);
      if (how.empty()) continue;
      for (const auto& [mark, name] : names) {
        (mark == '.' ? classes_ : ids_).emplace(std::string(name), std::string(how));
      }
    }
  }

  absl::flat_hash_map<std::string, std::string> classes_;
  absl::flat_hash_map<std::string, std::string> ids_;
};

const char* LinkAttr(const xmlNode* n) {
  const absl::string_view t = TagName(n);
  if (t == "a" || t == "area") return "href";
  if (t == "img" || t == "iframe" || t == "frame" || t == "embed") return "src";
  return nullptr;
}

void Walk(const xmlNode* n, UrlResolver* urls, const HiddenRules& rules, AnchorTitles* titles,
          const std::string& hidden, absl::flat_hash_map<std::string, size_t>* index,
          std::vector<ExtractedLink>* out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (IsTag(c, kEmbeddedTag) || IsTag(c, "script") || IsTag(c, "style")) {
      continue;
    }
    // Why the element is hidden: an ancestor's reason, else its own.
    std::string own;
    if (hidden.empty()) {
      own = HiddenHow(c);
      if (own.empty()) own = rules.How(c);
    }
    const std::string& how = hidden.empty() ? own : hidden;
    const bool h = !how.empty();
    if (const char* attr = LinkAttr(c)) {
      std::string storage;
      const std::string url = urls->Resolve(AttrView(c, attr, &storage));
      if (!url.empty()) {
        auto [it, inserted] = index->try_emplace(url, out->size());
        if (inserted) {
          ExtractedLink link;
          link.url = url;
          link.text = IsTag(c, "img") ? CollapseWhitespace(Attr(c, "alt")) : titles->Get(c);
          link.hidden = h;
          link.hidden_how = how;
          link.attachment = IsAttachmentUrl(url);
          out->push_back(std::move(link));
        } else if (!h) {
          (*out)[it->second].hidden = false;
          (*out)[it->second].hidden_how.clear();
        }
      }
    }
    Walk(c, urls, rules, titles, how, index, out);
  }
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

// Detail pages: a yyyymm folder, a TRS t20231011_123 name, or a long numeric
// or hex file name.
bool ArticleLike(absl::string_view url) {
  const std::string path = PathOf(url);
  for (size_t i = 0; i + 7 < path.size(); ++i) {
    if (path[i] == '/' &&
        (path.compare(i + 1, 2, "19") == 0 || path.compare(i + 1, 2, "20") == 0)) {
      size_t d = i + 1;
      while (d < path.size() && absl::ascii_isdigit(path[d])) ++d;
      const size_t n = d - i - 1;
      if ((n == 6 || n == 8) &&
          (d == path.size() || path[d] == '/' || path[d] == '_' || path[d] == '-')) {
        return true;
      }
    }
  }
  const size_t last = path.rfind('/');
  absl::string_view file = absl::string_view(path).substr(last + 1);
  file = file.substr(0, file.find('.'));
  if (absl::StartsWith(file, "t") && absl::StrContains(file, "_")) return true;
  size_t hexish = 0;
  for (char c : file) hexish += absl::ascii_isxdigit(c) || c == '_';
  return file.size() >= 10 && hexish == file.size();
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

void CollectNav(const xmlNode* n, UrlResolver* urls, const std::string& host,
                const std::string& home, absl::flat_hash_map<std::string, bool>* seen,
                std::vector<NavColumn>* out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || IsNonContent(c) || IsTag(c, kEmbeddedTag)) {
      continue;
    }
    if (!IsTag(c, "a")) {
      CollectNav(c, urls, host, home, seen, out);
      continue;
    }
    std::string storage;
    const std::string url = urls->Resolve(AttrView(c, "href", &storage));
    if (url.empty() || url == home || !OnHost(url, host) || IsAttachmentUrl(url) ||
        ArticleLike(url) || PathOf(url) == "/") {
      continue;
    }
    std::string name = NodeText(c);
    if (name.empty()) name = CollapseWhitespace(Attr(c, "title"));
    const size_t len = Utf8Length(name);
    if (len < 2 || len > 16 || IsMoreLink(name)) continue;
    const Category cat = ClassifyColumnName(name);
    if (cat == OTHER && !InNavBlock(c)) continue;
    if (!seen->emplace(url, true).second) continue;
    out->push_back({name, url, cat});
  }
}

}  // namespace

bool IsAttachmentUrl(absl::string_view url) {
  // No extension holds a dot, so a path ending in one ends in its last dot's
  // suffix.
  const absl::string_view path = url.substr(0, url.find('?'));
  const size_t dot = path.rfind('.');
  if (dot == absl::string_view::npos || path.size() - dot > 5) return false;
  const std::string ext = absl::AsciiStrToLower(path.substr(dot));
  static constexpr absl::string_view kExt[] = {".doc", ".docx", ".pdf", ".xls", ".xlsx",
                                               ".zip", ".rar",  ".wps", ".ppt", ".pptx",
                                               ".txt", ".et",   ".7z",  ".ofd", ".csv"};
  for (absl::string_view e : kExt) {
    if (ext == e) return true;
  }
  return false;
}

std::vector<ExtractedLink> PageLinks(const xmlNode* root, UrlResolver* urls, AnchorTitles* titles) {
  std::vector<ExtractedLink> out;
  absl::flat_hash_map<std::string, size_t> index;
  if (root == nullptr) return out;
  const xmlNode* top = root->parent != nullptr ? root->parent : root;
  const HiddenRules rules(top);
  Walk(top, urls, rules, titles, "", &index, &out);
  return out;
}

std::vector<NavColumn> NavColumns(const xmlNode* root, UrlResolver* urls) {
  std::vector<NavColumn> out;
  const std::string home = urls->Resolve("");
  if (root == nullptr || home.empty()) return out;
  absl::flat_hash_map<std::string, bool> seen;
  CollectNav(root, urls, HostOf(home), home, &seen, &out);
  return out;
}

}  // namespace internal
}  // namespace census
