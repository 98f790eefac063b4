#include "simweb/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace census::simweb {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr int64_t kMaxRequestBody = 16 << 20;
constexpr int kIdleTimeoutMs = 30000;
constexpr int kIdleSliceMs = 50;

const char* Reason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

bool IsTokenChar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// Sends all iovecs; false when the peer went away.
bool SendAll(int fd, struct iovec* iov, int iovcnt) {
  while (iovcnt > 0) {
    struct msghdr msg;
    std::memset(&msg, 0, sizeof(msg));
    msg.msg_iov = iov;
    msg.msg_iovlen = iovcnt;
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    size_t left = static_cast<size_t>(n);
    while (iovcnt > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --iovcnt;
    }
    if (iovcnt > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return true;
}

bool SendResponse(int fd, const HttpResponse& r, bool head, bool keep_alive) {
  const bool no_body = r.status < 200 || r.status == 204 || r.status == 304;
  std::string hdr = absl::StrCat("HTTP/1.1 ", r.status, " ", Reason(r.status), "\r\n");
  if (!r.content_type.empty() && !no_body) {
    absl::StrAppend(&hdr, "Content-Type: ", r.content_type, "\r\n");
  }
  for (const auto& [name, value] : r.headers) {
    absl::StrAppend(&hdr, name, ": ", value, "\r\n");
  }
  if (!no_body) absl::StrAppend(&hdr, "Content-Length: ", r.body.size(), "\r\n");
  absl::StrAppend(&hdr, keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n",
                  "\r\n");
  struct iovec iov[2];
  iov[0].iov_base = hdr.data();
  iov[0].iov_len = hdr.size();
  int cnt = 1;
  if (!head && !no_body && !r.body.empty()) {
    iov[1].iov_base = const_cast<char*>(r.body.data());
    iov[1].iov_len = r.body.size();
    cnt = 2;
  }
  return SendAll(fd, iov, cnt);
}

void SendError(int fd, int status) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = absl::StrCat(status, " ", Reason(status), "\n");
  if (!SendResponse(fd, r, /*head=*/false, /*keep_alive=*/false)) return;
  // Lingering close: drain what the client still sends for a moment so that closing
  // with unread data does not turn into a reset that loses the response.
  shutdown(fd, SHUT_WR);
  char sink[4096];
  for (int i = 0; i < 16; ++i) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) break;
    if (recv(fd, sink, sizeof(sink), 0) <= 0) break;
  }
}

// Strips the port from a Host header value and lower-cases it.
std::string HostWithoutPort(absl::string_view v) {
  v = absl::StripAsciiWhitespace(v);
  if (!v.empty() && v.front() == '[') {
    size_t close = v.find(']');
    if (close != absl::string_view::npos) v = v.substr(0, close + 1);
  } else {
    size_t colon = v.rfind(':');
    if (colon != absl::string_view::npos) v = v.substr(0, colon);
  }
  return absl::AsciiStrToLower(v);
}

enum class ParseResult { kOk, kBad };

// Parses the head (request line + headers, without the final empty line).
ParseResult ParseHead(absl::string_view head, HttpRequest* req, int* minor_version) {
  size_t pos = 0;
  bool first = true;
  while (pos <= head.size()) {
    size_t eol = head.find('\n', pos);
    if (eol == absl::string_view::npos) eol = head.size();
    absl::string_view line = head.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      first = false;
      size_t sp1 = line.find(' ');
      if (sp1 == absl::string_view::npos) return ParseResult::kBad;
      size_t sp2 = line.find(' ', sp1 + 1);
      if (sp2 == absl::string_view::npos) return ParseResult::kBad;
      absl::string_view method = line.substr(0, sp1);
      absl::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      absl::string_view version = line.substr(sp2 + 1);
      if (!IsToken(method) || target.empty()) return ParseResult::kBad;
      for (char c : target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return ParseResult::kBad;
      }
      if (version == "HTTP/1.1") {
        *minor_version = 1;
      } else if (version == "HTTP/1.0") {
        *minor_version = 0;
      } else {
        return ParseResult::kBad;
      }
      req->method = std::string(method);
      req->target = std::string(target);
      continue;
    }
    if (line.empty()) {
      if (pos > head.size()) break;
      return ParseResult::kBad;  // stray empty line inside the head
    }
    if (line.front() == ' ' || line.front() == '\t') return ParseResult::kBad;  // folding
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) return ParseResult::kBad;
    absl::string_view name = line.substr(0, colon);
    if (!IsToken(name)) return ParseResult::kBad;
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    std::string key = absl::AsciiStrToLower(name);
    auto it = req->headers.find(key);
    if (it == req->headers.end()) {
      req->headers.emplace(std::move(key), std::string(value));
    } else {
      absl::StrAppend(&it->second, ", ", value);
    }
  }
  if (first) return ParseResult::kBad;
  auto host = req->headers.find("host");
  if (host != req->headers.end()) req->host = HostWithoutPort(host->second);
  return ParseResult::kOk;
}

}  // namespace

