#include "cmd/keygen_command.h"

#include <cstdio>

#include "common/wire_security.h"

namespace census {
namespace {

constexpr char kKeygenUsage[] =
    "usage:\n"
    "  census keygen --out PREFIX\n"
    "      writes a CURVE key pair for the encrypted wire between hosts:\n"
    "      PREFIX.key  the secret key (mode 0600): stays on this host\n"
    "      PREFIX.pub  the public key: give it to peers (a server's to its clients; a\n"
    "                  client's to the servers' authorized keys)\n"
    "      existing files are never overwritten\n";

int UsageError(const std::string& message) {
  std::fprintf(stderr, "census keygen: %s\n\n%s", message.c_str(), kKeygenUsage);
  return 2;
}

}  // namespace

int RunKeygen(const std::vector<std::string>& args) {
  std::string prefix;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kKeygenUsage, stdout);
      return 0;
    }
    if (flag == "--out") {
      if (i + 1 >= args.size() || args[i + 1].empty()) return UsageError("--out wants a PREFIX");
      prefix = args[++i];
      continue;
    }
    return UsageError("unknown argument '" + flag + "'");
  }
  if (prefix.empty()) return UsageError("name the key files with --out PREFIX");

  auto pair = GenerateCurveKeyPair();
  if (!pair.ok()) {
    std::fprintf(stderr, "census keygen: %s\n", std::string(pair.status().message()).c_str());
    return 1;
  }
  absl::Status written = WriteKeyPair(prefix, *pair);
  if (!written.ok()) {
    std::fprintf(stderr, "census keygen: %s\n", std::string(written.message()).c_str());
    return 1;
  }
  std::printf("%s.key  secret key (mode 0600): keep it on this host\n", prefix.c_str());
  std::printf("%s.pub  public key: give it to peers\n", prefix.c_str());
  std::printf("public key: %s\n", pair->public_key.c_str());
  return 0;
}

}  // namespace census
