// PageRenderer and RenderQueue against the real Chromium (/usr/bin/chromium, or
// $CENSUS_CHROMIUM; scripts/install-browser.sh installs it). Without it every test
// that needs a browser is skipped. The pages' subrequests are served from memory,
// except in CurlFetchAgainstLoopbackServer, which goes through libcurl to a real
// loopback HTTP server.

#include "worker/renderer.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>

#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simweb/http_server.h"

namespace census {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPage[] = "http://www.example.gov.cn/col/col7/index.html";

#define REQUIRE_CHROMIUM()                                                                    \
  do {                                                                                        \
    if (!ChromiumAvailable(DefaultChromiumPath())) {                                          \
      GTEST_SKIP() << "no Chromium at " << DefaultChromiumPath()                              \
                   << " (scripts/install-browser.sh installs it; CENSUS_CHROMIUM overrides)"; \
    }                                                                                         \
  } while (0)

// Subresources served from memory; records every request the renderer passed on.
class FakeWeb {
 public:
  void Serve(const std::string& url, std::string content_type, std::string body,
             std::vector<std::pair<std::string, std::string>> extra_headers = {}) {
    SubresourceResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", std::move(content_type)}};
    r.headers.insert(r.headers.end(), extra_headers.begin(), extra_headers.end());
    r.body = std::move(body);
    pages_[url] = std::move(r);
  }
  SubresourceFetch Fetch() {
    return [this](const SubresourceRequest& req) { return Handle(req); };
  }
  SubresourceResponse Handle(const SubresourceRequest& req) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(req);
    auto it = pages_.find(req.url);
    if (it != pages_.end()) return it->second;
    SubresourceResponse missing;
    missing.status = 404;
    missing.headers = {{"Content-Type", "text/plain"}};
    return missing;
  }
  std::vector<std::string> seen_urls() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& r : seen_) out.push_back(r.url);
    return out;
  }
  std::vector<SubresourceRequest> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, SubresourceResponse> pages_;
  std::vector<SubresourceRequest> seen_;
};

RendererOptions Options(FakeWeb& web) {
  RendererOptions o;
  o.fetch = web.Fetch();
  return o;
}

std::unique_ptr<PageRenderer> StartOrDie(RendererOptions o) {
  auto r = PageRenderer::Start(std::move(o));
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::move(*r) : nullptr;
}

RenderRequest Page(std::string html, std::string url = kPage) {
  RenderRequest req;
  req.url = std::move(url);
  req.body = std::move(html);
  req.content_type = "text/html; charset=utf-8";
  return req;
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos;
       p = haystack.find(needle, p + needle.size())) {
    ++n;
  }
  return n;
}

// Live (not zombie) processes whose process group is `pgid`, read from /proc.
int LiveInGroup(pid_t pgid) {
  int n = 0;
  DIR* d = opendir("/proc");
  if (d == nullptr) return -1;
  while (struct dirent* e = readdir(d)) {
    int pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
    std::string line;
    if (!std::getline(in, line) || line.rfind(')') == std::string::npos) continue;
    std::vector<std::string> f =
        absl::StrSplit(line.substr(line.rfind(')') + 2), ' ', absl::SkipEmpty());
    int pgrp = 0;
    if (f.size() >= 3 && absl::SimpleAtoi(f[2], &pgrp) && pgrp == pgid && f[0] != "Z") ++n;
  }
  closedir(d);
  return n;
}

// A column list the way CMS templates build it: a JS array, createElement.
constexpr char kScriptList[] = R"(<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>通知公告</title></head><body>
<ul id="list"></ul>
<script>
var items = [
  {t: "关于开展2026年度政府网站普查的通知", u: "/art/2026/11/20/art_7_1.html", d: "2026-11-20"},
  {t: "关于公布第三批政务服务事项的公告", u: "/art/2026/11/12/art_7_2.html", d: "2026-11-12"},
  {t: "2026年第三季度政府网站检查情况通报", u: "/art/2026/10/30/art_7_3.html", d: "2026-10-30"}
];
var ul = document.getElementById("list");
for (var i = 0; i < items.length; i++) {
  var li = document.createElement("li"), a = document.createElement("a"), s = document.createElement("span");
  a.setAttribute("href", items[i].u); a.textContent = items[i].t; s.textContent = items[i].d;
  li.appendChild(a); li.appendChild(s); ul.appendChild(li);
}
</script></body></html>)";

