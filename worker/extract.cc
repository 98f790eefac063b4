// ExtractPage: charset, parse, then the page facts the census needs.

#include "worker/extract.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "common/clock.h"
#include "worker/charset.h"
#include "worker/internal/article.h"
#include "worker/internal/dates.h"
#include "worker/internal/html_dom.h"
#include "worker/internal/list_finder.h"
#include "worker/internal/page_content.h"
#include "worker/internal/page_extras.h"
#include "worker/internal/page_links.h"
#include "worker/internal/script_data.h"

namespace census {
namespace {

using internal::FoundItem;

absl::Status CheckLooksLikeText(absl::string_view bytes, absl::string_view content_type) {
  const std::string ct = absl::AsciiStrToLower(content_type);
  static constexpr absl::string_view kBinaryTypes[] = {"image/",
                                                       "audio/",
                                                       "video/",
                                                       "application/pdf",
                                                       "application/zip",
                                                       "application/x-rar",
                                                       "application/msword",
                                                       "application/vnd.",
                                                       "application/x-7z",
                                                       "application/gzip",
                                                       "font/"};
  for (absl::string_view t : kBinaryTypes) {
    if (absl::StartsWith(ct, t)) {
      return absl::InvalidArgumentError(absl::StrCat("not HTML: content type ", content_type));
    }
  }
  static constexpr absl::string_view kMagic[] = {"%PDF-",        "\x89PNG",    "GIF8",
                                                 "\xFF\xD8\xFF", "PK\x03\x04", "\xD0\xCF\x11\xE0",
                                                 "Rar!",         "\x1F\x8B",   "7z\xBC\xAF"};
  for (absl::string_view m : kMagic) {
    if (absl::StartsWith(bytes, m)) {
      return absl::InvalidArgumentError("not HTML: binary file signature");
    }
  }
  // UTF-16 text is full of NULs but starts with a BOM.
  if (absl::StartsWith(bytes, "\xFF\xFE") || absl::StartsWith(bytes, "\xFE\xFF")) {
    return absl::OkStatus();
  }
  const absl::string_view head = bytes.substr(0, 8192);
  // Counted with memchr: text has none, and a byte loop costs ~7 instructions
  // a byte here.
  size_t nuls = 0;
  for (const char *p = head.data(), *end = p + head.size();
       p < end && (p = static_cast<const char*>(std::memchr(p, '\0', end - p))) != nullptr; ++p) {
    ++nuls;
  }
  if (nuls > 8 && nuls * 50 > head.size()) {
    return absl::InvalidArgumentError("not HTML: binary content (NUL bytes)");
  }
  return absl::OkStatus();
}

const xmlNode* FindFirst(const xmlNode* n, absl::string_view tag) {
  for (const xmlNode* c = n == nullptr ? nullptr : n->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (internal::IsTag(c, tag)) return c;
    if (const xmlNode* f = FindFirst(c, tag)) return f;
  }
  return nullptr;
}

std::string MetaValue(const std::vector<internal::MetaTag>& metas, absl::string_view name) {
  for (const auto& m : metas) {
    if (m.name == name) return internal::CollapseWhitespace(m.content);
  }
  return "";
}

bool RootUrl(const std::string& base) {
  const std::string resolved = ResolveUrl(base, "");
  if (resolved.empty()) return false;
  const size_t scheme_end = resolved.find("://");
  const size_t slash = resolved.find('/', scheme_end + 3);
  if (slash == std::string::npos) return true;
  std::string path = absl::AsciiStrToLower(resolved.substr(slash));
  if (path.find('?') != std::string::npos) return false;
  if (path == "/") return true;
  static constexpr absl::string_view kIndex[] = {"/index.htm",     "/index.html",   "/index.shtml",
                                                 "/index.jsp",     "/index.php",    "/index.aspx",
                                                 "/default.htm",   "/default.html", "/default.aspx",
                                                 "/default.shtml", "/index.asp"};
  for (absl::string_view i : kIndex) {
    if (path == i) return true;
  }
  return false;
}

// <title> is non-content for NodeText; read its text children directly.
std::string TitleText(const xmlNode* title) {
  std::string raw;
  for (const xmlNode* c = title == nullptr ? nullptr : title->children; c != nullptr; c = c->next) {
    if (c->content != nullptr) raw += reinterpret_cast<const char*>(c->content);
  }
  return internal::CollapseWhitespace(raw);
}

std::string NoSpaces(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out += c;
  }
  return out;
}

// The article heading: the longest visible line that <title> starts with
// (<title> is usually "heading_column_site").
std::string TitleLine(const std::string& title, const std::vector<std::string>& lines) {
  const std::string t = NoSpaces(title);
  std::string best;
  for (const std::string& line : lines) {
    if (line.size() <= best.size() || line.size() < 12 || line.size() > 600) {
      continue;
    }
    if (absl::StartsWith(t, NoSpaces(line))) best = line;
  }
  return best;
}

bool ContainsAny(absl::string_view s, std::initializer_list<absl::string_view> words) {
  for (absl::string_view w : words) {
    if (absl::StrContains(s, w)) return true;
  }
  return false;
}

}  // namespace

