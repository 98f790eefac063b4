// simweb: serves (or writes) the simulated government web and its ground truth, and
// scores a census against that truth.
//
//   simweb score    --truth DIR/truth.json --report OUT/report.json [--json] [--verbose]
//
//   simweb serve    --seed 1 --sites 12 --as-of 2026-11-20 --probes 24 [--port 0]
//                   [--truth-dir DIR] [--pages-dir DIR] [--probe-fail-delay 3s]
//                   [--hang-delay 8s] [--slow-page-delay 1.2s]
//                   [--pages-per-column N] [--article-bytes N] [--day N] [--change-rate R]
//                   [--families all|scripts|classic,hanweb,hanweb_datastore,trs,dedecms,govcms,
//                               kaipu,listdata,dataurl,rendered]
//   simweb generate (same flags) --truth-dir DIR and/or --pages-dir DIR
//
// serve prints exactly one line "listening 127.0.0.1:PORT" on stdout once the
// truth files are written, then serves until SIGTERM or SIGINT (exit 0).
//
// IPv6 and HTTPS (docs/SIMWEB.md): --bind6 ::1 serves the same web on an IPv6 address too
// ("listening6 [::1]:PORT"); --tls CERT:KEY[,CERT:KEY...] starts a TLS front per
// certificate (PEM chain and key files), each relaying to the web, on the --bind address
// and on --bind6 when given ("tls I 127.0.0.1:PORT", "tls6 I [::1]:PORT", I from 0 in
// the flag's order), printed before the "listening" line; --https-redirect HOST[,HOST...]
// answers plain-http requests for those hosts with a 301 to the same URL over https.
//
// --sites 12 is the original demo (one site per scenario 0-11); --sites 18 adds the
// interaction and content scenarios (unanswered mailbox, serious typo, sensitive word,
// hidden spam links, forged date) and an abandoned site (10 should-update columns with
// nothing for over a year). --day N (default 0) serves the web as of as-of + N
// days: news columns gain items each day, mailbox replies arrive, and from day 1 the
// forged_date site shows one item with a later date; truth.json's "as_of" is as-of + N.
// --change-rate R (0..1, default 0) revises articles of the classic web: on each day
// 1..N an article gets one new paragraph with probability R (docs/SIMWEB.md).
//
// --families (default: the classic web only) builds site i as LIST[i % n]; "all" is the six
// CMS families (hanweb, hanweb_datastore, trs, dedecms; govcms and kaipu held out),
// "scripts" the three whose column lists a script builds in the browser (listdata,
// dataurl, rendered: family_script.cc), and classic can be listed with them. Family sites
// (family_sites.cc, docs/SIMWEB.md) have static intro pages, `javascript:;` submenus, 1-7-row
// lists, 更多 links, 专题专栏 and 办事服务 blocks, a sidebar-only column, blank and stale columns
// and lexicon terms; of every 10 rounds of sites 6 pass and 4 fail. truth.json gives each site its
// "template" and "held_out", each column its "kind", "found_via" and "parent".

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "simweb/http_server.h"
#include "simweb/score.h"
#include "simweb/sim_web.h"
#include "simweb/site_model.h"
#include "simweb/tls_front.h"
#include "simweb/truth.h"

