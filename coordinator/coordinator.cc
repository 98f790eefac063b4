#include "coordinator/coordinator.h"

#include <algorithm>
#include <deque>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/wire.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace census {

struct Coordinator::PendingTask {
  uint64_t seq = 0;  // key "task/<site_id>\0<seq>" while not done
  FetchTask task;
};

struct Coordinator::SiteWork {
  size_t index = 0;  // in sites_
  SiteState state;
  std::deque<PendingTask> pending;  // crawl tasks (homepage, columns, link checks)
  bool crawl_leased = false;
  bool ready = false;                    // in crawl_ready_
  absl::flat_hash_set<int> probes_done;  // probe indexes with a LeaseDone
  bool complete = false;
  // Crawl leases of the site that expired in a row: the next one gets 2^n times the
  // lease timeout (at most 16x), so a lease that cannot finish in time is not handed
  // out for ever.
  int expiries = 0;
};

namespace {

constexpr char kCensusKey[] = "census";
constexpr char kEpochKey[] = "epoch";

std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string TaskPrefix(const std::string& site_id) {
  std::string k = absl::StrCat("task/", site_id);
  k.push_back('\0');
  return k;
}

std::string TaskKey(const std::string& site_id, uint64_t seq) {
  std::string k = TaskPrefix(site_id);
  for (int shift = 56; shift >= 0; shift -= 8) k.push_back(static_cast<char>(seq >> shift));
  return k;
}

uint64_t SeqOf(const rocksdb::Slice& key) {
  uint64_t seq = 0;
  for (size_t i = key.size() - 8; i < key.size(); ++i) {
    seq = (seq << 8) | static_cast<unsigned char>(key[i]);
  }
  return seq;
}

// Every key starting with `prefix` is deleted by DeleteRange(prefix, PrefixEnd(prefix)).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

// A probe lease: a PROBE first, maybe a PROBE_V6 and an HTTPS_CHECK after it.
bool IsProbeLease(const Lease& lease) {
  return lease.tasks_size() >= 1 && lease.tasks(0).kind() == PROBE;
}

}  // namespace

Coordinator::Coordinator(zmq::context_t& context, std::string endpoint, CoordinatorOptions options)
    : context_(context), endpoint_(std::move(endpoint)), options_(std::move(options)) {}

Coordinator::~Coordinator() = default;

absl::Status Coordinator::Start() {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options_.data_dir, &db);
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("coordinator state ", options_.data_dir, ": ", s.ToString()));
  }
  db_.reset(db);
  // A new epoch for this life's lease ids.
  std::string value;
  if (db_->Get(rocksdb::ReadOptions(), kEpochKey, &value).ok() && value.size() == 4) {
    epoch_ = (static_cast<uint32_t>(static_cast<unsigned char>(value[0])) << 24) |
             (static_cast<uint32_t>(static_cast<unsigned char>(value[1])) << 16) |
             (static_cast<uint32_t>(static_cast<unsigned char>(value[2])) << 8) |
             static_cast<uint32_t>(static_cast<unsigned char>(value[3]));
  }
  ++epoch_;
  value.clear();
  for (int shift = 24; shift >= 0; shift -= 8) value.push_back(static_cast<char>(epoch_ >> shift));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  s = db_->Put(sync, kEpochKey, value);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("coordinator state: ", s.ToString()));
  try {
    socket_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::router);
    if (auto st = ConfigureSocket(*socket_, kCoordinatorMaxMessage); !st.ok()) return st;
    if (options_.secure) {
      if (auto st = options_.secure(*socket_); !st.ok()) return st;
    }
    socket_->bind(endpoint_);
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(absl::StrCat("coordinator bind ", endpoint_, ": ", e.what()));
  }
  return absl::OkStatus();
}

std::string Coordinator::endpoint() const {
  try {
    return socket_->get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t&) {
    return endpoint_;
  }
}

absl::Status Coordinator::Write(rocksdb::WriteBatch* batch) {
  // Not synced: a process crash (kill -9) loses nothing (the WAL is in the OS's
  // cache); a machine crash may lose the last writes, whose leases are then done
  // again, which the stores' one-result-per-task makes harmless.
  rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), batch);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("coordinator state: ", s.ToString()));
  return absl::OkStatus();
}

