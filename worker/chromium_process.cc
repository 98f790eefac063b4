#include "worker/internal/chromium_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

extern char** environ;

namespace census {
namespace internal {
namespace {

// Milliseconds to wait in poll() until `deadline` (0 when past, capped at a minute).
int PollMs(absl::Time deadline) {
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(60000, absl::ToInt64Milliseconds(left) + 1));
}

// Moves `fd` above the stdio and pipe fds the child will have (0..4), close-on-exec.
int MoveHigh(int fd) {
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  return high;
}

// The process group and state of /proc/<pid>/stat ("pid (comm) S ppid pgrp ...").
bool ReadStat(const std::string& pid, pid_t* pgrp, char* state) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return false;
  size_t close_paren = line.rfind(')');
  if (close_paren == std::string::npos) return false;
  std::vector<absl::string_view> f =
      absl::StrSplit(absl::string_view(line).substr(close_paren + 1), ' ', absl::SkipEmpty());
  if (f.size() < 3 || f[0].empty()) return false;
  *state = f[0][0];
  int g = 0;
  if (!absl::SimpleAtoi(f[2], &g)) return false;
  *pgrp = g;
  return true;
}

template <typename Fn>
void ForEachProcessInGroup(pid_t pgid, Fn fn) {
  DIR* d = opendir("/proc");
  if (d == nullptr) return;
  while (struct dirent* e = readdir(d)) {
    int pid = 0;
    if (!absl::SimpleAtoi(e->d_name, &pid)) continue;
    pid_t pgrp = 0;
    char state = 0;
    if (ReadStat(e->d_name, &pgrp, &state) && pgrp == pgid) fn(e->d_name, state);
  }
  closedir(d);
}

}  // namespace

std::vector<pid_t> LiveProcessesInGroup(pid_t pgid) {
  std::vector<pid_t> out;
  if (pgid <= 0) return out;
  ForEachProcessInGroup(pgid, [&](const char* pid, char state) {
    int p = 0;
    if (state != 'Z' && state != 'X' && absl::SimpleAtoi(pid, &p)) out.push_back(p);
  });
  return out;
}

