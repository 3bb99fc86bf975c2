// Test-only helpers that write small PDFs by hand, for the tests of the PDF backend, page images
// and the tools that take PDFs: no fixture files, and every byte is known.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace ferry::document::testing {

// A minimal PDF: a catalog, a page tree, three standard fonts (/F1 Helvetica, /F2
// Helvetica-Bold, /F3 Times-Roman) and one content stream per page, with a cross-reference
// table of the objects' real byte offsets. `claimed_count` replaces the page tree's /Count when
// not negative; `media_box` is every page's /MediaBox.
inline std::string MakePdf(const std::vector<std::string>& pages, int claimed_count = -1,
                           const std::string& media_box = "0 0 612 792") {
  const int n = static_cast<int>(pages.size());
  std::vector<std::string> objects;  // object i + 1
  std::string kids;
  for (int i = 0; i < n; ++i) kids += std::to_string(6 + 2 * i) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " +
                    std::to_string(claimed_count >= 0 ? claimed_count : n) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>");
  for (int i = 0; i < n; ++i) {
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [" + media_box +
                      "] /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents " +
                      std::to_string(7 + 2 * i) + " 0 R >>");
    const std::string& c = pages[static_cast<std::size_t>(i)];
    objects.push_back("<< /Length " + std::to_string(c.size()) + " >>\nstream\n" + c +
                      "\nendstream");
  }
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (std::size_t off : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", off);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
         " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

// Content-stream operators: a filled black rectangle (PDF coordinates, origin bottom left), and
// one line of Helvetica text with its baseline at (x, y).
inline std::string FilledRect(double x, double y, double w, double h) {
  char s[96];
  std::snprintf(s, sizeof s, "0 g %g %g %g %g re f\n", x, y, w, h);
  return s;
}
inline std::string TextLine(double size, double x, double y, const std::string& text) {
  char head[96];
  std::snprintf(head, sizeof head, "BT /F1 %g Tf %g %g Td (", size, x, y);
  return head + text + ") Tj ET\n";
}

}  // namespace ferry::document::testing
