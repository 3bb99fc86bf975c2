#include "image/ssim.h"

#include <cmath>
#include <string>
#include <vector>

namespace ferry::image {
namespace {

constexpr int kWindow = 11;
constexpr double kSigma = 1.5;
constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
constexpr double kC2 = (0.03 * 255) * (0.03 * 255);

// The 1-D Gaussian whose outer product is the paper's 2-D window (both normalized).
std::array<double, kWindow> Kernel() {
  std::array<double, kWindow> k{};
  double sum = 0;
  for (int i = 0; i < kWindow; ++i) {
    const double d = i - kWindow / 2;
    k[static_cast<std::size_t>(i)] = std::exp(-(d * d) / (2 * kSigma * kSigma));
    sum += k[static_cast<std::size_t>(i)];
  }
  for (double& v : k) v /= sum;
  return k;
}

// One row of luma: composited over the background, then BT.601 weights.
void LumaRow(const Image& img, int y, const SsimOptions& options, std::vector<double>& out) {
  const std::uint8_t* p = img.At(0, y);
  const double bg = 0.299 * options.background[0] + 0.587 * options.background[1] +
                    0.114 * options.background[2];
  for (int x = 0; x < img.width; ++x, p += img.channels) {
    double luma;
    if (img.channels == 1) {
      luma = p[0];
    } else {
      luma = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    }
    if (img.channels == 4) {
      // Compositing is linear, so it may follow the (linear) luma weights.
      const double alpha = p[3] / 255.0;
      luma = luma * alpha + bg * (1 - alpha);
    }
    out[static_cast<std::size_t>(x)] = luma;
  }
}

}  // namespace

Result<double> Ssim(const Image& a, const Image& b, const SsimOptions& options) {
  if (!a.Valid() || !b.Valid()) return Fail(ErrorCode::kInvalidParams, "SSIM of an invalid image");
  if (a.width != b.width || a.height != b.height) {
    return Fail(ErrorCode::kInvalidParams,
                "SSIM needs images of one size, not " + std::to_string(a.width) + "x" +
                    std::to_string(a.height) + " and " + std::to_string(b.width) + "x" +
                    std::to_string(b.height));
  }
  if (a.width < kWindow || a.height < kWindow) {
    return Fail(ErrorCode::kInvalidParams, "SSIM needs images of at least 11x11 pixels");
  }
  const auto kernel = Kernel();
  const int w = a.width;
  const int out_w = w - kWindow + 1;
  // Per input row, the horizontal pass of the five quantities (x, y, x^2, y^2, xy), kept for the
  // last 11 rows: the vertical pass then needs no full-size plane.
  constexpr int kPlanes = 5;
  std::vector<double> ring(static_cast<std::size_t>(kWindow) * kPlanes * out_w);
  auto slot = [&](int row, int plane) {
    return ring.data() + (static_cast<std::size_t>(row % kWindow) * kPlanes + plane) * out_w;
  };
  std::vector<double> la(static_cast<std::size_t>(w)), lb(static_cast<std::size_t>(w));
  double sum = 0;
  for (int y = 0; y < a.height; ++y) {
    LumaRow(a, y, options, la);
    LumaRow(b, y, options, lb);
    double* h[kPlanes];
    for (int p = 0; p < kPlanes; ++p) h[p] = slot(y, p);
    for (int x = 0; x < out_w; ++x) {
      double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      for (int k = 0; k < kWindow; ++k) {
        const double g = kernel[static_cast<std::size_t>(k)];
        const double u = la[static_cast<std::size_t>(x + k)], v = lb[static_cast<std::size_t>(x + k)];
        sx += g * u;
        sy += g * v;
        sxx += g * u * u;
        syy += g * v * v;
        sxy += g * u * v;
      }
      h[0][x] = sx, h[1][x] = sy, h[2][x] = sxx, h[3][x] = syy, h[4][x] = sxy;
    }
    if (y < kWindow - 1) continue;
    // Rows y-10 .. y are in the ring: one output row of the SSIM map.
    const int top = y - kWindow + 1;
    for (int x = 0; x < out_w; ++x) {
      double m[kPlanes] = {0, 0, 0, 0, 0};
      for (int k = 0; k < kWindow; ++k) {
        const double g = kernel[static_cast<std::size_t>(k)];
        for (int p = 0; p < kPlanes; ++p) m[p] += g * slot(top + k, p)[x];
      }
      const double mx = m[0], my = m[1];
      const double vx = m[2] - mx * mx, vy = m[3] - my * my, cxy = m[4] - mx * my;
      sum += ((2 * mx * my + kC1) * (2 * cxy + kC2)) /
             ((mx * mx + my * my + kC1) * (vx + vy + kC2));
    }
  }
  const double windows = static_cast<double>(out_w) * (a.height - kWindow + 1);
  return sum / windows;
}

}  // namespace ferry::image
