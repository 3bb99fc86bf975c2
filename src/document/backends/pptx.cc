#include "document/backends/pptx.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace ferry::document {
namespace pptx_xlsx {

std::string_view LocalName(const char* name) {
  const std::string_view s(name);
  const auto colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == local) return c;
  }
  return {};
}

pugi::xml_attribute Attr(pugi::xml_node node, std::string_view local, bool prefixed) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    const std::string_view n(a.name());
    const auto colon = n.find(':');
    if (prefixed) {
      if (colon != std::string_view::npos && n.substr(colon + 1) == local) return a;
    } else if (n == local) {
      return a;
    }
  }
  return {};
}

Relationships ReadRelationships(ZipArchive& zip, std::string_view part) {
  const auto slash = part.rfind('/');
  const std::string dir(slash == std::string_view::npos ? "" : part.substr(0, slash + 1));
  const std::string file(slash == std::string_view::npos ? part : part.substr(slash + 1));
  const std::string path = dir + "_rels/" + file + ".rels";
  Relationships out;
  if (!zip.Has(path)) return out;
  auto xml = zip.ReadXml(path);
  if (!xml) return out;
  for (pugi::xml_node r : Child(**xml, "Relationships").children()) {
    if (r.type() != pugi::node_element || LocalName(r.name()) != "Relationship") continue;
    Relationship rel;
    const std::string_view type = r.attribute("Type").value();
    rel.type = std::string(type.substr(type.rfind('/') + 1));
    rel.external = std::string_view(r.attribute("TargetMode").value()) == "External";
    const std::string_view target = r.attribute("Target").value();
    rel.target = rel.external ? std::string(target) : ResolvePartPath(part, target);
    out[r.attribute("Id").value()] = std::move(rel);
  }
  return out;
}

