// End to end: `census serve` over the store of two real censuses of the simulated web, a
// day apart (simweb --day 0 and --day 1: on day 1 the forged_date site moves one list
// item's date). The run list, a run's sites, a site's findings, a page's versions, the
// page at a time (the stored bytes, sandboxed), the diff of the two days showing the moved
// date, and report.html's evidence links landing there (--evidence-base).

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/content_hash.h"
#include "common/web_text.h"
#include "curl/curl.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "proto/report.pb.h"
#include "tests/simweb_process.h"
#include "tests/subprocess.h"

namespace census {
namespace {

namespace fs = std::filesystem;
using testing::FreeLoopbackPort;
using testing::ReadFile;
using testing::RunToCompletion;
using testing::SimWebProcess;
using testing::Subprocess;

struct HttpResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    (*static_cast<std::map<std::string, std::string>*>(
        out))[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

// A request to the server (no redirect followed).
HttpResult Get(int port, const std::string& path, const std::string& method = "GET") {
  HttpResult result;
  CURL* curl = curl_easy_init();
  const std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  if (method == "POST") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "x=1");
  result.code = curl_easy_perform(curl);
  if (result.code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_easy_cleanup(curl);
  return result;
}

std::string Pct(const std::string& text) { return PercentEncode(text); }

std::string Ts14(const std::string& rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) << rfc3339;
  return absl::FormatTime("%Y%m%d%H%M%S", t, absl::UTCTimeZone());
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class ServeEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / absl::StrCat("census-serve-", getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    serve_.reset();
    simweb_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  int Census(std::vector<std::string> args, const std::string& name) {
    args.insert(args.begin(), CENSUS_BIN);
    return RunToCompletion(args, (dir_ / (name + ".out")).string(),
                           (dir_ / (name + ".err")).string());
  }

  void StartSimWeb(int day) {
    simweb_.reset();
    simweb_ = std::make_unique<SimWebProcess>(
        SIMWEB_BIN, dir_,
        std::vector<std::string>{"--seed", "1", "--sites", "18", "--as-of", "2026-11-20",
                                 "--probes", "2", "--day", std::to_string(day)});
    ASSERT_TRUE(simweb_->ok()) << simweb_->error();
  }

  // The census of the forged_date site on the current simweb day, into dir_/data.
  void RunCensus(const std::string& out, const std::vector<std::string>& extra) {
    std::string site_id;
    for (const auto& site : simweb_->truth().sites()) {
      if (site.scenario() == "forged_date") site_id = site.site_id();
    }
    ASSERT_FALSE(site_id.empty());
    std::vector<std::string> lines =
        absl::StrSplit(ReadFile(dir_ / "truth" / "sites.csv"), '\n', absl::SkipEmpty());
    std::string csv = lines[0] + "\n";
    for (const std::string& line : lines) {
      if (absl::StartsWith(line, site_id + ",")) csv += line + "\n";
    }
    std::ofstream(dir_ / "sites.csv") << csv;
    std::vector<std::string> args =
        simweb_->CensusRunArgs(dir_ / "sites.csv", dir_ / out, dir_ / "data", 2, "50ms");
    args.insert(args.end(), extra.begin(), extra.end());
    ASSERT_EQ(Census(args, out), 0) << ReadFile(dir_ / (out + ".err"));
  }

  // Starts `census serve` on `port` and waits until it says it listens.
  void StartServe(int port) {
    serve_ = std::make_unique<Subprocess>(
        std::vector<std::string>{CENSUS_BIN, "serve", "--data", (dir_ / "data").string(),
                                 "--listen", absl::StrCat("127.0.0.1:", port)},
        (dir_ / "serve.out").string(), (dir_ / "serve.err").string());
    const std::string want = absl::StrCat("serving http://127.0.0.1:", port, "/\n");
    for (int i = 0; i < 500 && ReadFile(dir_ / "serve.out") != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(ReadFile(dir_ / "serve.out"), want) << ReadFile(dir_ / "serve.err");
  }

  fs::path dir_;
  std::unique_ptr<SimWebProcess> simweb_;
  std::unique_ptr<Subprocess> serve_;
};

TEST_F(ServeEndToEnd, ServesRunsSitesVersionsPagesAtATimeAndTheMovedDate) {
  const int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  const std::string base = absl::StrCat("http://127.0.0.1:", port);
  StartSimWeb(0);
  RunCensus("day0", {});
  StartSimWeb(1);
  RunCensus("day1", {"--evidence-base", base});
  const testing::Truth truth = simweb_->truth();
  simweb_.reset();

  // What the simulated web moved, and what the census reported of it.
  const testing::TruthContent* forged = nullptr;
  std::string site_id;
  for (const auto& site : truth.sites()) {
    for (const auto& c : site.content()) {
      if (c.kind() == "forged_date") {
        forged = &c;
        site_id = site.site_id();
      }
    }
  }
  ASSERT_NE(forged, nullptr);
  report::CensusReport report;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(ReadFile(dir_ / "day1" / "report.json"), &report)
          .ok());
  ASSERT_EQ(report.sites_size(), 1);
  const report::SiteReport& site = report.sites(0);
  ASSERT_EQ(site.site_id(), site_id);
  const report::Evidence* evidence = nullptr;
  for (const report::Evidence& e : site.evidence()) {
    if (e.finding() == "forged_date") evidence = &e;
  }
  ASSERT_NE(evidence, nullptr) << ReadFile(dir_ / "day1" / "report.json");
  ASSERT_TRUE(evidence->has_link());
  const std::string ts1 = Ts14(evidence->fetched_at());
  EXPECT_EQ(evidence->link(),
            absl::StrCat(base, "/evidence/", Pct(site_id), "/", evidence->snapshot(), "?at=", ts1));
  // report.html links the snapshot there; the day-0 report (no --evidence-base) does not.
  EXPECT_TRUE(absl::StrContains(
      ReadFile(dir_ / "day1" / "report.html"),
      absl::StrCat("<a class=\"evidence-link\" href=\"", base, "/evidence/", Pct(site_id), "/",
                   evidence->snapshot(), "?at=", ts1, "\">", evidence->snapshot(), "</a>")));
  EXPECT_FALSE(absl::StrContains(ReadFile(dir_ / "day0" / "report.json"), "\"link\""));

  ASSERT_EQ(Census({"replay", "--data", (dir_ / "data").string(), "--list"}, "list"), 0);
  std::vector<std::vector<std::string>> runs;  // run_id, as_of, sites, pages, started, finished
  for (absl::string_view line :
       absl::StrSplit(ReadFile(dir_ / "list.out"), '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, "run_id")) runs.push_back(absl::StrSplit(line, '\t'));
  }
  ASSERT_EQ(runs.size(), 2u);

  StartServe(port);

  // The runs, newest first.
  HttpResult home = Get(port, "/");
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_EQ(home.headers["content-type"], "text/html; charset=utf-8");
  std::string rows;
  for (int i = 1; i >= 0; --i) {
    const auto& r = runs[i];
    absl::StrAppend(&rows, "<tr><td><a href=\"/run/", Pct(r[0]), "\">", r[0], "</a></td><td>", r[1],
                    "</td><td>", r[2], "</td><td>", r[3], "</td><td>", r[4], "</td><td>", r[5],
                    "</td></tr>\n");
  }
  EXPECT_TRUE(absl::StrContains(
      home.body, absl::StrCat("</th></tr></thead><tbody>\n", rows, "</tbody></table>")))
      << home.body;

  // The day-1 run's sites: the one site, as report.json has it.
  HttpResult run = Get(port, "/run/" + Pct(runs[1][0]));
  ASSERT_EQ(run.status, 200) << run.body;
  std::vector<std::string> findings;
  for (const auto& v : site.vetoes()) findings.push_back(v.rule());
  for (const auto& c : site.content()) findings.push_back(c.kind());
  if (site.links().broken_size() > 0) {
    findings.push_back(absl::StrCat(site.links().broken_size(), " broken links"));
  }
  EXPECT_TRUE(absl::StrContains(
      run.body,
      absl::StrCat("<tr class=\"", site.verdict(), "\" id=\"site-", site_id,
                   "\"><td><a href=\"/run/", Pct(runs[1][0]), "/site/", Pct(site_id), "\">",
                   site_id, "</a></td><td>", site.name(), "</td><td>", site.region(), "</td><td>",
                   site.verdict(), "</td><td>", absl::StrFormat("%.1f", site.score()), "</td><td>",
                   absl::StrJoin(findings, ", "), "</td></tr>\n")))
      << run.body;
  EXPECT_TRUE(absl::StrContains(run.body, "<p id=\"shown\">网站 sites 1–1 of 1 (page 1 of 1): "))
      << run.body;
  EXPECT_EQ(Get(port, "/run/" + Pct(runs[1][0]) + "?page=2").status, 404);

  // The site's findings: the moved date among them.
  HttpResult site_page = Get(port, absl::StrCat("/run/", Pct(runs[1][0]), "/site/", site_id));
  ASSERT_EQ(site_page.status, 200) << site_page.body;
  for (const auto& c : site.content()) {
    EXPECT_TRUE(absl::StrContains(
        site_page.body, absl::StrCat("<li class=\"content\">", c.kind(), " ", c.url(), ": ",
                                     absl::StrReplaceAll(c.detail(), {{"\"", "&quot;"}}), "</li>")))
        << site_page.body;
  }
  EXPECT_TRUE(absl::StrContains(site_page.body, absl::StrCat("?url=", Pct(forged->found_on()))));

  // The column page's versions: one fetch a day, the first a keyframe.
  HttpResult versions =
      Get(port, absl::StrCat("/page/", site_id, "?url=", Pct(forged->found_on())));
  ASSERT_EQ(versions.status, 200) << versions.body;
  EXPECT_EQ(Count(versions.body, "<td class=\"hash\">"), 2) << versions.body;
  EXPECT_TRUE(absl::StrContains(
      versions.body, absl::StrCat("<td class=\"hash\">", evidence->snapshot(), "</td>")));
  EXPECT_TRUE(absl::StrContains(versions.body, "<td>keyframe, ")) << versions.body;
  EXPECT_TRUE(absl::StrContains(versions.body, absl::StrCat("<td>", runs[0][0], "</td>")));
  EXPECT_TRUE(absl::StrContains(versions.body, absl::StrCat("<td>", runs[1][0], "</td>")));

  // The page at day 1's time: the stored bytes, sandboxed; links rewritten in /web/TS/.
  const std::string stored_path = (dir_ / "snapshot.html").string();
  ASSERT_EQ(Census({"replay", "--data", (dir_ / "data").string(), "--snapshot",
                    evidence->snapshot(), "--out", stored_path},
                   "snapshot"),
            0);
  const std::string stored = ReadFile(stored_path);
  ASSERT_EQ(ContentHash(stored), evidence->snapshot());
  HttpResult raw = Get(port, absl::StrCat("/web/", ts1, "id_/", forged->found_on()));
  ASSERT_EQ(raw.status, 200);
  EXPECT_TRUE(raw.body == stored);
  EXPECT_EQ(raw.headers["content-security-policy"], "sandbox");
  EXPECT_EQ(raw.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(raw.headers.count("set-cookie"), 0u);
  HttpResult rewritten = Get(port, absl::StrCat("/web/", ts1, "/", forged->found_on()));
  ASSERT_EQ(rewritten.status, 200);
  EXPECT_EQ(rewritten.headers["content-security-policy"], "sandbox");
  const std::string host_prefix =
      forged->found_on().substr(0, forged->found_on().find('/', 8) + 1);  // http://host/
  EXPECT_TRUE(
      absl::StrContains(rewritten.body, absl::StrCat("href=\"/web/", ts1, "/", host_prefix)))
      << rewritten.body;
  // Before the first census nothing is archived; a second after it, day 0's version.
  EXPECT_EQ(Get(port, absl::StrCat("/web/20000101000000/", forged->found_on())).status, 404);
  EXPECT_EQ(Get(port, absl::StrCat("/web/2026/", forged->found_on())).status, 400);

  // The evidence link lands on the page at that time, with the moved date.
  const std::string evidence_path = evidence->link().substr(base.size());
  HttpResult landing = Get(port, evidence_path);
  ASSERT_EQ(landing.status, 302) << landing.body;
  const std::string view_path = absl::StrCat("/view/", ts1, "/", forged->found_on());
  EXPECT_EQ(landing.headers["location"], view_path);
  HttpResult view = Get(port, view_path);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_TRUE(absl::StrContains(
      view.body, absl::StrCat("<iframe class=\"archived\" sandbox src=\"/web/", ts1, "/",
                              forged->found_on(), "\" title=\"archived page\"></iframe>")));
  const std::string moved_tail = absl::StrCat("</a></td><td>", forged->date_before(), "</td><td>",
                                              forged->date_after(), "</td></tr>\n");
  const std::string moved_head =
      absl::StrCat("<tr class=\"date-moved\"><td>日期变动 date moved</td><td><a href=\"/view/", ts1,
                   "/", forged->url(), "\">");
  EXPECT_EQ(Count(view.body, "<tr class=\"date-moved\">"), 1) << view.body;
  EXPECT_TRUE(absl::StrContains(view.body, moved_head)) << view.body;
  EXPECT_TRUE(absl::StrContains(view.body, moved_tail)) << view.body;
  // Day 1 also added news items to the column: only the one move is a moved date.
  EXPECT_TRUE(absl::StrContains(view.body, " removed, 1 dates moved, 0 retitled, ")) << view.body;

  // The diff of the two days names the same move; the dates of every item are shown.
  const size_t prev = view.body.find("← previous version");
  ASSERT_NE(prev, std::string::npos);
  const size_t ts0_at = view.body.rfind("/view/", prev) + 6;
  const std::string ts0 = view.body.substr(ts0_at, 14);
  HttpResult diff = Get(port, absl::StrCat("/diff/", ts0, "/", ts1, "/", forged->found_on()));
  ASSERT_EQ(diff.status, 200) << diff.body;
  EXPECT_EQ(Count(diff.body, "<tr class=\"date-moved\">"), 1) << diff.body;
  EXPECT_TRUE(absl::StrContains(diff.body, moved_head)) << diff.body;
  EXPECT_TRUE(absl::StrContains(diff.body, moved_tail)) << diff.body;
  EXPECT_GT(Count(diff.body, "<tr class=\"same\">"), 0) << diff.body;
  EXPECT_GT(Count(diff.body, "<tr class=\"added\"><td>+</td>"), 0) << diff.body;  // text

  // Read-only, and nothing else.
  EXPECT_EQ(Get(port, "/", "POST").status, 405);
  EXPECT_EQ(Get(port, absl::StrCat("/web/", ts1, "/", forged->found_on()), "POST").status, 405);
  EXPECT_EQ(Get(port, "/nothing/here").status, 404);
  EXPECT_EQ(Get(port, "/run/no-such-run").status, 404);
  EXPECT_EQ(Get(port, "/healthz").body, "ok\n");
  EXPECT_EQ(home.headers.count("set-cookie"), 0u);
  EXPECT_TRUE(absl::StrContains(home.headers["content-security-policy"], "default-src 'none'"));

  serve_->Terminate();
  EXPECT_EQ(serve_->Wait(), 0) << ReadFile(dir_ / "serve.err");
}

TEST_F(ServeEndToEnd, AnswersHelpAndRefusesBadFlags) {
  EXPECT_EQ(Census({"serve", "--help"}, "help"), 0);
  EXPECT_TRUE(absl::StartsWith(ReadFile(dir_ / "help.out"), "usage: census serve"));
  EXPECT_EQ(Census({"serve", "--data", dir_.string(), "--lisen", "x"}, "bad"), 2);
  EXPECT_TRUE(ReadFile(dir_ / "bad.out").empty());
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "bad.err"), "unknown flag --lisen"));
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "bad.err"), "usage: census serve"));
  EXPECT_EQ(Census({"serve"}, "nodata"), 2);
  EXPECT_EQ(Census({"serve", "--data", (dir_ / "none").string()}, "missing"), 1);
  EXPECT_TRUE(absl::StrContains(ReadFile(dir_ / "missing.err"), "no census data in"));
}

}  // namespace
}  // namespace census
