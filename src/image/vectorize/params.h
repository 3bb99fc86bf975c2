// VectorizeParams: the vectorizer's parameters, with VTracer's names, defaults and meanings
// (docs/design/vectorizer-research.md, section 1.1), the seed's presets (speed, balanced,
// quality) and validation that names the parameter, the value and the allowed range, as in
// "color_precision: 10 is out of range [1, 8]".
//
// Ranges are VTracer's command-line ranges, except where VTracer states none or the seed needs
// more: length_threshold is [1, 10] (VTracer's CLI allows [3.5, 10], but its library takes any
// positive value and the seed's quality preset uses 2.0), max_iterations [1, 50] (VTracer needs
// at least 1), path_precision [0, 16] (VTracer's web app).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <boost/json.hpp>

#include <span>
#include <string_view>

#include "ferry/result.h"

namespace ferry::image::vectorize {

enum class ColorMode : std::uint8_t { kColor, kBinary };
enum class Hierarchy : std::uint8_t { kStacked, kCutout };
enum class TraceMode : std::uint8_t { kPixel, kPolygon, kSpline };

// VTracer's defaults.
struct VectorizeParams {
  ColorMode color_mode = ColorMode::kColor;
  Hierarchy hierarchical = Hierarchy::kStacked;
  TraceMode mode = TraceMode::kSpline;
  int filter_speckle = 4;       // clusters of at most filter_speckle^2 pixels are dropped
  int color_precision = 6;      // significant bits per channel when comparing colours
  int layer_difference = 16;    // colour distance (L1 over RGB) that makes a cluster a layer
  int corner_threshold = 60;    // degrees: a sharper turn is a corner
  double length_threshold = 4;  // pixels: longer segments are subdivided when smoothing
  int max_iterations = 10;      // smoothing iterations
  int splice_threshold = 45;    // degrees of turning that start a new curve
  int path_precision = 2;       // decimal places in the SVG's path coordinates

  bool operator==(const VectorizeParams&) const = default;
};

// A numeric parameter's name and range, for validation and documentation.
struct NumericRange {
  std::string_view name;
  double min, max;
  bool integer;
};
std::span<const NumericRange> NumericRanges();

// The preset's parameters: "default" (VTracer's), "speed", "balanced", "quality" (the seed's
// SPEED_OPTIMIZED, BALANCED_OPTIMIZED, QUALITY_OPTIMIZED: what they do not set stays VTracer's).
Result<VectorizeParams> Preset(std::string_view name);

// kInvalidParams naming the first parameter out of range.
Result<void> Validate(const VectorizeParams& params);

// `base` with the parameters `args` names (VTracer's names; "preset" and keys in `ignore` are
// skipped), validated. Unknown names, wrong types and out-of-range values are errors naming them.
Result<VectorizeParams> ApplyJson(VectorizeParams base, const boost::json::object& args,
                                  std::span<const std::string_view> ignore = {});

boost::json::object ToJson(const VectorizeParams& params);

}  // namespace ferry::image::vectorize
