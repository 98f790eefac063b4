// End to end: the real `census` binary against the simulated government web served by
// the real `simweb` binary on loopback. Asserts the verdict, the findings and the scoring
// (deductions with their points, early warnings, long_unupdated columns, score) of every
// site against the ground truth the simulated web was built from, and that every veto,
// deduction and early-warning rule is triggered by some site and absent on another.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "proto/report.pb.h"
#include "simweb/truth.pb.h"
#include "tests/simweb_process.h"
#include "tests/subprocess.h"

namespace census {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunToCompletion;
using testing::SimWebProcess;

constexpr int kProbes = 24;
// The 12 demo scenarios, 5 content/interaction ones and the abandoned site.
constexpr int kSites = 18;

// The gov-2019 rubric's vetoes, deduction and early-warning rules: each must be triggered
// by some site of the simulated web and absent on another, so the coverage cannot vanish.
constexpr const char* kVetoRules[] = {
    "site_unreachable", "homepage_stale",         "columns_stale", "long_unupdated",
    "blank_columns",    "interaction_unanswered", "serious_error"};
constexpr const char* kDeductionRules[] = {
    "homepage_availability",   "broken_links_homepage",      "broken_links_other",
    "attachments_unavailable", "online_systems_unavailable", "homepage_update_volume",
    "columns_not_updated",     "interaction_slow_replies"};
constexpr const char* kWarningRules[] = {"unreachable_ratio", "homepage_not_updated",
                                         "blank_columns", "columns_not_updated"};

class CensusEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("census-e2e-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    StartSimWeb(0);
  }

  // (Re)starts the simulated web as it is `day` days after the census date.
  void StartSimWeb(int day) {
    simweb_.reset();
    simweb_ = std::make_unique<SimWebProcess>(
        SIMWEB_BIN, dir_,
        std::vector<std::string>{"--seed", "1", "--sites", std::to_string(kSites), "--as-of",
                                 "2026-11-20", "--day", std::to_string(day), "--probes",
                                 std::to_string(kProbes)});
    ASSERT_TRUE(simweb_->ok()) << simweb_->error();
    truth_ = simweb_->truth();
    ASSERT_EQ(truth_.sites_size(), kSites);
  }

