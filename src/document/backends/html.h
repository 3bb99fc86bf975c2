// HTML input: parses HTML5 with gumbo (browser-grade error recovery, so malformed markup still
// converts) and maps it to a Document the way Docling's HTML backend does: h1 becomes the title and
// h2..h6 section headers at levels 1..5, with later content nested under them; paragraphs and
// other blocks become text items, or inline groups when their runs differ in formatting (bold,
// italic, strikethrough, underline, sub/superscript, inline code, links); pre becomes a code block
// kept verbatim; ul/ol become list groups (ordered items numbered from `start`, nested lists under
// their item); tables become TableItems on a grid honouring rowspan and colspan; img and figure
// become pictures, captioned by figcaption or alt text. The <title> goes to the furniture; script,
// style, templates and `hidden` elements are dropped. Text is whitespace-normalized.
//
// Hostile input: nesting deeper than a bound is flattened (the markup past it is dropped, its text
// kept) before gumbo sees it, and the tree is walked with a bounded recursion, so neither stack
// nor time blow up; doc.warnings says when that happened. Empty input gives an empty Document.
//
// Thread-safety: a pure function; convert many documents from many threads at once.
#pragma once

#include <string>
#include <string_view>

#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

Result<Document> ParseHtml(std::string_view html, std::string name, Origin origin);

}  // namespace ferry::document
