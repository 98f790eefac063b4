#include "coordinator/coordinator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <thread>

#include "absl/strings/str_join.h"
#include "common/wire.h"

namespace census {
namespace {

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("coord-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override {
    if (coordinator_) coordinator_->Stop();
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove_all(dir_);
  }

  CoordinatorOptions BaseOptions(int probes) {
    CoordinatorOptions options;
    options.data_dir = dir_.string();
    options.as_of = "2026-11-20";
    options.probes = probes;
    options.probe_interval = absl::Minutes(10);
    // One-task probe leases (ProbeLeasesCarryIpv6ProbesAndTheHttpsCheck tests the rest).
    options.ipv6_probes = 0;
    options.https_check = false;
    options.lease_timeout = absl::Minutes(5);
    options.sites_digest = "digest-1";
    options.clock = &clock_;
    return options;
  }

  void StartCoordinator(int probes,
                        const absl::flat_hash_map<std::string, std::vector<Column>>& columns = {}) {
    StartCoordinatorWith(BaseOptions(probes), columns);
  }

  // A new census of sites A (http://a.gov.cn/) and B (http://b.gov.cn/) under `options`.
  void StartCoordinatorWith(
      const CoordinatorOptions& options,
      const absl::flat_hash_map<std::string, std::vector<Column>>& columns = {}) {
    coordinator_ = std::make_unique<Coordinator>(ctx_, "inproc://coord", options);
    ASSERT_TRUE(coordinator_->Start().ok());
    std::vector<Site> sites(2);
    sites[0].set_site_id("A");
    sites[0].set_url("http://a.gov.cn/");
    sites[1].set_site_id("B");
    sites[1].set_url("http://b.gov.cn/");
    ASSERT_TRUE(coordinator_->AddSites(sites, columns).ok());
    ServeAndConnect();
  }

  void ServeAndConnect() {
    thread_ = std::thread([this] { (void)coordinator_->Serve(); });
    worker_ = NewWorker();
  }

  // Ends the coordinator as a kill -9 would, as far as a test can: no orderly
  // shutdown beyond stopping its loop and destroying it (the state stays on disk).
  void KillCoordinator() {
    coordinator_->Stop();
    thread_.join();
    coordinator_.reset();
    worker_.reset();
    others_.clear();
  }

  // A DEALER "worker" whose receives give up after 5 s.
  std::unique_ptr<zmq::socket_t> NewWorker() {
    auto socket = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::dealer);
    socket->set(zmq::sockopt::linger, 0);
    socket->set(zmq::sockopt::rcvtimeo, 5000);
    socket->connect("inproc://coord");
    return socket;
  }

  FromCoordinator AskAs(zmq::socket_t& socket, const std::string& worker_id) {
    ToCoordinator msg;
    msg.mutable_work_request()->set_worker_id(worker_id);
    msg.mutable_work_request()->set_capacity(1);
    EXPECT_TRUE(SendToRouter(socket, msg).ok());
    FromCoordinator reply;
    EXPECT_TRUE(ReceiveFromRouter(socket, &reply).ok());
    return reply;
  }

  void Send(zmq::socket_t& socket, const ToCoordinator& msg) {
    ASSERT_TRUE(SendToRouter(socket, msg).ok());
  }

