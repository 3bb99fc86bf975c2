// The built-in tool families, registered explicitly in one list (no static initializers), each
// switchable by configuration.
//
// Thread-safety: call once while setting up a server.
#pragma once

#include "ferry/server.h"

namespace ferry::tools {

Result<void> RegisterBuiltinTools(Server& server);

}  // namespace ferry::tools
