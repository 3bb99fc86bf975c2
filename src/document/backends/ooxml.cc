#include "document/backends/ooxml.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace ferry::document::ooxml {

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

namespace {

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

}  // namespace ferry::document::ooxml
