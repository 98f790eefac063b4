// report.json's printer (aggregator/internal/json_printer.h) against what it replaces,
// google::protobuf::util::MessageToJsonString with the report's options: byte for byte,
// on hand-built reports, on every code point, on invalid UTF-8, on numbers at their
// extremes, on thousands of random messages of every report type and on a test proto
// with every field kind the report protos do not use (yet).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "aggregator/aggregator.h"
#include "aggregator/internal/json_printer.h"
#include "aggregator/internal/report_parts.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "proto/report.pb.h"

namespace census {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::DynamicMessageFactory;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptorProto;
using google::protobuf::Message;
using google::protobuf::Reflection;

// ------------------------------------------------------------------------ helpers

// The contract: what protobuf prints (indented, or on one line).
absl::StatusOr<std::string> ProtobufJson(const Message& message, bool add_whitespace = true) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.add_whitespace = add_whitespace;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return absl::InternalError(status.ToString());
  return json;
}

// The contract of a line (report.jsonl, report.json's sites): protobuf without whitespace.
absl::StatusOr<std::string> ProtobufJsonLine(const Message& message) {
  return ProtobufJson(message, /*add_whitespace=*/false);
}

// `json` as it stands nested `indent` levels deep (report_parts::AppendMessageJson).
std::string Nested(std::string json, int indent) {
  if (!json.empty() && json.back() == '\n') json.pop_back();
  return absl::StrReplaceAll(json, {{"\n", "\n" + std::string(indent, ' ')}});
}

// Equal, or where the two first differ (the whole of a long report is no help).
testing::AssertionResult SameBytes(const std::string& got, const std::string& want) {
  if (got == want) return testing::AssertionSuccess();
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  const size_t from = i < 60 ? 0 : i - 60;
  return testing::AssertionFailure()
         << "first difference at byte " << i << " of " << got.size()
         << " (protobuf: " << want.size() << ")\n  printer:  [" << got.substr(from, 120)
         << "]\n  protobuf: [" << want.substr(from, 120) << "]";
}

// The printer's output for `message`, whole and nested `indent` deep, is protobuf's.
testing::AssertionResult SameAsProtobuf(const Message& message, int indent = 3) {
  absl::StatusOr<std::string> want = ProtobufJson(message);
  if (!want.ok()) return testing::AssertionFailure() << "protobuf: " << want.status();
  absl::StatusOr<std::string> got = report_parts::MessageToJson(message);
  if (!got.ok()) return testing::AssertionFailure() << "printer: " << got.status();
  testing::AssertionResult whole = SameBytes(*got, *want);
  if (!whole) return whole << "\n(whole message " << message.GetTypeName() << ")";
  std::string nested = "[before]";
  absl::Status status = report_parts::AppendMessageJson(message, indent, &nested);
  if (!status.ok()) return testing::AssertionFailure() << "printer, nested: " << status;
  testing::AssertionResult in_place = SameBytes(nested, "[before]" + Nested(*want, indent));
  if (!in_place) {
    return in_place << "\n(nested " << indent << " deep: " << message.GetTypeName() << ")";
  }
  absl::StatusOr<std::string> want_line = ProtobufJsonLine(message);
  if (!want_line.ok()) return testing::AssertionFailure() << "protobuf: " << want_line.status();
  std::string line = "[before]";
  status = report_parts::AppendMessageJsonLine(message, &line);
  if (!status.ok()) return testing::AssertionFailure() << "printer, one line: " << status;
  return SameBytes(line, "[before]" + *want_line)
         << "\n(one line: " << message.GetTypeName() << ")";
}

std::string Utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
  return s;
}

std::string Json(absl::string_view s) {
  std::string out;
  report_parts::AppendJsonString(s, &out);
  return out;
}

// ------------------------------------------------------------------------ hand-built

