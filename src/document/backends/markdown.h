// Markdown input (CommonMark with GitHub's tables, strikethrough and autolinks, parsed by md4c):
// headings (# is the title, ## a level-1 section header, ...), paragraphs with inline formatting
// and links, nested lists, code blocks, tables, images as pictures with their alt text as caption,
// block quotes as their paragraphs. Raw HTML blocks are kept as text.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

Result<Document> ParseMarkdown(std::string_view text, std::string name, Origin origin);

}  // namespace ferry::document
