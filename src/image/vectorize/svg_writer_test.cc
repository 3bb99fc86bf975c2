#include "image/vectorize/svg_writer.h"

#include <gtest/gtest.h>

namespace ferry::image::vectorize {
namespace {

TEST(SvgWriterTest, PolygonsUseVTracersLayout) {
  VectorImage img{10, 8, {}};
  img.shapes.push_back({{255, 0, 16}, {Contour{{{2, 3}, {6, 3}, {6, 7}, {2, 7}}, false}}});
  EXPECT_EQ(WriteSvg(img, 2),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- Generator: Ferry -->\n"
            "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"8\" "
            "viewBox=\"0 0 10 8\">\n"
            "<path d=\"M0,0 L4,0 L4,4 L0,4 Z \" fill=\"#FF0010\" transform=\"translate(2,3)\"/>\n"
            "</svg>\n");
}

TEST(SvgWriterTest, SplinesAndPrecision) {
  VectorImage img{4, 4, {}};
  Contour c{{{1.5, 1}, {1.123456, 2.5}, {3.999, 3}, {1.5, 1}}, true};
  img.shapes.push_back({{0, 0, 0}, {c}});
  const std::string two = WriteSvg(img, 2);
  EXPECT_NE(two.find("d=\"M0 0 C-0.38 1.5 2.5 2 0 0 Z \""), std::string::npos) << two;
  EXPECT_NE(two.find("translate(1.5,1)"), std::string::npos);
  const std::string zero = WriteSvg(img, 0);
  EXPECT_NE(zero.find("d=\"M0 0 C0 2 2 2 0 0 Z \""), std::string::npos) << zero;
}

TEST(SvgWriterTest, NegativeZeroIsWrittenAsZero) {
  VectorImage img{4, 4, {}};
  img.shapes.push_back({{0, 0, 0}, {Contour{{{1, 1}, {0.999, 1}, {1, 2}}, false}}});
  const std::string svg = WriteSvg(img, 2);
  EXPECT_NE(svg.find("d=\"M0,0 L0,0 L0,1 Z \""), std::string::npos) << svg;
}

TEST(SvgWriterTest, HolesShareTheirShapesPathAndEmptyShapesAreSkipped) {
  VectorImage img{8, 8, {}};
  img.shapes.push_back({{1, 2, 3}, {}});
  img.shapes.push_back({{1, 2, 3},
                        {Contour{{{0, 0}, {8, 0}, {8, 8}, {0, 8}}, false},
                         Contour{{{2, 2}, {2, 6}, {6, 6}, {6, 2}}, false}}});
  const std::string svg = WriteSvg(img, 2);
  EXPECT_EQ(svg.find("<path"), svg.rfind("<path"));
  EXPECT_NE(svg.find("Z M2,2 L2,6 L6,6 L6,2 Z \" fill=\"#010203\""), std::string::npos) << svg;
}

}  // namespace
}  // namespace ferry::image::vectorize
