#include "document/backends/pptx.h"

#include <gtest/gtest.h>

#include "document/backends/ooxml.h"
#include "document/backends/zip_test_util.h"
#include "document/export.h"

namespace ferry::document {
namespace {

using testing::MakeZip;

constexpr const char* kNs =
    R"(xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" )"
    R"(xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main")";
constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

std::string Rels(const std::vector<std::tuple<std::string, std::string, std::string>>& rels) {
  std::string s = R"(<?xml version="1.0"?><Relationships )"
                  R"(xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)";
  for (const auto& [id, type, target] : rels) {
    s += "<Relationship Id=\"" + id + "\" Type=\"" + kRel + type + "\" Target=\"" + target + "\"";
    if (target.rfind("file:", 0) == 0) s += " TargetMode=\"External\"";
    s += "/>";
  }
  return s + "</Relationships>";
}

std::string Slide(const std::string& shapes) {
  return std::string("<p:sld ") + kNs + "><p:cSld><p:spTree><p:nvGrpSpPr/><p:grpSpPr/>" + shapes +
         "</p:spTree></p:cSld></p:sld>";
}

// A text shape at (x, y) EMU; `ph` is a placeholder element or "".
std::string Shape(const std::string& ph, long x, long y, const std::string& paragraphs) {
  std::string s = "<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"s\"/><p:cNvSpPr/><p:nvPr>" + ph +
                  "</p:nvPr></p:nvSpPr><p:spPr>";
  if (x >= 0) {
    s += "<a:xfrm><a:off x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) +
         "\"/><a:ext cx=\"100\" cy=\"100\"/></a:xfrm>";
  }
  return s + "</p:spPr><p:txBody><a:bodyPr/><a:lstStyle/>" + paragraphs + "</p:txBody></p:sp>";
}

std::string P(const std::string& text, const std::string& ppr = "") {
  return "<a:p>" + (ppr.empty() ? "" : "<a:pPr" + ppr + "</a:pPr>") + "<a:r><a:t>" + text +
         "</a:t></a:r></a:p>";
}
const std::string kBullet = "><a:buChar char=\"&#8226;\"/>";
std::string Level(int lvl) { return " lvl=\"" + std::to_string(lvl) + "\"><a:buChar char=\"-\"/>"; }
const std::string kNumbered = "><a:buAutoNum type=\"arabicPeriod\"/>";

using Parts = std::vector<std::pair<std::string, std::string>>;

// A presentation of the given slides (each: slide XML, its extra relationships).
Parts Presentation(
    const std::vector<std::pair<
        std::string, std::vector<std::tuple<std::string, std::string, std::string>>>>& slides,
    Parts extra = {}) {
  Parts parts = {
      {"_rels/.rels", Rels({{"rId1", "officeDocument", "ppt/presentation.xml"}})},
  };
  std::string ids;
  std::vector<std::tuple<std::string, std::string, std::string>> pres_rels;
  for (std::size_t i = 0; i < slides.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    // Listed in reverse in the relationships: the order comes from sldIdLst.
    pres_rels.insert(pres_rels.begin(),
                     {"rId" + std::to_string(10 + i), "slide", "slides/slide" + n + ".xml"});
    ids += "<p:sldId id=\"" + std::to_string(256 + i) + "\" r:id=\"rId" + std::to_string(10 + i) +
           "\"/>";
    parts.emplace_back("ppt/slides/slide" + n + ".xml", slides[i].first);
    if (!slides[i].second.empty()) {
      parts.emplace_back("ppt/slides/_rels/slide" + n + ".xml.rels", Rels(slides[i].second));
    }
  }
  parts.emplace_back("ppt/presentation.xml", std::string("<p:presentation ") + kNs +
                                                 "><p:sldIdLst>" + ids +
                                                 "</p:sldIdLst><p:sldSz cx=\"9144000\" "
                                                 "cy=\"6858000\"/></p:presentation>");
  parts.emplace_back("ppt/_rels/presentation.xml.rels", Rels(pres_rels));
  for (auto& p : extra) parts.push_back(std::move(p));
  return parts;
}

Document Parse(const Parts& parts) {
  auto doc = ParsePptx(MakeZip(parts), "t", {});
  EXPECT_TRUE(doc) << (doc ? "" : doc.error().message);
  return doc ? std::move(*doc) : Document();
}

