#include "document/chunker.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "document/backends/markdown.h"

namespace ferry::document {
namespace {

Document Doc(std::string_view md) {
  auto doc = ParseMarkdown(md, "t", {});
  EXPECT_TRUE(doc);
  return doc ? std::move(*doc) : Document();
}

TEST(ChunkerTest, ApproximateTokens) {
  ApproxTokenizer t;
  EXPECT_EQ(t.Count(""), 0u);
  EXPECT_EQ(t.Count("word"), 1u);
  EXPECT_EQ(t.Count("words"), 2u);        // 5 bytes: two tokens
  EXPECT_EQ(t.Count("a, b."), 4u);        // two words, two punctuation marks
  EXPECT_EQ(t.Count("  \n\t "), 0u);
}

TEST(ChunkerTest, HierarchicalChunksCarryHeadingsItemsAndCaptions) {
  const Document doc = Doc(
      "# Guide\n\nIntro text.\n\n## Setup\n\n- one\n- two\n  - two.a\n\n| h1 | h2 |\n|---|---|\n| a | b |\n\n"
      "![A diagram](d.png)\n\n## Use\n\nRun it.\n");
  ApproxTokenizer t;
  const auto chunks = ChunkHierarchical(doc, t);
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_EQ(chunks[0].text, "Intro text.");
  EXPECT_EQ(chunks[0].headings, std::vector<std::string>{"Guide"});
  EXPECT_EQ(chunks[1].text, "- one\n- two\n  - two.a");
  EXPECT_EQ(chunks[1].headings, (std::vector<std::string>{"Guide", "Setup"}));
  EXPECT_EQ(chunks[1].items.size(), 3u);
  EXPECT_EQ(chunks[2].text, "| h1 | h2 |\n| - | - |\n| a | b |");
  EXPECT_EQ(chunks[3].text, "A diagram");
  EXPECT_EQ(chunks[4].headings, (std::vector<std::string>{"Guide", "Use"}));
  EXPECT_GT(chunks[4].tokens, 0u);
}

TEST(ChunkerTest, HybridSplitsLongTextAndTablesWithinTheBudget) {
  std::string md = "# T\n\n";
  for (int i = 0; i < 60; ++i) md += "Sentence number " + std::to_string(i) + " is here. ";
  md += "\n\n| key | value |\n|---|---|\n";
  for (int i = 0; i < 80; ++i) md += "| k" + std::to_string(i) + " | v" + std::to_string(i) + " |\n";
  const Document doc = Doc(md);
  ApproxTokenizer t;
  const auto chunks = ChunkHybrid(doc, t, {.max_tokens = 64});
  ASSERT_GT(chunks.size(), 4u);
  int table_parts = 0;
  for (const auto& c : chunks) {
    EXPECT_LE(c.tokens + 2, 64u) << c.text;
    if (c.text.rfind("| key | value |\n| - | - |", 0) == 0) ++table_parts;
  }
  EXPECT_GT(table_parts, 1);  // every table part repeats the header row
}

TEST(ChunkerTest, HybridMergesSmallPeers) {
  const Document doc = Doc("# T\n\nOne.\n\nTwo.\n\nThree.\n\n## U\n\nFour.\n");
  ApproxTokenizer t;
  const auto merged = ChunkHybrid(doc, t, {.max_tokens = 100});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].text, "One.\nTwo.\nThree.");
  EXPECT_EQ(merged[0].items.size(), 3u);
  EXPECT_EQ(ChunkHybrid(doc, t, {.max_tokens = 100, .merge_peers = false}).size(), 4u);
}

TEST(ChunkerTest, BpeTokenizerFromARankFile) {
  // A tiny rank file: single bytes, then merges "ab" and "abc" (base64: YWI=, YWJj).
  const std::string path = ::testing::TempDir() + "/ranks.tiktoken";
  {
    std::ofstream f(path);
    f << "YQ== 0\nYg== 1\nYw== 2\nIA== 3\nYWI= 4\nYWJj 5\n";
  }
  auto bpe = BpeTokenizer::Load(path);
  ASSERT_TRUE(bpe) << bpe.error().message;
  EXPECT_EQ((*bpe)->Count("abc"), 1u);
  EXPECT_EQ((*bpe)->Count("ab"), 1u);
  EXPECT_EQ((*bpe)->Count("ba"), 2u);
  EXPECT_EQ((*bpe)->Count("abc abc"), 3u);  // "abc", " " + "abc" -> " " and "abc"
  {
    std::ofstream f(path);
    f << "not base64! x\n";
  }
  EXPECT_FALSE(BpeTokenizer::Load(path));
  EXPECT_FALSE(BpeTokenizer::Load("/nonexistent/ranks"));
  std::remove(path.c_str());
}

TEST(ChunkerTest, JsonForm) {
  const Document doc = Doc("# T\n\nHello.\n");
  ApproxTokenizer t;
  const auto json = ToJson(ChunkHierarchical(doc, t), t.name());
  const auto& chunk = json.at("chunks").as_array().at(0);
  EXPECT_EQ(chunk.at("text"), "Hello.");
  EXPECT_EQ(chunk.at("headings").as_array().size(), 1u);
  EXPECT_EQ(chunk.at("items").as_array().at(0), "#/texts/1");
}

}  // namespace
}  // namespace ferry::document
