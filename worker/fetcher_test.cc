#include "worker/fetcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simweb/http_server.h"

namespace census {
namespace {

using simweb::HttpRequest;
using simweb::HttpResponse;
using simweb::HttpServer;
using ::testing::ElementsAre;

constexpr char kHost[] = "www.example.gov.cn";

// The test site: every path is a behaviour.
class TestSite {
 public:
  TestSite() {
    auto s = HttpServer::Start([this](const HttpRequest& r) { return Handle(r); });
    EXPECT_TRUE(s.ok()) << s.status();
    server_ = std::move(s).value();
  }
  ~TestSite() { server_.reset(); }  // stop handlers before the members they use go

  int port() const { return server_->port(); }
  int max_concurrent() const { return max_concurrent_.load(); }
  std::string last_header(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return last_headers_[name];
  }

 private:
  HttpResponse Handle(const HttpRequest& r) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_headers_ = r.headers;
    }
    HttpResponse resp;
    const std::string& t = r.target;
    auto redirect = [&](int status, std::string location) {
      resp.status = status;
      resp.headers.push_back({"Location", std::move(location)});
      resp.body = "moved";
    };
    if (t == "/ok") {
      resp.body = "hello";
      resp.headers.push_back({"ETag", "\"v1\""});
      resp.headers.push_back({"Last-Modified", "Wed, 21 Oct 2026 07:28:00 GMT"});
    } else if (t == "/missing") {
      resp.status = 404;
      resp.body = "not here";
    } else if (t == "/gone") {
      resp.status = 410;
    } else if (t == "/forbidden") {
      resp.status = 403;
    } else if (t == "/error") {
      resp.status = 500;
    } else if (t == "/unavailable") {
      resp.status = 503;
    } else if (t == "/r1") {
      redirect(302, "/r2");
    } else if (t == "/r2") {
      redirect(301, absl::StrCat("http://", kHost, "/ok"));
    } else if (t == "/loop") {
      redirect(302, "/loop");
    } else if (t == "/a") {
      redirect(302, "/b");
    } else if (t == "/b") {
      redirect(302, "/a");
    } else if (absl::StartsWith(t, "/chain/")) {
      int n = 0;
      (void)absl::SimpleAtoi(t.substr(7), &n);
      redirect(307, absl::StrCat("/chain/", n + 1));
    } else if (t == "/to-invalid") {
      redirect(302, "http://dead.example.invalid/x");
    } else if (t == "/to-loopback") {
      redirect(302, absl::StrCat("http://127.0.0.1:", port(), "/ok"));
    } else if (t == "/to-localhost") {
      redirect(302, absl::StrCat("http://localhost:", port(), "/ok"));
    } else if (t == "/slow") {
      resp.delay = absl::Seconds(3);
      resp.body = "slow";
    } else if (t == "/big") {
      resp.body = std::string(100000, 'x');
    } else if (t == "/etag") {
      auto inm = r.headers.find("if-none-match");
      resp.headers.push_back({"ETag", "\"v1\""});
      if (inm != r.headers.end() && inm->second == "\"v1\"") {
        resp.status = 304;
      } else {
        resp.body = "fresh";
      }
    } else if (t == "/conc") {
      int now = ++concurrent_;
      int prev = max_concurrent_.load();
      while (now > prev && !max_concurrent_.compare_exchange_weak(prev, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      --concurrent_;
      resp.body = "c";
    } else if (t == "/gzip") {
      // gzip of "hello compressed census", sent only to a client that accepts it.
      static const char kGzip[] =
          "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\xcb\x48\xcd\xc9\xc9\x57\x48\xce"
          "\xcf\x2d\x28\x4a\x2d\x2e\x4e\x4d\x51\x48\x4e\xcd\x2b\x2e\x2d\x06\x00\x0e"
          "\xbf\x17\x36\x17\x00\x00\x00";
      auto ae = r.headers.find("accept-encoding");
      if (ae != r.headers.end() && absl::StrContains(ae->second, "gzip")) {
        resp.headers.push_back({"Content-Encoding", "gzip"});
        resp.body.assign(kGzip, sizeof(kGzip) - 1);
      } else {
        resp.body = "hello compressed census";
      }
    } else if (t == "/reset") {
      resp.reset = true;
    } else if (absl::StartsWith(t, "/n/")) {
      resp.body = absl::StrCat("page ", t.substr(3));
      resp.content_type = "text/plain";
    } else {
      resp.status = 404;
    }
    return resp;
  }

  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::map<std::string, std::string> last_headers_;
  std::atomic<int> concurrent_{0};
  std::atomic<int> max_concurrent_{0};
};

FetcherOptions RoutedOptions(int port) {
  FetcherOptions o;
  o.connect_to.push_back({kHost, "", "127.0.0.1", absl::StrCat(port)});
  return o;
}

std::string Url(absl::string_view path) { return absl::StrCat("http://", kHost, path); }

FetchRequest Req(uint64_t tag, std::string url) {
  FetchRequest r;
  r.tag = tag;
  r.url = std::move(url);
  r.timeout = absl::Seconds(10);
  return r;
}

// Submits everything and polls until every result is back (or 30 s pass).
std::map<uint64_t, FetchResult> RunAll(Fetcher* f, std::vector<FetchRequest> reqs) {
  for (auto& r : reqs) f->Submit(std::move(r));
  std::map<uint64_t, FetchResult> out;
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (f->pending() > 0 && absl::Now() < deadline) {
    for (FetchResult& r : f->Poll(absl::Milliseconds(100))) out[r.tag] = std::move(r);
  }
  return out;
}

FetchResult RunOne(Fetcher* f, FetchRequest req) {
  uint64_t tag = req.tag;
  auto m = RunAll(f, {std::move(req)});
  EXPECT_EQ(m.size(), 1u);
  return m[tag];
}

// A port on 127.0.0.1 with nothing listening.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<struct sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(ConnectToTest, ParsesCurlSyntax) {
  auto c = ConnectTo::Parse("www.a.gov.cn:80:127.0.0.1:8080");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->host, "www.a.gov.cn");
  EXPECT_EQ(c->port, "80");
  EXPECT_EQ(c->connect_host, "127.0.0.1");
  EXPECT_EQ(c->connect_port, "8080");
  EXPECT_EQ(c->ToCurlString(), "www.a.gov.cn:80:127.0.0.1:8080");

