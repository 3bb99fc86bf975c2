#include "document/backends/xlsx.h"

#include <gtest/gtest.h>

#include <chrono>

#include "document/backends/zip_test_util.h"
#include "document/export.h"

namespace ferry::document {
namespace {

using testing::MakeZip;
using Parts = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

std::string Rels(const std::vector<std::tuple<std::string, std::string, std::string>>& rels) {
  std::string s =
      R"(<?xml version="1.0"?><Relationships )"
      R"(xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)";
  for (const auto& [id, type, target] : rels) {
    s += "<Relationship Id=\"" + id + "\" Type=\"" + kRel + type + "\" Target=\"" + target + "\"/>";
  }
  return s + "</Relationships>";
}

std::string Sheet(const std::string& data, const std::string& after = "",
                  const std::string& dimension = "") {
  return "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
         "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" +
         (dimension.empty() ? "" : "<dimension ref=\"" + dimension + "\"/>") + "<sheetData>" +
         data + "</sheetData>" + after + "</worksheet>";
}

struct SheetSpec {
  std::string name, xml;
  std::string state;  // "" or "hidden"
  Parts extra;        // more parts (drawings, comments, the sheet's relationships)
};

Parts Workbook(const std::vector<SheetSpec>& sheets, const std::string& shared_strings = "",
               const std::string& styles = "") {
  Parts parts = {{"_rels/.rels", Rels({{"rId1", "officeDocument", "xl/workbook.xml"}})}};
  std::string list;
  std::vector<std::tuple<std::string, std::string, std::string>> rels;
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    // Relationships in reverse: the order comes from the workbook's sheet list.
    rels.insert(rels.begin(), {"rId" + n, "worksheet", "worksheets/sheet" + n + ".xml"});
    list += "<sheet name=\"" + sheets[i].name + "\" sheetId=\"" + n + "\" r:id=\"rId" + n + "\"" +
            (sheets[i].state.empty() ? "" : " state=\"" + sheets[i].state + "\"") + "/>";
    parts.emplace_back("xl/worksheets/sheet" + n + ".xml", sheets[i].xml);
    for (const auto& p : sheets[i].extra) parts.push_back(p);
  }
  if (!shared_strings.empty()) {
    rels.emplace_back("rIdS", "sharedStrings", "sharedStrings.xml");
    parts.emplace_back("xl/sharedStrings.xml",
                       "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" +
                           shared_strings + "</sst>");
  }
  if (!styles.empty()) {
    rels.emplace_back("rIdT", "styles", "styles.xml");
    parts.emplace_back("xl/styles.xml",
                       "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
                       "main\">" +
                           styles + "</styleSheet>");
  }
  parts.emplace_back(
      "xl/workbook.xml",
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
      "relationships\"><sheets>" +
          list + "</sheets></workbook>");
  parts.emplace_back("xl/_rels/workbook.xml.rels", Rels(rels));
  return parts;
}

Document Parse(const Parts& parts) {
  auto doc = ParseXlsx(MakeZip(parts), "t", {});
  EXPECT_TRUE(doc) << (doc ? "" : doc.error().message);
  return doc ? std::move(*doc) : Document();
}

std::string C(const std::string& ref, const std::string& v, const std::string& attrs = "") {
  return "<c r=\"" + ref + "\"" + attrs + "><v>" + v + "</v></c>";
}
std::string Row(int r, const std::string& cells) {
  return "<row r=\"" + std::to_string(r) + "\">" + cells + "</row>";
}

TEST(XlsxBackendTest, ValuesRegionsAndMerges) {
  const std::string strings =
      "<si><t>Name</t></si><si><t>Score</t></si>"
      "<si><r><t>Bo</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\">b &amp; co</t></r>"
      "<rPh><t>PHONETIC</t></rPh></si><si><t>x</t></si><si><t>wide</t></si>";
  const std::string data =
      Row(1, C("A1", "0", " t=\"s\"") + C("B1", "1", " t=\"s\"")) +
      Row(2, "<c r=\"A2\" t=\"inlineStr\"><is><t>Ann</t></is></c>" + C("B2", "42")) +
      Row(3, C("A3", "2", " t=\"s\"") + C("B3", "3.50")) +
      Row(4, C("A4", "1", " t=\"b\"") + C("B4", "#N/A", " t=\"e\"") + "<c r=\"C4\"><f>A1</f></c>") +
      Row(6, C("D6", "3", " t=\"s\"") + C("E6", "formula text", " t=\"str\"")) +
      Row(7, C("D7", "4", " t=\"s\""));
  const Document doc = Parse(Workbook(
      {{"Data", Sheet(data, "<mergeCells count=\"1\"><mergeCell ref=\"D7:E7\"/></mergeCells>")}},
      strings));
  EXPECT_EQ(ToMarkdown(doc),
            "## Data\n\n| Name | Score |\n| - | - |\n| Ann | 42 |\n| Bob & co | 3.5 |\n"
            "| TRUE | #N/A |\n\n| x | formula text |\n| - | - |\n| wide | wide |");
  ASSERT_EQ(doc.tables.size(), 2u);
  EXPECT_EQ(doc.tables[1].cells.back().col_span(), 2);
  EXPECT_TRUE(doc.tables[0].cells[0].column_header);
  EXPECT_FALSE(doc.tables[0].cells[2].column_header);
  ASSERT_EQ(doc.pages.size(), 1u);
  EXPECT_DOUBLE_EQ(doc.pages.at(1).width, 5);   // columns A to E
  EXPECT_DOUBLE_EQ(doc.pages.at(1).height, 7);  // rows 1 to 7
  ASSERT_EQ(doc.groups.size(), 1u);
  EXPECT_EQ(doc.groups[0].label, GroupLabel::kSheet);
  EXPECT_EQ(doc.groups[0].name, "Data");
  EXPECT_EQ(doc.tables[1].prov.at(0).page_no, 1);
}

TEST(XlsxBackendTest, SheetsInOrderDatesHiddenSheetsAndMergedBridges) {
  const std::string styles =
      "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy\\-mm\\-dd\"/>"
      "<numFmt numFmtId=\"165\" formatCode=\"&quot;days&quot;\\ 0\"/></numFmts>"
      "<cellXfs count=\"4\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
      "<xf numFmtId=\"165\"/></cellXfs>";
  const std::string first =
      Sheet(Row(1, "<c r=\"A1\" t=\"inlineStr\"><is><t>When</t></is></c>") +
            Row(2, C("A2", "45292", " s=\"1\"")) + Row(3, C("A3", "45292.5", " s=\"2\"")) +
            Row(4, C("A4", "0.75", " s=\"1\"")) + Row(5, C("A5", "12", " s=\"3\"")));
  // Two cells apart in one row, bridged by a merged range under them: one table.
  const std::string second =
      Sheet(Row(1,
                "<c r=\"A1\" t=\"inlineStr\"><is><t>left</t></is></c>"
                "<c r=\"C1\" t=\"inlineStr\"><is><t>right</t></is></c>") +
                Row(2, "<c r=\"A2\" t=\"inlineStr\"><is><t>under</t></is></c>"),
            "<mergeCells><mergeCell ref=\"A2:C2\"/></mergeCells>");
  const std::string hidden = Sheet(Row(1, C("A1", "1")));
  const Document doc = Parse(
      Workbook({{"First", first}, {"Second", second}, {"Secret", hidden, "hidden"}}, "", styles));
  EXPECT_EQ(ToMarkdown(doc),
            "## First\n\n| When |\n| - |\n| 2024-01-01 00:00:00 |\n| 2024-01-01 12:00:00 |\n"
            "| 18:00:00 |\n| 12 |\n\n## Second\n\n| left |  | right |\n| - | - | - |\n"
            "| under | under | under |");
  EXPECT_EQ(doc.pages.size(), 3u);
  EXPECT_EQ(doc.furniture.children.size(), 1u);  // the hidden sheet
}

TEST(XlsxBackendTest, DrawingsCommentsAndOrder) {
  const std::string drawing =
      "<xdr:wsDr xmlns:xdr=\"http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing\" "
      "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
      "<xdr:twoCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:row>3</xdr:row></xdr:from>"
      "<xdr:to><xdr:col>5</xdr:col><xdr:row>9</xdr:row></xdr:to><xdr:pic><xdr:blipFill>"
      "<a:blip r:embed=\"rId1\"/></xdr:blipFill></xdr:pic></xdr:twoCellAnchor>"
      "<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:row>20</xdr:row></xdr:from>"
      "<xdr:sp><xdr:txBody><a:p><a:r><a:t>A text box</a:t></a:r></a:p></xdr:txBody></xdr:sp>"
      "</xdr:oneCellAnchor></xdr:wsDr>";
  const std::string comments =
      "<comments xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><authors>"
      "<author>Ann</author><author>tc={1}</author></authors><commentList>"
      "<comment ref=\"A1\" authorId=\"0\"><text><r><t>Check this</t></r></text></comment>"
      "<comment ref=\"B12\" authorId=\"1\"><text><t>[Threaded comment] ...</t></text></comment>"
      "</commentList></comments>";
  const std::string threaded =
      "<ThreadedComments xmlns=\"http://schemas.microsoft.com/office/spreadsheetml/2018/"
      "threadedcomments\"><threadedComment ref=\"B12\" dT=\"2026-06-18T17:12:37.41\" "
      "personId=\"{P}\" id=\"{1}\"><text>Why?</text></threadedComment><threadedComment "
      "ref=\"B12\" dT=\"2026-06-18T17:15:52\" personId=\"{P}\" id=\"{2}\" parentId=\"{1}\">"
      "<text>Because.</text></threadedComment></ThreadedComments>";
  SheetSpec sheet{
      "S",
      Sheet(Row(1, C("A1", "1")) + Row(12, C("B12", "2")) + Row(13, C("B13", "3")),
            "<drawing r:id=\"rId9\"/>"),
      "",
      {{"xl/worksheets/_rels/sheet1.xml.rels",
        Rels({{"rId9", "drawing", "../drawings/drawing1.xml"},
              {"rId8", "comments", "../comments1.xml"},
              {"rId7", "threadedComment", "../threadedComments/tc1.xml"}})},
       {"xl/drawings/drawing1.xml", drawing},
       {"xl/drawings/_rels/drawing1.xml.rels", Rels({{"rId1", "image", "../media/image1.png"}})},
       {"xl/media/image1.png", "\x89PNG\r\n\x1a\n"},
       {"xl/comments1.xml", comments},
       {"xl/threadedComments/tc1.xml", threaded},
       {"xl/persons/person.xml",
        "<personList xmlns=\"http://schemas.microsoft.com/office/spreadsheetml/2018/"
        "threadedcomments\"><person displayName=\"Jane (JS)\" id=\"{P}\"/></personList>"}}};
  auto parts = Workbook({sheet});
  for (auto& [name, content] : parts) {
    if (name == "xl/_rels/workbook.xml.rels") {
      content = Rels({{"rId1", "worksheet", "worksheets/sheet1.xml"},
                      {"rId2", "person", "persons/person.xml"}});
    }
  }
  const Document doc = Parse(parts);
  EXPECT_EQ(ToMarkdown(doc),
            "## S\n\n| 1 |\n| - |\n\n<!-- image -->\n\n| 2 |\n| - |\n| 3 |\n\nA text box\n\n"
            "[author: Ann]: Check this\n\n"
            "[author: Jane (JS), time: 2026-06-18T17:12:37.410]: Why?\n\n"
            "[author: Jane (JS), time: 2026-06-18T17:15:52]: Because.");
  EXPECT_DOUBLE_EQ(doc.pages.at(1).width, 6);    // the picture reaches column F
  EXPECT_DOUBLE_EQ(doc.pages.at(1).height, 21);  // the text box sits in row 21
}

TEST(XlsxBackendTest, HugeDeclaredDimensionIsCheap) {
  const auto start = std::chrono::steady_clock::now();
  const Document doc = Parse(Workbook(
      {{"Big", Sheet(Row(1, C("A1", "1") + C("B1", "2")) + Row(1048576, C("XFD1048576", "3")), "",
                     "A1:XFD1048576")}}));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(1));
  ASSERT_EQ(doc.tables.size(), 2u);
  EXPECT_EQ(doc.tables[0].num_cols, 2);
  EXPECT_EQ(doc.tables[1].num_rows, 1);
  EXPECT_DOUBLE_EQ(doc.pages.at(1).width, 16384);
}

