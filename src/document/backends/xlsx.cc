#include "document/backends/xlsx.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "common/utf8.h"
#include "document/backends/ooxml.h"
#include "document/memory_budget.h"

namespace ferry::document {
namespace {

using ooxml::Attr;
using ooxml::Child;
using ooxml::LocalName;
using ooxml::Relationships;

constexpr int kMaxRows = 1'048'576;
constexpr int kMaxCols = 16'384;

// A streaming reader of XML, for the parts that may be large (worksheets, shared strings): it
// walks the bytes without building a tree. Elements are reported by local name (prefix dropped),
// an empty element as a start followed by an end; text comes decoded (the five named entities and
// character references; a DTD's entities are never expanded). Mismatched or unclosed tags are
// errors.
class XmlScanner {
 public:
  enum Kind { kStart, kEnd, kText, kDone, kError };

  explicit XmlScanner(std::string_view xml) : s_(xml) {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  Kind Next() {
    if (failed_) return kError;
    if (pending_end_) {
      pending_end_ = false;
      return kEnd;
    }
    for (;;) {
      if (pos_ >= s_.size()) {
        if (!stack_.empty())
          return Error("the part ends inside <" + std::string(stack_.back()) + ">");
        if (!seen_root_) return Error("no root element");
        return kDone;
      }
      if (s_[pos_] != '<') {
        const auto end = std::min(s_.find('<', pos_), s_.size());
        const std::string_view raw = s_.substr(pos_, end - pos_);
        pos_ = end;
        if (stack_.empty()) continue;  // whitespace around the root
        text_.clear();
        AppendDecoded(raw, text_);
        return kText;
      }
      const std::string_view rest = s_.substr(pos_);
      if (rest.substr(0, 4) == "<!--") {
        const auto e = s_.find("-->", pos_ + 4);
        if (e == std::string_view::npos) return Error("unterminated comment");
        pos_ = e + 3;
        continue;
      }
      if (rest.substr(0, 9) == "<![CDATA[") {
        const auto e = s_.find("]]>", pos_ + 9);
        if (e == std::string_view::npos) return Error("unterminated CDATA section");
        text_.assign(s_.substr(pos_ + 9, e - pos_ - 9));
        pos_ = e + 3;
        if (stack_.empty()) continue;
        return kText;
      }
      if (rest.substr(0, 2) == "<?") {
        const auto e = s_.find("?>", pos_ + 2);
        if (e == std::string_view::npos) return Error("unterminated processing instruction");
        pos_ = e + 2;
        continue;
      }
      if (rest.substr(0, 2) == "<!") {  // a DOCTYPE, its internal subset skipped, never used
        int brackets = 0;
        std::size_t i = pos_ + 2;
        for (; i < s_.size(); ++i) {
          if (s_[i] == '[') ++brackets;
          if (s_[i] == ']') --brackets;
          if (s_[i] == '>' && brackets <= 0) break;
        }
        if (i >= s_.size()) return Error("unterminated DOCTYPE");
        pos_ = i + 1;
        continue;
      }
      if (rest.substr(0, 2) == "</") {
        const auto e = s_.find('>', pos_);
        if (e == std::string_view::npos) return Error("unterminated end tag");
        std::string_view name = s_.substr(pos_ + 2, e - pos_ - 2);
        while (!name.empty() && IsSpace(name.back())) name.remove_suffix(1);
        pos_ = e + 1;
        if (stack_.empty() || stack_.back() != name) {
          return Error("mismatched end tag </" + std::string(name) + ">");
        }
        stack_.pop_back();
        local_ = Local(name);
        return kEnd;
      }
      // A start tag: find its end outside quoted attribute values.
      std::size_t i = pos_ + 1;
      char quote = 0;
      for (; i < s_.size(); ++i) {
        const char c = s_[i];
        if (quote) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '>') {
          break;
        } else if (c == '<') {
          return Error("'<' inside a tag");
        }
      }
      if (i >= s_.size()) return Error("unterminated start tag");
      std::string_view inner = s_.substr(pos_ + 1, i - pos_ - 1);
      pos_ = i + 1;
      const bool empty = !inner.empty() && inner.back() == '/';
      if (empty) inner.remove_suffix(1);
      std::size_t name_end = 0;
      while (name_end < inner.size() && !IsSpace(inner[name_end])) ++name_end;
      const std::string_view qname = inner.substr(0, name_end);
      if (qname.empty()) return Error("a tag without a name");
      if (stack_.empty() && seen_root_) return Error("content after the root element");
      seen_root_ = true;
      attrs_ = inner.substr(name_end);
      local_ = Local(qname);
      if (empty) {
        pending_end_ = true;
      } else {
        if (stack_.size() >= kMaxDepth) return Error("elements nested too deep");
        stack_.push_back(qname);
      }
      return kStart;
    }
  }

  // The current element's local name (start and end).
  std::string_view name() const { return local_; }
  const std::string& text() const { return text_; }
  const std::string& error() const { return error_; }

