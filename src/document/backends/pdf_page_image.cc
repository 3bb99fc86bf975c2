#include "document/backends/pdf_page_image.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>
#include <poppler/cpp/poppler-rectangle.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <vector>

#include "document/backends/pdf_open.h"
#include "image/png.h"

namespace ferry::document {
namespace {

// ARGB32 rows (native-endian 0xAARRGGBB words, rows padded to bytes_per_row) on opaque paper to
// packed RGB, cut to at most `max_w` x `max_h` (poppler may round a side up by a pixel).
image::Image ToRgb(const poppler::image& img, int max_w, int max_h) {
  image::Image out;
  out.width = std::min(img.width(), max_w);
  out.height = std::min(img.height(), max_h);
  out.channels = 3;
  out.pixels.resize(out.RowBytes() * static_cast<std::size_t>(out.height));
  const char* data = img.const_data();
  const auto stride = static_cast<std::size_t>(img.bytes_per_row());
  std::uint8_t* q = out.pixels.data();
  for (int y = 0; y < out.height; ++y) {
    const char* row = data + static_cast<std::size_t>(y) * stride;
    for (int x = 0; x < out.width; ++x) {
      std::uint32_t p;
      std::memcpy(&p, row + static_cast<std::size_t>(x) * 4, 4);
      *q++ = static_cast<std::uint8_t>(p >> 16);
      *q++ = static_cast<std::uint8_t>(p >> 8);
      *q++ = static_cast<std::uint8_t>(p);
    }
  }
  return out;
}

}  // namespace

Result<PageImage> RenderPdfPage(std::string_view bytes, const PageImageOptions& options) {
  const std::string& name = options.name;

  if (options.max_dimension < kMinPageImageDimension ||
      options.max_dimension > kMaxPageImageDimension) {
    return Fail(ErrorCode::kInvalidParams,
                "max_dimension must be between " + std::to_string(kMinPageImageDimension) +
                    " and " + std::to_string(kMaxPageImageDimension) + " pixels");
  }
  auto opened = pdf::OpenPdf(bytes, options.password, options.max_pages, name);
  if (!opened) return Fail(opened.error());
  poppler::document* pdf = opened->document.get();
  const int pages = opened->pages;
  if (options.page < 1 || options.page > pages) {
    return Fail(ErrorCode::kInvalidParams,
                name + ": page " + std::to_string(options.page) + " does not exist: the PDF has " +
                    std::to_string(pages) + (pages == 1 ? " page" : " pages") + " (1.." +
                    std::to_string(pages) + ")");
  }
  std::unique_ptr<poppler::page> page(pdf->create_page(options.page - 1));
  if (!page) {
    return Fail(ErrorCode::kInvalidParams,
                name + ": page " + std::to_string(options.page) + " cannot be read (corrupt PDF)");
  }
  // The crop box (what viewers show), in points; the renderer applies the page's rotation,
  // which swaps the sides but keeps the longest one.
  const poppler::rectf box = page->page_rect(poppler::crop_box);
  const double longest = std::max(box.width(), box.height());
  const double shortest = std::min(box.width(), box.height());
  if (!std::isfinite(longest) || longest <= 0 || !(shortest > 0)) {
    return Fail(ErrorCode::kInvalidParams,
                name + ": page " + std::to_string(options.page) + " has no area to render");
  }
  const double dpi = options.max_dimension * 72.0 / longest;

  if (!poppler::page_renderer::can_render()) {
    return Fail(ErrorCode::kUnsupported, "this poppler build cannot render pages");
  }
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_paper_color(0xFFFFFFFFu);  // opaque white: every pixel's alpha is 255
  renderer.set_image_format(poppler::image::format_argb32);
  const poppler::image img = renderer.render_page(page.get(), dpi, dpi);
  if (!img.is_valid() || img.width() <= 0 || img.height() <= 0 ||
      img.format() != poppler::image::format_argb32) {
    return Fail(ErrorCode::kInvalidParams,
                name + ": page " + std::to_string(options.page) + " could not be rendered");
  }
  const image::Image rgb = ToRgb(img, options.max_dimension, options.max_dimension);
  auto png = image::EncodePng(rgb);
  if (!png) return Fail(png.error());
  PageImage out;
  out.png = std::move(*png);
  out.width = rgb.width;
  out.height = rgb.height;
  out.page = options.page;
  out.pages = pages;
  return out;
}

}  // namespace ferry::document
