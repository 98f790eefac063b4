#include "cmd/warc_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "aggregator/aggregator.h"
#include "aggregator/site_verdict.h"
#include "cmd/flags.h"
#include "cmd/replay_command.h"
#include "common/clock.h"
#include "common/content_hash.h"
#include "common/status_macros.h"
#include "coordinator/site_list.h"
#include "interchange/warc.h"
#include "storage/store.h"
#include "worker/extract.h"
#include "worker/robots.h"

namespace census {
namespace {

constexpr char kExportUsage[] =
    "usage: census export-warc --data DIR [--run RUN_ID] --out FILE.warc.gz [--quiet]\n"
    "  Writes the fetches the store holds (of one run, or of every run) as a WARC 1.1 file:\n"
    "  a warcinfo record, a metadata record a site (its registry row and columns), then\n"
    "  for each fetch a request and a response record (status line, content type,\n"
    "  validators and the body exactly as stored), a revisit record (identical payload\n"
    "  digest) for a body already written, or a metadata record for a fetch that got no\n"
    "  HTTP answer. Each record is its own gzip member. docs/WARC.md.\n";

constexpr char kImportUsage[] =
    "usage: census import-warc --data DIR [--sites FILE] [--columns FILE] [--as-of YYYY-MM-DD]\n"
    "                          [--quiet] FILE...\n"
    "  Reads WARC files (.warc.gz or .warc: census export-warc, wget --warc-file,\n"
    "  Heritrix) into the store as a run of its own (import-<time>; census replay --list).\n"
    "  HTTP response records are imported, revisit records through the response they\n"
    "  repeat; a URL belongs to the site whose host it is on (sites the store or --sites\n"
    "  knows, or the census metadata records of the file); homepages and column pages\n"
    "  (--columns, the store's, the file's) are extracted as the census extracts them.\n"
    "  --as-of: the run's census date (default: the exported run's, else the newest fetch's).\n"
    "  What cannot be used is counted by reason on stderr and in the summary. docs/WARC.md.\n";

// Census's own fields on the records it writes (WARC allows extension fields): what a
// FetchRecord holds that WARC has no field for, so that an import of census's own
// archive gives back the same fetch records.
constexpr char kSiteIdField[] = "Census-Site-Id";
constexpr char kTaskField[] = "Census-Task";
constexpr char kProbeIndexField[] = "Census-Probe-Index";
// The IPv6 probe's and the HTTPS check's own facts (docs/WARC.md): the address connected
// to, the OS error number, and the HTTPS check's TlsCheck (a protobuf, base64).
constexpr char kRemoteIpField[] = "Census-Remote-IP";
constexpr char kOsErrnoField[] = "Census-Os-Errno";
constexpr char kTlsCheckField[] = "Census-Tls-Check";
constexpr char kErrorField[] = "Census-Fetch-Error";
constexpr char kErrorDetailField[] = "Census-Error-Detail";
constexpr char kElapsedField[] = "Census-Elapsed-Ms";
constexpr char kBodyBytesField[] = "Census-Body-Bytes";
constexpr char kContentHashField[] = "Census-Content-Hash";
constexpr char kFinalUriField[] = "Census-Final-URI";
constexpr char kRedirectField[] = "Census-Redirect";
constexpr char kMethodField[] = "Census-Method";
constexpr char kAttemptsField[] = "Census-Attempts";
constexpr char kFirstByteField[] = "Census-First-Byte-Ms";
constexpr char kRobotsField[] = "Census-Robots-Disallowed";
constexpr char kIdenticalPayloadProfile[] =
    "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

std::string OneLine(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

int Usage(const char* usage, const std::string& command, const absl::Status& status) {
  std::fprintf(stderr, "census %s: %s\n\n%s", command.c_str(),
               std::string(status.message()).c_str(), usage);
  return 2;
}

int Fail(const char* command, const absl::Status& status) {
  std::fprintf(stderr, "census %s: %s\n", command, std::string(status.message()).c_str());
  return 1;
}

// ------------------------------------------------------------------ export

struct Written {
  std::string payload_digest;
  std::string uri;
  std::string date;
  std::string record_id;
};

class Exporter {
 public:
  Exporter(Store& store, WarcWriter& writer, bool quiet)
      : store_(store),
        writer_(writer),
        quiet_(quiet),
        started_(absl::Now()),
        last_print_(started_) {}

  absl::Status WriteInfo(const std::string& file_name, const std::string& run_line) {
    WarcRecord info;
    info.Add("WARC-Type", "warcinfo");
    info.Add("WARC-Date", FormatWarcDate(absl::ToUnixMillis(absl::Now())));
    info.Add("WARC-Filename", file_name);
    info.Add("WARC-Record-ID", NewWarcRecordId());
    info.Add("Content-Type", "application/warc-fields");
    info.block = absl::StrCat(
        "software: census export-warc\r\n"
        "format: WARC File Format 1.1\r\n"
        "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/"
        "warc-1.1/\r\n"
        "description: pages of a government-website census, as fetched and stored\r\n",
        run_line);
    return Write(info);
  }

  // The site's registry row and columns (as they stood at `columns_until_ms`: the end of
  // the run exported): what an import into an empty store needs to know the site by
  // (application/warc-fields, one census-* field a line).
  absl::Status WriteSite(const Site& site, int64_t columns_until_ms) {
    WarcRecord meta;
    meta.Add("WARC-Type", "metadata");
    meta.Add("WARC-Target-URI", site.url());
    meta.Add("WARC-Date", FormatWarcDate(absl::ToUnixMillis(started_)));
    meta.Add("WARC-Record-ID", NewWarcRecordId());
    meta.Add("Content-Type", "application/warc-fields");
    meta.Add(kSiteIdField, site.site_id());
    std::string& b = meta.block;
    absl::StrAppend(&b, "census-site-id: ", OneLine(site.site_id()), "\r\n");
    absl::StrAppend(&b, "census-site-name: ", OneLine(site.name()), "\r\n");
    absl::StrAppend(&b, "census-site-url: ", OneLine(site.url()), "\r\n");
    if (!site.org().empty()) absl::StrAppend(&b, "census-site-org: ", OneLine(site.org()), "\r\n");
    if (!site.region().empty())
      absl::StrAppend(&b, "census-site-region: ", OneLine(site.region()), "\r\n");
    if (!site.level().empty())
      absl::StrAppend(&b, "census-site-level: ", OneLine(site.level()), "\r\n");
    if (!site.kind().empty())
      absl::StrAppend(&b, "census-site-kind: ", OneLine(site.kind()), "\r\n");
    absl::StatusOr<std::vector<Column>> columns = store_.Columns(site.site_id(), columns_until_ms);
    if (!columns.ok()) return columns.status();
    for (const Column& c : *columns) {
      // category, declared, URL, name: tab-separated (a name may hold spaces).
      absl::StrAppend(&b, "census-column: ", Category_Name(c.category()), "\t",
                      c.declared() ? "declared" : "discovered", "\t", OneLine(c.url()), "\t",
                      OneLine(c.name()), "\r\n");
    }
    return Write(meta);
  }

  absl::Status WriteFetch(const FetchRecord& f) {
    ++fetches_;
    const std::string date = FormatWarcDate(f.fetched_at_ms());
    const std::string request_id = NewWarcRecordId();
    std::string origin, path;
    if (!SplitOriginAndPath(f.url(), &origin, &path)) {
      ++not_http_;  // a stored URL that is not http(s): nothing a WARC reader could replay
      return absl::OkStatus();
    }
    const std::string method = f.method().empty() ? "GET" : std::string(f.method());
    WarcRecord request;
    request.Add("WARC-Type", "request");
    request.Add("WARC-Target-URI", f.url());
    request.Add("WARC-Date", date);
    request.Add("WARC-Record-ID", request_id);
    request.Add("Content-Type", "application/http; msgtype=request");
    request.block =
        absl::StrCat(method, " ", path,
                     " HTTP/1.1\r\nHost: ", origin.substr(origin.find("://") + 3), "\r\n\r\n");
    request.Add("WARC-Block-Digest", WarcSha1Digest(request.block));
    RETURN_IF_ERROR(Write(request));

    WarcRecord record;
    record.Add("WARC-Type", "response");  // replaced below for revisit / metadata
    record.Add("WARC-Target-URI", f.url());
    record.Add("WARC-Date", date);
    record.Add("WARC-Record-ID", NewWarcRecordId());
    record.Add("WARC-Concurrent-To", request_id);
    if (f.status() == 0) {
      // No HTTP answer (timeout, DNS, refused, robots.txt): no response to write, so
      // the outcome goes into a metadata record beside the request.
      record.fields[0].second = "metadata";
      record.Add("Content-Type", "application/warc-fields");
      AddCensusFields(f, method, &record);
      record.block = absl::StrCat("census-fetch-error: ", FetchError_Name(f.error()), "\r\n");
      if (!f.error_detail().empty()) {
        absl::StrAppend(&record.block, "census-error-detail: ", OneLine(f.error_detail()), "\r\n");
      }
      ++failures_;
      return Write(record);
    }

    // The reason phrase is left empty (RFC 9112 allows it; clients ignore it): the census
    // keeps the status code, not the words the server sent with it.
    std::string head = absl::StrCat("HTTP/1.1 ", f.status(), " \r\n");
    if (!f.content_type().empty())
      absl::StrAppend(&head, "Content-Type: ", OneLine(f.content_type()), "\r\n");
    if (!f.etag().empty()) absl::StrAppend(&head, "ETag: ", OneLine(f.etag()), "\r\n");
    if (!f.last_modified().empty())
      absl::StrAppend(&head, "Last-Modified: ", OneLine(f.last_modified()), "\r\n");
    record.Add("Content-Type", "application/http; msgtype=response");
    AddCensusFields(f, method, &record);

    const std::string& hash = f.content_hash();
    if (f.not_modified() || hash.empty()) {
      // A 304, a HEAD, an empty body, or a body the census did not keep (probes, most
      // link checks): the status line and headers alone. A body that was received and
      // not kept is marked truncated, so that no reader takes the empty payload for it.
      if (!hash.empty()) record.Add(kContentHashField, hash);
      if (!f.not_modified() && f.body_bytes() > 0 && method != "HEAD") {
        record.Add("WARC-Truncated", "unspecified");
        ++truncated_;
      } else if (!f.not_modified() && method != "HEAD") {
        absl::StrAppend(&head, "Content-Length: 0\r\n");
      }
      record.block = absl::StrCat(head, "\r\n");
      record.Add("WARC-Payload-Digest", WarcSha1Digest(""));
      record.Add("WARC-Block-Digest", WarcSha1Digest(record.block));
      ++responses_;
      return Write(record);
    }
    if (auto it = written_.find(hash); it != written_.end()) {
      // The same body as a response already in the file: a revisit pointing at it.
      record.fields[0].second = "revisit";
      record.Add("WARC-Profile", kIdenticalPayloadProfile);
      record.Add("WARC-Refers-To", it->second.record_id);
      record.Add("WARC-Refers-To-Target-URI", it->second.uri);
      record.Add("WARC-Refers-To-Date", it->second.date);
      record.Add("WARC-Payload-Digest", it->second.payload_digest);
      record.Add("WARC-Truncated", "length");  // the payload is the original's
      record.block = absl::StrCat(head, "\r\n");
      record.Add("WARC-Block-Digest", WarcSha1Digest(record.block));
      ++revisits_;
      return Write(record);
    }
    absl::StatusOr<std::string> body = store_.GetBody(hash);
    if (absl::IsNotFound(body.status())) {
      // A hash the fetch names but whose body was not kept (a link check's page):
      // headers only, as above.
      record.Add(kContentHashField, hash);
      record.Add("WARC-Truncated", "unspecified");
      record.block = absl::StrCat(head, "\r\n");
      record.Add("WARC-Payload-Digest", WarcSha1Digest(""));
      record.Add("WARC-Block-Digest", WarcSha1Digest(record.block));
      ++truncated_;
      ++responses_;
      return Write(record);
    }
    if (!body.ok()) return body.status();
    absl::StrAppend(&head, "Content-Length: ", body->size(), "\r\n\r\n");
    Written w{WarcSha1Digest(*body), f.url(), date, record.Field("WARC-Record-ID")};
    record.Add("WARC-Payload-Digest", w.payload_digest);
    record.block = absl::StrCat(head, *body);
    record.Add("WARC-Block-Digest", WarcSha1Digest(record.block));
    written_.emplace(hash, std::move(w));
    body_bytes_ += static_cast<int64_t>(body->size());
    ++responses_;
    return Write(record);
  }

  void Progress(bool last) {
    const absl::Time now = absl::Now();
    if (quiet_ || (!last && now - last_print_ < absl::Seconds(2))) return;
    last_print_ = now;
    std::fprintf(stderr, "census export-warc: %ld fetches, %ld records, %.1f MB written, %.1fs\n",
                 static_cast<long>(fetches_), static_cast<long>(writer_.records_written()),
                 static_cast<double>(writer_.bytes_written()) / 1e6,
                 absl::ToDoubleSeconds(now - started_));
  }

  std::string Summary() const {
    return absl::StrCat(writer_.records_written(), " records (", fetches_, " fetches: ", responses_,
                        " responses, ", revisits_, " revisits of a body already written, ",
                        failures_, " without an HTTP answer as metadata, ", truncated_,
                        " with a body the census did not keep",
                        not_http_ > 0 ? absl::StrCat(", ", not_http_, " not http(s), skipped") : "",
                        "), ", written_.size(), " distinct bodies, ", body_bytes_, " body bytes, ",
                        writer_.bytes_written(), " bytes compressed");
  }

 private:
  void AddCensusFields(const FetchRecord& f, const std::string& method, WarcRecord* record) {
    record->Add(kSiteIdField, f.site_id());
    record->Add(kTaskField, TaskKind_Name(f.kind()));
    // Probes of every kind (PROBE, PROBE_V6, HTTPS_CHECK) are told apart by their index.
    if (f.kind() != HOMEPAGE && f.kind() != COLUMN && f.kind() != LINK_CHECK) {
      record->Add(kProbeIndexField, absl::StrCat(f.probe_index()));
    }
    record->Add(kMethodField, method);
    if (!f.remote_ip().empty()) record->Add(kRemoteIpField, f.remote_ip());
    if (f.os_errno() != 0) record->Add(kOsErrnoField, absl::StrCat(f.os_errno()));
    if (f.has_tls()) record->Add(kTlsCheckField, absl::Base64Escape(f.tls().SerializeAsString()));
    if (f.error() != FETCH_OK) record->Add(kErrorField, FetchError_Name(f.error()));
    if (!f.error_detail().empty()) record->Add(kErrorDetailField, OneLine(f.error_detail()));
    record->Add(kElapsedField, absl::StrCat(f.elapsed_ms()));
    record->Add(kBodyBytesField, absl::StrCat(f.body_bytes()));
    if (!f.final_url().empty()) record->Add(kFinalUriField, f.final_url());
    for (const std::string& r : f.redirects()) record->Add(kRedirectField, OneLine(r));
    if (f.attempts() != 0) record->Add(kAttemptsField, absl::StrCat(f.attempts()));
    if (f.has_first_byte_ms()) record->Add(kFirstByteField, absl::StrCat(f.first_byte_ms()));
    if (f.robots_disallowed()) record->Add(kRobotsField, "true");
  }

  absl::Status Write(const WarcRecord& record) {
    RETURN_IF_ERROR(writer_.Write(record));
    Progress(false);
    return absl::OkStatus();
  }

  Store& store_;
  WarcWriter& writer_;
  const bool quiet_;
  const absl::Time started_;
  absl::Time last_print_;  // a line every 2 s, so a short export prints one at its end
  absl::flat_hash_map<std::string, Written> written_;  // content hash → its response
  int64_t fetches_ = 0, responses_ = 0, revisits_ = 0, failures_ = 0, truncated_ = 0;
  int64_t not_http_ = 0, body_bytes_ = 0;
};

}  // namespace

int RunExportWarc(const std::vector<std::string>& args) {
  std::string data_dir = "census-data", run_id, out;
  bool quiet = false, help = false;
  FlagSet flags;
  flags.String("--data", &data_dir);
  flags.String("--run", &run_id);
  flags.String("--out", &out);
  flags.Bool("--quiet", &quiet);
  if (auto st = flags.Parse(args, &help); !st.ok()) return Usage(kExportUsage, "export-warc", st);
  if (help) {
    std::fputs(kExportUsage, stdout);
    return 0;
  }
  if (out.empty()) {
    return Usage(kExportUsage, "export-warc", absl::InvalidArgumentError("--out FILE is needed"));
  }
  auto fail = [](const absl::Status& st) { return Fail("export-warc", st); };
  absl::StatusOr<std::unique_ptr<Store>> store = OpenRunStore(data_dir);
  if (!store.ok()) return fail(store.status());

  // The sites and window to export: one run's (as its report counts them), or all.
  std::vector<std::string> site_ids;
  int64_t from_ms = std::numeric_limits<int64_t>::min();
  int64_t until_ms = std::numeric_limits<int64_t>::max();
  std::string run_line = "census-run: all\r\n";
  if (!run_id.empty()) {
    absl::StatusOr<RunRecord> run = FindRun(**store, data_dir, run_id);
    if (!run.ok()) return fail(run.status());
    site_ids.assign(run->site_ids().begin(), run->site_ids().end());
    from_ms = run->started_ms();
    until_ms = run->finished_ms();
    run_line =
        absl::StrCat("census-run: ", run->run_id(), "\r\ncensus-as-of: ", run->as_of(), "\r\n");
  }
  std::map<std::string, Site> sites;
  if (auto st = (*store)->ForEachSite([&](const Site& s) { sites[s.site_id()] = s; }); !st.ok()) {
    return fail(st);
  }
  if (run_id.empty()) {
    for (const auto& [id, site] : sites) site_ids.push_back(id);
  }
  std::sort(site_ids.begin(), site_ids.end());

  absl::StatusOr<std::unique_ptr<WarcWriter>> writer = WarcWriter::Open(out);
  if (!writer.ok()) return fail(writer.status());
  Exporter exporter(**store, **writer, quiet);
  if (auto st = exporter.WriteInfo(std::filesystem::path(out).filename().string(), run_line);
      !st.ok()) {
    return fail(st);
  }
  for (const std::string& id : site_ids) {
    Site site;
    if (auto it = sites.find(id); it != sites.end()) {
      site = it->second;
    } else {
      site.set_site_id(id);  // a run's site that never got a record: id alone
    }
    if (auto st = exporter.WriteSite(site, until_ms); !st.ok()) return fail(st);
    absl::Status write_status;
    auto st = (*store)->ForEachFetch(id, from_ms, until_ms, [&](const FetchRecord& f) {
      if (write_status.ok()) write_status = exporter.WriteFetch(f);
    });
    if (!st.ok()) return fail(st);
    if (!write_status.ok()) return fail(write_status);
  }
  if (auto st = (*writer)->Close(); !st.ok()) return fail(st);
  exporter.Progress(true);
  std::printf("export-warc: %s: %s\n", out.c_str(), exporter.Summary().c_str());
  return 0;
}

// ------------------------------------------------------------------ import

namespace {

struct KnownSite {
  Site site;
  std::vector<Column> columns;
  bool write_columns = false;  // from the file or --columns: written with the site's first batch
  bool written = false;
  // The store held the site before this import: the keys of its fetches there, read on
  // first use, so that an archive imported into the store it came from adds nothing
  // and overwrites nothing (a WARC does not carry all a fetch record holds).
  bool in_store = false;
  bool stored_read = false;
  absl::flat_hash_set<std::string> stored;
};

// A fetch record's identity in the store (its fetch/ key's parts).
std::string FetchIdentity(const FetchRecord& f) {
  return absl::StrCat(f.kind(), "\t", f.probe_index(), "\t", f.fetched_at_ms(), "\t", f.url());
}

// What import-warc counts: records by WARC-Type, records left aside on purpose, and
// what could not be used, by reason.
struct ImportCounts {
  std::map<std::string, int64_t> records;   // by WARC-Type
  std::map<std::string, int64_t> skipped;   // by design (requests, warcinfo, ...)
  std::map<std::string, int64_t> unusable;  // by reason
  std::map<std::string, int64_t> imported;  // fetches by task kind
  int64_t bodies = 0;
  int64_t from_revisits = 0;
  int64_t observed = 0;        // HOMEPAGE/COLUMN pages extracted into observations
  int64_t already_stored = 0;  // usable fetches the store already had
};

std::string Tally(const std::map<std::string, int64_t>& counts) {
  if (counts.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts) parts.push_back(absl::StrCat(name, " ", n));
  return absl::StrJoin(parts, ", ");
}

std::string StripHost(absl::string_view host) {
  return std::string(absl::StartsWith(host, "www.") ? host.substr(4) : host);
}

// The observation the census worker makes of a HOMEPAGE or COLUMN page it fetched
// (worker/worker.cc, ExtractInto), made here of a page read from an archive, so that the
// imported history has list items and dates to judge from. What needs more fetches than
// the archive holds is not done: no pagination, no list data URLs, no rendering.
std::optional<PageObservation> ObservePage(const FetchRecord& f, const std::string& body,
                                           const Column* column) {
  if ((f.kind() != HOMEPAGE && f.kind() != COLUMN) || f.status() != 200 || f.error() != FETCH_OK ||
      body.empty()) {
    return std::nullopt;
  }
  ExtractOptions options;
  options.base_url = f.final_url().empty() ? f.url() : f.final_url();
  options.as_of = ToCensusDay(absl::FromUnixMillis(f.fetched_at_ms()));
  options.column_page = f.kind() == COLUMN;
  options.measure_own_text = f.kind() == HOMEPAGE;
  if (column != nullptr) options.list_xpath = column->xpath();
  absl::StatusOr<PageExtract> page = ExtractPage(body, f.content_type(), options);
  if (!page.ok()) return std::nullopt;  // not HTML: a fetch without an observation
  PageObservation obs;
  obs.set_site_id(f.site_id());
  obs.set_kind(f.kind());
  obs.set_url(f.url());
  if (column != nullptr) *obs.mutable_column() = *column;
  obs.set_page_kind(page->kind);
  obs.set_title(page->title);
  for (const ExtractedItem& item : page->items) {
    ListItem* li = obs.add_items();
    li->set_title(item.title);
    li->set_href(item.href);
    li->set_date(item.date);
    li->set_date_raw(item.date_raw);
  }
  for (const MailboxMessage& m : page->messages) *obs.add_messages() = m;
  obs.set_latest_date(page->latest_date);
  obs.set_publication_date(page->publication_date);
  obs.set_blank_placeholder(page->blank_placeholder);
  obs.set_fetched_at_ms(f.fetched_at_ms());
  obs.set_content_hash(f.content_hash());
  obs.set_charset(page->charset);
  obs.set_list_pages(1);
  for (const ExtractedLink& link : page->links) {
    obs.add_links(link.url);
    PageLink* out = obs.add_outlinks();
    out->set_url(link.url);
    out->set_text(link.text);
    out->set_attachment(link.attachment);
    out->set_hidden(link.hidden);
    out->set_hidden_how(link.hidden_how);
  }
  obs.set_own_text_measured(true);
  for (const ContentLine& line : page->content_lines) {
    obs.add_own_line_hashes(line.hash);
    obs.add_own_line_chars(line.chars);
  }
  obs.set_script_list(page->script_list);
  for (const std::string& name : page->breadcrumb) obs.add_breadcrumb(name);
  if (f.kind() == COLUMN) {
    obs.set_list_source(page->list_source);
    obs.set_scripted(page->scripted);
  }
  return obs;
}

class Importer {
 public:
  Importer(Store& store, std::string run_id, bool quiet)
      : store_(store), run_id_(std::move(run_id)), quiet_(quiet), last_print_(absl::Now()) {}