std::string MainPart(ZipArchive& zip, std::string_view fallback) {
  for (const auto& [id, rel] : ReadRelationships(zip, "")) {
    if (rel.type == "officeDocument" && !rel.external && zip.Has(rel.target)) return rel.target;
  }
  return std::string(fallback);
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

ContentTypes::ContentTypes(ZipArchive& zip) {
  if (!zip.Has("[Content_Types].xml")) return;
  auto xml = zip.ReadXml("[Content_Types].xml");
  if (!xml) return;
  for (pugi::xml_node n : Child(**xml, "Types").children()) {
    const std::string_view kind = LocalName(n.name());
    if (kind == "Default") {
      defaults_[Lower(n.attribute("Extension").value())] = n.attribute("ContentType").value();
    } else if (kind == "Override") {
      std::string_view part = n.attribute("PartName").value();
      if (!part.empty() && part.front() == '/') part.remove_prefix(1);
      overrides_[Lower(part)] = n.attribute("ContentType").value();
    }
  }
}

std::string ContentTypes::Of(std::string_view part) const {
  if (auto it = overrides_.find(Lower(part)); it != overrides_.end()) return it->second;
  const auto dot = part.rfind('.');
  if (dot == std::string_view::npos) return "";
  if (auto it = defaults_.find(Lower(part.substr(dot + 1))); it != defaults_.end()) {
    return it->second;
  }
  return "";
}

std::optional<PictureItem> EmbeddedPicture(ZipArchive& zip, const Relationships& rels,
                                           const ContentTypes& types, std::string_view rel_id) {
  if (rel_id.empty()) return std::nullopt;
  const auto it = rels.find(std::string(rel_id));
  if (it == rels.end() || it->second.external || !zip.Has(it->second.target)) return std::nullopt;
  const std::string type = types.Of(it->second.target);
  if (!type.empty() && type.rfind("image/", 0) != 0) return std::nullopt;
  PictureItem picture;
  picture.mimetype = type;
  return picture;
}

std::string FormatGeneralNumber(double value) {
  if (!std::isfinite(value)) return "#NUM!";
  if (value == 0) return "0";
  char buffer[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
    return buffer;
  }
  std::snprintf(buffer, sizeof(buffer), "%.15g", value);
  std::string s = buffer;
  const auto e = s.find('e');
  std::string mantissa = s.substr(0, e);
  if (mantissa.find('.') != std::string::npos) {
    while (!mantissa.empty() && mantissa.back() == '0') mantissa.pop_back();
    if (!mantissa.empty() && mantissa.back() == '.') mantissa.pop_back();
  }
  if (e == std::string::npos) return mantissa;
  return mantissa + "E" + s.substr(e + 1);
}

std::string FormatGeneralNumber(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::string(text);
  return FormatGeneralNumber(value);
}

namespace {

// The text of a DrawingML paragraph (a:p): runs, fields, line breaks as spaces.
std::string ParagraphText(pugi::xml_node p) {
  std::string out;
  for (pugi::xml_node c : p.children()) {
    const std::string_view n = LocalName(c.name());
    if (n == "r" || n == "fld") {
      out += Child(c, "t").text().get();
    } else if (n == "br") {
      out += ' ';
    }
  }
  return out;
}

std::string RichText(pugi::xml_node rich) {
  std::string out;
  for (pugi::xml_node p : rich.children()) {
    if (LocalName(p.name()) != "p") continue;
    const std::string t = ParagraphText(p);
    if (t.empty()) continue;
    if (!out.empty()) out += ' ';
    out += t;
  }
  return NormalizeSpace(out);
}

// The points of a chart data reference or literal (c:strRef, c:numRef, c:strLit, c:numLit,
// c:multiLvlStrRef), by index.
std::vector<std::string> ChartPoints(pugi::xml_node source, bool numeric_format) {
  constexpr std::size_t kMaxPoints = 100'000;
  std::vector<std::string> out;
  pugi::xml_node data;
  for (pugi::xml_node c : source.children()) {
    const std::string_view n = LocalName(c.name());
    if (n == "strRef" || n == "numRef") {
      data = Child(c, n == "strRef" ? "strCache" : "numCache");
    } else if (n == "strLit" || n == "numLit") {
      data = c;
    } else if (n == "multiLvlStrRef") {
      data = Child(Child(c, "multiLvlStrCache"), "lvl");
    }
    if (data) break;
  }
  if (!data) return out;
  for (pugi::xml_node pt : data.children()) {
    if (LocalName(pt.name()) != "pt") continue;
    const unsigned long idx = std::strtoul(pt.attribute("idx").value(), nullptr, 10);
    if (idx >= kMaxPoints) continue;
    if (out.size() <= idx) out.resize(idx + 1);
    const std::string_view v = Child(pt, "v").text().get();
    const bool number = numeric_format || LocalName(data.name()) == "numCache" ||
                        LocalName(data.name()) == "numLit";
    out[idx] = number ? FormatGeneralNumber(v) : std::string(v);
  }
  return out;
}

std::string ChartKindName(std::string_view element) {
  struct Kind {
    std::string_view prefix, name;
  };
  static constexpr Kind kKinds[] = {
      {"bar", "Bar chart"},      {"line", "Line chart"},       {"pie", "Pie chart"},
      {"doughnut", "Pie chart"}, {"ofPie", "Pie chart"},       {"scatter", "Scatter chart"},
      {"area", "Area chart"},    {"radar", "Radar chart"},     {"bubble", "Bubble chart"},
      {"stock", "Stock chart"},  {"surface", "Surface chart"},
  };
  for (const auto& k : kKinds) {
    if (element.substr(0, k.prefix.size()) == k.prefix) return std::string(k.name);
  }
  return "Chart";
}

}  // namespace

bool AddChart(Document& doc, Ref parent, ZipArchive& zip, std::string_view chart_part,
              const std::vector<Provenance>& prov) {
  if (!zip.Has(chart_part)) return false;
  auto xml = zip.ReadXml(chart_part);
  if (!xml) return false;
  const pugi::xml_node chart = Child(Child(**xml, "chartSpace"), "chart");
  if (!chart) return false;

  std::string title;
  if (const pugi::xml_node tx = Child(Child(chart, "title"), "tx")) {
    if (const pugi::xml_node rich = Child(tx, "rich")) {
      title = RichText(rich);
    } else {
      const auto points = ChartPoints(tx, false);
      if (!points.empty()) title = NormalizeSpace(points[0]);
    }
  }

  struct Series {
    std::string name;
    std::vector<std::string> categories, values;
  };
  std::vector<Series> series;
  std::string kind;
  for (pugi::xml_node plot : Child(chart, "plotArea").children()) {
    const std::string_view element = LocalName(plot.name());
    if (element.size() < 5 || element.substr(element.size() - 5) != "Chart") continue;
    if (kind.empty()) kind = ChartKindName(element);
    for (pugi::xml_node ser : plot.children()) {
      if (LocalName(ser.name()) != "ser") continue;
      Series s;
      if (const pugi::xml_node tx = Child(ser, "tx")) {
        const auto points = ChartPoints(tx, false);
        s.name = points.empty() ? std::string(Child(tx, "v").text().get()) : points[0];
      }
      pugi::xml_node cat = Child(ser, "cat");
      if (!cat) cat = Child(ser, "xVal");
      s.categories = ChartPoints(cat, false);
      pugi::xml_node val = Child(ser, "val");
      if (!val) val = Child(ser, "yVal");
      s.values = ChartPoints(val, true);
      series.push_back(std::move(s));
      if (series.size() >= 1000) break;
    }
  }

  PictureItem picture;
  picture.prov = prov;
  const Ref pic = doc.AddPicture(parent, std::move(picture));
  if (!title.empty()) doc.AddCaption(pic, title);

  std::size_t points = 0;
  for (const auto& s : series) points = std::max({points, s.categories.size(), s.values.size()});
  if (series.empty() || points == 0) return true;
  if ((points + 1) * (series.size() + 1) > 1'000'000) {
    doc.warnings.push_back("chart " + std::string(chart_part) +
                           ": its data table is too large, left out");
    return true;
  }
  TableItem table;
  table.prov = prov;
  table.num_rows = static_cast<int>(points) + 1;
  table.num_cols = static_cast<int>(series.size()) + 1;
  auto add = [&](int row, int col, std::string text) {
    TableCell cell;
    cell.text = std::move(text);
    cell.start_row = row;
    cell.end_row = row + 1;
    cell.start_col = col;
    cell.end_col = col + 1;
    cell.column_header = row == 0;
    cell.row_header = col == 0 && row > 0;
    table.cells.push_back(std::move(cell));
  };
  add(0, 0, "");
  const auto& categories = series.front().categories;
  for (std::size_t i = 0; i < series.size(); ++i) add(0, static_cast<int>(i) + 1, series[i].name);
  for (std::size_t r = 0; r < points; ++r) {
    const int row = static_cast<int>(r) + 1;
    add(row, 0, r < categories.size() ? categories[r] : std::to_string(r + 1));
    for (std::size_t i = 0; i < series.size(); ++i) {
      if (r < series[i].values.size() && !series[i].values[r].empty()) {
        add(row, static_cast<int>(i) + 1, series[i].values[r]);
      }
    }
  }
  const Ref t = doc.AddTable(parent, std::move(table));
  doc.AddCaption(t, kind);
  return true;
}

}  // namespace pptx_xlsx