  // An attribute of the current start tag by local name, decoded; "" when absent.
  std::string Attr(std::string_view local) const {
    std::string_view a = attrs_;
    while (!a.empty()) {
      while (!a.empty() && IsSpace(a.front())) a.remove_prefix(1);
      const auto eq = a.find('=');
      if (eq == std::string_view::npos) break;
      std::string_view name = a.substr(0, eq);
      while (!name.empty() && IsSpace(name.back())) name.remove_suffix(1);
      a.remove_prefix(eq + 1);
      while (!a.empty() && IsSpace(a.front())) a.remove_prefix(1);
      if (a.empty() || (a.front() != '"' && a.front() != '\'')) break;
      const char quote = a.front();
      const auto close = a.find(quote, 1);
      if (close == std::string_view::npos) break;
      if (Local(name) == local) {
        std::string out;
        AppendDecoded(a.substr(1, close - 1), out);
        return out;
      }
      a.remove_prefix(close + 1);
    }
    return "";
  }

 private:
  static constexpr std::size_t kMaxDepth = 256;

  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
  static std::string_view Local(std::string_view q) {
    const auto colon = q.find(':');
    return colon == std::string_view::npos ? q : q.substr(colon + 1);
  }

    static void AppendDecoded(std::string_view raw, std::string& out) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const auto semi = raw.find(';', i);
      if (semi == std::string_view::npos || semi - i > 12) {
        out += '&';
        continue;
      }
      const std::string_view entity = raw.substr(i + 1, semi - i - 1);
      if (entity == "lt") {
        out += '<';
      } else if (entity == "gt") {
        out += '>';
      } else if (entity == "amp") {
        out += '&';
      } else if (entity == "quot") {
        out += '"';
      } else if (entity == "apos") {
        out += '\'';
      } else if (entity.size() > 1 && entity[0] == '#') {
        const bool hex = entity[1] == 'x' || entity[1] == 'X';
        const std::string_view digits = entity.substr(hex ? 2 : 1);
        unsigned long cp = 0;
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
        if (ec != std::errc() || end != digits.data() + digits.size() || cp == 0 || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
          out.append(raw.substr(i, semi - i + 1));
        } else {
          ferry::AppendUtf8(out, cp);
        }
      } else {
        out.append(raw.substr(i, semi - i + 1));  // an entity a DTD would declare: left as is
      }
      i = semi;
    }
  }

