#include "worker/charset.h"

#include <iconv.h>
#include <uchardet/uchardet.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace census {
namespace {

constexpr size_t kMetaScanBytes = 4096;
constexpr size_t kDetectBytes = 64 * 1024;
constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Canonical lower-case name for a charset label; "" when the label is empty.
std::string Canonical(absl::string_view label) {
  std::string l = absl::AsciiStrToLower(absl::StripAsciiWhitespace(label));
  while (!l.empty() && (l.front() == '"' || l.front() == '\'')) l.erase(0, 1);
  while (!l.empty() && (l.back() == '"' || l.back() == '\'')) l.pop_back();
  if (l.empty()) return "";
  if (l == "gbk" || l == "gb2312" || l == "gb_2312-80" || l == "gb_2312" || l == "x-gbk" ||
      l == "cp936" || l == "ms936" || l == "windows-936" || l == "gb18030" || l == "csgb2312" ||
      l == "euc-cn" || l == "x-euc-cn" || l == "chinese" || l == "iso-ir-58" ||
      l == "csiso58gb231280" || l == "gb2312-80" || l == "gb-2312" || l == "gb_18030") {
    return "gb18030";
  }
  if (l == "utf8" || l == "utf-8" || l == "unicode-1-1-utf-8" || l == "x-unicode20utf8" ||
      l == "unicode11utf8" || l == "unicode20utf8") {
    return "utf-8";
  }
  if (l == "big5" || l == "big5-hkscs" || l == "cn-big5" || l == "x-x-big5" || l == "csbig5") {
    return "big5";
  }
  if (l == "iso-8859-1" || l == "iso8859-1" || l == "iso_8859-1" || l == "latin1" || l == "l1" ||
      l == "us-ascii" || l == "ascii" || l == "windows-1252" || l == "cp1252" || l == "x-cp1252" ||
      l == "cp819" || l == "ibm819" || l == "iso-ir-100") {
    return "windows-1252";
  }
  if (l == "utf-16" || l == "utf-16le" || l == "unicode" || l == "ucs-2") return "utf-16le";
  if (l == "utf-16be" || l == "unicodefffe") return "utf-16be";
  if (l == "shift_jis" || l == "shift-jis" || l == "sjis" || l == "x-sjis" || l == "ms_kanji" ||
      l == "windows-31j" || l == "cp932") {
    return "shift_jis";
  }
  if (l == "euc-kr" || l == "ks_c_5601-1987" || l == "windows-949" || l == "cp949") {
    return "euc-kr";
  }
  return l;
}

// The iconv name for a canonical charset.
std::string IconvName(const std::string& canonical) {
  if (canonical == "big5") return "BIG5-HKSCS";
  if (canonical == "gb18030") return "GB18030";
  if (canonical == "windows-1252") return "CP1252";
  if (canonical == "shift_jis") return "CP932";
  if (canonical == "euc-kr") return "CP949";
  return absl::AsciiStrToUpper(canonical);
}

bool Supported(const std::string& canonical) {
  if (canonical.empty()) return false;
  if (canonical == "utf-8") return true;
  iconv_t cd = iconv_open("UTF-8", IconvName(canonical).c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  iconv_close(cd);
  return true;
}

// Reads the value after "charset" (and '=') starting at `pos` of `s`; "" when none.
std::string CharsetValueAt(absl::string_view s, size_t pos) {
  pos += 7;  // "charset"
  while (pos < s.size() && absl::ascii_isspace(static_cast<unsigned char>(s[pos]))) ++pos;
  if (pos >= s.size() || s[pos] != '=') return "";
  ++pos;
  while (pos < s.size() && (absl::ascii_isspace(static_cast<unsigned char>(s[pos])) ||
                            s[pos] == '"' || s[pos] == '\'')) {
    ++pos;
  }
  size_t end = pos;
  while (end < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[end]);
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':') {
      ++end;
    } else {
      break;
    }
  }
  return std::string(s.substr(pos, end - pos));
}

std::string HeaderCharset(absl::string_view content_type) {
  std::string lower = absl::AsciiStrToLower(content_type);
  size_t pos = 0;
  while ((pos = lower.find("charset", pos)) != std::string::npos) {
    std::string v = CharsetValueAt(lower, pos);
    if (!v.empty()) return v;
    pos += 7;
  }
  return "";
}

std::string MetaCharset(absl::string_view bytes) {
  std::string head = absl::AsciiStrToLower(bytes.substr(0, kMetaScanBytes));
  size_t pos = 0;
  while ((pos = head.find("<meta", pos)) != std::string::npos) {
    size_t end = head.find('>', pos);
    if (end == std::string::npos) end = head.size();
    absl::string_view tag = absl::string_view(head).substr(pos, end - pos);
    size_t c = 0;
    while ((c = tag.find("charset", c)) != absl::string_view::npos) {
      std::string v = CharsetValueAt(tag, c);
      if (!v.empty()) return v;
      c += 7;
    }
    pos = end;
  }
  return "";
}

