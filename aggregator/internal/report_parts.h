#ifndef CENSUS_AGGREGATOR_INTERNAL_REPORT_PARTS_H_
#define CENSUS_AGGREGATOR_INTERNAL_REPORT_PARTS_H_

// The report files in pieces, so that they can be written as sites stream out of the
// aggregator (ReportWriter) and built whole from a CensusReport (ReportToJson, ReportToCsv,
// ReportToHtml) with the same bytes either way. Private to aggregator/.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/report.pb.h"

namespace census::report_parts {

// ------------------------------------------------------------ report.json
// ReportToJson(report) == JsonHead() + JsonSite(s1, true) + JsonSite(s2, false) + ...
//                         + JsonTail(&census, any_site).
// The census summary comes after the sites (docs/REPORT.md): it is known only when the
// last site is, and a streaming writer then writes every byte of the file once.

std::string JsonHead();
// One element of "sites" as it stands in the whole report: JsonSiteSeparator(first) and the
// site's object on one line (the text of its report.jsonl line); `first` is the first
// element (no separating comma before it).
absl::StatusOr<std::string> JsonSite(const report::SiteReport& site, bool first);
// The same appended to *json.
absl::Status AppendJsonSite(const report::SiteReport& site, bool first, std::string* json);
const char* JsonSiteSeparator(bool first);
// report.jsonl's line for a site appended to *line: the object on one line and "\n" (the
// render threads reuse one string's capacity a site).
absl::Status AppendJsonSiteLine(const report::SiteReport& site, std::string* line);
// The end of "sites" and the "census" member (left out when `census` is null, as for a
// CensusReport without one).
absl::StatusOr<std::string> JsonTail(const report::CensusSummary* census, bool any_site);
// A JSON value's text on one line: without a leading separating comma and the whitespace
// between tokens, and a newline (strings are copied as they are).
std::string JsonLine(absl::string_view json_site);
// The same appended to *line (which is not cleared).
void AppendJsonLine(absl::string_view json_site, std::string* line);

// ------------------------------------------------------------ report.csv

std::string CsvHead();  // the BOM and the header row
std::string CsvRow(const report::SiteReport& site);

// ------------------------------------------------------------ report.html

// The census notice, fed one site at a time. It keeps what the summary, the charts and
// the failing-sites tables need (counters by rule, region and level, the 40 longest bars
// of each chart, one table row a failing site); each site's own section is appended to
// the caller's string as it is added, so the caller decides whether the sections stay in
// memory or go to a file.
// report.html is Head() + (SitesInline() ? every section : nothing) + Tail(). A region R
// of Regions() has RegionPages(R) pages: page p (0 first, at RegionPagePath(R, p)) is
// RegionHead(R, p) + the sections of R's sites [p * kRegionSitesPerPage, (p + 1) *
// kRegionSitesPerPage) in report order + RegionTail(R, p).
class HtmlNotice {
 public:
  // Up to this many sites report.html holds every site's section itself (a notice a
  // browser opens); above it only the summary, the sites being on the region pages.
  static constexpr int kInlineSitesUpTo = 500;
  // A region page holds at most this many site sections: the region's first page its
  // figures, its failing sites (linked to whichever page holds each) and the first ones,
  // the next pages the rest, so every page opens in a browser at once whatever the
  // region's size (docs/REPORT.md).
  static constexpr int kRegionSitesPerPage = 100;

  // `as_of` (YYYY-MM-DD, the census's) dates the "days since the homepage was updated".
  explicit HtmlNotice(const std::string& as_of);
  ~HtmlNotice();
  HtmlNotice(const HtmlNotice&) = delete;
  HtmlNotice& operator=(const HtmlNotice&) = delete;

  // `site` must come in report order; its section is appended to *section.
  // AddSite(site, section) == Count(site) + Section(site, sites counted, section).
  void AddSite(const report::SiteReport& site, std::string* section);
  // What the summary, the charts and the failing-sites table keep of the next site.
  void Count(const report::SiteReport& site);
  // The site's own section, numbered `number` (1 for the first site); depends on nothing
  // else, so sections can be rendered on several threads.
  static void Section(const report::SiteReport& site, int64_t number, std::string* section);
  // Everything before the first site section, given the census summary.
  std::string Head(const report::CensusSummary& census) const;
  // Everything after the last site section.
  std::string Tail(const report::CensusSummary& census) const;

  // Whether report.html holds the sites counted so far (at most kInlineSitesUpTo).
  bool SitesInline() const;
  // The regions of the sites counted so far, sorted ("" for sites without one).
  std::vector<std::string> Regions() const;
  // How many pages region R's sites fill (0 for a region no site had).
  int RegionPages(const std::string& region) const;
  // Page `page` of a region before its first site section: on the first page the region's
  // figures and its failing sites, on every page of several the pager.
  std::string RegionHead(const std::string& region, const report::CensusSummary& census,
                         int page = 0) const;
  // A region page's part after its last site section (the pager again, when several).
  std::string RegionTail(const std::string& region, int page = 0) const;
  // A region with more failing sites than kRegionSitesPerPage lists them on a page of
  // their own (RegionFailedPath), linked from its first page; "" for other regions.
  std::string RegionFailedPage(const std::string& region,
                               const report::CensusSummary& census) const;

 private:
  // The failing-sites table of the given rows (indexes into the failing rows), numbered
  // from 1; a sentence when there are none.
  // `region_slug`: on a region's first page, rows of sites on its later pages link there.
  // `from_elsewhere`: the table is on a page of its own, so every row links to a file.
  void FailingTable(std::string* out, const std::vector<size_t>& rows,
                    const std::string& region_slug = "", bool from_elsewhere = false) const;
  // The region's failing rows (empty when none).
  const std::vector<size_t>& FailingRows(const std::string& region) const;
  // The start of a region's pages: the document head and the region's header.
  std::string RegionPageStart(const std::string& region, const report::CensusSummary& census,
                              const std::string& title_suffix) const;
  std::string Pager(const std::string& region, int page) const;

  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace census::report_parts

#endif  // CENSUS_AGGREGATOR_INTERNAL_REPORT_PARTS_H_