void Coordinator::PutSiteState(SiteWork& w, rocksdb::WriteBatch* batch) {
  w.state.clear_probes_done_index();
  std::vector<int> done(w.probes_done.begin(), w.probes_done.end());
  std::sort(done.begin(), done.end());
  for (int i : done) w.state.add_probes_done_index(i);
  batch->Put(absl::StrCat("site/", w.state.site().site_id()), w.state.SerializeAsString());
}

bool Coordinator::See(const std::string& url, rocksdb::WriteBatch* batch) {
  if (!link_seen_.insert(url).second) return false;
  batch->Put(absl::StrCat("seen/", url), "");
  return true;
}

void Coordinator::Enqueue(SiteWork& w, FetchTask task, rocksdb::WriteBatch* batch) {
  PendingTask p;
  p.seq = w.state.next_task_seq();
  w.state.set_next_task_seq(p.seq + 1);
  batch->Put(TaskKey(w.state.site().site_id(), p.seq), task.SerializeAsString());
  p.task = std::move(task);
  w.pending.push_back(std::move(p));
  ++queued_tasks_;
}

void Coordinator::MarkReady(SiteWork& w) {
  if (w.ready || w.crawl_leased || w.pending.empty()) return;
  w.ready = true;
  crawl_ready_.push_back(&w);
}

absl::Status Coordinator::AddSites(
    const std::vector<Site>& sites,
    const absl::flat_hash_map<std::string, std::vector<Column>>& columns) {
  std::lock_guard<std::mutex> lock(mu_);
  started_ = options_.clock->Now();
  // A new census: the previous one's sites, tasks and dedup go (validators, links and
  // columns kept for conditional requests stay).
  rocksdb::WriteBatch clear;
  for (const char* prefix : {"site/", "task/", "seen/"}) {
    clear.DeleteRange(prefix, PrefixEnd(prefix));
  }
  meta_ = CensusMeta();
  meta_.set_run_id(options_.run_id);
  meta_.set_started_ms(absl::ToUnixMillis(started_));
  meta_.set_as_of(options_.as_of);
  meta_.set_sites_digest(options_.sites_digest);
  meta_.set_epoch(epoch_);
  meta_.set_sites(static_cast<int>(sites.size()));
  clear.Put(kCensusKey, meta_.SerializeAsString());
  RETURN_IF_ERROR(Write(&clear));
  sites_.clear();
  by_id_.clear();
  link_seen_.clear();
  crawl_ready_.clear();
  queued_tasks_ = 0;
  progress_ = CoordinatorProgress();

  rocksdb::WriteBatch batch;
  for (const Site& site : sites) {
    auto work = std::make_unique<SiteWork>();
    work->index = sites_.size();
    work->state.mutable_site()->CopyFrom(site);
    work->state.set_index(static_cast<int>(work->index));
    FetchTask home;
    home.set_kind(HOMEPAGE);
    home.set_url(site.url());
    auto it = columns.find(site.site_id());
    const bool discover = it == columns.end() || it->second.empty();
    work->state.set_discover_columns(discover);
    if (discover) {
      // Without last census's columns a 304 would leave the site without columns.
      LeaseDone previous;
      if (GetState(absl::StrCat("cols/", site.site_id()), &previous) &&
          previous.discovered_columns_size() > 0 && AttachValidators(&home)) {
        *work->state.mutable_previous_columns() = previous.discovered_columns();
      }
    } else {
      AttachValidators(&home);
    }
    Enqueue(*work, std::move(home), &batch);
    See(site.url(), &batch);
    if (!discover) {
      for (const Column& col : it->second) {
        *work->state.add_columns() = col;
        FetchTask task;
        task.set_kind(COLUMN);
        task.set_url(col.url());
        *task.mutable_column() = col;
        AttachValidators(&task);
        Enqueue(*work, std::move(task), &batch);
        See(col.url(), &batch);
      }
    }
    work->state.set_tasks_queued(static_cast<int>(work->pending.size()));
    by_id_[site.site_id()] = work.get();
    PutSiteState(*work, &batch);
    if (batch.Count() > 4096) {
      RETURN_IF_ERROR(Write(&batch));
      batch.Clear();
    }
    sites_.push_back(std::move(work));
  }
  RETURN_IF_ERROR(Write(&batch));
  probes_due_ = decltype(probes_due_)();
  for (auto& w : sites_) {
    if (options_.probes > 0) probes_due_.push({started_, w->index, 0});
    MarkReady(*w);
    UpdateComplete(*w);
  }
  progress_.sites_total = static_cast<int>(sites_.size());
  progress_.queued_tasks = queued_tasks_;
  progress_.complete = progress_.sites_done == progress_.sites_total;
  return absl::OkStatus();
}

