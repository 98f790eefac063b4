#include "storage/store.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/string_order.h"
#include "storage/body_codec.h"
#include "storage/keys.h"
#include "storage/retention_filter.h"

namespace census {
namespace {

constexpr char kBodiesFamily[] = "bodies";
// Guards GetBody against a corrupt (cyclic) chain; real chains are < keyframe_interval.
constexpr int kMaxChain = 4096;

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what, absl::string_view path) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat("rocksdb ", what, " (", path, "): ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsNotSupported()) return absl::UnimplementedError(msg);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return absl::UnavailableError(msg);
  if (s.IsIOError()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

bool HasNul(absl::string_view s) { return s.find('\0') != absl::string_view::npos; }

// Value of ver/<site>\0<url>: the URL's newest stored body, the delta base of its
// next version. Encoding: depth u32 BE | fetched_at (order-preserving 8 bytes) | hash.
struct VersionInfo {
  uint32_t depth = 0;         // deltas between this body and its keyframe
  int64_t fetched_at_ms = 0;  // of the fetch that brought this body
  std::string hash;
};

std::string EncodeVersion(const VersionInfo& v) {
  std::string out;
  keys::AppendU32(&out, v.depth);
  keys::AppendTime(&out, v.fetched_at_ms);
  out.append(v.hash);
  return out;
}

bool DecodeVersion(absl::string_view in, VersionInfo* v) {
  if (in.size() < 12) return false;
  v->depth = keys::DecodeU32(in.substr(0, 4));
  v->fetched_at_ms = keys::TimeAt(in.substr(0, 12));
  v->hash = std::string(in.substr(12));
  return true;
}

std::string EncodeStats(const Store::Stats& s) {
  std::string out;
  for (int64_t v : {s.bodies, s.keyframes, s.deltas, s.raw_bytes, s.stored_bytes}) {
    keys::AppendU64(&out, static_cast<uint64_t>(v));
  }
  return out;
}

bool DecodeStats(absl::string_view in, Store::Stats* s) {
  if (in.size() != 40) return false;
  int64_t* fields[] = {&s->bodies, &s->keyframes, &s->deltas, &s->raw_bytes, &s->stored_bytes};
  for (int i = 0; i < 5; ++i) {
    *fields[i] = static_cast<int64_t>(keys::DecodeU64(in.substr(i * 8, 8)));
  }
  return true;
}

// A prefix iterator: owns its bounds so the Slices outlive the rocksdb::Iterator.
class PrefixScan {
 public:
  PrefixScan(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string prefix)
      : prefix_(std::move(prefix)), upper_(keys::PrefixEnd(prefix_)) {
    lower_slice_ = rocksdb::Slice(prefix_);
    upper_slice_ = rocksdb::Slice(upper_);
    options_.iterate_lower_bound = &lower_slice_;
    if (!upper_.empty()) options_.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(options_, cf));
  }
  PrefixScan(const PrefixScan&) = delete;
  PrefixScan& operator=(const PrefixScan&) = delete;

  rocksdb::Iterator* operator->() { return it_.get(); }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
  std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  rocksdb::ReadOptions options_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

absl::string_view View(const rocksdb::Slice& s) { return absl::string_view(s.data(), s.size()); }

template <typename Message>
absl::Status ParseValue(const rocksdb::Slice& value, Message* msg, absl::string_view key) {
  if (!msg->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    std::string printable(key);
    std::replace(printable.begin(), printable.end(), '\0', '|');
    return absl::DataLossError(
        absl::StrCat("store: cannot parse ", msg->GetTypeName(), " at key ", printable));
  }
  return absl::OkStatus();
}

// A key of one of the site's column sets: col/<site>\0<t>, or the unversioned
// col/<site> of a store written before sets were versioned.
bool IsColumnSetKey(absl::string_view key, absl::string_view site_id) {
  const std::string legacy = keys::LegacyColumns(site_id);
  return key == legacy || (key.size() == legacy.size() + 9 && absl::StartsWith(key, legacy) &&
                           key[legacy.size()] == '\0');
}

// Validators carried forward from a fetch record (see docs/STORAGE.md, val/).
bool CarriesValidators(const FetchRecord& r) {
  return r.error() == FETCH_OK && (!r.content_hash().empty() || r.not_modified());
}

class RocksStore : public Store {
 public:
  RocksStore(std::string path, StoreOptions options) : path_(std::move(path)), options_(options) {}

  ~RocksStore() override {
    if (db_ == nullptr) return;
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    handles_.clear();
    db_->Close().PermitUncheckedError();
  }

  absl::Status OpenDb();

  absl::Status Write(const ResultBatch& batch) override;
  absl::Status PutRun(const RunRecord& run) override;
  absl::StatusOr<std::optional<RunRecord>> GetRun(const std::string& run_id) override;
  absl::Status ForEachRun(const std::function<void(const RunRecord&)>& fn) override;
  // Every value under `prefix` of the meta family, parsed as T, in key order.
  template <typename T>
  absl::Status ForEachValue(absl::string_view prefix, absl::string_view what,
                            const std::function<void(const T&)>& fn);
  absl::Status ForEachSite(const std::function<void(const Site&)>& fn) override;
  using Store::Columns;
  absl::StatusOr<std::vector<Column>> Columns(const std::string& site_id,
                                              int64_t until_ms) override;
  absl::Status ForEachFetch(const std::string& site_id, int64_t from_ms, int64_t until_ms,
                            const std::function<void(const FetchRecord&)>& fn) override;
  absl::Status ForEachUrlFetch(const std::string& site_id, const std::string& url, int64_t until_ms,
                               const std::function<void(const FetchRecord&)>& fn) override;
  absl::StatusOr<std::vector<PageObservation>> LatestObservations(const std::string& site_id,
                                                                  int64_t until_ms) override;
  // The newest observation of one URL with fetched_at <= until_ms (Write's 304 copy).
  absl::StatusOr<std::optional<PageObservation>> ObservationAt(const std::string& site_id,
                                                               const std::string& url,
                                                               int64_t until_ms);
  absl::StatusOr<std::vector<PageObservation>> ObservationHistory(const std::string& site_id,
                                                                  const std::string& url,
                                                                  int64_t until_ms) override;
  absl::StatusOr<std::optional<FetchRecord>> LatestLinkCheck(const std::string& url,
                                                             int64_t from_ms,
                                                             int64_t until_ms) override;
  std::unique_ptr<Reader> NewReader() override;
  absl::Status PutReextracted(const std::string& run_id, int32_t version,
                              const std::string& site_id,
                              const std::vector<PageObservation>& observations) override;
  absl::StatusOr<bool> ReextractDone(const std::string& run_id, int32_t version,
                                     const std::string& site_id) override;
  absl::Status CompactRecords() override;
  absl::StatusOr<std::string> GetBody(const std::string& content_hash) override;
  absl::StatusOr<std::optional<StoredBody>> GetStoredBody(
      const std::string& content_hash) override {
    return GetStored(content_hash);
  }
  absl::StatusOr<std::optional<Validators>> LastValidators(const std::string& site_id,
                                                           const std::string& url) override;
  int64_t duplicate_tasks() const override { return duplicate_tasks_.load(); }
  Stats BodyStats() override {
    std::lock_guard<std::mutex> lock(stats_mu_);
    return stats_;
  }
  absl::StatusOr<RetentionDecision> ApplyRetention(
      const RetentionPolicy& policy,
      const std::function<void(const std::string&)>& progress) override;

 private:
  friend class RocksReader;
  rocksdb::ColumnFamilyHandle* meta() { return handles_[0]; }
  rocksdb::ColumnFamilyHandle* bodies() { return handles_[1]; }

  absl::Status CheckWritable() const {
    if (options_.read_only) {
      return absl::FailedPreconditionError(absl::StrCat("store ", path_, " is open read-only"));
    }
    return absl::OkStatus();
  }
  rocksdb::WriteOptions WriteOpts() const {
    rocksdb::WriteOptions w;
    w.sync = options_.sync_writes;
    return w;
  }

  // Get in `cf`; nullopt when absent.
  absl::StatusOr<std::optional<std::string>> GetRaw(rocksdb::ColumnFamilyHandle* cf,
                                                    const std::string& key);
  absl::StatusOr<std::optional<StoredBody>> GetStored(const std::string& hash);
  // With StoreOptions::extractor_version: replaces `obs` (stored at `key`, an obs/ key
  // of `site_id`) by its re-extraction by that version, when there is one.
  absl::Status UseReextracted(const std::string& site_id, absl::string_view key,
                              PageObservation* obs);
  // Number of deltas between the stored body `hash` and its keyframe.
  absl::StatusOr<uint32_t> DepthOf(const std::string& hash);

  std::string path_;
  StoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // [default, bodies]
  std::mutex write_mu_;  // serialises Write: delta bases and counters are read-modify-write
  std::mutex stats_mu_;
  Stats stats_;
  std::atomic<int64_t> duplicate_tasks_{0};
  // The bodies family's filter: the pending retention decision's bodies (docs/STORAGE.md
  // "Retention"). `retention_` is that decision while not yet compacted (write_mu_).
  std::shared_ptr<RetentionFilterFactory> retention_filter_ =
      std::make_shared<RetentionFilterFactory>();
  std::optional<RetentionDecision> retention_;
};

absl::Status RocksStore::OpenDb() {
  rocksdb::Options db_options;
  db_options.create_if_missing = options_.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.keep_log_file_num = 5;
  db_options.max_manifest_file_size = 64 << 20;

  // Records (fetches, observations, ...): LZ4 on every level when this RocksDB build has
  // it. The aggregator reads every record of every site in each census, so decompression
  // speed is what counts: zstd on the bottommost level (where compacted records live)
  // saved ~45 % of the records' disk but cost a sixth of the aggregation's instructions
  // (zstd decompression, callgrind, 1,000 sites). Bodies are zstd already.
  std::vector<rocksdb::CompressionType> supported = rocksdb::GetSupportedCompressions();
  auto has = [&](rocksdb::CompressionType t) {
    return std::find(supported.begin(), supported.end(), t) != supported.end();
  };
  rocksdb::ColumnFamilyOptions meta_options(db_options);
  if (has(rocksdb::kLZ4Compression)) {
    meta_options.compression = rocksdb::kLZ4Compression;
  } else if (has(rocksdb::kSnappyCompression)) {
    meta_options.compression = rocksdb::kSnappyCompression;
  } else {
    meta_options.compression = rocksdb::kNoCompression;
  }

  if (options_.zstd_cold_records && has(rocksdb::kZSTD)) {
    meta_options.bottommost_compression = rocksdb::kZSTD;
  }

  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(32 << 20);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Records are read in long scans (a site's observations, fetches, link checks at
  // aggregation): 16 KiB blocks instead of RocksDB's 4 KiB mean a quarter of the block
  // loads, index entries and cache inserts, and compress better (the 10,000-site bench
  // store: 330 MiB instead of 379 MiB, aggregation ~10 % less CPU; docs/BENCHMARKS.md).
  // Stores written with 4 KiB blocks read as before and take the new size as they compact.
  rocksdb::BlockBasedTableOptions records_table = table;
  records_table.block_size = 16 << 10;
  meta_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(records_table));

  rocksdb::ColumnFamilyOptions body_options(db_options);
  body_options.compression = rocksdb::kNoCompression;
  body_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Large values go to blob files: compaction then moves keys, not page bodies.
  body_options.enable_blob_files = true;
  body_options.min_blob_size = 4096;
  body_options.blob_compression_type = rocksdb::kNoCompression;
  // Retention: removes the bodies a RetentionDecision names, nothing else.
  body_options.compaction_filter_factory = retention_filter_;

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, meta_options},
      {kBodiesFamily, body_options},
  };
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options_.read_only) {
    s = rocksdb::DB::OpenForReadOnly(db_options, path_, families, &handles_, &raw);
  } else {
    s = rocksdb::DB::Open(db_options, path_, families, &handles_, &raw);
  }
  if (!s.ok()) {
    return FromRocks(s, options_.read_only ? "open read-only" : "open", path_);
  }
  db_.reset(raw);

