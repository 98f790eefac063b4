#include "simweb/sim_web.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "simweb/family_web.h"

namespace census::simweb {
namespace {

// A 1x1 transparent PNG.
constexpr unsigned char kPng[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};

constexpr char kCss[] =
    "body{margin:0;font:14px/1.6 \"Microsoft YaHei\",SimSun,sans-serif;color:#333}\n"
    ".header{background:#c00;color:#fff;padding:16px}.nav ul{list-style:none;margin:0;"
    "padding:0;background:#a00}.nav li{display:inline-block;padding:8px 14px}\n"
    ".nav a{color:#fff}.news_list li span,.date{float:right;color:#999}\n"
    ".footer{border-top:2px solid #c00;text-align:center;color:#666;padding:12px}\n";

// What the spam hosts answer (no lexicon terms: the census judges the site's own pages).
constexpr char kSpamPage[] =
    "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Welcome</title>\n"
    "</head>\n<body>\n<h1>Welcome</h1>\n</body>\n</html>\n";

constexpr const char* kSentences[] = {
    "为深入贯彻落实上级决策部署，进一步推动TOPIC工作落地见效，",
    "会议强调，各级各部门要提高政治站位，压实工作责任，",
    "坚持问题导向和目标导向，聚焦群众急难愁盼问题，",
    "切实把TOPIC各项任务措施落到实处，",
    "要加强统筹协调，形成工作合力，确保各项工作有序推进。",
    "近年来，我们始终坚持以人民为中心的发展思想，",
    "围绕TOPIC重点任务，健全完善长效工作机制，",
    "持续优化服务流程，不断提升群众满意度和获得感。",
    "下一步，将进一步加大督查督办力度，",
    "对工作推进不力的单位予以通报，",
    "以钉钉子精神抓好各项工作落实。",
    "会上，相关部门负责同志分别汇报了TOPIC工作开展情况。",
};

std::string Escape(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
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

std::string Head(const Site& s, absl::string_view title, absl::string_view extra_meta) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n";
  if (!s.gbk) {
    h += "<meta charset=\"utf-8\">\n";
  } else if (!s.charset_in_header) {
    h += "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">\n";
  }
  absl::StrAppend(&h, "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n<title>",
                  Escape(title), "</title>\n<meta name=\"SiteName\" content=\"", Escape(s.name),
                  "\">\n<meta name=\"SiteDomain\" content=\"", s.host,
                  "\">\n<meta name=\"SiteIDCode\" content=\"", s.site_id, "\">\n", extra_meta,
                  "<link rel=\"stylesheet\" href=\"/css/style.css\">\n</head>\n<body>\n");
  absl::StrAppend(&h,
                  "<div class=\"header\"><div class=\"logo\"><a href=\"/\"><img "
                  "src=\"/images/logo.png\" alt=\"",
                  Escape(s.name), "\"></a><h1>", Escape(s.name), "</h1></div></div>\n");
  h += "<div class=\"nav\"><ul class=\"nav_list\">\n<li><a href=\"/\">首页</a></li>\n";
  for (const Column& c : s.columns) {
    absl::StrAppend(&h, "<li><a href=\"", c.Path(), "\">", Escape(c.name), "</a></li>\n");
  }
  h += "</ul></div>\n";
  return h;
}

std::string Footer(const Site& s) {
  return absl::StrCat(
      "<div class=\"footer\">\n<p><a href=\"/sitemap.html\">网站地图</a> | <a "
      "href=\"/contact.html\">联系我们</a></p>\n<p>主办单位：",
      Escape(s.org), " &nbsp; 承办单位：", Escape(s.org), "信息中心</p>\n<p>网站标识码：",
      s.site_id, " &nbsp; ", s.icp,
      "</p>\n<p><img src=\"/images/dzjg.png\" alt=\"党政机关\"> 版权所有：", Escape(s.name),
      "</p>\n</div>\n</body>\n</html>\n");
}

std::string Position(const Column* c) {
  std::string p = "<div class=\"position\">当前位置：<a href=\"/\">首页</a>";
  if (c != nullptr) {
    absl::StrAppend(&p, " &gt; <a href=\"", c->Path(), "\">", Escape(c->name), "</a>");
  }
  p += "</div>\n";
  return p;
}

std::string ItemHref(const Site& s, const Column& c, const Item& item, bool column_page) {
  const std::string path = c.ArticlePath(item);
  switch (c.href_style) {
    case Column::HrefStyle::kRelative:
      if (column_page) return absl::StrCat(".", path.substr(c.Path().size() - 1));
      return path;
    case Column::HrefStyle::kFullUrl:
      return absl::StrCat("http://", s.host, path);
    case Column::HrefStyle::kAbsolutePath:
      break;
  }
  return path;
}

std::string RenderList(const Site& s, const Column& c, const std::vector<int>& idx, ListTemplate t,
                       DateFormat f, bool column_page) {
  std::string out;
  switch (t) {
    case ListTemplate::kUlSpan:
      out = "<ul class=\"news_list\">\n";
      break;
    case ListTemplate::kTableDateFirst:
      out = "<table class=\"list_table\" width=\"100%\"><tbody>\n";
      break;
    case ListTemplate::kDivBracket:
      out = "<div class=\"news_list\">\n";
      break;
  }
  for (int k : idx) {
    const Item& item = c.items[k];
    const std::string href = ItemHref(s, c, item, column_page);
    const std::string title = Escape(item.title);
    const std::string date = FormatItemDate(item.time, f);
    switch (t) {
      case ListTemplate::kUlSpan:
        absl::StrAppend(&out, "<li><a href=\"", href, "\" target=\"_blank\" title=\"", title, "\">",
                        title, "</a><span>", date, "</span></li>\n");
        break;
      case ListTemplate::kTableDateFirst:
        absl::StrAppend(&out, "<tr><td class=\"date\" width=\"110\">", date,
                        "</td><td class=\"title\"><a href=\"", href, "\" target=\"_blank\">", title,
                        "</a></td></tr>\n");
        break;
      case ListTemplate::kDivBracket:
        absl::StrAppend(&out, "<div class=\"list_item\"><a href=\"", href, "\" target=\"_blank\">",
                        title, "</a><em class=\"date\">[", date, "]</em></div>\n");
        break;
    }
  }
  switch (t) {
    case ListTemplate::kUlSpan:
      out += "</ul>\n";
      break;
    case ListTemplate::kTableDateFirst:
      out += "</tbody></table>\n";
      break;
    case ListTemplate::kDivBracket:
      out += "</div>\n";
      break;
  }
  return out;
}

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// A mailbox (interaction column) list: one table row a letter.
std::string RenderMailbox(const Site& s, const Column& c, absl::CivilDay today) {
  const char* submitted = c.slug == "ldxx" ? "来信时间" : "提交时间";
  std::string out =
      absl::StrCat("<table class=\"mailbox_list\" width=\"100%\">\n<thead><tr><th>标题</th><th>",
                   submitted, "</th><th>状态</th><th>回复时间</th></tr></thead>\n<tbody>\n");
  for (const Item& letter : c.items) {
    absl::CivilDay replied;
    const bool answered = Answered(letter, today, &replied);
    absl::StrAppend(&out, "<tr><td class=\"title\"><a href=\"", ItemHref(s, c, letter, true),
                    "\" target=\"_blank\">", Escape(letter.title), "</a></td><td class=\"date\">",
                    Day(absl::CivilDay(letter.time)), "</td><td class=\"status\">",
                    answered ? "已回复" : "未回复", "</td><td class=\"date\">",
                    answered ? Day(replied) : "", "</td></tr>\n");
  }
  out += "</tbody>\n</table>\n";
  return out;
}

// Links hidden from readers three common ways (injected spam).
std::string HiddenLinks(const Site& s) {
  std::string out;
  for (const HiddenLink& l : s.hidden_links) {
    const std::string a =
        absl::StrCat("<a href=\"", l.url, "\" target=\"_blank\">", Escape(l.anchor), "</a>");
    if (l.how == "display:none") {
      absl::StrAppend(&out, "<div style=\"display:none\">", a, "</div>\n");
    } else if (l.how == "off-screen") {
      absl::StrAppend(&out, "<div style=\"position:absolute;left:-9999px;top:0\">", a, "</div>\n");
    } else {
      absl::StrAppend(&out, "<p style=\"font-size:0\">", a, "</p>\n");
    }
  }
  return out;
}

std::string BrokenBlock(const Site& s, int column, const char* heading) {
  std::string out;
  for (const BrokenLink& l : s.broken_links) {
    if (l.column != column) continue;
    absl::StrAppend(&out, "<li><a href=\"", l.href, "\" target=\"_blank\">", Escape(l.anchor),
                    "</a></li>\n");
  }
  if (out.empty()) return out;
  return absl::StrCat("<div class=\"related\"><h3>", heading, "</h3><ul>\n", out, "</ul></div>\n");
}

std::string RenderHome(const Site& s) {
  std::string h = Head(s, s.name, "");
  h += "<div class=\"main\">\n";
  if (s.navigation_only) {
    h += "<div class=\"column_entry\"><h2>栏目导航</h2><ul>\n";
    for (const Column& c : s.columns) {
      absl::StrAppend(&h, "<li><a href=\"", c.Path(), "\"><img src=\"/images/logo.png\" alt=\"",
                      Escape(c.name), "\"><span>", Escape(c.name), "</span></a></li>\n");
    }
    h += "</ul></div>\n";
  } else {
    for (const HomeBlock& b : s.home_blocks) {
      const Column& c = s.columns[b.column];
      absl::StrAppend(&h,
                      "<div class=\"list news_block\"><div class=\"block_title\"><h3><a href=\"",
                      c.Path(), "\">", Escape(c.name), "</a></h3><a class=\"more\" href=\"",
                      c.Path(), "\">更多&gt;&gt;</a></div>\n");
      h += RenderList(s, c, b.items, s.home_template, s.home_date_format, false);
      h += "</div>\n";
    }
  }
  h += "</div>\n<div class=\"links\"><h3>友情链接</h3><ul>\n"
       "<li><a href=\"http://www.gov.cn/\" target=\"_blank\">中国政府网</a></li>\n"
       "<li><a href=\"http://www.ccdi.gov.cn/\" target=\"_blank\">中央纪委国家监委网站</a></li>\n"
       "</ul></div>\n";
  h += HiddenLinks(s);
  h += BrokenBlock(s, -1, "专题链接");
  h += Footer(s);
  return h;
}

std::string RenderColumn(const Web& web, const Site& s, int ci) {
  const Column& c = s.columns[ci];
  std::string h =
      Head(s, absl::StrCat(c.name, "_", s.name),
           absl::StrCat("<meta name=\"ColumnName\" content=\"", Escape(c.name),
                        "\">\n<meta name=\"ColumnType\" content=\"", Escape(c.name), "\">\n"));
  h += Position(&c);
  absl::StrAppend(&h, "<div class=\"list_box\"><div class=\"list_title\"><h2>", Escape(c.name),
                  "</h2></div>\n");
  if (!c.intro.empty())
    absl::StrAppend(&h, "<div class=\"col_intro\"><p>", Escape(c.intro), "</p></div>\n");
  h += "<div class=\"list\">\n";
  if (c.category == Category::kInteraction && !c.items.empty()) {
    h += RenderMailbox(s, c, web.Today());
  } else if (c.items.empty()) {
    if (c.says_no_info) {
      h += "<p class=\"no-data\">暂无信息</p>\n";
    } else {
      h += RenderList(s, c, {}, c.list_template, c.date_format, true);
    }
  } else {
    std::vector<int> idx(c.items.size());
    for (size_t k = 0; k < idx.size(); ++k) idx[k] = static_cast<int>(k);
    h += RenderList(s, c, idx, c.list_template, c.date_format, true);
  }
  h += "</div></div>\n";
  h += BrokenBlock(s, ci, "相关链接");
  h += Footer(s);
  return h;
}

std::string RenderArticle(const Web& web, const Site& s, int ci, int k) {
  const Column& c = s.columns[ci];
  const Item& item = c.items[k];
  const std::string full = FormatItemDate(item.time, DateFormat::kDateTime);
  std::string h =
      Head(s, absl::StrCat(item.title, "_", s.name),
           absl::StrCat("<meta name=\"ColumnName\" content=\"", Escape(c.name),
                        "\">\n<meta name=\"ArticleTitle\" content=\"", Escape(item.title),
                        "\">\n<meta name=\"PubDate\" content=\"", full,
                        "\">\n<meta name=\"ContentSource\" content=\"", Escape(s.org), "\">\n"));
  h += Position(&c);
  const std::string published = c.date_format == DateFormat::kChinese
                                    ? "发布日期：" + FormatItemDate(item.time, DateFormat::kChinese)
                                    : "发布时间：" + full;
  absl::StrAppend(&h, "<div class=\"article\">\n<h1 class=\"article_title\">", Escape(item.title),
                  "</h1>\n<div class=\"info\"><span>", published, "</span> <span>来源：",
                  Escape(s.org), "</span></div>\n<div class=\"content\">\n");
  // Body text, deterministic from (seed, site, item).
  std::mt19937_64 g(web.options.seed * 0x9E3779B97F4A7C15ULL ^
                    (static_cast<uint64_t>(s.index) << 32) ^ static_cast<uint64_t>(item.id));
  const size_t want =
      web.options.article_bytes > 0 ? static_cast<size_t>(web.options.article_bytes) : 1800;
  std::string topic = c.name;
  std::string body;
  while (body.size() < want) {
    body += "<p>";
    const int sentences = 3 + static_cast<int>(g() % 4);
    for (int n = 0; n < sentences; ++n) {
      std::string sentence = kSentences[g() % std::size(kSentences)];
      const size_t pos = sentence.find("TOPIC");
      if (pos != std::string::npos) sentence.replace(pos, 5, topic);
      body += sentence;
    }
    body += "</p>\n";
  }
  // Revisions (--change-rate): one paragraph each, newest first, above the text.
  if (web.options.article_change_rate > 0) {
    std::string revisions;
    for (int d = 1; d <= web.options.day; ++d) {
      std::mt19937_64 draw(web.options.seed * 0xD1B54A32D192ED03ULL ^
                           (static_cast<uint64_t>(s.index) << 40) ^
                           (static_cast<uint64_t>(item.id) << 12) ^ static_cast<uint64_t>(d));
      if (static_cast<double>(draw() >> 11) * 0x1.0p-53 >= web.options.article_change_rate) {
        continue;
      }
      std::string paragraph =
          absl::StrCat("<p class=\"revised\">", Day(web.options.as_of + d), " 修订：");
      for (int n = 0; n < 2; ++n) {
        std::string sentence = kSentences[draw() % std::size(kSentences)];
        const size_t pos = sentence.find("TOPIC");
        if (pos != std::string::npos) sentence.replace(pos, 5, topic);
        paragraph += sentence;
      }
      revisions = paragraph + "</p>\n" + revisions;
    }
    h += revisions;
  }
  h += body;
  if (c.category == Category::kInteraction) {
    absl::CivilDay replied;
    if (Answered(item, web.Today(), &replied)) {
      absl::StrAppend(
          &h, "<div class=\"reply\"><h3>答复内容</h3><p>答复单位：", Escape(s.org),
          "</p><p>答复时间：", Day(replied),
          "</p><p>您好！您反映的问题已转交相关部门办理，感谢您的关注和支持。</p></div>\n");
    } else {
      h += "<div class=\"reply\"><h3>答复内容</h3><p>尚未答复</p></div>\n";
    }
  }
  h += "</div>\n</div>\n";
  h += Footer(s);
  return h;
}

std::string RenderSitemap(const Site& s) {
  std::string h = Head(s, absl::StrCat("网站地图_", s.name), "");
  h += Position(nullptr);
  h += "<div class=\"sitemap\"><h2>网站地图</h2><ul>\n";
  for (const Column& c : s.columns) {
    absl::StrAppend(&h, "<li><a href=\"", c.Path(), "\">", Escape(c.name), "</a></li>\n");
  }
  h += "</ul></div>\n";
  h += Footer(s);
  return h;
}

std::string RenderContact(const Site& s) {
  std::string h = Head(s, absl::StrCat("联系我们_", s.name), "");
  h += Position(nullptr);
  absl::StrAppend(&h, "<div class=\"contact\"><h2>联系我们</h2><p>主办单位：", Escape(s.org),
                  "</p><p>网站标识码：", s.site_id, "</p></div>\n");
  h += Footer(s);
  return h;
}

std::string RenderMissing(const Site& s, bool soft) {
  std::string h = Head(s, soft ? "页面不存在" : "404 页面未找到", "");
  h += "<div class=\"error\"><h2>";
  h += soft ? "页面不存在" : "404 页面未找到";
  h += "</h2><p>您访问的页面不存在或已被删除。</p><p><a href=\"/\">返回首页</a></p></div>\n";
  h += Footer(s);
  return h;
}

std::string RenderExternal(absl::string_view host) {
  const char* name = host == "www.gov.cn" ? "中国政府网" : "中央纪委国家监委网站";
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>", name,
      "</title>\n</head>\n<body>\n<h1>", name,
      "</h1>\n<p><a href=\"/\">首页</a></p>\n</body>\n</html>\n");
}

// Parses /col/<slug>/<yyyymm>/t<yyyymmdd>_<id>.html; returns false if malformed.
bool ParseArticlePath(absl::string_view path, std::string* slug, int* id) {
  if (!absl::ConsumePrefix(&path, "/col/")) return false;
  const size_t slash = path.find('/');
  if (slash == absl::string_view::npos) return false;
  *slug = std::string(path.substr(0, slash));
  path.remove_prefix(slash + 1);
  const size_t us = path.rfind('_');
  if (us == absl::string_view::npos || !absl::EndsWith(path, ".html")) return false;
  absl::string_view num = path.substr(us + 1, path.size() - us - 1 - 5);
  return absl::SimpleAtoi(num, id);
}

}  // namespace

