#include "document/backends/pdf.h"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>
#include <poppler/cpp/poppler-rectangle.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "document/backends/pdf_lists.h"
#include "document/backends/pdf_open.h"
#include "document/backends/pdf_table.h"
#include "document/memory_budget.h"

namespace ferry::document {
namespace {

// Layout thresholds, in multiples of the font size unless said otherwise.
constexpr double kSameBaseline = 0.4;      // words whose baselines differ less share a line
constexpr double kMaxWordGap = 1.5;        // a wider horizontal gap starts a new line
constexpr double kParagraphGap = 1.3;      // baseline distance over typical leading x this
constexpr double kHeadingRatio = 1.15;     // font size over the body size for a heading
constexpr double kDisplayRatio = 2.0;      // font size over the body size of a chapter number
constexpr double kFurnitureZone = 0.08;    // of the page height, at the top and at the bottom
constexpr double kEdgeZone = 0.15;         // the same, for a numbered line set apart from the body
constexpr double kGutterMin = 6.0;         // points: the narrowest column gap
constexpr double kCellGap = 0.75;          // a wider gap inside a line may separate table cells
constexpr double kSuperscript = 0.85;      // a word this much smaller than its neighbour may sit
                                           // above or below its baseline
constexpr double kHeadingFontRatio = 1.05; // size over the body size for a heading in its own font
constexpr int kMaxHeadingLines = 3;
constexpr int kMaxColumnSplits = 3;        // gutters found one within another: up to 4 columns
constexpr int kProseLineChars = 25;        // average characters of a line of running text
constexpr double kMinColumnShare = 0.15;   // of the text's width: the narrowest column (of three)
constexpr std::size_t kMaxHeadingChars = 200;

struct Word {
  std::string text;
  std::string font;  // without a subset prefix
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // top-left origin, points
  double size = 0;
  bool bold = false;
  bool space_after = false;
};

struct Line {
  std::string text;
  std::string font;  // of most characters
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double size = 0;  // of most characters
  bool bold = true; // every word bold
  int chars = 0;    // code points
  int rtl_chars = 0, ltr_chars = 0;
  // A bold start followed by regular text (a run-in heading): its bytes of `text`.
  std::size_t bold_prefix = 0;
  std::vector<pdf::TextPiece> pieces;  // runs of words split at wide gaps, left to right
  int table = -1;  // a table's place in the stream (index into PageLayout::tables): no text
};

// A run of lines read one after the other: a column within a band of the page.
using Stream = std::vector<Line>;

struct PageLayout {
  int page_no = 1;
  double width = 0, height = 0;
  std::vector<Stream> streams;  // in reading order
  std::vector<pdf::DetectedTable> tables;
};

struct Block {
  std::vector<const Line*> lines;
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double size = 0;
  bool bold = true;
  int chars = 0;
  int table = -1;
  const Stream* stream = nullptr;  // the stream it was read from
  std::string font;  // of the first line
  std::string text;  // joined, normalized
};

int CountCodePoints(std::string_view s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool IsBoldFont(std::string_view font) {
  if (const auto plus = font.find('+'); plus != std::string_view::npos) font.remove_prefix(plus + 1);
  if (font.substr(0, 4) == "CMBX" || font.substr(0, 4) == "SFBX") return true;  // TeX bold
  // Italic counts too: what matters is text set apart from the body.
  if (font.substr(0, 4) == "CMTI" || font.substr(0, 4) == "SFTI") return true;
  for (std::string_view key : {"Bold", "bold", "BOLD", "Black", "Heavy", "Semibold", "SemiBold",
                               "Demi", "Italic", "Oblique"}) {
    if (font.find(key) != std::string_view::npos) return true;
  }
  return false;
}

double RoundSize(double size) { return std::round(size * 2) / 2; }


std::string ToUtf8(const poppler::ustring& s) {
  const poppler::byte_array bytes = s.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

// ---------------------------------------------------------------------------------------------
// Right-to-left lines: poppler gives Arabic and Hebrew in visual order (left to right on the
// page). A line mostly in those scripts is turned to logical order: reversed as a whole, then
// each run of left-to-right text (Latin words, numbers, with the spaces and punctuation inside
// the run) reversed back.

std::vector<char32_t> Decode(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + static_cast<std::size_t>(len) > s.size()) len = 1;
    char32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += static_cast<std::size_t>(len);
  }
  return out;
}

bool IsRtl(char32_t c) {
  return (c >= 0x0590 && c <= 0x08FF) || (c >= 0xFB1D && c <= 0xFDFF) ||
         (c >= 0xFE70 && c <= 0xFEFF);
}

bool IsLtr(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= 0xC0 && c < 0x0590 && c != 0xD7 && c != 0xF7);
}

std::string ToLogicalOrder(std::string_view visual) {
  std::vector<char32_t> cps = Decode(visual);
  int rtl = 0, ltr = 0;
  for (char32_t c : cps) rtl += IsRtl(c) ? 1 : 0, ltr += IsLtr(c) ? 1 : 0;
  if (rtl <= ltr) return std::string(visual);
  std::reverse(cps.begin(), cps.end());
  std::size_t i = 0;
  while (i < cps.size()) {
    if (!IsLtr(cps[i])) {
      ++i;
      continue;
    }
    std::size_t end = i + 1;  // past the run's last left-to-right character
    std::size_t j = end;
    while (j < cps.size() && !IsRtl(cps[j])) {
      if (IsLtr(cps[j])) end = j + 1;
      ++j;
    }
    std::reverse(cps.begin() + static_cast<std::ptrdiff_t>(i),
                 cps.begin() + static_cast<std::ptrdiff_t>(end));
    i = end;
  }
  std::string out;
  out.reserve(visual.size());
  for (char32_t c : cps) AppendUtf8(out, c);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Words into lines, lines into columns.

// Latin typographic ligatures (U+FB00..U+FB06) spelled out, as text search expects them.
std::string ExpandLigatures(std::string s) {
  static constexpr std::string_view kSpelled[] = {"ff", "fi", "fl", "ffi", "ffl", "st", "st"};
  std::size_t i = 0;
  while ((i = s.find("\xEF\xAC", i)) != std::string::npos) {
    const auto last = i + 2 < s.size() ? static_cast<unsigned char>(s[i + 2]) : 0;
    if (last >= 0x80 && last <= 0x86) {
      s.replace(i, 3, kSpelled[last - 0x80]);
    } else {
      i += 2;
    }
  }
  return s;
}

// Control characters (what some fonts map stray glyphs to) removed from a word, unless it has
// nothing else: then it is a glyph of its own, a bullet or a box, and stays.
std::string DropControls(std::string s) {
  const auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20; };
  if (std::none_of(s.begin(), s.end(), control) || std::all_of(s.begin(), s.end(), control)) {
    return s;
  }
  std::erase_if(s, control);
  return s;
}

std::vector<Word> ReadWords(const poppler::page& page) {
  std::vector<Word> words;
  for (const poppler::text_box& box : page.text_list(poppler::page::text_list_include_font)) {
    if (box.rotation() != 0) continue;  // vertical margin notes and the like
    Word w;
    w.text = DropControls(ExpandLigatures(ToUtf8(box.text())));
    if (w.text.empty()) continue;
    const poppler::rectf r = box.bbox();
    w.x0 = r.x();
    w.y0 = r.y();
    w.x1 = r.x() + r.width();
    w.y1 = r.y() + r.height();
    w.size = box.has_font_info() ? box.get_font_size() : 0;
    if (!(w.size > 0.5) || !std::isfinite(w.size)) w.size = std::max(1.0, r.height());
    if (box.has_font_info()) {
      w.font = box.get_font_name();
      if (const auto plus = w.font.find('+'); plus != std::string::npos) w.font.erase(0, plus + 1);
      w.bold = IsBoldFont(w.font);
    }
    w.space_after = box.has_space_after();
    words.push_back(std::move(w));
  }
  return words;
}

// Two words poppler gives one after the other continue a line: close enough side by side (either
// way, for right-to-left text), on one baseline or one a superscript of the other.
bool SameLine(const Word& prev, const Word& w) {
  const double size = std::min(prev.size, w.size);
  const double gap_ltr = w.x0 - prev.x1;
  const double gap_rtl = prev.x0 - w.x1;
  const bool close = (gap_ltr > -0.5 * size && gap_ltr < kMaxWordGap * size) ||
                     (gap_rtl > -0.5 * size && gap_rtl < kMaxWordGap * size);
  if (!close) return false;
  if (std::abs(w.y1 - prev.y1) < kSameBaseline * size + 0.5) return true;
  const Word& small = w.size < prev.size ? w : prev;
  const Word& big = w.size < prev.size ? prev : w;
  if (small.size > kSuperscript * big.size) return false;
  const double middle = (small.y0 + small.y1) / 2;
  return middle > big.y0 && middle < big.y1;
}

double HorizontalGap(const Word& a, const Word& b) { return std::max(b.x0 - a.x1, a.x0 - b.x1); }

// The first or last letter or digit of a word is right-to-left.
bool RtlEdge(std::string_view text, bool last) {
  const std::vector<char32_t> cps = Decode(text);
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[last ? cps.size() - 1 - i : i];
    if (IsRtl(c)) return true;
    if (IsLtr(c)) return false;
  }
  return false;
}

