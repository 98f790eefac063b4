#ifndef CENSUS_CMD_RUN_COMMAND_H_
#define CENSUS_CMD_RUN_COMMAND_H_

// `census run` and `census extract`: argument parsing and the wiring of the roles.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace census {

struct RunConfig {
  std::string sites_file;
  std::string columns_file;
  std::string out_dir = "census-out";
  std::string data_dir = "census-data";
  std::string as_of = "now";
  std::string rubric_file;
  std::string lexicon_file;
  std::string evidence_base;  // --evidence-base URL: `census serve`'s address (evidence links)
  int workers = 2;
  int probes = 20;
  absl::Duration probe_interval = absl::Seconds(30);
  int ipv6_probes = 3;      // of the probes, how many also probe over IPv6 (--ipv6-probes)
  bool https_check = true;  // the site's HTTPS, once (--https-check on|off)
  std::string ca_file;      // CAs https is verified against (--ca-file); "" = system store
  absl::Duration probe_timeout = absl::Seconds(15);
  absl::Duration page_timeout = absl::Seconds(30);
  absl::Duration host_delay = absl::Milliseconds(50);
  int host_connections = 4;
  std::vector<std::string> connect_to;
  int max_pages_per_site = 2000;
  int max_list_pages = 3;                           // COLUMN pagination bound
  absl::Duration recheck_delay = absl::Seconds(2);  // before a failed link's recheck
  bool no_robots = false;
  bool allow_private = false;
  bool quiet = false;
  // The rendered look of columns a script may fill (WorkerOptions::render): "auto" is on
  // when Chromium is installed, "off" never renders.
  bool render = true;
  std::string chromium;  // "" → DefaultChromiumPath()
  absl::Duration render_timeout = absl::Seconds(8);
};

// Parses the arguments after "run"; InvalidArgument says which flag and why.
absl::StatusOr<RunConfig> ParseRunArgs(const std::vector<std::string>& args);

// Runs a whole census in one process (every role over inproc://). Returns the exit
// status for main().
int RunCensus(const RunConfig& config);

// `census extract [--url URL] [--as-of YYYY-MM-DD] FILE|-`
int RunExtract(const std::vector<std::string>& args);

// Says on stderr, once, when a census will have no rendered look (render off, or no
// Chromium at `chromium` / DefaultChromiumPath()) and what that means for its verdicts.
void WarnWithoutRenderer(const char* who, bool render, const std::string& chromium);

// The bytes of `path`, or of standard input for "-"; NotFound naming the file.
absl::StatusOr<std::string> ReadInputFile(const std::string& path);

extern const char kUsage[];

}  // namespace census

#endif  // CENSUS_CMD_RUN_COMMAND_H_
