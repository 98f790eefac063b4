// storage_bench: timings over a store `census run` built (scripts/bench-storage.sh,
// docs/BENCHMARKS.md "Storage").
//
//   storage_bench --store DIR/store-0 [--reingest NEWDIR] [--repeat N] [--zstd-copy DIR]
//
// rebuild: every distinct stored body the store's fetch records name is rebuilt with
//   Store::GetBody (walk to the keyframe, decode forward, check the SHA-256), N times
//   each (default 1; a warm repeat after the first cold pass), and the latency of each
//   call is kept: p50, p90, p99, max. The store is opened read-only.
// reingest: the store's fetches and bodies are written again, oldest first, into a new
//   store at NEWDIR, run by run, a site's fetches of a run in batches of up to 32 (a
//   lease's worth, as census run's workers hand them over), with census run's store
//   options (fsync per batch); the time inside Store::Write gives the ingest rate in MB
//   of raw page bytes a second (a body already stored costs a dedup lookup).
// zstd-copy: the store copied to DIR, opened with zstd_cold_records and its records
//   compacted (Store::CompactRecords) and its bodies compacted: the bytes on disk of the
//   same data as a cold archive would keep it. DIR is left for the caller to measure.
//   --lz4-copy DIR: the same with the records' usual LZ4 (compaction alone).
// Prints `key<TAB>value` lines.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "storage/store.h"

