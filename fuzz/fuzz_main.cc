// libFuzzer entry point for one target; CENSUS_FUZZ_TARGET names it ("charset",
// "extract", "dates", "csv", "wire_to_coordinator", ...: fuzz/checks.h). The body is
// census::fuzz::Check<Target> (checks.h), which the regression test (regression_test.cc) runs on
// every saved input in the normal build.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz/checks.h"
#include "google/protobuf/stubs/logging.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // The checks report protobuf round-trip failures themselves; protobuf's own ERROR
  // lines for the same thing would flood the log on every execution.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const census::fuzz::CheckFn check = [] {
    census::fuzz::CheckFn fn = census::fuzz::FindCheck(CENSUS_FUZZ_TARGET);
    if (fn == nullptr) {
      std::fprintf(stderr, "unknown fuzz target %s\n", CENSUS_FUZZ_TARGET);
      std::abort();
    }
    return fn;
  }();
  check(data, size);
  return 0;
}