// The anchor's markup came from script data (a <census-embedded from="script">).
bool FromScriptData(const xmlNode* anchor) {
  for (const xmlNode* n = anchor; n != nullptr; n = n->parent) {
    if (internal::IsTag(n, internal::kEmbeddedTag)) {
      return internal::Attr(n, internal::kEmbeddedSourceAttr) == internal::kFromScript;
    }
  }
  return false;
}

absl::StatusOr<PageExtract> ExtractPage(absl::string_view bytes,
                                        absl::string_view content_type_header,
                                        const ExtractOptions& options) {
  if (absl::Status s = CheckLooksLikeText(bytes, content_type_header); !s.ok()) {
    return s;
  }
  PageExtract page;
  DecodedText decoded = DecodeToUtf8(bytes, content_type_header);
  page.charset = decoded.charset;
  internal::DocPtr doc = internal::ParseHtml(decoded.utf8);
  page.kind = "other";
  if (doc == nullptr) return page;
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return page;

  // Links and text before lists hidden in comments/scripts are grafted in:
  // readers never see those.
  internal::UrlResolver urls(options.base_url);
  internal::AnchorTitles titles;
  page.links = internal::PageLinks(root, &urls, &titles);
  const xmlNode* body = FindFirst(root, "body");
  // One text walk: the visible text is the block lines joined.
  const std::vector<std::string> lines = internal::BlockLines(body != nullptr ? body : root);
  page.text = absl::StrJoin(lines, " ");
  const std::vector<internal::MetaTag> metas = internal::MetaTags(doc.get());

  // Year-less dates resolve against the monitoring day, or against the page's
  // own generation time when it states one (earlier wins).
  absl::CivilDay as_of = options.as_of;
  const std::string generated = internal::GenerationDate(metas);
  absl::CivilDay gen_day;
  if (!generated.empty() && ParseCivilDay(generated, &gen_day) &&
      (!internal::AsOfSet(as_of) || gen_day < as_of)) {
    as_of = gen_day;
  }

  internal::ExpandEmbeddedMarkup(doc.get());
  std::vector<FoundItem> found =
      options.list_xpath.empty()
          ? internal::FindDatedItems(doc.get(), &urls, as_of, &titles)
          : internal::ItemsByXPath(doc.get(), options.list_xpath, &urls, as_of);

  const internal::PublicationDate pub = internal::FindPublicationDate(lines, metas, as_of);
  const std::string html_title = TitleText(FindFirst(root, "title"));
  const std::string article_title = MetaValue(metas, "articletitle");

  // A column page's own text (for blank and article tests), without the column's
  // heading (the <title>'s first part).
  int own_chars = 0;
  if (options.column_page || options.measure_own_text) {
    page.content_lines = internal::ContentLines(body != nullptr ? body : root, html_title, &urls);
    for (const ContentLine& l : page.content_lines) own_chars += std::abs(l.chars);
  }

  // Group items into list blocks.
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < found.size(); ++i) {
    if (!found[i].boilerplate) groups[found[i].group].push_back(i);
  }
  size_t largest = 0;
  size_t blocks = 0;
  for (const auto& [key, idx] : groups) {
    largest = std::max(largest, idx.size());
    if (idx.size() >= 2) ++blocks;
  }

  // Kind.
  const bool root_url = RootUrl(options.base_url);
  const bool mailbox_title =
      ContainsAny(html_title, {"信箱", "留言", "来信", "咨询", "投诉", "诉求"});
  const bool article_like =
      !article_title.empty() || (pub.source != internal::PublicationDate::kNone && largest < 8);
  // Dated content items, however few: on a column's page one dated row is a list.
  size_t content_items = 0;
  for (const auto& [key, idx] : groups) content_items += idx.size();
  if (!options.list_xpath.empty()) {
    page.kind = mailbox_title ? "mailbox" : "list";
  } else if (options.column_page && !root_url) {
    // An article leased as a column: a body of text under an article-title meta or a
    // labelled publication date, with at most a short related list. A CMS that puts an
    // ArticleTitle meta on its list pages, a footer's 发布时间 or a lone row's date does
    // not make a short list an article.
    const bool article_marked =
        !article_title.empty() || pub.source == internal::PublicationDate::kLabel;
    const bool plainly_article = article_marked && largest < 4 && own_chars >= 300;
    if (plainly_article) {
      page.kind = "article";
    } else if (content_items > 0) {
      page.kind = mailbox_title ? "mailbox" : "list";
    } else if (pub.source != internal::PublicationDate::kNone || !article_title.empty()) {
      page.kind = "article";
    }
  } else if (root_url || blocks >= 4) {
    page.kind = "home";
  } else if (article_like && (blocks == 0 || largest < 8)) {
    page.kind = "article";
  } else if (largest >= 2) {
    page.kind = mailbox_title ? "mailbox" : "list";
  } else if (pub.source != internal::PublicationDate::kNone) {
    page.kind = "article";
  }

  // Items: every dated link on homepages; the main list blocks elsewhere.
  std::vector<bool> take(found.size(), false);
  if (page.kind == "home" || !options.list_xpath.empty()) {
    for (const auto& [key, idx] : groups) {
      for (size_t i : idx) take[i] = true;
    }
  } else if (page.kind == "list" || page.kind == "mailbox") {
    const size_t least = options.column_page ? 1 : 2;
    for (const auto& [key, idx] : groups) {
      if (idx.size() >= std::max<size_t>(least, (largest + 1) / 2) || idx.size() == largest) {
        for (size_t i : idx) take[i] = true;
      }
    }
  }
  bool all_from_script = true;
  for (size_t i = 0; i < found.size(); ++i) {
    if (!take[i]) continue;
    all_from_script = all_from_script && FromScriptData(found[i].anchor);
    page.items.push_back(std::move(found[i].item));
  }
  if (!page.items.empty()) page.list_source = all_from_script ? "script" : "html";

  // Title.
  page.title = html_title;
  if (page.kind == "article") {
    const std::string heading = TitleLine(html_title, lines);
    if (!article_title.empty()) {
      page.title = article_title;
    } else if (!heading.empty()) {
      page.title = heading;
    } else if (const size_t cut = html_title.find_first_of("_|");
               cut != std::string::npos && cut >= 18) {
      page.title = internal::CollapseWhitespace(html_title.substr(0, cut));
    } else if (const xmlNode* h1 = FindFirst(body, "h1")) {
      std::string t = internal::NodeText(h1);
      if (!t.empty() && t.size() < 400) page.title = t;
    }
  }

  // Dates.
  if (page.kind == "article") {
    page.publication_date = pub.date;
    page.latest_date = pub.date;
  } else {
    for (const ExtractedItem& it : page.items) {
      page.latest_date = std::max(page.latest_date, it.date);
    }
  }

  // Mailbox rows and the pager (list-like pages only).
  // An article page can hold a short letter table (its dates look like a
  // byline); a page with an article-title meta cannot.
  if (page.kind != "home" && (page.kind != "article" || article_title.empty())) {
    if (internal::MayHoldMailbox(page.text)) {
      page.messages = internal::MailboxMessages(root, &urls, as_of);
    }
    if (page.messages.size() >= 2) {
      page.kind = "mailbox";
      page.publication_date.clear();
      page.title = html_title;
      page.latest_date.clear();
      for (const ExtractedItem& it : page.items) {
        page.latest_date = std::max(page.latest_date, it.date);
      }
    } else if (page.kind == "article") {
      page.messages.clear();
    }
    if (page.kind != "article") page.next_page_url = internal::NextPageUrl(root, &urls);
  }

  absl::flat_hash_set<const xmlNode*> item_anchors;
  for (const FoundItem& f : found) {
    if (!f.boilerplate) item_anchors.insert(f.anchor);
  }
  page.nav_columns = internal::NavColumns(root, &urls, item_anchors);
  if (options.column_page) {
    const internal::ScriptFacts scripts = internal::ScriptsOf(root);
    page.scripted = scripts.scripted;
    page.empty_list_container = page.items.empty() && scripts.empty_container;
    page.script_list = page.items.empty() && scripts.may_fill;
    for (const std::string& url :
         page.items.empty() ? scripts.data_urls : std::vector<std::string>()) {
      std::string resolved = ResolveUrl(options.base_url, url);
      if (!resolved.empty() && std::find(page.list_data_urls.begin(), page.list_data_urls.end(),
                                         resolved) == page.list_data_urls.end()) {
        page.list_data_urls.push_back(std::move(resolved));
      }
    }
    page.breadcrumb = internal::Breadcrumb(lines);
  }
  if (page.items.empty() && page.kind != "article") {
    page.blank_placeholder =
        ContainsAny(page.text, {"暂无信息", "暂无数据", "暂无内容", "暂无记录", "没有相关信息",
                                "暂无相关", "该栏目暂无", "没有找到相关", "暂无文章", "暂无新闻"});
  }
  return page;
}

