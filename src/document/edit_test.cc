#include "document/edit.h"

#include <gtest/gtest.h>

#include "document/docling_schema_test_util.h"
#include "document/export.h"

namespace ferry::document {
namespace {

using testing::DoclingSchema;

void ExpectValidJson(const Document& doc) {
  const auto errors = DoclingSchema().Validate(ToDoclingJson(doc));
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0]);
}

std::size_t CountOf(const Document& doc, ItemKind kind) {
  switch (kind) {
    case ItemKind::kText:
      return doc.texts.size();
    case ItemKind::kTable:
      return doc.tables.size();
    case ItemKind::kPicture:
      return doc.pictures.size();
    case ItemKind::kGroup:
      return doc.groups.size();
    default:
      return 1;
  }
}

// What the schema cannot check: every Ref points at an item, parents and children agree, and
// every item hangs from exactly one place in the two trees.
void ExpectConsistent(const Document& doc) {
  auto in_range = [&](Ref r) {
    return r.index >= 0 && static_cast<std::size_t>(r.index) < CountOf(doc, r.kind);
  };
  std::size_t reachable = 0;
  for (Ref root : {kBodyRef, kFurnitureRef}) {
    doc.Walk(root, [&](Ref r, int) {
      ++reachable;
      ASSERT_TRUE(in_range(r)) << r.Pointer();
      for (const Ref& child : doc.node(r).children) {
        ASSERT_TRUE(in_range(child)) << child.Pointer() << " under " << r.Pointer();
        EXPECT_EQ(doc.node(child).parent, r) << child.Pointer();
      }
    });
    for (const Ref& child : doc.node(root).children) EXPECT_EQ(doc.node(child).parent, root);
  }
  EXPECT_EQ(reachable,
            doc.texts.size() + doc.tables.size() + doc.pictures.size() + doc.groups.size());
  auto check_refs = [&](const std::vector<Ref>& refs) {
    for (const Ref& r : refs) {
      EXPECT_EQ(r.kind, ItemKind::kText);
      EXPECT_TRUE(in_range(r)) << r.Pointer();
    }
  };
  for (const auto& t : doc.tables) {
    check_refs(t.captions);
    check_refs(t.footnotes);
  }
  for (const auto& p : doc.pictures) {
    check_refs(p.captions);
    check_refs(p.footnotes);
  }
}

// A converted-looking document: content nested under headings, a nested list, a captioned table
// and picture, a page header in the furniture.
Document Sample() {
  Document doc("sample", {"text/html", "sample.html", 42});
  SectionTracker sections(doc);
  sections.AddHeading("Introduction", 0);                                 // texts/0
  doc.AddText(sections.current(), TextLabel::kText, "First paragraph.");  // texts/1
  sections.AddHeading("Background", 1);                                   // texts/2
  Ref list = doc.AddGroup(sections.current(), GroupLabel::kList);         // groups/0
  Ref item = doc.AddListItem(list, "one", false, "-");                    // texts/3
  Ref nested = doc.AddGroup(item, GroupLabel::kOrderedList);              // groups/1
  doc.AddListItem(nested, "one.a", true, "1.");                           // texts/4
  doc.AddListItem(list, "two", false, "-");                               // texts/5
  TableItem t;
  t.num_rows = 2;
  t.num_cols = 2;
  t.cells = {{.text = "Name", .column_header = true},
             {.text = "Age", .start_col = 1, .end_col = 2, .column_header = true},
             {.text = "Ada", .start_row = 1, .end_row = 2},
             {.text = "36", .start_row = 1, .end_row = 2, .start_col = 1, .end_col = 2}};
  Ref table = doc.AddTable(sections.current(), t);   // tables/0
  doc.AddCaption(table, "Table 1: people");          // texts/6
  Ref picture = doc.AddPicture(sections.current());  // pictures/0
  doc.AddCaption(picture, "A picture");              // texts/7
  sections.AddHeading("Results", 1);                 // texts/8
  doc.AddText(sections.current(), TextLabel::kText, "The results are good. Results matter.");
  doc.AddText(kFurnitureRef, TextLabel::kPageHeader, "Running header");  // texts/10
  return doc;
}

