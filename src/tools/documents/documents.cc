#include "tools/documents/documents.h"

#include <memory>

#include "protocol/server_core.h"
#include "tools/documents/document_tools.h"
#include "tools/documents/editing_tools.h"
#include "tools/documents/page_tools.h"

namespace ferry::tools::documents {
namespace json = boost::json;
namespace {

json::object ExportProperties() {
  return json::object{
      {"format", EnumProperty({"markdown", "text", "html", "json", "chunks"},
                              "Export format (default markdown)")},
      {"max_size", IntegerProperty("Cut the export at this many bytes", 1, INT64_MAX)},
      {"chunker", EnumProperty({"hybrid", "hierarchical"}, "With format chunks (default hybrid)")},
      {"max_tokens", IntegerProperty("Hybrid chunks' token budget (default 512)", 16, 65536)}};
}

// How full the stores are, for is_document_cached and /metrics.
json::object StoreStatus(DocumentTools& group) {
  return json::object{{"documents", group.store.count()},
                      {"bytes", group.store.bytes()},
                      {"budget_bytes", group.store.budget()},
                      {"drafts", group.drafts.count()}};
}

constexpr telemetry::MetricDef kStoreBytes{
    .name = "ferry_document_store_bytes",
    .type = telemetry::MetricType::kGauge,
    .help = "Estimated memory of the converted documents kept by key (documents.store_size).",
    .max_series = 1};
constexpr telemetry::MetricDef kStoreDocuments{
    .name = "ferry_document_store_documents",
    .type = telemetry::MetricType::kGauge,
    .help = "Converted documents kept by key.",
    .max_series = 1};
constexpr telemetry::MetricDef kDrafts{
    .name = "ferry_document_drafts",
    .type = telemetry::MetricType::kGauge,
    .help = "Documents being built or edited (documents.max_drafts).",
    .max_series = 1};

Result<void> AddStoreMetrics(Server& server, const std::shared_ptr<DocumentTools>& group) {
  auto& registry = server.core().metrics().registry();
  if (auto r = registry.AddCallback(kStoreBytes, [group](telemetry::SampleSink& s) {
        s.Add(static_cast<double>(group->store.bytes()));
      });
      !r) {
    return r;
  }
  if (auto r = registry.AddCallback(kStoreDocuments, [group](telemetry::SampleSink& s) {
        s.Add(static_cast<double>(group->store.count()));
      });
      !r) {
    return r;
  }
  return registry.AddCallback(kDrafts, [group](telemetry::SampleSink& s) {
    s.Add(static_cast<double>(group->drafts.count()));
  });
}

Result<ToolResult> ConvertDocument(DocumentTools& group, RequestContext& ctx,
                                   const json::object& args) {
  auto source = group.Load(ctx, args);
  if (!source) return ToolResult::Failure(source.error().message);
  auto converted = group.Convert(*source, group.Options(args, ctx.Deadline()));
  if (!converted) return ToolResult::Failure(converted.error().message);
  ToolResult result;
  const json::object summary = group.Summary(*converted);
  result.AddText(json::serialize(summary));
  const std::string format = ArgString(args, "export");
  if (!format.empty() && format != "none") {
    json::object export_args{{"format", format}};
    if (const auto* m = args.if_contains("max_size")) export_args["max_size"] = *m;
    auto text = group.Export(*converted->doc, export_args);
    if (!text) return ToolResult::Failure(text.error().message);
    result.AddText(*text);
  }
  result.structured_content = summary;
  return result;
}

Result<ToolResult> IsDocumentCached(DocumentTools& group, RequestContext&,
                                    const json::object& args) {
  const bool cached = group.store.Contains(ArgString(args, "document_key"));
  return Structured({{"cached", cached}, {"store", StoreStatus(group)}});
}

Result<ToolResult> ExportDocument(DocumentTools& group, RequestContext&,
                                  const json::object& args) {
  auto text = group.Read(ArgString(args, "document_key"), [&](const document::Document& doc) {
    return group.Export(doc, args);
  });
  if (!text) return ToolResult::Failure(text.error().message);
  return ToolResult::Text(*text);
}

Result<ToolResult> ConvertDocuments(DocumentTools& group, RequestContext& ctx,
                                    const json::object& args) {
  const auto& paths = args.at("paths").as_array();
  json::array results;
  std::size_t failed = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (ctx.IsCancelled()) return Fail(ErrorCode::kCancelled, "cancelled");
    const std::string path(paths[i].as_string());
    auto source = group.Load(ctx, json::object{{"path", path}});
    Result<DocumentTools::Converted> converted =
        source ? group.Convert(*source, group.Options({}, ctx.Deadline()))
               : Result<DocumentTools::Converted>(Fail(source.error()));
    if (converted) {
      json::object s = group.Summary(*converted);
      s["path"] = path;
      results.push_back(std::move(s));
    } else {
      ++failed;
      results.push_back(json::object{{"path", path}, {"error", converted.error().message}});
    }
    ctx.ReportProgress(static_cast<double>(i + 1), static_cast<double>(paths.size()),
                       path + (converted ? ": converted" : ": failed"));
  }
  return Structured(
      {{"files", paths.size()}, {"failed", failed}, {"results", std::move(results)}});
}

// In the order of docs/tools.md.
std::vector<ToolDefinition> Definitions() {
  json::object convert = SourceProperties();
  convert["first_page"] = IntegerProperty("PDF: the first page to convert (1-based)", 1, 1'000'000);
  convert["last_page"] = IntegerProperty("PDF: the last page to convert", 1, 1'000'000);
  convert["export"] = EnumProperty({"none", "markdown", "text", "html", "json", "chunks"},
                                   "Also return the document in this form (default none)");
  convert["max_size"] = ExportProperties()["max_size"];
  json::object export_props = ExportProperties();
  export_props["document_key"] = StringProperty("A key from convert_document or create_document");
  const json::object idempotent_read{
      {"readOnlyHint", true}, {"idempotentHint", true}, {"openWorldHint", false}};
  const json::object read{{"readOnlyHint", true}, {"openWorldHint", false}};
  return {
      {"convert_document", "Convert a document",
       "Converts a document (PDF, DOCX, PPTX, XLSX, HTML, Markdown, AsciiDoc, CSV, text, or an "
       "image by OCR) into a structured document kept by the server, and returns its key; with "
       "`export`, also its Markdown, text, HTML, DoclingDocument JSON or chunks. The same "
       "content converts once: later calls find it by key.",
       ObjectSchema(std::move(convert)), idempotent_read, &ConvertDocument},
      {"convert_documents", "Convert several documents",
       "Converts a list of files inside the allowed roots, with a progress notification per "
       "file; returns one result per file (its key, or why it failed). A failure never stops "
       "the batch.",
       ObjectSchema(json::object{{"paths", json::object{{"type", "array"},
                                                        {"items", json::object{{"type", "string"}}},
                                                        {"minItems", 1},
                                                        {"maxItems", 10000}}}},
                    json::array{"paths"}),
       idempotent_read, &ConvertDocuments},
      {"is_document_cached", "Is a document converted already",
       "Whether the server holds a converted document with this key, and how full its "
       "document store is.",
       ObjectSchema(json::object{{"document_key", StringProperty("A key from convert_document")}},
                    json::array{"document_key"}),
       read, &IsDocumentCached, Execution::kInline},
      {"export_document", "Export a document",
       "Returns a converted document or a draft as Markdown (Docling's style), plain text, "
       "HTML, DoclingDocument JSON or chunks (hybrid: split and merged to a token budget; "
       "hierarchical: one per element), each chunk with its headings, pages and source items.",
       ObjectSchema(std::move(export_props), json::array{"document_key"}), read,
       &ExportDocument},
  };
}

}  // namespace

Result<void> Register(Server& server) {
  auto group = std::make_shared<DocumentTools>(server, server.config());
  if (auto r = AddStoreMetrics(server, group); !r) return r;
  if (auto r = AddTools(server, group, Definitions()); !r) return r;
  if (auto r = RegisterEditingTools(server, group); !r) return r;
  return RegisterPageTools(server, group);
}

}  // namespace ferry::tools::documents
