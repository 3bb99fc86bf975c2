#include "telemetry/process_stats.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

namespace ferry::telemetry {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(ProcessStatsTest, ValuesAreSane) {
  auto stats = ReadProcessStats();
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_GE(stats->cpu_seconds, 0);
  EXPECT_GT(stats->resident_memory_bytes, 0u);
  EXPECT_GE(stats->virtual_memory_bytes, stats->resident_memory_bytes);
  EXPECT_GE(stats->open_fds, 3u);  // stdin, stdout, stderr at least
  EXPECT_GE(stats->max_fds, static_cast<double>(stats->open_fds));
  EXPECT_GE(stats->threads, 1u);
  EXPECT_LE(stats->start_time_seconds, Now() + 1);
  EXPECT_GT(stats->start_time_seconds, Now() - 24 * 3600);  // this test started recently
}

TEST(ProcessStatsTest, ResidentMemoryGrowsWhenPagesAreTouched) {
  auto before = ReadProcessStats();
  ASSERT_TRUE(before);
  constexpr std::size_t kSize = 50u << 20;
  auto block = std::make_unique_for_overwrite<char[]>(kSize);
  for (std::size_t i = 0; i < kSize; i += 4096) block[i] = static_cast<char>(i >> 12 | 1);
  auto after = ReadProcessStats();
  ASSERT_TRUE(after);
  volatile char sink = block[kSize / 2];
  (void)sink;
  EXPECT_GE(after->resident_memory_bytes, before->resident_memory_bytes + (45u << 20));
  EXPECT_GE(after->virtual_memory_bytes, before->virtual_memory_bytes + (45u << 20));
}

TEST(ProcessStatsTest, CountsThreadsAndDescriptors) {
  auto before = ReadProcessStats();
  ASSERT_TRUE(before);
  const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  bool stop = false;
  std::atomic<bool> started{false};
  std::thread worker([&] {
    started = true;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) std::this_thread::yield();
  });
  while (!started) std::this_thread::yield();
  auto during = ReadProcessStats();
  __atomic_store_n(&stop, true, __ATOMIC_RELEASE);
  worker.join();
  close(fd);
  ASSERT_TRUE(during);
  // At least one more: ThreadSanitizer starts a helper thread of its own with the first thread.
  EXPECT_GE(during->threads, before->threads + 1);
  EXPECT_EQ(during->open_fds, before->open_fds + 1);
}

TEST(ProcessStatsTest, CpuTimeAdvancesWithWork) {
  auto before = ReadProcessStats();
  ASSERT_TRUE(before);
  const auto start = std::chrono::steady_clock::now();
  volatile double x = 1;
  while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(200)) x = x * 1.0001;
  auto after = ReadProcessStats();
  ASSERT_TRUE(after);
  EXPECT_GT(after->cpu_seconds, before->cpu_seconds);
}

TEST(ProcessStatsTest, ParsesACommandNameWithSpacesAndParentheses) {
  const std::string stat =
      "4242 (evil) (name ) R 1 4242 4242 0 -1 4194304 1200 0 0 0 "
      "250 75 0 0 20 0 7 0 123456 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 "
      "17 1 0 0 0 0 0\n";
  auto fields = ParseProcPidStat(stat);
  ASSERT_TRUE(fields) << fields.error().message;
  EXPECT_EQ(fields->utime_ticks, 250u);
  EXPECT_EQ(fields->stime_ticks, 75u);
  EXPECT_EQ(fields->num_threads, 7u);
  EXPECT_EQ(fields->start_time_ticks, 123456u);
  EXPECT_EQ(fields->vsize_bytes, 987654321u);
  EXPECT_EQ(fields->rss_pages, 2048u);
}

TEST(ProcessStatsTest, RefusesMalformedStat) {
  EXPECT_EQ(ParseProcPidStat("no parenthesis").error().code, ErrorCode::kParseError);
  EXPECT_EQ(ParseProcPidStat("1 (x) R 1 2 3").error().code, ErrorCode::kParseError);
  const std::string bad_number = "1 (x) R 1 1 1 0 -1 0 0 0 0 0 abc 75 0 0 20 0 7 0 1 2 3 4 5\n";
  EXPECT_EQ(ParseProcPidStat(bad_number).error().code, ErrorCode::kParseError);
}

