// Document: Ferry's structured document, shaped like Docling's DoclingDocument so that it exports
// to that format without translation. Items live in four arrays (texts, tables, pictures, groups)
// and form two trees rooted at `body` (the content, in reading order) and `furniture` (page
// headers and footers and other material kept out of the body). Each item knows its parent and
// children by Ref, which exports as a JSON pointer ("#/texts/3").
//
// Backends build a Document through the Add* methods, which keep parent and children consistent;
// exporters (export.h) and the chunker only read it.
//
// Thread-safety: none; a Document is built by one thread, then may be read by many.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::document {

enum class ItemKind : std::uint8_t { kBody, kFurniture, kText, kTable, kPicture, kGroup };

// Where an item lives: its array and index (index unused for the two roots).
struct Ref {
  ItemKind kind = ItemKind::kBody;
  int index = 0;

  // "#/body", "#/texts/3", ...
  std::string Pointer() const;
  bool operator==(const Ref&) const = default;
};

inline constexpr Ref kBodyRef{ItemKind::kBody, 0};
inline constexpr Ref kFurnitureRef{ItemKind::kFurniture, 0};

enum class ContentLayer : std::uint8_t { kBody, kFurniture };

// Docling's DocItemLabel values for text items.
enum class TextLabel : std::uint8_t {
  kTitle,
  kSectionHeader,
  kText,  // a paragraph
  kListItem,
  kCaption,
  kFootnote,
  kCode,
  kFormula,
  kPageHeader,
  kPageFooter,
  kReference,
};

// Docling's GroupLabel values.
enum class GroupLabel : std::uint8_t {
  kUnspecified,
  kList,
  kOrderedList,
  kInline,  // runs of differently formatted text forming one paragraph
  kChapter,
  kSection,
  kSheet,
  kSlide,
};

std::string_view ToString(TextLabel label);
std::string_view ToString(GroupLabel label);

struct Formatting {
  bool bold = false;
  bool italic = false;
  bool underline = false;
  bool strikethrough = false;
  enum class Script : std::uint8_t { kBaseline, kSub, kSuper } script = Script::kBaseline;

  bool plain() const {
    return !bold && !italic && !underline && !strikethrough && script == Script::kBaseline;
  }
};

// A rectangle on a page, in PDF points.
struct BoundingBox {
  double left = 0, top = 0, right = 0, bottom = 0;
  bool origin_bottom_left = true;  // PDF's own convention; false for top-left
};

// Where an item came from on a page (PDF, images).
struct Provenance {
  int page_no = 1;  // 1-based
  BoundingBox bbox;
  int char_start = 0, char_end = 0;  // the span of the item's text this provenance covers
};

// What every item shares.
struct NodeBase {
  Ref parent = kBodyRef;
  std::vector<Ref> children;
  ContentLayer layer = ContentLayer::kBody;
  std::vector<Provenance> prov;
};

struct TextItem : NodeBase {
  TextLabel label = TextLabel::kText;
  std::string text;  // normalized
  std::string orig;  // as found in the source
  int level = 1;     // section headers: 1 is the highest below the title
  // List items.
  bool enumerated = false;
  std::string marker;  // "-", "1.", ...
  // Code.
  std::string code_language;
  Formatting formatting;
  std::string hyperlink;
};

struct TableCell {
  std::string text;
  int start_row = 0, end_row = 1;  // [start, end)
  int start_col = 0, end_col = 1;
  bool column_header = false;
  bool row_header = false;

  int row_span() const { return end_row - start_row; }
  int col_span() const { return end_col - start_col; }
};

struct TableItem : NodeBase {
  std::vector<TableCell> cells;
  int num_rows = 0;
  int num_cols = 0;
  std::vector<Ref> captions;
  std::vector<Ref> footnotes;

  // The grid, row by row: for each (row, col) the cell covering it, or null for a hole. Linear in
  // the cells' area (tables may be large), cells beyond num_rows x num_cols ignored.
  std::vector<const TableCell*> Grid() const;
};

struct PictureItem : NodeBase {
  std::vector<Ref> captions;
  std::vector<Ref> footnotes;
  std::string uri;       // where the image is (as the source named it), if anywhere
  std::string mimetype;  // when the image data is known
  int width = 0, height = 0;
};

struct GroupItem : NodeBase {
  GroupLabel label = GroupLabel::kUnspecified;
  std::string name;
};

struct Page {
  int page_no = 1;
  double width = 0, height = 0;  // points
};

struct Origin {
  std::string mimetype;
  std::string filename;
  std::uint64_t binary_hash = 0;  // of the source bytes
};

class Document {
 public:
  Document() = default;
  Document(std::string name, Origin origin) : name(std::move(name)), origin(std::move(origin)) {}

  // Builders: each appends the item to its array and to `parent`'s children.
  Ref AddGroup(Ref parent, GroupLabel label, std::string group_name = {});
  Ref AddText(Ref parent, TextLabel label, std::string text);
  Ref AddHeading(Ref parent, std::string text, int level);  // section header
  Ref AddListItem(Ref list, std::string text, bool enumerated, std::string marker);
  Ref AddTable(Ref parent, TableItem table);
  Ref AddPicture(Ref parent, PictureItem picture = {});
  // A caption text attached to a table or picture (a child of it, and listed in its captions).
  Ref AddCaption(Ref item, std::string text);
  // Copies `other`'s body under `parent` (an HTML block inside Markdown, an embedded document).
  void AppendBody(Ref parent, const Document& other);

  TextItem& text(Ref r) { return texts.at(static_cast<std::size_t>(r.index)); }
  const TextItem& text(Ref r) const { return texts.at(static_cast<std::size_t>(r.index)); }
  // The shared part of any item (the roots included).
  NodeBase& node(Ref r);
  const NodeBase& node(Ref r) const;

  // Calls fn(ref, depth) for every item under `root` in reading order (depth first), the root
  // excluded. Depth 0 is the root's children.
  template <typename Fn>
  void Walk(Ref root, Fn&& fn) const {
    WalkFrom(root, 0, fn);
  }

  std::string name;  // the source's file name without its extension
  Origin origin;
  GroupItem body;
  GroupItem furniture;
  std::vector<TextItem> texts;
  std::vector<TableItem> tables;
  std::vector<PictureItem> pictures;
  std::vector<GroupItem> groups;
  std::map<int, Page> pages;
  // Set when a limit (time, pages) stopped conversion early: what is here is what was converted.
  bool partial = false;
  std::vector<std::string> warnings;

 private:
  Ref Attach(Ref parent, Ref child);
  template <typename Fn>
  void WalkFrom(Ref root, int depth, Fn& fn) const {
    for (const Ref& child : node(root).children) {
      fn(child, depth);
      WalkFrom(child, depth + 1, fn);
    }
  }
};

// Builds the heading tree backends share: content goes under the latest heading of a lower
// level, as Docling nests it.
class SectionTracker {
 public:
  explicit SectionTracker(Document& doc, Ref root = kBodyRef) : doc_(doc), root_(root) {}
  // Where new content goes now.
  Ref current() const { return stack_.empty() ? root_ : stack_.back().ref; }
  // Adds a title (level 0) or section header (level >= 1) and makes it the current parent.
  Ref AddHeading(std::string text, int level);

 private:
  struct Open {
    Ref ref;
    int level;
  };
  Document& doc_;
  Ref root_;
  std::vector<Open> stack_;
};

// Collapses runs of whitespace to one space and trims the ends (Docling's text normalization).
std::string NormalizeSpace(std::string_view text);

}  // namespace ferry::document
