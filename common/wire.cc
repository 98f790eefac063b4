#include "common/wire.h"

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"

namespace census {
namespace {

absl::Status SendFrames(zmq::socket_t& s, const std::vector<std::string>& frames) {
  try {
    for (size_t i = 0; i < frames.size(); ++i) {
      auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      s.send(zmq::buffer(frames[i]), flags);
    }
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(absl::StrCat("zmq send: ", e.what()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ReceiveFrames(zmq::socket_t& s) {
  std::vector<std::string> frames;
  try {
    while (true) {
      zmq::message_t part;
      auto r = s.recv(part, zmq::recv_flags::none);
      if (!r) return absl::UnavailableError("zmq recv: interrupted");
      // A hostile peer may send any number of parts: keep at most kMaxFrames (the rest
      // is read and dropped, so the next message starts clean).
      if (frames.size() < kMaxFrames)
        frames.emplace_back(static_cast<const char*>(part.data()), part.size());
      if (!part.more()) break;
    }
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(absl::StrCat("zmq recv: ", e.what()));
  }
  return frames;
}

// frames[first] must be the empty delimiter, then the protocol, then the payload.
absl::Status ParsePayload(const std::vector<std::string>& frames, size_t first,
                          google::protobuf::MessageLite* msg) {
  if (frames.size() != first + 3) {
    return absl::DataLossError(
        absl::StrCat("malformed message: ", frames.size(), " frames, want ", first + 3));
  }
  if (!frames[first].empty()) {
    return absl::DataLossError(absl::StrCat("malformed message: frame ", first, " (",
                                            frames[first].size(),
                                            " bytes) is not the empty delimiter"));
  }
  if (frames[first + 1] != kWireProtocol) {
    std::string version = frames[first + 1].substr(0, 32);
    for (char& c : version) {
      if (c < 0x20 || c > 0x7e) c = '?';
    }
    return absl::FailedPreconditionError(
        absl::StrCat("protocol '", version, "', want '", kWireProtocol, "'"));
  }
  if (!msg->ParseFromString(frames[first + 2])) {
    return absl::DataLossError(absl::StrCat("malformed message: not a ", msg->GetTypeName(), " (",
                                            frames[first + 2].size(), " bytes)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ConfigureSocket(zmq::socket_t& socket, int64_t max_message_bytes) {
  try {
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::maxmsgsize, max_message_bytes);
    socket.set(zmq::sockopt::heartbeat_ivl, 2000);
    socket.set(zmq::sockopt::heartbeat_timeout, 10000);
    socket.set(zmq::sockopt::heartbeat_ttl, 10000);
  } catch (const zmq::error_t& e) {
    return absl::InternalError(absl::StrCat("zmq socket options: ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status SendToRouter(zmq::socket_t& dealer, const google::protobuf::MessageLite& msg) {
  return SendFrames(dealer, {std::string(), kWireProtocol, msg.SerializeAsString()});
}

absl::Status ParseRouterFrames(const std::vector<std::string>& frames,
                               google::protobuf::MessageLite* msg) {
  return ParsePayload(frames, 0, msg);
}

absl::StatusOr<std::string> ParseDealerFrames(const std::vector<std::string>& frames,
                                              google::protobuf::MessageLite* msg,
                                              std::string* identity_out) {
  if (frames.empty()) return absl::DataLossError("malformed message: no frames");
  if (identity_out != nullptr) *identity_out = frames[0];
  absl::Status parsed = ParsePayload(frames, 1, msg);
  if (!parsed.ok()) return parsed;
  return frames[0];
}

absl::Status ReceiveFromRouter(zmq::socket_t& dealer, google::protobuf::MessageLite* msg) {
  auto frames = ReceiveFrames(dealer);
  if (!frames.ok()) return frames.status();
  return ParseRouterFrames(*frames, msg);
}

absl::StatusOr<std::string> ReceiveFromDealer(zmq::socket_t& router,
                                              google::protobuf::MessageLite* msg,
                                              std::string* identity_out) {
  auto frames = ReceiveFrames(router);
  if (!frames.ok()) return frames.status();
  return ParseDealerFrames(*frames, msg, identity_out);
}

absl::Status SendToDealer(zmq::socket_t& router, const std::string& identity,
                          const google::protobuf::MessageLite& msg) {
  return SendFrames(router, {identity, std::string(), kWireProtocol, msg.SerializeAsString()});
}

bool WireDrops::Note(const absl::Status& status) {
  if (absl::IsFailedPrecondition(status)) {
    wrong_version_.fetch_add(1);
  } else if (absl::IsDataLoss(status)) {
    malformed_.fetch_add(1);
  } else {
    return false;
  }
  const int64_t total = malformed_.load() + wrong_version_.load();
  if (total <= 10 || total % 1000 == 0) {
    std::fprintf(stderr, "census %s: dropped a message (%lld so far): %s\n", role_.c_str(),
                 static_cast<long long>(total), std::string(status.message()).c_str());
  }
  return true;
}

}  // namespace census
