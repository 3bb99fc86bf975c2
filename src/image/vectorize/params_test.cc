#include "image/vectorize/params.h"

#include <gtest/gtest.h>

namespace ferry::image::vectorize {
namespace {
namespace json = boost::json;

std::string ErrorOf(const json::object& args, VectorizeParams base = {}) {
  auto r = ApplyJson(base, args);
  return r ? "" : r.error().message;
}

TEST(VectorizeParamsTest, DefaultsAreVtracers) {
  const VectorizeParams p;
  EXPECT_TRUE(Validate(p));
  EXPECT_EQ(json::serialize(ToJson(p)),
            R"({"colormode":"color","hierarchical":"stacked","mode":"spline","filter_speckle":4,)"
            R"("color_precision":6,"layer_difference":16,"corner_threshold":60,)"
            R"("length_threshold":4E0,"max_iterations":10,"splice_threshold":45,"path_precision":2})");
  EXPECT_EQ(*Preset("default"), p);
}

TEST(VectorizeParamsTest, PresetsHaveTheSeedsValues) {
  const auto speed = *Preset("speed");
  EXPECT_EQ(speed.color_precision, 3);
  EXPECT_EQ(speed.layer_difference, 24);
  EXPECT_EQ(speed.corner_threshold, 80);
  EXPECT_EQ(speed.max_iterations, 5);
  EXPECT_EQ(speed.path_precision, 3);
  EXPECT_EQ(speed.length_threshold, 8.0);
  EXPECT_EQ(speed.splice_threshold, 60);
  const auto quality = *Preset("quality");
  EXPECT_EQ(quality.color_precision, 8);
  EXPECT_EQ(quality.length_threshold, 2.0);  // inside Ferry's [1, 10], below VTracer's CLI's 3.5
  EXPECT_EQ(quality.splice_threshold, 30);
  EXPECT_EQ(Preset("balanced")->path_precision, 5);
  for (auto name : {"default", "speed", "balanced", "quality"}) EXPECT_TRUE(Validate(*Preset(name)));
  EXPECT_FALSE(Preset("fastest"));
}

TEST(VectorizeParamsTest, OutOfRangeNamesParameterValueAndRange) {
  // The seed's own selector asks for color_precision 10, which VTracer silently treats as 2.
  EXPECT_EQ(ErrorOf({{"color_precision", 10}}), "color_precision: 10 is out of range [1, 8]");
  EXPECT_EQ(ErrorOf({{"max_iterations", 0}}), "max_iterations: 0 is out of range [1, 50]");
  EXPECT_EQ(ErrorOf({{"length_threshold", 0.5}}), "length_threshold: 0.5 is out of range [1, 10]");
  EXPECT_EQ(ErrorOf({{"filter_speckle", -1}}), "filter_speckle: -1 is out of range [0, 16]");
  EXPECT_EQ(ErrorOf({{"layer_difference", 2.5}}), "layer_difference: 2.5 is not an integer");
  EXPECT_EQ(ErrorOf({{"corner_threshold", "60"}}), "corner_threshold: \"60\" is not a number");
  EXPECT_EQ(ErrorOf({{"mode", "bezier"}}), "mode: \"bezier\" is not one of pixel, polygon, spline");
  EXPECT_EQ(ErrorOf({{"colour_precision", 6}}), "unknown parameter colour_precision");
  VectorizeParams bad;
  bad.splice_threshold = 181;
  EXPECT_EQ(Validate(bad).error().message, "splice_threshold: 181 is out of range [0, 180]");
}

TEST(VectorizeParamsTest, ExplicitValuesOverrideTheBase) {
  const std::string_view ignore[] = {"path"};
  auto p = ApplyJson(*Preset("speed"),
                     {{"preset", "speed"}, {"path", "/x.png"}, {"mode", "polygon"},
                      {"colormode", "binary"}, {"hierarchical", "cutout"},
                      {"length_threshold", 3.5}, {"color_precision", 8}},
                     ignore);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->mode, TraceMode::kPolygon);
  EXPECT_EQ(p->color_mode, ColorMode::kBinary);
  EXPECT_EQ(p->hierarchical, Hierarchy::kCutout);
  EXPECT_EQ(p->length_threshold, 3.5);
  EXPECT_EQ(p->color_precision, 8);
  EXPECT_EQ(p->layer_difference, 24);  // the preset's, untouched
}

}  // namespace
}  // namespace ferry::image::vectorize
