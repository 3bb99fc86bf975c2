#include "document/edit.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

#include "document/backends/html.h"
#include "document/memory_budget.h"

namespace ferry::document {
namespace {

// The four item arrays, in the order Renumbering and the builder's sizes keep them.
constexpr std::size_t kArrays = 4;

std::optional<std::size_t> SlotOf(ItemKind kind) {
  switch (kind) {
    case ItemKind::kText:
      return 0;
    case ItemKind::kTable:
      return 1;
    case ItemKind::kPicture:
      return 2;
    case ItemKind::kGroup:
      return 3;
    default:
      return std::nullopt;
  }
}

std::array<std::size_t, kArrays> Sizes(const Document& doc) {
  return {doc.texts.size(), doc.tables.size(), doc.pictures.size(), doc.groups.size()};
}

// Anchors are echoed in messages; a hostile one is cut.
std::string Quoted(std::string_view anchor) {
  constexpr std::size_t kMax = 80;
  return "\"" + std::string(anchor.substr(0, kMax)) + (anchor.size() > kMax ? "…\"" : "\"");
}

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// `text` cut to at most `max` bytes at a UTF-8 boundary, "…" marking the cut.
std::string Cut(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  while (end > 0 && IsContinuation(text[end])) --end;
  return std::string(text.substr(0, end)) + "…";
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view text) {
  std::string s(text);
  for (char& c : s) c = LowerAscii(c);
  return s;
}

// Letters, digits and every non-ASCII byte (so words in other scripts stay whole).
bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}

// The text around [pos, pos + len), about kContext bytes each side, "…" where cut.
std::string Snippet(std::string_view text, std::size_t pos, std::size_t len) {
  constexpr std::size_t kContext = 40;
  std::size_t start = pos > kContext ? pos - kContext : 0;
  while (start > 0 && IsContinuation(text[start])) --start;
  std::size_t end = std::min(text.size(), pos + len + kContext);
  while (end < text.size() && IsContinuation(text[end])) ++end;
  return (start > 0 ? "…" : "") + std::string(text.substr(start, end - start)) +
         (end < text.size() ? "…" : "");
}

bool IsInlineGroup(const Document& doc, Ref ref) {
  return ref.kind == ItemKind::kGroup && static_cast<std::size_t>(ref.index) < doc.groups.size() &&
         doc.groups[static_cast<std::size_t>(ref.index)].label == GroupLabel::kInline;
}

// What an overview shows of an item.
std::string ShortText(const Document& doc, Ref ref) {
  switch (ref.kind) {
    case ItemKind::kText:
      return doc.text(ref).text;
    case ItemKind::kTable: {
      const auto& table = doc.tables[static_cast<std::size_t>(ref.index)];
      if (!table.captions.empty()) return doc.text(table.captions.front()).text;
      std::string row;
      for (const auto& cell : table.cells) {
        if (cell.start_row != 0) continue;
        if (!row.empty()) row += " | ";
        row += cell.text;
      }
      return row;
    }
    case ItemKind::kPicture: {
      const auto& picture = doc.pictures[static_cast<std::size_t>(ref.index)];
      return picture.captions.empty() ? std::string() : doc.text(picture.captions.front()).text;
    }
    case ItemKind::kGroup: {
      // An inline group is one paragraph in differently formatted runs: show it whole.
      if (!IsInlineGroup(doc, ref)) return {};
      std::string s;
      for (const Ref& child : doc.node(ref).children) {
        if (child.kind != ItemKind::kText) continue;
        if (!s.empty()) s += ' ';
        s += doc.text(child).text;
      }
      return s;
    }
    default:
      return {};
  }
}

// The strings search looks in: a text item's text, a table's cells.
std::vector<std::string_view> SearchableTexts(const Document& doc, Ref ref) {
  std::vector<std::string_view> out;
  if (ref.kind == ItemKind::kText) {
    out.push_back(doc.text(ref).text);
  } else if (ref.kind == ItemKind::kTable) {
    for (const auto& cell : doc.tables[static_cast<std::size_t>(ref.index)].cells) {
      out.push_back(cell.text);
    }
  }
  return out;
}

// Calls fn(ref) for every item of the document in reading order: the body, then the furniture.
template <typename Fn>
void ForEachItem(const Document& doc, Fn&& fn) {
  doc.Walk(kBodyRef, [&](Ref r, int) { fn(r); });
  doc.Walk(kFurnitureRef, [&](Ref r, int) { fn(r); });
}

}  // namespace

