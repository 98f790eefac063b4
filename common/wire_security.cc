#include "common/wire_security.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"

// ZMQ_ZAP_ENFORCE_DOMAIN is still a draft option in libzmq 4.3 (zmq.h declares it only
// under ZMQ_BUILD_DRAFT_API), but Debian's non-draft libzmq 4.3.4 honours it; the value
// is stable.
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

namespace census {
namespace {

constexpr size_t kZ85KeyLength = 40;
constexpr size_t kBinaryKeyLength = 32;
constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";
// How long the ZAP thread waits for a request before looking at its stop flag: the bound
// on how long Stop() takes.
constexpr std::chrono::milliseconds kZapPollInterval(50);
// Key files are tiny; authorized-keys files hold one 41-byte line per client. Anything
// bigger than this is the wrong file.
constexpr std::uintmax_t kMaxKeyFileBytes = 16 << 20;

constexpr absl::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

bool IsZ85Key(absl::string_view s) {
  if (s.size() != kZ85KeyLength) return false;
  for (char c : s) {
    if (kZ85Alphabet.find(c) == absl::string_view::npos) return false;
  }
  uint8_t decoded[kBinaryKeyLength];
  return zmq_z85_decode(decoded, std::string(s).c_str()) != nullptr;
}

// '#' is a Z85 digit, but the largest: 84. A key's first digit is the top of a 32-bit
// group, at most floor((2^32 - 1) / 85^4) = 82 ('%'), so no valid key starts with '#' and
// a leading '#' always marks a comment.
bool IsComment(absl::string_view line) { return !line.empty() && line.front() == '#'; }

absl::StatusOr<std::string> PublicFromSecret(const std::string& secret_key) {
  char public_key[kZ85KeyLength + 1];
  if (zmq_curve_public(public_key, secret_key.c_str()) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot derive a public key: zmq_curve_public: ", zmq_strerror(zmq_errno())));
  }
  return std::string(public_key, kZ85KeyLength);
}

absl::Status RequireCurve() {
  if (!zmq_has("curve")) {
    return absl::FailedPreconditionError(
        "this libzmq was built without CURVE security (no libsodium)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a key file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  std::string content;
  char buffer[4096];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    content.append(buffer, static_cast<size_t>(in.gcount()));
    if (content.size() > kMaxKeyFileBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": larger than ", kMaxKeyFileBytes, " bytes; not a key file"));
    }
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return content;
}

// One parsed key file: named settings and bare key lines, each with its line number.
struct KeyFileLine {
  int line = 0;
  std::string value;
};
struct KeyFile {
  std::optional<KeyFileLine> public_key;
  std::optional<KeyFileLine> secret_key;
  std::vector<KeyFileLine> bare_keys;
};

std::string LineContext(const std::string& path, int line) {
  return absl::StrCat(path, ": line ", line, ": ");
}

// Grammar, per line after trimming blanks (and a trailing '\r'):
//   empty                       skipped
//   '#' ...                     a comment (no key starts with '#': see IsComment)
//   a 40-character Z85 key      a bare key
//   NAME = VALUE                NAME is public-key or secret-key; VALUE a Z85 key (which
//                               may itself contain '=', so only the first '=' splits)
//   anything else               a malformed bare key
absl::StatusOr<KeyFile> ParseKeyFile(const std::string& path, const std::string& content) {
  KeyFile file;
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(content, '\n')) {
    ++line_number;
    const absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty()) continue;
    if (IsComment(line)) continue;
    if (IsZ85Key(line)) {
      file.bare_keys.push_back({line_number, std::string(line)});
      continue;
    }
    const size_t eq = line.find('=');
    const absl::string_view name = eq == absl::string_view::npos
                                       ? absl::string_view()
                                       : absl::StripAsciiWhitespace(line.substr(0, eq));
    if (eq != absl::string_view::npos && !name.empty() &&
        name.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
            absl::string_view::npos) {
      std::optional<KeyFileLine>* slot = nullptr;
      if (name == "public-key") slot = &file.public_key;
      if (name == "secret-key") slot = &file.secret_key;
      if (slot == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(LineContext(path, line_number), "unknown setting '", name,
                         "' (a key file has public-key and secret-key lines)"));
      }
      if (slot->has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(LineContext(path, line_number), name,
                                                       " given twice (first on line ",
                                                       (*slot)->line, ")"));
      }
      const std::string value(absl::StripAsciiWhitespace(line.substr(eq + 1)));
      absl::Status valid = ValidateZ85Key(value, std::string(name));
      if (!valid.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(LineContext(path, line_number), valid.message()));
      }
      *slot = KeyFileLine{line_number, value};
      continue;
    }
    absl::Status valid = ValidateZ85Key(std::string(line), "public key");
    return absl::InvalidArgumentError(
        absl::StrCat(LineContext(path, line_number), valid.message()));
  }
  return file;
}

