// Editing a Document after it is built, independent of any protocol:
//   - anchors: the JSON pointers DoclingDocument uses ("#/texts/3", "#/tables/0") parsed into
//     Refs and checked against a document;
//   - an overview of a document's items (anchor, label, level, depth, start of the text), search
//     in its texts and table cells, and reading and replacing one item's text;
//   - deleting items with their subtrees, every Ref in the document renumbered so that it stays a
//     consistent DoclingDocument;
//   - TableFromHtml, the first table of an HTML fragment (read by the HTML backend);
//   - DocumentBuilder, which writes a document top to bottom as an author (or an agent) does.
//
// Thread-safety: the free functions only read their document, but for DeleteItems and
// SetItemText which change the one they are given; a DocumentBuilder is used by one thread at a
// time (callers that share one hold a lock around it).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

// ---- Anchors ----

// Whether an anchor may name one of the two roots ("#/body", "#/furniture").
enum class AnchorRoots : bool { kRefuse, kAllow };

// The item `anchor` names in `doc` ("#/texts/3" is {kText, 3}). Fails with a message naming the
// anchor when it is malformed, past the end of its array, or a root where roots are refused.
Result<Ref> ParseAnchor(const Document& doc, std::string_view anchor,
                        AnchorRoots roots = AnchorRoots::kRefuse);

// What an item is, in Docling's vocabulary: its TextLabel or GroupLabel ("section_header",
// "list"), "table", "picture", or "body" / "furniture" for the roots.
std::string_view LabelOf(const Document& doc, Ref ref);

// ---- Reading ----

struct AnchorEntry {
  Ref ref;
  std::string_view label;  // LabelOf
  int level = 0;           // section headers: their level (1 is the highest); 0 otherwise
  int depth = 0;           // 0 for the children of the root listed
  ContentLayer layer = ContentLayer::kBody;
  std::string text;  // the start of the item's text; a table: its caption or first row
};

struct OverviewOptions {
  std::optional<Ref> under;  // only this item's subtree (default: the body, then the furniture)
  std::size_t offset = 0;    // skip this many entries (pagination)
  std::size_t max_items = 200;
  std::size_t max_text_bytes = 80;  // longer texts are cut (at a UTF-8 boundary) and end in "…"
};

struct Overview {
  std::vector<AnchorEntry> entries;
  std::size_t total = 0;  // entries there are in all, from offset 0
};

// The items in reading order (depth first), as DoclingDocument.iterate_items lists them.
Overview ListAnchors(const Document& doc, const OverviewOptions& options = {});

enum class MatchKind : std::uint8_t { kNone, kPhrase, kKeywords };

struct SearchHit {
  Ref ref;
  std::string_view label;
  std::string snippet;      // the text around the first match, "…" where cut
  std::size_t matches = 0;  // occurrences of the phrase, or of all the keywords
};

struct SearchResult {
  MatchKind match = MatchKind::kNone;
  std::vector<SearchHit> hits;  // at most max_hits
  std::size_t total = 0;        // items that matched
};

// Finds `query` in the texts and table cells (a cell's hit names its table), ignoring ASCII case.
// When no item holds the whole phrase, items holding any of its words are returned instead, the
// most occurrences first, as docling-mcp's search does. Phrase hits come in reading order.
SearchResult Search(const Document& doc, std::string_view query, std::size_t max_hits = 50);

// The text of a text item (title, heading, paragraph, list item, caption, ...), or of an inline
// group (a paragraph in differently formatted runs: their texts joined); other items fail.
Result<std::string> ItemText(const Document& doc, Ref ref);

// ---- Changing ----

// Replaces a text item's text: `orig` keeps it as given, `text` is it whitespace-normalized (as
// converted text is) but in code, which keeps its layout. Empty text, or an item that is not a
// text (an inline group too: its parts are the texts), fails.
Result<void> SetItemText(Document& doc, Ref ref, std::string_view text);