// Words poppler keeps apart are separated by a space when it saw one, when the gap is wide
// enough, or when the script changes direction between them (it splits words there, and lays
// the two runs out touching).
bool SpaceBetween(const Word& a, const Word& b) {
  if (a.space_after || HorizontalGap(a, b) > 0.15 * std::min(a.size, b.size)) return true;
  return RtlEdge(a.text, true) != RtlEdge(b.text, false);
}

// The line's pieces: its words split where a gap is wide for the font, or wide against the
// line's usual word spacing (tight scripts set table cells close).
std::vector<pdf::TextPiece> SplitPieces(const std::vector<Word>& words, std::size_t a,
                                        std::size_t b) {
  std::vector<double> gaps;
  for (std::size_t k = a + 1; k < b; ++k) gaps.push_back(HorizontalGap(words[k - 1], words[k]));
  double usual = 0;
  if (!gaps.empty()) {
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2),
                     sorted.end());
    usual = sorted[sorted.size() / 2];
  }
  std::vector<pdf::TextPiece> pieces;
  for (std::size_t k = a; k < b; ++k) {
    const Word& w = words[k];
    bool split = k == a;
    if (!split) {
      const double gap = gaps[k - a - 1];
      const double size = std::min(w.size, words[k - 1].size);
      split = gap > kCellGap * size || (gap > 3 * usual && gap > 0.3 * size);
    }
    if (split) {
      pieces.push_back({w.text, w.x0, w.x1});
      continue;
    }
    pdf::TextPiece& p = pieces.back();
    if (SpaceBetween(words[k - 1], w)) p.text += ' ';
    p.text += w.text;
    p.x0 = std::min(p.x0, w.x0), p.x1 = std::max(p.x1, w.x1);
  }
  for (pdf::TextPiece& p : pieces) p.text = ToLogicalOrder(p.text);
  std::sort(pieces.begin(), pieces.end(),
            [](const pdf::TextPiece& x, const pdf::TextPiece& y) { return x.x0 < y.x0; });
  return pieces;
}

Line MakeLine(const std::vector<Word>& words, std::size_t a, std::size_t b) {
  Line l;
  l.x0 = words[a].x0, l.y0 = words[a].y0, l.x1 = words[a].x1, l.y1 = words[a].y1;
  std::map<double, int> size_chars;
  std::map<std::string_view, int> font_chars;
  for (std::size_t k = a; k < b; ++k) {
    const Word& w = words[k];
    if (k > a) {
      const Word& prev = words[k - 1];
      if (SpaceBetween(prev, w)) l.text += ' ';
      if (l.bold && !w.bold && l.bold_prefix == 0) {
        l.bold_prefix = l.text.size();
        while (l.bold_prefix > 0 && l.text[l.bold_prefix - 1] == ' ') --l.bold_prefix;
      }
    }
    l.x0 = std::min(l.x0, w.x0), l.y0 = std::min(l.y0, w.y0);
    l.x1 = std::max(l.x1, w.x1), l.y1 = std::max(l.y1, w.y1);
    l.text += w.text;
    const int chars = CountCodePoints(w.text);
    l.chars += chars;
    l.bold = l.bold && w.bold;
    size_chars[RoundSize(w.size)] += chars;
    font_chars[w.font] += chars;
  }
  int best = -1;
  for (const auto& [size, chars] : size_chars) {
    if (chars > best) best = chars, l.size = size;
  }
  best = -1;
  for (const auto& [font, chars] : font_chars) {
    if (chars > best) best = chars, l.font = std::string(font);
  }
  for (char32_t c : Decode(l.text)) l.rtl_chars += IsRtl(c) ? 1 : 0, l.ltr_chars += IsLtr(c) ? 1 : 0;
  std::string logical = ToLogicalOrder(l.text);
  if (logical != l.text) l.bold_prefix = 0;
  l.text = std::move(logical);
  l.pieces = SplitPieces(words, a, b);
  return l;
}