TEST(PptxBackendTest, TitlesParagraphsAndNestedBullets) {
  const std::string slide1 =
      Slide(Shape("<p:ph type=\"title\"/>", 0, 0, P("Hello") + P("World")) +
            Shape("", 0, 1000000,
                  P("Intro") + P("a", kBullet) + P("b", Level(1)) + P("c", Level(2)) +
                      P("d", kBullet) + "<a:p/>" + P("Outro")));
  const std::string slide2 =
      Slide(Shape("<p:ph type=\"ctrTitle\"/>", 0, 0, P("Second")) +
            Shape("", 0, 2000000, P("x", kNumbered) + P("y", kNumbered) + P("z", kNumbered)));
  const Document doc = Parse(Presentation({{slide1, {}}, {slide2, {}}}));
  EXPECT_EQ(ToMarkdown(doc),
            "# Hello World\n\nIntro\n\n- a\n    - b\n        - c\n- d\n\nOutro\n\n# Second\n\n"
            "1. x\n2. y\n3. z");
  ASSERT_EQ(doc.pages.size(), 2u);
  EXPECT_EQ(doc.pages.at(2).page_no, 2);
  EXPECT_DOUBLE_EQ(doc.pages.at(1).width, 720);
  EXPECT_DOUBLE_EQ(doc.pages.at(1).height, 540);
  ASSERT_EQ(doc.body.children.size(), 2u);
  const auto& group = doc.groups[static_cast<std::size_t>(doc.body.children[0].index)];
  EXPECT_EQ(group.name, "slide-0");
  EXPECT_EQ(doc.texts[0].label, TextLabel::kTitle);
  ASSERT_FALSE(doc.texts[0].prov.empty());
  EXPECT_EQ(doc.texts.back().prov[0].page_no, 2);
}

TEST(PptxBackendTest, ShapesInReadingOrder) {
  // XML order: bottom, right, left; the reading order is top row left to right, then below.
  const std::string slide =
      Slide(Shape("", 100, 5000000, P("bottom")) + Shape("", 5000000, 1010000, P("right")) +
            Shape("", 100, 1000000, P("left")));
  EXPECT_EQ(ToMarkdown(Parse(Presentation({{slide, {}}}))), "left\n\nright\n\nbottom");

  // A group shape scales its children's coordinates (chOff / chExt) into its own box.
  const std::string group =
      "<p:grpSp><p:nvGrpSpPr/><p:grpSpPr><a:xfrm><a:off x=\"1270000\" y=\"0\"/><a:ext "
      "cx=\"254000\" cy=\"254000\"/><a:chOff x=\"0\" y=\"0\"/><a:chExt cx=\"127000\" "
      "cy=\"127000\"/></a:xfrm></p:grpSpPr>" +
      Shape("", 63500, 0, P("inside")) + "</p:grpSp>";
  const Document doc = Parse(Presentation({{Slide(group), {}}}));
  ASSERT_EQ(doc.texts.size(), 1u);
  EXPECT_DOUBLE_EQ(doc.texts[0].prov.at(0).bbox.left, 110);  // 100 pt + 5 pt scaled twice
}

TEST(PptxBackendTest, BulletsAndPositionsInheritedFromLayoutAndMaster) {
  const std::string master =
      std::string("<p:sldMaster ") + kNs + "><p:cSld><p:spTree>" +
      Shape("<p:ph type=\"title\"/>", 10, 10, "") +
      Shape("<p:ph type=\"body\" idx=\"1\"/>", 10, 900000, "") +
      "</p:spTree></p:cSld><p:txStyles><p:titleStyle><a:lvl1pPr><a:buNone/></a:lvl1pPr></"
      "p:titleStyle>"
      "<p:bodyStyle><a:lvl1pPr><a:buChar char=\"&#8226;\"/></a:lvl1pPr>"
      "<a:lvl2pPr><a:buChar char=\"-\"/></a:lvl2pPr></p:bodyStyle></p:txStyles></p:sldMaster>";
  // A subtitle whose layout says "no bullets"; the body inherits the master's bullets except where
  // a paragraph says buNone. The slide's own XML lists the shapes bottom-up.
  const std::string layout_with_none =
      std::string("<p:sldLayout ") + kNs + "><p:cSld><p:spTree>" +
      Shape("<p:ph type=\"title\"/>", 10, 10, "") + Shape("<p:ph idx=\"1\"/>", -1, 0, "") +
      "<p:sp><p:nvSpPr><p:cNvPr id=\"9\" name=\"sub\"/><p:cNvSpPr/><p:nvPr><p:ph type=\"subTitle\" "
      "idx=\"2\"/></p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x=\"10\" y=\"3000000\"/></a:xfrm>"
      "</p:spPr><p:txBody><a:bodyPr/><a:lstStyle><a:lvl1pPr><a:buNone/></a:lvl1pPr></a:lstStyle>"
      "</p:txBody></p:sp></p:spTree></p:cSld></p:sldLayout>";
  const std::string slide =
      Slide(Shape("<p:ph type=\"subTitle\" idx=\"2\"/>", -1, 0, P("Sub")) +
            Shape("<p:ph idx=\"1\"/>", -1, 0,
                  P("Lead", "><a:buNone/>") + P("one") + P("deeper", " lvl=\"1\">") + P("two")) +
            Shape("<p:ph type=\"title\"/>", -1, 0, P("Inherited")));
  const Document doc =
      Parse(Presentation({{slide, {{"rId1", "slideLayout", "../slideLayouts/slideLayout1.xml"}}}},
                         {{"ppt/slideLayouts/slideLayout1.xml", layout_with_none},
                          {"ppt/slideLayouts/_rels/slideLayout1.xml.rels",
                           Rels({{"rId1", "slideMaster", "../slideMasters/slideMaster1.xml"}})},
                          {"ppt/slideMasters/slideMaster1.xml", master}}));
  EXPECT_EQ(ToMarkdown(doc), "# Inherited\n\nLead\n\n- one\n    - deeper\n- two\n\nSub");
}

