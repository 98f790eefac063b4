// The worker between a real Coordinator and a real StoreServer/Store (ZeroMQ
// inproc), fetching from an HttpServer on 127.0.0.1. Real clock, delays of ~50 ms.

#include "worker/worker.h"

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/wire.h"
#include "coordinator/coordinator.h"
#include "gtest/gtest.h"
#include "simweb/http_server.h"
#include "storage/store.h"
#include "storage/store_server.h"
#include "worker/content_scan.h"
#include "worker/extract.h"

namespace census {
namespace {

namespace fs = std::filesystem;
using simweb::HttpRequest;
using simweb::HttpResponse;
using simweb::HttpServer;

constexpr char kHost[] = "www.test.gov.cn";
constexpr char kHome[] = "http://www.test.gov.cn/";
constexpr char kColumn[] = "http://www.test.gov.cn/col/news/";

std::string ListPage(const std::vector<std::pair<std::string, std::string>>& items,
                     const std::string& next) {
  std::string html = "<html><head><title>政务动态</title></head><body><ul class=\"list\">";
  for (const auto& [href, date] : items) {
    absl::StrAppend(&html, "<li><a href=\"", href, "\">文章", href, "</a><span>", date,
                    "</span></li>");
  }
  absl::StrAppend(&html, "</ul>");
  if (!next.empty())
    absl::StrAppend(&html, "<div class=\"page\"><a href=\"", next, "\">下一页</a></div>");
  absl::StrAppend(&html, "</body></html>");
  return html;
}

// The test site. Every path is a behaviour; requests are logged.
class TestSite {
 public:
  TestSite() {
    auto s = HttpServer::Start([this](const HttpRequest& r) { return Handle(r); });
    EXPECT_TRUE(s.ok()) << s.status();
    server_ = std::move(s).value();
  }
  ~TestSite() { server_.reset(); }

  int port() const { return server_->port(); }
  struct Logged {
    std::string method;
    std::string target;
    std::string if_none_match;
    absl::Time at;
  };
  std::vector<Logged> log() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  int count(const std::string& method, const std::string& target) {
    int n = 0;
    for (const Logged& l : log()) n += l.method == method && l.target == target;
    return n;
  }
  void ClearLog() {
    std::lock_guard<std::mutex> lock(mu_);
    log_.clear();
  }

