#include "worker/worker.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/content_hash.h"
#include "common/fetch_error.h"
#include "common/shard.h"
#include "common/status_macros.h"
#include "common/wire.h"
#include "worker/content_scan.h"
#include "worker/extract.h"
#include "worker/observe.h"
#include "worker/robots.h"
#include "worker/soft404.h"

namespace census {

namespace {

// New columns a column page's sidebar may add (a bound on a page that links a
// whole directory of departments).
constexpr int kMaxSidebarColumnsPerPage = 12;

// Extensions of URLs that a link check asks about with HEAD: attachments and other
// non-HTML resources, whose bodies the check does not need.
bool LooksLikeNonHtml(const std::string& url) {
  static const char* kExtensions[] = {
      "pdf", "doc",  "docx", "xls",  "xlsx", "ppt", "pptx", "wps",  "et",  "dps",
      "ofd", "rtf",  "txt",  "csv",  "zip",  "rar", "7z",   "gz",   "tgz", "tar",
      "bz2", "xz",   "jpg",  "jpeg", "png",  "gif", "bmp",  "webp", "svg", "ico",
      "tif", "tiff", "mp3",  "mp4",  "avi",  "flv", "wmv",  "mov",  "wav", "apk",
      "exe", "msi",  "dmg",  "iso",  "css",  "js",  "swf",  "xml",  "json"};
  std::string origin, path;
  if (!SplitOriginAndPath(url, &origin, &path)) return false;
  path = path.substr(0, path.find('?'));
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return false;
  std::string ext = absl::AsciiStrToLower(path.substr(dot + 1));
  for (const char* e : kExtensions) {
    if (ext == e) return true;
  }
  return false;
}

// Answers to a HEAD request that say "this server mishandles HEAD": ask with GET.
bool HeadRefused(const FetchResult& r) {
  if (r.error == OTHER_ERROR) return true;  // empty reply, reset, malformed answer
  switch (r.status) {
    case 400:
    case 403:
    case 405:
    case 406:
    case 501:
      return true;
    default:
      return false;
  }
}

bool LinkFailed(FetchError e) { return e != FETCH_OK && e != TOO_LARGE; }

// Failures that may pass on a second try (not a 404, a DNS answer or a bad certificate).
bool TransientPageError(FetchError e) {
  return e == OTHER_ERROR || e == TIMEOUT || e == CONNECT || e == HTTP_5XX;
}

struct TaskState {
  int attempt = 1;     // link checks and column pages: 2 once the recheck was sent
  bool head = false;   // the request in flight is a HEAD
  std::string url;     // URL being fetched (a later list page for pagination)
  int obs_index = -1;  // COLUMN: the observation pages are merged into
  int list_pages = 0;  // COLUMN: list pages read
  absl::flat_hash_set<std::string> pages_seen;
  absl::flat_hash_set<std::string> items_seen;
  // COLUMN pages that show no dated item (docs/COLUMNS.md "Lists that scripts build"):
  // the data URLs their scripts name, not read yet, and the page kept for a rendered
  // look until the list is found.
  std::vector<std::string> data_urls;
  bool reading_data_url = false;
  std::string page_url;  // where the page was read from: data and renders resolve against it
  bool render_wanted = false;
  std::string render_body;
  std::string render_content_type;
  // HTTPS_CHECK: the fetch in flight (HttpsStep) and the record its fetches fill.
  int https_step = 0;
  FetchRecord https_record;
};

// The fetches of an HTTPS_CHECK, in order; the unverified look only follows a refused
// certificate and the http:// look only an http:// site.
enum HttpsStep { kHttpsVerified = 0, kHttpsUnverified = 1, kHttpPlain = 2, kHttpsDone = 3 };

// The https:// form of a homepage URL: the scheme https and no explicit port (an
// http://host:8080/ site's HTTPS is looked for on 443); an https:// URL is itself.
std::string HttpsUrlOf(const std::string& url) {
  std::string origin, path;
  if (!SplitOriginAndPath(url, &origin, &path)) return url;
  if (absl::StartsWithIgnoreCase(origin, "https://")) return url;
  absl::string_view host = absl::string_view(origin).substr(origin.find("://") + 3);
  if (const size_t at = host.rfind('@'); at != absl::string_view::npos) host.remove_prefix(at + 1);
  const size_t end = absl::StartsWith(host, "[") ? host.find(']') + 1 : host.find(':');
  return absl::StrCat("https://", absl::AsciiStrToLower(host.substr(0, end)), path);
}

struct LeaseWork {
  Lease lease;
  int remaining = 0;
  std::vector<TaskState> tasks;
  ResultBatch batch;
  LeaseDone done;
  absl::flat_hash_set<std::string> links_reported;
  absl::flat_hash_set<std::string> bodies_added;
  bool sent_to_store = false;
  // Store shards that have not acked this lease's batches yet, and when they were sent.
  std::vector<int> awaiting_shards;
  absl::Time sent_at;
};

// What a fetch tag stands for.
struct InFlight {
  uint64_t lease_id = 0;
  int task = -1;       // -1: a robots.txt fetch
  std::string origin;  // robots.txt fetches
};

struct RobotsEntry {
  RobotsRules rules;
  absl::Time fetched = absl::InfinitePast();
  bool fetching = false;
  std::vector<std::pair<uint64_t, int>> waiting;  // (lease, task) until it arrives
};

struct Recheck {
  absl::Time due;
  uint64_t lease_id;
  int task;
};

// The host of an http(s) origin ("http://a.b:8080" → "a.b"), lower case.
std::string OriginHost(absl::string_view origin) {
  absl::string_view rest =
      origin.substr(origin.find("://") == absl::string_view::npos ? 0 : origin.find("://") + 3);
  if (const size_t at = rest.rfind('@'); at != absl::string_view::npos) rest.remove_prefix(at + 1);
  if (!absl::StartsWith(rest, "[")) rest = rest.substr(0, rest.find(':'));
  return absl::AsciiStrToLower(rest);
}

// `url` is served by the site of `page`: the same host, or a sibling under the same
// parent domain (www.x.gov.cn and api.x.gov.cn). A data URL elsewhere is not the
// site's list.
bool SameSite(const std::string& url, const std::string& page) {
  std::string origin, path, page_origin, page_path;
  if (!SplitOriginAndPath(url, &origin, &path) ||
      !SplitOriginAndPath(page, &page_origin, &page_path)) {
    return false;
  }
  const std::string host = OriginHost(origin), page_host = OriginHost(page_origin);
  if (host == page_host) return true;
  const size_t dot = page_host.find('.');
  if (dot == std::string::npos) return false;
  const std::string parent = page_host.substr(dot);  // ".x.gov.cn"
  // The parent must be a domain of its own, not a public suffix such as .gov.cn.
  const bool own = std::count(parent.begin(), parent.end(), '.') >= 3 ||
                   (std::count(parent.begin(), parent.end(), '.') == 2 &&
                    !absl::EndsWith(parent, ".gov.cn") && !absl::EndsWith(parent, ".com.cn") &&
                    !absl::EndsWith(parent, ".org.cn") && !absl::EndsWith(parent, ".edu.cn"));
  return own && absl::EndsWith(host, parent);
}

}  // namespace

struct Worker::Impl {
  Worker& self;
  const WorkerOptions& options;
  zmq::socket_t coordinator;
  std::vector<std::unique_ptr<zmq::socket_t>> stores;  // shard i at index i
  std::unique_ptr<Fetcher> fetcher;
  std::unique_ptr<RenderQueue> renderer;  // null: no rendered looks (render off or no Chromium)
  absl::flat_hash_map<uint64_t, std::pair<uint64_t, int>> renders;  // render tag → (lease, task)
  std::deque<std::pair<uint64_t, RenderRequest>> render_backlog;    // not yet in the queue
  absl::flat_hash_map<uint64_t, LeaseWork> leases;
  absl::flat_hash_map<uint64_t, InFlight> in_flight;  // fetch tag → purpose
  uint64_t next_tag = 1;
  absl::flat_hash_map<std::string, RobotsEntry> robots;  // origin → rules
  std::vector<Recheck> rechecks;                         // unordered; few at a time
  absl::CivilDay as_of;
  bool request_outstanding = false;
  absl::Time request_sent;
  bool shutdown = false;
  absl::Time next_request;
  WireDrops drops{"worker"};

