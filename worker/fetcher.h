#ifndef CENSUS_WORKER_FETCHER_H_
#define CENSUS_WORKER_FETCHER_H_

// Fetcher: many HTTP transfers at once over one libcurl multi handle.
//
// Threading: a Fetcher belongs to the thread that created it; Submit and Poll must
// be called from that thread only (the curl multi handle is not thread-safe).
// Politeness: at most `max_host_connections` transfers per host at once and at least
// `per_host_delay` between the starts of two transfers to the same host; requests
// beyond that wait in a per-host queue inside the Fetcher.
// Errors never escape as exceptions: every submitted request yields exactly one
// FetchResult, with `error` classified (proto FetchError).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/fetch_error.h"
#include "proto/census.pb.h"

namespace census {

// One curl --connect-to rule: "HOST:PORT:CONNECT_HOST:CONNECT_PORT"; empty HOST or
// PORT match any.
struct ConnectTo {
  std::string host;
  std::string port;
  std::string connect_host;
  std::string connect_port;
  // Parses curl's syntax; InvalidArgument with the reason when malformed.
  static absl::StatusOr<ConnectTo> Parse(absl::string_view spec);
  std::string ToCurlString() const;
};

struct FetcherOptions {
  std::vector<ConnectTo> connect_to;
  int max_total_connections = 256;
  int max_host_connections = 4;
  absl::Duration per_host_delay = absl::Milliseconds(0);
  std::string user_agent =
      "CensusBot/0.1 (+government website census; https://example.invalid/census)";
  int64_t max_body_bytes = 8 << 20;  // bodies are truncated beyond this
  int max_redirects = 8;
  // When false, a request whose target (after --connect-to mapping) resolves to a
  // private, loopback or link-local address fails with BLOCKED_ADDRESS. Hosts routed
  // by a connect_to rule are always allowed.
  bool allow_private_addresses = false;
  Clock* clock = Clock::Real();
};

struct FetchRequest {
  uint64_t tag = 0;  // caller's id, echoed in the result
  std::string url;
  absl::Duration timeout = absl::Seconds(30);  // whole transfer
  bool head_only = false;  // HEAD (link checks); caller falls back to GET itself
  bool keep_body = true;
  // Reachability probe: sends "Cache-Control: no-cache" and "Pragma: no-cache" so a
  // cache or CDN in front of the site cannot answer for a server that is down.
  bool probe = false;
  std::string etag;  // conditional request validators, may be empty
  std::string last_modified;
};

struct FetchResult {
  uint64_t tag = 0;
  std::string url;
  std::string final_url;
  int status = 0;
  FetchError error = FETCH_OK;  // HTTP_404/HTTP_4XX/HTTP_5XX set from the status
  std::string error_detail;
  std::string body;        // raw bytes (decompressed transfer encoding)
  bool truncated = false;  // body hit max_body_bytes
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::vector<std::string> redirects;  // each Location followed, in order
  absl::Time started;
  absl::Duration elapsed;
  // Time to the first byte of the answer (libcurl's own timer: a measurement of the
  // network, not of the census's clock); InfiniteDuration when no byte came.
  absl::Duration time_to_first_byte = absl::InfiniteDuration();
  bool not_modified = false;  // 304
  int new_connections = 0;    // connections opened for it (0: a kept-alive one reused)
};

class Fetcher {
 public:
  static absl::StatusOr<std::unique_ptr<Fetcher>> Create(const FetcherOptions& options);
  virtual ~Fetcher() = default;

  virtual void Submit(FetchRequest request) = 0;
  // Drives transfers for up to `max_wait` (returns early when something completes)
  // and returns the results that completed, in completion order.
  virtual std::vector<FetchResult> Poll(absl::Duration max_wait) = 0;
  // Requests submitted and not yet returned by Poll (queued + in flight).
  virtual size_t pending() const = 0;
};

}  // namespace census

#endif  // CENSUS_WORKER_FETCHER_H_