TEST(EditAnchorTest, ParsesCanonicalAnchorsAndNamesBadOnes) {
  const Document doc = Sample();
  EXPECT_EQ(*ParseAnchor(doc, "#/texts/3"), (Ref{ItemKind::kText, 3}));
  EXPECT_EQ(*ParseAnchor(doc, "#/tables/0"), (Ref{ItemKind::kTable, 0}));
  EXPECT_EQ(*ParseAnchor(doc, "#/pictures/0"), (Ref{ItemKind::kPicture, 0}));
  EXPECT_EQ(*ParseAnchor(doc, "#/groups/1"), (Ref{ItemKind::kGroup, 1}));
  EXPECT_EQ(*ParseAnchor(doc, "#/body", AnchorRoots::kAllow), kBodyRef);
  EXPECT_EQ(*ParseAnchor(doc, "#/furniture", AnchorRoots::kAllow), kFurnitureRef);

  for (const std::string bad :
       {"#/texts/", "#/texts/x", "#/texts/01", "#/texts/-1", "#/texts/+1", "texts/1", "#/text/1",
        "#/texts/1/", "#/texts/99999999999", "", "#/body"}) {
    auto r = ParseAnchor(doc, bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("\"" + bad + "\""), std::string::npos) << r.error().message;
  }
  auto past = ParseAnchor(doc, "#/tables/1");
  ASSERT_FALSE(past);
  EXPECT_NE(past.error().message.find("the document has 1 tables"), std::string::npos);
  auto root = ParseAnchor(doc, "#/furniture");
  ASSERT_FALSE(root);
  EXPECT_NE(root.error().message.find("root"), std::string::npos);
  // A hostile anchor is not echoed whole.
  auto long_anchor = ParseAnchor(doc, std::string(10'000, 'a'));
  ASSERT_FALSE(long_anchor);
  EXPECT_LT(long_anchor.error().message.size(), 300u);
}

TEST(EditOverviewTest, ListsItemsInReadingOrderWithDepthAndPages) {
  const Document doc = Sample();
  const Overview all = ListAnchors(doc);
  ASSERT_EQ(all.total,
            doc.texts.size() + doc.tables.size() + doc.pictures.size() + doc.groups.size());
  ASSERT_EQ(all.entries.size(), all.total);
  EXPECT_EQ(all.entries[0].ref.Pointer(), "#/texts/0");
  EXPECT_EQ(all.entries[0].label, "title");
  EXPECT_EQ(all.entries[0].depth, 0);
  EXPECT_EQ(all.entries[2].label, "section_header");
  EXPECT_EQ(all.entries[2].level, 1);
  EXPECT_EQ(all.entries[2].depth, 1);
  EXPECT_EQ(all.entries[3].label, "list");
  EXPECT_EQ(all.entries[5].ref.Pointer(), "#/groups/1");  // the nested list, under its item
  EXPECT_EQ(all.entries[5].depth, 4);
  const auto table = std::find_if(all.entries.begin(), all.entries.end(),
                                  [](const AnchorEntry& e) { return e.label == "table"; });
  ASSERT_NE(table, all.entries.end());
  EXPECT_EQ(table->text, "Table 1: people");
  EXPECT_EQ(all.entries.back().text, "Running header");
  EXPECT_EQ(all.entries.back().layer, ContentLayer::kFurniture);

  const Overview page = ListAnchors(doc, {.offset = 3, .max_items = 2});
  EXPECT_EQ(page.total, all.total);
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0].ref, all.entries[3].ref);

  const Overview list = ListAnchors(doc, {.under = Ref{ItemKind::kGroup, 0}});
  ASSERT_EQ(list.total, 4u);  // one, its nested list, one.a, two
  EXPECT_EQ(list.entries[0].depth, 0);

  Document long_text;
  long_text.AddText(kBodyRef, TextLabel::kText, std::string(79, 'x') + "é and more");
  const std::string cut = ListAnchors(long_text).entries[0].text;
  EXPECT_EQ(cut, std::string(79, 'x') + "…");  // never half a character
}