namespace {

using namespace pptx_xlsx;  // NOLINT: this file's own helpers

constexpr double kEmuPerPoint = 12700;
constexpr int kMaxDepth = 64;  // group shapes in group shapes
constexpr std::size_t kMaxTableCells = 1'000'000;

struct Box {
  long long x = 0, y = 0, cx = 0, cy = 0;
};

long long ToInt(const pugi::xml_attribute& a) { return std::strtoll(a.value(), nullptr, 10); }

// The position of a shape as its own XML gives it.
std::optional<Box> OwnBox(pugi::xml_node shape) {
  pugi::xml_node xfrm = Child(Child(shape, "spPr"), "xfrm");
  if (!xfrm) xfrm = Child(Child(shape, "grpSpPr"), "xfrm");
  if (!xfrm) xfrm = Child(shape, "xfrm");
  const pugi::xml_node off = Child(xfrm, "off");
  if (!off) return std::nullopt;
  Box box;
  box.x = ToInt(off.attribute("x"));
  box.y = ToInt(off.attribute("y"));
  const pugi::xml_node ext = Child(xfrm, "ext");
  box.cx = ToInt(ext.attribute("cx"));
  box.cy = ToInt(ext.attribute("cy"));
  return box;
}

struct Placeholder {
  bool present = false;
  std::string type;  // as written; "" for the default (an object placeholder)
  std::string idx;   // "0" when not written
};

Placeholder PlaceholderOf(pugi::xml_node shape) {
  Placeholder ph;
  for (pugi::xml_node c : shape.children()) {
    const std::string_view n = LocalName(c.name());
    if (n.substr(0, 2) != "nv") continue;
    const pugi::xml_node node = Child(Child(c, "nvPr"), "ph");
    if (!node) return ph;
    ph.present = true;
    ph.type = node.attribute("type").value();
    ph.idx = node.attribute("idx") ? node.attribute("idx").value() : "0";
    return ph;
  }
  return ph;
}

// Placeholder types that inherit from one another: titles, bodies (objects, subtitles), others.
std::string NormalType(std::string_view type) {
  if (type == "title" || type == "ctrTitle") return "title";
  if (type.empty() || type == "obj" || type == "body" || type == "subTitle") return "body";
  return std::string(type);
}

bool IsFurnitureType(std::string_view type) {
  return type == "dt" || type == "ftr" || type == "sldNum" || type == "hdr";
}

// Calls fn(shape) for every shape element under `tree`, group shapes included (not descended).
template <typename Fn>
void ForEachShape(pugi::xml_node tree, Fn&& fn, int depth = 0) {
  for (pugi::xml_node c : tree.children()) {
    if (c.type() != pugi::node_element) continue;
    const std::string_view n = LocalName(c.name());
    if (n == "AlternateContent") {
      // Prefer the fallback: it holds what every reader understands.
      pugi::xml_node pick = Child(c, "Fallback");
      if (!pick) pick = Child(c, "Choice");
      if (depth < kMaxDepth) ForEachShape(pick, fn, depth + 1);
    } else if (n == "sp" || n == "pic" || n == "graphicFrame" || n == "grpSp" || n == "cxnSp" ||
               n == "contentPart") {
      fn(c);
    }
  }
}

// The placeholders of a layout or master, by index and by (normalized) type; the first wins.
struct PlaceholderIndex {
  std::map<std::string, pugi::xml_node> by_index, by_type;

