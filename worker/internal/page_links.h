#ifndef CENSUS_WORKER_INTERNAL_PAGE_LINKS_H_
#define CENSUS_WORKER_INTERNAL_PAGE_LINKS_H_

// Every link of a page (for link checks and hidden-link findings) and the
// candidate columns of a homepage's navigation.

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "worker/extract.h"
#include "worker/internal/html_dom.h"
#include "worker/internal/list_finder.h"
#include "worker/internal/url_resolver.h"

namespace census {
namespace internal {

// a[href], area[href], img[src], iframe/frame/embed[src], resolved against
// `base` (http/https only), de-duplicated in document order. A URL is hidden
// only when every occurrence is hidden. Anchor titles go through `titles`,
// which keeps them for the list finder.
std::vector<ExtractedLink> PageLinks(const xmlNode* root, UrlResolver* urls, AnchorTitles* titles);

// True for .doc .docx .pdf .xls .xlsx .zip .rar .wps .ppt .pptx .txt .et ...
bool IsAttachmentUrl(absl::string_view url);

// Candidate columns (docs/COLUMNS.md): same-host links of a navigation/menu block
// or a nested menu, links whose short text names a column category, the targets
// of "more" (更多) links named by their block's heading, and the links of a headed
// 专题专栏 / 办事服务 block. Never the page itself, the homepage, an attachment, a
// URL of article shape, or an anchor of a dated list item (`item_anchors`).
// Empty when `base` is not an absolute http(s) URL.
std::vector<NavColumn> NavColumns(const xmlNode* root, UrlResolver* urls,
                                  const absl::flat_hash_set<const xmlNode*>& item_anchors);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_PAGE_LINKS_H_
