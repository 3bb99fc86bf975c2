#include "tools/documents/document_store.h"

#include <vector>

namespace ferry::tools::documents {

DocumentStore::DocumentStore(std::size_t budget_bytes,
                             std::function<void(const std::string&)> on_evict)
    : budget_(budget_bytes), on_evict_(std::move(on_evict)) {}

std::size_t DocumentStore::EstimateBytes(const document::Document& doc) {
  std::size_t n = sizeof(document::Document) + doc.name.size();
  auto node = [](const document::NodeBase& b) {
    return b.children.size() * sizeof(document::Ref) + b.prov.size() * sizeof(document::Provenance);
  };
  for (const auto& t : doc.texts) {
    n += sizeof(t) + t.text.size() + t.orig.size() + t.hyperlink.size() + node(t);
  }
  for (const auto& t : doc.tables) {
    n += sizeof(t) + node(t);
    for (const auto& c : t.cells) n += sizeof(c) + c.text.size();
  }
  for (const auto& p : doc.pictures) n += sizeof(p) + p.uri.size() + node(p);
  for (const auto& g : doc.groups) n += sizeof(g) + g.name.size() + node(g);
  return n;
}

bool DocumentStore::Put(const std::string& key, std::shared_ptr<const document::Document> doc) {
  const std::size_t size = EstimateBytes(*doc);
  if (size > budget_) return false;
  std::vector<std::string> evicted;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(key); it != entries_.end()) {
      bytes_ -= it->second.bytes;
      lru_.erase(it->second.lru);
      entries_.erase(it);
    }
    while (bytes_ + size > budget_ && !lru_.empty()) {
      const std::string victim = lru_.back();
      lru_.pop_back();
      auto it = entries_.find(victim);
      bytes_ -= it->second.bytes;
      entries_.erase(it);
      evicted.push_back(victim);
    }
    lru_.push_front(key);
    entries_.emplace(key, Entry{std::move(doc), size, lru_.begin()});
    bytes_ += size;
  }
  if (on_evict_) {
    for (const auto& k : evicted) on_evict_(k);
  }
  return true;
}

std::shared_ptr<const document::Document> DocumentStore::Get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.doc;
}

bool DocumentStore::Contains(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return entries_.count(key) > 0;
}

std::size_t DocumentStore::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t DocumentStore::count() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace ferry::tools::documents