  explicit Impl(Worker& w)
      : self(w), options(w.options_), coordinator(w.context_, zmq::socket_type::dealer) {}

  absl::StatusOr<PageExtract> Extract(absl::string_view bytes, absl::string_view content_type,
                                      const ExtractOptions& eo) const {
    if (options.extract) return options.extract(bytes, content_type, eo);
    return ExtractPage(bytes, content_type, eo);
  }

  bool busy() const { return fetcher->pending() > 0 || !rechecks.empty() || !renders.empty(); }

  void StartLease(Lease lease) {
    uint64_t id = lease.lease_id();
    LeaseWork& work = leases[id];
    work.lease = std::move(lease);
    work.remaining = work.lease.tasks_size();
    work.tasks.resize(static_cast<size_t>(work.lease.tasks_size()));
    *work.batch.mutable_site() = work.lease.site();
    work.batch.set_lease_id(id);
    work.batch.set_run_id(work.lease.run_id());
    work.done.set_lease_id(id);
    work.done.set_worker_id(options.worker_id);
    if (!ParseCivilDay(work.lease.as_of(), &as_of)) as_of = ToCensusDay(options.clock->Now());
    for (int i = 0; i < work.lease.tasks_size(); ++i) {
      const FetchTask& task = work.lease.tasks(i);
      TaskState& st = work.tasks[static_cast<size_t>(i)];
      st.url = task.kind() == HTTPS_CHECK ? HttpsUrlOf(task.url()) : task.url();
      st.head = task.kind() == LINK_CHECK && LooksLikeNonHtml(task.url());
      st.pages_seen.insert(task.url());
      Dispatch(work, i);
    }
    if (work.remaining == 0) Finish(work);
  }

  // ------------------------------------------------------------------ robots.txt

  // Fetches tasks[i].url now, or once robots.txt of its origin says whether it may.
  void Dispatch(LeaseWork& work, int i) {
    const FetchTask& task = work.lease.tasks(i);
    const std::string& url = work.tasks[static_cast<size_t>(i)].url;
    const bool check =
        work.lease.respect_robots() && (task.kind() == COLUMN || task.kind() == LINK_CHECK);
    std::string origin, path;
    if (!check || !SplitOriginAndPath(url, &origin, &path)) {
      Submit(work, i);
      return;
    }
    RobotsEntry& entry = robots[origin];
    const absl::Time now = options.clock->Now();
    if (!entry.fetching && now - entry.fetched < options.robots_ttl) {
      if (entry.rules.Allowed(path)) {
        Submit(work, i);
      } else {
        Disallowed(work, i);
      }
      return;
    }
    entry.waiting.emplace_back(work.lease.lease_id(), i);
    if (entry.fetching) return;
    entry.fetching = true;
    FetchRequest req;
    req.tag = next_tag++;
    req.url = absl::StrCat(origin, "/robots.txt");
    req.timeout = std::min(options.robots_timeout, options.page_timeout);
    in_flight[req.tag] = InFlight{0, -1, origin};
    fetcher->Submit(std::move(req));
  }

  void OnRobots(const std::string& origin, const FetchResult& r) {
    RobotsEntry& entry = robots[origin];
    entry.fetching = false;
    entry.fetched = options.clock->Now();
    // RFC 9309: a 4xx means no rules. A 5xx or network failure would mean "disallow
    // everything" there; a census does not let a broken robots.txt hide a site's
    // pages, so it also means no rules here.
    entry.rules = r.error == FETCH_OK && r.status >= 200 && r.status < 300
                      ? RobotsRules::Parse(r.body)
                      : RobotsRules();
    std::vector<std::pair<uint64_t, int>> waiting = std::move(entry.waiting);
    entry.waiting.clear();
    for (const auto& [lease_id, i] : waiting) {
      auto it = leases.find(lease_id);
      if (it == leases.end()) continue;
      Dispatch(it->second, i);
    }
  }

