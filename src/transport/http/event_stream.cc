#include "transport/http/event_stream.h"

#include "common/log.h"

namespace ferry::transport::http {

std::string FormatSseEvent(std::string_view id, std::string_view data, std::string_view event) {
  std::string out;
  out.reserve(data.size() + id.size() + event.size() + 24);
  if (!event.empty()) {
    out.append("event: ").append(event).push_back('\n');
  }
  if (!id.empty()) out.append("id: ").append(id).push_back('\n');
  // A data line may not contain a newline: split (serialized JSON has none, but be exact).
  std::size_t start = 0;
  for (;;) {
    const std::size_t nl = data.find('\n', start);
    out.append("data: ").append(data.substr(start, nl - start)).push_back('\n');
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out.push_back('\n');
  return out;
}

EventStream::EventStream(std::string session_id, std::string id, Kind kind,
                         std::shared_ptr<EventStore> store, std::size_t max_queue, bool sse,
                         std::chrono::milliseconds retry, telemetry::Counter* dropped)
    : session_id_(std::move(session_id)),
      id_(std::move(id)),
      kind_(kind),
      store_(std::move(store)),
      max_queue_(std::max<std::size_t>(max_queue, 1)),
      retry_(retry),
      sse_(sse),
      dropped_(dropped) {}

void EventStream::Push(std::string message, bool final) {
  Item item{{}, std::move(message), final};
  if (sse_ && store_) {
    if (auto id = store_->Append(session_id_, id_, item.data)) {
      item.id = std::move(*id);
    } else {
      Log().warn("event store refused an event of stream {}: {}", id_, id.error().message);
    }
  }
  if (final) final_produced_ = true;
  // Not SSE yet: the consumer decides JSON or SSE from what it finds queued, so keep everything.
  if (!sse_ || (attached_ && !overflowed_ && queue_.size() < max_queue_)) {
    queue_.push_back(std::move(item));
    return;
  }
  if (attached_ && !overflowed_) {
    // A slow client: detach it (the consumer closes the connection); the store keeps the events.
    overflowed_ = true;
  }
  if (item.id.empty() && dropped_) dropped_->Inc();
}

void EventStream::Wake() {
  WakeFn wake;
  {
    std::lock_guard lock(mutex_);
    wake = wake_;
  }
  if (wake) (*wake)();
}

void EventStream::Send(std::string message) {
  {
    std::lock_guard lock(mutex_);
    if (final_produced_) return;  // nothing follows the answer on a request stream
    Push(std::move(message), false);
  }
  Wake();
}

void EventStream::Respond(std::string message) {
  {
    std::lock_guard lock(mutex_);
    if (final_produced_) return;
    Push(std::move(message), kind_ == Kind::kRequest);
  }
  Wake();
}

void EventStream::Unanswered() {
  if (kind_ == Kind::kStandalone) return;
  {
    std::lock_guard lock(mutex_);
    unanswered_ = true;
    final_produced_ = true;
  }
  Wake();
}

void EventStream::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  Wake();
}

void EventStream::Prime() {
  if (!store_) return;
  if (auto id = store_->Append(session_id_, id_, "")) {
    priming_ = "retry: " + std::to_string(retry_.count()) + "\n" + FormatSseEvent(*id, "");
  }
}

bool EventStream::Attach(WakeFn wake) {
  std::lock_guard lock(mutex_);
  if (attached_) return false;
  attached_ = true;
  overflowed_ = false;
  wake_ = std::move(wake);
  if (sse_) Prime();
  return true;
}

void EventStream::Detach() {
  std::lock_guard lock(mutex_);
  attached_ = false;
  wake_ = nullptr;
  if (sse_) {
    // Stored events stay replayable; the live queue is for the connection that left.
    queue_.clear();
  }
}

Result<void> EventStream::Resume(std::string_view last_event_id, WakeFn wake) {
  std::lock_guard lock(mutex_);
  if (attached_) {
    return Fail(ErrorCode::kInvalidRequest, "stream " + id_ + " already has a connection");
  }
  if (!store_) return Fail(ErrorCode::kNotFound, "this server keeps no events to replay");
  auto replay = store_->ReplayAfter(session_id_, last_event_id);
  if (!replay) return Fail(replay.error());
  queue_.clear();
  for (auto& e : replay->events) {
    // The final answer of a request stream is the last event stored for it.
    queue_.push_back(Item{std::move(e.id), std::move(e.message), false});
  }
  if (kind_ == Kind::kRequest && final_produced_ && !queue_.empty() && !unanswered_) {
    queue_.back().final = true;
  }
  final_taken_ = false;
  sse_ = true;
  attached_ = true;
  overflowed_ = false;
  wake_ = std::move(wake);
  return {};
}

EventStream::Mode EventStream::Decide() {
  {
    std::lock_guard lock(mutex_);
    if (sse_) return Mode::kSse;
    if (queue_.empty()) return unanswered_ ? Mode::kJson : Mode::kWait;
    if (queue_.front().final) return Mode::kJson;
  }
  StartSse();
  return Mode::kSse;
}

void EventStream::StartSse() {
  std::lock_guard lock(mutex_);
  if (sse_) return;
  sse_ = true;
  if (!store_) return;
  Prime();
  for (auto& item : queue_) {
    if (auto id = store_->Append(session_id_, id_, item.data)) item.id = std::move(*id);
  }
}

std::string EventStream::TakePriming() {
  std::lock_guard lock(mutex_);
  return std::exchange(priming_, std::string());
}

bool EventStream::attached() const {
  std::lock_guard lock(mutex_);
  return attached_;
}

EventStream::Batch EventStream::Take() {
  std::lock_guard lock(mutex_);
  Batch batch;
  batch.overflowed = overflowed_;
  batch.items.swap(queue_);  // everything queued, in order
  for (const auto& item : batch.items) {
    if (item.final) final_taken_ = true;
  }
  batch.unanswered = unanswered_;
  batch.finished = final_taken_ || ((unanswered_ || closed_) && queue_.empty());
  return batch;
}

bool EventStream::Idle() const {
  std::lock_guard lock(mutex_);
  return queue_.empty() && !overflowed_ && !(unanswered_ || final_taken_ || closed_);
}

bool EventStream::sse() const {
  std::lock_guard lock(mutex_);
  return sse_;
}

bool EventStream::done() const {
  std::lock_guard lock(mutex_);
  return final_produced_;
}

}  // namespace ferry::transport::http
