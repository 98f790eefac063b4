#include "storage/store_server.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/wire.h"
#include "gtest/gtest.h"
#include "storage/temp_dir_for_tests.h"

namespace census {
namespace {

// A test's store directory, named after the test binary.
class TempDir : public ::census::testing::TempDir {
 public:
  TempDir() : ::census::testing::TempDir("store_server_test") {}
};

// Receives with a deadline so a broken server fails the test instead of hanging it.
absl::Status ReceiveReply(zmq::socket_t& dealer, FromStore* reply, int timeout_ms = 5000) {
  zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, std::chrono::milliseconds(timeout_ms));
  if ((item.revents & ZMQ_POLLIN) == 0) return absl::DeadlineExceededError("no reply");
  return ReceiveFromRouter(dealer, reply);
}

absl::Status ReceiveAck(zmq::socket_t& dealer, StoreAck* ack) {
  FromStore reply;
  if (auto st = ReceiveReply(dealer, &reply); !st.ok()) return st;
  if (!reply.has_ack()) return absl::DataLossError("not an ack");
  *ack = reply.ack();
  return absl::OkStatus();
}

absl::Status SendBatch(zmq::socket_t& dealer, const ResultBatch& batch) {
  ToStore request;
  *request.mutable_batch() = batch;
  return SendToRouter(dealer, request);
}

class StoreServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.sync_writes = false;
    auto store = Store::Open(dir_.path(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    server_ = std::make_unique<StoreServer>(context_, "inproc://store-0", *store_);
    ASSERT_TRUE(server_->Bind().ok());
    thread_ = std::thread([this] { serve_status_ = server_->Serve(); });
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  TempDir dir_;
  zmq::context_t context_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<StoreServer> server_;
  std::thread thread_;
  absl::Status serve_status_ = absl::UnknownError("not run");
};

TEST_F(StoreServerTest, WritesABatchAndAcks) {
  zmq::socket_t dealer(context_, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect("inproc://store-0");

  ResultBatch batch;
  batch.set_lease_id(42);
  batch.mutable_site()->set_site_id("4202020002");
  PageObservation* obs = batch.add_observations();
  obs->set_site_id("4202020002");
  obs->set_url("https://a.gov.cn/");
  obs->set_title("首页");
  obs->set_fetched_at_ms(1000);
  PageBody* body = batch.add_bodies();
  body->set_body("<html>首页</html>");
  body->set_content_hash(ContentHash(body->body()));
  ASSERT_TRUE(SendBatch(dealer, batch).ok());

  StoreAck ack;
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  EXPECT_EQ(ack.lease_id(), 42u);
  EXPECT_TRUE(ack.ok());
  EXPECT_EQ(ack.error(), "");
  EXPECT_EQ(server_->batches_written(), 1);

  auto latest = store_->LatestObservations("4202020002", std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].title(), "首页");
  auto stored = store_->GetBody(ContentHash("<html>首页</html>"));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, "<html>首页</html>");
}

TEST_F(StoreServerTest, GarbageAndFailedWritesDoNotKillTheServer) {
  zmq::socket_t dealer(context_, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect("inproc://store-0");

  // Garbage, and a message of another protocol version, are dropped unanswered and
  // counted.
  const std::string garbage = "\xff\xff\xff not a protobuf";
  dealer.send(zmq::str_buffer(""), zmq::send_flags::sndmore);
  dealer.send(zmq::str_buffer("census/1"), zmq::send_flags::sndmore);
  dealer.send(zmq::buffer(garbage), zmq::send_flags::none);
  dealer.send(zmq::str_buffer(""), zmq::send_flags::sndmore);
  dealer.send(zmq::str_buffer("census/9"), zmq::send_flags::sndmore);
  dealer.send(zmq::str_buffer(""), zmq::send_flags::none);
  StoreAck ack;
  EXPECT_EQ(ReceiveAck(dealer, &ack).code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(server_->drops().malformed(), 1);
  EXPECT_EQ(server_->drops().wrong_version(), 1);

  // A batch the store refuses is acked ok=false with the reason.
  ResultBatch bad;
  bad.set_lease_id(5);
  bad.mutable_site()->set_site_id("s1");
  PageBody* body = bad.add_bodies();
  body->set_body("x");
  body->set_content_hash("0000");
  ASSERT_TRUE(SendBatch(dealer, bad).ok());
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  EXPECT_EQ(ack.lease_id(), 5u);
  EXPECT_FALSE(ack.ok());
  EXPECT_NE(ack.error().find("content_hash 0000"), std::string::npos) << ack.error();
  EXPECT_EQ(server_->failed_writes(), 1);

  ResultBatch good;
  good.set_lease_id(6);
  good.mutable_site()->set_site_id("s1");
  ASSERT_TRUE(SendBatch(dealer, good).ok());
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  EXPECT_EQ(ack.lease_id(), 6u);
  EXPECT_TRUE(ack.ok());
  EXPECT_EQ(server_->batches_written(), 1);
}

// A lease done twice (its worker died after the write, or came back after its deadline)
// is stored once: the second batch's records of the same run's tasks are dropped.
TEST_F(StoreServerTest, TheSameTaskOfARunIsStoredOnce) {
  zmq::socket_t dealer(context_, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect("inproc://store-0");
  auto batch_at = [](uint64_t lease, int64_t t, const std::string& run) {
    ResultBatch b;
    b.set_lease_id(lease);
    b.set_run_id(run);
    b.mutable_site()->set_site_id("s1");
    FetchRecord* probe = b.add_fetches();
    probe->set_site_id("s1");
    probe->set_kind(PROBE);
    probe->set_url("https://a.gov.cn/");
    probe->set_probe_index(3);
    probe->set_fetched_at_ms(t);
    FetchRecord* link = b.add_fetches();
    link->set_site_id("s1");
    link->set_kind(LINK_CHECK);
    link->set_url("https://a.gov.cn/x.html");
    link->set_status(t == 1000 ? 200 : 404);
    link->set_fetched_at_ms(t);
    return b;
  };
  StoreAck ack;
  ASSERT_TRUE(SendBatch(dealer, batch_at(1, 1000, "run-A")).ok());
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  ASSERT_TRUE(ack.ok()) << ack.error();
  ASSERT_TRUE(SendBatch(dealer, batch_at(2, 2000, "run-A")).ok());  // the redo
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  ASSERT_TRUE(ack.ok()) << ack.error();
  EXPECT_EQ(store_->duplicate_tasks(), 2);
  int probes = 0;
  ASSERT_TRUE(store_
                  ->ForEachFetch("s1", 0, std::numeric_limits<int64_t>::max(),
                                 [&](const FetchRecord& r) { probes += r.kind() == PROBE; })
                  .ok());
  EXPECT_EQ(probes, 1);
  auto link = store_->LatestLinkCheck("https://a.gov.cn/x.html", 0, 5000);
  ASSERT_TRUE(link.ok());
  ASSERT_TRUE(link->has_value());
  EXPECT_EQ((*link)->status(), 200);  // the first result stays
  // Another census (run) of the same site is history, not a duplicate.
  ASSERT_TRUE(SendBatch(dealer, batch_at(3, 3000, "run-B")).ok());
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  EXPECT_EQ(store_->duplicate_tasks(), 2);
}

TEST(StoreServerShardTest, ABatchOfAnotherShardIsRefusedButItsLinkIndexIsTaken) {
  TempDir dir;
  StoreOptions options;
  options.sync_writes = false;
  auto store = Store::Open(dir.path(), options);
  ASSERT_TRUE(store.ok());
  zmq::context_t context;
  StoreServerOptions server_options;
  server_options.shard = {0, 2};
  StoreServer server(context, "inproc://shard-0", **store, server_options);
  ASSERT_TRUE(server.Bind().ok());
  std::thread serving([&] { (void)server.Serve(); });
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect("inproc://shard-0");
  // Find a site of shard 1.
  std::string foreign;
  for (int i = 0; foreign.empty(); ++i) {
    std::string id = absl::StrCat("site", i);
    if (ShardOf(id, 2) == 1) foreign = id;
  }
  ResultBatch batch;
  batch.set_lease_id(9);
  batch.mutable_site()->set_site_id(foreign);
  FetchRecord* link = batch.add_fetches();
  link->set_site_id(foreign);
  link->set_kind(LINK_CHECK);
  link->set_url("https://b.gov.cn/doc.pdf");
  link->set_status(404);
  link->set_fetched_at_ms(100);
  StoreAck ack;
  ASSERT_TRUE(SendBatch(dealer, batch).ok());
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  EXPECT_FALSE(ack.ok());
  EXPECT_TRUE(ack.wrong_shard());
  EXPECT_EQ(ack.error(), absl::StrCat("site ", foreign,
                                      " belongs to store shard 1/2 (FNV-1a 64 of site_id mod 2), "
                                      "this is shard 0/2"));
  batch.set_link_index_only(true);
  ASSERT_TRUE(SendBatch(dealer, batch).ok());
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  EXPECT_TRUE(ack.ok()) << ack.error();
  auto found = (*store)->LatestLinkCheck("https://b.gov.cn/doc.pdf", 0, 1000);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->status(), 404);
  int sites = 0;  // the foreign site is not this shard's
  ASSERT_TRUE((*store)->ForEachSite([&](const Site&) { ++sites; }).ok());
  EXPECT_EQ(sites, 0);
  server.Stop();
  serving.join();
}

// Aggregation streams this shard's sites a chunk per AggregateNext, then the summary.
TEST(StoreServerAggregateTest, StreamsSitesInChunksThenTheSummary) {
  TempDir dir;
  StoreOptions options;
  options.sync_writes = false;
  auto store = Store::Open(dir.path(), options);
  ASSERT_TRUE(store.ok());
  RunRecord run;
  run.set_run_id("r1");
  ASSERT_TRUE((*store)->PutRun(run).ok());
  zmq::context_t context;
  StoreServerOptions server_options;
  server_options.aggregate = [](Store&, const RunRecord& r, const std::string& rubric,
                                const std::function<absl::Status(report::SiteReport&)>& on_site)
      -> absl::StatusOr<report::CensusSummary> {
    for (int i = 0; i < 5; ++i) {
      report::SiteReport site;
      site.set_site_id(absl::StrCat(r.run_id(), "-", i, rubric));
      RETURN_IF_ERROR(on_site(site));
    }
    report::CensusSummary summary;
    summary.set_sites(5);
    return summary;
  };
  StoreServer server(context, "inproc://agg", **store, server_options);
  ASSERT_TRUE(server.Bind().ok());
  std::thread serving([&] { (void)server.Serve(); });
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect("inproc://agg");
  ToStore request;
  request.mutable_aggregate()->set_run_id("r1");
  request.mutable_aggregate()->set_max_sites(2);
  ASSERT_TRUE(SendToRouter(dealer, request).ok());
  std::vector<std::string> got;
  FromStore reply;
  for (int chunk = 0; chunk < 10; ++chunk) {
    ASSERT_TRUE(ReceiveReply(dealer, &reply).ok());
    ASSERT_TRUE(reply.has_chunk());
    for (const auto& site : reply.chunk().sites()) got.push_back(site.site_id());
    if (reply.chunk().done()) break;
    ToStore next;
    next.mutable_aggregate_next()->set_run_id("r1");
    ASSERT_TRUE(SendToRouter(dealer, next).ok());
  }
  EXPECT_TRUE(reply.chunk().done());
  EXPECT_EQ(reply.chunk().error(), "");
  EXPECT_EQ(reply.chunk().summary().sites(), 5);
  EXPECT_EQ(got, (std::vector<std::string>{"r1-0", "r1-1", "r1-2", "r1-3", "r1-4"}));
  // A run the shard does not hold is an error in the first chunk.
  request.mutable_aggregate()->set_run_id("nope");
  ASSERT_TRUE(SendToRouter(dealer, request).ok());
  ASSERT_TRUE(ReceiveReply(dealer, &reply).ok());
  EXPECT_TRUE(reply.chunk().done());
  EXPECT_EQ(reply.chunk().error(), "store shard 0/1 holds no run nope");
  server.Stop();
  serving.join();
}

TEST_F(StoreServerTest, StopEndsServe) {
  server_->Stop();
  thread_.join();
  EXPECT_TRUE(serve_status_.ok()) << serve_status_;
}

TEST(StoreServerBindTest, BadEndpointIsAnError) {
  TempDir dir;
  auto store = Store::Open(dir.path());
  ASSERT_TRUE(store.ok());
  zmq::context_t context;
  StoreServer server(context, "bogus://nowhere", **store);
  absl::Status s = server.Bind();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("bogus://nowhere"), std::string::npos);
  EXPECT_EQ(server.Serve().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace census
