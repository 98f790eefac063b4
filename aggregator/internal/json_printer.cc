// The report's JSON printer: MessageToJsonString's output (preserve_proto_field_names,
// always_print_primitive_fields, add_whitespace) written straight from the message by
// reflection. Why it is hand-written: json_printer.h.
//
// What protobuf 3.21 does on this path, and so what this printer does (each point checked
// against MessageToJsonString by report_json_test):
// - Layout (JsonObjectWriter with a one-space indent): "{", then each member on its own
//   line indented one space a level, `"name": value`, members separated by ","; the
//   closing "}" / "]" on its own line at the enclosing level; an object or list without
//   members is "{}" / "[]"; the top-level object is followed by "\n".
// - Members (DefaultValueObjectWriter): every field in declaration order (not number
//   order), defaults printed; a repeated field without elements is []; a sub-message
//   that is not set is left out (a set one is printed whole, defaults included). Members
//   of a oneof (proto3 `optional` fields included) are printed only when set: a message
//   one in its declaration place, any other after all the other fields, in field number
//   order (binary order: DefaultValueObjectWriter appends them as they are read).
// - Values: int32 / uint32 as numbers, int64 / uint64 (and the sint / fixed kinds) as
//   quoted decimal strings; bool true / false; an enum by its value's name, the first
//   value declared with the number (unknown numbers as plain numbers); bytes as base64
//   with padding; double as SimpleDtoa does ("%.15g", or "%.17g" when that does not read
//   back: 87.5, 0.064, 95, 1e+21, 1e-07, 4.94065645841247e-324, -0), float as SimpleFtoa
//   ("%.6g", else "%.9g"; a result strtof reports as out of range, i.e. subnormal,
//   counts as not reading back); non-finite numbers as the strings "NaN", "Infinity",
//   "-Infinity".
// - Strings (JsonEscaping): '"' and '\\' as \" and \\, \b \t \n \f \r, other code points
//   below U+0020 and U+007F..U+009F as \u00xx, '<' and '>' as \u003c / \u003e, and
//   U+00AD, U+0600..U+0603, U+06DD, U+070F, U+17B4, U+17B5, U+200B..U+200F,
//   U+2028..U+202E, U+2060..U+2064, U+206A..U+206F, U+FEFF, U+FFF9..U+FFFB as \uxxxx;
//   U+1D173..U+1D17A, U+E0001 and U+E0020..U+E007F as surrogate pairs; everything else
//   as it is (UTF-8), lower-case hex. UTF-8 is read leniently and never fails: an
//   overlong form is taken for the code point it spells (escaped as that one would be,
//   else copied as it is); a stray byte (0x80..0xBF, 0xF8..0xFF), a sequence broken by a
//   byte that is no continuation byte (that byte dropped with it), a surrogate, a code
//   point above U+10FFFF and a sequence cut short by the end of the string are dropped.
//   MessageToJsonString returns OK for invalid UTF-8 (it only logs while serialising),
//   so this printer has no error case of its own.

#include "aggregator/internal/json_printer.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "aggregator/internal/report_parts.h"
#include "common/status_macros.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/util/json_util.h"

