#ifndef CENSUS_AGGREGATOR_INTERNAL_JSON_PRINTER_H_
#define CENSUS_AGGREGATOR_INTERNAL_JSON_PRINTER_H_

// The JSON printer behind report.json: a message printed exactly as
// google::protobuf::util::MessageToJsonString prints it with the report's options
// (preserve_proto_field_names, always_print_primitive_fields, add_whitespace), byte for
// byte, but ~10x faster. Private to aggregator/.
//
// It is hand-written because protobuf's printer is slow on this path: with
// always_print_primitive_fields it serialises the message to binary, parses that back
// through ProtoStreamObjectSource and builds a DefaultValueObjectWriter node tree of every
// field before writing a byte (~22 MB/s; a national census is ~4.5 GB of JSON). The output
// contract stays protobuf's JSON mapping as protobuf 3.21 prints it, so this printer
// copies its quirks (see json_printer.cc) and report_json_test checks it against
// MessageToJsonString byte for byte, on hand-built and on random messages.
//
// It walks the message by reflection, so new fields of the report protos need no change
// here. Message types it does not print itself (maps, well-known types such as
// google.protobuf.Timestamp, proto2 files, recursive types) and messages that carry
// unknown fields go to MessageToJsonString: still correct, only slower.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace census::report_parts {

// MessageToJsonString(message) with the report's options: "{\n" ... "}\n".
// InternalError("report to JSON: ...") where protobuf's printer fails.
absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message);

// Appends `message` as it stands nested `indent` levels (one space each) deep in a larger
// document: MessageToJson(message) without its final newline and with every line but the
// first indented by `indent` more spaces. On error *out is left as it was.
absl::Status AppendMessageJson(const google::protobuf::Message& message, int indent,
                               std::string* out);

// Appends `message` on one line: MessageToJsonString's output without add_whitespace
// (no whitespace between tokens, no final newline), as report.jsonl and report.json's
// site lines hold it. On error *out is left as it was.
absl::Status AppendMessageJsonLine(const google::protobuf::Message& message, std::string* out);

// Appends `value` as protobuf's JSON printer writes a string: quoted, with '"', '\\',
// control characters, '<', '>', U+007F..U+009F and some invisible/format code points
// escaped; invalid UTF-8 is dropped as protobuf drops it. Exposed for the tests.
void AppendJsonString(absl::string_view value, std::string* out);

}  // namespace census::report_parts

#endif  // CENSUS_AGGREGATOR_INTERNAL_JSON_PRINTER_H_