// A site with every field of every report message set, with the values report.json
// really holds (and a few numbers protobuf formats in its own way).
report::SiteReport FullSite() {
  report::SiteReport site;
  site.set_site_id("4201000001");
  site.set_name("模拟市人民政府 \"门户\" <网站>");
  site.set_url("https://www.example.gov.cn/index.html?a=1&b=2");
  site.set_verdict("fail");
  site.set_score(87.5);
  report::Veto* veto = site.add_vetoes();
  veto->set_rule("homepage_stale");
  veto->set_detail("homepage last updated 2026-10-01 (50 days)\n");
  report::Deduction* deduction = site.add_deductions();
  deduction->set_rule("broken_links_homepage");
  deduction->set_points(0.064);
  deduction->set_detail("3 broken links\t(1 confirmed)");
  site.add_deductions()->set_points(1e21);
  site.add_deductions()->set_points(2.5e-8);
  site.add_deductions()->set_points(1.0 / 3);
  report::Reachability* reach = site.mutable_reachability();
  reach->set_probes(20);
  reach->set_failures(1);
  reach->set_failure_ratio(0.05);
  reach->set_over_cap(2);
  report::ProbeFailures* why = reach->add_failures_by_error();
  why->set_error("redirect_loop");
  why->set_count(1);
  why->set_first_at("2026-11-13T00:20:00+08:00");
  why->set_last_at("2026-11-13T00:20:00+08:00");
  why->set_status(302);
  why->add_redirects("https://www.example.gov.cn/a");
  why->set_elapsed_ms(120);
  why->set_detail("Maximum (20) redirects followed");
  why->set_first_byte_ms(3);
  report::Homepage* home = site.mutable_homepage();
  home->set_last_update("2026-11-18");
  home->set_updates_in_window(7);
  home->set_fetch_error("timeout");
  home->set_fetch_status(200);
  home->set_fetch_detail("Operation timed out after 3000 milliseconds");
  home->set_navigation_only(true);
  report::ColumnReport* column = site.add_columns();
  column->set_name("通知公告");
  column->set_url("https://www.example.gov.cn/tzgg/");
  column->set_category("notice");
  column->set_items(10);
  column->set_last_update("2026-11-01");
  column->set_stale(true);
  column->set_blank(true);
  column->set_updates_30d(95);
  column->set_mean_interval_days(3.3333333333333335);
  column->set_fetch_error("http_404");
  column->set_change_rate_per_day(0.12345678901234568);
  column->set_observations(12);
  column->set_changes(-3);
  column->set_long_unupdated(true);
  column->set_page("list");
  column->set_found_via("nav");
  column->set_fetch_status(503);
  column->set_fetch_detail("HTTP 503");
  column->set_verdict_source("data_url");
  column->set_render_detail("render timed out \"8s\"");
  site.add_columns()->set_name("政策文件");
  report::Links* links = site.mutable_links();
  links->set_checked(250);
  report::BrokenLink* broken = links->add_broken();
  broken->set_url("https://www.example.gov.cn/a\\b.pdf");
  broken->set_found_on("https://www.example.gov.cn/");
  broken->set_on_homepage(true);
  broken->set_error("http_404");
  broken->set_status(404);
  broken->set_confirmed(true);
  broken->set_attachment(true);
  broken->set_online_system(true);
  broken->set_text("网上办事\u2028系统\x7f\x01");
  links->set_confirmed(1);
  links->set_suspected(2147483647);
  report::Interaction* interaction = site.mutable_interaction();
  interaction->set_messages(40);
  interaction->set_unanswered_over_3_months(2);
  interaction->set_answered(38);
  interaction->set_mean_reply_days(4.25);
  interaction->set_slow_replies(-2147483647 - 1);
  report::ContentFinding* content = site.add_content();
  content->set_kind("serious_error");
  content->set_url("https://www.example.gov.cn/x.html");
  content->set_detail("\u00ad\ufeff\U000E0041");
  report::Evidence* evidence = site.add_evidence();
  evidence->set_finding("homepage_stale");
  evidence->set_url("https://www.example.gov.cn/");
  evidence->set_fetched_at("2026-11-20T09:00:00+08:00");
  evidence->set_snapshot("snapshots/4201000001/home.html");
  evidence->set_link("http://127.0.0.1:8080/evidence/4201000001/home?at=20261120010000");
  site.set_region("420100");
  site.set_level("city");
  site.set_org("模拟市人民政府办公厅");
  report::EarlyWarning* warning = site.add_early_warnings();
  warning->set_rule("columns_not_updated");
  warning->set_detail("2 columns not updated in 30 days");
  report::Ipv6* ipv6 = site.mutable_ipv6();
  ipv6->set_aaaa("yes");
  ipv6->set_address("2001:db8::1");
  ipv6->set_status("partial");
  ipv6->set_probes(3);
  ipv6->set_failures(1);
  ipv6->set_availability(2.0 / 3.0);
  ipv6->set_unverified(1);
  ipv6->set_detail("Connection timed out after 15000 milliseconds");
  report::Https* https = site.mutable_https();
  https->set_status("invalid");
  https->set_offered(true);
  https->set_url("https://www.example.gov.cn/");
  https->set_https_status(200);
  https->set_http_redirects_to_https(true);
  https->set_certificate_valid(true);  // a printing test: the values need not agree
  https->set_certificate_error("expired");
  https->set_certificate_subject("CN=www.example.gov.cn");
  https->set_certificate_issuer("CN=\"某 CA\"");
  https->set_certificate_expires("2026-11-10T08:00:00+08:00");
  https->set_days_to_expiry(-10);
  https->set_tls_version("TLSv1.2");
  https->set_checked_at("2026-11-20T09:00:00+08:00");
  https->set_detail("SSL certificate problem: certificate has expired");
  return site;
}

report::CensusSummary FullCensus() {
  report::CensusSummary census;
  census.set_as_of("2026-11-20");
  census.set_rubric("gov-2019");
  census.set_sites(3);
  census.set_failed(1);
  census.set_started("2026-11-13T00:00:00+08:00");
  census.set_finished("2026-11-20T00:00:00+08:00");
  census.set_pages_fetched(123456);
  census.set_unreachable(1);
  census.set_passed(1);
  report::InputError* error = census.add_input_errors();
  error->set_file("sites.csv");
  error->set_line(17);
  error->set_reason("bad url \"htp://x\"");
  census.add_input_errors();
  return census;
}

// The fields of `type` and of every type it reaches.
void AllFields(const Descriptor* type, std::set<std::string>* fields) {
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    if (fields->insert(field->full_name()).second &&
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      AllFields(field->message_type(), fields);
    }
  }
}

// The fields with a value other than their default somewhere in `message`.
void SetFields(const Message& message, std::set<std::string>* fields) {
  const Descriptor* type = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* field = type->field(i);
    const int n = field->is_repeated()                   ? reflection->FieldSize(message, field)
                  : reflection->HasField(message, field) ? 1
                                                         : 0;
    if (n > 0) fields->insert(field->full_name());
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    for (int j = 0; j < n; ++j) {
      SetFields(field->is_repeated() ? reflection->GetRepeatedMessage(message, field, j)
                                     : reflection->GetMessage(message, field),
                fields);
    }
  }
}

TEST(ReportJsonTest, HandBuiltReportSetsEveryField) {
  report::CensusReport report;
  *report.mutable_census() = FullCensus();
  *report.add_sites() = FullSite();
  std::set<std::string> all, set, missing;
  AllFields(report::CensusReport::descriptor(), &all);
  SetFields(report, &set);
  std::set_difference(all.begin(), all.end(), set.begin(), set.end(),
                      std::inserter(missing, missing.begin()));
  EXPECT_GE(all.size(), 80u);  // 85 today
  EXPECT_TRUE(missing.empty()) << "FullSite()/FullCensus() leave unset: "
                               << absl::StrJoin(missing, ", ");
}

