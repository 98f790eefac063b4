// Accuracy of ExtractPage on the real government pages in
// ../shared/fixtures/real (see its README.md for the annotation format).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "worker/extract.h"

namespace census {
namespace {

// ---------------------------------------------------------------- tiny JSON

struct Json {
  enum Type { kNull, kBool, kNumber, kString, kArray, kObject } type = kNull;
  bool b = false;
  double n = 0;
  std::string s;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;

  const Json& operator[](absl::string_view key) const {
    static const Json kNullJson;
    for (const auto& [k, v] : obj) {
      if (k == key) return v;
    }
    return kNullJson;
  }
  std::string str() const { return type == kString ? s : ""; }
};

class JsonReader {
 public:
  explicit JsonReader(absl::string_view text) : t_(text) {}
  bool Read(Json* out) {
    const bool ok = Value(out);
    Ws();
    return ok && p_ == t_.size();
  }

 private:
  void Ws() {
    while (p_ < t_.size() &&
           (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\r' || t_[p_] == '\t')) {
      ++p_;
    }
  }
  bool Lit(absl::string_view l) {
    if (t_.substr(p_, l.size()) != l) return false;
    p_ += l.size();
    return true;
  }
  void Utf8(unsigned cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool Hex4(unsigned* v) {
    if (p_ + 4 > t_.size()) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = t_[p_++];
      *v <<= 4;
      if (c >= '0' && c <= '9')
        *v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        *v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        *v |= c - 'A' + 10;
      else
        return false;
    }
    return true;
  }
  bool String(std::string* out) {
    if (!Lit("\"")) return false;
    while (p_ < t_.size() && t_[p_] != '"') {
      char c = t_[p_++];
      if (c != '\\') {
        *out += c;
        continue;
      }
      if (p_ >= t_.size()) return false;
      c = t_[p_++];
      switch (c) {
        case 'n':
          *out += '\n';
          break;
        case 't':
          *out += '\t';
          break;
        case 'r':
          *out += '\r';
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'u': {
          unsigned cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && Lit("\\u")) {
            unsigned lo;
            if (!Hex4(&lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          Utf8(cp, out);
          break;
        }
        default:
          *out += c;
      }
    }
    return Lit("\"");
  }
  bool Value(Json* v) {
    Ws();
    if (p_ >= t_.size()) return false;
    const char c = t_[p_];
    if (c == '{') {
      ++p_;
      v->type = Json::kObject;
      Ws();
      if (Lit("}")) return true;
      for (;;) {
        Ws();
        std::string key;
        if (!String(&key)) return false;
        Ws();
        if (!Lit(":")) return false;
        Json child;
        if (!Value(&child)) return false;
        v->obj.emplace_back(std::move(key), std::move(child));
        Ws();
        if (Lit("}")) return true;
        if (!Lit(",")) return false;
      }
    }
    if (c == '[') {
      ++p_;
      v->type = Json::kArray;
      Ws();
      if (Lit("]")) return true;
      for (;;) {
        Json child;
        if (!Value(&child)) return false;
        v->arr.push_back(std::move(child));
        Ws();
        if (Lit("]")) return true;
        if (!Lit(",")) return false;
      }
    }
    if (c == '"') {
      v->type = Json::kString;
      return String(&v->s);
    }
    if (Lit("true")) {
      v->type = Json::kBool;
      v->b = true;
      return true;
    }
    if (Lit("false")) {
      v->type = Json::kBool;
      return true;
    }
    if (Lit("null")) return true;
    const size_t start = p_;
    while (p_ < t_.size() && absl::StrContains("+-0123456789.eE", t_[p_])) ++p_;
    if (p_ == start) return false;
    v->type = Json::kNumber;
    v->n = std::stod(std::string(t_.substr(start, p_ - start)));
    return true;
  }

  absl::string_view t_;
  size_t p_ = 0;
};

TEST(JsonReaderTest, Basics) {
  Json j;
  ASSERT_TRUE(JsonReader(R"({"a":[1,"x\u00e9\n",null,true],"b":{"c":"d"}})").Read(&j));
  EXPECT_EQ(j["a"].arr.size(), 4u);
  EXPECT_EQ(j["a"].arr[0].n, 1);
  EXPECT_EQ(j["a"].arr[1].s, "x\xC3\xA9\n");
  EXPECT_EQ(j["a"].arr[2].type, Json::kNull);
  EXPECT_TRUE(j["a"].arr[3].b);
  EXPECT_EQ(j["b"]["c"].str(), "d");
  EXPECT_FALSE(JsonReader("{\"a\":}").Read(&j));
}

// ---------------------------------------------------------------- fixtures

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Whitespace collapsed, zero-width characters removed.
std::string Norm(absl::string_view s) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 3) == "\xE2\x80\x8B" || s.substr(i, 3) == "\xEF\xBB\xBF") {
      i += 2;
      continue;
    }
    if (s.substr(i, 3) == "\xE3\x80\x80") {
      i += 2;
      space = true;
      continue;
    }
    if (s.substr(i, 2) == "\xC2\xA0") {
      i += 1;
      space = true;
      continue;
    }
    const char c = s[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool TruncatedMatch(absl::string_view shorter, absl::string_view full) {
  if (!absl::ConsumeSuffix(&shorter, "...") && !absl::ConsumeSuffix(&shorter, "…")) {
    return false;
  }
  shorter = absl::StripTrailingAsciiWhitespace(shorter);
  return !shorter.empty() && absl::StartsWith(full, shorter);
}

bool TitleMatches(const std::string& got, const Json& truth) {
  const std::string g = Norm(got);
  for (const char* key : {"title", "title_attr"}) {
    const std::string t = Norm(truth[key].str());
    if (t.empty()) continue;
    if (g == t || TruncatedMatch(t, g) || TruncatedMatch(g, t)) return true;
  }
  return false;
}

struct PageResult {
  std::string file, kind, expected_kind, latest, expected_latest;
  int annotated = 0, found = 0, extracted = 0;
  bool latest_ok = false;
};

TEST(ExtractFixturesTest, Accuracy) {
  const std::filesystem::path dir =
      std::filesystem::path(CENSUS_SOURCE_DIR) / ".." / "shared" / "fixtures" / "real";
  std::vector<std::filesystem::path> pages;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".html") pages.push_back(e.path());
  }
  std::sort(pages.begin(), pages.end());
  ASSERT_EQ(pages.size(), 20u) << dir;

