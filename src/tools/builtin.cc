#include "tools/builtin.h"

#include "tools/diagnostics/echo.h"

namespace ferry::tools {

Result<void> RegisterBuiltinTools(Server& server) {
  const auto& config = server.config();
  if (config.tools.diagnostics) {
    if (auto r = diagnostics::Register(server); !r) return r;
  }
  return {};
}

}  // namespace ferry::tools
