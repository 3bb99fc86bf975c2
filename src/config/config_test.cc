#include "ferry/config.h"

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#ifndef FERRY_SOURCE_DIR
#error "FERRY_SOURCE_DIR must name the source tree, to compare docs/configuration.md"
#endif

extern char** environ;

namespace ferry {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

std::string JoinCommas(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// Clears every FERRY_* variable for the test and restores the original environment afterwards, so
// the tests neither see the caller's settings nor leak their own.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text(*entry);
      if (text.rfind("FERRY_", 0) != 0) continue;
      const std::size_t equals = text.find('=');
      saved_.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
    for (const auto& [name, value] : saved_) unsetenv(name.c_str());
    dir_ = std::filesystem::temp_directory_path() /
           ("ferry_config_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    for (const std::string& name : set_) unsetenv(name.c_str());
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void SetEnv(const std::string& name, const std::string& value) {
    set_.push_back(name);
    setenv(name.c_str(), value.c_str(), 1);
  }

  static void UnsetEnv(const std::string& name) { unsetenv(name.c_str()); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  // Loads with only the given sources; the environment is read (and empty unless a test sets it).
  static Result<Config> Load(std::optional<std::string> file = std::nullopt,
                             std::vector<std::string> profiles = {},
                             std::map<std::string, std::string> overrides = {}) {
    return LoadConfig(ConfigSources{.file = std::move(file),
                                    .profiles = std::move(profiles),
                                    .overrides = std::move(overrides)});
  }

  static ConfigSources WithoutEnvironment(std::optional<std::string> file) {
    ConfigSources sources;
    sources.file = std::move(file);
    sources.read_environment = false;
    return sources;
  }

  // The error message of a load that must fail with kInvalidConfig.
  static std::string ErrorOf(const Result<Config>& result) {
    EXPECT_FALSE(result.has_value());
    if (result.has_value()) return "";
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidConfig) << result.error().message;
    return result.error().message;
  }

  std::string ErrorOfFile(const std::string& yaml) {
    return ErrorOf(Load(WriteFile("config.yaml", yaml)));
  }

  std::string ErrorOfOverride(const std::string& key, const std::string& value) {
    return ErrorOf(Load(std::nullopt, {}, {{key, value}}));
  }

  std::filesystem::path dir_;

 private:
  std::map<std::string, std::string> saved_;
  std::vector<std::string> set_;
};

// Every key set to a value that differs from its default and from every profile.
constexpr char kAllKeysYaml[] = R"(server:
  name: "odd \"name\": yes"
  host: "::1"
  port: 65535
  instructions: "line one\nline two\ttabbed, ünïcode, # not a comment"
performance:
  worker_count: 7
  blocking_workers: 3
  queue_capacity: 999
  backpressure_threshold: 999
  tool_timeout: 1500ms
  shutdown_timeout: 0
  max_connections: 7777
  rate_limit_requests: 100000000
  rate_limit_window: 90s
protocol:
  max_message_size: 1025
  page_size: 1000
  max_pending_requests: 100000
  request_timeout: 90m
http:
  io_threads: 64
  stateless: true
  legacy_sse: false
  response_mode: SSE
  max_header_size: 1MiB
  header_timeout: 100ms
  connection_timeout: 24h
  write_timeout: 10m
  max_sessions: 1
  session_timeout: 168h
sse:
  keepalive_interval: 1s
  max_queue_size: 1000000
  retry: 0
  event_store_size: 16GiB
security:
  allowed_hosts:
    - example.com:*
    - " [::1]:8443 "
  allowed_origins: ["https://app.example.com", "null", "*"]
  cors: true
  cors_max_age: 2h
  auth_tokens: tok-1, tok.2~
  auth_token_file: "/run/secrets/ferry tokens"
logging:
  level: trace
tools:
  diagnostics: false
)";

Config AllKeysConfig() {
  Config c;
  c.server.name = "odd \"name\": yes";
  c.server.host = "::1";
  c.server.port = 65535;
  c.server.instructions = "line one\nline two\ttabbed, ünïcode, # not a comment";
  c.performance.worker_count = 7;
  c.performance.blocking_workers = 3;
  c.performance.queue_capacity = 999;
  c.performance.backpressure_threshold = 999;
  c.performance.tool_timeout = milliseconds(1500);
  c.performance.shutdown_timeout = milliseconds(0);
  c.protocol.max_message_size = 1025;
  c.protocol.page_size = 1000;
  c.protocol.max_pending_requests = 100000;
  c.protocol.request_timeout = milliseconds(90 * 60 * 1000);
  c.performance.max_connections = 7777;
  c.performance.rate_limit_requests = 100000000;
  c.performance.rate_limit_window = milliseconds(90000);
  c.http.io_threads = 64;
  c.http.stateless = true;
  c.http.legacy_sse = false;
  c.http.response_mode = "sse";
  c.http.max_header_size = 1024 * 1024;
  c.http.header_timeout = milliseconds(100);
  c.http.connection_timeout = milliseconds(24 * 3600 * 1000);
  c.http.write_timeout = milliseconds(600000);
  c.http.max_sessions = 1;
  c.http.session_timeout = milliseconds(7LL * 24 * 3600 * 1000);
  c.sse.keepalive_interval = milliseconds(1000);
  c.sse.max_queue_size = 1000000;
  c.sse.retry = milliseconds(0);
  c.sse.event_store_size = 16LL * 1024 * 1024 * 1024;
  c.security.allowed_hosts = {"example.com:*", "[::1]:8443"};
  c.security.allowed_origins = {"https://app.example.com", "null", "*"};
  c.security.cors = true;
  c.security.cors_max_age = milliseconds(2 * 3600 * 1000);
  c.security.auth_tokens = {"tok-1", "tok.2~"};
  c.security.auth_token_file = "/run/secrets/ferry tokens";
  c.logging.level = "trace";
  c.tools.diagnostics = false;
  return c;
}

// --- Defaults and layers ----------------------------------------------------------------------

TEST_F(ConfigTest, DefaultsEqualStructInitializers) {
  auto config = Load();
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(*config, Config{});
  EXPECT_EQ(config->server.name, "ferry");
  EXPECT_EQ(config->performance.tool_timeout, milliseconds(30000));
  EXPECT_EQ(config->protocol.max_message_size, 4 * 1024 * 1024);
}

TEST_F(ConfigTest, EmptyFileGivesDefaults) {
  auto config = Load(WriteFile("empty.yaml", "# nothing here\n"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(*config, Config{});
}

TEST_F(ConfigTest, EmptySectionIsAllowed) {
  auto config = Load(WriteFile("c.yaml", "tools:\nserver:\n  port: 9\n"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.port, 9);
}

TEST_F(ConfigTest, FileSetsEveryKey) {
  auto config = Load(WriteFile("all.yaml", kAllKeysYaml));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(*config, AllKeysConfig());
}

TEST_F(ConfigTest, ProfileOverridesDefaults) {
  auto config = Load(std::nullopt, {"development"});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->logging.level, "debug");
  EXPECT_EQ(config->performance.tool_timeout, milliseconds(120000));
  EXPECT_EQ(config->server.port, 8080);  // untouched by the profile
}

TEST_F(ConfigTest, ProfilesApplyLeftToRight) {
  // development sets logging.level debug; production sets warn and a 30s tool_timeout.
  auto config = Load(std::nullopt, {"development", "production"});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->logging.level, "warn");
  EXPECT_EQ(config->performance.tool_timeout, milliseconds(30000));
  EXPECT_EQ(config->performance.blocking_workers, 2);  // from development, not reset

  auto reversed = Load(std::nullopt, {"production,development"});
  ASSERT_TRUE(reversed) << reversed.error().message;
  EXPECT_EQ(reversed->logging.level, "debug");
  EXPECT_EQ(reversed->performance.tool_timeout, milliseconds(120000));
}

TEST_F(ConfigTest, FileOverridesProfile) {
  auto config =
      Load(WriteFile("c.yaml", "logging:\n  level: error\n"), {"development", "production"});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->logging.level, "error");
  EXPECT_EQ(config->performance.shutdown_timeout, milliseconds(30000));  // from production
}

TEST_F(ConfigTest, FileProfileKeyAsStringAndList) {
  auto single = Load(WriteFile("a.yaml", "profile: high-load\nserver:\n  port: 1\n"));
  ASSERT_TRUE(single) << single.error().message;
  EXPECT_EQ(single->performance.queue_capacity, 10000);
  EXPECT_EQ(single->server.port, 1);

  auto list = Load(WriteFile("b.yaml", "profile: [production, low_latency]\n"));
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->logging.level, "warn");            // production
  EXPECT_EQ(list->performance.queue_capacity, 256);  // low_latency, applied last
  EXPECT_EQ(list->protocol.request_timeout, milliseconds(10000));

