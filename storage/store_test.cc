#include "storage/store.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/temp_dir_for_tests.h"

namespace census {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kAll = std::numeric_limits<int64_t>::max();

// A test's store directory, named after the test binary.
class TempDir : public ::census::testing::TempDir {
 public:
  TempDir() : ::census::testing::TempDir("store_test") {}
};

StoreOptions Fast() {
  StoreOptions o;
  o.sync_writes = false;
  return o;
}

std::unique_ptr<Store> MustOpen(const std::string& path, StoreOptions options = Fast()) {
  auto store = Store::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

Site MakeSite(const std::string& id) {
  Site s;
  s.set_site_id(id);
  s.set_name("Site " + id);
  s.set_url("https://" + id + ".gov.cn/");
  return s;
}

FetchRecord Fetch(const std::string& site, TaskKind kind, const std::string& url, int64_t t,
                  const std::string& hash = "") {
  FetchRecord r;
  r.set_site_id(site);
  r.set_kind(kind);
  r.set_url(url);
  r.set_status(200);
  r.set_fetched_at_ms(t);
  r.set_content_hash(hash);
  return r;
}

PageObservation Obs(const std::string& site, const std::string& url, int64_t t,
                    const std::string& title) {
  PageObservation o;
  o.set_site_id(site);
  o.set_kind(COLUMN);
  o.set_url(url);
  o.set_title(title);
  o.set_fetched_at_ms(t);
  return o;
}

// Adds fetch + body of one page version to `batch`.
void AddPage(ResultBatch* batch, const std::string& url, int64_t t, const std::string& body) {
  const std::string hash = ContentHash(body);
  *batch->add_fetches() = Fetch(batch->site().site_id(), COLUMN, url, t, hash);
  PageBody* b = batch->add_bodies();
  b->set_content_hash(hash);
  b->set_body(body);
}

// A ~30 KB page of pseudo-random "Chinese government" list markup.
std::string BasePage() {
  std::mt19937 rng(42);
  std::string page = "<html><head><meta charset=utf-8><title>通知公告</title></head><body><ul>";
  while (page.size() < 30000) {
    page += "<li><a href=\"/art/" + std::to_string(rng() % 1000000) + ".html\">关于";
    for (int i = 0; i < 12; ++i) page += "abcdefghijklmnopqrstuvwxyz"[rng() % 26];
    page += "的通知</a><span>2026-" + std::to_string(1 + rng() % 12) + "-" +
            std::to_string(1 + rng() % 28) + "</span></li>\n";
  }
  return page + "</ul></body></html>";
}

// Version v: the base with v small edits spread over the page (a new item on top).
std::string Version(const std::string& base, int v) {
  std::string page = base;
  for (int i = 1; i <= v; ++i) {
    size_t at = page.find("<ul>") + 4;
    page.insert(at, "<li><a href=\"/art/new" + std::to_string(i) + ".html\">新闻 " +
                        std::to_string(i) + "</a><span>2026-11-" + std::to_string(i % 28 + 1) +
                        "</span></li>\n");
    page[page.size() / 2 + i * 97] = 'Z';
  }
  return page;
}

TEST(ContentHashTest, IsSha256Hex) {
  EXPECT_EQ(ContentHash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ContentHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(StoreTest, SitesColumnsAndRunsRoundTrip) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  ResultBatch batch;
  batch.set_lease_id(7);
  *batch.mutable_site() = MakeSite("4202020002");
  Column* c = batch.add_columns();
  c->set_site_id("4202020002");
  c->set_name("通知公告");
  c->set_url("https://4202020002.gov.cn/tzgg/");
  c->set_category(NOTICE);
  ASSERT_TRUE(store->Write(batch).ok());

  ResultBatch other;
  *other.mutable_site() = MakeSite("4202020003");
  ASSERT_TRUE(store->Write(other).ok());

  std::vector<std::string> ids;
  ASSERT_TRUE(store->ForEachSite([&](const Site& s) { ids.push_back(s.site_id()); }).ok());
  EXPECT_THAT(ids, ElementsAre("4202020002", "4202020003"));

  auto columns = store->Columns("4202020002");
  ASSERT_TRUE(columns.ok());
  ASSERT_EQ(columns->size(), 1u);
  EXPECT_EQ((*columns)[0].name(), "通知公告");
  EXPECT_EQ((*columns)[0].category(), NOTICE);
  auto none = store->Columns("4202020003");
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(*none, IsEmpty());

  RunRecord run;
  run.set_run_id("2026-11-20");
  run.set_started_ms(100);
  run.set_finished_ms(200);
  run.set_sites(2);
  ASSERT_TRUE(store->PutRun(run).ok());
  auto got = store->GetRun("2026-11-20");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->finished_ms(), 200);
  EXPECT_EQ((*got)->sites(), 2);
  auto missing = store->GetRun("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  RunRecord earlier;
  earlier.set_run_id("2026-11-13");
  earlier.add_site_ids("4202020002");
  ASSERT_TRUE(store->PutRun(earlier).ok());
  std::vector<std::string> runs;
  ASSERT_TRUE(store->ForEachRun([&](const RunRecord& r) { runs.push_back(r.run_id()); }).ok());
  EXPECT_THAT(runs, ElementsAre("2026-11-13", "2026-11-20"));
}

TEST(StoreTest, ColumnsAreReplacedByTheNextBatchCarryingColumns) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch first;
  *first.mutable_site() = MakeSite("s1");
  for (const char* name : {"a", "b", "c"}) {
    Column* c = first.add_columns();
    c->set_name(name);  // site_id defaults to the batch's site
  }
  ASSERT_TRUE(store->Write(first).ok());
  ResultBatch no_columns;
  *no_columns.mutable_site() = MakeSite("s1");
  ASSERT_TRUE(store->Write(no_columns).ok());
  auto columns = store->Columns("s1");
  ASSERT_TRUE(columns.ok());
  EXPECT_EQ(columns->size(), 3u);

  ResultBatch second;
  *second.mutable_site() = MakeSite("s1");
  second.add_columns()->set_name("d");
  ASSERT_TRUE(store->Write(second).ok());
  columns = store->Columns("s1");
  ASSERT_TRUE(columns.ok());
  ASSERT_EQ(columns->size(), 1u);
  EXPECT_EQ((*columns)[0].name(), "d");
}

TEST(StoreTest, ForEachFetchBoundsAreInclusiveAndKeyOrdered) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  *batch.add_fetches() = Fetch("s1", COLUMN, "https://s1/b", 300);
  *batch.add_fetches() = Fetch("s1", COLUMN, "https://s1/a", 200);
  *batch.add_fetches() = Fetch("s1", HOMEPAGE, "https://s1/", 100);
  *batch.add_fetches() = Fetch("s1", COLUMN, "https://s1/a", 100);
  *batch.add_fetches() = Fetch("s1", COLUMN, "https://s1/a", 400);
  // Probes of one URL at the same millisecond are kept apart by probe_index.
  for (int i = 0; i < 3; ++i) {
    FetchRecord p = Fetch("s1", PROBE, "https://s1/", 250);
    p.set_probe_index(i);
    *batch.add_fetches() = p;
  }
  *batch.add_fetches() = Fetch("s2", COLUMN, "https://s2/a", 200);
  ASSERT_TRUE(store->Write(batch).ok());

  std::vector<std::string> seen;
  ASSERT_TRUE(store
                  ->ForEachFetch("s1", 100, 300,
                                 [&](const FetchRecord& r) {
                                   seen.push_back(absl::StrCat(r.kind(), " ", r.url(), " ",
                                                               r.fetched_at_ms(), " ",
                                                               r.probe_index()));
                                 })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("1 https://s1/ 250 0", "1 https://s1/ 250 1", "1 https://s1/ 250 2",
                                "2 https://s1/ 100 0", "3 https://s1/a 100 0",
                                "3 https://s1/a 200 0", "3 https://s1/b 300 0"));
  int all = 0;
  ASSERT_TRUE(store->ForEachFetch("s1", 0, kAll, [&](const FetchRecord&) { ++all; }).ok());
  EXPECT_EQ(all, 8);
  int s2 = 0;
  ASSERT_TRUE(store->ForEachFetch("s2", 201, kAll, [&](const FetchRecord&) { ++s2; }).ok());
  EXPECT_EQ(s2, 0);
}

TEST(StoreTest, LatestObservationsAsOfAndHistoryOldestFirst) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  *batch.add_observations() = Obs("s1", "https://s1/a", 100, "a@100");
  *batch.add_observations() = Obs("s1", "https://s1/a", 300, "a@300");
  *batch.add_observations() = Obs("s1", "https://s1/a", 200, "a@200");
  *batch.add_observations() = Obs("s1", "https://s1/ab", 250, "ab@250");
  *batch.add_observations() = Obs("s1", "https://s1/b", 50, "b@50");
  *batch.add_observations() = Obs("s1", "https://s1/c", 500, "c@500");
  *batch.add_observations() = Obs("s10", "https://s10/a", 100, "other site");
  ASSERT_TRUE(store->Write(batch).ok());

