#include "transport/http/event_store.h"

#include <algorithm>
#include <iterator>

namespace ferry::transport::http {
namespace {

constexpr std::size_t kMaxIdLength = 256;

bool IsVisibleAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

// An id for an error message: ids are visible ASCII once validated; cap the length anyway.
std::string Quote(std::string_view id) {
  std::string out = "'";
  for (std::size_t i = 0; i < id.size() && i < 80; ++i) {
    char c = id[i];
    out += (c >= 0x20 && c <= 0x7e) ? c : '?';
  }
  if (id.size() > 80) out += "...";
  out += "'";
  return out;
}

}  // namespace

std::string FormatEventId(std::string_view stream_id, std::uint64_t sequence) {
  std::string id(stream_id);
  id += ':';
  id += std::to_string(sequence);
  return id;
}

Result<EventIdParts> ParseEventId(std::string_view event_id) {
  std::size_t colon = event_id.rfind(':');
  if (colon == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidRequest,
                "malformed event id " + Quote(event_id) + " (expected <stream>:<sequence>)");
  }
  EventIdParts parts;
  parts.stream_id = event_id.substr(0, colon);
  std::string_view digits = event_id.substr(colon + 1);
  bool valid_digits =
      !digits.empty() && digits.size() <= 20 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      (digits.size() == 1 || digits.front() != '0');
  std::uint64_t sequence = 0;
  if (valid_digits) {
    for (char c : digits) {
      std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
      if (sequence > (UINT64_MAX - digit) / 10) {
        valid_digits = false;
        break;
      }
      sequence = sequence * 10 + digit;
    }
  }
  if (!valid_digits || !ValidateStreamId(parts.stream_id)) {
    return Fail(ErrorCode::kInvalidRequest,
                "malformed event id " + Quote(event_id) + " (expected <stream>:<sequence>)");
  }
  parts.sequence = sequence;
  return parts;
}

Result<void> ValidateStreamId(std::string_view stream_id) {
  if (stream_id.empty() || stream_id.size() > kMaxIdLength || !IsVisibleAscii(stream_id)) {
    return Fail(ErrorCode::kInvalidParams,
                "invalid stream id " + Quote(stream_id) + " (1 to 256 visible ASCII characters)");
  }
  return {};
}

Result<void> ValidateSessionId(std::string_view session_id) {
  if (session_id.size() > kMaxIdLength || !IsVisibleAscii(session_id)) {
    return Fail(ErrorCode::kInvalidParams, "invalid session id " + Quote(session_id) +
                                               " (up to 256 visible ASCII characters)");
  }
  return {};
}

// ----- InMemoryEventStore -----------------------------------------------------------------------

InMemoryEventStore::InMemoryEventStore(InMemoryEventStoreOptions options) : options_(options) {}

InMemoryEventStore::~InMemoryEventStore() = default;

InMemoryEventStore::Stream* InMemoryEventStore::FindStream(std::string_view session_id,
                                                           std::string_view stream_id) {
  auto session = sessions_.find(session_id);
  if (session == sessions_.end()) return nullptr;
  auto stream = session->second.find(stream_id);
  return stream == session->second.end() ? nullptr : stream->second.get();
}

InMemoryEventStore::Stream& InMemoryEventStore::CreateStream(std::string_view session_id,
                                                             std::string_view stream_id) {
  while (stream_count_ >= std::max<std::size_t>(1, options_.max_streams) && !lru_.empty()) {
    Stream& victim = *lru_.front();
    evicted_ += victim.events.size();
    ++forgotten_streams_;
    RemoveStream(victim);
  }
  auto stream = std::make_unique<Stream>();
  stream->session_id = std::string(session_id);
  stream->stream_id = std::string(stream_id);
  lru_.push_back(stream.get());
  stream->lru = std::prev(lru_.end());
  Stream& ref = *stream;
  auto session = sessions_.find(session_id);
  if (session == sessions_.end()) {
    session = sessions_.emplace(std::string(session_id), StreamMap{}).first;
  }
  session->second.emplace(std::string(stream_id), std::move(stream));
  ++stream_count_;
  return ref;
}

void InMemoryEventStore::EvictFront(Stream& stream) {
  Event& front = stream.events.front();
  oldest_.erase(front.order);
  std::size_t cost = front.message.size() + kEventOverhead;
  stream.first_retained = front.sequence + 1;
  stream.bytes -= cost;
  total_bytes_ -= cost;
  --total_events_;
  ++evicted_;
  stream.events.pop_front();
  if (!stream.events.empty()) oldest_.emplace(stream.events.front().order, &stream);
}

void InMemoryEventStore::RemoveStream(Stream& stream) {
  if (!stream.events.empty()) oldest_.erase(stream.events.front().order);
  total_bytes_ -= stream.bytes;
  total_events_ -= stream.events.size();
  lru_.erase(stream.lru);
  --stream_count_;
  auto session = sessions_.find(stream.session_id);
  session->second.erase(session->second.find(stream.stream_id));  // destroys `stream`
  if (session->second.empty()) sessions_.erase(session);
}

