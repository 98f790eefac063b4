#include "cmd/replay_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cmd/reextract.h"
#include "common/clock.h"
#include "common/status_macros.h"
#include "coordinator/site_list.h"
#include "worker/observe.h"

namespace census {

absl::StatusOr<AggregateOptions> AggregateOptionsForRun(const RunRecord& run,
                                                        const Rubric& rubric) {
  AggregateOptions options;
  if (!ParseCivilDay(run.as_of(), &options.as_of)) {
    return absl::InvalidArgumentError(
        absl::StrCat("run ", run.run_id(), " has no usable as_of '", run.as_of(), "'"));
  }
  options.run_started_ms = run.started_ms();
  options.run_finished_ms = run.finished_ms();
  options.pages_fetched = static_cast<int>(run.pages_fetched());
  options.rubric = rubric;
  options.site_ids.assign(run.site_ids().begin(), run.site_ids().end());
  options.input_errors.assign(run.input_errors().begin(), run.input_errors().end());
  return options;
}

void PrintReportPaths(const std::filesystem::path& out) {
  std::printf("report: %s\n        %s\n        %s\n        %s (one page a region)\n",
              (out / "report.json").c_str(), (out / "report.csv").c_str(),
              (out / "report.html").c_str(), (out / "regions/").c_str());
}

absl::StatusOr<report::CensusSummary> WriteCensusReports(Store& store,
                                                         const AggregateOptions& options,
                                                         const std::string& out_dir, bool quiet) {
  // Sites stream from the aggregator into the report files: a national census is too
  // big to hold as one report.
  ASSIGN_OR_RETURN(std::unique_ptr<ReportWriter> writer,
                   ReportWriter::Open(out_dir, FormatCivilDay(options.as_of)));
  const absl::Time started = absl::Now();
  absl::Time last_print = started;
  int written = 0;
  auto on_site = [&](report::SiteReport& site, const RenderedSite& rendered) {
    RETURN_IF_ERROR(writer->Add(site, rendered));
    ++written;
    if (!quiet && written % 256 == 0 && absl::Now() - last_print >= absl::Seconds(2)) {
      last_print = absl::Now();
      std::fprintf(stderr, "census: report: %d of %zu sites written, %.1fs\n", written,
                   options.site_ids.size(), absl::ToDoubleSeconds(last_print - started));
    }
    return absl::OkStatus();
  };
  ASSIGN_OR_RETURN(report::CensusSummary summary, AggregateEachRendered(store, options, on_site));
  RETURN_IF_ERROR(writer->Finish(summary));
  if (!quiet) {
    std::fprintf(stderr, "census: report: %d sites aggregated and written in %.1fs\n", written,
                 absl::ToDoubleSeconds(absl::Now() - started));
  }
  return summary;
}

absl::StatusOr<report::CensusSummary> WriteRunReports(Store& store, const RunRecord& run,
                                                      const Rubric& rubric,
                                                      const std::string& out_dir, bool quiet,
                                                      const std::string& evidence_base) {
  ASSIGN_OR_RETURN(AggregateOptions options, AggregateOptionsForRun(run, rubric));
  options.evidence_base = evidence_base;
  return WriteCensusReports(store, options, out_dir, quiet);
}

int64_t EndOfCensusDay(absl::CivilDay day) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(day + 1), CensusTimeZone())) - 1;
}

