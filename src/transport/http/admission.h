// Admission control for the HTTP transport: how many connections may be open at once
// (ConnectionLimiter) and how many requests each client may make per time window (RateLimiter).
// Both are independent of the HTTP library: the transport asks, then answers 503 (connections)
// or 429 with Retry-After (rate).
//
// Thread-safety: ConnectionLimiter is lock-free; RateLimiter is sharded, each shard guarded by its
// own mutex (Shard::mutex), the overflow bucket a lone atomic. All methods are safe from any
// thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/result.h"

namespace ferry::transport::http {

// ---------------------------------------------------------------------------------------------
// ConnectionLimiter
// ---------------------------------------------------------------------------------------------

// Caps the number of open connections. The transport calls TryAcquire when it accepts a socket
// and keeps the ticket for the connection's lifetime; without a ticket it closes the socket (or
// answers 503 Service Unavailable first).
//
// Thread-safety: lock-free (one atomic counter, compare-and-swap so open() never overshoots the
// cap). The limiter must outlive its tickets.
class ConnectionLimiter {
 public:
  // An open connection's place. Movable, not copyable; gives the place back when destroyed.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept : limiter_(std::exchange(other.limiter_, nullptr)) {}
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { Release(); }

    // Gives the place back now (idempotent).
    void Release();

   private:
    friend class ConnectionLimiter;
    explicit Ticket(ConnectionLimiter* limiter) : limiter_(limiter) {}
    ConnectionLimiter* limiter_;
  };

  // max_connections <= 0 means no limit (connections are still counted).
  explicit ConnectionLimiter(int max_connections) : max_(max_connections) {}

  // A ticket, or nothing when max_connections are open.
  std::optional<Ticket> TryAcquire();

  // Connections holding a ticket now.
  int open() const { return open_.load(std::memory_order_relaxed); }
  int max_connections() const { return max_; }

 private:
  const int max_;
  std::atomic<int> open_{0};
};

// ---------------------------------------------------------------------------------------------
// RateLimiter
// ---------------------------------------------------------------------------------------------

struct RateLimitOptions {
  int requests = 0;  // requests per window and per client (also the burst); <= 0: no limit
  std::chrono::milliseconds window{std::chrono::seconds(60)};
  std::size_t max_clients = 10000;  // clients tracked at once (memory bound), at least 1
};

// kInvalidConfig for a limit with a window that is not positive, or max_clients of 0.
Result<void> ValidateRateLimitOptions(const RateLimitOptions& options);

// A token bucket per client: a client may make `requests` requests at once (the burst) and then
// one every window/requests, i.e. `requests` per window in the long run. Implemented as GCRA
// (the "virtual scheduling" form of a token bucket): each client costs one 64-bit
// "theoretical arrival time" (TAT), so a check is a hash lookup and a few integer operations.
//
// Client keys are opaque strings: a remote address (use RateLimitKeyForAddress, which folds an
// IPv6 address to its /64 so a host cannot rotate through its 2^64 addresses), or an
// authenticated identity (BearerAuth::Authenticate). Never key on address:port.
//
// Memory is bounded by max_clients (about 150 bytes each plus the key). Policy:
//   * A bucket that has refilled completely (TAT <= now) is the same as no bucket, so forgetting
//     it loses nothing. Each shard keeps its clients in least-recently-used order; every check
//     forgets up to 8 such idle buckets from the cold end, and a client unseen for one whole
//     window is always idle.
//   * When a new client arrives and its shard is full of buckets that are still refilling, the
//     newcomer is not tracked: it shares one overflow bucket (same rate and burst) with every
//     other untracked client. Tracked clients keep their state, so an attacker cycling through
//     client ids can neither grow memory nor evict (and thereby reset) anyone's bucket, and all
//     its untracked ids together get one client's rate. The cost: while the table is saturated,
//     legitimate newcomers share that overflow bucket too.
//
// Thread-safety: Check is safe from any thread. Clients are spread over 16 shards by hash, each
// with its own mutex; the overflow bucket is one atomic updated by compare-and-swap.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  struct Decision {
    bool allowed = true;
    int retry_after_seconds = 0;  // when refused: seconds until one request is allowed (>= 1)
  };

  struct Stats {
    std::size_t tracked_clients = 0;
    std::uint64_t allowed = 0;
    std::uint64_t refused = 0;
    std::uint64_t overflow_checks = 0;  // checks of untracked clients (the table was full)
    std::uint64_t reclaimed_idle = 0;   // idle buckets forgotten
  };

  explicit RateLimiter(RateLimitOptions options);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Counts one request of `client` at `now` (inject the time in tests; the transport passes
  // Clock::now()). Always allowed when the limit is off (requests <= 0 or invalid options).
  Decision Check(std::string_view client, Clock::time_point now);
  Decision Check(std::string_view client) { return Check(client, Clock::now()); }

  bool enabled() const { return interval_ns_ > 0; }
  Stats stats() const;

 private:
  struct Shard;

  // One GCRA step on `tat`; returns the decision and updates `tat` when allowed.
  Decision Step(std::int64_t& tat, std::int64_t now) const;
  Decision CheckOverflow(std::int64_t now);

  std::int64_t interval_ns_ = 0;   // emission interval T = window / requests
  std::int64_t tolerance_ns_ = 0;  // T * burst: how far ahead of now a TAT may run
  std::size_t shard_capacity_ = 0;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::int64_t> overflow_tat_{std::numeric_limits<std::int64_t>::min()};
  std::atomic<std::uint64_t> allowed_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> overflow_checks_{0};
  std::atomic<std::uint64_t> reclaimed_{0};
};

// The rate-limit key for a remote address in text form: an IPv4 address as it is, an IPv6
// address as its /64 prefix ("2001:db8:1:2::/64"), an IPv4-mapped IPv6 address as the IPv4
// address. Brackets are accepted. Anything else is returned unchanged.
std::string RateLimitKeyForAddress(std::string_view address);

}  // namespace ferry::transport::http
