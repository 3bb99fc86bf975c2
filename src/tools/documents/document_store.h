// DocumentStore: converted documents kept by key for later export, within a byte budget
// (documents.store_size), evicting the least recently used. A document's key is a hash of its
// content and the conversion options, never its path, so a changed file gets a new key and an
// unchanged one is found again whatever it is called.
//
// Thread-safety: all methods are safe from any thread; mutex_ guards the table and the LRU list.
// Documents are handed out as shared_ptr<const Document>: eviction never frees one in use.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "document/document.h"

namespace ferry::tools::documents {

class DocumentStore {
 public:
  // `on_evict` (may be empty) runs, outside the lock, for each key that leaves the store.
  explicit DocumentStore(std::size_t budget_bytes,
                         std::function<void(const std::string&)> on_evict = {});

  // Inserts or replaces; returns false (and keeps nothing) when the document alone exceeds the
  // budget.
  bool Put(const std::string& key, std::shared_ptr<const document::Document> doc);
  std::shared_ptr<const document::Document> Get(const std::string& key);  // null when absent
  bool Contains(const std::string& key) const;

  std::size_t bytes() const;
  std::size_t count() const;
  std::size_t budget() const { return budget_; }

  // What a document costs in the budget: its strings and items, estimated.
  static std::size_t EstimateBytes(const document::Document& doc);

 private:
  struct Entry {
    std::shared_ptr<const document::Document> doc;
    std::size_t bytes;
    std::list<std::string>::iterator lru;  // position in lru_
  };

  const std::size_t budget_;
  const std::function<void(const std::string&)> on_evict_;
  mutable std::mutex mutex_;  // guards entries_, lru_, bytes_
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_;  // most recent first
  std::size_t bytes_ = 0;
};

}  // namespace ferry::tools::documents