  void MarkInStore(const std::string& site_id) { sites_[site_id].in_store = true; }

  void AddSite(const Site& site, const std::vector<Column>& columns, bool write_columns) {
    KnownSite& known = sites_[site.site_id()];
    known.site = site;
    if (write_columns || known.columns.empty()) {
      known.columns = columns;
      known.write_columns = write_columns;
    }
    const std::string host = StripHost(UrlHost(site.url()));
    if (!host.empty()) by_host_[host] = site.site_id();
  }

  absl::Status ImportFile(const std::string& path) {
    absl::StatusOr<std::unique_ptr<WarcReader>> reader = WarcReader::Open(path);
    if (!reader.ok()) {
      Unusable("unreadable_file", path, 0, std::string(reader.status().message()));
      return absl::OkStatus();
    }
    WarcRecord record;
    int64_t offset = 0;
    size_t problems_seen = 0;
    while ((*reader)->Next(&record, &offset)) {
      for (; problems_seen < (*reader)->problems().size(); ++problems_seen) {
        const WarcProblem& p = (*reader)->problems()[problems_seen];
        Unusable(p.reason, path, p.offset, p.detail);
      }
      RETURN_IF_ERROR(ImportRecord(record, path, offset));
      Progress(path, **reader, false);
    }
    for (; problems_seen < (*reader)->problems().size(); ++problems_seen) {
      const WarcProblem& p = (*reader)->problems()[problems_seen];
      Unusable(p.reason, path, p.offset, p.detail);
    }
    Progress(path, **reader, true);
    return absl::OkStatus();
  }

