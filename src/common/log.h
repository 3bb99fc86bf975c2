// Process-wide logging for Ferry: spdlog to stderr, never stdout (stdout carries protocol messages
// in stdio mode).
//
// Thread-safety: Log* may be called from any thread; SetLogLevel at start-up.
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

#include "ferry/result.h"

namespace ferry {

// Sets up the stderr logger once; later calls only change the level. `level` is one of
// trace, debug, info, warn, error, off.
Result<void> InitLogging(std::string_view level);

// The shared logger (stderr, thread-safe).
spdlog::logger& Log();

}  // namespace ferry