  // Waits (at most 2 s) until `pred` holds of the coordinator's progress.
  bool WaitFor(const std::function<bool(const CoordinatorProgress&)>& pred) {
    for (int i = 0; i < 1000; ++i) {
      if (pred(coordinator_->progress())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return pred(coordinator_->progress());
  }

  FromCoordinator Ask() { return AskAs(*worker_, "w"); }

  void Done(const Lease& lease, std::vector<Column> columns = {},
            std::vector<std::string> links = {}) {
    ToCoordinator msg;
    LeaseDone* done = msg.mutable_lease_done();
    done->set_lease_id(lease.lease_id());
    done->set_pages_fetched(lease.tasks_size());
    for (auto& c : columns) *done->add_discovered_columns() = c;
    for (auto& l : links) done->add_links()->set_url(l);
    ASSERT_TRUE(SendToRouter(*worker_, msg).ok());
  }

  // Waits until the coordinator has processed what was sent (it is asynchronous).
  void Settle() {
    for (int i = 0; i < 200 && coordinator_->progress().leases_out != expected_out_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  std::filesystem::path dir_;
  FakeClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  zmq::context_t ctx_;
  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<zmq::socket_t> worker_;
  std::vector<std::unique_ptr<zmq::socket_t>> others_;  // more workers
  std::thread thread_;
  int64_t expected_out_ = 0;
};

Column MakeColumn(const std::string& url, Category c) {
  Column col;
  col.set_url(url);
  col.set_name(url);
  col.set_category(c);
  return col;
}

TEST_F(CoordinatorTest, PhasesProbesDedupAndShutdown) {
  StartCoordinator(/*probes=*/2);
  // Probe 0 of each site is due at once; then the homepages (discovery: alone).
  std::vector<Lease> probes;
  for (int i = 0; i < 2; ++i) {
    auto r = Ask();
    ASSERT_TRUE(r.has_lease());
    ASSERT_EQ(r.lease().tasks(0).kind(), PROBE);
    EXPECT_EQ(r.lease().tasks(0).probe_index(), 0);
    probes.push_back(r.lease());
  }
  std::vector<Lease> homes;
  for (int i = 0; i < 2; ++i) {
    auto r = Ask();
    ASSERT_TRUE(r.has_lease());
    ASSERT_EQ(r.lease().tasks_size(), 1);
    EXPECT_EQ(r.lease().tasks(0).kind(), HOMEPAGE);
    EXPECT_TRUE(r.lease().discover_columns());
    EXPECT_EQ(r.lease().as_of(), "2026-11-20");
    homes.push_back(r.lease());
  }
  EXPECT_TRUE(Ask().has_no_work());  // probe 1 not due, crawl leases out
  for (auto& p : probes) Done(p);
  // Site A discovers one column (and an off-site one that is ignored) and links.
  const Lease& home_a = homes[0].site().site_id() == "A" ? homes[0] : homes[1];
  const Lease& home_b = homes[0].site().site_id() == "A" ? homes[1] : homes[0];
  Done(home_a, {MakeColumn("http://a.gov.cn/col/", NEWS), MakeColumn("http://x.gov.cn/", NEWS)},
       {"http://a.gov.cn/art/1.html", "http://shared.gov.cn/", "http://a.gov.cn/"});
  Done(home_b, {}, {"http://shared.gov.cn/", "http://b.gov.cn/art/2.html"});
  expected_out_ = 0;
  Settle();

  auto next = Ask();
  ASSERT_TRUE(next.has_lease());
  // Site A: the column plus two new links (the homepage itself is never re-checked),
  // leased by target host: a.gov.cn's two, then shared.gov.cn's.
  // Site B: only its own article; shared.gov.cn was already taken by A.
  std::map<std::string, Lease> crawl;
  crawl[next.lease().site().site_id()] = next.lease();
  auto next2 = Ask();
  ASSERT_TRUE(next2.has_lease());
  crawl[next2.lease().site().site_id()] = next2.lease();
  ASSERT_EQ(crawl["A"].tasks_size(), 2);
  EXPECT_EQ(crawl["A"].tasks(0).kind(), COLUMN);
  EXPECT_EQ(crawl["A"].tasks(1).url(), "http://a.gov.cn/art/1.html");
  ASSERT_EQ(crawl["B"].tasks_size(), 1);
  EXPECT_EQ(crawl["B"].tasks(0).url(), "http://b.gov.cn/art/2.html");
  EXPECT_TRUE(Ask().has_no_work());  // one crawl lease of a site at a time
  Done(crawl["A"]);
  Done(crawl["B"]);
  Settle();
  auto shared = Ask();
  ASSERT_TRUE(shared.has_lease());
  ASSERT_EQ(shared.lease().tasks_size(), 1);
  EXPECT_EQ(shared.lease().site().site_id(), "A");
  EXPECT_EQ(shared.lease().tasks(0).url(), "http://shared.gov.cn/");
  Done(shared.lease());
  Settle();
  EXPECT_FALSE(coordinator_->progress().complete);  // probe 1 still to come

  clock_.Advance(absl::Minutes(10));
  for (int i = 0; i < 2; ++i) {
    auto r = Ask();
    ASSERT_TRUE(r.has_lease());
    EXPECT_EQ(r.lease().tasks(0).probe_index(), 1);
    Done(r.lease());
  }
  Settle();
  for (int i = 0; i < 200 && !coordinator_->progress().complete; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  auto progress = coordinator_->progress();
  EXPECT_TRUE(progress.complete);
  EXPECT_EQ(progress.sites_done, 2);
  EXPECT_EQ(progress.pages_fetched, 2 + 2 + 3 + 1 + 2);
  EXPECT_TRUE(Ask().has_shutdown());
}

// The first ipv6_probes probe leases of a site carry a PROBE_V6 (same index), probe 0's
// the site's HTTPS_CHECK; an expired probe lease is handed out again the same.
TEST_F(CoordinatorTest, ProbeLeasesCarryIpv6ProbesAndTheHttpsCheck) {
  using ::testing::ElementsAre;
  CoordinatorOptions options = BaseOptions(/*probes=*/3);
  options.ipv6_probes = 2;
  options.https_check = true;
  StartCoordinatorWith(options);
  auto kinds = [](const Lease& lease) {
    std::vector<std::string> out;
    for (const FetchTask& t : lease.tasks()) {
      out.push_back(absl::StrCat(TaskKind_Name(t.kind()), " ", t.probe_index(), " ", t.url()));
    }
    return out;
  };
  // Probe 0 of A and of B, then their homepages.
  FromCoordinator a0 = Ask();
  ASSERT_TRUE(a0.has_lease());
  EXPECT_THAT(kinds(a0.lease()),
              ElementsAre("PROBE 0 http://a.gov.cn/", "PROBE_V6 0 http://a.gov.cn/",
                          "HTTPS_CHECK 0 http://a.gov.cn/"));
  FromCoordinator b0 = Ask();
  ASSERT_TRUE(b0.has_lease());
  EXPECT_THAT(kinds(b0.lease()),
              ElementsAre("PROBE 0 http://b.gov.cn/", "PROBE_V6 0 http://b.gov.cn/",
                          "HTTPS_CHECK 0 http://b.gov.cn/"));
  // The fake clock must not move on before the coordinator has taken a Done in: a Done
  // read after the next Advance finds its lease expired and the probe handed out again.
  auto done_and_wait = [this](const Lease& lease) {
    const int64_t before = coordinator_->progress().pages_fetched;
    Done(lease);
    for (int i = 0; i < 1000 && coordinator_->progress().pages_fetched == before; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_GT(coordinator_->progress().pages_fetched, before);
  };
  done_and_wait(b0.lease());
  // A's probe lease expires: the same three tasks again.
  clock_.Advance(absl::Minutes(6));
  FromCoordinator again;
  for (int i = 0; i < 5 && !(again.has_lease() && again.lease().tasks(0).kind() == PROBE); ++i) {
    again = Ask();
  }
  ASSERT_TRUE(again.has_lease());
  EXPECT_EQ(again.lease().site().site_id(), "A");
  EXPECT_THAT(kinds(again.lease()),
              ElementsAre("PROBE 0 http://a.gov.cn/", "PROBE_V6 0 http://a.gov.cn/",
                          "HTTPS_CHECK 0 http://a.gov.cn/"));
  done_and_wait(again.lease());
  // Probe 1 of each site: an IPv6 probe, no HTTPS check; probe 2: the probe alone.
  for (int index : {1, 2}) {
    clock_.Advance(absl::Minutes(10));
    std::vector<std::string> got;
    for (int i = 0; i < 8 && got.size() < 2; ++i) {
      FromCoordinator probe = Ask();
      if (!probe.has_lease() || probe.lease().tasks(0).kind() != PROBE) continue;
      got.push_back(absl::StrJoin(kinds(probe.lease()), "; "));
      done_and_wait(probe.lease());
    }
    std::sort(got.begin(), got.end());
    if (index == 1) {
      EXPECT_THAT(got, ElementsAre("PROBE 1 http://a.gov.cn/; PROBE_V6 1 http://a.gov.cn/",
                                   "PROBE 1 http://b.gov.cn/; PROBE_V6 1 http://b.gov.cn/"));
    } else {
      EXPECT_THAT(got, ElementsAre("PROBE 2 http://a.gov.cn/", "PROBE 2 http://b.gov.cn/"));
    }
  }
}

TEST_F(CoordinatorTest, ExpiredLeaseIsHandedOutAgain) {
  absl::flat_hash_map<std::string, std::vector<Column>> columns;
  columns["A"] = {MakeColumn("http://a.gov.cn/tzgg/", NOTICE)};
  StartCoordinator(/*probes=*/0, columns);
  auto first = Ask();
  ASSERT_TRUE(first.has_lease());
  // Declared columns come with the homepage in one lease.
  std::string site = first.lease().site().site_id();
  if (site == "A") {
    ASSERT_EQ(first.lease().tasks_size(), 2);
    EXPECT_FALSE(first.lease().discover_columns());
    EXPECT_EQ(first.lease().columns_size(), 1);
  }
  clock_.Advance(absl::Minutes(6));
  // The first lease expired: its site is leased again with the same tasks.
  Lease again;
  for (int i = 0; i < 3 && again.site().site_id() != site; ++i) {
    auto r = Ask();
    if (r.has_lease()) again = r.lease();
  }
  EXPECT_EQ(again.site().site_id(), site);
  EXPECT_EQ(again.tasks_size(), first.lease().tasks_size());
  EXPECT_NE(again.lease_id(), first.lease().lease_id());
  EXPECT_GE(coordinator_->progress().leases_expired, 1);
  // The late answer to the expired lease is ignored; the new one counts.
  Done(first.lease());
  Done(again);
}

}  // namespace
}  // namespace census

namespace census {
namespace {

TEST_F(CoordinatorTest, LeaseFlagsAndValidatorsCarryToTheNextCensus) {
  const absl::flat_hash_map<std::string, std::vector<Column>> columns = {
      {"A", {MakeColumn("http://a.gov.cn/news/", NEWS)}}};
  StartCoordinator(/*probes=*/0, columns);
  FromCoordinator first = Ask();
  ASSERT_TRUE(first.has_lease());
  const Lease& lease = first.lease();
  EXPECT_TRUE(lease.respect_robots());
  EXPECT_EQ(lease.max_list_pages(), 3);
  ASSERT_EQ(lease.tasks_size(), 2);
  EXPECT_FALSE(lease.tasks(0).has_validators());
  ToCoordinator msg;
  LeaseDone* done = msg.mutable_lease_done();
  done->set_lease_id(lease.lease_id());
  auto add = [&](const std::string& url, const std::string& etag, const std::string& hash) {
    PageValidators* pv = done->add_validators();
    pv->set_url(url);
    pv->mutable_validators()->set_etag(etag);
    pv->mutable_validators()->set_content_hash(hash);
  };
  add("http://a.gov.cn/", "\"h\"", "H1");
  add("http://a.gov.cn/news/", "", "C1");  // no ETag/Last-Modified: nothing to send
  LinkRef* link = done->add_links();
  link->set_url("http://a.gov.cn/x.html");
  link->set_found_on("http://a.gov.cn/");
  ASSERT_TRUE(SendToRouter(*worker_, msg).ok());
  FromCoordinator next = Ask();  // answered after the LeaseDone was handled
  ASSERT_TRUE(next.has_lease());
  EXPECT_EQ(next.lease().site().site_id(), "B");

  // The next census on the same state.
  coordinator_->Stop();
  thread_.join();
  coordinator_.reset();
  worker_.reset();
  StartCoordinator(/*probes=*/0, columns);
  FromCoordinator again = Ask();
  ASSERT_TRUE(again.has_lease());
  ASSERT_EQ(again.lease().site().site_id(), "A");
  ASSERT_EQ(again.lease().tasks_size(), 2);
  EXPECT_EQ(again.lease().tasks(0).validators().etag(), "\"h\"");
  EXPECT_EQ(again.lease().tasks(0).validators().content_hash(), "H1");
  EXPECT_FALSE(again.lease().tasks(1).has_validators());
  // The homepage is unchanged (304): its links from last time are checked again.
  ToCoordinator msg2;
  LeaseDone* done2 = msg2.mutable_lease_done();
  done2->set_lease_id(again.lease().lease_id());
  PageValidators* pv = done2->add_validators();
  pv->set_url("http://a.gov.cn/");
  *pv->mutable_validators() = again.lease().tasks(0).validators();
  ASSERT_TRUE(SendToRouter(*worker_, msg2).ok());
  FromCoordinator b = Ask();
  ASSERT_TRUE(b.has_lease());
  EXPECT_EQ(b.lease().site().site_id(), "B");
  FromCoordinator links = Ask();
  ASSERT_TRUE(links.has_lease());
  EXPECT_EQ(links.lease().site().site_id(), "A");
  ASSERT_EQ(links.lease().tasks_size(), 1);
  EXPECT_EQ(links.lease().tasks(0).kind(), LINK_CHECK);
  EXPECT_EQ(links.lease().tasks(0).url(), "http://a.gov.cn/x.html");
}

// A column page's sidebar names a column the homepage does not link: it joins the
// site's set and is fetched once; a column already known is not fetched again.
TEST_F(CoordinatorTest, SidebarColumnsOfColumnPagesAreFetched) {
  StartCoordinator(/*probes=*/0);
  std::map<std::string, Lease> homes;
  for (int i = 0; i < 2; ++i) {
    auto r = Ask();
    ASSERT_TRUE(r.has_lease());
    homes[r.lease().site().site_id()] = r.lease();
  }
  Column nav = MakeColumn("http://a.gov.cn/col/zwgk/", NEWS);
  nav.set_found_via("nav");
  Done(homes["A"], {nav});
  Done(homes["B"], {});
  Settle();
  auto column_lease = Ask();
  ASSERT_TRUE(column_lease.has_lease());
  const Lease& lease = column_lease.lease();
  ASSERT_EQ(lease.site().site_id(), "A");
  ASSERT_EQ(lease.tasks_size(), 1);
  EXPECT_EQ(lease.tasks(0).kind(), COLUMN);
  // Column leases of a discovering site carry the set, for the worker to extend.
  EXPECT_TRUE(lease.discover_columns());
  ASSERT_EQ(lease.columns_size(), 1);
  Column sidebar = MakeColumn("http://a.gov.cn/col/rsxx/", PERSONNEL);
  sidebar.set_found_via("sidebar");
  Done(lease, {sidebar, nav});  // nav is known: not fetched twice
  Settle();
  auto sidebar_lease = Ask();
  ASSERT_TRUE(sidebar_lease.has_lease());
  ASSERT_EQ(sidebar_lease.lease().tasks_size(), 1);
  EXPECT_EQ(sidebar_lease.lease().tasks(0).kind(), COLUMN);
  EXPECT_EQ(sidebar_lease.lease().tasks(0).url(), "http://a.gov.cn/col/rsxx/");
  EXPECT_EQ(sidebar_lease.lease().tasks(0).column().found_via(), "sidebar");
  EXPECT_EQ(sidebar_lease.lease().columns_size(), 2);
  Done(sidebar_lease.lease());
  Settle();
  EXPECT_TRUE(Ask().has_shutdown());
}

}  // namespace
}  // namespace census

namespace census {
namespace {

LeaseDone MakeDone(const Lease& lease, const std::vector<std::string>& links = {}) {
  LeaseDone done;
  done.set_lease_id(lease.lease_id());
  done.set_pages_fetched(lease.tasks_size());
  for (const std::string& l : links) done.add_links()->set_url(l);
  return done;
}

ToCoordinator DoneMessage(const LeaseDone& done) {
  ToCoordinator msg;
  *msg.mutable_lease_done() = done;
  return msg;
}

std::vector<std::string> Urls(const Lease& lease) {
  std::vector<std::string> urls;
  for (const FetchTask& t : lease.tasks()) urls.push_back(t.url());
  return urls;
}

// The tasks of two leases are the same (kind, URL, column, validators, in order).
void ExpectSameTasks(const Lease& a, const Lease& b) {
  ASSERT_EQ(a.tasks_size(), b.tasks_size());
  for (int i = 0; i < a.tasks_size(); ++i) {
    EXPECT_EQ(a.tasks(i).SerializeAsString(), b.tasks(i).SerializeAsString()) << i;
  }
}

TEST_F(CoordinatorTest, ExpiredLeaseIsLeasedAgainAndItsLateDoneIgnored) {
  absl::flat_hash_map<std::string, std::vector<Column>> columns;
  columns["A"] = {MakeColumn("http://a.gov.cn/tzgg/", NOTICE)};
  StartCoordinator(/*probes=*/0, columns);
  const FromCoordinator first = Ask();
  ASSERT_TRUE(first.has_lease());
  const Lease& old = first.lease();
  ASSERT_EQ(old.site().site_id(), "A");
  ASSERT_EQ(old.tasks_size(), 2);
  EXPECT_EQ(old.deadline_ms(), absl::ToUnixMillis(clock_.Now() + absl::Minutes(5)));
  const FromCoordinator b = Ask();
  ASSERT_TRUE(b.has_lease());
  EXPECT_EQ(b.lease().site().site_id(), "B");
  EXPECT_TRUE(Ask().has_no_work());

  // A millisecond before the deadline nothing goes back (the coordinator checks the
  // deadlines at least every 50 ms: give it a few rounds).
  clock_.Advance(absl::Minutes(5) - absl::Milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(coordinator_->progress().leases_expired, 0);
  EXPECT_TRUE(Ask().has_no_work());
  // At the deadline both leases expire.
  clock_.Advance(absl::Milliseconds(1));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_expired == 2; }));
  EXPECT_EQ(coordinator_->progress().leases_out, 0);

  const FromCoordinator again = Ask();
  ASSERT_TRUE(again.has_lease());
  EXPECT_EQ(again.lease().site().site_id(), "A");
  ExpectSameTasks(again.lease(), old);
  EXPECT_NE(again.lease().lease_id(), old.lease_id());
  // The site's lease expired once: the next one has twice the time.
  EXPECT_EQ(again.lease().deadline_ms(), absl::ToUnixMillis(clock_.Now() + absl::Minutes(10)));
  EXPECT_EQ(again.lease().columns_size(), 1);
  const FromCoordinator b_again = Ask();
  ASSERT_TRUE(b_again.has_lease());
  EXPECT_EQ(b_again.lease().site().site_id(), "B");
  EXPECT_NE(b_again.lease().lease_id(), b.lease().lease_id());

  // The expired lease's LeaseDone comes late: ignored.
  Send(*worker_, DoneMessage(MakeDone(old, {"http://a.gov.cn/late.html"})));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.late_lease_done == 1; }));
  CoordinatorProgress p = coordinator_->progress();
  EXPECT_EQ(p.pages_fetched, 0);
  EXPECT_EQ(p.leases_out, 2);
  EXPECT_EQ(p.sites_done, 0);
  EXPECT_EQ(p.queued_tasks, 3);  // A's two (leased again) and B's homepage

  // The new lease's LeaseDone counts: A is done (the late one's link was not queued).
  Send(*worker_, DoneMessage(MakeDone(again.lease())));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 1; }));
  p = coordinator_->progress();
  EXPECT_EQ(p.pages_fetched, 2);
  EXPECT_EQ(p.late_lease_done, 1);
  EXPECT_EQ(p.sites_done, 1);
  EXPECT_EQ(p.queued_tasks, 1);
  EXPECT_TRUE(Ask().has_no_work());
}

