// End to end: `census export-warc` and `census import-warc` (docs/WARC.md) with the real
// binaries. A census of the simulated web exported and imported into an empty store
// gives back every fetch (date, status, validators) and every body; warcio.js, a WARC
// reader census did not write, reads the export record for record; a WARC that `wget
// --warc-file` wrote against the simulated web imports; a damaged WARC imports what is
// whole and reports each damage by reason.

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "interchange/warc.h"
#include "proto/census.pb.h"
#include "proto/report.pb.h"
#include "storage/store.h"
#include "tests/simweb_process.h"
#include "tests/subprocess.h"

namespace census {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunToCompletion;
using testing::SimWebProcess;

constexpr int kSites = 6;
constexpr int kProbes = 3;

std::unique_ptr<Store> OpenStore(const fs::path& data) {
  StoreOptions options;
  options.read_only = true;
  auto store = Store::Open((data / "store-0").string(), options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

std::vector<std::string> SiteIds(Store& store) {
  std::vector<std::string> sites;
  EXPECT_TRUE(store.ForEachSite([&](const Site& s) { sites.push_back(s.site_id()); }).ok());
  std::sort(sites.begin(), sites.end());
  return sites;
}

// Every fetch record of a store, site by site, in ForEachFetch order.
std::vector<FetchRecord> AllFetches(Store& store) {
  std::vector<FetchRecord> out;
  for (const std::string& id : SiteIds(store)) {
    EXPECT_TRUE(
        store
            .ForEachFetch(id, INT64_MIN, INT64_MAX, [&](const FetchRecord& f) { out.push_back(f); })
            .ok());
  }
  return out;
}

// A fetch record as a WARC carries it: everything but the lease it came in and the
// lexicon hits (re-derived from the page by a census, not interchange).
std::string Carried(FetchRecord f) {
  f.clear_lease_id();
  f.clear_content_hits();
  return f.ShortDebugString();
}

report::CensusReport Report(const fs::path& json) {
  report::CensusReport report;
  auto st = google::protobuf::util::JsonStringToMessage(ReadFile(json), &report);
  EXPECT_TRUE(st.ok()) << json << ": " << st.ToString();
  return report;
}

int64_t DirectoryBytes(const fs::path& dir) {
  int64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += static_cast<int64_t>(entry.file_size());
  }
  return total;
}

class WarcEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("census-warc-", getpid(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  void TearDown() override {
    simweb_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void StartSimWeb() {
    simweb_ = std::make_unique<SimWebProcess>(
        SIMWEB_BIN, dir_,
        std::vector<std::string>{"--seed", "3", "--sites", std::to_string(kSites), "--as-of",
                                 "2026-11-20", "--probes", std::to_string(kProbes)});
    ASSERT_TRUE(simweb_->ok()) << simweb_->error();
  }

  int Census(std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), CENSUS_BIN);
    return RunToCompletion(args, (dir_ / (name + ".out")).string(),
                           (dir_ / (name + ".err")).string());
  }

  // Two censuses of the simulated web into dir_/data (the second fetches the same
  // pages again: the simulated web sends no validators, so its bodies repeat), exported
  // to dir_/census.warc.gz.
  void CensusAndExport() {
    StartSimWeb();
    for (const char* run : {"run1", "run2"}) {
      ASSERT_EQ(Census(simweb_->CensusRunArgs(dir_ / "truth" / "sites.csv", dir_ / run,
                                              dir_ / "data", kProbes, "50ms"),
                       run),
                0)
          << ReadFile(dir_ / (std::string(run) + ".err"));
    }
    ASSERT_EQ(Census({"export-warc", "--data", (dir_ / "data").string(), "--out",
                      (dir_ / "census.warc.gz").string()},
                     "export"),
              0)
        << ReadFile(dir_ / "export.err");
  }

  fs::path dir_;
  std::unique_ptr<SimWebProcess> simweb_;
};

TEST_F(WarcEndToEnd, UsageOnHelpAndBadFlags) {
  for (const char* command : {"export-warc", "import-warc"}) {
    EXPECT_EQ(Census({command, "--help"}, "help"), 0);
    EXPECT_TRUE(absl::StartsWith(ReadFile(dir_ / "help.out"), "usage: census ")) << command;
    EXPECT_EQ(Census({command, "--no-such-flag"}, "bad"), 2);
    EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "bad.err"), "usage: census ")) << command;
  }
  EXPECT_EQ(Census({"export-warc", "--data", (dir_ / "data").string()}, "noout"), 2);
  EXPECT_EQ(Census({"import-warc", "--data", (dir_ / "data").string()}, "nofile"), 2);
}

