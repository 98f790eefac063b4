#include "storage/store_server.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace census {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr auto kStreamPollInterval = std::chrono::milliseconds(2);
constexpr int kDefaultChunkSites = 64;
constexpr int kMaxChunkSites = 1024;

}  // namespace

// One peer's aggregation: the producer thread runs the aggregation and fills `queue`
// (bounded: it waits while two chunks are queued, so a slow reader holds the shard's
// memory to two chunks); the serve loop hands out a chunk per AggregateNext.
struct StoreServer::Stream {
  std::string run_id;
  std::string as_of;
  int chunk_sites = kDefaultChunkSites;
  std::mutex mu;
  std::condition_variable space;
  std::deque<report::SiteReport> queue;
  bool finished = false;  // the producer returned
  bool cancel = false;
  absl::StatusOr<report::CensusSummary> result = absl::UnknownError("running");
  bool wants_chunk = false;  // the peer asked and was not answered yet (serve loop only)
  std::thread producer;

  ~Stream() {
    {
      std::lock_guard<std::mutex> lock(mu);
      cancel = true;
    }
    space.notify_all();
    if (producer.joinable()) producer.join();
  }
};

StoreServer::StoreServer(zmq::context_t& context, std::string endpoint, Store& store,
                         StoreServerOptions options)
    : context_(context),
      endpoint_(std::move(endpoint)),
      store_(store),
      options_(std::move(options)) {}

StoreServer::~StoreServer() = default;

absl::Status StoreServer::Bind() {
  try {
    auto socket = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::router);
    if (auto st = ConfigureSocket(*socket, kStoreMaxMessage); !st.ok()) return st;
    if (options_.secure) {
      if (auto st = options_.secure(*socket); !st.ok()) return st;
    }
    socket->bind(endpoint_);
    socket_ = std::move(socket);
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(
        absl::StrCat("store server: cannot bind ", endpoint_, ": ", e.what()));
  }
  return absl::OkStatus();
}

std::string StoreServer::endpoint() const {
  if (socket_ == nullptr) return endpoint_;
  try {
    return socket_->get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t&) {
    return endpoint_;
  }
}