  // Records the run (when anything was imported) so that census replay finds it.
  // The census date is `as_of` when given, else the one the files' warcinfo names (a
  // census export of one run), else the day of the newest fetch imported.
  absl::Status Finish(const std::string& as_of) {
    if (min_ms_ > max_ms_) return absl::OkStatus();
    RunRecord run;
    run.set_run_id(run_id_);
    run.set_started_ms(min_ms_);
    run.set_finished_ms(max_ms_);
    if (!as_of.empty()) {
      run.set_as_of(as_of);
    } else if (file_as_of_.size() == 1) {
      run.set_as_of(*file_as_of_.begin());
    } else {
      run.set_as_of(FormatCivilDay(ToCensusDay(absl::FromUnixMillis(max_ms_))));
    }
    as_of_ = run.as_of();
    run.set_sites(static_cast<int>(imported_sites_.size()));
    for (const std::string& id : imported_sites_) run.add_site_ids(id);
    int64_t fetches = 0;
    for (const auto& [kind, n] : counts_.imported) fetches += n;
    run.set_pages_fetched(fetches);
    run.set_rubric_text(DefaultRubricText());
    return store_.PutRun(run);
  }

  const ImportCounts& counts() const { return counts_; }
  const std::string& as_of() const { return as_of_; }
  size_t sites_imported() const { return imported_sites_.size(); }

