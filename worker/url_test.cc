#include "gtest/gtest.h"
#include "worker/extract.h"

namespace census {
namespace {

TEST(ResolveUrlTest, Rfc3986Examples) {
  const char* kBase = "http://a/b/c/d;p?q";
  const struct {
    const char* href;
    const char* expected;
  } kCases[] = {
      {"g", "http://a/b/c/g"},       {"./g", "http://a/b/c/g"},    {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},          {"//g", "http://g/"},         {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},   {"#s", "http://a/b/c/d;p?q"}, {"g#s", "http://a/b/c/g"},
      {";x", "http://a/b/c/;x"},     {"", "http://a/b/c/d;p?q"},   {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},       {"..", "http://a/b/"},        {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},      {"../..", "http://a/"},       {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},  {"/./g", "http://a/g"},       {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},     {"..g", "http://a/b/c/..g"},  {"./../g", "http://a/b/g"},
      {"g/./h", "http://a/b/c/g/h"}, {"g/../h", "http://a/b/c/h"}, {"g:h", ""},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(ResolveUrl(kBase, c.href), c.expected) << c.href;
  }
}

TEST(ResolveUrlTest, RealPages) {
  const struct {
    const char* base;
    const char* href;
    const char* expected;
  } kCases[] = {
      {"http://www.scio.gov.cn/xwfbh/gxyw/index.htm", "Document/1654022/1654022.htm",
       "http://www.scio.gov.cn/xwfbh/gxyw/Document/1654022/1654022.htm"},
      {"https://www.yichun.gov.cn/", "/ycsrmzf/zwyw/202310/a.shtml",
       "https://www.yichun.gov.cn/ycsrmzf/zwyw/202310/a.shtml"},
      {"https://www.yichun.gov.cn/", "  \n/a/b.html\t ", "https://www.yichun.gov.cn/a/b.html"},
      {"https://www.yichun.gov.cn/", "javascript:void(0)", ""},
      {"https://www.yichun.gov.cn/", "JavaScript:;", ""},
      {"https://www.yichun.gov.cn/", "mailto:a@b.cn", ""},
      {"https://www.yichun.gov.cn/", "tel:12345", ""},
      {"https://www.yichun.gov.cn/", "HTTP://WWW.GOV.CN/Index.htm", "http://www.gov.cn/Index.htm"},
      {"https://www.yichun.gov.cn/a/", "//mp.weixin.qq.com/s?x=1#y",
       "https://mp.weixin.qq.com/s?x=1"},
      {"http://www.gov.cn", "zhengce/", "http://www.gov.cn/zhengce/"},
      {"http://www.gov.cn/a/b.html", "../附件/文件 1.pdf", "http://www.gov.cn/附件/文件%201.pdf"},
      {"", "/relative.html", ""},
      {"", "http://www.gov.cn/x.html", "http://www.gov.cn/x.html"},
      {"", "#top", ""},
      {"ftp://a/b", "c", ""},
      {" http://www.gov.cn/a/b.html#top", "c.html?x=1 2", "http://www.gov.cn/a/c.html?x=1%202"},
      {"http://www.gov.cn/a/", "b\\c.html", "http://www.gov.cn/a/b/c.html"},
      {"http://www.gov.cn/a/", "?p=2", "http://www.gov.cn/a/?p=2"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(ResolveUrl(c.base, c.href), c.expected) << c.base << " + " << c.href;
  }
}

}  // namespace
}  // namespace census