  ASSIGN_OR_RETURN(std::optional<std::string> stats, GetRaw(meta(), std::string(keys::kBodyStats)));
  if (stats.has_value() && !DecodeStats(*stats, &stats_)) {
    return absl::DataLossError(absl::StrCat("store ", path_, ": bad ", keys::kBodyStats));
  }
  // A decision not compacted yet (the process stopped before): its bodies go on being
  // dropped by every compaction until `census compact` finishes it.
  ASSIGN_OR_RETURN(std::optional<std::string> decision,
                   GetRaw(meta(), std::string(keys::kRetention)));
  if (decision.has_value()) {
    RetentionDecision d;
    RETURN_IF_ERROR(ParseValue(rocksdb::Slice(*decision), &d, keys::kRetention));
    if (!d.compacted() && d.drop_hashes_size() > 0) {
      retention_filter_->Set(
          std::make_shared<HashSet>(d.drop_hashes().begin(), d.drop_hashes().end()));
      retention_ = std::move(d);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> RocksStore::GetRaw(rocksdb::ColumnFamilyHandle* cf,
                                                              const std::string& key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf, key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "get", path_);
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<std::optional<StoredBody>> RocksStore::GetStored(const std::string& hash) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw, GetRaw(bodies(), keys::Body(hash)));
  if (!raw.has_value()) return std::optional<StoredBody>();
  StoredBody stored;
  RETURN_IF_ERROR(ParseValue(rocksdb::Slice(*raw), &stored, hash));
  return std::optional<StoredBody>(std::move(stored));
}

absl::StatusOr<uint32_t> RocksStore::DepthOf(const std::string& hash) {
  std::string current = hash;
  for (uint32_t depth = 0; depth < kMaxChain; ++depth) {
    ASSIGN_OR_RETURN(std::optional<StoredBody> stored, GetStored(current));
    if (!stored.has_value()) {
      return absl::NotFoundError(absl::StrCat("store: body ", current, " missing"));
    }
    if (stored->base_hash().empty()) return depth;
    current = stored->base_hash();
  }
  return absl::DataLossError(absl::StrCat("store: delta chain of ", hash, " too long"));
}

absl::Status RocksStore::Write(const ResultBatch& batch) {
  RETURN_IF_ERROR(CheckWritable());
  const std::string& batch_site = batch.site().site_id();
  auto site_of = [&](const std::string& s) -> const std::string& {
    return s.empty() ? batch_site : s;
  };
  // Keys join components with NUL; refuse ids that would make keys ambiguous.
  if (HasNul(batch_site)) return absl::InvalidArgumentError("store: site_id contains NUL");
  for (const FetchRecord& r : batch.fetches()) {
    if (HasNul(r.site_id()) || HasNul(r.url())) {
      return absl::InvalidArgumentError("store: fetch record site_id/url contains NUL");
    }
    if (site_of(r.site_id()).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("store: fetch record of ", r.url(), " has no site_id"));
    }
  }
  for (const PageObservation& o : batch.observations()) {
    if (HasNul(o.site_id()) || HasNul(o.url())) {
      return absl::InvalidArgumentError("store: observation site_id/url contains NUL");
    }
    if (site_of(o.site_id()).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("store: observation of ", o.url(), " has no site_id"));
    }
  }
  for (const Column& c : batch.columns()) {
    if (HasNul(c.site_id())) return absl::InvalidArgumentError("store: column site_id has NUL");
    if (site_of(c.site_id()).empty()) {
      return absl::InvalidArgumentError("store: column without site_id");
    }
  }

  if (HasNul(batch.run_id())) return absl::InvalidArgumentError("store: run_id contains NUL");
  if (batch.link_index_only()) {
    for (const FetchRecord& r : batch.fetches()) {
      if (r.kind() != LINK_CHECK) {
        return absl::InvalidArgumentError(
            "store: a link_index_only batch holds only LINK_CHECK records");
      }
    }
    if (batch.observations_size() > 0 || batch.bodies_size() > 0 || batch.columns_size() > 0) {
      return absl::InvalidArgumentError(
          "store: a link_index_only batch holds no observations, bodies or columns");
    }
  }

  std::lock_guard<std::mutex> lock(write_mu_);
  rocksdb::WriteBatch wb;
  auto put = [&](rocksdb::ColumnFamilyHandle* cf, const std::string& key,
                 const std::string& value) -> absl::Status {
    return FromRocks(wb.Put(cf, key, value), "batch put", path_);
  };

  // One result per task of a run: a lease done twice (its worker died after the write
  // and before LeaseDone, or was cut off past the deadline and came back) leaves the
  // first result; the second one's records of those tasks are dropped, so nothing is
  // counted twice. Keyed by the task, not the lease: a re-lease may group tasks anew.
  ResultBatch deduplicated;
  const ResultBatch* effective = &batch;
  if (!batch.run_id().empty()) {
    std::set<std::string> dropped_pages;  // "<kind>\0<url>" of dropped page tasks
    std::set<std::string> task_keys;
    std::string lease_value;
    keys::AppendU64(&lease_value, batch.lease_id());
    std::vector<bool> keep(static_cast<size_t>(batch.fetches_size()), true);
    int dropped = 0;
    for (int i = 0; i < batch.fetches_size(); ++i) {
      const FetchRecord& r = batch.fetches(i);
      std::string key =
          keys::Task(batch.run_id(), site_of(r.site_id()), r.kind(), r.url(), r.probe_index());
      ASSIGN_OR_RETURN(std::optional<std::string> stored, GetRaw(meta(), key));
      if (stored.has_value() || !task_keys.insert(key).second) {
        keep[static_cast<size_t>(i)] = false;
        dropped_pages.insert(
            absl::StrCat(static_cast<int>(r.kind()), std::string(1, '\0'), r.url()));
        ++dropped;
        continue;
      }
      RETURN_IF_ERROR(put(meta(), key, lease_value));
    }
    if (dropped > 0) {
      duplicate_tasks_.fetch_add(dropped);
      deduplicated = batch;
      deduplicated.clear_fetches();
      for (int i = 0; i < batch.fetches_size(); ++i) {
        if (keep[static_cast<size_t>(i)]) *deduplicated.add_fetches() = batch.fetches(i);
      }
      deduplicated.clear_observations();
      for (const PageObservation& o : batch.observations()) {
        if (dropped_pages.contains(
                absl::StrCat(static_cast<int>(o.kind()), std::string(1, '\0'), o.url()))) {
          continue;
        }
        *deduplicated.add_observations() = o;
      }
      effective = &deduplicated;
    }
  }
  const ResultBatch& b = *effective;

  if (batch.link_index_only()) {
    for (const FetchRecord& r : b.fetches()) {
      RETURN_IF_ERROR(put(meta(), keys::Link(r.url(), r.fetched_at_ms()), r.SerializeAsString()));
    }
    return FromRocks(db_->Write(WriteOpts(), &wb), "write", path_);
  }

  if (!batch_site.empty()) {
    RETURN_IF_ERROR(put(meta(), keys::Site(batch_site), b.site().SerializeAsString()));
  }

  // Columns: the batch's columns replace each named site's column set from the time of
  // the batch's newest record on (0 for a batch without one). Earlier sets stay, so a
  // replay of an earlier run reads that run's columns. The time is the whole batch's,
  // duplicates included: a redone lease's set replaces the first one's, as it did when
  // sets were not versioned.
  std::map<std::string, ResultBatch> column_sets;
  for (const Column& c : b.columns()) {
    *column_sets[site_of(c.site_id())].add_columns() = c;
  }
  if (!column_sets.empty()) {
    int64_t columns_at = 0;
    for (const FetchRecord& r : batch.fetches()) {
      columns_at = std::max(columns_at, r.fetched_at_ms());
    }
    for (const PageObservation& o : batch.observations()) {
      columns_at = std::max(columns_at, o.fetched_at_ms());
    }
    for (const auto& [site, set] : column_sets) {
      RETURN_IF_ERROR(put(meta(), keys::Columns(site, columns_at), set.SerializeAsString()));
    }
  }

  // Fetch records, link-check index, validators.
  std::map<std::string, FetchRecord> validators;  // val/ key -> newest validator record
  for (const FetchRecord& r : b.fetches()) {
    const std::string& site = site_of(r.site_id());
    std::string value = r.SerializeAsString();
    RETURN_IF_ERROR(put(
        meta(), keys::Fetch(site, r.kind(), r.url(), r.fetched_at_ms(), r.probe_index()), value));
    if (r.kind() == LINK_CHECK) {
      RETURN_IF_ERROR(put(meta(), keys::Link(r.url(), r.fetched_at_ms()), value));
    }
    if (!CarriesValidators(r)) continue;
    std::string key = keys::Validators(site, r.url());
    auto it = validators.find(key);
    if (it == validators.end()) {
      ASSIGN_OR_RETURN(std::optional<std::string> old, GetRaw(meta(), key));
      FetchRecord previous;
      if (old.has_value()) RETURN_IF_ERROR(ParseValue(rocksdb::Slice(*old), &previous, key));
      it = validators.emplace(key, std::move(previous)).first;
    }
    FetchRecord& v = it->second;
    const bool had = !v.url().empty();
    if (had && v.fetched_at_ms() > r.fetched_at_ms()) continue;  // an older fetch
    FetchRecord next;
    next.set_site_id(site);
    next.set_url(r.url());
    next.set_fetched_at_ms(r.fetched_at_ms());
    next.set_not_modified(r.not_modified());
    // A 304 confirms what we hold: fields it does not repeat carry over.
    const bool carry = r.not_modified() && had;
    next.set_etag(r.etag().empty() && carry ? v.etag() : r.etag());
    next.set_last_modified(r.last_modified().empty() && carry ? v.last_modified()
                                                              : r.last_modified());
    next.set_content_hash(r.content_hash().empty() && carry ? v.content_hash() : r.content_hash());
    v = std::move(next);
  }
  for (const auto& [key, v] : validators) {
    if (!v.url().empty()) RETURN_IF_ERROR(put(meta(), key, v.SerializeAsString()));
  }

  for (const PageObservation& o : b.observations()) {
    RETURN_IF_ERROR(put(meta(), keys::Obs(site_of(o.site_id()), o.url(), o.fetched_at_ms()),
                        o.SerializeAsString()));
  }
  // A 304 page (not_modified, no observation of its own): the page is as last seen,
  // so the newest earlier observation is copied with the new fetch time, and reads
  // "as of T" see the page unchanged at T.
  for (const FetchRecord& r : b.fetches()) {
    if (!r.not_modified() || r.error() != FETCH_OK ||
        (r.kind() != HOMEPAGE && r.kind() != COLUMN)) {
      continue;
    }
    const std::string& site = site_of(r.site_id());
    std::optional<PageObservation> base;
    for (const PageObservation& o : b.observations()) {
      if (site_of(o.site_id()) != site || o.url() != r.url() ||
          o.fetched_at_ms() > r.fetched_at_ms()) {
        continue;
      }
      if (!base.has_value() || o.fetched_at_ms() > base->fetched_at_ms()) base = o;
    }
    if (base.has_value() && base->fetched_at_ms() == r.fetched_at_ms()) continue;  // has one
    ASSIGN_OR_RETURN(std::optional<PageObservation> stored,
                     ObservationAt(site, r.url(), r.fetched_at_ms()));
    if (stored.has_value() && stored->fetched_at_ms() == r.fetched_at_ms()) continue;  // again
    if (stored.has_value() &&
        (!base.has_value() || stored->fetched_at_ms() > base->fetched_at_ms())) {
      base = std::move(stored);
    }
    if (!base.has_value()) continue;  // never seen in full: nothing to carry forward
    base->set_site_id(site);
    base->set_fetched_at_ms(r.fetched_at_ms());
    RETURN_IF_ERROR(
        put(meta(), keys::Obs(site, r.url(), r.fetched_at_ms()), base->SerializeAsString()));
  }

  // Bodies: dedup by hash, else a delta against the URL's previous body, else keyframe.
  struct Pending {
    absl::string_view raw;
    uint32_t depth;
  };
  std::map<std::string, Pending> pending;  // bodies added by this batch
  const std::shared_ptr<const HashSet> drop_set = retention_filter_->Get();
  std::set<std::string> resurrected;            // bodies of drop_set this batch stores again
  std::map<std::string, VersionInfo> versions;  // ver/ key -> info (read or updated)
  Stats added;
  for (const PageBody& body : b.bodies()) {
    const std::string hash = ContentHash(body.body());
    if (!body.content_hash().empty() && body.content_hash() != hash) {
      return absl::InvalidArgumentError(
          absl::StrCat("store: PageBody content_hash ", body.content_hash(),
                       " is not the SHA-256 of its body (", hash, "); see common/content_hash.h"));
    }
    // Which URL this body belongs to: the first fetch (or observation) naming its hash.
    const std::string* site = nullptr;
    const std::string* url = nullptr;
    int64_t fetched_at = 0;
    for (const FetchRecord& r : b.fetches()) {
      if (r.content_hash() == hash && !r.url().empty()) {
        site = &site_of(r.site_id());
        url = &r.url();
        fetched_at = r.fetched_at_ms();
        break;
      }
    }
    if (url == nullptr) {
      for (const PageObservation& o : b.observations()) {
        if (o.content_hash() == hash && !o.url().empty()) {
          site = &site_of(o.site_id());
          url = &o.url();
          fetched_at = o.fetched_at_ms();
          break;
        }
      }
    }
    VersionInfo* version = nullptr;
    std::string version_key;
    if (url != nullptr) {
      version_key = keys::Version(*site, *url);
      auto it = versions.find(version_key);
      if (it == versions.end()) {
        ASSIGN_OR_RETURN(std::optional<std::string> raw, GetRaw(meta(), version_key));
        VersionInfo info;
        if (raw.has_value() && !DecodeVersion(*raw, &info)) {
          return absl::DataLossError(
              absl::StrCat("store ", path_, ": bad version record of ", *url));
        }
        it = versions.emplace(version_key, std::move(info)).first;
      }
      version = &it->second;
    }
    auto remember = [&](uint32_t depth) {
      if (version == nullptr) return;
      if (!version->hash.empty() && version->fetched_at_ms > fetched_at) return;
      version->depth = depth;
      version->fetched_at_ms = fetched_at;
      version->hash = hash;
    };

    // Already stored (by this batch or before): nothing to write but the version.
    if (auto p = pending.find(hash); p != pending.end()) {
      remember(p->second.depth);
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<std::string> existing, GetRaw(bodies(), keys::Body(hash)));
    // A body a pending retention decision drops is stored anew (below) and taken off
    // the decision, so the filter leaves it: the page came back to an expired version.
    const bool expiring = existing.has_value() && drop_set != nullptr && drop_set->contains(hash);
    if (expiring) resurrected.insert(hash);
    if (existing.has_value() && !expiring) {
      if (version != nullptr) {
        ASSIGN_OR_RETURN(uint32_t depth, DepthOf(hash));
        remember(depth);
      }
      continue;
    }

    StoredBody stored;
    stored.set_raw_bytes(static_cast<int64_t>(body.body().size()));
    uint32_t depth = 0;
    if (version != nullptr && !version->hash.empty() &&
        version->depth + 1 < static_cast<uint32_t>(std::max(options_.keyframe_interval, 1))) {
      std::string base_storage;
      absl::string_view base;
      bool have_base = false;
      if (auto p = pending.find(version->hash); p != pending.end()) {
        base = p->second.raw;
        have_base = true;
      } else if (absl::StatusOr<std::string> b = GetBody(version->hash); b.ok()) {
        base_storage = *std::move(b);
        base = base_storage;
        have_base = true;
      }  // else: base unreadable; fall back to a keyframe
      if (have_base) {
        ASSIGN_OR_RETURN(std::string delta, body_codec::EncodeDelta(body.body(), base));
        stored.set_data(std::move(delta));
        stored.set_base_hash(version->hash);
        depth = version->depth + 1;
      }
    }
    if (stored.base_hash().empty()) {
      ASSIGN_OR_RETURN(std::string frame, body_codec::EncodeKeyframe(body.body()));
      stored.set_data(std::move(frame));
    }
    ++added.bodies;
    ++(stored.base_hash().empty() ? added.keyframes : added.deltas);
    added.raw_bytes += stored.raw_bytes();
    added.stored_bytes += static_cast<int64_t>(stored.data().size());
    RETURN_IF_ERROR(put(bodies(), keys::Body(hash), stored.SerializeAsString()));
    pending.emplace(hash, Pending{body.body(), depth});
    remember(depth);
  }
  for (const auto& [key, info] : versions) {
    if (!info.hash.empty()) RETURN_IF_ERROR(put(meta(), key, EncodeVersion(info)));
  }

  Stats total;
  {
    std::lock_guard<std::mutex> stats_lock(stats_mu_);
    total = stats_;
  }
  if (added.bodies > 0) {
    total.bodies += added.bodies;
    total.keyframes += added.keyframes;
    total.deltas += added.deltas;
    total.raw_bytes += added.raw_bytes;
    total.stored_bytes += added.stored_bytes;
    RETURN_IF_ERROR(put(meta(), std::string(keys::kBodyStats), EncodeStats(total)));
  }

  if (!resurrected.empty() && retention_.has_value()) {
    // Off the decision before the write: a compaction starting in between may then keep
    // the old copy of a body (the same bytes), never drop the new one.
    RetentionDecision next = *retention_;
    next.clear_drop_hashes();
    auto remaining = std::make_shared<HashSet>();
    for (const std::string& h : retention_->drop_hashes()) {
      if (resurrected.contains(h)) continue;
      next.add_drop_hashes(h);
      remaining->insert(h);
    }
    retention_filter_->Set(std::move(remaining));
    retention_ = next;
    RETURN_IF_ERROR(put(meta(), std::string(keys::kRetention), next.SerializeAsString()));
  }

  rocksdb::Status s = db_->Write(WriteOpts(), &wb);
  if (!s.ok()) {
    return FromRocks(s, absl::StrCat("write batch of lease ", batch.lease_id()), path_);
  }
  if (added.bodies > 0) {
    std::lock_guard<std::mutex> stats_lock(stats_mu_);
    stats_ = total;
  }
  return absl::OkStatus();
}

