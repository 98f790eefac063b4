#include "cmd/reextract.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "aggregator/aggregator.h"
#include "aggregator/report_diff.h"
#include "cmd/replay_command.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "worker/extract.h"
#include "worker/observe.h"

namespace census {
namespace {

// Pages whose observation holds more than the stored body shows: the worker read later
// list pages, a data URL or a rendered page (none of them stored), so re-reading the
// body alone would lose items the census saw.
bool ReadBeyondBody(const PageObservation& obs) {
  return obs.list_pages() > 1 || obs.list_source() == "data_url" ||
         obs.list_source() == "rendered" || obs.render() == "rendered";
}

// The census day year-less dates of a page fetched at `t` resolve against: that of the
// run whose window holds the fetch (the worker's lease carried it), else the day itself.
absl::CivilDay AsOfAt(const std::vector<RunRecord>& runs, int64_t t) {
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    absl::CivilDay day;
    if (it->started_ms() <= t && t <= it->finished_ms() && ParseCivilDay(it->as_of(), &day)) {
      return day;
    }
  }
  return ToCensusDay(absl::FromUnixMillis(t));
}

std::string Comparable(PageObservation obs) {
  obs.clear_extractor_version();
  return obs.SerializeAsString();
}

}  // namespace

absl::StatusOr<SiteReextraction> ReextractSite(Store& store, const RunRecord& run,
                                               const std::vector<RunRecord>& runs,
                                               const std::string& site_id,
                                               const LexiconScanner* scanner) {
  // Each page fetch's final URL and content type (what the worker extracted with), by
  // kind, URL and time; and a body's content type by its hash, for a 304's observation
  // (its own record has none).
  struct PageFetch {
    std::string final_url;
    std::string content_type;
  };
  auto fetch_key = [](int kind, absl::string_view url, int64_t t) {
    return absl::StrCat(kind, std::string(1, '\0'), url, std::string(1, '\0'), t);
  };
  absl::flat_hash_map<std::string, PageFetch> fetches;
  absl::flat_hash_map<std::string, std::string> type_of_body;
  RETURN_IF_ERROR(
      store.ForEachFetch(site_id, INT64_MIN, run.finished_ms(), [&](const FetchRecord& r) {
        if (r.kind() != HOMEPAGE && r.kind() != COLUMN) return;
        fetches[fetch_key(r.kind(), r.url(), r.fetched_at_ms())] = {r.final_url(),
                                                                    r.content_type()};
        if (!r.content_hash().empty() && !r.content_type().empty()) {
          type_of_body.emplace(r.content_hash(), r.content_type());
        }
      }));

  SiteReextraction result;
  std::vector<PageObservation> changed;
  std::unique_ptr<Store::Reader> reader = store.NewReader();
  RETURN_IF_ERROR(reader->ForEachObservationHistory(
      site_id, run.finished_ms(),
      [&](const std::vector<const PageObservation*>& history) -> absl::Status {
        for (const PageObservation* stored : history) {
          const PageObservation& old = *stored;
          if (old.content_hash().empty() || ReadBeyondBody(old) ||
              (old.kind() != HOMEPAGE && old.kind() != COLUMN)) {
            ++result.kept;
            continue;
          }
          absl::StatusOr<std::string> body = store.GetBody(old.content_hash());
          if (!body.ok()) {
            ++result.kept;
            continue;
          }
          const auto fetch = fetches.find(fetch_key(old.kind(), old.url(), old.fetched_at_ms()));
          std::string content_type;
          ExtractOptions eo;
          eo.base_url = old.url();
          if (fetch != fetches.end()) {
            if (!fetch->second.final_url.empty()) eo.base_url = fetch->second.final_url;
            content_type = fetch->second.content_type;
          }
          if (content_type.empty()) {
            if (auto type = type_of_body.find(old.content_hash()); type != type_of_body.end()) {
              content_type = type->second;
            }
          }
          eo.as_of = AsOfAt(runs, old.fetched_at_ms());
          eo.list_xpath = old.column().xpath();
          eo.column_page = old.kind() == COLUMN;
          eo.measure_own_text = old.kind() == HOMEPAGE;
          absl::StatusOr<PageExtract> page = ExtractPage(*body, content_type, eo);
          if (!page.ok()) {
            ++result.kept;
            continue;
          }
          PageObservation fresh;
          const ObservedPage observed =
              ObservePage(old.site_id().empty() ? site_id : old.site_id(), old.kind(), old.url(),
                          old.has_column() ? &old.column() : nullptr, *page, old.fetched_at_ms(),
                          old.content_hash(), scanner, &fresh);
          // What fetching decided stays: the list page the pager bound left unread, and a
          // rendered look (none can be had without fetching).
          fresh.set_next_page(old.next_page());
          if (observed.render_wanted) {
            if (old.render() == "unavailable" || old.render() == "failed") {
              fresh.set_render(old.render());
              fresh.set_render_detail(old.render_detail());
            } else {
              fresh.set_render("unavailable");
              fresh.set_render_detail("re-extracted from the stored page: no rendered look");
            }
          }
          ++result.pages;
          if (Comparable(fresh) != Comparable(old)) {
            ++result.changed;
            changed.push_back(std::move(fresh));
          }
        }
        return absl::OkStatus();
      }));
  RETURN_IF_ERROR(store.PutReextracted(run.run_id(), kExtractorVersion, site_id, changed));
  return result;
}