// Export, import into an empty store: the same fetch records (dates to the millisecond,
// statuses, validators, redirects, errors) and the same bodies, read through the store.
TEST_F(WarcEndToEnd, RoundTripGivesBackEveryFetchAndBody) {
  ASSERT_NO_FATAL_FAILURE(CensusAndExport());
  ASSERT_EQ(Census({"import-warc", "--data", (dir_ / "data2").string(),
                    (dir_ / "census.warc.gz").string()},
                   "import"),
            0)
      << ReadFile(dir_ / "import.err");
  const std::string summary = ReadFile(dir_ / "import.out");
  EXPECT_TRUE(absl::StrContains(summary, "  unusable: 0\n")) << summary;

  std::unique_ptr<Store> original = OpenStore(dir_ / "data");
  std::unique_ptr<Store> imported = OpenStore(dir_ / "data2");
  ASSERT_TRUE(original && imported);
  const std::vector<FetchRecord> want = AllFetches(*original);
  const std::vector<FetchRecord> got = AllFetches(*imported);
  ASSERT_GT(want.size(), 50u);
  ASSERT_EQ(got.size(), want.size());
  int with_body = 0, not_modified_or_bodiless = 0;
  std::set<std::string> hashes;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(Carried(got[i]), Carried(want[i]));
    EXPECT_EQ(got[i].fetched_at_ms(), want[i].fetched_at_ms());
    if (!want[i].content_hash().empty()) hashes.insert(want[i].content_hash());
  }
  for (const std::string& hash : hashes) {
    absl::StatusOr<std::string> body = original->GetBody(hash);
    if (absl::IsNotFound(body.status())) {
      ++not_modified_or_bodiless;  // a link check's page: the census kept its hash only
      EXPECT_TRUE(absl::IsNotFound(imported->GetBody(hash).status())) << hash;
      continue;
    }
    ASSERT_TRUE(body.ok()) << body.status();
    absl::StatusOr<std::string> copy = imported->GetBody(hash);
    ASSERT_TRUE(copy.ok()) << hash << ": " << copy.status();
    EXPECT_TRUE(*copy == *body) << hash;
    ++with_body;
  }
  EXPECT_GT(with_body, 10);

  // Homepages and column pages are observed again from their bodies: the same list
  // items as the census's own observations of them.
  int observations_compared = 0;
  for (const std::string& site_id : SiteIds(*original)) {
    auto want_obs = original->LatestObservations(site_id, INT64_MAX);
    auto got_obs = imported->LatestObservations(site_id, INT64_MAX);
    ASSERT_TRUE(want_obs.ok() && got_obs.ok());
    std::map<std::string, const PageObservation*> by_url;
    for (const PageObservation& o : *got_obs) by_url[o.url()] = &o;
    for (const PageObservation& o : *want_obs) {
      if (o.kind() != HOMEPAGE && o.kind() != COLUMN) continue;
      ASSERT_TRUE(by_url.contains(o.url())) << o.url();
      const PageObservation& copy = *by_url[o.url()];
      EXPECT_EQ(copy.fetched_at_ms(), o.fetched_at_ms()) << o.url();
      EXPECT_EQ(copy.content_hash(), o.content_hash()) << o.url();
      EXPECT_EQ(copy.page_kind(), o.page_kind()) << o.url();
      EXPECT_EQ(copy.latest_date(), o.latest_date()) << o.url();
      ASSERT_EQ(copy.items_size(), o.items_size()) << o.url();
      for (int i = 0; i < o.items_size(); ++i) {
        EXPECT_EQ(copy.items(i).ShortDebugString(), o.items(i).ShortDebugString()) << o.url();
      }
      ++observations_compared;
    }
  }
  EXPECT_GT(observations_compared, 20);

  // The sites (registry rows and columns) came along, and the import is a run.
  std::vector<Site> sites_a, sites_b;
  ASSERT_TRUE(original->ForEachSite([&](const Site& s) { sites_a.push_back(s); }).ok());
  ASSERT_TRUE(imported->ForEachSite([&](const Site& s) { sites_b.push_back(s); }).ok());
  ASSERT_EQ(sites_b.size(), sites_a.size());
  for (size_t i = 0; i < sites_a.size(); ++i) {
    EXPECT_EQ(sites_b[i].ShortDebugString(), sites_a[i].ShortDebugString());
    auto cols_a = original->Columns(sites_a[i].site_id());
    auto cols_b = imported->Columns(sites_a[i].site_id());
    ASSERT_TRUE(cols_a.ok() && cols_b.ok());
    ASSERT_EQ(cols_b->size(), cols_a->size());
    for (size_t c = 0; c < cols_a->size(); ++c) {
      EXPECT_EQ((*cols_b)[c].url(), (*cols_a)[c].url());
      EXPECT_EQ((*cols_b)[c].category(), (*cols_a)[c].category());
      EXPECT_EQ((*cols_b)[c].name(), (*cols_a)[c].name());
    }
  }
  std::vector<RunRecord> runs;
  ASSERT_TRUE(imported->ForEachRun([&](const RunRecord& r) { runs.push_back(r); }).ok());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(runs[0].run_id(), "import-")) << runs[0].run_id();
  EXPECT_EQ(runs[0].pages_fetched(), static_cast<int64_t>(want.size()));
  EXPECT_EQ(runs[0].site_ids_size(), kSites);
  const std::string summary_line = summary.substr(0, summary.find('\n'));
  EXPECT_TRUE(absl::StrContains(summary_line, absl::StrCat(want.size(), " fetches of 6 sites")))
      << summary_line;
  EXPECT_FALSE(absl::StrContains(summary_line, " 0 fetches through revisit records"))
      << summary_line;
  EXPECT_EQ(runs[0].started_ms(),
            std::min_element(want.begin(), want.end(), [](const auto& a, const auto& b) {
              return a.fetched_at_ms() < b.fetched_at_ms();
            })->fetched_at_ms());
  EXPECT_EQ(Census({"replay", "--data", (dir_ / "data2").string(), "--list"}, "list"), 0);
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "list.out"), runs[0].run_id()));
  // The aggregator reads the import as a census of its own.
  ASSERT_EQ(
      Census({"replay", "--data", (dir_ / "data2").string(), "--out", (dir_ / "replay").string()},
             "replay"),
      0)
      << ReadFile(dir_ / "replay.err");
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "replay.out"), "6 sites"))
      << ReadFile(dir_ / "replay.out");

  // Imported into the store it came from, it adds nothing and changes nothing.
  original.reset();
  ASSERT_EQ(Census({"import-warc", "--data", (dir_ / "data").string(),
                    (dir_ / "census.warc.gz").string()},
                   "reimport"),
            0)
      << ReadFile(dir_ / "reimport.err");
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "reimport.out"),
                                absl::StrCat("fetch already in the store ", want.size())))
      << ReadFile(dir_ / "reimport.out");
  original = OpenStore(dir_ / "data");
  ASSERT_TRUE(original);
  const std::vector<FetchRecord> after = AllFetches(*original);
  ASSERT_EQ(after.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(after[i].ShortDebugString(), want[i].ShortDebugString());
  }

  // One run exported and imported scores as that run did: the same verdicts, scores
  // and vetoes, site for site (the import takes the run's census date from warcinfo).
  std::vector<RunRecord> original_runs;
  ASSERT_TRUE(original->ForEachRun([&](const RunRecord& r) { original_runs.push_back(r); }).ok());
  ASSERT_EQ(original_runs.size(), 2u);
  ASSERT_EQ(Census({"export-warc", "--data", (dir_ / "data").string(), "--run",
                    original_runs[1].run_id(), "--out", (dir_ / "run2.warc.gz").string()},
                   "export2"),
            0)
      << ReadFile(dir_ / "export2.err");
  ASSERT_EQ(
      Census({"import-warc", "--data", (dir_ / "data3").string(), (dir_ / "run2.warc.gz").string()},
             "import2"),
      0)
      << ReadFile(dir_ / "import2.err");
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "import2.out"),
                                absl::StrCat("(as of ", original_runs[1].as_of(), ")")));
  ASSERT_EQ(
      Census({"replay", "--data", (dir_ / "data3").string(), "--out", (dir_ / "replay2").string()},
             "replay2"),
      0)
      << ReadFile(dir_ / "replay2.err");
  const report::CensusReport want_report = Report(dir_ / "run2" / "report.json");
  const report::CensusReport got_report = Report(dir_ / "replay2" / "report.json");
  ASSERT_EQ(got_report.sites_size(), want_report.sites_size());
  for (int i = 0; i < want_report.sites_size(); ++i) {
    const report::SiteReport& want_site = want_report.sites(i);
    const report::SiteReport& got_site = got_report.sites(i);
    EXPECT_EQ(got_site.site_id(), want_site.site_id());
    EXPECT_EQ(got_site.verdict(), want_site.verdict()) << want_site.site_id();
    EXPECT_EQ(got_site.score(), want_site.score()) << want_site.site_id();
    EXPECT_EQ(got_site.vetoes_size(), want_site.vetoes_size()) << want_site.site_id();
    for (int v = 0; v < std::min(got_site.vetoes_size(), want_site.vetoes_size()); ++v) {
      EXPECT_EQ(got_site.vetoes(v).rule(), want_site.vetoes(v).rule()) << want_site.site_id();
    }
  }

  // Sizes, for the record (docs/WARC.md): the store as reopened (its log replayed into
  // tables), its bodies raw and as stored, and the export.
  const Store::Stats stats = original->BodyStats();
  std::printf(
      "two censuses of %d sites: %zu fetches, %d bodies (%ld bytes raw, %ld stored); store-0 "
      "%ld bytes on disk, census.warc.gz %ld bytes\n",
      kSites, want.size(), with_body, static_cast<long>(stats.raw_bytes),
      static_cast<long>(stats.stored_bytes),
      static_cast<long>(DirectoryBytes(dir_ / "data" / "store-0")),
      static_cast<long>(fs::file_size(dir_ / "census.warc.gz")));
}