  auto titles = [](const std::vector<PageObservation>& v) {
    std::vector<std::string> out;
    for (const auto& o : v) out.push_back(o.title());
    return out;
  };
  auto latest = store->LatestObservations("s1", 250);
  ASSERT_TRUE(latest.ok());
  EXPECT_THAT(titles(*latest), ElementsAre("a@200", "ab@250", "b@50"));
  latest = store->LatestObservations("s1", kAll);
  ASSERT_TRUE(latest.ok());
  EXPECT_THAT(titles(*latest), ElementsAre("a@300", "ab@250", "b@50", "c@500"));
  latest = store->LatestObservations("s1", 49);
  ASSERT_TRUE(latest.ok());
  EXPECT_THAT(*latest, IsEmpty());

  auto history = store->ObservationHistory("s1", "https://s1/a", kAll);
  ASSERT_TRUE(history.ok());
  EXPECT_THAT(titles(*history), ElementsAre("a@100", "a@200", "a@300"));
  history = store->ObservationHistory("s1", "https://s1/a", 200);
  ASSERT_TRUE(history.ok());
  EXPECT_THAT(titles(*history), ElementsAre("a@100", "a@200"));
}

TEST(StoreTest, IdenticalBodiesAreStoredOnce) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  const std::string page = BasePage();
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  AddPage(&batch, "https://s1/a", 100, page);
  AddPage(&batch, "https://s1/b", 100, page);
  ASSERT_TRUE(store->Write(batch).ok());
  ResultBatch later;
  *later.mutable_site() = MakeSite("s1");
  AddPage(&later, "https://s1/a", 200, page);
  ASSERT_TRUE(store->Write(later).ok());

  Store::Stats stats = store->BodyStats();
  EXPECT_EQ(stats.bodies, 1);
  EXPECT_EQ(stats.keyframes, 1);
  EXPECT_EQ(stats.deltas, 0);
  EXPECT_EQ(stats.raw_bytes, static_cast<int64_t>(page.size()));
  auto body = store->GetBody(ContentHash(page));
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, page);
  EXPECT_EQ(store->GetBody(ContentHash("never stored")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(StoreTest, DeltaChainReconstructsEveryVersionAndRespectsKeyframes) {
  TempDir dir;
  StoreOptions options = Fast();
  options.keyframe_interval = 8;
  auto store = MustOpen(dir.path(), options);
  const std::string base = BasePage();
  std::vector<std::string> versions;
  std::vector<int64_t> sizes;  // stored bytes of each version
  for (int v = 0; v < 20; ++v) {
    versions.push_back(Version(base, v));
    ResultBatch batch;
    *batch.mutable_site() = MakeSite("s1");
    AddPage(&batch, "https://s1/list", 1000 * v, versions.back());
    const int64_t before = store->BodyStats().stored_bytes;
    ASSERT_TRUE(store->Write(batch).ok());
    sizes.push_back(store->BodyStats().stored_bytes - before);
  }
  std::printf("page %zu bytes: keyframe %lld bytes, delta of version 1: %lld bytes\n",
              versions[1].size(), static_cast<long long>(sizes[0]),
              static_cast<long long>(sizes[1]));
  EXPECT_LT(sizes[1] * 20, sizes[0]);
  int64_t raw = 0;
  for (const auto& v : versions) {
    raw += static_cast<int64_t>(v.size());
    auto body = store->GetBody(ContentHash(v));
    ASSERT_TRUE(body.ok()) << body.status();
    EXPECT_EQ(*body, v);
  }
  Store::Stats stats = store->BodyStats();
  EXPECT_EQ(stats.bodies, 20);
  EXPECT_EQ(stats.keyframes, 3);  // versions 0, 8, 16
  EXPECT_EQ(stats.deltas, 17);
  EXPECT_EQ(stats.raw_bytes, raw);
  const double ratio = static_cast<double>(stats.raw_bytes) / stats.stored_bytes;
  std::printf("delta chain: %lld raw bytes in %lld stored bytes, ratio %.1fx\n",
              static_cast<long long>(stats.raw_bytes), static_cast<long long>(stats.stored_bytes),
              ratio);
  EXPECT_GT(ratio, 20.0);

  // Reopen (persistence) and read through the chains again.
  store.reset();
  store = MustOpen(dir.path(), options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->BodyStats().deltas, 17);
  auto last = store->GetBody(ContentHash(versions[19]));
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, versions[19]);
}

// Real government pages (../shared/fixtures/real): 10 daily versions each, every day a
// new list item on top. Measures what the delta scheme saves on real markup.
TEST(StoreTest, RealPagesDeltaRatio) {
  const std::filesystem::path fixtures =
      std::filesystem::path(CENSUS_SOURCE_DIR) / ".." / "shared" / "fixtures" / "real";
  if (!std::filesystem::is_directory(fixtures)) GTEST_SKIP() << "no " << fixtures;
  TempDir dir;
  auto store = MustOpen(dir.path());
  int pages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures)) {
    if (entry.path().extension() != ".html") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++pages;
    std::string versioned = page;
    for (int day = 0; day < 10; ++day) {
      if (day > 0) {
        size_t at = versioned.find("<li");
        if (at == std::string::npos) at = versioned.size() / 2;
        versioned.insert(at, "<li><a href=\"/art/2026/11/" + std::to_string(day) +
                                 ".html\">新的通知</a><span>2026-11-" + std::to_string(10 + day) +
                                 "</span></li>");
      }
      ResultBatch batch;
      *batch.mutable_site() = MakeSite("real");
      AddPage(&batch, "https://real/" + entry.path().filename().string(), day, versioned);
      ASSERT_TRUE(store->Write(batch).ok());
      auto back = store->GetBody(ContentHash(versioned));
      ASSERT_TRUE(back.ok()) << back.status();
      ASSERT_EQ(*back, versioned);
    }
  }
  ASSERT_GT(pages, 0);
  const Store::Stats stats = store->BodyStats();
  EXPECT_EQ(stats.keyframes, 2 * pages);  // versions 0 and 8 of each page
  EXPECT_EQ(stats.deltas, 8 * pages);
  std::printf("real pages: %d pages x 10 versions, %lld raw bytes in %lld stored, ratio %.1fx\n",
              pages, static_cast<long long>(stats.raw_bytes),
              static_cast<long long>(stats.stored_bytes),
              static_cast<double>(stats.raw_bytes) / stats.stored_bytes);
}

