#include "image/vectorize/trace.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <span>
#include <tuple>
#include <utility>

namespace ferry::image::vectorize {
namespace {

// Directions on screen (y down), clockwise: a right turn is +1.
enum Dir : int { kUp = 0, kRight = 1, kDown = 2, kLeft = 3 };
constexpr std::array<int, 4> kDx{0, 1, 0, -1};
constexpr std::array<int, 4> kDy{-1, 0, 1, 0};

// The largest fitting error, in pixels, a single cubic may leave before it is split (VTracer's).
constexpr double kMaxFitError = 10;
// How far the 4-point scheme pushes a new point out: (midpoint − inner midpoint) / 8.
constexpr double kOutsetRatio = 8;

bool Inside(const Bitmap& m, int x, int y) {
  return x >= 0 && y >= 0 && x < m.width && y < m.height && m.At(x, y) != 0;
}

// Whether the edge leaving vertex (x, y) in direction `d` has the mask on its right and
// background on its left: the pixels either side are, by direction, up: NW | NE,
// right: NE over SE, down: SE | SW, left: SW under NW (left side first).
bool BoundaryEdge(const Bitmap& m, int x, int y, int d) {
  switch (d) {
    case kUp: return Inside(m, x, y - 1) && !Inside(m, x - 1, y - 1);
    case kRight: return Inside(m, x, y) && !Inside(m, x, y - 1);
    case kDown: return Inside(m, x - 1, y) && !Inside(m, x, y);
    default: return Inside(m, x - 1, y - 1) && !Inside(m, x - 1, y);
  }
}

Point operator+(Point a, Point b) { return {a.x + b.x, a.y + b.y}; }
Point operator-(Point a, Point b) { return {a.x - b.x, a.y - b.y}; }
Point operator*(Point a, double s) { return {a.x * s, a.y * s}; }
double Dot(Point a, Point b) { return a.x * b.x + a.y * b.y; }
double Cross(Point a, Point b) { return a.x * b.y - a.y * b.x; }
double Length(Point a) { return std::hypot(a.x, a.y); }
Point Unit(Point a) {
  const double l = Length(a);
  return l > 1e-12 ? a * (1 / l) : Point{};
}
// The signed turn from direction `a` to direction `b`, in (−π, π]; positive turns clockwise on
// screen. Zero when either is a zero vector (degenerate geometry must not make NaN).
double Turn(Point a, Point b) {
  if ((a.x == 0 && a.y == 0) || (b.x == 0 && b.y == 0)) return 0;
  return std::atan2(Cross(a, b), Dot(a, b));
}
double Radians(double degrees) { return degrees * std::numbers::pi / 180; }

// ---- Cubic fitting (Schneider, "An algorithm for automatically fitting digitized curves") ----

struct Cubic {
  Point p0, p1, p2, p3;
  Point At(double t) const {
    const double s = 1 - t;
    return p0 * (s * s * s) + p1 * (3 * s * s * t) + p2 * (3 * s * t * t) + p3 * (t * t * t);
  }
  Point Derivative(double t) const {
    const double s = 1 - t;
    return (p1 - p0) * (3 * s * s) + (p2 - p1) * (6 * s * t) + (p3 - p2) * (3 * t * t);
  }
  Point Second(double t) const {
    return (p2 - p1 * 2 + p0) * (6 * (1 - t)) + (p3 - p2 * 2 + p1) * (6 * t);
  }
};

// Handle lengths along the fixed end tangents by least squares; chord/3 when that fails.
Cubic FitHandles(std::span<const Point> pts, std::span<const double> u, Point t0, Point t1) {
  const Point first = pts.front(), last = pts.back();
  double c00 = 0, c01 = 0, c11 = 0, x0 = 0, x1 = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const double t = u[i], s = 1 - t;
    const double b0 = s * s * s, b1 = 3 * t * s * s, b2 = 3 * t * t * s, b3 = t * t * t;
    const Point a0 = t0 * b1, a1 = t1 * b2;
    c00 += Dot(a0, a0);
    c01 += Dot(a0, a1);
    c11 += Dot(a1, a1);
    const Point rest = pts[i] - (first * (b0 + b1) + last * (b2 + b3));
    x0 += Dot(a0, rest);
    x1 += Dot(a1, rest);
  }
  const double det = c00 * c11 - c01 * c01;
  double alpha0 = 0, alpha1 = 0;
  if (std::abs(det) >= 1e-4) {
    alpha0 = (x0 * c11 - x1 * c01) / det;
    alpha1 = (c00 * x1 - c01 * x0) / det;
  }
  const double chord = Length(last - first);
  if (alpha0 < 1e-6 * chord || alpha1 < 1e-6 * chord) alpha0 = alpha1 = chord / 3;
  return {first, first + t0 * alpha0, last + t1 * alpha1, last};
}

// One Newton–Raphson step towards the parameter of the point on `c` nearest `p`.
double Reparameterize(const Cubic& c, Point p, double t) {
  const Point d = c.At(t) - p, d1 = c.Derivative(t), d2 = c.Second(t);
  const double den = Dot(d1, d1) + Dot(d, d2);
  if (std::abs(den) < 1e-12) return t;
  return std::clamp(t - Dot(d, d1) / den, 0.0, 1.0);
}

// The largest distance from a point to the curve at its parameter, and where it is.
std::pair<double, std::size_t> FitError(const Cubic& c, std::span<const Point> pts,
                                        std::span<const double> u) {
  double worst = 0;
  std::size_t at = pts.size() / 2;
  for (std::size_t i = 1; i + 1 < pts.size(); ++i) {
    const Point d = pts[i] - c.At(u[i]);
    const double e = Dot(d, d);
    if (e > worst) worst = e, at = i;
  }
  return {std::sqrt(worst), at};
}

// Crossing handles (the curve would loop) are pulled back to where the handle lines meet.
Cubic RetractHandles(Cubic c) {
  const Point ab = c.p1 - c.p0;
  const double dab = Turn(c.p0 - c.p3, ab);
  const double abc = Turn(ab, c.p2 - c.p1);
  if ((dab >= 0) == (abc >= 0)) return c;
  // Lines p0-p1 and p2-p3.
  const Point r = c.p1 - c.p0, s = c.p3 - c.p2;
  const double den = Cross(r, s);
  if (std::abs(den) < 1e-7) return c;  // parallel: nothing to meet
  const double t = Cross(c.p2 - c.p0, s) / den;
  const Point meet = c.p0 + r * t;
  c.p1 = c.p2 = meet;
  return c;
}

// Cubics through `pts` (first and last exactly) leaving along t0 and arriving against t1, split
// at the worst point until each is within kMaxFitError; appends (c1, c2, end) triples.
void FitCubics(std::span<const Point> pts, Point t0, Point t1, std::vector<double>& u,
               std::vector<Point>* out) {
  const std::size_t n = pts.size();
  auto emit = [&](const Cubic& c) {
    const Cubic r = RetractHandles(c);
    out->push_back(r.p1);
    out->push_back(r.p2);
    out->push_back(r.p3);
  };
  const Point first = pts.front(), last = pts.back();
  if (n <= 2) {
    const Point d = last - first;
    emit({first, first + d * (1.0 / 3), first + d * (2.0 / 3), last});
    return;
  }
  u.resize(n);
  u[0] = 0;
  for (std::size_t i = 1; i < n; ++i) u[i] = u[i - 1] + Length(pts[i] - pts[i - 1]);
  const double total = u[n - 1];
  if (total <= 0) return emit({first, first, last, last});
  for (double& v : u) v /= total;

  Cubic c = FitHandles(pts, u, t0, t1);
  for (std::size_t i = 0; i < n; ++i) u[i] = Reparameterize(c, pts[i], u[i]);
  c = FitHandles(pts, u, t0, t1);
  auto [error, split] = FitError(c, pts, u);
  if (error > kMaxFitError && error < 4 * kMaxFitError) {
    for (int iteration = 1; iteration < 4 && error > kMaxFitError; ++iteration) {
      for (std::size_t i = 0; i < n; ++i) u[i] = Reparameterize(c, pts[i], u[i]);
      c = FitHandles(pts, u, t0, t1);
      std::tie(error, split) = FitError(c, pts, u);
    }
  }
  if (error <= kMaxFitError || split == 0 || split + 1 >= n) return emit(c);
  const Point center = Unit(pts[split - 1] - pts[split + 1]);
  FitCubics(pts.subspan(0, split + 1), t0, center, u, out);
  FitCubics(pts.subspan(split), center * -1, t1, u, out);
}

}  // namespace