absl::StatusOr<AsOfCensus> AsOfOptions(Store& store, absl::CivilDay as_of, int64_t until_ms,
                                       const std::vector<Site>* sites, const Rubric* rubric) {
  AsOfCensus census;
  std::optional<RunRecord> newest;
  RETURN_IF_ERROR(store.ForEachRun([&](const RunRecord& run) {
    if (!newest || run.started_ms() >= newest->started_ms()) newest = run;
    if (run.started_ms() <= until_ms &&
        (!census.window_run || run.started_ms() >= census.window_run->started_ms())) {
      census.window_run = run;
    }
  }));
  AggregateOptions& options = census.options;
  options.as_of = as_of;
  options.run_started_ms = census.window_run ? census.window_run->started_ms() : 0;
  options.run_finished_ms = until_ms;
  // The window run's pages when the run was over by then (a figure of the summary only).
  if (census.window_run && census.window_run->finished_ms() <= until_ms) {
    options.pages_fetched = static_cast<int>(census.window_run->pages_fetched());
  }
  const RunRecord* rubric_run = census.window_run ? &*census.window_run
                                : newest          ? &*newest
                                                  : nullptr;
  if (rubric != nullptr) {
    options.rubric = *rubric;
  } else if (rubric_run != nullptr) {  // as `census replay --run` reads a run's rubric
    ASSIGN_OR_RETURN(options.rubric,
                     ParseRubric(rubric_run->rubric_text(),
                                 absl::StrCat("the rubric of run ", rubric_run->run_id())));
  }
  if (sites != nullptr) {
    for (const Site& site : *sites) options.site_ids.push_back(site.site_id());
    return census;
  }
  // Every site of the store that the window saw fetched: a site only earlier censuses
  // took in is not in this one.
  std::vector<std::string> all;
  RETURN_IF_ERROR(store.ForEachSite([&](const Site& site) { all.push_back(site.site_id()); }));
  std::unique_ptr<Store::Reader> reader = store.NewReader();
  for (const std::string& site_id : all) {
    bool fetched = false;
    RETURN_IF_ERROR(reader->ForEachFetch(site_id, options.run_started_ms, options.run_finished_ms,
                                         [&](const FetchRecord&) { fetched = true; }));
    if (fetched) options.site_ids.push_back(site_id);
  }
  if (options.site_ids.empty()) {  // (an empty list would mean every site)
    return absl::NotFoundError(
        absl::StrCat("the store holds no fetch between ",
                     FormatRfc3339(absl::FromUnixMillis(options.run_started_ms)), " and ",
                     FormatRfc3339(absl::FromUnixMillis(until_ms)), ": no census of that day"));
  }
  return census;
}

namespace {

constexpr char kReplayUsage[] =
    "usage:\n"
    "  census replay --data DIR [--run RUN_ID] [--rubric FILE] [--out DIR] [--reextracted]\n"
    "      recomputes a past census's report.json/.csv/.html from the store (default: the\n"
    "      newest run; --rubric scores it under another rubric, else the run's own), with\n"
    "      each site's columns as they stood at that run; --reextracted reads the pages as\n"
    "      today's extractor re-read them (--reextract), else as the run stored them;\n"
    "      --evidence-base URL links each evidence to `census serve` at URL (a run's or a day's)\n"
    "  census replay --data DIR --as-of YYYY-MM-DD [--until TIME] [--sites FILE]\n"
    "                [--rubric FILE] [--out DIR]\n"
    "      the census of that day from what the store held at its end (UTC+8), or at\n"
    "      --until TIME (RFC 3339, e.g. 2026-11-20T18:00:00+08:00); the sites of --sites (a\n"
    "      sites.csv) or every site fetched since the newest run started by then; the\n"
    "      rubric of --rubric or of that run\n"
    "  census replay --data DIR [--run RUN_ID] --reextract [--lexicon FILE] [--rubric FILE]\n"
    "                [--out DIR]\n"
    "      runs today's extractor over the run's stored pages without fetching, stores the\n"
    "      observations that come out different (the old ones stay), writes the report as\n"
    "      re-extracted into --out and prints what changed in the verdicts (also\n"
    "      --out/reextract-diff.json); progress on stderr; an interrupted one resumes\n"
    "  census replay --data DIR --list\n"
    "      the runs the store holds\n"
    "  census replay --data DIR --snapshot HASH [--out FILE]\n"
    "      a stored page exactly as it was fetched (a finding's evidence.snapshot)\n";

int Fail(const std::string& message, int status = 1) {
  std::fprintf(stderr, "census replay: %s\n", message.c_str());
  return status;
}

struct ReplayArgs {
  std::string data_dir = "census-data";
  std::string run_id;
  std::string rubric_file;
  std::string out;
  std::string snapshot;
  std::string evidence_base;
  bool list = false;
  std::string as_of;  // --as-of: a census of that day, not of a run
  std::string until;
  std::string sites_file;
  bool reextract = false;
  bool reextracted = false;
  std::string lexicon_file;
  int reextract_limit = 0;  // test flag: stop after this many sites (0: all)
};

int ParseReplayArgs(const std::vector<std::string>& args, ReplayArgs* r) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto take = [&](std::string* value) {
      if (i + 1 >= args.size()) return false;
      *value = args[++i];
      return true;
    };
    bool ok = true;
    if (flag == "--data") {
      ok = take(&r->data_dir);
    } else if (flag == "--run") {
      ok = take(&r->run_id);
    } else if (flag == "--rubric") {
      ok = take(&r->rubric_file);
    } else if (flag == "--out") {
      ok = take(&r->out);
    } else if (flag == "--evidence-base") {
      ok = take(&r->evidence_base);
    } else if (flag == "--snapshot") {
      ok = take(&r->snapshot);
    } else if (flag == "--list") {
      r->list = true;
    } else if (flag == "--as-of") {
      ok = take(&r->as_of);
    } else if (flag == "--until") {
      ok = take(&r->until);
    } else if (flag == "--sites") {
      ok = take(&r->sites_file);
    } else if (flag == "--reextract") {
      r->reextract = true;
    } else if (flag == "--reextracted") {
      r->reextracted = true;
    } else if (flag == "--lexicon") {
      ok = take(&r->lexicon_file);
    } else if (flag == "--reextract-limit") {
      std::string value;
      ok = take(&value) && absl::SimpleAtoi(value, &r->reextract_limit) && r->reextract_limit > 0;
    } else if (flag == "--help" || flag == "-h") {
      std::fputs(kReplayUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "census replay: unknown flag '%s'\n\n%s", flag.c_str(), kReplayUsage);
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "census replay: %s wants a value\n\n%s", flag.c_str(), kReplayUsage);
      return 2;
    }
  }
  auto misuse = [](const char* message) {
    std::fprintf(stderr, "census replay: %s\n\n%s", message, kReplayUsage);
    return 2;
  };
  if (!r->as_of.empty() && (!r->run_id.empty() || r->reextract || r->reextracted)) {
    return misuse("--as-of makes a census of a day, not of a run: no --run, --reextract(ed)");
  }
  if ((!r->until.empty() || !r->sites_file.empty()) && r->as_of.empty()) {
    return misuse("--until and --sites go with --as-of");
  }
  if (r->reextract && r->reextracted) return misuse("--reextract or --reextracted, not both");
  if ((!r->lexicon_file.empty() || r->reextract_limit > 0) && !r->reextract) {
    return misuse("--lexicon and --reextract-limit go with --reextract");
  }
  return -1;  // go on
}

