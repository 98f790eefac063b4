#include "worker/robots.h"

#include <string>

#include "gtest/gtest.h"

namespace census {
namespace {

struct Case {
  const char* name;
  const char* robots;
  const char* path;
  bool allowed;
};

const Case kCases[] = {
    {"empty file", "", "/a", true},
    {"star disallow all", "User-agent: *\nDisallow: /\n", "/a/b.html", false},
    {"robots.txt itself always", "User-agent: *\nDisallow: /\n", "/robots.txt", true},
    {"empty disallow allows", "User-agent: *\nDisallow:\n", "/a", true},
    {"prefix match", "User-agent: *\nDisallow: /private\n", "/private/x.html", false},
    {"prefix no match", "User-agent: *\nDisallow: /private\n", "/public/x.html", true},
    {"prefix of name", "User-agent: *\nDisallow: /priv\n", "/private.html", false},
    {"our group beats star", "User-agent: *\nDisallow: /\n\nUser-agent: CensusBot\nAllow: /\n",
     "/a", true},
    {"our group only", "User-agent: CensusBot\nDisallow: /x\n\nUser-agent: *\nDisallow: /\n", "/a",
     true},
    {"our group disallows", "User-agent: *\nAllow: /\n\nUser-agent: censusbot\nDisallow: /x/\n",
     "/x/1.html", false},
    {"token with version", "User-agent: CensusBot/2.0\nDisallow: /\n", "/a", false},
    {"other bot ignored", "User-agent: Googlebot\nDisallow: /\n", "/a", true},
    {"shared group", "User-agent: Googlebot\nUser-agent: CensusBot\nDisallow: /g\n", "/g/1", false},
    {"groups merged",
     "User-agent: CensusBot\nDisallow: /a\n\nUser-agent: CensusBot\nDisallow: /b\n", "/b/1", false},
    {"longest wins allow", "User-agent: *\nDisallow: /a\nAllow: /a/b\n", "/a/b/c", true},
    {"longest wins disallow", "User-agent: *\nAllow: /a\nDisallow: /a/b\n", "/a/b/c", false},
    {"tie allow wins", "User-agent: *\nDisallow: /a\nAllow: /a\n", "/a/1", true},
    {"wildcard", "User-agent: *\nDisallow: /*.pdf\n", "/docs/x.pdf", false},
    {"wildcard then more", "User-agent: *\nDisallow: /*.pdf\n", "/docs/x.pdf?download=1", false},
    {"anchor end", "User-agent: *\nDisallow: /*.pdf$\n", "/docs/x.pdf?download=1", true},
    {"anchor end match", "User-agent: *\nDisallow: /*.pdf$\n", "/docs/x.pdf", false},
    {"anchor exact root", "User-agent: *\nDisallow: /$\n", "/", false},
    {"anchor exact root other", "User-agent: *\nDisallow: /$\n", "/index.html", true},
    {"query", "User-agent: *\nDisallow: /search?\n", "/search?q=1", false},
    {"comments and case", "# hi\nUSER-AGENT: * # all\nDISALLOW: /x # no\n", "/x", false},
    {"crlf and bom", "\xEF\xBB\xBFUser-agent: *\r\nDisallow: /x\r\n", "/x", false},
    {"rule before any group ignored", "Disallow: /\nUser-agent: *\nAllow: /\n", "/a", true},
    {"sitemap does not split", "User-agent: *\nSitemap: /s.xml\nDisallow: /x\n", "/x", false},
    {"utf8 rule vs encoded path", "User-agent: *\nDisallow: /新闻/\n", "/%E6%96%B0%E9%97%BB/1.html",
     false},
    {"escape case", "User-agent: *\nDisallow: /%e6%96%b0\n", "/%E6%96%B0/1.html", false},
    {"empty path is root", "User-agent: *\nDisallow: /$\n", "", false},
    {"garbage lines", "<html>not robots</html>\n\x01\x02\n", "/a", true},
};

TEST(RobotsTest, Table) {
  for (const Case& c : kCases) {
    RobotsRules rules = RobotsRules::Parse(c.robots);
    EXPECT_EQ(rules.Allowed(c.path), c.allowed) << c.name << ": " << c.path;
  }
}

TEST(RobotsTest, DefaultAndDisallowAll) {
  EXPECT_TRUE(RobotsRules().Allowed("/anything"));
  EXPECT_FALSE(RobotsRules::DisallowAll().Allowed("/anything"));
  EXPECT_TRUE(RobotsRules::DisallowAll().Allowed("/robots.txt"));
}

TEST(RobotsTest, SelectedRules) {
  RobotsRules r = RobotsRules::Parse(
      "User-agent: *\nDisallow: /a\n\nUser-agent: CensusBot\nAllow: /新\nDisallow: /b\n");
  ASSERT_EQ(r.rules().size(), 2u);
  EXPECT_TRUE(r.rules()[0].allow);
  EXPECT_EQ(r.rules()[0].pattern, "/%E6%96%B0");
  EXPECT_FALSE(r.rules()[1].allow);
  EXPECT_EQ(r.rules()[1].pattern, "/b");
}

struct SplitCase {
  const char* url;
  bool ok;
  const char* origin;
  const char* path;
};

TEST(RobotsTest, SplitOriginAndPath) {
  const SplitCase cases[] = {
      {"http://www.Example.gov.cn/a/b?x=1#f", true, "http://www.example.gov.cn", "/a/b?x=1"},
      {"HTTPS://host:443/", true, "https://host", "/"},
      {"http://host:80", true, "http://host", "/"},
      {"http://host:8080?q", true, "http://host:8080", "/?q"},
      {"https://user@host/p", true, "https://host", "/p"},
      {"ftp://host/p", false, "", ""},
      {"/relative", false, "", ""},
      {"http:///nohost", false, "", ""},
  };
  for (const SplitCase& c : cases) {
    std::string origin, path;
    ASSERT_EQ(SplitOriginAndPath(c.url, &origin, &path), c.ok) << c.url;
    if (!c.ok) continue;
    EXPECT_EQ(origin, c.origin) << c.url;
    EXPECT_EQ(path, c.path) << c.url;
  }
}

}  // namespace
}  // namespace census
