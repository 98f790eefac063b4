// The fast HTML parser builds the tree libxml2's HTML parser builds.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "worker/internal/html_dom.h"
#include "worker/internal/list_finder.h"

namespace census {
namespace internal {
namespace {

void Dump(const xmlNode* n, int depth, std::string* out) {
  for (; n != nullptr; n = n->next) {
    if (n->type == XML_DTD_NODE || n->type == XML_PI_NODE) continue;
    out->append(static_cast<size_t>(depth) * 2, ' ');
    *out += std::to_string(n->type);
    if (n->type == XML_ELEMENT_NODE) *out += " " + std::string(TagName(n));
    for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
      *out += " @" + std::string(reinterpret_cast<const char*>(a->name)) + "=" +
              (a->children == nullptr ? "(none)" : Attr(n, reinterpret_cast<const char*>(a->name)));
    }
    if (n->content != nullptr) {
      *out += " [" + std::string(reinterpret_cast<const char*>(n->content)) + "]";
    }
    *out += '\n';
    Dump(n->children, depth + 1, out);
  }
}

std::string Tree(const DocPtr& doc) {
  std::string out;
  if (doc != nullptr) Dump(doc->children, 0, &out);
  return out;
}

std::string Fast(const std::string& html) { return Tree(ParseHtml(html)); }
std::string Libxml2(const std::string& html) { return Tree(ParseHtmlWithLibxml2(html)); }

TEST(HtmlParseTest, SameTreeAsLibxml2OnFixtures) {
  const std::filesystem::path dir =
      std::filesystem::path(CENSUS_SOURCE_DIR) / ".." / "shared" / "fixtures" / "real";
  int pages = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".html") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string fast = Fast(ss.str());
    const std::string ref = Libxml2(ss.str());
    EXPECT_EQ(fast.size(), ref.size()) << e.path();
    if (fast != ref) {
      size_t at = 0;
      while (at < fast.size() && at < ref.size() && fast[at] == ref[at]) ++at;
      const size_t from = at > 300 ? at - 300 : 0;
      ADD_FAILURE() << e.path() << " differs at " << at << "\nfast: " << fast.substr(from, 600)
                    << "\nlibxml2: " << ref.substr(from, 600);
    }
    ++pages;
  }
  EXPECT_EQ(pages, 20);
}

TEST(HtmlParseTest, SameTreeAsLibxml2OnBrokenMarkup) {
  const char* cases[] = {
      "<!DOCTYPE html><!--c0--> <html> <head> <title>x&amp;y</title><script>a<b</script> "
      "</head> <body> <p>a<div/>b<embed src=x>c<br>d</p> <span>t&nbsp;&foo; &#20013;&x</span> "
      "hid<input hidden disabled></body></html> tail <div>q</div>",
      "text first<p>one<p>two<ul><li>a<li>b</ul><table><tr><td>1<td>2<tr><td>3</table>",
      "<div><span>a</div>b</span><td>x</td></div><LI CLASS=A class=b>q</li>",
      "<html><body><body class=x><html lang=zh><head><meta charset=utf-8></head>z",
      "<a href='u?a=1&amp;b=2&c'>x</a><a href=\"v\"/>y<a>z</a><b>w<p>v",
      "<style>.a{display:none}</STYLE ><noscript><p>n</noscript><select><option>1<option>2",
      "a < b <3 </ > <!bogus> <?pi?> &#x4E2D;&#0;&#;&lt&lt;&unknown;",
      "<table><tr><td><div>1</td><td>2</div></td></tr></table>",
      "\r\n<p>\r\nline\rtwo\r\n</p><textarea>a<b>c</b></textarea>",
      "<h1>t<p>in</h1>out<form><form>x</form><dl><dt>a<dd>b<dt>c</dl>",
  };
  for (const char* c : cases) {
    EXPECT_EQ(Fast(c), Libxml2(c)) << c;
  }
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "<div>";
  deep += "deep</div><p>after</p>";
  EXPECT_EQ(Fast(deep), Libxml2(deep));  // both stop at depth 256
  EXPECT_EQ(Fast(deep).find("deep"), std::string::npos);
}

TEST(HtmlParseTest, GraftedNodesAreFreedWithTheDocument) {
  DocPtr doc = ParseHtml("<body><ul><!-- <li><a href='a.htm'>t</a> 2024-01-02</li> --></ul>");
  ASSERT_NE(doc, nullptr);
  ExpandEmbeddedMarkup(doc.get());
  const std::string tree = Tree(doc);
  EXPECT_NE(tree.find("1 census-embedded"), std::string::npos) << tree;
  doc.reset();  // no leak or double free under ASan/valgrind
}

TEST(HtmlParseTest, EmptyInputGivesNoDocument) { EXPECT_EQ(ParseHtml(""), nullptr); }

}  // namespace
}  // namespace internal
}  // namespace census
