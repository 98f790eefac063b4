#ifndef CENSUS_SIMWEB_SIM_WEB_H_
#define CENSUS_SIMWEB_SIM_WEB_H_

// Serves the simulated government web described by a Web model: renders every
// page on the fly (nothing is precomputed), encodes GBK sites, and applies the
// dynamic faults (503 hosts, slow probes, hanging and looping links).
//
// Probe requests are GET/HEAD "/" carrying `Cache-Control: no-cache`; they are
// counted per host (atomic, arrival order from 0). Ordinary GETs of "/" are
// never slow.
//
// Thread-safety: Handle() may be called concurrently. It never sleeps: a slow
// answer carries HttpResponse::delay and the HTTP server waits.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "simweb/http_server.h"
#include "simweb/site_model.h"

namespace census::simweb {

class SimWeb {
 public:
  explicit SimWeb(Web web);
  SimWeb(const SimWeb&) = delete;
  SimWeb& operator=(const SimWeb&) = delete;

  const Web& web() const { return web_; }
  HttpResponse Handle(const HttpRequest& req);
  // Probe requests seen so far by site index.
  int64_t probes_seen(int site) const;

  // Writes every page (no dynamic faults) as static files under
  // dir/<host>/<path> ("index.html" for directories) for nginx benchmarks.
  absl::Status WritePages(const std::string& dir) const;

  // UTF-8 -> GBK bytes (GB18030, identical to GBK for the characters used).
  static std::string ToGbk(absl::string_view utf8);

 private:
  struct Page {
    int status = 200;
    std::string body;          // UTF-8 HTML (or raw bytes when content_type is set)
    std::string content_type;  // empty: HTML in the site's charset
    std::string location;      // redirect target
    absl::Duration delay = absl::ZeroDuration();
  };
  // Path without query. `site` is null for external hosts.
  Page Route(const Site* site, absl::string_view path, absl::string_view query = "") const;
  HttpResponse Finish(const Site* site, Page page) const;

  Web web_;
  absl::flat_hash_map<std::string, int> host_index_;  // site hosts -> index
  std::unique_ptr<std::atomic<int64_t>[]> probes_;
};

}  // namespace census::simweb

#endif  // CENSUS_SIMWEB_SIM_WEB_H_
