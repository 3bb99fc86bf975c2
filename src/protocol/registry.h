// Registry: the tools, resources, resource templates and prompts a server offers, with their
// handlers, compiled schemas and pre-rendered list entries, and opaque pagination cursors.
//
// Entries are immutable and shared (std::shared_ptr<const T>), so a call in progress keeps its
// handler even if the entry is removed meanwhile. Listing order is by name (tools, prompts), URI
// (resources) or template text (templates), which keeps cursors stable under concurrent changes.
//
// Thread-safety: all methods are safe from any thread (a shared mutex per kind).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "ferry/server.h"
#include "protocol/json_schema.h"
#include "protocol/uri_template.h"

namespace ferry::protocol {

struct ToolEntry {
  Tool tool;
  ToolHandler handler;
  JsonSchema input_schema;
  std::optional<JsonSchema> output_schema;
  boost::json::object listing;  // the tools/list entry
};

struct ResourceEntry {
  Resource resource;
  ResourceHandler handler;
  boost::json::object listing;
};

struct TemplateEntry {
  ResourceTemplate resource_template;
  UriTemplate parsed;
  ResourceHandler handler;
  CompletionHandler complete;
  boost::json::object listing;
};

struct PromptEntry {
  Prompt prompt;
  PromptHandler handler;
  CompletionHandler complete;
  boost::json::object listing;
};

// One page of a list result: the entries and the cursor for the next page (empty at the end).
struct Page {
  boost::json::array items;
  std::string next_cursor;
};

// A sorted, thread-safe map of immutable entries with cursor pagination.
template <typename Entry>
class Catalog {
 public:
  explicit Catalog(char kind) : kind_(kind) {}

  // False when `key` is already taken.
  bool Add(std::string key, std::shared_ptr<const Entry> entry);
  bool Remove(std::string_view key);
  std::shared_ptr<const Entry> Find(std::string_view key) const;
  std::vector<std::shared_ptr<const Entry>> All() const;
  // `cursor` is empty for the first page; an unreadable cursor is kInvalidParams.
  Result<Page> List(std::string_view cursor, std::size_t page_size) const;

 private:
  const char kind_;  // tags cursors so one kind's cursor is refused by another
  mutable std::shared_mutex mutex_;  // guards entries_
  std::map<std::string, std::shared_ptr<const Entry>, std::less<>> entries_;
};

class Registry {
 public:
  Registry() : tools_('t'), resources_('r'), templates_('u'), prompts_('p') {}

  // Validate, compile and pre-render; kInvalidParams names what is wrong.
  Result<void> AddTool(Tool tool, ToolHandler handler);
  Result<void> AddResource(Resource resource, ResourceHandler handler);
  Result<void> AddTemplate(ResourceTemplate resource_template, ResourceHandler handler,
                           CompletionHandler complete);
  Result<void> AddPrompt(Prompt prompt, PromptHandler handler, CompletionHandler complete);

  Catalog<ToolEntry>& tools() { return tools_; }
  Catalog<ResourceEntry>& resources() { return resources_; }
  Catalog<TemplateEntry>& templates() { return templates_; }
  Catalog<PromptEntry>& prompts() { return prompts_; }

  // The template that matches `uri` first (in listing order), with the variables it extracted.
  std::pair<std::shared_ptr<const TemplateEntry>, UriVariables> MatchTemplate(
      std::string_view uri) const;

 private:
  Catalog<ToolEntry> tools_;
  Catalog<ResourceEntry> resources_;
  Catalog<TemplateEntry> templates_;
  Catalog<PromptEntry> prompts_;
};

// Cursor encoding, exposed for tests: "<kind><last key>" in base64url.
std::string EncodeCursor(char kind, std::string_view last_key);
Result<std::string> DecodeCursor(char kind, std::string_view cursor);

}  // namespace ferry::protocol
