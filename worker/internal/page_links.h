#ifndef CENSUS_WORKER_INTERNAL_PAGE_LINKS_H_
#define CENSUS_WORKER_INTERNAL_PAGE_LINKS_H_

// Every link of a page (for link checks and hidden-link findings) and the
// candidate columns of a homepage's navigation.

#include <string>
#include <vector>

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

// Same-host links whose text names a column category, or that sit in a
// navigation/menu block; not the homepage itself, not article-like URLs.
// Empty when `base` is not an absolute http(s) URL.
std::vector<NavColumn> NavColumns(const xmlNode* root, UrlResolver* urls);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_PAGE_LINKS_H_
