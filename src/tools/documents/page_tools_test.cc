#include "tools/documents/page_tools.h"

#include <gtest/gtest.h>

#include "common/base64.h"
#include "image/png.h"
#include "tools/tools_test_util.h"
#ifdef FERRY_WITH_PDF
#include "document/backends/pdf_test_util.h"
#endif

namespace ferry::tools::documents {
namespace {
namespace json = boost::json;

class PageToolsTest : public ToolGroupFixture {
 protected:
  PageToolsTest() { Start(); }

  bool Listed(std::string_view name) {
    auto r = Call("tools/list", {});
    for (const auto& t : r.at("result").at("tools").as_array()) {
      if (t.at("name").as_string() == name) return true;
    }
    return false;
  }
  void ExpectErrorMentions(const json::object& result, std::string_view text) {
    ASSERT_TRUE(IsError(result)) << json::serialize(result);
    EXPECT_NE(TextOf(result).find(text), std::string::npos) << TextOf(result);
  }
};

#ifndef FERRY_WITH_PDF

TEST_F(PageToolsTest, NotRegisteredWithoutPdfSupport) { EXPECT_FALSE(Listed("get_page_image")); }

#else

using document::testing::FilledRect;
using document::testing::MakePdf;

const std::string kTwoPages = MakePdf({FilledRect(100, 200, 412, 392), ""});

TEST_F(PageToolsTest, ReturnsAPngOfThePage) {
  auto list = Call("tools/list", {});
  const json::value* tool = nullptr;
  for (const auto& t : list.at("result").at("tools").as_array()) {
    if (t.at("name") == "get_page_image") tool = &t;
  }
  ASSERT_NE(tool, nullptr);
  EXPECT_EQ(tool->at("annotations").at("readOnlyHint"), true);
  EXPECT_EQ(tool->at("annotations").at("idempotentHint"), true);
  EXPECT_EQ(tool->at("annotations").at("openWorldHint"), false);

  auto r = Tool("get_page_image", {{"content", Base64Encode(kTwoPages)},
                                   {"filename", "two.pdf"},
                                   {"max_dimension", 300}});
  ASSERT_FALSE(IsError(r)) << json::serialize(r);
  const auto& content = r.at("content").as_array();
  ASSERT_GE(content.size(), 1u);
  EXPECT_EQ(content[0].at("type"), "image");
  EXPECT_EQ(content[0].at("mimeType"), "image/png");
  auto png = Base64Decode(content[0].at("data").as_string());
  ASSERT_TRUE(png);
  EXPECT_TRUE(image::IsPng(*png));
  const auto& s = r.at("structuredContent").as_object();
  EXPECT_EQ(s.at("page"), 1);
  EXPECT_EQ(s.at("pages"), 2);
  EXPECT_EQ(s.at("height"), 300);
  auto img = image::DecodePng(*png);
  ASSERT_TRUE(img) << img.error().message;
  EXPECT_EQ(img->width, s.at("width").as_int64());
  EXPECT_EQ(img->height, s.at("height").as_int64());
  const auto* middle = img->At(img->width / 2, img->height / 2);
  EXPECT_LT(middle[0], 64);

  // The second page, from a file inside the allowed roots (the default size: 1024).
  Write(root_ / "inside" / "doc.pdf", kTwoPages);
  auto second = Tool("get_page_image", {{"path", (root_ / "inside" / "doc.pdf").string()},
                                        {"page", 2}});
  ASSERT_FALSE(IsError(second)) << json::serialize(second);
  EXPECT_EQ(second.at("structuredContent").at("page"), 2);
  EXPECT_EQ(second.at("structuredContent").at("height"), 1024);
}

TEST_F(PageToolsTest, RefusesPagesOutOfRange) {
  const std::string content = Base64Encode(kTwoPages);
  // page 0 fails the input schema (minimum 1); past the end, the renderer says how many.
  auto zero = Tool("get_page_image", {{"content", content}, {"page", 0}});
  EXPECT_TRUE(IsError(zero)) << json::serialize(zero);
  ExpectErrorMentions(Tool("get_page_image", {{"content", content}, {"page", 3}}),
                      "the PDF has 2 pages");
  auto small = Tool("get_page_image", {{"content", content}, {"max_dimension", 8}});
  EXPECT_TRUE(IsError(small)) << json::serialize(small);
}

TEST_F(PageToolsTest, RefusesOtherFormatsAndBadSources) {
  ExpectErrorMentions(Tool("get_page_image", {{"content", Base64Encode("# Notes\n\nHello.\n")},
                                              {"filename", "notes.md"}}),
                      "get_page_image reads PDF documents; notes.md is Markdown");
  ExpectErrorMentions(
      Tool("get_page_image", {{"content", Base64Encode("%PDF-1.7\ncut")}, {"filename", "a.pdf"}}),
      "a.pdf: corrupt or truncated PDF");
  Write(root_ / "outside.pdf", kTwoPages);
  auto outside = Tool("get_page_image", {{"path", (root_ / "outside.pdf").string()}});
  ASSERT_TRUE(IsError(outside)) << json::serialize(outside);
  EXPECT_EQ(TextOf(outside).find("%PDF"), std::string::npos);
  ExpectErrorMentions(Tool("get_page_image", {{"page", 1}}), "exactly one of");
}

#endif  // FERRY_WITH_PDF

}  // namespace
}  // namespace ferry::tools::documents
