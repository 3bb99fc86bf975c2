// Ferry's configuration: one table of key descriptors (Keys()) drives loading from every layer,
// validation, `ferry config --describe`, `ferry config --print` and docs/configuration.md, so a key
// is declared exactly once. Profiles and cross-key checks are data in this file too.
#include "ferry/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <yaml-cpp/yaml.h>

extern char** environ;  // NOLINT: POSIX; read to find FERRY_<SECTION>__<KEY> overrides

namespace ferry {
namespace {

constexpr std::int64_t kNoLimit = std::numeric_limits<std::int64_t>::max();

// Base units: durations are milliseconds, sizes are bytes.
constexpr std::int64_t kMillisecond = 1;
constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = 1024 * kKiB;
constexpr std::int64_t kGiB = 1024 * kMiB;

// What `ferry config --print` writes in place of each element of a secret list.
constexpr std::string_view kRedacted = "<redacted>";

enum class KeyType { kInt, kSize, kDuration, kBool, kString, kEnum, kList };

using StringList = std::vector<std::string>;

// A parsed value: kInt, kSize (bytes) and kDuration (ms) are int64; kString and kEnum are strings;
// kList is a list of strings.
using Value = std::variant<std::int64_t, bool, std::string, StringList>;

Value ToValue(int v) { return std::int64_t{v}; }
Value ToValue(std::int64_t v) { return v; }
Value ToValue(bool v) { return v; }
Value ToValue(const std::string& v) { return v; }
Value ToValue(const StringList& v) { return v; }
Value ToValue(std::chrono::milliseconds v) { return static_cast<std::int64_t>(v.count()); }

// Values reaching a setter are already range-checked, so the narrowing casts cannot truncate.
void FromValue(const Value& v, int& out) { out = static_cast<int>(std::get<std::int64_t>(v)); }
void FromValue(const Value& v, std::int64_t& out) { out = std::get<std::int64_t>(v); }
void FromValue(const Value& v, bool& out) { out = std::get<bool>(v); }
void FromValue(const Value& v, std::string& out) { out = std::get<std::string>(v); }
void FromValue(const Value& v, StringList& out) { out = std::get<StringList>(v); }
void FromValue(const Value& v, std::chrono::milliseconds& out) {
  out = std::chrono::milliseconds(std::get<std::int64_t>(v));
}

struct Accessor {
  Value (*get)(const Config&);
  void (*set)(Config&, const Value&);
};

// The getter and setter of one Config field, from its section and field member pointers.
template <auto kSection, auto kField>
constexpr Accessor Field() {
  return {
      [](const Config& c) -> Value { return ToValue((c.*kSection).*kField); },
      [](Config& c, const Value& v) { FromValue(v, (c.*kSection).*kField); },
  };
}

struct KeySpec {
  std::string_view section;
  std::string_view key;
  KeyType type;
  std::string_view default_text;  // parsed like any other input, so it uses the value syntax
  std::int64_t min = 0;           // kInt/kSize/kDuration: in base units; kString: minimum length
  std::int64_t max = kNoLimit;    // kInt/kSize/kDuration only
  std::vector<std::string_view> allowed = {};  // kEnum only
  std::string_view description;
  Accessor access;
  // A secret (kList only): PrintConfig writes kRedacted per item and error messages show kRedacted
  // instead of the value. A printed file loads only when a later layer (the environment, an
  // override) replaces the placeholders: CheckSecrets refuses them in the final configuration.
  bool secret = false;
};

struct SectionSpec {
  std::string_view name;
  std::string_view description;
};

// The sections, in the order they are described and printed.
const std::vector<SectionSpec>& Sections() {
  static const auto* const kSections = new std::vector<SectionSpec>{
      {"server", "Identity and network address of the server."},
      {"performance", "Thread pools, queues, backpressure and timeouts of the runtime."},
      {"protocol", "Limits of the MCP / JSON-RPC protocol layer."},
      {"http",
       "The HTTP transports: Streamable HTTP at /mcp and the legacy HTTP+SSE transport at /sse "
       "and /messages."},
      {"sse",
       "Server-sent event streams of the HTTP transports: keep-alives, slow clients and "
       "resumption."},
      {"security",
       "Who may use the HTTP transports: Host and Origin checks, CORS and bearer "
       "tokens. The stdio transport ignores this section."},
      {"logging", "The server's own log."},
      {"tools", "Built-in tool groups."},
      {"documents", "Document conversion tools (convert_document and the rest of the group)."},
      {"images", "Image vectorization tools (vectorize_image and the rest of the group). Paths "
                 "they read and write must lie inside documents.allowed_roots."},
  };
  return *kSections;
}

// The key table: every configuration key, declared once. Defaults here must equal the member
// initializers in include/ferry/config.h (a unit test checks that).
const std::vector<KeySpec>& Keys() {
  using C = Config;
  static const auto* const kKeys = new std::vector<KeySpec>{
      {.section = "server",
       .key = "name",
       .type = KeyType::kString,
       .default_text = "ferry",
       .min = 1,
       .description = "Server name reported to clients in serverInfo.",
       .access = Field<&C::server, &C::Server::name>()},
      {.section = "server",
       .key = "host",
       .type = KeyType::kString,
       .default_text = "127.0.0.1",
       .min = 1,
       .description = "Address the network transports listen on.",
       .access = Field<&C::server, &C::Server::host>()},
      {.section = "server",
       .key = "port",
       .type = KeyType::kInt,
       .default_text = "8080",
       .min = 0,
       .max = 65535,
       .description = "TCP port the network transports listen on; 0 picks a free port (the log "
                      "line `serving MCP over HTTP on ...` names it).",
       .access = Field<&C::server, &C::Server::port>()},
      {.section = "server",
       .key = "instructions",
       .type = KeyType::kString,
       .default_text = "",
       .min = 0,
       .description = "Instructions sent to clients in the initialize result; empty sends none.",
       .access = Field<&C::server, &C::Server::instructions>()},

      {.section = "performance",
       .key = "worker_count",
       .type = KeyType::kInt,
       .default_text = "0",
       .min = 0,
       .max = 256,
       .description =
           "Threads in the CPU pool that runs tool handlers; 0 = one per hardware thread.",
       .access = Field<&C::performance, &C::Performance::worker_count>()},
      {.section = "performance",
       .key = "blocking_workers",
       .type = KeyType::kInt,
       .default_text = "4",
       .min = 1,
       .max = 256,
       .description = "Threads in the pool for handlers that block (files, subprocesses, waits).",
       .access = Field<&C::performance, &C::Performance::blocking_workers>()},
      {.section = "performance",
       .key = "queue_capacity",
       .type = KeyType::kInt,
       .default_text = "1024",
       .min = 1,
       .max = 1000000,
       .description = "Work items each pool queues before new requests fail as overloaded.",
       .access = Field<&C::performance, &C::Performance::queue_capacity>()},
      {.section = "performance",
       .key = "backpressure_threshold",
       .type = KeyType::kInt,
       .default_text = "256",
       .min = 1,
       .max = 1000000,
       .description = "Requests in flight per connection before the server pauses reading it.",
       .access = Field<&C::performance, &C::Performance::backpressure_threshold>()},
      {.section = "performance",
       .key = "tool_timeout",
       .type = KeyType::kDuration,
       .default_text = "30s",
       .min = 1 * kMillisecond,
       .max = 24 * kHour,
       .description = "Time a tool call may run before it is cancelled and fails with a timeout.",
       .access = Field<&C::performance, &C::Performance::tool_timeout>()},
      {.section = "performance",
       .key = "shutdown_timeout",
       .type = KeyType::kDuration,
       .default_text = "10s",
       .min = 0,
       .max = 10 * kMinute,
       .description = "Longest a shutdown may take: in-flight requests get this long to finish "
                      "(see stdio_drain_timeout for stdio), are then cancelled, and work that "
                      "ignores cancellation is abandoned when it runs out.",
       .access = Field<&C::performance, &C::Performance::shutdown_timeout>()},
      {.section = "performance",
       .key = "stdio_drain_timeout",
       .type = KeyType::kDuration,
       .default_text = "1s",
       .min = 0,
       .max = 10 * kMinute,
       .description = "stdio only: after the client closes stdin (or a stop signal), how long "
                      "running requests may finish before they are cancelled. Short, because "
                      "MCP clients send SIGTERM about 2 s after closing stdin.",
       .access = Field<&C::performance, &C::Performance::stdio_drain_timeout>()},
      {.section = "performance",
       .key = "max_connections",
       .type = KeyType::kInt,
       .default_text = "1024",
       .min = 1,
       .max = 1000000,
       .description = "HTTP connections open at once; a connection beyond it is answered 503 "
                      "Service Unavailable and closed.",
       .access = Field<&C::performance, &C::Performance::max_connections>()},
      {.section = "performance",
       .key = "rate_limit_requests",
       .type = KeyType::kInt,
       .default_text = "0",
       .min = 0,
       .max = 100000000,
       .description = "HTTP requests each client address (an IPv6 address by its /64) may make "
                      "per `rate_limit_window`, all at once or spread out; beyond it requests get "
                      "429 Too Many Requests with Retry-After. 0 = no limit.",
       .access = Field<&C::performance, &C::Performance::rate_limit_requests>()},
      {.section = "performance",
       .key = "rate_limit_window",
       .type = KeyType::kDuration,
       .default_text = "1m",
       .min = 1 * kSecond,
       .max = 24 * kHour,
       .description = "The window of `rate_limit_requests`: a client that has used its budget "
                      "regains one request every window / `rate_limit_requests`.",
       .access = Field<&C::performance, &C::Performance::rate_limit_window>()},

      {.section = "protocol",
       .key = "max_message_size",
       .type = KeyType::kSize,
       .default_text = "4MiB",
       .min = 1 * kKiB,
       .max = 1 * kGiB,
       .description = "Largest JSON-RPC message read or written; a larger one is rejected.",
       .access = Field<&C::protocol, &C::Protocol::max_message_size>()},
      {.section = "protocol",
       .key = "page_size",
       .type = KeyType::kInt,
       .default_text = "50",
       .min = 1,
       .max = 1000,
       .description = "Items per page of tools/list, resources/list and prompts/list results.",
       .access = Field<&C::protocol, &C::Protocol::page_size>()},
      {.section = "protocol",
       .key = "max_pending_requests",
       .type = KeyType::kInt,
       .default_text = "64",
       .min = 1,
       .max = 100000,
       .description =
           "Server-to-client requests (sampling, elicitation, roots) pending per session.",
       .access = Field<&C::protocol, &C::Protocol::max_pending_requests>()},
      {.section = "protocol",
       .key = "request_timeout",
       .type = KeyType::kDuration,
       .default_text = "1m",
       .min = 1 * kMillisecond,
       .max = 24 * kHour,
       .description = "Time to wait for the client to answer a server-to-client request.",
       .access = Field<&C::protocol, &C::Protocol::request_timeout>()},

      {.section = "http",
       .key = "io_threads",
       .type = KeyType::kInt,
       .default_text = "0",
       .min = 0,
       .max = 64,
       .description = "Event-loop threads that accept connections and read and write HTTP; 0 = "
                      "one per hardware thread.",
       .access = Field<&C::http, &C::Http::io_threads>()},
      {.section = "http",
       .key = "stateless",
       .type = KeyType::kBool,
       .default_text = "false",
       .description = "Serve Streamable HTTP without sessions: no Mcp-Session-Id is issued and "
                      "each POST is served on its own, so any instance behind a load balancer "
                      "can answer it. The legacy transport needs sessions and is off then.",
       .access = Field<&C::http, &C::Http::stateless>()},
      {.section = "http",
       .key = "legacy_sse",
       .type = KeyType::kBool,
       .default_text = "true",
       .description = "Also serve the 2024-11-05 HTTP+SSE transport (GET /sse, POST /messages) "
                      "for older clients, unless `stateless`; when off, those paths answer 404.",
       .access = Field<&C::http, &C::Http::legacy_sse>()},
      {.section = "http",
       .key = "response_mode",
       .type = KeyType::kEnum,
       .default_text = "auto",
       .allowed = {"auto", "sse"},
       .description = "How a POST is answered: `auto` sends plain JSON unless notifications or "
                      "requests precede the result, then an SSE stream; `sse` always streams.",
       .access = Field<&C::http, &C::Http::response_mode>()},
      {.section = "http",
       .key = "max_header_size",
       .type = KeyType::kSize,
       .default_text = "16KiB",
       .min = 1 * kKiB,
       .max = 1 * kMiB,
       .description = "Largest request line plus headers, in bytes; a larger request is answered "
                      "431 Request Header Fields Too Large and the connection closed.",
       .access = Field<&C::http, &C::Http::max_header_size>()},
      {.section = "http",
       .key = "header_timeout",
       .type = KeyType::kDuration,
       .default_text = "10s",
       .min = 100 * kMillisecond,
       .max = 10 * kMinute,
       .description = "Time a client has to send a request's line and headers once it starts, "
                      "and again its body; a slower client is disconnected (against slowloris).",
       .access = Field<&C::http, &C::Http::header_timeout>()},
      {.section = "http",
       .key = "connection_timeout",
       .type = KeyType::kDuration,
       .default_text = "1m",
       .min = 1 * kSecond,
       .max = 24 * kHour,
       .description = "Time a keep-alive connection may wait, with no request in progress, for "
                      "the next request before the server closes it.",
       .access = Field<&C::http, &C::Http::connection_timeout>()},
      {.section = "http",
       .key = "write_timeout",
       .type = KeyType::kDuration,
       .default_text = "30s",
       .min = 100 * kMillisecond,
       .max = 10 * kMinute,
       .description = "Longest one write to a client may wait for it to read; when it runs out "
                      "the connection is closed.",
       .access = Field<&C::http, &C::Http::write_timeout>()},
      {.section = "http",
       .key = "max_sessions",
       .type = KeyType::kInt,
       .default_text = "10000",
       .min = 1,
       .max = 1000000,
       .description = "Live MCP sessions at once; an initialize beyond it is answered 503 "
                      "Service Unavailable.",
       .access = Field<&C::http, &C::Http::max_sessions>()},
      {.section = "http",
       .key = "session_timeout",
       .type = KeyType::kDuration,
       .default_text = "30m",
       .min = 1 * kSecond,
       .max = 7 * 24 * kHour,
       .description = "Time a session may go without a request, while it has no GET stream "
                      "open, before it ends; requests with its Mcp-Session-Id then get 404 and "
                      "the client must initialize again. At most 7 days (168h).",
       .access = Field<&C::http, &C::Http::session_timeout>()},

      {.section = "sse",
       .key = "keepalive_interval",
       .type = KeyType::kDuration,
       .default_text = "15s",
       .min = 1 * kSecond,
       .max = 10 * kMinute,
       .description = "Interval of comment lines sent on an SSE stream with nothing else to "
                      "send, so proxies and clients do not close it as idle.",
       .access = Field<&C::sse, &C::Sse::keepalive_interval>()},
      {.section = "sse",
       .key = "max_queue_size",
       .type = KeyType::kInt,
       .default_text = "1000",
       .min = 1,
       .max = 1000000,
       .description = "Messages queued on one SSE stream for a client that reads slowly; when it "
                      "is full the stream's connection is closed and the client may reconnect "
                      "with Last-Event-ID to replay what it missed from the event store (without "
                      "one, the overflowing messages are lost).",
       .access = Field<&C::sse, &C::Sse::max_queue_size>()},
      {.section = "sse",
       .key = "retry",
       .type = KeyType::kDuration,
       .default_text = "1s",
       .min = 0,
       .max = 10 * kMinute,
       .description = "Reconnection delay advised to clients in the SSE `retry` field; 0s = "
                      "reconnect at once.",
       .access = Field<&C::sse, &C::Sse::retry>()},
      {.section = "sse",
       .key = "event_store_size",
       .type = KeyType::kSize,
       .default_text = "64MiB",
       .min = 0,
       .max = 16 * kGiB,
       .description = "Bytes of recent SSE events kept, in total across all streams, so a "
                      "client that reconnects with Last-Event-ID receives what it missed; the "
                      "oldest events are dropped first, and an event larger than the store is "
                      "not kept, so make it several times `protocol.max_message_size`. 0 = keep "
                      "none (no resumability).",
       .access = Field<&C::sse, &C::Sse::event_store_size>()},

      {.section = "security",
       .key = "allowed_hosts",
       .type = KeyType::kList,
       .default_text = "[]",
       .description = "Host header values accepted (`name`, `name:PORT` or `name:*`); other "
                      "requests get 403 Forbidden. `[]` = loopback only: `localhost`, "
                      "`127.0.0.1` and `[::1]`, any port. `*` accepts every host and turns "
                      "DNS-rebinding protection off: unsafe on loopback without authentication.",
       .access = Field<&C::security, &C::Security::allowed_hosts>()},
      {.section = "security",
       .key = "allowed_origins",
       .type = KeyType::kList,
       .default_text = "[]",
       .description = "Origin header values accepted (`scheme://name`, `scheme://name:PORT` or "
                      "`scheme://name:*`; `null` for opaque origins); a request with another "
                      "Origin gets 403 Forbidden, one without Origin is allowed. `[]` = loopback "
                      "only: http and https on `localhost`, `127.0.0.1` and `[::1]`, any port. "
                      "`*` accepts every origin: unsafe on loopback without authentication.",
       .access = Field<&C::security, &C::Security::allowed_origins>()},
      {.section = "security",
       .key = "cors",
       .type = KeyType::kBool,
       .default_text = "false",
       .description = "Answer CORS preflights and add CORS headers for the `allowed_origins`, so "
                      "browser clients served from those origins can call the server.",
       .access = Field<&C::security, &C::Security::cors>()},
      {.section = "security",
       .key = "cors_max_age",
       .type = KeyType::kDuration,
       .default_text = "10m",
       .min = 0,
       .max = 24 * kHour,
       .description = "How long browsers may cache a CORS preflight answer "
                      "(Access-Control-Max-Age, in whole seconds, rounded down); 0s = send no max "
                      "age. Browsers cap it, Chromium at 2h.",
       .access = Field<&C::security, &C::Security::cors_max_age>()},
      {.section = "security",
       .key = "auth_tokens",
       .type = KeyType::kList,
       .default_text = "[]",
       .description = "Bearer tokens accepted in the Authorization header; once this or "
                      "`auth_token_file` gives any, a request without one of them gets 401 "
                      "Unauthorized. `[]` and no file = no authentication. Secrets: `ferry "
                      "config --print` shows each as `<redacted>`, and loading fails while a "
                      "placeholder remains, so keep tokens in `auth_token_file` or set them with "
                      "`FERRY_SECURITY__AUTH_TOKENS`.",
       .access = Field<&C::security, &C::Security::auth_tokens>(),
       .secret = true},
      {.section = "security",
       .key = "auth_token_file",
       .type = KeyType::kString,
       .default_text = "",
       .min = 0,
       .description = "File of further bearer tokens, one per line (blank lines and lines "
                      "starting with # skipped), read when the HTTP transport starts, which "
                      "fails if it cannot be read; empty = none.",
       .access = Field<&C::security, &C::Security::auth_token_file>()},

      {.section = "logging",
       .key = "level",
       .type = KeyType::kEnum,
       .default_text = "info",
       .allowed = {"trace", "debug", "info", "warn", "error", "off"},
       .description = "Lowest severity the server logs; off disables the log.",
       .access = Field<&C::logging, &C::Logging::level>()},

      {.section = "tools",
       .key = "diagnostics",
       .type = KeyType::kBool,
       .default_text = "true",
       .description = "Register the built-in echo diagnostics tool group.",
       .access = Field<&C::tools, &C::Tools::diagnostics>()},
      {.section = "tools",
       .key = "documents",
       .type = KeyType::kBool,
       .default_text = "true",
       .description = "Register the document conversion tool group (docs/tools.md).",
       .access = Field<&C::tools, &C::Tools::documents>()},
      {.section = "tools",
       .key = "images",
       .type = KeyType::kBool,
       .default_text = "true",
       .description = "Register the image vectorization tool group (docs/tools.md).",
       .access = Field<&C::tools, &C::Tools::images>()},

      {.section = "documents",
       .key = "allowed_roots",
       .type = KeyType::kList,
       .default_text = "[]",
       .description = "Directories whose files the document tools may read and write when a "
                      "client names a path (symbolic links are resolved before the check). `[]` "
                      "= no file access: clients send content as base64 instead.",
       .access = Field<&C::documents, &C::Documents::allowed_roots>()},
      {.section = "documents",
       .key = "max_file_size",
       .type = KeyType::kSize,
       .default_text = "64MiB",
       .min = 1 * kKiB,
       .max = 4 * kGiB,
       .description = "Largest document accepted for conversion, in bytes; larger ones are "
                      "refused before they are read. Also the most a draft (create_document) "
                      "may grow to, as estimated in memory.",
       .access = Field<&C::documents, &C::Documents::max_file_size>()},
      {.section = "documents",
       .key = "max_pages",
       .type = KeyType::kInt,
       .default_text = "10000",
       .min = 1,
       .max = 1'000'000,
       .description = "Most pages a paged document (PDF) may have; one claiming more is refused "
                      "before any page is read. A page range still needs the whole document "
                      "under this cap.",
       .access = Field<&C::documents, &C::Documents::max_pages>()},
      {.section = "documents",
       .key = "max_image_pixels",
       .type = KeyType::kInt,
       .default_text = "64000000",
       .min = 1,
       .max = 1'000'000'000,
       .description = "Most pixels an image read by OCR may declare (width x height from its "
                      "header); a larger one is refused before it is decoded (a decompression "
                      "bomb).",
       .access = Field<&C::documents, &C::Documents::max_image_pixels>()},
      {.section = "documents",
       .key = "timeout",
       .type = KeyType::kDuration,
       .default_text = "0",
       .min = 0,
       .max = 24 * kHour,
       .description = "Time one document may take to convert; the pages of a paged document "
                      "not started by then are left out and the result is marked partial (and "
                      "not kept). 0 = the tool call's own deadline (performance.tool_timeout). "
                      "In a batch each document gets its own.",
       .access = Field<&C::documents, &C::Documents::timeout>()},
      {.section = "documents",
       .key = "max_memory",
       .type = KeyType::kSize,
       .default_text = "1GiB",
       .min = 1 * kMiB,
       .max = 64 * kGiB,
       .description = "Memory one conversion may use for the document it builds (text, cells, "
                      "items, estimated); a document that needs more fails with an error naming "
                      "this key.",
       .access = Field<&C::documents, &C::Documents::max_memory>()},
      {.section = "documents",
       .key = "store_size",
       .type = KeyType::kSize,
       .default_text = "256MiB",
       .min = 1 * kMiB,
       .max = 64 * kGiB,
       .description = "Memory for converted documents kept for later export by key, in bytes "
                      "(estimated from their content); the least recently used are evicted "
                      "beyond it.",
       .access = Field<&C::documents, &C::Documents::store_size>()},
      {.section = "documents",
       .key = "max_drafts",
       .type = KeyType::kInt,
       .default_text = "64",
       .min = 1,
       .max = 100'000,
       .description = "Documents being built or edited (create_document) at once; each stays "
                      "until discard_document, and create_document fails beyond this number.",
       .access = Field<&C::documents, &C::Documents::max_drafts>()},
      {.section = "documents",
       .key = "tokenizer_file",
       .type = KeyType::kString,
       .default_text = "",
       .description = "A tiktoken BPE rank file (e.g. cl100k_base.tiktoken) for chunk token "
                      "counts. Empty = a documented approximation (1 token per 4 bytes of a "
                      "word, 1 per punctuation mark).",
       .access = Field<&C::documents, &C::Documents::tokenizer_file>()},

      {.section = "images",
       .key = "max_file_size",
       .type = KeyType::kSize,
       .default_text = "64MiB",
       .min = 1 * kKiB,
       .max = 4 * kGiB,
       .description = "Largest image file accepted, in bytes; larger ones are refused before "
                      "they are read.",
       .access = Field<&C::images, &C::Images::max_file_size>()},
      {.section = "images",
       .key = "max_pixels",
       .type = KeyType::kInt,
       .default_text = "50000000",
       .min = 1,
       .max = 1'000'000'000,
       .description = "Most pixels an image may declare; one declaring more is refused from its "
                      "header, before decoding (a decompression bomb). Vectorizing needs about "
                      "20 bytes per pixel.",
       .access = Field<&C::images, &C::Images::max_pixels>()},
      {.section = "images",
       .key = "max_dimension",
       .type = KeyType::kInt,
       .default_text = "0",
       .min = 0,
       .max = 1'000'000,
       .description = "Images with a longer side are scaled down to it (area average) before "
                      "vectorizing; 0 = images are vectorized at their own size. A call's "
                      "max_dimension argument may only lower it.",
       .access = Field<&C::images, &C::Images::max_dimension>()},
      {.section = "images",
       .key = "timeout",
       .type = KeyType::kDuration,
       .default_text = "0",
       .min = 0,
       .max = 24 * kHour,
       .description = "Time one image may take to vectorize; 0 = the tool call's own deadline "
                      "(performance.tool_timeout). In a batch each image gets its own.",
       .access = Field<&C::images, &C::Images::timeout>()},
  };
  return *kKeys;
}

struct ProfileSpec {
  std::string_view name;
  std::string_view description;
  std::vector<std::pair<std::string_view, std::string_view>> values;  // "section.key", value text
};

// Built-in profiles. The first four are the environment profiles Docling users know; the last three
// are its performance profiles. Each must pass validation on its own (a unit test checks that).
const std::vector<ProfileSpec>& Profiles() {
  static const auto* const kProfiles = new std::vector<ProfileSpec>{
      {"development",
       "Local development: debug logs, generous timeouts for debuggers, small pools.",
       {{"logging.level", "debug"},
        {"performance.worker_count", "2"},
        {"performance.blocking_workers", "2"},
        {"performance.tool_timeout", "2m"},
        {"performance.shutdown_timeout", "2s"},
        {"protocol.request_timeout", "5m"},
        {"tools.diagnostics", "true"}}},
      {"production",
       "Serving real clients: warn logs, standard timeouts, room to drain on shutdown, and a "
       "generous per-client rate limit (100 requests/s on average).",
       {{"logging.level", "warn"},
        {"performance.worker_count", "0"},
        {"performance.queue_capacity", "4096"},
        {"performance.backpressure_threshold", "512"},
        {"performance.tool_timeout", "30s"},
        {"performance.shutdown_timeout", "30s"},
        {"performance.rate_limit_requests", "6000"},
        {"performance.rate_limit_window", "1m"},
        {"tools.diagnostics", "false"}}},
      {"high-load",
       "Many concurrent clients: many connections and sessions, large queues, deep "
       "backpressure, short tool timeout.",
       {{"logging.level", "warn"},
        {"performance.worker_count", "0"},
        {"performance.blocking_workers", "32"},
        {"performance.queue_capacity", "10000"},
        {"performance.backpressure_threshold", "8000"},
        {"performance.tool_timeout", "15s"},
        {"performance.max_connections", "10000"},
        {"protocol.max_pending_requests", "1024"},
        {"http.io_threads", "0"},
        {"http.max_sessions", "100000"},
        {"tools.diagnostics", "false"}}},
      {"resource-constrained",
       "Small machines and containers: few threads and connections, small queues, small "
       "messages, a small event store.",
       {{"logging.level", "warn"},
        {"performance.worker_count", "2"},
        {"performance.blocking_workers", "2"},
        {"performance.queue_capacity", "128"},
        {"performance.backpressure_threshold", "32"},
        {"performance.tool_timeout", "10s"},
        {"performance.max_connections", "64"},
        {"protocol.max_message_size", "1MiB"},
        {"protocol.page_size", "20"},
        {"protocol.max_pending_requests", "16"},
        {"http.io_threads", "1"},
        {"http.max_sessions", "256"},
        {"sse.max_queue_size", "100"},
        {"sse.event_store_size", "8MiB"}}},
      {"low_latency",
       "Fail fast: short timeouts and small queues, so no request waits long.",
       {{"performance.worker_count", "0"},
        {"performance.queue_capacity", "256"},
        {"performance.backpressure_threshold", "64"},
        {"performance.tool_timeout", "10s"},
        {"performance.shutdown_timeout", "5s"},
        {"protocol.request_timeout", "10s"},
        {"http.header_timeout", "5s"},
        {"http.write_timeout", "10s"}}},
      {"high_throughput",
       "Most requests per second: many connections, large queues and deep pipelining per "
       "connection.",
       {{"performance.worker_count", "0"},
        {"performance.blocking_workers", "16"},
        {"performance.queue_capacity", "10000"},
        {"performance.backpressure_threshold", "8000"},
        {"performance.tool_timeout", "30s"},
        {"performance.max_connections", "10000"},
        {"protocol.page_size", "200"},
        {"protocol.max_pending_requests", "1024"},
        {"http.io_threads", "0"}}},
      {"resource_efficient",
       "Least memory and fewest threads, at some cost in throughput.",
       {{"performance.worker_count", "2"},
        {"performance.blocking_workers", "1"},
        {"performance.queue_capacity", "64"},
        {"performance.backpressure_threshold", "16"},
        {"performance.tool_timeout", "15s"},
        {"performance.max_connections", "64"},
        {"protocol.max_message_size", "2MiB"},
        {"protocol.max_pending_requests", "8"},
        {"http.io_threads", "1"},
        {"http.max_sessions", "256"},
        {"sse.max_queue_size", "100"},
        {"sse.event_store_size", "8MiB"}}},
  };
  return *kProfiles;
}

// ---------------------------------------------------------------------------------------------
// Text helpers.

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Join(const std::vector<std::string_view>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view item = Trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Close enough to be a typo: a third of the length, but at least two edits.
bool IsClose(std::string_view typed, std::string_view candidate) {
  return EditDistance(Lower(typed), candidate) <= std::max<std::size_t>(2, typed.size() / 3);
}

std::string EnvName(const KeySpec& spec) {
  return "FERRY_" + Upper(spec.section) + "__" + Upper(spec.key);
}

std::string FullName(const KeySpec& spec) {
  return std::string(spec.section) + "." + std::string(spec.key);
}

// Shows a value in a message; an empty one would be invisible.
std::string Shown(std::string_view text) { return text.empty() ? "\"\"" : std::string(text); }

// ---------------------------------------------------------------------------------------------
// Value syntax.

std::string FormatDuration(std::int64_t ms) {
  if (ms == 0) return "0s";
  if (ms % kHour == 0) return std::to_string(ms / kHour) + "h";
  if (ms % kMinute == 0) return std::to_string(ms / kMinute) + "m";
  if (ms % kSecond == 0) return std::to_string(ms / kSecond) + "s";
  return std::to_string(ms) + "ms";
}

// The largest binary unit that divides exactly, so the text reads back to the same byte count.
std::string FormatSize(std::int64_t bytes) {
  if (bytes != 0 && bytes % kGiB == 0) return std::to_string(bytes / kGiB) + "GiB";
  if (bytes != 0 && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + "MiB";
  if (bytes != 0 && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + "KiB";
  return std::to_string(bytes);
}

std::string FormatValue(const KeySpec& spec, const Value& value) {
  switch (spec.type) {
    case KeyType::kInt:
      return std::to_string(std::get<std::int64_t>(value));
    case KeyType::kSize:
      return FormatSize(std::get<std::int64_t>(value));
    case KeyType::kDuration:
      return FormatDuration(std::get<std::int64_t>(value));
    case KeyType::kBool:
      return std::get<bool>(value) ? "true" : "false";
    case KeyType::kString:
    case KeyType::kEnum:
      return std::get<std::string>(value);
    case KeyType::kList: {
      std::vector<std::string_view> items;
      for (const std::string& item : std::get<StringList>(value)) {
        items.push_back(spec.secret ? kRedacted : std::string_view(item));
      }
      return "[" + Join(items, ", ") + "]";
    }
  }
  return {};
}

std::string FormatBound(const KeySpec& spec, std::int64_t bound) {
  if (spec.type == KeyType::kSize) return FormatSize(bound);
  if (spec.type == KeyType::kDuration) return FormatDuration(bound);
  return std::to_string(bound);
}

std::string_view TypeName(KeyType type) {
  switch (type) {
    case KeyType::kInt:
      return "integer";
    case KeyType::kSize:
      return "size";
    case KeyType::kDuration:
      return "duration";
    case KeyType::kBool:
      return "boolean";
    case KeyType::kString:
      return "string";
    case KeyType::kEnum:
      return "enum";
    case KeyType::kList:
      return "list";
  }
  return {};
}

// The allowed values of a key, for the reference.
std::string RangeText(const KeySpec& spec) {
  switch (spec.type) {
    case KeyType::kInt:
    case KeyType::kSize:
    case KeyType::kDuration:
      return FormatBound(spec, spec.min) + " to " + FormatBound(spec, spec.max);
    case KeyType::kBool:
      return "true, false";
    case KeyType::kString:
      if (spec.min == 0) return "any";
      if (spec.min == 1) return "non-empty";
      return "at least " + std::to_string(spec.min) + " characters";
    case KeyType::kEnum:
      return Join(spec.allowed, ", ");
    case KeyType::kList:
      return "non-empty strings";
  }
  return {};
}

enum class NumberError { kSyntax, kOverflow, kNotWhole };

// Parses [+-]digits[.digits] and multiplies by `unit` exactly, without floating point, so that
// "0.1" seconds is exactly 100ms and "1.5MiB" exactly 1572864 bytes.
tl::expected<std::int64_t, NumberError> ParseScaled(std::string_view text, std::int64_t unit) {
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  const std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  const auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if ((whole.empty() && fraction.empty()) || !all_digits(whole) || !all_digits(fraction)) {
    return tl::unexpected(NumberError::kSyntax);
  }
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  // Nine digits is finer than a millisecond of an hour or a byte of a GiB can be, and keeps
  // fraction * unit (< 1e9 * 2^30) within int64.
  if (fraction.size() > 9) return tl::unexpected(NumberError::kNotWhole);

  std::int64_t whole_value = 0;
  if (!whole.empty()) {
    const auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), whole_value);
    if (ec != std::errc()) return tl::unexpected(NumberError::kOverflow);
  }
  std::int64_t fraction_value = 0;
  std::int64_t scale = 1;
  for (char c : fraction) {
    fraction_value = fraction_value * 10 + (c - '0');
    scale *= 10;
  }
  if (fraction_value * unit % scale != 0) return tl::unexpected(NumberError::kNotWhole);
  const std::int64_t fraction_scaled = fraction_value * unit / scale;
  if (whole_value > (kNoLimit - fraction_scaled) / unit) {
    return tl::unexpected(NumberError::kOverflow);
  }
  const std::int64_t result = whole_value * unit + fraction_scaled;
  return negative ? -result : result;
}

// Splits "250ms" into ("250", "ms"); the unit is lowercased.
std::pair<std::string_view, std::string> SplitUnit(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0 && std::isalpha(static_cast<unsigned char>(text[end - 1]))) --end;
  return {Trim(text.substr(0, end)), Lower(text.substr(end))};
}

// An input value as it arrived, before parsing: a scalar's text, or a non-scalar YAML node.
struct Input {
  enum class Kind { kScalar, kNull, kSequence, kMap };
  Kind kind = Kind::kScalar;
  std::string text;               // the scalar, or the node in YAML flow style for messages
  std::vector<Input> items = {};  // kSequence: its items
};

constexpr std::string_view kDurationSyntax =
    "must be a duration: seconds (30, 0.5) or a number with unit ms, s, m or h (250ms, 5m)";
constexpr std::string_view kSizeSyntax =
    "must be a size: bytes (1048576) or a number with unit B, KB, KiB, MB, MiB, GB or GiB (4MiB)";

// Checks and trims one list item (1-based `position`); the error is the reason.
tl::expected<std::string, std::string> ParseListItem(const Input& item, std::size_t position) {
  const std::string name = "item " + std::to_string(position);
  switch (item.kind) {
    case Input::Kind::kScalar:
      break;
    case Input::Kind::kNull:
      return tl::unexpected(name + " is empty");
    case Input::Kind::kSequence:
      return tl::unexpected(name + " must be a string, not a list");
    case Input::Kind::kMap:
      return tl::unexpected(name + " must be a string, not a map");
  }
  const std::string_view text = Trim(item.text);
  if (text.empty()) return tl::unexpected(name + " is empty");
  // Every list must be expressible in the environment, which separates items by commas.
  if (text.find(',') != std::string_view::npos) {
    return tl::unexpected(name + " contains a comma, which separates list items");
  }
  return std::string(text);
}

// A list: a YAML sequence, or a comma-separated string ("" and "[]" are the empty list).
tl::expected<Value, std::string> ParseList(const Input& input) {
  StringList out;
  const auto add = [&](const Input& item) -> tl::expected<void, std::string> {
    auto parsed = ParseListItem(item, out.size() + 1);
    if (!parsed) return tl::unexpected(parsed.error());
    out.push_back(std::move(*parsed));
    return {};
  };
  switch (input.kind) {
    case Input::Kind::kNull:
      return tl::unexpected(std::string("has no value (write [] for an empty list)"));
    case Input::Kind::kMap:
      return tl::unexpected(std::string("must be a list, not a map"));
    case Input::Kind::kSequence:
      for (const Input& item : input.items) {
        if (auto added = add(item); !added) return tl::unexpected(added.error());
      }
      return out;
    case Input::Kind::kScalar:
      break;
  }
  std::string_view text = Trim(input.text);
  if (text.empty() || text == "[]") return out;
  while (true) {
    const std::size_t comma = text.find(',');
    if (auto added = add(Input{.text = std::string(text.substr(0, comma))}); !added) {
      return tl::unexpected(added.error());
    }
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

// Parses and range-checks one value; the error is the reason, without key or source.
tl::expected<Value, std::string> ParseValue(const KeySpec& spec, const Input& input) {
  if (spec.type == KeyType::kList) return ParseList(input);
  switch (input.kind) {
    case Input::Kind::kScalar:
      break;
    case Input::Kind::kNull:
      return tl::unexpected(spec.type == KeyType::kString
                                ? std::string("has no value (write \"\" for an empty string)")
                                : std::string("has no value"));
    case Input::Kind::kSequence:
      return tl::unexpected(std::string("must be a single value, not a list"));
    case Input::Kind::kMap:
      return tl::unexpected(std::string("must be a single value, not a map"));
  }
  const std::string_view text = Trim(input.text);
  const std::string range_reason =
      "must be between " + FormatBound(spec, spec.min) + " and " + FormatBound(spec, spec.max);

  std::int64_t number = 0;
  switch (spec.type) {
    case KeyType::kInt: {
      // ParseScaled would take "2.0"; an integer key wants integer syntax.
      if (text.find('.') != std::string_view::npos) {
        return tl::unexpected(std::string("must be an integer"));
      }
      auto parsed = ParseScaled(text, 1);
      if (!parsed) {
        if (parsed.error() == NumberError::kOverflow) return tl::unexpected(range_reason);
        return tl::unexpected(std::string("must be an integer"));
      }
      number = *parsed;
      break;
    }
    case KeyType::kDuration: {
      const auto [digits, unit] = SplitUnit(text);
      std::int64_t multiplier = 0;
      if (unit.empty() || unit == "s") {
        multiplier = kSecond;
      } else if (unit == "ms") {
        multiplier = kMillisecond;
      } else if (unit == "m") {
        multiplier = kMinute;
      } else if (unit == "h") {
        multiplier = kHour;
      } else {
        return tl::unexpected(std::string(kDurationSyntax));
      }
      auto parsed = ParseScaled(digits, multiplier);
      if (!parsed) {
        if (parsed.error() == NumberError::kOverflow) return tl::unexpected(range_reason);
        if (parsed.error() == NumberError::kNotWhole) {
          return tl::unexpected(std::string("must be a whole number of milliseconds"));
        }
        return tl::unexpected(std::string(kDurationSyntax));
      }
      number = *parsed;
      break;
    }
    case KeyType::kSize: {
      const auto [digits, unit] = SplitUnit(text);
      static constexpr std::pair<std::string_view, std::int64_t> kUnits[] = {
          {"", 1},         {"b", 1},      {"kb", 1000},       {"kib", kKiB},
          {"mb", 1000000}, {"mib", kMiB}, {"gb", 1000000000}, {"gib", kGiB},
      };
      const auto* found = std::find_if(std::begin(kUnits), std::end(kUnits),
                                       [&](const auto& u) { return u.first == unit; });
      if (found == std::end(kUnits)) return tl::unexpected(std::string(kSizeSyntax));
      auto parsed = ParseScaled(digits, found->second);
      if (!parsed) {
        if (parsed.error() == NumberError::kOverflow) return tl::unexpected(range_reason);
        if (parsed.error() == NumberError::kNotWhole) {
          return tl::unexpected(std::string("must be a whole number of bytes"));
        }
        return tl::unexpected(std::string(kSizeSyntax));
      }
      number = *parsed;
      break;
    }
    case KeyType::kBool: {
      const std::string lower = Lower(text);
      if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
      if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
      return tl::unexpected(std::string("must be true or false (or yes/no, on/off, 1/0)"));
    }
    case KeyType::kEnum: {
      const std::string lower = Lower(text);
      for (std::string_view allowed : spec.allowed) {
        if (lower == allowed) return std::string(allowed);
      }
      return tl::unexpected("must be one of " + Join(spec.allowed, ", "));
    }
    case KeyType::kString: {
      // Strings keep their text exactly, spaces included.
      if (static_cast<std::int64_t>(input.text.size()) < spec.min) {
        return tl::unexpected(spec.min == 1 ? std::string("must not be empty")
                                            : "must be " + RangeText(spec));
      }
      return input.text;
    }
    case KeyType::kList:
      return ParseList(input);
  }
  if (number < spec.min || number > spec.max) return tl::unexpected(range_reason);
  return number;
}

// ---------------------------------------------------------------------------------------------
// Cross-key checks, applied to the final configuration after every layer.

struct CrossCheck {
  std::string_view first;   // "section.key" that must be <= second (< when strict)
  std::string_view second;  // "section.key"
  std::string_view reason;
  bool strict = false;
};

// Few on purpose: only pairs whose violation breaks a feature rather than merely wasting resources.
const std::vector<CrossCheck>& CrossChecks() {
  static const auto* const kChecks = new std::vector<CrossCheck>{
      {.first = "performance.backpressure_threshold",
       .second = "performance.queue_capacity",
       .reason = "a connection must pause reading before its requests alone can fill the pool "
                 "queue, or they fail as overloaded instead of waiting"},
      {.first = "sse.retry",
       .second = "http.session_timeout",
       .reason = "a client whose stream broke waits the retry delay before it reconnects, and by "
                 "then its session must still exist for it to resume",
       .strict = true},
  };
  return *kChecks;
}

std::string Relation(const CrossCheck& check) {
  return check.strict ? "must be less than" : "must not exceed";
}

// ---------------------------------------------------------------------------------------------
// Lookup and suggestions.

const KeySpec* FindKey(std::string_view section, std::string_view key) {
  for (const KeySpec& spec : Keys()) {
    if (spec.section == section && spec.key == key) return &spec;
  }
  return nullptr;
}

const KeySpec* FindKey(std::string_view dotted) {
  const std::size_t dot = dotted.find('.');
  if (dot == std::string_view::npos) return nullptr;
  return FindKey(dotted.substr(0, dot), dotted.substr(dot + 1));
}

bool IsSection(std::string_view name) {
  return std::any_of(Sections().begin(), Sections().end(),
                     [&](const SectionSpec& s) { return s.name == name; });
}

std::vector<std::string_view> SectionNames() {
  std::vector<std::string_view> names;
  for (const SectionSpec& s : Sections()) names.push_back(s.name);
  return names;
}

std::vector<std::string_view> ProfileNameViews() {
  std::vector<std::string_view> names;
  for (const ProfileSpec& p : Profiles()) names.push_back(p.name);
  return names;
}

// The key the user most likely meant by section.key: a near miss in the same section first, then
// the same key in another section, then a near miss anywhere.
const KeySpec* NearestKey(std::string_view section, std::string_view key) {
  const std::string lower_key = Lower(key);
  const KeySpec* best = nullptr;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const KeySpec& spec : Keys()) {
    if (spec.section == Lower(section) && IsClose(key, spec.key)) {
      const std::size_t distance = EditDistance(lower_key, spec.key);
      if (distance < best_distance) {
        best = &spec;
        best_distance = distance;
      }
    }
  }
  if (best != nullptr) return best;
  for (const KeySpec& spec : Keys()) {
    if (spec.key == lower_key) return &spec;
  }
  for (const KeySpec& spec : Keys()) {
    if (IsClose(key, spec.key)) {
      const std::size_t distance = EditDistance(lower_key, spec.key);
      if (distance < best_distance) {
        best = &spec;
        best_distance = distance;
      }
    }
  }
  return best;
}

std::string UnknownKeyMessage(std::string_view section, std::string_view key,
                              std::string_view source) {
  std::string message = "unknown key " + std::string(section) + "." + std::string(key) + " (from " +
                        std::string(source) + ")";
  if (const KeySpec* near = NearestKey(section, key)) {
    return message + "; did you mean " + FullName(*near) + "?";
  }
  std::vector<std::string_view> keys;
  for (const KeySpec& spec : Keys()) {
    if (spec.section == section) keys.push_back(spec.key);
  }
  return message + "; keys of " + std::string(section) + ": " + Join(keys, ", ");
}

std::string UnknownSectionMessage(std::string_view section, std::string_view source) {
  std::string message = "unknown section " + Shown(section) + " (from " + std::string(source) + ")";
  for (const SectionSpec& s : Sections()) {
    if (IsClose(section, s.name)) return message + "; did you mean " + std::string(s.name) + "?";
  }
  // A key written at the top level instead of under its section.
  for (const KeySpec& spec : Keys()) {
    if (spec.key == Lower(section)) {
      return message + "; did you mean " + FullName(spec) + "? Keys go under their section";
    }
  }
  return message + "; sections: " + Join(SectionNames(), ", ");
}

std::string UnknownProfileMessage(std::string_view name, std::string_view source) {
  std::string message = "unknown profile " + Shown(name) + " (from " + std::string(source) + ")";
  for (const ProfileSpec& p : Profiles()) {
    if (IsClose(name, p.name)) {
      message += "; did you mean " + std::string(p.name) + "?";
      break;
    }
  }
  return message + "; profiles: " + Join(ProfileNameViews(), ", ");
}

// ---------------------------------------------------------------------------------------------
// Loading.

struct ParsedFile {
  std::string path;
  YAML::Node root;  // a map, or null for an empty file
  std::vector<std::string> profiles;
  std::string profile_source;
};

std::string Where(const std::string& path, const YAML::Mark& mark) {
  return path + ":" + std::to_string(mark.line + 1);
}

Input ToInput(const YAML::Node& node) {
  Input input;
  if (node.IsScalar()) {
    input.text = node.Scalar();
    return input;
  }
  if (node.IsNull()) {
    input.kind = Input::Kind::kNull;
    return input;
  }
  input.kind = node.IsSequence() ? Input::Kind::kSequence : Input::Kind::kMap;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) input.items.push_back(ToInput(node[i]));
  }
  YAML::Emitter flow;
  flow << YAML::Flow << node;
  input.text = flow.c_str();
  return input;
}

Result<ParsedFile> ReadFile(const std::string& path) {
  const auto io_error = [&](int error) {
    return Fail(ErrorCode::kIo,
                "cannot read config file " + path + ": " + std::generic_category().message(error));
  };
  // A directory opens as a stream that reads as empty; say so rather than load nothing.
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) return io_error(EISDIR);
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return io_error(errno);
  std::stringstream buffer;
  buffer << stream.rdbuf();
  if (stream.bad()) return io_error(errno);