TEST(ProcessStatsTest, MissingFilesAreIoErrors) {
  auto missing = ReadProcFile("/nonexistent/ferry/stat");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_NE(missing.error().message.find("/nonexistent/ferry/stat"), std::string::npos);
  EXPECT_EQ(ReadProcessStats("/nonexistent").error().code, ErrorCode::kIo);
  EXPECT_EQ(ReadSystemStats("/nonexistent").error().code, ErrorCode::kIo);
}

TEST(ProcessStatsTest, ReadsAFakeProcRoot) {
  const auto root =
      std::filesystem::temp_directory_path() / ("ferry_proc_" + std::to_string(getpid()));
  std::filesystem::create_directories(root / "self" / "fd");
  std::ofstream(root / "self" / "stat")
      << "1 (fake) S 0 1 1 0 -1 0 0 0 0 0 100 50 0 0 20 0 3 0 200 4096000 10 0\n";
  std::ofstream(root / "stat") << "cpu  1 2 3 4\nbtime 1700000000\n";
  for (const char* fd : {"0", "1", "2", "7"}) std::ofstream(root / "self" / "fd" / fd) << "";
  auto stats = ReadProcessStats(root.string());
  std::filesystem::remove_all(root);
  ASSERT_TRUE(stats) << stats.error().message;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  EXPECT_DOUBLE_EQ(stats->cpu_seconds, 150 / ticks);
  EXPECT_EQ(stats->threads, 3u);
  EXPECT_EQ(stats->open_fds, 4u);
  EXPECT_EQ(stats->virtual_memory_bytes, 4096000u);
  EXPECT_EQ(stats->resident_memory_bytes, 10u * static_cast<std::uint64_t>(getpagesize()));
  EXPECT_DOUBLE_EQ(stats->start_time_seconds, 1700000000 + 200 / ticks);
}

TEST(SystemStatsTest, ParsesProcStat) {
  const std::string text =
      "cpu  1000 20 300 5000 100 10 5 2 0 0\n"
      "cpu0 500 10 150 2500 50 5 3 1 0 0\n"
      "cpu1 500 10 150 2500 50 5 2 1 0 0\n"
      "intr 12345 1 2 3\n"
      "ctxt 987654\n"
      "btime 1700000000\n"
      "processes 4321\n"
      "procs_running 3\n"
      "procs_blocked 1\n"
      "softirq 1 2 3\n";
  auto stat = ParseCpuStat(text, 100);
  ASSERT_TRUE(stat) << stat.error().message;
  EXPECT_DOUBLE_EQ(stat->total.user, 10);
  EXPECT_DOUBLE_EQ(stat->total.nice, 0.2);
  EXPECT_DOUBLE_EQ(stat->total.system, 3);
  EXPECT_DOUBLE_EQ(stat->total.idle, 50);
  EXPECT_DOUBLE_EQ(stat->total.iowait, 1);
  EXPECT_DOUBLE_EQ(stat->total.steal, 0.02);
  ASSERT_EQ(stat->cpus.size(), 2u);
  EXPECT_DOUBLE_EQ(stat->cpus[1].softirq, 0.02);
  EXPECT_EQ(stat->context_switches, 987654u);
  EXPECT_EQ(stat->processes_created, 4321u);
  EXPECT_EQ(stat->procs_running, 3u);
  EXPECT_EQ(stat->procs_blocked, 1u);
  EXPECT_DOUBLE_EQ(stat->boot_time_seconds, 1700000000);

  EXPECT_FALSE(ParseCpuStat("ctxt 1\n", 100));       // no cpu line
  EXPECT_FALSE(ParseCpuStat("cpu 1 2 x 4\n", 100));  // not a number
  EXPECT_FALSE(ParseCpuStat("cpu 1 2\n", 100));      // too short
  EXPECT_FALSE(ParseCpuStat("cpu 1 2 3 4\n", 0));    // bad tick rate
}