SimWeb::SimWeb(Web web) : web_(std::move(web)) {
  probes_ = std::make_unique<std::atomic<int64_t>[]>(web_.sites.size());
  for (size_t i = 0; i < web_.sites.size(); ++i) {
    probes_[i].store(0);
    host_index_[web_.sites[i].host] = static_cast<int>(i);
  }
}

int64_t SimWeb::probes_seen(int site) const { return probes_[site].load(); }

std::string SimWeb::ToGbk(absl::string_view utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::string(utf8);
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* o = out.data();
  size_t out_left = out.size();
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &o, &out_left) == static_cast<size_t>(-1)) {
      if (errno == E2BIG) {
        const size_t used = out.size() - out_left;
        out.resize(out.size() * 2);
        o = out.data() + used;
        out_left = out.size() - used;
        continue;
      }
      // Invalid input: copy the byte through and go on.
      if (out_left == 0) break;
      *o++ = *in++;
      --out_left;
      --in_left;
    }
  }
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

SimWeb::Page SimWeb::Route(const Site* site, absl::string_view path,
                           absl::string_view query) const {
  Page p;
  if (site == nullptr) {  // external host
    p.body = RenderExternal("www.gov.cn");
    return p;
  }
  const Site& s = *site;
  if (s.family != Family::kClassic) {
    if (FamilyPage(web_, s, path, query, &p.status, &p.body, &p.content_type)) return p;
    const bool shared = path == "/robots.txt" || path == "/css/style.css" ||
                        path == "/images/logo.png" || path == "/images/dzjg.png";
    if (!shared) {
      p.status = 404;
      p.body = RenderMissing(s, /*soft=*/false);
      return p;
    }
  }
  if (path == "/" || path == "/index.html") {
    p.body = RenderHome(s);
    return p;
  }
  if (path == "/robots.txt") {
    p.body = "User-agent: *\nAllow: /\n";
    p.content_type = "text/plain";
    return p;
  }
  if (path == "/css/style.css") {
    p.body = kCss;
    p.content_type = "text/css";
    return p;
  }
  if (path == "/images/logo.png" || path == "/images/dzjg.png") {
    p.body.assign(reinterpret_cast<const char*>(kPng), sizeof(kPng));
    p.content_type = "image/png";
    return p;
  }
  if (path == "/sitemap.html") {
    p.body = RenderSitemap(s);
    return p;
  }
  if (path == "/contact.html") {
    p.body = RenderContact(s);
    return p;
  }
  if (s.scenario == Scenario::kBrokenLinks) {
    if (path == "/zwgk/moved.html") {
      p.body = RenderMissing(s, /*soft=*/true);
      return p;
    }
    if (path == "/cgi-bin/report.jsp") {
      p.status = 500;
      p.body = "<html><body><h1>500 Internal Server Error</h1></body></html>\n";
      return p;
    }
    if (path == "/video/live.html") {
      p.delay = web_.options.hang_delay;
      p.body = RenderMissing(s, /*soft=*/true);
      return p;
    }
    if (path == "/loop-a" || path == "/loop-b") {
      p.status = 302;
      p.location = path == "/loop-a" ? "/loop-b" : "/loop-a";
      p.body = "<html><body>Found</body></html>\n";
      return p;
    }
  }
  if (absl::StartsWith(path, "/col/")) {
    for (size_t ci = 0; ci < s.columns.size(); ++ci) {
      const Column& c = s.columns[ci];
      const std::string base = c.Path();
      if (path == base || path == base + "index.html") {
        p.body = RenderColumn(web_, s, static_cast<int>(ci));
        p.delay = c.delay;
        return p;
      }
      if (path == absl::string_view(base).substr(0, base.size() - 1)) {
        p.status = 301;
        p.location = base;
        return p;
      }
    }
    std::string slug;
    int id = 0;
    if (ParseArticlePath(path, &slug, &id)) {
      const int ci = id / 100000 - 1;
      if (ci >= 0 && ci < static_cast<int>(s.columns.size()) && s.columns[ci].slug == slug) {
        const std::vector<Item>& items = s.columns[ci].items;
        for (size_t k = 0; k < items.size(); ++k) {
          if (items[k].id != id) continue;
          if (s.columns[ci].ArticlePath(items[k]) == path) {
            p.body = RenderArticle(web_, s, ci, static_cast<int>(k));
            return p;
          }
          break;
        }
      }
    }
  }
  p.status = 404;
  p.body = RenderMissing(s, /*soft=*/false);
  return p;
}

