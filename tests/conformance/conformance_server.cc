// The fixture MCP server that the official conformance suite (npm
// @modelcontextprotocol/conformance, driven by tests/conformance/run.sh) tests: Ferry's own CLI
// (`serve --port N`, `--set`, ...) plus the tools, resources, prompts and completions the suite's
// server scenarios call, under the names, argument schemas and results those scenarios check. The
// suite names them after its reference "everything" server; the behaviours here follow the scenario
// descriptions, in Ferry's own code.
//
// Built only on the public API (ferry/server.h) and RunCli, the way a user embeds Ferry, so a
// scenario that needs something the API cannot say shows up as a missing feature of the API, not
// as a private shortcut in this file.
//
// Scenario -> what it calls here:
//   tools-list, json-schema-2020-12          tools/list (every tool has a description; names match
//                                             [A-Za-z0-9_.-]; json_schema_2020_12_tool's schema)
//   tools-call-simple-text / -image / -audio / -embedded-resource / -mixed-content / -error
//                                             test_simple_text, test_image_content,
//                                             test_audio_content, test_embedded_resource,
//                                             test_multiple_content_types, test_error_handling
//   tools-call-with-logging / -with-progress  test_tool_with_logging, test_tool_with_progress
//   tools-call-sampling / -elicitation        test_sampling {prompt}, test_elicitation {message}
//   elicitation-sep1034-defaults / -sep1330-enums
//                                             test_elicitation_sep1034_defaults,
//                                             test_elicitation_sep1330_enums
//   server-sse-polling                        test_reconnection
//   resources-*                               test://static-text, test://static-binary,
//                                             test://watched-resource, test://template/{id}/data
//   prompts-*                                 test_simple_prompt, test_prompt_with_arguments,
//                                             test_prompt_with_embedded_resource,
//                                             test_prompt_with_image
//   completion-complete                       ref/prompt test_prompt_with_arguments, argument arg1
// The lifecycle, ping, logging/setLevel, session, SSE and DNS-rebinding scenarios test Ferry's
// protocol and transport layers and need nothing registered.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "app/commands.h"
#include "ferry/server.h"
#include "../fixtures/registrar.h"

namespace {

namespace json = boost::json;
using ferry::testing::Registrar;
using ferry::ErrorCode;
using ferry::Execution;
using ferry::Fail;
using ferry::RequestContext;
using ferry::Result;
using ferry::ToolResult;

// A 2x2 RGB PNG (red, green / blue, white), made for this fixture.
constexpr std::string_view kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR42mP4"
    "z8DAAMIM/4EAAB/uBfvxq7p3AAAAAElFTkSuQmCC";
// A 52-byte WAV (PCM, mono, 8 kHz, 8-bit), made for this fixture: one cycle of a 1 kHz triangle.
constexpr std::string_view kWavBase64 =
    "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAoMCggGBAYA==";

// The pauses the scenarios ask for between notifications, so a client sees them arrive while the
// tool is still running rather than in one burst with the result.
constexpr auto kStepDelay = std::chrono::milliseconds(50);

// The inputSchema the json-schema-2020-12 scenario expects to get back from tools/list unchanged:
// $schema, $defs with an $anchor, a $ref, composition (allOf/anyOf), conditionals (if/then/else)
// and additionalProperties. Ferry compiles it to validate calls and lists it as registered.
constexpr std::string_view kJsonSchema2020Tool = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "$defs": {
    "address": {
      "$anchor": "addressDef",
      "type": "object",
      "properties": {"street": {"type": "string"}, "city": {"type": "string"}}
    }
  },
  "properties": {
    "name": {"type": "string"},
    "address": {"$ref": "#/$defs/address"},
    "contactMethod": {"type": "string", "enum": ["phone", "email"]},
    "phone": {"type": "string"},
    "email": {"type": "string"}
  },
  "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
  "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
  "then": {"required": ["phone"]},
  "else": {"required": ["email"]},
  "additionalProperties": false
})json";

