#ifndef CENSUS_TESTS_SUBPROCESS_H_
#define CENSUS_TESTS_SUBPROCESS_H_

// Child processes for end-to-end tests: the real binaries, started and always stopped
// (the destructor kills and reaps the child, so a failing test leaves no server behind).

#include <sys/types.h>

#include <string>
#include <vector>

namespace census::testing {

class Subprocess {
 public:
  // Starts argv[0] with argv; stdout goes to `stdout_path` ("" = inherit).
  Subprocess(const std::vector<std::string>& argv, const std::string& stdout_path,
             const std::string& stderr_path = "");
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // True while the child has not exited (reaps it, and records its status, if it has).
  bool Running();
  // Waits for exit; returns the exit status (128 + signal when killed).
  int Wait();
  void Terminate();
  // kill -9, and reaps it; returns the exit status (128 + 9).
  int Kill();
  // Sends `sig` (SIGSTOP, SIGCONT, ...).
  void Signal(int sig);
  // Whether it has exited (reaping it); *status gets the exit status then.
  bool Exited(int* status);

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// A loopback TCP port nobody listens on right now (bound to port 0, then closed); -1 if
// none could be had.
int FreeLoopbackPort();

// Runs to completion and returns the exit status.
int RunToCompletion(const std::vector<std::string>& argv, const std::string& stdout_path,
                    const std::string& stderr_path);

}  // namespace census::testing

#endif  // CENSUS_TESTS_SUBPROCESS_H_
