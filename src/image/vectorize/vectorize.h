// Vectorize: a raster image to filled vector shapes, VTracer's pipeline — clustering
// (cluster.h) then tracing each layer's outline (trace.h) — and the quality measure, SSIM between
// the input and the shapes rendered back (rasterize.h). Write the result with WriteSvg
// (svg_writer.h) at params.path_precision.
//
// Cost: O(N log N) in pixels for clustering plus the summed bounding-box area of the layers for
// tracing; memory a few bytes per pixel plus the shapes. No per-pixel heap allocation.
//
// Thread-safety: pure functions; run any number concurrently on different inputs.
#pragma once

#include <array>
#include <cstdint>

#include "ferry/result.h"
#include "image/image.h"
#include "image/vectorize/control.h"
#include "image/vectorize/params.h"
#include "image/vectorize/vector_image.h"

namespace ferry::image::vectorize {

struct VectorizeStats {
  double cluster_seconds = 0;
  double trace_seconds = 0;
  std::uint32_t regions = 0;  // stage-1 regions found
  std::size_t paths = 0;      // shapes, i.e. <path> elements
};

struct Vectorized {
  VectorImage image;
  VectorizeStats stats;
};

// `image` (1, 3 or 4 channels) as shapes, or the failure (kTimeout / kCancelled from `control`,
// kInvalidParams for parameters out of range or an invalid image).
Result<Vectorized> Vectorize(const Image& image, const VectorizeParams& params,
                             const Control& control = {});

// SSIM between `input` and `shapes` rendered at its size, both over `background`.
Result<double> MeasureSsim(const Image& input, const VectorImage& shapes,
                           std::array<std::uint8_t, 3> background = {255, 255, 255});

}  // namespace ferry::image::vectorize