namespace census {
namespace {

using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

int Main(int argc, char** argv) {
  std::string store_dir, reingest_dir, zstd_dir;
  bool zstd = true;
  int repeat = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--store" && i + 1 < argc) {
      store_dir = argv[++i];
    } else if (a == "--reingest" && i + 1 < argc) {
      reingest_dir = argv[++i];
    } else if ((a == "--zstd-copy" || a == "--lz4-copy") && i + 1 < argc) {
      zstd = a == "--zstd-copy";
      zstd_dir = argv[++i];
    } else if (a == "--repeat" && i + 1 < argc && absl::SimpleAtoi(argv[i + 1], &repeat) &&
               repeat >= 1) {
      ++i;
    } else if (a == "--help" || a == "-h") {
      std::puts("usage: storage_bench --store DIR [--reingest NEWDIR] [--repeat N]");
      return 0;
    } else {
      std::fprintf(stderr, "storage_bench: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (store_dir.empty()) {
    std::fprintf(stderr, "storage_bench: --store DIR is needed\n");
    return 2;
  }
  if (!zstd_dir.empty()) {
    std::error_code ec;
    std::filesystem::copy(store_dir, zstd_dir, std::filesystem::copy_options::recursive, ec);
    if (ec) {
      std::fprintf(stderr, "storage_bench: copy to %s: %s\n", zstd_dir.c_str(),
                   ec.message().c_str());
      return 1;
    }
    StoreOptions z;
    z.zstd_cold_records = zstd;
    absl::StatusOr<std::unique_ptr<Store>> copy = Store::Open(zstd_dir, z);
    if (!copy.ok()) return 1;
    // Nothing to drop: a retention pass that keeps every version compacts the bodies.
    Store::RetentionPolicy keep_all;
    keep_all.keep_versions = std::numeric_limits<int>::max();
    absl::Status st = (*copy)->CompactRecords();
    if (st.ok()) st = (*copy)->ApplyRetention(keep_all, nullptr).status();
    if (!st.ok()) {
      std::fprintf(stderr, "storage_bench: %s\n", std::string(st.message()).c_str());
      return 1;
    }
    std::printf("%s_copy\t%s\n", zstd ? "zstd" : "lz4", zstd_dir.c_str());
  }
  StoreOptions ro;
  ro.read_only = true;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(store_dir, ro);
  if (!store.ok()) {
    std::fprintf(stderr, "storage_bench: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  std::vector<Site> sites;
  if (auto st = (*store)->ForEachSite([&](const Site& s) { sites.push_back(s); }); !st.ok()) {
    std::fprintf(stderr, "storage_bench: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  // Every fetch that kept a body, oldest first.
  std::vector<FetchRecord> fetches;
  for (const Site& s : sites) {
    auto st =
        (*store)->ForEachFetch(s.site_id(), std::numeric_limits<int64_t>::min(),
                               std::numeric_limits<int64_t>::max(), [&](const FetchRecord& r) {
                                 if (r.content_hash().empty()) return;
                                 fetches.push_back(r);
                                 if (fetches.back().site_id().empty()) {
                                   fetches.back().set_site_id(s.site_id());
                                 }
                               });
    if (!st.ok()) {
      std::fprintf(stderr, "storage_bench: %s\n", std::string(st.message()).c_str());
      return 1;
    }
  }
  std::stable_sort(fetches.begin(), fetches.end(), [](const FetchRecord& a, const FetchRecord& b) {
    return a.fetched_at_ms() < b.fetched_at_ms();
  });
  std::vector<std::string> hashes;
  {
    absl::flat_hash_map<std::string, bool> seen;
    for (const FetchRecord& r : fetches) {
      if (seen.emplace(r.content_hash(), true).second) hashes.push_back(r.content_hash());
    }
  }
  Store::Stats stats = (*store)->BodyStats();
  std::printf("sites\t%zu\nfetches_with_body\t%zu\ndistinct_bodies\t%zu\n", sites.size(),
              fetches.size(), hashes.size());
  std::printf("bodies\t%lld\nkeyframes\t%lld\ndeltas\t%lld\nraw_bytes\t%lld\nstored_bytes\t%lld\n",
              static_cast<long long>(stats.bodies), static_cast<long long>(stats.keyframes),
              static_cast<long long>(stats.deltas), static_cast<long long>(stats.raw_bytes),
              static_cast<long long>(stats.stored_bytes));

  // Rebuild latency.
  std::vector<double> ms;
  ms.reserve(hashes.size() * static_cast<size_t>(repeat));
  // A fetch record names the hash of every page it read, but census run keeps the body
  // only of the pages it extracts (homepages, column lists, articles with lexicon hits):
  // the versions are the bodies stored.
  std::vector<std::string> stored;
  for (const std::string& h : hashes) {
    if ((*store)->GetBody(h).ok()) stored.push_back(h);
  }
  hashes.swap(stored);
  std::printf("versions_stored\t%zu\n", hashes.size());
  absl::flat_hash_map<std::string, bool> is_stored;
  for (const std::string& h : hashes) is_stored.emplace(h, true);
  int64_t rebuilt_bytes = 0, failures = 0;
  for (int pass = 0; pass < repeat; ++pass) {
    for (const std::string& h : hashes) {
      const auto t0 = Clock::now();
      absl::StatusOr<std::string> body = (*store)->GetBody(h);
      const auto t1 = Clock::now();
      if (!body.ok()) {
        ++failures;
        continue;
      }
      rebuilt_bytes += static_cast<int64_t>(body->size());
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
  }
  double total_ms = 0;
  for (double v : ms) total_ms += v;
  std::printf("rebuilds\t%zu\nrebuild_failures\t%lld\n", ms.size(),
              static_cast<long long>(failures));
  std::printf("rebuild_mean_ms\t%.3f\n",
              ms.empty() ? 0.0 : total_ms / static_cast<double>(ms.size()));
  std::printf("rebuild_p50_ms\t%.3f\n", Percentile(ms, 0.50));
  std::printf("rebuild_p90_ms\t%.3f\n", Percentile(ms, 0.90));
  std::printf("rebuild_p99_ms\t%.3f\n", Percentile(ms, 0.99));
  std::printf("rebuild_max_ms\t%.3f\n", ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()));
  std::printf("rebuild_mb_per_s\t%.1f\n",
              total_ms > 0 ? static_cast<double>(rebuilt_bytes) / 1e6 / (total_ms / 1e3) : 0.0);
  if (failures > 0) return 1;

  if (reingest_dir.empty()) return 0;
  // Reingest: census run's store options (sync_writes on).
  absl::StatusOr<std::unique_ptr<Store>> out = Store::Open(reingest_dir);
  if (!out.ok()) {
    std::fprintf(stderr, "storage_bench: %s\n", std::string(out.status().message()).c_str());
    return 1;
  }
  // One batch per site per run, of at most kBatch fetches (a lease's worth), in run order.
  constexpr size_t kBatch = 32;
  std::vector<RunRecord> runs;
  if (auto st = (*store)->ForEachRun([&](const RunRecord& r) { runs.push_back(r); }); !st.ok()) {
    return 1;
  }
  double write_s = 0;
  int64_t raw = 0;
  size_t batches = 0;
  for (const RunRecord& run : runs) {
    for (const Site& s : sites) {
      std::vector<FetchRecord> group;
      auto flush = [&]() -> bool {
        if (group.empty()) return true;
        ResultBatch batch;
        *batch.mutable_site() = s;
        for (FetchRecord& r : group) {
          absl::StatusOr<std::string> body = (*store)->GetBody(r.content_hash());
          if (!body.ok()) return false;
          PageBody* b = batch.add_bodies();
          b->set_content_hash(r.content_hash());
          b->set_body(*std::move(body));
          raw += static_cast<int64_t>(b->body().size());
          *batch.add_fetches() = std::move(r);
        }
        group.clear();
        const auto t0 = Clock::now();
        absl::Status st = (*out)->Write(batch);
        write_s += std::chrono::duration<double>(Clock::now() - t0).count();
        ++batches;
        if (!st.ok())
          std::fprintf(stderr, "storage_bench: %s\n", std::string(st.message()).c_str());
        return st.ok();
      };
      bool ok = true;
      auto st = (*store)->ForEachFetch(s.site_id(), run.started_ms(), run.finished_ms(),
                                       [&](const FetchRecord& r) {
                                         if (!is_stored.contains(r.content_hash()) || !ok) {
                                           return;
                                         }
                                         group.push_back(r);
                                         if (group.size() == kBatch) ok = flush();
                                       });
      if (!st.ok() || !ok || !flush()) return 1;
    }
  }
  Store::Stats again = (*out)->BodyStats();
  std::printf("reingest_batches\t%zu\nreingest_raw_bytes\t%lld\nreingest_write_s\t%.2f\n", batches,
              static_cast<long long>(raw), write_s);
  std::printf("reingest_mb_per_s\t%.1f\nreingest_stored_bytes\t%lld\n",
              write_s > 0 ? static_cast<double>(raw) / 1e6 / write_s : 0.0,
              static_cast<long long>(again.stored_bytes));
  return 0;
}

}  // namespace
}  // namespace census

int main(int argc, char** argv) { return census::Main(argc, argv); }
