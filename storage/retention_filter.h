#ifndef CENSUS_STORAGE_RETENTION_FILTER_H_
#define CENSUS_STORAGE_RETENTION_FILTER_H_

// The "bodies" column family's compaction filter (docs/STORAGE.md "Retention"): it
// removes exactly the bodies named by the store's pending RetentionDecision, and keeps
// everything else. The decision is made (and the kept deltas rebased) before the set is
// handed over, so the filter itself decides nothing: it is a set lookup by key, which
// also lets RocksDB drop a body kept in a blob file without reading the blob.

#include <rocksdb/compaction_filter.h>

#include <memory>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_set.h"

namespace census {

using HashSet = absl::flat_hash_set<std::string>;

class RetentionFilterFactory : public rocksdb::CompactionFilterFactory {
 public:
  // The bodies to drop from now on (nullptr or empty: none). Compactions already running
  // keep the set they started with.
  void Set(std::shared_ptr<const HashSet> drop);
  std::shared_ptr<const HashSet> Get() const;

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override;
  const char* Name() const override { return "census.RetentionFilterFactory"; }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const HashSet> drop_;
};

}  // namespace census

#endif  // CENSUS_STORAGE_RETENTION_FILTER_H_