  void Disallowed(LeaseWork& work, int i) {
    const FetchTask& task = work.lease.tasks(i);
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    if (st.reading_data_url) {  // the list's data URL: not read
      st.reading_data_url = false;
      ListDone(work, i);
      return;
    }
    if (st.list_pages > 0) {  // a later list page: the pager stops here
      work.batch.mutable_observations(st.obs_index)->set_next_page(st.url);
      ListDone(work, i);
      return;
    }
    FetchRecord rec;
    rec.set_site_id(work.lease.site().site_id());
    rec.set_kind(task.kind());
    rec.set_url(task.url());
    rec.set_final_url(task.url());
    rec.set_error(OTHER_ERROR);
    rec.set_error_detail("disallowed by robots.txt");
    rec.set_robots_disallowed(true);
    rec.set_fetched_at_ms(absl::ToUnixMillis(options.clock->Now()));
    rec.set_lease_id(work.lease.lease_id());
    rec.set_attempts(0);
    *work.batch.add_fetches() = std::move(rec);
    TaskDone(work);
  }

  // ------------------------------------------------------------------ fetching

  void Submit(LeaseWork& work, int i) {
    const FetchTask& task = work.lease.tasks(i);
    const TaskState& st = work.tasks[static_cast<size_t>(i)];
    FetchRequest req;
    req.tag = next_tag++;
    req.url = st.url;
    req.probe = task.kind() == PROBE;
    req.head_only = st.head;
    req.keep_body = task.kind() != PROBE && !st.head;
    req.timeout = task.kind() == PROBE ? options.probe_timeout : options.page_timeout;
    if (task.kind() == PROBE_V6 || task.kind() == HTTPS_CHECK) {
      // Reachability checks of the homepage: a probe's timeout, no body, a connection of
      // their own (one kept alive by another fetch would not show the address family or
      // the handshake). The http:// look is not a probe: no no-cache headers (a server counting
      // probes, as the simulated web does, must not see it as one).
      req.probe = !(task.kind() == HTTPS_CHECK && st.https_step == kHttpPlain);
      req.keep_body = false;
      req.timeout = options.probe_timeout;
      req.fresh_connection = true;
      req.ip_family = task.kind() == PROBE_V6 ? IpFamily::kV6 : IpFamily::kAny;
      req.tls_details = task.kind() == HTTPS_CHECK && st.https_step != kHttpPlain;
      req.verify_tls = !(task.kind() == HTTPS_CHECK && st.https_step == kHttpsUnverified);
    }
    if ((task.kind() == HOMEPAGE || task.kind() == COLUMN) && st.list_pages == 0) {
      req.etag = task.validators().etag();
      req.last_modified = task.validators().last_modified();
    }
    in_flight[req.tag] = InFlight{work.lease.lease_id(), i, ""};
    fetcher->Submit(std::move(req));
  }

  void FireRechecks() {
    if (rechecks.empty()) return;
    const absl::Time now = options.clock->Now();
    std::vector<Recheck> due;
    for (size_t k = 0; k < rechecks.size();) {
      if (rechecks[k].due <= now) {
        due.push_back(rechecks[k]);
        rechecks[k] = rechecks.back();
        rechecks.pop_back();
      } else {
        ++k;
      }
    }
    for (const Recheck& r : due) {
      auto it = leases.find(r.lease_id);
      if (it != leases.end()) Submit(it->second, r.task);
    }
  }

  FetchRecord MakeRecord(const LeaseWork& work, const FetchTask& task, const FetchResult& r,
                         const TaskState& st) {
    FetchRecord rec;
    rec.set_site_id(work.lease.site().site_id());
    rec.set_kind(task.kind());
    rec.set_url(task.url());
    rec.set_final_url(r.final_url);
    rec.set_status(r.status);
    rec.set_error(r.error);
    rec.set_error_detail(r.error_detail);
    rec.set_fetched_at_ms(absl::ToUnixMillis(r.started));
    rec.set_elapsed_ms(absl::ToInt64Milliseconds(r.elapsed));
    if (r.time_to_first_byte != absl::InfiniteDuration()) {
      rec.set_first_byte_ms(absl::ToInt64Milliseconds(r.time_to_first_byte));
    }
    rec.set_content_type(r.content_type);
    rec.set_etag(r.etag);
    rec.set_last_modified(r.last_modified);
    rec.set_body_bytes(static_cast<int64_t>(r.body.size()));
    for (const auto& loc : r.redirects) rec.add_redirects(loc);
    rec.set_not_modified(r.not_modified);
    rec.set_probe_index(task.probe_index());
    rec.set_lease_id(work.lease.lease_id());
    rec.set_attempts(st.attempt);
    rec.set_method(st.head ? "HEAD" : "GET");
    if (task.kind() == PROBE_V6 || task.kind() == HTTPS_CHECK) {
      rec.set_remote_ip(r.remote_ip);
      rec.set_os_errno(r.os_errno);
    }
    return rec;
  }

  // HTTPS_CHECK (docs/REPORT.md "IPv6 and HTTPS"): the https:// homepage with verification
  // on; when the certificate is refused, the same again without verification for its
  // details (expiry, subject, TLS version); for an http:// site, its homepage, to see
  // whether it redirects to https. One record, written when the last fetch is in.
  void OnHttpsCheck(LeaseWork& work, int i, const FetchResult& r) {
    const FetchTask& task = work.lease.tasks(i);
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    FetchRecord& rec = st.https_record;
    TlsCheck* tls = rec.mutable_tls();
    auto take_certificate = [&] {
      if (!r.tls.version.empty()) tls->set_tls_version(r.tls.version);
      if (r.tls.not_after == absl::InfinitePast()) return;
      tls->set_cert_subject(r.tls.subject);
      tls->set_cert_issuer(r.tls.issuer);
      tls->set_cert_not_before_ms(absl::ToUnixMillis(r.tls.not_before));
      tls->set_cert_not_after_ms(absl::ToUnixMillis(r.tls.not_after));
    };
    if (st.https_step == kHttpsVerified) {
      rec = MakeRecord(work, task, r, st);
      tls = rec.mutable_tls();
      tls->set_https_url(st.url);
      // Our CA bundle could not be read: nothing is known of the site's certificate.
      if (r.tls.ca_file_unusable) rec.set_error(OTHER_ERROR);
      tls->set_verify_result(r.tls.verify_result);
      tls->set_verified(r.status > 0);
      tls->set_handshake(r.status > 0 || r.tls.certificate_refused);
      if (r.tls.certificate_refused) {
        tls->set_cert_problem(CertificateProblem(r.tls.verify_result, r.error_detail));
      }
      take_certificate();
      st.https_step = r.tls.certificate_refused ? kHttpsUnverified : kHttpPlain;
    } else if (st.https_step == kHttpsUnverified) {
      tls->set_unverified_status(r.status);
      take_certificate();
      st.https_step = kHttpPlain;
    } else {
      tls->set_http_checked(true);
      tls->set_http_error(r.error);
      tls->set_http_final_url(r.final_url);
      bool to_https = absl::StartsWithIgnoreCase(r.final_url, "https://");
      for (const std::string& hop : r.redirects) {
        to_https = to_https || absl::StartsWithIgnoreCase(hop, "https://");
      }
      tls->set_http_redirects_to_https(to_https);
      st.https_step = kHttpsDone;
    }
    if (st.https_step == kHttpPlain) {
      if (absl::StartsWithIgnoreCase(task.url(), "http://")) {
        st.url = task.url();
        Submit(work, i);
        return;
      }
    } else if (st.https_step == kHttpsUnverified) {
      Submit(work, i);
      return;
    }
    Record(work, std::move(rec));
    TaskDone(work);
  }