// ---- Anchors ----

Result<Ref> ParseAnchor(const Document& doc, std::string_view anchor, AnchorRoots roots) {
  auto bad = [&](std::string_view why) {
    return Fail(ErrorCode::kInvalidParams, "anchor " + Quoted(anchor) + ": " + std::string(why));
  };
  if (anchor == "#/body" || anchor == "#/furniture") {
    if (roots == AnchorRoots::kRefuse) {
      return bad("a root of the document cannot be used here; name an item such as #/texts/0");
    }
    return anchor == "#/body" ? kBodyRef : kFurnitureRef;
  }
  static constexpr struct {
    std::string_view prefix;
    ItemKind kind;
    std::string_view array;
  } kPrefixes[] = {{"#/texts/", ItemKind::kText, "texts"},
                   {"#/tables/", ItemKind::kTable, "tables"},
                   {"#/pictures/", ItemKind::kPicture, "pictures"},
                   {"#/groups/", ItemKind::kGroup, "groups"}};
  for (const auto& p : kPrefixes) {
    if (!anchor.starts_with(p.prefix)) continue;
    const std::string_view digits = anchor.substr(p.prefix.size());
    // Only the canonical form: digits, no sign, no leading zero, within int.
    int index = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        digits[0] == '-' || digits[0] == '+' || (digits.size() > 1 && digits[0] == '0')) {
      return bad("the index after " + std::string(p.prefix) + " is not a number");
    }
    const std::size_t size = Sizes(doc)[*SlotOf(p.kind)];
    if (static_cast<std::size_t>(index) >= size) {
      return bad("out of range: the document has " + std::to_string(size) + " " +
                 std::string(p.array));
    }
    return Ref{p.kind, index};
  }
  return bad("not an anchor (expected #/texts/N, #/tables/N, #/pictures/N or #/groups/N)");
}

std::string_view LabelOf(const Document& doc, Ref ref) {
  switch (ref.kind) {
    case ItemKind::kBody:
      return "body";
    case ItemKind::kFurniture:
      return "furniture";
    case ItemKind::kText:
      return ToString(doc.text(ref).label);
    case ItemKind::kTable:
      return "table";
    case ItemKind::kPicture:
      return "picture";
    case ItemKind::kGroup:
      return ToString(doc.groups[static_cast<std::size_t>(ref.index)].label);
  }
  return "body";
}

// ---- Reading ----

Overview ListAnchors(const Document& doc, const OverviewOptions& options) {
  Overview out;
  auto visit = [&](Ref r, int depth) {
    const std::size_t position = out.total++;
    if (position < options.offset || out.entries.size() >= options.max_items) return;
    AnchorEntry e;
    e.ref = r;
    e.label = LabelOf(doc, r);
    if (r.kind == ItemKind::kText && doc.text(r).label == TextLabel::kSectionHeader) {
      e.level = doc.text(r).level;
    }
    e.depth = depth;
    e.layer = doc.node(r).layer;
    e.text = Cut(ShortText(doc, r), options.max_text_bytes);
    out.entries.push_back(std::move(e));
  };
  if (options.under) {
    doc.Walk(*options.under, visit);
  } else {
    doc.Walk(kBodyRef, visit);
    doc.Walk(kFurnitureRef, visit);
  }
  return out;
}

