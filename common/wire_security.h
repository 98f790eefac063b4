#ifndef CENSUS_COMMON_WIRE_SECURITY_H_
#define CENSUS_COMMON_WIRE_SECURITY_H_

// CURVE security for the ZeroMQ wire between hosts (RFC 26 CurveZMQ, RFC 27 ZAP).
//
// Servers (coordinator, store shards) bind ROUTER sockets with SecureServerSocket;
// clients (workers, aggregator, status tool) connect DEALER sockets with
// SecureClientSocket. A server authorizes clients by public key through a
// ZapAuthenticator running on the server socket's zmq context.
//
// Contract for servers: start the ZapAuthenticator on the context *before* binding a
// secured socket, and keep it running while the socket lives. SecureServerSocket turns on
// ZMQ_ZAP_ENFORCE_DOMAIN, so with no ZAP handler on the context every CURVE handshake
// fails (the client retries every reconnect interval and never gets through). Without
// that option (libzmq older than 4.3) libzmq would instead accept *any* CURVE client
// that knows the server's public key when no handler is running: encryption without
// authentication.
//
// What a refused client sees (libzmq 4.3.4): nothing on the data path. Its DEALER still
// queues sends (up to the high-water mark) and never receives. A key denied by ZAP gets
// a handshake ERROR (monitor event ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, status 400) and the
// client does not reconnect; a wrong server key or a missing ZAP handler drops the
// connection (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) and the client reconnects forever;
// a plaintext client gets ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL (mechanism mismatch). Only
// the ZAP-denied case reaches the authenticator, so only it is counted there.
//
// Key files:
//   PREFIX.key  secret, mode 0600:  "# comment" then "public-key = <Z85>" and
//               "secret-key = <Z85>" lines.
//   PREFIX.pub  the public key alone on one line, so that `cat *.pub >> authorized`
//               builds an authorized-keys file.
// Keys are Z85 text, 40 characters for 32 bytes. Z85's alphabet includes '#' and '=',
// but no valid key starts with '#' (its first digit is at most '%'), so '#' lines are
// comments; a value is split from its name at the first '='.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace census {

// The ZAP domain every Census server socket authenticates in.
inline constexpr char kCensusZapDomain[] = "census";

struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters
};

// A fresh key pair. Unavailable when libzmq was built without CURVE (no libsodium).
absl::StatusOr<CurveKeyPair> GenerateCurveKeyPair();

// OK iff `key` is 40 characters of valid Z85 (what libzmq accepts as a CURVE key).
// `what` names the key in the error, e.g. "public key".
absl::Status ValidateZ85Key(const std::string& key, const std::string& what = "key");

// Writes `pair` as PREFIX.key (mode 0600 whatever the umask) and PREFIX.pub. Refuses
// (AlreadyExists) when either file exists, and then writes neither; a failure after
// PREFIX.key was created removes it again. InvalidArgument for a malformed pair.
absl::Status WriteKeyPair(const std::string& prefix, const CurveKeyPair& pair);
// The same with a freshly generated pair.
absl::Status WriteKeyPair(const std::string& prefix);

// Reads a .key file. "secret-key" is required; "public-key" is derived from it when
// absent and must match it when present. Unknown "name = value" lines are errors (a
// typo must not silently drop a key). Every error starts with the path.
absl::StatusOr<CurveKeyPair> ReadKeyPair(const std::string& path);

// The public key in a .pub file (one bare key line, or a "public-key = ..." line) or in a
// .key file (its public-key, else derived from its secret-key).
absl::StatusOr<std::string> ReadPublicKey(const std::string& path);

// Authorized client keys: either a file with one Z85 public key per line (blank lines
// and lines whose first non-blank character is '#' are skipped), or a directory
// whose *.pub files are each read with ReadPublicKey (other files are ignored). Returns
// the keys in file order (directory: sorted by file name) without duplicates. An empty
// file or a directory with no .pub files is an error: an empty list would mean "any CURVE
// client", which must be asked for explicitly, never reached by a misconfigured path.
absl::StatusOr<std::vector<std::string>> ReadAuthorizedKeys(const std::string& path);

