#ifndef CENSUS_COMMON_CATEGORY_H_
#define CENSUS_COMMON_CATEGORY_H_

// Column categories by their contract names (DESIGN.md: columns.csv and report.json).
// Keyword classification of free-form column names lives in worker/extract.h; this is
// the exact-name table both the coordinator (reading columns.csv) and the report use.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "proto/census.pb.h"

namespace census {

// "news", "notice", "policy", "personnel", "plan", "interaction", "service", "topic",
// "other".
std::string CategoryName(Category c);

// Accepts the English contract names (any case) and the Chinese category names of
// DESIGN.md (动态要闻, 通知公告, 政策文件, 人事, 规划计划, 互动, 办事, 专题, 其他 and
// their common variants); nullopt for anything else.
std::optional<Category> ParseCategoryName(absl::string_view name);

}  // namespace census

#endif  // CENSUS_COMMON_CATEGORY_H_
