#ifndef CENSUS_COMMON_WIRE_H_
#define CENSUS_COMMON_WIRE_H_

// Protobuf messages over ZeroMQ. Every role talks through these calls so the framing
// is the same on inproc:// and tcp://: a DEALER sends [empty, protocol, payload]; a
// ROUTER receives [identity, empty, protocol, payload] and replies to that identity
// with [identity, empty, protocol, payload]. `protocol` is kWireProtocol: a peer
// speaking another version is refused message by message (FailedPrecondition), never
// parsed. docs/PROTOCOL.md.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message_lite.h"

namespace census {

// The protocol version frame of every message. A change that old peers cannot read
// (a field's meaning, a new required message) bumps it.
inline constexpr char kWireProtocol[] = "census/1";

// Largest message a role accepts (ZMQ_MAXMSGSIZE: libzmq drops the connection of a
// peer that sends more). The coordinator's messages are leases and link lists; a
// store's are ResultBatches with page bodies (each under the fetcher's body cap).
inline constexpr int64_t kCoordinatorMaxMessage = 16LL << 20;
inline constexpr int64_t kStoreMaxMessage = 256LL << 20;

// Options every role's socket gets before bind/connect: linger 0, the size limit, and
// ZMTP heartbeats (a PING every 2 s; a peer silent for 10 s is disconnected, so a dead
// host is noticed and the DEALER reconnects when it returns).
absl::Status ConfigureSocket(zmq::socket_t& socket, int64_t max_message_bytes);

// DEALER side.
absl::Status SendToRouter(zmq::socket_t& dealer, const google::protobuf::MessageLite& msg);
// Parses the next message into *msg: DataLoss when it is not a valid message,
// FailedPrecondition when it has another protocol version.
absl::Status ReceiveFromRouter(zmq::socket_t& dealer, google::protobuf::MessageLite* msg);

// ROUTER side. `identity` is the peer's routing id as received. Errors as
// ReceiveFromRouter; `identity_out` (optional) gets the identity even then, so a
// server can answer a malformed request.
absl::StatusOr<std::string> ReceiveFromDealer(zmq::socket_t& router,
                                              google::protobuf::MessageLite* msg,
                                              std::string* identity_out = nullptr);
absl::Status SendToDealer(zmq::socket_t& router, const std::string& identity,
                          const google::protobuf::MessageLite& msg);

// The pure part of the receive path, for tests and fuzz targets (fuzz/checks.h): the
// Receive* calls read a message's frames off the socket (keeping at most kMaxFrames; a
// hostile peer may send any number) and hand them to these.
inline constexpr size_t kMaxFrames = 8;
// DEALER side: `frames` as a DEALER receives them, [empty, protocol, payload].
absl::Status ParseRouterFrames(const std::vector<std::string>& frames,
                               google::protobuf::MessageLite* msg);
// ROUTER side: [identity, empty, protocol, payload]; returns the identity. `identity_out`
// as in ReceiveFromDealer.
absl::StatusOr<std::string> ParseDealerFrames(const std::vector<std::string>& frames,
                                              google::protobuf::MessageLite* msg,
                                              std::string* identity_out = nullptr);

// What a role dropped from the wire, by reason; logged (the first few, then every
// 1000th, so a flood of garbage cannot flood the log) and counted for /metrics.
class WireDrops {
 public:
  explicit WireDrops(std::string role) : role_(std::move(role)) {}
  // Counts and logs a receive error; returns true when it was a dropped message
  // (DataLoss / FailedPrecondition) rather than a socket failure.
  bool Note(const absl::Status& status);
  int64_t malformed() const { return malformed_.load(); }
  int64_t wrong_version() const { return wrong_version_.load(); }

 private:
  std::string role_;
  std::atomic<int64_t> malformed_{0}, wrong_version_{0};
};

}  // namespace census

#endif  // CENSUS_COMMON_WIRE_H_