TEST(RendererStartTest, RefusesMissingChromiumAndMissingFetch) {
  RendererOptions o;
  o.chromium_path = "/nonexistent/chromium";
  o.fetch = [](const SubresourceRequest&) { return SubresourceResponse(); };
  auto r = PageRenderer::Start(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("/nonexistent/chromium"));
  EXPECT_FALSE(ChromiumAvailable("/nonexistent/chromium"));
  EXPECT_FALSE(ChromiumAvailable("/tmp"));  // not a file

  RendererOptions no_fetch;
  EXPECT_EQ(PageRenderer::Start(no_fetch).status().code(), absl::StatusCode::kInvalidArgument);
}

// One browser for most tests (a start and a close per test would double the suite's
// time), with a cap of 5 subrequests and images requested (so that they can be seen
// refused). Each test has a FakeWeb of its own, or sets fetch_.
class SharedRendererTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!ChromiumAvailable(DefaultChromiumPath())) return;
    RendererOptions o;
    o.fetch = [](const SubresourceRequest& req) { return (*current_fetch_)(req); };
    o.max_subrequests = 5;
    // Blink does not even ask for images when they are off (the default).
    o.extra_flags = {"--blink-settings=imagesEnabled=true"};
    auto r = PageRenderer::Start(std::move(o));
    if (r.ok()) shared_ = std::move(*r);
    start_status_ = r.status();
  }
  static void TearDownTestSuite() { shared_.reset(); }

  void SetUp() override {
    REQUIRE_CHROMIUM();
    ASSERT_NE(shared_, nullptr) << start_status_;
    fetch_ = web_.Fetch();
    current_fetch_ = &fetch_;
    before_ = shared_->stats();
  }
  void TearDown() override { current_fetch_ = nullptr; }

  PageRenderer* r() { return shared_.get(); }

  FakeWeb web_;
  SubresourceFetch fetch_;
  RendererStats before_;
  static inline std::unique_ptr<PageRenderer> shared_;
  static inline absl::Status start_status_;
  static inline SubresourceFetch* current_fetch_ = nullptr;
};

TEST_F(SharedRendererTest, ScriptBuiltListFromArray) {
  auto page = r()->Render(Page(kScriptList));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->url, kPage);
  EXPECT_FALSE(page->timed_out);
  EXPECT_EQ(Count(page->html, "<li>"), 3);
  EXPECT_THAT(page->html,
              HasSubstr("<li><a href=\"/art/2026/11/20/art_7_1.html\">"
                        "关于开展2026年度政府网站普查的通知</a><span>2026-11-20</span></li>"));
  EXPECT_THAT(page->html,
              HasSubstr("<li><a href=\"/art/2026/11/12/art_7_2.html\">"
                        "关于公布第三批政务服务事项的公告</a><span>2026-11-12</span></li>"));
  EXPECT_THAT(page->html,
              HasSubstr("<li><a href=\"/art/2026/10/30/art_7_3.html\">"
                        "2026年第三季度政府网站检查情况通报</a><span>2026-10-30</span></li>"));
  EXPECT_THAT(web_.seen_urls(), ElementsAre());
  EXPECT_EQ(page->subrequests, 0);
  EXPECT_EQ(page->blocked, 0);
  EXPECT_EQ(r()->stats().renders, before_.renders + 1);
  EXPECT_GT(r()->LastRssBytes(), 0);
  EXPECT_GE(r()->stats().peak_rss_bytes, r()->LastRssBytes());
}

