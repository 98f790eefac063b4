#include "fuzz/checks.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/wire.h"
#include "coordinator/site_list.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "interchange/warc.h"
#include "proto/census.pb.h"
#include "worker/charset.h"
#include "worker/extract.h"

namespace census::fuzz {
namespace {

void DefaultFailure(const char* target, const std::string& what) {
  std::fprintf(stderr, "\n*** fuzz check failed [%s]: %s\n", target, what.c_str());
  std::fflush(stderr);
  std::abort();
}

FailureHandler g_failure = DefaultFailure;

[[noreturn]] void Fail(const char* target, const std::string& what) {
  g_failure(target, what);
  std::abort();  // a handler that returns still stops here
}

// Shows a string in a failure message: escaped, cut to a readable length.
std::string Show(absl::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size() && i < 200; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > 200) absl::StrAppend(&out, "...(", s.size(), " bytes)");
  return out + "\"";
}

// ----------------------------------------------------------------- JSON

class JsonParser {
 public:
  explicit JsonParser(absl::string_view s) : s_(s) {}

  bool Parse(std::string* error) {
    SkipWs();
    if (!Value(0)) {
      *error = absl::StrCat("at byte ", pos_, ": ", why_);
      return false;
    }
    SkipWs();
    if (pos_ != s_.size()) {
      *error = absl::StrCat("at byte ", pos_, ": trailing characters");
      return false;
    }
    return true;
  }

 private:
  bool Bad(const char* why) {
    why_ = why;
    return false;
  }
  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Lit(absl::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return Bad("bad literal");
    pos_ += lit.size();
    return true;
  }
  static bool Digit(char c) { return c >= '0' && c <= '9'; }
  bool Number() {
    if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || !Digit(s_[pos_])) return Bad("bad number");
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < s_.size() && Digit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (pos_ >= s_.size() || !Digit(s_[pos_])) return Bad("bad fraction");
      while (pos_ < s_.size() && Digit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !Digit(s_[pos_])) return Bad("bad exponent");
      while (pos_ < s_.size() && Digit(s_[pos_])) ++pos_;
    }
    return true;
  }
  bool String() {
    ++pos_;  // opening quote
    const size_t start = pos_;
    while (pos_ < s_.size()) {
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        size_t bad = 0;
        if (!IsValidUtf8(s_.substr(start, pos_ - start), &bad)) {
          pos_ = start + bad;
          return Bad("invalid UTF-8 in string");
        }
        ++pos_;
        return true;
      }
      if (c < 0x20) return Bad("unescaped control character in string");
      if (c == '\\') {
        ++pos_;
        if (pos_ >= s_.size()) break;
        const char e = s_[pos_];
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k) {
            if (pos_ + k >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_ + k]))) {
              return Bad("bad \\u escape");
            }
          }
          pos_ += 4;
        } else if (absl::string_view("\"\\/bfnrt").find(e) == absl::string_view::npos) {
          return Bad("bad escape");
        }
      }
      ++pos_;
    }
    return Bad("unterminated string");
  }
  bool Value(int depth) {
    if (depth > 200) return Bad("nesting too deep");
    if (pos_ >= s_.size()) return Bad("unexpected end");
    const char c = s_[pos_];
    if (c == '{') {
      ++pos_;
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      for (;;) {
        SkipWs();
        if (pos_ >= s_.size() || s_[pos_] != '"') return Bad("expected object key");
        if (!String()) return false;
        SkipWs();
        if (pos_ >= s_.size() || s_[pos_] != ':') return Bad("expected ':'");
        ++pos_;
        SkipWs();
        if (!Value(depth + 1)) return false;
        SkipWs();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '}') {
          ++pos_;
          return true;
        }
        return Bad("expected ',' or '}'");
      }
    }
    if (c == '[') {
      ++pos_;
      SkipWs();
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      for (;;) {
        SkipWs();
        if (!Value(depth + 1)) return false;
        SkipWs();
        if (pos_ < s_.size() && s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == ']') {
          ++pos_;
          return true;
        }
        return Bad("expected ',' or ']'");
      }
    }
    if (c == '"') return String();
    if (c == 't') return Lit("true");
    if (c == 'f') return Lit("false");
    if (c == 'n') return Lit("null");
    return Number();
  }

  absl::string_view s_;
  size_t pos_ = 0;
  const char* why_ = "";
};

