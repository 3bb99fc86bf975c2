#include "tools/documents/editing_tools.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/base64.h"
#include "tools/documents/document_store.h"
#include "tools/documents/draft_store.h"
#include "tools/tools_test_util.h"

namespace ferry::tools::documents {
namespace {
namespace json = boost::json;
namespace fs = std::filesystem;

class EditingToolsTest : public ToolGroupFixture {
 protected:
  EditingToolsTest() { Start(); }

  // A new draft's key.
  std::string NewDraft(json::object args = {}) {
    auto r = Tool("create_document", std::move(args));
    EXPECT_FALSE(IsError(r)) << json::serialize(r);
    return std::string(r.at("structuredContent").at("document_key").as_string());
  }
  // A converted Markdown document's key.
  std::string Convert(std::string_view markdown) {
    auto r = Tool("convert_document", {{"content", Base64Encode(markdown)}, {"filename", "c.md"}});
    EXPECT_FALSE(IsError(r)) << json::serialize(r);
    return std::string(r.at("structuredContent").at("document_key").as_string());
  }
  std::string Anchor(const json::object& result) {
    EXPECT_FALSE(IsError(result)) << json::serialize(result);
    return std::string(result.at("structuredContent").at("anchor").as_string());
  }
  std::string Markdown(const std::string& key) {
    return TextOf(Tool("export_document", {{"document_key", key}, {"format", "markdown"}}));
  }
  void ExpectErrorMentions(const json::object& result, std::string_view text) {
    ASSERT_TRUE(IsError(result)) << json::serialize(result);
    EXPECT_NE(TextOf(result).find(text), std::string::npos) << TextOf(result);
  }
};

TEST_F(EditingToolsTest, BuildsADocumentAndExportsIt) {
  const std::string key = NewDraft({{"name", "report"}});
  EXPECT_TRUE(DraftStore::IsDraftKey(key)) << key;
  EXPECT_EQ(Anchor(Tool("add_title", {{"document_key", key}, {"text", "Report"}})), "#/texts/0");
  EXPECT_EQ(
      Anchor(Tool("add_section_heading", {{"document_key", key}, {"text", "Scope"}, {"level", 1}})),
      "#/texts/1");
  EXPECT_EQ(Anchor(Tool("add_paragraph", {{"document_key", key}, {"text", "It  covers\nall."}})),
            "#/texts/2");
  auto list = Tool("open_list", {{"document_key", key}, {"ordered", true}});
  EXPECT_EQ(Anchor(list), "#/groups/0");
  auto items =
      Tool("add_list_items",
           {{"document_key", key},
            {"items", json::array{json::object{{"text", "one"}}, json::object{{"text", "two"}}}}});
  ASSERT_FALSE(IsError(items)) << json::serialize(items);
  EXPECT_EQ(items.at("structuredContent").at("anchors"),
            json::value(json::array{"#/texts/3", "#/texts/4"}));
  auto closed = Tool("close_list", {{"document_key", key}});
  EXPECT_EQ(closed.at("structuredContent").at("closed"), "#/groups/0");
  auto table =
      Tool("add_table_from_html",
           {{"document_key", key},
            {"html", "<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>"},
            {"captions", json::array{"Table 1"}},
            {"footnotes", json::array{"Made up."}}});
  EXPECT_EQ(Anchor(table), "#/tables/0");
  EXPECT_EQ(table.at("structuredContent").at("captions"), json::value(json::array{"#/texts/5"}));
  EXPECT_EQ(table.at("structuredContent").at("footnotes"), json::value(json::array{"#/texts/6"}));

  EXPECT_EQ(Markdown(key),
            "# Report\n\n## Scope\n\nIt covers all.\n\n1. one\n2. two\n\nTable 1\n\n"
            "| k | v |\n| - | - |\n| a | 1 |");
  auto doc_json =
      json::parse(TextOf(Tool("export_document", {{"document_key", key}, {"format", "json"}})));
  EXPECT_EQ(doc_json.at("name"), "report");
  EXPECT_EQ(doc_json.at("tables").at(0).at("footnotes").at(0).at("$ref"), "#/texts/6");

  auto anchors = Tool("get_document_anchors", {{"document_key", key}});
  EXPECT_EQ(anchors.at("structuredContent").at("total"), 9);  // 7 texts, the list, the table
  EXPECT_NE(TextOf(anchors).find("[#/texts/1] section_header (level 1): Scope"), std::string::npos)
      << TextOf(anchors);
  EXPECT_NE(TextOf(anchors).find("  [#/texts/3] list_item: one"), std::string::npos);
  auto found = Tool("search_document", {{"document_key", key}, {"query", "COVERS"}});
  EXPECT_EQ(found.at("structuredContent").at("hits").at(0).at("anchor"), "#/texts/2");
  EXPECT_EQ(TextOf(Tool("get_item_text", {{"document_key", key}, {"anchor", "#/texts/2"}})),
            "It covers all.");
  auto updated =
      Tool("update_item_text", {{"document_key", key}, {"anchor", "#/texts/2"}, {"text", "New."}});
  EXPECT_EQ(updated.at("structuredContent").at("text"), "New.");
  EXPECT_EQ(TextOf(Tool("get_item_text", {{"document_key", key}, {"anchor", "#/texts/2"}})),
            "New.");
}

TEST_F(EditingToolsTest, ConvertedDocumentsAreReadOnlyButCanBeCopied) {
  const std::string converted = Convert("# Title\n\nFirst.\n\nSecond.\n");
  const std::string before = Markdown(converted);
  for (auto [tool, args] : std::initializer_list<std::pair<const char*, json::object>>{
           {"add_paragraph", {{"text", "x"}}},
           {"add_title", {{"text", "x"}}},
           {"open_list", {}},
           {"update_item_text", {{"anchor", "#/texts/1"}, {"text", "x"}}},
           {"delete_items", {{"anchors", json::array{"#/texts/1"}}}}}) {
    args["document_key"] = converted;
    auto r = Tool(tool, args);
    ExpectErrorMentions(r, "from_document_key");
    EXPECT_NE(TextOf(r).find("create_document"), std::string::npos) << tool;
  }
  ExpectErrorMentions(Tool("discard_document", {{"document_key", converted}}), "converted");
  // The read tools take converted documents.
  EXPECT_EQ(TextOf(Tool("get_item_text", {{"document_key", converted}, {"anchor", "#/texts/1"}})),
            "First.");
  auto found = Tool("search_document", {{"document_key", converted}, {"query", "second"}});
  EXPECT_EQ(found.at("structuredContent").at("total"), 1);
  auto anchors = Tool("get_document_anchors", {{"document_key", converted}});
  EXPECT_EQ(anchors.at("structuredContent").at("total"), 3);

  // A copy is a draft like any other; the original stays as converted.
  const std::string copy = NewDraft({{"from_document_key", converted}, {"name", "edited"}});
  auto deleted =
      Tool("delete_items", {{"document_key", copy}, {"anchors", json::array{"#/texts/1"}}});
  ASSERT_FALSE(IsError(deleted)) << json::serialize(deleted);
  EXPECT_EQ(Anchor(Tool("add_paragraph", {{"document_key", copy}, {"text", "Third."}})),
            "#/texts/2");
  EXPECT_EQ(Markdown(copy), "# Title\n\nSecond.\n\nThird.");
  EXPECT_EQ(Markdown(converted), before);
  ExpectErrorMentions(Tool("create_document", {{"from_document_key", "0123456789abcdef"}}),
                      "no document with key 0123456789abcdef");
}

TEST_F(EditingToolsTest, UnknownKeysAndBadAnchorsAreClearErrors) {
  ExpectErrorMentions(
      Tool("add_paragraph", {{"document_key", "draft-0000000000000000"}, {"text", "x"}}),
      "no draft with key draft-0000000000000000");
  ExpectErrorMentions(Tool("add_paragraph", {{"document_key", "nonsense"}, {"text", "x"}}),
                      "no draft with key nonsense");
  ExpectErrorMentions(
      Tool("get_item_text", {{"document_key", "draft-0000000000000000"}, {"anchor", "#/texts/0"}}),
      "no draft");
  ExpectErrorMentions(Tool("get_document_anchors", {{"document_key", "ffffffffffffffff"}}),
                      "no document with key ffffffffffffffff");
  ExpectErrorMentions(Tool("discard_document", {{"document_key", "draft-0000000000000000"}}),
                      "no draft");
  ExpectErrorMentions(Tool("save_document", {{"document_key", "draft-0000000000000000"},
                                             {"path", (root_ / "inside" / "x.md").string()}}),
                      "no draft");

  const std::string key = NewDraft();
  ASSERT_FALSE(IsError(Tool("add_paragraph", {{"document_key", key}, {"text", "only"}})));
  for (const char* bad : {"#/texts/1", "#/texts/abc", "texts/0", "#/tables/0", "#/body"}) {
    ExpectErrorMentions(Tool("get_item_text", {{"document_key", key}, {"anchor", bad}}),
                        std::string("\"") + bad + "\"");
    ExpectErrorMentions(
        Tool("update_item_text", {{"document_key", key}, {"anchor", bad}, {"text", "x"}}),
        std::string("\"") + bad + "\"");
  }
  ASSERT_FALSE(IsError(Tool("open_list", {{"document_key", key}})));
  ASSERT_FALSE(
      IsError(Tool("add_list_items",
                   {{"document_key", key}, {"items", json::array{json::object{{"text", "i"}}}}})));
  ExpectErrorMentions(Tool("get_item_text", {{"document_key", key}, {"anchor", "#/groups/0"}}),
                      "not a text item");
  // All or nothing: one bad anchor deletes none.
  ExpectErrorMentions(Tool("delete_items", {{"document_key", key},
                                            {"anchors", json::array{"#/texts/0", "#/texts/7"}}}),
                      "\"#/texts/7\"");
  ExpectErrorMentions(
      Tool("delete_items", {{"document_key", key}, {"anchors", json::array{"#/body"}}}), "root");
  EXPECT_EQ(TextOf(Tool("get_item_text", {{"document_key", key}, {"anchor", "#/texts/0"}})),
            "only");
  ExpectErrorMentions(Tool("get_document_anchors", {{"document_key", key}, {"under", "#/texts/9"}}),
                      "out of range");
  ASSERT_FALSE(IsError(Tool("close_list", {{"document_key", key}})));
  // Schema checks: empty text, level out of range, no items.
  EXPECT_TRUE(IsError(Tool("add_paragraph", {{"document_key", key}, {"text", ""}})));
  EXPECT_TRUE(
      IsError(Tool("add_section_heading", {{"document_key", key}, {"text", "h"}, {"level", 7}})));
  EXPECT_TRUE(IsError(Tool("add_list_items", {{"document_key", key}, {"items", json::array{}}})));
  ExpectErrorMentions(Tool("add_paragraph", {{"document_key", key}, {"text", " \n "}}), "empty");
}

TEST_F(EditingToolsTest, DeletingASubtreeShiftsLaterAnchors) {
  const std::string key = NewDraft();
  Tool("add_paragraph", {{"document_key", key}, {"text", "before"}});  // texts/0
  Tool("open_list", {{"document_key", key}});                          // groups/0
  Tool("add_list_items", {{"document_key", key},
                          {"items", json::array{json::object{{"text", "a"}},      // texts/1
                                                json::object{{"text", "b"}}}}});  // texts/2
  Tool("open_list", {{"document_key", key}});  // groups/1, under b
  Tool("add_list_items",
       {{"document_key", key}, {"items", json::array{json::object{{"text", "b.1"}}}}});
  Tool("close_list", {{"document_key", key}});
  Tool("close_list", {{"document_key", key}});
  EXPECT_EQ(Anchor(Tool("add_paragraph", {{"document_key", key}, {"text", "after"}})), "#/texts/4");
  Tool("open_list", {{"document_key", key}});  // groups/2
  Tool("add_list_items",
       {{"document_key", key}, {"items", json::array{json::object{{"text", "c"}}}}});
  Tool("close_list", {{"document_key", key}});

  auto deleted =
      Tool("delete_items", {{"document_key", key}, {"anchors", json::array{"#/groups/0"}}});
  ASSERT_FALSE(IsError(deleted)) << json::serialize(deleted);
  EXPECT_EQ(deleted.at("structuredContent").at("deleted"), 5);  // 2 lists, 3 items
  EXPECT_EQ(TextOf(Tool("get_item_text", {{"document_key", key}, {"anchor", "#/texts/1"}})),
            "after");
  EXPECT_EQ(TextOf(Tool("get_item_text", {{"document_key", key}, {"anchor", "#/texts/2"}})), "c");
  EXPECT_TRUE(IsError(Tool("get_item_text", {{"document_key", key}, {"anchor", "#/texts/3"}})));
  EXPECT_EQ(Markdown(key), "before\n\nafter\n\n- c");

  // The JSON's pointers agree with the arrays: every item's self_ref is its place, every child
  // names its parent.
  auto doc =
      json::parse(TextOf(Tool("export_document", {{"document_key", key}, {"format", "json"}})));
  for (std::string_view array : {"texts", "groups"}) {
    const auto& items = doc.at(array).as_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string self = "#/" + std::string(array) + "/" + std::to_string(i);
      EXPECT_EQ(items[i].at("self_ref").as_string(), self);
      for (const auto& child : items[i].at("children").as_array()) {
        const std::string c(child.at("$ref").as_string());
        const auto slash = c.rfind('/');
        const auto& owner =
            doc.at(c.substr(2, slash - 2)).as_array().at(std::stoul(c.substr(slash + 1)));
        EXPECT_EQ(owner.at("parent").at("$ref").as_string(), self);
      }
    }
  }
  EXPECT_EQ(doc.at("groups").as_array().size(), 1u);
  EXPECT_EQ(doc.at("body").at("children"),
            json::value(json::array{json::object{{"$ref", "#/texts/0"}},
                                    json::object{{"$ref", "#/texts/1"}},
                                    json::object{{"$ref", "#/groups/0"}}}));
}

TEST_F(EditingToolsTest, ListsMustBeOpenedAndClosed) {
  const std::string key = NewDraft();
  ExpectErrorMentions(Tool("close_list", {{"document_key", key}}), "no list is open");
  ExpectErrorMentions(Tool("add_list_items", {{"document_key", key},
                                              {"items", json::array{json::object{{"text", "x"}}}}}),
                      "open_list");
  ASSERT_FALSE(IsError(Tool("open_list", {{"document_key", key}})));
  ExpectErrorMentions(Tool("add_paragraph", {{"document_key", key}, {"text", "p"}}), "close_list");
  ExpectErrorMentions(
      Tool("add_table_from_html",
           {{"document_key", key}, {"html", "<table><tr><td>1</td><td>2</td></tr></table>"}}),
      "close_list");
  ASSERT_FALSE(IsError(Tool("close_list", {{"document_key", key}})));
  ExpectErrorMentions(Tool("close_list", {{"document_key", key}}), "no list is open");
}

TEST_F(EditingToolsTest, TableHtmlMustHoldATable) {
  const std::string key = NewDraft();
  ExpectErrorMentions(
      Tool("add_table_from_html", {{"document_key", key}, {"html", "<p>no table</p>"}}),
      "no table");
  ExpectErrorMentions(
      Tool("add_table_from_html", {{"document_key", key}, {"html", "<table><tr><td>x"}}),
      "no table");
  auto anchors = Tool("get_document_anchors", {{"document_key", key}});
  EXPECT_EQ(anchors.at("structuredContent").at("total"), 0);
}

TEST_F(EditingToolsTest, SavesOnlyInsideTheRootsAndNeverClobbers) {
  const std::string key = NewDraft();
  Tool("add_title", {{"document_key", key}, {"text", "Saved"}});
  const fs::path inside = root_ / "inside";
  auto saved =
      Tool("save_document", {{"document_key", key}, {"path", (inside / "out.md").string()}});
  ASSERT_FALSE(IsError(saved)) << json::serialize(saved);
  EXPECT_EQ(saved.at("structuredContent").at("format"), "markdown");
  std::ifstream in(inside / "out.md");
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()),
            "# Saved");

  // Never over an existing file without overwrite; with it, replaced.
  Write(inside / "keep.md", "precious");
  ExpectErrorMentions(
      Tool("save_document", {{"document_key", key}, {"path", (inside / "keep.md").string()}}),
      "overwrite");
  {
    std::ifstream keep(inside / "keep.md");
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(keep)), std::istreambuf_iterator<char>()),
              "precious");
  }
  ASSERT_FALSE(IsError(
      Tool("save_document",
           {{"document_key", key}, {"path", (inside / "keep.md").string()}, {"overwrite", true}})));
  EXPECT_EQ(fs::file_size(inside / "keep.md"), 7u);

  // Formats from the extension or the argument.
  auto json_saved =
      Tool("save_document", {{"document_key", key}, {"path", (inside / "d.JSON").string()}});
  EXPECT_EQ(json_saved.at("structuredContent").at("format"), "json");
  ExpectErrorMentions(
      Tool("save_document", {{"document_key", key}, {"path", (inside / "d.docx").string()}}),
      "format");
  auto html =
      Tool("save_document",
           {{"document_key", key}, {"path", (inside / "d.docx").string()}, {"format", "html"}});
  EXPECT_FALSE(IsError(html)) << json::serialize(html);

  // Outside the roots, by name, by traversal or through a link: refused, nothing written.
  fs::create_symlink(root_ / "outside.md", inside / "link.md");
  for (const fs::path& bad :
       {root_ / "outside.md", inside / ".." / "outside.md", inside / "link.md",
        fs::path("/etc/ferry-test.md"), inside / "missing-dir" / "x.md"}) {
    auto r =
        Tool("save_document", {{"document_key", key}, {"path", bad.string()}, {"overwrite", true}});
    EXPECT_TRUE(IsError(r)) << bad;
  }
  EXPECT_FALSE(fs::exists(root_ / "outside.md"));
  // No temporary file is left behind.
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(inside))
    names.insert(entry.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"d.JSON", "d.docx", "keep.md", "link.md", "out.md"}));

  // Converted documents save too.
  const std::string converted = Convert("# C\n");
  EXPECT_FALSE(IsError(
      Tool("save_document", {{"document_key", converted}, {"path", (inside / "c.txt").string()}})));
}

