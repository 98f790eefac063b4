#include "cmd/compact_command.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "aggregator/aggregator.h"
#include "cmd/flags.h"
#include "cmd/replay_command.h"
#include "common/clock.h"
#include "storage/store.h"

namespace census {
namespace {

constexpr char kCompactUsage[] =
    "usage: census compact --data DIR [--keep-versions N] [--keep-days D] [--keep-runs R]\n"
    "                      [--quiet]\n"
    "  Retention over the store of `census run --data DIR` (docs/STORAGE.md \"Retention\").\n"
    "  A version of a URL is a page body (content hash) its fetches named. Per URL it keeps\n"
    "  the N newest versions (at least the newest) and every version fetched within the\n"
    "  last D days. A body fetched inside a stored run's window, or cited by its report\n"
    "  (evidence[].snapshot), is always kept; a body shared by URLs stays while one of\n"
    "  them keeps it. A kept delta whose base goes is rebased first (on its nearest kept\n"
    "  ancestor, or as a keyframe), so every kept version still rebuilds; then a RocksDB\n"
    "  compaction filter removes exactly the decided bodies. Fetch records and\n"
    "  observations all stay: a kept run replays byte for byte as before.\n"
    "  --keep-runs R first deletes the run records of all but the newest R runs (they can\n"
    "  no longer be replayed, and their windows protect nothing); by default every run\n"
    "  is kept. Give --keep-versions, --keep-days or both. Progress on stderr (unless\n"
    "  --quiet), a summary on stdout. No other process may have the store open.\n";

int Usage(const std::string& message) {
  std::fprintf(stderr, "census compact: %s\n\n%s", message.c_str(), kCompactUsage);
  return 2;
}

// Bytes of the files under `dir` (the store's footprint on disk).
int64_t DiskBytes(const std::filesystem::path& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += static_cast<int64_t>(it->file_size(ec));
  }
  return total;
}

// The snapshots the reports of the runs that stay cite (evidence[].snapshot), each run
// aggregated under its own rubric as `census replay` does.
absl::StatusOr<std::vector<std::string>> CitedSnapshots(Store& store, int keep_runs, bool quiet) {
  std::vector<RunRecord> runs;
  absl::Status st = store.ForEachRun([&](const RunRecord& run) { runs.push_back(run); });
  if (!st.ok()) return st;
  if (keep_runs >= 0 && runs.size() > static_cast<size_t>(keep_runs)) {
    runs.erase(runs.begin(), runs.end() - keep_runs);
  }
  std::vector<std::string> cited;
  for (const RunRecord& run : runs) {
    if (!quiet) {
      std::fprintf(stderr, "census compact: reading the evidence of run %s\n",
                   run.run_id().c_str());
    }
    absl::StatusOr<Rubric> rubric = ParseRubric(run.rubric_text(), "the run's rubric");
    if (!rubric.ok()) return rubric.status();
    absl::StatusOr<AggregateOptions> options = AggregateOptionsForRun(run, *rubric);
    if (!options.ok()) return options.status();
    absl::StatusOr<report::CensusSummary> summary =
        AggregateEach(store, *options, [&](report::SiteReport& site) {
          for (const report::Evidence& e : site.evidence()) {
            if (!e.snapshot().empty()) cited.push_back(e.snapshot());
          }
          return absl::OkStatus();
        });
    if (!summary.ok()) return summary.status();
  }
  return cited;
}

}  // namespace

int RunCompact(const std::vector<std::string>& args) {
  std::string data_dir = "census-data";
  int keep_versions = -1, keep_days = -1, keep_runs = -1;
  bool quiet = false, help = false;
  FlagSet flags;
  flags.String("--data", &data_dir);
  flags.Int("--keep-versions", 0, &keep_versions);
  flags.Int("--keep-days", 0, &keep_days);
  flags.Int("--keep-runs", 0, &keep_runs);
  flags.Bool("--quiet", &quiet);
  if (absl::Status st = flags.Parse(args, &help); !st.ok()) {
    return Usage(std::string(st.message()));
  }
  if (help) {
    std::fputs(kCompactUsage, stdout);
    return 0;
  }
  if (keep_versions < 0 && keep_days < 0) {
    return Usage("give --keep-versions N, --keep-days D or both");
  }
  const std::filesystem::path store_path = std::filesystem::path(data_dir) / "store-0";
  if (!std::filesystem::is_directory(store_path)) {
    std::fprintf(stderr, "census compact: no census data in %s (%s is missing)\n", data_dir.c_str(),
                 store_path.string().c_str());
    return 1;
  }
  const int64_t disk_before = DiskBytes(store_path);
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(store_path.string());
  if (!store.ok()) {
    std::fprintf(stderr, "census compact: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  Store::RetentionPolicy policy;
  policy.keep_versions = keep_versions < 0 ? 1 : keep_versions;
  policy.keep_days = keep_days < 0 ? 0 : keep_days;
  policy.keep_runs = keep_runs;
  policy.now_ms = absl::ToUnixMillis(Clock::Real()->Now());
  absl::StatusOr<std::vector<std::string>> cited = CitedSnapshots(**store, keep_runs, quiet);
  if (!cited.ok()) {
    std::fprintf(stderr, "census compact: %s\n", std::string(cited.status().message()).c_str());
    return 1;
  }
  policy.cited = *std::move(cited);
  absl::StatusOr<RetentionDecision> d =
      (*store)->ApplyRetention(policy, [&](const std::string& line) {
        if (!quiet) std::fprintf(stderr, "census compact: %s\n", line.c_str());
      });
  if (!d.ok()) {
    std::fprintf(stderr, "census compact: %s\n", std::string(d.status().message()).c_str());
    return 1;
  }
  // The records too: a store written in bulk keeps overlapping level-0 files and its
  // write-ahead log; compacted, it holds one sorted run of each family.
  if (!quiet) std::fprintf(stderr, "census compact: compacting the records\n");
  if (absl::Status st = (*store)->CompactRecords(); !st.ok()) {
    std::fprintf(stderr, "census compact: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  store->reset();  // closed: the files on disk are final
  const int64_t disk_after = DiskBytes(store_path);
  for (const std::string& id : d->runs_dropped()) std::printf("run_dropped\t%s\n", id.c_str());
  std::printf(
      "urls\t%lld\nversions\t%lld\nversions_dropped\t%lld\nversions_kept_as_evidence\t%lld\n"
      "bodies_dropped\t%lld\nrebased_keyframes\t%lld\nrebased_deltas\t%lld\n"
      "body_bytes_before\t%lld\nbody_bytes_after\t%lld\nraw_bytes_dropped\t%lld\n"
      "disk_bytes_before\t%lld\ndisk_bytes_after\t%lld\n",
      static_cast<long long>(d->urls()), static_cast<long long>(d->versions()),
      static_cast<long long>(d->versions_dropped()),
      static_cast<long long>(d->versions_protected()), static_cast<long long>(d->bodies_dropped()),
      static_cast<long long>(d->rebased_keyframes()), static_cast<long long>(d->rebased_deltas()),
      static_cast<long long>(d->stored_bytes_before()),
      static_cast<long long>(d->stored_bytes_after()),
      static_cast<long long>(d->raw_bytes_dropped()), static_cast<long long>(disk_before),
      static_cast<long long>(disk_after));
  return 0;
}

}  // namespace census
