#include "image/vectorize/optimize.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ferry::image::vectorize {
namespace {

// Soft concentric rings: smooth shading that coarse parameters render poorly.
Image Rings(int size) {
  Image img{size, size, 3, std::vector<std::uint8_t>(static_cast<std::size_t>(size) * size * 3)};
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const double d = std::hypot(x - size / 2.0, y - size / 2.0);
      std::uint8_t* p = img.pixels.data() + (static_cast<std::size_t>(y) * size + x) * 3;
      p[0] = static_cast<std::uint8_t>(127 + 120 * std::sin(d / 6));
      p[1] = static_cast<std::uint8_t>(x * 255 / size);
      p[2] = 90;
    }
  return img;
}

TEST(OptimizeTest, StartsFromTheClassPresetAndRecordsEveryTrial) {
  OptimizeOptions options;
  options.target_ssim = 0.99;  // out of reach: it keeps adding detail while SSIM improves
  options.budget = std::chrono::seconds(30);
  options.max_trials = 6;
  auto o = Optimize(Rings(160), options);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->start_preset, StartPreset(o->classification.image_class));
  ASSERT_GE(o->trials.size(), 2u);
  EXPECT_LE(o->trials.size(), 6u);
  EXPECT_EQ(o->trials[0].params, *Preset(o->start_preset));
  // The best is the highest SSIM when the target is missed.
  for (const Trial& t : o->trials) EXPECT_LE(t.ssim, o->trials[o->best_trial].ssim);
  EXPECT_EQ(o->svg.size(), o->trials[o->best_trial].svg_bytes);
  EXPECT_GT(o->trials[o->best_trial].ssim, o->trials[0].ssim);
}

TEST(OptimizeTest, OnceTheTargetIsMetItLooksForASmallerSvg) {
  OptimizeOptions options;
  options.target_ssim = 0.5;
  options.budget = std::chrono::seconds(30);
  auto o = Optimize(Rings(120), options);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_TRUE(o->target_met);
  for (const Trial& t : o->trials)
    if (t.ssim >= options.target_ssim) {
      EXPECT_GE(t.svg_bytes, o->trials[o->best_trial].svg_bytes);
    }
}

TEST(OptimizeTest, ATinyBudgetStillGivesTheFirstResult) {
  OptimizeOptions options;
  options.budget = std::chrono::milliseconds(1);
  auto o = Optimize(Rings(100), options);
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->trials.size(), 1u);
  EXPECT_FALSE(o->svg.empty());
}

}  // namespace
}  // namespace ferry::image::vectorize