  auto any = ConnectTo::Parse("::127.0.0.1:9000");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->host, "");
  EXPECT_EQ(any->port, "");
  EXPECT_EQ(any->ToCurlString(), "::127.0.0.1:9000");

  auto v6 = ConnectTo::Parse("[2001:db8::1]:443:[::1]:8443");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "[2001:db8::1]");
  EXPECT_EQ(v6->connect_host, "[::1]");
  EXPECT_EQ(v6->ToCurlString(), "[2001:db8::1]:443:[::1]:8443");

  auto keep_host = ConnectTo::Parse("a.gov.cn:443::8443");
  ASSERT_TRUE(keep_host.ok());
  EXPECT_EQ(keep_host->connect_host, "");
  EXPECT_EQ(keep_host->connect_port, "8443");
}

TEST(ConnectToTest, RejectsMalformed) {
  for (const char* bad : {"", "a:b:c", "a:80:b:1:2", "a:99999:b:1", "a:80:b:x",
                          "a:80::", "[::1:80:b:1", "a b:80:c:1", "a:0:b:1"}) {
    EXPECT_EQ(ConnectTo::Parse(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(FetchErrorNameTest, ReportNames) {
  EXPECT_EQ(FetchErrorName(FETCH_OK), "");
  EXPECT_EQ(FetchErrorName(HTTP_404), "http_404");
  EXPECT_EQ(FetchErrorName(HTTP_4XX), "http_4xx");
  EXPECT_EQ(FetchErrorName(HTTP_5XX), "http_5xx");
  EXPECT_EQ(FetchErrorName(TIMEOUT), "timeout");
  EXPECT_EQ(FetchErrorName(DNS), "dns");
  EXPECT_EQ(FetchErrorName(CONNECT), "connect");
  EXPECT_EQ(FetchErrorName(TLS), "tls");
  EXPECT_EQ(FetchErrorName(SOFT_404), "soft_404");
  EXPECT_EQ(FetchErrorName(REDIRECT_LOOP), "redirect_loop");
  EXPECT_EQ(FetchErrorName(TOO_LARGE), "too_large");
  EXPECT_EQ(FetchErrorName(BLOCKED_ADDRESS), "blocked_address");
  EXPECT_EQ(FetchErrorName(OTHER_ERROR), "other");
}

TEST(FetcherOptionsTest, RejectsBadOptions) {
  FetcherOptions o;
  o.max_host_connections = 0;
  EXPECT_EQ(Fetcher::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
}

class FetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = Fetcher::Create(RoutedOptions(site_.port()));
    ASSERT_TRUE(f.ok()) << f.status();
    fetcher_ = std::move(f).value();
  }
  TestSite site_;
  std::unique_ptr<Fetcher> fetcher_;
};

TEST_F(FetcherTest, Ok200) {
  FetchResult r = RunOne(fetcher_.get(), Req(7, Url("/ok")));
  EXPECT_EQ(r.tag, 7u);
  EXPECT_EQ(r.url, Url("/ok"));
  EXPECT_EQ(r.final_url, Url("/ok"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.error, FETCH_OK);
  EXPECT_EQ(r.error_detail, "");
  EXPECT_EQ(r.body, "hello");
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(r.etag, "\"v1\"");
  EXPECT_EQ(r.last_modified, "Wed, 21 Oct 2026 07:28:00 GMT");
  EXPECT_TRUE(r.redirects.empty());
  EXPECT_FALSE(r.not_modified);
  EXPECT_GT(r.elapsed, absl::ZeroDuration());
  EXPECT_EQ(fetcher_->pending(), 0u);
  // Compressed bodies are asked for; the user agent is ours.
  EXPECT_TRUE(absl::StrContains(site_.last_header("accept-encoding"), "gzip"));
  EXPECT_EQ(site_.last_header("user-agent"), FetcherOptions().user_agent);
  EXPECT_EQ(site_.last_header("host"), kHost);
}

TEST_F(FetcherTest, HttpErrorsAreClassified) {
  auto m = RunAll(fetcher_.get(),
                  {Req(1, Url("/missing")), Req(2, Url("/gone")), Req(3, Url("/forbidden")),
                   Req(4, Url("/error")), Req(5, Url("/unavailable"))});
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[1].status, 404);
  EXPECT_EQ(m[1].error, HTTP_404);
  EXPECT_EQ(m[1].error_detail, "HTTP 404");
  EXPECT_EQ(m[1].body, "not here");
  EXPECT_EQ(m[2].status, 410);
  EXPECT_EQ(m[2].error, HTTP_404);
  EXPECT_EQ(m[3].status, 403);
  EXPECT_EQ(m[3].error, HTTP_4XX);
  EXPECT_EQ(m[4].status, 500);
  EXPECT_EQ(m[4].error, HTTP_5XX);
  EXPECT_EQ(m[5].status, 503);
  EXPECT_EQ(m[5].error, HTTP_5XX);
}

TEST_F(FetcherTest, RedirectChainIsRecorded) {
  FetchResult r = RunOne(fetcher_.get(), Req(1, Url("/r1")));
  EXPECT_EQ(r.error, FETCH_OK);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.final_url, Url("/ok"));
  EXPECT_THAT(r.redirects, ElementsAre(Url("/r2"), Url("/ok")));
}

TEST_F(FetcherTest, RedirectLoopIsDetected) {
  auto m = RunAll(fetcher_.get(), {Req(1, Url("/loop")), Req(2, Url("/a"))});
  EXPECT_EQ(m[1].error, REDIRECT_LOOP);
  EXPECT_EQ(m[1].status, 302);
  EXPECT_THAT(m[1].redirects, ElementsAre(Url("/loop"), Url("/loop")));
  EXPECT_EQ(m[2].error, REDIRECT_LOOP);
  EXPECT_THAT(m[2].redirects, ElementsAre(Url("/b"), Url("/a"), Url("/b"), Url("/a")));
}

TEST(FetcherRedirectLimitTest, TooManyRedirects) {
  TestSite site;
  FetcherOptions o = RoutedOptions(site.port());
  o.max_redirects = 3;
  auto f = Fetcher::Create(o);
  ASSERT_TRUE(f.ok());
  FetchResult r = RunOne(f->get(), Req(1, Url("/chain/0")));
  EXPECT_EQ(r.error, REDIRECT_LOOP);
  EXPECT_EQ(r.status, 307);
  EXPECT_THAT(r.redirects, ElementsAre(Url("/chain/1"), Url("/chain/2"), Url("/chain/3")));
  EXPECT_EQ(r.final_url, Url("/chain/3"));
}

TEST_F(FetcherTest, Timeout) {
  FetchRequest req = Req(1, Url("/slow"));
  req.timeout = absl::Milliseconds(200);
  absl::Time start = absl::Now();
  FetchResult r = RunOne(fetcher_.get(), req);
  EXPECT_EQ(r.error, TIMEOUT);
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(absl::StrContains(r.error_detail, "timed out")) << r.error_detail;
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_GE(r.elapsed, absl::Milliseconds(190));
}

TEST_F(FetcherTest, InvalidTldFailsAsDnsWithoutLookup) {
  fetcher_->Submit(Req(1, "http://nowhere.example.invalid/page"));
  EXPECT_EQ(fetcher_->pending(), 1u);
  std::vector<FetchResult> got = fetcher_->Poll(absl::Seconds(5));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].error, DNS);
  EXPECT_EQ(got[0].status, 0);
  EXPECT_EQ(got[0].error_detail,
            "Could not resolve host: nowhere.example.invalid (.invalid is never resolved)");
  EXPECT_EQ(fetcher_->pending(), 0u);
}