 private:
  void Unusable(const std::string& reason, const std::string& path, int64_t offset,
                const std::string& detail) {
    int64_t& n = counts_.unusable[reason];
    ++n;
    // Every one is counted; the first few of each reason are shown.
    if (n <= 20) {
      std::fprintf(stderr, "census import-warc: %s@%ld: %s: %s\n", path.c_str(),
                   static_cast<long>(offset), reason.c_str(), detail.c_str());
    } else if (n == 21) {
      std::fprintf(stderr, "census import-warc: more %s: counted, not shown\n", reason.c_str());
    }
  }

  void Progress(const std::string& path, const WarcReader& reader, bool last) {
    const absl::Time now = absl::Now();
    if (quiet_ || (!last && now - last_print_ < absl::Seconds(2))) return;
    last_print_ = now;
    int64_t fetches = 0;
    for (const auto& [kind, n] : counts_.imported) fetches += n;
    std::fprintf(stderr, "census import-warc: %s: %.1f of %.1f MB read, %ld fetches imported\n",
                 path.c_str(), static_cast<double>(reader.position()) / 1e6,
                 static_cast<double>(reader.size()) / 1e6, static_cast<long>(fetches));
  }

  // A census metadata record names a site (and its columns): remember it.
  void ReadSiteMetadata(const WarcRecord& record) {
    Site site;
    std::vector<Column> columns;
    for (absl::string_view line : absl::StrSplit(record.block, '\n')) {
      line = absl::StripSuffix(line, "\r");
      const size_t colon = line.find(':');
      if (colon == absl::string_view::npos) continue;
      const absl::string_view name = line.substr(0, colon);
      const std::string value(absl::StripLeadingAsciiWhitespace(line.substr(colon + 1)));
      if (name == "census-site-id") site.set_site_id(value);
      if (name == "census-site-name") site.set_name(value);
      if (name == "census-site-url") site.set_url(value);
      if (name == "census-site-org") site.set_org(value);
      if (name == "census-site-region") site.set_region(value);
      if (name == "census-site-level") site.set_level(value);
      if (name == "census-site-kind") site.set_kind(value);
      if (name == "census-column") {
        std::vector<std::string> parts = absl::StrSplit(value, absl::MaxSplits('\t', 3));
        if (parts.size() != 4) continue;
        Column c;
        Category category = CATEGORY_UNSPECIFIED;
        Category_Parse(parts[0], &category);
        c.set_category(category);
        c.set_declared(parts[1] == "declared");
        c.set_url(parts[2]);
        c.set_name(parts[3]);
        columns.push_back(std::move(c));
      }
    }
    for (Column& c : columns) c.set_site_id(site.site_id());
    if (!site.site_id().empty() && !site.url().empty()) AddSite(site, columns, true);
  }

