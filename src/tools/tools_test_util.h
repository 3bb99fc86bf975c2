// ToolGroupFixture: what the tool groups' tests share: a Server with one tool group registered
// (the document group unless Start is given another), one initialized MCP session writing to an in-memory Capture, a temporary
// directory whose "inside" subdirectory is the only allowed root, and calls that wait for their
// answers (Tool), or several sent at once that then run concurrently (Send, Await).
//
// Thread-safety: a test's methods are called from the test's thread; Capture is fed by the
// server's threads (mutex_ guards its queue).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "protocol/server_core.h"
#include "protocol/session.h"
#include "tools/documents/documents.h"

namespace ferry::tools {

class Capture final : public protocol::Outbound {
 public:
  void Send(std::string message) override {
    {
      std::lock_guard lock(mutex_);
      messages_.push_back(boost::json::parse(message));
    }
    cv_.notify_all();
  }
  // The next message, or null after 10 s without one.
  boost::json::value Next() {
    using namespace std::chrono_literals;
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, 10s, [&] { return !messages_.empty(); })) return nullptr;
    auto m = std::move(messages_.front());
    messages_.pop_front();
    return m;
  }

 private:
  std::mutex mutex_;  // guards messages_
  std::condition_variable cv_;
  std::deque<boost::json::value> messages_;
};

class ToolGroupFixture : public ::testing::Test {
 protected:
  ~ToolGroupFixture() override {
    using namespace std::chrono_literals;
    if (session_) {
      session_->CancelAll("done");
      session_->WaitIdle(std::chrono::steady_clock::now() + 5s);
    }
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }

  // Starts the server with the group `add` registers; `configure` may change the configuration
  // first (limits, roots).
  void Start(const std::function<void(Config&)>& configure = {},
             const std::function<Result<void>(Server&)>& add = documents::Register) {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("ferry-tools-" + std::to_string(::getpid()) + "-" + test->name());
    std::filesystem::create_directories(root_ / "inside");
    Config config;
    config.performance.worker_count = 2;
    config.documents.allowed_roots = {(root_ / "inside").string()};
    config.documents.store_size = 1024 * 1024;
    if (configure) configure(config);
    server_ = std::make_unique<Server>(Implementation{"t", "1", ""}, config);
    EXPECT_TRUE(add(*server_));
    out_ = std::make_shared<Capture>();
    session_ = std::make_shared<protocol::Session>(server_->core(), out_);
    server_->core().Attach(session_);
    Call("initialize", {{"protocolVersion", "2025-11-25"},
                        {"capabilities", boost::json::object{}},
                        {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
  }

  boost::json::value Call(std::string_view method, boost::json::object params) {
    const int id = SendRequest(method, std::move(params));
    return Await(id);
  }
  boost::json::object Tool(std::string_view name, boost::json::object args) {
    auto r = Call("tools/call", {{"name", name}, {"arguments", std::move(args)}});
    EXPECT_TRUE(r.is_object() && r.as_object().contains("result")) << boost::json::serialize(r);
    return r.is_object() && r.as_object().contains("result") ? r.at("result").as_object()
                                                             : boost::json::object{};
  }
  // A tools/call sent without waiting for its answer (Await it); returns its id.
  int Send(std::string_view name, boost::json::object args) {
    return SendRequest("tools/call", {{"name", name}, {"arguments", std::move(args)}});
  }
  // The answer to request `id` (null after 10 s without messages); answers to other requests
  // that arrive first are kept for their own Await, notifications skipped.
  boost::json::value Await(int id) {
    for (;;) {
      if (auto it = answers_.find(id); it != answers_.end()) {
        auto m = std::move(it->second);
        answers_.erase(it);
        return m;
      }
      auto m = out_->Next();
      if (m.is_null()) return m;
      if (const auto* i = m.as_object().if_contains("id"); i && i->is_int64()) {
        answers_[static_cast<int>(i->get_int64())] = std::move(m);
      }
    }
  }
  static bool IsError(const boost::json::object& result) {
    const auto* e = result.if_contains("isError");
    return e && e->is_bool() && e->get_bool();
  }
  static std::string TextOf(const boost::json::object& result, std::size_t i = 0) {
    return std::string(result.at("content").as_array().at(i).at("text").as_string());
  }
  static void Write(const std::filesystem::path& p, std::string_view content) {
    std::ofstream f(p, std::ios::binary);
    f << content;
  }

  std::filesystem::path root_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<Capture> out_;
  std::shared_ptr<protocol::Session> session_;

 private:
  int SendRequest(std::string_view method, boost::json::object params) {
    const int id = ++id_;
    boost::json::object req{
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
    session_->HandleText(boost::json::serialize(req));
    return id;
  }

  int id_ = 0;
  std::map<int, boost::json::value> answers_;
};

}  // namespace ferry::tools
