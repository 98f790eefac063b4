#include "coordinator/coordinator.h"

#include <algorithm>
#include <deque>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/wire.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace census {

struct Coordinator::SiteWork {
  SiteState state;
  std::deque<FetchTask> pending;  // crawl tasks (homepage, columns, link checks)
  bool crawl_leased = false;
  bool discover_columns = true;
  int next_probe = 0;
  std::vector<int> probe_retry;  // probe indexes whose lease expired
  int tasks_queued = 0;          // against max_pages_per_site
  // Columns discovered from the homepage last census ("cols/<site_id>"), leased with
  // a conditional homepage request so that a 304 still yields the site's columns.
  std::vector<Column> previous_columns;
};

namespace {

std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
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
  try {
    socket_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::router);
    socket_->set(zmq::sockopt::linger, 0);
    socket_->bind(endpoint_);
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(absl::StrCat("coordinator bind ", endpoint_, ": ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status Coordinator::AddSites(
    const std::vector<Site>& sites,
    const absl::flat_hash_map<std::string, std::vector<Column>>& columns) {
  std::lock_guard<std::mutex> lock(mu_);
  started_ = options_.clock->Now();
  for (const Site& site : sites) {
    auto work = std::make_unique<SiteWork>();
    work->state.mutable_site()->CopyFrom(site);
    FetchTask home;
    home.set_kind(HOMEPAGE);
    home.set_url(site.url());
    auto it = columns.find(site.site_id());
    work->discover_columns = it == columns.end() || it->second.empty();
    if (work->discover_columns) {
      // Without last census's columns a 304 would leave the site without columns.
      LeaseDone previous;
      if (GetState(absl::StrCat("cols/", site.site_id()), &previous) &&
          previous.discovered_columns_size() > 0 && AttachValidators(&home)) {
        work->previous_columns.assign(previous.discovered_columns().begin(),
                                      previous.discovered_columns().end());
      }
    } else {
      AttachValidators(&home);
    }
    work->pending.push_back(home);
    link_seen_[site.url()] = true;
    if (!work->discover_columns) {
      for (const Column& col : it->second) {
        *work->state.add_columns() = col;
        FetchTask task;
        task.set_kind(COLUMN);
        task.set_url(col.url());
        *task.mutable_column() = col;
        AttachValidators(&task);
        work->pending.push_back(task);
        link_seen_[col.url()] = true;
      }
    }
    work->tasks_queued = static_cast<int>(work->pending.size());
    by_id_[site.site_id()] = work.get();
    absl::Status st = Persist(*work);
    if (!st.ok()) return st;
    sites_.push_back(std::move(work));
  }
  progress_.sites_total = static_cast<int>(sites_.size());
  UpdateComplete();
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

absl::Status Coordinator::Persist(const SiteWork& work) {
  std::string value;
  work.state.SerializeToString(&value);
  rocksdb::Status s =
      db_->Put(rocksdb::WriteOptions(), absl::StrCat("site/", work.state.site().site_id()), value);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("coordinator state: ", s.ToString()));
  return absl::OkStatus();
}

bool Coordinator::NextLease(Lease* lease) {
  absl::Time now = options_.clock->Now();
  size_t n = sites_.size();
  // Probes first: they are due at fixed times and measure reachability.
  for (size_t i = 0; i < n; ++i) {
    SiteWork& w = *sites_[(rr_cursor_ + i) % n];
    int index = -1;
    if (!w.probe_retry.empty()) {
      index = w.probe_retry.back();
      w.probe_retry.pop_back();
    } else if (w.next_probe < options_.probes &&
               started_ + options_.probe_interval * w.next_probe <= now) {
      index = w.next_probe++;
    }
    if (index < 0) continue;
    FetchTask* task = lease->add_tasks();
    task->set_kind(PROBE);
    task->set_url(w.state.site().url());
    task->set_probe_index(index);
    *lease->mutable_site() = w.state.site();
    rr_cursor_ = (rr_cursor_ + i + 1) % n;
    return true;
  }
  for (size_t i = 0; i < n; ++i) {
    SiteWork& w = *sites_[(rr_cursor_ + i) % n];
    if (w.crawl_leased || w.pending.empty()) continue;
    *lease->mutable_site() = w.state.site();
    bool has_homepage = w.pending.front().kind() == HOMEPAGE;
    if (has_homepage) {
      lease->set_discover_columns(w.discover_columns);
      for (const Column& c : w.state.columns()) *lease->add_columns() = c;
      if (w.discover_columns && w.pending.front().has_validators()) {
        for (const Column& c : w.previous_columns) *lease->add_columns() = c;
      }
    } else if (w.discover_columns) {
      // Column pages report their sidebars' columns; the worker writes the site's set
      // as leased plus what it found.
      lease->set_discover_columns(true);
      for (const Column& c : w.state.columns()) *lease->add_columns() = c;
    }
    int limit = std::max(1, options_.links_per_lease);
    while (!w.pending.empty() && lease->tasks_size() < limit) {
      // Discovery needs the homepage result before anything else of the site.
      if (has_homepage && w.discover_columns && lease->tasks_size() == 1) break;
      *lease->add_tasks() = std::move(w.pending.front());
      w.pending.pop_front();
    }
    w.crawl_leased = true;
    rr_cursor_ = (rr_cursor_ + i + 1) % n;
    return true;
  }
  return false;
}

void Coordinator::HandleWorkRequest(const std::string& identity, const WorkRequest& request) {
  FromCoordinator reply;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Lease lease;
    if (progress_.complete) {
      reply.mutable_shutdown();
    } else if (NextLease(&lease)) {
      lease.set_lease_id(next_lease_id_++);
      lease.set_as_of(options_.as_of);
      lease.set_respect_robots(options_.respect_robots);
      lease.set_max_list_pages(options_.max_list_pages);
      absl::Time deadline = options_.clock->Now() + options_.lease_timeout;
      lease.set_deadline_ms(absl::ToUnixMillis(deadline));
      SiteWork* site = by_id_[lease.site().site_id()];
      leases_[lease.lease_id()] = OutstandingLease{site, lease, deadline};
      *reply.mutable_lease() = std::move(lease);
      progress_.leases_out = static_cast<int64_t>(leases_.size());
    } else {
      reply.mutable_no_work()->set_retry_after_ms(20);
    }
  }
  // A worker that went away is not an error of the census: its leases expire.
  (void)SendToDealer(*socket_, identity, reply);
}

void Coordinator::HandleLeaseDone(const LeaseDone& done) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = leases_.find(done.lease_id());
  if (it == leases_.end()) return;  // expired and re-leased: the later result counts
  SiteWork& w = *it->second.site;
  const Lease& lease = it->second.lease;
  bool is_probe = lease.tasks_size() == 1 && lease.tasks(0).kind() == PROBE;
  if (is_probe) {
    w.state.set_probes_done(w.state.probes_done() + 1);
  } else {
    w.crawl_leased = false;
    for (const FetchTask& t : lease.tasks()) {
      if (t.kind() == HOMEPAGE) w.state.set_homepage_done(true);
      if (t.kind() == LINK_CHECK) w.state.set_links_done(w.state.links_done() + 1);
    }
    bool homepage_lease = false;
    for (const FetchTask& t : lease.tasks()) homepage_lease |= t.kind() == HOMEPAGE;
    if (lease.discover_columns() && homepage_lease) {
      w.state.clear_columns();
      for (const Column& col : done.discovered_columns()) {
        if (HostOf(col.url()) != HostOf(w.state.site().url())) continue;
        *w.state.add_columns() = col;
        if (link_seen_.contains(col.url())) continue;
        link_seen_[col.url()] = true;
        QueueColumn(w, col);
      }
    } else if (lease.discover_columns() && done.discovered_columns_size() > 0) {
      AddSidebarColumns(w, done);
    }
    std::vector<LinkRef> links(done.links().begin(), done.links().end());
    std::vector<LinkRef> replayed = RememberPages(lease, done);
    links.insert(links.end(), replayed.begin(), replayed.end());
    for (const LinkRef& link : links) {
      if (w.tasks_queued >= options_.max_pages_per_site) break;
      if (!link_seen_.emplace(link.url(), true).second) continue;
      FetchTask task;
      task.set_kind(LINK_CHECK);
      task.set_url(link.url());
      w.pending.push_back(task);
      ++w.tasks_queued;
      w.state.set_links_queued(w.state.links_queued() + 1);
    }
  }
  w.state.set_pages_fetched(w.state.pages_fetched() + done.pages_fetched());
  w.state.set_errors(w.state.errors() + done.errors());
  progress_.pages_fetched += done.pages_fetched();
  progress_.errors += done.errors();
  leases_.erase(it);
  progress_.leases_out = static_cast<int64_t>(leases_.size());
  UpdateComplete();
  (void)Persist(w);  // best effort: the store holds the results themselves
}