  // The site a URL belongs to: its host's site, else the site whose host it is a
  // subdomain of (www. ignored); "" when none.
  std::string SiteOf(const std::string& url) const {
    std::string host = StripHost(UrlHost(url));
    if (host.empty()) return "";
    while (true) {
      if (auto it = by_host_.find(host); it != by_host_.end()) return it->second;
      const size_t dot = host.find('.');
      if (dot == std::string::npos) return "";
      host = host.substr(dot + 1);
    }
  }

  // HOMEPAGE for the site's homepage, COLUMN for one of its columns, else LINK_CHECK
  // (an article or other page of the site, as the census reaches them through links).
  TaskKind KindOf(const KnownSite& site, const std::string& url) const {
    auto same = [](absl::string_view a, absl::string_view b) {
      return absl::StripSuffix(a, "/") == absl::StripSuffix(b, "/");
    };
    if (same(url, site.site.url())) return HOMEPAGE;
    for (const Column& c : site.columns) {
      if (same(url, c.url())) return COLUMN;
    }
    return LINK_CHECK;
  }

  static const Column* ColumnOf(const KnownSite& site, const std::string& url) {
    for (const Column& c : site.columns) {
      if (absl::StripSuffix(url, "/") == absl::StripSuffix(c.url(), "/")) return &c;
    }
    return nullptr;
  }

