// Which files a client may name: a path is accepted only when, with symbolic links and ".."
// resolved, it lies inside one of the configured roots (documents.allowed_roots). With no roots,
// no path is accepted.
//
// Thread-safety: a pure function (it reads the file system).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/result.h"

namespace ferry::tools {

// `must_exist`: reading (the file must exist) rather than writing (its directory must).
Result<std::filesystem::path> ResolveAllowedPath(std::string_view requested,
                                                 const std::vector<std::string>& roots,
                                                 bool must_exist = true);

}  // namespace ferry::tools
