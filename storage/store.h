#ifndef CENSUS_STORAGE_STORE_H_
#define CENSUS_STORAGE_STORE_H_

// Store: one RocksDB database holding what the workers fetched (one shard).
// Schema in docs/STORAGE.md. Every record carries its fetch time, so reads can be
// "as of T". Writes are idempotent: writing the same ResultBatch twice stores the
// same keys with the same values.
//
// Page bodies are kept by content hash (deduplicated): a zstd keyframe now and then,
// and between keyframes a delta, zstd-compressed with the previous version of the same
// URL as the prefix dictionary ("patch-from"). GetBody rebuilds either.
//
// Thread-safety: all methods may be called from any thread (RocksDB is thread-safe).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/content_hash.h"
#include "google/protobuf/repeated_field.h"
#include "proto/census.pb.h"

namespace census {

struct StoreOptions {
  bool read_only = false;
  bool create_if_missing = true;
  int keyframe_interval = 8;  // every Nth version of a URL is a keyframe
  // fsync the WAL on every Write/PutRun, so an acked batch survives a machine crash.
  // Tests and bulk imports may turn it off (a process crash still loses nothing).
  bool sync_writes = true;
  // Reads only: every observation that extractor version N made again from its stored
  // body (`census replay --reextract`, PutReextracted) is read in place of the stored one
  // (LatestObservations, ObservationHistory, Reader::ForEachObservationHistory); the
  // others as stored. 0: every observation as stored.
  int32_t extractor_version = 0;
  // zstd instead of LZ4 on the records' bottommost level (what CompactRecords leaves):
  // ~45 % less disk for records kept cold (an archive), at the aggregator's cost of
  // decompressing zstd (docs/STORAGE.md). Off: the census's own stores read fast.
  bool zstd_cold_records = false;
};

// ContentHash (common/content_hash.h) is the snapshot id: lower-case hex SHA-256, 64
// characters, i.e. what `sha256sum` prints. PageBody.content_hash must be this; Write
// refuses a body whose hash differs. Implemented in storage/content_hash.cc (target
// census_content_hash) until common/ takes it over.

class Store {
 public:
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& path,
                                                     const StoreOptions& options = {});
  virtual ~Store() = default;

  // Writes the whole batch atomically (one RocksDB WriteBatch). With batch.run_id set,
  // a task (site, kind, URL, probe index) of that run is stored once: records of a task
  // already stored are dropped (with their observations). A link_index_only batch
  // writes only the link/ index of its LINK_CHECK records (a shard not owning the site).
  virtual absl::Status Write(const ResultBatch& batch) = 0;
  virtual absl::Status PutRun(const RunRecord& run) = 0;
  virtual absl::StatusOr<std::optional<RunRecord>> GetRun(const std::string& run_id) = 0;
  // Every run record, in run_id order (oldest first).
  virtual absl::Status ForEachRun(const std::function<void(const RunRecord&)>& fn) = 0;

  // Reads. `until_ms` bounds fetched_at (inclusive): "as of T". Use INT64_MAX for all.
  virtual absl::Status ForEachSite(const std::function<void(const Site&)>& fn) = 0;
  // The site's columns as they stood at until_ms: the set of the newest batch carrying
  // columns whose newest record was fetched at or before until_ms (a batch's set
  // replaces the site's set from that time on; docs/STORAGE.md "col/"). A store written
  // before sets were versioned holds one unversioned set: it is the answer whenever no
  // versioned set is old enough. Empty when the site has none.
  virtual absl::StatusOr<std::vector<Column>> Columns(const std::string& site_id,
                                                      int64_t until_ms) = 0;
  // The site's columns as last written.
  absl::StatusOr<std::vector<Column>> Columns(const std::string& site_id) {
    return Columns(site_id, INT64_MAX);
  }
  // Fetch records of a site with fetched_at in [from_ms, until_ms], in key order
  // (by kind, url, then time).
  virtual absl::Status ForEachFetch(const std::string& site_id, int64_t from_ms, int64_t until_ms,
                                    const std::function<void(const FetchRecord&)>& fn) = 0;
  // Fetch records of one URL of a site (every kind) with fetched_at <= until_ms, by kind
  // and then time. The base class filters ForEachFetch; RocksStore seeks each kind's
  // prefix of the URL, so its cost grows with the URL's records, not the site's.
  virtual absl::Status ForEachUrlFetch(const std::string& site_id, const std::string& url,
                                       int64_t until_ms,
                                       const std::function<void(const FetchRecord&)>& fn);
  // The newest observation of each URL of a site with fetched_at <= until_ms.
  virtual absl::StatusOr<std::vector<PageObservation>> LatestObservations(
      const std::string& site_id, int64_t until_ms) = 0;
  // Every observation of one URL of a site, oldest first (snapshot history).
  virtual absl::StatusOr<std::vector<PageObservation>> ObservationHistory(
      const std::string& site_id, const std::string& url, int64_t until_ms) = 0;
  // Newest link-check record for a URL (any site), fetched_at in [from_ms, until_ms].
  virtual absl::StatusOr<std::optional<FetchRecord>> LatestLinkCheck(const std::string& url,
                                                                     int64_t from_ms,
                                                                     int64_t until_ms) = 0;
  // Batched reads for reading site after site (the aggregator: one Reader per thread).
  // A Reader keeps one RocksDB iterator and reuses its parsed messages, so once warm a
  // site costs a few seeks and (almost) no allocation. Results equal those of the Store
  // methods named in each comment. What a method hands out stays valid until the next
  // call of the same method on that Reader. A Reader sees the store as of its first
  // read (its iterator's implicit snapshot). Not thread-safe: one Reader per thread.
  class Reader {
   public:
    virtual ~Reader() = default;
    // Store::Columns(site_id, until_ms).
    virtual absl::StatusOr<const google::protobuf::RepeatedPtrField<Column>*> Columns(
        const std::string& site_id, int64_t until_ms) = 0;
    // Store::Columns(site_id): the set last written.
    absl::StatusOr<const google::protobuf::RepeatedPtrField<Column>*> Columns(
        const std::string& site_id) {
      return Columns(site_id, INT64_MAX);
    }
    // Store::ForEachFetch.
    virtual absl::Status ForEachFetch(const std::string& site_id, int64_t from_ms, int64_t until_ms,
                                      const std::function<void(const FetchRecord&)>& fn) = 0;
    // One scan for Store::LatestObservations and Store::ObservationHistory: calls `fn`
    // once per URL of the site with an observation fetched_at <= until_ms, in URL order
    // (that of LatestObservations), with the URL's history oldest first (that of
    // ObservationHistory); history.back() is the URL's LatestObservations entry. Those
    // newest observations stay valid until the next call; the older ones only during
    // `fn`. A non-OK status from `fn` stops the scan and is returned.
    virtual absl::Status ForEachObservationHistory(
        const std::string& site_id, int64_t until_ms,
        const std::function<absl::Status(const std::vector<const PageObservation*>& history)>&
            fn) = 0;
    // Store::LatestLinkCheck of each URL: (*result)[i] for urls[i], nullptr when none.
    // The URLs are visited in key order and one Seek skips every URL up to the next one
    // that has link checks, so URLs never checked cost almost nothing.
    virtual absl::StatusOr<const std::vector<const FetchRecord*>*> LatestLinkChecks(
        const std::vector<absl::string_view>& urls, int64_t from_ms, int64_t until_ms) = 0;
  };
  // The base class's Reader calls the single-lookup methods above.
  virtual std::unique_ptr<Reader> NewReader();