TEST_F(EditingToolsTest, ConcurrentEditsOfOneDraftAllLand) {
  const std::string key = NewDraft();
  constexpr int kEdits = 40;
  std::vector<int> ids;
  for (int i = 0; i < kEdits; ++i) {
    ids.push_back(
        Send("add_paragraph", {{"document_key", key}, {"text", "p" + std::to_string(i)}}));
  }
  std::set<std::string> anchors;
  for (int id : ids) {
    auto r = Await(id);
    ASSERT_TRUE(r.is_object() && r.as_object().contains("result")) << json::serialize(r);
    anchors.insert(std::string(r.at("result").at("structuredContent").at("anchor").as_string()));
  }
  EXPECT_EQ(anchors.size(), static_cast<std::size_t>(kEdits));  // each got its own item
  auto all = Tool("get_document_anchors", {{"document_key", key}, {"max_items", 1000}});
  EXPECT_EQ(all.at("structuredContent").at("total"), kEdits);
  std::set<std::string> texts;
  for (const auto& item : all.at("structuredContent").at("items").as_array()) {
    texts.insert(std::string(item.at("text").as_string()));
  }
  for (int i = 0; i < kEdits; ++i) EXPECT_TRUE(texts.contains("p" + std::to_string(i))) << i;
}

TEST_F(EditingToolsTest, AnchorsComeInPages) {
  const std::string key = NewDraft();
  for (int i = 0; i < 5; ++i) {
    Tool("add_paragraph", {{"document_key", key}, {"text", "p" + std::to_string(i)}});
  }
  auto first = Tool("get_document_anchors", {{"document_key", key}, {"max_items", 2}});
  const auto& s = first.at("structuredContent");
  EXPECT_EQ(s.at("total"), 5);
  EXPECT_EQ(s.at("items").as_array().size(), 2u);
  EXPECT_EQ(s.at("next_offset"), 2);
  EXPECT_NE(TextOf(first).find("call again with offset 2"), std::string::npos);
  auto last =
      Tool("get_document_anchors", {{"document_key", key}, {"offset", 4}, {"max_items", 2}});
  EXPECT_EQ(last.at("structuredContent").at("items").at(0).at("anchor"), "#/texts/4");
  EXPECT_FALSE(last.at("structuredContent").as_object().contains("next_offset"));
}

