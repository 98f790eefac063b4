#include "serve/serve.h"

#include <algorithm>
#include <climits>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "aggregator/site_verdict.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "serve/archive.h"

namespace census::serve {

namespace {

// The UI's own pages: no script at all, frames only from here (the archive), never framed
// by anything but the UI itself (an archived page, an opaque origin, cannot frame it).
constexpr char kUiPolicy[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-src 'self'; "
    "frame-ancestors 'self'; form-action 'none'; base-uri 'none'";
// Archived responses: a unique opaque origin, no scripts, no forms, no popups, no
// navigation of the top page, no plugins (sandbox without any allow-* token); a meta
// refresh is refused too (Chromium refuses it in a document sandboxed without scripts).
constexpr char kArchivePolicy[] = "sandbox";

constexpr char kStyle[] =
    "body{font:14px/1.45 system-ui,'Noto Sans CJK SC',sans-serif;margin:0;color:#222}"
    "header.bar{background:#1d3557;color:#fff;padding:6px 16px}header.bar a{color:#fff}"
    "main{padding:8px 16px}table{border-collapse:collapse;margin:8px 0}"
    "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}"
    "th{background:#f1f3f5}.hash{font-family:monospace;font-size:12px}"
    "tr.fail td,tr.unreachable td{background:#fff1f0}.added{background:#e6ffed}"
    ".removed{background:#ffeef0}.date-moved{background:#fff8c5}.retitled{background:#f1f8ff}"
    "iframe.archived{width:100%;height:70vh;border:2px solid #1d3557}nav.versions "
    "a{margin-right:1em}"
    "p.note{color:#555}";

HttpResponse Html(unsigned int status, const std::string& title, const std::string& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = absl::StrCat("<!DOCTYPE html>\n<html lang=\"zh\"><head><meta charset=\"utf-8\"><title>",
                        HtmlEscape(title), "</title><style>", kStyle,
                        "</style></head>\n<body><header class=\"bar\"><a href=\"/\">census serve"
                        "</a> · 只读档案 <small>read-only archive</small></header>\n<main>\n",
                        body, "</main></body></html>\n");
  r.headers = {{"Content-Security-Policy", kUiPolicy},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"Cache-Control", "no-store"}};
  return r;
}

HttpResponse NotFound(const std::string& what) {
  return Html(404, "not found",
              absl::StrCat("<h1>Not found</h1>\n<p id=\"error\">", HtmlEscape(what), "</p>\n"));
}

HttpResponse BadRequest(const std::string& what) {
  return Html(400, "bad request",
              absl::StrCat("<h1>Bad request</h1>\n<p id=\"error\">", HtmlEscape(what), "</p>\n"));
}

HttpResponse Failure(const absl::Status& status) {
  if (absl::IsNotFound(status)) return NotFound(std::string(status.message()));
  return Html(
      500, "error",
      absl::StrCat("<h1>Error</h1>\n<p id=\"error\">", HtmlEscape(status.ToString()), "</p>\n"));
}

std::string Time(int64_t ms) { return ms <= 0 ? "—" : FormatRfc3339(absl::FromUnixMillis(ms)); }

std::string ShortHash(const std::string& hash) {
  return hash.size() > 12 ? hash.substr(0, 12) : hash;
}

// Addresses of the UI. Site and run ids are percent-encoded path segments; a URL is
// appended verbatim after a timestamp (Wayback style) and percent-encoded in a query.
std::string RunPath(const std::string& run_id) { return "/run/" + PercentEncode(run_id); }
std::string SitePath(const std::string& run_id, const std::string& site_id) {
  return absl::StrCat(RunPath(run_id), "/site/", PercentEncode(site_id));
}
std::string VersionsPath(const std::string& site_id, const std::string& url) {
  return absl::StrCat("/page/", PercentEncode(site_id), "?url=", PercentEncode(url));
}
std::string ViewPath(int64_t ms, const std::string& url) {
  return absl::StrCat("/view/", Timestamp14(ms), "/", url);
}
std::string ArchivePath(int64_t ms, const std::string& url, bool raw) {
  return absl::StrCat("/web/", Timestamp14(ms), raw ? "id_/" : "/", url);
}
std::string DiffPath(int64_t a_ms, int64_t b_ms, const std::string& url) {
  return absl::StrCat("/diff/", Timestamp14(a_ms), "/", Timestamp14(b_ms), "/", url);
}

std::string Link(const std::string& href, const std::string& text) {
  return absl::StrCat("<a href=\"", HtmlEscape(href), "\">", HtmlEscape(text), "</a>");
}

const char* KindName(TaskKind kind) {
  switch (kind) {
    case PROBE:
      return "probe";
    case HOMEPAGE:
      return "homepage";
    case COLUMN:
      return "column";
    case LINK_CHECK:
      return "link check";
    case PROBE_V6:
      return "probe (IPv6)";
    case HTTPS_CHECK:
      return "https check";
    default:
      return "?";
  }
}

bool HasBody(const FetchRecord& f) { return !f.content_hash().empty(); }

// The newest fetch with a body at or before the second starting at `start_ms`.
const FetchRecord* VersionAt(const std::vector<FetchRecord>& fetches, int64_t start_ms) {
  const FetchRecord* found = nullptr;
  for (const FetchRecord& f : fetches) {
    if (HasBody(f) && f.fetched_at_ms() < start_ms + 1000) found = &f;
  }
  return found;
}

// The newest fetch with a body before `version` whose body differs; nullptr when none.
const FetchRecord* PreviousChange(const std::vector<FetchRecord>& fetches,
                                  const FetchRecord& version) {
  const FetchRecord* found = nullptr;
  for (const FetchRecord& f : fetches) {
    if (&f == &version || f.fetched_at_ms() > version.fetched_at_ms()) break;
    if (HasBody(f) && f.content_hash() != version.content_hash()) found = &f;
  }
  return found;
}

// After `version`, the next fetch with a different body.
const FetchRecord* NextChange(const std::vector<FetchRecord>& fetches, const FetchRecord& version) {
  for (const FetchRecord& f : fetches) {
    if (f.fetched_at_ms() > version.fetched_at_ms() && HasBody(f) &&
        f.content_hash() != version.content_hash()) {
      return &f;
    }
  }
  return nullptr;
}

// "/web/TS/URL" → ("TS", "URL"). A browser or proxy may have merged "http://" into
// "http:/": put the slash back.
bool SplitTimestampAndUrl(absl::string_view rest, std::string* ts, std::string* url) {
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) return false;
  *ts = std::string(rest.substr(0, slash));
  *url = std::string(rest.substr(slash + 1));
  for (absl::string_view scheme : {"http:/", "https:/"}) {
    if (absl::StartsWithIgnoreCase(*url, scheme) &&
        !absl::StartsWithIgnoreCase(*url, absl::StrCat(scheme, "/"))) {
      url->insert(scheme.size(), "/");
    }
  }
  return !url->empty();
}

std::string ItemChangeName(ItemRow::Change change) {
  switch (change) {
    case ItemRow::kAdded:
      return "added";
    case ItemRow::kRemoved:
      return "removed";
    case ItemRow::kDateMoved:
      return "date-moved";
    case ItemRow::kRetitled:
      return "retitled";
    default:
      return "same";
  }
}

std::string ItemChangeLabel(ItemRow::Change change) {
  switch (change) {
    case ItemRow::kAdded:
      return "新增 added";
    case ItemRow::kRemoved:
      return "删除 removed";
    case ItemRow::kDateMoved:
      return "日期变动 date moved";
    case ItemRow::kRetitled:
      return "标题变动 retitled";
    default:
      return "未变 same";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ArchiveServer>> ArchiveServer::Create(Store* store,
                                                                     RunOptionsFn run_options) {
  std::unique_ptr<ArchiveServer> server(new ArchiveServer(store, std::move(run_options)));
  RETURN_IF_ERROR(store->ForEachRun([&](const RunRecord& run) { server->runs_.push_back(run); }));
  RETURN_IF_ERROR(store->ForEachSite([&](const Site& site) {
    server->sites_[site.site_id()] = site;
    const std::string host = UrlHost(site.url());
    if (!host.empty()) server->by_host_[host].push_back(site.site_id());
  }));
  return server;
}

const RunRecord* ArchiveServer::FindRun(const std::string& run_id) const {
  for (const RunRecord& run : runs_) {
    if (run.run_id() == run_id) return &run;
  }
  return nullptr;
}

std::string ArchiveServer::RunAt(int64_t ms) const {
  for (const RunRecord& run : runs_) {
    if (ms >= run.started_ms() && ms <= run.finished_ms()) return run.run_id();
  }
  return "";
}

std::vector<std::string> ArchiveServer::SitesOfUrl(const std::string& url) const {
  if (auto it = by_host_.find(UrlHost(url)); it != by_host_.end()) return it->second;
  absl::StatusOr<std::optional<FetchRecord>> check =
      store_->LatestLinkCheck(url, INT64_MIN, INT64_MAX);
  if (check.ok() && check->has_value()) return {std::string((*check)->site_id())};
  return {};
}

absl::StatusOr<std::vector<FetchRecord>> ArchiveServer::UrlFetches(
    const std::vector<std::string>& sites, const std::string& url) const {
  std::vector<FetchRecord> fetches;
  for (const std::string& site_id : sites) {
    RETURN_IF_ERROR(store_->ForEachUrlFetch(site_id, url, INT64_MAX,
                                            [&](const FetchRecord& f) { fetches.push_back(f); }));
  }
  std::stable_sort(fetches.begin(), fetches.end(), [](const FetchRecord& a, const FetchRecord& b) {
    return a.fetched_at_ms() < b.fetched_at_ms();
  });
  return fetches;
}

absl::StatusOr<std::optional<PageObservation>> ArchiveServer::ObservationOf(
    const FetchRecord& fetch) const {
  ASSIGN_OR_RETURN(std::vector<PageObservation> history,
                   store_->ObservationHistory(std::string(fetch.site_id()),
                                              std::string(fetch.url()), fetch.fetched_at_ms()));
  // Oldest first: the newest is the fetch's own (or, for a fetch that extracted nothing,
  // the one before it, which then shows the same body only if its hash says so).
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->content_hash() == fetch.content_hash()) return std::optional<PageObservation>(*it);
  }
  return std::optional<PageObservation>();
}

HttpResponse ArchiveServer::Handle(const HttpRequest& request) const {
  const std::string& path = request.path;
  std::vector<std::string> parts = absl::StrSplit(path, '/');  // parts[0] is ""
  if (path == "/" || path.empty()) return Runs();
  if (absl::StartsWith(path, "/web/")) {
    std::string ts, url;
    if (!SplitTimestampAndUrl(absl::string_view(path).substr(5), &ts, &url)) {
      return BadRequest("want /web/YYYYMMDDhhmmss/URL");
    }
    if (!request.query.empty()) absl::StrAppend(&url, "?", request.query);
    return Archived(ts, url);
  }
  if (absl::StartsWith(path, "/view/")) {
    std::string ts, url;
    if (!SplitTimestampAndUrl(absl::string_view(path).substr(6), &ts, &url)) {
      return BadRequest("want /view/YYYYMMDDhhmmss/URL");
    }
    if (!request.query.empty()) absl::StrAppend(&url, "?", request.query);
    return View(ts, url);
  }
  if (absl::StartsWith(path, "/diff/")) {
    std::string ts_a, rest, ts_b, url;
    if (!SplitTimestampAndUrl(absl::string_view(path).substr(6), &ts_a, &rest) ||
        !SplitTimestampAndUrl(rest, &ts_b, &url)) {
      return BadRequest("want /diff/YYYYMMDDhhmmss/YYYYMMDDhhmmss/URL");
    }
    if (!request.query.empty()) absl::StrAppend(&url, "?", request.query);
    return Diff(ts_a, ts_b, url);
  }
  if (parts.size() == 3 && parts[1] == "run")
    return RunSites(PercentDecode(parts[2]), request.query);
  if (parts.size() == 5 && parts[1] == "run" && parts[3] == "site") {
    return SitePage(PercentDecode(parts[2]), PercentDecode(parts[4]));
  }
  if (parts.size() == 3 && parts[1] == "page") {
    return Versions(PercentDecode(parts[2]), QueryValue(request.query, "url"));
  }
  if (parts.size() == 4 && parts[1] == "evidence") {
    return Evidence(PercentDecode(parts[2]), PercentDecode(parts[3]), request.query);
  }
  return NotFound(absl::StrCat("no page at ", path));
}

HttpResponse ArchiveServer::Runs() const {
  std::string body =
      "<h1>普查批次 <small>Runs</small></h1>\n<table id=\"runs\"><thead><tr><th>run</th>"
      "<th>普查日期 as of</th><th>网站 sites</th><th>抓取页面 pages fetched</th>"
      "<th>开始 started</th><th>结束 finished</th></tr></thead><tbody>\n";
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) {  // newest first
    const RunRecord& run = *it;
    absl::StrAppend(&body, "<tr><td>", Link(RunPath(run.run_id()), run.run_id()), "</td><td>",
                    HtmlEscape(run.as_of()), "</td><td>", run.site_ids_size(), "</td><td>",
                    run.pages_fetched(), "</td><td>", Time(run.started_ms()), "</td><td>",
                    Time(run.finished_ms()), "</td></tr>\n");
  }
  absl::StrAppend(&body, "</tbody></table>\n");
  if (runs_.empty()) absl::StrAppend(&body, "<p class=\"note\">This store holds no run.</p>\n");
  return Html(200, "census serve: runs", body);
}

