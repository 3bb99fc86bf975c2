// NdjsonFramer: splits a byte stream into newline-delimited JSON messages (the stdio transport's
// framing), enforcing max_message_size while reading.
//
// A line longer than the limit is reported once, as soon as the limit is crossed, and its remaining
// bytes are skipped without being buffered; framing resumes at the next newline. Complete lines
// inside one fed chunk are handed out as views into that chunk (no copy); only a line split across
// chunks is assembled in an internal buffer. A trailing '\r' is dropped; empty lines are ignored.
//
// Thread-safety: not thread-safe; one reader feeds it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ferry::jsonrpc {

class NdjsonFramer {
 public:
  explicit NdjsonFramer(std::size_t max_message_size) : max_(max_message_size) {}

  // Feeds bytes. Calls on_line(std::string_view) for each complete line and
  // on_oversized(std::size_t limit) once for each line over the limit. The views are valid only
  // during the callback.
  template <typename OnLine, typename OnOversized>
  void Feed(std::string_view data, OnLine&& on_line, OnOversized&& on_oversized);

  // At end of stream: delivers a final line that had no newline.
  template <typename OnLine>
  void Finish(OnLine&& on_line);

  // Bytes of the current incomplete line held in memory (never more than the limit).
  std::size_t buffered() const { return partial_.size(); }

 private:
  template <typename OnLine>
  void Deliver(std::string_view line, OnLine& on_line);

  std::size_t max_;
  std::string partial_;      // the start of a line split across chunks
  bool discarding_ = false;  // inside an oversized line: skip to the next newline
};

template <typename OnLine>
void NdjsonFramer::Deliver(std::string_view line, OnLine& on_line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return;
  on_line(line);
}

template <typename OnLine, typename OnOversized>
void NdjsonFramer::Feed(std::string_view data, OnLine&& on_line, OnOversized&& on_oversized) {
  while (!data.empty()) {
    const std::size_t nl = data.find('\n');
    const bool complete = nl != std::string_view::npos;
    const std::string_view piece = data.substr(0, complete ? nl : data.size());
    data.remove_prefix(complete ? nl + 1 : data.size());

    if (discarding_) {
      if (complete) discarding_ = false;
      continue;
    }
    // The limit counts message bytes; a '\r' before the newline is not part of the message.
    std::size_t length = partial_.size() + piece.size();
    if (complete && length > 0 && (piece.empty() ? partial_.back() : piece.back()) == '\r') {
      --length;
    }
    if (length > max_) {
      partial_.clear();
      partial_.shrink_to_fit();
      discarding_ = !complete;
      on_oversized(max_);
      continue;
    }
    if (!complete) {
      partial_.append(piece);
      continue;
    }
    if (partial_.empty()) {
      Deliver(piece, on_line);
    } else {
      partial_.append(piece);
      Deliver(partial_, on_line);
      partial_.clear();
    }
  }
}

template <typename OnLine>
void NdjsonFramer::Finish(OnLine&& on_line) {
  if (!discarding_ && !partial_.empty()) Deliver(partial_, on_line);
  partial_.clear();
  discarding_ = false;
}

}  // namespace ferry::jsonrpc