TEST(StoreTest, TwoVersionsOfOneUrlInOneBatch) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  const std::string v0 = Version(BasePage(), 0);
  const std::string v1 = Version(BasePage(), 1);
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  AddPage(&batch, "https://s1/list", 100, v0);
  AddPage(&batch, "https://s1/list", 200, v1);
  ASSERT_TRUE(store->Write(batch).ok());
  Store::Stats stats = store->BodyStats();
  EXPECT_EQ(stats.keyframes, 1);
  EXPECT_EQ(stats.deltas, 1);
  auto body = store->GetBody(ContentHash(v1));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, v1);
}

TEST(StoreTest, WritingTheSameBatchTwiceIsIdempotent) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  AddPage(&batch, "https://s1/a", 100, Version(BasePage(), 0));
  *batch.add_observations() = Obs("s1", "https://s1/a", 100, "a");
  ResultBatch second;
  *second.mutable_site() = MakeSite("s1");
  AddPage(&second, "https://s1/a", 200, Version(BasePage(), 1));
  *second.add_observations() = Obs("s1", "https://s1/a", 200, "a2");
  ASSERT_TRUE(store->Write(batch).ok());
  ASSERT_TRUE(store->Write(second).ok());
  const Store::Stats before = store->BodyStats();
  ASSERT_TRUE(store->Write(second).ok());
  ASSERT_TRUE(store->Write(batch).ok());  // a late retry of the older batch
  const Store::Stats after = store->BodyStats();
  EXPECT_EQ(after.bodies, 2);
  EXPECT_EQ(before.bodies, after.bodies);
  EXPECT_EQ(before.stored_bytes, after.stored_bytes);
  int fetches = 0;
  ASSERT_TRUE(store->ForEachFetch("s1", 0, kAll, [&](const FetchRecord&) { ++fetches; }).ok());
  EXPECT_EQ(fetches, 2);
  auto history = store->ObservationHistory("s1", "https://s1/a", kAll);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 2u);
  // Validators still describe the newest fetch, not the retried older one.
  auto v = store->LastValidators("s1", "https://s1/a");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->content_hash(), ContentHash(Version(BasePage(), 1)));
}

