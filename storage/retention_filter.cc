#include "storage/retention_filter.h"

#include <utility>

#include "absl/strings/string_view.h"

namespace census {
namespace {

class RetentionFilter : public rocksdb::CompactionFilter {
 public:
  explicit RetentionFilter(std::shared_ptr<const HashSet> drop) : drop_(std::move(drop)) {}

  const char* Name() const override { return "census.RetentionFilter"; }

  Decision FilterV2(int /*level*/, const rocksdb::Slice& key, ValueType value_type,
                    const rocksdb::Slice& /*existing_value*/, std::string* /*new_value*/,
                    std::string* /*skip_until*/) const override {
    if (value_type == kMergeOperand) return Decision::kKeep;  // bodies have no merges
    return Drops(key) ? Decision::kRemove : Decision::kKeep;
  }

  // A body in a blob file: decided by its key alone, the blob is not read.
  Decision FilterBlobByKey(int /*level*/, const rocksdb::Slice& key, std::string* /*new_value*/,
                           std::string* /*skip_until*/) const override {
    return Drops(key) ? Decision::kRemove : Decision::kKeep;
  }

 private:
  bool Drops(const rocksdb::Slice& key) const {
    return drop_->contains(absl::string_view(key.data(), key.size()));
  }

  std::shared_ptr<const HashSet> drop_;
};

}  // namespace

void RetentionFilterFactory::Set(std::shared_ptr<const HashSet> drop) {
  std::lock_guard<std::mutex> lock(mu_);
  drop_ = std::move(drop);
}

std::shared_ptr<const HashSet> RetentionFilterFactory::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return drop_;
}

std::unique_ptr<rocksdb::CompactionFilter> RetentionFilterFactory::CreateCompactionFilter(
    const rocksdb::CompactionFilter::Context& /*context*/) {
  std::shared_ptr<const HashSet> drop = Get();
  if (drop == nullptr || drop->empty()) return nullptr;  // nothing pending: no filter
  return std::make_unique<RetentionFilter>(std::move(drop));
}

}  // namespace census