TEST(ReportJsonTest, HandBuiltReportsMatchProtobuf) {
  report::CensusReport report;
  EXPECT_TRUE(SameAsProtobuf(report));  // census unset: left out; sites: []
  *report.mutable_census() = FullCensus();
  EXPECT_TRUE(SameAsProtobuf(report));
  *report.add_sites() = FullSite();
  EXPECT_TRUE(SameAsProtobuf(report));
  report.add_sites();  // every field unset: sub-messages left out, the rest defaults
  report::SiteReport* empty_parts = report.add_sites();
  empty_parts->mutable_reachability();  // set, but every field at its default
  empty_parts->mutable_homepage();
  empty_parts->mutable_links()->add_broken();
  empty_parts->mutable_interaction();
  empty_parts->add_vetoes();
  empty_parts->add_deductions();
  empty_parts->add_columns();
  empty_parts->add_content();
  empty_parts->add_evidence();
  empty_parts->add_early_warnings();
  EXPECT_TRUE(SameAsProtobuf(report));
  EXPECT_TRUE(SameAsProtobuf(FullSite()));
  EXPECT_TRUE(SameAsProtobuf(FullCensus()));
  EXPECT_TRUE(SameAsProtobuf(*empty_parts));
  EXPECT_TRUE(SameAsProtobuf(report.sites(1)));
}

TEST(ReportJsonTest, EveryReportMessageTypeAtItsDefaults) {
  const google::protobuf::FileDescriptor* file = report::CensusReport::descriptor()->file();
  for (int i = 0; i < file->message_type_count(); ++i) {
    const Descriptor* type = file->message_type(i);
    const Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
    ASSERT_NE(prototype, nullptr) << type->full_name();
    EXPECT_TRUE(SameAsProtobuf(*prototype, i % 4)) << type->full_name();
  }
}

// The format itself, so that the printer and protobuf cannot both drift.
TEST(ReportJsonTest, KnownOutput) {
  report::Deduction deduction;
  deduction.set_rule("r<1>");
  deduction.set_points(95);
  EXPECT_EQ(*report_parts::MessageToJson(deduction),
            "{\n \"rule\": \"r\\u003c1\\u003e\",\n \"points\": 95,\n \"detail\": \"\"\n}\n");
  report::Links links;
  links.add_broken()->set_status(404);
  std::string nested = "x";
  ASSERT_TRUE(report_parts::AppendMessageJson(links, 2, &nested).ok());
  EXPECT_EQ(nested,
            "x{\n   \"checked\": 0,\n   \"broken\": [\n    {\n     \"url\": \"\",\n"
            "     \"found_on\": \"\",\n     \"on_homepage\": false,\n     \"error\": \"\",\n"
            "     \"status\": 404,\n     \"confirmed\": false,\n     \"attachment\": false,\n"
            "     \"online_system\": false,\n     \"text\": \"\"\n    }\n   ],\n"
            "   \"confirmed\": 0,\n   \"suspected\": 0\n  }");
  report::CensusReport empty;
  EXPECT_EQ(*report_parts::MessageToJson(empty), "{\n \"sites\": []\n}\n");
}

TEST(ReportJsonTest, ReportPartsAreTheWholeReport) {
  for (int sites = 0; sites <= 3; ++sites) {
    report::CensusReport report;
    *report.mutable_census() = FullCensus();
    for (int i = 0; i < sites; ++i) *report.add_sites() = FullSite();
    std::string parts = report_parts::JsonHead();
    for (int i = 0; i < sites; ++i) parts += *report_parts::JsonSite(report.sites(i), i == 0);
    parts += *report_parts::JsonTail(&report.census(), sites > 0);
    auto whole = ReportToJson(report);
    ASSERT_TRUE(whole.ok()) << whole.status();
    EXPECT_TRUE(SameBytes(parts, *whole)) << sites << " sites";

    // protobuf's JSON with the census member after the sites (docs/REPORT.md: a streaming
    // writer knows the summary last), each site on one line: the sites' bytes are
    // protobuf's without whitespace (report.jsonl's lines), the census's protobuf's indented.
    report::CensusReport only_sites = report;
    only_sites.clear_census();
    std::string want = "{\n \"sites\": [";
    for (int i = 0; i < sites; ++i) {
      want += (i == 0 ? "\n  " : ",\n  ") + *ProtobufJsonLine(report.sites(i));
      EXPECT_EQ(*SiteToJsonLine(report.sites(i)), *ProtobufJsonLine(report.sites(i)) + "\n");
    }
    want += sites > 0 ? "\n ]" : "]";
    report::CensusReport only_census;
    *only_census.mutable_census() = report.census();
    // {\n "census": {...},\n "sites": []\n}\n
    std::string census = *ProtobufJson(only_census);
    ASSERT_TRUE(absl::StartsWith(census, "{\n \"census\": "));
    ASSERT_TRUE(absl::EndsWith(census, ",\n \"sites\": []\n}\n"));
    census.resize(census.size() - std::string(",\n \"sites\": []\n}\n").size());
    want += ",\n" + census.substr(2) + "\n}\n";
    EXPECT_TRUE(SameBytes(*whole, want)) << sites << " sites";
    if (sites == 0) {
      EXPECT_TRUE(SameBytes(*ReportToJson(only_sites), *ProtobufJson(only_sites)));
    }

    // Read back, the order of the members does not matter.
    auto parsed = ReportFromJson(*whole);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->SerializeAsString(), report.SerializeAsString());
  }
}

