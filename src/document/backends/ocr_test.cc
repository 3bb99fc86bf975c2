#include "document/backends/ocr.h"

#include <gtest/gtest.h>

#include <csignal>

#include "common/subprocess.h"
#include "document/convert.h"
#include "document/export.h"
#ifdef FERRY_WITH_PDF
#include "document/backends/pdf_page_image.h"
#include "document/backends/pdf_test_util.h"
#endif

namespace ferry::document {
namespace {
using namespace std::chrono_literals;

std::string Be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16 & 255),
          static_cast<char>(v >> 8 & 255), static_cast<char>(v & 255)};
}

// A PNG signature and header declaring these dimensions, followed by `rest`.
std::string PngHead(std::uint32_t width, std::uint32_t height, const std::string& rest = "") {
  return std::string("\x89PNG\r\n\x1a\n", 8) + Be32(13) + "IHDR" + Be32(width) + Be32(height) +
         std::string("\x08\x02\x00\x00\x00", 5) + Be32(0) + rest;
}

class OcrTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
  // scripts/setup.sh installs tesseract (make test runs it first): without it these tests fail,
  // naming the step a machine missed, rather than skipping and hiding it.
  static void RequireTesseract() {
    ASSERT_TRUE(ProgramExists("tesseract"))
        << "tesseract is not installed: run scripts/setup.sh (Debian: tesseract-ocr, "
           "tesseract-ocr-eng)";
  }
};

TEST_F(OcrTest, DecompressionBombIsRefusedFromItsHeader) {
  auto doc = ConvertBytes(PngHead(100'000, 100'000), "bomb.png");
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().message.find("max_image_pixels"), std::string::npos)
      << doc.error().message;
}

TEST_F(OcrTest, EmptyTruncatedAndUnknownInput) {
  EXPECT_FALSE(ParseImageOcr("", "x", {}));
  auto cut = ParseImageOcr(PngHead(10, 10).substr(0, 20), "x", {});
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("truncated"), std::string::npos) << cut.error().message;
  // Bytes that are no image never reach the recogniser (tesseract would read them as a list of
  // file names).
  auto text = ParseImageOcr("/etc/passwd\n", "x", {});
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("not an image"), std::string::npos);
}

TEST_F(OcrTest, MissingProgramNamesThePackage) {
  auto doc = ParseImageOcr(PngHead(10, 10), "x", {}, {.program = "ferry-no-such-tesseract"});
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(doc.error().message.find("tesseract-ocr"), std::string::npos);
}

TEST_F(OcrTest, CorruptImageAndMissingLanguage) {
  ASSERT_NO_FATAL_FAILURE(RequireTesseract());
  auto corrupt = ParseImageOcr(PngHead(64, 64, std::string(200, '\x5a')), "x", {});
  ASSERT_FALSE(corrupt);
  EXPECT_NE(corrupt.error().message.find("could not be read"), std::string::npos)
      << corrupt.error().message;
  auto language = ParseImageOcr(PngHead(64, 64), "x", {}, {.language = "zzz"});
  ASSERT_FALSE(language);
  EXPECT_NE(language.error().message.find("tesseract-ocr-zzz"), std::string::npos)
      << language.error().message;
}

#ifdef FERRY_WITH_PDF
// A page with known words, rendered to PNG and read back by OCR.
std::string ScannedPage() {
  const std::string content = testing::TextLine(28, 72, 700, "Quarterly report") +
                              testing::TextLine(16, 72, 640, "Sales grew in every region.") +
                              testing::TextLine(16, 72, 615, "Costs fell by a third.");
  auto image = RenderPdfPage(testing::MakePdf({content}), {.max_dimension = 1400});
  EXPECT_TRUE(image) << image.error().message;
  return image ? image->png : std::string();
}

TEST_F(OcrTest, WordsComeBackAsParagraphsWithBoxes) {
  ASSERT_NO_FATAL_FAILURE(RequireTesseract());
  auto doc = ConvertBytes(ScannedPage(), "scan.png");
  ASSERT_TRUE(doc) << doc.error().message;
  EXPECT_EQ(doc->origin.mimetype, "image/png");
  ASSERT_EQ(doc->pages.size(), 1u);
  EXPECT_GT(doc->pages.at(1).width, 1000);
  const std::string text = ToText(*doc);
  EXPECT_NE(text.find("Quarterly report"), std::string::npos) << text;
  EXPECT_NE(text.find("Sales grew in every region."), std::string::npos) << text;
  ASSERT_FALSE(doc->texts.empty());
  const Provenance& prov = doc->texts.front().prov.at(0);
  EXPECT_EQ(prov.page_no, 1);
  EXPECT_FALSE(prov.bbox.origin_bottom_left);
  EXPECT_LT(prov.bbox.left, prov.bbox.right);
  EXPECT_LT(prov.bbox.top, prov.bbox.bottom);
}

TEST_F(OcrTest, DeadlineKillsTheRecogniser) {
  ASSERT_NO_FATAL_FAILURE(RequireTesseract());
  const std::string png = ScannedPage();
  auto doc = ConvertBytes(png, "scan.png", {.deadline = std::chrono::steady_clock::now() + 1ms});
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().code, ErrorCode::kTimeout);
}
#endif

}  // namespace
}  // namespace ferry::document
