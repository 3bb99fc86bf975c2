// Running one command-line job over many files (`ferry convert`, `ferry vectorize`): expanding
// the inputs, claiming distinct output names, a pool of worker threads, a progress line on a
// terminal (a line per file otherwise) and every failure on stderr.
//
// Thread-safety: RunBatch calls `work` from several threads at once; OutputClaims is safe to use
// from them.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace ferry::app {

// Files as given, and under each directory (recursively, sorted so runs are reproducible) the
// files `wanted` accepts. Inputs that do not exist are reported in `errors`.
std::vector<std::filesystem::path> ExpandInputs(
    const std::vector<std::string>& inputs,
    const std::function<bool(const std::filesystem::path&)>& wanted,
    std::vector<std::string>& errors);

// What one file's work produced: an error, or a line describing the success; `note` is printed
// even on a terminal (a warning worth keeping, such as a partial result).
struct FileOutcome {
  std::string error;
  std::string done;
  std::string note;
};

// Runs `work` on every file with `jobs` threads (0: one per hardware thread) and returns how many
// failed.
std::size_t RunBatch(const std::vector<std::filesystem::path>& files, unsigned jobs,
                     const std::function<FileOutcome(const std::filesystem::path&)>& work);

// The number of worker threads RunBatch uses for `jobs`.
unsigned BatchJobs(int jobs);

// Output paths claimed in this run: two inputs with the same stem must not overwrite each other.
class OutputClaims {
 public:
  // False when another input already claimed `target`.
  bool Claim(const std::filesystem::path& target) {
    std::lock_guard lock(mutex_);
    return claimed_.insert(target).second;
  }

 private:
  std::mutex mutex_;
  std::set<std::filesystem::path> claimed_;
};

}  // namespace ferry::app