// A glyph drawn as a bullet at the start of a line (a dingbat under a letter's code, a box with
// no Unicode meaning) becomes "•", so the line reads as a list item; a bullet drawn as two glyphs
// (a box and its tick) becomes one.
void NormalizeBullets(std::vector<Word>& words) {
  auto as_glyphs = [](const Word& w) { return pdf::Glyphs{w.text, w.font, w.size}; };
  std::vector<Word> out;
  out.reserve(words.size());
  for (std::size_t k = 0; k < words.size(); ++k) {
    const bool opens_line = k == 0 || !SameLine(words[k - 1], words[k]);
    if (opens_line && k + 1 < words.size() && SameLine(words[k], words[k + 1]) &&
        pdf::IsBulletGlyph(as_glyphs(words[k]), as_glyphs(words[k + 1]))) {
      Word bullet = std::move(words[k]);
      while (k + 2 < words.size() && SameLine(words[k + 1], words[k + 2]) &&
             pdf::IsBulletGlyph(as_glyphs(words[k + 1]), as_glyphs(words[k + 2]))) {
        ++k;
        bullet.x1 = std::max(bullet.x1, words[k].x1);
      }
      bullet.text = "\u2022";
      bullet.space_after = true;
      out.push_back(std::move(bullet));
      continue;
    }
    out.push_back(std::move(words[k]));
  }
  words = std::move(out);
}

// Consecutive words (poppler gives them in its reading order) on one line form a line; poppler's
// word order is kept, which keeps right-to-left text as it gives it.
std::vector<Line> BuildLines(std::vector<Word> words) {
  NormalizeBullets(words);
  std::vector<Line> lines;
  std::size_t start = 0;
  for (std::size_t k = 1; k <= words.size(); ++k) {
    if (k < words.size() && SameLine(words[k - 1], words[k])) continue;
    lines.push_back(MakeLine(words, start, k));
    start = k;
  }
  return lines;
}

// Sorts lines top to bottom; lines sharing a baseline (within 2 points) in reading direction.
void SortLines(std::vector<Line>& lines, bool right_to_left) {
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.y1 < b.y1; });
  std::size_t i = 0;
  while (i < lines.size()) {
    std::size_t j = i + 1;
    while (j < lines.size() && lines[j].y1 - lines[i].y1 < 2.0) ++j;
    std::stable_sort(lines.begin() + static_cast<std::ptrdiff_t>(i),
                     lines.begin() + static_cast<std::ptrdiff_t>(j),
                     [right_to_left](const Line& a, const Line& b) {
                       return right_to_left ? a.x1 > b.x1 : a.x0 < b.x0;
                     });
    i = j;
  }
}

// Text that fills its column: most lines (the upper quartile of widths) span half of it or more.
bool FillsColumn(const std::vector<const Line*>& lines) {
  std::vector<double> w;
  w.reserve(lines.size());
  double x0 = 1e300, x1 = -1e300;
  for (const Line* l : lines) {
    w.push_back(l->x1 - l->x0);
    x0 = std::min(x0, l->x0), x1 = std::max(x1, l->x1);
  }
  const std::size_t k = w.size() * 3 / 4;
  std::nth_element(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(k), w.end());
  return w[k] >= 0.5 * (x1 - x0);
}

// Lines long enough on average to be running text rather than table cells.
bool ReadsAsProse(const std::vector<const Line*>& lines) {
  long chars = 0;
  for (const Line* l : lines) chars += l->chars;
  return !lines.empty() && chars >= kProseLineChars * static_cast<long>(lines.size());
}