  explicit PlaceholderIndex(pugi::xml_node tree) {
    ForEachShape(tree, [&](pugi::xml_node shape) {
      const Placeholder ph = PlaceholderOf(shape);
      if (!ph.present) return;
      by_index.emplace(ph.idx, shape);
      by_type.emplace(NormalType(ph.type), shape);
    });
  }

  // The placeholder `ph` inherits from: a layout's matches by index first, a master's by type.
  pugi::xml_node Find(const Placeholder& ph, bool use_index) const {
    if (use_index) {
      if (auto it = by_index.find(ph.idx); it != by_index.end()) return it->second;
    }
    const auto it = by_type.find(NormalType(ph.type));
    return it == by_type.end() ? pugi::xml_node() : it->second;
  }
};

// A paragraph's bullet, as one level of the style hierarchy sets it.
struct Bullet {
  enum Kind { kUnset, kNone, kBullet, kNumber } kind = kUnset;
  int start = 1;
};

Bullet BulletOf(pugi::xml_node ppr) {
  Bullet b;
  for (pugi::xml_node c : ppr.children()) {
    const std::string_view n = LocalName(c.name());
    if (n == "buNone") {
      b.kind = Bullet::kNone;
    } else if (n == "buChar" || n == "buBlip") {
      b.kind = Bullet::kBullet;
    } else if (n == "buAutoNum") {
      b.kind = Bullet::kNumber;
      if (const auto s = c.attribute("startAt")) b.start = std::max(1, s.as_int(1));
    }
  }
  return b;
}

pugi::xml_node LevelStyle(pugi::xml_node list_style, int level) {
  return Child(list_style, "lvl" + std::to_string(level + 1) + "pPr");
}

struct Part {
  std::unique_ptr<pugi::xml_document> xml;
  pugi::xml_node root;
  Relationships rels;
  std::unique_ptr<PlaceholderIndex> placeholders;
};

class PptxReader {
 public:
  PptxReader(ZipArchive& zip, Document& doc) : zip_(zip), doc_(doc), types_(zip) {}

  Result<bool> Run() {
    const std::string pres_path = MainPart(zip_, "ppt/presentation.xml");
    if (!zip_.Has(pres_path)) {
      return Fail(ErrorCode::kInvalidParams,
                  "not a PowerPoint presentation (the archive has no " + pres_path + ")");
    }
    auto pres = zip_.ReadXml(pres_path);
    if (!pres) return Fail(pres.error());
    const pugi::xml_node root = Child(**pres, "presentation");
    if (!root) {
      return Fail(ErrorCode::kInvalidParams,
                  "not a PowerPoint presentation (" + pres_path + " has no p:presentation)");
    }
    const pugi::xml_node size = Child(root, "sldSz");
    width_ = size ? ToInt(size.attribute("cx")) : 9144000;
    height_ = size ? ToInt(size.attribute("cy")) : 6858000;
    if (width_ <= 0) width_ = 9144000;
    if (height_ <= 0) height_ = 6858000;
    const Relationships rels = ReadRelationships(zip_, pres_path);
    for (const auto& [id, rel] : rels) {
      if (rel.type == "commentAuthors") ReadAuthors(rel.target, false);
      if (rel.type == "authors") ReadAuthors(rel.target, true);
    }
    int number = 0;
    for (pugi::xml_node id : Child(root, "sldIdLst").children()) {
      if (LocalName(id.name()) != "sldId") continue;
      const auto it = rels.find(Attr(id, "id", true).value());
      if (it == rels.end() || it->second.external) continue;
      ++number;
      ReadSlide(it->second.target, number);
    }
    return true;
  }

 private:
  void ReadAuthors(const std::string& path, bool modern) {
    if (!zip_.Has(path)) return;
    auto xml = zip_.ReadXml(path);
    if (!xml) return;
    for (pugi::xml_node a : (*xml)->document_element().children()) {
      const std::string_view n = LocalName(a.name());
      if (n != "cmAuthor" && n != "author") continue;
      std::string label = a.attribute("name").value();
      const std::string initials = a.attribute("initials").value();
      if (!initials.empty()) label += " (" + initials + ")";
      (modern ? modern_authors_ : authors_)[a.attribute("id").value()] = std::move(label);
    }
  }

