// Markdown and plain text, as Docling writes them: blocks separated by a blank line, the items of
// one list on consecutive lines, nested lists indented by four spaces, tables as pipe tables with
// a "| - |" rule, pictures as "<!-- image -->" after their captions.
#include <algorithm>
#include <string_view>

#include "document/export.h"

namespace ferry::document {
namespace {

class Renderer {
 public:
  Renderer(const Document& doc, bool markup, const MarkdownOptions& options)
      : doc_(doc), markup_(markup), options_(options) {}

  std::string Run() {
    for (const Ref& child : doc_.body.children) Emit(child, 0, nullptr);
    return std::move(out_);
  }

 private:
  // Appends one block; `list` identifies the list a list item belongs to (items of one list are
  // not separated by blank lines).
  void Block(std::string text, const void* list) {
    if (cut_) return;
    if (!out_.empty()) out_ += (list != nullptr && list == last_list_) ? "\n" : "\n\n";
    if (options_.max_size && out_.size() + text.size() > options_.max_size) {
      out_ += "<!-- truncated: the document continues beyond max_size -->";
      cut_ = true;
      return;
    }
    out_ += text;
    last_list_ = list;
  }

  // Text as Markdown: '_' escaped (when asked), and &, < and > as HTML entities, so that text can
  // never turn into markup or raw HTML (Docling writes them the same way).
  std::string Escape(std::string_view text) const {
    if (!markup_) return std::string(text);
    std::string s;
    s.reserve(text.size());
    for (char c : text) {
      switch (c) {
        case '&': s += "&amp;"; break;
        case '<': s += "&lt;"; break;
        case '>': s += "&gt;"; break;
        case '_':
          if (options_.escape_underscores) s += '\\';
          s += c;
          break;
        default: s += c;
      }
    }
    return s;
  }

  std::string Inline(const TextItem& t) const {
    if (!markup_) return t.text;
    if (t.label == TextLabel::kCode) return "`" + t.text + "`";
    if (t.label == TextLabel::kFormula) return "$" + t.text + "$";  // inline: within a paragraph
    std::string s = Escape(t.text);
    const auto& f = t.formatting;
    if (f.strikethrough) s = "~~" + s + "~~";
    if (f.italic) s = "*" + s + "*";
    if (f.bold) s = "**" + s + "**";
    if (!t.hyperlink.empty()) s = "[" + s + "](" + t.hyperlink + ")";
    return s;
  }

  // The text of an inline group: its parts joined by spaces.
  std::string InlineGroup(Ref group) const {
    std::string s;
    for (const Ref& child : doc_.node(group).children) {
      std::string part;
      if (child.kind == ItemKind::kText) {
        part = Inline(doc_.text(child));
      } else if (child.kind == ItemKind::kGroup) {
        part = InlineGroup(child);
      }
      if (part.empty()) continue;
      if (!s.empty()) s += ' ';
      s += part;
    }
    return s;
  }

  static bool IsList(const GroupItem& g) {
    return g.label == GroupLabel::kList || g.label == GroupLabel::kOrderedList;
  }

  void Emit(Ref ref, int list_depth, const void* list) {
    switch (ref.kind) {
      case ItemKind::kText: EmitText(ref, list_depth, list); break;
      case ItemKind::kGroup: {
        const auto& g = doc_.groups[static_cast<std::size_t>(ref.index)];
        if (g.layer == ContentLayer::kFurniture) return;
        if (g.label == GroupLabel::kInline) {
          std::string text = InlineGroup(ref);
          if (list != nullptr) {
            Block(std::string(4 * static_cast<std::size_t>(std::max(0, list_depth - 1)), ' ') +
                      "- " + text, list);
          } else if (!text.empty()) {
            Block(std::move(text), nullptr);
          }
          return;
        }
        if (IsList(g)) {
          const void* root = list != nullptr ? list : &g;
          for (const Ref& child : g.children) Emit(child, list_depth + 1, root);
          return;
        }
        for (const Ref& child : g.children) Emit(child, list_depth, list);
        break;
      }
      case ItemKind::kTable: EmitTable(doc_.tables[static_cast<std::size_t>(ref.index)]); break;
      case ItemKind::kPicture: {
        const auto& p = doc_.pictures[static_cast<std::size_t>(ref.index)];
        if (p.layer == ContentLayer::kFurniture) return;
        EmitCaptions(p.captions);
        if (markup_) Block("<!-- image -->", nullptr);
        break;
      }
      default: break;
    }
  }

