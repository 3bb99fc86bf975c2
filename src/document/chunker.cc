#include "document/chunker.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>

#include "common/base64.h"

namespace ferry::document {
namespace {

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

// One element of the document as chunking sees it: text, or a table as Markdown rows.
struct Element {
  std::string text;
  std::vector<std::string> rows;  // tables: header row, rule, data rows (text is empty)
  std::vector<std::string> headings;
  std::vector<std::string> captions;
  std::set<int> pages;
  std::vector<std::string> items;
};

class Collector {
 public:
  explicit Collector(const Document& doc) : doc_(doc) {}

  std::vector<Element> Run() {
    for (const Ref& r : doc_.body.children) Visit(r);
    return std::move(out_);
  }

 private:
  void AddPages(Element& e, const NodeBase& n) {
    for (const auto& p : n.prov) e.pages.insert(p.page_no);
  }

  std::vector<std::string> Path() const {
    std::vector<std::string> path;
    for (const auto& [level, text] : headings_) path.push_back(text);
    return path;
  }

  // The text of a list (nested lists indented), its items listed in `e`.
  void ListText(Ref list, int depth, Element& e) {
    for (const Ref& child : doc_.node(list).children) {
      if (child.kind == ItemKind::kText) {
        const auto& t = doc_.text(child);
        std::string line(static_cast<std::size_t>(depth) * 2, ' ');
        line += (t.enumerated ? (t.marker.empty() ? "1." : t.marker) : "-") + std::string(" ");
        line += t.text.empty() ? InlineText(child) : t.text;
        if (!e.text.empty()) e.text += '\n';
        e.text += line;
        e.items.push_back(child.Pointer());
        AddPages(e, t);
        for (const Ref& sub : t.children) {
          if (sub.kind == ItemKind::kGroup) ListText(sub, depth + 1, e);
        }
      } else if (child.kind == ItemKind::kGroup) {
        ListText(child, depth + 1, e);
      }
    }
  }

  // The words of an inline group (or the inline group first child of an item).
  std::string InlineText(Ref ref) const {
    std::string s;
    for (const Ref& c : doc_.node(ref).children) {
      std::string part = c.kind == ItemKind::kText ? doc_.text(c).text
                         : c.kind == ItemKind::kGroup ? InlineText(c)
                                                      : std::string();
      if (part.empty()) continue;
      if (!s.empty()) s += ' ';
      s += part;
    }
    return s;
  }

  void Visit(Ref ref) {
    const auto& node = doc_.node(ref);
    if (node.layer == ContentLayer::kFurniture) return;
    switch (ref.kind) {
      case ItemKind::kText: {
        const auto& t = doc_.text(ref);
        if (t.label == TextLabel::kTitle || t.label == TextLabel::kSectionHeader) {
          const int level = t.label == TextLabel::kTitle ? 0 : t.level;
          while (!headings_.empty() && headings_.back().first >= level) headings_.pop_back();
          headings_.emplace_back(level, t.text);
        } else if (t.label == TextLabel::kCaption && (t.parent.kind == ItemKind::kTable ||
                                                      t.parent.kind == ItemKind::kPicture)) {
          return;  // with its table or picture
        } else if (t.label != TextLabel::kPageHeader && t.label != TextLabel::kPageFooter &&
                   !t.text.empty()) {
          Element e;
          e.text = t.text;
          e.headings = Path();
          e.items.push_back(ref.Pointer());
          AddPages(e, t);
          out_.push_back(std::move(e));
        }
        for (const Ref& c : t.children) Visit(c);
        return;
      }
      case ItemKind::kGroup: {
        const auto& g = doc_.groups[static_cast<std::size_t>(ref.index)];
        if (g.label == GroupLabel::kList || g.label == GroupLabel::kOrderedList) {
          Element e;
          e.headings = Path();
          ListText(ref, 0, e);
          if (!e.text.empty()) out_.push_back(std::move(e));
          return;
        }
        if (g.label == GroupLabel::kInline) {
          Element e;
          e.text = InlineText(ref);
          e.headings = Path();
          e.items.push_back(ref.Pointer());
          if (!e.text.empty()) out_.push_back(std::move(e));
          return;
        }
        for (const Ref& c : g.children) Visit(c);
        return;
      }
      case ItemKind::kTable: {
        const auto& t = doc_.tables[static_cast<std::size_t>(ref.index)];
        Element e;
        e.headings = Path();
        e.items.push_back(ref.Pointer());
        AddPages(e, t);
        for (const Ref& c : t.captions) e.captions.push_back(doc_.text(c).text);
        const auto grid = t.Grid();
        for (int r = 0; r < t.num_rows; ++r) {
          std::string row = "|";
          for (int c = 0; c < t.num_cols; ++c) {
            const TableCell* cell = grid[static_cast<std::size_t>(r * t.num_cols + c)];
            row += " " + (cell ? NormalizeSpace(cell->text) : std::string()) + " |";
          }
          e.rows.push_back(std::move(row));
          if (r == 0) {
            std::string rule = "|";
            for (int c = 0; c < t.num_cols; ++c) rule += " - |";
            e.rows.push_back(std::move(rule));
          }
        }
        out_.push_back(std::move(e));
        return;
      }
      case ItemKind::kPicture: {
        const auto& p = doc_.pictures[static_cast<std::size_t>(ref.index)];
        Element e;
        e.headings = Path();
        e.items.push_back(ref.Pointer());
        AddPages(e, p);
        for (const Ref& c : p.captions) e.captions.push_back(doc_.text(c).text);
        if (e.captions.empty()) return;  // nothing to retrieve by
        for (const auto& c : e.captions) e.text += (e.text.empty() ? "" : "\n") + c;
        e.captions.clear();
        out_.push_back(std::move(e));
        return;
      }
      default: return;
    }
  }

