#ifndef CENSUS_WORKER_INTERNAL_CHROMIUM_PROCESS_H_
#define CENSUS_WORKER_INTERNAL_CHROMIUM_PROCESS_H_

// A Chromium process with its DevTools pipe (--remote-debugging-pipe: the browser
// reads NUL-terminated JSON messages on fd 3 and writes them on fd 4). Both fds are
// one end of a Unix socketpair, so a write to a dead browser fails with EPIPE
// (MSG_NOSIGNAL) instead of raising SIGPIPE in the census.
//
// The browser runs in a process group of its own (pgid == its pid), so its
// renderer, GPU and utility processes can be killed together and their memory
// summed. Its profile lives in a fresh temporary directory removed by Kill/Close.
// Not thread-safe.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace census {
namespace internal {

class ChromiumProcess {
 public:
  // Starts `path` with `flags` plus --remote-debugging-pipe and
  // --user-data-dir=<fresh temp dir>. Unavailable when it cannot be spawned.
  static absl::StatusOr<std::unique_ptr<ChromiumProcess>> Spawn(
      const std::string& path, const std::vector<std::string>& flags);

  ~ChromiumProcess();  // Kill()
  ChromiumProcess(const ChromiumProcess&) = delete;
  ChromiumProcess& operator=(const ChromiumProcess&) = delete;

  // Writes one message (a NUL is appended). Unavailable when the browser is gone;
  // DeadlineExceeded when it would not read before `deadline`.
  absl::Status Send(const std::string& message, absl::Time deadline);
  // The next message; nullopt when none came before `deadline`; Unavailable on EOF
  // (the browser closed the pipe or died).
  absl::StatusOr<std::optional<std::string>> Receive(absl::Time deadline);

  // False once the browser has exited (it is reaped then) or was killed.
  bool Alive();
  // Waits up to `grace` for the browser to exit by itself (after Browser.close),
  // then does what Kill does.
  void Close(absl::Duration grace);
  // SIGKILL to the whole process group, reaps the browser, removes the profile.
  void Kill();

  pid_t pid() const { return pid_; }
  // Sum of the resident sets of the processes in the browser's process group.
  int64_t GroupRssBytes() const;
  // The last lines Chromium wrote to stderr (for start-up errors).
  std::string StderrTail() const;

 private:
  ChromiumProcess() = default;

  pid_t pid_ = 0;      // 0: not running (reaped)
  pid_t pgid_ = 0;     // the browser's process group, kept until Kill
  int fd_ = -1;        // our end of the pipe
  std::string dir_;    // temp dir: profile/ and stderr.log
  std::string inbox_;  // bytes received, not yet a whole message
  bool eof_ = false;
};

// Pids of the live (not zombie) processes whose process group is `pgid`.
std::vector<pid_t> LiveProcessesInGroup(pid_t pgid);

}  // namespace internal
}  // namespace census

#endif  // CENSUS_WORKER_INTERNAL_CHROMIUM_PROCESS_H_
