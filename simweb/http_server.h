#ifndef CENSUS_SIMWEB_HTTP_SERVER_H_
#define CENSUS_SIMWEB_HTTP_SERVER_H_

// A small HTTP/1.1 server for loopback tests and the simulated web: a listening
// thread plus a bounded pool of connection threads; keep-alive; HEAD and GET.
// Why hand-written: Debian 12 has no embeddable C++ HTTP server library with the
// fault behaviours the census needs to exercise (hang, reset, slow body); nginx is
// used for the throughput benchmark instead.
//
// Thread-safety: the handler is called concurrently from connection threads.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace census::simweb {

struct HttpRequest {
  std::string method;  // GET, HEAD, ...
  std::string target;  // path + query as sent
  std::string host;    // Host header without port, lower-case
  std::map<std::string, std::string> headers;  // lower-case names
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  absl::Duration delay = absl::ZeroDuration();  // wait before answering (slow/hanging pages)
  bool reset = false;  // close the connection without any response
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  // Listens on 127.0.0.1:`port` (0 = a free port chosen by the kernel).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpHandler handler, int port = 0,
                                                           int max_connections = 256);
  ~HttpServer();  // stops and joins every thread; hanging responses are cut short
  int port() const { return port_; }
  int64_t requests_served() const { return requests_.load(); }
  void Stop();

 private:
  HttpServer() = default;
  void AcceptLoop();
  void ServeConnection(int fd);

  HttpHandler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  int max_connections_ = 256;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_connections_{0};
  std::atomic<int64_t> requests_{0};
  std::thread accept_thread_;
};

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_HTTP_SERVER_H_
