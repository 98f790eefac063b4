// Column categories from column names (RUBRIC.md section E).

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "common/category.h"
#include "worker/extract.h"

namespace census {
namespace {

struct Rule {
  Category category;
  std::initializer_list<absl::string_view> keywords;
};

// Order matters: the first rule with a matching keyword wins. Interaction and
// topic names often contain news words (领导信箱, 专题专栏), policy interpretation
// contains 文件-like words, so they come first.
const Rule* Rules(size_t* n) {
  static const Rule kRules[] = {
      {INTERACTION,
       {"信箱", "留言", "咨询", "互动", "我要写信", "来信", "投诉", "举报", "信访", "访谈", "征集",
        "调查", "问答", "热线", "在线直播", "建言"}},
      {TOPIC, {"专题", "专栏"}},
      {POLICY, {"政策", "文件", "法规", "解读", "规章", "条例", "办法", "规范性"}},
      {NOTICE, {"通知", "公告", "公示", "通告", "告示"}},
      {PERSONNEL, {"人事", "任免", "招录", "招聘", "招考", "干部"}},
      {PLAN, {"规划", "计划", "总结"}},
      {SERVICE, {"办事", "服务", "指南", "办理", "便民"}},
      {NEWS, {"动态",     "要闻",     "新闻",     "资讯",     "快讯", "信息发布", "媒体",
              "图片",     "视频",     "头条",     "热点",     "时政", "政务信息", "工作信息",
              "部门信息", "乡镇信息", "县区信息", "基层信息", "简报", "聚焦",     "关注"}},
  };
  *n = sizeof(kRules) / sizeof(kRules[0]);
  return kRules;
}

}  // namespace

Category ClassifyColumnName(absl::string_view name) {
  // Exact contract names first (English, 动态要闻, 通知公告 ...), then keywords.
  if (std::optional<Category> exact = ParseCategoryName(name)) return *exact;
  // Policy Q&A and interpretation columns name an interaction word (问答, 咨询) but
  // publish policy: 政策问答, 文件解读.
  if ((absl::StrContains(name, "政策") || absl::StrContains(name, "文件")) &&
      (absl::StrContains(name, "问答") || absl::StrContains(name, "解读"))) {
    return POLICY;
  }
  size_t n = 0;
  const Rule* rules = Rules(&n);
  for (size_t i = 0; i < n; ++i) {
    for (absl::string_view kw : rules[i].keywords) {
      if (absl::StrContains(name, kw)) return rules[i].category;
    }
  }
  return OTHER;
}

Category ClassifyColumn(absl::string_view name, const std::vector<std::string>& parents) {
  // A section decides for all its children: a topic's 工作动态 is part of the topic,
  // not one of the site's news columns.
  for (const std::string& parent : parents) {
    const Category p = ClassifyColumnName(parent);
    if (p == TOPIC) return TOPIC;
    if (p == SERVICE && !absl::StrContains(parent, "公开")) return SERVICE;
  }
  const Category own = ClassifyColumnName(name);
  if (own != OTHER) return own;
  for (auto it = parents.rbegin(); it != parents.rend(); ++it) {
    const Category p = ClassifyColumnName(*it);
    if (p == NEWS || p == INTERACTION) return p;
  }
  return OTHER;
}

}  // namespace census
