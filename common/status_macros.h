#ifndef CENSUS_COMMON_STATUS_MACROS_H_
#define CENSUS_COMMON_STATUS_MACROS_H_

// RETURN_IF_ERROR / ASSIGN_OR_RETURN: Abseil 20220623 (Debian 12) ships no status
// macros, so these small ones stand in.

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CENSUS_CONCAT_INNER_(a, b) a##b
#define CENSUS_CONCAT_(a, b) CENSUS_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                        \
  do {                                               \
    ::absl::Status census_status_ = (expr);          \
    if (!census_status_.ok()) return census_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  CENSUS_ASSIGN_OR_RETURN_IMPL_(CENSUS_CONCAT_(census_or_, __LINE__), lhs, expr)

#define CENSUS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

#endif  // CENSUS_COMMON_STATUS_MACROS_H_