absl::Status RocksStore::PutRun(const RunRecord& run) {
  RETURN_IF_ERROR(CheckWritable());
  return FromRocks(db_->Put(WriteOpts(), meta(), keys::Run(run.run_id()), run.SerializeAsString()),
                   "put run", path_);
}

absl::StatusOr<std::optional<RunRecord>> RocksStore::GetRun(const std::string& run_id) {
  const std::string key = keys::Run(run_id);
  ASSIGN_OR_RETURN(std::optional<std::string> raw, GetRaw(meta(), key));
  if (!raw.has_value()) return std::optional<RunRecord>();
  RunRecord run;
  RETURN_IF_ERROR(ParseValue(rocksdb::Slice(*raw), &run, key));
  return std::optional<RunRecord>(std::move(run));
}

template <typename T>
absl::Status RocksStore::ForEachValue(absl::string_view prefix, absl::string_view what,
                                      const std::function<void(const T&)>& fn) {
  PrefixScan it(db_.get(), meta(), std::string(prefix));
  T value;
  for (it->Seek(it.prefix()); it->Valid(); it->Next()) {
    value.Clear();
    RETURN_IF_ERROR(ParseValue(it->value(), &value, View(it->key())));
    fn(value);
  }
  return FromRocks(it->status(), absl::StrCat("scan ", what), path_);
}

