#ifndef CENSUS_SERVE_SERVE_H_
#define CENSUS_SERVE_SERVE_H_

// `census serve`: a read-only web UI over a census store, rendered on the server (no
// JavaScript), answering through OpsHttpServer's handler (ops/http_server.h). Addresses
// (docs/SERVE.md):
//   /                                  the runs
//   /run/RUN[?page=N]                  a run's sites, 100 a page, aggregated for that page
//   /run/RUN/site/SITE                 a site's findings, evidence, columns and pages
//   /page/SITE?url=URL                 a page's versions (fetches, hashes, keyframe/delta)
//   /view/TS/URL                       the page at TS: its version, what changed since the
//                                      version before, and the page in <iframe sandbox>
//   /diff/TS_A/TS_B/URL                two versions: items, their dates, visible text
//   /evidence/SITE/HASH[?at=TS]        a report's evidence link: redirects to /view
//   /web/TS/URL, /web/TSid_/URL        the archived page (links into the archive; id_:
//                                      the stored bytes), hostile content: CSP sandbox
// TS is 14 digits YYYYMMDDhhmmss (UTC); a page "at TS" is its newest version fetched
// at or before that second. URL is the page's URL as stored, verbatim (query included).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "aggregator/aggregator.h"
#include "ops/http_server.h"
#include "proto/census.pb.h"
#include "storage/store.h"

namespace census::serve {

// How a run's report is aggregated (cmd's AggregateOptionsForRun, its rubric parsed).
using RunOptionsFn = std::function<absl::StatusOr<AggregateOptions>(const RunRecord& run)>;

class ArchiveServer {
 public:
  static constexpr int kSitesPerPage = 100;

  // `store` (opened read-only: it does not change while served) must outlive the server.
  // Reads the runs and the sites once.
  static absl::StatusOr<std::unique_ptr<ArchiveServer>> Create(Store* store,
                                                               RunOptionsFn run_options);

  // Thread-safe (the store is; the rest is read-only after Create).
  HttpResponse Handle(const HttpRequest& request) const;

 private:
  ArchiveServer(Store* store, RunOptionsFn run_options)
      : store_(store), run_options_(std::move(run_options)) {}

  HttpResponse Runs() const;
  HttpResponse RunSites(const std::string& run_id, const std::string& query) const;
  HttpResponse SitePage(const std::string& run_id, const std::string& site_id) const;
  HttpResponse Versions(const std::string& site_id, const std::string& url) const;
  HttpResponse View(const std::string& ts, const std::string& url) const;
  HttpResponse Diff(const std::string& ts_a, const std::string& ts_b, const std::string& url) const;
  HttpResponse Archived(const std::string& ts, const std::string& url) const;
  HttpResponse Evidence(const std::string& site_id, const std::string& hash,
                        const std::string& query) const;

  const RunRecord* FindRun(const std::string& run_id) const;
  // The sites whose pages `url` may be: those on its host, else the site whose link
  // check fetched it.
  std::vector<std::string> SitesOfUrl(const std::string& url) const;
  // Every fetch of `url` by those sites, oldest first.
  absl::StatusOr<std::vector<FetchRecord>> UrlFetches(const std::vector<std::string>& sites,
                                                      const std::string& url) const;
  // The observation stored with a fetch (same time), or the newest before it; nullopt
  // when the page has none.
  absl::StatusOr<std::optional<PageObservation>> ObservationOf(const FetchRecord& fetch) const;
  // The run whose window holds `ms` ("" when none).
  std::string RunAt(int64_t ms) const;

  Store* const store_;
  const RunOptionsFn run_options_;
  std::vector<RunRecord> runs_;                              // run_id order
  std::map<std::string, Site> sites_;                        // by site_id
  std::map<std::string, std::vector<std::string>> by_host_;  // UrlHost(site.url) → site ids
};

}  // namespace census::serve

#endif  // CENSUS_SERVE_SERVE_H_
