#include "document/backends/csv.h"

#include <gtest/gtest.h>

#include "document/export.h"

namespace ferry::document {
namespace {

std::string Md(std::string_view csv) {
  auto doc = ParseCsv(csv, "t", {});
  EXPECT_TRUE(doc) << (doc ? "" : doc.error().message);
  return doc ? ToMarkdown(*doc) : "";
}

TEST(CsvBackendTest, DetectsTheDelimiter) {
  EXPECT_EQ(DetectCsvDelimiter("a,b,c\n1,2,3\n"), ',');
  EXPECT_EQ(DetectCsvDelimiter("a;b;c\n1;2,5;3\n"), ';');
  EXPECT_EQ(DetectCsvDelimiter("a\tb\n1\t2\n"), '\t');
  EXPECT_EQ(DetectCsvDelimiter("a|b|c\n1|2|3\n"), '|');
  // Commas inside quotes do not count.
  EXPECT_EQ(DetectCsvDelimiter("\"x,y\";b\n\"1,2\";3\n"), ';');
}

TEST(CsvBackendTest, QuotesPaddingAndHeaders) {
  EXPECT_EQ(Md("h1,h2,h3\n\"a, b\",\"say \"\"hi\"\"\",c\nx,y\n"),
            "| h1 | h2 | h3 |\n| - | - | - |\n| a, b | say \"hi\" | c |\n| x | y |  |");
  auto doc = ParseCsv("a,b\r\n1,\"multi\nline\"\r\n", "t", {});
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->tables.size(), 1u);
  const auto& t = doc->tables[0];
  EXPECT_EQ(t.num_rows, 2);
  EXPECT_TRUE(t.cells[0].column_header);
  EXPECT_FALSE(t.cells[2].column_header);
  EXPECT_EQ(t.cells[3].text, "multi\nline");
}

TEST(CsvBackendTest, BadInput) {
  auto open_quote = ParseCsv("a,b\n\"never closed,1\n", "t", {});
  ASSERT_FALSE(open_quote);
  EXPECT_NE(open_quote.error().message.find("never closed"), std::string::npos);
  auto big = ParseCsv("a,b,c\n1,2,3\n", "t", {}, 4);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("too large"), std::string::npos);
  auto empty = ParseCsv("", "t", {});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->tables.empty());
  EXPECT_EQ(Md("\xEF\xBB\xBFx,y\n"), "| x | y |\n| - | - |");  // BOM dropped
}

}  // namespace
}  // namespace ferry::document
