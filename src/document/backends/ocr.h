// Images (PNG, JPEG, TIFF, WebP, GIF, BMP) read by OCR into a Document: the tesseract program
// (Debian: tesseract-ocr, with tesseract-ocr-eng for English) runs as a separate process on the
// image, and its word boxes become paragraphs in reading order, each with its provenance (page 1,
// bounding box in pixels, top-left origin), and one Page the size of the image.
//
// Why a process and not libtesseract: a crash or a runaway in the recogniser cannot take the
// server with it (the child is killed at the deadline), and the dozens of libraries tesseract
// links (curl, archive, leptonica's codecs) do not slow every `ferry` start.
//
// Limits: the image's dimensions are read from its header and an image over max_pixels is
// refused before anything decodes it; the deadline kills the recogniser (kTimeout). When
// tesseract or its language data is missing, the error names the Debian package to install.
//
// Thread-safety: pure functions (each call runs its own process).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

struct OcrOptions {
  std::uint64_t max_pixels = 64'000'000;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string program = "tesseract";
  std::string language = "eng";  // tesseract's language code (data in tesseract-ocr-<code>)
};

Result<Document> ParseImageOcr(std::string_view bytes, std::string name, Origin origin,
                               const OcrOptions& options = {});

}  // namespace ferry::document