TEST_F(FetcherTest, RedirectToInvalidHostFailsAsDns) {
  FetchResult r = RunOne(fetcher_.get(), Req(1, Url("/to-invalid")));
  EXPECT_EQ(r.error, DNS);
  EXPECT_THAT(r.redirects, ElementsAre("http://dead.example.invalid/x"));
}

TEST(FetcherConnectTest, ConnectionRefused) {
  auto f = Fetcher::Create(RoutedOptions(ClosedPort()));
  ASSERT_TRUE(f.ok());
  FetchResult r = RunOne(f->get(), Req(1, Url("/ok")));
  EXPECT_EQ(r.error, CONNECT);
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error_detail.empty());
}

TEST_F(FetcherTest, ServerResetIsOtherError) {
  FetchResult r = RunOne(fetcher_.get(), Req(1, Url("/reset")));
  EXPECT_EQ(r.error, OTHER_ERROR);
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error_detail.empty());
}

TEST_F(FetcherTest, BadUrls) {
  auto m = RunAll(fetcher_.get(), {Req(1, "not a url"), Req(2, "ftp://www.example.gov.cn/f")});
  EXPECT_EQ(m[1].error, OTHER_ERROR);
  EXPECT_EQ(m[2].error, OTHER_ERROR);
  EXPECT_EQ(m[2].error_detail, "unsupported scheme: ftp");
}