TEST(PptxBackendTest, TableWithMerges) {
  auto tc = [](const std::string& text, const std::string& attrs = "") {
    return "<a:tc" + attrs + "><a:txBody><a:bodyPr/><a:p>" +
           (text.empty() ? "" : "<a:r><a:t>" + text + "</a:t></a:r>") + "</a:p></a:txBody></a:tc>";
  };
  const std::string table =
      "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"4\" name=\"Table\"/><p:cNvGraphicFramePr/>"
      "<p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x=\"0\" y=\"2000000\"/><a:ext cx=\"10\" "
      "cy=\"10\"/></p:xfrm><a:graphic><a:graphicData "
      "uri=\"http://schemas.openxmlformats.org/drawingml/2006/table\"><a:tbl><a:tblGrid>"
      "<a:gridCol w=\"1\"/><a:gridCol w=\"1\"/><a:gridCol w=\"1\"/></a:tblGrid>"
      "<a:tr>" +
      tc("") + tc("Wide", " gridSpan=\"2\"") + tc("", " hMerge=\"1\"") +
      "</a:tr>"
      "<a:tr>" +
      tc("Tall", " rowSpan=\"2\"") + tc("a|b") + tc("c") +
      "</a:tr>"
      "<a:tr>" +
      tc("", " vMerge=\"1\"") + tc("d") + tc("e") +
      "</a:tr>"
      "</a:tbl></a:graphicData></a:graphic></p:graphicFrame>";
  const Document doc =
      Parse(Presentation({{Slide(Shape("<p:ph type=\"title\"/>", 0, 0, P("Table")) + table), {}}}));
  EXPECT_EQ(ToMarkdown(doc),
            "# Table\n\n|  | Wide | Wide |\n| - | - | - |\n| Tall | a&#124;b | c |\n| Tall | d | e |");
  ASSERT_EQ(doc.tables.size(), 1u);
  const auto& cells = doc.tables[0].cells;
  ASSERT_EQ(cells.size(), 7u);
  EXPECT_EQ(cells[1].col_span(), 2);
  EXPECT_TRUE(cells[1].column_header);
  EXPECT_EQ(cells[2].row_span(), 2);
}

std::string Pic(const std::string& blip, long y) {
  return "<p:pic><p:nvPicPr><p:cNvPr id=\"3\" name=\"p\"/><p:cNvPicPr/><p:nvPr/></p:nvPicPr>" +
         (blip.empty() ? std::string() : "<p:blipFill>" + blip + "</p:blipFill>") +
         "<p:spPr><a:xfrm><a:off x=\"0\" y=\"" + std::to_string(y) +
         "\"/><a:ext cx=\"10\" cy=\"10\"/></a:xfrm></p:spPr></p:pic>";
}