  void OnResult(FetchResult r) {
    auto fit = in_flight.find(r.tag);
    if (fit == in_flight.end()) return;
    InFlight what = std::move(fit->second);
    in_flight.erase(fit);
    if (what.task < 0) {
      OnRobots(what.origin, r);
      return;
    }
    auto it = leases.find(what.lease_id);
    if (it == leases.end()) return;
    LeaseWork& work = it->second;
    const int i = what.task;
    const FetchTask& task = work.lease.tasks(i);
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    self.fetches_.fetch_add(1);
    self.bytes_.fetch_add(static_cast<int64_t>(r.body.size()));
    work.done.set_pages_fetched(work.done.pages_fetched() + 1);
    if (task.kind() == LINK_CHECK) {
      OnLinkCheck(work, i, std::move(r));
    } else if (task.kind() == HTTPS_CHECK) {
      OnHttpsCheck(work, i, r);
    } else if (st.reading_data_url) {
      OnDataUrl(work, i, r);
    } else if (st.list_pages > 0) {
      OnLaterListPage(work, i, r);
    } else {
      OnPage(work, i, r);
    }
  }

  void OnLinkCheck(LeaseWork& work, int i, FetchResult r) {
    const FetchTask& task = work.lease.tasks(i);
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    if (st.head && HeadRefused(r)) {
      st.head = false;  // the server mishandles HEAD: ask again with GET, now
      Submit(work, i);
      return;
    }
    FetchRecord rec = MakeRecord(work, task, r, st);
    if (r.error == FETCH_OK && r.status == 200 && !r.body.empty()) {
      rec.set_content_hash(ContentHash(r.body));
      std::string title;
      if (LooksLikeNotFoundBody(r.body, r.content_type, &title)) {
        rec.set_error(SOFT_404);
        rec.set_error_detail(absl::StrCat("200 page says not found: ", title));
      } else {
        ScanLinkedPage(work, r, rec);
      }
    }
    // A failure is believed only when it happens again after a delay (a busy server,
    // a dropped connection); a refused address is policy, not luck.
    if (LinkFailed(rec.error()) && rec.error() != BLOCKED_ADDRESS && st.attempt == 1) {
      st.attempt = 2;
      st.head = false;
      rechecks.push_back(
          Recheck{options.clock->Now() + options.recheck_delay, work.lease.lease_id(), i});
      return;
    }
    Record(work, std::move(rec));
    TaskDone(work);
  }

  // An HTML page of the site's own host reached by a link (an article of a list) is
  // scanned for lexicon terms like the pages the census reads: a banned word in an
  // article body is the site's. Its body is kept as the finding's evidence.
  void ScanLinkedPage(LeaseWork& work, const FetchResult& r, FetchRecord& rec) {
    if (options.scanner == nullptr || LooksLikeNonHtml(rec.url())) return;
    std::string site_origin, site_path, origin, path;
    const std::string& url = r.final_url.empty() ? rec.url() : r.final_url;
    if (!SplitOriginAndPath(work.lease.site().url(), &site_origin, &site_path) ||
        !SplitOriginAndPath(url, &origin, &path) || origin != site_origin) {
      return;
    }
    absl::StatusOr<std::string> text = PageVisibleText(r.body, r.content_type);
    if (!text.ok()) return;
    for (ContentHit& hit : options.scanner->Scan(*text)) *rec.add_content_hits() = std::move(hit);
    if (rec.content_hits_size() > 0 && work.bodies_added.insert(rec.content_hash()).second) {
      PageBody* body = work.batch.add_bodies();
      body->set_content_hash(rec.content_hash());
      body->set_body(r.body);
    }
  }

  void Record(LeaseWork& work, FetchRecord rec) {
    if (rec.error() != FETCH_OK) {
      self.errors_.fetch_add(1);
      work.done.set_errors(work.done.errors() + 1);
      ++(*work.done.mutable_errors_by_kind())[FetchErrorName(rec.error())];
    }
    *work.batch.add_fetches() = std::move(rec);
  }

  void TaskDone(LeaseWork& work) {
    if (--work.remaining == 0) Finish(work);
  }

  void ReportLinks(LeaseWork& work, const std::string& page, bool on_homepage,
                   const std::vector<ExtractedLink>& links) {
    for (const ExtractedLink& link : links) {
      if (link.url.empty() || !work.links_reported.insert(link.url).second) continue;
      LinkRef* ref = work.done.add_links();
      ref->set_url(link.url);
      ref->set_found_on(page);
      ref->set_on_homepage(on_homepage);
    }
  }

