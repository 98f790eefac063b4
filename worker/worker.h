#ifndef CENSUS_WORKER_WORKER_H_
#define CENSUS_WORKER_WORKER_H_

// Worker: the stateless fetch-and-extract role.
//
// It asks the coordinator for leases (DEALER → coordinator ROUTER), fetches every task
// of a lease with one libcurl multi Fetcher, extracts each page, sends the lease's
// ResultBatch to the store (DEALER → store ROUTER) and, only once the store has acked
// it, reports LeaseDone to the coordinator. Killing a worker loses nothing: its
// leases expire and are handed out again, and store writes are idempotent.
//
// Threading: Run() owns both sockets and the Fetcher; call it on one thread. Stop()
// may be called from any thread.

#include <atomic>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "worker/fetcher.h"

namespace census {

struct WorkerOptions {
  std::string worker_id = "worker-0";
  std::string coordinator_endpoint;
  std::string store_endpoint;
  FetcherOptions fetcher;
  int max_leases = 32;  // leases worked on at once
  absl::Duration probe_timeout = absl::Seconds(15);
  absl::Duration page_timeout = absl::Seconds(30);
  Clock* clock = Clock::Real();
};

struct WorkerStats {
  int64_t fetches = 0;
  int64_t errors = 0;
  int64_t leases_done = 0;
  int64_t bytes = 0;
};

class Worker {
 public:
  Worker(zmq::context_t& context, WorkerOptions options);
  ~Worker();

  // Works until the coordinator answers Shutdown (and every lease is finished) or
  // Stop() is called.
  absl::Status Run();
  void Stop() { stop_.store(true); }
  WorkerStats stats() const;

 private:
  struct Impl;
  zmq::context_t& context_;
  WorkerOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> fetches_{0}, errors_{0}, leases_done_{0}, bytes_{0};
};

// True when a 200 page says that the page does not exist (a "soft 404"): its title
// or the start of its text carries a not-found phrase (页面不存在, 404, ...).
bool LooksLikeNotFoundPage(absl::string_view title, absl::string_view text);

}  // namespace census

#endif  // CENSUS_WORKER_WORKER_H_
