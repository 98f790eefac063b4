#ifndef CENSUS_WORKER_SOFT404_H_
#define CENSUS_WORKER_SOFT404_H_

// Soft 404s: pages answered 200 that say the page does not exist.

#include <string>

#include "absl/strings/string_view.h"

namespace census {

// True when the title or the start of the visible text carries a not-found phrase
// (页面不存在, 404, ...).
bool LooksLikeNotFoundPage(absl::string_view title, absl::string_view text);

// The same judgement straight from a link check's body, without the full extractor:
// only the title and the first visible text matter, and link checks are 99% of the
// fetches of a census, so this reads the first 16 KB with a tag skipper instead of
// parsing the page (the full parse cost ~half the crawl's CPU, docs/BENCHMARKS.md).
// Non-HTML bodies (by content type) are never soft 404s. `*title` gets the title.
bool LooksLikeNotFoundBody(absl::string_view body, absl::string_view content_type,
                           std::string* title);

}  // namespace census

#endif  // CENSUS_WORKER_SOFT404_H_
