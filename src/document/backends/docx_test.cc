#include "document/backends/docx.h"

#include <gtest/gtest.h>

#include "document/backends/zip_test_util.h"
#include "document/export.h"

namespace ferry::document {
namespace {

using testing::MakeZip;

constexpr const char* kNamespaces =
    " xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
    " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
    " xmlns:m=\"http://schemas.openxmlformats.org/officeDocument/2006/math\""
    " xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\""
    " xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\""
    " xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"";

// The parts of a test document; empty ones are left out of the package.
struct Fixture {
  std::string body;       // inside <w:body>
  std::string styles;     // <w:style> elements
  std::string numbering;  // inside <w:numbering>
  std::string rels;       // <Relationship> elements of word/document.xml
  std::vector<std::pair<std::string, std::string>> extra;
};

std::string Build(const Fixture& f) {
  std::vector<std::pair<std::string, std::string>> parts = {
      {"[Content_Types].xml",
       "<?xml version=\"1.0\"?><Types "
       "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
       "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
       "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"},
      {"_rels/.rels",
       "<?xml version=\"1.0\"?><Relationships "
       "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
       "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
       "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>"},
      {"word/document.xml", std::string("<?xml version=\"1.0\"?><w:document") + kNamespaces +
                                "><w:body>" + f.body + "</w:body></w:document>"},
  };
  if (!f.styles.empty()) {
    parts.emplace_back("word/styles.xml",
                       std::string("<w:styles") + kNamespaces + ">" + f.styles + "</w:styles>");
  }
  if (!f.numbering.empty()) {
    parts.emplace_back("word/numbering.xml", std::string("<w:numbering") + kNamespaces + ">" +
                                                 f.numbering + "</w:numbering>");
  }
  if (!f.rels.empty()) {
    parts.emplace_back("word/_rels/document.xml.rels",
                       "<Relationships "
                       "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                           f.rels + "</Relationships>");
  }
  for (const auto& e : f.extra) parts.push_back(e);
  return MakeZip(parts);
}

std::string Para(const std::string& text, const std::string& style = "",
                 const std::string& extra_ppr = "") {
  std::string ppr = style.empty() ? "" : "<w:pStyle w:val=\"" + style + "\"/>";
  ppr += extra_ppr;
  return "<w:p>" + (ppr.empty() ? "" : "<w:pPr>" + ppr + "</w:pPr>") +
         "<w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}

std::string TextRun(const std::string& text, const std::string& rpr = "") {
  return "<w:r>" + (rpr.empty() ? "" : "<w:rPr>" + rpr + "</w:rPr>") +
         "<w:t xml:space=\"preserve\">" + text + "</w:t></w:r>";
}

std::string Item(const std::string& text, int num_id, int ilvl) {
  return Para(text, "ListParagraph",
              "<w:numPr><w:ilvl w:val=\"" + std::to_string(ilvl) + "\"/><w:numId w:val=\"" +
                  std::to_string(num_id) + "\"/></w:numPr>");
}

std::string Cell(const std::string& content, const std::string& tcpr = "") {
  return "<w:tc>" + (tcpr.empty() ? "" : "<w:tcPr>" + tcpr + "</w:tcPr>") + content + "</w:tc>";
}

const std::string kStyles =
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>"
    "<w:pPr><w:outlineLvl w:val=\"0\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/>"
    "<w:pPr><w:outlineLvl w:val=\"1\"/></w:pPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"MyChapter\"><w:name w:val=\"My Chapter\"/>"
    "<w:basedOn w:val=\"Heading1\"/></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Caption\"><w:name w:val=\"caption\"/></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"ListParagraph\"><w:name w:val=\"List Paragraph\"/>"
    "</w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"ListBullet\"><w:name w:val=\"List Bullet\"/>"
    "<w:pPr><w:numPr><w:numId w:val=\"1\"/></w:numPr></w:pPr></w:style>"
    "<w:style w:type=\"character\" w:styleId=\"Strong\"><w:name w:val=\"Strong\"/>"
    "<w:rPr><w:b/></w:rPr></w:style>";

std::string Level(int ilvl, const std::string& format, int start = 1,
                  const std::string& text = "") {
  return "<w:lvl w:ilvl=\"" + std::to_string(ilvl) + "\"><w:start w:val=\"" +
         std::to_string(start) + "\"/><w:numFmt w:val=\"" + format + "\"/><w:lvlText w:val=\"" +
         (text.empty() ? "%" + std::to_string(ilvl + 1) + "." : text) + "\"/></w:lvl>";
}

// numId 1: bullets; 2: decimal; 3: decimal restarted at 5; 4: "%1." then "%1.%2".
const std::string kNumbering =
    "<w:abstractNum w:abstractNumId=\"0\">" + Level(0, "bullet", 1, "o") +
    Level(1, "bullet", 1, "o") + Level(2, "bullet", 1, "o") +
    "</w:abstractNum>"
    "<w:abstractNum w:abstractNumId=\"1\">" +
    Level(0, "decimal") + Level(1, "lowerLetter") +
    "</w:abstractNum>"
    "<w:abstractNum w:abstractNumId=\"2\">" +
    Level(0, "decimal") + Level(1, "decimal", 1, "%1.%2") +
    "</w:abstractNum>"
    "<w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>"
    "<w:num w:numId=\"2\"><w:abstractNumId w:val=\"1\"/></w:num>"
    "<w:num w:numId=\"3\"><w:abstractNumId w:val=\"1\"/>"
    "<w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"5\"/></w:lvlOverride></w:num>"
    "<w:num w:numId=\"4\"><w:abstractNumId w:val=\"2\"/></w:num>";

Document Parse(const Fixture& f) {
  auto doc = ParseDocx(Build(f), "test", {});
  EXPECT_TRUE(doc) << doc.error().message;
  return doc ? std::move(*doc) : Document();
}

std::string Markdown(const Fixture& f) { return ToMarkdown(Parse(f)); }

TEST(DocxBackendTest, HeadingsNestContent) {
  Fixture f;
  f.styles = kStyles;
  f.body = Para("The Title", "Title") + Para("Intro.") + Para("First", "Heading1") + Para("One.") +
           Para("Sub", "Heading2") + Para("Two.") + Para("") + Para("Derived", "MyChapter") +
           Para("Three.");
  const Document doc = Parse(f);
  EXPECT_EQ(ToMarkdown(doc),
            "# The Title\n\nIntro.\n\n## First\n\nOne.\n\n### Sub\n\nTwo.\n\n## Derived\n\nThree.");
  ASSERT_EQ(doc.texts.size(), 8u);
  EXPECT_EQ(doc.texts[0].label, TextLabel::kTitle);
  EXPECT_EQ(doc.texts[2].label, TextLabel::kSectionHeader);
  EXPECT_EQ(doc.texts[2].level, 1);
  EXPECT_EQ(doc.texts[2].parent, (Ref{ItemKind::kText, 0}));  // under the title
  EXPECT_EQ(doc.texts[4].level, 2);
  EXPECT_EQ(doc.texts[4].parent, (Ref{ItemKind::kText, 2}));
  EXPECT_EQ(doc.texts[5].parent, (Ref{ItemKind::kText, 4}));
  // "My Chapter" is based on Heading 1: a level-1 header (outline level), back under the title.
  EXPECT_EQ(doc.texts[6].level, 1);
  EXPECT_EQ(doc.texts[6].parent, (Ref{ItemKind::kText, 0}));
}

TEST(DocxBackendTest, HeadingsWithoutStylesPart) {
  Fixture f;
  f.body = Para("Chapter", "Heading1") + Para("Text.");
  EXPECT_EQ(Markdown(f), "## Chapter\n\nText.");
}

TEST(DocxBackendTest, NestedNumberedAndBulletedLists) {
  Fixture f;
  f.styles = kStyles;
  f.numbering = kNumbering;
  f.body = Item("a", 1, 0) + Item("b", 1, 1) + Item("c", 1, 2) + Item("d", 1, 0) +
           Para("Between.") + Item("x", 2, 0) + Para("") + Item("y", 2, 1) + Item("z", 2, 0) +
           Item("five", 3, 0) + Item("six", 3, 0) + Para("Styled:") + Para("s1", "ListBullet") +
           Para("s2", "ListBullet");
  EXPECT_EQ(Markdown(f),
            "- a\n    - b\n        - c\n- d\n\nBetween.\n\n1. x\n    1. y\n2. z\n\n5. five\n6. "
            "six\n\nStyled:\n\n- s1\n- s2");
  const Document doc = Parse(f);
  // The nested list hangs under the item before it.
  const TextItem& a = doc.texts[0];
  ASSERT_EQ(a.children.size(), 1u);
  EXPECT_EQ(a.children[0].kind, ItemKind::kGroup);
  EXPECT_EQ(doc.groups[static_cast<std::size_t>(a.children[0].index)].label, GroupLabel::kList);
}

TEST(DocxBackendTest, NumberingContinuesAcrossOtherListsAndComposesMultiLevelNumbers) {
  Fixture f;
  f.styles = kStyles;
  f.numbering = kNumbering;
  f.body = Item("one", 2, 0) + Item("two", 2, 0) + Item("bullet", 1, 0) + Item("three", 2, 0) +
           Item("Part", 4, 0) + Item("Section", 4, 1) + Item("Section", 4, 1);
  EXPECT_EQ(Markdown(f),
            "1. one\n2. two\n\n- bullet\n\n3. three\n\n1. Part\n    - 1.1 Section\n    - 1.2 "
            "Section");
}

TEST(DocxBackendTest, RunFormattingAndHyperlinks) {
  Fixture f;
  f.styles = kStyles;
  f.rels =
      "<Relationship Id=\"rId9\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships/hyperlink\" Target=\"https://example.com/\" TargetMode=\"External\"/>";
  f.body = "<w:p>" + TextRun("Normal ") + TextRun("bold", "<w:b/>") + TextRun(" and ") +
           TextRun("italic", "<w:i/>") + TextRun(" ") +
           TextRun("strong", "<w:rStyle w:val=\"Strong\"/>") + TextRun(" plus ") +
           "<w:hyperlink r:id=\"rId9\">" + TextRun("a link") + "</w:hyperlink>" + TextRun(" end.") +
           "</w:p>" +  // mixed: inline group
           "<w:p>" + TextRun("All ", "<w:b/>") + TextRun("bold", "<w:b/>") +
           "</w:p>" +  // one formatting
           "<w:p>" + TextRun("not bold", "<w:b w:val=\"0\"/><w:i w:val=\"false\"/>") + "</w:p>" +
           "<w:p>" + TextRun("struck", "<w:strike/>") + "</w:p>" + "<w:p>" + TextRun("tab") +
           "<w:r><w:tab/><w:t>and</w:t><w:br/><w:t>break</w:t></w:r></w:p>" +
           "<w:p><w:hyperlink w:anchor=\"sec2\">" + TextRun("jump") + "</w:hyperlink></w:p>";
  const Document doc = Parse(f);
  EXPECT_EQ(ToMarkdown(doc),
            "Normal **bold** and *italic* **strong** plus [a link](https://example.com/) end.\n\n"
            "**All bold**\n\nnot bold\n\n~~struck~~\n\ntab and break\n\n[jump](#sec2)");
  ASSERT_EQ(doc.body.children[0].kind, ItemKind::kGroup);
  EXPECT_EQ(doc.groups[0].label, GroupLabel::kInline);
  ASSERT_EQ(doc.body.children[1].kind, ItemKind::kText);
  EXPECT_TRUE(doc.text(doc.body.children[1]).formatting.bold);
}

TEST(DocxBackendTest, ListItemWithMixedFormattingKeepsAnInlineGroup) {
  Fixture f;
  f.styles = kStyles;
  f.numbering = kNumbering;
  f.body = "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>" +
           TextRun("Some ") + TextRun("italic", "<w:i/>") + TextRun(" text") + "</w:p>" +
           "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr>" +
           TextRun("Bold item", "<w:b/>") + "</w:p>";
  EXPECT_EQ(Markdown(f), "- Some *italic* text\n- **Bold item**");
}

TEST(DocxBackendTest, TableWithColumnAndRowSpans) {
  Fixture f;
  f.body = Para("Before.") + "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>" +
           "<w:tr>" + Cell(Para("H1")) + Cell(Para("H2")) + Cell(Para("H3")) + "</w:tr>" +
           "<w:tr>" + Cell(Para("Wide"), "<w:gridSpan w:val=\"2\"/>") +
           Cell(Para("Tall") + Para("cell"), "<w:vMerge w:val=\"restart\"/>") + "</w:tr>" +
           "<w:tr>" + Cell(Para("a")) + Cell(Para("b")) + Cell(Para(""), "<w:vMerge/>") +
           "</w:tr></w:tbl>" + Para("After.");
  const Document doc = Parse(f);
  EXPECT_EQ(ToMarkdown(doc),
            "Before.\n\n| H1 | H2 | H3 |\n| - | - | - |\n| Wide | Wide | Tall cell |\n"
            "| a | b | Tall cell |\n\nAfter.");
  ASSERT_EQ(doc.tables.size(), 1u);
  const TableItem& t = doc.tables[0];
  EXPECT_EQ(t.num_rows, 3);
  EXPECT_EQ(t.num_cols, 3);
  ASSERT_EQ(t.cells.size(), 7u);
  EXPECT_TRUE(t.cells[0].column_header);
  EXPECT_FALSE(t.cells[3].column_header);
  EXPECT_EQ(t.cells[3].text, "Wide");
  EXPECT_EQ(t.cells[3].col_span(), 2);
  EXPECT_EQ(t.cells[4].text, "Tall cell");
  EXPECT_EQ(t.cells[4].row_span(), 2);
  EXPECT_EQ(t.cells[4].start_col, 2);
}

TEST(DocxBackendTest, NestedTablesAndListsFlattenIntoCellText) {
  Fixture f;
  f.styles = kStyles;
  f.numbering = kNumbering;
  const std::string inner =
      "<w:tbl><w:tr>" + Cell(Para("n1")) + Cell(Para("n2")) + "</w:tr></w:tbl>";
  f.body = "<w:tbl><w:tr>" + Cell(Para("A")) + Cell(Para("B")) + "</w:tr><w:tr>" +
           Cell(Para("Items:") + Item("x", 2, 0) + Item("y", 2, 0)) + Cell(inner) +
           "</w:tr></w:tbl>";
  EXPECT_EQ(Markdown(f), "| A | B |\n| - | - |\n| Items: 1. x 2. y | n1 n2 |");
}

TEST(DocxBackendTest, SingleCellTableIsAFrame) {
  Fixture f;
  f.body = "<w:tbl><w:tr>" + Cell(Para("Framed text.")) + "</w:tr></w:tbl>";
  EXPECT_EQ(Markdown(f), "Framed text.");
}

const std::string kImageRel =
    "<Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/image\" Target=\"media/image1.png\"/>";

std::string Drawing(const std::string& rel = "rId5") {
  return "<w:r><w:drawing><wp:inline><wp:extent cx=\"952500\" cy=\"476250\"/>"
         "<a:graphic><a:graphicData><pic:pic><pic:blipFill><a:blip r:embed=\"" +
         rel +
         "\"/></pic:blipFill><pic:spPr><a:xfrm><a:ext cx=\"952500\" cy=\"476250\"/></a:xfrm>"
         "</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>";
}

TEST(DocxBackendTest, PicturesAndCaptions) {
  Fixture f;
  f.styles = kStyles;
  f.rels = kImageRel;
  f.extra = {{"word/media/image1.png", "\x89PNG"}};
  f.body = "<w:p>" + TextRun("Text before") + Drawing() + "</w:p>" +
           Para("Figure 1: a duck", "Caption") + Para("Table 1: numbers", "Caption") +
           "<w:tbl><w:tr>" + Cell(Para("1")) + Cell(Para("2")) + "</w:tr></w:tbl>" + "<w:p>" +
           Drawing() + "</w:p>";
  const Document doc = Parse(f);
  EXPECT_EQ(ToMarkdown(doc),
            "Text before\n\nFigure 1: a duck\n\n<!-- image -->\n\nTable 1: numbers\n\n| 1 | 2 "
            "|\n| - | - |\n\n<!-- image -->");
  ASSERT_EQ(doc.pictures.size(), 2u);
  EXPECT_EQ(doc.pictures[0].uri, "word/media/image1.png");
  EXPECT_EQ(doc.pictures[0].mimetype, "image/png");
  EXPECT_EQ(doc.pictures[0].width, 100);
  EXPECT_EQ(doc.pictures[0].height, 50);
  ASSERT_EQ(doc.pictures[0].captions.size(), 1u);
  EXPECT_EQ(doc.text(doc.pictures[0].captions[0]).text, "Figure 1: a duck");
  ASSERT_EQ(doc.tables[0].captions.size(), 1u);
  EXPECT_TRUE(doc.pictures[1].captions.empty());
}

TEST(DocxBackendTest, HeadersFootersAndFootnotesStayOutOfTheBody) {
  Fixture f;
  f.rels =
      "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships/header\" Target=\"header1.xml\"/>"
      "<Relationship Id=\"rId8\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships/footer\" Target=\"footer1.xml\"/>"
      "<Relationship Id=\"rId6\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships/footnotes\" Target=\"footnotes.xml\"/>";
  f.body = Para("Body text.") +
           "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId7\"/>"
           "<w:footerReference w:type=\"default\" r:id=\"rId8\"/></w:sectPr>";
  f.extra = {
      {"word/header1.xml",
       std::string("<w:hdr") + kNamespaces + ">" + Para("Running head") + "</w:hdr>"},
      {"word/footer1.xml",
       std::string("<w:ftr") + kNamespaces + ">" + Para("Page footer") + "</w:ftr>"},
      {"word/footnotes.xml", std::string("<w:footnotes") + kNamespaces +
                                 "><w:footnote w:type=\"separator\" w:id=\"-1\">" + Para("---") +
                                 "</w:footnote><w:footnote w:id=\"1\">" + Para("A note.") +
                                 "</w:footnote></w:footnotes>"},
  };
  const Document doc = Parse(f);
  EXPECT_EQ(ToMarkdown(doc), "Body text.");
  ASSERT_EQ(doc.furniture.children.size(), 3u);
  const TextItem& header = doc.text(doc.furniture.children[0]);
  EXPECT_EQ(header.label, TextLabel::kPageHeader);
  EXPECT_EQ(header.text, "Running head");
  EXPECT_EQ(header.layer, ContentLayer::kFurniture);
  EXPECT_EQ(doc.text(doc.furniture.children[1]).label, TextLabel::kPageFooter);
  EXPECT_EQ(doc.text(doc.furniture.children[2]).label, TextLabel::kFootnote);
  EXPECT_EQ(doc.text(doc.furniture.children[2]).text, "A note.");
}

TEST(DocxBackendTest, EquationsBecomeFormulas) {
  Fixture f;
  const std::string sup =
      "<m:sSup><m:e><m:r><m:t>x</m:t></m:r></m:e><m:sup><m:r><m:t>2</m:t></m:r></m:sup></m:sSup>";
  const std::string frac =
      "<m:f><m:num><m:r><m:t>a</m:t></m:r></m:num><m:den><m:r><m:t>b</m:t></m:r></m:den></m:f>";
  f.body = "<w:p>" + TextRun("Area is ") + "<m:oMath><m:r><m:t>A=π</m:t></m:r>" + sup +
           "</m:oMath>" + TextRun(" here.") + "</w:p>" + "<w:p><m:oMathPara><m:oMath>" + frac +
           "</m:oMath></m:oMathPara></w:p>" + "<w:p><m:oMath>" + sup + "</m:oMath><m:oMath>" +
           frac + "</m:oMath></w:p>";
  EXPECT_EQ(Markdown(f),
            "Area is $A= \\pi x^{2}$ here.\n\n$$\\frac{a}{b}$$\n\n$$x^{2}$$\n\n$$\\frac{a}{b}$$");
}

TEST(DocxBackendTest, ChecklistsAndTextBoxes) {
  Fixture f;
  const std::string box =
      "<w:sdt><w:sdtPr><w14:checkbox xmlns:w14=\"http://schemas.microsoft.com/office/word/2010/"
      "wordml\"><w14:checked w14:val=\"1\"/></w14:checkbox></w:sdtPr><w:sdtContent>" +
      TextRun("\xE2\x98\x92") + "</w:sdtContent></w:sdt>";
  f.body = "<w:p>" + box + TextRun(" Done") + "</w:p>" + "<w:p>" + TextRun("Host") +
           "<w:r><w:drawing><wp:anchor><a:graphic><a:graphicData><w:txbxContent>" +
           Para("Boxed text") +
           "</w:txbxContent></a:graphicData></a:graphic></wp:anchor>"
           "</w:drawing></w:r></w:p>";
  EXPECT_EQ(Markdown(f), "- [x] Done\n\nHost\n\nBoxed text");
}

TEST(DocxBackendTest, FindsTheMainPartThroughRelationships) {
  const std::string bytes = MakeZip({
      {"_rels/.rels",
       "<Relationships><Relationship Id=\"r1\" Type=\"http://purl.oclc.org/ooxml/officeDocument/"
       "relationships/officeDocument\" Target=\"/doc/main.xml\"/></Relationships>"},
      {"doc/main.xml",
       "<w:document><w:body><w:p><w:r><w:t>Elsewhere</w:t></w:r></w:p>"
       "</w:body></w:document>"},
  });
  auto doc = ParseDocx(bytes, "x", {});
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(ToMarkdown(*doc), "Elsewhere");
}

// --- hostile input ------------------------------------------------------------------------------

TEST(DocxBackendTest, TruncatedAndNonZipInputAreErrors) {
  Fixture f;
  f.body = Para(std::string(20'000, 'x'));
  const std::string good = Build(f);
  auto truncated = ParseDocx(std::string_view(good).substr(0, good.size() / 2), "t", {});
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kInvalidParams);
  auto text = ParseDocx("just some text, not a zip", "t", {});
  ASSERT_FALSE(text);
  EXPECT_FALSE(ParseDocx("", "t", {}));
  // A ZIP that is no Word document.
  auto other = ParseDocx(MakeZip({{"ppt/presentation.xml", "<p/>"}}), "t", {});
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("not a Word document"), std::string::npos);
}

TEST(DocxBackendTest, EncryptedDocumentIsReported) {
  std::string ole("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  ole += std::string(504, '\0');
  const std::string stream("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0", 32);
  auto encrypted = ParseDocx(ole + stream + std::string(100, '\0'), "t", {});
  ASSERT_FALSE(encrypted);
  EXPECT_NE(encrypted.error().message.find("password-protected (encrypted)"), std::string::npos);
  auto bare = ParseDocx(ole, "t", {});
  ASSERT_FALSE(bare);
  EXPECT_NE(bare.error().message.find("password-protected (encrypted)"), std::string::npos);
}

TEST(DocxBackendTest, ZipBombPartHitsTheLimit) {
  const std::string bomb = MakeZip({
      {"word/document.xml", std::string(8 * 1024 * 1024, '\0')},
  });
  auto doc = ParseDocx(bomb, "t", {}, {.max_part_bytes = 1024 * 1024});
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("zip bomb"), std::string::npos);
  // A bomb in an optional part is a warning; the body still converts.
  Fixture f;
  f.body = Para("Still here.");
  f.extra = {{"word/styles.xml", std::string(8 * 1024 * 1024, ' ')}};
  auto partial = ParseDocx(Build(f), "t", {}, {.max_part_bytes = 1024 * 1024});
  ASSERT_TRUE(partial) << partial.error().message;
  EXPECT_EQ(ToMarkdown(*partial), "Still here.");
  EXPECT_FALSE(partial->warnings.empty());
}

TEST(DocxBackendTest, MalformedXmlIsAnError) {
  const std::string bytes = MakeZip({{"word/document.xml", "<w:document><w:body><w:p>"}});
  auto doc = ParseDocx(bytes, "t", {});
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("malformed XML"), std::string::npos);
  // Malformed optional parts only warn.
  Fixture f;
  f.body = Para("Fine.");
  f.extra = {{"word/numbering.xml", "<w:numbering><oops"}};
  auto partial = ParseDocx(Build(f), "t", {});
  ASSERT_TRUE(partial);
  EXPECT_EQ(ToMarkdown(*partial), "Fine.");
  EXPECT_FALSE(partial->warnings.empty());
}

TEST(DocxBackendTest, BillionLaughsIsNotExpanded) {
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
      "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]>"
      "<w:document><w:body><w:p><w:r><w:t>&lol4;</w:t></w:r></w:p></w:body></w:document>";
  auto doc = ParseDocx(MakeZip({{"word/document.xml", laughs}}), "t", {});
  if (doc) {
    EXPECT_LT(ToMarkdown(*doc).size(), 100u);
  } else {
    EXPECT_FALSE(doc.error().message.empty());
  }
}

TEST(DocxBackendTest, DeeplyNestedTablesAreCutWithAWarning) {
  constexpr int kDepth = 3000;
  // Two-cell tables (cell text recursion) and one-cell frames (block recursion).
  for (const bool frames : {false, true}) {
    std::string body;
    for (int i = 0; i < kDepth; ++i) {
      body += "<w:tbl><w:tr>";
      if (!frames) body += Cell(Para("level " + std::to_string(i)));
      body += "<w:tc>";
    }
    body += Para("bottom");
    for (int i = 0; i < kDepth; ++i) body += "</w:tc></w:tr></w:tbl>";
    Fixture f;
    f.body = body + Para("After.");
    const Document doc = Parse(f);
    ASSERT_FALSE(doc.warnings.empty());
    EXPECT_NE(doc.warnings[0].find("nested deeper"), std::string::npos);
    const std::string md = ToMarkdown(doc);
    EXPECT_NE(md.find("After."), std::string::npos);
    EXPECT_EQ(md.find("bottom"), std::string::npos);
    if (!frames) {
      EXPECT_NE(md.find("level 0"), std::string::npos);
    }
  }
}

TEST(DocxBackendTest, HugeSpansAreClamped) {
  Fixture f;
  f.body = "<w:tbl><w:tr>" + Cell(Para("a"), "<w:gridSpan w:val=\"2000000000\"/>") +
           Cell(Para("b")) + "</w:tr><w:tr>" + Cell(Para("c")) + Cell(Para("d")) +
           "</w:tr></w:tbl>";
  const Document doc = Parse(f);
  ASSERT_EQ(doc.tables.size(), 1u);
  EXPECT_LE(doc.tables[0].num_cols, 1000);
}

}  // namespace
}  // namespace ferry::document
