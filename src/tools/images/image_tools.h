// The image tool group (tools.images): vectorize_image (raster to SVG with VTracer's parameters
// or a preset, SSIM on request), analyze_image (the six features and the class), optimize_vectorization
// (convert-and-measure parameter search within a time budget and an SSIM target) and
// vectorize_images (a batch over files inside documents.allowed_roots, with progress). Images come
// as a path inside documents.allowed_roots, base64 content or a resource URI, within
// images.max_file_size and images.max_pixels. Names and arguments are documented in docs/tools.md.
//
// Thread-safety: call Register once while setting up the server; the tools run concurrently on
// the CPU pool and share nothing mutable.
#pragma once

#include "ferry/server.h"

namespace ferry::tools::images {

Result<void> Register(Server& server);

}  // namespace ferry::tools::images