// report.jsonl's line as the first writer made it, a byte at a time: the reference for
// report_parts::JsonLine, which copies runs.
std::string JsonLineByteByByte(absl::string_view json_site) {
  std::string line;
  bool in_string = false, escaped = false, started = false;
  for (char c : json_site) {
    if (in_string) {
      line.push_back(c);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (!started && c == ',') continue;
    started = true;
    if (c == '"') in_string = true;
    line.push_back(c);
  }
  line.push_back('\n');
  return line;
}

TEST(ReportJsonTest, JsonLineIsTheObjectOnOneLine) {
  report::SiteReport site = FullSite();
  site.set_name("a \"quoted\" name, with \\ and  spaces\\");
  site.set_url("http://x/\\\"  ");
  const std::string first = *report_parts::JsonSite(site, true);
  const std::string later = *report_parts::JsonSite(site, false);
  const std::string line = report_parts::JsonLine(later);
  EXPECT_EQ(line, report_parts::JsonLine(first));
  ASSERT_TRUE(absl::EndsWith(line, "}\n"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_NE(line.find("\"a \\\"quoted\\\" name, with \\\\ and  spaces\\\\\""), std::string::npos)
      << line;
  EXPECT_NE(line.find("\"http://x/\\\\\\\"  \""), std::string::npos) << line;
  report::SiteReport back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &back).ok());
  EXPECT_EQ(back.SerializeAsString(), site.SerializeAsString());
  std::string appended = "x";
  report_parts::AppendJsonLine(first, &appended);
  EXPECT_EQ(appended, "x" + line);

  // Strings of quotes, backslashes and blanks in every mix: as the byte-by-byte reference.
  std::mt19937 random(14);
  const char kBytes[] = {'"', '\\', ' ', '\n', 'a', ',', '\t', '{'};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int length = static_cast<int>(random() % 12);
    for (int i = 0; i < length; ++i) text.push_back(kBytes[random() % sizeof kBytes]);
    site.set_name(text);
    site.set_region(text + text);
    for (bool is_first : {true, false}) {
      const std::string json = *report_parts::JsonSite(site, is_first);
      ASSERT_EQ(report_parts::JsonLine(json), JsonLineByteByByte(json)) << json;
    }
    // Raw text too (not JSON the printer makes: unbalanced quotes, leading commas).
    ASSERT_EQ(report_parts::JsonLine(text), JsonLineByteByByte(text)) << text;
  }
}

// ------------------------------------------------------------------------ numbers

