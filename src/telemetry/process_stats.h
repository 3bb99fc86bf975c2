// Process and system statistics read from /proc (Linux).
//
// ProcessStats: the values behind the standard process_* metrics, read from /proc/self at scrape
// time. SystemStats: CPU times, memory and load of the whole machine, from /proc/stat,
// /proc/meminfo and /proc/loadavg, for the dashboard, alerts and the analyzer; CPU utilization is
// the difference of two readings (CpuTimes::BusyFractionSince).
//
// The Parse* functions take a file's text and are pure; the Read* functions read the files (a
// `proc_root` other than "/proc" serves tests and containers with a mounted host /proc) and return
// kIo when a file cannot be read, kParseError when its contents do not have the expected shape.
//
// Thread-safety: free functions and plain value types; every function is safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/result.h"

namespace ferry::telemetry {

// The values of the process_* metrics.
struct ProcessStats {
  double cpu_seconds = 0;                   // user + system CPU time (process_cpu_seconds_total)
  std::uint64_t resident_memory_bytes = 0;  // RSS (process_resident_memory_bytes)
  std::uint64_t virtual_memory_bytes = 0;   // VSZ (process_virtual_memory_bytes)
  std::uint64_t open_fds = 0;               // entries of /proc/self/fd (process_open_fds)
  double max_fds = 0;             // RLIMIT_NOFILE soft limit, +Inf when unlimited (process_max_fds)
  double start_time_seconds = 0;  // since the Unix epoch (process_start_time_seconds)
  std::uint64_t threads = 0;      // (process_threads)
};

// The fields of /proc/<pid>/stat that ProcessStats needs, in kernel units.
struct ProcStatFields {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::uint64_t num_threads = 0;
  std::uint64_t start_time_ticks = 0;  // since boot
  std::uint64_t vsize_bytes = 0;
  std::uint64_t rss_pages = 0;
};

// Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses; the fields
// after it are found from the last ')'.
Result<ProcStatFields> ParseProcPidStat(std::string_view text);

// Reads /proc/self/stat, /proc/self/fd, /proc/stat (boot time) and the fd limit.
Result<ProcessStats> ReadProcessStats(const std::string& proc_root = "/proc");

// CPU time spent in each state, in seconds (one line of /proc/stat).
struct CpuTimes {
  double user = 0;
  double nice = 0;
  double system = 0;
  double idle = 0;
  double iowait = 0;
  double irq = 0;
  double softirq = 0;
  double steal = 0;

  double Total() const;
  double Idle() const { return idle + iowait; }
  double Busy() const { return Total() - Idle(); }
  // Fraction of time busy between `earlier` and this reading, in [0, 1]; 0 if no time passed.
  double BusyFractionSince(const CpuTimes& earlier) const;
};

// /proc/stat.
struct CpuStat {
  CpuTimes total;                       // the "cpu" line: all CPUs together
  std::vector<CpuTimes> cpus;           // "cpu0", "cpu1", ... in order
  std::uint64_t context_switches = 0;   // ctxt
  std::uint64_t processes_created = 0;  // processes (forks since boot)
  std::uint64_t procs_running = 0;
  std::uint64_t procs_blocked = 0;
  double boot_time_seconds = 0;  // btime, since the Unix epoch
};

// /proc/meminfo, in bytes. `available` is MemAvailable (the kernel's estimate of memory available
// without swapping).
struct MemInfo {
  std::uint64_t total = 0;
  std::uint64_t free = 0;
  std::uint64_t available = 0;
  std::uint64_t buffers = 0;
  std::uint64_t cached = 0;
  std::uint64_t swap_total = 0;
  std::uint64_t swap_free = 0;

  // (total - available) / total, or 0 when total is 0.
  double UsedFraction() const;
};

// /proc/loadavg.
struct LoadAvg {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
  std::uint64_t runnable = 0;  // scheduling entities currently runnable
  std::uint64_t entities = 0;  // scheduling entities that exist
};

struct SystemStats {
  CpuStat cpu;
  MemInfo memory;
  LoadAvg load;
};

// `ticks_per_second` converts the jiffies of /proc/stat to seconds (sysconf(_SC_CLK_TCK)).
Result<CpuStat> ParseCpuStat(std::string_view text, double ticks_per_second);
Result<MemInfo> ParseMemInfo(std::string_view text);
Result<LoadAvg> ParseLoadAvg(std::string_view text);

Result<CpuStat> ReadCpuStat(const std::string& proc_root = "/proc");
Result<MemInfo> ReadMemInfo(const std::string& proc_root = "/proc");
Result<LoadAvg> ReadLoadAvg(const std::string& proc_root = "/proc");
Result<SystemStats> ReadSystemStats(const std::string& proc_root = "/proc");

// Reads a whole file, also one whose size stat() reports as 0 (as /proc files do).
Result<std::string> ReadProcFile(const std::string& path);

}  // namespace ferry::telemetry