namespace census::report_parts {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// ------------------------------------------------------------------------ strings

constexpr char kHex[] = "0123456789abcdef";

// Bytes copied as they are (ASCII that needs no escape).
struct PlainBytes {
  bool plain[256] = {};
  constexpr PlainBytes() {
    for (int c = 0x20; c < 0x7f; ++c) plain[c] = c != '"' && c != '\\' && c != '<' && c != '>';
  }
};
constexpr PlainBytes kPlain;

// Writes \uxxxx for the UTF-16 code unit `unit` at `buf`; returns the length.
int U16Escape(uint32_t unit, char* buf) {
  buf[0] = '\\';
  buf[1] = 'u';
  buf[2] = kHex[(unit >> 12) & 0xf];
  buf[3] = kHex[(unit >> 8) & 0xf];
  buf[4] = kHex[(unit >> 4) & 0xf];
  buf[5] = kHex[unit & 0xf];
  return 6;
}

// protobuf's EscapeCodePoint: writes the escape of code point `cp` at `buf` (12 bytes at
// most) and returns its length, or returns 0 when `cp` goes out as it is.
int EscapeCodePoint(uint32_t cp, char* buf) {
  if (cp < 0xa0) {
    const char* two = nullptr;
    switch (cp) {
      case '"':
        two = "\\\"";
        break;
      case '\\':
        two = "\\\\";
        break;
      case '\b':
        two = "\\b";
        break;
      case '\t':
        two = "\\t";
        break;
      case '\n':
        two = "\\n";
        break;
      case '\f':
        two = "\\f";
        break;
      case '\r':
        two = "\\r";
        break;
      default:
        if (cp < 0x20 || cp >= 0x7f || cp == '<' || cp == '>') return U16Escape(cp, buf);
        return 0;
    }
    buf[0] = two[0];
    buf[1] = two[1];
    return 2;
  }
  if (cp == 0x00ad || (cp >= 0x0600 && cp <= 0x0603) || cp == 0x06dd || cp == 0x070f ||
      cp == 0x17b4 || cp == 0x17b5 || (cp >= 0x200b && cp <= 0x200f) ||
      (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
      (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb)) {
    return U16Escape(cp, buf);
  }
  if (cp == 0xe0001 || (cp >= 0x1d173 && cp <= 0x1d17a) || (cp >= 0xe0020 && cp <= 0xe007f)) {
    U16Escape(0xd800 + ((cp - 0x10000) >> 10), buf);
    return 6 + U16Escape(0xdc00 + (cp & 0x3ff), buf + 6);
  }
  return 0;
}

// ------------------------------------------------------------------------ numbers

template <typename Int>
void AppendInt(Int value, std::string* out) {
  char buf[24];
  char* end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out->append(buf, end);
}

template <typename Int>
void AppendQuotedInt(Int value, std::string* out) {
  char buf[24];
  buf[0] = '"';
  char* end = std::to_chars(buf + 1, buf + sizeof buf - 1, value).ptr;
  *end++ = '"';
  out->append(buf, end);
}

// False for NaN and the infinities, which protobuf writes as strings.
bool AppendNonFinite(double value, std::string* out) {
  if (std::isfinite(value)) return false;
  out->append(std::isnan(value) ? "\"NaN\"" : value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  return true;
}

// protobuf's SimpleDtoa: "%.15g" if it reads back as `value`, else "%.17g". std::to_chars
// with a precision is printf's %g in the "C" locale, and from_chars reads back correctly
// rounded as strtod does.
void AppendDouble(double value, std::string* out) {
  if (AppendNonFinite(value, out)) return;
  char buf[32];
  char* end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 15).ptr;
  double parsed = 0;
  std::from_chars_result read = std::from_chars(buf, end, parsed);
  bool round_trips = read.ec == std::errc() && parsed == value;
  if (read.ec != std::errc()) {  // not seen; strtod decides, as it does for protobuf
    *end = '\0';
    round_trips = std::strtod(buf, nullptr) == value;
  }
  if (!round_trips) {
    end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 17).ptr;
  }
  out->append(buf, end);
}

// protobuf's DelocalizeRadix: a radix other than '.' (the locale's) replaced by '.'.
void DelocalizeRadix(char* buffer) {
  if (std::strchr(buffer, '.') != nullptr) return;
  auto valid = [](char c) {
    return (c >= '0' && c <= '9') || c == 'e' || c == 'E' || c == '+' || c == '-';
  };
  while (valid(*buffer)) ++buffer;
  if (*buffer == '\0') return;
  *buffer++ = '.';
  if (!valid(*buffer) && *buffer != '\0') {
    char* target = buffer;
    do {
      ++buffer;
    } while (!valid(*buffer) && *buffer != '\0');
    std::memmove(target, buffer, std::strlen(buffer) + 1);
  }
}

// protobuf's SimpleFtoa, done as it does it: "%.6g" unless strtof does not read that back
// as `value` or reports it out of range (subnormal), then "%.9g". No report field is a
// float; this is here so that one would keep working.
void AppendFloat(float value, std::string* out) {
  if (AppendNonFinite(value, out)) return;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*g", 6, static_cast<double>(value));
  char* end = nullptr;
  errno = 0;
  float parsed = std::strtof(buf, &end);
  if (buf[0] == '\0' || *end != '\0' || errno != 0 || parsed != value) {
    std::snprintf(buf, sizeof buf, "%.*g", 9, static_cast<double>(value));
  }
  DelocalizeRadix(buf);
  out->append(buf);
}

// ------------------------------------------------------------------------ plans

// How a message type is printed, worked out once from its descriptor.
enum class Kind : uint8_t {
  kInt32,
  kInt64,
  kUint32,
  kUint64,
  kDouble,
  kFloat,
  kBool,
  kEnum,
  kString,
  kBytes,
  kMessage,
};

struct MessagePlan;

struct FieldPlan {
  const FieldDescriptor* field = nullptr;
  Kind kind = Kind::kInt32;
  bool repeated = false;
  bool only_if_set = false;              // a sub-message or a oneof member: printed when HasField
  std::string prefix;                    // "\"name\": "
  const MessagePlan* message = nullptr;  // kMessage
};

struct MessagePlan {
  bool native = false;            // false: printed by MessageToJsonString
  std::vector<FieldPlan> fields;  // in output order
};

Kind KindOf(const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return Kind::kInt32;
    case FieldDescriptor::CPPTYPE_INT64:
      return Kind::kInt64;
    case FieldDescriptor::CPPTYPE_UINT32:
      return Kind::kUint32;
    case FieldDescriptor::CPPTYPE_UINT64:
      return Kind::kUint64;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return Kind::kDouble;
    case FieldDescriptor::CPPTYPE_FLOAT:
      return Kind::kFloat;
    case FieldDescriptor::CPPTYPE_BOOL:
      return Kind::kBool;
    case FieldDescriptor::CPPTYPE_ENUM:
      return Kind::kEnum;
    case FieldDescriptor::CPPTYPE_STRING:
      return field->type() == FieldDescriptor::TYPE_BYTES ? Kind::kBytes : Kind::kString;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return Kind::kMessage;
  }
  return Kind::kMessage;
}

