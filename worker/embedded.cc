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
#include "worker/internal/script_data.h"

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
void Graft(xmlDoc* doc, xmlNode* anchor, absl::string_view html, bool after, const char* source) {
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
  xmlNewProp(wrapper, BAD_CAST kEmbeddedSourceAttr, BAD_CAST source);
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

// Items of the lists a script carries as data (internal/script_data.h), as the
// markup a browser would show: <li><a href=url>title</a> <span>date</span></li>.
std::string ScriptListMarkup(absl::string_view script) {
  const std::vector<ScriptListItem> items = ScriptListItems(script);
  if (items.empty()) return "";
  std::string html = "<ul>";
  for (const ScriptListItem& item : items) {
    absl::StrAppend(&html, "<li><a href=\"", HtmlEscape(item.href), "\">", HtmlEscape(item.title),
                    "</a> <span>", HtmlEscape(item.date_text), "</span></li>\n");
  }
  return absl::StrCat(html, "</ul>");
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
    if (HoldsListMarkup(text)) Graft(doc, c, text, /*after=*/false, kFromComment);
  }
  for (xmlNode* s : scripts) {
    std::string text;
    for (xmlNode* c = s->children; c != nullptr; c = c->next) {
      if (c->content != nullptr) text += Str(c->content);
    }
    if (absl::StrContains(text, "<record>")) {
      const std::string html = HanwebRecords(text);
      if (HoldsListMarkup(html)) Graft(doc, s, html, /*after=*/true, kFromScript);
    } else if (absl::StrContains(text, "[") && absl::StrContains(text, "{") &&
               !absl::StrContains(absl::AsciiStrToLower(Attr(s, "type")), "template")) {
      const std::string html = ScriptListMarkup(text);
      if (!html.empty()) Graft(doc, s, html, /*after=*/true, kFromScript);
    }
  }
}

}  // namespace internal
}  // namespace census
