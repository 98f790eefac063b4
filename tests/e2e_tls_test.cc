// End to end, issue 14 part 4: IPv6 and HTTPS. The real `census run` against `simweb
// serve` listening on 127.0.0.1 and [::1], with TLS fronts whose certificates this test
// makes at run time from a CA of its own (tests/test_ca.h; `census run --ca-file`). Six
// sites of the simulated web, routed by --connect-to:
//   0  IPv6 (every port on [::1]), https:// homepage, valid certificate (20 days left)
//   1  IPv4 only, http:// homepage redirecting to https, valid certificate
//   2  IPv6, http:// homepage, https certificate expired
//   3  IPv6, certificate for another host name
//   4  IPv6, self-signed certificate
//   5  IPv4 only, no HTTPS (nothing listens on its port 443)
// and the exact ipv6 and https fields of report.json, the rubric findings under the
// province example (rules on) and under gov-2019 (`census replay --rubric`: rules off),
// report.csv's columns and the notice's lines. Without ::1 on the machine the IPv6 sites
// are routed to 127.0.0.1 and only their IPv6 expectations are skipped (said on stderr).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "google/protobuf/util/json_util.h"
#include "proto/report.pb.h"
#include "tests/simweb_process.h"
#include "tests/subprocess.h"
#include "tests/test_ca.h"

