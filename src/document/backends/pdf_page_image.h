// PDF page images (poppler-cpp's Splash renderer): one page of a PDF rendered to a PNG whose
// longest side is max_dimension pixels. Declared here; implemented in pdf_page_image.cc (built
// when FERRY_PDF is ON, which defines FERRY_WITH_PDF).
//
// Pages are rendered on opaque white paper with antialiasing (shapes and text) and come out as
// 8-bit RGB PNGs: a page has no transparency worth keeping, and RGB is a quarter smaller than
// RGBA. The page's /Rotate is applied, so a landscape page comes out landscape.
//
// Thread-safety: RenderPdfPage may run on many threads at once (each call owns its poppler
// document and renderer).
#pragma once

#include <string>
#include <string_view>

#include "ferry/result.h"

namespace ferry::document {

inline constexpr int kMinPageImageDimension = 16;
inline constexpr int kMaxPageImageDimension = 4096;

struct PageImageOptions {
  int page = 1;               // 1-based
  std::string password;       // for encrypted documents
  int max_dimension = 1024;   // pixels of the longest side, kMin..kMaxPageImageDimension
  int max_pages = 10'000;     // documents claiming more pages are refused
  std::string name = "PDF";   // names the document in error messages
};

struct PageImage {
  std::string png;  // the PNG file's bytes
  int width = 0;    // pixels
  int height = 0;
  int page = 0;     // the page rendered (1-based)
  int pages = 0;    // pages in the document
};

// Fails with kInvalidParams: not a PDF, corrupt or truncated, encrypted without the right
// password (naming the `password` argument), too many pages, a page out of range (saying how
// many there are), or max_dimension out of range.
Result<PageImage> RenderPdfPage(std::string_view pdf_bytes, const PageImageOptions& options = {});

}  // namespace ferry::document
