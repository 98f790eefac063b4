#ifndef CENSUS_WORKER_WORKER_H_
#define CENSUS_WORKER_WORKER_H_

// Worker: the stateless fetch-and-extract role.
//
// Per lease (docs/PROTOCOL.md "What a worker does with a lease"):
// - robots.txt of each origin is honoured when Lease.respect_robots (PROBE and
//   HOMEPAGE tasks are always fetched); a disallowed URL gets a FetchRecord with
//   robots_disallowed and is not fetched.
// - LINK_CHECK: HEAD for URLs that look like attachments / non-HTML (GET otherwise,
//   soft-404 needs the body), GET again at once when HEAD is refused (400/403/405/
//   406/501 or a broken reply); a failure is re-fetched with GET after
//   recheck_delay, and only a second failure is recorded as such (attempts = 2).
// - HOMEPAGE/COLUMN: conditional requests with the lease's validators (a 304 sends
//   no body: the store copies the previous observation); validators of every page
//   go back in LeaseDone; a COLUMN page that failed transiently (reset, timeout,
//   refused, 5xx) is fetched again after recheck_delay, and only a second failure
//   is recorded (attempts = 2); COLUMN pages follow the pager up to Lease.max_list_pages
//   and merge the items into one observation.
//
// It asks the coordinator for leases (DEALER → coordinator ROUTER), fetches every task
// of a lease with one libcurl multi Fetcher, extracts each page, sends the lease's
// ResultBatch to the store (DEALER → store ROUTER) and, only once the store has acked
// it, reports LeaseDone to the coordinator. Killing a worker loses nothing: its
// leases expire and are handed out again, and store writes are idempotent.
//
// Threading: Run() owns both sockets and the Fetcher; call it on one thread. Stop()
// may be called from any thread.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "worker/extract.h"
#include "worker/fetcher.h"
#include "worker/renderer.h"
#include "worker/soft404.h"

namespace census {

class LexiconScanner;  // worker/content_scan.h

struct WorkerOptions {
  std::string worker_id = "worker-0";
  std::string coordinator_endpoint;
  // The store shards, shard i at index i: a lease's batch goes to the shard of its
  // site (common/shard.h), and its link checks' index records to every other shard.
  std::vector<std::string> store_endpoints;
  // Messages that got no answer are sent again after these (a coordinator or store that
  // restarted lost them; the DEALER reconnects by itself). Store writes are idempotent
  // and a duplicate WorkRequest only gets another lease.
  absl::Duration request_timeout = absl::Seconds(5);
  absl::Duration store_ack_timeout = absl::Seconds(15);
  // Applied to each socket before connect (CURVE keys); may be null.
  std::function<absl::Status(zmq::socket_t&)> secure;
  // false (`census worker --stay`, a Deployment's workers): when the coordinator says
  // the census is complete, ask again every `shutdown_retry` for the next census instead
  // of returning (a process that exits would be restarted with back-off anyway).
  bool exit_on_shutdown = true;
  absl::Duration shutdown_retry = absl::Seconds(30);
  FetcherOptions fetcher;
  int max_leases = 32;  // leases worked on at once
  absl::Duration probe_timeout = absl::Seconds(15);
  absl::Duration page_timeout = absl::Seconds(30);
  // A link check that fails is fetched once more (GET) after this delay; only when
  // that fails too is the link broken (FetchRecord.attempts = 2).
  absl::Duration recheck_delay = absl::Seconds(2);
  // robots.txt: fetched once per origin and kept this long by the worker; a fetch of
  // it gives up after robots_timeout (then everything is allowed).
  absl::Duration robots_ttl = absl::Hours(1);
  absl::Duration robots_timeout = absl::Seconds(10);
  // Lexicon scanner for HOMEPAGE/COLUMN page text (ContentHit); may be null. Not
  // owned; must outlive Run(). Shared by workers (LexiconScanner is thread-safe).
  const LexiconScanner* scanner = nullptr;
  // The rendered look (docs/COLUMNS.md "Lists that scripts build"): a COLUMN page that
  // shows no dated item, after its script data and data URLs, and has a script or frame
  // that may change it, is rendered once in headless Chromium (worker/renderer.h; one
  // renderer per worker, started on its first page) and the rendered DOM is extracted.
  // Off, or Chromium not installed at renderer.chromium_path: such a page is observed
  // with render "unavailable" and its column is unverified-blank, never blank.
  bool render = true;
  // renderer.fetch, when empty, is a libcurl fetch with `fetcher`'s host mapping, user
  // agent and address policy (CurlSubresourceFetch).
  RendererOptions renderer;
  // Test seam: the page extractor; ExtractPage when empty.
  std::function<absl::StatusOr<PageExtract>(absl::string_view bytes, absl::string_view content_type,
                                            const ExtractOptions& options)>
      extract;
  Clock* clock = Clock::Real();
};

struct WorkerStats {
  int64_t fetches = 0;
  int64_t errors = 0;
  int64_t leases_done = 0;
  int64_t bytes = 0;
  int64_t leases_returned = 0;
  int64_t store_resends = 0;
  int64_t request_resends = 0;
  int64_t renders = 0;          // rendered looks that gave a DOM
  int64_t render_failures = 0;  // that did not (timeout, crash, no renderer)
};

class Worker {
 public:
  Worker(zmq::context_t& context, WorkerOptions options);
  ~Worker();

  // Works until the coordinator answers Shutdown (and every lease is finished) or
  // Stop() is called.
  absl::Status Run();
  void Stop() { stop_.store(true); }
  // SIGTERM: takes no more leases, finishes those it holds for up to `grace`, then
  // hands the rest back (LeaseReturn) and Run() returns OK. Any thread.
  void Drain(absl::Duration grace) {
    drain_grace_ms_.store(absl::ToInt64Milliseconds(grace));
    draining_.store(true);
  }
  WorkerStats stats() const;

 private:
  struct Impl;
  zmq::context_t& context_;
  WorkerOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> drain_grace_ms_{0};
  std::atomic<int64_t> fetches_{0}, errors_{0}, leases_done_{0}, bytes_{0}, leases_returned_{0},
      store_resends_{0}, request_resends_{0}, renders_{0}, render_failures_{0};
};

}  // namespace census

#endif  // CENSUS_WORKER_WORKER_H_
