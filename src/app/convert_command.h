// `ferry convert FILE|DIR... --to md|json|html|text --out DIR --jobs N`: converts documents in
// parallel, writing DIR/<name without extension>.<md|json|html|txt>, with a progress line on a terminal
// (plain lines otherwise) and a summary; the exit code is 1 when any file failed.
//
// Thread-safety: call from main(); it runs its own worker threads.
#pragma once

#include <string>
#include <vector>

namespace ferry::app {

struct ConvertFlags {
  std::vector<std::string> inputs;
  std::string to = "md";
  std::string out = ".";
  int jobs = 0;  // 0: one per hardware thread
  std::size_t max_file_size = 64 * 1024 * 1024;
};

int Convert(const ConvertFlags& flags);

}  // namespace ferry::app
