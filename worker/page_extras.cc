// Pagers and mailbox rows (see internal/page_extras.h).

#include "worker/internal/page_extras.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/clock.h"
#include "worker/internal/dates.h"
#include "worker/internal/list_finder.h"

namespace census {
namespace internal {
namespace {

const char* Str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

bool ContainsAny(absl::string_view s, std::initializer_list<absl::string_view> words) {
  for (absl::string_view w : words) {
    if (absl::StrContains(s, w)) return true;
  }
  return false;
}

template <typename F>
void ForEachElement(const xmlNode* n, const F& f) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (IsTag(c, "script") || IsTag(c, "style")) continue;
    f(c);
    ForEachElement(c, f);
  }
}

void CollectScriptText(const xmlNode* n, std::vector<absl::string_view>* out) {
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if ((c->type == XML_CDATA_SECTION_NODE || c->type == XML_COMMENT_NODE ||
         (c->type == XML_TEXT_NODE && IsTag(n, "script"))) &&
        c->content != nullptr) {
      out->push_back(Str(c->content));
    } else if (c->type == XML_ELEMENT_NODE) {
      CollectScriptText(c, out);
    }
  }
}

// ---- Pagers ------------------------------------------------------------------

bool IsNextText(std::string t) {
  absl::AsciiStrToLower(&t);
  t = CollapseWhitespace(t);
  if (t == ">" || t == "›" || t == "next" || t == "next page" || t == "next>" || t == "next >") {
    return true;
  }
  absl::string_view v = t;
  absl::ConsumeSuffix(&v, ">>");
  absl::ConsumeSuffix(&v, ">");
  absl::ConsumeSuffix(&v, "»");
  absl::ConsumeSuffix(&v, "›");
  absl::ConsumePrefix(&v, "[");
  absl::ConsumeSuffix(&v, "]");
  v = absl::StripAsciiWhitespace(v);
  return v == "下一页" || v == "下页" || v == "后一页" || v == "下一頁" || v == "下一页>";
}

std::string StaticNext(const xmlNode* root, UrlResolver* urls) {
  std::string found;
  const std::string self = urls->Resolve("");
  ForEachElement(root, [&](const xmlNode* n) {
    if (!found.empty() || !IsTag(n, "a")) return;
    std::string text = NodeText(n);
    if (text.empty()) text = Attr(n, "title");
    if (!IsNextText(text)) return;
    const std::string href(absl::StripAsciiWhitespace(Attr(n, "href")));
    if (href.empty() || href[0] == '#' || absl::StartsWithIgnoreCase(href, "javascript:")) return;
    std::string url = urls->Resolve(href);
    if (!url.empty() && url != self) found = std::move(url);
  });
  return found;
}

// An argument: a number, a quoted string, or a variable set to a number
// elsewhere in the script ("var nCurrIndex = 0;").
std::string ArgValue(absl::string_view arg, absl::string_view script) {
  arg = absl::StripAsciiWhitespace(arg);
  if (arg.size() >= 2 && (arg.front() == '\'' || arg.front() == '"') && arg.back() == arg.front()) {
    return std::string(arg.substr(1, arg.size() - 2));
  }
  int n;
  if (absl::SimpleAtoi(arg, &n) || arg.empty()) return std::string(arg);
  size_t pos = 0;
  while ((pos = script.find(arg, pos)) != absl::string_view::npos) {
    pos += arg.size();
    size_t p = pos;
    while (p < script.size() && script[p] == ' ') ++p;
    if (p >= script.size() || script[p] != '=' || (p + 1 < script.size() && script[p + 1] == '=')) {
      continue;
    }
    ++p;
    while (p < script.size() && script[p] == ' ') ++p;
    size_t e = p;
    while (e < script.size() && absl::ascii_isdigit(script[e])) ++e;
    if (e > p) return std::string(script.substr(p, e - p));
  }
  return "";
}

