// The stdio transport: MCP over a pair of file descriptors (stdin/stdout of a process launched by
// its client), newline-delimited JSON-RPC, as the MCP spec's stdio transport describes.
//
// stdout carries only protocol messages (logs go to stderr). Requests are served concurrently and
// answered as they finish; reading pauses while performance.backpressure_threshold requests run,
// and writers block while more than max(16 MiB, 2 x max_message_size) of output waits for a slow
// reader. At end of input the transport finishes in-flight work within
// performance.shutdown_timeout, cancels what is left, flushes its output and returns.
//
// Thread-safety: ServeStdio blocks its calling thread; it stops early on runtime::RequestStop().
#pragma once

#include "ferry/result.h"

namespace ferry::protocol {
class ServerCore;
}

namespace ferry::transport {

Result<void> ServeStdio(protocol::ServerCore& core, int input_fd, int output_fd);

}  // namespace ferry::transport
