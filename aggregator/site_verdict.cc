#include "aggregator/site_verdict.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/clock.h"
#include "common/text_hash.h"

namespace census {

bool ProbeFailed(const FetchRecord& probe) {
  const bool success_status = probe.status() >= 200 && probe.status() < 400;
  // The server answered at once with a success status; only our cap cut the body.
  if (probe.error() == TOO_LARGE) return !success_status;
  if (probe.error() != FETCH_OK) return true;
  return !success_status;
}

std::string ProbeErrorClass(const FetchRecord& probe) {
  if (probe.error() == FETCH_OK) return "http_status";
  return FetchErrorName(probe.error());
}

Ipv6ProbeOutcome JudgeIpv6Probe(const FetchRecord& probe) {
  // The worker's own network, not the site: it has no IPv6 route or address at all.
  const int e = probe.os_errno();
  if (probe.error() == BLOCKED_ADDRESS ||
      ((probe.error() == CONNECT || probe.error() == OTHER_ERROR) &&
       (e == ENETUNREACH || e == EAFNOSUPPORT || e == EADDRNOTAVAIL))) {
    return Ipv6ProbeOutcome::kUnverified;
  }
  if (probe.error() == DNS) return Ipv6ProbeOutcome::kNoAddress;
  return ProbeFailed(probe) ? Ipv6ProbeOutcome::kFailed : Ipv6ProbeOutcome::kOpened;
}

report::Ipv6 JudgeIpv6(const std::vector<FetchRecord>& probes) {
  report::Ipv6 out;
  int count[4] = {};  // by Ipv6ProbeOutcome
  const FetchRecord* newest_address = nullptr;
  const FetchRecord* newest_problem = nullptr;
  auto newer = [](const FetchRecord* current, const FetchRecord& candidate) {
    return current == nullptr || candidate.fetched_at_ms() >= current->fetched_at_ms();
  };
  for (const FetchRecord& probe : probes) {
    const Ipv6ProbeOutcome outcome = JudgeIpv6Probe(probe);
    ++count[static_cast<int>(outcome)];
    if (absl::StrContains(probe.remote_ip(), ":") && newer(newest_address, probe)) {
      newest_address = &probe;
    }
    if (outcome != Ipv6ProbeOutcome::kOpened && newer(newest_problem, probe)) {
      newest_problem = &probe;
    }
  }
  const int opened = count[static_cast<int>(Ipv6ProbeOutcome::kOpened)];
  const int failed = count[static_cast<int>(Ipv6ProbeOutcome::kFailed)];
  const int no_address = count[static_cast<int>(Ipv6ProbeOutcome::kNoAddress)];
  const int unverified = count[static_cast<int>(Ipv6ProbeOutcome::kUnverified)];
  const int made = opened + failed + no_address;
  out.set_probes(made);
  out.set_failures(failed + no_address);
  out.set_availability(made > 0 ? static_cast<double>(opened) / made : 0.0);
  out.set_unverified(unverified);
  if (newest_address != nullptr) out.set_address(newest_address->remote_ip());
  if (newest_problem != nullptr) out.set_detail(newest_problem->error_detail());
  // An address is known once a probe got as far as one (opened, refused, timed out).
  if (opened + failed > 0) {
    out.set_aaaa("yes");
    out.set_status(failed + no_address == 0 ? "reachable"
                   : opened == 0            ? "unreachable"
                                            : "partial");
  } else if (no_address > 0) {
    out.set_aaaa("no");
    out.set_status("no_aaaa");
  } else {
    out.set_aaaa("unverified");
    out.set_status("unverified");
    if (probes.empty()) out.set_detail("no IPv6 probe in this census");
  }
  return out;
}

report::Https JudgeHttps(const FetchRecord* check) {
  report::Https out;
  if (check == nullptr) {
    out.set_status("unverified");
    out.set_detail("no HTTPS check in this census");
    return out;
  }
  const TlsCheck& tls = check->tls();
  out.set_url(tls.https_url());
  out.set_checked_at(FormatRfc3339(absl::FromUnixMillis(check->fetched_at_ms())));
  out.set_http_redirects_to_https(tls.http_redirects_to_https());
  out.set_offered(tls.handshake() || tls.http_redirects_to_https());
  out.set_tls_version(tls.tls_version());
  out.set_certificate_subject(tls.cert_subject());
  out.set_certificate_issuer(tls.cert_issuer());
  if (tls.cert_not_after_ms() != 0) {
    out.set_certificate_expires(FormatRfc3339(absl::FromUnixMillis(tls.cert_not_after_ms())));
    const int64_t ms = tls.cert_not_after_ms() - check->fetched_at_ms();
    constexpr int64_t kDayMs = 86400000;
    out.set_days_to_expiry(
        static_cast<int32_t>(ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs)));
  }
  if (tls.verified()) {
    out.set_status("valid");
    out.set_certificate_valid(true);
    out.set_https_status(check->status());
    return out;
  }
  out.set_detail(check->error_detail());
  if (tls.handshake()) {
    out.set_status("invalid");
    out.set_certificate_error(tls.cert_problem());
    out.set_https_status(tls.unverified_status());
    return out;
  }
  // No handshake: refused, or the port speaks no TLS (a plain-HTTP server on 443) is the
  // site's; a timeout, an unresolved name or anything else may be ours.
  const bool site_said_no = check->error() == CONNECT || check->error() == TLS;
  out.set_status(site_said_no && !tls.http_redirects_to_https() ? "not_offered" : "unverified");
  return out;
}

