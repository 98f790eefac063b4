#ifndef CENSUS_WORKER_RENDERER_H_
#define CENSUS_WORKER_RENDERER_H_

// Renders a column page in headless Chromium, so a list that the page's scripts
// build in the browser is seen before the census calls the column blank.
//
// The page rendered is the snapshot the census already fetched: its bytes are served
// to Chromium as the document. Every other request the page makes is intercepted
// (DevTools protocol, Fetch domain): scripts, XHR/fetch and frames go through the
// caller's SubresourceFetch (libcurl does all HTTP, with the census's politeness and
// host mapping); images, fonts, stylesheets and media are refused; navigations away
// from the page are cancelled. Chromium never touches the network itself.
//
// One Chromium per PageRenderer, driven over --remote-debugging-pipe, all its pages
// in one renderer process, one page at a time. Memory is bounded by restarting the
// browser (memory cap, renders per browser).

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "worker/fetcher.h"

namespace census {
namespace internal {
class CdpConnection;
}  // namespace internal

// "/usr/bin/chromium", or $CENSUS_CHROMIUM when set and non-empty.
std::string DefaultChromiumPath();
// True when `path` names an executable regular file.
bool ChromiumAvailable(const std::string& path);

// A request the rendered page made, for the caller to fetch.
struct SubresourceRequest {
  std::string method = "GET";
  std::string url;
  // As the page would send them (Referer, Accept, X-Requested-With, Content-Type ...);
  // no User-Agent (the fetch uses the census's own), no Host, no client hints.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string post_body;  // empty for GET
  // What is left of the render's time budget: the fetch must answer within it.
  absl::Duration timeout = absl::Seconds(5);
};

struct SubresourceResponse {
  // Non-empty: the fetch failed (the page sees a network error); other fields ignored.
  std::string error;
  int status = 200;
  // Response headers of the final response (Content-Type at least when known).
  // Content-Length, Content-Encoding and Transfer-Encoding are dropped before the
  // body reaches Chromium (`body` is already decoded), and so are the caching
  // headers: every response is served "Cache-Control: no-store", so that no later
  // render is answered from Chromium's cache instead of through SubresourceFetch.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Called on the thread that calls PageRenderer::Render (RenderQueue: its own
// thread), one request at a time, while the render waits. Must not throw; an error
// goes in SubresourceResponse::error.
using SubresourceFetch = std::function<SubresourceResponse(const SubresourceRequest&)>;

// A synchronous libcurl fetch for PageRenderer: honours `options.connect_to`,
// `user_agent`, `max_redirects` and `allow_private_addresses` (a private target is
// refused unless a connect_to rule routes its host, as the Fetcher does), and
// `per_host_delay` between two requests to one host (waiting on `options.clock`).
// Each request gets at most min(`timeout`, request.timeout); a body beyond
// `max_bytes` is an error. The returned function may be copied; copies share one
// curl handle and must not be called concurrently (one renderer thread calls it).
SubresourceFetch CurlSubresourceFetch(const FetcherOptions& options, absl::Duration timeout,
                                      int64_t max_bytes);

struct RendererOptions {
  std::string chromium_path = DefaultChromiumPath();
  SubresourceFetch fetch;                            // required by PageRenderer::Start
  absl::Duration render_timeout = absl::Seconds(8);  // the whole Render call
  // The network counts as idle after this long with no request paused or being
  // fetched; the DOM is taken once the load event fired and the network is idle.
  absl::Duration idle = absl::Milliseconds(300);
  int max_subrequests = 40;  // per render; requests beyond it are refused
  // Memory of the browser's whole process group, checked after each render: the sum
  // of the processes' Pss (/proc/<pid>/smaps_rollup; statm's resident set on kernels
  // without it). Not the sum of resident sets: every Chromium process maps the same
  // binary, which that sum would count once per process (900 MB for an idle browser
  // whose Pss is 380 MB).
  int64_t max_rss_bytes = int64_t{768} << 20;
  int renders_per_browser = 500;  // then the browser is restarted
  absl::Duration startup_timeout = absl::Seconds(15);
  int max_queue = 64;  // RenderQueue: requests submitted and not yet taken
  int viewport_width = 1280;
  int viewport_height = 1024;
  // Extra command-line flags for Chromium (tests, diagnostics).
  std::vector<std::string> extra_flags;
};

struct RenderRequest {
  std::string url;           // the page's URL (final URL of the census's fetch)
  std::string body;          // the bytes fetched for it, served as the document
  std::string content_type;  // as fetched; "text/html" when empty
};

struct RenderedPage {
  std::string url;   // location.href when the DOM was taken (history.pushState may change it)
  std::string html;  // document.documentElement.outerHTML, UTF-8
  // The load event or network idle was not reached within render_timeout: the DOM
  // was taken as it was then (scripts may still have been running).
  bool timed_out = false;
  int subrequests = 0;          // fetched through SubresourceFetch
  int subrequest_failures = 0;  // of those, answered with an error
  int blocked = 0;              // refused: resource type, over the cap, navigations
  int navigations_blocked = 0;  // of `blocked`: top-level navigations away
  absl::Duration elapsed;
};

struct RendererStats {
  int64_t renders = 0;   // Render calls that returned a page
  int64_t failures = 0;  // Render calls that returned an error
  int64_t restarts = 0;  // browser starts after the first
  int64_t subrequests = 0;
  int64_t blocked = 0;
  int64_t peak_rss_bytes = 0;  // largest LastRssBytes() so far
};

// Not thread-safe: one thread calls Render at a time (RenderQueue gives it a thread).
// The browser is started by Start and restarted, when needed, at the start of the
// next Render: after it died, was killed for a timeout, exceeded max_rss_bytes or
// served renders_per_browser renders.
class PageRenderer {
 public:
  // InvalidArgument without options.fetch; FailedPrecondition when Chromium is not
  // installed at options.chromium_path; Unavailable when it does not start.
  static absl::StatusOr<std::unique_ptr<PageRenderer>> Start(RendererOptions options);

