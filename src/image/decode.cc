#include "image/decode.h"

#include <turbojpeg.h>
#include <webp/decode.h>

#include <algorithm>
#include <memory>
#include <string>

#include "image/image_header.h"

namespace ferry::image {
namespace {

struct TjDeleter {
  void operator()(void* handle) const { tjDestroy(handle); }
};

Result<Image> DecodeJpeg(std::string_view bytes) {
  std::unique_ptr<void, TjDeleter> tj(tjInitDecompress());
  if (!tj) return Fail(ErrorCode::kInternal, "cannot start the JPEG decoder");
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto size = static_cast<unsigned long>(bytes.size());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), data, size, &width, &height, &subsampling, &colorspace) != 0) {
    return Fail(ErrorCode::kInvalidParams,
                std::string("corrupt JPEG: ") + tjGetErrorStr2(tj.get()));
  }
  Image out;
  out.width = width;
  out.height = height;
  out.channels = colorspace == TJCS_GRAY ? 1 : 3;
  out.pixels.resize(out.RowBytes() * static_cast<std::size_t>(height));
  // Warnings (a file cut short, corrupt data) are errors: no half-grey images. Progressive files
  // with absurd scan counts are refused rather than decoded for minutes.
  if (tjDecompress2(tj.get(), data, size, out.pixels.data(), width, 0, height,
                    out.channels == 1 ? TJPF_GRAY : TJPF_RGB,
                    TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0) {
    return Fail(ErrorCode::kInvalidParams,
                std::string("corrupt or truncated JPEG: ") + tjGetErrorStr2(tj.get()));
  }
  return out;
}

Result<Image> DecodeWebp(std::string_view bytes) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(data, bytes.size(), &features) != VP8_STATUS_OK) {
    return Fail(ErrorCode::kInvalidParams, "corrupt WebP: unreadable header");
  }
  if (features.has_animation) {
    return Fail(ErrorCode::kInvalidParams, "animated WebP images are not supported");
  }
  Image out;
  out.width = features.width;
  out.height = features.height;
  out.channels = features.has_alpha ? 4 : 3;
  out.pixels.resize(out.RowBytes() * static_cast<std::size_t>(out.height));
  const int stride = static_cast<int>(out.RowBytes());
  const std::uint8_t* ok =
      out.channels == 4
          ? WebPDecodeRGBAInto(data, bytes.size(), out.pixels.data(), out.pixels.size(), stride)
          : WebPDecodeRGBInto(data, bytes.size(), out.pixels.data(), out.pixels.size(), stride);
  if (!ok) return Fail(ErrorCode::kInvalidParams, "corrupt or truncated WebP");
  return out;
}

}  // namespace

Result<Image> DecodeImage(std::string_view bytes, const DecodeOptions& options) {
  if (bytes.empty()) return Fail(ErrorCode::kInvalidParams, "empty file (0 bytes): not an image");
  auto header = ReadImageHeader(bytes);
  if (!header) return Fail(header.error());
  const std::uint64_t pixels = std::uint64_t{header->width} * header->height;
  if (pixels > options.max_pixels) {
    return Fail(ErrorCode::kInvalidParams,
                std::string(ToString(header->format)) + " image of " +
                    std::to_string(header->width) + "x" + std::to_string(header->height) +
                    " pixels exceeds the limit of " + std::to_string(options.max_pixels) +
                    " (max_pixels)");
  }
  Result<Image> image = Fail(ErrorCode::kInvalidParams,
                             std::string(ToString(header->format)) +
                                 " images are not supported (PNG, JPEG and WebP are)");
  switch (header->format) {
    case ImageFormat::kPng: image = DecodePng(bytes, options.max_pixels); break;
    case ImageFormat::kJpeg: image = DecodeJpeg(bytes); break;
    case ImageFormat::kWebp: image = DecodeWebp(bytes); break;
    default: break;
  }
  if (!image) return image;
  // The decoders read their own headers: what they decoded must be what was checked.
  if (static_cast<std::uint64_t>(image->width) * static_cast<std::uint64_t>(image->height) >
      options.max_pixels) {
    return Fail(ErrorCode::kInvalidParams, "image larger than its header declared");
  }
  if (options.max_dimension > 0) return Downscale(*image, options.max_dimension);
  return image;
}

Image Downscale(const Image& in, int max_dimension) {
  const int longest = std::max(in.width, in.height);
  if (max_dimension <= 0 || longest <= max_dimension) return in;
  const double scale = static_cast<double>(max_dimension) / longest;
  Image out;
  out.width = std::max(1, static_cast<int>(in.width * scale + 0.5));
  out.height = std::max(1, static_cast<int>(in.height * scale + 0.5));
  out.channels = in.channels;
  out.pixels.resize(out.RowBytes() * static_cast<std::size_t>(out.height));
  const int c = in.channels;
  const bool alpha = c == 4;
  for (int oy = 0; oy < out.height; ++oy) {
    const int y0 = static_cast<int>(static_cast<std::int64_t>(oy) * in.height / out.height);
    const int y1 = std::max(y0 + 1, static_cast<int>(static_cast<std::int64_t>(oy + 1) * in.height / out.height));
    for (int ox = 0; ox < out.width; ++ox) {
      const int x0 = static_cast<int>(static_cast<std::int64_t>(ox) * in.width / out.width);
      const int x1 = std::max(x0 + 1, static_cast<int>(static_cast<std::int64_t>(ox + 1) * in.width / out.width));
      double sum[4] = {0, 0, 0, 0};
      double weight = 0;
      for (int y = y0; y < y1; ++y) {
        const std::uint8_t* p = in.At(x0, y);
        for (int x = x0; x < x1; ++x, p += c) {
          // Colour weighted by alpha (premultiplied), so transparent pixels add no colour.
          const double w = alpha ? p[3] / 255.0 : 1.0;
          for (int k = 0; k < (alpha ? 3 : c); ++k) sum[k] += p[k] * w;
          if (alpha) sum[3] += p[3];
          weight += w;
        }
      }
      const double count = static_cast<double>(x1 - x0) * (y1 - y0);
      std::uint8_t* q = out.pixels.data() + static_cast<std::size_t>(oy) * out.RowBytes() +
                        static_cast<std::size_t>(ox) * static_cast<std::size_t>(c);
      for (int k = 0; k < (alpha ? 3 : c); ++k) {
        q[k] = static_cast<std::uint8_t>(weight > 0 ? sum[k] / weight + 0.5 : 0);
      }
      if (alpha) q[3] = static_cast<std::uint8_t>(sum[3] / count + 0.5);
    }
  }
  return out;
}

}  // namespace ferry::image
