#include "worker/renderer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "worker/internal/cdp_connection.h"

namespace census {

using internal::CdpConnection;
using internal::JsonInt;
using internal::JsonKeyString;
using internal::JsonObj;
using internal::JsonStr;
using internal::JsonWriter;

std::string DefaultChromiumPath() {
  const char* env = std::getenv("CENSUS_CHROMIUM");
  return (env != nullptr && *env != '\0') ? env : "/usr/bin/chromium";
}

bool ChromiumAvailable(const std::string& path) {
  struct stat st;
  return !path.empty() && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         (st.st_mode & 0111) != 0 && access(path.c_str(), X_OK) == 0;
}

namespace {

// A quiet, deterministic browser that never reaches the network by itself: every
// request of a rendered page is intercepted (Fetch domain); what is not (DNS
// prefetch, preconnect, the browser's own services) finds no resolver and a dead
// proxy. Background tabs keep full-speed timers: the page rendered is never visible.
std::vector<std::string> ChromiumFlags(const RendererOptions& o) {
  std::vector<std::string> f = {
      "--headless",
      "--disable-gpu",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-sync",
      "--mute-audio",
      "--blink-settings=imagesEnabled=false",
      "--disable-component-update",
      "--disable-default-apps",
      "--disable-domain-reliability",
      "--disable-breakpad",
      "--disable-client-side-phishing-detection",
      "--disable-hang-monitor",
      "--disable-background-timer-throttling",
      "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows",
      "--disable-ipc-flooding-protection",
      "--disable-dev-shm-usage",
      "--disable-site-isolation-trials",
      // HTTPS-Upgrades would rewrite the page's http:// URL before we could serve it.
      "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,"
      "HttpsFirstModeV2ForEngagedSites,Translate,MediaRouter,OptimizationHints,"
      "AutofillServerCommunication,BackForwardCache,IsolateOrigins,site-per-process,"
      "AcceptCHFrame,InterestFeedContentSuggestions",
      "--block-new-web-contents",  // window.open and popups: no second page
      // Every page in the one renderer process that hosts the initial blank tab:
      // a page then costs no process start (a render 200 ms sooner, bench/
      // render_bench). Pages are rendered one at a time, and a page that hangs
      // its process gets the whole browser replaced anyway.
      "--renderer-process-limit=1",
      "--no-pings",
      "--dns-prefetch-disable",
      "--host-resolver-rules=MAP * ~NOTFOUND",
      "--proxy-server=127.0.0.1:1",
      "--password-store=basic",
      "--use-mock-keychain",
      "--force-color-profile=srgb",
      "--hide-scrollbars",
      "--log-level=3",
      "--lang=zh-CN",
      "--accept-lang=zh-CN,zh",
      absl::StrCat("--window-size=", o.viewport_width, ",", o.viewport_height),
  };
  if (geteuid() == 0) f.push_back("--no-sandbox");  // Chromium refuses to sandbox as root
  f.insert(f.end(), o.extra_flags.begin(), o.extra_flags.end());
  return f;
}

// How a request the page made is answered.
// kIgnore: refused and not counted (the browser's own requests, not the page's).
enum class Route { kDocument, kFetch, kBlock, kAbortNavigation, kIgnore };

bool HttpUrl(absl::string_view url) {
  return absl::StartsWithIgnoreCase(url, "http://") || absl::StartsWithIgnoreCase(url, "https://");
}

Route RouteFor(absl::string_view type, absl::string_view url, bool main_frame,
               bool document_served) {
  if (type == "Document" && main_frame) {
    // The first main-frame document is the page; any later one would replace it
    // (location.href = ..., meta refresh, form submission): cancelled.
    return document_served ? Route::kAbortNavigation : Route::kDocument;
  }
  if (!HttpUrl(url)) return Route::kBlock;
  if (type == "Other") {
    // The browser's own favicon request is not the page's.
    size_t q = url.find('?');
    return absl::EndsWith(url.substr(0, q), "/favicon.ico") ? Route::kIgnore : Route::kFetch;
  }
  if (type == "Document" || type == "Script" || type == "XHR" || type == "Fetch" ||
      type == "Preflight") {
    return Route::kFetch;
  }
  return Route::kBlock;  // Image, Media, Font, Stylesheet, WebSocket, EventSource, Ping, ...
}

bool DropRequestHeader(absl::string_view name) {
  return absl::EqualsIgnoreCase(name, "user-agent") || absl::EqualsIgnoreCase(name, "host") ||
         absl::StartsWithIgnoreCase(name, "sec-ch-");
}

// Caching headers go too: every response is fulfilled "no-store", so no render is
// answered from Chromium's cache instead of through SubresourceFetch.
bool DropResponseHeader(absl::string_view name) {
  return absl::EqualsIgnoreCase(name, "cache-control") || absl::EqualsIgnoreCase(name, "expires") ||
         absl::EqualsIgnoreCase(name, "pragma") || absl::EqualsIgnoreCase(name, "content-length") ||
         absl::EqualsIgnoreCase(name, "content-encoding") ||
         absl::EqualsIgnoreCase(name, "transfer-encoding") ||
         absl::EqualsIgnoreCase(name, "connection") || absl::EqualsIgnoreCase(name, "keep-alive");
}

// The DOM as it is now, with the URL it is at.
constexpr char kTakeDom[] =
    "({url: location.href, html: document.documentElement ? "
    "document.documentElement.outerHTML : ''})";

// One render: a fresh target, every request it makes answered here, the DOM taken
// once the load event fired and the network is idle.
class RenderSession {
 public:
  RenderSession(CdpConnection& cdp, const RendererOptions& o, const RenderRequest& req,
                absl::Time deadline)
      : cdp_(cdp),
        o_(o),
        req_(req),
        deadline_(deadline),
        // Load and network idle by then, leaving time to take the DOM of a page
        // that never settles (a third of the budget, up to 2 s: on a loaded machine a
        // page that keeps its renderer busy answers Runtime.evaluate slowly).
        settle_by_(deadline - std::min(absl::Seconds(2), o.render_timeout / 3)) {}

