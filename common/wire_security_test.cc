#include "common/wire_security.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/wire.h"
#include "proto/census.pb.h"

namespace census {
namespace {

using ::testing::HasSubstr;

// Every wait below is bounded: a handshake on loopback takes milliseconds, so 5 s is a
// generous "it arrives"; 500 ms of silence is the "it never arrives" of the brief.
constexpr std::chrono::milliseconds kArrives(5000);
constexpr std::chrono::milliseconds kSilence(500);

bool WaitReadable(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  return zmq::poll(&item, 1, timeout) > 0;
}

// Polls `predicate` until true or `timeout`.
template <typename Predicate>
bool Eventually(Predicate predicate, std::chrono::milliseconds timeout = kArrives) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Error text as a std::string, so that a failed comparison prints it readably.
std::string ErrorOf(const absl::Status& status) { return std::string(status.message()); }
template <typename T>
std::string ErrorOf(const absl::StatusOr<T>& result) {
  return ErrorOf(result.status());
}

CurveKeyPair NewPair() {
  auto pair = GenerateCurveKeyPair();
  EXPECT_TRUE(pair.ok()) << pair.status();
  return pair.ok() ? *pair : CurveKeyPair{};
}

// A CURVE ROUTER on 127.0.0.1 with its own context, and optionally a ZAP handler.
struct Server {
  explicit Server(std::optional<std::vector<std::string>> authorized) : keys(NewPair()) {
    if (authorized.has_value()) {
      auto started = ZapAuthenticator::Start(context, *authorized);
      EXPECT_TRUE(started.ok()) << started.status();
      if (started.ok()) auth = std::move(*started);
    }
    router.set(zmq::sockopt::linger, 0);
    WireSecurity security;
    security.own = keys;
    absl::Status secured = SecureServerSocket(router, security);
    EXPECT_TRUE(secured.ok()) << secured;
    router.bind("tcp://127.0.0.1:*");
    endpoint = router.get(zmq::sockopt::last_endpoint);
  }
  ~Server() {
    router.close();
    auth.reset();
  }

