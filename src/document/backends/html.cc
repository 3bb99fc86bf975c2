#include "document/backends/html.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "document/memory_budget.h"

namespace ferry::document {
namespace {

// Open elements allowed before gumbo parses: deeper start tags are dropped (their text stays).
// gumbo 0.10 has no depth limit of its own and scans its stack of open elements for many start
// tags, so nesting costs it quadratic time (50,000 nested divs: seconds) and its tree teardown
// recurses once per level.
constexpr int kMaxNesting = 512;
// What one parsed element costs in gumbo (node, element, vectors), for the memory budget.
constexpr std::size_t kGumboNodeBytes = 160;
// Levels of the tree walked recursively; deeper subtrees are read iteratively as plain text.
constexpr int kMaxWalkDepth = 256;
// Table bounds against hostile spans.
constexpr int kMaxColumns = 1000;
constexpr int kMaxRowSpan = 65534;
constexpr std::int64_t kMaxSpanMarks = 4'000'000;   // grid positions marked for all spans
constexpr std::int64_t kMaxTableArea = 10'000'000;  // rows x columns (a grid is that large)

// ---------------------------------------------------------------------------------------------
// Nesting limit: a light tokenizer that estimates how deep the open elements get, and when the
// estimate passes kMaxNesting rewrites the input without the start tags (and their end tags)
// beyond it. Input that stays within the bound is passed to gumbo untouched.

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Elements that never have content, or whose end tag is optional and which cannot nest in
// themselves (a new one closes the old): they do not deepen the tree.
bool DoesNotNest(std::string_view name) {
  return OneOf(name,
               {"area",     "base",     "basefont", "bgsound", "br",     "col",   "embed", "frame",
                "hr",       "image",    "img",      "input",   "keygen", "link",  "meta",  "param",
                "source",   "track",    "wbr",      "isindex", "p",      "li",    "dt",    "dd",
                "option",   "optgroup", "tr",       "td",      "th",     "thead", "tbody", "tfoot",
                "colgroup", "caption",  "rb",       "rt",      "rtc",    "rp",    "html",  "head",
                "body",     "a",        "button",   "form",    "nobr"});
}

// Formatting elements: gumbo reopens them after a block closes until their own end tag comes.
bool IsFormatting(std::string_view name) {
  return OneOf(
      name, {"b", "big", "code", "em", "font", "i", "s", "small", "strike", "strong", "tt", "u"});
}

// Elements whose content is text up to their end tag.
bool IsRawText(std::string_view name) {
  return OneOf(name,
               {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"});
}

bool StartsWithNoCase(std::string_view s, std::size_t at, std::string_view prefix) {
  if (s.size() - std::min(at, s.size()) < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[at + i])) != prefix[i]) return false;
  }
  return true;
}

// Returns the input without the markup nested deeper than `limit`, or nothing when it stays
// within it.
std::optional<std::string> LimitNesting(std::string_view html, int limit) {
  std::vector<std::string> stack;                   // open nesting elements
  std::unordered_map<std::string, int> open;        // how many of each are on `stack`
  std::unordered_map<std::string, int> formatting;  // unclosed formatting elements
  int formatting_total = 0;
  std::unordered_map<std::string, int> dropped;  // dropped start tags awaiting their end tag
  std::string out;
  bool rewriting = false;
  std::size_t copied = 0;  // input before this offset is accounted for in `out`
  int foreign = 0;         // open svg/math elements: self-closing tags count there

  auto drop = [&](std::size_t begin, std::size_t end) {
    if (!rewriting) {
      rewriting = true;
      out.reserve(html.size());
    }
    out.append(html.substr(copied, begin - copied));
    copied = end;
  };

  std::size_t i = 0;
  const std::size_t n = html.size();
  while (i < n) {
    const std::size_t lt = html.find('<', i);
    if (lt == std::string_view::npos || lt + 1 >= n) break;
    if (html.compare(lt, 4, "<!--") == 0) {
      const std::size_t end = html.find("-->", lt + 4);
      i = end == std::string_view::npos ? n : end + 3;
      continue;
    }
    const char next = html[lt + 1];
    if (next == '!' || next == '?') {
      const std::size_t end = html.find('>', lt + 2);
      i = end == std::string_view::npos ? n : end + 1;
      continue;
    }
    const bool closing = next == '/';
    const std::size_t name_begin = lt + (closing ? 2 : 1);
    if (name_begin >= n || !IsAsciiAlpha(html[name_begin])) {
      i = lt + 1;
      continue;
    }
    std::size_t j = name_begin;
    while (j < n && !IsAsciiSpace(html[j]) && html[j] != '/' && html[j] != '>') ++j;
    std::string name(html.substr(name_begin, j - name_begin));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // The end of the tag, skipping quoted attribute values.
    std::size_t k = j;
    char quote = 0;
    bool after_equals = false;
    for (; k < n; ++k) {
      const char c = html[k];
      if (quote != 0) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '>') break;
      if (after_equals && (c == '"' || c == '\'')) {
        quote = c;
        after_equals = false;
      } else if (c == '=') {
        after_equals = true;
      } else if (!IsAsciiSpace(c)) {
        after_equals = false;
      }
    }
    const std::size_t tag_end = k < n ? k + 1 : n;
    const bool self_closing = k < n && k > j && html[k - 1] == '/';
    i = tag_end;

    if (closing) {
      if (auto d = dropped.find(name); d != dropped.end() && d->second > 0) {
        --d->second;
        drop(lt, tag_end);
      } else if (IsFormatting(name)) {
        if (auto f = formatting.find(name); f != formatting.end() && f->second > 0) {
          --f->second;
          --formatting_total;
        }
      } else if (auto o = open.find(name); o != open.end() && o->second > 0) {
        // Closes it and everything opened inside it.
        while (!stack.empty()) {
          std::string top = std::move(stack.back());
          stack.pop_back();
          --open[top];
          if (top == "svg" || top == "math") --foreign;
          if (top == name) break;
        }
        dropped.clear();
      }
      continue;
    }

    if (IsRawText(name) && foreign == 0) {
      // Skip to the matching end tag.
      std::size_t end = tag_end;
      while (true) {
        end = html.find("</", end);
        if (end == std::string_view::npos) break;
        const std::size_t after = end + 2 + name.size();
        if (StartsWithNoCase(html, end + 2, name) &&
            (after >= n || IsAsciiSpace(html[after]) || html[after] == '>' || html[after] == '/')) {
          break;
        }
        end += 2;
      }
      if (end == std::string_view::npos) break;
      i = end;
      continue;
    }
    if (name == "plaintext") break;
    if (DoesNotNest(name) || (foreign > 0 && self_closing)) continue;

    if (static_cast<int>(stack.size()) + formatting_total >= limit) {
      ++dropped[name];
      drop(lt, tag_end);
      continue;
    }
    if (IsFormatting(name)) {
      ++formatting[name];
      ++formatting_total;
    } else {
      if (name == "svg" || name == "math") ++foreign;
      ++open[name];
      stack.push_back(std::move(name));
    }
  }
  if (!rewriting) return std::nullopt;
  out.append(html.substr(copied));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Text helpers.

// Maps typographic look-alikes to ASCII as Docling does (non-breaking and other Unicode spaces to
// a space, non-breaking hyphens to '-', curly quotes to straight ones) and drops zero-width
// spaces and byte-order marks.
std::string CleanText(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {
      out += ' ';
      ++i;
      continue;
    }
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80) {
      const auto d = static_cast<unsigned char>(s[i + 2]);
      const char* replacement = nullptr;
      if ((d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF) {
        replacement = " ";
      } else if (d == 0x8B) {
        replacement = "";
      } else if (d == 0x90 || d == 0x91) {
        replacement = "-";
      } else if (d == 0x98 || d == 0x99) {
        replacement = "'";
      } else if (d == 0x9C || d == 0x9D) {
        replacement = "\"";
      }
      if (replacement != nullptr) {
        out += replacement;
        i += 2;
        continue;
      }
    }
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x81 &&
        static_cast<unsigned char>(s[i + 2]) == 0x9F) {  // U+205F
      out += ' ';
      i += 2;
      continue;
    }
    if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        static_cast<unsigned char>(s[i + 2]) == 0x80) {  // U+3000
      out += ' ';
      i += 2;
      continue;
    }
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBB &&
        static_cast<unsigned char>(s[i + 2]) == 0xBF) {  // U+FEFF
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  return out;
}

