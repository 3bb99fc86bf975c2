#include "document/memory_budget.h"

namespace ferry::document {
namespace {
thread_local MemoryBudget::Scope* current = nullptr;
}  // namespace

MemoryBudget::Scope::Scope(std::size_t limit) : limit_(limit), outer_(current) { current = this; }

MemoryBudget::Scope::~Scope() { current = outer_; }

bool MemoryBudget::Charge(std::size_t bytes) {
  if (!current) return true;
  current->used_ += bytes;
  return !current->exceeded();
}

bool MemoryBudget::Exceeded() { return current && current->exceeded(); }

}  // namespace ferry::document
