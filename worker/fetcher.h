#ifndef CENSUS_WORKER_FETCHER_H_
#define CENSUS_WORKER_FETCHER_H_

// Fetcher: many HTTP transfers at once over one libcurl multi handle.
//
// Threading: a Fetcher belongs to the thread that created it; Submit and Poll must
// be called from that thread only (the curl multi handle is not thread-safe).
// Politeness: at most `max_host_connections` transfers per host at once and at least
// `per_host_delay` between the starts of two transfers to the same host; requests
// beyond that wait in a per-host queue inside the Fetcher.
// Errors never escape as exceptions: every submitted request yields exactly one
// FetchResult, with `error` classified (proto FetchError).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/fetch_error.h"
#include "proto/census.pb.h"

namespace census {

// One curl --connect-to rule: "HOST:PORT:CONNECT_HOST:CONNECT_PORT"; empty HOST or
// PORT match any.
struct ConnectTo {
  std::string host;
  std::string port;
  std::string connect_host;
  std::string connect_port;
  // Parses curl's syntax; InvalidArgument with the reason when malformed.
  static absl::StatusOr<ConnectTo> Parse(absl::string_view spec);
  std::string ToCurlString() const;
};

struct FetcherOptions {
  std::vector<ConnectTo> connect_to;
  int max_total_connections = 256;
  int max_host_connections = 4;
  absl::Duration per_host_delay = absl::Milliseconds(0);
  std::string user_agent =
      "CensusBot/0.1 (+government website census; https://example.invalid/census)";
  int64_t max_body_bytes = 8 << 20;  // bodies are truncated beyond this
  int max_redirects = 8;
  // When false, a request whose target (after --connect-to mapping) resolves to a
  // private, loopback or link-local address fails with BLOCKED_ADDRESS. Hosts routed
  // by a connect_to rule are always allowed.
  bool allow_private_addresses = false;
  // PEM bundle of the certificate authorities https is verified against
  // (CURLOPT_CAINFO; `census run --ca-file`); "" = the system store. Tests point it at a
  // CA they generate.
  std::string ca_file;
  Clock* clock = Clock::Real();
};

// The address family a request may connect over (CURLOPT_IPRESOLVE).
enum class IpFamily { kAny, kV4, kV6 };

struct FetchRequest {
  uint64_t tag = 0;  // caller's id, echoed in the result
  std::string url;
  absl::Duration timeout = absl::Seconds(30);  // whole transfer
  bool head_only = false;  // HEAD (link checks); caller falls back to GET itself
  bool keep_body = true;
  // Reachability probe: sends "Cache-Control: no-cache" and "Pragma: no-cache" so a
  // cache or CDN in front of the site cannot answer for a server that is down.
  bool probe = false;
  std::string etag;  // conditional request validators, may be empty
  std::string last_modified;
  // IpFamily::kV6: IPv6 only. A host that a --connect-to rule maps to an IPv4 literal
  // has no IPv6 address then (DNS, at once): the mapping stands in for the host's DNS.
  IpFamily ip_family = IpFamily::kAny;
  bool fresh_connection = false;  // never reuse a kept-alive connection (it may be v4)
  // https: collect the peer certificate (CURLOPT_CERTINFO) and the negotiated TLS
  // version into FetchResult::tls; implies fresh_connection (a reused connection has no
  // handshake to report).
  bool tls_details = false;
  // false: the certificate and host name are not verified (the HTTPS check's second
  // look at a certificate that was refused, for its details).
  bool verify_tls = true;
};

// What a TLS handshake showed (FetchRequest::tls_details).
struct TlsDetails {
  std::string version;  // OpenSSL's name of the protocol: TLSv1.3, TLSv1.2 ...
  std::string subject;  // the leaf certificate's subject and issuer (RFC 2253)
  std::string issuer;
  absl::Time not_before = absl::InfinitePast();  // InfinitePast: no certificate seen
  absl::Time not_after = absl::InfinitePast();
  // CURLINFO_SSL_VERIFYRESULT: OpenSSL's X509_V_* code of the chain verification.
  long verify_result = 0;
  // The handshake failed because the certificate or the host name was refused
  // (CURLE_PEER_FAILED_VERIFICATION), not for want of TLS.
  bool certificate_refused = false;
  bool ca_file_unusable = false;  // our CA bundle could not be read: says nothing of the site
};

// Why a refused certificate was refused, from CURLINFO_SSL_VERIFYRESULT and libcurl's
// words: expired, not_yet_valid, self_signed, untrusted (no chain to a trusted CA),
// revoked, wrong_host, other. libcurl checks the host name itself after OpenSSL verified
// the chain and then leaves X509_V_OK or X509_V_ERR_UNSPECIFIED (1) with "... target
// host name ..." in its message; X509_V_ERR_HOSTNAME_MISMATCH is wrong_host too.
std::string CertificateProblem(long verify_result, absl::string_view curl_detail);

struct FetchResult {
  uint64_t tag = 0;
  std::string url;
  std::string final_url;
  int status = 0;
  FetchError error = FETCH_OK;  // HTTP_404/HTTP_4XX/HTTP_5XX set from the status
  std::string error_detail;
  std::string body;        // raw bytes (decompressed transfer encoding)
  bool truncated = false;  // body hit max_body_bytes
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::vector<std::string> redirects;  // each Location followed, in order
  absl::Time started;
  absl::Duration elapsed;
  // Time to the first byte of the answer (libcurl's own timer: a measurement of the
  // network, not of the census's clock); InfiniteDuration when no byte came.
  absl::Duration time_to_first_byte = absl::InfiniteDuration();
  bool not_modified = false;  // 304
  int new_connections = 0;    // connections opened for it (0: a kept-alive one reused)
  std::string remote_ip;      // the address connected to, "" when none
  int os_errno = 0;           // errno of the last failed connect (CURLINFO_OS_ERRNO)
  TlsDetails tls;             // with FetchRequest::tls_details
};

// Reads the leaf certificate of a libcurl CURLINFO_CERTINFO entry ("Cert:" PEM) into
// `tls` (subject, issuer, validity); false when there is none or it does not parse.
bool ReadCertInfoPem(const std::string& pem, TlsDetails* tls);

class Fetcher {
 public:
  static absl::StatusOr<std::unique_ptr<Fetcher>> Create(const FetcherOptions& options);
  virtual ~Fetcher() = default;

  virtual void Submit(FetchRequest request) = 0;
  // Drives transfers for up to `max_wait` (returns early when something completes)
  // and returns the results that completed, in completion order.
  virtual std::vector<FetchResult> Poll(absl::Duration max_wait) = 0;
  // Requests submitted and not yet returned by Poll (queued + in flight).
  virtual size_t pending() const = 0;
};

}  // namespace census

#endif  // CENSUS_WORKER_FETCHER_H_
