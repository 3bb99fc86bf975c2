#include "image/png.h"

#include <png.h>

#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

namespace ferry::image {
namespace {

// libpng reports errors by calling OnError, which must not return: it longjmps back to the
// setjmp in EncodeRaw or DecodeRaw. Those two are written C-style: between setjmp and any
// longjmp only trivially destructible objects live in their frames and in the callbacks' frames
// (a longjmp skips destructors), and nothing allocated with C++ is owned there. std::string and
// std::vector growth happens in noexcept helpers that report failure instead of throwing, since
// an exception must not unwind through libpng's C frames.

constexpr std::size_t kMessageSize = 256;

struct ErrorSlot {
  char message[kMessageSize];
  bool from_libpng;  // libpng's own message (OnError), as opposed to one of ours
};

void SetMessage(ErrorSlot* slot, const char* text) {
  std::snprintf(slot->message, kMessageSize, "%s", text);
}

[[noreturn]] void OnError(png_structp png, png_const_charp message) {
  auto* slot = static_cast<ErrorSlot*>(png_get_error_ptr(png));
  std::snprintf(slot->message, kMessageSize, "%s", message ? message : "unknown libpng error");
  slot->from_libpng = true;
  png_longjmp(png, 1);
}

void OnWarning(png_structp, png_const_charp) {}

// ---- Encoding ----

bool Append(std::string* out, const png_byte* data, std::size_t size) noexcept {
  try {
    out->append(reinterpret_cast<const char*>(data), size);
    return true;
  } catch (...) {
    return false;
  }
}

void OnWrite(png_structp png, png_bytep data, std::size_t size) {
  if (!Append(static_cast<std::string*>(png_get_io_ptr(png)), data, size)) {
    png_error(png, "out of memory");
  }
}

void OnFlush(png_structp) {}

bool EncodeRaw(const std::uint8_t* pixels, png_uint_32 width, png_uint_32 height, int channels,
               int level, std::string* out, ErrorSlot* error) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, error, OnError, OnWarning);
  if (!png) {
    SetMessage(error, "cannot start libpng (out of memory or version mismatch)");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    SetMessage(error, "out of memory");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, OnWrite, OnFlush);
  const int color = channels == 1   ? PNG_COLOR_TYPE_GRAY
                    : channels == 3 ? PNG_COLOR_TYPE_RGB
                                    : PNG_COLOR_TYPE_RGB_ALPHA;
  png_set_IHDR(png, info, width, height, 8, color, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, level);
  png_write_info(png, info);
  const std::size_t row = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  for (png_uint_32 y = 0; y < height; ++y) png_write_row(png, pixels + y * row);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

// ---- Decoding ----

struct ReadSource {
  const png_byte* data;
  std::size_t size;
  std::size_t pos;
};

void OnRead(png_structp png, png_bytep out, std::size_t size) {
  auto* source = static_cast<ReadSource*>(png_get_io_ptr(png));
  if (size > source->size - source->pos) png_error(png, "unexpected end of data");
  std::memcpy(out, source->data + source->pos, size);
  source->pos += size;
}

bool Resize(std::vector<std::uint8_t>* pixels, std::size_t size) noexcept {
  try {
    pixels->resize(size);
    return true;
  } catch (...) {
    return false;
  }
}

// What DecodeRaw reads and fills in; trivially destructible.
struct DecodeJob {
  ReadSource source;
  std::size_t max_pixels;
  std::vector<std::uint8_t>* pixels;  // owned by the caller
  png_uint_32 width;
  png_uint_32 height;
  int channels;
  ErrorSlot error;
};

bool DecodeRaw(DecodeJob* job) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, &job->error, OnError, OnWarning);
  if (!png) {
    SetMessage(&job->error, "cannot start libpng (out of memory or version mismatch)");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    SetMessage(&job->error, "out of memory");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, &job->source, OnRead);
  png_read_info(png, info);

  const png_uint_32 width = png_get_image_width(png, info);
  const png_uint_32 height = png_get_image_height(png, info);
  const std::uint64_t count = std::uint64_t{width} * height;
  if (count > job->max_pixels || count > std::numeric_limits<std::size_t>::max() / 4) {
    std::snprintf(job->error.message, kMessageSize,
                  "PNG of %lux%lu pixels exceeds the limit of %zu pixels",
                  static_cast<unsigned long>(width), static_cast<unsigned long>(height),
                  job->max_pixels);
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }

  // Normalize to 8-bit gray, RGB or RGBA (see png.h).
  const int color = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  const bool trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  if (depth == 16) png_set_scale_16(png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (trns) png_set_tRNS_to_alpha(png);
  if (color == PNG_COLOR_TYPE_GRAY_ALPHA || (color == PNG_COLOR_TYPE_GRAY && trns)) {
    png_set_gray_to_rgb(png);
  }
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);

  const int channels = png_get_channels(png, info);
  const std::size_t row = png_get_rowbytes(png, info);
  if ((channels != 1 && channels != 3 && channels != 4) ||
      row != static_cast<std::size_t>(width) * static_cast<std::size_t>(channels)) {
    SetMessage(&job->error, "unsupported PNG layout");
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  if (!Resize(job->pixels, row * height)) {
    SetMessage(&job->error, "out of memory for the PNG's pixels");
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  // Interlaced images: each pass fills in more pixels of the same rows.
  for (int pass = 0; pass < passes; ++pass) {
    for (png_uint_32 y = 0; y < height; ++y) {
      png_read_row(png, job->pixels->data() + y * row, nullptr);
    }
  }
  // Through IEND: the last chunks' CRCs are checked and a cut file is refused.
  png_read_end(png, nullptr);
  job->width = width;
  job->height = height;
  job->channels = channels;
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

}  // namespace

Result<std::string> EncodePng(const Image& image, const PngEncodeOptions& options) {
  if (!image.Valid()) {
    return Fail(ErrorCode::kInvalidParams,
                "cannot encode PNG: the image's size, channels (1, 3 or 4) and pixel buffer "
                "do not agree");
  }
  if (image.width > 0x7fffffff || image.height > 0x7fffffff) {
    return Fail(ErrorCode::kInvalidParams, "cannot encode PNG: image too large");
  }
  std::string out;
  // Rough guess to save a few reallocations: rendered pages compress to about a tenth.
  out.reserve(image.pixels.size() / 8 + 1024);
  ErrorSlot error{};
  const int level = options.compression_level < 0   ? 0
                    : options.compression_level > 9 ? 9
                                                    : options.compression_level;
  if (!EncodeRaw(image.pixels.data(), static_cast<png_uint_32>(image.width),
                 static_cast<png_uint_32>(image.height), image.channels, level, &out, &error)) {
    return Fail(ErrorCode::kInvalidParams, std::string("cannot encode PNG: ") + error.message);
  }
  return out;
}

Result<Image> DecodePng(std::string_view bytes, std::size_t max_pixels) {
  if (!IsPng(bytes)) return Fail(ErrorCode::kInvalidParams, "not a PNG (no PNG signature)");
  Image image;
  DecodeJob job{};
  job.source = ReadSource{reinterpret_cast<const png_byte*>(bytes.data()), bytes.size(), 0};
  job.max_pixels = max_pixels;
  job.pixels = &image.pixels;
  if (!DecodeRaw(&job)) {
    image.pixels = {};
    return Fail(ErrorCode::kInvalidParams,
                job.error.from_libpng
                    ? std::string("corrupt or truncated PNG: ") + job.error.message
                    : std::string(job.error.message));
  }
  image.width = static_cast<int>(job.width);
  image.height = static_cast<int>(job.height);
  image.channels = job.channels;
  return image;
}

}  // namespace ferry::image
