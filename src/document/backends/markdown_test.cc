#include "document/backends/markdown.h"

#include <gtest/gtest.h>

#include "document/export.h"

namespace ferry::document {
namespace {

std::string RoundTrip(std::string_view md) {
  auto doc = ParseMarkdown(md, "t", {});
  EXPECT_TRUE(doc);
  return doc ? ToMarkdown(*doc) : "";
}

TEST(MarkdownBackendTest, HeadingsParagraphsAndNesting) {
  auto doc = ParseMarkdown("# Title\n\nSome text\nwrapped.\n\n## Part\n\nMore.\n", "t", {});
  ASSERT_TRUE(doc);
  EXPECT_EQ(ToMarkdown(*doc), "# Title\n\nSome text wrapped.\n\n## Part\n\nMore.");
  EXPECT_EQ(doc->texts[0].label, TextLabel::kTitle);
  EXPECT_EQ(doc->texts[2].label, TextLabel::kSectionHeader);
  EXPECT_EQ(doc->texts[2].parent, (Ref{ItemKind::kText, 0}));
  EXPECT_EQ(doc->texts[3].parent, (Ref{ItemKind::kText, 2}));
}

TEST(MarkdownBackendTest, NestedListsWithStart) {
  EXPECT_EQ(RoundTrip("- a\n  - b\n    - c\n- d\n\n3. x\n4. y\n"),
            "- a\n    - b\n        - c\n- d\n\n3. x\n4. y");
}

TEST(MarkdownBackendTest, InlineFormattingLinksAndCode) {
  EXPECT_EQ(RoundTrip("Foo *em* **strong** ***both*** `code` [link](http://x.org) end_x.\n"),
            "Foo *em* **strong** ***both*** `code` [link](http://x.org) end\\_x.");
  EXPECT_EQ(RoundTrip("- **First**: one\n- plain\n"), "- **First** : one\n- plain");
}

TEST(MarkdownBackendTest, CodeBlocksTablesAndImages) {
  EXPECT_EQ(RoundTrip("```python\nprint(1)\n```\n"), "```python\nprint(1)\n```");
  EXPECT_EQ(RoundTrip("| a | b |\n|---|---|\n| 1 | 2 |\n"), "| a | b |\n| - | - |\n| 1 | 2 |");
  EXPECT_EQ(RoundTrip("![a duck](duck.png)\n"), "a duck\n\n<!-- image -->");
  EXPECT_EQ(RoundTrip("Fish &amp; chips &#x263A;\n"), "Fish &amp; chips \xE2\x98\xBA");  // & stays escaped
}

TEST(MarkdownBackendTest, HostileInputDoesNotCrash) {
  std::string deep(20000, '>');
  deep += " quoted\n";
  EXPECT_TRUE(ParseMarkdown(deep, "t", {}));
  std::string lists;
  for (int i = 0; i < 2000; ++i) lists += std::string(static_cast<std::size_t>(i) * 2, ' ') + "- x\n";
  EXPECT_TRUE(ParseMarkdown(lists, "t", {}));
  EXPECT_TRUE(ParseMarkdown(std::string("\0\xff\xfe", 3), "t", {}));
}

}  // namespace
}  // namespace ferry::document
