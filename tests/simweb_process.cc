#include "tests/simweb_process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "google/protobuf/util/json_util.h"

namespace census::testing {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ListedRunIds(const std::string& census_bin, const std::string& data,
                                      const fs::path& dir) {
  const int status = RunToCompletion({census_bin, "replay", "--data", data, "--list"},
                                     (dir / "list.out").string(), (dir / "list.err").string());
  if (status != 0) {
    ADD_FAILURE() << "census replay --list exited " << status << ": " << ReadFile(dir / "list.err");
    return {};
  }
  std::vector<std::string> ids;
  std::istringstream lines(ReadFile(dir / "list.out"));
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    if (!line.empty()) ids.push_back(line.substr(0, line.find('\t')));
  }
  return ids;
}

SimWebProcess::SimWebProcess(const std::string& simweb_bin, const fs::path& dir,
                             const std::vector<std::string>& args) {
  const fs::path truth_dir = dir / "truth";
  fs::remove_all(truth_dir);
  fs::create_directories(truth_dir);
  fs::remove(dir / "simweb.out");
  std::vector<std::string> argv = {simweb_bin, "serve", "--truth-dir", truth_dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<Subprocess>(argv, (dir / "simweb.out").string(),
                                          (dir / "simweb.err").string());
  if (!process_->started()) {
    error_ = "simweb did not start";
    return;
  }
  // Bounded: 300 × 20 ms.
  for (int i = 0; i < 300 && port_.empty(); ++i) {
    const std::string out = ReadFile(dir / "simweb.out");
    const size_t at = out.find("listening 127.0.0.1:");
    const size_t nl = out.find('\n', at);
    if (at != std::string::npos && nl != std::string::npos) {
      port_ = out.substr(at + 20, nl - at - 20);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (port_.empty()) {
    error_ = "simweb did not listen: " + ReadFile(dir / "simweb.err");
    return;
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto st = google::protobuf::util::JsonStringToMessage(ReadFile(truth_dir / "truth.json"), &truth_,
                                                        options);
  if (!st.ok()) error_ = "truth.json: " + st.ToString();
}

std::vector<std::string> SimWebProcess::ConnectToArgs() const {
  std::vector<std::string> args;
  for (const std::string& rule : truth_.connect_to()) {
    args.push_back("--connect-to");
    args.push_back(rule);
  }
  return args;
}

std::vector<std::string> SimWebProcess::CensusRunArgs(const fs::path& sites, const fs::path& out,
                                                      const fs::path& data, int probes,
                                                      const std::string& probe_interval) const {
  std::vector<std::string> args = {"run",
                                   "--sites",
                                   sites.string(),
                                   "--out",
                                   out.string(),
                                   "--data",
                                   data.string(),
                                   "--as-of",
                                   truth_.as_of(),
                                   "--probes",
                                   std::to_string(probes),
                                   "--probe-interval",
                                   probe_interval,
                                   "--probe-timeout",
                                   "1s",
                                   "--page-timeout",
                                   "3s",
                                   "--host-delay",
                                   "5ms",
                                   "--workers",
                                   "2"};
  for (const std::string& arg : ConnectToArgs()) args.push_back(arg);
  return args;
}

}  // namespace census::testing