void Tracer::Trace(const Bitmap& mask, Point offset, const TraceOptions& options,
                   std::vector<Contour>* out) {
  const int w = mask.width, h = mask.height;
  if (w <= 0 || h <= 0) return;
  visited_.assign(static_cast<std::size_t>(h + 1) * static_cast<std::size_t>(w), 0);
  for (int y = 0; y <= h; ++y) {
    for (int x = 0; x < w; ++x) {
      const bool below = Inside(mask, x, y), above = Inside(mask, x, y - 1);
      if (below == above || visited_[static_cast<std::size_t>(y) * static_cast<std::size_t>(w) +
                                     static_cast<std::size_t>(x)])
        continue;
      Walk(mask, x, y, below);
      // Shoelace: positive for clockwise on screen, i.e. an outer outline.
      long long area2 = 0;
      for (std::size_t i = 0; i + 1 < walk_.size(); ++i)
        area2 += static_cast<long long>(walk_[i].x) * walk_[i + 1].y -
                 static_cast<long long>(walk_[i + 1].x) * walk_[i].y;
      const bool clockwise = area2 > 0;

      Contour contour;
      if (options.mode == TraceMode::kPixel) {
        for (std::size_t i = 0; i + 1 < walk_.size(); ++i)
          contour.points.push_back(Point{walk_[i].x + offset.x, walk_[i].y + offset.y});
      } else {
        Simplify(clockwise);
        if (options.mode == TraceMode::kPolygon) {
          for (std::size_t i = 0; i + 1 < polygon_.size(); ++i)
            contour.points.push_back(Point{polygon_[i].x + offset.x, polygon_[i].y + offset.y});
        } else {
          Smooth(options);
          FitSplines(options, &contour);
          for (Point& p : contour.points) p = p + offset;
        }
      }
      if (contour.points.size() >= 3) out->push_back(std::move(contour));
    }
  }
}

