// Tables in a PDF page without ruling lines: rows of text whose pieces line up in columns.
//
// poppler-cpp gives text boxes, not the lines a table is drawn with, so a table is found from
// alignment alone: consecutive rows whose pieces (runs of words with no wide gap inside) fall
// into the same three or more column ranges, no piece of a row sharing a column with another.
// Internal to the PDF backend (pdf.cc); free of poppler so it can be tested on its own.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ferry::document::pdf {

// A run of words on one baseline with no wide gap inside: what can be a table cell.
struct TextPiece {
  std::string text;
  double x0 = 0, x1 = 0;
};

// A line of the page (top-left origin, points) with its pieces left to right.
struct PieceLine {
  double y0 = 0, y1 = 0;
  double size = 0;  // font size
  std::vector<TextPiece> pieces;
};

struct DetectedTable {
  std::size_t first_line = 0, end_line = 0;    // [first, end) of the lines given
  std::vector<std::vector<std::string>> cells;  // rows x columns, "" for an empty cell
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// The tables among `lines` (one column of a page, top to bottom, lines on one baseline left to
// right). Columns come left to right, or right to left when `right_to_left`.
std::vector<DetectedTable> FindTables(const std::vector<PieceLine>& lines, bool right_to_left);

}  // namespace ferry::document::pdf
