#include "document/backends/docx.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/utf8.h"

namespace ferry::document {
namespace {

// Nesting deeper than this (tables in tables, text boxes, content controls, equations) is cut.
constexpr int kMaxDepth = 64;
// Word allows 63 columns; anything wider is hostile or broken.
constexpr int kMaxColumns = 1000;
constexpr int kMaxGridSpan = 64;
// Rows x columns of one table (the exporters build the full grid).
constexpr long long kMaxTableArea = 4'000'000;
constexpr int kLevels = 9;  // list levels 0..8

// ---------------------------------------------------------------------------------------------
// XML helpers. Elements and attributes are matched by local name so that the Strict namespace
// variant and unusual prefixes read the same as Word's transitional "w:" markup.

std::string_view LocalName(std::string_view name) {
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view LocalName(const pugi::xml_node& n) { return LocalName(n.name()); }

bool Is(const pugi::xml_node& n, std::string_view local) {
  return n.type() == pugi::node_element && LocalName(n) == local;
}

pugi::xml_node Child(const pugi::xml_node& n, std::string_view local) {
  if (!n) return {};
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (Is(c, local)) return c;
  }
  return {};
}

// An attribute by local name ("val" finds w:val), or null.
const char* Attr(const pugi::xml_node& n, std::string_view local) {
  if (!n) return nullptr;
  for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
    if (LocalName(a.name()) == local) return a.value();
  }
  return nullptr;
}

// The w:val of a child element ("" when absent).
std::string Val(const pugi::xml_node& n, std::string_view child) {
  const char* v = Attr(Child(n, child), "val");
  return v ? std::string(v) : std::string();
}

std::optional<int> ToInt(const char* s) {
  if (!s || !*s) return std::nullopt;
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  if (end == s) return std::nullopt;
  return static_cast<int>(std::clamp(v, -1'000'000L, 1'000'000L));
}

// An on/off property (w:b, w:i, ...): present means on unless its val says otherwise.
std::optional<bool> OnOff(const pugi::xml_node& n) {
  if (!n) return std::nullopt;
  const char* v = Attr(n, "val");
  if (!v) return true;
  const std::string_view s(v);
  return !(s == "0" || s == "false" || s == "off" || s == "none");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

// The branch of mc:AlternateContent to read: the first Choice, else the Fallback.
pugi::xml_node Branch(const pugi::xml_node& alternate) {
  if (pugi::xml_node choice = Child(alternate, "Choice")) return choice;
  return Child(alternate, "Fallback");
}

// Decodes one UTF-8 code point at s[i], advancing i (invalid bytes decode as themselves).
unsigned NextCodePoint(std::string_view s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i++]);
  const std::size_t extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (extra == 0 || i + extra > s.size()) return c;
  unsigned cp = extra == 1 ? (c & 0x1Fu) : extra == 2 ? (c & 0x0Fu) : (c & 0x07u);
  for (std::size_t k = 0; k < extra; ++k, ++i) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3Fu);
  }
  return cp;
}

// Fonts that set code (monospaced), by name.
bool IsMonospaceFont(std::string_view font) {
  const std::string f = [&] {
    std::string out;
    for (char c : font) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }();
  static constexpr const char* kMono[] = {
      "courier", "consolas", "lucida console", "lucida sans typewriter",
      "menlo",   "monaco",   "inconsolata",    "andale mono",
      "mono",    "code"};  // "... Mono", "Source Code Pro", ...
  for (const char* m : kMono) {
    if (f.find(m) != std::string::npos) return true;
  }
  return false;
}

// Characters that prose rarely has and code usually does.
bool LooksLikeCode(std::string_view text) {
  if (!text.empty() && (text.front() == ' ' || text.front() == '\t')) return true;
  return text.find_first_of("(){}[];=<>#_*/\\|&$") != std::string_view::npos;
}

bool SameFormatting(const Formatting& a, const Formatting& b) {
  return a.bold == b.bold && a.italic == b.italic && a.underline == b.underline &&
         a.strikethrough == b.strikethrough && a.script == b.script;
}

std::string MimeTypeOf(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string ext = dot == std::string_view::npos ? "" : Lower(path.substr(dot + 1));
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "gif") return "image/gif";
  if (ext == "bmp") return "image/bmp";
  if (ext == "tif" || ext == "tiff") return "image/tiff";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "webp") return "image/webp";
  if (ext == "emf") return "image/x-emf";
  if (ext == "wmf") return "image/x-wmf";
  return {};
}

// ---------------------------------------------------------------------------------------------
// Relationships (part.rels): Id -> target.

struct Relationship {
  std::string type;    // the last segment of the type URI ("image", "hyperlink", ...)
  std::string target;  // as written
  bool external = false;
};

std::string RelsPathOf(std::string_view part) {
  const auto slash = part.rfind('/');
  if (slash == std::string_view::npos) return "_rels/" + std::string(part) + ".rels";
  return std::string(part.substr(0, slash)) + "/_rels/" + std::string(part.substr(slash + 1)) +
         ".rels";
}

std::map<std::string, Relationship> ParseRels(const pugi::xml_document& xml) {
  std::map<std::string, Relationship> rels;
  const pugi::xml_node root = Child(xml, "Relationships");
  for (pugi::xml_node r = root.first_child(); r; r = r.next_sibling()) {
    if (!Is(r, "Relationship")) continue;
    const char* id = Attr(r, "Id");
    const char* target = Attr(r, "Target");
    if (!id || !target) continue;
    std::string_view type = Attr(r, "Type") ? Attr(r, "Type") : "";
    if (const auto slash = type.rfind('/'); slash != std::string_view::npos) {
      type.remove_prefix(slash + 1);
    }
    const char* mode = Attr(r, "TargetMode");
    rels[id] = {std::string(type), target, mode && Lower(mode) == "external"};
  }
  return rels;
}

// ---------------------------------------------------------------------------------------------
// Styles (word/styles.xml).

struct RunProps {
  std::optional<bool> bold, italic, underline, strike;
  std::optional<Formatting::Script> script;
  std::string font;  // rFonts (ascii, else hAnsi), "" when not set

  void ApplyTo(Formatting& f) const {
    if (bold) f.bold = *bold;
    if (italic) f.italic = *italic;
    if (underline) f.underline = *underline;
    if (strike) f.strikethrough = *strike;
    if (script) f.script = *script;
  }
};

RunProps ParseRunProps(const pugi::xml_node& rpr) {
  RunProps p;
  if (!rpr) return p;
  if (pugi::xml_node fonts = Child(rpr, "rFonts")) {
    const char* font = Attr(fonts, "ascii");
    if (!font) font = Attr(fonts, "hAnsi");
    if (font) p.font = font;
  }
  p.bold = OnOff(Child(rpr, "b"));
  p.italic = OnOff(Child(rpr, "i"));
  p.underline = OnOff(Child(rpr, "u"));
  p.strike = OnOff(Child(rpr, "strike"));
  if (!p.strike || !*p.strike) {
    if (auto d = OnOff(Child(rpr, "dstrike"))) p.strike = *d || p.strike.value_or(false);
  }
  if (Child(rpr, "vertAlign")) {
    const std::string val = Val(rpr, "vertAlign");
    p.script = val == "superscript" ? Formatting::Script::kSuper
               : val == "subscript" ? Formatting::Script::kSub
                                    : Formatting::Script::kBaseline;
  }
  return p;
}

struct Style {
  std::string name;  // lower case
  std::string based_on;
  int outline_level = -1;
  std::string num_id;  // from pPr/numPr
  int ilvl = -1;
  RunProps run;
};

class Styles {
 public:
  void Load(const pugi::xml_document& xml) {
    const pugi::xml_node root = Child(xml, "styles");
    for (pugi::xml_node s = root.first_child(); s; s = s.next_sibling()) {
      if (!Is(s, "style")) continue;
      const char* id = Attr(s, "styleId");
      if (!id) continue;
      Style style;
      style.name = Lower(Val(s, "name"));
      style.based_on = Val(s, "basedOn");
      const pugi::xml_node ppr = Child(s, "pPr");
      if (auto lvl = ToInt(Attr(Child(ppr, "outlineLvl"), "val"))) style.outline_level = *lvl;
      if (pugi::xml_node num = Child(ppr, "numPr")) {
        style.num_id = Val(num, "numId");
        if (auto ilvl = ToInt(Attr(Child(num, "ilvl"), "val"))) style.ilvl = *ilvl;
      }
      style.run = ParseRunProps(Child(s, "rPr"));
      const char* type = Attr(s, "type");
      if (type && std::string_view(type) == "paragraph") {
        const char* def = Attr(s, "default");
        if (def && (std::string_view(def) == "1" || std::string_view(def) == "true")) {
          default_paragraph_ = id;
        }
      }
      styles_[id] = std::move(style);
    }
  }

  const Style* Find(const std::string& id) const {
    auto it = styles_.find(id);
    return it == styles_.end() ? nullptr : &it->second;
  }