absl::Status RocksStore::ForEachRun(const std::function<void(const RunRecord&)>& fn) {
  return ForEachValue<RunRecord>(keys::kRunPrefix, "runs", fn);
}

absl::Status RocksStore::ForEachSite(const std::function<void(const Site&)>& fn) {
  return ForEachValue<Site>(keys::kSitePrefix, "sites", fn);
}

absl::StatusOr<std::vector<Column>> RocksStore::Columns(const std::string& site_id,
                                                        int64_t until_ms) {
  // The unversioned set of an older store sorts just before the versioned ones, so
  // one SeekForPrev finds the newest versioned set <= until_ms, else that one.
  PrefixScan it(db_.get(), meta(), keys::LegacyColumns(site_id));
  it->SeekForPrev(keys::Columns(site_id, until_ms));
  std::vector<Column> out;
  ResultBatch set;
  if (it->Valid() && IsColumnSetKey(View(it->key()), site_id)) {
    RETURN_IF_ERROR(ParseValue(it->value(), &set, View(it->key())));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read columns", path_));
  out.assign(set.columns().begin(), set.columns().end());
  return out;
}

absl::Status RocksStore::ForEachFetch(const std::string& site_id, int64_t from_ms, int64_t until_ms,
                                      const std::function<void(const FetchRecord&)>& fn) {
  PrefixScan it(db_.get(), meta(), keys::FetchPrefix(site_id));
  for (it->Seek(it.prefix()); it->Valid(); it->Next()) {
    int64_t t = keys::TimeAt(View(it->key()), keys::kFetchSuffixBytes);
    if (t < from_ms || t > until_ms) continue;
    FetchRecord record;
    RETURN_IF_ERROR(ParseValue(it->value(), &record, View(it->key())));
    fn(record);
  }
  return FromRocks(it->status(), "scan fetches", path_);
}

absl::Status RocksStore::ForEachUrlFetch(const std::string& site_id, const std::string& url,
                                         int64_t until_ms,
                                         const std::function<void(const FetchRecord&)>& fn) {
  for (int kind = TaskKind_MIN + 1; kind <= TaskKind_MAX; ++kind) {
    PrefixScan it(db_.get(), meta(), keys::FetchUrlPrefix(site_id, kind, url));
    for (it->Seek(it.prefix()); it->Valid(); it->Next()) {
      if (keys::TimeAt(View(it->key()), keys::kFetchSuffixBytes) > until_ms) break;
      FetchRecord record;
      RETURN_IF_ERROR(ParseValue(it->value(), &record, View(it->key())));
      fn(record);
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan a URL's fetches", path_));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PageObservation>> RocksStore::LatestObservations(
    const std::string& site_id, int64_t until_ms) {
  // Skip-scan: per URL, one SeekForPrev to its newest record <= until_ms, then a Seek
  // past the URL's records. Cost grows with URLs, not with history.
  std::vector<PageObservation> out;
  const std::string prefix = keys::ObsPrefix(site_id);
  PrefixScan it(db_.get(), meta(), prefix);
  it->Seek(prefix);
  while (it->Valid()) {
    absl::string_view key = View(it->key());
    if (key.size() < prefix.size() + 9) {
      return absl::DataLossError(absl::StrCat("store ", path_, ": short observation key"));
    }
    // URL = between the prefix and "\0<time:8>".
    std::string url(key.substr(prefix.size(), key.size() - prefix.size() - 9));
    std::string url_prefix = keys::ObsUrlPrefix(site_id, url);
    std::string target = url_prefix;
    keys::AppendTime(&target, until_ms);
    it->SeekForPrev(target);
    if (it->Valid() && it->key().starts_with(url_prefix)) {
      PageObservation obs;
      RETURN_IF_ERROR(ParseValue(it->value(), &obs, View(it->key())));
      RETURN_IF_ERROR(UseReextracted(site_id, View(it->key()), &obs));
      out.push_back(std::move(obs));
    }
    if (!it->status().ok()) break;
    // Next URL: first key after every "<url>\0..." key.
    std::string next = prefix + url;
    next.push_back('\x01');
    it->Seek(next);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan observations", path_));
  return out;
}

absl::StatusOr<std::optional<PageObservation>> RocksStore::ObservationAt(const std::string& site_id,
                                                                         const std::string& url,
                                                                         int64_t until_ms) {
  PrefixScan it(db_.get(), meta(), keys::ObsUrlPrefix(site_id, url));
  it->SeekForPrev(keys::Obs(site_id, url, until_ms));
  std::optional<PageObservation> out;
  if (it->Valid()) {
    PageObservation obs;
    RETURN_IF_ERROR(ParseValue(it->value(), &obs, View(it->key())));
    out = std::move(obs);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read observation", path_));
  return out;
}

absl::StatusOr<std::vector<PageObservation>> RocksStore::ObservationHistory(
    const std::string& site_id, const std::string& url, int64_t until_ms) {
  std::vector<PageObservation> out;
  PrefixScan it(db_.get(), meta(), keys::ObsUrlPrefix(site_id, url));
  for (it->Seek(it.prefix()); it->Valid(); it->Next()) {
    if (keys::TimeAt(View(it->key())) > until_ms) break;
    PageObservation obs;
    RETURN_IF_ERROR(ParseValue(it->value(), &obs, View(it->key())));
    RETURN_IF_ERROR(UseReextracted(site_id, View(it->key()), &obs));
    out.push_back(std::move(obs));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "scan observation history", path_));
  return out;
}

absl::Status RocksStore::UseReextracted(const std::string& site_id, absl::string_view key,
                                        PageObservation* obs) {
  if (options_.extractor_version == 0) return absl::OkStatus();
  // obs/<site>\0<url>\0<t> → xobs/<version><site>\0<url>\0<t>
  const std::string prefix = keys::ObsPrefix(site_id);
  std::string xkey = keys::ReextractedPrefix(options_.extractor_version, site_id);
  absl::StrAppend(&xkey, key.substr(prefix.size()));
  ASSIGN_OR_RETURN(std::optional<std::string> raw, GetRaw(meta(), xkey));
  if (raw.has_value()) RETURN_IF_ERROR(ParseValue(rocksdb::Slice(*raw), obs, xkey));
  return absl::OkStatus();
}

absl::Status RocksStore::PutReextracted(const std::string& run_id, int32_t version,
                                        const std::string& site_id,
                                        const std::vector<PageObservation>& observations) {
  RETURN_IF_ERROR(CheckWritable());
  if (HasNul(run_id) || HasNul(site_id)) {
    return absl::InvalidArgumentError("store: run_id or site_id contains NUL");
  }
  rocksdb::WriteBatch wb;
  for (const PageObservation& o : observations) {
    if (HasNul(o.url())) return absl::InvalidArgumentError("store: observation url contains NUL");
    RETURN_IF_ERROR(
        FromRocks(wb.Put(meta(), keys::Reextracted(version, site_id, o.url(), o.fetched_at_ms()),
                         o.SerializeAsString()),
                  "batch put", path_));
  }
  RETURN_IF_ERROR(FromRocks(wb.Put(meta(), keys::ReextractDone(run_id, version, site_id), ""),
                            "batch put", path_));
  return FromRocks(db_->Write(WriteOpts(), &wb), "write re-extracted observations", path_);
}

absl::StatusOr<bool> RocksStore::ReextractDone(const std::string& run_id, int32_t version,
                                               const std::string& site_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> raw,
                   GetRaw(meta(), keys::ReextractDone(run_id, version, site_id)));
  return raw.has_value();
}

absl::StatusOr<std::optional<FetchRecord>> RocksStore::LatestLinkCheck(const std::string& url,
                                                                       int64_t from_ms,
                                                                       int64_t until_ms) {
  if (from_ms > until_ms) return std::optional<FetchRecord>();
  PrefixScan it(db_.get(), meta(), keys::LinkUrlPrefix(url));
  it->SeekForPrev(keys::Link(url, until_ms));
  if (it->Valid() && keys::TimeAt(View(it->key())) >= from_ms) {
    FetchRecord record;
    RETURN_IF_ERROR(ParseValue(it->value(), &record, View(it->key())));
    return std::optional<FetchRecord>(std::move(record));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "seek link check", path_));
  return std::optional<FetchRecord>();
}

// RocksStore's Reader: one iterator over the default family, without bounds (each read
// checks its prefix), and messages parsed into reused objects (a cleared protobuf
// message keeps its strings' and repeated fields' memory for the next parse).
class RocksReader : public Store::Reader {
 public:
  explicit RocksReader(RocksStore* store) : store_(store) {}

  using Store::Reader::Columns;
  absl::StatusOr<const google::protobuf::RepeatedPtrField<Column>*> Columns(
      const std::string& site_id, int64_t until_ms) override {
    rocksdb::Iterator* it = Iter();
    it->SeekForPrev(keys::Columns(site_id, until_ms));  // as RocksStore::Columns
    columns_.Clear();
    if (it->Valid() && IsColumnSetKey(View(it->key()), site_id)) {
      RETURN_IF_ERROR(ParseValue(it->value(), &columns_, View(it->key())));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "read columns", store_->path_));
    return &columns_.columns();
  }

  absl::Status ForEachFetch(const std::string& site_id, int64_t from_ms, int64_t until_ms,
                            const std::function<void(const FetchRecord&)>& fn) override {
    const std::string prefix = keys::FetchPrefix(site_id);
    rocksdb::Iterator* it = Iter();
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      int64_t t = keys::TimeAt(View(it->key()), keys::kFetchSuffixBytes);
      if (t < from_ms || t > until_ms) continue;
      RETURN_IF_ERROR(ParseValue(it->value(), &fetch_, View(it->key())));
      fn(fetch_);
    }
    return FromRocks(it->status(), "scan fetches", store_->path_);
  }

  absl::Status ForEachObservationHistory(
      const std::string& site_id, int64_t until_ms,
      const std::function<absl::Status(const std::vector<const PageObservation*>& history)>& fn)
      override {
    // One forward scan of obs/<site>\0: keys come grouped by URL, oldest first. The
    // pool's first `kept` objects are the newest observations of the URLs done so far;
    // [kept, used) is the current URL's history.
    const std::string prefix = keys::ObsPrefix(site_id);
    RETURN_IF_ERROR(LoadReextracted(site_id));
    url_.clear();
    size_t kept = 0;
    size_t used = 0;
    auto flush = [&]() -> absl::Status {
      if (used == kept) return absl::OkStatus();
      history_.clear();
      for (size_t i = kept; i < used; ++i) history_.push_back(obs_pool_[i].get());
      RETURN_IF_ERROR(fn(history_));
      std::swap(obs_pool_[kept], obs_pool_[used - 1]);  // the newest stays
      used = ++kept;
      return absl::OkStatus();
    };
    rocksdb::Iterator* it = Iter();
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      absl::string_view key = View(it->key());
      if (key.size() < prefix.size() + 9) {
        return absl::DataLossError(
            absl::StrCat("store ", store_->path_, ": short observation key"));
      }
      absl::string_view url = key.substr(prefix.size(), key.size() - prefix.size() - 9);
      if (url != url_) {
        RETURN_IF_ERROR(flush());
        url_.assign(url.data(), url.size());
      }
      if (keys::TimeAt(key) > until_ms) continue;  // newer than T: not in the history
      if (used == obs_pool_.size()) obs_pool_.push_back(std::make_unique<PageObservation>());
      RETURN_IF_ERROR(ParseValue(it->value(), obs_pool_[used].get(), key));
      if (!reextracted_.empty()) {
        // StoreOptions::extractor_version: the re-extraction of this one, if any.
        auto x = reextracted_.find(key.substr(prefix.size()));
        if (x != reextracted_.end()) {
          RETURN_IF_ERROR(ParseValue(rocksdb::Slice(x->second), obs_pool_[used].get(), key));
        }
      }
      ++used;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan observation histories", store_->path_));
    return flush();
  }

  absl::StatusOr<const std::vector<const FetchRecord*>*> LatestLinkChecks(
      const std::vector<absl::string_view>& urls, int64_t from_ms, int64_t until_ms) override {
    links_.assign(urls.size(), nullptr);
    if (urls.empty() || from_ms > until_ms) return &links_;
    // "link/<url>\0" sorts as <url> does (no URL holds NUL): visit the URLs in order.
    SortedOrder(urls, &sort_keys_, &order_);
    constexpr absl::string_view kLinkPrefix = "link/";
    rocksdb::Iterator* it = Iter();
    size_t hits = 0;
    size_t k = 0;
    while (k < order_.size()) {
      // The first record of urls[order_[k]], or of the next URL in the store that has
      // one: every URL before that one has no record and is skipped without a seek.
      it->Seek(keys::LinkUrlPrefix(urls[order_[k]]));
      if (!it->Valid() || !absl::StartsWith(View(it->key()), kLinkPrefix)) break;
      absl::string_view key = View(it->key());
      if (key.size() < kLinkPrefix.size() + 9) {
        return absl::DataLossError(absl::StrCat("store ", store_->path_, ": short link key"));
      }
      const absl::string_view found =
          key.substr(kLinkPrefix.size(), key.size() - kLinkPrefix.size() - 9);
      while (k < order_.size() && urls[order_[k]] < found) ++k;
      if (k == order_.size()) break;
      const absl::string_view url = urls[order_[k]];
      if (url != found) continue;  // `found` is none of ours
      // `url` has records: the newest at or before until_ms, unless before from_ms.
      const std::string url_prefix = keys::LinkUrlPrefix(url);
      it->SeekForPrev(keys::Link(url, until_ms));
      const FetchRecord* result = nullptr;
      if (it->Valid() && it->key().starts_with(url_prefix) &&
          keys::TimeAt(View(it->key())) >= from_ms) {
        if (hits == link_pool_.size()) link_pool_.push_back(std::make_unique<FetchRecord>());
        FetchRecord* record = link_pool_[hits++].get();
        RETURN_IF_ERROR(ParseValue(it->value(), record, View(it->key())));
        result = record;
      }
      RETURN_IF_ERROR(FromRocks(it->status(), "seek link checks", store_->path_));
      for (; k < order_.size() && urls[order_[k]] == url; ++k) links_[order_[k]] = result;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "seek link checks", store_->path_));
    return &links_;
  }

 private:
  rocksdb::Iterator* Iter() {
    if (it_ == nullptr) it_.reset(store_->db_->NewIterator(rocksdb::ReadOptions(), store_->meta()));
    return it_.get();
  }

  // StoreOptions::extractor_version: the site's re-extracted observations by
  // "<url>\0<t>" (one scan of xobs/<version><site>\0), else none.
  absl::Status LoadReextracted(const std::string& site_id) {
    reextracted_.clear();
    const int32_t version = store_->options_.extractor_version;
    if (version == 0) return absl::OkStatus();
    const std::string prefix = keys::ReextractedPrefix(version, site_id);
    rocksdb::Iterator* it = Iter();
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      reextracted_.emplace(std::string(View(it->key()).substr(prefix.size())),
                           it->value().ToString());
    }
    return FromRocks(it->status(), "scan re-extracted observations", store_->path_);
  }

  RocksStore* store_;
  std::unique_ptr<rocksdb::Iterator> it_;
  ResultBatch columns_;
  FetchRecord fetch_;
  std::vector<std::unique_ptr<PageObservation>> obs_pool_;
  absl::flat_hash_map<std::string, std::string> reextracted_;  // "<url>\0<t>" → value
  std::vector<const PageObservation*> history_;
  std::string url_;
  std::vector<std::unique_ptr<FetchRecord>> link_pool_;
  std::vector<const FetchRecord*> links_;
  std::vector<std::pair<uint64_t, uint32_t>> sort_keys_;
  std::vector<uint32_t> order_;
};