// census replay --as-of DATE: the census of that day from what the store held then.
int ReplayAsOf(Store& store, const ReplayArgs& r) {
  absl::CivilDay day;
  if (!ParseCivilDay(r.as_of, &day)) {
    return Fail(absl::StrCat("--as-of wants YYYY-MM-DD, not '", r.as_of, "'"), 2);
  }
  int64_t until_ms = EndOfCensusDay(day);
  if (!r.until.empty()) {
    absl::Time until;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, r.until, &until, &error)) {
      return Fail(absl::StrCat("--until wants an RFC 3339 time such as 2026-11-20T18:00:00+08:00, "
                               "not '",
                               r.until, "'"),
                  2);
    }
    until_ms = absl::ToUnixMillis(until);
  }
  std::optional<SiteList> sites;
  if (!r.sites_file.empty()) {
    absl::StatusOr<SiteList> read = ReadSitesCsv(r.sites_file);
    if (!read.ok()) return Fail(std::string(read.status().message()));
    for (const report::InputError& e : read->errors) {
      std::fprintf(stderr, "%s:%d: %s (row skipped)\n", e.file().c_str(), e.line(),
                   e.reason().c_str());
    }
    sites = *std::move(read);
  }
  std::optional<Rubric> rubric;
  if (!r.rubric_file.empty()) {
    absl::StatusOr<Rubric> loaded = LoadRubricFile(r.rubric_file);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()), 2);
    rubric = *std::move(loaded);
  }
  absl::StatusOr<AsOfCensus> census = AsOfOptions(
      store, day, until_ms, sites ? &sites->sites : nullptr, rubric ? &*rubric : nullptr);
  if (!census.ok()) return Fail(std::string(census.status().message()));
  if (sites) census->options.input_errors = sites->errors;
  census->options.evidence_base = r.evidence_base;
  const std::string out_dir = r.out.empty() ? "census-replay" : r.out;
  auto summary = WriteCensusReports(store, census->options, out_dir);
  if (!summary.ok()) return Fail(std::string(summary.status().message()));
  PrintReportPaths(std::filesystem::path(out_dir));
  std::printf(
      "census %s as stored at %s (%s, rubric %s): %d sites, %d failed (%d unreachable)\n",
      summary->as_of().c_str(), FormatRfc3339(absl::FromUnixMillis(until_ms)).c_str(),
      census->window_run ? absl::StrCat("fetches since run ", census->window_run->run_id()).c_str()
                         : "every fetch stored",
      summary->rubric().c_str(), summary->sites(), summary->failed(), summary->unreachable());
  return 0;
}

