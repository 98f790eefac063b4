// End to end: `census replay` recomputes a past census from the store — the same report,
// byte for byte, even after later runs on the same data; under another rubric, another
// score; and shows a finding's stored page as it was fetched. A later census of other
// sites on the same data reports only its own sites.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aggregator/aggregator.h"
#include "common/content_hash.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proto/report.pb.h"
#include "tests/simweb_process.h"
#include "tests/subprocess.h"

namespace census {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunToCompletion;
using testing::SimWebProcess;

constexpr int kSites = 12;
constexpr int kProbes = 6;

class ReplayEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("census-replay-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    simweb_ = std::make_unique<SimWebProcess>(
        SIMWEB_BIN, dir_,
        std::vector<std::string>{"--seed", "1", "--sites", std::to_string(kSites), "--as-of",
                                 "2026-11-20", "--probes", std::to_string(kProbes)});
    ASSERT_TRUE(simweb_->ok()) << simweb_->error();
  }

  void TearDown() override {
    simweb_.reset();  // stops the server even when the test failed
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // Runs `census ARGS`; stdout and stderr go to dir_/NAME.out / .err. Returns the status.
  int Census(std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), CENSUS_BIN);
    return RunToCompletion(args, (dir_ / (name + ".out")).string(),
                           (dir_ / (name + ".err")).string());
  }

  int Run(const fs::path& sites, const std::string& out) {
    return Census(simweb_->CensusRunArgs(sites, dir_ / out, dir_ / "data", kProbes, "50ms"), out);
  }

  report::CensusReport Report(const std::string& out) {
    report::CensusReport report;
    auto st =
        google::protobuf::util::JsonStringToMessage(ReadFile(dir_ / out / "report.json"), &report);
    EXPECT_TRUE(st.ok()) << out << ": " << st.ToString();
    return report;
  }

  void ExpectSameReports(const std::string& a, const std::string& b) {
    for (const char* file : {"report.json", "report.csv", "report.html"}) {
      const std::string want = ReadFile(dir_ / a / file);
      ASSERT_FALSE(want.empty()) << a << "/" << file;
      EXPECT_TRUE(want == ReadFile(dir_ / b / file)) << a << "/" << file << " vs " << b;
    }
  }

  // The run ids `census replay --list` prints, oldest first.
  std::vector<std::string> RunIds() {
    EXPECT_EQ(Census({"replay", "--data", (dir_ / "data").string(), "--list"}, "list"), 0);
    std::vector<std::string> ids;
    std::vector<std::string> lines =
        absl::StrSplit(ReadFile(dir_ / "list.out"), '\n', absl::SkipEmpty());
    EXPECT_FALSE(lines.empty());
    for (size_t i = 1; i < lines.size(); ++i) {
      std::vector<std::string> fields = absl::StrSplit(lines[i], '\t');
      EXPECT_EQ(fields.size(), 6u) << lines[i];
      EXPECT_EQ(fields[1], simweb_->truth().as_of());
      ids.push_back(fields[0]);
    }
    return ids;
  }

  fs::path SitesCsv() const { return dir_ / "truth" / "sites.csv"; }

  fs::path dir_;
  std::unique_ptr<SimWebProcess> simweb_;
};