  // A layout or master, read once.
  const Part* LoadPart(const std::string& path) {
    if (auto it = parts_.find(path); it != parts_.end()) return it->second.get();
    auto& slot = parts_[path];
    if (!zip_.Has(path)) return nullptr;
    auto xml = zip_.ReadXml(path);
    if (!xml) return nullptr;
    slot = std::make_unique<Part>();
    slot->xml = std::move(*xml);
    slot->root = slot->xml->document_element();
    slot->rels = ReadRelationships(zip_, path);
    slot->placeholders =
        std::make_unique<PlaceholderIndex>(Child(Child(slot->root, "cSld"), "spTree"));
    return slot.get();
  }

  static const std::string* Target(const Relationships& rels, std::string_view type) {
    for (const auto& [id, rel] : rels) {
      if (rel.type == type && !rel.external) return &rel.target;
    }
    return nullptr;
  }

  void ReadSlide(const std::string& path, int number) {
    doc_.pages[number] = Page{number, static_cast<double>(width_) / kEmuPerPoint,
                              static_cast<double>(height_) / kEmuPerPoint};
    if (!zip_.Has(path)) {
      doc_.warnings.push_back("slide " + std::to_string(number) + ": missing part " + path);
      return;
    }
    auto xml = zip_.ReadXml(path);
    if (!xml) {
      doc_.warnings.push_back("slide " + std::to_string(number) +
                              " skipped: " + xml.error().message);
      return;
    }
    page_ = number;
    xform_ = {};
    rels_ = ReadRelationships(zip_, path);
    layout_ = master_ = nullptr;
    if (const std::string* layout = Target(rels_, "slideLayout")) {
      layout_ = LoadPart(*layout);
      if (layout_) {
        if (const std::string* master = Target(layout_->rels, "slideMaster")) {
          master_ = LoadPart(*master);
        }
      }
    }
    const Ref slide =
        doc_.AddGroup(kBodyRef, GroupLabel::kChapter, "slide-" + std::to_string(number - 1));
    const pugi::xml_node tree = Child(Child((*xml)->document_element(), "cSld"), "spTree");
    EmitShapes(tree, slide, 0);
    if (const std::string* notes = Target(rels_, "notesSlide")) ReadNotes(*notes, slide);
    for (const auto& [id, rel] : rels_) {
      if (rel.type == "comments" && !rel.external) ReadComments(rel.target, slide);
    }
  }

  // The layout and master placeholders a slide shape inherits from (null when none).
  std::pair<pugi::xml_node, pugi::xml_node> Inherited(const Placeholder& ph) const {
    if (!ph.present) return {};
    pugi::xml_node layout, master;
    if (layout_) layout = layout_->placeholders->Find(ph, true);
    if (master_) master = master_->placeholders->Find(layout ? PlaceholderOf(layout) : ph, false);
    return {layout, master};
  }

  Box BoxOf(pugi::xml_node shape) const {
    if (auto box = OwnBox(shape)) return *box;
    const auto [layout, master] = Inherited(PlaceholderOf(shape));
    if (layout) {
      if (auto box = OwnBox(layout)) return *box;
    }
    if (master) {
      if (auto box = OwnBox(master)) return *box;
    }
    return {};
  }

  // A box in the current group's coordinates as a provenance on the slide, in points.
  std::vector<Provenance> ProvOf(const Box& box, std::size_t chars = 0) const {
    Provenance p;
    p.page_no = page_;
    const double left = xform_.sx * static_cast<double>(box.x) + xform_.dx;
    const double top = xform_.sy * static_cast<double>(box.y) + xform_.dy;
    p.bbox = {left / kEmuPerPoint, top / kEmuPerPoint,
              (left + xform_.sx * static_cast<double>(box.cx)) / kEmuPerPoint,
              (top + xform_.sy * static_cast<double>(box.cy)) / kEmuPerPoint, false};
    p.char_end = static_cast<int>(chars);
    return {p};
  }

  // The shapes of a tree in reading order: top to bottom, shapes whose tops are close forming
  // a row read left to right.
  std::vector<std::pair<pugi::xml_node, Box>> ReadingOrder(pugi::xml_node tree) const {
    std::vector<std::pair<pugi::xml_node, Box>> shapes;
    ForEachShape(tree, [&](pugi::xml_node s) { shapes.emplace_back(s, BoxOf(s)); });
    std::stable_sort(shapes.begin(), shapes.end(),
                     [](const auto& a, const auto& b) { return a.second.y < b.second.y; });
    const auto tolerance = static_cast<long long>(
        std::min(1e15, static_cast<double>(height_) / 50 / std::max(xform_.sy, 1e-9)));
    std::size_t row = 0;
    for (std::size_t i = 1; i <= shapes.size(); ++i) {
      if (i == shapes.size() || shapes[i].second.y - shapes[row].second.y > tolerance) {
        std::stable_sort(shapes.begin() + static_cast<std::ptrdiff_t>(row),
                         shapes.begin() + static_cast<std::ptrdiff_t>(i),
                         [](const auto& a, const auto& b) { return a.second.x < b.second.x; });
        row = i;
      }
    }
    return shapes;
  }