  ParsedFile file;
  file.path = path;
  try {
    file.root = YAML::Load(buffer.str());
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kInvalidConfig, path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                               std::to_string(e.mark.column + 1) +
                                               ": YAML syntax error: " + e.msg);
  }
  if (file.root.IsNull()) return file;
  if (!file.root.IsMap()) {
    return Fail(ErrorCode::kInvalidConfig,
                "config file " + path + " must be a map of sections (server:, performance:, ...)");
  }

  std::set<std::string> seen;
  for (auto it = file.root.begin(); it != file.root.end(); ++it) {
    const std::string where = Where(path, it->first.Mark());
    if (!it->first.IsScalar()) {
      return Fail(ErrorCode::kInvalidConfig, where + ": section names must be plain words");
    }
    const std::string name = it->first.Scalar();
    if (!seen.insert(name).second) {
      return Fail(ErrorCode::kInvalidConfig, where + ": duplicate section " + name);
    }
    if (name == "profile") {
      file.profile_source = where;
      // Copies: yaml-cpp iterators hand out proxies that die with the expression.
      const YAML::Node value = it->second;
      if (value.IsScalar()) {
        file.profiles = SplitList(value.Scalar());
      } else if (value.IsSequence()) {
        for (std::size_t i = 0; i < value.size(); ++i) {
          const YAML::Node item = value[i];
          if (!item.IsScalar()) {
            return Fail(ErrorCode::kInvalidConfig,
                        where + ": profile must be a name or a list of names");
          }
          file.profiles.push_back(std::string(Trim(item.Scalar())));
        }
      } else if (!value.IsNull()) {
        return Fail(ErrorCode::kInvalidConfig,
                    where + ": profile must be a name or a list of names");
      }
      continue;
    }
    if (!IsSection(name)) {
      return Fail(ErrorCode::kInvalidConfig, UnknownSectionMessage(name, where));
    }
    // An empty section (`tools:` with nothing under it) is allowed; anything else must be a map.
    if (!it->second.IsMap() && !it->second.IsNull()) {
      return Fail(ErrorCode::kInvalidConfig, "section " + name + " (from " + where +
                                                 ") must be a map of keys, not " +
                                                 Shown(ToInput(it->second).text));
    }
  }
  return file;
}

