#include "worker/fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "worker/internal/net_policy.h"

namespace census {
namespace {

using internal::IsInvalidTld;
using internal::IsPrivateLiteral;
using internal::IsPrivateSockaddr;
using internal::ParseUrl;
using internal::UrlParts;

bool IsValidPort(absl::string_view p) {
  int v = 0;
  return !p.empty() && p.find_first_not_of("0123456789") == absl::string_view::npos &&
         absl::SimpleAtoi(p, &v) && v >= 1 && v <= 65535;
}

// ---------------------------------------------------------------------------
// URL helpers over curl's URL API.

// Resolves `location` against `base` the way curl follows it; "" when it cannot.
std::string ResolveUrl(const char* base, absl::string_view location) {
  CURLU* u = curl_url();
  if (u == nullptr) return "";
  std::string out;
  std::string loc(location);
  if (base != nullptr && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
      curl_url_set(u, CURLUPART_URL, loc.c_str(), CURLU_URLENCODE | CURLU_ALLOW_SPACE) ==
          CURLUE_OK) {
    char* v = nullptr;
    if (curl_url_get(u, CURLUPART_URL, &v, 0) == CURLUE_OK && v != nullptr) {
      out = v;
      curl_free(v);
    }
  }
  curl_url_cleanup(u);
  return out;
}

// ---------------------------------------------------------------------------

FetchError ClassifyStatus(int status) {
  if (status == 404 || status == 410) return HTTP_404;
  if (status >= 400 && status < 500) return HTTP_4XX;
  if (status >= 500 && status < 600) return HTTP_5XX;
  return FETCH_OK;
}

bool IsTlsError(CURLcode c) {
  switch (c) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return true;
    default:
      return false;
  }
}

class CurlFetcher;
int SocketTrampoline(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
int TimerTrampoline(CURLM* multi, long timeout_ms, void* userp);

struct HostState {
  std::deque<FetchRequest> queue;
  int active = 0;
  absl::Time last_start = absl::InfinitePast();
  bool waiting = false;  // in CurlFetcher::waiting_
};

struct Transfer {
  CurlFetcher* fetcher = nullptr;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string host_key;
  FetchRequest request;
  FetchResult result;
  char errbuf[CURL_ERROR_SIZE] = {};
  int64_t received = 0;
  // State of the header block being read (one per response, redirects included).
  int block_status = 0;
  std::string block_location;
  std::string block_etag;
  std::string block_last_modified;
  // Why we aborted a transfer ourselves.
  bool redirect_loop = false;
  bool redirect_invalid_host = false;
  bool blocked = false;
};

class CurlFetcher : public Fetcher {
 public:
  explicit CurlFetcher(const FetcherOptions& options) : options_(options) {}

  ~CurlFetcher() override {
    for (auto& [easy, t] : transfers_) {
      curl_multi_remove_handle(multi_, easy);
      Release(t);
    }
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    if (connect_to_ != nullptr) curl_slist_free_all(connect_to_);
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }

  absl::Status Init() {
    if (options_.clock == nullptr) return absl::InvalidArgumentError("fetcher: null clock");
    if (options_.max_total_connections < 1 || options_.max_host_connections < 1) {
      return absl::InvalidArgumentError("fetcher: connection limits must be >= 1");
    }
    if (options_.max_redirects < 0) {
      return absl::InvalidArgumentError("fetcher: max_redirects must be >= 0");
    }
    internal::CurlGlobalInit();
    for (const ConnectTo& c : options_.connect_to) {
      curl_slist* next = curl_slist_append(connect_to_, c.ToCurlString().c_str());
      if (next == nullptr) return absl::ResourceExhaustedError("fetcher: curl_slist_append");
      connect_to_ = next;
    }
    multi_ = curl_multi_init();
    if (multi_ == nullptr) return absl::InternalError("fetcher: curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(options_.max_total_connections));
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                      static_cast<long>(options_.max_total_connections));
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    // Event-driven: libcurl tells us which sockets to watch (epoll) and when its next
    // timeout is, and we hand it only the sockets that are ready. curl_multi_perform
    // instead walks every transfer and polls every socket on each call, which with
    // hundreds of transfers in flight cost a third of the crawler's CPU.
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) {
      return absl::InternalError(absl::StrCat("fetcher: epoll_create1: ", std::strerror(errno)));
    }
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, SocketTrampoline);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, TimerTrampoline);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    return absl::OkStatus();
  }

  // CURLMOPT_SOCKETFUNCTION: watch `s` for what libcurl wants, or stop watching it.
  int OnSocket(curl_socket_t s, int what) {
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s, nullptr);  // may already be closed: fine
      return 0;
    }
    epoll_event ev{};
    ev.data.fd = s;
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s, &ev);
    }
    return 0;
  }

  // CURLMOPT_TIMERFUNCTION: libcurl's next timeout (-1: none).
  int OnTimer(long timeout_ms) {
    timer_due_ = timeout_ms < 0
                     ? std::chrono::steady_clock::time_point::max()
                     : std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    return 0;
  }

  void Submit(FetchRequest request) override {
    ++pending_;
    UrlParts parts;
    std::string error;
    if (!ParseUrl(request.url, &parts, &error)) {
      FailNow(std::move(request), OTHER_ERROR, error);
      return;
    }
    const bool routed = Routed(parts.host, parts.port);
    if (!routed && IsInvalidTld(parts.host)) {
      FailNow(
          std::move(request), DNS,
          absl::StrCat("Could not resolve host: ", parts.host, " (.invalid is never resolved)"));
      return;
    }
    if (!routed && !options_.allow_private_addresses && IsPrivateLiteral(parts.host)) {
      FailNow(std::move(request), BLOCKED_ADDRESS,
              absl::StrCat("private address refused: ", parts.host));
      return;
    }
    if (request.ip_family == IpFamily::kV6) {
      // A --connect-to mapping stands in for the host's DNS: to an IPv4 literal it is an
      // answer without AAAA (curl itself would only say it could not connect).
      const ConnectTo* rule = internal::MatchConnectTo(options_.connect_to, parts.host, parts.port);
      in_addr v4;
      if (rule != nullptr && inet_pton(AF_INET, rule->connect_host.c_str(), &v4) == 1) {
        FailNow(std::move(request), DNS,
                absl::StrCat("Could not resolve host: ", parts.host, " has no IPv6 address (",
                             "--connect-to maps it to ", rule->connect_host, ")"));
        return;
      }
    }
    auto& slot = hosts_[parts.host];
    if (slot == nullptr) slot = std::make_unique<HostState>();
    HostState* h = slot.get();
    h->queue.push_back(std::move(request));
    if (!h->waiting) {
      h->waiting = true;
      waiting_.emplace_back(parts.host, h);
    }
    ++queued_;
  }

  std::vector<FetchResult> Poll(absl::Duration max_wait) override {
    const auto real_deadline = std::chrono::steady_clock::now() +
                               absl::ToChronoNanoseconds(std::max(max_wait, absl::ZeroDuration()));
    while (true) {
      StartReady();
      RunTimerIfDue();
      Harvest();
      if (!completed_.empty()) break;
      StartReady();  // slots freed by Harvest
      RunTimerIfDue();
      Harvest();
      if (!completed_.empty()) break;
      const auto now = std::chrono::steady_clock::now();
      auto remaining = real_deadline - now;
      if (remaining <= std::chrono::nanoseconds(0)) break;
      absl::Duration wait = absl::FromChrono(remaining);
      absl::Time next = NextStartTime();
      if (next != absl::InfiniteFuture()) {
        wait = std::min(wait, std::max(absl::ZeroDuration(), next - options_.clock->Now()));
      }
      if (transfers_.empty() && queued_ > 0) {
        // Only politeness delays keep us waiting: let the clock pass that time.
        options_.clock->SleepUntil(options_.clock->Now() + wait);
        continue;
      }
      if (timer_due_ != std::chrono::steady_clock::time_point::max()) {
        wait = std::min(wait, absl::FromChrono(std::max(
                                  timer_due_ - now, std::chrono::steady_clock::duration::zero())));
      }
      int ms = static_cast<int>(absl::ToInt64Milliseconds(wait + absl::Microseconds(999)));
      epoll_event events[64];
      int n = epoll_wait(epoll_fd_, events, 64, ms);
      for (int i = 0; i < n; ++i) {
        int mask = 0;
        if (events[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
        if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
        int running = 0;
        curl_multi_socket_action(multi_, events[i].data.fd, mask, &running);
      }
    }
    std::vector<FetchResult> out;
    out.swap(completed_);
    pending_ -= out.size();
    return out;
  }

  size_t pending() const override { return pending_; }

  // curl callbacks (static trampolines below).
  size_t OnBody(Transfer* t, const char* data, size_t len);
  size_t OnHeader(Transfer* t, const char* data, size_t len);
  curl_socket_t OnOpenSocket(Transfer* t, curlsocktype purpose, struct curl_sockaddr* addr);

 private:
  bool Routed(absl::string_view host, absl::string_view port) const {
    return internal::RoutedByConnectTo(options_.connect_to, host, port);
  }

  void FailNow(FetchRequest request, FetchError error, std::string detail) {
    FetchResult r;
    r.tag = request.tag;
    r.url = request.url;
    r.final_url = request.url;
    r.error = error;
    r.error_detail = std::move(detail);
    r.started = options_.clock->Now();
    r.elapsed = absl::ZeroDuration();
    completed_.push_back(std::move(r));
  }

  bool CanStart(const HostState& h, absl::Time now) const {
    return !h.queue.empty() && h.active < options_.max_host_connections &&
           (h.last_start == absl::InfinitePast() || now - h.last_start >= options_.per_host_delay);
  }

  // Starts queued requests, hosts in round-robin order, within the limits.
  void StartReady() {
    if (waiting_.empty()) return;
    const absl::Time now = options_.clock->Now();
    size_t n = waiting_.size();
    for (size_t i = 0; i < n; ++i) {
      if (static_cast<int>(transfers_.size()) >= options_.max_total_connections) return;
      auto [key, h] = waiting_.front();
      waiting_.pop_front();
      while (CanStart(*h, now) &&
             static_cast<int>(transfers_.size()) < options_.max_total_connections) {
        FetchRequest req = std::move(h->queue.front());
        h->queue.pop_front();
        --queued_;
        h->active++;
        h->last_start = now;
        Start(key, std::move(req));
      }
      if (h->queue.empty()) {
        h->waiting = false;
        MaybeForget(key);
      } else {
        waiting_.emplace_back(std::move(key), h);
      }
    }
  }

  // When the next queued request may start because of a politeness delay.
  absl::Time NextStartTime() const {
    absl::Time next = absl::InfiniteFuture();
    if (static_cast<int>(transfers_.size()) >= options_.max_total_connections) return next;
    for (const auto& [key, h] : waiting_) {
      if (h->queue.empty() || h->active >= options_.max_host_connections) continue;
      next = std::min(next, h->last_start + options_.per_host_delay);
    }
    return next;
  }

  void MaybeForget(const std::string& key) {
    auto it = hosts_.find(key);
    if (it == hosts_.end()) return;
    HostState& h = *it->second;
    if (h.active == 0 && h.queue.empty() && !h.waiting &&
        (options_.per_host_delay <= absl::ZeroDuration() ||
         options_.clock->Now() - h.last_start >= options_.per_host_delay)) {
      hosts_.erase(it);
    }
  }

  // Lets libcurl handle its timeouts (and newly added transfers) once they are due.
  void RunTimerIfDue() {
    if (std::chrono::steady_clock::now() < timer_due_) return;
    timer_due_ = std::chrono::steady_clock::time_point::max();
    int running = 0;
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
  }

  void Start(const std::string& host_key, FetchRequest req);
  void Harvest();
  void Finish(Transfer* t, CURLcode code);
  void Release(Transfer* t) {
    if (t->easy != nullptr) curl_easy_cleanup(t->easy);
    if (t->headers != nullptr) curl_slist_free_all(t->headers);
    delete t;
  }

  FetcherOptions options_;
  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;
  // When libcurl wants CURL_SOCKET_TIMEOUT (max: never).
  std::chrono::steady_clock::time_point timer_due_ = std::chrono::steady_clock::time_point::max();
  curl_slist* connect_to_ = nullptr;
  absl::flat_hash_map<std::string, std::unique_ptr<HostState>> hosts_;
  std::deque<std::pair<std::string, HostState*>> waiting_;  // hosts with queued requests
  absl::flat_hash_map<CURL*, Transfer*> transfers_;         // in flight
  std::vector<FetchResult> completed_;
  size_t pending_ = 0;
  size_t queued_ = 0;
  int64_t finished_since_sweep_ = 0;
};

int SocketTrampoline(CURL* /*easy*/, curl_socket_t s, int what, void* userp, void* /*socketp*/) {
  return static_cast<CurlFetcher*>(userp)->OnSocket(s, what);
}

int TimerTrampoline(CURLM* /*multi*/, long timeout_ms, void* userp) {
  return static_cast<CurlFetcher*>(userp)->OnTimer(timeout_ms);
}

size_t BodyTrampoline(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  return t->fetcher->OnBody(t, data, size * nmemb);
}

size_t HeaderTrampoline(char* data, size_t size, size_t nitems, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  return t->fetcher->OnHeader(t, data, size * nitems);
}

curl_socket_t OpenSocketTrampoline(void* clientp, curlsocktype purpose,
                                   struct curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(clientp);
  return t->fetcher->OnOpenSocket(t, purpose, address);
}

size_t CurlFetcher::OnBody(Transfer* t, const char* data, size_t len) {
  try {
    const int64_t room = std::max<int64_t>(0, options_.max_body_bytes - t->received);
    if (static_cast<int64_t>(len) > room) {
      if (t->request.keep_body) t->result.body.append(data, static_cast<size_t>(room));
      t->received += room;
      t->result.truncated = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR; Finish() knows why
    }
    if (t->request.keep_body) t->result.body.append(data, len);
    t->received += static_cast<int64_t>(len);
    return len;
  } catch (...) {
    return 0;
  }
}

size_t CurlFetcher::OnHeader(Transfer* t, const char* data, size_t len) {
  try {
    if (t->request.tls_details && t->result.tls.version.empty()) {
      // The SSL handle is only valid while the transfer uses its connection: read the
      // negotiated protocol now, on the first header line.
      const curl_tlssessioninfo* info = nullptr;
      if (curl_easy_getinfo(t->easy, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info != nullptr &&
          info->backend == CURLSSLBACKEND_OPENSSL && info->internals != nullptr) {
        t->result.tls.version = SSL_get_version(static_cast<SSL*>(info->internals));
      }
    }
    absl::string_view line(data, len);
    absl::string_view trimmed = absl::StripTrailingAsciiWhitespace(line);
    if (absl::StartsWith(line, "HTTP/")) {
      // A new response (after a redirect or 1xx): forget the previous block.
      t->block_status = 0;
      t->block_location.clear();
      t->block_etag.clear();
      t->block_last_modified.clear();
      size_t sp = trimmed.find(' ');
      if (sp != absl::string_view::npos) {
        (void)absl::SimpleAtoi(trimmed.substr(sp + 1, 3), &t->block_status);
      }
      return len;
    }
    if (trimmed.empty()) {  // end of a header block
      const int s = t->block_status;
      if (s >= 300 && s < 400 && s != 304 && !t->block_location.empty() &&
          options_.max_redirects > 0 &&
          static_cast<int>(t->result.redirects.size()) < options_.max_redirects) {
        char* current = nullptr;
        curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &current);
        std::string next = ResolveUrl(current, t->block_location);
        if (next.empty()) return len;  // curl will report the bad Location itself
        int seen = next == t->request.url ? 1 : 0;
        for (const std::string& r : t->result.redirects) seen += r == next ? 1 : 0;
        t->result.redirects.push_back(next);
        if (seen >= 2) {  // third visit of the same URL: a loop, stop early
          t->redirect_loop = true;
          return 0;
        }
        UrlParts parts;
        std::string error;
        if (ParseUrl(next, &parts, &error) && !Routed(parts.host, parts.port)) {
          if (IsInvalidTld(parts.host)) {
            t->redirect_invalid_host = true;
            return 0;
          }
          if (!options_.allow_private_addresses && IsPrivateLiteral(parts.host)) {
            t->blocked = true;
            return 0;
          }
        }
      }
      return len;
    }
    size_t colon = trimmed.find(':');
    if (colon == absl::string_view::npos) return len;
    absl::string_view name = trimmed.substr(0, colon);
    absl::string_view value = absl::StripAsciiWhitespace(trimmed.substr(colon + 1));
    if (absl::EqualsIgnoreCase(name, "location")) {
      t->block_location = std::string(value);
    } else if (absl::EqualsIgnoreCase(name, "etag")) {
      t->block_etag = std::string(value);
    } else if (absl::EqualsIgnoreCase(name, "last-modified")) {
      t->block_last_modified = std::string(value);
    }
    return len;
  } catch (...) {
    return 0;
  }
}

curl_socket_t CurlFetcher::OnOpenSocket(Transfer* t, curlsocktype purpose,
                                        struct curl_sockaddr* addr) {
  if (!options_.allow_private_addresses && IsPrivateSockaddr(&addr->addr)) {
    // Allowed only when the host being connected for is routed by a connect_to rule.
    bool routed = false;
    char* current = nullptr;
    curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &current);
    UrlParts parts;
    std::string error;
    if (current != nullptr && ParseUrl(current, &parts, &error)) {
      routed = Routed(parts.host, parts.port);
    }
    if (!routed) {
      t->blocked = true;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

void CurlFetcher::Start(const std::string& host_key, FetchRequest req) {
  auto* t = new Transfer();
  t->fetcher = this;
  t->host_key = host_key;
  t->result.tag = req.tag;
  t->result.url = req.url;
  t->result.started = options_.clock->Now();
  t->request = std::move(req);
  CURL* e = curl_easy_init();
  if (e == nullptr) {
    t->result.error = OTHER_ERROR;
    t->result.error_detail = "curl_easy_init failed";
    t->result.final_url = t->request.url;
    completed_.push_back(std::move(t->result));
    hosts_[host_key]->active--;
    delete t;
    return;
  }
  t->easy = e;
  const FetchRequest& r = t->request;
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");  // in-memory cookies across redirects
  if (options_.max_redirects > 0) {
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
    curl_easy_setopt(e, CURLOPT_AUTOREFERER, 1L);
  }
  const int64_t timeout_ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(r.timeout));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  if (r.head_only) curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (r.ip_family != IpFamily::kAny) {
    curl_easy_setopt(e, CURLOPT_IPRESOLVE,
                     r.ip_family == IpFamily::kV6 ? CURL_IPRESOLVE_V6 : CURL_IPRESOLVE_V4);
  }
  if (r.fresh_connection || r.tls_details) {
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
  }
  if (r.tls_details) curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
  if (!r.verify_tls) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (connect_to_ != nullptr) curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &BodyTrampoline);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &HeaderTrampoline);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  if (!options_.allow_private_addresses) {
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &OpenSocketTrampoline);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
  }
  if (!r.etag.empty()) {
    t->headers = curl_slist_append(t->headers, absl::StrCat("If-None-Match: ", r.etag).c_str());
  }
  if (!r.last_modified.empty()) {
    t->headers =
        curl_slist_append(t->headers, absl::StrCat("If-Modified-Since: ", r.last_modified).c_str());
  }
  if (r.probe) {
    t->headers = curl_slist_append(t->headers, "Cache-Control: no-cache");
    t->headers = curl_slist_append(t->headers, "Pragma: no-cache");
  }
  if (t->headers != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  transfers_[e] = t;
  CURLMcode mc = curl_multi_add_handle(multi_, e);
  if (mc != CURLM_OK) {
    transfers_.erase(e);
    std::snprintf(t->errbuf, sizeof(t->errbuf), "curl_multi_add_handle: %s",
                  curl_multi_strerror(mc));
    Finish(t, CURLE_FAILED_INIT);
  }
}