  const Document& doc_;
  std::vector<std::pair<int, std::string>> headings_;
  std::vector<Element> out_;
};

std::string Body(const Element& e, std::size_t first_row = 2, std::size_t end_row = SIZE_MAX) {
  std::string text;
  for (const auto& c : e.captions) text += c + "\n";
  if (e.rows.empty()) return text + e.text;
  text += e.rows[0] + "\n" + e.rows[1];
  for (std::size_t i = first_row; i < std::min(end_row, e.rows.size()); ++i) text += "\n" + e.rows[i];
  return text;
}

Chunk MakeChunk(const Element& e, std::string text, const Tokenizer& tokenizer) {
  Chunk c;
  c.text = std::move(text);
  c.headings = e.headings;
  c.captions = e.captions;
  c.pages.assign(e.pages.begin(), e.pages.end());
  c.items = e.items;
  c.tokens = tokenizer.Count(c.text);
  return c;
}

std::size_t HeadingTokens(const Element& e, const Tokenizer& tokenizer) {
  std::size_t n = 0;
  for (const auto& h : e.headings) n += tokenizer.Count(h) + 1;
  return n;
}

// Splits text into pieces of at most `budget` tokens: at sentence ends, then at spaces.
std::vector<std::string> SplitText(std::string_view text, std::size_t budget,
                                   const Tokenizer& tokenizer) {
  std::vector<std::string> units;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '.' || c == '!' || c == '?' || c == '\n') &&
        (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n')) {
      units.emplace_back(text.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  if (start < text.size()) units.emplace_back(text.substr(start));
  std::vector<std::string> pieces;
  std::string current;
  auto flush = [&] {
    std::string t = NormalizeSpace(current);
    if (!t.empty()) pieces.push_back(std::move(t));
    current.clear();
  };
  for (auto& unit : units) {
    if (tokenizer.Count(current + unit) <= budget) {
      current += unit;
      continue;
    }
    flush();
    if (tokenizer.Count(unit) <= budget) {
      current = unit;
      continue;
    }
    // A sentence over the budget: by words.
    std::size_t pos = 0;
    while (pos < unit.size()) {
      const auto space = std::min(unit.find(' ', pos + 1), unit.size());
      const std::string word = unit.substr(pos, space - pos);
      if (!current.empty() && tokenizer.Count(current + word) > budget) flush();
      current += word;
      pos = space;
    }
  }
  flush();
  return pieces;
}

}  // namespace

std::size_t ApproxTokenizer::Count(std::string_view text) const {
  std::size_t tokens = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (IsWordByte(c)) {
      std::size_t j = i;
      while (j < text.size() && IsWordByte(static_cast<unsigned char>(text[j]))) ++j;
      tokens += (j - i + 3) / 4;
      i = j;
    } else {
      if (!std::isspace(c)) ++tokens;
      ++i;
    }
  }
  return tokens;
}

Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::Load(const std::string& rank_file) {
  std::ifstream in(rank_file);
  if (!in) return Fail(ErrorCode::kIo, rank_file + ": cannot open the BPE rank file");
  auto t = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const auto space = line.find(' ');
    std::optional<std::string> decoded;
    if (space != std::string::npos) decoded = Base64Decode(std::string_view(line).substr(0, space));
    bool ok = decoded.has_value();
    std::string token = ok ? std::move(*decoded) : "";
    int rank = 0;
    if (ok) {
      try {
        rank = std::stoi(line.substr(space + 1));
      } catch (...) {
        ok = false;
      }
    }
    if (!ok) {
      return Fail(ErrorCode::kInvalidConfig,
                  rank_file + ":" + std::to_string(line_no) + ": not a tiktoken rank line");
    }
    t->ranks_.emplace(std::move(token), rank);
  }
  if (t->ranks_.empty()) return Fail(ErrorCode::kInvalidConfig, rank_file + ": no ranks");
  t->name_ = "bpe (" + rank_file + ", " + std::to_string(t->ranks_.size()) + " tokens)";
  return t;
}

std::size_t BpeTokenizer::CountWord(std::string_view word) const {
  std::vector<std::string> parts;
  for (char c : word) parts.emplace_back(1, c);
  for (;;) {
    int best = std::numeric_limits<int>::max();
    std::size_t at = 0;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      auto it = ranks_.find(parts[i] + parts[i + 1]);
      if (it != ranks_.end() && it->second < best) {
        best = it->second;
        at = i;
      }
    }
    if (best == std::numeric_limits<int>::max()) break;
    parts[at] += parts[at + 1];
    parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(at) + 1);
  }
  return parts.size();
}

