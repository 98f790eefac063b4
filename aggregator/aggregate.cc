// Aggregate: reads one store shard and builds the CensusReport (the Store-backed half;
// the rubric itself is in site_verdict.cc).

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "aggregator/aggregator.h"
#include "aggregator/site_verdict.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "common/string_order.h"
#include "common/web_text.h"

namespace census {
namespace {

// Threads aggregating sites (at most; fewer on smaller machines).
constexpr size_t kMaxThreads = 8;
// Sites a thread aggregates between two hand-overs to AggregateEach's callback.
constexpr size_t kSitesPerThreadChunk = 64;

// A content finding's detail: the term, its correction, the words around it.
std::string ContentHitDetail(const ContentHit& hit) {
  return absl::StrCat(
      "\"", hit.term(), "\"",
      hit.correction().empty() ? std::string()
                               : absl::StrCat(" (should be \"", hit.correction(), "\")"),
      hit.context().empty() ? std::string() : absl::StrCat(": …", hit.context(), "…"));
}

// The newer of two records by fetch time (ties: the later one in key order).
template <typename T>
bool NewerOrSame(const T& candidate, const T& current) {
  return candidate.fetched_at_ms() >= current.fetched_at_ms();
}

// An RFC 3339 time (Evidence.fetched_at) as the 14 digits YYYYMMDDhhmmss (UTC).
std::string Timestamp14(const std::string& rfc3339) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) return "";
  return absl::FormatTime("%Y%m%d%H%M%S", t, absl::UTCTimeZone());
}

}  // namespace

std::string EvidenceLink(absl::string_view base, absl::string_view site_id,
                         const report::Evidence& evidence) {
  if (base.empty() || evidence.snapshot().empty()) return "";
  while (absl::EndsWith(base, "/")) base.remove_suffix(1);
  std::string link = absl::StrCat(base, "/evidence/", PercentEncode(site_id), "/",
                                  PercentEncode(evidence.snapshot()));
  const std::string at = Timestamp14(evidence.fetched_at());
  if (!at.empty()) absl::StrAppend(&link, "?at=", at);
  return link;
}

void SetEvidenceLinks(absl::string_view base, report::SiteReport* site) {
  for (report::Evidence& evidence : *site->mutable_evidence()) {
    std::string link = EvidenceLink(base, site->site_id(), evidence);
    if (link.empty()) {
      evidence.clear_link();
    } else {
      evidence.set_link(std::move(link));
    }
  }
}