TEST_F(SharedRendererTest, XhrJsonListGoesThroughTheFetchCallback) {
  web_.Serve(
      "http://www.example.gov.cn/api/list?channelId=7&page=1", "application/json",
      R"({"total":2,"rows":[{"title":"市政府常务会议纪要","url":"/art/2026/11/18/art_7_9.html","date":"2026-11-18"},)"
      R"({"title":"政府信息公开年度报告","url":"/art/2026/11/02/art_7_8.html","date":"2026-11-02"}]})");
  auto page = r()->Render(Page(R"(<html><body><div id="box"></div><script>
var x = new XMLHttpRequest();
x.open("GET", "/api/list?channelId=7&page=1");
x.setRequestHeader("X-Requested-With", "XMLHttpRequest");
x.onload = function () {
  var rows = JSON.parse(x.responseText).rows, ul = document.createElement("ul");
  rows.forEach(function (r) {
    var li = document.createElement("li");
    li.innerHTML = '<a href="' + r.url + '">' + r.title + '</a><em>' + r.date + '</em>';
    ul.appendChild(li);
  });
  document.getElementById("box").appendChild(ul);
};
x.send();
</script></body></html>)"));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Count(page->html, "<li>"), 2);
  EXPECT_THAT(page->html,
              HasSubstr("<li><a href=\"/art/2026/11/18/art_7_9.html\">市政府常务会议纪要</a>"
                        "<em>2026-11-18</em></li>"));
  EXPECT_THAT(page->html,
              HasSubstr("<li><a href=\"/art/2026/11/02/art_7_8.html\">政府信息公开年度报告</a>"
                        "<em>2026-11-02</em></li>"));
  EXPECT_THAT(web_.seen_urls(),
              ElementsAre("http://www.example.gov.cn/api/list?channelId=7&page=1"));
  const SubresourceRequest seen = web_.seen()[0];
  EXPECT_EQ(seen.method, "GET");
  std::map<std::string, std::string> headers(seen.headers.begin(), seen.headers.end());
  EXPECT_EQ(headers["Referer"], kPage);
  EXPECT_EQ(headers["X-Requested-With"], "XMLHttpRequest");
  EXPECT_EQ(headers.count("User-Agent"), 0u);
  EXPECT_EQ(page->subrequests, 1);
  EXPECT_EQ(r()->stats().subrequests, before_.subrequests + 1);
}

TEST_F(SharedRendererTest, FetchApiPostListAndJsonp) {
  web_.Serve("http://www.example.gov.cn/api/search", "application/json",
             R"([{"t":"区政府工作报告","d":"2026-11-19"}])");
  // GBK bytes in a header value, as some servers send: not UTF-8, so not JSON text.
  web_.Serve("http://www.example.gov.cn/api/jsonp?channelId=7&callback=cb",
             "application/javascript",
             R"(cb({"list":[{"t":"乡村振兴工作动态","d":"2026-11-17"},)"
             R"({"t":"安全生产专项整治","d":"2026-11-16"}]});)",
             {{"X-Column", "\xcd\xa8\xd6\xaa"}});
  auto page = r()->Render(Page(R"(<html><body><ul id="a"></ul><ul id="b"></ul><script>
function add(id, t, d) {
  var li = document.createElement("li"); li.textContent = t + " " + d;
  document.getElementById(id).appendChild(li);
}
function cb(data) { data.list.forEach(function (r) { add("b", r.t, r.d); }); }
fetch("/api/search", {method: "POST", headers: {"Content-Type": "application/json"},
                      body: JSON.stringify({channelId: 7, page: 1})})
  .then(function (r) { return r.json(); })
  .then(function (rows) { rows.forEach(function (r) { add("a", r.t, r.d); }); });
</script><script src="/api/jsonp?channelId=7&amp;callback=cb"></script></body></html>)"));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->html, HasSubstr("<ul id=\"a\"><li>区政府工作报告 2026-11-19</li></ul>"));
  EXPECT_THAT(page->html, HasSubstr("<ul id=\"b\"><li>乡村振兴工作动态 2026-11-17</li>"
                                    "<li>安全生产专项整治 2026-11-16</li></ul>"));
  std::vector<SubresourceRequest> seen = web_.seen();
  ASSERT_EQ(seen.size(), 2u);
  const SubresourceRequest& post = seen[0].method == "POST" ? seen[0] : seen[1];
  EXPECT_EQ(post.url, "http://www.example.gov.cn/api/search");
  EXPECT_EQ(post.post_body, R"({"channelId":7,"page":1})");
}

