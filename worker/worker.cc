#include "worker/worker.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/content_hash.h"
#include "common/wire.h"
#include "worker/extract.h"

namespace census {

bool LooksLikeNotFoundPage(absl::string_view title, absl::string_view text) {
  static const char* kPhrases[] = {"页面不存在", "页面未找到", "找不到页面", "无法找到该页",
                                   "不存在或已被删除", "已被删除", "page not found",
                                   "404 not found", "您访问的页面不存在", "404错误"};
  std::string lower_title = absl::AsciiStrToLower(title);
  std::string lower_head = absl::AsciiStrToLower(text.substr(0, 600));
  for (const char* p : kPhrases) {
    if (absl::StrContains(lower_title, p) || absl::StrContains(lower_head, p)) return true;
  }
  return absl::StartsWith(title, "404");
}

namespace {

constexpr int kTaskBits = 16;  // fetch tag = lease_id << kTaskBits | task index

struct LeaseWork {
  Lease lease;
  int remaining = 0;
  ResultBatch batch;
  LeaseDone done;
  absl::flat_hash_set<std::string> links_reported;
  absl::flat_hash_set<std::string> bodies_added;
  bool sent_to_store = false;
};

}  // namespace

struct Worker::Impl {
  Worker& self;
  zmq::socket_t coordinator;
  zmq::socket_t store;
  std::unique_ptr<Fetcher> fetcher;
  absl::flat_hash_map<uint64_t, LeaseWork> leases;
  absl::CivilDay as_of;
  bool request_outstanding = false;
  bool shutdown = false;
  absl::Time next_request;

  Impl(Worker& w)
      : self(w),
        coordinator(w.context_, zmq::socket_type::dealer),
        store(w.context_, zmq::socket_type::dealer) {}

  void StartLease(Lease lease) {
    uint64_t id = lease.lease_id();
    LeaseWork& work = leases[id];
    work.lease = std::move(lease);
    work.remaining = work.lease.tasks_size();
    *work.batch.mutable_site() = work.lease.site();
    work.batch.set_lease_id(id);
    work.done.set_lease_id(id);
    work.done.set_worker_id(self.options_.worker_id);
    if (!ParseCivilDay(work.lease.as_of(), &as_of)) as_of = ToCensusDay(self.options_.clock->Now());
    for (int i = 0; i < work.lease.tasks_size(); ++i) {
      const FetchTask& task = work.lease.tasks(i);
      FetchRequest req;
      req.tag = (id << kTaskBits) | static_cast<uint64_t>(i);
      req.url = task.url();
      req.probe = task.kind() == PROBE;
      req.keep_body = task.kind() != PROBE;
      req.timeout =
          task.kind() == PROBE ? self.options_.probe_timeout : self.options_.page_timeout;
      req.etag = task.validators().etag();
      req.last_modified = task.validators().last_modified();
      fetcher->Submit(std::move(req));
    }
    if (work.remaining == 0) Finish(work);
  }

  FetchRecord MakeRecord(const LeaseWork& work, const FetchTask& task, const FetchResult& r) {
    FetchRecord rec;
    rec.set_site_id(work.lease.site().site_id());
    rec.set_kind(task.kind());
    rec.set_url(task.url());
    rec.set_final_url(r.final_url);
    rec.set_status(r.status);
    rec.set_error(r.error);
    rec.set_error_detail(r.error_detail);
    rec.set_fetched_at_ms(absl::ToUnixMillis(r.started));
    rec.set_elapsed_ms(absl::ToInt64Milliseconds(r.elapsed));
    rec.set_content_type(r.content_type);
    rec.set_etag(r.etag);
    rec.set_last_modified(r.last_modified);
    rec.set_body_bytes(static_cast<int64_t>(r.body.size()));
    for (const auto& loc : r.redirects) rec.add_redirects(loc);
    rec.set_not_modified(r.not_modified);
    rec.set_probe_index(task.probe_index());
    rec.set_lease_id(work.lease.lease_id());
    return rec;
  }