// ----------------------------------------------------------------- dates

bool ParseYmd(absl::string_view s, absl::CivilDay* out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int v[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t lens[3] = {4, 2, 2};
  for (int k = 0; k < 3; ++k) {
    for (size_t i = starts[k]; i < starts[k] + lens[k]; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v[k] = v[k] * 10 + (s[i] - '0');
    }
  }
  const absl::CivilDay day(v[0], v[1], v[2]);
  if (day.year() != v[0] || day.month() != v[1] || day.day() != v[2]) return false;
  *out = day;
  return true;
}

// "" or a real day within [1990-01-01, max_year-12-31].
void CheckDateField(const char* target, const char* field, absl::string_view date, int max_year) {
  if (date.empty()) return;
  absl::CivilDay day;
  if (!ParseYmd(date, &day)) {
    Fail(target, absl::StrCat(field, " is not a real YYYY-MM-DD day: ", Show(date)));
  }
  if (day.year() < 1990 || day.year() > max_year) {
    Fail(target, absl::StrCat(field, " ", date, " is outside [1990, ", max_year, "]"));
  }
}

bool IsHttpUrl(absl::string_view url) {
  return url.substr(0, 7) == "http://" || url.substr(0, 8) == "https://";
}

void CheckUtf8Field(const char* target, const std::string& field, absl::string_view s) {
  size_t bad = 0;
  if (!IsValidUtf8(s, &bad)) {
    Fail(target, absl::StrCat(field, " is not valid UTF-8 (byte ", bad,
                              "): ", Show(s.substr(bad >= 16 ? bad - 16 : 0, 48))));
  }
}

// Splits "<head>\n<rest>" when a newline occurs within the first `limit` bytes.
void SplitHeader(absl::string_view in, size_t limit, absl::string_view* head,
                 absl::string_view* rest) {
  const size_t nl = in.substr(0, limit).find('\n');
  if (nl == absl::string_view::npos) {
    *head = {};
    *rest = in;
  } else {
    *head = in.substr(0, nl);
    *rest = in.substr(nl + 1);
  }
}

}  // namespace

void SetFailureHandler(FailureHandler handler) {
  g_failure = handler != nullptr ? handler : DefaultFailure;
}

bool IsValidUtf8(absl::string_view s, size_t* bad_offset) {
  size_t i = 0;
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < s.size()) {
    const unsigned char c = b(i);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    bool ok = n > 0 && i + n <= s.size() && b(i + 1) >= lo && b(i + 1) <= hi;
    for (size_t k = 2; ok && k < n; ++k) ok = b(i + k) >= 0x80 && b(i + k) <= 0xBF;
    if (!ok) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    i += n;
  }
  return true;
}

bool IsValidJson(absl::string_view s, std::string* error) { return JsonParser(s).Parse(error); }

// ----------------------------------------------------------------- charset

void CheckCharset(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  absl::string_view header, bytes;
  SplitHeader(in, 256, &header, &bytes);
  const DecodedText d = DecodeToUtf8(bytes, header);
  CheckUtf8Field("charset", "DecodeToUtf8 output", d.utf8);
  if (d.charset.empty()) Fail("charset", "empty charset name");
  for (char c : d.charset) {
    if (c >= 'A' && c <= 'Z') Fail("charset", "charset name not lower-case: " + Show(d.charset));
  }
  static const std::set<std::string> kSources = {"header", "bom", "meta", "detector", "default"};
  if (!kSources.contains(d.source)) Fail("charset", "unknown source " + Show(d.source));
  // Without a header or BOM (which may strip a BOM), valid UTF-8 read as utf-8 is kept as is.
  if (d.charset == "utf-8" && d.source != "header" && d.source != "bom" && IsValidUtf8(bytes) &&
      d.utf8 != bytes) {
    Fail("charset", "valid UTF-8 input decoded as utf-8 came out changed");
  }
}

// ----------------------------------------------------------------- extract