TEST(EditSearchTest, PhraseThenKeywordsIgnoringCase) {
  const Document doc = Sample();
  auto phrase = Search(doc, "RESULTS");
  EXPECT_EQ(phrase.match, MatchKind::kPhrase);
  ASSERT_EQ(phrase.total, 2u);  // the heading, then the paragraph (twice in it)
  EXPECT_EQ(phrase.hits[0].ref.Pointer(), "#/texts/8");
  EXPECT_EQ(phrase.hits[1].ref.Pointer(), "#/texts/9");
  EXPECT_EQ(phrase.hits[1].matches, 2u);
  EXPECT_EQ(phrase.hits[1].snippet, "The results are good. Results matter.");

  auto cell = Search(doc, "ada");
  ASSERT_EQ(cell.total, 1u);
  EXPECT_EQ(cell.hits[0].ref.Pointer(), "#/tables/0");
  EXPECT_EQ(cell.hits[0].label, "table");

  auto keywords = Search(doc, "good paragraph, results");
  EXPECT_EQ(keywords.match, MatchKind::kKeywords);
  ASSERT_GE(keywords.total, 3u);
  EXPECT_EQ(keywords.hits[0].ref.Pointer(), "#/texts/9");  // three keyword occurrences
  EXPECT_EQ(keywords.hits[0].matches, 3u);

  EXPECT_EQ(Search(doc, "zebra").match, MatchKind::kNone);
  EXPECT_TRUE(Search(doc, "zebra").hits.empty());
  EXPECT_EQ(Search(doc, "   ").match, MatchKind::kNone);
  EXPECT_EQ(Search(doc, "e", 2).hits.size(), 2u);

  Document long_text;
  long_text.AddText(kBodyRef, TextLabel::kText,
                    std::string(100, 'a') + " needle " + std::string(100, 'b'));
  const std::string snippet = Search(long_text, "needle").hits.at(0).snippet;
  EXPECT_LT(snippet.size(), 110u);
  EXPECT_TRUE(snippet.starts_with("…"));
  EXPECT_NE(snippet.find("needle"), std::string::npos);
}

TEST(EditTextTest, ReadsAndReplacesTextItemsOnly) {
  Document doc = Sample();
  EXPECT_EQ(*ItemText(doc, {ItemKind::kText, 1}), "First paragraph.");
  auto table = ItemText(doc, {ItemKind::kTable, 0});
  ASSERT_FALSE(table);
  EXPECT_NE(table.error().message.find("#/tables/0 (table) is not a text item"), std::string::npos);
  EXPECT_FALSE(ItemText(doc, {ItemKind::kText, 99}));

  ASSERT_TRUE(SetItemText(doc, {ItemKind::kText, 1}, "  New\n text  "));
  EXPECT_EQ(doc.texts[1].text, "New text");
  EXPECT_EQ(doc.texts[1].orig, "  New\n text  ");
  EXPECT_FALSE(SetItemText(doc, {ItemKind::kText, 1}, " \n "));
  EXPECT_EQ(doc.texts[1].text, "New text");
  EXPECT_FALSE(SetItemText(doc, {ItemKind::kGroup, 0}, "x"));

  // A paragraph in formatted runs reads whole, and is changed part by part.
  Ref runs = doc.AddGroup(kBodyRef, GroupLabel::kInline);
  doc.AddText(runs, TextLabel::kText, "plain");
  doc.text(doc.AddText(runs, TextLabel::kText, "bold")).formatting.bold = true;
  EXPECT_EQ(*ItemText(doc, runs), "plain bold");
  auto whole = SetItemText(doc, runs, "x");
  ASSERT_FALSE(whole);
  EXPECT_NE(whole.error().message.find("update its parts"), std::string::npos);

  Ref code = doc.AddText(kBodyRef, TextLabel::kCode, "x");
  ASSERT_TRUE(SetItemText(doc, code, "if x:\n    y()"));
  EXPECT_EQ(doc.text(code).text, "if x:\n    y()");  // code keeps its layout
}

