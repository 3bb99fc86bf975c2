// DoclingDocument JSON: the field names, labels and references Docling's schema defines (see
// ../shared/corpus/docling/DoclingDocument.schema.json in development; a test validates the
// output's structure).
#include "document/export.h"

namespace ferry::document {
namespace json = boost::json;
namespace {

constexpr std::string_view kSchemaVersion = "1.10.0";

json::object RefObject(Ref r) { return json::object{{"$ref", r.Pointer()}}; }

json::array RefArray(const std::vector<Ref>& refs) {
  json::array a;
  a.reserve(refs.size());
  for (const Ref& r : refs) a.push_back(RefObject(r));
  return a;
}

std::string_view LayerName(ContentLayer layer) {
  return layer == ContentLayer::kFurniture ? "furniture" : "body";
}

json::object Common(const NodeBase& n, Ref self) {
  json::object o;
  o["self_ref"] = self.Pointer();
  if (self.kind != ItemKind::kBody && self.kind != ItemKind::kFurniture) {
    o["parent"] = RefObject(n.parent);
  }
  o["children"] = RefArray(n.children);
  o["content_layer"] = LayerName(n.layer);
  return o;
}

json::array Prov(const std::vector<Provenance>& prov) {
  json::array a;
  for (const auto& p : prov) {
    a.push_back(json::object{
        {"page_no", p.page_no},
        {"bbox", json::object{{"l", p.bbox.left},
                              {"t", p.bbox.top},
                              {"r", p.bbox.right},
                              {"b", p.bbox.bottom},
                              {"coord_origin", p.bbox.origin_bottom_left ? "BOTTOMLEFT" : "TOPLEFT"}}},
        {"charspan", json::array{p.char_start, p.char_end}}});
  }
  return a;
}

std::string_view ScriptName(Formatting::Script s) {
  switch (s) {
    case Formatting::Script::kSub: return "sub";
    case Formatting::Script::kSuper: return "super";
    default: return "baseline";
  }
}

json::object Cell(const TableCell& c) {
  return json::object{{"row_span", c.row_span()},
                      {"col_span", c.col_span()},
                      {"start_row_offset_idx", c.start_row},
                      {"end_row_offset_idx", c.end_row},
                      {"start_col_offset_idx", c.start_col},
                      {"end_col_offset_idx", c.end_col},
                      {"text", c.text},
                      {"column_header", c.column_header},
                      {"row_header", c.row_header},
                      {"row_section", false}};
}

json::object Root(const GroupItem& g, Ref self) {
  json::object o = Common(g, self);
  o["content_layer"] = self.kind == ItemKind::kFurniture ? "furniture" : "body";
  o["name"] = "_root_";
  o["label"] = "unspecified";
  return o;
}

}  // namespace

json::value ToDoclingJson(const Document& doc) {
  json::object out;
  out["schema_name"] = "DoclingDocument";
  out["version"] = kSchemaVersion;
  out["name"] = doc.name;
  json::object origin{{"mimetype", doc.origin.mimetype},
                      {"binary_hash", doc.origin.binary_hash},
                      {"filename", doc.origin.filename}};
  out["origin"] = std::move(origin);
  out["furniture"] = Root(doc.furniture, kFurnitureRef);
  out["body"] = Root(doc.body, kBodyRef);

  json::array groups;
  for (std::size_t i = 0; i < doc.groups.size(); ++i) {
    const auto& g = doc.groups[i];
    json::object o = Common(g, {ItemKind::kGroup, static_cast<int>(i)});
    o["name"] = g.name;
    o["label"] = ToString(g.label);
    groups.push_back(std::move(o));
  }
  out["groups"] = std::move(groups);

  json::array texts;
  for (std::size_t i = 0; i < doc.texts.size(); ++i) {
    const auto& t = doc.texts[i];
    json::object o = Common(t, {ItemKind::kText, static_cast<int>(i)});
    o["label"] = ToString(t.label);
    o["prov"] = Prov(t.prov);
    o["orig"] = t.orig;
    o["text"] = t.text;
    if (!t.formatting.plain()) {
      o["formatting"] = json::object{{"bold", t.formatting.bold},
                                     {"italic", t.formatting.italic},
                                     {"underline", t.formatting.underline},
                                     {"strikethrough", t.formatting.strikethrough},
                                     {"script", ScriptName(t.formatting.script)}};
    }
    if (!t.hyperlink.empty()) o["hyperlink"] = t.hyperlink;
    switch (t.label) {
      case TextLabel::kSectionHeader: o["level"] = t.level; break;
      case TextLabel::kListItem:
        o["enumerated"] = t.enumerated;
        o["marker"] = t.marker;
        break;
      case TextLabel::kCode:
        o["captions"] = json::array();
        o["references"] = json::array();
        o["footnotes"] = json::array();
        o["code_language"] = t.code_language.empty() ? "unknown" : t.code_language;
        break;
      default: break;
    }
    texts.push_back(std::move(o));
  }
  out["texts"] = std::move(texts);

  json::array pictures;
  for (std::size_t i = 0; i < doc.pictures.size(); ++i) {
    const auto& p = doc.pictures[i];
    json::object o = Common(p, {ItemKind::kPicture, static_cast<int>(i)});
    o["label"] = "picture";
    o["prov"] = Prov(p.prov);
    o["captions"] = RefArray(p.captions);
    o["references"] = json::array();
    o["footnotes"] = RefArray(p.footnotes);
    o["annotations"] = json::array();
    pictures.push_back(std::move(o));
  }
  out["pictures"] = std::move(pictures);

  json::array tables;
  for (std::size_t i = 0; i < doc.tables.size(); ++i) {
    const auto& t = doc.tables[i];
    json::object o = Common(t, {ItemKind::kTable, static_cast<int>(i)});
    o["label"] = "table";
    o["prov"] = Prov(t.prov);
    o["captions"] = RefArray(t.captions);
    o["references"] = json::array();
    o["footnotes"] = RefArray(t.footnotes);
    json::array cells;
    for (const auto& c : t.cells) cells.push_back(Cell(c));
    const auto cell_grid = t.Grid();
    json::array grid;
    for (int r = 0; r < t.num_rows; ++r) {
      json::array row;
      for (int c = 0; c < t.num_cols; ++c) {
        const TableCell* cell = cell_grid[static_cast<std::size_t>(r * t.num_cols + c)];
        row.push_back(cell ? Cell(*cell) : Cell(TableCell{.start_row = r, .end_row = r + 1,
                                                          .start_col = c, .end_col = c + 1}));
      }
      grid.push_back(std::move(row));
    }
    o["data"] = json::object{{"table_cells", std::move(cells)},
                             {"num_rows", t.num_rows},
                             {"num_cols", t.num_cols},
                             {"grid", std::move(grid)}};
    tables.push_back(std::move(o));
  }
  out["tables"] = std::move(tables);
  out["key_value_items"] = json::array();
  out["form_items"] = json::array();

  json::object pages;
  for (const auto& [no, page] : doc.pages) {
    pages[std::to_string(no)] = json::object{
        {"size", json::object{{"width", page.width}, {"height", page.height}}}, {"page_no", no}};
  }
  out["pages"] = std::move(pages);
  return out;
}

}  // namespace ferry::document
