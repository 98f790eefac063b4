// Publication dates of detail pages, meta tags and text lines.

#include "worker/internal/article.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "worker/extract.h"
#include "worker/internal/dates.h"

namespace census {
namespace internal {
namespace {

const char* Str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

bool IsBlockTag(absl::string_view t) {
  static constexpr absl::string_view kBlocks[] = {
      "p",       "div",    "li",     "ul",  "ol",   "tr",    "td",     "th", "table", "br",
      "h1",      "h2",     "h3",     "h4",  "h5",   "h6",    "dd",     "dt", "dl",    "section",
      "article", "header", "footer", "nav", "form", "tbody", "center", "hr"};
  for (absl::string_view b : kBlocks) {
    if (t == b) return true;
  }
  return false;
}

void Lines(const xmlNode* n, std::string* cur, std::vector<std::string>* out) {
  auto flush = [&] {
    // Most runs between two block boundaries are indentation: no line, and
    // no CollapseWhitespace buffer.
    if (std::all_of(cur->begin(), cur->end(), [](char ch) { return absl::ascii_isspace(ch); })) {
      cur->clear();
      return;
    }
    std::string line = CollapseWhitespace(*cur);
    if (!line.empty()) out->push_back(std::move(line));
    cur->clear();
  };
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content != nullptr) *cur += Str(c->content);
    } else if (c->type == XML_ELEMENT_NODE && !IsNonContent(c) && !IsTag(c, kEmbeddedTag)) {
      const bool block = IsBlockTag(TagName(c));
      if (block) flush();
      Lines(c, cur, out);
      if (block) flush();
    }
  }
}

// Words before 时间/日期 that make it something other than a publication date.
bool ExcludedLabel(absl::string_view before) {
  static constexpr absl::string_view kPrefixes[] = {
      "发文", "成文", "生成", "留言", "印发", "办结", "回复", "受理", "截止", "开始", "结束",
      "办理", "咨询", "提问", "答复", "工作", "服务", "办公", "开放", "实施", "有效", "施行",
      "废止", "签发", "报名", "考试", "会议", "举办", "活动", "申请", "备案", "登记", "出生",
      "修订", "修改", "来信", "写信", "反馈", "处理", "投诉", "举报", "失效", "公示"};
  for (absl::string_view p : kPrefixes) {
    if (absl::EndsWith(before, p)) return true;
  }
  return false;
}

bool LabelledDate(const std::string& line, absl::CivilDay as_of, PublicationDate* out) {
  static constexpr absl::string_view kLabels[] = {"时间", "日期"};
  for (size_t pos = 0; pos < line.size();) {
    size_t best = std::string::npos;
    for (absl::string_view l : kLabels) {
      const size_t at = line.find(l.data(), pos, l.size());
      if (at < best) best = at;
    }
    if (best == std::string::npos) return false;
    pos = best + 6;  // both labels are two 3-byte characters
    if (ExcludedLabel(absl::string_view(line).substr(0, best))) continue;
    size_t p = pos;
    while (p < line.size()) {
      if (line[p] == ' ' || line[p] == ':' || line[p] == '\t') {
        ++p;
      } else if (line.compare(p, 3, "：") == 0) {
        p += 3;
      } else {
        break;
      }
    }
    DateMatch m;
    if (!FindDate(line, p, &m) || m.begin != p || m.year == 0) continue;
    absl::CivilDay day;
    if (!ResolveDate(m, as_of, &day)) continue;
    out->date = FormatCivilDay(day);
    out->raw = line.substr(best, m.end - best);
    out->source = PublicationDate::kLabel;
    return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> BlockLines(const xmlNode* n) {
  std::vector<std::string> out;
  if (n == nullptr) return out;
  std::string cur;
  Lines(n, &cur, &out);
  std::string line = CollapseWhitespace(cur);
  if (!line.empty()) out.push_back(std::move(line));
  return out;
}

std::vector<MetaTag> MetaTags(xmlDoc* doc) {
  std::vector<MetaTag> out;
  xmlNode* root = doc == nullptr ? nullptr : xmlDocGetRootElement(doc);
  // Metas live in <head>, but broken pages put them anywhere: walk everything.
  std::vector<const xmlNode*> stack;
  if (root != nullptr) stack.push_back(root);
  while (!stack.empty()) {
    const xmlNode* n = stack.back();
    stack.pop_back();
    if (IsTag(n, "meta")) {
      std::string name = Attr(n, "name");
      if (name.empty()) name = Attr(n, "property");
      if (name.empty()) name = Attr(n, "http-equiv");
      if (!name.empty()) {
        out.push_back({absl::AsciiStrToLower(name), Attr(n, "content")});
      }
    }
    // Push children in reverse so they pop in document order.
    std::vector<const xmlNode*> kids;
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) kids.push_back(c);
    }
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
  }
  return out;
}

PublicationDate FindPublicationDate(const std::vector<std::string>& lines,
                                    const std::vector<MetaTag>& metas, absl::CivilDay as_of) {
  PublicationDate out;
  for (const std::string& line : lines) {
    if (line.size() <= 400 && LabelledDate(line, as_of, &out)) return out;
  }
  static constexpr absl::string_view kMetaNames[] = {
      "pubdate",      "publishdate", "firstpublishedtime", "article:published_time",
      "publish_date", "publishtime", "og:release_date",    "dc.date.issued",
      "dc.date"};
  for (absl::string_view want : kMetaNames) {
    for (const MetaTag& m : metas) {
      if (m.name != want) continue;
      absl::CivilDay day;
      std::string raw;
      if (ParseDate(m.content, as_of, &day, &raw)) {
        out.date = FormatCivilDay(day);
        out.raw = m.content;
        out.source = PublicationDate::kMeta;
        return out;
      }
    }
  }
  for (const std::string& line : lines) {
    DateMatch m;
    if (line.size() > 200 || absl::StrContains(line, "星期")) continue;
    const bool byline = absl::StrContains(line, "来源");
    if (!byline && !IsDateText(line, &m)) continue;
    if (byline && !FindDate(line, 0, &m)) continue;
    absl::CivilDay day;
    if (m.year == 0 || !ResolveDate(m, as_of, &day)) continue;
    out.date = FormatCivilDay(day);
    out.raw = line;
    out.source = PublicationDate::kByline;
    return out;
  }
  return out;
}

std::string GenerationDate(const std::vector<MetaTag>& metas) {
  for (const MetaTag& m : metas) {
    const size_t at = m.content.find("生成时间");
    if (at == std::string::npos) continue;
    DateMatch d;
    absl::CivilDay day;
    if (FindDate(m.content, at, &d) && d.year != 0 && ResolveDate(d, absl::CivilDay(), &day)) {
      return FormatCivilDay(day);
    }
  }
  return "";
}

}  // namespace internal
}  // namespace census
