#include "json/jsonrpc.h"

#include <charconv>
#include <cstring>

#include <simdjson.h>

namespace ferry::jsonrpc {
namespace {

// Reads the id of a request or response. Valid ids are strings and integers (MCP forbids null).
std::optional<Id> ReadId(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64: return Id(v.get_int64());
    case json::kind::uint64:
      if (v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return Id(static_cast<std::int64_t>(v.get_uint64()));
      }
      return std::nullopt;
    case json::kind::string: return Id(std::string(v.get_string()));
    default: return std::nullopt;
  }
}

const char* KindName(json::kind k) {
  switch (k) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "unknown";
}

void AppendSerialized(std::string& out, const json::value& v) {
  json::serializer sr;
  sr.reset(&v);
  char buf[4096];
  while (!sr.done()) out.append(sr.read(buf));
}

void AppendId(std::string& out, const Id& id) {
  if (id.is_string()) {
    AppendSerialized(out, json::value(id.string()));
  } else {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), id.integer());
    out.append(buf, end);
  }
}

}  // namespace

json::value Id::ToJson() const {
  if (is_string()) return json::value(string());
  return json::value(integer());
}

std::string Id::Key() const {
  return is_string() ? "s:" + string() : "i:" + std::to_string(integer());
}

std::string Id::ToString() const { return json::serialize(ToJson()); }

tl::expected<Message, DecodeError> Decode(json::value&& value) {
  if (!value.is_object()) {
    return tl::unexpected(DecodeError{kInvalidRequest,
        std::string("a JSON-RPC message must be an object, got ") + KindName(value.kind())});
  }
  json::object& obj = value.get_object();

  const json::value* method = obj.if_contains("method");
  const bool is_response = !method && (obj.contains("result") || obj.contains("error"));

  // Read the id first so that every later error can be answered to it.
  std::optional<Id> id;
  bool has_id = false;
  if (auto* v = obj.if_contains("id")) {
    has_id = true;
    id = ReadId(*v);
    if (!id) {
      return tl::unexpected(DecodeError{kInvalidRequest,
          std::string("id must be a string or an integer, got ") +
              (v->is_double() ? "a fractional number" : KindName(v->kind())),
          std::nullopt, !is_response});
    }
  }

  const json::value* version = obj.if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0") {
    return tl::unexpected(DecodeError{kInvalidRequest,
        "jsonrpc must be the string \"2.0\"", id, !is_response});
  }

  if (is_response) {
    if (!has_id) {
      return tl::unexpected(DecodeError{kInvalidRequest, "response without id", {}, false});
    }
    if (obj.contains("result") && obj.contains("error")) {
      return tl::unexpected(
          DecodeError{kInvalidRequest, "response has both result and error", id, false});
    }
    if (auto* r = obj.if_contains("result")) return Response{*id, std::move(*r)};
    const json::value& e = obj.at("error");
    const json::object* eo = e.if_object();
    const json::value* code = eo ? eo->if_contains("code") : nullptr;
    const json::value* msg = eo ? eo->if_contains("message") : nullptr;
    if (!code || !code->is_int64() || !msg || !msg->is_string()) {
      return tl::unexpected(DecodeError{kInvalidRequest,
          "error must be an object with an integer code and a string message", id, false});
    }
    ErrorResponse er{id, static_cast<int>(code->get_int64()), std::string(msg->get_string()),
                     nullptr};
    if (auto* d = eo->if_contains("data")) er.data = *d;
    return er;
  }

  if (!method) {
    return tl::unexpected(DecodeError{kInvalidRequest,
        "message has no method and is not a response", id});
  }
  if (!method->is_string()) {
    return tl::unexpected(DecodeError{kInvalidRequest,
        std::string("method must be a string, got ") + KindName(method->kind()), id});
  }
  json::value params;
  if (auto* p = obj.if_contains("params")) {
    if (!p->is_object() && !p->is_array()) {
      return tl::unexpected(DecodeError{kInvalidRequest,
          std::string("params must be an object or an array, got ") + KindName(p->kind()), id});
    }
    params = std::move(*p);
  }
  std::string name(method->get_string());
  if (has_id) return Request{std::move(*id), std::move(name), std::move(params)};
  return Notification{std::move(name), std::move(params)};
}

struct Parser::Simd {
  simdjson::dom::parser parser;
  std::vector<char> padded;  // input copied with SIMDJSON_PADDING bytes after it
};

namespace {

// Converts a simdjson DOM element to a Boost.JSON value. Depth is bounded by the simdjson
// parser's max depth, so the recursion is too.
json::value ToBoost(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object o = e.get_object().value_unsafe();
      json::object out;
      out.reserve(o.size());
      for (auto field : o) {
        out.insert_or_assign(json::string_view(field.key.data(), field.key.size()),
                             ToBoost(field.value));
      }
      return out;
    }
    case element_type::ARRAY: {
      simdjson::dom::array a = e.get_array().value_unsafe();
      json::array out;
      out.reserve(a.size());
      for (auto item : a) out.push_back(ToBoost(item));
      return out;
    }
    case element_type::STRING: {
      std::string_view sv = e.get_string().value_unsafe();
      return json::string(sv.data(), sv.size());
    }
    case element_type::INT64: return e.get_int64().value_unsafe();
    case element_type::UINT64: return e.get_uint64().value_unsafe();
    case element_type::DOUBLE: return e.get_double().value_unsafe();
    case element_type::BOOL: return e.get_bool().value_unsafe();
    case element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

}  // namespace