std::size_t BpeTokenizer::Count(std::string_view text) const {
  constexpr std::size_t kMaxWord = 128;  // longer runs are counted in pieces (bounded work)
  std::size_t tokens = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    const auto c = static_cast<unsigned char>(text[i]);
    // A word keeps one leading space, as cl100k's pre-tokenizer does.
    if (c == ' ' && i + 1 < text.size() && !std::isspace(static_cast<unsigned char>(text[i + 1]))) ++j;
    const auto d = static_cast<unsigned char>(text[j]);
    if (std::isdigit(d)) {
      std::size_t k = j;
      while (k < text.size() && k - j < 3 && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
      j = k;
    } else if (std::isalpha(d) || d >= 0x80) {
      while (j < text.size() && (std::isalpha(static_cast<unsigned char>(text[j])) ||
                                 static_cast<unsigned char>(text[j]) >= 0x80)) {
        ++j;
      }
    } else if (std::isspace(d)) {
      while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    } else {
      while (j < text.size() && !std::isalnum(static_cast<unsigned char>(text[j])) &&
             !std::isspace(static_cast<unsigned char>(text[j])) &&
             static_cast<unsigned char>(text[j]) < 0x80) {
        ++j;
      }
    }
    if (j == i) ++j;
    for (std::size_t k = i; k < j; k += kMaxWord) {
      tokens += CountWord(text.substr(k, std::min(kMaxWord, j - k)));
    }
    i = j;
  }
  return tokens;
}

std::vector<Chunk> ChunkHierarchical(const Document& doc, const Tokenizer& tokenizer) {
  std::vector<Chunk> chunks;
  for (const auto& e : Collector(doc).Run()) chunks.push_back(MakeChunk(e, Body(e), tokenizer));
  return chunks;
}

std::vector<Chunk> ChunkHybrid(const Document& doc, const Tokenizer& tokenizer,
                               const HybridOptions& options) {
  std::vector<Chunk> chunks;
  for (const auto& e : Collector(doc).Run()) {
    const std::size_t context = HeadingTokens(e, tokenizer);
    const std::size_t budget = options.max_tokens > context + 8 ? options.max_tokens - context : 8;
    const std::string whole = Body(e);
    if (tokenizer.Count(whole) <= budget) {
      chunks.push_back(MakeChunk(e, whole, tokenizer));
      continue;
    }
    if (!e.rows.empty()) {
      // Tables by rows, the header row (and rule) repeated in every part.
      std::size_t first = 2;
      while (first < e.rows.size()) {
        std::size_t end = first + 1;
        while (end < e.rows.size() && tokenizer.Count(Body(e, first, end + 1)) <= budget) ++end;
        chunks.push_back(MakeChunk(e, Body(e, first, end), tokenizer));
        first = end;
      }
      continue;
    }
    for (auto& piece : SplitText(whole, budget, tokenizer)) {
      chunks.push_back(MakeChunk(e, std::move(piece), tokenizer));
    }
  }
  if (!options.merge_peers) return chunks;
  std::vector<Chunk> merged;
  for (auto& c : chunks) {
    if (!merged.empty() && merged.back().headings == c.headings && c.captions.empty() &&
        merged.back().captions.empty()) {
      Chunk& last = merged.back();
      std::size_t context = 0;
      for (const auto& h : c.headings) context += tokenizer.Count(h) + 1;
      const std::string joined = last.text + "\n" + c.text;
      const std::size_t tokens = tokenizer.Count(joined);
      if (tokens + context <= options.max_tokens) {
        last.text = joined;
        last.tokens = tokens;
        for (const auto& i : c.items) {
          if (std::find(last.items.begin(), last.items.end(), i) == last.items.end()) {
            last.items.push_back(i);
          }
        }
        for (int p : c.pages) {
          if (std::find(last.pages.begin(), last.pages.end(), p) == last.pages.end()) {
            last.pages.push_back(p);
          }
        }
        continue;
      }
    }
    merged.push_back(std::move(c));
  }
  return merged;
}

boost::json::value ToJson(const std::vector<Chunk>& chunks, std::string_view tokenizer_name) {
  boost::json::array out;
  for (const auto& c : chunks) {
    boost::json::array headings(c.headings.begin(), c.headings.end());
    boost::json::array captions(c.captions.begin(), c.captions.end());
    boost::json::array pages(c.pages.begin(), c.pages.end());
    boost::json::array items(c.items.begin(), c.items.end());
    out.push_back(boost::json::object{{"text", c.text},
                                      {"headings", std::move(headings)},
                                      {"captions", std::move(captions)},
                                      {"pages", std::move(pages)},
                                      {"items", std::move(items)},
                                      {"tokens", c.tokens}});
  }
  return boost::json::object{{"tokenizer", tokenizer_name}, {"chunks", std::move(out)}};
}

}  // namespace ferry::document
