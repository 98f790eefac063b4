#include "cmd/cluster_security.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace census {

void SecurityFlags::Register(FlagSet& flags) {
  flags.String("--key", &key_file);
  flags.String("--server-key", &server_key_file);
  flags.String("--authorized-keys", &authorized_keys);
  flags.Bool("--insecure-plaintext", &insecure_plaintext);
}

namespace {

void WarnPlaintext(const std::string& role) {
  std::fprintf(stderr,
               "census %s: WARNING --insecure-plaintext: messages between the roles are neither "
               "encrypted nor authenticated; use it on one host or in a test only\n",
               role.c_str());
}

}  // namespace

absl::StatusOr<SocketSecurity> ServerSecurity(zmq::context_t& context, const SecurityFlags& flags,
                                              const std::string& role) {
  SocketSecurity out;
  if (flags.insecure_plaintext) {
    WarnPlaintext(role);
    return out;
  }
  if (flags.key_file.empty() || flags.authorized_keys.empty()) {
    return absl::InvalidArgumentError(
        "CURVE needs --key FILE (this server's key pair) and --authorized-keys FILE|DIR (the "
        "clients allowed); make keys with `census keygen --out PREFIX`, or pass "
        "--insecure-plaintext on one host");
  }
  auto own = ReadKeyPair(flags.key_file);
  if (!own.ok()) return own.status();
  auto allowed = ReadAuthorizedKeys(flags.authorized_keys);
  if (!allowed.ok()) return allowed.status();
  auto zap = ZapAuthenticator::Start(context, *allowed);
  if (!zap.ok()) return zap.status();
  out.zap = std::shared_ptr<ZapAuthenticator>(std::move(*zap));
  WireSecurity security;
  security.own = *own;
  security.authorized_keys = *allowed;
  out.socket_fn = [security](zmq::socket_t& socket) {
    return SecureServerSocket(socket, security);
  };
  return out;
}

absl::StatusOr<SocketSecurity> ClientSecurity(const SecurityFlags& flags, const std::string& role) {
  SocketSecurity out;
  if (flags.insecure_plaintext) {
    WarnPlaintext(role);
    return out;
  }
  if (flags.key_file.empty() || flags.server_key_file.empty()) {
    return absl::InvalidArgumentError(
        "CURVE needs --key FILE (this client's key pair) and --server-key FILE (the servers' "
        "public key); make keys with `census keygen --out PREFIX`, or pass "
        "--insecure-plaintext on one host");
  }
  auto own = ReadKeyPair(flags.key_file);
  if (!own.ok()) return own.status();
  auto server = ReadPublicKey(flags.server_key_file);
  if (!server.ok()) return server.status();
  WireSecurity security;
  security.own = *own;
  security.server_public_key = *server;
  out.socket_fn = [security](zmq::socket_t& socket) {
    return SecureClientSocket(socket, security);
  };
  return out;
}

absl::StatusOr<std::unique_ptr<OpsEndpoint>> StartOps(const std::string& listen,
                                                      const std::string& role,
                                                      std::function<bool()> ready) {
  if (listen.empty()) return std::unique_ptr<OpsEndpoint>();
  auto ops = std::unique_ptr<OpsEndpoint>(new OpsEndpoint());
  auto server = OpsHttpServer::Start(listen, &ops->registry_, std::move(ready));
  if (!server.ok()) return server.status();
  ops->server_ = std::move(*server);
  std::fprintf(stderr, "census %s: /metrics, /healthz, /readyz on %s (port %d)\n", role.c_str(),
               listen.c_str(), ops->server_->port());
  return ops;
}

}  // namespace census