std::unique_ptr<Store::Reader> RocksStore::NewReader() {
  return std::make_unique<RocksReader>(this);
}

absl::Status RocksStore::CompactRecords() {
  RETURN_IF_ERROR(CheckWritable());
  rocksdb::CompactRangeOptions compact;
  // Rewrite the bottommost level too, so every record ends up in one sorted run with
  // this store's current compression.
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return FromRocks(db_->CompactRange(compact, meta(), nullptr, nullptr), "compact", path_);
}

absl::StatusOr<RetentionDecision> RocksStore::ApplyRetention(
    const RetentionPolicy& policy, const std::function<void(const std::string&)>& progress) {
  RETURN_IF_ERROR(CheckWritable());
  if (policy.keep_versions < 0 || policy.keep_days < 0) {
    return absl::InvalidArgumentError("retention: keep_versions and keep_days must be >= 0");
  }
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  // Writes wait until the bodies are compacted: a Write deduplicating against a body
  // the decision drops would otherwise race the filter.
  std::lock_guard<std::mutex> lock(write_mu_);

  // 1. The windows of the stored runs: a record inside one is a run's evidence. Runs
  // beyond keep_runs (the oldest) are deleted in the decision's batch.
  std::vector<RunRecord> runs;
  RETURN_IF_ERROR(ForEachRun([&](const RunRecord& run) { runs.push_back(run); }));
  std::vector<std::string> expired_runs;
  if (policy.keep_runs >= 0 && runs.size() > static_cast<size_t>(policy.keep_runs)) {
    const size_t cut = runs.size() - static_cast<size_t>(policy.keep_runs);
    for (size_t i = 0; i < cut; ++i) expired_runs.push_back(runs[i].run_id());
    runs.erase(runs.begin(), runs.begin() + static_cast<std::ptrdiff_t>(cut));
  }
  std::vector<std::pair<int64_t, int64_t>> windows;
  for (const RunRecord& run : runs) {
    windows.emplace_back(run.started_ms(), std::max(run.started_ms(), run.finished_ms()));
  }
  auto in_a_window = [&](int64_t t) {
    for (const auto& [from, until] : windows) {
      if (t >= from && t <= until) return true;
    }
    return false;
  };

  // 2. Every URL's versions: the content hashes its fetch records and observations name,
  // with the newest time naming each, and whether a run's window holds one of them.
  struct Seen {
    int64_t last_ms = std::numeric_limits<int64_t>::min();
    bool evidence = false;
  };
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, Seen>> urls;  // site\0url
  int64_t records = 0;
  auto note = [&](absl::string_view key, absl::string_view prefix, const std::string& url,
                  const std::string& hash, int64_t t) {
    if (hash.empty()) return;
    absl::string_view rest = key.substr(prefix.size());
    std::string id(rest.substr(0, rest.find('\0')));  // the site, as keyed
    id.push_back('\0');
    id.append(url);
    Seen& seen = urls[id][hash];
    seen.last_ms = std::max(seen.last_ms, t);
    seen.evidence = seen.evidence || in_a_window(t);
  };
  {
    PrefixScan it(db_.get(), meta(), std::string(keys::kFetchPrefix));
    FetchRecord r;
    for (it->Seek(it.prefix()); it->Valid(); it->Next()) {
      RETURN_IF_ERROR(ParseValue(it->value(), &r, View(it->key())));
      note(View(it->key()), keys::kFetchPrefix, r.url(), r.content_hash(), r.fetched_at_ms());
      if (++records % 100000 == 0) say(absl::StrCat("retention: read ", records, " records"));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan fetches", path_));
  }
  {
    PrefixScan it(db_.get(), meta(), std::string(keys::kObsPrefix));
    PageObservation o;
    for (it->Seek(it.prefix()); it->Valid(); it->Next()) {
      RETURN_IF_ERROR(ParseValue(it->value(), &o, View(it->key())));
      note(View(it->key()), keys::kObsPrefix, o.url(), o.content_hash(), o.fetched_at_ms());
      if (++records % 100000 == 0) say(absl::StrCat("retention: read ", records, " records"));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan observations", path_));
  }
  // The newest body of each URL is the base of its next delta: always kept.
  HashSet kept;
  {
    PrefixScan it(db_.get(), meta(), std::string(keys::kVersionPrefix));
    for (it->Seek(it.prefix()); it->Valid(); it->Next()) {
      VersionInfo v;
      if (!DecodeVersion(View(it->value()), &v)) {
        return absl::DataLossError(absl::StrCat("store ", path_, ": bad version record"));
      }
      kept.insert(v.hash);
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan versions", path_));
  }

  // 3. The decision, URL by URL.
  RetentionDecision decision;
  decision.set_decided_at_ms(policy.now_ms);
  decision.set_keep_versions(policy.keep_versions);
  decision.set_keep_days(policy.keep_days);
  decision.set_keep_runs(policy.keep_runs);
  for (const std::string& id : expired_runs) decision.add_runs_dropped(id);
  decision.set_urls(static_cast<int64_t>(urls.size()));
  const int64_t recent_from = policy.keep_days > 0
                                  ? policy.now_ms - int64_t{policy.keep_days} * 86'400'000
                                  : std::numeric_limits<int64_t>::max();
  const size_t keep_count = static_cast<size_t>(std::max(policy.keep_versions, 1));
  const HashSet cited(policy.cited.begin(), policy.cited.end());
  std::vector<std::pair<const std::string*, const Seen*>> expired;  // (hash, seen)
  {
    std::vector<std::pair<const std::string*, const Seen*>> order;
    for (const auto& [id, versions] : urls) {
      order.clear();
      for (const auto& [hash, seen] : versions) order.emplace_back(&hash, &seen);
      // Newest first; ties by hash, so the decision does not depend on map order.
      std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.second->last_ms != b.second->last_ms ? a.second->last_ms > b.second->last_ms
                                                      : *a.first < *b.first;
      });
      for (size_t i = 0; i < order.size(); ++i) {
        const auto& [hash, seen] = order[i];
        decision.set_versions(decision.versions() + 1);
        const bool by_policy = i < keep_count || seen->last_ms >= recent_from;
        if (by_policy || seen->evidence || cited.contains(*hash)) {
          if (!by_policy) decision.set_versions_protected(decision.versions_protected() + 1);
          kept.insert(*hash);
        } else {
          expired.push_back(order[i]);
        }
      }
    }
  }
  say(absl::StrCat("retention: ", urls.size(), " URLs, ", decision.versions(), " versions, ",
                   expired.size(), " expired, ", decision.versions_protected(),
                   " kept as a run's evidence"));

  // 4. The bodies: every stored one's base, and the drop set (expired everywhere it is
  // named, and stored).
  absl::flat_hash_map<std::string, std::string> base_of;  // every stored body
  HashSet drop;
  Stats stats;
  {
    std::lock_guard<std::mutex> stats_lock(stats_mu_);
    stats = stats_;
  }
  int64_t stored_before = 0;
  {
    PrefixScan it(db_.get(), bodies(), "");
    StoredBody body;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      RETURN_IF_ERROR(ParseValue(it->value(), &body, View(it->key())));
      std::string hash(View(it->key()));
      stored_before += static_cast<int64_t>(body.data().size());
      base_of.emplace(hash, body.base_hash());
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "scan bodies", path_));
  }
  decision.set_stored_bytes_before(stored_before);
  for (const auto& [hash, seen] : expired) {
    if (!kept.contains(*hash) && base_of.contains(*hash)) drop.insert(*hash);
  }
  for (const auto& [hash, seen] : expired) {
    if (drop.contains(*hash)) decision.set_versions_dropped(decision.versions_dropped() + 1);
  }

  // 5. Rebase every kept body whose base is dropped: a delta against its nearest kept
  // ancestor (its depth only shrinks, so the keyframe bound holds), else a keyframe.
  // Deltas are against a base's raw bytes, so a kept base re-encoded changes nothing
  // for the bodies built on it.
  rocksdb::WriteBatch wb;
  for (const std::string& id : expired_runs) {
    RETURN_IF_ERROR(FromRocks(wb.Delete(meta(), keys::Run(id)), "delete run", path_));
    const std::string tasks = keys::TaskPrefix(id);
    RETURN_IF_ERROR(FromRocks(wb.DeleteRange(meta(), tasks, keys::PrefixEnd(tasks)),
                              "delete run tasks", path_));
  }
  int64_t stored_after = stored_before;
  int64_t rebase_total = 0;
  for (const auto& [hash, base] : base_of) {
    if (!drop.contains(hash) && !base.empty() && drop.contains(base)) ++rebase_total;
  }
  int64_t rebased = 0;
  for (const auto& [hash, base] : base_of) {
    if (drop.contains(hash) || base.empty() || !drop.contains(base)) continue;
    std::string ancestor = base;
    for (int steps = 0; !ancestor.empty() && drop.contains(ancestor); ++steps) {
      if (steps > kMaxChain) {
        return absl::DataLossError(absl::StrCat("store: delta chain of ", hash, " too long"));
      }
      auto it = base_of.find(ancestor);
      ancestor = it == base_of.end() ? std::string() : it->second;
    }
    ASSIGN_OR_RETURN(std::string raw, GetBody(hash));
    ASSIGN_OR_RETURN(std::optional<StoredBody> old, GetStored(hash));
    StoredBody next;
    next.set_raw_bytes(static_cast<int64_t>(raw.size()));
    absl::StatusOr<std::string> ancestor_raw =
        ancestor.empty() ? absl::NotFoundError("none") : GetBody(ancestor);
    if (ancestor_raw.ok()) {
      ASSIGN_OR_RETURN(std::string delta, body_codec::EncodeDelta(raw, *ancestor_raw));
      next.set_data(std::move(delta));
      next.set_base_hash(ancestor);
      decision.set_rebased_deltas(decision.rebased_deltas() + 1);
    } else {
      ASSIGN_OR_RETURN(std::string frame, body_codec::EncodeKeyframe(raw));
      next.set_data(std::move(frame));
      decision.set_rebased_keyframes(decision.rebased_keyframes() + 1);
      --stats.deltas;
      ++stats.keyframes;
    }
    const int64_t old_size = old.has_value() ? static_cast<int64_t>(old->data().size()) : 0;
    stored_after += static_cast<int64_t>(next.data().size()) - old_size;
    stats.stored_bytes += static_cast<int64_t>(next.data().size()) - old_size;
    RETURN_IF_ERROR(
        FromRocks(wb.Put(bodies(), keys::Body(hash), next.SerializeAsString()), "put", path_));
    if (++rebased % 1000 == 0) say(absl::StrCat("retention: rebased ", rebased, "/", rebase_total));
  }
  std::vector<std::string> drop_sorted(drop.begin(), drop.end());
  std::sort(drop_sorted.begin(), drop_sorted.end());
  for (const std::string& hash : drop_sorted) {
    ASSIGN_OR_RETURN(std::optional<StoredBody> old, GetStored(hash));
    if (!old.has_value()) continue;
    --stats.bodies;
    --(old->base_hash().empty() ? stats.keyframes : stats.deltas);
    stats.raw_bytes -= old->raw_bytes();
    stats.stored_bytes -= static_cast<int64_t>(old->data().size());
    stored_after -= static_cast<int64_t>(old->data().size());
    decision.set_raw_bytes_dropped(decision.raw_bytes_dropped() + old->raw_bytes());
    decision.add_drop_hashes(hash);
  }
  for (int64_t* field :
       {&stats.bodies, &stats.keyframes, &stats.deltas, &stats.raw_bytes, &stats.stored_bytes}) {
    *field = std::max<int64_t>(*field, 0);
  }
  decision.set_bodies_dropped(decision.drop_hashes_size());
  decision.set_stored_bytes_after(stored_after);
  RETURN_IF_ERROR(FromRocks(
      wb.Put(meta(), std::string(keys::kRetention), decision.SerializeAsString()), "put", path_));
  RETURN_IF_ERROR(
      FromRocks(wb.Put(meta(), std::string(keys::kBodyStats), EncodeStats(stats)), "put", path_));
  // The rebased bodies and the decision land together: a crash leaves either the old
  // store or a decision whose bodies nothing kept depends on any more.
  RETURN_IF_ERROR(FromRocks(db_->Write(WriteOpts(), &wb), "write retention decision", path_));
  {
    std::lock_guard<std::mutex> stats_lock(stats_mu_);
    stats_ = stats;
  }
  retention_filter_->Set(std::make_shared<HashSet>(std::move(drop)));
  retention_ = decision;
  say(absl::StrCat("retention: ", decision.bodies_dropped(), " bodies to drop, ",
                   decision.rebased_keyframes() + decision.rebased_deltas(),
                   " rebased; compacting the bodies"));

  // 6. Compact the bodies: the filter removes the decided bodies; forced blob garbage
  // collection rewrites every blob file, so the dropped bodies' blobs are freed.
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  compact.blob_garbage_collection_policy = rocksdb::BlobGarbageCollectionPolicy::kForce;
  compact.blob_garbage_collection_age_cutoff = 1.0;
  RETURN_IF_ERROR(
      FromRocks(db_->CompactRange(compact, bodies(), nullptr, nullptr), "compact bodies", path_));

  decision.set_compacted(true);
  decision.clear_drop_hashes();  // the counts stay; the list served the filter
  RETURN_IF_ERROR(FromRocks(
      db_->Put(WriteOpts(), meta(), std::string(keys::kRetention), decision.SerializeAsString()),
      "put retention decision", path_));
  retention_filter_->Set(nullptr);
  retention_.reset();
  return decision;
}

