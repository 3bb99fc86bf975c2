#include "image/png.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ferry::image {
namespace {

Image Pattern(int width, int height, int channels) {
  Image image{width, height, channels, {}};
  image.pixels.resize(image.RowBytes() * static_cast<std::size_t>(height));
  for (std::size_t i = 0; i < image.pixels.size(); ++i) {
    image.pixels[i] = static_cast<std::uint8_t>((i * 131 + i / 7) & 0xFF);
  }
  return image;
}

// ---- Hand-made PNGs (for layouts EncodePng does not write): chunks with real CRCs around a
// zlib stream of stored (uncompressed) blocks.

std::uint32_t Crc32(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void PutU32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

std::string Chunk(std::string_view type, std::string_view data) {
  std::string out;
  PutU32(out, static_cast<std::uint32_t>(data.size()));
  std::string body = std::string(type) + std::string(data);
  out += body;
  PutU32(out, Crc32(body));
  return out;
}

std::string Stored(std::string_view raw) {  // a zlib stream with one stored block
  std::string z = "\x78\x01";
  z.push_back('\x01');  // final block, stored
  const auto n = static_cast<std::uint16_t>(raw.size());
  z.push_back(static_cast<char>(n & 0xFF));
  z.push_back(static_cast<char>(n >> 8));
  z.push_back(static_cast<char>(~n & 0xFF));
  z.push_back(static_cast<char>((~n >> 8) & 0xFF));
  z += raw;
  std::uint32_t a = 1, b = 0;
  for (unsigned char c : raw) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  PutU32(z, (b << 16) | a);
  return z;
}

// `scanlines`: each row's filter byte (0) and packed samples.
std::string HandPng(std::uint32_t width, std::uint32_t height, int depth, int color,
                    std::string_view scanlines, std::string extra_chunks = {},
                    int interlace = 0) {
  std::string ihdr;
  PutU32(ihdr, width);
  PutU32(ihdr, height);
  ihdr.push_back(static_cast<char>(depth));
  ihdr.push_back(static_cast<char>(color));
  ihdr += std::string("\0\0", 2);
  ihdr.push_back(static_cast<char>(interlace));
  return std::string(kPngSignature) + Chunk("IHDR", ihdr) + extra_chunks +
         Chunk("IDAT", Stored(scanlines)) + Chunk("IEND", "");
}

std::string Bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

TEST(PngTest, RoundTripsGrayRgbAndRgba) {
  for (int channels : {1, 3, 4}) {
    for (auto [w, h] : {std::pair{1, 1}, std::pair{37, 19}, std::pair{256, 3}}) {
      const Image in = Pattern(w, h, channels);
      auto png = EncodePng(in);
      ASSERT_TRUE(png) << png.error().message;
      EXPECT_TRUE(IsPng(*png));
      auto out = DecodePng(*png);
      ASSERT_TRUE(out) << out.error().message;
      EXPECT_EQ(out->width, w);
      EXPECT_EQ(out->height, h);
      EXPECT_EQ(out->channels, channels);
      EXPECT_EQ(out->pixels, in.pixels) << channels << " channels " << w << "x" << h;
    }
  }
}

TEST(PngTest, CompressionLevelsAllDecode) {
  const Image in = Pattern(64, 64, 3);
  auto fast = EncodePng(in, {.compression_level = 0});
  auto small = EncodePng(in, {.compression_level = 9});
  ASSERT_TRUE(fast && small);
  EXPECT_GT(fast->size(), small->size());
  EXPECT_EQ(DecodePng(*fast)->pixels, in.pixels);
  EXPECT_EQ(DecodePng(*small)->pixels, in.pixels);
}

TEST(PngTest, RefusesInconsistentImages) {
  Image bad = Pattern(4, 4, 3);
  bad.pixels.pop_back();
  EXPECT_FALSE(EncodePng(bad));
  EXPECT_FALSE(EncodePng(Image{}));
  Image two = Pattern(4, 4, 3);
  two.channels = 2;
  EXPECT_FALSE(EncodePng(two));
}

TEST(PngTest, RefusesTooManyPixelsBeforeReadingThem) {
  auto png = EncodePng(Pattern(100, 100, 1));
  ASSERT_TRUE(png);
  auto refused = DecodePng(*png, 9'999);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidParams);
  EXPECT_NE(refused.error().message.find("100x100"), std::string::npos) << refused.error().message;
  EXPECT_TRUE(DecodePng(*png, 10'000));

  // A header claiming 60000 x 60000 over a few bytes of data: refused from the header alone.
  const std::string bomb = HandPng(60'000, 60'000, 8, 0, Bytes({0, 1, 2}));
  auto r = DecodePng(bomb);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("exceeds"), std::string::npos) << r.error().message;
  // Within the budget, the missing data is an error, not a crash.
  auto short_data = DecodePng(HandPng(3'000, 3'000, 8, 0, Bytes({0, 1, 2})));
  ASSERT_FALSE(short_data);
  EXPECT_NE(short_data.error().message.find("corrupt or truncated"), std::string::npos);
}

TEST(PngTest, TruncatedAndCorruptDataFailCleanly) {
  auto png = EncodePng(Pattern(40, 30, 4));
  ASSERT_TRUE(png);
  for (std::size_t n = 0; n < png->size(); ++n) {
    auto r = DecodePng(std::string_view(*png).substr(0, n));
    EXPECT_FALSE(r) << "prefix of " << n << " bytes";
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidParams);
    }
  }
  // Flipped bytes: an error (a CRC or zlib check) or, rarely, an image; never a crash.
  for (std::size_t i = 8; i < png->size(); ++i) {
    std::string bad = *png;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    auto r = DecodePng(bad);
    if (r) {
      EXPECT_TRUE(r->Valid());
    }
  }
  auto not_png = DecodePng("GIF89a....");
  ASSERT_FALSE(not_png);
  EXPECT_NE(not_png.error().message.find("not a PNG"), std::string::npos);
  EXPECT_FALSE(DecodePng(""));
}

TEST(PngTest, NormalizesStoredLayouts) {
  // 16-bit gray: 8 bits kept, one channel.
  auto gray16 = DecodePng(HandPng(2, 1, 16, 0, Bytes({0, 0xFF, 0xFF, 0x00, 0x00})));
  ASSERT_TRUE(gray16) << gray16.error().message;
  EXPECT_EQ(gray16->channels, 1);
  EXPECT_EQ(gray16->pixels, (std::vector<std::uint8_t>{255, 0}));

  // 1-bit gray: expanded to 0 / 255.
  auto gray1 = DecodePng(HandPng(3, 1, 1, 0, Bytes({0, 0b10100000})));
  ASSERT_TRUE(gray1) << gray1.error().message;
  EXPECT_EQ(gray1->pixels, (std::vector<std::uint8_t>{255, 0, 255}));

  // Palette without transparency: RGB.
  const std::string plte = Chunk("PLTE", Bytes({255, 0, 0, 0, 0, 255}));
  auto palette = DecodePng(HandPng(2, 1, 8, 3, Bytes({0, 1, 0}), plte));
  ASSERT_TRUE(palette) << palette.error().message;
  EXPECT_EQ(palette->channels, 3);
  EXPECT_EQ(palette->pixels, (std::vector<std::uint8_t>{0, 0, 255, 255, 0, 0}));

  // Palette with tRNS: RGBA.
  auto clear = DecodePng(HandPng(2, 1, 8, 3, Bytes({0, 1, 0}), plte + Chunk("tRNS", Bytes({0}))));
  ASSERT_TRUE(clear) << clear.error().message;
  EXPECT_EQ(clear->channels, 4);
  EXPECT_EQ(clear->pixels, (std::vector<std::uint8_t>{0, 0, 255, 255, 255, 0, 0, 0}));

  // Gray + alpha: RGBA.
  auto ga = DecodePng(HandPng(1, 1, 8, 4, Bytes({0, 10, 200})));
  ASSERT_TRUE(ga) << ga.error().message;
  EXPECT_EQ(ga->channels, 4);
  EXPECT_EQ(ga->pixels, (std::vector<std::uint8_t>{10, 10, 10, 200}));

  // Adam7-interlaced 2x2 gray: pass 1 holds (0,0), pass 6 (1,0), pass 7 row 1.
  auto interlaced = DecodePng(HandPng(2, 2, 8, 0, Bytes({0, 1, 0, 2, 0, 3, 4}), {}, 1));
  ASSERT_TRUE(interlaced) << interlaced.error().message;
  EXPECT_EQ(interlaced->pixels, (std::vector<std::uint8_t>{1, 2, 3, 4}));
}

TEST(PngTest, ToRgbaExpandsChannels) {
  Image gray{2, 1, 1, {7, 9}};
  EXPECT_EQ(ToRgba(gray).pixels, (std::vector<std::uint8_t>{7, 7, 7, 255, 9, 9, 9, 255}));
  Image rgb{1, 1, 3, {1, 2, 3}};
  EXPECT_EQ(ToRgba(rgb).pixels, (std::vector<std::uint8_t>{1, 2, 3, 255}));
}

}  // namespace
}  // namespace ferry::image