TEST(StoreTest, LatestLinkCheckAcrossSites) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch a;
  *a.mutable_site() = MakeSite("s1");
  FetchRecord r1 = Fetch("s1", LINK_CHECK, "https://x.gov.cn/p", 100);
  r1.set_status(404);
  r1.set_error(HTTP_404);
  *a.add_fetches() = r1;
  ASSERT_TRUE(store->Write(a).ok());
  ResultBatch b;
  *b.mutable_site() = MakeSite("s2");
  *b.add_fetches() = Fetch("s2", LINK_CHECK, "https://x.gov.cn/p", 300);
  *b.add_fetches() = Fetch("s2", LINK_CHECK, "https://x.gov.cn/p2", 50);
  ASSERT_TRUE(store->Write(b).ok());

  auto latest = store->LatestLinkCheck("https://x.gov.cn/p", 0, kAll);
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->site_id(), "s2");
  EXPECT_EQ((*latest)->fetched_at_ms(), 300);
  latest = store->LatestLinkCheck("https://x.gov.cn/p", 0, 299);
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->site_id(), "s1");
  EXPECT_EQ((*latest)->error(), HTTP_404);
  latest = store->LatestLinkCheck("https://x.gov.cn/p", 101, 299);
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
  latest = store->LatestLinkCheck("https://x.gov.cn/", 0, kAll);  // a prefix, not a URL
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
}

// What a Reader's ForEachObservationHistory yields: "url: title title ..." per URL, and
// the titles of the newest observations read again after the scan (they must outlive it).
std::vector<std::string> Histories(Store::Reader& reader, const std::string& site, int64_t until,
                                   std::vector<std::string>* newest_after = nullptr) {
  std::vector<std::string> out;
  std::vector<const PageObservation*> newest;
  absl::Status status = reader.ForEachObservationHistory(
      site, until, [&](const std::vector<const PageObservation*>& history) {
        std::string line = history.back()->url() + ":";
        for (const PageObservation* obs : history) line += " " + obs->title();
        out.push_back(line);
        newest.push_back(history.back());
        return absl::OkStatus();
      });
  EXPECT_TRUE(status.ok()) << status;
  if (newest_after != nullptr) {
    for (const PageObservation* obs : newest) newest_after->push_back(obs->title());
  }
  return out;
}

// The RocksDB Reader and the base class's (single lookups) give the same results.
std::vector<std::unique_ptr<Store::Reader>> BothReaders(Store& store) {
  std::vector<std::unique_ptr<Store::Reader>> readers;
  readers.push_back(store.NewReader());
  readers.push_back(store.Store::NewReader());
  return readers;
}