absl::StatusOr<std::string> PageVisibleText(absl::string_view bytes,
                                            absl::string_view content_type_header) {
  if (absl::Status s = CheckLooksLikeText(bytes, content_type_header); !s.ok()) return s;
  DecodedText decoded = DecodeToUtf8(bytes, content_type_header);
  internal::DocPtr doc = internal::ParseHtml(decoded.utf8);
  const xmlNode* root = doc == nullptr ? nullptr : xmlDocGetRootElement(doc.get());
  if (root == nullptr) return std::string();
  const xmlNode* body = FindFirst(root, "body");
  return absl::StrJoin(internal::BlockLines(body != nullptr ? body : root), " ");
}

absl::StatusOr<PageExtract> ExtractListData(absl::string_view bytes,
                                            absl::string_view content_type_header,
                                            const ExtractOptions& options) {
  if (absl::Status s = CheckLooksLikeText(bytes, content_type_header); !s.ok()) return s;
  DecodedText decoded = DecodeToUtf8(bytes, content_type_header);
  absl::string_view text = absl::StripLeadingAsciiWhitespace(decoded.utf8);
  if (absl::StartsWith(text, "<")) {
    // Markup: an HTML fragment of rows, or data-store records (<datastore><record>
    // <![CDATA[<li>…</li>]]>), which the page extractor reads where a page carries them,
    // in a text/xml script.
    ExtractOptions column = options;
    column.column_page = true;
    const bool records = absl::StrContains(text, "<record");
    absl::StatusOr<PageExtract> page =
        ExtractPage(records ? absl::StrCat("<html><body><script type=\"text/xml\">", text,
                                           "</script></body></html>")
                            : std::string(text),
                    "text/html; charset=utf-8", column);
    if (page.ok()) {
      page->charset = decoded.charset;
      page->list_data_urls.clear();
    }
    return page;
  }
  PageExtract page;
  page.charset = decoded.charset;
  page.kind = "list";
  for (internal::ScriptListItem& item : internal::ScriptListItems(text)) {
    ExtractedItem out;
    out.title = std::move(item.title);
    out.href = options.base_url.empty() ? item.href : ResolveUrl(options.base_url, item.href);
    absl::CivilDay day;
    if (!item.date_text.empty() && ParseDate(item.date_text, options.as_of, &day)) {
      out.date = FormatCivilDay(day);
    }
    out.date_raw = std::move(item.date_text);
    if (out.href.empty()) continue;
    page.latest_date = std::max(page.latest_date, out.date);
    page.items.push_back(std::move(out));
  }
  if (!page.items.empty()) page.list_source = "script";
  return page;
}

