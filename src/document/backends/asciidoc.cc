#include "document/backends/asciidoc.h"

#include <algorithm>
#include <vector>

namespace ferry::document {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Removes inline marks: *bold*, _italic_, `mono` (constrained pairs), keeping the words.
std::string Inline(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '*' || c == '_' || c == '`') {
      const bool open = (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1]))) &&
                        i + 1 < s.size() && s[i + 1] != ' ';
      const bool close = i > 0 && s[i - 1] != ' ' &&
                         (i + 1 == s.size() || !std::isalnum(static_cast<unsigned char>(s[i + 1])));
      if ((open && s.find(c, i + 1) != std::string_view::npos) || close) continue;
    }
    out += c;
  }
  return NormalizeSpace(out);
}

// A list marker at the start of a line: returns its depth (1 for "*", "-", "." or "1."; 2 for
// "**" or ".."), whether it is ordered, and the text after it; depth 0 when not a list line.
struct ListLine {
  int depth = 0;
  bool ordered = false;
  std::string_view text;
};

ListLine ParseListLine(std::string_view raw) {
  ListLine l;
  const std::size_t indent = raw.find_first_not_of(" \t");
  if (indent == std::string_view::npos) return l;
  std::string_view s = raw.substr(indent);
  std::size_t n = 0;
  if (s[0] == '*' || s[0] == '.') {
    while (n < s.size() && s[n] == s[0]) ++n;
    l.ordered = s[0] == '.';
  } else if (s[0] == '-') {
    n = 1;
  } else if (std::isdigit(static_cast<unsigned char>(s[0]))) {
    while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
    if (n >= s.size() || s[n] != '.') return l;
    ++n;
    l.ordered = true;
  } else {
    return l;
  }
  if (n >= s.size() || s[n] != ' ' || n > 5) return l;
  const int by_marker = (s[0] == '-' || std::isdigit(static_cast<unsigned char>(s[0])))
                            ? 1
                            : static_cast<int>(n);
  l.depth = std::max(by_marker, static_cast<int>(indent / 2) + 1);
  l.text = Trim(s.substr(n + 1));
  return l;
}

// ":name:" or ":name: value" (a document attribute).
bool IsAttributeEntry(std::string_view line) {
  if (line.size() < 3 || line[0] != ':') return false;
  const auto close = line.find(':', 1);
  if (close == std::string_view::npos || close == 1) return false;
  const std::string_view name = line.substr(1, close - 1);
  return name.find(' ') == std::string_view::npos &&
         (close + 1 == line.size() || line[close + 1] == ' ');
}

// Cells of a table line: "|a |b" -> {"a", "b"}; specifiers before a '|' (^.^h, 2+, a) dropped.
std::vector<std::string> Cells(std::string_view line) {
  std::vector<std::string> cells;
  std::size_t start = line.find('|');
  if (start == std::string_view::npos) return cells;
  while (start != std::string_view::npos) {
    const std::size_t next = line.find('|', start + 1);
    std::string_view cell = line.substr(start + 1, next == std::string_view::npos ? std::string_view::npos
                                                                                 : next - start - 1);
    if (next != std::string_view::npos) {
      // A specifier glued to the next '|' belongs to the next cell: strip it from this one.
      const std::size_t spec = cell.find_last_of(" \t");
      const std::string_view tail = spec == std::string_view::npos ? cell : cell.substr(spec + 1);
      if (!tail.empty() && tail.size() <= 6 &&
          tail.find_first_not_of("<^>.0123456789+*aehlmsdv%") == std::string_view::npos &&
          tail.find_first_not_of("0123456789") != std::string_view::npos &&  // "1" is content
          spec != std::string_view::npos) {
        cell = cell.substr(0, spec);
      }
    }
    cells.emplace_back(Inline(Trim(cell)));
    start = next;
  }
  // "|a|b|": the empty piece after the last bar is not a cell.
  if (!cells.empty() && cells.back().empty() && Trim(line).back() == '|') cells.pop_back();
  // The piece before the first bar (a specifier) is not a cell either.
  return cells;
}

class Builder {
 public:
  explicit Builder(Document& doc) : doc_(doc), sections_(doc) {}

