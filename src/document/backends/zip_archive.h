// ZipArchive: read-only access to the parts of an Office Open XML file (DOCX, PPTX, XLSX are ZIP
// archives of XML parts), through libzip, with the caps that make hostile archives harmless:
// at most `max_entries` entries, at most `max_part_bytes` uncompressed per part and
// `max_total_bytes` in total across the parts read (zip bombs declare or inflate to gigabytes).
// XML parts are parsed with pugixml, which never loads external entities and does not expand
// entities a DTD declares (no "billion laughs").
//
// Thread-safety: one archive per thread; distinct archives are independent.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "ferry/result.h"

namespace ferry::document {

struct ZipLimits {
  std::size_t max_entries = 10'000;
  std::size_t max_part_bytes = 256 * 1024 * 1024;
  std::size_t max_total_bytes = 1024 * 1024 * 1024;
};

class ZipArchive {
 public:
  // Opens an archive held in memory (the bytes must outlive the archive).
  static Result<ZipArchive> Open(std::string_view bytes, ZipLimits limits = {});
  // A temporary string would be gone before the archive is read.
  static Result<ZipArchive> Open(std::string&& bytes, ZipLimits limits = {}) = delete;
  ZipArchive(ZipArchive&&) noexcept;
  ZipArchive& operator=(ZipArchive&&) noexcept;
  ~ZipArchive();

  bool Has(std::string_view name) const;
  std::vector<std::string> Names() const;
  // A part's bytes; an error when it is missing, corrupt, encrypted or over the limits.
  Result<std::string> Read(std::string_view name);
  // A part parsed as XML.
  Result<std::unique_ptr<pugi::xml_document>> ReadXml(std::string_view name);

 private:
  struct Impl;
  explicit ZipArchive(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Resolves a relationship target against the directory of the part that names it
// ("word/document.xml" + "media/image1.png" -> "word/media/image1.png"; "/ppt/x" is absolute).
std::string ResolvePartPath(std::string_view from_part, std::string_view target);

}  // namespace ferry::document