HttpResponse ArchiveServer::RunSites(const std::string& run_id, const std::string& query) const {
  const RunRecord* run = FindRun(run_id);
  if (run == nullptr) return NotFound(absl::StrCat("no run '", run_id, "' in this store"));
  std::vector<std::string> site_ids(run->site_ids().begin(), run->site_ids().end());
  std::sort(site_ids.begin(), site_ids.end());
  const int pages =
      std::max<int>(1, (static_cast<int>(site_ids.size()) + kSitesPerPage - 1) / kSitesPerPage);
  int page = 1;
  if (const std::string p = QueryValue(query, "page"); !p.empty()) {
    if (!absl::SimpleAtoi(p, &page) || page < 1 || page > pages) {
      return NotFound(absl::StrCat("run ", run_id, " has pages 1 to ", pages, ", not '", p, "'"));
    }
  }
  const size_t begin = static_cast<size_t>(page - 1) * kSitesPerPage;
  const size_t end = std::min(site_ids.size(), begin + kSitesPerPage);
  absl::StatusOr<AggregateOptions> options = run_options_(*run);
  if (!options.ok()) return Failure(options.status());
  options->site_ids.assign(site_ids.begin() + static_cast<long>(begin),
                           site_ids.begin() + static_cast<long>(end));
  std::string rows;
  std::map<std::string, int> verdicts;
  absl::StatusOr<report::CensusSummary> summary =
      AggregateEach(*store_, *options, [&](report::SiteReport& site) {
        ++verdicts[site.verdict()];
        std::vector<std::string> findings;
        for (const report::Veto& v : site.vetoes()) findings.push_back(v.rule());
        for (const report::ContentFinding& c : site.content()) findings.push_back(c.kind());
        if (site.links().broken_size() > 0) {
          findings.push_back(absl::StrCat(site.links().broken_size(), " broken links"));
        }
        absl::StrAppend(&rows, "<tr class=\"", HtmlEscape(site.verdict()), "\" id=\"site-",
                        HtmlEscape(site.site_id()), "\"><td>",
                        Link(SitePath(run_id, site.site_id()), site.site_id()), "</td><td>",
                        HtmlEscape(site.name()), "</td><td>", HtmlEscape(site.region()),
                        "</td><td>", HtmlEscape(site.verdict()), "</td><td>",
                        absl::StrFormat("%.1f", site.score()), "</td><td>",
                        HtmlEscape(absl::StrJoin(findings, ", ")), "</td></tr>\n");
        return absl::OkStatus();
      });
  if (!summary.ok()) return Failure(summary.status());
  std::string body = absl::StrCat(
      "<h1>", HtmlEscape(run->as_of()), " 普查 <small>run ", HtmlEscape(run_id), "</small></h1>\n",
      "<p id=\"shown\">网站 sites ", begin + (end > begin ? 1 : 0), "–", end, " of ",
      site_ids.size(), " (page ", page, " of ", pages, "): ", verdicts["pass"], " pass, ",
      verdicts["fail"], " fail, ", verdicts["unreachable"], " unreachable</p>\n",
      "<table id=\"sites\"><thead><tr><th>site</th><th>名称 name</th><th>地区 region</th>"
      "<th>结论 verdict</th><th>得分 score</th><th>问题 findings</th></tr></thead><tbody>\n",
      rows, "</tbody></table>\n<nav class=\"pager\">");
  if (page > 1) {
    absl::StrAppend(&body, Link(absl::StrCat(RunPath(run_id), "?page=", page - 1), "← previous"),
                    " ");
  }
  if (page < pages) {
    absl::StrAppend(&body, Link(absl::StrCat(RunPath(run_id), "?page=", page + 1), "next →"));
  }
  absl::StrAppend(&body, "</nav>\n");
  return Html(200, absl::StrCat("run ", run_id), body);
}