std::optional<std::string> BrokenLinkError(const FetchRecord& check) {
  if (check.robots_disallowed()) return std::nullopt;
  switch (check.error()) {
    case FETCH_OK:
    case TOO_LARGE:
    case BLOCKED_ADDRESS:
      return std::nullopt;
    default:
      return FetchErrorName(check.error());
  }
}

std::optional<int64_t> DaysBefore(const std::string& date, absl::CivilDay as_of) {
  absl::CivilDay day;
  if (!ParseCivilDay(date, &day)) return std::nullopt;
  return as_of - day;
}

absl::CivilDay MonthsBefore(absl::CivilDay as_of, int months) {
  absl::CivilMonth month = absl::CivilMonth(as_of) - months;
  int days_in_month = static_cast<int>(absl::CivilDay(month + 1) - absl::CivilDay(month));
  return absl::CivilDay(month.year(), month.month(), std::min(as_of.day(), days_in_month));
}

bool LinkConfirmed(const FetchRecord& check) {
  const int status = check.status();
  return status == 403 || status == 404 || status == 410 || check.attempts() >= 2;
}

std::vector<std::string> ColumnProblems(const report::ColumnReport& column) {
  std::vector<std::string> out;
  if (!column.fetch_error().empty())
    out.push_back(absl::StrCat("not opened: ", column.fetch_error()));
  if (column.blank()) out.push_back("blank");
  if (column.stale()) out.push_back("stale");
  if (column.long_unupdated()) out.push_back("long unupdated");
  if (column.page() == "unverified-blank") out.push_back("unverified-blank");
  return out;
}

bool HasColumnProblems(const report::ColumnReport& column) {
  // The conditions of ColumnProblems, one for one (site_verdict_test checks they agree).
  return !column.fetch_error().empty() || column.blank() || column.stale() ||
         column.long_unupdated() || column.page() == "unverified-blank";
}

std::string WindowText(const RubricWindow& window) {
  if (window.months > 0)
    return absl::StrCat(window.months, window.months == 1 ? " month" : " months");
  return absl::StrCat(window.days, window.days == 1 ? " day" : " days");
}

bool IsJudgedCategory(Category category, const Rubric& rubric) {
  return rubric.categories.count(category) > 0;
}

namespace {

std::string Percent(double ratio) { return absl::StrFormat("%.1f%%", ratio * 100.0); }

std::string FormatNumber(double value) { return absl::StrFormat("%g", value); }

bool ContainsAny(const std::string& text, const std::vector<std::string>& terms) {
  return std::any_of(terms.begin(), terms.end(),
                     [&](const std::string& term) { return absl::StrContains(text, term); });
}

// The window of the homepage's update count.
RubricWindow HomepageWindow(const Rubric& rubric) {
  if (rubric.homepage_update_volume.enabled) return rubric.homepage_update_volume.window;
  if (rubric.homepage_stale.enabled) return rubric.homepage_stale.window;
  return RubricWindow{14, 0};
}

// Items dated within the window (not after as_of).
int CountInWindow(const std::vector<std::string>& dates, absl::CivilDay as_of,
                  const RubricWindow& window) {
  const absl::CivilDay start = WindowStart(as_of, window);
  int n = 0;
  for (const std::string& text : dates) {
    absl::CivilDay day;
    if (ParseCivilDay(text, &day) && day >= start && day <= as_of) ++n;
  }
  return n;
}

// The category of a report column ("news" ...), CATEGORY_UNSPECIFIED when unknown.
Category ReportCategory(const report::ColumnReport& column) {
  return ParseCategoryName(column.category()).value_or(CATEGORY_UNSPECIFIED);
}

// Signature of a page's list items (href, date and title of each), for change detection.
std::string ItemSignature(const PageObservation& obs) {
  std::string signature;
  for (const ListItem& item : obs.items()) {
    absl::StrAppend(&signature, item.href(), "\x1f", item.date(), "\x1f", item.title(), "\x1e");
  }
  return signature;
}

}  // namespace

