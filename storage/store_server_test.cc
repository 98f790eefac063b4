#include "storage/store_server.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <thread>

#include "common/wire.h"
#include "gtest/gtest.h"

namespace census {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "store_server_test.XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string path() const { return path_ + "/db"; }

 private:
  std::string path_;
};

// Receives with a deadline so a broken server fails the test instead of hanging it.
absl::Status ReceiveAck(zmq::socket_t& dealer, StoreAck* ack) {
  zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, std::chrono::milliseconds(5000));
  if ((item.revents & ZMQ_POLLIN) == 0) return absl::DeadlineExceededError("no ack");
  return ReceiveFromRouter(dealer, ack);
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
  ASSERT_TRUE(SendToRouter(dealer, batch).ok());

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

  const std::string garbage = "\xff\xff\xff not a protobuf";
  dealer.send(zmq::str_buffer(""), zmq::send_flags::sndmore);
  dealer.send(zmq::buffer(garbage), zmq::send_flags::none);
  StoreAck ack;
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  EXPECT_FALSE(ack.ok());
  EXPECT_EQ(ack.lease_id(), 0u);
  EXPECT_EQ(ack.error(), "store server: malformed message (not a ResultBatch)");
  EXPECT_EQ(server_->malformed_messages(), 1);

  // A batch the store refuses is acked ok=false with the reason.
  ResultBatch bad;
  bad.set_lease_id(5);
  bad.mutable_site()->set_site_id("s1");
  PageBody* body = bad.add_bodies();
  body->set_body("x");
  body->set_content_hash("0000");
  ASSERT_TRUE(SendToRouter(dealer, bad).ok());
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  EXPECT_EQ(ack.lease_id(), 5u);
  EXPECT_FALSE(ack.ok());
  EXPECT_NE(ack.error().find("content_hash 0000"), std::string::npos) << ack.error();
  EXPECT_EQ(server_->failed_writes(), 1);

  ResultBatch good;
  good.set_lease_id(6);
  good.mutable_site()->set_site_id("s1");
  ASSERT_TRUE(SendToRouter(dealer, good).ok());
  ASSERT_TRUE(ReceiveAck(dealer, &ack).ok());
  EXPECT_EQ(ack.lease_id(), 6u);
  EXPECT_TRUE(ack.ok());
  EXPECT_EQ(server_->batches_written(), 1);
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
