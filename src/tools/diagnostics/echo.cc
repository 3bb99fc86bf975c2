#include "tools/diagnostics/echo.h"

namespace ferry::tools::diagnostics {
namespace json = boost::json;

Result<void> Register(Server& server) {
  Tool echo;
  echo.name = "echo";
  echo.title = "Echo";
  echo.description = "Returns its `text` argument unchanged. For benchmarks and smoke tests.";
  echo.input_schema = json::object{
      {"type", "object"},
      {"properties", json::object{{"text", json::object{{"type", "string"},
                                                        {"description", "Text to return"}}}}},
      {"required", json::array{"text"}}};
  echo.annotations = json::object{{"readOnlyHint", true}, {"idempotentHint", true},
                                  {"openWorldHint", false}};
  // Microseconds of work: run it on the I/O thread and skip the pool hop.
  echo.execution = Execution::kInline;
  return server.AddTool(std::move(echo), [](RequestContext&, const json::object& args)
                                             -> Result<ToolResult> {
    return ToolResult::Text(args.at("text").get_string());
  });
}

}  // namespace ferry::tools::diagnostics