// warcio.js (tests/warc/, installed by scripts/install-warc-reader.sh) reads the export:
// the exact sequence of record types and target URIs the store's fetches make, request
// and response linked, and every payload digest the digest of the stored body.
TEST_F(WarcEndToEnd, WarcioReadsTheExportRecordForRecord) {
  const fs::path reader = fs::path(CENSUS_SOURCE_DIR) / "tests" / "warc";
  ASSERT_TRUE(fs::exists(reader / "node_modules" / "warcio"))
      << "warcio is not installed: run scripts/install-warc-reader.sh";
  ASSERT_NO_FATAL_FAILURE(CensusAndExport());
  ASSERT_EQ(RunToCompletion({"/usr/bin/env", "node", (reader / "read_warc.mjs").string(),
                             (dir_ / "census.warc.gz").string()},
                            (dir_ / "warcio.out").string(), (dir_ / "warcio.err").string()),
            0)
      << ReadFile(dir_ / "warcio.err");
  struct Seen {
    std::string type, uri, id, concurrent_to, refers_to, profile, payload_digest, payload_sha1;
    int status = 0;
    int64_t payload_length = 0;
  };
  // Each line is a flat JSON object of strings and numbers; read the fields we need.
  auto field = [](const std::string& line, const std::string& name) {
    const std::string key = "\"" + name + "\":";
    size_t at = line.find(key);
    if (at == std::string::npos) return std::string();
    at += key.size();
    if (line[at] == '"') {
      return line.substr(at + 1, line.find('"', at + 1) - at - 1);
    }
    return line.substr(at, line.find_first_of(",}", at) - at);
  };
  std::vector<Seen> records;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(dir_ / "warcio.out"), '\n', absl::SkipEmpty())) {
    const std::string l(line);
    Seen s{field(l, "type"),           field(l, "uri"),         field(l, "id"),
           field(l, "concurrent_to"),  field(l, "refers_to"),   field(l, "profile"),
           field(l, "payload_digest"), field(l, "payload_sha1")};
    s.status = std::stoi(field(l, "status"));
    s.payload_length = std::stoll(field(l, "payload_length"));
    records.push_back(std::move(s));
  }

  // What the store says the file must hold.
  std::unique_ptr<Store> store = OpenStore(dir_ / "data");
  ASSERT_TRUE(store);
  std::vector<std::string> site_ids;
  std::map<std::string, std::string> site_urls;
  ASSERT_TRUE(store
                  ->ForEachSite([&](const Site& s) {
                    site_ids.push_back(s.site_id());
                    site_urls[s.site_id()] = s.url();
                  })
                  .ok());
  std::sort(site_ids.begin(), site_ids.end());
  size_t at = 0;
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[at++].type, "warcinfo");
  std::map<std::string, std::string> first_digest;  // content hash → payload digest
  std::map<std::string, int> types;
  for (const std::string& id : site_ids) {
    ASSERT_LT(at, records.size());
    EXPECT_EQ(records[at].type, "metadata");
    EXPECT_EQ(records[at++].uri, site_urls[id]);
    std::vector<FetchRecord> fetches;
    ASSERT_TRUE(store
                    ->ForEachFetch(id, INT64_MIN, INT64_MAX,
                                   [&](const FetchRecord& f) { fetches.push_back(f); })
                    .ok());
    for (const FetchRecord& f : fetches) {
      ASSERT_LT(at + 1, records.size());
      const Seen& request = records[at++];
      const Seen& answer = records[at++];
      EXPECT_EQ(request.type, "request");
      EXPECT_EQ(request.uri, f.url());
      EXPECT_EQ(answer.uri, f.url());
      EXPECT_EQ(answer.concurrent_to, request.id);
      ++types[answer.type];
      if (f.status() == 0) {
        EXPECT_EQ(answer.type, "metadata") << f.url();
        continue;
      }
      EXPECT_EQ(answer.status, f.status()) << f.url();
      absl::StatusOr<std::string> body = f.content_hash().empty() || f.not_modified()
                                             ? absl::NotFoundError("none")
                                             : store->GetBody(f.content_hash());
      if (!body.ok()) {
        EXPECT_EQ(answer.type, "response") << f.url();
        EXPECT_EQ(answer.payload_length, 0) << f.url();
        continue;
      }
      if (first_digest.contains(f.content_hash())) {
        EXPECT_EQ(answer.type, "revisit") << f.url();
        EXPECT_EQ(answer.profile,
                  "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest");
        EXPECT_EQ(answer.payload_digest, first_digest[f.content_hash()]);
        EXPECT_FALSE(answer.refers_to.empty());
        continue;
      }
      EXPECT_EQ(answer.type, "response") << f.url();
      EXPECT_EQ(answer.payload_length, static_cast<int64_t>(body->size())) << f.url();
      // The digest the record claims is that of the payload warcio read, and of the body.
      EXPECT_EQ(answer.payload_digest, answer.payload_sha1) << f.url();
      EXPECT_EQ(answer.payload_digest, WarcSha1Digest(*body)) << f.url();
      first_digest[f.content_hash()] = answer.payload_digest;
    }
  }
  EXPECT_EQ(at, records.size());
  EXPECT_GT(types["response"], 0);
  EXPECT_GT(types["revisit"], 0);
  std::printf("warcio read %zu records: %d responses, %d revisits, %d metadata\n", records.size(),
              types["response"], types["revisit"], types["metadata"]);
}

