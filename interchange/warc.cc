#include "interchange/warc.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"

namespace census {
namespace {

// A member (or an HTTP body) that inflates past this is refused: a gzip bomb must not
// take the importer's memory.
constexpr size_t kMaxInflated = size_t{1} << 30;

// RFC 4648 base32 (upper case, '=' padded). Written by hand: OpenSSL and zlib have no
// base32, and the five lines are not worth a dependency.
std::string Base32(const unsigned char* data, size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  while (out.size() % 8 != 0) out.push_back('=');
  return out;
}

// Inflates `in` (gzip or zlib wrapper, detected; raw deflate with `raw`) completely.
absl::StatusOr<std::string> InflateAll(absl::string_view in, bool raw) {
  z_stream z{};
  if (inflateInit2(&z, raw ? -15 : 15 + 32) != Z_OK) return absl::InternalError("inflateInit2");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  int rc = Z_OK;
  char buffer[64 * 1024];
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - z.avail_out);
    if (out.size() > kMaxInflated) rc = Z_MEM_ERROR;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    return absl::DataLossError(absl::StrCat("compressed body does not inflate (zlib ", rc, ")"));
  }
  return out;
}

// Position just after the line break before the next "WARC/" line at or after `from`;
// text.size() when none.
size_t NextRecordStart(absl::string_view text, size_t from) {
  size_t at = text.find("\nWARC/", from);
  return at == absl::string_view::npos ? text.size() : at + 1;
}

const unsigned char kGzipMagic[] = {0x1f, 0x8b, 0x08};

size_t FindGzipMagic(absl::string_view data, size_t from) {
  size_t at = data.find(absl::string_view(reinterpret_cast<const char*>(kGzipMagic), 3), from);
  return at == absl::string_view::npos ? data.size() : at;
}

}  // namespace

void WarcRecord::Add(absl::string_view name, absl::string_view value) {
  fields.emplace_back(std::string(name), std::string(value));
}

std::string WarcRecord::Field(absl::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (absl::EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

std::vector<std::string> WarcRecord::Fields(absl::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : fields) {
    if (absl::EqualsIgnoreCase(n, name)) out.push_back(v);
  }
  return out;
}

bool WarcRecord::Has(absl::string_view name) const {
  for (const auto& field : fields) {
    if (absl::EqualsIgnoreCase(field.first, name)) return true;
  }
  return false;
}

std::string WarcSha1Digest(absl::string_view bytes) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return "sha1:" + Base32(digest, sizeof(digest));
}

std::string NewWarcRecordId() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof(b)) != 1) {
    // The pool is seeded by the kernel; this does not happen on Linux. Fall back to
    // an id that is still unique in the file.
    static int64_t counter = 0;
    std::memset(b, 0, sizeof(b));
    int64_t n = ++counter;
    std::memcpy(b, &n, sizeof(n));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return absl::StrFormat(
      "<urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x>", b[0], b[1],
      b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

std::string FormatWarcDate(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(unix_ms),
                          absl::UTCTimeZone());
}

bool ParseWarcDate(absl::string_view text, int64_t* unix_ms) {
  absl::Time t;
  std::string error;
  // %E*S takes seconds with any fraction (or none).
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", absl::StripAsciiWhitespace(text),
                       absl::UTCTimeZone(), &t, &error)) {
    return false;
  }
  *unix_ms = absl::ToUnixMillis(t);
  return true;
}

std::string SerializeWarcRecord(const WarcRecord& record) {
  std::string out = record.version + "\r\n";
  for (const auto& [name, value] : record.fields) {
    if (absl::EqualsIgnoreCase(name, "Content-Length")) continue;
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  absl::StrAppend(&out, "Content-Length: ", record.block.size(), "\r\n\r\n", record.block,
                  "\r\n\r\n");
  return out;
}

absl::StatusOr<std::string> GzipMember(absl::string_view data) {
  z_stream z{};
  // 15 + 16: a gzip wrapper (RFC 1952) around the deflate stream.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("deflateInit2 failed");
  }
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return absl::InternalError(absl::StrCat("deflate failed (", rc, ")"));
  return out;
}

// ------------------------------------------------------------------ writer

absl::StatusOr<std::unique_ptr<WarcWriter>> WarcWriter::Open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return std::unique_ptr<WarcWriter>(new WarcWriter(file, path));
}

WarcWriter::~WarcWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