void CurlFetcher::Harvest() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    CURLcode code = msg->data.result;
    auto it = transfers_.find(e);
    if (it == transfers_.end()) continue;
    Transfer* t = it->second;
    transfers_.erase(it);
    curl_multi_remove_handle(multi_, e);
    Finish(t, code);
  }
}

void CurlFetcher::Finish(Transfer* t, CURLcode code) {
  FetchResult& res = t->result;
  if (t->easy != nullptr) {
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    res.status = static_cast<int>(status);
    char* final_url = nullptr;
    if (curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &final_url) == CURLE_OK &&
        final_url != nullptr) {
      res.final_url = final_url;
    }
    char* ct = nullptr;
    if (curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != nullptr) {
      res.content_type = ct;
    }
    long connects = 0;
    if (curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK) {
      res.new_connections = static_cast<int>(connects);
    }
    curl_off_t first_byte_us = 0;
    if (curl_easy_getinfo(t->easy, CURLINFO_STARTTRANSFER_TIME_T, &first_byte_us) == CURLE_OK &&
        first_byte_us > 0) {
      res.time_to_first_byte = absl::Microseconds(first_byte_us);
    }
    char* ip = nullptr;
    if (curl_easy_getinfo(t->easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) {
      res.remote_ip = ip;
    }
    long os_errno = 0;
    if (curl_easy_getinfo(t->easy, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK) {
      res.os_errno = static_cast<int>(os_errno);
    }
    if (t->request.tls_details) {
      long verify = 0;
      if (curl_easy_getinfo(t->easy, CURLINFO_SSL_VERIFYRESULT, &verify) == CURLE_OK) {
        res.tls.verify_result = verify;
      }
      curl_certinfo* certs = nullptr;
      if (curl_easy_getinfo(t->easy, CURLINFO_CERTINFO, &certs) == CURLE_OK && certs != nullptr &&
          certs->num_of_certs > 0) {
        for (curl_slist* f = certs->certinfo[0]; f != nullptr; f = f->next) {
          if (absl::StartsWith(f->data, "Cert:")) ReadCertInfoPem(f->data + 5, &res.tls);
        }
      }
    }
  }
  if (res.final_url.empty()) res.final_url = t->request.url;
  res.etag = t->block_etag;
  res.last_modified = t->block_last_modified;
  const bool capped = code == CURLE_WRITE_ERROR && res.truncated;
  if (code == CURLE_OK || capped) {
    res.error = ClassifyStatus(res.status);
    if (res.error != FETCH_OK) {
      res.error_detail = absl::StrCat("HTTP ", res.status);
    } else if (res.status == 304) {
      res.not_modified = true;
    } else if (capped) {
      res.error = TOO_LARGE;
      res.error_detail = absl::StrCat("body truncated at ", options_.max_body_bytes, " bytes");
    }
  } else {
    res.error_detail = t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(code);
    if (t->redirect_loop || code == CURLE_TOO_MANY_REDIRECTS) {
      res.error = REDIRECT_LOOP;
      if (t->redirect_loop) {
        res.error_detail = absl::StrCat("redirect loop back to ", res.redirects.back());
      }
    } else if (t->blocked) {
      res.error = BLOCKED_ADDRESS;
      res.error_detail = absl::StrCat("private address refused (", res.error_detail, ")");
    } else if (t->redirect_invalid_host) {
      res.error = DNS;
      res.error_detail = absl::StrCat("Could not resolve host of redirect ", res.redirects.back(),
                                      " (.invalid is never resolved)");
    } else if (code == CURLE_OPERATION_TIMEDOUT) {
      res.error = TIMEOUT;
    } else if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY) {
      res.error = DNS;
    } else if (code == CURLE_COULDNT_CONNECT) {
      res.error = CONNECT;
    } else if (IsTlsError(code)) {
      res.error = TLS;
      res.tls.certificate_refused = code == CURLE_PEER_FAILED_VERIFICATION;
      res.tls.ca_file_unusable = code == CURLE_SSL_CACERT_BADFILE;
    } else {
      res.error = OTHER_ERROR;
    }
    // A redirect curl refused to follow was not followed: keep `redirects` truthful.
    if (code == CURLE_TOO_MANY_REDIRECTS && !res.redirects.empty() &&
        static_cast<int>(res.redirects.size()) > options_.max_redirects) {
      res.redirects.resize(options_.max_redirects);
    }
  }
  if (!t->request.keep_body) res.body.clear();
  res.elapsed = options_.clock->Now() - res.started;
  completed_.push_back(std::move(res));

  auto hit = hosts_.find(t->host_key);
  if (hit != hosts_.end()) {
    hit->second->active--;
    MaybeForget(t->host_key);
  }
  if (++finished_since_sweep_ >= 1024) {
    finished_since_sweep_ = 0;
    std::vector<std::string> idle;
    for (const auto& [key, h] : hosts_) {
      if (h->active == 0 && h->queue.empty() && !h->waiting) idle.push_back(key);
    }
    for (const std::string& key : idle) MaybeForget(key);
  }
  Release(t);
}

