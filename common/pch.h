// The headers nearly every Census source file includes, precompiled once for the whole
// build (CENSUS_PCH in the top-level CMakeLists.txt). Parsing them took about 3 s of
// the 4 s a source file costs to compile, so on a fresh 2-core machine they were most of
// the wait for the first census (docs/BENCHMARKS.md). Sources still include what they
// use: a build with -DCENSUS_PCH=OFF (or with clang, e.g. scripts/fuzz.sh) must compile.
#ifndef CENSUS_COMMON_PCH_H_
#define CENSUS_COMMON_PCH_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "proto/census.pb.h"
#include "proto/report.pb.h"

#endif  // CENSUS_COMMON_PCH_H_
