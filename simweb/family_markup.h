#ifndef CENSUS_SIMWEB_FAMILY_MARKUP_H_
#define CENSUS_SIMWEB_FAMILY_MARKUP_H_

// How one CMS family writes its pages: URL shapes and the markup pieces the family
// renderer (family_web.cc) fills in. Placeholders in braces are replaced: {href},
// {name}, {title}, {date}, {site}, {text}, {more}, {crumbs}, {body}, {source}, {id}.
// Private to simweb.

#include <string>

#include "simweb/site_model.h"

namespace census::simweb {

struct FamilyMarkup {
  // URL path of column `ci` (its slug and a numeric id 1000 + ci are at hand).
  std::string (*column_path)(const Site& site, int ci, const Column& column);
  // URL path of an article of `column`.
  std::string (*article_path)(const Site& site, const Column& column, const Item& item);
  // Column pages link their articles relative to the column's folder (./2026…).
  bool relative_items = false;

  // Navigation: the block, a first-level entry, a parent entry holding a submenu.
  const char* nav_open;
  const char* nav_close;
  const char* nav_item;         // {href} {name}
  const char* nav_parent_open;  // {name}
  const char* nav_sub_item;     // {href} {name}
  const char* nav_parent_close;

  // Lists (long) and the short form (1-7 rows), each with its own date format.
  const char* list_open;
  const char* list_item;  // {href} {title} {date}
  const char* list_close;
  DateFormat list_date;
  const char* short_open;
  const char* short_item;
  const char* short_close;
  DateFormat short_date;
  bool datastore = false;  // lists as Hanweb data-store records in a text/xml script
  const char* empty_list;  // a blank column's empty container

  // Homepage blocks: a headed box of dated items with a 更多 link, and an undated
  // headline strip of article links.
  const char* block_open;  // {name} {more}
  const char* block_close;
  const char* headline_open;
  const char* headline_item;  // {href} {title}
  const char* headline_close;
  const char* section_open;  // a headed block of column links (专题专栏, 办事服务): {name}
  const char* section_item;  // {href} {name}
  const char* section_close;

  // Chrome.
  const char* header;     // {site}
  const char* footer;     // {site} {id}
  const char* crumb;      // {crumbs}: " &gt; <a ...>parent</a> &gt; name" already built
  const char* side_open;  // {name}: the section's heading
  const char* side_item;  // {href} {name}
  const char* side_close;
  const char* static_page;  // {name} {text}
  const char* article;      // {title} {date} {source} {body}

  // The homepage's blocks date their rows year-less (MM-DD, as DedeCMS sites do); else
  // in list_date's form.
  bool yearless_blocks = false;

  // Script-built lists (family_script.cc): a column page's list as the family's script
  // builds it (rows, or none for an empty column), instead of list markup.
  std::string (*script_list)(const Site& site, const Column& column, size_t ci) = nullptr;
  // The family's data URLs (path and query of a request): true with the answer.
  bool (*data_endpoint)(const Site& site, absl::string_view path, absl::string_view query,
                        int* status, std::string* body, std::string* content_type) = nullptr;
};

const FamilyMarkup& MarkupOf(Family f);

// Shared by the model (family_sites.cc) and the renderer (family_web.cc).
// The leaders 领导信息 links to (/ld/1.html ...), and the news section its sidebar shows.
inline constexpr const char* kFamilyLeaders[] = {"张建国", "李明辉", "王芳", "赵华", "陈伟"};
inline constexpr int kFamilyLeaderPages = 3;
inline constexpr char kNewsSection[] = "新闻中心";
// A long list's first page holds this many rows on families that paginate (TRS, DedeCMS).
inline constexpr int kFamilyPageRows = 10;

// The tuned-on families (family_markup.cc) and the held-out ones (family_heldout.cc).
const FamilyMarkup& HanwebMarkup();
const FamilyMarkup& HanwebDatastoreMarkup();
const FamilyMarkup& TrsMarkup();
const FamilyMarkup& DedeCmsMarkup();
const FamilyMarkup& GovcmsMarkup();
const FamilyMarkup& KaipuMarkup();
const FamilyMarkup& ListDataMarkup();
const FamilyMarkup& DataUrlMarkup();
const FamilyMarkup& EncodedListMarkup();

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_FAMILY_MARKUP_H_
