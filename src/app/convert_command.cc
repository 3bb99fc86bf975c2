#include "app/convert_command.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "document/chunker.h"
#include "document/convert.h"
#include "document/export.h"

namespace ferry::app {
namespace fs = std::filesystem;
namespace {

// The files to convert: files as given, and the files under each directory (recursively) whose
// extension names a format Ferry reads.
std::vector<fs::path> Expand(const std::vector<std::string>& inputs, std::vector<std::string>& errors) {
  std::vector<fs::path> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    const fs::path p(input);
    if (fs::is_directory(p, ec)) {
      std::set<fs::path> found;  // sorted, so runs are reproducible
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        const auto format = document::DetectFormat(it->path().filename().string(), {});
        if (format != document::Format::kText || it->path().extension() == ".txt") {
          found.insert(it->path());
        }
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

std::string Extension(const std::string& to) {
  if (to == "json") return ".json";
  if (to == "text") return ".txt";
  if (to == "html") return ".html";
  if (to == "chunks") return ".chunks.json";
  return ".md";
}

std::string Render(const document::Document& doc, const ConvertFlags& flags,
                   const document::Tokenizer& tokenizer) {
  const std::string& to = flags.to;
  if (to == "json") return boost::json::serialize(document::ToDoclingJson(doc)) + "\n";
  if (to == "text") return document::ToText(doc) + "\n";
  if (to == "html") return document::ToHtml(doc);
  if (to == "chunks") {
    const auto chunks = flags.chunker == "hierarchical"
                            ? document::ChunkHierarchical(doc, tokenizer)
                            : document::ChunkHybrid(doc, tokenizer, {.max_tokens = flags.max_tokens});
    return boost::json::serialize(document::ToJson(chunks, tokenizer.name())) + "\n";
  }
  return document::ToMarkdown(doc) + "\n";
}

}  // namespace

int Convert(const ConvertFlags& flags) {
  if (flags.to != "md" && flags.to != "json" && flags.to != "text" && flags.to != "html" &&
      flags.to != "chunks") {
    std::fprintf(stderr, "ferry convert: --to %s: use md, json, html, text or chunks\n",
                 flags.to.c_str());
    return 2;
  }
  if (flags.chunker != "hybrid" && flags.chunker != "hierarchical") {
    std::fprintf(stderr, "ferry convert: --chunker %s: use hybrid or hierarchical\n",
                 flags.chunker.c_str());
    return 2;
  }
  if (flags.last_page != 0 && flags.last_page < flags.first_page) {
    std::fprintf(stderr, "ferry convert: --last-page %d is before --first-page %d\n",
                 flags.last_page, flags.first_page);
    return 2;
  }
  std::unique_ptr<document::Tokenizer> tokenizer;
  if (!flags.tokenizer_file.empty()) {
    auto bpe = document::BpeTokenizer::Load(flags.tokenizer_file);
    if (!bpe) {
      std::fprintf(stderr, "ferry convert: --tokenizer-file: %s\n", bpe.error().message.c_str());
      return 2;
    }
    tokenizer = std::move(*bpe);
  } else {
    tokenizer = std::make_unique<document::ApproxTokenizer>();
  }
  std::vector<std::string> errors;
  const auto files = Expand(flags.inputs, errors);
  for (const auto& e : errors) std::fprintf(stderr, "ferry convert: %s\n", e.c_str());
  std::error_code ec;
  fs::create_directories(flags.out, ec);
  if (ec) {
    std::fprintf(stderr, "ferry convert: --out %s: %s\n", flags.out.c_str(), ec.message().c_str());
    return 2;
  }

  const bool tty = isatty(STDERR_FILENO) == 1;
  const unsigned jobs = flags.jobs > 0 ? static_cast<unsigned>(flags.jobs)
                                       : std::max(1u, std::thread::hardware_concurrency());
  const auto started = std::chrono::steady_clock::now();
  std::atomic<std::size_t> next{0}, done{0}, failed{0}, pages{0};
  std::mutex output_mutex;  // guards stderr/stdout lines and `written`
  std::set<fs::path> written;
  const document::ConvertOptions options{.max_file_size = flags.max_file_size,
                                         .max_memory = flags.max_memory,
                                         .password = flags.password,
                                         .first_page = flags.first_page,
                                         .last_page = flags.last_page,
                                         .max_pages = flags.max_pages};

  auto worker = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      const auto& file = files[i];
      const auto t0 = std::chrono::steady_clock::now();
      document::ConvertOptions file_options = options;
      if (flags.timeout > 0) {
        file_options.deadline =
            t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(flags.timeout));
      }
      auto doc = document::ConvertFile(file, file_options);
      std::string error;
      fs::path target = fs::path(flags.out) / (file.stem().string() + Extension(flags.to));
      if (doc) {
        bool duplicate;
        {
          std::lock_guard lock(output_mutex);
          duplicate = !written.insert(target).second;
        }
        if (duplicate) {
          error = "another input already wrote " + target.string();
        } else {
          if (doc->partial) {
            std::lock_guard lock(output_mutex);
            std::fprintf(stderr, "%s%s: partial (--timeout), %zu pages converted\n",
                         tty ? "\r\033[K" : "", file.string().c_str(), doc->pages.size());
          }
          std::ofstream out(target, std::ios::binary | std::ios::trunc);
          out << Render(*doc, flags, *tokenizer);
          if (!out) error = "cannot write " + target.string();
          pages += doc->pages.size();
        }
      } else {
        error = doc.error().message;
      }
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - t0)
                          .count();
      const std::size_t n = ++done;
      if (!error.empty()) ++failed;
      std::lock_guard lock(output_mutex);
      if (tty) std::fprintf(stderr, "\r\033[K");
      if (!error.empty()) {
        std::fprintf(stderr, "FAILED %s: %s\n", file.string().c_str(), error.c_str());
      } else if (!tty) {
        std::fprintf(stderr, "converted %s -> %s (%lld ms)\n", file.string().c_str(),
                     target.string().c_str(), static_cast<long long>(ms));
      }
      if (tty) {
        std::fprintf(stderr, "[%zu/%zu] %s", n, files.size(), file.filename().string().c_str());
        std::fflush(stderr);
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < std::min<std::size_t>(jobs, std::max<std::size_t>(files.size(), 1)); ++j) {
    threads.emplace_back(worker);
  }
  for (auto& t : threads) t.join();
  if (tty) std::fprintf(stderr, "\r\033[K");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "%zu files, %zu pages, %zu failed, %.3f s (%u jobs)\n", files.size(),
               pages.load(), failed.load(), seconds, jobs);
  return (failed > 0 || !errors.empty() || files.empty()) ? 1 : 0;
}

}  // namespace ferry::app