SearchResult Search(const Document& doc, std::string_view query, std::size_t max_hits) {
  SearchResult result;
  const std::string phrase = Lower(NormalizeSpace(query));
  if (phrase.empty()) return result;

  std::vector<SearchHit> hits;
  ForEachItem(doc, [&](Ref r) {
    SearchHit hit{r, LabelOf(doc, r), {}, 0};
    for (std::string_view text : SearchableTexts(doc, r)) {
      const std::string hay = Lower(text);  // same byte offsets as `text`
      for (auto at = hay.find(phrase); at != std::string::npos;
           at = hay.find(phrase, at + phrase.size())) {
        if (hit.matches++ == 0) hit.snippet = Snippet(text, at, phrase.size());
      }
    }
    if (hit.matches) hits.push_back(std::move(hit));
  });
  result.match = MatchKind::kPhrase;

  if (hits.empty()) {
    // No item holds the phrase: look for its words one by one.
    std::set<std::string, std::less<>> keywords;
    for (std::size_t i = 0; i < phrase.size();) {
      if (!IsWordByte(phrase[i])) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < phrase.size() && IsWordByte(phrase[j])) ++j;
      keywords.insert(phrase.substr(i, j - i));
      i = j;
    }
    ForEachItem(doc, [&](Ref r) {
      SearchHit hit{r, LabelOf(doc, r), {}, 0};
      for (std::string_view text : SearchableTexts(doc, r)) {
        const std::string hay = Lower(text);
        for (std::size_t i = 0; i < hay.size();) {
          if (!IsWordByte(hay[i])) {
            ++i;
            continue;
          }
          std::size_t j = i;
          while (j < hay.size() && IsWordByte(hay[j])) ++j;
          if (keywords.contains(std::string_view(hay).substr(i, j - i))) {
            if (hit.matches++ == 0) hit.snippet = Snippet(text, i, j - i);
          }
          i = j;
        }
      }
      if (hit.matches) hits.push_back(std::move(hit));
    });
    std::stable_sort(hits.begin(), hits.end(),
                     [](const SearchHit& a, const SearchHit& b) { return a.matches > b.matches; });
    result.match = MatchKind::kKeywords;
  }
  if (hits.empty()) result.match = MatchKind::kNone;
  result.total = hits.size();
  if (hits.size() > max_hits) hits.resize(max_hits);
  result.hits = std::move(hits);
  return result;
}

Result<std::string> ItemText(const Document& doc, Ref ref) {
  const auto slot = SlotOf(ref.kind);
  if (slot && (ref.index < 0 || static_cast<std::size_t>(ref.index) >= Sizes(doc)[*slot])) {
    return Fail(ErrorCode::kInvalidParams, ref.Pointer() + ": no such item");
  }
  // An inline group reads as the paragraph it is.
  if (ref.kind == ItemKind::kText || IsInlineGroup(doc, ref)) return ShortText(doc, ref);
  return Fail(ErrorCode::kInvalidParams,
              ref.Pointer() + " (" + std::string(LabelOf(doc, ref)) + ") is not a text item");
}

// ---- Changing ----

Result<void> SetItemText(Document& doc, Ref ref, std::string_view text) {
  if (IsInlineGroup(doc, ref)) {
    return Fail(ErrorCode::kInvalidParams,
                ref.Pointer() +
                    " is a paragraph in differently formatted parts: update its parts (its "
                    "children in get_document_anchors), or delete it and add a paragraph");
  }
  if (auto current = ItemText(doc, ref); !current) return Fail(current.error());
  auto& item = doc.text(ref);
  // Code keeps its layout; everything else is normalized as converted text is.
  std::string normalized =
      item.label == TextLabel::kCode ? std::string(text) : NormalizeSpace(text);
  if (NormalizeSpace(normalized).empty()) {
    return Fail(ErrorCode::kInvalidParams,
                "the new text of " + ref.Pointer() + " is empty (delete the item instead)");
  }
  item.text = std::move(normalized);
  item.orig = std::string(text);
  return {};
}

std::optional<Ref> Renumbering::operator()(Ref old) const {
  const auto slot = SlotOf(old.kind);
  if (!slot) return old;
  const auto& map = new_index_[*slot];
  const auto i = static_cast<std::size_t>(old.index);
  if (i >= map.size() || map[i] < 0) return std::nullopt;
  return Ref{old.kind, map[i]};
}

