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
//   "homepage":{"last_update":"YYYY-MM-DD"|"","navigation_only":bool,"updates_in_window"},
//   "columns":[{"name","url","category","items","last_update","stale","blank",
//               "long_unupdated"}],
//   "broken_links":[{"url","found_on","on_homepage","error","status","attachment",
//                    "online_system"}],
//   "interaction":{"messages","answered","unanswered_over_3_months","slow_replies"},
//   "content":[{"kind","url","found_on","target","term","correction","how","date_before",
//               "date_after"}],
//   "deductions":[{"rule","points"}],"early_warnings":[rule names],"score"}],
//  "connect_to":["HOST:80:127.0.0.1:PORT",...]}
// status is 404 / 500 / 200 (soft_404) and 0 for timeout, dns, connect and
// redirect_loop. "as_of" is the day served (options.as_of + day): the census's --as-of.
// deductions: one entry a rule that costs points (its capped sum, rounded to 0.01), in the
// rubric's order; early_warnings in the rubric's order; score rounded to 0.1.
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

// The gov-2019 rubric's numbers, copied from rubrics/gov-2019.textproto (the census's
// built-in default; SimWebRubricTest checks every value here against that file). The ground
// truth applies them, with the rules of /work/shared/RUBRIC.md and docs/REPORT.md, to what
// the model planted; simweb does not link the census.
namespace gov2019 {
// Category windows (columns_stale) and points per stale column (columns_not_updated).
inline constexpr int kNewsStaleDays = 14;
inline constexpr int kNoticePolicyStaleMonths = 6;
inline constexpr int kPersonnelPlanStaleMonths = 12;
inline constexpr double kNewsPoints = 3;
inline constexpr double kNoticePolicyPoints = 4;
inline constexpr double kPersonnelPlanPoints = 5;
// A site scoring below this fails.
inline constexpr double kFailBelow = 60;
// Vetoes.
inline constexpr double kUnreachableRatio = 0.05;     // site_unreachable: failed probes >= 5%
inline constexpr int kHomepageStaleDays = 14;         // homepage_stale: no item within 14 days
inline constexpr int kColumnsStale = 5;               // columns_stale: >= 5 stale columns
inline constexpr int kLongUnupdated = 10;             // long_unupdated: >= 10 columns ...
inline constexpr int kLongUnupdatedMonths = 12;       // ... with no item within 12 months
inline constexpr int kBlankColumns = 5;               // blank_columns: >= 5 blank columns
inline constexpr int kUnansweredMonths = 3;           // interaction_unanswered: > 3 months ...
inline constexpr int kUnansweredLookbackMonths = 12;  // ... for letters of the last year
// Deductions: points per occurrence and the rule's cap.
inline constexpr double kAvailabilityPoints = 5;  // homepage_availability, per 1% failed
inline constexpr double kAvailabilityCap = 25;
inline constexpr double kHomeLinkPoints = 1;  // broken_links_homepage
inline constexpr double kHomeLinkCap = 20;
inline constexpr double kOtherLinkPoints = 0.1;  // broken_links_other
inline constexpr double kOtherLinkCap = 20;
inline constexpr double kAttachmentPoints = 1;  // attachments_unavailable
inline constexpr double kAttachmentCap = 10;
inline constexpr double kOnlineSystemPoints = 2;  // online_systems_unavailable
inline constexpr double kOnlineSystemCap = 10;
inline constexpr double kVolumePoints = 5;           // homepage_update_volume: once, when fewer
inline constexpr int kVolumeThreshold = 10;          // than 10 homepage items
inline constexpr int kVolumeDays = 14;               // within 14 days
inline constexpr double kColumnsNotUpdatedCap = 40;  // columns_not_updated
inline constexpr double kSlowReplyPoints = 1;        // interaction_slow_replies: per reply
inline constexpr double kSlowReplyCap = 10;
inline constexpr int kSlowReplyDays = 14;  // later than 14 days
// Early warnings: measure > threshold.
inline constexpr double kWarnUnreachableRatio = 0.03;
inline constexpr int kWarnHomepageDays = 10;
inline constexpr int kWarnBlankColumns = 2;
inline constexpr int kWarnColumnsNotUpdated = 6;
}  // namespace gov2019

// The rubric's deduction and early-warning rules, in the rubric's order.
inline constexpr const char* kDeductionRules[] = {
    "homepage_availability",   "broken_links_homepage",      "broken_links_other",
    "attachments_unavailable", "online_systems_unavailable", "homepage_update_volume",
    "columns_not_updated",     "interaction_slow_replies"};
inline constexpr const char* kWarningRules[] = {"unreachable_ratio", "homepage_not_updated",
                                                "blank_columns", "columns_not_updated"};

struct ColumnTruth {
  std::string name;
  std::string url;
  std::string category;
  int items = 0;
  std::string last_update;  // "" when blank
  bool stale = false;
  bool blank = false;
  bool long_unupdated = false;  // should be updated (news ... plan), no item in 12 months
  std::string kind;             // list | static | mailbox
  std::string found_via;        // family sites: nav | submenu | more | sidebar | topic
  std::string parent;           // family sites: navigation parent or block heading
};

struct BrokenLinkTruth {
  std::string url;
  std::string found_on;
  bool on_homepage = false;
  std::string error;
  int status = 0;
  bool attachment = false;     // planted as a file attachment
  bool online_system = false;  // planted as an online system's link
};

struct InteractionTruth {
  int messages = 0;                  // letters listed by the interaction columns
  int answered = 0;                  // 已回复 on the day served
  int unanswered_over_3_months = 0;  // submitted within a year, > 3 months ago, no reply
  int slow_replies = 0;              // submitted within a year, answered > 14 days later
};

struct DeductionTruth {
  std::string rule;
  double points = 0;  // the rule's sum, capped (not rounded)
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
  int homepage_updates_in_window = 0;       // homepage items dated within the last 14 days
  std::vector<DeductionTruth> deductions;   // rules that cost points, in rubric order
  std::vector<std::string> early_warnings;  // in rubric order
  double score = 0;                         // rounded to 0.1
};

// Is a column whose newest item is `newest` stale at `as_of`? Only news,
// notice, policy, personnel and plan columns can be stale.
bool IsStale(Category c, absl::CivilDay newest, absl::CivilDay as_of);
// Is such a column long-unupdated (long_unupdated: a should-update category, news ... plan,
// with no item within the last 12 months)?
bool IsLongUnupdated(Category c, absl::CivilDay newest, absl::CivilDay as_of);

SiteTruth ComputeSiteTruth(const Web& web, const Site& site);

// --connect-to entries: every site host and external host -> 127.0.0.1:port, every
// site host's port 443 -> 127.0.0.1:dead_port (no site serves https), every dead host of the
// broken-link sites -> 127.0.0.1:dead_port, and the spam hosts hidden links point to (only when
// some site has hidden links) -> 127.0.0.1:port.
std::vector<std::string> ConnectTo(const Web& web, int port, int dead_port);

std::string TruthJson(const Web& web, const std::vector<std::string>& connect_to);
std::string SitesCsv(const Web& web);    // site_id,name,url,org,region,level,kind
std::string ColumnsCsv(const Web& web);  // site_id,name,url,category (not the unreachable sites)

// Writes truth.json, sites.csv and columns.csv into dir (created if missing).
absl::Status WriteTruthFiles(const Web& web, const std::vector<std::string>& connect_to,
                             const std::string& dir);

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_TRUTH_H_