// The public key a parsed file stands for; checks a key pair's halves agree.
absl::StatusOr<std::string> PublicKeyOf(const std::string& path, const KeyFile& file) {
  if (file.secret_key.has_value()) {
    ASSIGN_OR_RETURN(std::string derived, PublicFromSecret(file.secret_key->value));
    if (file.public_key.has_value() && file.public_key->value != derived) {
      return absl::InvalidArgumentError(absl::StrCat(
          LineContext(path, file.public_key->line),
          "public-key does not belong to the secret-key on line ", file.secret_key->line));
    }
    return derived;
  }
  if (file.public_key.has_value()) return file.public_key->value;
  if (file.bare_keys.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": holds ", file.bare_keys.size(),
                                                   " keys; a public key file holds one"));
  }
  if (file.bare_keys.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no key"));
  return file.bare_keys.front().value;
}

// Creates `path` (which must not exist) with `mode` whatever the umask, and writes
// `content`. AlreadyExists when it exists.
absl::Status WriteNewFile(const std::string& path, const std::string& content, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(path, ": already exists; not overwriting it"));
    }
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": cannot create: ", std::strerror(errno)));
  }
  absl::Status status;
  if (::fchmod(fd, mode) != 0) {
    status = absl::InternalError(absl::StrCat(path, ": chmod: ", std::strerror(errno)));
  }
  size_t written = 0;
  while (status.ok() && written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = absl::DataLossError(absl::StrCat(path, ": write: ", std::strerror(errno)));
      break;
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 && status.ok()) {
    status = absl::DataLossError(absl::StrCat(path, ": close: ", std::strerror(errno)));
  }
  if (!status.ok()) ::unlink(path.c_str());
  return status;
}

// Sets one socket option, turning cppzmq's exception into a Status.
template <typename Option, typename Value>
absl::Status SetOption(zmq::socket_t& socket, Option option, const Value& value,
                       absl::string_view name) {
  try {
    socket.set(option, value);
  } catch (const zmq::error_t& e) {
    return absl::InvalidArgumentError(absl::StrCat("zmq_setsockopt ", name, ": ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateZ85Key(const std::string& key, const std::string& what) {
  if (key.size() != kZ85KeyLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " has ", key.size(), " characters; a Z85 CURVE key has 40"));
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (kZ85Alphabet.find(key[i]) == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(what, " is not valid Z85: character '",
                                                     absl::CHexEscape(key.substr(i, 1)),
                                                     "' at position ", i + 1));
    }
  }
  if (!IsZ85Key(key)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not valid Z85: a 5-character group exceeds 32 bits"));
  }
  return absl::OkStatus();
}

absl::StatusOr<CurveKeyPair> GenerateCurveKeyPair() {
  RETURN_IF_ERROR(RequireCurve());
  char public_key[kZ85KeyLength + 1];
  char secret_key[kZ85KeyLength + 1];
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    return absl::InternalError(absl::StrCat("zmq_curve_keypair: ", zmq_strerror(zmq_errno())));
  }
  return CurveKeyPair{std::string(public_key, kZ85KeyLength),
                      std::string(secret_key, kZ85KeyLength)};
}