TEST_F(SharedRendererTest, DocumentWriteList) {
  auto page = r()->Render(Page(R"(<html><body><script>
document.write('<ul class="news">');
for (var i = 1; i <= 4; i++) {
  document.write('<li><a href="/art/' + i + '.html">信息' + i + '</a> 2026-11-0' + i + '</li>');
}
document.write('</ul>');
</script></body></html>)"));
  ASSERT_TRUE(page.ok()) << page.status();
  const size_t list = page->html.rfind("<ul class=\"news\">");  // the script's own text has one
  ASSERT_NE(list, std::string::npos);
  EXPECT_EQ(Count(page->html.substr(list, page->html.find("</ul>", list) - list), "<li>"), 4);
  EXPECT_THAT(page->html, HasSubstr("<ul class=\"news\"><li><a href=\"/art/1.html\">信息1</a> "
                                    "2026-11-01</li>"));
  EXPECT_THAT(page->html, HasSubstr("<li><a href=\"/art/4.html\">信息4</a> 2026-11-04</li></ul>"));
}

TEST_F(SharedRendererTest, ImagesAndStylesheetsAreBlockedUnfetched) {
  web_.Serve("http://www.example.gov.cn/js/list.js", "application/javascript",
             "document.getElementById('l').innerHTML = '<li>ok</li>';");
  auto page = r()->Render(Page(R"(<html><head>
<link rel="stylesheet" href="/css/a.css">
<link rel="stylesheet" href="http://cdn.example.gov.cn/css/b.css">
</head><body><img src="/img/banner.png"><ul id="l"></ul>
<script src="/js/list.js"></script></body></html>)"));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->html, HasSubstr("<ul id=\"l\"><li>ok</li></ul>"));
  EXPECT_THAT(web_.seen_urls(), ElementsAre("http://www.example.gov.cn/js/list.js"));
  EXPECT_EQ(page->blocked, 3);  // two stylesheets, one image
  EXPECT_EQ(page->subrequests, 1);
  EXPECT_EQ(r()->stats().blocked, before_.blocked + 3);
}

// Chromium's cache never answers for SubresourceFetch: each render fetches again.
TEST_F(SharedRendererTest, CacheableScriptIsFetchedOnEveryRender) {
  web_.Serve("http://www.example.gov.cn/js/cached.js", "application/javascript",
             "document.getElementById('l').innerHTML = '<li>cached</li>';",
             {{"Cache-Control", "public, max-age=86400"}});
  for (int i = 0; i < 2; ++i) {
    auto page = r()->Render(
        Page(R"(<html><body><ul id="l"></ul><script src="/js/cached.js"></script></body></html>)"));
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_THAT(page->html, HasSubstr("<ul id=\"l\"><li>cached</li></ul>"));
  }
  EXPECT_THAT(web_.seen_urls(), ElementsAre("http://www.example.gov.cn/js/cached.js",
                                            "http://www.example.gov.cn/js/cached.js"));
}

