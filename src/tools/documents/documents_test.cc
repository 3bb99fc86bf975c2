#include "tools/documents/documents.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>

#include "common/base64.h"
#include "protocol/server_core.h"
#include "protocol/session.h"
#include "tools/documents/allowed_paths.h"
#include "tools/documents/document_store.h"

namespace ferry::tools::documents {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Capture final : public protocol::Outbound {
 public:
  void Send(std::string message) override {
    {
      std::lock_guard lock(mutex_);
      messages_.push_back(json::parse(message));
    }
    cv_.notify_all();
  }
  json::value Next() {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, 10s, [&] { return !messages_.empty(); })) return nullptr;
    auto m = std::move(messages_.front());
    messages_.pop_front();
    return m;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<json::value> messages_;
};

class DocumentToolsTest : public ::testing::Test {
 protected:
  DocumentToolsTest() {
    root_ = fs::path(::testing::TempDir()) / ("ferry-docs-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "inside");
    Config config;
    config.performance.worker_count = 2;
    config.documents.allowed_roots = {(root_ / "inside").string()};
    config.documents.store_size = 1024 * 1024;
    server_ = std::make_unique<Server>(Implementation{"t", "1", ""}, config);
    EXPECT_TRUE(Register(*server_));
    out_ = std::make_shared<Capture>();
    session_ = std::make_shared<protocol::Session>(server_->core(), out_);
    server_->core().Attach(session_);
    Call("initialize", {{"protocolVersion", "2025-11-25"},
                        {"capabilities", json::object{}},
                        {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
  }
  ~DocumentToolsTest() override {
    session_->CancelAll("done");
    session_->WaitIdle(std::chrono::steady_clock::now() + 5s);
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  json::value Call(std::string_view method, json::object params) {
    json::object req{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}};
    session_->HandleText(json::serialize(req));
    for (;;) {
      auto m = out_->Next();
      if (m.is_null() || m.as_object().contains("id")) return m;  // skip notifications
    }
  }
  json::object Tool(std::string_view name, json::object args) {
    auto r = Call("tools/call", {{"name", name}, {"arguments", args}});
    EXPECT_TRUE(r.as_object().contains("result")) << json::serialize(r);
    return r.at("result").as_object();
  }
  static std::string TextOf(const json::object& result, std::size_t i = 0) {
    return std::string(result.at("content").as_array().at(i).at("text").as_string());
  }
  void Write(const fs::path& p, std::string_view content) {
    std::ofstream f(p, std::ios::binary);
    f << content;
  }

  fs::path root_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<Capture> out_;
  std::shared_ptr<protocol::Session> session_;
  int id_ = 0;
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

  EXPECT_EQ(Tool("is_document_cached", {{"document_key", key}}).at("structuredContent").at("cached"),
            true);
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
