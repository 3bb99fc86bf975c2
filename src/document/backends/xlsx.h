// Excel (.xlsx, .xlsm, Office Open XML) input, read into a Document the way Docling reads
// workbooks:
//   - sheets in workbook order (xl/workbook.xml through its relationships), each a group (label
//     sheet, named as the sheet) opening with a level-1 section header of the sheet's name, and a
//     Page (page_no = sheet number, width and height in cells: the columns and rows the sheet's
//     data and drawings reach); hidden sheets go to the furniture tree (out of the Markdown);
//   - a sheet's tables are its connected regions of non-empty cells (4-neighbour flood fill, a
//     merged range counting as filled), each region's bounding box one table, its first row the
//     column header, merged ranges spanning cells; regions are found row by row, left to right;
//   - cell values: shared strings (rich text runs concatenated, phonetic runs left out), inline
//     strings, formula strings, booleans (TRUE / FALSE), errors (#N/A, ...) and numbers as
//     Excel's General format shows them (integers without ".0", at most 15 significant digits);
//     numbers whose style is a date or time format become "YYYY-MM-DD HH:MM:SS" / "HH:MM:SS"
//     (1900 and 1904 date systems); formulas without a cached value are empty;
//   - drawings: embedded pictures become pictures, charts a picture captioned with the chart's
//     title followed by a table of its cached data captioned with its kind, text boxes their
//     paragraphs; tables and drawings are ordered by their top-left cell;
//   - comments (legacy notes and threaded comments with their replies) become
//     "[author: Name, time: ...]: text" texts in a group "comment-<sheet>-<cell>" after the
//     sheet's tables.
// Bounded work: worksheets and shared strings are read by a streaming scanner (no DOM), the
// declared dimension is ignored, cells are stored sparsely, and a workbook with more than
// `max_cells` cells (merged ranges counted by area) is an error. Hostile input is an error, never
// a crash: corrupt, truncated or non-ZIP bytes, parts over the ZipLimits, malformed XML in the
// workbook or a worksheet.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "document/backends/zip_archive.h"
#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

Result<Document> ParseXlsx(std::string_view bytes, std::string name, Origin origin,
                           const ZipLimits& limits = {}, std::size_t max_cells = 5'000'000);

}  // namespace ferry::document