 private:
  HttpResponse Handle(const HttpRequest& r) {
    std::string inm;
    if (auto it = r.headers.find("if-none-match"); it != r.headers.end()) inm = it->second;
    int seen = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      log_.push_back({r.method, r.target, inm, absl::Now()});
      seen = ++hits_[r.target];
    }
    HttpResponse resp;
    const std::string& t = r.target;
    auto conditional = [&](const std::string& etag, std::string body) {
      resp.headers.push_back({"ETag", etag});
      if (inm == etag) {
        resp.status = 304;
      } else {
        resp.body = std::move(body);
      }
    };
    if (t == "/robots.txt") {
      resp.content_type = "text/plain";
      resp.body =
          "User-agent: *\nDisallow: /\n\n"
          "User-agent: CensusBot\nDisallow: /secret/\nAllow: /\n";
    } else if (t == "/") {
      conditional("\"h1\"", absl::StrCat("<html><head><title>测试市人民政府</title></head><body>"
                                         "<div class=\"nav\"><a href=\"/\">首页</a>"
                                         "<a href=\"/col/news/\">政务动态</a></div>"
                                         "<div class=\"main\"><p>本站测试错字一处。</p>"
                                         "<a href=\"/ok.html\">正常</a>"
                                         "<a href=\"/flaky.html\">偶尔失败</a>"
                                         "<a href=\"/dead.html\">失效</a>"
                                         "<a href=\"/soft.html\">软失效</a>"
                                         "<a href=\"/secret/x.html\">禁止</a>"
                                         "<a href=\"/files/a.pdf\">附件</a>"
                                         "<a href=\"/files/nohead.pdf\">附件二</a>"
                                         "<a href=\"/art/typo.html\">有错字的文章</a>"
                                         "<a href=\"http://127.0.0.1:",
                                         port(), "/internal\">内网</a></div></body></html>"));
    } else if (t == "/col/news/") {
      conditional("\"c1\"", ListPage({{"/col/news/a1.html", "2026-11-19"},
                                      {"/col/news/a2.html", "2026-11-18"},
                                      {"/col/news/a3.html", "2026-11-17"}},
                                     "/col/news/index_1.html"));
    } else if (t == "/col/news/index_1.html") {
      resp.body = ListPage({{"/col/news/a3.html", "2026-11-17"},
                            {"/col/news/a4.html", "2026-11-10"},
                            {"/col/news/a5.html", "2026-11-09"}},
                           "/col/news/index_2.html");
    } else if (t == "/col/news/index_2.html") {
      resp.body =
          ListPage({{"/col/news/a6.html", "2026-11-01"}, {"/col/news/a7.html", "2026-10-30"}},
                   "/col/news/index_3.html");
    } else if (t == "/col/data/" || t == "/col/offsite/" || t == "/col/secret/") {
      // An empty list its script loads from a data URL: the site's own, another site's,
      // or one robots.txt forbids.
      const std::string url = t == "/col/data/"      ? "/api/list?channelId=7&pageNo=1"
                              : t == "/col/offsite/" ? "http://www.other.gov.cn/api/list.json"
                                                     : "/secret/list.json";
      resp.body = absl::StrCat(
          "<html><head><title>通知公告</title></head><body><ul class=\"list\" id=\"l\"></ul>"
          "<script>$.getJSON(\"",
          url, "\", function (d) { $(\"#l\").html(d.list); });</script></body></html>");
    } else if (t == "/api/list?channelId=7&pageNo=1") {
      resp.content_type = "application/json";
      resp.body =
          "{\"total\":2,\"list\":[{\"title\":\"数据接口的通知\",\"url\":\"/col/news/a1.html\","
          "\"pubDate\":\"2026-11-19 10:00\"},{\"title\":\"第二条\",\"url\":\"./a8.html\","
          "\"pubDate\":1794450000000}]}";
    } else if (t == "/ok.html" || t == "/secret/x.html" || absl::StartsWith(t, "/col/news/a")) {
      resp.body = "<html><head><title>文章</title></head><body><p>正文。</p></body></html>";
    } else if (t == "/art/typo.html") {
      resp.body =
          "<html><head><title>文章</title></head><body><p>正文有测试错字。</p></body></html>";
    } else if (t == "/flaky.html") {
      resp.status = seen == 1 ? 503 : 200;
      resp.body = "<html><head><title>文章</title></head><body><p>正文。</p></body></html>";
    } else if (t == "/soft.html") {
      resp.body = "<html><head><title>页面不存在</title></head><body>页面不存在</body></html>";
    } else if (t == "/files/a.pdf") {
      resp.content_type = "application/pdf";
      resp.body = "%PDF-1.4 test";
    } else if (t == "/files/nohead.pdf") {
      resp.content_type = "application/pdf";
      if (r.method == "HEAD") {
        resp.status = 405;
      } else {
        resp.body = "%PDF-1.4 test";
      }
    } else {
      resp.status = 404;
      resp.body = "<html><head><title>404</title></head><body>no</body></html>";
    }
    return resp;
  }

  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::vector<Logged> log_;
  std::map<std::string, int> hits_;
};

// Until the extractor recognises pagers, the test supplies next_page_url from the
// link named 下一页 (the real extractor's value wins when it has one).
absl::StatusOr<PageExtract> ExtractWithPager(absl::string_view bytes, absl::string_view ct,
                                             const ExtractOptions& options) {
  auto page = ExtractPage(bytes, ct, options);
  if (page.ok() && page->next_page_url.empty()) {
    for (const ExtractedLink& l : page->links) {
      if (l.text == "下一页") page->next_page_url = l.url;
    }
  }
  return page;
}

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("worker_test_", ::testing::UnitTest::GetInstance()->random_seed(), "_",
                        getpid(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    StoreOptions so;
    so.sync_writes = false;
    auto store = Store::Open((dir_ / "store").string(), so);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    server_ = std::make_unique<StoreServer>(context_, "inproc://store", *store_);
    ASSERT_TRUE(server_->Bind().ok());
    store_thread_ = std::thread([this] { (void)server_->Serve(); });
    auto scanner = LexiconScanner::Create({{"测试错字", "serious_typo", "测试"}});
    ASSERT_TRUE(scanner.ok()) << scanner.status();
    scanner_ = std::move(*scanner);
  }
  void TearDown() override {
    server_->Stop();
    store_thread_.join();
    server_.reset();
    store_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  CoordinatorOptions CoordOptions() {
    CoordinatorOptions o;
    o.data_dir = (dir_ / "coordinator").string();
    o.as_of = "2026-11-20";
    o.probes = 0;
    o.lease_timeout = absl::Minutes(1);
    o.max_list_pages = 3;
    return o;
  }
  WorkerOptions MakeWorkerOptions(const std::string& coordinator) {
    WorkerOptions o;
    o.coordinator_endpoint = coordinator;
    o.store_endpoints = {"inproc://store"};
    o.fetcher.connect_to.push_back(ConnectTo{kHost, "", "127.0.0.1", std::to_string(site_.port())});
    o.page_timeout = absl::Seconds(5);
    o.recheck_delay = absl::Milliseconds(50);
    o.scanner = scanner_.get();
    o.extract = ExtractWithPager;
    return o;
  }

  // One whole census of the test site, every role on its own thread: its columns
  // discovered, or the notice columns at `column_paths`. `render` as WorkerOptions.
  WorkerStats RunCensus(const std::string& endpoint, bool respect_robots = true,
                        const std::vector<std::string>& column_paths = {}, bool render = true) {
    CoordinatorOptions co = CoordOptions();
    co.respect_robots = respect_robots;
    Coordinator coordinator(context_, endpoint, co);
    EXPECT_TRUE(coordinator.Start().ok());
    census::Site s;
    s.set_site_id("1");
    s.set_name("测试市");
    s.set_url(kHome);
    absl::flat_hash_map<std::string, std::vector<Column>> columns;
    for (const std::string& path : column_paths) {
      Column c;
      c.set_site_id("1");
      c.set_name("通知公告");
      c.set_url(absl::StrCat("http://www.test.gov.cn", path));
      c.set_category(NOTICE);
      c.set_declared(true);
      columns["1"].push_back(c);
    }
    EXPECT_TRUE(coordinator.AddSites({s}, columns).ok());
    std::thread serve([&] { (void)coordinator.Serve(); });
    WorkerOptions wo = MakeWorkerOptions(endpoint);
    wo.render = render;
    Worker worker(context_, wo);
    absl::Status st = worker.Run();  // returns once the coordinator says Shutdown
    EXPECT_TRUE(st.ok()) << st;
    coordinator.Stop();
    serve.join();
    EXPECT_TRUE(coordinator.progress().complete);
    return worker.stats();
  }

  std::vector<FetchRecord> Fetches(TaskKind kind, const std::string& url, int64_t from_ms) {
    std::vector<FetchRecord> out;
    EXPECT_TRUE(store_
                    ->ForEachFetch("1", from_ms, INT64_MAX,
                                   [&](const FetchRecord& r) {
                                     if (r.kind() == kind && r.url() == url) out.push_back(r);
                                   })
                    .ok());
    return out;
  }
  FetchRecord Link(const std::string& path, int64_t from_ms = 0) {
    auto v = Fetches(LINK_CHECK, absl::StrCat("http://www.test.gov.cn", path), from_ms);
    EXPECT_EQ(v.size(), 1u) << path;
    return v.empty() ? FetchRecord() : v.back();
  }

  // SIGTERM with no grace: the worker hands back the lease it holds (its batch is not
  // acked yet), the coordinator takes it back at once, and Run() returns OK.
  void DrainWithZeroGrace(const std::string& endpoint) {
    zmq::socket_t fake_store(context_, zmq::socket_type::router);
    fake_store.set(zmq::sockopt::linger, 0);
    fake_store.bind("inproc://fake-store-drain");
    Coordinator coordinator(context_, endpoint, CoordOptions());
    ASSERT_TRUE(coordinator.Start().ok());
    census::Site s;
    s.set_site_id("1");
    s.set_url(kHome);
    ASSERT_TRUE(coordinator.AddSites({s}, {}).ok());
    std::thread serve([&] { (void)coordinator.Serve(); });
    WorkerOptions wo = MakeWorkerOptions(coordinator.endpoint());
    wo.store_endpoints = {"inproc://fake-store-drain"};
    Worker worker(context_, wo);
    std::future<absl::Status> run =
        std::async(std::launch::async, [&worker] { return worker.Run(); });

    // The homepage batch arrives and is never acked: the worker holds the lease.
    zmq::pollitem_t items[] = {{fake_store.handle(), 0, ZMQ_POLLIN, 0}};
    ASSERT_EQ(zmq::poll(items, 1, std::chrono::milliseconds(10000)), 1);
    ToStore request;
    ASSERT_TRUE(ReceiveFromDealer(fake_store, &request).ok());
    EXPECT_EQ(coordinator.progress().leases_out, 1);

    worker.Drain(absl::ZeroDuration());
    if (run.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "Run() did not return after Drain";
      worker.Stop();
    }
    absl::Status st = run.get();
    EXPECT_TRUE(st.ok()) << st;
    EXPECT_EQ(worker.stats().leases_returned, 1);
    EXPECT_EQ(worker.stats().leases_done, 0);
    for (int i = 0; i < 1000 && coordinator.progress().leases_returned < 1; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CoordinatorProgress p = coordinator.progress();
    EXPECT_GE(p.leases_returned, 1);
    EXPECT_EQ(p.leases_out, 0);
    EXPECT_EQ(p.leases_expired, 0);
    EXPECT_EQ(p.pages_fetched, 0);
    EXPECT_FALSE(p.complete);

    coordinator.Stop();
    serve.join();
  }

  TestSite site_;
  zmq::context_t context_;
  fs::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<StoreServer> server_;
  std::thread store_thread_;
  std::unique_ptr<LexiconScanner> scanner_;
};

TEST_F(WorkerTest, CensusRechecksRobotsPaginationAndConditionalRequests) {
  RunCensus("inproc://coordinator-1");

  // robots.txt once per origin per worker (TTL), and what it forbids is not fetched.
  EXPECT_EQ(site_.count("GET", "/robots.txt"), 1);
  EXPECT_EQ(site_.count("GET", "/secret/x.html") + site_.count("HEAD", "/secret/x.html"), 0);
  FetchRecord secret = Link("/secret/x.html");
  EXPECT_TRUE(secret.robots_disallowed());
  EXPECT_EQ(secret.error(), OTHER_ERROR);
  EXPECT_EQ(secret.error_detail(), "disallowed by robots.txt");
  EXPECT_EQ(secret.attempts(), 0);

  // Link checks: OK at once; OK on the recheck; broken twice; soft 404 twice.
  FetchRecord ok = Link("/ok.html");
  EXPECT_EQ(ok.error(), FETCH_OK);
  EXPECT_EQ(ok.attempts(), 1);
  EXPECT_EQ(ok.method(), "GET");
  FetchRecord flaky = Link("/flaky.html");
  EXPECT_EQ(flaky.error(), FETCH_OK);
  EXPECT_EQ(flaky.status(), 200);
  EXPECT_EQ(flaky.attempts(), 2);
  FetchRecord dead = Link("/dead.html");
  EXPECT_EQ(dead.error(), HTTP_404);
  EXPECT_EQ(dead.status(), 404);
  EXPECT_EQ(dead.attempts(), 2);
  EXPECT_EQ(dead.method(), "GET");
  FetchRecord soft = Link("/soft.html");
  EXPECT_EQ(soft.error(), SOFT_404);
  EXPECT_EQ(soft.attempts(), 2);
  // The recheck came after the delay, and the recorded result is the second one.
  std::vector<absl::Time> dead_at;
  for (const auto& l : site_.log()) {
    if (l.target == "/dead.html") dead_at.push_back(l.at);
  }
  ASSERT_EQ(dead_at.size(), 2u);
  EXPECT_GE(dead_at[1] - dead_at[0], absl::Milliseconds(50));
  // The recorded attempt is the recheck: it started once the first answer was in and the
  // delay had passed, and no later than the server saw it (its start, not its arrival:
  // the request reaches the server a little later on a busy machine).
  EXPECT_GE(dead.fetched_at_ms(), absl::ToUnixMillis(dead_at[0] + absl::Milliseconds(50)) - 1);
  EXPECT_LE(dead.fetched_at_ms(), absl::ToUnixMillis(dead_at[1]) + 1);

  // HEAD for attachments; GET when HEAD is refused.
  FetchRecord pdf = Link("/files/a.pdf");
  EXPECT_EQ(pdf.error(), FETCH_OK);
  EXPECT_EQ(pdf.method(), "HEAD");
  EXPECT_EQ(pdf.attempts(), 1);
  EXPECT_EQ(site_.count("HEAD", "/files/a.pdf"), 1);
  EXPECT_EQ(site_.count("GET", "/files/a.pdf"), 0);
  FetchRecord nohead = Link("/files/nohead.pdf");
  EXPECT_EQ(nohead.error(), FETCH_OK);
  EXPECT_EQ(nohead.method(), "GET");
  EXPECT_EQ(nohead.attempts(), 1);
  EXPECT_EQ(site_.count("HEAD", "/files/nohead.pdf"), 1);
  EXPECT_EQ(site_.count("GET", "/files/nohead.pdf"), 1);

  // A site's link into loopback is refused by policy, and not rechecked.
  auto internal =
      Fetches(LINK_CHECK, absl::StrCat("http://127.0.0.1:", site_.port(), "/internal"), 0);
  ASSERT_EQ(internal.size(), 1u);
  EXPECT_EQ(internal[0].error(), BLOCKED_ADDRESS);
  EXPECT_EQ(internal[0].attempts(), 1);
  EXPECT_EQ(site_.count("GET", "/internal"), 0);

  // Homepage: outlinks with flags, content hits from the lexicon.
  auto latest = store_->LatestObservations("1", INT64_MAX);
  ASSERT_TRUE(latest.ok());
  const PageObservation* home = nullptr;
  const PageObservation* column = nullptr;
  for (const PageObservation& o : *latest) {
    if (o.url() == kHome) home = &o;
    if (o.url() == kColumn) column = &o;
  }
  ASSERT_NE(home, nullptr);
  ASSERT_EQ(home->content_hits_size(), 1);
  EXPECT_EQ(home->content_hits(0).term(), "测试错字");
  EXPECT_EQ(home->content_hits(0).kind(), "serious_typo");
  EXPECT_EQ(home->outlinks_size(), home->links_size());
  int attachments = 0;
  for (const PageLink& l : home->outlinks()) attachments += l.attachment();
  EXPECT_EQ(attachments, 2);

  // Column: three list pages merged (one item repeated on page 2), the bound's next
  // page recorded, later pages fetched once each.
  ASSERT_NE(column, nullptr);
  EXPECT_EQ(column->list_pages(), 3);
  EXPECT_EQ(column->next_page(), "http://www.test.gov.cn/col/news/index_3.html");
  ASSERT_EQ(column->items_size(), 7);
  EXPECT_EQ(column->items(0).href(), "http://www.test.gov.cn/col/news/a1.html");
  EXPECT_EQ(column->items(6).href(), "http://www.test.gov.cn/col/news/a7.html");
  EXPECT_EQ(column->items(6).date(), "2026-10-30");
  EXPECT_EQ(column->latest_date(), "2026-11-19");
  EXPECT_EQ(site_.count("GET", "/col/news/index_3.html"), 0);
  const int64_t run1_pages = static_cast<int64_t>(site_.log().size());
  EXPECT_GT(run1_pages, 0);
  const Store::Stats bodies_after_run1 = store_->BodyStats();
  // The homepage, the first list page and the article with a lexicon hit (evidence).
  EXPECT_EQ(bodies_after_run1.bodies, 3);

  // A second census on the same data: conditional requests, 304s, no bodies.
  site_.ClearLog();
  const int64_t run2_start = absl::ToUnixMillis(absl::Now());
  RunCensus("inproc://coordinator-2");
  int conditional = 0;
  for (const auto& l : site_.log()) {
    if (l.target == "/") {
      EXPECT_EQ(l.if_none_match, "\"h1\"");
      ++conditional;
    }
    if (l.target == "/col/news/") {
      EXPECT_EQ(l.if_none_match, "\"c1\"");
      ++conditional;
    }
  }
  EXPECT_EQ(conditional, 2);
  // Unchanged: the pager is not read (index_1 is link-checked, being linked from it).
  EXPECT_EQ(site_.count("GET", "/col/news/index_2.html"), 0);
  EXPECT_EQ(store_->BodyStats().bodies, 3);
  auto home2 = Fetches(HOMEPAGE, kHome, run2_start);
  ASSERT_EQ(home2.size(), 1u);
  EXPECT_TRUE(home2[0].not_modified());
  EXPECT_EQ(home2[0].status(), 304);
  EXPECT_EQ(home2[0].body_bytes(), 0);
  EXPECT_EQ(home2[0].content_hash(), home->content_hash());
  // The store carried both pages' observations forward to the new fetch time.
  auto history = store_->ObservationHistory("1", kColumn, INT64_MAX);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  auto col2 = Fetches(COLUMN, kColumn, run2_start);
  ASSERT_EQ(col2.size(), 1u);
  EXPECT_TRUE(col2[0].not_modified());
  EXPECT_EQ((*history)[1].fetched_at_ms(), col2[0].fetched_at_ms());
  EXPECT_EQ((*history)[1].list_pages(), 3);
  EXPECT_EQ((*history)[1].items_size(), 7);
  auto home_history = store_->ObservationHistory("1", kHome, INT64_MAX);
  ASSERT_TRUE(home_history.ok());
  ASSERT_EQ(home_history->size(), 2u);
  EXPECT_EQ((*home_history)[1].fetched_at_ms(), home2[0].fetched_at_ms());
  // Links of the unchanged homepage were checked again (from the coordinator's memory).
  EXPECT_EQ(Link("/ok.html", run2_start).error(), FETCH_OK);
  EXPECT_EQ(Link("/dead.html", run2_start).attempts(), 2);
  EXPECT_TRUE(Link("/secret/x.html", run2_start).robots_disallowed());
}

// docs/COLUMNS.md "Lists that scripts build": a column page whose list is empty and
// whose script names a data URL is read from it in the same lease; another site's data
// URL and one robots.txt forbids are not fetched. With no renderer the page that stays
// empty says so (render "unavailable").
TEST_F(WorkerTest, ColumnListFromTheDataUrlItsScriptNames) {
  const WorkerStats stats = RunCensus("inproc://coordinator-data", /*respect_robots=*/true,
                                      {"/col/data/", "/col/offsite/", "/col/secret/"},
                                      /*render=*/false);
  auto obs = store_->LatestObservations("1", INT64_MAX);
  ASSERT_TRUE(obs.ok()) << obs.status();
  std::map<std::string, PageObservation> by_url;
  for (const PageObservation& o : *obs) by_url[o.url()] = o;
  const PageObservation& data = by_url["http://www.test.gov.cn/col/data/"];
  ASSERT_EQ(data.items_size(), 2);
  EXPECT_EQ(data.items(0).title(), "数据接口的通知");
  EXPECT_EQ(data.items(0).href(), "http://www.test.gov.cn/col/news/a1.html");
  EXPECT_EQ(data.items(0).date(), "2026-11-19");
  EXPECT_EQ(data.items(1).href(), "http://www.test.gov.cn/col/data/a8.html");
  EXPECT_EQ(data.items(1).date(), "2026-11-12");
  EXPECT_EQ(data.list_source(), "data_url");
  EXPECT_EQ(data.list_data_url(), "http://www.test.gov.cn/api/list?channelId=7&pageNo=1");
  EXPECT_EQ(data.render(), "");  // dated items: no rendered look wanted
  EXPECT_EQ(site_.count("GET", "/api/list?channelId=7&pageNo=1"), 1);
  for (const char* path : {"/col/offsite/", "/col/secret/"}) {
    SCOPED_TRACE(path);
    const PageObservation& o = by_url[absl::StrCat("http://www.test.gov.cn", path)];
    EXPECT_EQ(o.items_size(), 0);
    EXPECT_EQ(o.list_source(), "");
    EXPECT_TRUE(o.script_list());
    EXPECT_EQ(o.render(), "unavailable");
  }
  EXPECT_EQ(site_.count("GET", "/secret/list.json"), 0);
  EXPECT_EQ(stats.render_failures, 2);
}

TEST_F(WorkerTest, NoRobotsFetchesEverything) {
  RunCensus("inproc://coordinator-1", /*respect_robots=*/false);
  EXPECT_EQ(site_.count("GET", "/robots.txt"), 0);
  FetchRecord secret = Link("/secret/x.html");
  EXPECT_FALSE(secret.robots_disallowed());
  EXPECT_EQ(secret.error(), FETCH_OK);
  EXPECT_EQ(site_.count("GET", "/secret/x.html"), 1);
}

// An article of the site's own host reached by a link is scanned like the pages the
// census reads, and its body is kept as evidence; a clean page carries no hits.
TEST_F(WorkerTest, LinkedArticlesOfTheSiteAreScanned) {
  RunCensus("inproc://coordinator-scan", /*respect_robots=*/false);
  FetchRecord typo = Link("/art/typo.html");
  ASSERT_EQ(typo.content_hits_size(), 1);
  EXPECT_EQ(typo.content_hits(0).term(), "测试错字");
  EXPECT_EQ(typo.content_hits(0).kind(), "serious_typo");
  auto body = store_->GetBody(typo.content_hash());
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_TRUE(absl::StrContains(*body, "测试错字"));
  EXPECT_EQ(Link("/ok.html").content_hits_size(), 0);
}

TEST_F(WorkerTest, LeaseDoneOnlyAfterStoreAck) {
  // A fake store that holds its ack back.
  zmq::socket_t fake_store(context_, zmq::socket_type::router);
  fake_store.set(zmq::sockopt::linger, 0);
  fake_store.bind("inproc://fake-store");
  CoordinatorOptions co = CoordOptions();
  Coordinator coordinator(context_, "inproc://coordinator-ack", co);
  ASSERT_TRUE(coordinator.Start().ok());
  census::Site s;
  s.set_site_id("1");
  s.set_url(kHome);
  Column col;
  col.set_site_id("1");
  col.set_name("政务动态");
  col.set_url(kColumn);
  col.set_category(NEWS);
  col.set_declared(true);
  ASSERT_TRUE(coordinator.AddSites({s}, {{"1", {col}}}).ok());
  std::thread serve([&] { (void)coordinator.Serve(); });
  WorkerOptions wo = MakeWorkerOptions("inproc://coordinator-ack");
  wo.store_endpoints = {"inproc://fake-store"};
  Worker worker(context_, wo);
  std::thread work([&] { (void)worker.Run(); });

  // The first (homepage + column) batch arrives; no ack yet.
  zmq::pollitem_t items[] = {{fake_store.handle(), 0, ZMQ_POLLIN, 0}};
  ASSERT_EQ(zmq::poll(items, 1, std::chrono::milliseconds(10000)), 1);
  ToStore request;
  auto identity = ReceiveFromDealer(fake_store, &request);
  ASSERT_TRUE(identity.ok());
  const ResultBatch& batch = request.batch();
  EXPECT_EQ(batch.fetches_size(), 2);
  // Nothing more comes, and the coordinator has no LeaseDone.
  EXPECT_EQ(zmq::poll(items, 1, std::chrono::milliseconds(100)), 0);
  EXPECT_EQ(coordinator.progress().pages_fetched, 0);
  EXPECT_EQ(coordinator.progress().leases_out, 1);
  // Once the store acks, LeaseDone goes out: the coordinator leases the links found.
  FromStore reply;
  reply.mutable_ack()->set_lease_id(batch.lease_id());
  reply.mutable_ack()->set_ok(true);
  ASSERT_TRUE(SendToDealer(fake_store, *identity, reply).ok());
  ASSERT_EQ(zmq::poll(items, 1, std::chrono::milliseconds(10000)), 1);
  ToStore next;
  ASSERT_TRUE(ReceiveFromDealer(fake_store, &next).ok());
  const ResultBatch& links = next.batch();
  ASSERT_GT(links.fetches_size(), 0);
  EXPECT_EQ(links.fetches(0).kind(), LINK_CHECK);
  EXPECT_EQ(coordinator.progress().pages_fetched, 4);  // homepage, column, 2 list pages

  worker.Stop();
  work.join();
  coordinator.Stop();
  serve.join();
}

TEST_F(WorkerTest, DrainWithZeroGraceReturnsItsLeases) {
  DrainWithZeroGrace("inproc://coordinator-drain");
}

// Over TCP the LeaseReturn must still reach the coordinator although Run() returns
// (and closes the socket) right after sending it.
TEST_F(WorkerTest, DrainWithZeroGraceReturnsItsLeasesOverTcp) {
  DrainWithZeroGrace("tcp://127.0.0.1:0");
}

// A census with no sites is complete at once: a worker returns when told so, and one
// with exit_on_shutdown = false (`census worker --stay`) keeps asking for the next census
// until stopped.
TEST_F(WorkerTest, StayWaitsForTheNextCensusInsteadOfReturning) {
  Coordinator coordinator(context_, "inproc://coordinator-stay", CoordOptions());
  ASSERT_TRUE(coordinator.Start().ok());
  ASSERT_TRUE(coordinator.AddSites({}, {}).ok());
  std::thread serve([&] { (void)coordinator.Serve(); });
  {
    Worker leaving(context_, MakeWorkerOptions("inproc://coordinator-stay"));
    EXPECT_TRUE(leaving.Run().ok());  // returns by itself: Shutdown
  }
  WorkerOptions o = MakeWorkerOptions("inproc://coordinator-stay");
  o.exit_on_shutdown = false;
  o.shutdown_retry = absl::Milliseconds(10);
  Worker staying(context_, o);
  std::atomic<bool> returned{false};
  std::thread run([&] {
    EXPECT_TRUE(staying.Run().ok());
    returned.store(true);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(returned.load());  // still waiting for a census
  staying.Stop();
  run.join();
  EXPECT_TRUE(returned.load());
  coordinator.Stop();
  serve.join();
}

}  // namespace
}  // namespace census
