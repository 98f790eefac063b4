#include "worker/observe.h"

#include <cstdlib>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace census {

std::string ItemKey(const ListItem& item) {
  return absl::StrCat(item.href(), "\x1f", item.title(), "\x1f", item.date());
}

void MergeList(const PageExtract& page, absl::flat_hash_set<std::string>* items_seen,
               PageObservation* obs) {
  for (const ExtractedItem& item : page.items) {
    ListItem li;
    li.set_title(item.title);
    li.set_href(item.href);
    li.set_date(item.date);
    li.set_date_raw(item.date_raw);
    if (!items_seen->insert(ItemKey(li)).second) continue;  // repeated on an earlier page
    *obs->add_items() = std::move(li);
  }
  for (const MailboxMessage& m : page.messages) *obs->add_messages() = m;
  if (page.latest_date > obs->latest_date()) obs->set_latest_date(page.latest_date);
}

bool HasDatedItem(const std::vector<ExtractedItem>& items) {
  for (const ExtractedItem& item : items) {
    if (!item.date.empty()) return true;
  }
  return false;
}

std::vector<ExtractedLink> AddScriptRows(const LexiconScanner* scanner, absl::string_view page_text,
                                         const std::vector<ExtractedLink>& page_links,
                                         const std::vector<ExtractedItem>& items,
                                         PageObservation* obs) {
  if (scanner != nullptr) {
    std::string text(page_text);
    for (const ExtractedItem& item : items) {
      if (!absl::StrContains(page_text, item.title)) absl::StrAppend(&text, " ", item.title);
    }
    for (ContentHit& hit : scanner->Scan(text)) *obs->add_content_hits() = std::move(hit);
  }
  std::vector<ExtractedLink> item_links;
  absl::flat_hash_set<std::string> linked;
  for (const ExtractedLink& link : page_links) linked.insert(link.url);
  for (const std::string& link : obs->links()) linked.insert(link);
  for (const ExtractedItem& item : items) {
    if (!absl::StartsWith(item.href, "http") || !linked.insert(item.href).second) continue;
    obs->add_links(item.href);
    ExtractedLink link;
    link.url = item.href;
    link.text = item.title;
    item_links.push_back(std::move(link));
  }
  return item_links;
}

ObservedPage ObservePage(const std::string& site_id, TaskKind kind, const std::string& url,
                         const Column* column, const PageExtract& page, int64_t fetched_at_ms,
                         const std::string& content_hash, const LexiconScanner* scanner,
                         PageObservation* obs) {
  ObservedPage out;
  obs->Clear();
  obs->set_site_id(site_id);
  obs->set_kind(kind);
  obs->set_url(url);
  obs->set_extractor_version(kExtractorVersion);
  if (column != nullptr) *obs->mutable_column() = *column;
  if (kind == HOMEPAGE || kind == COLUMN) {
    // The page's own text, line by line (the aggregator subtracts the site's template).
    obs->set_own_text_measured(true);
    for (const ContentLine& line : page.content_lines) {
      obs->add_own_line_hashes(line.hash);
      obs->add_own_line_chars(line.chars);
    }
    obs->set_script_list(page.script_list);
    for (const std::string& name : page.breadcrumb) obs->add_breadcrumb(name);
  }
  if (kind == COLUMN && column != nullptr) {
    // A discovered column's breadcrumb (当前位置 ▸ 专题专栏 ▸ 森林防火) names its
    // section even when the homepage link stood alone.
    if (!column->declared() && page.breadcrumb.size() >= 2) {
      std::vector<std::string> parents(page.breadcrumb.begin(), page.breadcrumb.end() - 1);
      if (!column->parent().empty()) parents.insert(parents.begin(), column->parent());
      obs->mutable_column()->set_category(ClassifyColumn(column->name(), parents));
    }
  }
  obs->set_page_kind(page.kind);
  obs->set_title(page.title);
  absl::flat_hash_set<std::string> items_seen;
  MergeList(page, &items_seen, obs);
  obs->set_publication_date(page.publication_date);
  obs->set_blank_placeholder(page.blank_placeholder);
  obs->set_fetched_at_ms(fetched_at_ms);
  obs->set_content_hash(content_hash);
  obs->set_charset(page.charset);
  obs->set_list_pages(1);
  for (const ExtractedLink& link : page.links) {
    obs->add_links(link.url);
    PageLink* out_link = obs->add_outlinks();
    out_link->set_url(link.url);
    out_link->set_text(link.text);
    out_link->set_attachment(link.attachment);
    out_link->set_hidden(link.hidden);
    out_link->set_hidden_how(link.hidden_how);
  }
  out.item_links = AddScriptRows(scanner, page.text, page.links, page.items, obs);
  if (kind == COLUMN) {
    obs->set_list_source(page.list_source);
    obs->set_scripted(page.scripted);
    if (!HasDatedItem(page.items)) {
      out.list_undated = true;
      if (page.scripted && page.kind != "article" && page.messages.empty()) {
        // Rendered when a script may build its list (an empty list element, list data,
        // a loader) or the page has next to no text. A page of text with a script that
        // writes no list (a date in the header) is not: a static page such as 机构概况
        // costs no render, and the aggregator, should it find the page empty after all,
        // says unverified-blank.
        int own_chars = 0;
        for (const ContentLine& line : page.content_lines) own_chars += std::abs(line.chars);
        if (page.script_list || page.empty_list_container || own_chars < kRenderBelowOwnChars) {
          out.render_wanted = true;
        } else {
          obs->set_render("skipped");
          obs->set_render_detail(absl::StrCat("not rendered: text of its own (", own_chars,
                                              " characters) and no script that builds a list"));
        }
      }
    }
  }
  return out;
}

}  // namespace census
