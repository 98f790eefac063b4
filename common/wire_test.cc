#include "common/wire.h"

#include <gtest/gtest.h>

#include "proto/census.pb.h"

namespace census {
namespace {

TEST(WireTest, DealerRouterRoundTripOverInproc) {
  zmq::context_t ctx;
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.bind("inproc://wire-test");
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.connect("inproc://wire-test");

  ToCoordinator request;
  request.mutable_work_request()->set_worker_id("w1");
  request.mutable_work_request()->set_capacity(7);
  ASSERT_TRUE(SendToRouter(dealer, request).ok());

  ToCoordinator got;
  auto identity = ReceiveFromDealer(router, &got);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(got.work_request().worker_id(), "w1");
  EXPECT_EQ(got.work_request().capacity(), 7);

  FromCoordinator reply;
  reply.mutable_no_work()->set_retry_after_ms(25);
  ASSERT_TRUE(SendToDealer(router, *identity, reply).ok());
  FromCoordinator got_reply;
  ASSERT_TRUE(ReceiveFromRouter(dealer, &got_reply).ok());
  EXPECT_EQ(got_reply.no_work().retry_after_ms(), 25);
}

TEST(WireTest, GarbageIsDataLoss) {
  zmq::context_t ctx;
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.bind("inproc://wire-garbage");
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.connect("inproc://wire-garbage");
  std::string junk = "\xff\xff\xff\xff";
  dealer.send(zmq::buffer(std::string()), zmq::send_flags::sndmore);
  dealer.send(zmq::buffer(junk), zmq::send_flags::none);
  ToCoordinator got;
  auto identity = ReceiveFromDealer(router, &got);
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kDataLoss);
}

TEST(WireTest, AnotherProtocolVersionIsRefusedWithItsName) {
  zmq::context_t ctx;
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.bind("inproc://wire-version");
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.connect("inproc://wire-version");
  ToCoordinator request;
  request.mutable_work_request()->set_worker_id("w1");
  dealer.send(zmq::buffer(std::string()), zmq::send_flags::sndmore);
  dealer.send(zmq::buffer(std::string("census/0")), zmq::send_flags::sndmore);
  dealer.send(zmq::buffer(request.SerializeAsString()), zmq::send_flags::none);
  ToCoordinator got;
  std::string identity;
  auto received = ReceiveFromDealer(router, &got, &identity);
  EXPECT_EQ(received.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(received.status().message(), "protocol 'census/0', want 'census/1'");
  EXPECT_FALSE(identity.empty());  // the server can still answer
  WireDrops drops("test");
  EXPECT_TRUE(drops.Note(received.status()));
  EXPECT_TRUE(drops.Note(absl::DataLossError("x")));
  EXPECT_FALSE(drops.Note(absl::UnavailableError("socket closed")));
  EXPECT_EQ(drops.wrong_version(), 1);
  EXPECT_EQ(drops.malformed(), 1);
}

TEST(WireTest, ExtraFramesAreMalformed) {
  zmq::context_t ctx;
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.bind("inproc://wire-frames");
  zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
  dealer.connect("inproc://wire-frames");
  for (int i = 0; i < 20; ++i) {
    dealer.send(zmq::buffer(std::string(i == 0 ? "" : "x")),
                i < 19 ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
  ToCoordinator request;
  ASSERT_TRUE(SendToRouter(dealer, request).ok());
  ToCoordinator got;
  EXPECT_EQ(ReceiveFromDealer(router, &got).status().code(), absl::StatusCode::kDataLoss);
  // The next message starts clean.
  EXPECT_TRUE(ReceiveFromDealer(router, &got).ok());
}

}  // namespace
}  // namespace census