int ShowSnapshot(Store& store, const ReplayArgs& r) {
  auto body = store.GetBody(r.snapshot);
  if (!body.ok()) return Fail(std::string(body.status().message()));
  if (r.out.empty()) {
    std::fwrite(body->data(), 1, body->size(), stdout);
    return 0;
  }
  std::ofstream out(r.out, std::ios::binary | std::ios::trunc);
  out.write(body->data(), static_cast<std::streamsize>(body->size()));
  out.close();
  if (!out) return Fail(absl::StrCat("cannot write ", r.out));
  std::fprintf(stderr, "census replay: snapshot %s (%zu bytes) written to %s\n", r.snapshot.c_str(),
               body->size(), r.out.c_str());
  return 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenRunStore(const std::string& data_dir, bool writable,
                                                    int32_t extractor_version) {
  const std::filesystem::path store_path = std::filesystem::path(data_dir) / "store-0";
  if (!std::filesystem::is_directory(store_path)) {
    return absl::NotFoundError(absl::StrCat("no census data in ", data_dir, " (",
                                            store_path.string(),
                                            " is missing): give the --data of a `census run`"));
  }
  StoreOptions store_options;
  store_options.read_only = !writable;
  store_options.create_if_missing = false;
  store_options.extractor_version = extractor_version;
  return Store::Open(store_path.string(), store_options);
}

absl::StatusOr<RunRecord> FindRun(Store& store, const std::string& data_dir,
                                  const std::string& run_id) {
  std::vector<RunRecord> runs;
  RETURN_IF_ERROR(store.ForEachRun([&](const RunRecord& run) { runs.push_back(run); }));
  if (runs.empty()) return absl::NotFoundError(absl::StrCat(data_dir, " holds no census run"));
  if (run_id.empty()) return runs.back();
  std::vector<std::string> ids;
  for (const RunRecord& run : runs) {
    if (run.run_id() == run_id) return run;
    ids.push_back(run.run_id());
  }
  return absl::NotFoundError(
      absl::StrCat("no run '", run_id, "' in ", data_dir, "; it holds: ", absl::StrJoin(ids, ", "),
                   " (census replay --data ", data_dir, " --list shows them)"));
}

int RunReplay(const std::vector<std::string>& args) {
  ReplayArgs r;
  if (int status = ParseReplayArgs(args, &r); status >= 0) return status;
  if (r.reextract) {
    return Reextract(r.data_dir, r.run_id, r.rubric_file, r.lexicon_file,
                     r.out.empty() ? "census-replay" : r.out, r.reextract_limit);
  }
  auto store = OpenRunStore(r.data_dir, /*writable=*/false, r.reextracted ? kExtractorVersion : 0);
  if (!store.ok()) return Fail(std::string(store.status().message()));

  if (!r.snapshot.empty()) return ShowSnapshot(**store, r);
  if (!r.as_of.empty()) return ReplayAsOf(**store, r);

  if (r.list) {
    std::vector<RunRecord> runs;
    if (auto st = (*store)->ForEachRun([&](const RunRecord& run) { runs.push_back(run); });
        !st.ok()) {
      return Fail(std::string(st.message()));
    }
    std::printf("run_id\tas_of\tsites\tpages_fetched\tstarted\tfinished\n");
    for (const RunRecord& run : runs) {
      std::printf("%s\t%s\t%d\t%ld\t%s\t%s\n", run.run_id().c_str(), run.as_of().c_str(),
                  run.site_ids_size(), static_cast<long>(run.pages_fetched()),
                  FormatRfc3339(absl::FromUnixMillis(run.started_ms())).c_str(),
                  FormatRfc3339(absl::FromUnixMillis(run.finished_ms())).c_str());
    }
    return 0;
  }
  absl::StatusOr<RunRecord> found = FindRun(**store, r.data_dir, r.run_id);
  if (!found.ok()) return Fail(std::string(found.status().message()));
  const RunRecord* run = &*found;
  absl::StatusOr<Rubric> rubric = r.rubric_file.empty()
                                      ? ParseRubric(run->rubric_text(), "the run's rubric")
                                      : LoadRubricFile(r.rubric_file);
  if (!rubric.ok()) return Fail(std::string(rubric.status().message()), 2);
  const std::string out_dir = r.out.empty() ? "census-replay" : r.out;
  auto summary = WriteRunReports(**store, *run, *rubric, out_dir, /*quiet=*/false, r.evidence_base);
  if (!summary.ok()) return Fail(std::string(summary.status().message()));
  const std::filesystem::path out(out_dir);
  PrintReportPaths(out);
  std::printf("census %s (run %s, rubric %s): %d sites, %d failed (%d unreachable)\n",
              summary->as_of().c_str(), run->run_id().c_str(), summary->rubric().c_str(),
              summary->sites(), summary->failed(), summary->unreachable());
  return 0;
}

}  // namespace census