TEST_F(CoordinatorTest, LeasesPerHostAreCappedAcrossWorkers) {
  CoordinatorOptions options = BaseOptions(/*probes=*/0);
  options.max_leases_per_host = 1;
  StartCoordinatorWith(options);
  std::unique_ptr<zmq::socket_t> w1 = NewWorker();
  std::unique_ptr<zmq::socket_t> w2 = NewWorker();
  const FromCoordinator home_a = AskAs(*w1, "w1");
  ASSERT_TRUE(home_a.has_lease());
  ASSERT_EQ(home_a.lease().site().site_id(), "A");
  const FromCoordinator home_b = AskAs(*w2, "w2");
  ASSERT_TRUE(home_b.has_lease());
  ASSERT_EQ(home_b.lease().site().site_id(), "B");
  // Both sites link to shared.gov.cn; A also to pages of its own, around it.
  Send(*w1,
       DoneMessage(MakeDone(home_a.lease(), {"http://a.gov.cn/1.html", "http://shared.gov.cn/a",
                                             "http://a.gov.cn/2.html"})));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 1; }));
  Send(*w2, DoneMessage(MakeDone(home_b.lease(), {"http://shared.gov.cn/b"})));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 0; }));

  // A lease holds one host's URLs: A's own two pages, without shared.gov.cn's.
  const FromCoordinator own = AskAs(*w1, "w1");
  ASSERT_TRUE(own.has_lease());
  EXPECT_EQ(own.lease().site().site_id(), "A");
  EXPECT_EQ(Urls(own.lease()),
            (std::vector<std::string>{"http://a.gov.cn/1.html", "http://a.gov.cn/2.html"}));
  const FromCoordinator shared_b = AskAs(*w2, "w2");
  ASSERT_TRUE(shared_b.has_lease());
  EXPECT_EQ(shared_b.lease().site().site_id(), "B");
  EXPECT_EQ(Urls(shared_b.lease()), (std::vector<std::string>{"http://shared.gov.cn/b"}));
  Send(*w1, DoneMessage(MakeDone(own.lease())));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 1; }));

  // A's next lease is of shared.gov.cn, which w2 holds one of: neither worker gets it.
  EXPECT_TRUE(AskAs(*w1, "w1").has_no_work());
  EXPECT_TRUE(AskAs(*w2, "w2").has_no_work());
  EXPECT_EQ(coordinator_->progress().queued_tasks, 2);  // shared/a waits, shared/b is out

  // Once w2's lease is done, the other is handed out.
  Send(*w2, DoneMessage(MakeDone(shared_b.lease())));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 0; }));
  const FromCoordinator shared_a = AskAs(*w1, "w1");
  ASSERT_TRUE(shared_a.has_lease());
  EXPECT_EQ(shared_a.lease().site().site_id(), "A");
  EXPECT_EQ(Urls(shared_a.lease()), (std::vector<std::string>{"http://shared.gov.cn/a"}));
  EXPECT_TRUE(AskAs(*w2, "w2").has_no_work());
  Send(*w1, DoneMessage(MakeDone(shared_a.lease())));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.complete; }));
  EXPECT_TRUE(AskAs(*w2, "w2").has_shutdown());
}

