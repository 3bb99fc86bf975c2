#include "document/backends/pdf_page_image.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "document/backends/pdf_test_util.h"
#include "image/png.h"

namespace ferry::document {
namespace {

using testing::FilledRect;
using testing::MakePdf;
using testing::TextLine;

image::Image Decode(const PageImage& page) {
  auto img = image::DecodePng(page.png);
  EXPECT_TRUE(img) << img.error().message;
  if (!img) return {};
  EXPECT_EQ(img->width, page.width);
  EXPECT_EQ(img->height, page.height);
  EXPECT_EQ(img->channels, 3);
  return std::move(*img);
}

bool IsWhite(const image::Image& img, int x, int y) {
  const auto* p = img.At(x, y);
  return p[0] == 255 && p[1] == 255 && p[2] == 255;
}
bool IsDark(const image::Image& img, int x, int y) {
  const auto* p = img.At(x, y);
  return p[0] < 64 && p[1] < 64 && p[2] < 64;
}
int CountDark(const image::Image& img) {
  int n = 0;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) n += IsDark(img, x, y) ? 1 : 0;
  }
  return n;
}
void ExpectWhiteCorners(const image::Image& img) {
  EXPECT_TRUE(IsWhite(img, 0, 0));
  EXPECT_TRUE(IsWhite(img, img.width - 1, 0));
  EXPECT_TRUE(IsWhite(img, 0, img.height - 1));
  EXPECT_TRUE(IsWhite(img, img.width - 1, img.height - 1));
}
void ExpectError(const Result<PageImage>& r, std::string_view text) {
  ASSERT_FALSE(r) << "rendered " << r->width << "x" << r->height;
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParams);
  EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
}

// A US Letter page (612 x 792 points) with a black rectangle over its middle.
const std::string kRectPdf = MakePdf({FilledRect(100, 200, 412, 392)});

TEST(PdfPageImageTest, RendersAPageToTheLongestSide) {
  const auto start = std::chrono::steady_clock::now();
  auto page = RenderPdfPage(kRectPdf);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(page) << page.error().message;
  std::printf("[ info ] 1024 px page rendered and encoded in %.1f ms (%zu PNG bytes)\n",
              std::chrono::duration<double, std::milli>(took).count(), page->png.size());
  EXPECT_TRUE(image::IsPng(page->png));
  EXPECT_EQ(page->height, 1024);
  EXPECT_NEAR(page->width, 791, 1);  // 612 * 1024 / 792
  EXPECT_EQ(page->page, 1);
  EXPECT_EQ(page->pages, 1);
  const image::Image img = Decode(*page);
  ASSERT_TRUE(img.Valid());
  ExpectWhiteCorners(img);
  EXPECT_TRUE(IsDark(img, img.width / 2, img.height / 2));
  // The rectangle covers (412 x 392) / (612 x 792) of the page: about a third.
  const double share = static_cast<double>(CountDark(img)) / (img.width * img.height);
  EXPECT_NEAR(share, 412.0 * 392 / (612 * 792), 0.01);
}

TEST(PdfPageImageTest, RendersText) {
  auto page = RenderPdfPage(MakePdf({TextLine(96, 60, 400, "FERRY")}), {.max_dimension = 512});
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->height, 512);
  const image::Image img = Decode(*page);
  ASSERT_TRUE(img.Valid());
  ExpectWhiteCorners(img);
  EXPECT_GT(CountDark(img), 1000);
  // Antialiased edges: some pixels are neither white nor dark.
  int gray = 0;
  for (std::size_t i = 0; i < img.pixels.size(); i += 3) {
    gray += img.pixels[i] > 64 && img.pixels[i] < 192 ? 1 : 0;
  }
  EXPECT_GT(gray, 10);
}

TEST(PdfPageImageTest, LandscapePagesAndSizeLimits) {
  auto wide = RenderPdfPage(MakePdf({FilledRect(0, 0, 10, 10)}, -1, "0 0 792 612"));
  ASSERT_TRUE(wide) << wide.error().message;
  EXPECT_EQ(wide->width, 1024);
  EXPECT_NEAR(wide->height, 791, 1);

  auto tiny = RenderPdfPage(kRectPdf, {.max_dimension = 16});
  ASSERT_TRUE(tiny) << tiny.error().message;
  EXPECT_EQ(tiny->height, 16);
  auto big = RenderPdfPage(kRectPdf, {.max_dimension = 4096});
  ASSERT_TRUE(big) << big.error().message;
  EXPECT_EQ(big->height, 4096);

  ExpectError(RenderPdfPage(kRectPdf, {.max_dimension = 15}), "max_dimension");
  ExpectError(RenderPdfPage(kRectPdf, {.max_dimension = 4097}), "max_dimension");
}

TEST(PdfPageImageTest, ChoosesThePageAndRefusesPagesOutOfRange) {
  const std::string pdf = MakePdf({"", FilledRect(0, 0, 612, 792)});
  auto first = RenderPdfPage(pdf, {.page = 1, .max_dimension = 64});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->pages, 2);
  EXPECT_EQ(CountDark(Decode(*first)), 0);
  auto second = RenderPdfPage(pdf, {.page = 2, .max_dimension = 64});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->page, 2);
  const image::Image img = Decode(*second);
  EXPECT_GT(CountDark(img), img.width * img.height * 95 / 100);

  ExpectError(RenderPdfPage(pdf, {.page = 0}), "the PDF has 2 pages");
  ExpectError(RenderPdfPage(pdf, {.page = 3}), "the PDF has 2 pages");
  ExpectError(RenderPdfPage(pdf, {.page = 1, .max_pages = 1}), "max_pages");
  // A page tree claiming 20,000 pages over one: poppler finds it broken (no pages) or not.
  auto claimed = RenderPdfPage(MakePdf({""}, 20'000));
  if (!claimed) {
    EXPECT_EQ(claimed.error().code, ErrorCode::kInvalidParams);
  }
}

// Encrypted files need RC4 and MD5 written by hand to build here (as in pdf_test.cc): the locked
// path is the same as ParsePdf's; this checks a password does no harm to an open file.
TEST(PdfPageImageTest, PasswordOnUnencryptedFileIsHarmless) {
  auto page = RenderPdfPage(kRectPdf, {.password = "secret", .max_dimension = 32});
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->height, 32);
}

TEST(PdfPageImageTest, RefusesWhatIsNotAReadablePdf) {
  ExpectError(RenderPdfPage("GIF89a garbage bytes", {.name = "x.gif"}), "x.gif: not a PDF");
  ExpectError(RenderPdfPage(""), "not a PDF");
  ExpectError(RenderPdfPage("%PDF-1.4\n\x01\x02 garbage \xff\xfe no objects at all\n"), "PDF");
  ExpectError(RenderPdfPage(kRectPdf.substr(0, 60)), "PDF");
  // Every cut: a clean error, or (poppler rebuilds broken cross-references) a valid image.
  for (std::size_t n = 0; n < kRectPdf.size(); n += 7) {
    auto r = RenderPdfPage(kRectPdf.substr(0, n), {.max_dimension = 32});
    if (r) {
      EXPECT_TRUE(image::IsPng(r->png));
    } else {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidParams) << r.error().message;
    }
  }
}

}  // namespace
}  // namespace ferry::document
