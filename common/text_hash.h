#ifndef CENSUS_COMMON_TEXT_HASH_H_
#define CENSUS_COMMON_TEXT_HASH_H_

// A stable 64-bit hash of a short text (FNV-1a over its bytes). The worker stores
// these for a page's own text lines and links (PageObservation.own_line_hashes) and
// the aggregator compares them across pages and censuses, so the function must never
// change. Written here because the standard library's hashes are unspecified and
// Abseil's are seeded per process.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace census {

inline uint64_t TextHash(absl::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// The hash a page's own-text entry for a link to `url` carries: links are kept by
// their target, so that a link to one of the site's columns or its homepage (a
// sidebar, a "back" link) is not taken for the page's content.
inline uint64_t LinkTextHash(absl::string_view url) {
  return TextHash(std::string("link:").append(url.data(), url.size()));
}

}  // namespace census

#endif  // CENSUS_COMMON_TEXT_HASH_H_
