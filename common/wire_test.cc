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

}  // namespace
}  // namespace census