class Loader {
 public:
  Loader() : origins_(Keys().size(), "default") {}

  Result<void> ApplyDefaults() {
    for (const KeySpec& spec : Keys()) {
      if (auto applied = Apply(spec, Input{.text = std::string(spec.default_text)}, "default");
          !applied) {
        // The table itself is wrong: a bug, not a user error.
        return Fail(ErrorCode::kInternal, applied.error().message);
      }
    }
    return {};
  }

  Result<void> ApplyProfile(const std::string& name, const std::string& source) {
    const auto it = std::find_if(Profiles().begin(), Profiles().end(),
                                 [&](const ProfileSpec& p) { return p.name == name; });
    if (it == Profiles().end()) {
      return Fail(ErrorCode::kInvalidConfig, UnknownProfileMessage(name, source));
    }
    for (const auto& [dotted, text] : it->values) {
      const KeySpec* spec = FindKey(dotted);
      if (spec == nullptr) {
        return Fail(ErrorCode::kInternal,
                    "profile " + name + " sets unknown key " + std::string(dotted));
      }
      if (auto applied = Apply(*spec, Input{.text = std::string(text)}, "profile " + name);
          !applied) {
        return Fail(ErrorCode::kInternal, applied.error().message);
      }
    }
    return {};
  }

  Result<void> ApplyFile(const ParsedFile& file) {
    if (file.root.IsNull()) return {};
    for (auto section = file.root.begin(); section != file.root.end(); ++section) {
      const std::string section_name = section->first.Scalar();
      const YAML::Node keys = section->second;
      if (section_name == "profile" || keys.IsNull()) continue;
      std::set<std::string> seen;
      for (auto it = keys.begin(); it != keys.end(); ++it) {
        const std::string where = Where(file.path, it->first.Mark());
        if (!it->first.IsScalar()) {
          return Fail(ErrorCode::kInvalidConfig, "keys of section " + section_name + " (from " +
                                                     where + ") must be plain words");
        }
        const std::string key = it->first.Scalar();
        if (!seen.insert(key).second) {
          return Fail(ErrorCode::kInvalidConfig,
                      "duplicate key " + section_name + "." + key + " (from " + where + ")");
        }
        const KeySpec* spec = FindKey(section_name, key);
        if (spec == nullptr) {
          return Fail(ErrorCode::kInvalidConfig, UnknownKeyMessage(section_name, key, where));
        }
        if (auto applied = Apply(*spec, ToInput(it->second), where); !applied) return applied;
      }
    }
    return {};
  }