void CheckExtract(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  ExtractOptions options;
  options.base_url = "http://www.example.gov.cn/col/a/";
  options.as_of = absl::CivilDay(2026, 11, 20);
  const absl::StatusOr<PageExtract> page = ExtractPage(bytes, "", options);
  if (!page.ok()) {
    if (page.status().code() != absl::StatusCode::kInvalidArgument) {
      Fail("extract",
           "ExtractPage failed with other than InvalidArgument: " + page.status().ToString());
    }
    return;
  }
  const int max_year = options.as_of.year() + 1;
  static const std::set<std::string> kKinds = {"list", "article", "home", "mailbox", "other"};
  if (!kKinds.contains(page->kind)) Fail("extract", "unknown kind " + Show(page->kind));
  CheckUtf8Field("extract", "title", page->title);
  CheckUtf8Field("extract", "text", page->text);
  CheckUtf8Field("extract", "next_page_url", page->next_page_url);
  std::string newest;
  for (size_t i = 0; i < page->items.size(); ++i) {
    const ExtractedItem& it = page->items[i];
    const std::string name = absl::StrCat("items[", i, "]");
    CheckDateField("extract", (name + ".date").c_str(), it.date, max_year);
    CheckUtf8Field("extract", name + ".title", it.title);
    CheckUtf8Field("extract", name + ".date_raw", it.date_raw);
    CheckUtf8Field("extract", name + ".href", it.href);
    // An item href that does not resolve to http(s) (javascript:openWin(...)) is kept
    // raw by design (list_finder.cc): only its encoding is checked.
    newest = std::max(newest, it.date);
  }
  CheckDateField("extract", "publication_date", page->publication_date, max_year);
  CheckDateField("extract", "latest_date", page->latest_date, max_year);
  if (page->latest_date != newest && page->latest_date != page->publication_date) {
    Fail("extract",
         absl::StrCat("latest_date ", Show(page->latest_date), " is neither the newest item date ",
                      Show(newest), " nor the publication date ", Show(page->publication_date)));
  }
  for (size_t i = 0; i < page->links.size(); ++i) {
    const ExtractedLink& l = page->links[i];
    if (!IsHttpUrl(l.url)) {
      Fail("extract", absl::StrCat("links[", i, "].url is not http(s): ", Show(l.url)));
    }
    CheckUtf8Field("extract", absl::StrCat("links[", i, "].url"), l.url);
    CheckUtf8Field("extract", absl::StrCat("links[", i, "].text"), l.text);
  }
  for (size_t i = 0; i < page->nav_columns.size(); ++i) {
    const NavColumn& c = page->nav_columns[i];
    if (!IsHttpUrl(c.url)) {
      Fail("extract", absl::StrCat("nav_columns[", i, "].url is not http(s): ", Show(c.url)));
    }
    CheckUtf8Field("extract", absl::StrCat("nav_columns[", i, "].name"), c.name);
  }
  const std::string json = PageExtractToJson(*page);
  std::string error;
  if (!IsValidJson(json, &error)) {
    Fail("extract", absl::StrCat("PageExtractToJson is not valid JSON: ", error));
  }
}

// ----------------------------------------------------------------- dates

void CheckDates(const uint8_t* data, size_t size) {
  absl::CivilDay as_of(2026, 11, 20);
  size_t skip = 0;
  if (size > 0) {
    skip = 1;
    switch (data[0] % 4) {
      case 0:
        break;
      case 1:
        as_of = absl::CivilDay();  // unset: year-less dates do not resolve
        break;
      case 2:
        if (size >= 4) {
          as_of = absl::CivilDay(1985 + data[1] % 130, 1 + data[2] % 12, 1 + data[3] % 31);
          skip = 4;
        }
        break;
      case 3:
        as_of = absl::CivilDay(2026, 1, 1);
        break;
    }
  }
  const absl::string_view text(reinterpret_cast<const char*>(data) + skip, size - skip);
  absl::CivilDay day;
  std::string raw;
  if (!ParseDate(text, as_of, &day, &raw)) return;
  const bool as_of_set = as_of.year() >= 1990;
  const int max_year = as_of_set ? static_cast<int>(as_of.year()) + 1 : 2100;
  const std::string where =
      absl::StrCat("ParseDate(", Show(text), ", as_of ", absl::FormatCivilTime(as_of),
                   ") = ", absl::FormatCivilTime(day), " raw ", Show(raw));
  if (day.year() < 1990 || day.year() > max_year) {
    Fail("dates", absl::StrCat(where, ": year outside [1990, ", max_year, "]"));
  }
  if (raw.empty() || text.find(raw) == absl::string_view::npos) {
    Fail("dates", where + ": raw is not a non-empty substring of the text");
  }
  if (!as_of_set || day > as_of) {
    // Only a date that states its year may be after as_of (or resolve without one).
    const bool has_year = raw.find("年") != std::string::npos || [&] {
      int run = 0;
      for (char c : raw) {
        run = (c >= '0' && c <= '9') ? run + 1 : 0;
        if (run == 4) return true;
      }
      return false;
    }();
    if (!has_year) Fail("dates", where + ": a year-less date resolved after as_of / without it");
  }
  absl::CivilDay again;
  std::string raw_again;
  if (!ParseDate(raw, as_of, &again, &raw_again) || again != day || raw_again != raw) {
    Fail("dates",
         absl::StrCat(where, ": parsing raw alone gives ",
                      raw_again.empty() ? std::string("nothing") : absl::FormatCivilTime(again),
                      " raw ", Show(raw_again)));
  }
}