std::string ScriptNext(const xmlNode* root, UrlResolver* urls) {
  std::vector<absl::string_view> texts;
  CollectScriptText(root, &texts);
  static constexpr absl::string_view kCall = "createPageHTML(";
  for (absl::string_view script : texts) {
    for (size_t pos = 0; (pos = script.find(kCall, pos)) != absl::string_view::npos;) {
      const size_t open = pos + kCall.size();
      const bool definition = pos >= 9 && script.substr(pos - 9, 9) == "function ";
      pos = open;
      const size_t close = script.find(')', open);
      if (definition || close == absl::string_view::npos) continue;
      std::vector<std::string> args;
      for (absl::string_view a : absl::StrSplit(script.substr(open, close - open), ',')) {
        args.push_back(ArgValue(a, script));
      }
      const bool quoted_first = !absl::StripAsciiWhitespace(script.substr(open)).empty() &&
                                (absl::StripAsciiWhitespace(script.substr(open))[0] == '\'' ||
                                 absl::StripAsciiWhitespace(script.substr(open))[0] == '"');
      int total = 0, current = 0, next_index = 0;
      std::string name, ext;
      if (args.size() >= 5 && quoted_first) {  // ('div', total, current 1-based, name, ext, n)
        if (!absl::SimpleAtoi(args[1], &total) || !absl::SimpleAtoi(args[2], &current)) continue;
        if (current >= total) return "";  // last page
        next_index = current;
        name = args[3];
        ext = args[4];
      } else if (args.size() >= 4) {  // (total, current 0-based, name, ext)
        if (!absl::SimpleAtoi(args[0], &total) || !absl::SimpleAtoi(args[1], &current)) continue;
        if (current + 1 >= total) return "";
        next_index = current + 1;
        name = args[2];
        ext = args[3];
      } else {
        continue;
      }
      absl::string_view e = ext;
      absl::ConsumePrefix(&e, ".");
      if (name.empty() || e.empty() || next_index < 1) continue;
      return urls->Resolve(absl::StrCat(name, "_", next_index, ".", e));
    }
  }
  return "";
}

// ---- Mailboxes ---------------------------------------------------------------

constexpr std::initializer_list<absl::string_view> kUnanswered = {
    "未回复", "办理中", "待回复", "未办结", "未答复", "处理中", "待处理", "受理中", "未处理"};
constexpr std::initializer_list<absl::string_view> kAnswered = {
    "已回复", "已办结", "已答复", "已处理", "已反馈", "已回应", "已解答"};
constexpr std::initializer_list<absl::string_view> kReplyLabels = {"回复", "答复", "办结",
                                                                   "反馈", "回应", "处理"};
constexpr std::initializer_list<absl::string_view> kSubmitLabels = {
    "提交", "留言", "来信", "写信", "提问", "咨询", "发信", "投诉", "诉求"};

// A label right before a date: "回复时间：", "来信日期 " ...
bool HasLabel(absl::string_view before, std::initializer_list<absl::string_view> words) {
  for (absl::string_view w : words) {
    for (absl::string_view suffix : {"时间", "日期"}) {
      if (absl::StrContains(before, absl::StrCat(w, suffix))) return true;
    }
  }
  return false;
}

// Finds the status keyword in `text`; false when none.
bool FindStatus(absl::string_view text, std::string* raw, bool* answered) {
  for (absl::string_view w : kUnanswered) {
    if (absl::StrContains(text, w)) {
      *raw = std::string(w);
      *answered = false;
      return true;
    }
  }
  for (absl::string_view w : kAnswered) {
    if (absl::StrContains(text, w)) {
      *raw = std::string(w);
      *answered = true;
      return true;
    }
  }
  return false;
}

// Whether `text` starts with a status word (kUnanswered, kAnswered).
bool StartsWithStatusWord(absl::string_view text) {
  for (const auto& words : {kUnanswered, kAnswered}) {
    for (absl::string_view w : words) {
      if (absl::StartsWith(text, w)) return true;
    }
  }
  return false;
}

enum class Role { kNone, kSubmitted, kReplied };

Role RoleOfHeader(absl::string_view h) {
  if (!ContainsAny(h, {"时间", "日期"})) return Role::kNone;
  return ContainsAny(h, kReplyLabels) ? Role::kReplied : Role::kSubmitted;
}

