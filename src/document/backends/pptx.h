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

#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "document/backends/zip_archive.h"
#include "document/document.h"
#include "ferry/result.h"

namespace ferry::document {

Result<Document> ParsePptx(std::string_view bytes, std::string name, Origin origin,
                           const ZipLimits& limits = {});

// Office Open XML helpers the XLSX backend shares (drawings and charts are the same DrawingML in
// both formats).
namespace pptx_xlsx {

// The local part of an XML name ("p:sp" -> "sp").
std::string_view LocalName(const char* name);
// The first child element with this local name (any namespace prefix), or null.
pugi::xml_node Child(pugi::xml_node node, std::string_view local);
// An attribute by exact name without prefix ("id"), or, with `prefixed`, by local name under any
// prefix ("r:id", "r:embed").
pugi::xml_attribute Attr(pugi::xml_node node, std::string_view local, bool prefixed = false);

struct Relationship {
  std::string type;    // the last segment of the type URI ("image", "slide", "chart", ...)
  std::string target;  // resolved against the source part, or as written when external
  bool external = false;
};
using Relationships = std::map<std::string, Relationship>;
// The relationships of `part` (its _rels/<name>.rels), empty when it has none.
Relationships ReadRelationships(ZipArchive& zip, std::string_view part);
// The target of the package's officeDocument relationship, or `fallback`.
std::string MainPart(ZipArchive& zip, std::string_view fallback);

// [Content_Types].xml: the declared type of each part.
class ContentTypes {
 public:
  explicit ContentTypes(ZipArchive& zip);
  // The declared content type, "" when the package does not say.
  std::string Of(std::string_view part) const;

 private:
  std::map<std::string, std::string> defaults_;   // by lower-case extension
  std::map<std::string, std::string> overrides_;  // by part name without the leading '/'
};

// A picture's image when `rel_id` names an embedded image part (present in the archive and not
// declared as something other than an image); nullopt otherwise.
std::optional<PictureItem> EmbeddedPicture(ZipArchive& zip, const Relationships& rels,
                                           const ContentTypes& types, std::string_view rel_id);

// A number as Excel's General format shows it: integers without a decimal point, others with at
// most 15 significant digits, very large or small ones in scientific notation ("1.5E+20").
std::string FormatGeneralNumber(double value);
// The same for a number written as text; the text itself when it is not a number.
std::string FormatGeneralNumber(std::string_view text);

// Adds the chart in `chart_part` under `parent`: a picture captioned with the chart's title, then
// a table of the chart's cached data (categories down the first column, one column per series)
// captioned with the chart's kind. Returns false when the part is missing or unreadable (nothing
// is added).
bool AddChart(Document& doc, Ref parent, ZipArchive& zip, std::string_view chart_part,
              const std::vector<Provenance>& prov);

}  // namespace pptx_xlsx
}  // namespace ferry::document
