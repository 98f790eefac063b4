#ifndef CENSUS_OPS_HTTP_SERVER_H_
#define CENSUS_OPS_HTTP_SERVER_H_

// The operational HTTP endpoints every Census role serves, on libmicrohttpd:
//   GET /metrics  200, Content-Type "text/plain; version=0.0.4; charset=utf-8",
//                 body registry->Render()
//   GET /healthz  200 "ok\n" while the process runs (liveness)
//   GET /readyz   200 "ready\n" when ready() returns true, else 503 "not ready\n"
//   any other path: 404 (whatever the method); a method other than GET or HEAD on
//   these paths: 405 with "Allow: GET, HEAD".
// HEAD gets the GET status and headers without the body. Query strings are ignored.
//
// A server started with an HttpHandler (OpsHttpServerOptions::handler) passes every other
// path to it instead of answering 404: `census serve` is such a server. The handler only
// sees GET and HEAD (any other method is 405 as above, so what it serves is read-only).
//
// One internal polling thread (epoll on Linux, so a process with many open files, as
// RocksDB stores have, is not limited by select()'s FD_SETSIZE) answers every request
// (OpsHttpServerOptions::threads: a pool of them); at most 16 connections
// (OpsHttpServerOptions::connection_limit) are held open and an idle one is closed after
// 10 s, so a stuck scraper cannot pin resources.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ops/metrics.h"

struct MHD_Daemon;

namespace census {

// A request as a handler sees it: the request line's target exactly as sent (still
// percent-encoded), split at its first '?'.
struct HttpRequest {
  std::string method;  // GET or HEAD
  std::string path;    // e.g. "/web/20261120093000/http://example.gov.cn/a.html"
  std::string query;   // after the first '?', "" when none
};

struct HttpResponse {
  unsigned int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // added as given
};

// Runs on the server's threads, concurrently when threads > 1: must be thread-safe.
using HttpHandler = std::function<HttpResponse(const HttpRequest& request)>;

struct OpsHttpServerOptions {
  HttpHandler handler;       // paths other than the ops ones; empty: 404
  unsigned int threads = 1;  // > 1: a pool of that many polling threads
  unsigned int connection_limit = 16;
};

class OpsHttpServer {
 public:
  // Listens on `listen`, "HOST:PORT": HOST an IPv4 literal ("127.0.0.1", "0.0.0.0" for
  // every interface) or "localhost" (127.0.0.1); PORT 0..65535, 0 for a port the
  // kernel picks (see port()). InvalidArgument for a malformed address or a null
  // registry; Unavailable, naming the address and the reason, when it cannot listen
  // (e.g. the address is already in use).
  //
  // `registry` and whatever `ready` captures must outlive the server. `ready` runs on
  // the server's thread, once per /readyz request, so it must be thread-safe and
  // quick; an empty `ready` means always ready.
  static absl::StatusOr<std::unique_ptr<OpsHttpServer>> Start(const std::string& listen,
                                                              const MetricsRegistry* registry,
                                                              std::function<bool()> ready,
                                                              OpsHttpServerOptions options = {});

  OpsHttpServer(const OpsHttpServer&) = delete;
  OpsHttpServer& operator=(const OpsHttpServer&) = delete;
  // Stops listening, closes every connection and joins the server's thread.
  ~OpsHttpServer();

  // The bound port (the kernel's choice when Start was given port 0).
  int port() const { return port_; }

 private:
  OpsHttpServer(const MetricsRegistry* registry, std::function<bool()> ready, HttpHandler handler)
      : registry_(registry), ready_(std::move(ready)), handler_(std::move(handler)) {}

  friend struct OpsHttpServerCallbacks;  // libmicrohttpd's C callbacks (http_server.cc)
  // Routes one request: the whole of the server's behaviour apart from the transport.
  // `raw_target` is the request line's target as sent (for the handler).
  HttpResponse Handle(absl::string_view method, absl::string_view url,
                      absl::string_view raw_target) const;

  const MetricsRegistry* const registry_;
  const std::function<bool()> ready_;
  const HttpHandler handler_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

}  // namespace census

#endif  // CENSUS_OPS_HTTP_SERVER_H_
