// Executors: the three places work runs. An I/O loop (Boost.Asio io_context on its own thread, for
// timers and network I/O, never blocked), a bounded CPU pool for handlers, and a bounded blocking
// pool for file I/O, subprocesses and waits on the client.
//
// Thread-safety: all methods are safe from any thread. Shutdown() stops the pools (finishing their
// queued work) and then the I/O loop; it is idempotent.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ferry/config.h"
#include "runtime/thread_pool.h"

namespace ferry::runtime {

// A one-shot timer on the I/O loop. Cancel() is safe from any thread; the callback runs at most
// once, on the I/O thread.
class Timer : public std::enable_shared_from_this<Timer> {
 public:
  explicit Timer(boost::asio::io_context& io) : timer_(io), io_(io) {}
  void Cancel();

 private:
  friend class Executors;
  boost::asio::steady_timer timer_;
  boost::asio::io_context& io_;
};

class Executors {
 public:
  explicit Executors(const Config::Performance& performance);
  ~Executors();
  Executors(const Executors&) = delete;
  Executors& operator=(const Executors&) = delete;

  boost::asio::io_context& io() { return io_; }
  ThreadPool& cpu() { return cpu_; }
  ThreadPool& blocking() { return blocking_; }

  // Runs `fn` on the I/O thread after `delay`, unless the returned timer is cancelled first.
  std::shared_ptr<Timer> After(std::chrono::milliseconds delay, std::function<void()> fn);

  void Shutdown();

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread io_thread_;
  ThreadPool cpu_;
  ThreadPool blocking_;
};

}  // namespace ferry::runtime
