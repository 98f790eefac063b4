#ifndef CENSUS_AGGREGATOR_AGGREGATOR_H_
#define CENSUS_AGGREGATOR_AGGREGATOR_H_

// Aggregator: turns what one store shard holds into the census report, and writes
// report.json / report.csv / report.html. Reads only (the Store may be read-only).

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "proto/census.pb.h"
#include "proto/report.pb.h"
#include "storage/store.h"

namespace census {

// The rubric as the aggregator uses it: proto/rubric.proto (a text-format file, see
// docs/REPORT.md "Rubric file") validated and resolved into typed rules. A rule the file
// leaves out has enabled = false and is not applied. Windows count back from as_of: an
// item dated D is inside window W when D >= WindowStart(as_of, W).
struct RubricWindow {
  int days = 0;    // exactly one of days / months is > 0 in a valid rule
  int months = 0;  // calendar months, the day clamped (08-31 minus 6 months = 02-28)
};

struct RubricRule {
  bool enabled = false;
  double threshold = 0.0;  // veto: ratio or count; deduction / warning: rule-specific
  RubricWindow window;
  RubricWindow lookback;  // interaction_unanswered: messages submitted within it
  double points = 0.0;    // deductions: per occurrence
  double cap = 0.0;       // deductions: cap of the rule's sum, 0 = none
};

struct CategoryRubric {
  RubricWindow window;  // stale when no item within it
  double points = 0.0;  // columns_not_updated per stale column
};

struct Rubric {
  std::string name;
  std::string description;
  std::string text;         // the text-format file it was parsed from (kept with a run, for replay)
  double fail_below = 0.0;  // score < fail_below fails the site (0 = never)
  std::map<Category, CategoryRubric> categories;
  std::set<Category> should_update;  // long_unupdated
  std::vector<std::string> consultation_exclude;
  std::vector<std::string> online_system_keywords;
  // Vetoes.
  RubricRule site_unreachable, homepage_stale, columns_stale, long_unupdated, blank_columns,
      interaction_unanswered, serious_error;
  // Deductions.
  RubricRule homepage_availability, broken_links_homepage, broken_links_other,
      attachments_unavailable, online_systems_unavailable, homepage_update_volume,
      columns_not_updated, interaction_slow_replies;
  // Deductions of the 2019 功能设计 items IPv6 and HTTPS (docs/REPORT.md "IPv6 and
  // HTTPS"), once each: ipv6.status no_aaaa or unreachable; https.status not_offered;
  // https.status invalid. An unverified check never costs points.
  RubricRule ipv6_unsupported, https_unavailable, certificate_invalid;
  // Early warnings.
  RubricRule warn_unreachable_ratio, warn_homepage_not_updated, warn_blank_columns,
      warn_columns_not_updated;
  // A valid certificate with fewer than `threshold` days to its notAfter.
  RubricRule warn_certificate_expiring;
};

// The first day inside `window` counted back from as_of (as_of - days, or as_of minus
// months calendar months with the day clamped).
absl::CivilDay WindowStart(absl::CivilDay as_of, const RubricWindow& window);

// Parses and validates a text-format census.Rubric (proto/rubric.proto). Errors are
// InvalidArgument and start with `source`: "FILE:3:7: syntax message" for text-format
// errors, "FILE: rule columns_stale: threshold must be >= 1" for invalid rules.
absl::StatusOr<Rubric> ParseRubric(const std::string& text, const std::string& source = "rubric");

// Reads and parses a rubric file (--rubric). NotFound / InvalidArgument naming the file.
absl::StatusOr<Rubric> LoadRubricFile(const std::string& path);

// The built-in gov-2019 rubric (rubrics/gov-2019.textproto compiled into the binary).
const Rubric& DefaultRubric();

// The text of the built-in rubric file.
const std::string& DefaultRubricText();

struct AggregateOptions {
  absl::CivilDay as_of;
  int64_t run_started_ms = 0;   // probes / link checks counted from here
  int64_t run_finished_ms = 0;  // and up to here ("as of T" for observations)
  Rubric rubric = DefaultRubric();
  std::vector<report::InputError> input_errors;
  int pages_fetched = 0;
  // The census's sites. The store keeps the sites of every run on the same data; only
  // these are reported. Empty: every site in the store.
  std::vector<std::string> site_ids;
  // `census serve`'s address as the report's readers reach it (--evidence-base, e.g.
  // "http://127.0.0.1:8080"): each evidence with a snapshot gets its link there
  // (SetEvidenceLinks). "": no links (Evidence.link unset, report.json as before).
  std::string evidence_base;
};

// Where `census serve` at `base` shows an evidence's snapshot: base +
// "/evidence/<site_id>/<snapshot>?at=<YYYYMMDDhhmmss of fetched_at, UTC>" (site id and
// hash percent-encoded; no "?at" without fetched_at). "" when base or the snapshot is.
std::string EvidenceLink(absl::string_view base, absl::string_view site_id,
                         const report::Evidence& evidence);
// Sets (or clears, where EvidenceLink is "") every evidence's link of `site`.
void SetEvidenceLinks(absl::string_view base, report::SiteReport* site);

absl::StatusOr<report::CensusReport> Aggregate(Store& store, const AggregateOptions& options);

// Aggregate without holding the whole report (a national census is ~40 KB of report
// protos a site): calls `on_site` from the calling thread with each site's report, in
// site_id order (that of Aggregate's report.sites; `on_site` may move or swap it
// away), and returns the census summary. A non-OK status from `on_site` stops it.
// Aggregate is this, collecting the sites.
absl::StatusOr<report::CensusSummary> AggregateEach(
    Store& store, const AggregateOptions& options,
    const std::function<absl::Status(report::SiteReport& site)>& on_site);

// One site's part of each report file (ReportWriter::Render).
struct RenderedSite {
  int64_t index = -1;  // the site's place in the report, 0 for the first
  // jsonl: report.jsonl's line, the site's object on one line and "\n"; report.json holds
  // the same object (without the newline) as an element of its "sites".
  std::string jsonl, csv, html;
};

// AggregateEach, each site's report text rendered (ReportWriter::Render) on the
// aggregation threads as well: `on_site` gets the site and its text, for
// ReportWriter::Add(site, rendered). Rendering the reports takes as long as aggregating;
// this way both spread over the cores and the calling thread only writes.
absl::StatusOr<report::CensusSummary> AggregateEachRendered(
    Store& store, const AggregateOptions& options,
    const std::function<absl::Status(report::SiteReport& site, const RenderedSite& rendered)>&
        on_site);

namespace report_parts {
class HtmlNotice;
}

// Writes report.json, report.jsonl (one site a line: the objects of report.json's
// "sites", for tools that stream), report.csv, report.html and the region pages
// (regions/*.html) into a folder as the sites arrive (from AggregateEach's callback), holding
// only the notice's counters, its failing-sites tables and where each site's section is in
// memory: a national census does not fit in memory as one CensusReport. The files are the same,
// byte for byte, as ReportToJson / ReportToCsv / ReportToHtml / ReportToRegionHtml of the whole
// report. Sites go to temporary "*.partial" files (the pages to "regions.partial/") beside the
// reports; the reports appear under their names only when Finish succeeds (an unfinished writer
// removes its partial files; "regions/" is replaced whole, so no page of an earlier report stays),
// so a failed run never leaves half a report. One thread at a time.
class ReportWriter {
 public:
  // Creates `out_dir` if missing. `as_of` (YYYY-MM-DD) is the census's.
  static absl::StatusOr<std::unique_ptr<ReportWriter>> Open(const std::string& out_dir,
                                                            const std::string& as_of);
  ~ReportWriter();
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;