// A column gap: an x range few lines cross, with column-like text (lines filling columns of some
// width, side by side over a good part of the page's text height) on both sides. Returns its
// middle.
std::optional<double> FindGutter(const std::vector<const Line*>& lines, double page_width,
                                 int depth) {
  if (lines.size() < 6 || !(page_width > 0) || page_width > 20'000) return std::nullopt;
  const int bins = static_cast<int>(page_width / 2) + 1;
  std::vector<int> cover(static_cast<std::size_t>(bins), 0);
  double top = 1e300, bottom = -1e300, left_edge = 1e300, right_edge = -1e300;
  for (const Line* line : lines) {
    const Line& l = *line;
    const int a = std::clamp(static_cast<int>(l.x0 / 2), 0, bins - 1);
    const int b = std::clamp(static_cast<int>(l.x1 / 2), 0, bins - 1);
    for (int k = a; k <= b; ++k) ++cover[static_cast<std::size_t>(k)];
    top = std::min(top, l.y0);
    bottom = std::max(bottom, l.y1);
    left_edge = std::min(left_edge, l.x0);
    right_edge = std::max(right_edge, l.x1);
  }
  const double text_height = bottom - top;
  const double text_width = right_edge - left_edge;
  const int allowed = std::max(2, static_cast<int>(lines.size() / 5));  // full-width lines
  std::optional<double> best;
  double best_width = 0;
  int k = static_cast<int>(0.15 * bins);
  const int end = static_cast<int>(0.85 * bins);
  while (k < end) {
    if (cover[static_cast<std::size_t>(k)] > allowed) {
      ++k;
      continue;
    }
    int j = k;
    while (j < end && cover[static_cast<std::size_t>(j)] <= allowed) ++j;
    // Within the range, the widest run crossed by the fewest lines.
    int least = allowed + 1, run_start = k, run_end = k;
    for (int m = k; m < j;) {
      int n = m;
      while (n < j && cover[static_cast<std::size_t>(n)] == cover[static_cast<std::size_t>(m)]) ++n;
      const int c = cover[static_cast<std::size_t>(m)];
      if (c < least || (c == least && n - m > run_end - run_start)) {
        least = c, run_start = m, run_end = n;
      }
      m = n;
    }
    const double g0 = run_start * 2.0, g1 = run_end * 2.0;
    k = j;
    if (g1 - g0 < kGutterMin || g1 - g0 <= best_width) continue;
    std::vector<const Line*> left, right;
    double ltop = 1e300, lbot = -1e300, rtop = 1e300, rbot = -1e300;
    double lx0 = 1e300, rx1 = -1e300;
    for (const Line* line : lines) {
      const Line& l = *line;
      if (l.x1 <= g0 + 1) {
        left.push_back(&l);
        ltop = std::min(ltop, l.y0), lbot = std::max(lbot, l.y1), lx0 = std::min(lx0, l.x0);
      } else if (l.x0 >= g1 - 1) {
        right.push_back(&l);
        rtop = std::min(rtop, l.y0), rbot = std::max(rbot, l.y1), rx1 = std::max(rx1, l.x1);
      }
    }
    if (left.size() < 3 || right.size() < 3) continue;
    const double overlap = std::min(lbot, rbot) - std::max(ltop, rtop);
    if (overlap < 0.3 * text_height) continue;
    const double narrowest = kMinColumnShare * text_width;
    if (g0 - lx0 < narrowest || rx1 - g1 < narrowest) continue;
    // A side may hold columns of running text of its own (a page of three); columns of short
    // pieces side by side are more likely a table's.
    const auto column_like = [&](const std::vector<const Line*>& side) {
      return FillsColumn(side) || (depth + 1 < kMaxColumnSplits && ReadsAsProse(side) &&
                                   FindGutter(side, page_width, depth + 1));
    };
    if (!column_like(left) || !column_like(right)) continue;
    best = (g0 + g1) / 2;
    best_width = g1 - g0;
  }
  return best;
}

// A line that is only a list marker ("•", "1.", or a glyph drawn as a bullet) and the line just
// right of it on its baseline are one line: poppler often gives a bullet apart from its text.
void MergeMarkers(std::vector<Line>& lines) {
  std::vector<Line> out;
  out.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    Line& l = lines[i];
    if (i + 1 < lines.size()) {
      Line& next = lines[i + 1];
      const double size = std::max(l.size, next.size);
      const bool beside = std::abs(next.y1 - l.y1) < 2.0 + 0.3 * size && next.x0 > l.x1 &&
                          next.x0 - l.x1 < 4 * size;
      const bool glyph = beside && pdf::IsBulletGlyph({l.text, l.font, l.size},
                                                      {next.text, next.font, next.size});
      if (glyph) {
        l.text = "\u2022";
        l.chars = 1;
        for (pdf::TextPiece& p : l.pieces) p.text = l.text;
      }
      if (beside && (glyph || pdf::IsMarkerOnly(l.text))) {
        next.text = l.text + " " + next.text;
        if (next.bold_prefix > 0) next.bold_prefix += l.text.size() + 1;
        next.x0 = l.x0;
        next.y0 = std::min(next.y0, l.y0);
        next.chars += l.chars;
        next.pieces.insert(next.pieces.begin(), l.pieces.begin(), l.pieces.end());
        continue;
      }
    }
    out.push_back(std::move(l));
  }
  lines = std::move(out);
}

// Sorted lines as streams in reading order: with a column gap, each band between lines that
// cross it is read in columns (left first, or right first on a right-to-left page), and each
// column is split again where it has a gap of its own (three columns and more); without one,
// top to bottom.
void SplitColumns(std::vector<Line> lines, double page_width, bool right_to_left, int depth,
                  std::vector<Stream>& streams) {
  std::vector<const Line*> refs;
  refs.reserve(lines.size());
  for (const Line& l : lines) refs.push_back(&l);
  const std::optional<double> gutter =
      depth < kMaxColumnSplits ? FindGutter(refs, page_width, depth) : std::nullopt;
  if (!gutter) {
    if (!lines.empty()) streams.push_back(std::move(lines));
    return;
  }
  Stream first, second;  // the column read first, and the other
  bool last_across = false;  // the last stream pushed holds lines crossing the gap
  auto flush_columns = [&] {
    SplitColumns(std::move(first), page_width, right_to_left, depth + 1, streams);
    SplitColumns(std::move(second), page_width, right_to_left, depth + 1, streams);
    first.clear();
    second.clear();
  };
  for (Line& l : lines) {
    if (l.x0 < *gutter && l.x1 > *gutter) {
      const bool had_columns = !first.empty() || !second.empty();
      flush_columns();
      if (last_across && !had_columns && !streams.empty()) {
        streams.back().push_back(std::move(l));
      } else {
        streams.push_back(Stream{std::move(l)});
      }
      last_across = true;
    } else {
      ((l.x1 <= *gutter) != right_to_left ? first : second).push_back(std::move(l));
      last_across = false;
    }
  }
  flush_columns();
}

std::vector<Stream> OrderPage(std::vector<Line> lines, double page_width, bool right_to_left) {
  std::vector<Stream> streams;
  if (lines.empty()) return streams;
  SortLines(lines, right_to_left);
  MergeMarkers(lines);
  SplitColumns(std::move(lines), page_width, right_to_left, 0, streams);
  return streams;
}

// Replaces the lines of each table found in a stream by one line standing for the table.
void PlaceTables(PageLayout& page, bool right_to_left) {
  for (Stream& stream : page.streams) {
    std::vector<pdf::PieceLine> pieces;
    pieces.reserve(stream.size());
    for (const Line& l : stream) pieces.push_back({l.y0, l.y1, l.size, l.pieces});
    std::vector<pdf::DetectedTable> tables = pdf::FindTables(pieces, right_to_left);
    if (tables.empty()) continue;
    Stream out;
    std::size_t next = 0;
    for (pdf::DetectedTable& t : tables) {
      for (; next < t.first_line; ++next) out.push_back(std::move(stream[next]));
      // The table takes its lines' place in the stream as one line that stands for it.
      Line table_line;
      table_line.x0 = t.x0, table_line.y0 = t.y0, table_line.x1 = t.x1, table_line.y1 = t.y1;
      table_line.size = stream[t.first_line].size;
      table_line.bold = false;
      table_line.table = static_cast<int>(page.tables.size());
      out.push_back(std::move(table_line));
      next = t.end_line;
      page.tables.push_back(std::move(t));
    }
    for (; next < stream.size(); ++next) out.push_back(std::move(stream[next]));
    stream = std::move(out);
  }
}

