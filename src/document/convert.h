// Document conversion's entry point: detects a source's format from its name and first bytes and
// runs the matching backend, within the limits given. Formats: CSV (and TSV, ; and | separated),
// Markdown, HTML, AsciiDoc, plain text, DOCX, PPTX, XLSX, PDF when built with FERRY_PDF, and
// images (PNG, JPEG, TIFF, WebP, GIF, BMP) by OCR when the tesseract program is installed
// (backends/ocr.h; without it the error names the package).
//
// Thread-safety: pure functions; convert many documents from many threads at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

enum class Format { kCsv, kMarkdown, kHtml, kText, kPdf, kDocx, kPptx, kXlsx, kAsciiDoc, kImage,
                    kUnknown };

std::string_view ToString(Format format);
std::string_view MimeType(Format format);

// From the extension first; when it says nothing, from the bytes (PDF, ZIP and image signatures,
// an HTML tag near the start); text otherwise. Office files are ZIPs: the extension decides.
Format DetectFormat(std::string_view filename, std::string_view head);

struct ConvertOptions {
  std::size_t max_file_size = 64 * 1024 * 1024;  // bytes; larger sources are refused
  // Bytes the conversion may build (the document and the backend's parsed trees and tables,
  // estimated; see memory_budget.h); a document needing more fails.
  std::size_t max_memory = 1024 * 1024 * 1024;
  // Paged formats (PDF): the password of an encrypted document, the pages to convert (1-based,
  // inclusive; last_page 0 = to the end), the most pages a document may have.
  std::string password;
  int first_page = 1;
  int last_page = 0;
  int max_pages = 10'000;
  // Images: the most pixels one may declare (checked from its header, before decoding).
  std::uint64_t max_image_pixels = 64'000'000;
  // Pages not started by then are left out and the document is marked partial.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Converts `bytes`; `filename` (a base name) names the document and hints the format.
Result<Document> ConvertBytes(std::string_view bytes, std::string_view filename,
                              const ConvertOptions& options = {});
// Reads and converts a file (refusing it before reading when it exceeds max_file_size).
Result<Document> ConvertFile(const std::filesystem::path& path, const ConvertOptions& options = {});

// The 64-bit content hash used for Origin::binary_hash and document keys (XXH3).
std::uint64_t ContentHash(std::string_view bytes);

}  // namespace ferry::document