TEST(FetcherBodyCapTest, TruncatesAtCap) {
  TestSite site;
  FetcherOptions o = RoutedOptions(site.port());
  o.max_body_bytes = 1000;
  auto f = Fetcher::Create(o);
  ASSERT_TRUE(f.ok());
  auto m = RunAll(f->get(), {Req(1, Url("/big")), Req(2, Url("/ok"))});
  EXPECT_EQ(m[1].status, 200);
  EXPECT_EQ(m[1].error, TOO_LARGE);
  EXPECT_TRUE(m[1].truncated);
  EXPECT_EQ(m[1].body, std::string(1000, 'x'));
  EXPECT_EQ(m[2].error, FETCH_OK);
  EXPECT_FALSE(m[2].truncated);
  EXPECT_EQ(m[2].body, "hello");
}

TEST_F(FetcherTest, ConditionalRequestNotModified) {
  FetchRequest req = Req(1, Url("/etag"));
  req.etag = "\"v1\"";
  req.last_modified = "Wed, 21 Oct 2026 07:28:00 GMT";
  FetchResult r = RunOne(fetcher_.get(), req);
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.error, FETCH_OK);
  EXPECT_TRUE(r.not_modified);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.etag, "\"v1\"");
  EXPECT_EQ(site_.last_header("if-none-match"), "\"v1\"");
  EXPECT_EQ(site_.last_header("if-modified-since"), "Wed, 21 Oct 2026 07:28:00 GMT");

  FetchRequest stale = Req(2, Url("/etag"));
  stale.etag = "\"v0\"";
  FetchResult r2 = RunOne(fetcher_.get(), stale);
  EXPECT_EQ(r2.status, 200);
  EXPECT_FALSE(r2.not_modified);
  EXPECT_EQ(r2.body, "fresh");
}

