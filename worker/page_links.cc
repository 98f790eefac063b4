// Links of a page and homepage navigation columns.

#include "worker/internal/page_links.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "worker/internal/list_finder.h"

namespace census {
namespace internal {
namespace {

size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

const char* LinkAttr(const xmlNode* n) {
  const absl::string_view t = TagName(n);
  if (t == "a" || t == "area") return "href";
  if (t == "img" || t == "iframe" || t == "frame" || t == "embed") return "src";
  return nullptr;
}

void Walk(const xmlNode* n, const std::string& base, bool hidden,
          absl::flat_hash_map<std::string, size_t>* index, std::vector<ExtractedLink>* out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (TagName(c) == kEmbeddedTag || IsTag(c, "script") || IsTag(c, "style")) {
      continue;
    }
    const bool h = hidden || HiddenByStyle(c);
    if (const char* attr = LinkAttr(c)) {
      const std::string url = ResolveUrl(base, Attr(c, attr));
      if (!url.empty()) {
        auto [it, inserted] = index->try_emplace(url, out->size());
        if (inserted) {
          ExtractedLink link;
          link.url = url;
          link.text = IsTag(c, "img") ? CollapseWhitespace(Attr(c, "alt")) : AnchorTitle(c);
          link.hidden = h;
          link.attachment = IsAttachmentUrl(url);
          out->push_back(std::move(link));
        } else if (!h) {
          (*out)[it->second].hidden = false;
        }
      }
    }
    Walk(c, base, h, index, out);
  }
}

std::string HostOf(absl::string_view url) {
  const size_t s = url.find("://");
  if (s == absl::string_view::npos) return "";
  url.remove_prefix(s + 3);
  url = url.substr(0, url.find_first_of("/?"));
  const size_t at = url.rfind('@');
  if (at != absl::string_view::npos) url.remove_prefix(at + 1);
  return absl::AsciiStrToLower(url.substr(0, url.find(':')));
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

void CollectNav(const xmlNode* n, const std::string& base, const std::string& host,
                const std::string& home, absl::flat_hash_map<std::string, bool>* seen,
                std::vector<NavColumn>* out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || IsNonContent(c) || TagName(c) == kEmbeddedTag) {
      continue;
    }
    if (!IsTag(c, "a")) {
      CollectNav(c, base, host, home, seen, out);
      continue;
    }
    const std::string url = ResolveUrl(base, Attr(c, "href"));
    if (url.empty() || url == home || HostOf(url) != host || IsAttachmentUrl(url) ||
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
  std::string path = absl::AsciiStrToLower(url.substr(0, url.find('?')));
  static constexpr absl::string_view kExt[] = {".doc", ".docx", ".pdf", ".xls", ".xlsx",
                                               ".zip", ".rar",  ".wps", ".ppt", ".pptx",
                                               ".txt", ".et",   ".7z",  ".ofd", ".csv"};
  for (absl::string_view e : kExt) {
    if (absl::EndsWith(path, e)) return true;
  }
  return false;
}

std::vector<ExtractedLink> PageLinks(const xmlNode* root, const std::string& base) {
  std::vector<ExtractedLink> out;
  absl::flat_hash_map<std::string, size_t> index;
  if (root == nullptr) return out;
  const xmlNode* top = root->parent != nullptr ? root->parent : root;
  Walk(top, base, false, &index, &out);
  return out;
}

std::vector<NavColumn> NavColumns(const xmlNode* root, const std::string& base) {
  std::vector<NavColumn> out;
  const std::string home = ResolveUrl(base, "");
  if (root == nullptr || home.empty()) return out;
  absl::flat_hash_map<std::string, bool> seen;
  CollectNav(root, base, HostOf(home), home, &seen, &out);
  return out;
}

}  // namespace internal
}  // namespace census