  absl::Status ImportRecord(const WarcRecord& record, const std::string& path, int64_t offset) {
    const std::string type = absl::AsciiStrToLower(record.Field("WARC-Type"));
    ++counts_.records[type.empty() ? "(no type)" : type];
    const bool census_fetch = record.Has(kTaskField);
    if (type == "warcinfo") {
      // census export-warc names the census date of the run it exported.
      for (absl::string_view line : absl::StrSplit(record.block, '\n')) {
        line = absl::StripSuffix(line, "\r");
        if (absl::ConsumePrefix(&line, "census-as-of: ")) file_as_of_.insert(std::string(line));
      }
    }
    if (type == "metadata" && !census_fetch) {
      if (absl::StrContains(record.block, "census-site-id:")) {
        ReadSiteMetadata(record);
        ++counts_.skipped["metadata (census site, read)"];
      } else {
        ++counts_.skipped["metadata"];
      }
      return absl::OkStatus();
    }
    if (type != "response" && type != "revisit" && type != "metadata") {
      ++counts_.skipped[type.empty() ? "(no type)" : type];
      return absl::OkStatus();
    }
    std::string uri(
        absl::StripSuffix(absl::StripPrefix(record.Field("WARC-Target-URI"), "<"), ">"));
    if (uri.empty()) {
      Unusable("no_target_uri", path, offset,
               absl::StrCat(type, " record without WARC-Target-URI"));
      return absl::OkStatus();
    }
    std::string origin, url_path;
    if (!SplitOriginAndPath(uri, &origin, &url_path)) {
      Unusable("not_http", path, offset, absl::StrCat(type, " of ", uri));
      return absl::OkStatus();
    }
    int64_t fetched_at_ms = 0;
    if (!ParseWarcDate(record.Field("WARC-Date"), &fetched_at_ms)) {
      Unusable("bad_date", path, offset,
               absl::StrCat(uri, ": WARC-Date '", record.Field("WARC-Date"), "'"));
      return absl::OkStatus();
    }
    std::string site_id = record.Field(kSiteIdField);
    if (site_id.empty() || !sites_.contains(site_id)) site_id = SiteOf(uri);
    if (site_id.empty()) {
      Unusable(
          "unknown_host", path, offset,
          absl::StrCat(uri, ": no site of the store, --sites or the file is on ", UrlHost(uri)));
      return absl::OkStatus();
    }
    KnownSite& site = sites_[site_id];

    FetchRecord f;
    f.set_site_id(site_id);
    f.set_url(uri);
    f.set_fetched_at_ms(fetched_at_ms);
    TaskKind kind = TASK_UNSPECIFIED;
    if (!census_fetch || !TaskKind_Parse(record.Field(kTaskField), &kind) ||
        kind == TASK_UNSPECIFIED) {
      kind = KindOf(site, uri);
    }
    f.set_kind(kind);
    int probe_index = 0;
    if (absl::SimpleAtoi(record.Field(kProbeIndexField), &probe_index)) {
      f.set_probe_index(probe_index);
    }
    const std::string method = record.Field(kMethodField);
    f.set_method(method.empty() ? "GET" : method);
    f.set_remote_ip(record.Field(kRemoteIpField));
    if (int os_errno = 0; absl::SimpleAtoi(record.Field(kOsErrnoField), &os_errno)) {
      f.set_os_errno(os_errno);
    }
    if (!record.Fields(kTlsCheckField).empty()) {  // present, even when empty
      std::string tls;
      if (absl::Base64Unescape(record.Field(kTlsCheckField), &tls)) {
        (void)f.mutable_tls()->ParseFromString(tls);
      }
    }
    int64_t number = 0;
    if (absl::SimpleAtoi(record.Field(kElapsedField), &number)) f.set_elapsed_ms(number);
    f.set_final_url(record.Field(kFinalUriField));
    int attempts = 0;
    if (absl::SimpleAtoi(record.Field(kAttemptsField), &attempts)) f.set_attempts(attempts);
    if (absl::SimpleAtoi(record.Field(kFirstByteField), &number)) f.set_first_byte_ms(number);
    f.set_robots_disallowed(record.Field(kRobotsField) == "true");
    for (const std::string& r : record.Fields(kRedirectField)) f.add_redirects(r);
    FetchError error = FETCH_OK;
    if (FetchError_Parse(record.Field(kErrorField), &error)) f.set_error(error);
    f.set_error_detail(record.Field(kErrorDetailField));

    std::string body;
    bool has_body = false;
    if (type == "metadata") {
      // census's record of a fetch that got no HTTP answer.
      if (error == FETCH_OK) {
        for (absl::string_view line : absl::StrSplit(record.block, '\n')) {
          line = absl::StripSuffix(line, "\r");
          if (absl::ConsumePrefix(&line, "census-fetch-error: ")) {
            FetchError_Parse(std::string(line), &error);
            f.set_error(error);
          }
        }
      }
    } else {
      if (!absl::StrContains(absl::AsciiStrToLower(record.Field("Content-Type")),
                             "application/http")) {
        Unusable("not_http", path, offset,
                 absl::StrCat(uri, ": Content-Type '", record.Field("Content-Type"), "'"));
        return absl::OkStatus();
      }
      const bool truncated = record.Has("WARC-Truncated");
      if (type == "response" && truncated && !census_fetch) {
        Unusable("truncated_record", path, offset,
                 absl::StrCat(uri, ": WARC-Truncated ", record.Field("WARC-Truncated")));
        return absl::OkStatus();
      }
      absl::StatusOr<HttpMessage> http = ParseHttpMessage(record.block);
      if (!http.ok()) {
        Unusable(absl::IsDataLoss(http.status()) ? "truncated_record" : "bad_http", path, offset,
                 absl::StrCat(uri, ": ", http.status().message()));
        return absl::OkStatus();
      }
      if (http->status == 0) {
        Unusable("bad_http", path, offset, absl::StrCat(uri, ": not an HTTP response"));
        return absl::OkStatus();
      }
      f.set_status(http->status);
      f.set_content_type(http->Header("Content-Type"));
      f.set_etag(http->Header("ETag"));
      f.set_last_modified(http->Header("Last-Modified"));
      f.set_not_modified(http->status == 304);
      if (!census_fetch && f.error() == FETCH_OK) {
        const int s = http->status;
        if (s == 404 || s == 410)
          f.set_error(HTTP_404);
        else if (s >= 400 && s < 500)
          f.set_error(HTTP_4XX);
        else if (s >= 500)
          f.set_error(HTTP_5XX);
      }
      if (!census_fetch && (IsRedirect(http->status))) {
        f.set_final_url(http->Header("Location"));
      }
      if (type == "revisit") {
        const std::string profile = record.Field("WARC-Profile");
        if (!absl::EndsWith(profile, "/revisit/identical-payload-digest")) {
          Unusable("revisit_other_profile", path, offset,
                   absl::StrCat(uri, ": WARC-Profile ", profile));
          return absl::OkStatus();
        }
        auto it = by_digest_.find(record.Field("WARC-Payload-Digest"));
        if (it == by_digest_.end()) {
          Unusable("revisit_without_original", path, offset,
                   absl::StrCat(uri, ": no response with payload digest ",
                                record.Field("WARC-Payload-Digest"), " came before it"));
          return absl::OkStatus();
        }
        f.set_content_hash(it->second.first);
        f.set_body_bytes(it->second.second);
        ++counts_.from_revisits;
        if (f.kind() == HOMEPAGE || f.kind() == COLUMN) {
          // The page is observed again at this date (its year-less dates, its age).
          absl::StatusOr<std::string> stored = store_.GetBody(f.content_hash());
          if (stored.ok()) body = std::move(*stored);
        }
      } else if (truncated) {
        // census's own record of a body it did not keep: the fetch without it.
        f.set_content_hash(record.Field(kContentHashField));
        if (absl::SimpleAtoi(record.Field(kBodyBytesField), &number)) f.set_body_bytes(number);
      } else if (f.not_modified()) {
        f.set_content_hash(record.Field(kContentHashField));
      } else {
        if (http->cut_short && f.method() != "HEAD") {
          Unusable("truncated_record", path, offset,
                   absl::StrCat(uri, ": body of ", http->body.size(),
                                " bytes, Content-Length says ", http->declared_length));
          return absl::OkStatus();
        }
        body = std::move(http->body);
        f.set_body_bytes(static_cast<int64_t>(body.size()));
        if (!body.empty()) {
          has_body = true;
          f.set_content_hash(ContentHash(body));
          const std::pair<std::string, int64_t> entry{f.content_hash(), f.body_bytes()};
          const std::string claimed = record.Field("WARC-Payload-Digest");
          if (!claimed.empty()) by_digest_[claimed] = entry;
          by_digest_[WarcSha1Digest(body)] = entry;
        }
      }
    }

    if (site.in_store) {
      if (!site.stored_read) {
        RETURN_IF_ERROR(store_.ForEachFetch(
            site_id, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
            [&](const FetchRecord& stored) { site.stored.insert(FetchIdentity(stored)); }));
        site.stored_read = true;
      }
      if (site.stored.contains(FetchIdentity(f))) {
        ++counts_.skipped["fetch already in the store"];
        ++counts_.already_stored;
        return absl::OkStatus();
      }
    }

    ResultBatch batch;
    *batch.mutable_site() = site.site;
    if (!site.written && site.write_columns) {
      for (const Column& c : site.columns) *batch.add_columns() = c;
    }
    *batch.add_fetches() = f;
    if (std::optional<PageObservation> obs = ObservePage(f, body, ColumnOf(site, uri))) {
      *batch.add_observations() = std::move(*obs);
      ++counts_.observed;
    }
    if (has_body && bodies_written_.insert(f.content_hash()).second) {
      PageBody* page = batch.add_bodies();
      page->set_content_hash(f.content_hash());
      page->set_body(std::move(body));
      ++counts_.bodies;
    }
    RETURN_IF_ERROR(store_.Write(batch));
    site.written = true;
    imported_sites_.insert(site_id);
    ++counts_.imported[TaskKind_Name(kind)];
    min_ms_ = std::min(min_ms_, fetched_at_ms);
    max_ms_ = std::max(max_ms_, fetched_at_ms);
    return absl::OkStatus();
  }