  auto commas = Load(WriteFile("c.yaml", "profile: production, low_latency\n"));
  ASSERT_TRUE(commas) << commas.error().message;
  EXPECT_EQ(*commas, *list);
}

TEST_F(ConfigTest, FileKeysOverrideFileProfile) {
  auto config =
      Load(WriteFile("a.yaml", "performance:\n  queue_capacity: 20000\nprofile: high-load\n"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->performance.queue_capacity, 20000);
}

TEST_F(ConfigTest, ProfileSourcesPrecedence) {
  const std::string file = WriteFile("a.yaml", "profile: development\n");
  SetEnv("FERRY_PROFILE", "production");
  // FERRY_PROFILE beats the file's profile key.
  auto from_env = Load(file);
  ASSERT_TRUE(from_env) << from_env.error().message;
  EXPECT_EQ(from_env->logging.level, "warn");
  // The explicit list beats FERRY_PROFILE.
  auto explicit_list = Load(file, {"low_latency"});
  ASSERT_TRUE(explicit_list) << explicit_list.error().message;
  EXPECT_EQ(explicit_list->logging.level, "info");
  EXPECT_EQ(explicit_list->performance.queue_capacity, 256);
  // Without the environment, the file's profile applies.
  auto no_env = LoadConfig(WithoutEnvironment(file));
  ASSERT_TRUE(no_env) << no_env.error().message;
  EXPECT_EQ(no_env->logging.level, "debug");
}

TEST_F(ConfigTest, FerryProfileIsCommaSeparated) {
  SetEnv("FERRY_PROFILE", " development , high_throughput ");
  auto config = Load();
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->logging.level, "debug");
  EXPECT_EQ(config->performance.queue_capacity, 10000);
}

TEST_F(ConfigTest, FerryConfigNamesTheFile) {
  SetEnv("FERRY_CONFIG", WriteFile("env.yaml", "server:\n  port: 1111\n"));
  auto from_env = Load();
  ASSERT_TRUE(from_env) << from_env.error().message;
  EXPECT_EQ(from_env->server.port, 1111);

  // An explicit file wins over FERRY_CONFIG.
  auto explicit_file = Load(WriteFile("explicit.yaml", "server:\n  port: 2222\n"));
  ASSERT_TRUE(explicit_file) << explicit_file.error().message;
  EXPECT_EQ(explicit_file->server.port, 2222);
}

