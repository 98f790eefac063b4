// End to end, issue 15: homepages that misbehave in the usual ways, each on its own host
// name routed to one raw TCP server of this test (it speaks HTTP by hand, so it can
// trickle, reset mid-body, send a gzip bomb or an endless chunked body). The real
// `census` probes and reads them (a redirect loop, a server that never answers, 60 MB,
// random bytes, invalid GBK, a one-byte-a-second trickle, a reset mid-body, a gzip bomb,
// a broken gzip body, an endless chunked body, a 503, a closed port, a redirect to a
// private address); each site's verdict and the stated reason are checked
// in report.json and report.csv, and the reasons' words in report.html.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "proto/report.pb.h"
#include "tests/simweb_process.h"
#include "tests/subprocess.h"

namespace census {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunToCompletion;

// Writes all of `data`; false once the peer is gone.
bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string Head(int status, const std::string& type, const std::string& extra) {
  return absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Type: ", type, "\r\n", extra,
                      "Connection: close\r\n\r\n");
}

// 64 MiB of zeros as one gzip member (about 64 KB): a gzip bomb.
std::string GzipBomb() {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);  // 31: gzip wrapper
  const std::string zeros(1 << 20, '\0');
  std::string out;
  char buf[1 << 16];
  for (int mb = 0; mb < 64; ++mb) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    z.avail_in = static_cast<uInt>(zeros.size());
    const int flush = mb == 63 ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof(buf);
      deflate(&z, flush);
      out.append(buf, sizeof(buf) - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

// One behaviour a host name: the homepage of each misbehaving site.
class RawServer {
 public:
  RawServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 256);
    accept_ = std::thread([this] { AcceptLoop(); });
  }
  ~RawServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    accept_.join();
    for (std::thread& t : conns_) t.join();
  }
  int port() const { return port_; }

 private:
  void AcceptLoop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      conns_.emplace_back([this, c] {
        Serve(c);
        close(c);
      });
    }
  }

  // Sleeps up to `ms`, waking early when the test ends.
  void Nap(int ms) {
    for (int i = 0; i < ms / 10 && !stop_; ++i) usleep(10000);
  }

  void Serve(int c) {
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      pollfd p{c, POLLIN, 0};
      if (stop_ || poll(&p, 1, 100) < 0) return;
      if ((p.revents & POLLIN) == 0) continue;
      ssize_t n = recv(c, buf, sizeof(buf), 0);
      if (n <= 0) return;
      req.append(buf, static_cast<size_t>(n));
    }
    std::string host, path = "/";
    for (absl::string_view line : absl::StrSplit(req, "\r\n")) {
      if (absl::StartsWithIgnoreCase(line, "host:")) {
        host = std::string(absl::StripAsciiWhitespace(line.substr(5)));
        host = host.substr(0, host.find(':'));
      } else if (absl::StartsWith(line, "GET ") || absl::StartsWith(line, "HEAD ")) {
        std::vector<std::string> parts = absl::StrSplit(line, ' ');
        if (parts.size() > 1) path = parts[1];
      }
    }
    const std::string page =
        "<html><head><meta charset=\"utf-8\"><title>测试</title></head><body><ul>"
        "<li><a href=\"/a1.html\">工作动态一</a><span>2026-11-19</span></li></ul></body></html>";
    if (path == "/robots.txt") {
      WriteAll(c, Head(404, "text/plain", "") + "no");
    } else if (host == "loop.test.gov.cn") {
      WriteAll(
          c, Head(302, "text/html",
                  absl::StrCat("Location: http://loop.test.gov.cn/loop", path.size() % 2, "\r\n")));
    } else if (host == "hang.test.gov.cn") {
      Nap(20000);  // accepts, never answers (cut short when the census hangs up)
    } else if (host == "huge.test.gov.cn") {
      // 60 MB of page behind a 200 at once.
      if (!WriteAll(c,
                    Head(200, "text/html; charset=utf-8", "Content-Length: 62914560\r\n") + page)) {
        return;
      }
      const std::string filler(1 << 20, ' ');
      for (int i = 0; i < 60 && !stop_; ++i) {
        if (!WriteAll(c, filler)) return;
      }
    } else if (host == "noise.test.gov.cn") {
      std::string noise;
      uint32_t x = 12345;
      for (int i = 0; i < 20000; ++i) {
        x = x * 1103515245u + 12345u;
        noise += static_cast<char>(x >> 24);
      }
      WriteAll(c, Head(200, "text/html", "") + noise);
    } else if (host == "gbk.test.gov.cn") {
      // GBK with invalid bytes in the middle of the list.
      WriteAll(c, Head(200, "text/html; charset=gbk", "") +
                      "<html><head><title>\xb2\xe2\xca\xd4</title></head><body><ul><li><a "
                      "href=\"/a1.html\">\xb9\xa4\xd7\xf7\xff\xff\x80</a><span>2026-11-19</span>"
                      "</li></ul></body></html>");
    } else if (host == "trickle.test.gov.cn") {
      if (!WriteAll(c, Head(200, "text/html", ""))) return;
      for (int i = 0; i < 30 && !stop_; ++i) {
        if (!WriteAll(c, "<")) return;
        Nap(1000);
      }
    } else if (host == "reset.test.gov.cn") {
      WriteAll(c, Head(200, "text/html", "Content-Length: 100000\r\n") + page.substr(0, 60));
      linger l{1, 0};
      setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof(l));  // RST, not FIN
    } else if (host == "bomb.test.gov.cn") {
      WriteAll(c, Head(200, "text/html", "Content-Encoding: gzip\r\n") + bomb_);
    } else if (host == "badgzip.test.gov.cn") {
      // The header says gzip, the body is not.
      WriteAll(c, Head(200, "text/html", "Content-Encoding: gzip\r\n") +
                      std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) +
                      std::string(4096, '\xff'));
    } else if (host == "chunked.test.gov.cn") {
      if (!WriteAll(c,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: "
                    "chunked\r\n\r\n")) {
        return;
      }
      const std::string chunk = absl::StrCat("10000\r\n", std::string(65536, 'x'), "\r\n");
      for (int i = 0; i < 2000 && !stop_; ++i) {
        if (!WriteAll(c, chunk)) return;
      }
    } else if (host == "down.test.gov.cn") {
      WriteAll(c, Head(503, "text/html", "") + "<html><body>维护中</body></html>");
    } else if (host == "private.test.gov.cn") {
      WriteAll(c, Head(302, "text/html", "Location: http://10.1.2.3/\r\n"));
    } else {
      WriteAll(c, Head(200, "text/html; charset=utf-8", "") + page);
    }
  }

  const std::string bomb_ = GzipBomb();
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread accept_;
  std::vector<std::thread> conns_;
};

