#include "document/backends/pdf_lists.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace ferry::document::pdf {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

// The code point at `i` and its length in bytes (a stray byte stands for itself).
std::pair<char32_t, std::size_t> CodePointAt(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + len > s.size()) len = 1;
  char32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  return {cp, len};
}

// A code point no text maps to: what a PDF gives for a glyph without a Unicode meaning, as
// bullets drawn from symbol fonts often are (controls, private use, the unassigned planes).
bool IsOpaqueGlyph(char32_t c) {
  return (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c <= 0x9F) ||
         (c >= 0xE000 && c <= 0xF8FF) || c >= 0x40000 || c == 0xFFFD;
}

// Bullets and boxes that open list items. ASCII ones need a space after them ("-5", "*note").
constexpr std::string_view kBullets[] = {
    "\u2022", "\u00B7", "\u25AA", "\u25AB", "\u25E6", "\u2023", "\u2043", "\u2219", "\u25CF",
    "\u25CB", "\u25A0", "\u25A1", "\u25C6", "\u25C7", "\u2666", "\u25BA", "\u25B6", "\u27A2",
    "\u27A4", "\u2756", "\u2713", "\u2714", "\u2610", "\u2611", "\u2612", "\u2013", "-", "*"};

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int CountCodePoints(std::string_view s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

std::optional<ListMarker> FindListMarker(std::string_view s) {
  // Glyphs without a Unicode meaning: one to three of them before a space make a bullet (a box
  // and its tick); one against the text is more likely a bracket or a symbol of the text.
  std::size_t n = 0;
  int glyphs = 0;
  while (n < s.size() && glyphs < 4) {
    const auto [cp, len] = CodePointAt(s, n);
    if (!IsOpaqueGlyph(cp)) break;
    n += len;
    ++glyphs;
  }
  if (glyphs > 0 && glyphs <= 3 && n < s.size() && s[n] == ' ') {
    while (n < s.size() && s[n] == ' ') ++n;
    if (n >= s.size()) return std::nullopt;
    return ListMarker{n, false, {}};
  }
  for (std::string_view bullet : kBullets) {
    if (s.substr(0, bullet.size()) != bullet) continue;
    n = bullet.size();
    if (bullet.size() == 1 && (s.size() <= n || s[n] != ' ')) return std::nullopt;
    while (n < s.size() && s[n] == ' ') ++n;
    if (n >= s.size()) return std::nullopt;
    return ListMarker{n, false, {}};
  }
  n = 0;
  const bool paren = !s.empty() && s[0] == '(';
  if (paren) ++n;
  const std::size_t start = n;
  while (n < s.size() && IsDigit(s[n]) && n - start < 3) ++n;
  if (n == start) {
    if (n < s.size() && IsLower(s[n])) {
      ++n;
    } else {
      return std::nullopt;
    }
  }
  if (n >= s.size()) return std::nullopt;
  if (paren ? s[n] != ')' : (s[n] != '.' && s[n] != ')')) return std::nullopt;
  ++n;
  if (n >= s.size() || s[n] != ' ') return std::nullopt;
  std::string text(s.substr(0, n));
  while (n < s.size() && s[n] == ' ') ++n;
  if (n >= s.size()) return std::nullopt;
  return ListMarker{n, true, std::move(text)};
}

bool IsMarkerOnly(std::string_view text) {
  if (text.empty() || text.size() > 12) return false;
  const std::string probe = std::string(text) + " x";
  const auto m = FindListMarker(probe);
  return m && m->length == text.size() + 1;
}

bool IsBulletGlyph(const Glyphs& word, const Glyphs& next) {
  const int glyphs = CountCodePoints(word.text);
  if (glyphs == 0 || glyphs > 2 || next.text.empty()) return false;
  const std::string font = Lowercase(word.font);
  const bool dingbats = font.find("dingbat") != std::string::npos ||
                        font.find("wingding") != std::string::npos ||
                        font.find("webding") != std::string::npos;
  if (dingbats) return true;
  const auto [cp, len] = CodePointAt(word.text, 0);
  const bool letter_or_digit = (cp < 0x80 && std::isalnum(static_cast<int>(cp))) ||
                               (cp >= 0x0370 && cp <= 0x03FF);  // Symbol's Greek
  if (font.find("symbol") != std::string::npos) return !letter_or_digit;
  // A letter from a dingbat font embedded under another name: alone, much smaller than the
  // text it opens, and in a font of its own. A digit so set is a footnote mark.
  return glyphs == 1 && !(cp >= '0' && cp <= '9') && word.size <= 0.8 * next.size &&
         word.font != next.font;
}

std::size_t ListLevels::Place(double x, double tolerance) {
  while (!indents_.empty() && x < indents_.back() - tolerance) indents_.pop_back();
  if (indents_.empty() || x > indents_.back() + tolerance) indents_.push_back(x);
  return indents_.size() - 1;
}

bool ListLevels::Matches(double x, double tolerance) const {
  return std::any_of(indents_.begin(), indents_.end(),
                     [&](double indent) { return std::abs(x - indent) <= tolerance; });
}

}  // namespace ferry::document::pdf
