// Test helper: builds a ZIP archive in memory (for Office-file tests that generate their own
// fixtures, hostile ones included).
#pragma once

#include <zip.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ferry::document::testing {

inline std::string MakeZip(const std::vector<std::pair<std::string, std::string>>& parts) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(buffer);
  zip_t* zip = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (!zip) throw std::runtime_error("zip_open_from_source failed");
  for (const auto& [name, content] : parts) {
    // libzip reads the data at close time: copy it into a buffer it frees itself (an empty part
    // has no buffer at all: libzip does not free a zero-length one).
    void* data = nullptr;
    if (!content.empty()) {
      data = std::malloc(content.size());
      std::memcpy(data, content.data(), content.size());
    }
    zip_source_t* s = zip_source_buffer(zip, data, content.size(), data != nullptr);
    if (zip_file_add(zip, name.c_str(), s, ZIP_FL_OVERWRITE) < 0) {
      throw std::runtime_error("zip_file_add failed");
    }
  }
  if (zip_close(zip) != 0) throw std::runtime_error("zip_close failed");
  zip_source_open(buffer);
  zip_source_seek(buffer, 0, SEEK_END);
  const auto size = zip_source_tell(buffer);
  zip_source_seek(buffer, 0, SEEK_SET);
  std::string out(static_cast<std::size_t>(size), '\0');
  zip_source_read(buffer, out.data(), static_cast<zip_uint64_t>(size));
  zip_source_close(buffer);
  zip_source_free(buffer);
  return out;
}

}  // namespace ferry::document::testing
