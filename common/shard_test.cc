#include "common/shard.h"

#include <gtest/gtest.h>

namespace census {
namespace {

TEST(ShardTest, FnvOfTheSiteIdModuloTheShards) {
  // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the published test vector).
  EXPECT_EQ(TextHash("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(ShardOf("a", 2), static_cast<int>(0xaf63dc4c8601ec8cull % 2));
  EXPECT_EQ(ShardOf("a", 7), static_cast<int>(0xaf63dc4c8601ec8cull % 7));
  EXPECT_EQ(ShardOf("anything", 1), 0);
  EXPECT_EQ(ShardOf("anything", 0), 0);
}

TEST(ShardTest, ParsesIOverK) {
  auto spec = ParseShardSpec("1/3");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->index, 1);
  EXPECT_EQ(spec->count, 3);
  for (const char* bad : {"3/3", "-1/2", "1", "a/b", "0/0", "1/2/3"}) {
    EXPECT_FALSE(ParseShardSpec(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseShardSpec("2/2").status().message(),
            "--shard wants I/K with 0 <= I < K <= 4096 (this shard of K), not '2/2'");
}

}  // namespace
}  // namespace census
