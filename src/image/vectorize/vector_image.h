// The vectorizer's output model: filled shapes made of closed contours, in image pixel
// coordinates (y down, pixel (x, y) covers [x, x+1] x [y, y+1]). The SVG writer (svg_writer.h)
// and the rasterizer (rasterize.h) both read it, so SSIM can be measured without parsing SVG.
//
// Thread-safety: plain value types.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace ferry::image::vectorize {

struct Point {
  double x = 0;
  double y = 0;
  bool operator==(const Point&) const = default;
};

// One closed outline. Polygon form (spline == false): the vertices in order, the first not
// repeated at the end. Spline form: 1 + 3k points, a start point then (control 1, control 2,
// end) for each of k cubic Béziers; the last end point equals the start point.
// Outer contours run clockwise on screen (y down) and holes counter-clockwise, so the nonzero
// fill rule leaves holes empty.
struct Contour {
  std::vector<Point> points;
  bool spline = false;
};

// One filled shape, one SVG <path>: an opaque colour and every contour of it (all its pieces and
// their holes), filled with the nonzero rule.
struct Shape {
  std::array<std::uint8_t, 3> color{};  // R, G, B
  std::vector<Contour> contours;
};

// A picture: shapes painted in order, later ones on top, over a transparent canvas.
struct VectorImage {
  int width = 0;
  int height = 0;
  std::vector<Shape> shapes;
};

// A 0/1 mask, row-major, one byte per pixel: the input of tracing.
struct Bitmap {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> bits;  // width * height bytes, 1 = inside

  std::uint8_t At(int x, int y) const {
    return bits[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                static_cast<std::size_t>(x)];
  }
};

}  // namespace ferry::image::vectorize