using PlanMap = absl::flat_hash_map<const Descriptor*, std::unique_ptr<MessagePlan>>;

// Builds the plans of a message type and of every type it reaches. A type is printed
// natively when it is proto3, not a well-known type, has no map, group or extension and
// reaches no recursion (protobuf's printer has a depth limit and error of its own there)
// and no type that is not native.
class PlanBuilder {
 public:
  explicit PlanBuilder(PlanMap* plans) : plans_(plans) {}

  // nullptr for a type already being built (recursion).
  const MessagePlan* Get(const Descriptor* type) {
    if (auto it = plans_->find(type); it != plans_->end()) return it->second.get();
    if (!building_.insert(type).second) return nullptr;
    std::unique_ptr<MessagePlan> plan = Build(type);
    building_.erase(type);
    return plans_->emplace(type, std::move(plan)).first->second.get();
  }

 private:
  std::unique_ptr<MessagePlan> Build(const Descriptor* type) {
    auto plan = std::make_unique<MessagePlan>();
    if (type->file()->syntax() != FileDescriptor::SYNTAX_PROTO3 ||
        absl::StartsWith(type->full_name(), "google.protobuf.") ||
        type->extension_range_count() > 0 || type->options().map_entry()) {
      return plan;
    }
    std::vector<FieldPlan> oneof_scalars;  // printed last, in number order
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* field = type->field(i);
      if (field->is_map() || field->type() == FieldDescriptor::TYPE_GROUP) return plan;
      FieldPlan f;
      f.field = field;
      f.kind = KindOf(field);
      f.repeated = field->is_repeated();
      f.only_if_set =
          field->containing_oneof() != nullptr || (f.kind == Kind::kMessage && !f.repeated);
      AppendJsonString(field->name(), &f.prefix);
      f.prefix.append(": ");
      if (f.kind == Kind::kEnum && field->enum_type()->full_name() == "google.protobuf.NullValue") {
        return plan;
      }
      if (f.kind == Kind::kMessage) {
        f.message = Get(field->message_type());
        if (f.message == nullptr || !f.message->native) return plan;
      }
      if (field->containing_oneof() != nullptr && f.kind != Kind::kMessage) {
        oneof_scalars.push_back(std::move(f));
      } else {
        plan->fields.push_back(std::move(f));
      }
    }
    std::stable_sort(oneof_scalars.begin(), oneof_scalars.end(),
                     [](const FieldPlan& a, const FieldPlan& b) {
                       return a.field->number() < b.field->number();
                     });
    for (FieldPlan& f : oneof_scalars) plan->fields.push_back(std::move(f));
    plan->native = true;
    return plan;
  }

  PlanMap* plans_;
  absl::flat_hash_set<const Descriptor*> building_;
};