absl::Status WriteKeyPair(const std::string& prefix, const CurveKeyPair& pair) {
  RETURN_IF_ERROR(ValidateZ85Key(pair.public_key, "public key"));
  RETURN_IF_ERROR(ValidateZ85Key(pair.secret_key, "secret key"));
  ASSIGN_OR_RETURN(std::string derived, PublicFromSecret(pair.secret_key));
  if (derived != pair.public_key) {
    return absl::InvalidArgumentError("public key does not belong to the secret key");
  }
  const std::string key_path = prefix + ".key";
  const std::string pub_path = prefix + ".pub";
  // Both checked before either is written, so a refusal leaves nothing behind; O_EXCL
  // below still catches a file that appears in between.
  for (const std::string& path : {key_path, pub_path}) {
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
      return absl::AlreadyExistsError(absl::StrCat(path, ": already exists; not overwriting it"));
    }
  }
  const std::string pub_name = std::filesystem::path(pub_path).filename().string();
  RETURN_IF_ERROR(WriteNewFile(
      key_path,
      absl::StrCat("# Census CURVE key pair. Keep this file secret (mode 0600); give peers ",
                   pub_name, ".\npublic-key = ", pair.public_key,
                   "\nsecret-key = ", pair.secret_key, "\n"),
      0600));
  absl::Status pub = WriteNewFile(pub_path, absl::StrCat(pair.public_key, "\n"), 0644);
  if (!pub.ok()) ::unlink(key_path.c_str());
  return pub;
}

absl::Status WriteKeyPair(const std::string& prefix) {
  ASSIGN_OR_RETURN(CurveKeyPair pair, GenerateCurveKeyPair());
  return WriteKeyPair(prefix, pair);
}

absl::StatusOr<CurveKeyPair> ReadKeyPair(const std::string& path) {
  RETURN_IF_ERROR(RequireCurve());
  ASSIGN_OR_RETURN(std::string content, ReadSmallFile(path));
  ASSIGN_OR_RETURN(KeyFile file, ParseKeyFile(path, content));
  if (!file.secret_key.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no secret-key line (a .pub file holds only the public key)"));
  }
  if (!file.bare_keys.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        LineContext(path, file.bare_keys.front().line),
        "a bare key; a .key file names its keys (public-key = ..., secret-key = ...)"));
  }
  ASSIGN_OR_RETURN(std::string public_key, PublicKeyOf(path, file));
  return CurveKeyPair{std::move(public_key), file.secret_key->value};
}

absl::StatusOr<std::string> ReadPublicKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string content, ReadSmallFile(path));
  ASSIGN_OR_RETURN(KeyFile file, ParseKeyFile(path, content));
  if (file.secret_key.has_value()) RETURN_IF_ERROR(RequireCurve());
  if ((file.public_key.has_value() || file.secret_key.has_value()) && !file.bare_keys.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(LineContext(path, file.bare_keys.front().line),
                                                   "a bare key beside public-key/secret-key"));
  }
  return PublicKeyOf(path, file);
}

absl::StatusOr<std::vector<std::string>> ReadAuthorizedKeys(const std::string& path) {
  std::vector<std::string> keys;
  auto add = [&keys](std::string key) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.path().extension() == ".pub") files.push_back(entry.path().string());
    }
    if (ec) return absl::NotFoundError(absl::StrCat(path, ": cannot list: ", ec.message()));
    std::sort(files.begin(), files.end());
    for (const std::string& file : files) {
      ASSIGN_OR_RETURN(std::string key, ReadPublicKey(file));
      add(std::move(key));
    }
    if (keys.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": no *.pub files (an empty list would allow any CURVE client)"));
    }
    return keys;
  }
  ASSIGN_OR_RETURN(std::string content, ReadSmallFile(path));
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(content, '\n')) {
    ++line_number;
    const absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty()) continue;
    if (IsComment(line)) continue;
    absl::Status valid = ValidateZ85Key(std::string(line), "public key");
    if (!valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(LineContext(path, line_number), valid.message()));
    }
    add(std::string(line));
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no keys (an empty list would allow any CURVE client)"));
  }
  return keys;
}

