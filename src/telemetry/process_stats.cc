#include "telemetry/process_stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace ferry::telemetry {
namespace {

Error ParseFailure(std::string_view what, std::string_view detail) {
  return Error(ErrorCode::kParseError, std::string(what) + ": " + std::string(detail));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits on runs of spaces and tabs.
std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// Calls `fn(line)` for each line of `text`, without the newline.
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    fn(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

template <typename T>
bool ParseNumber(std::string_view s, T& out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end;
}

double TicksPerSecond() {
  const long ticks = sysconf(_SC_CLK_TCK);
  return ticks > 0 ? static_cast<double>(ticks) : 100.0;
}

std::uint64_t PageSize() {
  const long page = sysconf(_SC_PAGESIZE);
  return page > 0 ? static_cast<std::uint64_t>(page) : 4096;
}

Result<std::uint64_t> CountOpenFds(const std::string& dir_path) {
  DIR* dir = opendir(dir_path.c_str());
  if (dir == nullptr) {
    return Fail(ErrorCode::kIo, "cannot open " + dir_path + ": " + std::strerror(errno));
  }
  const std::string own = std::to_string(dirfd(dir));  // the descriptor reading the directory
  std::uint64_t count = 0;
  errno = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == ".." || name == own) continue;
    ++count;
  }
  const int read_errno = errno;
  closedir(dir);
  if (read_errno != 0) {
    return Fail(ErrorCode::kIo, "cannot read " + dir_path + ": " + std::strerror(read_errno));
  }
  return count;
}

// The "btime" line of /proc/stat.
Result<double> ParseBootTime(std::string_view text) {
  std::optional<double> boot;
  ForEachLine(text, [&](std::string_view line) {
    if (line.substr(0, 6) != "btime ") return;
    std::uint64_t seconds = 0;
    if (ParseNumber(Trim(line.substr(6)), seconds)) boot = static_cast<double>(seconds);
  });
  if (!boot) return Fail(ParseFailure("/proc/stat", "no btime line"));
  return *boot;
}

Result<CpuTimes> ParseCpuLine(const std::vector<std::string_view>& fields, double ticks) {
  // fields[0] is "cpu" or "cpuN"; then user nice system idle [iowait irq softirq steal ...].
  if (fields.size() < 5) return Fail(ParseFailure("/proc/stat", "short cpu line"));
  double values[8] = {};
  for (std::size_t i = 0; i < 8 && i + 1 < fields.size(); ++i) {
    std::uint64_t jiffies = 0;
    if (!ParseNumber(fields[i + 1], jiffies)) {
      return Fail(ParseFailure("/proc/stat", "bad number '" + std::string(fields[i + 1]) + "'"));
    }
    values[i] = static_cast<double>(jiffies) / ticks;
  }
  return CpuTimes{.user = values[0],
                  .nice = values[1],
                  .system = values[2],
                  .idle = values[3],
                  .iowait = values[4],
                  .irq = values[5],
                  .softirq = values[6],
                  .steal = values[7]};
}

}  // namespace

