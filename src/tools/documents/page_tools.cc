#include "tools/documents/page_tools.h"

#include <string>
#include <utility>

#include "common/base64.h"
#include "document/convert.h"
#ifdef FERRY_WITH_PDF
#include "document/backends/pdf_page_image.h"
#endif

namespace ferry::tools::documents {

#ifndef FERRY_WITH_PDF

Result<void> RegisterPageTools(Server&, std::shared_ptr<DocumentTools>) { return {}; }

#else

namespace json = boost::json;
namespace {

std::string_view FormatName(document::Format format) {
  switch (format) {
    case document::Format::kCsv: return "CSV";
    case document::Format::kMarkdown: return "Markdown";
    case document::Format::kHtml: return "HTML";
    case document::Format::kText: return "plain text";
    case document::Format::kPdf: return "PDF";
    case document::Format::kDocx: return "DOCX";
    case document::Format::kPptx: return "PPTX";
    case document::Format::kXlsx: return "XLSX";
    case document::Format::kAsciiDoc: return "AsciiDoc";
    case document::Format::kImage: return "an image";
    case document::Format::kUnknown: break;
  }
  return "of an unknown format";
}

Result<ToolResult> GetPageImage(DocumentTools& group, RequestContext& ctx,
                                const json::object& args) {
  auto source = group.Load(ctx, args);
  if (!source) return ToolResult::Failure(source.error().message);
  // By name first, as conversion does; a PDF under another name is still read.
  const std::string_view head = std::string_view(source->bytes).substr(0, 1024);
  const document::Format format = document::DetectFormat(source->filename, head);
  if (format != document::Format::kPdf && head.find("%PDF-") == std::string_view::npos) {
    return ToolResult::Failure("get_page_image reads PDF documents; " + source->filename + " is " +
                               std::string(FormatName(format)));
  }
  document::PageImageOptions options;
  options.page = static_cast<int>(ArgInt(args, "page", 1));
  options.max_dimension = static_cast<int>(ArgInt(args, "max_dimension", 1024));
  options.password = ArgString(args, "password");
  options.max_pages = static_cast<int>(group.config.documents.max_pages);
  options.name = source->filename;
  // Rendering cannot be interrupted once started: give up before it when nobody waits.
  if (ctx.IsCancelled()) return Fail(ErrorCode::kCancelled, "cancelled");
  auto page = document::RenderPdfPage(source->bytes, options);
  if (!page) return ToolResult::Failure(page.error().message);
  json::object out{{"page", page->page},
                   {"pages", page->pages},
                   {"width", page->width},
                   {"height", page->height}};
  ToolResult result;
  result.AddImage(Base64Encode(page->png), "image/png");
  result.structured_content = std::move(out);
  return result;
}

}  // namespace

Result<void> RegisterPageTools(Server& server, std::shared_ptr<DocumentTools> group) {
  json::object properties = SourceProperties();
  properties["page"] = IntegerProperty("The page to render, 1-based (default 1)", 1, 1'000'000);
  properties["max_dimension"] =
      IntegerProperty("Pixels of the image's longest side (default 1024)",
                      document::kMinPageImageDimension, document::kMaxPageImageDimension);
  std::vector<ToolDefinition> tools;
  tools.push_back(
      {"get_page_image", "Render a PDF page as an image",
       "Renders one page of a PDF as a PNG image (antialiased, on white, the longest side "
       "max_dimension pixels), to look at layout, figures, charts and scans that text "
       "conversion misses. Takes the PDF itself (path, content or uri, as convert_document), "
       "not a document key: the server keeps converted documents, not their bytes. Returns the "
       "image and {page, pages, width, height}.",
       ObjectSchema(std::move(properties)),
       json::object{{"readOnlyHint", true}, {"idempotentHint", true}, {"openWorldHint", false}},
       &GetPageImage});
  return AddTools(server, group, std::move(tools));
}
#endif  // FERRY_WITH_PDF

}  // namespace ferry::tools::documents