absl::StatusOr<int> ListenTcp(const std::string& address, int port, int* bound_port) {
  std::string literal = address;
  if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(literal.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("not an IP address: ", address));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> info(found, &freeaddrinfo);
  int fd = socket(info->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("socket: ", std::strerror(errno)));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (info->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  const char* failed = bind(fd, info->ai_addr, info->ai_addrlen) != 0 ? "bind"
                       : listen(fd, 1024) != 0                        ? "listen"
                       : getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0
                           ? "getsockname"
                           : nullptr;
  if (failed != nullptr) {
    const int e = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat(failed, " ", address, ":", port, ": ", std::strerror(e)));
  }
  *bound_port =
      ntohs(info->ai_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return fd;
}

absl::Status OpenListener(const std::string& address, int port, int wake_pipe[2], int* listen_fd,
                          int* bound_port) {
  if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
  }
  absl::StatusOr<int> fd = ListenTcp(address, port, bound_port);
  if (!fd.ok()) return fd.status();
  *listen_fd = *fd;
  return absl::OkStatus();
}

void WakeAndShutDown(const int wake_pipe[2], const std::set<int>& live_fds) {
  if (wake_pipe[1] >= 0) {
    char c = 1;
    ssize_t ignored = write(wake_pipe[1], &c, 1);
    (void)ignored;
  }
  for (int fd : live_fds) shutdown(fd, SHUT_RDWR);
}

void CloseListener(int listen_fd, const int wake_pipe[2]) {
  if (listen_fd >= 0) close(listen_fd);
  for (int i = 0; i < 2; ++i) {
    if (wake_pipe[i] >= 0) close(wake_pipe[i]);
  }
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpHandler handler, int port,
                                                              int max_connections,
                                                              const std::string& address) {
  if (!handler) return absl::InvalidArgumentError("HttpServer: null handler");
  if (port < 0 || port > 65535) return absl::InvalidArgumentError("HttpServer: bad port");
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->handler_ = std::move(handler);
  s->max_connections_ = max_connections > 0 ? max_connections : 1;
  absl::Status opened = OpenListener(address, port, s->wake_pipe_, &s->listen_fd_, &s->port_);
  if (!opened.ok()) return opened;
  s->accept_thread_ = std::thread([p = s.get()] { p->AcceptLoop(); });
  return s;
}

HttpServer::~HttpServer() {
  Stop();
  CloseListener(listen_fd_, wake_pipe_);
}

void HttpServer::Stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_.store(true);
    WakeAndShutDown(wake_pipe_, live_fds_);
  }
  cv_.notify_all();
  stop_cv_.notify_all();
  if (accept_thread_.joinable()) accept_thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (int fd : queue_) close(fd);
  queue_.clear();
}

void HttpServer::AcceptLoop() {
  while (!stopping_.load()) {
    struct pollfd pfds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int rc = poll(pfds, 2, -1);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (pfds[1].revents != 0 || stopping_.load()) return;
    if ((pfds[0].revents & POLLIN) == 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        SleepUnlessStopping(absl::Milliseconds(10));
      }
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) {
      close(fd);
      return;
    }
    queue_.push_back(fd);
    queued_.store(static_cast<int>(queue_.size()));
    if (static_cast<int>(queue_.size()) > idle_workers_ &&
        static_cast<int>(workers_.size()) < max_connections_) {
      workers_.emplace_back([this] { WorkerLoop(); });
    }
    cv_.notify_one();
  }
}

void HttpServer::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ++idle_workers_;
    cv_.wait(lock, [this] { return stopped_ || !queue_.empty(); });
    --idle_workers_;
    if (stopped_) return;
    int fd = queue_.front();
    queue_.pop_front();
    queued_.store(static_cast<int>(queue_.size()));
    live_fds_.insert(fd);
    lock.unlock();
    open_connections_.fetch_add(1);
    ServeConnection(fd);
    open_connections_.fetch_sub(1);
    lock.lock();
    live_fds_.erase(fd);
    close(fd);
  }
}

bool HttpServer::SleepUnlessStopping(absl::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  auto until = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(d);
  return !stop_cv_.wait_until(lock, until, [this] { return stopped_; });
}