std::string Normalize(std::string_view s) { return NormalizeSpace(CleanText(s)); }

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAsciiSpace(c) || c == '\v'; });
}

// ---------------------------------------------------------------------------------------------
// DOM helpers.

bool IsElement(const GumboNode* node) {
  return node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE;
}

GumboTag TagOf(const GumboNode* node) {
  return IsElement(node) ? node->v.element.tag : GUMBO_TAG_UNKNOWN;
}

const GumboVector* ChildrenOf(const GumboNode* node) {
  if (node->type == GUMBO_NODE_DOCUMENT) return &node->v.document.children;
  if (IsElement(node)) return &node->v.element.children;
  return nullptr;
}

const GumboNode* Child(const GumboVector* children, unsigned int i) {
  return static_cast<const GumboNode*>(children->data[i]);
}

std::string_view Attribute(const GumboNode* node, const char* name) {
  if (!IsElement(node)) return {};
  const GumboAttribute* a = gumbo_get_attribute(&node->v.element.attributes, name);
  return a != nullptr && a->value != nullptr ? std::string_view(a->value) : std::string_view();
}

bool HasAttribute(const GumboNode* node, const char* name) {
  return IsElement(node) && gumbo_get_attribute(&node->v.element.attributes, name) != nullptr;
}

std::optional<long> IntAttribute(const GumboNode* node, const char* name) {
  std::string_view v = Attribute(node, name);
  while (!v.empty() && IsAsciiSpace(v.front())) v.remove_prefix(1);
  long value = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (ec != std::errc() || end == v.data()) return std::nullopt;
  return value;
}