  void ReportLinks(LeaseWork& work, const std::string& page, bool on_homepage,
                   const std::vector<ExtractedLink>& links) {
    for (const ExtractedLink& link : links) {
      if (link.url.empty() || !work.links_reported.insert(link.url).second) continue;
      LinkRef* ref = work.done.add_links();
      ref->set_url(link.url);
      ref->set_found_on(page);
      ref->set_on_homepage(on_homepage);
    }
  }

  void ExtractInto(LeaseWork& work, const FetchTask& task, const FetchResult& r,
                   FetchRecord& rec) {
    ExtractOptions options;
    options.base_url = r.final_url.empty() ? task.url() : r.final_url;
    options.as_of = as_of;
    options.list_xpath = task.column().xpath();
    auto page = ExtractPage(r.body, r.content_type, options);
    if (!page.ok()) {
      rec.set_error_detail(absl::StrCat("not extracted: ", page.status().message()));
      return;
    }
    // A 200 page that says it does not exist is a broken link, and a column whose
    // page says so is not a blank column.
    if (r.status == 200 && LooksLikeNotFoundPage(page->title, page->text)) {
      rec.set_error(SOFT_404);
      rec.set_error_detail(absl::StrCat("200 page says not found: ", page->title));
      return;
    }
    if (task.kind() == LINK_CHECK) return;
    PageObservation* obs = work.batch.add_observations();
    obs->set_site_id(rec.site_id());
    obs->set_kind(task.kind());
    obs->set_url(task.url());
    if (task.has_column()) *obs->mutable_column() = task.column();
    obs->set_page_kind(page->kind);
    obs->set_title(page->title);
    for (const ExtractedItem& item : page->items) {
      ListItem* li = obs->add_items();
      li->set_title(item.title);
      li->set_href(item.href);
      li->set_date(item.date);
      li->set_date_raw(item.date_raw);
    }
    obs->set_latest_date(page->latest_date);
    obs->set_publication_date(page->publication_date);
    obs->set_blank_placeholder(page->blank_placeholder);
    obs->set_fetched_at_ms(rec.fetched_at_ms());
    obs->set_content_hash(rec.content_hash());
    obs->set_charset(page->charset);
    for (const ExtractedLink& link : page->links) obs->add_links(link.url);
    bool on_homepage = task.kind() == HOMEPAGE;
    ReportLinks(work, task.url(), on_homepage, page->links);
    if (on_homepage && work.lease.discover_columns()) {
      for (const NavColumn& nav : page->nav_columns) {
        Column* col = work.done.add_discovered_columns();
        col->set_site_id(rec.site_id());
        col->set_name(nav.name);
        col->set_url(nav.url);
        col->set_category(nav.category);
        col->set_declared(false);
      }
    }
  }

  void OnResult(FetchResult r) {
    uint64_t id = r.tag >> kTaskBits;
    int index = static_cast<int>(r.tag & ((1u << kTaskBits) - 1));
    auto it = leases.find(id);
    if (it == leases.end()) return;
    LeaseWork& work = it->second;
    const FetchTask& task = work.lease.tasks(index);
    FetchRecord rec = MakeRecord(work, task, r);
    self.fetches_.fetch_add(1);
    self.bytes_.fetch_add(static_cast<int64_t>(r.body.size()));
    bool is_page = task.kind() == HOMEPAGE || task.kind() == COLUMN;
    // A body cut at the size cap is still read: the list is usually at the top.
    bool readable = r.error == FETCH_OK || r.error == TOO_LARGE;
    if (readable && !r.body.empty() && task.kind() != PROBE) {
      std::string hash = ContentHash(r.body);
      rec.set_content_hash(hash);
      if (is_page && work.bodies_added.insert(hash).second) {
        PageBody* body = work.batch.add_bodies();
        body->set_content_hash(hash);
        body->set_body(r.body);
      }
      ExtractInto(work, task, r, rec);
    }
    if (rec.error() != FETCH_OK) self.errors_.fetch_add(1);
    work.done.set_pages_fetched(work.done.pages_fetched() + 1);
    if (rec.error() != FETCH_OK) work.done.set_errors(work.done.errors() + 1);
    *work.batch.add_fetches() = std::move(rec);
    if (--work.remaining == 0) Finish(work);
  }