TEST_F(FetcherTest, CompressedBodyIsDecoded) {
  FetchResult r = RunOne(fetcher_.get(), Req(1, Url("/gzip")));
  EXPECT_EQ(r.error, FETCH_OK);
  EXPECT_EQ(site_.last_header("accept-encoding").find("gzip") != std::string::npos, true);
  EXPECT_EQ(r.body, "hello compressed census");
}

TEST_F(FetcherTest, ConnectionsAreReused) {
  // One after another to one host: the first opens a connection, the rest reuse it.
  std::vector<int> opened;
  for (int i = 0; i < 4; ++i) {
    FetchResult r = RunOne(fetcher_.get(), Req(static_cast<uint64_t>(i), Url("/n/1")));
    EXPECT_EQ(r.error, FETCH_OK);
    opened.push_back(r.new_connections);
  }
  EXPECT_THAT(opened, ElementsAre(1, 0, 0, 0));
}

TEST_F(FetcherTest, HeadAndDiscardedBody) {
  FetchRequest head = Req(1, Url("/ok"));
  head.head_only = true;
  FetchRequest nobody = Req(2, Url("/ok"));
  nobody.keep_body = false;
  auto m = RunAll(fetcher_.get(), {head, nobody});
  EXPECT_EQ(m[1].status, 200);
  EXPECT_EQ(m[1].error, FETCH_OK);
  EXPECT_EQ(m[1].body, "");
  EXPECT_EQ(m[2].status, 200);
  EXPECT_EQ(m[2].body, "");
}

TEST(FetcherPolitenessTest, PerHostConcurrencyBound) {
  TestSite site;
  FetcherOptions o = RoutedOptions(site.port());
  o.max_host_connections = 2;
  auto f = Fetcher::Create(o);
  ASSERT_TRUE(f.ok());
  std::vector<FetchRequest> reqs;
  for (int i = 0; i < 10; ++i) reqs.push_back(Req(i, Url("/conc")));
  auto m = RunAll(f->get(), reqs);
  ASSERT_EQ(m.size(), 10u);
  for (auto& [tag, r] : m) EXPECT_EQ(r.body, "c") << tag;
  EXPECT_EQ(site.max_concurrent(), 2);
}

TEST(FetcherPolitenessTest, PerHostDelayOnFakeClock) {
  TestSite site;
  FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  FetcherOptions o = RoutedOptions(site.port());
  o.per_host_delay = absl::Seconds(5);
  o.clock = &clock;
  // A second host (same server) is not held back by the first host's delay.
  o.connect_to.push_back({"other.example.gov.cn", "", "127.0.0.1", absl::StrCat(site.port())});
  auto f = Fetcher::Create(o);
  ASSERT_TRUE(f.ok());
  auto m = RunAll(f->get(), {Req(0, Url("/n/0")), Req(1, Url("/n/1")), Req(2, Url("/n/2")),
                             Req(3, "http://other.example.gov.cn/n/3")});
  ASSERT_EQ(m.size(), 4u);
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  EXPECT_EQ(m[0].started, t0);
  EXPECT_EQ(m[1].started, t0 + absl::Seconds(5));
  EXPECT_EQ(m[2].started, t0 + absl::Seconds(10));
  EXPECT_EQ(m[3].started, t0);
  EXPECT_EQ(m[2].body, "page 2");
}

