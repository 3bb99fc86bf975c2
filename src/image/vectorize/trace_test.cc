#include "image/vectorize/trace.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

namespace ferry::image::vectorize {
namespace {

// A mask from rows of '#' (set) and '.' (clear).
Bitmap MaskOf(const std::vector<std::string>& rows) {
  Bitmap m;
  m.height = static_cast<int>(rows.size());
  m.width = static_cast<int>(rows.front().size());
  for (const std::string& row : rows)
    for (char c : row) m.bits.push_back(c == '#' ? 1 : 0);
  return m;
}

// Points along the outline: the polygon's vertices, or each cubic sampled 32 times.
std::vector<Point> Outline(const Contour& c) {
  if (!c.spline) return c.points;
  std::vector<Point> out;
  for (std::size_t i = 0; i + 3 < c.points.size(); i += 3) {
    const Point p0 = c.points[i], p1 = c.points[i + 1], p2 = c.points[i + 2], p3 = c.points[i + 3];
    for (int k = 0; k < 32; ++k) {
      const double t = k / 32.0, s = 1 - t;
      out.push_back({s * s * s * p0.x + 3 * s * s * t * p1.x + 3 * s * t * t * p2.x + t * t * t * p3.x,
                     s * s * s * p0.y + 3 * s * s * t * p1.y + 3 * s * t * t * p2.y + t * t * t * p3.y});
    }
  }
  return out;
}

// Shoelace area, positive for clockwise on screen (y down).
double SignedArea(const Contour& c) {
  const std::vector<Point> pts = Outline(c);
  double a = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const Point p = pts[i], q = pts[(i + 1) % pts.size()];
    a += p.x * q.y - q.x * p.y;
  }
  return a / 2;
}

double TotalArea(const std::vector<Contour>& contours) {
  double a = 0;
  for (const Contour& c : contours) a += SignedArea(c);
  return a;
}

std::vector<Contour> TraceMask(const Bitmap& m, TraceMode mode, Point offset = {}) {
  Tracer tracer;
  TraceOptions options;
  options.mode = mode;
  std::vector<Contour> out;
  tracer.Trace(m, offset, options, &out);
  return out;
}

Bitmap Disc(int size, double cx, double cy, double r) {
  Bitmap m{size, size, std::vector<std::uint8_t>(static_cast<std::size_t>(size * size))};
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      m.bits[static_cast<std::size_t>(y * size + x)] = std::hypot(x + 0.5 - cx, y + 0.5 - cy) <= r;
  return m;
}

TEST(TraceTest, SquareInPixelModeIsItsFourCornersClockwise) {
  const auto out = TraceMask(MaskOf({"....", ".##.", ".##.", "...."}), TraceMode::kPixel);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].spline);
  EXPECT_EQ(out[0].points, (std::vector<Point>{{1, 1}, {3, 1}, {3, 3}, {1, 3}}));
  EXPECT_DOUBLE_EQ(SignedArea(out[0]), 4);
}

TEST(TraceTest, OffsetMovesEveryPoint) {
  const auto out = TraceMask(MaskOf({"#"}), TraceMode::kPixel, Point{10, 20});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].points, (std::vector<Point>{{10, 20}, {11, 20}, {11, 21}, {10, 21}}));
}

TEST(TraceTest, HoleRunsCounterClockwiseSoNonzeroLeavesItEmpty) {
  const auto out = TraceMask(MaskOf({"#####", "#...#", "#...#", "#####"}), TraceMode::kPixel);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_DOUBLE_EQ(SignedArea(out[0]), 20);
  EXPECT_DOUBLE_EQ(SignedArea(out[1]), -6);
  EXPECT_EQ(out[1].points.front(), (Point{1, 1}));  // starts at the hole's top-left corner
}

TEST(TraceTest, PixelsTouchingAtACornerAreSeparatePieces) {
  const auto out = TraceMask(MaskOf({"#.", ".#"}), TraceMode::kPixel);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_DOUBLE_EQ(SignedArea(out[0]), 1);
  EXPECT_DOUBLE_EQ(SignedArea(out[1]), 1);
}

TEST(TraceTest, NestedRingsAlternateOrientation) {
  const auto out = TraceMask(MaskOf({"#######", "#.....#", "#.###.#", "#.#.#.#", "#.###.#",
                                     "#.....#", "#######"}),
                             TraceMode::kPixel);
  ASSERT_EQ(out.size(), 4u);
  int outer = 0, holes = 0;
  for (const Contour& c : out) (SignedArea(c) > 0 ? outer : holes)++;
  EXPECT_EQ(outer, 2);
  EXPECT_EQ(holes, 2);
  EXPECT_DOUBLE_EQ(TotalArea(out), 24 + 8);
}

TEST(TraceTest, EmptyMaskHasNoContours) {
  EXPECT_TRUE(TraceMask(MaskOf({"...", "..."}), TraceMode::kSpline).empty());
  EXPECT_TRUE(TraceMask(Bitmap{}, TraceMode::kSpline).empty());
}