// A host at its cap does not hold a site up: its tasks of other hosts are leased.
TEST_F(CoordinatorTest, ASiteGoesOnWithOtherHostsWhileOneIsAtItsCap) {
  CoordinatorOptions options = BaseOptions(/*probes=*/0);
  options.max_leases_per_host = 1;
  StartCoordinatorWith(options);
  std::unique_ptr<zmq::socket_t> w1 = NewWorker();
  const FromCoordinator home_a = AskAs(*w1, "w1");
  const FromCoordinator home_b = AskAs(*w1, "w1");
  ASSERT_TRUE(home_a.has_lease() && home_b.has_lease());
  const FromCoordinator& a = home_a.lease().site().site_id() == "A" ? home_a : home_b;
  const FromCoordinator& b = home_a.lease().site().site_id() == "A" ? home_b : home_a;
  Send(*w1, DoneMessage(MakeDone(b.lease(), {"http://shared.gov.cn/b"})));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 1; }));
  Send(*w1, DoneMessage(MakeDone(a.lease(), {"http://shared.gov.cn/a", "http://a.gov.cn/1.html"})));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 0; }));
  const FromCoordinator first = AskAs(*w1, "w1");
  ASSERT_TRUE(first.has_lease());
  EXPECT_EQ(first.lease().site().site_id(), "B");
  EXPECT_EQ(Urls(first.lease()), (std::vector<std::string>{"http://shared.gov.cn/b"}));
  // A's first task is of shared.gov.cn, at its cap: its own page goes first.
  const FromCoordinator second = AskAs(*w1, "w1");
  ASSERT_TRUE(second.has_lease());
  EXPECT_EQ(second.lease().site().site_id(), "A");
  EXPECT_EQ(Urls(second.lease()), (std::vector<std::string>{"http://a.gov.cn/1.html"}));
  Send(*w1, DoneMessage(MakeDone(first.lease())));
  Send(*w1, DoneMessage(MakeDone(second.lease())));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 0; }));
  const FromCoordinator third = AskAs(*w1, "w1");
  ASSERT_TRUE(third.has_lease());
  EXPECT_EQ(Urls(third.lease()), (std::vector<std::string>{"http://shared.gov.cn/a"}));
}

