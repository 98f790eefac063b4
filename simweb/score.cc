// `simweb score` (see score.h and docs/SCORING.md).

#include "simweb/score.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

namespace census::simweb {
namespace {

constexpr char kUsage[] =
    "usage: simweb score --truth TRUTH_JSON --report REPORT_JSON [--json] [--verbose]\n"
    "  Scores a census's report.json against the simulated web's truth.json: precision and\n"
    "  recall of every finding, overall, per CMS family and for the tuned and held-out\n"
    "  families (docs/SCORING.md). --verbose lists every false positive and negative.\n";

// Tallies one finding of one site into "all", its template and tuned/held_out.
class Tally {
 public:
  Tally(Score* score, const testing::TruthSite& site)
      : score_(score),
        site_(site),
        group_(site.template_().empty() ? "classic" : site.template_()) {}

  void Add(const std::string& finding, bool truth, bool got, const std::string& key = "",
           const std::string& detail = "") {
    if (!truth && !got) return;
    for (const std::string& g :
         {std::string("all"), group_, std::string(site_.held_out() ? "held_out" : "tuned")}) {
      Counts& c = score_->counts[finding][g];
      if (truth && got) {
        ++c.tp;
      } else if (got) {
        ++c.fp;
      } else {
        ++c.fn;
      }
    }
    if (truth != got) {
      score_->mismatches.push_back({finding, site_.site_id(), group_, key, got, detail});
    }
  }

