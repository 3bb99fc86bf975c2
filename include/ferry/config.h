// ferry::Config: the effective configuration of a Ferry server, and how it is loaded.
//
// Every key is declared once, with its default, type, range and description, in the key table of
// src/config/config.cc; `ferry config --describe` prints that table and docs/configuration.md is
// generated from the same text. The layers, lowest first:
//   1. built-in defaults
//   2. named profiles: --profile (ConfigSources::profiles), else FERRY_PROFILE, else the file's
//      top-level `profile` key; several may be given separated by commas (or as a YAML list),
//      applied left to right
//   3. the YAML file (--config FILE, i.e. ConfigSources::file, else FERRY_CONFIG)
//   4. environment overrides FERRY_<SECTION>__<KEY> (e.g. FERRY_PERFORMANCE__TOOL_TIMEOUT=5)
//   5. command-line flags that name a key (e.g. `ferry serve --port`), i.e.
//      ConfigSources::overrides
// Invalid input (unknown section, key or profile, wrong type, out of range, a failed cross-key
// check such as backpressure_threshold > queue_capacity) fails loading with kInvalidConfig naming
// the key, the value, its source and the reason; an unreadable file fails with kIo.
//
// Durations are seconds in YAML and the environment (`tool_timeout: 30`, `0.5`), or a string with a
// unit (`250ms`, `30s`, `5m`, `1h`). Sizes are bytes, or a string with a unit (`4MiB`, `512KiB`).
//
// Thread-safety: Config is a plain value; load it once and share it read-only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ferry/result.h"

namespace ferry {

struct Config {
  struct Server {
    std::string name = "ferry";
    std::string host = "127.0.0.1";
    int port = 8080;
    std::string instructions;  // sent in the initialize result when not empty

    bool operator==(const Server&) const = default;
  } server;

  struct Performance {
    int worker_count = 0;  // CPU pool threads; 0 = one per hardware thread
    int blocking_workers = 4;
    int queue_capacity = 1024;          // queued work items per pool before `overloaded`
    int backpressure_threshold = 256;   // in-flight requests per connection before reading pauses
    std::chrono::milliseconds tool_timeout{30000};
    std::chrono::milliseconds shutdown_timeout{10000};
    std::chrono::milliseconds stdio_drain_timeout{1000};
    int max_connections = 1024;                        // open HTTP connections; 503 beyond
    int rate_limit_requests = 0;                       // per client per window; 0 = no limit
    std::chrono::milliseconds rate_limit_window{60000};

    bool operator==(const Performance&) const = default;
  } performance;

  // The HTTP transports (Streamable HTTP at /mcp, legacy HTTP+SSE at /sse and /messages).
  struct Http {
    int io_threads = 0;                 // event-loop threads; 0 = one per hardware thread
    bool stateless = false;             // no sessions: every POST stands alone
    bool legacy_sse = true;             // serve the 2024-11-05 HTTP+SSE transport
    std::string response_mode = "auto"; // auto: JSON unless messages precede the result; sse: always
    std::int64_t max_header_size = 16 * 1024;
    std::chrono::milliseconds header_timeout{10000};      // to receive a request's headers
    std::chrono::milliseconds connection_timeout{60000};  // keep-alive idle time
    std::chrono::milliseconds write_timeout{30000};       // per write to a client
    int max_sessions = 10000;           // live MCP sessions; 503 beyond
    std::chrono::milliseconds session_timeout{1800000};   // idle sessions end after this

    bool operator==(const Http&) const = default;
  } http;

  // Server-sent events.
  struct Sse {
    std::chrono::milliseconds keepalive_interval{15000};  // comment lines on idle streams
    int max_queue_size = 1000;          // messages queued per stream for a slow client
    std::chrono::milliseconds retry{1000};                // `retry:` advice to reconnecting clients
    std::int64_t event_store_size = 64 * 1024 * 1024;     // bytes kept for Last-Event-ID replay

    bool operator==(const Sse&) const = default;
  } sse;

  struct Security {
    std::vector<std::string> allowed_hosts;    // Host header allowlist; empty = loopback names
    std::vector<std::string> allowed_origins;  // Origin allowlist; empty = loopback origins
    bool cors = false;                          // answer CORS preflights and add CORS headers
    std::chrono::milliseconds cors_max_age{600000};
    std::vector<std::string> auth_tokens;       // bearer tokens; empty (and no file) = no auth
    std::string auth_token_file;                // one token per line

    bool operator==(const Security&) const = default;
  } security;

  struct Protocol {
    std::int64_t max_message_size = 4 * 1024 * 1024;  // bytes per JSON-RPC message
    int page_size = 50;                                // items per tools/resources/prompts list page
    int max_pending_requests = 64;                     // server-to-client requests in flight per session
    std::chrono::milliseconds request_timeout{60000};  // server-to-client request timeout

    bool operator==(const Protocol&) const = default;
  } protocol;

  struct Logging {
    std::string level = "info";  // trace, debug, info, warn, error, off

    bool operator==(const Logging&) const = default;
  } logging;

  struct Tools {
    bool diagnostics = true;  // the `echo` diagnostics tool group
    bool documents = true;    // the document conversion tool group
    bool images = true;       // the image vectorization tool group

    bool operator==(const Tools&) const = default;
  } tools;

  struct Documents {
    std::vector<std::string> allowed_roots;  // directories path arguments may name; empty = none
    std::int64_t max_file_size = 64 * 1024 * 1024;
    std::int64_t max_pages = 10'000;              // paged documents with more are refused
    std::int64_t max_image_pixels = 64'000'000;   // images (OCR) declaring more are refused
    std::chrono::milliseconds timeout{0};         // one document's conversion; 0 = the call's
    std::int64_t max_memory = 1024 * 1024 * 1024;  // one conversion's document, bytes
    std::int64_t store_size = 256 * 1024 * 1024;  // converted documents kept (LRU), bytes
    std::int64_t max_drafts = 64;                  // documents being built or edited at once
    std::string tokenizer_file;                   // tiktoken rank file; empty = approximation

    bool operator==(const Documents&) const = default;
  } documents;

  struct Images {
    std::int64_t max_file_size = 64 * 1024 * 1024;
    std::int64_t max_pixels = 50'000'000;  // images declaring more are refused before decoding
    std::int64_t max_dimension = 0;        // longest side; larger images are scaled down; 0 = off
    std::chrono::milliseconds timeout{0};  // one image's vectorization; 0 = the call's

    bool operator==(const Images&) const = default;
  } images;

  bool operator==(const Config&) const = default;
};

// Where configuration comes from, besides the defaults.
struct ConfigSources {
  std::optional<std::string> file;               // YAML file path
  std::vector<std::string> profiles;             // applied in order before the file
  std::map<std::string, std::string> overrides;  // "section.key" -> value, applied last
  bool read_environment = true;                  // FERRY_<SECTION>__<KEY>, FERRY_CONFIG, FERRY_PROFILE
};

// Loads and validates configuration from the layers above.
Result<Config> LoadConfig(const ConfigSources& sources);

// The reference of every key (section, key, type, default, range, description) as text, and as
// Markdown for docs/configuration.md.
std::string DescribeConfig(bool markdown = false);

// The effective configuration as YAML that LoadConfig would read back to the same values.
std::string PrintConfig(const Config& config);

// Names of the built-in profiles, in the order `ferry config --describe` lists them.
std::vector<std::string> ProfileNames();

}  // namespace ferry