void StoreServer::HandleBatch(const std::string& identity, const ResultBatch& batch) {
  FromStore reply;
  StoreAck& ack = *reply.mutable_ack();
  ack.set_lease_id(batch.lease_id());
  const std::string& site_id = batch.site().site_id();
  const int owner = ShardOf(site_id, options_.shard.count);
  if (!batch.link_index_only() && owner != options_.shard.index) {
    wrong_shard_.fetch_add(1);
    ack.set_ok(false);
    ack.set_wrong_shard(true);
    ack.set_error(absl::StrCat("site ", site_id, " belongs to store shard ", owner, "/",
                               options_.shard.count, " (FNV-1a 64 of site_id mod ",
                               options_.shard.count, "), this is shard ", options_.shard.index, "/",
                               options_.shard.count));
  } else {
    absl::Time start = absl::Now();
    absl::Status written = store_.Write(batch);
    if (on_write) on_write(absl::ToDoubleSeconds(absl::Now() - start));
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
  SendToDealer(*socket_, identity, reply).IgnoreError();
}

void StoreServer::StartStream(const std::string& identity, const AggregateRequest& request) {
  streams_.erase(identity);  // joins the peer's earlier stream
  auto stream = std::make_unique<Stream>();
  stream->run_id = request.run_id();
  if (request.max_sites() > 0) stream->chunk_sites = std::min(request.max_sites(), kMaxChunkSites);
  stream->wants_chunk = true;
  Stream* s = stream.get();
  aggregations_.fetch_add(1);
  auto run = store_.GetRun(request.run_id());
  if (run.ok() && run->has_value()) stream->as_of = (*run)->as_of();
  stream->producer = std::thread([this, s, request, run] {
    absl::StatusOr<report::CensusSummary> result;
    if (!run.ok()) {
      result = run.status();
    } else if (!run->has_value()) {
      result = absl::NotFoundError(absl::StrCat("store shard ", options_.shard.index, "/",
                                                options_.shard.count, " holds no run ",
                                                request.run_id()));
    } else if (!options_.aggregate) {
      result = absl::UnimplementedError("this store serves no aggregation");
    } else {
      result = options_.aggregate(
          store_, **run, request.rubric_text(), [s](report::SiteReport& site) -> absl::Status {
            std::unique_lock<std::mutex> lock(s->mu);
            s->space.wait(lock, [s] {
              return s->cancel || static_cast<int>(s->queue.size()) < 2 * s->chunk_sites;
            });
            if (s->cancel) return absl::CancelledError("aggregation cancelled");
            s->queue.push_back(std::move(site));
            return absl::OkStatus();
          });
    }
    std::lock_guard<std::mutex> lock(s->mu);
    s->result = std::move(result);
    s->finished = true;
  });
  streams_[identity] = std::move(stream);
}

void StoreServer::PumpStreams() {
  for (auto it = streams_.begin(); it != streams_.end();) {
    Stream& s = *it->second;
    if (!s.wants_chunk) {
      ++it;
      continue;
    }
    FromStore reply;
    AggregateChunk& chunk = *reply.mutable_chunk();
    bool last = false;
    {
      std::lock_guard<std::mutex> lock(s.mu);
      if (static_cast<int>(s.queue.size()) < s.chunk_sites && !s.finished) {
        ++it;
        continue;  // not a whole chunk yet
      }
      while (!s.queue.empty() && chunk.sites_size() < s.chunk_sites) {
        chunk.add_sites()->Swap(&s.queue.front());
        s.queue.pop_front();
      }
      if (s.finished && s.queue.empty()) {
        last = true;
        chunk.set_done(true);
        if (s.result.ok()) {
          *chunk.mutable_summary() = *s.result;
        } else {
          chunk.set_error(std::string(s.result.status().message()));
        }
      }
    }
    s.space.notify_all();
    chunk.set_run_id(s.run_id);
    chunk.set_as_of(s.as_of);
    chunk.set_shard(options_.shard.index);
    chunk.set_shards(options_.shard.count);
    s.wants_chunk = false;
    SendToDealer(*socket_, it->first, reply).IgnoreError();
    if (last) {
      streams_.erase(it++);
    } else {
      ++it;
    }
  }
}

void StoreServer::Handle(const std::string& identity, const ToStore& request) {
  switch (request.body_case()) {
    case ToStore::kBatch:
      HandleBatch(identity, request.batch());
      return;
    case ToStore::kPutRun: {
      FromStore reply;
      reply.mutable_ack()->set_run_id(request.put_run().run_id());
      absl::Status st = store_.PutRun(request.put_run());
      reply.mutable_ack()->set_ok(st.ok());
      if (!st.ok()) reply.mutable_ack()->set_error(st.ToString());
      SendToDealer(*socket_, identity, reply).IgnoreError();
      return;
    }
    case ToStore::kAggregate:
      StartStream(identity, request.aggregate());
      return;
    case ToStore::kAggregateNext: {
      auto it = streams_.find(identity);
      if (it == streams_.end() || it->second->run_id != request.aggregate_next().run_id()) {
        FromStore reply;
        reply.mutable_chunk()->set_run_id(request.aggregate_next().run_id());
        reply.mutable_chunk()->set_done(true);
        reply.mutable_chunk()->set_error("no aggregation of that run is running for this peer");
        SendToDealer(*socket_, identity, reply).IgnoreError();
        return;
      }
      it->second->wants_chunk = true;
      return;
    }
    case ToStore::kInfo: {
      FromStore reply;
      ShardInfo& info = *reply.mutable_info();
      info.set_shard(options_.shard.index);
      info.set_shards(options_.shard.count);
      info.set_batches_written(batches_.load());
      info.set_duplicate_tasks(store_.duplicate_tasks());
      store_.ForEachRun([&](const RunRecord& run) { info.add_run_ids(run.run_id()); })
          .IgnoreError();
      SendToDealer(*socket_, identity, reply).IgnoreError();
      return;
    }
    case ToStore::BODY_NOT_SET:
      drops_.Note(absl::DataLossError("empty ToStore"));
      return;
  }
}

absl::Status StoreServer::Serve() {
  if (socket_ == nullptr) {
    return absl::FailedPreconditionError("store server: Serve() before Bind()");
  }
  absl::Status result = absl::OkStatus();
  while (!stop_.load()) {
    try {
      zmq::pollitem_t item{socket_->handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, streams_.empty() ? kPollInterval : kStreamPollInterval);
      if ((item.revents & ZMQ_POLLIN) == 0) {
        PumpStreams();
        continue;
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;  // context shut down: a normal end
      if (e.num() == EINTR) continue;
      result = absl::UnavailableError(absl::StrCat("store server: zmq poll: ", e.what()));
      break;
    }
    // Drain what is waiting, checking stop_ between messages.
    bool terminated = false;
    while (!stop_.load()) {
      bool waiting = false;
      try {
        waiting = (socket_->get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
      } catch (const zmq::error_t& e) {
        terminated = true;
        if (e.num() != ETERM) result = absl::UnavailableError(e.what());
        break;
      }
      if (!waiting) break;
      ToStore request;
      std::string identity;
      auto received = ReceiveFromDealer(*socket_, &request, &identity);
      if (!received.ok()) {
        if (!drops_.Note(received.status())) {
          terminated = true;
          if (!absl::StrContains(received.status().message(), "Context was terminated")) {
            result = received.status();
          }
          break;
        }
        continue;  // dropped: logged and counted
      }
      Handle(*received, request);
    }
    PumpStreams();
    if (terminated) break;
  }
  streams_.clear();
  try {
    socket_->close();
  } catch (const zmq::error_t&) {
    // closing never matters more than the result
  }
  socket_.reset();
  return result;
}

}  // namespace census