namespace census::simweb {
namespace {

int Usage(const std::string& error) {
  // --help: the usage on stdout, exit 0; an error: on stderr, exit 2.
  FILE* out = error.empty() ? stdout : stderr;
  if (!error.empty()) std::fprintf(stderr, "simweb: %s\n", error.c_str());
  std::fprintf(
      out,
      "usage: simweb serve|generate [--seed N] [--sites N] [--as-of YYYY-MM-DD]\n"
      "         [--probes N] [--port N] [--bind IPV4] [--truth-dir DIR] [--pages-dir DIR]\n"
      "         [--probe-fail-delay 3s] [--hang-delay 8s] [--slow-page-delay 1.2s]\n"
      "         [--pages-per-column N] [--article-bytes N] [--day N] [--change-rate R]\n"
      "         [--bind6 IPV6] [--tls CERT:KEY[,CERT:KEY...]] [--https-redirect HOST[,HOST]]\n"
      "         [--families all|LIST]  (site i imitates LIST[i %% n]; all = the six CMS\n"
      "                                 families: hanweb, hanweb_datastore, trs, dedecms,\n"
      "                                 govcms and kaipu (these two held out); scripts =\n"
      "                                 the three whose lists a script builds: listdata,\n"
      "                                 dataurl, rendered; classic = the original web,\n"
      "                                 the default)\n");
  return error.empty() ? 0 : 2;
}

// A port nobody listens on: bind an ephemeral port, then close it.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 1;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

int Main(int argc, char** argv) {
  if (argc < 2) return Usage("missing command (serve, generate or score)");
  const std::string command = argv[1];
  if (command == "score") return RunScore(std::vector<std::string>(argv + 2, argv + argc));
  if (command == "--help" || command == "-h") {
    std::printf(
        "usage: simweb serve|generate [flags]   the simulated web (simweb serve --help)\n"
        "       simweb score --truth FILE --report FILE [--json] [--verbose]\n");
    return 0;
  }
  if (command != "serve" && command != "generate") return Usage("unknown command " + command);
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") return Usage("");
  }
  std::map<std::string, std::string> flags;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (!absl::StartsWith(arg, "--")) return Usage("unexpected argument " + arg);
    arg = arg.substr(2);
    const size_t eq = arg.find('=');
    if (eq != std::string::npos) {
      flags[arg.substr(0, eq)] = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      flags[arg] = argv[++i];
    } else {
      return Usage("flag --" + arg + " needs a value");
    }
  }
  WebOptions o;
  int port = 0;
  std::string bind_address = "127.0.0.1";
  std::string truth_dir;
  std::string pages_dir;
  std::string bind6;
  std::vector<std::pair<std::string, std::string>> tls_certs;  // (cert, key)
  std::vector<std::string> https_redirect;
  for (const auto& [key, value] : flags) {
    bool ok = true;
    if (key == "seed") {
      ok = absl::SimpleAtoi(value, &o.seed);
    } else if (key == "sites") {
      ok = absl::SimpleAtoi(value, &o.sites) && o.sites >= 0;
    } else if (key == "as-of") {
      ok = absl::ParseCivilTime(value, &o.as_of);
    } else if (key == "probes") {
      ok = absl::SimpleAtoi(value, &o.probes) && o.probes >= 0;
    } else if (key == "port") {
      ok = absl::SimpleAtoi(value, &port) && port >= 0 && port < 65536;
    } else if (key == "bind") {
      bind_address = value;
    } else if (key == "bind6") {
      bind6 = value;
    } else if (key == "tls") {
      for (absl::string_view pair : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        std::vector<std::string> parts = absl::StrSplit(pair, ':');
        ok = ok && parts.size() == 2 && !parts[0].empty() && !parts[1].empty();
        if (ok) tls_certs.emplace_back(parts[0], parts[1]);
      }
    } else if (key == "https-redirect") {
      https_redirect = absl::StrSplit(value, ',', absl::SkipEmpty());
    } else if (key == "truth-dir") {
      truth_dir = value;
    } else if (key == "pages-dir") {
      pages_dir = value;
    } else if (key == "probe-fail-delay") {
      ok = absl::ParseDuration(value, &o.probe_fail_delay);
    } else if (key == "hang-delay") {
      ok = absl::ParseDuration(value, &o.hang_delay);
    } else if (key == "slow-page-delay") {
      ok = absl::ParseDuration(value, &o.slow_page_delay);
    } else if (key == "pages-per-column") {
      ok = absl::SimpleAtoi(value, &o.items_per_column) && o.items_per_column >= 8 &&
           o.items_per_column < 49000;  // item ids from 49998 up are added items
    } else if (key == "day") {
      ok = absl::SimpleAtoi(value, &o.day) && o.day >= 0 && o.day <= 3650;
    } else if (key == "change-rate") {
      ok = absl::SimpleAtod(value, &o.article_change_rate) && o.article_change_rate >= 0 &&
           o.article_change_rate <= 1;
    } else if (key == "article-bytes") {
      ok = absl::SimpleAtoi(value, &o.article_bytes) && o.article_bytes >= 0;
    } else if (key == "families") {
      o.families.clear();
      for (absl::string_view name : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        if (name == "all" || name == "scripts") {
          const bool all = name == "all";
          for (int f = all ? 1 : kMarkupFamilyEnd; f < (all ? kMarkupFamilyEnd : kFamilyCount);
               ++f) {
            o.families.push_back(static_cast<Family>(f));
          }
          continue;
        }
        Family f;
        ok = ok && ParseFamily(name, &f);
        if (ok) o.families.push_back(f);
      }
      ok = ok && !o.families.empty();
    } else {
      return Usage("unknown flag --" + key);
    }
    if (!ok) return Usage("bad value for --" + key + ": " + value);
  }