  void TearDown() override {
    simweb_.reset();  // stops the server even when the test failed
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // Runs the census; returns its exit status. The report lands in dir_/out.
  int RunCensus(const fs::path& sites, const fs::path& columns) {
    std::vector<std::string> argv =
        simweb_->CensusRunArgs(sites, dir_ / "out", dir_ / "data", kProbes, "100ms");
    argv.insert(argv.begin(), CENSUS_BIN);
    if (!columns.empty()) {
      argv.push_back("--columns");
      argv.push_back(columns.string());
    }
    return RunToCompletion(argv, (dir_ / "census.out").string(), (dir_ / "census.err").string());
  }

  report::CensusReport ReadReport() {
    report::CensusReport report;
    auto st = google::protobuf::util::JsonStringToMessage(ReadFile(dir_ / "out" / "report.json"),
                                                          &report);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return report;
  }

  // Every site's findings against the truth, field by field.
  void ExpectMatchesTruth(const report::CensusReport& report) {
    std::map<std::string, const report::SiteReport*> by_id;
    for (const auto& s : report.sites()) by_id[s.site_id()] = &s;
    ASSERT_EQ(report.census().sites(), truth_.sites_size());
    ExpectEveryRuleCovered(report);
    int failed = 0;
    for (const auto& want : truth_.sites()) {
      SCOPED_TRACE(absl::StrCat(want.site_id(), " ", want.scenario()));
      ASSERT_TRUE(by_id.count(want.site_id())) << "site missing from the report";
      const report::SiteReport& got = *by_id[want.site_id()];
      if (want.verdict() != "pass") ++failed;
      EXPECT_EQ(got.verdict(), want.verdict());
      std::vector<std::string> vetoes;
      for (const auto& v : got.vetoes()) vetoes.push_back(v.rule());
      std::sort(vetoes.begin(), vetoes.end());
      std::vector<std::string> want_vetoes(want.vetoes().begin(), want.vetoes().end());
      EXPECT_EQ(absl::StrJoin(vetoes, ","), absl::StrJoin(want_vetoes, ","));
      EXPECT_EQ(got.reachability().probes(), want.reachability().probes());
      EXPECT_EQ(got.reachability().failures(), want.reachability().failures());
      ExpectScoringMatches(got, want);
      if (want.verdict() == "unreachable") continue;
      EXPECT_EQ(got.homepage().last_update(), want.homepage().last_update());
      EXPECT_EQ(got.homepage().navigation_only(), want.homepage().navigation_only());
      EXPECT_EQ(got.homepage().updates_in_window(), want.homepage().updates_in_window());
      ASSERT_EQ(got.columns_size(), want.columns_size());
      for (int i = 0; i < want.columns_size(); ++i) {
        const auto& wc = want.columns(i);
        const auto& gc = got.columns(i);
        SCOPED_TRACE(wc.url());
        EXPECT_EQ(gc.name(), wc.name());
        EXPECT_EQ(gc.url(), wc.url());
        EXPECT_EQ(gc.category(), wc.category());
        EXPECT_EQ(gc.items(), wc.items());
        EXPECT_EQ(gc.last_update(), wc.last_update());
        EXPECT_EQ(gc.stale(), wc.stale());
        EXPECT_EQ(gc.blank(), wc.blank());
        EXPECT_EQ(gc.long_unupdated(), wc.long_unupdated());
      }
      std::set<std::string> got_broken, want_broken;
      for (const auto& b : got.links().broken()) {
        got_broken.insert(absl::StrCat(
            b.url(), " ", b.error(), " status=", b.status(), " home=", b.on_homepage(),
            " on=", b.found_on(), " attachment=", b.attachment(), " system=", b.online_system()));
      }
      for (const auto& b : want.broken_links()) {
        want_broken.insert(absl::StrCat(
            b.url(), " ", b.error(), " status=", b.status(), " home=", b.on_homepage(),
            " on=", b.found_on(), " attachment=", b.attachment(), " system=", b.online_system()));
      }
      EXPECT_EQ(absl::StrJoin(got_broken, "\n"), absl::StrJoin(want_broken, "\n"));
      EXPECT_GE(got.links().checked(), want.broken_links_size());
      EXPECT_EQ(got.interaction().messages(), want.interaction().messages());
      EXPECT_EQ(got.interaction().unanswered_over_3_months(),
                want.interaction().unanswered_over_3_months());
      EXPECT_EQ(got.interaction().slow_replies(), want.interaction().slow_replies());
      ExpectContentMatches(got, want);
    }
    EXPECT_EQ(report.census().failed(), failed);
    EXPECT_EQ(report.census().as_of(), truth_.as_of());
    EXPECT_GT(report.census().pages_fetched(), 12 * kProbes);
  }

  // The rubric's scoring: the deduction rules that cost points, each with its points (the
  // census lists columns_not_updated once a column: summed here), the early warnings, the
  // score.
  static void ExpectScoringMatches(const report::SiteReport& got, const testing::TruthSite& want) {
    std::map<std::string, double> got_points;
    for (const auto& d : got.deductions()) got_points[d.rule()] += d.points();
    for (auto it = got_points.begin(); it != got_points.end();) {
      it = it->second == 0.0 ? got_points.erase(it) : std::next(it);  // past a cap
    }
    std::map<std::string, double> want_points;
    for (const auto& d : want.deductions()) want_points[d.rule()] += d.points();
    std::vector<std::string> got_rules, want_rules;
    for (const auto& [rule, points] : got_points) got_rules.push_back(rule);
    for (const auto& [rule, points] : want_points) want_rules.push_back(rule);
    EXPECT_EQ(absl::StrJoin(got_rules, ","), absl::StrJoin(want_rules, ","));
    for (const auto& [rule, points] : want_points) {
      if (got_points.count(rule) == 0) continue;
      EXPECT_NEAR(got_points[rule], points, 0.01) << rule;
    }
    std::set<std::string> got_warnings, want_warnings;
    for (const auto& w : got.early_warnings()) got_warnings.insert(w.rule());
    want_warnings.insert(want.early_warnings().begin(), want.early_warnings().end());
    EXPECT_EQ(absl::StrJoin(got_warnings, ","), absl::StrJoin(want_warnings, ","));
    EXPECT_NEAR(got.score(), want.score(), 0.05);
  }

  // Each veto, each deduction rule, each early warning and the long_unupdated column flag:
  // found by the census on at least one site and absent on at least one reachable site (in
  // the truth too, which the census is held to site by site).
  void ExpectEveryRuleCovered(const report::CensusReport& report) {
    std::map<std::string, int> vetoed, deducted, warned, want_vetoed, want_deducted, want_warned;
    int long_columns = 0, want_long_columns = 0, columns = 0, reachable = 0;
    for (const auto& site : report.sites()) {
      std::set<std::string> vetoes;
      for (const auto& v : site.vetoes()) vetoes.insert(v.rule());
      for (const auto& rule : vetoes) ++vetoed[rule];
      std::set<std::string> rules;
      for (const auto& d : site.deductions()) {
        if (d.points() > 0) rules.insert(d.rule());
      }
      for (const auto& rule : rules) ++deducted[rule];
      for (const auto& w : site.early_warnings()) ++warned[w.rule()];
      for (const auto& c : site.columns()) long_columns += c.long_unupdated();
      columns += site.columns_size();
    }
    for (const auto& site : truth_.sites()) {
      reachable += site.verdict() != "unreachable";
      for (const auto& v : site.vetoes()) ++want_vetoed[v];
      for (const auto& d : site.deductions()) ++want_deducted[d.rule()];
      for (const auto& w : site.early_warnings()) ++want_warned[w];
      for (const auto& c : site.columns()) want_long_columns += c.long_unupdated();
    }
    for (const char* rule : kVetoRules) {
      EXPECT_GE(vetoed[rule], 1) << "no site has the veto " << rule;
      EXPECT_LT(vetoed[rule], reachable) << "every site has the veto " << rule;
      EXPECT_GE(want_vetoed[rule], 1) << "the truth has no site with the veto " << rule;
    }
    for (const char* rule : kDeductionRules) {
      EXPECT_GE(deducted[rule], 1) << "no site has the deduction " << rule;
      EXPECT_LT(deducted[rule], reachable) << "every site has the deduction " << rule;
      EXPECT_GE(want_deducted[rule], 1) << "the truth has no site with the deduction " << rule;
    }
    for (const char* rule : kWarningRules) {
      EXPECT_GE(warned[rule], 1) << "no site has the early warning " << rule;
      EXPECT_LT(warned[rule], reachable) << "every site has the early warning " << rule;
      EXPECT_GE(want_warned[rule], 1) << "the truth has no site with the early warning " << rule;
    }
    EXPECT_GE(long_columns, 1) << "no long_unupdated column";
    EXPECT_LT(long_columns, columns);
    EXPECT_GE(want_long_columns, 1) << "the truth has no long_unupdated column";
  }

  // Content findings: as many of each kind as the truth has, each truth finding shown
  // with its page (or target) and its term or hidden target in the detail.
  static void ExpectContentMatches(const report::SiteReport& got, const testing::TruthSite& want) {
    std::map<std::string, int> got_kinds, want_kinds;
    for (const auto& c : got.content()) ++got_kinds[c.kind()];
    for (const auto& c : want.content()) ++want_kinds[c.kind()];
    EXPECT_EQ(got_kinds, want_kinds);
    for (const auto& w : want.content()) {
      std::string needle = !w.term().empty() ? w.term() : w.target();
      bool found = false;
      for (const auto& c : got.content()) {
        if (c.kind() != w.kind()) continue;
        bool url_ok = c.url() == w.url() || (!w.target().empty() && c.url() == w.target());
        bool detail_ok =
            needle.empty() || c.detail().find(needle) != std::string::npos || c.url() == needle;
        found |= url_ok && detail_ok;
      }
      EXPECT_TRUE(found) << w.kind() << " " << w.url() << " " << needle;
    }
  }

  fs::path dir_;
  std::unique_ptr<SimWebProcess> simweb_;
  testing::Truth truth_;
};

TEST_F(CensusEndToEnd, DiscoveredColumnsMatchGroundTruthAndBadRowsAreReported) {
  // The simulated web's sites.csv plus rows a census office gets wrong.
  std::string sites = ReadFile(dir_ / "truth" / "sites.csv");
  if (!sites.empty() && sites.back() != '\n') sites += "\n";
  int first_bad_line = static_cast<int>(std::count(sites.begin(), sites.end(), '\n')) + 1;
  sites += ",缺标识的网站,http://www.nobody.gov.cn/,,,,\n";
  sites += "9999999999,坏地址,ftp://www.bad.gov.cn/,,,,\n";
  sites += absl::StrCat(truth_.sites(0).site_id(), ",重复,http://www.dup.gov.cn/,,,,\n");
  std::ofstream(dir_ / "sites.csv") << sites;

  ASSERT_EQ(RunCensus(dir_ / "sites.csv", ""), 0) << ReadFile(dir_ / "census.err");
  report::CensusReport report = ReadReport();
  ExpectMatchesTruth(report);
  ASSERT_EQ(report.census().input_errors_size(), 3);
  EXPECT_EQ(report.census().input_errors(0).line(), first_bad_line);
  EXPECT_EQ(report.census().input_errors(0).reason(), "missing site_id");
  EXPECT_EQ(report.census().input_errors(1).reason(), "url 'ftp://www.bad.gov.cn/' is not http(s)");
  EXPECT_EQ(report.census().input_errors(2).reason(),
            absl::StrCat("duplicate site_id ", truth_.sites(0).site_id()));
  // The summary line and the three report files.
  std::string out = ReadFile(dir_ / "census.out");
  EXPECT_NE(out.find(absl::StrCat(kSites, " sites")), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "report.csv"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "report.html"));
  // Progress went to stderr.
  EXPECT_NE(
      ReadFile(dir_ / "census.err").find(absl::StrCat("sites ", kSites, "/", kSites, " done")),
      std::string::npos);
}