Parser::Parser()
    : parser_(json::storage_ptr(), json::parse_options{.max_depth = kMaxDepth}) {}

Parser::~Parser() = default;

tl::expected<json::value, DecodeError> Parser::Parse(std::string_view text) {
  if (text.size() < kSimdjsonThreshold) return ParseWithBoost(text);
  if (!simd_) simd_ = std::make_unique<Simd>();
  simd_->padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(simd_->padded.data(), text.data(), text.size());
  if (simd_->parser.capacity() < text.size() &&
      simd_->parser.allocate(text.size(), kMaxDepth) != simdjson::SUCCESS) {
    return ParseWithBoost(text);
  }
  simdjson::dom::element root;
  if (simd_->parser.parse(simd_->padded.data(), text.size(), false).get(root) !=
      simdjson::SUCCESS) {
    // Boost.JSON gives the precise error, and accepts the few texts simdjson refuses (numbers
    // beyond 64 bits).
    return ParseWithBoost(text);
  }
  return ToBoost(root);
}

tl::expected<json::value, DecodeError> Parser::ParseWithBoost(std::string_view text) {
  parser_.reset();
  boost::system::error_code ec;
  const std::size_t n = parser_.write_some(text.data(), text.size(), ec);
  if (!ec && n < text.size()) {
    // Only whitespace may follow the value.
    for (std::size_t i = n; i < text.size(); ++i) {
      const char c = text[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        return tl::unexpected(DecodeError{kParseError,
            "parse error at byte " + std::to_string(i) + ": extra data after the JSON value"});
      }
    }
  }
  if (!ec && !parser_.done()) {
    parser_.finish(ec);
  }
  if (ec) {
    return tl::unexpected(DecodeError{kParseError,
        "parse error at byte " + std::to_string(n) + ": " + ec.message()});
  }
  return parser_.release();
}

std::string SerializeResult(const Id& id, const json::value& result) {
  std::string out;
  out.reserve(64);
  out.append(R"({"jsonrpc":"2.0","id":)");
  AppendId(out, id);
  out.append(R"(,"result":)");
  AppendSerialized(out, result);
  out.push_back('}');
  return out;
}

std::string SerializeError(const std::optional<Id>& id, int code, std::string_view message,
                           const json::value& data) {
  std::string out;
  out.reserve(96 + message.size());
  out.append(R"({"jsonrpc":"2.0","id":)");
  if (id) {
    AppendId(out, *id);
  } else {
    out.append("null");
  }
  out.append(R"(,"error":{"code":)");
  out.append(std::to_string(code));
  out.append(R"(,"message":)");
  AppendSerialized(out, json::value(json::string_view(message.data(), message.size())));
  if (!data.is_null()) {
    out.append(R"(,"data":)");
    AppendSerialized(out, data);
  }
  out.append("}}");
  return out;
}

std::string SerializeRequest(const Id& id, std::string_view method, const json::value& params) {
  std::string out(R"({"jsonrpc":"2.0","id":)");
  AppendId(out, id);
  out.append(R"(,"method":)");
  AppendSerialized(out, json::value(json::string_view(method.data(), method.size())));
  if (!params.is_null()) {
    out.append(R"(,"params":)");
    AppendSerialized(out, params);
  }
  out.push_back('}');
  return out;
}

std::string SerializeNotification(std::string_view method, const json::value& params) {
  std::string out(R"({"jsonrpc":"2.0","method":)");
  AppendSerialized(out, json::value(json::string_view(method.data(), method.size())));
  if (!params.is_null()) {
    out.append(R"(,"params":)");
    AppendSerialized(out, params);
  }
  out.push_back('}');
  return out;
}

int ToJsonRpcCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kParseError: return kParseError;
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kMessageTooLarge: return kInvalidRequest;
    case ErrorCode::kMethodNotFound: return kMethodNotFound;
    case ErrorCode::kInvalidParams:
    case ErrorCode::kNotFound:
    case ErrorCode::kUnsupported: return kInvalidParams;
    case ErrorCode::kOverloaded: return kOverloaded;
    case ErrorCode::kTimeout: return kRequestTimeout;
    case ErrorCode::kResourceNotFound: return kResourceNotFound;
    case ErrorCode::kCancelled:
    case ErrorCode::kInternal:
    case ErrorCode::kInvalidConfig:
    case ErrorCode::kIo: return kInternalError;
  }
  return kInternalError;
}

}  // namespace ferry::jsonrpc
