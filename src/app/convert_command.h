// `ferry convert FILE|DIR... --to md|json|html|text|chunks --out DIR --jobs N`: converts documents
// in parallel, writing DIR/<name without extension>.<md|json|html|txt|chunks.json>, with a
// progress line on a terminal (plain lines otherwise) and a summary (files, pages, failures,
// time); the exit code is 1 when any file failed, 2 for bad flags.
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
  std::size_t max_memory = 1024 * 1024 * 1024;
  // PDF: the password, the pages to convert (last 0 = to the end), the most pages a file may have.
  std::string password;
  int first_page = 1;
  int last_page = 0;
  int max_pages = 10'000;
  // Seconds one document may take; PDF pages not started by then are left out (0 = no limit).
  double timeout = 0;
  // --to chunks: hybrid or hierarchical, the hybrid token budget, a tiktoken rank file.
  std::string chunker = "hybrid";
  std::size_t max_tokens = 512;
  std::string tokenizer_file;
};

int Convert(const ConvertFlags& flags);

}  // namespace ferry::app