absl::Status WarcWriter::Write(const WarcRecord& record) {
  if (file_ == nullptr) return absl::FailedPreconditionError("WarcWriter closed");
  absl::StatusOr<std::string> member = GzipMember(SerializeWarcRecord(record));
  if (!member.ok()) return member.status();
  if (std::fwrite(member->data(), 1, member->size(), file_) != member->size()) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
  }
  bytes_written_ += static_cast<int64_t>(member->size());
  ++records_written_;
  return absl::OkStatus();
}

absl::Status WarcWriter::Close() {
  if (file_ == nullptr) return absl::OkStatus();
  const bool ok = std::fflush(file_) == 0 && fsync(fileno(file_)) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// ------------------------------------------------------------------ reader

absl::StatusOr<std::unique_ptr<WarcReader>> WarcReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("cannot stat ", path, ": ", std::strerror(errno)));
  }
  std::unique_ptr<WarcReader> reader(new WarcReader());
  if (st.st_size > 0) {
    // Mapped, not read: an archive may be far larger than memory, and is read once
    // front to back.
    void* map = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      ::close(fd);
      return absl::UnavailableError(absl::StrCat("cannot map ", path, ": ", std::strerror(errno)));
    }
    madvise(map, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
    reader->mapping_ = map;
    reader->data_ =
        absl::string_view(static_cast<const char*>(map), static_cast<size_t>(st.st_size));
  }
  ::close(fd);
  reader->gzip_ = reader->data_.size() >= 2 &&
                  static_cast<unsigned char>(reader->data_[0]) == kGzipMagic[0] &&
                  static_cast<unsigned char>(reader->data_[1]) == kGzipMagic[1];
  return reader;
}

std::unique_ptr<WarcReader> WarcReader::FromBytes(absl::string_view data) {
  std::unique_ptr<WarcReader> reader(new WarcReader());
  reader->data_ = data;
  reader->gzip_ = data.size() >= 2 && static_cast<unsigned char>(data[0]) == kGzipMagic[0] &&
                  static_cast<unsigned char>(data[1]) == kGzipMagic[1];
  return reader;
}

WarcReader::~WarcReader() {
  if (mapping_ != nullptr) munmap(mapping_, data_.size());
}

void WarcReader::Problem(std::string reason, int64_t offset, std::string detail) {
  problems_.push_back({std::move(reason), offset, std::move(detail)});
}

bool WarcReader::Next(WarcRecord* record, int64_t* offset) {
  while (queue_next_ >= queue_.size()) {
    queue_.clear();
    queue_next_ = 0;
    if (static_cast<size_t>(pos_) >= data_.size()) return false;
    if (!gzip_) {
      // A plain .warc: one record at a time, straight from the mapping.
      pos_ += static_cast<int64_t>(ParseRecords(data_.substr(pos_), pos_, /*plain=*/true));
      continue;
    }
    FillFromNextMember();
  }
  *record = std::move(queue_[queue_next_].first);
  *offset = queue_[queue_next_].second;
  ++queue_next_;
  return true;
}

// Inflates the member at pos_ and queues its records; moves pos_ past it (or, when it
// is damaged, to the next gzip header after its start).
bool WarcReader::FillFromNextMember() {
  const size_t start = static_cast<size_t>(pos_);
  if (data_.compare(start, 3, absl::string_view(reinterpret_cast<const char*>(kGzipMagic), 3)) !=
      0) {
    const size_t next = FindGzipMagic(data_, start);
    Problem("garbage", pos_, absl::StrCat(next - start, " bytes that are not a gzip member"));
    pos_ = static_cast<int64_t>(next);
    return false;
  }
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) {
    Problem("bad_gzip_member", pos_, "inflateInit2 failed");
    pos_ = static_cast<int64_t>(data_.size());
    return false;
  }
  const absl::string_view rest = data_.substr(start);
  // zlib counts input in uInt: feed a large file in slices.
  size_t fed = 0;
  std::string out;
  char buffer[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (z.avail_in == 0 && fed < rest.size()) {
      const size_t slice = std::min<size_t>(rest.size() - fed, size_t{1} << 30);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rest.data() + fed));
      z.avail_in = static_cast<uInt>(slice);
      fed += slice;
    }
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - z.avail_out);
    if (out.size() > kMaxInflated) {
      rc = Z_MEM_ERROR;
      break;
    }
    if (rc == Z_BUF_ERROR && z.avail_in == 0 && fed >= rest.size()) break;
    if (rc == Z_BUF_ERROR) rc = Z_OK;  // more output room was all it wanted
  }
  const size_t consumed = static_cast<size_t>(z.total_in);
  inflateEnd(&z);
  if (rc == Z_STREAM_END) {
    pos_ = static_cast<int64_t>(start + consumed);
    ParseRecords(out, static_cast<int64_t>(start), /*plain=*/false);
    return true;
  }
  if (rc == Z_BUF_ERROR) {
    Problem("truncated_gzip_member", static_cast<int64_t>(start),
            absl::StrCat("the file ends inside this member (", rest.size(), " bytes of it)"));
    pos_ = static_cast<int64_t>(data_.size());
    return false;
  }
  const size_t next = FindGzipMagic(data_, start + 1);
  Problem("bad_gzip_member", static_cast<int64_t>(start),
          absl::StrCat(rc == Z_MEM_ERROR ? "inflates past 1 GiB" : "does not inflate", " (zlib ",
                       rc, "); skipped ", next - start, " bytes"));
  pos_ = static_cast<int64_t>(next);
  return false;
}

