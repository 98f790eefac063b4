#include "coordinator/site_list.h"

#include <iconv.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/category.h"

namespace census {
namespace {

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += len;
  }
  return true;
}

// Converts with iconv; false when `from` does not decode the whole input.
bool Transcode(absl::string_view in, const char* from, std::string* out) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  std::string result(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char* dst = result.data();
  size_t dst_left = result.size();
  bool ok = iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<size_t>(-1);
  iconv_close(cd);
  if (!ok || src_left != 0) return false;
  result.resize(result.size() - dst_left);
  *out = std::move(result);
  return true;
}

// Inputs are UTF-8 by contract, but a sites.csv saved by Excel on a Chinese Windows is
// GBK: such a file is read as GB18030 (GBK's superset). Anything else that is not
// UTF-8 has its bad bytes replaced with U+FFFD, so every stored record and error text
// stays valid UTF-8 (protobuf strings must be).
std::string ToUtf8(absl::string_view text) {
  if (IsValidUtf8(text)) return std::string(text);
  std::string out;
  if (Transcode(text, "GB18030", &out) && IsValidUtf8(out)) return out;
  out.clear();
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 1;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (len > 1 && i + len <= text.size() && IsValidUtf8(text.substr(i, len))) {
      out.append(text.data() + i, len);
      i += len;
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

report::InputError MakeError(const std::string& file, int line, std::string reason) {
  report::InputError e;
  e.set_file(file);
  e.set_line(line);
  e.set_reason(std::move(reason));
  return e;
}

// Maps header names to column indexes; InvalidArgument when a required one is missing.
absl::StatusOr<absl::flat_hash_map<std::string, int>> HeaderIndex(
    const std::vector<std::string>& header, const std::vector<std::string>& required,
    const std::string& file) {
  absl::flat_hash_map<std::string, int> index;
  for (size_t i = 0; i < header.size(); ++i) {
    index[absl::AsciiStrToLower(absl::StripAsciiWhitespace(header[i]))] = static_cast<int>(i);
  }
  for (const auto& name : required) {
    if (!index.contains(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ":1: header lacks required column '", name, "' (expected ",
          absl::StrJoin(required, ","), ")"));
    }
  }
  return index;
}

std::string Field(const std::vector<std::string>& row,
                  const absl::flat_hash_map<std::string, int>& index, const std::string& name) {
  auto it = index.find(name);
  if (it == index.end() || it->second >= static_cast<int>(row.size())) return "";
  return std::string(absl::StripAsciiWhitespace(row[it->second]));
}

bool IsBlankRow(const std::vector<std::string>& row) {
  for (const auto& f : row) {
    if (!absl::StripAsciiWhitespace(f).empty()) return false;
  }
  return true;
}

}  // namespace

std::vector<std::vector<std::string>> ParseCsv(absl::string_view text,
                                               std::vector<int>* line_numbers) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  int line = 1;
  int row_line = 1;
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    rows.push_back(std::move(row));
    row.clear();
    if (line_numbers != nullptr) line_numbers->push_back(row_line);
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        if (field.empty()) {
          quoted = true;
        } else {
          field.push_back(c);  // a stray quote inside a field is kept as text
        }
        field_started = true;
        break;
      case ',':
        row.push_back(std::move(field));
        field.clear();
        field_started = true;
        break;
      case '\r':
        break;
      case '\n':
        end_row();
        ++line;
        row_line = line;
        break;
      default:
        field.push_back(c);
        field_started = true;
    }
  }
  if (field_started || !row.empty() || !field.empty()) end_row();
  return rows;
}

bool IsValidHttpUrl(absl::string_view url, std::string* reason) {
  absl::string_view rest;
  std::string lower = absl::AsciiStrToLower(url);
  if (absl::StartsWith(lower, "http://")) {
    rest = url.substr(7);
  } else if (absl::StartsWith(lower, "https://")) {
    rest = url.substr(8);
  } else {
    *reason = absl::StrCat("url '", url, "' is not http(s)");
    return false;
  }
  size_t end = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, end);
  if (authority.empty()) {
    *reason = absl::StrCat("url '", url, "' has no host");
    return false;
  }
  for (char ch : authority) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == '\\' || ch == '"' || ch == '<' ||
        ch == '>') {
      *reason = absl::StrCat("url '", url, "' has an invalid character in its host");
      return false;
    }
  }
  size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos && authority.find(']') == absl::string_view::npos) {
    absl::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char p) { return p >= '0' && p <= '9'; })) {
      *reason = absl::StrCat("url '", url, "' has an invalid port");
      return false;
    }
  }
  return true;
}

