// Exporters of a Document: Markdown in Docling's style, plain text, HTML, and DoclingDocument JSON
// (valid against Docling's schema). Each is a pure function of the document.
//
// Thread-safety: the functions only read the document; call them from any thread.
#pragma once

#include <cstddef>
#include <string>

#include <boost/json.hpp>

#include "document/document.h"

namespace ferry::document {

struct MarkdownOptions {
  // Escape '_' in text as "\_" (Docling does), not in code.
  bool escape_underscores = true;
  // Cut the output at this many bytes (0: no cut), at a block boundary where possible, and say so.
  std::size_t max_size = 0;
};

std::string ToMarkdown(const Document& doc, const MarkdownOptions& options = {});
// Plain text: the same blocks as Markdown without markup.
std::string ToText(const Document& doc);
// A standalone HTML page.
std::string ToHtml(const Document& doc);
// DoclingDocument JSON (schema_name "DoclingDocument", version 1.10.0).
boost::json::value ToDoclingJson(const Document& doc);

}  // namespace ferry::document
