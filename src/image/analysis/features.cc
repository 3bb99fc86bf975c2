#include "image/analysis/features.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "image/decode.h"

namespace ferry::image::analysis {
namespace {

constexpr int kMaxSide = 800;
constexpr double kEdgeLevels = 32;    // gradient of an edge, grey levels
constexpr double kShadingFloor = 0.5; // below: flat
constexpr double kHarrisK = 0.04;

struct Plane {
  int width = 0, height = 0;
  std::vector<double> v;
  double at(int x, int y) const {
    x = std::clamp(x, 0, width - 1);
    y = std::clamp(y, 0, height - 1);
    return v[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)];
  }
};

}  // namespace

std::string_view ToString(ImageClass c) {
  switch (c) {
    case ImageClass::kSimple: return "simple";
    case ImageClass::kText: return "text";
    case ImageClass::kGradient: return "gradient";
    case ImageClass::kComplex: return "complex";
  }
  return "complex";
}

Result<Features> Analyze(const Image& input) {
  if (!input.Valid()) return Fail(ErrorCode::kInvalidParams, "cannot analyze an invalid image");
  const Image img = ToRgba(Downscale(input, kMaxSide));
  const int w = img.width, h = img.height;
  const std::size_t n = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);

  // Composite over white; luma; colours at 5 bits per channel; the luma histogram.
  Plane luma{w, h, std::vector<double>(n)};
  std::vector<bool> seen(1 << 15);
  std::size_t distinct = 0;
  std::vector<std::size_t> histogram(256);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = img.pixels.data() + i * 4;
    const double a = p[3] / 255.0;
    double rgb[3];
    for (int k = 0; k < 3; ++k) rgb[k] = p[k] * a + 255 * (1 - a);
    const auto q = [&](int k) { return static_cast<unsigned>(rgb[k] + 0.5) >> 3; };
    const unsigned key = q(0) << 10 | q(1) << 5 | q(2);
    if (!seen[key]) seen[key] = true, ++distinct;
    luma.v[i] = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
    ++histogram[static_cast<std::size_t>(std::clamp(luma.v[i] + 0.5, 0.0, 255.0))];
  }
  Features f;
  f.unique_colors = std::log2(1.0 + static_cast<double>(distinct)) / 15.0;
  double entropy = 0;
  for (std::size_t count : histogram) {
    if (count == 0) continue;
    const double p = static_cast<double>(count) / static_cast<double>(n);
    entropy -= p * std::log2(p);
  }
  f.entropy = entropy / 8.0;

  // Sobel gradients (scaled so a step of contrast c reads c), edges, shading, structure tensor.
  Plane gxx{w, h, std::vector<double>(n)}, gyy = gxx, gxy = gxx;
  std::size_t edges = 0, shading = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const double gx = (luma.at(x + 1, y - 1) + 2 * luma.at(x + 1, y) + luma.at(x + 1, y + 1) -
                         luma.at(x - 1, y - 1) - 2 * luma.at(x - 1, y) - luma.at(x - 1, y + 1)) / 4;
      const double gy = (luma.at(x - 1, y + 1) + 2 * luma.at(x, y + 1) + luma.at(x + 1, y + 1) -
                         luma.at(x - 1, y - 1) - 2 * luma.at(x, y - 1) - luma.at(x + 1, y - 1)) / 4;
      const double m = std::hypot(gx, gy);
      if (m >= kEdgeLevels) {
        ++edges;
      } else if (m >= kShadingFloor) {
        ++shading;
      }
      const std::size_t i = static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x);
      gxx.v[i] = gx * gx, gyy.v[i] = gy * gy, gxy.v[i] = gx * gy;
    }
  }
  f.edge_density = static_cast<double>(edges) / static_cast<double>(n);
  f.gradient_strength = static_cast<double>(shading) / static_cast<double>(n);

  // Harris response over 3x3 sums of the tensor, then local maxima above 1% of the strongest.
  Plane response{w, h, std::vector<double>(n)};
  double strongest = 0;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      double a = 0, b = 0, c = 0;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          a += gxx.at(x + dx, y + dy), b += gyy.at(x + dx, y + dy), c += gxy.at(x + dx, y + dy);
        }
      }
      const double r = a * b - c * c - kHarrisK * (a + b) * (a + b);
      response.v[static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)] = r;
      strongest = std::max(strongest, r);
    }
  }
  std::size_t corners = 0;
  if (strongest > 0) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const double r = response.at(x, y);
        if (r <= 0.01 * strongest) continue;
        // A peak beats its neighbours; on a plateau of equal responses only the first pixel in
        // reading order counts.
        bool peak = true;
        for (int dy = -1; dy <= 1 && peak; ++dy) {
          for (int dx = -1; dx <= 1 && peak; ++dx) {
            const int nx = x + dx, ny = y + dy;
            if ((dx == 0 && dy == 0) || nx < 0 || nx >= w || ny < 0 || ny >= h) continue;
            const double other = response.at(nx, ny);
            const bool later = dy > 0 || (dy == 0 && dx > 0);
            peak = other < r || (other == r && later);
          }
        }
        corners += peak;
      }
    }
  }
  f.corner_density = std::min(1.0, static_cast<double>(corners) / static_cast<double>(n) * 100);
  f.complexity = 0.30 * f.edge_density + 0.25 * f.entropy + 0.20 * f.corner_density +
                 0.15 * f.gradient_strength + 0.10 * f.unique_colors;
  return f;
}

Classification Classify(const Features& f) {
  if (f.edge_density < 0.2 && f.unique_colors < 0.3 && f.entropy < 0.4) {
    const double worst = std::max({f.edge_density, f.unique_colors, f.entropy});
    return {ImageClass::kSimple, std::clamp(1 - worst, 0.7, 0.95)};
  }
  if (f.corner_density > 0.3 && f.unique_colors < 0.4 && f.edge_density >= 0.1 &&
      f.edge_density <= 0.4) {
    return {ImageClass::kText, std::min(f.corner_density + 0.2, 0.95)};
  }
  if (f.gradient_strength > 0.5 && f.unique_colors > 0.6) {
    return {ImageClass::kGradient,
            std::max(0.6, std::min(f.gradient_strength + f.unique_colors - 0.5, 0.9))};
  }
  return {ImageClass::kComplex, std::clamp(f.complexity + 0.2, 0.5, 0.8)};
}

}  // namespace ferry::image::analysis
