// RFC 3986 section 5 reference resolution, written by hand rather than with
// libxml2's xmlBuildURI: xmlBuildURI rejects (returns NULL for) the references
// real pages are full of — raw spaces, non-ASCII paths, '|' or '{' in queries —
// and it percent-escapes while resolving, which changes URLs we must report as
// written.

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "worker/extract.h"

namespace census {
namespace {

// Views into the cleaned reference or base, which outlive them.
struct Parts {
  std::string scheme;  // lower-case, "" when relative
  bool has_authority = false;
  absl::string_view authority;
  absl::string_view path;
  bool has_query = false;
  absl::string_view query;
};

Parts Split(absl::string_view s) {
  Parts p;
  // Scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
  size_t i = 0;
  if (!s.empty() && absl::ascii_isalpha(s[0])) {
    i = 1;
    while (i < s.size() &&
           (absl::ascii_isalnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) {
      ++i;
    }
    if (i < s.size() && s[i] == ':') {
      p.scheme = absl::AsciiStrToLower(s.substr(0, i));
      s.remove_prefix(i + 1);
    }
  }
  if (absl::StartsWith(s, "//")) {
    s.remove_prefix(2);
    const size_t end = s.find_first_of("/?");
    p.has_authority = true;
    p.authority = s.substr(0, end);
    s = end == absl::string_view::npos ? absl::string_view() : s.substr(end);
  }
  const size_t q = s.find('?');
  if (q != absl::string_view::npos) {
    p.has_query = true;
    p.query = s.substr(q + 1);
    s = s.substr(0, q);
  }
  p.path = s;
  return p;
}

// RFC 3986 5.2.4.
std::string RemoveDotSegments(absl::string_view in) {
  // Without a "." or ".." segment the path comes back as it is.
  if (!absl::StartsWith(in, ".") && in.find("/.") == absl::string_view::npos) {
    return std::string(in);
  }
  std::vector<absl::string_view> out;
  const bool absolute = absl::StartsWith(in, "/");
  size_t pos = absolute ? 1 : 0;
  bool trailing_slash = false;
  while (pos <= in.size()) {
    size_t end = in.find('/', pos);
    if (end == absl::string_view::npos) end = in.size();
    absl::string_view seg = in.substr(pos, end - pos);
    const bool last = end == in.size();
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = last;
    } else {
      out.push_back(seg);
      trailing_slash = false;
    }
    pos = end + 1;
  }
  std::string r = absolute ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) r += '/';
    absl::StrAppend(&r, out[i]);
  }
  if (trailing_slash && !out.empty()) r += '/';
  return r;
}

std::string Merge(const Parts& base, absl::string_view ref_path) {
  if (base.has_authority && base.path.empty()) {
    return absl::StrCat("/", ref_path);
  }
  const size_t slash = base.path.rfind('/');
  if (slash == std::string::npos) return std::string(ref_path);
  return absl::StrCat(base.path.substr(0, slash + 1), ref_path);
}

// Browsers drop tabs and newlines anywhere and trim surrounding spaces.
std::string Clean(absl::string_view s) {
  if (s.find_first_of("\t\n\r") == absl::string_view::npos) {
    return std::string(absl::StripAsciiWhitespace(s));
  }
  std::string r;
  r.reserve(s.size());
  for (char c : s) {
    if (c != '\t' && c != '\n' && c != '\r') r += c;
  }
  return std::string(absl::StripAsciiWhitespace(r));
}

std::string Escape(absl::string_view s) {
  if (s.find_first_of(" \\") == absl::string_view::npos) return std::string(s);
  std::string r;
  r.reserve(s.size() + 8);
  for (char c : s) {
    if (c == ' ') {
      r += "%20";
    } else if (c == '\\') {
      r += '/';
    } else {
      r += c;
    }
  }
  return r;
}

}  // namespace

std::string ResolveUrl(absl::string_view base_in, absl::string_view href_in) {
  std::string href = Clean(href_in);
  const size_t hash = href.find('#');
  if (hash != std::string::npos) href.resize(hash);
  const Parts ref = Split(href);
  Parts target;
  std::string path;  // target.path's storage
  std::string base_s;
  if (!ref.scheme.empty()) {
    target = ref;
    path = RemoveDotSegments(ref.path);
  } else {
    base_s = Clean(base_in);
    const size_t bh = base_s.find('#');
    if (bh != std::string::npos) base_s.resize(bh);
    const Parts base = Split(base_s);
    if (base.scheme.empty() || !base.has_authority) return "";
    target.scheme = base.scheme;
    target.has_authority = true;
    if (ref.has_authority) {
      target.authority = ref.authority;
      path = RemoveDotSegments(ref.path);
      target.has_query = ref.has_query;
      target.query = ref.query;
    } else {
      target.authority = base.authority;
      if (ref.path.empty()) {
        path = std::string(base.path);
        target.has_query = ref.has_query || base.has_query;
        target.query = ref.has_query ? ref.query : base.query;
      } else {
        path =
            RemoveDotSegments(absl::StartsWith(ref.path, "/") ? ref.path : Merge(base, ref.path));
        target.has_query = ref.has_query;
        target.query = ref.query;
      }
    }
  }
  if ((target.scheme != "http" && target.scheme != "https") || !target.has_authority ||
      target.authority.empty()) {
    return "";
  }
  // Host names are case-insensitive; keep userinfo/port as written.
  const std::string authority = absl::AsciiStrToLower(target.authority);
  if (path.empty()) path.push_back('/');
  std::string out = absl::StrCat(target.scheme, "://", authority, Escape(path));
  if (target.has_query) absl::StrAppend(&out, "?", Escape(target.query));
  return out;
}

}  // namespace census