  CurveKeyPair keys;
  zmq::context_t context;
  std::unique_ptr<ZapAuthenticator> auth;
  zmq::socket_t router{context, zmq::socket_type::router};
  std::string endpoint;
};

// A DEALER in its own context (as on another host).
struct Client {
  Client(const WireSecurity& security, const std::string& endpoint) {
    dealer.set(zmq::sockopt::linger, 0);
    absl::Status secured = SecureClientSocket(dealer, security);
    EXPECT_TRUE(secured.ok()) << secured;
    dealer.connect(endpoint);
  }
  zmq::context_t context;
  zmq::socket_t dealer{context, zmq::socket_type::dealer};
};

WireSecurity ClientSecurity(const CurveKeyPair& own, const std::string& server_public_key) {
  WireSecurity security;
  security.own = own;
  security.server_public_key = server_public_key;
  return security;
}

ToCoordinator Request(const std::string& worker_id) {
  ToCoordinator request;
  request.mutable_work_request()->set_worker_id(worker_id);
  return request;
}

// Sends from `client` and expects the server to get it and the reply to come back.
void ExpectRoundTrip(Server& server, Client& client, const std::string& worker_id) {
  ASSERT_TRUE(SendToRouter(client.dealer, Request(worker_id)).ok());
  ASSERT_TRUE(WaitReadable(server.router, kArrives)) << "authorized client's message not received";
  ToCoordinator got;
  auto identity = ReceiveFromDealer(server.router, &got);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(got.work_request().worker_id(), worker_id);
  FromCoordinator reply;
  reply.mutable_no_work()->set_retry_after_ms(7);
  ASSERT_TRUE(SendToDealer(server.router, *identity, reply).ok());
  ASSERT_TRUE(WaitReadable(client.dealer, kArrives)) << "reply not received";
  FromCoordinator got_reply;
  ASSERT_TRUE(ReceiveFromRouter(client.dealer, &got_reply).ok());
  EXPECT_EQ(got_reply.no_work().retry_after_ms(), 7);
}

// Sends from `client` and expects the server to receive nothing within kSilence.
void ExpectNothingArrives(Server& server, Client& client) {
  ASSERT_TRUE(SendToRouter(client.dealer, Request("intruder")).ok());
  EXPECT_FALSE(WaitReadable(server.router, kSilence)) << "a refused client's message arrived";
}

TEST(WireSecurityTest, LibzmqHasCurve) { EXPECT_TRUE(zmq_has("curve")); }

TEST(WireSecurityTest, AuthorizedClientReachesServerAndGetsReply) {
  const CurveKeyPair client_keys = NewPair();
  Server server(std::vector<std::string>{NewPair().public_key, client_keys.public_key});
  ASSERT_NE(server.auth, nullptr);
  Client client(ClientSecurity(client_keys, server.keys.public_key), server.endpoint);
  ExpectRoundTrip(server, client, "w1");
  EXPECT_EQ(server.auth->allowed(), 1);
  EXPECT_EQ(server.auth->denied(), 0);
  EXPECT_FALSE(server.auth->last_denied().has_value());
}

TEST(WireSecurityTest, EmptyAuthorizedListAdmitsAnyCurveClient) {
  Server server(std::vector<std::string>{});
  ASSERT_NE(server.auth, nullptr);
  Client client(ClientSecurity(NewPair(), server.keys.public_key), server.endpoint);
  ExpectRoundTrip(server, client, "anyone");
  EXPECT_EQ(server.auth->allowed(), 1);
}

TEST(WireSecurityTest, UnauthorizedKeyIsDeniedAndCounted) {
  const CurveKeyPair authorized = NewPair();
  const CurveKeyPair stranger = NewPair();
  Server server(std::vector<std::string>{authorized.public_key});
  ASSERT_NE(server.auth, nullptr);
  Client intruder(ClientSecurity(stranger, server.keys.public_key), server.endpoint);
  ExpectNothingArrives(server, intruder);
  ASSERT_TRUE(Eventually([&] { return server.auth->denied() >= 1; }));
  EXPECT_EQ(server.auth->allowed(), 0);
  auto denied = server.auth->last_denied();
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->public_key, stranger.public_key);
  EXPECT_EQ(denied->mechanism, "CURVE");
  EXPECT_EQ(denied->address, "127.0.0.1");
  EXPECT_EQ(denied->reason, "key not authorized");

  // The server still serves its authorized client (the refusal was about the key).
  Client friendly(ClientSecurity(authorized, server.keys.public_key), server.endpoint);
  ExpectRoundTrip(server, friendly, "friend");
  EXPECT_EQ(server.auth->allowed(), 1);
}

TEST(WireSecurityTest, PlaintextClientGetsNothingFromCurveServer) {
  Server server(std::vector<std::string>{});  // any CURVE client: only the mechanism bars it
  ASSERT_NE(server.auth, nullptr);
  WireSecurity plaintext;
  plaintext.plaintext = true;
  Client client(plaintext, server.endpoint);
  ExpectNothingArrives(server, client);
  EXPECT_EQ(server.auth->allowed(), 0);

  Client curve(ClientSecurity(NewPair(), server.keys.public_key), server.endpoint);
  ExpectRoundTrip(server, curve, "curve");
}

TEST(WireSecurityTest, WrongServerKeyGetsNothing) {
  Server server(std::vector<std::string>{});
  ASSERT_NE(server.auth, nullptr);
  const CurveKeyPair client_keys = NewPair();
  Client client(ClientSecurity(client_keys, NewPair().public_key), server.endpoint);
  ExpectNothingArrives(server, client);
  // The server cannot even open the client's HELLO, so ZAP is never asked.
  EXPECT_EQ(server.auth->allowed(), 0);

  Client right(ClientSecurity(client_keys, server.keys.public_key), server.endpoint);
  ExpectRoundTrip(server, right, "right");
}

TEST(WireSecurityTest, ServerWithoutZapHandlerAdmitsNobody) {
  // ZMQ_ZAP_ENFORCE_DOMAIN: with no handler on the context, libzmq would otherwise let
  // every CURVE client in.
  Server server(std::nullopt);
  Client client(ClientSecurity(NewPair(), server.keys.public_key), server.endpoint);
  ExpectNothingArrives(server, client);
}

TEST(WireSecurityTest, StoppedAuthenticatorAdmitsNobody) {
  const CurveKeyPair client_keys = NewPair();
  Server server(std::vector<std::string>{client_keys.public_key});
  ASSERT_NE(server.auth, nullptr);
  const auto before = std::chrono::steady_clock::now();
  server.auth->Stop();
  server.auth->Stop();  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1));
  Client client(ClientSecurity(client_keys, server.keys.public_key), server.endpoint);
  ExpectNothingArrives(server, client);
}