TEST(EditDeleteTest, DeletesSubtreesAndRenumbersEveryRef) {
  Document doc = Sample();
  ExpectConsistent(doc);
  // The list (with its items and nested list) and the picture (with its caption).
  auto renumbering = DeleteItems(doc, {{ItemKind::kGroup, 0}, {ItemKind::kPicture, 0}});
  ASSERT_TRUE(renumbering) << renumbering.error().message;
  // Gone: groups/0, groups/1, texts/3, 4, 5 (the list), pictures/0 and its caption texts/7.
  EXPECT_EQ(renumbering->deleted(), 7u);
  EXPECT_EQ(doc.groups.size(), 0u);
  EXPECT_EQ(doc.pictures.size(), 0u);
  ASSERT_EQ(doc.texts.size(), 11u - 4u);
  // Later items moved down: the table's caption was texts/6, now texts/3; Results texts/8 -> 4.
  EXPECT_EQ((*renumbering)({ItemKind::kText, 6}), (Ref{ItemKind::kText, 3}));
  EXPECT_EQ((*renumbering)({ItemKind::kText, 8}), (Ref{ItemKind::kText, 4}));
  EXPECT_FALSE((*renumbering)({ItemKind::kText, 4}));
  EXPECT_EQ((*renumbering)(kBodyRef), kBodyRef);
  EXPECT_EQ(doc.texts[3].text, "Table 1: people");
  EXPECT_EQ(doc.tables[0].captions, std::vector<Ref>{(Ref{ItemKind::kText, 3})});
  EXPECT_EQ(doc.texts[4].text, "Results");
  EXPECT_EQ(doc.texts[5].parent, (Ref{ItemKind::kText, 4}));
  EXPECT_EQ(doc.texts[6].text, "Running header");
  EXPECT_EQ(doc.furniture.children, std::vector<Ref>{(Ref{ItemKind::kText, 6})});
  ExpectConsistent(doc);
  ExpectValidJson(doc);
  EXPECT_EQ(ToMarkdown(doc),
            "# Introduction\n\nFirst paragraph.\n\n## Background\n\nTable 1: people\n\n"
            "| Name | Age |\n| - | - |\n| Ada | 36 |\n\n## Results\n\n"
            "The results are good. Results matter.");

  // A heading nests its section: deleting it deletes the section. Nested and repeated refs are
  // fine.
  auto section =
      DeleteItems(doc, {{ItemKind::kText, 2}, {ItemKind::kTable, 0}, {ItemKind::kText, 2}});
  ASSERT_TRUE(section);
  EXPECT_EQ(section->deleted(), 3u);  // the heading, the table, its caption
  EXPECT_EQ(doc.tables.size(), 0u);
  ExpectConsistent(doc);
  ExpectValidJson(doc);

  // A caption alone leaves its table's list of captions.
  Document captioned = Sample();
  ASSERT_TRUE(DeleteItems(captioned, {{ItemKind::kText, 6}}));
  EXPECT_TRUE(captioned.tables[0].captions.empty());
  EXPECT_TRUE(captioned.tables[0].children.empty());
  ExpectConsistent(captioned);
}

TEST(EditDeleteTest, BadRefsChangeNothing) {
  Document doc = Sample();
  const std::string before = boost::json::serialize(ToDoclingJson(doc));
  EXPECT_FALSE(DeleteItems(doc, {{ItemKind::kText, 1}, {ItemKind::kText, 99}}));
  EXPECT_FALSE(DeleteItems(doc, {{ItemKind::kText, 1}, kBodyRef}));
  EXPECT_FALSE(DeleteItems(doc, {{ItemKind::kTable, -1}}));
  EXPECT_EQ(boost::json::serialize(ToDoclingJson(doc)), before);
}