  // The next site, in report (site_id) order.
  absl::Status Add(const report::SiteReport& site);
  // The same with the site's text already rendered (by Render, on any thread);
  // rendered.index must be the number of sites added before.
  absl::Status Add(const report::SiteReport& site, const RenderedSite& rendered);
  // The site's part of each file when it is the report's index-th site (0 for the first).
  // Thread-safe: depends on nothing but its arguments.
  static absl::Status Render(const report::SiteReport& site, int64_t index, RenderedSite* out);
  // Writes the summary and the closing parts, and renames the reports into place.
  absl::Status Finish(const report::CensusSummary& census);

  // The sites' HTML sections, which the region pages are cut from at Finish, stay in
  // memory up to this many bytes (1.7 GB at 100,000 sites × 100 columns); past it they
  // all go to a side file (report.html.sites.partial) and are copied from there. In
  // memory they are kept in chunks of `chunk_bytes`. Set before the first Add (tests set
  // both small).
  static constexpr uint64_t kSectionsInMemoryUpTo = uint64_t{2} << 30;
  void set_sections_in_memory_up_to(uint64_t bytes, size_t chunk_bytes = size_t{64} << 20) {
    sections_in_memory_up_to_ = bytes;
    section_chunk_bytes_ = chunk_bytes;
  }

