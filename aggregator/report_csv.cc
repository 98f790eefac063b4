// report.csv: one row a site, RFC 4180, UTF-8 with a BOM (so Excel reads Chinese).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "aggregator/aggregator.h"
#include "aggregator/internal/report_parts.h"

namespace census {
namespace {

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  return absl::StrCat("\"", absl::StrReplaceAll(value, {{"\"", "\"\""}}), "\"");
}

bool HasVeto(const report::SiteReport& site, const std::string& rule) {
  for (const report::Veto& veto : site.vetoes()) {
    if (veto.rule() == rule) return true;
  }
  return false;
}

}  // namespace

namespace report_parts {

std::string CsvHead() {
  return "\xEF\xBB\xBF"
         "site_id,name,url,region,level,verdict,score,probes,probe_failures,"
         "homepage_last_update,stale_columns,blank_columns,broken_links,site_unreachable,"
         "homepage_stale,columns_stale,blank_columns_veto,probe_failure_reasons,"
         "ipv6_aaaa,ipv6_status,ipv6_probes,ipv6_failures,https_status,https_offered,"
         "certificate_error,certificate_days_to_expiry,tls_version\r\n";
}

// "timeout:3;http_5xx:2": the failed probes by error class.
std::string ProbeFailureReasons(const report::Reachability& reach) {
  std::vector<std::string> parts;
  for (const report::ProbeFailures& f : reach.failures_by_error()) {
    parts.push_back(absl::StrCat(f.error(), ":", f.count()));
  }
  return absl::StrJoin(parts, ";");
}

std::string CsvRow(const report::SiteReport& site) {
  int stale = 0;
  int blank = 0;
  for (const report::ColumnReport& column : site.columns()) {
    if (column.stale()) ++stale;
    if (column.blank()) ++blank;
  }
  std::vector<std::string> row = {
      CsvField(site.site_id()),
      CsvField(site.name()),
      CsvField(site.url()),
      CsvField(site.region()),
      CsvField(site.level()),
      CsvField(site.verdict()),
      absl::StrFormat("%.1f", site.score()),
      absl::StrCat(site.reachability().probes()),
      absl::StrCat(site.reachability().failures()),
      CsvField(site.homepage().last_update()),
      absl::StrCat(stale),
      absl::StrCat(blank),
      absl::StrCat(site.links().broken_size()),
      HasVeto(site, "site_unreachable") ? "1" : "0",
      HasVeto(site, "homepage_stale") ? "1" : "0",
      HasVeto(site, "columns_stale") ? "1" : "0",
      HasVeto(site, "blank_columns") ? "1" : "0",
      CsvField(ProbeFailureReasons(site.reachability())),
      CsvField(site.ipv6().aaaa()),
      CsvField(site.ipv6().status()),
      absl::StrCat(site.ipv6().probes()),
      absl::StrCat(site.ipv6().failures()),
      CsvField(site.https().status()),
      site.https().offered() ? "1" : "0",
      CsvField(site.https().certificate_error()),
      // Empty when no certificate was seen (0 would read as "expires today").
      site.https().certificate_expires().empty() ? std::string()
                                                 : absl::StrCat(site.https().days_to_expiry()),
      CsvField(site.https().tls_version()),
  };
  return absl::StrCat(absl::StrJoin(row, ","), "\r\n");
}

}  // namespace report_parts

std::string ReportToCsv(const report::CensusReport& report) {
  std::string out = report_parts::CsvHead();
  for (const report::SiteReport& site : report.sites()) out += report_parts::CsvRow(site);
  return out;
}

}  // namespace census
