// Word (.docx, Office Open XML) input: the main document part (found through the package's
// officeDocument relationship), its styles, numbering and relationships, read into a Document the
// way Docling reads Word files:
//   - paragraph styles Title and Heading N (by name, or by outline level) become the title and
//     section headers, and the content after a heading nests under it;
//   - numbered paragraphs (w:numPr, directly or through their style) become list items, nested by
//     level, "1.", "2." counted per list and level from the numbering's start values, "-" for
//     bullets; checkbox content controls become "[x]" / "[ ]" checklist items;
//   - runs keep bold, italic, underline, strike-through, sub/superscript and hyperlinks: a
//     paragraph whose runs differ becomes an inline group of differently formatted parts;
//   - tables keep column (gridSpan) and row (vMerge) spans, the first row and w:tblHeader rows are
//     column headers, a cell's paragraphs and nested tables become its text; a table of one cell
//     is a frame, its content read as if it stood outside it;
//   - pictures (DrawingML and VML) become pictures, charts a picture followed by a table of their
//     data, text boxes their paragraphs; "Caption" paragraphs next to a table or picture become
//     its caption;
//   - paragraphs in a code style ("Source Code", "HTML Preformatted", ...), or set wholly in a
//     monospaced font and looking like code, become code blocks (consecutive ones merged);
//   - equations (OMML) become formulas in LaTeX-like linear text (inline ones stay in their
//     paragraph's inline group, equations standing alone are formulas of their own);
//   - page headers, footers and footnotes go to the furniture tree as page_header, page_footer and
//     footnote texts (out of the Markdown); their pictures, endnotes and comments are skipped.
// Hostile input is an error, never a crash: corrupt, truncated or non-ZIP bytes, encrypted (OLE)
// files, parts over the ZipLimits, malformed XML in the main part. Nesting (tables in tables, text
// boxes, content controls) deeper than 64 levels is cut with a warning in doc.warnings.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "document/backends/zip_archive.h"
#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

Result<Document> ParseDocx(std::string_view bytes, std::string name, Origin origin,
                           const ZipLimits& limits = {});

}  // namespace ferry::document