absl::StatusOr<SiteList> ParseSitesCsv(absl::string_view raw, const std::string& file) {
  const std::string text = ToUtf8(raw);
  std::vector<int> lines;
  auto rows = ParseCsv(text, &lines);
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(file, ": empty file"));
  auto index = HeaderIndex(rows[0], {"site_id", "name", "url"}, file);
  if (!index.ok()) return index.status();
  SiteList out;
  absl::flat_hash_set<std::string> seen;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (IsBlankRow(row)) continue;
    int line = lines[r];
    if (row.size() < rows[0].size()) {
      out.errors.push_back(MakeError(file, line, absl::StrCat("row has ", row.size(),
                                                              " fields, header has ",
                                                              rows[0].size())));
      continue;
    }
    Site site;
    site.set_site_id(Field(row, *index, "site_id"));
    site.set_name(Field(row, *index, "name"));
    site.set_url(Field(row, *index, "url"));
    site.set_org(Field(row, *index, "org"));
    site.set_region(Field(row, *index, "region"));
    site.set_level(Field(row, *index, "level"));
    site.set_kind(Field(row, *index, "kind"));
    std::string reason;
    if (site.site_id().empty()) {
      reason = "missing site_id";
    } else if (site.name().empty()) {
      reason = "missing name";
    } else if (site.url().empty()) {
      reason = "missing url";
    } else if (!IsValidHttpUrl(site.url(), &reason)) {
    } else if (seen.contains(site.site_id())) {
      reason = absl::StrCat("duplicate site_id ", site.site_id());
    }
    if (!reason.empty()) {
      out.errors.push_back(MakeError(file, line, reason));
      continue;
    }
    seen.insert(site.site_id());
    out.sites.push_back(std::move(site));
  }
  return out;
}

absl::StatusOr<SiteList> ReadSitesCsv(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseSitesCsv(*text, path);
}

absl::StatusOr<ColumnList> ParseColumnsCsv(absl::string_view raw, const std::string& file,
                                           const SiteList& known_sites) {
  const std::string text = ToUtf8(raw);
  std::vector<int> lines;
  auto rows = ParseCsv(text, &lines);
  if (rows.empty()) return absl::InvalidArgumentError(absl::StrCat(file, ": empty file"));
  auto index = HeaderIndex(rows[0], {"site_id", "name", "url", "category"}, file);
  if (!index.ok()) return index.status();
  absl::flat_hash_set<std::string> known;
  for (const auto& s : known_sites.sites) known.insert(s.site_id());
  ColumnList out;
  absl::flat_hash_set<std::string> seen_urls;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (IsBlankRow(row)) continue;
    int line = lines[r];
    Column col;
    col.set_site_id(Field(row, *index, "site_id"));
    col.set_name(Field(row, *index, "name"));
    col.set_url(Field(row, *index, "url"));
    col.set_xpath(Field(row, *index, "xpath"));
    col.set_declared(true);
    std::string category = Field(row, *index, "category");
    std::string reason;
    std::optional<Category> parsed = ParseCategoryName(category);
    if (row.size() < 4) {
      reason = absl::StrCat("row has ", row.size(), " fields, expected at least 4");
    } else if (col.site_id().empty()) {
      reason = "missing site_id";
    } else if (!known.contains(col.site_id())) {
      reason = absl::StrCat("site_id ", col.site_id(), " is not in the sites file");
    } else if (col.name().empty()) {
      reason = "missing name";
    } else if (!IsValidHttpUrl(col.url(), &reason)) {
    } else if (!parsed.has_value()) {
      reason = absl::StrCat("unknown category '", category,
                            "' (news, notice, policy, personnel, plan, interaction, service, "
                            "topic, other)");
    } else if (!seen_urls.insert(absl::StrCat(col.site_id(), " ", col.url())).second) {
      reason = absl::StrCat("duplicate column url ", col.url());
    }
    if (!reason.empty()) {
      out.errors.push_back(MakeError(file, line, reason));
      continue;
    }
    col.set_category(*parsed);
    out.by_site[col.site_id()].push_back(std::move(col));
  }
  return out;
}

absl::StatusOr<ColumnList> ReadColumnsCsv(const std::string& path, const SiteList& known_sites) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseColumnsCsv(*text, path, known_sites);
}

}  // namespace census
