#include "image/vectorize/vectorize.h"

#include <chrono>

#include "image/ssim.h"
#include "image/vectorize/cluster.h"
#include "image/vectorize/rasterize.h"
#include "image/vectorize/trace.h"

namespace ferry::image::vectorize {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TraceOptions TraceOptionsOf(const VectorizeParams& p) {
  TraceOptions t;
  t.mode = p.mode;
  t.corner_threshold = p.corner_threshold;
  t.length_threshold = p.length_threshold;
  t.max_iterations = p.max_iterations;
  t.splice_threshold = p.splice_threshold;
  return t;
}

// Sets `mask` to the layer's pixels inside its box, reusing the mask's storage.
void LayerMask(const Clustering& c, const Layer& layer, int image_width, Bitmap& mask) {
  mask.width = layer.box.Width();
  mask.height = layer.box.Height();
  mask.bits.assign(static_cast<std::size_t>(mask.width) * static_cast<std::size_t>(mask.height), 0);
  const auto w = static_cast<std::uint32_t>(image_width);
  for (std::uint32_t k = layer.begin; k < layer.end; ++k) {
    const std::uint32_t p = c.pixels[k];
    const std::uint32_t x = p % w - static_cast<std::uint32_t>(layer.box.x0);
    const std::uint32_t y = p / w - static_cast<std::uint32_t>(layer.box.y0);
    mask.bits[std::size_t{y} * static_cast<std::size_t>(mask.width) + x] = 1;
  }
}

}  // namespace

Result<Vectorized> Vectorize(const Image& image, const VectorizeParams& params,
                             const Control& control) {
  if (auto ok = Validate(params); !ok) return Fail(ok.error());
  if (!image.Valid()) return Fail(ErrorCode::kInvalidParams, "invalid image");
  const auto start = std::chrono::steady_clock::now();
  auto clusters = ClusterImage(image.channels == 4 ? image : ToRgba(image), params, control);
  if (!clusters) return Fail(clusters.error());

  Vectorized out;
  out.stats.cluster_seconds = SecondsSince(start);
  out.stats.regions = clusters->regions;
  out.image.width = image.width;
  out.image.height = image.height;
  out.image.shapes.reserve(clusters->layers.size());
  const auto trace_start = std::chrono::steady_clock::now();
  const TraceOptions options = TraceOptionsOf(params);
  Tracer tracer;
  Bitmap mask;
  std::size_t traced = 0;
  for (const Layer& layer : clusters->layers) {
    if (++traced % 256 == 0)
      if (auto ok = control.Check(); !ok) return Fail(ok.error());
    LayerMask(*clusters, layer, image.width, mask);
    Shape shape;
    shape.color = layer.color;
    tracer.Trace(mask, Point{static_cast<double>(layer.box.x0), static_cast<double>(layer.box.y0)},
                 options, &shape.contours);
    if (!shape.contours.empty()) out.image.shapes.push_back(std::move(shape));
  }
  out.stats.trace_seconds = SecondsSince(trace_start);
  out.stats.paths = out.image.shapes.size();
  return out;
}

Result<double> MeasureSsim(const Image& input, const VectorImage& shapes,
                           std::array<std::uint8_t, 3> background) {
  const Image rendered = Rasterize(shapes, background);
  return Ssim(input, rendered, SsimOptions{background});
}

}  // namespace ferry::image::vectorize