int Reextract(const std::string& data_dir, const std::string& run_id,
              const std::string& rubric_file, const std::string& lexicon_file,
              const std::string& out_dir, int limit) {
  auto fail = [](absl::string_view message, int status = 1) {
    std::fprintf(stderr, "census replay: %.*s\n", static_cast<int>(message.size()), message.data());
    return status;
  };
  absl::StatusOr<std::unique_ptr<LexiconScanner>> scanner = LoadLexiconScanner(lexicon_file);
  if (!scanner.ok()) return fail(scanner.status().message(), 2);
  RunRecord run;
  absl::StatusOr<Rubric> rubric;
  {
    // Writable: the re-extracted observations and the progress go into the store.
    absl::StatusOr<std::unique_ptr<Store>> store = OpenRunStore(data_dir, /*writable=*/true);
    if (!store.ok()) return fail(store.status().message());
    absl::StatusOr<RunRecord> found = FindRun(**store, data_dir, run_id);
    if (!found.ok()) return fail(found.status().message());
    run = *std::move(found);
    rubric = rubric_file.empty() ? ParseRubric(run.rubric_text(), "the run's rubric")
                                 : LoadRubricFile(rubric_file);
    if (!rubric.ok()) return fail(rubric.status().message(), 2);
    std::vector<RunRecord> runs;
    if (auto st = (*store)->ForEachRun([&](const RunRecord& r) { runs.push_back(r); }); !st.ok()) {
      return fail(st.message());
    }

    const absl::Time started = absl::Now();
    absl::Time last_print = absl::InfinitePast();
    int done_before = 0, done_now = 0;
    SiteReextraction total;
    const int sites = run.site_ids_size();
    auto progress = [&](bool final_line) {
      std::fprintf(stderr,
                   "census replay: re-extract (extractor %d) of run %s: %d of %d sites done (%d "
                   "before), %d pages re-extracted, %d changed, %d kept as stored, %.1fs%s\n",
                   kExtractorVersion, run.run_id().c_str(), done_before + done_now, sites,
                   done_before, total.pages, total.changed, total.kept,
                   absl::ToDoubleSeconds(absl::Now() - started), final_line ? "" : " ...");
    };
    for (const std::string& site_id : run.site_ids()) {
      absl::StatusOr<bool> done = (*store)->ReextractDone(run.run_id(), kExtractorVersion, site_id);
      if (!done.ok()) return fail(done.status().message());
      if (*done) {
        ++done_before;
        continue;
      }
      if (limit > 0 && done_now >= limit) {
        progress(false);
        std::fprintf(stderr,
                     "census replay: stopped after %d sites (--reextract-limit); the same "
                     "command goes on where this one stopped\n",
                     done_now);
        return 3;
      }
      absl::StatusOr<SiteReextraction> site =
          ReextractSite(**store, run, runs, site_id, scanner->get());
      if (!site.ok()) return fail(absl::StrCat("site ", site_id, ": ", site.status().message()));
      ++done_now;
      total.pages += site->pages;
      total.changed += site->changed;
      total.kept += site->kept;
      if (absl::Now() - last_print >= absl::Seconds(2)) {
        last_print = absl::Now();
        progress(false);
      }
    }
    progress(true);
  }

  // The run's report as stored against the report as re-extracted (read-only views of
  // the same store, one reading the re-extracted observations in place of the old).
  absl::StatusOr<std::unique_ptr<Store>> before = OpenRunStore(data_dir);
  if (!before.ok()) return fail(before.status().message());
  absl::StatusOr<std::unique_ptr<Store>> after =
      OpenRunStore(data_dir, /*writable=*/false, kExtractorVersion);
  if (!after.ok()) return fail(after.status().message());
  absl::StatusOr<AggregateOptions> options = AggregateOptionsForRun(run, *rubric);
  if (!options.ok()) return fail(options.status().message());
  absl::StatusOr<report::CensusReport> old_report = Aggregate(**before, *options);
  if (!old_report.ok()) return fail(old_report.status().message());
  absl::StatusOr<report::CensusReport> new_report = Aggregate(**after, *options);
  if (!new_report.ok()) return fail(new_report.status().message());
  if (auto st = WriteReports(*new_report, out_dir); !st.ok()) return fail(st.message());
  const ReportDiff diff = DiffReports(*old_report, *new_report);
  const std::filesystem::path diff_path = std::filesystem::path(out_dir) / "reextract-diff.json";
  {
    std::ofstream out(diff_path, std::ios::binary | std::ios::trunc);
    out << DiffToJson(diff);
    out.close();
    if (!out) return fail(absl::StrCat("cannot write ", diff_path.string()));
  }
  PrintReportPaths(std::filesystem::path(out_dir));
  std::printf("re-extracted (extractor %d) against run %s as stored: %s\n", kExtractorVersion,
              run.run_id().c_str(), diff_path.c_str());
  std::fputs(DiffToText(diff).c_str(), stdout);
  return 0;
}

}  // namespace census