TEST_F(ReplayEndToEnd, RecomputesTheRunAndShowsItsEvidence) {
  ASSERT_EQ(Run(SitesCsv(), "run1"), 0) << ReadFile(dir_ / "run1.err");
  const report::CensusReport first = Report("run1");
  ASSERT_EQ(first.sites_size(), kSites);

  // The newest run, as the run itself reported it.
  ASSERT_EQ(
      Census({"replay", "--data", (dir_ / "data").string(), "--out", (dir_ / "replay").string()},
             "replay"),
      0)
      << ReadFile(dir_ / "replay.err");
  ExpectSameReports("run1", "replay");
  EXPECT_EQ(RunIds().size(), 1u);

  // Under the provincial rubric: the same findings, scored otherwise.
  ASSERT_EQ(Census({"replay", "--data", (dir_ / "data").string(), "--rubric",
                    fs::path(CENSUS_SOURCE_DIR) / "rubrics" / "province-example.textproto", "--out",
                    (dir_ / "province").string()},
                   "province"),
            0)
      << ReadFile(dir_ / "province.err");
  const report::CensusReport province = Report("province");
  EXPECT_EQ(province.census().rubric(), "province-example");
  ASSERT_EQ(province.sites_size(), first.sites_size());
  int scored_otherwise = 0;
  for (int i = 0; i < first.sites_size(); ++i) {
    EXPECT_EQ(province.sites(i).site_id(), first.sites(i).site_id());
    EXPECT_EQ(province.sites(i).links().broken_size(), first.sites(i).links().broken_size());
    scored_otherwise += province.sites(i).score() != first.sites(i).score();
  }
  EXPECT_GT(scored_otherwise, 0);

  // Every finding's snapshot is the stored page, byte for byte as fetched.
  int shown = 0;
  for (const report::SiteReport& site : first.sites()) {
    for (const report::Evidence& evidence : site.evidence()) {
      if (evidence.snapshot().empty() || shown >= 3) continue;
      const fs::path page = dir_ / absl::StrCat("snapshot-", shown++);
      ASSERT_EQ(Census({"replay", "--data", (dir_ / "data").string(), "--snapshot",
                        evidence.snapshot(), "--out", page.string()},
                       "snapshot"),
                0)
          << ReadFile(dir_ / "snapshot.err");
      const std::string body = ReadFile(page);
      EXPECT_FALSE(body.empty());
      EXPECT_EQ(ContentHash(body), evidence.snapshot()) << evidence.url();
    }
  }
  EXPECT_EQ(shown, 3);
  EXPECT_NE(
      Census({"replay", "--data", (dir_ / "data").string(), "--snapshot", std::string(64, '0')},
             "missing"),
      0);
  EXPECT_NE(ReadFile(dir_ / "missing.err").find("census replay:"), std::string::npos);
}

// Issue 14: a disk that fills while the reports are written (a tmpfs of half the
// reports' size, mounted in a mount namespace of the command's own) leaves no report,
// whole or half, under a final name, and the command says what happened.
TEST_F(ReplayEndToEnd, FullDiskLeavesNoHalfWrittenReport) {
  ASSERT_EQ(Run(SitesCsv(), "run1"), 0) << ReadFile(dir_ / "run1.err");
  uintmax_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "run1")) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  const uintmax_t tmpfs_kb = std::max<uintmax_t>(16, bytes / 2 / 1024);
  const fs::path full = dir_ / "full";
  fs::create_directories(full);
  const std::string script = absl::StrCat(
      "mount -t tmpfs -o size=", tmpfs_kb,
      "k census-full \"$0\" || exit 99; \"$1\" replay --data \"$2\" --out \"$0\"; rc=$?; "
      "ls -A \"$0\" > \"$3\"; exit $rc");
  const int rc = RunToCompletion(
      {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script,
       full.string(), CENSUS_BIN, (dir_ / "data").string(), (dir_ / "listing.txt").string()},
      (dir_ / "full.out").string(), (dir_ / "full.err").string());
  if (rc == 99 || (rc == 1 && !fs::exists(dir_ / "listing.txt"))) {
    GTEST_SKIP() << "no mount namespace with a tmpfs here (needs root): "
                 << ReadFile(dir_ / "full.err");
  }
  EXPECT_EQ(rc, 1) << ReadFile(dir_ / "full.err");
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "full.err"), "No space left on device"))
      << ReadFile(dir_ / "full.err");
  // Nothing left behind: no report under its final name, no partial file.
  EXPECT_EQ(ReadFile(dir_ / "listing.txt"), "")
      << "tmpfs of " << tmpfs_kb << " KiB for " << bytes << " bytes of reports";
}

TEST_F(ReplayEndToEnd, LaterCensusOfOtherSitesReportsItsOwnAndTheFirstReplaysUnchanged) {
  ASSERT_EQ(Run(SitesCsv(), "run1"), 0) << ReadFile(dir_ / "run1.err");

  // A second census on the same data, of three of the sites.
  std::vector<std::string> lines = absl::StrSplit(ReadFile(SitesCsv()), '\n', absl::SkipEmpty());
  ASSERT_GT(lines.size(), 4u);
  const fs::path few = dir_ / "few-sites.csv";
  std::ofstream(few) << lines[0] << "\n"
                     << lines[2] << "\n"
                     << lines[3] << "\n"
                     << lines[4] << "\n";
  ASSERT_EQ(Run(few, "run2"), 0) << ReadFile(dir_ / "run2.err");
  const report::CensusReport second = Report("run2");
  EXPECT_EQ(second.census().sites(), 3);
  ASSERT_EQ(second.sites_size(), 3);
  std::set<std::string> want_ids, got_ids;
  for (size_t i = 2; i <= 4; ++i) {
    want_ids.insert(std::string(lines[i].substr(0, lines[i].find(','))));
  }
  for (const report::SiteReport& site : second.sites()) got_ids.insert(site.site_id());
  EXPECT_EQ(got_ids, want_ids);

  const std::vector<std::string> runs = RunIds();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_LT(runs[0], runs[1]);
  ASSERT_EQ(Census({"replay", "--data", (dir_ / "data").string(), "--run", runs[0], "--out",
                    (dir_ / "replay1").string()},
                   "replay1"),
            0)
      << ReadFile(dir_ / "replay1.err");
  ExpectSameReports("run1", "replay1");
  EXPECT_NE(Census({"replay", "--data", (dir_ / "data").string(), "--run", "no-such-run"}, "norun"),
            0);
}

