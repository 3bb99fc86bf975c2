#include "image/vectorize/rasterize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>

#include "common/subprocess.h"
#include "image/png.h"
#include "image/ssim.h"
#include "image/vectorize/svg_writer.h"

namespace ferry::image::vectorize {
namespace {

constexpr std::array<std::uint8_t, 3> kWhite{255, 255, 255};
constexpr std::array<std::uint8_t, 3> kRed{255, 0, 0};
constexpr std::array<std::uint8_t, 3> kBlue{0, 0, 255};

Contour Polygon(std::vector<Point> points) { return Contour{std::move(points), false}; }

Contour Rect(double x0, double y0, double x1, double y1, bool clockwise = true) {
  if (clockwise) return Polygon({{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}});
  return Polygon({{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}});
}

// A circle as four cubics (the usual 0.5523 handle length), clockwise on screen.
Contour Circle(double cx, double cy, double r) {
  const double k = 0.5522847498 * r;
  return Contour{{{cx + r, cy},
                  {cx + r, cy + k}, {cx + k, cy + r}, {cx, cy + r},
                  {cx - k, cy + r}, {cx - r, cy + k}, {cx - r, cy},
                  {cx - r, cy - k}, {cx - k, cy - r}, {cx, cy - r},
                  {cx + k, cy - r}, {cx + r, cy - k}, {cx + r, cy}},
                 true};
}

const std::uint8_t* Px(const Image& img, int x, int y) { return img.At(x, y); }

TEST(RasterizeTest, PixelAlignedSquareFillsExactlyItsPixels) {
  VectorImage v{6, 5, {Shape{kRed, {Rect(1, 1, 4, 3)}}}};
  const Image img = Rasterize(v, kWhite);
  ASSERT_EQ(img.channels, 3);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 6; ++x) {
      const bool inside = x >= 1 && x < 4 && y >= 1 && y < 3;
      EXPECT_EQ(Px(img, x, y)[0], 255);
      EXPECT_EQ(Px(img, x, y)[1], inside ? 0 : 255) << x << "," << y;
    }
}

TEST(RasterizeTest, HalfPixelEdgesGetHalfCoverage) {
  VectorImage v{4, 4, {Shape{{0, 0, 0}, {Rect(0.5, 0, 4, 4)}}}};
  const Image img = Rasterize(v, kWhite);
  EXPECT_NEAR(Px(img, 0, 2)[0], 128, 1);
  EXPECT_EQ(Px(img, 1, 2)[0], 0);
}

TEST(RasterizeTest, HolesStayEmptyAndLaterShapesPaintOnTop) {
  VectorImage v{10, 10, {}};
  v.shapes.push_back(Shape{kRed, {Rect(0, 0, 10, 10), Rect(3, 3, 7, 7, /*clockwise=*/false)}});
  v.shapes.push_back(Shape{kBlue, {Rect(0, 0, 2, 2)}});
  const Image img = Rasterize(v, kWhite);
  EXPECT_EQ(Px(img, 5, 5)[1], 255);  // the hole shows the background
  EXPECT_EQ(Px(img, 8, 8)[1], 0);    // red ring
  EXPECT_EQ(Px(img, 8, 8)[2], 0);
  EXPECT_EQ(Px(img, 1, 1)[0], 0);    // blue over red
  EXPECT_EQ(Px(img, 1, 1)[2], 255);
}

TEST(RasterizeTest, CircleCoversItsArea) {
  VectorImage v{40, 40, {Shape{{0, 0, 0}, {Circle(20, 20, 12)}}}};
  const Image img = Rasterize(v, kWhite);
  double ink = 0;
  for (std::size_t i = 0; i < img.pixels.size(); i += 3) ink += (255 - img.pixels[i]) / 255.0;
  // Flattening to within 0.1 px (cairo's tolerance too) keeps chords just inside the curve.
  EXPECT_NEAR(ink, std::numbers::pi * 144, 0.01 * std::numbers::pi * 144);
}

TEST(RasterizeTest, OutsideAndDegenerateGeometryIsClippedOrSkipped) {
  VectorImage v{8, 8, {}};
  v.shapes.push_back(Shape{kRed, {Rect(-100, -100, 4, 1e6)}});           // mostly off canvas
  v.shapes.push_back(Shape{kBlue, {Rect(20, 20, 30, 30)}});              // wholly off canvas
  v.shapes.push_back(Shape{kBlue, {Polygon({{1, 1}, {5, 5}})}});         // too few points
  v.shapes.push_back(Shape{kBlue, {Polygon({{1, 1}, {NAN, 5}, {5, 1}})}});  // not finite
  v.shapes.push_back(Shape{kBlue, {Contour{{{1, 1}, {2, 2}, {3, 3}}, true}}});  // not 1 + 3k
  const Image img = Rasterize(v, kWhite);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) EXPECT_EQ(Px(img, x, y)[1], x < 4 ? 0 : 255) << x << "," << y;
  EXPECT_EQ(Rasterize(VectorImage{}, kWhite).pixels.size(), 0u);
}