TEST_F(CoordinatorTest, ReturnedLeasesAreLeasedAgainAtOnce) {
  absl::flat_hash_map<std::string, std::vector<Column>> columns;
  columns["A"] = {MakeColumn("http://a.gov.cn/tzgg/", NOTICE)};
  StartCoordinator(/*probes=*/0, columns);
  const FromCoordinator a = Ask();
  ASSERT_TRUE(a.has_lease());
  ASSERT_EQ(a.lease().site().site_id(), "A");
  const FromCoordinator b = Ask();
  ASSERT_TRUE(b.has_lease());
  EXPECT_TRUE(Ask().has_no_work());

  // A's lease is given back (with an id the coordinator never leased): long before its
  // deadline, the clock standing still.
  ToCoordinator ret;
  ret.mutable_lease_return()->set_worker_id("w");
  ret.mutable_lease_return()->add_lease_ids(a.lease().lease_id());
  ret.mutable_lease_return()->add_lease_ids(a.lease().lease_id() + 1000);
  Send(*worker_, ret);
  const FromCoordinator again = Ask();  // answered after the return was handled
  ASSERT_TRUE(again.has_lease());
  EXPECT_EQ(again.lease().site().site_id(), "A");
  ExpectSameTasks(again.lease(), a.lease());
  EXPECT_NE(again.lease().lease_id(), a.lease().lease_id());
  CoordinatorProgress p = coordinator_->progress();
  EXPECT_EQ(p.leases_returned, 1);
  EXPECT_EQ(p.leases_expired, 0);
  EXPECT_EQ(p.leases_out, 2);

  // Returning it again counts nothing; its LeaseDone is late.
  Send(*worker_, ret);
  Send(*worker_, DoneMessage(MakeDone(a.lease())));
  EXPECT_TRUE(Ask().has_no_work());
  p = coordinator_->progress();
  EXPECT_EQ(p.leases_returned, 1);
  EXPECT_EQ(p.late_lease_done, 1);
  EXPECT_EQ(p.pages_fetched, 0);
  StatusReport status = coordinator_->Status();
  ASSERT_EQ(status.workers_size(), 1);
  EXPECT_EQ(status.workers(0).leases_out(), 2);
}

