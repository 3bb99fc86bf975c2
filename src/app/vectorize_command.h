// `ferry vectorize IMAGE|DIR... --out DIR`: PNG, JPEG and WebP images to SVG in parallel, writing
// DIR/<name without extension>.svg, with VTracer's defaults unless a preset or parameters are
// given, a progress bar on a terminal, optional SSIM and a JSON report; the exit code is 1 when
// any file failed, 2 for bad flags.
// `ferry ssim REFERENCE IMAGE...`: SSIM of each image against the reference.
//
// Thread-safety: call from main(); Vectorize runs its own worker threads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ferry::app {

struct VectorizeFlags {
  std::vector<std::string> inputs;
  std::string out = ".";
  int jobs = 0;  // 0: one per hardware thread
  std::string preset = "default";
  std::map<std::string, std::string> params;  // VTracer's parameter names -> values as given
  bool ssim = false;                          // measure SSIM against the input (white background)
  std::string report;                         // write a JSON report here
  std::size_t max_file_size = 64 * 1024 * 1024;
  std::uint64_t max_pixels = 100'000'000;
  int max_dimension = 0;  // scale larger images down first; 0 = as they are
  double timeout = 0;     // seconds per image, 0 = no limit
};

int Vectorize(const VectorizeFlags& flags);

// Prints "<ssim>\t<image>" per image; exit code 1 when any image could not be compared.
int Ssim(const std::string& reference, const std::vector<std::string>& images);

}  // namespace ferry::app