  std::vector<PageResult> results;
  int annotated = 0, found = 0, pages_ok = 0, kinds_ok = 0, extracted = 0;
  for (const auto& path : pages) {
    Json truth;
    ASSERT_TRUE(JsonReader(ReadFile(path.string() + ".truth.json")).Read(&truth)) << path;
    ExtractOptions options;
    std::string url = truth["url"].str();
    url = url.substr(0, url.find(' '));
    if (absl::StartsWith(url, "http")) options.base_url = url;
    const std::string hint = truth["as_of_hint"].str();
    options.as_of = absl::CivilDay(2026, 1, 15);
    if (!hint.empty()) {
      ASSERT_TRUE(ParseCivilDay(hint, &options.as_of));
    }

    absl::StatusOr<PageExtract> page = ExtractPage(ReadFile(path), "text/html", options);
    ASSERT_TRUE(page.ok()) << path << ": " << page.status();

    PageResult r;
    r.file = path.filename().string();
    r.kind = page->kind;
    r.expected_kind = truth["page_kind"].str();
    r.extracted = static_cast<int>(page->items.size());
    for (const Json& item : truth["items"].arr) {
      std::string want_date = item["date"].str();
      if (want_date.empty()) want_date = item["date_inferred"].str();
      const std::string want_href = options.base_url.empty()
                                        ? item["href"].str()
                                        : ResolveUrl(options.base_url, item["href"].str());
      ++r.annotated;
      bool hit = false;
      for (const ExtractedItem& got : page->items) {
        if (got.href == want_href && got.date == want_date && TitleMatches(got.title, item)) {
          hit = true;
          break;
        }
      }
      r.found += hit;
      if (!hit) {
        std::printf("MISS %s: %s | %s | %s\n", path.filename().c_str(), item["title"].str().c_str(),
                    want_href.c_str(), want_date.c_str());
        for (const ExtractedItem& got : page->items) {
          if (got.href == want_href) {
            std::printf("  got: %s | %s\n", got.title.c_str(), got.date.c_str());
          }
        }
      }
    }
    if (r.expected_kind == "article") {
      r.expected_latest = truth["publication_date"].str();
      r.latest = page->publication_date;
      r.latest_ok = r.latest == r.expected_latest && page->latest_date == r.latest;
    } else {
      r.expected_latest =
          hint.empty() ? truth["latest_date"].str() : truth["latest_date_inferred"].str();
      r.latest = page->latest_date;
      r.latest_ok = r.latest == r.expected_latest;
    }
    if (Norm(page->title) != Norm(truth["title"].str())) {
      std::printf("TITLE %s: got \"%s\" want \"%s\"\n", r.file.c_str(), page->title.c_str(),
                  truth["title"].str().c_str());
    }
    annotated += r.annotated;
    extracted += r.extracted;
    found += r.found;
    pages_ok += r.latest_ok;
    kinds_ok += r.kind == r.expected_kind;
    results.push_back(r);
  }

  std::printf("%-28s %-8s %-8s %6s %6s %6s  %-10s %-10s\n", "page", "kind", "truth", "found",
              "annot", "extr", "latest", "expected");
  for (const PageResult& r : results) {
    std::printf("%-28s %-8s %-8s %6d %6d %6d  %-10s %-10s %s\n", r.file.c_str(), r.kind.c_str(),
                r.expected_kind.c_str(), r.found, r.annotated, r.extracted, r.latest.c_str(),
                r.expected_latest.c_str(), r.latest_ok ? "" : "  <-- latest wrong");
  }
  const double item_recall = annotated == 0 ? 1.0 : double(found) / annotated;
  const double page_acc = double(pages_ok) / results.size();
  std::printf("items found with the right date: %d / %d (%.1f%%)\n", found, annotated,
              100 * item_recall);
  std::printf("pages with the right latest date: %d / %zu (%.1f%%)\n", pages_ok, results.size(),
              100 * page_acc);
  std::printf("pages with the right kind: %d / %zu\n", kinds_ok, results.size());
  std::printf("items extracted: %d (annotated %d)\n", extracted, annotated);
  EXPECT_GE(item_recall, 0.97);
  EXPECT_GE(page_acc, 0.99);
  // Reached so far: every item, every page, no extra items.
  EXPECT_EQ(found, 202);
  EXPECT_EQ(pages_ok, 20);
  EXPECT_EQ(kinds_ok, 20);
  EXPECT_EQ(extracted, 202);
}

}  // namespace
}  // namespace census