TEST_F(CoordinatorTest, ProbesAreSpreadOverTheWindow) {
  StartCoordinator(/*probes=*/3);  // every 10 minutes
  const absl::Time start = clock_.Now();
  auto take_probes = [&](int index) {
    const std::pair<const char*, const char*> sites[] = {{"A", "http://a.gov.cn/"},
                                                         {"B", "http://b.gov.cn/"}};
    for (const auto& [site, url] : sites) {
      const FromCoordinator r = Ask();
      ASSERT_TRUE(r.has_lease()) << index;
      EXPECT_EQ(r.lease().site().site_id(), site);
      ASSERT_EQ(r.lease().tasks_size(), 1);
      EXPECT_EQ(r.lease().tasks(0).kind(), PROBE);
      EXPECT_EQ(r.lease().tasks(0).probe_index(), index);
      EXPECT_EQ(r.lease().tasks(0).url(), url);
      Send(*worker_, DoneMessage(MakeDone(r.lease())));
    }
  };
  take_probes(0);
  for (int i = 0; i < 2; ++i) {
    const FromCoordinator home = Ask();
    ASSERT_TRUE(home.has_lease());
    EXPECT_EQ(home.lease().tasks(0).kind(), HOMEPAGE);
    Send(*worker_, DoneMessage(MakeDone(home.lease())));
  }
  EXPECT_TRUE(Ask().has_no_work());
  for (int i = 1; i < 3; ++i) {
    clock_.Set(start + i * absl::Minutes(10) - absl::Milliseconds(1));
    EXPECT_TRUE(Ask().has_no_work()) << i;
    clock_.Set(start + i * absl::Minutes(10));
    take_probes(i);
    // Nothing until the next probe's time; after the last probe the census is over.
    const FromCoordinator after = Ask();
    EXPECT_TRUE(i < 2 ? after.has_no_work() : after.has_shutdown()) << i;
  }
  EXPECT_TRUE(coordinator_->progress().complete);
  EXPECT_EQ(coordinator_->progress().pages_fetched, 2 * 3 + 2);
  EXPECT_EQ(coordinator_->progress().leases_expired, 0);
}

