// Throughput of ExtractPage over the real fixture pages (MB/s of raw bytes).

#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "worker/extract.h"
#include "worker/internal/html_dom.h"

namespace census {
namespace {

std::vector<std::string> LoadFixtures() {
  std::vector<std::string> pages;
  const std::filesystem::path dir =
      std::filesystem::path(CENSUS_SOURCE_DIR) / ".." / "shared" / "fixtures" / "real";
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".html") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    pages.push_back(ss.str());
  }
  return pages;
}

void BM_ExtractFixtures(benchmark::State& state) {
  static const std::vector<std::string>* pages = new std::vector<std::string>(LoadFixtures());
  if (pages->empty()) {
    state.SkipWithError("no fixtures found");
    return;
  }
  ExtractOptions options;
  options.base_url = "http://www.example.gov.cn/col/index.html";
  options.as_of = absl::CivilDay(2026, 1, 15);
  int64_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& page : *pages) {
      auto result = ExtractPage(page, "text/html", options);
      benchmark::DoNotOptimize(result);
      bytes += static_cast<int64_t>(page.size());
    }
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_ExtractFixtures)->Unit(benchmark::kMillisecond);

// The parse alone: the census parser and, for comparison, libxml2's
// htmlReadMemory (the ceiling a libxml2-DOM extractor could not pass).
template <internal::DocPtr (*Parse)(absl::string_view)>
void BM_ParseOnly(benchmark::State& state) {
  static const std::vector<std::string>* pages = new std::vector<std::string>(LoadFixtures());
  int64_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& page : *pages) {
      internal::DocPtr doc = Parse(page);
      benchmark::DoNotOptimize(doc.get());
      bytes += static_cast<int64_t>(page.size());
    }
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_ParseOnly<internal::ParseHtml>)
    ->Name("BM_ParseOnly/census")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseOnly<internal::ParseHtmlWithLibxml2>)
    ->Name("BM_ParseOnly/libxml2")
    ->Unit(benchmark::kMillisecond);

void BM_ParseDate(benchmark::State& state) {
  absl::CivilDay day;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ParseDate("发布时间：2019-06-17 10:00 来源：国新网", absl::CivilDay(2026, 1, 1), &day));
  }
}
BENCHMARK(BM_ParseDate);

}  // namespace
}  // namespace census

BENCHMARK_MAIN();
