#include "runtime/stop_signal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>

namespace ferry::runtime {
namespace {

std::atomic<bool> g_requested{false};

// A self-pipe, made before any signal handler can run (static initialization of this file is
// forced by the first StopFd/RequestStop call from normal code: see Pipe()).
struct Pipe {
  int read_fd = -1;
  int write_fd = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
      read_fd = fds[0];
      write_fd = fds[1];
    }
  }
};

Pipe& ThePipe() {
  static Pipe pipe;
  return pipe;
}

// Created at load time, so the signal handler never runs the static's initializer.
[[maybe_unused]] const int kInit = (ThePipe(), 0);

}  // namespace

void RequestStop() {
  g_requested.store(true);
  const int fd = ThePipe().write_fd;
  if (fd >= 0) {
    const char byte = 1;
    [[maybe_unused]] auto n = ::write(fd, &byte, 1);
  }
}

bool StopRequested() { return g_requested.load(); }

int StopFd() { return ThePipe().read_fd; }

void WaitForStop() {
  const int fd = StopFd();
  while (!StopRequested()) {
    if (fd < 0) {
      ::usleep(50 * 1000);
      continue;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) < 0 && errno != EINTR) ::usleep(50 * 1000);
  }
}

}  // namespace ferry::runtime