// `census report`: one site's and one region's findings from the store, the same objects
// as report.json's (byte for byte report.jsonl's lines with --json), and clear errors.
TEST_F(ReplayEndToEnd, ReportPrintsOneSiteOrOneRegionAsTheReportHasThem) {
  // The simulated web's sites each have a region of their own: here six share a region
  // with a Chinese name, four a region code, and two have none.
  std::vector<std::string> lines = absl::StrSplit(ReadFile(SitesCsv()), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kSites) + 1);
  std::string csv = lines[0] + "\n";
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> fields = absl::StrSplit(lines[i], ',');
    ASSERT_EQ(fields.size(), 7u) << lines[i];
    fields[4] = i <= 6 ? "江东省远阳市" : (i <= 10 ? "420700" : "");
    csv += absl::StrJoin(fields, ",") + "\n";
  }
  const fs::path sites_csv = dir_ / "regions-sites.csv";
  std::ofstream(sites_csv) << csv;
  ASSERT_EQ(Run(sites_csv, "run1"), 0) << ReadFile(dir_ / "run1.err");
  const report::CensusReport report = Report("run1");
  ASSERT_EQ(report.sites_size(), kSites);
  const std::vector<std::string> runs = RunIds();
  ASSERT_EQ(runs.size(), 1u);
  const std::string data = (dir_ / "data").string();
  std::vector<std::string> jsonl =
      absl::StrSplit(ReadFile(dir_ / "run1" / "report.jsonl"), '\n', absl::SkipEmpty());
  ASSERT_EQ(jsonl.size(), static_cast<size_t>(kSites));

  // A failing site, and the region with the most sites (not all of them).
  int failing = -1;
  std::map<std::string, std::vector<int>> by_region;
  for (int i = 0; i < report.sites_size(); ++i) {
    if (failing < 0 && report.sites(i).vetoes_size() > 0) failing = i;
    by_region[report.sites(i).region()].push_back(i);
  }
  ASSERT_GE(failing, 0);
  ASSERT_EQ(by_region.size(), 3u);
  const std::string region = "江东省远阳市";
  ASSERT_EQ(by_region[region].size(), 6u);
  const report::SiteReport& site = report.sites(failing);

  // --json: report.jsonl's lines of exactly those sites, each report.json's object.
  ASSERT_EQ(Census({"report", "--data", data, "--run", runs[0], "--site", site.site_id(), "--json"},
                   "site-json"),
            0)
      << ReadFile(dir_ / "site-json.err");
  const std::string site_json = ReadFile(dir_ / "site-json.out");
  EXPECT_TRUE(site_json == jsonl[failing] + "\n") << site_json;
  report::SiteReport parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(site_json, &parsed).ok()) << site_json;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, site));

  ASSERT_EQ(Census({"report", "--data", data, "--run", runs[0], "--region", region, "--json"},
                   "region-json"),
            0)
      << ReadFile(dir_ / "region-json.err");
  std::string want_region;
  for (int i : by_region[region]) want_region += jsonl[i] + "\n";
  EXPECT_TRUE(ReadFile(dir_ / "region-json.out") == want_region);
  // The sites without a region, by their page's name.
  ASSERT_EQ(
      Census({"report", "--data", data, "--run", runs[0], "--region", "_unassigned", "--json"},
             "unassigned"),
      0)
      << ReadFile(dir_ / "unassigned.err");
  std::string want_unassigned;
  for (int i : by_region[""]) want_unassigned += jsonl[i] + "\n";
  EXPECT_TRUE(ReadFile(dir_ / "unassigned.out") == want_unassigned);

  // Text: that site's findings and no other site's.
  ASSERT_EQ(Census({"report", "--data", data, "--run", runs[0], "--site", site.site_id()}, "site"),
            0)
      << ReadFile(dir_ / "site.err");
  const std::string text = ReadFile(dir_ / "site.out");
  EXPECT_NE(text.find(absl::StrCat(site.site_id(), " ", site.name(), ": ", site.verdict())),
            std::string::npos)
      << text;
  for (const report::Veto& veto : site.vetoes()) {
    EXPECT_NE(text.find(absl::StrCat("veto ", veto.rule(), ": ", veto.detail())), std::string::npos)
        << text;
  }
  for (const report::BrokenLink& link : site.links().broken()) {
    EXPECT_NE(text.find(link.url()), std::string::npos) << text;
  }
  for (const report::SiteReport& other : report.sites()) {
    if (other.site_id() != site.site_id()) {
      EXPECT_EQ(text.find(other.site_id()), std::string::npos) << other.site_id();
    }
  }
  ASSERT_EQ(Census({"report", "--data", data, "--run", runs[0], "--region", region}, "region"), 0)
      << ReadFile(dir_ / "region.err");
  const std::string region_text = ReadFile(dir_ / "region.out");
  int failed = 0;
  for (const report::SiteReport& other : report.sites()) {
    const bool in_region = other.region() == region;
    failed += in_region && other.verdict() != "pass";
    EXPECT_EQ(region_text.find(absl::StrCat(other.site_id(), " ", other.name(), ": ",
                                            other.verdict(), ", score ")) != std::string::npos,
              in_region)
        << other.site_id() << "\n"
        << region_text;
  }
  EXPECT_NE(region_text.find(absl::StrCat("region ", region, ": ", by_region[region].size(),
                                          " sites, ", failed, " failed")),
            std::string::npos)
      << region_text;
  // The region's page in the run's report holds the same sites.
  const std::string page = ReadFile(dir_ / "run1" / RegionPagePath(region));
  ASSERT_FALSE(page.empty()) << region;
  for (const report::SiteReport& other : report.sites()) {
    EXPECT_EQ(page.find(absl::StrCat("id=\"site-", other.site_id(), "\"")) != std::string::npos,
              other.region() == region)
        << other.site_id();
  }

  // Usage and errors.
  EXPECT_EQ(Census({"report", "--help"}, "help"), 0);
  EXPECT_TRUE(absl::StartsWith(ReadFile(dir_ / "help.out"), "usage: census report"));
  EXPECT_EQ(Census({"report", "--data", data, "--run", runs[0], "--sites", "x"}, "badflag"), 2);
  EXPECT_TRUE(ReadFile(dir_ / "badflag.out").empty());
  EXPECT_NE(ReadFile(dir_ / "badflag.err").find("unknown flag --sites"), std::string::npos);
  EXPECT_NE(ReadFile(dir_ / "badflag.err").find("usage: census report"), std::string::npos);
  EXPECT_EQ(Census({"report", "--data", data, "--run", runs[0]}, "neither"), 2);
  EXPECT_EQ(
      Census({"report", "--data", data, "--run", runs[0], "--site", "no-such-site"}, "nosite"), 1);
  EXPECT_NE(ReadFile(dir_ / "nosite.err").find("no site 'no-such-site' in run " + runs[0]),
            std::string::npos);
  EXPECT_NE(ReadFile(dir_ / "nosite.err").find(report.sites(0).site_id()), std::string::npos);
  EXPECT_EQ(
      Census({"report", "--data", data, "--run", runs[0], "--region", "atlantis"}, "noregion"), 1);
  EXPECT_NE(ReadFile(dir_ / "noregion.err").find("no region 'atlantis'"), std::string::npos);
  EXPECT_NE(ReadFile(dir_ / "noregion.err").find(region), std::string::npos);
  EXPECT_EQ(
      Census({"report", "--data", data, "--run", "no-such-run", "--site", site.site_id()}, "norun"),
      1);
  EXPECT_NE(ReadFile(dir_ / "norun.err").find("no run 'no-such-run'"), std::string::npos);
  EXPECT_NE(ReadFile(dir_ / "norun.err").find(runs[0]), std::string::npos);
  EXPECT_TRUE(ReadFile(dir_ / "norun.out").empty());
}

}  // namespace
}  // namespace census
