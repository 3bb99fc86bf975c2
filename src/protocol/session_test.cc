#include "protocol/session.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "protocol/server_core.h"

namespace ferry::protocol {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Captures what a session sends, and lets a test wait for the next message.
class Capture final : public Outbound {
 public:
  void Send(std::string message) override {
    {
      std::lock_guard lock(mutex_);
      messages_.push_back(json::parse(message));
    }
    cv_.notify_all();
  }

  // The next message, or null after `timeout`.
  json::value Next(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [&] { return !messages_.empty(); })) return nullptr;
    auto m = std::move(messages_.front());
    messages_.pop_front();
    return m;
  }

  std::size_t size() {
    std::lock_guard lock(mutex_);
    return messages_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<json::value> messages_;
};

class SessionTest : public ::testing::Test {
 protected:
  explicit SessionTest(Config config = SmallConfig()) : core_({"test", "1.0", ""}, config) {
    out_ = std::make_shared<Capture>();
    session_ = std::make_shared<Session>(core_, out_);
    core_.Attach(session_);
  }
  ~SessionTest() override {
    session_->CancelAll("test over");
    session_->WaitIdle(std::chrono::steady_clock::now() + 5s);
  }

  static Config SmallConfig() {
    Config c;
    c.performance.worker_count = 2;
    c.performance.blocking_workers = 2;
    c.protocol.page_size = 2;
    return c;
  }

  json::value Send(std::string_view text) {
    session_->HandleText(text);
    return out_->Next();
  }