  // FERRY_<SECTION>__<KEY>, in name order so that the first error is deterministic.
  Result<void> ApplyEnvironment() {
    std::vector<std::pair<std::string, std::string>> variables;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      const std::size_t equals = text.find('=');
      if (equals == std::string_view::npos) continue;
      const std::string_view name = text.substr(0, equals);
      if (name.rfind("FERRY_", 0) != 0 || name.find("__") == std::string_view::npos) continue;
      variables.emplace_back(name, text.substr(equals + 1));
    }
    std::sort(variables.begin(), variables.end());
    for (const auto& [name, value] : variables) {
      const std::string_view rest = std::string_view(name).substr(6);
      const std::size_t separator = rest.find("__");
      const std::string section = Lower(rest.substr(0, separator));
      const std::string key = Lower(rest.substr(separator + 2));
      if (!IsSection(section)) {
        return Fail(ErrorCode::kInvalidConfig, UnknownSectionMessage(section, name));
      }
      const KeySpec* spec = FindKey(section, key);
      if (spec == nullptr) {
        return Fail(ErrorCode::kInvalidConfig, UnknownKeyMessage(section, key, name));
      }
      if (auto applied = Apply(*spec, Input{.text = value}, name); !applied) return applied;
    }
    return {};
  }

  Result<void> ApplyOverrides(const std::map<std::string, std::string>& overrides) {
    for (const auto& [dotted, value] : overrides) {
      const std::size_t dot = dotted.find('.');
      const std::string source = "override " + dotted;
      if (dot == std::string::npos) {
        return Fail(ErrorCode::kInvalidConfig,
                    "override " + Shown(dotted) + " must name a key as section.key");
      }
      const std::string section = dotted.substr(0, dot);
      const std::string key = dotted.substr(dot + 1);
      if (!IsSection(section)) {
        return Fail(ErrorCode::kInvalidConfig, UnknownSectionMessage(section, source));
      }
      const KeySpec* spec = FindKey(section, key);
      if (spec == nullptr) {
        return Fail(ErrorCode::kInvalidConfig, UnknownKeyMessage(section, key, source));
      }
      if (auto applied = Apply(*spec, Input{.text = value}, source); !applied) return applied;
    }
    return {};
  }

  Result<void> CheckCrossKeys() const {
    for (const CrossCheck& check : CrossChecks()) {
      const KeySpec* first = FindKey(check.first);
      const KeySpec* second = FindKey(check.second);
      const Value first_value = first->access.get(config_);
      const Value second_value = second->access.get(config_);
      const std::int64_t first_number = std::get<std::int64_t>(first_value);
      const std::int64_t second_number = std::get<std::int64_t>(second_value);
      if (check.strict ? first_number < second_number : first_number <= second_number) continue;
      return Fail(ErrorCode::kInvalidConfig,
                  FullName(*first) + " = " + FormatValue(*first, first_value) + " (from " +
                      Origin(*first) + ") " + Relation(check) + " " + FullName(*second) + " = " +
                      FormatValue(*second, second_value) + " (from " + Origin(*second) +
                      "): " + std::string(check.reason));
    }
    return {};
  }

  // The placeholders of a printed file must not reach the server as real tokens.
  Result<void> CheckSecrets() const {
    for (const KeySpec& spec : Keys()) {
      if (!spec.secret) continue;
      const Value value = spec.access.get(config_);  // get() returns by value: keep it alive
      const StringList& items = std::get<StringList>(value);
      if (std::find(items.begin(), items.end(), kRedacted) == items.end()) continue;
      return Fail(ErrorCode::kInvalidConfig,
                  FullName(spec) + " (from " + Origin(spec) + ") holds the " +
                      std::string(kRedacted) +
                      " placeholder that ferry config --print writes instead of secrets; set the "
                      "real values with " +
                      EnvName(spec) + ", or remove the key");
    }
    return {};
  }

  const Config& config() const { return config_; }

 private:
  Result<void> Apply(const KeySpec& spec, const Input& input, const std::string& source) {
    auto value = ParseValue(spec, input);
    if (!value) {
      // A secret's value stays out of messages, which end up in logs and bug reports.
      const std::string shown = spec.secret ? std::string(kRedacted) : Shown(input.text);
      return Fail(ErrorCode::kInvalidConfig,
                  FullName(spec) + " = " + shown + " (from " + source + "): " + value.error());
    }
    spec.access.set(config_, *value);
    origins_[&spec - Keys().data()] = source;
    return {};
  }

  const std::string& Origin(const KeySpec& spec) const { return origins_[&spec - Keys().data()]; }

  Config config_;
  std::vector<std::string> origins_;  // which layer set each key, by index in Keys()
};

