#include "tools/allowed_paths.h"

namespace ferry::tools {
namespace fs = std::filesystem;

namespace {

bool Inside(const fs::path& path, const fs::path& root) {
  auto p = path.begin();
  for (auto r = root.begin(); r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // a trailing separator
    if (p == path.end() || *p != *r) return false;
  }
  return true;
}

}  // namespace

Result<fs::path> ResolveAllowedPath(std::string_view requested,
                                    const std::vector<std::string>& roots, bool must_exist) {
  if (roots.empty()) {
    return Fail(ErrorCode::kInvalidParams,
                "file access is off: this server has no documents.allowed_roots (send the "
                "content as base64 instead)");
  }
  if (requested.empty() || requested.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidParams, "invalid path");
  }
  std::error_code ec;
  const fs::path raw(requested);
  fs::path resolved;
  if (must_exist) {
    resolved = fs::canonical(raw, ec);
    if (ec) return Fail(ErrorCode::kNotFound, std::string(requested) + ": " + ec.message());
  } else {
    // The file may not exist yet: resolve its directory.
    const fs::path dir = fs::canonical(raw.has_parent_path() ? raw.parent_path() : fs::path("."), ec);
    if (ec) return Fail(ErrorCode::kNotFound, std::string(requested) + ": " + ec.message());
    if (!raw.has_filename() || raw.filename() == "." || raw.filename() == "..") {
      return Fail(ErrorCode::kInvalidParams, std::string(requested) + ": not a file name");
    }
    resolved = dir / raw.filename();
    if (fs::is_symlink(resolved, ec)) {
      return Fail(ErrorCode::kInvalidParams,
                  std::string(requested) + ": refusing to write through a symbolic link");
    }
  }
  for (const auto& root : roots) {
    const fs::path canonical_root = fs::canonical(root, ec);
    if (ec) continue;  // a root that does not exist admits nothing
    if (Inside(resolved, canonical_root)) return resolved;
  }
  return Fail(ErrorCode::kInvalidParams,
              std::string(requested) + " is outside the allowed directories (documents.allowed_roots)");
}

}  // namespace ferry::tools
