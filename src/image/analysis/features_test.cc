#include "image/analysis/features.h"

#include <gtest/gtest.h>

#include <random>

namespace ferry::image::analysis {
namespace {

Image Canvas(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  Image img{w, h, 3, {}};
  for (int i = 0; i < w * h; ++i) img.pixels.insert(img.pixels.end(), {r, g, b});
  return img;
}

void Fill(Image& img, int x0, int y0, int x1, int y1, std::uint8_t r, std::uint8_t g,
          std::uint8_t b) {
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      std::uint8_t* p = img.pixels.data() + static_cast<std::size_t>((y * img.width + x) * 3);
      p[0] = r, p[1] = g, p[2] = b;
    }
  }
}

// A logo: two flat shapes on white.
Image Logo() {
  Image img = Canvas(240, 240, 255, 255, 255);
  Fill(img, 30, 40, 130, 200, 200, 30, 30);
  Fill(img, 140, 60, 220, 140, 20, 60, 200);
  return img;
}

// Lines of small block letters (E, F, L, T shapes in 2-pixel strokes) in black on white.
Image Text() {
  Image img = Canvas(240, 240, 255, 255, 255);
  for (int line = 0; line < 9; ++line) {
    for (int col = 0; col < 17; ++col) {
      const int x = 4 + col * 14, y = 4 + line * 26;
      Fill(img, x, y, x + 2, y + 12, 0, 0, 0);  // the stem
      Fill(img, x, y, x + 7, y + 2, 0, 0, 0);   // top bar
      if ((col + line) % 2) Fill(img, x, y + 5, x + 5, y + 7, 0, 0, 0);  // middle bar
      if ((col + line) % 3 == 0) Fill(img, x, y + 10, x + 7, y + 12, 0, 0, 0);  // bottom bar
    }
  }
  return img;
}

// A smooth two-way colour ramp.
Image Gradient() {
  Image img = Canvas(256, 256, 0, 0, 0);
  for (int y = 0; y < 256; ++y) {
    for (int x = 0; x < 256; ++x) {
      std::uint8_t* p = img.pixels.data() + static_cast<std::size_t>((y * 256 + x) * 3);
      p[0] = static_cast<std::uint8_t>(x), p[1] = static_cast<std::uint8_t>(y), p[2] = 128;
    }
  }
  return img;
}

Image Noise() {
  std::mt19937 rng(5);
  Image img = Canvas(200, 200, 0, 0, 0);
  for (auto& p : img.pixels) p = static_cast<std::uint8_t>(rng() & 255);
  return img;
}

TEST(ImageAnalysisTest, FeaturesAreInTheUnitRange) {
  for (const Image& img : {Logo(), Text(), Gradient(), Noise(), Canvas(20, 20, 9, 9, 9)}) {
    auto f = Analyze(img);
    ASSERT_TRUE(f) << f.error().message;
    for (double v : {f->unique_colors, f->edge_density, f->entropy, f->corner_density,
                     f->gradient_strength, f->complexity}) {
      EXPECT_GE(v, 0.0);
      EXPECT_LE(v, 1.0);
    }
  }
  // One colour: nothing at all.
  const auto flat = *Analyze(Canvas(20, 20, 9, 9, 9));
  EXPECT_EQ(flat.edge_density, 0);
  EXPECT_EQ(flat.entropy, 0);
  EXPECT_EQ(flat.corner_density, 0);
  EXPECT_NEAR(flat.unique_colors, 1 / 15.0, 1e-12);
}

TEST(ImageAnalysisTest, ClassesOfSyntheticImages) {
  const auto logo = Classify(*Analyze(Logo()));
  EXPECT_EQ(ToString(logo.image_class), "simple");
  EXPECT_GE(logo.confidence, 0.7);
  const auto text = *Analyze(Text());
  EXPECT_EQ(ToString(Classify(text).image_class), "text")
      << "edges " << text.edge_density << " corners " << text.corner_density << " colours "
      << text.unique_colors << " entropy " << text.entropy;
  const auto gradient = *Analyze(Gradient());
  EXPECT_EQ(ToString(Classify(gradient).image_class), "gradient")
      << "shading " << gradient.gradient_strength << " colours " << gradient.unique_colors;
  const auto noise = Classify(*Analyze(Noise()));
  EXPECT_EQ(ToString(noise.image_class), "complex");
  EXPECT_GE(noise.confidence, 0.5);
  EXPECT_LE(noise.confidence, 0.8);
}

TEST(ImageAnalysisTest, TheSeedsRulesInOrder) {
  // Simple wins over text when both hold; text needs its edge band.
  Features f{.unique_colors = 0.1, .edge_density = 0.15, .entropy = 0.2, .corner_density = 0.9};
  EXPECT_EQ(Classify(f).image_class, ImageClass::kSimple);
  EXPECT_DOUBLE_EQ(Classify(f).confidence, 0.8);
  f.entropy = 0.5;
  EXPECT_EQ(Classify(f).image_class, ImageClass::kText);
  EXPECT_DOUBLE_EQ(Classify(f).confidence, 0.95);
  f.edge_density = 0.45;
  EXPECT_EQ(Classify(f).image_class, ImageClass::kComplex);
  Features g{.unique_colors = 0.7, .gradient_strength = 0.6};
  EXPECT_EQ(Classify(g).image_class, ImageClass::kGradient);
  EXPECT_DOUBLE_EQ(Classify(g).confidence, 0.8);
}

TEST(ImageAnalysisTest, LargeImagesAreAnalyzedAtMost800PixelsASide) {
  // A 2000x1000 copy of the logo pattern scaled up reads like the logo.
  Image big = Canvas(2000, 1000, 255, 255, 255);
  Fill(big, 200, 100, 900, 800, 200, 30, 30);
  EXPECT_EQ(Classify(*Analyze(big)).image_class, ImageClass::kSimple);
  Image broken = Canvas(4, 4, 0, 0, 0);
  broken.pixels.pop_back();
  EXPECT_FALSE(Analyze(broken));
}

}  // namespace
}  // namespace ferry::image::analysis
