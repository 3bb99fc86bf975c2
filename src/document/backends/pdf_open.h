// Opening a PDF with poppler-cpp, for the PDF backend (pdf.cc) and page images
// (pdf_page_image.cc): the checks both make before touching a page (a %PDF- header, a structure
// poppler can read, the password, at least one page and at most max_pages), with one wording
// for their errors. Poppler's own diagnostics on stderr are silenced: the errors say it all.
//
// Thread-safety: OpenPdf may run on many threads at once; an OpenedPdf belongs to one.
#pragma once

#include <poppler/cpp/poppler-document.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/result.h"

namespace ferry::document::pdf {

struct OpenedPdf {
  std::vector<char> data;  // poppler reads from it for the document's whole life: declared first
  std::unique_ptr<poppler::document> document;
  int pages = 0;
};

// `name` names the file in the errors (kInvalidParams), which name the `password` argument when
// the document is locked.
Result<OpenedPdf> OpenPdf(std::string_view bytes, const std::string& password, int max_pages,
                          const std::string& name);

}  // namespace ferry::document::pdf
