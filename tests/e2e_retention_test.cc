// End to end: `census compact` (retention, docs/STORAGE.md "Retention") on the data of
// two real censuses of the simulated web (day 0, then day 1, when news lists and
// homepages have changed): with --keep-versions 1 --keep-runs 1 the first run and the
// page versions only it saw go, the kept run replays to the same reports byte for byte,
// and every snapshot its report cites is still served byte for byte.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/content_hash.h"
#include "google/protobuf/util/json_util.h"
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
constexpr int kProbes = 2;

class RetentionEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / absl::StrCat("census-retention-", getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    simweb_.reset();  // stops the server even when the test failed
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void Serve(int day) {
    simweb_.reset();
    fs::create_directories(dir_ / absl::StrCat("web", day));
    simweb_ = std::make_unique<SimWebProcess>(
        SIMWEB_BIN, dir_ / absl::StrCat("web", day),
        std::vector<std::string>{"--seed", "1", "--sites", std::to_string(kSites), "--as-of",
                                 "2026-11-20", "--probes", std::to_string(kProbes), "--day",
                                 std::to_string(day)});
    ASSERT_TRUE(simweb_->ok()) << simweb_->error();
  }

  int Census(std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), CENSUS_BIN);
    return RunToCompletion(args, (dir_ / (name + ".out")).string(),
                           (dir_ / (name + ".err")).string());
  }

  int Run(int day, const std::string& out) {
    return Census(simweb_->CensusRunArgs(dir_ / absl::StrCat("web", day) / "truth" / "sites.csv",
                                         dir_ / out, dir_ / "data", kProbes, "50ms"),
                  out);
  }

  std::string Data() const { return (dir_ / "data").string(); }

  void ExpectSameReports(const std::string& a, const std::string& b) {
    for (const char* file : {"report.json", "report.csv", "report.html"}) {
      const std::string want = ReadFile(dir_ / a / file);
      ASSERT_FALSE(want.empty()) << a << "/" << file;
      EXPECT_TRUE(want == ReadFile(dir_ / b / file)) << a << "/" << file << " vs " << b;
    }
  }

  std::vector<std::string> RunIds() { return testing::ListedRunIds(CENSUS_BIN, Data(), dir_); }

  fs::path dir_;
  std::unique_ptr<SimWebProcess> simweb_;
};

TEST_F(RetentionEndToEnd, TheKeptRunReplaysTheSameAndKeepsItsEvidence) {
  ASSERT_NO_FATAL_FAILURE(Serve(0));
  ASSERT_EQ(Run(0, "run1"), 0) << ReadFile(dir_ / "run1.err");
  ASSERT_NO_FATAL_FAILURE(Serve(1));
  ASSERT_EQ(Run(1, "run2"), 0) << ReadFile(dir_ / "run2.err");
  simweb_.reset();
  const std::vector<std::string> runs = RunIds();
  ASSERT_EQ(runs.size(), 2u);

  ASSERT_EQ(
      Census({"replay", "--data", Data(), "--run", runs[1], "--out", (dir_ / "before").string()},
             "before"),
      0)
      << ReadFile(dir_ / "before.err");
  ExpectSameReports("run2", "before");

  // --help on stdout with 0; no policy, or a wrong flag: usage on stderr with 2.
  EXPECT_EQ(Census({"compact", "--help"}, "help"), 0);
  EXPECT_NE(ReadFile(dir_ / "help.out").find("usage: census compact"), std::string::npos);
  EXPECT_EQ(Census({"compact", "--data", Data()}, "nopolicy"), 2);
  EXPECT_NE(ReadFile(dir_ / "nopolicy.err").find("usage: census compact"), std::string::npos);
  EXPECT_EQ(Census({"compact", "--data", Data(), "--keep-version", "1"}, "badflag"), 2);

  ASSERT_EQ(
      Census({"compact", "--data", Data(), "--keep-versions", "1", "--keep-runs", "1"}, "compact"),
      0)
      << ReadFile(dir_ / "compact.err");
  std::map<std::string, std::string> summary;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(dir_ / "compact.out"), '\n', absl::SkipEmpty())) {
    std::vector<std::string> kv = absl::StrSplit(line, absl::MaxSplits('\t', 1));
    ASSERT_EQ(kv.size(), 2u) << line;
    summary[kv[0]] = kv[1];
  }
  EXPECT_EQ(summary["run_dropped"], runs[0]);
  int64_t dropped = 0, before = 0, after = 0;
  ASSERT_TRUE(absl::SimpleAtoi(summary["versions_dropped"], &dropped));
  ASSERT_TRUE(absl::SimpleAtoi(summary["body_bytes_before"], &before));
  ASSERT_TRUE(absl::SimpleAtoi(summary["body_bytes_after"], &after));
  EXPECT_GT(dropped, 0);  // day 0's news lists and homepages
  EXPECT_LT(after, before);
  EXPECT_NE(ReadFile(dir_ / "compact.err").find("compacting the bodies"), std::string::npos);

  EXPECT_EQ(RunIds(), std::vector<std::string>{runs[1]});
  ASSERT_EQ(
      Census({"replay", "--data", Data(), "--run", runs[1], "--out", (dir_ / "after").string()},
             "after"),
      0)
      << ReadFile(dir_ / "after.err");
  ExpectSameReports("before", "after");

  // Every snapshot the kept run's report cites still rebuilds byte for byte.
  report::CensusReport report;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(ReadFile(dir_ / "after" / "report.json"), &report)
          .ok());
  int shown = 0;
  for (const report::SiteReport& site : report.sites()) {
    for (const report::Evidence& evidence : site.evidence()) {
      if (evidence.snapshot().empty()) continue;
      const fs::path page = dir_ / "snapshot";
      ASSERT_EQ(Census({"replay", "--data", Data(), "--snapshot", evidence.snapshot(), "--out",
                        page.string()},
                       "snapshot"),
                0)
          << evidence.url() << ": " << ReadFile(dir_ / "snapshot.err");
      EXPECT_EQ(ContentHash(ReadFile(page)), evidence.snapshot()) << evidence.url();
      ++shown;
    }
  }
  EXPECT_GT(shown, 3);
}

}  // namespace
}  // namespace census
