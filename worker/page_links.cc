// Links of a page (candidate columns: nav_columns.cc).

#include "worker/internal/page_links.h"

#include <algorithm>
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

}  // namespace internal
}  // namespace census