HttpResponse ArchiveServer::SitePage(const std::string& run_id, const std::string& site_id) const {
  const RunRecord* run = FindRun(run_id);
  if (run == nullptr) return NotFound(absl::StrCat("no run '", run_id, "' in this store"));
  if (std::find(run->site_ids().begin(), run->site_ids().end(), site_id) == run->site_ids().end()) {
    return NotFound(absl::StrCat("no site '", site_id, "' in run ", run_id));
  }
  absl::StatusOr<AggregateOptions> options = run_options_(*run);
  if (!options.ok()) return Failure(options.status());
  options->site_ids = {site_id};
  std::optional<report::SiteReport> found;
  absl::StatusOr<report::CensusSummary> summary =
      AggregateEach(*store_, *options, [&](report::SiteReport& site) {
        found = std::move(site);
        return absl::OkStatus();
      });
  if (!summary.ok()) return Failure(summary.status());
  if (!found.has_value()) return NotFound(absl::StrCat("site ", site_id, " has no records"));
  const report::SiteReport& site = *found;

  std::string body = absl::StrCat(
      "<p>", Link(RunPath(run_id), absl::StrCat("← run ", run_id)), "</p>\n<h1>",
      HtmlEscape(site.name()), " <small>", HtmlEscape(site.site_id()), "</small></h1>\n",
      "<p id=\"verdict\">", HtmlEscape(site.verdict()), ", score ",
      absl::StrFormat("%.1f", site.score()), "</p>\n<p>", HtmlEscape(site.url()), " · region ",
      HtmlEscape(site.region()), " · level ", HtmlEscape(site.level()), "</p>\n");
  absl::StrAppend(&body, "<h2>问题 <small>Findings</small></h2>\n<ul id=\"findings\">\n");
  for (const report::Veto& v : site.vetoes()) {
    absl::StrAppend(&body, "<li class=\"veto\">veto ", HtmlEscape(v.rule()), ": ",
                    HtmlEscape(v.detail()), "</li>\n");
  }
  for (const report::Deduction& d : site.deductions()) {
    absl::StrAppend(&body, "<li class=\"deduction\">deduction ", HtmlEscape(d.rule()), " -",
                    absl::StrFormat("%.2f", d.points()), ": ", HtmlEscape(d.detail()), "</li>\n");
  }
  for (const report::EarlyWarning& w : site.early_warnings()) {
    absl::StrAppend(&body, "<li class=\"warning\">warning ", HtmlEscape(w.rule()), ": ",
                    HtmlEscape(w.detail()), "</li>\n");
  }
  for (const report::ContentFinding& c : site.content()) {
    absl::StrAppend(&body, "<li class=\"content\">", HtmlEscape(c.kind()), " ", HtmlEscape(c.url()),
                    ": ", HtmlEscape(c.detail()), "</li>\n");
  }
  for (const report::BrokenLink& b : site.links().broken()) {
    absl::StrAppend(&body, "<li class=\"broken\">broken link ", HtmlEscape(b.url()), " (",
                    HtmlEscape(b.error()), ") on ", HtmlEscape(b.found_on()), "</li>\n");
  }
  absl::StrAppend(&body, "</ul>\n");

  absl::StrAppend(&body,
                  "<h2>证据 <small>Evidence</small></h2>\n<table id=\"evidence\"><thead><tr>"
                  "<th>finding</th><th>URL</th><th>fetched at</th><th>snapshot</th></tr>"
                  "</thead><tbody>\n");
  for (const report::Evidence& e : site.evidence()) {
    const std::string link = EvidenceLink("/", site.site_id(), e);
    absl::StrAppend(&body, "<tr><td>", HtmlEscape(e.finding()), "</td><td>", HtmlEscape(e.url()),
                    "</td><td>", HtmlEscape(e.fetched_at()), "</td><td class=\"hash\">",
                    link.empty() ? "—" : Link(link, ShortHash(e.snapshot())), "</td></tr>\n");
  }
  absl::StrAppend(&body, "</tbody></table>\n");

  absl::StrAppend(&body,
                  "<h2>栏目 <small>Columns</small></h2>\n<table id=\"columns\"><thead><tr>"
                  "<th>name</th><th>category</th><th>URL</th><th>last update</th><th>state</th>"
                  "</tr></thead><tbody>\n");
  for (const report::ColumnReport& c : site.columns()) {
    const std::vector<std::string> state = ColumnProblems(c);
    absl::StrAppend(&body, "<tr><td>", HtmlEscape(c.name()), "</td><td>", HtmlEscape(c.category()),
                    "</td><td>", Link(VersionsPath(site.site_id(), c.url()), c.url()), "</td><td>",
                    HtmlEscape(c.last_update()), "</td><td>",
                    HtmlEscape(state.empty() ? std::string("ok") : absl::StrJoin(state, ", ")),
                    "</td></tr>\n");
  }
  absl::StrAppend(&body, "</tbody></table>\n");

  // Every page of the site with a stored body, up to the end of the run.
  struct PageRow {
    std::set<std::string> kinds, hashes;
    int fetches = 0;
    int64_t last_ms = 0;
  };
  std::map<std::string, PageRow> pages;
  absl::Status scan =
      store_->ForEachFetch(site_id, INT64_MIN, run->finished_ms(), [&](const FetchRecord& f) {
        if (!HasBody(f)) return;
        PageRow& row = pages[std::string(f.url())];
        row.kinds.insert(KindName(f.kind()));
        row.hashes.insert(std::string(f.content_hash()));
        ++row.fetches;
        row.last_ms = std::max(row.last_ms, f.fetched_at_ms());
      });
  if (!scan.ok()) return Failure(scan);
  absl::StrAppend(&body,
                  "<h2>页面 <small>Pages stored</small></h2>\n<table id=\"pages\"><thead><tr>"
                  "<th>URL</th><th>kinds</th><th>fetches</th><th>versions</th>"
                  "<th>last fetched</th></tr></thead><tbody>\n");
  for (const auto& [url, row] : pages) {
    absl::StrAppend(&body, "<tr><td>", Link(VersionsPath(site_id, url), url), "</td><td>",
                    HtmlEscape(absl::StrJoin(row.kinds, ", ")), "</td><td>", row.fetches,
                    "</td><td>", row.hashes.size(), "</td><td>", Time(row.last_ms), "</td></tr>\n");
  }
  absl::StrAppend(&body, "</tbody></table>\n");
  return Html(200, absl::StrCat(site.name(), " · ", run_id), body);
}

