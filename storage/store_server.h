#ifndef CENSUS_STORAGE_STORE_SERVER_H_
#define CENSUS_STORAGE_STORE_SERVER_H_

// StoreServer: the store shard's ZeroMQ face. Binds a ROUTER at `endpoint`
// (inproc:// or tcp://), receives ResultBatch messages from workers, writes each to
// the Store and replies StoreAck (ok=false with the error when the write failed, so
// the worker does not report the lease done).

#include <atomic>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "absl/status/status.h"
#include "storage/store.h"

namespace census {

class StoreServer {
 public:
  StoreServer(zmq::context_t& context, std::string endpoint, Store& store)
      : context_(context), endpoint_(std::move(endpoint)), store_(store) {}

  // Binds the socket; call before workers connect (inproc requires bind first).
  absl::Status Bind();
  // Serves until Stop() is called (from any thread). Returns the first fatal error.
  absl::Status Serve();
  void Stop() { stop_.store(true); }
  int64_t batches_written() const { return batches_.load(); }
  // Messages that were not a [identity, empty, ResultBatch] envelope (skipped).
  int64_t malformed_messages() const { return malformed_.load(); }
  // Batches whose Store::Write failed (acked ok=false).
  int64_t failed_writes() const { return failed_.load(); }

 private:
  zmq::context_t& context_;
  std::string endpoint_;
  Store& store_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> batches_{0};
  std::atomic<int64_t> malformed_{0};
  std::atomic<int64_t> failed_{0};
};

}  // namespace census

#endif  // CENSUS_STORAGE_STORE_SERVER_H_
