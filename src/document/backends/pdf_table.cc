#include "document/backends/pdf_table.h"

#include <algorithm>
#include <cstdint>

namespace ferry::document::pdf {
namespace {

constexpr std::size_t kMinColumns = 3;     // two aligned columns are as often a form as a table
constexpr int kMinTableRows = 3;           // rows with two pieces or more
constexpr double kMaxRowGap = 2.0;         // font sizes of white between two rows of a table
constexpr std::size_t kProseChars = 30;    // a column of longer pieces reads as running text
constexpr double kContinuationGap = 0.5;   // font sizes: closer rows may be one wrapped row

struct Row {
  std::size_t first_line = 0, end_line = 0;
  double y0 = 0, y1 = 0, size = 0;
  std::vector<const TextPiece*> pieces;  // left to right
};

struct Span {
  double x0 = 0, x1 = 0;
};

int CountCodePoints(const std::string& s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Lines on one baseline (their boxes overlapping by half the smaller height) form a row.
std::vector<Row> GroupRows(const std::vector<PieceLine>& lines) {
  std::vector<Row> rows;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const PieceLine& l = lines[i];
    bool joins = false;
    if (!rows.empty()) {
      const Row& r = rows.back();
      const double overlap = std::min(r.y1, l.y1) - std::max(r.y0, l.y0);
      joins = overlap > 0.5 * std::min(r.y1 - r.y0, l.y1 - l.y0);
    }
    if (!joins) {
      Row r;
      r.first_line = i;
      r.y0 = l.y0, r.y1 = l.y1;
      rows.push_back(r);
    }
    Row& r = rows.back();
    r.end_line = i + 1;
    r.y0 = std::min(r.y0, l.y0), r.y1 = std::max(r.y1, l.y1);
    r.size = std::max(r.size, l.size);
    for (const TextPiece& p : l.pieces) r.pieces.push_back(&p);
  }
  for (Row& r : rows) {
    std::sort(r.pieces.begin(), r.pieces.end(),
              [](const TextPiece* a, const TextPiece* b) { return a->x0 < b->x0; });
  }
  return rows;
}

// The union of the pieces' x ranges of rows [first, end): the columns, left to right.
std::vector<Span> Columns(const std::vector<Row>& rows, std::size_t first, std::size_t end) {
  std::vector<Span> spans;
  for (std::size_t i = first; i < end; ++i) {
    for (const TextPiece* p : rows[i].pieces) spans.push_back({p->x0, p->x1});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.x0 < b.x0; });
  std::vector<Span> merged;
  for (const Span& s : spans) {
    if (!merged.empty() && s.x0 <= merged.back().x1) {
      merged.back().x1 = std::max(merged.back().x1, s.x1);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

std::size_t ColumnOf(const std::vector<Span>& columns, const TextPiece& p) {
  const double mid = (p.x0 + p.x1) / 2;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (mid <= columns[c].x1) return c;
  }
  return columns.size() - 1;
}

// No two pieces of one row in one column: the columns keep every row's cells apart.
bool KeepsCellsApart(const std::vector<Row>& rows, std::size_t first, std::size_t end,
                     const std::vector<Span>& columns) {
  for (std::size_t i = first; i < end; ++i) {
    std::size_t last = SIZE_MAX;
    for (const TextPiece* p : rows[i].pieces) {
      const std::size_t c = ColumnOf(columns, *p);
      if (c == last) return false;
      last = c;
    }
  }
  return true;
}

// Enough rows and columns, each column used more than once, and not columns of running text.
bool LooksLikeTable(const std::vector<Row>& rows, std::size_t first, std::size_t end,
                    const std::vector<Span>& columns) {
  if (columns.size() < kMinColumns) return false;
  int multi = 0;
  for (std::size_t i = first; i < end; ++i) multi += rows[i].pieces.size() >= 2 ? 1 : 0;
  if (multi < kMinTableRows) return false;
  std::vector<std::vector<int>> lengths(columns.size());
  std::vector<int> lower_starts(columns.size(), 0);
  for (std::size_t i = first; i < end; ++i) {
    for (const TextPiece* p : rows[i].pieces) {
      const std::size_t c = ColumnOf(columns, *p);
      lengths[c].push_back(CountCodePoints(p->text));
      lower_starts[c] += !p->text.empty() && p->text[0] >= 'a' && p->text[0] <= 'z' ? 1 : 0;
    }
  }
  std::size_t used = 0, long_columns = 0;
  for (std::size_t c = 0; c < lengths.size(); ++c) {
    std::vector<int>& l = lengths[c];
    if (l.size() >= 2) ++used;
    if (l.empty()) continue;
    const std::size_t count = l.size();
    std::nth_element(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(count / 2), l.end());
    if (static_cast<std::size_t>(l[count / 2]) <= kProseChars) continue;
    ++long_columns;
    // Long pieces that mostly go on in lower case: a paragraph wrapped beside other text.
    if (lower_starts[c] * 2 >= static_cast<int>(count)) return false;
  }
  return used >= kMinColumns && long_columns * 2 < columns.size();
}

DetectedTable MakeTable(const std::vector<Row>& rows, std::size_t first, std::size_t end,
                        const std::vector<Span>& columns, bool right_to_left) {
  DetectedTable t;
  t.first_line = rows[first].first_line;
  t.end_line = rows[end - 1].end_line;
  t.x0 = columns.front().x0, t.x1 = columns.back().x1;
  t.y0 = rows[first].y0, t.y1 = rows[end - 1].y1;
  std::vector<int> filled;  // per grid row
  double prev_y1 = 0;
  for (std::size_t i = first; i < end; ++i) {
    std::vector<std::string> cells(columns.size());
    for (const TextPiece* p : rows[i].pieces) {
      std::string& cell = cells[ColumnOf(columns, *p)];
      if (!cell.empty()) cell += ' ';
      cell += p->text;
    }
    int n = 0;
    for (const std::string& c : cells) n += c.empty() ? 0 : 1;
    // A row close under the last, with its first cell empty and fewer cells: wrapped text of
    // the row above.
    const bool continues = !t.cells.empty() && cells.front().empty() && n < filled.back() &&
                           rows[i].y0 - prev_y1 < kContinuationGap * rows[i].size;
    if (continues) {
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (cells[c].empty()) continue;
        std::string& into = t.cells.back()[c];
        if (!into.empty()) into += ' ';
        into += cells[c];
      }
    } else {
      t.cells.push_back(std::move(cells));
      filled.push_back(n);
    }
    prev_y1 = rows[i].y1;
  }
  if (right_to_left) {
    for (auto& row : t.cells) std::reverse(row.begin(), row.end());
  }
  return t;
}

}  // namespace

std::vector<DetectedTable> FindTables(const std::vector<PieceLine>& lines, bool right_to_left) {
  std::vector<DetectedTable> tables;
  const std::vector<Row> rows = GroupRows(lines);
  std::size_t i = 0;
  while (i < rows.size()) {
    if (rows[i].pieces.size() < 2) {
      ++i;
      continue;
    }
    // Grow the run while rows stay close and keep every row's cells in separate columns.
    std::vector<Span> columns = Columns(rows, i, i + 1);
    std::size_t end = i + 1;
    while (end < rows.size()) {
      const double size = std::max(rows[end].size, rows[end - 1].size);
      if (rows[end].y0 - rows[end - 1].y1 > kMaxRowGap * size) break;
      std::vector<Span> grown = Columns(rows, i, end + 1);
      if (grown.size() < 2) break;
      if (grown.size() != columns.size() && !KeepsCellsApart(rows, i, end + 1, grown)) break;
      if (grown.size() == columns.size() && !KeepsCellsApart(rows, end, end + 1, grown)) break;
      columns = std::move(grown);
      ++end;
    }
    // Single pieces after the last full row are more likely the text that follows.
    while (end > i + 1 && rows[end - 1].pieces.size() < 2) --end;
    columns = Columns(rows, i, end);
    if (LooksLikeTable(rows, i, end, columns)) {
      tables.push_back(MakeTable(rows, i, end, columns, right_to_left));
      i = end;
    } else {
      ++i;
    }
  }
  return tables;
}

}  // namespace ferry::document::pdf
