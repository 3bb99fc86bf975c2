// WriteSvg: a VectorImage as an SVG document laid out as VTracer lays it out (one <path> per
// shape, translated so its first point is the origin, absolute M/L/C/Z commands, fill
// #RRGGBB, nonzero rule), plus a viewBox so the picture scales.
//
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "image/vectorize/vector_image.h"

namespace ferry::image::vectorize {

// `path_precision` is the number of decimal places of path coordinates (trailing zeros and a
// trailing dot are dropped; 0 writes integers), in [0, 16].
std::string WriteSvg(const VectorImage& image, int path_precision);

}  // namespace ferry::image::vectorize
