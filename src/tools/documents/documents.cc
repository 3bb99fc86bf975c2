#include "tools/documents/documents.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "common/base64.h"
#include "document/chunker.h"
#include "document/convert.h"
#include "document/export.h"
#include "tools/documents/allowed_paths.h"
#include "tools/documents/document_store.h"

namespace ferry::tools::documents {
namespace json = boost::json;
namespace {

constexpr std::string_view kUriPrefix = "ferry://documents/";
// Bumped when conversion output changes, so keys never name a stale conversion.
constexpr std::string_view kConverterVersion = "ferry-doc-1";

json::object Schema(json::object properties, json::array required = {}) {
  json::object s{{"type", "object"}, {"properties", std::move(properties)},
                 {"additionalProperties", false}};
  if (!required.empty()) s["required"] = std::move(required);
  return s;
}

json::object Str(std::string_view description) {
  return {{"type", "string"}, {"description", description}};
}

json::object Enum(std::initializer_list<std::string_view> values, std::string_view description) {
  json::array a;
  for (auto v : values) a.emplace_back(v);
  return {{"type", "string"}, {"enum", std::move(a)}, {"description", description}};
}

std::string KeyOf(std::string_view bytes) {
  char hex[17];
  const auto h = document::ContentHash(bytes) ^ document::ContentHash(kConverterVersion);
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::string ArgString(const json::object& args, std::string_view key) {
  const auto* v = args.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Everything the tools share.
struct Group {
  Group(Server& s, const Config& c)
      : server(s),
        config(c),
        store(static_cast<std::size_t>(c.documents.store_size),
              [this](const std::string& key) { Forget(key); }) {
    if (!c.documents.tokenizer_file.empty()) {
      if (auto bpe = document::BpeTokenizer::Load(c.documents.tokenizer_file)) {
        tokenizer = std::move(*bpe);
      }
    }
    if (!tokenizer) tokenizer = std::make_unique<document::ApproxTokenizer>();
  }

  // Reads a source named by the arguments: `path`, `content` (base64) with `filename`, or `uri`.
  struct Source {
    std::string bytes;
    std::string filename;
  };
  Result<Source> Load(const json::object& args) const {
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
      if (size > max) {
        return Fail(ErrorCode::kInvalidParams,
                    path + ": " + std::to_string(size) + " bytes exceeds documents.max_file_size (" +
                        std::to_string(max) + ")");
      }
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
      if (content.size() / 4 * 3 > max + 3) {
        return Fail(ErrorCode::kInvalidParams,
                    "content exceeds documents.max_file_size (" + std::to_string(max) + " bytes)");
      }
      auto bytes = Base64Decode(content);
      if (!bytes) return Fail(ErrorCode::kInvalidParams, "content is not valid base64");
      Source s{std::move(*bytes), ArgString(args, "filename")};
      if (s.filename.empty()) s.filename = "document";
      return s;
    }
    return Fail(ErrorCode::kInvalidParams,
                "uri " + uri + ": only path and content sources are supported so far");
  }

  struct Converted {
    std::string key;
    std::shared_ptr<const document::Document> doc;
    bool cached = false;
  };
  // Conversion options from the arguments: the page range changes the result (so the key), the
  // password and the deadline do not.
  document::ConvertOptions Options(const json::object& args,
                                   std::chrono::steady_clock::time_point deadline) const {
    document::ConvertOptions o;
    o.max_file_size = static_cast<std::size_t>(config.documents.max_file_size);
    o.password = ArgString(args, "password");
    if (const auto* v = args.if_contains("first_page"); v && v->is_int64()) {
      o.first_page = static_cast<int>(v->get_int64());
    }
    if (const auto* v = args.if_contains("last_page"); v && v->is_int64()) {
      o.last_page = static_cast<int>(v->get_int64());
    }
    // Leave a tenth of the time for exporting what was converted.
    const auto now = std::chrono::steady_clock::now();
    if (deadline != std::chrono::steady_clock::time_point::max() && deadline > now) {
      o.deadline = now + (deadline - now) * 9 / 10;
    }
    return o;
  }

  Result<Converted> Convert(const Source& source, const document::ConvertOptions& options) {
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

  // The converted document becomes two resources.
  void Publish(const std::string& key, const document::Document& doc) {
    const std::string uri = std::string(kUriPrefix) + key;
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
  void Forget(const std::string& key) {
    const std::string uri = std::string(kUriPrefix) + key;
    (void)server.RemoveResource(uri);
    (void)server.RemoveResource(uri + ".json");
  }

  Result<std::string> Export(const document::Document& doc, const json::object& args) const {
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
                              ? document::ChunkHierarchical(doc, *tokenizer)
                              : document::ChunkHybrid(doc, *tokenizer, {.max_tokens = max_tokens});
      text = json::serialize(document::ToJson(chunks, tokenizer->name()));
    } else {
      return Fail(ErrorCode::kInvalidParams, "unknown format " + format);
    }
    if (max_size && format != "markdown" && text.size() > max_size) {
      text.resize(max_size);
      text += "\n[truncated at max_size]";
    }
    return text;
  }

  json::object Summary(const Converted& c) const {
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
                        {"uri", std::string(kUriPrefix) + c.key}};
  }

  Server& server;
  const Config& config;
  DocumentStore store;
  std::unique_ptr<document::Tokenizer> tokenizer;
};

json::object SourceProperties() {
  return json::object{
      {"path", Str("A file inside the server's documents.allowed_roots")},
      {"content", Str("The document's bytes, base64-encoded (instead of path)")},
      {"filename", Str("With content: the file name, whose extension tells the format")},
      {"uri", Str("A resource URI (instead of path or content)")},
      {"password", Str("PDF: the password of an encrypted document")},
      {"first_page", json::object{{"type", "integer"}, {"minimum", 1},
                                  {"description", "PDF: the first page to convert (1-based)"}}},
      {"last_page", json::object{{"type", "integer"}, {"minimum", 1},
                                 {"description", "PDF: the last page to convert"}}}};
}

json::object ExportProperties() {
  return json::object{
      {"format", Enum({"markdown", "text", "html", "json", "chunks"}, "Export format (default markdown)")},
      {"max_size", json::object{{"type", "integer"}, {"minimum", 1},
                                {"description", "Cut the export at this many bytes"}}},
      {"chunker", Enum({"hybrid", "hierarchical"}, "With format chunks (default hybrid)")},
      {"max_tokens", json::object{{"type", "integer"}, {"minimum", 16}, {"maximum", 65536},
                                  {"description", "Hybrid chunks' token budget (default 512)"}}}};
}

}  // namespace

Result<void> Register(Server& server) {
  auto group = std::make_shared<Group>(server, server.config());

  {
    Tool t;
    t.name = "convert_document";
    t.title = "Convert a document";
    t.description =
        "Converts a document (CSV, Markdown, HTML, text, DOCX, PPTX, XLSX) into a structured "
        "document kept by the server, and returns its key; with `export`, also its Markdown, "
        "text, DoclingDocument JSON or chunks. The same content converts once: later calls find "
        "it by key.";
    json::object props = SourceProperties();
    props["export"] = Enum({"none", "markdown", "text", "html", "json", "chunks"},
                           "Also return the document in this form (default none)");
    props["max_size"] = ExportProperties()["max_size"];
    t.input_schema = Schema(std::move(props));
    t.annotations = json::object{{"readOnlyHint", true}, {"idempotentHint", true},
                                 {"openWorldHint", false}};
    if (auto added = server.AddTool(t, [group](RequestContext& ctx, const json::object& args) -> Result<ToolResult> {
      auto source = group->Load(args);
      if (!source) return ToolResult::Failure(source.error().message);
      auto converted = group->Convert(*source, group->Options(args, ctx.Deadline()));
      if (!converted) return ToolResult::Failure(converted.error().message);
      ToolResult result;
      const json::object summary = group->Summary(*converted);
      result.AddText(json::serialize(summary));
      const std::string format = ArgString(args, "export");
      if (!format.empty() && format != "none") {
        json::object export_args{{"format", format}};
        if (const auto* m = args.if_contains("max_size")) export_args["max_size"] = *m;
        auto text = group->Export(*converted->doc, export_args);
        if (!text) return ToolResult::Failure(text.error().message);
        result.AddText(*text);
      }
      result.structured_content = summary;
      return result;
    });
        !added) {
      return added;
    }
  }
  {
    Tool t;
    t.name = "is_document_cached";
    t.title = "Is a document converted already";
    t.description = "Whether the server holds a converted document with this key.";
    t.input_schema = Schema(json::object{{"document_key", Str("A key from convert_document")}},
                            json::array{"document_key"});
    t.annotations = json::object{{"readOnlyHint", true}, {"openWorldHint", false}};
    t.execution = Execution::kInline;
    if (auto added = server.AddTool(t, [group](RequestContext&, const json::object& args) -> Result<ToolResult> {
      const bool cached = group->store.Contains(ArgString(args, "document_key"));
      ToolResult r = ToolResult::Text(cached ? "true" : "false");
      r.structured_content = json::object{{"cached", cached}};
      return r;
    });
        !added) {
      return added;
    }
  }
  {
    Tool t;
    t.name = "export_document";
    t.title = "Export a converted document";
    t.description =
        "Returns a converted document as Markdown (Docling's style), plain text, DoclingDocument "
        "JSON or chunks (hybrid: split and merged to a token budget; hierarchical: one per "
        "element), each chunk with its headings, pages and source items.";
    json::object props = ExportProperties();
    props["document_key"] = Str("A key from convert_document");
    t.input_schema = Schema(std::move(props), json::array{"document_key"});
    t.annotations = json::object{{"readOnlyHint", true}, {"openWorldHint", false}};
    if (auto added = server.AddTool(t, [group](RequestContext&, const json::object& args) -> Result<ToolResult> {
      const std::string key = ArgString(args, "document_key");
      auto doc = group->store.Get(key);
      if (!doc) {
        return ToolResult::Failure("no document with key " + key +
                                   " (never converted, or evicted: convert it again)");
      }
      auto text = group->Export(*doc, args);
      if (!text) return ToolResult::Failure(text.error().message);
      return ToolResult::Text(*text);
    });
        !added) {
      return added;
    }
  }
  {
    Tool t;
    t.name = "convert_documents";
    t.title = "Convert several documents";
    t.description =
        "Converts a list of files inside the allowed roots, with a progress notification per "
        "file; returns one result per file (its key, or why it failed). A failure never stops "
        "the batch.";
    t.input_schema = Schema(
        json::object{{"paths", json::object{{"type", "array"},
                                            {"items", json::object{{"type", "string"}}},
                                            {"minItems", 1},
                                            {"maxItems", 10000}}}},
        json::array{"paths"});
    t.annotations = json::object{{"readOnlyHint", true}, {"idempotentHint", true},
                                 {"openWorldHint", false}};
    if (auto added = server.AddTool(t, [group](RequestContext& ctx, const json::object& args) -> Result<ToolResult> {
      const auto& paths = args.at("paths").as_array();
      json::array results;
      std::size_t failed = 0;
      for (std::size_t i = 0; i < paths.size(); ++i) {
        if (ctx.IsCancelled()) return Fail(ErrorCode::kCancelled, "cancelled");
        const std::string path(paths[i].as_string());
        auto source = group->Load(json::object{{"path", path}});
        Result<Group::Converted> converted =
            source ? group->Convert(*source, group->Options({}, ctx.Deadline()))
                   : Result<Group::Converted>(Fail(source.error()));
        if (converted) {
          json::object s = group->Summary(*converted);
          s["path"] = path;
          results.push_back(std::move(s));
        } else {
          ++failed;
          results.push_back(json::object{{"path", path}, {"error", converted.error().message}});
        }
        ctx.ReportProgress(static_cast<double>(i + 1), static_cast<double>(paths.size()),
                           path + (converted ? ": converted" : ": failed"));
      }
      json::object out{{"files", paths.size()}, {"failed", failed}, {"results", std::move(results)}};
      ToolResult r = ToolResult::Text(json::serialize(out));
      r.structured_content = std::move(out);
      return r;
    });
        !added) {
      return added;
    }
  }
  return {};
}

}  // namespace ferry::tools::documents
