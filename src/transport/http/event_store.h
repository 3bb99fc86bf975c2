// Resumable SSE streams for the Streamable HTTP transport (MCP 2025-11-25, "Resumability and
// Redelivery"): the server numbers the events it sends on each SSE stream, keeps them for a while,
// and replays those after a client's Last-Event-ID on the stream that was disconnected, and only
// on that stream.
//
// EventStore is the interface (an in-memory store here; SQLite or Redis ones can follow).
//
// Streams belong to sessions. A stream is named by (session id, stream id): the session id is the
// Mcp-Session-Id the transport issued (empty without session management), the stream id is any
// name the transport picks that is unique within the session (one per POST response stream, one
// for the GET stream...). DropSession frees everything a session held (DELETE, expiry);
// DropStream one stream (a response stream whose request finished and was fully delivered).
//
// Event ids are "<stream id>:<sequence>": the stream id, a colon, then the event's position in
// its stream as a decimal number without leading zeros, starting at 1 ("post-7:1", "post-7:2",
// ...). Stream ids may themselves contain colons: the sequence is after the last one. Stream ids
// are unique within a session, so the ids are unique across all streams of the session, as the
// spec requires, and each is a cursor within its own stream. The session is not part of the id:
// ReplayAfter takes it separately, so a client can only ever replay its own session's streams.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ferry/result.h"

namespace ferry::transport::http {

struct StoredEvent {
  std::string id;       // the SSE `id:` field
  std::string message;  // the SSE `data:` payload (one JSON-RPC message), as appended

  bool operator==(const StoredEvent&) const = default;
};

// What ReplayAfter hands back: the stream the id belongs to (the transport resumes it) and the
// events after the id, oldest first (empty when the client missed nothing).
struct Replay {
  std::string stream_id;
  std::vector<StoredEvent> events;
};

class EventStore {
 public:
  virtual ~EventStore() = default;

  // Stores `message` as the next event of the stream (created on first use) and returns its id.
  // An empty message is allowed (the priming event the spec suggests sending first). Errors:
  // kInvalidParams for an invalid stream or session id (see ValidateStreamId).
  virtual Result<std::string> Append(std::string_view session_id, std::string_view stream_id,
                                     std::string message) = 0;

  // The events of the stream named by `last_event_id` that follow it, within `session_id`.
  // Errors: kInvalidRequest for an id that does not parse; kNotFound when the session has no such
  // stream (never created, dropped, or forgotten), when the id was never issued, or when events
  // after it have been evicted (the message says which): the client cannot resume without loss.
  virtual Result<Replay> ReplayAfter(std::string_view session_id,
                                     std::string_view last_event_id) = 0;

  // Forgets one stream, or every stream of a session. Unknown names are ignored.
  virtual void DropStream(std::string_view session_id, std::string_view stream_id) = 0;
  virtual void DropSession(std::string_view session_id) = 0;
};

// "<stream_id>:<sequence>".
std::string FormatEventId(std::string_view stream_id, std::uint64_t sequence);

struct EventIdParts {
  std::string_view stream_id;  // a view into the parsed id
  std::uint64_t sequence = 0;
};

// Splits an event id at its last colon. kInvalidRequest unless it is a valid stream id, ':', and
// a decimal sequence without leading zeros that fits in 64 bits ("0" is accepted: "before the
// first event").
Result<EventIdParts> ParseEventId(std::string_view event_id);

// Stream ids: 1 to 256 visible ASCII characters (0x21-0x7E), so ids are valid SSE `id:` values
// and HTTP header values. Session ids: the same, or empty. kInvalidParams otherwise.
Result<void> ValidateStreamId(std::string_view stream_id);
Result<void> ValidateSessionId(std::string_view session_id);

struct InMemoryEventStoreOptions {
  std::size_t max_total_bytes = 64 * 1024 * 1024;  // all streams together
  std::size_t max_stream_bytes = 4 * 1024 * 1024;  // one stream
  std::size_t max_streams = 10000;                 // stream records, including emptied ones
};

// An EventStore in memory, bounded by bytes and streams.
//
// Each event costs its message's size plus kEventOverhead bytes (so empty events are not free).
// Eviction is oldest first:
//   * a stream over max_stream_bytes loses its own oldest events;
//   * the store over max_total_bytes loses the oldest events of all streams (global append order);
//   * a message whose cost alone exceeds either cap is not kept, yet still gets its id (the
//     transport can send it as usual) and counts as evicted: the stream's older events are
//     dropped too, since replaying them would skip it;
//   * a new stream beyond max_streams makes the store forget the least recently used stream (by
//     append or replay) entirely.
// A stream whose events were all evicted keeps its record, so replay after an evicted id reports
// the eviction instead of skipping events; only a forgotten or dropped stream is unknown.
//
// Thread-safety: every method takes `mutex_`, which guards all the members below it. Appends and
// drops are O(log streams); a replay copies the events it returns.
class InMemoryEventStore final : public EventStore {
 public:
  static constexpr std::size_t kEventOverhead = 64;

  struct Stats {
    std::size_t events = 0;    // events held
    std::size_t bytes = 0;     // their cost (message bytes + kEventOverhead each)
    std::size_t streams = 0;   // stream records
    std::size_t sessions = 0;  // sessions with at least one stream
    std::uint64_t appended = 0;
    std::uint64_t evicted = 0;            // events lost to the caps (not to drops)
    std::uint64_t forgotten_streams = 0;  // streams dropped to respect max_streams
  };

  explicit InMemoryEventStore(InMemoryEventStoreOptions options = {});
  ~InMemoryEventStore() override;
  InMemoryEventStore(const InMemoryEventStore&) = delete;
  InMemoryEventStore& operator=(const InMemoryEventStore&) = delete;

  Result<std::string> Append(std::string_view session_id, std::string_view stream_id,
                             std::string message) override;
  Result<Replay> ReplayAfter(std::string_view session_id, std::string_view last_event_id) override;
  void DropStream(std::string_view session_id, std::string_view stream_id) override;
  void DropSession(std::string_view session_id) override;

  Stats stats() const;

 private:
  struct Event {
    std::uint64_t sequence;
    std::uint64_t order;  // global append order, for oldest-first eviction across streams
    std::string message;
  };
  struct Stream {
    std::string session_id;
    std::string stream_id;
    std::deque<Event> events;  // contiguous sequences first_retained .. next_sequence-1
    std::uint64_t next_sequence = 1;
    std::uint64_t first_retained = 1;  // == next_sequence when events is empty
    std::size_t bytes = 0;
    std::list<Stream*>::iterator lru;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using StreamMap =
      std::unordered_map<std::string, std::unique_ptr<Stream>, StringHash, std::equal_to<>>;

  Stream* FindStream(std::string_view session_id, std::string_view stream_id);
  Stream& CreateStream(std::string_view session_id, std::string_view stream_id);
  void EvictFront(Stream& stream);
  void RemoveStream(Stream& stream);  // frees its events and record; counts nothing

  const InMemoryEventStoreOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, StreamMap, StringHash, std::equal_to<>> sessions_;
  std::map<std::uint64_t, Stream*> oldest_;  // order of each non-empty stream's first event
  std::list<Stream*> lru_;                   // least recently used stream first
  std::uint64_t next_order_ = 0;
  std::size_t stream_count_ = 0;
  std::size_t total_events_ = 0;
  std::size_t total_bytes_ = 0;
  std::uint64_t appended_ = 0;
  std::uint64_t evicted_ = 0;
  std::uint64_t forgotten_streams_ = 0;
};

}  // namespace ferry::transport::http