std::string DetectorCharset(absl::string_view bytes) {
  if (bytes.empty()) return "";
  uchardet_t ud = uchardet_new();
  if (ud == nullptr) return "";
  absl::string_view sample = bytes.substr(0, kDetectBytes);
  std::string out;
  if (uchardet_handle_data(ud, sample.data(), sample.size()) == 0) {
    uchardet_data_end(ud);
    const char* cs = uchardet_get_charset(ud);
    if (cs != nullptr) out = cs;
  }
  uchardet_delete(ud);
  if (absl::EqualsIgnoreCase(out, "ascii")) return "utf-8";  // ASCII is UTF-8
  return out;
}

// Length of the valid UTF-8 sequence at s[i], 0 when invalid.
size_t ValidUtf8At(absl::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  }
  return n;
}

std::string SanitizeUtf8(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  size_t run = 0;  // start of the pending run of valid bytes (copied at once)
  while (i < s.size()) {
    // ASCII runs (most of any page's markup) eight bytes at a time.
    while (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if ((w & 0x8080808080808080ull) != 0) break;
      i += 8;
    }
    if (i >= s.size()) break;
    size_t n = ValidUtf8At(s, i);
    if (n == 0) {
      out.append(s.data() + run, i - run);
      out.append(kReplacement);
      ++i;
      run = i;
    } else {
      i += n;
    }
  }
  out.append(s.data() + run, i - run);
  return out;
}

// Transcodes with iconv; false when the converter cannot be opened.
bool IconvToUtf8(absl::string_view in, const std::string& canonical, std::string* out) {
  iconv_t cd = iconv_open("UTF-8", IconvName(canonical).c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  out->clear();
  out->reserve(in.size() * 3 / 2 + 16);
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char buf[16384];
  while (src_left > 0) {
    char* dst = buf;
    size_t dst_left = sizeof(buf);
    size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
    out->append(buf, static_cast<size_t>(dst - buf));
    if (rc != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    if (errno == EILSEQ) {
      out->append(kReplacement);
      ++src;
      --src_left;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
      continue;
    }
    // EINVAL: an incomplete sequence at the end of the input.
    out->append(kReplacement);
    break;
  }
  // Flush any shift state.
  char* dst = buf;
  size_t dst_left = sizeof(buf);
  iconv(cd, nullptr, nullptr, &dst, &dst_left);
  out->append(buf, static_cast<size_t>(dst - buf));
  iconv_close(cd);
  return true;
}

}  // namespace

DecodedText DecodeToUtf8(absl::string_view bytes, absl::string_view content_type_header) {
  DecodedText d;
  // The BOM, if any, tells both the encoding and how many bytes to skip.
  std::string bom_charset;
  size_t bom_len = 0;
  if (absl::StartsWith(bytes, "\xEF\xBB\xBF")) {
    bom_charset = "utf-8";
    bom_len = 3;
  } else if (absl::StartsWith(bytes, "\xFF\xFE")) {
    bom_charset = "utf-16le";
    bom_len = 2;
  } else if (absl::StartsWith(bytes, "\xFE\xFF")) {
    bom_charset = "utf-16be";
    bom_len = 2;
  }

  std::string cs = Canonical(HeaderCharset(content_type_header));
  if (Supported(cs)) {
    d.source = "header";
  } else if (!bom_charset.empty()) {
    cs = bom_charset;
    d.source = "bom";
  } else {
    cs = Canonical(MetaCharset(bytes));
    // A page that could be read to find its meta is ASCII-compatible, not UTF-16.
    if (cs == "utf-16le" || cs == "utf-16be") cs = "utf-8";
    if (Supported(cs)) {
      d.source = "meta";
    } else {
      cs = Canonical(DetectorCharset(bytes));
      if (Supported(cs)) {
        d.source = "detector";
      } else {
        cs = "utf-8";
        d.source = "default";
      }
    }
  }
  d.charset = cs;

  // Skip a BOM that agrees with the chosen charset.
  absl::string_view body = bytes;
  if (bom_len > 0 && bom_charset == cs) body.remove_prefix(bom_len);

  if (cs == "utf-8") {
    d.utf8 = SanitizeUtf8(body);
  } else if (!IconvToUtf8(body, cs, &d.utf8)) {
    d.charset = "utf-8";
    d.utf8 = SanitizeUtf8(body);
  } else {
    // iconv's UTF-8 is not always valid: glibc writes UCS-4 / UTF-32 values above
    // U+10FFFF as 5- and 6-byte sequences (found by fuzz_charset). Checked like any input.
    d.utf8 = SanitizeUtf8(d.utf8);
  }
  // A BOM that survived (e.g. UTF-8 BOM under a header that said utf-8 via iconv) is dropped.
  if (absl::StartsWith(d.utf8, "\xEF\xBB\xBF")) d.utf8.erase(0, 3);
  return d;
}

}  // namespace census