TEST(EditTableTest, TakesTheFirstTableOfHtml) {
  auto t = TableFromHtml(
      "<p>intro</p><table><caption>People</caption><tr><th colspan='2'>Who</th></tr>"
      "<tr><td>Ada</td><td rowspan='2'>36</td></tr><tr><td>Alan</td></tr></table>"
      "<table><tr><td>second</td><td>table</td></tr></table>",
      1 << 20);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->table.num_rows, 3);
  EXPECT_EQ(t->table.num_cols, 2);
  EXPECT_EQ(t->captions, std::vector<std::string>{"People"});
  EXPECT_TRUE(t->table.captions.empty());
  const auto grid = t->table.Grid();
  EXPECT_EQ(grid[1]->text, "Who");  // the colspan
  EXPECT_TRUE(grid[0]->column_header);
  EXPECT_EQ(grid[5]->text, "36");  // the rowspan

  for (const char* no_table :
       {"<p>no table here</p>", "", "<table><tr><td>one cell</td></tr></table>"}) {
    auto none = TableFromHtml(no_table, 1 << 20);
    ASSERT_FALSE(none) << no_table;
    EXPECT_NE(none.error().message.find("no table"), std::string::npos);
  }
  auto big = TableFromHtml(
      "<table><tr><td>a</td><td>b</td></tr></table>" + std::string(100'000, 'x'), 1000);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("max_memory"), std::string::npos);
}

TEST(EditBuilderTest, WritesADocumentTopToBottom) {
  DocumentBuilder b(Document("built", {"application/json", "built.json", 0}));
  ASSERT_TRUE(b.AddTitle("My  report"));
  ASSERT_TRUE(b.AddHeading("Findings", 1));
  ASSERT_TRUE(b.AddParagraph("We found\nthings."));
  auto list = b.OpenList(false);
  ASSERT_TRUE(list);
  ASSERT_TRUE(b.AddListItems({{"first", ""}, {"second", "*"}}));
  auto nested = b.OpenList(true);
  ASSERT_TRUE(nested);
  auto numbered = b.AddListItems({{"a", ""}, {"b", ""}});
  ASSERT_TRUE(numbered);
  EXPECT_EQ(b.document().text(numbered->at(1)).marker, "2.");
  EXPECT_EQ(b.document().node(*nested).parent.Pointer(), "#/texts/4");  // under "second"
  EXPECT_EQ(*b.CloseList(), *nested);
  EXPECT_EQ(*b.CloseList(), *list);
  auto html = TableFromHtml(
      "<table><tr><th>k</th><th>v</th></tr><tr><td>1</td><td>2</td></tr></table>", 1 << 20);
  ASSERT_TRUE(html);
  auto table = b.AddTable(std::move(html->table), {"Values"}, {"Measured twice."});
  ASSERT_TRUE(table) << table.error().message;
  const auto& item = b.document().tables[0];
  ASSERT_EQ(item.footnotes.size(), 1u);
  EXPECT_EQ(b.document().text(item.footnotes[0]).label, TextLabel::kFootnote);
  EXPECT_EQ(b.document().text(item.footnotes[0]).parent, *table);

  EXPECT_EQ(b.document().texts[0].orig, "My  report");
  EXPECT_EQ(
      ToMarkdown(b.document()),
      "# My report\n\n## Findings\n\nWe found things.\n\n- first\n- second\n    1. a\n    2. b\n\n"
      "Values\n\n| k | v |\n| - | - |\n| 1 | 2 |");
  ExpectConsistent(b.document());
  ExpectValidJson(b.document());
}

TEST(EditBuilderTest, ListsOpenAndCloseLikeBrackets) {
  DocumentBuilder b;
  auto closed = b.CloseList();
  ASSERT_FALSE(closed);
  EXPECT_NE(closed.error().message.find("no list is open"), std::string::npos);
  EXPECT_FALSE(b.AddListItems({{"x", ""}}));
  ASSERT_TRUE(b.OpenList(false));
  auto nested = b.OpenList(false);  // the open list has no item to nest under
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().message.find("no items yet"), std::string::npos);
  for (auto refused : {b.AddParagraph("p"), b.AddTitle("t"), b.AddHeading("h", 1)}) {
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("close_list"), std::string::npos);
  }
  // All or nothing.
  EXPECT_FALSE(b.AddListItems({{"fine", ""}, {"  ", ""}}));
  EXPECT_TRUE(b.document().texts.empty());
  EXPECT_FALSE(b.AddListItems({}));
  ASSERT_TRUE(b.CloseList());
  for (int level : {0, 7}) {
    auto heading = b.AddHeading("h", level);
    ASSERT_FALSE(heading);
    EXPECT_NE(heading.error().message.find("outside 1..6"), std::string::npos);
  }
  auto blank = b.AddParagraph(" \t");
  ASSERT_FALSE(blank);
  EXPECT_NE(blank.error().message.find("empty"), std::string::npos);
  // Nesting is bounded (exporters recurse).
  for (std::size_t depth = 0; depth < DocumentBuilder::kMaxListNesting; ++depth) {
    ASSERT_TRUE(b.OpenList(false)) << depth;
    ASSERT_TRUE(b.AddListItems({{"item", ""}}));
  }
  auto too_deep = b.OpenList(false);
  ASSERT_FALSE(too_deep);
  EXPECT_NE(too_deep.error().message.find("at most 32"), std::string::npos);
}

