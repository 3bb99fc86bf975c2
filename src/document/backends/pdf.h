// PDF input (poppler-cpp). Declared here; implemented in pdf.cc (built when FERRY_PDF is ON).
//
// The backend reads the words poppler finds on each page with their boxes and font sizes, and
// rebuilds the layout from them: words into lines, lines into columns (read left to right) and
// blocks, blocks into section headers, paragraphs, list items, captions and page furniture
// (headers and footers repeated across pages, page numbers). Tables are found from words lined
// up in three or more columns over consecutive rows (pdf_table.h); ruling lines are not read.
//
// Thread-safety: ParsePdf may run on many threads at once (each call owns its poppler document).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

struct PdfOptions {
  std::string password;     // for encrypted documents
  int first_page = 1;       // 1-based, inclusive
  int last_page = 0;        // 0 = the last page
  int max_pages = 10'000;   // documents with more pages are refused
  // Pages not started by then are left out: the document comes back partial, with a warning.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Docling prints every section header of a PDF at one level and labels no title; these turn
  // on levels by font size and a title (the first, largest heading of the first page).
  bool heading_levels = false;
  bool detect_title = false;
};

Result<Document> ParsePdf(std::string_view bytes, std::string name, Origin origin,
                          const PdfOptions& options = {});

}  // namespace ferry::document
