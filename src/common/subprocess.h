// RunProcess: runs a program to completion with bytes on its standard input, collecting its
// standard output and error, within a deadline and an output cap. For tools Ferry drives as
// separate processes (tesseract for OCR), which keeps a crash or a runaway in them out of the
// server: the child is killed when the deadline passes or its output grows past the cap.
//
// The child gets only descriptors 0-2 (everything else is closed in it, so a server's sockets
// never leak into it) and the parent's environment plus `extra_env`.
//
// Thread-safety: safe from any thread; each call owns its child. The process must ignore
// SIGPIPE (Ferry's main does) so that a child exiting early cannot kill it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/result.h"

namespace ferry {

struct ProcessOptions {
  // "NAME=value" entries added to (or replacing in) the parent's environment.
  std::vector<std::string> extra_env;
  // The child is killed when this passes, and RunProcess fails with kTimeout.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // The most stdout and stderr may hold (each); past it the child is killed (kInvalidParams).
  std::size_t max_output = 64 * 1024 * 1024;
};

struct ProcessOutput {
  int exit_code = -1;   // when the child exited
  int term_signal = 0;  // when a signal ended it
  std::string out;
  std::string err;

  bool ok() const { return term_signal == 0 && exit_code == 0; }
};

// Runs argv[0] (looked up in PATH when it has no '/'). Fails with kUnsupported when the program
// cannot be started (not installed), kTimeout, kInvalidParams (output over the cap) or kIo.
Result<ProcessOutput> RunProcess(const std::vector<std::string>& argv, std::string_view input,
                                 const ProcessOptions& options = {});

// Whether `program` is an executable file, as a path or in a PATH directory.
bool ProgramExists(std::string_view program);

}  // namespace ferry