TEST(PptxBackendTest, PicturesOnlyWhenTheImageIsEmbedded) {
  const std::string slide =
      Slide(Shape("", 0, 0, P("Pictures")) + Pic("<a:blip r:embed=\"rId2\"/>", 1000000) +
            Pic("<a:blip r:embed=\"rIdMissing\"/>", 2000000) +  // dangling
            Pic("<a:blip r:link=\"rId3\"/>", 3000000) +         // linked, not embedded
            Pic("", 4000000) +                                  // no blip at all
            Pic("<a:blip r:embed=\"rId4\"/>", 5000000));        // typed as text
  const std::string types =
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Default Extension=\"png\" ContentType=\"image/png\"/>"
      "<Override PartName=\"/ppt/media/bad.png\" ContentType=\"text/plain\"/></Types>";
  const Document doc = Parse(Presentation({{slide,
                                            {{"rId2", "image", "../media/image1.png"},
                                             {"rId3", "image", "file:///elsewhere/x.png"},
                                             {"rId4", "image", "../media/bad.png"}}}},
                                          {{"ppt/media/image1.png", "\x89PNG\r\n\x1a\n"},
                                           {"ppt/media/bad.png", "\x89PNG\r\n\x1a\n"},
                                           {"[Content_Types].xml", types}}));
  EXPECT_EQ(ToMarkdown(doc), "Pictures\n\n<!-- image -->");
  ASSERT_EQ(doc.pictures.size(), 1u);
  EXPECT_EQ(doc.pictures[0].mimetype, "image/png");
  EXPECT_EQ(doc.pictures[0].prov.at(0).page_no, 1);
}

TEST(PptxBackendTest, ChartsNotesAndComments) {
  const std::string frame =
      "<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id=\"5\" name=\"Chart\"/><p:cNvGraphicFramePr/>"
      "<p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x=\"0\" y=\"1000000\"/><a:ext cx=\"1\" "
      "cy=\"1\"/></p:xfrm><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/"
      "drawingml/2006/chart\"><c:chart xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/"
      "chart\" r:id=\"rId5\"/></a:graphicData></a:graphic></p:graphicFrame>";
  auto pt = [](int i, const std::string& v) {
    return "<c:pt idx=\"" + std::to_string(i) + "\"><c:v>" + v + "</c:v></c:pt>";
  };
  const std::string chart =
      "<c:chartSpace xmlns:c=\"http://schemas.openxmlformats.org/drawingml/2006/chart\" "
      "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><c:chart><c:title><c:tx>"
      "<c:rich><a:p><a:r><a:t>Ducks</a:t></a:r></a:p></c:rich></c:tx></c:title><c:plotArea>"
      "<c:barChart><c:ser><c:tx><c:strRef><c:strCache>" +
      pt(0, "Wild") + "</c:strCache></c:strRef></c:tx><c:cat><c:strRef><c:strCache>" +
      pt(0, "2019") + pt(1, "2020") +
      "</c:strCache></c:strRef></c:cat><c:val><c:numRef><c:numCache>" + pt(0, "120.0") +
      pt(1, "7.5") +
      "</c:numCache></c:numRef></c:val></c:ser></c:barChart></c:plotArea></c:chart></c:chartSpace>";
  const std::string notes = std::string("<p:notes ") + kNs + "><p:cSld><p:spTree>" +
                            Shape("<p:ph type=\"sldImg\"/>", 0, 0, "") +
                            Shape("<p:ph type=\"body\" idx=\"1\"/>", 0, 0, P("Speaker notes")) +
                            "</p:spTree></p:cSld></p:notes>";
  const std::string comments =
      std::string("<p:cmLst ") + kNs +
      "><p:cm authorId=\"0\" dt=\"2026-01-01T00:00:00\" idx=\"1\"><p:text>Nice chart</p:text>"
      "</p:cm></p:cmLst>";
  const std::string authors =
      std::string("<p:cmAuthorLst ") + kNs +
      "><p:cmAuthor id=\"0\" name=\"Jo Doe\" initials=\"JD\"/></p:cmAuthorLst>";
  auto parts = Presentation({{Slide(Shape("<p:ph type=\"title\"/>", 0, 0, P("Survey")) + frame),
                              {{"rId5", "chart", "../charts/chart1.xml"},
                               {"rId6", "notesSlide", "../notesSlides/notesSlide1.xml"},
                               {"rId7", "comments", "../comments/comment1.xml"}}}},
                            {{"ppt/charts/chart1.xml", chart},
                             {"ppt/notesSlides/notesSlide1.xml", notes},
                             {"ppt/comments/comment1.xml", comments},
                             {"ppt/commentAuthors.xml", authors}});
  // The presentation's relationships name the comment authors.
  for (auto& [name, content] : parts) {
    if (name == "ppt/_rels/presentation.xml.rels") {
      content = Rels({{"rId10", "slide", "slides/slide1.xml"},
                      {"rId20", "commentAuthors", "commentAuthors.xml"}});
    }
  }
  const Document doc = Parse(parts);
  EXPECT_EQ(ToMarkdown(doc),
            "# Survey\n\nDucks\n\n<!-- image -->\n\nBar chart\n\n|  | Wild |\n| - | - |\n"
            "| 2019 | 120 |\n| 2020 | 7.5 |\n\n"
            "[author: Jo Doe (JD), time: 2026-01-01T00:00:00]: Nice chart");
  bool notes_found = false;
  for (const auto& t : doc.texts) {
    if (t.text == "Speaker notes") {
      notes_found = true;
      EXPECT_EQ(t.layer, ContentLayer::kFurniture);
    }
  }
  EXPECT_TRUE(notes_found);
}

