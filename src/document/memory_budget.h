// MemoryBudget: how much memory one conversion may use for what it builds (documents.max_memory),
// counted in estimated bytes. ConvertBytes opens a MemoryBudget::Scope on its thread; the
// Document builders charge every item and string they add, and backends charge the large
// intermediates they build before the Document sees them (parsed XML and HTML trees, table cells).
// Once the limit is passed, Charge returns false, backends stop early, and ConvertBytes fails the
// conversion with an error naming the limit instead of letting one hostile file take the process.
//
// The budget is per thread because a conversion runs on one thread from start to end; without a
// Scope (a Document built by a test, an editing tool) nothing is counted and Charge returns true.
//
// Thread-safety: each thread sees only its own budget.
#pragma once

#include <cstddef>

namespace ferry::document {

class MemoryBudget {
 public:
  // Makes a budget of `limit` bytes current on this thread until destroyed (scopes nest).
  class Scope {
   public:
    explicit Scope(std::size_t limit);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

    std::size_t used() const { return used_; }
    bool exceeded() const { return used_ > limit_; }

   private:
    friend class MemoryBudget;
    std::size_t limit_;
    std::size_t used_ = 0;
    Scope* outer_;
  };

  // Adds `bytes` to the current budget; false once it is over its limit (true without a Scope).
  static bool Charge(std::size_t bytes);
  // Whether the current budget is over its limit (false without a Scope).
  static bool Exceeded();
};

}  // namespace ferry::document