  json::value Call(int id, std::string_view method, json::object params = {}) {
    json::object req{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    return Send(json::serialize(req));
  }

  void Initialize(std::string_view version = "2025-11-25", json::object caps = {}) {
    auto r = Call(0, "initialize",
                  {{"protocolVersion", version},
                   {"capabilities", caps},
                   {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
    ASSERT_TRUE(r.as_object().contains("result")) << json::serialize(r);
    session_->HandleText(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  }

  static int ErrorCodeOf(const json::value& m) {
    return static_cast<int>(m.at("error").at("code").as_int64());
  }

  void AddSlowTool(std::string name = "slow", std::chrono::milliseconds timeout = 10s) {
    Tool t;
    t.name = std::move(name);
    t.timeout = timeout;
    ASSERT_TRUE(core_.registry().AddTool(t, [](RequestContext& ctx, const json::object&)
                                                -> Result<ToolResult> {
      for (int i = 0; i < 500 && !ctx.IsCancelled(); ++i) {
        ctx.ReportProgress(i, 500);
        std::this_thread::sleep_for(2ms);
      }
      if (ctx.IsCancelled()) return Fail(ErrorCode::kCancelled, "stopped");
      return ToolResult::Text("done");
    }));
  }

  ServerCore core_;
  std::shared_ptr<Capture> out_;
  std::shared_ptr<Session> session_;
};

TEST_F(SessionTest, NegotiatesTheRequestedVersionWhenSupported) {
  for (auto v : kSupportedVersions) {
    auto s = std::make_shared<Session>(core_, out_);
    s->HandleText(json::serialize(json::object{
        {"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
        {"params", {{"protocolVersion", v}, {"capabilities", json::object{}}}}}));
    auto r = out_->Next();
    EXPECT_EQ(r.at("result").at("protocolVersion").as_string(), v);
  }
}

TEST_F(SessionTest, OffersTheLatestVersionForAnUnknownOne) {
  auto r = Call(1, "initialize", {{"protocolVersion", "1999-01-01"}, {"capabilities", {}}});
  EXPECT_EQ(r.at("result").at("protocolVersion").as_string(), kLatestVersion);
  EXPECT_EQ(r.at("result").at("serverInfo").at("name").as_string(), "test");
  EXPECT_TRUE(r.at("result").at("capabilities").as_object().contains("tools"));
}

TEST_F(SessionTest, InitializeNeedsAProtocolVersionAndOnlyOnce) {
  EXPECT_EQ(ErrorCodeOf(Call(1, "initialize", {{"capabilities", {}}})), -32602);
  EXPECT_EQ(ErrorCodeOf(Call(2, "initialize", {{"protocolVersion", 5}})), -32602);
  Initialize();
  EXPECT_EQ(ErrorCodeOf(Call(3, "initialize", {{"protocolVersion", "2025-11-25"}})), -32600);
}

TEST_F(SessionTest, OnlyPingBeforeInitialize) {
  EXPECT_TRUE(Call(1, "ping").as_object().contains("result"));
  auto r = Call(2, "tools/list");
  EXPECT_EQ(ErrorCodeOf(r), -32600);
  EXPECT_EQ(r.at("id").as_int64(), 2);
}

TEST_F(SessionTest, ParseAndRequestErrors) {
  Initialize();
  auto r = Send("{oops");
  EXPECT_EQ(ErrorCodeOf(r), -32700);
  EXPECT_TRUE(r.at("id").is_null());
  EXPECT_EQ(ErrorCodeOf(Send(R"({"jsonrpc":"2.0","id":4,"method":"nope"})")), -32601);
  EXPECT_EQ(ErrorCodeOf(Send(R"({"jsonrpc":"2.0","id":null,"method":"ping"})")), -32600);
  EXPECT_EQ(ErrorCodeOf(Call(5, "tools/call", {{"name", 3}})), -32602);
  EXPECT_EQ(ErrorCodeOf(Call(6, "tools/call", {{"name", "missing"}})), -32602);
  EXPECT_EQ(ErrorCodeOf(Call(7, "resources/read", {{"uri", "x://nothing"}})), -32002);
  EXPECT_EQ(ErrorCodeOf(Call(8, "logging/setLevel", {{"level", "loud"}})), -32602);
  EXPECT_EQ(ErrorCodeOf(Call(9, "tools/list", {{"cursor", "!!"}})), -32602);
  // A notification with an unknown method gets nothing back.
  session_->HandleText(R"({"jsonrpc":"2.0","method":"notifications/whatever"})");
  EXPECT_EQ(out_->size(), 0u);
}

TEST_F(SessionTest, PaginatesToolsWithOpaqueCursors) {
  for (auto name : {"a", "b", "c", "d", "e"}) {
    Tool t;
    t.name = name;
    ASSERT_TRUE(core_.registry().AddTool(t, [](RequestContext&, const json::object&) {
      return Result<ToolResult>(ToolResult::Text("x"));
    }));
  }
  Initialize();
  std::vector<std::string> names;
  json::object params;
  for (int page = 0; page < 10; ++page) {
    auto r = Call(10 + page, "tools/list", params).at("result").as_object();
    for (auto& t : r.at("tools").as_array()) names.emplace_back(t.at("name").as_string());
    if (!r.contains("nextCursor")) break;
    params["cursor"] = r.at("nextCursor");
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

TEST_F(SessionTest, ValidatesArgumentsAsToolErrors) {
  Tool t;
  t.name = "add";
  t.execution = Execution::kInline;
  t.input_schema = json::parse(R"({"type":"object","properties":{"a":{"type":"number"}},
                                   "required":["a"]})").as_object();
  ASSERT_TRUE(core_.registry().AddTool(t, [](RequestContext&, const json::object& args) {
    return Result<ToolResult>(ToolResult::Text(json::serialize(args.at("a"))));
  }));
  Initialize();
  auto ok = Call(1, "tools/call", {{"name", "add"}, {"arguments", {{"a", 2}}}});
  EXPECT_EQ(ok.at("result").at("content").at(0).at("text").as_string(), "2");
  auto bad = Call(2, "tools/call", {{"name", "add"}, {"arguments", {{"a", "two"}}}});
  EXPECT_TRUE(bad.at("result").at("isError").as_bool());
  EXPECT_NE(std::string(bad.at("result").at("content").at(0).at("text").as_string()).find("/a"),
            std::string::npos);
  EXPECT_EQ(ErrorCodeOf(Call(3, "tools/call", {{"name", "add"}, {"arguments", 5}})), -32602);
}

TEST_F(SessionTest, ChecksStructuredContentAgainstTheOutputSchema) {
  Tool t;
  t.name = "sum";
  t.output_schema = json::parse(R"({"type":"object","properties":{"sum":{"type":"number"}},
                                    "required":["sum"]})").as_object();
  ASSERT_TRUE(core_.registry().AddTool(t, [](RequestContext&, const json::object& args) {
    ToolResult r;
    if (args.contains("bad")) {
      r.structured_content = json::object{{"sum", "NaN"}};
    } else {
      r.structured_content = json::object{{"sum", 3}};
    }
    return Result<ToolResult>(std::move(r));
  }));
  Initialize();
  auto ok = Call(1, "tools/call", {{"name", "sum"}});
  EXPECT_EQ(ok.at("result").at("structuredContent").at("sum").as_int64(), 3);
  EXPECT_EQ(ok.at("result").at("content").at(0).at("text").as_string(), R"({"sum":3})");
  EXPECT_EQ(ErrorCodeOf(Call(2, "tools/call", {{"name", "sum"}, {"arguments", {{"bad", 1}}}})),
            -32603);
}

TEST_F(SessionTest, HandlerErrorsBecomeToolErrorResults) {
  Tool t;
  t.name = "boom";
  ASSERT_TRUE(core_.registry().AddTool(t, [](RequestContext&, const json::object&)
                                              -> Result<ToolResult> {
    return Fail(ErrorCode::kIo, "disk on fire");
  }));
  Tool thrower;
  thrower.name = "throws";
  ASSERT_TRUE(core_.registry().AddTool(thrower, [](RequestContext&, const json::object&)
                                                   -> Result<ToolResult> {
    throw std::runtime_error("oops");
  }));
  Initialize();
  auto r = Call(1, "tools/call", {{"name", "boom"}});
  EXPECT_TRUE(r.at("result").at("isError").as_bool());
  EXPECT_EQ(r.at("result").at("content").at(0).at("text").as_string(), "disk on fire");
  auto t2 = Call(2, "tools/call", {{"name", "throws"}});
  EXPECT_EQ(ErrorCodeOf(t2), -32603);
  EXPECT_NE(std::string(t2.at("error").at("message").as_string()).find("oops"), std::string::npos);
}

TEST_F(SessionTest, DuplicateIdsInFlightAreRefused) {
  AddSlowTool();
  Initialize();
  session_->HandleText(R"({"jsonrpc":"2.0","id":"dup","method":"tools/call","params":{"name":"slow"}})");
  auto r = Send(R"({"jsonrpc":"2.0","id":"dup","method":"ping"})");
  EXPECT_EQ(ErrorCodeOf(r), -32600);
  EXPECT_EQ(r.at("id").as_string(), "dup");
  EXPECT_NE(std::string(r.at("error").at("message").as_string()).find("duplicate"),
            std::string::npos);
}

TEST_F(SessionTest, TimeoutCancelsAndNamesTheTimeout) {
  AddSlowTool("slow", 50ms);
  Initialize();
  auto r = Call(1, "tools/call", {{"name", "slow"}});
  EXPECT_EQ(ErrorCodeOf(r), -32001);
  EXPECT_NE(std::string(r.at("error").at("message").as_string()).find("tool_timeout"),
            std::string::npos);
  EXPECT_TRUE(session_->WaitIdle(std::chrono::steady_clock::now() + 5s));  // the handler stopped
  EXPECT_EQ(out_->Next(100ms), nullptr);  // and nothing else was sent
}

TEST_F(SessionTest, CancelledRequestStopsAndGetsNoResponse) {
  AddSlowTool();
  Initialize();
  session_->HandleText(
      R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"slow","_meta":{"progressToken":"p"}}})");
  auto progress = out_->Next();
  EXPECT_EQ(progress.at("method").as_string(), "notifications/progress");
  EXPECT_EQ(progress.at("params").at("progressToken").as_string(), "p");
  session_->HandleText(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}})");
  EXPECT_TRUE(session_->WaitIdle(std::chrono::steady_clock::now() + 5s));
  // Drain progress sent before the cancel landed; no response for id 9 may follow.
  for (auto m = out_->Next(100ms); !m.is_null(); m = out_->Next(100ms)) {
    EXPECT_FALSE(m.as_object().contains("id")) << json::serialize(m);
  }
}

TEST_F(SessionTest, FullQueueAnswersOverloadedAtOnce) {
  Config c = SmallConfig();
  c.performance.worker_count = 1;
  c.performance.queue_capacity = 1;
  ServerCore core({"t", "1", ""}, c);
  auto out = std::make_shared<Capture>();
  auto s = std::make_shared<Session>(core, out);
  Tool t;
  t.name = "slow";
  ASSERT_TRUE(core.registry().AddTool(t, [](RequestContext& ctx, const json::object&) {
    while (!ctx.IsCancelled()) std::this_thread::sleep_for(1ms);
    return Result<ToolResult>(ToolResult::Text("x"));
  }));
  s->HandleText(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})");
  out->Next();
  bool overloaded = false;
  for (int i = 1; i <= 3; ++i) {
    s->HandleText(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                  R"(,"method":"tools/call","params":{"name":"slow"}})");
  }
  auto r = out->Next(2s);
  ASSERT_FALSE(r.is_null());
  overloaded = r.as_object().contains("error") && ErrorCodeOf(r) == -32000;
  EXPECT_TRUE(overloaded) << json::serialize(r);
  s->CancelAll("done");
  EXPECT_TRUE(s->WaitIdle(std::chrono::steady_clock::now() + 5s));
}

TEST_F(SessionTest, BatchesFollowTheNegotiatedVersion) {
  Initialize("2025-11-25");
  auto r = Send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_EQ(ErrorCodeOf(r), -32600);

  auto old = std::make_shared<Session>(core_, out_);
  old->HandleText(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26"}})");
  out_->Next();
  old->HandleText(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
                      {"jsonrpc":"2.0","method":"notifications/initialized"},
                      {"jsonrpc":"2.0","id":2,"method":"nope"}])");
  auto batch = out_->Next();
  ASSERT_TRUE(batch.is_array()) << json::serialize(batch);
  EXPECT_EQ(batch.as_array().size(), 2u);
  old->HandleText("[]");
  EXPECT_EQ(ErrorCodeOf(out_->Next()), -32600);
}