  // The style and its basedOn ancestors, nearest first (cycles and long chains cut).
  std::vector<const Style*> Chain(const std::string& id) const {
    std::vector<const Style*> chain;
    std::string current = id;
    for (int i = 0; i < 16 && !current.empty(); ++i) {
      const Style* s = Find(current);
      if (!s || std::find(chain.begin(), chain.end(), s) != chain.end()) break;
      chain.push_back(s);
      current = s->based_on;
    }
    return chain;
  }

  // A style's name in lower case: its w:name, or its id when it is not defined.
  std::string Name(const std::string& id) const {
    const Style* s = Find(id);
    return s && !s->name.empty() ? s->name : Lower(id);
  }

  const std::string& default_paragraph() const { return default_paragraph_; }

 private:
  std::unordered_map<std::string, Style> styles_;
  std::string default_paragraph_;
};

// ---------------------------------------------------------------------------------------------
// Numbering (word/numbering.xml).

struct LevelDef {
  std::string format;  // numFmt: "bullet", "decimal", "lowerLetter", ...
  int start = 1;
  std::string text;  // lvlText: "%1.", "%1.%2", a bullet character
  bool defined = false;
};

LevelDef ParseLevel(const pugi::xml_node& lvl) {
  LevelDef def;
  def.defined = true;
  def.format = Val(lvl, "numFmt");
  if (auto start = ToInt(Attr(Child(lvl, "start"), "val"))) def.start = *start;
  def.text = Val(lvl, "lvlText");
  return def;
}

class Numbering {
 public:
  void Load(const pugi::xml_document& xml) {
    loaded_ = true;
    const pugi::xml_node root = Child(xml, "numbering");
    for (pugi::xml_node n = root.first_child(); n; n = n.next_sibling()) {
      if (Is(n, "abstractNum")) {
        const char* id = Attr(n, "abstractNumId");
        if (!id) continue;
        Abstract a;
        a.style_link = Val(n, "numStyleLink");
        for (pugi::xml_node l = n.first_child(); l; l = l.next_sibling()) {
          if (!Is(l, "lvl")) continue;
          const auto ilvl = ToInt(Attr(l, "ilvl"));
          if (ilvl && *ilvl >= 0 && *ilvl < kLevels)
            a.levels[static_cast<std::size_t>(*ilvl)] = ParseLevel(l);
        }
        abstracts_[id] = std::move(a);
      } else if (Is(n, "num")) {
        const auto id = ToInt(Attr(n, "numId"));
        if (!id) continue;
        Num num;
        num.abstract_id = Val(n, "abstractNumId");
        for (pugi::xml_node o = n.first_child(); o; o = o.next_sibling()) {
          if (!Is(o, "lvlOverride")) continue;
          const auto ilvl = ToInt(Attr(o, "ilvl"));
          if (!ilvl || *ilvl < 0 || *ilvl >= kLevels) continue;
          const auto i = static_cast<std::size_t>(*ilvl);
          if (pugi::xml_node l = Child(o, "lvl")) num.levels[i] = ParseLevel(l);
          if (auto start = ToInt(Attr(Child(o, "startOverride"), "val"))) num.start[i] = *start;
        }
        nums_[*id] = std::move(num);
      }
    }
  }

  bool loaded() const { return loaded_; }
  bool Has(int num_id) const { return nums_.count(num_id) > 0; }

  LevelDef Level(int num_id, int ilvl, const Styles& styles) const {
    const auto i = static_cast<std::size_t>(std::clamp(ilvl, 0, kLevels - 1));
    auto it = nums_.find(num_id);
    if (it == nums_.end()) return {};
    const Num& num = it->second;
    LevelDef def;
    if (num.levels[i].defined) {
      def = num.levels[i];
    } else {
      // abstractNum, possibly linked to a numbering style that names another num.
      std::string abstract_id = num.abstract_id;
      for (int hop = 0; hop < 4; ++hop) {
        auto a = abstracts_.find(abstract_id);
        if (a == abstracts_.end()) break;
        if (a->second.levels[i].defined || a->second.style_link.empty()) {
          def = a->second.levels[i];
          break;
        }
        const Style* link = styles.Find(a->second.style_link);
        const auto linked = link ? ToInt(link->num_id.c_str()) : std::nullopt;
        auto n = linked ? nums_.find(*linked) : nums_.end();
        if (n == nums_.end()) break;
        abstract_id = n->second.abstract_id;
      }
    }
    if (num.start[i]) def.start = *num.start[i];
    return def;
  }

 private:
  struct Abstract {
    std::array<LevelDef, kLevels> levels;
    std::string style_link;
  };
  struct Num {
    std::string abstract_id;
    std::array<LevelDef, kLevels> levels;
    std::array<std::optional<int>, kLevels> start;
  };
  bool loaded_ = false;
  std::unordered_map<std::string, Abstract> abstracts_;
  std::unordered_map<int, Num> nums_;
};

// ---------------------------------------------------------------------------------------------
// Equations: OMML to LaTeX-like linear text.

struct Symbol {
  unsigned cp;
  const char* latex;
};

constexpr Symbol kMathSymbols[] = {
    {0x03B1, "\\alpha"},
    {0x03B2, "\\beta"},
    {0x03B3, "\\gamma"},
    {0x03B4, "\\delta"},
    {0x03B5, "\\epsilon"},
    {0x03F5, "\\epsilon"},
    {0x03B6, "\\zeta"},
    {0x03B7, "\\eta"},
    {0x03B8, "\\theta"},
    {0x03B9, "\\iota"},
    {0x03BA, "\\kappa"},
    {0x03BB, "\\lambda"},
    {0x03BC, "\\mu"},
    {0x03BD, "\\nu"},
    {0x03BE, "\\xi"},
    {0x03C0, "\\pi"},
    {0x03C1, "\\rho"},
    {0x03C3, "\\sigma"},
    {0x03C4, "\\tau"},
    {0x03C5, "\\upsilon"},
    {0x03C6, "\\phi"},
    {0x03D5, "\\phi"},
    {0x03C7, "\\chi"},
    {0x03C8, "\\psi"},
    {0x03C9, "\\omega"},
    {0x0393, "\\Gamma"},
    {0x0394, "\\Delta"},
    {0x0398, "\\Theta"},
    {0x039B, "\\Lambda"},
    {0x039E, "\\Xi"},
    {0x03A0, "\\Pi"},
    {0x03A3, "\\Sigma"},
    {0x03A5, "\\Upsilon"},
    {0x03A6, "\\Phi"},
    {0x03A8, "\\Psi"},
    {0x03A9, "\\Omega"},
    {0x00D7, "\\times"},
    {0x00F7, "\\div"},
    {0x00B1, "\\pm"},
    {0x2213, "\\mp"},
    {0x2264, "\\leq"},
    {0x2265, "\\geq"},
    {0x2260, "\\neq"},
    {0x2248, "\\approx"},
    {0x2261, "\\equiv"},
    {0x221D, "\\propto"},
    {0x221E, "\\infty"},
    {0x2192, "\\rightarrow"},
    {0x2190, "\\leftarrow"},
    {0x21D2, "\\Rightarrow"},
    {0x21D4, "\\Leftrightarrow"},
    {0x2208, "\\in"},
    {0x2209, "\\notin"},
    {0x2282, "\\subset"},
    {0x2286, "\\subseteq"},
    {0x222A, "\\cup"},
    {0x2229, "\\cap"},
    {0x2202, "\\partial"},
    {0x2207, "\\nabla"},
    {0x00B7, "\\cdot"},
    {0x22C5, "\\cdot"},
    {0x2026, "\\ldots"},
    {0x22EF, "\\cdots"},
    {0x2200, "\\forall"},
    {0x2203, "\\exists"},
    {0x00AC, "\\neg"},
    {0x2227, "\\wedge"},
    {0x2228, "\\vee"},
    {0x2205, "\\emptyset"},
    {0x221A, "\\surd"},
    {0x2218, "\\circ"},
    {0x226A, "\\ll"},
    {0x226B, "\\gg"},
    {0x2032, "'"},
    {0x00B0, "^{\\circ}"},
};

const char* NaryOperator(unsigned cp) {
  switch (cp) {
    case 0x2211:
      return "\\sum";
    case 0x220F:
      return "\\prod";
    case 0x2210:
      return "\\coprod";
    case 0x222B:
      return "\\int";
    case 0x222C:
      return "\\iint";
    case 0x222D:
      return "\\iiint";
    case 0x222E:
      return "\\oint";
    case 0x222F:
      return "\\oiint";
    case 0x2230:
      return "\\oiiint";
    case 0x22C3:
      return "\\bigcup";
    case 0x22C2:
      return "\\bigcap";
    case 0x22C0:
      return "\\bigwedge";
    case 0x22C1:
      return "\\bigvee";
    case 0x2A01:
      return "\\bigoplus";
    case 0x2A02:
      return "\\bigotimes";
    default:
      return nullptr;
  }
}