TEST_F(SharedRendererTest, NavigationsAwayAreCancelled) {
  auto scripted = r()->Render(Page(R"(<html><body><ul><li>原页面条目</li></ul>
<script>location.href = "http://evil.example/";</script></body></html>)"));
  ASSERT_TRUE(scripted.ok()) << scripted.status();
  EXPECT_EQ(scripted->url, kPage);
  EXPECT_THAT(scripted->html, HasSubstr("<li>原页面条目</li>"));
  EXPECT_EQ(scripted->navigations_blocked, 1);

  auto refresh = r()->Render(Page(R"(<html><head>
<meta http-equiv="refresh" content="0;url=http://evil.example/refresh"></head>
<body><ul><li>刷新前条目</li></ul></body></html>)"));
  ASSERT_TRUE(refresh.ok()) << refresh.status();
  EXPECT_EQ(refresh->url, kPage);
  EXPECT_THAT(refresh->html, HasSubstr("<li>刷新前条目</li>"));
  EXPECT_EQ(refresh->navigations_blocked, 1);
  for (const std::string& url : web_.seen_urls()) EXPECT_THAT(url, Not(HasSubstr("evil")));
}

TEST_F(SharedRendererTest, SubrequestCapPerRender) {
  for (int i = 0; i < 10; ++i) {
    web_.Serve(absl::StrCat("http://www.example.gov.cn/api/item?i=", i), "text/plain", "ok");
  }
  auto page = r()->Render(Page(R"(<html><body><ol id="o"></ol><script>
for (let i = 0; i < 10; i++) {
  fetch("/api/item?i=" + i).then(function (r) { return r.text(); },
                                 function () { return "refused"; })
    .then(function (t) {
      var li = document.createElement("li"); li.textContent = t;
      document.getElementById("o").appendChild(li);
    });
}
</script></body></html>)"));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->subrequests, 5);
  EXPECT_EQ(page->blocked, 5);
  EXPECT_EQ(web_.seen_urls().size(), 5u);
  EXPECT_EQ(Count(page->html, "<li>ok</li>"), 5);
  EXPECT_EQ(Count(page->html, "<li>refused</li>"), 5);
}

TEST(RendererTest, TimeoutTakesTheDomOrReplacesTheBrowser) {
  REQUIRE_CHROMIUM();
  FakeWeb web;
  RendererOptions o = Options(web);
  o.render_timeout = absl::Seconds(6);
  auto r = StartOrDie(o);
  ASSERT_NE(r, nullptr);
  // Never idle (a poll every 50 ms): the DOM is taken anyway, marked timed_out.
  auto busy = r->Render(Page(R"(<html><body><ul id="l"><li>轮询前条目</li></ul><script>
setInterval(function () { fetch("/api/poll?t=" + Date.now()).catch(function () {}); }, 50);
</script></body></html>)"));
  ASSERT_TRUE(busy.ok()) << busy.status();
  EXPECT_TRUE(busy->timed_out);
  EXPECT_THAT(busy->html, HasSubstr("<li>轮询前条目</li>"));
  EXPECT_LT(busy->elapsed, o.render_timeout);

  const pid_t first = r->browser_pid();
  const absl::Time start = absl::Now();
  auto page = r->Render(Page("<html><body><ul id=l></ul><script>while (true) {}</script>"));
  const absl::Duration took = absl::Now() - start;
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), absl::StatusCode::kDeadlineExceeded) << page.status();
  EXPECT_LT(took, o.render_timeout + absl::Seconds(3));
  EXPECT_EQ(LiveInGroup(first), 0);  // the spinning browser is gone

  auto next = r->Render(Page(kScriptList));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(Count(next->html, "<li>"), 3);
  EXPECT_NE(r->browser_pid(), first);
  EXPECT_EQ(r->stats().restarts, 1);
  EXPECT_EQ(r->stats().failures, 1);
  EXPECT_EQ(r->stats().renders, 2);
}

TEST(RendererTest, RestartsAfterRendersPerBrowserAndOverRss) {
  REQUIRE_CHROMIUM();
  FakeWeb web;
  RendererOptions o = Options(web);
  o.renders_per_browser = 1;
  auto r = StartOrDie(o);
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(r->Render(Page(kScriptList)).ok());
  EXPECT_EQ(r->browser_pid(), 0);             // stopped after its one render
  auto again = r->Render(Page(kScriptList));  // a fresh browser, started on demand
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Count(again->html, "<li>"), 3);
  EXPECT_EQ(r->stats().restarts, 1);

  RendererOptions small = Options(web);
  small.max_rss_bytes = 1;  // every render is over
  auto s = StartOrDie(small);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->Render(Page(kScriptList)).ok());
  EXPECT_GT(s->LastRssBytes(), 1);
  EXPECT_EQ(s->browser_pid(), 0);
}

TEST(RendererTest, DestructorLeavesNoChromiumProcess) {
  REQUIRE_CHROMIUM();
  FakeWeb web;
  auto r = StartOrDie(Options(web));
  ASSERT_NE(r, nullptr);
  ASSERT_TRUE(r->Render(Page(kScriptList)).ok());
  const pid_t pgid = r->browser_pid();
  ASSERT_GT(pgid, 0);
  EXPECT_GE(LiveInGroup(pgid), 2);  // the browser and at least its renderer
  r.reset();
  EXPECT_EQ(LiveInGroup(pgid), 0);
}

TEST(RendererTest, BrowserKilledFromOutsideIsRestarted) {
  REQUIRE_CHROMIUM();
  FakeWeb web;
  auto r = StartOrDie(Options(web));
  ASSERT_NE(r, nullptr);
  const pid_t pgid = r->browser_pid();
  ASSERT_EQ(killpg(pgid, SIGKILL), 0);
  for (int i = 0; i < 200 && LiveInGroup(pgid) > 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  auto page = r->Render(Page(kScriptList));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Count(page->html, "<li>"), 3);
  EXPECT_EQ(r->stats().restarts, 1);
}

