// Retention (Store::ApplyRetention, docs/STORAGE.md "Retention"): exact versions kept and
// dropped per URL for a policy at an injected "now", every kept version rebuilt byte for
// byte after the compaction, rebased deltas, bodies shared across URLs and sites, and a
// run's evidence.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/content_hash.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "storage/temp_dir_for_tests.h"

namespace census {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kT0 = 1'790'000'000'000;  // day 0 (November 2026)

// A test's store directory, named after the test binary.
class TempDir : public ::census::testing::TempDir {
 public:
  TempDir() : ::census::testing::TempDir("retention_test") {}
};

std::unique_ptr<Store> MustOpen(const std::string& path) {
  StoreOptions o;
  o.sync_writes = false;
  auto store = Store::Open(path, o);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// A list page of ~40 KB (blob-file sized) whose items 0..n-1 are listed: version n of a
// column differs from n-1 by one item, as a real column does.
std::string Page(const std::string& name, int n) {
  std::string out = absl::StrCat("<html><head><title>", name, "</title></head><body><ul>\n");
  uint64_t x = std::hash<std::string>()(name);
  for (int i = 0; i < 600 + n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;  // the item's own id
    absl::StrAppend(&out, "<li><a href=\"/art/", name, "/", absl::Hex(x >> 8, absl::kZeroPad12),
                    ".html\">Item ", i, " of ", name, "</a><span>2026-11-", 1 + i % 28,
                    "</span></li>\n");
  }
  absl::StrAppend(&out, "</ul></body></html>\n");
  return out;
}

// One fetch of `url` (site `site`) at `t` that brought `body`.
void Fetch(Store& store, const std::string& site, const std::string& url, int64_t t,
           const std::string& body) {
  ResultBatch batch;
  batch.mutable_site()->set_site_id(site);
  FetchRecord* r = batch.add_fetches();
  r->set_site_id(site);
  r->set_kind(COLUMN);
  r->set_url(url);
  r->set_status(200);
  r->set_fetched_at_ms(t);
  r->set_content_hash(ContentHash(body));
  PageBody* b = batch.add_bodies();
  b->set_content_hash(ContentHash(body));
  b->set_body(body);
  ASSERT_TRUE(store.Write(batch).ok());
}

RetentionDecision Apply(Store& store, int keep_versions, int keep_days, int64_t now_ms) {
  Store::RetentionPolicy policy;
  policy.keep_versions = keep_versions;
  policy.keep_days = keep_days;
  policy.now_ms = now_ms;
  std::vector<std::string> lines;
  absl::StatusOr<RetentionDecision> d =
      store.ApplyRetention(policy, [&](const std::string& line) { lines.push_back(line); });
  EXPECT_TRUE(d.ok()) << d.status();
  EXPECT_FALSE(lines.empty());
  return d.ok() ? *d : RetentionDecision();
}

// Each of `bodies` rebuilds byte for byte (kept[i]) or is gone (NotFound).
void ExpectBodies(Store& store, const std::vector<std::string>& bodies,
                  const std::vector<bool>& kept) {
  ASSERT_EQ(bodies.size(), kept.size());
  for (size_t i = 0; i < bodies.size(); ++i) {
    absl::StatusOr<std::string> got = store.GetBody(ContentHash(bodies[i]));
    if (kept[i]) {
      ASSERT_TRUE(got.ok()) << "version " << i << ": " << got.status();
      EXPECT_EQ(*got, bodies[i]) << "version " << i;
    } else {
      EXPECT_TRUE(absl::IsNotFound(got.status())) << "version " << i << ": " << got.status();
    }
  }
}

int64_t BlobBytes(const std::string& dir) {
  int64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".blob") total += static_cast<int64_t>(e.file_size());
  }
  return total;
}

