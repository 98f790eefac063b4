#include "worker/soft404.h"

#include <gtest/gtest.h>

namespace census {
namespace {

TEST(Soft404Test, BodyTable) {
  struct Case {
    const char* body;
    const char* content_type;
    bool not_found;
    const char* title;
  } cases[] = {
      {"<html><head><title>页面不存在</title></head><body>x</body></html>", "text/html", true,
       "页面不存在"},
      {"<html><head><title>江东省人民政府</title></head><body><div>您访问的页面不存在或已被删除"
       "</div></body></html>",
       "text/html; charset=utf-8", true, "江东省人民政府"},
      {"<html><head><title>404 Not Found</title></head><body></body></html>", "", true,
       "404 Not Found"},
      // The phrase only inside a script or a comment is not what a reader sees.
      {"<html><head><title>通知公告</title><script>var m='页面不存在';</script></head>"
       "<body><!-- 页面不存在 --><p>关于开展普查的通知</p></body></html>",
       "text/html", false, "通知公告"},
      {"<html><head><TITLE>工作动态</TITLE></head><BODY><p>正常页面</p></BODY></html>", "text/html",
       false, "工作动态"},
      // Not HTML: never a soft 404, whatever the bytes say.
      {"%PDF-1.4 页面不存在", "application/pdf", false, ""},
  };
  for (const auto& c : cases) {
    std::string title;
    EXPECT_EQ(LooksLikeNotFoundBody(c.body, c.content_type, &title), c.not_found) << c.body;
    EXPECT_EQ(title, c.title) << c.body;
  }
}

TEST(Soft404Test, GbkBodyWithHeaderCharset) {
  // <title>页面不存在</title> in GBK.
  std::string body =
      "<html><head><title>\xd2\xb3\xc3\xe6\xb2\xbb\xb4\xe6\xd4\xda</title></head></html>";
  std::string title;
  EXPECT_TRUE(LooksLikeNotFoundBody(body, "text/html; charset=gbk", &title));
  EXPECT_EQ(title, "页面不存在");
}

}  // namespace
}  // namespace census
