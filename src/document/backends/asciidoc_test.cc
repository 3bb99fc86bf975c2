#include "document/backends/asciidoc.h"

#include <gtest/gtest.h>

#include "document/export.h"

namespace ferry::document {
namespace {

std::string Md(std::string_view adoc) {
  auto doc = ParseAsciiDoc(adoc, "t", {});
  EXPECT_TRUE(doc);
  return doc ? ToMarkdown(*doc) : "";
}

TEST(AsciiDocBackendTest, SectionsParagraphsAndInlineMarks) {
  EXPECT_EQ(Md("= Title\n:toc:\n\nAn *important* and _quiet_ `word`.\nSecond line.\n\n== Part\n\n=== Sub\nText.\n"),
            "# Title\n\nAn important and quiet word. Second line.\n\n## Part\n\n### Sub\n\nText.");
}

TEST(AsciiDocBackendTest, NestedListsByMarkerAndIndentation) {
  EXPECT_EQ(Md("* a\n** a.1\n* b\n. one\n. two\n"), "- a\n    - a.1\n- b\n1. one\n2. two");
  EXPECT_EQ(Md("* a\n  * nested\n  1. ordered\n* b\n"), "- a\n    - nested\n    1. ordered\n- b");
}

TEST(AsciiDocBackendTest, TablesWithSpecifiersAndCaptions) {
  EXPECT_EQ(Md(".Caption\n[cols=\"1,1\"]\n|===\n^.^h|Field ^.^h| Description\n| a | First\n|===\n"),
            "Caption\n\n| Field | Description |\n| - | - |\n| a | First |");
  EXPECT_EQ(Md("|===\n|h1 |h2\n\n|x\n|y\n|===\n"), "| h1 | h2 |\n| - | - |\n| x | y |");
  EXPECT_EQ(Md("|A|B|\n|1|2|\n"), "| A | B |\n| - | - |\n| 1 | 2 |");
  // A trailing number is content, not a cell specifier.
  EXPECT_EQ(Md("|Header 1|Header 2|\n|Value 1|Value 2|\n"),
            "| Header 1 | Header 2 |\n| - | - |\n| Value 1 | Value 2 |");
}

TEST(AsciiDocBackendTest, ImagesCodeAndComments) {
  EXPECT_EQ(Md("// a comment\n.A figure\nimage::img/x.png[Alt, width=20]\n\n----\nint x = 1;\n----\n"),
            "A figure\n\n<!-- image -->\n\n```\nint x = 1;\n```");
}

TEST(AsciiDocBackendTest, OddInputDoesNotCrash) {
  EXPECT_TRUE(ParseAsciiDoc("", "t", {}));
  EXPECT_TRUE(ParseAsciiDoc("|===\n", "t", {}));  // an unterminated table
  EXPECT_TRUE(ParseAsciiDoc("----\nunterminated code", "t", {}));
  EXPECT_TRUE(ParseAsciiDoc(std::string(100000, '*') + " x\n", "t", {}));
  EXPECT_TRUE(ParseAsciiDoc(std::string(5000, '|'), "t", {}));
  EXPECT_TRUE(ParseAsciiDoc("=======\n= \n.\n|", "t", {}));
}

}  // namespace
}  // namespace ferry::document
