// Rasterize: the vectorizer's shapes back to pixels, so quality can be measured (SSIM against the
// input) without writing, parsing and rendering SVG. Coverage is exact area anti-aliasing — each
// edge deposits, per pixel, the signed area it covers (the accumulation method of font
// rasterizers) — with the nonzero rule over a shape's contours, as librsvg and cairo paint it;
// the tests check it against rsvg-convert. Cubics are flattened to within 0.1 px.
//
// Cost: O(segments + summed bounding-box area of the shapes); one float buffer the size of the
// largest shape's box, reused. No per-pixel allocation.
//
// Thread-safety: a pure function; run any number concurrently.
#pragma once

#include <array>
#include <cstdint>

#include "image/image.h"
#include "image/vectorize/vector_image.h"

namespace ferry::image::vectorize {

// `image` painted at its width x height as RGB (3 channels): `background` first, then each shape
// in order, opaque in its colour. Contours with non-finite points, or fewer than 3 points, are
// skipped; anything outside the canvas is clipped.
Image Rasterize(const VectorImage& image, std::array<std::uint8_t, 3> background);

}  // namespace ferry::image::vectorize
