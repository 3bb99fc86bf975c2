#include "ferry/result.h"

namespace ferry {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kParseError: return "parse_error";
    case ErrorCode::kInvalidRequest: return "invalid_request";
    case ErrorCode::kMethodNotFound: return "method_not_found";
    case ErrorCode::kInvalidParams: return "invalid_params";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kMessageTooLarge: return "message_too_large";
    case ErrorCode::kOverloaded: return "overloaded";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kResourceNotFound: return "resource_not_found";
    case ErrorCode::kInvalidConfig: return "invalid_config";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kUnsupported: return "unsupported";
  }
  return "unknown";
}

}  // namespace ferry
