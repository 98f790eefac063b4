#ifndef CENSUS_STORAGE_KEYS_H_
#define CENSUS_STORAGE_KEYS_H_

// RocksDB key encoding of the store (docs/STORAGE.md). Text tags, NUL-separated
// components (site ids and URLs never contain NUL), and times as 8-byte big-endian
// with the sign bit flipped, so that byte order is chronological order.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace census::keys {

// 8-byte order-preserving encoding of a signed time.
void AppendTime(std::string* out, int64_t ms);
// Decodes the 8 bytes at the end of `key` (after dropping `suffix_bytes`).
int64_t TimeAt(absl::string_view key, size_t suffix_bytes = 0);
void AppendU32(std::string* out, uint32_t v);
uint32_t DecodeU32(absl::string_view bytes);
void AppendU64(std::string* out, uint64_t v);
uint64_t DecodeU64(absl::string_view bytes);

// Smallest key greater than every key starting with `prefix` (for iterate_upper_bound).
std::string PrefixEnd(absl::string_view prefix);

std::string Site(absl::string_view site_id);
inline constexpr absl::string_view kSitePrefix = "site/";
inline constexpr absl::string_view kRunPrefix = "run/";
// col/<site>\0<t>: the site's column set written by a batch whose newest record was
// fetched at <t>. ColumnsPrefix is "col/<site>\0".
std::string ColumnsPrefix(absl::string_view site_id);
std::string Columns(absl::string_view site_id, int64_t at_ms);
// col/<site>: the one unversioned set of a store written before sets were versioned
// (read, never written). It sorts just before the site's versioned sets.
std::string LegacyColumns(absl::string_view site_id);
std::string Run(absl::string_view run_id);

// fetch/<site>\0<kind:02d>\0<url>\0<time:8><probe_index:4>
std::string FetchPrefix(absl::string_view site_id);
// fetch/<site>\0<kind:02d>\0<url>\0: one URL's fetches of one kind.
std::string FetchUrlPrefix(absl::string_view site_id, int kind, absl::string_view url);
std::string Fetch(absl::string_view site_id, int kind, absl::string_view url, int64_t fetched_at_ms,
                  int32_t probe_index);
inline constexpr size_t kFetchSuffixBytes = 4;  // probe_index after the time

// obs/<site>\0<url>\0<time:8>
std::string ObsPrefix(absl::string_view site_id);
std::string ObsUrlPrefix(absl::string_view site_id, absl::string_view url);
std::string Obs(absl::string_view site_id, absl::string_view url, int64_t fetched_at_ms);

// link/<url>\0<time:8>
std::string LinkUrlPrefix(absl::string_view url);
std::string Link(absl::string_view url, int64_t fetched_at_ms);

// val/<site>\0<url>: validators of the newest fetch (a FetchRecord).
std::string Validators(absl::string_view site_id, absl::string_view url);
// ver/<site>\0<url>: the URL's newest stored body (delta base) and its chain depth.
std::string Version(absl::string_view site_id, absl::string_view url);
// In the "bodies" column family: <content_hash> -> StoredBody.
std::string Body(absl::string_view content_hash);

// task/<run_id>\0<site>\0<kind:02d>\0<url>\0<probe_index:4>: the task's result of that
// run is stored (value: the lease id, 8 bytes). A second result is dropped.
// task/<run_id>\0: every task key of one run.
std::string TaskPrefix(absl::string_view run_id);
std::string Task(absl::string_view run_id, absl::string_view site_id, int kind,
                 absl::string_view url, int32_t probe_index);

// xobs/<version:4><site>\0<url>\0<time:8>: the observation obs/<site>\0<url>\0<time>
// made again from its stored body by extractor `version` (census replay --reextract).
std::string ReextractedPrefix(int32_t version, absl::string_view site_id);
std::string Reextracted(int32_t version, absl::string_view site_id, absl::string_view url,
                        int64_t fetched_at_ms);
// xdone/<run_id>\0<version:4><site>: the site's observations of that run are
// re-extracted by that version (empty value).
std::string ReextractDone(absl::string_view run_id, int32_t version, absl::string_view site_id);

inline constexpr absl::string_view kBodyStats = "meta/body_stats";
// The newest retention decision (a RetentionDecision; docs/STORAGE.md "Retention").
inline constexpr absl::string_view kRetention = "meta/retention";
inline constexpr absl::string_view kFetchPrefix = "fetch/";
inline constexpr absl::string_view kObsPrefix = "obs/";
inline constexpr absl::string_view kVersionPrefix = "ver/";

}  // namespace census::keys

#endif  // CENSUS_STORAGE_KEYS_H_