  // HOMEPAGE / COLUMN (first list page) / PROBE results.
  void OnPage(LeaseWork& work, int i, const FetchResult& r) {
    const FetchTask& task = work.lease.tasks(i);
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    // A column page that failed for a reason that passes (a reset connection, a
    // timeout, a 5xx) is asked again after the recheck delay before the census says
    // so: a column the census could not read is not judged, and one transient error
    // would leave it unjudged (a stale column missed).
    if (task.kind() == COLUMN && st.attempt == 1 && TransientPageError(r.error)) {
      st.attempt = 2;
      rechecks.push_back(
          Recheck{options.clock->Now() + options.recheck_delay, work.lease.lease_id(), i});
      return;
    }
    FetchRecord rec = MakeRecord(work, task, r, st);
    const bool is_page = task.kind() == HOMEPAGE || task.kind() == COLUMN;
    if (is_page && r.not_modified) {
      // Unchanged since the validators we sent: no body, no observation; the store
      // carries the previous observation forward (docs/STORAGE.md).
      const Validators& v = task.validators();
      rec.set_content_hash(v.content_hash());
      PageValidators* pv = work.done.add_validators();
      pv->set_url(task.url());
      pv->mutable_validators()->set_etag(r.etag.empty() ? v.etag() : r.etag);
      pv->mutable_validators()->set_last_modified(r.last_modified.empty() ? v.last_modified()
                                                                          : r.last_modified);
      pv->mutable_validators()->set_content_hash(v.content_hash());
      if (task.kind() == HOMEPAGE && work.lease.discover_columns()) {
        // The columns discovered from this very page last time.
        for (const Column& c : work.lease.columns()) *work.done.add_discovered_columns() = c;
      }
      Record(work, std::move(rec));
      TaskDone(work);
      return;
    }
    // A body cut at the size cap is still read: the list is usually at the top.
    const bool readable = r.error == FETCH_OK || r.error == TOO_LARGE;
    std::string next_page;
    if (readable && !r.body.empty() && task.kind() != PROBE) {
      std::string hash = ContentHash(r.body);
      rec.set_content_hash(hash);
      if (is_page && work.bodies_added.insert(hash).second) {
        PageBody* body = work.batch.add_bodies();
        body->set_content_hash(hash);
        body->set_body(r.body);
      }
      next_page = ExtractInto(work, i, r, rec);
      // A list read from a data URL or a rendered page may change while the page's
      // markup does not: such a page is asked for unconditionally next time.
      if (is_page && r.error == FETCH_OK && rec.error() == FETCH_OK && st.data_urls.empty() &&
          !st.render_wanted) {
        PageValidators* pv = work.done.add_validators();
        pv->set_url(task.url());
        pv->mutable_validators()->set_etag(r.etag);
        pv->mutable_validators()->set_last_modified(r.last_modified);
        pv->mutable_validators()->set_content_hash(hash);
      }
    }
    Record(work, std::move(rec));
    if (!next_page.empty() && st.obs_index >= 0) {
      FollowPager(work, i, next_page);
      return;
    }
    ListDone(work, i);
  }

  // Extracts a HOMEPAGE/COLUMN page into an observation; returns the pager's next
  // URL for COLUMN pages ("" when none).
  std::string ExtractInto(LeaseWork& work, int i, const FetchResult& r, FetchRecord& rec) {
    const FetchTask& task = work.lease.tasks(i);
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    ExtractOptions eo;
    eo.base_url = r.final_url.empty() ? task.url() : r.final_url;
    eo.as_of = as_of;
    eo.list_xpath = task.column().xpath();
    eo.column_page = task.kind() == COLUMN;
    eo.measure_own_text = task.kind() == HOMEPAGE;
    auto page = Extract(r.body, r.content_type, eo);
    if (!page.ok()) {
      rec.set_error_detail(absl::StrCat("not extracted: ", page.status().message()));
      return "";
    }
    // A 200 page that says it does not exist is a broken link, and a column whose
    // page says so is not a blank column.
    if (r.status == 200 && LooksLikeNotFoundPage(page->title, page->text)) {
      rec.set_error(SOFT_404);
      rec.set_error_detail(absl::StrCat("200 page says not found: ", page->title));
      return "";
    }
    st.obs_index = work.batch.observations_size();
    st.list_pages = 1;
    PageObservation* obs = work.batch.add_observations();
    const ObservedPage observed = ObservePage(
        rec.site_id(), task.kind(), task.url(), task.has_column() ? &task.column() : nullptr, *page,
        rec.fetched_at_ms(), rec.content_hash(), options.scanner, obs);
    for (const ListItem& item : obs->items()) st.items_seen.insert(ItemKey(item));
    bool on_homepage = task.kind() == HOMEPAGE;
    ReportLinks(work, task.url(), on_homepage, page->links);
    ReportLinks(work, task.url(), on_homepage, observed.item_links);
    if (task.kind() == COLUMN) {
      st.page_url = eo.base_url;
      if (observed.list_undated) {
        // Only what the page's own site serves is read as its list.
        for (const std::string& url : page->list_data_urls) {
          if (SameSite(url, eo.base_url)) st.data_urls.push_back(url);
        }
      }
      if (observed.render_wanted) {
        st.render_wanted = true;
        st.render_body = std::string(r.body);
        st.render_content_type = r.content_type;
      }
    }
    if (on_homepage && work.lease.discover_columns()) {
      for (const NavColumn& nav : page->nav_columns)
        AddDiscovered(work, rec.site_id(), nav, nav.via);
    } else if (task.kind() == COLUMN && work.lease.discover_columns() &&
               task.column().found_via() != "sidebar") {
      // One level down: a column page's sidebar may hold columns the homepage does not
      // link. Their own sidebars are not followed (the depth bound).
      absl::flat_hash_set<absl::string_view> known;
      for (const Column& c : work.lease.columns()) known.insert(c.url());
      for (const Column& c : work.done.discovered_columns()) known.insert(c.url());
      int added = 0;
      for (const NavColumn& nav : page->nav_columns) {
        // A sidebar is a navigation block or a headed list of columns; a lone link
        // whose text names a category (视频直播 in a related-links box) is not.
        const bool sidebar = nav.via == "nav" || nav.via == "submenu" || nav.via == "block" ||
                             (nav.via == "named" && !nav.parent.empty());
        if (!sidebar || known.contains(nav.url) || added >= kMaxSidebarColumnsPerPage) continue;
        AddDiscovered(work, rec.site_id(), nav, "sidebar");
        ++added;
      }
    }
    return task.kind() == COLUMN ? page->next_page_url : "";
  }