TEST_F(ConfigTest, EnvironmentOverridesFile) {
  SetEnv("FERRY_PERFORMANCE__TOOL_TIMEOUT", "5");
  SetEnv("FERRY_PROTOCOL__MAX_MESSAGE_SIZE", "1MiB");
  SetEnv("FERRY_SERVER__INSTRUCTIONS", "use the tools");
  auto config = Load(WriteFile("c.yaml",
                               "performance:\n  tool_timeout: 45s\n  queue_capacity: 300\n"
                               "protocol:\n  max_message_size: 8MiB\n"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->performance.tool_timeout, milliseconds(5000));
  EXPECT_EQ(config->performance.queue_capacity, 300);  // from the file
  EXPECT_EQ(config->protocol.max_message_size, 1024 * 1024);
  EXPECT_EQ(config->server.instructions, "use the tools");
}

TEST_F(ConfigTest, ReadEnvironmentFalseIgnoresEnvironment) {
  SetEnv("FERRY_PERFORMANCE__TOOL_TIMEOUT", "5");
  SetEnv("FERRY_PROFILE", "development");
  SetEnv("FERRY_CONFIG", WriteFile("env.yaml", "server:\n  port: 1111\n"));
  SetEnv("FERRY_NOT__A_KEY", "1");
  auto config = LoadConfig(WithoutEnvironment(std::nullopt));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(*config, Config{});
}

TEST_F(ConfigTest, OverridesBeatEnvironment) {
  SetEnv("FERRY_SERVER__PORT", "1234");
  SetEnv("FERRY_LOGGING__LEVEL", "error");
  auto config = Load(WriteFile("c.yaml", "server:\n  port: 1000\n"), {"development"},
                     {{"server.port", "4321"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.port, 4321);
  EXPECT_EQ(config->logging.level, "error");
}

TEST_F(ConfigTest, EveryProfileLoadsAndChangesSomething) {
  const std::vector<std::string> names = ProfileNames();
  EXPECT_EQ(names, (std::vector<std::string>{"development", "production", "high-load",
                                             "resource-constrained", "low_latency",
                                             "high_throughput", "resource_efficient"}));
  for (const std::string& name : names) {
    auto config = Load(std::nullopt, {name});
    ASSERT_TRUE(config) << name << ": " << config.error().message;
    EXPECT_NE(*config, Config{}) << name;
    // Each profile is described, with its values, in both references.
    EXPECT_THAT(DescribeConfig(false), HasSubstr("\n" + name + "\n")) << name;
    EXPECT_THAT(DescribeConfig(true), HasSubstr("### " + name + "\n")) << name;
  }
}

TEST_F(ConfigTest, ProfileValuesAreSensible) {
  auto high_load = Load(std::nullopt, {"high-load"});
  auto constrained = Load(std::nullopt, {"resource-constrained"});
  auto efficient = Load(std::nullopt, {"resource_efficient"});
  auto throughput = Load(std::nullopt, {"high_throughput"});
  auto latency = Load(std::nullopt, {"low_latency"});
  ASSERT_TRUE(high_load && constrained && efficient && throughput && latency);
  const Config defaults;
  EXPECT_GT(high_load->performance.queue_capacity, defaults.performance.queue_capacity);
  EXPECT_GT(throughput->performance.backpressure_threshold,
            defaults.performance.backpressure_threshold);
  EXPECT_EQ(throughput->performance.worker_count, 0);
  EXPECT_LT(constrained->protocol.max_message_size, defaults.protocol.max_message_size);
  EXPECT_LT(efficient->performance.queue_capacity, defaults.performance.queue_capacity);
  EXPECT_GT(efficient->performance.worker_count, 0);
  EXPECT_LT(latency->performance.tool_timeout, defaults.performance.tool_timeout);

  auto production = Load(std::nullopt, {"production"});
  ASSERT_TRUE(production) << production.error().message;
  EXPECT_EQ(production->performance.rate_limit_requests, 6000);
  EXPECT_EQ(production->performance.rate_limit_window, milliseconds(60000));
  EXPECT_TRUE(production->http.legacy_sse);
  EXPECT_EQ(high_load->performance.max_connections, 10000);
  EXPECT_EQ(throughput->performance.max_connections, 10000);
  EXPECT_EQ(throughput->http.io_threads, 0);
  for (const Config* small : {&*constrained, &*efficient}) {
    EXPECT_EQ(small->performance.max_connections, 64);
    EXPECT_EQ(small->http.max_sessions, 256);
    EXPECT_EQ(small->sse.event_store_size, 8 * 1024 * 1024);
    EXPECT_EQ(small->http.io_threads, 1);
  }
  // No profile turns CORS on or changes who may connect.
  for (const std::string& name : ProfileNames()) {
    auto config = Load(std::nullopt, {name});
    ASSERT_TRUE(config) << name;
    EXPECT_EQ(config->security, defaults.security) << name;
  }
}

// --- Value syntax -----------------------------------------------------------------------------

TEST_F(ConfigTest, DurationSyntax) {
  const std::vector<std::pair<std::string, milliseconds>> cases = {
      {"0.5", milliseconds(500)},     {"30", milliseconds(30000)},
      {"250ms", milliseconds(250)},   {"30s", milliseconds(30000)},
      {"5m", milliseconds(300000)},   {"1h", milliseconds(3600000)},
      {"1.5s", milliseconds(1500)},   {" 2 s ", milliseconds(2000)},
      {"0.001", milliseconds(1)},     {"0.1", milliseconds(100)},
      {"0.29", milliseconds(290)},    {"24h", milliseconds(86400000)},
      {"1.25m", milliseconds(75000)}, {"2MS", milliseconds(2)},
      {"+3", milliseconds(3000)},
  };
  for (const auto& [text, expected] : cases) {
    auto config = Load(std::nullopt, {}, {{"performance.tool_timeout", text}});
    ASSERT_TRUE(config) << text << ": " << config.error().message;
    EXPECT_EQ(config->performance.tool_timeout, expected) << text;
  }
  // YAML numbers are seconds too.
  auto yaml = Load(WriteFile("c.yaml", "performance:\n  tool_timeout: 0.25\n"));
  ASSERT_TRUE(yaml) << yaml.error().message;
  EXPECT_EQ(yaml->performance.tool_timeout, milliseconds(250));
}

TEST_F(ConfigTest, SizeSyntax) {
  const std::vector<std::pair<std::string, std::int64_t>> cases = {
      {"1048576", 1048576}, {"4MiB", 4 << 20}, {"512KiB", 512 << 10},  {"2KB", 2000},
      {"3MB", 3000000},     {"1GiB", 1 << 30}, {"1GB", 1000000000},    {"1.5MiB", 1572864},
      {"2048B", 2048},      {"8mib", 8 << 20}, {" 16 KiB ", 16 << 10},
  };
  for (const auto& [text, expected] : cases) {
    auto config = Load(std::nullopt, {}, {{"protocol.max_message_size", text}});
    ASSERT_TRUE(config) << text << ": " << config.error().message;
    EXPECT_EQ(config->protocol.max_message_size, expected) << text;
  }
}

TEST_F(ConfigTest, BoolSyntax) {
  for (const std::string text : {"true", "yes", "on", "1", "TRUE", "Yes"}) {
    auto config = Load(std::nullopt, {}, {{"tools.diagnostics", text}});
    ASSERT_TRUE(config) << text << ": " << config.error().message;
    EXPECT_TRUE(config->tools.diagnostics) << text;
  }
  for (const std::string text : {"false", "no", "off", "0", "False", "OFF"}) {
    auto config = Load(std::nullopt, {}, {{"tools.diagnostics", text}});
    ASSERT_TRUE(config) << text << ": " << config.error().message;
    EXPECT_FALSE(config->tools.diagnostics) << text;
  }
}

TEST_F(ConfigTest, EnumIsCaseInsensitiveAndStoredLowercase) {
  auto config = Load(WriteFile("c.yaml", "logging:\n  level: DEBUG\n"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->logging.level, "debug");
}

TEST_F(ConfigTest, StringsKeepTheirText) {
  auto config = Load(WriteFile("c.yaml", "server:\n  name: 123\n  instructions: \"  padded  \"\n"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.name, "123");
  EXPECT_EQ(config->server.instructions, "  padded  ");
}

using Strings = std::vector<std::string>;

TEST_F(ConfigTest, ListFromYaml) {
  auto config = Load(WriteFile("c.yaml", R"(security:
  allowed_hosts:
    - "  example.com:*  "
    - "[::1]:8443"
  allowed_origins: ["http://localhost:*", 'https://app.example.com']
  auth_tokens: []
)"));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->security.allowed_hosts, (Strings{"example.com:*", "[::1]:8443"}));
  EXPECT_EQ(config->security.allowed_origins,
            (Strings{"http://localhost:*", "https://app.example.com"}));
  EXPECT_TRUE(config->security.auth_tokens.empty());

  // A scalar is read like the environment: comma-separated, "" and "[]" being empty.
  const std::vector<std::pair<std::string, Strings>> scalars = {
      {"example.com", {"example.com"}},
      {"a.example, b.example ,c.example", {"a.example", "b.example", "c.example"}},
      {"\"\"", {}},
      {"\"[]\"", {}},
      {"\" \"", {}},
  };
  for (const auto& [yaml, expected] : scalars) {
    auto scalar = Load(WriteFile("s.yaml", "security:\n  allowed_hosts: " + yaml + "\n"));
    ASSERT_TRUE(scalar) << yaml << ": " << scalar.error().message;
    EXPECT_EQ(scalar->security.allowed_hosts, expected) << yaml;
  }
}

TEST_F(ConfigTest, ListFromEnvironmentAndOverride) {
  const std::string file = WriteFile("c.yaml", "security:\n  allowed_hosts: [a, b]\n");
  SetEnv("FERRY_SECURITY__ALLOWED_ORIGINS", "http://localhost:*,https://app.example.com");
  SetEnv("FERRY_SECURITY__ALLOWED_HOSTS", " x.example , [::1]:* ");
  auto config = Load(file);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->security.allowed_origins,
            (Strings{"http://localhost:*", "https://app.example.com"}));
  EXPECT_EQ(config->security.allowed_hosts, (Strings{"x.example", "[::1]:*"}));

  // An empty variable, or [], empties the list the file set.
  for (const std::string empty : {"", "[]", "  "}) {
    SetEnv("FERRY_SECURITY__ALLOWED_HOSTS", empty);
    auto emptied = Load(file);
    ASSERT_TRUE(emptied) << emptied.error().message;
    EXPECT_TRUE(emptied->security.allowed_hosts.empty()) << "\"" << empty << "\"";
  }

  // Overrides (command-line flags) win, with the same syntax.
  auto overridden = Load(file, {}, {{"security.allowed_hosts", "one.example,two.example"}});
  ASSERT_TRUE(overridden) << overridden.error().message;
  EXPECT_EQ(overridden->security.allowed_hosts, (Strings{"one.example", "two.example"}));
}

TEST_F(ConfigTest, BadList) {
  SetEnv("FERRY_SECURITY__ALLOWED_HOSTS", "a,,b");
  EXPECT_EQ(ErrorOf(Load()),
            "security.allowed_hosts = a,,b (from FERRY_SECURITY__ALLOWED_HOSTS): item 2 is empty");
  UnsetEnv("FERRY_SECURITY__ALLOWED_HOSTS");

  EXPECT_EQ(ErrorOfOverride("security.allowed_origins", "https://a.example,"),
            "security.allowed_origins = https://a.example, (from override "
            "security.allowed_origins): item 2 is empty");

  const std::vector<std::pair<std::string, std::string>> files = {
      {"allowed_hosts:\n", "has no value (write [] for an empty list)"},
      {"allowed_hosts: {a: 1}\n", "must be a list, not a map"},
      {"allowed_hosts: [a, \"  \"]\n", "item 2 is empty"},
      {"allowed_hosts: [a, ~]\n", "item 2 is empty"},
      {"allowed_hosts:\n    - a\n    -\n", "item 2 is empty"},
      {"allowed_hosts: [[a, b]]\n", "item 1 must be a string, not a list"},
      {"allowed_hosts: [{a: b}]\n", "item 1 must be a string, not a map"},
      {"allowed_hosts: [\"a,b\"]\n", "item 1 contains a comma, which separates list items"},
  };
  for (const auto& [yaml, reason] : files) {
    const std::string message = ErrorOfFile("security:\n  " + yaml);
    EXPECT_THAT(message, HasSubstr("security.allowed_hosts = ")) << yaml;
    EXPECT_THAT(message, HasSubstr("config.yaml:2)")) << yaml;
    EXPECT_THAT(message, HasSubstr("): " + reason)) << yaml;
  }
  EXPECT_THAT(ErrorOfFile("security:\n  allowed_hosts: [a, ~]\n"),
              HasSubstr("security.allowed_hosts = [a, ~]"));
}

TEST_F(ConfigTest, BadSecretListKeepsTheSecretOutOfTheMessage) {
  SetEnv("FERRY_SECURITY__AUTH_TOKENS", "s3cret-one,,s3cret-two");
  const std::string message = ErrorOf(Load());
  EXPECT_EQ(message,
            "security.auth_tokens = <redacted> (from FERRY_SECURITY__AUTH_TOKENS): item 2 "
            "is empty");
  UnsetEnv("FERRY_SECURITY__AUTH_TOKENS");

  const std::string file = ErrorOfFile("security:\n  auth_tokens: [s3cret-one, [s3cret-two]]\n");
  EXPECT_THAT(file, Not(HasSubstr("s3cret")));
  EXPECT_THAT(file, HasSubstr("item 2 must be a string, not a list"));
}

// --- Errors -----------------------------------------------------------------------------------

TEST_F(ConfigTest, OutOfRangeFromEnvironmentNamesKeyValueSourceAndReason) {
  SetEnv("FERRY_PERFORMANCE__QUEUE_CAPACITY", "-5");
  EXPECT_EQ(ErrorOf(Load()),
            "performance.queue_capacity = -5 (from FERRY_PERFORMANCE__QUEUE_CAPACITY): must be "
            "between 1 and 1000000");
}

TEST_F(ConfigTest, OutOfRangeFromFileNamesFileAndLine) {
  const std::string message = ErrorOfFile("server:\n  name: x\n  port: 70000\n");
  EXPECT_THAT(message, HasSubstr("server.port = 70000"));
  EXPECT_THAT(message, HasSubstr("config.yaml:3)"));
  EXPECT_THAT(message, HasSubstr("must be between 0 and 65535"));
}

TEST_F(ConfigTest, OutOfRangeDurationAndSize) {
  EXPECT_EQ(ErrorOfOverride("performance.tool_timeout", "25h"),
            "performance.tool_timeout = 25h (from override performance.tool_timeout): must be "
            "between 1ms and 24h");
  EXPECT_EQ(ErrorOfOverride("performance.shutdown_timeout", "-1s"),
            "performance.shutdown_timeout = -1s (from override performance.shutdown_timeout): "
            "must be between 0s and 10m");
  EXPECT_EQ(ErrorOfOverride("protocol.max_message_size", "2GiB"),
            "protocol.max_message_size = 2GiB (from override protocol.max_message_size): must be "
            "between 1KiB and 1GiB");
  EXPECT_THAT(ErrorOfOverride("protocol.max_message_size", "99999999999999999999"),
              HasSubstr("must be between 1KiB and 1GiB"));
  EXPECT_THAT(ErrorOfOverride("server.port", "99999999999999999999"),
              HasSubstr("must be between 0 and 65535"));
}

TEST_F(ConfigTest, NewKeysAreRangeChecked) {
  struct Case {
    std::string key;
    std::string value;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"performance.max_connections", "0", "must be between 1 and 1000000"},
      {"performance.max_connections", "1000001", "must be between 1 and 1000000"},
      {"performance.rate_limit_requests", "-1", "must be between 0 and 100000000"},
      {"performance.rate_limit_requests", "100000001", "must be between 0 and 100000000"},
      {"performance.rate_limit_window", "999ms", "must be between 1s and 24h"},
      {"performance.rate_limit_window", "25h", "must be between 1s and 24h"},
      {"http.io_threads", "65", "must be between 0 and 64"},
      {"http.io_threads", "-1", "must be between 0 and 64"},
      {"http.stateless", "sometimes", "must be true or false (or yes/no, on/off, 1/0)"},
      {"http.legacy_sse", "2", "must be true or false (or yes/no, on/off, 1/0)"},
      {"http.response_mode", "json", "must be one of auto, sse"},
      {"http.max_header_size", "1023", "must be between 1KiB and 1MiB"},
      {"http.max_header_size", "2MiB", "must be between 1KiB and 1MiB"},
      {"http.header_timeout", "99ms", "must be between 100ms and 10m"},
      {"http.header_timeout", "11m", "must be between 100ms and 10m"},
      {"http.connection_timeout", "0.5", "must be between 1s and 24h"},
      {"http.connection_timeout", "24.5h", "must be between 1s and 24h"},
      {"http.write_timeout", "0", "must be between 100ms and 10m"},
      {"http.write_timeout", "601", "must be between 100ms and 10m"},
      {"http.max_sessions", "0", "must be between 1 and 1000000"},
      {"http.max_sessions", "2000000", "must be between 1 and 1000000"},
      {"http.session_timeout", "500ms", "must be between 1s and 168h"},
      {"http.session_timeout", "169h", "must be between 1s and 168h"},
      {"sse.keepalive_interval", "0", "must be between 1s and 10m"},
      {"sse.keepalive_interval", "11m", "must be between 1s and 10m"},
      {"sse.max_queue_size", "0", "must be between 1 and 1000000"},
      {"sse.max_queue_size", "1000001", "must be between 1 and 1000000"},
      {"sse.retry", "-1", "must be between 0s and 10m"},
      {"sse.retry", "601s", "must be between 0s and 10m"},
      {"sse.event_store_size", "-1", "must be between 0 and 16GiB"},
      {"sse.event_store_size", "17GiB", "must be between 0 and 16GiB"},
      {"security.cors", "maybe", "must be true or false (or yes/no, on/off, 1/0)"},
      {"security.cors_max_age", "-1s", "must be between 0s and 24h"},
      {"security.cors_max_age", "25h", "must be between 0s and 24h"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrorOfOverride(c.key, c.value),
              c.key + " = " + c.value + " (from override " + c.key + "): " + c.reason);
  }
  // The bounds themselves are accepted.
  const std::map<std::string, std::string> bounds = {
      {"performance.max_connections", "1000000"},
      {"performance.rate_limit_requests", "0"},
      {"performance.rate_limit_window", "1s"},
      {"http.io_threads", "0"},
      {"http.max_header_size", "1KiB"},
      {"http.header_timeout", "100ms"},
      {"http.connection_timeout", "24h"},
      {"http.write_timeout", "10m"},
      {"http.session_timeout", "1s"},
      {"sse.keepalive_interval", "10m"},
      {"sse.retry", "0"},
      {"sse.event_store_size", "0"},
      {"security.cors_max_age", "0"},
      {"security.auth_token_file", ""},
  };
  auto config = Load(std::nullopt, {}, bounds);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->http.session_timeout, milliseconds(1000));
  EXPECT_EQ(config->sse.event_store_size, 0);
  auto longest_retry = Load(std::nullopt, {}, {{"sse.retry", "10m"}});
  ASSERT_TRUE(longest_retry) << longest_retry.error().message;
  EXPECT_EQ(longest_retry->sse.retry, milliseconds(600000));
}

TEST_F(ConfigTest, WrongTypeNamesKeyValueAndReason) {
  EXPECT_EQ(ErrorOfOverride("server.port", "eighty"),
            "server.port = eighty (from override server.port): must be an integer");
  EXPECT_THAT(ErrorOfOverride("server.port", "80.5"), HasSubstr("must be an integer"));
  EXPECT_THAT(ErrorOfOverride("server.port", ""), HasSubstr("server.port = \"\""));

  const std::string list = ErrorOfFile("performance:\n  worker_count: [1, 2]\n");
  EXPECT_THAT(list, HasSubstr("performance.worker_count = [1, 2]"));
  EXPECT_THAT(list, HasSubstr("must be a single value, not a list"));

  const std::string map = ErrorOfFile("server:\n  name: {a: 1}\n");
  EXPECT_THAT(map, HasSubstr("server.name = {a: 1}"));
  EXPECT_THAT(map, HasSubstr("not a map"));

  const std::string null = ErrorOfFile("server:\n  name:\n");
  EXPECT_THAT(null, HasSubstr("server.name"));
  EXPECT_THAT(null, HasSubstr("config.yaml:2"));
  EXPECT_THAT(null, HasSubstr("has no value"));

  EXPECT_THAT(ErrorOfOverride("server.name", ""), HasSubstr("must not be empty"));
}

TEST_F(ConfigTest, BadDuration) {
  SetEnv("FERRY_PERFORMANCE__TOOL_TIMEOUT", "30 seconds");
  const std::string message = ErrorOf(Load());
  EXPECT_THAT(message, HasSubstr("performance.tool_timeout = 30 seconds"));
  EXPECT_THAT(message, HasSubstr("(from FERRY_PERFORMANCE__TOOL_TIMEOUT)"));
  EXPECT_THAT(message, HasSubstr("must be a duration"));
  UnsetEnv("FERRY_PERFORMANCE__TOOL_TIMEOUT");

  for (const std::string text : {"fast", "ms", "1.2.3s", "5d", "-", ".", "1e3"}) {
    EXPECT_THAT(ErrorOfOverride("performance.tool_timeout", text), HasSubstr("must be a duration"))
        << text;
  }
  EXPECT_THAT(ErrorOfOverride("performance.tool_timeout", "0.0001"),
              HasSubstr("must be a whole number of milliseconds"));
  EXPECT_THAT(ErrorOfOverride("performance.tool_timeout", "1.5ms"),
              HasSubstr("must be a whole number of milliseconds"));
}

TEST_F(ConfigTest, BadSize) {
  const std::string message = ErrorOfFile("protocol:\n  max_message_size: 4 megabytes\n");
  EXPECT_THAT(message, HasSubstr("protocol.max_message_size = 4 megabytes"));
  EXPECT_THAT(message, HasSubstr("config.yaml:2"));
  EXPECT_THAT(message, HasSubstr("must be a size"));
  EXPECT_THAT(ErrorOfOverride("protocol.max_message_size", "4M"), HasSubstr("must be a size"));
  EXPECT_THAT(ErrorOfOverride("protocol.max_message_size", "1500.5"),
              HasSubstr("must be a whole number of bytes"));
}

TEST_F(ConfigTest, BadBool) {
  SetEnv("FERRY_TOOLS__DIAGNOSTICS", "maybe");
  EXPECT_EQ(ErrorOf(Load()),
            "tools.diagnostics = maybe (from FERRY_TOOLS__DIAGNOSTICS): must be true or false "
            "(or yes/no, on/off, 1/0)");
}

TEST_F(ConfigTest, BadEnum) {
  const std::string message = ErrorOfFile("logging:\n  level: verbose\n");
  EXPECT_THAT(message, HasSubstr("logging.level = verbose"));
  EXPECT_THAT(message, HasSubstr("must be one of trace, debug, info, warn, error, off"));
}

TEST_F(ConfigTest, UnknownKeySuggestsNearest) {
  const std::string message = ErrorOfFile("performance:\n  queue_capacty: 10\n");
  EXPECT_THAT(message, HasSubstr("unknown key performance.queue_capacty"));
  EXPECT_THAT(message, HasSubstr("config.yaml:2"));
  EXPECT_THAT(message, HasSubstr("did you mean performance.queue_capacity?"));
}

TEST_F(ConfigTest, KeyInWrongSectionSuggestsItsSection) {
  const std::string message = ErrorOfFile("server:\n  tool_timeout: 10\n");
  EXPECT_THAT(message, HasSubstr("unknown key server.tool_timeout"));
  EXPECT_THAT(message, HasSubstr("did you mean performance.tool_timeout?"));
}

TEST_F(ConfigTest, UnknownKeyWithoutNearMissListsKeys) {
  const std::string message = ErrorOfFile("tools:\n  everything: true\n");
  EXPECT_THAT(message, HasSubstr("unknown key tools.everything"));
  EXPECT_THAT(message, HasSubstr("keys of tools: diagnostics"));
}

TEST_F(ConfigTest, UnknownSectionSuggestsNearest) {
  const std::string message = ErrorOfFile("perfomance:\n  worker_count: 2\n");
  EXPECT_THAT(message, HasSubstr("unknown section perfomance"));
  EXPECT_THAT(message, HasSubstr("config.yaml:1"));
  EXPECT_THAT(message, HasSubstr("did you mean performance?"));

  const std::string top_level_key = ErrorOfFile("port: 80\n");
  EXPECT_THAT(top_level_key, HasSubstr("did you mean server.port?"));

  const std::string unrelated = ErrorOfFile("database:\n  url: x\n");
  EXPECT_THAT(unrelated, HasSubstr("sections: server, performance, protocol, http, sse, security, "
                                   "logging, tools"));
}

TEST_F(ConfigTest, UnknownEnvironmentKey) {
  SetEnv("FERRY_PERFORMANCE__WORKER_CONT", "4");
  const std::string message = ErrorOf(Load());
  EXPECT_THAT(message, HasSubstr("unknown key performance.worker_cont"));
  EXPECT_THAT(message, HasSubstr("(from FERRY_PERFORMANCE__WORKER_CONT)"));
  EXPECT_THAT(message, HasSubstr("did you mean performance.worker_count?"));
}

TEST_F(ConfigTest, UnknownEnvironmentSection) {
  SetEnv("FERRY_SERVR__PORT", "4");
  const std::string message = ErrorOf(Load());
  EXPECT_THAT(message, HasSubstr("unknown section servr (from FERRY_SERVR__PORT)"));
  EXPECT_THAT(message, HasSubstr("did you mean server?"));
}

TEST_F(ConfigTest, UnknownOverrideKey) {
  EXPECT_THAT(ErrorOfOverride("protocol.page_sise", "3"),
              HasSubstr("unknown key protocol.page_sise (from override protocol.page_sise); did "
                        "you mean protocol.page_size?"));
  EXPECT_THAT(ErrorOfOverride("port", "3"), HasSubstr("must name a key as section.key"));
}

TEST_F(ConfigTest, UnknownProfileListsValidNames) {
  const std::string message = ErrorOf(Load(std::nullopt, {"prod"}));
  EXPECT_THAT(message, HasSubstr("unknown profile prod (from --profile)"));
  EXPECT_THAT(message, HasSubstr("profiles: development, production, high-load, "
                                 "resource-constrained, low_latency, high_throughput, "
                                 "resource_efficient"));

  const std::string typo = ErrorOfFile("profile: high_load\n");
  EXPECT_THAT(typo, HasSubstr("unknown profile high_load (from "));
  EXPECT_THAT(typo, HasSubstr("config.yaml:1)"));
  EXPECT_THAT(typo, HasSubstr("did you mean high-load?"));

  SetEnv("FERRY_PROFILE", "development,nope");
  EXPECT_THAT(ErrorOf(Load()), HasSubstr("unknown profile nope (from FERRY_PROFILE)"));
}

TEST_F(ConfigTest, NonMapSectionAndDocument) {
  const std::string section = ErrorOfFile("server: 8080\n");
  EXPECT_THAT(section, HasSubstr("section server"));
  EXPECT_THAT(section, HasSubstr("must be a map of keys, not 8080"));

  const std::string list_section = ErrorOfFile("performance:\n  - worker_count\n");
  EXPECT_THAT(list_section, HasSubstr("section performance"));
  EXPECT_THAT(list_section, HasSubstr("must be a map of keys"));

  EXPECT_THAT(ErrorOfFile("- a\n- b\n"), HasSubstr("must be a map of sections"));
  EXPECT_THAT(ErrorOfFile("profile: {a: 1}\n"),
              HasSubstr("profile must be a name or a list of names"));
}

TEST_F(ConfigTest, DuplicateKeys) {
  EXPECT_THAT(ErrorOfFile("server:\n  port: 1\n  port: 2\n"),
              HasSubstr("duplicate key server.port"));
  EXPECT_THAT(ErrorOfFile("server:\n  port: 1\nserver:\n  port: 2\n"),
              HasSubstr("duplicate section server"));
}

TEST_F(ConfigTest, YamlSyntaxErrorNamesFileAndLine) {
  const std::string path = WriteFile("broken.yaml", "server:\n  port: 1\n  name: [unclosed\n");
  const std::string message = ErrorOf(Load(path));
  EXPECT_THAT(message, HasSubstr(path + ":"));
  EXPECT_THAT(message, HasSubstr("YAML syntax error"));

  const std::string tabs = WriteFile("tabs.yaml", "server:\n  port: 1\n bad: : :\n");
  const std::string tabs_message = ErrorOf(Load(tabs));
  EXPECT_THAT(tabs_message, HasSubstr(tabs + ":3:"));
}

TEST_F(ConfigTest, MissingFileIsAnIoError) {
  auto config = Load((dir_ / "absent.yaml").string());
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code, ErrorCode::kIo);
  EXPECT_THAT(config.error().message, HasSubstr("absent.yaml"));

  auto directory = Load(dir_.string());
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().code, ErrorCode::kIo);
  EXPECT_THAT(directory.error().message, HasSubstr("Is a directory"));
}

TEST_F(ConfigTest, CrossCheckBackpressureWithinQueueCapacity) {
  SetEnv("FERRY_PERFORMANCE__BACKPRESSURE_THRESHOLD", "2000");
  const std::string message = ErrorOf(Load(WriteFile("c.yaml", "server:\n  port: 1\n")));
  EXPECT_THAT(message, HasSubstr("performance.backpressure_threshold = 2000 (from "
                                 "FERRY_PERFORMANCE__BACKPRESSURE_THRESHOLD) must not exceed "
                                 "performance.queue_capacity = 1024 (from default)"));

  // Checked on the result of all layers, so a later layer can make the pair consistent again.
  auto fixed = Load(std::nullopt, {}, {{"performance.queue_capacity", "2000"}});
  ASSERT_TRUE(fixed) << fixed.error().message;
  EXPECT_EQ(fixed->performance.backpressure_threshold, 2000);
  UnsetEnv("FERRY_PERFORMANCE__BACKPRESSURE_THRESHOLD");

  // A profile's large threshold is fine with its own large queue, not with a smaller one.
  auto shrunk = Load(std::nullopt, {"high-load"}, {{"performance.queue_capacity", "100"}});
  EXPECT_THAT(ErrorOf(shrunk), HasSubstr("(from profile high-load)"));
}

TEST_F(ConfigTest, CrossCheckRetryWithinSessionTimeout) {
  const std::string message =
      ErrorOf(Load(WriteFile("c.yaml", "http:\n  session_timeout: 30s\nsse:\n  retry: 30s\n")));
  EXPECT_THAT(message, HasSubstr("sse.retry = 30s (from "));
  EXPECT_THAT(message, HasSubstr("c.yaml:4) must be less than http.session_timeout = 30s (from "));
  EXPECT_THAT(message, HasSubstr("c.yaml:2): a client whose stream broke waits the retry delay"));

  auto fine = Load(std::nullopt, {}, {{"http.session_timeout", "30s"}, {"sse.retry", "29999ms"}});
  ASSERT_TRUE(fine) << fine.error().message;
  EXPECT_EQ(fine->sse.retry, milliseconds(29999));

  // Large messages need no larger event store: that is advice in the reference, not a check, as
  // stdio servers have no event store at all.
  auto large = Load(std::nullopt, {}, {{"protocol.max_message_size", "1GiB"}});
  ASSERT_TRUE(large) << large.error().message;
}

// --- Printing and the reference ---------------------------------------------------------------

TEST_F(ConfigTest, PrintConfigRoundTrips) {
  std::vector<Config> configs = {Config{}, AllKeysConfig()};
  for (const std::string& name : ProfileNames()) {
    auto config = Load(std::nullopt, {name});
    ASSERT_TRUE(config) << config.error().message;
    configs.push_back(*config);
  }
  Config odd;
  odd.server.instructions = "'single' \"double\" \\ back\r\n: colon - dash\x01";
  odd.server.name = "true";
  odd.server.host = "null";
  odd.performance.tool_timeout = milliseconds(86399999);
  odd.performance.shutdown_timeout = milliseconds(600000);
  odd.protocol.max_message_size = 1024LL * 1024 * 1024;
  odd.protocol.request_timeout = milliseconds(1);
  odd.logging.level = "off";
  odd.security.allowed_origins = {"'q'",        "\"dq\"", "#hash",   "\u00fcn\u00efcode",
                                  "a b",        "- dash", ": colon", "*",
                                  "&anchor",    "!tag",   "null",    "~",
                                  "[x]",        "{y}",    "true",    "123",
                                  "back\\slash"};
  odd.security.allowed_hosts = {"only"};
  odd.sse.event_store_size = 0;
  configs.push_back(odd);

  for (std::size_t i = 0; i < configs.size(); ++i) {
    const std::string printed = PrintConfig(configs[i]);
    // Tokens are printed redacted; the environment supplies them, as the reference advises.
    const std::vector<std::string>& tokens = configs[i].security.auth_tokens;
    if (tokens.empty()) {
      UnsetEnv("FERRY_SECURITY__AUTH_TOKENS");
    } else {
      SetEnv("FERRY_SECURITY__AUTH_TOKENS", JoinCommas(tokens));
    }
    auto loaded = Load(WriteFile("printed" + std::to_string(i) + ".yaml", printed));
    ASSERT_TRUE(loaded) << loaded.error().message << "\n" << printed;
    EXPECT_EQ(*loaded, configs[i]) << printed;
    EXPECT_EQ(PrintConfig(*loaded), printed);
  }
}

TEST_F(ConfigTest, PrintConfigListsAsFlowSequences) {
  Config c;
  c.security.allowed_hosts = {"example.com:*", "[::1]:8443"};
  const std::string printed = PrintConfig(c);
  EXPECT_THAT(printed, HasSubstr("  allowed_hosts: [\"example.com:*\", \"[::1]:8443\"]\n"));
  EXPECT_THAT(printed, HasSubstr("  allowed_origins: []\n"));
  EXPECT_THAT(printed, HasSubstr("  auth_tokens: []\n"));
}

TEST_F(ConfigTest, PrintConfigRedactsAuthTokens) {
  Config c;
  c.security.auth_tokens = {"s3cret-one", "s3cret-two"};
  const std::string printed = PrintConfig(c);
  EXPECT_THAT(printed, Not(HasSubstr("s3cret")));
  EXPECT_THAT(printed, HasSubstr("  auth_tokens: [\"<redacted>\", \"<redacted>\"]  # secret, "
                                 "redacted; set it with FERRY_SECURITY__AUTH_TOKENS\n"));

  // The printed file does not load as it is: the placeholders must not become real tokens.
  const std::string path = WriteFile("printed.yaml", printed);
  const std::string message = ErrorOf(Load(path));
  EXPECT_THAT(message, HasSubstr("security.auth_tokens (from " + path + ":"));
  EXPECT_THAT(message, HasSubstr("holds the <redacted> placeholder that ferry config --print "
                                 "writes instead of secrets; set the real values with "
                                 "FERRY_SECURITY__AUTH_TOKENS, or remove the key"));

  // A later layer that replaces them makes it load, as does an override that clears them.
  SetEnv("FERRY_SECURITY__AUTH_TOKENS", "s3cret-one, s3cret-two");
  auto from_env = Load(path);
  ASSERT_TRUE(from_env) << from_env.error().message;
  EXPECT_EQ(*from_env, c);
  UnsetEnv("FERRY_SECURITY__AUTH_TOKENS");
  auto cleared = Load(path, {}, {{"security.auth_tokens", ""}});
  ASSERT_TRUE(cleared) << cleared.error().message;
  EXPECT_TRUE(cleared->security.auth_tokens.empty());

  // A placeholder mixed with real tokens is refused too.
  EXPECT_THAT(ErrorOfOverride("security.auth_tokens", "real,<redacted>"),
              HasSubstr("(from override security.auth_tokens) holds the <redacted> placeholder"));
}

TEST_F(ConfigTest, PrintConfigUsesUnits) {
  const std::string printed = PrintConfig(Config{});
  EXPECT_THAT(printed, HasSubstr("performance:\n"));
  EXPECT_THAT(printed, HasSubstr("  tool_timeout: 30s\n"));
  EXPECT_THAT(printed, HasSubstr("  request_timeout: 1m\n"));
  EXPECT_THAT(printed, HasSubstr("  max_message_size: 4MiB\n"));
  EXPECT_THAT(printed, HasSubstr("  instructions: \"\"\n"));
  EXPECT_THAT(printed, HasSubstr("  diagnostics: true\n"));

  Config c;
  c.performance.tool_timeout = milliseconds(250);
  c.protocol.max_message_size = 1000;
  EXPECT_THAT(PrintConfig(c), HasSubstr("  tool_timeout: 250ms\n"));
  EXPECT_THAT(PrintConfig(c), HasSubstr("  max_message_size: 1000\n"));
}

TEST_F(ConfigTest, DescribeListsEveryKeyWithItsEnvironmentVariable) {
  const std::string text = DescribeConfig(false);
  const std::string markdown = DescribeConfig(true);
  for (const std::string key : {"server.name",
                                "server.host",
                                "server.port",
                                "server.instructions",
                                "performance.worker_count",
                                "performance.blocking_workers",
                                "performance.queue_capacity",
                                "performance.backpressure_threshold",
                                "performance.tool_timeout",
                                "performance.shutdown_timeout",
                                "performance.stdio_drain_timeout",
                                "performance.max_connections",
                                "performance.rate_limit_requests",
                                "performance.rate_limit_window",
                                "protocol.max_message_size",
                                "protocol.page_size",
                                "protocol.max_pending_requests",
                                "protocol.request_timeout",
                                "http.io_threads",
                                "http.stateless",
                                "http.legacy_sse",
                                "http.response_mode",
                                "http.max_header_size",
                                "http.header_timeout",
                                "http.connection_timeout",
                                "http.write_timeout",
                                "http.max_sessions",
                                "http.session_timeout",
                                "sse.keepalive_interval",
                                "sse.max_queue_size",
                                "sse.retry",
                                "sse.event_store_size",
                                "security.allowed_hosts",
                                "security.allowed_origins",
                                "security.cors",
                                "security.cors_max_age",
                                "security.auth_tokens",
                                "security.auth_token_file",
                                "logging.level",
                                "tools.diagnostics"}) {
    std::string env = "FERRY_";
    for (char c : key) env += c == '.' ? std::string("__") : std::string(1, std::toupper(c));
    EXPECT_THAT(text, HasSubstr("\n" + key + "\n")) << key;
    EXPECT_THAT(text, HasSubstr("env: " + env + "\n")) << key;
    EXPECT_THAT(markdown, HasSubstr("| `" + key.substr(key.find('.') + 1) + "` |")) << key;
    EXPECT_THAT(markdown, HasSubstr("`" + env + "`")) << key;
  }
  EXPECT_THAT(text, HasSubstr("type: duration; default: 30s; range: 1ms to 24h"));
  EXPECT_THAT(text, HasSubstr("type: size; default: 4MiB; range: 1KiB to 1GiB"));
  EXPECT_THAT(text, HasSubstr("type: list; default: []; range: non-empty strings"));
  EXPECT_THAT(text, HasSubstr("type: enum; default: auto; range: auto, sse"));
  EXPECT_THAT(text, HasSubstr("type: duration; default: 30m; range: 1s to 168h"));
  EXPECT_THAT(markdown, HasSubstr("| `allowed_hosts` | list | `[]` | non-empty strings |"));
  EXPECT_THAT(markdown, HasSubstr("shows each as `<redacted>`"));
  // Sections appear in the documented order.
  std::size_t previous = 0;
  for (const std::string section :
       {"server", "performance", "protocol", "http", "sse", "security", "logging", "tools"}) {
    const std::size_t at = markdown.find("\n### " + section + "\n");
    ASSERT_NE(at, std::string::npos) << section;
    EXPECT_GT(at, previous) << section;
    previous = at;
  }
  EXPECT_THAT(markdown, HasSubstr("# Configuration\n"));
  EXPECT_THAT(markdown, HasSubstr("## Layers"));
  EXPECT_EQ(text.find('`'), std::string::npos);
}

TEST_F(ConfigTest, DocsMatchDescribeConfig) {
  const std::string path = std::string(FERRY_SOURCE_DIR) + "/docs/configuration.md";
  std::ifstream stream(path, std::ios::binary);
  ASSERT_TRUE(stream) << "cannot read " << path;
  std::stringstream contents;
  contents << stream.rdbuf();
  EXPECT_EQ(contents.str(), DescribeConfig(true))
      << path << " is out of date: regenerate it from DescribeConfig(true)";
}

}  // namespace
}  // namespace ferry