absl::StatusOr<bool> Coordinator::Resume(const std::string& sites_digest) {
  std::lock_guard<std::mutex> lock(mu_);
  CensusMeta meta;
  if (!GetState(kCensusKey, &meta) || meta.run_recorded()) return false;
  if (meta.sites_digest() != sites_digest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the coordinator state holds unfinished census ", meta.run_id(),
        " of another sites list; start with the same --sites/--columns to go on with it, "
        "or with --new-census to drop it"));
  }
  meta_ = meta;
  meta_.set_epoch(epoch_);
  started_ = absl::FromUnixMillis(meta_.started_ms());
  sites_.clear();
  by_id_.clear();
  link_seen_.clear();
  crawl_ready_.clear();
  queued_tasks_ = 0;
  progress_ = CoordinatorProgress();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  std::vector<std::unique_ptr<SiteWork>> loaded;
  for (it->Seek("site/"); it->Valid() && it->key().starts_with("site/"); it->Next()) {
    auto work = std::make_unique<SiteWork>();
    if (!work->state.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("coordinator state: bad ", it->key().ToString()));
    }
    loaded.push_back(std::move(work));
  }
  std::sort(loaded.begin(), loaded.end(),
            [](const auto& a, const auto& b) { return a->state.index() < b->state.index(); });
  for (auto& work : loaded) {
    work->index = sites_.size();
    const std::string prefix = TaskPrefix(work->state.site().site_id());
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      PendingTask p;
      p.seq = SeqOf(it->key());
      if (!p.task.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError("coordinator state: bad task record");
      }
      work->pending.push_back(std::move(p));
      ++queued_tasks_;
    }
    work->probes_done.insert(work->state.probes_done_index().begin(),
                             work->state.probes_done_index().end());
    by_id_[work->state.site().site_id()] = work.get();
    progress_.pages_fetched += work->state.pages_fetched();
    progress_.errors += work->state.errors();
    for (const auto& [kind, n] : work->state.errors_by_kind()) errors_by_kind_[kind] += n;
    sites_.push_back(std::move(work));
  }
  for (it->Seek("seen/"); it->Valid() && it->key().starts_with("seen/"); it->Next()) {
    link_seen_.insert(it->key().ToString().substr(5));
  }
  if (!it->status().ok()) {
    return absl::UnavailableError(absl::StrCat("coordinator state: ", it->status().ToString()));
  }
  probes_due_ = decltype(probes_due_)();
  for (auto& w : sites_) {
    // Probes leased and not done (their leases died with the last life) are due now;
    // the rest at their times.
    for (int i = 0; i < w->state.next_probe(); ++i) {
      if (!w->probes_done.contains(i)) probes_due_.push({started_, w->index, i});
    }
    if (w->state.next_probe() < options_.probes) {
      probes_due_.push({started_ + options_.probe_interval * w->state.next_probe(), w->index,
                        w->state.next_probe()});
    }
    MarkReady(*w);
    UpdateComplete(*w);
  }
  progress_.sites_total = static_cast<int>(sites_.size());
  progress_.queued_tasks = queued_tasks_;
  progress_.complete = progress_.sites_done == progress_.sites_total;
  rocksdb::WriteBatch batch;
  batch.Put(kCensusKey, meta_.SerializeAsString());
  RETURN_IF_ERROR(Write(&batch));
  return true;
}

