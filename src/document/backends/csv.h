// CSV (and TSV, semicolon- and pipe-separated) input: one table, its first row the column
// headers. The delimiter is detected from the first lines: the candidate (, ; tab |) that splits
// them into the same number of fields, most often and into the most fields, outside quotes.
// Quoting follows RFC 4180 ("" inside quotes is a quote; quoted fields may hold delimiters and
// line breaks). Short rows are padded with empty cells.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

// The detected delimiter of `text` (',' when nothing fits better).
char DetectCsvDelimiter(std::string_view text);

// `max_cells` bounds the table (rows x columns) against hostile input.
Result<Document> ParseCsv(std::string_view text, std::string name, Origin origin,
                          std::size_t max_cells = 10'000'000);

}  // namespace ferry::document
