#include "tools/builtin.h"

#include "tools/diagnostics/echo.h"
#include "tools/documents/documents.h"
#include "tools/images/image_tools.h"

namespace ferry::tools {

Result<void> RegisterBuiltinTools(Server& server) {
  const auto& config = server.config();
  if (config.tools.diagnostics) {
    if (auto r = diagnostics::Register(server); !r) return r;
  }
  if (config.tools.documents) {
    if (auto r = documents::Register(server); !r) return r;
  }
  if (config.tools.images) {
    if (auto r = images::Register(server); !r) return r;
  }
  return {};
}

}  // namespace ferry::tools
