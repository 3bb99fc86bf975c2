// PNG codec on libpng: Image (image.h) to PNG bytes and back, in memory.
//
// Decoding is for untrusted input: the header is read first and an image over `max_pixels` is
// refused before its pixels are allocated; truncated or corrupt data (bad CRCs, broken zlib
// streams, missing chunks) comes back as a kInvalidParams error, never a crash. libpng's
// setjmp/longjmp error handling stays inside png.cc.
//
// Thread-safety: pure functions; each call owns its libpng state, so any number may run at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ferry/result.h"
#include "image/image.h"

namespace ferry::image {

// The eight bytes every PNG starts with.
inline constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1a\n", 8};

// Whether `bytes` starts with the PNG signature.
inline bool IsPng(std::string_view bytes) { return bytes.substr(0, 8) == kPngSignature; }

struct PngEncodeOptions {
  int compression_level = 6;  // zlib 0 (none, fastest) to 9 (smallest)
};

// An 8-bit PNG of `image`: grayscale (1 channel), RGB (3) or RGBA (4), non-interlaced. Fails
// with kInvalidParams when the image is not Valid().
Result<std::string> EncodePng(const Image& image, const PngEncodeOptions& options = {});

// The default pixel budget of DecodePng: 8192 x 8192.
inline constexpr std::size_t kDefaultMaxPixels = std::size_t{8192} * 8192;

// Decodes a PNG into 8-bit pixels, keeping its colour model as stored:
//   gray without transparency             -> 1 channel
//   RGB or palette without transparency   -> 3 channels (palette expanded)
//   anything with alpha or a tRNS chunk   -> 4 channels, RGBA with straight alpha (gray+alpha
//                                            is expanded to RGBA)
// 16-bit samples are reduced to 8 bits, sub-byte gray expanded, interlacing undone, gamma and
// colour profiles ignored. Use ToRgba (image.h) for a uniform 4-channel result.
// Fails with kInvalidParams for data that is not a PNG, truncated or corrupt, or an image of more
// than `max_pixels` pixels (checked from the header, before allocating).
Result<Image> DecodePng(std::string_view bytes, std::size_t max_pixels = kDefaultMaxPixels);

}  // namespace ferry::image