// What a loopback server was asked, in order (requests arrive on its threads).
struct RecordedRequests {
  std::mutex mu;
  std::vector<simweb::HttpRequest> list;
};

// A real HttpServer on a free loopback port that records every request in `requests`
// and answers with `answer`.
absl::StatusOr<std::unique_ptr<simweb::HttpServer>> RecordingServer(
    RecordedRequests* requests,
    std::function<simweb::HttpResponse(const simweb::HttpRequest&)> answer) {
  return simweb::HttpServer::Start([requests, answer](const simweb::HttpRequest& req) {
    {
      std::lock_guard<std::mutex> lock(requests->mu);
      requests->list.push_back(req);
    }
    return answer(req);
  });
}

TEST_F(SharedRendererTest, CurlFetchAgainstLoopbackServer) {
  RecordedRequests requests;
  auto server = RecordingServer(&requests, [&](const simweb::HttpRequest& req) {
    simweb::HttpResponse resp;
    if (req.target == "/api/list?channelId=7&page=1") {
      resp.content_type = "application/json";
      resp.body =
          R"({"rows":[{"t":"政务公开目录","d":"2026-11-21"},{"t":"规范性文件清理","d":"2026-11-15"}]})";
    } else {
      resp.status = 404;
      resp.body = "not found";
    }
    return resp;
  });
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();

  FetcherOptions fo;
  fo.connect_to.push_back({"www.example.gov.cn", "", "127.0.0.1", absl::StrCat(port)});
  fetch_ = CurlSubresourceFetch(fo, absl::Seconds(5), 1 << 20);
  // The second script names the server by its loopback address, which no connect_to
  // rule routes: the private-address policy refuses it before any connection.
  auto page = r()->Render(Page(absl::StrCat(R"(<html><body><ul id="l"></ul><script>
fetch("/api/list?channelId=7&page=1").then(function (r) { return r.json(); }).then(function (j) {
  j.rows.forEach(function (r) {
    var li = document.createElement("li"); li.textContent = r.t + " " + r.d;
    document.getElementById("l").appendChild(li);
  });
});
</script><script src="http://127.0.0.1:)",
                                            port, R"(/private.js"></script></body></html>)")));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->html, HasSubstr("<ul id=\"l\"><li>政务公开目录 2026-11-21</li>"
                                    "<li>规范性文件清理 2026-11-15</li></ul>"));
  EXPECT_EQ(page->subrequests, 2);
  EXPECT_EQ(page->subrequest_failures, 1);
  std::lock_guard<std::mutex> lock(requests.mu);
  ASSERT_EQ(requests.list.size(), 1u);
  EXPECT_EQ(requests.list[0].target, "/api/list?channelId=7&page=1");
  EXPECT_EQ(requests.list[0].host, "www.example.gov.cn");
  EXPECT_EQ(requests.list[0].headers["referer"], kPage);
  EXPECT_EQ(requests.list[0].headers["user-agent"], fo.user_agent);
}