void Tracer::Walk(const Bitmap& mask, int x, int y, bool rightward) {
  const auto w = static_cast<std::size_t>(mask.width);
  walk_.clear();
  // Start on the found edge: left to right above a mask pixel, right to left below one.
  const IntPoint start = rightward ? IntPoint{x, y} : IntPoint{x + 1, y};
  const int start_dir = rightward ? kRight : kLeft;
  IntPoint v = start;
  int d = start_dir;
  // Every edge is walked at most once per outline, so this bounds a walk that cannot close.
  const std::size_t max_steps = 4 * (w + 1) * (static_cast<std::size_t>(mask.height) + 1);
  for (std::size_t step = 0; step < max_steps; ++step) {
    if (d == kRight)
      visited_[static_cast<std::size_t>(v.y) * w + static_cast<std::size_t>(v.x)] = 1;
    else if (d == kLeft)
      visited_[static_cast<std::size_t>(v.y) * w + static_cast<std::size_t>(v.x - 1)] = 1;
    v.x += kDx[d];
    v.y += kDy[d];
    // Right turn first: where two pixels meet only at a corner they stay apart.
    int next = (d + 1) % 4;
    if (!BoundaryEdge(mask, v.x, v.y, next)) {
      next = d;
      if (!BoundaryEdge(mask, v.x, v.y, next)) next = (d + 3) % 4;
    }
    if (next != d) walk_.push_back(v);
    d = next;
    if (v == start && d == start_dir) break;
  }
  if (walk_.empty()) return;
  // Begin at the raster-first corner, as VTracer does: simplification always keeps it.
  const auto first = std::min_element(walk_.begin(), walk_.end(), [](IntPoint a, IntPoint b) {
    return a.y != b.y ? a.y < b.y : a.x < b.x;
  });
  std::rotate(walk_.begin(), first, walk_.end());
  walk_.push_back(walk_.front());
}

void Tracer::Simplify(bool clockwise) {
  // 1. One-pixel stairs lose their inner corners, so slanted edges keep the outer ones.
  kept_.clear();
  const std::size_t n = walk_.size();
  for (std::size_t i = 0; i < n; ++i) {
    bool keep = true;
    if (i != 0 && i + 1 != n) {
      const IntPoint a = walk_[i - 1], b = walk_[i], c = walk_[i + 1];
      const int before = std::abs(b.x - a.x) + std::abs(b.y - a.y);
      const int after = std::abs(c.x - b.x) + std::abs(c.y - b.y);
      if (before == 1 || after == 1) {
        const long long area = static_cast<long long>(b.x - a.x) * (c.y - a.y) -
                               static_cast<long long>(c.x - a.x) * (b.y - a.y);
        keep = area != 0 && (area > 0) == clockwise;
      }
    }
    if (keep) kept_.push_back(walk_[i]);
  }
  // 2. Runs merge while every dropped point b between anchor a and end c has penalty
  //    |ac|·h²/4 = cross(b−a, c−a)² / (4|ac|) under 1.
  auto penalty = [](IntPoint a, IntPoint b, IntPoint c) {
    const double acx = c.x - a.x, acy = c.y - a.y;
    const double ac = std::hypot(acx, acy);
    const double cross = (b.x - a.x) * acy - (b.y - a.y) * acx;
    if (ac == 0) return b == a ? 0.0 : HUGE_VAL;  // closing onto the anchor: keep a point
    return cross * cross / (4 * ac);
  };
  polygon_.clear();
  const std::size_t m = kept_.size();
  if (m == 0) return;
  polygon_.push_back(kept_[0]);
  std::size_t last = 0;
  for (std::size_t i = 2; i < m; ++i) {
    if (i == last + 1) continue;
    for (std::size_t j = last + 1; j < i; ++j) {
      if (penalty(kept_[last], kept_[j], kept_[i]) >= 1) {
        last = i - 1;
        polygon_.push_back(kept_[last]);
        break;
      }
    }
  }
  if (m > 1) polygon_.push_back(kept_[m - 1]);
  // Tiny outlines can collapse below a triangle; they keep their walked shape instead.
  if (polygon_.size() < 4) polygon_ = walk_;
}