TEST(ReportJsonTest, Doubles) {
  const double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> values = {0.0,
                                -0.0,
                                87.5,
                                0.064,
                                95,
                                -95,
                                1e21,
                                1e-7,
                                1e15,
                                1e16,
                                1e17,
                                123456789012345678.0,
                                0.1 + 0.2,
                                1.0 / 3,
                                2.0 / 3,
                                100.0 / 7,
                                0.0001,
                                0.00001,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::lowest(),
                                std::numeric_limits<double>::min(),
                                std::numeric_limits<double>::denorm_min(),
                                -std::numeric_limits<double>::denorm_min(),
                                std::numeric_limits<double>::epsilon(),
                                9007199254740993.0,
                                4503599627370495.5,
                                kInf,
                                -kInf,
                                std::nan(""),
                                -std::nan("")};
  for (int e = -330; e <= 310; ++e) {
    values.push_back(std::pow(10.0, e));
    values.push_back(-3 * std::pow(10.0, e));
  }
  report::SiteReport site;
  for (double v : values) site.add_deductions()->set_points(v);
  EXPECT_TRUE(SameAsProtobuf(site));
  // Some by value: what protobuf writes is what report.json always held.
  auto one = [](double v) {
    report::Reachability r;
    r.set_failure_ratio(v);
    std::string json = *report_parts::MessageToJson(r);
    const size_t from = json.find("ratio\": ") + 8;
    return json.substr(from, std::min(json.find(",\n", from), json.find("\n}", from)) - from);
  };
  EXPECT_EQ(one(87.5), "87.5");
  EXPECT_EQ(one(0.064), "0.064");
  EXPECT_EQ(one(95), "95");
  EXPECT_EQ(one(1e21), "1e+21");
  EXPECT_EQ(one(1e-7), "1e-07");
  EXPECT_EQ(one(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(one(-0.0), "-0");
  EXPECT_EQ(one(std::nan("")), "\"NaN\"");
  EXPECT_EQ(one(-kInf), "\"-Infinity\"");
}

TEST(ReportJsonTest, Int32Extremes) {
  report::InputError e;
  for (int32_t v : {0, 1, -1, 2147483647, -2147483647 - 1, 1000000}) {
    e.set_line(v);
    EXPECT_TRUE(SameAsProtobuf(e)) << v;
  }
}

// ------------------------------------------------------------------------ strings

TEST(ReportJsonTest, EveryCodePoint) {
  report::CensusSummary census;
  std::string chunk;
  for (uint32_t cp = 0; cp <= 0x10ffff; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;  // no UTF-8 for surrogates
    chunk += Utf8(cp);
    if ((cp & 0xffff) == 0xffff) {
      census.add_input_errors()->set_reason(chunk);
      chunk.clear();
    }
  }
  ASSERT_EQ(census.input_errors_size(), 17);
  EXPECT_TRUE(SameAsProtobuf(census));
  // One code point at a time (so that a difference names its code point), the first
  // two planes.
  for (uint32_t cp = 0; cp < 0x20000; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    report::Veto veto;
    veto.set_detail(Utf8(cp));
    std::string want = *ProtobufJson(veto);
    std::string got = *report_parts::MessageToJson(veto);
    if (got != want) {
      ADD_FAILURE() << "U+" << std::hex << cp << ": " << got << " vs " << want;
      break;
    }
  }
}

TEST(ReportJsonTest, EscapedCharacters) {
  EXPECT_EQ(Json("a\"b\\c/d'e&f"), "\"a\\\"b\\\\c/d'e&f\"");
  EXPECT_EQ(Json("<>"), "\"\\u003c\\u003e\"");
  EXPECT_EQ(Json(std::string("\0\x01\b\t\n\v\f\r\x1f\x7f", 10)),
            "\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\\u007f\"");
  EXPECT_EQ(Json("\u0080\u009f\u00a0\u00ad"), "\"\\u0080\\u009f\u00a0\\u00ad\"");
  EXPECT_EQ(Json("\u2028\u2029\u200b\u200f\u202e\u2060\u2064\u206a\u206f\ufeff\ufff9\ufffb"),
            "\"\\u2028\\u2029\\u200b\\u200f\\u202e\\u2060\\u2064\\u206a\\u206f\\ufeff"
            "\\ufff9\\ufffb\"");
  EXPECT_EQ(Json("\u0600\u0603\u06dd\u070f\u17b4\u17b5"),
            "\"\\u0600\\u0603\\u06dd\\u070f\\u17b4\\u17b5\"");
  EXPECT_EQ(Json("\U0001D173\U0001D17A\U000E0001\U000E0020\U000E007F"),
            "\"\\ud834\\udd73\\ud834\\udd7a\\udb40\\udc01\\udb40\\udc20\\udb40\\udc7f\"");
  EXPECT_EQ(Json("中文 é \U0001F600 \u2027\u2030\ufffc"),
            "\"中文 é \U0001F600 \u2027\u2030\ufffc\"");
}

TEST(ReportJsonTest, InvalidUtf8AsProtobufDropsIt) {
  google::protobuf::LogSilencer quiet;  // serialising invalid UTF-8 logs an error
  const std::vector<std::string> cases = {
      "a\xc3"
      "Ab\xff"
      "c\xc0\x80"
      "d\xc1\x81"
      "e\xed\xa0\x80"
      "f\xe4\xb8",
      "\x80",
      "\xbf\xbf",
      "\xf8\x88\x80\x80\x80",
      "\xfe\xff",
      "\xc0\xa2\xc0\xbc\xe0\x80\xbe",      // overlong '"', '<', '>'
      "\xe0\x81\x81\xf0\x80\x80\x80",      // overlong 'A', U+0000
      "\xf4\x90\x80\x80\xf7\xbf\xbf\xbf",  // above U+10FFFF
      "\xed\xbf\xbf\xed\xa0\x80x",         // surrogates
      "\xe2\x80",                          // cut short
      "\xe2\x80\xa8\xe2\x80",              // U+2028, then cut short
      "\xf0\x9f\x98",
      "\xc2\x85\xc2\xa0\xc2\xad",
      "\xe4\xb8\xad\xe4\x41\xe6\x96\x87",
  };
  report::CensusSummary census;
  for (const std::string& s : cases) {
    report::InputError error;
    error.set_reason(s);
    EXPECT_TRUE(SameAsProtobuf(error)) << absl::CHexEscape(s);
    census.add_input_errors()->set_file(s);
  }
  EXPECT_TRUE(SameAsProtobuf(census));
  EXPECT_EQ(Json(cases[0]),
            "\"abc\\u0000d\xc1\x81"
            "ef\"");
  EXPECT_EQ(Json("\xc0\xa2"), "\"\\\"\"");
}

// ------------------------------------------------------------------------ random

// Random values of every field kind, over a message by reflection: new fields of the
// report protos are covered without a change here.
class Randomizer {
 public:
  explicit Randomizer(uint64_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool OneIn(int n) { return Uniform(0, n - 1) == 0; }

  std::string String() {
    std::string s;
    const int pieces = OneIn(5) ? 0 : Uniform(1, OneIn(10) ? 60 : 12);
    for (int i = 0; i < pieces; ++i) {
      switch (Uniform(0, 9)) {
        case 0:
        case 1:
          s.push_back(static_cast<char>(Uniform(0x20, 0x7e)));  // ASCII
          break;
        case 2:
          s += Utf8(static_cast<uint32_t>(Uniform(0x4e00, 0x9fff)));  // CJK
          break;
        case 3:
          s.push_back(static_cast<char>(OneIn(4) ? 0x7f : Uniform(0, 0x1f)));  // controls
          break;
        case 4:
          s.push_back("\"\\<>&'/"[Uniform(0, 6)]);
          break;
        case 5: {  // protobuf's escaped code points and their neighbours
          static const uint32_t kSpecial[] = {
              0x80,    0x9f,    0xa0,    0xac,    0xad,    0xae,    0x5ff,   0x600,
              0x603,   0x604,   0x6dd,   0x70f,   0x17b3,  0x17b4,  0x17b5,  0x17b6,
              0x200a,  0x200b,  0x200f,  0x2010,  0x2027,  0x2028,  0x2029,  0x202e,
              0x202f,  0x205f,  0x2060,  0x2064,  0x2065,  0x2069,  0x206a,  0x206f,
              0x2070,  0xfefe,  0xfeff,  0xff00,  0xfff8,  0xfff9,  0xfffb,  0xfffc,
              0xfffd,  0xffff,  0x10000, 0x110bd, 0x1d172, 0x1d173, 0x1d17a, 0x1d17b,
              0xe0000, 0xe0001, 0xe0002, 0xe001f, 0xe0020, 0xe007f, 0xe0080, 0x10ffff};
          s += Utf8(kSpecial[Uniform(0, sizeof kSpecial / sizeof kSpecial[0] - 1)]);
          break;
        }
        case 6: {  // any code point
          uint32_t cp = static_cast<uint32_t>(Uniform(0, 0x10ffff));
          if (cp >= 0xd800 && cp <= 0xdfff) cp -= 0x800;
          s += Utf8(cp);
          break;
        }
        case 7:
          s += Utf8(static_cast<uint32_t>(Uniform(0x1f300, 0x1faff)));  // emoji
          break;
        case 8:
          s += Utf8(static_cast<uint32_t>(Uniform(0x80, 0x7ff)));  // 2-byte forms
          break;
        case 9:
          if (invalid_utf8_ && OneIn(3)) {  // stray bytes, cut and overlong sequences
            s.push_back(static_cast<char>(Uniform(0x80, 0xff)));
          } else {
            s.push_back(static_cast<char>(Uniform(0x20, 0x7e)));
          }
          break;
      }
    }
    return s;
  }

  double Double() {
    const double kInf = std::numeric_limits<double>::infinity();
    switch (Uniform(0, 9)) {
      case 0:
        return Uniform(0, 100);
      case 1:
        return Uniform(-100000, 100000) / 1000.0;
      case 2:
        return Uniform(0, 800) / 8.0;
      case 3: {
        uint64_t bits = std::uniform_int_distribution<uint64_t>()(rng_);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;  // any, NaNs and subnormals too
      }
      case 4: {
        uint64_t bits = std::uniform_int_distribution<uint64_t>()(rng_) & 0x800fffffffffffffULL;
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;  // subnormal
      }
      case 5: {
        static const double kExtremes[] = {0.0,
                                           -0.0,
                                           std::numeric_limits<double>::max(),
                                           std::numeric_limits<double>::lowest(),
                                           std::numeric_limits<double>::min(),
                                           std::numeric_limits<double>::denorm_min(),
                                           std::numeric_limits<double>::epsilon(),
                                           kInf,
                                           -kInf,
                                           std::nan("")};
        return kExtremes[Uniform(0, 9)];
      }
      case 6:
        return std::pow(10.0, Uniform(-40, 40)) * (OneIn(2) ? 1 : -7);
      case 7:
        return std::uniform_real_distribution<double>(0, 1)(rng_) *
               std::pow(10.0, Uniform(-20, 25));
      default:
        return std::uniform_real_distribution<double>(0, 100)(rng_);
    }
  }

  template <typename Int>
  Int Integer() {
    switch (Uniform(0, 3)) {
      case 0:
        return 0;
      case 1:
        return static_cast<Int>(Uniform(-5, 500));
      case 2:
        return OneIn(2) ? std::numeric_limits<Int>::max() : std::numeric_limits<Int>::min();
      default:
        return std::uniform_int_distribution<Int>(std::numeric_limits<Int>::min(),
                                                  std::numeric_limits<Int>::max())(rng_);
    }
  }

  float Float() {
    if (OneIn(3)) {
      uint32_t bits = static_cast<uint32_t>(std::uniform_int_distribution<uint64_t>()(rng_));
      if (OneIn(2)) bits &= 0x807fffffu;  // subnormal
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
    return static_cast<float>(Double());
  }

  int EnumNumber(const EnumDescriptor* type) {
    if (OneIn(5)) return Uniform(-3, 1000);  // open enums keep unknown numbers
    return type->value(Uniform(0, type->value_count() - 1))->number();
  }

  // Sets a random subset of `message`'s fields, recursing `depth` levels at most.
  void Fill(Message* message, int depth) {
    const Descriptor* type = message->GetDescriptor();
    const Reflection* r = message->GetReflection();
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* f = type->field(i);
      if (OneIn(4)) continue;  // unset
      if (f->is_repeated()) {
        const int n = OneIn(4) ? 0 : Uniform(1, f->is_map() ? 3 : 4);
        for (int j = 0; j < n; ++j) Add(message, r, f, depth);
      } else {
        Set(message, r, f, depth);
      }
    }
  }

  void set_invalid_utf8(bool on) { invalid_utf8_ = on; }

 private:
  void Set(Message* m, const Reflection* r, const FieldDescriptor* f, int depth) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->SetInt32(m, f, Integer<int32_t>());
      case FieldDescriptor::CPPTYPE_INT64:
        return r->SetInt64(m, f, Integer<int64_t>());
      case FieldDescriptor::CPPTYPE_UINT32:
        return r->SetUInt32(m, f, Integer<uint32_t>());
      case FieldDescriptor::CPPTYPE_UINT64:
        return r->SetUInt64(m, f, Integer<uint64_t>());
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return r->SetDouble(m, f, Double());
      case FieldDescriptor::CPPTYPE_FLOAT:
        return r->SetFloat(m, f, Float());
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->SetBool(m, f, OneIn(2));
      case FieldDescriptor::CPPTYPE_ENUM:
        return r->SetEnumValue(m, f, EnumNumber(f->enum_type()));
      case FieldDescriptor::CPPTYPE_STRING:
        return r->SetString(m, f, String());
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth <= 0) return;
        Fill(r->MutableMessage(m, f), depth - 1);  // set, maybe with every field default
        return;
    }
  }

  void Add(Message* m, const Reflection* r, const FieldDescriptor* f, int depth) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return r->AddInt32(m, f, Integer<int32_t>());
      case FieldDescriptor::CPPTYPE_INT64:
        return r->AddInt64(m, f, Integer<int64_t>());
      case FieldDescriptor::CPPTYPE_UINT32:
        return r->AddUInt32(m, f, Integer<uint32_t>());
      case FieldDescriptor::CPPTYPE_UINT64:
        return r->AddUInt64(m, f, Integer<uint64_t>());
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return r->AddDouble(m, f, Double());
      case FieldDescriptor::CPPTYPE_FLOAT:
        return r->AddFloat(m, f, Float());
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->AddBool(m, f, OneIn(2));
      case FieldDescriptor::CPPTYPE_ENUM:
        return r->AddEnumValue(m, f, EnumNumber(f->enum_type()));
      case FieldDescriptor::CPPTYPE_STRING:
        return r->AddString(m, f, String());
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth <= 0) return;
        Fill(r->AddMessage(m, f), depth - 1);
        return;
    }
  }

  std::mt19937_64 rng_;
  bool invalid_utf8_ = false;
};