 private:
  class File;
  ReportWriter(std::filesystem::path dir, const std::string& as_of);
  // Each region's page into regions.partial/, its sections from memory or copied from
  // html_sections_.
  absl::Status WriteRegionPages(const report::CensusSummary& census);
  // Keeps `section` (at offset sections_bytes_) in memory, or in html_sections_ once the
  // sections outgrow sections_in_memory_up_to_ (those in memory are written out first).
  void KeepSection(absl::string_view section);
  // regions.partial/ becomes regions/ (the previous one removed).
  absl::Status RenameRegionPages();
  std::filesystem::path dir_;
  std::unique_ptr<report_parts::HtmlNotice> html_;
  std::unique_ptr<File> json_, csv_, html_sections_, jsonl_;
  // report.html's site sections while the census is small enough to hold them
  // (HtmlNotice::kInlineSitesUpTo), else empty.
  std::string inline_sections_;
  RenderedSite rendered_;  // reused by Add(site)
  // Where each region's sections are among all sections (in html_sections_ once it holds
  // them, else in section_chunks_): one (offset, length) a site.
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> region_sections_;
  uint64_t sections_bytes_ = 0;
  uint64_t sections_in_memory_up_to_ = kSectionsInMemoryUpTo;
  size_t section_chunk_bytes_ = size_t{64} << 20;
  bool sections_in_file_ = false;
  // The sections in memory, in chunks (none is ever reallocated, so a national census
  // never copies gigabytes to grow): chunk i holds [chunk_starts_[i], + size). A section
  // is never split between chunks.
  std::vector<std::string> section_chunks_;
  std::vector<uint64_t> chunk_starts_;
  int64_t sites_ = 0;
  bool finished_ = false;
};

// Writes report.json, report.jsonl, report.csv, report.html and regions/ into `out_dir`
// (created if missing): ReportWriter over every site of `report`.
absl::Status WriteReports(const report::CensusReport& report, const std::string& out_dir);

// report.json text (proto field names kept, defaults printed).
absl::StatusOr<std::string> ReportToJson(const report::CensusReport& report);

// One site's line of report.jsonl: the site's object exactly as report.json's "sites"
// holds it, the whitespace between tokens removed, then "\n".
absl::StatusOr<std::string> SiteToJsonLine(const report::SiteReport& site);

// Parses report.json text back (unknown fields ignored): for merging shard reports
// and for replay.
absl::StatusOr<report::CensusReport> ReportFromJson(const std::string& json);

// report.csv text: UTF-8 with BOM, RFC 4180 (CRLF, quoted when needed), one row a
// site under the header
// site_id,name,url,region,level,verdict,score,probes,probe_failures,
// homepage_last_update,stale_columns,blank_columns,broken_links,site_unreachable,
// homepage_stale,columns_stale,blank_columns_veto (veto columns are 1 or 0).
std::string ReportToCsv(const report::CensusReport& report);

// report.html text: the readable census notice (self-contained HTML5, inline CSS/SVG).
// Up to 500 sites it holds every site's findings; above, the national summary only (the
// sites are on the region pages). docs/REPORT.md "report.html and the region pages".
std::string ReportToHtml(const report::CensusReport& report);

// The region pages: one per region of the report's sites, keyed by RegionPagePath (a
// path relative to report.html), each that region's figures, failing sites and every
// site's findings as report.html shows them.
std::map<std::string, std::string> ReportToRegionHtml(const report::CensusReport& report);

// A region's page name, safe as a file name on any file system and as a URL path
// segment: ASCII lower-case letters, digits and '-' are kept, every other byte is "_XX"
// (upper-case hex), so "420100" stays "420100" and "湖北" is "_E6_B9_96_E5_8C_97"; sites
// without a region are "_unassigned". Distinct regions get distinct names, also when
// letter case is ignored. A name over 200 bytes keeps its start and a hash of the whole.
std::string RegionSlug(const std::string& region);
// The file of page `page` (0 first) of the region whose slug is `slug`: SLUG.html, then
// SLUG.p2.html, SLUG.p3.html ... (a slug has no '.', so no two regions' pages meet).
std::string RegionPageFile(const std::string& slug, int page = 0);
// "regions/" + RegionPageFile(RegionSlug(region), page).
std::string RegionPagePath(const std::string& region, int page = 0);
// A region with more failing sites than a page holds lists them in SLUG.failed.html.
std::string RegionFailedFile(const std::string& slug);
// "regions/" + RegionFailedFile(RegionSlug(region)).
std::string RegionFailedPath(const std::string& region);

// Merges the reports of several shards (each aggregated its own sites) into one:
// sites concatenated and sorted by site_id, counts summed, started = earliest,
// finished = latest, pages_fetched summed, input errors concatenated. as_of and
// rubric are taken from the first report.
report::CensusReport MergeReports(const std::vector<report::CensusReport>& reports);

}  // namespace census

#endif  // CENSUS_AGGREGATOR_AGGREGATOR_H_