  // Browser.close, SIGKILL to the whole process group after 2 s, reaps the browser
  // and removes its profile directory. No Chromium process outlives this.
  ~PageRenderer();
  PageRenderer(const PageRenderer&) = delete;
  PageRenderer& operator=(const PageRenderer&) = delete;

  // Loads req.body as the document at req.url and returns the DOM once the load event
  // fired and the network is idle (or, marked timed_out, as it is when render_timeout
  // is near). DeadlineExceeded when the page would not even give its DOM (a script
  // spinning forever: the browser is closed, a fresh one serves the next call);
  // Unavailable when the browser died during the render or cannot be restarted;
  // InvalidArgument for a URL that is not http(s). A browser found dead before the
  // page fetched anything is replaced and the render tried once more, so that call
  // may take up to twice render_timeout.
  absl::StatusOr<RenderedPage> Render(const RenderRequest& req);

  // Memory of the browser's process group after the last render, as max_rss_bytes
  // measures it (0 before any render).
  int64_t LastRssBytes() const { return last_rss_bytes_; }
  const RendererStats& stats() const { return stats_; }
  // The browser's pid, which is also its process group id (0 when none is running).
  // For tests and diagnostics.
  pid_t browser_pid() const;

 private:
  explicit PageRenderer(RendererOptions options);
  absl::Status EnsureBrowser();
  // Browser.close, then SIGKILL to the group after `grace`.
  void StopBrowser(absl::Duration grace);
  // Closes the page's target; stops the browser when it will not.
  void CloseTarget(const std::string& target_id);
  void AfterRender();

  RendererOptions options_;
  std::unique_ptr<internal::CdpConnection> browser_;
  int renders_on_browser_ = 0;
  int64_t last_rss_bytes_ = 0;
  int64_t browser_starts_ = 0;
  RendererStats stats_;
};

// One PageRenderer on a thread of its own, for an event loop that must not block:
// Submit, then collect with TakeFinished. Chromium is started on the first request;
// when it cannot start, that and every later request fail with FailedPrecondition
// naming the reason (the worker then reports the column unverified-blank).
// Thread-safe.
class RenderQueue {
 public:
  explicit RenderQueue(RendererOptions options);
  // Stops the thread after the render in progress (bounded by render_timeout);
  // requests not yet started are dropped. The renderer (and Chromium) goes with it.
  ~RenderQueue();
  RenderQueue(const RenderQueue&) = delete;
  RenderQueue& operator=(const RenderQueue&) = delete;

  // False (and nothing queued) when max_queue requests are pending.
  bool Submit(uint64_t tag, RenderRequest request);
  // The results finished since the last call, in completion order. Never blocks.
  std::vector<std::pair<uint64_t, absl::StatusOr<RenderedPage>>> TakeFinished();
  // Submitted and not yet returned by TakeFinished.
  size_t pending() const;
  // Readable (an eventfd) while finished results wait; TakeFinished drains it. For a
  // poll loop (zmq_poll accepts plain fds). -1 if the eventfd could not be made.
  int notify_fd() const { return notify_fd_; }
  // The renderer's counters, as of the last finished render.
  RendererStats stats() const;

 private:
  void Loop();

  const RendererOptions options_;
  int notify_fd_ = -1;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<uint64_t, RenderRequest>> queue_;                     // GUARDED_BY(mu_)
  std::vector<std::pair<uint64_t, absl::StatusOr<RenderedPage>>> finished_;  // GUARDED_BY(mu_)
  size_t pending_ = 0;                                                       // GUARDED_BY(mu_)
  bool stopping_ = false;                                                    // GUARDED_BY(mu_)
  RendererStats stats_;                                                      // GUARDED_BY(mu_)
  std::thread thread_;  // last member: started when the others are ready
};

}  // namespace census

#endif  // CENSUS_WORKER_RENDERER_H_