HttpResponse SimWeb::Finish(const Site* site, Page page) const {
  HttpResponse r;
  r.status = page.status;
  r.delay = page.delay;
  if (!page.location.empty()) r.headers.emplace_back("Location", page.location);
  if (!page.content_type.empty()) {
    r.content_type = page.content_type;
    r.body = std::move(page.body);
    return r;
  }
  if (site == nullptr || !site->gbk) {
    r.content_type = "text/html; charset=utf-8";
    r.body = std::move(page.body);
    return r;
  }
  r.content_type = site->charset_in_header ? "text/html; charset=gbk" : "text/html";
  r.body = ToGbk(page.body);
  return r;
}

HttpResponse SimWeb::Handle(const HttpRequest& req) {
  absl::string_view path = req.target;
  if (absl::StartsWith(path, "http://")) {  // absolute-form target
    path.remove_prefix(7);
    const size_t slash = path.find('/');
    path = slash == absl::string_view::npos ? absl::string_view("/") : path.substr(slash);
  }
  absl::string_view query;
  const size_t q = path.find_first_of("?#");
  if (q != absl::string_view::npos) {
    if (path[q] == '?') query = path.substr(q + 1, path.find('#', q) - q - 1);
    path = path.substr(0, q);
  }
  if (path.empty()) path = "/";

  const bool external =
      std::find(ExternalHosts().begin(), ExternalHosts().end(), req.host) != ExternalHosts().end();
  const bool spam =
      std::find(SpamHosts().begin(), SpamHosts().end(), req.host) != SpamHosts().end();
  auto it = host_index_.find(req.host);
  if (it == host_index_.end() && !external && !spam) {
    HttpResponse r;
    r.status = 404;
    r.body = "<html><body><h1>404 Not Found</h1><p>unknown host</p></body></html>\n";
    return r;
  }
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse r;
    r.status = 405;
    r.headers.emplace_back("Allow", "GET, HEAD");
    r.body = "method not allowed\n";
    return r;
  }
  if (external) {
    Page p;
    p.body = RenderExternal(req.host);
    return Finish(nullptr, std::move(p));
  }
  if (spam) {  // every path answers, so the hidden links check as live
    Page p;
    p.body = kSpamPage;
    return Finish(nullptr, std::move(p));
  }

  const int index = it->second;
  const Site& s = web_.sites[index];
  if (s.scenario == Scenario::kUnreachable) {
    HttpResponse r;
    r.status = 503;
    r.body = "<html><body><h1>503 Service Unavailable</h1></body></html>\n";
    return r;
  }
  absl::Duration probe_delay = absl::ZeroDuration();
  if (path == "/") {
    auto cc = req.headers.find("cache-control");
    if (cc != req.headers.end() &&
        absl::StrContains(absl::AsciiStrToLower(cc->second), "no-cache")) {
      const int64_t n = probes_[index].fetch_add(1);
      if ((s.scenario == Scenario::kFlakyHigh && n % 4 == 0) ||
          (s.scenario == Scenario::kFlakyLow && n == 0)) {
        probe_delay = web_.options.probe_fail_delay;
      }
    }
  }
  HttpResponse r = Finish(&s, Route(&s, path, query));
  r.delay += probe_delay;
  return r;
}

