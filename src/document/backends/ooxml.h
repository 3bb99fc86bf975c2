// Office Open XML helpers the PPTX and XLSX backends share: XML names matched by local name
// (any namespace prefix), package relationships and content types, embedded pictures, Excel's
// General number format, and DrawingML charts (the same markup in slides and sheets).
//
// Thread-safety: pure functions; a ContentTypes is immutable after construction.
#pragma once

#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "document/backends/zip_archive.h"
#include "document/document.h"

namespace ferry::document::ooxml {

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

// The text of a DrawingML paragraph (a:p): runs and fields, line breaks as spaces.
std::string ParagraphText(pugi::xml_node p);
// The paragraphs of a DrawingML text body (a:txBody, c:rich) joined by spaces, normalized.
std::string RichText(pugi::xml_node rich);

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

}  // namespace ferry::document::ooxml
