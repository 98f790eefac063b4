#ifndef CENSUS_COMMON_SHARD_H_
#define CENSUS_COMMON_SHARD_H_

// Which store shard owns a site: FNV-1a 64 of the site_id's bytes, modulo the number
// of shards (common/text_hash.h; stable across builds and machines, documented in
// docs/PROTOCOL.md so other tools can route the same way). Everything about a site
// lives in its shard, except the census-wide link-check index, which every shard keeps.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/text_hash.h"

namespace census {

inline int ShardOf(absl::string_view site_id, int shards) {
  if (shards <= 1) return 0;
  return static_cast<int>(TextHash(site_id) % static_cast<uint64_t>(shards));
}

struct ShardSpec {
  int index = 0;
  int count = 1;
};

// "I/K" with 0 <= I < K (--shard).
absl::StatusOr<ShardSpec> ParseShardSpec(absl::string_view text);

}  // namespace census

#endif  // CENSUS_COMMON_SHARD_H_
