// The `ferry` command line: subcommands `serve` and `config`, shared by the `ferry` binary and by
// programs that embed Ferry with extra tools (the test fixture server, user programs).
//
// Thread-safety: call once from main().
#pragma once

#include <functional>

#include "ferry/server.h"

namespace ferry::app {

// Extra registrations applied to the server after the built-in tools, before serving.
using RegisterExtras = std::function<Result<void>(Server&)>;

// Parses argv, runs the chosen subcommand and returns the process exit code.
int RunCli(int argc, char** argv, const RegisterExtras& extras = {});

}  // namespace ferry::app
