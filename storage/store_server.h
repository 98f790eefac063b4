#ifndef CENSUS_STORAGE_STORE_SERVER_H_
#define CENSUS_STORAGE_STORE_SERVER_H_

// StoreServer: the store shard's ZeroMQ face. Binds a ROUTER at `endpoint` (inproc://
// or tcp://) and answers ToStore requests with FromStore (docs/PROTOCOL.md):
// - ResultBatch → StoreAck once written and durable (Store::Write, WAL synced unless
//   the Store was opened without sync). ok=false with the error when the write failed
//   (the worker then does not report the lease done), or with wrong_shard when the
//   batch's site hashes to another shard (common/shard.h); link_index_only batches are
//   taken by every shard.
// - RunRecord → StoreAck{run_id} once stored (the coordinator records a finished
//   census on every shard).
// - AggregateRequest / AggregateNext → AggregateChunk: this shard's sites of a run,
//   aggregated by `aggregate` (injected: the aggregator library sits above storage) on
//   a thread of its own, streamed in site_id order a chunk per AggregateNext, the last
//   chunk with done and the shard's summary. One stream per peer; a new request
//   replaces that peer's stream.
// - ShardInfoRequest → ShardInfo.
// Malformed messages and other protocol versions are dropped, logged and counted.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/shard.h"
#include "common/wire.h"
#include "proto/census.pb.h"
#include "storage/store.h"

namespace census {

// Aggregates `run`'s sites held by `store` (scored with `rubric_text`, "" = the run's
// own), handing each site to `on_site` in site_id order; returns the shard's summary.
using ShardAggregateFn = std::function<absl::StatusOr<report::CensusSummary>(
    Store& store, const RunRecord& run, const std::string& rubric_text,
    const std::function<absl::Status(report::SiteReport& site)>& on_site)>;

struct StoreServerOptions {
  ShardSpec shard;             // 0/1: the only shard (census run)
  ShardAggregateFn aggregate;  // null: AggregateRequest answered with an error
  // Called on the socket before bind (CURVE, ZAP domain); may be null.
  std::function<absl::Status(zmq::socket_t&)> secure;
};

class StoreServer {
 public:
  StoreServer(zmq::context_t& context, std::string endpoint, Store& store,
              StoreServerOptions options = {});
  ~StoreServer();

  // Binds the socket; call before workers connect (inproc requires bind first).
  absl::Status Bind();
  // The bound endpoint (tcp://...:PORT when bound to port 0 or *).
  std::string endpoint() const;
  // Serves until Stop() is called (from any thread). Returns the first fatal error.
  absl::Status Serve();
  void Stop() { stop_.store(true); }
  int64_t batches_written() const { return batches_.load(); }
  // Messages dropped from the wire: not a ToStore, or another protocol version.
  int64_t malformed_messages() const { return drops_.malformed() + drops_.wrong_version(); }
  const WireDrops& drops() const { return drops_; }
  // Batches whose Store::Write failed (acked ok=false).
  int64_t failed_writes() const { return failed_.load(); }
  int64_t wrong_shard() const { return wrong_shard_.load(); }
  int64_t aggregations() const { return aggregations_.load(); }
  // Time of the last write, for the write latency histogram: called after each write
  // with its duration in seconds (may be null).
  std::function<void(double seconds)> on_write;

 private:
  struct Stream;
  void Handle(const std::string& identity, const ToStore& request);
  void HandleBatch(const std::string& identity, const ResultBatch& batch);
  void StartStream(const std::string& identity, const AggregateRequest& request);
  // Sends the next chunk of each stream whose peer asked for one and that has one.
  void PumpStreams();

  zmq::context_t& context_;
  std::string endpoint_;
  Store& store_;
  StoreServerOptions options_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> batches_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> wrong_shard_{0};
  std::atomic<int64_t> aggregations_{0};
  WireDrops drops_{"store"};
  absl::flat_hash_map<std::string, std::unique_ptr<Stream>> streams_;  // by peer identity
};

}  // namespace census

#endif  // CENSUS_STORAGE_STORE_SERVER_H_
