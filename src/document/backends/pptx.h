// PowerPoint (.pptx, Office Open XML) input, read into a Document the way Docling reads slides:
//   - slides in presentation order (ppt/presentation.xml's sldIdLst through its relationships),
//     each a group (label chapter, name "slide-0", "slide-1", ... as Docling names them) and a
//     Page (page_no = slide number, size from sldSz in points); every item's provenance is its
//     slide and its shape's box in points (top-left origin);
//   - a slide's shapes in reading order: by their top edge, shapes whose tops lie within 2% of the
//     slide height forming one row read left to right; group shapes keep their own order inside;
//     placeholders without a position take it from their layout or master;
//   - title placeholders (type title / ctrTitle) become the slide's title; date, footer, header
//     and slide-number placeholders go to the furniture;
//   - paragraphs become text, or list items when their bullet (a:buChar, a:buAutoNum, a:buBlip,
//     from the paragraph, the shape's list style, the layout and master placeholders or the
//     master's text styles; a:buNone stops) says so; consecutive items form one list, nested by
//     their level (lvl); numbered items get "1.", "2.", ... from their startAt;
//   - tables (a:tbl) keep gridSpan / rowSpan (hMerge / vMerge cells are covered), their first
//     row the column header;
//   - pictures become pictures when their image is embedded in the file (a dangling or external
//     link, a missing blip or a part not typed as an image is skipped);
//   - charts become a picture, captioned with the chart's title, followed by a table of the
//     chart's cached data captioned with its kind ("Bar chart");
//   - comments (legacy and modern) become "[author: Name (IN), time: ...]: text" texts in a group
//     "comment-slideN-idx" inside the slide; speaker notes become furniture text (kept out of the
//     Markdown, as Docling keeps them out);
//   - SmartArt, OLE objects, audio and video are skipped.
// Hostile input is an error, never a crash: corrupt, truncated or non-ZIP bytes, parts over the
// ZipLimits, malformed XML in the presentation part. A slide that cannot be read is skipped with
// a warning in doc.warnings.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "document/backends/zip_archive.h"
#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

Result<Document> ParsePptx(std::string_view bytes, std::string name, Origin origin,
                           const ZipLimits& limits = {});

}  // namespace ferry::document