  static void AddDiscovered(LeaseWork& work, const std::string& site_id, const NavColumn& nav,
                            const std::string& via) {
    Column* col = work.done.add_discovered_columns();
    col->set_site_id(site_id);
    col->set_name(nav.name);
    col->set_url(nav.url);
    col->set_category(nav.category);
    col->set_declared(false);
    col->set_found_via(via);
    col->set_parent(nav.parent);
  }

  // Rows a script renders (data-store records, JSON lists, a data URL's or a rendered
  // page's items) are not in the page's markup: readers see their titles (scanned for
  // lexicon terms) and they link articles (links of the page all the same).
  void NoteScriptRows(LeaseWork& work, const std::string& page_url, bool on_homepage,
                      const std::vector<ExtractedItem>& items, PageObservation* obs) {
    ReportLinks(work, page_url, on_homepage, AddScriptRows(options.scanner, "", {}, items, obs));
  }

  // ------------------------------------------------------------------ script-built lists

  // A COLUMN task's list is read as far as its pages go. One that shows no dated item
  // reads the data URLs its scripts name, then has a rendered look; then it is done.
  void ListDone(LeaseWork& work, int i) {
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    if (st.obs_index < 0 || work.lease.tasks(i).kind() != COLUMN) {
      TaskDone(work);
      return;
    }
    PageObservation* obs = work.batch.mutable_observations(st.obs_index);
    bool dated = false;
    for (const ListItem& item : obs->items()) dated = dated || !item.date().empty();
    if (!dated && !st.data_urls.empty()) {
      st.url = st.data_urls.front();
      st.data_urls.erase(st.data_urls.begin());
      st.reading_data_url = true;
      Dispatch(work, i);  // robots.txt as for the site's pages
      return;
    }
    if (!dated && st.render_wanted) {
      st.render_wanted = false;
      RenderLook(work, i);
      return;
    }
    st.render_body.clear();
    TaskDone(work);
  }

  void OnDataUrl(LeaseWork& work, int i, const FetchResult& r) {
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    st.reading_data_url = false;
    PageObservation* obs = work.batch.mutable_observations(st.obs_index);
    if (r.error == FETCH_OK && r.status == 200 && !r.body.empty()) {
      ExtractOptions eo;
      eo.base_url = st.page_url;  // a script's relative links resolve against its page
      eo.as_of = as_of;
      absl::StatusOr<PageExtract> list = ExtractListData(r.body, r.content_type, eo);
      if (list.ok() && !list->items.empty()) {
        const int before = obs->items_size();
        MergeList(st, *list, obs);
        if (obs->items_size() > before) {
          obs->set_list_source("data_url");
          obs->set_list_data_url(st.url);
          NoteScriptRows(work, work.lease.tasks(i).url(), false, list->items, obs);
        }
      }
    }
    ListDone(work, i);
  }

  void RenderLook(LeaseWork& work, int i) {
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    PageObservation* obs = work.batch.mutable_observations(st.obs_index);
    if (renderer == nullptr) {
      obs->set_render("unavailable");
      st.render_body.clear();
      self.render_failures_.fetch_add(1);
      TaskDone(work);
      return;
    }
    RenderRequest req;
    req.url = st.page_url;
    req.body = std::move(st.render_body);
    req.content_type = st.render_content_type;
    st.render_body.clear();
    const uint64_t tag = next_tag++;
    renders[tag] = std::make_pair(work.lease.lease_id(), i);
    // One renderer works through them in turn; what its queue cannot take waits here.
    if (!render_backlog.empty() || !renderer->Submit(tag, req)) {
      render_backlog.emplace_back(tag, std::move(req));
    }
  }

  void TakeRenders() {
    if (renderer == nullptr || renders.empty()) return;
    while (!render_backlog.empty() &&
           renderer->Submit(render_backlog.front().first, render_backlog.front().second)) {
      render_backlog.pop_front();
    }
    for (auto& [tag, result] : renderer->TakeFinished()) {
      auto it = renders.find(tag);
      if (it == renders.end()) continue;
      const auto [lease_id, i] = it->second;
      renders.erase(it);
      auto lease = leases.find(lease_id);
      if (lease == leases.end()) continue;  // returned while it rendered
      OnRendered(lease->second, i, result);
    }
  }

  void OnRendered(LeaseWork& work, int i, const absl::StatusOr<RenderedPage>& result) {
    const FetchTask& task = work.lease.tasks(i);
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    PageObservation* obs = work.batch.mutable_observations(st.obs_index);
    if (!result.ok()) {
      obs->set_render("failed");
      obs->set_render_detail(std::string(result.status().message()));
      self.render_failures_.fetch_add(1);
      TaskDone(work);
      return;
    }
    self.renders_.fetch_add(1);
    obs->set_render("rendered");
    if (result->timed_out) {
      obs->set_render_detail("the page was still loading at the render timeout; read as it was");
    }
    ExtractOptions eo;
    eo.base_url = st.page_url;
    eo.as_of = as_of;
    eo.list_xpath = task.column().xpath();
    eo.column_page = true;
    absl::StatusOr<PageExtract> page = Extract(result->html, "text/html; charset=utf-8", eo);
    if (page.ok() && !page->items.empty()) {
      // The rendered list replaces what the markup showed undated.
      if (HasDatedItem(page->items)) {
        obs->clear_items();
        st.items_seen.clear();
        obs->clear_latest_date();
      }
      const int before = obs->items_size();
      MergeList(st, *page, obs);
      if (obs->items_size() > before) {
        obs->set_list_source("rendered");
        NoteScriptRows(work, task.url(), false, page->items, obs);
      }
    } else if (page.ok() && page->blank_placeholder) {
      obs->set_blank_placeholder(true);  // the browser shows 暂无信息
    }
    TaskDone(work);
  }

  // Adds a list page's items and mailbox messages to the column's observation.
  void MergeList(TaskState& st, const PageExtract& page, PageObservation* obs) {
    census::MergeList(page, &st.items_seen, obs);
  }

  // ------------------------------------------------------------------ pagination

