#include "worker/soft404.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "worker/charset.h"

namespace census {
namespace {

constexpr size_t kHeadBytes = 16 * 1024;
constexpr size_t kTextChars = 600;

// Position of `needle` (ASCII, lower case) in `hay` ignoring ASCII case, or npos.
size_t FindNoCase(absl::string_view hay, absl::string_view needle, size_t from = 0) {
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (absl::EqualsIgnoreCase(hay.substr(i, needle.size()), needle)) return i;
  }
  return absl::string_view::npos;
}

// Visible text of an HTML fragment: tags dropped, script/style/comments skipped,
// whitespace collapsed; stops after `limit` bytes of text.
std::string VisibleText(absl::string_view html, size_t limit) {
  std::string out;
  size_t i = 0;
  bool space = false;
  while (i < html.size() && out.size() < limit) {
    char c = html[i];
    if (c == '<') {
      if (html.substr(i, 4) == "<!--") {
        size_t end = html.find("-->", i + 4);
        i = end == absl::string_view::npos ? html.size() : end + 3;
        continue;
      }
      for (absl::string_view skip : {"script", "style"}) {
        if (FindNoCase(html.substr(i + 1, skip.size()), skip) == 0) {
          size_t end = FindNoCase(html, absl::StrCat("</", skip), i + 1);
          i = end == absl::string_view::npos ? html.size() : end;
          break;
        }
      }
      size_t close = html.find('>', i);
      i = close == absl::string_view::npos ? html.size() : close + 1;
      space = true;
      continue;
    }
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      space = true;
    } else {
      if (space && !out.empty()) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
    ++i;
  }
  return out;
}

}  // namespace

bool LooksLikeNotFoundPage(absl::string_view title, absl::string_view text) {
  static const char* kPhrases[] = {
      "页面不存在", "页面未找到",     "找不到页面",    "无法找到该页",       "不存在或已被删除",
      "已被删除",   "page not found", "404 not found", "您访问的页面不存在", "404错误"};
  std::string lower_title = absl::AsciiStrToLower(title);
  std::string lower_head = absl::AsciiStrToLower(text.substr(0, kTextChars));
  for (const char* p : kPhrases) {
    if (absl::StrContains(lower_title, p) || absl::StrContains(lower_head, p)) return true;
  }
  return absl::StartsWith(title, "404");
}

bool LooksLikeNotFoundBody(absl::string_view body, absl::string_view content_type,
                           std::string* title) {
  title->clear();
  if (!content_type.empty() && FindNoCase(content_type, "html") == absl::string_view::npos) {
    return false;
  }
  DecodedText decoded = DecodeToUtf8(body.substr(0, kHeadBytes), content_type);
  absl::string_view html = decoded.utf8;
  size_t t = FindNoCase(html, "<title");
  if (t != absl::string_view::npos) {
    size_t open_end = html.find('>', t);
    size_t close = FindNoCase(html, "</title", t);
    if (open_end != absl::string_view::npos && close != absl::string_view::npos &&
        close > open_end) {
      *title = VisibleText(html.substr(open_end + 1, close - open_end - 1), 300);
    }
  }
  size_t b = FindNoCase(html, "<body");
  absl::string_view rest = html.substr(b == absl::string_view::npos ? 0 : b);
  return LooksLikeNotFoundPage(*title, VisibleText(rest, kTextChars));
}

}  // namespace census
