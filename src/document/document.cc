#include "document/document.h"

#include <algorithm>

#include "document/memory_budget.h"

namespace ferry::document {

std::string Ref::Pointer() const {
  switch (kind) {
    case ItemKind::kBody: return "#/body";
    case ItemKind::kFurniture: return "#/furniture";
    case ItemKind::kText: return "#/texts/" + std::to_string(index);
    case ItemKind::kTable: return "#/tables/" + std::to_string(index);
    case ItemKind::kPicture: return "#/pictures/" + std::to_string(index);
    case ItemKind::kGroup: return "#/groups/" + std::to_string(index);
  }
  return "#/body";
}

std::string_view ToString(TextLabel label) {
  switch (label) {
    case TextLabel::kTitle: return "title";
    case TextLabel::kSectionHeader: return "section_header";
    case TextLabel::kText: return "text";
    case TextLabel::kListItem: return "list_item";
    case TextLabel::kCaption: return "caption";
    case TextLabel::kFootnote: return "footnote";
    case TextLabel::kCode: return "code";
    case TextLabel::kFormula: return "formula";
    case TextLabel::kPageHeader: return "page_header";
    case TextLabel::kPageFooter: return "page_footer";
    case TextLabel::kReference: return "reference";
  }
  return "text";
}

std::string_view ToString(GroupLabel label) {
  switch (label) {
    case GroupLabel::kUnspecified: return "unspecified";
    case GroupLabel::kList: return "list";
    case GroupLabel::kOrderedList: return "ordered_list";
    case GroupLabel::kInline: return "inline";
    case GroupLabel::kChapter: return "chapter";
    case GroupLabel::kSection: return "section";
    case GroupLabel::kSheet: return "sheet";
    case GroupLabel::kSlide: return "slide";
  }
  return "unspecified";
}

std::vector<const TableCell*> TableItem::Grid() const {
  std::vector<const TableCell*> grid(static_cast<std::size_t>(num_rows) *
                                         static_cast<std::size_t>(num_cols),
                                     nullptr);
  for (const auto& c : cells) {
    for (int r = std::max(0, c.start_row); r < std::min(c.end_row, num_rows); ++r) {
      for (int col = std::max(0, c.start_col); col < std::min(c.end_col, num_cols); ++col) {
        auto& slot = grid[static_cast<std::size_t>(r) * static_cast<std::size_t>(num_cols) +
                          static_cast<std::size_t>(col)];
        if (!slot) slot = &c;
      }
    }
  }
  return grid;
}

NodeBase& Document::node(Ref r) {
  return const_cast<NodeBase&>(static_cast<const Document&>(*this).node(r));
}

const NodeBase& Document::node(Ref r) const {
  const auto i = static_cast<std::size_t>(r.index);
  switch (r.kind) {
    case ItemKind::kBody: return body;
    case ItemKind::kFurniture: return furniture;
    case ItemKind::kText: return texts.at(i);
    case ItemKind::kTable: return tables.at(i);
    case ItemKind::kPicture: return pictures.at(i);
    case ItemKind::kGroup: return groups.at(i);
  }
  return body;
}

Ref Document::Attach(Ref parent, Ref child) {
  MemoryBudget::Charge(sizeof(Ref));
  auto& p = node(parent);
  p.children.push_back(child);
  auto& c = node(child);
  c.parent = parent;
  // Furniture stays furniture all the way down.
  if (parent.kind == ItemKind::kFurniture || p.layer == ContentLayer::kFurniture) {
    c.layer = ContentLayer::kFurniture;
  }
  return child;
}

Ref Document::AddGroup(Ref parent, GroupLabel label, std::string group_name) {
  GroupItem g;
  g.label = label;
  g.name = group_name.empty() ? std::string(ToString(label)) : std::move(group_name);
  MemoryBudget::Charge(sizeof(GroupItem) + g.name.size());
  groups.push_back(std::move(g));
  return Attach(parent, {ItemKind::kGroup, static_cast<int>(groups.size() - 1)});
}

Ref Document::AddText(Ref parent, TextLabel label, std::string text) {
  TextItem t;
  t.label = label;
  MemoryBudget::Charge(sizeof(TextItem) + 2 * text.size());
  t.orig = text;
  t.text = std::move(text);
  texts.push_back(std::move(t));
  return Attach(parent, {ItemKind::kText, static_cast<int>(texts.size() - 1)});
}

Ref Document::AddHeading(Ref parent, std::string text, int level) {
  Ref r = AddText(parent, TextLabel::kSectionHeader, std::move(text));
  this->text(r).level = level;
  return r;
}

Ref Document::AddListItem(Ref list, std::string text, bool enumerated, std::string marker) {
  Ref r = AddText(list, TextLabel::kListItem, std::move(text));
  auto& t = this->text(r);
  t.enumerated = enumerated;
  t.marker = std::move(marker);
  return r;
}

Ref Document::AddTable(Ref parent, TableItem table) {
  std::size_t bytes = sizeof(TableItem) + table.cells.size() * sizeof(TableCell);
  for (const auto& cell : table.cells) bytes += cell.text.size();
  MemoryBudget::Charge(bytes);
  tables.push_back(std::move(table));
  return Attach(parent, {ItemKind::kTable, static_cast<int>(tables.size() - 1)});
}

Ref Document::AddPicture(Ref parent, PictureItem picture) {
  MemoryBudget::Charge(sizeof(PictureItem) + picture.uri.size());
  pictures.push_back(std::move(picture));
  return Attach(parent, {ItemKind::kPicture, static_cast<int>(pictures.size() - 1)});
}

Ref Document::AddCaption(Ref item, std::string text) {
  Ref caption = AddText(item, TextLabel::kCaption, std::move(text));
  if (item.kind == ItemKind::kTable) tables.at(static_cast<std::size_t>(item.index)).captions.push_back(caption);
  if (item.kind == ItemKind::kPicture) pictures.at(static_cast<std::size_t>(item.index)).captions.push_back(caption);
  return caption;
}

void Document::AppendBody(Ref parent, const Document& other) {
  // Copies one item and its subtree; references inside (captions, footnotes) are remapped.
  struct Copier {
    Document& into;
    const Document& from;
    std::map<std::pair<int, int>, Ref> mapped;  // (kind, index) in `from` -> Ref in `into`

    Ref Map(Ref r) const {
      auto it = mapped.find({static_cast<int>(r.kind), r.index});
      return it == mapped.end() ? r : it->second;
    }
    void Copy(Ref parent, Ref r) {
      Ref copy;
      switch (r.kind) {
        case ItemKind::kText: {
          TextItem t = from.texts.at(static_cast<std::size_t>(r.index));
          t.children.clear();
          into.texts.push_back(std::move(t));
          copy = {ItemKind::kText, static_cast<int>(into.texts.size() - 1)};
          break;
        }
        case ItemKind::kTable: {
          TableItem t = from.tables.at(static_cast<std::size_t>(r.index));
          t.children.clear();
          into.tables.push_back(std::move(t));
          copy = {ItemKind::kTable, static_cast<int>(into.tables.size() - 1)};
          break;
        }
        case ItemKind::kPicture: {
          PictureItem p = from.pictures.at(static_cast<std::size_t>(r.index));
          p.children.clear();
          into.pictures.push_back(std::move(p));
          copy = {ItemKind::kPicture, static_cast<int>(into.pictures.size() - 1)};
          break;
        }
        case ItemKind::kGroup: {
          GroupItem g = from.groups.at(static_cast<std::size_t>(r.index));
          g.children.clear();
          into.groups.push_back(std::move(g));
          copy = {ItemKind::kGroup, static_cast<int>(into.groups.size() - 1)};
          break;
        }
        default: return;
      }
      mapped[{static_cast<int>(r.kind), r.index}] = copy;
      into.Attach(parent, copy);
      for (const Ref& child : from.node(r).children) Copy(copy, child);
    }
  } copier{*this, other, {}};
  for (const Ref& child : other.body.children) copier.Copy(parent, child);
  // Captions and footnotes now point at the copies.
  for (auto& [from_ref, copy] : copier.mapped) {
    if (copy.kind == ItemKind::kTable) {
      auto& t = tables[static_cast<std::size_t>(copy.index)];
      for (auto& c : t.captions) c = copier.Map(c);
      for (auto& f : t.footnotes) f = copier.Map(f);
    } else if (copy.kind == ItemKind::kPicture) {
      auto& p = pictures[static_cast<std::size_t>(copy.index)];
      for (auto& c : p.captions) c = copier.Map(c);
      for (auto& f : p.footnotes) f = copier.Map(f);
    }
  }
}

Ref SectionTracker::AddHeading(std::string text, int level) {
  while (!stack_.empty() && stack_.back().level >= level) stack_.pop_back();
  const Ref parent = current();
  const Ref r = level == 0 ? doc_.AddText(parent, TextLabel::kTitle, std::move(text))
                           : doc_.AddHeading(parent, std::move(text), level);
  stack_.push_back({r, level});
  return r;
}

std::string NormalizeSpace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace ferry::document