TEST_F(SessionTest, LoggingFollowsTheLevel) {
  Tool t;
  t.name = "log";
  t.execution = Execution::kInline;
  ASSERT_TRUE(core_.registry().AddTool(t, [](RequestContext& ctx, const json::object&) {
    ctx.Log(LogLevel::kDebug, "d");
    ctx.Log(LogLevel::kError, "e", "logger1");
    return Result<ToolResult>(ToolResult::Text("ok"));
  }));
  Initialize();
  EXPECT_TRUE(Call(1, "logging/setLevel", {{"level", "warning"}}).as_object().contains("result"));
  auto first = Call(2, "tools/call", {{"name", "log"}});
  EXPECT_EQ(first.at("method").as_string(), "notifications/message");
  EXPECT_EQ(first.at("params").at("level").as_string(), "error");
  EXPECT_EQ(first.at("params").at("logger").as_string(), "logger1");
  EXPECT_TRUE(out_->Next().as_object().contains("result"));
}

TEST_F(SessionTest, ServerToClientRequestsNeedTheCapability) {
  Tool t;
  t.name = "roots";
  t.execution = Execution::kBlocking;
  ASSERT_TRUE(core_.registry().AddTool(t, [](RequestContext& ctx, const json::object&)
                                              -> Result<ToolResult> {
    auto r = ctx.ListRoots();
    if (!r) return Fail(r.error());
    return ToolResult::Text(json::serialize(*r));
  }));
  Initialize();  // no roots capability
  auto r = Call(1, "tools/call", {{"name", "roots"}});
  EXPECT_TRUE(r.at("result").at("isError").as_bool());
  EXPECT_NE(std::string(r.at("result").at("content").at(0).at("text").as_string()).find("roots"),
            std::string::npos);
}

