#include "image/vectorize/cluster.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace ferry::image::vectorize {
namespace {

using Rgb = std::array<std::uint8_t, 3>;

Image Canvas(int w, int h, Rgb colour, std::uint8_t alpha = 255) {
  Image img{w, h, 4, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 4)};
  for (std::size_t i = 0; i < img.pixels.size(); i += 4) {
    img.pixels[i] = colour[0];
    img.pixels[i + 1] = colour[1];
    img.pixels[i + 2] = colour[2];
    img.pixels[i + 3] = alpha;
  }
  return img;
}

void FillRect(Image& img, int x0, int y0, int x1, int y1, Rgb colour, std::uint8_t alpha = 255) {
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) {
      std::uint8_t* p = img.pixels.data() + (static_cast<std::size_t>(y) * img.width + x) * 4;
      p[0] = colour[0];
      p[1] = colour[1];
      p[2] = colour[2];
      p[3] = alpha;
    }
}

Clustering MustCluster(const Image& img, const VectorizeParams& params = {}) {
  auto c = ClusterImage(img, params);
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
  return c ? *c : Clustering{};
}

std::size_t Size(const Layer& l) { return l.end - l.begin; }

// Every layer's pixels lie in its box and in range; returns false with a message otherwise.
void ExpectConsistent(const Clustering& c, const Image& img) {
  for (const Layer& l : c.layers) {
    ASSERT_LE(l.begin, l.end);
    ASSERT_LE(l.end, c.pixels.size());
    for (std::uint32_t k = l.begin; k < l.end; ++k) {
      const int x = static_cast<int>(c.pixels[k] % img.width);
      const int y = static_cast<int>(c.pixels[k] / img.width);
      ASSERT_TRUE(x >= l.box.x0 && x < l.box.x1 && y >= l.box.y0 && y < l.box.y1);
    }
  }
}

TEST(ClusterTest, FlatImageIsOneLayer) {
  const Image img = Canvas(40, 30, {10, 200, 30});
  const Clustering c = MustCluster(img);
  ASSERT_EQ(c.layers.size(), 1u);
  EXPECT_EQ(c.layers[0].color, (Rgb{10, 200, 30}));
  EXPECT_EQ(Size(c.layers[0]), 1200u);
  EXPECT_EQ(c.layers[0].box.Width(), 40);
  EXPECT_EQ(c.layers[0].box.Height(), 30);
}

TEST(ClusterTest, SquareOnBackgroundStacksOverIt) {
  Image img = Canvas(64, 64, {255, 255, 255});
  FillRect(img, 10, 20, 30, 40, {200, 0, 0});
  const Clustering c = MustCluster(img);
  ASSERT_EQ(c.layers.size(), 2u);
  ExpectConsistent(c, img);
  // The background first, holding every pixel (stacked), in its own colour only.
  EXPECT_EQ(Size(c.layers[0]), 64u * 64u);
  EXPECT_EQ(c.layers[0].color, (Rgb{255, 255, 255}));
  EXPECT_EQ(Size(c.layers[1]), 400u);
  EXPECT_EQ(c.layers[1].color, (Rgb{200, 0, 0}));
  EXPECT_EQ(c.layers[1].box.x0, 10);
  EXPECT_EQ(c.layers[1].box.y0, 20);
  EXPECT_EQ(c.layers[1].box.x1, 30);
  EXPECT_EQ(c.layers[1].box.y1, 40);
}

TEST(ClusterTest, SpecklesUpToFilterSpeckleSquaredMerge) {
  Image img = Canvas(32, 32, {255, 255, 255});
  FillRect(img, 10, 10, 15, 15, {0, 0, 0});  // 25 pixels
  VectorizeParams params;
  params.filter_speckle = 4;  // 25 > 16: a layer
  EXPECT_EQ(MustCluster(img, params).layers.size(), 2u);
  params.filter_speckle = 5;  // 25 is not > 25: merged into the background
  const Clustering merged = MustCluster(img, params);
  ASSERT_EQ(merged.layers.size(), 1u);
  // The background's colour now includes the speck: (1024 - 25) * 255 / 1024, floored.
  EXPECT_EQ(merged.layers[0].color[0], (1024 - 25) * 255 / 1024);
}