Result<Renumbering> DeleteItems(Document& doc, const std::vector<Ref>& refs) {
  const auto sizes = Sizes(doc);
  for (const Ref& r : refs) {
    const auto slot = SlotOf(r.kind);
    if (!slot) return Fail(ErrorCode::kInvalidParams, r.Pointer() + ": a root cannot be deleted");
    if (r.index < 0 || static_cast<std::size_t>(r.index) >= sizes[*slot]) {
      return Fail(ErrorCode::kInvalidParams, r.Pointer() + ": no such item");
    }
  }

  // Mark the items and everything hanging from them (iteratively: documents nest deeply).
  std::array<std::vector<bool>, kArrays> gone;
  for (std::size_t k = 0; k < kArrays; ++k) gone[k].assign(sizes[k], false);
  std::vector<Ref> pending(refs.begin(), refs.end());
  while (!pending.empty()) {
    const Ref r = pending.back();
    pending.pop_back();
    const auto slot = SlotOf(r.kind);
    if (!slot || static_cast<std::size_t>(r.index) >= sizes[*slot]) continue;
    const auto i = static_cast<std::size_t>(r.index);
    if (gone[*slot][i]) continue;
    gone[*slot][i] = true;
    const auto& node = doc.node(r);
    pending.insert(pending.end(), node.children.begin(), node.children.end());
    // A table's or picture's captions and footnotes describe it: they go with it.
    if (r.kind == ItemKind::kTable) {
      const auto& t = doc.tables[static_cast<std::size_t>(r.index)];
      pending.insert(pending.end(), t.captions.begin(), t.captions.end());
      pending.insert(pending.end(), t.footnotes.begin(), t.footnotes.end());
    } else if (r.kind == ItemKind::kPicture) {
      const auto& p = doc.pictures[static_cast<std::size_t>(r.index)];
      pending.insert(pending.end(), p.captions.begin(), p.captions.end());
      pending.insert(pending.end(), p.footnotes.begin(), p.footnotes.end());
    }
  }

  Renumbering renumbering;
  for (std::size_t k = 0; k < kArrays; ++k) {
    auto& map = renumbering.new_index_[k];
    map.resize(sizes[k]);
    int next = 0;
    for (std::size_t i = 0; i < sizes[k]; ++i) {
      map[i] = gone[k][i] ? -1 : next++;
      if (gone[k][i]) ++renumbering.deleted_;
    }
  }

  // Close the gaps, then point every surviving Ref at its item's new place.
  auto compact = [&](auto& items, std::size_t k) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (gone[k][i]) continue;
      if (kept != i) items[kept] = std::move(items[i]);
      ++kept;
    }
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(kept), items.end());
  };
  compact(doc.texts, 0);
  compact(doc.tables, 1);
  compact(doc.pictures, 2);
  compact(doc.groups, 3);

  auto remap_list = [&](std::vector<Ref>& list) {
    std::vector<Ref> kept;
    kept.reserve(list.size());
    for (const Ref& r : list) {
      if (auto now = renumbering(r)) kept.push_back(*now);
    }
    list = std::move(kept);
  };
  auto remap_node = [&](NodeBase& node) {
    remap_list(node.children);
    // A survivor's parent survives (the subtree went with it); body is the safe fallback for a
    // document whose parents and children disagreed.
    node.parent = renumbering(node.parent).value_or(kBodyRef);
  };
  remap_list(doc.body.children);
  remap_list(doc.furniture.children);
  for (auto& t : doc.texts) remap_node(t);
  for (auto& t : doc.tables) {
    remap_node(t);
    remap_list(t.captions);
    remap_list(t.footnotes);
  }
  for (auto& p : doc.pictures) {
    remap_node(p);
    remap_list(p.captions);
    remap_list(p.footnotes);
  }
  for (auto& g : doc.groups) remap_node(g);
  return renumbering;
}

Result<HtmlTable> TableFromHtml(std::string_view html, std::size_t max_memory) {
  MemoryBudget::Scope budget(max_memory);
  auto doc = ParseHtml(html, "table", {});
  if (budget.exceeded()) {
    return Fail(ErrorCode::kInvalidParams, "parsing the HTML needs more than " +
                                               std::to_string(max_memory) +
                                               " bytes of memory (max_memory)");
  }
  if (!doc) return Fail(doc.error());
  std::optional<Ref> first;
  ForEachItem(*doc, [&](Ref r) {
    if (!first && r.kind == ItemKind::kTable) first = r;
  });
  if (!first) {
    return Fail(ErrorCode::kInvalidParams,
                "no table in the HTML: give a <table> with at least two cells (one cell is read "
                "as layout, as Docling does)");
  }
  HtmlTable out;
  out.table = std::move(doc->tables[static_cast<std::size_t>(first->index)]);
  for (const Ref& c : out.table.captions) out.captions.push_back(doc->text(c).text);
  out.table.parent = kBodyRef;
  out.table.children.clear();
  out.table.captions.clear();
  out.table.footnotes.clear();
  return out;
}

// ---- Building ----

namespace {

Result<std::string> Normalized(std::string_view text, std::string_view what) {
  std::string s = NormalizeSpace(text);
  if (s.empty()) return Fail(ErrorCode::kInvalidParams, std::string(what) + " is empty");
  return s;
}

}  // namespace

DocumentBuilder::DocumentBuilder(Document doc) : doc_(std::move(doc)) { Commit(); }

Result<void> DocumentBuilder::RequireNoOpenList(std::string_view what) const {
  if (open_lists_.empty()) return {};
  return Fail(ErrorCode::kInvalidParams, "a list is open (" + open_lists_.back().Pointer() +
                                             "): close_list before adding " + std::string(what));
}

