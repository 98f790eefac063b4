#ifndef CENSUS_SIMWEB_FAMILY_WEB_H_
#define CENSUS_SIMWEB_FAMILY_WEB_H_

// Sites built the way real CMS families build them (docs/SIMWEB.md): the pages that
// tripped the census on webs it was not written against (issue 16) — homepage headline
// lists of articles, static intro pages in the navigation, short lists of 1-7 dated
// rows in tables and lists, `javascript:;` parents with submenus, 更多 links, 专题专栏
// and 办事服务 blocks, a column reachable only from another column's sidebar, blank
// columns of each family's empty form, stale columns, and lexicon terms in article
// bodies and attachment link texts.
//
// Each family's markup is a FamilyMarkup (family_markup.cc for the four tuned on,
// family_heldout.cc for the two held out); the model of each site is built by
// family_sites.cc and one renderer (family_web.cc) draws every page from both.

#include <string>

#include "absl/strings/string_view.h"
#include "simweb/site_model.h"

namespace census::simweb {

// Replaces `site`'s columns, homepage blocks and planted findings with family `f`'s
// (deterministic from options.seed and site->index); identity, host and scenario
// stay, the scenario's faults are dropped (family sites are healthy hosts).
void MakeFamilySite(const WebOptions& options, Family f, Site* site);

// The page at `path` (`query`: the request's query string, without '?') of a family
// site: true with `*status` and `*body` (UTF-8 HTML, or a file's or a data URL's bytes
// with `*content_type`) when the path is one of its pages.
bool FamilyPage(const Web& web, const Site& site, absl::string_view path, absl::string_view query,
                int* status, std::string* body, std::string* content_type);

// The URL path of an article of a family site's column.
std::string FamilyArticlePath(const Site& site, const Column& column, const Item& item);

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_FAMILY_WEB_H_
