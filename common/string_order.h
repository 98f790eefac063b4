#ifndef CENSUS_COMMON_STRING_ORDER_H_
#define CENSUS_COMMON_STRING_ORDER_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace census {

// Sorts the indices of `strings` by the strings, lexicographically (bytewise, as
// RocksDB orders keys), equal strings by index: `order` holds 0..n-1 in that order.
// The strings of a site (its link URLs) share a long prefix ("https://host/col/...")
// that a plain sort compares again in every comparison; this one sorts on the 8 bytes
// after the prefix all strings share, big-endian in a uint64, and compares the rest only
// on ties. Strings must not hold NUL (URLs do not): the zero padding of a short string's
// key then sorts it before its extensions, as bytewise order does. `keys` is scratch
// space, reused between calls. Strings already in order cost one pass.
void SortedOrder(const std::vector<absl::string_view>& strings,
                 std::vector<std::pair<uint64_t, uint32_t>>* keys, std::vector<uint32_t>* order);

}  // namespace census

#endif  // CENSUS_COMMON_STRING_ORDER_H_