TEST(RetentionTest, KeepsTheNewestVersionsAndTheRecentDays) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  // Versions 0..9 of one column on days 0..9: a keyframe and deltas (interval 8: 0 and 8
  // are keyframes).
  std::vector<std::string> bodies;
  for (int v = 0; v < 10; ++v) {
    bodies.push_back(Page("news", v));
    Fetch(*store, "s1", "http://s1/col/news/", kT0 + v * kDay, bodies.back());
  }
  // Now = day 12: the newest 2 (days 9, 8) and every version of the last 6 days (6, 7);
  // days 0-5 go. Version 6 and 7 were deltas on 5; 6 becomes a keyframe.
  RetentionDecision d = Apply(*store, 2, 6, kT0 + 12 * kDay);
  EXPECT_EQ(d.urls(), 1);
  EXPECT_EQ(d.versions(), 10);
  EXPECT_EQ(d.versions_dropped(), 6);
  EXPECT_EQ(d.bodies_dropped(), 6);
  EXPECT_EQ(d.versions_protected(), 0);
  EXPECT_EQ(d.rebased_keyframes(), 1);
  EXPECT_EQ(d.rebased_deltas(), 0);
  EXPECT_TRUE(d.compacted());
  EXPECT_EQ(d.drop_hashes_size(), 0);
  EXPECT_LT(d.stored_bytes_after(), d.stored_bytes_before());
  ExpectBodies(*store, bodies, {false, false, false, false, false, false, true, true, true, true});
  Store::Stats stats = store->BodyStats();
  EXPECT_EQ(stats.bodies, 4);
  EXPECT_EQ(stats.keyframes, 2);  // 6 (rebased) and 8
  EXPECT_EQ(stats.deltas, 2);     // 7 and 9
  // Reopened, the same; the next version is a delta on the newest as before.
  store.reset();
  store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  ExpectBodies(*store, bodies, {false, false, false, false, false, false, true, true, true, true});
  bodies.push_back(Page("news", 10));
  Fetch(*store, "s1", "http://s1/col/news/", kT0 + 13 * kDay, bodies.back());
  EXPECT_EQ(store->BodyStats().deltas, 3);
  EXPECT_EQ(*store->GetBody(ContentHash(bodies.back())), bodies.back());
}

TEST(RetentionTest, DroppedBodiesLeaveTheDisk) {
  TempDir dir;
  StoreOptions o;
  o.sync_writes = false;
  o.keyframe_interval = 1;  // every version a keyframe: each a blob of its own
  std::vector<std::string> bodies;
  {
    auto store = Store::Open(dir.path(), o);
    ASSERT_TRUE(store.ok());
    for (int v = 0; v < 10; ++v) {
      bodies.push_back(Page("k", v));
      Fetch(**store, "s1", "http://s1/k/", kT0 + v * kDay, bodies.back());
    }
  }  // closed: the memtable is flushed, the blobs are files
  auto store = Store::Open(dir.path(), o);
  ASSERT_TRUE(store.ok());
  const int64_t before = BlobBytes(dir.path());
  ASSERT_GT(before, 0);
  RetentionDecision d = Apply(**store, 2, 0, kT0 + 20 * kDay);
  EXPECT_EQ(d.bodies_dropped(), 8);
  EXPECT_EQ(d.rebased_keyframes() + d.rebased_deltas(), 0);
  ExpectBodies(**store, bodies,
               {false, false, false, false, false, false, false, false, true, true});
  // Forced blob garbage collection rewrote the blob files: about 2 of 10 blobs remain.
  const int64_t after = BlobBytes(dir.path());
  EXPECT_LT(after, before * 3 / 10) << before << " -> " << after;
  EXPECT_GT(after, 0);
}