size_t WarcReader::ParseRecords(absl::string_view text, int64_t member_offset, bool plain) {
  size_t o = 0;
  while (o < text.size()) {
    while (o < text.size() && (text[o] == '\r' || text[o] == '\n')) ++o;
    if (o >= text.size()) break;
    const int64_t at = plain ? member_offset + static_cast<int64_t>(o) : member_offset;
    if (!absl::StartsWith(text.substr(o), "WARC/")) {
      const size_t next = NextRecordStart(text, o);
      if (plain) {
        Problem("garbage", at, absl::StrCat(next - o, " bytes that are not a WARC record"));
      } else {
        Problem("bad_record_header", at, "the member does not start with a WARC/ version line");
      }
      o = next;
      continue;
    }
    const size_t header_end = text.find("\r\n\r\n", o);
    if (header_end == absl::string_view::npos) {
      Problem(plain ? "truncated_record" : "bad_record_header", at, "the header never ends");
      return text.size();
    }
    WarcRecord record;
    bool header_ok = true;
    size_t line_start = o;
    bool first = true;
    while (line_start < header_end) {
      size_t line_end = text.find("\r\n", line_start);
      if (line_end == absl::string_view::npos || line_end > header_end) line_end = header_end;
      absl::string_view line = text.substr(line_start, line_end - line_start);
      line_start = line_end + 2;
      if (first) {
        record.version = std::string(line);
        first = false;
        continue;
      }
      if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !record.fields.empty()) {
        absl::StrAppend(&record.fields.back().second, " ", absl::StripAsciiWhitespace(line));
        continue;
      }
      const size_t colon = line.find(':');
      if (colon == absl::string_view::npos) {
        header_ok = false;
        break;
      }
      record.Add(absl::StripAsciiWhitespace(line.substr(0, colon)),
                 absl::StripAsciiWhitespace(line.substr(colon + 1)));
    }
    const size_t block_start = header_end + 4;
    if (!header_ok) {
      Problem("bad_record_header", at, "a field line without a colon");
      o = NextRecordStart(text, block_start);
      continue;
    }
    int64_t length = -1;
    const std::string length_text = record.Field("Content-Length");
    if (!absl::SimpleAtoi(length_text, &length) || length < 0) {
      Problem("bad_content_length", at,
              absl::StrCat("Content-Length '", length_text, "' is not a length"));
      o = NextRecordStart(text, block_start);
      continue;
    }
    const size_t len = static_cast<size_t>(length);
    if (len > text.size() - block_start) {
      Problem(plain ? "truncated_record" : "bad_content_length", at,
              absl::StrCat("Content-Length ", length, " runs past the end of the ",
                           plain ? "file" : "gzip member", " (", text.size() - block_start,
                           " bytes left)"));
      o = NextRecordStart(text, block_start);
      continue;
    }
    // The block ends with CRLF CRLF; the end of the member (or file) stands for a
    // missing final pair only when nothing follows.
    const absl::string_view after = text.substr(block_start + len, 4);
    if (after != "\r\n\r\n" && !absl::StripAsciiWhitespace(after).empty()) {
      Problem("bad_content_length", at,
              absl::StrCat("Content-Length ", length,
                           " does not end the block (no CRLF CRLF after it)"));
      o = NextRecordStart(text, block_start);
      continue;
    }
    record.block = std::string(text.substr(block_start, len));
    queue_.emplace_back(std::move(record), at);
    o = block_start + len + after.size();
    if (plain) return o;
  }
  return text.size();
}

