#include "tools/images/image_tools.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "common/base64.h"
#include "image/png.h"
#include "tools/tools_test_util.h"

namespace ferry::tools::images {
namespace {
namespace json = boost::json;

// Two flat squares on white: a picture the vectorizer reproduces almost exactly.
image::Image Squares(int w = 120, int h = 90) {
  image::Image img{w, h, 3, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 3, 255)};
  auto fill = [&](int x0, int y0, int x1, int y1, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    for (int y = y0; y < std::min(y1, h); ++y)
      for (int x = x0; x < std::min(x1, w); ++x) {
        std::uint8_t* p = img.pixels.data() + (static_cast<std::size_t>(y) * w + x) * 3;
        p[0] = r, p[1] = g, p[2] = b;
      }
  };
  // Scaled to the size, so smaller images get the same picture.
  fill(w / 12, h / 9, w * 5 / 12, h * 2 / 3, 200, 20, 20);
  fill(w / 2, h / 3, w * 11 / 12, h * 8 / 9, 20, 40, 180);
  return img;
}

std::string Png(const image::Image& img) { return *image::EncodePng(img); }

class ImageToolsTest : public ToolGroupFixture {
 protected:
  ImageToolsTest() { Start({}, Register); }

  json::object ToolOf(std::string_view name) {
    auto list = Call("tools/list", {});
    for (const auto& t : list.at("result").at("tools").as_array())
      if (t.at("name").as_string() == name) return t.as_object();
    ADD_FAILURE() << name << " not listed";
    return {};
  }
  void ExpectErrorMentions(const json::object& result, std::string_view text) {
    ASSERT_TRUE(IsError(result)) << json::serialize(result);
    EXPECT_NE(TextOf(result).find(text), std::string::npos) << TextOf(result);
  }
};

TEST_F(ImageToolsTest, ListsTheGroupWithVTracersParameters) {
  for (auto name : {"vectorize_image", "analyze_image", "optimize_vectorization", "vectorize_images"})
    EXPECT_FALSE(ToolOf(name).empty()) << name;
  const auto props = ToolOf("vectorize_image").at("inputSchema").at("properties");
  EXPECT_EQ(props.at("color_precision").at("minimum").to_number<double>(), 1);
  EXPECT_EQ(props.at("color_precision").at("maximum").to_number<double>(), 8);
  EXPECT_EQ(props.at("length_threshold").at("type"), "number");
  EXPECT_EQ(props.at("preset").at("enum").as_array().size(), 4u);
}

TEST_F(ImageToolsTest, VectorizesBase64ContentWithSsim) {
  auto r = Tool("vectorize_image",
                {{"content", Base64Encode(Png(Squares()))}, {"measure_ssim", true}});
  ASSERT_FALSE(IsError(r)) << json::serialize(r);
  const auto& s = r.at("structuredContent").as_object();
  EXPECT_EQ(s.at("width"), 120);
  EXPECT_EQ(s.at("height"), 90);
  EXPECT_EQ(s.at("paths"), 3);
  EXPECT_GT(s.at("ssim").as_double(), 0.97);
  EXPECT_EQ(s.at("parameters").at("color_precision"), 6);
  const std::string svg = TextOf(r, 1);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_EQ(static_cast<std::int64_t>(svg.size()), s.at("svg_bytes").as_int64());
  EXPECT_NE(svg.find("fill=\"#C81414\""), std::string::npos) << svg;
}

TEST_F(ImageToolsTest, PresetsParametersAndEmbeddedResources) {
  auto r = Tool("vectorize_image", {{"content", Base64Encode(Png(Squares()))},
                                    {"filename", "squares.png"},
                                    {"preset", "speed"},
                                    {"mode", "polygon"},
                                    {"path_precision", 0},
                                    {"output", "resource"}});
  ASSERT_FALSE(IsError(r)) << json::serialize(r);
  const auto& p = r.at("structuredContent").at("parameters");
  EXPECT_EQ(p.at("color_precision"), 3);  // the preset's
  EXPECT_EQ(p.at("mode"), "polygon");      // given
  const auto& item = r.at("content").as_array().at(1);
  EXPECT_EQ(item.at("type"), "resource");
  EXPECT_EQ(item.at("resource").at("mimeType"), "image/svg+xml");
  EXPECT_EQ(item.at("resource").at("uri"), "ferry://vectorized/squares.svg");
  EXPECT_NE(std::string(item.at("resource").at("text").as_string()).find(" L"), std::string::npos);
}

TEST_F(ImageToolsTest, OutOfRangeParametersNameParameterValueAndRange) {
  auto r = Tool("vectorize_image",
                {{"content", Base64Encode(Png(Squares()))}, {"color_precision", 10}});
  ASSERT_TRUE(IsError(r) || r.empty());
  if (!r.empty()) ExpectErrorMentions(r, "color_precision");
  r = Tool("vectorize_image", {{"content", Base64Encode(Png(Squares()))}, {"preset", "ultra"}});
  ASSERT_TRUE(IsError(r) || r.empty());
}

TEST_F(ImageToolsTest, BadImagesGetClearErrors) {
  const std::string png = Png(Squares());
  ExpectErrorMentions(Tool("vectorize_image", {{"content", Base64Encode(png.substr(0, png.size() / 2))}}),
                      "image:");
  ExpectErrorMentions(Tool("vectorize_image", {{"content", Base64Encode("GIF89a\x10\x00\x10\x00")}}),
                      "image:");
  ExpectErrorMentions(Tool("vectorize_image", {{"content", Base64Encode("random bytes, not a picture")}}),
                      "image:");
  Write(root_ / "inside" / "empty.png", "");
  ExpectErrorMentions(Tool("vectorize_image", {{"path", (root_ / "inside" / "empty.png").string()}}),
                      "image:");
  // A PNG whose header declares 100000 x 100000: refused from the header.
  std::string bomb = png;
  const auto ihdr = bomb.find("IHDR") + 4;
  const char dims[8] = {0, 1, static_cast<char>(0x86), static_cast<char>(0xA0),
                        0, 1, static_cast<char>(0x86), static_cast<char>(0xA0)};
  bomb.replace(ihdr, 8, dims, 8);
  ExpectErrorMentions(Tool("vectorize_image", {{"content", Base64Encode(bomb)}}), "image:");
  ExpectErrorMentions(Tool("vectorize_image", {{"path", "/etc/hostname"}}), "allowed");
  ExpectErrorMentions(Tool("vectorize_image", {}), "exactly one of");
}

TEST_F(ImageToolsTest, AnalyzeReturnsFeaturesClassAndPreset) {
  auto r = Tool("analyze_image", {{"content", Base64Encode(Png(Squares()))}});
  ASSERT_FALSE(IsError(r)) << json::serialize(r);
  const auto& s = r.at("structuredContent").as_object();
  for (const auto& [name, value] : s.at("features").as_object()) {
    EXPECT_GE(value.to_number<double>(), 0) << name;
    EXPECT_LE(value.to_number<double>(), 1) << name;
  }
  EXPECT_EQ(s.at("class"), "simple");
  EXPECT_EQ(s.at("suggested_preset"), "speed");
}

TEST_F(ImageToolsTest, OptimizeReachesTheTargetAndListsItsTrials) {
  auto r = Tool("optimize_vectorization", {{"content", Base64Encode(Png(Squares()))},
                                           {"target_ssim", 0.95},
                                           {"time_budget", 20}});
  ASSERT_FALSE(IsError(r)) << json::serialize(r);
  const auto& s = r.at("structuredContent").as_object();
  EXPECT_TRUE(s.at("target_met").as_bool());
  EXPECT_GE(s.at("ssim").as_double(), 0.95);
  const auto& trials = s.at("trials").as_array();
  ASSERT_GE(trials.size(), 1u);
  const auto& best = trials.at(static_cast<std::size_t>(s.at("best_trial").as_int64()));
  EXPECT_EQ(best.at("svg_bytes"), s.at("svg_bytes"));
  EXPECT_EQ(TextOf(r, 1).size(), static_cast<std::size_t>(s.at("svg_bytes").as_int64()));
}

TEST_F(ImageToolsTest, BatchWritesSvgsAndReportsFailuresPerFile) {
  const auto in = root_ / "inside";
  Write(in / "a.png", Png(Squares()));
  Write(in / "b.png", Png(Squares(64, 64)));
  Write(in / "broken.png", "\x89PNG\r\n\x1a\n broken");
  std::filesystem::create_directories(in / "out");
  json::array paths{(in / "a.png").string(), (in / "b.png").string(), (in / "broken.png").string()};
  auto r = Tool("vectorize_images",
                {{"paths", paths}, {"out_dir", (in / "out").string()}, {"measure_ssim", true}});
  ASSERT_FALSE(IsError(r)) << json::serialize(r);
  const auto& s = r.at("structuredContent").as_object();
  EXPECT_EQ(s.at("files"), 3);
  EXPECT_EQ(s.at("failed"), 1);
  EXPECT_GT(s.at("mean_ssim").as_double(), 0.9);
  EXPECT_TRUE(std::filesystem::exists(in / "out" / "a.svg"));
  EXPECT_TRUE(std::filesystem::exists(in / "out" / "b.svg"));
  EXPECT_TRUE(s.at("results").as_array().at(2).as_object().contains("error"));
  // Again: the SVGs exist now, and are kept unless overwrite is given.
  r = Tool("vectorize_images", {{"paths", paths}, {"out_dir", (in / "out").string()}});
  EXPECT_EQ(r.at("structuredContent").at("failed"), 3);
  r = Tool("vectorize_images",
           {{"paths", paths}, {"out_dir", (in / "out").string()}, {"overwrite", true}});
  EXPECT_EQ(r.at("structuredContent").at("failed"), 1);
  ExpectErrorMentions(Tool("vectorize_images", {{"paths", paths}, {"out_dir", "/tmp"}}), "out_dir");
}

}  // namespace
}  // namespace ferry::tools::images
