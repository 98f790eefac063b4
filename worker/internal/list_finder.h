#ifndef CENSUS_WORKER_INTERNAL_LIST_FINDER_H_
#define CENSUS_WORKER_INTERNAL_LIST_FINDER_H_

// Finds dated list items without per-site rules: an item is the smallest element
// around a content anchor that holds a date text and no other content link;
// items are grouped by the tag/class path of their element (one list block =
// one group).

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
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

class AnchorTitles;

// Every dated content link of the document, in document order. `as_of` resolves
// year-less dates (unresolvable ones keep date "" and date_raw). `titles`
// (may be null) holds the titles the link walk already computed.
std::vector<FoundItem> FindDatedItems(xmlDoc* doc, UrlResolver* urls, absl::CivilDay as_of,
                                      AnchorTitles* titles = nullptr);

// Items of the elements selected by `xpath` (one item per element: its first
// content link and first date). Empty on a bad expression.
std::vector<FoundItem> ItemsByXPath(xmlDoc* doc, const std::string& xpath, UrlResolver* urls,
                                    absl::CivilDay as_of);

// True for anchor texts that are not titles ("更多>>", "详情", "more" ...).
bool IsMoreLink(absl::string_view text);

// Item title from the anchor: the visible text, or the title attribute when the
// visible text is a truncation of it or wraps it in decorations.
std::string AnchorTitle(const xmlNode* anchor);

// AnchorTitle per anchor of one document, computed once for the link walk and
// the list finder. Titles of anchors that hold a comment or a script are not
// kept: ExpandEmbeddedMarkup, which runs between the two, may graft markup
// into exactly those anchors.
class AnchorTitles {
 public:
  std::string Get(const xmlNode* anchor);

 private:
  absl::flat_hash_map<const xmlNode*, std::string> memo_;
};

// id/class hints of navigation, footers and link farms.
bool IsBoilerplateBlock(const xmlNode* n);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_LIST_FINDER_H_