  static bool IsRedirect(int status) { return status >= 300 && status < 400 && status != 304; }

  Store& store_;
  const std::string run_id_;
  const bool quiet_;
  absl::Time last_print_;  // a line every 2 s, and one at the end of each file
  std::map<std::string, KnownSite> sites_;
  absl::flat_hash_map<std::string, std::string> by_host_;  // host without www. → site
  // Payload digest (as the record claims it, and as computed) → content hash, size.
  absl::flat_hash_map<std::string, std::pair<std::string, int64_t>> by_digest_;
  absl::flat_hash_set<std::string> bodies_written_;
  std::set<std::string> imported_sites_;
  std::set<std::string> file_as_of_;  // census-as-of of the warcinfo records read
  std::string as_of_;
  int64_t min_ms_ = std::numeric_limits<int64_t>::max();
  int64_t max_ms_ = std::numeric_limits<int64_t>::min();
  ImportCounts counts_;
};

}  // namespace

int RunImportWarc(const std::vector<std::string>& args) {
  std::string data_dir = "census-data", sites_file, columns_file, as_of;
  std::vector<std::string> files;
  bool quiet = false, help = false;
  FlagSet flags;
  flags.String("--data", &data_dir);
  flags.String("--sites", &sites_file);
  flags.String("--columns", &columns_file);
  flags.String("--as-of", &as_of);
  flags.Bool("--quiet", &quiet);
  flags.Operands(&files);
  if (auto st = flags.Parse(args, &help); !st.ok()) return Usage(kImportUsage, "import-warc", st);
  if (help) {
    std::fputs(kImportUsage, stdout);
    return 0;
  }
  if (files.empty()) {
    return Usage(kImportUsage, "import-warc",
                 absl::InvalidArgumentError("name one or more WARC files"));
  }
  absl::CivilDay as_of_day;
  if (!as_of.empty() && !ParseCivilDay(as_of, &as_of_day)) {
    return Usage(kImportUsage, "import-warc",
                 absl::InvalidArgumentError("--as-of wants YYYY-MM-DD, not '" + as_of + "'"));
  }
  auto fail = [](const absl::Status& st) { return Fail("import-warc", st); };
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec)
    return fail(
        absl::UnavailableError(absl::StrCat("cannot create ", data_dir, ": ", ec.message())));
  StoreOptions options;
  options.sync_writes = false;  // a bulk import: one fsync at the end (the run record)
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open((std::filesystem::path(data_dir) / "store-0").string(), options);
  if (!store.ok()) return fail(store.status());