TEST(StoreTest, ReaderObservationHistoriesInOneScan) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  *batch.add_observations() = Obs("s1", "https://s1/a", 100, "a@100");
  *batch.add_observations() = Obs("s1", "https://s1/a", 300, "a@300");
  *batch.add_observations() = Obs("s1", "https://s1/a", 200, "a@200");
  *batch.add_observations() = Obs("s1", "https://s1/ab", 250, "ab@250");
  *batch.add_observations() = Obs("s1", "https://s1/b", 50, "b@50");
  *batch.add_observations() = Obs("s1", "https://s1/c", 500, "c@500");
  *batch.add_observations() = Obs("s10", "https://s10/a", 100, "other site");
  ASSERT_TRUE(store->Write(batch).ok());

  for (auto& reader : BothReaders(*store)) {
    std::vector<std::string> newest;
    EXPECT_THAT(
        Histories(*reader, "s1", 250, &newest),
        ElementsAre("https://s1/a: a@100 a@200", "https://s1/ab: ab@250", "https://s1/b: b@50"));
    EXPECT_THAT(newest, ElementsAre("a@200", "ab@250", "b@50"));
    newest.clear();
    EXPECT_THAT(Histories(*reader, "s1", kAll, &newest),
                ElementsAre("https://s1/a: a@100 a@200 a@300", "https://s1/ab: ab@250",
                            "https://s1/b: b@50", "https://s1/c: c@500"));
    EXPECT_THAT(newest, ElementsAre("a@300", "ab@250", "b@50", "c@500"));
    EXPECT_THAT(Histories(*reader, "s1", 49), IsEmpty());
    EXPECT_THAT(Histories(*reader, "s10", kAll), ElementsAre("https://s10/a: other site"));
    EXPECT_THAT(Histories(*reader, "s2", kAll), IsEmpty());

    // A status from the callback stops the scan and is returned.
    int calls = 0;
    absl::Status status = reader->ForEachObservationHistory(
        "s1", kAll, [&](const std::vector<const PageObservation*>&) {
          ++calls;
          return absl::CancelledError("enough");
        });
    EXPECT_EQ(status, absl::CancelledError("enough"));
    EXPECT_EQ(calls, 1);
  }
}

// A site's links share a long prefix and differ in short tails, some a prefix of
// another, some equal over the first 8 bytes after the shared prefix: the batched
// lookup (which sorts on those 8 bytes first) finds what the single lookup finds.
TEST(StoreTest, ReaderLatestLinkChecksOfUrlsSharingALongPrefix) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  std::mt19937 rng(7);
  std::vector<std::string> owned;
  const char kTailBytes[] = "ab/0";
  for (int i = 0; i < 400; ++i) {
    std::string url = "https://www.example.gov.cn/col/";
    if (rng() % 2 == 0) url += "2026/11/";  // ties on the 8 bytes after the shared prefix
    const int tail = static_cast<int>(rng() % 13);
    for (int b = 0; b < tail; ++b) url.push_back(kTailBytes[rng() % 4]);
    owned.push_back(url);
  }
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  for (size_t i = 0; i < owned.size(); i += 3) {
    *batch.add_fetches() = Fetch("s1", LINK_CHECK, owned[i], 100 + static_cast<int64_t>(i));
  }
  ASSERT_TRUE(store->Write(batch).ok());
  const std::vector<absl::string_view> urls(owned.begin(), owned.end());
  auto reader = store->NewReader();
  auto batched = reader->LatestLinkChecks(urls, 0, kAll);
  ASSERT_TRUE(batched.ok()) << batched.status();
  int found = 0;
  for (size_t i = 0; i < owned.size(); ++i) {
    auto single = store->LatestLinkCheck(owned[i], 0, kAll);
    ASSERT_TRUE(single.ok());
    ASSERT_EQ(single->has_value(), (**batched)[i] != nullptr) << owned[i];
    if (!single->has_value()) continue;
    ++found;
    EXPECT_EQ((*single)->fetched_at_ms(), (**batched)[i]->fetched_at_ms()) << owned[i];
  }
  EXPECT_GE(found, 134);  // every third URL was checked (and its duplicates)
}

TEST(StoreTest, ReaderLatestLinkChecksMatchLatestLinkCheck) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch a;
  *a.mutable_site() = MakeSite("s1");
  FetchRecord r1 = Fetch("s1", LINK_CHECK, "https://x.gov.cn/p", 100);
  r1.set_status(404);
  r1.set_error(HTTP_404);
  *a.add_fetches() = r1;
  *a.add_fetches() = Fetch("s1", LINK_CHECK, "https://y.gov.cn/", 70);
  ASSERT_TRUE(store->Write(a).ok());
  ResultBatch b;
  *b.mutable_site() = MakeSite("s2");
  *b.add_fetches() = Fetch("s2", LINK_CHECK, "https://x.gov.cn/p", 300);
  *b.add_fetches() = Fetch("s2", LINK_CHECK, "https://x.gov.cn/p2", 50);
  ASSERT_TRUE(store->Write(b).ok());

  // Unsorted, with a duplicate, a prefix of a checked URL and URLs never checked.
  const std::vector<std::string> owned = {
      "https://x.gov.cn/p2", "https://x.gov.cn/", "https://x.gov.cn/p", "https://a.gov.cn/",
      "https://x.gov.cn/p",  "https://z.gov.cn/", "https://y.gov.cn/"};
  const std::vector<absl::string_view> urls(owned.begin(), owned.end());
  // "site@time" of each result, "-" for none.
  auto checks = [&](Store::Reader& reader, int64_t from, int64_t until) {
    std::vector<std::string> out;
    auto result = reader.LatestLinkChecks(urls, from, until);
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return out;
    for (const FetchRecord* check : **result) {
      out.push_back(check == nullptr ? "-"
                                     : absl::StrCat(check->site_id(), "@", check->fetched_at_ms()));
    }
    return out;
  };
  for (auto& reader : BothReaders(*store)) {
    EXPECT_THAT(checks(*reader, 0, kAll),
                ElementsAre("s2@50", "-", "s2@300", "-", "s2@300", "-", "s1@70"));
    EXPECT_THAT(checks(*reader, 0, 299),
                ElementsAre("s2@50", "-", "s1@100", "-", "s1@100", "-", "s1@70"));
    EXPECT_THAT(checks(*reader, 51, 299),
                ElementsAre("-", "-", "s1@100", "-", "s1@100", "-", "s1@70"));
    EXPECT_THAT(checks(*reader, 101, 299), ElementsAre("-", "-", "-", "-", "-", "-", "-"));
    EXPECT_THAT(checks(*reader, 300, 100), ElementsAre("-", "-", "-", "-", "-", "-", "-"));
    auto none = reader->LatestLinkChecks({}, 0, kAll);
    ASSERT_TRUE(none.ok());
    EXPECT_THAT(**none, IsEmpty());
  }
  // Each lookup agrees with LatestLinkCheck.
  auto reader = store->NewReader();
  auto batched = reader->LatestLinkChecks(urls, 0, 299);
  ASSERT_TRUE(batched.ok());
  for (size_t i = 0; i < owned.size(); ++i) {
    auto single = store->LatestLinkCheck(owned[i], 0, 299);
    ASSERT_TRUE(single.ok());
    ASSERT_EQ(single->has_value(), (**batched)[i] != nullptr) << owned[i];
    if (single->has_value()) {
      EXPECT_EQ((*single)->SerializeAsString(), (**batched)[i]->SerializeAsString());
    }
  }
}