void Tracer::Smooth(const TraceOptions& options) {
  // The closed polygon without its repeated first point.
  smooth_.clear();
  for (std::size_t i = 0; i + 1 < polygon_.size(); ++i)
    smooth_.push_back(Point{static_cast<double>(polygon_[i].x), static_cast<double>(polygon_[i].y)});
  std::size_t n = smooth_.size();
  if (n < 3) return;
  const double corner = Radians(options.corner_threshold);
  corners_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const Point prev = smooth_[(i + n - 1) % n], here = smooth_[i], next = smooth_[(i + 1) % n];
    corners_[i] = std::abs(Turn(here - prev, next - here)) >= corner;
  }
  const double limit = options.length_threshold;
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    bool done = true;
    next_smooth_.clear();
    next_corners_.clear();
    for (std::size_t i = 0; i < n; ++i) {
      next_smooth_.push_back(smooth_[i]);
      next_corners_.push_back(corners_[i]);
      const std::size_t j = (i + 1) % n;
      const Point pi = smooth_[i], pj = smooth_[j];
      const double current = Length(pj - pi);
      if (current <= limit) continue;
      std::size_t before = (i + n - 1) % n, after = (j + 1) % n;
      if (Length(pi - smooth_[before]) / current >= 2 || Length(smooth_[after] - pj) / current >= 2)
        continue;
      // Next to a corner the scheme uses the corner itself, which keeps it sharp.
      if (corners_[i]) before = i;
      if (corners_[j]) after = j;
      if (before == i && after == j) continue;
      const Point mid = (pi + pj) * 0.5;
      const Point outward = mid - (smooth_[before] + smooth_[after]) * 0.5;
      const Point added = Length(outward) / kOutsetRatio < 1e-15 ? mid : mid + outward * (1 / kOutsetRatio);
      next_smooth_.push_back(added);
      next_corners_.push_back(0);
      if (Length(pi - added) > limit || Length(pj - added) > limit) done = false;
    }
    std::swap(smooth_, next_smooth_);
    std::swap(corners_, next_corners_);
    n = smooth_.size();
    if (done) break;
  }
}

void Tracer::FitSplines(const TraceOptions& options, Contour* contour) {
  contour->spline = true;
  contour->points.clear();
  const std::size_t n = smooth_.size();
  if (n < 3) return;
  // Splice points: inflections, and wherever the turning since the last one reaches the
  // threshold.
  const double splice = Radians(options.splice_threshold);
  cuts_.clear();
  bool increasing = false;
  double turned = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Point prev = smooth_[(i + n - 1) % n], here = smooth_[i], next = smooth_[(i + 1) % n];
    const double turn = Turn(here - prev, next - here);
    const bool up = turn >= 0;
    bool cut = false;
    if (i == 0) {
      increasing = up;
    } else if (up != increasing) {
      cut = true;
      increasing = up;
    }
    turned += turn;
    if (std::abs(turned) >= splice) cut = true;
    if (cut) {
      cuts_.push_back(i);
      turned = 0;
    }
  }
  if (cuts_.empty()) cuts_.push_back(0);
  if (cuts_.size() == 1) cuts_.push_back((cuts_[0] + n / 2) % n);

  for (std::size_t k = 0; k < cuts_.size(); ++k) {
    const std::size_t from = cuts_[k], to = cuts_[(k + 1) % cuts_.size()];
    piece_.clear();
    for (std::size_t i = from;; i = (i + 1) % n) {
      piece_.push_back(smooth_[i]);
      if (i == to) break;
    }
    if (k == 0) contour->points.push_back(piece_.front());
    const std::size_t m = piece_.size();
    FitCubics(piece_, Unit(piece_[1] - piece_[0]), Unit(piece_[m - 2] - piece_[m - 1]),
              fit_params_, &contour->points);
  }
}

}  // namespace ferry::image::vectorize
