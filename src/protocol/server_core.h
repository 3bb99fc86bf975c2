// ServerCore: what every session of one server shares: the configuration, the executors, the
// registry, the server's identity, and the set of live sessions (for list_changed and
// resources/updated notifications).
//
// Thread-safety: all methods are safe from any thread; sessions_mutex_ guards the session list.
#pragma once

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "ferry/server.h"
#include "protocol/registry.h"
#include "runtime/executors.h"
#include "telemetry/metrics.h"

namespace ferry::protocol {

class Session;

class ServerCore {
 public:
  ServerCore(Implementation info, Config config);
  ~ServerCore();

  const Implementation& info() const { return info_; }
  const Config& config() const { return config_; }
  Registry& registry() { return registry_; }
  runtime::Executors& executors() { return executors_; }
  telemetry::Metrics& metrics() { return *metrics_; }

  // The initialize result's capabilities object.
  boost::json::object Capabilities() const;

  void Attach(const std::shared_ptr<Session>& session);
  void Detach(const Session* session);

  // Sends `method` to every initialized session (e.g. notifications/tools/list_changed).
  void Broadcast(std::string_view method, const boost::json::value& params = nullptr);
  // Sends notifications/resources/updated to the sessions subscribed to `uri`.
  void NotifyResourceUpdated(std::string_view uri);

 private:
  std::vector<std::shared_ptr<Session>> LiveSessions();

  const Implementation info_;
  const Config config_;
  Registry registry_;
  std::unique_ptr<telemetry::Metrics> metrics_;  // before executors_: pools report into it
  runtime::Executors executors_;
  std::mutex sessions_mutex_;  // guards sessions_
  std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace ferry::protocol