HttpResponse ArchiveServer::Versions(const std::string& site_id, const std::string& url) const {
  if (sites_.count(site_id) == 0) return NotFound(absl::StrCat("no site '", site_id, "'"));
  if (url.empty()) return BadRequest("want /page/SITE?url=URL");
  absl::StatusOr<std::vector<FetchRecord>> fetches = UrlFetches({site_id}, url);
  if (!fetches.ok()) return Failure(fetches.status());
  if (fetches->empty()) {
    return NotFound(absl::StrCat("site ", site_id, " never fetched ", url));
  }
  std::string body =
      absl::StrCat("<h1>版本 <small>Versions of</small> ", HtmlEscape(url), "</h1>\n<p>site ",
                   HtmlEscape(site_id), " · ", fetches->size(),
                   " fetches</p>\n<table id=\"versions\"><thead><tr><th>fetched at</th><th>run</th>"
                   "<th>kind</th><th>status</th><th>content hash</th><th>size</th><th>stored</th>"
                   "<th>links</th></tr></thead><tbody>\n");
  std::string previous_hash;
  int64_t previous_ms = 0;
  for (const FetchRecord& f : *fetches) {
    std::string status = f.status() != 0 ? absl::StrCat(f.status()) : std::string("—");
    if (f.error() != FETCH_OK) absl::StrAppend(&status, " ", FetchError_Name(f.error()));
    if (f.not_modified()) absl::StrAppend(&status, " (not modified)");
    std::string stored = "—", links;
    if (HasBody(f)) {
      absl::StatusOr<std::optional<StoredBody>> info =
          store_->GetStoredBody(std::string(f.content_hash()));
      if (info.ok() && info->has_value()) {
        const StoredBody& s = **info;
        stored = s.base_hash().empty() ? absl::StrCat("keyframe, ", s.data().size(), " B")
                                       : absl::StrCat("delta of ", ShortHash(s.base_hash()), ", ",
                                                      s.data().size(), " B");
      } else if (info.ok()) {
        stored = "missing";
      }
      links = absl::StrCat(Link(ViewPath(f.fetched_at_ms(), url), "view"), " ",
                           Link(ArchivePath(f.fetched_at_ms(), url, true), "raw"));
      if (!previous_hash.empty() && previous_hash != f.content_hash()) {
        absl::StrAppend(&links, " ", Link(DiffPath(previous_ms, f.fetched_at_ms(), url), "diff"));
      }
      previous_hash = std::string(f.content_hash());
      previous_ms = f.fetched_at_ms();
    }
    absl::StrAppend(&body, "<tr><td>", Time(f.fetched_at_ms()), "</td><td>",
                    HtmlEscape(RunAt(f.fetched_at_ms())), "</td><td>", KindName(f.kind()),
                    "</td><td>", HtmlEscape(status), "</td><td class=\"hash\">",
                    HasBody(f) ? HtmlEscape(std::string(f.content_hash())) : "—", "</td><td>",
                    HasBody(f) ? absl::StrCat(f.body_bytes()) : "—", "</td><td>",
                    HtmlEscape(stored), "</td><td>", links, "</td></tr>\n");
  }
  absl::StrAppend(&body, "</tbody></table>\n");
  return Html(200, absl::StrCat("versions of ", url), body);
}

