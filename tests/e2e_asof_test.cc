// End to end (issue 13, "Ask the past"): `census replay --as-of DATE` recomputes the
// census of any day from what the store held then; a replay of an earlier run reads each
// site's columns as they stood at that run; `census replay --reextract` runs today's
// extractor over a run's stored pages, reports what changed, and resumes when cut short.

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "aggregator/aggregator.h"
#include "common/clock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "proto/report.pb.h"
#include "storage/store.h"
#include "tests/simweb_process.h"
#include "tests/subprocess.h"

namespace census {
namespace {

namespace fs = std::filesystem;
using google::protobuf::util::MessageDifferencer;
using testing::ReadFile;
using testing::RunToCompletion;
using testing::SimWebProcess;

// RFC 3339 with milliseconds (--until): runs a few seconds apart are told apart.
std::string Rfc3339Millis(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3S%Ez", t, CensusTimeZone());
}

int64_t Ms(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::ToUnixMillis(absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), CensusTimeZone()));
}

class AsOfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("census-asof-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    simweb_.reset();  // stops the server even when the test failed
    if (!HasFailure()) fs::remove_all(dir_);
  }

  int Census(std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), CENSUS_BIN);
    return RunToCompletion(args, (dir_ / (name + ".out")).string(),
                           (dir_ / (name + ".err")).string());
  }

  report::CensusReport Report(const fs::path& out) {
    report::CensusReport report;
    auto st =
        google::protobuf::util::JsonStringToMessage(ReadFile(dir_ / out / "report.json"), &report);
    EXPECT_TRUE(st.ok()) << out << ": " << st.ToString();
    return report;
  }

  // The sites of two reports are the same, field by field.
  void ExpectSameSites(const report::CensusReport& a, const report::CensusReport& b,
                       const std::string& what) {
    ASSERT_EQ(a.sites_size(), b.sites_size()) << what;
    for (int i = 0; i < a.sites_size(); ++i) {
      std::string diff;
      MessageDifferencer differencer;
      differencer.ReportDifferencesToString(&diff);
      EXPECT_TRUE(differencer.Compare(a.sites(i), b.sites(i)))
          << what << ": site " << a.sites(i).site_id() << "\n"
          << diff;
    }
  }

  std::vector<std::string> RunIds(const std::string& data) {
    return testing::ListedRunIds(CENSUS_BIN, data, dir_);
  }

  fs::path dir_;
  std::unique_ptr<SimWebProcess> simweb_;
};

// ------------------------------------------------------------------ as of a day

Site MakeSite(const std::string& id) {
  Site site;
  site.set_site_id(id);
  site.set_name(absl::StrCat("站点", id));
  site.set_url(absl::StrCat("https://", id, ".gov.cn/"));
  site.set_region("420000");
  site.set_level("county");
  return site;
}

// A census of `site` at `t`: probes (all failing when `down`), the homepage and the
// columns `columns` (name → newest item date) as declared and observed.
ResultBatch Visit(const std::string& site_id, int64_t t, bool down,
                  const std::vector<std::pair<std::string, std::string>>& columns) {
  ResultBatch b;
  *b.mutable_site() = MakeSite(site_id);
  const std::string home = b.site().url();
  for (int i = 0; i < 4; ++i) {
    FetchRecord* probe = b.add_fetches();
    probe->set_site_id(site_id);
    probe->set_kind(PROBE);
    probe->set_url(home);
    probe->set_probe_index(i);
    probe->set_fetched_at_ms(t + i * 1000);
    probe->set_error(down ? TIMEOUT : FETCH_OK);
    probe->set_status(down ? 0 : 200);
  }
  if (down) return b;
  FetchRecord* fetch = b.add_fetches();
  fetch->set_site_id(site_id);
  fetch->set_kind(HOMEPAGE);
  fetch->set_url(home);
  fetch->set_fetched_at_ms(t + 5000);
  fetch->set_status(200);
  PageObservation* hp = b.add_observations();
  hp->set_site_id(site_id);
  hp->set_kind(HOMEPAGE);
  hp->set_url(home);
  hp->set_fetched_at_ms(t + 5000);
  int n = 0;
  for (const auto& [name, date] : columns) {
    const std::string url = absl::StrCat(home, "col", ++n, "/");
    Column* column = b.add_columns();
    column->set_site_id(site_id);
    column->set_name(name);
    column->set_url(url);
    column->set_category(NOTICE);
    column->set_declared(true);
    FetchRecord* page = b.add_fetches();
    page->set_site_id(site_id);
    page->set_kind(COLUMN);
    page->set_url(url);
    page->set_fetched_at_ms(t + 6000 + n);
    page->set_status(200);
    PageObservation* obs = b.add_observations();
    obs->set_site_id(site_id);
    obs->set_kind(COLUMN);
    obs->set_url(url);
    *obs->mutable_column() = *column;
    obs->set_page_kind("list");
    obs->set_fetched_at_ms(t + 6000 + n);
    ListItem* item = obs->add_items();
    item->set_title(absl::StrCat(name, "的通知"));
    item->set_href(absl::StrCat(url, "1.html"));
    item->set_date(date);
    obs->set_latest_date(date);
    ListItem* hp_item = hp->add_items();
    *hp_item = *item;
  }
  return b;
}