namespace census {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunToCompletion;

bool HaveIpv6Loopback() {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// "tls 2 127.0.0.1:PORT" → ports["tls 2"] = "PORT"; "listening6 [::1]:PORT" likewise.
std::map<std::string, std::string> Listeners(const std::string& out) {
  std::map<std::string, std::string> ports;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    const size_t colon = line.rfind(':');
    const size_t space = line.rfind(' ');
    if (colon == absl::string_view::npos || space == absl::string_view::npos) continue;
    ports[std::string(line.substr(0, space))] = std::string(line.substr(colon + 1));
  }
  return ports;
}

report::CensusReport ReadReport(const fs::path& path) {
  report::CensusReport report;
  auto st = google::protobuf::util::JsonStringToMessage(ReadFile(path), &report);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return report;
}

// The rubric findings of the IPv6/HTTPS rules, "rule points detail" each.
std::vector<std::string> TlsFindings(const report::SiteReport& site) {
  std::vector<std::string> out;
  for (const report::Deduction& d : site.deductions()) {
    if (d.rule() == "ipv6_unsupported" || d.rule() == "https_unavailable" ||
        d.rule() == "certificate_invalid") {
      out.push_back(absl::StrCat(d.rule(), " ", d.points(), " ", d.detail()));
    }
  }
  for (const report::EarlyWarning& w : site.early_warnings()) {
    if (w.rule() == "certificate_expiring") out.push_back(absl::StrCat(w.rule(), " ", w.detail()));
  }
  return out;
}

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

class TlsEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / absl::StrCat("census-tls-", getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(TlsEndToEnd, Ipv6AndHttpsFindings) {
  const bool v6 = HaveIpv6Loopback();
  if (!v6) {
    std::fprintf(stderr,
                 "e2e_tls_test: no ::1 on this machine: the IPv6 part is skipped (the IPv6 "
                 "sites are routed to 127.0.0.1 and their ipv6 findings not checked)\n");
  }
  // The hosts of the simulated web's first six sites (healthy or with column findings;
  // each homepage answers 200).
  // (Seed 1: the certificates are made before simweb starts; checked against its truth.)
  const std::vector<std::string> host = {"www.jds01.gov.cn", "www.yys02.gov.cn",
                                         "www.wfx03.gov.cn", "www.cnx04.gov.cn",
                                         "czj.cwx05.gov.cn", "www.qsx06.gov.cn"};

  // Certificates: whole seconds, half a day past a whole number of days, so that the
  // census's days_to_expiry (rounded down from its own check time) is exact.
  const absl::Time now = absl::FromTimeT(absl::ToTimeT(absl::Now()));
  const absl::Duration day = absl::Hours(24);
  auto ca = testing::TestCa::Create(dir_ / "ca", now);
  ASSERT_TRUE(ca.ok()) << ca.status();
  const absl::Time valid_until0 = now + 20 * day + absl::Hours(12);
  const absl::Time valid_until1 = now + 200 * day + absl::Hours(12);
  const absl::Time expired_at = now - 10 * day + absl::Hours(12);
  const absl::Time later = now + 90 * day + absl::Hours(12);
  std::vector<testing::CertFiles> certs;
  for (auto issued : {ca->Issue("valid0", {host[0]}, now - day, valid_until0),
                      ca->Issue("valid1", {host[1]}, now - day, valid_until1),
                      ca->Issue("expired", {host[2]}, now - 100 * day, expired_at),
                      ca->Issue("wronghost", {"www.elsewhere.gov.cn"}, now - day, later),
                      ca->Issue("selfsigned", {host[4]}, now - day, later, true)}) {
    ASSERT_TRUE(issued.ok()) << issued.status();
    certs.push_back(*issued);
  }
  std::string tls_flag;
  for (const auto& c : certs)
    absl::StrAppend(&tls_flag, tls_flag.empty() ? "" : ",", c.cert, ":", c.key);

  std::vector<std::string> args = {"--seed", "1",      "--sites",          "6",
                                   "--tls",  tls_flag, "--https-redirect", host[1]};
  if (v6) {
    args.push_back("--bind6");
    args.push_back("::1");
  }
  testing::SimWebProcess simweb(SIMWEB_BIN, dir_, args);
  ASSERT_TRUE(simweb.ok()) << simweb.error();
  ASSERT_EQ(simweb.truth().sites_size(), 6);
  for (int i = 0; i < 6; ++i) ASSERT_EQ(simweb.truth().sites(i).host(), host[i]);
  std::map<std::string, std::string> port = Listeners(ReadFile(dir_ / "simweb.out"));
  const std::string plain = simweb.port();
  const std::string closed = std::to_string(testing::FreeLoopbackPort());
  // An IPv6 site's every port on [::1]; IPv4-only sites and, without ::1, all on 127.0.0.1.
  auto route = [&](int site, bool ipv6, const std::string& tls_index) {
    const bool on_v6 = ipv6 && v6;
    const std::string addr = on_v6 ? "[::1]" : "127.0.0.1";
    // No TLS front: a port nobody listens on (connection refused).
    const std::string https_port =
        tls_index.empty() ? closed : port[absl::StrCat(on_v6 ? "tls6 " : "tls ", tls_index)];
    return std::vector<std::string>{
        "--connect-to",
        absl::StrCat(host[site], ":80:", addr, ":", on_v6 ? port["listening6"] : plain),
        "--connect-to", absl::StrCat(host[site], ":443:", addr, ":", https_port)};
  };
  std::vector<std::string> routes;
  for (const auto& r : {route(0, true, "0"), route(1, false, "1"), route(2, true, "2"),
                        route(3, true, "3"), route(4, true, "4"), route(5, false, "")}) {
    routes.insert(routes.end(), r.begin(), r.end());
  }

  const fs::path sites = dir_ / "sites.csv";
  {
    std::string csv = "site_id,name,url\n";
    for (int i = 0; i < 6; ++i) {
      absl::StrAppend(&csv, simweb.truth().sites(i).site_id(), ",", simweb.truth().sites(i).name(),
                      ",", i == 0 ? "https://" : "http://", host[i], "/\n");
    }
    std::FILE* f = std::fopen(sites.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(csv.c_str(), f);
    std::fclose(f);
  }
  std::vector<std::string> argv =
      simweb.CensusRunArgs(sites, dir_ / "out", dir_ / "data", 4, "100ms");
  // Ours before the truth's routes (curl takes the first that matches).
  auto first_route = std::find(argv.begin(), argv.end(), "--connect-to");
  argv.insert(first_route, routes.begin(), routes.end());
  argv.insert(argv.begin(), CENSUS_BIN);
  for (const std::string& a :
       {std::string("--ipv6-probes"), std::string("2"), std::string("--ca-file"), ca->ca_file(),
        std::string("--rubric"),
        std::string(CENSUS_SOURCE_DIR) + "/rubrics/province-example.textproto"}) {
    argv.push_back(a);
  }
  ASSERT_EQ(RunToCompletion(argv, (dir_ / "census.out").string(), (dir_ / "census.err").string()),
            0)
      << ReadFile(dir_ / "census.err");

  const report::CensusReport report = ReadReport(dir_ / "out" / "report.json");
  ASSERT_EQ(report.sites_size(), 6);
  std::map<std::string, const report::SiteReport*> by_host;
  for (const auto& s : report.sites()) {
    for (int i = 0; i < 6; ++i) {
      if (s.site_id() == simweb.truth().sites(i).site_id()) by_host[host[i]] = &s;
    }
  }
  ASSERT_EQ(by_host.size(), 6u);

  // IPv6.
  report::Ipv6 reachable;
  reachable.set_aaaa("yes");
  reachable.set_address("::1");
  reachable.set_status("reachable");
  reachable.set_probes(2);
  reachable.set_availability(1.0);
  auto no_aaaa = [](const std::string& h) {
    report::Ipv6 want;
    want.set_aaaa("no");
    want.set_status("no_aaaa");
    want.set_probes(2);
    want.set_failures(2);
    want.set_detail(absl::StrCat("Could not resolve host: ", h,
                                 " has no IPv6 address (--connect-to maps it to 127.0.0.1)"));
    return want;
  };
  for (int i : {0, 2, 3, 4}) {
    SCOPED_TRACE(host[i]);
    if (v6) {
      EXPECT_EQ(Json(by_host[host[i]]->ipv6()), Json(reachable));
    }
  }
  for (int i : {1, 5}) {
    SCOPED_TRACE(host[i]);
    EXPECT_EQ(Json(by_host[host[i]]->ipv6()), Json(no_aaaa(host[i])));
  }

  // HTTPS.
  auto https = [&](int i, const std::string& status, const std::string& error,
                   const std::string& subject, const std::string& issuer, absl::Time not_after,
                   int days, const std::string& detail) {
    const report::Https& got = by_host[host[i]]->https();
    report::Https want;
    want.set_status(status);
    want.set_offered(true);
    want.set_url(absl::StrCat("https://", host[i], "/"));
    want.set_https_status(200);
    want.set_http_redirects_to_https(i == 1);
    want.set_certificate_valid(status == "valid");
    want.set_certificate_error(error);
    want.set_certificate_subject(subject);
    want.set_certificate_issuer(issuer);
    want.set_certificate_expires(FormatRfc3339(not_after));
    want.set_days_to_expiry(days);
    want.set_tls_version("TLSv1.3");
    want.set_checked_at(got.checked_at());  // the census's own time
    want.set_detail(detail);
    EXPECT_FALSE(got.checked_at().empty());
    EXPECT_EQ(Json(got), Json(want)) << host[i];
  };
  const std::string ca_name = "CN=Census Test CA";
  https(0, "valid", "", "CN=" + host[0], ca_name, valid_until0, 20, "");
  https(1, "valid", "", "CN=" + host[1], ca_name, valid_until1, 200, "");
  https(2, "invalid", "expired", "CN=" + host[2], ca_name, expired_at, -10,
        "SSL certificate problem: certificate has expired");
  https(3, "invalid", "wrong_host", "CN=www.elsewhere.gov.cn", ca_name, later, 90,
        absl::StrCat("SSL: no alternative certificate subject name matches target host name '",
                     host[3], "'"));
  https(4, "invalid", "self_signed", "CN=" + host[4], "CN=" + host[4], later, 90,
        "SSL certificate problem: self-signed certificate");
  const report::Https& none = by_host[host[5]]->https();
  EXPECT_EQ(none.status(), "not_offered");
  EXPECT_FALSE(none.offered());
  EXPECT_EQ(none.url(), absl::StrCat("https://", host[5], "/"));
  EXPECT_EQ(none.https_status(), 0);
  EXPECT_FALSE(none.http_redirects_to_https());
  EXPECT_FALSE(none.certificate_valid());
  EXPECT_EQ(none.certificate_expires(), "");
  EXPECT_EQ(none.tls_version(), "");
  // libcurl's words, with the time it took.
  EXPECT_TRUE(absl::StartsWith(
      none.detail(), absl::StrCat("Failed to connect to 127.0.0.1 port ", closed, " after ")))
      << none.detail();
  EXPECT_TRUE(absl::EndsWith(none.detail(), " ms: Couldn't connect to server")) << none.detail();

  // The rubric findings under the province example.
  using Findings = std::vector<std::string>;
  const std::string ipv6_deduction =
      "ipv6_unsupported 5 the homepage's host has no IPv6 address (AAAA)";
  auto cert_deduction = [&](int i, const std::string& error, const std::string& detail) {
    return absl::StrCat("certificate_invalid 3 certificate of https://", host[i],
                        "/ refused: ", error, " (", detail, ")");
  };
  const std::map<int, Findings> want_findings = {
      {0,
       {absl::StrCat("certificate_expiring certificate of https://", host[0], "/ expires ",
                     FormatRfc3339(valid_until0), ", in 20 days (fewer than 30)")}},
      {1, {ipv6_deduction}},
      {2, {cert_deduction(2, "expired", "SSL certificate problem: certificate has expired")}},
      {3,
       {cert_deduction(3, "wrong_host",
                       absl::StrCat("SSL: no alternative certificate subject name matches "
                                    "target host name '",
                                    host[3], "'"))}},
      {4, {cert_deduction(4, "self_signed", "SSL certificate problem: self-signed certificate")}},
      {5,
       {ipv6_deduction, absl::StrCat("https_unavailable 3 no HTTPS: https://", host[5], "/ (",
                                     none.detail(), ")")}},
  };
  for (const auto& [i, want] : want_findings) {
    if (!v6 && (i == 0 || i == 2 || i == 3 || i == 4)) {
      // Routed to 127.0.0.1: ipv6_unsupported comes first; the HTTPS findings follow.
      Findings got = TlsFindings(*by_host[host[i]]);
      ASSERT_FALSE(got.empty());
      EXPECT_EQ(got.front(), ipv6_deduction);
      got.erase(got.begin());
      EXPECT_EQ(got, want) << host[i];
      continue;
    }
    EXPECT_EQ(TlsFindings(*by_host[host[i]]), want) << host[i];
  }

  // report.csv: the IPv6 and HTTPS columns.
  const std::string csv = ReadFile(dir_ / "out" / "report.csv");
  EXPECT_TRUE(absl::StrContains(
      csv,
      "ipv6_aaaa,ipv6_status,ipv6_probes,ipv6_failures,https_status,https_offered,"
      "certificate_error,certificate_days_to_expiry,tls_version\r\n"));
  if (v6) {
    EXPECT_TRUE(absl::StrContains(csv, ",yes,reachable,2,0,invalid,1,expired,-10,TLSv1.3\r\n"));
  }
  EXPECT_TRUE(absl::StrContains(csv, ",no,no_aaaa,2,2,valid,1,,200,TLSv1.3\r\n")) << csv;
  EXPECT_TRUE(absl::StrContains(csv, ",no,no_aaaa,2,2,not_offered,0,,,\r\n")) << csv;

  // The notice: a line each.
  const std::string html = ReadFile(dir_ / "out" / "report.html");
  EXPECT_TRUE(absl::StrContains(html,
                                "<li class=\"https not_offered\">HTTPS：<span class=\"mark\">"
                                "未提供 HTTPS 访问</span>"));
  EXPECT_TRUE(
      absl::StrContains(html, "<span class=\"mark\">证书已过期</span> <small>expired</small>"));
  EXPECT_TRUE(absl::StrContains(html, "<span class=\"mark\">自签名证书</span>"));
  EXPECT_TRUE(absl::StrContains(html, "<span class=\"mark\">证书与域名不符</span>"));
  EXPECT_TRUE(
      absl::StrContains(html, "IPv6：<span class=\"mark\">域名无 IPv6 地址（AAAA 记录）</span>"));
  if (v6) {
    EXPECT_TRUE(absl::StrContains(html,
                                  "IPv6：可访问 <small>reachable</small>，地址 <code>::1</code>"
                                  "，2/2 次 IPv6 探测成功（100.0%）"));
  }
  EXPECT_TRUE(absl::StrContains(html, "（还有 20 天）"));
  EXPECT_TRUE(absl::StrContains(html, "（已过期 10 天）"));
  EXPECT_TRUE(absl::StrContains(html, "http 跳转到 https"));

  // gov-2019 measures the same and scores none of it.
  ASSERT_EQ(RunToCompletion({CENSUS_BIN, "replay", "--data", (dir_ / "data").string(), "--rubric",
                             std::string(CENSUS_SOURCE_DIR) + "/rubrics/gov-2019.textproto",
                             "--out", (dir_ / "gov").string()},
                            (dir_ / "replay.out").string(), (dir_ / "replay.err").string()),
            0)
      << ReadFile(dir_ / "replay.err");
  const report::CensusReport gov = ReadReport(dir_ / "gov" / "report.json");
  ASSERT_EQ(gov.sites_size(), 6);
  for (int k = 0; k < gov.sites_size(); ++k) {
    SCOPED_TRACE(gov.sites(k).site_id());
    EXPECT_EQ(TlsFindings(gov.sites(k)), Findings{});
    EXPECT_EQ(Json(gov.sites(k).ipv6()), Json(report.sites(k).ipv6()));
    EXPECT_EQ(Json(gov.sites(k).https()), Json(report.sites(k).https()));
  }
}

}  // namespace
}  // namespace census