TEST_F(SessionTest, ServerToClientRoundTrip) {
  Tool t;
  t.name = "roots";
  t.execution = Execution::kBlocking;
  ASSERT_TRUE(core_.registry().AddTool(t, [](RequestContext& ctx, const json::object&)
                                              -> Result<ToolResult> {
    auto r = ctx.ListRoots();
    if (!r) return Fail(r.error());
    return ToolResult::Text(json::serialize(*r));
  }));
  Initialize("2025-11-25", {{"roots", json::object{}}});
  session_->HandleText(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"roots"}})");
  auto request = out_->Next();
  ASSERT_EQ(request.at("method").as_string(), "roots/list");
  json::object response{{"jsonrpc", "2.0"},
                        {"id", request.at("id")},
                        {"result", {{"roots", json::array{}}}}};
  session_->HandleText(json::serialize(response));
  auto r = out_->Next();
  EXPECT_EQ(r.at("result").at("content").at(0).at("text").as_string(), R"({"roots":[]})");
}

TEST_F(SessionTest, PromptsAndCompletion) {
  Prompt p;
  p.name = "greet";
  p.arguments = {{"name", "", "", true}};
  ASSERT_TRUE(core_.registry().AddPrompt(
      p,
      [](RequestContext&, const std::map<std::string, std::string>& args) {
        PromptResult r;
        r.AddText("user", "Hello " + args.at("name"));
        return Result<PromptResult>(std::move(r));
      },
      [](RequestContext&, const CompletionRequest& req) {
        Completion c;
        for (std::string v : {"ann", "anna", "bob"}) {
          if (v.starts_with(req.argument_value)) c.values.push_back(v);
        }
        return Result<Completion>(std::move(c));
      }));
  Initialize();
  EXPECT_EQ(ErrorCodeOf(Call(1, "prompts/get", {{"name", "greet"}})), -32602);
  auto r = Call(2, "prompts/get", {{"name", "greet"}, {"arguments", {{"name", "Ada"}}}});
  EXPECT_EQ(r.at("result").at("messages").at(0).at("content").at("text").as_string(), "Hello Ada");
  auto c = Call(3, "completion/complete",
                {{"ref", {{"type", "ref/prompt"}, {"name", "greet"}}},
                 {"argument", {{"name", "name"}, {"value", "an"}}}});
  EXPECT_EQ(c.at("result").at("completion").at("values").as_array().size(), 2u);
}

