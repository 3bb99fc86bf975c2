// Tracing: the vectorizer's second half. It turns one layer's mask into closed contours —
// outlines of its 4-connected pieces, clockwise, and of their holes, counter-clockwise — in the
// form TraceOptions::mode asks for (docs/design/vectorizer-research.md §1.6):
//  - pixel: the crack-following outline itself, one vertex where the direction changes;
//  - polygon: that outline with one-pixel staircases removed (outer corners kept, so slanted
//    edges move outward) and runs merged while the dropped points' penalty |ac|·h²/4 stays
//    under 1;
//  - spline: the polygon smoothed — corners (turns of at least corner_threshold) kept, other
//    edges longer than length_threshold subdivided by the 4-point scheme for up to
//    max_iterations passes — then cut at inflections and wherever the turning adds up to
//    splice_threshold, and each piece fitted with cubic Béziers (Schneider's least squares,
//    crossing handles retracted to their intersection).
//
// Unlike VTracer, a piece between splice points keeps every cubic the fit needs (VTracer keeps
// the first and stretches it to the piece's end), and all boundaries come from one scan of the
// mask, so holes need no separate labelling pass. Where two pixels touch only at a corner, the
// outline turns so they stay separate pieces, as VTracer's 4-connected pieces do.
//
// Cost: O(mask area) to find boundaries plus O(perimeter) to walk them; the penalty merge is
// quadratic in the length of a single straight run, as VTracer's is. Buffers live in the Tracer
// and are reused from call to call.
//
// Thread-safety: a Tracer is single-threaded scratch space; use one per thread.
#pragma once

#include <cstdint>
#include <vector>

#include "image/vectorize/params.h"
#include "image/vectorize/vector_image.h"

namespace ferry::image::vectorize {

struct TraceOptions {
  TraceMode mode = TraceMode::kSpline;
  double corner_threshold = 60;  // degrees
  double length_threshold = 4;   // pixels
  int max_iterations = 10;
  double splice_threshold = 45;  // degrees
};

class Tracer {
 public:
  // Appends the contours of `mask`'s set pixels to `out`, moved by `offset` (the mask's place in
  // the image). Contours too small to keep (fewer than 3 vertices) are left out.
  void Trace(const Bitmap& mask, Point offset, const TraceOptions& options,
             std::vector<Contour>* out);

 private:
  struct IntPoint {
    int x = 0;
    int y = 0;
    bool operator==(const IntPoint&) const = default;
  };

  // Walks the boundary cycle that starts with the horizontal edge at row `y`, column `x`; fills
  // walk_ with its corners, starting from the raster-first one and repeating it at the end.
  void Walk(const Bitmap& mask, int x, int y, bool rightward);
  void Simplify(bool clockwise);  // walk_ -> polygon_
  void Smooth(const TraceOptions& options);  // polygon_ -> smooth_ (open: last != first)
  void FitSplines(const TraceOptions& options, Contour* contour);  // smooth_ -> contour

  std::vector<std::uint8_t> visited_;  // horizontal edges already walked, (height+1) x width
  std::vector<IntPoint> walk_;
  std::vector<IntPoint> kept_;
  std::vector<IntPoint> polygon_;
  std::vector<Point> smooth_, next_smooth_;
  std::vector<std::uint8_t> corners_, next_corners_;
  std::vector<std::size_t> cuts_;
  std::vector<Point> piece_;
  std::vector<double> fit_params_;
};

}  // namespace ferry::image::vectorize
