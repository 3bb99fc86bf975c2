// Rasterize on a 1000 x 1000 picture of 2,000 overlapping cubic blobs: what measuring SSIM
// costs on top of vectorizing.
#include <benchmark/benchmark.h>

#include <random>

#include "image/vectorize/rasterize.h"

namespace ferry::image::vectorize {
namespace {

VectorImage Blobs() {
  VectorImage v{1000, 1000, {}};
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> pos(0, 1000), radius(3, 60);
  for (int i = 0; i < 2000; ++i) {
    const double cx = pos(rng), cy = pos(rng), r = radius(rng), k = 0.55 * r;
    Contour c{{{cx + r, cy}, {cx + r, cy + k}, {cx + k, cy + r}, {cx, cy + r},
               {cx - k, cy + r}, {cx - r, cy + k}, {cx - r, cy}, {cx - r, cy - k},
               {cx - k, cy - r}, {cx, cy - r}, {cx + k, cy - r}, {cx + r, cy - k}, {cx + r, cy}},
              true};
    v.shapes.push_back(Shape{{static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()),
                              static_cast<std::uint8_t>(rng())},
                             {c}});
  }
  return v;
}

void BM_Rasterize1MpBlobs(benchmark::State& state) {
  const VectorImage v = Blobs();
  for (auto _ : state) benchmark::DoNotOptimize(Rasterize(v, {255, 255, 255}));
  state.SetItemsProcessed(state.iterations() * 1000 * 1000);
}
BENCHMARK(BM_Rasterize1MpBlobs)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ferry::image::vectorize