TEST_F(EditingToolsTest, AnnotationsSayWhatEachToolDoes) {
  auto list = Call("tools/list", {});
  std::map<std::string, json::object> annotations;
  for (const auto& t : list.at("result").at("tools").as_array()) {
    if (const auto* a = t.as_object().if_contains("annotations")) {
      annotations[std::string(t.at("name").as_string())] = a->as_object();
    }
  }
  for (const char* read_only : {"get_document_anchors", "search_document", "get_item_text"}) {
    EXPECT_EQ(annotations[read_only].at("readOnlyHint"), true) << read_only;
  }
  for (const char* destructive :
       {"delete_items", "discard_document", "save_document", "update_item_text"}) {
    EXPECT_EQ(annotations[destructive].at("destructiveHint"), true) << destructive;
  }
  for (const char* additive :
       {"create_document", "add_title", "add_section_heading", "add_paragraph", "open_list",
        "close_list", "add_list_items", "add_table_from_html"}) {
    EXPECT_EQ(annotations[additive].at("readOnlyHint"), false) << additive;
    EXPECT_EQ(annotations[additive].at("destructiveHint"), false) << additive;
  }
  EXPECT_EQ(annotations["delete_items"].at("idempotentHint"), false);
}

class EditingLimitsTest : public ToolGroupFixture {
 protected:
  EditingLimitsTest() {
    Start([](Config& c) {
      c.documents.max_drafts = 2;
      c.documents.max_file_size = 16 * 1024;
    });
  }
};