const char* Accent(unsigned cp) {
  switch (cp) {
    case 0x0302:
      return "\\hat";
    case 0x0303:
      return "\\tilde";
    case 0x0307:
      return "\\dot";
    case 0x0308:
      return "\\ddot";
    case 0x20D7:
      return "\\vec";
    case 0x0304:
    case 0x0305:
      return "\\bar";
    case 0x030C:
      return "\\check";
    case 0x0301:
      return "\\acute";
    case 0x0300:
      return "\\grave";
    case 0x0306:
      return "\\breve";
    default:
      return "\\hat";
  }
}

unsigned FirstCodePoint(const char* s) {
  if (!s || !*s) return 0;
  std::size_t i = 0;
  return NextCodePoint(s, i);
}

class MathWriter {
 public:
  explicit MathWriter(bool& too_deep) : too_deep_(too_deep) {}

  std::string Convert(const pugi::xml_node& math) { return NormalizeSpace(Node(math, 0)); }

 private:
  std::string Text(std::string_view text) const {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      const std::size_t start = i;
      const unsigned cp = NextCodePoint(text, i);
      if (cp == 0x2212 || cp == 0x2013) {  // minus sign, en dash
        out += '-';
        continue;
      }
      const char* latex = nullptr;
      for (const Symbol& s : kMathSymbols) {
        if (s.cp == cp) latex = s.latex;
      }
      if (!latex) latex = NaryOperator(cp);
      if (latex) {
        out += ' ';
        out += latex;
        out += ' ';
      } else {
        out.append(text.substr(start, i - start));
      }
    }
    return out;
  }

  std::string Children(const pugi::xml_node& n, int depth) {
    std::string out;
    for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      out += Node(c, depth + 1);
    }
    return out;
  }

  std::string Arg(const pugi::xml_node& n, std::string_view local, int depth) {
    return Children(Child(n, local), depth);
  }

  // A base for a script: grouped in braces when it is more than a simple run.
  std::string Base(const pugi::xml_node& n, int depth) {
    const pugi::xml_node e = Child(n, "e");
    std::string base = Arg(n, "e", depth);
    int elements = 0;
    bool simple = true;
    for (pugi::xml_node c = e.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element || EndsWith(LocalName(c), "Pr")) continue;
      ++elements;
      const auto local = LocalName(c);
      if (local != "r" && local != "d") simple = false;
    }
    return simple || elements == 0 ? base : "{" + base + "}";
  }

  static std::string Delimiter(std::string_view chr, bool left) {
    if (chr.empty()) return left ? "\\left." : "\\right.";
    std::string c(chr);
    if (c == "{" || c == "}") c = "\\" + c;
    if (c == "\xE2\x9F\xA8" || c == "\xE2\x8C\xA9") c = "\\langle";
    if (c == "\xE2\x9F\xA9" || c == "\xE2\x8C\xAA") c = "\\rangle";
    if (c == "\xE2\x80\x96") c = "\\|";
    if (c == "\xE2\x8C\x8A") c = "\\lfloor";
    if (c == "\xE2\x8C\x8B") c = "\\rfloor";
    if (c == "\xE2\x8C\x88") c = "\\lceil";
    if (c == "\xE2\x8C\x89") c = "\\rceil";
    return (left ? "\\left" : "\\right") + c;
  }

  // "cos" -> \cos; other names -> \operatorname{name} when `operator_name`, else as they are.
  static std::string FunctionName(const std::string& name, bool operator_name) {
    static constexpr const char* kKnown[] = {
        "sin",  "cos",  "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh",
        "tanh", "coth", "log", "ln",  "lg",  "exp", "lim",    "max",    "min",    "sup",  "inf",
        "det",  "dim",  "gcd", "deg", "arg", "ker", "hom",    "limsup", "liminf", "Pr"};
    for (const char* k : kKnown) {
      if (name == k) return std::string("\\") + k;
    }
    bool word = name.size() > 1;
    for (char c : name) word = word && std::isalpha(static_cast<unsigned char>(c));
    return word && operator_name ? "\\operatorname{" + name + "}" : name;
  }

  std::string Node(const pugi::xml_node& n, int depth) {
    if (depth > kMaxDepth * 4) {
      too_deep_ = true;
      return {};
    }
    const std::string_view local = LocalName(n);
    if (EndsWith(local, "Pr")) return {};  // properties (rPr, sSupPr, ctrlPr, ...)
    if (local == "r") {
      std::string text;
      for (pugi::xml_node t = n.first_child(); t; t = t.next_sibling()) {
        if (Is(t, "t")) text += t.text().get();
      }
      return Text(text);
    }
    if (local == "t") return Text(n.text().get());
    if (local == "sSup") return Base(n, depth) + "^{" + Arg(n, "sup", depth) + "}";
    if (local == "sSub") return Base(n, depth) + "_{" + Arg(n, "sub", depth) + "}";
    if (local == "sSubSup") {
      return Base(n, depth) + "_{" + Arg(n, "sub", depth) + "}^{" + Arg(n, "sup", depth) + "}";
    }
    if (local == "sPre") {
      return "{}_{" + Arg(n, "sub", depth) + "}^{" + Arg(n, "sup", depth) + "}" +
             Arg(n, "e", depth);
    }
    if (local == "f") {
      const std::string type = Val(Child(n, "fPr"), "type");
      const std::string num = Arg(n, "num", depth), den = Arg(n, "den", depth);
      if (type == "noBar") return "\\genfrac{}{}{0pt}{}{" + num + "}{" + den + "}";
      if (type == "lin") return num + "/" + den;
      return "\\frac{" + num + "}{" + den + "}";
    }
    if (local == "rad") {
      const std::string deg = Arg(n, "deg", depth);
      const bool hidden = OnOff(Child(Child(n, "radPr"), "degHide")).value_or(false);
      return hidden || deg.empty() ? "\\sqrt{" + Arg(n, "e", depth) + "}"
                                   : "\\sqrt[" + deg + "]{" + Arg(n, "e", depth) + "}";
    }
    if (local == "d") {
      const pugi::xml_node pr = Child(n, "dPr");
      const char* beg = Attr(Child(pr, "begChr"), "val");
      const char* end = Attr(Child(pr, "endChr"), "val");
      const char* sep = Attr(Child(pr, "sepChr"), "val");
      std::string inner;
      bool first = true;
      for (pugi::xml_node e = n.first_child(); e; e = e.next_sibling()) {
        if (!Is(e, "e")) continue;
        if (!first) inner += sep ? sep : "|";
        first = false;
        inner += Children(e, depth + 1);
      }
      return Delimiter(beg ? beg : "(", true) + inner + Delimiter(end ? end : ")", false);
    }
    if (local == "nary") {
      const pugi::xml_node pr = Child(n, "naryPr");
      const char* chr = Attr(Child(pr, "chr"), "val");
      const unsigned cp = chr ? FirstCodePoint(chr) : 0x222B;
      const char* op = NaryOperator(cp);
      std::string out = op ? op : (chr ? std::string(chr) : std::string("\\int"));
      out += "_{" + Arg(n, "sub", depth) + "}^{" + Arg(n, "sup", depth) + "}";
      return out + Arg(n, "e", depth);
    }
    if (local == "func") {
      const pugi::xml_node fname = Child(n, "fName");
      std::string name;
      // A plain name ("cos") becomes \cos; a name with limits (lim under n) keeps its structure.
      bool plain = true;
      for (pugi::xml_node c = fname.first_child(); c; c = c.next_sibling()) {
        if (c.type() == pugi::node_element && !Is(c, "r") && !EndsWith(LocalName(c), "Pr")) {
          plain = false;
        }
      }
      name = plain ? FunctionName(NormalizeSpace(Children(fname, depth)), true)
                   : Arg(n, "fName", depth);
      return name + Arg(n, "e", depth);
    }
    if (local == "limLow" || local == "limUpp") {
      const pugi::xml_node e = Child(n, "e");
      std::string base = Children(e, depth + 1);
      // "lim" and other operator names under a limit are functions.
      bool plain = true;
      for (pugi::xml_node c = e.first_child(); c; c = c.next_sibling()) {
        if (c.type() == pugi::node_element && !Is(c, "r") && !EndsWith(LocalName(c), "Pr")) {
          plain = false;
        }
      }
      if (plain) base = FunctionName(NormalizeSpace(base), false);
      if (local == "limUpp") return "\\overset{" + Arg(n, "lim", depth) + "}{" + base + "}";
      return base + "_{" + Arg(n, "lim", depth) + "}";
    }
    if (local == "groupChr") {
      const pugi::xml_node pr = Child(n, "groupChrPr");
      const std::string pos = Val(pr, "pos");
      const char* chr = Attr(Child(pr, "chr"), "val");
      const unsigned cp = chr ? FirstCodePoint(chr) : 0x23DF;
      const bool over = cp == 0x23DE || (pos == "top" && cp != 0x23DF);
      return std::string(over ? "\\overbrace{" : "\\underbrace{") + Arg(n, "e", depth) + "}";
    }
    if (local == "bar") {
      const bool top = Val(Child(n, "barPr"), "pos") == "top";
      return std::string(top ? "\\overline{" : "\\underline{") + Arg(n, "e", depth) + "}";
    }
    if (local == "acc") {
      const char* chr = Attr(Child(Child(n, "accPr"), "chr"), "val");
      return std::string(Accent(chr ? FirstCodePoint(chr) : 0x0302)) + "{" + Arg(n, "e", depth) +
             "}";
    }
    if (local == "eqArr") {  // rows of aligned equations
      std::string out;
      for (pugi::xml_node e = n.first_child(); e; e = e.next_sibling()) {
        if (!Is(e, "e")) continue;
        if (!out.empty()) out += " \\\\ ";
        out += Children(e, depth + 1);
      }
      return out;
    }
    if (local == "m") {
      std::string out;
      for (pugi::xml_node row = n.first_child(); row; row = row.next_sibling()) {
        if (!Is(row, "mr")) continue;
        if (!out.empty()) out += " \\\\ ";
        bool first = true;
        for (pugi::xml_node e = row.first_child(); e; e = e.next_sibling()) {
          if (!Is(e, "e")) continue;
          if (!first) out += " & ";
          first = false;
          out += Children(e, depth + 1);
        }
      }
      return "\\begin{matrix}" + out + "\\end{matrix}";
    }
    // oMath, e, num, den, box, borderBox, phant, w:r inside math, ...
    return Children(n, depth);
  }

  bool& too_deep_;
};

