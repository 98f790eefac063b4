#include "cmd/replay_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/status_macros.h"

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

absl::StatusOr<report::CensusSummary> WriteRunReports(Store& store, const RunRecord& run,
                                                      const Rubric& rubric,
                                                      const std::string& out_dir, bool quiet,
                                                      const std::string& evidence_base) {
  ASSIGN_OR_RETURN(AggregateOptions options, AggregateOptionsForRun(run, rubric));
  options.evidence_base = evidence_base;
  // Sites stream from the aggregator into the report files: a national census is too
  // big to hold as one report.
  ASSIGN_OR_RETURN(std::unique_ptr<ReportWriter> writer, ReportWriter::Open(out_dir, run.as_of()));
  const absl::Time started = absl::Now();
  absl::Time last_print = started;
  int written = 0;
  auto on_site = [&](report::SiteReport& site, const RenderedSite& rendered) {
    RETURN_IF_ERROR(writer->Add(site, rendered));
    ++written;
    if (!quiet && written % 256 == 0 && absl::Now() - last_print >= absl::Seconds(2)) {
      last_print = absl::Now();
      std::fprintf(stderr, "census: report: %d of %d sites written, %.1fs\n", written,
                   run.site_ids_size(), absl::ToDoubleSeconds(last_print - started));
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

namespace {

constexpr char kReplayUsage[] =
    "usage:\n"
    "  census replay --data DIR [--run RUN_ID] [--rubric FILE] [--out DIR]\n"
    "                [--evidence-base URL]\n"
    "      recomputes a past census's report.json/.csv/.html from the store (default: the\n"
    "      newest run; --rubric scores it under another rubric, else the run's own;\n"
    "      --evidence-base links each evidence to `census serve` at URL)\n"
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
  return -1;  // go on
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

absl::StatusOr<std::unique_ptr<Store>> OpenRunStore(const std::string& data_dir) {
  const std::filesystem::path store_path = std::filesystem::path(data_dir) / "store-0";
  if (!std::filesystem::is_directory(store_path)) {
    return absl::NotFoundError(absl::StrCat("no census data in ", data_dir, " (",
                                            store_path.string(),
                                            " is missing): give the --data of a `census run`"));
  }
  StoreOptions store_options;
  store_options.read_only = true;
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
  auto store = OpenRunStore(r.data_dir);
  if (!store.ok()) return Fail(std::string(store.status().message()));

  if (!r.snapshot.empty()) return ShowSnapshot(**store, r);

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
