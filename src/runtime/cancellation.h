// CancellationSource: a one-shot flag that says why some work should stop (client cancel, timeout,
// shutdown), with callbacks run once when it trips.
//
// Thread-safety: all methods are safe from any thread. Callbacks run on the thread that calls
// Cancel(), or at once on the registering thread when already cancelled.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "ferry/result.h"

namespace ferry::runtime {

class CancellationSource {
 public:
  bool IsCancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // Why it was cancelled (kCancelled, kTimeout, ...); meaningful once IsCancelled().
  ErrorCode reason() const { return reason_.load(std::memory_order_acquire); }

  // Trips the flag and runs the callbacks. Returns false when it was already cancelled.
  bool Cancel(ErrorCode reason = ErrorCode::kCancelled) {
    std::map<std::uint64_t, std::function<void()>> callbacks;
    {
      std::lock_guard lock(mutex_);
      if (cancelled_.load(std::memory_order_relaxed)) return false;
      reason_.store(reason, std::memory_order_release);
      cancelled_.store(true, std::memory_order_release);
      callbacks.swap(callbacks_);
    }
    for (auto& [id, cb] : callbacks) cb();
    return true;
  }

  // Runs `cb` once on cancellation (at once if already cancelled). Returns a handle for Unregister.
  std::uint64_t OnCancel(std::function<void()> cb) {
    {
      std::lock_guard lock(mutex_);
      if (!cancelled_.load(std::memory_order_relaxed)) {
        callbacks_.emplace(++next_id_, std::move(cb));
        return next_id_;
      }
    }
    cb();
    return 0;
  }

  void Unregister(std::uint64_t handle) {
    std::lock_guard lock(mutex_);
    callbacks_.erase(handle);
  }

 private:
  std::atomic<bool> cancelled_{false};
  std::atomic<ErrorCode> reason_{ErrorCode::kCancelled};
  std::mutex mutex_;  // guards callbacks_, next_id_
  std::map<std::uint64_t, std::function<void()>> callbacks_;
  std::uint64_t next_id_ = 0;
};

}  // namespace ferry::runtime
