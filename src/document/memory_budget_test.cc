#include "document/memory_budget.h"

#include <gtest/gtest.h>

#include "document/backends/zip_test_util.h"
#include "document/convert.h"

namespace ferry::document {
namespace {

TEST(MemoryBudgetTest, CountsOnlyInsideAScope) {
  EXPECT_TRUE(MemoryBudget::Charge(1u << 30));
  EXPECT_FALSE(MemoryBudget::Exceeded());
  MemoryBudget::Scope outer(100);
  EXPECT_TRUE(MemoryBudget::Charge(60));
  {
    MemoryBudget::Scope inner(10);
    EXPECT_FALSE(MemoryBudget::Charge(11));
    EXPECT_TRUE(MemoryBudget::Exceeded());
  }
  // The inner scope's charges were its own.
  EXPECT_EQ(outer.used(), 60u);
  EXPECT_FALSE(MemoryBudget::Exceeded());
  EXPECT_FALSE(MemoryBudget::Charge(41));
  EXPECT_TRUE(outer.exceeded());
}

// A CSV whose cells cost far more than its bytes: "a,a,a,..." is 2 bytes a cell in the file and
// dozens in memory.
TEST(MemoryBudgetTest, WideCsvFailsNamingTheLimit) {
  std::string csv;
  for (int r = 0; r < 200; ++r) {
    for (int c = 0; c < 500; ++c) csv += c ? ",a" : "a";
    csv += '\n';
  }
  auto within = ConvertBytes(csv, "wide.csv", {.max_memory = 64u << 20});
  ASSERT_TRUE(within) << within.error().message;
  EXPECT_EQ(within->tables.at(0).cells.size(), 100'000u);

  auto over = ConvertBytes(csv, "wide.csv", {.max_memory = 1u << 20});
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message.find("max_memory"), std::string::npos) << over.error().message;
}

TEST(MemoryBudgetTest, TagSoupHtmlIsRefusedBeforeParsing) {
  std::string html = "<html><body>";
  for (int i = 0; i < 100'000; ++i) html += "<b>x</b>";
  auto over = ConvertBytes(html, "soup.html", {.max_memory = 4u << 20});
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message.find("max_memory"), std::string::npos) << over.error().message;
  EXPECT_TRUE(ConvertBytes(html, "soup.html", {.max_memory = 256u << 20}));
}

TEST(MemoryBudgetTest, OfficeXmlPartsAreCharged) {
  std::string body;
  for (int i = 0; i < 20'000; ++i) body += "<w:p><w:r><w:t>word</w:t></w:r></w:p>";
  const std::string docx = testing::MakeZip({
      {"[Content_Types].xml", "<Types/>"},
      {"word/document.xml",
       "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
       "<w:body>" + body + "</w:body></w:document>"},
  });
  auto over = ConvertBytes(docx, "big.docx", {.max_memory = 2u << 20});
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message.find("max_memory"), std::string::npos) << over.error().message;
  auto within = ConvertBytes(docx, "big.docx", {.max_memory = 256u << 20});
  ASSERT_TRUE(within) << within.error().message;
  EXPECT_EQ(within->texts.size(), 20'000u);
}

}  // namespace
}  // namespace ferry::document