  void EmitShapes(pugi::xml_node tree, Ref parent, int depth) {
    if (depth > kMaxDepth) {
      doc_.warnings.push_back("slide " + std::to_string(page_) +
                              ": group shapes nested too deep, the inner ones skipped");
      return;
    }
    for (const auto& [shape, box] : ReadingOrder(tree)) {
      const std::string_view kind = LocalName(shape.name());
      if (kind == "sp") {
        EmitText(shape, box, parent);
      } else if (kind == "pic") {
        EmitPicture(shape, box, parent);
      } else if (kind == "graphicFrame") {
        EmitFrame(shape, box, parent);
      } else if (kind == "grpSp") {
        // Children are placed in the group's own coordinates (chOff / chExt) scaled to its box.
        const Transform saved = xform_;
        const pugi::xml_node xfrm = Child(Child(shape, "grpSpPr"), "xfrm");
        const auto ch_off = Child(xfrm, "chOff"), ch_ext = Child(xfrm, "chExt");
        const double cx = static_cast<double>(ToInt(ch_ext.attribute("cx")));
        const double cy = static_cast<double>(ToInt(ch_ext.attribute("cy")));
        const double sx = cx > 0 && box.cx > 0 ? static_cast<double>(box.cx) / cx : 1;
        const double sy = cy > 0 && box.cy > 0 ? static_cast<double>(box.cy) / cy : 1;
        const double ox =
            static_cast<double>(box.x) - sx * static_cast<double>(ToInt(ch_off.attribute("x")));
        const double oy =
            static_cast<double>(box.y) - sy * static_cast<double>(ToInt(ch_off.attribute("y")));
        const Transform inner{saved.sx * sx, saved.sy * sy, saved.sx * ox + saved.dx,
                              saved.sy * oy + saved.dy};
        if (std::isfinite(inner.sx) && std::isfinite(inner.sy) && std::isfinite(inner.dx) &&
            std::isfinite(inner.dy)) {
          xform_ = inner;
        }
        EmitShapes(shape, parent, depth + 1);
        xform_ = saved;
      }
    }
  }

  // The bullet of a paragraph at `level` in `shape`, through the style hierarchy.
  Bullet ResolveBullet(pugi::xml_node paragraph, int level, pugi::xml_node shape,
                       const Placeholder& ph,
                       const std::pair<pugi::xml_node, pugi::xml_node>& inherited) const {
    Bullet b = BulletOf(Child(paragraph, "pPr"));
    if (b.kind != Bullet::kUnset) return b;
    b = BulletOf(LevelStyle(Child(Child(shape, "txBody"), "lstStyle"), level));
    if (b.kind != Bullet::kUnset || !ph.present) return b;
    for (pugi::xml_node from : {inherited.first, inherited.second}) {
      if (!from) continue;
      b = BulletOf(LevelStyle(Child(Child(from, "txBody"), "lstStyle"), level));
      if (b.kind != Bullet::kUnset) return b;
    }
    if (!master_) return b;
    const std::string type = NormalType(ph.type);
    const char* style = type == "title"         ? "titleStyle"
                        : IsFurnitureType(type) ? "otherStyle"
                                                : "bodyStyle";
    return BulletOf(LevelStyle(Child(Child(master_->root, "txStyles"), style), level));
  }

