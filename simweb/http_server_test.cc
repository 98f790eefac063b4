#include "simweb/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace census::simweb {
namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void SendRaw(int fd, const std::string& s) {
  ASSERT_EQ(send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
}

// Reads until the peer closes (or 5 s pass).
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  while (true) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

struct RawResponse {
  std::string head;  // status line + headers
  std::string body;
};

// Reads one Content-Length framed response from `fd`, keeping leftovers in *carry.
bool ReadResponse(int fd, std::string* carry, RawResponse* out, bool head_request = false) {
  char buf[4096];
  auto fill = [&]() {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) return false;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    carry->append(buf, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = carry->find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return false;
  }
  out->head = carry->substr(0, end + 2);
  carry->erase(0, end + 4);
  size_t len = 0;
  size_t cl = out->head.find("Content-Length: ");
  if (cl != std::string::npos && !head_request) {
    size_t eol = out->head.find("\r\n", cl);
    std::string v = out->head.substr(cl + 16, eol - cl - 16);
    if (!absl::SimpleAtoi(v, &len)) return false;
  }
  while (carry->size() < len) {
    if (!fill()) return false;
  }
  out->body = carry->substr(0, len);
  carry->erase(0, len);
  return true;
}

TEST(HttpServerTest, ServesGetWithExactBytes) {
  std::mutex mu;
  HttpRequest seen;
  auto server = HttpServer::Start([&](const HttpRequest& r) {
    {
      std::lock_guard<std::mutex> lock(mu);
      seen = r;
    }
    HttpResponse resp;
    resp.headers.push_back({"X-Test", "yes"});
    resp.body = "hello";
    return resp;
  });
  ASSERT_TRUE(server.ok()) << server.status();
  int fd = Connect((*server)->port());
  ASSERT_GE(fd, 0);
  SendRaw(fd,
          "GET /a/b?c=1 HTTP/1.1\r\nHost: WWW.Example.GOV.cn:8080\r\nX-Foo: Bar\r\n"
          "Connection: close\r\n\r\n");
  EXPECT_EQ(ReadAll(fd),
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nX-Test: yes\r\n"
            "Content-Length: 5\r\nConnection: close\r\n\r\nhello");
  close(fd);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/a/b?c=1");
  EXPECT_EQ(seen.host, "www.example.gov.cn");
  EXPECT_EQ(seen.headers.at("x-foo"), "Bar");
  EXPECT_EQ(seen.headers.at("host"), "WWW.Example.GOV.cn:8080");
  EXPECT_EQ((*server)->requests_served(), 1);
}

TEST(HttpServerTest, KeepAliveAndPipelining) {
  auto server = HttpServer::Start([](const HttpRequest& r) {
    HttpResponse resp;
    resp.body = "path=" + r.target;
    return resp;
  });
  ASSERT_TRUE(server.ok());
  int fd = Connect((*server)->port());
  ASSERT_GE(fd, 0);
  std::string carry;
  RawResponse r;
  SendRaw(fd, "GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(ReadResponse(fd, &carry, &r));
  EXPECT_EQ(r.body, "path=/one");
  EXPECT_NE(r.head.find("Connection: keep-alive\r\n"), std::string::npos);
  // Two pipelined requests in one write, the second with a request body.
  SendRaw(fd,
          "GET /two HTTP/1.1\r\nHost: a\r\n\r\nPOST /three HTTP/1.1\r\nHost: a\r\n"
          "Content-Length: 3\r\n\r\nxyz");
  ASSERT_TRUE(ReadResponse(fd, &carry, &r));
  EXPECT_EQ(r.body, "path=/two");
  ASSERT_TRUE(ReadResponse(fd, &carry, &r));
  EXPECT_EQ(r.body, "path=/three");
  close(fd);
  EXPECT_EQ((*server)->requests_served(), 3);
}

TEST(HttpServerTest, HeadHasLengthButNoBody) {
  auto server = HttpServer::Start([](const HttpRequest&) {
    HttpResponse resp;
    resp.status = 404;
    resp.content_type = "text/plain";
    resp.body = "missing!";
    return resp;
  });
  ASSERT_TRUE(server.ok());
  int fd = Connect((*server)->port());
  SendRaw(fd, "HEAD /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ReadAll(fd),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n"
            "Connection: close\r\n\r\n");
  close(fd);
}

TEST(HttpServerTest, NotModifiedHasNoBody) {
  auto server = HttpServer::Start([](const HttpRequest&) {
    HttpResponse resp;
    resp.status = 304;
    resp.headers.push_back({"ETag", "\"v1\""});
    return resp;
  });
  ASSERT_TRUE(server.ok());
  int fd = Connect((*server)->port());
  SendRaw(fd, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ReadAll(fd), "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nConnection: close\r\n\r\n");
  close(fd);
}

TEST(HttpServerTest, Http10ClosesByDefault) {
  auto server = HttpServer::Start([](const HttpRequest&) {
    HttpResponse resp;
    resp.body = "x";
    return resp;
  });
  ASSERT_TRUE(server.ok());
  int fd = Connect((*server)->port());
  SendRaw(fd, "GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(ReadAll(fd),
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1\r\n"
            "Connection: close\r\n\r\nx");
  close(fd);
}

constexpr char kNulRequest[] = "G\0T / HTTP/1.1\r\nHost: a\r\n\r\n";

TEST(HttpServerTest, MalformedRequestsGet400) {
  auto server = HttpServer::Start([](const HttpRequest&) { return HttpResponse(); });
  ASSERT_TRUE(server.ok());
  const std::vector<std::string> bad = {
      "GARBAGE\r\n\r\n",
      "GET /\r\n\r\n",
      "GET / HTTP/9.9\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nNoColonHere\r\n\r\n",
      "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",  // HTTP/1.1 without Host
      std::string(kNulRequest, sizeof(kNulRequest) - 1),
  };
  for (const std::string& req : bad) {
    int fd = Connect((*server)->port());
    ASSERT_GE(fd, 0);
    SendRaw(fd, req);
    std::string got = ReadAll(fd);
    EXPECT_EQ(got.substr(0, 25), "HTTP/1.1 400 Bad Request\r") << req;
    close(fd);
  }
  EXPECT_EQ((*server)->requests_served(), 0);
}

TEST(HttpServerTest, OversizedHeadGets431) {
  auto server = HttpServer::Start([](const HttpRequest&) { return HttpResponse(); });
  ASSERT_TRUE(server.ok());
  int fd = Connect((*server)->port());
  std::string req = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(70000, 'a');
  SendRaw(fd, req);
  std::string got = ReadAll(fd);
  EXPECT_EQ(got.substr(0, 46), "HTTP/1.1 431 Request Header Fields Too Large\r\n");
  close(fd);
}

TEST(HttpServerTest, ClientsThatDisconnectDoNotHurt) {
  auto server = HttpServer::Start([](const HttpRequest&) {
    HttpResponse resp;
    resp.body = std::string(1 << 20, 'z');  // larger than socket buffers
    return resp;
  });
  ASSERT_TRUE(server.ok());
  for (int i = 0; i < 20; ++i) {
    int fd = Connect((*server)->port());
    SendRaw(fd, i % 2 == 0 ? "GET / HTTP/1.1\r\nHost: a\r\n\r\n" : "GET / HTT");
    close(fd);
  }
  int fd = Connect((*server)->port());
  std::string carry;
  RawResponse r;
  SendRaw(fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_TRUE(ReadResponse(fd, &carry, &r));
  EXPECT_EQ(r.body.size(), 1u << 20);
  close(fd);
}

TEST(HttpServerTest, HandlerExceptionBecomes500) {
  auto server = HttpServer::Start(
      [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  ASSERT_TRUE(server.ok());
  int fd = Connect((*server)->port());
  SendRaw(fd, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  std::string got = ReadAll(fd);
  EXPECT_EQ(got.substr(0, 36), "HTTP/1.1 500 Internal Server Error\r\n");
  close(fd);
}

TEST(HttpServerTest, DelayWaitsBeforeAnswering) {
  auto server = HttpServer::Start([](const HttpRequest&) {
    HttpResponse resp;
    resp.delay = absl::Milliseconds(300);
    resp.body = "late";
    return resp;
  });
  ASSERT_TRUE(server.ok());
  int fd = Connect((*server)->port());
  absl::Time start = absl::Now();
  SendRaw(fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string carry;
  RawResponse r;
  ASSERT_TRUE(ReadResponse(fd, &carry, &r));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(290));
  EXPECT_EQ(r.body, "late");
  close(fd);
}

TEST(HttpServerTest, StopCutsHangingResponsesShort) {
  auto server = HttpServer::Start([](const HttpRequest&) {
    HttpResponse resp;
    resp.delay = absl::Seconds(60);
    return resp;
  });
  ASSERT_TRUE(server.ok());
  int fd = Connect((*server)->port());
  int idle = Connect((*server)->port());  // idle keep-alive connection
  SendRaw(fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  while ((*server)->requests_served() < 1)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  absl::Time start = absl::Now();
  server->reset();  // destructor stops and joins
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(ReadAll(fd), "");
  close(fd);
  close(idle);
}

TEST(HttpServerTest, ResetClosesWithoutResponse) {
  auto server = HttpServer::Start([](const HttpRequest&) {
    HttpResponse resp;
    resp.reset = true;
    resp.body = "never sent";
    return resp;
  });
  ASSERT_TRUE(server.ok());
  int fd = Connect((*server)->port());
  SendRaw(fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(ReadAll(fd), "");
  close(fd);
  EXPECT_EQ((*server)->requests_served(), 1);
}

TEST(HttpServerTest, ManyConcurrentClientsThroughput) {
  auto server = HttpServer::Start(
      [](const HttpRequest& r) {
        HttpResponse resp;
        resp.body = r.target;
        return resp;
      },
      0, 64);
  ASSERT_TRUE(server.ok());
  constexpr int kClients = 16;
  constexpr int kPerClient = 500;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  absl::Time start = absl::Now();
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      int fd = Connect((*server)->port());
      if (fd < 0) return;
      std::string carry;
      for (int i = 0; i < kPerClient; ++i) {
        std::string target = absl::StrCat("/c", c, "/", i);
        std::string req = absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: h\r\n\r\n");
        if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size()))
          break;
        RawResponse r;
        if (!ReadResponse(fd, &carry, &r)) break;
        if (r.body == target) ok.fetch_add(1);
      }
      close(fd);
    });
  }
  for (auto& t : clients) t.join();
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(ok.load(), kClients * kPerClient);
  EXPECT_EQ((*server)->requests_served(), kClients * kPerClient);
  // Thousands of requests a second at least, even on a loaded 2-core machine.
  EXPECT_LT(took, absl::Seconds(8)) << "took " << took;
}

TEST(HttpServerTest, MoreClientsThanConnectionThreadsAreQueued) {
  auto server = HttpServer::Start(
      [](const HttpRequest&) {
        HttpResponse resp;
        resp.body = "ok";
        return resp;
      },
      0, 2);
  ASSERT_TRUE(server.ok());
  std::vector<int> fds;
  for (int i = 0; i < 6; ++i) {
    int fd = Connect((*server)->port());
    ASSERT_GE(fd, 0);
    SendRaw(fd, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    fds.push_back(fd);
  }
  for (int fd : fds) {
    std::string got = ReadAll(fd);
    EXPECT_EQ(got.substr(got.size() - 2), "ok");
    close(fd);
  }
  EXPECT_EQ((*server)->requests_served(), 6);
}

TEST(HttpServerTest, IdleKeepAliveConnectionsYieldToWaitingClients) {
  auto server = HttpServer::Start(
      [](const HttpRequest&) {
        HttpResponse resp;
        resp.body = "ok";
        return resp;
      },
      0, 2);
  ASSERT_TRUE(server.ok());
  std::vector<int> idle;
  for (int i = 0; i < 2; ++i) {
    int fd = Connect((*server)->port());
    std::string carry;
    RawResponse r;
    SendRaw(fd, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(ReadResponse(fd, &carry, &r));
    idle.push_back(fd);  // kept open, occupying both connection threads
  }
  absl::Time start = absl::Now();
  int fd = Connect((*server)->port());
  SendRaw(fd, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  std::string got = ReadAll(fd);
  EXPECT_EQ(got.substr(got.size() - 2), "ok");
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  close(fd);
  for (int i : idle) close(i);
}

TEST(HttpServerTest, PortInUseFails) {
  auto a = HttpServer::Start([](const HttpRequest&) { return HttpResponse(); });
  ASSERT_TRUE(a.ok());
  auto b = HttpServer::Start([](const HttpRequest&) { return HttpResponse(); }, (*a)->port());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace census::simweb