std::optional<std::string> Getenv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

Result<Config> Load(const ConfigSources& sources) {
  Loader loader;
  if (auto done = loader.ApplyDefaults(); !done) return Fail(done.error());

  std::optional<std::string> path = sources.file;
  if (!path && sources.read_environment) path = Getenv("FERRY_CONFIG");
  std::optional<ParsedFile> file;
  if (path) {
    auto parsed = ReadFile(*path);
    if (!parsed) return Fail(parsed.error());
    file = std::move(*parsed);
  }

  // The most explicit source of profiles wins: the caller's list, then FERRY_PROFILE (as the
  // environment beats the file everywhere else), then the file's `profile` key.
  std::vector<std::string> profiles;
  std::string profile_source;
  for (const std::string& item : sources.profiles) {
    for (std::string& name : SplitList(item)) profiles.push_back(std::move(name));
  }
  if (!profiles.empty()) {
    profile_source = "--profile";
  } else if (auto env = sources.read_environment ? Getenv("FERRY_PROFILE") : std::nullopt) {
    profiles = SplitList(*env);
    profile_source = "FERRY_PROFILE";
  } else if (file && !file->profiles.empty()) {
    profiles = file->profiles;
    profile_source = file->profile_source;
  }
  for (const std::string& name : profiles) {
    if (auto done = loader.ApplyProfile(name, profile_source); !done) return Fail(done.error());
  }

  if (file) {
    if (auto done = loader.ApplyFile(*file); !done) return Fail(done.error());
  }
  if (sources.read_environment) {
    if (auto done = loader.ApplyEnvironment(); !done) return Fail(done.error());
  }
  if (auto done = loader.ApplyOverrides(sources.overrides); !done) return Fail(done.error());
  if (auto done = loader.CheckSecrets(); !done) return Fail(done.error());
  if (auto done = loader.CheckCrossKeys(); !done) return Fail(done.error());
  return loader.config();
}