// Elements whose content is not document text.
bool IsSkipped(const GumboNode* node) {
  if (node->type == GUMBO_NODE_TEMPLATE) return true;
  if (node->type != GUMBO_NODE_ELEMENT) return false;
  if (node->v.element.tag_namespace == GUMBO_NAMESPACE_SVG) return true;
  switch (node->v.element.tag) {
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_META:
    case GUMBO_TAG_LINK:
    case GUMBO_TAG_BASE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_APPLET:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_MAP:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_DATALIST:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_INPUT:
    case GUMBO_TAG_NOEMBED:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_FRAMESET:
    case GUMBO_TAG_SVG:
      return true;
    default:
      return HasAttribute(node, "hidden");
  }
}

// Elements that flow inside a paragraph; everything else (custom elements included) is a block.
bool IsInline(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_A:
    case GUMBO_TAG_ABBR:
    case GUMBO_TAG_ACRONYM:
    case GUMBO_TAG_B:
    case GUMBO_TAG_BDI:
    case GUMBO_TAG_BDO:
    case GUMBO_TAG_BIG:
    case GUMBO_TAG_BLINK:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_CITE:
    case GUMBO_TAG_CODE:
    case GUMBO_TAG_DATA:
    case GUMBO_TAG_DEL:
    case GUMBO_TAG_DFN:
    case GUMBO_TAG_EM:
    case GUMBO_TAG_FONT:
    case GUMBO_TAG_I:
    case GUMBO_TAG_INS:
    case GUMBO_TAG_KBD:
    case GUMBO_TAG_LABEL:
    case GUMBO_TAG_MARK:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_METER:
    case GUMBO_TAG_NOBR:
    case GUMBO_TAG_OUTPUT:
    case GUMBO_TAG_PROGRESS:
    case GUMBO_TAG_Q:
    case GUMBO_TAG_RB:
    case GUMBO_TAG_RP:
    case GUMBO_TAG_RT:
    case GUMBO_TAG_RTC:
    case GUMBO_TAG_RUBY:
    case GUMBO_TAG_S:
    case GUMBO_TAG_SAMP:
    case GUMBO_TAG_SMALL:
    case GUMBO_TAG_SPAN:
    case GUMBO_TAG_STRIKE:
    case GUMBO_TAG_STRONG:
    case GUMBO_TAG_SUB:
    case GUMBO_TAG_SUP:
    case GUMBO_TAG_TIME:
    case GUMBO_TAG_TT:
    case GUMBO_TAG_U:
    case GUMBO_TAG_VAR:
    case GUMBO_TAG_WBR:
      return true;
    default:
      return false;
  }
}

bool IsInlineNode(const GumboNode* node) {
  if (node->type != GUMBO_NODE_ELEMENT) return true;
  if (node->v.element.tag_namespace == GUMBO_NAMESPACE_MATHML) return true;
  return IsInline(node->v.element.tag);
}

// Appends the text of `root`'s subtree to `out`, iteratively (any depth is safe): text nodes,
// image alt texts, block boundaries and <br> as a space (a line break when `verbatim`); without
// skipped elements. Verbatim keeps whitespace as found.
void AppendText(const GumboNode* root, std::string& out, bool verbatim) {
  struct Step {
    const GumboNode* node;
    bool leaving;
  };
  const std::string_view boundary = verbatim ? "\n" : " ";
  auto separate = [&] {
    if (!out.empty() && out.back() != boundary[0]) out += boundary;
  };
  std::vector<Step> steps{{root, false}};
  while (!steps.empty()) {
    const Step step = steps.back();
    steps.pop_back();
    const GumboNode* node = step.node;
    if (step.leaving) {
      separate();
      continue;
    }
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        out += node->v.text.text;
        continue;
      case GUMBO_NODE_COMMENT:
        continue;
      default:
        break;
    }
    if (node != root && IsSkipped(node)) continue;
    const GumboTag tag = TagOf(node);
    if (tag == GUMBO_TAG_BR) {
      out += boundary;
      continue;
    }
    if (tag == GUMBO_TAG_IMG) {
      const std::string_view alt = Attribute(node, "alt");
      if (!alt.empty()) {
        out += ' ';
        out += alt;
        out += ' ';
      }
      continue;
    }
    const bool block = node != root && !IsInlineNode(node);
    if (block) {
      separate();
      steps.push_back({node, true});
    }
    const GumboVector* children = ChildrenOf(node);
    if (children == nullptr) continue;
    for (unsigned int i = children->length; i > 0; --i) {
      steps.push_back({Child(children, i - 1), false});
    }
  }
}

