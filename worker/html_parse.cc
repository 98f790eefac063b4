// A fast HTML parser that builds libxml2-compatible trees (see
// internal/html_dom.h). It follows libxml2 2.9's HTML tree construction —
// implied html/head/body, the start tags that close open elements
// (htmlStartClose), end-tag priorities, empty elements, raw script/style
// content, kept white space — so the extractor sees the tree libxml2 would
// build, at several times libxml2's speed: nodes live in one arena per
// document, names are interned, nothing is validated.

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <array>
#include <bitset>
#include <climits>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "worker/internal/html_dom.h"
#include "worker/internal/html_tags.h"

namespace census {
namespace internal {
namespace {

void Silent(void*, const char*, ...) {}

// ---- Arena -----------------------------------------------------------------

class Arena {
 public:
  void* Alloc(size_t n) {
    n = (n + 7) & ~size_t{7};
    if (left_ < n) Grow(n);
    void* p = next_;
    next_ += n;
    left_ -= n;
    return p;
  }
  template <typename T>
  T* New() {
    void* p = Alloc(sizeof(T));
    std::memset(p, 0, sizeof(T));
    return static_cast<T*>(p);
  }
  bool Contains(const void* p) const {
    for (const auto& [b, size] : blocks_) {
      if (p >= b.get() && p < b.get() + size) return true;
    }
    return false;
  }

 private:
  void Grow(size_t n) {
    size_t size = blocks_.empty() ? 64 * 1024 : blocks_.back().second * 2;
    if (size < n) size = n;
    blocks_.emplace_back(std::unique_ptr<char[]>(new char[size]), size);
    next_ = blocks_.back().first.get();
    left_ = size;
  }
  std::vector<std::pair<std::unique_ptr<char[]>, size_t>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

// ---- Tree builder ------------------------------------------------------------

constexpr int kNoTag = -1;

class Builder {
 public:
  Builder(xmlDoc* doc, Arena* arena) : doc_(doc), arena_(arena) {}

  void Run(const char* p, const char* end);

 private:
  struct Open {
    xmlNode* node;
    int id;
    const xmlChar* full_name;  // the tag as written (node->name drops a prefix)
  };

  const xmlChar* Intern(absl::string_view lower, int id);
  xmlNode* NewNode(xmlElementType type, const xmlChar* name);
  void Append(xmlNode* n);
  char* Copy(absl::string_view s);
  void Push(const xmlChar* name, int id);
  void Pop() { stack_.pop_back(); }
  int TopId() const { return stack_.empty() ? kNoTag : stack_.back().id; }
  bool TopIs(int id) const { return !stack_.empty() && stack_.back().id == id; }
  void AutoClose(int id);
  void CheckImplied(int id);
  void CheckParagraph();
  void AddText(absl::string_view decoded);
  const char* StartTag(const char* p, const char* end);
  const char* EndTag(const char* p, const char* end);
  const char* RawText(const char* p, const char* end, absl::string_view name);
  void Decode(const char* p, const char* end, std::string* out);

