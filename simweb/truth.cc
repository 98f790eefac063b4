#include "simweb/truth.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace census::simweb {
namespace {

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

// `months` calendar months before d, the day clamped to the target month's length (the
// rubric's windows: 2026-08-31 minus 6 months is 2026-02-28).
absl::CivilDay MinusMonths(absl::CivilDay d, int months) {
  const absl::CivilMonth month = absl::CivilMonth(d) - months;
  const absl::CivilDay first(month);
  const int length = static_cast<int>(absl::CivilDay(month + 1) - first);
  return first + (std::min(d.day(), length) - 1);
}

// Items dated within the last `days` days (as_of - days .. as_of).
bool WithinDays(absl::CivilDay day, absl::CivilDay as_of, int days) {
  return day >= as_of - days && day <= as_of;
}

// Rounds to `decimals` places (scores 1, deduction points 2).
double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
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
      return newest < as_of - gov2019::kNewsStaleDays;
    case Category::kNotice:
    case Category::kPolicy:
      return newest < MinusMonths(as_of, gov2019::kNoticePolicyStaleMonths);
    case Category::kPersonnel:
    case Category::kPlan:
      return newest < MinusMonths(as_of, gov2019::kPersonnelPlanStaleMonths);
    default:
      return false;
  }
}

bool IsLongUnupdated(Category c, absl::CivilDay newest, absl::CivilDay as_of) {
  switch (c) {
    case Category::kNews:
    case Category::kNotice:
    case Category::kPolicy:
    case Category::kPersonnel:
    case Category::kPlan:
      return newest < MinusMonths(as_of, gov2019::kLongUnupdatedMonths);
    default:
      return false;
  }
}