namespace {

void JsonString(absl::string_view s, std::string* out) {
  *out += '"';
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          static constexpr char kHex[] = "0123456789abcdef";
          *out += "\\u00";
          *out += kHex[c >> 4];
          *out += kHex[c & 15];
        } else {
          *out += ch;
        }
    }
  }
  *out += '"';
}

void JsonDate(absl::string_view s, std::string* out) {
  if (s.empty()) {
    *out += "null";
  } else {
    JsonString(s, out);
  }
}

}  // namespace

std::string PageExtractToJson(const PageExtract& page) {
  std::string out = "{\"charset\":";
  JsonString(page.charset, &out);
  out += ",\"kind\":";
  JsonString(page.kind, &out);
  out += ",\"title\":";
  JsonString(page.title, &out);
  out += ",\"items\":[";
  for (size_t i = 0; i < page.items.size(); ++i) {
    if (i > 0) out += ',';
    out += "\n  {\"title\":";
    JsonString(page.items[i].title, &out);
    out += ",\"href\":";
    JsonString(page.items[i].href, &out);
    out += ",\"date\":";
    JsonDate(page.items[i].date, &out);
    out += ",\"date_raw\":";
    JsonString(page.items[i].date_raw, &out);
    out += '}';
  }
  out += "],\n\"latest_date\":";
  JsonDate(page.latest_date, &out);
  out += ",\"publication_date\":";
  JsonDate(page.publication_date, &out);
  out += ",\"blank_placeholder\":";
  out += page.blank_placeholder ? "true" : "false";
  out += ",\n\"nav_columns\":[";
  for (size_t i = 0; i < page.nav_columns.size(); ++i) {
    if (i > 0) out += ',';
    out += "\n  {\"name\":";
    JsonString(page.nav_columns[i].name, &out);
    out += ",\"url\":";
    JsonString(page.nav_columns[i].url, &out);
    out += ",\"category\":";
    JsonString(CategoryName(page.nav_columns[i].category), &out);
    out += ",\"via\":";
    JsonString(page.nav_columns[i].via, &out);
    if (!page.nav_columns[i].parent.empty()) {
      out += ",\"parent\":";
      JsonString(page.nav_columns[i].parent, &out);
    }
    out += '}';
  }
  out += "],\n\"links\":[";
  for (size_t i = 0; i < page.links.size(); ++i) {
    if (i > 0) out += ',';
    out += "\n  ";
    JsonString(page.links[i].url, &out);
  }
  out += "],\n\"hidden_links\":[";
  bool first = true;
  for (const ExtractedLink& l : page.links) {
    if (!l.hidden) continue;
    out += first ? "\n  {\"url\":" : ",\n  {\"url\":";
    first = false;
    JsonString(l.url, &out);
    out += ",\"text\":";
    JsonString(l.text, &out);
    out += ",\"how\":";
    JsonString(l.hidden_how, &out);
    out += '}';
  }
  out += "],\n\"attachments\":[";
  first = true;
  for (const ExtractedLink& l : page.links) {
    if (!l.attachment) continue;
    out += first ? "\n  " : ",\n  ";
    first = false;
    JsonString(l.url, &out);
  }
  out += "],\n\"next_page\":";
  JsonDate(page.next_page_url, &out);
  out += ",\n\"messages\":[";
  for (size_t i = 0; i < page.messages.size(); ++i) {
    const MailboxMessage& m = page.messages[i];
    out += i > 0 ? ",\n  {\"title\":" : "\n  {\"title\":";
    JsonString(m.title(), &out);
    out += ",\"href\":";
    JsonString(m.href(), &out);
    out += ",\"submitted\":";
    JsonDate(m.submitted(), &out);
    out += ",\"answered\":";
    out += m.answered() ? "true" : "false";
    out += ",\"replied\":";
    JsonDate(m.replied(), &out);
    out += ",\"status\":";
    JsonString(m.status_raw(), &out);
    out += '}';
  }
  out += ']';
  if (!page.content_lines.empty() || !page.breadcrumb.empty() || page.script_list) {
    int chars = 0;
    for (const ContentLine& l : page.content_lines) chars += std::abs(l.chars);
    absl::StrAppend(&out, ",\n\"own_text\":{\"lines\":", page.content_lines.size(),
                    ",\"chars\":", chars, "},\"script_list\":", page.script_list ? "true" : "false",
                    ",\"breadcrumb\":[");
    for (size_t i = 0; i < page.breadcrumb.size(); ++i) {
      if (i > 0) out += ',';
      JsonString(page.breadcrumb[i], &out);
    }
    out += ']';
  }
  if (!page.list_source.empty()) {
    out += ",\n\"list_source\":";
    JsonString(page.list_source, &out);
  }
  if (!page.list_data_urls.empty()) {
    out += ",\n\"list_data_urls\":[";
    for (size_t i = 0; i < page.list_data_urls.size(); ++i) {
      if (i > 0) out += ',';
      JsonString(page.list_data_urls[i], &out);
    }
    out += ']';
  }
  out += "}\n";
  return out;
}

}  // namespace census
