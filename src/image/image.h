// Image: an 8-bit raster held in memory, row-major and tightly packed (no row padding), with 1
// (gray), 3 (RGB) or 4 (RGBA, straight alpha) channels per pixel. The common currency of the
// PNG codec (png.h), PDF page rendering and the image tools built on them.
//
// Thread-safety: a plain value type; share it read-only or copy it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ferry::image {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;  // 1, 3 or 4
  std::vector<std::uint8_t> pixels;  // height rows of width * channels bytes

  std::size_t RowBytes() const {
    return static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  }
  // Whether the dimensions, channel count and pixel buffer agree.
  bool Valid() const {
    return width > 0 && height > 0 && (channels == 1 || channels == 3 || channels == 4) &&
           pixels.size() == RowBytes() * static_cast<std::size_t>(height);
  }
  // The first byte of pixel (x, y); no bounds check.
  const std::uint8_t* At(int x, int y) const {
    return pixels.data() + static_cast<std::size_t>(y) * RowBytes() +
           static_cast<std::size_t>(x) * static_cast<std::size_t>(channels);
  }
};

// The same picture with 4 channels (RGBA): gray is copied to R, G and B, missing alpha is 255.
inline Image ToRgba(const Image& in) {
  if (in.channels == 4) return in;
  Image out{in.width, in.height, 4, {}};
  const std::size_t count = static_cast<std::size_t>(in.width) * static_cast<std::size_t>(in.height);
  out.pixels.resize(count * 4);
  const std::size_t c = static_cast<std::size_t>(in.channels);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* p = in.pixels.data() + i * c;
    std::uint8_t* q = out.pixels.data() + i * 4;
    q[0] = p[0];
    q[1] = c == 1 ? p[0] : p[1];
    q[2] = c == 1 ? p[0] : p[2];
    q[3] = 255;
  }
  return out;
}

}  // namespace ferry::image
