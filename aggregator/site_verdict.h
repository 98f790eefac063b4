#ifndef CENSUS_AGGREGATOR_SITE_VERDICT_H_
#define CENSUS_AGGREGATOR_SITE_VERDICT_H_

// The pure half of the aggregator: from facts gathered about one site (probe
// outcomes, dated list items, link checks, mailbox messages, content findings) and a
// Rubric to the report's columns, homepage, interaction, vetoes, deductions, early
// warnings, score and verdict. No Store, no I/O: every function here is a
// deterministic function of its arguments.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "aggregator/aggregator.h"
#include "common/category.h"
#include "common/fetch_error.h"
#include "proto/census.pb.h"
#include "proto/report.pb.h"

namespace census {

// A reachability probe failed: transport/HTTP error, or a status other than 2xx/3xx.
// A success status whose body was over the fetch cap (TOO_LARGE) is reachable: the
// server answered within the timeout, whatever the body's size.
bool ProbeFailed(const FetchRecord& probe);

// The error class of a failed probe (ProbeFailures.error): the fetch error's name, or
// "http_status" for a bare status outside 2xx/3xx.
std::string ProbeErrorClass(const FetchRecord& probe);

// The error name of a broken link check, or nullopt when the target opened (FETCH_OK,
// or TOO_LARGE: the body was only over our cap) or was not judged (BLOCKED_ADDRESS).
std::optional<std::string> BrokenLinkError(const FetchRecord& check);

// Broken links: confirmed when the status is 404, 410 or 403, or the check failed again
// after a delay (attempts >= 2); otherwise suspected (timeouts, 5xx, refused, dns ...).
bool LinkConfirmed(const FetchRecord& check);

// Whole days from `date` ("YYYY-MM-DD") to as_of; nullopt when `date` is malformed.
std::optional<int64_t> DaysBefore(const std::string& date, absl::CivilDay as_of);

// as_of minus `months` calendar months, the day clamped to the target month's length
// (2026-08-31 minus 6 months is 2026-02-28).
absl::CivilDay MonthsBefore(absl::CivilDay as_of, int months);

// "14 days" / "6 months".
std::string WindowText(const RubricWindow& window);

// What a reader is told is wrong with a column, in this order: "not opened: ERROR",
// "blank", "stale", "long unupdated", "unverified-blank" (a script may build its list and
// no browser looked). Empty when nothing is. The one list behind `census report`, the
// serve UI's column states and the notice's problem-only column tables, so that a state
// the report adds is shown everywhere or nowhere.
std::vector<std::string> ColumnProblems(const report::ColumnReport& column);
// !ColumnProblems(column).empty(), without building the list (the notice asks it of every
// column of every site).
bool HasColumnProblems(const report::ColumnReport& column);

// What is known about one column's list page.
struct ColumnFacts {
  std::string name;
  std::string url;
  Category category = CATEGORY_UNSPECIFIED;
  // A list-page observation exists (the page was read, now or in an earlier run).
  bool observed = false;
  std::vector<std::string> item_dates;  // one per list item, "" when undated
  bool blank_placeholder = false;       // the page says 暂无信息 etc.
  std::string page_kind;                // the extractor's kind of the page (list, article ...)
  bool has_messages = false;            // mailbox letters were read from the page
  // The page's own text was measured (observations from 2026-12 on); own_chars is
  // how much of it is the page's alone (OwnTextOf) and script_list whether a
  // script may fill its list in a browser.
  bool own_text_measured = false;
  int own_chars = 0;  // text lines' characters
  int own_links = 0;  // links of the main area to pages that are not the site's columns
  bool script_list = false;
  // Where the items were read and the rendered look (PageObservation list_source,
  // render, render_detail; docs/COLUMNS.md "Lists that scripts build").
  std::string list_source;
  std::string render;
  std::string render_detail;
  // Error of the newest fetch of the page within the run (FETCH_OK when it was read
  // or not fetched in this run).
  FetchError fetch_error = FETCH_OK;
  // Snapshot history of the list page (SummarizeHistory).
  int observations = 0;
  int changes = 0;
  double observation_interval_days = 0.0;
};

// A column page with no items and at least this much text of its own, or this many
// links of its own (领导信息: a list of undated links), is a static page (机构概况,
// 联系我们), not a blank column (docs/COLUMNS.md).
inline constexpr int kStaticPageMinChars = 10;
inline constexpr int kStaticPageMinLinks = 2;

// A page's own text once the site's template is subtracted.
struct OwnText {
  bool measured = false;
  int chars = 0;  // letters, digits and ideographs of its own text lines
  int links = 0;  // its own links
};

// Each page's own text (PageObservation own_line_hashes/own_line_chars) that no
// other page of `pages` shares and that is not a link to one of `site_urls` (the
// homepage and the site's columns): the template's header, footer and sidebars
// cancel out. One entry per page, in order (not measured for a null page or one
// observed before pages' own text was measured).
std::vector<OwnText> OwnTextOf(const std::vector<const PageObservation*>& pages,
                               const std::vector<absl::string_view>& site_urls);

// Columns whose category has an update window in the rubric.
bool IsJudgedCategory(Category category, const Rubric& rubric);

// items, page, last_update, blank, stale, long_unupdated, updates_30d,
// mean_interval_days, fetch_error, observations, changes, change_rate_per_day. A page
// without items is blank only when it says so (暂无信息) or has no text of its own
// (page "empty"); with text of its own, or an article, it is "static". It is blank
// only on a rendered look or when no script can change it: when a script may fill it
// and it was not rendered (no renderer, or the render failed), it is
// "unverified-blank", neither blank nor stale (docs/COLUMNS.md). verdict_source says
// where the verdict came from (html, script, data_url, rendered). A column whose page
// failed is neither blank nor stale (fetch_error says why); a column never read and not
// failing is "not_fetched", neither blank nor stale. An undated column counts as not
// updated (stale, and long_unupdated when its category should be updated).
report::ColumnReport JudgeColumn(const ColumnFacts& facts, absl::CivilDay as_of,
                                 const Rubric& rubric);
// The same, into `column`, which must be empty (a cleared message: the aggregator reuses
// one site's reports for the next site's).
void JudgeColumn(const ColumnFacts& facts, absl::CivilDay as_of, const Rubric& rubric,
                 report::ColumnReport* column);

// What the snapshot history of one page says about its changes.
struct HistorySummary {
  int observations = 0;             // snapshots
  int changes = 0;                  // consecutive snapshots whose list items or content hash differ
  double mean_interval_days = 0.0;  // mean time between consecutive snapshots
};
HistorySummary SummarizeHistory(const std::vector<PageObservation>& history);

// Cho & Garcia-Molina's bias-reduced change-rate estimator for incomplete observation
// ("Estimating frequency of change", ACM TOIT 2003): with n accesses at interval I
// (days) that detected X changes, r = -ln((n - X + 0.5) / (n + 0.5)) / I changes a day.
// 0 when n < 1 or I <= 0; X is clamped to [0, n].
double EstimateChangeRate(int accesses, int changes, double interval_days);

// The homepage: last_update = newest dated item; updates_in_window = items dated
// within the homepage window (the homepage_update_volume window, else the
// homepage_stale window, else 14 days). With no dated item and at least one column, the
// homepage is navigation-only: last_update is the newest column last_update and
// updates_in_window counts `second_level_dates` (the column pages' item dates).
report::Homepage JudgeHomepage(
    const std::vector<std::string>& item_dates,
    const google::protobuf::RepeatedPtrField<report::ColumnReport>& columns, bool has_columns,
    absl::CivilDay as_of, const Rubric& rubric,
    const std::vector<std::string>& second_level_dates = {});

// The link text names an online system (rubric online_system_keyword).
bool IsOnlineSystemText(const std::string& text, const Rubric& rubric);

// An INTERACTION column of consultation type: its name contains none of the rubric's
// consultation_exclude terms (在线访谈, 调查征集, 网上信访, 纪检举报 ...).
bool IsConsultationColumn(const std::string& name, const Rubric& rubric);

// interaction_unanswered: a message submitted within the lookback (submitted >=
// as_of minus lookback) that is either unanswered with submitted before as_of minus
// the window, or answered with a reply date after submitted plus the window. False
// when that rule is off or the submitted date is unreadable.
bool UnansweredTooLong(const MailboxMessage& message, absl::CivilDay as_of, const Rubric& rubric);

// interaction_slow_replies: submitted within the interaction lookback (any date when
// that rule is off), answered, and replied more than the rule's threshold days later.
bool SlowReply(const MailboxMessage& message, absl::CivilDay as_of, const Rubric& rubric);

// messages, answered, unanswered_over_3_months, mean_reply_days (answered messages
// with both dates), slow_replies over the messages of the consultation mailboxes.
report::Interaction JudgeInteraction(const std::vector<MailboxMessage>& messages,
                                     absl::CivilDay as_of, const Rubric& rubric);

// The host of an http(s) URL, lower-cased, without port ("" when none).
std::string UrlHost(const std::string& url);

// `url` is on another host than the site's homepage `site_url`: neither the same host
// nor a subdomain of it, a leading "www." ignored on both.
bool IsOffSite(const std::string& url, const std::string& site_url);

// forged_date findings in the history of one page (oldest first): a list item (same
// href) whose shown date changed between two snapshots, or (for an article page) a
// publication date that moved. `index` is the snapshot that shows the new date.
struct DateChange {
  std::string url;  // the item's href, or the article URL
  std::string detail;
  size_t index = 0;
};
std::vector<DateChange> FindDateChanges(const std::vector<PageObservation>& history);

// IPv6 (docs/REPORT.md "IPv6 and HTTPS"): what one PROBE_V6 record says.
enum class Ipv6ProbeOutcome {
  kOpened = 0,  // the homepage opened over IPv6 (as a probe opens: 2xx/3xx)
  kFailed,      // the host has an IPv6 address and the homepage did not open over it
  kNoAddress,   // the host resolved to no IPv6 address (DNS)
  kUnverified,  // the worker could not try: no IPv6 route of its own (ENETUNREACH,
                // EAFNOSUPPORT, EADDRNOTAVAIL) or an address refused by policy
};
Ipv6ProbeOutcome JudgeIpv6Probe(const FetchRecord& probe);

// The site's ipv6 report from the run's PROBE_V6 records (any order): aaaa, address (the
// newest IPv6 address connected to), status, probes (all but the unverified), failures
// (failed and no-address), availability, unverified, detail (the newest failed or
// unverified probe's words).
report::Ipv6 JudgeIpv6(const std::vector<FetchRecord>& probes);

// The site's https report from the run's newest HTTPS_CHECK record (null: none, then
// "unverified"). valid: the certificate verified; invalid: a handshake with a refused
// certificate (certificate_error says why); not_offered: the https:// homepage refused
// the connection or spoke no TLS and http does not redirect to https; unverified
// otherwise (a timeout, a name that did not resolve, our own CA file unusable ...).
// days_to_expiry counts whole days from the check to notAfter, rounded down.
report::Https JudgeHttps(const FetchRecord* check);

// Fills site->verdict, score, vetoes, deductions and early_warnings from
// site->reachability, homepage, columns, links.broken, interaction, content, ipv6 and
// https (which must already be filled). Clears any vetoes / deductions / warnings already there.
void JudgeSite(absl::CivilDay as_of, const Rubric& rubric, report::SiteReport* site);

// Rounds to one decimal (scores) and to two decimals (deduction points).
double RoundTo(double value, int decimals);

}  // namespace census

#endif  // CENSUS_AGGREGATOR_SITE_VERDICT_H_
