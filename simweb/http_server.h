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
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace census::simweb {

struct HttpRequest {
  std::string method;  // GET, HEAD, ...
  // The request came through a TlsFront (https); set by the handler the fronts' backend
  // server wraps, not by HttpServer.
  bool tls = false;
  std::string target;                          // path + query as sent
  std::string host;                            // Host header without port, lower-case
  std::map<std::string, std::string> headers;  // lower-case names
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  absl::Duration delay = absl::ZeroDuration();  // wait before answering (slow/hanging pages)
  bool reset = false;                           // close the connection without any response
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// A listening TCP socket on `address` (an IPv4 literal, or IPv6 such as ::1, brackets
// allowed) and `port` (0 = a free port); *bound_port gets the port. The fd is the caller's.
absl::StatusOr<int> ListenTcp(const std::string& address, int port, int* bound_port);

// A server's listening socket and the pipe Stop() writes to wake its poll() calls
// (HttpServer, TlsFront); CloseListener closes both (-1 entries are skipped).
absl::Status OpenListener(const std::string& address, int port, int wake_pipe[2], int* listen_fd,
                          int* bound_port);
void CloseListener(int listen_fd, const int wake_pipe[2]);
// Stopping: wakes the poll() calls (a byte into the pipe) and shuts the live connections
// down so that their blocking reads return.
void WakeAndShutDown(const int wake_pipe[2], const std::set<int>& live_fds);

class HttpServer {
 public:
  // Listens on `address`:`port` (an IPv4 or IPv6 literal: 127.0.0.1 unless a test puts
  // the web in a network namespace of its own, ::1 for the IPv6 checks; port 0 = a free
  // port chosen by the kernel).
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      HttpHandler handler, int port = 0, int max_connections = 256,
      const std::string& address = "127.0.0.1");
  ~HttpServer();  // stops and joins every thread; hanging responses are cut short
  int port() const { return port_; }
  int64_t requests_served() const { return requests_.load(); }
  void Stop();

 private:
  HttpServer() = default;
  void AcceptLoop();
  void ServeConnection(int fd);
  void WorkerLoop();
  // Waits up to `d`; returns false when the server is stopping.
  bool SleepUnlessStopping(absl::Duration d);
  // Reads more bytes into *buf; false on EOF, error, idle timeout or stop. `between`:
  // the connection is between requests, so it is closed early when others wait.
  bool ReadMore(int fd, std::string* buf, bool between);

  HttpHandler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  int max_connections_ = 256;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_connections_{0};
  std::atomic<int64_t> requests_{0};
  std::thread accept_thread_;
  int wake_pipe_[2] = {-1, -1};  // written by Stop() to wake poll() calls

  std::mutex mu_;
  std::condition_variable cv_;       // work queue and stop
  std::condition_variable stop_cv_;  // delays
  std::deque<int> queue_;            // accepted fds waiting for a worker
  std::atomic<int> queued_{0};       // queue_.size(), readable without mu_
  std::set<int> live_fds_;           // fds being served (shut down on Stop)
  std::vector<std::thread> workers_;
  int idle_workers_ = 0;
  bool stopped_ = false;
};

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_HTTP_SERVER_H_
