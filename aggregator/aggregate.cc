// Aggregate: reads one store shard and builds the CensusReport (the Store-backed half;
// the rubric itself is in site_verdict.cc).

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "aggregator/aggregator.h"
#include "aggregator/site_verdict.h"
#include "common/clock.h"
#include "common/status_macros.h"

namespace census {
namespace {

// The newer of two records by fetch time (ties: the later one in key order).
template <typename T>
bool NewerOrSame(const T& candidate, const T& current) {
  return candidate.fetched_at_ms() >= current.fetched_at_ms();
}

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

struct LinkEntry {
  std::string url;
  std::string found_on;
  bool on_homepage = false;
};

absl::StatusOr<report::SiteReport> AggregateSite(Store& store, const Site& info,
                                                 const AggregateOptions& options) {
  const absl::CivilDay as_of = options.as_of;
  report::SiteReport site;
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
  std::map<std::string, FetchRecord> column_fetches;  // url → newest
  RETURN_IF_ERROR(store.ForEachFetch(info.site_id(), options.run_started_ms,
                                     options.run_finished_ms, [&](const FetchRecord& record) {
                                       if (record.kind() == PROBE) {
                                         ++probes;
                                         if (ProbeFailed(record)) {
                                           ++failures;
                                           if (!last_failed_probe ||
                                               NewerOrSame(record, *last_failed_probe)) {
                                             last_failed_probe = record;
                                           }
                                         }
                                       } else if (record.kind() == COLUMN) {
                                         auto it = column_fetches.find(record.url());
                                         if (it == column_fetches.end()) {
                                           column_fetches.emplace(record.url(), record);
                                         } else if (NewerOrSame(record, it->second)) {
                                           it->second = record;
                                         }
                                       }
                                     }));
  report::Reachability* reach = site.mutable_reachability();
  reach->set_probes(probes);
  reach->set_failures(failures);
  reach->set_failure_ratio(probes > 0 ? static_cast<double>(failures) / probes : 0.0);

  // Observations as of the end of the run.
  ASSIGN_OR_RETURN(std::vector<PageObservation> observations,
                   store.LatestObservations(info.site_id(), options.run_finished_ms));
  const PageObservation* homepage_obs = nullptr;
  for (const PageObservation& obs : observations) {
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

  // Columns, in their order; without a stored list, those the observations name.
  ASSIGN_OR_RETURN(std::vector<Column> columns, store.Columns(info.site_id()));
  if (columns.empty()) {
    std::map<std::string, Column> seen;
    for (const PageObservation& obs : observations) {
      if (obs.kind() != COLUMN) continue;
      Column column = obs.column();
      if (column.url().empty()) column.set_url(obs.url());
      seen.emplace(column.url(), column);
    }
    for (auto& [url, column] : seen) columns.push_back(column);
  }

  std::vector<const PageObservation*> column_obs(columns.size(), nullptr);
  std::vector<ColumnFacts> column_facts(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& column = columns[i];
    for (const PageObservation& obs : observations) {
      if (obs.kind() != COLUMN) continue;
      if (obs.url() != column.url() && obs.column().url() != column.url()) continue;
      if (column_obs[i] == nullptr || NewerOrSame(obs, *column_obs[i])) {
        column_obs[i] = &obs;
      }
    }
    ColumnFacts& facts = column_facts[i];
    facts.name = column.name();
    facts.url = column.url();
    facts.category = column.category();
    if (const PageObservation* obs = column_obs[i]) {
      facts.observed = true;
      facts.blank_placeholder = obs->blank_placeholder();
      for (const ListItem& item : obs->items()) facts.item_dates.push_back(item.date());
    }
    auto fetch = column_fetches.find(column.url());
    if (fetch != column_fetches.end()) facts.fetch_error = fetch->second.error();
    *site.add_columns() = JudgeColumn(facts, as_of, options.rubric);
  }

  // Homepage.
  std::vector<std::string> homepage_dates;
  if (homepage_obs != nullptr) {
    for (const ListItem& item : homepage_obs->items()) homepage_dates.push_back(item.date());
  }
  std::vector<report::ColumnReport> column_reports(site.columns().begin(), site.columns().end());
  *site.mutable_homepage() =
      JudgeHomepage(homepage_dates, column_reports, !columns.empty(), as_of, options.rubric);

  // Links: homepage first, then the column pages in order; first page wins.
  std::vector<LinkEntry> links;
  absl::flat_hash_map<std::string, size_t> link_index;
  auto collect = [&](const PageObservation& obs, bool is_homepage) {
    for (const std::string& url : obs.links()) {
      if (!IsWebLink(url)) continue;
      auto [it, inserted] = link_index.emplace(url, links.size());
      if (inserted) links.push_back({url, obs.url(), is_homepage});
    }
  };
  if (homepage_obs != nullptr) collect(*homepage_obs, true);
  for (const PageObservation* obs : column_obs) {
    if (obs != nullptr) collect(*obs, false);
  }
  // Column pages that failed are broken links of the homepage (their nav entry).
  absl::flat_hash_map<std::string, const FetchRecord*> failed_columns;
  for (const auto& [url, record] : column_fetches) {
    if (record.error() == FETCH_OK || record.error() == TOO_LARGE) continue;
    bool is_column = std::any_of(columns.begin(), columns.end(),
                                 [&](const Column& c) { return c.url() == url; });
    if (!is_column) continue;
    failed_columns.emplace(url, &record);
    auto it = link_index.find(url);
    if (it == link_index.end()) {
      link_index.emplace(url, links.size());
      links.push_back({url, homepage_url, true});
    } else {
      links[it->second].found_on = homepage_url;
      links[it->second].on_homepage = true;
    }
  }

  absl::flat_hash_map<std::string, const PageObservation*> page_by_url;
  if (homepage_obs != nullptr) page_by_url[homepage_obs->url()] = homepage_obs;
  for (const PageObservation* obs : column_obs) {
    if (obs != nullptr) page_by_url.emplace(obs->url(), obs);
  }

  struct Broken {
    report::BrokenLink link;
    int64_t checked_at_ms = 0;
  };
  std::vector<Broken> broken;
  int checked = 0;
  for (const LinkEntry& entry : links) {
    std::optional<FetchRecord> check;
    auto failed = failed_columns.find(entry.url);
    if (failed != failed_columns.end()) {
      check = *failed->second;  // the column report says so too
    } else {
      ASSIGN_OR_RETURN(
          check, store.LatestLinkCheck(entry.url, options.run_started_ms, options.run_finished_ms));
    }
    if (!check) {
      // A column page read in this run was checked by that fetch.
      if (column_fetches.count(entry.url) > 0) ++checked;
      continue;
    }
    if (check->error() == BLOCKED_ADDRESS) continue;
    ++checked;
    std::optional<std::string> error = BrokenLinkError(*check);
    if (!error) continue;
    Broken b;
    b.link.set_url(entry.url);
    b.link.set_found_on(entry.found_on);
    b.link.set_on_homepage(entry.on_homepage);
    b.link.set_error(*error);
    b.link.set_status(check->status());
    b.checked_at_ms = check->fetched_at_ms();
    broken.push_back(std::move(b));
  }
  std::sort(broken.begin(), broken.end(),
            [](const Broken& a, const Broken& b) { return a.link.url() < b.link.url(); });
  report::Links* report_links = site.mutable_links();
  report_links->set_checked(checked);
  for (const Broken& b : broken) *report_links->add_broken() = b.link;

  site.mutable_interaction();
  JudgeSite(as_of, options.rubric, &site);

  // Evidence: each veto, then each broken link.
  for (const report::Veto& veto : site.vetoes()) {
    if (veto.rule() == "site_unreachable") {
      AddEvidence(&site, veto.rule(), info.url(),
                  last_failed_probe ? last_failed_probe->fetched_at_ms() : 0,
                  last_failed_probe ? last_failed_probe->content_hash() : "");
    } else if (veto.rule() == "homepage_stale") {
      if (homepage_obs != nullptr) {
        AddEvidence(&site, veto.rule(), homepage_obs->url(), homepage_obs->fetched_at_ms(),
                    homepage_obs->content_hash());
      } else {
        AddEvidence(&site, veto.rule(), info.url(), 0, "");
      }
    } else if (veto.rule() == "columns_stale" || veto.rule() == "blank_columns") {
      bool stale_rule = veto.rule() == "columns_stale";
      for (int i = 0; i < site.columns_size(); ++i) {
        const report::ColumnReport& column = site.columns(i);
        if (!(stale_rule ? column.stale() : column.blank())) continue;
        const PageObservation* obs = column_obs[i];
        AddEvidence(&site, veto.rule(), column.url(), obs ? obs->fetched_at_ms() : 0,
                    obs ? obs->content_hash() : "");
      }
    }
  }
  for (const Broken& b : broken) {
    auto page = page_by_url.find(b.link.found_on());
    AddEvidence(&site, "broken_link", b.link.url(), b.checked_at_ms,
                page != page_by_url.end() ? page->second->content_hash() : "");
  }
  return site;
}

}  // namespace

absl::StatusOr<report::CensusReport> Aggregate(Store& store, const AggregateOptions& options) {
  std::vector<Site> sites;
  RETURN_IF_ERROR(store.ForEachSite([&](const Site& site) { sites.push_back(site); }));
  std::sort(sites.begin(), sites.end(),
            [](const Site& a, const Site& b) { return a.site_id() < b.site_id(); });

  report::CensusReport report;
  report::CensusSummary* census = report.mutable_census();
  census->set_as_of(FormatCivilDay(options.as_of));
  census->set_rubric(options.rubric.name);
  census->set_started(FormatRfc3339(absl::FromUnixMillis(options.run_started_ms)));
  census->set_finished(FormatRfc3339(absl::FromUnixMillis(options.run_finished_ms)));
  census->set_pages_fetched(options.pages_fetched);
  for (const report::InputError& error : options.input_errors) {
    *census->add_input_errors() = error;
  }
  int passed = 0;
  int unreachable = 0;
  for (const Site& info : sites) {
    ASSIGN_OR_RETURN(report::SiteReport site, AggregateSite(store, info, options));
    if (site.verdict() == "pass") ++passed;
    if (site.verdict() == "unreachable") ++unreachable;
    *report.add_sites() = std::move(site);
  }
  census->set_sites(static_cast<int>(sites.size()));
  census->set_passed(passed);
  census->set_failed(static_cast<int>(sites.size()) - passed);
  census->set_unreachable(unreachable);
  return report;
}

}  // namespace census
