#include "worker/charset.h"

#include <iconv.h>

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace census {
namespace {

// UTF-8 -> `to` with iconv (test data only; the input is always convertible).
std::string Encode(const std::string& utf8, const char* to) {
  iconv_t cd = iconv_open(to, "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 4 + 16, '\0');
  char* src = const_cast<char*>(utf8.data());
  size_t src_left = utf8.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
  EXPECT_NE(rc, static_cast<size_t>(-1));
  out.resize(out.size() - dst_left);
  iconv_close(cd);
  return out;
}

bool IsValidUtf8(const std::string& s) {
  iconv_t cd = iconv_open("UTF-8", "UTF-8");
  std::string out(s.size() + 16, '\0');
  char* src = const_cast<char*>(s.data());
  size_t src_left = s.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
  iconv_close(cd);
  return rc != static_cast<size_t>(-1) && src_left == 0;
}

const char kChinese[] = "政府网站普查：关于开展二〇二六年第四季度全省政府网站抽查工作的通知";

const std::string kLongChinese =
    "为深入贯彻落实国务院办公厅关于加强政府网站信息内容建设的意见，进一步提升政府网站"
    "管理水平，省政府办公厅决定开展本年度第四季度全省政府网站和政务新媒体抽查工作。"
    "现将有关事项通知如下：一、抽查范围。全省各级行政机关政府网站，包括省级部门网站、"
    "市县政府门户网站及其部门网站。二、抽查内容。重点检查网站可用性、信息更新情况、"
    "互动回应情况和服务实用情况，对首页栏目长期不更新、空白栏目、错别字、链接错误等"
    "问题进行逐一核查。三、工作要求。各地区各部门要高度重视，认真开展自查整改，"
    "确保政府网站安全平稳运行，切实发挥政府网站在政务公开和政务服务中的重要作用。";

struct Case {
  std::string name;
  std::string bytes;
  std::string content_type;
  std::string want_utf8;
  std::string want_charset;
  std::string want_source;
};

std::vector<Case> Cases() {
  const std::string zh = kChinese;
  const std::string gbk_zh = Encode(zh, "GBK");
  std::vector<Case> c;
  c.push_back({"utf8_meta", "<html><head><meta charset=\"utf-8\"><title>" + zh + "</title>", "",
               "<html><head><meta charset=\"utf-8\"><title>" + zh + "</title>", "utf-8", "meta"});
  c.push_back({"gbk_header", "<p>" + gbk_zh + "</p>", "text/html; charset=GBK", "<p>" + zh + "</p>",
               "gb18030", "header"});
  c.push_back({"gbk_quoted_header", gbk_zh, "text/html;charset=\"gbk\"", zh, "gb18030", "header"});
  c.push_back(
      {"gbk_meta_http_equiv",
       "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\" /><h1>" + gbk_zh +
           "</h1>",
       "text/html",
       "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\" /><h1>" + zh + "</h1>",
       "gb18030", "meta"});
  c.push_back({"gb2312_header", gbk_zh, "text/html; charset=gb2312", zh, "gb18030", "header"});
  c.push_back({"gb_2312_80_meta", "<META CHARSET=GB_2312-80>" + gbk_zh, "",
               "<META CHARSET=GB_2312-80>" + zh, "gb18030", "meta"});
  c.push_back({"x_gbk_header", gbk_zh, "text/html; charset=x-gbk", zh, "gb18030", "header"});
  c.push_back({"cp936_header", gbk_zh, "text/html; charset=CP936", zh, "gb18030", "header"});
  c.push_back({"utf8_label_alias", zh, "text/html; charset=utf8", zh, "utf-8", "header"});
  c.push_back({"bom_utf8", "\xEF\xBB\xBF" + zh, "", zh, "utf-8", "bom"});
  c.push_back({"bom_utf8_under_utf8_header", "\xEF\xBB\xBF" + zh, "text/html; charset=UTF-8", zh,
               "utf-8", "header"});
  c.push_back({"bom_utf16le", "\xFF\xFE" + Encode(zh, "UTF-16LE"), "", zh, "utf-16le", "bom"});
  c.push_back({"header_beats_meta", "<meta charset=utf-8>" + gbk_zh, "text/html; charset=gbk",
               "<meta charset=utf-8>" + zh, "gb18030", "header"});
  c.push_back({"unknown_header_label_falls_to_meta", "<meta charset='gbk'>" + gbk_zh,
               "text/html; charset=x-no-such-charset", "<meta charset='gbk'>" + zh, "gb18030",
               "meta"});
  c.push_back(
      {"detected_gbk", Encode(kLongChinese, "GBK"), "", kLongChinese, "gb18030", "detector"});
  c.push_back({"latin1_header", "caf\xE9", "text/plain; charset=ISO-8859-1", "caf\xC3\xA9",
               "windows-1252", "header"});
  c.push_back({"invalid_utf8_bytes",
               "a\xFF"
               "b\xC3(c\xE2\x82",
               "text/html; charset=utf-8",
               "a\xEF\xBF\xBD"
               "b\xEF\xBF\xBD(c\xEF\xBF\xBD\xEF\xBF\xBD",
               "utf-8", "header"});
  c.push_back({"utf8_surrogate_and_overlong", "\xED\xA0\x80\xC0\xAF", "text/html; charset=utf-8",
               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", "utf-8", "header"});
  c.push_back({"invalid_gbk_bytes",
               "\xD5\xFE\xFF"
               "a\xB8",
               "text/html; charset=gbk",
               "\xE6\x94\xBF\xEF\xBF\xBD"
               "a\xEF\xBF\xBD",
               "gb18030", "header"});
  c.push_back({"empty", "", "", "", "utf-8", "default"});
  c.push_back({"empty_with_header", "", "text/html; charset=gbk", "", "gb18030", "header"});
  return c;
}

class CharsetTest : public ::testing::TestWithParam<Case> {};

TEST_P(CharsetTest, Decodes) {
  const Case& c = GetParam();
  DecodedText d = DecodeToUtf8(c.bytes, c.content_type);
  EXPECT_EQ(d.utf8, c.want_utf8);
  EXPECT_EQ(d.charset, c.want_charset);
  EXPECT_EQ(d.source, c.want_source);
}

INSTANTIATE_TEST_SUITE_P(Table, CharsetTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

TEST(CharsetFuzzTest, RandomBytesNeverCrashAndGiveValidUtf8) {
  std::mt19937 rng(12345);
  const std::vector<std::string> headers = {
      "",         "text/html; charset=gbk",   "text/html; charset=utf-8", "text/html; charset=big5",
      "charset=", "text/html; charset=utf-16"};
  for (int i = 0; i < 300; ++i) {
    std::string bytes(rng() % 600, '\0');
    for (char& ch : bytes) ch = static_cast<char>(rng() & 0xff);
    if (i % 3 == 0) bytes = "<meta charset=" + bytes;
    const std::string& h = headers[i % headers.size()];
    DecodedText d = DecodeToUtf8(bytes, h);
    EXPECT_TRUE(IsValidUtf8(d.utf8)) << "case " << i;
    EXPECT_FALSE(d.charset.empty());
    EXPECT_FALSE(d.source.empty());
  }
}

// glibc's iconv writes UCS-4 values above U+10FFFF as 5- and 6-byte "UTF-8" (found by
// fuzz_charset, fuzz/regressions/charset/ucs4-meta-above-10ffff): they come out replaced.
TEST(CharsetTest, UcsFourAboveUnicodeIsReplaced) {
  const std::string bytes("\x00\x00\x00\x41\x7F\xFF\xFF\xFF\x00\x00\x00\x42", 12);
  DecodedText d = DecodeToUtf8(bytes, "text/html; charset=ucs-4");
  EXPECT_EQ(d.charset, "ucs-4");
  ASSERT_GE(d.utf8.size(), 5u);
  EXPECT_EQ(d.utf8.front(), 'A');
  EXPECT_EQ(d.utf8.back(), 'B');
  absl::string_view middle(d.utf8);
  middle.remove_prefix(1);
  middle.remove_suffix(1);
  ASSERT_FALSE(middle.empty());
  for (size_t i = 0; i < middle.size(); i += 3) {
    EXPECT_EQ(middle.substr(i, 3), "\xEF\xBF\xBD") << "at " << i;
  }
}

}  // namespace
}  // namespace census
