#ifndef CENSUS_SIMWEB_TLS_FRONT_H_
#define CENSUS_SIMWEB_TLS_FRONT_H_

// A TLS front for loopback tests: accepts TLS connections with one certificate and
// relays the decrypted bytes to a plain HTTP server (HttpServer) on loopback. One
// certificate a front: a test that needs a valid, an expired, a wrong-host and a
// self-signed certificate starts four fronts and routes each host's port 443 to its
// own (--connect-to). Why a relay rather than TLS inside HttpServer: the server's
// fault behaviours (hang, reset, slow body) stay in one place, and the backend behind
// the fronts knows its requests came over TLS (HttpRequest::tls).
//
// Threading: one thread accepts; each connection is relayed on a thread of its own
// (tests open a handful). Stop() (and the destructor) closes the listener, shuts every
// live connection down and joins all threads.

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace census::simweb {

class TlsFront {
 public:
  // Listens on `address`:`port` (an IPv4 or IPv6 literal; port 0 = a free port) with the
  // PEM certificate chain `cert_file` and key `key_file`, relaying to 127.0.0.1:`backend_port`.
  static absl::StatusOr<std::unique_ptr<TlsFront>> Start(const std::string& cert_file,
                                                         const std::string& key_file,
                                                         const std::string& address, int port,
                                                         int backend_port);
  ~TlsFront();
  int port() const { return port_; }
  void Stop();

 private:
  TlsFront() = default;
  void AcceptLoop();
  void Relay(int fd);

  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  int backend_port_ = 0;
  int wake_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::set<int> live_fds_;
  std::vector<std::thread> relays_;
  bool stopped_ = false;
};

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_TLS_FRONT_H_
