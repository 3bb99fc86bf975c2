#include "common/log.h"

#include <mutex>
#include <string>

#include <spdlog/sinks/stdout_sinks.h>

namespace ferry {
namespace {

std::shared_ptr<spdlog::logger> MakeLogger() {
  auto logger = std::make_shared<spdlog::logger>(
      "ferry", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::info);
  return logger;
}

}  // namespace

spdlog::logger& Log() {
  static std::shared_ptr<spdlog::logger> logger = MakeLogger();
  return *logger;
}

Result<void> InitLogging(std::string_view level) {
  const std::string name(level);
  const auto parsed = spdlog::level::from_str(name);
  // from_str maps unknown names to `off`; only accept `off` when it was asked for.
  if (parsed == spdlog::level::off && name != "off") {
    return Fail(ErrorCode::kInvalidConfig, "unknown log level '" + name + "'");
  }
  Log().set_level(parsed);
  return {};
}

}  // namespace ferry