TEST_F(EditingLimitsTest, MaxDraftsAndTheSizeCap) {
  auto key = [](const json::object& r) {
    return std::string(r.at("structuredContent").at("document_key").as_string());
  };
  const std::string a = key(Tool("create_document", {}));
  key(Tool("create_document", {}));
  auto third = Tool("create_document", {});
  ASSERT_TRUE(IsError(third));
  EXPECT_NE(TextOf(third).find("documents.max_drafts (2)"), std::string::npos) << TextOf(third);
  // Discarding frees a place; the discarded key is gone.
  ASSERT_FALSE(IsError(Tool("discard_document", {{"document_key", a}})));
  EXPECT_TRUE(IsError(Tool("add_paragraph", {{"document_key", a}, {"text", "x"}})));
  const std::string c = key(Tool("create_document", {}));

  // An edit past documents.max_file_size fails and changes nothing.
  ASSERT_FALSE(IsError(Tool("add_paragraph", {{"document_key", c}, {"text", "small"}})));
  auto big = Tool("add_paragraph", {{"document_key", c}, {"text", std::string(10'000, 'x')}});
  ASSERT_TRUE(IsError(big));
  EXPECT_NE(TextOf(big).find("documents.max_file_size"), std::string::npos) << TextOf(big);
  auto anchors = Tool("get_document_anchors", {{"document_key", c}});
  EXPECT_EQ(anchors.at("structuredContent").at("total"), 1);
  auto update =
      Tool("update_item_text",
           {{"document_key", c}, {"anchor", "#/texts/0"}, {"text", std::string(10'000, 'y')}});
  ASSERT_TRUE(IsError(update));
  EXPECT_EQ(TextOf(Tool("get_item_text", {{"document_key", c}, {"anchor", "#/texts/0"}})), "small");
  auto html =
      Tool("add_table_from_html",
           {{"document_key", c}, {"html", "<table>" + std::string(20'000, ' ') + "</table>"}});
  ASSERT_TRUE(IsError(html));
  EXPECT_NE(TextOf(html).find("max_file_size"), std::string::npos);
}

TEST(DraftStoreTest, KeysLimitsAndRollback) {
  DraftStore drafts(2, 4096);
  auto a = drafts.Create(document::Document("a", {}));
  ASSERT_TRUE(a);
  EXPECT_TRUE(DraftStore::IsDraftKey(*a));
  EXPECT_FALSE(DraftStore::IsDraftKey("0123456789abcdef"));
  EXPECT_FALSE(DraftStore::IsDraftKey("draft-0123456789ABCDEF"));
  auto b = drafts.Create(document::Document("b", {}));
  ASSERT_TRUE(b);
  EXPECT_NE(*a, *b);
  auto c = drafts.Create(document::Document("c", {}));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("max_drafts"), std::string::npos);

  // Too large to start with.
  ASSERT_TRUE(drafts.Discard(*b));
  EXPECT_FALSE(drafts.Discard(*b));
  document::Document big;
  big.AddText(document::kBodyRef, document::TextLabel::kText, std::string(5000, 'x'));
  EXPECT_FALSE(drafts.Create(std::move(big)));

  // An edit over the cap is undone, a failed one too.
  auto fits = drafts.Edit(
      *a, [](document::DocumentBuilder& builder) { return builder.AddParagraph("ok"); });
  ASSERT_TRUE(fits);
  auto over = drafts.Edit(*a, [](document::DocumentBuilder& builder) {
    return builder.AddParagraph(std::string(5000, 'y'));
  });
  ASSERT_FALSE(over);
  EXPECT_NE(over.error().message.find("max_file_size"), std::string::npos);
  EXPECT_EQ(drafts.Snapshot(*a)->texts.size(), 1u);
  auto failed = drafts.Edit(*a, [](document::DocumentBuilder& builder) -> Result<document::Ref> {
    if (auto r = builder.AddParagraph("half"); !r) return r;
    return Fail(ErrorCode::kInvalidParams, "second step failed");
  });
  ASSERT_FALSE(failed);
  auto snapshot = drafts.Snapshot(*a);
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->texts.size(), 1u);
  EXPECT_EQ(snapshot->texts[0].text, "ok");
  EXPECT_LE(DocumentStore::EstimateBytes(*snapshot), 4096u);
  EXPECT_FALSE(drafts.Snapshot("draft-0000000000000000"));
}

TEST(DraftStoreTest, ConcurrentEditsAndReadsOfOneDraft) {
  DraftStore drafts(4, 64 << 20);
  const std::string key = *drafts.Create(document::Document("d", {}));
  constexpr int kThreads = 8, kEdits = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEdits; ++i) {
        auto r = drafts.Edit(key, [&](document::DocumentBuilder& b) {
          return b.AddParagraph(std::to_string(t) + "-" + std::to_string(i));
        });
        EXPECT_TRUE(r);
        if (i % 10 == 0) {
          auto snapshot = drafts.Snapshot(key);  // readers meanwhile
          EXPECT_TRUE(snapshot && snapshot->texts.size() == snapshot->body.children.size());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto doc = drafts.Snapshot(key);
  ASSERT_EQ(doc->texts.size(), static_cast<std::size_t>(kThreads * kEdits));
  std::set<std::string> texts;
  for (const auto& t : doc->texts) texts.insert(t.text);
  EXPECT_EQ(texts.size(), static_cast<std::size_t>(kThreads * kEdits));
  for (std::size_t i = 0; i < doc->body.children.size(); ++i) {
    EXPECT_EQ(doc->body.children[i].index, static_cast<int>(i));
  }
}

}  // namespace
}  // namespace ferry::tools::documents