absl::Status SecureServerSocket(zmq::socket_t& socket, const WireSecurity& security) {
  if (security.plaintext) return absl::OkStatus();
  RETURN_IF_ERROR(RequireCurve());
  RETURN_IF_ERROR(ValidateZ85Key(security.own.secret_key, "server secret key"));
  if (!security.own.public_key.empty()) {
    ASSIGN_OR_RETURN(std::string derived, PublicFromSecret(security.own.secret_key));
    if (derived != security.own.public_key) {
      return absl::InvalidArgumentError("server public key does not belong to its secret key");
    }
  }
  RETURN_IF_ERROR(SetOption(socket, zmq::sockopt::curve_server, 1, "ZMQ_CURVE_SERVER"));
  RETURN_IF_ERROR(SetOption(socket, zmq::sockopt::curve_secretkey, security.own.secret_key,
                            "ZMQ_CURVE_SECRETKEY"));
  RETURN_IF_ERROR(
      SetOption(socket, zmq::sockopt::zap_domain, std::string(kCensusZapDomain), "ZMQ_ZAP_DOMAIN"));
  // Fail closed when no ZAP handler runs on the context: without this libzmq lets any
  // CURVE client in. A libzmq that lacks the option (EINVAL) keeps the open behaviour;
  // the ZapAuthenticator is then the only guard.
  const int enforce = 1;
  if (zmq_setsockopt(socket.handle(), ZMQ_ZAP_ENFORCE_DOMAIN, &enforce, sizeof(enforce)) != 0 &&
      zmq_errno() != EINVAL) {
    return absl::InternalError(
        absl::StrCat("zmq_setsockopt ZMQ_ZAP_ENFORCE_DOMAIN: ", zmq_strerror(zmq_errno())));
  }
  return absl::OkStatus();
}

absl::Status SecureClientSocket(zmq::socket_t& socket, const WireSecurity& security) {
  if (security.plaintext) return absl::OkStatus();
  RETURN_IF_ERROR(RequireCurve());
  RETURN_IF_ERROR(ValidateZ85Key(security.server_public_key, "server public key"));
  RETURN_IF_ERROR(ValidateZ85Key(security.own.secret_key, "client secret key"));
  ASSIGN_OR_RETURN(std::string own_public, PublicFromSecret(security.own.secret_key));
  if (!security.own.public_key.empty() && security.own.public_key != own_public) {
    return absl::InvalidArgumentError("client public key does not belong to its secret key");
  }
  RETURN_IF_ERROR(SetOption(socket, zmq::sockopt::curve_serverkey, security.server_public_key,
                            "ZMQ_CURVE_SERVERKEY"));
  RETURN_IF_ERROR(
      SetOption(socket, zmq::sockopt::curve_publickey, own_public, "ZMQ_CURVE_PUBLICKEY"));
  RETURN_IF_ERROR(SetOption(socket, zmq::sockopt::curve_secretkey, security.own.secret_key,
                            "ZMQ_CURVE_SECRETKEY"));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ZapAuthenticator>> ZapAuthenticator::Start(
    zmq::context_t& context, std::vector<std::string> authorized_keys) {
  for (size_t i = 0; i < authorized_keys.size(); ++i) {
    absl::Status valid = ValidateZ85Key(authorized_keys[i], absl::StrCat("authorized key ", i + 1));
    if (!valid.ok()) return valid;
  }
  std::sort(authorized_keys.begin(), authorized_keys.end());
  authorized_keys.erase(std::unique(authorized_keys.begin(), authorized_keys.end()),
                        authorized_keys.end());
  try {
    zmq::socket_t socket(context, zmq::socket_type::rep);
    socket.set(zmq::sockopt::linger, 0);
    try {
      socket.bind(kZapEndpoint);
    } catch (const zmq::error_t& e) {
      if (e.num() == EADDRINUSE) {
        return absl::AlreadyExistsError(
            absl::StrCat("a ZAP handler is already bound on this context (", kZapEndpoint, ")"));
      }
      throw;
    }
    return std::unique_ptr<ZapAuthenticator>(
        new ZapAuthenticator(std::move(socket), std::move(authorized_keys)));
  } catch (const zmq::error_t& e) {
    return absl::InternalError(absl::StrCat("ZAP handler on ", kZapEndpoint, ": ", e.what()));
  }
}

ZapAuthenticator::ZapAuthenticator(zmq::socket_t socket, std::vector<std::string> authorized_keys)
    : socket_(std::move(socket)), authorized_keys_(std::move(authorized_keys)) {
  // The socket moves to the thread here; std::thread's start is the memory barrier
  // libzmq asks for when a socket changes threads.
  thread_ = std::thread([this] { Serve(); });
}

ZapAuthenticator::~ZapAuthenticator() { Stop(); }

void ZapAuthenticator::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

std::optional<ZapAuthenticator::DeniedPeer> ZapAuthenticator::last_denied() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_denied_;
}

