#ifndef CENSUS_SIMWEB_TRUTH_H_
#define CENSUS_SIMWEB_TRUTH_H_

// The ground truth of a simulated web: what a correct census must find, derived
// from the model with the rubric's rules (see /work/shared/DESIGN.md), plus the
// sites.csv / columns.csv registry files the census reads.
//
// truth.json:
// {"seed":1,"as_of":"2026-11-20","day":0,"probes":24,"sites":[{"site_id","name","url","host",
//   "scenario","charset":"utf-8|gbk","verdict":"pass|fail|unreachable",
//   "vetoes":[sorted rule names],"reachability":{"probes","failures"},
//   "homepage":{"last_update":"YYYY-MM-DD"|"","navigation_only":bool},
//   "columns":[{"name","url","category","items","last_update","stale","blank"}],
//   "broken_links":[{"url","found_on","on_homepage","error","status"}],
//   "interaction":{"messages","answered","unanswered_over_3_months"},
//   "content":[{"kind","url","found_on","target","term","correction","how","date_before",
//               "date_after"}]}],
//  "connect_to":["HOST:80:127.0.0.1:PORT",...]}
// status is 404 / 500 / 200 (soft_404) and 0 for timeout, dns, connect and
// redirect_loop. "as_of" is the day served (options.as_of + day): the census's --as-of.
// content kinds: serious_typo / sensitive_word (url: the page whose text carries `term`,
// correction for typos), hidden_link (url: the page carrying it, target: the hidden link's
// href, how: display:none | off-screen | font-size:0), forged_date (url: the article, found_on:
// its column page, date_before / date_after YYYY-MM-DD; listed from day 1 on, for a census
// that also ran on day 0 with the same --data). Unused content fields are left out.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "simweb/site_model.h"

namespace census::simweb {

// Staleness windows of the rubric (days / calendar months).
constexpr int kNewsStaleDays = 14;
constexpr int kHomepageStaleDays = 14;
constexpr int kNoticePolicyStaleMonths = 6;
constexpr int kPersonnelPlanStaleMonths = 12;

struct ColumnTruth {
  std::string name;
  std::string url;
  std::string category;
  int items = 0;
  std::string last_update;  // "" when blank
  bool stale = false;
  bool blank = false;
};

struct BrokenLinkTruth {
  std::string url;
  std::string found_on;
  bool on_homepage = false;
  std::string error;
  int status = 0;
};

struct InteractionTruth {
  int messages = 0;                  // letters listed by the interaction columns
  int answered = 0;                  // 已回复 on the day served
  int unanswered_over_3_months = 0;  // submitted within a year, > 3 months ago, no reply
};

struct ContentTruth {
  std::string kind;  // serious_typo | sensitive_word | hidden_link | forged_date
  std::string url;
  std::string found_on;
  std::string target;  // hidden_link: the hidden link's href (absolute)
  std::string term;
  std::string correction;
  std::string how;
  std::string date_before;
  std::string date_after;
};

struct SiteTruth {
  std::string verdict;              // pass | fail | unreachable
  std::vector<std::string> vetoes;  // sorted
  int probes = 0;
  int failures = 0;
  std::string homepage_last_update;
  bool navigation_only = false;
  std::vector<ColumnTruth> columns;
  std::vector<BrokenLinkTruth> broken_links;
  InteractionTruth interaction;
  std::vector<ContentTruth> content;
};

// Is a column whose newest item is `newest` stale at `as_of`? Only news,
// notice, policy, personnel and plan columns can be stale.
bool IsStale(Category c, absl::CivilDay newest, absl::CivilDay as_of);

SiteTruth ComputeSiteTruth(const Web& web, const Site& site);

// --connect-to entries: every site host and external host -> 127.0.0.1:port,
// every dead host of the broken-link sites -> 127.0.0.1:dead_port, and the spam hosts
// hidden links point to (only when some site has hidden links) -> 127.0.0.1:port.
std::vector<std::string> ConnectTo(const Web& web, int port, int dead_port);

std::string TruthJson(const Web& web, const std::vector<std::string>& connect_to);
std::string SitesCsv(const Web& web);    // site_id,name,url,org,region,level,kind
std::string ColumnsCsv(const Web& web);  // site_id,name,url,category (not the unreachable sites)

// Writes truth.json, sites.csv and columns.csv into dir (created if missing).
absl::Status WriteTruthFiles(const Web& web, const std::vector<std::string>& connect_to,
                             const std::string& dir);

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_TRUTH_H_