TEST_F(CensusEndToEnd, DeclaredColumnsFromColumnsCsv) {
  ASSERT_EQ(RunCensus(dir_ / "truth" / "sites.csv", dir_ / "truth" / "columns.csv"), 0)
      << ReadFile(dir_ / "census.err");
  ExpectMatchesTruth(ReadReport());
}

TEST_F(CensusEndToEnd, SecondDayFindsForgedDateAndKeepsHistory) {
  ASSERT_EQ(RunCensus(dir_ / "truth" / "sites.csv", ""), 0) << ReadFile(dir_ / "census.err");
  ExpectMatchesTruth(ReadReport());
  // The next day, on the same --data: the web has moved on, and one list item's date
  // moved with it (a back-dated publication), which only the history shows.
  StartSimWeb(1);
  ASSERT_EQ(truth_.as_of(), "2026-11-21");
  ASSERT_EQ(RunCensus(dir_ / "truth" / "sites.csv", ""), 0) << ReadFile(dir_ / "census.err");
  report::CensusReport report = ReadReport();
  ExpectMatchesTruth(report);
  int forged = 0;
  for (const auto& site : report.sites()) {
    for (const auto& c : site.content()) forged += c.kind() == "forged_date";
  }
  EXPECT_EQ(forged, 1);
}

}  // namespace
}  // namespace census
