#include "transport/stdio/stdio_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "json/ndjson_framer.h"
#include "protocol/server_core.h"
#include "protocol/session.h"
#include "runtime/stop_signal.h"

namespace ferry::transport {
namespace {

// Writes messages to an fd from its own thread, many messages per write() when they queue up.
class FdWriter final : public protocol::Outbound {
 public:
  FdWriter(int fd, std::size_t max_pending) : fd_(fd), max_pending_(max_pending) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~FdWriter() override { Close(); }

  void Send(std::string message) override {
    std::unique_lock lock(mutex_);
    // Backpressure on a client that does not read: senders wait instead of growing memory. A full
    // queue wakes the writer even when corked, or a corked reader would wait for itself.
    if (pending_.size() >= max_pending_ && idle_) {
      idle_ = false;
      ready_.notify_one();
    }
    space_.wait(lock, [&] { return pending_.size() < max_pending_ || broken_ || closing_; });
    if (broken_) return;
    pending_.append(message);
    pending_.push_back('\n');
    if (idle_ && !corked_) {
      idle_ = false;
      ready_.notify_one();
    }
  }

  // While corked, output collects without waking the writer: the reader corks around each chunk
  // it processes, so a chunk's many responses leave in one write() instead of one wake-up each.
  void Cork() {
    std::lock_guard lock(mutex_);
    corked_ = true;
  }
  void Uncork() {
    std::lock_guard lock(mutex_);
    corked_ = false;
    if (idle_ && !pending_.empty()) {
      idle_ = false;
      ready_.notify_one();
    }
  }

  // Flushes what is queued and stops the thread.
  void Close() {
    {
      std::lock_guard lock(mutex_);
      if (closing_) return;
      closing_ = true;
    }
    ready_.notify_one();
    space_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::string batch;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        idle_ = true;
        ready_.wait(lock, [&] { return !pending_.empty() || closing_; });
        idle_ = false;
        if (pending_.empty() && closing_) return;
        batch.swap(pending_);
      }
      space_.notify_all();
      if (!WriteAll(batch)) {
        std::lock_guard lock(mutex_);
        broken_ = true;
        pending_.clear();
        space_.notify_all();
      }
      batch.clear();
    }
  }

  bool WriteAll(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          pollfd p{fd_, POLLOUT, 0};
          ::poll(&p, 1, 100);
          continue;
        }
        Log().error("stdio: writing to the client failed: {}; dropping further output",
                    std::strerror(errno));
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  const int fd_;
  const std::size_t max_pending_;
  std::mutex mutex_;  // guards pending_, idle_, corked_, closing_, broken_
  std::condition_variable ready_;  // the writer waits for output
  std::condition_variable space_;  // senders wait for room
  std::string pending_;
  bool idle_ = false;
  bool corked_ = false;
  bool closing_ = false;
  bool broken_ = false;
  std::thread thread_;
};

// Waits until `fd` is readable or a stop is requested. False on stop.
bool WaitReadable(int fd) {
  const int stop_fd = runtime::StopFd();
  for (;;) {
    if (runtime::StopRequested()) return false;
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    const int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return true;  // let read() report the problem
    }
    if (stop_fd >= 0 && (fds[1].revents & POLLIN)) return false;
    if (fds[0].revents) return true;
  }
}

}  // namespace

Result<void> ServeStdio(protocol::ServerCore& core, int input_fd, int output_fd) {
  const auto& config = core.config();
  const std::size_t max_message = static_cast<std::size_t>(config.protocol.max_message_size);
  auto writer = std::make_shared<FdWriter>(
      output_fd, std::max<std::size_t>(16u << 20, 2 * max_message));
  auto session = std::make_shared<protocol::Session>(core, writer);
  core.Attach(session);
  Log().info("serving MCP over stdio");

  jsonrpc::NdjsonFramer framer(max_message);
  std::vector<char> buffer(64 * 1024);
  const auto threshold = static_cast<std::size_t>(config.performance.backpressure_threshold);
  auto on_line = [&](std::string_view line) { session->HandleText(line); };
  auto on_oversized = [&](std::size_t limit) { session->HandleOversized(limit); };
  Result<void> outcome;

  for (;;) {
    session->WaitForCapacity(threshold);
    if (!WaitReadable(input_fd)) {
      Log().info("stdio: stop requested");
      break;
    }
    const ssize_t n = ::read(input_fd, buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      outcome = Fail(ErrorCode::kIo, std::string("reading stdin failed: ") + std::strerror(errno));
      break;
    }
    writer->Cork();
    framer.Feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)), on_line,
                on_oversized);
    writer->Uncork();
  }
  framer.Finish(on_line);

  // Shut down: nobody will answer our requests now; let running work finish for
  // stdio_drain_timeout, cancel it, and give cancelled handlers the rest of shutdown_timeout.
  session->InputClosed();
  const auto& perf = config.performance;
  const auto start = std::chrono::steady_clock::now();
  if (!session->WaitIdle(start + std::min(perf.stdio_drain_timeout, perf.shutdown_timeout))) {
    Log().info("stdio: cancelling {} running requests (performance.stdio_drain_timeout)",
               session->running());
    session->CancelAll("the server is shutting down");
    // Cooperative handlers stop within moments of cancellation; give them that even at 0.
    constexpr auto kMinimumCancelWait = std::chrono::milliseconds(500);
    if (!session->WaitIdle(std::max(start + perf.shutdown_timeout,
                                    std::chrono::steady_clock::now() + kMinimumCancelWait))) {
      outcome = Fail(ErrorCode::kTimeout,
                     std::to_string(session->running()) +
                         " handlers ignored cancellation at shutdown; their results are dropped");
    }
  }
  writer->Close();
  core.Detach(session.get());
  Log().info("stdio: input closed, shut down");
  return outcome;
}

}  // namespace ferry::transport
