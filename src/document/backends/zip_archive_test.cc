#include "document/backends/zip_archive.h"

#include <gtest/gtest.h>

#include "document/backends/zip_test_util.h"

namespace ferry::document {
namespace {

using testing::MakeZip;

TEST(ZipArchiveTest, ReadsPartsAndXml) {
  const std::string bytes = MakeZip({{"word/document.xml", "<w:document><w:t>hi</w:t></w:document>"},
                                     {"[Content_Types].xml", "<Types/>"}});
  auto zip = ZipArchive::Open(bytes);
  ASSERT_TRUE(zip) << zip.error().message;
  EXPECT_TRUE(zip->Has("word/document.xml"));
  EXPECT_FALSE(zip->Has("word/missing.xml"));
  EXPECT_EQ(zip->Names().size(), 2u);
  auto xml = zip->ReadXml("word/document.xml");
  ASSERT_TRUE(xml);
  EXPECT_STREQ((*xml)->child("w:document").child("w:t").text().get(), "hi");
  auto missing = zip->Read("nope.xml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ZipArchiveTest, CorruptAndTruncatedArchivesAreErrors) {
  EXPECT_FALSE(ZipArchive::Open(std::string_view("not a zip at all")));
  const std::string bytes = MakeZip({{"a.xml", std::string(5000, 'a')}});
  auto truncated = ZipArchive::Open(std::string_view(bytes).substr(0, bytes.size() / 2));
  EXPECT_FALSE(truncated);
  EXPECT_FALSE(ZipArchive::Open(std::string_view()));
}

TEST(ZipArchiveTest, ZipBombsHitTheCaps) {
  // 8 MB of zeros compresses to a few KB; the cap is 1 MB.
  const std::string bomb = MakeZip({{"big.xml", std::string(8 * 1024 * 1024, '\0')}});
  EXPECT_LT(bomb.size(), 100u * 1024);
  auto zip = ZipArchive::Open(bomb, {.max_part_bytes = 1024 * 1024});
  ASSERT_TRUE(zip);
  auto big = zip->Read("big.xml");
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("zip bomb"), std::string::npos);

  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 50; ++i) many.emplace_back("p" + std::to_string(i), "x");
  const std::string crowded_bytes = MakeZip(many);
  auto crowded = ZipArchive::Open(crowded_bytes, {.max_entries = 20});
  ASSERT_FALSE(crowded);
  EXPECT_NE(crowded.error().message.find("entries"), std::string::npos);

  // The total across parts is capped too.
  std::vector<std::pair<std::string, std::string>> parts;
  for (int i = 0; i < 4; ++i) parts.emplace_back("p" + std::to_string(i), std::string(600'000, 'z'));
  const std::string several_bytes = MakeZip(parts);
  auto several = ZipArchive::Open(several_bytes, {.max_total_bytes = 2'000'000});
  ASSERT_TRUE(several);
  int failures = 0;
  for (int i = 0; i < 4; ++i) failures += several->Read("p" + std::to_string(i)) ? 0 : 1;
  EXPECT_EQ(failures, 1);
}

TEST(ZipArchiveTest, XmlEntityExpansionIsNotPerformed) {
  std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
      "<lolz>&lol3;</lolz>";
  const std::string bytes = MakeZip({{"x.xml", laughs}, {"bad.xml", "<a><b></a>"}});
  auto zip = ZipArchive::Open(bytes);
  ASSERT_TRUE(zip);
  auto xml = zip->ReadXml("x.xml");
  ASSERT_TRUE(xml);
  EXPECT_LT(std::string((*xml)->child("lolz").text().get()).size(), 100u);
  auto bad = zip->ReadXml("bad.xml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("malformed XML"), std::string::npos);
}

TEST(ZipArchiveTest, ResolvesRelationshipTargets) {
  EXPECT_EQ(ResolvePartPath("word/document.xml", "media/image1.png"), "word/media/image1.png");
  EXPECT_EQ(ResolvePartPath("ppt/slides/slide1.xml", "../media/a.png"), "ppt/media/a.png");
  EXPECT_EQ(ResolvePartPath("ppt/slides/slide1.xml", "/ppt/x.xml"), "ppt/x.xml");
  EXPECT_EQ(ResolvePartPath("a.xml", "../../../etc/passwd"), "etc/passwd");
}

}  // namespace
}  // namespace ferry::document
