#include "document/convert.h"

#define XXH_INLINE_ALL  // header-only: no library to link
#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "document/backends/asciidoc.h"
#include "document/backends/csv.h"
#include "document/backends/docx.h"
#include "document/backends/html.h"
#include "document/backends/markdown.h"
#include "document/backends/ocr.h"
#ifdef FERRY_WITH_PDF
#include "document/backends/pdf.h"
#endif
#include "document/backends/pptx.h"
#include "document/backends/xlsx.h"
#include "document/memory_budget.h"

namespace ferry::document {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Plain text: paragraphs are separated by blank lines; lines within one are joined.
Document ParseText(std::string_view text, std::string name, Origin origin) {
  Document doc(std::move(name), std::move(origin));
  std::string paragraph;
  auto flush = [&] {
    std::string t = NormalizeSpace(paragraph);
    if (!t.empty()) doc.AddText(kBodyRef, TextLabel::kText, std::move(t));
    paragraph.clear();
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      flush();
    } else {
      paragraph.append(line).push_back('\n');
    }
    start = end + 1;
  }
  flush();
  return doc;
}

}  // namespace

std::string_view ToString(Format format) {
  switch (format) {
    case Format::kCsv: return "csv";
    case Format::kMarkdown: return "md";
    case Format::kHtml: return "html";
    case Format::kText: return "text";
    case Format::kPdf: return "pdf";
    case Format::kDocx: return "docx";
    case Format::kPptx: return "pptx";
    case Format::kXlsx: return "xlsx";
    case Format::kAsciiDoc: return "asciidoc";
    case Format::kImage: return "image";
    case Format::kUnknown: return "unknown";
  }
  return "unknown";
}

std::string_view MimeType(Format format) {
  switch (format) {
    case Format::kCsv: return "text/csv";
    case Format::kMarkdown: return "text/markdown";
    case Format::kHtml: return "text/html";
    case Format::kText: return "text/plain";
    case Format::kPdf: return "application/pdf";
    case Format::kDocx:
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case Format::kPptx:
      return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    case Format::kXlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case Format::kAsciiDoc: return "text/asciidoc";
    case Format::kImage: return "image/png";
    case Format::kUnknown: return "application/octet-stream";
  }
  return "application/octet-stream";
}

Format DetectFormat(std::string_view filename, std::string_view head) {
  const auto dot = filename.rfind('.');
  const std::string ext = dot == std::string_view::npos ? "" : Lower(filename.substr(dot + 1));
  if (ext == "csv" || ext == "tsv") return Format::kCsv;
  if (ext == "md" || ext == "markdown") return Format::kMarkdown;
  if (ext == "html" || ext == "htm" || ext == "xhtml") return Format::kHtml;
  if (ext == "txt" || ext == "text") return Format::kText;
  if (ext == "pdf") return Format::kPdf;
  if (ext == "docx") return Format::kDocx;
  if (ext == "pptx") return Format::kPptx;
  if (ext == "xlsx" || ext == "xlsm") return Format::kXlsx;
  if (ext == "adoc" || ext == "asciidoc" || ext == "asc") return Format::kAsciiDoc;
  if (ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "tif" || ext == "tiff" ||
      ext == "webp" || ext == "bmp" || ext == "gif") {
    return Format::kImage;
  }
  if (head.substr(0, 5) == "%PDF-") return Format::kPdf;
  if (head.substr(0, 8) == "\x89PNG\r\n\x1a\n" || head.substr(0, 3) == "\xFF\xD8\xFF" ||
      head.substr(0, 4) == std::string_view("II*\0", 4) ||
      head.substr(0, 4) == std::string_view("MM\0*", 4) || head.substr(0, 4) == "GIF8" ||
      (head.substr(0, 4) == "RIFF" && head.substr(8, 4) == "WEBP")) {
    return Format::kImage;
  }
  if (head.substr(0, 4) == std::string_view("PK\x03\x04", 4)) return Format::kUnknown;
  const std::string start = Lower(head.substr(0, 512));
  if (start.find("<!doctype html") != std::string::npos || start.find("<html") != std::string::npos) {
    return Format::kHtml;
  }
  return Format::kText;
}

