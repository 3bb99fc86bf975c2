#include "protocol/server_core.h"

#include <algorithm>

#include "protocol/session.h"

namespace ferry::protocol {
namespace json = boost::json;

ServerCore::ServerCore(Implementation info, Config config)
    : info_(std::move(info)), config_(std::move(config)), executors_(config_.performance) {}

ServerCore::~ServerCore() { executors_.Shutdown(); }

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