  // Re-extraction (`census replay --reextract`, docs/STORAGE.md "Re-extraction"). Writes
  // `observations` of `site_id`, each made again by extractor `version` from the body of
  // the stored observation with the same URL and fetch time, beside the stored ones
  // (which stay, so a past census replays as it was), and marks the site done for
  // (run_id, version), in one atomic write: an interrupted re-extraction resumes at the
  // first site not marked.
  virtual absl::Status PutReextracted(const std::string& run_id, int32_t version,
                                      const std::string& site_id,
                                      const std::vector<PageObservation>& observations) = 0;
  // Whether PutReextracted marked the site done for (run_id, version).
  virtual absl::StatusOr<bool> ReextractDone(const std::string& run_id, int32_t version,
                                             const std::string& site_id) = 0;

  // Compacts the records (everything but bodies) into one sorted run. A store written in
  // bulk and closed keeps overlapping level-0 files that every seek must visit; after
  // this, a scan of the records reads each block once. Blocks the caller until done.
  virtual absl::Status CompactRecords() = 0;

  // The page body with that content hash; NotFound if never stored.
  virtual absl::StatusOr<std::string> GetBody(const std::string& content_hash) = 0;
  // How a body is stored (StoredBody: a keyframe when base_hash is "", else a delta
  // against base_hash; data.size() is what it costs on disk), without rebuilding it;
  // nullopt if never stored. The base class answers Unimplemented.
  virtual absl::StatusOr<std::optional<StoredBody>> GetStoredBody(const std::string& content_hash);
  // Validators of the newest fetch of a URL (for conditional requests).
  virtual absl::StatusOr<std::optional<Validators>> LastValidators(const std::string& site_id,
                                                                   const std::string& url) = 0;

  // Retention (docs/STORAGE.md "Retention", `census compact`). A version of a URL is
  // one content hash its fetch records and observations name; its time is the newest
  // record naming it. Per URL, a version is kept when it is one of the `keep_versions`
  // newest (at least the newest one), or was fetched within `keep_days` days before
  // `now_ms`, or any record naming it lies in a stored run's window [started_ms,
  // finished_ms] (a run's evidence is never dropped). A body is dropped only when no
  // URL keeps it (bodies are shared by hash). Records (fetches, observations) are all
  // kept: they are the census's facts and what replay reads; retention drops bodies.
  // `keep_runs` >= 0 also deletes the run records (and their task/ keys) of all but
  // the newest `keep_runs` runs first; their windows then protect nothing (-1: all kept).
  struct RetentionPolicy {
    int keep_versions = 1;
    int keep_days = 0;  // 0: the count alone decides
    int keep_runs = -1;
    int64_t now_ms = 0;
    // Bodies that stay whatever their age: the snapshots the kept runs' reports cite
    // (a forged date's evidence may be a snapshot from before the run's window).
    std::vector<std::string> cited;
  };
  // Decides (a RetentionDecision at meta/retention), rebases every kept delta whose
  // base is dropped (a keyframe, or a delta against its nearest kept ancestor) in the
  // same write batch, then compacts the bodies family: its compaction filter removes
  // exactly the decided bodies and blob garbage collection frees their blob space.
  // Writes wait meanwhile. `progress` gets a line now and then (may be empty).
  virtual absl::StatusOr<RetentionDecision> ApplyRetention(
      const RetentionPolicy& policy, const std::function<void(const std::string&)>& progress) = 0;

  struct Stats {
    int64_t bodies = 0;
    int64_t keyframes = 0;
    int64_t deltas = 0;
    int64_t raw_bytes = 0;
    int64_t stored_bytes = 0;
  };
  virtual Stats BodyStats() = 0;
  // Task results Write dropped since Open because the run already had one (a lease
  // done twice).
  virtual int64_t duplicate_tasks() const = 0;
};

}  // namespace census

#endif  // CENSUS_STORAGE_STORE_H_