struct WireSecurity {
  // True: plain ZMTP (NULL mechanism), the Secure*Socket calls do nothing. For inproc://
  // and single-host loopback use only.
  bool plaintext = false;
  // This end's key pair (servers: the server key clients know; clients: their identity).
  CurveKeyPair own;
  // Clients: the server's public key (Z85).
  std::string server_public_key;
  // Servers: client public keys the ZapAuthenticator allows; empty = any CURVE client.
  // (Held here so a role's config carries it; SecureServerSocket does not read it.)
  std::vector<std::string> authorized_keys;
};

// Makes `socket` a CURVE server with `security.own`'s secret key in the "census" ZAP
// domain, with ZMQ_ZAP_ENFORCE_DOMAIN on. Must be called before bind(). A no-op when
// `security.plaintext`. InvalidArgument for a bad key; never throws.
absl::Status SecureServerSocket(zmq::socket_t& socket, const WireSecurity& security);

// Makes `socket` a CURVE client of the server whose public key is
// `security.server_public_key`, identified by `security.own`. Must be called before
// connect(). A no-op when `security.plaintext`. InvalidArgument for a bad key; never
// throws.
absl::Status SecureClientSocket(zmq::socket_t& socket, const WireSecurity& security);

// A ZAP handler (RFC 27) serving one zmq context on its own thread. It allows a
// handshake iff the mechanism is CURVE, the domain is "census" and the client's key is
// in the authorized list (or the list is empty). NULL and PLAIN are always denied: Census
// servers require CURVE (libzmq only asks ZAP about NULL when a socket sets a ZAP domain).
// Replies 200 with user id = the client key's Z85 text, or 400.
//
// Only one can exist per context: the ZAP endpoint inproc://zeromq.zap.01 is per
// context, and Start fails if it is already bound. Destroy it (or Stop it) before the
// context; if the context is terminated first the thread notices and ends anyway.
class ZapAuthenticator {
 public:
  struct DeniedPeer {
    std::string address;     // the peer's IP address as libzmq reports it
    std::string mechanism;   // "CURVE", "NULL", "PLAIN"
    std::string public_key;  // Z85; empty unless CURVE
    std::string reason;
  };

  // Binds the ZAP endpoint on `context` and starts serving. Each key must be valid Z85
  // (InvalidArgument otherwise); AlreadyExists when the context already has a ZAP
  // handler.
  static absl::StatusOr<std::unique_ptr<ZapAuthenticator>> Start(
      zmq::context_t& context, std::vector<std::string> authorized_keys);

  ~ZapAuthenticator();  // Stop()
  ZapAuthenticator(const ZapAuthenticator&) = delete;
  ZapAuthenticator& operator=(const ZapAuthenticator&) = delete;

  // Stops serving and joins the thread (within one poll interval, ~50 ms). Idempotent.
  // Handshakes that arrive afterwards fail (ZAP is enforced by SecureServerSocket).
  void Stop();

  int64_t allowed() const { return allowed_.load(std::memory_order_relaxed); }
  int64_t denied() const { return denied_.load(std::memory_order_relaxed); }
  // The most recent denial, for logging; nullopt if none yet.
  std::optional<DeniedPeer> last_denied() const;

 private:
  ZapAuthenticator(zmq::socket_t socket, std::vector<std::string> authorized_keys);
  void Serve();
  // One request's reply frames; decides and counts.
  std::vector<std::string> Handle(const std::vector<std::string>& request);
  void Deny(DeniedPeer peer);

  zmq::socket_t socket_;  // REP at inproc://zeromq.zap.01; used only by thread_ once started
  const std::vector<std::string> authorized_keys_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> allowed_{0};
  std::atomic<int64_t> denied_{0};
  mutable std::mutex mu_;
  std::optional<DeniedPeer> last_denied_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace census

#endif  // CENSUS_COMMON_WIRE_SECURITY_H_