// Elicitation forms. Each property is one of the spec's PrimitiveSchemaDefinition variants, since
// the suite validates every message the server sends against the spec's JSON schema.
constexpr std::string_view kContactForm = R"json({
  "type": "object",
  "properties": {
    "username": {"type": "string", "description": "User's response"},
    "email": {"type": "string", "description": "User's email address"}
  },
  "required": ["username", "email"]
})json";

// SEP-1034: a default for every primitive type.
constexpr std::string_view kDefaultsForm = R"json({
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "User name", "default": "John Doe"},
    "age": {"type": "integer", "description": "User age", "default": 30},
    "score": {"type": "number", "description": "User score", "default": 95.5},
    "status": {"type": "string", "description": "User status",
               "enum": ["active", "inactive", "pending"], "default": "active"},
    "verified": {"type": "boolean", "description": "Verification status", "default": true}
  },
  "required": []
})json";

// SEP-1330: the five enum shapes (untitled and titled single-select, the legacy enumNames form,
// untitled and titled multi-select).
constexpr std::string_view kEnumsForm = R"json({
  "type": "object",
  "properties": {
    "untitledSingle": {"type": "string", "description": "Pick one",
                       "enum": ["option1", "option2", "option3"]},
    "titledSingle": {"type": "string", "description": "Pick one (titled)",
                     "oneOf": [{"const": "value1", "title": "First Option"},
                               {"const": "value2", "title": "Second Option"},
                               {"const": "value3", "title": "Third Option"}]},
    "legacyEnum": {"type": "string", "description": "Pick one (legacy titles)",
                   "enum": ["opt1", "opt2", "opt3"],
                   "enumNames": ["Option One", "Option Two", "Option Three"]},
    "untitledMulti": {"type": "array", "description": "Pick any", "minItems": 1, "maxItems": 3,
                      "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
    "titledMulti": {"type": "array", "description": "Pick any (titled)", "minItems": 1,
                    "maxItems": 3,
                    "items": {"anyOf": [{"const": "value1", "title": "First Choice"},
                                        {"const": "value2", "title": "Second Choice"},
                                        {"const": "value3", "title": "Third Choice"}]}}
  },
  "required": []
})json";

// Completion candidates for test_prompt_with_arguments (by argument) and the template's {id}.
const std::map<std::string, std::vector<std::string>> kPromptArgumentValues = {
    {"arg1", {"paris", "park", "party", "test", "test-value-1", "test-value-2", "testing"}},
    {"arg2", {"alpha", "beta", "gamma", "world"}},
};
const std::vector<std::string> kTemplateIds = {"1", "12", "123", "1234", "42"};

json::object Schema(std::string_view text) { return json::parse(text).as_object(); }

// Field by field rather than designated initializers: GCC 12 warns (-Wmissing-field-initializers)
// about every member a designated initializer leaves out.
ferry::Tool MakeTool(std::string name, std::string title, std::string description,
                     Execution execution, std::string_view input_schema = {}) {
  ferry::Tool tool;
  tool.name = std::move(name);
  tool.title = std::move(title);
  tool.description = std::move(description);
  tool.execution = execution;
  if (!input_schema.empty()) tool.input_schema = Schema(input_schema);
  return tool;
}

ferry::Resource MakeResource(std::string uri, std::string name, std::string title,
                             std::string description, std::string mime_type) {
  ferry::Resource resource;
  resource.uri = std::move(uri);
  resource.name = std::move(name);
  resource.title = std::move(title);
  resource.description = std::move(description);
  resource.mime_type = std::move(mime_type);
  return resource;
}

ferry::ResourceContents TextContents(const std::string& uri, std::string mime_type,
                                     std::string text) {
  ferry::ResourceContents contents;
  contents.uri = uri;
  contents.mime_type = std::move(mime_type);
  contents.text = std::move(text);
  return contents;
}

ferry::Prompt MakePrompt(std::string name, std::string title, std::string description,
                         std::vector<ferry::PromptArgument> arguments = {}) {
  ferry::Prompt prompt;
  prompt.name = std::move(name);
  prompt.title = std::move(title);
  prompt.description = std::move(description);
  prompt.arguments = std::move(arguments);
  return prompt;
}