// Plans of the generated pool's types, kept for the life of the process (descriptors of
// other pools may die and their addresses be reused, so those are planned per call).
struct PlanCache {
  std::mutex mu;
  PlanMap plans;
};

PlanCache& GeneratedPlans() {
  static PlanCache* const cache = new PlanCache;
  return *cache;
}

// ------------------------------------------------------------------------ printing

class Printer {
 public:
  // compact: no whitespace between tokens (MessageToJsonString without add_whitespace).
  Printer(std::string* out, bool compact) : out_(out), compact_(compact) {}

  // False when the message (or one inside it) has unknown fields: protobuf's printer
  // reads its fields back from the wire, where an unknown field could take a known
  // one's number, so such messages go to it.
  bool PrintMessage(const Message& message, const MessagePlan& plan, int level) {
    const Reflection* reflection = message.GetReflection();
    if (!reflection->GetUnknownFields(message).empty()) return false;
    out_->push_back('{');
    bool any = false;
    for (const FieldPlan& f : plan.fields) {
      if (f.only_if_set && !reflection->HasField(message, f.field)) continue;
      if (any) out_->push_back(',');
      any = true;
      NewLine(level + 1);
      // The prefix is "\"name\": "; compact output drops its space.
      out_->append(f.prefix.data(), f.prefix.size() - (compact_ ? 1 : 0));
      bool ok = f.repeated ? PrintRepeated(*reflection, message, f, level + 1)
                           : PrintSingular(*reflection, message, f, level + 1);
      if (!ok) return false;
    }
    if (any) NewLine(level);
    out_->push_back('}');
    return true;
  }

 private:
  void NewLine(int level) {
    if (compact_) return;
    // "\n" and up to kMaxIndent spaces, appended at once.
    static constexpr int kMaxIndent = 64;
    static constexpr struct Indent {
      char text[1 + kMaxIndent] = {};
      constexpr Indent() {
        text[0] = '\n';
        for (int i = 1; i <= kMaxIndent; ++i) text[i] = ' ';
      }
    } kIndent;
    if (level <= kMaxIndent) {
      out_->append(kIndent.text, static_cast<size_t>(level) + 1);
    } else {
      out_->push_back('\n');
      out_->append(static_cast<size_t>(level), ' ');
    }
  }

  void PrintEnum(const FieldDescriptor* field, int number) {
    const EnumValueDescriptor* value = field->enum_type()->FindValueByNumber(number);
    if (value == nullptr) {
      AppendInt(number, out_);
    } else {
      AppendJsonString(value->name(), out_);
    }
  }

