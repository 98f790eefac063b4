// Lists that pages ship outside the visible DOM: inside HTML comments, as
// Hanweb <datastore> records in a <script>, or as JSON arrays in a <script>.
// They are parsed and grafted into the document so one list finder sees all.

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "worker/internal/html_dom.h"

namespace census {
namespace internal {
namespace {

const char* Str(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

std::string HtmlEscape(absl::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Parses `html` and inserts its body content, wrapped in <census-embedded>,
// before (or after) `anchor`.
void Graft(xmlDoc* doc, xmlNode* anchor, absl::string_view html, bool after) {
  DocPtr frag = ParseHtml(absl::StrCat("<html><body>", html, "</body></html>"));
  if (frag == nullptr) return;
  xmlNode* root = xmlDocGetRootElement(frag.get());
  xmlNode* body = nullptr;
  for (xmlNode* c = root == nullptr ? nullptr : root->children; c != nullptr; c = c->next) {
    if (IsTag(c, "body")) body = c;
  }
  if (body == nullptr || body->children == nullptr) return;
  xmlNode* wrapper = xmlNewDocNode(doc, nullptr, BAD_CAST kEmbeddedTag, nullptr);
  if (wrapper == nullptr) return;
  for (xmlNode* c = body->children; c != nullptr; c = c->next) {
    xmlNode* copy = xmlDocCopyNode(c, doc, 1);
    if (copy != nullptr && xmlAddChild(wrapper, copy) == nullptr) {
      xmlFreeNode(copy);
    }
  }
  xmlNode* added = after ? xmlAddNextSibling(anchor, wrapper) : xmlAddPrevSibling(anchor, wrapper);
  if (added == nullptr) xmlFreeNode(wrapper);
}

bool HoldsListMarkup(absl::string_view s) {
  const std::string lower = absl::AsciiStrToLower(s.substr(0, 200000));
  return absl::StrContains(lower, "<a ") &&
         (absl::StrContains(lower, "href") || absl::StrContains(lower, "<li"));
}

// Hanweb datastore: <record><![CDATA[ ...html... ]]></record>, repeated.
std::string HanwebRecords(absl::string_view script) {
  std::string html;
  size_t pos = 0;
  while ((pos = script.find("<record>", pos)) != absl::string_view::npos) {
    const size_t end = script.find("</record>", pos);
    if (end == absl::string_view::npos) break;
    absl::string_view rec = script.substr(pos + 8, end - pos - 8);
    rec = absl::StripAsciiWhitespace(rec);
    if (absl::ConsumePrefix(&rec, "<![CDATA[")) absl::ConsumeSuffix(&rec, "]]>");
    absl::StrAppend(&html, rec, "\n");
    pos = end + 9;
  }
  return html;
}

// Reads a JSON string literal starting at s[*pos] == '"'.
bool ReadJsonString(absl::string_view s, size_t* pos, std::string* out) {
  size_t p = *pos + 1;
  out->clear();
  while (p < s.size() && s[p] != '"') {
    if (s[p] == '\\' && p + 1 < s.size()) {
      const char e = s[++p];
      if (e == 'u' && p + 4 < s.size()) {
        unsigned cp = 0;
        for (int k = 1; k <= 4; ++k) {
          const char h = s[p + k];
          cp = cp * 16 +
               (absl::ascii_isdigit(h) ? h - '0' : (absl::ascii_tolower(h) - 'a' + 10) & 15);
        }
        p += 4;
        if (cp < 0x80) {
          *out += static_cast<char>(cp);
        } else if (cp < 0x800) {
          *out += static_cast<char>(0xC0 | (cp >> 6));
          *out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          *out += static_cast<char>(0xE0 | (cp >> 12));
          *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          *out += static_cast<char>(0x80 | (cp & 0x3F));
        }
      } else {
        *out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      }
    } else {
      *out += s[p];
    }
    ++p;
  }
  if (p >= s.size()) return false;
  *pos = p + 1;
  return true;
}

// Flat JSON objects ({"title": ..., "url": ..., "date": ...}) in a script,
// rendered as <li><a href=url>title</a> <span>date</span></li>.
std::string JsonArticles(absl::string_view script) {
  std::string html;
  int found = 0;
  size_t pos = 0;
  while ((pos = script.find('{', pos)) != absl::string_view::npos) {
    size_t p = pos + 1;
    std::string title, url, date, key, value;
    bool flat = true;
    while (p < script.size() && script[p] != '}') {
      if (script[p] == '{' || script[p] == '[') {
        flat = false;
        break;
      }
      if (script[p] != '"') {
        ++p;
        continue;
      }
      if (!ReadJsonString(script, &p, &key)) break;
      while (p < script.size() && (script[p] == ' ' || script[p] == '\t')) ++p;
      if (p >= script.size() || script[p] != ':') continue;
      ++p;
      while (p < script.size() && absl::ascii_isspace(script[p])) ++p;
      if (p >= script.size() || script[p] != '"') continue;
      if (!ReadJsonString(script, &p, &value)) break;
      const std::string k = absl::AsciiStrToLower(key);
      if (title.empty() && absl::StrContains(k, "title")) title = value;
      if (url.empty() &&
          (absl::StrContains(k, "url") || absl::StrContains(k, "link") || k == "href")) {
        url = value;
      }
      if (date.empty() && (absl::StrContains(k, "date") || absl::StrContains(k, "time"))) {
        date = value;
      }
    }
    if (flat && !title.empty() && !url.empty() && !date.empty()) {
      absl::StrAppend(&html, "<li><a href=\"", HtmlEscape(url), "\">", HtmlEscape(title),
                      "</a> <span>", HtmlEscape(date), "</span></li>\n");
      ++found;
    }
    pos = p > pos ? p : pos + 1;
  }
  return found >= 2 ? absl::StrCat("<ul>", html, "</ul>") : "";
}

void Collect(xmlNode* n, bool in_body, std::vector<xmlNode*>* comments,
             std::vector<xmlNode*>* scripts) {
  for (xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_COMMENT_NODE) {
      if (in_body && c->content != nullptr) comments->push_back(c);
    } else if (c->type == XML_ELEMENT_NODE) {
      if (IsTag(c, "script")) {
        scripts->push_back(c);
      } else if (!IsTag(c, "style")) {
        Collect(c, in_body || IsTag(c, "body"), comments, scripts);
      }
    }
  }
}

}  // namespace

void ExpandEmbeddedMarkup(xmlDoc* doc) {
  if (doc == nullptr) return;
  xmlNode* root = xmlDocGetRootElement(doc);
  if (root == nullptr) return;
  std::vector<xmlNode*> comments, scripts;
  Collect(root, IsTag(root, "body"), &comments, &scripts);
  for (xmlNode* c : comments) {
    absl::string_view text = Str(c->content);
    if (HoldsListMarkup(text)) Graft(doc, c, text, /*after=*/false);
  }
  for (xmlNode* s : scripts) {
    std::string text;
    for (xmlNode* c = s->children; c != nullptr; c = c->next) {
      if (c->content != nullptr) text += Str(c->content);
    }
    if (absl::StrContains(text, "<record>")) {
      const std::string html = HanwebRecords(text);
      if (HoldsListMarkup(html)) Graft(doc, s, html, /*after=*/true);
    } else if (absl::StrContains(text, "\"")) {
      const std::string html = JsonArticles(text);
      if (!html.empty()) Graft(doc, s, html, /*after=*/true);
    }
  }
}

}  // namespace internal
}  // namespace census
