// End to end: hostile peers on the wire of the real server roles. A `census store`
// (shard 0/1) and a `census coordinator` run with CURVE on (keys from `census keygen`,
// an authorized-keys file listing one client key) and /metrics. Each role gets, from
// this process: garbage frames and malformed messages, messages with another protocol
// version ("census/0" and worse), a request from a CURVE client whose key is not
// authorized, one from a plaintext client, and a 100 MB message from the authorized
// client (over the coordinator's 16 MiB limit: the transport drops the peer; within the
// store's 256 MiB: it arrives and must be dropped as unparseable). Afterwards the role
// is still running, answers the authorized client correctly, counts the malformed and
// wrong-version messages in census_wire_dropped_messages, and its /metrics passes
// `promtool check metrics`. The refused clients never get an answer.

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/wire.h"
#include "common/wire_security.h"
#include "proto/census.pb.h"
#include "tests/simweb_process.h"
#include "tests/subprocess.h"

namespace census {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunToCompletion;
using testing::Subprocess;

constexpr auto kNoAnswerWait = std::chrono::milliseconds(1500);
constexpr auto kAnswerWait = std::chrono::seconds(10);

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// GET http://127.0.0.1:port/path; nullopt unless it answered 200 within 5 s.
std::optional<std::string> HttpGet(int port, const std::string& path) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return std::nullopt;
  std::string body;
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK || status != 200) return std::nullopt;
  return body;
}

// The value of an unlabelled sample `name` in a Prometheus text exposition.
std::optional<double> Sample(const std::string& text, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(line, name + " ")) continue;
    double v = 0;
    if (absl::SimpleAtod(line.substr(name.size() + 1), &v)) return v;
  }
  return std::nullopt;
}

bool WaitReadable(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, timeout);
  return (item.revents & ZMQ_POLLIN) != 0;
}