// An ASN1_TIME as an absl::Time (InfinitePast when it does not convert).
absl::Time Asn1Time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return absl::InfinitePast();
  return absl::FromTimeT(timegm(&tm));
}

std::string NameText(const X509_NAME* name) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return "";
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data != nullptr && n > 0 ? std::string(data, static_cast<size_t>(n)) : "");
  BIO_free(bio);
  return out;
}

}  // namespace

std::string CertificateProblem(long verify_result, absl::string_view curl_detail) {
  switch (verify_result) {
    case X509_V_OK:
    case X509_V_ERR_UNSPECIFIED:
      return absl::StrContains(curl_detail, "target host name") ? "wrong_host" : "other";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "wrong_host";
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "expired";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "not_yet_valid";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "self_signed";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_INVALID_CA:
      return "untrusted";
    case X509_V_ERR_CERT_REVOKED:
      return "revoked";
    default:
      return "other";
  }
}

bool ReadCertInfoPem(const std::string& pem, TlsDetails* tls) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return false;
  tls->subject = NameText(X509_get_subject_name(cert));
  tls->issuer = NameText(X509_get_issuer_name(cert));
  tls->not_before = Asn1Time(X509_get0_notBefore(cert));
  tls->not_after = Asn1Time(X509_get0_notAfter(cert));
  X509_free(cert);
  return true;
}