TEST(ReportJsonTest, RandomReportMessagesMatchProtobuf) {
  google::protobuf::LogSilencer quiet;  // serialising invalid UTF-8 logs an error
  Randomizer random(20261120);
  int compared = 0;
  for (int i = 0; i < 3000; ++i) {
    random.set_invalid_utf8(i % 10 == 9);
    report::SiteReport site;
    random.Fill(&site, 4);
    ASSERT_TRUE(SameAsProtobuf(site, random.Uniform(0, 4))) << "site #" << i;
    ++compared;
  }
  for (int i = 0; i < 300; ++i) {
    random.set_invalid_utf8(i % 10 == 9);
    report::CensusSummary census;
    random.Fill(&census, 4);
    ASSERT_TRUE(SameAsProtobuf(census, random.Uniform(0, 4))) << "census #" << i;
    report::CensusReport report;
    random.Fill(&report, 4);
    ASSERT_TRUE(SameAsProtobuf(report, random.Uniform(0, 4))) << "report #" << i;
    compared += 2;
  }
  EXPECT_EQ(compared, 3600);
}

// ------------------------------------------------------------------------ other protos

// Every field kind, a oneof, proto3 `optional`, enum aliases and field numbers out of
// declaration order: the report protos may grow any of these.
constexpr char kTestProto[] = R"pb(
  name: "json_printer_test.proto"
  package: "census.test"
  syntax: "proto3"
  dependency: "google/protobuf/timestamp.proto"
  message_type {
    name: "Sub"
    field { name: "a" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 }
    field { name: "s" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
  }
  message_type {
    name: "Kinds"
    field { name: "z" number: 30 label: LABEL_OPTIONAL type: TYPE_INT32 }
    field { name: "o_int" number: 22 label: LABEL_OPTIONAL type: TYPE_INT64 oneof_index: 0 }
    field {
      name: "o_sub"
      number: 21
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".census.test.Sub"
      oneof_index: 0
    }
    field { name: "o_str" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING oneof_index: 0 }
    field { name: "i64" number: 2 label: LABEL_OPTIONAL type: TYPE_INT64 }
    field { name: "u32" number: 3 label: LABEL_OPTIONAL type: TYPE_UINT32 }
    field { name: "u64" number: 4 label: LABEL_OPTIONAL type: TYPE_UINT64 }
    field { name: "s32" number: 5 label: LABEL_OPTIONAL type: TYPE_SINT32 }
    field { name: "s64" number: 6 label: LABEL_OPTIONAL type: TYPE_SINT64 }
    field { name: "f32" number: 7 label: LABEL_OPTIONAL type: TYPE_FIXED32 }
    field { name: "f64" number: 8 label: LABEL_OPTIONAL type: TYPE_FIXED64 }
    field { name: "sf32" number: 9 label: LABEL_OPTIONAL type: TYPE_SFIXED32 }
    field { name: "sf64" number: 10 label: LABEL_OPTIONAL type: TYPE_SFIXED64 }
    field { name: "fl" number: 11 label: LABEL_OPTIONAL type: TYPE_FLOAT }
    field { name: "db" number: 12 label: LABEL_OPTIONAL type: TYPE_DOUBLE }
    field { name: "bo" number: 13 label: LABEL_OPTIONAL type: TYPE_BOOL }
    field { name: "st" number: 14 label: LABEL_OPTIONAL type: TYPE_STRING }
    field { name: "by" number: 15 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field {
      name: "en"
      number: 16
      label: LABEL_OPTIONAL
      type: TYPE_ENUM
      type_name: ".census.test.Color"
    }
    field {
      name: "sub"
      number: 17
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".census.test.Sub"
    }
    field {
      name: "opt_int"
      number: 40
      label: LABEL_OPTIONAL
      type: TYPE_INT32
      oneof_index: 2
      proto3_optional: true
    }
    field {
      name: "opt_sub"
      number: 41
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".census.test.Sub"
      oneof_index: 3
      proto3_optional: true
    }
    field {
      name: "opt_en"
      number: 23
      label: LABEL_OPTIONAL
      type: TYPE_ENUM
      type_name: ".census.test.Color"
      oneof_index: 4
      proto3_optional: true
    }
    field { name: "r_i32" number: 50 label: LABEL_REPEATED type: TYPE_INT32 }
    field { name: "r_i64" number: 51 label: LABEL_REPEATED type: TYPE_SINT64 }
    field { name: "r_u32" number: 52 label: LABEL_REPEATED type: TYPE_FIXED32 }
    field { name: "r_u64" number: 53 label: LABEL_REPEATED type: TYPE_UINT64 }
    field { name: "r_fl" number: 54 label: LABEL_REPEATED type: TYPE_FLOAT }
    field { name: "r_db" number: 55 label: LABEL_REPEATED type: TYPE_DOUBLE }
    field { name: "r_bo" number: 56 label: LABEL_REPEATED type: TYPE_BOOL }
    field { name: "r_st" number: 57 label: LABEL_REPEATED type: TYPE_STRING }
    field { name: "r_by" number: 58 label: LABEL_REPEATED type: TYPE_BYTES }
    field {
      name: "r_en"
      number: 59
      label: LABEL_REPEATED
      type: TYPE_ENUM
      type_name: ".census.test.Color"
    }
    field {
      name: "r_sub"
      number: 60
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".census.test.Sub"
    }
    field { name: "o2_int" number: 24 label: LABEL_OPTIONAL type: TYPE_INT32 oneof_index: 1 }
    field {
      name: "o2_en"
      number: 19
      label: LABEL_OPTIONAL
      type: TYPE_ENUM
      type_name: ".census.test.Color"
      oneof_index: 1
    }
    oneof_decl { name: "choice" }
    oneof_decl { name: "choice2" }
    oneof_decl { name: "_opt_int" }
    oneof_decl { name: "_opt_sub" }
    oneof_decl { name: "_opt_en" }
  }
  message_type {
    name: "WithMap"
    field { name: "before" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
    field {
      name: "m"
      number: 2
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".census.test.WithMap.MEntry"
    }
    nested_type {
      name: "MEntry"
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
      field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 }
      options { map_entry: true }
    }
  }
  message_type {
    name: "WithTimestamp"
    field { name: "n" number: 1 label: LABEL_OPTIONAL type: TYPE_INT32 }
    field {
      name: "t"
      number: 2
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
    }
  }
  message_type {
    name: "Tree"
    field { name: "label" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
    field {
      name: "kids"
      number: 2
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".census.test.Tree"
    }
  }
  message_type {
    name: "HoldsTree"
    field {
      name: "kinds"
      number: 1
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".census.test.Kinds"
    }
    field {
      name: "tree"
      number: 2
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".census.test.Tree"
    }
  }
  enum_type {
    name: "Color"
    options { allow_alias: true }
    value { name: "COLOR_UNSET" number: 0 }
    value { name: "RED" number: 1 }
    value { name: "ROUGE" number: 1 }
    value { name: "MINUS" number: -2 }
  }
)pb";

constexpr char kProto2[] = R"pb(
  name: "json_printer_test2.proto"
  package: "census.test2"
  syntax: "proto2"
  message_type {
    name: "Old"
    field { name: "n" number: 1 label: LABEL_OPTIONAL type: TYPE_INT32 default_value: "7" }
    field { name: "s" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
  }
)pb";

class OtherProtosTest : public testing::Test {
 protected:
  void SetUp() override {
    google::protobuf::Timestamp::descriptor();  // in the generated pool, the underlay
    for (const char* text : {kTestProto, kProto2}) {
      FileDescriptorProto file;
      ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &file));
      ASSERT_NE(pool_.BuildFile(file), nullptr);
    }
  }
  std::unique_ptr<Message> New(const std::string& name) {
    const Descriptor* type = pool_.FindMessageTypeByName(name);
    EXPECT_NE(type, nullptr) << name;
    return std::unique_ptr<Message>(factory_.GetPrototype(type)->New());
  }

  DescriptorPool pool_{DescriptorPool::generated_pool()};
  DynamicMessageFactory factory_{&pool_};
};