report::ColumnReport JudgeColumn(const ColumnFacts& facts, absl::CivilDay as_of,
                                 const Rubric& rubric) {
  report::ColumnReport column;
  JudgeColumn(facts, as_of, rubric, &column);
  return column;
}

void JudgeColumn(const ColumnFacts& facts, absl::CivilDay as_of, const Rubric& rubric,
                 report::ColumnReport* out) {
  report::ColumnReport& column = *out;
  column.set_name(facts.name);
  column.set_url(facts.url);
  column.set_category(CategoryName(facts.category));
  column.set_items(static_cast<int>(facts.item_dates.size()));

  // The distinct item dates, ascending (a sorted vector: one allocation a column, where
  // a std::set took one an item — this runs for every column of a national census).
  std::vector<absl::CivilDay> dates;
  dates.reserve(facts.item_dates.size());
  int updates_30d = 0;
  for (const std::string& text : facts.item_dates) {
    absl::CivilDay day;
    if (!ParseCivilDay(text, &day)) continue;
    dates.push_back(day);
    int64_t age = as_of - day;
    if (age >= 0 && age <= 30) ++updates_30d;
  }
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  if (!dates.empty()) column.set_last_update(FormatCivilDay(dates.back()));
  column.set_updates_30d(updates_30d);
  if (dates.size() >= 2) {
    double span = static_cast<double>(dates.back() - dates.front());
    column.set_mean_interval_days(span / static_cast<double>(dates.size() - 1));
  }
  column.set_observations(facts.observations);
  column.set_changes(facts.changes);
  column.set_change_rate_per_day(
      EstimateChangeRate(facts.observations - 1, facts.changes, facts.observation_interval_days));

  if (facts.fetch_error != FETCH_OK && facts.fetch_error != TOO_LARGE) {
    column.set_fetch_error(FetchErrorName(facts.fetch_error));
    return;  // neither blank nor stale: the page could not be read
  }
  if (!facts.observed) {
    column.set_fetch_error("not_fetched");
    return;
  }
  const bool rendered = facts.render == "rendered";
  if (!facts.item_dates.empty()) {
    column.set_verdict_source(facts.list_source.empty() ? "html" : facts.list_source);
  } else {
    column.set_verdict_source(rendered ? "rendered" : "html");
  }
  // No items and no rendered look, where a script could have shown some: not judged.
  const bool unrendered_script =
      !rendered && (facts.script_list || facts.render == "unavailable" ||
                    facts.render == "failed" || facts.render == "skipped");
  auto unverified = [&] {
    column.set_page("unverified-blank");
    column.set_render_detail(
        facts.render == "failed" || facts.render == "skipped" ? facts.render_detail
        : facts.render == "unavailable" ? "no renderer (Chromium) on the worker"
                                        : "not rendered");
  };
  // A page that says it has nothing (暂无信息) is blank, as the extractor reads the
  // placeholder only where it found no items.
  if (facts.blank_placeholder) {
    // A script's placeholder (加载中… 暂无数据) may stand until its list arrives.
    if (unrendered_script && facts.script_list) {
      unverified();
      return;
    }
    if (facts.own_text_measured) column.set_page("empty");
    column.set_blank(true);
    return;
  }
  if (facts.item_dates.empty()) {
    // No list: blank only when the page has nothing of its own. Observations made
    // before the page's own text was measured are judged as they were then.
    if (facts.has_messages) {
      column.set_page("mailbox");
      return;
    }
    if (facts.own_text_measured) {
      if (facts.page_kind == "article" || facts.own_chars >= kStaticPageMinChars ||
          facts.own_links >= kStaticPageMinLinks) {
        column.set_page("static");
        return;
      }
      if (unrendered_script) {
        unverified();
        return;
      }
      column.set_page("empty");
    }
    column.set_blank(true);
    return;
  }
  if (facts.own_text_measured) column.set_page(facts.page_kind == "mailbox" ? "mailbox" : "list");
  // An undated column counts as not updated.
  auto category = rubric.categories.find(facts.category);
  if (category != rubric.categories.end()) {
    column.set_stale(dates.empty() || dates.back() < WindowStart(as_of, category->second.window));
  }
  if (rubric.long_unupdated.enabled && rubric.should_update.count(facts.category) > 0) {
    column.set_long_unupdated(dates.empty() ||
                              dates.back() < WindowStart(as_of, rubric.long_unupdated.window));
  }
}