TEST(XlsxBackendTest, CellCapsAreErrors) {
  std::string cells;
  for (int i = 1; i <= 20; ++i) cells += Row(i, C("A" + std::to_string(i), "1"));
  auto too_many = ParseXlsx(MakeZip(Workbook({{"S", Sheet(cells)}})), "t", {}, {}, 10);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("too large"), std::string::npos);
  // A merged range over the whole sheet, between two far-apart values.
  auto merged = ParseXlsx(
      MakeZip(
          Workbook({{"S", Sheet(Row(1, C("A1", "1")) + Row(1048576, C("XFD1048576", "2")),
                                "<mergeCells><mergeCell ref=\"A1:XFD1048576\"/></mergeCells>")}})),
      "t", {});
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().message.find("too large"), std::string::npos);
}

TEST(XlsxBackendTest, HostileInput) {
  EXPECT_FALSE(ParseXlsx("not a zip at all", "t", {}));
  EXPECT_FALSE(ParseXlsx("", "t", {}));
  const std::string good =
      MakeZip(Workbook({{"S", Sheet(Row(1, C("A1", std::string(4000, '7'))))}}));
  EXPECT_TRUE(ParseXlsx(good, "t", {}));
  EXPECT_FALSE(ParseXlsx(std::string_view(good).substr(0, good.size() / 2), "t", {}));

  auto bomb = ParseXlsx(MakeZip(Workbook({{"S", std::string(8 * 1024 * 1024, '\0')}})), "t", {},
                        {.max_part_bytes = 1024 * 1024});
  ASSERT_FALSE(bomb);
  EXPECT_NE(bomb.error().message.find("zip bomb"), std::string::npos);

  for (const std::string& bad : std::vector<std::string>{
           "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>",  // unclosed
           "<worksheet><sheetData></row></sheetData></worksheet>",               // mismatched
           "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" "
           "t=\"s></c></row></sheetData></worksheet>",
           std::string("\0\xff\xfe", 3), ""}) {
    auto result = ParseXlsx(MakeZip(Workbook({{"S", bad}})), "t", {});
    ASSERT_FALSE(result) << bad;
    EXPECT_NE(result.error().message.find("malformed XML"), std::string::npos);
  }
  auto workbook = Workbook({{"S", Sheet("")}});
  for (auto& [name, content] : workbook) {
    if (name == "xl/workbook.xml") content = "<workbook><sheets>";
  }
  EXPECT_FALSE(ParseXlsx(MakeZip(workbook), "t", {}));
  EXPECT_FALSE(ParseXlsx(MakeZip({{"ppt/presentation.xml", "<p/>"}}), "t", {}));

  // Entities, character references and CDATA are decoded; a DTD's entities are not expanded.
  const Document doc = Parse(Workbook(
      {{"S",
        "<!DOCTYPE worksheet [<!ENTITY e \"boom\">]>" +
            Sheet(Row(1,
                      "<c r=\"A1\" t=\"inlineStr\"><is><t>&lt;a&gt; &#x263A; &e;</t></is></c>"
                      "<c r=\"B1\" t=\"inlineStr\"><is><t><![CDATA[<raw>]]></t></is></c>"))}}));
  EXPECT_EQ(ToMarkdown(doc), "## S\n\n| <a> \xE2\x98\xBA &e; | <raw> |\n| - | - |");
}

}  // namespace
}  // namespace ferry::document
