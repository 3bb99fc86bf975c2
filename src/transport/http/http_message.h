// HTTP/1.1 messages as Ferry's HTTP server needs them: a strict request parser (RequestParser), the
// request it produces (HttpRequest) and a response that serializes itself (HttpResponse).
//
// Why our own and not Boost.Beast's: on the hot path (a small POST answered with a small JSON body)
// Beast's per-field allocations, serializer and buffer adaptors cost more CPU than the MCP work
// itself. These types allocate nothing per request once a connection's buffers have grown: request
// fields are views into the connection's read buffer, response fields live in one reused string.
//
// The parser is strict where laxness is a security problem (RFC 9112): only CRLF line ends, no
// obsolete line folding, header names must be tokens, one framing only (Content-Length and
// Transfer-Encoding together is request smuggling and is refused), differing Content-Lengths are
// refused, only HTTP/1.0 and HTTP/1.1. Limits: max_header_bytes for the request line and fields
// (431), max_body_bytes for the body (413, from Content-Length before the body is read, or as
// chunks arrive).
//
// Thread-safety: none; each connection owns its parser, request and response.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::transport::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kOptions, kPatch, kOther };

// One parsed request. Every view points into the connection's read buffer (or, for a chunked
// body, into the parser's decoded body) and is valid until the parser reads the next request.
struct HttpRequest {
  struct Field {
    std::string_view name;
    std::string_view value;  // leading and trailing whitespace removed
  };

  Method method = Method::kOther;
  std::string_view method_text;
  std::string_view target;  // as sent: path and query
  int minor_version = 1;    // HTTP/1.<minor_version>
  bool keep_alive = true;   // after Connection and the version's default
  bool expect_continue = false;
  std::vector<Field> fields;
  std::string_view body;

  // The first field called `name` (case-insensitive), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The target without its query.
  std::string_view Path() const { return target.substr(0, target.find('?')); }
};

// One response. Fields are kept serialized ("Name: value\r\n"...) so building a response costs no
// allocation once the strings have grown. Content-Length is computed when serializing.
class HttpResponse {
 public:
  HttpResponse() = default;
  explicit HttpResponse(int status) : status_(status) {}

  int status() const { return status_; }
  void set_status(int status) { status_ = status; }
  bool keep_alive() const { return keep_alive_; }
  void set_keep_alive(bool keep_alive) { keep_alive_ = keep_alive; }
  std::string& body() { return body_; }
  const std::string& body() const { return body_; }

  // Sets a field, replacing any field of the same name (case-insensitive). The value must not
  // contain CR or LF (such characters are replaced by spaces: no header injection).
  void Set(std::string_view name, std::string_view value);
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every field, in order, as (name, value) views into this response.
  std::vector<std::pair<std::string_view, std::string_view>> Fields() const;

  // Appends the whole response to `out`: status line, fields, Connection (when it differs from
  // the version's default), Content-Length, then the body (left out when `head_only`, the answer
  // to HEAD). 1xx, 204 and 304 get neither Content-Length nor body.
  void SerializeTo(std::string& out, int minor_version, bool head_only = false) const;
  // Appends the head of a chunked response (an SSE stream): status line, fields,
  // Transfer-Encoding: chunked.
  void SerializeChunkedHeadTo(std::string& out, int minor_version) const;

  // Empties the response for reuse, keeping the strings' capacity.
  void Clear();

 private:
  void AppendStatusLine(std::string& out, int minor_version) const;

  int status_ = 200;
  bool keep_alive_ = true;
  std::string fields_;
  std::string body_;
};

// ASCII case-insensitive equality (field names, tokens): no locale, no allocation.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// The reason phrase of a status code ("Not Found"); "Unknown" for codes it does not know.
std::string_view ReasonPhrase(int status);

// Parses one request at a time from a connection's bytes; call Parse again with more bytes while
// it answers kNeedMore. Reset before the next request.
class RequestParser {
 public:
  struct Limits {
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_body_bytes = 4 * 1024 * 1024;
  };
  enum class Status {
    kNeedMore,  // the request is not complete yet
    kDone,      // `request` is complete; consumed() bytes of the input belong to it
    kError,     // error_status() and error() say why; the connection must close after answering
  };

  explicit RequestParser(Limits limits) : limits_(limits) {}

  // `data` is everything received since the request began (the same prefix plus new bytes on
  // every call: the parser remembers how far it got). `request` is filled when kDone, and its
  // head already once headers_done().
  Status Parse(std::string_view data, HttpRequest& request);
  void Reset();

  // The head has been parsed (the request line and fields are in the request).
  bool headers_done() const { return phase_ != Phase::kHead; }
  std::size_t consumed() const { return consumed_; }
  int error_status() const { return error_status_; }  // 400, 413, 431 or 501
  const std::string& error() const { return error_; }

 private:
  enum class Phase { kHead, kLengthBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailer, kDone };

  Status Fail(int status, std::string message);
  Status ParseHead(std::string_view head, HttpRequest& request);
  Status ParseChunks(std::string_view data, HttpRequest& request);
  void Rebase(const char* base, HttpRequest& request);

  Limits limits_;
  Phase phase_ = Phase::kHead;
  std::size_t scanned_ = 0;     // head bytes already searched for the blank line
  std::size_t head_size_ = 0;   // request line and fields, blank line included
  std::size_t body_length_ = 0; // Content-Length
  std::size_t pos_ = 0;         // chunked: next byte to read
  std::size_t chunk_left_ = 0;  // chunked: bytes left in the current chunk
  std::string chunked_body_;    // chunked: the decoded body
  std::size_t consumed_ = 0;
  const char* base_ = nullptr;  // where the head was parsed (its views point there)
  int error_status_ = 0;
  std::string error_;
};

}  // namespace ferry::transport::http
