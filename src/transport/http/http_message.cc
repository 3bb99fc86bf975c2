#include "transport/http/http_message.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace ferry::transport::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// A chunk-size line longer than this (hex digits plus extensions) is refused.
constexpr std::size_t kMaxChunkLine = 1024;

// RFC 9110 tchar: the characters of a token (method, field name), as a table: every field name
// of every request goes through it.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
           return kTokenChars[static_cast<unsigned char>(c)];
         });
}

// Field values: visible characters, space, tab and obs-text; never CR, LF, NUL or other controls.
bool IsFieldValue(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

// Request targets: visible ASCII, nothing else (no spaces, no controls, no raw UTF-8).
bool IsTarget(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c < 0x7f;
  });
}

std::string_view TrimWhitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Method MethodOf(std::string_view m) {
  if (m == "GET") return Method::kGet;
  if (m == "POST") return Method::kPost;
  if (m == "DELETE") return Method::kDelete;
  if (m == "OPTIONS") return Method::kOptions;
  if (m == "HEAD") return Method::kHead;
  if (m == "PUT") return Method::kPut;
  if (m == "PATCH") return Method::kPatch;
  return Method::kOther;
}

// Calls fn(token) for each comma-separated token of a list field (Connection), trimmed.
template <typename Fn>
void ForEachToken(std::string_view list, Fn fn) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    fn(TrimWhitespace(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

void AppendNumber(std::string& out, std::size_t n) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n);
  out.append(digits, end);
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;  // clients mostly send fields in their canonical case
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] | (a[i] >= 'A' && a[i] <= 'Z' ? 0x20 : 0);
    const char y = b[i] | (b[i] >= 'A' && b[i] <= 'Z' ? 0x20 : 0);
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (const auto& f : fields) {
    if (EqualsIgnoreCase(f.name, name)) return f.value;
  }
  return std::nullopt;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

// ---------------------------------------------------------------------------------------------
// HttpResponse
// ---------------------------------------------------------------------------------------------

