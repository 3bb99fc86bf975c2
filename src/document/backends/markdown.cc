#include "document/backends/markdown.h"

#include "common/utf8.h"
#include "document/backends/html.h"

#include <md4c.h>

#include <cstdlib>
#include <vector>

namespace ferry::document {
namespace {

// A piece of inline text with one formatting.
struct Run {
  std::string text;
  Formatting formatting;
  std::string hyperlink;
  bool code = false;
};

// The md4c callbacks' state: open blocks, and the inline runs of the block being read.
class Builder {
 public:
  explicit Builder(Document& doc) : doc_(doc), sections_(doc) {}

  int EnterBlock(MD_BLOCKTYPE type, void* detail) {
    switch (type) {
      case MD_BLOCK_H:
        Flush();
        heading_level_ = static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
        break;
      case MD_BLOCK_UL:
      case MD_BLOCK_OL: {
        Flush();  // a list item's own text comes before its nested list
        const Ref parent = !items_.empty() ? items_.back() : sections_.current();
        lists_.push_back({doc_.AddGroup(parent, GroupLabel::kList),
                          type == MD_BLOCK_OL,
                          type == MD_BLOCK_OL
                              ? static_cast<int>(static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start)
                              : 0});
        break;
      }
      case MD_BLOCK_LI: {
        Flush();
        auto& list = lists_.back();
        std::string marker = list.ordered ? std::to_string(list.next++) + "." : "-";
        items_.push_back(doc_.AddListItem(list.group, "", list.ordered, std::move(marker)));
        break;
      }
      case MD_BLOCK_CODE: {
        Flush();
        auto* d = static_cast<MD_BLOCK_CODE_DETAIL*>(detail);
        code_language_.assign(d->lang.text ? std::string(d->lang.text, d->lang.size) : "");
        in_code_ = true;
        break;
      }
      case MD_BLOCK_HTML: Flush(); in_html_ = true; break;
      case MD_BLOCK_TABLE:
        Flush();
        table_ = TableItem{};
        row_ = -1;
        break;
      case MD_BLOCK_TR:
        ++row_;
        col_ = 0;
        break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD: runs_.clear(); break;
      default: break;
    }
    return 0;
  }

  int LeaveBlock(MD_BLOCKTYPE type, void* /*detail*/) {
    switch (type) {
      case MD_BLOCK_H: {
        const int level = heading_level_;
        heading_level_ = 0;
        std::string text = Plain();
        runs_.clear();
        sections_.AddHeading(std::move(text), level - 1);
        break;
      }
      case MD_BLOCK_P: Flush(); break;
      case MD_BLOCK_LI:
        Flush();
        items_.pop_back();
        break;
      case MD_BLOCK_UL:
      case MD_BLOCK_OL: lists_.pop_back(); break;
      case MD_BLOCK_CODE: {
        in_code_ = false;
        std::string text = std::move(code_);
        code_.clear();
        while (!text.empty() && text.back() == '\n') text.pop_back();
        Ref r = doc_.AddText(Parent(), TextLabel::kCode, std::move(text));
        doc_.text(r).code_language = code_language_;
        break;
      }
      case MD_BLOCK_HTML: {
        // Raw HTML is read as HTML, as a browser rendering the Markdown would show it.
        in_html_ = false;
        std::string html = std::move(code_);
        code_.clear();
        if (auto sub = ParseHtml(html, "", {})) {
          doc_.AppendBody(Parent(), *sub);
        } else if (std::string text = NormalizeSpace(html); !text.empty()) {
          doc_.AddText(Parent(), TextLabel::kText, std::move(text));
        }
        break;
      }
      case MD_BLOCK_TH:
      case MD_BLOCK_TD: {
        TableCell cell;
        cell.text = Plain();
        runs_.clear();
        cell.start_row = row_;
        cell.end_row = row_ + 1;
        cell.start_col = col_;
        cell.end_col = col_ + 1;
        cell.column_header = type == MD_BLOCK_TH;
        table_.cells.push_back(std::move(cell));
        ++col_;
        table_.num_cols = std::max(table_.num_cols, col_);
        break;
      }
      case MD_BLOCK_TABLE:
        table_.num_rows = row_ + 1;
        doc_.AddTable(Parent(), std::move(table_));
        break;
      default: break;
    }
    return 0;
  }

  int EnterSpan(MD_SPANTYPE type, void* detail) {
    switch (type) {
      case MD_SPAN_EM: ++italic_; break;
      case MD_SPAN_STRONG: ++bold_; break;
      case MD_SPAN_DEL: ++strike_; break;
      case MD_SPAN_CODE: ++code_span_; break;
      case MD_SPAN_A: {
        auto* d = static_cast<MD_SPAN_A_DETAIL*>(detail);
        link_.assign(d->href.text ? std::string(d->href.text, d->href.size) : "");
        break;
      }
      case MD_SPAN_IMG: ++image_; image_alt_.clear(); break;
      default: break;
    }
    return 0;
  }

  int LeaveSpan(MD_SPANTYPE type, void* /*detail*/) {
    switch (type) {
      case MD_SPAN_EM: --italic_; break;
      case MD_SPAN_STRONG: --bold_; break;
      case MD_SPAN_DEL: --strike_; break;
      case MD_SPAN_CODE: --code_span_; break;
      case MD_SPAN_A: link_.clear(); break;
      case MD_SPAN_IMG: {
        --image_;
        Flush();  // text before the image stays before it
        Ref picture = doc_.AddPicture(Parent());
        std::string alt = NormalizeSpace(image_alt_);
        if (!alt.empty()) doc_.AddCaption(picture, std::move(alt));
        break;
      }
      default: break;
    }
    return 0;
  }