std::vector<OwnText> OwnTextOf(const std::vector<const PageObservation*>& pages,
                               const std::vector<absl::string_view>& site_urls) {
  // Pages per line hash (each page counted once per hash).
  absl::flat_hash_map<uint64_t, int> pages_with;
  std::vector<uint64_t> distinct;
  for (const PageObservation* page : pages) {
    if (page == nullptr || !page->own_text_measured()) continue;
    distinct.assign(page->own_line_hashes().begin(), page->own_line_hashes().end());
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (uint64_t h : distinct) ++pages_with[h];
  }
  absl::flat_hash_set<uint64_t> site_links;
  for (absl::string_view url : site_urls) site_links.insert(LinkTextHash(url));
  std::vector<OwnText> out(pages.size());
  absl::flat_hash_set<uint64_t> counted;
  for (size_t p = 0; p < pages.size(); ++p) {
    const PageObservation* page = pages[p];
    if (page == nullptr || !page->own_text_measured()) continue;
    OwnText& own = out[p];
    own.measured = true;
    counted.clear();
    const int n = std::min(page->own_line_hashes_size(), page->own_line_chars_size());
    for (int i = 0; i < n; ++i) {
      const uint64_t h = page->own_line_hashes(i);
      if (pages_with[h] > 1 || site_links.contains(h) || !counted.insert(h).second) continue;
      const int chars = page->own_line_chars(i);
      if (chars < 0) {
        ++own.links;
      } else {
        own.chars += chars;
      }
    }
  }
  return out;
}

HistorySummary SummarizeHistory(const std::vector<PageObservation>& history) {
  HistorySummary summary;
  summary.observations = static_cast<int>(history.size());
  if (history.size() < 2) return summary;
  for (size_t i = 1; i < history.size(); ++i) {
    const PageObservation& before = history[i - 1];
    const PageObservation& after = history[i];
    // List pages: the items tell (a page's clock or counters change its hash daily);
    // other pages: the content hash.
    bool changed = (before.items_size() > 0 || after.items_size() > 0)
                       ? ItemSignature(before) != ItemSignature(after)
                       : before.content_hash() != after.content_hash();
    if (changed) ++summary.changes;
  }
  // Snapshots are rarely equally spaced: Cho & Garcia-Molina's estimator assumes
  // equal intervals, so it is given the mean interval (an approximation).
  const double span_ms =
      static_cast<double>(history.back().fetched_at_ms() - history.front().fetched_at_ms());
  summary.mean_interval_days = span_ms / 86400000.0 / static_cast<double>(history.size() - 1);
  return summary;
}

double EstimateChangeRate(int accesses, int changes, double interval_days) {
  if (accesses < 1 || interval_days <= 0.0) return 0.0;
  const double n = accesses;
  const double x = std::clamp(changes, 0, accesses);
  return -std::log((n - x + 0.5) / (n + 0.5)) / interval_days;
}

report::Homepage JudgeHomepage(
    const std::vector<std::string>& item_dates,
    const google::protobuf::RepeatedPtrField<report::ColumnReport>& columns, bool has_columns,
    absl::CivilDay as_of, const Rubric& rubric,
    const std::vector<std::string>& second_level_dates) {
  report::Homepage homepage;
  const RubricWindow window = HomepageWindow(rubric);
  std::optional<absl::CivilDay> newest;
  for (const std::string& text : item_dates) {
    absl::CivilDay day;
    if (!ParseCivilDay(text, &day)) continue;
    if (!newest || day > *newest) newest = day;
  }
  if (newest) {
    homepage.set_last_update(FormatCivilDay(*newest));
    homepage.set_updates_in_window(CountInWindow(item_dates, as_of, window));
    return homepage;
  }
  if (has_columns) {
    homepage.set_navigation_only(true);
    std::string last;
    for (const report::ColumnReport& column : columns) {
      last = std::max(last, column.last_update());
    }
    homepage.set_last_update(last);
    homepage.set_updates_in_window(CountInWindow(second_level_dates, as_of, window));
  }
  return homepage;
}

