// JSON-RPC 2.0 codec on Boost.JSON: classifies a parsed JSON value as a request, notification,
// response or error response, validates it, and serializes outgoing messages.
//
// Ids are strings or integers; null (and any other type) is refused for requests, as MCP requires.
// A message that fails validation yields a DecodeError carrying the JSON-RPC code to answer with
// and, when one could be read, the id to answer to.
//
// Thread-safety: free functions with no shared state; Decoder holds a reusable parser and is used
// by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json.hpp>

#include "ferry/result.h"

namespace ferry::jsonrpc {

namespace json = boost::json;

// The standard JSON-RPC error codes and the ones Ferry and MCP add in the server range.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kOverloaded = -32000;        // Ferry: queue full, retry later
inline constexpr int kRequestTimeout = -32001;    // Ferry and the TypeScript SDK: timed out
inline constexpr int kResourceNotFound = -32002;  // MCP: resources/read of an unknown URI

// A request id: an integer or a string.
class Id {
 public:
  Id() = default;
  explicit Id(std::int64_t n) : value_(n) {}
  explicit Id(std::string s) : value_(std::move(s)) {}

  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  std::int64_t integer() const { return std::get<std::int64_t>(value_); }
  const std::string& string() const { return std::get<std::string>(value_); }
  json::value ToJson() const;
  // A key unique across both kinds ("i:5", "s:5"), for maps of requests in flight.
  std::string Key() const;
  // The id as it appears in JSON, for messages to people (5, "abc").
  std::string ToString() const;

  friend bool operator==(const Id&, const Id&) = default;

 private:
  std::variant<std::int64_t, std::string> value_{std::int64_t{0}};
};

struct Request {
  Id id;
  std::string method;
  json::value params;  // object, array, or null when absent
};

struct Notification {
  std::string method;
  json::value params;
};

struct Response {
  Id id;
  json::value result;
};

struct ErrorResponse {
  std::optional<Id> id;  // absent when the request's id could not be read
  int code = kInternalError;
  std::string message;
  json::value data;  // null when absent
};

using Message = std::variant<Request, Notification, Response, ErrorResponse>;

// Why a message could not be decoded, and how to answer (if at all).
struct DecodeError {
  int code = kInvalidRequest;
  std::string message;
  std::optional<Id> id;   // the id to answer to, when the message had a valid one
  bool answerable = true; // false for malformed responses: one never answers a response
};

// Validates one JSON value as a JSON-RPC message. Takes `value` by rvalue to move params out.
tl::expected<Message, DecodeError> Decode(json::value&& value);

// Parses text into a JSON value with reusable parsers (they keep their buffers between messages).
// Messages from kSimdjsonThreshold bytes up are parsed with simdjson and converted, which is
// several times faster than Boost.JSON on long strings with escapes (src/json/jsonrpc_benchmark.cc
// measures both); small ones go straight to Boost.JSON, which is faster there. Errors always come
// from Boost.JSON, which names the byte position.
class Parser {
 public:
  static constexpr std::size_t kSimdjsonThreshold = 16 * 1024;
  static constexpr std::size_t kMaxDepth = 64;

  Parser();
  ~Parser();
  // Returns the value, or a DecodeError with kParseError naming the position.
  tl::expected<json::value, DecodeError> Parse(std::string_view text);
  // The Boost.JSON path alone, for any size (benchmarks compare the two).
  tl::expected<json::value, DecodeError> ParseWithBoost(std::string_view text);

 private:
  struct Simd;
  json::stream_parser parser_;
  std::unique_ptr<Simd> simd_;  // simdjson parser and padded input buffer, made on first use
};

// Serializers: each returns one complete message without a trailing newline.
std::string SerializeResult(const Id& id, const json::value& result);
std::string SerializeError(const std::optional<Id>& id, int code, std::string_view message,
                           const json::value& data = nullptr);
std::string SerializeRequest(const Id& id, std::string_view method, const json::value& params);
std::string SerializeNotification(std::string_view method, const json::value& params);

// The JSON-RPC code for an internal error kind (the one mapping table).
int ToJsonRpcCode(ErrorCode code);

}  // namespace ferry::jsonrpc