  void Finish(LeaseWork& work) {
    bool has_homepage = false;
    for (const FetchTask& t : work.lease.tasks()) has_homepage |= t.kind() == HOMEPAGE;
    if (has_homepage) {
      if (work.lease.discover_columns()) {
        for (const Column& c : work.done.discovered_columns()) *work.batch.add_columns() = c;
      } else {
        for (const Column& c : work.lease.columns()) *work.batch.add_columns() = c;
      }
    }
    // The store is on the same ZeroMQ context or a reachable tcp endpoint; a send
    // failure leaves the lease to expire at the coordinator.
    (void)SendToRouter(store, work.batch);
    work.sent_to_store = true;
  }

  void OnStoreAck(const StoreAck& ack) {
    auto it = leases.find(ack.lease_id());
    if (it == leases.end()) return;
    if (ack.ok()) {
      ToCoordinator msg;
      *msg.mutable_lease_done() = std::move(it->second.done);
      (void)SendToRouter(coordinator, msg);
      self.leases_done_.fetch_add(1);
    }
    leases.erase(it);
  }
};

Worker::Worker(zmq::context_t& context, WorkerOptions options)
    : context_(context), options_(std::move(options)) {}

Worker::~Worker() = default;

WorkerStats Worker::stats() const {
  return WorkerStats{fetches_.load(), errors_.load(), leases_done_.load(), bytes_.load()};
}

absl::Status Worker::Run() {
  Impl impl(*this);
  auto fetcher = Fetcher::Create(options_.fetcher);
  if (!fetcher.ok()) return fetcher.status();
  impl.fetcher = std::move(*fetcher);
  try {
    impl.coordinator.set(zmq::sockopt::linger, 0);
    impl.store.set(zmq::sockopt::linger, 0);
    impl.coordinator.connect(options_.coordinator_endpoint);
    impl.store.connect(options_.store_endpoint);
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(absl::StrCat("worker connect: ", e.what()));
  }
  impl.next_request = options_.clock->Now();
  while (!stop_.load()) {
    absl::Time now = options_.clock->Now();
    if (!impl.shutdown && !impl.request_outstanding &&
        static_cast<int>(impl.leases.size()) < options_.max_leases && now >= impl.next_request) {
      ToCoordinator msg;
      msg.mutable_work_request()->set_worker_id(options_.worker_id);
      msg.mutable_work_request()->set_capacity(options_.max_leases -
                                               static_cast<int>(impl.leases.size()));
      if (SendToRouter(impl.coordinator, msg).ok()) impl.request_outstanding = true;
    }
    zmq::pollitem_t items[] = {{impl.coordinator.handle(), 0, ZMQ_POLLIN, 0},
                               {impl.store.handle(), 0, ZMQ_POLLIN, 0}};
    bool busy = impl.fetcher->pending() > 0;
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(busy ? 0 : 5));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return absl::UnavailableError(absl::StrCat("worker poll: ", e.what()));
    }
    if (items[0].revents & ZMQ_POLLIN) {
      FromCoordinator reply;
      if (ReceiveFromRouter(impl.coordinator, &reply).ok()) {
        impl.request_outstanding = false;
        if (reply.has_lease()) {
          impl.StartLease(std::move(*reply.mutable_lease()));
        } else if (reply.has_no_work()) {
          impl.next_request =
              options_.clock->Now() + absl::Milliseconds(reply.no_work().retry_after_ms());
        } else if (reply.has_shutdown()) {
          impl.shutdown = true;
        }
      }
    }
    if (items[1].revents & ZMQ_POLLIN) {
      StoreAck ack;
      if (ReceiveFromRouter(impl.store, &ack).ok()) impl.OnStoreAck(ack);
    }
    if (impl.fetcher->pending() > 0) {
      for (FetchResult& r : impl.fetcher->Poll(absl::Milliseconds(5))) {
        impl.OnResult(std::move(r));
      }
    }
    if (impl.shutdown && impl.leases.empty()) break;
  }
  return absl::OkStatus();
}

}  // namespace census
