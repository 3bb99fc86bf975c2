// List items in PDF text: the markers that open them ("•", "1.", "a)", and glyphs a PDF draws
// as bullets without saying so) and their nesting by indent.
// Internal to the PDF backend (pdf.cc); free of poppler so it can be tested on its own.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::document::pdf {

struct ListMarker {
  std::size_t length = 0;  // bytes of the marker and of the spaces after it
  bool enumerated = false;
  std::string text;  // as written, for enumerated lists ("1.", "a)")
};

// The list marker opening `line` when text follows it: a bullet, "1." "1)" "a)" "(a)", or a run
// of glyphs no text maps to (private-use code points, control characters).
std::optional<ListMarker> FindListMarker(std::string_view line);

// `text` is a list marker and nothing else ("•", "12.").
bool IsMarkerOnly(std::string_view text);

// A word as drawn: its text, font (without a subset prefix) and size.
struct Glyphs {
  std::string_view text;
  std::string_view font;
  double size = 0;
};

// A word opening a line that draws a bullet rather than text: one or two glyphs of a symbol font
// (Wingdings, Dingbats, Symbol), or one glyph set much smaller than the word after it and in
// another font, as bullets taken from a dingbat font under a letter's code are.
bool IsBulletGlyph(const Glyphs& word, const Glyphs& next);

// The nesting level of list items, from where their markers start: an item indented past the
// one before opens a level, one back at an outer item's indent closes the levels in between.
class ListLevels {
 public:
  // The level (0 for the outermost) of an item whose marker starts at `x`; indents closer than
  // `tolerance` are one level.
  std::size_t Place(double x, double tolerance);
  // Some open level starts within `tolerance` of `x`.
  bool Matches(double x, double tolerance) const;
  void Reset() { indents_.clear(); }

 private:
  std::vector<double> indents_;  // of each open level, outermost first
};

}  // namespace ferry::document::pdf
