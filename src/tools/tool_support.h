// What every built-in tool group shares: registering a group's tools with one shared state
// object, input-schema builders, argument readers, structured results, and reading a source
// named by a path inside the allowed roots, base64 content or a resource URI.
//
// Thread-safety: pure functions, except LoadSource, which reads files and resources and is safe
// from any handler thread.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/server.h"

namespace ferry::tools {

// One tool of a group whose handlers share a `Group` object: what MCP lists, and the handler.
template <typename Group>
struct GroupTool {
  using Handler = Result<ToolResult> (*)(Group&, RequestContext&,
                                         const boost::json::object& arguments);
  std::string_view name, title, description;
  boost::json::object input_schema;
  boost::json::object annotations;
  Handler handler;
  Execution execution = Execution::kCpu;
};

// Registers `tools` in order, each handler given `group`; stops at the first that fails.
template <typename Group>
Result<void> AddTools(Server& server, const std::shared_ptr<Group>& group,
                      std::vector<GroupTool<Group>> tools) {
  for (auto& d : tools) {
    Tool t;
    t.name = d.name;
    t.title = d.title;
    t.description = d.description;
    t.input_schema = std::move(d.input_schema);
    t.annotations = std::move(d.annotations);
    t.execution = d.execution;
    const auto handler = d.handler;
    auto run = [group, handler](RequestContext& ctx, const boost::json::object& args) {
      return handler(*group, ctx, args);
    };
    if (auto added = server.AddTool(std::move(t), std::move(run)); !added) return added;
  }
  return {};
}

// A result whose text is the structured content, for clients that read only text.
ToolResult Structured(boost::json::object out);

// Input schema builders.
boost::json::object ObjectSchema(boost::json::object properties, boost::json::array required = {});
boost::json::object StringProperty(std::string_view description);
boost::json::object IntegerProperty(std::string_view description, std::int64_t minimum,
                                    std::int64_t maximum);
boost::json::object EnumProperty(std::initializer_list<std::string_view> values,
                                 std::string_view description);

// The string argument `key`, or "" when absent (schemas have checked the types already).
std::string ArgString(const boost::json::object& args, std::string_view key);
// The integer argument `key`, or `fallback` when absent.
std::int64_t ArgInt(const boost::json::object& args, std::string_view key, std::int64_t fallback);

// A source's bytes, with the file name it came with (the path's, or the `filename` argument;
// empty when neither) and, for a resource, its MIME type.
struct SourceBytes {
  std::string bytes;
  std::string filename;
  std::string mime_type;
};
// Reads the source named by exactly one of the arguments `path` (a file inside `roots`),
// `content` (base64) or `uri` (a resource this server can read), refusing more than `max_size`
// bytes; `limit_key` names that limit's configuration key in the error.
Result<SourceBytes> LoadSource(Server& server, RequestContext& ctx, const boost::json::object& args,
                               const std::vector<std::string>& roots, std::size_t max_size,
                               std::string_view limit_key);

}  // namespace ferry::tools
