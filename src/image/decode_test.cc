#include "image/decode.h"

#include <gtest/gtest.h>
#include <turbojpeg.h>
#include <webp/encode.h>

#include <cstdlib>
#include <string>

namespace ferry::image {
namespace {

Image Gradient(int w, int h, int channels) {
  Image img{w, h, channels, std::vector<std::uint8_t>(static_cast<std::size_t>(w * h * channels))};
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = img.pixels.data() + static_cast<std::size_t>((y * w + x) * channels);
      for (int k = 0; k < channels; ++k) p[k] = static_cast<std::uint8_t>((x * 4 + y * 2 + k * 60) & 255);
      if (channels == 4) p[3] = static_cast<std::uint8_t>(x % 2 ? 255 : 128);
    }
  }
  return img;
}

std::string Jpeg(const Image& img) {
  tjhandle tj = tjInitCompress();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  const int ok = tjCompress2(tj, img.pixels.data(), img.width, 0, img.height,
                             img.channels == 1 ? TJPF_GRAY : TJPF_RGB, &out, &size,
                             img.channels == 1 ? TJSAMP_GRAY : TJSAMP_444, 95, 0);
  std::string bytes = ok == 0 ? std::string(reinterpret_cast<char*>(out), size) : std::string();
  tjFree(out);
  tjDestroy(tj);
  return bytes;
}

std::string WebpLossless(const Image& img) {
  std::uint8_t* out = nullptr;
  const std::size_t size =
      img.channels == 4
          ? WebPEncodeLosslessRGBA(img.pixels.data(), img.width, img.height,
                                   static_cast<int>(img.RowBytes()), &out)
          : WebPEncodeLosslessRGB(img.pixels.data(), img.width, img.height,
                                  static_cast<int>(img.RowBytes()), &out);
  std::string bytes(reinterpret_cast<char*>(out), size);
  WebPFree(out);
  return bytes;
}

double MeanAbsoluteError(const Image& a, const Image& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(a.pixels[i] - b.pixels[i]);
  return sum / static_cast<double>(a.pixels.size());
}

TEST(DecodeImageTest, Jpeg) {
  const Image rgb = Gradient(64, 48, 3);
  auto decoded = DecodeImage(Jpeg(rgb));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->width, 64);
  EXPECT_EQ(decoded->height, 48);
  EXPECT_EQ(decoded->channels, 3);
  EXPECT_LT(MeanAbsoluteError(*decoded, rgb), 6.0);  // lossy, quality 95

  auto gray = DecodeImage(Jpeg(Gradient(32, 32, 1)));
  ASSERT_TRUE(gray) << gray.error().message;
  EXPECT_EQ(gray->channels, 1);
}

TEST(DecodeImageTest, WebpLosslessRoundTrips) {
  for (int channels : {3, 4}) {
    const Image img = Gradient(40, 30, channels);
    auto decoded = DecodeImage(WebpLossless(img));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->channels, channels);
    EXPECT_EQ(decoded->pixels, img.pixels);
  }
}

TEST(DecodeImageTest, PngRoundTrips) {
  const Image img = Gradient(20, 10, 4);
  auto png = EncodePng(img);
  ASSERT_TRUE(png);
  auto decoded = DecodeImage(*png);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->pixels, img.pixels);
}

TEST(DecodeImageTest, TruncatedAndCorruptDataAreErrors) {
  const std::string jpeg = Jpeg(Gradient(64, 48, 3));
  auto cut = DecodeImage(jpeg.substr(0, jpeg.size() / 2));
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message.find("JPEG"), std::string::npos) << cut.error().message;
  const std::string webp = WebpLossless(Gradient(40, 30, 3));
  EXPECT_FALSE(DecodeImage(webp.substr(0, webp.size() / 2)));
  std::string flipped = webp;
  for (std::size_t i = 40; i < flipped.size(); i += 7) flipped[i] = static_cast<char>(~flipped[i]);
  EXPECT_FALSE(DecodeImage(flipped));
  auto empty = DecodeImage("");
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos) << empty.error().message;
  EXPECT_FALSE(DecodeImage("not an image at all"));
}

TEST(DecodeImageTest, BombsAreRefusedFromTheHeader) {
  // A JPEG header declaring 60000 x 60000: refused before the decoder allocates 10 GB.
  std::string jpeg = Jpeg(Gradient(16, 16, 3));
  const auto sof = jpeg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  jpeg[sof + 5] = '\xEA', jpeg[sof + 6] = '\x60', jpeg[sof + 7] = '\xEA', jpeg[sof + 8] = '\x60';
  auto bomb = DecodeImage(jpeg);
  ASSERT_FALSE(bomb);
  EXPECT_NE(bomb.error().message.find("max_pixels"), std::string::npos) << bomb.error().message;
  auto small_budget = DecodeImage(Jpeg(Gradient(64, 48, 3)), {.max_pixels = 1000});
  ASSERT_FALSE(small_budget);
}

TEST(DecodeImageTest, UnsupportedFormatsSaySo) {
  auto gif = DecodeImage(std::string("GIF89a\x10\x00\x10\x00", 10));
  ASSERT_FALSE(gif);
  EXPECT_NE(gif.error().message.find("not supported"), std::string::npos);
}

TEST(DecodeImageTest, DownscaleToMaxDimension) {
  auto decoded = DecodeImage(WebpLossless(Gradient(100, 50, 3)), {.max_dimension = 20});
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->width, 20);
  EXPECT_EQ(decoded->height, 10);
  // A black and white checkerboard averages to grey.
  Image checker{4, 4, 1, {}};
  for (int i = 0; i < 16; ++i) checker.pixels.push_back(((i / 4 + i % 4) % 2) ? 255 : 0);
  const Image small = Downscale(checker, 2);
  ASSERT_EQ(small.width, 2);
  EXPECT_NEAR(small.pixels[0], 128, 1);
  // Transparent pixels lend no colour: white next to transparent black stays white, half opaque.
  Image half{2, 1, 4, {255, 255, 255, 255, 0, 0, 0, 0}};
  const Image one = Downscale(half, 1);
  EXPECT_EQ(one.pixels, (std::vector<std::uint8_t>{255, 255, 255, 128}));
}

}  // namespace
}  // namespace ferry::image
