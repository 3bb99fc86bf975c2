#include "tools/documents/documents.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/base64.h"
#include "tools/allowed_paths.h"
#include "tools/documents/document_store.h"
#include "tools/tools_test_util.h"

namespace ferry::tools::documents {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;

class DocumentToolsTest : public ToolGroupFixture {
 protected:
  DocumentToolsTest() { Start(); }
};

TEST_F(DocumentToolsTest, ConvertsBase64ContentAndExportsByKey) {
  auto r = Tool("convert_document", {{"content", Base64Encode("# Title\n\nHello *world*.\n")},
                                     {"filename", "note.md"},
                                     {"export", "markdown"}});
  ASSERT_FALSE(r.contains("isError") && r.at("isError").as_bool()) << json::serialize(r);
  const auto& summary = r.at("structuredContent").as_object();
  const std::string key(summary.at("document_key").as_string());
  EXPECT_EQ(key.size(), 16u);
  EXPECT_FALSE(summary.at("cached").as_bool());
  EXPECT_EQ(TextOf(r, 1), "# Title\n\nHello *world* .");  // Docling joins inline runs by spaces

  // The same content again: found by key, not converted again.
  auto again = Tool("convert_document", {{"content", Base64Encode("# Title\n\nHello *world*.\n")},
                                         {"filename", "other-name.md"}});
  EXPECT_TRUE(again.at("structuredContent").at("cached").as_bool());
  EXPECT_EQ(again.at("structuredContent").at("document_key").as_string(), key);

  const auto status = Tool("is_document_cached", {{"document_key", key}}).at("structuredContent");
  EXPECT_EQ(status.at("cached"), true);
  EXPECT_EQ(status.at("store").at("documents"), 1);
  EXPECT_GT(status.at("store").at("bytes").as_int64(), 0);
  EXPECT_EQ(status.at("store").at("budget_bytes"), 1024 * 1024);
  EXPECT_NE(server_->core().metrics().Render().find("ferry_document_store_documents 1\n"),
            std::string::npos);
  EXPECT_EQ(TextOf(Tool("export_document", {{"document_key", key}, {"format", "text"}})),
            "Title\n\nHello world .");
  auto chunks = json::parse(TextOf(Tool("export_document", {{"document_key", key}, {"format", "chunks"}})));
  EXPECT_EQ(chunks.at("chunks").as_array().at(0).at("text"), "Hello world .");
  auto doc_json = json::parse(TextOf(Tool("export_document", {{"document_key", key}, {"format", "json"}})));
  EXPECT_EQ(doc_json.at("schema_name"), "DoclingDocument");

  // And a resource, in both forms.
  auto read = Call("resources/read", {{"uri", "ferry://documents/" + key}});
  EXPECT_EQ(read.at("result").at("contents").as_array().at(0).at("text"), "# Title\n\nHello *world* .");
  auto list = Call("resources/list", {});
  EXPECT_NE(json::serialize(list).find("ferry://documents/" + key + ".json"), std::string::npos);
}

TEST_F(DocumentToolsTest, PathsMustBeInsideTheAllowedRoots) {
  Write(root_ / "inside" / "a.csv", "x,y\n1,2\n");
  Write(root_ / "secret.txt", "secret");
  fs::create_symlink(root_ / "secret.txt", root_ / "inside" / "link.txt");

  auto ok = Tool("convert_document", {{"path", (root_ / "inside" / "a.csv").string()}, {"export", "markdown"}});
  EXPECT_EQ(TextOf(ok, 1), "| x | y |\n| - | - |\n| 1 | 2 |");
  for (const std::string& bad : {(root_ / "secret.txt").string(),
                                (root_ / "inside" / ".." / "secret.txt").string(),
                                (root_ / "inside" / "link.txt").string(), std::string("/etc/passwd")}) {
    auto r = Tool("convert_document", {{"path", bad}});
    EXPECT_TRUE(r.at("isError").as_bool()) << bad;
    EXPECT_NE(TextOf(r).find("outside the allowed directories"), std::string::npos) << TextOf(r);
  }
  auto missing = Tool("convert_document", {{"path", (root_ / "inside" / "nope.md").string()}});
  EXPECT_TRUE(missing.at("isError").as_bool());
}

TEST_F(DocumentToolsTest, BadArgumentsAreToolErrors) {
  EXPECT_TRUE(Tool("convert_document", {}).at("isError").as_bool());
  EXPECT_TRUE(Tool("convert_document", {{"content", "!!!not base64"}}).at("isError").as_bool());
  EXPECT_TRUE(Tool("convert_document", {{"content", Base64Encode("%PDF-1.4 x")}, {"filename", "a.pdf"}})
                  .at("isError")
                  .as_bool());
  auto unknown = Tool("export_document", {{"document_key", "0000000000000000"}});
  EXPECT_NE(TextOf(unknown).find("no document with key"), std::string::npos);
  // Schema validation: an unknown format is refused before the tool runs.
  auto wrong = Tool("export_document", {{"document_key", "x"}, {"format", "docx"}});
  EXPECT_TRUE(wrong.at("isError").as_bool());
}

TEST_F(DocumentToolsTest, BatchReportsEachFileAndNeverStops) {
  Write(root_ / "inside" / "one.md", "# One\n");
  Write(root_ / "inside" / "two.csv", "a,b\n");
  auto r = Tool("convert_documents",
                {{"paths", json::array{(root_ / "inside" / "one.md").string(),
                                       (root_ / "secret").string(),
                                       (root_ / "inside" / "two.csv").string()}}});
  const auto& s = r.at("structuredContent").as_object();
  EXPECT_EQ(s.at("files"), 3);
  EXPECT_EQ(s.at("failed"), 1);
  EXPECT_TRUE(s.at("results").as_array().at(1).as_object().contains("error"));
  EXPECT_TRUE(s.at("results").as_array().at(2).as_object().contains("document_key"));
}

TEST(DocumentStoreTest, EvictsTheLeastRecentlyUsedWithinTheBudget) {
  std::vector<std::string> evicted;
  auto doc = [](std::size_t n) {
    auto d = std::make_shared<document::Document>();
    d->AddText(document::kBodyRef, document::TextLabel::kText, std::string(n, 'x'));
    return d;
  };
  const std::size_t one = DocumentStore::EstimateBytes(*doc(10'000));
  DocumentStore store(3 * one + 100, [&](const std::string& k) { evicted.push_back(k); });
  EXPECT_TRUE(store.Put("a", doc(10'000)));
  EXPECT_TRUE(store.Put("b", doc(10'000)));
  EXPECT_TRUE(store.Put("c", doc(10'000)));
  EXPECT_TRUE(store.Get("a"));  // a is now the most recent
  EXPECT_TRUE(store.Put("d", doc(10'000)));
  EXPECT_EQ(evicted, std::vector<std::string>{"b"});
  EXPECT_EQ(store.count(), 3u);
  EXPECT_LE(store.bytes(), store.budget());
  EXPECT_FALSE(store.Put("huge", doc(10 * one)));  // alone over the budget: refused, nothing lost
  EXPECT_EQ(store.count(), 3u);
}

TEST(AllowedPathsTest, NoRootsMeansNoAccess) {
  auto r = ResolveAllowedPath("/tmp/x", {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("allowed_roots"), std::string::npos);
  const fs::path dir = fs::path(::testing::TempDir());
  auto write = ResolveAllowedPath((dir / "new-file.md").string(), {dir.string()}, false);
  EXPECT_TRUE(write) << (write ? "" : write.error().message);
  EXPECT_FALSE(ResolveAllowedPath((dir / "..").string(), {dir.string()}, false));
}

}  // namespace
}  // namespace ferry::tools::documents
