#ifndef CENSUS_COMMON_CONTENT_HASH_H_
#define CENSUS_COMMON_CONTENT_HASH_H_

// The snapshot id of a page body: a stable hex hash of its bytes, the same in the
// worker (which names what it fetched) and the store (which deduplicates by it).

#include <string>

#include "absl/strings/string_view.h"

namespace census {

std::string ContentHash(absl::string_view bytes);

}  // namespace census

#endif  // CENSUS_COMMON_CONTENT_HASH_H_