  Kind Error(std::string message) {
    failed_ = true;
    error_ = std::move(message) + " at byte " + std::to_string(pos_);
    return kError;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::vector<std::string_view> stack_;
  std::string_view local_;
  std::string_view attrs_;
  std::string text_;
  std::string error_;
  bool pending_end_ = false;
  bool seen_root_ = false;
  bool failed_ = false;
};

// "AB12" -> row 11, column 27 (0-based); false when it is not a cell reference in range.
bool ParseCellRef(std::string_view ref, int& row, int& col) {
  std::size_t i = 0;
  long c = 0;
  while (i < ref.size() && ref[i] == '$') ++i;
  const std::size_t letters = i;
  while (i < ref.size() && ((ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= 'a' && ref[i] <= 'z'))) {
    c = c * 26 + ((ref[i] | 0x20) - 'a' + 1);
    if (c > kMaxCols) return false;
    ++i;
  }
  if (i == letters) return false;
  while (i < ref.size() && ref[i] == '$') ++i;
  long r = 0;
  const std::size_t digits = i;
  while (i < ref.size() && ref[i] >= '0' && ref[i] <= '9') {
    r = r * 10 + (ref[i] - '0');
    if (r > kMaxRows) return false;
    ++i;
  }
  if (i == digits || i != ref.size() || r < 1) return false;
  row = static_cast<int>(r - 1);
  col = static_cast<int>(c - 1);
  return true;
}

struct Rect {
  int r0 = 0, c0 = 0, r1 = 0, c1 = 0;  // inclusive
};

bool ParseRange(std::string_view ref, Rect& rect) {
  const auto colon = ref.find(':');
  if (!ParseCellRef(ref.substr(0, colon), rect.r0, rect.c0)) return false;
  if (colon == std::string_view::npos) {
    rect.r1 = rect.r0;
    rect.c1 = rect.c0;
    return true;
  }
  if (!ParseCellRef(ref.substr(colon + 1), rect.r1, rect.c1)) return false;
  if (rect.r1 < rect.r0) std::swap(rect.r0, rect.r1);
  if (rect.c1 < rect.c0) std::swap(rect.c0, rect.c1);
  return true;
}

// Whether a number format shows dates or times: its code, quoted text, escapes and bracketed
// parts (colours, conditions, locales; elapsed-time [h] [m] [s] excepted) left out, has a day,
// month, year, hour or second.
bool IsDateFormat(int id, std::string_view code) {
  if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
      (id >= 50 && id <= 58)) {
    return true;
  }
  if (code.empty()) return false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') {
      const auto close = code.find('"', i + 1);
      if (close == std::string_view::npos) return false;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (c == '[') {
      const auto close = code.find(']', i + 1);
      if (close == std::string_view::npos) return false;
      const std::string_view inside = code.substr(i + 1, close - i - 1);
      if (!inside.empty() && inside.find_first_not_of("hHmMsS") == std::string_view::npos) {
        return true;
      }
      i = close;
    } else if (std::string_view("dDmMyYhHsS").find(c) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

// Days since 1970-01-01 -> civil date (proleptic Gregorian).
void CivilFromDays(long long z, long long& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

// An Excel date serial as "YYYY-MM-DD HH:MM:SS" (a time of day alone, under 1, as "HH:MM:SS").
std::string FormatSerialDate(double serial, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial > 2958466) {
    return ooxml::FormatGeneralNumber(serial);
  }
  const long long ms_total = std::llround(serial * 86'400'000.0);
  long long day = ms_total / 86'400'000;
  long long ms = ms_total % 86'400'000;
  char time[32];
  const long long secs = ms / 1000;
  if (ms % 1000) {
    std::snprintf(time, sizeof(time), "%02lld:%02lld:%02lld.%03lld000", secs / 3600, secs / 60 % 60,
                  secs % 60, ms % 1000);
  } else {
    std::snprintf(time, sizeof(time), "%02lld:%02lld:%02lld", secs / 3600, secs / 60 % 60,
                  secs % 60);
  }
  if (day == 0 && serial < 1 && !date1904) return time;
  // Day 0 of the 1900 system is 1899-12-31 before its phantom 1900-02-29 (serial 60), 1899-12-30
  // after it; the 1904 system counts from 1904-01-01.
  long long epoch = date1904 ? -24107 : -25569;  // days from 1970-01-01
  if (!date1904 && serial < 60) day += 1;
  long long y;
  unsigned m, d;
  CivilFromDays(epoch + day, y, m, d);
  char out[64];
  std::snprintf(out, sizeof(out), "%04lld-%02u-%02u %s", y, m, d, time);
  return out;
}

struct Styles {
  std::vector<bool> is_date;  // by cell format (xf) index
  bool date1904 = false;
};

Styles ReadStyles(ZipArchive& zip, const std::string& path) {
  Styles styles;
  if (path.empty() || !zip.Has(path)) return styles;
  auto xml = zip.ReadXml(path);
  if (!xml) return styles;
  const pugi::xml_node root = Child(**xml, "styleSheet");
  std::map<int, std::string> codes;
  for (pugi::xml_node f : Child(root, "numFmts").children()) {
    if (LocalName(f.name()) == "numFmt") {
      codes[f.attribute("numFmtId").as_int(-1)] = f.attribute("formatCode").value();
    }
  }
  for (pugi::xml_node xf : Child(root, "cellXfs").children()) {
    if (LocalName(xf.name()) != "xf") continue;
    const int id = xf.attribute("numFmtId").as_int(0);
    const auto it = codes.find(id);
    styles.is_date.push_back(IsDateFormat(id, it == codes.end() ? "" : it->second));
  }
  return styles;
}

Result<std::vector<std::string>> ReadSharedStrings(ZipArchive& zip, const std::string& path,
                                                   std::size_t max_strings) {
  std::vector<std::string> strings;
  if (path.empty() || !zip.Has(path)) return strings;
  auto bytes = zip.Read(path);
  if (!bytes) return Fail(bytes.error());
  XmlScanner scan(*bytes);
  bool in_si = false, in_t = false;
  int phonetic = 0;
  std::string current;
  for (;;) {
    const auto kind = scan.Next();
    if (kind == XmlScanner::kError) {
      return Fail(ErrorCode::kInvalidParams, "malformed XML in part " + path + ": " + scan.error());
    }
    if (kind == XmlScanner::kDone) break;
    const std::string_view n = scan.name();
    if (kind == XmlScanner::kStart) {
      if (n == "si") {
        in_si = true;
        current.clear();
      } else if (n == "rPh") {
        ++phonetic;
      } else if (n == "t" && in_si && phonetic == 0) {
        in_t = true;
      }
    } else if (kind == XmlScanner::kText) {
      if (in_t) current += scan.text();
    } else if (kind == XmlScanner::kEnd) {
      if (n == "t") {
        in_t = false;
      } else if (n == "rPh") {
        --phonetic;
      } else if (n == "si" && in_si) {
        in_si = false;
        if (strings.size() >= max_strings) {
          return Fail(
              ErrorCode::kInvalidParams,
              "workbook too large: more than " + std::to_string(max_strings) + " shared strings");
        }
        strings.push_back(std::move(current));
        current.clear();
      }
    }
  }
  return strings;
}

struct RawCell {
  int row = 0, col = 0;
  std::string text;
};

struct SheetData {
  std::vector<RawCell> cells;
  std::vector<Rect> merges;
  std::string drawing;  // relationship id
};

struct CellContext {
  const std::vector<std::string>& strings;
  const Styles& styles;
};

std::string CellText(const CellContext& ctx, std::string_view type, int style,
                     const std::string& value, const std::string& inline_text, bool has_inline) {
  if (type == "s") {
    std::size_t i = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), i);
    if (ec != std::errc() || i >= ctx.strings.size()) return "";
    return ctx.strings[i];
  }
  if (type == "inlineStr") return has_inline ? inline_text : value;
  if (type == "str" || type == "e") return value;
  if (type == "b") {
    if (value.empty()) return "";
    return value == "1" || value == "true" ? "TRUE" : "FALSE";
  }
  if (type == "d") {
    std::string s = value;
    std::replace(s.begin(), s.end(), 'T', ' ');
    return s;
  }
  if (value.empty()) return "";
  const bool date = style >= 0 && static_cast<std::size_t>(style) < ctx.styles.is_date.size() &&
                    ctx.styles.is_date[static_cast<std::size_t>(style)];
  if (date) {
    double serial = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), serial);
    if (ec == std::errc() && end == value.data() + value.size()) {
      return FormatSerialDate(serial, ctx.styles.date1904);
    }
  }
  return ooxml::FormatGeneralNumber(value);
}