 private:
  Score* score_;
  const testing::TruthSite& site_;
  std::string group_;
};

std::string ColumnDetail(const report::ColumnReport& c) {
  return absl::StrCat("page=", c.page().empty() ? "-" : c.page(), " items=", c.items(),
                      " last_update=", c.last_update().empty() ? "-" : c.last_update(),
                      " category=", c.category(), c.blank() ? " blank" : "",
                      c.stale() ? " stale" : "",
                      c.fetch_error().empty() ? "" : absl::StrCat(" fetch_error=", c.fetch_error()),
                      c.found_via().empty() ? "" : absl::StrCat(" via=", c.found_via()));
}

void ScoreSite(const testing::TruthSite& want, const report::SiteReport* got, Score* score) {
  Tally tally(score, want);
  const bool missing = got == nullptr;
  static const report::SiteReport kEmpty;
  const report::SiteReport& site = missing ? kEmpty : *got;
  tally.Add("fail", want.verdict() != "pass", !missing && site.verdict() != "pass", "",
            site.verdict());
  std::set<std::string> want_vetoes(want.vetoes().begin(), want.vetoes().end());
  std::set<std::string> got_vetoes;
  for (const report::Veto& v : site.vetoes()) got_vetoes.insert(v.rule());
  std::set<std::string> rules = want_vetoes;
  rules.insert(got_vetoes.begin(), got_vetoes.end());
  for (const std::string& rule : rules) {
    tally.Add(absl::StrCat("veto:", rule), want_vetoes.count(rule) > 0, got_vetoes.count(rule) > 0);
  }

  // Columns by normalised URL.
  std::map<std::string, const testing::TruthColumn*> want_cols;
  for (const testing::TruthColumn& c : want.columns()) want_cols[NormalizeUrl(c.url())] = &c;
  std::map<std::string, const report::ColumnReport*> got_cols;
  for (const report::ColumnReport& c : site.columns()) got_cols[NormalizeUrl(c.url())] = &c;
  std::set<std::string> urls;
  for (const auto& [url, c] : want_cols) urls.insert(url);
  for (const auto& [url, c] : got_cols) urls.insert(url);
  for (const std::string& url : urls) {
    const auto w = want_cols.find(url);
    const auto g = got_cols.find(url);
    const testing::TruthColumn* wc = w == want_cols.end() ? nullptr : w->second;
    const report::ColumnReport* gc = g == got_cols.end() ? nullptr : g->second;
    const std::string detail = gc == nullptr ? "not reported" : ColumnDetail(*gc);
    tally.Add("column", wc != nullptr, gc != nullptr, url, detail);
    tally.Add("blank_column", wc != nullptr && wc->blank(), gc != nullptr && gc->blank(), url,
              detail);
    tally.Add("stale_column", wc != nullptr && wc->stale(), gc != nullptr && gc->stale(), url,
              detail);
    tally.Add("long_unupdated", wc != nullptr && wc->long_unupdated(),
              gc != nullptr && gc->long_unupdated(), url, detail);
    if (wc != nullptr && gc != nullptr) {
      const bool right = wc->category() == gc->category();
      tally.Add("category", right, true, url,
                absl::StrCat("category ", gc->category(), ", truth ", wc->category()));
    }
  }

  std::set<std::string> want_links, got_links;
  for (const testing::TruthBrokenLink& l : want.broken_links()) want_links.insert(l.url());
  for (const report::BrokenLink& l : site.links().broken()) got_links.insert(l.url());
  std::set<std::string> links = want_links;
  links.insert(got_links.begin(), got_links.end());
  for (const std::string& url : links) {
    tally.Add("broken_link", want_links.count(url) > 0, got_links.count(url) > 0, url);
  }

  std::set<std::pair<std::string, std::string>> want_content, got_content;
  for (const testing::TruthContent& c : want.content()) {
    want_content.insert({c.kind(), NormalizeUrl(c.url())});
  }
  for (const report::ContentFinding& c : site.content()) {
    got_content.insert({c.kind(), NormalizeUrl(c.url())});
  }
  std::set<std::pair<std::string, std::string>> content = want_content;
  content.insert(got_content.begin(), got_content.end());
  for (const auto& k : content) {
    tally.Add(absl::StrCat("content:", k.first), want_content.count(k) > 0,
              got_content.count(k) > 0, k.second);
  }
}

std::string Ratio(double v) { return v < 0 ? "n/a" : absl::StrFormat("%.3f", v); }
std::string JsonRatio(double v) { return v < 0 ? "null" : absl::StrFormat("%.4f", v); }

// "all", "tuned", "held_out", then the templates in name order.
std::vector<std::string> GroupOrder(const std::map<std::string, Counts>& groups) {
  std::vector<std::string> out;
  for (const char* g : {"all", "tuned", "held_out"}) {
    if (groups.count(g) > 0) out.push_back(g);
  }
  for (const auto& [g, c] : groups) {
    if (g != "all" && g != "tuned" && g != "held_out") out.push_back(g);
  }
  return out;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string NormalizeUrl(absl::string_view url) {
  std::string u(url.substr(0, url.find('#')));
  const size_t scheme = u.find("://");
  if (scheme != std::string::npos) {
    const size_t host_end = u.find_first_of("/?", scheme + 3);
    const size_t end = host_end == std::string::npos ? u.size() : host_end;
    for (size_t i = 0; i < end; ++i) u[i] = absl::ascii_tolower(u[i]);
    if (host_end == std::string::npos) u += '/';
  }
  for (absl::string_view index : {"index.html", "index.htm", "index.shtml", "index.jsp",
                                  "index.php", "default.htm", "default.html"}) {
    if (absl::EndsWith(u, absl::StrCat("/", index))) {
      u.resize(u.size() - index.size());
      break;
    }
  }
  return u;
}

Score ScoreCensus(const testing::Truth& truth, const report::CensusReport& report) {
  Score score;
  std::map<std::string, const report::SiteReport*> by_id;
  for (const report::SiteReport& s : report.sites()) by_id[s.site_id()] = &s;
  std::set<std::string> truth_ids;
  for (const testing::TruthSite& want : truth.sites()) {
    truth_ids.insert(want.site_id());
    auto it = by_id.find(want.site_id());
    if (it == by_id.end()) ++score.sites_missing;
    ++score.sites_scored;
    ScoreSite(want, it == by_id.end() ? nullptr : it->second, &score);
  }
  for (const auto& [id, s] : by_id) score.sites_extra += truth_ids.count(id) == 0 ? 1 : 0;
  return score;
}

std::string ScoreTable(const Score& score, bool verbose) {
  std::string out =
      absl::StrFormat("%d sites scored (%d missing from the report, %d in the report only)\n",
                      score.sites_scored, score.sites_missing, score.sites_extra);
  absl::StrAppend(&out, absl::StrFormat("%-26s %-17s %6s %5s %5s %9s %7s\n", "finding", "group",
                                        "tp", "fp", "fn", "precision", "recall"));
  for (const auto& [finding, groups] : score.counts) {
    for (const std::string& g : GroupOrder(groups)) {
      const Counts& c = groups.at(g);
      absl::StrAppend(&out, absl::StrFormat("%-26s %-17s %6d %5d %5d %9s %7s\n", finding, g, c.tp,
                                            c.fp, c.fn, Ratio(c.precision()), Ratio(c.recall())));
    }
  }
  if (verbose) {
    absl::StrAppend(&out, "\nmismatches (", score.mismatches.size(), "):\n");
    for (const Mismatch& m : score.mismatches) {
      absl::StrAppend(&out, m.false_positive ? "FP " : "FN ", m.finding, " ", m.site_id, " [",
                      m.group, "] ", m.key,
                      m.detail.empty() ? "" : absl::StrCat(" (", m.detail, ")"), "\n");
    }
  }
  return out;
}

std::string ScoreJson(const Score& score) {
  std::string out =
      absl::StrCat("{\"sites\":", score.sites_scored, ",\"sites_missing\":", score.sites_missing,
                   ",\"sites_extra\":", score.sites_extra, ",\"findings\":{");
  bool first_finding = true;
  for (const auto& [finding, groups] : score.counts) {
    absl::StrAppend(&out, first_finding ? "" : ",", "\n\"", finding, "\":{");
    first_finding = false;
    bool first = true;
    for (const std::string& g : GroupOrder(groups)) {
      const Counts& c = groups.at(g);
      absl::StrAppend(&out, first ? "" : ",", "\"", g, "\":{\"tp\":", c.tp, ",\"fp\":", c.fp,
                      ",\"fn\":", c.fn, ",\"precision\":", JsonRatio(c.precision()),
                      ",\"recall\":", JsonRatio(c.recall()), "}");
      first = false;
    }
    out += "}";
  }
  out += "}}\n";
  return out;
}

int RunScore(const std::vector<std::string>& args) {
  std::string truth_path, report_path;
  bool json = false;
  bool verbose = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--verbose") {
      verbose = true;
    } else if (args[i] == "--truth" && i + 1 < args.size()) {
      truth_path = args[++i];
    } else if (args[i] == "--report" && i + 1 < args.size()) {
      report_path = args[++i];
    } else {
      std::fprintf(stderr, "simweb score: unexpected argument '%s'\n%s", args[i].c_str(), kUsage);
      return 2;
    }
  }
  if (truth_path.empty() || report_path.empty()) {
    std::fprintf(stderr, "simweb score: --truth and --report are required\n%s", kUsage);
    return 2;
  }
  testing::Truth truth;
  report::CensusReport report;
  google::protobuf::util::JsonParseOptions lenient;
  lenient.ignore_unknown_fields = true;
  for (auto [path, message] :
       {std::pair<const std::string*, google::protobuf::Message*>{&truth_path, &truth},
        {&report_path, &report}}) {
    absl::StatusOr<std::string> text = ReadFile(*path);
    if (!text.ok()) {
      std::fprintf(stderr, "simweb score: %s\n", std::string(text.status().message()).c_str());
      return 1;
    }
    auto st = google::protobuf::util::JsonStringToMessage(*text, message, lenient);
    if (!st.ok()) {
      std::fprintf(stderr, "simweb score: %s is not a %s: %s\n", path->c_str(),
                   message == &truth ? "truth.json" : "report.json", st.ToString().c_str());
      return 1;
    }
  }
  const Score score = ScoreCensus(truth, report);
  std::fputs((json ? ScoreJson(score) : ScoreTable(score, verbose)).c_str(), stdout);
  return 0;
}

}  // namespace census::simweb
