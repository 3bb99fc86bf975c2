// PDF input (poppler-cpp). Declared here; implemented in pdf.cc (built when FERRY_PDF is ON).
#pragma once

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
};

Result<Document> ParsePdf(std::string_view bytes, std::string name, Origin origin,
                          const PdfOptions& options = {});

}  // namespace ferry::document
