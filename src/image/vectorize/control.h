// Control: when a vectorization must stop early — a deadline and an optional cancellation
// predicate (an MCP request's IsCancelled). Long stages call Check() every few thousand units of
// work, so stopping costs little and happens within milliseconds.
//
// Thread-safety: Check() is const; the predicate must be safe to call from the working thread.
#pragma once

#include <chrono>
#include <functional>

#include "ferry/result.h"

namespace ferry::image::vectorize {

struct Control {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::function<bool()> cancelled;

  // kTimeout after the deadline, kCancelled once the predicate says so.
  Result<void> Check() const {
    if (cancelled && cancelled()) return Fail(ErrorCode::kCancelled, "vectorization cancelled");
    if (deadline != std::chrono::steady_clock::time_point::max() &&
        std::chrono::steady_clock::now() >= deadline)
      return Fail(ErrorCode::kTimeout, "vectorization ran past its time limit");
    return {};
  }
};

}  // namespace ferry::image::vectorize