RunRecord MakeRun(const std::string& id, int64_t started, int64_t finished,
                  const std::string& as_of, const std::vector<std::string>& sites) {
  RunRecord run;
  run.set_run_id(id);
  run.set_started_ms(started);
  run.set_finished_ms(finished);
  run.set_as_of(as_of);
  run.set_sites(static_cast<int>(sites.size()));
  for (const std::string& s : sites) run.add_site_ids(s);
  run.set_rubric_text(DefaultRubricText());
  return run;
}

// Two censuses written through the Store API on two days: 2026-11-10 (sites a and b, a
// with one column) and 2026-11-20 (site a only, now down, with two columns).
TEST_F(AsOfTest, AsOfADayGivesTheCensusStoredByThen) {
  const fs::path data = dir_ / "data";
  fs::create_directories(data);
  {
    StoreOptions options;
    options.sync_writes = false;
    auto store = Store::Open((data / "store-0").string(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    const int64_t t1 = Ms(2026, 11, 10, 10);
    ASSERT_TRUE((*store)->Write(Visit("a", t1, false, {{"通知公告", "2026-11-09"}})).ok());
    ASSERT_TRUE((*store)->Write(Visit("b", t1 + 60000, false, {{"工作动态", "2026-06-01"}})).ok());
    ASSERT_TRUE(
        (*store)
            ->PutRun(MakeRun("2026-11-10T02:00:00.000Z", t1, t1 + 600000, "2026-11-10", {"a", "b"}))
            .ok());
    const int64_t t2 = Ms(2026, 11, 20, 10);
    ResultBatch second = Visit("a", t2, true, {});
    ResultBatch columns =
        Visit("a", t2 + 100, false, {{"通知公告", "2026-11-19"}, {"政策文件", "2026-11-18"}});
    second.mutable_columns()->CopyFrom(columns.columns());
    ASSERT_TRUE((*store)->Write(second).ok());
    ASSERT_TRUE(
        (*store)
            ->PutRun(MakeRun("2026-11-20T02:00:00.000Z", t2, t2 + 600000, "2026-11-20", {"a"}))
            .ok());
  }
  const std::string d = data.string();
  auto replay = [&](std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), {"replay", "--data", d, "--out", (dir_ / name).string()});
    EXPECT_EQ(Census(args, name), 0) << ReadFile(dir_ / (name + ".err"));
    return Report(name);
  };
  const report::CensusReport run1 = replay({"--run", "2026-11-10T02:00:00.000Z"}, "run1");
  const report::CensusReport run2 = replay({"--run", "2026-11-20T02:00:00.000Z"}, "run2");
  ASSERT_EQ(run1.sites_size(), 2);
  ASSERT_EQ(run2.sites_size(), 1);

  // The day of a run: that run's census.
  ExpectSameSites(replay({"--as-of", "2026-11-10"}, "day1"), run1, "as of 2026-11-10");
  ExpectSameSites(replay({"--as-of", "2026-11-20"}, "day2"), run2, "as of 2026-11-20");
  ExpectSameSites(
      replay({"--as-of", "2026-11-20", "--until", "2026-11-21T00:00:00+08:00"}, "until"), run2,
      "--until");

  // Between the runs: the first run's data, judged as of the day asked for.
  const report::CensusReport between = replay({"--as-of", "2026-11-15"}, "between");
  EXPECT_EQ(between.census().as_of(), "2026-11-15");
  ASSERT_EQ(between.sites_size(), 2);
  const report::SiteReport& a = between.sites(0);
  EXPECT_EQ(a.site_id(), "a");
  EXPECT_EQ(a.reachability().probes(), 4);
  EXPECT_EQ(a.reachability().failures(), 0);
  ASSERT_EQ(a.columns_size(), 1);
  EXPECT_EQ(a.columns(0).name(), "通知公告");
  EXPECT_EQ(a.columns(0).last_update(), "2026-11-09");
  EXPECT_EQ(a.verdict(), run1.sites(0).verdict());
  EXPECT_EQ(between.sites(1).site_id(), "b");
  EXPECT_EQ(between.sites(1).columns(0).last_update(), "2026-06-01");
  // The second run's day: a is down and has two columns; b is not in that census.
  ASSERT_EQ(run2.sites(0).columns_size(), 2);
  EXPECT_EQ(run2.sites(0).verdict(), "unreachable");
  EXPECT_EQ(run2.sites(0).reachability().failures(), 4);

  // Before any run: no census, and no report.
  EXPECT_EQ(
      Census({"replay", "--data", d, "--as-of", "2026-11-01", "--out", (dir_ / "before").string()},
             "before"),
      1);
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "before.err"),
                                "no fetch between 1970-01-01T08:00:00+08:00 and "
                                "2026-11-01T23:59:59+08:00: no census of that day"))
      << ReadFile(dir_ / "before.err");
  EXPECT_FALSE(fs::exists(dir_ / "before" / "report.json"));
  // --sites: those sites, whatever the store saw of them.
  std::ofstream(dir_ / "sites.csv") << "site_id,name,url\nb,站点b,https://b.gov.cn/\n";
  const report::CensusReport only_b =
      replay({"--as-of", "2026-11-15", "--sites", (dir_ / "sites.csv").string()}, "only-b");
  ASSERT_EQ(only_b.sites_size(), 1);
  ExpectSameSites(
      only_b,
      [&] {
        report::CensusReport r = between;
        r.mutable_sites()->DeleteSubrange(0, 1);
        return r;
      }(),
      "--sites");

  // Usage.
  EXPECT_EQ(Census({"replay", "--help"}, "help"), 0);
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "help.out"), "--as-of YYYY-MM-DD"));
  EXPECT_EQ(Census({"replay", "--data", d, "--as-of", "2026-11-15", "--run", "x"}, "both"), 2);
  EXPECT_EQ(Census({"replay", "--data", d, "--until", "2026-11-21T00:00:00+08:00"}, "until-only"),
            2);
  EXPECT_EQ(Census({"replay", "--data", d, "--as-of", "15 Nov"}, "bad-day"), 2);
  EXPECT_EQ(
      Census({"replay", "--data", d, "--as-of", "2026-11-15", "--until", "soon"}, "bad-until"), 2);
}