  bool PrintSingular(const Reflection& r, const Message& m, const FieldPlan& f, int level) {
    const FieldDescriptor* field = f.field;
    switch (f.kind) {
      case Kind::kInt32:
        AppendInt(r.GetInt32(m, field), out_);
        break;
      case Kind::kInt64:
        AppendQuotedInt(r.GetInt64(m, field), out_);
        break;
      case Kind::kUint32:
        AppendInt(r.GetUInt32(m, field), out_);
        break;
      case Kind::kUint64:
        AppendQuotedInt(r.GetUInt64(m, field), out_);
        break;
      case Kind::kDouble:
        AppendDouble(r.GetDouble(m, field), out_);
        break;
      case Kind::kFloat:
        AppendFloat(r.GetFloat(m, field), out_);
        break;
      case Kind::kBool:
        out_->append(r.GetBool(m, field) ? "true" : "false");
        break;
      case Kind::kEnum:
        PrintEnum(field, r.GetEnumValue(m, field));
        break;
      case Kind::kString:
        AppendJsonString(r.GetStringReference(m, field, &scratch_), out_);
        break;
      case Kind::kBytes:
        PrintBytes(r.GetStringReference(m, field, &scratch_));
        break;
      case Kind::kMessage:
        return PrintMessage(r.GetMessage(m, field), *f.message, level);
    }
    return true;
  }

  bool PrintRepeated(const Reflection& r, const Message& m, const FieldPlan& f, int level) {
    const FieldDescriptor* field = f.field;
    const int n = r.FieldSize(m, field);
    if (n == 0) {
      out_->append("[]");
      return true;
    }
    out_->push_back('[');
    for (int i = 0; i < n; ++i) {
      if (i > 0) out_->push_back(',');
      NewLine(level + 1);
      switch (f.kind) {
        case Kind::kInt32:
          AppendInt(r.GetRepeatedInt32(m, field, i), out_);
          break;
        case Kind::kInt64:
          AppendQuotedInt(r.GetRepeatedInt64(m, field, i), out_);
          break;
        case Kind::kUint32:
          AppendInt(r.GetRepeatedUInt32(m, field, i), out_);
          break;
        case Kind::kUint64:
          AppendQuotedInt(r.GetRepeatedUInt64(m, field, i), out_);
          break;
        case Kind::kDouble:
          AppendDouble(r.GetRepeatedDouble(m, field, i), out_);
          break;
        case Kind::kFloat:
          AppendFloat(r.GetRepeatedFloat(m, field, i), out_);
          break;
        case Kind::kBool:
          out_->append(r.GetRepeatedBool(m, field, i) ? "true" : "false");
          break;
        case Kind::kEnum:
          PrintEnum(field, r.GetRepeatedEnumValue(m, field, i));
          break;
        case Kind::kString:
          AppendJsonString(r.GetRepeatedStringReference(m, field, i, &scratch_), out_);
          break;
        case Kind::kBytes:
          PrintBytes(r.GetRepeatedStringReference(m, field, i, &scratch_));
          break;
        case Kind::kMessage:
          if (!PrintMessage(r.GetRepeatedMessage(m, field, i), *f.message, level + 1)) {
            return false;
          }
          break;
      }
    }
    NewLine(level);
    out_->push_back(']');
    return true;
  }

  void PrintBytes(absl::string_view bytes) {
    out_->push_back('"');
    out_->append(absl::Base64Escape(bytes));
    out_->push_back('"');
  }

  std::string* out_;
  const bool compact_;
  std::string scratch_;  // for Get*StringReference
};

// MessageToJsonString's output for `message`, nested `indent` levels deep (see
// AppendMessageJson).
absl::Status AppendWithProtobuf(const Message& message, int indent, std::string* out) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.add_whitespace = true;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("report to JSON: ", status.ToString()));
  }
  absl::string_view text = json;
  if (absl::EndsWith(text, "\n")) text.remove_suffix(1);
  if (indent == 0) {
    out->append(text.data(), text.size());
  } else {
    // Only structure breaks lines (JSON strings escape their newlines), so this is exact.
    out->append(absl::StrReplaceAll(
        text, {{"\n", absl::StrCat("\n", std::string(static_cast<size_t>(indent), ' '))}}));
  }
  return absl::OkStatus();
}

}  // namespace

