// Image analysis for the vectorizer: six features in [0, 1] and the seed's classifier (simple,
// text, gradient, complex) with its confidence. The seed names the features but does not define
// them; Ferry's definitions are deterministic and linear in pixels, computed on a copy reduced to
// at most 800 pixels a side (as the seed does) and composited over white:
//   unique_colors      log2(1 + distinct colours at 5 bits per channel) / 15
//   edge_density       share of pixels whose luma gradient (Sobel / 4, so a step of contrast c
//                      reads c) is at least 32 grey levels
//   entropy            Shannon entropy of the 256-bin luma histogram / 8
//   corner_density     Harris corners (3x3 structure tensor, k = 0.04) that are 3x3 local maxima
//                      above 1% of the image's strongest response, per 100 pixels, capped at 1
//   gradient_strength  share of pixels in smooth shading: gradient between 0.5 and 32 levels
//   complexity         0.30 edge + 0.25 entropy + 0.20 corner + 0.15 gradient + 0.10 colours
// The classifier's rules and confidences are the seed's (OptimizedClassifier), checked in order.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "ferry/result.h"
#include "image/image.h"

namespace ferry::image::analysis {

struct Features {
  double unique_colors = 0;
  double edge_density = 0;
  double entropy = 0;
  double corner_density = 0;
  double gradient_strength = 0;
  double complexity = 0;
};

enum class ImageClass : std::uint8_t { kSimple, kText, kGradient, kComplex };
std::string_view ToString(ImageClass c);  // "simple", "text", "gradient", "complex"

struct Classification {
  ImageClass image_class = ImageClass::kComplex;
  double confidence = 0;
};

// Fails (kInvalidParams) for an image that is not Valid().
Result<Features> Analyze(const Image& image);
Classification Classify(const Features& features);

}  // namespace ferry::image::analysis
