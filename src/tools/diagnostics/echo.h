// The diagnostics tool group: `echo`, which returns its `text` argument. Used by benchmarks and
// smoke tests to measure the server itself, with no tool work in the way.
//
// Thread-safety: the handler is stateless and runs inline on the I/O thread.
#pragma once

#include "ferry/server.h"

namespace ferry::tools::diagnostics {

Result<void> Register(Server& server);

}  // namespace ferry::tools::diagnostics