double StaleColumnPoints(Category c) {
  switch (c) {
    case Category::kNews:
      return gov2019::kNewsPoints;
    case Category::kNotice:
    case Category::kPolicy:
      return gov2019::kNoticePolicyPoints;
    case Category::kPersonnel:
    case Category::kPlan:
      return gov2019::kPersonnelPlanPoints;
    default:
      return 0;
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
  // Every probe failed: unreachable, score 0, nothing else judged.
  if (n > 0 && t.failures == n) {
    t.verdict = "unreachable";
    t.vetoes = {"site_unreachable"};
    return t;
  }
  const double failed_ratio = n > 0 ? static_cast<double>(t.failures) / n : 0.0;
  const bool site_unreachable = n > 0 && failed_ratio >= gov2019::kUnreachableRatio;
  t.navigation_only = site.navigation_only;

  int stale = 0;
  int blank = 0;
  int long_unupdated = 0;
  int not_updated = 0;  // stale or long-unupdated (the early warning)
  double stale_points = 0;
  bool have_newest = false;
  absl::CivilDay newest_any;
  int second_level_in_window = 0;  // column items within the homepage window
  for (const Column& c : site.columns) {
    ColumnTruth ct;
    ct.name = c.name;
    ct.url = absl::StrCat("http://", site.host, c.Path());
    ct.category = CategoryName(c.category);
    ct.items = static_cast<int>(c.items.size());
    ct.kind = c.kind == Column::Kind::kStatic        ? "static"
              : c.category == Category::kInteraction ? "mailbox"
                                                     : "list";
    ct.found_via = c.found_via;
    ct.parent = c.parent;
    // A static page (机构概况) has content and no list: never blank, never stale.
    ct.blank = c.items.empty() && c.kind == Column::Kind::kList;
    if (!c.items.empty()) {
      const absl::CivilDay newest(c.items.front().time);
      ct.last_update = Day(newest);
      ct.stale = IsStale(c.category, newest, as_of);
      ct.long_unupdated = IsLongUnupdated(c.category, newest, as_of);
      if (!have_newest || newest > newest_any) newest_any = newest;
      have_newest = true;
    }
    for (const Item& item : c.items) {
      if (WithinDays(absl::CivilDay(item.time), as_of, gov2019::kVolumeDays)) {
        ++second_level_in_window;
      }
    }
    stale += ct.stale ? 1 : 0;
    blank += ct.blank ? 1 : 0;
    long_unupdated += ct.long_unupdated ? 1 : 0;
    not_updated += ct.stale || ct.long_unupdated ? 1 : 0;
    if (ct.stale) stale_points += StaleColumnPoints(c.category);
    t.columns.push_back(std::move(ct));
  }

  // The homepage: its dated items (a navigation-only homepage: its column pages').
  bool have_home = false;
  absl::CivilDay home_newest;
  if (site.navigation_only) {
    have_home = have_newest;
    home_newest = newest_any;
    t.homepage_updates_in_window = second_level_in_window;
  } else {
    for (const HomeBlock& b : site.home_blocks) {
      for (int k : b.items) {
        const absl::CivilDay d(site.columns[b.column].items[k].time);
        if (!have_home || d > home_newest) home_newest = d;
        have_home = true;
        if (WithinDays(d, as_of, gov2019::kVolumeDays)) ++t.homepage_updates_in_window;
      }
    }
  }
  if (have_home) t.homepage_last_update = Day(home_newest);
  const bool homepage_stale = !have_home || home_newest < as_of - gov2019::kHomepageStaleDays;

  int home_links = 0;
  int other_links = 0;
  int attachments = 0;
  int systems = 0;
  for (const BrokenLink& l : site.broken_links) {
    BrokenLinkTruth b;
    b.url = l.url;
    b.on_homepage = l.column < 0;
    b.found_on = b.on_homepage ? site.Url()
                               : absl::StrCat("http://", site.host, site.columns[l.column].Path());
    b.error = l.error;
    b.status = l.status;
    b.attachment = l.kind == BrokenLink::Kind::kAttachment;
    b.online_system = l.kind == BrokenLink::Kind::kOnlineSystem;
    // An attachment or an online system is scored as that, not as a broken link.
    if (b.attachment) {
      ++attachments;
    } else if (b.online_system) {
      ++systems;
    } else if (b.on_homepage) {
      ++home_links;
    } else {
      ++other_links;
    }
    t.broken_links.push_back(std::move(b));
  }

  // Interaction: every letter of the interaction (mailbox) columns (all of them are
  // consultation mailboxes: 领导信箱, 在线咨询).
  const absl::CivilDay year_ago = MinusMonths(as_of, gov2019::kUnansweredLookbackMonths);
  for (const Column& c : site.columns) {
    if (c.category != Category::kInteraction) continue;
    for (const Item& letter : c.items) {
      ++t.interaction.messages;
      const absl::CivilDay submitted(letter.time);
      const bool recent = submitted >= year_ago && submitted <= as_of;
      absl::CivilDay replied;
      if (Answered(letter, as_of, &replied)) {
        ++t.interaction.answered;
        // Answered, but more than 3 months after it came in.
        if (recent && submitted < MinusMonths(replied, gov2019::kUnansweredMonths)) {
          ++t.interaction.unanswered_over_3_months;
        }
        if (recent && replied - submitted > gov2019::kSlowReplyDays) ++t.interaction.slow_replies;
        continue;
      }
      if (recent && submitted < MinusMonths(as_of, gov2019::kUnansweredMonths)) {
        ++t.interaction.unanswered_over_3_months;
      }
    }
  }

  // Content findings.
  for (const PlantedTerm& p : site.planted_terms) {
    ContentTruth ct;
    ct.kind = p.kind;
    ct.url = !p.path.empty() ? absl::StrCat("http://", site.host, p.path)
             : p.column < 0  ? site.Url()
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

  // Vetoes.
  if (site_unreachable) t.vetoes.push_back("site_unreachable");
  if (homepage_stale) t.vetoes.push_back("homepage_stale");
  if (stale >= gov2019::kColumnsStale) t.vetoes.push_back("columns_stale");
  if (long_unupdated >= gov2019::kLongUnupdated) t.vetoes.push_back("long_unupdated");
  if (blank >= gov2019::kBlankColumns) t.vetoes.push_back("blank_columns");
  if (t.interaction.unanswered_over_3_months > 0) t.vetoes.push_back("interaction_unanswered");
  if (!t.content.empty()) t.vetoes.push_back("serious_error");
  std::sort(t.vetoes.begin(), t.vetoes.end());

  // Deductions (RUBRIC.md §C, the 2015 points gov-2019 keeps), scored for failing sites
  // too; each rule's sum capped.
  auto deduct = [&t](const char* rule, double points, double cap) {
    if (points > 0) t.deductions.push_back({rule, std::min(points, cap)});
  };
  // 5 per 1% of failed probes, below the site_unreachable veto line (at it, the veto).
  if (!site_unreachable) {
    deduct("homepage_availability", failed_ratio * 100 * gov2019::kAvailabilityPoints,
           gov2019::kAvailabilityCap);
  }
  deduct("broken_links_homepage", home_links * gov2019::kHomeLinkPoints, gov2019::kHomeLinkCap);
  deduct("broken_links_other", other_links * gov2019::kOtherLinkPoints, gov2019::kOtherLinkCap);
  deduct("attachments_unavailable", attachments * gov2019::kAttachmentPoints,
         gov2019::kAttachmentCap);
  deduct("online_systems_unavailable", systems * gov2019::kOnlineSystemPoints,
         gov2019::kOnlineSystemCap);
  // Once, when fewer than 10 homepage items within 14 days (also beside the homepage_stale
  // veto: docs/REPORT.md scores failing sites too).
  if (t.homepage_updates_in_window < gov2019::kVolumeThreshold) {
    deduct("homepage_update_volume", gov2019::kVolumePoints, gov2019::kVolumePoints);
  }
  deduct("columns_not_updated", stale_points, gov2019::kColumnsNotUpdatedCap);
  deduct("interaction_slow_replies", t.interaction.slow_replies * gov2019::kSlowReplyPoints,
         gov2019::kSlowReplyCap);
  double total = 0;
  for (const DeductionTruth& d : t.deductions) total += d.points;
  t.score = std::max(0.0, Round(100 - total, 1));

  // Early warnings: the measure above the threshold, before the matching veto's line.
  auto vetoed = [&t](const char* rule) {
    return std::find(t.vetoes.begin(), t.vetoes.end(), rule) != t.vetoes.end();
  };
  if (failed_ratio > gov2019::kWarnUnreachableRatio && !vetoed("site_unreachable")) {
    t.early_warnings.push_back("unreachable_ratio");
  }
  if (have_home && as_of - home_newest > gov2019::kWarnHomepageDays && !vetoed("homepage_stale")) {
    t.early_warnings.push_back("homepage_not_updated");
  }
  if (blank > gov2019::kWarnBlankColumns && !vetoed("blank_columns")) {
    t.early_warnings.push_back("blank_columns");
  }
  if (not_updated > gov2019::kWarnColumnsNotUpdated) {
    t.early_warnings.push_back("columns_not_updated");
  }

  t.verdict = t.vetoes.empty() && t.score >= gov2019::kFailBelow ? "pass" : "fail";
  return t;
}

std::vector<std::string> ConnectTo(const Web& web, int port, int dead_port) {
  std::vector<std::string> out;
  for (const Site& s : web.sites) out.push_back(absl::StrCat(s.host, ":80:127.0.0.1:", port));
  for (const std::string& h : ExternalHosts()) {
    out.push_back(absl::StrCat(h, ":80:127.0.0.1:", port));
  }
  // No site of the classic web serves https: its port 443 is a closed one (the census's
  // HTTPS check gets a refused connection and never looks the name up).
  for (const Site& s : web.sites) out.push_back(absl::StrCat(s.host, ":443:127.0.0.1:", dead_port));
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
                    ",\"template\":", Json(FamilyName(s.family)),
                    ",\"held_out\":", Bool(FamilyHeldOut(s.family)),
                    ",\"scenario\":", Json(ScenarioName(s.scenario)),
                    ",\"charset\":", Json(s.gbk ? "gbk" : "utf-8"),
                    ",\"verdict\":", Json(t.verdict), ",\"vetoes\":[");
    for (size_t v = 0; v < t.vetoes.size(); ++v) {
      absl::StrAppend(&j, v > 0 ? "," : "", Json(t.vetoes[v]));
    }
    absl::StrAppend(&j, "],\"reachability\":{\"probes\":", t.probes, ",\"failures\":", t.failures,
                    "},\"homepage\":{\"last_update\":", Json(t.homepage_last_update),
                    ",\"navigation_only\":", Bool(t.navigation_only),
                    ",\"updates_in_window\":", t.homepage_updates_in_window, "},\"columns\":[");
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const ColumnTruth& ct = t.columns[c];
      absl::StrAppend(&j, c > 0 ? "," : "", "\n  {\"name\":", Json(ct.name),
                      ",\"url\":", Json(ct.url), ",\"category\":", Json(ct.category),
                      ",\"items\":", ct.items, ",\"last_update\":", Json(ct.last_update),
                      ",\"stale\":", Bool(ct.stale), ",\"blank\":", Bool(ct.blank),
                      ",\"long_unupdated\":", Bool(ct.long_unupdated), ",\"kind\":", Json(ct.kind),
                      ",\"found_via\":", Json(ct.found_via), ",\"parent\":", Json(ct.parent), "}");
    }
    j += "],\"broken_links\":[";
    for (size_t b = 0; b < t.broken_links.size(); ++b) {
      const BrokenLinkTruth& bt = t.broken_links[b];
      absl::StrAppend(&j, b > 0 ? "," : "", "\n  {\"url\":", Json(bt.url),
                      ",\"found_on\":", Json(bt.found_on),
                      ",\"on_homepage\":", Bool(bt.on_homepage), ",\"error\":", Json(bt.error),
                      ",\"status\":", bt.status, ",\"attachment\":", Bool(bt.attachment),
                      ",\"online_system\":", Bool(bt.online_system), "}");
    }
    absl::StrAppend(&j, "],\"interaction\":{\"messages\":", t.interaction.messages,
                    ",\"answered\":", t.interaction.answered,
                    ",\"unanswered_over_3_months\":", t.interaction.unanswered_over_3_months,
                    ",\"slow_replies\":", t.interaction.slow_replies, "},\"content\":[");
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
    j += "],\"deductions\":[";
    for (size_t d = 0; d < t.deductions.size(); ++d) {
      absl::StrAppend(&j, d > 0 ? "," : "", "{\"rule\":", Json(t.deductions[d].rule),
                      ",\"points\":", absl::StrFormat("%.2f", Round(t.deductions[d].points, 2)),
                      "}");
    }
    j += "],\"early_warnings\":[";
    for (size_t w = 0; w < t.early_warnings.size(); ++w) {
      absl::StrAppend(&j, w > 0 ? "," : "", Json(t.early_warnings[w]));
    }
    absl::StrAppend(&j, "],\"score\":", absl::StrFormat("%.1f", t.score), "}");
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