// wget --warc-file against the simulated web (through simweb as its HTTP proxy): the
// pages it fetched arrive, bodies byte for byte; its request, warcinfo and log records
// are counted as skipped; the page of a host no site is on is reported unusable.
TEST_F(WarcEndToEnd, ImportsWhatWgetWrote) {
  ASSERT_EQ(RunToCompletion({"/usr/bin/env", "sh", "-c", "command -v wget"},
                            (dir_ / "which.out").string(), (dir_ / "which.err").string()),
            0)
      << "wget is not installed (scripts/install-deps.sh installs it)";
  ASSERT_NO_FATAL_FAILURE(StartSimWeb());
  const auto& sites = simweb_->truth().sites();
  ASSERT_GE(sites.size(), 3);
  ASSERT_GT(sites[0].columns_size(), 0);
  const std::vector<std::string> urls = {sites[0].url(), sites[0].columns(0).url(), sites[1].url(),
                                         "http://no-such-site.example.gov.cn/"};
  std::vector<std::string> argv = {
      "/usr/bin/env",
      "-u",
      "no_proxy",
      "-u",
      "NO_PROXY",
      "wget",
      "--no-verbose",
      "-e",
      "robots=off",
      "-e",
      "use_proxy=yes",
      "-e",
      absl::StrCat("http_proxy=http://127.0.0.1:", simweb_->port(), "/"),
      "--tries=1",
      "-x",
      "-P",
      (dir_ / "files").string(),
      absl::StrCat("--warc-file=", (dir_ / "wget").string())};
  argv.insert(argv.end(), urls.begin(), urls.end());
  // wget exits 8 when a page answered with an error (the unknown host's): expected.
  const int wget_status =
      RunToCompletion(argv, (dir_ / "wget.out").string(), (dir_ / "wget.err").string());
  ASSERT_TRUE(wget_status == 0 || wget_status == 8) << wget_status << ReadFile(dir_ / "wget.err");
  ASSERT_TRUE(fs::exists(dir_ / "wget.warc.gz")) << ReadFile(dir_ / "wget.err");

  ASSERT_EQ(Census({"import-warc", "--data", (dir_ / "data").string(), "--sites",
                    (dir_ / "truth" / "sites.csv").string(), "--columns",
                    (dir_ / "truth" / "columns.csv").string(), (dir_ / "wget.warc.gz").string()},
                   "import"),
            0)
      << ReadFile(dir_ / "import.err");
  const std::string summary = ReadFile(dir_ / "import.out");
  EXPECT_TRUE(absl::StrContains(
      summary,
      ": 3 fetches of 2 sites imported (COLUMN 1, HOMEPAGE 2), 3 bodies stored, 3 pages observed"))
      << summary;
  EXPECT_TRUE(absl::StrContains(summary, "  unusable: 1 (unknown_host 1)\n")) << summary;
  EXPECT_TRUE(absl::StrContains(summary, "request 4")) << summary;
  EXPECT_TRUE(absl::StrContains(summary, "warcinfo 1")) << summary;
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "import.err"),
                                "unknown_host: http://no-such-site.example.gov.cn/"))
      << ReadFile(dir_ / "import.err");

  std::unique_ptr<Store> store = OpenStore(dir_ / "data");
  ASSERT_TRUE(store);
  std::map<std::string, FetchRecord> by_url;
  for (const FetchRecord& f : AllFetches(*store)) by_url[f.url()] = f;
  ASSERT_EQ(by_url.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(by_url.contains(urls[i])) << urls[i];
    const FetchRecord& f = by_url[urls[i]];
    EXPECT_EQ(f.status(), 200) << urls[i];
    EXPECT_EQ(f.site_id(), i < 2 ? sites[0].site_id() : sites[1].site_id());
    EXPECT_EQ(f.kind(), i == 1 ? COLUMN : HOMEPAGE) << urls[i];
    EXPECT_GT(f.fetched_at_ms(), 0);
    // The body is what wget saved beside the archive (-x: host/path).
    std::string origin_path = urls[i].substr(urls[i].find("://") + 3);
    if (absl::EndsWith(origin_path, "/")) origin_path += "index.html";
    const std::string saved = ReadFile(dir_ / "files" / origin_path);
    ASSERT_FALSE(saved.empty()) << origin_path;
    absl::StatusOr<std::string> body = store->GetBody(f.content_hash());
    ASSERT_TRUE(body.ok()) << urls[i] << ": " << body.status();
    EXPECT_TRUE(*body == saved) << urls[i];
  }
  // The pages are observed as the census observes them: the column's dated items and
  // newest date are the simulated web's truth.
  auto observations = store->LatestObservations(sites[0].site_id(), INT64_MAX);
  ASSERT_TRUE(observations.ok()) << observations.status();
  std::map<std::string, PageObservation> observed;
  for (const PageObservation& o : *observations) observed[o.url()] = o;
  ASSERT_TRUE(observed.contains(urls[1]));
  const PageObservation& column = observed[urls[1]];
  EXPECT_EQ(column.column().category(), NEWS) << column.column().ShortDebugString();
  EXPECT_EQ(column.items_size(), sites[0].columns(0).items());
  EXPECT_EQ(column.latest_date(), sites[0].columns(0).last_update());
  ASSERT_TRUE(observed.contains(urls[0]));
  EXPECT_EQ(observed[urls[0]].page_kind(), "home");

  std::vector<RunRecord> runs;
  ASSERT_TRUE(store->ForEachRun([&](const RunRecord& r) { runs.push_back(r); }).ok());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].site_ids_size(), 2);
}

