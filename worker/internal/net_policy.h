#ifndef CENSUS_WORKER_INTERNAL_NET_POLICY_H_
#define CENSUS_WORKER_INTERNAL_NET_POLICY_H_

// What every libcurl user in the worker shares: the private-address policy, URL
// parts as curl parses them, the --connect-to routing test and curl's global init.
// Used by the Fetcher (worker/fetcher.cc) and the renderer's subresource fetch
// (worker/curl_subresource_fetch.cc), so both refuse and route the same hosts.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "worker/fetcher.h"

namespace census {
namespace internal {

// True for private, loopback, link-local, CGNAT, multicast and reserved IPv4
// addresses (`a` in host byte order).
bool IsPrivateV4(uint32_t a);
// The same for IPv6; IPv4-mapped and NAT64 addresses are judged by their IPv4 part.
bool IsPrivateV6(const struct in6_addr& a);
// Judges an address libcurl is about to connect to; non-IP families count as private.
bool IsPrivateSockaddr(const struct sockaddr* sa);
// True when `host` is an IP literal (brackets and zone id allowed) in a private range.
bool IsPrivateLiteral(absl::string_view host);
// True for the reserved .invalid TLD, which is never resolved.
bool IsInvalidTld(absl::string_view host);

struct UrlParts {
  std::string scheme;  // lower-case: http or https
  std::string host;    // lower-case, IPv6 in brackets as curl gives it
  std::string port;    // explicit or the scheme's default
};

// Parses an http(s) URL with curl's URL API; false with *error set otherwise.
bool ParseUrl(const std::string& url, UrlParts* out, std::string* error);

// The first --connect-to rule that routes `host`:`port` (curl applies the first match),
// or null.
const ConnectTo* MatchConnectTo(const std::vector<ConnectTo>& rules, absl::string_view host,
                                absl::string_view port);

// True when a --connect-to rule routes `host`:`port` (such hosts may be private).
bool RoutedByConnectTo(const std::vector<ConnectTo>& rules, absl::string_view host,
                       absl::string_view port);

// curl_global_init, once per process (thread-safe).
void CurlGlobalInit();

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_NET_POLICY_H_
