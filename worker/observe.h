#ifndef CENSUS_WORKER_OBSERVE_H_
#define CENSUS_WORKER_OBSERVE_H_

// The step that turns an extracted HOMEPAGE or COLUMN page (ExtractPage) into the
// PageObservation the store keeps. The worker calls it on each page it fetches, and
// `census replay --reextract` on each stored page body, so that both are one extractor.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "proto/census.pb.h"
#include "worker/content_scan.h"
#include "worker/extract.h"

namespace census {

// The extractor's version: what ExtractPage and ObservePage make of a page. Raise it
// when a change to either changes what an observation holds. Every observation the
// worker writes carries it (PageObservation.extractor_version); `census replay
// --reextract` writes observations tagged with it (docs/STORAGE.md "Re-extraction").
// Observations written before versions were recorded read 0.
inline constexpr int32_t kExtractorVersion = 1;

// A column page with less text than this outside the chrome (before the site's template
// is subtracted) is rendered when it has a script, whatever the script does.
inline constexpr int kRenderBelowOwnChars = 10;

// What ObservePage leaves to its caller (the worker fetches; re-extraction cannot).
struct ObservedPage {
  // Links of the list items that the page's links do not hold (items a script renders):
  // links of the page all the same, to be checked.
  std::vector<ExtractedLink> item_links;
  // COLUMN pages without a dated item: the list may come from the data URLs the page's
  // scripts name (PageExtract::list_data_urls)...
  bool list_undated = false;
  // ...and the page wants a rendered look (obs->render() stays "" until it has one).
  bool render_wanted = false;
};

// Fills `obs` (cleared first) from `page`, the extract of the first page of a HOMEPAGE
// or COLUMN task: `kind`, `url` and `column` are the task's, `fetched_at_ms` and
// `content_hash` the fetch's. Items repeated on the page are kept once (ItemKey).
// `scanner` (may be null) finds lexicon terms in the page's text and item titles.
ObservedPage ObservePage(const std::string& site_id, TaskKind kind, const std::string& url,
                         const Column* column, const PageExtract& page, int64_t fetched_at_ms,
                         const std::string& content_hash, const LexiconScanner* scanner,
                         PageObservation* obs);

// Adds the items' links that are not among `page_links` nor obs->links() to obs->links()
// and returns them, and adds the lexicon hits of `page_text` and of the item titles it
// does not hold to obs->content_hits() (`scanner` may be null). For rows a script renders
// (a data URL's or a rendered page's items) as well as for a page's own.
std::vector<ExtractedLink> AddScriptRows(const LexiconScanner* scanner, absl::string_view page_text,
                                         const std::vector<ExtractedLink>& page_links,
                                         const std::vector<ExtractedItem>& items,
                                         PageObservation* obs);

// The identity of a list item across a list's pages: href, title and date.
std::string ItemKey(const ListItem& item);

// Adds a list page's items to obs->items(), each once across the calls sharing
// `items_seen` (ItemKey: a list's pages repeat items), and its mailbox messages, and
// raises obs->latest_date() to the page's.
void MergeList(const PageExtract& page, absl::flat_hash_set<std::string>* items_seen,
               PageObservation* obs);

// Whether any item has a date.
bool HasDatedItem(const std::vector<ExtractedItem>& items);

}  // namespace census

#endif  // CENSUS_WORKER_OBSERVE_H_