// ---------------------------------------------------------------------------------------------
// Markers and labels.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool IsCaption(std::string_view s) {
  for (std::string_view word : {"Figure", "Fig.", "Table", "FIGURE", "TABLE"}) {
    if (s.substr(0, word.size()) != word) continue;
    std::size_t n = word.size();
    while (n < s.size() && s[n] == ' ') ++n;
    return n < s.size() && IsDigit(s[n]);
  }
  return false;
}

// The text with digits folded, for spotting headers and footers that repeat with page numbers.
std::string FurnitureKey(std::string_view s) {
  std::string key;
  for (char c : s) {
    if (IsDigit(c)) {
      if (key.empty() || key.back() != '#') key += '#';
    } else {
      key += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  return key;
}

// "7", "- 7 -", "Page 7", "7 of 20", "vii".
bool IsPageNumber(std::string_view s) {
  std::string t;
  for (char c : s) {
    if (c != ' ' && c != '-' && c != '|') t += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (t.rfind("page", 0) == 0) t = t.substr(4);
  if (t.empty() || t.size() > 12) return false;
  if (std::all_of(t.begin(), t.end(), [](char c) { return c == 'i' || c == 'v' || c == 'x'; })) {
    return t.size() <= 5;
  }
  bool digit = false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (IsDigit(t[i])) {
      digit = true;
    } else if (t[i] == '/') {
    } else if (t.compare(i, 2, "of") == 0) {
      ++i;
    } else {
      return false;
    }
  }
  return digit;
}

// Most words capitalized, as headings are (not an emphasized phrase). Text without Latin
// capitals (CJK, Arabic) passes.
bool MostlyCapitalized(std::string_view s) {
  int words = 0, capital = 0, lower = 0;
  bool start = true;
  for (char c : s) {
    if (c == ' ') {
      start = true;
    } else if (start) {
      ++words;
      capital += (c >= 'A' && c <= 'Z') || IsDigit(c) ? 1 : 0;
      lower += IsLower(c) ? 1 : 0;
      start = false;
    }
  }
  return lower == 0 || capital * 2 >= words;
}

bool IsNumber(std::string_view s) {
  return !s.empty() && s.size() <= 4 && std::all_of(s.begin(), s.end(), IsDigit);
}

bool EndsSentence(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == ')')) s.remove_suffix(1);
  return !s.empty() && (s.back() == '.' || s.back() == ';' || s.back() == ',' || s.back() == '?' ||
                        s.back() == '!');
}

bool HasLetter(std::string_view s) {
  for (unsigned char c : s) {
    if (IsAlpha(static_cast<char>(c)) || c >= 0x80) return true;
  }
  return false;
}

// Appends a line to a paragraph: a hyphen at the end of the text joins a word broken across
// lines when the next line goes on in lower case; otherwise a space separates them.
void AppendLine(std::string& text, std::string_view line) {
  if (text.empty()) {
    text = line;
    return;
  }
  const bool next_lower = !line.empty() && IsLower(line[0]);
  if (next_lower && text.size() >= 2 && text.back() == '-' && IsAlpha(text[text.size() - 2])) {
    text.pop_back();
  } else if (next_lower && text.size() >= 3 && text.compare(text.size() - 2, 2, "\u00AD") == 0) {
    text.resize(text.size() - 2);  // soft hyphen
  } else {
    text += ' ';
  }
  text += line;
}

// ---------------------------------------------------------------------------------------------
// The document.

class PdfBuilder {
 public:
  PdfBuilder(Document& doc, const PdfOptions& options) : doc_(doc), options_(options), sections_(doc) {}

  void Build(const std::vector<PageLayout>& pages) {
    Measure(pages);
    std::vector<std::vector<Block>> blocks;
    blocks.reserve(pages.size());
    for (const PageLayout& page : pages) blocks.push_back(MakeBlocks(page));
    CountFurniture(pages, blocks);
    FindEdgeBands(pages);
    LevelHeadings(pages, blocks);
    for (std::size_t i = 0; i < pages.size(); ++i) Emit(pages[i], blocks[i], i == 0);
  }

 private:
  // The body font size (most characters) and the usual baseline distance for a size.
  void Measure(const std::vector<PageLayout>& pages) {
    MeasurePages(pages);
    std::map<double, long> size_chars;
    std::map<std::string, long> font_chars;
    long bold_chars = 0, all_chars = 0;
    std::vector<double> ratios;
    for (const PageLayout& page : pages) {
      for (const Stream& s : page.streams) {
        for (std::size_t i = 0; i < s.size(); ++i) {
          size_chars[s[i].size] += s[i].chars;
          font_chars[s[i].font] += s[i].chars;
          (s[i].bold ? bold_chars : all_chars) += s[i].chars;
          if (i == 0 || s[i].table >= 0 || s[i - 1].table >= 0) continue;
          const double delta = s[i].y1 - s[i - 1].y1;
          const double size = std::max(s[i].size, s[i - 1].size);
          if (std::abs(s[i].size - s[i - 1].size) < 0.6 && delta > 0.8 * size &&
              delta < 2.5 * size) {
            ratios.push_back(delta / size);
          }
        }
      }
    }
    long best = -1;
    for (const auto& [size, chars] : size_chars) {
      if (chars > best) best = chars, body_size_ = size;
    }
    best = -1;
    for (const auto& [font, chars] : font_chars) {
      if (chars > best) best = chars, body_font_ = font;
    }
    body_bold_ = bold_chars > all_chars;
    if (!ratios.empty()) {
      // The lower quartile: lines within paragraphs outnumber the gaps between them.
      std::sort(ratios.begin(), ratios.end());
      leading_ = std::clamp(ratios[ratios.size() / 4], 1.0, 2.0);
    }
  }

