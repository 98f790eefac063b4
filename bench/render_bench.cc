// render_bench: how fast one PageRenderer (one headless Chromium) renders column
// pages whose lists scripts build, and how much memory its process group holds. Not
// part of ctest; figures and the command that produced them in docs/BENCHMARKS.md.
//
//   render_bench [--pages 200] [--items 20] [--idle-ms 300] [--timeout-s 8]
//                [--renders-per-browser 500] [--chromium-flag FLAG ...]
//
// The pages are generated, in three kinds taken in turn: a list built from an inline
// JS array, a list built from JSON fetched by XMLHttpRequest, and a JSONP list
// (<script src=...&callback=cb>). Subresources are answered from memory, so the
// figures are Chromium's (start-up excluded: it happens before the clock starts).
// Every render is checked to hold the page's `--items` list items.
//
// Printed: renders/s over the run, p50/p90/p99/max render time, the process group's
// peak and last memory (Pss summed over the group, as the renderer measures it for
// max_rss_bytes), restarts, failures, subrequests.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "worker/renderer.h"

namespace census {
namespace {

struct Config {
  int pages = 200;
  int items = 20;
  int idle_ms = 300;
  int timeout_s = 8;
  int renders_per_browser = 500;
  std::vector<std::string> flags;  // --chromium-flag, repeated: extra Chromium flags
};

bool ParseArgs(int argc, char** argv, Config* c) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return false;
    if (a == "--chromium-flag") {
      c->flags.push_back(argv[++i]);
      continue;
    }
    int* dst = a == "--pages"                 ? &c->pages
               : a == "--items"               ? &c->items
               : a == "--idle-ms"             ? &c->idle_ms
               : a == "--timeout-s"           ? &c->timeout_s
               : a == "--renders-per-browser" ? &c->renders_per_browser
                                              : nullptr;
    if (dst == nullptr || !absl::SimpleAtoi(argv[++i], dst) || *dst < 0) return false;
  }
  return c->pages > 0 && c->items > 0;
}

std::string Row(int page, int i) {
  return absl::StrCat(R"({"title":"第)", page, "页第", i,
                      R"(条政务信息公开通知","url":"/art/2026/11/)", page, "/art_", i,
                      R"(.html","date":"2026-11-)", 10 + i % 20, R"("})");
}

std::string Rows(int page, int items) {
  std::string out = "[";
  for (int i = 0; i < items; ++i) absl::StrAppend(&out, i > 0 ? "," : "", Row(page, i));
  return out + "]";
}

constexpr char kBuild[] = R"(
function build(rows) {
  var ul = document.getElementById("list");
  rows.forEach(function (r) {
    var li = document.createElement("li"), a = document.createElement("a"),
        s = document.createElement("span");
    a.setAttribute("href", r.url); a.textContent = r.title; s.textContent = r.date;
    li.appendChild(a); li.appendChild(s); ul.appendChild(li);
  });
})";

// Page `n` of kind n % 3, and the subresources it needs (URL -> body).
RenderRequest MakePage(int n, int items, std::map<std::string, std::string>* subs) {
  const std::string base = absl::StrCat("http://www.bench.gov.cn/col/col", n);
  std::string script;
  if (n % 3 == 0) {
    script = absl::StrCat("<script>", kBuild, "\nbuild(", Rows(n, items), ");</script>");
  } else if (n % 3 == 1) {
    const std::string api = absl::StrCat(base, "/api/list?page=1");
    (*subs)[api] = absl::StrCat(R"({"total":)", items, R"(,"rows":)", Rows(n, items), "}");
    script = absl::StrCat("<script>", kBuild, R"(
var x = new XMLHttpRequest(); x.open("GET", "api/list?page=1");
x.onload = function () { build(JSON.parse(x.responseText).rows); }; x.send();
</script>)");
  } else {
    const std::string api = absl::StrCat(base, "/api/jsonp?callback=cb");
    (*subs)[api] = absl::StrCat("cb(", Rows(n, items), ");");
    script = absl::StrCat("<script>", kBuild, "\nfunction cb(rows) { build(rows); }</script>",
                          R"(<script src="api/jsonp?callback=cb"></script>)");
  }
  RenderRequest req;
  req.url = absl::StrCat(base, "/index.html");
  req.content_type = "text/html; charset=utf-8";
  req.body = absl::StrCat(
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>通知公告</title>"
      "<link rel=\"stylesheet\" href=\"/css/main.css\"></head><body>"
      "<div class=\"header\"><img src=\"/img/logo.png\"></div><ul id=\"list\"></ul>",
      script, "</body></html>");
  return req;
}