// ---------------------------------------------------------------------------------------------
// The reference, as text and as Markdown. Prose is written once with `code` marks; the text form
// drops the marks.

// Prose, one paragraph per string; Wrap() breaks it to the page width.
constexpr std::string_view kLayers[] = {
    "Built-in defaults (below).",
    "Profiles: `--profile`, else `FERRY_PROFILE`, else the file's top-level `profile` key. Several "
    "may be given, comma-separated or as a YAML list; they apply left to right.",
    "The YAML file: `--config FILE`, else `FERRY_CONFIG`.",
    "Environment variables `FERRY_<SECTION>__<KEY>`, e.g. `FERRY_PERFORMANCE__TOOL_TIMEOUT=5`.",
    "Command-line flags that name a key (e.g. `ferry serve --port`).",
};

constexpr std::string_view kValidation =
    "Loading fails on an unknown section, key or profile, a value of the wrong type or out of "
    "range, or a failed cross-key check; the error names the key, the value, where the value came "
    "from (file and line, environment variable, profile or override) and the reason.";

constexpr std::string_view kSyntax[] = {
    "Durations: a number of seconds (`30`, `0.5`), or a number with a unit `ms`, `s`, `m` or `h` "
    "(`250ms`, `1.5s`, `5m`, `1h`). Resolution is one millisecond.",
    "Sizes: a number of bytes (`1048576`), or a number with a unit `B`, `KB`, `KiB`, `MB`, `MiB`, "
    "`GB` or `GiB` (`512KiB`, `4MiB`). KB, MB and GB are powers of 1000; KiB, MiB and GiB powers "
    "of 1024. Units are case-insensitive.",
    "Booleans: `true`/`false`, `yes`/`no`, `on`/`off` or `1`/`0`, in any case.",
    "Enums: one of the listed values, in any case.",
    "Lists: a YAML sequence (`[a, b]`, or one `- item` per line) or a comma-separated string "
    "(`a, b`); `[]` or an empty string is the empty list. Items are trimmed, must not be empty "
    "and cannot contain commas. In YAML, quote an item that starts with `*` (`\"*\"`), which "
    "would otherwise be an alias.",
    "Environment variables and overrides use the same syntax as the file; a list is "
    "comma-separated there: "
    "`FERRY_SECURITY__ALLOWED_ORIGINS='http://localhost:*,https://app.example.com'`",
};