Result<Ref> DocumentBuilder::AddTitle(std::string_view text) {
  if (auto ok = RequireNoOpenList("a title"); !ok) return Fail(ok.error());
  auto normalized = Normalized(text, "the title");
  if (!normalized) return Fail(normalized.error());
  const Ref r = doc_.AddText(kBodyRef, TextLabel::kTitle, std::move(*normalized));
  doc_.text(r).orig = std::string(text);
  return r;
}

Result<Ref> DocumentBuilder::AddHeading(std::string_view text, int level) {
  if (auto ok = RequireNoOpenList("a section heading"); !ok) return Fail(ok.error());
  if (level < 1 || level > 6) {
    return Fail(ErrorCode::kInvalidParams,
                "level " + std::to_string(level) + " is outside 1..6 (1 is the highest)");
  }
  auto normalized = Normalized(text, "the heading");
  if (!normalized) return Fail(normalized.error());
  const Ref r = doc_.AddHeading(kBodyRef, std::move(*normalized), level);
  doc_.text(r).orig = std::string(text);
  return r;
}

Result<Ref> DocumentBuilder::AddParagraph(std::string_view text) {
  if (auto ok = RequireNoOpenList("a paragraph"); !ok) return Fail(ok.error());
  auto normalized = Normalized(text, "the paragraph");
  if (!normalized) return Fail(normalized.error());
  const Ref r = doc_.AddText(kBodyRef, TextLabel::kText, std::move(*normalized));
  doc_.text(r).orig = std::string(text);
  return r;
}

Result<Ref> DocumentBuilder::OpenList(bool ordered) {
  if (open_lists_.size() >= kMaxListNesting) {
    return Fail(ErrorCode::kInvalidParams, "lists nest at most " + std::to_string(kMaxListNesting) +
                                               " deep: close_list first");
  }
  Ref parent = kBodyRef;
  if (!open_lists_.empty()) {
    // A nested list belongs to the item it continues, as in converted documents.
    const auto& siblings = doc_.node(open_lists_.back()).children;
    auto last = std::find_if(siblings.rbegin(), siblings.rend(), [&](const Ref& r) {
      return r.kind == ItemKind::kText && doc_.text(r).label == TextLabel::kListItem;
    });
    if (last == siblings.rend()) {
      return Fail(ErrorCode::kInvalidParams,
                  "the open list (" + open_lists_.back().Pointer() +
                      ") has no items yet: add_list_items before opening a nested list");
    }
    parent = *last;
  }
  const Ref list = doc_.AddGroup(parent, ordered ? GroupLabel::kOrderedList : GroupLabel::kList);
  open_lists_.push_back(list);
  return list;
}

Result<Ref> DocumentBuilder::CloseList() {
  if (open_lists_.empty()) {
    return Fail(ErrorCode::kInvalidParams, "no list is open (open_list opens one)");
  }
  const Ref list = open_lists_.back();
  open_lists_.pop_back();
  return list;
}

Result<std::vector<Ref>> DocumentBuilder::AddListItems(const std::vector<ListItemSpec>& items) {
  if (open_lists_.empty()) {
    return Fail(ErrorCode::kInvalidParams, "no list is open: call open_list first");
  }
  if (items.empty()) return Fail(ErrorCode::kInvalidParams, "no items to add");
  // All or nothing: check every item before adding any.
  std::vector<std::string> texts;
  texts.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto normalized = Normalized(items[i].text, "items[" + std::to_string(i) + "].text");
    if (!normalized) return Fail(normalized.error());
    texts.push_back(std::move(*normalized));
  }
  const Ref list = open_lists_.back();
  const bool ordered =
      doc_.groups[static_cast<std::size_t>(list.index)].label == GroupLabel::kOrderedList;
  int number = static_cast<int>(std::count_if(
      doc_.node(list).children.begin(), doc_.node(list).children.end(), [&](const Ref& r) {
        return r.kind == ItemKind::kText && doc_.text(r).label == TextLabel::kListItem;
      }));
  std::vector<Ref> added;
  for (std::size_t i = 0; i < items.size(); ++i) {
    ++number;
    std::string marker = items[i].marker;
    if (marker.empty()) marker = ordered ? std::to_string(number) + "." : "-";
    const Ref r = doc_.AddListItem(list, std::move(texts[i]), ordered, std::move(marker));
    doc_.text(r).orig = items[i].text;
    added.push_back(r);
  }
  return added;
}

