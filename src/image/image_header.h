// ReadImageHeader: an image's format and dimensions from its first bytes, without decoding it,
// so that a decompression bomb (a small file declaring a huge image) is refused before any
// decoder allocates for it. Formats: PNG, JPEG, TIFF, WebP, GIF, BMP.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include "ferry/result.h"

namespace ferry::image {

enum class ImageFormat : std::uint8_t { kPng, kJpeg, kTiff, kWebp, kGif, kBmp };

struct ImageHeader {
  ImageFormat format = ImageFormat::kPng;
  std::uint32_t width = 0, height = 0;
};

std::string_view ToString(ImageFormat format);      // "png", "jpeg", ...
std::string_view MimeType(ImageFormat format);      // "image/png", ...

// Fails (kInvalidParams) on an unknown signature, a header cut short, or zero dimensions.
Result<ImageHeader> ReadImageHeader(std::string_view bytes);

}  // namespace ferry::image
