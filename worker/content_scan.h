#ifndef CENSUS_WORKER_CONTENT_SCAN_H_
#define CENSUS_WORKER_CONTENT_SCAN_H_

// Content scanning: finds lexicon terms (banned / sensitive words, known serious typos
// such as a leader's name written wrong) in a page's visible text with one many-pattern
// pass (Hyperscan). The lexicon is data: a built-in list plus `--lexicon FILE`
// (CSV, header `term,kind[,correction]`, kind sensitive_word | serious_typo).
//
// Thread-safety: a LexiconScanner is immutable after Create and may be shared by
// threads; Scan allocates its own scratch space per call (or per thread).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/census.pb.h"

namespace census {

struct LexiconTerm {
  std::string term;        // UTF-8, matched literally
  std::string kind;        // sensitive_word | serious_typo
  std::string correction;  // serious_typo: the right form; may be empty
};

// The built-in lexicon (compiled into the binary from data/lexicon.csv).
std::vector<LexiconTerm> BuiltinLexicon();
// Reads a lexicon CSV; InvalidArgument names the file, line and reason of a bad row.
absl::StatusOr<std::vector<LexiconTerm>> ReadLexiconCsv(const std::string& path);

class LexiconScanner {
 public:
  static absl::StatusOr<std::unique_ptr<LexiconScanner>> Create(std::vector<LexiconTerm> terms);
  virtual ~LexiconScanner() = default;
  // Every occurrence (at most `max_hits`), in text order.
  virtual std::vector<ContentHit> Scan(absl::string_view text, size_t max_hits = 50) const = 0;
};

// The built-in lexicon plus the terms of `extra_file` ("" = none), compiled: the scanner
// `census run` and `census worker` share among their workers. A bad row's error names
// the file and line (ReadLexiconCsv); a term the scanner refuses starts "lexicon: ".
absl::StatusOr<std::unique_ptr<LexiconScanner>> LoadLexiconScanner(const std::string& extra_file);

}  // namespace census

#endif  // CENSUS_WORKER_CONTENT_SCAN_H_
