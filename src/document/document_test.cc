#include "document/document.h"

#include <gtest/gtest.h>

#include "document/backends/csv.h"
#include "document/backends/markdown.h"
#include "document/convert.h"
#include "document/docling_schema_test_util.h"
#include "document/export.h"

namespace ferry::document {
namespace {

Document Sample() {
  Document doc("sample", {"text/html", "sample.html", 42});
  SectionTracker sections(doc);
  sections.AddHeading("Intro_duction", 0);
  doc.AddText(sections.current(), TextLabel::kText, "First paragraph.");
  sections.AddHeading("Background", 1);
  Ref list = doc.AddGroup(sections.current(), GroupLabel::kList);
  Ref item = doc.AddListItem(list, "one", false, "-");
  Ref nested = doc.AddGroup(item, GroupLabel::kList);
  doc.AddListItem(nested, "one.a", true, "1.");
  doc.AddListItem(list, "two", false, "-");
  TableItem t;
  t.num_rows = 2;
  t.num_cols = 2;
  t.cells = {{.text = "A", .column_header = true},
             {.text = "B|C", .start_col = 1, .end_col = 2, .column_header = true},
             {.text = "wide", .start_row = 1, .end_row = 2, .start_col = 0, .end_col = 2}};
  Ref table = doc.AddTable(sections.current(), t);
  doc.AddCaption(table, "Table 1");
  Ref picture = doc.AddPicture(sections.current());
  doc.AddCaption(picture, "A picture");
  doc.AddText(kFurnitureRef, TextLabel::kPageHeader, "Running header");
  return doc;
}

TEST(DocumentTest, BuildersKeepTheTreeConsistent) {
  Document doc = Sample();
  ASSERT_EQ(doc.body.children.size(), 1u);  // everything nests under the title
  EXPECT_EQ(doc.body.children[0].Pointer(), "#/texts/0");
  const auto& background = doc.text({ItemKind::kText, 2});
  EXPECT_EQ(background.label, TextLabel::kSectionHeader);
  EXPECT_EQ(background.parent.Pointer(), "#/texts/0");
  int count = 0;
  doc.Walk(kBodyRef, [&](Ref r, int) {
    ++count;
    for (const Ref& c : doc.node(r).children) EXPECT_EQ(doc.node(c).parent, r);
  });
  EXPECT_GT(count, 10);
  EXPECT_EQ(doc.texts.back().layer, ContentLayer::kFurniture);
}

TEST(DocumentTest, MarkdownInDoclingStyle) {
  EXPECT_EQ(ToMarkdown(Sample()),
            "# Intro\\_duction\n\n"
            "First paragraph.\n\n"
            "## Background\n\n"
            "- one\n"
            "    1. one.a\n"
            "- two\n\n"
            "Table 1\n\n"
            "| A | B&#124;C |\n"
            "| - | - |\n"
            "| wide | wide |\n\n"
            "A picture\n\n"
            "<!-- image -->");
}

TEST(DocumentTest, MarkdownMaxSizeCutsAtABlock) {
  const std::string md = ToMarkdown(Sample(), {.max_size = 40});
  EXPECT_LE(md.size(), 40u + 64u);
  EXPECT_NE(md.find("truncated"), std::string::npos);
  EXPECT_EQ(md.find("Background"), std::string::npos);
}

TEST(DocumentTest, PlainTextHasNoMarkup) {
  const std::string text = ToText(Sample());
  EXPECT_NE(text.find("Intro_duction"), std::string::npos);
  EXPECT_EQ(text.find('#'), std::string::npos);
  EXPECT_EQ(text.find("<!--"), std::string::npos);
  EXPECT_NE(text.find("wide\twide"), std::string::npos);
}

TEST(DocumentTest, HtmlIsEscapedAndStructured) {
  Document doc = Sample();
  doc.AddText(kBodyRef, TextLabel::kText, "<script>alert(1)</script>");
  Ref link = doc.AddText(kBodyRef, TextLabel::kText, "bad link");
  doc.text(link).hyperlink = "javascript:alert(1)";
  const std::string html = ToHtml(doc);
  EXPECT_NE(html.find("<h1>Intro_duction</h1>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Background</h2>"), std::string::npos);
  EXPECT_NE(html.find("<ul>\n<li>one<ol>\n<li>one.a</li>\n</ol>\n</li>"), std::string::npos) << html;
  EXPECT_NE(html.find("<th>A</th><th>B|C</th>"), std::string::npos);
  EXPECT_NE(html.find("<td colspan=\"2\">wide</td>"), std::string::npos);
  EXPECT_NE(html.find("<caption>Table 1</caption>"), std::string::npos);
  EXPECT_NE(html.find("<figcaption>A picture</figcaption>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
  EXPECT_EQ(html.find("Running header"), std::string::npos);  // furniture
}

TEST(DocumentTest, DoclingJsonShape) {
  const auto v = ToDoclingJson(Sample());
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("schema_name"), "DoclingDocument");
  EXPECT_EQ(o.at("body").at("self_ref"), "#/body");
  EXPECT_EQ(o.at("furniture").at("children").as_array().size(), 1u);
  const auto& texts = o.at("texts").as_array();
  EXPECT_EQ(texts[0].at("label"), "title");
  EXPECT_EQ(texts[2].at("level"), 1);
  EXPECT_EQ(texts[2].at("parent").at("$ref"), "#/texts/0");
  const auto& table = o.at("tables").as_array()[0].as_object();
  EXPECT_EQ(table.at("data").at("num_cols"), 2);
  EXPECT_EQ(table.at("data").at("grid").as_array()[1].as_array()[1].at("text"), "wide");
  EXPECT_EQ(table.at("captions").as_array()[0].at("$ref"), "#/texts/6");
  EXPECT_EQ(o.at("origin").at("binary_hash"), 42u);
}

using testing::DoclingSchema;

TEST(DocumentTest, JsonValidatesAgainstDoclingsSchema) {
  auto expect_valid = [](const Document& doc, const char* what) {
    const auto errors = DoclingSchema().Validate(ToDoclingJson(doc));
    EXPECT_TRUE(errors.empty()) << what << ": " << (errors.empty() ? "" : errors[0]);
  };
  expect_valid(Sample(), "sample");
  // The check has teeth: a label Docling does not define is refused.
  auto broken = ToDoclingJson(Sample());
  broken.as_object()["texts"].as_array()[1].as_object()["label"] = "nonsense";
  EXPECT_FALSE(DoclingSchema().Validate(broken).empty());
  Document with_pages = Sample();
  with_pages.pages[1] = Page{1, 612, 792};
  with_pages.texts[1].prov.push_back({.page_no = 1, .bbox = {10, 700, 200, 680}, .char_end = 16});
  with_pages.texts[1].formatting.bold = true;
  with_pages.texts[1].hyperlink = "https://example.org/";
  Ref code = with_pages.AddText(kBodyRef, TextLabel::kCode, "x = 1");
  with_pages.text(code).code_language = "Python";
  with_pages.AddText(kBodyRef, TextLabel::kFormula, "E=mc^2");
  expect_valid(with_pages, "pages, provenance, formatting, code");
  expect_valid(*ParseCsv("a,b\n1,2\n", "t", {}), "csv");
  expect_valid(*ParseMarkdown("# T\n\n- a *b* c\n  1. x\n\n| a |\n|---|\n| 1 |\n\n![i](x.png)\n", "t", {}),
               "markdown");
}

TEST(ConvertTest, DetectsFormats) {
  EXPECT_EQ(DetectFormat("a.CSV", ""), Format::kCsv);
  EXPECT_EQ(DetectFormat("a.tsv", ""), Format::kCsv);
  EXPECT_EQ(DetectFormat("notes.md", ""), Format::kMarkdown);
  EXPECT_EQ(DetectFormat("page", "<!DOCTYPE html><html>"), Format::kHtml);
  EXPECT_EQ(DetectFormat("x", "%PDF-1.7"), Format::kPdf);
  EXPECT_EQ(DetectFormat("x", "\x89PNG\r\n\x1a\n"), Format::kImage);
  EXPECT_EQ(DetectFormat("x.docx", "PK"), Format::kDocx);
  EXPECT_EQ(DetectFormat("readme", "hello"), Format::kText);
}

TEST(ConvertTest, PlainTextParagraphs) {
  auto doc = ConvertBytes("line one\nline two\n\n\nsecond  paragraph\n", "notes.txt");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->name, "notes");
  EXPECT_EQ(ToMarkdown(*doc), "line one line two\n\nsecond paragraph");
  EXPECT_EQ(doc->origin.mimetype, "text/plain");
  EXPECT_EQ(doc->origin.binary_hash, ContentHash("line one\nline two\n\n\nsecond  paragraph\n"));
}

TEST(ConvertTest, LimitsAndUnsupportedFormatsAreClearErrors) {
  auto big = ConvertBytes(std::string(100, 'x'), "a.txt", {.max_file_size = 10});
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("max_file_size"), std::string::npos);
  auto pdf = ConvertBytes("%PDF-1.4", "a.pdf");
  ASSERT_FALSE(pdf);
#ifdef FERRY_WITH_PDF
  EXPECT_NE(pdf.error().message.find("corrupt"), std::string::npos) << pdf.error().message;
#else
  EXPECT_NE(pdf.error().message.find("not supported yet"), std::string::npos);
#endif
  // An image cut inside its header: refused before OCR is tried (backends/ocr_test.cc has more).
  auto image = ConvertBytes("\x89PNG\r\n\x1a\n", "scan.png");
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message.find("truncated"), std::string::npos) << image.error().message;
  auto missing = ConvertFile("/nonexistent/file.md");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace ferry::document
