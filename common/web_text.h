#ifndef CENSUS_COMMON_WEB_TEXT_H_
#define CENSUS_COMMON_WEB_TEXT_H_

// Text put into HTML and URLs: report.html and the region pages, report evidence links,
// `census serve`'s pages.

#include <string>

#include "absl/strings/string_view.h"

namespace census {

// `text` escaped for an HTML element or a quoted attribute: & < > " ' become entities.
std::string HtmlEscape(absl::string_view text);

// Every byte but RFC 3986's unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX (upper-case
// hex): safe as one URL path segment or query value.
std::string PercentEncode(absl::string_view text);

}  // namespace census

#endif  // CENSUS_COMMON_WEB_TEXT_H_