std::string TextOf(const GumboNode* node) {
  std::string s;
  AppendText(node, s, false);
  return Normalize(s);
}

// Makes a link target usable: trimmed, "javascript:" links dropped, and an absolute http(s) URL
// without a path given the "/" a URL parser gives it (as Docling's output shows).
std::string NormalizeHref(std::string_view href) {
  std::string s = NormalizeSpace(href);
  if (StartsWithNoCase(s, 0, "javascript:")) return {};
  if (StartsWithNoCase(s, 0, "http://") || StartsWithNoCase(s, 0, "https://")) {
    const std::size_t host = s.find("://") + 3;
    const std::size_t end = s.find_first_of("/?#", host);
    if (end == std::string::npos) {
      s += '/';
    } else if (s[end] != '/') {
      s.insert(end, 1, '/');
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The converter.

struct Style {
  Formatting formatting;
  std::string hyperlink;
  bool code = false;

  bool operator==(const Style& o) const {
    const Formatting& a = formatting;
    const Formatting& b = o.formatting;
    return a.bold == b.bold && a.italic == b.italic && a.underline == b.underline &&
           a.strikethrough == b.strikethrough && a.script == b.script && code == o.code &&
           hyperlink == o.hyperlink;
  }
};

// A piece of inline text with one style.
struct TextRun {
  std::string text;
  Style style;
};

// The list item being filled: created when its first text is flushed (an item holding only a
// nested list gets none, as in Docling).
struct ItemContext {
  Ref list;
  bool enumerated = false;
  std::string marker;
  std::optional<Ref> item;
};

class Converter {
 public:
  explicit Converter(Document& doc) : doc_(doc), sections_(doc) {}

  void Run(const GumboNode* document) {
    const GumboVector* top = ChildrenOf(document);
    for (unsigned int i = 0; i < top->length; ++i) {
      const GumboNode* node = Child(top, i);
      if (TagOf(node) != GUMBO_TAG_HTML) continue;
      const GumboVector* children = ChildrenOf(node);
      for (unsigned int j = 0; j < children->length; ++j) {
        const GumboNode* child = Child(children, j);
        if (TagOf(child) == GUMBO_TAG_HEAD) {
          Head(child);
        } else {
          Visit(child, 1);
        }
      }
    }
    Flush();
  }

 private:
  // The <title> goes to the furniture, as Docling puts it.
  void Head(const GumboNode* head) {
    const GumboVector* children = ChildrenOf(head);
    for (unsigned int i = 0; i < children->length; ++i) {
      const GumboNode* child = Child(children, i);
      if (TagOf(child) != GUMBO_TAG_TITLE) continue;
      std::string title = TextOf(child);
      if (!title.empty()) doc_.AddText(kFurnitureRef, TextLabel::kTitle, std::move(title));
      return;
    }
  }

  void Visit(const GumboNode* node, int depth) {
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        Append(node->v.text.text);
        return;
      case GUMBO_NODE_ELEMENT:
        break;
      default:
        return;  // comments, templates
    }
    if (IsSkipped(node)) return;
    if (depth > kMaxWalkDepth) {
      // Too deep to recurse into: keep its text as one piece of the current paragraph.
      if (!warned_depth_) {
        doc_.warnings.push_back("HTML nested deeper than " + std::to_string(kMaxWalkDepth) +
                                " elements: the content below that depth was kept as plain text");
        warned_depth_ = true;
      }
      std::string text;
      AppendText(node, text, false);
      Append(" " + text + " ");
      return;
    }
    Element(node, depth);
  }

  void VisitChildren(const GumboNode* node, int depth) {
    const GumboVector* children = ChildrenOf(node);
    if (children == nullptr) return;
    for (unsigned int i = 0; i < children->length; ++i) Visit(Child(children, i), depth + 1);
  }

  void Element(const GumboNode* node, int depth) {
    const GumboTag tag = node->v.element.tag;
    switch (tag) {
      case GUMBO_TAG_BR:
        Append("\n");
        return;
      case GUMBO_TAG_WBR:
        return;
      case GUMBO_TAG_IMG:
      case GUMBO_TAG_IMAGE:
        Picture(node);
        return;
      case GUMBO_TAG_UL:
      case GUMBO_TAG_OL:
      case GUMBO_TAG_MENU:
      case GUMBO_TAG_DIR:
        List(node, depth);
        return;
      case GUMBO_TAG_TABLE:
        Table(node, depth);
        return;
      case GUMBO_TAG_FIGURE:
        Figure(node, depth);
        return;
      case GUMBO_TAG_FIGCAPTION:
        if (node == figcaption_) return;  // its figure's caption, taken already
        break;
      case GUMBO_TAG_H1:
      case GUMBO_TAG_H2:
      case GUMBO_TAG_H3:
      case GUMBO_TAG_H4:
      case GUMBO_TAG_H5:
      case GUMBO_TAG_H6:
        if (item_ == nullptr) {
          Heading(node, static_cast<int>(tag) - static_cast<int>(GUMBO_TAG_H1));
          return;
        }
        break;  // in a list item: part of its text
      case GUMBO_TAG_PRE:
        if (item_ == nullptr) {
          CodeBlock(node);
          return;
        }
        {
          // In a list item: inline code, as Docling has it.
          const Style saved = style_;
          style_.code = true;
          Append(" ");
          VisitChildren(node, depth);
          Append(" ");
          style_ = saved;
        }
        return;
      default:
        break;
    }

    if (!IsInlineNode(node)) {
      // A block: a paragraph boundary, or within a list item a word boundary.
      if (item_ != nullptr) {
        Append(" ");
        VisitChildren(node, depth);
        Append(" ");
      } else {
        Flush();
        VisitChildren(node, depth);
        Flush();
      }
      return;
    }

    const Style saved = style_;
    switch (tag) {
      case GUMBO_TAG_B:
      case GUMBO_TAG_STRONG:
        style_.formatting.bold = true;
        break;
      case GUMBO_TAG_I:
      case GUMBO_TAG_EM:
      case GUMBO_TAG_VAR:
        style_.formatting.italic = true;
        break;
      case GUMBO_TAG_S:
      case GUMBO_TAG_DEL:
      case GUMBO_TAG_STRIKE:
        style_.formatting.strikethrough = true;
        break;
      case GUMBO_TAG_U:
      case GUMBO_TAG_INS:
        style_.formatting.underline = true;
        break;
      case GUMBO_TAG_SUB:
        style_.formatting.script = Formatting::Script::kSub;
        break;
      case GUMBO_TAG_SUP:
        style_.formatting.script = Formatting::Script::kSuper;
        break;
      case GUMBO_TAG_CODE:
      case GUMBO_TAG_KBD:
      case GUMBO_TAG_SAMP:
      case GUMBO_TAG_TT:
        style_.code = true;
        break;
      case GUMBO_TAG_A:
        if (HasAttribute(node, "href")) style_.hyperlink = NormalizeHref(Attribute(node, "href"));
        break;
      default:
        break;
    }
    VisitChildren(node, depth);
    style_ = saved;
  }

  // Adds text to the paragraph being read. Whitespace joins the run before it whatever its
  // style, so formatting splits paragraphs into runs only where the text's look changes.
  void Append(std::string_view text) {
    if (text.empty()) return;
    if (!runs_.empty() && (runs_.back().style == style_ || IsBlank(text))) {
      runs_.back().text += text;
      return;
    }
    runs_.push_back({std::string(text), style_});
  }

  // Ends the paragraph being read: one run becomes a text item (a code block when it is code),
  // several an inline group; in a list item, the item's text.
  void Flush() {
    if (runs_.empty()) return;
    std::vector<TextRun> runs;
    for (auto& run : runs_) {
      run.text = Normalize(run.text);
      if (!run.text.empty()) runs.push_back(std::move(run));
    }
    runs_.clear();
    if (runs.empty()) return;
    if (item_ != nullptr) {
      if (!item_->item) {
        if (runs.size() == 1 && !runs[0].style.code) {
          const Ref r = doc_.AddListItem(item_->list, std::move(runs[0].text), item_->enumerated,
                                         item_->marker);
          SetStyle(r, runs[0].style);
          item_->item = r;
        } else {
          // Mixed formatting: an empty item whose first child is the inline group.
          const Ref r = doc_.AddListItem(item_->list, "", item_->enumerated, item_->marker);
          item_->item = r;
          AddInlineGroup(r, runs);
        }
        return;
      }
      AddParagraph(*item_->item, runs);
      return;
    }
    AddParagraph(sections_.current(), runs);
  }

  void AddParagraph(Ref parent, std::vector<TextRun>& runs) {
    if (runs.size() == 1) {
      const Ref r = doc_.AddText(parent, runs[0].style.code ? TextLabel::kCode : TextLabel::kText,
                                 std::move(runs[0].text));
      SetStyle(r, runs[0].style);
      return;
    }
    AddInlineGroup(parent, runs);
  }

  void AddInlineGroup(Ref parent, std::vector<TextRun>& runs) {
    const Ref group = doc_.AddGroup(parent, GroupLabel::kInline);
    for (auto& run : runs) {
      const Ref r = doc_.AddText(group, run.style.code ? TextLabel::kCode : TextLabel::kText,
                                 std::move(run.text));
      SetStyle(r, run.style);
    }
  }

  void SetStyle(Ref r, const Style& style) {
    auto& t = doc_.text(r);
    t.formatting = style.formatting;
    t.hyperlink = style.hyperlink;
  }

  // Where a table, picture or list goes: after the paragraph being read, under the current
  // heading, or in the open list item (in its list when the item has no text of its own).
  Ref BlockParent() {
    Flush();
    if (item_ != nullptr) return item_->item ? *item_->item : item_->list;
    return sections_.current();
  }

  void Heading(const GumboNode* node, int level) {
    Flush();
    std::string text = TextOf(node);
    if (text.empty()) return;
    sections_.AddHeading(std::move(text), level);
  }

  void CodeBlock(const GumboNode* node) {
    Flush();
    std::string text;
    AppendText(node, text, true);
    text = CleanText(text);
    // Leading blank lines and trailing whitespace go; indentation stays.
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') {
        start = i + 1;
      } else if (!IsAsciiSpace(text[i])) {
        break;
      }
    }
    text.erase(0, std::min(start, text.size()));
    while (!text.empty() && (IsAsciiSpace(text.back()) || text.back() == '\v')) text.pop_back();
    if (text.empty()) return;
    doc_.AddText(sections_.current(), TextLabel::kCode, std::move(text));
  }

  void List(const GumboNode* node, int depth) {
    const Ref parent = BlockParent();
    const bool ordered = node->v.element.tag == GUMBO_TAG_OL;
    long next = ordered ? IntAttribute(node, "start").value_or(1) : 1;
    const Ref group = doc_.AddGroup(parent, GroupLabel::kList);
    ItemContext* const saved_item = item_;
    const Style saved_style = style_;
    const GumboVector* children = ChildrenOf(node);
    for (unsigned int i = 0; i < children->length; ++i) {
      const GumboNode* child = Child(children, i);
      if (child->type == GUMBO_NODE_WHITESPACE || child->type == GUMBO_NODE_COMMENT) continue;
      if (child->type == GUMBO_NODE_ELEMENT && IsSkipped(child)) continue;
      if (child->type == GUMBO_NODE_TEXT && IsBlank(child->v.text.text)) continue;
      const bool li = TagOf(child) == GUMBO_TAG_LI;
      if (ordered && li) next = IntAttribute(child, "value").value_or(next);
      ItemContext item{group, ordered, ordered ? std::to_string(next) + "." : "-", std::nullopt};
      item_ = &item;
      if (li) {
        VisitChildren(child, depth + 1);
      } else {
        Visit(child, depth + 1);  // stray content in a list: an item of its own
      }
      Flush();
      if (li) ++next;
    }
    item_ = saved_item;
    style_ = saved_style;
  }

  void Picture(const GumboNode* node) {
    const Ref parent = BlockParent();
    PictureItem picture;
    picture.uri = std::string(Attribute(node, "src"));
    picture.width =
        static_cast<int>(std::clamp(IntAttribute(node, "width").value_or(0), 0L,
                                    static_cast<long>(std::numeric_limits<int>::max())));
    picture.height =
        static_cast<int>(std::clamp(IntAttribute(node, "height").value_or(0), 0L,
                                    static_cast<long>(std::numeric_limits<int>::max())));
    const Ref r = doc_.AddPicture(parent, std::move(picture));
    std::string caption = TakeFigureCaption();
    if (caption.empty()) caption = Normalize(Attribute(node, "alt"));
    if (!caption.empty()) doc_.AddCaption(r, std::move(caption));
  }

  // A figure's caption goes to the first picture or table inside it; unused, it stays a
  // paragraph after the figure.
  void Figure(const GumboNode* node, int depth) {
    Flush();
    std::string caption;
    const GumboNode* figcaption = nullptr;
    const GumboVector* children = ChildrenOf(node);
    for (unsigned int i = 0; i < children->length; ++i) {
      const GumboNode* child = Child(children, i);
      if (TagOf(child) == GUMBO_TAG_FIGCAPTION && !IsSkipped(child)) {
        figcaption = child;
        caption = TextOf(child);
        break;
      }
    }
    std::optional<std::string> saved_caption = std::move(figure_caption_);
    const GumboNode* saved_figcaption = figcaption_;
    figure_caption_ = std::move(caption);
    figcaption_ = figcaption;
    VisitChildren(node, depth);
    figcaption_ = saved_figcaption;
    std::string unused = TakeFigureCaption();
    figure_caption_ = std::move(saved_caption);
    if (!unused.empty()) {
      Flush();
      const Ref parent = item_ != nullptr ? BlockParent() : sections_.current();
      doc_.AddText(parent, TextLabel::kText, std::move(unused));
    } else {
      Flush();
    }
  }

  std::string TakeFigureCaption() {
    if (!figure_caption_) return {};
    std::string caption = std::move(*figure_caption_);
    figure_caption_.reset();
    return caption;
  }

  void Table(const GumboNode* node, int depth) {
    const Ref parent = BlockParent();
    std::string caption;
    std::vector<const GumboNode*> rows;
    auto collect_rows = [&rows](const GumboNode* section) {
      const GumboVector* children = ChildrenOf(section);
      for (unsigned int i = 0; i < children->length; ++i) {
        const GumboNode* child = Child(children, i);
        if (TagOf(child) == GUMBO_TAG_TR && !IsSkipped(child)) rows.push_back(child);
      }
    };
    const GumboVector* children = ChildrenOf(node);
    for (unsigned int i = 0; i < children->length; ++i) {
      const GumboNode* child = Child(children, i);
      switch (TagOf(child)) {
        case GUMBO_TAG_CAPTION:
          if (caption.empty() && !IsSkipped(child)) caption = TextOf(child);
          break;
        case GUMBO_TAG_THEAD:
        case GUMBO_TAG_TBODY:
        case GUMBO_TAG_TFOOT:
          if (!IsSkipped(child)) collect_rows(child);
          break;
        case GUMBO_TAG_TR:
          if (!IsSkipped(child)) rows.push_back(child);
          break;
        default:
          break;
      }
    }

    // Each row's cells.
    std::vector<std::vector<const GumboNode*>> cells;
    for (const GumboNode* row : rows) {
      std::vector<const GumboNode*> row_cells;
      const GumboVector* rc = ChildrenOf(row);
      for (unsigned int i = 0; i < rc->length; ++i) {
        const GumboNode* cell = Child(rc, i);
        const GumboTag t = TagOf(cell);
        if ((t == GUMBO_TAG_TD || t == GUMBO_TAG_TH) && !IsSkipped(cell)) row_cells.push_back(cell);
      }
      if (!row_cells.empty()) cells.push_back(std::move(row_cells));
    }
    if (cells.empty()) return;  // nothing tabular (the caption of nothing goes too)
    if (cells.size() == 1 && cells[0].size() == 1) {
      // One cell is a layout box, not data: its content is read as if the table were not there.
      if (!caption.empty()) doc_.AddText(parent, TextLabel::kText, std::move(caption));
      VisitChildren(cells[0][0], depth + 3);
      Flush();
      return;
    }
    auto span = [](const GumboNode* cell, const char* name, long max) {
      return static_cast<int>(std::clamp(IntAttribute(cell, name).value_or(1), 1L, max));
    };
    // A row holding only cells that span further rows is merged into the next one, its cells'
    // spans counting it (Docling does so; pivot tables put their row headers in such rows).
    std::vector<bool> merged(cells.size(), false);
    int num_rows = 0;
    for (std::size_t r = 0; r < cells.size(); ++r) {
      merged[r] = r + 1 < cells.size() &&
                  std::all_of(cells[r].begin(), cells[r].end(), [&](const GumboNode* c) {
                    return span(c, "rowspan", kMaxRowSpan) > 1;
                  });
      if (!merged[r]) ++num_rows;
    }

    // Spans may widen the table only while its area stays bounded.
    std::size_t widest = 0;
    for (const auto& row_cells : cells) widest = std::max(widest, row_cells.size());
    const int max_columns = static_cast<int>(
        std::clamp<std::int64_t>(std::max<std::int64_t>(static_cast<std::int64_t>(widest),
                                                        kMaxTableArea / std::max(num_rows, 1)),
                                 1, kMaxColumns));

    TableItem table;
    std::vector<std::vector<bool>> taken(static_cast<std::size_t>(num_rows));
    auto is_taken = [&](int r, int c) {
      const auto& row = taken[static_cast<std::size_t>(r)];
      return static_cast<std::size_t>(c) < row.size() && row[static_cast<std::size_t>(c)];
    };
    std::int64_t marks = 0;
    bool truncated = false;
    int row = 0;
    for (std::size_t r = 0; r < cells.size() && row < num_rows; ++r) {
      int col = 0;
      for (const GumboNode* cell : cells[r]) {
        while (col < max_columns && is_taken(row, col)) ++col;
        if (col >= max_columns) {
          truncated = true;
          break;
        }
        int col_span = span(cell, "colspan", kMaxColumns);
        if (col_span > max_columns - col) {
          col_span = max_columns - col;
          truncated = true;
        }
        int row_span = span(cell, "rowspan", kMaxRowSpan) - (merged[r] ? 1 : 0);
        row_span = std::clamp(row_span, 1, num_rows - row);
        const std::int64_t area = static_cast<std::int64_t>(row_span) * col_span;
        if (area > 1 && marks + area > kMaxSpanMarks) {
          row_span = col_span = 1;  // the span budget is spent: no more spans
          truncated = true;
        } else if (area > 1) {
          marks += area;
        }
        for (int y = row; y < row + row_span; ++y) {
          auto& line = taken[static_cast<std::size_t>(y)];
          if (line.size() < static_cast<std::size_t>(col + col_span)) {
            line.resize(static_cast<std::size_t>(col + col_span), false);
          }
          for (int x = col; x < col + col_span; ++x) line[static_cast<std::size_t>(x)] = true;
        }
        TableCell c;
        c.text = TextOf(cell);
        c.start_row = row;
        c.end_row = row + row_span;
        c.start_col = col;
        c.end_col = col + col_span;
        c.column_header = TagOf(cell) == GUMBO_TAG_TH;
        table.cells.push_back(std::move(c));
        table.num_cols = std::max(table.num_cols, col + col_span);
        col += col_span;
      }
      if (!merged[r]) ++row;
    }
    table.num_rows = num_rows;
    if (truncated && !warned_table_) {
      doc_.warnings.push_back(
          "an HTML table exceeded Ferry's bounds (1000 columns, spans, or area): it was cut");
      warned_table_ = true;
    }
    const Ref t = doc_.AddTable(parent, std::move(table));
    if (caption.empty()) caption = TakeFigureCaption();
    if (!caption.empty()) doc_.AddCaption(t, std::move(caption));
  }

  Document& doc_;
  SectionTracker sections_;
  std::vector<TextRun> runs_;                  // the paragraph being read
  Style style_;                                // the style of text here
  ItemContext* item_ = nullptr;                // the list item being filled, if any
  std::optional<std::string> figure_caption_;  // the open figure's caption, until used
  const GumboNode* figcaption_ = nullptr;      // the element it came from
  bool warned_depth_ = false;
  bool warned_table_ = false;
};

