#include "common/category.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"

namespace census {

std::string CategoryName(Category c) {
  switch (c) {
    case NEWS: return "news";
    case NOTICE: return "notice";
    case POLICY: return "policy";
    case PERSONNEL: return "personnel";
    case PLAN: return "plan";
    case INTERACTION: return "interaction";
    case SERVICE: return "service";
    case TOPIC: return "topic";
    default: return "other";
  }
}

std::optional<Category> ParseCategoryName(absl::string_view name) {
  static const std::pair<const char*, Category> kNames[] = {
      {"news", NEWS},         {"notice", NOTICE},        {"policy", POLICY},
      {"personnel", PERSONNEL}, {"plan", PLAN},          {"interaction", INTERACTION},
      {"service", SERVICE},   {"topic", TOPIC},          {"other", OTHER},
      {"动态要闻", NEWS},     {"动态", NEWS},            {"要闻", NEWS},
      {"新闻", NEWS},         {"通知公告", NOTICE},      {"通知", NOTICE},
      {"公告", NOTICE},       {"政策文件", POLICY},      {"政策", POLICY},
      {"文件", POLICY},       {"人事", PERSONNEL},       {"人事信息", PERSONNEL},
      {"规划计划", PLAN},     {"规划", PLAN},            {"计划", PLAN},
      {"互动", INTERACTION},  {"互动交流", INTERACTION}, {"办事", SERVICE},
      {"办事服务", SERVICE},  {"专题", TOPIC},           {"专题专栏", TOPIC},
      {"其他", OTHER},
  };
  std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
  for (const auto& [n, c] : kNames) {
    if (key == n) return c;
  }
  return std::nullopt;
}

}  // namespace census
