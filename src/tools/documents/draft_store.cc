#include "tools/documents/draft_store.h"

#include <cstdint>
#include <cstdio>
#include <random>

#include "tools/documents/document_store.h"

namespace ferry::tools::documents {
namespace {

constexpr std::string_view kDraftPrefix = "draft-";

std::string NewKey() {
  // Not guessable from anything an agent sees, unlike a counter or a content hash.
  std::random_device random;
  const std::uint64_t bits = (static_cast<std::uint64_t>(random()) << 32) ^ random();
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(bits));
  return std::string(kDraftPrefix) + hex;
}

}  // namespace

DraftStore::DraftStore(std::size_t max_drafts, std::size_t max_bytes)
    : max_drafts_(max_drafts), max_bytes_(max_bytes) {}

bool DraftStore::IsDraftKey(std::string_view key) {
  if (!key.starts_with(kDraftPrefix) || key.size() != kDraftPrefix.size() + 16) return false;
  for (char c : key.substr(kDraftPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Error DraftStore::NotFound(const std::string& key) {
  return Error(ErrorCode::kNotFound, "no draft with key " + key +
                                         " (create_document makes one; discard_document removes "
                                         "one)");
}

Result<void> DraftStore::CheckSize(const std::string& key,
                                   const document::DocumentBuilder& builder) const {
  const std::size_t bytes = DocumentStore::EstimateBytes(builder.document());
  if (bytes <= max_bytes_) return {};
  return Fail(ErrorCode::kInvalidParams, "draft " + key + " would be " + std::to_string(bytes) +
                                             " bytes, over documents.max_file_size (" +
                                             std::to_string(max_bytes_) +
                                             "): the edit was not made");
}

Result<std::string> DraftStore::Create(document::Document doc) {
  auto draft = std::make_shared<Draft>(std::move(doc));
  const std::size_t bytes = DocumentStore::EstimateBytes(draft->builder.document());
  if (bytes > max_bytes_) {
    return Fail(ErrorCode::kInvalidParams, "the document is " + std::to_string(bytes) +
                                               " bytes, over documents.max_file_size (" +
                                               std::to_string(max_bytes_) + "): too large to edit");
  }
  std::lock_guard lock(mutex_);
  if (drafts_.size() >= max_drafts_) {
    return Fail(ErrorCode::kInvalidParams,
                "documents.max_drafts (" + std::to_string(max_drafts_) +
                    ") drafts exist already: discard_document one that is no longer needed");
  }
  std::string key = NewKey();
  while (drafts_.contains(key)) key = NewKey();
  drafts_.emplace(key, std::move(draft));
  return key;
}

Result<void> DraftStore::Discard(const std::string& key) {
  std::shared_ptr<Draft> draft;
  {
    std::lock_guard lock(mutex_);
    auto it = drafts_.find(key);
    if (it == drafts_.end()) return Fail(NotFound(key));
    draft = std::move(it->second);
    drafts_.erase(it);
  }
  // An edit already holding the draft finishes first; one still waiting sees it gone.
  std::lock_guard lock(draft->mutex);
  draft->discarded = true;
  return {};
}

bool DraftStore::Contains(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return drafts_.contains(key);
}

std::size_t DraftStore::count() const {
  std::lock_guard lock(mutex_);
  return drafts_.size();
}

std::shared_ptr<DraftStore::Draft> DraftStore::Find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = drafts_.find(key);
  return it == drafts_.end() ? nullptr : it->second;
}

std::shared_ptr<const document::Document> DraftStore::Snapshot(const std::string& key) const {
  auto copy =
      Read(key, [](const document::Document& doc) -> Result<document::Document> { return doc; });
  return copy ? std::make_shared<const document::Document>(std::move(*copy)) : nullptr;
}

}  // namespace ferry::tools::documents