// ----------------------------------------------------------------- csv

namespace {

int LineCount(absl::string_view text) {
  return 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

template <typename Proto>
void CheckRoundTrip(const char* what, const Proto& msg) {
  std::string wire;
  if (!msg.SerializeToString(&wire)) Fail("csv", absl::StrCat(what, ": does not serialize"));
  Proto back;
  if (!back.ParseFromString(wire)) {
    Fail("csv", absl::StrCat(what,
                             " does not survive a protobuf round trip (invalid UTF-8 in a "
                             "string field?): ",
                             Show(msg.ShortDebugString())));
  }
}

void CheckErrors(const std::vector<report::InputError>& errors, const std::string& file,
                 int lines) {
  for (const report::InputError& e : errors) {
    if (e.file() != file) Fail("csv", "error names file " + Show(e.file()));
    if (e.line() < 1 || e.line() > lines) {
      Fail("csv", absl::StrCat(file, ": error line ", e.line(), " outside [1, ", lines,
                               "]: ", Show(e.reason())));
    }
    if (e.reason().empty()) Fail("csv", "error without a reason");
    CheckRoundTrip("InputError", e);
  }
}

}  // namespace

void CheckCsv(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t nul = in.find('\0');
  const absl::string_view sites_text = in.substr(0, nul);
  const absl::string_view columns_text =
      nul == absl::string_view::npos ? absl::string_view() : in.substr(nul + 1);

  std::vector<int> line_numbers;
  const auto rows = ParseCsv(sites_text, &line_numbers);
  if (line_numbers.size() != rows.size()) {
    Fail("csv", absl::StrCat("ParseCsv: ", rows.size(), " records but ", line_numbers.size(),
                             " line numbers"));
  }
  const int lines = LineCount(sites_text);
  for (size_t i = 0; i < line_numbers.size(); ++i) {
    if (line_numbers[i] < 1 || line_numbers[i] > lines ||
        (i > 0 && line_numbers[i] <= line_numbers[i - 1])) {
      Fail("csv", absl::StrCat("ParseCsv: record ", i, " starts on line ", line_numbers[i],
                               " (file has ", lines, " lines)"));
    }
  }

  const absl::StatusOr<SiteList> sites = ParseSitesCsv(sites_text, "sites.csv");
  if (!sites.ok()) return;
  CheckErrors(sites->errors, "sites.csv", lines);
  std::set<std::string> ids;
  for (const Site& s : sites->sites) {
    if (s.site_id().empty() || s.name().empty()) Fail("csv", "accepted site without id or name");
    std::string reason;
    if (!IsValidHttpUrl(s.url(), &reason)) Fail("csv", "accepted site with " + reason);
    if (!ids.insert(s.site_id()).second) Fail("csv", "duplicate site_id accepted: " + s.site_id());
    CheckRoundTrip("Site", s);
  }
  if (columns_text.empty()) return;
  const absl::StatusOr<ColumnList> columns = ParseColumnsCsv(columns_text, "columns.csv", *sites);
  if (!columns.ok()) return;
  CheckErrors(columns->errors, "columns.csv", LineCount(columns_text));
  for (const auto& [site_id, cols] : columns->by_site) {
    if (!ids.contains(site_id)) Fail("csv", "columns for unknown site " + Show(site_id));
    for (const Column& c : cols) {
      if (c.site_id() != site_id) Fail("csv", "column filed under the wrong site");
      std::string reason;
      if (!IsValidHttpUrl(c.url(), &reason)) Fail("csv", "accepted column with " + reason);
      CheckRoundTrip("Column", c);
    }
  }
}

// ----------------------------------------------------------------- wire

namespace {

// The input as the frames of one message: [length byte L][L bytes] repeated; L = 255
// (or more bytes than are left) makes the rest of the input the last frame. Only the
// first kMaxFrames are kept, as ReceiveFrames does.
std::vector<std::string> DecodeFrames(const uint8_t* data, size_t size) {
  std::vector<std::string> frames;
  size_t i = 0;
  while (i < size) {
    const size_t len = data[i++];
    const size_t take = len == 255 ? size - i : std::min(len, size - i);
    if (frames.size() < kMaxFrames) {
      frames.emplace_back(reinterpret_cast<const char*>(data + i), take);
    }
    i += take;
  }
  return frames;
}

// What ParsePayload promises about `frames` (the delimiter at `first`) and its result.
void CheckParseContract(const char* target, const std::vector<std::string>& frames, size_t first,
                        const absl::Status& st) {
  const bool shape = frames.size() == first + 3 && frames[first].empty();
  const bool version = shape && frames[first + 1] == kWireProtocol;
  if (st.ok() && !version) Fail(target, "accepted a message without [empty, census/1, payload]");
  if (absl::IsFailedPrecondition(st)) {
    if (!shape || version) Fail(target, "FailedPrecondition for other than a wrong version");
    for (char c : st.message()) {
      if (c < 0x20 || c > 0x7e)
        Fail(target, "unprintable byte in the error: " + Show(st.message()));
    }
    if (st.message().size() > 128) Fail(target, "error message longer than 128 bytes");
  } else if (!st.ok() && !absl::IsDataLoss(st)) {
    Fail(target, "error other than DataLoss / FailedPrecondition: " + st.ToString());
  }
}

// Deterministic encoding (map entries sorted), so two encodings can be compared.
bool Encode(const google::protobuf::MessageLite& msg, std::string* out) {
  out->clear();
  google::protobuf::io::StringOutputStream stream(out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  return msg.SerializeToCodedStream(&coded) && !coded.HadError();
}

// A message the roles accepted survives re-encoding: what a role forwards or stores
// (leases, batches) parses again to the same thing.
void CheckReencodes(const char* target, const google::protobuf::MessageLite& msg) {
  std::string once, twice;
  if (!Encode(msg, &once)) Fail(target, "parsed message does not serialize");
  std::unique_ptr<google::protobuf::MessageLite> back(msg.New());
  if (!back->ParseFromString(once)) Fail(target, "re-encoded message does not parse");
  if (!Encode(*back, &twice) || once != twice) {
    Fail(target, "re-encoded message changed on a second round trip");
  }
}

// The receive path of the side that gets `Msg`: ROUTER (a server role: coordinator,
// store) when `router`, else DEALER (worker, aggregate, status, the coordinator as the
// stores' client). Every failure must be a message WireDrops drops (a role stops
// serving on any other error), and the ROUTER side must recover the identity to answer.
template <typename Msg>
void CheckWire(const char* target, bool router, const uint8_t* data, size_t size) {
  static WireDrops drops(target);  // logs the first 10 drops, then every 1000th
  const std::vector<std::string> frames = DecodeFrames(data, size);
  Msg msg;
  absl::Status st;
  if (router) {
    std::string identity = "unset";
    absl::StatusOr<std::string> got = ParseDealerFrames(frames, &msg, &identity);
    st = got.status();
    if (!frames.empty() && identity != frames[0]) Fail(target, "identity not reported");
    if (got.ok() && *got != frames[0]) Fail(target, "returned identity is not frame 0");
    if (!frames.empty()) {
      // The same frames without the identity, as a DEALER would read them.
      const std::vector<std::string> rest(frames.begin() + 1, frames.end());
      Msg again;
      if (ParseRouterFrames(rest, &again).code() != st.code()) {
        Fail(target, "ROUTER and DEALER sides disagree on the same frames");
      }
    }
    if (!frames.empty()) CheckParseContract(target, frames, 1, st);
    if (frames.empty() && st.ok()) Fail(target, "accepted a message with no frames");
  } else {
    st = ParseRouterFrames(frames, &msg);
    CheckParseContract(target, frames, 0, st);
  }
  if (!st.ok()) {
    if (!drops.Note(st)) Fail(target, "a parse error the role would not drop: " + st.ToString());
    return;
  }
  CheckReencodes(target, msg);
}

}  // namespace

void CheckWireToCoordinator(const uint8_t* data, size_t size) {
  CheckWire<ToCoordinator>("wire_to_coordinator", true, data, size);
}
void CheckWireFromCoordinator(const uint8_t* data, size_t size) {
  CheckWire<FromCoordinator>("wire_from_coordinator", false, data, size);
}
void CheckWireToStore(const uint8_t* data, size_t size) {
  CheckWire<ToStore>("wire_to_store", true, data, size);
}
void CheckWireFromStore(const uint8_t* data, size_t size) {
  CheckWire<FromStore>("wire_from_store", false, data, size);
}

void CheckWarc(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  static const std::set<std::string> kReasons = {"bad_gzip_member",   "truncated_gzip_member",
                                                 "truncated_record",  "garbage",
                                                 "bad_record_header", "bad_content_length"};
  std::unique_ptr<WarcReader> reader = WarcReader::FromBytes(input);
  WarcRecord record;
  int64_t offset = 0, last_offset = -1;
  while (reader->Next(&record, &offset)) {
    if (offset < last_offset || offset < 0 || static_cast<size_t>(offset) >= size) {
      Fail("warc",
           absl::StrCat("record offset ", offset, " after ", last_offset, " in ", size, " bytes"));
    }
    last_offset = offset;
    if (!absl::StartsWith(record.version, "WARC/")) {
      Fail("warc", "record version " + Show(record.version));
    }
    int64_t length = -1;
    if (!absl::SimpleAtoi(record.Field("Content-Length"), &length) ||
        length != static_cast<int64_t>(record.block.size())) {
      Fail("warc", absl::StrCat("block of ", record.block.size(), " bytes, Content-Length ",
                                Show(record.Field("Content-Length"))));
    }
    // Written again (one gzip member) and read back: the same record.
    absl::StatusOr<std::string> member = GzipMember(SerializeWarcRecord(record));
    if (!member.ok()) Fail("warc", "GzipMember: " + std::string(member.status().message()));
    std::unique_ptr<WarcReader> again = WarcReader::FromBytes(*member);
    WarcRecord copy;
    int64_t copy_offset = 0;
    if (!again->Next(&copy, &copy_offset) || !again->problems().empty() ||
        copy.block != record.block || copy.version != record.version) {
      Fail("warc", "a record written again does not read back the same");
    }
    absl::StatusOr<HttpMessage> http = ParseHttpMessage(record.block);
    if (!http.ok() && !absl::IsInvalidArgument(http.status()) && !absl::IsDataLoss(http.status())) {
      Fail("warc", "ParseHttpMessage: " + http.status().ToString());
    }
  }
  for (const WarcProblem& p : reader->problems()) {
    if (!kReasons.contains(p.reason)) Fail("warc", "undocumented reason " + Show(p.reason));
    if (p.offset < 0 || static_cast<size_t>(p.offset) > size) {
      Fail("warc", absl::StrCat(p.reason, " at offset ", p.offset, " of ", size));
    }
  }
}

CheckFn FindCheck(absl::string_view target) {
  if (target == "charset") return CheckCharset;
  if (target == "extract") return CheckExtract;
  if (target == "dates") return CheckDates;
  if (target == "csv") return CheckCsv;
  if (target == "wire_to_coordinator") return CheckWireToCoordinator;
  if (target == "wire_from_coordinator") return CheckWireFromCoordinator;
  if (target == "wire_to_store") return CheckWireToStore;
  if (target == "wire_from_store") return CheckWireFromStore;
  if (target == "warc") return CheckWarc;
  return nullptr;
}

}  // namespace census::fuzz
