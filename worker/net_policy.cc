#include "worker/internal/net_policy.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <cstring>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace census {
namespace internal {

bool IsPrivateV4(uint32_t a) {  // host byte order
  auto in = [a](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == (net & mask);
  };
  return in(0x00000000, 8) ||   // 0.0.0.0/8 "this network"
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10 carrier-grade NAT
         in(0x7F000000, 8) ||   // loopback
         in(0xA9FE0000, 16) ||  // link-local
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24 IETF protocol assignments
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 benchmarking
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved + broadcast
}

bool IsPrivateV6(const struct in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  static const uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  // IPv4-mapped ::ffff:a.b.c.d and NAT64 64:ff9b::a.b.c.d: judge the embedded address.
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) {
    uint32_t v4 =
        (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
    return IsPrivateV4(v4);
  }
  if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return true;  // fec0::/10 site-local
  if (b[0] == 0xff) return true;                           // multicast
  return false;
}

bool IsPrivateSockaddr(const struct sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const struct sockaddr_in*>(sa);
    return IsPrivateV4(ntohl(in->sin_addr.s_addr));
  }
  if (sa->sa_family == AF_INET6) {
    return IsPrivateV6(reinterpret_cast<const struct sockaddr_in6*>(sa)->sin6_addr);
  }
  return true;  // unix sockets and anything else are not for crawling
}

// True when `host` is an IP literal in a private range.
bool IsPrivateLiteral(absl::string_view host) {
  std::string h(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (size_t pct = h.find('%'); pct != std::string::npos) h.resize(pct);  // zone id
  struct in_addr v4;
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return IsPrivateV4(ntohl(v4.s_addr));
  struct in6_addr v6;
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IsPrivateV6(v6);
  return false;
}

bool IsInvalidTld(absl::string_view host) {
  std::string h = absl::AsciiStrToLower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  return h == "invalid" || absl::EndsWith(h, ".invalid");
}

bool ParseUrl(const std::string& url, UrlParts* out, std::string* error) {
  CURLU* u = curl_url();
  if (u == nullptr) {
    *error = "out of memory";
    return false;
  }
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, url.c_str(), CURLU_URLENCODE | CURLU_ALLOW_SPACE);
  bool ok = rc == CURLUE_OK;
  if (!ok) *error = absl::StrCat("bad url: ", curl_url_strerror(rc));
  auto get = [&](CURLUPart part, unsigned flags, std::string* dst) {
    char* v = nullptr;
    if (ok && curl_url_get(u, part, &v, flags) == CURLUE_OK && v != nullptr) {
      *dst = v;
      curl_free(v);
      return true;
    }
    return false;
  };
  if (ok && !get(CURLUPART_SCHEME, 0, &out->scheme)) {
    ok = false;
    *error = "bad url: no scheme";
  }
  if (ok && !get(CURLUPART_HOST, 0, &out->host)) {
    ok = false;
    *error = "bad url: no host";
  }
  if (ok) get(CURLUPART_PORT, CURLU_DEFAULT_PORT, &out->port);
  curl_url_cleanup(u);
  out->scheme = absl::AsciiStrToLower(out->scheme);
  out->host = absl::AsciiStrToLower(out->host);
  if (ok && out->scheme != "http" && out->scheme != "https") {
    ok = false;
    *error = absl::StrCat("unsupported scheme: ", out->scheme);
  }
  return ok;
}

const ConnectTo* MatchConnectTo(const std::vector<ConnectTo>& rules, absl::string_view host,
                                absl::string_view port) {
  for (const ConnectTo& c : rules) {
    if ((c.host.empty() || absl::EqualsIgnoreCase(c.host, host)) &&
        (c.port.empty() || c.port == port)) {
      return &c;
    }
  }
  return nullptr;
}

bool RoutedByConnectTo(const std::vector<ConnectTo>& rules, absl::string_view host,
                       absl::string_view port) {
  return MatchConnectTo(rules, host, port) != nullptr;
}

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace internal
}  // namespace census