void ZapAuthenticator::Serve() {
  while (!stop_.load()) {
    try {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, kZapPollInterval) == 0) continue;
      std::vector<std::string> request;
      while (true) {
        zmq::message_t part;
        if (!socket_.recv(part, zmq::recv_flags::none)) break;
        request.emplace_back(static_cast<const char*>(part.data()), part.size());
        if (!part.more()) break;
      }
      const std::vector<std::string> reply = Handle(request);
      for (size_t i = 0; i < reply.size(); ++i) {
        socket_.send(zmq::buffer(reply[i]),
                     i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
    } catch (const zmq::error_t& e) {
      // ETERM: the context is being terminated and waits for this socket to close.
      // Anything else (EINTR) is transient: keep serving.
      if (e.num() == ETERM) break;
    }
  }
  socket_.close();
}

void ZapAuthenticator::Deny(DeniedPeer peer) {
  denied_.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  last_denied_ = std::move(peer);
}

// RFC 27 request: version, request id, domain, address, routing id, mechanism,
// credentials... Reply: version, request id, status code, status text, user id, metadata.
std::vector<std::string> ZapAuthenticator::Handle(const std::vector<std::string>& request) {
  const std::string request_id = request.size() > 1 ? request[1] : std::string();
  auto reply = [&request_id](std::string code, std::string text, std::string user_id = "") {
    return std::vector<std::string>{"1.0",           request_id,         std::move(code),
                                    std::move(text), std::move(user_id), std::string()};
  };
  if (request.size() < 6 || request[0] != "1.0") {
    Deny({request.size() > 3 ? request[3] : std::string(), "", "", "malformed ZAP request"});
    return reply("500", "malformed ZAP request");
  }
  DeniedPeer peer{request[3], request[5], "", ""};
  if (request[2] != kCensusZapDomain) {
    peer.reason = absl::StrCat("ZAP domain '", request[2], "' is not ", kCensusZapDomain);
    Deny(peer);
    return reply("400", "wrong domain");
  }
  if (peer.mechanism != "CURVE") {
    peer.reason = "CURVE required";
    Deny(peer);
    return reply("400", "CURVE required");
  }
  if (request.size() < 7 || request[6].size() != kBinaryKeyLength) {
    peer.reason = "malformed CURVE credentials";
    Deny(peer);
    return reply("400", "malformed credentials");
  }
  char z85[kZ85KeyLength + 1];
  zmq_z85_encode(z85, reinterpret_cast<const uint8_t*>(request[6].data()), kBinaryKeyLength);
  peer.public_key.assign(z85, kZ85KeyLength);
  if (!authorized_keys_.empty() &&
      !std::binary_search(authorized_keys_.begin(), authorized_keys_.end(), peer.public_key)) {
    peer.reason = "key not authorized";
    Deny(peer);
    return reply("400", "key not authorized");
  }
  allowed_.fetch_add(1, std::memory_order_relaxed);
  return reply("200", "OK", peer.public_key);
}

}  // namespace census