CensusMeta Coordinator::meta() const {
  std::lock_guard<std::mutex> lock(mu_);
  return meta_;
}

absl::Status Coordinator::MarkRunRecorded(int64_t finished_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  meta_.set_complete(true);
  meta_.set_run_recorded(true);
  meta_.set_finished_ms(finished_ms);
  rocksdb::WriteBatch batch;
  batch.Put(kCensusKey, meta_.SerializeAsString());
  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::Status s = db_->Write(sync, &batch);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("coordinator state: ", s.ToString()));
  return absl::OkStatus();
}

template <typename Message>
bool Coordinator::GetState(const std::string& key, Message* msg) {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), key, &value).ok()) return false;
  return msg->ParseFromString(value);
}

bool Coordinator::AttachValidators(FetchTask* task) {
  Validators v;
  if (!GetState(absl::StrCat("val/", task->url()), &v)) return false;
  if (v.etag().empty() && v.last_modified().empty()) return false;
  *task->mutable_validators() = std::move(v);
  return true;
}

std::vector<LinkRef> Coordinator::RememberPages(const Lease& lease, const LeaseDone& done) {
  std::vector<LinkRef> replay;
  absl::flat_hash_map<std::string, const FetchTask*> pages;
  for (const FetchTask& t : lease.tasks()) {
    if (t.kind() == HOMEPAGE || t.kind() == COLUMN) pages[t.url()] = &t;
  }
  rocksdb::WriteBatch batch;
  for (const PageValidators& pv : done.validators()) {
    auto page = pages.find(pv.url());
    if (page == pages.end()) continue;  // not a page of this lease
    const FetchTask& task = *page->second;
    batch.Put(absl::StrCat("val/", pv.url()), pv.validators().SerializeAsString());
    const bool conditional =
        !pv.validators().etag().empty() || !pv.validators().last_modified().empty();
    const bool unchanged = task.has_validators() && !pv.validators().content_hash().empty() &&
                           pv.validators().content_hash() == task.validators().content_hash();
    if (unchanged) {
      LeaseDone stored;
      if (GetState(absl::StrCat("links/", pv.url()), &stored)) {
        replay.insert(replay.end(), stored.links().begin(), stored.links().end());
      }
    } else if (conditional) {
      LeaseDone links;
      for (const LinkRef& l : done.links()) {
        if (l.found_on() == pv.url()) *links.add_links() = l;
      }
      batch.Put(absl::StrCat("links/", pv.url()), links.SerializeAsString());
    }
    if (task.kind() == HOMEPAGE && lease.discover_columns() && conditional) {
      LeaseDone cols;
      *cols.mutable_discovered_columns() = done.discovered_columns();
      batch.Put(absl::StrCat("cols/", lease.site().site_id()), cols.SerializeAsString());
    }
  }
  // Best effort: without these the next census fetches the pages in full.
  (void)db_->Write(rocksdb::WriteOptions(), &batch);
  return replay;
}

bool Coordinator::NextProbe(Lease* lease) {
  const absl::Time now = options_.clock->Now();
  while (!probes_due_.empty() && probes_due_.top().due <= now) {
    DueProbe due = probes_due_.top();
    probes_due_.pop();
    SiteWork& w = *sites_[due.site];
    if (w.probes_done.contains(due.index)) continue;  // a stale retry
    if (due.index == w.state.next_probe()) {
      w.state.set_next_probe(due.index + 1);
      w.state.set_probes_leased(w.state.next_probe());
      if (w.state.next_probe() < options_.probes) {
        probes_due_.push({started_ + options_.probe_interval * w.state.next_probe(), w.index,
                          w.state.next_probe()});
      }
    }
    FetchTask* task = lease->add_tasks();
    task->set_kind(PROBE);
    task->set_url(w.state.site().url());
    task->set_probe_index(due.index);
    // Built from the probe index alone, so an expired probe lease is rebuilt the same.
    if (due.index < options_.ipv6_probes) {
      FetchTask* v6 = lease->add_tasks();
      v6->set_kind(PROBE_V6);
      v6->set_url(w.state.site().url());
      v6->set_probe_index(due.index);
    }
    if (due.index == 0 && options_.https_check) {
      FetchTask* https = lease->add_tasks();
      https->set_kind(HTTPS_CHECK);
      https->set_url(w.state.site().url());
    }
    *lease->mutable_site() = w.state.site();
    return true;
  }
  return false;
}