TEST(RetentionTest, TheNewestVersionIsAlwaysKept) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  std::vector<std::string> bodies = {Page("a", 0), Page("a", 1)};
  Fetch(*store, "s1", "http://s1/a/", kT0, bodies[0]);
  Fetch(*store, "s1", "http://s1/a/", kT0 + kDay, bodies[1]);
  // keep 0 versions, 0 days, a year later: still the newest.
  RetentionDecision d = Apply(*store, 0, 0, kT0 + 365 * kDay);
  EXPECT_EQ(d.versions_dropped(), 1);
  ExpectBodies(*store, bodies, {false, true});
}

TEST(RetentionTest, AnUnchangedPageKeepsItsVersionByItsLastFetch) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  // Version 0 on days 0-4 (fetched daily, unchanged), version 1 on day 5, version 2 on
  // day 9. The version's time is its last fetch: 0 was last seen on day 4.
  std::vector<std::string> bodies = {Page("b", 0), Page("b", 1), Page("b", 2)};
  for (int day = 0; day < 5; ++day)
    Fetch(*store, "s1", "http://s1/b/", kT0 + day * kDay, bodies[0]);
  Fetch(*store, "s1", "http://s1/b/", kT0 + 5 * kDay, bodies[1]);
  Fetch(*store, "s1", "http://s1/b/", kT0 + 9 * kDay, bodies[2]);
  // Now day 10, 6 days: from day 4 on, so all three stay.
  RetentionDecision d = Apply(*store, 1, 6, kT0 + 10 * kDay);
  EXPECT_EQ(d.versions(), 3);
  EXPECT_EQ(d.versions_dropped(), 0);
  ExpectBodies(*store, bodies, {true, true, true});
  // 5 days: from day 5, version 0 goes; 1 (a delta on 0) becomes a keyframe.
  d = Apply(*store, 1, 5, kT0 + 10 * kDay);
  EXPECT_EQ(d.versions_dropped(), 1);
  EXPECT_EQ(d.rebased_keyframes(), 1);
  ExpectBodies(*store, bodies, {false, true, true});
}

TEST(RetentionTest, ABodySharedByAnotherUrlStaysWhileOneKeepsIt) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  // URL a: versions 0..3 on days 0..3. Site s2's URL b shows a's version 0 (the same
  // bytes: one body) on day 3.
  std::vector<std::string> a;
  for (int v = 0; v < 4; ++v) {
    a.push_back(Page("shared", v));
    Fetch(*store, "s1", "http://s1/a/", kT0 + v * kDay, a.back());
  }
  Fetch(*store, "s2", "http://s2/b/", kT0 + 3 * kDay, a[0]);
  // Keep 1 version: a keeps 3, b keeps 0; 1 and 2 go; 3 (a delta on 2) is rebased as a
  // delta on 0, its nearest kept ancestor.
  RetentionDecision d = Apply(*store, 1, 0, kT0 + 4 * kDay);
  EXPECT_EQ(d.urls(), 2);
  EXPECT_EQ(d.versions(), 5);
  EXPECT_EQ(d.versions_dropped(), 2);  // a's 1 and 2; a's 0 is b's newest
  EXPECT_EQ(d.bodies_dropped(), 2);
  EXPECT_EQ(d.rebased_deltas(), 1);
  EXPECT_EQ(d.rebased_keyframes(), 0);
  ExpectBodies(*store, a, {true, false, false, true});

  // b moves on (its new body a delta on a's version 0, b's previous body): version 0 is
  // nobody's any more and goes; a's 3 and b's new body become keyframes.
  std::string b1 = Page("other", 0);
  Fetch(*store, "s2", "http://s2/b/", kT0 + 5 * kDay, b1);
  d = Apply(*store, 1, 0, kT0 + 6 * kDay);
  EXPECT_EQ(d.bodies_dropped(), 1);
  EXPECT_EQ(d.rebased_keyframes(), 2);
  ExpectBodies(*store, a, {false, false, false, true});
  EXPECT_EQ(*store->GetBody(ContentHash(b1)), b1);

  // a goes back to version 0: stored anew, a delta on 3 again.
  Fetch(*store, "s1", "http://s1/a/", kT0 + 7 * kDay, a[0]);
  ExpectBodies(*store, a, {true, false, false, true});
}