absl::StatusOr<ConnectTo> ConnectTo::Parse(absl::string_view spec) {
  // Split on ':' outside of [...] (IPv6 literals).
  std::vector<std::string> fields;
  std::string cur;
  bool in_brackets = false;
  for (char c : spec) {
    if (c == '[') {
      if (in_brackets) return absl::InvalidArgumentError("connect-to: nested '['");
      in_brackets = true;
    } else if (c == ']') {
      if (!in_brackets) return absl::InvalidArgumentError("connect-to: unmatched ']'");
      in_brackets = false;
    }
    if (c == ':' && !in_brackets) {
      fields.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (in_brackets) return absl::InvalidArgumentError("connect-to: unterminated '['");
  fields.push_back(std::move(cur));
  if (fields.size() != 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("connect-to \"", spec, "\": want HOST:PORT:CONNECT_HOST:CONNECT_PORT, got ",
                     fields.size(), " fields"));
  }
  for (int i : {1, 3}) {
    if (!fields[i].empty() && !IsValidPort(fields[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("connect-to \"", spec, "\": bad port \"", fields[i], "\""));
    }
  }
  for (int i : {0, 2}) {
    for (char c : fields[i]) {
      if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '/' || c == '@') {
        return absl::InvalidArgumentError(
            absl::StrCat("connect-to \"", spec, "\": bad host \"", fields[i], "\""));
      }
    }
  }
  if (fields[2].empty() && fields[3].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("connect-to \"", spec, "\": needs a CONNECT_HOST or a CONNECT_PORT"));
  }
  ConnectTo c;
  c.host = absl::AsciiStrToLower(fields[0]);
  c.port = fields[1];
  c.connect_host = fields[2];
  c.connect_port = fields[3];
  return c;
}

std::string ConnectTo::ToCurlString() const {
  return absl::StrCat(host, ":", port, ":", connect_host, ":", connect_port);
}

absl::StatusOr<std::unique_ptr<Fetcher>> Fetcher::Create(const FetcherOptions& options) {
  auto f = std::make_unique<CurlFetcher>(options);
  absl::Status s = f->Init();
  if (!s.ok()) return s;
  return std::unique_ptr<Fetcher>(std::move(f));
}

}  // namespace census