  // Each page's own body size (most characters), where it is well below the document's: a page
  // set in smaller type (a brochure, a form) sets its headings apart from its own text.
  void MeasurePages(const std::vector<PageLayout>& pages) {
    for (const PageLayout& page : pages) {
      std::map<double, long> size_chars;
      for (const Stream& s : page.streams) {
        for (const Line& l : s) size_chars[l.size] += l.chars;
      }
      long best = -1;
      double size = 0;
      for (const auto& [sz, chars] : size_chars) {
        if (chars > best) best = chars, size = sz;
      }
      if (size > 0) page_body_[page.page_no] = size;
    }
  }

  // The size headings on `page` are measured against.
  double HeadingBase(const PageLayout& page) const {
    const auto it = page_body_.find(page.page_no);
    if (it == page_body_.end() || it->second * kHeadingRatio > body_size_) return body_size_;
    return it->second;
  }

  bool StartsBlock(const Line& prev, const Line& cur, const Line& first) const {
    if (prev.table >= 0 || cur.table >= 0) return true;
    const double size = std::max(prev.size, cur.size);
    const double delta = cur.y1 - prev.y1;
    if (delta < 0.5 * std::min(prev.size, cur.size)) return true;  // beside or above
    if (delta > kParagraphGap * leading_ * size) return true;
    if (std::max(prev.size, cur.size) > 1.1 * std::min(prev.size, cur.size)) return true;
    if (prev.bold != cur.bold) return true;
    // Another font at another size: a heading set apart by its face rather than its weight.
    if (prev.font != cur.font &&
        std::max(prev.size, cur.size) >= kHeadingFontRatio * std::min(prev.size, cur.size)) {
      return true;
    }
    if (cur.x0 > prev.x1 || cur.x1 < prev.x0) return true;  // no horizontal overlap
    if (pdf::FindListMarker(cur.text)) return true;
    // A list item goes on in lines indented past its marker.
    if (pdf::FindListMarker(first.text) && cur.x0 < first.x0 + 1.0) return true;
    return false;
  }

  std::vector<Block> MakeBlocks(const PageLayout& page) const {
    std::vector<Block> blocks;
    for (const Stream& s : page.streams) {
      for (std::size_t i = 0; i < s.size(); ++i) {
        const Line& l = s[i];
        if (i == 0 || StartsBlock(s[i - 1], l, *blocks.back().lines.front())) {
          Block b;
          b.x0 = l.x0, b.y0 = l.y0, b.x1 = l.x1, b.y1 = l.y1;
          b.table = l.table;
          b.stream = &s;
          b.font = l.font;
          blocks.push_back(std::move(b));
        }
        Block& b = blocks.back();
        b.lines.push_back(&l);
        b.x0 = std::min(b.x0, l.x0), b.y0 = std::min(b.y0, l.y0);
        b.x1 = std::max(b.x1, l.x1), b.y1 = std::max(b.y1, l.y1);
        b.bold = b.bold && l.bold;
        b.chars += l.chars;
      }
    }
    for (Block& b : blocks) {
      std::map<double, int> sizes;
      std::string text;
      for (const Line* l : b.lines) {
        sizes[l->size] += l->chars;
        AppendLine(text, l->text);
      }
      int best = -1;
      for (const auto& [size, chars] : sizes) {
        if (chars > best) best = chars, b.size = size;
      }
      b.text = NormalizeSpace(text);
    }
    return blocks;
  }

  bool InFurnitureZone(const PageLayout& page, const Block& b) const {
    if (b.table >= 0) return false;
    return b.y1 <= kFurnitureZone * page.height || b.y0 >= (1 - kFurnitureZone) * page.height;
  }

  void CountFurniture(const std::vector<PageLayout>& pages,
                      const std::vector<std::vector<Block>>& blocks) {
    for (std::size_t i = 0; i < pages.size(); ++i) {
      std::set<std::string> seen;
      for (const Block& b : blocks[i]) {
        if (InFurnitureZone(pages[i], b)) seen.insert(FurnitureKey(b.text));
      }
      for (const std::string& key : seen) ++furniture_counts_[key];
    }
    repeat_threshold_ = std::max<int>(2, static_cast<int>((pages.size() + 1) / 2));
  }

  // A running header or footer found by its place: the text on the page's first (or last)
  // baseline, near the edge, set apart from the body below (above) it by more than a paragraph
  // gap, no larger than the body and with a page number among it. It needs no other page to
  // repeat on. Returns the band's inner edge for each page that has one.
  void FindEdgeBands(const std::vector<PageLayout>& pages) {
    for (const PageLayout& page : pages) {
      std::vector<const Line*> lines;
      for (const Stream& s : page.streams) {
        for (const Line& l : s) {
          if (l.table < 0) lines.push_back(&l);
        }
      }
      if (lines.size() < 2) continue;
      std::sort(lines.begin(), lines.end(),
                [](const Line* a, const Line* b) { return a->y1 < b->y1; });
      if (auto top = EdgeBand(page, lines)) top_band_[page.page_no] = *top;
      std::reverse(lines.begin(), lines.end());
      if (auto bottom = EdgeBand(page, lines)) bottom_band_[page.page_no] = *bottom;
    }
  }

  // `lines` from the edge inwards: the band's inner edge when it is furniture.
  std::optional<double> EdgeBand(const PageLayout& page,
                                 const std::vector<const Line*>& lines) const {
    const bool top = lines.front()->y1 < lines.back()->y1;
    const Line& edge = *lines.front();
    const double edge_distance = top ? edge.y1 : page.height - edge.y0;
    if (edge_distance > kEdgeZone * page.height) return std::nullopt;
    std::size_t n = 0;
    bool numbered = false;
    double inner = top ? edge.y1 : edge.y0;
    for (; n < lines.size() && std::abs(lines[n]->y1 - edge.y1) < 2.0; ++n) {
      const Line& l = *lines[n];
      if (l.size > 1.05 * body_size_) return std::nullopt;
      numbered = numbered || IsPageNumber(l.text) ||
                 (!l.pieces.empty() &&
                  (IsPageNumber(l.pieces.front().text) || IsPageNumber(l.pieces.back().text)));
      inner = top ? std::max(inner, l.y1) : std::min(inner, l.y0);
    }
    if (!numbered || n == lines.size()) return std::nullopt;
    const Line& next = *lines[n];
    const double size = std::max(edge.size, next.size);
    if (std::abs(next.y1 - edge.y1) <= kParagraphGap * leading_ * size) return std::nullopt;
    return inner;
  }

