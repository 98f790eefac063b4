// Replays every saved fuzz input through the same checks the fuzz targets run
// (checks.h), in the normal build: fuzz/regressions/<target>/ (inputs that once crashed
// or broke an invariant, kept so they stay fixed) and fuzz/corpus/<target>/ (the seeds).
// The extract and charset checks also run on the shared real fixtures when present.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/checks.h"
#include "gtest/gtest.h"

namespace census::fuzz {
namespace {

namespace fs = std::filesystem;

struct CheckFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void Throw(const char* target, const std::string& what) {
  throw CheckFailure(std::string("[") + target + "] " + what);
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Regular files under `dir` (recursively), sorted; README* and dot-files are notes.
std::vector<fs::path> Inputs(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.starts_with(".") || name.starts_with("README")) continue;
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Runs `target`'s check on every file; returns how many ran.
size_t Replay(const std::string& target, const std::vector<fs::path>& files) {
  const CheckFn check = FindCheck(target);
  EXPECT_NE(check, nullptr) << target;
  if (check == nullptr) return 0;
  SetFailureHandler(Throw);
  size_t ran = 0;
  for (const fs::path& f : files) {
    const std::string bytes = ReadFile(f);
    try {
      check(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const CheckFailure& e) {
      ADD_FAILURE() << f.string() << ": " << e.what();
    }
    ++ran;
  }
  SetFailureHandler(nullptr);
  return ran;
}

const fs::path kFuzzDir = fs::path(CENSUS_SOURCE_DIR) / "fuzz";

std::vector<fs::path> Saved(const std::string& target) {
  std::vector<fs::path> files = Inputs(kFuzzDir / "regressions" / target);
  const std::vector<fs::path> corpus = Inputs(kFuzzDir / "corpus" / target);
  files.insert(files.end(), corpus.begin(), corpus.end());
  return files;
}

// The shared real pages (../shared/fixtures/real/*.html), when the workspace has them.
std::vector<fs::path> RealPages() {
  std::vector<fs::path> out;
  for (const fs::path& p :
       Inputs(fs::path(CENSUS_SOURCE_DIR) / ".." / "shared" / "fixtures" / "real")) {
    if (p.extension() == ".html" || p.extension() == ".htm") out.push_back(p);
  }
  return out;
}

class FuzzRegression : public ::testing::TestWithParam<const char*> {};

TEST_P(FuzzRegression, SavedInputsPassTheChecks) {
  const std::string target = GetParam();
  const std::vector<fs::path> files = Saved(target);
  EXPECT_FALSE(Inputs(kFuzzDir / "corpus" / target).empty())
      << "no seeds in fuzz/corpus/" << target;
  const size_t ran = Replay(target, files);
  std::printf("fuzz_regression_test: %s: %zu inputs\n", target.c_str(), ran);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegression,
                         ::testing::Values("charset", "extract", "dates", "csv",
                                           "wire_to_coordinator", "wire_from_coordinator",
                                           "wire_to_store", "wire_from_store", "warc"),
                         [](const auto& info) { return std::string(info.param); });

TEST(FuzzRegressionReal, RealPagesPassExtractAndCharsetChecks) {
  const std::vector<fs::path> pages = RealPages();
  if (pages.empty()) GTEST_SKIP() << "no ../shared/fixtures/real in this workspace";
  Replay("extract", pages);
  Replay("charset", pages);  // no newline in the first 256 bytes: no header, all bytes
}

TEST(FuzzValidators, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("政府网站 \xF0\x9F\x98\x80 \xEF\xBF\xBD"));
  size_t bad = 99;
  EXPECT_FALSE(IsValidUtf8("ab\xC0\xAF", &bad));  // overlong '/'
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE6\x94"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(FuzzValidators, Json) {
  std::string error;
  EXPECT_TRUE(IsValidJson(R"({"a":[1,-2.5e3,true,false,null,"x\n\u00e9"],"b":{}})", &error))
      << error;
  EXPECT_TRUE(IsValidJson(" [] \n", &error)) << error;
  EXPECT_TRUE(IsValidJson("\"日期\"", &error)) << error;
  EXPECT_FALSE(IsValidJson("", &error));
  EXPECT_FALSE(IsValidJson("{\"a\":1,}", &error));
  EXPECT_FALSE(IsValidJson("[01]", &error));
  EXPECT_FALSE(IsValidJson("\"tab\there\"", &error));
  EXPECT_FALSE(IsValidJson("\"\\x41\"", &error));
  EXPECT_FALSE(IsValidJson("\"\xE6\x94\"", &error));
  EXPECT_FALSE(IsValidJson("{} {}", &error));
  EXPECT_FALSE(IsValidJson(std::string(1000, '['), &error));
}

}  // namespace
}  // namespace census::fuzz