bool Coordinator::NextCrawl(Lease* lease, std::vector<uint64_t>* seqs) {
  // Sites whose next host is at its cap go to the back; one pass at most.
  for (size_t attempts = crawl_ready_.size(); attempts > 0 && !crawl_ready_.empty(); --attempts) {
    SiteWork& w = *crawl_ready_.front();
    crawl_ready_.pop_front();
    w.ready = false;
    if (w.crawl_leased || w.pending.empty()) continue;
    // The first pending task whose host is under its cap (the homepage goes first, on
    // its own): a portal every site links to, at its cap, does not hold the sites up.
    const int cap = std::max(1, options_.max_leases_per_host);
    auto at_cap = [&](const std::string& h) {
      auto it = host_leases_.find(h);
      return it != host_leases_.end() && it->second >= cap;
    };
    std::string host;
    const size_t scan = w.pending.front().task.kind() == HOMEPAGE ? 1 : w.pending.size();
    for (size_t i = 0; i < scan && host.empty(); ++i) {
      std::string h = HostOf(w.pending[i].task.url());
      if (!at_cap(h)) host = std::move(h);
    }
    if (host.empty()) {
      w.ready = true;
      crawl_ready_.push_back(&w);
      continue;
    }
    *lease->mutable_site() = w.state.site();
    const bool has_homepage = w.pending.front().task.kind() == HOMEPAGE;
    const bool discover = w.state.discover_columns();
    if (has_homepage) {
      lease->set_discover_columns(discover);
      for (const Column& c : w.state.columns()) *lease->add_columns() = c;
      if (discover && w.pending.front().task.has_validators()) {
        for (const Column& c : w.state.previous_columns()) *lease->add_columns() = c;
      }
    } else if (discover) {
      // Column pages report their sidebars' columns; the worker writes the site's set
      // as leased plus what it found.
      lease->set_discover_columns(true);
      for (const Column& c : w.state.columns()) *lease->add_columns() = c;
    }
    const int limit = std::max(1, options_.links_per_lease);
    std::deque<PendingTask> rest;
    while (!w.pending.empty()) {
      PendingTask p = std::move(w.pending.front());
      w.pending.pop_front();
      // Discovery needs the homepage result before anything else of the site.
      const bool full =
          lease->tasks_size() >= limit || (has_homepage && discover && lease->tasks_size() == 1);
      if (full || HostOf(p.task.url()) != host) {
        rest.push_back(std::move(p));
        continue;
      }
      seqs->push_back(p.seq);
      *lease->add_tasks() = std::move(p.task);
    }
    w.pending = std::move(rest);
    w.crawl_leased = true;
    ++host_leases_[host];
    return true;
  }
  return false;
}

bool Coordinator::NextLease(Lease* lease, std::vector<uint64_t>* seqs) {
  // Probes first: they are due at fixed times and measure reachability.
  return NextProbe(lease) || NextCrawl(lease, seqs);
}

void Coordinator::Touch(const std::string& worker_id, int leases_out_delta, int done_delta) {
  if (worker_id.empty()) return;
  WorkerContact& c = workers_[worker_id];
  c.set_worker_id(worker_id);
  c.set_last_contact_ms(absl::ToUnixMillis(options_.clock->Now()));
  c.set_leases_out(std::max(0, c.leases_out() + leases_out_delta));
  c.set_leases_done(c.leases_done() + done_delta);
}

