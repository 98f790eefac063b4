#ifndef CENSUS_COORDINATOR_COORDINATOR_H_
#define CENSUS_COORDINATOR_COORDINATOR_H_

// Coordinator: owns the site registry, the schedule and the leases of one census.
//
// Protocol (docs/PROTOCOL.md): workers connect DEALER sockets to the coordinator's
// ROUTER. A worker sends WorkRequest and gets exactly one FromCoordinator back: a
// Lease, NoWork (ask again after retry_after_ms) or Shutdown (the census is complete).
// It later sends LeaseDone, which has no reply. A lease not done by its deadline goes
// back to the frontier and is handed out again, with a deadline twice as far for each
// expiry of the site's crawl leases in a row (up to 16x): a lease that cannot finish
// in lease_timeout is not handed out for ever.
//
// Per site the work comes in phases: homepage (+ the declared columns), then the
// discovered columns, then link checks of every distinct link found. Probes of the
// homepage are separate small leases, due every probe_interval from the start (the first
// few with an IPv6 probe beside the probe, the first with the site's HTTPS check).
// A site has at most one crawl lease out at a time (politeness is the worker's job
// within a lease); probes may overlap it. Link targets are checked once per census:
// a URL seen on any site is not leased again.
//
// Link checks are leased grouped by target host (a lease holds one host's URLs) and at
// most `max_leases_per_host` leases of one host are out at once, across all workers:
// forty workers do not hammer a portal every site links to.
//
// State is written through to a RocksDB database under `data_dir` so that a coordinator
// killed at any moment and started again on the same data goes on with the census:
// "census" → CensusMeta, "site/<site_id>" → SiteState, "task/<site_id>\0<seq>" →
// FetchTask for every task not done (leased ones included: a lease in flight when the
// coordinator died is simply leased again), "seen/<url>" for the census-wide link
// dedup. A LeaseDone's effects (tasks done, tasks queued, links seen, site state) are
// one WriteBatch. Lease ids are epoch << 32 | counter with the epoch bumped at every
// start, so a LeaseDone for a lease of an earlier life is not mistaken for a new one
// (it is ignored: its tasks are leased again, and the store keeps one result per task).
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
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/wire.h"
#include "proto/census.pb.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace census {

struct CoordinatorOptions {
  std::string data_dir;  // RocksDB path of the coordinator state
  std::string as_of;     // YYYY-MM-DD, passed to workers in leases
  int probes = 20;
  absl::Duration probe_interval = absl::Minutes(1);
  // The first `ipv6_probes` probe leases of a site also carry a PROBE_V6 of the homepage
  // (same probe_index), and probe 0's lease an HTTPS_CHECK when `https_check`: the IPv6
  // and HTTPS findings ride on the probes' schedule and leases (docs/REPORT.md "IPv6 and
  // HTTPS"). With probes = 0 neither is made.
  int ipv6_probes = 3;
  bool https_check = true;
  int max_pages_per_site = 2000;  // pages + link checks per site
  int links_per_lease = 64;
  absl::Duration lease_timeout = absl::Minutes(10);
  bool respect_robots = true;   // Lease.respect_robots (false with --no-robots)
  int max_list_pages = 3;       // Lease.max_list_pages: COLUMN pagination bound
  int max_leases_per_host = 2;  // crawl leases of one target host out at once
  std::string run_id;           // a new census's id (RunRecord.run_id)
  std::string sites_digest;     // a new census's input digest (CensusMeta)
  // Called on the socket before bind (CURVE, ZAP domain); may be null.
  std::function<absl::Status(zmq::socket_t&)> secure;
  Clock* clock = Clock::Real();
};

struct CoordinatorProgress {
  int sites_total = 0;
  int sites_done = 0;
  int64_t pages_fetched = 0;
  int64_t errors = 0;
  int64_t leases_out = 0;
  int64_t leases_expired = 0;
  int64_t leases_returned = 0;
  int64_t late_lease_done = 0;  // LeaseDone of a lease no longer out (ignored)
  int64_t queued_tasks = 0;
  bool complete = false;
};

class Coordinator {
 public:
  Coordinator(zmq::context_t& context, std::string endpoint, CoordinatorOptions options);
  ~Coordinator();