TEST(StoreTest, ReaderColumnsAndFetchesMatchTheStore) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  Column* column = batch.add_columns();
  column->set_site_id("s1");
  column->set_name("通知公告");
  column->set_url("https://s1/notice/");
  *batch.add_fetches() = Fetch("s1", COLUMN, "https://s1/notice/", 200);
  *batch.add_fetches() = Fetch("s1", PROBE, "https://s1/", 100);
  *batch.add_fetches() = Fetch("s1", PROBE, "https://s1/", 400);
  *batch.add_fetches() = Fetch("s10", PROBE, "https://s10/", 150);
  ASSERT_TRUE(store->Write(batch).ok());

  for (auto& reader : BothReaders(*store)) {
    auto columns = reader->Columns("s1");
    ASSERT_TRUE(columns.ok());
    ASSERT_EQ((*columns)->size(), 1);
    EXPECT_EQ((*columns)->Get(0).name(), "通知公告");
    auto none = reader->Columns("s2");
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE((*none)->empty());

    std::vector<std::string> fetches;
    ASSERT_TRUE(reader
                    ->ForEachFetch("s1", 100, 399,
                                   [&](const FetchRecord& r) {
                                     fetches.push_back(
                                         absl::StrCat(r.url(), "@", r.fetched_at_ms()));
                                   })
                    .ok());
    EXPECT_THAT(fetches, ElementsAre("https://s1/@100", "https://s1/notice/@200"));
  }
}

TEST(StoreTest, LastValidatorsFollowTheNewestFetch) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  EXPECT_FALSE(store->LastValidators("s1", "https://s1/a")->has_value());
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  FetchRecord r = Fetch("s1", COLUMN, "https://s1/a", 100, ContentHash("v1"));
  r.set_etag("\"e1\"");
  r.set_last_modified("Tue, 10 Nov 2026 08:00:00 GMT");
  *batch.add_fetches() = r;
  ASSERT_TRUE(store->Write(batch).ok());
  auto v = store->LastValidators("s1", "https://s1/a");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->etag(), "\"e1\"");
  EXPECT_EQ((*v)->last_modified(), "Tue, 10 Nov 2026 08:00:00 GMT");
  EXPECT_EQ((*v)->content_hash(), ContentHash("v1"));

  // A 304 without repeated fields keeps them; a failed fetch changes nothing.
  ResultBatch later;
  *later.mutable_site() = MakeSite("s1");
  FetchRecord not_modified = Fetch("s1", COLUMN, "https://s1/a", 200);
  not_modified.set_status(304);
  not_modified.set_not_modified(true);
  not_modified.set_etag("\"e2\"");
  *later.add_fetches() = not_modified;
  FetchRecord failed = Fetch("s1", COLUMN, "https://s1/a", 300);
  failed.set_error(TIMEOUT);
  *later.add_fetches() = failed;
  ASSERT_TRUE(store->Write(later).ok());
  v = store->LastValidators("s1", "https://s1/a");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->etag(), "\"e2\"");
  EXPECT_EQ((*v)->last_modified(), "Tue, 10 Nov 2026 08:00:00 GMT");
  EXPECT_EQ((*v)->content_hash(), ContentHash("v1"));

  // A new body without validators clears the old etag.
  ResultBatch changed;
  *changed.mutable_site() = MakeSite("s1");
  *changed.add_fetches() = Fetch("s1", COLUMN, "https://s1/a", 400, ContentHash("v2"));
  ASSERT_TRUE(store->Write(changed).ok());
  v = store->LastValidators("s1", "https://s1/a");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ((*v)->etag(), "");
  EXPECT_EQ((*v)->last_modified(), "");
  EXPECT_EQ((*v)->content_hash(), ContentHash("v2"));
}

TEST(StoreTest, RejectsAMislabelledBody) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  PageBody* b = batch.add_bodies();
  b->set_content_hash(ContentHash("something else"));
  b->set_body("body");
  absl::Status s = store->Write(batch);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->BodyStats().bodies, 0);
  std::vector<std::string> ids;
  ASSERT_TRUE(store->ForEachSite([&](const Site& s) { ids.push_back(s.site_id()); }).ok());
  EXPECT_THAT(ids, IsEmpty());  // nothing of the batch was written
}