absl::StatusOr<std::string> RocksStore::GetBody(const std::string& content_hash) {
  // Walk back to the keyframe, then apply the deltas forward.
  std::vector<StoredBody> chain;
  std::string current = content_hash;
  while (true) {
    if (chain.size() >= static_cast<size_t>(kMaxChain)) {
      return absl::DataLossError(absl::StrCat("store: delta chain of ", content_hash, " too long"));
    }
    ASSIGN_OR_RETURN(std::optional<StoredBody> stored, GetStored(current));
    if (!stored.has_value()) {
      return absl::NotFoundError(
          current == content_hash
              ? absl::StrCat("store: no body ", content_hash)
              : absl::StrCat("store: base ", current, " of body ", content_hash, " missing"));
    }
    std::string base = stored->base_hash();
    chain.push_back(*std::move(stored));
    if (base.empty()) break;
    current = std::move(base);
  }
  std::string body;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    absl::StatusOr<std::string> next = body_codec::Decode(it->data(), body, it->raw_bytes());
    if (!next.ok()) {
      return absl::DataLossError(
          absl::StrCat("store: body ", content_hash, ": ", next.status().message()));
    }
    body = *std::move(next);
  }
  if (ContentHash(body) != content_hash) {
    return absl::DataLossError(
        absl::StrCat("store: body ", content_hash, " does not match its hash"));
  }
  return body;
}