namespace {

bool IsWebLink(const std::string& url) {
  return absl::StartsWithIgnoreCase(url, "http://") || absl::StartsWithIgnoreCase(url, "https://");
}

void AddEvidence(report::SiteReport* site, const std::string& finding, const std::string& url,
                 int64_t fetched_at_ms, const std::string& snapshot) {
  report::Evidence* evidence = site->add_evidence();
  evidence->set_finding(finding);
  evidence->set_url(url);
  if (fetched_at_ms > 0) {
    evidence->set_fetched_at(FormatRfc3339(absl::FromUnixMillis(fetched_at_ms)));
  }
  evidence->set_snapshot(snapshot);
}

// Views into the site's observations (which outlive every LinkEntry).
struct LinkEntry {
  absl::string_view url;
  absl::string_view found_on;
  bool on_homepage = false;
  const PageLink* outlink = nullptr;  // the first page's PageLink for the URL, if any
};

// A forged_date finding with what its evidence needs of the snapshot showing it.
struct Forged {
  DateChange change;
  int64_t fetched_at_ms = 0;
  std::string content_hash;
};

// What a page's snapshot history says (one per URL, from the same scan that yields the
// page's newest observation).
struct PageHistory {
  HistorySummary summary;
  std::vector<Forged> forged;
};

// FindDateChanges of a one-snapshot history, short-cut: a snapshot whose dated items
// all have distinct hrefs shows no date change (FindDateChanges needs a second sighting
// of an href, or a second snapshot for a publication date).
std::vector<DateChange> DateChangesOf(const PageObservation& snapshot) {
  const auto& items = snapshot.items();
  for (int a = 0; a < items.size(); ++a) {
    if (items[a].href().empty() || items[a].date().empty()) continue;
    for (int b = 0; b < a; ++b) {
      if (items[b].href() == items[a].href() && !items[b].date().empty()) {
        return FindDateChanges({snapshot});
      }
    }
  }
  return {};
}

// Fills `out` (cleared: a cleared message keeps its sub-messages and strings for reuse,
// so a thread that aggregates site after site into the same report allocates little).
absl::Status AggregateSite(Store::Reader& store, const Site& info, const AggregateOptions& options,
                           report::SiteReport* out) {
  const absl::CivilDay as_of = options.as_of;
  report::SiteReport& site = *out;
  site.set_site_id(info.site_id());
  site.set_name(info.name());
  site.set_url(info.url());
  site.set_region(info.region());
  site.set_level(info.level());
  site.set_org(info.org());

  // Fetch records of this run: probes, and the newest fetch of each column page.
  int probes = 0;
  int failures = 0;
  std::optional<FetchRecord> last_failed_probe;
  // The newest fetch of each column page: its time and error, and the whole record only
  // when it failed (a failed column page is a broken link of the homepage).
  struct ColumnFetch {
    int64_t fetched_at_ms = 0;
    FetchError error = FETCH_OK;
    std::optional<FetchRecord> failed;
  };
  absl::flat_hash_map<std::string, ColumnFetch> column_fetches;  // url → newest
  // Failed probes by error class (a national census has few classes a site).
  struct ProbeClass {
    int count = 0;
    int64_t first_ms = 0;
    FetchRecord last_record;
    const FetchRecord* last = nullptr;
  };
  std::map<std::string, ProbeClass> probe_classes;
  std::optional<FetchRecord> homepage_fetch;  // the newest crawl fetch of the homepage
  int over_cap = 0;
  std::vector<FetchRecord> ipv6_probes;    // PROBE_V6
  std::optional<FetchRecord> https_check;  // the newest HTTPS_CHECK
  RETURN_IF_ERROR(store.ForEachFetch(
      info.site_id(), options.run_started_ms, options.run_finished_ms,
      [&](const FetchRecord& record) {
        if (record.kind() == PROBE) {
          ++probes;
          if (record.error() == TOO_LARGE && !ProbeFailed(record)) ++over_cap;
          if (ProbeFailed(record)) {
            ++failures;
            ProbeClass& c = probe_classes[ProbeErrorClass(record)];
            if (c.count++ == 0 || record.fetched_at_ms() < c.first_ms) {
              c.first_ms = record.fetched_at_ms();
            }
            if (c.last == nullptr || NewerOrSame(record, *c.last)) {
              c.last_record = record;
              c.last = &c.last_record;
            }
            if (!last_failed_probe || NewerOrSame(record, *last_failed_probe)) {
              last_failed_probe = record;
            }
          }
        } else if (record.kind() == PROBE_V6) {
          ipv6_probes.push_back(record);
        } else if (record.kind() == HTTPS_CHECK) {
          if (!https_check || NewerOrSame(record, *https_check)) https_check = record;
        } else if (record.kind() == HOMEPAGE) {
          if (!homepage_fetch || NewerOrSame(record, *homepage_fetch)) homepage_fetch = record;
        } else if (record.kind() == COLUMN) {
          auto [it, inserted] = column_fetches.try_emplace(record.url());
          ColumnFetch& newest = it->second;
          if (inserted || record.fetched_at_ms() >= newest.fetched_at_ms) {  // NewerOrSame
            newest.fetched_at_ms = record.fetched_at_ms();
            newest.error = record.error();
            if (record.error() != FETCH_OK && record.error() != TOO_LARGE) {
              newest.failed = record;
            } else {
              newest.failed.reset();
            }
          }
        }
      }));
  report::Reachability* reach = site.mutable_reachability();
  reach->set_probes(probes);
  reach->set_failures(failures);
  reach->set_failure_ratio(probes > 0 ? static_cast<double>(failures) / probes : 0.0);
  reach->set_over_cap(over_cap);
  {
    std::vector<std::pair<std::string, const ProbeClass*>> classes;
    for (const auto& [name, c] : probe_classes) classes.emplace_back(name, &c);
    std::sort(classes.begin(), classes.end(), [](const auto& a, const auto& b) {
      return a.second->count != b.second->count ? a.second->count > b.second->count
                                                : a.first < b.first;
    });
    for (const auto& [name, c] : classes) {
      report::ProbeFailures* f = reach->add_failures_by_error();
      f->set_error(name);
      f->set_count(c->count);
      f->set_first_at(FormatRfc3339(absl::FromUnixMillis(c->first_ms)));
      f->set_last_at(FormatRfc3339(absl::FromUnixMillis(c->last->fetched_at_ms())));
      f->set_status(c->last->status());
      for (const std::string& r : c->last->redirects()) f->add_redirects(r);
      f->set_elapsed_ms(c->last->elapsed_ms());
      f->set_detail(c->last->error_detail());
      f->set_first_byte_ms(c->last->has_first_byte_ms() ? c->last->first_byte_ms() : -1);
    }
  }

  *site.mutable_ipv6() = JudgeIpv6(ipv6_probes);
  *site.mutable_https() = JudgeHttps(https_check ? &*https_check : nullptr);

  // Observations as of the end of the run: one scan of the site's observations gives
  // each URL's newest observation and what its snapshot history says.
  std::vector<const PageObservation*> observations;  // newest per URL, in URL order
  std::vector<PageHistory> histories;                // parallel to `observations`
  absl::flat_hash_map<const PageObservation*, size_t> observation_index;
  std::vector<PageObservation> snapshots;  // the history as SummarizeHistory takes it
  RETURN_IF_ERROR(store.ForEachObservationHistory(
      info.site_id(), options.run_finished_ms,
      [&](const std::vector<const PageObservation*>& history) -> absl::Status {
        PageHistory page;
        if (history.size() == 1) {
          page.summary.observations = 1;  // SummarizeHistory of one snapshot
          for (DateChange& change : DateChangesOf(*history[0])) {
            page.forged.push_back(
                {std::move(change), history[0]->fetched_at_ms(), history[0]->content_hash()});
          }
        } else {
          snapshots.clear();
          for (const PageObservation* obs : history) snapshots.push_back(*obs);
          page.summary = SummarizeHistory(snapshots);
          for (DateChange& change : FindDateChanges(snapshots)) {
            const PageObservation& shown = snapshots[change.index];
            page.forged.push_back({std::move(change), shown.fetched_at_ms(), shown.content_hash()});
          }
        }
        observation_index.emplace(history.back(), observations.size());
        histories.push_back(std::move(page));
        observations.push_back(history.back());
        return absl::OkStatus();
      }));
  auto history_of = [&](const PageObservation* obs) -> const PageHistory& {
    return histories[observation_index.at(obs)];
  };
  const PageObservation* homepage_obs = nullptr;
  for (const PageObservation* observation : observations) {
    const PageObservation& obs = *observation;
    if (obs.kind() != HOMEPAGE) continue;
    if (homepage_obs == nullptr) {
      homepage_obs = &obs;
      continue;
    }
    bool obs_is_home = obs.url() == info.url();
    bool cur_is_home = homepage_obs->url() == info.url();
    if ((obs_is_home && !cur_is_home) ||
        (obs_is_home == cur_is_home && NewerOrSame(obs, *homepage_obs))) {
      homepage_obs = &obs;
    }
  }
  const std::string homepage_url = homepage_obs != nullptr ? homepage_obs->url() : info.url();

  // Columns as they stood at the end of the run, in their order; without a stored list,
  // those the observations name.
  ASSIGN_OR_RETURN(const google::protobuf::RepeatedPtrField<Column>* stored_columns,
                   store.Columns(info.site_id(), options.run_finished_ms));
  std::vector<const Column*> columns(stored_columns->pointer_begin(),
                                     stored_columns->pointer_end());
  std::map<std::string, Column> seen;
  if (columns.empty()) {
    for (const PageObservation* obs : observations) {
      if (obs->kind() != COLUMN) continue;
      Column column = obs->column();
      if (column.url().empty()) column.set_url(obs->url());
      seen.emplace(column.url(), column);
    }
    for (auto& [url, column] : seen) columns.push_back(&column);
  }

  // Column observations by the URLs they answer to (their own and their column's),
  // each list in observation order.
  absl::flat_hash_map<absl::string_view, std::vector<const PageObservation*>> column_candidates;
  column_candidates.reserve(observations.size());
  for (const PageObservation* obs : observations) {
    if (obs->kind() != COLUMN) continue;
    column_candidates[obs->url()].push_back(obs);
    if (obs->column().url() != obs->url()) column_candidates[obs->column().url()].push_back(obs);
  }

  std::vector<Forged> forged;
  std::vector<const PageObservation*> column_obs(columns.size(), nullptr);
  std::vector<ColumnFacts> column_facts(columns.size());
  site.mutable_columns()->Reserve(static_cast<int>(columns.size()));
  for (size_t i = 0; i < columns.size(); ++i) {
    if (auto candidates = column_candidates.find(columns[i]->url());
        candidates != column_candidates.end()) {
      for (const PageObservation* obs : candidates->second) {
        if (column_obs[i] == nullptr || NewerOrSame(*obs, *column_obs[i])) column_obs[i] = obs;
      }
    }
  }
  // Each column page's own text once the site's template is subtracted: the
  // homepage and every column page are compared, and links to the site's own pages
  // do not count.
  std::vector<OwnText> own_text(columns.size());  // not measured: stores before 2026-12
  if (std::any_of(column_obs.begin(), column_obs.end(),
                  [](const PageObservation* obs) { return obs && obs->own_text_measured(); })) {
    std::vector<const PageObservation*> pages(column_obs.begin(), column_obs.end());
    pages.push_back(homepage_obs);
    std::vector<absl::string_view> site_urls = {homepage_url, info.url()};
    for (const Column* column : columns) site_urls.push_back(column->url());
    own_text = OwnTextOf(pages, site_urls);
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& column = *columns[i];
    ColumnFacts& facts = column_facts[i];
    facts.name = column.name();
    facts.url = column.url();
    facts.category = column.category();
    if (const PageObservation* obs = column_obs[i]) {
      facts.observed = true;
      // A discovered column's page may refine its category (its breadcrumb).
      if (!column.declared() && obs->column().category() != CATEGORY_UNSPECIFIED) {
        facts.category = obs->column().category();
      }
      facts.blank_placeholder = obs->blank_placeholder();
      facts.page_kind = obs->page_kind();
      facts.has_messages = obs->messages_size() > 0;
      facts.own_text_measured = obs->own_text_measured();
      facts.own_chars = own_text[i].chars;
      facts.own_links = own_text[i].links;
      facts.script_list = obs->script_list();
      facts.list_source = obs->list_source();
      facts.render = obs->render();
      facts.render_detail = obs->render_detail();
      facts.item_dates.reserve(obs->items_size());
      for (const ListItem& item : obs->items()) facts.item_dates.push_back(item.date());
    }
    auto fetch = column_fetches.find(column.url());
    if (fetch != column_fetches.end()) facts.fetch_error = fetch->second.error;
    if (column_obs[i] != nullptr) {
      const PageHistory& history = history_of(column_obs[i]);
      facts.observations = history.summary.observations;
      facts.changes = history.summary.changes;
      facts.observation_interval_days = history.summary.mean_interval_days;
      forged.insert(forged.end(), history.forged.begin(), history.forged.end());
    }
    report::ColumnReport* judged = site.add_columns();
    JudgeColumn(facts, as_of, options.rubric, judged);
    if (!column.declared()) judged->set_found_via(column.found_via());
    if (fetch != column_fetches.end() && fetch->second.failed.has_value()) {
      judged->set_fetch_status(fetch->second.failed->status());
      judged->set_fetch_detail(fetch->second.failed->error_detail());
    }
  }

  // Homepage.
  std::vector<std::string> homepage_dates;
  if (homepage_obs != nullptr) {
    homepage_dates.reserve(homepage_obs->items_size());
    for (const ListItem& item : homepage_obs->items()) homepage_dates.push_back(item.date());
  }
  std::vector<std::string> second_level_dates;
  for (const ColumnFacts& facts : column_facts) {
    second_level_dates.insert(second_level_dates.end(), facts.item_dates.begin(),
                              facts.item_dates.end());
  }
  *site.mutable_homepage() = JudgeHomepage(homepage_dates, site.columns(), !columns.empty(), as_of,
                                           options.rubric, second_level_dates);
  if (homepage_fetch && homepage_fetch->error() != FETCH_OK &&
      homepage_fetch->error() != TOO_LARGE) {
    report::Homepage* home = site.mutable_homepage();
    home->set_fetch_error(FetchErrorName(homepage_fetch->error()));
    home->set_fetch_status(homepage_fetch->status());
    home->set_fetch_detail(homepage_fetch->error_detail());
  }

  // Links: homepage first, then the column pages in order; first page wins. Every
  // occurrence of a web link, sorted by URL (then by occurrence): each URL's first
  // occurrence gives its page, and the URLs come out in the key order the store's link
  // checks are looked up in (one sort where hash maps took a tenth of the time).
  struct Occurrence {
    const PageObservation* page;
    const PageLink* outlink;  // nullptr for a plain `links` entry
    bool on_homepage;
  };
  std::vector<absl::string_view> occurrence_urls;
  std::vector<Occurrence> occurrences;
  {
    size_t expected = 0;
    if (homepage_obs != nullptr)
      expected += homepage_obs->links_size() + homepage_obs->outlinks_size();
    for (const PageObservation* obs : column_obs) {
      if (obs != nullptr) expected += obs->links_size() + obs->outlinks_size();
    }
    occurrence_urls.reserve(expected);
    occurrences.reserve(expected);
  }
  auto collect = [&](const PageObservation& obs, bool is_homepage) {
    for (const std::string& url : obs.links()) {
      if (!IsWebLink(url)) continue;
      occurrence_urls.push_back(url);
      occurrences.push_back({&obs, nullptr, is_homepage});
    }
    for (const PageLink& link : obs.outlinks()) {
      if (!IsWebLink(link.url())) continue;
      occurrence_urls.push_back(link.url());
      occurrences.push_back({&obs, &link, is_homepage});
    }
  };
  if (homepage_obs != nullptr) collect(*homepage_obs, true);
  for (const PageObservation* obs : column_obs) {
    if (obs != nullptr) collect(*obs, false);
  }
  std::vector<std::pair<uint64_t, uint32_t>> sort_keys;
  std::vector<uint32_t> order;
  SortedOrder(occurrence_urls, &sort_keys, &order);
  std::vector<LinkEntry> links;  // by URL, then the failed column pages not linked
  for (size_t k = 0; k < order.size();) {
    const absl::string_view url = occurrence_urls[order[k]];
    const Occurrence& first = occurrences[order[k]];
    LinkEntry entry{url, first.page->url(), first.on_homepage, nullptr};
    for (; k < order.size() && occurrence_urls[order[k]] == url; ++k) {
      if (entry.outlink == nullptr) entry.outlink = occurrences[order[k]].outlink;
    }
    links.push_back(entry);
  }
  const size_t linked = links.size();
  // Column pages that failed are broken links of the homepage (their nav entry).
  absl::flat_hash_set<absl::string_view> column_urls;
  column_urls.reserve(columns.size());
  for (const Column* column : columns) column_urls.insert(column->url());
  absl::flat_hash_map<absl::string_view, const FetchRecord*> failed_columns;
  for (const auto& [url, fetch] : column_fetches) {
    if (!fetch.failed.has_value()) continue;
    if (!column_urls.contains(url)) continue;
    failed_columns.emplace(url, &*fetch.failed);
    auto it = std::lower_bound(links.begin(), links.begin() + linked, absl::string_view(url),
                               [](const LinkEntry& e, absl::string_view u) { return e.url < u; });
    if (it == links.begin() + linked || it->url != url) {
      links.push_back({url, homepage_url, true, nullptr});
    } else {
      it->found_on = homepage_url;
      it->on_homepage = true;
    }
  }

  absl::flat_hash_map<absl::string_view, const PageObservation*> page_by_url;
  if (homepage_obs != nullptr) page_by_url[homepage_obs->url()] = homepage_obs;
  for (const PageObservation* obs : column_obs) {
    if (obs != nullptr) page_by_url.emplace(obs->url(), obs);
  }

  // The newest link check in the run of every link but the failed column pages: one
  // batched lookup (a merge join over the store's link/ index).
  std::vector<absl::string_view> lookup_urls;
  std::vector<size_t> lookup_entry;  // index into `links` of each lookup
  lookup_urls.reserve(links.size());
  lookup_entry.reserve(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    if (failed_columns.contains(links[i].url)) continue;
    lookup_urls.push_back(links[i].url);
    lookup_entry.push_back(i);
  }
  ASSIGN_OR_RETURN(
      const std::vector<const FetchRecord*>* lookups,
      store.LatestLinkChecks(lookup_urls, options.run_started_ms, options.run_finished_ms));
  std::vector<const FetchRecord*> link_checks(links.size(), nullptr);
  for (size_t k = 0; k < lookups->size(); ++k) link_checks[lookup_entry[k]] = (*lookups)[k];

  struct Broken {
    report::BrokenLink link;
    int64_t checked_at_ms = 0;
  };
  std::vector<Broken> broken;
  int checked = 0;
  for (size_t i = 0; i < links.size(); ++i) {
    const LinkEntry& entry = links[i];
    const FetchRecord* check = link_checks[i];
    auto failed = failed_columns.find(entry.url);
    if (failed != failed_columns.end()) check = failed->second;  // the column report says so too
    if (check == nullptr) {
      // A column page read in this run was checked by that fetch.
      if (column_fetches.contains(entry.url)) ++checked;
      continue;
    }
    if (check->error() == BLOCKED_ADDRESS || check->robots_disallowed()) continue;
    ++checked;
    std::optional<std::string> error = BrokenLinkError(*check);
    if (!error) continue;
    Broken b;
    b.link.set_url(std::string(entry.url));
    b.link.set_found_on(std::string(entry.found_on));
    b.link.set_on_homepage(entry.on_homepage);
    b.link.set_error(*error);
    b.link.set_status(check->status());
    b.link.set_confirmed(LinkConfirmed(*check));
    if (const PageLink* outlink = entry.outlink) {
      b.link.set_attachment(outlink->attachment());
      b.link.set_text(outlink->text());
      b.link.set_online_system(IsOnlineSystemText(outlink->text(), options.rubric));
    }
    b.checked_at_ms = check->fetched_at_ms();
    broken.push_back(std::move(b));
  }
  std::sort(broken.begin(), broken.end(),
            [](const Broken& a, const Broken& b) { return a.link.url() < b.link.url(); });
  report::Links* report_links = site.mutable_links();
  report_links->set_checked(checked);
  int confirmed = 0;
  for (const Broken& b : broken) {
    *report_links->add_broken() = b.link;
    if (b.link.confirmed()) ++confirmed;
  }
  report_links->set_confirmed(confirmed);
  report_links->set_suspected(static_cast<int>(broken.size()) - confirmed);

  // Interaction: the messages of the consultation-type mailboxes.
  std::vector<MailboxMessage> messages;
  std::vector<const PageObservation*> mailboxes;
  for (size_t i = 0; i < columns.size(); ++i) {
    const PageObservation* obs = column_obs[i];
    if (obs == nullptr) continue;
    bool mailbox = columns[i]->category() == INTERACTION || obs->page_kind() == "mailbox";
    if (!mailbox || !IsConsultationColumn(columns[i]->name(), options.rubric)) continue;
    mailboxes.push_back(obs);
    messages.insert(messages.end(), obs->messages().begin(), obs->messages().end());
  }
  *site.mutable_interaction() = JudgeInteraction(messages, as_of, options.rubric);

  // Content: lexicon hits and hidden off-site links on every page read, forged dates
  // in the list pages' and articles' histories.
  struct Content {
    report::ContentFinding finding;
    int64_t fetched_at_ms = 0;
    std::string snapshot;
  };
  std::vector<Content> content;
  std::vector<const PageObservation*> pages(observations.begin(), observations.end());
  std::sort(pages.begin(), pages.end(),
            [](const PageObservation* a, const PageObservation* b) { return a->url() < b->url(); });
  // A lexicon hit on the page `url` fetched at `at_ms` (its body `snapshot`).
  auto add_hits = [&content](const auto& hits, const std::string& url, int64_t at_ms,
                             const std::string& snapshot) {
    for (const ContentHit& hit : hits) {
      Content c;
      c.finding.set_kind(hit.kind());
      c.finding.set_url(url);
      c.finding.set_detail(ContentHitDetail(hit));
      c.fetched_at_ms = at_ms;
      c.snapshot = snapshot;
      content.push_back(std::move(c));
    }
  };
  for (const PageObservation* obs : pages) {
    add_hits(obs->content_hits(), obs->url(), obs->fetched_at_ms(), obs->content_hash());
    for (const PageLink& link : obs->outlinks()) {
      if (!link.hidden() || !IsWebLink(link.url()) || !IsOffSite(link.url(), info.url())) continue;
      Content c;
      c.finding.set_kind("hidden_link");
      c.finding.set_url(obs->url());
      c.finding.set_detail(absl::StrCat(
          "hidden link to ", link.url(),
          link.text().empty() ? "" : absl::StrCat(" \"", link.text(), "\""),
          link.hidden_how().empty() ? "" : absl::StrCat(" (", link.hidden_how(), ")")));
      c.fetched_at_ms = obs->fetched_at_ms();
      c.snapshot = obs->content_hash();
      content.push_back(std::move(c));
    }
    if (obs->page_kind() == "article" || obs == homepage_obs) {
      const PageHistory& history = history_of(obs);
      forged.insert(forged.end(), history.forged.begin(), history.forged.end());
    }
  }
  // Lexicon terms in the pages the census only link-checked (articles of the site's
  // own lists), in link order.
  for (size_t i = 0; i < links.size(); ++i) {
    const FetchRecord* check = link_checks[i];
    if (check == nullptr) continue;
    add_hits(check->content_hits(), check->url(), check->fetched_at_ms(), check->content_hash());
  }
  // The same moved item shows on several pages (a column and the homepage): one
  // finding per article URL, from the first page that showed it.
  absl::flat_hash_set<std::string> forged_urls;
  for (Forged& f : forged) {
    if (!forged_urls.insert(f.change.url).second) continue;
    Content c;
    c.finding.set_kind("forged_date");
    c.finding.set_url(f.change.url);
    c.finding.set_detail(f.change.detail);
    c.fetched_at_ms = f.fetched_at_ms;
    c.snapshot = f.content_hash;
    content.push_back(std::move(c));
  }
  for (const Content& c : content) *site.add_content() = c.finding;

  JudgeSite(as_of, options.rubric, &site);

  // Evidence: each veto, each deduction, each broken link, each content finding.
  auto page_evidence = [&](const std::string& finding, const PageObservation* obs,
                           const std::string& fallback_url) {
    if (obs != nullptr) {
      AddEvidence(&site, finding, obs->url(), obs->fetched_at_ms(), obs->content_hash());
    } else {
      AddEvidence(&site, finding, fallback_url, 0, "");
    }
  };
  auto probe_evidence = [&](const std::string& finding) {
    AddEvidence(&site, finding, info.url(),
                last_failed_probe ? last_failed_probe->fetched_at_ms() : 0,
                last_failed_probe ? last_failed_probe->content_hash() : "");
  };
  auto column_evidence = [&](const std::string& finding,
                             const std::function<bool(const report::ColumnReport&)>& pick) {
    for (int i = 0; i < site.columns_size(); ++i) {
      if (pick(site.columns(i))) page_evidence(finding, column_obs[i], site.columns(i).url());
    }
  };
  auto mailbox_evidence = [&](const std::string& finding,
                              const std::function<bool(const MailboxMessage&)>& pick) {
    for (const PageObservation* obs : mailboxes) {
      if (std::any_of(obs->messages().begin(), obs->messages().end(), pick)) {
        page_evidence(finding, obs, obs->url());
      }
    }
  };
  auto link_pages_evidence = [&](const std::string& finding,
                                 const std::function<bool(const report::BrokenLink&)>& pick) {
    std::set<std::string> seen;
    for (const Broken& b : broken) {
      if (!pick(b.link) || !seen.insert(b.link.found_on()).second) continue;
      auto page = page_by_url.find(b.link.found_on());
      page_evidence(finding, page != page_by_url.end() ? page->second : nullptr, b.link.found_on());
    }
  };
  const Rubric& rubric = options.rubric;
  for (const report::Veto& veto : site.vetoes()) {
    const std::string& rule = veto.rule();
    if (rule == "site_unreachable") {
      probe_evidence(rule);
    } else if (rule == "homepage_stale") {
      page_evidence(rule, homepage_obs, info.url());
    } else if (rule == "columns_stale") {
      column_evidence(rule, [](const report::ColumnReport& c) { return c.stale(); });
    } else if (rule == "long_unupdated") {
      column_evidence(rule, [](const report::ColumnReport& c) { return c.long_unupdated(); });
    } else if (rule == "blank_columns") {
      column_evidence(rule, [](const report::ColumnReport& c) { return c.blank(); });
    } else if (rule == "interaction_unanswered") {
      mailbox_evidence(
          rule, [&](const MailboxMessage& m) { return UnansweredTooLong(m, as_of, rubric); });
    } else if (rule == "serious_error") {
      for (const Content& c : content) {
        AddEvidence(&site, rule, c.finding.url(), c.fetched_at_ms, c.snapshot);
      }
    }
  }
  std::set<std::string> deduction_rules;
  for (const report::Deduction& deduction : site.deductions()) {
    const std::string& rule = deduction.rule();
    if (!deduction_rules.insert(rule).second) continue;  // columns_not_updated: once
    if (rule == "homepage_availability") {
      probe_evidence(rule);
    } else if (rule == "homepage_update_volume") {
      page_evidence(rule, homepage_obs, info.url());
    } else if (rule == "columns_not_updated") {
      column_evidence(rule, [](const report::ColumnReport& c) { return c.stale(); });
    } else if (rule == "interaction_slow_replies") {
      mailbox_evidence(rule, [&](const MailboxMessage& m) { return SlowReply(m, as_of, rubric); });
    } else if (rule == "attachments_unavailable") {
      link_pages_evidence(rule, [](const report::BrokenLink& l) { return l.attachment(); });
    } else if (rule == "online_systems_unavailable") {
      link_pages_evidence(rule, [&](const report::BrokenLink& l) {
        return l.online_system() && !(l.attachment() && rubric.attachments_unavailable.enabled);
      });
    } else if (rule == "broken_links_homepage" || rule == "broken_links_other") {
      const bool home = rule == "broken_links_homepage";
      link_pages_evidence(rule, [&](const report::BrokenLink& l) {
        if (l.attachment() && rubric.attachments_unavailable.enabled) return false;
        if (l.online_system() && rubric.online_systems_unavailable.enabled) return false;
        return l.on_homepage() == home;
      });
    }
  }
  for (const Broken& b : broken) {
    auto page = page_by_url.find(b.link.found_on());
    AddEvidence(&site, "broken_link", b.link.url(), b.checked_at_ms,
                page != page_by_url.end() ? page->second->content_hash() : "");
  }
  for (const Content& c : content) {
    AddEvidence(&site, c.finding.kind(), c.finding.url(), c.fetched_at_ms, c.snapshot);
  }
  if (!options.evidence_base.empty()) SetEvidenceLinks(options.evidence_base, &site);
  return absl::OkStatus();
}

// AggregateEach and AggregateEachRendered: with `render`, each site's report text is
// rendered on the pool thread that aggregated it.
absl::StatusOr<report::CensusSummary> AggregateSites(
    Store& store, const AggregateOptions& options, bool render,
    const std::function<absl::Status(report::SiteReport& site, const RenderedSite& rendered)>&
        on_site) {
  std::vector<Site> sites;
  const absl::flat_hash_set<absl::string_view> wanted(options.site_ids.begin(),
                                                      options.site_ids.end());
  RETURN_IF_ERROR(store.ForEachSite([&](const Site& site) {
    if (wanted.empty() || wanted.contains(site.site_id())) sites.push_back(site);
  }));
  std::sort(sites.begin(), sites.end(),
            [](const Site& a, const Site& b) { return a.site_id() < b.site_id(); });

  report::CensusSummary census;
  census.set_as_of(FormatCivilDay(options.as_of));
  census.set_rubric(options.rubric.name);
  census.set_started(FormatRfc3339(absl::FromUnixMillis(options.run_started_ms)));
  census.set_finished(FormatRfc3339(absl::FromUnixMillis(options.run_finished_ms)));
  census.set_pages_fetched(options.pages_fetched);
  for (const report::InputError& error : options.input_errors) {
    *census.add_input_errors() = error;
  }

  // Sites are independent and the Store is thread-safe: a few threads (one Store::Reader
  // each) aggregate a chunk of sites, each report placed by index, then the chunk goes
  // to `on_site` in order on the calling thread while the threads aggregate the next
  // chunk; so the result does not depend on the number of threads and only two chunks
  // of reports are held at a time. On an error the lowest failing index of the chunk
  // wins (every lower index was already taken, and finished, when the threads stop),
  // i.e. the first failing site; the sites before it have all gone to `on_site`.
  const size_t threads =
      std::min<size_t>(std::max<size_t>(sites.size(), 1),
                       std::clamp<size_t>(std::thread::hardware_concurrency(), 1, kMaxThreads));
  const size_t chunk_size = kSitesPerThreadChunk * threads;
  std::vector<std::unique_ptr<Store::Reader>> readers;
  for (size_t t = 0; t < threads; ++t) readers.push_back(store.NewReader());
  // One chunk of sites aggregated by the pool while the calling thread hands the
  // previous chunk to `on_site` (which writes reports: as much CPU again as aggregating).
  struct Chunk {
    size_t begin = 0, end = 0;
    std::vector<report::SiteReport> sites;
    std::vector<RenderedSite> rendered;  // with `render`, parallel to `sites`
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex error_mu;
    size_t error_index = 0;
    absl::Status error;
    std::vector<std::thread> pool;

    void Start(size_t first, size_t last, const std::vector<Site>& all,
               const std::vector<std::unique_ptr<Store::Reader>>& readers,
               const AggregateOptions& options, bool render) {
      begin = first;
      end = last;
      sites.resize(end - begin);
      rendered.resize(render ? end - begin : 0);
      next.store(begin);
      stop.store(false);
      error_index = end;
      error = absl::OkStatus();
      auto work = [this, &all, &options, render](Store::Reader* reader) {
        while (!stop.load(std::memory_order_relaxed)) {
          const size_t i = next.fetch_add(1);
          if (i >= end) return;
          // The slot was cleared after its last site went to `on_site`.
          absl::Status status = AggregateSite(*reader, all[i], options, &sites[i - begin]);
          if (status.ok() && render) {
            status = ReportWriter::Render(sites[i - begin], static_cast<int64_t>(i),
                                          &rendered[i - begin]);
          }
          if (!status.ok()) {
            std::lock_guard<std::mutex> lock(error_mu);
            if (i < error_index) {
              error_index = i;
              error = std::move(status);
            }
            stop.store(true);
            return;
          }
        }
      };
      for (size_t t = 0; t < readers.size() && begin + t < end; ++t) {
        pool.emplace_back(work, readers[t].get());
      }
    }
    // Waits for the pool; the chunk's first error, if any.
    absl::Status Join() {
      for (std::thread& thread : pool) thread.join();
      pool.clear();
      return error;
    }
  };
  Chunk chunks[2];
  int passed = 0;
  int unreachable = 0;
  if (!sites.empty()) {
    chunks[0].Start(0, std::min(sites.size(), chunk_size), sites, readers, options, render);
  }
  for (size_t begin = 0, k = 0; begin < sites.size(); begin += chunk_size, k ^= 1) {
    Chunk& current = chunks[k];
    Chunk& following = chunks[k ^ 1];
    RETURN_IF_ERROR(current.Join());
    const size_t next_begin = begin + chunk_size;
    if (next_begin < sites.size()) {
      following.Start(next_begin, std::min(sites.size(), next_begin + chunk_size), sites, readers,
                      options, render);
    }
    static const RenderedSite kNotRendered;
    for (size_t j = 0; j < current.sites.size(); ++j) {
      report::SiteReport& site = current.sites[j];
      if (site.verdict() == "pass") ++passed;
      if (site.verdict() == "unreachable") ++unreachable;
      absl::Status status = on_site(site, render ? current.rendered[j] : kNotRendered);
      site.Clear();
      if (!status.ok()) {
        following.stop.store(true);
        (void)following.Join();
        return status;
      }
    }
  }
  census.set_sites(static_cast<int>(sites.size()));
  census.set_passed(passed);
  census.set_failed(static_cast<int>(sites.size()) - passed);
  census.set_unreachable(unreachable);
  return census;
}

}  // namespace

absl::StatusOr<report::CensusSummary> AggregateEach(
    Store& store, const AggregateOptions& options,
    const std::function<absl::Status(report::SiteReport& site)>& on_site) {
  return AggregateSites(store, options, false, [&](report::SiteReport& site, const RenderedSite&) {
    return on_site(site);
  });
}

absl::StatusOr<report::CensusSummary> AggregateEachRendered(
    Store& store, const AggregateOptions& options,
    const std::function<absl::Status(report::SiteReport& site, const RenderedSite& rendered)>&
        on_site) {
  return AggregateSites(store, options, true, on_site);
}

absl::StatusOr<report::CensusReport> Aggregate(Store& store, const AggregateOptions& options) {
  report::CensusReport report;
  ASSIGN_OR_RETURN(*report.mutable_census(),
                   AggregateEach(store, options, [&](report::SiteReport& site) {
                     report.add_sites()->Swap(&site);
                     return absl::OkStatus();
                   }));
  return report;
}

}  // namespace census
