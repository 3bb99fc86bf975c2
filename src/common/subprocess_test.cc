#include "common/subprocess.h"

#include <gtest/gtest.h>

#include <csignal>

namespace ferry {
namespace {
using namespace std::chrono_literals;

class SubprocessTest : public ::testing::Test {
 protected:
  // As in ferry's main: a child that exits early must not kill the test with SIGPIPE.
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }
};

TEST_F(SubprocessTest, InputReachesTheChildAndOutputComesBack) {
  auto r = RunProcess({"cat"}, "hello\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->out, "hello\n");
}

// More than a pipe holds in both directions: writing and reading must interleave.
TEST_F(SubprocessTest, LargeInputAndOutputDoNotDeadlock) {
  std::string big(4 << 20, 'x');
  auto r = RunProcess({"cat"}, big);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out.size(), big.size());
}

TEST_F(SubprocessTest, ExitCodeStderrAndEnvironment) {
  auto r = RunProcess({"sh", "-c", "echo \"$FERRY_TEST_VAR\"; echo oops >&2; exit 3"}, "",
                      {.extra_env = {"FERRY_TEST_VAR=set"}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "set\n");
  EXPECT_EQ(r->err, "oops\n");
}

TEST_F(SubprocessTest, ChildThatStopsReadingEarly) {
  auto r = RunProcess({"head", "-c", "1"}, std::string(1 << 20, 'y'));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out, "y");
}

TEST_F(SubprocessTest, DeadlineKillsTheChild) {
  const auto start = std::chrono::steady_clock::now();
  auto r = RunProcess({"sleep", "30"}, "", {.deadline = start + 200ms});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

// The child closes its output but keeps running: the deadline still holds.
TEST_F(SubprocessTest, DeadlineHoldsAfterOutputCloses) {
  auto r = RunProcess({"sh", "-c", "exec >&- 2>&-; sleep 30"}, "",
                      {.deadline = std::chrono::steady_clock::now() + 300ms});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
}

TEST_F(SubprocessTest, OutputCap) {
  auto r = RunProcess({"head", "-c", "100000", "/dev/zero"}, "", {.max_output = 1000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParams);
}

TEST_F(SubprocessTest, MissingProgram) {
  EXPECT_FALSE(ProgramExists("ferry-no-such-program"));
  EXPECT_TRUE(ProgramExists("sh"));
  auto r = RunProcess({"ferry-no-such-program"}, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
}

TEST_F(SubprocessTest, ServerDescriptorsDoNotLeak) {
  // Descriptor 3 and up are closed in the child even without close-on-exec.
  const int fd = ::dup(0);
  ASSERT_GE(fd, 3);
  auto r = RunProcess({"sh", "-c", "ls /proc/self/fd | wc -l"}, "");
  ::close(fd);
  ASSERT_TRUE(r) << r.error().message;
  // 0, 1, 2 and the directory ls reads.
  EXPECT_EQ(r->out, "4\n");
}

}  // namespace
}  // namespace ferry