TEST(RetentionTest, ARunsEvidenceIsNeverDropped) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  std::vector<std::string> bodies;
  for (int v = 0; v < 5; ++v) {
    bodies.push_back(Page("evidence", v));
    Fetch(*store, "s1", "http://s1/e/", kT0 + v * kDay, bodies.back());
  }
  // A run on day 1 (its window holds version 1's fetch).
  RunRecord run;
  run.set_run_id("2026-11-21T00:00:00.000Z");
  run.set_started_ms(kT0 + kDay - 1000);
  run.set_finished_ms(kT0 + kDay + 1000);
  run.add_site_ids("s1");
  ASSERT_TRUE(store->PutRun(run).ok());
  // Keep 2: 4 and 3 by policy, 1 as the run's evidence; 0 and 2 go. 3 (a delta on 2) is
  // rebased on 1.
  RetentionDecision d = Apply(*store, 2, 0, kT0 + 30 * kDay);
  EXPECT_EQ(d.versions(), 5);
  EXPECT_EQ(d.versions_protected(), 1);
  EXPECT_EQ(d.versions_dropped(), 2);
  EXPECT_EQ(d.rebased_deltas(), 1);
  EXPECT_EQ(d.rebased_keyframes(), 1);  // 1 was a delta on 0
  ExpectBodies(*store, bodies, {false, true, false, true, true});
}

TEST(RetentionTest, KeepRunsDeletesTheOldestRunsAndTheirProtection) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  ASSERT_NE(store, nullptr);
  std::vector<std::string> bodies;
  for (int v = 0; v < 5; ++v) {
    bodies.push_back(Page("runs", v));
    Fetch(*store, "s1", "http://s1/r/", kT0 + v * kDay, bodies.back());
  }
  auto put_run = [&](const std::string& id, int day) {
    RunRecord run;
    run.set_run_id(id);
    run.set_started_ms(kT0 + day * kDay - 1000);
    run.set_finished_ms(kT0 + day * kDay + 1000);
    ASSERT_TRUE(store->PutRun(run).ok());
  };
  put_run("2026-11-21T00:00:00.000Z", 1);
  put_run("2026-11-23T00:00:00.000Z", 3);
  Store::RetentionPolicy policy;
  policy.keep_versions = 1;
  policy.keep_runs = 1;
  policy.now_ms = kT0 + 30 * kDay;
  absl::StatusOr<RetentionDecision> d = store->ApplyRetention(policy, nullptr);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->runs_dropped_size(), 1);
  EXPECT_EQ(d->runs_dropped(0), "2026-11-21T00:00:00.000Z");
  EXPECT_EQ(d->versions_protected(), 1);  // version 3, the kept run's
  EXPECT_EQ(d->versions_dropped(), 3);
  ExpectBodies(*store, bodies, {false, false, false, true, true});
  EXPECT_FALSE(store->GetRun("2026-11-21T00:00:00.000Z")->has_value());
  EXPECT_TRUE(store->GetRun("2026-11-23T00:00:00.000Z")->has_value());
}

TEST(RetentionTest, RefusesAReadOnlyStoreAndNegativePolicies) {
  TempDir dir;
  {
    auto store = MustOpen(dir.path());
    ASSERT_NE(store, nullptr);
    Fetch(*store, "s1", "http://s1/a/", kT0, Page("a", 0));
    Store::RetentionPolicy bad;
    bad.keep_days = -1;
    EXPECT_TRUE(absl::IsInvalidArgument(store->ApplyRetention(bad, nullptr).status()));
  }
  StoreOptions ro;
  ro.read_only = true;
  auto store = Store::Open(dir.path(), ro);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(
      (*store)->ApplyRetention(Store::RetentionPolicy(), nullptr).status()));
}

}  // namespace
}  // namespace census
