#include "simweb/tls_front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "simweb/http_server.h"

namespace census::simweb {
namespace {

std::string SslErrorText() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

bool SendAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsFront>> TlsFront::Start(const std::string& cert_file,
                                                          const std::string& key_file,
                                                          const std::string& address, int port,
                                                          int backend_port) {
  std::unique_ptr<TlsFront> f(new TlsFront());
  f->backend_port_ = backend_port;
  f->ctx_ = SSL_CTX_new(TLS_server_method());
  if (f->ctx_ == nullptr) return absl::InternalError("SSL_CTX_new: " + SslErrorText());
  if (SSL_CTX_use_certificate_chain_file(f->ctx_, cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS certificate ", cert_file, ": ", SslErrorText()));
  }
  if (SSL_CTX_use_PrivateKey_file(f->ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(f->ctx_) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("TLS key ", key_file, ": ", SslErrorText()));
  }
  absl::Status opened = OpenListener(address, port, f->wake_pipe_, &f->listen_fd_, &f->port_);
  if (!opened.ok()) return opened;
  f->accept_thread_ = std::thread([p = f.get()] { p->AcceptLoop(); });
  return f;
}

TlsFront::~TlsFront() {
  Stop();
  CloseListener(listen_fd_, wake_pipe_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

void TlsFront::Stop() {
  std::vector<std::thread> relays;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_.store(true);
    WakeAndShutDown(wake_pipe_, live_fds_);
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    relays.swap(relays_);
  }
  for (auto& t : relays) t.join();
}

void TlsFront::AcceptLoop() {
  while (!stopping_.load()) {
    struct pollfd pfds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (poll(pfds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (pfds[1].revents != 0 || stopping_.load()) return;
    if ((pfds[0].revents & POLLIN) == 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) {
      close(fd);
      return;
    }
    live_fds_.insert(fd);
    relays_.emplace_back([this, fd] { Relay(fd); });
  }
}

void TlsFront::Relay(int fd) {
  SSL* ssl = SSL_new(ctx_);
  int back = -1;
  if (ssl != nullptr && SSL_set_fd(ssl, fd) == 1 && SSL_accept(ssl) == 1) {
    // A failed handshake (the client refused our certificate) just ends here.
    back = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(backend_port_));
    if (back >= 0 && connect(back, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      int one = 1;
      setsockopt(back, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      char buf[16384];
      while (!stopping_.load()) {
        if (SSL_pending(ssl) == 0) {
          struct pollfd pfds[3] = {{fd, POLLIN, 0}, {back, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
          if (poll(pfds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            break;
          }
          if (pfds[2].revents != 0) break;
          if (pfds[1].revents != 0) {
            ssize_t n = recv(back, buf, sizeof(buf), 0);
            if (n <= 0 || SSL_write(ssl, buf, static_cast<int>(n)) <= 0) break;
            continue;
          }
          if (pfds[0].revents == 0) continue;
        }
        int n = SSL_read(ssl, buf, sizeof(buf));
        if (n <= 0 || !SendAll(back, buf, static_cast<size_t>(n))) break;
      }
      SSL_shutdown(ssl);
    }
  }
  if (back >= 0) close(back);
  if (ssl != nullptr) SSL_free(ssl);
  std::lock_guard<std::mutex> lock(mu_);
  live_fds_.erase(fd);
  close(fd);
}

}  // namespace census::simweb
