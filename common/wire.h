#ifndef CENSUS_COMMON_WIRE_H_
#define CENSUS_COMMON_WIRE_H_

// Protobuf messages over ZeroMQ. Every role talks through these two calls so the
// framing is the same on inproc:// and tcp://: a DEALER sends [empty, payload]; a
// ROUTER receives [identity, empty, payload] and replies to that identity.

#include <optional>
#include <string>

#include <zmq.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message_lite.h"

namespace census {

// DEALER side.
absl::Status SendToRouter(zmq::socket_t& dealer, const google::protobuf::MessageLite& msg);
// Parses the next message into *msg; DataLoss when the payload is not a valid message.
absl::Status ReceiveFromRouter(zmq::socket_t& dealer, google::protobuf::MessageLite* msg);

// ROUTER side. `identity` is the peer's routing id as received.
absl::StatusOr<std::string> ReceiveFromDealer(zmq::socket_t& router,
                                              google::protobuf::MessageLite* msg);
absl::Status SendToDealer(zmq::socket_t& router, const std::string& identity,
                          const google::protobuf::MessageLite& msg);

}  // namespace census

#endif  // CENSUS_COMMON_WIRE_H_