// CurlSubresourceFetch on its own (no browser): the Fetcher's rules, the request as
// the page made it, the size cap.
TEST(CurlSubresourceFetchTest, FollowsTheFetchersRules) {
  RecordedRequests requests;
  auto server = RecordingServer(&requests, [&](const simweb::HttpRequest& req) {
    simweb::HttpResponse resp;
    resp.content_type = "application/json; charset=utf-8";
    resp.body = req.target == "/big" ? std::string(4096, 'x') : R"({"ok":true})";
    if (req.target == "/moved") {
      resp.status = 302;
      resp.headers = {{"Location", "/api"}};
      resp.body.clear();
    }
    return resp;
  });
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string port = absl::StrCat((*server)->port());
  FetcherOptions fo;
  fo.connect_to.push_back({"www.example.gov.cn", "", "127.0.0.1", port});
  SubresourceFetch fetch = CurlSubresourceFetch(fo, absl::Seconds(5), 1024);

  SubresourceRequest get;
  get.url = "http://www.example.gov.cn/moved";
  get.headers = {{"Referer", kPage}, {"X-Requested-With", "XMLHttpRequest"}};
  SubresourceResponse r = fetch(get);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.status, 200);  // the redirect followed
  EXPECT_EQ(r.body, R"({"ok":true})");
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : r.headers) headers[absl::AsciiStrToLower(name)] = value;
  EXPECT_EQ(headers["content-type"], "application/json; charset=utf-8");

  SubresourceRequest post;
  post.method = "POST";
  post.url = "http://www.example.gov.cn/api";
  post.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  post.post_body = "channelId=7&page=2";
  EXPECT_EQ(fetch(post).status, 200);

  SubresourceRequest big;
  big.url = "http://www.example.gov.cn/big";
  EXPECT_THAT(fetch(big).error, HasSubstr("larger than 1024 bytes"));

  SubresourceRequest direct;  // loopback, not routed by a connect_to rule
  direct.url = absl::StrCat("http://127.0.0.1:", port, "/api");
  EXPECT_THAT(fetch(direct).error, HasSubstr("private address refused"));

  std::lock_guard<std::mutex> lock(requests.mu);
  ASSERT_EQ(requests.list.size(), 4u);  // /moved, /api, POST /api, /big; never the direct one
  EXPECT_EQ(requests.list[0].headers["referer"], kPage);
  EXPECT_EQ(requests.list[0].headers["x-requested-with"], "XMLHttpRequest");
  EXPECT_EQ(requests.list[0].headers["user-agent"], fo.user_agent);
  EXPECT_EQ(requests.list[1].target, "/api");
  EXPECT_EQ(requests.list[2].method, "POST");
  EXPECT_EQ(requests.list[2].headers["content-type"], "application/x-www-form-urlencoded");
}

TEST(RenderQueueTest, RendersInTheBackgroundWithTags) {
  REQUIRE_CHROMIUM();
  FakeWeb web;
  RenderQueue queue(Options(web));
  EXPECT_EQ(queue.pending(), 0u);
  for (uint64_t tag : {11, 12, 13}) ASSERT_TRUE(queue.Submit(tag, Page(kScriptList)));
  EXPECT_EQ(queue.pending(), 3u);
  std::vector<std::pair<uint64_t, absl::StatusOr<RenderedPage>>> done;
  for (int i = 0; i < 600 && done.size() < 3; ++i) {
    struct pollfd p = {queue.notify_fd(), POLLIN, 0};
    poll(&p, 1, 100);
    for (auto& d : queue.TakeFinished()) done.push_back(std::move(d));
  }
  ASSERT_EQ(done.size(), 3u);
  EXPECT_EQ(done[0].first, 11u);
  EXPECT_EQ(done[1].first, 12u);
  EXPECT_EQ(done[2].first, 13u);
  for (auto& [tag, page] : done) {
    ASSERT_TRUE(page.ok()) << tag << ": " << page.status();
    EXPECT_EQ(Count(page->html, "<li>"), 3);
  }
  EXPECT_EQ(queue.pending(), 0u);
  EXPECT_EQ(queue.stats().renders, 3);
}

TEST(RenderQueueTest, BoundedAndFailsWithoutChromium) {
  FakeWeb web;
  RendererOptions o = Options(web);
  o.chromium_path = "/nonexistent/chromium";
  o.max_queue = 2;
  RenderQueue queue(o);
  ASSERT_TRUE(queue.Submit(1, Page(kScriptList)));
  ASSERT_TRUE(queue.Submit(2, Page(kScriptList)));
  std::vector<std::pair<uint64_t, absl::StatusOr<RenderedPage>>> done;
  for (int i = 0; i < 200 && done.size() < 2; ++i) {
    if (done.empty() && queue.pending() == 2) {
      EXPECT_FALSE(queue.Submit(3, Page(kScriptList)));
    }
    for (auto& d : queue.TakeFinished()) done.push_back(std::move(d));
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(done.size(), 2u);
  for (auto& [tag, page] : done) {
    EXPECT_EQ(page.status().code(), absl::StatusCode::kFailedPrecondition) << tag;
    EXPECT_THAT(page.status().message(), HasSubstr("/nonexistent/chromium"));
  }
  EXPECT_EQ(queue.pending(), 0u);
}

}  // namespace
}  // namespace census