  bool InEdgeBand(const PageLayout& page, const Block& b) const {
    if (b.table >= 0) return false;
    if (const auto it = top_band_.find(page.page_no); it != top_band_.end() && b.y1 <= it->second) {
      return true;
    }
    const auto it = bottom_band_.find(page.page_no);
    return it != bottom_band_.end() && b.y0 >= it->second;
  }

  bool IsFurniture(const PageLayout& page, const Block& b) const {
    if (InEdgeBand(page, b)) return true;
    if (!InFurnitureZone(page, b)) return false;
    if (IsPageNumber(b.text)) return true;
    const auto it = furniture_counts_.find(FurnitureKey(b.text));
    return it != furniture_counts_.end() && it->second >= repeat_threshold_;
  }

  bool IsHeading(const PageLayout& page, const Block& b) const {
    if (b.lines.size() > static_cast<std::size_t>(kMaxHeadingLines) ||
        b.text.size() > kMaxHeadingChars || EndsSentence(b.text)) {
      return false;
    }
    // A number alone is a heading only set as large as a chapter number.
    if (!HasLetter(b.text)) return b.size >= kDisplayRatio * body_size_ && IsNumber(b.text);
    if (b.size >= kHeadingRatio * body_size_) return true;
    // On a page set smaller than the rest: larger than its own text, near the body's size.
    const double base = HeadingBase(page);
    if (base < body_size_ && b.size >= kHeadingRatio * base && b.size >= 0.9 * body_size_) {
      return true;
    }
    // Set a little larger in a font of its own: one or two lines.
    if (b.size >= kHeadingFontRatio * body_size_ && b.font != body_font_ && b.lines.size() <= 2 &&
        b.text.back() != ':') {
      return true;
    }
    // Bold at about the body size: one or two short lines standing alone.
    return !body_bold_ && b.bold && b.size >= 0.95 * body_size_ && b.lines.size() <= 2 &&
           b.chars <= 120 && b.text.back() != ':' && MostlyCapitalized(b.text);
  }

  void LevelHeadings(const std::vector<PageLayout>& pages,
                     const std::vector<std::vector<Block>>& blocks) {
    std::set<double, std::greater<>> sizes;
    for (std::size_t i = 0; i < pages.size(); ++i) {
      for (const Block& b : blocks[i]) {
        if (!IsFurniture(pages[i], b) && IsHeading(pages[i], b)) sizes.insert(b.size);
      }
    }
    int level = 1;
    for (double size : sizes) heading_levels_[size] = std::min(level++, 6);
    if (!pages.empty() && !blocks.empty()) {
      for (const Block& b : blocks[0]) {
        if (!IsFurniture(pages[0], b)) first_page_max_ = std::max(first_page_max_, b.size);
      }
    }
  }

  // A bold run opening a paragraph ("Boots Self-Locking Nut The Boots nut is ..."): a heading
  // set in the paragraph's first line. Returns its text, or nothing.
  std::optional<std::string> RunInHeading(const Block& b) const {
    if (body_bold_ || b.lines.empty() || b.lines[0]->bold_prefix == 0) return std::nullopt;
    std::string head = NormalizeSpace(b.lines[0]->text.substr(0, b.lines[0]->bold_prefix));
    if (head.empty() || head.size() > 80 || !HasLetter(head) || EndsSentence(head) ||
        head.back() == ':' || pdf::FindListMarker(head) ||
        b.text.compare(0, head.size(), head) != 0 || CountCodePoints(head) < 3) {
      return std::nullopt;
    }
    if (!MostlyCapitalized(head)) return std::nullopt;
    return head;
  }

  void Emit(const PageLayout& page, const std::vector<Block>& blocks, bool first_page) {
    for (const Block& block : blocks) {
      if (block.table >= 0) {
        EmitTable(page, page.tables[static_cast<std::size_t>(block.table)]);
        continue;
      }
      if (block.text.empty()) continue;
      const Block* bp = &block;
      Block rest;
      if (!IsFurniture(page, block) && !IsHeading(page, block)) {
        if (auto head = RunInHeading(block)) {
          EndList();
          title_done_ = true;
          const Line& l = *block.lines[0];
          const Ref h = sections_.AddHeading(*head, 1);
          AddProv(h, page, l.x0, l.y0, l.x1, l.y1);
          rest = block;
          rest.text = NormalizeSpace(std::string_view(block.text).substr(head->size()));
          if (rest.text.empty()) continue;
          bp = &rest;
        }
      }
      const Block& b = *bp;
      Ref r;
      if (IsFurniture(page, b)) {
        const bool top = b.y1 <= 0.5 * page.height;
        r = doc_.AddText(kFurnitureRef, top ? TextLabel::kPageHeader : TextLabel::kPageFooter,
                         b.text);
      } else if (IsCaption(b.text)) {
        EndList();
        r = doc_.AddText(sections_.current(), TextLabel::kCaption, b.text);
      } else if (IsHeading(page, b)) {
        EndList();
        int level = options_.heading_levels ? heading_levels_[b.size] : 1;
        if (options_.detect_title && first_page && !title_done_ && b.size >= first_page_max_ &&
            b.size >= kHeadingRatio * body_size_) {
          level = 0;
        }
        title_done_ = true;
        r = sections_.AddHeading(b.text, level);
      } else if (const auto marker = pdf::FindListMarker(b.text)) {
        r = doc_.AddListItem(ListFor(b, marker->enumerated), b.text.substr(marker->length),
                             marker->enumerated, marker->text);
        open_lists_.back().last_item = r;
        doc_.text(r).orig = b.text;
      } else {
        EndList();
        r = doc_.AddText(sections_.current(), TextLabel::kText, b.text);
      }
      AddProv(r, page, b.x0, b.y0, b.x1, b.y1);
    }
  }

  void EndList() {
    open_lists_.clear();
    list_levels_.Reset();
  }