constexpr std::size_t kPageWidth = 100;

// Breaks `text` into lines of at most kPageWidth (a longer word gets a line of its own); the first
// line starts with `first`, the others with `rest`.
std::string Wrap(std::string_view text, std::string_view first, std::string_view rest) {
  std::string out(first);
  std::size_t line_length = first.size();
  bool line_empty = true;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (word.empty()) continue;
    if (!line_empty && line_length + 1 + word.size() > kPageWidth) {
      out += "\n";
      out += rest;
      line_length = rest.size();
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++line_length;
    }
    out += word;
    line_length += word.size();
    line_empty = false;
  }
  return out + "\n";
}

constexpr std::string_view kExample =
    "profile: production\n"
    "server:\n"
    "  name: my-server\n"
    "  port: 9000\n"
    "performance:\n"
    "  tool_timeout: 15s\n"
    "  queue_capacity: 2048\n"
    "protocol:\n"
    "  max_message_size: 8MiB\n"
    "security:\n"
    "  allowed_origins: [\"http://localhost:*\", \"https://app.example.com\"]\n"
    "logging:\n"
    "  level: info\n";

std::string Plain(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != '`') out += c;
  }
  return out;
}

std::string DefaultText(const KeySpec& spec) {
  auto value = ParseValue(spec, Input{.text = std::string(spec.default_text)});
  return value ? FormatValue(spec, *value) : std::string(spec.default_text);
}

