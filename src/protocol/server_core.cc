#include "protocol/server_core.h"

#include <algorithm>

#include "common/log.h"
#include "protocol/session.h"

namespace ferry::protocol {
namespace json = boost::json;

namespace {

std::unique_ptr<telemetry::Metrics> MakeMetrics(const Implementation& info) {
  auto metrics = telemetry::Metrics::Create({.version = info.version});
  if (!metrics) {
    // Only a malformed built-in metric table gets here: a bug, caught by the unit tests.
    Log().critical("metrics: {}", metrics.error().message);
    std::abort();
  }
  return std::move(*metrics);
}

telemetry::PoolSource SourceOf(const runtime::ThreadPool& pool) {
  return {.queue_depth = [&pool] { return static_cast<double>(pool.queue_depth()); },
          .queue_capacity = [&pool] { return static_cast<double>(pool.capacity()); },
          .threads = [&pool] { return static_cast<double>(pool.threads()); }};
}

}  // namespace

ServerCore::ServerCore(Implementation info, Config config)
    : info_(std::move(info)),
      config_(std::move(config)),
      metrics_(MakeMetrics(info_)),
      executors_(config_.performance) {
  metrics_->SetPoolSource(telemetry::Pool::kCpu, SourceOf(executors_.cpu()));
  metrics_->SetPoolSource(telemetry::Pool::kBlocking, SourceOf(executors_.blocking()));
}

ServerCore::~ServerCore() {
  metrics_->SetPoolSource(telemetry::Pool::kCpu, {});
  metrics_->SetPoolSource(telemetry::Pool::kBlocking, {});
  executors_.Shutdown();
}

json::object ServerCore::Capabilities() const {
  json::object caps;
  caps["tools"] = json::object{{"listChanged", true}};
  caps["resources"] = json::object{{"subscribe", true}, {"listChanged", true}};
  caps["prompts"] = json::object{{"listChanged", true}};
  caps["completions"] = json::object{};
  caps["logging"] = json::object{};
  return caps;
}

void ServerCore::Attach(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mutex_);
  // Drop sessions that ended, so the list does not grow with churn.
  std::erase_if(sessions_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
  sessions_.push_back(session);
}

void ServerCore::Detach(const Session* session) {
  std::lock_guard lock(sessions_mutex_);
  std::erase_if(sessions_, [session](const std::weak_ptr<Session>& s) {
    auto locked = s.lock();
    return !locked || locked.get() == session;
  });
}

std::vector<std::shared_ptr<Session>> ServerCore::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard lock(sessions_mutex_);
  for (auto& weak : sessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

void ServerCore::Broadcast(std::string_view method, const json::value& params) {
  for (auto& s : LiveSessions()) s->Notify(method, params);
}

void ServerCore::NotifyResourceUpdated(std::string_view uri) {
  const json::value params = json::object{{"uri", uri}};
  for (auto& s : LiveSessions()) {
    if (s->IsSubscribed(uri)) s->Notify("notifications/resources/updated", params);
  }
}

}  // namespace ferry::protocol
