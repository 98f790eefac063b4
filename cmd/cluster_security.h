#ifndef CENSUS_CMD_CLUSTER_SECURITY_H_
#define CENSUS_CMD_CLUSTER_SECURITY_H_

// What every cluster role shares on its command line: CURVE keys (docs/PROTOCOL.md
// "Security") and the operational HTTP endpoints (/metrics, /healthz, /readyz).

#include <functional>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "absl/status/statusor.h"
#include "cmd/flags.h"
#include "common/wire_security.h"
#include "ops/http_server.h"
#include "ops/metrics.h"

namespace census {

#define SECURITY_USAGE                                                                     \
  "  SECURITY: --key FILE (this role's key pair, from `census keygen --out PREFIX`),\n"    \
  "  servers (coordinator, store) --authorized-keys FILE|DIR (client public keys, one a\n" \
  "  line, or a folder of .pub files), clients (worker, coordinator to stores,\n"          \
  "  aggregate, status) --server-key FILE (the servers' public key); or\n"                 \
  "  --insecure-plaintext (no encryption or authentication: one host or a test only).\n"

struct SecurityFlags {
  std::string key_file;
  std::string server_key_file;
  std::string authorized_keys;
  bool insecure_plaintext = false;
  void Register(FlagSet& flags);
};

// How a role secures its sockets: `socket_fn` is applied to each before bind/connect
// (null with --insecure-plaintext). A server's ZAP handler lives as long as this.
struct SocketSecurity {
  std::function<absl::Status(zmq::socket_t&)> socket_fn;
  std::shared_ptr<ZapAuthenticator> zap;
};

// Servers: their key pair and the ZAP handler allowing the authorized keys. A missing
// flag is an error that says what to pass; --insecure-plaintext warns on stderr.
absl::StatusOr<SocketSecurity> ServerSecurity(zmq::context_t& context, const SecurityFlags& flags,
                                              const std::string& role);
// Clients: their key pair and the server's public key.
absl::StatusOr<SocketSecurity> ClientSecurity(const SecurityFlags& flags, const std::string& role);

// --metrics HOST:PORT: a metrics registry served with /healthz and /readyz. Null when
// `listen` is empty.
class OpsEndpoint {
 public:
  MetricsRegistry& registry() { return registry_; }
  int port() const { return server_->port(); }

 private:
  friend absl::StatusOr<std::unique_ptr<OpsEndpoint>> StartOps(const std::string&,
                                                               const std::string&,
                                                               std::function<bool()>);
  MetricsRegistry registry_;
  std::unique_ptr<OpsHttpServer> server_;
};
absl::StatusOr<std::unique_ptr<OpsEndpoint>> StartOps(const std::string& listen,
                                                      const std::string& role,
                                                      std::function<bool()> ready);

}  // namespace census

#endif  // CENSUS_CMD_CLUSTER_SECURITY_H_