bool HttpServer::ReadMore(int fd, std::string* buf, bool between) {
  int waited_ms = 0;
  while (true) {
    if (stopping_.load()) return false;
    // Between requests, an idle keep-alive connection yields its thread to waiting
    // clients after a short while; clients reconnect transparently.
    const int slice = between ? kIdleSliceMs : kIdleTimeoutMs;
    struct pollfd pfds[2] = {{fd, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int rc = poll(pfds, 2, slice);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (rc == 0) {
      waited_ms += slice;
      if (waited_ms >= kIdleTimeoutMs) return false;  // idle keep-alive connection
      if (between && queued_.load() > 0) return false;
      continue;
    }
    if (pfds[1].revents != 0) return false;
    char chunk[16384];
    ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    if (n == 0) return false;
    buf->append(chunk, static_cast<size_t>(n));
    return true;
  }
}

void HttpServer::ServeConnection(int fd) {
  std::string buf;
  // Only a connection that has been answered is idle between requests and may be closed to
  // free its thread. A fresh one waits for its first request: closing it unread is a
  // server dropping a request it accepted (curl says "Empty reply from server" and does not
  // retry a new connection), which a loaded machine turned into false census findings.
  bool answered = false;
  while (!stopping_.load()) {
    // Read until the end of the head.
    size_t head_end = std::string::npos;
    size_t sep_len = 0;
    size_t scan_from = 0;
    while (true) {
      // Skip empty lines before a request line (RFC 9112 section 2.2).
      size_t lead = 0;
      while (lead < buf.size() && (buf[lead] == '\r' || buf[lead] == '\n')) ++lead;
      if (lead > 0) {
        buf.erase(0, lead);
        scan_from = 0;
      }
      size_t from = scan_from > 3 ? scan_from - 3 : 0;
      size_t crlf = buf.find("\r\n\r\n", from);
      size_t lf = buf.find("\n\n", from);
      if (crlf != std::string::npos && (lf == std::string::npos || crlf < lf)) {
        head_end = crlf;
        sep_len = 4;
      } else if (lf != std::string::npos) {
        head_end = lf;
        sep_len = 2;
      }
      if (head_end != std::string::npos) break;
      if (buf.size() > kMaxHeaderBytes) {
        SendError(fd, 431);
        return;
      }
      scan_from = buf.size();
      if (!ReadMore(fd, &buf, /*between=*/answered && buf.empty())) return;
    }
    if (head_end > kMaxHeaderBytes) {
      SendError(fd, 431);
      return;
    }
    HttpRequest req;
    int minor = 1;
    if (ParseHead(absl::string_view(buf).substr(0, head_end), &req, &minor) != ParseResult::kOk) {
      SendError(fd, 400);
      return;
    }
    buf.erase(0, head_end + sep_len);
    if (req.headers.count("transfer-encoding") != 0) {
      SendError(fd, 501);  // chunked request bodies are not needed by the census
      return;
    }
    if (minor == 1 && req.headers.count("host") == 0) {
      SendError(fd, 400);
      return;
    }
    int64_t body_len = 0;
    if (auto cl = req.headers.find("content-length"); cl != req.headers.end()) {
      if (cl->second.empty() || cl->second.find_first_not_of("0123456789") != std::string::npos ||
          !absl::SimpleAtoi(cl->second, &body_len)) {
        SendError(fd, 400);
        return;
      }
      if (body_len > kMaxRequestBody) {
        SendError(fd, 413);
        return;
      }
    }
    while (static_cast<int64_t>(buf.size()) < body_len) {
      if (!ReadMore(fd, &buf, /*between=*/false)) return;
    }
    buf.erase(0, static_cast<size_t>(body_len));  // request bodies are discarded

    bool keep_alive = minor == 1;
    if (auto c = req.headers.find("connection"); c != req.headers.end()) {
      std::string v = absl::AsciiStrToLower(c->second);
      if (v.find("close") != std::string::npos) keep_alive = false;
      if (v.find("keep-alive") != std::string::npos && minor == 0) keep_alive = true;
    }

    HttpResponse resp;
    try {
      resp = handler_(req);
    } catch (...) {
      resp = HttpResponse();
      resp.status = 500;
      resp.content_type = "text/plain; charset=utf-8";
      resp.body = "handler failed\n";
    }
    requests_.fetch_add(1);
    if (resp.delay > absl::ZeroDuration() && !SleepUnlessStopping(resp.delay)) return;
    if (resp.reset) {
      struct linger lg = {1, 0};  // RST instead of FIN
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
      return;
    }
    if (stopping_.load()) keep_alive = false;
    if (!SendResponse(fd, resp, req.method == "HEAD", keep_alive)) return;
    answered = true;
    if (!keep_alive) {
      shutdown(fd, SHUT_WR);
      return;
    }
  }
}

}  // namespace census::simweb
