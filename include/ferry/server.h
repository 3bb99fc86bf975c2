// ferry::Server: the library API. Register tools, resources, resource templates, prompts and
// completions with their schemas and handlers, then serve them over a transport.
//
//   ferry::Server server({.name = "my-server", .version = "1.0.0"}, config);
//   server.AddTool({.name = "add", .input_schema = ...},
//                  [](ferry::RequestContext& ctx, const boost::json::object& args)
//                      -> ferry::Result<ferry::ToolResult> { ... });
//   return server.ServeStdio() ? 0 : 1;
//
// Handlers run on the executor their definition names (Execution): the bounded CPU pool by default.
// A handler gets a RequestContext to report progress, log to the client, check cancellation and make
// server-to-client requests (sampling, elicitation, roots).
//
// Thread-safety: Add*/Remove*/Notify* may be called from any thread at any time, including while
// serving; sessions see the change on their next list and get list_changed notifications.
// A handler may be called concurrently from several threads and must be safe for that.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ferry/config.h"
#include "ferry/result.h"

namespace ferry {

namespace protocol {
class ServerCore;
}

// MCP logging levels (RFC 5424 severities), lowest first.
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };

// Where a handler runs.
enum class Execution {
  kInline,    // on the transport's I/O thread: only for work of microseconds that never blocks
  kCpu,       // on the bounded CPU pool (the default)
  kBlocking,  // on the bounded blocking pool: files, subprocesses, long waits
};

// The name and version a peer reports (serverInfo / clientInfo).
struct Implementation {
  std::string name;
  std::string version;
  std::string title;
};

// What the client told the server during initialize.
struct ClientInfo {
  std::string protocol_version;  // the negotiated version
  Implementation implementation;
  boost::json::object capabilities;
  bool Supports(std::string_view capability) const { return capabilities.contains(capability); }
};

// The view a handler has of the request it serves. Owned by the runtime; valid only during the
// handler call. Thread-safety: every method may be called from the handler's thread; IsCancelled()
// from any thread.
class RequestContext {
 public:
  virtual ~RequestContext() = default;

  // True once the client cancelled the request, its tool_timeout passed, or the server is shutting
  // down. Long handlers should check it between steps and return early.
  virtual bool IsCancelled() const = 0;
  virtual std::chrono::steady_clock::time_point Deadline() const = 0;

  // Sends notifications/progress when the request carried _meta.progressToken; otherwise no-op.
  // `progress` must increase from call to call (the spec requires it); smaller values are dropped.
  virtual void ReportProgress(double progress, std::optional<double> total = std::nullopt,
                              std::string_view message = {}) = 0;

  // Sends notifications/message when `level` is at or above the session's logging/setLevel.
  virtual void Log(LogLevel level, boost::json::value data, std::string_view logger = {}) = 0;

  // Sends a server-to-client request and waits for its result. Fails with kUnsupported when the
  // client did not declare the capability the method needs, kTimeout after `timeout` (default
  // protocol.request_timeout), kOverloaded when too many are pending, kCancelled when this request
  // is cancelled meanwhile. Not allowed from Execution::kInline handlers (it would block I/O).
  virtual Result<boost::json::value> SendRequest(
      std::string_view method, boost::json::object params,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;

  Result<boost::json::value> CreateMessage(boost::json::object params) {
    return SendRequest("sampling/createMessage", std::move(params));
  }
  Result<boost::json::value> Elicit(boost::json::object params) {
    return SendRequest("elicitation/create", std::move(params));
  }
  Result<boost::json::value> ListRoots() { return SendRequest("roots/list", {}); }

  virtual const ClientInfo& Client() const = 0;
};

// ---- Tools ----

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  boost::json::object input_schema;                  // JSON Schema 2020-12; empty = {"type":"object"}
  std::optional<boost::json::object> output_schema;  // when set, results must carry structuredContent
  boost::json::object annotations;                   // readOnlyHint, destructiveHint, ...
  boost::json::object meta;                          // _meta
  Execution execution = Execution::kCpu;
  std::optional<std::chrono::milliseconds> timeout;  // overrides performance.tool_timeout
};

// The result of tools/call. A failure the model should see is a result with is_error = true
// (ToolResult::Failure); a Result error from the handler becomes the same.
struct ToolResult {
  boost::json::array content;
  std::optional<boost::json::value> structured_content;
  bool is_error = false;
  boost::json::object meta;

