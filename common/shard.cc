#include "common/shard.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace census {

absl::StatusOr<ShardSpec> ParseShardSpec(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  ShardSpec spec;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &spec.index) ||
      !absl::SimpleAtoi(parts[1], &spec.count) || spec.count < 1 || spec.count > 4096 ||
      spec.index < 0 || spec.index >= spec.count) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard wants I/K with 0 <= I < K <= 4096 (this shard of K), not '", text, "'"));
  }
  return spec;
}

}  // namespace census