bool IsOnlineSystemText(const std::string& text, const Rubric& rubric) {
  return !text.empty() && ContainsAny(text, rubric.online_system_keywords);
}

bool IsConsultationColumn(const std::string& name, const Rubric& rubric) {
  return !ContainsAny(name, rubric.consultation_exclude);
}

bool UnansweredTooLong(const MailboxMessage& message, absl::CivilDay as_of, const Rubric& rubric) {
  const RubricRule& rule = rubric.interaction_unanswered;
  if (!rule.enabled) return false;
  absl::CivilDay submitted;
  if (!ParseCivilDay(message.submitted(), &submitted)) return false;
  if (submitted < WindowStart(as_of, rule.lookback) || submitted > as_of) return false;
  absl::CivilDay replied;
  if (message.answered() && ParseCivilDay(message.replied(), &replied)) {
    // Replied after submitted + window  <=>  submitted before replied - window.
    return submitted < WindowStart(replied, rule.window);
  }
  if (message.answered()) return false;  // answered, reply date not shown
  return submitted < WindowStart(as_of, rule.window);
}

bool SlowReply(const MailboxMessage& message, absl::CivilDay as_of, const Rubric& rubric) {
  const RubricRule& rule = rubric.interaction_slow_replies;
  if (!rule.enabled || !message.answered()) return false;
  absl::CivilDay submitted;
  absl::CivilDay replied;
  if (!ParseCivilDay(message.submitted(), &submitted) ||
      !ParseCivilDay(message.replied(), &replied)) {
    return false;
  }
  if (rubric.interaction_unanswered.enabled &&
      submitted < WindowStart(as_of, rubric.interaction_unanswered.lookback)) {
    return false;
  }
  return static_cast<double>(replied - submitted) > rule.threshold;
}

report::Interaction JudgeInteraction(const std::vector<MailboxMessage>& messages,
                                     absl::CivilDay as_of, const Rubric& rubric) {
  report::Interaction interaction;
  interaction.set_messages(static_cast<int>(messages.size()));
  int answered = 0;
  int unanswered = 0;
  int slow = 0;
  int timed = 0;
  double reply_days = 0.0;
  for (const MailboxMessage& message : messages) {
    if (message.answered()) {
      ++answered;
      absl::CivilDay submitted;
      absl::CivilDay replied;
      if (ParseCivilDay(message.submitted(), &submitted) &&
          ParseCivilDay(message.replied(), &replied)) {
        ++timed;
        reply_days += static_cast<double>(replied - submitted);
      }
    }
    if (UnansweredTooLong(message, as_of, rubric)) ++unanswered;
    if (SlowReply(message, as_of, rubric)) ++slow;
  }
  interaction.set_answered(answered);
  interaction.set_unanswered_over_3_months(unanswered);
  interaction.set_slow_replies(slow);
  if (timed > 0) interaction.set_mean_reply_days(reply_days / timed);
  return interaction;
}