  const absl::Time now = absl::Now();
  const std::string run_id =
      absl::StrCat("import-", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()));
  Importer importer(**store, run_id, quiet);
  std::vector<Site> known;
  if (auto st = (*store)->ForEachSite([&](const Site& s) { known.push_back(s); }); !st.ok()) {
    return fail(st);
  }
  for (const Site& s : known) {
    absl::StatusOr<std::vector<Column>> columns = (*store)->Columns(s.site_id());
    if (!columns.ok()) return fail(columns.status());
    importer.AddSite(s, *columns, false);
    importer.MarkInStore(s.site_id());
  }
  if (!sites_file.empty()) {
    absl::StatusOr<SiteList> list = ReadSitesCsv(sites_file);
    if (!list.ok()) return fail(list.status());
    for (const report::InputError& e : list->errors) {
      std::fprintf(stderr, "census import-warc: %s:%d: %s\n", e.file().c_str(), e.line(),
                   e.reason().c_str());
    }
    for (const Site& s : list->sites) {
      importer.AddSite(s, {}, false);
      known.push_back(s);
    }
  }
  if (!columns_file.empty()) {
    // Columns of the sites known by now (the store's and --sites'): their pages are
    // imported as COLUMN fetches, observed as the census observes a column's page.
    SiteList site_list;
    site_list.sites = known;
    absl::StatusOr<ColumnList> columns = ReadColumnsCsv(columns_file, site_list);
    if (!columns.ok()) return fail(columns.status());
    for (const report::InputError& e : columns->errors) {
      std::fprintf(stderr, "census import-warc: %s:%d: %s\n", e.file().c_str(), e.line(),
                   e.reason().c_str());
    }
    for (const Site& s : known) {
      if (auto it = columns->by_site.find(s.site_id()); it != columns->by_site.end()) {
        importer.AddSite(s, it->second, true);
      }
    }
  }
  for (const std::string& file : files) {
    if (auto st = importer.ImportFile(file); !st.ok()) return fail(st);
  }
  if (auto st = importer.Finish(as_of); !st.ok()) return fail(st);

  const ImportCounts& c = importer.counts();
  int64_t fetches = 0, unusable = 0;
  for (const auto& [kind, n] : c.imported) fetches += n;
  for (const auto& [reason, n] : c.unusable) unusable += n;
  const std::string summary = absl::StrCat(
      "import-warc: ",
      fetches == 0 ? "nothing imported"
                   : absl::StrCat("run ", run_id, " (as of ", importer.as_of(), ")"),
      ": ", fetches, " fetches of ", importer.sites_imported(), " sites imported (",
      Tally(c.imported), "), ", c.bodies, " bodies stored, ", c.observed, " pages observed, ",
      c.from_revisits, " fetches through revisit records\n", "  records read: ", Tally(c.records),
      "\n", "  skipped (not fetches): ", Tally(c.skipped), "\n", "  unusable: ", unusable,
      unusable == 0 ? "" : absl::StrCat(" (", Tally(c.unusable), ")"), "\n");
  std::fputs(summary.c_str(), stdout);
  if (unusable > 0) std::fputs(summary.c_str(), stderr);
  // Nothing usable at all is a failure (wrong files, or sites the store does not know:
  // --sites); some unusable records beside imported ones are reported, not fatal.
  return fetches == 0 && c.already_stored == 0 ? 1 : 0;
}

}  // namespace census