  auto web = std::make_shared<SimWeb>(BuildWeb(o));
  if (command == "generate") {
    if (truth_dir.empty() && pages_dir.empty())
      return Usage("generate needs --truth-dir or --pages-dir");
    if (!truth_dir.empty()) {
      absl::Status st =
          WriteTruthFiles(web->web(), ConnectTo(web->web(), port == 0 ? 80 : port, 1), truth_dir);
      if (!st.ok()) return Usage(std::string(st.message()));
    }
    if (!pages_dir.empty()) {
      absl::Status st = web->WritePages(pages_dir);
      if (!st.ok()) return Usage(std::string(st.message()));
    }
    return 0;
  }

  // serve: block the stop signals before any thread starts so only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // Plain requests for the --https-redirect hosts go to https; the rest to the web.
  HttpHandler handler = [web, https_redirect](const HttpRequest& req) {
    if (!req.tls &&
        std::find(https_redirect.begin(), https_redirect.end(), req.host) != https_redirect.end()) {
      HttpResponse r;
      r.status = 301;
      r.headers.emplace_back("Location", absl::StrCat("https://", req.host, req.target));
      r.body = "moved to https\n";
      return r;
    }
    return web->Handle(req);
  };
  auto server = HttpServer::Start(handler, port, 1024, bind_address);
  if (!server.ok()) {
    std::fprintf(stderr, "simweb: cannot listen: %s\n",
                 std::string(server.status().message()).c_str());
    return 1;
  }
  std::vector<std::unique_ptr<HttpServer>> more_servers;
  std::vector<std::unique_ptr<TlsFront>> fronts;
  if (!bind6.empty()) {
    auto v6 = HttpServer::Start(handler, 0, 1024, bind6);
    if (!v6.ok()) {
      std::fprintf(stderr, "simweb: cannot listen on %s: %s\n", bind6.c_str(),
                   std::string(v6.status().message()).c_str());
      return 1;
    }
    std::printf("listening6 [%s]:%d\n", bind6.c_str(), (*v6)->port());
    more_servers.push_back(*std::move(v6));
  }
  if (!tls_certs.empty()) {
    // The fronts' backend: the same web, its requests marked as having come over TLS.
    auto backend = HttpServer::Start(
        [handler](const HttpRequest& req) {
          HttpRequest over_tls = req;
          over_tls.tls = true;
          return handler(over_tls);
        },
        0, 1024, "127.0.0.1");
    if (!backend.ok()) {
      std::fprintf(stderr, "simweb: cannot listen: %s\n",
                   std::string(backend.status().message()).c_str());
      return 1;
    }
    const int backend_port = (*backend)->port();
    more_servers.push_back(*std::move(backend));
    for (size_t i = 0; i < tls_certs.size(); ++i) {
      for (const std::string& address : {bind_address, bind6}) {
        if (address.empty()) continue;
        auto front =
            TlsFront::Start(tls_certs[i].first, tls_certs[i].second, address, 0, backend_port);
        if (!front.ok()) {
          std::fprintf(stderr, "simweb: --tls %s: %s\n", tls_certs[i].first.c_str(),
                       std::string(front.status().message()).c_str());
          return 1;
        }
        std::printf("%s %zu %s:%d\n", address == bind6 ? "tls6" : "tls", i,
                    address == bind6 ? absl::StrCat("[", address, "]").c_str() : address.c_str(),
                    (*front)->port());
        fronts.push_back(*std::move(front));
      }
    }
  }
  const int dead_port = ClosedPort();
  if (!truth_dir.empty()) {
    absl::Status st =
        WriteTruthFiles(web->web(), ConnectTo(web->web(), (*server)->port(), dead_port), truth_dir);
    if (!st.ok()) {
      std::fprintf(stderr, "simweb: %s\n", std::string(st.message()).c_str());
      return 1;
    }
  }
  if (!pages_dir.empty()) {
    absl::Status st = web->WritePages(pages_dir);
    if (!st.ok()) {
      std::fprintf(stderr, "simweb: %s\n", std::string(st.message()).c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "simweb: %d sites, seed %llu, day %d, as of %s, dead-host port %d\n",
               o.sites, static_cast<unsigned long long>(o.seed), o.day,
               absl::FormatCivilTime(o.as_of + o.day).c_str(), dead_port);
  std::printf("listening %s:%d\n", bind_address.c_str(), (*server)->port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  for (auto& front : fronts) front->Stop();
  for (auto& more : more_servers) more->Stop();
  (*server)->Stop();
  return 0;
}

}  // namespace
}  // namespace census::simweb

int main(int argc, char** argv) { return census::simweb::Main(argc, argv); }
