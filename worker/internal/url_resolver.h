#ifndef CENSUS_WORKER_INTERNAL_URL_RESOLVER_H_
#define CENSUS_WORKER_INTERNAL_URL_RESOLVER_H_

// ResolveUrl against one page's base, memoised: a page's links, navigation
// columns and list items resolve the same hrefs several times.

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "worker/extract.h"

namespace census {
namespace internal {

class UrlResolver {
 public:
  explicit UrlResolver(std::string base) : base_(std::move(base)) {}

  const std::string& base() const { return base_; }

  // ResolveUrl(base(), href).
  std::string Resolve(absl::string_view href) {
    auto it = memo_.find(href);
    if (it == memo_.end()) it = memo_.emplace(std::string(href), ResolveUrl(base_, href)).first;
    return it->second;
  }

 private:
  std::string base_;
  absl::flat_hash_map<std::string, std::string> memo_;
};

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_URL_RESOLVER_H_