TEST_F(CoordinatorTest, RestartGoesOnWithTheCensus) {
  StartCoordinator(/*probes=*/2);
  // Probe 0 of both sites; only A's is done before the crash.
  const FromCoordinator probe_a = Ask();
  const FromCoordinator probe_b = Ask();
  ASSERT_TRUE(probe_a.has_lease());
  ASSERT_TRUE(probe_b.has_lease());
  ASSERT_EQ(probe_a.lease().site().site_id(), "A");
  ASSERT_EQ(probe_b.lease().site().site_id(), "B");
  Send(*worker_, DoneMessage(MakeDone(probe_a.lease())));
  const FromCoordinator home_a = Ask();
  const FromCoordinator home_b = Ask();
  ASSERT_TRUE(home_a.has_lease());
  ASSERT_TRUE(home_b.has_lease());
  ASSERT_EQ(home_a.lease().site().site_id(), "A");
  ASSERT_EQ(home_a.lease().tasks(0).kind(), HOMEPAGE);
  LeaseDone done_a = MakeDone(home_a.lease(), {"http://a.gov.cn/1.html", "http://shared.gov.cn/x"});
  *done_a.add_discovered_columns() = MakeColumn("http://a.gov.cn/col/", NEWS);
  Send(*worker_, DoneMessage(done_a));
  Send(*worker_, DoneMessage(MakeDone(home_b.lease(), {"http://b.gov.cn/1.html"})));
  const FromCoordinator crawl_a = Ask();  // the column and A's link, kept out
  ASSERT_TRUE(crawl_a.has_lease());
  ASSERT_EQ(crawl_a.lease().site().site_id(), "A");
  EXPECT_EQ(Urls(crawl_a.lease()),
            (std::vector<std::string>{"http://a.gov.cn/col/", "http://a.gov.cn/1.html"}));
  const FromCoordinator crawl_b = Ask();
  ASSERT_TRUE(crawl_b.has_lease());
  EXPECT_EQ(Urls(crawl_b.lease()), (std::vector<std::string>{"http://b.gov.cn/1.html"}));
  LeaseDone done_crawl_b = MakeDone(crawl_b.lease());
  done_crawl_b.set_errors(1);
  (*done_crawl_b.mutable_errors_by_kind())["HTTP_404"] = 1;
  Send(*worker_, DoneMessage(done_crawl_b));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 2; }));
  EXPECT_EQ(coordinator_->progress().pages_fetched, 4);
  EXPECT_EQ(crawl_a.lease().lease_id() >> 32, 1u);  // the first life's epoch

  KillCoordinator();
  coordinator_ = std::make_unique<Coordinator>(ctx_, "inproc://coord", BaseOptions(2));
  ASSERT_TRUE(coordinator_->Start().ok());
  absl::StatusOr<bool> other = coordinator_->Resume("digest-2");
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(other.status())) << other.status();
  EXPECT_NE(other.status().message().find("--new-census"), absl::string_view::npos)
      << other.status();
  absl::StatusOr<bool> resumed = coordinator_->Resume("digest-1");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_TRUE(*resumed);
  EXPECT_EQ(coordinator_->meta().epoch(), 2u);
  EXPECT_EQ(coordinator_->meta().started_ms(), absl::ToUnixMillis(clock_.Now()));
  CoordinatorProgress p = coordinator_->progress();
  EXPECT_EQ(p.sites_total, 2);
  EXPECT_EQ(p.sites_done, 0);
  EXPECT_EQ(p.pages_fetched, 4);
  EXPECT_EQ(p.leases_out, 0);
  EXPECT_EQ(p.queued_tasks, 3);  // the column, A's link and shared/x
  EXPECT_EQ(p.errors, 1);
  EXPECT_EQ(coordinator_->Status().errors_by_kind().at("HTTP_404"), 1);
  EXPECT_FALSE(p.complete);
  ServeAndConnect();

  // B's probe 0 was leased and not done: leased again; A's is not.
  const FromCoordinator redo = Ask();
  ASSERT_TRUE(redo.has_lease());
  EXPECT_EQ(redo.lease().site().site_id(), "B");
  ASSERT_EQ(redo.lease().tasks_size(), 1);
  EXPECT_EQ(redo.lease().tasks(0).kind(), PROBE);
  EXPECT_EQ(redo.lease().tasks(0).probe_index(), 0);
  // The lease that was out when the coordinator died is leased again as it was.
  const FromCoordinator crawl_again = Ask();
  ASSERT_TRUE(crawl_again.has_lease());
  EXPECT_EQ(crawl_again.lease().site().site_id(), "A");
  ExpectSameTasks(crawl_again.lease(), crawl_a.lease());
  EXPECT_EQ(crawl_again.lease().lease_id() >> 32, 2u);
  EXPECT_NE(crawl_again.lease().lease_id(), crawl_a.lease().lease_id());
  EXPECT_TRUE(Ask().has_no_work());  // probe 1 is not due; nothing else to crawl

  // A LeaseDone of the earlier life is ignored.
  Send(*worker_, DoneMessage(MakeDone(crawl_a.lease())));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.late_lease_done == 1; }));
  EXPECT_EQ(coordinator_->progress().pages_fetched, 4);
  EXPECT_EQ(coordinator_->progress().leases_out, 2);

  // The link dedup survived: queued (shared/x), checked (b/1) and leased (a/1) links
  // are not queued again; only the new one is.
  Send(*worker_, DoneMessage(MakeDone(redo.lease())));
  Send(*worker_, DoneMessage(MakeDone(crawl_again.lease(),
                                      {"http://shared.gov.cn/x", "http://b.gov.cn/1.html",
                                       "http://a.gov.cn/1.html", "http://a.gov.cn/2.html"})));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 0; }));
  p = coordinator_->progress();
  EXPECT_EQ(p.pages_fetched, 4 + 1 + 2);
  EXPECT_EQ(p.queued_tasks, 2);
  const FromCoordinator shared = Ask();
  ASSERT_TRUE(shared.has_lease());
  EXPECT_EQ(Urls(shared.lease()), (std::vector<std::string>{"http://shared.gov.cn/x"}));
  Send(*worker_, DoneMessage(MakeDone(shared.lease())));
  const FromCoordinator last = Ask();
  ASSERT_TRUE(last.has_lease());
  EXPECT_EQ(Urls(last.lease()), (std::vector<std::string>{"http://a.gov.cn/2.html"}));
  Send(*worker_, DoneMessage(MakeDone(last.lease())));
  EXPECT_TRUE(Ask().has_no_work());

  // Probe 1 of each site at its time; then the census is complete.
  clock_.Advance(absl::Minutes(10));
  for (const char* site : {"A", "B"}) {
    const FromCoordinator r = Ask();
    ASSERT_TRUE(r.has_lease());
    EXPECT_EQ(r.lease().site().site_id(), site);
    EXPECT_EQ(r.lease().tasks(0).probe_index(), 1);
    Send(*worker_, DoneMessage(MakeDone(r.lease())));
  }
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.complete; }));
  p = coordinator_->progress();
  EXPECT_EQ(p.sites_done, 2);
  EXPECT_EQ(p.pages_fetched, 4 + 1 + 2 + 1 + 1 + 2);
  EXPECT_TRUE(Ask().has_shutdown());

  // Once its RunRecord is stored, the census is not gone on with.
  ASSERT_TRUE(coordinator_->MarkRunRecorded(absl::ToUnixMillis(clock_.Now())).ok());
  KillCoordinator();
  coordinator_ = std::make_unique<Coordinator>(ctx_, "inproc://coord", BaseOptions(2));
  ASSERT_TRUE(coordinator_->Start().ok());
  absl::StatusOr<bool> after = coordinator_->Resume("digest-1");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_FALSE(*after);
}