// Column roles from the first row of the row's table that is a header.
std::vector<Role> HeaderRoles(const xmlNode* tr) {
  std::vector<Role> roles;
  const xmlNode* table = tr->parent;
  while (table != nullptr && !IsTag(table, "table")) table = table->parent;
  if (table == nullptr) return roles;
  const xmlNode* header = nullptr;
  ForEachElement(table, [&](const xmlNode* n) {
    if (header != nullptr || !IsTag(n, "tr")) return;
    const std::string text = NodeText(n);
    if (ContainsAny(text, {"状态", "时间", "日期", "标题", "主题"})) header = n;
  });
  if (header == nullptr || header == tr) return roles;
  for (const xmlNode* c = header->children; c != nullptr; c = c->next) {
    if (IsTag(c, "td") || IsTag(c, "th")) roles.push_back(RoleOfHeader(NodeText(c)));
  }
  return roles;
}

// Dates in one piece of text: labelled ones by their label, the others by
// `column` (a table cell's header role) or in order.
void ReadDates(absl::string_view text, Role column, absl::CivilDay as_of, MailboxMessage* msg,
               std::vector<std::string>* unlabelled) {
  DateMatch m;
  size_t from = 0;
  while (FindDate(text, from, &m)) {
    absl::string_view before = text.substr(from, m.begin - from);
    if (before.size() > 24) before = before.substr(before.size() - 24);
    absl::CivilDay day;
    if (ResolveDate(m, as_of, &day)) {
      const std::string date = FormatCivilDay(day);
      if (HasLabel(before, kReplyLabels) || column == Role::kReplied) {
        if (msg->replied().empty()) msg->set_replied(date);
      } else if (HasLabel(before, kSubmitLabels) || column == Role::kSubmitted) {
        if (msg->submitted().empty()) msg->set_submitted(date);
      } else {
        unlabelled->push_back(date);
      }
    }
    from = m.end;
  }
}

int ContentAnchors(const xmlNode* n, absl::flat_hash_set<std::string>* hrefs) {
  ForEachElement(n, [&](const xmlNode* c) {
    if (!IsTag(c, "a")) return;
    const std::string href(absl::StripAsciiWhitespace(Attr(c, "href")));
    if (href.empty() || href == "#" || IsMoreLink(NodeText(c))) return;
    hrefs->insert(href);
  });
  return static_cast<int>(hrefs->size());
}

}  // namespace

bool MayHoldMailbox(absl::string_view text) {
  // One pass: every status word holds one of 复 结 理 应 答 馈; a label ends
  // in 时间 or 日期 after a submission word. The pass also looks for the status
  // words themselves where it meets one of their first characters (FindStatus
  // searches the whole text once per word). A word could start unseen only at
  // a byte the pass steps over that is not a UTF-8 continuation byte (invalid
  // text); then FindStatus decides, as before. Characters compare as 24-bit
  // codes of their three bytes.
  const auto code = [](absl::string_view ch) {
    return static_cast<uint32_t>(static_cast<unsigned char>(ch[0])) << 16 |
           static_cast<uint32_t>(static_cast<unsigned char>(ch[1])) << 8 |
           static_cast<uint32_t>(static_cast<unsigned char>(ch[2]));
  };
  static const std::array<uint32_t, 6> kStatusChars = {code("复"), code("结"), code("理"),
                                                       code("应"), code("答"), code("馈")};
  static const uint32_t kTime = code("间"), kDate = code("期");
  static const std::vector<uint32_t> kWordStarts = [&] {
    std::vector<uint32_t> starts;
    for (const auto& words : {kUnanswered, kAnswered}) {
      for (absl::string_view w : words) {
        if (std::find(starts.begin(), starts.end(), code(w)) == starts.end()) {
          starts.push_back(code(w));
        }
      }
    }
    return starts;
  }();
  const auto continuation = [&](size_t k) {
    return (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80;
  };
  bool status_char = false;
  bool status_word = false;
  bool stepped_over_lead = false;
  for (size_t i = 0; i + 3 <= text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0xE5 || c > 0xE9) continue;
    const uint32_t ch = code(text.substr(i, 3));
    for (uint32_t s : kStatusChars) status_char = status_char || ch == s;
    if (!status_word &&
        std::find(kWordStarts.begin(), kWordStarts.end(), ch) != kWordStarts.end()) {
      status_word = StartsWithStatusWord(text.substr(i));
    }
    if ((ch == kTime || ch == kDate) && i >= 9) {
      const absl::string_view word = text.substr(i - 9, 6);
      for (absl::string_view w : kSubmitLabels) {
        if (word == w) return true;
      }
    }
    stepped_over_lead = stepped_over_lead || !continuation(i + 1) || !continuation(i + 2);
    i += 2;
  }
  if (!status_char) return false;
  if (status_word) return true;
  std::string raw;
  bool answered;
  return stepped_over_lead && FindStatus(text, &raw, &answered);
}