  void Run(std::string_view text) {
    std::vector<std::string_view> lines;
    for (std::size_t start = 0; start <= text.size();) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) i = Line(lines, i);
    FlushParagraph();
  }

 private:
  // Handles line i (and the block it opens); returns the last line consumed.
  std::size_t Line(const std::vector<std::string_view>& lines, std::size_t i) {
    const std::string_view raw = lines[i];
    const std::string_view line = Trim(raw);
    if (line.empty()) {
      FlushParagraph();
      EndList();
      return i;
    }
    if (line.rfind("//", 0) == 0 || IsAttributeEntry(line) ||
        (line.front() == '[' && line.back() == ']')) {
      return i;  // comments, attribute entries, block attributes
    }
    if (line.front() == '=' && line.rfind("|===", 0) != 0) {
      std::size_t n = line.find_first_not_of('=');
      if (n != std::string_view::npos && n <= 6 && line[n] == ' ') {
        FlushParagraph();
        EndList();
        sections_.AddHeading(Inline(line.substr(n + 1)), static_cast<int>(n) - 1);
        return i;
      }
    }
    if (line.size() > 1 && line[0] == '.' && line[1] != '.' && line[1] != ' ') {
      FlushParagraph();
      caption_ = Inline(line.substr(1));
      return i;
    }
    if (line.rfind("image::", 0) == 0) {
      FlushParagraph();
      EndList();
      Ref picture = doc_.AddPicture(sections_.current());
      const auto bracket = line.find('[');
      doc_.pictures.back().uri = std::string(line.substr(7, bracket - 7));
      if (!caption_.empty()) doc_.AddCaption(picture, std::exchange(caption_, {}));
      return i;
    }
    if (line == "----" || line == "....") {
      FlushParagraph();
      EndList();
      std::string code;
      std::size_t j = i + 1;
      for (; j < lines.size() && Trim(lines[j]) != line; ++j) {
        if (!code.empty()) code += '\n';
        code += lines[j];
      }
      doc_.AddText(sections_.current(), TextLabel::kCode, std::move(code));
      return j;
    }
    if (line.rfind("|===", 0) == 0) {
      FlushParagraph();
      EndList();
      std::vector<std::vector<std::string>> rows;
      std::size_t columns = 0;
      std::vector<std::string> pending;
      std::size_t j = i + 1;
      for (; j < lines.size() && Trim(lines[j]).rfind("|===", 0) != 0; ++j) {
        const auto cells = Cells(Trim(lines[j]));
        if (cells.empty()) continue;
        if (columns == 0) columns = cells.size();
        pending.insert(pending.end(), cells.begin(), cells.end());
        while (columns && pending.size() >= columns) {
          rows.emplace_back(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(columns));
          pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(columns));
        }
      }
      if (!pending.empty()) rows.push_back(std::move(pending));
      AddTable(rows);
      return j;
    }
    if (line.front() == '|' && line.size() > 1) {
      FlushParagraph();
      EndList();
      std::vector<std::vector<std::string>> rows;
      std::size_t j = i;
      for (; j < lines.size() && !Trim(lines[j]).empty() && Trim(lines[j]).front() == '|'; ++j) {
        rows.push_back(Cells(Trim(lines[j])));
      }
      AddTable(rows);
      return j - 1;
    }
    if (const ListLine l = ParseListLine(raw); l.depth > 0 && paragraph_.empty()) {
      AddListItem(l);
      return i;
    }
    if (!lists_.empty() && (raw.front() == ' ' || raw.front() == '\t')) {
      // A continuation of the last list item.
      auto& item = doc_.text(lists_.back().last);
      item.text = item.orig = NormalizeSpace(item.text + " " + Inline(line));
      return i;
    }
    EndList();
    if (!paragraph_.empty()) paragraph_ += ' ';
    paragraph_ += line;
    return i;
  }

  void AddTable(const std::vector<std::vector<std::string>>& rows) {
    TableItem t;
    t.num_rows = static_cast<int>(rows.size());
    for (const auto& r : rows) t.num_cols = std::max(t.num_cols, static_cast<int>(r.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::size_t c = 0; c < rows[r].size(); ++c) {
        TableCell cell;
        cell.text = rows[r][c];
        cell.start_row = static_cast<int>(r);
        cell.end_row = cell.start_row + 1;
        cell.start_col = static_cast<int>(c);
        cell.end_col = cell.start_col + 1;
        cell.column_header = r == 0;
        t.cells.push_back(std::move(cell));
      }
    }
    if (t.num_rows == 0) return;
    Ref table = doc_.AddTable(sections_.current(), std::move(t));
    if (!caption_.empty()) doc_.AddCaption(table, std::exchange(caption_, {}));
  }

  void AddListItem(const ListLine& l) {
    FlushParagraph();
    while (!lists_.empty() && lists_.back().depth > l.depth) lists_.pop_back();
    if (lists_.empty() || lists_.back().depth < l.depth) {
      const Ref parent = lists_.empty() ? sections_.current() : lists_.back().last;
      lists_.push_back({doc_.AddGroup(parent, GroupLabel::kList), l.depth, 0, {}});
    }
    auto& list = lists_.back();
    const std::string marker = l.ordered ? std::to_string(++list.count) + "." : "-";
    list.last = doc_.AddListItem(list.group, Inline(l.text), l.ordered, marker);
  }

  void EndList() { lists_.clear(); }

  void FlushParagraph() {
    if (paragraph_.empty()) return;
    std::string text = Inline(paragraph_);
    paragraph_.clear();
    if (!text.empty()) doc_.AddText(sections_.current(), TextLabel::kText, std::move(text));
  }

  struct OpenList {
    Ref group;
    int depth;
    int count;
    Ref last;
  };
  Document& doc_;
  SectionTracker sections_;
  std::vector<OpenList> lists_;
  std::string paragraph_;
  std::string caption_;
};

}  // namespace

Result<Document> ParseAsciiDoc(std::string_view text, std::string name, Origin origin) {
  Document doc(std::move(name), std::move(origin));
  Builder(doc).Run(text);
  return doc;
}

}  // namespace ferry::document