TEST_F(CoordinatorTest, StatusReportsSitesLeasesErrorsAndWorkers) {
  StartCoordinator(/*probes=*/0);
  StatusReport s = coordinator_->Status();
  EXPECT_EQ(s.as_of(), "2026-11-20");
  EXPECT_EQ(s.started_ms(), absl::ToUnixMillis(clock_.Now()));
  EXPECT_EQ(s.sites_total(), 2);
  EXPECT_EQ(s.sites_done(), 0);
  EXPECT_EQ(s.leases_out(), 0);
  EXPECT_EQ(s.queued_tasks(), 2);
  EXPECT_EQ(s.workers_size(), 0);
  EXPECT_EQ(s.eta_ms(), -1);  // nothing fetched yet
  EXPECT_FALSE(s.complete());

  std::unique_ptr<zmq::socket_t> w2 = NewWorker();
  const FromCoordinator a = AskAs(*worker_, "w1");
  const FromCoordinator b = AskAs(*w2, "w2");
  ASSERT_TRUE(a.has_lease());
  ASSERT_TRUE(b.has_lease());
  s = coordinator_->Status();
  EXPECT_EQ(s.leases_out(), 2);
  ASSERT_EQ(s.workers_size(), 2);
  EXPECT_EQ(s.workers(0).worker_id(), "w1");
  EXPECT_EQ(s.workers(0).leases_out(), 1);
  EXPECT_EQ(s.workers(0).last_contact_ms(), absl::ToUnixMillis(clock_.Now()));
  EXPECT_EQ(s.workers(1).worker_id(), "w2");
  EXPECT_EQ(s.workers(1).leases_out(), 1);

  LeaseDone done_a = MakeDone(a.lease(), {"http://a.gov.cn/x.html"});
  done_a.set_errors(3);
  (*done_a.mutable_errors_by_kind())["HTTP_404"] = 2;
  (*done_a.mutable_errors_by_kind())["TIMEOUT"] = 1;
  Send(*worker_, DoneMessage(done_a));
  LeaseDone done_b = MakeDone(b.lease());
  done_b.set_errors(1);
  (*done_b.mutable_errors_by_kind())["HTTP_404"] = 1;
  Send(*w2, DoneMessage(done_b));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 0; }));
  clock_.Advance(absl::Seconds(1));
  s = coordinator_->Status();
  EXPECT_EQ(s.sites_done(), 1);  // B; A has a link to check
  EXPECT_EQ(s.leases_out(), 0);
  EXPECT_EQ(s.pages_fetched(), 2);
  EXPECT_EQ(s.errors(), 4);
  EXPECT_EQ(s.errors_by_kind().size(), 2u);
  EXPECT_EQ(s.errors_by_kind().at("HTTP_404"), 3);
  EXPECT_EQ(s.errors_by_kind().at("TIMEOUT"), 1);
  ASSERT_EQ(s.workers_size(), 2);
  EXPECT_EQ(s.workers(0).leases_out(), 0);
  EXPECT_EQ(s.workers(0).leases_done(), 1);
  EXPECT_EQ(s.workers(1).leases_out(), 0);
  EXPECT_EQ(s.workers(1).leases_done(), 1);
  EXPECT_EQ(s.queued_tasks(), 1);
  EXPECT_EQ(s.eta_ms(), 500);  // 1 task at 2 pages a second

  const FromCoordinator link = AskAs(*worker_, "w1");
  ASSERT_TRUE(link.has_lease());
  EXPECT_EQ(coordinator_->Status().workers(0).leases_out(), 1);
  LeaseDone done_link = MakeDone(link.lease());
  done_link.set_errors(1);
  (*done_link.mutable_errors_by_kind())["HTTP_404"] = 1;
  Send(*worker_, DoneMessage(done_link));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.complete; }));
  s = coordinator_->Status();
  EXPECT_TRUE(s.complete());
  EXPECT_EQ(s.sites_done(), 2);
  EXPECT_EQ(s.errors(), 5);
  EXPECT_EQ(s.errors_by_kind().at("HTTP_404"), 4);
  EXPECT_EQ(s.errors_by_kind().at("TIMEOUT"), 1);
  EXPECT_EQ(s.eta_ms(), 0);
  EXPECT_EQ(s.queued_tasks(), 0);
  EXPECT_EQ(s.workers(0).leases_done(), 2);
}

// A column the homepage names is fetched as a column even when another site's link
// to it was queued first (a link check reads no list); a column named twice, or the
// homepage itself, is not fetched as one.
TEST_F(CoordinatorTest, DiscoveredColumnLinkedByAnotherSiteIsStillFetched) {
  StartCoordinator(/*probes=*/0);
  const FromCoordinator home_a = Ask();
  const FromCoordinator home_b = Ask();
  ASSERT_TRUE(home_a.has_lease());
  ASSERT_TRUE(home_b.has_lease());
  ASSERT_EQ(home_a.lease().site().site_id(), "A");
  // B's homepage, done first, links to A's column page.
  Send(*worker_, DoneMessage(MakeDone(home_b.lease(), {"http://a.gov.cn/col/"})));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 1; }));
  LeaseDone done_a = MakeDone(home_a.lease());
  *done_a.add_discovered_columns() = MakeColumn("http://a.gov.cn/col/", NEWS);
  *done_a.add_discovered_columns() = MakeColumn("http://a.gov.cn/col/", NEWS);
  *done_a.add_discovered_columns() = MakeColumn("http://a.gov.cn/", OTHER);
  Send(*worker_, DoneMessage(done_a));
  ASSERT_TRUE(WaitFor([](const CoordinatorProgress& p) { return p.leases_out == 0; }));
  EXPECT_EQ(coordinator_->progress().queued_tasks, 2);
  std::map<std::string, Lease> crawl;
  for (int i = 0; i < 2; ++i) {
    const FromCoordinator r = Ask();
    ASSERT_TRUE(r.has_lease());
    crawl[r.lease().site().site_id()] = r.lease();
  }
  ASSERT_EQ(crawl["A"].tasks_size(), 1);
  EXPECT_EQ(crawl["A"].tasks(0).kind(), COLUMN);
  EXPECT_EQ(crawl["A"].tasks(0).url(), "http://a.gov.cn/col/");
  ASSERT_EQ(crawl["B"].tasks_size(), 1);
  EXPECT_EQ(crawl["B"].tasks(0).kind(), LINK_CHECK);
  EXPECT_EQ(crawl["B"].tasks(0).url(), "http://a.gov.cn/col/");
}

}  // namespace
}  // namespace census