  int Text(MD_TEXTTYPE type, std::string_view text) {
    if (in_code_ || in_html_) {
      code_.append(text);
      return 0;
    }
    std::string piece;
    switch (type) {
      case MD_TEXT_SOFTBR:
      case MD_TEXT_BR: piece = " "; break;
      case MD_TEXT_NULLCHAR: piece = "\xEF\xBF\xBD"; break;
      case MD_TEXT_ENTITY: piece = DecodeEntity(text); break;
      default: piece = std::string(text); break;
    }
    if (image_ > 0) {
      image_alt_ += piece;
      return 0;
    }
    Formatting f;
    f.bold = bold_ > 0;
    f.italic = italic_ > 0;
    f.strikethrough = strike_ > 0;
    const bool code = code_span_ > 0;
    if (!runs_.empty() && runs_.back().code == code && runs_.back().hyperlink == link_ &&
        SameFormatting(runs_.back().formatting, f)) {
      runs_.back().text += piece;
    } else {
      runs_.push_back({std::move(piece), f, link_, code});
    }
    return 0;
  }

  // Ends the document: text outside any block (should not happen) is kept.
  void Finish() { Flush(); }

 private:
  struct List {
    Ref group;
    bool ordered;
    int next;
  };

  static bool SameFormatting(const Formatting& a, const Formatting& b) {
    return a.bold == b.bold && a.italic == b.italic && a.strikethrough == b.strikethrough;
  }

  static std::string DecodeEntity(std::string_view e) {
    if (e == "&amp;") return "&";
    if (e == "&lt;") return "<";
    if (e == "&gt;") return ">";
    if (e == "&quot;") return "\"";
    if (e == "&apos;") return "'";
    if (e == "&nbsp;") return " ";
    if (e.size() > 3 && e[1] == '#') {
      const bool hex = e[2] == 'x' || e[2] == 'X';
      const std::string digits(e.substr(hex ? 3 : 2, e.size() - (hex ? 4 : 3)));
      const long cp = std::strtol(digits.c_str(), nullptr, hex ? 16 : 10);
      std::string out;
      AppendUtf8(out, cp > 0 ? static_cast<unsigned long>(cp) : 0xFFFD);
      return out;
    }
    return std::string(e);  // an entity md4c knows but we do not: keep it as written
  }

  Ref Parent() const { return !items_.empty() ? items_.back() : sections_.current(); }

  // The runs' text without formatting.
  std::string Plain() const {
    std::string s;
    for (const auto& r : runs_) s += r.text;
    return NormalizeSpace(s);
  }

  // Turns the collected runs into a text item (one formatting) or an inline group (several), in
  // the open list item when there is one.
  void Flush() {
    std::vector<Run> runs;
    for (auto& r : runs_) {
      r.text = NormalizeSpace(r.text);
      if (!r.text.empty()) runs.push_back(std::move(r));
    }
    runs_.clear();
    if (runs.empty()) return;
    const bool single = runs.size() == 1;
    if (!items_.empty() && doc_.text(items_.back()).text.empty() &&
        doc_.node(items_.back()).children.empty()) {
      auto& item = doc_.text(items_.back());
      if (single && !runs[0].code) {
        item.text = item.orig = runs[0].text;
        item.formatting = runs[0].formatting;
        item.hyperlink = runs[0].hyperlink;
        return;
      }
    }
    const Ref parent = Parent();
    if (single && !runs[0].code) {
      Ref r = doc_.AddText(parent, TextLabel::kText, std::move(runs[0].text));
      doc_.text(r).formatting = runs[0].formatting;
      doc_.text(r).hyperlink = std::move(runs[0].hyperlink);
      return;
    }
    const Ref group = doc_.AddGroup(parent, GroupLabel::kInline);
    for (auto& run : runs) {
      Ref r = doc_.AddText(group, run.code ? TextLabel::kCode : TextLabel::kText, std::move(run.text));
      doc_.text(r).formatting = run.formatting;
      doc_.text(r).hyperlink = std::move(run.hyperlink);
    }
  }

  Document& doc_;
  SectionTracker sections_;
  std::vector<List> lists_;
  std::vector<Ref> items_;  // open list items
  std::vector<Run> runs_;
  int heading_level_ = 0;
  int bold_ = 0, italic_ = 0, strike_ = 0, code_span_ = 0, image_ = 0;
  std::string link_;
  std::string image_alt_;
  bool in_code_ = false, in_html_ = false;
  std::string code_;
  std::string code_language_;
  TableItem table_;
  int row_ = -1, col_ = 0;
};

Builder& Of(void* userdata) { return *static_cast<Builder*>(userdata); }

}  // namespace

Result<Document> ParseMarkdown(std::string_view text, std::string name, Origin origin) {
  Document doc(std::move(name), std::move(origin));
  Builder builder(doc);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTMLSPANS;
  parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* u) { return Of(u).EnterBlock(t, d); };
  parser.leave_block = [](MD_BLOCKTYPE t, void* d, void* u) { return Of(u).LeaveBlock(t, d); };
  parser.enter_span = [](MD_SPANTYPE t, void* d, void* u) { return Of(u).EnterSpan(t, d); };
  parser.leave_span = [](MD_SPANTYPE t, void* d, void* u) { return Of(u).LeaveSpan(t, d); };
  parser.text = [](MD_TEXTTYPE t, const MD_CHAR* s, MD_SIZE n, void* u) {
    return Of(u).Text(t, std::string_view(s, n));
  };
  if (md_parse(text.data(), static_cast<MD_SIZE>(text.size()), &parser, &builder) != 0) {
    return Fail(ErrorCode::kInvalidParams, "the Markdown parser failed on this input");
  }
  builder.Finish();
  return doc;
}

}  // namespace ferry::document