// ------------------------------------------------------------------ the simulated web

constexpr int kSites = 8;
constexpr int kProbes = 3;

class SimWebAsOfTest : public AsOfTest {
 protected:
  void SetUp() override {
    AsOfTest::SetUp();
    simweb_ = std::make_unique<SimWebProcess>(
        SIMWEB_BIN, dir_,
        std::vector<std::string>{"--seed", "3", "--sites", std::to_string(kSites), "--as-of",
                                 "2026-11-20", "--probes", std::to_string(kProbes)});
    ASSERT_TRUE(simweb_->ok()) << simweb_->error();
  }

  int Run(const std::string& out, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = simweb_->CensusRunArgs(dir_ / "truth" / "sites.csv", dir_ / out,
                                                           dir_ / "data", kProbes, "20ms");
    args.insert(args.end(), extra.begin(), extra.end());
    return Census(args, out);
  }

  void ExpectSameReports(const std::string& a, const std::string& b) {
    for (const char* file : {"report.json", "report.csv", "report.html"}) {
      const std::string want = ReadFile(dir_ / a / file);
      ASSERT_FALSE(want.empty()) << a << "/" << file;
      EXPECT_TRUE(want == ReadFile(dir_ / b / file)) << a << "/" << file << " vs " << b;
    }
  }
};