namespace {

// The differences between two versions: their items (all, or only the changed ones) and
// their visible text.
std::string DiffSection(const std::optional<PageObservation>& before,
                        const std::optional<PageObservation>& after, const std::string& body_before,
                        const std::string& ct_before, const std::string& body_after,
                        const std::string& ct_after, int64_t after_ms, bool all_items) {
  std::string out;
  if (before.has_value() && after.has_value()) {
    const std::vector<ItemRow> rows = DiffItems(*before, *after);
    std::map<ItemRow::Change, int> counts;
    for (const ItemRow& row : rows) ++counts[row.change];
    absl::StrAppend(&out, "<p id=\"item-counts\">条目 items: ", counts[ItemRow::kAdded], " added, ",
                    counts[ItemRow::kRemoved], " removed, ", counts[ItemRow::kDateMoved],
                    " dates moved, ", counts[ItemRow::kRetitled], " retitled, ",
                    counts[ItemRow::kSame], " unchanged</p>\n",
                    "<table id=\"items\"><thead><tr><th>change</th><th>item</th>"
                    "<th>date before</th><th>date after</th></tr></thead><tbody>\n");
    for (const ItemRow& row : rows) {
      if (!all_items && row.change == ItemRow::kSame) continue;
      std::string item =
          row.href.empty() ? HtmlEscape(row.title) : Link(ViewPath(after_ms, row.href), row.title);
      if (!row.old_title.empty()) {
        absl::StrAppend(&item, " <small>(was ", HtmlEscape(row.old_title), ")</small>");
      }
      absl::StrAppend(&out, "<tr class=\"", ItemChangeName(row.change), "\"><td>",
                      ItemChangeLabel(row.change), "</td><td>", item, "</td><td>",
                      HtmlEscape(row.date_before), "</td><td>", HtmlEscape(row.date_after),
                      "</td></tr>\n");
    }
    absl::StrAppend(&out, "</tbody></table>\n");
  } else {
    absl::StrAppend(&out,
                    "<p class=\"note\" id=\"item-counts\">No extracted items are stored for "
                    "one of the versions (a link check keeps the body only).</p>\n");
  }
  const LineDiff lines =
      DiffLines(VisibleTextLines(body_before, ct_before), VisibleTextLines(body_after, ct_after));
  constexpr size_t kMaxLines = 200;
  absl::StrAppend(&out, "<p id=\"text-counts\">文字 visible text: ", lines.removed.size(),
                  " lines removed, ", lines.added.size(), " lines added</p>\n",
                  "<table id=\"text\"><tbody>\n");
  for (size_t i = 0; i < lines.removed.size() && i < kMaxLines; ++i) {
    absl::StrAppend(&out, "<tr class=\"removed\"><td>−</td><td>", HtmlEscape(lines.removed[i]),
                    "</td></tr>\n");
  }
  for (size_t i = 0; i < lines.added.size() && i < kMaxLines; ++i) {
    absl::StrAppend(&out, "<tr class=\"added\"><td>+</td><td>", HtmlEscape(lines.added[i]),
                    "</td></tr>\n");
  }
  absl::StrAppend(&out, "</tbody></table>\n");
  return out;
}

}  // namespace

