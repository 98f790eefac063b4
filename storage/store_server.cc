#include "storage/store_server.h"

#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/wire.h"
#include "proto/census.pb.h"

namespace census {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);

// Receives one multipart message without blocking; an empty vector when none is
// waiting, Cancelled when the context was terminated. Frames: [identity, empty, payload] from a
// DEALER via wire.h.
absl::StatusOr<std::vector<std::string>> ReceiveFrames(zmq::socket_t& socket) {
  std::vector<std::string> frames;
  try {
    while (true) {
      zmq::message_t part;
      auto flags = frames.empty() ? zmq::recv_flags::dontwait : zmq::recv_flags::none;
      if (!socket.recv(part, flags)) return frames;  // nothing waiting (EAGAIN)
      frames.emplace_back(static_cast<const char*>(part.data()), part.size());
      if (!part.more()) break;
    }
  } catch (const zmq::error_t& e) {
    if (e.num() == ETERM) return absl::CancelledError("store server: context terminated");
    return absl::UnavailableError(absl::StrCat("store server: zmq recv: ", e.what()));
  }
  return frames;
}

}  // namespace

absl::Status StoreServer::Bind() {
  try {
    auto socket = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::router);
    socket->set(zmq::sockopt::linger, 0);
    socket->bind(endpoint_);
    socket_ = std::move(socket);
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(
        absl::StrCat("store server: cannot bind ", endpoint_, ": ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status StoreServer::Serve() {
  if (socket_ == nullptr) {
    return absl::FailedPreconditionError("store server: Serve() before Bind()");
  }
  absl::Status result = absl::OkStatus();
  bool terminated = false;  // fatal error or context shut down
  while (!stop_.load()) {
    try {
      zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, kPollInterval);
      if ((item.revents & ZMQ_POLLIN) == 0) continue;
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;  // context shut down: a normal end
      if (e.num() == EINTR) continue;
      result = absl::UnavailableError(absl::StrCat("store server: zmq poll: ", e.what()));
      break;
    }
    // Drain what is waiting, checking stop_ between messages.
    while (!stop_.load()) {
      absl::StatusOr<std::vector<std::string>> frames = ReceiveFrames(*socket_);
      if (!frames.ok()) {
        if (!absl::IsCancelled(frames.status())) result = frames.status();
        terminated = true;
        break;
      }
      if (frames->empty()) break;
      const std::string& identity = (*frames)[0];
      ResultBatch batch;
      StoreAck ack;
      if (frames->size() < 2 || !batch.ParseFromString(frames->back())) {
        malformed_.fetch_add(1);
        if (frames->size() < 2) continue;  // no routable identity
        ack.set_ok(false);
        ack.set_error("store server: malformed message (not a ResultBatch)");
      } else {
        ack.set_lease_id(batch.lease_id());
        absl::Status written = store_.Write(batch);
        if (written.ok()) {
          batches_.fetch_add(1);
          ack.set_ok(true);
        } else {
          failed_.fetch_add(1);
          ack.set_ok(false);
          ack.set_error(written.ToString());
        }
      }
      // A peer that went away cannot be answered; the ROUTER drops it. Not fatal.
      SendToDealer(*socket_, identity, ack).IgnoreError();
    }
    if (terminated) break;
  }
  try {
    socket_->close();
  } catch (const zmq::error_t&) {
    // closing never matters more than the result
  }
  socket_.reset();
  return result;
}

}  // namespace census
