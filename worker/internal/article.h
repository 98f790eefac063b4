#ifndef CENSUS_WORKER_INTERNAL_ARTICLE_H_
#define CENSUS_WORKER_INTERNAL_ARTICLE_H_

// Page-level facts: visible text lines, publication dates, meta tags, titles.

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "worker/internal/html_dom.h"

namespace census {
namespace internal {

// Visible text of `n` split at block boundaries, each line collapsed, empty
// lines dropped.
std::vector<std::string> BlockLines(const xmlNode* n);

// <meta name=... content=...> pairs in document order (names lower-cased).
struct MetaTag {
  std::string name;
  std::string content;
};
std::vector<MetaTag> MetaTags(xmlDoc* doc);

struct PublicationDate {
  std::string date;  // YYYY-MM-DD, "" when none
  std::string raw;
  enum Source { kNone, kLabel, kMeta, kByline } source = kNone;
};

// The date the page shows as its publication date: a labelled line
// (发布日期/发布时间/时间/日期: ...; not 发文日期, 成文日期, 留言时间 ...), else a
// publication meta tag (PubDate, firstpublishedtime, ...), else an unlabelled
// byline date (a line that is only a date, or one with 来源).
PublicationDate FindPublicationDate(const std::vector<std::string>& lines,
                                    const std::vector<MetaTag>& metas, absl::CivilDay as_of);

// The page generation time some CMSs state (<meta name="others"
// content="页面生成时间 2023-10-11 11:36:07">); "" when absent.
std::string GenerationDate(const std::vector<MetaTag>& metas);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_ARTICLE_H_