TEST(StoreTest, ReadOnlyOpenSeesDataAndRejectsWrites) {
  TempDir dir;
  const std::string page = BasePage();
  {
    auto store = MustOpen(dir.path());
    ResultBatch batch;
    *batch.mutable_site() = MakeSite("s1");
    AddPage(&batch, "https://s1/a", 100, page);
    ASSERT_TRUE(store->Write(batch).ok());
  }
  StoreOptions ro = Fast();
  ro.read_only = true;
  auto store = MustOpen(dir.path(), ro);
  ASSERT_NE(store, nullptr);
  auto body = store->GetBody(ContentHash(page));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, page);
  EXPECT_EQ(store->BodyStats().keyframes, 1);
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s2");
  EXPECT_EQ(store->Write(batch).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->PutRun(RunRecord()).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(StoreTest, OpenErrorsNameThePath) {
  TempDir dir;
  StoreOptions ro = Fast();
  ro.read_only = true;
  auto missing = Store::Open(dir.path("missing"), ro);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir.path("missing")), std::string::npos)
      << missing.status();
  StoreOptions no_create = Fast();
  no_create.create_if_missing = false;
  missing = Store::Open(dir.path("missing"), no_create);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir.path("missing")), std::string::npos);
}

TEST(StoreTest, ConcurrentWritersAndReaders) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  const std::string base = BasePage();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string site = "s" + std::to_string(t);
      for (int v = 0; v < 10; ++v) {
        ResultBatch batch;
        *batch.mutable_site() = MakeSite(site);
        AddPage(&batch, "https://" + site + "/list", v, Version(base, v) + site);
        *batch.add_observations() = Obs(site, "https://" + site + "/list", v, "x");
        EXPECT_TRUE(store->Write(batch).ok());
        EXPECT_TRUE(store->LatestObservations(site, kAll).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  const Store::Stats stats = store->BodyStats();
  EXPECT_EQ(stats.bodies, 40);
  EXPECT_EQ(stats.keyframes, 8);  // versions 0 and 8 of each site's page
  for (int t = 0; t < 4; ++t) {
    const std::string site = "s" + std::to_string(t);
    auto body = store->GetBody(ContentHash(Version(base, 9) + site));
    ASSERT_TRUE(body.ok()) << body.status();
    EXPECT_EQ(*body, Version(base, 9) + site);
    auto history = store->ObservationHistory(site, "https://" + site + "/list", kAll);
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->size(), 10u);
  }
}

// Column names of a set, in order.
std::vector<std::string> Names(const std::vector<Column>& columns) {
  std::vector<std::string> names;
  for (const Column& c : columns) names.push_back(c.name());
  return names;
}

std::vector<std::string> Names(const google::protobuf::RepeatedPtrField<Column>& columns) {
  return Names(std::vector<Column>(columns.begin(), columns.end()));
}

// Issue 13: a replay of an earlier run reads the site's columns as they stood then.
TEST(StoreTest, ColumnSetsAreVersionedByTheirBatchTime) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ResultBatch first;
  *first.mutable_site() = MakeSite("s1");
  first.add_columns()->set_name("a");
  first.add_columns()->set_name("b");
  *first.add_fetches() = Fetch("s1", HOMEPAGE, "https://s1/", 90);
  *first.add_observations() = Obs("s1", "https://s1/a", 100, "a");  // the newest record: 100
  ASSERT_TRUE(store->Write(first).ok());
  ResultBatch second;
  *second.mutable_site() = MakeSite("s1");
  second.add_columns()->set_name("c");
  *second.add_fetches() = Fetch("s1", HOMEPAGE, "https://s1/", 200);
  ASSERT_TRUE(store->Write(second).ok());
  ResultBatch other;  // a site whose id extends s1's: its sets are its own
  *other.mutable_site() = MakeSite("s10");
  other.add_columns()->set_name("x");
  *other.add_fetches() = Fetch("s10", HOMEPAGE, "https://s10/", 50);
  ASSERT_TRUE(store->Write(other).ok());

  EXPECT_THAT(Names(*store->Columns("s1", 99)), IsEmpty());
  EXPECT_THAT(Names(*store->Columns("s1", 100)), ElementsAre("a", "b"));
  EXPECT_THAT(Names(*store->Columns("s1", 199)), ElementsAre("a", "b"));
  EXPECT_THAT(Names(*store->Columns("s1", 200)), ElementsAre("c"));
  EXPECT_THAT(Names(*store->Columns("s1")), ElementsAre("c"));
  EXPECT_THAT(Names(*store->Columns("s10", 60)), ElementsAre("x"));
  EXPECT_THAT(Names(*store->Columns("s10", 49)), IsEmpty());
  for (auto& reader : BothReaders(*store)) {
    EXPECT_THAT(Names(**reader->Columns("s1", 99)), IsEmpty());
    EXPECT_THAT(Names(**reader->Columns("s1", 150)), ElementsAre("a", "b"));
    EXPECT_THAT(Names(**reader->Columns("s1", 250)), ElementsAre("c"));
    EXPECT_THAT(Names(**reader->Columns("s1")), ElementsAre("c"));
    EXPECT_THAT(Names(**reader->Columns("s10", 49)), IsEmpty());
    EXPECT_THAT(Names(**reader->Columns("s10", kAll)), ElementsAre("x"));
  }
}

