// CorrelationManager: matches responses to the requests a server sends its client (sampling,
// elicitation, roots), with a timeout per request and a cap on how many may be pending.
//
// Each registered callback runs exactly once: with the response, with kTimeout when its timeout
// passes (on the I/O thread), or with the error given to CancelAll/Cancel.
//
// Thread-safety: all methods are safe from any thread; callbacks run without the lock held.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/json/value.hpp>

#include "ferry/result.h"
#include "runtime/executors.h"

namespace ferry::runtime {

// Create with std::make_shared: timers hold weak references to it.
class CorrelationManager : public std::enable_shared_from_this<CorrelationManager> {
 public:
  using Callback = std::function<void(Result<boost::json::value>)>;

  CorrelationManager(Executors& executors, std::size_t max_pending,
                     std::chrono::milliseconds default_timeout);
  ~CorrelationManager();

  // Registers a pending request and returns its id, or kOverloaded when max_pending are pending.
  Result<std::int64_t> Register(std::optional<std::chrono::milliseconds> timeout, Callback cb);

  // Delivers the outcome for `id`. Returns false for an unknown id (late, duplicate or bogus).
  bool Complete(std::int64_t id, Result<boost::json::value> outcome);

  // Fails every pending request with `error` (session end, shutdown).
  void CancelAll(const Error& error);

  std::size_t pending() const;

 private:
  struct Pending {
    Callback callback;
    std::shared_ptr<Timer> timer;
  };

  Executors& executors_;
  const std::size_t max_pending_;
  const std::chrono::milliseconds default_timeout_;
  mutable std::mutex mutex_;  // guards pending_, next_id_
  std::unordered_map<std::int64_t, Pending> pending_;
  std::int64_t next_id_ = 0;
};

}  // namespace ferry::runtime