void AppendJsonString(absl::string_view value, std::string* out) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const unsigned char* const end = p + value.size();
  const unsigned char* run = p;  // start of the bytes still to copy as they are
  auto flush = [&](const unsigned char* upto) {
    out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(upto - run));
  };
  char escape[12];
  while (p < end) {
    const unsigned char c = *p;
    if (kPlain.plain[c]) {
      ++p;
      continue;
    }
    if (c < 0x80) {
      flush(p);
      out->append(escape, static_cast<size_t>(EscapeCodePoint(c, escape)));
      run = ++p;
      continue;
    }
    // A multi-byte sequence, read as protobuf's ReadCodePoint reads it.
    if (c < 0xc0 || c > 0xf7) {  // a stray continuation byte, or no UTF-8 lead byte
      flush(p);
      run = ++p;
      continue;
    }
    uint32_t cp;
    int left;
    if (c <= 0xdf) {
      cp = c & 0x1f;
      left = 1;
    } else if (c <= 0xef) {
      cp = c & 0x0f;
      left = 2;
    } else {
      cp = c & 0x07;
      left = 3;
    }
    const unsigned char* q = p + 1;
    bool valid = true;
    while (left > 0 && q < end) {
      const unsigned char next = *q++;
      --left;
      cp = (cp << 6) | (next & 0x3f);
      if (next < 0x80 || next > 0xbf) {
        valid = false;
        break;
      }
    }
    if (!valid || left > 0 || (cp & 0xfffff800) == 0xd800 || cp > 0x10ffff) {
      flush(p);  // dropped, with the byte that broke it
      run = p = q;
      continue;
    }
    if (const int n = EscapeCodePoint(cp, escape); n > 0) {
      flush(p);
      out->append(escape, static_cast<size_t>(n));
      run = q;
    }
    p = q;  // else the bytes stay in the run, as they are (overlong forms too)
  }
  flush(end);
  out->push_back('"');
}

namespace {

// AppendMessageJson (compact == false) and AppendMessageJsonLine (compact == true).
absl::Status AppendMessage(const Message& message, int indent, bool compact, std::string* out) {
  const Descriptor* type = message.GetDescriptor();
  const MessagePlan* plan = nullptr;
  PlanMap local_plans;
  if (type->file()->pool() == DescriptorPool::generated_pool()) {
    PlanCache& cache = GeneratedPlans();
    std::lock_guard<std::mutex> lock(cache.mu);
    plan = PlanBuilder(&cache.plans).Get(type);
  } else {
    plan = PlanBuilder(&local_plans).Get(type);
  }
  if (plan->native) {
    const size_t mark = out->size();
    // The JSON of a report is ~4 times its wire size (field names, defaults printed):
    // room up front saves growing a large string step by step.
    out->reserve(mark + message.ByteSizeLong() * 9 / 2 + 64);
    if (Printer(out, compact).PrintMessage(message, *plan, indent)) return absl::OkStatus();
    out->resize(mark);
  }
  if (!compact) return AppendWithProtobuf(message, indent, out);
  // Protobuf's own compact output spells nothing differently, but the indented text is
  // what the native printer is tested against; its whitespace between tokens goes.
  std::string pretty;
  RETURN_IF_ERROR(AppendWithProtobuf(message, 0, &pretty));
  AppendJsonLine(pretty, out);
  out->pop_back();  // AppendJsonLine's newline
  return absl::OkStatus();
}

}  // namespace

absl::Status AppendMessageJson(const Message& message, int indent, std::string* out) {
  return AppendMessage(message, indent, /*compact=*/false, out);
}

absl::Status AppendMessageJsonLine(const Message& message, std::string* out) {
  return AppendMessage(message, 0, /*compact=*/true, out);
}

absl::StatusOr<std::string> MessageToJson(const Message& message) {
  std::string json;
  absl::Status status = AppendMessageJson(message, 0, &json);
  if (!status.ok()) return status;
  json.push_back('\n');
  return json;
}

}  // namespace census::report_parts
