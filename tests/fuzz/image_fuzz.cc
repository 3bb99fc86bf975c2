// Fuzz target for the image readers that see untrusted bytes before anything else does:
// ReadImageHeader (src/image/image_header.h, which guards OCR against decompression bombs),
// DecodeImage (src/image/decode.h: PNG, JPEG, WebP) and DecodePng (src/image/png.h, libpng behind
// setjmp error handling). Beyond "no crash, no sanitizer
// report", it checks their promises: a decoded image is Valid(), within the pixel budget, and has
// the dimensions ReadImageHeader reads (when that accepts it); re-encoding it and decoding again
// gives the same pixels.
//
// With clang: cmake -DFERRY_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... builds `image_fuzz` for
// libFuzzer. In every developer build, `image_fuzz_corpus` replays corpus/image/*.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "image/decode.h"
#include "image/image_header.h"
#include "image/png.h"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

constexpr std::size_t kMaxPixels = 1 << 20;  // small, so the fuzzer meets the limit often

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto header = ferry::image::ReadImageHeader(bytes);
  if (header) Require(header->width > 0 && header->height > 0);

  // Every format through the one entry point: valid and within budget, or an error.
  if (const auto any = ferry::image::DecodeImage(bytes, {.max_pixels = kMaxPixels})) {
    Require(any->Valid() && header);
    Require(static_cast<std::size_t>(any->width) * static_cast<std::size_t>(any->height) <=
            kMaxPixels);
  }

  const auto image = ferry::image::DecodePng(bytes, kMaxPixels);
  if (!image) return 0;
  Require(image->Valid());
  Require(static_cast<std::size_t>(image->width) * static_cast<std::size_t>(image->height) <=
          kMaxPixels);
  // The header reader may refuse what libpng tolerates (chunks before IHDR): refusing is the
  // safe side of the guard. What it accepts must be what the decoder decodes.
  if (header) {
    Require(header->format == ferry::image::ImageFormat::kPng &&
            header->width == static_cast<std::uint32_t>(image->width) &&
            header->height == static_cast<std::uint32_t>(image->height));
  }
  const auto encoded = ferry::image::EncodePng(*image);
  Require(encoded.has_value());
  const auto again = ferry::image::DecodePng(*encoded, kMaxPixels);
  Require(again && again->pixels == image->pixels && again->channels == image->channels);
  return 0;
}
