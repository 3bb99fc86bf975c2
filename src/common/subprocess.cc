#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

extern char** environ;

namespace ferry {
namespace {

// A pipe whose ends close with it. Both ends are close-on-exec: the child gets its copies
// through dup2 in the spawn's file actions, which clears the flag on the duplicate.
struct Pipe {
  int read = -1, write = -1;
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  bool Open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
  void CloseRead() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void CloseWrite() {
    if (write >= 0) ::close(write);
    write = -1;
  }
};

std::vector<std::string> Environment(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> vars;  // by name, so extra entries replace
  for (char** e = environ; e && *e; ++e) {
    const std::string_view entry(*e);
    vars[std::string(entry.substr(0, entry.find('=')))] = entry;
  }
  for (const auto& entry : extra) vars[entry.substr(0, entry.find('='))] = entry;
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (auto& [name, entry] : vars) out.push_back(std::move(entry));
  return out;
}

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Kills the child and reaps it, so no zombie is left.
void KillAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

bool ProgramExists(std::string_view program) {
  if (program.empty()) return false;
  if (program.find('/') != std::string_view::npos) {
    return ::access(std::string(program).c_str(), X_OK) == 0;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    if (dir.empty()) dir = ".";
    if (::access((dir + "/" + std::string(program)).c_str(), X_OK) == 0) return true;
  }
  return false;
}

Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, std::string_view input,
                                 const ProcessOptions& options) {
  if (argv.empty()) return Fail(ErrorCode::kInvalidParams, "no program to run");
  if (!ProgramExists(argv[0])) {
    return Fail(ErrorCode::kUnsupported, argv[0] + ": program not found");
  }
  Pipe in, out, err;
  if (!in.Open() || !out.Open() || !err.Open()) {
    return Fail(ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  // Nothing else of the server's (sockets, files) reaches the child.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  // The child starts with default signal dispositions (the server ignores SIGPIPE).
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env = Environment(options.extra_env);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int spawned =
      posix_spawnp(&pid, argv[0].c_str(), &actions, &attributes, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) {
    return Fail(spawned == ENOENT ? ErrorCode::kUnsupported : ErrorCode::kIo,
                argv[0] + ": cannot start: " + std::strerror(spawned));
  }
  // The child's ends belong to the child now.
  in.CloseRead();
  out.CloseWrite();
  err.CloseWrite();
  SetNonBlocking(in.write);
  SetNonBlocking(out.read);
  SetNonBlocking(err.read);

  ProcessOutput result;
  std::size_t written = 0;
  if (input.empty()) in.CloseWrite();
  std::array<char, 65536> buffer;
  while (out.read >= 0 || err.read >= 0) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= options.deadline) {
      KillAndReap(pid);
      return Fail(ErrorCode::kTimeout, argv[0] + " did not finish in time (killed)");
    }
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    const auto watch = [&](int fd, short events) {
      if (fd >= 0) fds[n++] = pollfd{fd, events, 0};
    };
    watch(out.read, POLLIN);
    watch(err.read, POLLIN);
    watch(in.write, POLLOUT);
    const auto wait = std::min<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(options.deadline - now) +
            std::chrono::milliseconds(1),
        std::chrono::milliseconds(1000));
    if (::poll(fds.data(), n, static_cast<int>(wait.count())) < 0 && errno != EINTR) {
      KillAndReap(pid);
      return Fail(ErrorCode::kIo, std::string("poll: ") + std::strerror(errno));
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      const int fd = fds[i].fd;
      if (fd == in.write) {
        const ssize_t w = ::write(fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        // Done, or the child stopped reading (EPIPE): either way no more input.
        if (written == input.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) {
          in.CloseWrite();
        }
        continue;
      }
      const bool is_out = fd == out.read;
      std::string& sink = is_out ? result.out : result.err;
      const ssize_t r = ::read(fd, buffer.data(), buffer.size());
      if (r > 0) {
        sink.append(buffer.data(), static_cast<std::size_t>(r));
        if (sink.size() > options.max_output) {
          KillAndReap(pid);
          return Fail(ErrorCode::kInvalidParams,
                      argv[0] + " wrote more than " + std::to_string(options.max_output) +
                          " bytes (killed)");
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        (is_out ? out : err).CloseRead();
      }
    }
  }
  in.CloseWrite();
  // Its output is closed; a child that lingers after that still answers to the deadline.
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= options.deadline) {
      KillAndReap(pid);
      return Fail(ErrorCode::kTimeout, argv[0] + " did not finish in time (killed)");
    }
    ::usleep(1000);
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  return result;
}

}  // namespace ferry