TEST_F(OtherProtosTest, EveryFieldKind) {
  std::unique_ptr<Message> kinds = New("census.test.Kinds");
  EXPECT_TRUE(SameAsProtobuf(*kinds));
  google::protobuf::LogSilencer quiet;
  Randomizer random(7);
  for (int i = 0; i < 1500; ++i) {
    random.set_invalid_utf8(i % 10 == 9);
    kinds->Clear();
    random.Fill(kinds.get(), 3);
    ASSERT_TRUE(SameAsProtobuf(*kinds, random.Uniform(0, 3))) << "#" << i;
  }
}

TEST_F(OtherProtosTest, OneofsAndOptionalFields) {
  std::unique_ptr<Message> m = New("census.test.Kinds");
  const Descriptor* type = m->GetDescriptor();
  const Reflection* r = m->GetReflection();
  r->SetInt32(m.get(), type->FindFieldByName("opt_int"), 0);  // set to its default: printed
  EXPECT_TRUE(SameAsProtobuf(*m));
  r->SetString(m.get(), type->FindFieldByName("o_str"), "");
  r->SetEnumValue(m.get(), type->FindFieldByName("opt_en"), 0);
  r->SetEnumValue(m.get(), type->FindFieldByName("o2_en"), 1);  // RED, not ROUGE
  EXPECT_TRUE(SameAsProtobuf(*m));
  r->MutableMessage(m.get(), type->FindFieldByName("o_sub"));
  r->MutableMessage(m.get(), type->FindFieldByName("opt_sub"));
  r->SetInt32(m.get(), type->FindFieldByName("o2_int"), -1);
  EXPECT_TRUE(SameAsProtobuf(*m));
  std::string json = *report_parts::MessageToJson(*m);
  // Scalar oneof members after the other fields, in number order; message ones in place.
  EXPECT_LT(json.find("\"o_sub\""), json.find("\"i64\""));
  EXPECT_LT(json.find("\"r_sub\""), json.find("\"opt_en\""));
  EXPECT_LT(json.find("\"opt_en\""), json.find("\"o2_int\""));
  EXPECT_LT(json.find("\"o2_int\""), json.find("\"opt_int\""));
}

