#include "simweb/truth.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace census::simweb {
namespace {

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

absl::CivilDay MinusMonths(absl::CivilDay d, int months) {
  return absl::CivilDay(d.year(), d.month() - months, d.day());
}

std::string Json(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

const char* Bool(bool b) { return b ? "true" : "false"; }

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

absl::Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

}  // namespace

bool IsStale(Category c, absl::CivilDay newest, absl::CivilDay as_of) {
  switch (c) {
    case Category::kNews:
      return as_of - newest > kNewsStaleDays;
    case Category::kNotice:
    case Category::kPolicy:
      return newest < MinusMonths(as_of, kNoticePolicyStaleMonths);
    case Category::kPersonnel:
    case Category::kPlan:
      return newest < MinusMonths(as_of, kPersonnelPlanStaleMonths);
    default:
      return false;
  }
}

SiteTruth ComputeSiteTruth(const Web& web, const Site& site) {
  SiteTruth t;
  const absl::CivilDay as_of = web.Today();
  const int n = web.options.probes;
  t.probes = n;
  switch (site.scenario) {
    case Scenario::kUnreachable:
      t.failures = n;
      break;
    case Scenario::kFlakyHigh:
      t.failures = (n + 3) / 4;
      break;
    case Scenario::kFlakyLow:
      t.failures = std::min(n, 1);
      break;
    default:
      t.failures = 0;
  }
  const bool site_unreachable = n > 0 && t.failures * 100 >= 5 * n;
  if (n > 0 && t.failures == n) {
    t.verdict = "unreachable";
    t.vetoes = {"site_unreachable"};
    return t;
  }
  t.navigation_only = site.navigation_only;

  int stale = 0;
  int blank = 0;
  bool have_newest = false;
  absl::CivilDay newest_any;
  for (const Column& c : site.columns) {
    ColumnTruth ct;
    ct.name = c.name;
    ct.url = absl::StrCat("http://", site.host, c.Path());
    ct.category = CategoryName(c.category);
    ct.items = static_cast<int>(c.items.size());
    ct.blank = c.items.empty();
    if (!ct.blank) {
      const absl::CivilDay newest(c.items.front().time);
      ct.last_update = Day(newest);
      ct.stale = IsStale(c.category, newest, as_of);
      if (!have_newest || newest > newest_any) newest_any = newest;
      have_newest = true;
    }
    stale += ct.stale ? 1 : 0;
    blank += ct.blank ? 1 : 0;
    t.columns.push_back(std::move(ct));
  }

  bool have_home = false;
  absl::CivilDay home_newest;
  if (site.navigation_only) {
    have_home = have_newest;
    home_newest = newest_any;
  } else {
    for (const HomeBlock& b : site.home_blocks) {
      for (int k : b.items) {
        const absl::CivilDay d(site.columns[b.column].items[k].time);
        if (!have_home || d > home_newest) home_newest = d;
        have_home = true;
      }
    }
  }
  if (have_home) t.homepage_last_update = Day(home_newest);
  const bool homepage_stale = !have_home || as_of - home_newest > kHomepageStaleDays;

  for (const BrokenLink& l : site.broken_links) {
    BrokenLinkTruth b;
    b.url = l.url;
    b.on_homepage = l.column < 0;
    b.found_on = b.on_homepage ? site.Url()
                               : absl::StrCat("http://", site.host, site.columns[l.column].Path());
    b.error = l.error;
    b.status = l.status;
    t.broken_links.push_back(std::move(b));
  }

  // Interaction: every letter of the interaction (mailbox) columns.
  const absl::CivilDay year_ago = MinusMonths(as_of, 12);
  const absl::CivilDay three_months_ago = MinusMonths(as_of, 3);
  for (const Column& c : site.columns) {
    if (c.category != Category::kInteraction) continue;
    for (const Item& letter : c.items) {
      ++t.interaction.messages;
      if (Answered(letter, as_of)) {
        ++t.interaction.answered;
        continue;
      }
      const absl::CivilDay submitted(letter.time);
      if (submitted >= year_ago && submitted < three_months_ago) {
        ++t.interaction.unanswered_over_3_months;
      }
    }
  }

  // Content findings.
  for (const PlantedTerm& p : site.planted_terms) {
    ContentTruth ct;
    ct.kind = p.kind;
    ct.url = p.column < 0 ? site.Url()
                          : absl::StrCat("http://", site.host, site.columns[p.column].Path());
    ct.term = p.term;
    ct.correction = p.correction;
    t.content.push_back(std::move(ct));
  }
  for (const HiddenLink& l : site.hidden_links) {
    ContentTruth ct;
    ct.kind = "hidden_link";
    ct.url = site.Url();
    ct.target = l.url;
    ct.how = l.how;
    t.content.push_back(std::move(ct));
  }
  if (site.has_forged_date && web.options.day >= 1) {
    const Column& c = site.columns[site.forged_date.column];
    for (const Item& item : c.items) {
      if (item.id != site.forged_date.item_id) continue;
      ContentTruth ct;
      ct.kind = "forged_date";
      ct.url = absl::StrCat("http://", site.host, c.ArticlePath(item));
      ct.found_on = absl::StrCat("http://", site.host, c.Path());
      ct.date_before = Day(absl::CivilDay(site.forged_date.before));
      ct.date_after = Day(absl::CivilDay(site.forged_date.after));
      t.content.push_back(std::move(ct));
    }
  }

  if (site_unreachable) t.vetoes.push_back("site_unreachable");
  if (homepage_stale) t.vetoes.push_back("homepage_stale");
  if (stale >= 5) t.vetoes.push_back("columns_stale");
  if (blank >= 5) t.vetoes.push_back("blank_columns");
  if (t.interaction.unanswered_over_3_months > 0) t.vetoes.push_back("interaction_unanswered");
  if (!t.content.empty()) t.vetoes.push_back("serious_error");
  std::sort(t.vetoes.begin(), t.vetoes.end());
  t.verdict = t.vetoes.empty() ? "pass" : "fail";
  return t;
}

std::vector<std::string> ConnectTo(const Web& web, int port, int dead_port) {
  std::vector<std::string> out;
  for (const Site& s : web.sites) out.push_back(absl::StrCat(s.host, ":80:127.0.0.1:", port));
  for (const std::string& h : ExternalHosts()) {
    out.push_back(absl::StrCat(h, ":80:127.0.0.1:", port));
  }
  for (const Site& s : web.sites) {
    for (const BrokenLink& l : s.broken_links) {
      if (l.error != "connect") continue;
      std::string host = l.url.substr(7);
      host = host.substr(0, host.find('/'));
      out.push_back(absl::StrCat(host, ":80:127.0.0.1:", dead_port));
    }
  }
  bool hidden = false;
  for (const Site& s : web.sites) hidden = hidden || !s.hidden_links.empty();
  if (hidden) {
    for (const std::string& h : SpamHosts()) out.push_back(absl::StrCat(h, ":80:127.0.0.1:", port));
  }
  return out;
}

std::string TruthJson(const Web& web, const std::vector<std::string>& connect_to) {
  std::string j = absl::StrCat("{\"seed\":", web.options.seed,
                               ",\"as_of\":", Json(Day(web.Today())), ",\"day\":", web.options.day,
                               ",\"probes\":", web.options.probes, ",\"sites\":[");
  for (size_t i = 0; i < web.sites.size(); ++i) {
    const Site& s = web.sites[i];
    const SiteTruth t = ComputeSiteTruth(web, s);
    if (i > 0) j += ",";
    absl::StrAppend(&j, "\n{\"site_id\":", Json(s.site_id), ",\"name\":", Json(s.name),
                    ",\"url\":", Json(s.Url()), ",\"host\":", Json(s.host),
                    ",\"scenario\":", Json(ScenarioName(s.scenario)),
                    ",\"charset\":", Json(s.gbk ? "gbk" : "utf-8"),
                    ",\"verdict\":", Json(t.verdict), ",\"vetoes\":[");
    for (size_t v = 0; v < t.vetoes.size(); ++v) {
      absl::StrAppend(&j, v > 0 ? "," : "", Json(t.vetoes[v]));
    }
    absl::StrAppend(&j, "],\"reachability\":{\"probes\":", t.probes, ",\"failures\":", t.failures,
                    "},\"homepage\":{\"last_update\":", Json(t.homepage_last_update),
                    ",\"navigation_only\":", Bool(t.navigation_only), "},\"columns\":[");
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const ColumnTruth& ct = t.columns[c];
      absl::StrAppend(&j, c > 0 ? "," : "", "\n  {\"name\":", Json(ct.name),
                      ",\"url\":", Json(ct.url), ",\"category\":", Json(ct.category),
                      ",\"items\":", ct.items, ",\"last_update\":", Json(ct.last_update),
                      ",\"stale\":", Bool(ct.stale), ",\"blank\":", Bool(ct.blank), "}");
    }
    j += "],\"broken_links\":[";
    for (size_t b = 0; b < t.broken_links.size(); ++b) {
      const BrokenLinkTruth& bt = t.broken_links[b];
      absl::StrAppend(&j, b > 0 ? "," : "", "\n  {\"url\":", Json(bt.url),
                      ",\"found_on\":", Json(bt.found_on),
                      ",\"on_homepage\":", Bool(bt.on_homepage), ",\"error\":", Json(bt.error),
                      ",\"status\":", bt.status, "}");
    }
    absl::StrAppend(&j, "],\"interaction\":{\"messages\":", t.interaction.messages,
                    ",\"answered\":", t.interaction.answered,
                    ",\"unanswered_over_3_months\":", t.interaction.unanswered_over_3_months,
                    "},\"content\":[");
    for (size_t c = 0; c < t.content.size(); ++c) {
      const ContentTruth& ct = t.content[c];
      absl::StrAppend(&j, c > 0 ? "," : "", "\n  {\"kind\":", Json(ct.kind),
                      ",\"url\":", Json(ct.url));
      const std::pair<const char*, const std::string*> optional[] = {
          {"found_on", &ct.found_on},     {"target", &ct.target}, {"term", &ct.term},
          {"correction", &ct.correction}, {"how", &ct.how},       {"date_before", &ct.date_before},
          {"date_after", &ct.date_after}};
      for (const auto& [name, value] : optional) {
        if (!value->empty()) absl::StrAppend(&j, ",\"", name, "\":", Json(*value));
      }
      j += "}";
    }
    j += "]}";
  }
  j += "\n],\"connect_to\":[";
  for (size_t c = 0; c < connect_to.size(); ++c) {
    absl::StrAppend(&j, c > 0 ? "," : "", Json(connect_to[c]));
  }
  j += "]}\n";
  return j;
}

