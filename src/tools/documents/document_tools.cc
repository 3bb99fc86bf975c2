#include "tools/documents/document_tools.h"

#include <cstdio>
#include <filesystem>

#include "common/base64.h"
#include "document/export.h"
#include "tools/documents/allowed_paths.h"

namespace ferry::tools::documents {
namespace json = boost::json;
namespace {

// Bumped when conversion output changes, so keys never name a stale conversion.
constexpr std::string_view kConverterVersion = "ferry-doc-1";

std::string KeyOf(std::string_view bytes) {
  char hex[17];
  const auto h = document::ContentHash(bytes) ^ document::ContentHash(kConverterVersion);
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

// A file name for a resource's contents: the URI's last segment, with an extension from the
// MIME type when the segment has none the format detector knows.
std::string ResourceFilename(std::string_view uri, std::string_view mime_type) {
  std::string_view name = uri;
  if (auto q = name.find_first_of("?#"); q != std::string_view::npos) name = name.substr(0, q);
  if (auto slash = name.find_last_of('/'); slash != std::string_view::npos) {
    name = name.substr(slash + 1);
  }
  std::string filename = name.empty() ? "resource" : std::string(name);
  if (document::DetectFormat(filename, {}) != document::Format::kText) return filename;
  static constexpr std::pair<std::string_view, std::string_view> kExtensions[] = {
      {"text/markdown", ".md"},
      {"text/html", ".html"},
      {"text/csv", ".csv"},
      {"text/asciidoc", ".adoc"},
      {"application/pdf", ".pdf"},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
      {"application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
      {"image/png", ".png"},
      {"image/jpeg", ".jpg"},
      {"image/tiff", ".tiff"},
  };
  for (const auto& [mime, extension] : kExtensions) {
    if (mime_type == mime) return filename + std::string(extension);
  }
  return filename;
}

Error TooLarge(std::string_view what, std::uint64_t size, std::size_t max) {
  return Error(ErrorCode::kInvalidParams, std::string(what) + ": " + std::to_string(size) +
                                              " bytes exceeds documents.max_file_size (" +
                                              std::to_string(max) + ")");
}

}  // namespace

DocumentTools::DocumentTools(Server& s, const Config& c)
    : server(s),
      config(c),
      store(static_cast<std::size_t>(c.documents.store_size),
            [this](const std::string& key) { Forget(key); }),
      drafts(static_cast<std::size_t>(c.documents.max_drafts),
             static_cast<std::size_t>(c.documents.max_file_size)) {
  if (!c.documents.tokenizer_file.empty()) {
    if (auto bpe = document::BpeTokenizer::Load(c.documents.tokenizer_file)) {
      tokenizer_ = std::move(*bpe);
    }
  }
  if (!tokenizer_) tokenizer_ = std::make_unique<document::ApproxTokenizer>();
}

Result<DocumentTools::Source> DocumentTools::Load(RequestContext& ctx, const json::object& args) {
  const std::string path = ArgString(args, "path");
  const std::string content = ArgString(args, "content");
  const std::string uri = ArgString(args, "uri");
  const int given = !path.empty() + !content.empty() + !uri.empty();
  if (given != 1) {
    return Fail(ErrorCode::kInvalidParams, "give exactly one of path, content (base64) or uri");
  }
  const auto max = static_cast<std::size_t>(config.documents.max_file_size);
  if (!path.empty()) {
    auto resolved = ResolveAllowedPath(path, config.documents.allowed_roots);
    if (!resolved) return Fail(resolved.error());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*resolved, ec)) {
      return Fail(ErrorCode::kInvalidParams, path + ": not a regular file");
    }
    const auto size = std::filesystem::file_size(*resolved, ec);
    if (ec) return Fail(ErrorCode::kIo, path + ": " + ec.message());
    if (size > max) return Fail(TooLarge(path, size, max));
    std::FILE* f = std::fopen(resolved->c_str(), "rb");
    if (!f) return Fail(ErrorCode::kIo, path + ": cannot open");
    Source s;
    s.bytes.resize(size);
    const std::size_t n = std::fread(s.bytes.data(), 1, size, f);
    std::fclose(f);
    if (n != size) return Fail(ErrorCode::kIo, path + ": short read");
    s.filename = resolved->filename().string();
    return s;
  }
  if (!content.empty()) {
    const std::size_t decoded = content.size() / 4 * 3;
    if (decoded > max + 3) return Fail(TooLarge("content", decoded, max));
    auto bytes = Base64Decode(content);
    if (!bytes) return Fail(ErrorCode::kInvalidParams, "content is not valid base64");
    Source s{std::move(*bytes), ArgString(args, "filename")};
    if (s.filename.empty()) s.filename = "document";
    return s;
  }
  // A resource: the first of its contents, text or blob.
  auto contents = server.ReadResource(ctx, uri);
  if (!contents) return Fail(contents.error().code, "uri " + uri + ": " + contents.error().message);
  if (contents->empty()) return Fail(ErrorCode::kInvalidParams, "uri " + uri + ": no contents");
  const ResourceContents& c = contents->front();
  Source s;
  if (c.blob) {
    if (c.blob->size() / 4 * 3 > max + 3) return Fail(TooLarge(uri, c.blob->size() / 4 * 3, max));
    auto bytes = Base64Decode(*c.blob);
    if (!bytes) return Fail(ErrorCode::kInvalidParams, "uri " + uri + ": blob is not valid base64");
    s.bytes = std::move(*bytes);
  } else if (c.text) {
    if (c.text->size() > max) return Fail(TooLarge(uri, c.text->size(), max));
    s.bytes = *c.text;
  }
  s.filename = ArgString(args, "filename");
  if (s.filename.empty()) s.filename = ResourceFilename(uri, c.mime_type);
  return s;
}

document::ConvertOptions DocumentTools::Options(
    const json::object& args, std::chrono::steady_clock::time_point deadline) const {
  document::ConvertOptions o;
  o.max_file_size = static_cast<std::size_t>(config.documents.max_file_size);
  o.max_pages = static_cast<int>(config.documents.max_pages);
  o.max_memory = static_cast<std::size_t>(config.documents.max_memory);
  o.max_image_pixels = static_cast<std::uint64_t>(config.documents.max_image_pixels);
  o.password = ArgString(args, "password");
  o.first_page = static_cast<int>(ArgInt(args, "first_page", 1));
  o.last_page = static_cast<int>(ArgInt(args, "last_page", 0));
  const auto now = std::chrono::steady_clock::now();
  if (deadline != std::chrono::steady_clock::time_point::max() && deadline > now) {
    o.deadline = now + (deadline - now) * 9 / 10;
  }
  if (config.documents.timeout.count() > 0) {
    o.deadline = std::min(o.deadline, now + config.documents.timeout);
  }
  return o;
}

Result<DocumentTools::Converted> DocumentTools::Convert(const Source& source,
                                                        const document::ConvertOptions& options) {
  Converted out;
  out.key = KeyOf(source.bytes + "\n" + std::to_string(options.first_page) + "-" +
                  std::to_string(options.last_page));
  if (auto doc = store.Get(out.key)) {
    out.doc = std::move(doc);
    out.cached = true;
    return out;
  }
  auto doc = document::ConvertBytes(source.bytes, source.filename, options);
  if (!doc) return Fail(doc.error());
  out.doc = std::make_shared<const document::Document>(std::move(*doc));
  // A partial document (the deadline cut it short) is returned but not kept under the key.
  if (!out.doc->partial && store.Put(out.key, out.doc)) Publish(out.key, *out.doc);
  return out;
}

std::shared_ptr<const document::Document> DocumentTools::Find(const std::string& key) {
  return DraftStore::IsDraftKey(key) ? drafts.Snapshot(key) : store.Get(key);
}

void DocumentTools::Publish(const std::string& key, const document::Document& doc) {
  const std::string uri = std::string(kDocumentUriPrefix) + key;
  auto reader = [this, key](bool as_json) {
    return [this, key, as_json](RequestContext&, const std::string& u,
                                const UriVariables&) -> Result<std::vector<ResourceContents>> {
      auto d = store.Get(key);
      if (!d) return Fail(ErrorCode::kNotFound, u + ": evicted from the document store");
      ResourceContents c;
      c.uri = u;
      c.mime_type = as_json ? "application/json" : "text/markdown";
      c.text = as_json ? json::serialize(document::ToDoclingJson(*d)) : document::ToMarkdown(*d);
      return std::vector<ResourceContents>{std::move(c)};
    };
  };
  Resource md;
  md.uri = uri;
  md.name = doc.name + " (Markdown)";
  md.mime_type = "text/markdown";
  md.description = "Converted from " + doc.origin.filename;
  (void)server.AddResource(md, reader(false));
  Resource js = md;
  js.uri = uri + ".json";
  js.name = doc.name + " (DoclingDocument JSON)";
  js.mime_type = "application/json";
  (void)server.AddResource(js, reader(true));
}

void DocumentTools::Forget(const std::string& key) {
  const std::string uri = std::string(kDocumentUriPrefix) + key;
  (void)server.RemoveResource(uri);
  (void)server.RemoveResource(uri + ".json");
}

Result<std::string> DocumentTools::Export(const document::Document& doc,
                                          const json::object& args) const {
  const std::string format = args.contains("format") ? ArgString(args, "format") : "markdown";
  std::size_t max_size = 0;
  if (const auto* m = args.if_contains("max_size"); m && m->is_int64() && m->get_int64() > 0) {
    max_size = static_cast<std::size_t>(m->get_int64());
  }
  std::string text;
  if (format == "markdown") {
    text = document::ToMarkdown(doc, {.max_size = max_size});
  } else if (format == "text") {
    text = document::ToText(doc);
  } else if (format == "json") {
    text = json::serialize(document::ToDoclingJson(doc));
  } else if (format == "html") {
    text = document::ToHtml(doc);
  } else if (format == "chunks") {
    std::size_t max_tokens = 512;
    if (const auto* m = args.if_contains("max_tokens"); m && m->is_int64() && m->get_int64() > 0) {
      max_tokens = static_cast<std::size_t>(m->get_int64());
    }
    const auto chunks = ArgString(args, "chunker") == "hierarchical"
                            ? document::ChunkHierarchical(doc, *tokenizer_)
                            : document::ChunkHybrid(doc, *tokenizer_, {.max_tokens = max_tokens});
    text = json::serialize(document::ToJson(chunks, tokenizer_->name()));
  } else {
    return Fail(ErrorCode::kInvalidParams, "unknown format " + format);
  }
  if (max_size && format != "markdown" && text.size() > max_size) {
    text.resize(max_size);
    text += "\n[truncated at max_size]";
  }
  return text;
}

json::object DocumentTools::Summary(const Converted& c) const {
  const auto& d = *c.doc;
  return json::object{{"document_key", c.key},
                      {"name", d.name},
                      {"mimetype", d.origin.mimetype},
                      {"cached", c.cached},
                      {"partial", d.partial},
                      {"pages", d.pages.size()},
                      {"texts", d.texts.size()},
                      {"tables", d.tables.size()},
                      {"pictures", d.pictures.size()},
                      {"uri", std::string(kDocumentUriPrefix) + c.key}};
}

Result<void> AddTools(Server& server, const std::shared_ptr<DocumentTools>& group,
                      std::vector<ToolDefinition> tools) {
  for (auto& d : tools) {
    Tool t;
    t.name = d.name;
    t.title = d.title;
    t.description = d.description;
    t.input_schema = std::move(d.input_schema);
    t.annotations = std::move(d.annotations);
    t.execution = d.execution;
    const auto handler = d.handler;
    auto run = [group, handler](RequestContext& ctx, const json::object& args) {
      return handler(*group, ctx, args);
    };
    if (auto added = server.AddTool(std::move(t), std::move(run)); !added) return added;
  }
  return {};
}

ToolResult Structured(json::object out) {
  ToolResult r = ToolResult::Text(json::serialize(out));
  r.structured_content = std::move(out);
  return r;
}

json::object SourceProperties() {
  return json::object{
      {"path", StringProperty("A file inside the server's documents.allowed_roots")},
      {"content", StringProperty("The document's bytes, base64-encoded (instead of path)")},
      {"filename", StringProperty("With content or uri: the file name, whose extension tells the "
                                  "format")},
      {"uri", StringProperty("A resource this server serves (instead of path or content)")},
      {"password", StringProperty("PDF: the password of an encrypted document")}};
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

}  // namespace ferry::tools::documents