// Types the printer leaves to protobuf (maps, well-known types, proto2, recursion) and
// messages with unknown fields: the same bytes, and protobuf's error where it fails.
TEST_F(OtherProtosTest, FallsBackToProtobuf) {
  Randomizer random(11);
  for (const char* name : {"census.test.WithMap", "census.test.WithTimestamp",
                           "census.test.HoldsTree", "census.test2.Old"}) {
    std::unique_ptr<Message> m = New(name);
    EXPECT_TRUE(SameAsProtobuf(*m)) << name;
    for (int i = 0; i < 20; ++i) {
      m->Clear();
      random.Fill(m.get(), 3);
      if (std::string(name) == "census.test.WithTimestamp") {
        // Timestamp's JSON is valid only within years 1..9999.
        Message* t = m->GetReflection()->MutableMessage(m.get(), m->GetDescriptor()->field(1));
        t->GetReflection()->SetInt64(t, t->GetDescriptor()->field(0), 1700000000 + i);
        t->GetReflection()->SetInt32(t, t->GetDescriptor()->field(1), i * 1000);
      }
      EXPECT_TRUE(SameAsProtobuf(*m)) << name << " #" << i;
    }
  }

  // An unknown field is dropped by protobuf's printer, unless it takes the number of a
  // known field: protobuf reads it back from the wire as that field.
  report::SiteReport site = FullSite();
  report::Homepage* home = site.mutable_homepage();
  home->set_navigation_only(false);
  home->GetReflection()->MutableUnknownFields(home)->AddVarint(3, 1);  // navigation_only
  home->GetReflection()->MutableUnknownFields(home)->AddVarint(99, 1);
  EXPECT_TRUE(SameAsProtobuf(site));
  EXPECT_TRUE(absl::StrContains(*report_parts::MessageToJson(site), "\"navigation_only\": true"));

  // Deeper than protobuf's printer goes: its error, as an error.
  std::unique_ptr<Message> tree = New("census.test.Tree");
  Message* node = tree.get();
  for (int i = 0; i < 100; ++i) {
    node = node->GetReflection()->AddMessage(node, node->GetDescriptor()->field(1));
  }
  ASSERT_FALSE(ProtobufJson(*tree).ok());
  absl::StatusOr<std::string> json = report_parts::MessageToJson(*tree);
  EXPECT_EQ(json.status().code(), absl::StatusCode::kInternal) << json.status();
  std::string out = "kept";
  EXPECT_FALSE(report_parts::AppendMessageJson(*tree, 1, &out).ok());
  EXPECT_EQ(out, "kept");
}

}  // namespace
}  // namespace census