Result<Ref> DocumentBuilder::AddTable(TableItem table, const std::vector<std::string>& captions,
                                      const std::vector<std::string>& footnotes) {
  if (auto ok = RequireNoOpenList("a table"); !ok) return Fail(ok.error());
  if (table.num_rows <= 0 || table.num_cols <= 0 || table.cells.empty()) {
    return Fail(ErrorCode::kInvalidParams, "the table has no cells");
  }
  std::vector<std::string> caption_texts, footnote_texts;
  for (std::size_t i = 0; i < captions.size(); ++i) {
    auto normalized = Normalized(captions[i], "captions[" + std::to_string(i) + "]");
    if (!normalized) return Fail(normalized.error());
    caption_texts.push_back(std::move(*normalized));
  }
  for (std::size_t i = 0; i < footnotes.size(); ++i) {
    auto normalized = Normalized(footnotes[i], "footnotes[" + std::to_string(i) + "]");
    if (!normalized) return Fail(normalized.error());
    footnote_texts.push_back(std::move(*normalized));
  }
  table.children.clear();
  table.captions.clear();
  table.footnotes.clear();
  const Ref r = doc_.AddTable(kBodyRef, std::move(table));
  for (std::size_t i = 0; i < caption_texts.size(); ++i) {
    doc_.text(doc_.AddCaption(r, std::move(caption_texts[i]))).orig = captions[i];
  }
  for (std::size_t i = 0; i < footnote_texts.size(); ++i) {
    const Ref f = doc_.AddText(r, TextLabel::kFootnote, std::move(footnote_texts[i]));
    doc_.text(f).orig = footnotes[i];
    doc_.tables[static_cast<std::size_t>(r.index)].footnotes.push_back(f);
  }
  return r;
}

Result<void> DocumentBuilder::UpdateText(Ref ref, std::string_view text) {
  const bool text_item = ref.kind == ItemKind::kText && ref.index >= 0 &&
                         static_cast<std::size_t>(ref.index) < doc_.texts.size();
  if (!text_item) return SetItemText(doc_, ref, text);  // fails, saying why
  OldText saved{ref, doc_.text(ref).text, doc_.text(ref).orig};
  if (auto ok = SetItemText(doc_, ref, text); !ok) return ok;
  updated_.push_back(std::move(saved));
  return {};
}

Result<Renumbering> DocumentBuilder::Delete(const std::vector<Ref>& refs) {
  auto renumbering = DeleteItems(doc_, refs);
  if (!renumbering) return renumbering;
  std::vector<Ref> still_open;
  for (const Ref& list : open_lists_) {
    if (auto now = (*renumbering)(list)) still_open.push_back(*now);
  }
  open_lists_ = std::move(still_open);
  Commit();
  return renumbering;
}

void DocumentBuilder::Commit() {
  committed_sizes_ = Sizes(doc_);
  committed_open_lists_ = open_lists_;
  updated_.clear();
}

void DocumentBuilder::Rollback() {
  for (auto it = updated_.rbegin(); it != updated_.rend(); ++it) {
    auto& t = doc_.text(it->ref);
    t.text = std::move(it->text);
    t.orig = std::move(it->orig);
  }
  updated_.clear();
  open_lists_ = committed_open_lists_;
  if (Sizes(doc_) == committed_sizes_) return;
  // Appends only add items at the ends of the arrays and Refs to them: dropping both restores
  // the document as it was.
  doc_.texts.resize(committed_sizes_[0]);
  doc_.tables.resize(committed_sizes_[1]);
  doc_.pictures.resize(committed_sizes_[2]);
  doc_.groups.resize(committed_sizes_[3]);
  auto stale = [&](const Ref& r) {
    const auto slot = SlotOf(r.kind);
    return slot && static_cast<std::size_t>(r.index) >= committed_sizes_[*slot];
  };
  auto drop = [&](std::vector<Ref>& list) { std::erase_if(list, stale); };
  drop(doc_.body.children);
  drop(doc_.furniture.children);
  for (auto& t : doc_.texts) drop(t.children);
  for (auto& t : doc_.tables) {
    drop(t.children);
    drop(t.captions);
    drop(t.footnotes);
  }
  for (auto& p : doc_.pictures) {
    drop(p.children);
    drop(p.captions);
    drop(p.footnotes);
  }
  for (auto& g : doc_.groups) drop(g.children);
}

}  // namespace ferry::document
