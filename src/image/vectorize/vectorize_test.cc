#include "image/vectorize/vectorize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "image/vectorize/svg_writer.h"

namespace ferry::image::vectorize {
namespace {

// 8x8 blocks of well-separated colours: every block is a layer of its own colour.
Image Blocks(int w, int h, unsigned seed) {
  Image img{w, h, 3, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 3)};
  std::mt19937 rng(seed);
  constexpr std::uint8_t kLevels[] = {0, 60, 120, 180, 240};
  std::vector<std::array<std::uint8_t, 3>> colours;
  for (int by = 0; by < h; by += 8)
    for (int bx = 0; bx < w; bx += 8) {
      const std::array<std::uint8_t, 3> c{kLevels[rng() % 5], kLevels[rng() % 5], kLevels[rng() % 5]};
      for (int y = by; y < std::min(h, by + 8); ++y)
        for (int x = bx; x < std::min(w, bx + 8); ++x) {
          std::uint8_t* p = img.pixels.data() + (static_cast<std::size_t>(y) * w + x) * 3;
          p[0] = c[0], p[1] = c[1], p[2] = c[2];
        }
    }
  return img;
}

Image Disc(int size, int channels) {
  Image img{size, size, channels,
            std::vector<std::uint8_t>(static_cast<std::size_t>(size) * size * channels, 255)};
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      if (std::hypot(x + 0.5 - size / 2.0, y + 0.5 - size / 2.0) < size / 3.0)
        for (int c = 0; c < std::min(channels, 3); ++c)
          img.pixels[(static_cast<std::size_t>(y) * size + x) * channels + c] = c == 2 ? 200 : 30;
  return img;
}

TEST(VectorizeTest, PixelModeReproducesFlatBlocksExactly) {
  const Image img = Blocks(96, 64, 3);
  VectorizeParams params;
  params.mode = TraceMode::kPixel;
  params.filter_speckle = 0;
  auto v = Vectorize(img, params);
  ASSERT_TRUE(v) << v.error().message;
  auto ssim = MeasureSsim(img, v->image);
  ASSERT_TRUE(ssim);
  EXPECT_GT(*ssim, 0.9999);
}

TEST(VectorizeTest, EveryModeTracesADiscClosely) {
  for (TraceMode mode : {TraceMode::kPixel, TraceMode::kPolygon, TraceMode::kSpline}) {
    VectorizeParams params;
    params.mode = mode;
    const Image img = Disc(90, 3);
    auto v = Vectorize(img, params);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(v->stats.paths, 2u);
    auto ssim = MeasureSsim(img, v->image);
    ASSERT_TRUE(ssim);
    EXPECT_GT(*ssim, 0.93) << static_cast<int>(mode);
    const std::string svg = WriteSvg(v->image, params.path_precision);
    EXPECT_NE(svg.find(mode == TraceMode::kSpline ? " C" : " L"), std::string::npos);
  }
}

TEST(VectorizeTest, GrayAndRgbaInputsWork) {
  for (int channels : {1, 4}) {
    auto v = Vectorize(Disc(60, channels), {});
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_GE(v->stats.paths, 1u);
  }
}

TEST(VectorizeTest, BinaryModeTracesDarkShapesInBlack) {
  VectorizeParams params;
  params.color_mode = ColorMode::kBinary;
  auto v = Vectorize(Disc(80, 3), params);
  ASSERT_TRUE(v) << v.error().message;
  ASSERT_EQ(v->image.shapes.size(), 1u);
  EXPECT_EQ(v->image.shapes[0].color, (std::array<std::uint8_t, 3>{0, 0, 0}));
}

TEST(VectorizeTest, RefusesInvalidParametersAndImages) {
  VectorizeParams params;
  params.color_precision = 10;
  auto v = Vectorize(Disc(30, 3), params);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "color_precision: 10 is out of range [1, 8]");
  EXPECT_FALSE(Vectorize(Image{}, {}));
}

TEST(VectorizeTest, NoiseStaysWithinLimitsAndStopsAtTheDeadline) {
  Image img{200, 150, 3, std::vector<std::uint8_t>(200 * 150 * 3)};
  std::mt19937 rng(11);
  for (auto& b : img.pixels) b = static_cast<std::uint8_t>(rng());
  auto v = Vectorize(img, {});
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_GT(v->stats.paths, 0u);
  for (const Shape& s : v->image.shapes)
    for (const Contour& c : s.contours)
      for (const Point& p : c.points) {
        ASSERT_TRUE(std::isfinite(p.x) && std::isfinite(p.y));
      }
  Control past;
  past.deadline = std::chrono::steady_clock::now();
  auto late = Vectorize(img, {}, past);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kTimeout);
}

}  // namespace
}  // namespace ferry::image::vectorize
