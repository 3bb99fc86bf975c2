#include "image/ssim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace ferry::image {
namespace {

Image Filled(int w, int h, int channels, std::uint8_t value) {
  return Image{w, h, channels,
               std::vector<std::uint8_t>(static_cast<std::size_t>(w * h * channels), value)};
}

Image Random(int w, int h, int channels, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Image img = Filled(w, h, channels, 0);
  for (auto& p : img.pixels) p = static_cast<std::uint8_t>(rng() & 255);
  return img;
}

// The paper's definition computed the slow way: for every 11x11 window inside the image, the
// Gaussian-weighted means, variances and covariance straight from the pixels (gray images).
double ReferenceSsim(const Image& a, const Image& b) {
  double g[11][11], total = 0;
  for (int i = 0; i < 11; ++i) {
    for (int j = 0; j < 11; ++j) {
      g[i][j] = std::exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
      total += g[i][j];
    }
  }
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  double sum = 0;
  int count = 0;
  for (int y = 0; y + 11 <= a.height; ++y) {
    for (int x = 0; x + 11 <= a.width; ++x) {
      double mx = 0, my = 0;
      for (int i = 0; i < 11; ++i) {
        for (int j = 0; j < 11; ++j) {
          mx += g[i][j] / total * a.At(x + j, y + i)[0];
          my += g[i][j] / total * b.At(x + j, y + i)[0];
        }
      }
      double vx = 0, vy = 0, cxy = 0;
      for (int i = 0; i < 11; ++i) {
        for (int j = 0; j < 11; ++j) {
          const double u = a.At(x + j, y + i)[0] - mx, v = b.At(x + j, y + i)[0] - my;
          vx += g[i][j] / total * u * u;
          vy += g[i][j] / total * v * v;
          cxy += g[i][j] / total * u * v;
        }
      }
      sum += ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      ++count;
    }
  }
  return sum / count;
}

TEST(SsimTest, MatchesThePapersDefinitionComputedDirectly) {
  const Image a = Random(29, 17, 1, 1);
  Image b = a;
  std::mt19937 rng(2);
  for (auto& p : b.pixels) p = static_cast<std::uint8_t>(std::clamp<int>(p + int(rng() % 61) - 30, 0, 255));
  auto fast = Ssim(a, b);
  ASSERT_TRUE(fast) << fast.error().message;
  const double slow = ReferenceSsim(a, b);
  EXPECT_NEAR(*fast, slow, 1e-9);
  EXPECT_LT(*fast, 0.99);  // the noise is visible
  auto reversed = Ssim(b, a);
  ASSERT_TRUE(reversed);
  EXPECT_NEAR(*reversed, *fast, 1e-12);  // symmetric
  EXPECT_NEAR(ReferenceSsim(a, Random(29, 17, 1, 3)), *Ssim(a, Random(29, 17, 1, 3)), 1e-9);
}

TEST(SsimTest, IdenticalImagesScoreOne) {
  const Image a = Random(40, 30, 3, 7);
  EXPECT_NEAR(*Ssim(a, a), 1.0, 1e-12);
}

TEST(SsimTest, ConstantImagesFollowTheLuminanceTerm) {
  // No variance anywhere: SSIM is (2ab + C1) / (a^2 + b^2 + C1).
  const double a = 100, b = 140, c1 = std::pow(0.01 * 255, 2);
  EXPECT_NEAR(*Ssim(Filled(16, 16, 1, 100), Filled(16, 16, 1, 140)),
              (2 * a * b + c1) / (a * a + b * b + c1), 1e-12);
}

TEST(SsimTest, TransparencyIsCompositedOnTheSameBackground) {
  // Fully transparent pixels of any colour equal the background.
  Image clear = Random(20, 20, 4, 9);
  for (std::size_t i = 3; i < clear.pixels.size(); i += 4) clear.pixels[i] = 0;
  EXPECT_NEAR(*Ssim(clear, Filled(20, 20, 3, 255)), 1.0, 1e-12);
  EXPECT_NEAR(*Ssim(clear, Filled(20, 20, 1, 0), {.background = {0, 0, 0}}), 1.0, 1e-12);
  EXPECT_LT(*Ssim(clear, Filled(20, 20, 1, 0)), 0.5);
  // Half-transparent black over white is mid gray.
  Image half = Filled(20, 20, 4, 0);
  for (std::size_t i = 3; i < half.pixels.size(); i += 4) half.pixels[i] = 128;
  const double gray = 255 * (1 - 128 / 255.0);
  const double c1 = std::pow(0.01 * 255, 2);
  EXPECT_NEAR(*Ssim(half, Filled(20, 20, 1, 128)),
              (2 * gray * 128 + c1) / (gray * gray + 128.0 * 128 + c1), 1e-9);
}

TEST(SsimTest, RefusesWhatItCannotCompare) {
  EXPECT_FALSE(Ssim(Filled(20, 20, 1, 0), Filled(21, 20, 1, 0)));
  EXPECT_FALSE(Ssim(Filled(10, 10, 1, 0), Filled(10, 10, 1, 0)));  // smaller than the window
  Image broken = Filled(20, 20, 3, 0);
  broken.pixels.pop_back();
  EXPECT_FALSE(Ssim(broken, Filled(20, 20, 3, 0)));
}

}  // namespace
}  // namespace ferry::image