Result<SheetData> ScanSheet(std::string_view xml, const std::string& path, const CellContext& ctx,
                            std::size_t& budget, std::size_t max_cells) {
  SheetData sheet;
  XmlScanner scan(xml);
  int row = -1, next_col = 0;
  bool in_cell = false, in_v = false, in_is = false, in_t = false, has_inline = false;
  int phonetic = 0;
  int cell_row = 0, cell_col = 0, style = -1;
  std::string type, value, inline_text;
  for (;;) {
    const auto kind = scan.Next();
    if (kind == XmlScanner::kError) {
      return Fail(ErrorCode::kInvalidParams, "malformed XML in part " + path + ": " + scan.error());
    }
    if (kind == XmlScanner::kDone) break;
    const std::string_view n = scan.name();
    if (kind == XmlScanner::kStart) {
      if (n == "row") {
        const std::string r = scan.Attr("r");
        int parsed = 0;
        const auto [end, ec] = std::from_chars(r.data(), r.data() + r.size(), parsed);
        row = (!r.empty() && ec == std::errc() && parsed >= 1 && parsed <= kMaxRows) ? parsed - 1
                                                                                     : row + 1;
        next_col = 0;
      } else if (n == "c") {
        in_cell = true;
        if (!ParseCellRef(scan.Attr("r"), cell_row, cell_col)) {
          cell_row = std::max(row, 0);
          cell_col = next_col;
        }
        type = scan.Attr("t");
        const std::string s = scan.Attr("s");
        style = s.empty() ? -1 : std::atoi(s.c_str());
        value.clear();
        inline_text.clear();
        has_inline = false;
      } else if (n == "v" && in_cell) {
        in_v = true;
      } else if (n == "is" && in_cell) {
        in_is = has_inline = true;
      } else if (n == "rPh") {
        ++phonetic;
      } else if (n == "t" && in_is && phonetic == 0) {
        in_t = true;
      } else if (n == "mergeCell") {
        Rect rect;
        if (ParseRange(scan.Attr("ref"), rect)) sheet.merges.push_back(rect);
      } else if (n == "drawing") {
        sheet.drawing = scan.Attr("id");
      }
    } else if (kind == XmlScanner::kText) {
      if (in_v) {
        value += scan.text();
      } else if (in_t) {
        inline_text += scan.text();
      }
    } else {  // kEnd
      if (n == "v") {
        in_v = false;
      } else if (n == "t") {
        in_t = false;
      } else if (n == "rPh") {
        --phonetic;
      } else if (n == "is") {
        in_is = false;
      } else if (n == "c" && in_cell) {
        in_cell = false;
        next_col = cell_col + 1;
        if (next_col >= kMaxCols) next_col = kMaxCols - 1;
        std::string text = CellText(ctx, type, style, value, inline_text, has_inline);
        if (text.empty()) continue;
        if (budget == 0 || !MemoryBudget::Charge(sizeof(sheet.cells.front()) + text.size())) {
          return Fail(ErrorCode::kInvalidParams,
                      "workbook too large: more than " + std::to_string(max_cells) + " cells");
        }
        --budget;
        sheet.cells.push_back({cell_row, cell_col, std::move(text)});
      }
    }
  }
  return sheet;
}

// The cells of a sheet, sparse: sorted keys, with the cell (index into the sheet's cells) and
// the merged range (index) at each.
struct Occupancy {
  std::vector<std::uint64_t> keys;
  std::vector<int> cell;   // -1: none (a covered part of a merged range)
  std::vector<int> merge;  // -1: none

  static std::uint64_t Key(int row, int col) {
    return (static_cast<std::uint64_t>(row) << 15) | static_cast<std::uint64_t>(col);
  }
  static int Row(std::uint64_t key) { return static_cast<int>(key >> 15); }
  static int Col(std::uint64_t key) { return static_cast<int>(key & 0x7FFF); }

  // Index of the key, or -1.
  long Find(int row, int col) const {
    if (row < 0 || col < 0 || row >= kMaxRows || col >= kMaxCols) return -1;
    const auto key = Key(row, col);
    const auto it = std::lower_bound(keys.begin(), keys.end(), key);
    return it != keys.end() && *it == key ? static_cast<long>(it - keys.begin()) : -1;
  }
};

struct Region {
  Rect box;
  TableItem table;
};