  // Opens the state database and binds the ROUTER socket.
  absl::Status Start();
  // Registers a new census (options.run_id, started now): every site with its declared
  // columns (may be empty, then they are discovered from the homepage). Replaces any
  // earlier census in the state.
  absl::Status AddSites(const std::vector<Site>& sites,
                        const absl::flat_hash_map<std::string, std::vector<Column>>& columns);
  // Goes on with the census in the state (after a crash or a restart): true when there
  // is one whose sites_digest is `sites_digest` and whose run is not yet recorded;
  // false when there is none (or it was recorded): then AddSites. FailedPrecondition
  // when the unfinished census was of another sites list.
  absl::StatusOr<bool> Resume(const std::string& sites_digest);
  // The census being run (after AddSites or Resume).
  CensusMeta meta() const;
  // Notes that the census's RunRecord is on every store shard.
  absl::Status MarkRunRecorded(int64_t finished_ms);
  // The bound endpoint (tcp://HOST:PORT when bound to port 0).
  std::string endpoint() const;
  // A snapshot for `census status`.
  StatusReport Status() const;
  // Failed fetches of the leases done so far, by FetchError name (as in Status()).
  int64_t ErrorsOfKind(const std::string& kind) const;
  const WireDrops& drops() const { return drops_; }
  // Serves workers until Stop(). Returns the first fatal error.
  absl::Status Serve();
  void Stop() { stop_.store(true); }
  CoordinatorProgress progress() const;

 private:
  struct SiteWork;

  struct PendingTask;
  void HandleWorkRequest(const std::string& identity, const WorkRequest& request);
  void HandleLeaseDone(const LeaseDone& done);
  void HandleLeaseReturn(const LeaseReturn& ret);
  bool NextLease(Lease* lease, std::vector<uint64_t>* seqs);
  bool NextProbe(Lease* lease);
  bool NextCrawl(Lease* lease, std::vector<uint64_t>* seqs);
  void ExpireLeases();
  // Puts an expired or returned lease's tasks back.
  void Requeue(uint64_t lease_id);
  void UpdateComplete(SiteWork& w);
  void MarkReady(SiteWork& w);
  // Appends a task to the site's queue and its key to `batch`.
  void Enqueue(SiteWork& w, FetchTask task, rocksdb::WriteBatch* batch);
  void PutSiteState(SiteWork& w, rocksdb::WriteBatch* batch);
  absl::Status Write(rocksdb::WriteBatch* batch);
  void Touch(const std::string& worker_id, int leases_out_delta, int done_delta);
  // Sets `task`'s validators from "val/<url>" when an ETag or Last-Modified is known.
  bool AttachValidators(FetchTask* task);
  // Queues a COLUMN task for `col`.
  void QueueColumn(SiteWork& w, const Column& col, rocksdb::WriteBatch* batch);
  // Columns a column page's sidebar named that the site does not have yet (at most
  // kMaxColumnsPerSite in all) join its set and are fetched.
  void AddSidebarColumns(SiteWork& w, const LeaseDone& done, rocksdb::WriteBatch* batch);
  // Marks `url` seen census-wide; false when it was already.
  bool See(const std::string& url, rocksdb::WriteBatch* batch);
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
  WireDrops drops_{"coordinator"};

  mutable std::mutex mu_;  // guards everything below (Serve vs progress())
  CensusMeta meta_;
  std::vector<std::unique_ptr<SiteWork>> sites_;
  absl::flat_hash_map<std::string, SiteWork*> by_id_;
  absl::flat_hash_set<std::string> link_seen_;  // census-wide link dedup
  struct OutstandingLease {
    SiteWork* site;
    Lease lease;
    absl::Time deadline;
    std::vector<uint64_t> seqs;  // task keys of the crawl tasks
    std::string host;            // "" for probes
    std::string worker_id;
  };
  absl::flat_hash_map<uint64_t, OutstandingLease> leases_;
  uint32_t epoch_ = 0;
  uint64_t next_lease_counter_ = 1;
  absl::Time started_;
  // Probes by due time: (due, site index, probe index), soonest first.
  struct DueProbe {
    absl::Time due;
    size_t site;
    int index;
    bool operator>(const DueProbe& o) const {
      return due != o.due ? due > o.due : site != o.site ? site > o.site : index > o.index;
    }
  };
  std::priority_queue<DueProbe, std::vector<DueProbe>, std::greater<DueProbe>> probes_due_;
  std::deque<SiteWork*> crawl_ready_;                  // sites with tasks and no crawl lease out
  absl::flat_hash_map<std::string, int> host_leases_;  // crawl leases out by host
  absl::flat_hash_map<std::string, WorkerContact> workers_;
  absl::flat_hash_map<std::string, int64_t> errors_by_kind_;
  int64_t queued_tasks_ = 0;
  CoordinatorProgress progress_;
};

}  // namespace census

#endif  // CENSUS_COORDINATOR_COORDINATOR_H_
