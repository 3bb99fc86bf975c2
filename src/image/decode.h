// DecodeImage: untrusted PNG, JPEG or WebP bytes to an Image, the entry point of the image tools.
// The format and dimensions are read from the header first (image_header.h), and an image over
// `max_pixels` is refused before any decoder allocates for it (a decompression bomb); corrupt and
// truncated data are errors, never partial images. With `max_dimension`, a larger image is scaled
// down (area average) until its longest side fits.
//
// Channels as decoded: PNG as png.h keeps them (1, 3 or 4); JPEG 1 (gray) or 3; WebP 3, or 4 when
// it has alpha.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include "ferry/result.h"
#include "image/image.h"
#include "image/png.h"

namespace ferry::image {

struct DecodeOptions {
  std::size_t max_pixels = kDefaultMaxPixels;  // of the image as stored
  int max_dimension = 0;                       // longest side after decoding; 0 = as stored
};

// Fails with kInvalidParams: an unknown or unsupported format (TIFF, GIF, BMP are recognised but
// not decoded), a header cut short, more than max_pixels, or corrupt or truncated data.
Result<Image> DecodeImage(std::string_view bytes, const DecodeOptions& options = {});

// The image scaled down so that its longest side is at most `max_dimension` (area average,
// weighted by alpha so transparent pixels do not darken edges); smaller images are returned as
// they are.
Image Downscale(const Image& image, int max_dimension);

}  // namespace ferry::image