TEST(FetcherPolitenessTest, PerHostDelayOnRealClock) {
  TestSite site;
  FetcherOptions o = RoutedOptions(site.port());
  o.per_host_delay = absl::Milliseconds(100);
  auto f = Fetcher::Create(o);
  ASSERT_TRUE(f.ok());
  auto m = RunAll(f->get(), {Req(0, Url("/n/0")), Req(1, Url("/n/1")), Req(2, Url("/n/2"))});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_GE(m[1].started - m[0].started, absl::Milliseconds(100));
  EXPECT_GE(m[2].started - m[1].started, absl::Milliseconds(100));
}

TEST(FetcherSafetyTest, PrivateAddressesBlockedUnlessAllowed) {
  TestSite site;
  const std::string direct = absl::StrCat("http://127.0.0.1:", site.port(), "/ok");
  const std::string by_name = absl::StrCat("http://localhost:", site.port(), "/ok");
  {
    auto f = Fetcher::Create(FetcherOptions());
    ASSERT_TRUE(f.ok());
    auto m = RunAll(f->get(), {Req(1, direct), Req(2, by_name), Req(3, "http://[::1]:1/"),
                               Req(4, "http://10.1.2.3/"), Req(5, "http://169.254.169.254/")});
    EXPECT_EQ(m[1].error, BLOCKED_ADDRESS);
    EXPECT_EQ(m[1].error_detail, "private address refused: 127.0.0.1");
    EXPECT_EQ(m[2].error, BLOCKED_ADDRESS);  // refused after resolution
    EXPECT_EQ(m[3].error, BLOCKED_ADDRESS);
    EXPECT_EQ(m[4].error, BLOCKED_ADDRESS);
    EXPECT_EQ(m[5].error, BLOCKED_ADDRESS);
  }
  {
    FetcherOptions o;
    o.allow_private_addresses = true;
    auto f = Fetcher::Create(o);
    ASSERT_TRUE(f.ok());
    FetchResult r = RunOne(f->get(), Req(1, direct));
    EXPECT_EQ(r.error, FETCH_OK);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello");
  }
}

TEST_F(FetcherTest, RedirectToPrivateAddressIsBlocked) {
  FetchResult r = RunOne(fetcher_.get(), Req(1, Url("/to-loopback")));
  EXPECT_EQ(r.error, BLOCKED_ADDRESS);
  EXPECT_THAT(r.redirects, ElementsAre(absl::StrCat("http://127.0.0.1:", site_.port(), "/ok")));
}

TEST_F(FetcherTest, RedirectToNameResolvingPrivateIsBlocked) {
  // Only the socket callback can catch this one: the name resolves to loopback.
  FetchResult r = RunOne(fetcher_.get(), Req(1, Url("/to-localhost")));
  EXPECT_EQ(r.error, BLOCKED_ADDRESS);
  EXPECT_EQ(r.status, 302);
  EXPECT_THAT(r.redirects, ElementsAre(absl::StrCat("http://localhost:", site_.port(), "/ok")));
}

TEST(FetcherLoadTest, ManyParallelTransfersAllComplete) {
  TestSite site;
  FetcherOptions o = RoutedOptions(site.port());
  o.max_host_connections = 16;
  // Eight host names, all routed to the one server.
  o.connect_to = {{"", "", "127.0.0.1", absl::StrCat(site.port())}};
  auto f = Fetcher::Create(o);
  ASSERT_TRUE(f.ok());
  std::vector<FetchRequest> reqs;
  for (int i = 0; i < 400; ++i) {
    reqs.push_back(Req(i, absl::StrCat("http://s", i % 8, ".example.gov.cn/n/", i)));
  }
  auto m = RunAll(f->get(), reqs);
  ASSERT_EQ(m.size(), 400u);
  for (auto& [tag, r] : m) {
    ASSERT_EQ(r.error, FETCH_OK) << tag << " " << r.error_detail;
    EXPECT_EQ(r.body, absl::StrCat("page ", tag));
  }
  EXPECT_EQ(f->get()->pending(), 0u);
}

TEST_F(FetcherTest, PollWithNothingPendingReturnsEmpty) {
  EXPECT_TRUE(fetcher_->Poll(absl::Milliseconds(10)).empty());
  EXPECT_EQ(fetcher_->pending(), 0u);
}

