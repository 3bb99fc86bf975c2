// HTML: a standalone page with the document's structure as semantic elements (h1-h6, p, ul/ol,
// table with th and rowspan/colspan, figure/figcaption, pre/code). Text is escaped; hyperlinks
// keep only http, https and mailto targets (a document must not smuggle javascript: links).
#include <algorithm>

#include "document/export.h"

namespace ferry::document {
namespace {

void Escape(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

bool SafeLink(std::string_view href) {
  auto starts = [&](std::string_view p) {
    if (href.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(href[i])) != p[i]) return false;
    }
    return true;
  };
  return starts("http://") || starts("https://") || starts("mailto:") || starts("#");
}

class HtmlWriter {
 public:
  explicit HtmlWriter(const Document& doc) : doc_(doc) {}

  std::string Run() {
    out_ = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>";
    Escape(out_, doc_.name);
    out_ += "</title>\n</head>\n<body>\n";
    for (const Ref& r : doc_.body.children) Emit(r);
    out_ += "</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  void Inline(const TextItem& t) {
    std::string s;
    Escape(s, t.text);
    if (t.label == TextLabel::kCode) s = "<code>" + s + "</code>";
    if (t.formatting.strikethrough) s = "<del>" + s + "</del>";
    if (t.formatting.underline) s = "<u>" + s + "</u>";
    if (t.formatting.italic) s = "<em>" + s + "</em>";
    if (t.formatting.bold) s = "<strong>" + s + "</strong>";
    if (t.formatting.script == Formatting::Script::kSub) s = "<sub>" + s + "</sub>";
    if (t.formatting.script == Formatting::Script::kSuper) s = "<sup>" + s + "</sup>";
    if (!t.hyperlink.empty() && SafeLink(t.hyperlink)) {
      std::string href;
      Escape(href, t.hyperlink);
      s = "<a href=\"" + href + "\">" + s + "</a>";
    }
    out_ += s;
  }

  void InlineGroup(Ref group) {
    bool first = true;
    for (const Ref& c : doc_.node(group).children) {
      if (!first) out_ += ' ';
      first = false;
      if (c.kind == ItemKind::kText) Inline(doc_.text(c));
      if (c.kind == ItemKind::kGroup) InlineGroup(c);
    }
  }

  void Captions(const std::vector<Ref>& captions, const char* tag) {
    for (const Ref& c : captions) {
      out_ += std::string("<") + tag + ">";
      Inline(doc_.text(c));
      out_ += std::string("</") + tag + ">\n";
    }
  }

  void Emit(Ref ref) {
    const auto& node = doc_.node(ref);
    if (node.layer == ContentLayer::kFurniture) return;
    switch (ref.kind) {
      case ItemKind::kText: {
        const auto& t = doc_.text(ref);
        if (t.label == TextLabel::kCaption &&
            (t.parent.kind == ItemKind::kTable || t.parent.kind == ItemKind::kPicture)) {
          return;
        }
        switch (t.label) {
          case TextLabel::kTitle:
            out_ += "<h1>";
            Inline(t);
            out_ += "</h1>\n";
            break;
          case TextLabel::kSectionHeader: {
            const std::string h = "h" + std::to_string(std::clamp(t.level + 1, 2, 6));
            out_ += "<" + h + ">";
            Inline(t);
            out_ += "</" + h + ">\n";
            break;
          }
          case TextLabel::kListItem: {
            out_ += "<li>";
            std::size_t first = 0;
            if (t.text.empty() && !t.children.empty() && t.children[0].kind == ItemKind::kGroup &&
                doc_.groups[static_cast<std::size_t>(t.children[0].index)].label ==
                    GroupLabel::kInline) {
              InlineGroup(t.children[0]);
              first = 1;
            } else {
              Inline(t);
            }
            for (std::size_t i = first; i < t.children.size(); ++i) Emit(t.children[i]);
            out_ += "</li>\n";
            return;
          }
          case TextLabel::kCode:
            out_ += "<pre><code>";
            Escape(out_, t.text);
            out_ += "</code></pre>\n";
            break;
          case TextLabel::kFormula:
            out_ += "<div class=\"formula\">";
            Escape(out_, t.text);
            out_ += "</div>\n";
            break;
          case TextLabel::kPageHeader:
          case TextLabel::kPageFooter:
            return;
          default:
            if (t.text.empty()) break;
            out_ += t.label == TextLabel::kFootnote ? "<p class=\"footnote\">" : "<p>";
            Inline(t);
            out_ += "</p>\n";
        }
        for (const Ref& c : t.children) Emit(c);
        return;
      }
      case ItemKind::kGroup: {
        const auto& g = doc_.groups[static_cast<std::size_t>(ref.index)];
        if (g.label == GroupLabel::kInline) {
          out_ += "<p>";
          InlineGroup(ref);
          out_ += "</p>\n";
          return;
        }
        if (g.label == GroupLabel::kList || g.label == GroupLabel::kOrderedList) {
          bool ordered = g.label == GroupLabel::kOrderedList;
          for (const Ref& c : g.children) {
            if (c.kind == ItemKind::kText && doc_.text(c).enumerated) ordered = true;
          }
          std::string open = ordered ? "<ol" : "<ul";
          if (ordered && !g.children.empty() && g.children[0].kind == ItemKind::kText) {
            const int start = std::atoi(doc_.text(g.children[0]).marker.c_str());
            if (start > 1) open += " start=\"" + std::to_string(start) + "\"";
          }
          out_ += open + ">\n";
          for (const Ref& c : g.children) Emit(c);
          out_ += ordered ? "</ol>\n" : "</ul>\n";
          return;
        }
        for (const Ref& c : g.children) Emit(c);
        return;
      }
      case ItemKind::kTable: {
        const auto& t = doc_.tables[static_cast<std::size_t>(ref.index)];
        out_ += "<table>\n";
        Captions(t.captions, "caption");
        for (int r = 0; r < t.num_rows; ++r) {
          out_ += "<tr>";
          for (const auto& c : t.cells) {
            if (c.start_row != r) continue;
            const char* tag = c.column_header || c.row_header ? "th" : "td";
            out_ += std::string("<") + tag;
            if (c.row_span() > 1) out_ += " rowspan=\"" + std::to_string(c.row_span()) + "\"";
            if (c.col_span() > 1) out_ += " colspan=\"" + std::to_string(c.col_span()) + "\"";
            out_ += ">";
            Escape(out_, c.text);
            out_ += std::string("</") + tag + ">";
          }
          out_ += "</tr>\n";
        }
        out_ += "</table>\n";
        return;
      }
      case ItemKind::kPicture: {
        const auto& p = doc_.pictures[static_cast<std::size_t>(ref.index)];
        out_ += "<figure>";
        if (!p.uri.empty() && SafeLink(p.uri)) {
          out_ += "<img src=\"";
          Escape(out_, p.uri);
          out_ += "\" alt=\"\">";
        }
        out_ += "\n";
        Captions(p.captions, "figcaption");
        out_ += "</figure>\n";
        return;
      }
      default: return;
    }
  }

  const Document& doc_;
  std::string out_;
};

}  // namespace

std::string ToHtml(const Document& doc) { return HtmlWriter(doc).Run(); }

}  // namespace ferry::document