// A store written before column sets were versioned holds col/<site> only: read as the
// set until a versioned one is old enough.
TEST(StoreTest, UnversionedColumnSetOfAnOlderStoreIsStillRead) {
  TempDir dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {"bodies", rocksdb::ColumnFamilyOptions()}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.path(), families, &handles, &raw).ok());
    ResultBatch set;
    set.add_columns()->set_name("old");
    ASSERT_TRUE(
        raw->Put(rocksdb::WriteOptions(), handles[0], "col/s1", set.SerializeAsString()).ok());
    for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
    delete raw;
  }
  auto store = MustOpen(dir.path());
  EXPECT_THAT(Names(*store->Columns("s1")), ElementsAre("old"));
  EXPECT_THAT(Names(*store->Columns("s1", 0)), ElementsAre("old"));
  ResultBatch batch;
  *batch.mutable_site() = MakeSite("s1");
  batch.add_columns()->set_name("new");
  *batch.add_fetches() = Fetch("s1", HOMEPAGE, "https://s1/", 500);
  ASSERT_TRUE(store->Write(batch).ok());
  EXPECT_THAT(Names(*store->Columns("s1", 499)), ElementsAre("old"));
  EXPECT_THAT(Names(*store->Columns("s1")), ElementsAre("new"));
  for (auto& reader : BothReaders(*store)) {
    EXPECT_THAT(Names(**reader->Columns("s1", 499)), ElementsAre("old"));
    EXPECT_THAT(Names(**reader->Columns("s1", 500)), ElementsAre("new"));
    EXPECT_THAT(Names(**reader->Columns("s2")), IsEmpty());
  }
}

// Re-extracted observations stay beside the stored ones; a store opened with their
// extractor version reads them in their place, any other as stored.
TEST(StoreTest, ReextractedObservationsAreReadInPlaceOnlyWithTheirVersion) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    ResultBatch batch;
    *batch.mutable_site() = MakeSite("s1");
    *batch.add_observations() = Obs("s1", "https://s1/a", 100, "a@100");
    *batch.add_observations() = Obs("s1", "https://s1/a", 200, "a@200");
    *batch.add_observations() = Obs("s1", "https://s1/b", 150, "b@150");
    ASSERT_TRUE(store->Write(batch).ok());
    EXPECT_FALSE(*store->ReextractDone("run1", 7, "s1"));
    ASSERT_TRUE(store
                    ->PutReextracted("run1", 7, "s1",
                                     {Obs("s1", "https://s1/a", 100, "A@100"),
                                      Obs("s1", "https://s1/b", 150, "B@150")})
                    .ok());
    EXPECT_TRUE(*store->ReextractDone("run1", 7, "s1"));
    EXPECT_FALSE(*store->ReextractDone("run1", 7, "s2"));
    EXPECT_FALSE(*store->ReextractDone("run1", 8, "s1"));
    EXPECT_FALSE(*store->ReextractDone("run2", 7, "s1"));
    EXPECT_EQ((*store->LatestObservations("s1", 150))[0].title(), "a@100");
    for (auto& reader : BothReaders(*store)) {
      EXPECT_THAT(Histories(*reader, "s1", kAll),
                  ElementsAre("https://s1/a: a@100 a@200", "https://s1/b: b@150"));
    }
  }
  for (int32_t version : {7, 8}) {
    StoreOptions options = Fast();
    options.read_only = true;
    options.extractor_version = version;
    auto store = MustOpen(dir.path(), options);
    const bool seven = version == 7;
    auto latest = store->LatestObservations("s1", 150);
    ASSERT_TRUE(latest.ok());
    ASSERT_EQ(latest->size(), 2u);
    EXPECT_EQ((*latest)[0].title(), seven ? "A@100" : "a@100");
    EXPECT_EQ((*latest)[1].title(), seven ? "B@150" : "b@150");
    auto history = store->ObservationHistory("s1", "https://s1/a", kAll);
    ASSERT_TRUE(history.ok());
    ASSERT_EQ(history->size(), 2u);
    EXPECT_EQ((*history)[0].title(), seven ? "A@100" : "a@100");
    EXPECT_EQ((*history)[1].title(), "a@200");
    for (auto& reader : BothReaders(*store)) {
      EXPECT_THAT(Histories(*reader, "s1", kAll),
                  ElementsAre(seven ? "https://s1/a: A@100 a@200" : "https://s1/a: a@100 a@200",
                              seven ? "https://s1/b: B@150" : "https://s1/b: b@150"));
    }
  }
}

TEST(StoreTest, ReopenKeepsEverything) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    ResultBatch batch;
    *batch.mutable_site() = MakeSite("s1");
    *batch.add_observations() = Obs("s1", "https://s1/a", 100, "a");
    *batch.add_fetches() = Fetch("s1", LINK_CHECK, "https://x/", 100);
    batch.add_columns()->set_name("col");
    ASSERT_TRUE(store->Write(batch).ok());
  }
  auto store = MustOpen(dir.path());
  auto latest = store->LatestObservations("s1", kAll);
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].title(), "a");
  EXPECT_TRUE(store->LatestLinkCheck("https://x/", 0, kAll)->has_value());
  EXPECT_EQ(store->Columns("s1")->size(), 1u);
}

}  // namespace
}  // namespace census
