// The public ferry::Server facade and the result builders of include/ferry/server.h.
#include "ferry/server.h"

#include "protocol/server_core.h"
#include "runtime/stop_signal.h"
#include "transport/http/http_server.h"
#include "transport/stdio/stdio_transport.h"

namespace ferry {
namespace json = boost::json;

ToolResult ToolResult::Text(std::string_view text) {
  ToolResult r;
  r.AddText(text);
  return r;
}

ToolResult ToolResult::Failure(std::string_view message) {
  ToolResult r;
  r.AddText(message);
  r.is_error = true;
  return r;
}

ToolResult& ToolResult::AddText(std::string_view text) {
  content.push_back(json::object{{"type", "text"}, {"text", text}});
  return *this;
}

ToolResult& ToolResult::AddImage(std::string_view base64_data, std::string_view mime_type) {
  content.push_back(
      json::object{{"type", "image"}, {"data", base64_data}, {"mimeType", mime_type}});
  return *this;
}

ToolResult& ToolResult::AddAudio(std::string_view base64_data, std::string_view mime_type) {
  content.push_back(
      json::object{{"type", "audio"}, {"data", base64_data}, {"mimeType", mime_type}});
  return *this;
}

ToolResult& ToolResult::AddResourceLink(std::string_view uri, std::string_view name,
                                        std::string_view mime_type) {
  json::object link{{"type", "resource_link"}, {"uri", uri}, {"name", name}};
  if (!mime_type.empty()) link["mimeType"] = mime_type;
  content.push_back(std::move(link));
  return *this;
}

ToolResult& ToolResult::AddEmbeddedText(std::string_view uri, std::string_view text,
                                        std::string_view mime_type) {
  content.push_back(json::object{
      {"type", "resource"},
      {"resource", json::object{{"uri", uri}, {"mimeType", mime_type}, {"text", text}}}});
  return *this;
}

PromptResult& PromptResult::AddText(std::string_view role, std::string_view text) {
  messages.push_back(json::object{
      {"role", role}, {"content", json::object{{"type", "text"}, {"text", text}}}});
  return *this;
}

Server::Server(Implementation info, Config config)
    : core_(std::make_unique<protocol::ServerCore>(std::move(info), std::move(config))) {}

Server::~Server() = default;

Result<void> Server::AddTool(Tool tool, ToolHandler handler) {
  const std::string name = tool.name;
  auto r = core_->registry().AddTool(std::move(tool), std::move(handler));
  if (r) core_->metrics().RegisterTool(name);
  if (r) core_->Broadcast("notifications/tools/list_changed");
  return r;
}

Result<void> Server::RemoveTool(std::string_view name) {
  if (!core_->registry().tools().Remove(name)) {
    return Fail(ErrorCode::kNotFound, "no tool named '" + std::string(name) + "'");
  }
  core_->Broadcast("notifications/tools/list_changed");
  return {};
}

Result<void> Server::AddResource(Resource resource, ResourceHandler handler) {
  auto r = core_->registry().AddResource(std::move(resource), std::move(handler));
  if (r) core_->Broadcast("notifications/resources/list_changed");
  return r;
}

Result<void> Server::RemoveResource(std::string_view uri) {
  if (!core_->registry().resources().Remove(uri)) {
    return Fail(ErrorCode::kNotFound, "no resource '" + std::string(uri) + "'");
  }
  core_->Broadcast("notifications/resources/list_changed");
  return {};
}

Result<std::vector<ResourceContents>> Server::ReadResource(RequestContext& ctx,
                                                          const std::string& uri) {
  if (auto resource = core_->registry().resources().Find(uri)) {
    return resource->handler(ctx, uri, {});
  }
  if (auto [entry, variables] = core_->registry().MatchTemplate(uri); entry) {
    return entry->handler(ctx, uri, variables);
  }
  return Fail(ErrorCode::kResourceNotFound, "resource not found: " + uri);
}

Result<void> Server::AddResourceTemplate(ResourceTemplate resource_template,
                                         ResourceHandler handler, CompletionHandler complete) {
  auto r = core_->registry().AddTemplate(std::move(resource_template), std::move(handler),
                                         std::move(complete));
  if (r) core_->Broadcast("notifications/resources/list_changed");
  return r;
}

Result<void> Server::AddPrompt(Prompt prompt, PromptHandler handler, CompletionHandler complete) {
  auto r = core_->registry().AddPrompt(std::move(prompt), std::move(handler), std::move(complete));
  if (r) core_->Broadcast("notifications/prompts/list_changed");
  return r;
}

Result<void> Server::RemovePrompt(std::string_view name) {
  if (!core_->registry().prompts().Remove(name)) {
    return Fail(ErrorCode::kNotFound, "no prompt named '" + std::string(name) + "'");
  }
  core_->Broadcast("notifications/prompts/list_changed");
  return {};
}

void Server::NotifyResourceUpdated(std::string_view uri) { core_->NotifyResourceUpdated(uri); }

Result<void> Server::ServeStdio() { return ServeStdio(0, 1); }

Result<void> Server::ServeStdio(int input_fd, int output_fd) {
  return transport::ServeStdio(*core_, input_fd, output_fd);
}

Result<void> Server::ServeHttp() { return transport::http::ServeHttp(*core_); }

void Server::Stop() { runtime::RequestStop(); }

const Config& Server::config() const { return core_->config(); }

protocol::ServerCore& Server::core() { return *core_; }

}  // namespace ferry
