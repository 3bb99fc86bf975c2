#include "app/convert_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <atomic>
#include <memory>

#include "app/batch.h"

#include "document/chunker.h"
#include "document/convert.h"
#include "document/export.h"

namespace ferry::app {
namespace fs = std::filesystem;
namespace {

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
  // Files under a directory: those whose extension names a format Ferry reads.
  auto readable = [](const fs::path& p) {
    return document::DetectFormat(p.filename().string(), {}) != document::Format::kText ||
           p.extension() == ".txt";
  };
  const auto files = ExpandInputs(flags.inputs, readable, errors);
  for (const auto& e : errors) std::fprintf(stderr, "ferry convert: %s\n", e.c_str());
  std::error_code ec;
  fs::create_directories(flags.out, ec);
  if (ec) {
    std::fprintf(stderr, "ferry convert: --out %s: %s\n", flags.out.c_str(), ec.message().c_str());
    return 2;
  }

  const unsigned jobs = BatchJobs(flags.jobs);
  const auto started = std::chrono::steady_clock::now();
  std::atomic<std::size_t> pages{0};
  OutputClaims claims;
  const document::ConvertOptions options{.max_file_size = flags.max_file_size,
                                         .max_memory = flags.max_memory,
                                         .password = flags.password,
                                         .first_page = flags.first_page,
                                         .last_page = flags.last_page,
                                         .max_pages = flags.max_pages};

  const std::size_t failed = RunBatch(files, jobs, [&](const fs::path& file) {
    const auto t0 = std::chrono::steady_clock::now();
    document::ConvertOptions file_options = options;
    if (flags.timeout > 0) {
      file_options.deadline = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(flags.timeout));
    }
    FileOutcome outcome;
    auto doc = document::ConvertFile(file, file_options);
    if (!doc) {
      outcome.error = doc.error().message;
      return outcome;
    }
    const fs::path target = fs::path(flags.out) / (file.stem().string() + Extension(flags.to));
    if (!claims.Claim(target)) {
      outcome.error = "another input already wrote " + target.string();
      return outcome;
    }
    if (doc->partial)
      outcome.note = "partial (--timeout), " + std::to_string(doc->pages.size()) + " pages converted";
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << Render(*doc, flags, *tokenizer);
    if (!out) {
      outcome.error = "cannot write " + target.string();
      return outcome;
    }
    pages += doc->pages.size();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - t0)
                        .count();
    outcome.done = "converted " + file.string() + " -> " + target.string() + " (" +
                   std::to_string(ms) + " ms)";
    return outcome;
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "%zu files, %zu pages, %zu failed, %.3f s (%u jobs)\n", files.size(),
               pages.load(), failed, seconds, jobs);
  return (failed > 0 || !errors.empty() || files.empty()) ? 1 : 0;
}

}  // namespace ferry::app
