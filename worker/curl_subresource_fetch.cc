// CurlSubresourceFetch (worker/renderer.h): what a rendered page asks for, fetched
// synchronously with libcurl under the Fetcher's rules (worker/internal/net_policy.h).

#include <curl/curl.h>
#include <sys/socket.h>

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "worker/internal/net_policy.h"
#include "worker/renderer.h"

namespace census {
namespace {

using internal::ParseUrl;
using internal::RoutedByConnectTo;
using internal::UrlParts;

// Shared by the copies of one CurlSubresourceFetch: one easy handle, so connections
// to a host are kept alive from one request of a page to the next.
class CurlSubresource {
 public:
  CurlSubresource(const FetcherOptions& options, absl::Duration timeout, int64_t max_bytes)
      : options_(options), timeout_(timeout), max_bytes_(max_bytes) {
    internal::CurlGlobalInit();
    for (const ConnectTo& c : options_.connect_to) {
      if (curl_slist* next = curl_slist_append(connect_to_, c.ToCurlString().c_str())) {
        connect_to_ = next;
      }
    }
    easy_ = curl_easy_init();
  }
  ~CurlSubresource() {
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
    if (connect_to_ != nullptr) curl_slist_free_all(connect_to_);
  }
  CurlSubresource(const CurlSubresource&) = delete;
  CurlSubresource& operator=(const CurlSubresource&) = delete;

  SubresourceResponse Fetch(const SubresourceRequest& req);

 private:
  struct Transfer {
    CurlSubresource* self = nullptr;
    SubresourceResponse* out = nullptr;
    bool too_large = false;
    bool blocked = false;
  };
  static size_t OnBody(char* data, size_t size, size_t n, void* userdata);
  static size_t OnHeader(char* data, size_t size, size_t n, void* userdata);
  static curl_socket_t OnOpenSocket(void* clientp, curlsocktype purpose,
                                    struct curl_sockaddr* addr);
  // Politeness: at least per_host_delay between the starts of two requests to a host.
  void WaitTurn(const std::string& host);

  const FetcherOptions options_;
  const absl::Duration timeout_;
  const int64_t max_bytes_;
  std::mutex mu_;  // one request at a time
  CURL* easy_ = nullptr;
  curl_slist* connect_to_ = nullptr;
  absl::flat_hash_map<std::string, absl::Time> last_start_;
};

size_t CurlSubresource::OnBody(char* data, size_t size, size_t n, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t len = size * n;
  if (static_cast<int64_t>(t->out->body.size() + len) > t->self->max_bytes_) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  try {
    t->out->body.append(data, len);
  } catch (...) {
    return 0;
  }
  return len;
}

size_t CurlSubresource::OnHeader(char* data, size_t size, size_t n, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t len = size * n;
  try {
    absl::string_view line = absl::StripTrailingAsciiWhitespace(absl::string_view(data, len));
    if (absl::StartsWith(line, "HTTP/")) {
      t->out->headers.clear();  // a new response (after a redirect or 1xx): only the last counts
      return len;
    }
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos || colon == 0) return len;
    t->out->headers.emplace_back(std::string(line.substr(0, colon)),
                                 std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  } catch (...) {
    return 0;
  }
  return len;
}

curl_socket_t CurlSubresource::OnOpenSocket(void* clientp, curlsocktype purpose,
                                            struct curl_sockaddr* addr) {
  auto* t = static_cast<Transfer*>(clientp);
  if (internal::IsPrivateSockaddr(&addr->addr)) {
    // Allowed only for a host a connect_to rule routes (checked on the URL being
    // connected for, redirects included).
    char* current = nullptr;
    curl_easy_getinfo(t->self->easy_, CURLINFO_EFFECTIVE_URL, &current);
    UrlParts parts;
    std::string error;
    if (current == nullptr || !ParseUrl(current, &parts, &error) ||
        !RoutedByConnectTo(t->self->options_.connect_to, parts.host, parts.port)) {
      t->blocked = true;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

void CurlSubresource::WaitTurn(const std::string& host) {
  if (options_.per_host_delay <= absl::ZeroDuration() || options_.clock == nullptr) return;
  auto it = last_start_.find(host);
  if (it != last_start_.end()) options_.clock->SleepUntil(it->second + options_.per_host_delay);
  last_start_[host] = options_.clock->Now();
  if (last_start_.size() > 4096) last_start_.clear();  // bounded: politeness is per page anyway
}

SubresourceResponse CurlSubresource::Fetch(const SubresourceRequest& req) {
  std::lock_guard<std::mutex> lock(mu_);
  SubresourceResponse out;
  if (easy_ == nullptr) {
    out.error = "curl_easy_init failed";
    return out;
  }
  UrlParts parts;
  if (!ParseUrl(req.url, &parts, &out.error)) return out;
  const bool routed = RoutedByConnectTo(options_.connect_to, parts.host, parts.port);
  if (!routed && internal::IsInvalidTld(parts.host)) {
    out.error = absl::StrCat("Could not resolve host: ", parts.host);
    return out;
  }
  if (!routed && !options_.allow_private_addresses && internal::IsPrivateLiteral(parts.host)) {
    out.error = absl::StrCat("private address refused: ", parts.host);
    return out;
  }
  WaitTurn(parts.host);

  Transfer t;
  t.self = this;
  t.out = &out;
  char errbuf[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : req.headers) {
    headers = curl_slist_append(headers, absl::StrCat(name, ": ", value).c_str());
  }
  CURL* e = easy_;
  curl_easy_reset(e);  // keeps the connection cache and DNS cache
  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  if (options_.max_redirects > 0) {
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
  }
  const absl::Duration timeout = std::min(timeout_, req.timeout);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(timeout))));
  if (connect_to_ != nullptr) curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_);
  if (headers != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  const std::string method = absl::AsciiStrToUpper(req.method.empty() ? "GET" : req.method);
  if (method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    if (method == "POST" || !req.post_body.empty()) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.post_body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.post_body.data());
    }
    if (method != "POST") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
  if (!options_.allow_private_addresses) {
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t);
  }
  const CURLcode code = curl_easy_perform(e);
  curl_slist_free_all(headers);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  out.status = static_cast<int>(status);
  if (t.too_large) {
    out.error = absl::StrCat("body larger than ", max_bytes_, " bytes");
  } else if (t.blocked) {
    out.error = absl::StrCat("private address refused (", req.url, ")");
  } else if (code != CURLE_OK) {
    out.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  }
  if (!out.error.empty()) {
    out.body.clear();
    out.headers.clear();
  }
  // The pointers set above die with this call; no later request may see them.
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, nullptr);
  return out;
}

}  // namespace

SubresourceFetch CurlSubresourceFetch(const FetcherOptions& options, absl::Duration timeout,
                                      int64_t max_bytes) {
  auto shared = std::make_shared<CurlSubresource>(options, timeout, max_bytes);
  return [shared](const SubresourceRequest& req) { return shared->Fetch(req); };
}

}  // namespace census
