// Date expressions in Chinese government pages: ISO-like numeric dates,
// 年月日 forms (Arabic or Chinese numerals), and year-less month-day forms.

#include "worker/internal/dates.h"

#include <array>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "worker/extract.h"

namespace census {
namespace internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Consumes between min_n and max_n ASCII digits at *pos; fails when more follow.
bool ReadDigits(absl::string_view s, size_t* pos, int min_n, int max_n, int* value) {
  size_t p = *pos;
  int v = 0;
  int n = 0;
  while (p < s.size() && IsDigit(s[p])) {
    if (++n > max_n) return false;
    v = v * 10 + (s[p] - '0');
    ++p;
  }
  if (n < min_n) return false;
  *pos = p;
  *value = v;
  return true;
}

bool Lit(absl::string_view s, size_t* pos, absl::string_view lit) {
  if (s.substr(*pos).substr(0, lit.size()) != lit) return false;
  *pos += lit.size();
  return true;
}

// Plain, no-break and ideographic spaces.
void SkipSpaces(absl::string_view s, size_t* pos) {
  for (;;) {
    if (*pos < s.size() && (s[*pos] == ' ' || s[*pos] == '\t')) {
      ++*pos;
    } else if (!Lit(s, pos, "\xC2\xA0") && !Lit(s, pos, "\xE3\x80\x80")) {
      return;
    }
  }
}

bool DigitAt(absl::string_view s, size_t pos) { return pos < s.size() && IsDigit(s[pos]); }

// 2026-11-12, 2026/11/12, 2026.11.12, 2026年11月12日 (spaces allowed).
bool MatchFull(absl::string_view s, size_t i, DateMatch* m) {
  size_t p = i;
  int y, mo, d;
  if (!ReadDigits(s, &p, 4, 4, &y)) return false;
  if (p < s.size() && (s[p] == '-' || s[p] == '/' || s[p] == '.')) {
    const char sep = s[p++];
    if (!ReadDigits(s, &p, 1, 2, &mo)) return false;
    if (p >= s.size() || s[p] != sep) return false;
    ++p;
    if (!ReadDigits(s, &p, 1, 2, &d)) return false;
  } else {
    SkipSpaces(s, &p);
    if (!Lit(s, &p, "年")) return false;
    SkipSpaces(s, &p);
    if (!ReadDigits(s, &p, 1, 2, &mo)) return false;
    SkipSpaces(s, &p);
    if (!Lit(s, &p, "月")) return false;
    SkipSpaces(s, &p);
    if (!ReadDigits(s, &p, 1, 2, &d)) return false;
    size_t q = p;
    SkipSpaces(s, &q);
    if (Lit(s, &q, "日") || Lit(s, &q, "号")) p = q;
  }
  *m = DateMatch{i, p, y, mo, d};
  return true;
}

// 11-12, 11/12 (two digits each), 11月12日 / 5月1日.
bool MatchYearless(absl::string_view s, size_t i, DateMatch* m) {
  if (i > 0 && (s[i - 1] == '-' || s[i - 1] == '/' || s[i - 1] == '.' || s[i - 1] == ':')) {
    return false;
  }
  size_t p = i;
  int mo, d;
  if (!ReadDigits(s, &p, 1, 2, &mo)) return false;
  if (p < s.size() && (s[p] == '-' || s[p] == '/')) {
    const char sep = s[p];
    if (p - i != 2) return false;
    ++p;
    if (!ReadDigits(s, &p, 2, 2, &d)) return false;
    // "12-20-2017", "11/12/13", "10-11:30" are something else.
    if (p < s.size() && (s[p] == sep || s[p] == '.' || s[p] == ':') && DigitAt(s, p + 1)) {
      return false;
    }
  } else {
    SkipSpaces(s, &p);
    if (!Lit(s, &p, "月")) return false;
    SkipSpaces(s, &p);
    if (!ReadDigits(s, &p, 1, 2, &d)) return false;
    SkipSpaces(s, &p);
    if (!Lit(s, &p, "日") && !Lit(s, &p, "号")) return false;
  }
  *m = DateMatch{i, p, 0, mo, d};
  return true;
}

// Chinese numerals: 〇/零 and 一..九 as digits; 十 for tens in months/days.
int ChineseDigit(absl::string_view s, size_t* pos) {
  static constexpr std::array<absl::string_view, 10> kDigits = {"〇", "一", "二", "三", "四",
                                                                "五", "六", "七", "八", "九"};
  if (Lit(s, pos, "零") || Lit(s, pos, "○") || Lit(s, pos, "Ｏ")) return 0;
  for (int v = 0; v < 10; ++v) {
    if (Lit(s, pos, kDigits[v])) return v;
  }
  return -1;
}

// 一..九, 十, 十一..十九, 二十.., 三十一.
bool ChineseSmallNumber(absl::string_view s, size_t* pos, int* value) {
  size_t p = *pos;
  int tens = 0;
  int d = ChineseDigit(s, &p);
  if (Lit(s, &p, "十")) {
    tens = d < 0 ? 1 : d;
    d = ChineseDigit(s, &p);
    if (d < 0) d = 0;
  } else if (d <= 0) {
    return false;
  }
  *value = tens * 10 + d;
  *pos = p;
  return *value > 0;
}

bool MatchChinese(absl::string_view s, size_t i, DateMatch* m) {
  size_t p = i;
  int y = 0;
  for (int k = 0; k < 4; ++k) {
    const int d = ChineseDigit(s, &p);
    if (d < 0) return false;
    y = y * 10 + d;
  }
  int mo, d;
  if (!Lit(s, &p, "年") || !ChineseSmallNumber(s, &p, &mo) || !Lit(s, &p, "月") ||
      !ChineseSmallNumber(s, &p, &d) || !(Lit(s, &p, "日") || Lit(s, &p, "号"))) {
    return false;
  }
  *m = DateMatch{i, p, y, mo, d};
  return true;
}

bool ValidDay(int y, int mo, int d, absl::CivilDay* out) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  const absl::CivilDay day(y, mo, d);
  if (day.year() != y || day.month() != mo || day.day() != d) return false;
  *out = day;
  return true;
}

}  // namespace

