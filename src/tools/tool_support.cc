#include "tools/tool_support.h"

#include <cstdio>
#include <filesystem>

#include "common/base64.h"
#include "tools/allowed_paths.h"

namespace ferry::tools {
namespace json = boost::json;
namespace {

Error TooLarge(std::string_view what, std::uint64_t size, std::size_t max,
               std::string_view limit_key) {
  return Error(ErrorCode::kInvalidParams, std::string(what) + ": " + std::to_string(size) +
                                              " bytes exceeds " + std::string(limit_key) + " (" +
                                              std::to_string(max) + ")");
}

Result<std::string> ReadAllowedFile(const std::string& path, const std::vector<std::string>& roots,
                                    std::size_t max, std::string_view limit_key,
                                    std::string& filename) {
  auto resolved = ResolveAllowedPath(path, roots);
  if (!resolved) return Fail(resolved.error());
  std::error_code ec;
  if (!std::filesystem::is_regular_file(*resolved, ec)) {
    return Fail(ErrorCode::kInvalidParams, path + ": not a regular file");
  }
  const auto size = std::filesystem::file_size(*resolved, ec);
  if (ec) return Fail(ErrorCode::kIo, path + ": " + ec.message());
  if (size > max) return Fail(TooLarge(path, size, max, limit_key));
  std::FILE* f = std::fopen(resolved->c_str(), "rb");
  if (!f) return Fail(ErrorCode::kIo, path + ": cannot open");
  std::string bytes(size, '\0');
  const std::size_t n = std::fread(bytes.data(), 1, size, f);
  std::fclose(f);
  if (n != size) return Fail(ErrorCode::kIo, path + ": short read");
  filename = resolved->filename().string();
  return bytes;
}

}  // namespace

Result<SourceBytes> LoadSource(Server& server, RequestContext& ctx, const json::object& args,
                               const std::vector<std::string>& roots, std::size_t max,
                               std::string_view limit_key) {
  const std::string path = ArgString(args, "path");
  const std::string content = ArgString(args, "content");
  const std::string uri = ArgString(args, "uri");
  const int given = !path.empty() + !content.empty() + !uri.empty();
  if (given != 1) {
    return Fail(ErrorCode::kInvalidParams, "give exactly one of path, content (base64) or uri");
  }
  SourceBytes s;
  if (!path.empty()) {
    auto bytes = ReadAllowedFile(path, roots, max, limit_key, s.filename);
    if (!bytes) return Fail(bytes.error());
    s.bytes = std::move(*bytes);
    return s;
  }
  s.filename = ArgString(args, "filename");
  if (!content.empty()) {
    const std::size_t decoded = content.size() / 4 * 3;
    if (decoded > max + 3) return Fail(TooLarge("content", decoded, max, limit_key));
    auto bytes = Base64Decode(content);
    if (!bytes) return Fail(ErrorCode::kInvalidParams, "content is not valid base64");
    s.bytes = std::move(*bytes);
    return s;
  }
  // A resource: the first of its contents, text or blob.
  auto contents = server.ReadResource(ctx, uri);
  if (!contents) return Fail(contents.error().code, "uri " + uri + ": " + contents.error().message);
  if (contents->empty()) return Fail(ErrorCode::kInvalidParams, "uri " + uri + ": no contents");
  const ResourceContents& c = contents->front();
  if (c.blob) {
    const std::size_t decoded = c.blob->size() / 4 * 3;
    if (decoded > max + 3) return Fail(TooLarge(uri, decoded, max, limit_key));
    auto bytes = Base64Decode(*c.blob);
    if (!bytes) return Fail(ErrorCode::kInvalidParams, "uri " + uri + ": blob is not valid base64");
    s.bytes = std::move(*bytes);
  } else if (c.text) {
    if (c.text->size() > max) return Fail(TooLarge(uri, c.text->size(), max, limit_key));
    s.bytes = *c.text;
  }
  s.mime_type = c.mime_type;
  return s;
}

ToolResult Structured(json::object out) {
  ToolResult r = ToolResult::Text(json::serialize(out));
  r.structured_content = std::move(out);
  return r;
}

json::object ObjectSchema(json::object properties, json::array required) {
  json::object s{{"type", "object"}, {"properties", std::move(properties)},
                 {"additionalProperties", false}};
  if (!required.empty()) s["required"] = std::move(required);
  return s;
}

json::object StringProperty(std::string_view description) {
  return {{"type", "string"}, {"description", description}};
}

json::object IntegerProperty(std::string_view description, std::int64_t minimum,
                             std::int64_t maximum) {
  return {{"type", "integer"}, {"minimum", minimum}, {"maximum", maximum},
          {"description", description}};
}

json::object EnumProperty(std::initializer_list<std::string_view> values,
                          std::string_view description) {
  json::array a;
  for (auto v : values) a.emplace_back(v);
  return {{"type", "string"}, {"enum", std::move(a)}, {"description", description}};
}

std::string ArgString(const json::object& args, std::string_view key) {
  const auto* v = args.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::int64_t ArgInt(const json::object& args, std::string_view key, std::int64_t fallback) {
  const auto* v = args.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : fallback;
}

}  // namespace ferry::tools
