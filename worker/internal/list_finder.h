#ifndef CENSUS_WORKER_INTERNAL_LIST_FINDER_H_
#define CENSUS_WORKER_INTERNAL_LIST_FINDER_H_

// Finds dated list items without per-site rules: an item is the smallest element
// around a content anchor that holds a date text and no other content link;
// items are grouped by the tag/class path of their element (one list block =
// one group).

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "worker/extract.h"
#include "worker/internal/html_dom.h"
#include "worker/internal/url_resolver.h"

namespace census {
namespace internal {

struct FoundItem {
  ExtractedItem item;
  const xmlNode* anchor = nullptr;
  const xmlNode* container = nullptr;
  std::string group;         // tag/class path of the container
  bool boilerplate = false;  // inside nav / footer / friend-links blocks
};

// Every dated content link of the document, in document order. `as_of` resolves
// year-less dates (unresolvable ones keep date "" and date_raw).
std::vector<FoundItem> FindDatedItems(xmlDoc* doc, UrlResolver* urls, absl::CivilDay as_of);

// Items of the elements selected by `xpath` (one item per element: its first
// content link and first date). Empty on a bad expression.
std::vector<FoundItem> ItemsByXPath(xmlDoc* doc, const std::string& xpath, UrlResolver* urls,
                                    absl::CivilDay as_of);

// True for anchor texts that are not titles ("更多>>", "详情", "more" ...).
bool IsMoreLink(absl::string_view text);

// Item title from the anchor: the visible text, or the title attribute when the
// visible text is a truncation of it or wraps it in decorations.
std::string AnchorTitle(const xmlNode* anchor);

// id/class hints of navigation, footers and link farms.
bool IsBoilerplateBlock(const xmlNode* n);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_LIST_FINDER_H_