absl::StatusOr<std::unique_ptr<ChromiumProcess>> ChromiumProcess::Spawn(
    const std::string& path, const std::vector<std::string>& flags) {
  std::unique_ptr<ChromiumProcess> p(new ChromiumProcess());
  const char* tmp = getenv("TMPDIR");
  std::string templ =
      absl::StrCat((tmp != nullptr && *tmp != '\0') ? tmp : "/tmp", "/census-chromium-XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::UnavailableError(absl::StrCat("mkdtemp ", templ, ": ", std::strerror(errno)));
  }
  p->dir_ = templ;

  std::vector<std::string> args = {path};
  args.insert(args.end(), flags.begin(), flags.end());
  args.push_back("--remote-debugging-pipe");
  args.push_back(absl::StrCat("--user-data-dir=", p->dir_, "/profile"));
  args.push_back("about:blank");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The census's environment, in China's time zone: scripts that turn timestamps
  // into dates must give the dates a visitor in China sees.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "TZ=")) env_strings.push_back(*e);
  }
  env_strings.push_back("TZ=Asia/Shanghai");
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return absl::UnavailableError(absl::StrCat("socketpair: ", std::strerror(errno)));
  }
  const int child_end = MoveHigh(sv[1]);
  p->fd_ = sv[0];
  const int devnull = MoveHigh(open("/dev/null", O_RDWR | O_CLOEXEC));
  const int err = MoveHigh(open(absl::StrCat(p->dir_, "/stderr.log").c_str(),
                                O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (child_end < 0 || devnull < 0 || err < 0) {
    for (int fd : {child_end, devnull, err}) {
      if (fd >= 0) close(fd);
    }
    return absl::UnavailableError(absl::StrCat("chromium pipe setup: ", std::strerror(errno)));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // Child: async-signal-safe calls only until execve.
    setpgid(0, 0);
    // The browser dies with the census (strictly: with the thread that started it;
    // PageRenderer then sees EOF and starts another).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(err, 2) < 0 ||
        dup2(child_end, 3) < 0 || dup2(child_end, 4) < 0) {
      _exit(127);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(child_end);
  close(devnull);
  close(err);
  if (pid < 0) {
    return absl::UnavailableError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  setpgid(pid, pid);  // also here: no window in which the child is in our group
  p->pid_ = pid;
  p->pgid_ = pid;
  fcntl(p->fd_, F_SETFL, fcntl(p->fd_, F_GETFL) | O_NONBLOCK);
  return p;
}

ChromiumProcess::~ChromiumProcess() { Kill(); }

absl::Status ChromiumProcess::Send(const std::string& message, absl::Time deadline) {
  if (fd_ < 0 || eof_) return absl::UnavailableError("chromium: pipe closed");
  std::string data = message;
  data.push_back('\0');
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd pfd = {fd_, POLLOUT, 0};
      int r = poll(&pfd, 1, PollMs(deadline));
      if (r == 0) return absl::DeadlineExceededError("chromium: pipe write timed out");
      continue;
    }
    eof_ = true;
    return absl::UnavailableError(absl::StrCat("chromium: pipe write: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> ChromiumProcess::Receive(absl::Time deadline) {
  while (true) {
    size_t nul = inbox_.find('\0');
    if (nul != std::string::npos) {
      std::string msg = inbox_.substr(0, nul);
      inbox_.erase(0, nul + 1);
      return std::optional<std::string>(std::move(msg));
    }
    if (fd_ < 0 || eof_) return absl::UnavailableError("chromium: pipe closed (browser exited)");
    char buf[65536];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n > 0) {
      inbox_.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      eof_ = true;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      eof_ = true;
      continue;
    }
    struct pollfd pfd = {fd_, POLLIN, 0};
    int r = poll(&pfd, 1, PollMs(deadline));
    if (r == 0 && absl::Now() >= deadline) return std::optional<std::string>();
  }
}

bool ChromiumProcess::Alive() {
  if (pid_ == 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    pid_ = 0;
    return false;
  }
  return !eof_;
}

void ChromiumProcess::Close(absl::Duration grace) {
  const absl::Time until = absl::Now() + grace;
  while (pid_ != 0 && absl::Now() < until) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
      pid_ = 0;
      break;
    }
    usleep(10000);
  }
  Kill();
}

void ChromiumProcess::Kill() {
  // killpg only while the group has members: once it is empty its id may be reused.
  const bool signalled = pgid_ > 0 && (pid_ != 0 || !LiveProcessesInGroup(pgid_).empty()) &&
                         killpg(pgid_, SIGKILL) == 0;
  if (pid_ != 0) {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = 0;
  }
  // SIGKILL is delivered asynchronously: the browser's children (not ours to reap) can still
  // be running for a moment after killpg returns. Wait, bounded, until none is, so that a
  // closed browser holds no CPU or memory when Close returns (a loaded 2-core machine was seen
  // with two still alive right after the call).
  if (signalled) {
    for (int i = 0; i < 200 && !LiveProcessesInGroup(pgid_).empty(); ++i) usleep(5000);
  }
  pgid_ = 0;
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
  eof_ = true;
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);  // best effort: a leftover is only disk
    dir_.clear();
  }
}

int64_t ChromiumProcess::GroupRssBytes() const {
  if (pgid_ <= 0) return 0;
  int64_t bytes = 0;
  ForEachProcessInGroup(pgid_, [&](const char* pid, char state) {
    // Pss: every process maps the same Chromium binary and shared memory, which a
    // plain sum of resident sizes would count once per process (an idle browser
    // then "uses" 900 MB where 380 MB are really its own).
    std::ifstream rollup(absl::StrCat("/proc/", pid, "/smaps_rollup"));
    std::string line;
    while (std::getline(rollup, line)) {
      absl::string_view v(line);
      int64_t kb = 0;
      if (absl::ConsumePrefix(&v, "Pss:") && absl::ConsumeSuffix(&v, "kB") &&
          absl::SimpleAtoi(absl::StripAsciiWhitespace(v), &kb)) {
        bytes += kb * 1024;
        return;
      }
    }
    std::ifstream statm(absl::StrCat("/proc/", pid, "/statm"));  // kernels before 4.14
    int64_t size = 0, resident = 0;
    if (statm >> size >> resident) bytes += resident * sysconf(_SC_PAGESIZE);
  });
  return bytes;
}

std::string ChromiumProcess::StderrTail() const {
  if (dir_.empty()) return "";
  std::ifstream in(absl::StrCat(dir_, "/stderr.log"), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  if (all.size() > 1500) all = all.substr(all.size() - 1500);
  return all;
}

}  // namespace internal
}  // namespace census