  void FollowPager(LeaseWork& work, int i, const std::string& next) {
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    PageObservation* obs = work.batch.mutable_observations(st.obs_index);
    std::string origin, path, next_origin, next_path;
    const bool same_origin = SplitOriginAndPath(work.lease.tasks(i).url(), &origin, &path) &&
                             SplitOriginAndPath(next, &next_origin, &next_path) &&
                             origin == next_origin;
    if (!same_origin || st.pages_seen.contains(next)) {  // off-site or a pager loop
      ListDone(work, i);
      return;
    }
    if (st.list_pages >= std::max(1, work.lease.max_list_pages())) {
      obs->set_next_page(next);  // the bound: not followed
      ListDone(work, i);
      return;
    }
    st.pages_seen.insert(next);
    st.url = next;
    Dispatch(work, i);
  }

  void OnLaterListPage(LeaseWork& work, int i, const FetchResult& r) {
    const FetchTask& task = work.lease.tasks(i);
    TaskState& st = work.tasks[static_cast<size_t>(i)];
    PageObservation* obs = work.batch.mutable_observations(st.obs_index);
    const bool readable = r.error == FETCH_OK || r.error == TOO_LARGE;
    if (!readable || r.body.empty()) {
      obs->set_next_page(st.url);  // could not be read
      ListDone(work, i);
      return;
    }
    ExtractOptions eo;
    eo.base_url = r.final_url.empty() ? st.url : r.final_url;
    eo.as_of = as_of;
    eo.list_xpath = task.column().xpath();
    eo.column_page = true;
    auto page = Extract(r.body, r.content_type, eo);
    if (!page.ok() || LooksLikeNotFoundPage(page->title, page->text)) {
      obs->set_next_page(st.url);
      ListDone(work, i);
      return;
    }
    ++st.list_pages;
    obs->set_list_pages(st.list_pages);
    MergeList(st, *page, obs);
    if (page->next_page_url.empty()) {
      ListDone(work, i);
      return;
    }
    FollowPager(work, i, page->next_page_url);
  }

  // ------------------------------------------------------------------ completion

  void Finish(LeaseWork& work) {
    bool has_homepage = false;
    for (const FetchTask& t : work.lease.tasks()) has_homepage |= t.kind() == HOMEPAGE;
    if (has_homepage) {
      if (work.lease.discover_columns()) {
        for (const Column& c : work.done.discovered_columns()) *work.batch.add_columns() = c;
      } else {
        for (const Column& c : work.lease.columns()) *work.batch.add_columns() = c;
      }
    } else if (work.lease.discover_columns() && work.done.discovered_columns_size() > 0) {
      // Sidebar columns join the site's set: the store replaces a site's set with a
      // batch's, so the batch carries the set as leased plus the new ones.
      for (const Column& c : work.lease.columns()) *work.batch.add_columns() = c;
      for (const Column& c : work.done.discovered_columns()) *work.batch.add_columns() = c;
    }
    work.awaiting_shards.clear();
    const int shards = static_cast<int>(stores.size());
    const int owner = ShardOf(work.batch.site().site_id(), shards);
    work.awaiting_shards.push_back(owner);
    bool has_link_checks = false;
    for (const FetchRecord& r : work.batch.fetches()) has_link_checks |= r.kind() == LINK_CHECK;
    for (int shard = 0; shard < shards && has_link_checks; ++shard) {
      if (shard != owner) work.awaiting_shards.push_back(shard);
    }
    SendBatches(work);
    work.sent_to_store = true;
  }

  // The lease's batch to its site's shard; its link-check records (the census-wide
  // link/ index) to every other shard still awaited. A send failure is retried after
  // store_ack_timeout, like a lost message.
  void SendBatches(LeaseWork& work) {
    const int owner = ShardOf(work.batch.site().site_id(), static_cast<int>(stores.size()));
    for (int shard : work.awaiting_shards) {
      ToStore request;
      if (shard == owner) {
        *request.mutable_batch() = work.batch;
      } else {
        ResultBatch& index = *request.mutable_batch();
        index.set_lease_id(work.batch.lease_id());
        index.set_run_id(work.batch.run_id());
        *index.mutable_site() = work.batch.site();
        index.set_link_index_only(true);
        for (const FetchRecord& r : work.batch.fetches()) {
          if (r.kind() == LINK_CHECK) *index.add_fetches() = r;
        }
      }
      (void)SendToRouter(*stores[static_cast<size_t>(shard)], request);
    }
    work.sent_at = options.clock->Now();
  }

  // Batches unacked for store_ack_timeout go again (the shard restarted and lost them,
  // or is still down: the DEALER queues them until it is back).
  void ResendUnacked() {
    const absl::Time now = options.clock->Now();
    for (auto& [id, work] : leases) {
      if (!work.sent_to_store || work.awaiting_shards.empty()) continue;
      if (now - work.sent_at < options.store_ack_timeout) continue;
      self.store_resends_.fetch_add(1);
      SendBatches(work);
    }
  }

  void OnStoreAck(int shard, const StoreAck& ack) {
    auto it = leases.find(ack.lease_id());
    if (it == leases.end()) return;
    LeaseWork& work = it->second;
    auto pos = std::find(work.awaiting_shards.begin(), work.awaiting_shards.end(), shard);
    if (pos == work.awaiting_shards.end()) return;  // a second ack of a resent batch
    if (!ack.ok()) {
      // The lease is left to expire at the coordinator and is done again (a write that
      // failed may pass then); a wrong shard is a misconfigured --stores list.
      std::fprintf(stderr, "census worker %s: store shard %d refused lease %llu: %s\n",
                   options.worker_id.c_str(), shard,
                   static_cast<unsigned long long>(ack.lease_id()), ack.error().c_str());
      leases.erase(it);
      return;
    }
    work.awaiting_shards.erase(pos);
    if (!work.awaiting_shards.empty()) return;
    // Every shard it wrote to has acked: only now is the lease done.
    ToCoordinator msg;
    *msg.mutable_lease_done() = std::move(work.done);
    (void)SendToRouter(coordinator, msg);
    self.leases_done_.fetch_add(1);
    leases.erase(it);
  }