std::string NextPageUrl(const xmlNode* root, UrlResolver* urls) {
  if (root == nullptr) return "";
  std::string next = StaticNext(root, urls);
  if (next.empty()) next = ScriptNext(root, urls);
  return next;
}

std::vector<MailboxMessage> MailboxMessages(const xmlNode* root, UrlResolver* urls,
                                            absl::CivilDay as_of) {
  std::vector<MailboxMessage> out;
  if (root == nullptr) return out;
  absl::flat_hash_set<std::string> seen;
  ForEachElement(root, [&](const xmlNode* a) {
    if (!IsTag(a, "a")) return;
    const std::string href(absl::StripAsciiWhitespace(Attr(a, "href")));
    const std::string title = AnchorTitle(a);
    if (href.empty() || href == "#" || title.empty() || IsMoreLink(title)) return;
    // The row: the largest ancestor (up to 4 levels) that links to nothing else.
    const xmlNode* row = nullptr;
    int depth = 0;
    for (const xmlNode* p = a->parent; p != nullptr && p->type == XML_ELEMENT_NODE && depth++ < 5;
         p = p->parent) {
      if (IsTag(p, "body") || IsTag(p, "html") || IsTag(p, "table") || IsTag(p, "ul")) break;
      absl::flat_hash_set<std::string> hrefs;
      if (ContentAnchors(p, &hrefs) > 1) break;
      row = p;
      if (IsTag(p, "tr") || IsTag(p, "li")) break;
    }
    if (row == nullptr) return;
    const std::string text = NodeText(row);
    MailboxMessage msg;
    std::string status;
    bool answered = false;
    const bool has_status = FindStatus(text, &status, &answered);
    std::vector<std::string> unlabelled;
    if (IsTag(row, "tr")) {
      const std::vector<Role> roles = HeaderRoles(row);
      size_t col = 0;
      for (const xmlNode* c = row->children; c != nullptr; c = c->next) {
        if (!IsTag(c, "td") && !IsTag(c, "th")) continue;
        ReadDates(NodeText(c), col < roles.size() ? roles[col] : Role::kNone, as_of, &msg,
                  &unlabelled);
        ++col;
      }
    } else {
      ReadDates(text, Role::kNone, as_of, &msg, &unlabelled);
    }
    const bool labelled = !msg.submitted().empty() && HasLabel(text, kSubmitLabels);
    if (!has_status && !labelled) return;
    for (const std::string& d : unlabelled) {
      if (msg.submitted().empty()) {
        msg.set_submitted(d);
      } else if (msg.replied().empty() && d >= msg.submitted()) {
        msg.set_replied(d);
      }
    }
    if (!seen.insert(href).second) return;
    msg.set_title(title);
    const std::string resolved = urls->base().empty() ? "" : urls->Resolve(href);
    msg.set_href(resolved.empty() ? href : resolved);
    msg.set_status_raw(status);
    msg.set_answered(has_status ? answered : !msg.replied().empty());
    out.push_back(std::move(msg));
  });
  return out;
}

}  // namespace internal
}  // namespace census