absl::StatusOr<std::optional<Validators>> RocksStore::LastValidators(const std::string& site_id,
                                                                     const std::string& url) {
  const std::string key = keys::Validators(site_id, url);
  ASSIGN_OR_RETURN(std::optional<std::string> raw, GetRaw(meta(), key));
  if (!raw.has_value()) return std::optional<Validators>();
  FetchRecord record;
  RETURN_IF_ERROR(ParseValue(rocksdb::Slice(*raw), &record, key));
  Validators v;
  v.set_etag(record.etag());
  v.set_last_modified(record.last_modified());
  v.set_content_hash(record.content_hash());
  return std::optional<Validators>(std::move(v));
}

}  // namespace

namespace {

// The Reader of a Store that has no batched reads of its own: the single-lookup methods.
class LookupReader : public Store::Reader {
 public:
  explicit LookupReader(Store* store) : store_(store) {}

  using Store::Reader::Columns;
  absl::StatusOr<const google::protobuf::RepeatedPtrField<Column>*> Columns(
      const std::string& site_id, int64_t until_ms) override {
    ASSIGN_OR_RETURN(std::vector<Column> columns, store_->Columns(site_id, until_ms));
    columns_.Clear();
    for (Column& column : columns) *columns_.Add() = std::move(column);
    return &columns_;
  }

