#include "image/vectorize/rasterize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace ferry::image::vectorize {
namespace {

// Flattening tolerance: the polyline stays within this many pixels of the cubic.
constexpr double kFlatness = 0.1;
constexpr int kMaxSegmentsPerCubic = 1024;

struct Segment {
  Point a, b;
};

// Appends `contour` as closed line segments; false (nothing appended) for unusable geometry.
bool Flatten(const Contour& contour, std::vector<Segment>& out) {
  const std::vector<Point>& p = contour.points;
  for (const Point& q : p)
    if (!std::isfinite(q.x) || !std::isfinite(q.y)) return false;
  if (p.size() < 3) return false;
  if (!contour.spline) {
    for (std::size_t i = 0; i < p.size(); ++i) out.push_back({p[i], p[(i + 1) % p.size()]});
    return true;
  }
  if ((p.size() - 1) % 3 != 0) return false;
  for (std::size_t i = 0; i + 3 < p.size(); i += 3) {
    const Point p0 = p[i], p1 = p[i + 1], p2 = p[i + 2], p3 = p[i + 3];
    // Uniform steps: the chord error is at most 3/4 · max|second difference| / n².
    const double dd = std::max(std::hypot(p0.x - 2 * p1.x + p2.x, p0.y - 2 * p1.y + p2.y),
                               std::hypot(p1.x - 2 * p2.x + p3.x, p1.y - 2 * p2.y + p3.y));
    const int n = std::clamp(static_cast<int>(std::ceil(std::sqrt(0.75 * dd / kFlatness))), 1,
                             kMaxSegmentsPerCubic);
    Point last = p0;
    for (int k = 1; k <= n; ++k) {
      const double t = static_cast<double>(k) / n, s = 1 - t;
      const Point q = k == n ? p3
                             : Point{s * s * s * p0.x + 3 * s * s * t * p1.x + 3 * s * t * t * p2.x +
                                         t * t * t * p3.x,
                                     s * s * s * p0.y + 3 * s * s * t * p1.y + 3 * s * t * t * p2.y +
                                         t * t * t * p3.y};
      out.push_back({last, q});
      last = q;
    }
  }
  if (!(p.back() == p.front())) out.push_back({p.back(), p.front()});
  return true;
}

// Signed-area accumulation over a box `width` x `height` (local coordinates): each row has
// width + 2 cells; the running sum of a row's cells is the winding-weighted coverage of a pixel.
class Accumulator {
 public:
  void Reset(int width, int height) {
    width_ = width;
    height_ = height;
    stride_ = static_cast<std::size_t>(width) + 2;
    cells_.assign(stride_ * static_cast<std::size_t>(height), 0.0f);
  }

  // A line in local coordinates; the parts left or right of the box become vertical lines on
  // its sides, which leaves every pixel inside the box with the coverage it would have had.
  void Line(Point a, Point b) {
    if (a.y == b.y) return;
    const double w = width_;
    // Split where the line crosses x = 0 or x = width, then clamp x.
    double cuts[2];
    int n = 0;
    for (double edge : {0.0, w}) {
      if ((a.x - edge) * (b.x - edge) < 0) cuts[n++] = (edge - a.x) / (b.x - a.x);
    }
    if (n == 2 && cuts[0] > cuts[1]) std::swap(cuts[0], cuts[1]);
    Point from = a;
    for (int i = 0; i <= n; ++i) {
      const double t = i < n ? cuts[i] : 1.0;
      const Point to = i < n ? Point{a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t} : b;
      ClippedLine({std::clamp(from.x, 0.0, w), from.y}, {std::clamp(to.x, 0.0, w), to.y});
      from = to;
    }
  }

  // Row y's coverage of pixel x: |running sum| capped at 1 (nonzero rule).
  const float* Row(int y) const { return cells_.data() + static_cast<std::size_t>(y) * stride_; }

