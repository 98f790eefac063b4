#ifndef CENSUS_WORKER_CHARSET_H_
#define CENSUS_WORKER_CHARSET_H_

// Charset detection and transcoding to UTF-8.
// Order: Content-Type header charset, BOM, <meta charset> / <meta http-equiv>, then
// uchardet on the bytes; UTF-8 when all are silent. GBK and GB2312 are decoded as
// GB18030 (its superset). Bytes that do not decode are replaced with U+FFFD; this
// never fails and never crashes on any input.

#include <string>

#include "absl/strings/string_view.h"

namespace census {

struct DecodedText {
  std::string utf8;
  std::string charset;  // canonical lower-case name of what was detected: "utf-8", "gb18030", ...
  std::string source;   // "header" | "bom" | "meta" | "detector" | "default"
};

DecodedText DecodeToUtf8(absl::string_view bytes, absl::string_view content_type_header);

}  // namespace census

#endif  // CENSUS_WORKER_CHARSET_H_
