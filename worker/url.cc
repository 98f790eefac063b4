// RFC 3986 section 5 reference resolution, written by hand rather than with
// libxml2's xmlBuildURI: xmlBuildURI rejects (returns NULL for) the references
// real pages are full of — raw spaces, non-ASCII paths, '|' or '{' in queries —
// and it percent-escapes while resolving, which changes URLs we must report as
// written.

#include <cstring>
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
    size_t end = 0;
    while (end < s.size() && s[end] != '/' && s[end] != '?') ++end;
    if (end == s.size()) end = absl::string_view::npos;
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
// Returns `in` itself when it has no "." or ".." segment, else the result
// written into `storage`.
absl::string_view RemoveDotSegments(absl::string_view in, std::string* storage) {
  if (!absl::StartsWith(in, ".") && in.find("/.") == absl::string_view::npos) return in;
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
  std::string& r = *storage;
  r.clear();
  if (absolute) r += '/';
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
// memchr per byte value: a vectorised scan beats a loop over three values.
bool Holds(absl::string_view s, char c) {
  return !s.empty() && std::memchr(s.data(), c, s.size()) != nullptr;
}

bool HasTabOrNewline(absl::string_view s) {
  return Holds(s, '\t') || Holds(s, '\n') || Holds(s, '\r');
}

// Returns a view into `s`, or into `storage` when characters were dropped.
absl::string_view Clean(absl::string_view s, std::string* storage) {
  if (!HasTabOrNewline(s)) return absl::StripAsciiWhitespace(s);
  std::string& r = *storage;
  r.clear();
  r.reserve(s.size());
  for (char c : s) {
    if (c != '\t' && c != '\n' && c != '\r') r += c;
  }
  return absl::StripAsciiWhitespace(r);
}

// Appends `s` with spaces escaped and backslashes turned into slashes.
void AppendEscaped(absl::string_view s, std::string* out) {
  if (!Holds(s, ' ') && !Holds(s, '\\')) {
    out->append(s.data(), s.size());
    return;
  }
  for (char c : s) {
    if (c == ' ') {
      *out += "%20";
    } else if (c == '\\') {
      *out += '/';
    } else {
      *out += c;
    }
  }
}

// The base cleaned, without its fragment, and split. A page resolves all its
// hrefs against one base, so the last one is kept (per thread; `parts` views
// into `cleaned`).
const Parts& SplitBase(absl::string_view base_in) {
  thread_local struct {
    bool set = false;
    std::string raw;
    std::string cleaned;
    Parts parts;
  } last;
  if (!last.set || last.raw != base_in) {
    last.set = true;
    last.raw = std::string(base_in);
    std::string storage;
    last.cleaned = std::string(Clean(base_in, &storage));
    const size_t bh = last.cleaned.find('#');
    if (bh != std::string::npos) last.cleaned.resize(bh);
    last.parts = Split(last.cleaned);
  }
  return last.parts;
}

}  // namespace

std::string ResolveUrl(absl::string_view base_in, absl::string_view href_in) {
  std::string href_storage;
  absl::string_view href = Clean(href_in, &href_storage);
  href = href.substr(0, href.find('#'));
  const Parts ref = Split(href);
  // Scheme and authority first: most references that resolve to nothing
  // (javascript:, mailto:) are known by their scheme.
  const Parts* base = nullptr;
  absl::string_view scheme = ref.scheme;
  absl::string_view authority = ref.authority;
  bool has_authority = ref.has_authority;
  if (ref.scheme.empty()) {
    base = &SplitBase(base_in);
    if (base->scheme.empty() || !base->has_authority) return "";
    scheme = base->scheme;
    has_authority = true;
    if (!ref.has_authority) authority = base->authority;
  }
  if ((scheme != "http" && scheme != "https") || !has_authority || authority.empty()) {
    return "";
  }
  std::string storage;  // dot-segment removal's result
  std::string merged;   // Merge's result
  absl::string_view path;
  bool has_query = ref.has_query;
  absl::string_view query = ref.query;
  if (base == nullptr || ref.has_authority) {
    path = RemoveDotSegments(ref.path, &storage);
  } else if (ref.path.empty()) {
    path = base->path;
    has_query = ref.has_query || base->has_query;
    query = ref.has_query ? ref.query : base->query;
  } else if (absl::StartsWith(ref.path, "/")) {
    path = RemoveDotSegments(ref.path, &storage);
  } else {
    merged = Merge(*base, ref.path);
    path = RemoveDotSegments(merged, &storage);
  }
  if (path.empty()) path = "/";
  std::string out;
  out.reserve(scheme.size() + 3 + authority.size() + path.size() + 1 + query.size() + 8);
  out.append(scheme.data(), scheme.size());
  out += "://";
  // Host names are case-insensitive; keep userinfo/port as written.
  for (char c : authority) out += absl::ascii_tolower(c);
  AppendEscaped(path, &out);
  if (has_query) {
    out += '?';
    AppendEscaped(query, &out);
  }
  return out;
}

}  // namespace census