TEST(SystemStatsTest, BusyFraction) {
  const CpuTimes a{.user = 10, .system = 5, .idle = 80, .iowait = 5};
  const CpuTimes b{.user = 40, .system = 15, .idle = 120, .iowait = 25};
  // 100 s passed: 40 busy (30 user + 10 system), 60 idle (40 idle + 20 iowait).
  EXPECT_DOUBLE_EQ(b.BusyFractionSince(a), 0.4);
  EXPECT_DOUBLE_EQ(a.BusyFractionSince(a), 0);
  EXPECT_DOUBLE_EQ(a.BusyFractionSince(b), 0);  // time went backwards: no utilization
}

TEST(SystemStatsTest, ParsesMemInfo) {
  const std::string text =
      "MemTotal:       16000000 kB\n"
      "MemFree:         2000000 kB\n"
      "MemAvailable:    8000000 kB\n"
      "Buffers:          100000 kB\n"
      "Cached:          3000000 kB\n"
      "SwapCached:            0 kB\n"
      "SwapTotal:       1000000 kB\n"
      "SwapFree:         900000 kB\n"
      "HugePages_Total:       0\n";
  auto mem = ParseMemInfo(text);
  ASSERT_TRUE(mem) << mem.error().message;
  EXPECT_EQ(mem->total, 16000000ull * 1024);
  EXPECT_EQ(mem->free, 2000000ull * 1024);
  EXPECT_EQ(mem->available, 8000000ull * 1024);
  EXPECT_EQ(mem->buffers, 100000ull * 1024);
  EXPECT_EQ(mem->cached, 3000000ull * 1024);
  EXPECT_EQ(mem->swap_total, 1000000ull * 1024);
  EXPECT_EQ(mem->swap_free, 900000ull * 1024);
  EXPECT_DOUBLE_EQ(mem->UsedFraction(), 0.5);

  auto old_kernel = ParseMemInfo(
      "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\n"
      "Cached: 250 kB\n");
  ASSERT_TRUE(old_kernel);
  EXPECT_EQ(old_kernel->available, 400ull * 1024);
  EXPECT_FALSE(ParseMemInfo("MemFree: 1 kB\n"));
}

TEST(SystemStatsTest, ParsesLoadAvg) {
  auto load = ParseLoadAvg("0.52 1.25 2.00 3/1234 56789\n");
  ASSERT_TRUE(load) << load.error().message;
  EXPECT_DOUBLE_EQ(load->load1, 0.52);
  EXPECT_DOUBLE_EQ(load->load5, 1.25);
  EXPECT_DOUBLE_EQ(load->load15, 2.0);
  EXPECT_EQ(load->runnable, 3u);
  EXPECT_EQ(load->entities, 1234u);
  EXPECT_FALSE(ParseLoadAvg("0.5 0.5\n"));
  EXPECT_FALSE(ParseLoadAvg("0.5 0.5 0.5 31234 1\n"));
  EXPECT_FALSE(ParseLoadAvg("a b c 1/2 3\n"));
}

TEST(SystemStatsTest, ReadsThisMachine) {
  auto stats = ReadSystemStats();
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_GE(stats->cpu.cpus.size(), 1u);
  EXPECT_GT(stats->cpu.total.Total(), 0);
  EXPECT_GT(stats->cpu.boot_time_seconds, 1e9);
  EXPECT_GT(stats->memory.total, 0u);
  EXPECT_LE(stats->memory.available, stats->memory.total);
  EXPECT_GE(stats->memory.UsedFraction(), 0);
  EXPECT_LE(stats->memory.UsedFraction(), 1);
  EXPECT_GE(stats->load.load1, 0);
  EXPECT_GE(stats->load.entities, 1u);

  // Two readings 100 ms apart with work in between: utilization within [0, 1].
  auto later = ReadCpuStat();
  ASSERT_TRUE(later);
  const double busy = later->total.BusyFractionSince(stats->cpu.total);
  EXPECT_GE(busy, 0);
  EXPECT_LE(busy, 1);
}

}  // namespace
}  // namespace ferry::telemetry
