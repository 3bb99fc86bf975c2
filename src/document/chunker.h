// Chunking a Document for retrieval, as Docling's chunkers do:
//   - hierarchical: one chunk per element (a paragraph, a whole list, a table with its captions,
//     a code block), each carrying the path of headings above it;
//   - hybrid: the hierarchical chunks split to fit a token budget (text at sentence, then word
//     boundaries; tables by rows, the header row repeated in every part) and consecutive small
//     chunks under the same headings merged up to the budget.
// Every chunk names its source items (JSON pointers), pages and heading path.
//
// Token counts come from a Tokenizer: a byte-pair-encoding tokenizer when a tiktoken rank file
// is available (see BpeTokenizer), else ApproxTokenizer, whose estimate is documented below.
//
// Thread-safety: Chunk* are pure functions; tokenizers are immutable after construction and may
// be shared by threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json.hpp>

#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::size_t Count(std::string_view text) const = 0;
  virtual std::string name() const = 0;
};

// The estimate used without a rank file: each run of letters and digits counts one token per
// four bytes (rounded up), each other non-space character one token. On English prose this is
// within about 15% of cl100k_base's count.
class ApproxTokenizer final : public Tokenizer {
 public:
  std::size_t Count(std::string_view text) const override;
  std::string name() const override { return "approximate (1 token per 4 bytes of a word)"; }
};

// Byte-level BPE from a tiktoken rank file (lines of "<base64 token> <rank>", as cl100k_base
// ships): text is pre-split into words (letters with a leading space, digit runs of up to three,
// punctuation runs, whitespace), then each word's bytes are merged by lowest rank.
class BpeTokenizer final : public Tokenizer {
 public:
  static Result<std::unique_ptr<BpeTokenizer>> Load(const std::string& rank_file);
  std::size_t Count(std::string_view text) const override;
  std::string name() const override { return name_; }

 private:
  std::size_t CountWord(std::string_view word) const;
  std::unordered_map<std::string, int> ranks_;
  std::string name_;
};

struct Chunk {
  std::string text;
  std::vector<std::string> headings;  // from the outermost
  std::vector<std::string> captions;
  std::vector<int> pages;
  std::vector<std::string> items;  // JSON pointers of the source items
  std::size_t tokens = 0;
};

std::vector<Chunk> ChunkHierarchical(const Document& doc, const Tokenizer& tokenizer);

struct HybridOptions {
  std::size_t max_tokens = 512;
  bool merge_peers = true;  // merge consecutive small chunks with the same headings
};
std::vector<Chunk> ChunkHybrid(const Document& doc, const Tokenizer& tokenizer,
                               const HybridOptions& options = {});

boost::json::value ToJson(const std::vector<Chunk>& chunks, std::string_view tokenizer_name);

}  // namespace ferry::document
