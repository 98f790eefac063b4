#ifndef CENSUS_WORKER_INTERNAL_HTML_TAGS_H_
#define CENSUS_WORKER_INTERNAL_HTML_TAGS_H_

// libxml2 2.9's HTML element knowledge, for the fast parser (html_parse.cc):
// which start tags close which open elements (htmlStartClose), end-tag
// priorities (htmlEndPriority) and empty elements.

#include <array>
#include <bitset>

#include "absl/strings/string_view.h"

namespace census {
namespace internal {

inline constexpr int kNumHtmlTags = 104;

struct TagTable {
  std::array<std::bitset<kNumHtmlTags>, kNumHtmlTags> closes{};  // closes[open][new]
  std::array<int, kNumHtmlTags> end_priority{};
  std::bitset<kNumHtmlTags> empty;

  // Index of a lower-case tag name, -1 when unknown. An open-addressed table
  // with a hash of a few bytes: the parser asks once per tag.
  int Id(absl::string_view t) const {
    if (t.empty()) return -1;
    for (size_t h = Hash(t);; h = (h + 1) & (kSlots - 1)) {
      const Slot& s = slots_[h];
      if (s.id < 0) return -1;
      if (s.name == t) return s.id;
    }
  }
  const char* Name(int id) const;

  TagTable();

 private:
  static constexpr size_t kSlots = 512;
  struct Slot {
    absl::string_view name;
    int id = -1;
  };
  static size_t Hash(absl::string_view t) {
    const auto b = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(t[i])); };
    return (t.size() * 157 + b(0) * 31 + b(t.size() - 1) * 7 + b(t.size() / 2)) & (kSlots - 1);
  }

  void Close(const char* open, const char* by);

  std::array<Slot, kSlots> slots_{};
};

const TagTable& Tags();

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_HTML_TAGS_H_