  void EmitText(pugi::xml_node shape, const Box& box, Ref parent) {
    const pugi::xml_node body = Child(shape, "txBody");
    if (!body) return;
    const Placeholder ph = PlaceholderOf(shape);
    if (ph.present && NormalType(ph.type) == "title") {
      std::string title;
      for (pugi::xml_node p : body.children()) {
        if (LocalName(p.name()) != "p") continue;
        title += ParagraphText(p);
        title += ' ';
      }
      std::string text = NormalizeSpace(title);
      if (text.empty()) return;
      const Ref r = doc_.AddText(parent, TextLabel::kTitle, text);
      doc_.text(r).prov = ProvOf(box, text.size());
      return;
    }
    if (ph.present && IsFurnitureType(ph.type)) {
      std::string text;
      for (pugi::xml_node p : body.children()) {
        if (LocalName(p.name()) == "p") text += ParagraphText(p) + " ";
      }
      text = NormalizeSpace(text);
      if (text.empty()) return;
      const Ref r = doc_.AddText(
          kFurnitureRef, ph.type == "hdr" ? TextLabel::kPageHeader : TextLabel::kPageFooter, text);
      doc_.text(r).prov = ProvOf(box, text.size());
      return;
    }

    const auto inherited = Inherited(ph);
    struct Level {
      int level;
      Ref group;
      Ref last_item;
      int next_number;
      bool numbered_started;
    };
    std::vector<Level> lists;
    for (pugi::xml_node p : body.children()) {
      if (LocalName(p.name()) != "p") continue;
      const std::string raw = ParagraphText(p);
      std::string text = NormalizeSpace(raw);
      if (text.empty()) continue;
      const int level = std::clamp(Child(p, "pPr").attribute("lvl").as_int(0), 0, 8);
      const Bullet bullet = ResolveBullet(p, level, shape, ph, inherited);
      if (bullet.kind != Bullet::kBullet && bullet.kind != Bullet::kNumber) {
        lists.clear();
        const Ref r = doc_.AddText(parent, TextLabel::kText, text);
        doc_.text(r).orig = raw;
        doc_.text(r).prov = ProvOf(box, text.size());
        continue;
      }
      while (lists.size() > 1 && lists.back().level > level) lists.pop_back();
      if (lists.empty() || lists.back().level < level) {
        const Ref owner = lists.empty() ? parent : lists.back().last_item;
        lists.push_back({level, doc_.AddGroup(owner, GroupLabel::kList), {}, 1, false});
      }
      Level& list = lists.back();
      const bool numbered = bullet.kind == Bullet::kNumber;
      std::string marker = "-";
      if (numbered) {
        if (!list.numbered_started) list.next_number = bullet.start;
        list.numbered_started = true;
        marker = std::to_string(list.next_number++) + ".";
      }
      const Ref r = doc_.AddListItem(list.group, text, numbered, std::move(marker));
      doc_.text(r).orig = raw;
      doc_.text(r).prov = ProvOf(box, text.size());
      list.last_item = r;
    }
  }

  void EmitPicture(pugi::xml_node shape, const Box& box, Ref parent) {
    const pugi::xml_node blip = Child(Child(shape, "blipFill"), "blip");
    if (!blip) return;
    auto picture = EmbeddedPicture(zip_, rels_, types_, Attr(blip, "embed", true).value());
    if (!picture) return;
    picture->prov = ProvOf(box);
    doc_.AddPicture(parent, std::move(*picture));
  }

  void EmitFrame(pugi::xml_node shape, const Box& box, Ref parent) {
    const pugi::xml_node data = Child(Child(shape, "graphic"), "graphicData");
    if (const pugi::xml_node tbl = Child(data, "tbl")) {
      EmitTable(tbl, box, parent);
    } else if (const pugi::xml_node chart = Child(data, "chart")) {
      const auto it = rels_.find(Attr(chart, "id", true).value());
      if (it != rels_.end() && !it->second.external) {
        AddChart(doc_, parent, zip_, it->second.target, ProvOf(box));
      }
    }
  }

  void EmitTable(pugi::xml_node tbl, const Box& box, Ref parent) {
    TableItem table;
    table.prov = ProvOf(box);
    int grid_cols = 0;
    for (pugi::xml_node c : Child(tbl, "tblGrid").children()) {
      if (LocalName(c.name()) == "gridCol") ++grid_cols;
    }
    std::vector<pugi::xml_node> rows;
    for (pugi::xml_node r : tbl.children()) {
      if (LocalName(r.name()) == "tr") rows.push_back(r);
    }
    int cols = grid_cols;
    for (pugi::xml_node r : rows) {
      int n = 0;
      for (pugi::xml_node c : r.children()) n += LocalName(c.name()) == "tc";
      cols = std::max(cols, n);
    }
    table.num_rows = static_cast<int>(rows.size());
    table.num_cols = cols;
    if (static_cast<std::size_t>(table.num_rows) * static_cast<std::size_t>(cols) >
        kMaxTableCells) {
      doc_.warnings.push_back("slide " + std::to_string(page_) + ": a table too large, skipped");
      return;
    }
    for (int r = 0; r < table.num_rows; ++r) {
      int c = 0;
      for (pugi::xml_node tc : rows[static_cast<std::size_t>(r)].children()) {
        if (LocalName(tc.name()) != "tc") continue;
        const int col = c++;
        if (tc.attribute("hMerge").as_bool() || tc.attribute("vMerge").as_bool()) continue;
        TableCell cell;
        std::string text;
        for (pugi::xml_node p : Child(tc, "txBody").children()) {
          if (LocalName(p.name()) == "p") text += ParagraphText(p) + "\n";
        }
        cell.text = NormalizeSpace(text);
        cell.start_row = r;
        cell.end_row = std::min(table.num_rows, r + std::max(1, tc.attribute("rowSpan").as_int(1)));
        cell.start_col = col;
        cell.end_col = std::min(cols, col + std::max(1, tc.attribute("gridSpan").as_int(1)));
        cell.column_header = r == 0;
        table.cells.push_back(std::move(cell));
      }
    }
    if (table.num_rows > 0 && table.num_cols > 0) doc_.AddTable(parent, std::move(table));
  }

