// ferry::Error and ferry::Result<T>: how every Ferry function that can fail reports it.
//
// Errors are values. A function returns Result<T> (tl::expected, so it can become std::expected
// later); exceptions never cross a layer boundary. ErrorCode is the one internal vocabulary of
// failures; src/json/error_mapping.h maps it to JSON-RPC codes (and, later, HTTP statuses).
//
// Thread-safety: plain value types; safe to copy and move across threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace ferry {

enum class ErrorCode {
  kParseError,       // bytes that are not JSON
  kInvalidRequest,   // JSON that is not a valid JSON-RPC message
  kMethodNotFound,   // unknown method, or a method the session may not call
  kInvalidParams,    // params of the wrong shape or type
  kInternal,         // a bug or an unexpected failure inside Ferry
  kMessageTooLarge,  // a message over max_message_size
  kOverloaded,       // a full queue or too much in-flight work: retry later
  kTimeout,          // a deadline passed (tool_timeout, server-to-client request timeout)
  kCancelled,        // the caller cancelled the work
  kNotFound,         // an unknown tool, prompt or similar named thing
  kResourceNotFound, // an unknown resource URI (MCP gives it its own code)
  kInvalidConfig,    // configuration that fails validation
  kIo,               // an operating-system I/O failure
  kUnsupported,      // a capability the peer did not declare, or a feature not built in
};

// A short stable name for the code ("overloaded", "timeout", ...), used in logs and metrics.
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  Error() = default;
  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
};

template <typename T>
using Result = tl::expected<T, Error>;

// Builds the failure side of a Result: `return ferry::Fail(ErrorCode::kTimeout, "...")`.
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}
inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

}  // namespace ferry