void Coordinator::HandleWorkRequest(const std::string& identity, const WorkRequest& request) {
  FromCoordinator reply;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Lease lease;
    std::vector<uint64_t> seqs;
    if (progress_.complete) {
      reply.mutable_shutdown();
      Touch(request.worker_id(), 0, 0);
    } else if (NextLease(&lease, &seqs)) {
      lease.set_lease_id((static_cast<uint64_t>(epoch_) << 32) | next_lease_counter_++);
      lease.set_as_of(options_.as_of);
      lease.set_run_id(meta_.run_id());
      lease.set_respect_robots(options_.respect_robots);
      lease.set_max_list_pages(options_.max_list_pages);
      SiteWork* site = by_id_[lease.site().site_id()];
      const int backoff = IsProbeLease(lease) ? 0 : std::min(site->expiries, 4);
      absl::Time deadline = options_.clock->Now() + options_.lease_timeout * (1 << backoff);
      lease.set_deadline_ms(absl::ToUnixMillis(deadline));
      OutstandingLease out{site,
                           lease,
                           deadline,
                           std::move(seqs),
                           IsProbeLease(lease) ? "" : HostOf(lease.tasks(0).url()),
                           request.worker_id()};
      leases_[lease.lease_id()] = std::move(out);
      *reply.mutable_lease() = std::move(lease);
      progress_.leases_out = static_cast<int64_t>(leases_.size());
      Touch(request.worker_id(), 1, 0);
    } else {
      reply.mutable_no_work()->set_retry_after_ms(20);
      Touch(request.worker_id(), 0, 0);
    }
  }
  // A worker that went away is not an error of the census: its leases expire.
  (void)SendToDealer(*socket_, identity, reply);
}

void Coordinator::HandleLeaseDone(const LeaseDone& done) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = leases_.find(done.lease_id());
  if (it == leases_.end()) {
    // Expired and re-leased, returned, or of an earlier life: the other result counts.
    ++progress_.late_lease_done;
    return;
  }
  SiteWork& w = *it->second.site;
  const Lease& lease = it->second.lease;
  Touch(it->second.worker_id, -1, 1);
  rocksdb::WriteBatch batch;
  if (IsProbeLease(lease)) {
    w.probes_done.insert(lease.tasks(0).probe_index());
    w.state.set_probes_done(static_cast<int>(w.probes_done.size()));
  } else {
    w.crawl_leased = false;
    w.expiries = 0;
    if (--host_leases_[it->second.host] <= 0) host_leases_.erase(it->second.host);
    for (uint64_t seq : it->second.seqs) batch.Delete(TaskKey(w.state.site().site_id(), seq));
    queued_tasks_ -= static_cast<int64_t>(it->second.seqs.size());
    bool homepage_lease = false;
    for (const FetchTask& t : lease.tasks()) {
      if (t.kind() == HOMEPAGE) w.state.set_homepage_done(true);
      if (t.kind() == LINK_CHECK) w.state.set_links_done(w.state.links_done() + 1);
      homepage_lease |= t.kind() == HOMEPAGE;
    }
    if (lease.discover_columns() && homepage_lease) {
      w.state.clear_columns();
      absl::flat_hash_set<std::string> queued;
      for (const Column& col : done.discovered_columns()) {
        if (HostOf(col.url()) != HostOf(w.state.site().url())) continue;
        *w.state.add_columns() = col;
        // Fetched as a column even when a link check of the same URL was queued (by
        // another site that linked to it first): a link check reads no list. Once,
        // and never the homepage itself.
        if (col.url() == w.state.site().url() || !queued.insert(col.url()).second) continue;
        See(col.url(), &batch);
        QueueColumn(w, col, &batch);
      }
    } else if (lease.discover_columns() && done.discovered_columns_size() > 0) {
      AddSidebarColumns(w, done, &batch);
    }
    std::vector<LinkRef> links(done.links().begin(), done.links().end());
    std::vector<LinkRef> replayed = RememberPages(lease, done);
    links.insert(links.end(), replayed.begin(), replayed.end());
    for (const LinkRef& link : links) {
      if (w.state.tasks_queued() >= options_.max_pages_per_site) break;
      if (!See(link.url(), &batch)) continue;
      FetchTask task;
      task.set_kind(LINK_CHECK);
      task.set_url(link.url());
      Enqueue(w, std::move(task), &batch);
      w.state.set_tasks_queued(w.state.tasks_queued() + 1);
      w.state.set_links_queued(w.state.links_queued() + 1);
    }
    MarkReady(w);
  }
  w.state.set_pages_fetched(w.state.pages_fetched() + done.pages_fetched());
  w.state.set_errors(w.state.errors() + done.errors());
  for (const auto& [kind, n] : done.errors_by_kind()) {
    (*w.state.mutable_errors_by_kind())[kind] += n;
    errors_by_kind_[kind] += n;
  }
  progress_.pages_fetched += done.pages_fetched();
  progress_.errors += done.errors();
  leases_.erase(it);
  progress_.leases_out = static_cast<int64_t>(leases_.size());
  progress_.queued_tasks = queued_tasks_;
  UpdateComplete(w);
  PutSiteState(w, &batch);
  // Best effort: a failed write is a lost LeaseDone after a crash (done again).
  (void)Write(&batch);
}