  void EmitCaptions(const std::vector<Ref>& captions) {
    for (const Ref& c : captions) {
      const auto& t = doc_.text(c);
      if (!t.text.empty()) Block(Inline(t), nullptr);
    }
  }

  void EmitText(Ref ref, int list_depth, const void* list) {
    const auto& t = doc_.text(ref);
    if (t.layer == ContentLayer::kFurniture) return;
    const auto parent_kind = t.parent.kind;
    // Captions are written with their table or picture.
    if (t.label == TextLabel::kCaption &&
        (parent_kind == ItemKind::kTable || parent_kind == ItemKind::kPicture)) {
      return;
    }
    switch (t.label) {
      case TextLabel::kTitle:
        Block(markup_ ? "# " + Inline(t) : t.text, nullptr);
        break;
      case TextLabel::kSectionHeader:
        Block(markup_ ? std::string(static_cast<std::size_t>(std::clamp(t.level + 1, 2, 6)), '#') +
                            " " + Inline(t)
                      : t.text,
              nullptr);
        break;
      case TextLabel::kListItem: {
        const std::string indent(4 * static_cast<std::size_t>(std::max(0, list_depth - 1)), ' ');
        const std::string marker = t.enumerated ? (t.marker.empty() ? "1." : t.marker) : "-";
        // An item with mixed formatting keeps its text in an inline group, its first child.
        std::size_t first = 0;
        std::string text = Inline(t);
        if (t.text.empty() && !t.children.empty() && t.children[0].kind == ItemKind::kGroup &&
            doc_.groups[static_cast<std::size_t>(t.children[0].index)].label ==
                GroupLabel::kInline) {
          text = InlineGroup(t.children[0]);
          first = 1;
        }
        const void* root = list != nullptr ? list : &t;
        Block(indent + marker + " " + text, root);
        for (std::size_t i = first; i < t.children.size(); ++i) Emit(t.children[i], list_depth, root);
        return;
      }
      case TextLabel::kCode:
        Block(markup_ ? "```" + t.code_language + "\n" + t.text + "\n```" : t.text, nullptr);
        break;
      case TextLabel::kFormula:
        Block(markup_ ? "$$" + t.text + "$$" : t.text, nullptr);
        break;
      case TextLabel::kPageHeader:
      case TextLabel::kPageFooter:
        return;
      default:
        if (!t.text.empty()) Block(Inline(t), nullptr);
        break;
    }
    for (const Ref& child : t.children) Emit(child, 0, nullptr);
  }

  // Table cells are written as they are (Docling escapes nothing there) but for '|', which would
  // end the cell, and line breaks, which would end the row.
  static std::string CellText(std::string_view text) {
    std::string s;
    s.reserve(text.size());
    for (char c : text) {
      if (c == '\n' || c == '\r') {
        s += ' ';
      } else if (c == '|') {
        s += "&#124;";
      } else {
        s += c;
      }
    }
    return s;
  }

  void EmitTable(const TableItem& table) {
    if (table.layer == ContentLayer::kFurniture) return;
    EmitCaptions(table.captions);
    if (table.num_rows == 0 || table.num_cols == 0) return;
    const auto grid = table.Grid();
    std::string text;
    for (int r = 0; r < table.num_rows; ++r) {
      if (markup_) text += '|';
      for (int c = 0; c < table.num_cols; ++c) {
        const TableCell* cell = grid[static_cast<std::size_t>(r * table.num_cols + c)];
        const std::string value =
            !cell ? std::string() : markup_ ? CellText(cell->text) : NormalizeSpace(cell->text);
        if (markup_) {
          text += ' ' + value + " |";
        } else {
          if (c) text += '\t';
          text += value;
        }
      }
      text += '\n';
      if (r == 0 && markup_) {
        text += '|';
        for (int c = 0; c < table.num_cols; ++c) text += " - |";
        text += '\n';
      }
    }
    text.pop_back();
    Block(std::move(text), nullptr);
  }

  const Document& doc_;
  const bool markup_;
  const MarkdownOptions& options_;
  std::string out_;
  const void* last_list_ = nullptr;
  bool cut_ = false;
};

}  // namespace

std::string ToMarkdown(const Document& doc, const MarkdownOptions& options) {
  return Renderer(doc, true, options).Run();
}

std::string ToText(const Document& doc) {
  static const MarkdownOptions kPlain{.escape_underscores = false};
  return Renderer(doc, false, kPlain).Run();
}

}  // namespace ferry::document
