// Counts newline-terminated responses on stdin until `expected` have arrived (or EOF), then prints
// how many, how many were errors, and the wall time since `start_ns` (CLOCK_REALTIME nanoseconds,
// taken by the driver just before it started the server). Reads 256 KiB blocks and scans them with
// memchr, so it runs at memory speed; run.sh measures it on canned responses to show it is not the
// bottleneck.
//
//   count_responses EXPECTED START_NS
//   -> lines=N errors=E seconds=S
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A response line is an error when it carries a JSON-RPC error or a tool result with isError.
bool IsError(std::string_view line) {
  return line.find("\"error\":") != std::string_view::npos ||
         line.find("\"isError\":true") != std::string_view::npos;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s EXPECTED START_NS\n", argv[0]);
    return 2;
  }
  const long long expected = std::atoll(argv[1]);
  const std::int64_t start_ns = std::atoll(argv[2]);

  static char buffer[256 * 1024];
  std::string partial;  // the start of a line cut by a block boundary
  long long lines = 0;
  long long errors = 0;
  std::int64_t end_ns = 0;
  while (lines < expected) {
    ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) break;
    const char* p = buffer;
    const char* end = buffer + n;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (!nl) {
        partial.append(p, end);
        break;
      }
      // Only error checks need the line's text; a line cut by a block boundary is joined first.
      std::string_view line(p, nl - p);
      if (!partial.empty()) {
        partial.append(p, nl);
        line = partial;
      }
      if (IsError(line)) ++errors;
      partial.clear();
      ++lines;
      p = nl + 1;
    }
  }
  end_ns = NowNs();
  std::printf("lines=%lld errors=%lld seconds=%.6f\n", lines, errors, (end_ns - start_ns) / 1e9);
  return lines == expected ? 0 : 1;
}