void Coordinator::QueueColumn(SiteWork& w, const Column& col) {
  FetchTask task;
  task.set_kind(COLUMN);
  task.set_url(col.url());
  *task.mutable_column() = col;
  AttachValidators(&task);
  w.pending.push_back(task);
  ++w.tasks_queued;
}

void Coordinator::AddSidebarColumns(SiteWork& w, const LeaseDone& done) {
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
    link_seen_[col.url()] = true;
    QueueColumn(w, col);
  }
  // The next census's conditional homepage replays the stored set: it must hold the
  // sidebar columns too, or a 304 would lose them.
  if (have_stored) (void)db_->Put(rocksdb::WriteOptions(), key, stored.SerializeAsString());
}

void Coordinator::ExpireLeases() {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Time now = options_.clock->Now();
  for (auto it = leases_.begin(); it != leases_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    SiteWork& w = *it->second.site;
    const Lease& lease = it->second.lease;
    if (lease.tasks_size() == 1 && lease.tasks(0).kind() == PROBE) {
      w.probe_retry.push_back(lease.tasks(0).probe_index());
    } else {
      for (int i = lease.tasks_size() - 1; i >= 0; --i) w.pending.push_front(lease.tasks(i));
      w.crawl_leased = false;
    }
    ++progress_.leases_expired;
    leases_.erase(it++);
  }
  progress_.leases_out = static_cast<int64_t>(leases_.size());
}

void Coordinator::UpdateComplete() {
  int done = 0;
  for (const auto& w : sites_) {
    bool complete = w->state.probes_done() >= options_.probes && w->state.homepage_done() &&
                    w->pending.empty() && !w->crawl_leased;
    w->state.set_complete(complete);
    if (complete) ++done;
  }
  progress_.sites_done = done;
  progress_.complete = done == static_cast<int>(sites_.size());
}

CoordinatorProgress Coordinator::progress() const {
  std::lock_guard<std::mutex> lock(mu_);
  return progress_;
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
        if (msg.has_work_request()) HandleWorkRequest(*identity, msg.work_request());
        if (msg.has_lease_done()) HandleLeaseDone(msg.lease_done());
      }
    }
    ExpireLeases();
  }
  return absl::OkStatus();
}

}  // namespace census
