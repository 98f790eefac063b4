#include "common/wire.h"

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
      frames.emplace_back(static_cast<const char*>(part.data()), part.size());
      if (!part.more()) break;
    }
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(absl::StrCat("zmq recv: ", e.what()));
  }
  return frames;
}

}  // namespace

absl::Status SendToRouter(zmq::socket_t& dealer, const google::protobuf::MessageLite& msg) {
  return SendFrames(dealer, {std::string(), msg.SerializeAsString()});
}

absl::Status ReceiveFromRouter(zmq::socket_t& dealer, google::protobuf::MessageLite* msg) {
  auto frames = ReceiveFrames(dealer);
  if (!frames.ok()) return frames.status();
  if (frames->empty() || !msg->ParseFromString(frames->back())) {
    return absl::DataLossError("malformed message from router");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReceiveFromDealer(zmq::socket_t& router,
                                              google::protobuf::MessageLite* msg) {
  auto frames = ReceiveFrames(router);
  if (!frames.ok()) return frames.status();
  if (frames->size() < 2 || !msg->ParseFromString(frames->back())) {
    return absl::DataLossError("malformed message from dealer");
  }
  return (*frames)[0];
}

absl::Status SendToDealer(zmq::socket_t& router, const std::string& identity,
                          const google::protobuf::MessageLite& msg) {
  return SendFrames(router, {identity, std::string(), msg.SerializeAsString()});
}

}  // namespace census