void SendRaw(zmq::socket_t& socket, const std::vector<std::string>& frames) {
  for (size_t i = 0; i < frames.size(); ++i) {
    socket.send(zmq::buffer(frames[i]),
                i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

enum class ClientKind { kAuthorized, kUnauthorized, kPlaintext };

// The roles under test, their keys and the clients' keys, in one temp directory.
class WireAbuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    dir_ = fs::temp_directory_path() / absl::StrCat("census_wire_abuse_", getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const char* name : {"store", "coordinator", "good", "bad"}) {
      ASSERT_EQ(RunToCompletion({CENSUS_BIN, "keygen", "--out", (dir_ / name).string()},
                                (dir_ / "keygen.out").string(), (dir_ / "keygen.err").string()),
                0)
          << ReadFile(dir_ / "keygen.err");
    }
    // Only the good client may talk to the servers.
    std::ofstream(dir_ / "authorized_keys") << "# the test's authorized client\n"
                                            << ReadFile(dir_ / "good.pub");
  }

  void TearDown() override {
    coordinator_.reset();
    store_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
    curl_global_cleanup();
  }

  // Starts `census store` and waits for its /metrics.
  void StartStore() {
    store_port_ = testing::FreeLoopbackPort();
    store_metrics_ = testing::FreeLoopbackPort();
    store_endpoint_ = absl::StrCat("tcp://127.0.0.1:", store_port_);
    store_ = std::make_unique<Subprocess>(
        std::vector<std::string>{CENSUS_BIN, "store", "--listen", store_endpoint_, "--data",
                                 (dir_ / "store-data").string(), "--shard", "0/1", "--metrics",
                                 absl::StrCat("127.0.0.1:", store_metrics_), "--key",
                                 (dir_ / "store.key").string(), "--authorized-keys",
                                 (dir_ / "authorized_keys").string()},
        (dir_ / "store.out").string(), (dir_ / "store.err").string());
    ASSERT_TRUE(WaitForMetrics(*store_, store_metrics_)) << ReadFile(dir_ / "store.err");
  }

  // Starts `census coordinator` (one unreachable site, no probes, no workers: it serves
  // and never finishes) pointed at the store, and waits for its /metrics.
  void StartCoordinator() {
    std::ofstream(dir_ / "sites.csv")
        << "site_id,name,url\nunreachable,Nowhere,http://127.0.0.1:9/\n";
    coordinator_port_ = testing::FreeLoopbackPort();
    coordinator_metrics_ = testing::FreeLoopbackPort();
    coordinator_endpoint_ = absl::StrCat("tcp://127.0.0.1:", coordinator_port_);
    coordinator_ = std::make_unique<Subprocess>(
        std::vector<std::string>{CENSUS_BIN,
                                 "coordinator",
                                 "--listen",
                                 coordinator_endpoint_,
                                 "--data",
                                 (dir_ / "coordinator-data").string(),
                                 "--sites",
                                 (dir_ / "sites.csv").string(),
                                 "--stores",
                                 store_endpoint_,
                                 "--probes",
                                 "0",
                                 "--quiet",
                                 "--metrics",
                                 absl::StrCat("127.0.0.1:", coordinator_metrics_),
                                 "--key",
                                 (dir_ / "coordinator.key").string(),
                                 "--server-key",
                                 (dir_ / "store.pub").string(),
                                 "--authorized-keys",
                                 (dir_ / "authorized_keys").string()},
        (dir_ / "coordinator.out").string(), (dir_ / "coordinator.err").string());
    ASSERT_TRUE(WaitForMetrics(*coordinator_, coordinator_metrics_))
        << ReadFile(dir_ / "coordinator.err");
  }

  // Polls /metrics (up to 30 s) while the process runs.
  bool WaitForMetrics(Subprocess& process, int port) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!process.Running()) return false;
      if (HttpGet(port, "/metrics").has_value()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::optional<double> Dropped(int metrics_port) {
    auto text = HttpGet(metrics_port, "/metrics");
    if (!text.has_value()) return std::nullopt;
    return Sample(*text, "census_wire_dropped_messages");
  }

  // Waits (up to `timeout`) until census_wire_dropped_messages >= `want`; the last value.
  double WaitDropped(int metrics_port, double want, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    double last = -1;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto v = Dropped(metrics_port); v.has_value()) last = *v;
      if (last >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return last;
  }

  // A DEALER connected to `endpoint` as `kind`.
  std::unique_ptr<zmq::socket_t> Client(const std::string& endpoint, const std::string& server,
                                        ClientKind kind) {
    auto socket = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
    EXPECT_TRUE(ConfigureSocket(*socket, kStoreMaxMessage).ok());
    if (kind != ClientKind::kPlaintext) {
      const char* name = kind == ClientKind::kAuthorized ? "good" : "bad";
      auto own = ReadKeyPair((dir_ / absl::StrCat(name, ".key")).string());
      auto server_key = ReadPublicKey((dir_ / absl::StrCat(server, ".pub")).string());
      EXPECT_TRUE(own.ok()) << own.status();
      EXPECT_TRUE(server_key.ok()) << server_key.status();
      if (own.ok() && server_key.ok()) {
        WireSecurity security;
        security.own = *own;
        security.server_public_key = *server_key;
        EXPECT_TRUE(SecureClientSocket(*socket, security).ok());
      }
    }
    socket->connect(endpoint);
    return socket;
  }

  // Sends `request` as `kind` and waits for an answer: the reply, or nullopt.
  template <typename Reply>
  std::optional<Reply> Ask(const std::string& endpoint, const std::string& server, ClientKind kind,
                           const google::protobuf::MessageLite& request,
                           std::chrono::milliseconds wait) {
    auto socket = Client(endpoint, server, kind);
    EXPECT_TRUE(SendToRouter(*socket, request).ok());
    if (!WaitReadable(*socket, wait)) return std::nullopt;
    Reply reply;
    absl::Status st = ReceiveFromRouter(*socket, &reply);
    EXPECT_TRUE(st.ok()) << st;
    return reply;
  }

  // Everything the test throws at one role. `request` is a valid request the role
  // answers, `check_reply` checks a payload of its answer. `big_is_parsed`: the 100 MB
  // message is within the role's size limit, so it is parsed (and must be dropped).
  template <typename Reply>
  void Abuse(const std::string& role, Subprocess& process, const std::string& endpoint,
             int metrics_port, const google::protobuf::MessageLite& request,
             const std::function<void(const Reply&)>& check_reply, bool big_is_parsed) {
    SCOPED_TRACE(role);
    const fs::path log = dir_ / (role + ".err");
    // Ready: the authorized client is answered, nothing dropped yet.
    auto first = Ask<Reply>(endpoint, role, ClientKind::kAuthorized, request, kAnswerWait);
    ASSERT_TRUE(first.has_value()) << "no answer before the abuse\n" << ReadFile(log);
    check_reply(*first);
    ASSERT_EQ(Dropped(metrics_port).value_or(-1), 0) << "census_wire_dropped_messages";

    const std::string payload = request.SerializeAsString();
    // (1) Garbage: from the authorized client, so it reaches the parser.
    std::string random(4096, '\0');
    for (size_t i = 0; i < random.size(); ++i) random[i] = static_cast<char>((i * 7919 + 13) % 251);
    std::vector<std::vector<std::string>> garbage = {
        {"garbage"},
        {random},
        {"", kWireProtocol},                      // no payload
        {"", kWireProtocol, payload, "extra"},    // one frame too many
        {"not empty", kWireProtocol, payload},    // no delimiter
        {"", kWireProtocol, "\xff\xff\xff\xff"},  // not a protobuf
        {"", kWireProtocol, ""},                  // a message with no body
        {"", kWireProtocol, random},
    };
    std::vector<std::string> many(40, "x");  // more parts than anyone keeps
    garbage.push_back(many);
    // (2) Other protocol versions.
    const std::vector<std::vector<std::string>> wrong_version = {
        {"", "census/0", payload},
        {"", "", payload},
        {"", std::string("\x00\xff census/1\n", 12), payload},
        {"", std::string(1000, 'v'), payload},
    };
    const double expected = static_cast<double>(garbage.size() + wrong_version.size());
    {
      auto abuser = Client(endpoint, role, ClientKind::kAuthorized);
      for (const auto& frames : garbage) SendRaw(*abuser, frames);
      for (const auto& frames : wrong_version) SendRaw(*abuser, frames);
      const double dropped = WaitDropped(metrics_port, expected, std::chrono::seconds(30));
      EXPECT_GE(dropped, expected) << "census_wire_dropped_messages\n" << ReadFile(log);
      EXPECT_FALSE(WaitReadable(*abuser, std::chrono::milliseconds(200)))
          << "a malformed message was answered";
    }
    ASSERT_TRUE(process.Running()) << "died after garbage\n" << ReadFile(log);

    // (3) A CURVE client whose key is not authorized, (4) a plaintext client: no answer.
    EXPECT_FALSE(
        Ask<Reply>(endpoint, role, ClientKind::kUnauthorized, request, kNoAnswerWait).has_value())
        << "an unauthorized CURVE client was answered";
    EXPECT_FALSE(
        Ask<Reply>(endpoint, role, ClientKind::kPlaintext, request, kNoAnswerWait).has_value())
        << "a plaintext client was answered";
    ASSERT_TRUE(process.Running()) << "died after refused clients\n" << ReadFile(log);

    // (5) 100 MB from the authorized client.
    {
      auto big = Client(endpoint, role, ClientKind::kAuthorized);
      big->set(zmq::sockopt::linger, 30000);  // the send is queued: let it go out
      SendRaw(*big, {"", kWireProtocol, std::string(100'000'000, '\xff')});
      if (big_is_parsed) {
        // It arrives and fails to parse: one more drop.
        const double dropped = WaitDropped(metrics_port, expected + 1, std::chrono::seconds(60));
        EXPECT_GE(dropped, expected + 1) << "the 100 MB message was not dropped\n" << ReadFile(log);
      } else {
        // The transport cuts the peer off at the size limit; nothing to count, no answer.
        EXPECT_FALSE(WaitReadable(*big, std::chrono::seconds(3)));
      }
      big->set(zmq::sockopt::linger, 0);
    }

    // Afterwards: alive, answering, counted, and the metrics are valid.
    EXPECT_TRUE(process.Running()) << "died\n" << ReadFile(log);
    EXPECT_EQ(kill(process.pid(), 0), 0);
    auto after = Ask<Reply>(endpoint, role, ClientKind::kAuthorized, request, kAnswerWait);
    ASSERT_TRUE(after.has_value()) << "no answer after the abuse\n" << ReadFile(log);
    check_reply(*after);
    auto text = HttpGet(metrics_port, "/metrics");
    ASSERT_TRUE(text.has_value());
    const std::optional<double> dropped = Sample(*text, "census_wire_dropped_messages");
    ASSERT_TRUE(dropped.has_value()) << *text;
    EXPECT_GE(*dropped, expected);
    const fs::path scraped = dir_ / (role + ".metrics");
    std::ofstream(scraped) << *text;
    const std::string promtool =
        absl::StrCat("/usr/bin/promtool check metrics < ", scraped.string(), " > ",
                     (dir_ / "promtool.out").string(), " 2>&1");
    const int rc = std::system(promtool.c_str());
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0)
        << "promtool check metrics: " << ReadFile(dir_ / "promtool.out") << "\n"
        << *text;
  }

  fs::path dir_;
  zmq::context_t context_;
  std::unique_ptr<Subprocess> store_, coordinator_;
  int store_port_ = 0, store_metrics_ = 0, coordinator_port_ = 0, coordinator_metrics_ = 0;
  std::string store_endpoint_, coordinator_endpoint_;
};