// Pixel-mode outlines enclose exactly the set pixels, whatever the mask.
TEST(TraceTest, PixelOutlinesEncloseExactlyTheSetPixelsOfRandomMasks) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    Bitmap m{23, 17, std::vector<std::uint8_t>(23 * 17)};
    int set = 0;
    for (auto& b : m.bits) set += (b = (rng() % 100) < 55);
    const auto out = TraceMask(m, TraceMode::kPixel);
    EXPECT_DOUBLE_EQ(TotalArea(out), set) << "round " << round;
    for (const Contour& c : out) EXPECT_GE(c.points.size(), 4u);
  }
}

// Simplification removes stairs: a 45-degree edge becomes one segment, and the area stays
// within half a pixel per boundary pixel.
TEST(TraceTest, PolygonModeTurnsStaircasesIntoStraightEdges) {
  std::vector<std::string> rows;
  for (int y = 0; y < 20; ++y) rows.push_back(std::string(static_cast<std::size_t>(y + 1), '#') +
                                              std::string(static_cast<std::size_t>(19 - y), '.'));
  const auto out = TraceMask(MaskOf(rows), TraceMode::kPolygon);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LE(out[0].points.size(), 5u);  // the walk's start corner is always kept
  EXPECT_NEAR(SignedArea(out[0]), 210, 20);
}

TEST(TraceTest, SplineOfADiscIsAClosedSmoothCircle) {
  const double r = 30;
  const auto out = TraceMask(Disc(80, 40, 40, r), TraceMode::kSpline);
  ASSERT_EQ(out.size(), 1u);
  const Contour& c = out[0];
  EXPECT_TRUE(c.spline);
  ASSERT_EQ((c.points.size() - 1) % 3, 0u);
  EXPECT_EQ(c.points.front(), c.points.back());
  EXPECT_GE((c.points.size() - 1) / 3, 4u);  // at least four curves round a circle
  for (const Point& p : Outline(c)) EXPECT_NEAR(std::hypot(p.x - 40, p.y - 40), r, 1.0);
  // Staircase removal keeps the outer corners, so the outline sits a little outside the pixels.
  EXPECT_NEAR(SignedArea(c), std::numbers::pi * r * r, 0.03 * std::numbers::pi * r * r);
}

TEST(TraceTest, SplineKeepsASquaresCorners) {
  std::vector<std::string> rows(12, std::string(12, '.'));
  for (int y = 2; y < 10; ++y) rows[static_cast<std::size_t>(y)] = "..########..";
  const auto out = TraceMask(MaskOf(rows), TraceMode::kSpline);
  ASSERT_EQ(out.size(), 1u);
  for (Point corner : {Point{2, 2}, Point{10, 2}, Point{10, 10}, Point{2, 10}}) {
    bool found = false;
    for (const Point& p : out[0].points) found |= p == corner;
    EXPECT_TRUE(found) << corner.x << "," << corner.y;
  }
  EXPECT_NEAR(SignedArea(out[0]), 64, 1);
}

TEST(TraceTest, EveryModeAndExtremeOptionStaysFiniteOnRandomShapes) {
  std::mt19937 rng(11);
  for (TraceMode mode : {TraceMode::kPixel, TraceMode::kPolygon, TraceMode::kSpline}) {
    for (const TraceOptions& base :
         {TraceOptions{}, TraceOptions{TraceMode::kSpline, 0, 3.5, 1, 0},
          TraceOptions{TraceMode::kSpline, 180, 10, 70, 180}}) {
      TraceOptions options = base;
      options.mode = mode;
      Bitmap m{40, 30, std::vector<std::uint8_t>(40 * 30)};
      for (int k = 0; k < 12; ++k) {  // overlapping random discs: blobs with holes and bays
        const double cx = rng() % 40, cy = rng() % 30, r = 2 + rng() % 8;
        for (int y = 0; y < 30; ++y)
          for (int x = 0; x < 40; ++x)
            if (std::hypot(x - cx, y - cy) <= r) m.bits[static_cast<std::size_t>(y * 40 + x)] ^= 1;
      }
      int set = 0;
      for (auto b : m.bits) set += b;
      Tracer tracer;
      std::vector<Contour> out;
      tracer.Trace(m, {}, options, &out);
      for (const Contour& c : out) {
        if (c.spline) {
          EXPECT_EQ((c.points.size() - 1) % 3, 0u);
          EXPECT_EQ(c.points.front(), c.points.back());
        }
        for (const Point& p : c.points) {
          ASSERT_TRUE(std::isfinite(p.x) && std::isfinite(p.y));
          EXPECT_GE(p.x, -20);
          EXPECT_LE(p.x, 60);
        }
      }
      EXPECT_NEAR(TotalArea(out), set, 0.2 * set + 20);
    }
  }
}

}  // namespace
}  // namespace ferry::image::vectorize