void Coordinator::QueueColumn(SiteWork& w, const Column& col, rocksdb::WriteBatch* batch) {
  FetchTask task;
  task.set_kind(COLUMN);
  task.set_url(col.url());
  *task.mutable_column() = col;
  AttachValidators(&task);
  Enqueue(w, std::move(task), batch);
  w.state.set_tasks_queued(w.state.tasks_queued() + 1);
}

void Coordinator::AddSidebarColumns(SiteWork& w, const LeaseDone& done,
                                    rocksdb::WriteBatch* batch) {
  absl::flat_hash_set<std::string> known;
  for (const Column& c : w.state.columns()) known.insert(c.url());
  LeaseDone stored;
  const std::string key = absl::StrCat("cols/", w.state.site().site_id());
  const bool have_stored = GetState(key, &stored);
  for (const Column& col : done.discovered_columns()) {
    if (HostOf(col.url()) != HostOf(w.state.site().url())) continue;
    if (w.state.columns_size() >= kMaxColumnsPerSite || !known.insert(col.url()).second) continue;
    *w.state.add_columns() = col;
    if (have_stored) *stored.add_discovered_columns() = col;
    // Fetched as a column even when a link check of the same URL was queued: a
    // link check reads no list.
    See(col.url(), batch);
    QueueColumn(w, col, batch);
  }
  // The next census's conditional homepage replays the stored set: it must hold the
  // sidebar columns too, or a 304 would lose them.
  if (have_stored) batch->Put(key, stored.SerializeAsString());
}

void Coordinator::Requeue(uint64_t lease_id) {
  auto it = leases_.find(lease_id);
  if (it == leases_.end()) return;
  SiteWork& w = *it->second.site;
  const Lease& lease = it->second.lease;
  if (IsProbeLease(lease)) {
    probes_due_.push({options_.clock->Now(), w.index, lease.tasks(0).probe_index()});
  } else {
    // Back to the front, in lease order, with their keys (never deleted).
    for (int i = lease.tasks_size() - 1; i >= 0; --i) {
      w.pending.push_front(PendingTask{it->second.seqs[static_cast<size_t>(i)], lease.tasks(i)});
    }
    w.crawl_leased = false;
    if (--host_leases_[it->second.host] <= 0) host_leases_.erase(it->second.host);
    MarkReady(w);
  }
  Touch(it->second.worker_id, -1, 0);
  leases_.erase(it);
  progress_.leases_out = static_cast<int64_t>(leases_.size());
}

void Coordinator::HandleLeaseReturn(const LeaseReturn& ret) {
  std::lock_guard<std::mutex> lock(mu_);
  for (uint64_t id : ret.lease_ids()) {
    if (!leases_.contains(id)) continue;
    Requeue(id);
    ++progress_.leases_returned;
  }
}

void Coordinator::ExpireLeases() {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Time now = options_.clock->Now();
  std::vector<uint64_t> expired;
  for (const auto& [id, out] : leases_) {
    if (out.deadline <= now) expired.push_back(id);
  }
  std::sort(expired.begin(), expired.end());
  for (uint64_t id : expired) {
    auto it = leases_.find(id);
    if (!IsProbeLease(it->second.lease)) ++it->second.site->expiries;
    Requeue(id);
    ++progress_.leases_expired;
  }
}