ferry::PromptArgument RequiredArgument(std::string name, std::string description) {
  ferry::PromptArgument argument;
  argument.name = std::move(name);
  argument.description = std::move(description);
  argument.required = true;
  return argument;
}

json::object PromptMessage(std::string_view role, json::object content) {
  return json::object{{"role", role}, {"content", std::move(content)}};
}

ferry::Completion CompleteFrom(const std::vector<std::string>& candidates,
                               std::string_view prefix) {
  ferry::Completion completion;
  for (const auto& c : candidates) {
    if (c.starts_with(prefix)) completion.values.push_back(c);
  }
  completion.total = static_cast<std::int64_t>(completion.values.size());
  return completion;
}

// Handlers do not assume the server validated the arguments against the input schema: a missing
// check there must show up as a clear tool error, not as a crash.
std::optional<std::string> StringArg(const json::object& args, std::string_view key) {
  const auto* v = args.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

// Sleeps for `delay` unless the request is cancelled first; returns false when it was.
bool PauseUnlessCancelled(const RequestContext& ctx, std::chrono::milliseconds delay) {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (ctx.IsCancelled()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return !ctx.IsCancelled();
}

// The text of a sampling result: `content` is one block or (since 2025-11-25) an array of blocks.
std::string SampledText(const json::value& result) {
  const auto* obj = result.if_object();
  const auto* content = obj ? obj->if_contains("content") : nullptr;
  if (!content) return {};
  const json::value* block = content;
  if (const auto* blocks = content->if_array()) {
    if (blocks->empty()) return {};
    block = &blocks->front();
  }
  const auto* b = block->if_object();
  const auto* text = b ? b->if_contains("text") : nullptr;
  return text && text->is_string() ? std::string(text->get_string()) : std::string();
}

// "action=<action>, content=<content as JSON>" for an elicitation/create result.
std::string DescribeElicitation(const json::value& result) {
  const auto* obj = result.if_object();
  std::string action = "unknown";
  json::value content = json::object{};
  if (obj) {
    if (auto a = StringArg(*obj, "action")) action = *a;
    if (const auto* c = obj->if_contains("content"); c && c->is_object()) content = *c;
  }
  return "action=" + action + ", content=" + json::serialize(content);
}

// Shows the user `form` (elicitation/create) and reports what came back after `prefix`.
Result<ToolResult> ElicitForm(RequestContext& ctx, std::string_view message, std::string_view form,
                              std::string_view prefix) {
  auto answer = ctx.Elicit(json::object{{"message", message}, {"requestedSchema", Schema(form)}});
  if (!answer) return ToolResult::Failure("elicitation failed: " + answer.error().message);
  return ToolResult::Text(std::string(prefix) + DescribeElicitation(*answer));
}

void AddContentTools(ferry::Server& server, Registrar& add) {
  add(server.AddTool(
      MakeTool("test_simple_text", "Simple text", "Returns one text block.", Execution::kInline),
      [](RequestContext&, const json::object&) -> Result<ToolResult> {
        return ToolResult::Text("This is a simple text response for testing.");
      }));

  add(server.AddTool(MakeTool("test_image_content", "Image content", "Returns one PNG image block.",
                              Execution::kInline),
                     [](RequestContext&, const json::object&) -> Result<ToolResult> {
                       ToolResult result;
                       result.AddImage(kPngBase64, "image/png");
                       return result;
                     }));

  add(server.AddTool(MakeTool("test_audio_content", "Audio content", "Returns one WAV audio block.",
                              Execution::kInline),
                     [](RequestContext&, const json::object&) -> Result<ToolResult> {
                       ToolResult result;
                       result.AddAudio(kWavBase64, "audio/wav");
                       return result;
                     }));

  add(server.AddTool(MakeTool("test_embedded_resource", "Embedded resource",
                              "Returns one embedded text resource.", Execution::kInline),
                     [](RequestContext&, const json::object&) -> Result<ToolResult> {
                       ToolResult result;
                       result.AddEmbeddedText("test://embedded-resource",
                                              "This is an embedded resource content.",
                                              "text/plain");
                       return result;
                     }));

  add(server.AddTool(
      MakeTool("test_multiple_content_types", "Mixed content",
               "Returns a text, an image and an embedded JSON resource block.", Execution::kInline),
      [](RequestContext&, const json::object&) -> Result<ToolResult> {
        ToolResult result;
        result.AddText("Multiple content types test:");
        result.AddImage(kPngBase64, "image/png");
        result.AddEmbeddedText("test://mixed-content-resource",
                               json::serialize(json::object{{"test", "data"}, {"value", 123}}),
                               "application/json");
        return result;
      }));

  add(server.AddTool(
      MakeTool("test_error_handling", "Error handling",
               "Always fails: the result has isError set and says why.", Execution::kInline),
      [](RequestContext&, const json::object&) -> Result<ToolResult> {
        return ToolResult::Failure("This tool intentionally returns an error for testing");
      }));

  add(server.AddTool(
      MakeTool("json_schema_2020_12_tool", "JSON Schema 2020-12",
               "Takes arguments described with JSON Schema 2020-12 features ($defs, $ref, "
               "$anchor, allOf/anyOf, if/then/else) and echoes them.",
               Execution::kInline, kJsonSchema2020Tool),
      [](RequestContext&, const json::object& args) -> Result<ToolResult> {
        return ToolResult::Text("JSON Schema 2020-12 tool called with: " + json::serialize(args));
      }));
}

void AddNotifyingTools(ferry::Server& server, Registrar& add) {
  add(server.AddTool(
      MakeTool("test_tool_with_logging", "Logging",
               "Sends three info log messages 50 ms apart while it runs.", Execution::kBlocking),
      [](RequestContext& ctx, const json::object&) -> Result<ToolResult> {
        const char* messages[] = {"Tool execution started", "Tool processing data",
                                  "Tool execution completed"};
        for (int i = 0; i < 3; ++i) {
          if (i > 0 && !PauseUnlessCancelled(ctx, kStepDelay)) {
            return Fail(ErrorCode::kCancelled, "test_tool_with_logging: cancelled");
          }
          ctx.Log(ferry::LogLevel::kInfo, json::string(messages[i]));
        }
        return ToolResult::Text("Tool with logging executed successfully");
      }));

  add(server.AddTool(
      MakeTool("test_tool_with_progress", "Progress",
               "Reports progress 0, 50 and 100 of 100, 50 ms apart, when the call carries a "
               "progress token.",
               Execution::kBlocking),
      [](RequestContext& ctx, const json::object&) -> Result<ToolResult> {
        for (int step = 0; step <= 2; ++step) {
          if (step > 0 && !PauseUnlessCancelled(ctx, kStepDelay)) {
            return Fail(ErrorCode::kCancelled, "test_tool_with_progress: cancelled");
          }
          const double done = step * 50.0;
          ctx.ReportProgress(done, 100.0, "Completed " + std::to_string(step * 50) + " of 100");
        }
        return ToolResult::Text("Progress reported: 0, 50 and 100 of 100");
      }));

  // SEP-1699 polling: the reference server ends the call's SSE stream before the result so the
  // client must reconnect with Last-Event-ID to get it. ferry::RequestContext has no way to ask
  // the transport for that yet, so this tool only takes the time the test allows for it; the
  // transport's priming event and retry field are still exercised.
  add(server.AddTool(
      MakeTool("test_reconnection", "Reconnection",
               "Runs for 100 ms so a client can observe the SSE stream of a call in progress "
               "(SEP-1699).",
               Execution::kBlocking),
      [](RequestContext& ctx, const json::object&) -> Result<ToolResult> {
        if (!PauseUnlessCancelled(ctx, std::chrono::milliseconds(100))) {
          return Fail(ErrorCode::kCancelled, "test_reconnection: cancelled");
        }
        return ToolResult::Text("Reconnection test completed successfully.");
      }));
}

void AddClientRequestTools(ferry::Server& server, Registrar& add) {
  add(server.AddTool(
      MakeTool("test_sampling", "Sampling",
               "Asks the client's model to answer `prompt` (sampling/createMessage, at most 100 "
               "tokens) and returns the answer.",
               Execution::kBlocking,
               R"({"type":"object","properties":{"prompt":{"type":"string",
                   "description":"The prompt to send to the model"}},"required":["prompt"]})"),
      [](RequestContext& ctx, const json::object& args) -> Result<ToolResult> {
        auto prompt = StringArg(args, "prompt");
        if (!prompt) return ToolResult::Failure("test_sampling: 'prompt' must be a string");
        json::object message{{"role", "user"},
                             {"content", json::object{{"type", "text"}, {"text", *prompt}}}};
        auto answer = ctx.CreateMessage(
            json::object{{"messages", json::array{std::move(message)}}, {"maxTokens", 100}});
        if (!answer) return ToolResult::Failure("sampling failed: " + answer.error().message);
        return ToolResult::Text("LLM response: " + SampledText(*answer));
      }));

  add(server.AddTool(
      MakeTool("test_elicitation", "Elicitation",
               "Shows the user `message` with a username and email form (elicitation/create) "
               "and returns the answer.",
               Execution::kBlocking,
               R"({"type":"object","properties":{"message":{"type":"string",
                   "description":"The message to show the user"}},"required":["message"]})"),
      [](RequestContext& ctx, const json::object& args) -> Result<ToolResult> {
        auto message = StringArg(args, "message");
        if (!message) return ToolResult::Failure("test_elicitation: 'message' must be a string");
        return ElicitForm(ctx, *message, kContactForm, "User response: ");
      }));

  add(server.AddTool(
      MakeTool("test_elicitation_sep1034_defaults", "Elicitation defaults",
               "Asks for a form whose string, integer, number, enum and boolean fields carry "
               "default values (SEP-1034).",
               Execution::kBlocking),
      [](RequestContext& ctx, const json::object&) -> Result<ToolResult> {
        return ElicitForm(ctx, "Please review and update the form fields with defaults",
                          kDefaultsForm, "Elicitation completed: ");
      }));

  add(server.AddTool(
      MakeTool("test_elicitation_sep1330_enums", "Elicitation enums",
               "Asks for a form with each enum shape: untitled, titled and legacy single-select, "
               "untitled and titled multi-select (SEP-1330).",
               Execution::kBlocking),
      [](RequestContext& ctx, const json::object&) -> Result<ToolResult> {
        return ElicitForm(ctx, "Please select options from the enum fields", kEnumsForm,
                          "Elicitation completed: ");
      }));
}