HttpResponse ArchiveServer::View(const std::string& ts, const std::string& url) const {
  int64_t start_ms = 0;
  if (!ParseTimestamp14(ts, &start_ms)) return BadRequest("the timestamp is YYYYMMDDhhmmss (UTC)");
  absl::StatusOr<std::vector<FetchRecord>> fetches = UrlFetches(SitesOfUrl(url), url);
  if (!fetches.ok()) return Failure(fetches.status());
  const FetchRecord* version = VersionAt(*fetches, start_ms);
  if (version == nullptr) {
    return NotFound(absl::StrCat(url, " is not in the archive at or before ", ts));
  }
  const int64_t ms = version->fetched_at_ms();
  const std::string site_id(version->site_id());
  const FetchRecord* before = PreviousChange(*fetches, *version);
  const FetchRecord* after = NextChange(*fetches, *version);
  std::string body = absl::StrCat(
      "<h1>", HtmlEscape(url), "</h1>\n<p id=\"version\">抓取时间 fetched <time>", Time(ms),
      "</time> · status ", version->status(), " · ", version->body_bytes(),
      " bytes · sha256 <span class=\"hash\">", HtmlEscape(std::string(version->content_hash())),
      "</span> · site ", HtmlEscape(site_id), "</p>\n<nav class=\"versions\">");
  if (before != nullptr) {
    absl::StrAppend(&body, Link(ViewPath(before->fetched_at_ms(), url), "← previous version"), " ");
  }
  if (after != nullptr) {
    absl::StrAppend(&body, Link(ViewPath(after->fetched_at_ms(), url), "next version →"), " ");
  }
  absl::StrAppend(&body, Link(VersionsPath(site_id, url), "all versions"), " ",
                  Link(ArchivePath(ms, url, true), "stored bytes"));
  if (before != nullptr) {
    absl::StrAppend(&body, " ", Link(DiffPath(before->fetched_at_ms(), ms, url), "full diff"));
  }
  absl::StrAppend(&body, "</nav>\n");
  if (before != nullptr) {
    absl::StrAppend(&body, "<section id=\"changes\"><h2>变化 <small>Changes since ",
                    Time(before->fetched_at_ms()), "</small></h2>\n");
    auto old_body = store_->GetBody(std::string(before->content_hash()));
    auto new_body = store_->GetBody(std::string(version->content_hash()));
    auto old_obs = ObservationOf(*before);
    auto new_obs = ObservationOf(*version);
    if (!old_body.ok()) return Failure(old_body.status());
    if (!new_body.ok()) return Failure(new_body.status());
    if (!old_obs.ok()) return Failure(old_obs.status());
    if (!new_obs.ok()) return Failure(new_obs.status());
    absl::StrAppend(&body,
                    DiffSection(*old_obs, *new_obs, *old_body, std::string(before->content_type()),
                                *new_body, std::string(version->content_type()), ms,
                                /*all_items=*/false),
                    "</section>\n");
  } else {
    absl::StrAppend(
        &body, "<p class=\"note\" id=\"changes\">The first stored version of this page.</p>\n");
  }
  absl::StrAppend(
      &body,
      "<h2>存档页面 <small>The archived page (sandboxed: its scripts do not run)</small></h2>\n",
      "<iframe class=\"archived\" sandbox src=\"", HtmlEscape(ArchivePath(ms, url, false)),
      "\" title=\"archived page\"></iframe>\n");
  return Html(200, absl::StrCat(url, " at ", Time(ms)), body);
}