std::string LoadAvg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return absl::StrCat(a, " ", b, " ", c);
}

int Main(int argc, char** argv) {
  Config config;
  if (!ParseArgs(argc, argv, &config)) {
    std::fprintf(stderr,
                 "usage: render_bench [--pages 200] [--items 20] [--idle-ms 300] "
                 "[--timeout-s 8] [--renders-per-browser 500] [--chromium-flag FLAG ...]\n");
    return 2;
  }
  std::map<std::string, std::string> subs;
  std::vector<RenderRequest> pages;
  for (int n = 0; n < config.pages; ++n) pages.push_back(MakePage(n, config.items, &subs));

  RendererOptions o;
  o.idle = absl::Milliseconds(config.idle_ms);
  o.render_timeout = absl::Seconds(config.timeout_s);
  o.renders_per_browser = config.renders_per_browser;
  o.extra_flags = config.flags;
  o.fetch = [&subs](const SubresourceRequest& req) {
    SubresourceResponse r;
    auto it = subs.find(req.url);
    if (it == subs.end()) {
      r.status = 404;
      return r;
    }
    r.headers = {{"Content-Type", "application/javascript; charset=utf-8"}};
    r.body = it->second;
    return r;
  };
  std::printf(
      "render_bench: %d pages, %d items each, idle %d ms; chromium %s; %ld cores, load %s\n",
      config.pages, config.items, config.idle_ms, o.chromium_path.c_str(),
      sysconf(_SC_NPROCESSORS_ONLN), LoadAvg().c_str());
  const absl::Time start_begin = absl::Now();
  auto renderer = PageRenderer::Start(o);
  if (!renderer.ok()) {
    std::fprintf(stderr, "render_bench: %s\n", renderer.status().ToString().c_str());
    return 1;
  }
  std::printf("browser start: %.0f ms\n", absl::ToDoubleMilliseconds(absl::Now() - start_begin));

  std::vector<double> ms;
  int bad = 0;
  const absl::Time begin = absl::Now();
  for (const RenderRequest& req : pages) {
    const absl::Time t0 = absl::Now();
    auto page = (*renderer)->Render(req);
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    int items = 0;
    if (page.ok()) {
      for (size_t p = page->html.find("<li>"); p != std::string::npos;
           p = page->html.find("<li>", p + 4)) {
        ++items;
      }
    }
    if (!page.ok() || items != config.items || page->timed_out) {
      ++bad;
      std::fprintf(
          stderr, "render_bench: %s: %s, %d items\n", req.url.c_str(),
          page.ok() ? (page->timed_out ? "timed out" : "ok") : page.status().ToString().c_str(),
          items);
    }
  }
  const double wall = absl::ToDoubleSeconds(absl::Now() - begin);
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * (ms.size() - 1) + 0.5))];
  };
  const RendererStats& s = (*renderer)->stats();
  std::printf("renders: %d in %.1f s = %.2f renders/s\n", config.pages, wall, config.pages / wall);
  std::printf("render ms: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f\n", pct(0.5), pct(0.9), pct(0.99),
              ms.back());
  std::printf("process group Pss: peak %.0f MiB, last %.0f MiB\n", s.peak_rss_bytes / 1048576.0,
              (*renderer)->LastRssBytes() / 1048576.0);
  std::printf("restarts %lld, failures %lld, wrong item count %d, subrequests %lld, blocked %lld\n",
              static_cast<long long>(s.restarts), static_cast<long long>(s.failures), bad,
              static_cast<long long>(s.subrequests), static_cast<long long>(s.blocked));
  return bad == 0 ? 0 : 1;
}

}  // namespace
}  // namespace census

int main(int argc, char** argv) { return census::Main(argc, argv); }