void AddResources(ferry::Server& server, Registrar& add) {
  add(server.AddResource(
      MakeResource("test://static-text", "static-text", "Static text",
                   "A text resource that never changes.", "text/plain"),
      [](RequestContext&, const std::string& uri,
         const ferry::UriVariables&) -> Result<std::vector<ferry::ResourceContents>> {
        return std::vector{
            TextContents(uri, "text/plain", "This is the content of the static text resource.")};
      }));

  add(server.AddResource(
      MakeResource("test://static-binary", "static-binary", "Static binary",
                   "A binary resource (a PNG image) that never changes.", "image/png"),
      [](RequestContext&, const std::string& uri,
         const ferry::UriVariables&) -> Result<std::vector<ferry::ResourceContents>> {
        ferry::ResourceContents contents;
        contents.uri = uri;
        contents.mime_type = "image/png";
        contents.blob = std::string(kPngBase64);
        return std::vector{contents};
      }));

  add(server.AddResource(
      MakeResource("test://watched-resource", "watched-resource", "Watched resource",
                   "A resource clients subscribe to and unsubscribe from.", "text/plain"),
      [](RequestContext&, const std::string& uri,
         const ferry::UriVariables&) -> Result<std::vector<ferry::ResourceContents>> {
        return std::vector{TextContents(uri, "text/plain", "Watched resource content")};
      }));

  ferry::ResourceTemplate data;
  data.uri_template = "test://template/{id}/data";
  data.name = "template";
  data.title = "Data by id";
  data.description = "JSON data for any id, which appears in the content.";
  data.mime_type = "application/json";
  add(server.AddResourceTemplate(
      std::move(data),
      [](RequestContext&, const std::string& uri,
         const ferry::UriVariables& vars) -> Result<std::vector<ferry::ResourceContents>> {
        auto it = vars.find("id");
        if (it == vars.end() || it->second.empty()) {
          return Fail(ErrorCode::kResourceNotFound, "no id in " + uri);
        }
        const std::string& id = it->second;
        json::object body{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
        return std::vector{TextContents(uri, "application/json", json::serialize(body))};
      },
      [](RequestContext&, const ferry::CompletionRequest& req) -> Result<ferry::Completion> {
        if (req.argument_name != "id") return ferry::Completion{};
        return CompleteFrom(kTemplateIds, req.argument_value);
      }));
}

void AddPrompts(ferry::Server& server, Registrar& add) {
  add(server.AddPrompt(
      MakePrompt("test_simple_prompt", "Simple prompt", "A prompt without arguments."),
      [](RequestContext&,
         const std::map<std::string, std::string>&) -> Result<ferry::PromptResult> {
        ferry::PromptResult result;
        result.AddText("user", "This is a simple prompt for testing.");
        return result;
      }));

  add(server.AddPrompt(
      MakePrompt("test_prompt_with_arguments", "Prompt with arguments",
                 "A prompt that quotes its two required arguments.",
                 {RequiredArgument("arg1", "First test argument"),
                  RequiredArgument("arg2", "Second test argument")}),
      [](RequestContext&,
         const std::map<std::string, std::string>& args) -> Result<ferry::PromptResult> {
        auto arg1 = args.find("arg1");
        auto arg2 = args.find("arg2");
        if (arg1 == args.end() || arg2 == args.end()) {
          return Fail(ErrorCode::kInvalidParams, "test_prompt_with_arguments needs arg1 and arg2");
        }
        ferry::PromptResult result;
        result.AddText("user", "Prompt with arguments: arg1='" + arg1->second + "', arg2='" +
                                   arg2->second + "'");
        return result;
      },
      [](RequestContext&, const ferry::CompletionRequest& req) -> Result<ferry::Completion> {
        auto it = kPromptArgumentValues.find(req.argument_name);
        if (it == kPromptArgumentValues.end()) return ferry::Completion{};
        return CompleteFrom(it->second, req.argument_value);
      }));

  add(server.AddPrompt(
      MakePrompt("test_prompt_with_embedded_resource", "Prompt with an embedded resource",
                 "A prompt that embeds a text resource at the URI it is given.",
                 {RequiredArgument("resourceUri", "URI of the resource to embed")}),
      [](RequestContext&,
         const std::map<std::string, std::string>& args) -> Result<ferry::PromptResult> {
        auto uri = args.find("resourceUri");
        if (uri == args.end() || uri->second.empty()) {
          return Fail(ErrorCode::kInvalidParams,
                      "test_prompt_with_embedded_resource needs resourceUri");
        }
        json::object resource{{"uri", uri->second},
                              {"mimeType", "text/plain"},
                              {"text", "Embedded resource content for testing."}};
        ferry::PromptResult result;
        result.messages.push_back(PromptMessage(
            "user", json::object{{"type", "resource"}, {"resource", std::move(resource)}}));
        result.AddText("user", "Please process the embedded resource above.");
        return result;
      }));

  add(server.AddPrompt(
      MakePrompt("test_prompt_with_image", "Prompt with an image", "A prompt that shows an image."),
      [](RequestContext&,
         const std::map<std::string, std::string>&) -> Result<ferry::PromptResult> {
        ferry::PromptResult result;
        result.messages.push_back(PromptMessage(
            "user",
            json::object{{"type", "image"}, {"data", kPngBase64}, {"mimeType", "image/png"}}));
        result.AddText("user", "Please analyze the image above.");
        return result;
      }));
}

Result<void> RegisterConformanceFixtures(ferry::Server& server) {
  Registrar add;
  AddContentTools(server, add);
  AddNotifyingTools(server, add);
  AddClientRequestTools(server, add);
  AddResources(server, add);
  AddPrompts(server, add);
  return add.status();
}

}  // namespace

int main(int argc, char** argv) {
  return ferry::app::RunCli(argc, argv, RegisterConformanceFixtures);
}
