// Lexicon scanning throughput (MB/s of page text): the built-in lexicon and a 1,000-term
// lexicon over ~64 KB of Chinese page text with a few hits.
//
//   build/worker/content_scan_benchmark

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "worker/content_scan.h"

namespace census {
namespace {

std::string PageText() {
  const char* sentences[] = {
      "为深入贯彻落实上级决策部署，进一步推动安全生产工作落地见效，",
      "会议强调，各级各部门要提高政治站位，压实工作责任，",
      "坚持问题导向和目标导向，聚焦群众急难愁盼问题，",
      "持续优化服务流程，不断提升群众满意度和获得感。",
  };
  std::string text;
  for (int i = 0; text.size() < 64 * 1024; ++i) {
    text += sentences[i % 4];
    if (i % 97 == 0) text += "国务院办公庁";
  }
  return text;
}

void Run(benchmark::State& state, std::vector<LexiconTerm> terms) {
  auto scanner = LexiconScanner::Create(std::move(terms));
  if (!scanner.ok()) {
    state.SkipWithError(std::string(scanner.status().message()).c_str());
    return;
  }
  const std::string text = PageText();
  size_t hits = 0;
  for (auto _ : state) {
    auto found = (*scanner)->Scan(text, 1000);
    hits = found.size();
    benchmark::DoNotOptimize(found);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
  state.counters["hits"] = static_cast<double>(hits);
}

void BM_BuiltinLexicon(benchmark::State& state) { Run(state, BuiltinLexicon()); }
BENCHMARK(BM_BuiltinLexicon);

void BM_ThousandTerms(benchmark::State& state) {
  std::vector<LexiconTerm> terms = BuiltinLexicon();
  for (int i = 0; i < 1000; ++i) {
    terms.push_back({absl::StrCat("违规词", i, "号"), "sensitive_word", ""});
  }
  Run(state, std::move(terms));
}
BENCHMARK(BM_ThousandTerms);

}  // namespace
}  // namespace census

BENCHMARK_MAIN();