// IPv6 only: a host routed to an IPv4 literal has no IPv6 address (the mapping stands in
// for DNS), one routed to [::1] is reached over IPv6 and says so (remote_ip).
TEST(FetcherIpv6Test, ConnectToDecidesTheAaaaAnswer) {
  auto v6 = HttpServer::Start(
      [](const HttpRequest&) {
        HttpResponse r;
        r.body = "over v6";
        return r;
      },
      0, 8, "::1");
  if (!v6.ok()) GTEST_SKIP() << "no ::1 on this machine: " << v6.status();
  FetcherOptions o;
  o.connect_to.push_back({"v6.example.gov.cn", "", "[::1]", absl::StrCat((*v6)->port())});
  o.connect_to.push_back({"v4.example.gov.cn", "", "127.0.0.1", "1"});
  auto f = Fetcher::Create(o);
  ASSERT_TRUE(f.ok()) << f.status();
  FetchRequest over_v6 = Req(1, "http://v6.example.gov.cn/");
  over_v6.ip_family = IpFamily::kV6;
  over_v6.fresh_connection = true;
  FetchRequest no_aaaa = Req(2, "http://v4.example.gov.cn/");
  no_aaaa.ip_family = IpFamily::kV6;
  auto m = RunAll(f->get(), {over_v6, no_aaaa});
  EXPECT_EQ(m[1].error, FETCH_OK) << m[1].error_detail;
  EXPECT_EQ(m[1].status, 200);
  EXPECT_EQ(m[1].remote_ip, "::1");
  EXPECT_EQ(m[1].body, "over v6");
  EXPECT_EQ(m[2].error, DNS);
  EXPECT_EQ(m[2].error_detail,
            "Could not resolve host: v4.example.gov.cn has no IPv6 address (--connect-to maps it "
            "to 127.0.0.1)");
}

TEST(FetcherTlsTest, CertificateProblemNames) {
  EXPECT_EQ(CertificateProblem(10, ""), "expired");       // X509_V_ERR_CERT_HAS_EXPIRED
  EXPECT_EQ(CertificateProblem(9, ""), "not_yet_valid");  // X509_V_ERR_CERT_NOT_YET_VALID
  EXPECT_EQ(CertificateProblem(18, ""), "self_signed");   // ..._DEPTH_ZERO_SELF_SIGNED_CERT
  EXPECT_EQ(CertificateProblem(19, ""), "self_signed");   // ..._SELF_SIGNED_CERT_IN_CHAIN
  EXPECT_EQ(CertificateProblem(20, ""), "untrusted");     // ..._UNABLE_TO_GET_ISSUER_CERT_LOCALLY
  EXPECT_EQ(CertificateProblem(21, ""), "untrusted");     // ..._UNABLE_TO_VERIFY_LEAF_SIGNATURE
  EXPECT_EQ(CertificateProblem(23, ""), "revoked");       // X509_V_ERR_CERT_REVOKED
  EXPECT_EQ(CertificateProblem(62, ""), "wrong_host");    // X509_V_ERR_HOSTNAME_MISMATCH
  // libcurl's own host check after a verified chain: X509_V_OK or X509_V_ERR_UNSPECIFIED.
  const char kMismatch[] =
      "SSL: no alternative certificate subject name matches target host name 'a.gov.cn'";
  EXPECT_EQ(CertificateProblem(0, kMismatch), "wrong_host");
  EXPECT_EQ(CertificateProblem(1, kMismatch), "wrong_host");
  EXPECT_EQ(CertificateProblem(1, "something else"), "other");
  EXPECT_EQ(CertificateProblem(79, ""), "untrusted");  // X509_V_ERR_INVALID_CA
  EXPECT_EQ(CertificateProblem(26, ""), "other");      // X509_V_ERR_INVALID_PURPOSE
}

TEST(FetcherTlsTest, ReadCertInfoPemRejectsWhatIsNotACertificate) {
  TlsDetails tls;
  EXPECT_FALSE(ReadCertInfoPem("", &tls));
  EXPECT_FALSE(
      ReadCertInfoPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", &tls));
  EXPECT_EQ(tls.not_after, absl::InfinitePast());
}

}  // namespace
}  // namespace census