// Splits a sheet into its connected regions of non-empty cells (merged ranges count as filled),
// one table each, in the order a row-by-row scan meets them.
Result<std::vector<Region>> FindRegions(SheetData& sheet, const std::string& sheet_name,
                                        std::size_t& budget, std::size_t& area_budget,
                                        std::size_t max_cells) {
  std::vector<Region> regions;
  auto& cells = sheet.cells;
  if (cells.empty()) return regions;
  // Sort by position; a cell written twice keeps its last value.
  std::stable_sort(cells.begin(), cells.end(), [](const RawCell& a, const RawCell& b) {
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  std::vector<RawCell> unique;
  unique.reserve(cells.size());
  for (auto& c : cells) {
    if (!unique.empty() && unique.back().row == c.row && unique.back().col == c.col) {
      unique.back() = std::move(c);
    } else {
      unique.push_back(std::move(c));
    }
  }
  cells = std::move(unique);
  Rect bounds{cells.front().row, cells.front().col, cells.front().row, cells.front().col};
  for (const auto& c : cells) {
    bounds.r0 = std::min(bounds.r0, c.row);
    bounds.r1 = std::max(bounds.r1, c.row);
    bounds.c0 = std::min(bounds.c0, c.col);
    bounds.c1 = std::max(bounds.c1, c.col);
  }

  // Merged ranges clipped to the data (a range reaching past every value holds nothing there).
  std::vector<Rect> merges;
  for (Rect m : sheet.merges) {
    m.r0 = std::max(m.r0, bounds.r0);
    m.c0 = std::max(m.c0, bounds.c0);
    m.r1 = std::min(m.r1, bounds.r1);
    m.c1 = std::min(m.c1, bounds.c1);
    if (m.r0 > m.r1 || m.c0 > m.c1 || (m.r0 == m.r1 && m.c0 == m.c1)) continue;
    const std::size_t area =
        static_cast<std::size_t>(m.r1 - m.r0 + 1) * static_cast<std::size_t>(m.c1 - m.c0 + 1);
    if (area > budget) {
      return Fail(ErrorCode::kInvalidParams, "workbook too large: more than " +
                                                 std::to_string(max_cells) +
                                                 " cells (merged ranges counted by area)");
    }
    budget -= area;
    merges.push_back(m);
  }
  sheet.merges = merges;

  struct Entry {
    std::uint64_t key;
    int cell, merge;
  };
  std::vector<Entry> entries;
  entries.reserve(cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    entries.push_back({Occupancy::Key(cells[i].row, cells[i].col), static_cast<int>(i), -1});
  }
  for (std::size_t m = 0; m < merges.size(); ++m) {
    for (int r = merges[m].r0; r <= merges[m].r1; ++r) {
      for (int c = merges[m].c0; c <= merges[m].c1; ++c) {
        entries.push_back({Occupancy::Key(r, c), -1, static_cast<int>(m)});
      }
    }
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : a.cell > b.cell;  // a cell before merges at one key
  });
  Occupancy occ;
  occ.keys.reserve(entries.size());
  for (const auto& e : entries) {
    if (!occ.keys.empty() && occ.keys.back() == e.key) {
      if (occ.merge.back() < 0) occ.merge.back() = e.merge;  // overlapping ranges: the first wins
      continue;
    }
    occ.keys.push_back(e.key);
    occ.cell.push_back(e.cell);
    occ.merge.push_back(e.merge);
  }
  entries = {};

  std::vector<std::uint8_t> visited(occ.keys.size(), 0);
  std::vector<int> emitted(merges.size(), -1);  // the region a merged range was emitted in
  std::vector<std::size_t> queue, members;
  for (std::size_t start = 0; start < occ.keys.size(); ++start) {
    if (visited[start]) continue;
    queue.assign(1, start);
    members.clear();
    visited[start] = 1;
    Rect box{Occupancy::Row(occ.keys[start]), Occupancy::Col(occ.keys[start]),
             Occupancy::Row(occ.keys[start]), Occupancy::Col(occ.keys[start])};
    while (!queue.empty()) {
      const std::size_t i = queue.back();
      queue.pop_back();
      members.push_back(i);
      const int r = Occupancy::Row(occ.keys[i]), c = Occupancy::Col(occ.keys[i]);
      box.r0 = std::min(box.r0, r);
      box.r1 = std::max(box.r1, r);
      box.c0 = std::min(box.c0, c);
      box.c1 = std::max(box.c1, c);
      for (const auto& [dr, dc] : {std::pair{-1, 0}, {1, 0}, {0, -1}, {0, 1}}) {
        const long j = occ.Find(r + dr, c + dc);
        if (j >= 0 && !visited[static_cast<std::size_t>(j)]) {
          visited[static_cast<std::size_t>(j)] = 1;
          queue.push_back(static_cast<std::size_t>(j));
        }
      }
    }
    const std::size_t area = static_cast<std::size_t>(box.r1 - box.r0 + 1) *
                             static_cast<std::size_t>(box.c1 - box.c0 + 1);
    if (area > area_budget) {
      return Fail(ErrorCode::kInvalidParams,
                  "sheet " + sheet_name + ": its tables span more than " +
                      std::to_string(max_cells * 4) + " cells (too large to convert)");
    }
    area_budget -= area;
    const int region = static_cast<int>(regions.size());
    Region out;
    out.box = box;
    TableItem& table = out.table;
    table.num_rows = box.r1 - box.r0 + 1;
    table.num_cols = box.c1 - box.c0 + 1;
    bool any_text = false;
    for (const std::size_t i : members) {
      TableCell cell;
      const int m = occ.merge[i];
      if (m >= 0) {
        if (emitted[static_cast<std::size_t>(m)] == region) continue;
        emitted[static_cast<std::size_t>(m)] = region;
        const Rect& rect = merges[static_cast<std::size_t>(m)];
        const long top_left = occ.Find(rect.r0, rect.c0);
        if (top_left >= 0 && occ.cell[static_cast<std::size_t>(top_left)] >= 0) {
          auto& raw =
              cells[static_cast<std::size_t>(occ.cell[static_cast<std::size_t>(top_left)])].text;
          cell.text = NormalizeSpace(raw);
          std::string().swap(raw);  // each value is used once: free it as the table grows
        }
        cell.start_row = rect.r0 - box.r0;
        cell.end_row = rect.r1 - box.r0 + 1;
        cell.start_col = rect.c0 - box.c0;
        cell.end_col = rect.c1 - box.c0 + 1;
      } else {
        RawCell& raw = cells[static_cast<std::size_t>(occ.cell[i])];
        cell.text = NormalizeSpace(raw.text);
        std::string().swap(raw.text);
        cell.start_row = raw.row - box.r0;
        cell.end_row = cell.start_row + 1;
        cell.start_col = raw.col - box.c0;
        cell.end_col = cell.start_col + 1;
      }
      any_text = any_text || !cell.text.empty();
      cell.column_header = cell.start_row == 0;
      table.cells.push_back(std::move(cell));
    }
    if (!any_text) continue;
    std::sort(table.cells.begin(), table.cells.end(), [](const TableCell& a, const TableCell& b) {
      return a.start_row != b.start_row ? a.start_row < b.start_row : a.start_col < b.start_col;
    });
    regions.push_back(std::move(out));
  }
  return regions;
}

// Something placed on a sheet, emitted in the order of its top-left cell.
struct Placed {
  long long row = 0, col = 0;
  std::function<void(Ref parent)> emit;
};

std::string CommentTime(std::string_view time) {
  std::string t(time);
  const auto dot = t.find('.');
  if (dot == std::string::npos) return t;
  std::size_t end = dot + 1;
  while (end < t.size() && t[end] >= '0' && t[end] <= '9') ++end;
  std::string fraction = t.substr(dot + 1, end - dot - 1);
  fraction.resize(3, '0');
  return t.substr(0, dot + 1) + fraction + t.substr(end);
}

std::string AllText(pugi::xml_node node, int depth = 0) {
  std::string out;
  if (depth > 32) return out;
  for (pugi::xml_node n = node.first_child(); n;) {
    if (n.type() == pugi::node_element && LocalName(n.name()) == "rPh") {
      // Phonetic guides are not the text.
    } else if (n.type() == pugi::node_element && LocalName(n.name()) == "t") {
      out += n.text().get();
    } else if (n.first_child()) {
      out += AllText(n, depth + 1);
    }
    n = n.next_sibling();
  }
  return out;
}

class XlsxReader {
 public:
  XlsxReader(ZipArchive& zip, Document& doc, std::size_t max_cells)
      : zip_(zip),
        doc_(doc),
        types_(zip),
        max_cells_(max_cells),
        budget_(max_cells),
        area_budget_(max_cells * 4) {}

  Result<bool> Run() {
    const std::string book_path = ooxml::MainPart(zip_, "xl/workbook.xml");
    if (!zip_.Has(book_path)) {
      return Fail(ErrorCode::kInvalidParams,
                  "not an Excel workbook (the archive has no " + book_path + ")");
    }
    auto book = zip_.ReadXml(book_path);
    if (!book) return Fail(book.error());
    const pugi::xml_node root = Child(**book, "workbook");
    if (!root) {
      return Fail(ErrorCode::kInvalidParams,
                  "not an Excel workbook (" + book_path + " has no workbook element)");
    }
    const Relationships rels = ooxml::ReadRelationships(zip_, book_path);
    std::string strings_path, styles_path;
    for (const auto& [id, rel] : rels) {
      if (rel.external) continue;
      if (rel.type == "sharedStrings") strings_path = rel.target;
      if (rel.type == "styles") styles_path = rel.target;
      if (rel.type == "person") ReadPersons(rel.target);
    }
    styles_ = ReadStyles(zip_, styles_path);
    const std::string_view date1904 = Child(root, "workbookPr").attribute("date1904").value();
    styles_.date1904 = date1904 == "1" || date1904 == "true";
    auto strings = ReadSharedStrings(zip_, strings_path, max_cells_);
    if (!strings) return Fail(strings.error());
    strings_ = std::move(*strings);

    int number = 0;
    for (pugi::xml_node s : Child(root, "sheets").children()) {
      if (LocalName(s.name()) != "sheet") continue;
      const auto it = rels.find(Attr(s, "id", true).value());
      if (it == rels.end() || it->second.external) continue;
      ++number;
      const std::string_view state = s.attribute("state").value();
      auto ok = ReadSheet(it->second.target, s.attribute("name").value(), number,
                          state == "hidden" || state == "veryHidden");
      if (!ok) return Fail(ok.error());
    }
    return true;
  }

 private:
  void ReadPersons(const std::string& path) {
    if (!zip_.Has(path)) return;
    auto xml = zip_.ReadXml(path);
    if (!xml) return;
    for (pugi::xml_node p : (*xml)->document_element().children()) {
      if (LocalName(p.name()) == "person") {
        persons_[p.attribute("id").value()] = p.attribute("displayName").value();
      }
    }
  }

  Result<bool> ReadSheet(const std::string& path, const std::string& sheet_name, int number,
                         bool hidden) {
    const Ref group =
        doc_.AddGroup(hidden ? kFurnitureRef : kBodyRef, GroupLabel::kSheet, sheet_name);
    doc_.AddHeading(group, sheet_name, 1);
    doc_.pages[number] = Page{number, 0, 0};
    if (!zip_.Has(path)) {
      doc_.warnings.push_back("sheet " + sheet_name + ": missing part " + path);
      return true;
    }
    auto bytes = zip_.Read(path);
    if (!bytes) return Fail(bytes.error());
    auto sheet = ScanSheet(*bytes, path, CellContext{strings_, styles_}, budget_, max_cells_);
    if (!sheet) return Fail(sheet.error());
    bytes = std::string();
    auto regions = FindRegions(*sheet, sheet_name, budget_, area_budget_, max_cells_);
    if (!regions) return Fail(regions.error());

    long long width = 0, height = 0;
    std::vector<Placed> placed;
    for (auto& region : *regions) {
      width = std::max<long long>(width, region.box.c1 + 1);
      height = std::max<long long>(height, region.box.r1 + 1);
      Provenance p;
      p.page_no = number;
      p.bbox = {static_cast<double>(region.box.c0), static_cast<double>(region.box.r0),
                static_cast<double>(region.box.c1 + 1), static_cast<double>(region.box.r1 + 1),
                false};
      region.table.prov = {p};
      auto table = std::make_shared<TableItem>(std::move(region.table));
      placed.push_back({region.box.r0, region.box.c0,
                        [this, table](Ref parent) { doc_.AddTable(parent, std::move(*table)); }});
    }
    const Relationships rels = ooxml::ReadRelationships(zip_, path);
    if (!sheet->drawing.empty()) {
      const auto it = rels.find(sheet->drawing);
      if (it != rels.end() && !it->second.external) {
        ReadDrawing(it->second.target, number, placed, width, height);
      }
    }
    std::stable_sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
      return a.row != b.row ? a.row < b.row : a.col < b.col;
    });
    for (auto& p : placed) p.emit(group);
    doc_.pages[number] = Page{number, static_cast<double>(width), static_cast<double>(height)};
    ReadComments(rels, sheet_name, group);
    return true;
  }

  void ReadDrawing(const std::string& path, int number, std::vector<Placed>& placed,
                   long long& width, long long& height) {
    if (!zip_.Has(path)) return;
    auto xml = zip_.ReadXml(path);
    if (!xml) {
      doc_.warnings.push_back("drawing " + path + " skipped: " + xml.error().message);
      return;
    }
    const Relationships rels = ooxml::ReadRelationships(zip_, path);
    for (pugi::xml_node anchor : (*xml)->document_element().children()) {
      const std::string_view kind = LocalName(anchor.name());
      if (kind != "twoCellAnchor" && kind != "oneCellAnchor" && kind != "absoluteAnchor") {
        continue;
      }
      long long row = LLONG_MAX / 4, col = LLONG_MAX / 4, to_row = 0, to_col = 0;
      if (const pugi::xml_node from = Child(anchor, "from")) {
        row = std::clamp<long long>(Child(from, "row").text().as_llong(0), 0, kMaxRows);
        col = std::clamp<long long>(Child(from, "col").text().as_llong(0), 0, kMaxCols);
        to_row = row;
        to_col = col;
      }
      if (const pugi::xml_node to = Child(anchor, "to")) {
        to_row = std::clamp<long long>(Child(to, "row").text().as_llong(0), 0, kMaxRows);
        to_col = std::clamp<long long>(Child(to, "col").text().as_llong(0), 0, kMaxCols);
      }
      Provenance p;
      p.page_no = number;
      if (row < kMaxRows + 1) {
        p.bbox = {static_cast<double>(col), static_cast<double>(row),
                  static_cast<double>(std::max(col, to_col) + 1),
                  static_cast<double>(std::max(row, to_row) + 1), false};
      } else {
        p.bbox.origin_bottom_left = false;
      }
      bool any = false;
      CollectDrawing(anchor, rels, p, row, col, placed, any, 0);
      if (any && row < kMaxRows + 1) {
        width = std::max(width, std::max(col, to_col) + 1);
        height = std::max(height, std::max(row, to_row) + 1);
      }
    }
  }

  void CollectDrawing(pugi::xml_node node, const Relationships& rels, const Provenance& prov,
                      long long row, long long col, std::vector<Placed>& placed, bool& any,
                      int depth) {
    if (depth > 16) return;
    for (pugi::xml_node c : node.children()) {
      const std::string_view kind = LocalName(c.name());
      if (kind == "AlternateContent") {
        pugi::xml_node pick = Child(c, "Fallback");
        if (!pick) pick = Child(c, "Choice");
        CollectDrawing(pick, rels, prov, row, col, placed, any, depth + 1);
      } else if (kind == "grpSp") {
        CollectDrawing(c, rels, prov, row, col, placed, any, depth + 1);
      } else if (kind == "pic") {
        const pugi::xml_node blip = Child(Child(c, "blipFill"), "blip");
        auto picture =
            ooxml::EmbeddedPicture(zip_, rels, types_, Attr(blip, "embed", true).value());
        if (!picture) continue;
        picture->prov = {prov};
        auto item = std::make_shared<PictureItem>(std::move(*picture));
        placed.push_back(
            {row, col, [this, item](Ref parent) { doc_.AddPicture(parent, std::move(*item)); }});
        any = true;
      } else if (kind == "graphicFrame") {
        const pugi::xml_node chart = Child(Child(Child(c, "graphic"), "graphicData"), "chart");
        if (!chart) continue;
        const auto it = rels.find(Attr(chart, "id", true).value());
        if (it == rels.end() || it->second.external) continue;
        const std::string target = it->second.target;
        placed.push_back({row, col, [this, target, prov](Ref parent) {
                            ooxml::AddChart(doc_, parent, zip_, target, {prov});
                          }});
        any = true;
      } else if (kind == "sp") {
        std::vector<std::string> paragraphs;
        for (pugi::xml_node p : Child(c, "txBody").children()) {
          if (LocalName(p.name()) != "p") continue;
          std::string text;
          for (pugi::xml_node r : p.children()) {
            const std::string_view rn = LocalName(r.name());
            if (rn == "r" || rn == "fld") text += Child(r, "t").text().get();
            if (rn == "br") text += ' ';
          }
          text = NormalizeSpace(text);
          if (!text.empty()) paragraphs.push_back(std::move(text));
        }
        if (paragraphs.empty()) continue;
        placed.push_back({row, col, [this, paragraphs, prov](Ref parent) {
                            for (const auto& t : paragraphs) {
                              const Ref r = doc_.AddText(parent, TextLabel::kText, t);
                              doc_.text(r).prov = {prov};
                            }
                          }});
        any = true;
      }
    }
  }

  void ReadComments(const Relationships& rels, const std::string& sheet_name, Ref group) {
    struct Comment {
      std::string author, time, text;
    };
    std::vector<std::string> order;  // cell references, first seen first
    std::map<std::string, std::vector<Comment>> legacy, threaded;
    // Legacy notes first: they list every commented cell in the sheet's order.
    std::vector<const ooxml::Relationship*> parts;
    for (const char* type : {"comments", "threadedComment"}) {
      for (const auto& [id, rel] : rels) {
        if (rel.type == type && !rel.external && zip_.Has(rel.target)) parts.push_back(&rel);
      }
    }
    for (const ooxml::Relationship* part : parts) {
      const auto& rel = *part;
      auto xml = zip_.ReadXml(rel.target);
      if (!xml) continue;
      const pugi::xml_node root = (*xml)->document_element();
      if (rel.type == "comments") {
        std::vector<std::string> authors;
        for (pugi::xml_node a : Child(root, "authors").children()) {
          if (LocalName(a.name()) == "author") authors.emplace_back(a.text().get());
        }
        for (pugi::xml_node c : Child(root, "commentList").children()) {
          if (LocalName(c.name()) != "comment") continue;
          const std::string ref = c.attribute("ref").value();
          const std::size_t a = c.attribute("authorId").as_uint(UINT_MAX);
          const std::string author = a < authors.size() ? authors[a] : "";
          if (!legacy.count(ref) && !threaded.count(ref)) order.push_back(ref);
          legacy[ref].push_back({author, "", AllText(Child(c, "text"))});
        }
      } else {
        for (pugi::xml_node c : root.children()) {
          if (LocalName(c.name()) != "threadedComment") continue;
          const std::string ref = c.attribute("ref").value();
          const auto person = persons_.find(c.attribute("personId").value());
          if (!legacy.count(ref) && !threaded.count(ref)) order.push_back(ref);
          threaded[ref].push_back({person == persons_.end() ? "" : person->second,
                                   CommentTime(c.attribute("dT").value()),
                                   Child(c, "text").text().get()});
        }
      }
    }
    for (const auto& ref : order) {
      // A threaded comment is also written as a legacy note for older readers: read it once.
      const auto& comments = threaded.count(ref) ? threaded[ref] : legacy[ref];
      Ref comment_group{};
      bool open = false;
      for (const auto& c : comments) {
        const std::string text = NormalizeSpace(c.text);
        if (text.empty()) continue;
        if (!open) {
          comment_group =
              doc_.AddGroup(group, GroupLabel::kUnspecified, "comment-" + sheet_name + "-" + ref);
          open = true;
        }
        std::string head = "[author: " + (c.author.empty() ? std::string("unknown") : c.author);
        if (!c.time.empty()) head += ", time: " + c.time;
        doc_.AddText(comment_group, TextLabel::kText, head + "]: " + text);
      }
    }
  }

  ZipArchive& zip_;
  Document& doc_;
  ooxml::ContentTypes types_;
  std::size_t max_cells_, budget_, area_budget_;
  Styles styles_;
  std::vector<std::string> strings_;
  std::map<std::string, std::string> persons_;
};

}  // namespace

Result<Document> ParseXlsx(std::string_view bytes, std::string name, Origin origin,
                           const ZipLimits& limits, std::size_t max_cells) {
  auto zip = ZipArchive::Open(bytes, limits);
  if (!zip) return Fail(zip.error());
  Document doc(std::move(name), std::move(origin));
  XlsxReader reader(*zip, doc, max_cells);
  if (auto ok = reader.Run(); !ok) return Fail(ok.error());
  return doc;
}

}  // namespace ferry::document
