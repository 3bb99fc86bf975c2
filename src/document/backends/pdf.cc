#include "document/backends/pdf.h"

namespace ferry::document {

Result<Document> ParsePdf(std::string_view, std::string, Origin, const PdfOptions&) {
  return Fail(ErrorCode::kInvalidParams, "pdf documents are not supported yet by this build");
}

}  // namespace ferry::document
