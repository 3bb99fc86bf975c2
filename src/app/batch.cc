#include "app/batch.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

namespace ferry::app {
namespace fs = std::filesystem;

std::vector<fs::path> ExpandInputs(const std::vector<std::string>& inputs,
                                   const std::function<bool(const fs::path&)>& wanted,
                                   std::vector<std::string>& errors) {
  std::vector<fs::path> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    const fs::path p(input);
    if (fs::is_directory(p, ec)) {
      std::set<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (it->is_regular_file(ec) && wanted(it->path())) found.insert(it->path());
      }
      if (ec) errors.push_back(input + ": " + ec.message());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      errors.push_back(input + ": no such file or directory");
    }
  }
  return files;
}

unsigned BatchJobs(int jobs) {
  return jobs > 0 ? static_cast<unsigned>(jobs) : std::max(1u, std::thread::hardware_concurrency());
}

std::size_t RunBatch(const std::vector<fs::path>& files, unsigned jobs,
                     const std::function<FileOutcome(const fs::path&)>& work) {
  const bool tty = isatty(STDERR_FILENO) == 1;
  std::atomic<std::size_t> next{0}, done{0}, failed{0};
  std::mutex output;  // one line at a time on stderr
  auto worker = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      const FileOutcome outcome = work(files[i]);
      const std::size_t n = ++done;
      if (!outcome.error.empty()) ++failed;
      std::lock_guard lock(output);
      if (tty) std::fprintf(stderr, "\r\033[K");
      if (!outcome.note.empty())
        std::fprintf(stderr, "%s: %s\n", files[i].string().c_str(), outcome.note.c_str());
      if (!outcome.error.empty()) {
        std::fprintf(stderr, "FAILED %s: %s\n", files[i].string().c_str(), outcome.error.c_str());
      } else if (!tty) {
        std::fprintf(stderr, "%s\n", outcome.done.c_str());
      }
      if (tty) {
        const int width = 30;
        const int filled = static_cast<int>(width * n / files.size());
        std::fprintf(stderr, "[%.*s%*s] %zu/%zu %s", filled, "##############################",
                     width - filled, "", n, files.size(), files[i].filename().string().c_str());
        std::fflush(stderr);
      }
    }
  };
  std::vector<std::thread> threads;
  const std::size_t count = std::min<std::size_t>(jobs, std::max<std::size_t>(files.size(), 1));
  for (std::size_t j = 0; j < count; ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (tty) std::fprintf(stderr, "\r\033[K");
  return failed;
}

}  // namespace ferry::app