  // The list group an item block goes into: its indent gives its level; a deeper level opens a
  // list inside the item before it, and an item of the other kind (numbered or not) at a level
  // starts a list of its own.
  Ref ListFor(const Block& b, bool enumerated) {
    // Indents compare within a column: a list going on in another column or page keeps its
    // levels only where its first item lines up with one of them.
    if (b.stream != list_stream_ && !list_levels_.Matches(b.x0, 0.5 * b.size)) EndList();
    list_stream_ = b.stream;
    const std::size_t level = list_levels_.Place(b.x0, 0.5 * b.size);
    if (open_lists_.size() > level + 1) open_lists_.resize(level + 1);
    if (open_lists_.size() == level + 1 && open_lists_.back().enumerated != enumerated) {
      const Ref parent = doc_.node(open_lists_.back().group).parent;
      open_lists_.back() = {AddList(parent, enumerated), enumerated, std::nullopt};
    }
    while (open_lists_.size() < level + 1) {
      const Ref parent = open_lists_.empty()                   ? sections_.current()
                         : open_lists_.back().last_item        ? *open_lists_.back().last_item
                                                               : open_lists_.back().group;
      open_lists_.push_back({AddList(parent, enumerated), enumerated, std::nullopt});
    }
    return open_lists_.back().group;
  }

  Ref AddList(Ref parent, bool enumerated) {
    return doc_.AddGroup(parent, enumerated ? GroupLabel::kOrderedList : GroupLabel::kList);
  }

  void EmitTable(const PageLayout& page, const pdf::DetectedTable& found) {
    EndList();
    TableItem t;
    t.num_rows = static_cast<int>(found.cells.size());
    t.num_cols = found.cells.empty() ? 0 : static_cast<int>(found.cells[0].size());
    for (std::size_t r = 0; r < found.cells.size(); ++r) {
      for (std::size_t c = 0; c < found.cells[r].size(); ++c) {
        TableCell cell;
        cell.text = NormalizeSpace(found.cells[r][c]);
        cell.start_row = static_cast<int>(r), cell.end_row = cell.start_row + 1;
        cell.start_col = static_cast<int>(c), cell.end_col = cell.start_col + 1;
        cell.column_header = r == 0;
        t.cells.push_back(std::move(cell));
      }
    }
    Provenance p;
    p.page_no = page.page_no;
    p.bbox = {found.x0, page.height - found.y0, found.x1, page.height - found.y1, true};
    t.prov.push_back(p);
    doc_.AddTable(sections_.current(), std::move(t));
  }

  // Provenance from a box in poppler's top-left coordinates.
  void AddProv(Ref r, const PageLayout& page, double x0, double y0, double x1, double y1) {
    TextItem& t = doc_.text(r);
    Provenance p;
    p.page_no = page.page_no;
    p.bbox = {x0, page.height - y0, x1, page.height - y1, true};
    p.char_start = 0;
    p.char_end = static_cast<int>(t.text.size());
    t.prov.push_back(p);
  }

  Document& doc_;
  const PdfOptions& options_;
  SectionTracker sections_;
  double body_size_ = 10;
  std::map<int, double> page_body_;  // by page number
  std::map<int, double> top_band_, bottom_band_;  // inner edges of running headers and footers
  std::string body_font_;
  double leading_ = 1.2;
  bool body_bold_ = false;
  double first_page_max_ = 0;
  bool title_done_ = false;
  std::map<std::string, int> furniture_counts_;
  int repeat_threshold_ = 2;
  std::map<double, int> heading_levels_;
  // The lists open at the last item, outermost first, and their markers' indents.
  struct OpenList {
    Ref group;
    bool enumerated = false;
    std::optional<Ref> last_item;
  };
  std::vector<OpenList> open_lists_;
  pdf::ListLevels list_levels_;
  const Stream* list_stream_ = nullptr;
};

}  // namespace

Result<Document> ParsePdf(std::string_view bytes, std::string name, Origin origin,
                          const PdfOptions& options) {
  const std::string file = origin.filename.empty() ? name : origin.filename;
  auto opened = pdf::OpenPdf(bytes, options.password, options.max_pages, file);
  if (!opened) return Fail(opened.error());
  poppler::document* pdf = opened->document.get();
  const int page_count = opened->pages;
  const int first = options.first_page;
  const int last = options.last_page == 0 ? page_count : options.last_page;
  if (first < 1 || first > page_count || last < first || last > page_count) {
    return Fail(ErrorCode::kInvalidParams,
                file + ": page range " + std::to_string(first) + ".." +
                    std::to_string(options.last_page) + " is outside the document's pages 1.." +
                    std::to_string(page_count));
  }

  Document doc(std::move(name), std::move(origin));
  std::vector<PageLayout> layouts;
  for (int n = first; n <= last; ++n) {
    if (std::chrono::steady_clock::now() >= options.deadline) {
      doc.partial = true;
      doc.warnings.push_back("time limit reached: pages " + std::to_string(n) + ".." +
                             std::to_string(last) + " were not converted");
      break;
    }
    std::unique_ptr<poppler::page> page(pdf->create_page(n - 1));
    if (!page) {
      doc.warnings.push_back("page " + std::to_string(n) + " could not be read");
      continue;
    }
    const poppler::rectf box = page->page_rect();
    PageLayout layout;
    layout.page_no = n;
    layout.width = box.width();
    layout.height = box.height();
    doc.pages[n] = Page{n, layout.width, layout.height};
    std::vector<Line> lines = BuildLines(ReadWords(*page));
    // The page's lines wait in `layouts` until every page is read (headers and footers are
    // found across pages): charge them, and stop once the conversion is over its budget.
    std::size_t line_bytes = 0;
    for (const Line& l : lines) {
      line_bytes += sizeof(Line) + 2 * l.text.size() + l.pieces.size() * sizeof(pdf::TextPiece);
    }
    if (!MemoryBudget::Charge(line_bytes)) break;
    long rtl = 0, ltr = 0;
    for (const Line& l : lines) rtl += l.rtl_chars, ltr += l.ltr_chars;
    layout.streams = OrderPage(std::move(lines), layout.width, rtl > ltr);
    PlaceTables(layout, rtl > ltr);
    layouts.push_back(std::move(layout));
  }
  PdfBuilder(doc, options).Build(layouts);
  return doc;
}

}  // namespace ferry::document
