#include "document/backends/pptx.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "document/backends/ooxml.h"

namespace ferry::document {
namespace {

using namespace ooxml;  // NOLINT: the shared Office Open XML helpers

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