// Two runs whose declared columns differ: the replay of each reads its own columns, and
// an as-of census between or after them matches the run it follows.
TEST_F(SimWebAsOfTest, ReplayOfEachRunReadsThatRunsColumns) {
  const testing::TruthSite* site = nullptr;
  for (const testing::TruthSite& s : simweb_->truth().sites()) {
    if (s.columns_size() >= 3 && site == nullptr) site = &s;
  }
  ASSERT_NE(site, nullptr);
  auto columns_csv = [&](const fs::path& path, std::vector<int> which) {
    std::ofstream out(path);
    out << "site_id,name,url,category\n";
    for (int i : which) {
      const testing::TruthColumn& c = site->columns(i);
      out << site->site_id() << "," << c.name() << "," << c.url() << "," << c.category() << "\n";
    }
  };
  columns_csv(dir_ / "columns-a.csv", {0, 1});
  columns_csv(dir_ / "columns-b.csv", {2});
  ASSERT_EQ(Run("run1", {"--columns", (dir_ / "columns-a.csv").string()}), 0)
      << ReadFile(dir_ / "run1.err");
  const std::string between = Rfc3339Millis(absl::Now());
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_EQ(Run("run2", {"--columns", (dir_ / "columns-b.csv").string()}), 0)
      << ReadFile(dir_ / "run2.err");
  const std::string d = (dir_ / "data").string();
  const std::vector<std::string> runs = RunIds(d);
  ASSERT_EQ(runs.size(), 2u);

  auto columns_of = [&](const report::CensusReport& report) {
    std::vector<std::string> out;
    for (const report::SiteReport& s : report.sites()) {
      if (s.site_id() != site->site_id()) continue;
      for (const report::ColumnReport& c : s.columns()) out.push_back(c.name() + " " + c.url());
    }
    return out;
  };
  const std::vector<std::string> want_a = {site->columns(0).name() + " " + site->columns(0).url(),
                                           site->columns(1).name() + " " + site->columns(1).url()};
  const std::vector<std::string> want_b = {site->columns(2).name() + " " + site->columns(2).url()};
  EXPECT_EQ(columns_of(Report("run1")), want_a);
  EXPECT_EQ(columns_of(Report("run2")), want_b);

  for (int i = 0; i < 2; ++i) {
    const std::string out = absl::StrCat("replay", i + 1);
    ASSERT_EQ(
        Census({"replay", "--data", d, "--run", runs[i], "--out", (dir_ / out).string()}, out), 0)
        << ReadFile(dir_ / (out + ".err"));
    ExpectSameReports(absl::StrCat("run", i + 1), out);
  }
  EXPECT_EQ(columns_of(Report("replay1")), want_a);

  // As of the census day, stored up to a time between the runs / after both.
  const std::string as_of = simweb_->truth().as_of();
  ASSERT_EQ(Census({"replay", "--data", d, "--as-of", as_of, "--until", between, "--out",
                    (dir_ / "asof1").string()},
                   "asof1"),
            0)
      << ReadFile(dir_ / "asof1.err");
  ExpectSameSites(Report("asof1"), Report("run1"), "as of between the runs");
  ASSERT_EQ(Census({"replay", "--data", d, "--as-of", as_of, "--until", Rfc3339Millis(absl::Now()),
                    "--out", (dir_ / "asof2").string()},
                   "asof2"),
            0)
      << ReadFile(dir_ / "asof2.err");
  ExpectSameSites(Report("asof2"), Report("run2"), "as of after both runs");
}

