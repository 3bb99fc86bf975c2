#include "tools/documents/document_tools.h"

#include <cstdio>
#include <filesystem>

#include "document/export.h"

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
  auto loaded = LoadSource(server, ctx, args, config.documents.allowed_roots,
                           static_cast<std::size_t>(config.documents.max_file_size),
                           "documents.max_file_size");
  if (!loaded) return Fail(loaded.error());
  Source s{std::move(loaded->bytes), std::move(loaded->filename)};
  if (s.filename.empty()) {
    const std::string uri = ArgString(args, "uri");
    s.filename = uri.empty() ? "document" : ResourceFilename(uri, loaded->mime_type);
  }
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

json::object SourceProperties() {
  return json::object{
      {"path", StringProperty("A file inside the server's documents.allowed_roots")},
      {"content", StringProperty("The document's bytes, base64-encoded (instead of path)")},
      {"filename", StringProperty("With content or uri: the file name, whose extension tells the "
                                  "format")},
      {"uri", StringProperty("A resource this server serves (instead of path or content)")},
      {"password", StringProperty("PDF: the password of an encrypted document")}};
}

}  // namespace ferry::tools::documents