// ---------------------------------------------------------------------------------------------
// The reader.

// One piece of a paragraph's inline content, in reading order.
struct Piece {
  enum class Kind : std::uint8_t { kText, kFormula, kPicture, kChart, kTextbox, kCheckbox };
  Kind kind = Kind::kText;
  std::string text;  // text, formula, or "[x]" / "[ ]"
  Formatting formatting;
  std::string hyperlink;
  bool display = false;  // a formula of its own (m:oMathPara)
  pugi::xml_node node;   // text box content, chart reference
  PictureItem picture;
};

// A formatted part of a paragraph, ready to become a text item.
struct Part {
  std::string text;
  Formatting formatting;
  std::string hyperlink;
  bool formula = false;
};

struct ParagraphInfo {
  int heading = -1;  // 0 the title, N >= 1 a section header level
  int num_id = 0;    // a list item when nonzero
  int ilvl = 0;
  bool caption = false;
  bool code = false;
  std::string font;  // the paragraph style's font
};

class DocxReader {
 public:
  DocxReader(ZipArchive& zip, Document& doc) : zip_(zip), doc_(doc), sections_(doc) {}

  Result<bool> Run() {
    const std::string main_part = FindMainPart();
    if (!zip_.Has(main_part)) {
      return Fail(ErrorCode::kInvalidParams,
                  "not a Word document: the archive has no main document part (" + main_part + ")");
    }
    main_part_ = main_part;
    rels_ = ReadRelsOf(main_part);
    if (auto xml = ReadOptional(PartOf("styles", "word/styles.xml"))) styles_.Load(**xml);
    if (auto xml = ReadOptional(PartOf("numbering", "word/numbering.xml"))) numbering_.Load(**xml);

    auto xml = zip_.ReadXml(main_part);
    if (!xml) return Fail(xml.error());
    const pugi::xml_node body = Child(Child(**xml, "document"), "body");
    if (!body) {
      doc_.warnings.push_back("the main document part has no body");
      return true;
    }
    ParseBlocks(body, 0);
    FlushCaption();
    EndList();
    ReadFurniture();
    return true;
  }

 private:
  // --- parts -----------------------------------------------------------------------------------

  std::string FindMainPart() {
    if (zip_.Has("_rels/.rels")) {
      if (auto xml = zip_.ReadXml("_rels/.rels")) {
        for (const auto& [id, rel] : ParseRels(**xml)) {
          if (rel.type == "officeDocument" && !rel.external) return ResolvePartPath("", rel.target);
        }
      }
    }
    return "word/document.xml";
  }

  std::map<std::string, Relationship> ReadRelsOf(const std::string& part) {
    const std::string path = RelsPathOf(part);
    if (auto xml = ReadOptional(path)) return ParseRels(**xml);
    return {};
  }

  // The main part's relationship of a type, resolved, else a conventional path.
  std::string PartOf(std::string_view type, std::string fallback) const {
    for (const auto& [id, rel] : rels_) {
      if (rel.type == type && !rel.external) return ResolvePartPath(main_part_, rel.target);
    }
    return fallback;
  }

  // An optional part: absent is fine, broken is a warning.
  std::optional<std::unique_ptr<pugi::xml_document>> ReadOptional(const std::string& part) {
    if (part.empty() || !zip_.Has(part)) return std::nullopt;
    auto xml = zip_.ReadXml(part);
    if (!xml) {
      doc_.warnings.push_back("skipped " + part + ": " + xml.error().message);
      return std::nullopt;
    }
    return std::move(*xml);
  }

  void WarnTooDeep() {
    if (warned_depth_) return;
    warned_depth_ = true;
    doc_.warnings.push_back("content nested deeper than " + std::to_string(kMaxDepth) +
                            " levels (tables in tables, text boxes, content controls) was cut");
  }

  Ref Parent() const { return sections_.current(); }

  // --- blocks ----------------------------------------------------------------------------------

  void ParseBlocks(const pugi::xml_node& container, int depth) {
    if (!container) return;
    if (depth > kMaxDepth) {
      WarnTooDeep();
      return;
    }
    for (pugi::xml_node n = container.first_child(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element) continue;
      const std::string_view local = LocalName(n);
      if (local == "p") {
        ParseParagraph(n, depth);
      } else if (local == "tbl") {
        ParseTable(n, depth);
      } else if (local == "sdt") {
        ParseBlocks(Child(n, "sdtContent"), depth + 1);
      } else if (local == "customXml" || local == "ins" || local == "moveTo" ||
                 local == "smartTag") {
        ParseBlocks(n, depth + 1);
      } else if (local == "AlternateContent") {
        ParseBlocks(Branch(n), depth + 1);
      } else if (local == "sectPr") {
        RecordSection(n);
      }
    }
  }

  void RecordSection(const pugi::xml_node& sect) {
    for (pugi::xml_node r = sect.first_child(); r; r = r.next_sibling()) {
      const bool header = Is(r, "headerReference");
      if (!header && !Is(r, "footerReference")) continue;
      const char* id = Attr(r, "id");
      if (!id) continue;
      auto it = rels_.find(id);
      if (it == rels_.end() || it->second.external) continue;
      const std::string part = ResolvePartPath(main_part_, it->second.target);
      auto& list = header ? header_parts_ : footer_parts_;
      if (std::find(list.begin(), list.end(), part) == list.end()) list.push_back(part);
    }
  }

  ParagraphInfo Info(const pugi::xml_node& ppr) const {
    ParagraphInfo info;
    std::string style_id = Val(ppr, "pStyle");
    if (style_id.empty()) style_id = styles_.default_paragraph();
    const std::string name = styles_.Name(style_id);
    const auto chain = styles_.Chain(style_id);
    if (name == "title") {
      info.heading = 0;
    } else if (name.rfind("heading", 0) == 0) {
      std::string_view rest = std::string_view(name).substr(7);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      if (rest.size() == 1 && rest[0] >= '1' && rest[0] <= '9') info.heading = rest[0] - '0';
    }
    if (info.heading < 0 && name != "subtitle") {
      for (const Style* s : chain) {
        if (s->outline_level < 0) continue;
        if (s->outline_level < kLevels) info.heading = s->outline_level + 1;
        break;
      }
    }
    info.caption = name == "caption";
    for (const Style* s : chain) {
      if (s->run.font.empty()) continue;
      info.font = s->run.font;
      break;
    }
    // Code styles: "Source Code", "Code", "HTML Preformatted", ... (a whole word, so that
    // "Source Reference" or "Barcode" do not count).
    std::string word;
    for (std::size_t i = 0; i <= name.size(); ++i) {
      if (i < name.size() && std::isalnum(static_cast<unsigned char>(name[i]))) {
        word += name[i];
        continue;
      }
      if (word == "code" || word == "preformatted") info.code = true;
      word.clear();
    }

    // Numbering: the paragraph's own numPr, completed by its style's.
    std::string num_id;
    int ilvl = -1;
    for (const Style* s : chain) {
      if (num_id.empty() && !s->num_id.empty()) num_id = s->num_id;
      if (ilvl < 0 && s->ilvl >= 0) ilvl = s->ilvl;
    }
    if (pugi::xml_node num = Child(ppr, "numPr")) {
      const std::string own = Val(num, "numId");
      if (!own.empty()) num_id = own;
      if (auto own_ilvl = ToInt(Attr(Child(num, "ilvl"), "val"))) ilvl = *own_ilvl;
    }
    if (auto id = ToInt(num_id.c_str());
        id && *id > 0 && (!numbering_.loaded() || numbering_.Has(*id))) {
      info.num_id = *id;
      info.ilvl = std::clamp(ilvl, 0, kLevels - 1);
    }
    return info;
  }

  // --- inline content --------------------------------------------------------------------------

