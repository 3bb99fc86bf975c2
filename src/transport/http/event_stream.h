// EventStream: the messages of one MCP stream over HTTP, between the session that produces them
// (worker threads, through protocol::Outbound) and the connection that writes them (a coroutine on
// an I/O thread). Two kinds:
//   - a request stream carries the answer to one POST and the messages sent while serving it; in
//     `auto` response mode it stays plain JSON unless something precedes the answer, then becomes
//     server-sent events (SSE);
//   - a standalone stream carries a session's messages that belong to no request (GET /mcp, and the
//     legacy /sse stream).
// Once a stream speaks SSE every message gets an event id from the EventStore ("<stream>:<seq>",
// see event_store.h) and is kept there, so a client that lost its connection can resume with
// Last-Event-ID.
//
// Slow clients: at most sse.max_queue_size messages wait for a connection. Past that the stream
// detaches its connection (which then closes) and keeps storing, so nothing is lost that the event
// store can hold; the client resumes with Last-Event-ID. Without an event store the overflowing
// messages are dropped and counted.
//
// Thread-safety: all methods are safe from any thread; mutex_ guards the state. The consumer is
// woken through the callback it attached, which must post to its own executor.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/session.h"
#include "telemetry/metrics.h"
#include "transport/http/event_store.h"

namespace ferry::transport::http {

// How a stream wakes the connection that drains it (the callback must post to the connection's
// executor). Shared, so attaching a stream to a connection copies a pointer, not a closure.
using WakeFn = std::shared_ptr<const std::function<void()>>;
inline WakeFn MakeWake(std::function<void()> fn) {
  return std::make_shared<const std::function<void()>>(std::move(fn));
}

// One SSE event: "id: <id>\ndata: <data>\n\n" (plus "event: <name>" when named).
std::string FormatSseEvent(std::string_view id, std::string_view data, std::string_view event = {});

class EventStream final : public protocol::Outbound,
                          public std::enable_shared_from_this<EventStream> {
 public:
  enum class Kind { kRequest, kStandalone };

  struct Item {
    std::string id;    // empty while the stream is not SSE
    std::string data;  // one JSON-RPC message
    bool final = false;
  };

  // `store` may be null (no resumability). `sse` starts the stream in SSE mode (response_mode
  // `sse`, standalone streams).
  // `retry` is the reconnection advice of the priming event; `dropped` (may be null) counts
  // messages lost to a slow client when no store could keep them.
  EventStream(std::string session_id, std::string id, Kind kind,
              std::shared_ptr<EventStore> store, std::size_t max_queue, bool sse,
              std::chrono::milliseconds retry = std::chrono::milliseconds(1000),
              telemetry::Counter* dropped = nullptr);

  // Producer side (protocol::Outbound). On a standalone stream Respond is an ordinary message
  // and Unanswered does nothing: the stream outlives any one request.
  void Send(std::string message) override;
  void Respond(std::string message) override;
  void Unanswered() override;

  // Consumer side. Attach installs the wake-up callback (false if a connection is attached
  // already); Detach forgets it (the connection went away). Attaching an SSE stream with a store
  // creates its priming event (see TakePriming).
  bool Attach(WakeFn wake);
  void Detach();
  // Attaches a resuming connection: the stored events after `last_event_id` are queued first,
  // atomically with respect to new messages, so none is missed or sent twice.
  Result<void> Resume(std::string_view last_event_id, WakeFn wake);

  // Switches to SSE: the priming event is stored first, then queued messages get event ids and
  // are stored. Idempotent.
  void StartSse();
  // How a request stream's connection should answer, judged from what is queued: kWait while
  // nothing is, kJson when the answer comes first (a plain JSON response), kSse otherwise (and the
  // stream switches to SSE).
  enum class Mode { kWait, kJson, kSse };
  Mode Decide();
  // The priming event the spec asks for when an SSE stream opens, to be written before anything
  // else: `retry` advice and an event id (stored as an empty event, ahead of every message, so
  // Last-Event-ID can point at it) with empty data. Empty without a store or once taken.
  std::string TakePriming();
  // Ends the stream (session over): the consumer finishes after what is queued.
  void Close();
  bool attached() const;

  // Takes what is queued. `finished` becomes true once the final item was taken (or the request
  // went unanswered); `overflowed` when the queue overflowed and the consumer must close.
  struct Batch {
    std::vector<Item> items;
    bool finished = false;
    bool unanswered = false;
    bool overflowed = false;
  };
  Batch Take();

  // True when nothing is queued and the stream is not finished (the consumer may wait).
  bool Idle() const;
  bool sse() const;
  bool done() const;  // the final message was produced (taken or not)
  const std::string& id() const { return id_; }
  Kind kind() const { return kind_; }

 private:
  void Push(std::string message, bool final);  // call with mutex_ held
  void Prime();                                // call with mutex_ held
  void Wake();                                 // call without mutex_ held

  const std::string session_id_;
  const std::string id_;
  const Kind kind_;
  const std::shared_ptr<EventStore> store_;
  const std::size_t max_queue_;
  const std::chrono::milliseconds retry_;

  mutable std::mutex mutex_;  // guards every field below
  bool sse_;
  bool attached_ = false;
  bool overflowed_ = false;
  bool final_produced_ = false;
  bool final_taken_ = false;
  bool unanswered_ = false;
  bool closed_ = false;
  std::string priming_;
  // Taken whole by Take, so a vector: a deque allocates its map even when empty, and a stream
  // is created per request.
  std::vector<Item> queue_;
  WakeFn wake_;
  telemetry::Counter* const dropped_;
};

}  // namespace ferry::transport::http