std::uint64_t ContentHash(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

namespace {

// Runs the backend for the detected format.
Result<Document> ConvertWithBackend(std::string_view bytes, std::string_view filename,
                                    const ConvertOptions& options) {
  const Format format = DetectFormat(filename, bytes.substr(0, 1024));
  const auto dot = filename.rfind('.');
  std::string name(dot == std::string_view::npos || dot == 0 ? filename : filename.substr(0, dot));
  Origin origin{std::string(MimeType(format)), std::string(filename), ContentHash(bytes)};
  switch (format) {
    case Format::kCsv: return ParseCsv(bytes, std::move(name), std::move(origin));
    case Format::kAsciiDoc: return ParseAsciiDoc(bytes, std::move(name), std::move(origin));
    case Format::kMarkdown: return ParseMarkdown(bytes, std::move(name), std::move(origin));
    case Format::kHtml: return ParseHtml(bytes, std::move(name), std::move(origin));
    case Format::kText: return ParseText(bytes, std::move(name), std::move(origin));
    case Format::kPptx: return ParsePptx(bytes, std::move(name), std::move(origin));
    case Format::kXlsx: return ParseXlsx(bytes, std::move(name), std::move(origin));
    case Format::kDocx: return ParseDocx(bytes, std::move(name), std::move(origin));
    case Format::kImage: {
      OcrOptions ocr;
      ocr.max_pixels = options.max_image_pixels;
      ocr.deadline = options.deadline;
      return ParseImageOcr(bytes, std::move(name), std::move(origin), ocr);
    }
#ifdef FERRY_WITH_PDF
    case Format::kPdf: {
      PdfOptions pdf;
      pdf.password = options.password;
      pdf.first_page = options.first_page;
      pdf.last_page = options.last_page;
      pdf.max_pages = options.max_pages;
      pdf.deadline = options.deadline;
      return ParsePdf(bytes, std::move(name), std::move(origin), pdf);
    }
#endif
    case Format::kUnknown:
      return Fail(ErrorCode::kInvalidParams,
                  std::string(filename) + ": unrecognised format (a ZIP archive that is not "
                                          ".docx, .pptx or .xlsx?)");
    default:
      return Fail(ErrorCode::kInvalidParams,
                  std::string(filename) + ": " + std::string(ToString(format)) +
                      " documents are not supported yet by this build");
  }
}

}  // namespace

Result<Document> ConvertBytes(std::string_view bytes, std::string_view filename,
                              const ConvertOptions& options) {
  if (bytes.size() > options.max_file_size) {
    return Fail(ErrorCode::kInvalidParams,
                std::string(filename) + ": " + std::to_string(bytes.size()) +
                    " bytes exceeds the limit of " + std::to_string(options.max_file_size) +
                    " (max_file_size)");
  }
  MemoryBudget::Scope budget(options.max_memory);
  auto doc = ConvertWithBackend(bytes, filename, options);
  // A backend may stop early, or fail for want of what it could not build: either way the
  // budget is the reason to report.
  if (budget.exceeded()) {
    return Fail(ErrorCode::kInvalidParams,
                std::string(filename) + ": converting needs more than " +
                    std::to_string(options.max_memory) + " bytes of memory (max_memory)");
  }
  return doc;
}

Result<Document> ConvertFile(const std::filesystem::path& path, const ConvertOptions& options) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return Fail(ErrorCode::kIo, path.string() + ": " + ec.message());
  if (size > options.max_file_size) {
    return Fail(ErrorCode::kInvalidParams,
                path.string() + ": " + std::to_string(size) + " bytes exceeds the limit of " +
                    std::to_string(options.max_file_size) + " (max_file_size)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, path.string() + ": cannot open");
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) {
    return Fail(ErrorCode::kIo, path.string() + ": short read");
  }
  return ConvertBytes(bytes, path.filename().string(), options);
}

}  // namespace ferry::document
