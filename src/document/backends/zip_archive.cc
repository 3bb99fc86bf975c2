#include "document/backends/zip_archive.h"

#include <zip.h>

#include <algorithm>
#include <vector>

#include "document/memory_budget.h"

namespace ferry::document {
namespace {
// What one parsed XML node costs in pugixml, for the memory budget.
constexpr std::size_t kXmlNodeBytes = 64;
}  // namespace

struct ZipArchive::Impl {
  zip_t* zip = nullptr;
  ZipLimits limits;
  std::size_t total_read = 0;
  ~Impl() {
    if (zip) zip_discard(zip);
  }
};

ZipArchive::ZipArchive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ZipArchive::ZipArchive(ZipArchive&&) noexcept = default;
ZipArchive& ZipArchive::operator=(ZipArchive&&) noexcept = default;
ZipArchive::~ZipArchive() = default;

Result<ZipArchive> ZipArchive::Open(std::string_view bytes, ZipLimits limits) {
  if (bytes.empty()) return Fail(ErrorCode::kInvalidParams, "empty file (no ZIP archive)");
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) {
    std::string message = zip_error_strerror(&error);
    zip_error_fini(&error);
    return Fail(ErrorCode::kInvalidParams, "not a readable ZIP archive: " + message);
  }
  zip_t* zip = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!zip) {
    zip_source_free(source);
    std::string message = zip_error_strerror(&error);
    zip_error_fini(&error);
    return Fail(ErrorCode::kInvalidParams,
                "corrupt or truncated document (not a valid ZIP archive: " + message + ")");
  }
  zip_error_fini(&error);
  auto impl = std::make_unique<Impl>();
  impl->zip = zip;
  impl->limits = limits;
  const zip_int64_t entries = zip_get_num_entries(zip, 0);
  if (entries < 0 || static_cast<std::size_t>(entries) > limits.max_entries) {
    return Fail(ErrorCode::kInvalidParams,
                "the archive has " + std::to_string(entries) + " entries, more than the limit of " +
                    std::to_string(limits.max_entries) + " (a zip bomb?)");
  }
  return ZipArchive(std::move(impl));
}

bool ZipArchive::Has(std::string_view name) const {
  return zip_name_locate(impl_->zip, std::string(name).c_str(), 0) >= 0;
}

std::vector<std::string> ZipArchive::Names() const {
  std::vector<std::string> names;
  const zip_int64_t n = zip_get_num_entries(impl_->zip, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    if (const char* name = zip_get_name(impl_->zip, static_cast<zip_uint64_t>(i), 0)) {
      names.emplace_back(name);
    }
  }
  return names;
}

Result<std::string> ZipArchive::Read(std::string_view name) {
  const std::string part(name);
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(impl_->zip, part.c_str(), 0, &st) != 0) {
    return Fail(ErrorCode::kNotFound, "the document has no part " + part);
  }
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
    return Fail(ErrorCode::kInvalidParams, "the document is encrypted (part " + part + ")");
  }
  const auto& limits = impl_->limits;
  // The declared size may lie: reading stops at the limit whatever it says.
  if ((st.valid & ZIP_STAT_SIZE) && st.size > limits.max_part_bytes) {
    return Fail(ErrorCode::kInvalidParams,
                "part " + part + " inflates to " + std::to_string(st.size) +
                    " bytes, more than the limit of " + std::to_string(limits.max_part_bytes) +
                    " (a zip bomb?)");
  }
  zip_file_t* file = zip_fopen(impl_->zip, part.c_str(), 0);
  if (!file) {
    return Fail(ErrorCode::kInvalidParams,
                "cannot read part " + part + ": " + zip_strerror(impl_->zip));
  }
  std::string out;
  char buffer[64 * 1024];
  for (;;) {
    const zip_int64_t n = zip_fread(file, buffer, sizeof(buffer));
    if (n < 0) {
      std::string message = zip_file_strerror(file);
      zip_fclose(file);
      return Fail(ErrorCode::kInvalidParams, "corrupt part " + part + ": " + message);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    impl_->total_read += static_cast<std::size_t>(n);
    if (out.size() > limits.max_part_bytes || impl_->total_read > limits.max_total_bytes) {
      zip_fclose(file);
      return Fail(ErrorCode::kInvalidParams,
                  "the document inflates beyond the limit of " +
                      std::to_string(out.size() > limits.max_part_bytes ? limits.max_part_bytes
                                                                        : limits.max_total_bytes) +
                      " bytes (a zip bomb?)");
    }
  }
  zip_fclose(file);
  return out;
}

Result<std::unique_ptr<pugi::xml_document>> ZipArchive::ReadXml(std::string_view name) {
  auto bytes = Read(name);
  if (!bytes) return Fail(bytes.error());
  // pugixml's tree costs about one node per '<' on top of the text it keeps.
  const auto tags = static_cast<std::size_t>(std::count(bytes->begin(), bytes->end(), '<'));
  if (!MemoryBudget::Charge(bytes->size() + tags * kXmlNodeBytes)) {
    return Fail(ErrorCode::kInvalidParams, "part " + std::string(name) + " is too large to parse "
                                           "within the conversion's memory budget");
  }
  auto doc = std::make_unique<pugi::xml_document>();
  // parse_default without DOCTYPE handling: entities a DTD declares are never expanded.
  const auto result = doc->load_buffer(bytes->data(), bytes->size(),
                                       pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (!result) {
    return Fail(ErrorCode::kInvalidParams, "malformed XML in part " + std::string(name) + ": " +
                                               result.description() + " at byte " +
                                               std::to_string(result.offset));
  }
  return doc;
}

std::string ResolvePartPath(std::string_view from_part, std::string_view target) {
  if (!target.empty() && target.front() == '/') return std::string(target.substr(1));
  std::vector<std::string> parts;
  const auto slash = from_part.rfind('/');
  std::string_view dir = slash == std::string_view::npos ? "" : from_part.substr(0, slash);
  auto push = [&](std::string_view path) {
    while (!path.empty()) {
      const auto s = path.find('/');
      const std::string_view seg = path.substr(0, s);
      if (seg == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!seg.empty() && seg != ".") {
        parts.emplace_back(seg);
      }
      if (s == std::string_view::npos) break;
      path.remove_prefix(s + 1);
    }
  };
  push(dir);
  push(target);
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace ferry::document
