#include "document/backends/pdf_open.h"

#include <poppler/cpp/poppler-global.h>

#include <limits>
#include <mutex>

namespace ferry::document::pdf {
namespace {
void Silence(const std::string&, void*) {}
}  // namespace

Result<OpenedPdf> OpenPdf(std::string_view bytes, const std::string& password, int max_pages,
                          const std::string& name) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { poppler::set_debug_error_function(Silence, nullptr); });
  if (bytes.substr(0, 1024).find("%PDF-") == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidParams, name + ": not a PDF (no %PDF- header)");
  }
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Fail(ErrorCode::kInvalidParams, name + ": PDF too large");
  }
  OpenedPdf pdf;
  pdf.data.assign(bytes.begin(), bytes.end());
  pdf.document.reset(poppler::document::load_from_raw_data(
      pdf.data.data(), static_cast<int>(pdf.data.size()), password, password));
  if (!pdf.document) {
    return Fail(ErrorCode::kInvalidParams,
                name + ": corrupt or truncated PDF (cannot read its structure)");
  }
  if (pdf.document->is_locked()) {
    return Fail(ErrorCode::kInvalidParams,
                name + (password.empty()
                            ? ": the PDF is encrypted: give its password in the `password` argument"
                            : ": the PDF is encrypted and the `password` argument is wrong"));
  }
  pdf.pages = pdf.document->pages();
  if (pdf.pages <= 0) {
    return Fail(ErrorCode::kInvalidParams, name + ": corrupt or truncated PDF (no pages)");
  }
  if (pdf.pages > max_pages) {
    return Fail(ErrorCode::kInvalidParams,
                name + ": " + std::to_string(pdf.pages) + " pages exceeds the limit of " +
                    std::to_string(max_pages) + " (max_pages)");
  }
  return pdf;
}

}  // namespace ferry::document::pdf
