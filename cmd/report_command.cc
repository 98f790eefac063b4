#include "cmd/report_command.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "aggregator/aggregator.h"
#include "aggregator/site_verdict.h"
#include "cmd/flags.h"
#include "cmd/replay_command.h"
#include "common/status_macros.h"

namespace census {

const char kReportUsage[] =
    "usage: census report --data DIR --run RUN_ID (--site SITE_ID | --region REGION) [--json]\n"
    "  prints one site's or one region's findings of a stored census (census replay --data DIR\n"
    "  --list shows the runs), aggregated from the store for those sites only; no report file\n"
    "  is written. REGION is a region as sites.csv has it (\"\" for sites without one) or its\n"
    "  page's name (regions/NAME.html, e.g. _unassigned).\n"
    "  --json  one line a site, each the object of report.json's \"sites\" (as report.jsonl)\n";

namespace {

struct ReportArgs {
  std::string data_dir;
  std::string run_id;
  std::string site_id;
  std::string region;
  bool region_given = false;  // --region "" asks for the sites without one
  bool json = false;
};

int Fail(const std::string& message, int status = 1) {
  std::fprintf(stderr, "census report: %s\n", message.c_str());
  return status;
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "census report: %s\n\n%s", message.c_str(), kReportUsage);
  return 2;
}

// At most `max` of `names`, then how many more.
std::string Some(const std::vector<std::string>& names, size_t max) {
  std::vector<std::string> shown(names.begin(),
                                 names.begin() + static_cast<long>(std::min(max, names.size())));
  std::string text = absl::StrJoin(shown, ", ");
  if (names.size() > max) absl::StrAppend(&text, ", … (", names.size(), " in all)");
  return text;
}

std::string RegionText(const std::string& region) {
  return region.empty() ? std::string("\"\" (unassigned)") : region;
}

struct Selection {
  std::vector<std::string> site_ids;  // in site_id order
  std::string region;                 // --region: the region as the sites have it
};

// The run's sites that were asked for; NotFound naming what exists.
absl::StatusOr<Selection> SelectSites(Store& store, const RunRecord& run, const ReportArgs& args) {
  const std::set<std::string> in_run(run.site_ids().begin(), run.site_ids().end());
  if (!args.site_id.empty()) {
    if (in_run.count(args.site_id) == 0) {
      return absl::NotFoundError(absl::StrCat(
          "no site '", args.site_id, "' in run ", run.run_id(), "; its ", in_run.size(),
          " sites: ", Some(std::vector<std::string>(in_run.begin(), in_run.end()), 20)));
    }
    return Selection{{args.site_id}, ""};
  }
  // The region a report gives a site is its record's in the store (AggregateSite copies
  // it), so the sites are chosen by the same record.
  std::map<std::string, std::vector<std::string>> by_region;
  RETURN_IF_ERROR(store.ForEachSite([&](const Site& site) {
    if (in_run.count(site.site_id()) > 0) by_region[site.region()].push_back(site.site_id());
  }));
  auto found = by_region.find(args.region);
  if (found == by_region.end()) {  // the page's name, e.g. _unassigned
    for (auto it = by_region.begin(); it != by_region.end(); ++it) {
      if (RegionSlug(it->first) == args.region) found = it;
    }
  }
  if (found == by_region.end()) {
    std::vector<std::string> regions;
    for (const auto& [region, sites] : by_region) {
      regions.push_back(absl::StrCat(RegionText(region), " (", sites.size(), ")"));
    }
    return absl::NotFoundError(absl::StrCat("no region '", args.region, "' in run ", run.run_id(),
                                            "; its regions (sites): ", Some(regions, 30)));
  }
  Selection selection{found->second, found->first};
  std::sort(selection.site_ids.begin(), selection.site_ids.end());
  return selection;
}

// ------------------------------------------------------------ text

void PrintSite(const report::SiteReport& site) {
  std::printf("%s %s: %s, score %.1f\n", site.site_id().c_str(), site.name().c_str(),
              site.verdict().c_str(), site.score());
  std::printf("  url %s", site.url().c_str());
  if (!site.region().empty()) std::printf(" · region %s", site.region().c_str());
  if (!site.level().empty()) std::printf(" · level %s", site.level().c_str());
  if (!site.org().empty()) std::printf(" · org %s", site.org().c_str());
  std::printf("\n");
  for (const report::Veto& v : site.vetoes()) {
    std::printf("  veto %s: %s\n", v.rule().c_str(), v.detail().c_str());
  }
  for (const report::EarlyWarning& w : site.early_warnings()) {
    std::printf("  warning %s: %s\n", w.rule().c_str(), w.detail().c_str());
  }
  for (const report::Deduction& d : site.deductions()) {
    std::printf("  deduction %s -%.2f: %s\n", d.rule().c_str(), d.points(), d.detail().c_str());
  }
  const report::Reachability& reach = site.reachability();
  std::printf("  reachability: %d probes, %d failed (%.1f%%)", reach.probes(), reach.failures(),
              reach.failure_ratio() * 100.0);
  for (const report::ProbeFailures& f : reach.failures_by_error()) {
    std::printf(" · %s ×%d", f.error().c_str(), f.count());
  }
  std::printf("\n");
  const report::Homepage& home = site.homepage();
  std::printf("  homepage: last update %s, %d updates in window%s",
              home.last_update().empty() ? "none" : home.last_update().c_str(),
              home.updates_in_window(), home.navigation_only() ? " (navigation only)" : "");
  if (!home.fetch_error().empty()) std::printf(", fetch failed: %s", home.fetch_error().c_str());
  std::printf("\n");
  int stale = 0, blank = 0;
  for (const report::ColumnReport& c : site.columns()) {
    stale += c.stale() ? 1 : 0;
    blank += c.blank() ? 1 : 0;
  }
  std::printf("  columns: %d (%d stale, %d blank)\n", site.columns_size(), stale, blank);
  for (const report::ColumnReport& c : site.columns()) {
    const std::vector<std::string> state = ColumnProblems(c);
    if (state.empty()) continue;  // the healthy ones are in --json
    std::printf("    %s (%s) %s: last update %s, %s\n", c.name().c_str(), c.category().c_str(),
                c.url().c_str(), c.last_update().empty() ? "none" : c.last_update().c_str(),
                absl::StrJoin(state, ", ").c_str());
  }
  const report::Links& links = site.links();
  std::printf("  links: %d checked, %d broken (%d confirmed, %d suspected)\n", links.checked(),
              links.broken_size(), links.confirmed(), links.suspected());
  for (const report::BrokenLink& b : links.broken()) {
    std::printf("    %s %s%s on %s%s\n", b.url().c_str(), b.error().c_str(),
                b.status() != 0 ? absl::StrCat(" ", b.status()).c_str() : "", b.found_on().c_str(),
                b.on_homepage() ? " (homepage)" : "");
  }
  const report::Interaction& inter = site.interaction();
  if (inter.messages() > 0 || inter.unanswered_over_3_months() > 0) {
    std::printf("  interaction: %d messages, %d answered, %d unanswered over 3 months\n",
                inter.messages(), inter.answered(), inter.unanswered_over_3_months());
  }
  for (const report::ContentFinding& f : site.content()) {
    std::printf("  content %s %s: %s\n", f.kind().c_str(), f.url().c_str(), f.detail().c_str());
  }
  for (const report::Evidence& e : site.evidence()) {
    std::printf("  evidence %s %s fetched %s snapshot %s\n", e.finding().c_str(), e.url().c_str(),
                e.fetched_at().empty() ? "—" : e.fetched_at().c_str(),
                e.snapshot().empty() ? "—" : e.snapshot().c_str());
  }
}

}  // namespace

