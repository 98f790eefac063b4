#ifndef CENSUS_TESTS_SIMWEB_PROCESS_H_
#define CENSUS_TESTS_SIMWEB_PROCESS_H_

// The simulated web as end-to-end tests run it: the real `simweb serve` binary on a free
// loopback port, stopped when the object goes (also when the test failed), with the
// ground truth it wrote.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "simweb/truth.pb.h"
#include "tests/subprocess.h"

namespace census::testing {

class SimWebProcess {
 public:
  // Starts `simweb serve --truth-dir DIR/truth <args>` and waits until it listens and
  // its truth.json is read. `ok()` says whether that worked; `error()` why not.
  SimWebProcess(const std::string& simweb_bin, const std::filesystem::path& dir,
                const std::vector<std::string>& args);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& port() const { return port_; }
  const Truth& truth() const { return truth_; }
  // --connect-to flags for `census run`, from the truth.
  std::vector<std::string> ConnectToArgs() const;
  // `census run` against this web, as the end-to-end tests run it: the truth's as-of
  // date, `probes` probes `probe_interval` apart, short timeouts, 2 workers, the
  // --connect-to routes. Without the binary: Census tests prepend it.
  std::vector<std::string> CensusRunArgs(const std::filesystem::path& sites,
                                         const std::filesystem::path& out,
                                         const std::filesystem::path& data, int probes,
                                         const std::string& probe_interval) const;

 private:
  std::unique_ptr<Subprocess> process_;
  std::string port_;
  std::string error_;
  Truth truth_;
};

std::string ReadFile(const std::filesystem::path& path);

// The run ids `census_bin replay --data DATA --list` prints, oldest first (its output goes
// to DIR/list.out and DIR/list.err). A failing run is a test failure, and gives none.
std::vector<std::string> ListedRunIds(const std::string& census_bin, const std::string& data,
                                      const std::filesystem::path& dir);

}  // namespace census::testing

#endif  // CENSUS_TESTS_SIMWEB_PROCESS_H_