  absl::Status ForEachFetch(const std::string& site_id, int64_t from_ms, int64_t until_ms,
                            const std::function<void(const FetchRecord&)>& fn) override {
    return store_->ForEachFetch(site_id, from_ms, until_ms, fn);
  }

  absl::Status ForEachObservationHistory(
      const std::string& site_id, int64_t until_ms,
      const std::function<absl::Status(const std::vector<const PageObservation*>& history)>& fn)
      override {
    latest_.clear();
    ASSIGN_OR_RETURN(std::vector<PageObservation> latest,
                     store_->LatestObservations(site_id, until_ms));
    for (PageObservation& newest : latest) {
      ASSIGN_OR_RETURN(std::vector<PageObservation> history,
                       store_->ObservationHistory(site_id, newest.url(), until_ms));
      if (history.empty()) continue;
      latest_.push_back(std::move(newest));
      std::vector<const PageObservation*> view;
      for (size_t i = 0; i + 1 < history.size(); ++i) view.push_back(&history[i]);
      view.push_back(&latest_.back());
      RETURN_IF_ERROR(fn(view));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<const std::vector<const FetchRecord*>*> LatestLinkChecks(
      const std::vector<absl::string_view>& urls, int64_t from_ms, int64_t until_ms) override {
    checks_.clear();
    links_.clear();
    for (absl::string_view url : urls) {
      ASSIGN_OR_RETURN(std::optional<FetchRecord> check,
                       store_->LatestLinkCheck(std::string(url), from_ms, until_ms));
      if (check.has_value()) checks_.push_back(*std::move(check));
      links_.push_back(check.has_value() ? &checks_.back() : nullptr);
    }
    return &links_;
  }

 private:
  Store* store_;
  google::protobuf::RepeatedPtrField<Column> columns_;
  std::deque<PageObservation> latest_;  // stable addresses
  std::deque<FetchRecord> checks_;
  std::vector<const FetchRecord*> links_;
};

}  // namespace

absl::Status Store::ForEachUrlFetch(const std::string& site_id, const std::string& url,
                                    int64_t until_ms,
                                    const std::function<void(const FetchRecord&)>& fn) {
  return ForEachFetch(site_id, INT64_MIN, until_ms, [&](const FetchRecord& record) {
    if (record.url() == url) fn(record);
  });
}

absl::StatusOr<std::optional<StoredBody>> Store::GetStoredBody(const std::string& /*hash*/) {
  return absl::UnimplementedError("this store does not say how its bodies are stored");
}

std::unique_ptr<Store::Reader> Store::NewReader() { return std::make_unique<LookupReader>(this); }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path,
                                                   const StoreOptions& options) {
  auto store = std::make_unique<RocksStore>(path, options);
  RETURN_IF_ERROR(store->OpenDb());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace census