 private:
  // A line with x inside [0, width]; y is clipped to [0, height] here.
  void ClippedLine(Point a, Point b) {
    if (a.y == b.y) return;
    double dir = 1;
    if (a.y > b.y) {
      std::swap(a, b);
      dir = -1;
    }
    const double h = height_;
    if (b.y <= 0 || a.y >= h) return;
    const double dxdy = (b.x - a.x) / (b.y - a.y);
    if (a.y < 0) a = {a.x - dxdy * a.y, 0};
    if (b.y > h) b = {b.x - dxdy * (b.y - h), h};
    a.x = std::clamp(a.x, 0.0, static_cast<double>(width_));
    b.x = std::clamp(b.x, 0.0, static_cast<double>(width_));
    double x = a.x;
    const int y_end = static_cast<int>(std::ceil(b.y));
    for (int y = static_cast<int>(std::floor(a.y)); y < y_end; ++y) {
      float* row = cells_.data() + static_cast<std::size_t>(y) * stride_;
      const double dy = std::min<double>(y + 1, b.y) - std::max<double>(y, a.y);
      const double x_next = std::clamp(x + dxdy * dy, 0.0, static_cast<double>(width_));
      const double d = dy * dir;
      const double x0 = std::min(x, x_next), x1 = std::max(x, x_next);
      const double x0_floor = std::floor(x0);
      const auto x0i = static_cast<int>(x0_floor);
      const double x1_ceil = std::ceil(x1);
      const auto x1i = static_cast<int>(x1_ceil);
      if (x1i <= x0i + 1) {
        // Within one pixel column: the area right of the line's midpoint.
        const double xm = 0.5 * (x + x_next) - x0_floor;
        row[x0i] += static_cast<float>(d - d * xm);
        row[x0i + 1] += static_cast<float>(d * xm);
      } else {
        // Across several columns: a triangle in the first, equal strips, a trapezoid at the end.
        const double s = 1 / (x1 - x0);
        const double x0f = x0 - x0_floor;
        const double a0 = 0.5 * s * (1 - x0f) * (1 - x0f);
        const double x1f = x1 - x1_ceil + 1;
        const double am = 0.5 * s * x1f * x1f;
        row[x0i] += static_cast<float>(d * a0);
        if (x1i == x0i + 2) {
          row[x0i + 1] += static_cast<float>(d * (1 - a0 - am));
        } else {
          const double a1 = s * (1.5 - x0f);
          row[x0i + 1] += static_cast<float>(d * (a1 - a0));
          for (int xi = x0i + 2; xi < x1i - 1; ++xi) row[xi] += static_cast<float>(d * s);
          const double a2 = a1 + (x1i - x0i - 3) * s;
          row[x1i - 1] += static_cast<float>(d * (1 - a2 - am));
        }
        row[x1i] += static_cast<float>(d * am);
      }
      x = x_next;
    }
  }

  int width_ = 0, height_ = 0;
  std::size_t stride_ = 0;
  std::vector<float> cells_;
};

}  // namespace

Image Rasterize(const VectorImage& image, std::array<std::uint8_t, 3> background) {
  Image out{image.width, image.height, 3, {}};
  if (image.width <= 0 || image.height <= 0) return out;
  const std::size_t row_bytes = static_cast<std::size_t>(image.width) * 3;
  out.pixels.resize(row_bytes * static_cast<std::size_t>(image.height));
  for (std::size_t i = 0; i < out.pixels.size(); i += 3)
    std::copy(background.begin(), background.end(), out.pixels.begin() + static_cast<long>(i));

  std::vector<Segment> segments;
  Accumulator acc;
  for (const Shape& shape : image.shapes) {
    segments.clear();
    for (const Contour& c : shape.contours) {
      const std::size_t before = segments.size();
      if (!Flatten(c, segments)) segments.resize(before);
    }
    if (segments.empty()) continue;
    double min_x = std::numeric_limits<double>::infinity(), min_y = min_x;
    double max_x = -min_x, max_y = -min_x;
    for (const Segment& s : segments) {
      min_x = std::min({min_x, s.a.x, s.b.x});
      max_x = std::max({max_x, s.a.x, s.b.x});
      min_y = std::min({min_y, s.a.y, s.b.y});
      max_y = std::max({max_y, s.a.y, s.b.y});
    }
    // The box of pixels the shape can touch, inside the canvas.
    const auto width = static_cast<double>(image.width);
    const auto height = static_cast<double>(image.height);
    const int x0 = static_cast<int>(std::clamp(std::floor(min_x), 0.0, width));
    const int x1 = static_cast<int>(std::clamp(std::ceil(max_x), 0.0, width));
    const int y0 = static_cast<int>(std::clamp(std::floor(min_y), 0.0, height));
    const int y1 = static_cast<int>(std::clamp(std::ceil(max_y), 0.0, height));
    if (x0 >= x1 || y0 >= y1) continue;
    acc.Reset(x1 - x0, y1 - y0);
    for (const Segment& s : segments)
      acc.Line({s.a.x - x0, s.a.y - y0}, {s.b.x - x0, s.b.y - y0});
    for (int y = y0; y < y1; ++y) {
      const float* cells = acc.Row(y - y0);
      std::uint8_t* px = out.pixels.data() + static_cast<std::size_t>(y) * row_bytes +
                         static_cast<std::size_t>(x0) * 3;
      float sum = 0;
      for (int x = x0; x < x1; ++x, px += 3) {
        sum += cells[x - x0];
        const float cover = std::min(1.0f, std::abs(sum));
        if (cover <= 0) continue;
        for (int ch = 0; ch < 3; ++ch)
          px[ch] = static_cast<std::uint8_t>(
              std::lround(px[ch] + (shape.color[static_cast<std::size_t>(ch)] - px[ch]) * cover));
      }
    }
  }
  return out;
}

}  // namespace ferry::image::vectorize
