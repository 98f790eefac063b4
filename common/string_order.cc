#include "common/string_order.h"

#include <algorithm>
#include <cstring>

namespace census {

void SortedOrder(const std::vector<absl::string_view>& strings,
                 std::vector<std::pair<uint64_t, uint32_t>>* keys, std::vector<uint32_t>* order) {
  order->resize(strings.size());
  if (std::is_sorted(strings.begin(), strings.end())) {  // e.g. the aggregator's lookups
    for (size_t i = 0; i < strings.size(); ++i) (*order)[i] = static_cast<uint32_t>(i);
    return;
  }
  size_t shared = strings[0].size();
  for (absl::string_view s : strings) {
    shared = std::min(shared, s.size());
    size_t i = 0;
    while (i + 8 <= shared) {  // a word at a time: a site's URLs share ~30 bytes
      uint64_t a, b;
      std::memcpy(&a, s.data() + i, 8);
      std::memcpy(&b, strings[0].data() + i, 8);
      if (a != b) break;
      i += 8;
    }
    while (i < shared && s[i] == strings[0][i]) ++i;
    shared = i;
  }
  keys->resize(strings.size());
  for (size_t i = 0; i < strings.size(); ++i) {
    const absl::string_view rest = strings[i].substr(shared);
    unsigned char bytes[8] = {};
    std::memcpy(bytes, rest.data(), std::min<size_t>(rest.size(), 8));
    uint64_t key = 0;
    for (unsigned char byte : bytes) key = (key << 8) | byte;
    (*keys)[i] = {key, static_cast<uint32_t>(i)};
  }
  const size_t tail = shared + 8;
  std::sort(keys->begin(), keys->end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    const absl::string_view x = strings[a.second], y = strings[b.second];
    const int c = x.substr(std::min(tail, x.size())).compare(y.substr(std::min(tail, y.size())));
    return c != 0 ? c < 0 : a.second < b.second;
  });
  for (size_t i = 0; i < strings.size(); ++i) (*order)[i] = (*keys)[i].second;
}

}  // namespace census
