#include "common/string_order.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace census {
namespace {

using ::testing::ElementsAre;

std::vector<uint32_t> Order(const std::vector<std::string>& owned) {
  const std::vector<absl::string_view> views(owned.begin(), owned.end());
  std::vector<std::pair<uint64_t, uint32_t>> keys;
  std::vector<uint32_t> order;
  SortedOrder(views, &keys, &order);
  return order;
}

TEST(SortedOrderTest, SmallCases) {
  EXPECT_THAT(Order({}), ElementsAre());
  EXPECT_THAT(Order({"b", "a"}), ElementsAre(1, 0));
  // A prefix first; equal strings by index; bytes above 0x7f after ASCII (bytewise).
  EXPECT_THAT(Order({"http://a/x\xe4", "http://a/x", "http://a/xy", "http://a/x"}),
              ElementsAre(1, 3, 2, 0));
  // Ties on the 8 bytes after the shared prefix, settled by the rest.
  EXPECT_THAT(Order({"p/12345678b", "p/12345678a", "p/12345678", "p/1234567"}),
              ElementsAre(3, 2, 1, 0));
}

// Against std::stable_sort of the strings, on URLs sharing a long prefix with short
// tails of few distinct bytes (many ties, prefixes of one another).
TEST(SortedOrderTest, MatchesStableSortOfTheStrings) {
  std::mt19937 rng(11);
  const char kTailBytes[] = "ab/0\xe5";
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> owned;
    const int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      std::string s = round % 2 == 0 ? "https://www.example.gov.cn/col/" : "";
      if (rng() % 2 == 0) s += "2026/11/";
      const int tail = static_cast<int>(rng() % 14);
      for (int b = 0; b < tail; ++b) s.push_back(kTailBytes[rng() % 5]);
      owned.push_back(s);
    }
    std::vector<uint32_t> expected(owned.size());
    std::iota(expected.begin(), expected.end(), 0u);
    std::stable_sort(expected.begin(), expected.end(),
                     [&](uint32_t a, uint32_t b) { return owned[a] < owned[b]; });
    ASSERT_EQ(Order(owned), expected) << "round " << round;
  }
}

}  // namespace
}  // namespace census