  Formatting RunFormatting(const pugi::xml_node& rpr) const {
    Formatting f;
    if (!rpr) return f;
    const std::string char_style = Val(rpr, "rStyle");
    if (!char_style.empty()) {
      const auto chain = styles_.Chain(char_style);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) (*it)->run.ApplyTo(f);
    }
    ParseRunProps(rpr).ApplyTo(f);
    return f;
  }

  // A run's font: its own, its character style's, else the paragraph's.
  std::string RunFont(const pugi::xml_node& rpr, const std::string& paragraph_font) const {
    std::string font = ParseRunProps(rpr).font;
    if (font.empty()) {
      const std::string char_style = Val(rpr, "rStyle");
      for (const Style* s : styles_.Chain(char_style)) {
        if (s->run.font.empty()) continue;
        font = s->run.font;
        break;
      }
    }
    return font.empty() ? paragraph_font : font;
  }

  struct Inline {
    std::vector<Piece> pieces;
    std::string hyperlink;
    std::string paragraph_font;
    bool monospace = true;  // every run with text is set in a monospaced font
    int text_runs = 0;      // runs with text
  };

  void AddText(Inline& in, std::string_view text, const Formatting& f) {
    if (text.empty()) return;
    if (!in.pieces.empty()) {
      Piece& last = in.pieces.back();
      if (last.kind == Piece::Kind::kText && last.hyperlink == in.hyperlink &&
          SameFormatting(last.formatting, f)) {
        last.text.append(text);
        return;
      }
    }
    Piece p;
    p.text = std::string(text);
    p.formatting = f;
    p.hyperlink = in.hyperlink;
    in.pieces.push_back(std::move(p));
  }

  std::string HyperlinkTarget(const pugi::xml_node& h) const {
    std::string target;
    if (const char* id = Attr(h, "id")) {
      auto it = rels_.find(id);
      if (it != rels_.end()) target = it->second.target;
    }
    if (const char* anchor = Attr(h, "anchor"); anchor && *anchor) {
      target += "#";
      target += anchor;
    }
    return target;
  }

  void CollectInline(const pugi::xml_node& container, Inline& in, int depth) {
    if (depth > kMaxDepth) {
      WarnTooDeep();
      return;
    }
    for (pugi::xml_node n = container.first_child(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element) continue;
      const std::string_view local = LocalName(n);
      if (local == "r") {
        const pugi::xml_node rpr = Child(n, "rPr");
        {
          bool has_text = false;
          for (pugi::xml_node t = Child(n, "t"); t && !has_text; t = t.next_sibling()) {
            has_text = Is(t, "t") && !IsBlank(t.text().get());
          }
          if (has_text && !IsMonospaceFont(RunFont(rpr, in.paragraph_font))) {
            in.monospace = false;
          }
          in.text_runs += has_text ? 1 : 0;
        }
        CollectRun(n, RunFormatting(rpr), in, depth + 1);
      } else if (local == "hyperlink") {
        const std::string saved = in.hyperlink;
        const std::string target = HyperlinkTarget(n);
        if (!target.empty()) in.hyperlink = target;
        CollectInline(n, in, depth + 1);
        in.hyperlink = saved;
      } else if (local == "sdt") {
        const pugi::xml_node checkbox = Child(Child(n, "sdtPr"), "checkbox");
        if (checkbox) {
          const char* checked = Attr(Child(checkbox, "checked"), "val");
          Piece p;
          p.kind = Piece::Kind::kCheckbox;
          p.text =
              checked && (std::string_view(checked) == "1" || std::string_view(checked) == "true")
                  ? "[x]"
                  : "[ ]";
          in.pieces.push_back(std::move(p));
        } else {
          CollectInline(Child(n, "sdtContent"), in, depth + 1);
        }
      } else if (local == "ins" || local == "moveTo" || local == "smartTag" ||
                 local == "customXml" || local == "fldSimple" || local == "dir" || local == "bdo") {
        CollectInline(n, in, depth + 1);
      } else if (local == "AlternateContent") {
        CollectInline(Branch(n), in, depth + 1);
      } else if (local == "oMath") {
        AddFormula(n, false, in);
      } else if (local == "oMathPara") {
        for (pugi::xml_node m = n.first_child(); m; m = m.next_sibling()) {
          if (Is(m, "oMath")) AddFormula(m, true, in);
        }
      }
    }
  }

  void AddFormula(const pugi::xml_node& math, bool display, Inline& in) {
    bool too_deep = false;
    Piece p;
    p.kind = Piece::Kind::kFormula;
    p.text = MathWriter(too_deep).Convert(math);
    p.display = display;
    if (too_deep) WarnTooDeep();
    if (!p.text.empty()) in.pieces.push_back(std::move(p));
  }

  void CollectRun(const pugi::xml_node& run, const Formatting& f, Inline& in, int depth) {
    if (depth > kMaxDepth) {
      WarnTooDeep();
      return;
    }
    for (pugi::xml_node c = run.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element) continue;
      const std::string_view local = LocalName(c);
      if (local == "t") {
        AddText(in, c.text().get(), f);
      } else if (local == "tab" || local == "ptab") {
        AddText(in, "\t", f);
      } else if (local == "br" || local == "cr") {
        AddText(in, "\n", f);
      } else if (local == "noBreakHyphen") {
        AddText(in, "-", f);
      } else if (local == "sym") {
        // Symbol-font characters live in the private use area: no meaning without the font.
        const char* code = Attr(c, "char");
        const unsigned long cp = code ? std::strtoul(code, nullptr, 16) : 0;
        if (cp >= 0x20 && (cp < 0xE000 || cp > 0xF8FF) && cp < 0x110000) {
          std::string s;
          ferry::AppendUtf8(s, static_cast<unsigned long>(cp));
          AddText(in, s, f);
        }
      } else if (local == "drawing" || local == "pict" || local == "object") {
        CollectGraphic(c, in);
      } else if (local == "AlternateContent") {
        CollectRun(Branch(c), f, in, depth + 1);
      }
    }
  }

  PictureItem PictureFrom(const char* rel_id) const {
    PictureItem pic;
    if (!rel_id) return pic;
    auto it = rels_.find(rel_id);
    if (it == rels_.end()) return pic;
    pic.uri =
        it->second.external ? it->second.target : ResolvePartPath(main_part_, it->second.target);
    pic.mimetype = MimeTypeOf(it->second.target);
    return pic;
  }

  // Pictures, charts and text boxes inside a w:drawing / w:pict / w:object (groups and canvases
  // hold several).
  void CollectGraphic(const pugi::xml_node& root, Inline& in) {
    std::vector<pugi::xml_node> stack{root};
    std::size_t visited = 0;
    std::vector<Piece> found;
    while (!stack.empty() && ++visited < 200'000) {
      const pugi::xml_node n = stack.back();
      stack.pop_back();
      const std::string_view local = LocalName(n);
      if (local == "txbxContent") {
        Piece p;
        p.kind = Piece::Kind::kTextbox;
        p.node = n;
        found.push_back(std::move(p));
        continue;
      }
      if (local == "AlternateContent") {
        if (pugi::xml_node b = Branch(n)) stack.push_back(b);
        continue;
      }
      if (local == "pic" || local == "imagedata") {
        Piece p;
        p.kind = Piece::Kind::kPicture;
        if (local == "pic") {
          const pugi::xml_node blip = Child(Child(n, "blipFill"), "blip");
          const char* embed = Attr(blip, "embed");
          p.picture = PictureFrom(embed ? embed : Attr(blip, "link"));
          const pugi::xml_node ext = Child(Child(Child(n, "spPr"), "xfrm"), "ext");
          if (auto cx = ToInt(Attr(ext, "cx"))) p.picture.width = *cx / 9525;
          if (auto cy = ToInt(Attr(ext, "cy"))) p.picture.height = *cy / 9525;
        } else {
          p.picture = PictureFrom(Attr(n, "id"));
        }
        found.push_back(std::move(p));
        continue;
      }
      if (local == "chart" && Attr(n, "id")) {
        Piece p;
        p.kind = Piece::Kind::kChart;
        p.node = n;
        found.push_back(std::move(p));
        continue;
      }
      // Children in reverse so that they pop in document order.
      std::vector<pugi::xml_node> children;
      for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
        if (c.type() == pugi::node_element) children.push_back(c);
      }
      for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
    }
    for (auto& p : found) in.pieces.push_back(std::move(p));
  }

  // Text pieces (and inline formulas) merged into formatted parts: whitespace-only runs join
  // their neighbours, adjacent runs of equal formatting merge, each part is normalized.
  static std::vector<Part> BuildParts(const std::vector<Piece>& pieces) {
    std::vector<Part> parts;
    bool pending_space = false;
    for (const Piece& p : pieces) {
      if (p.kind == Piece::Kind::kFormula && !p.display) {
        parts.push_back({p.text, {}, {}, true});
        pending_space = false;
        continue;
      }
      if (p.kind == Piece::Kind::kCheckbox) {
        parts.push_back({p.text, {}, {}, false});
        pending_space = true;
        continue;
      }
      if (p.kind != Piece::Kind::kText) continue;
      if (IsBlank(p.text)) {
        pending_space = true;
        continue;
      }
      if (!parts.empty() && !parts.back().formula &&
          SameFormatting(parts.back().formatting, p.formatting) &&
          parts.back().hyperlink == p.hyperlink) {
        if (pending_space) parts.back().text += ' ';
        parts.back().text += p.text;
      } else {
        parts.push_back({p.text, p.formatting, p.hyperlink, false});
      }
      pending_space = false;
    }
    std::vector<Part> out;
    for (auto& part : parts) {
      part.text = NormalizeSpace(part.text);
      if (!part.text.empty()) out.push_back(std::move(part));
    }
    return out;
  }

  // A paragraph's text as written (runs concatenated, inline formulas set off by spaces).
  static std::string RawText(const std::vector<Piece>& pieces) {
    std::string s;
    for (const Piece& p : pieces) {
      if (p.kind == Piece::Kind::kText) {
        s += p.text;
      } else if (p.kind == Piece::Kind::kCheckbox ||
                 (p.kind == Piece::Kind::kFormula && !p.display)) {
        s += ' ' + p.text + ' ';
      }
    }
    return NormalizeSpace(s);
  }

  static bool HasObjects(const std::vector<Piece>& pieces) {
    for (const auto& p : pieces) {
      if (p.kind == Piece::Kind::kPicture || p.kind == Piece::Kind::kChart ||
          p.kind == Piece::Kind::kTextbox || (p.kind == Piece::Kind::kFormula && p.display)) {
        return true;
      }
    }
    return false;
  }

  static bool StartsWithCheckbox(const std::vector<Piece>& pieces) {
    for (const auto& p : pieces) {
      if (p.kind == Piece::Kind::kText && IsBlank(p.text)) continue;
      return p.kind == Piece::Kind::kCheckbox;
    }
    return false;
  }

  // --- lists -----------------------------------------------------------------------------------

  struct Marker {
    std::string marker;  // "-" or "3."
    bool enumerated = false;
    std::string prefix;  // a composed number ("2.1") shown as text before the item's own
  };

  // The next marker of a list level: counts per list and level, deeper levels restart.
  Marker NextMarker(int num_id, int ilvl) {
    Marker m{"-", false, {}};
    if (num_id <= 0) return m;
    const LevelDef def = numbering_.Level(num_id, ilvl, styles_);
    auto& counter = counters_[num_id];
    const auto i = static_cast<std::size_t>(ilvl);
    counter.value[i] = counter.started[i] ? counter.value[i] + 1 : def.start;
    counter.started[i] = true;
    for (std::size_t l = i + 1; l < kLevels; ++l) counter.started[l] = false;
    if (def.format.empty() || def.format == "bullet" || def.format == "none") return m;
    // A level text that shows other levels' numbers ("%1.%2") has no Markdown marker: the
    // composed number goes into the text.
    bool composed = false;
    for (std::size_t k = 0; k + 1 < def.text.size(); ++k) {
      if (def.text[k] == '%' && def.text[k + 1] >= '1' && def.text[k + 1] <= '9' &&
          static_cast<std::size_t>(def.text[k + 1] - '1') != i) {
        composed = true;
      }
    }
    if (composed) {
      std::string text;
      for (std::size_t k = 0; k < def.text.size(); ++k) {
        if (def.text[k] == '%' && k + 1 < def.text.size() && def.text[k + 1] >= '1' &&
            def.text[k + 1] <= '9') {
          const auto l = static_cast<std::size_t>(def.text[k + 1] - '1');
          const int value = counter.started[l]
                                ? counter.value[l]
                                : numbering_.Level(num_id, static_cast<int>(l), styles_).start;
          text += std::to_string(value);
          ++k;
        } else {
          text += def.text[k];
        }
      }
      m.prefix = NormalizeSpace(text);
      return m;
    }
    m.enumerated = true;
    m.marker = std::to_string(counter.value[i]) + ".";
    return m;
  }

  void EndList() { lists_.clear(); }

  // The list group a new item at (num_id, ilvl) goes into, opening and closing groups.
  Ref ListFor(int num_id, int ilvl) {
    if (!lists_.empty() && lists_.front().num_id != num_id && ilvl <= lists_.front().ilvl) {
      EndList();  // another list at the same level: a list of its own
    }
    while (!lists_.empty() && lists_.back().ilvl > ilvl) lists_.pop_back();
    if (lists_.empty()) {
      lists_.push_back({doc_.AddGroup(Parent(), GroupLabel::kList), ilvl, num_id, {}, false});
    } else if (lists_.back().ilvl < ilvl) {
      const OpenList& outer = lists_.back();
      const Ref parent = outer.has_item ? outer.last_item : outer.group;
      lists_.push_back({doc_.AddGroup(parent, GroupLabel::kList), ilvl, num_id, {}, false});
    } else if (lists_.back().num_id != num_id) {
      const Ref parent = doc_.node(lists_.back().group).parent;
      lists_.back() = {doc_.AddGroup(parent, GroupLabel::kList), ilvl, num_id, {}, false};
    }
    return lists_.back().group;
  }

  // --- paragraphs ------------------------------------------------------------------------------

  void ParseParagraph(const pugi::xml_node& p, int depth) {
    const pugi::xml_node ppr = Child(p, "pPr");
    if (pugi::xml_node sect = Child(ppr, "sectPr")) RecordSection(sect);
    ParagraphInfo info = Info(ppr);
    Inline in;
    in.paragraph_font = info.font;
    CollectInline(p, in, depth);
    std::vector<Part> parts = BuildParts(in.pieces);
    const std::string text = RawText(in.pieces);
    const bool objects = HasObjects(in.pieces);

    if (info.heading >= 0 && !text.empty()) {
      FlushCaption();
      EndList();
      sections_.AddHeading(text, info.heading);
      last_block_.reset();
      EmitObjects(in.pieces, Parent(), depth);
      return;
    }
    const bool checklist = info.num_id == 0 && StartsWithCheckbox(in.pieces);
    if (info.num_id != 0 || checklist) {
      if (text.empty() && !objects) return;  // an empty item neither counts nor ends the list
      FlushCaption();
      const int num_id = checklist ? -1 : info.num_id;
      const int ilvl = checklist ? 0 : info.ilvl;
      const Marker m = NextMarker(num_id, ilvl);
      const Ref list = ListFor(num_id, ilvl);
      if (!m.prefix.empty()) parts.insert(parts.begin(), Part{m.prefix, {}, {}, false});
      Ref item;
      if (parts.size() == 1 && !parts[0].formula) {
        item = doc_.AddListItem(list, parts[0].text, m.enumerated, m.marker);
        doc_.text(item).formatting = parts[0].formatting;
        doc_.text(item).hyperlink = parts[0].hyperlink;
      } else {
        item = doc_.AddListItem(list, "", m.enumerated, m.marker);
        if (!parts.empty()) AddInlineGroup(item, parts);
      }
      lists_.back().last_item = item;
      lists_.back().has_item = true;
      last_block_.reset();
      // Pictures of the item stay with it; text boxes are read after the list item.
      EmitObjects(in.pieces, item, depth);
      return;
    }
    if (info.caption && !text.empty()) {
      EndList();
      if (objects) {
        EmitObjects(in.pieces, Parent(), depth);
        if (last_block_ && last_block_->kind == ItemKind::kPicture) {
          doc_.AddCaption(*last_block_, text);
          last_block_.reset();
          return;
        }
      }
      if (last_block_ &&
          (last_block_->kind == ItemKind::kTable || last_block_->kind == ItemKind::kPicture)) {
        doc_.AddCaption(*last_block_, text);
        last_block_.reset();
        return;
      }
      FlushCaption();
      pending_caption_ = text;
      return;
    }
    // Code: a code paragraph style, or monospaced text that looks like code (or continues a
    // code block).
    const bool continues_code = last_block_ && last_block_ == last_code_;
    const bool formulas =
        std::any_of(parts.begin(), parts.end(), [](const Part& part) { return part.formula; });
    const bool monospace = in.monospace && in.text_runs > 0 && !formulas && info.heading < 0 &&
                           !objects &&
                           (continues_code || LooksLikeCode(text) || LooksLikeCode(RawCode(in)));
    if (info.code || monospace) {
      const std::string raw = RawCode(in);
      if (continues_code) {
        auto& code = doc_.text(*last_block_);
        code.text += "\n" + raw;
        code.orig = code.text;
        return;
      }
      if (IsBlank(raw)) return;
      FlushCaption();
      EndList();
      const Ref r = doc_.AddText(Parent(), TextLabel::kCode, raw);
      last_block_ = r;
      last_code_ = r;
      EmitObjects(in.pieces, Parent(), depth);
      return;
    }
    if (text.empty() && !objects) return;  // empty paragraphs keep lists open
    EndList();
    const bool only_formulas =
        std::all_of(parts.begin(), parts.end(), [](const Part& part) { return part.formula; });
    if (!parts.empty() && only_formulas) {
      // Equations standing alone are display formulas, one block each.
      FlushCaption();
      for (const auto& part : parts) doc_.AddText(Parent(), TextLabel::kFormula, part.text);
      last_block_.reset();
    } else if (!parts.empty()) {
      FlushCaption();
      if (parts.size() == 1) {
        const Ref r = doc_.AddText(
            Parent(), parts[0].formula ? TextLabel::kFormula : TextLabel::kText, parts[0].text);
        doc_.text(r).formatting = parts[0].formatting;
        doc_.text(r).hyperlink = parts[0].hyperlink;
      } else {
        AddInlineGroup(Parent(), parts);
      }
      last_block_.reset();
    }
    EmitObjects(in.pieces, Parent(), depth);
  }

  // A code paragraph's text as written (indentation kept).
  static std::string RawCode(const Inline& in) {
    std::string raw;
    for (const auto& piece : in.pieces) {
      if (piece.kind == Piece::Kind::kText || piece.kind == Piece::Kind::kFormula) {
        raw += piece.text;
      }
    }
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == ' ' || raw.back() == '\t')) {
      raw.pop_back();
    }
    return raw;
  }

  void AddInlineGroup(Ref parent, const std::vector<Part>& parts) {
    const Ref group = doc_.AddGroup(parent, GroupLabel::kInline);
    for (const auto& part : parts) {
      const Ref r =
          doc_.AddText(group, part.formula ? TextLabel::kFormula : TextLabel::kText, part.text);
      doc_.text(r).formatting = part.formatting;
      doc_.text(r).hyperlink = part.hyperlink;
    }
  }

  // Pictures, charts, display formulas and text boxes, after the paragraph's text.
  void EmitObjects(const std::vector<Piece>& pieces, Ref parent, int depth) {
    for (const auto& p : pieces) {
      switch (p.kind) {
        case Piece::Kind::kPicture: {
          const Ref pic = doc_.AddPicture(parent, p.picture);
          TakeCaption(pic);
          last_block_ = pic;
          break;
        }
        case Piece::Kind::kChart: {
          const char* id = Attr(p.node, "id");
          auto it = id ? rels_.find(id) : rels_.end();
          PictureItem picture;
          if (it != rels_.end() && !it->second.external) {
            picture.uri = ResolvePartPath(main_part_, it->second.target);
          }
          const Ref pic = doc_.AddPicture(parent, std::move(picture));
          TakeCaption(pic);
          if (!doc_.pictures[static_cast<std::size_t>(pic.index)].uri.empty()) {
            if (auto table = ChartTable(doc_.pictures[static_cast<std::size_t>(pic.index)].uri)) {
              doc_.AddTable(parent, std::move(*table));
            }
          }
          last_block_ = pic;
          break;
        }
        case Piece::Kind::kFormula:
          if (p.display) {
            FlushCaption();
            doc_.AddText(parent, TextLabel::kFormula, p.text);
            last_block_.reset();
          }
          break;
        case Piece::Kind::kTextbox:
          ParseBlocks(p.node, depth + 1);
          break;
        default:
          break;
      }
    }
  }

  // A chart's data as a table: a header row of series names, a row per category.
  std::optional<TableItem> ChartTable(const std::string& part) {
    auto xml = ReadOptional(part);
    if (!xml) return std::nullopt;
    const pugi::xml_node plot = Child(Child(Child(**xml, "chartSpace"), "chart"), "plotArea");
    struct Series {
      std::string name;
      std::map<int, std::string> categories, values;
    };
    std::vector<Series> series;
    auto points = [](const pugi::xml_node& ref, std::map<int, std::string>& out) {
      // strRef/numRef/strLit/numLit > (strCache|numCache)? > pt[idx] > v
      std::vector<pugi::xml_node> stack{ref};
      while (!stack.empty() && out.size() < 10'000) {
        const pugi::xml_node n = stack.back();
        stack.pop_back();
        if (Is(n, "pt")) {
          const auto idx = ToInt(Attr(n, "idx"));
          if (idx && *idx >= 0 && *idx < 10'000) out[*idx] = Child(n, "v").text().get();
          continue;
        }
        for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
          if (c.type() == pugi::node_element) stack.push_back(c);
        }
      }
    };
    for (pugi::xml_node chart = plot.first_child(); chart; chart = chart.next_sibling()) {
      if (!EndsWith(LocalName(chart), "Chart")) continue;
      for (pugi::xml_node ser = chart.first_child(); ser && series.size() < 256;
           ser = ser.next_sibling()) {
        if (!Is(ser, "ser")) continue;
        Series s;
        std::map<int, std::string> name;
        points(Child(ser, "tx"), name);
        if (!name.empty()) {
          s.name = name.begin()->second;
        } else if (pugi::xml_node v = Child(Child(ser, "tx"), "v")) {
          s.name = v.text().get();
        }
        points(Child(ser, "cat"), s.categories);
        if (s.categories.empty()) points(Child(ser, "xVal"), s.categories);
        points(Child(ser, "val"), s.values);
        if (s.values.empty()) points(Child(ser, "yVal"), s.values);
        series.push_back(std::move(s));
      }
    }
    if (series.empty()) return std::nullopt;
    int rows = 0;
    for (const auto& s : series) {
      if (!s.values.empty()) rows = std::max(rows, s.values.rbegin()->first + 1);
      if (!s.categories.empty()) rows = std::max(rows, s.categories.rbegin()->first + 1);
    }
    if (rows == 0) return std::nullopt;
    auto number = [](const std::string& v) {
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      if (v.empty() || end != v.c_str() + v.size()) return v;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.15g", d);
      return std::string(buf);
    };
    TableItem table;
    table.num_rows = rows + 1;
    table.num_cols = static_cast<int>(series.size()) + 1;
    auto cell = [&](int r, int c, std::string text) {
      TableCell cell;
      cell.text = NormalizeSpace(text);
      cell.start_row = r;
      cell.end_row = r + 1;
      cell.start_col = c;
      cell.end_col = c + 1;
      cell.column_header = r == 0;
      cell.row_header = c == 0 && r > 0;
      table.cells.push_back(std::move(cell));
    };
    cell(0, 0, "");
    for (std::size_t s = 0; s < series.size(); ++s)
      cell(0, static_cast<int>(s) + 1, series[s].name);
    for (int r = 0; r < rows; ++r) {
      std::string category;
      for (const auto& s : series) {
        if (auto it = s.categories.find(r); it != s.categories.end()) {
          category = it->second;
          break;
        }
      }
      cell(r + 1, 0, category);
      for (std::size_t s = 0; s < series.size(); ++s) {
        auto it = series[s].values.find(r);
        cell(r + 1, static_cast<int>(s) + 1,
             it == series[s].values.end() ? "" : number(it->second));
      }
    }
    return table;
  }

  void TakeCaption(Ref item) {
    if (pending_caption_.empty()) return;
    doc_.AddCaption(item, std::move(pending_caption_));
    pending_caption_.clear();
  }

  // A caption paragraph that found no table or picture is a paragraph.
  void FlushCaption() {
    if (pending_caption_.empty()) return;
    doc_.AddText(Parent(), TextLabel::kText, std::move(pending_caption_));
    pending_caption_.clear();
  }

  // --- tables ----------------------------------------------------------------------------------

  // Children of a table (rows) or row (cells), looking through content controls and custom XML.
  static void Collect(const pugi::xml_node& container, std::string_view local,
                      std::vector<pugi::xml_node>& out, int depth = 0) {
    if (depth > 8) return;
    for (pugi::xml_node n = container.first_child(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element) continue;
      const std::string_view name = LocalName(n);
      if (name == local) {
        out.push_back(n);
      } else if (name == "sdt") {
        Collect(Child(n, "sdtContent"), local, out, depth + 1);
      } else if (name == "customXml" || name == "ins" || name == "moveTo") {
        Collect(n, local, out, depth + 1);
      }
    }
  }

  void ParseTable(const pugi::xml_node& tbl, int depth) {
    if (depth > kMaxDepth) {
      WarnTooDeep();
      return;
    }
    std::vector<pugi::xml_node> rows;
    Collect(tbl, "tr", rows);
    if (rows.empty()) return;
    if (rows.size() == 1) {
      std::vector<pugi::xml_node> cells;
      Collect(rows[0], "tc", cells);
      if (cells.size() == 1) {
        // A table of one cell frames its content: read it as if it stood outside.
        ParseBlocks(cells[0], depth + 1);
        return;
      }
    }
    EndList();
    TableItem table;
    std::vector<int> open;  // per column: the cell a vertical merge continues, or -1
    int num_cols = 0;
    int r = 0;
    for (const auto& row : rows) {
      if (static_cast<long long>(r + 1) * std::max(num_cols, 1) > kMaxTableArea) {
        doc_.warnings.push_back("a table was cut at " + std::to_string(r) + " rows (too large)");
        break;
      }
      const pugi::xml_node trpr = Child(row, "trPr");
      const bool header = r == 0 || OnOff(Child(trpr, "tblHeader")).value_or(false);
      int col =
          std::clamp(ToInt(Attr(Child(trpr, "gridBefore"), "val")).value_or(0), 0, kMaxColumns);
      std::vector<pugi::xml_node> cells;
      Collect(row, "tc", cells);
      for (const auto& tc : cells) {
        if (col >= kMaxColumns) {
          if (!warned_columns_) {
            warned_columns_ = true;
            doc_.warnings.push_back("table columns beyond " + std::to_string(kMaxColumns) +
                                    " were dropped");
          }
          break;
        }
        const pugi::xml_node tcpr = Child(tc, "tcPr");
        const int span = std::clamp(ToInt(Attr(Child(tcpr, "gridSpan"), "val")).value_or(1), 1,
                                    std::min(kMaxGridSpan, kMaxColumns - col));
        const pugi::xml_node vmerge = Child(tcpr, "vMerge");
        const char* vm = Attr(vmerge, "val");
        if (vmerge && (!vm || std::string_view(vm) != "restart") &&
            col < static_cast<int>(open.size()) && open[static_cast<std::size_t>(col)] >= 0) {
          TableCell& above =
              table.cells[static_cast<std::size_t>(open[static_cast<std::size_t>(col)])];
          if (above.end_row == r) {
            above.end_row = r + 1;
            col += span;
            continue;
          }
        }
        TableCell cell;
        cell.text = CellText(tc, depth + 1);
        cell.start_row = r;
        cell.end_row = r + 1;
        cell.start_col = col;
        cell.end_col = col + span;
        cell.column_header = header;
        if (static_cast<int>(open.size()) < col + span) {
          open.resize(static_cast<std::size_t>(col + span), -1);
        }
        for (int c = col; c < col + span; ++c) open[static_cast<std::size_t>(c)] = -1;
        open[static_cast<std::size_t>(col)] = static_cast<int>(table.cells.size());
        table.cells.push_back(std::move(cell));
        col += span;
      }
      num_cols = std::max(num_cols, col);
      ++r;
    }
    table.num_rows = r;
    table.num_cols = num_cols;
    const Ref t = doc_.AddTable(Parent(), std::move(table));
    TakeCaption(t);
    last_block_ = t;
  }

  std::string CellText(const pugi::xml_node& tc, int depth) {
    std::vector<std::string> texts;
    CellBlocks(tc, depth, texts);
    std::string joined;
    for (const auto& t : texts) {
      if (t.empty()) continue;
      if (!joined.empty()) joined += ' ';
      joined += t;
    }
    return NormalizeSpace(joined);
  }

  // The text of a cell's blocks: paragraphs (list items with their markers), nested tables cell
  // by cell, text boxes.
  void CellBlocks(const pugi::xml_node& container, int depth, std::vector<std::string>& out) {
    if (depth > kMaxDepth) {
      WarnTooDeep();
      return;
    }
    for (pugi::xml_node n = container.first_child(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element) continue;
      const std::string_view local = LocalName(n);
      if (local == "p") {
        out.push_back(ParagraphText(n, depth, true, &out));
      } else if (local == "tbl") {
        if (depth + 1 > kMaxDepth) {
          WarnTooDeep();
          continue;
        }
        std::vector<pugi::xml_node> rows;
        Collect(n, "tr", rows);
        for (const auto& row : rows) {
          std::vector<pugi::xml_node> cells;
          Collect(row, "tc", cells);
          for (const auto& cell : cells) CellBlocks(cell, depth + 1, out);
        }
      } else if (local == "sdt") {
        CellBlocks(Child(n, "sdtContent"), depth + 1, out);
      } else if (local == "customXml" || local == "ins" || local == "moveTo") {
        CellBlocks(n, depth + 1, out);
      } else if (local == "AlternateContent") {
        CellBlocks(Branch(n), depth + 1, out);
      }
    }
  }

  // A paragraph as plain text (table cells, furniture). With `markers`, list items get theirs;
  // with `textboxes`, text box content is appended to it.
  std::string ParagraphText(const pugi::xml_node& p, int depth, bool markers,
                            std::vector<std::string>* textboxes) {
    Inline in;
    CollectInline(p, in, depth);
    std::string text = RawText(in.pieces);
    for (const auto& piece : in.pieces) {
      if (piece.kind == Piece::Kind::kFormula && piece.display) {
        if (!text.empty()) text += ' ';
        text += piece.text;
      }
    }
    if (markers && !text.empty()) {
      const ParagraphInfo info = Info(Child(p, "pPr"));
      if (info.num_id != 0) {
        const Marker m = NextMarker(info.num_id, info.ilvl);
        text = (m.prefix.empty() ? m.marker : m.prefix) + " " + text;
      } else if (StartsWithCheckbox(in.pieces)) {
        text = "- " + text;
      }
    }
    std::string result = text;
    if (textboxes) {
      // Keep the paragraph's own text ahead of its text boxes'.
      std::vector<std::string> boxes;
      for (const auto& piece : in.pieces) {
        if (piece.kind == Piece::Kind::kTextbox) CellBlocks(piece.node, depth + 1, boxes);
      }
      for (const auto& b : boxes) {
        if (b.empty()) continue;
        if (!result.empty()) result += ' ';
        result += b;
      }
    }
    return result;
  }

  // --- furniture -------------------------------------------------------------------------------

  void ReadFurniture() {
    for (const auto& part : header_parts_) ReadFurniturePart(part, TextLabel::kPageHeader);
    for (const auto& part : footer_parts_) ReadFurniturePart(part, TextLabel::kPageFooter);
    // Footnotes: their text, in furniture (Docling leaves them out of the Markdown too).
    const std::string notes = PartOf("footnotes", "");
    if (auto xml = ReadOptional(notes)) {
      const pugi::xml_node root = Child(**xml, "footnotes");
      for (pugi::xml_node note = root.first_child(); note; note = note.next_sibling()) {
        if (!Is(note, "footnote")) continue;
        if (const char* type = Attr(note, "type"); type && std::string_view(type) != "normal") {
          continue;  // separators
        }
        std::vector<std::string> texts;
        CellBlocks(note, 1, texts);
        std::string text;
        for (const auto& t : texts) {
          if (t.empty()) continue;
          if (!text.empty()) text += ' ';
          text += t;
        }
        text = NormalizeSpace(text);
        if (!text.empty()) doc_.AddText(kFurnitureRef, TextLabel::kFootnote, std::move(text));
      }
    }
  }

  void ReadFurniturePart(const std::string& part, TextLabel label) {
    auto xml = ReadOptional(part);
    if (!xml) return;
    // Every paragraph of the part in document order (tables and text boxes included).
    std::vector<pugi::xml_node> stack;
    for (pugi::xml_node c = (*xml)->last_child(); c; c = c.previous_sibling()) stack.push_back(c);
    std::size_t visited = 0;
    while (!stack.empty() && ++visited < 1'000'000) {
      const pugi::xml_node n = stack.back();
      stack.pop_back();
      if (n.type() != pugi::node_element || Is(n, "Fallback")) continue;
      if (Is(n, "p")) {
        std::string text = ParagraphText(n, 0, false, nullptr);
        if (!text.empty()) doc_.AddText(kFurnitureRef, label, std::move(text));
      }
      for (pugi::xml_node c = n.last_child(); c; c = c.previous_sibling()) {
        if (c.type() == pugi::node_element) stack.push_back(c);
      }
    }
  }

  struct OpenList {
    Ref group;
    int ilvl = 0;
    int num_id = 0;
    Ref last_item;
    bool has_item = false;
  };
  struct Counter {
    std::array<int, kLevels> value{};
    std::array<bool, kLevels> started{};
  };

  ZipArchive& zip_;
  Document& doc_;
  SectionTracker sections_;
  std::string main_part_;
  std::map<std::string, Relationship> rels_;
  Styles styles_;
  Numbering numbering_;
  std::vector<OpenList> lists_;
  std::map<int, Counter> counters_;
  std::optional<Ref> last_block_;  // the table or picture a caption after it would belong to
  std::optional<Ref> last_code_;
  std::string pending_caption_;
  std::vector<std::string> header_parts_, footer_parts_;
  bool warned_depth_ = false;
  bool warned_columns_ = false;
};

}  // namespace

Result<Document> ParseDocx(std::string_view bytes, std::string name, Origin origin,
                           const ZipLimits& limits) {
  // An encrypted Office file is an OLE compound file holding the encrypted package.
  static constexpr std::string_view kOle("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  if (bytes.substr(0, 4) == kOle.substr(0, 4)) {
    static constexpr std::string_view kEncrypted("E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0",
                                                 32);
    if (bytes.find(kEncrypted) != std::string_view::npos) {
      return Fail(ErrorCode::kInvalidParams,
                  "the document is password-protected (encrypted); remove the password and "
                  "convert it again");
    }
    return Fail(ErrorCode::kInvalidParams,
                "the document is password-protected (encrypted) or a legacy binary Word file "
                "(.doc): an OLE compound file, not a DOCX package");
  }
  auto zip = ZipArchive::Open(bytes, limits);
  if (!zip) return Fail(zip.error());
  Document doc(std::move(name), std::move(origin));
  try {
    DocxReader reader(*zip, doc);
    auto ok = reader.Run();
    if (!ok) return Fail(ok.error());
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("DOCX conversion failed: ") + e.what());
  }
  return doc;
}

}  // namespace ferry::document