void Coordinator::UpdateComplete(SiteWork& w) {
  const bool complete = static_cast<int>(w.probes_done.size()) >= options_.probes &&
                        w.state.homepage_done() && w.pending.empty() && !w.crawl_leased;
  if (complete != w.complete) progress_.sites_done += complete ? 1 : -1;
  w.complete = complete;
  w.state.set_complete(complete);
  progress_.complete = progress_.sites_done == static_cast<int>(sites_.size());
}

CoordinatorProgress Coordinator::progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_;
}

int64_t Coordinator::ErrorsOfKind(const std::string& kind) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = errors_by_kind_.find(kind);
  return it == errors_by_kind_.end() ? 0 : it->second;
}

StatusReport Coordinator::Status() const {
  std::lock_guard<std::mutex> lock(mu_);
  StatusReport r;
  const absl::Time now = options_.clock->Now();
  r.set_run_id(meta_.run_id());
  r.set_as_of(meta_.as_of());
  r.set_started_ms(meta_.started_ms());
  r.set_now_ms(absl::ToUnixMillis(now));
  r.set_sites_total(progress_.sites_total);
  r.set_sites_done(progress_.sites_done);
  r.set_leases_out(progress_.leases_out);
  r.set_leases_expired(progress_.leases_expired);
  r.set_pages_fetched(progress_.pages_fetched);
  r.set_errors(progress_.errors);
  for (const auto& [kind, n] : errors_by_kind_) (*r.mutable_errors_by_kind())[kind] = n;
  std::vector<std::string> ids;
  for (const auto& [id, c] : workers_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) *r.add_workers() = workers_.at(id);
  r.set_complete(progress_.complete);
  r.set_run_recorded(meta_.run_recorded());
  r.set_queued_tasks(queued_tasks_);
  // ETA: the crawl at the pace so far, and the last probe's due time.
  int64_t eta = -1;
  const double elapsed = absl::ToDoubleSeconds(now - started_);
  if (progress_.complete) {
    eta = 0;
  } else if (progress_.pages_fetched > 0 && elapsed > 0) {
    const double rate = static_cast<double>(progress_.pages_fetched) / elapsed;
    eta = static_cast<int64_t>(1000.0 * static_cast<double>(queued_tasks_) / rate);
    if (options_.probes > 0) {
      const absl::Time last_probe = started_ + options_.probe_interval * (options_.probes - 1);
      eta = std::max(eta, absl::ToInt64Milliseconds(last_probe - now));
    }
  }
  r.set_eta_ms(eta);
  return r;
}

absl::Status Coordinator::Serve() {
  zmq::pollitem_t items[] = {{socket_->handle(), 0, ZMQ_POLLIN, 0}};
  while (!stop_.load()) {
    try {
      zmq::poll(items, 1, std::chrono::milliseconds(50));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("coordinator poll: ", e.what()));
    }
    if (items[0].revents & ZMQ_POLLIN) {
      ToCoordinator msg;
      auto identity = ReceiveFromDealer(*socket_, &msg);
      if (identity.ok()) {
        switch (msg.body_case()) {
          case ToCoordinator::kWorkRequest:
            HandleWorkRequest(*identity, msg.work_request());
            break;
          case ToCoordinator::kLeaseDone:
            HandleLeaseDone(msg.lease_done());
            break;
          case ToCoordinator::kLeaseReturn:
            HandleLeaseReturn(msg.lease_return());
            break;
          case ToCoordinator::kStatusRequest: {
            FromCoordinator reply;
            *reply.mutable_status() = Status();
            (void)SendToDealer(*socket_, *identity, reply);
            break;
          }
          case ToCoordinator::BODY_NOT_SET:
            drops_.Note(absl::DataLossError("empty ToCoordinator"));
            break;
        }
      } else if (!drops_.Note(identity.status())) {
        return identity.status();
      }
    }
    ExpireLeases();
  }
  return absl::OkStatus();
}

}  // namespace census
