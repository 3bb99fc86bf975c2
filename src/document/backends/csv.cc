#include "document/backends/csv.h"

#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "document/memory_budget.h"

namespace ferry::document {
namespace {

// Splits records; calls on_field(text) and on_record() as it goes. Returns false on an
// unterminated quote.
template <typename OnField, typename OnRecord>
bool Scan(std::string_view text, char delimiter, OnField on_field, OnRecord on_record,
          std::size_t max_records = SIZE_MAX) {
  std::string field;
  bool quoted = false;
  bool in_quotes = false;
  bool any = false;  // the current record has content
  std::size_t records = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = any = true;
    } else if (c == delimiter) {
      on_field(std::move(field));
      field.clear();
      quoted = false;
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        on_field(std::move(field));
        on_record();
        if (++records >= max_records) return true;
      }
      field.clear();
      quoted = any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (in_quotes) return false;
  if (any || !field.empty()) {
    on_field(std::move(field));
    on_record();
  }
  return true;
}

}  // namespace

char DetectCsvDelimiter(std::string_view text) {
  constexpr std::array<char, 4> kCandidates = {',', ';', '\t', '|'};
  constexpr std::size_t kSample = 20;  // lines
  char best = ',';
  double best_score = 0;
  for (char d : kCandidates) {
    std::vector<std::size_t> counts;
    std::size_t fields = 0;
    Scan(
        text, d, [&](std::string&&) { ++fields; },
        [&] {
          counts.push_back(fields);
          fields = 0;
        },
        kSample);
    if (counts.empty()) continue;
    // The most common field count, and how many lines have it.
    std::map<std::size_t, std::size_t> freq;
    for (auto n : counts) ++freq[n];
    const auto mode = std::max_element(freq.begin(), freq.end(), [](auto& a, auto& b) {
      return a.second < b.second || (a.second == b.second && a.first < b.first);
    });
    if (mode->first < 2) continue;  // the delimiter does not split the lines
    const double consistency = static_cast<double>(mode->second) / counts.size();
    const double score = consistency * 1000 + static_cast<double>(mode->first);
    if (score > best_score) {
      best_score = score;
      best = d;
    }
  }
  return best;
}

Result<Document> ParseCsv(std::string_view text, std::string name, Origin origin,
                          std::size_t max_cells) {
  // A UTF-8 byte order mark is not content.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const char delimiter = DetectCsvDelimiter(text);
  std::vector<std::vector<std::string>> rows(1);
  std::size_t cells = 0;
  bool too_big = false;
  const bool ok = Scan(
      text, delimiter,
      [&](std::string&& f) {
        if (++cells > max_cells || !MemoryBudget::Charge(sizeof(std::string) + f.size())) {
          too_big = true;
          return;
        }
        rows.back().push_back(std::move(f));
      },
      [&] { rows.emplace_back(); });
  if (!ok) return Fail(ErrorCode::kInvalidParams, "malformed CSV: a quoted field is never closed");
  if (too_big) {
    return Fail(ErrorCode::kInvalidParams,
                "CSV table too large: more than " + std::to_string(max_cells) + " cells");
  }
  if (rows.back().empty()) rows.pop_back();

  Document doc(std::move(name), std::move(origin));
  if (rows.empty()) return doc;
  TableItem table;
  table.num_rows = static_cast<int>(rows.size());
  for (const auto& r : rows) table.num_cols = std::max(table.num_cols, static_cast<int>(r.size()));
  table.cells.reserve(rows.size() * static_cast<std::size_t>(table.num_cols));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      TableCell cell;
      cell.text = std::move(rows[r][c]);
      cell.start_row = static_cast<int>(r);
      cell.end_row = cell.start_row + 1;
      cell.start_col = static_cast<int>(c);
      cell.end_col = cell.start_col + 1;
      cell.column_header = r == 0;
      table.cells.push_back(std::move(cell));
    }
  }
  doc.AddTable(kBodyRef, std::move(table));
  return doc;
}

}  // namespace ferry::document
