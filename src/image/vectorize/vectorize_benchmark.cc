// The vectorizer on one-megapixel images (the size the seed's preset targets are set for: speed
// under 0.5 s, balanced under 2 s, quality under 10 s, one core), per preset, on flat shapes and
// on a noisy gradient (where VTracer's own clustering grows as N^1.5: about 9 s here), against a
// ceiling that reads every pixel and its two neighbours once: the least any clustering can cost.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "image/vectorize/vectorize.h"

namespace ferry::image::vectorize {
namespace {

Image Shapes(int w, int h) {
  Image img{w, h, 3, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 3)};
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = img.pixels.data() + (static_cast<std::size_t>(y) * w + x) * 3;
      const bool disc = std::hypot(x - w / 3.0, y - h / 2.0) < h / 4.0;
      const bool band = (x + y) / 97 % 3 == 0;
      p[0] = disc ? 220 : band ? 30 : 250;
      p[1] = disc ? 40 : band ? 120 : 250;
      p[2] = disc ? 40 : band ? 200 : 245;
    }
  return img;
}

Image NoisyGradient(int w, int h) {
  Image img{w, h, 3, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 3)};
  std::mt19937 rng(1);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = img.pixels.data() + (static_cast<std::size_t>(y) * w + x) * 3;
      p[0] = static_cast<std::uint8_t>(std::clamp<int>(x * 255 / w + static_cast<int>(rng() % 40) - 20, 0, 255));
      p[1] = static_cast<std::uint8_t>(std::clamp<int>(y * 255 / h + static_cast<int>(rng() % 40) - 20, 0, 255));
      p[2] = 128;
    }
  return img;
}

const char* const kPresets[] = {"default", "speed", "balanced", "quality"};

void Run(benchmark::State& state, const Image& img) {
  const VectorizeParams params = *Preset(kPresets[state.range(0)]);
  state.SetLabel(kPresets[state.range(0)]);
  std::size_t paths = 0;
  for (auto _ : state) {
    auto v = Vectorize(img, params);
    paths = v ? v->stats.paths : 0;
    benchmark::DoNotOptimize(paths);
  }
  state.counters["paths"] = static_cast<double>(paths);
}

void BM_VectorizeShapes1Megapixel(benchmark::State& state) { Run(state, Shapes(1000, 1000)); }
BENCHMARK(BM_VectorizeShapes1Megapixel)->DenseRange(0, 3)->Unit(benchmark::kMillisecond);

void BM_VectorizeNoisyGradient1Megapixel(benchmark::State& state) {
  Run(state, NoisyGradient(1000, 1000));
}
BENCHMARK(BM_VectorizeNoisyGradient1Megapixel)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_NeighbourPassCeiling(benchmark::State& state) {
  const Image img = NoisyGradient(1000, 1000);
  for (auto _ : state) {
    std::uint64_t same = 0;
    const std::size_t row = img.RowBytes();
    for (std::size_t i = row; i < img.pixels.size(); i += 3)
      same += (img.pixels[i] == img.pixels[i - 3]) + (img.pixels[i] == img.pixels[i - row]);
    benchmark::DoNotOptimize(same);
  }
}
BENCHMARK(BM_NeighbourPassCeiling)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ferry::image::vectorize
