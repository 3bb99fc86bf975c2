#include "runtime/correlation.h"

#include <string>
#include <vector>

namespace ferry::runtime {

CorrelationManager::CorrelationManager(Executors& executors, std::size_t max_pending,
                                       std::chrono::milliseconds default_timeout)
    : executors_(executors), max_pending_(max_pending), default_timeout_(default_timeout) {}

CorrelationManager::~CorrelationManager() {
  CancelAll(Error(ErrorCode::kCancelled, "the session ended"));
}

Result<std::int64_t> CorrelationManager::Register(std::optional<std::chrono::milliseconds> timeout,
                                                  Callback cb) {
  const auto after = timeout.value_or(default_timeout_);
  std::int64_t id;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= max_pending_) {
      return Fail(ErrorCode::kOverloaded,
                  "too many pending server-to-client requests (protocol.max_pending_requests = " +
                      std::to_string(max_pending_) + ")");
    }
    id = ++next_id_;
    pending_.emplace(id, Pending{std::move(cb), nullptr});
  }
  auto timer = executors_.After(after, [weak = weak_from_this(), id, after] {
    auto self = weak.lock();
    if (!self) return;
    self->Complete(id, Fail(ErrorCode::kTimeout,
                      "the client did not answer within " + std::to_string(after.count()) + " ms"));
  });
  std::lock_guard lock(mutex_);
  if (auto it = pending_.find(id); it != pending_.end()) {
    it->second.timer = std::move(timer);
  } else {
    timer->Cancel();  // completed before the timer was attached
  }
  return id;
}

bool CorrelationManager::Complete(std::int64_t id, Result<boost::json::value> outcome) {
  Pending entry;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return false;
    entry = std::move(it->second);
    pending_.erase(it);
  }
  if (entry.timer) entry.timer->Cancel();
  entry.callback(std::move(outcome));
  return true;
}

void CorrelationManager::CancelAll(const Error& error) {
  std::unordered_map<std::int64_t, Pending> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(pending_);
  }
  for (auto& [id, entry] : all) {
    if (entry.timer) entry.timer->Cancel();
    entry.callback(Fail(error));
  }
}

std::size_t CorrelationManager::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

}  // namespace ferry::runtime
