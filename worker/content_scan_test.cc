#include "worker/content_scan.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace census {
namespace {

using ::testing::HasSubstr;

LexiconTerm Typo(std::string term, std::string correction) {
  return {std::move(term), "serious_typo", std::move(correction)};
}
LexiconTerm Word(std::string term) { return {std::move(term), "sensitive_word", ""}; }

std::unique_ptr<LexiconScanner> Make(std::vector<LexiconTerm> terms) {
  auto s = LexiconScanner::Create(std::move(terms));
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

std::string Describe(const ContentHit& h) {
  return absl::StrCat(h.kind(), "|", h.term(), "|", h.context(), "|", h.correction());
}

std::vector<std::string> Describe(const std::vector<ContentHit>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(Describe(h));
  return out;
}

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    path_ = absl::StrCat(::testing::TempDir(), "/lexicon-", getpid(), "-", counter_++, ".csv");
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

TEST(LexiconScannerTest, ChineseHitsWithContextAndCorrection) {
  auto scanner = Make({Typo("中华人民共合国", "中华人民共和国"), Word("六合彩")});
  const std::string text =
      "根据《中华人民共合国政府信息公开条例》规定，现将有关情况公告如下。"
      "本站严禁发布六合彩等信息。";
  EXPECT_THAT(
      Describe(scanner->Scan(text)),
      ::testing::ElementsAre("serious_typo|中华人民共合国|根据《中华人民共合国政府信息公开条例》规|"
                             "中华人民共和国",
                             "sensitive_word|六合彩|告如下。本站严禁发布六合彩等信息。|"));
}

TEST(LexiconScannerTest, ContextCutsOnUtf8BoundariesAndCollapsesWhitespace) {
  auto scanner = Make({Word("博彩")});
  // Exactly 10 code points kept either side; mixed ASCII / CJK.
  const std::string text = "0123456789ab博彩cd一二三四五六七八九十尾";
  auto hits = scanner->Scan(text);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].context(), "23456789ab博彩cd一二三四五六七八");
  // At the edges of the text the context is shorter; newlines read as one space.
  hits = scanner->Scan("博彩\n\n  网站");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].context(), "博彩 网站");
  EXPECT_EQ(hits[0].correction(), "");
}

TEST(LexiconScannerTest, OverlapsOfTheSameTermAreOneHitOtherTermsStay) {
  auto scanner = Make({Word("哈哈"), Word("网上赌场"), Word("赌场")});
  auto hits = scanner->Scan("哈哈哈哈哈");
  // Matches at 0,1,2,3 (code points); overlapping ones dropped: 0 and 2 remain.
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].context(), "哈哈哈哈哈");
  EXPECT_EQ(hits[1].term(), "哈哈");
  // A term inside a longer term: both reported, the longer (earlier start) first.
  hits = scanner->Scan("某网上赌场广告");
  EXPECT_THAT(Describe(hits), ::testing::ElementsAre("sensitive_word|网上赌场|某网上赌场广告|",
                                                     "sensitive_word|赌场|某网上赌场广告|"));
}

TEST(LexiconScannerTest, TextOrderAndMaxHits) {
  auto scanner = Make({Word("AA"), Word("B"), Word("CCC")});
  auto hits = scanner->Scan("xCCCxBxAAxB", 50);
  std::vector<std::string> terms;
  for (const auto& h : hits) terms.push_back(h.term());
  EXPECT_THAT(terms, ::testing::ElementsAre("CCC", "B", "AA", "B"));
  hits = scanner->Scan("xCCCxBxAAxB", 2);
  terms.clear();
  for (const auto& h : hits) terms.push_back(h.term());
  EXPECT_THAT(terms, ::testing::ElementsAre("CCC", "B"));
  EXPECT_TRUE(scanner->Scan("xCCCx", 0).empty());
  EXPECT_TRUE(scanner->Scan("").empty());
  // Literal and case-sensitive: regex characters mean themselves.
  auto lit = Make({Word("a.b*"), Word("(x)")});
  EXPECT_EQ(lit->Scan("a.b* axb (x) (X)").size(), 2u);
  EXPECT_EQ(lit->Scan("aab AB").size(), 0u);
}

