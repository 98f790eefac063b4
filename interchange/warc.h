#ifndef CENSUS_INTERCHANGE_WARC_H_
#define CENSUS_INTERCHANGE_WARC_H_

// WARC 1.1 (ISO 28500:2017) records: writing them one gzip member each, reading them
// back from .warc.gz or .warc files with damage reported instead of fatal, and the HTTP
// messages their blocks hold. docs/WARC.md says how a census maps onto them.
//
// The record framing (version line, named fields, Content-Length, block, CRLF CRLF)
// and the HTTP/1.1 message split are written by hand: Debian 12 has no C or C++ WARC
// library, and libcurl parses only the responses it receives itself. Compression is
// zlib's (one gzip member per record, so a reader may seek to any record), digests are
// OpenSSL's SHA-1, base32-encoded as WARC tools customarily write them.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace census {

// One WARC record: its named fields in order (Content-Length is computed from the block
// when writing, and kept as read when reading) and its block.
struct WarcRecord {
  std::string version = "WARC/1.1";
  std::vector<std::pair<std::string, std::string>> fields;
  std::string block;

  void Add(absl::string_view name, absl::string_view value);
  // The first field of that name (case-insensitive); "" when absent.
  std::string Field(absl::string_view name) const;
  std::vector<std::string> Fields(absl::string_view name) const;
  bool Has(absl::string_view name) const;
};

// "sha1:" + RFC 4648 base32 of the SHA-1 of `bytes` (WARC-Block-Digest and
// WARC-Payload-Digest as wget, Heritrix and warcio write them).
std::string WarcSha1Digest(absl::string_view bytes);
// "<urn:uuid:...>", a random (version 4) UUID.
std::string NewWarcRecordId();
// W3C-ISO8601 UTC with milliseconds (WARC 1.1 allows a fraction): 2026-11-20T08:00:00.123Z.
std::string FormatWarcDate(int64_t unix_ms);
// Reads WARC-Date with or without a fraction of a second; false when not a date.
bool ParseWarcDate(absl::string_view text, int64_t* unix_ms);

// The record as bytes: version line, fields, Content-Length, CRLF, block, CRLF CRLF.
std::string SerializeWarcRecord(const WarcRecord& record);
// `data` as one complete gzip member (RFC 1952).
absl::StatusOr<std::string> GzipMember(absl::string_view data);

// Writes records to a .warc.gz, each record its own gzip member.
class WarcWriter {
 public:
  static absl::StatusOr<std::unique_ptr<WarcWriter>> Open(const std::string& path);
  ~WarcWriter();
  absl::Status Write(const WarcRecord& record);
  // Flushes and closes; the file is complete only when this returned OK.
  absl::Status Close();
  int64_t bytes_written() const { return bytes_written_; }
  int64_t records_written() const { return records_written_; }

 private:
  WarcWriter(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
  std::FILE* file_;
  std::string path_;
  int64_t bytes_written_ = 0;
  int64_t records_written_ = 0;
};

// Damage met while reading, by a stable reason:
//   bad_gzip_member        a member that does not inflate (corrupt, or cut short with
//                          more data after it); skipped up to the next gzip header
//   truncated_gzip_member  the file ends inside a member
//   truncated_record       (plain .warc) the file ends inside a record's block
//   garbage                bytes between members (or records) that are neither
//   bad_record_header      no "WARC/" version line, or a field line without a colon
//   bad_content_length     Content-Length missing, not a number, or not where the block
//                          ends (no CRLF CRLF after it, or past the end of its member)
struct WarcProblem {
  std::string reason;
  int64_t offset = 0;  // in the file: of the member (or, in a plain .warc, the record)
  std::string detail;
};

// Reads the records of a .warc.gz (any number of gzip members, one or many records
// each) or an uncompressed .warc, in file order. Damage never stops it: the record or
// member is skipped, a WarcProblem noted, and reading goes on at the next gzip header
// (or "WARC/" line). A record must end inside the gzip member it starts in. A member is
// inflated whole, up to 1 GiB (WARC writers write a member a record; a larger member is
// reported bad_gzip_member); a plain file is read a record at a time.
class WarcReader {
 public:
  static absl::StatusOr<std::unique_ptr<WarcReader>> Open(const std::string& path);
  // Reads records from memory (tests); `data` must outlive the reader.
  static std::unique_ptr<WarcReader> FromBytes(absl::string_view data);
  ~WarcReader();

  // The next well-formed record and the file offset of its member (gzip) or of its
  // first byte (plain); false at the end of the file.
  bool Next(WarcRecord* record, int64_t* offset);
  // Problems met so far, in file order.
  const std::vector<WarcProblem>& problems() const { return problems_; }
  int64_t size() const { return static_cast<int64_t>(data_.size()); }
  int64_t position() const { return pos_; }

 private:
  WarcReader() = default;
  bool FillFromNextMember();
  // Queues the records of `text` (a member's output, at `member_offset` in the file; or,
  // `plain`, the rest of a plain file from that offset, of which it parses one record).
  // Returns how much of `text` it used.
  size_t ParseRecords(absl::string_view text, int64_t member_offset, bool plain);
  void Problem(std::string reason, int64_t offset, std::string detail);

  absl::string_view data_;
  void* mapping_ = nullptr;
  bool gzip_ = false;
  int64_t pos_ = 0;
  std::vector<std::pair<WarcRecord, int64_t>> queue_;
  size_t queue_next_ = 0;
  std::vector<WarcProblem> problems_;
};

// An HTTP/1.x message as a WARC request/response block holds it.
struct HttpMessage {
  std::string start_line;  // "HTTP/1.1 200 OK" or "GET /path HTTP/1.1"
  int status = 0;          // responses: the status code
  // The Content-Length header (-1: none, or the body is chunked). A longer body is cut
  // to it; a shorter one is left as it is, with `cut_short`, for the caller to judge (a
  // HEAD response, a record marked WARC-Truncated, or a body cut short).
  int64_t declared_length = -1;
  bool cut_short = false;
  std::vector<std::pair<std::string, std::string>> headers;
  // The body with the transfer coding (chunked) and a gzip/deflate content coding
  // undone: the bytes a client (and the census worker, through libcurl) reads.
  std::string body;
  std::string Header(absl::string_view name) const;  // first, case-insensitive; "" if none
};

// Splits `block` into start line, headers and body and decodes the body. InvalidArgument
// when it is not an HTTP message, DataLoss when its chunked or compressed body is broken
// or cut short.
absl::StatusOr<HttpMessage> ParseHttpMessage(absl::string_view block);

}  // namespace census

#endif  // CENSUS_INTERCHANGE_WARC_H_