TEST(ClusterTest, ThinLinesDoNotBecomeLayers) {
  Image img = Canvas(64, 64, {255, 255, 255});
  FillRect(img, 4, 30, 60, 31, {0, 0, 0});  // 1 pixel thick: boundary edges >= 2 x area
  EXPECT_EQ(MustCluster(img).layers.size(), 1u);
  FillRect(img, 4, 30, 60, 32, {0, 0, 0});  // 2 pixels thick
  EXPECT_EQ(MustCluster(img).layers.size(), 2u);
}

TEST(ClusterTest, LayerDifferenceDecidesWhatStaysApart) {
  Image img = Canvas(64, 64, {100, 100, 100});
  FillRect(img, 0, 0, 32, 64, {100, 100, 130});  // L1 distance 30
  VectorizeParams params;
  params.layer_difference = 16;
  EXPECT_EQ(MustCluster(img, params).layers.size(), 2u);
  params.layer_difference = 30;  // not more than 30: one layer of the mean colour
  const Clustering c = MustCluster(img, params);
  ASSERT_EQ(c.layers.size(), 1u);
  EXPECT_EQ(c.layers[0].color, (Rgb{100, 100, 115}));
}

TEST(ClusterTest, ColorPrecisionJoinsNearColours) {
  Image img = Canvas(64, 64, {100, 100, 100});
  FillRect(img, 0, 0, 32, 64, {104, 100, 100});
  VectorizeParams params;
  params.layer_difference = 0;
  params.color_precision = 8;  // exact: two regions, 4 apart (> 0): two layers
  EXPECT_EQ(MustCluster(img, params).layers.size(), 2u);
  params.color_precision = 4;  // 100 >> 4 == 104 >> 4: one region from stage 1
  EXPECT_EQ(MustCluster(img, params).layers.size(), 1u);
}

TEST(ClusterTest, TransparentPixelsBelongToNoLayer) {
  Image img = Canvas(50, 50, {0, 0, 0}, 0);
  FillRect(img, 5, 5, 25, 25, {0, 0, 255});
  FillRect(img, 30, 30, 45, 45, {0, 255, 0}, 100);  // mostly transparent: dropped too
  const Clustering c = MustCluster(img);
  ASSERT_EQ(c.layers.size(), 1u);
  EXPECT_EQ(Size(c.layers[0]), 400u);
  EXPECT_EQ(c.layers[0].color, (Rgb{0, 0, 255}));
}

TEST(ClusterTest, IslandsInTransparencyAreEachALayer) {
  Image img = Canvas(50, 50, {0, 0, 0}, 0);
  FillRect(img, 5, 5, 15, 15, {255, 0, 0});
  FillRect(img, 30, 30, 40, 40, {255, 0, 0});
  EXPECT_EQ(MustCluster(img).layers.size(), 2u);
}

TEST(ClusterTest, CutoutLayersDoNotOverlap) {
  Image img = Canvas(80, 80, {255, 255, 255});
  FillRect(img, 10, 10, 70, 70, {0, 0, 200});
  FillRect(img, 30, 30, 50, 50, {250, 200, 0});
  VectorizeParams params;
  params.hierarchical = Hierarchy::kCutout;
  const Clustering c = MustCluster(img, params);
  ASSERT_EQ(c.layers.size(), 3u);
  ExpectConsistent(c, img);
  std::size_t total = 0;
  std::set<std::uint32_t> seen;
  for (const Layer& l : c.layers) {
    total += Size(l);
    for (std::uint32_t k = l.begin; k < l.end; ++k) seen.insert(c.pixels[k]);
  }
  EXPECT_EQ(total, 6400u);
  EXPECT_EQ(seen.size(), 6400u);
  // The ring keeps its own pixels only: 60² - 20².
  std::set<std::size_t> sizes;
  for (const Layer& l : c.layers) sizes.insert(Size(l));
  EXPECT_EQ(sizes, (std::set<std::size_t>{400, 3200, 6400 - 3600}));
}