  static ToolResult Text(std::string_view text);
  static ToolResult Failure(std::string_view message);
  ToolResult& AddText(std::string_view text);
  ToolResult& AddImage(std::string_view base64_data, std::string_view mime_type);
  ToolResult& AddAudio(std::string_view base64_data, std::string_view mime_type);
  ToolResult& AddResourceLink(std::string_view uri, std::string_view name,
                              std::string_view mime_type = {});
  ToolResult& AddEmbeddedText(std::string_view uri, std::string_view text,
                              std::string_view mime_type = "text/plain");
};

using ToolHandler =
    std::function<Result<ToolResult>(RequestContext&, const boost::json::object& arguments)>;

// ---- Resources ----

struct Resource {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  std::optional<std::int64_t> size;
  boost::json::object annotations;
  boost::json::object meta;
};

struct ResourceTemplate {
  std::string uri_template;  // RFC 6570, levels 1-4
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  boost::json::object annotations;
};

// One entry of a resources/read result: text or base64 blob.
struct ResourceContents {
  std::string uri;
  std::string mime_type;
  std::optional<std::string> text;
  std::optional<std::string> blob;  // base64
  boost::json::object meta;
};

// Variables a template match extracted from a URI (list values joined with ',').
using UriVariables = std::map<std::string, std::string>;

using ResourceHandler = std::function<Result<std::vector<ResourceContents>>(
    RequestContext&, const std::string& uri, const UriVariables& variables)>;

// ---- Prompts ----

struct PromptArgument {
  std::string name;
  std::string title;
  std::string description;
  bool required = false;
};

struct Prompt {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  boost::json::object meta;
};

struct PromptResult {
  std::string description;
  boost::json::array messages;  // PromptMessage objects {role, content}

  PromptResult& AddText(std::string_view role, std::string_view text);
};

using PromptHandler = std::function<Result<PromptResult>(
    RequestContext&, const std::map<std::string, std::string>& arguments)>;

// ---- Completion ----

struct CompletionRequest {
  std::string ref_type;  // "ref/prompt" or "ref/resource"
  std::string ref;       // prompt name or resource template URI
  std::string argument_name;
  std::string argument_value;
  std::map<std::string, std::string> context_arguments;  // already-resolved arguments
};

struct Completion {
  std::vector<std::string> values;  // at most 100 are sent
  std::optional<std::int64_t> total;
  bool has_more = false;
};

using CompletionHandler =
    std::function<Result<Completion>(RequestContext&, const CompletionRequest&)>;

// ---- Server ----

class Server {
 public:
  Server(Implementation info, Config config = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Registration fails with kInvalidParams for an empty or duplicate name, an invalid schema or URI
  // template, or a missing handler.
  Result<void> AddTool(Tool tool, ToolHandler handler);
  Result<void> RemoveTool(std::string_view name);
  Result<void> AddResource(Resource resource, ResourceHandler handler);
  Result<void> RemoveResource(std::string_view uri);
  Result<void> AddResourceTemplate(ResourceTemplate resource_template, ResourceHandler handler,
                                   CompletionHandler complete = {});
  Result<void> AddPrompt(Prompt prompt, PromptHandler handler, CompletionHandler complete = {});
  Result<void> RemovePrompt(std::string_view name);

  // Reads a registered resource or template match as resources/read would, for tools that take
  // a resource URI as input. kResourceNotFound when nothing matches `uri`.
  Result<std::vector<ResourceContents>> ReadResource(RequestContext& ctx, const std::string& uri);

  // Sends notifications/resources/updated to every session subscribed to `uri`.
  void NotifyResourceUpdated(std::string_view uri);

  // Serves MCP over this process's stdin/stdout until stdin ends or Stop() is called, then
  // finishes or cancels in-flight work within performance.shutdown_timeout.
  Result<void> ServeStdio();
  // Same over any pair of file descriptors (tests, pipes).
  Result<void> ServeStdio(int input_fd, int output_fd);

  // Serves MCP over HTTP (Streamable HTTP at /mcp, legacy HTTP+SSE at /sse, /health, /ready,
  // /metrics) on server.host:server.port until Stop(), then shuts down gracefully.
  Result<void> ServeHttp();

  // Asks a running Serve* call to stop; safe from any thread and from signal handlers.
  void Stop();

  const Config& config() const;
  protocol::ServerCore& core();

 private:
  std::unique_ptr<protocol::ServerCore> core_;
};

}  // namespace ferry
