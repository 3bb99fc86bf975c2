// DraftStore: the documents agents are building or editing (drafts), by key. A draft is a
// DocumentBuilder: its Document and its open lists. Unlike converted documents (DocumentStore),
// drafts are never evicted, since an agent's work must not silently vanish: there are at most
// `max_drafts` (documents.max_drafts) and discard_document removes one. A draft may not grow past
// `max_bytes` (documents.max_file_size, as DocumentStore::EstimateBytes counts): an edit that
// would is undone and fails.
//
// Keys are "draft-" and 16 hex digits from a random source, so they never collide with the
// content hashes that name converted documents, and cannot be guessed from a document.
//
// Thread-safety: all methods are safe from any thread. mutex_ guards the table; each Draft's
// mutex guards its builder, so edits of one draft are serialized (each sees the one before) while
// different drafts are edited in parallel.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "document/edit.h"
#include "ferry/result.h"

namespace ferry::tools::documents {

class DraftStore {
 public:
  DraftStore(std::size_t max_drafts, std::size_t max_bytes);

  // Whether `key` has the shape of a draft's key.
  static bool IsDraftKey(std::string_view key);

  // Makes `doc` a new draft and returns its key; fails at max_drafts or when `doc` is too large.
  Result<std::string> Create(document::Document doc);
  // Removes a draft; kNotFound when there is none.
  Result<void> Discard(const std::string& key);
  bool Contains(const std::string& key) const;
  std::size_t count() const;
  std::size_t max_drafts() const { return max_drafts_; }

  // A copy of the draft's document as it is now (later edits do not change it), or null.
  std::shared_ptr<const document::Document> Snapshot(const std::string& key) const;

  // Runs `edit(DocumentBuilder&) -> Result<T>` on the draft, alone. A failed edit, or one that
  // leaves the draft over max_bytes, is rolled back and fails; kNotFound when there is no draft.
  template <typename Fn>
  std::invoke_result_t<Fn, document::DocumentBuilder&> Edit(const std::string& key, Fn&& edit);

  // Runs `read(const Document&) -> Result<T>` on the draft with no edit running.
  template <typename Fn>
  std::invoke_result_t<Fn, const document::Document&> Read(const std::string& key, Fn&& read) const;

 private:
  struct Draft {
    explicit Draft(document::Document doc) : builder(std::move(doc)) {}
    std::mutex mutex;  // guards builder and discarded
    document::DocumentBuilder builder;
    bool discarded = false;  // removed while an edit waited for the lock
  };

  std::shared_ptr<Draft> Find(const std::string& key) const;
  static Error NotFound(const std::string& key);
  // Fails (naming the limit) when the builder's document is over max_bytes.
  Result<void> CheckSize(const std::string& key, const document::DocumentBuilder& builder) const;

  const std::size_t max_drafts_;
  const std::size_t max_bytes_;
  mutable std::mutex mutex_;  // guards drafts_
  std::unordered_map<std::string, std::shared_ptr<Draft>> drafts_;
};

template <typename Fn>
std::invoke_result_t<Fn, document::DocumentBuilder&> DraftStore::Edit(const std::string& key,
                                                                      Fn&& edit) {
  auto draft = Find(key);
  if (!draft) return Fail(NotFound(key));
  std::lock_guard lock(draft->mutex);
  if (draft->discarded) return Fail(NotFound(key));
  auto result = std::forward<Fn>(edit)(draft->builder);
  if (!result) {
    draft->builder.Rollback();
    return result;
  }
  if (auto fits = CheckSize(key, draft->builder); !fits) {
    draft->builder.Rollback();
    return Fail(fits.error());
  }
  draft->builder.Commit();
  return result;
}

template <typename Fn>
std::invoke_result_t<Fn, const document::Document&> DraftStore::Read(const std::string& key,
                                                                     Fn&& read) const {
  auto draft = Find(key);
  if (!draft) return Fail(NotFound(key));
  std::lock_guard lock(draft->mutex);
  if (draft->discarded) return Fail(NotFound(key));
  return std::forward<Fn>(read)(draft->builder.document());
}

}  // namespace ferry::tools::documents