TEST(ClusterTest, BinaryModeKeepsDarkPiecesOfAtLeastFilterSpeckleSquared) {
  Image img = Canvas(60, 60, {255, 255, 255});
  FillRect(img, 5, 5, 25, 25, {0, 0, 0});
  FillRect(img, 40, 40, 44, 44, {30, 30, 30});  // 16 pixels: kept at filter_speckle 4
  FillRect(img, 50, 5, 53, 8, {0, 0, 0});       // 9 pixels: dropped
  FillRect(img, 5, 40, 20, 55, {200, 200, 200}); // light: background
  VectorizeParams params;
  params.color_mode = ColorMode::kBinary;
  const Clustering c = MustCluster(img, params);
  ASSERT_EQ(c.layers.size(), 2u);
  for (const Layer& l : c.layers) EXPECT_EQ(l.color, (Rgb{0, 0, 0}));
  std::set<std::size_t> sizes{Size(c.layers[0]), Size(c.layers[1])};
  EXPECT_EQ(sizes, (std::set<std::size_t>{400, 16}));
}

TEST(ClusterTest, NoiseClustersConsistentlyAndTheBackgroundHoldsEverything) {
  std::mt19937 rng(7);
  Image img = Canvas(300, 200, {0, 0, 0});
  for (std::size_t i = 0; i < img.pixels.size(); i += 4)
    for (int c = 0; c < 3; ++c) img.pixels[i + c] = static_cast<std::uint8_t>(rng());
  for (int hierarchy = 0; hierarchy < 2; ++hierarchy) {
    VectorizeParams params;
    params.hierarchical = hierarchy ? Hierarchy::kCutout : Hierarchy::kStacked;
    const Clustering c = MustCluster(img, params);
    ASSERT_FALSE(c.layers.empty());
    ExpectConsistent(c, img);
    EXPECT_GT(c.regions, 1000u);
    if (hierarchy == 0) {
      EXPECT_EQ(Size(c.layers[0]), 60000u);
    }
  }
}

TEST(ClusterTest, GradientsBecomeBandsAsWideAsTheDrift) {
  // A red ramp 0..248 in bands 8 levels apart. At 3 bits neighbours always agree, but a region
  // may drift only max(layer_difference, 32) = 32 levels from its first pixel: a few bands.
  Image img = Canvas(256, 16, {0, 0, 0});
  for (int x = 0; x < 256; x += 8)
    FillRect(img, x, 0, x + 8, 16, {static_cast<std::uint8_t>(x), 0, 0});
  VectorizeParams params;
  params.color_precision = 3;
  const std::size_t coarse = MustCluster(img, params).layers.size();
  EXPECT_GE(coarse, 3u);
  EXPECT_LE(coarse, 9u);
  // At 8 bits every band is a layer of its own.
  params.color_precision = 8;
  params.layer_difference = 4;
  EXPECT_GT(MustCluster(img, params).layers.size(), 10u);
  // A ramp that stays within the drift chains into one region.
  Image gentle = Canvas(256, 16, {0, 0, 0});
  for (int x = 0; x < 256; x += 16)
    FillRect(gentle, x, 0, x + 16, 16, {static_cast<std::uint8_t>(100 + x / 16), 0, 0});
  EXPECT_EQ(MustCluster(gentle, VectorizeParams{}).layers.size(), 1u);
}

TEST(ClusterTest, StopsAtTheDeadline) {
  const Image img = Canvas(300, 300, {1, 2, 3});
  Control control;
  control.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto c = ClusterImage(img, {}, control);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ErrorCode::kTimeout);
  control = {};
  control.cancelled = [] { return true; };
  c = ClusterImage(img, {}, control);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ErrorCode::kCancelled);
}

TEST(ClusterTest, RefusesNonRgbaInput) {
  const Image gray{4, 4, 1, std::vector<std::uint8_t>(16)};
  EXPECT_FALSE(ClusterImage(gray, {}).has_value());
}

}  // namespace
}  // namespace ferry::image::vectorize
