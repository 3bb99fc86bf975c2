// SSIM, the structural similarity index of Wang, Bovik, Sheikh and Simoncelli, "Image Quality
// Assessment: From Error Visibility to Structural Similarity" (IEEE TIP 13(4), 2004), as the
// paper defines it: an 11x11 circular-symmetric Gaussian window with sigma 1.5 (normalized to sum
// 1), K1 = 0.01, K2 = 0.03, L = 255, C1 = (K1 L)^2, C2 = (K2 L)^2, the SSIM map over every window
// that fits inside the image (no padding), and its mean (MSSIM). No downsampling.
//
// The paper works on one channel. Colour and transparency are brought to it the same way for both
// images: each pixel is composited over the same opaque background (straight alpha), then reduced
// to luma Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601).
//
// Cost: linear in pixels (separable filtering), memory for 11 rows of five filtered planes.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>

#include "ferry/result.h"
#include "image/image.h"

namespace ferry::image {

struct SsimOptions {
  std::array<std::uint8_t, 3> background{255, 255, 255};  // RGB under transparent pixels
};

// The mean SSIM of `a` and `b`, in [-1, 1] (1 for identical images). Fails (kInvalidParams) when
// an image is not Valid(), their sizes differ, or they are smaller than the 11x11 window.
Result<double> Ssim(const Image& a, const Image& b, const SsimOptions& options = {});

}  // namespace ferry::image
