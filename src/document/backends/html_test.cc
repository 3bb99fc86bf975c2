#include "document/backends/html.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "document/export.h"

namespace ferry::document {
namespace {

Document Parse(std::string_view html) {
  auto doc = ParseHtml(html, "test", Origin{.mimetype = "text/html", .filename = "test.html"});
  EXPECT_TRUE(doc.has_value()) << (doc ? "" : doc.error().message);
  return doc ? std::move(*doc) : Document();
}

std::string Md(std::string_view html) { return ToMarkdown(Parse(html)); }

// The cell covering (row, col).
const TableCell* At(const TableItem& table, int row, int col) {
  return table.Grid().at(static_cast<std::size_t>(row * table.num_cols + col));
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(HtmlBackendTest, EmptyInputIsAnEmptyDocument) {
  for (std::string_view html : {"", "   \n\t"}) {
    auto doc = ParseHtml(html, "empty", {});
    ASSERT_TRUE(doc.has_value());
    EXPECT_TRUE(doc->body.children.empty());
    EXPECT_TRUE(doc->texts.empty());
    EXPECT_EQ(doc->name, "empty");
  }
  EXPECT_EQ(Md("<html><head></head><body></body></html>"), "");
}

TEST(HtmlBackendTest, HeadingsNestContent) {
  const Document doc = Parse(
      "<html><head><title>Page title</title></head><body>"
      "<h1>Intro</h1><p>First.</p><h2>Background</h2><p>Second.</p>"
      "<h4>Deep</h4><p>Third.</p><h2>Next</h2></body></html>");
  EXPECT_EQ(ToMarkdown(doc),
            "# Intro\n\nFirst.\n\n## Background\n\nSecond.\n\n#### Deep\n\nThird.\n\n## Next");
  // The <title> is furniture, not body.
  ASSERT_EQ(doc.furniture.children.size(), 1u);
  EXPECT_EQ(doc.text(doc.furniture.children[0]).text, "Page title");
  EXPECT_EQ(doc.text(doc.furniture.children[0]).label, TextLabel::kTitle);
  // h1 is the title; h2 a level-1 section header under it; content under its heading.
  ASSERT_EQ(doc.body.children.size(), 1u);
  const Ref title = doc.body.children[0];
  EXPECT_EQ(doc.text(title).label, TextLabel::kTitle);
  ASSERT_EQ(doc.node(title).children.size(), 3u);  // First., Background, Next
  const Ref background = doc.node(title).children[1];
  EXPECT_EQ(doc.text(background).label, TextLabel::kSectionHeader);
  EXPECT_EQ(doc.text(background).level, 1);
  const Ref deep = doc.node(background).children[1];
  EXPECT_EQ(doc.text(deep).level, 3);
  EXPECT_EQ(doc.text(doc.node(deep).children[0]).text, "Third.");
}

TEST(HtmlBackendTest, ParagraphsDivsAndBlockquotes) {
  EXPECT_EQ(Md("<p>  One\n   paragraph  </p><div>A div<div>inner div</div>tail</div>"
               "<blockquote>Quoted&nbsp;text</blockquote>Bare text"),
            "One paragraph\n\nA div\n\ninner div\n\ntail\n\nQuoted text\n\nBare text");
  // <br> separates words; typographic quotes and hyphens become ASCII, as in Docling.
  EXPECT_EQ(Md("<p>line one<br>line two</p><p>\xE2\x80\x9Cquoted\xE2\x80\x9D non\xE2\x80\x91"
               "breaking</p>"),
            "line one line two\n\n\"quoted\" non-breaking");
}

TEST(HtmlBackendTest, NestedListsWithStart) {
  EXPECT_EQ(Md("<ul><li>Asia<ul><li>China</li><li>Japan</li></ul></li><li>Africa</li></ul>"
               "<ol start=\"42\"><li>Forty-two<ol><li>one</li><li>two</li></ol></li>"
               "<li>Forty-three</li></ol>"),
            "- Asia\n    - China\n    - Japan\n- Africa\n\n"
            "42. Forty-two\n    1. one\n    2. two\n43. Forty-three");
  // A list item holding only a nested list gets no item of its own (as in Docling).
  EXPECT_EQ(Md("<ul><li>Swiss<ul><li><ul><li>Bern</li></ul></li></ul></li></ul>"),
            "- Swiss\n        - Bern");
  // Unclosed items close at the next one; li value renumbers.
  EXPECT_EQ(Md("<ol><li>a<li value=\"7\">b<li>c</ol>"), "1. a\n7. b\n8. c");
}

TEST(HtmlBackendTest, ListStructure) {
  const Document doc = Parse("<ol start=3><li>x<ul><li>y</li></ul></li></ol>");
  ASSERT_EQ(doc.body.children.size(), 1u);
  const Ref list = doc.body.children[0];
  ASSERT_EQ(list.kind, ItemKind::kGroup);
  EXPECT_EQ(doc.groups[0].label, GroupLabel::kList);
  const Ref item = doc.node(list).children.at(0);
  EXPECT_TRUE(doc.text(item).enumerated);
  EXPECT_EQ(doc.text(item).marker, "3.");
  // The nested list's parent is the list item.
  const Ref nested = doc.node(item).children.at(0);
  EXPECT_EQ(nested.kind, ItemKind::kGroup);
  EXPECT_EQ(doc.node(nested).parent, item);
}

TEST(HtmlBackendTest, TableWithSpansAndHeaders) {
  const Document doc = Parse(
      "<table><caption>Spans</caption>"
      "<tr><th>H1</th><th colspan=\"2\">H2 &amp; 3</th></tr>"
      "<tr><td rowspan=\"2\">R1-2</td><td>a</td><td>b</td></tr>"
      "<tr><td colspan=\"2\">c</td></tr>"
      "<tr><td>d</td><td><ul><li>e1</li><li>e2</li></ul></td><td><p>f1</p><p>f2</p></td></tr>"
      "</table>");
  ASSERT_EQ(doc.tables.size(), 1u);
  const TableItem& t = doc.tables[0];
  EXPECT_EQ(t.num_rows, 4);
  EXPECT_EQ(t.num_cols, 3);
  ASSERT_NE(At(t, 0, 2), nullptr);
  EXPECT_EQ(At(t, 0, 2)->text, "H2 & 3");
  EXPECT_TRUE(At(t, 0, 0)->column_header);
  EXPECT_FALSE(At(t, 1, 1)->column_header);
  EXPECT_EQ(At(t, 2, 0)->text, "R1-2");
  EXPECT_EQ(At(t, 2, 2)->text, "c");
  EXPECT_EQ(At(t, 3, 1)->text, "e1 e2");
  EXPECT_EQ(At(t, 3, 2)->text, "f1 f2");
  EXPECT_EQ(ToMarkdown(doc),
            "Spans\n\n"
            "| H1 | H2 & 3 | H2 & 3 |\n"
            "| - | - | - |\n"
            "| R1-2 | a | b |\n"
            "| R1-2 | c | c |\n"
            "| d | e1 e2 | f1 f2 |");
}

TEST(HtmlBackendTest, RowOfRowHeadersMergesIntoTheNextRow) {
  // A pivot table: the row holding only the spanning header joins the row after it.
  const Document doc = Parse(
      "<table><tr><th>Year</th><th>Month</th></tr>"
      "<tr><th rowspan=\"3\">2025</th></tr>"
      "<tr><td>Jan</td></tr><tr><td>Feb</td></tr></table>");
  ASSERT_EQ(doc.tables.size(), 1u);
  EXPECT_EQ(doc.tables[0].num_rows, 3);
  EXPECT_EQ(ToMarkdown(doc), "| Year | Month |\n| - | - |\n| 2025 | Jan |\n| 2025 | Feb |");
}

TEST(HtmlBackendTest, SingleCellTablesAreLayout) {
  // A one-cell table holds layout, not data: its content reads as if it were not there.
  EXPECT_EQ(Md("<table><tr><td><h2>Box</h2><p>Para</p><ul><li>x</li></ul></td></tr></table>"
               "<table></table><p>end</p>"),
            "## Box\n\nPara\n\n- x\n\nend");
}

TEST(HtmlBackendTest, HostileSpansAreBounded) {
  const Document table = Parse("<table>" +
                               Repeat("<tr><td rowspan=65534 colspan=100000>x</td>"
                                      "</tr>",
                                      50) +
                               "</table>");
  ASSERT_EQ(table.tables.size(), 1u);
  EXPECT_LE(table.tables[0].num_cols, 1000);
  EXPECT_LE(table.tables[0].num_rows, 50);
}

TEST(HtmlBackendTest, InlineFormattingAndLinks) {
  EXPECT_EQ(Md("<p>This is <b>bold</b> and <em>italic</em>, <s>gone</s> and <u>under</u>.</p>"),
            "This is **bold** and *italic* , ~~gone~~ and under .");
  EXPECT_EQ(Md("<p>Go to <a href=\"https://example.com\">the site</a> or "
               "<a href=\"/local\"><span></span> here </a>.</p>"),
            "Go to [the site](https://example.com/) or [here](/local) .");
  // One formatting for the whole paragraph: a single text item.
  const Document doc =
      Parse("<p><strong>All bold</strong></p><a href=\"/x\"><div>Block link</div></a>");
  EXPECT_EQ(ToMarkdown(doc), "**All bold**\n\n[Block link](/x)");
  ASSERT_EQ(doc.texts.size(), 2u);
  EXPECT_TRUE(doc.texts[0].formatting.bold);
  EXPECT_EQ(doc.texts[1].hyperlink, "/x");
  // Mixed formatting: an inline group.
  const Document mixed = Parse("<p>H<sub>2</sub>O is <i>wet</i></p>");
  ASSERT_EQ(mixed.body.children.size(), 1u);
  ASSERT_EQ(mixed.body.children[0].kind, ItemKind::kGroup);
  EXPECT_EQ(mixed.groups[0].label, GroupLabel::kInline);
  EXPECT_EQ(mixed.texts[1].formatting.script, Formatting::Script::kSub);
  // javascript: links are not kept.
  EXPECT_EQ(Md("<p>x <a href=\"javascript:alert(1)\">y</a></p>"), "x y");
}

TEST(HtmlBackendTest, FormattedListItems) {
  EXPECT_EQ(Md("<ul><li>Use <code>tool</code> now</li><li><a href=\"#a\">Anchor</a></li></ul>"
               "<ol><li>see <b>this</b></li></ol>"),
            "- Use `tool` now\n- [Anchor](#a)\n\n1. see **this**");
}

TEST(HtmlBackendTest, PreAndCode) {
  EXPECT_EQ(Md("<p>Call <code>run()</code> first.</p>"
               "<pre><code>\nint main() {\n  return 0;\n}\n</code></pre>"
               "<pre>plain  pre\n   indented</pre>"),
            "Call `run()` first.\n\n```\nint main() {\n  return 0;\n}\n```\n\n"
            "```\nplain  pre\n   indented\n```");
  const Document doc = Parse("<pre>a &lt; b</pre>");
  ASSERT_EQ(doc.texts.size(), 1u);
  EXPECT_EQ(doc.texts[0].label, TextLabel::kCode);
  EXPECT_EQ(doc.texts[0].text, "a < b");
  // Hidden elements are dropped; a pre in a list item is inline code.
  EXPECT_EQ(Md("<ul><li>Run:<pre>  make\n  test</pre><pre hidden>secret</pre></li></ul>"),
            "- Run: `make test`");
}

TEST(HtmlBackendTest, ImagesAndFigures) {
  const Document doc = Parse(
      "<p>Before</p><img src=\"a.png\" alt=\"An image\" width=\"20\"><img src=\"b.png\">"
      "<figure><img src=\"c.png\" alt=\"alt text\"><figcaption>The caption</figcaption></figure>");
  EXPECT_EQ(ToMarkdown(doc),
            "Before\n\nAn image\n\n<!-- image -->\n\n<!-- image -->\n\nThe caption\n\n"
            "<!-- image -->");
  ASSERT_EQ(doc.pictures.size(), 3u);
  EXPECT_EQ(doc.pictures[0].uri, "a.png");
  EXPECT_EQ(doc.pictures[0].width, 20);
  ASSERT_EQ(doc.pictures[0].captions.size(), 1u);
  EXPECT_EQ(doc.text(doc.pictures[0].captions[0]).label, TextLabel::kCaption);
  EXPECT_TRUE(doc.pictures[1].captions.empty());
  // A figure without an image keeps its caption as text.
  EXPECT_EQ(Md("<figure><blockquote>Words</blockquote><figcaption>Someone</figcaption></figure>"),
            "Words\n\nSomeone");
}

TEST(HtmlBackendTest, ScriptsStylesAndTemplatesAreIgnored) {
  EXPECT_EQ(Md("<html><head><style>p { color: red }</style><script>var x = 1;</script></head>"
               "<body><script>alert('no')</script><p>Kept</p><noscript>Enable JS</noscript>"
               "<template><p>Template</p></template><style>.a{}</style>"
               "<svg><text>vector</text></svg></body></html>"),
            "Kept");
}

TEST(HtmlBackendTest, MalformedHtmlStillConverts) {
  EXPECT_EQ(Md("<h1>Title</h1><p>para one<p>para <b>bold <i>both</b> italic</i>"
               "<ul><li>one<li>two</ul><table><tr><td>a<td>b<tr><td>c</table><div>unclosed"),
            "# Title\n\npara one\n\npara **bold** ***both*** *italic*\n\n- one\n- two\n\n"
            "| a | b |\n| - | - |\n| c |  |\n\nunclosed");
  // Stray end tags, bad attributes, invalid UTF-8 and NULs do not fail.
  static constexpr char kBad[] = "</p></div><p a=\"b\" c=\x01>text\xff\xfe</p>\0<p>x";
  auto doc = ParseHtml(std::string_view(kBad, sizeof kBad - 1), "m", {});
  ASSERT_TRUE(doc.has_value());
  EXPECT_FALSE(doc->texts.empty());
}

TEST(HtmlBackendTest, OrdinaryDocumentsAreNotRewritten) {
  // Many elements, unclosed paragraphs and items, self-closing SVG shapes and raw text that
  // looks like markup stay within the nesting bound: no warning, nothing dropped.
  const Document doc =
      Parse(Repeat("<div><p>para<p>more</div>", 2'000) + Repeat("<ul><li>a<li>b</ul>", 1'000) +
            "<svg>" + Repeat("<path d=\"M0 0\"/>", 2'000) + "</svg>" + "<script>" +
            Repeat("<div>", 2'000) + "</script><p>last</p>");
  EXPECT_TRUE(doc.warnings.empty());
  const std::string md = ToMarkdown(doc);
  EXPECT_EQ(md.substr(0, 16), "para\n\nmore\n\npara");
  EXPECT_EQ(md.substr(md.size() - 4), "last");
}

TEST(HtmlBackendTest, DeeplyNestedDivsDoNotCrash) {
  constexpr int kDepth = 50'000;
  const std::string html =
      Repeat("<div>", kDepth) + "deep text" + Repeat("</div>", kDepth) + "<p>after</p>";
  const auto start = std::chrono::steady_clock::now();
  const Document doc = Parse(html);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(ToMarkdown(doc), "deep text\n\nafter");
  EXPECT_FALSE(doc.warnings.empty());
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(HtmlBackendTest, DeepListsAndFormattingStayBounded) {
  // Nested lists past the walk depth flatten to text; unclosed formatting does not explode.
  const std::string lists = Repeat("<ul><li>x", 2'000) + Repeat("</li></ul>", 2'000);
  const Document doc = Parse(lists);
  EXPECT_FALSE(doc.warnings.empty());
  EXPECT_FALSE(ToMarkdown(doc).empty());
  const auto start = std::chrono::steady_clock::now();
  const Document bold = Parse(Repeat("<b>", 20'000) + "x" + Repeat("<p>y", 1'000));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_NE(ToMarkdown(bold).find("**x y"), std::string::npos);
}

}  // namespace
}  // namespace ferry::document
