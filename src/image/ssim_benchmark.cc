// SSIM on a one-megapixel RGB pair (the size the vectorizer presets are specified at), against a
// ceiling that only reads both images once: what the eleven-tap separable filtering of five
// quantities costs over touching the pixels.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>

#include "image/ssim.h"

namespace ferry::image {
namespace {

Image RandomImage(int w, int h, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Image img{w, h, 3, std::vector<std::uint8_t>(static_cast<std::size_t>(w * h * 3))};
  for (auto& p : img.pixels) p = static_cast<std::uint8_t>(rng() & 255);
  return img;
}

void BM_Ssim1Megapixel(benchmark::State& state) {
  const Image a = RandomImage(1000, 1000, 1), b = RandomImage(1000, 1000, 2);
  for (auto _ : state) benchmark::DoNotOptimize(Ssim(a, b));
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(BM_Ssim1Megapixel)->Unit(benchmark::kMillisecond);

void BM_ReadBothImagesCeiling(benchmark::State& state) {
  const Image a = RandomImage(1000, 1000, 1), b = RandomImage(1000, 1000, 2);
  for (auto _ : state) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < a.pixels.size(); ++i) sum += a.pixels[i] ^ b.pixels[i];
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(BM_ReadBothImagesCeiling)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ferry::image
