#include "runtime/executors.h"

#include <pthread.h>

#include <boost/asio/post.hpp>

namespace ferry::runtime {
namespace {

std::size_t CpuThreads(int configured) {
  if (configured > 0) return static_cast<std::size_t>(configured);
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 2 : hw;
}

}  // namespace

void Timer::Cancel() {
  // steady_timer is not thread-safe: cancel on the loop that owns it.
  boost::asio::post(io_, [self = shared_from_this()] { self->timer_.cancel(); });
}

Executors::Executors(const Config::Performance& performance)
    : work_(boost::asio::make_work_guard(io_)),
      io_thread_([this] {
        pthread_setname_np(pthread_self(), "ferry-io");
        io_.run();
      }),
      cpu_("ferry-cpu", CpuThreads(performance.worker_count),
           static_cast<std::size_t>(performance.queue_capacity)),
      blocking_("ferry-blk", static_cast<std::size_t>(performance.blocking_workers),
                static_cast<std::size_t>(performance.queue_capacity)) {}

Executors::~Executors() { Shutdown(); }

std::shared_ptr<Timer> Executors::After(std::chrono::milliseconds delay,
                                        std::function<void()> fn) {
  auto timer = std::make_shared<Timer>(io_);
  boost::asio::post(io_, [timer, delay, fn = std::move(fn)]() mutable {
    timer->timer_.expires_after(delay);
    // The handler keeps the timer alive until it runs or is cancelled.
    timer->timer_.async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  });
  return timer;
}

void Executors::Shutdown() {
  cpu_.Shutdown();
  blocking_.Shutdown();
  work_.reset();
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
}

}  // namespace ferry::runtime