// The stored observations of a site's dated column, made deliberately wrong (every item
// dated 2019) as an older extractor might have read them: `census replay --reextract`
// reads the stored pages again and gives the run's report back, naming what changed.
TEST_F(SimWebAsOfTest, ReextractReadsTheStoredPagesAgainAndResumes) {
  ASSERT_EQ(Run("run1"), 0) << ReadFile(dir_ / "run1.err");
  const report::CensusReport original = Report("run1");
  const std::string d = (dir_ / "data").string();
  const std::vector<std::string> runs = RunIds(d);
  ASSERT_EQ(runs.size(), 1u);

  // Tamper: the first column page of each of two sites, read from its markup alone.
  std::set<std::string> tampered_sites;
  std::set<std::string> tampered_columns;
  {
    StoreOptions options;
    options.sync_writes = false;
    auto store = Store::Open((dir_ / "data" / "store-0").string(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    std::vector<Site> sites;
    ASSERT_TRUE((*store)->ForEachSite([&](const Site& s) { sites.push_back(s); }).ok());
    for (const Site& s : sites) {
      if (tampered_sites.size() == 2) break;
      auto latest = (*store)->LatestObservations(s.site_id(), INT64_MAX);
      ASSERT_TRUE(latest.ok());
      for (PageObservation obs : *latest) {
        // A column the rubric judges by its dates, read from its markup alone.
        const Category category = obs.column().category();
        if (obs.kind() != COLUMN || obs.list_pages() != 1 || obs.list_source() != "html" ||
            obs.items_size() == 0 || obs.items(0).date().empty() ||
            (category != NEWS && category != NOTICE && category != POLICY)) {
          continue;
        }
        for (ListItem& item : *obs.mutable_items()) {
          if (!item.date().empty()) item.set_date("2019-01-01");
        }
        obs.set_latest_date("2019-01-01");
        ResultBatch batch;
        *batch.mutable_site() = s;
        *batch.add_observations() = obs;
        ASSERT_TRUE((*store)->Write(batch).ok());
        tampered_sites.insert(s.site_id());
        tampered_columns.insert(obs.url());
        break;
      }
    }
  }
  ASSERT_EQ(tampered_sites.size(), 2u);
  fs::copy(dir_ / "data", dir_ / "data2", fs::copy_options::recursive);

  // The run as stored (tampered): the two sites now have a stale column each.
  ASSERT_EQ(Census({"replay", "--data", d, "--out", (dir_ / "stored").string()}, "stored"), 0);
  const report::CensusReport stored = Report("stored");

  ASSERT_EQ(Census({"replay", "--data", d, "--reextract", "--out", (dir_ / "rex").string()}, "rex"),
            0)
      << ReadFile(dir_ / "rex.err");
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "rex.err"),
                                absl::StrCat(kSites, " of ", kSites, " sites done (0 before)")))
      << ReadFile(dir_ / "rex.err");
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "rex.err"), ", 2 changed,"))
      << ReadFile(dir_ / "rex.err");
  // Re-extracted, the census is the run's own again, site for site.
  ExpectSameSites(Report("rex"), original, "re-extracted vs the run");
  // What changed: exactly the tampered sites, each losing its stale column.
  const std::string diff = ReadFile(dir_ / "rex" / "reextract-diff.json");
  for (const report::SiteReport& s : stored.sites()) {
    const bool tampered = tampered_sites.contains(s.site_id());
    EXPECT_EQ(absl::StrContains(diff, absl::StrCat("\"site_id\":\"", s.site_id(), "\"")) ||
                  absl::StrContains(diff, absl::StrCat("\"site_id\": \"", s.site_id(), "\"")),
              tampered)
        << s.site_id() << "\n"
        << diff;
  }
  for (const std::string& url : tampered_columns) {
    EXPECT_TRUE(absl::StrContains(diff, url)) << url << "\n" << diff;
  }
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "rex.out"), "reextract-diff.json"));

  // The evidence stays: the run replays as stored, and --reextracted as re-extracted.
  ASSERT_EQ(Census({"replay", "--data", d, "--out", (dir_ / "stored2").string()}, "stored2"), 0);
  ExpectSameReports("stored", "stored2");
  ASSERT_EQ(
      Census({"replay", "--data", d, "--reextracted", "--out", (dir_ / "rexd").string()}, "rexd"),
      0);
  ExpectSameSites(Report("rexd"), original, "--reextracted");

  // Cut short after 3 sites, then resumed: the same result as in one go.
  const std::string d2 = (dir_ / "data2").string();
  EXPECT_EQ(Census({"replay", "--data", d2, "--reextract", "--reextract-limit", "3", "--out",
                    (dir_ / "part").string()},
                   "part"),
            3)
      << ReadFile(dir_ / "part.err");
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "part.err"), "stopped after 3 sites"))
      << ReadFile(dir_ / "part.err");
  EXPECT_FALSE(fs::exists(dir_ / "part" / "report.json"));
  ASSERT_EQ(
      Census({"replay", "--data", d2, "--reextract", "--out", (dir_ / "part").string()}, "resume"),
      0)
      << ReadFile(dir_ / "resume.err");
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "resume.err"),
                                absl::StrCat(kSites, " of ", kSites, " sites done (3 before)")))
      << ReadFile(dir_ / "resume.err");
  ExpectSameReports("rex", "part");
  EXPECT_TRUE(ReadFile(dir_ / "rex" / "reextract-diff.json") ==
              ReadFile(dir_ / "part" / "reextract-diff.json"));
  // Done is done: a third time re-extracts nothing and says the same.
  ASSERT_EQ(
      Census({"replay", "--data", d2, "--reextract", "--out", (dir_ / "again").string()}, "again"),
      0);
  EXPECT_TRUE(
      absl::StrContains(ReadFile(dir_ / "again.err"),
                        absl::StrCat(kSites, " of ", kSites, " sites done (", kSites, " before)")));
  ExpectSameReports("rex", "again");
}

}  // namespace
}  // namespace census