// ------------------------------------------------------------------ HTTP

std::string HttpMessage::Header(absl::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (absl::EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

absl::StatusOr<HttpMessage> ParseHttpMessage(absl::string_view block) {
  size_t head_end = block.find("\r\n\r\n");
  size_t body_start = head_end + 4;
  if (head_end == absl::string_view::npos) {
    // A bare-LF message; or the headers are all the block holds.
    head_end = block.find("\n\n");
    body_start = head_end + 2;
    if (head_end == absl::string_view::npos) {
      head_end = block.size();
      body_start = block.size();
    }
  }
  HttpMessage m;
  absl::string_view head = block.substr(0, head_end);
  bool first = true;
  for (absl::string_view line : absl::StrSplit(head, '\n')) {
    line = absl::StripSuffix(line, "\r");
    if (first) {
      m.start_line = std::string(line);
      first = false;
      continue;
    }
    if (line.empty()) continue;
    if ((line[0] == ' ' || line[0] == '\t') && !m.headers.empty()) {
      absl::StrAppend(&m.headers.back().second, " ", absl::StripAsciiWhitespace(line));
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("HTTP header line without a colon: '", line.substr(0, 60), "'"));
    }
    m.headers.emplace_back(std::string(absl::StripAsciiWhitespace(line.substr(0, colon))),
                           std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  if (absl::StartsWith(m.start_line, "HTTP/")) {
    const size_t space = m.start_line.find(' ');
    if (space == std::string::npos ||
        !absl::SimpleAtoi(absl::string_view(m.start_line).substr(space + 1, 3), &m.status) ||
        m.status < 100 || m.status > 999) {
      return absl::InvalidArgumentError(
          absl::StrCat("not an HTTP status line: '", m.start_line.substr(0, 60), "'"));
    }
  } else if (!absl::StrContains(m.start_line, " HTTP/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an HTTP message: '", m.start_line.substr(0, 60), "'"));
  }
  absl::string_view body = block.substr(std::min(body_start, block.size()));

  if (absl::StrContains(absl::AsciiStrToLower(m.Header("Transfer-Encoding")), "chunked")) {
    // HTTP/1.1 chunked framing (RFC 9112 section 7.1), undone by hand as a client's
    // HTTP stack would: hex size line (extensions ignored), data, CRLF; a zero size ends.
    std::string plain;
    size_t p = 0;
    while (true) {
      const size_t eol = body.find("\r\n", p);
      if (eol == absl::string_view::npos) return absl::DataLossError("chunked body cut short");
      absl::string_view size_text = body.substr(p, eol - p);
      size_text = size_text.substr(0, size_text.find(';'));
      uint64_t size = 0;
      if (!absl::SimpleHexAtoi(absl::StripAsciiWhitespace(size_text), &size)) {
        return absl::DataLossError("chunked body: bad chunk size");
      }
      p = eol + 2;
      if (size == 0) break;
      if (size > body.size() - p) return absl::DataLossError("chunked body cut short");
      plain.append(body.data() + p, size);
      p += size + 2;
      if (p > body.size()) return absl::DataLossError("chunked body cut short");
    }
    m.body = std::move(plain);
  } else {
    int64_t length = -1;
    if (absl::SimpleAtoi(m.Header("Content-Length"), &length) && length >= 0) {
      m.declared_length = length;
      if (static_cast<size_t>(length) < body.size()) body = body.substr(0, length);
      m.cut_short = static_cast<size_t>(length) > body.size();
    }
    m.body = std::string(body);
  }

  const std::string coding = absl::AsciiStrToLower(m.Header("Content-Encoding"));
  if (!m.body.empty() && (coding == "gzip" || coding == "x-gzip" || coding == "deflate")) {
    absl::StatusOr<std::string> plain = InflateAll(m.body, /*raw=*/false);
    // "deflate" is meant to be zlib-wrapped, but some servers send it raw.
    if (!plain.ok() && coding == "deflate") plain = InflateAll(m.body, /*raw=*/true);
    if (!plain.ok()) return plain.status();
    m.body = std::move(*plain);
  }
  return m;
}

}  // namespace census
