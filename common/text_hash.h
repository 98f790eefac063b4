#ifndef CENSUS_COMMON_TEXT_HASH_H_
#define CENSUS_COMMON_TEXT_HASH_H_

// A stable 64-bit hash of a short text (FNV-1a over its bytes). The worker stores
// these for a page's own text lines and links (PageObservation.own_line_hashes) and
// the aggregator compares them across pages and censuses, so the function must never
// change. Written here because the standard library's hashes are unspecified and
// Abseil's are seeded per process.

#include <cstdint>

#include "absl/strings/string_view.h"

namespace census {

inline constexpr uint64_t kTextHashSeed = 14695981039346656037ull;  // FNV-1a's offset basis

// FNV-1a of `text`, continuing from `h` (the hash of what came before it).
inline uint64_t TextHash(absl::string_view text, uint64_t h = kTextHashSeed) {
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// The hash a page's own-text entry for a link to `url` carries: links are kept by
// their target, so that a link to one of the site's columns or its homepage (a
// sidebar, a "back" link) is not taken for the page's content. TextHash of
// "link:" + url, without building that string.
inline uint64_t LinkTextHash(absl::string_view url) { return TextHash(url, TextHash("link:")); }

}  // namespace census

#endif  // CENSUS_COMMON_TEXT_HASH_H_