// Ferry's SSIM is only as good as its renderer: compare with librsvg on the SVG Ferry writes.
TEST(RasterizeTest, MatchesLibrsvg) {
  ASSERT_TRUE(ProgramExists("rsvg-convert"))
      << "rsvg-convert is missing: install Debian's librsvg2-bin (scripts/setup.sh does)";
  std::vector<VectorImage> cases;
  {  // a star, self-intersecting under the nonzero rule
    VectorImage v{64, 64, {}};
    std::vector<Point> star;
    for (int k = 0; k < 5; ++k) {
      const double a = -std::numbers::pi / 2 + k * 4 * std::numbers::pi / 5;
      star.push_back({32 + 28 * std::cos(a), 32 + 28 * std::sin(a)});
    }
    v.shapes.push_back(Shape{{20, 120, 200}, {Polygon(star)}});
    cases.push_back(v);
  }
  {  // overlapping circles, a ring with a hole, shapes crossing the canvas edge
    VectorImage v{97, 71, {}};
    v.shapes.push_back(Shape{{250, 200, 10}, {Rect(-5, -5, 102, 40)}});
    v.shapes.push_back(Shape{{10, 90, 40}, {Circle(30, 35, 25.3), Circle(60.5, 40.2, 8.1)}});
    v.shapes.push_back(Shape{{200, 10, 60}, {Circle(70, 30, 20), Rect(62, 22, 78, 38, false)}});
    v.shapes.push_back(Shape{{5, 5, 5}, {Circle(95, 70, 15.7)}});
    cases.push_back(v);
  }
  {  // thin slanted slivers
    VectorImage v{50, 50, {}};
    v.shapes.push_back(Shape{{0, 0, 0}, {Polygon({{2, 3}, {48, 10.5}, {47.5, 12}, {2.2, 4.1}})}});
    v.shapes.push_back(Shape{{90, 0, 200}, {Polygon(std::vector<Point>{{10.0, 48.0}, {12.3, 2.0}, {14.0, 2.5}, {11.0, 48.0}})}});
    cases.push_back(v);
  }
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const VectorImage& v = cases[i];
    auto run = RunProcess({"rsvg-convert", "-b", "white", "-w", std::to_string(v.width), "-h",
                           std::to_string(v.height)},
                          WriteSvg(v, 3));
    ASSERT_TRUE(run && run->ok()) << (run ? run->err : run.error().message);
    auto reference = DecodePng(run->out);
    ASSERT_TRUE(reference) << reference.error().message;
    const Image theirs = ToRgba(*reference);
    const Image ours = Rasterize(v, kWhite);
    double total = 0;
    for (int y = 0; y < v.height; ++y)
      for (int x = 0; x < v.width; ++x)
        for (int c = 0; c < 3; ++c) total += std::abs(Px(ours, x, y)[c] - theirs.At(x, y)[c]);
    const double mean = total / (3.0 * v.width * v.height);
    EXPECT_LT(mean, 1.0) << "case " << i;
    auto ssim = Ssim(ours, theirs);
    ASSERT_TRUE(ssim);
    EXPECT_GT(*ssim, 0.995) << "case " << i;
  }
}

}  // namespace
}  // namespace ferry::image::vectorize
