#include "transport/http/admission.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <list>
#include <unordered_map>

namespace ferry::transport::http {

// ----- ConnectionLimiter ------------------------------------------------------------------------

ConnectionLimiter::Ticket& ConnectionLimiter::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    Release();
    limiter_ = std::exchange(other.limiter_, nullptr);
  }
  return *this;
}

void ConnectionLimiter::Ticket::Release() {
  if (limiter_ != nullptr) {
    limiter_->open_.fetch_sub(1, std::memory_order_acq_rel);
    limiter_ = nullptr;
  }
}

std::optional<ConnectionLimiter::Ticket> ConnectionLimiter::TryAcquire() {
  int current = open_.load(std::memory_order_relaxed);
  do {
    if (max_ > 0 && current >= max_) return std::nullopt;
  } while (!open_.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel,
                                        std::memory_order_relaxed));
  return Ticket(this);
}

// ----- RateLimiter ------------------------------------------------------------------------------

namespace {

constexpr std::size_t kShards = 16;
constexpr int kReclaimPerCheck = 8;

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

int CeilSeconds(std::int64_t ns) {
  constexpr std::int64_t kSecond = 1'000'000'000;
  std::int64_t seconds = (ns + kSecond - 1) / kSecond;
  return static_cast<int>(std::clamp<std::int64_t>(seconds, 1, std::numeric_limits<int>::max()));
}

}  // namespace

// One slice of the client table. Guarded by `mutex`: clients, lru.
struct RateLimiter::Shard {
  struct Entry {
    std::int64_t tat;                             // theoretical arrival time, ns
    std::list<const std::string*>::iterator lru;  // this client's place in `lru`
  };

  std::mutex mutex;
  std::size_t capacity = 0;
  std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>> clients;
  std::list<const std::string*> lru;  // keys (owned by `clients`), least recently checked first

  // Forgets up to `limit` idle buckets (TAT <= now) from the cold end. Returns how many.
  int ReclaimIdle(std::int64_t now, int limit) {
    int reclaimed = 0;
    while (reclaimed < limit && !lru.empty()) {
      auto it = clients.find(*lru.front());
      if (it->second.tat > now) break;
      lru.pop_front();
      clients.erase(it);
      ++reclaimed;
    }
    return reclaimed;
  }
};

Result<void> ValidateRateLimitOptions(const RateLimitOptions& options) {
  if (options.requests > 0 && options.window.count() <= 0) {
    return Fail(ErrorCode::kInvalidConfig, "the rate limit window must be positive");
  }
  if (options.max_clients == 0) {
    return Fail(ErrorCode::kInvalidConfig, "the rate limiter must track at least one client");
  }
  return {};
}

RateLimiter::RateLimiter(RateLimitOptions options) {
  if (options.requests <= 0 || !ValidateRateLimitOptions(options)) return;  // no limit
  std::int64_t window_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options.window).count();
  interval_ns_ = std::max<std::int64_t>(1, window_ns / options.requests);
  tolerance_ns_ = interval_ns_ * options.requests;

  std::size_t shard_count = std::min(kShards, options.max_clients);
  for (std::size_t i = 0; i < shard_count; ++i) {
    auto shard = std::make_unique<Shard>();
    shard->capacity = options.max_clients / shard_count + (i < options.max_clients % shard_count);
    shard->clients.reserve(shard->capacity);  // no rehash on the hot path
    shards_.push_back(std::move(shard));
  }
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Decision RateLimiter::Step(std::int64_t& tat, std::int64_t now) const {
  std::int64_t new_tat = std::max(tat, now) + interval_ns_;
  if (new_tat - now > tolerance_ns_) {
    return Decision{.allowed = false,
                    .retry_after_seconds = CeilSeconds(new_tat - tolerance_ns_ - now)};
  }
  tat = new_tat;
  return Decision{};
}

RateLimiter::Decision RateLimiter::CheckOverflow(std::int64_t now) {
  std::int64_t current = overflow_tat_.load(std::memory_order_relaxed);
  while (true) {
    std::int64_t tat = current;
    Decision decision = Step(tat, now);
    if (!decision.allowed) return decision;
    if (overflow_tat_.compare_exchange_weak(current, tat, std::memory_order_relaxed)) {
      return decision;
    }
  }
}

RateLimiter::Decision RateLimiter::Check(std::string_view client, Clock::time_point now) {
  if (!enabled()) {
    allowed_.fetch_add(1, std::memory_order_relaxed);
    return Decision{};
  }
  const std::int64_t t =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  // The map hashes with the low bits; pick the shard with the high bits of a mixed hash.
  std::size_t hash = KeyHash{}(client);
  Shard& shard =
      *shards_[((static_cast<std::uint64_t>(hash) * 0x9E3779B97F4A7C15ull) >> 32) % shards_.size()];

  Decision decision;
  bool overflow = false;
  int reclaimed = 0;
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.clients.find(client);
    if (it != shard.clients.end()) {
      decision = Step(it->second.tat, t);
      shard.lru.splice(shard.lru.end(), shard.lru, it->second.lru);
      reclaimed = shard.ReclaimIdle(t, kReclaimPerCheck);  // never this client: its TAT > t
    } else {
      reclaimed = shard.ReclaimIdle(t, kReclaimPerCheck);
      if (shard.clients.size() < shard.capacity) {
        auto [inserted, ok] = shard.clients.emplace(
            std::string(client), Shard::Entry{std::numeric_limits<std::int64_t>::min(), {}});
        shard.lru.push_back(&inserted->first);
        inserted->second.lru = std::prev(shard.lru.end());
        decision = Step(inserted->second.tat, t);
      } else {
        overflow = true;
      }
    }
  }
  if (overflow) {
    overflow_checks_.fetch_add(1, std::memory_order_relaxed);
    decision = CheckOverflow(t);
  }
  if (reclaimed > 0) reclaimed_.fetch_add(reclaimed, std::memory_order_relaxed);
  (decision.allowed ? allowed_ : refused_).fetch_add(1, std::memory_order_relaxed);
  return decision;
}

RateLimiter::Stats RateLimiter::stats() const {
  Stats stats;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    stats.tracked_clients += shard->clients.size();
  }
  stats.allowed = allowed_.load(std::memory_order_relaxed);
  stats.refused = refused_.load(std::memory_order_relaxed);
  stats.overflow_checks = overflow_checks_.load(std::memory_order_relaxed);
  stats.reclaimed_idle = reclaimed_.load(std::memory_order_relaxed);
  return stats;
}

// ----- RateLimitKeyForAddress -------------------------------------------------------------------

std::string RateLimitKeyForAddress(std::string_view address) {
  std::string_view text = address;
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN + 32) return std::string(address);
  std::string host(text.substr(0, text.find('%')));  // drop an IPv6 zone ("fe80::1%eth0")
  char buffer[INET6_ADDRSTRLEN];

  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    if (inet_ntop(AF_INET, &v4, buffer, sizeof(buffer)) != nullptr) return buffer;
    return std::string(address);
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) != 1) return std::string(address);
  static constexpr std::uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6.s6_addr, kMappedPrefix, sizeof(kMappedPrefix)) == 0) {
    std::memcpy(&v4, v6.s6_addr + 12, 4);
    if (inet_ntop(AF_INET, &v4, buffer, sizeof(buffer)) != nullptr) return buffer;
    return std::string(address);
  }
  std::memset(v6.s6_addr + 8, 0, 8);
  if (inet_ntop(AF_INET6, &v6, buffer, sizeof(buffer)) == nullptr) return std::string(address);
  return std::string(buffer) + "/64";
}

}  // namespace ferry::transport::http
