#include "image/image_header.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::image {
namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s += static_cast<char>(v);
  return s;
}

std::string Png(std::uint32_t w, std::uint32_t h) {
  return std::string("\x89PNG\r\n\x1a\n", 8) + Bytes({0, 0, 0, 13}) + "IHDR" +
         Bytes({int(w >> 24), int(w >> 16 & 255), int(w >> 8 & 255), int(w & 255),
                int(h >> 24), int(h >> 16 & 255), int(h >> 8 & 255), int(h & 255), 8, 6, 0, 0,
                0});
}

TEST(ImageHeaderTest, Png) {
  auto h = ReadImageHeader(Png(640, 480));
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->format, ImageFormat::kPng);
  EXPECT_EQ(h->width, 640u);
  EXPECT_EQ(h->height, 480u);
  // A bomb declares what it likes; the header is all that is read.
  h = ReadImageHeader(Png(100000, 100000));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->width, 100000u);
}

TEST(ImageHeaderTest, JpegSkipsSegmentsToTheFrame) {
  const std::string jpeg = Bytes({0xFF, 0xD8, 0xFF, 0xE0, 0, 16}) + std::string(14, 'j') +
                           Bytes({0xFF, 0xFF, 0xC2, 0, 17, 8, 0x01, 0x2C, 0x02, 0x58, 3}) +
                           std::string(9, 0);
  auto h = ReadImageHeader(jpeg);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->format, ImageFormat::kJpeg);
  EXPECT_EQ(h->width, 600u);
  EXPECT_EQ(h->height, 300u);
  EXPECT_FALSE(ReadImageHeader(jpeg.substr(0, 12)));
}

TEST(ImageHeaderTest, TiffBothByteOrders) {
  // One IFD at offset 8 with two entries: width (SHORT) and height (LONG).
  const std::string little = std::string("II*\0", 4) + Bytes({8, 0, 0, 0, 2, 0}) +
                             Bytes({0, 1, 3, 0, 1, 0, 0, 0, 0x20, 0x03, 0, 0}) +
                             Bytes({1, 1, 4, 0, 1, 0, 0, 0, 0x58, 0x02, 0, 0});
  auto h = ReadImageHeader(little);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->width, 800u);
  EXPECT_EQ(h->height, 600u);
  const std::string big = std::string("MM\0*", 4) + Bytes({0, 0, 0, 8, 0, 2}) +
                          Bytes({1, 0, 0, 3, 0, 0, 0, 1, 0x03, 0x20, 0, 0}) +
                          Bytes({1, 1, 0, 4, 0, 0, 0, 1, 0, 0, 0x02, 0x58});
  h = ReadImageHeader(big);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->width, 800u);
  EXPECT_EQ(h->height, 600u);
  EXPECT_FALSE(ReadImageHeader(little.substr(0, 20)));
}

TEST(ImageHeaderTest, WebpGifBmp) {
  const std::string webp = "RIFF" + Bytes({0, 0, 0, 0}) + "WEBPVP8X" + Bytes({10, 0, 0, 0}) +
                           Bytes({0, 0, 0, 0}) + Bytes({0x3F, 0x01, 0}) + Bytes({0xEF, 0, 0}) +
                           std::string(4, 0);
  auto h = ReadImageHeader(webp);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->format, ImageFormat::kWebp);
  EXPECT_EQ(h->width, 320u);
  EXPECT_EQ(h->height, 240u);

  h = ReadImageHeader("GIF89a" + Bytes({0x40, 0x01, 0xF0, 0x00}));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->width, 320u);
  EXPECT_EQ(h->height, 240u);

  // BMP with a negative height (rows top down).
  const std::string bmp = "BM" + std::string(12, 0) + Bytes({40, 0, 0, 0}) +
                          Bytes({0x40, 0x01, 0, 0}) + Bytes({0x10, 0xFF, 0xFF, 0xFF});
  h = ReadImageHeader(bmp);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->width, 320u);
  EXPECT_EQ(h->height, 240u);
}

TEST(ImageHeaderTest, BadInput) {
  EXPECT_FALSE(ReadImageHeader(""));
  EXPECT_FALSE(ReadImageHeader("plain text"));
  EXPECT_FALSE(ReadImageHeader(Png(640, 480).substr(0, 20)));  // cut inside IHDR
  auto zero = ReadImageHeader(Png(0, 480));
  ASSERT_FALSE(zero);
  EXPECT_NE(zero.error().message.find("zero"), std::string::npos);
}

}  // namespace
}  // namespace ferry::image