struct OutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};

}  // namespace

Result<Document> ParseHtml(std::string_view html, std::string name, Origin origin) {
  Document doc(std::move(name), std::move(origin));
  if (IsBlank(html)) return doc;
  if (html.size() >= std::numeric_limits<unsigned int>::max()) {
    return Fail(ErrorCode::kInvalidParams, "HTML input over 4 GiB");
  }
  // gumbo wants a NUL-terminated buffer that outlives the tree.
  std::string buffer;
  if (auto limited = LimitNesting(html, kMaxNesting)) {
    buffer = std::move(*limited);
    doc.warnings.push_back("HTML nested deeper than " + std::to_string(kMaxNesting) +
                           " elements: the markup below that depth was dropped, its text kept");
  } else {
    buffer.assign(html);
  }
  // gumbo's tree costs about one node per '<' on top of copies of the text.
  const auto tags = static_cast<std::size_t>(std::count(buffer.begin(), buffer.end(), '<'));
  if (!MemoryBudget::Charge(2 * buffer.size() + tags * kGumboNodeBytes)) {
    return Fail(ErrorCode::kInvalidParams, "HTML too large to parse within the conversion's "
                                           "memory budget");
  }
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // parse errors are recovered from; recording them only costs memory
  std::unique_ptr<GumboOutput, OutputDeleter> output(
      gumbo_parse_with_options(&options, buffer.c_str(), buffer.size()));
  if (output == nullptr || output->document == nullptr) {
    return Fail(ErrorCode::kInvalidParams, "the HTML parser failed on this input");
  }
  Converter(doc).Run(output->document);
  return doc;
}

}  // namespace ferry::document