// Records what one incoming message's sink receives, as an HTTP POST's stream would.
class RecordingSink final : public Outbound {
 public:
  void Send(std::string message) override { Push("send " + message); }
  void Respond(std::string message) override { Push("respond " + message); }
  void Unanswered() override { Push("unanswered"); }
  std::vector<std::string> Wait(std::size_t n) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 5s, [&] { return events_.size() >= n; });
    return events_;
  }
  std::vector<std::string> WaitForLast(std::string_view last) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 5s, [&] { return !events_.empty() && events_.back() == last; });
    return events_;
  }

 private:
  void Push(std::string e) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(e));
    }
    cv_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
};

TEST_F(SessionTest, PerMessageSinksGetTheirAnswerAndRelatedMessages) {
  AddSlowTool();
  Initialize();
  auto ping = std::make_shared<RecordingSink>();
  using Intake = Session::Intake;
  EXPECT_EQ(session_->HandleText(R"({"jsonrpc":"2.0","id":5,"method":"ping"})", ping),
            Intake::kAnswer);
  EXPECT_EQ(ping->Wait(1), (std::vector<std::string>{R"(respond {"jsonrpc":"2.0","id":5,"result":{}})"}));

  auto note = std::make_shared<RecordingSink>();
  EXPECT_EQ(session_->HandleText(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", note),
            Intake::kNoAnswer);
  auto bad = std::make_shared<RecordingSink>();
  EXPECT_EQ(session_->HandleText("{", bad), Intake::kRejected);
  EXPECT_EQ(bad->Wait(1).size(), 1u);

  // Progress goes to the request's own sink, and a cancelled request is reported unanswered.
  auto slow = std::make_shared<RecordingSink>();
  EXPECT_EQ(session_->HandleText(
                R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"slow","_meta":{"progressToken":1}}})",
                slow),
            Intake::kAnswer);
  auto first = slow->Wait(1);
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first[0].rfind("send ", 0), 0u) << first[0];
  EXPECT_EQ(session_->HandleText(
                R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6}})"),
            Intake::kNoAnswer);
  EXPECT_TRUE(session_->WaitIdle(std::chrono::steady_clock::now() + 5s));
  auto events = slow->WaitForLast("unanswered");
  EXPECT_EQ(events.back(), "unanswered");
  EXPECT_EQ(out_->size(), 0u);  // nothing went to the session's own stream
}

// HTTP delivers one session's POSTs on several I/O threads at once.
TEST_F(SessionTest, HandleTextIsSafeFromSeveralThreadsAtOnce) {
  Initialize();
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto sink = std::make_shared<RecordingSink>();
      for (int i = 0; i < kPerThread; ++i) {
        const int id = t * kPerThread + i;
        const std::string text = R"({"jsonrpc":"2.0","id":)" + std::to_string(id) +
                                 R"(,"method":"ping","params":{"pad":")" +
                                 std::string(static_cast<std::size_t>(i % 64), 'x') + R"("}})";
        if (session_->HandleText(text, sink) != Session::Intake::kAnswer) wrong++;
      }
      auto events = sink->Wait(kPerThread);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string want = R"(respond {"jsonrpc":"2.0","id":)" +
                                 std::to_string(t * kPerThread + i) + R"(,"result":{}})";
        if (i >= static_cast<int>(events.size()) || events[i] != want) wrong++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(SessionTest, ImplicitInitializationServesAtOnce) {
  session_->InitializeImplicitly("2025-03-26");
  EXPECT_TRUE(Call(1, "tools/list").as_object().contains("result"));
  auto r = Send(R"([{"jsonrpc":"2.0","id":2,"method":"ping"}])");
  EXPECT_TRUE(r.is_array());
}

}  // namespace
}  // namespace ferry::protocol
