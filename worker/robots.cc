#include "worker/robots.h"

#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace census {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

// One normal form for rules and paths: percent escapes with upper-case hex, and
// octets >= 0x80 percent-encoded (RFC 9309 §2.2.2).
std::string Normalise(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '%' && i + 2 < in.size() &&
        absl::ascii_isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        absl::ascii_isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back('%');
      out.push_back(absl::ascii_toupper(static_cast<unsigned char>(in[i + 1])));
      out.push_back(absl::ascii_toupper(static_cast<unsigned char>(in[i + 2])));
      i += 2;
    } else if (c >= 0x80) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Glob match of a robots pattern against the start of `path`: '*' is any run of
// octets, a final '$' anchors at the end of the path.
bool Matches(absl::string_view pattern, absl::string_view path) {
  bool anchored = false;
  if (absl::EndsWith(pattern, "$")) {
    anchored = true;
    pattern.remove_suffix(1);
  }
  size_t p = 0, s = 0;
  size_t star = absl::string_view::npos, star_s = 0;
  while (true) {
    if (p == pattern.size()) {
      if (!anchored || s == path.size()) return true;
      // Anchored but the path goes on: let the last '*' swallow more.
    } else if (pattern[p] == '*') {
      star = p++;
      star_s = s;
      continue;
    } else if (s < path.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
      continue;
    }
    if (star == absl::string_view::npos || star_s >= path.size()) return false;
    p = star + 1;
    s = ++star_s;
  }
}

// "CensusBot/0.1 (+...)" → "censusbot".
std::string AgentToken(absl::string_view value) {
  size_t end = value.find_first_of("/ \t");
  return absl::AsciiStrToLower(value.substr(0, end));
}

struct Group {
  std::vector<std::string> agents;
  std::vector<RobotsRules::Rule> rules;
};

}  // namespace

RobotsRules RobotsRules::Parse(absl::string_view body, absl::string_view token) {
  absl::ConsumePrefix(&body, "\xEF\xBB\xBF");
  std::vector<Group> groups;
  bool in_agents = false;  // the last directive was a User-agent line
  for (absl::string_view raw : absl::StrSplit(body, absl::ByAnyChar("\r\n"))) {
    absl::string_view line = raw;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)));
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (key == "user-agent" || key == "useragent" || key == "user agent") {
      if (!in_agents) groups.emplace_back();
      groups.back().agents.push_back(AgentToken(value));
      in_agents = true;
    } else if (key == "allow" || key == "disallow") {
      in_agents = false;
      if (groups.empty() || value.empty()) continue;  // rule outside a group / no rule
      groups.back().rules.push_back(Rule{key == "allow", Normalise(value)});
    }
    // Crawl-delay, Sitemap, ...: ignored, and they do not end a User-agent run.
  }
  const std::string ours = absl::AsciiStrToLower(token);
  RobotsRules out;
  for (const std::string& wanted : {ours, std::string("*")}) {
    bool found = false;
    for (const Group& g : groups) {
      for (const std::string& a : g.agents) {
        if (a != wanted) continue;
        found = true;
        out.rules_.insert(out.rules_.end(), g.rules.begin(), g.rules.end());
        break;
      }
    }
    if (found) break;
  }
  return out;
}

RobotsRules RobotsRules::DisallowAll() {
  RobotsRules r;
  r.rules_.push_back(Rule{false, "/"});
  return r;
}

bool RobotsRules::Allowed(absl::string_view path_and_query) const {
  if (rules_.empty()) return true;
  std::string path = Normalise(path_and_query.empty() ? "/" : path_and_query);
  if (path == "/robots.txt") return true;
  int best = -1;
  bool allow = true;
  for (const Rule& r : rules_) {
    int len = static_cast<int>(r.pattern.size());
    if (len < best || !Matches(r.pattern, path)) continue;
    if (len > best || r.allow) allow = r.allow;
    best = len;
  }
  return allow;
}

bool SplitOriginAndPath(absl::string_view url, std::string* origin, std::string* path) {
  size_t sep = url.find("://");
  if (sep == absl::string_view::npos) return false;
  std::string scheme = absl::AsciiStrToLower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") return false;
  absl::string_view rest = url.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, end);
  if (size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  if (authority.empty()) return false;
  std::string host = absl::AsciiStrToLower(authority);
  const absl::string_view default_port = scheme == "http" ? ":80" : ":443";
  if (absl::EndsWith(host, default_port)) host.resize(host.size() - default_port.size());
  *origin = absl::StrCat(scheme, "://", host);
  absl::string_view tail = end == absl::string_view::npos ? "" : rest.substr(end);
  if (size_t frag = tail.find('#'); frag != absl::string_view::npos) tail = tail.substr(0, frag);
  *path = tail.empty() || tail[0] != '/' ? absl::StrCat("/", tail) : std::string(tail);
  return true;
}

}  // namespace census