Result<std::string> InMemoryEventStore::Append(std::string_view session_id,
                                               std::string_view stream_id, std::string message) {
  if (auto valid = ValidateSessionId(session_id); !valid) return Fail(std::move(valid.error()));
  if (auto valid = ValidateStreamId(stream_id); !valid) return Fail(std::move(valid.error()));

  std::lock_guard lock(mutex_);
  Stream* found = FindStream(session_id, stream_id);
  Stream& stream = found ? *found : CreateStream(session_id, stream_id);
  lru_.splice(lru_.end(), lru_, stream.lru);

  const std::uint64_t sequence = stream.next_sequence++;
  ++appended_;
  std::string id = FormatEventId(stream_id, sequence);
  const std::size_t cost = message.size() + kEventOverhead;

  if (cost > options_.max_stream_bytes || cost > options_.max_total_bytes) {
    // Too big to keep. Older events go too: a replay from before this one would skip it.
    while (!stream.events.empty()) EvictFront(stream);
    ++evicted_;
    stream.first_retained = sequence + 1;
    return id;
  }
  while (stream.bytes + cost > options_.max_stream_bytes) EvictFront(stream);

  const std::uint64_t order = next_order_++;
  if (stream.events.empty()) oldest_.emplace(order, &stream);
  stream.events.push_back(Event{sequence, order, std::move(message)});
  stream.bytes += cost;
  total_bytes_ += cost;
  ++total_events_;

  // The new event is the youngest of all, so it is evicted last; it fits (cost <= the cap).
  while (total_bytes_ > options_.max_total_bytes) EvictFront(*oldest_.begin()->second);
  return id;
}

Result<Replay> InMemoryEventStore::ReplayAfter(std::string_view session_id,
                                               std::string_view last_event_id) {
  auto parts = ParseEventId(last_event_id);
  if (!parts) return Fail(std::move(parts.error()));

  std::lock_guard lock(mutex_);
  Stream* stream = FindStream(session_id, parts->stream_id);
  if (stream == nullptr) {
    return Fail(ErrorCode::kNotFound,
                "unknown event id " + Quote(last_event_id) + ": this session has no stream " +
                    Quote(parts->stream_id) + " (never opened, ended, or expired)");
  }
  if (parts->sequence >= stream->next_sequence) {
    return Fail(ErrorCode::kNotFound, "unknown event id " + Quote(last_event_id) + ": stream " +
                                          Quote(parts->stream_id) + " has issued only " +
                                          std::to_string(stream->next_sequence - 1) + " events");
  }
  if (parts->sequence + 1 < stream->first_retained) {
    return Fail(ErrorCode::kNotFound, "cannot resume after event " + Quote(last_event_id) +
                                          ": events " + std::to_string(parts->sequence + 1) +
                                          " to " + std::to_string(stream->first_retained - 1) +
                                          " were evicted to bound memory");
  }
  lru_.splice(lru_.end(), lru_, stream->lru);

  Replay replay;
  replay.stream_id = stream->stream_id;
  std::size_t skip = static_cast<std::size_t>(parts->sequence + 1 - stream->first_retained);
  replay.events.reserve(stream->events.size() - skip);
  for (auto it = stream->events.begin() + static_cast<std::ptrdiff_t>(skip);
       it != stream->events.end(); ++it) {
    replay.events.push_back(
        StoredEvent{FormatEventId(stream->stream_id, it->sequence), it->message});
  }
  return replay;
}

void InMemoryEventStore::DropStream(std::string_view session_id, std::string_view stream_id) {
  std::lock_guard lock(mutex_);
  if (Stream* stream = FindStream(session_id, stream_id)) RemoveStream(*stream);
}

void InMemoryEventStore::DropSession(std::string_view session_id) {
  std::lock_guard lock(mutex_);
  auto session = sessions_.find(session_id);
  if (session == sessions_.end()) return;
  for (auto& [name, stream] : session->second) {
    if (!stream->events.empty()) oldest_.erase(stream->events.front().order);
    total_bytes_ -= stream->bytes;
    total_events_ -= stream->events.size();
    lru_.erase(stream->lru);
    --stream_count_;
  }
  sessions_.erase(session);
}

InMemoryEventStore::Stats InMemoryEventStore::stats() const {
  std::lock_guard lock(mutex_);
  Stats stats;
  stats.events = total_events_;
  stats.bytes = total_bytes_;
  stats.streams = stream_count_;
  stats.sessions = sessions_.size();
  stats.appended = appended_;
  stats.evicted = evicted_;
  stats.forgotten_streams = forgotten_streams_;
  return stats;
}

}  // namespace ferry::transport::http
