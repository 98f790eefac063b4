#ifndef CENSUS_WORKER_ROBOTS_H_
#define CENSUS_WORKER_ROBOTS_H_

// robots.txt (RFC 9309): which paths of a host a crawler may fetch.
//
// Groups are selected by product token: the groups naming our token (case-insensitive,
// "CensusBot" by default; "CensusBot/0.1" in a User-agent line matches too) are merged;
// when none names it, the "*" groups are merged; when neither exists, everything is
// allowed. Within the selected rules the longest matching pattern wins and Allow wins
// a tie. Patterns support '*' (any run of characters) and a trailing '$' (end of
// path). Non-ASCII octets and percent escapes are compared in one normal form
// (upper-case %XX), so a rule written in raw UTF-8 matches the percent-encoded path.
// "/robots.txt" itself is always allowed.
//
// A RobotsRules is an immutable value; thread-compatible.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace census {

inline constexpr char kCensusRobotsToken[] = "CensusBot";

class RobotsRules {
 public:
  // Everything allowed (no robots.txt, a 4xx, or an unreadable one).
  RobotsRules() = default;
  // Parses a robots.txt body (UTF-8, BOM allowed; CR, LF or CRLF lines; '#' comments).
  // Never fails: lines it does not understand are ignored.
  static RobotsRules Parse(absl::string_view body, absl::string_view token = kCensusRobotsToken);
  // Everything disallowed.
  static RobotsRules DisallowAll();

  // `path_and_query`: the URL's path (and "?query"), e.g. "/a/b.html?x=1"; "" means "/".
  bool Allowed(absl::string_view path_and_query) const;

  // The rules of the selected groups (for tests and diagnostics).
  struct Rule {
    bool allow = false;
    std::string pattern;  // normalised
  };
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::vector<Rule> rules_;
};

// Splits an absolute http(s) URL into its origin ("http://host[:port]", scheme and host
// lower-cased, default port dropped) and its path with query ("/" when empty; fragment
// dropped). False when `url` is not an absolute http(s) URL.
bool SplitOriginAndPath(absl::string_view url, std::string* origin, std::string* path);

}  // namespace census

#endif  // CENSUS_WORKER_ROBOTS_H_
