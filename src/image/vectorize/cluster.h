// Clustering: the vectorizer's first half. It splits an RGBA image into layers — sets of pixels,
// each painted in one colour — that tracing (trace.h) turns into SVG paths.
//
// Colour mode follows VTracer's hierarchy (docs/design/vectorizer-research.md §1.3–1.5):
//  1. Stage 1, one raster pass: neighbouring pixels join one region when their colours agree
//     after dropping 8 − color_precision low bits (±1 per channel) and the pixel is within
//     max(layer_difference, 2^(8 − color_precision)) per channel of the region's first pixel;
//     layer_difference 0 also joins diagonal neighbours.
//  2. Stage 2, smallest region first: each region merges into its most similar neighbour (L1
//     distance of mean colours). It stays a layer of its own ("deepened") when it is larger than
//     filter_speckle², smaller than the image, not a thread (boundary edges < 2 x area) and more than
//     layer_difference away from that neighbour. The last region left is the background.
//  Stacked: layers overlap, each holding the pixels of everything merged into it, and are painted
//  largest first. Cutout: the stacked result is flattened and clustered again into disjoint
//  regions. Binary mode: the 4-connected dark pieces (luma < 128 over white) of at least
//  filter_speckle² pixels, in black.
//
// Unlike VTracer, the cost is O(N log N) in pixels whatever the image (a heap orders the regions
// and a merged adjacency list replaces pixel rescans), and pixels with alpha < 128 are always left
// transparent (VTracer keys them out only when its sampled rows are at least 40% transparent). The
// "thread" test counts boundary edges (two per boundary pixel) rather than boundary pixels. The
// drift limit of stage 1 is Ferry's: without it (VTracer) a smooth gradient chains into one flat
// region; with it the gradient becomes bands, which raises SSIM on shaded images.
//
// Thread-safety: pure functions; concurrent calls on different inputs are safe.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ferry/result.h"
#include "image/image.h"
#include "image/vectorize/control.h"
#include "image/vectorize/params.h"

namespace ferry::image::vectorize {

// Pixels [x0, x1) x [y0, y1).
struct Box {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int Width() const { return x1 - x0; }
  int Height() const { return y1 - y0; }
};

struct Layer {
  std::array<std::uint8_t, 3> color{};
  Box box;                   // the bounding box of its pixels
  std::uint32_t begin = 0;   // its pixels are Clustering::pixels[begin, end)
  std::uint32_t end = 0;
};

struct Clustering {
  std::vector<std::uint32_t> pixels;  // pixel indices y * width + x, grouped by layer
  std::vector<Layer> layers;          // in painting order: the background first
  std::uint32_t regions = 0;          // stage-1 regions (a measure of the image's complexity)
};

// Layers of `rgba` (4 channels) for params.color_mode and params.hierarchical, or kTimeout /
// kCancelled from `control`.
Result<Clustering> ClusterImage(const Image& rgba, const VectorizeParams& params,
                                const Control& control = {});

}  // namespace ferry::image::vectorize
