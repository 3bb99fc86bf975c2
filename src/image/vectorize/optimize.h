// Optimize: parameter selection that converts and measures. It classifies the image
// (analysis/features.h), starts from the preset for that class, and climbs: while the SSIM target
// is missed it tries richer parameters (more colour precision, smaller layer difference, smaller
// speckles), keeping any that raise SSIM; once the target is met it tries leaner ones (fewer
// colours, larger speckles), keeping any that still meet it with a smaller SVG. It stops when no
// move helps or the next trial would not fit the time budget, and returns the best result found
// (the smallest SVG meeting the target, else the highest SSIM) with every trial it made.
//
// Thread-safety: a pure function.
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "image/analysis/features.h"
#include "image/vectorize/vectorize.h"

namespace ferry::image::vectorize {

struct OptimizeOptions {
  double target_ssim = 0.9;
  std::chrono::milliseconds budget{10'000};
  std::array<std::uint8_t, 3> background{255, 255, 255};
  int max_trials = 24;
};

struct Trial {
  VectorizeParams params;
  double ssim = 0;
  double seconds = 0;  // vectorizing, rendering back and measuring
  std::size_t svg_bytes = 0;
  std::size_t paths = 0;
};

struct Optimized {
  analysis::Features features;
  analysis::Classification classification;
  std::string start_preset;
  Vectorized best;
  std::string svg;  // best, written at its path_precision
  std::size_t best_trial = 0;  // index into trials
  bool target_met = false;
  std::vector<Trial> trials;
};

// The preset the optimizer starts from for an image class: simple -> speed, gradient -> quality,
// text and complex -> balanced.
std::string_view StartPreset(analysis::ImageClass image_class);

// The first trial always runs (bounded only by `control`, so there is a result however small the
// budget) and the call fails only when it fails; later trials that fail or would overrun the
// budget end the search.
Result<Optimized> Optimize(const Image& image, const OptimizeOptions& options,
                           const Control& control = {});

}  // namespace ferry::image::vectorize