// Where each item went when some were deleted.
class Renumbering {
 public:
  // The item's Ref now, or nullopt when it was deleted. Roots map to themselves.
  std::optional<Ref> operator()(Ref old) const;
  std::size_t deleted() const { return deleted_; }

 private:
  friend Result<Renumbering> DeleteItems(Document& doc, const std::vector<Ref>& refs);
  std::array<std::vector<int>, 4> new_index_;  // per array (texts, tables, pictures, groups); -1
  std::size_t deleted_ = 0;
};

// Deletes the items, each with its subtree and with the captions and footnotes of deleted tables
// and pictures, then closes the gaps in the arrays and renumbers every Ref (parents, children,
// captions, footnotes). A root or an out-of-range Ref fails and changes nothing.
Result<Renumbering> DeleteItems(Document& doc, const std::vector<Ref>& refs);

// The first table of an HTML fragment ("<table>...</table>"), as the HTML backend reads it (spans
// honoured, <th> cells headers; a table of one cell is layout, not a table), and its <caption>.
// `max_memory` bounds what parsing may build (documents.max_memory).
struct HtmlTable {
  TableItem table;  // no parent, children or caption refs yet
  std::vector<std::string> captions;
};
Result<HtmlTable> TableFromHtml(std::string_view html, std::size_t max_memory);

// ---- Building ----

struct ListItemSpec {
  std::string text;
  std::string marker;  // empty: "-" in a bullet list, "N." in an ordered one
};

// DocumentBuilder: writes a document as an author does, top to bottom. Titles, headings,
// paragraphs and tables are appended to the end of the body (flat, as docling-mcp builds them:
// a heading does not adopt what follows, so deleting it deletes only it); list items go to the
// innermost open list. Lists open and close like brackets: open_list inside an open list nests
// the new list under that list's last item. While a list is open, only list items, nested lists
// and close_list are accepted (a paragraph between list items would be ambiguous: docling-mcp
// refuses it too), so the structure is always what the agent meant.
//
// Undo: Rollback undoes the appends and text updates since the last Commit (the builder's
// construction counts as one), so a caller can refuse an edit that broke its own limit (the draft
// size cap). Delete commits, as it renumbers everything: what it does is not undone.
//
// Thread-safety: none; one thread at a time.
class DocumentBuilder {
 public:
  // How deep lists nest: the exporters and the chunker recurse through the tree.
  static constexpr std::size_t kMaxListNesting = 32;

  explicit DocumentBuilder(Document doc = {});

  const Document& document() const { return doc_; }
  // The open lists, outermost first.
  const std::vector<Ref>& open_lists() const { return open_lists_; }

  Result<Ref> AddTitle(std::string_view text);
  Result<Ref> AddHeading(std::string_view text, int level);  // level 1..6
  Result<Ref> AddParagraph(std::string_view text);
  Result<Ref> OpenList(bool ordered);
  Result<Ref> CloseList();  // returns the list it closed
  Result<std::vector<Ref>> AddListItems(const std::vector<ListItemSpec>& items);
  // The table, then its captions and footnotes (children of the table, listed in its captions and
  // footnotes as Docling's own pipeline attaches them).
  Result<Ref> AddTable(TableItem table, const std::vector<std::string>& captions,
                       const std::vector<std::string>& footnotes);
  Result<void> UpdateText(Ref ref, std::string_view text);
  // DeleteItems, with the open lists renumbered (a deleted open list is closed).
  Result<Renumbering> Delete(const std::vector<Ref>& refs);

  void Commit();
  void Rollback();

 private:
  Result<void> RequireNoOpenList(std::string_view what) const;

  struct OldText {
    Ref ref;
    std::string text, orig;
  };
  Document doc_;
  std::vector<Ref> open_lists_;
  // The state at the last Commit.
  std::array<std::size_t, 4> committed_sizes_{};
  std::vector<Ref> committed_open_lists_;
  std::vector<OldText> updated_;  // texts replaced since, oldest first
};

}  // namespace ferry::document