// A damaged archive: a member cut short, garbage between members, a record whose
// Content-Length is wrong, and records that are whole but not usable. Import goes on
// with the rest and reports each.
TEST_F(WarcEndToEnd, DamagedArchiveImportsTheRestAndReportsEachDamage) {
  std::ofstream(dir_ / "sites.csv") << "site_id,name,url\n"
                                       "1001,Test,http://www.a.gov.cn/\n";
  auto response = [](const std::string& uri, const std::string& body) {
    WarcRecord r;
    r.Add("WARC-Type", "response");
    if (!uri.empty()) r.Add("WARC-Target-URI", uri);
    r.Add("WARC-Date", "2026-11-02T03:04:05Z");
    r.Add("WARC-Record-ID", NewWarcRecordId());
    r.Add("Content-Type", "application/http; msgtype=response");
    r.block =
        absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ", body.size(),
                     "\r\n\r\n", body);
    return r;
  };
  auto member = [](const WarcRecord& r) { return *GzipMember(SerializeWarcRecord(r)); };
  WarcRecord dns = response("dns:www.a.gov.cn", "");
  dns.fields[4].second = "text/dns";
  WarcRecord cut = response("http://www.a.gov.cn/cut.html", "whole");
  cut.Add("WARC-Truncated", "length");
  WarcRecord revisit = response("http://www.a.gov.cn/again.html", "");
  revisit.fields[0].second = "revisit";
  revisit.Add("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest");
  revisit.Add("WARC-Payload-Digest", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  std::string bad_length = SerializeWarcRecord(response("http://www.a.gov.cn/bad.html", "bad"));
  bad_length.replace(bad_length.find("Content-Length: "), 18, "Content-Length: 99");
  const std::string halved = member(response("http://www.a.gov.cn/halved.html", "half"));

  // census's record of a fetch without an HTTP answer: imported as that fetch.
  WarcRecord timeout;
  timeout.Add("WARC-Type", "metadata");
  timeout.Add("WARC-Target-URI", "http://www.a.gov.cn/slow.html");
  timeout.Add("WARC-Date", "2026-11-02T03:04:06.789Z");
  timeout.Add("Content-Type", "application/warc-fields");
  timeout.Add("Census-Site-Id", "1001");
  timeout.Add("Census-Task", "LINK_CHECK");
  timeout.block = "census-fetch-error: TIMEOUT\r\n";

  const std::string file =
      member(timeout) + member(response("http://www.a.gov.cn/", "<p>home</p>")) +
      halved.substr(0, halved.size() / 2) +
      member(response("http://www.a.gov.cn/list.html", "<p>list</p>")) + "garbage, not gzip" +
      *GzipMember(bad_length) + member(response("http://elsewhere.example.com/", "x")) +
      member(dns) + member(cut) + member(response("", "no uri")) + member(revisit) +
      member(response("http://a.gov.cn/news/1.html", "<p>article</p>"));
  std::ofstream(dir_ / "damaged.warc.gz", std::ios::binary) << file;

  ASSERT_EQ(Census({"import-warc", "--data", (dir_ / "data").string(), "--sites",
                    (dir_ / "sites.csv").string(), (dir_ / "damaged.warc.gz").string()},
                   "import"),
            0)
      << ReadFile(dir_ / "import.err");
  const std::string summary = ReadFile(dir_ / "import.out");
  EXPECT_TRUE(absl::StrContains(
      summary,
      "  unusable: 8 (bad_content_length 1, bad_gzip_member 1, garbage 1, no_target_uri 1, "
      "not_http 1, revisit_without_original 1, truncated_record 1, unknown_host 1)\n"))
      << summary;
  EXPECT_TRUE(
      absl::StrContains(summary, ": 4 fetches of 1 sites imported (HOMEPAGE 1, LINK_CHECK 3)"))
      << summary;
  const std::string err = ReadFile(dir_ / "import.err");
  for (const char* reason :
       {"bad_content_length", "bad_gzip_member", "garbage", "no_target_uri", "not_http",
        "revisit_without_original", "truncated_record", "unknown_host"}) {
    EXPECT_TRUE(absl::StrContains(err, absl::StrCat(": ", reason, ": "))) << reason << "\n" << err;
  }

  std::unique_ptr<Store> store = OpenStore(dir_ / "data");
  ASSERT_TRUE(store);
  std::map<std::string, std::string> bodies;
  for (const FetchRecord& f : AllFetches(*store)) {
    if (f.url() == "http://www.a.gov.cn/slow.html") {
      EXPECT_EQ(f.error(), TIMEOUT);
      EXPECT_EQ(f.status(), 0);
      EXPECT_EQ(f.fetched_at_ms(), 1793588646789);
      continue;
    }
    EXPECT_EQ(f.status(), 200) << f.url();
    auto body = store->GetBody(f.content_hash());
    ASSERT_TRUE(body.ok()) << f.url();
    bodies[f.url()] = *body;
  }
  EXPECT_EQ(bodies, (std::map<std::string, std::string>{
                        {"http://www.a.gov.cn/", "<p>home</p>"},
                        {"http://www.a.gov.cn/list.html", "<p>list</p>"},
                        {"http://a.gov.cn/news/1.html", "<p>article</p>"}}));
}

}  // namespace
}  // namespace census