struct Expect {
  const char* host;
  const char* verdict;       // pass | fail | unreachable
  const char* probe_reason;  // failures_by_error[0].error, "" when every probe answered
  int over_cap;              // probes answered over the fetch cap
  const char* words;         // in report.html's site section ("" for none)
};

TEST(ProbeReasonsEndToEnd, EveryMisbehavingHomepageGetsItsReason) {
  const fs::path dir = fs::temp_directory_path() / absl::StrCat("census-reasons-", getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  RawServer server;
  const Expect kSites[] = {
      {"ok.test.gov.cn", "pass", "", 0, ""},
      {"loop.test.gov.cn", "unreachable", "redirect_loop", 0, "重定向循环"},
      {"hang.test.gov.cn", "unreachable", "timeout", 0, "超时"},
      {"huge.test.gov.cn", "pass", "", 2, "超过抓取上限"},
      {"trickle.test.gov.cn", "unreachable", "timeout", 0, "超时"},
      {"down.test.gov.cn", "unreachable", "http_5xx", 0, "服务器错误"},
      {"closed.test.gov.cn", "unreachable", "connect", 0, "无法建立连接"},
      {"private.test.gov.cn", "unreachable", "blocked_address", 0, "内网地址"},
      // Random bytes served as a page: reachable, but it shows no dated item.
      {"noise.test.gov.cn", "fail", "", 0, ""},
      // Invalid GBK bytes inside a title: the rest of the page is read.
      {"gbk.test.gov.cn", "pass", "", 0, ""},
      // A 200 then a reset, or a body that cannot be decoded: the page never opens.
      {"reset.test.gov.cn", "unreachable", "other", 0, "Connection reset by peer"},
      {"badgzip.test.gov.cn", "unreachable", "other", 0, "unencoding"},
      // 64 MiB of zeros in 64 KB of gzip: answered at once, cut at the cap, nothing dated.
      {"bomb.test.gov.cn", "fail", "", 2, ""},
      // An endless chunked body: answered at once (over the cap), nothing dated in it.
      {"chunked.test.gov.cn", "fail", "", 2, "超过抓取上限"},
  };
  std::string csv = "site_id,name,url\n";
  std::vector<std::string> argv = {
      CENSUS_BIN, "run", "--sites", (dir / "sites.csv").string(), "--out", (dir / "out").string(),
      "--data", (dir / "data").string(), "--as-of", "2026-11-20", "--probes", "2",
      // Only port 80 is routed: no IPv6 probe or HTTPS check
      // (they would look the names up; e2e_tls_test has them).
      "--ipv6-probes", "0", "--https-check", "off", "--probe-interval", "100ms", "--probe-timeout",
      "2s", "--page-timeout", "3s", "--recheck-delay", "100ms", "--workers", "2", "--quiet"};
  // A port nobody listens on for the closed site.
  int closed_port = 0;
  {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    closed_port = ntohs(addr.sin_port);
    close(fd);
  }
  int i = 0;
  for (const Expect& e : kSites) {
    absl::StrAppend(&csv, 100 + i, ",", e.host, ",http://", e.host, "/\n");
    const int port = std::string(e.host) == "closed.test.gov.cn" ? closed_port : server.port();
    argv.push_back("--connect-to");
    argv.push_back(absl::StrCat(e.host, ":80:127.0.0.1:", port));
    ++i;
  }
  std::ofstream(dir / "sites.csv") << csv;
  ASSERT_EQ(RunToCompletion(argv, (dir / "census.out").string(), (dir / "census.err").string()), 0)
      << ReadFile(dir / "census.err");

  report::CensusReport report;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(ReadFile(dir / "out" / "report.json"), &report)
          .ok());
  std::map<std::string, const report::SiteReport*> by_name;
  for (const report::SiteReport& s : report.sites()) by_name[s.name()] = &s;
  const std::string csv_out = ReadFile(dir / "out" / "report.csv");
  const std::string html = ReadFile(dir / "out" / "report.html");
  for (const Expect& e : kSites) {
    SCOPED_TRACE(e.host);
    ASSERT_TRUE(by_name.count(e.host));
    const report::SiteReport& s = *by_name[e.host];
    EXPECT_EQ(s.verdict(), e.verdict);
    const report::Reachability& r = s.reachability();
    EXPECT_EQ(r.probes(), 2);
    if (std::string(e.probe_reason).empty()) {
      EXPECT_EQ(r.failures(), 0);
      EXPECT_EQ(r.failures_by_error_size(), 0);
    } else {
      EXPECT_EQ(r.failures(), 2);
      ASSERT_EQ(r.failures_by_error_size(), 1);
      EXPECT_EQ(r.failures_by_error(0).error(), e.probe_reason);
      EXPECT_EQ(r.failures_by_error(0).count(), 2);
      EXPECT_TRUE(absl::StrContains(
          csv_out,
          absl::StrCat(",", e.probe_reason, ":2,unverified,unverified,0,0,unverified,0,,,\r\n")));
    }
    EXPECT_EQ(r.over_cap(), e.over_cap);
    // The crawl's own fetch of the homepage fails the same way, and says so.
    EXPECT_EQ(s.homepage().fetch_error(), e.probe_reason);
    if (std::string(e.verdict) == "fail") {
      ASSERT_EQ(s.vetoes_size(), 1);
      EXPECT_EQ(s.vetoes(0).rule(), "homepage_stale");
    }
    if (std::string(e.probe_reason) == "redirect_loop") {
      EXPECT_GE(r.failures_by_error(0).redirects_size(), 2);
    }
    if (std::string(e.probe_reason) == "timeout") {
      EXPECT_GE(r.failures_by_error(0).elapsed_ms(), 1900);
      // The silent server sent nothing; the trickle answered at once, then crawled.
      if (std::string(e.host) == "hang.test.gov.cn") {
        EXPECT_EQ(r.failures_by_error(0).first_byte_ms(), -1);
        EXPECT_TRUE(absl::StrContains(html, "服务器未作任何响应"));
      } else {
        EXPECT_GE(r.failures_by_error(0).first_byte_ms(), 0);
        EXPECT_LT(r.failures_by_error(0).first_byte_ms(), r.failures_by_error(0).elapsed_ms());
        EXPECT_TRUE(absl::StrContains(html, "收到首字节"));
      }
    }
    if (*e.words != '\0') {
      EXPECT_TRUE(absl::StrContains(html, e.words)) << e.words;
    }
  }
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace census
