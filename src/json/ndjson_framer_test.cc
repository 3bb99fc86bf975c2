#include "json/ndjson_framer.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ferry::jsonrpc {
namespace {

struct Collector {
  std::vector<std::string> lines;
  int oversized = 0;

  void Feed(NdjsonFramer& f, std::string_view data) {
    f.Feed(
        data, [&](std::string_view l) { lines.emplace_back(l); },
        [&](std::size_t) { ++oversized; });
  }
};

TEST(NdjsonFramer, SplitsLines) {
  NdjsonFramer f(100);
  Collector c;
  c.Feed(f, "a\nbb\r\n\n  \nccc\n");
  EXPECT_EQ(c.lines, (std::vector<std::string>{"a", "bb", "ccc"}));
  EXPECT_EQ(c.oversized, 0);
}

TEST(NdjsonFramer, AssemblesLinesAcrossChunks) {
  NdjsonFramer f(100);
  Collector c;
  for (char ch : std::string("{\"x\":1}\n{\"y\":2}\n")) c.Feed(f, std::string_view(&ch, 1));
  EXPECT_EQ(c.lines, (std::vector<std::string>{"{\"x\":1}", "{\"y\":2}"}));
  EXPECT_EQ(f.buffered(), 0u);
}

TEST(NdjsonFramer, FinishDeliversTheLastLineWithoutNewline) {
  NdjsonFramer f(100);
  Collector c;
  c.Feed(f, "one\ntwo");
  EXPECT_EQ(c.lines.size(), 1u);
  f.Finish([&](std::string_view l) { c.lines.emplace_back(l); });
  EXPECT_EQ(c.lines, (std::vector<std::string>{"one", "two"}));
}

TEST(NdjsonFramer, LimitIsExact) {
  NdjsonFramer f(5);
  Collector c;
  c.Feed(f, "12345\n123456\n12345\r\n");
  EXPECT_EQ(c.lines, (std::vector<std::string>{"12345", "12345"}));
  EXPECT_EQ(c.oversized, 1);
}

TEST(NdjsonFramer, OversizedLineIsRefusedWhileReadingAndNotBuffered) {
  const std::size_t limit = 1024;
  NdjsonFramer f(limit);
  Collector c;
  // 100 MB in 64 KiB chunks: refused once, as soon as the limit is crossed, never held.
  const std::string chunk(64 * 1024, 'x');
  std::size_t max_buffered = 0;
  for (int i = 0; i < 1600; ++i) {
    c.Feed(f, chunk);
    max_buffered = std::max(max_buffered, f.buffered());
    if (i == 0) EXPECT_EQ(c.oversized, 1);
  }
  EXPECT_EQ(c.oversized, 1);
  EXPECT_LE(max_buffered, limit);
  // The stream recovers at the next line.
  c.Feed(f, "tail-of-big-line\n{\"ok\":1}\n");
  EXPECT_EQ(c.lines, (std::vector<std::string>{"{\"ok\":1}"}));
  EXPECT_EQ(c.oversized, 1);
}

TEST(NdjsonFramer, OversizedAcrossChunksThenRecovery) {
  NdjsonFramer f(10);
  Collector c;
  c.Feed(f, "123456");
  c.Feed(f, "7890ab");  // crosses the limit here
  EXPECT_EQ(c.oversized, 1);
  c.Feed(f, "cd\nok\n");
  EXPECT_EQ(c.lines, (std::vector<std::string>{"ok"}));
  f.Finish([&](std::string_view l) { c.lines.emplace_back(l); });
  EXPECT_EQ(c.lines.size(), 1u);
}

TEST(NdjsonFramer, ManyOversizedLinesEachReportedOnce) {
  NdjsonFramer f(3);
  Collector c;
  c.Feed(f, "aaaa\nbbbbbbbb\nok\ncccc");
  EXPECT_EQ(c.oversized, 3);
  EXPECT_EQ(c.lines, (std::vector<std::string>{"ok"}));
}

}  // namespace
}  // namespace ferry::jsonrpc
