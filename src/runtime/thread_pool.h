// ThreadPool: a fixed set of worker threads fed by a bounded queue. A full queue refuses new work
// at once (TryPost returns false) so callers can answer "overloaded" instead of growing memory.
//
// Thread-safety: all methods are safe from any thread. Shutdown() is idempotent; work posted after
// it is refused.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ferry::runtime {

class ThreadPool {
 public:
  using Task = std::function<void()>;

  // `threads` >= 1 workers; at most `capacity` >= 1 tasks waiting (running ones not counted).
  ThreadPool(std::string name, std::size_t threads, std::size_t capacity);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task` unless the queue is full or the pool is shut down.
  [[nodiscard]] bool TryPost(Task task);

  // Stops accepting work, lets the workers finish what is queued, and joins them.
  void Shutdown();

  std::size_t queue_depth() const;
  std::size_t capacity() const { return capacity_; }
  std::size_t threads() const { return workers_.size(); }
  const std::string& name() const { return name_; }

 private:
  void WorkerLoop();

  const std::string name_;
  const std::size_t capacity_;
  mutable std::mutex mutex_;  // guards queue_ and stopping_
  std::condition_variable ready_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace ferry::runtime