TEST(LexiconScannerTest, DuplicateTermsKeepTheLastEntryAndBadTermsAreRejected) {
  auto scanner = Make({Typo("人民正府", ""), Typo("人民正府", "人民政府")});
  auto hits = scanner->Scan("某县人民正府");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].correction(), "人民政府");
  EXPECT_FALSE(LexiconScanner::Create({Word("")}).ok());
  auto bad = LexiconScanner::Create({{"x", "banned", ""}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "lexicon term 'x': unknown kind 'banned'");
  auto empty = LexiconScanner::Create({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->Scan("网上赌场").empty());
}

TEST(LexiconScannerTest, ThousandGeneratedTermsAllFoundConcurrently) {
  // 1,000 distinct four-character terms from a 40-character alphabet.
  const std::vector<std::string> han = {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸",
                                        "子", "丑", "寅", "卯", "辰", "巳", "午", "未", "申", "酉",
                                        "戌", "亥", "金", "木", "水", "火", "土", "日", "月", "星",
                                        "春", "夏", "秋", "冬", "东", "南", "西", "北", "上", "下"};
  std::vector<LexiconTerm> terms;
  for (int i = 0; i < 1000; ++i) {
    terms.push_back(Word(
        absl::StrCat("〔", han[i % 40], han[(i / 40) % 40], han[i % 7], han[(i * 13) % 40], "〕")));
  }
  auto scanner = Make(terms);
  ASSERT_NE(scanner, nullptr);
  // A 1 MB text with every term once, in order, between filler.
  std::string text;
  const std::string filler = "为深入贯彻落实上级决策部署，进一步推动工作落地见效。";
  for (int i = 0; i < 1000; ++i) {
    text += filler;
    text += terms[i].term;
  }
  while (text.size() < (1u << 20)) text += filler;
  std::vector<std::thread> threads;
  std::vector<size_t> found(4);
  std::vector<bool> ordered(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto hits = scanner->Scan(text, 2000);
      found[t] = hits.size();
      bool ok = hits.size() == 1000;
      for (size_t i = 0; ok && i < hits.size(); ++i) ok = hits[i].term() == terms[i].term;
      ordered[t] = ok;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(found[t], 1000u) << t;
    EXPECT_TRUE(ordered[t]) << t;
  }
}

TEST(LexiconCsvTest, ReadsHeaderBomQuotesAndOptionalCorrection) {
  TempFile f(
      "\xEF\xBB\xBFterm,kind,correction\r\n"
      "中华人民共合国,serious_typo,中华人民共和国\r\n"
      "\r\n"
      "\"博彩, 网站\",sensitive_word,\r\n"
      "  六合彩 ,sensitive_word\r\n");
  auto terms = ReadLexiconCsv(f.path());
  ASSERT_TRUE(terms.ok()) << terms.status();
  ASSERT_EQ(terms->size(), 3u);
  EXPECT_EQ((*terms)[0].term, "中华人民共合国");
  EXPECT_EQ((*terms)[0].kind, "serious_typo");
  EXPECT_EQ((*terms)[0].correction, "中华人民共和国");
  EXPECT_EQ((*terms)[1].term, "博彩, 网站");
  EXPECT_EQ((*terms)[1].kind, "sensitive_word");
  EXPECT_EQ((*terms)[2].term, "六合彩");
  EXPECT_EQ((*terms)[2].correction, "");
  // Column order comes from the header.
  TempFile g("kind,term\nsensitive_word,色情\n");
  terms = ReadLexiconCsv(g.path());
  ASSERT_TRUE(terms.ok()) << terms.status();
  ASSERT_EQ(terms->size(), 1u);
  EXPECT_EQ((*terms)[0].term, "色情");
}

TEST(LexiconCsvTest, BadRowsNameFileLineAndReason) {
  TempFile f(
      "term,kind,correction\n"
      "网上赌场,sensitive_word,\n"
      ",serious_typo,x\n"
      "某词,banned\n"
      "只有一列\n"
      "\"未闭合,sensitive_word\n"
      "博彩,sensitive_word,赌博\n"
      "人民正府,serious_typo,人民正府\n"
      "\xFF\xFE,sensitive_word\n");
  auto terms = ReadLexiconCsv(f.path());
  ASSERT_FALSE(terms.ok());
  EXPECT_EQ(terms.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string p = f.path();
  EXPECT_EQ(terms.status().message(),
            absl::StrCat(p, ":3: missing term; ", p,
                         ":4: unknown kind 'banned' (want sensitive_word or serious_typo); ", p,
                         ":5: expected at least 2 fields, got 1; ", p, ":6: unterminated quote; ",
                         p, ":7: a sensitive_word has no correction; ", p,
                         ":8: correction equals the term; ", p, ":9: not UTF-8"));
  TempFile header("word,type\n网上赌场,sensitive_word\n");
  terms = ReadLexiconCsv(header.path());
  ASSERT_FALSE(terms.ok());
  EXPECT_EQ(terms.status().message(),
            absl::StrCat(header.path(), ":1: header must name the columns term,kind[,correction]"));
  TempFile empty("");
  terms = ReadLexiconCsv(empty.path());
  ASSERT_FALSE(terms.ok());
  EXPECT_EQ(terms.status().message(),
            absl::StrCat(empty.path(), ":1: empty file (want a header term,kind[,correction])"));
  terms = ReadLexiconCsv("/nonexistent/lexicon.csv");
  ASSERT_FALSE(terms.ok());
  EXPECT_EQ(terms.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(terms.status().message(), "/nonexistent/lexicon.csv: cannot open");
}

TEST(LexiconCsvTest, ManyBadRowsAreCappedInTheMessage) {
  std::string text = "term,kind\n";
  for (int i = 0; i < 15; ++i) text += "x,bad\n";
  TempFile f(text);
  auto terms = ReadLexiconCsv(f.path());
  ASSERT_FALSE(terms.ok());
  EXPECT_THAT(std::string(terms.status().message()), HasSubstr(":11: unknown kind 'bad'"));
  EXPECT_THAT(std::string(terms.status().message()), ::testing::EndsWith("; ... and 5 more"));
  EXPECT_THAT(std::string(terms.status().message()),
              ::testing::Not(HasSubstr(":12: unknown kind")));
}

TEST(BuiltinLexiconTest, ParsesAndFindsTheRubricsExamples) {
  // The data file itself, read the way --lexicon files are, equals the built-in list.
  auto file = ReadLexiconCsv(std::string(CENSUS_SOURCE_DIR) + "/data/lexicon.csv");
  ASSERT_TRUE(file.ok()) << file.status();
  const std::vector<LexiconTerm> builtin = BuiltinLexicon();
  ASSERT_EQ(builtin.size(), 34u);
  ASSERT_EQ(file->size(), builtin.size());
  int typos = 0;
  for (size_t i = 0; i < builtin.size(); ++i) {
    EXPECT_EQ(builtin[i].term, (*file)[i].term);
    EXPECT_EQ(builtin[i].kind, (*file)[i].kind);
    EXPECT_EQ(builtin[i].correction, (*file)[i].correction);
    if (builtin[i].kind == "serious_typo") {
      ++typos;
      EXPECT_FALSE(builtin[i].correction.empty()) << builtin[i].term;
    }
  }
  EXPECT_EQ(typos, 24);
  auto scanner = Make(builtin);
  const std::string text =
      "深入学习贯彻习近平新时代中国特设社会主义思想，国务院办公庁印发通知。"
      "严厉打击网上赌场。践行社会主义核心价值观。";
  EXPECT_THAT(Describe(scanner->Scan(text)),
              ::testing::ElementsAre(
                  "serious_typo|习近平新时代中国特设社会主义思想|深入学习贯彻习近平新时代中国特设"
                  "社会主义思想，国务院办公庁印发通|习近平新时代中国特色社会主义思想",
                  "serious_typo|国务院办公庁|国特设社会主义思想，国务院办公庁印发通知。严厉打击网|"
                  "国务院办公厅",
                  "sensitive_word|网上赌场|庁印发通知。严厉打击网上赌场。践行社会主义核心价|"));
}

}  // namespace
}  // namespace census
