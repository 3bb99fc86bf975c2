// AsciiDoc input: section titles (= title, == level 1, ...), paragraphs (lines joined), nested
// lists (*, **, -, ., .., 1.; nesting also by indentation), delimited tables (|=== with cell
// specifiers such as ^.^h| removed; the first row is the header) and one-line tables (|a|b|),
// block titles (.Caption) as captions of the next table or image, images (image::x[alt]), listing
// and literal blocks (---- and ....) as code, and inline *bold*, _italic_ and `mono` marks dropped
// from the text. Attribute lines, block attributes ([...]) and comments are skipped.
//
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

Result<Document> ParseAsciiDoc(std::string_view text, std::string name, Origin origin);

}  // namespace ferry::document