TEST_F(WireAbuseTest, StoreSurvivesHostilePeers) {
  ASSERT_NO_FATAL_FAILURE(StartStore());
  ToStore request;
  request.mutable_info();
  Abuse<FromStore>(
      "store", *store_, store_endpoint_, store_metrics_, request,
      [](const FromStore& reply) {
        ASSERT_TRUE(reply.has_info()) << reply.ShortDebugString();
        EXPECT_EQ(reply.info().shard(), 0);
        EXPECT_EQ(reply.info().shards(), 1);
      },
      /*big_is_parsed=*/true);
}

TEST_F(WireAbuseTest, CoordinatorSurvivesHostilePeers) {
  ASSERT_NO_FATAL_FAILURE(StartStore());
  ASSERT_NO_FATAL_FAILURE(StartCoordinator());
  ToCoordinator request;
  request.mutable_status_request();
  Abuse<FromCoordinator>(
      "coordinator", *coordinator_, coordinator_endpoint_, coordinator_metrics_, request,
      [](const FromCoordinator& reply) {
        ASSERT_TRUE(reply.has_status()) << reply.ShortDebugString();
        EXPECT_EQ(reply.status().sites_total(), 1);
        EXPECT_FALSE(reply.status().run_id().empty());
      },
      /*big_is_parsed=*/false);
}

}  // namespace
}  // namespace census