  // Gives back every lease not finished (draining): the coordinator leases them again
  // at once. Leases whose batches are written but not all acked are given back too:
  // the store keeps one result per task, so a redo is harmless.
  void ReturnLeases() {
    if (leases.empty()) return;
    ToCoordinator msg;
    msg.mutable_lease_return()->set_worker_id(options.worker_id);
    for (const auto& [id, work] : leases) msg.mutable_lease_return()->add_lease_ids(id);
    self.leases_returned_.fetch_add(static_cast<int64_t>(leases.size()));
    (void)SendToRouter(coordinator, msg);
    leases.clear();
  }
};

Worker::Worker(zmq::context_t& context, WorkerOptions options)
    : context_(context), options_(std::move(options)) {}

Worker::~Worker() = default;

WorkerStats Worker::stats() const {
  return WorkerStats{fetches_.load(),         errors_.load(),          leases_done_.load(),
                     bytes_.load(),           leases_returned_.load(), store_resends_.load(),
                     request_resends_.load(), renders_.load(),         render_failures_.load()};
}

absl::Status Worker::Run() {
  Impl impl(*this);
  auto fetcher = Fetcher::Create(options_.fetcher);
  if (!fetcher.ok()) return fetcher.status();
  impl.fetcher = std::move(*fetcher);
  if (options_.render && ChromiumAvailable(options_.renderer.chromium_path)) {
    RendererOptions ro = options_.renderer;
    if (!ro.fetch) {
      ro.fetch = CurlSubresourceFetch(options_.fetcher, options_.page_timeout,
                                      options_.fetcher.max_body_bytes);
    }
    impl.renderer = std::make_unique<RenderQueue>(std::move(ro));
  }
  if (options_.store_endpoints.empty()) {
    return absl::InvalidArgumentError("worker: no store endpoint");
  }
  try {
    auto prepare = [&](zmq::socket_t& socket, int64_t max_message) -> absl::Status {
      RETURN_IF_ERROR(ConfigureSocket(socket, max_message));
      if (options_.secure) RETURN_IF_ERROR(options_.secure(socket));
      return absl::OkStatus();
    };
    RETURN_IF_ERROR(prepare(impl.coordinator, kCoordinatorMaxMessage));
    impl.coordinator.connect(options_.coordinator_endpoint);
    for (const std::string& endpoint : options_.store_endpoints) {
      auto socket = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
      RETURN_IF_ERROR(prepare(*socket, kStoreMaxMessage));
      socket->connect(endpoint);
      impl.stores.push_back(std::move(socket));
    }
  } catch (const zmq::error_t& e) {
    return absl::UnavailableError(absl::StrCat("worker connect: ", e.what()));
  }
  impl.next_request = options_.clock->Now();
  absl::Time drain_deadline = absl::InfiniteFuture();
  std::vector<zmq::pollitem_t> items(1 + impl.stores.size());
  while (!stop_.load()) {
    absl::Time now = options_.clock->Now();
    const bool draining = draining_.load();
    if (draining && drain_deadline == absl::InfiniteFuture()) {
      drain_deadline = now + absl::Milliseconds(drain_grace_ms_.load());
    }
    if (draining && (impl.leases.empty() || now >= drain_deadline)) {
      impl.ReturnLeases();
      // Linger a little so the LeaseReturn leaves before the socket closes.
      try {
        impl.coordinator.set(zmq::sockopt::linger, 2000);
      } catch (const zmq::error_t&) {
        // the leases then expire at the coordinator instead
      }
      break;
    }
    // A request unanswered for request_timeout was lost (the coordinator restarted).
    if (impl.request_outstanding && now - impl.request_sent >= options_.request_timeout) {
      impl.request_outstanding = false;
      request_resends_.fetch_add(1);
    }
    if (!draining && !impl.shutdown && !impl.request_outstanding &&
        static_cast<int>(impl.leases.size()) < options_.max_leases && now >= impl.next_request) {
      ToCoordinator msg;
      msg.mutable_work_request()->set_worker_id(options_.worker_id);
      msg.mutable_work_request()->set_capacity(options_.max_leases -
                                               static_cast<int>(impl.leases.size()));
      if (SendToRouter(impl.coordinator, msg).ok()) {
        impl.request_outstanding = true;
        impl.request_sent = now;
      }
    }
    items[0] = {impl.coordinator.handle(), 0, ZMQ_POLLIN, 0};
    for (size_t i = 0; i < impl.stores.size(); ++i) {
      items[i + 1] = {impl.stores[i]->handle(), 0, ZMQ_POLLIN, 0};
    }
    const bool fetching = impl.fetcher->pending() > 0;
    try {
      zmq::poll(items.data(), items.size(),
                std::chrono::milliseconds(fetching      ? 0
                                          : impl.busy() ? 1
                                                        : 5));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return absl::UnavailableError(absl::StrCat("worker poll: ", e.what()));
    }
    if (items[0].revents & ZMQ_POLLIN) {
      FromCoordinator reply;
      absl::Status received = ReceiveFromRouter(impl.coordinator, &reply);
      if (received.ok()) {
        if (reply.has_lease()) {
          impl.request_outstanding = false;
          // One asked for before a drain began is worked like the rest (or returned).
          impl.StartLease(std::move(*reply.mutable_lease()));
        } else if (reply.has_no_work()) {
          impl.request_outstanding = false;
          impl.next_request =
              options_.clock->Now() + absl::Milliseconds(reply.no_work().retry_after_ms());
        } else if (reply.has_shutdown()) {
          impl.request_outstanding = false;
          if (options_.exit_on_shutdown) {
            impl.shutdown = true;
          } else {
            impl.next_request = options_.clock->Now() + options_.shutdown_retry;
          }
        }
      } else {
        impl.drops.Note(received);
      }
    }
    for (size_t i = 0; i < impl.stores.size(); ++i) {
      if ((items[i + 1].revents & ZMQ_POLLIN) == 0) continue;
      FromStore reply;
      absl::Status received = ReceiveFromRouter(*impl.stores[i], &reply);
      if (received.ok() && reply.has_ack()) {
        impl.OnStoreAck(static_cast<int>(i), reply.ack());
      } else if (!received.ok()) {
        impl.drops.Note(received);
      }
    }
    impl.FireRechecks();
    impl.TakeRenders();
    impl.ResendUnacked();
    if (impl.fetcher->pending() > 0) {
      for (FetchResult& r : impl.fetcher->Poll(absl::Milliseconds(5))) {
        impl.OnResult(std::move(r));
      }
    }
    if (impl.shutdown && impl.leases.empty()) break;
  }
  return absl::OkStatus();
}

}  // namespace census
