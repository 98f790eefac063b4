#include "gtest/gtest.h"
#include "worker/extract.h"

namespace census {
namespace {

TEST(ClassifyColumnNameTest, Table) {
  const struct {
    const char* name;
    Category expected;
  } kCases[] = {
      {"工作动态", NEWS},
      {"要闻", NEWS},
      {"新闻中心", NEWS},
      {"部门动态", NEWS},
      {"图片新闻", NEWS},
      {"通知公告", NOTICE},
      {"公示公告", NOTICE},
      {"政策解读", POLICY},
      {"政策文件", POLICY},
      {"规范性文件", POLICY},
      {"人事信息", PERSONNEL},
      {"人事任免", PERSONNEL},
      {"规划计划", PLAN},
      {"发展规划", PLAN},
      {"领导信箱", INTERACTION},
      {"我要写信", INTERACTION},
      {"留言选登", INTERACTION},
      {"政策咨询", INTERACTION},
      {"互动交流", INTERACTION},
      {"办事服务", SERVICE},
      {"办事指南", SERVICE},
      {"专题专栏", TOPIC},
      {"新闻专题", TOPIC},
      {"专题", TOPIC},
      {"机构设置", OTHER},
      {"首页", OTHER},
      {"", OTHER},
      {"news", NEWS},
      {"Notice", NOTICE},
      {" policy ", POLICY},
      {"personnel", PERSONNEL},
      {"plan", PLAN},
      {"interaction", INTERACTION},
      {"service", SERVICE},
      {"topic", TOPIC},
      {"other", OTHER},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(ClassifyColumnName(c.name), c.expected) << c.name;
  }
}

TEST(CategoryNameTest, AllNames) {
  EXPECT_EQ(CategoryName(NEWS), "news");
  EXPECT_EQ(CategoryName(NOTICE), "notice");
  EXPECT_EQ(CategoryName(POLICY), "policy");
  EXPECT_EQ(CategoryName(PERSONNEL), "personnel");
  EXPECT_EQ(CategoryName(PLAN), "plan");
  EXPECT_EQ(CategoryName(INTERACTION), "interaction");
  EXPECT_EQ(CategoryName(SERVICE), "service");
  EXPECT_EQ(CategoryName(TOPIC), "topic");
  EXPECT_EQ(CategoryName(OTHER), "other");
  EXPECT_EQ(CategoryName(CATEGORY_UNSPECIFIED), "other");
}

}  // namespace
}  // namespace census