  xmlDoc* doc_;
  Arena* arena_;
  std::vector<Open> stack_;
  int html_state_ = 0;  // 3 once a head was opened, 10 once a body was
  int depth_ = 0;       // discarded html/head/body start tags
  bool stopped_ = false;
  std::string text_;
  std::string scratch_;
  absl::flat_hash_map<std::string, const xmlChar*> unknown_names_;
};

const xmlChar* Builder::Intern(absl::string_view lower, int id) {
  if (id != kNoTag) return BAD_CAST Tags().Name(id);
  auto it = unknown_names_.find(lower);
  if (it != unknown_names_.end()) return it->second;
  const xmlChar* name = BAD_CAST Copy(lower);
  unknown_names_.emplace(std::string(lower), name);
  return name;
}

char* Builder::Copy(absl::string_view s) {
  char* out = static_cast<char*>(arena_->Alloc(s.size() + 1));
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  return out;
}

xmlNode* Builder::NewNode(xmlElementType type, const xmlChar* name) {
  xmlNode* n = arena_->New<xmlNode>();
  n->type = type;
  n->name = name;
  n->doc = doc_;
  return n;
}

void Builder::Append(xmlNode* n) {
  xmlNode* parent = stack_.empty() ? reinterpret_cast<xmlNode*>(doc_) : stack_.back().node;
  n->parent = parent;
  n->prev = parent->last;
  if (parent->last != nullptr) {
    parent->last->next = n;
  } else {
    parent->children = n;
  }
  parent->last = n;
}

void Builder::Push(const xmlChar* name, int id) {
  const TagTable& t = Tags();
  static const int kHead = t.Id("head"), kBody = t.Id("body");
  if (html_state_ < 3 && id == kHead) html_state_ = 3;
  if (html_state_ < 10 && id == kBody) html_state_ = 10;
  // libxml2 names the element by the local part of a prefixed tag (<o:p>
  // becomes p) but matches end tags against the whole tag.
  const xmlChar* local = name;
  if (id == kNoTag && name[0] != ':') {
    if (const char* colon = std::strchr(reinterpret_cast<const char*>(name), ':');
        colon != nullptr && colon[1] != '\0') {
      const absl::string_view rest(colon + 1);
      local = Intern(rest, Tags().Id(rest));
    }
  }
  xmlNode* n = NewNode(XML_ELEMENT_NODE, local);
  Append(n);
  stack_.push_back({n, id, name});
}

void Builder::AutoClose(int id) {
  if (id == kNoTag) return;
  const TagTable& t = Tags();
  while (!stack_.empty() && stack_.back().id != kNoTag && t.closes[stack_.back().id][id]) Pop();
}

void Builder::CheckImplied(int id) {
  const TagTable& t = Tags();
  static const int kHtml = t.Id("html"), kHead = t.Id("head"), kBody = t.Id("body");
  static const std::bitset<kNumHtmlTags> kHeadOnly = [&] {
    std::bitset<kNumHtmlTags> b;
    for (const char* s : {"script", "style", "meta", "link", "title", "base"}) b[t.Id(s)] = true;
    return b;
  }();
  static const int kNoframes = t.Id("noframes"), kFrame = t.Id("frame"),
                   kFrameset = t.Id("frameset");
  if (id == kHtml) return;
  if (stack_.empty()) Push(BAD_CAST Tags().Name(kHtml), kHtml);
  if (id == kBody || id == kHead) return;
  if (stack_.size() <= 1 && id != kNoTag && kHeadOnly[id]) {
    if (html_state_ >= 3) return;
    Push(BAD_CAST Tags().Name(kHead), kHead);
  } else if (id != kNoframes && id != kFrame && id != kFrameset) {
    if (html_state_ >= 10) return;
    for (const Open& o : stack_) {
      if (o.id == kBody || o.id == kHead) return;
    }
    Push(BAD_CAST Tags().Name(kBody), kBody);
  }
}

void Builder::CheckParagraph() {
  static const int kP = Tags().Id("p"), kHtml = Tags().Id("html"), kHead = Tags().Id("head");
  if (stack_.empty() || TopIs(kHtml) || TopIs(kHead)) {
    AutoClose(kP);
    CheckImplied(kP);
    Push(BAD_CAST Tags().Name(kP), kP);
  }
}

inline bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool IsLetter(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool IsNameChar(char c) {
  return IsLetter(c) || (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' || c == '.';
}

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    *out += static_cast<char>(c);
  } else if (c < 0x800) {
    *out += static_cast<char>(0xC0 | (c >> 6));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *out += static_cast<char>(0xE0 | (c >> 12));
    *out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (c >> 18));
    *out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

uint32_t EntityValue(absl::string_view name) {
  if (name == "nbsp") return 0xA0;
  if (name == "amp") return '&';
  if (name == "lt") return '<';
  if (name == "gt") return '>';
  if (name == "quot") return '"';
  const std::string z(name);
  const htmlEntityDesc* e = htmlEntityLookup(BAD_CAST z.c_str());
  return e == nullptr ? 0 : e->value;
}

// Character and entity references decoded as libxml2 does (a named reference
// needs its ';').
void Builder::Decode(const char* p, const char* end, std::string* out) {
  out->clear();
  while (p < end) {
    const char* q = static_cast<const char*>(std::memchr(p, '&', end - p));
    if (q == nullptr) q = end;
    out->append(p, q);
    if (q == end) break;
    p = q;
    if (p + 1 < end && p[1] == '#') {
      const char* d = p + 2;
      uint32_t v = 0;
      bool hex = d < end && (*d == 'x' || *d == 'X');
      if (hex) ++d;
      const char* digits = d;
      while (d < end && v < 0x110000) {
        const char c = *d;
        if (c >= '0' && c <= '9') {
          v = v * (hex ? 16 : 10) + (c - '0');
        } else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
          v = v * 16 + ((c | 0x20) - 'a' + 10);
        } else {
          break;
        }
        ++d;
      }
      if (d < end && *d == ';') ++d;
      if (d == digits || (d == digits + 1 && *digits == ';')) {  // "&#;": dropped
        p = d;
        continue;
      }
      const bool valid = v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) ||
                         (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF);
      if (valid) AppendUtf8(v, out);
      p = d;
      continue;
    }
    const char* n = p + 1;
    if (n < end && (IsLetter(*n) || *n == '_' || *n == ':')) {
      while (n < end && IsNameChar(*n)) ++n;
    }
    const absl::string_view name(p + 1, n - p - 1);
    if (!name.empty() && n < end && *n == ';') {
      if (const uint32_t v = EntityValue(name); v != 0) {
        AppendUtf8(v, out);
        p = n + 1;
        continue;
      }
    }
    out->append(p, n);
    p = n;
  }
}

void Builder::AddText(absl::string_view text) {
  bool blank = true;
  for (char c : text) {
    if (!IsBlank(c)) {
      blank = false;
      break;
    }
  }
  if (!blank) CheckParagraph();
  if (stack_.empty() || text.empty()) return;
  xmlNode* parent = stack_.back().node;
  xmlNode* last = parent->last;
  if (last != nullptr && last->type == XML_TEXT_NODE) {  // libxml2 merges runs
    const size_t had = std::strlen(reinterpret_cast<const char*>(last->content));
    char* merged = static_cast<char*>(arena_->Alloc(had + text.size() + 1));
    std::memcpy(merged, last->content, had);
    std::memcpy(merged + had, text.data(), text.size());
    merged[had + text.size()] = '\0';
    last->content = BAD_CAST merged;
    return;
  }
  xmlNode* n = NewNode(XML_TEXT_NODE, xmlStringText);
  n->content = BAD_CAST Copy(text);
  Append(n);
}

const char* Builder::RawText(const char* p, const char* end, absl::string_view name) {
  const char* q = p;
  while (true) {
    q = static_cast<const char*>(std::memchr(q, '<', end - q));
    if (q == nullptr) {
      q = end;
      break;
    }
    if (q + 1 < end && q[1] == '/' && static_cast<size_t>(end - q - 2) >= name.size() &&
        strncasecmp(q + 2, name.data(), name.size()) == 0) {
      break;
    }
    ++q;
  }
  if (q > p) {
    xmlNode* n = NewNode(XML_CDATA_SECTION_NODE, nullptr);
    n->content = BAD_CAST Copy(absl::string_view(p, q - p));
    Append(n);
  }
  return q;
}

const char* Builder::StartTag(const char* p, const char* end) {
  // p points after '<' at a letter.
  const TagTable& t = Tags();
  static const int kHtml = t.Id("html"), kHead = t.Id("head"), kBody = t.Id("body"),
                   kScript = t.Id("script"), kStyle = t.Id("style");
  char lower[101];
  size_t len = 0;
  while (p < end && IsNameChar(*p)) {
    if (len < 100) lower[len++] = static_cast<char>(*p >= 'A' && *p <= 'Z' ? *p + 0x20 : *p);
    ++p;
  }
  const absl::string_view tag(lower, len);
  const int id = t.Id(tag);
  AutoClose(id);
  CheckImplied(id);
  if (stack_.size() > 256) {  // libxml2 stops at "Excessive depth in document"
    stopped_ = true;
    return end;
  }
  bool discard = false;
  if (id == kHtml && !stack_.empty()) discard = true;
  if (id == kHead && stack_.size() != 1) discard = true;
  if (id == kBody) {
    for (const Open& o : stack_) discard = discard || o.id == kBody;
  }
  if (discard) ++depth_;
  xmlNode* el = nullptr;
  if (!discard) {
    Push(Intern(tag, id), id);
    el = stack_.back().node;
  }
  // Attributes.
  xmlAttr* last_attr = nullptr;
  while (p < end && *p != '>' && !(*p == '/' && p + 1 < end && p[1] == '>')) {
    if (!(IsLetter(*p) || *p == '_' || *p == ':' || *p == '.')) {
      while (p < end && !IsBlank(*p) && *p != '>' && !(*p == '/' && p + 1 < end && p[1] == '>')) {
        ++p;
      }
      while (p < end && IsBlank(*p)) ++p;
      continue;
    }
    const char* name_begin = p;
    char aname[101];
    size_t alen = 0;
    while (p < end && IsNameChar(*p)) {
      if (alen < 100) aname[alen++] = static_cast<char>(*p >= 'A' && *p <= 'Z' ? *p + 0x20 : *p);
      ++p;
    }
    (void)name_begin;
    while (p < end && IsBlank(*p)) ++p;
    bool has_value = false;
    const char* vb = p;
    const char* ve = p;
    if (p < end && *p == '=') {
      ++p;
      while (p < end && IsBlank(*p)) ++p;
      has_value = true;
      if (p < end && (*p == '"' || *p == '\'')) {
        const char quote = *p++;
        vb = p;
        const char* q = static_cast<const char*>(std::memchr(p, quote, end - p));
        ve = q == nullptr ? end : q;
        p = q == nullptr ? end : q + 1;
      } else {
        vb = p;
        while (p < end && !IsBlank(*p) && *p != '>') ++p;
        ve = p;
      }
    }
    while (p < end && IsBlank(*p)) ++p;
    if (el == nullptr) continue;
    const absl::string_view an(aname, alen);
    bool dup = false;
    for (const xmlAttr* a = el->properties; a != nullptr && !dup; a = a->next) {
      dup = an == reinterpret_cast<const char*>(a->name);
    }
    if (dup) continue;
    xmlAttr* attr = arena_->New<xmlAttr>();
    attr->type = XML_ATTRIBUTE_NODE;
    attr->name = Intern(an, t.Id(an));
    attr->parent = el;
    attr->doc = doc_;
    if (!has_value && htmlIsBooleanAttr(attr->name)) {  // <input disabled>
      has_value = true;
      vb = an.data();
      ve = an.data() + an.size();
    }
    if (has_value) {
      xmlNode* text = NewNode(XML_TEXT_NODE, xmlStringText);
      Decode(vb, ve, &scratch_);
      text->content = BAD_CAST Copy(scratch_);
      text->parent = reinterpret_cast<xmlNode*>(attr);
      attr->children = attr->last = text;
    }
    if (last_attr == nullptr) {
      el->properties = attr;
    } else {
      last_attr->next = attr;
      attr->prev = last_attr;
    }
    last_attr = attr;
  }
  bool self_closed = false;
  if (p < end && *p == '/') {
    self_closed = true;
    p += 2;
  } else if (p < end) {
    ++p;  // '>'
  }
  if (el == nullptr) return p;
  if (self_closed || (id != kNoTag && t.empty[id])) {
    Pop();
  } else if (id == kScript || id == kStyle) {
    p = RawText(p, end, tag);
  }
  return p;
}

const char* Builder::EndTag(const char* p, const char* end) {
  // p points after "</" at a letter.
  const TagTable& t = Tags();
  static const int kHtml = t.Id("html"), kHead = t.Id("head"), kBody = t.Id("body");
  char lower[101];
  size_t len = 0;
  while (p < end && IsNameChar(*p)) {
    if (len < 100) lower[len++] = static_cast<char>(*p >= 'A' && *p <= 'Z' ? *p + 0x20 : *p);
    ++p;
  }
  const char* gt = static_cast<const char*>(std::memchr(p, '>', end - p));
  p = gt == nullptr ? end : gt + 1;
  const absl::string_view tag(lower, len);
  const int id = t.Id(tag);
  if (depth_ > 0 && (id == kHtml || id == kBody || id == kHead)) {
    --depth_;
    return p;
  }
  auto same = [&](const Open& o) {
    return id != kNoTag ? o.id == id : tag == reinterpret_cast<const char*>(o.full_name);
  };
  const int priority = id == kNoTag ? 100 : t.end_priority[id];
  int i = static_cast<int>(stack_.size()) - 1;
  for (; i >= 0; --i) {
    if (same(stack_[i])) break;
    const int op = stack_[i].id == kNoTag ? 100 : t.end_priority[stack_[i].id];
    if (op > priority) return p;
  }
  if (i < 0) return p;
  while (!same(stack_.back())) Pop();
  Pop();
  return p;
}

void Builder::Run(const char* p, const char* end) {
  const char* nul = static_cast<const char*>(std::memchr(p, '\0', end - p));
  if (nul != nullptr) end = nul;  // libxml2 stops at a NUL
  text_.clear();
  const char* text_begin = p;
  auto flush = [&](const char* text_end) {
    if (text_end > text_begin) {
      Decode(text_begin, text_end, &text_);
      AddText(text_);
    }
  };
  while (p < end) {
    const char* lt = static_cast<const char*>(std::memchr(p, '<', end - p));
    if (lt == nullptr) break;
    p = lt;
    const char c1 = p + 1 < end ? p[1] : '\0';
    if (IsLetter(c1)) {
      flush(p);
      p = StartTag(p + 1, end);
      if (stopped_) return;
      text_begin = p;
    } else if (c1 == '/') {
      flush(p);
      if (p + 2 < end && IsLetter(p[2])) {
        p = EndTag(p + 2, end);
      } else {
        p += 2;
      }
      text_begin = p;
    } else if (c1 == '!') {
      const bool comment = end - p >= 4 && p[2] == '-' && p[3] == '-';
      if (!comment && !(end - p >= 9 && strncasecmp(p + 2, "DOCTYPE", 7) == 0)) {
        ++p;  // "<!bogus>" stays text
        continue;
      }
      flush(p);
      if (comment && p[2] == '-' && p[3] == '-') {
        const char* b = p + 4;
        const char* e = b;
        while (true) {
          e = static_cast<const char*>(std::memchr(e, '-', end - e));
          if (e == nullptr || (end - e >= 3 && e[1] == '-' && e[2] == '>')) break;
          ++e;
        }
        if (e == nullptr) return;  // unterminated: libxml2 drops the rest
        xmlNode* n = NewNode(XML_COMMENT_NODE, xmlStringComment);
        n->content = BAD_CAST Copy(absl::string_view(b, e - b));
        Append(n);
        p = e + 3;
      } else {
        const char* gt = static_cast<const char*>(std::memchr(p, '>', end - p));
        p = gt == nullptr ? end : gt + 1;
      }
      text_begin = p;
    } else if (c1 == '?') {
      flush(p);
      const char* gt = static_cast<const char*>(std::memchr(p, '>', end - p));
      p = gt == nullptr ? end : gt + 1;
      if (!stack_.empty()) Append(NewNode(XML_PI_NODE, BAD_CAST "pi"));  // splits text
      text_begin = p;
    } else {
      ++p;  // a literal '<'
    }
  }
  flush(end);
}

}  // namespace

DocPtr ParseHtml(absl::string_view utf8) {
  if (utf8.empty()) return nullptr;
  xmlDoc* doc = htmlNewDocNoDtD(nullptr, nullptr);
  if (doc == nullptr) return nullptr;
  Arena* arena = new Arena();
  doc->_private = arena;
  Builder builder(doc, arena);
  builder.Run(utf8.data(), utf8.data() + utf8.size());
  return DocPtr(doc);
}

DocPtr ParseHtmlWithLibxml2(absl::string_view utf8) {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
  // Error handlers are per thread in libxml2; keep them quiet here.
  xmlSetGenericErrorFunc(nullptr, Silent);
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  if (utf8.empty()) return nullptr;
  const int size =
      utf8.size() > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(utf8.size());
  return DocPtr(htmlReadMemory(utf8.data(), size, nullptr, "UTF-8",
                               HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                   HTML_PARSE_NONET | HTML_PARSE_COMPACT));
}

namespace {

// Frees the nodes libxml2 allocated inside an arena tree (grafted subtrees).
void FreeForeign(xmlNode* n, const Arena& arena) {
  for (xmlNode* c = n->children; c != nullptr;) {
    xmlNode* next = c->next;
    // Only grafted <census-embedded> subtrees were allocated by libxml2.
    if (c->type == XML_ELEMENT_NODE && c->name != nullptr &&
        std::strcmp(reinterpret_cast<const char*>(c->name), kEmbeddedTag) == 0 &&
        !arena.Contains(c)) {
      xmlUnlinkNode(c);
      xmlFreeNode(c);
    } else if (c->type == XML_ELEMENT_NODE) {
      FreeForeign(c, arena);
    }
    c = next;
  }
}

}  // namespace

void DocDeleter::operator()(xmlDoc* d) const {
  if (d == nullptr) return;
  if (d->_private != nullptr) {
    auto* arena = static_cast<Arena*>(d->_private);
    FreeForeign(reinterpret_cast<xmlNode*>(d), *arena);
    d->children = d->last = nullptr;
    d->_private = nullptr;
    xmlFreeDoc(d);
    delete arena;
    return;
  }
  xmlFreeDoc(d);
}

}  // namespace internal
}  // namespace census
