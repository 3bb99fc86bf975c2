// A small MCP server built on Ferry's library API: a notebook the model can write to and read.
//
//   tools:      add_note {title, text} -> the note's URI; search_notes {query}
//   resources:  notes://{id} (template, with completion of ids)
//   prompts:    summarize {id}
//
// Run it as an MCP server over stdio: ./example_notes_server
// Register it with a client as {"command": "/path/to/example_notes_server"}.
#include <map>
#include <mutex>
#include <string>

#include <boost/json/parse.hpp>

#include "ferry/server.h"

namespace json = boost::json;

namespace {

// The notebook: shared by all handlers, which may run concurrently, so a mutex guards it.
class Notebook {
 public:
  std::string Add(std::string title, std::string text) {
    std::lock_guard lock(mutex_);
    const std::string id = std::to_string(++next_id_);
    notes_[id] = {std::move(title), std::move(text)};
    return id;
  }
  std::optional<std::pair<std::string, std::string>> Get(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto it = notes_.find(id);
    if (it == notes_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> Ids(std::string_view prefix) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (auto& [id, note] : notes_) {
      if (id.starts_with(prefix)) ids.push_back(id);
    }
    return ids;
  }
  std::vector<std::string> Search(std::string_view query) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> hits;
    for (auto& [id, note] : notes_) {
      if (note.first.find(query) != std::string::npos ||
          note.second.find(query) != std::string::npos) {
        hits.push_back(id);
      }
    }
    return hits;
  }

 private:
  std::mutex mutex_;  // guards notes_, next_id_
  std::map<std::string, std::pair<std::string, std::string>> notes_;
  int next_id_ = 0;
};

}  // namespace

int main() {
  auto config = ferry::LoadConfig({});  // defaults + FERRY_* environment
  if (!config) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return 2;
  }
  ferry::Server server({.name = "notes", .version = "1.0.0"}, *config);
  auto notebook = std::make_shared<Notebook>();

  ferry::Tool add{.name = "add_note", .description = "Store a note; returns its URI."};
  add.input_schema = json::parse(R"({"type":"object","required":["title","text"],
      "properties":{"title":{"type":"string","minLength":1},"text":{"type":"string"}}})")
                         .as_object();
  server.AddTool(add, [notebook, &server](ferry::RequestContext& ctx, const json::object& args)
                     -> ferry::Result<ferry::ToolResult> {
    const auto id = notebook->Add(std::string(args.at("title").as_string()),
                                  std::string(args.at("text").as_string()));
    ctx.Log(ferry::LogLevel::kInfo, json::value("stored note " + id), "notes");
    server.NotifyResourceUpdated("notes://" + id);
    ferry::ToolResult r;
    r.AddResourceLink("notes://" + id, std::string(args.at("title").as_string()), "text/plain");
    return r;
  });

  ferry::Tool search{.name = "search_notes", .description = "Find notes containing a word."};
  search.input_schema = json::parse(R"({"type":"object","required":["query"],
      "properties":{"query":{"type":"string"}}})").as_object();
  search.output_schema = json::parse(R"({"type":"object","required":["ids"],
      "properties":{"ids":{"type":"array","items":{"type":"string"}}}})").as_object();
  server.AddTool(search, [notebook](ferry::RequestContext&, const json::object& args)
                     -> ferry::Result<ferry::ToolResult> {
    json::array ids;
    for (auto& id : notebook->Search(args.at("query").as_string())) ids.push_back(json::value(id));
    ferry::ToolResult r;
    r.structured_content = json::object{{"ids", std::move(ids)}};
    return r;
  });

  server.AddResourceTemplate(
      {.uri_template = "notes://{id}", .name = "note", .mime_type = "text/plain"},
      [notebook](ferry::RequestContext&, const std::string& uri, const ferry::UriVariables& vars)
          -> ferry::Result<std::vector<ferry::ResourceContents>> {
        auto note = notebook->Get(vars.at("id"));
        if (!note) return ferry::Fail(ferry::ErrorCode::kResourceNotFound, "no note " + uri);
        return std::vector<ferry::ResourceContents>{
            {.uri = uri, .mime_type = "text/plain", .text = note->first + "\n\n" + note->second}};
      },
      [notebook](ferry::RequestContext&, const ferry::CompletionRequest& req)
          -> ferry::Result<ferry::Completion> {
        return ferry::Completion{.values = notebook->Ids(req.argument_value)};
      });

  server.AddPrompt(
      {.name = "summarize", .description = "Ask the model to summarize a note",
       .arguments = {{.name = "id", .required = true}}},
      [notebook](ferry::RequestContext&, const std::map<std::string, std::string>& args)
          -> ferry::Result<ferry::PromptResult> {
        auto note = notebook->Get(args.at("id"));
        if (!note) return ferry::Fail(ferry::ErrorCode::kInvalidParams, "no note " + args.at("id"));
        ferry::PromptResult r;
        r.AddText("user", "Summarize this note in one sentence:\n\n" + note->second);
        return r;
      });

  auto served = server.ServeStdio();
  return served ? 0 : 1;
}