Result<std::string> ReadProcFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno));
  std::string text;
  std::size_t used = 0;
  for (;;) {
    if (text.size() - used < 4096) text.resize(used + 8192);
    const ssize_t n = read(fd, text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int read_errno = errno;
      close(fd);
      return Fail(ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(read_errno));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  close(fd);
  text.resize(used);
  return text;
}

Result<ProcStatFields> ParseProcPidStat(std::string_view text) {
  const std::size_t paren = text.rfind(')');
  if (paren == std::string_view::npos) return Fail(ParseFailure("/proc/self/stat", "no ')'"));
  // Field 3 (state) is the first after the command name; field k is rest[k - 3].
  const auto rest = Fields(Trim(text.substr(paren + 1)));
  if (rest.size() < 22) return Fail(ParseFailure("/proc/self/stat", "too few fields"));
  ProcStatFields out;
  std::int64_t rss = 0;
  const bool ok = ParseNumber(rest[14 - 3], out.utime_ticks) &&
                  ParseNumber(rest[15 - 3], out.stime_ticks) &&
                  ParseNumber(rest[20 - 3], out.num_threads) &&
                  ParseNumber(rest[22 - 3], out.start_time_ticks) &&
                  ParseNumber(rest[23 - 3], out.vsize_bytes) && ParseNumber(rest[24 - 3], rss);
  if (!ok) return Fail(ParseFailure("/proc/self/stat", "a field is not a number"));
  out.rss_pages = rss > 0 ? static_cast<std::uint64_t>(rss) : 0;
  return out;
}

Result<ProcessStats> ReadProcessStats(const std::string& proc_root) {
  auto stat_text = ReadProcFile(proc_root + "/self/stat");
  if (!stat_text) return Fail(stat_text.error());
  auto fields = ParseProcPidStat(*stat_text);
  if (!fields) return Fail(fields.error());
  auto system_stat = ReadProcFile(proc_root + "/stat");
  if (!system_stat) return Fail(system_stat.error());
  auto boot = ParseBootTime(*system_stat);
  if (!boot) return Fail(boot.error());
  auto fds = CountOpenFds(proc_root + "/self/fd");
  if (!fds) return Fail(fds.error());
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return Fail(ErrorCode::kIo, std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  }

  const double ticks = TicksPerSecond();
  ProcessStats stats;
  stats.cpu_seconds = static_cast<double>(fields->utime_ticks + fields->stime_ticks) / ticks;
  stats.resident_memory_bytes = fields->rss_pages * PageSize();
  stats.virtual_memory_bytes = fields->vsize_bytes;
  stats.open_fds = *fds;
  stats.max_fds = limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<double>::infinity()
                                                  : static_cast<double>(limit.rlim_cur);
  stats.start_time_seconds = *boot + static_cast<double>(fields->start_time_ticks) / ticks;
  stats.threads = fields->num_threads;
  return stats;
}

double CpuTimes::Total() const {
  return user + nice + system + idle + iowait + irq + softirq + steal;
}

double CpuTimes::BusyFractionSince(const CpuTimes& earlier) const {
  const double elapsed = Total() - earlier.Total();
  if (!(elapsed > 0)) return 0;
  return std::clamp((Busy() - earlier.Busy()) / elapsed, 0.0, 1.0);
}

double MemInfo::UsedFraction() const {
  if (total == 0) return 0;
  const std::uint64_t avail = std::min(available, total);
  return static_cast<double>(total - avail) / static_cast<double>(total);
}

Result<CpuStat> ParseCpuStat(std::string_view text, double ticks_per_second) {
  if (!(ticks_per_second > 0)) {
    return Fail(ErrorCode::kInvalidParams, "ticks_per_second must be positive");
  }
  CpuStat out;
  bool saw_total = false;
  std::optional<Error> error;
  ForEachLine(text, [&](std::string_view line) {
    if (error) return;
    const auto fields = Fields(line);
    if (fields.empty()) return;
    const std::string_view key = fields[0];
    if (key.substr(0, 3) == "cpu") {
      auto times = ParseCpuLine(fields, ticks_per_second);
      if (!times) {
        error = times.error();
        return;
      }
      if (key == "cpu") {
        out.total = *times;
        saw_total = true;
      } else {
        out.cpus.push_back(*times);
      }
      return;
    }
    if (fields.size() < 2) return;
    std::uint64_t value = 0;
    if (!ParseNumber(fields[1], value)) return;  // lines such as "intr" and "softirq" are skipped
    if (key == "ctxt") out.context_switches = value;
    if (key == "processes") out.processes_created = value;
    if (key == "procs_running") out.procs_running = value;
    if (key == "procs_blocked") out.procs_blocked = value;
    if (key == "btime") out.boot_time_seconds = static_cast<double>(value);
  });
  if (error) return Fail(*error);
  if (!saw_total) return Fail(ParseFailure("/proc/stat", "no cpu line"));
  return out;
}

Result<MemInfo> ParseMemInfo(std::string_view text) {
  MemInfo out;
  bool saw_total = false;
  bool saw_available = false;
  ForEachLine(text, [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view key = line.substr(0, colon);
    const auto fields = Fields(line.substr(colon + 1));
    if (fields.empty()) return;
    std::uint64_t value = 0;
    if (!ParseNumber(fields[0], value)) return;
    if (fields.size() > 1 && fields[1] == "kB") value *= 1024;
    if (key == "MemTotal") {
      out.total = value;
      saw_total = true;
    } else if (key == "MemFree") {
      out.free = value;
    } else if (key == "MemAvailable") {
      out.available = value;
      saw_available = true;
    } else if (key == "Buffers") {
      out.buffers = value;
    } else if (key == "Cached") {
      out.cached = value;
    } else if (key == "SwapTotal") {
      out.swap_total = value;
    } else if (key == "SwapFree") {
      out.swap_free = value;
    }
  });
  if (!saw_total) return Fail(ParseFailure("/proc/meminfo", "no MemTotal line"));
  // Kernels before 3.14 have no MemAvailable: estimate it the way free(1) used to.
  if (!saw_available) out.available = std::min(out.total, out.free + out.buffers + out.cached);
  return out;
}

Result<LoadAvg> ParseLoadAvg(std::string_view text) {
  const auto fields = Fields(Trim(text));
  if (fields.size() < 4) return Fail(ParseFailure("/proc/loadavg", "too few fields"));
  LoadAvg out;
  const std::string_view tasks = fields[3];
  const std::size_t slash = tasks.find('/');
  const bool ok = ParseNumber(fields[0], out.load1) && ParseNumber(fields[1], out.load5) &&
                  ParseNumber(fields[2], out.load15) && slash != std::string_view::npos &&
                  ParseNumber(tasks.substr(0, slash), out.runnable) &&
                  ParseNumber(tasks.substr(slash + 1), out.entities);
  if (!ok) return Fail(ParseFailure("/proc/loadavg", "unexpected format"));
  return out;
}

Result<CpuStat> ReadCpuStat(const std::string& proc_root) {
  auto text = ReadProcFile(proc_root + "/stat");
  if (!text) return Fail(text.error());
  return ParseCpuStat(*text, TicksPerSecond());
}

Result<MemInfo> ReadMemInfo(const std::string& proc_root) {
  auto text = ReadProcFile(proc_root + "/meminfo");
  if (!text) return Fail(text.error());
  return ParseMemInfo(*text);
}

Result<LoadAvg> ReadLoadAvg(const std::string& proc_root) {
  auto text = ReadProcFile(proc_root + "/loadavg");
  if (!text) return Fail(text.error());
  return ParseLoadAvg(*text);
}

Result<SystemStats> ReadSystemStats(const std::string& proc_root) {
  auto cpu = ReadCpuStat(proc_root);
  if (!cpu) return Fail(cpu.error());
  auto memory = ReadMemInfo(proc_root);
  if (!memory) return Fail(memory.error());
  auto load = ReadLoadAvg(proc_root);
  if (!load) return Fail(load.error());
  return SystemStats{.cpu = std::move(*cpu), .memory = *memory, .load = *load};
}

}  // namespace ferry::telemetry
