#ifndef CENSUS_COORDINATOR_COORDINATOR_H_
#define CENSUS_COORDINATOR_COORDINATOR_H_

// Coordinator: owns the site registry, the schedule and the leases of one census.
//
// Protocol (docs/PROTOCOL.md): workers connect DEALER sockets to the coordinator's
// ROUTER. A worker sends WorkRequest and gets exactly one FromCoordinator back: a
// Lease, NoWork (ask again after retry_after_ms) or Shutdown (the census is complete).
// It later sends LeaseDone, which has no reply. A lease not done by its deadline goes
// back to the frontier and is handed out again.
//
// Per site the work comes in phases: homepage (+ the declared columns), then the
// discovered columns, then link checks of every distinct link found. Probes of the
// homepage are separate one-request leases, due every probe_interval from the start.
// A site has at most one crawl lease out at a time (politeness is the worker's job
// within a lease); probes may overlap it. Link targets are checked once per census:
// a URL seen on any site is not leased again.
//
// State (sites and their progress) is written through to a RocksDB database under
// `data_dir`, key "site/<site_id>" → SiteState.
//
// Conditional requests across censuses (a later census on the same data_dir): the
// validators a worker reports for a HOMEPAGE/COLUMN page are kept under "val/<url>"
// (Validators) and sent with that page's task next time. For such pages (an ETag or
// a Last-Modified) the links found on them are kept under "links/<url>" (LeaseDone
// holding only `links`) and a discovering homepage's columns under "cols/<site_id>"
// (LeaseDone holding only `discovered_columns`): an unchanged page (304, reported
// with the content hash we sent) has its links checked and its columns crawled from
// these, since the worker did not read it again.
//
// Threading: Serve() runs on one thread; progress() and Stop() may be called from any.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "proto/census.pb.h"

namespace rocksdb {
class DB;
}

namespace census {

struct CoordinatorOptions {
  std::string data_dir;  // RocksDB path of the coordinator state
  std::string as_of;     // YYYY-MM-DD, passed to workers in leases
  int probes = 20;
  absl::Duration probe_interval = absl::Minutes(1);
  int max_pages_per_site = 2000;  // pages + link checks per site
  int links_per_lease = 64;
  absl::Duration lease_timeout = absl::Minutes(10);
  bool respect_robots = true;  // Lease.respect_robots (false with --no-robots)
  int max_list_pages = 3;      // Lease.max_list_pages: COLUMN pagination bound
  Clock* clock = Clock::Real();
};

struct CoordinatorProgress {
  int sites_total = 0;
  int sites_done = 0;
  int64_t pages_fetched = 0;
  int64_t errors = 0;
  int64_t leases_out = 0;
  int64_t leases_expired = 0;
  bool complete = false;
};

class Coordinator {
 public:
  Coordinator(zmq::context_t& context, std::string endpoint, CoordinatorOptions options);
  ~Coordinator();

  // Opens the state database and binds the ROUTER socket.
  absl::Status Start();
  // Registers the census: every site with its declared columns (may be empty, then
  // they are discovered from the homepage). Replaces any earlier census in the state.
  absl::Status AddSites(const std::vector<Site>& sites,
                        const absl::flat_hash_map<std::string, std::vector<Column>>& columns);
  // Serves workers until Stop(). Returns the first fatal error.
  absl::Status Serve();
  void Stop() { stop_.store(true); }
  CoordinatorProgress progress() const;

 private:
  struct SiteWork;

  void HandleWorkRequest(const std::string& identity, const WorkRequest& request);
  void HandleLeaseDone(const LeaseDone& done);
  bool NextLease(Lease* lease);
  void ExpireLeases();
  void UpdateComplete();
  absl::Status Persist(const SiteWork& work);
  // Sets `task`'s validators from "val/<url>" when an ETag or Last-Modified is known.
  bool AttachValidators(FetchTask* task);
  // Queues a COLUMN task for `col`.
  void QueueColumn(SiteWork& w, const Column& col);
  // Columns a column page's sidebar named that the site does not have yet (at most
  // kMaxColumnsPerSite in all) join its set and are fetched.
  void AddSidebarColumns(SiteWork& w, const LeaseDone& done);
  static constexpr int kMaxColumnsPerSite = 80;
  // Stores validators, links and discovered columns of `done`; returns the links of
  // pages reported unchanged (from their last full read).
  std::vector<LinkRef> RememberPages(const Lease& lease, const LeaseDone& done);
  template <typename Message>
  bool GetState(const std::string& key, Message* msg);

  zmq::context_t& context_;
  std::string endpoint_;
  CoordinatorOptions options_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<bool> stop_{false};

  mutable std::mutex mu_;  // guards everything below (Serve vs progress())
  std::vector<std::unique_ptr<SiteWork>> sites_;
  absl::flat_hash_map<std::string, SiteWork*> by_id_;
  absl::flat_hash_map<std::string, bool> link_seen_;  // census-wide link dedup
  struct OutstandingLease {
    SiteWork* site;
    Lease lease;
    absl::Time deadline;
  };
  absl::flat_hash_map<uint64_t, OutstandingLease> leases_;
  uint64_t next_lease_id_ = 1;
  absl::Time started_;
  size_t rr_cursor_ = 0;  // round-robin over sites
  CoordinatorProgress progress_;
};

}  // namespace census

#endif  // CENSUS_COORDINATOR_COORDINATOR_H_