TEST(EditBuilderTest, RollbackUndoesEverySinceTheLastCommit) {
  DocumentBuilder b(Sample());
  ASSERT_TRUE(b.AddParagraph("kept"));
  b.Commit();
  const std::string committed = boost::json::serialize(ToDoclingJson(b.document()));

  EXPECT_FALSE(b.UpdateText({ItemKind::kGroup, 0}, "a list has no text"));
  EXPECT_FALSE(b.UpdateText({ItemKind::kText, 999}, "no such item"));
  ASSERT_TRUE(b.UpdateText({ItemKind::kText, 1}, "changed"));
  ASSERT_TRUE(b.AddParagraph("dropped"));
  ASSERT_TRUE(b.OpenList(true));
  ASSERT_TRUE(b.AddListItems({{"x", ""}}));
  ASSERT_TRUE(b.UpdateText({ItemKind::kText, 1}, "changed again"));
  auto html = TableFromHtml("<table><tr><td>1</td><td>2</td></tr></table>", 1 << 20);
  ASSERT_TRUE(html);
  b.Rollback();  // the list is open: the table would be refused anyway
  EXPECT_EQ(boost::json::serialize(ToDoclingJson(b.document())), committed);
  EXPECT_TRUE(b.open_lists().empty());

  ASSERT_TRUE(b.AddTable(std::move(html->table), {"c"}, {"f"}));
  b.Rollback();
  EXPECT_EQ(boost::json::serialize(ToDoclingJson(b.document())), committed);
  ExpectConsistent(b.document());
}

TEST(EditBuilderTest, DeleteRenumbersTheOpenLists) {
  DocumentBuilder b;
  ASSERT_TRUE(b.AddParagraph("first"));
  ASSERT_TRUE(b.OpenList(false));
  ASSERT_TRUE(b.AddListItems({{"one", ""}}));
  auto inner = b.OpenList(false);
  ASSERT_TRUE(inner);
  ASSERT_TRUE(b.Delete({{ItemKind::kText, 0}}));
  // The lists kept their groups but their items moved down one text.
  ASSERT_EQ(b.open_lists().size(), 2u);
  ASSERT_TRUE(b.AddListItems({{"nested", ""}}));
  EXPECT_EQ(b.document().node(b.open_lists().back()).children.size(), 1u);
  // Deleting the outer list closes both.
  ASSERT_TRUE(b.Delete({b.open_lists().front()}));
  EXPECT_TRUE(b.open_lists().empty());
  EXPECT_TRUE(b.AddParagraph("after"));
  ExpectConsistent(b.document());
  ExpectValidJson(b.document());
}

}  // namespace
}  // namespace ferry::document