std::string CrossCheckText(const CrossCheck& check, bool markdown) {
  const std::string mark = markdown ? "`" : "";
  return mark + std::string(check.first) + mark + " " + Relation(check) + " " + mark +
         std::string(check.second) + mark + ": " + std::string(check.reason) + ".";
}

std::string DescribeText() {
  std::ostringstream out;
  out << "Ferry configuration reference\n\n";
  out << "Layers, lowest first (each overrides the ones before it):\n";
  for (std::size_t i = 0; i < std::size(kLayers); ++i) {
    out << Wrap(Plain(kLayers[i]), "  " + std::to_string(i + 1) + ". ", "     ");
  }
  out << "\n" << Wrap(Plain(kValidation), "", "") << "\n";
  for (std::string_view paragraph : kSyntax) out << Wrap(Plain(paragraph), "", "  ");
  out << "\nCross-key checks, applied after all layers:\n";
  for (const CrossCheck& check : CrossChecks()) {
    out << Wrap(CrossCheckText(check, false), "  ", "    ");
  }
  for (const SectionSpec& section : Sections()) {
    out << "\n[" << section.name << "] " << section.description << "\n";
    for (const KeySpec& spec : Keys()) {
      if (spec.section != section.name) continue;
      out << "\n"
          << FullName(spec) << "\n"
          << Wrap(Plain(spec.description), "  ", "  ") << "  type: " << TypeName(spec.type)
          << "; default: " << Shown(DefaultText(spec)) << "; range: " << RangeText(spec) << "\n"
          << "  env: " << EnvName(spec) << "\n";
    }
  }
  out << "\nProfiles (each sets the keys it lists and leaves the others alone):\n";
  for (const ProfileSpec& profile : Profiles()) {
    out << "\n" << profile.name << "\n  " << profile.description << "\n";
    for (const auto& [key, value] : profile.values) out << "  " << key << " = " << value << "\n";
  }
  return out.str();
}

std::string Code(std::string_view text) {
  return text.empty() ? "`\"\"`" : "`" + std::string(text) + "`";
}

std::string DescribeMarkdown() {
  std::ostringstream out;
  out << "# Configuration\n\n"
      << "<!-- Generated from the key table in src/config/config.cc by DescribeConfig(true); a "
         "unit test\n     fails when this file differs. Edit the table, then regenerate. -->\n\n"
      << "Every key below can be set in a YAML file, by environment variable or by a profile.\n"
      << "`ferry config --describe` prints this reference as text, and `ferry config --print` "
         "prints the\neffective configuration as YAML that loads back to the same values.\n\n";

  out << "## Layers\n\nLowest first; each layer overrides the ones before it:\n\n";
  for (std::size_t i = 0; i < std::size(kLayers); ++i) {
    out << Wrap(kLayers[i], std::to_string(i + 1) + ". ", "   ");
  }
  out << "\n" << Wrap(kValidation, "", "") << "\n";

  out << "## File format\n\nA map of sections, each a map of keys; every key is optional:\n\n"
      << "```yaml\n"
      << kExample << "```\n\n";

  out << "## Value syntax\n\n";
  for (std::string_view paragraph : kSyntax) out << Wrap(paragraph, "- ", "  ");
  out << "\n";

  out << "## Keys\n";
  for (const SectionSpec& section : Sections()) {
    out << "\n### " << section.name << "\n\n"
        << section.description << "\n\n"
        << "| Key | Type | Default | Range | Environment variable | Description |\n"
        << "|---|---|---|---|---|---|\n";
    for (const KeySpec& spec : Keys()) {
      if (spec.section != section.name) continue;
      out << "| `" << spec.key << "` | " << TypeName(spec.type) << " | " << Code(DefaultText(spec))
          << " | " << RangeText(spec) << " | `" << EnvName(spec) << "` | " << spec.description
          << " |\n";
    }
  }

  out << "\n## Cross-key checks\n\nChecked after all layers are applied:\n\n";
  for (const CrossCheck& check : CrossChecks()) {
    out << Wrap(CrossCheckText(check, true), "- ", "  ");
  }

  out << "\n## Profiles\n\nA profile sets the keys it lists and leaves the others alone.\n\n"
      << "| Profile | Purpose |\n|---|---|\n";
  for (const ProfileSpec& profile : Profiles()) {
    out << "| `" << profile.name << "` | " << profile.description << " |\n";
  }
  for (const ProfileSpec& profile : Profiles()) {
    out << "\n### " << profile.name << "\n\n"
        << profile.description << "\n\n"
        << "| Key | Value |\n|---|---|\n";
    for (const auto& [key, value] : profile.values) {
      out << "| `" << key << "` | " << Code(value) << " |\n";
    }
  }
  return out.str();
}

}  // namespace

Result<Config> LoadConfig(const ConfigSources& sources) {
  // yaml-cpp and the standard library may throw; errors leave this layer as values.
  try {
    return Load(sources);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("loading configuration failed: ") + e.what());
  }
}

std::string DescribeConfig(bool markdown) { return markdown ? DescribeMarkdown() : DescribeText(); }

std::string PrintConfig(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const SectionSpec& section : Sections()) {
    out << YAML::Key << std::string(section.name) << YAML::Value << YAML::BeginMap;
    for (const KeySpec& spec : Keys()) {
      if (spec.section != section.name) continue;
      const Value value = spec.access.get(config);
      out << YAML::Key << std::string(spec.key) << YAML::Value;
      switch (spec.type) {
        case KeyType::kString:
          // Quoted, so that text such as "123", "true" or "a: b" stays one string.
          out << YAML::DoubleQuoted << std::get<std::string>(value);
          break;
        case KeyType::kBool:
          out << std::get<bool>(value);
          break;
        case KeyType::kList: {
          const StringList& items = std::get<StringList>(value);
          out << YAML::Flow << YAML::BeginSeq;
          for (const std::string& item : items) {
            out << YAML::DoubleQuoted << (spec.secret ? std::string(kRedacted) : item);
          }
          out << YAML::EndSeq;
          if (spec.secret && !items.empty()) {
            out << YAML::Comment("secret, redacted; set it with " + EnvName(spec));
          }
          break;
        }
        default:
          out << FormatValue(spec, value);
          break;
      }
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<std::string> ProfileNames() {
  std::vector<std::string> names;
  for (const ProfileSpec& p : Profiles()) names.emplace_back(p.name);
  return names;
}

}  // namespace ferry