  void ReadNotes(const std::string& path, Ref slide) {
    if (!zip_.Has(path)) return;
    auto xml = zip_.ReadXml(path);
    if (!xml) return;
    const pugi::xml_node tree = Child(Child((*xml)->document_element(), "cSld"), "spTree");
    ForEachShape(tree, [&](pugi::xml_node shape) {
      const Placeholder ph = PlaceholderOf(shape);
      if (!ph.present || ph.type != "body") return;
      std::string orig;
      for (pugi::xml_node p : Child(shape, "txBody").children()) {
        if (LocalName(p.name()) != "p") continue;
        const std::string t = ParagraphText(p);
        if (t.empty()) continue;
        if (!orig.empty()) orig += '\n';
        orig += t;
      }
      std::string text = NormalizeSpace(orig);
      if (text.empty()) return;
      const Ref r = doc_.AddText(slide, TextLabel::kText, text);
      auto& item = doc_.text(r);
      item.orig = orig;
      item.layer = ContentLayer::kFurniture;
      Provenance p;
      p.page_no = page_;
      p.bbox.origin_bottom_left = false;
      p.char_end = static_cast<int>(text.size());
      item.prov = {p};
    });
  }

  void AddComment(Ref slide, const std::string& id, const std::string& author,
                  const std::string& time, const std::string& body) {
    const std::string text = NormalizeSpace(body);
    if (text.empty()) return;
    std::string head = "[author: " + (author.empty() ? std::string("unknown") : author);
    if (!time.empty()) head += ", time: " + time;
    const Ref group = doc_.AddGroup(slide, GroupLabel::kUnspecified,
                                    "comment-slide" + std::to_string(page_) + "-" + id);
    doc_.AddText(group, TextLabel::kText, head + "]: " + text);
  }

  void ReadComments(const std::string& path, Ref slide) {
    if (!zip_.Has(path)) return;
    auto xml = zip_.ReadXml(path);
    if (!xml) return;
    int n = 0;
    for (pugi::xml_node cm : (*xml)->document_element().children()) {
      if (LocalName(cm.name()) != "cm") continue;
      ++n;
      if (const pugi::xml_node legacy = Child(cm, "text")) {
        const auto it = authors_.find(cm.attribute("authorId").value());
        AddComment(slide, cm.attribute("idx").value(), it == authors_.end() ? "" : it->second,
                   cm.attribute("dt").value(), legacy.text().get());
        continue;
      }
      // Modern comments: the text in a:p paragraphs, replies in a reply list.
      auto modern = [&](pugi::xml_node c, const std::string& id) {
        const auto it = modern_authors_.find(c.attribute("authorId").value());
        AddComment(slide, id, it == modern_authors_.end() ? "" : it->second,
                   c.attribute("created").value(), RichText(Child(c, "txBody")));
      };
      modern(cm, std::to_string(n));
      for (pugi::xml_node reply : Child(cm, "replyLst").children()) {
        if (LocalName(reply.name()) == "reply") modern(reply, std::to_string(n));
      }
    }
  }

  ZipArchive& zip_;
  Document& doc_;
  ContentTypes types_;
  long long width_ = 0, height_ = 0;  // EMU
  std::map<std::string, std::unique_ptr<Part>> parts_;
  std::map<std::string, std::string> authors_, modern_authors_;
  // The slide being read, and the transform from the current group's coordinates to the slide's.
  struct Transform {
    double sx = 1, sy = 1, dx = 0, dy = 0;
  };
  Transform xform_;
  int page_ = 0;
  Relationships rels_;
  const Part* layout_ = nullptr;
  const Part* master_ = nullptr;
};

}  // namespace

Result<Document> ParsePptx(std::string_view bytes, std::string name, Origin origin,
                           const ZipLimits& limits) {
  auto zip = ZipArchive::Open(bytes, limits);
  if (!zip) return Fail(zip.error());
  Document doc(std::move(name), std::move(origin));
  PptxReader reader(*zip, doc);
  if (auto ok = reader.Run(); !ok) return Fail(ok.error());
  return doc;
}

}  // namespace ferry::document