std::string UrlHost(const std::string& url) {
  absl::string_view rest = url;
  size_t scheme = rest.find("://");
  if (scheme == absl::string_view::npos) return "";
  rest.remove_prefix(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  size_t at = rest.rfind('@');
  if (at != absl::string_view::npos) rest.remove_prefix(at + 1);
  if (!rest.empty() && rest.front() == '[') {
    rest = rest.substr(0, rest.find(']') + 1);
  } else {
    rest = rest.substr(0, rest.find(':'));
  }
  return absl::AsciiStrToLower(rest);
}

bool IsOffSite(const std::string& url, const std::string& site_url) {
  std::string host = UrlHost(url);
  std::string site = UrlHost(site_url);
  if (host.empty() || site.empty()) return false;
  absl::string_view h = host;
  absl::string_view s = site;
  if (absl::StartsWith(h, "www.")) h.remove_prefix(4);
  if (absl::StartsWith(s, "www.")) s.remove_prefix(4);
  return !(h == s || absl::EndsWith(h, absl::StrCat(".", s)));
}

std::vector<DateChange> FindDateChanges(const std::vector<PageObservation>& history) {
  std::vector<DateChange> changes;
  std::map<std::string, std::pair<std::string, size_t>> shown;  // href → (date, snapshot)
  std::set<std::string> reported;
  std::optional<std::pair<std::string, size_t>> publication;
  auto day_of = [&](size_t i) {
    return FormatCivilDay(absl::CivilDay(
        absl::ToCivilSecond(absl::FromUnixMillis(history[i].fetched_at_ms()), CensusTimeZone())));
  };
  for (size_t i = 0; i < history.size(); ++i) {
    const PageObservation& obs = history[i];
    for (const ListItem& item : obs.items()) {
      if (item.href().empty() || item.date().empty()) continue;
      auto [it, inserted] = shown.emplace(item.href(), std::make_pair(item.date(), i));
      if (inserted || it->second.first == item.date()) continue;
      if (reported.insert(item.href()).second) {
        changes.push_back(
            {item.href(),
             absl::StrCat("item \"", item.title(), "\" on ", obs.url(), " shown dated ",
                          it->second.first, " on ", day_of(it->second.second), ", dated ",
                          item.date(), " on ", day_of(i)),
             i});
      }
      it->second = {item.date(), i};
    }
    if (!obs.publication_date().empty()) {
      if (publication && publication->first != obs.publication_date() &&
          reported.insert(obs.url()).second) {
        changes.push_back({obs.url(),
                           absl::StrCat("article ", obs.url(), " published ", publication->first,
                                        " (seen ", day_of(publication->second), "), ",
                                        obs.publication_date(), " (seen ", day_of(i), ")"),
                           i});
      }
      publication = std::make_pair(obs.publication_date(), i);
    }
  }
  return changes;
}

double RoundTo(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

void JudgeSite(absl::CivilDay as_of, const Rubric& rubric, report::SiteReport* site) {
  site->clear_vetoes();
  site->clear_deductions();
  site->clear_early_warnings();
  const report::Reachability& reach = site->reachability();
  const int probes = reach.probes();
  const int failures = reach.failures();
  const double ratio =
      probes > 0 ? static_cast<double>(failures) / static_cast<double>(probes) : 0.0;
  const std::string probe_detail =
      absl::StrFormat("%d of %d probes failed (%s)", failures, probes, Percent(ratio));

  auto add_veto = [&](const std::string& rule, const std::string& detail) {
    report::Veto* veto = site->add_vetoes();
    veto->set_rule(rule);
    veto->set_detail(detail);
  };
  auto vetoed = [&](const std::string& rule) {
    return std::any_of(site->vetoes().begin(), site->vetoes().end(),
                       [&](const report::Veto& v) { return v.rule() == rule; });
  };

  if (probes > 0 && failures >= probes) {
    add_veto("site_unreachable", probe_detail);
    site->set_verdict("unreachable");
    site->set_score(0.0);
    return;
  }

  // 1. site_unreachable
  const bool unreachable_veto =
      rubric.site_unreachable.enabled && probes > 0 && ratio >= rubric.site_unreachable.threshold;
  if (unreachable_veto) add_veto("site_unreachable", probe_detail);

  // 2. homepage_stale
  const report::Homepage& homepage = site->homepage();
  std::optional<int64_t> homepage_age = DaysBefore(homepage.last_update(), as_of);
  if (rubric.homepage_stale.enabled) {
    const std::string where = homepage.navigation_only()
                                  ? "navigation-only homepage: newest column item"
                                  : "homepage: newest dated item";
    if (homepage.last_update().empty()) {
      add_veto("homepage_stale", homepage.navigation_only()
                                     ? "navigation-only homepage: no dated item on any column page"
                                     : "homepage: no dated item (undated counts as not updated)");
    } else {
      absl::CivilDay last;
      if (!ParseCivilDay(homepage.last_update(), &last) ||
          last < WindowStart(as_of, rubric.homepage_stale.window)) {
        add_veto("homepage_stale",
                 absl::StrFormat("%s %s, %d days before %s (window %s)", where,
                                 homepage.last_update(), homepage_age.value_or(0),
                                 FormatCivilDay(as_of), WindowText(rubric.homepage_stale.window)));
      }
    }
  }

  // 3-5. columns
  std::vector<std::string> stale_names;
  std::vector<std::string> long_names;
  std::vector<std::string> blank_names;
  int not_updated = 0;  // stale or long-unupdated (early warning)
  for (const report::ColumnReport& column : site->columns()) {
    if (column.stale()) stale_names.push_back(column.name());
    if (column.long_unupdated()) long_names.push_back(column.name());
    if (column.blank()) blank_names.push_back(column.name());
    if (column.stale() || column.long_unupdated()) ++not_updated;
  }
  auto count_reaches = [](size_t count, const RubricRule& rule) {
    return rule.enabled && static_cast<double>(count) >= rule.threshold;
  };
  if (count_reaches(stale_names.size(), rubric.columns_stale)) {
    add_veto("columns_stale",
             absl::StrCat(stale_names.size(), " columns not updated in their window: ",
                          absl::StrJoin(stale_names, ", ")));
  }
  if (count_reaches(long_names.size(), rubric.long_unupdated)) {
    add_veto("long_unupdated",
             absl::StrCat(long_names.size(), " columns that should be updated have no item in ",
                          WindowText(rubric.long_unupdated.window), ": ",
                          absl::StrJoin(long_names, ", ")));
  }
  if (count_reaches(blank_names.size(), rubric.blank_columns)) {
    add_veto("blank_columns", absl::StrCat(blank_names.size(),
                                           " blank columns: ", absl::StrJoin(blank_names, ", ")));
  }

  // 6. interaction_unanswered
  const report::Interaction& interaction = site->interaction();
  if (count_reaches(interaction.unanswered_over_3_months(), rubric.interaction_unanswered)) {
    add_veto("interaction_unanswered",
             absl::StrCat(
                 interaction.unanswered_over_3_months(), " consultation messages submitted within ",
                 WindowText(rubric.interaction_unanswered.lookback), " unanswered for more than ",
                 WindowText(rubric.interaction_unanswered.window)));
  }

  // 7. serious_error
  if (count_reaches(site->content_size(), rubric.serious_error)) {
    std::map<std::string, int> kinds;
    for (const report::ContentFinding& finding : site->content()) ++kinds[finding.kind()];
    std::vector<std::string> parts;
    for (const auto& [kind, n] : kinds) parts.push_back(absl::StrCat(n, " ", kind));
    add_veto("serious_error",
             absl::StrCat(site->content_size(), " serious errors: ", absl::StrJoin(parts, ", ")));
  }

  // Deductions.
  double total = 0.0;
  auto add_deduction = [&](const std::string& rule, double points, const std::string& detail) {
    total += points;
    report::Deduction* deduction = site->add_deductions();
    deduction->set_rule(rule);
    deduction->set_points(RoundTo(points, 2));
    deduction->set_detail(detail);
  };
  auto capped = [](double points, const RubricRule& rule) {
    return rule.cap > 0 ? std::min(rule.cap, points) : points;
  };
  if (rubric.homepage_availability.enabled && ratio > 0.0 && !unreachable_veto) {
    add_deduction(
        "homepage_availability",
        capped(ratio * 100.0 * rubric.homepage_availability.points, rubric.homepage_availability),
        probe_detail);
  }
  int home_broken = 0;
  int other_broken = 0;
  int attachments = 0;
  int systems = 0;
  for (const report::BrokenLink& link : site->links().broken()) {
    if (link.attachment() && rubric.attachments_unavailable.enabled) {
      ++attachments;
    } else if (link.online_system() && rubric.online_systems_unavailable.enabled) {
      ++systems;
    } else if (link.on_homepage()) {
      ++home_broken;
    } else {
      ++other_broken;
    }
  }
  auto per_link = [&](const char* rule_name, const RubricRule& rule, int count,
                      const std::string& what) {
    if (!rule.enabled || count == 0) return;
    add_deduction(rule_name, capped(count * rule.points, rule), absl::StrCat(count, " ", what));
  };
  per_link("broken_links_homepage", rubric.broken_links_homepage, home_broken,
           "broken links on the homepage");
  per_link("broken_links_other", rubric.broken_links_other, other_broken,
           "broken links on other pages");
  per_link("attachments_unavailable", rubric.attachments_unavailable, attachments,
           "attachments that cannot be downloaded");
  per_link("online_systems_unavailable", rubric.online_systems_unavailable, systems,
           "online systems that cannot be opened");
  const RubricRule& volume = rubric.homepage_update_volume;
  if (volume.enabled && homepage.updates_in_window() < volume.threshold) {
    add_deduction("homepage_update_volume", capped(volume.points, volume),
                  absl::StrCat(homepage.updates_in_window(), " homepage items within ",
                               WindowText(volume.window), " (fewer than ",
                               FormatNumber(volume.threshold), ")"));
  }
  if (rubric.columns_not_updated.enabled) {
    double column_points = 0.0;
    for (const report::ColumnReport& column : site->columns()) {
      if (!column.stale()) continue;
      auto category = rubric.categories.find(ReportCategory(column));
      double points = category != rubric.categories.end() ? category->second.points : 0.0;
      double room = rubric.columns_not_updated.cap > 0
                        ? std::max(0.0, rubric.columns_not_updated.cap - column_points)
                        : points;
      points = std::min(points, room);
      column_points += points;
      add_deduction("columns_not_updated", points,
                    absl::StrCat(column.name(), " (", column.category(), "): last update ",
                                 column.last_update().empty() ? "none" : column.last_update()));
    }
  }
  per_link("interaction_slow_replies", rubric.interaction_slow_replies, interaction.slow_replies(),
           absl::StrCat("replies later than ",
                        FormatNumber(rubric.interaction_slow_replies.threshold), " days"));
  // IPv6 and HTTPS (功能设计), once each; a check that could not be made costs nothing.
  const report::Ipv6& ipv6 = site->ipv6();
  const report::Https& https = site->https();
  if (rubric.ipv6_unsupported.enabled &&
      (ipv6.status() == "no_aaaa" || ipv6.status() == "unreachable")) {
    add_deduction(
        "ipv6_unsupported", capped(rubric.ipv6_unsupported.points, rubric.ipv6_unsupported),
        ipv6.status() == "no_aaaa"
            ? "the homepage's host has no IPv6 address (AAAA)"
            : absl::StrCat("the homepage does not open over IPv6 (", ipv6.address(),
                           "): ", ipv6.failures(), " of ", ipv6.probes(), " IPv6 probes failed"));
  }
  if (rubric.https_unavailable.enabled && https.status() == "not_offered") {
    add_deduction("https_unavailable",
                  capped(rubric.https_unavailable.points, rubric.https_unavailable),
                  absl::StrCat("no HTTPS: ", https.url(), " (", https.detail(), ")"));
  }
  if (rubric.certificate_invalid.enabled && https.status() == "invalid") {
    add_deduction("certificate_invalid",
                  capped(rubric.certificate_invalid.points, rubric.certificate_invalid),
                  absl::StrCat("certificate of ", https.url(),
                               " refused: ", https.certificate_error(), " (", https.detail(), ")"));
  }

  // Early warnings: measure > threshold, unless the matching veto already fired.
  auto warn = [&](const std::string& rule, const std::string& detail) {
    report::EarlyWarning* warning = site->add_early_warnings();
    warning->set_rule(rule);
    warning->set_detail(detail);
  };
  if (rubric.warn_unreachable_ratio.enabled && probes > 0 &&
      ratio > rubric.warn_unreachable_ratio.threshold && !vetoed("site_unreachable")) {
    warn("unreachable_ratio",
         absl::StrCat(probe_detail, ", above ", Percent(rubric.warn_unreachable_ratio.threshold)));
  }
  if (rubric.warn_homepage_not_updated.enabled && homepage_age &&
      static_cast<double>(*homepage_age) > rubric.warn_homepage_not_updated.threshold &&
      !vetoed("homepage_stale")) {
    warn("homepage_not_updated",
         absl::StrCat("homepage last updated ", homepage.last_update(), ", ", *homepage_age,
                      " days before ", FormatCivilDay(as_of), " (more than ",
                      FormatNumber(rubric.warn_homepage_not_updated.threshold), ")"));
  }
  if (rubric.warn_blank_columns.enabled &&
      static_cast<double>(blank_names.size()) > rubric.warn_blank_columns.threshold &&
      !vetoed("blank_columns")) {
    warn("blank_columns", absl::StrCat(blank_names.size(), " blank columns (more than ",
                                       FormatNumber(rubric.warn_blank_columns.threshold), ")"));
  }
  if (rubric.warn_columns_not_updated.enabled &&
      static_cast<double>(not_updated) > rubric.warn_columns_not_updated.threshold) {
    warn("columns_not_updated",
         absl::StrCat(not_updated, " columns not updated (more than ",
                      FormatNumber(rubric.warn_columns_not_updated.threshold), ")"));
  }
  // Unlike the others this one fires below its threshold: fewer days left than it.
  if (rubric.warn_certificate_expiring.enabled && https.certificate_valid() &&
      !https.certificate_expires().empty() &&
      https.days_to_expiry() < rubric.warn_certificate_expiring.threshold) {
    warn("certificate_expiring",
         absl::StrCat("certificate of ", https.url(), " expires ", https.certificate_expires(),
                      ", in ", https.days_to_expiry(), " days (fewer than ",
                      FormatNumber(rubric.warn_certificate_expiring.threshold), ")"));
  }

  site->set_score(std::max(0.0, RoundTo(100.0 - total, 1)));
  const bool below = rubric.fail_below > 0 && site->score() < rubric.fail_below;
  site->set_verdict(site->vetoes_size() > 0 || below ? "fail" : "pass");
}

}  // namespace census
