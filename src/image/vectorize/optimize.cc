#include "image/vectorize/optimize.h"

#include <algorithm>
#include <functional>

#include "image/vectorize/svg_writer.h"

namespace ferry::image::vectorize {
namespace {

using Clock = std::chrono::steady_clock;
using Move = std::function<VectorizeParams(VectorizeParams)>;

// Moves that add detail, in the order they usually pay off.
const std::vector<Move>& RicherMoves() {
  static const std::vector<Move> kMoves = {
      [](VectorizeParams p) { p.color_precision = std::min(8, p.color_precision + 1); return p; },
      [](VectorizeParams p) { p.layer_difference = std::max(1, p.layer_difference / 2); return p; },
      [](VectorizeParams p) { p.filter_speckle = std::max(0, p.filter_speckle - 2); return p; },
      [](VectorizeParams p) { p.corner_threshold = std::max(10, p.corner_threshold - 20); return p; },
  };
  return kMoves;
}

// Moves that remove detail (a smaller SVG), in the order they usually cost the least SSIM.
const std::vector<Move>& LeanerMoves() {
  static const std::vector<Move> kMoves = {
      [](VectorizeParams p) { p.filter_speckle = std::min(16, p.filter_speckle + 2); return p; },
      [](VectorizeParams p) {
        p.layer_difference = std::min(255, std::max(8, p.layer_difference * 2));
        return p;
      },
      [](VectorizeParams p) { p.color_precision = std::max(1, p.color_precision - 1); return p; },
  };
  return kMoves;
}

}  // namespace

std::string_view StartPreset(analysis::ImageClass image_class) {
  switch (image_class) {
    case analysis::ImageClass::kSimple: return "speed";
    case analysis::ImageClass::kGradient: return "quality";
    default: return "balanced";
  }
}

Result<Optimized> Optimize(const Image& image, const OptimizeOptions& options,
                           const Control& control) {
  const auto start = Clock::now();
  const auto budget_end = start + options.budget;
  Control bounded = control;
  bounded.deadline = std::min(control.deadline, budget_end);

  Optimized out;
  auto features = analysis::Analyze(image);
  if (!features) return Fail(features.error());
  out.features = *features;
  out.classification = analysis::Classify(*features);
  out.start_preset = std::string(StartPreset(out.classification.image_class));

  struct Candidate {
    Vectorized result;
    std::string svg;
  };
  Candidate best;
  // Runs one trial; false when it failed or ran out of time.
  auto run = [&](const VectorizeParams& params, const Control& limits, Result<void>* error) {
    const auto t0 = Clock::now();
    auto v = Vectorize(image, params, limits);
    if (!v) {
      if (error) *error = Fail(v.error());
      return false;
    }
    auto ssim = MeasureSsim(image, v->image, options.background);
    if (!ssim) {
      if (error) *error = Fail(ssim.error());
      return false;
    }
    std::string svg = WriteSvg(v->image, params.path_precision);
    Trial t{params, *ssim, std::chrono::duration<double>(Clock::now() - t0).count(), svg.size(),
            v->stats.paths};
    const bool meets = t.ssim >= options.target_ssim;
    bool better = out.trials.empty();
    if (!better) {
      const Trial& b = out.trials[out.best_trial];
      const bool best_meets = b.ssim >= options.target_ssim;
      better = meets ? (!best_meets || t.svg_bytes < b.svg_bytes) : (!best_meets && t.ssim > b.ssim);
    }
    out.trials.push_back(t);
    if (better) {
      out.best_trial = out.trials.size() - 1;
      best = {std::move(*v), std::move(svg)};
    }
    return true;
  };

  Result<void> first_error;
  if (!run(*Preset(out.start_preset), control, &first_error)) return Fail(first_error.error());

  auto tried = [&](const VectorizeParams& p) {
    return std::any_of(out.trials.begin(), out.trials.end(),
                       [&](const Trial& t) { return t.params == p; });
  };
  bool moved = true;
  while (moved && static_cast<int>(out.trials.size()) < options.max_trials) {
    moved = false;
    const Trial current = out.trials[out.best_trial];
    const bool meets = current.ssim >= options.target_ssim;
    for (const Move& move : meets ? LeanerMoves() : RicherMoves()) {
      const VectorizeParams next = move(current.params);
      if (tried(next) || !Validate(next)) continue;
      // The next trial should take about as long as the last: skip it when it would not fit.
      if (Clock::now() + std::chrono::duration<double>(out.trials.back().seconds) > budget_end)
        break;
      if (!run(next, bounded, nullptr)) break;
      if (out.best_trial == out.trials.size() - 1) {
        moved = true;
        break;
      }
      if (static_cast<int>(out.trials.size()) >= options.max_trials) break;
    }
  }
  out.target_met = out.trials[out.best_trial].ssim >= options.target_ssim;
  out.best = std::move(best.result);
  out.svg = std::move(best.svg);
  return out;
}

}  // namespace ferry::image::vectorize