int RunReportCommand(const std::vector<std::string>& argv) {
  ReportArgs args;
  FlagSet flags;
  flags.String("--data", &args.data_dir);
  flags.String("--run", &args.run_id);
  flags.String("--site", &args.site_id);
  flags.String("--region", &args.region);
  flags.Bool("--json", &args.json);
  bool help = false;
  if (absl::Status st = flags.Parse(argv, &help); !st.ok()) {
    return UsageError(std::string(st.message()));
  }
  if (help) {
    std::fputs(kReportUsage, stdout);
    return 0;
  }
  for (size_t i = 0; i < argv.size(); ++i) args.region_given |= argv[i] == "--region";
  if (args.data_dir.empty()) return UsageError("--data is required");
  if (args.run_id.empty()) return UsageError("--run is required");
  if (args.site_id.empty() == !args.region_given) {
    return UsageError("give one of --site SITE_ID or --region REGION");
  }

  auto store = OpenRunStore(args.data_dir);
  if (!store.ok()) return Fail(std::string(store.status().message()));
  auto run = FindRun(**store, args.data_dir, args.run_id);
  if (!run.ok()) return Fail(std::string(run.status().message()));
  auto rubric = ParseRubric(run->rubric_text(), "the run's rubric");
  if (!rubric.ok()) return Fail(std::string(rubric.status().message()));
  auto sites = SelectSites(**store, *run, args);
  if (!sites.ok()) return Fail(std::string(sites.status().message()));

  // The run's report, as census run and census replay aggregate it (the run's window,
  // rubric and input errors), of the chosen sites only: a site's report depends on its own
  // records and the run, never on the other sites, so it is the same as in report.json.
  auto options = AggregateOptionsForRun(*run, *rubric);
  if (!options.ok()) return Fail(std::string(options.status().message()));
  options->site_ids = sites->site_ids;
  if (!args.json) {
    std::printf("census %s, run %s, rubric %s", run->as_of().c_str(), run->run_id().c_str(),
                rubric->name.c_str());
    if (args.site_id.empty()) {
      std::printf("; region %s (%s), %zu sites", RegionText(sites->region).c_str(),
                  RegionPagePath(sites->region).c_str(), sites->site_ids.size());
    }
    std::printf("\n");
  }
  auto summary = AggregateEach(**store, *options, [&](report::SiteReport& site) {
    if (args.json) {
      ASSIGN_OR_RETURN(std::string line, SiteToJsonLine(site));
      std::fwrite(line.data(), 1, line.size(), stdout);
    } else {
      std::printf("\n");
      PrintSite(site);
    }
    return absl::OkStatus();
  });
  if (!summary.ok()) return Fail(std::string(summary.status().message()));
  if (!args.json && args.site_id.empty()) {
    std::printf("\nregion %s: %d sites, %d failed (%d unreachable), %d passed\n",
                RegionText(sites->region).c_str(), summary->sites(), summary->failed(),
                summary->unreachable(), summary->passed());
  }
  return 0;
}

}  // namespace census
