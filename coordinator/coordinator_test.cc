#include "coordinator/coordinator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <thread>

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

  void StartCoordinator(int probes,
                        const absl::flat_hash_map<std::string, std::vector<Column>>& columns = {}) {
    CoordinatorOptions options;
    options.data_dir = dir_.string();
    options.as_of = "2026-11-20";
    options.probes = probes;
    options.probe_interval = absl::Minutes(10);
    options.lease_timeout = absl::Minutes(5);
    options.clock = &clock_;
    coordinator_ = std::make_unique<Coordinator>(ctx_, "inproc://coord", options);
    ASSERT_TRUE(coordinator_->Start().ok());
    std::vector<Site> sites(2);
    sites[0].set_site_id("A");
    sites[0].set_url("http://a.gov.cn/");
    sites[1].set_site_id("B");
    sites[1].set_url("http://b.gov.cn/");
    ASSERT_TRUE(coordinator_->AddSites(sites, columns).ok());
    thread_ = std::thread([this] { (void)coordinator_->Serve(); });
    worker_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::dealer);
    worker_->connect("inproc://coord");
  }

  FromCoordinator Ask() {
    ToCoordinator msg;
    msg.mutable_work_request()->set_worker_id("w");
    msg.mutable_work_request()->set_capacity(1);
    EXPECT_TRUE(SendToRouter(*worker_, msg).ok());
    FromCoordinator reply;
    EXPECT_TRUE(ReceiveFromRouter(*worker_, &reply).ok());
    return reply;
  }

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
