#ifndef CENSUS_STORAGE_BODY_CODEC_H_
#define CENSUS_STORAGE_BODY_CODEC_H_

// zstd encoding of page bodies: a keyframe is plain zstd; a delta is zstd with the
// base body referenced as a raw-content prefix ("patch-from"), so the frame holds
// little more than the edits. The window is sized to cover base + body.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace census::body_codec {

inline constexpr int kKeyframeLevel = 9;
inline constexpr int kDeltaLevel = 9;

absl::StatusOr<std::string> EncodeKeyframe(absl::string_view body);
absl::StatusOr<std::string> EncodeDelta(absl::string_view body, absl::string_view base);
// `base` is empty for a keyframe. `raw_bytes` is the expected decoded size.
absl::StatusOr<std::string> Decode(absl::string_view data, absl::string_view base,
                                   int64_t raw_bytes);

}  // namespace census::body_codec

#endif  // CENSUS_STORAGE_BODY_CODEC_H_