TEST(PptxBackendTest, HostileInput) {
  EXPECT_FALSE(ParsePptx("not a zip at all", "t", {}));
  const std::string good =
      MakeZip(Presentation({{Slide(Shape("", 0, 0, P(std::string(3000, 'x')))), {}}}));
  EXPECT_TRUE(ParsePptx(good, "t", {}));
  EXPECT_FALSE(ParsePptx(std::string_view(good).substr(0, good.size() / 2), "t", {}));
  EXPECT_FALSE(ParsePptx("", "t", {}));

  // A zip bomb as the presentation part is an error; as a slide, the slide is skipped.
  auto bomb = Presentation({{Slide(""), {}}});
  for (auto& [name, content] : bomb) {
    if (name == "ppt/presentation.xml") content = std::string(8 * 1024 * 1024, '\0');
  }
  auto result = ParsePptx(MakeZip(bomb), "t", {}, {.max_part_bytes = 1024 * 1024});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("zip bomb"), std::string::npos);
  auto slide_bomb = Presentation(
      {{std::string(8 * 1024 * 1024, '\0'), {}}, {Slide(Shape("", 0, 0, P("ok"))), {}}});
  auto partial = ParsePptx(MakeZip(slide_bomb), "t", {}, {.max_part_bytes = 1024 * 1024});
  ASSERT_TRUE(partial);
  EXPECT_EQ(ToMarkdown(*partial), "ok");
  ASSERT_EQ(partial->warnings.size(), 1u);
  EXPECT_NE(partial->warnings[0].find("zip bomb"), std::string::npos);

  // Malformed XML: in the presentation an error, in a slide a warning.
  auto broken = Presentation({{Slide(""), {}}});
  for (auto& [name, content] : broken) {
    if (name == "ppt/presentation.xml") content = "<p:presentation><p:sldIdLst>";
  }
  EXPECT_FALSE(ParsePptx(MakeZip(broken), "t", {}));
  auto broken_slide = ParsePptx(MakeZip(Presentation({{"<p:sld><p:cSld>", {}}})), "t", {});
  ASSERT_TRUE(broken_slide);
  EXPECT_EQ(broken_slide->warnings.size(), 1u);

  // Not a presentation at all; group shapes nested absurdly deep.
  EXPECT_FALSE(ParsePptx(MakeZip({{"word/document.xml", "<w:document/>"}}), "t", {}));
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "<p:grpSp>";
  deep += Shape("", 0, 0, P("deep"));
  for (int i = 0; i < 200; ++i) deep += "</p:grpSp>";
  auto nested = ParsePptx(MakeZip(Presentation({{Slide(deep), {}}})), "t", {});
  ASSERT_TRUE(nested);
  EXPECT_FALSE(nested->warnings.empty());
}

TEST(PptxBackendTest, GeneralNumberFormat) {
  using ooxml::FormatGeneralNumber;
  EXPECT_EQ(FormatGeneralNumber(5.0), "5");
  EXPECT_EQ(FormatGeneralNumber(-3.0), "-3");
  EXPECT_EQ(FormatGeneralNumber(0.1 + 0.2), "0.3");
  EXPECT_EQ(FormatGeneralNumber(3.5), "3.5");
  EXPECT_EQ(FormatGeneralNumber(1e20), "1E+20");
  EXPECT_EQ(FormatGeneralNumber(1e-5), "1E-05");
  EXPECT_EQ(FormatGeneralNumber(std::string_view("120.0")), "120");
  EXPECT_EQ(FormatGeneralNumber(std::string_view("n/a")), "n/a");
}

}  // namespace
}  // namespace ferry::document
