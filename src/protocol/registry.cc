#include "protocol/registry.h"

#include <array>
#include <mutex>

namespace ferry::protocol {
namespace json = boost::json;
namespace {

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kBase64Url[(n >> 18) & 63];
    out += kBase64Url[(n >> 12) & 63];
    out += kBase64Url[(n >> 6) & 63];
    out += kBase64Url[n & 63];
  }
  if (i < in.size()) {
    unsigned n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kBase64Url[(n >> 18) & 63];
    out += kBase64Url[(n >> 12) & 63];
    if (i + 1 < in.size()) out += kBase64Url[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::array<int, 256> table;
  table.fill(-1);
  for (std::size_t i = 0; i < kBase64Url.size(); ++i) {
    table[static_cast<unsigned char>(kBase64Url[i])] = static_cast<int>(i);
  }
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

void PutIfSet(json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

Result<void> CheckName(std::string_view what, std::string_view name) {
  if (name.empty()) return Fail(ErrorCode::kInvalidParams, std::string(what) + " needs a name");
  return {};
}

}  // namespace

std::string EncodeCursor(char kind, std::string_view last_key) {
  std::string raw(1, kind);
  raw.append(last_key);
  return Base64UrlEncode(raw);
}

Result<std::string> DecodeCursor(char kind, std::string_view cursor) {
  auto raw = Base64UrlDecode(cursor);
  if (!raw || raw->empty() || (*raw)[0] != kind) {
    return Fail(ErrorCode::kInvalidParams, "invalid cursor");
  }
  return raw->substr(1);
}

template <typename Entry>
bool Catalog<Entry>::Add(std::string key, std::shared_ptr<const Entry> entry) {
  std::unique_lock lock(mutex_);
  return entries_.emplace(std::move(key), std::move(entry)).second;
}

template <typename Entry>
bool Catalog<Entry>::Remove(std::string_view key) {
  std::unique_lock lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

template <typename Entry>
std::shared_ptr<const Entry> Catalog<Entry>::Find(std::string_view key) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

template <typename Entry>
std::vector<std::shared_ptr<const Entry>> Catalog<Entry>::All() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<const Entry>> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back(entry);
  return out;
}

template <typename Entry>
Result<Page> Catalog<Entry>::List(std::string_view cursor, std::size_t page_size) const {
  std::string after;
  if (!cursor.empty()) {
    auto decoded = DecodeCursor(kind_, cursor);
    if (!decoded) return Fail(decoded.error());
    after = std::move(*decoded);
  }
  Page page;
  std::shared_lock lock(mutex_);
  // Resume after the last key of the previous page, so removals between pages skip nothing.
  auto it = cursor.empty() ? entries_.begin() : entries_.upper_bound(after);
  for (; it != entries_.end() && page.items.size() < page_size; ++it) {
    page.items.push_back(it->second->listing);
  }
  if (it != entries_.end() && !page.items.empty()) {
    page.next_cursor = EncodeCursor(kind_, std::prev(it)->first);
  }
  return page;
}

template class Catalog<ToolEntry>;
template class Catalog<ResourceEntry>;
template class Catalog<TemplateEntry>;
template class Catalog<PromptEntry>;

Result<void> Registry::AddTool(Tool tool, ToolHandler handler) {
  if (auto ok = CheckName("a tool", tool.name); !ok) return ok;
  if (!handler) return Fail(ErrorCode::kInvalidParams, "tool '" + tool.name + "' has no handler");
  if (tool.input_schema.empty()) tool.input_schema["type"] = "object";
  auto input = JsonSchema::Compile(tool.input_schema);
  if (!input) {
    return Fail(ErrorCode::kInvalidParams,
                "tool '" + tool.name + "' inputSchema: " + input.error().message);
  }
  std::optional<JsonSchema> output;
  if (tool.output_schema) {
    auto compiled = JsonSchema::Compile(*tool.output_schema);
    if (!compiled) {
      return Fail(ErrorCode::kInvalidParams,
                  "tool '" + tool.name + "' outputSchema: " + compiled.error().message);
    }
    output = std::move(*compiled);
  }
  json::object listing;
  listing["name"] = tool.name;
  PutIfSet(listing, "title", tool.title);
  PutIfSet(listing, "description", tool.description);
  listing["inputSchema"] = tool.input_schema;
  if (tool.output_schema) listing["outputSchema"] = *tool.output_schema;
  if (!tool.annotations.empty()) listing["annotations"] = tool.annotations;
  if (!tool.meta.empty()) listing["_meta"] = tool.meta;
  std::string key = tool.name;
  auto entry = std::make_shared<ToolEntry>(ToolEntry{std::move(tool), std::move(handler),
                                                     std::move(*input), std::move(output),
                                                     std::move(listing)});
  if (!tools_.Add(key, std::move(entry))) {
    return Fail(ErrorCode::kInvalidParams, "tool '" + key + "' is already registered");
  }
  return {};
}

Result<void> Registry::AddResource(Resource resource, ResourceHandler handler) {
  if (resource.uri.empty()) return Fail(ErrorCode::kInvalidParams, "a resource needs a uri");
  if (auto ok = CheckName("resource '" + resource.uri + "'", resource.name); !ok) return ok;
  if (!handler) {
    return Fail(ErrorCode::kInvalidParams, "resource '" + resource.uri + "' has no handler");
  }
  json::object listing;
  listing["uri"] = resource.uri;
  listing["name"] = resource.name;
  PutIfSet(listing, "title", resource.title);
  PutIfSet(listing, "description", resource.description);
  PutIfSet(listing, "mimeType", resource.mime_type);
  if (resource.size) listing["size"] = *resource.size;
  if (!resource.annotations.empty()) listing["annotations"] = resource.annotations;
  if (!resource.meta.empty()) listing["_meta"] = resource.meta;
  std::string key = resource.uri;
  auto entry = std::make_shared<ResourceEntry>(
      ResourceEntry{std::move(resource), std::move(handler), std::move(listing)});
  if (!resources_.Add(key, std::move(entry))) {
    return Fail(ErrorCode::kInvalidParams, "resource '" + key + "' is already registered");
  }
  return {};
}

Result<void> Registry::AddTemplate(ResourceTemplate resource_template, ResourceHandler handler,
                                   CompletionHandler complete) {
  auto parsed = UriTemplate::Parse(resource_template.uri_template);
  if (!parsed) {
    return Fail(ErrorCode::kInvalidParams, "resource template '" +
                                               resource_template.uri_template +
                                               "': " + parsed.error().message);
  }
  if (auto ok = CheckName("resource template '" + resource_template.uri_template + "'",
                          resource_template.name);
      !ok) {
    return ok;
  }
  if (!handler) {
    return Fail(ErrorCode::kInvalidParams,
                "resource template '" + resource_template.uri_template + "' has no handler");
  }
  json::object listing;
  listing["uriTemplate"] = resource_template.uri_template;
  listing["name"] = resource_template.name;
  PutIfSet(listing, "title", resource_template.title);
  PutIfSet(listing, "description", resource_template.description);
  PutIfSet(listing, "mimeType", resource_template.mime_type);
  if (!resource_template.annotations.empty()) {
    listing["annotations"] = resource_template.annotations;
  }
  std::string key = resource_template.uri_template;
  auto entry = std::make_shared<TemplateEntry>(
      TemplateEntry{std::move(resource_template), std::move(*parsed), std::move(handler),
                    std::move(complete), std::move(listing)});
  if (!templates_.Add(key, std::move(entry))) {
    return Fail(ErrorCode::kInvalidParams, "resource template '" + key +
                                               "' is already registered");
  }
  return {};
}

Result<void> Registry::AddPrompt(Prompt prompt, PromptHandler handler,
                                 CompletionHandler complete) {
  if (auto ok = CheckName("a prompt", prompt.name); !ok) return ok;
  if (!handler) {
    return Fail(ErrorCode::kInvalidParams, "prompt '" + prompt.name + "' has no handler");
  }
  json::object listing;
  listing["name"] = prompt.name;
  PutIfSet(listing, "title", prompt.title);
  PutIfSet(listing, "description", prompt.description);
  if (!prompt.arguments.empty()) {
    json::array args;
    for (const auto& a : prompt.arguments) {
      if (a.name.empty()) {
        return Fail(ErrorCode::kInvalidParams,
                    "prompt '" + prompt.name + "' has an argument without a name");
      }
      json::object arg;
      arg["name"] = a.name;
      PutIfSet(arg, "title", a.title);
      PutIfSet(arg, "description", a.description);
      arg["required"] = a.required;
      args.push_back(std::move(arg));
    }
    listing["arguments"] = std::move(args);
  }
  if (!prompt.meta.empty()) listing["_meta"] = prompt.meta;
  std::string key = prompt.name;
  auto entry = std::make_shared<PromptEntry>(PromptEntry{
      std::move(prompt), std::move(handler), std::move(complete), std::move(listing)});
  if (!prompts_.Add(key, std::move(entry))) {
    return Fail(ErrorCode::kInvalidParams, "prompt '" + key + "' is already registered");
  }
  return {};
}

std::pair<std::shared_ptr<const TemplateEntry>, UriVariables> Registry::MatchTemplate(
    std::string_view uri) const {
  for (auto& entry : templates_.All()) {
    if (auto vars = entry->parsed.Match(uri)) return {entry, std::move(*vars)};
  }
  return {nullptr, {}};
}

}  // namespace ferry::protocol