HttpResponse ArchiveServer::Diff(const std::string& ts_a, const std::string& ts_b,
                                 const std::string& url) const {
  int64_t a_ms = 0, b_ms = 0;
  if (!ParseTimestamp14(ts_a, &a_ms) || !ParseTimestamp14(ts_b, &b_ms)) {
    return BadRequest("the timestamps are YYYYMMDDhhmmss (UTC)");
  }
  absl::StatusOr<std::vector<FetchRecord>> fetches = UrlFetches(SitesOfUrl(url), url);
  if (!fetches.ok()) return Failure(fetches.status());
  const FetchRecord* a = VersionAt(*fetches, a_ms);
  const FetchRecord* b = VersionAt(*fetches, b_ms);
  if (a == nullptr || b == nullptr) {
    return NotFound(
        absl::StrCat(url, " is not in the archive at or before ", a == nullptr ? ts_a : ts_b));
  }
  auto old_body = store_->GetBody(std::string(a->content_hash()));
  auto new_body = store_->GetBody(std::string(b->content_hash()));
  auto old_obs = ObservationOf(*a);
  auto new_obs = ObservationOf(*b);
  if (!old_body.ok()) return Failure(old_body.status());
  if (!new_body.ok()) return Failure(new_body.status());
  if (!old_obs.ok()) return Failure(old_obs.status());
  if (!new_obs.ok()) return Failure(new_obs.status());
  std::string body = absl::StrCat(
      "<h1>对比 <small>Diff of</small> ", HtmlEscape(url), "</h1>\n<p id=\"versions\">",
      Link(ViewPath(a->fetched_at_ms(), url), Time(a->fetched_at_ms())), " (",
      HtmlEscape(ShortHash(std::string(a->content_hash()))), ") → ",
      Link(ViewPath(b->fetched_at_ms(), url), Time(b->fetched_at_ms())), " (",
      HtmlEscape(ShortHash(std::string(b->content_hash()))), ")</p>\n");
  if (a->content_hash() == b->content_hash()) {
    absl::StrAppend(&body, "<p class=\"note\">Both are the same stored body.</p>\n");
  }
  absl::StrAppend(&body, DiffSection(*old_obs, *new_obs, *old_body, std::string(a->content_type()),
                                     *new_body, std::string(b->content_type()), b->fetched_at_ms(),
                                     /*all_items=*/true));
  return Html(200, absl::StrCat("diff of ", url), body);
}