bool FindDate(absl::string_view s, size_t from, DateMatch* m) {
  // Chinese-numeral dates need a 年; most texts have none, so skip trying
  // MatchChinese at every CJK character.
  const bool nian = from < s.size() && s.find("年", from) != absl::string_view::npos;
  for (size_t i = from; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (IsDigit(s[i])) {
      if (i > 0 && IsDigit(s[i - 1])) continue;
      if (MatchFull(s, i, m) || MatchYearless(s, i, m)) return true;
    } else if (nian && c >= 0xE3 && c <= 0xEF) {
      if (MatchChinese(s, i, m)) return true;
    }
  }
  return false;
}

bool ResolveDate(const DateMatch& m, absl::CivilDay as_of, absl::CivilDay* out) {
  if (m.year != 0) {
    const int max_year = AsOfSet(as_of) ? as_of.year() + 1 : 2100;
    if (m.year < 1990 || m.year > max_year) return false;
    return ValidDay(m.year, m.month, m.day, out);
  }
  if (!AsOfSet(as_of)) return false;
  // The latest year that puts the date on or before as_of (Feb 29 may need a
  // few years back).
  for (int y = static_cast<int>(as_of.year()); y > as_of.year() - 8; --y) {
    absl::CivilDay day;
    if (ValidDay(y, m.month, m.day, &day) && day <= as_of) {
      if (y < 1990) return false;
      *out = day;
      return true;
    }
  }
  return false;
}

bool IsDateText(absl::string_view text, DateMatch* m) {
  if (text.size() > 120 || !FindDate(text, 0, m)) return false;
  std::string rest = absl::StrCat(text.substr(0, m->begin), " ", text.substr(m->end));
  static constexpr absl::string_view kLabels[] = {
      "发布时间", "发布日期", "更新时间", "更新日期", "发表时间", "发表日期",
      "留言时间", "回复时间", "提问时间", "创建时间", "录入时间", "时间",
      "日期",     "发布",     "更新",     "Date",     "date"};
  for (absl::string_view label : kLabels) {
    absl::StrReplaceAll({{label, ""}}, &rest);
  }
  // Punctuation and spaces; digits only as a time of day ("10:30:00").
  absl::StrReplaceAll({{"\xC2\xA0", ""},
                       {"\xE3\x80\x80", ""},
                       {"：", ""},
                       {"【", ""},
                       {"】", ""},
                       {"（", ""},
                       {"）", ""},
                       {"［", ""},
                       {"］", ""}},
                      &rest);
  const bool has_colon = absl::StrContains(rest, ':');
  int digits = 0;
  for (char c : rest) {
    if (IsDigit(c)) {
      if (!has_colon || ++digits > 6) return false;
    } else if (!absl::StrContains(" \t\r\n[]()|:-/.,;", c)) {
      return false;
    }
  }
  return true;
}

}  // namespace internal

bool ParseDate(absl::string_view text, absl::CivilDay as_of, absl::CivilDay* out,
               std::string* raw) {
  internal::DateMatch m;
  size_t from = 0;
  while (internal::FindDate(text, from, &m)) {
    absl::CivilDay day;
    if (internal::ResolveDate(m, as_of, &day)) {
      *out = day;
      if (raw != nullptr) *raw = std::string(text.substr(m.begin, m.end - m.begin));
      return true;
    }
    from = m.begin + 1;
  }
  return false;
}

}  // namespace census