void HttpResponse::Set(std::string_view name, std::string_view value) {
  // Remove an existing field of that name.
  std::size_t line = 0;
  while (line < fields_.size()) {
    const auto end = fields_.find(kCrlf, line);
    const auto colon = fields_.find(':', line);
    if (colon < end && EqualsIgnoreCase(std::string_view(fields_).substr(line, colon - line), name)) {
      fields_.erase(line, end + 2 - line);
      break;
    }
    line = end + 2;
  }
  fields_.append(name);
  fields_.append(": ");
  const auto start = fields_.size();
  fields_.append(value);
  std::replace_if(fields_.begin() + static_cast<std::ptrdiff_t>(start), fields_.end(),
                  [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
  fields_.append(kCrlf);
}

std::optional<std::string_view> HttpResponse::Get(std::string_view name) const {
  for (const auto& [n, v] : Fields()) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string_view, std::string_view>> HttpResponse::Fields() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  const std::string_view all(fields_);
  std::size_t line = 0;
  while (line < all.size()) {
    const auto end = all.find(kCrlf, line);
    const auto colon = all.find(':', line);
    out.emplace_back(all.substr(line, colon - line), all.substr(colon + 2, end - colon - 2));
    line = end + 2;
  }
  return out;
}

void HttpResponse::AppendStatusLine(std::string& out, int /*minor_version*/) const {
  // A server answers with its own version (RFC 9110 6.2), whatever the client's.
  out.append("HTTP/1.1 ");
  AppendNumber(out, static_cast<std::size_t>(status_));
  out.push_back(' ');
  out.append(ReasonPhrase(status_));
  out.append(kCrlf);
}

void HttpResponse::SerializeTo(std::string& out, int minor_version, bool head_only) const {
  AppendStatusLine(out, minor_version);
  out.append(fields_);
  // HTTP/1.1 connections persist unless told otherwise; HTTP/1.0 ones close unless told.
  if (!keep_alive_ && minor_version >= 1) out.append("Connection: close\r\n");
  if (keep_alive_ && minor_version == 0) out.append("Connection: keep-alive\r\n");
  const bool bodyless = status_ < 200 || status_ == 204 || status_ == 304;
  if (!bodyless) {
    out.append("Content-Length: ");
    AppendNumber(out, body_.size());
    out.append(kCrlf);
  }
  out.append(kCrlf);
  if (!bodyless && !head_only) out.append(body_);
}

void HttpResponse::SerializeChunkedHeadTo(std::string& out, int minor_version) const {
  AppendStatusLine(out, minor_version);
  out.append(fields_);
  if (!keep_alive_) out.append("Connection: close\r\n");
  out.append("Transfer-Encoding: chunked\r\n\r\n");
}

void HttpResponse::Clear() {
  status_ = 200;
  keep_alive_ = true;
  fields_.clear();
  body_.clear();
}

// ---------------------------------------------------------------------------------------------
// RequestParser
// ---------------------------------------------------------------------------------------------

void RequestParser::Reset() {
  phase_ = Phase::kHead;
  scanned_ = 0;
  head_size_ = 0;
  body_length_ = 0;
  pos_ = 0;
  chunk_left_ = 0;
  chunked_body_.clear();
  consumed_ = 0;
  error_status_ = 0;
  error_.clear();
  base_ = nullptr;
}

RequestParser::Status RequestParser::Fail(int status, std::string message) {
  error_status_ = status;
  error_ = std::move(message);
  return Status::kError;
}

void RequestParser::Rebase(const char* base, HttpRequest& request) {
  // The connection's buffer moved (it grew to take the body): point the views at the new place.
  auto move = [&](std::string_view& v) {
    if (v.data() >= base_ && v.data() <= base_ + head_size_) {
      v = std::string_view(base + (v.data() - base_), v.size());
    }
  };
  move(request.method_text);
  move(request.target);
  for (auto& f : request.fields) {
    move(f.name);
    move(f.value);
  }
  base_ = base;
}

RequestParser::Status RequestParser::Parse(std::string_view data, HttpRequest& request) {
  if (phase_ == Phase::kHead) {
    const std::size_t from = scanned_ >= 3 ? scanned_ - 3 : 0;
    const auto blank = data.find("\r\n\r\n", from);
    if (blank == std::string_view::npos) {
      scanned_ = data.size();
      if (data.size() > limits_.max_header_bytes) {
        return Fail(431, "request headers exceed http.max_header_size");
      }
      return Status::kNeedMore;
    }
    head_size_ = blank + 4;
    if (head_size_ > limits_.max_header_bytes) {
      return Fail(431, "request headers exceed http.max_header_size");
    }
    base_ = data.data();
    if (auto s = ParseHead(data.substr(0, head_size_), request); s == Status::kError) return s;
  } else if (data.data() != base_) {
    Rebase(data.data(), request);
  }

  switch (phase_) {
    case Phase::kLengthBody:
      if (data.size() - head_size_ < body_length_) return Status::kNeedMore;
      request.body = data.substr(head_size_, body_length_);
      consumed_ = head_size_ + body_length_;
      phase_ = Phase::kDone;
      return Status::kDone;
    case Phase::kDone:
      return Status::kDone;
    default:
      return ParseChunks(data, request);
  }
}

RequestParser::Status RequestParser::ParseHead(std::string_view head, HttpRequest& request) {
  request.fields.clear();
  request.body = {};
  request.expect_continue = false;

  // Request line: method SP target SP HTTP/1.x CRLF
  const auto line_end = head.find(kCrlf);
  const std::string_view line = head.substr(0, line_end);
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Fail(400, "malformed HTTP request line");
  request.method_text = line.substr(0, sp1);
  request.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(request.method_text)) return Fail(400, "malformed HTTP method");
  if (!IsTarget(request.target)) return Fail(400, "malformed request target");
  if (version == "HTTP/1.1") {
    request.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    request.minor_version = 0;
  } else {
    return Fail(400, "unsupported HTTP version (HTTP/1.1 and HTTP/1.0 are served)");
  }
  request.method = MethodOf(request.method_text);

  // Fields, until the blank line.
  bool has_length = false;
  bool chunked = false;
  bool has_host = false;
  bool close = false;
  bool keep_alive = false;
  std::size_t pos = line_end + 2;
  while (pos < head.size() - 2) {
    const auto end = head.find(kCrlf, pos);
    const std::string_view field = head.substr(pos, end - pos);
    pos = end + 2;
    const auto colon = field.find(':');
    if (colon == std::string_view::npos) return Fail(400, "malformed header field (no colon)");
    const std::string_view name = field.substr(0, colon);
    // Whitespace before the colon or at the start of a line (obsolete folding) is refused.
    if (!IsToken(name)) return Fail(400, "malformed header field name");
    const std::string_view value = TrimWhitespace(field.substr(colon + 1));
    if (!IsFieldValue(value)) return Fail(400, "invalid character in a header field value");
    request.fields.push_back({name, value});

    if (EqualsIgnoreCase(name, "content-length")) {
      std::size_t n = 0;
      const auto [end_ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || end_ptr != value.data() + value.size()) {
        return Fail(400, "malformed Content-Length");
      }
      if (has_length && n != body_length_) return Fail(400, "conflicting Content-Length fields");
      has_length = true;
      body_length_ = n;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      if (chunked || !EqualsIgnoreCase(value, "chunked")) {
        return Fail(501, "unsupported Transfer-Encoding (only chunked is accepted)");
      }
      chunked = true;
    } else if (EqualsIgnoreCase(name, "host")) {
      if (has_host) return Fail(400, "more than one Host field");
      has_host = true;
    } else if (EqualsIgnoreCase(name, "connection")) {
      ForEachToken(value, [&](std::string_view token) {
        if (EqualsIgnoreCase(token, "close")) close = true;
        if (EqualsIgnoreCase(token, "keep-alive")) keep_alive = true;
      });
    } else if (EqualsIgnoreCase(name, "expect")) {
      if (!EqualsIgnoreCase(value, "100-continue")) return Fail(400, "unsupported Expect");
      request.expect_continue = true;
    }
  }
  if (request.minor_version == 1 && !has_host) return Fail(400, "HTTP/1.1 request without Host");
  // Both framings at once is how requests are smuggled past proxies: refuse, never guess.
  if (has_length && chunked) return Fail(400, "both Content-Length and Transfer-Encoding");
  if (chunked && request.minor_version == 0) return Fail(400, "chunked body in an HTTP/1.0 request");
  request.keep_alive = request.minor_version == 1 ? !close : (keep_alive && !close);

  if (chunked) {
    phase_ = Phase::kChunkSize;
    pos_ = head_size_;
    return Status::kNeedMore;
  }
  if (body_length_ > limits_.max_body_bytes) {
    return Fail(413, "request body exceeds protocol.max_message_size (" +
                         std::to_string(limits_.max_body_bytes) + " bytes)");
  }
  phase_ = Phase::kLengthBody;
  return Status::kNeedMore;
}

RequestParser::Status RequestParser::ParseChunks(std::string_view data, HttpRequest& request) {
  for (;;) {
    switch (phase_) {
      case Phase::kChunkSize: {
        const auto end = data.find(kCrlf, pos_);
        if (end == std::string_view::npos) {
          if (data.size() - pos_ > kMaxChunkLine) return Fail(400, "malformed chunk size");
          return Status::kNeedMore;
        }
        const std::string_view line = data.substr(pos_, end - pos_);
        const std::string_view digits = line.substr(0, line.find_first_of("; \t"));
        std::size_t size = 0;
        const auto [ptr, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
        if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
          return Fail(400, "malformed chunk size");
        }
        pos_ = end + 2;
        if (size == 0) {
          phase_ = Phase::kTrailer;
          break;
        }
        if (size > limits_.max_body_bytes - chunked_body_.size()) {
          return Fail(413, "request body exceeds protocol.max_message_size (" +
                               std::to_string(limits_.max_body_bytes) + " bytes)");
        }
        chunk_left_ = size;
        phase_ = Phase::kChunkData;
        break;
      }
      case Phase::kChunkData: {
        const std::size_t take = std::min(chunk_left_, data.size() - pos_);
        chunked_body_.append(data.substr(pos_, take));
        pos_ += take;
        chunk_left_ -= take;
        if (chunk_left_ > 0) return Status::kNeedMore;
        phase_ = Phase::kChunkDataEnd;
        break;
      }
      case Phase::kChunkDataEnd:
        if (data.size() - pos_ < 2) return Status::kNeedMore;
        if (data.substr(pos_, 2) != kCrlf) return Fail(400, "malformed chunk (no CRLF after data)");
        pos_ += 2;
        phase_ = Phase::kChunkSize;
        break;
      case Phase::kTrailer: {
        // Trailer fields are read and ignored, up to the blank line.
        const auto end = data.find(kCrlf, pos_);
        if (end == std::string_view::npos) {
          if (data.size() - pos_ > limits_.max_header_bytes) {
            return Fail(431, "request trailer exceeds http.max_header_size");
          }
          return Status::kNeedMore;
        }
        const bool blank = end == pos_;
        pos_ = end + 2;
        if (!blank) break;
        request.body = chunked_body_;
        consumed_ = pos_;
        phase_ = Phase::kDone;
        return Status::kDone;
      }
      default:
        return Status::kDone;
    }
  }
}

}  // namespace ferry::transport::http