HttpResponse ArchiveServer::Archived(const std::string& ts_in, const std::string& url) const {
  // Every answer under /web/ is archive space: sandboxed, whatever it is.
  auto archived = [](HttpResponse r) {
    r.headers.push_back({"Content-Security-Policy", kArchivePolicy});
    r.headers.push_back({"X-Content-Type-Options", "nosniff"});
    r.headers.push_back({"Referrer-Policy", "no-referrer"});
    return r;
  };
  auto text = [&](unsigned int status, std::string message) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(message);
    return archived(std::move(r));
  };
  std::string ts = ts_in;
  const bool raw = absl::EndsWith(ts, "id_");
  if (raw) ts.resize(ts.size() - 3);
  int64_t start_ms = 0;
  if (!ParseTimestamp14(ts, &start_ms)) {
    return text(400, "bad request: the timestamp is YYYYMMDDhhmmss (UTC)\n");
  }
  absl::StatusOr<std::vector<FetchRecord>> fetches = UrlFetches(SitesOfUrl(url), url);
  if (!fetches.ok()) return text(500, absl::StrCat(fetches.status().ToString(), "\n"));
  const FetchRecord* version = VersionAt(*fetches, start_ms);
  if (version == nullptr) {
    return text(404, absl::StrCat("not in the archive at or before ", ts, ": ", url, "\n"));
  }
  absl::StatusOr<std::string> stored = store_->GetBody(std::string(version->content_hash()));
  if (!stored.ok()) return text(500, absl::StrCat(stored.status().ToString(), "\n"));
  HttpResponse r;
  r.content_type = version->content_type().empty() ? std::string("application/octet-stream")
                                                   : std::string(version->content_type());
  const bool html = absl::StrContains(absl::AsciiStrToLower(r.content_type), "html");
  r.body = raw || !html
               ? *std::move(stored)
               : RewriteLinks(*stored, url,
                              absl::StrCat("/web/", Timestamp14(version->fetched_at_ms()), "/"));
  r.headers.push_back(
      {"Memento-Datetime",
       absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", absl::FromUnixMillis(version->fetched_at_ms()),
                        absl::UTCTimeZone())});
  r.headers.push_back({"Link", absl::StrCat("<", url, ">; rel=\"original\"")});
  r.headers.push_back({"X-Census-Content-Hash", std::string(version->content_hash())});
  return archived(std::move(r));
}

HttpResponse ArchiveServer::Evidence(const std::string& site_id, const std::string& hash,
                                     const std::string& query) const {
  if (sites_.count(site_id) == 0) return NotFound(absl::StrCat("no site '", site_id, "'"));
  int64_t at_ms = INT64_MAX - 1000;
  if (const std::string at = QueryValue(query, "at");
      !at.empty() && !ParseTimestamp14(at, &at_ms)) {
    return BadRequest("at= is YYYYMMDDhhmmss (UTC)");
  }
  // The fetch of the site that stored this body nearest at or before `at` (else the
  // first one after it).
  std::optional<FetchRecord> best;
  absl::Status scan =
      store_->ForEachFetch(site_id, INT64_MIN, INT64_MAX, [&](const FetchRecord& f) {
        if (f.content_hash() != hash) return;
        const bool in_time = f.fetched_at_ms() < at_ms + 1000;
        if (!best.has_value()) {
          best = f;
          return;
        }
        const bool best_in_time = best->fetched_at_ms() < at_ms + 1000;
        if (in_time && (!best_in_time || f.fetched_at_ms() > best->fetched_at_ms())) best = f;
        if (!in_time && !best_in_time && f.fetched_at_ms() < best->fetched_at_ms()) best = f;
      });
  if (!scan.ok()) return Failure(scan);
  if (!best.has_value()) {
    return NotFound(absl::StrCat("site ", site_id, " stored no page with body ", hash));
  }
  HttpResponse r =
      Html(302, "evidence",
           "<p>" + Link(ViewPath(best->fetched_at_ms(), std::string(best->url())), "the page") +
               "</p>\n");
  r.headers.push_back({"Location", ViewPath(best->fetched_at_ms(), std::string(best->url()))});
  return r;
}

}  // namespace census::serve
