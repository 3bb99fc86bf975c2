#include "image/image_header.h"

#include <cstdlib>
#include <string>

namespace ferry::image {
namespace {

std::uint32_t Be16(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 8) |
         static_cast<unsigned char>(b[at + 1]);
}
std::uint32_t Le16(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8) |
         static_cast<unsigned char>(b[at]);
}
std::uint32_t Be32(std::string_view b, std::size_t at) { return (Be16(b, at) << 16) | Be16(b, at + 2); }
std::uint32_t Le32(std::string_view b, std::size_t at) { return (Le16(b, at + 2) << 16) | Le16(b, at); }
std::uint32_t Le24(std::string_view b, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16) | Le16(b, at);
}

Error Truncated(ImageFormat format) {
  return Error(ErrorCode::kInvalidParams,
               std::string(ToString(format)) + " image truncated before its dimensions");
}

Result<ImageHeader> Png(std::string_view b) {
  // The signature, then the IHDR chunk: length, "IHDR", width, height.
  if (b.size() < 24 || b.substr(12, 4) != "IHDR") return Fail(Truncated(ImageFormat::kPng));
  return ImageHeader{ImageFormat::kPng, Be32(b, 16), Be32(b, 20)};
}

Result<ImageHeader> Jpeg(std::string_view b) {
  // Markers from the start: the first start-of-frame segment holds the dimensions.
  std::size_t at = 2;
  while (at + 4 <= b.size()) {
    if (static_cast<unsigned char>(b[at]) != 0xFF) {
      return Fail(ErrorCode::kInvalidParams, "corrupt JPEG: no marker where one is expected");
    }
    const unsigned marker = static_cast<unsigned char>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {  // no length field
      at += 2;
      continue;
    }
    const std::uint32_t length = Be16(b, at + 2);
    if (length < 2) return Fail(ErrorCode::kInvalidParams, "corrupt JPEG: bad segment length");
    const bool start_of_frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 &&
                                marker != 0xC8 && marker != 0xCC;
    if (start_of_frame) {
      if (at + 9 > b.size()) break;
      return ImageHeader{ImageFormat::kJpeg, Be16(b, at + 7), Be16(b, at + 5)};
    }
    if (marker == 0xD9 || marker == 0xDA) break;  // end of image, or scan data before any frame
    at += 2 + length;
  }
  return Fail(Truncated(ImageFormat::kJpeg));
}

Result<ImageHeader> Tiff(std::string_view b) {
  const bool little = b[0] == 'I';
  auto u16 = [&](std::size_t at) { return little ? Le16(b, at) : Be16(b, at); };
  auto u32 = [&](std::size_t at) { return little ? Le32(b, at) : Be32(b, at); };
  const std::uint64_t ifd = u32(4);
  if (ifd + 2 > b.size()) return Fail(Truncated(ImageFormat::kTiff));
  const std::uint32_t entries = u16(ifd);
  ImageHeader h{ImageFormat::kTiff, 0, 0};
  for (std::uint32_t i = 0; i < entries; ++i) {
    const std::uint64_t e = ifd + 2 + 12ull * i;
    if (e + 12 > b.size()) return Fail(Truncated(ImageFormat::kTiff));
    const std::uint32_t tag = u16(e), type = u16(e + 2);
    const std::uint32_t value = type == 3 ? u16(e + 8) : u32(e + 8);  // SHORT or LONG
    if (tag == 256) h.width = value;
    if (tag == 257) h.height = value;
  }
  return h;
}

Result<ImageHeader> Webp(std::string_view b) {
  if (b.size() < 30) return Fail(Truncated(ImageFormat::kWebp));
  const std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8 ") {
    return ImageHeader{ImageFormat::kWebp, Le16(b, 26) & 0x3FFF, Le16(b, 28) & 0x3FFF};
  }
  if (chunk == "VP8L") {
    const std::uint32_t bits = Le32(b, 21);
    return ImageHeader{ImageFormat::kWebp, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
  }
  if (chunk == "VP8X") {
    return ImageHeader{ImageFormat::kWebp, Le24(b, 24) + 1, Le24(b, 27) + 1};
  }
  return Fail(ErrorCode::kInvalidParams, "corrupt WebP: unknown first chunk");
}

Result<ImageHeader> Bmp(std::string_view b) {
  if (b.size() < 26) return Fail(Truncated(ImageFormat::kBmp));
  if (Le32(b, 14) == 12) return ImageHeader{ImageFormat::kBmp, Le16(b, 18), Le16(b, 20)};
  // Height is negative for rows stored top down.
  const auto height = static_cast<std::int32_t>(Le32(b, 22));
  return ImageHeader{ImageFormat::kBmp, Le32(b, 18),
                     static_cast<std::uint32_t>(std::abs(static_cast<std::int64_t>(height)))};
}

}  // namespace

std::string_view ToString(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng: return "png";
    case ImageFormat::kJpeg: return "jpeg";
    case ImageFormat::kTiff: return "tiff";
    case ImageFormat::kWebp: return "webp";
    case ImageFormat::kGif: return "gif";
    case ImageFormat::kBmp: return "bmp";
  }
  return "image";
}

std::string_view MimeType(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng: return "image/png";
    case ImageFormat::kJpeg: return "image/jpeg";
    case ImageFormat::kTiff: return "image/tiff";
    case ImageFormat::kWebp: return "image/webp";
    case ImageFormat::kGif: return "image/gif";
    case ImageFormat::kBmp: return "image/bmp";
  }
  return "application/octet-stream";
}

Result<ImageHeader> ReadImageHeader(std::string_view b) {
  Result<ImageHeader> h = Fail(ErrorCode::kInvalidParams,
                               "not an image Ferry reads (PNG, JPEG, TIFF, WebP, GIF, BMP)");
  if (b.substr(0, 8) == "\x89PNG\r\n\x1a\n") {
    h = Png(b);
  } else if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") {
    h = Jpeg(b);
  } else if (b.size() >= 8 && (b.substr(0, 4) == std::string_view("II*\0", 4) ||
                               b.substr(0, 4) == std::string_view("MM\0*", 4))) {
    h = Tiff(b);
  } else if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") {
    h = Webp(b);
  } else if (b.substr(0, 6) == "GIF87a" || b.substr(0, 6) == "GIF89a") {
    if (b.size() < 10) return Fail(Truncated(ImageFormat::kGif));
    h = ImageHeader{ImageFormat::kGif, Le16(b, 6), Le16(b, 8)};
  } else if (b.substr(0, 2) == "BM") {
    h = Bmp(b);
  }
  if (h && (h->width == 0 || h->height == 0)) {
    return Fail(ErrorCode::kInvalidParams,
                std::string(ToString(h->format)) + " image declares zero width or height");
  }
  return h;
}

}  // namespace ferry::image