TEST(WireSecurityTest, NullMechanismIsDeniedByZap) {
  // A non-CURVE server socket that asks ZAP (it has a ZAP domain) gets a NULL request.
  zmq::context_t context;
  auto auth = ZapAuthenticator::Start(context, {});
  ASSERT_TRUE(auth.ok()) << auth.status();
  zmq::socket_t router(context, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.set(zmq::sockopt::zap_domain, std::string(kCensusZapDomain));
  router.bind("tcp://127.0.0.1:*");
  zmq::context_t client_context;
  zmq::socket_t dealer(client_context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(router.get(zmq::sockopt::last_endpoint));
  ASSERT_TRUE(SendToRouter(dealer, Request("null")).ok());
  EXPECT_FALSE(WaitReadable(router, kSilence));
  ASSERT_TRUE(Eventually([&] { return (*auth)->denied() >= 1; }));
  auto denied = (*auth)->last_denied();
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->mechanism, "NULL");
  EXPECT_EQ(denied->reason, "CURVE required");
  router.close();
}

TEST(WireSecurityTest, OneAuthenticatorPerContext) {
  zmq::context_t context;
  auto first = ZapAuthenticator::Start(context, {});
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = ZapAuthenticator::Start(context, {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAlreadyExists) << second.status();
  // Another context has its own ZAP endpoint.
  zmq::context_t other;
  EXPECT_TRUE(ZapAuthenticator::Start(other, {}).ok());
}

TEST(WireSecurityTest, AuthenticatorRejectsBadKeys) {
  zmq::context_t context;
  auto started = ZapAuthenticator::Start(context, {NewPair().public_key, "short"});
  EXPECT_EQ(ErrorOf(started), "authorized key 2 has 5 characters; a Z85 CURVE key has 40");
}

TEST(WireSecurityTest, AuthenticatorSurvivesContextShutdown) {
  // Destroying the context first must not hang: the ZAP thread sees ETERM and closes.
  std::unique_ptr<ZapAuthenticator> auth;
  {
    zmq::context_t context;
    auto started = ZapAuthenticator::Start(context, {});
    ASSERT_TRUE(started.ok());
    auth = std::move(*started);
  }
  auth.reset();
}

TEST(WireSecurityTest, SecureSocketsRejectBadKeysAndPlaintextIsANoOp) {
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::router);
  WireSecurity security;
  security.own.secret_key = "not a key";
  EXPECT_EQ(ErrorOf(SecureServerSocket(socket, security)),
            "server secret key has 9 characters; a Z85 CURVE key has 40");
  security.own = NewPair();
  security.own.public_key = NewPair().public_key;
  EXPECT_EQ(ErrorOf(SecureServerSocket(socket, security)),
            "server public key does not belong to its secret key");
  WireSecurity client = ClientSecurity(NewPair(), "");
  EXPECT_EQ(ErrorOf(SecureClientSocket(socket, client)),
            "server public key has 0 characters; a Z85 CURVE key has 40");

  WireSecurity plaintext;
  plaintext.plaintext = true;
  EXPECT_TRUE(SecureServerSocket(socket, plaintext).ok());
  EXPECT_EQ(socket.get(zmq::sockopt::mechanism), ZMQ_NULL);

  security.own = NewPair();
  ASSERT_TRUE(SecureServerSocket(socket, security).ok());
  EXPECT_EQ(socket.get(zmq::sockopt::mechanism), ZMQ_CURVE);
  EXPECT_EQ(socket.get(zmq::sockopt::zap_domain), "census");
}

// --- key files -------------------------------------------------------------------------

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("wire_security_test_", ::getpid(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::ofstream(Path(name), std::ios::binary) << content;
    return Path(name);
  }
  static std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, RoundTrip) {
  const CurveKeyPair pair = NewPair();
  ASSERT_TRUE(WriteKeyPair(Path("coordinator"), pair).ok());

  EXPECT_EQ(Slurp(Path("coordinator.pub")), pair.public_key + "\n");
  const std::string key_text = Slurp(Path("coordinator.key"));
  EXPECT_EQ(key_text.front(), '#');
  EXPECT_THAT(key_text, HasSubstr("\npublic-key = " + pair.public_key + "\n"));
  EXPECT_THAT(key_text, HasSubstr("\nsecret-key = " + pair.secret_key + "\n"));

  struct stat st;
  ASSERT_EQ(::stat(Path("coordinator.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto read = ReadKeyPair(Path("coordinator.key"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->public_key, pair.public_key);
  EXPECT_EQ(read->secret_key, pair.secret_key);
  EXPECT_EQ(ReadPublicKey(Path("coordinator.pub")).value_or(""), pair.public_key);
  EXPECT_EQ(ReadPublicKey(Path("coordinator.key")).value_or(""), pair.public_key);

  // The generated variant writes a pair that reads back.
  ASSERT_TRUE(WriteKeyPair(Path("worker")).ok());
  auto worker = ReadKeyPair(Path("worker.key"));
  ASSERT_TRUE(worker.ok()) << worker.status();
  EXPECT_EQ(ReadPublicKey(Path("worker.pub")).value_or(""), worker->public_key);
}

TEST_F(KeyFileTest, KeyFileIsPrivateWhateverTheUmask) {
  const mode_t old = ::umask(0);
  absl::Status written = WriteKeyPair(Path("open"));
  ::umask(old);
  ASSERT_TRUE(written.ok()) << written;
  struct stat st;
  ASSERT_EQ(::stat(Path("open.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(KeyFileTest, RefusesToOverwrite) {
  ASSERT_TRUE(WriteKeyPair(Path("a")).ok());
  const std::string key_before = Slurp(Path("a.key"));
  absl::Status again = WriteKeyPair(Path("a"));
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrorOf(again), Path("a.key") + ": already exists; not overwriting it");
  EXPECT_EQ(Slurp(Path("a.key")), key_before);

  // Only the .pub exists: refused, and no .key is left behind.
  Write("b.pub", "someone else's\n");
  absl::Status b = WriteKeyPair(Path("b"));
  EXPECT_EQ(ErrorOf(b), Path("b.pub") + ": already exists; not overwriting it");
  EXPECT_FALSE(std::filesystem::exists(Path("b.key")));
  EXPECT_EQ(Slurp(Path("b.pub")), "someone else's\n");
}

TEST_F(KeyFileTest, PublicKeyIsDerivedWhenMissing) {
  const CurveKeyPair pair = NewPair();
  const std::string path =
      Write("s.key", "# only the secret\nsecret-key = " + pair.secret_key + "\n");
  auto read = ReadKeyPair(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->public_key, pair.public_key);
}

TEST_F(KeyFileTest, BadKeyFilesSayWhatIsWrong) {
  const CurveKeyPair pair = NewPair();
  const CurveKeyPair other = NewPair();

  std::string path = Write("short.key", "# c\npublic-key = " + pair.public_key +
                                            "\nsecret-key = " + pair.secret_key.substr(1) + "\n");
  EXPECT_EQ(ErrorOf(ReadKeyPair(path)),
            path + ": line 3: secret-key has 39 characters; a Z85 CURVE key has 40");

  std::string bad_char = pair.secret_key;
  bad_char[4] = '~';
  path = Write("char.key", "secret-key = " + bad_char + "\n");
  EXPECT_EQ(ErrorOf(ReadKeyPair(path)),
            path + ": line 1: secret-key is not valid Z85: character '~' at position 5");

  path = Write("overflow.key", "secret-key = %%%%%" + std::string(35, '0') + "\n");
  EXPECT_EQ(ErrorOf(ReadKeyPair(path)),
            path + ": line 1: secret-key is not valid Z85: a 5-character group exceeds 32 bits");

  path = Write("mismatch.key",
               "\npublic-key = " + other.public_key + "\nsecret-key = " + pair.secret_key + "\n");
  EXPECT_EQ(ErrorOf(ReadKeyPair(path)),
            path + ": line 2: public-key does not belong to the secret-key on line 3");

  path = Write("nosecret.key", "public-key = " + pair.public_key + "\n");
  EXPECT_EQ(ErrorOf(ReadKeyPair(path)),
            path + ": no secret-key line (a .pub file holds only the public key)");

  path = Write("typo.key", "secret-key = " + pair.secret_key + "\nsecret_key = x\n");
  EXPECT_EQ(ErrorOf(ReadKeyPair(path)),
            path +
                ": line 2: unknown setting 'secret_key' (a key file has public-key and "
                "secret-key lines)");

  path = Write("twice.key",
               "secret-key = " + pair.secret_key + "\nsecret-key = " + other.secret_key + "\n");
  EXPECT_EQ(ErrorOf(ReadKeyPair(path)),
            path + ": line 2: secret-key given twice (first on line 1)");

  EXPECT_EQ(ErrorOf(ReadKeyPair(Path("missing.key"))),
            Path("missing.key") + ": cannot open: No such file or directory");
  EXPECT_EQ(ReadKeyPair(Path("missing.key")).status().code(), absl::StatusCode::kNotFound);

  path = Write("two.pub", pair.public_key + "\n" + other.public_key + "\n");
  EXPECT_EQ(ErrorOf(ReadPublicKey(path)), path + ": holds 2 keys; a public key file holds one");
  path = Write("empty.pub", "# nothing\n\n");
  EXPECT_EQ(ErrorOf(ReadPublicKey(path)), path + ": no key");
  path = Write("garbage.pub", "ssh-ed25519 AAAA\n");
  EXPECT_EQ(ErrorOf(ReadPublicKey(path)),
            path + ": line 1: public key has 16 characters; a Z85 CURVE key has 40");
}

TEST_F(KeyFileTest, AuthorizedKeysFile) {
  const std::string a = NewPair().public_key;
  const std::string b = NewPair().public_key;
  const std::string path = Write(
      "authorized", "# census workers\n\n  " + a + "  \r\n#" + b + "\n" + b + "\n" + a + "\n");
  auto keys = ReadAuthorizedKeys(path);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(*keys, (std::vector<std::string>{a, b}));  // file order, duplicates dropped

  const std::string bad = Write("bad", a + "\n" + b.substr(0, 20) + "\n");
  EXPECT_EQ(ErrorOf(ReadAuthorizedKeys(bad)),
            bad + ": line 2: public key has 20 characters; a Z85 CURVE key has 40");
  std::string bad_char = b;
  bad_char[38] = '"';
  const std::string quoted = Write("quoted", bad_char + "\n");
  EXPECT_EQ(ErrorOf(ReadAuthorizedKeys(quoted)),
            quoted + ": line 1: public key is not valid Z85: character '\\\"' at position 39");
  const std::string empty = Write("empty", "# nobody yet\n");
  EXPECT_EQ(ErrorOf(ReadAuthorizedKeys(empty)),
            empty + ": no keys (an empty list would allow any CURVE client)");
}

TEST_F(KeyFileTest, AuthorizedKeysDirectory) {
  std::filesystem::create_directories(dir_ / "clients");
  ASSERT_TRUE(WriteKeyPair(Path("clients/w2")).ok());
  ASSERT_TRUE(WriteKeyPair(Path("clients/w1")).ok());
  Write("clients/README", "not a key\n");
  auto keys = ReadAuthorizedKeys(Path("clients"));
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(*keys, (std::vector<std::string>{ReadPublicKey(Path("clients/w1.pub")).value(),
                                             ReadPublicKey(Path("clients/w2.pub")).value()}));

  Write("clients/w3.pub", "oops\n");
  EXPECT_EQ(
      ErrorOf(ReadAuthorizedKeys(Path("clients"))),
      Path("clients/w3.pub") + ": line 1: public key has 4 characters; a Z85 CURVE key has 40");

  std::filesystem::create_directories(dir_ / "none");
  EXPECT_EQ(ErrorOf(ReadAuthorizedKeys(Path("none"))),
            Path("none") + ": no *.pub files (an empty list would allow any CURVE client)");
}

}  // namespace
}  // namespace census