absl::Status SimWeb::WritePages(const std::string& dir) const {
  namespace fs = std::filesystem;
  auto write = [&dir](const std::string& host, const std::string& path,
                      const std::string& bytes) -> absl::Status {
    std::string rel = path;
    if (rel.empty() || rel.back() == '/') rel += "index.html";
    const fs::path file = fs::path(dir) / host / rel.substr(1);
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec)
      return absl::InternalError(
          absl::StrCat("mkdir ", file.parent_path().string(), ": ", ec.message()));
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", file.string()));
    return absl::OkStatus();
  };
  for (const std::string& host : ExternalHosts()) {
    absl::Status st = write(host, "/", RenderExternal(host));
    if (!st.ok()) return st;
  }
  for (const Site& s : web_.sites) {
    for (const HiddenLink& l : s.hidden_links) {
      const std::string rest = l.url.substr(7);
      const size_t slash = rest.find('/');
      absl::Status st = write(rest.substr(0, slash), rest.substr(slash), kSpamPage);
      if (!st.ok()) return st;
    }
  }
  for (const Site& s : web_.sites) {
    std::vector<std::string> paths = {"/",
                                      "/robots.txt",
                                      "/css/style.css",
                                      "/images/logo.png",
                                      "/images/dzjg.png",
                                      "/sitemap.html",
                                      "/contact.html"};
    if (s.scenario == Scenario::kBrokenLinks) paths.push_back("/zwgk/moved.html");
    for (const Column& c : s.columns) {
      paths.push_back(c.Path());
      for (const Item& item : c.items) paths.push_back(c.ArticlePath(item));
    }
    for (const std::string& path : paths) {
      HttpResponse r = Finish(&s, Route(&s, path));
      absl::Status st = write(s.host, path, r.body);
      if (!st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

}  // namespace census::simweb
