#include "interchange/warc.h"

#include <zlib.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace census {
namespace {

WarcRecord Response(const std::string& uri, const std::string& body) {
  WarcRecord r;
  r.Add("WARC-Type", "response");
  r.Add("WARC-Target-URI", uri);
  r.Add("Content-Type", "application/http; msgtype=response");
  r.block =
      absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ", body.size(),
                   "\r\n\r\n", body);
  return r;
}

std::string Member(const WarcRecord& r) { return *GzipMember(SerializeWarcRecord(r)); }

struct Read {
  std::vector<std::string> uris;
  std::vector<int64_t> offsets;
  std::vector<std::string> reasons;
};

Read ReadAll(const std::string& bytes) {
  Read out;
  auto reader = WarcReader::FromBytes(bytes);
  WarcRecord r;
  int64_t offset;
  while (reader->Next(&r, &offset)) {
    out.uris.push_back(r.Field("WARC-Target-URI"));
    out.offsets.push_back(offset);
  }
  for (const WarcProblem& p : reader->problems()) out.reasons.push_back(p.reason);
  return out;
}

TEST(WarcDigest, Sha1Base32AsWarcToolsWriteIt) {
  // sha1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709.
  EXPECT_EQ(WarcSha1Digest(""), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  // sha1("abc") = a9993e364706816aba3e25717850c26c9cd0d89d.
  EXPECT_EQ(WarcSha1Digest("abc"), "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
}

TEST(WarcDate, MillisecondsRoundTripAndWholeSecondsRead) {
  EXPECT_EQ(FormatWarcDate(1763625600123), "2025-11-20T08:00:00.123Z");
  int64_t ms = 0;
  ASSERT_TRUE(ParseWarcDate("2025-11-20T08:00:00.123Z", &ms));
  EXPECT_EQ(ms, 1763625600123);
  ASSERT_TRUE(ParseWarcDate("2025-11-20T08:00:00Z", &ms));
  EXPECT_EQ(ms, 1763625600000);
  EXPECT_FALSE(ParseWarcDate("20 Nov 2025", &ms));
}

TEST(WarcRecordId, UuidUrn) {
  const std::string id = NewWarcRecordId();
  EXPECT_EQ(id.size(), 47u) << id;
  EXPECT_EQ(id.substr(0, 10), "<urn:uuid:");
  EXPECT_NE(id, NewWarcRecordId());
}

TEST(WarcFraming, SerializedRecordIsTheStandardLayout) {
  WarcRecord r;
  r.Add("WARC-Type", "resource");
  r.block = "hello";
  EXPECT_EQ(SerializeWarcRecord(r),
            "WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n");
}

TEST(WarcReader, EveryRecordOfMembersAndOfAPlainFile) {
  const std::string a = Member(Response("http://a.gov.cn/", "<p>a</p>"));
  const std::string b = Member(Response("http://b.gov.cn/", ""));
  Read read = ReadAll(a + b);
  EXPECT_EQ(read.uris, (std::vector<std::string>{"http://a.gov.cn/", "http://b.gov.cn/"}));
  EXPECT_EQ(read.offsets, (std::vector<int64_t>{0, static_cast<int64_t>(a.size())}));
  EXPECT_TRUE(read.reasons.empty());

  // Uncompressed, and several records in one member.
  const std::string plain = SerializeWarcRecord(Response("http://a.gov.cn/", "x")) +
                            SerializeWarcRecord(Response("http://b.gov.cn/", "y"));
  EXPECT_EQ(ReadAll(plain).uris.size(), 2u);
  Read one_member = ReadAll(*GzipMember(plain));
  EXPECT_EQ(one_member.uris.size(), 2u);
  EXPECT_TRUE(one_member.reasons.empty());
}

TEST(WarcReader, DamageIsReportedAndTheRestRead) {
  const std::string m1 = Member(Response("http://1.gov.cn/", std::string(3000, 'a')));
  const std::string m2 = Member(Response("http://2.gov.cn/", "two"));
  const std::string m3 = Member(Response("http://3.gov.cn/", "three"));
  // A record whose Content-Length says more than its block holds.
  WarcRecord bad = Response("http://4.gov.cn/", "four");
  std::string bad_bytes = SerializeWarcRecord(bad);
  bad_bytes.replace(bad_bytes.find("Content-Length: "), 18, "Content-Length: 99");
  const std::string m4 = *GzipMember(bad_bytes);
  const std::string m5 = Member(Response("http://5.gov.cn/", "five"));
  // A member cut short (its tail gone), then garbage, then the bad record, then a member
  // cut at the end of the file.
  const std::string file = m1 + m2.substr(0, m2.size() / 2) + m3 + "junk between members" + m4 +
                           m5 + m1.substr(0, m1.size() - 10);
  Read read = ReadAll(file);
  EXPECT_EQ(read.uris,
            (std::vector<std::string>{"http://1.gov.cn/", "http://3.gov.cn/", "http://5.gov.cn/"}));
  EXPECT_EQ(read.reasons,
            (std::vector<std::string>{"bad_gzip_member", "garbage", "bad_content_length",
                                      "truncated_gzip_member"}));
}

TEST(WarcReader, PlainFileReadRecordByRecordWithItsDamage) {
  const std::string a = SerializeWarcRecord(Response("http://1.gov.cn/", "one"));
  const std::string b = SerializeWarcRecord(Response("http://2.gov.cn/", "two"));
  const std::string c = SerializeWarcRecord(Response("http://3.gov.cn/", "three"));
  const std::string file = a + "stray line\n" + b + c.substr(0, c.size() - 10);
  Read read = ReadAll(file);
  EXPECT_EQ(read.uris, (std::vector<std::string>{"http://1.gov.cn/", "http://2.gov.cn/"}));
  EXPECT_EQ(read.offsets, (std::vector<int64_t>{0, static_cast<int64_t>(a.size() + 11)}));
  EXPECT_EQ(read.reasons, (std::vector<std::string>{"garbage", "truncated_record"}));
}

TEST(WarcReader, ContentLengthThatIsNotANumber) {
  std::string bytes = SerializeWarcRecord(Response("http://1.gov.cn/", "x"));
  bytes.replace(bytes.find("Content-Length: "), 17, "Content-Length: z");
  Read read = ReadAll(*GzipMember(bytes) + Member(Response("http://2.gov.cn/", "y")));
  EXPECT_EQ(read.uris, (std::vector<std::string>{"http://2.gov.cn/"}));
  EXPECT_EQ(read.reasons, (std::vector<std::string>{"bad_content_length"}));
}

TEST(HttpMessage, StatusHeadersAndBody) {
  auto m = ParseHttpMessage(
      "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 3\r\n\r\nabcdef");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->status, 404);
  EXPECT_EQ(m->Header("content-type"), "text/html");
  EXPECT_EQ(m->body, "abc");
  EXPECT_FALSE(m->cut_short);
  auto cut = ParseHttpMessage("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  ASSERT_TRUE(cut.ok());
  EXPECT_TRUE(cut->cut_short);
  EXPECT_FALSE(ParseHttpMessage("hello world").ok());
}

TEST(HttpMessage, ChunkedAndGzipBodiesDecoded) {
  auto chunked = ParseHttpMessage(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(chunked.ok()) << chunked.status();
  EXPECT_EQ(chunked->body, "abcde");
  EXPECT_FALSE(
      ParseHttpMessage("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nabc").ok());

  const std::string gz = *GzipMember("compressed page");
  auto gzip = ParseHttpMessage(absl::StrCat(
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ", gz.size(), "\r\n\r\n", gz));
  ASSERT_TRUE(gzip.ok()) << gzip.status();
  EXPECT_EQ(gzip->body, "compressed page");
  EXPECT_FALSE(ParseHttpMessage("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\nnot gzip").ok());
}

}  // namespace
}  // namespace census