  // On DeadlineExceeded from here, the page would not answer: the browser must go.
  absl::StatusOr<RenderedPage> Run();

  const std::string& target_id() const { return target_id_; }
  int subrequests() const { return page_.subrequests; }

 private:
  void OnMessage(const rapidjson::Value& m);
  void OnRequestPaused(const rapidjson::Value& params);
  void Reply(const char* method, const internal::JsonParams& params);
  void Fail(absl::string_view request_id, const char* reason);
  void Fulfill(absl::string_view request_id, int status,
               const std::vector<std::pair<std::string, std::string>>& headers,
               absl::string_view body);
  SubresourceResponse FetchFor(const rapidjson::Value& request);

  CdpConnection& cdp_;
  const RendererOptions& o_;
  const RenderRequest& req_;
  const absl::Time deadline_;
  const absl::Time settle_by_;
  std::string target_id_;
  std::string session_;
  int navigate_id_ = -1;
  std::string navigate_error_;
  absl::Status send_error_;  // the first failed write: the browser is gone
  bool document_served_ = false;
  bool load_fired_ = false;
  bool taking_dom_ = false;  // requests from now on are refused unfetched
  absl::Time last_activity_;
  RenderedPage page_;
};

absl::StatusOr<RenderedPage> RenderSession::Run() {
  const absl::Time start = absl::Now();
  last_activity_ = start;
  auto handler = [this](const rapidjson::Document& m) { OnMessage(m); };
  ASSIGN_OR_RETURN(
      rapidjson::Document created,
      cdp_.Call(
          "Target.createTarget", "", [](JsonWriter& w) { JsonKeyString(w, "url", "about:blank"); },
          deadline_, handler));
  target_id_ = std::string(JsonStr(created, "targetId"));
  ASSIGN_OR_RETURN(rapidjson::Document attached, cdp_.Call(
                                                     "Target.attachToTarget", "",
                                                     [this](JsonWriter& w) {
                                                       JsonKeyString(w, "targetId", target_id_);
                                                       w.Key("flatten");
                                                       w.Bool(true);
                                                     },
                                                     deadline_, handler));
  session_ = std::string(JsonStr(attached, "sessionId"));
  // One session processes its commands in order: interception is on before the
  // navigation starts, so these need not wait for each other's replies.
  Reply("Fetch.enable", [](JsonWriter& w) {
    w.Key("patterns");
    w.StartArray();
    w.StartObject();
    JsonKeyString(w, "urlPattern", "*");
    JsonKeyString(w, "requestStage", "Request");
    w.EndObject();
    w.EndArray();
  });
  Reply("Page.enable", nullptr);
  auto nav = cdp_.Send(
      "Page.navigate", session_, [this](JsonWriter& w) { JsonKeyString(w, "url", req_.url); },
      deadline_);
  if (!nav.ok()) return nav.status();
  navigate_id_ = *nav;

  while (true) {
    RETURN_IF_ERROR(send_error_);
    if (!navigate_error_.empty()) {
      return absl::InternalError(
          absl::StrCat("navigation to ", req_.url, " failed: ", navigate_error_));
    }
    const absl::Time now = absl::Now();
    if (load_fired_ && now - last_activity_ >= o_.idle) break;
    if (now >= settle_by_) {
      page_.timed_out = true;
      break;
    }
    const absl::Time wake =
        load_fired_ ? std::min(settle_by_, last_activity_ + o_.idle) : settle_by_;
    ASSIGN_OR_RETURN(std::optional<rapidjson::Document> m, cdp_.Next(wake));
    if (m.has_value()) OnMessage(*m);
  }

  taking_dom_ = true;
  auto dom = cdp_.Call(
      "Runtime.evaluate", session_,
      [](JsonWriter& w) {
        JsonKeyString(w, "expression", kTakeDom);
        w.Key("returnByValue");
        w.Bool(true);
      },
      deadline_, handler);
  if (!dom.ok()) {
    if (absl::IsDeadlineExceeded(dom.status())) {
      return absl::DeadlineExceededError(absl::StrCat("render of ", req_.url, ": no DOM within ",
                                                      absl::FormatDuration(o_.render_timeout),
                                                      " (a script that never yields?)"));
    }
    return dom.status();
  }
  const rapidjson::Value* result = JsonObj(*dom, "result");
  const rapidjson::Value* value = result != nullptr ? JsonObj(*result, "value") : nullptr;
  if (value == nullptr) {
    return absl::InternalError(absl::StrCat("render of ", req_.url, ": no DOM in the answer"));
  }
  page_.url = std::string(JsonStr(*value, "url"));
  page_.html = std::string(JsonStr(*value, "html"));
  page_.elapsed = absl::Now() - start;
  return std::move(page_);
}

void RenderSession::OnMessage(const rapidjson::Value& m) {
  const int id = JsonInt(m, "id");
  if (id >= 0) {
    if (id == navigate_id_) {
      const rapidjson::Value* r = JsonObj(m, "result");
      if (r != nullptr && !JsonStr(*r, "errorText").empty()) {
        navigate_error_ = std::string(JsonStr(*r, "errorText"));
      }
    }
    return;  // replies to what Reply sent need no action
  }
  if (session_.empty() || JsonStr(m, "sessionId") != session_) return;  // an old page's
  const absl::string_view method = JsonStr(m, "method");
  const rapidjson::Value* params = JsonObj(m, "params");
  if (params == nullptr) return;
  if (method == "Fetch.requestPaused") {
    OnRequestPaused(*params);
  } else if (method == "Page.loadEventFired" ||
             (method == "Page.frameStoppedLoading" && JsonStr(*params, "frameId") == target_id_)) {
    // frameStoppedLoading too: a document whose load was cut short by a cancelled
    // navigation (location.href = ... while parsing) never fires its load event.
    if (document_served_) {
      load_fired_ = true;
      last_activity_ = absl::Now();  // idle counts from the load event at the earliest
    }
  } else if (method == "Page.javascriptDialogOpening") {
    // alert()/confirm() would stop the page until answered.
    Reply("Page.handleJavaScriptDialog", [](JsonWriter& w) {
      w.Key("accept");
      w.Bool(true);
    });
  }
}

void RenderSession::OnRequestPaused(const rapidjson::Value& params) {
  const std::string request_id(JsonStr(params, "requestId"));
  const rapidjson::Value* request = JsonObj(params, "request");
  if (request == nullptr) return;
  const absl::string_view url = JsonStr(*request, "url");
  const bool main_frame = JsonStr(params, "frameId") == target_id_;
  const Route route = RouteFor(JsonStr(params, "resourceType"), url, main_frame, document_served_);
  if (route == Route::kDocument) {
    document_served_ = true;
    Fulfill(request_id, 200,
            {{"Content-Type", req_.content_type.empty() ? "text/html" : req_.content_type}},
            req_.body);
  } else if (route == Route::kAbortNavigation) {
    // Aborted, not BlockedByClient: a blocked navigation commits an error page in
    // place of the document; an aborted one leaves the document as it is.
    ++page_.blocked;
    ++page_.navigations_blocked;
    Fail(request_id, "Aborted");
  } else if (route == Route::kIgnore) {
    Fail(request_id, "BlockedByClient");
    return;  // not the page's activity: the network is as idle as it was
  } else if (route == Route::kBlock || taking_dom_ || page_.subrequests >= o_.max_subrequests) {
    ++page_.blocked;
    Fail(request_id, "BlockedByClient");
  } else {
    ++page_.subrequests;
    SubresourceResponse r = FetchFor(*request);
    if (!r.error.empty() || r.status < 100 || r.status > 599) {
      ++page_.subrequest_failures;
      Fail(request_id, "ConnectionFailed");
    } else {
      Fulfill(request_id, r.status, r.headers, r.body);
    }
  }
  last_activity_ = absl::Now();
}

SubresourceResponse RenderSession::FetchFor(const rapidjson::Value& request) {
  SubresourceRequest sr;
  sr.method = std::string(JsonStr(request, "method"));
  sr.url = std::string(JsonStr(request, "url"));
  if (const rapidjson::Value* h = JsonObj(request, "headers")) {
    for (auto it = h->MemberBegin(); it != h->MemberEnd(); ++it) {
      if (!it->name.IsString() || !it->value.IsString()) continue;
      if (DropRequestHeader(it->name.GetString())) continue;
      sr.headers.emplace_back(it->name.GetString(), it->value.GetString());
    }
  }
  auto entries = request.FindMember("postDataEntries");
  if (entries != request.MemberEnd() && entries->value.IsArray()) {
    for (const rapidjson::Value& e : entries->value.GetArray()) {
      std::string part;
      if (absl::Base64Unescape(JsonStr(e, "bytes"), &part)) sr.post_body += part;
    }
  } else {
    sr.post_body = std::string(JsonStr(request, "postData"));
  }
  sr.timeout = settle_by_ - absl::Now();  // the DOM must still be taken after it
  if (sr.timeout <= absl::ZeroDuration()) {
    SubresourceResponse late;
    late.error = "render deadline passed";
    return late;
  }
  return o_.fetch(sr);
}

void RenderSession::Reply(const char* method, const internal::JsonParams& params) {
  if (!send_error_.ok()) return;
  auto id = cdp_.Send(method, session_, params, deadline_ + absl::Seconds(1));
  if (!id.ok()) send_error_ = id.status();
}

void RenderSession::Fail(absl::string_view request_id, const char* reason) {
  Reply("Fetch.failRequest", [&](JsonWriter& w) {
    JsonKeyString(w, "requestId", request_id);
    JsonKeyString(w, "errorReason", reason);
  });
}

void RenderSession::Fulfill(absl::string_view request_id, int status,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            absl::string_view body) {
  Reply("Fetch.fulfillRequest", [&](JsonWriter& w) {
    JsonKeyString(w, "requestId", request_id);
    w.Key("responseCode");
    w.Int(status);
    w.Key("responseHeaders");
    w.StartArray();
    for (const auto& [name, value] : headers) {
      if (DropResponseHeader(name)) continue;
      w.StartObject();
      JsonKeyString(w, "name", name);
      JsonKeyString(w, "value", value);
      w.EndObject();
    }
    w.StartObject();
    JsonKeyString(w, "name", "Cache-Control");
    JsonKeyString(w, "value", "no-store");
    w.EndObject();
    w.EndArray();
    JsonKeyString(w, "body", absl::Base64Escape(body));
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<PageRenderer>> PageRenderer::Start(RendererOptions options) {
  if (!options.fetch) return absl::InvalidArgumentError("renderer: no SubresourceFetch");
  if (options.render_timeout <= absl::ZeroDuration() || options.max_subrequests < 0 ||
      options.renders_per_browser < 1) {
    return absl::InvalidArgumentError(
        "renderer: render_timeout must be > 0, max_subrequests >= 0, renders_per_browser >= 1");
  }
  std::unique_ptr<PageRenderer> r(new PageRenderer(std::move(options)));
  RETURN_IF_ERROR(r->EnsureBrowser());
  return r;
}

PageRenderer::PageRenderer(RendererOptions options) : options_(std::move(options)) {}

PageRenderer::~PageRenderer() { StopBrowser(absl::Seconds(2)); }

pid_t PageRenderer::browser_pid() const {
  return browser_ != nullptr ? browser_->process().pid() : 0;
}

absl::Status PageRenderer::EnsureBrowser() {
  if (browser_ != nullptr && browser_->process().Alive()) return absl::OkStatus();
  StopBrowser(absl::ZeroDuration());  // dead already: reap it, clear its profile
  if (!ChromiumAvailable(options_.chromium_path)) {
    return absl::FailedPreconditionError(
        absl::StrCat("chromium not found or not executable at ", options_.chromium_path,
                     " (scripts/install-browser.sh installs it; CENSUS_CHROMIUM overrides)"));
  }
  ASSIGN_OR_RETURN(browser_, CdpConnection::Start(options_.chromium_path, ChromiumFlags(options_),
                                                  absl::Now() + options_.startup_timeout));
  if (browser_starts_++ > 0) ++stats_.restarts;
  renders_on_browser_ = 0;
  return absl::OkStatus();
}

void PageRenderer::StopBrowser(absl::Duration grace) {
  if (browser_ == nullptr) return;
  browser_->Close(grace);
  browser_.reset();
}

void PageRenderer::CloseTarget(const std::string& target_id) {
  if (browser_ == nullptr || target_id.empty()) return;
  auto closed = browser_->Call(
      "Target.closeTarget", "", [&](JsonWriter& w) { JsonKeyString(w, "targetId", target_id); },
      absl::Now() + absl::Seconds(2), nullptr);
  if (!closed.ok()) StopBrowser(absl::Seconds(1));  // pages must not accumulate
}

absl::StatusOr<RenderedPage> PageRenderer::Render(const RenderRequest& req) {
  if (!HttpUrl(req.url)) {
    ++stats_.failures;
    return absl::InvalidArgumentError(absl::StrCat("renderer: not an http(s) URL: ", req.url));
  }
  absl::StatusOr<RenderedPage> page;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (absl::Status s = EnsureBrowser(); !s.ok()) {
      ++stats_.failures;
      return s;
    }
    RenderSession session(*browser_, options_, req, absl::Now() + options_.render_timeout);
    page = session.Run();
    if (!browser_->process().Alive()) {
      StopBrowser(absl::ZeroDuration());
      // A browser found dead before the page fetched anything (killed between
      // renders, say) costs the page nothing: once more with a fresh one.
      if (attempt == 0 && !page.ok() && session.subrequests() == 0) continue;
    } else if (absl::IsDeadlineExceeded(page.status())) {
      // The page would not even give its DOM: a renderer spinning in a script. No
      // second chance for this browser; Browser.close ends such a renderer too, and
      // the grace is short so that Render returns near its deadline.
      StopBrowser(absl::Milliseconds(500));
    } else {
      CloseTarget(session.target_id());
    }
    break;
  }
  ++renders_on_browser_;
  if (page.ok()) {
    ++stats_.renders;
    stats_.subrequests += page->subrequests;
    stats_.blocked += page->blocked;
  } else {
    ++stats_.failures;
  }
  AfterRender();
  return page;
}

void PageRenderer::AfterRender() {
  if (browser_ == nullptr) return;
  last_rss_bytes_ = browser_->process().GroupRssBytes();
  stats_.peak_rss_bytes = std::max(stats_.peak_rss_bytes, last_rss_bytes_);
  if (last_rss_bytes_ > options_.max_rss_bytes ||
      renders_on_browser_ >= options_.renders_per_browser) {
    StopBrowser(absl::Seconds(2));  // the next Render starts a fresh one
  }
}

}  // namespace census