std::string SitesCsv(const Web& web) {
  std::string out = "site_id,name,url,org,region,level,kind\n";
  for (const Site& s : web.sites) {
    absl::StrAppend(&out, Csv(s.site_id), ",", Csv(s.name), ",", Csv(s.Url()), ",", Csv(s.org), ",",
                    Csv(s.region), ",", Csv(s.level), ",", Csv(s.kind), "\n");
  }
  return out;
}

std::string ColumnsCsv(const Web& web) {
  std::string out = "site_id,name,url,category\n";
  for (const Site& s : web.sites) {
    if (s.scenario == Scenario::kUnreachable) continue;
    for (const Column& c : s.columns) {
      absl::StrAppend(&out, Csv(s.site_id), ",", Csv(c.name), ",",
                      Csv(absl::StrCat("http://", s.host, c.Path())), ",", CategoryName(c.category),
                      "\n");
    }
  }
  return out;
}

absl::Status WriteTruthFiles(const Web& web, const std::vector<std::string>& connect_to,
                             const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  absl::Status st = WriteFile(fs::path(dir) / "truth.json", TruthJson(web, connect_to));
  if (!st.ok()) return st;
  st = WriteFile(fs::path(dir) / "sites.csv", SitesCsv(web));
  if (!st.ok()) return st;
  return WriteFile(fs::path(dir) / "columns.csv", ColumnsCsv(web));
}

}  // namespace census::simweb
