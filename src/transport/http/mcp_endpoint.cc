#include "transport/http/mcp_endpoint.h"

#include <sys/random.h>

#include <algorithm>

#include <boost/json.hpp>

#include "common/log.h"

namespace ferry::transport::http {
namespace {

constexpr std::string_view kSessionHeader = "Mcp-Session-Id";
constexpr std::string_view kVersionHeader = "MCP-Protocol-Version";
// What the spec says to assume when a client sends no MCP-Protocol-Version header.
constexpr std::string_view kDefaultVersion = "2025-03-26";
// Finished request streams a session remembers for Last-Event-ID resumption.
constexpr std::size_t kMaxRememberedStreams = 64;

std::string_view Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Whether an Accept header admits `type` ("application/json"): exact, "type/*" or "*/*".
// Runs on every POST, so it works on views: no copies, no allocation.
bool Accepts(std::string_view accept, std::string_view type) {
  const std::string_view major = type.substr(0, type.find('/'));
  while (!accept.empty()) {
    const auto comma = accept.find(',');
    const std::string_view item = Trim(accept.substr(0, accept.find(';') < comma
                                                            ? accept.find(';')
                                                            : comma));
    if (EqualsIgnoreCase(item, type) || item == "*/*" ||
        (item.size() == major.size() + 2 && EqualsIgnoreCase(item.substr(0, major.size()), major) &&
         item.substr(major.size()) == "/*")) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return false;
}

// The media type must be exactly application/json; parameters (charset) may follow.
bool IsJsonContentType(const HttpRequest& request) {
  auto type = request.Header("Content-Type");
  return type && EqualsIgnoreCase(Trim(type->substr(0, type->find(';'))), "application/json");
}

HttpResponse Plain(int code, const HttpRequest& request, std::string body = {}) {
  HttpResponse r(code);
  r.set_keep_alive(request.keep_alive);
  if (!body.empty()) {
    r.Set("Content-Type", "text/plain; charset=utf-8");
    r.body() = std::move(body);
  }
  return r;
}

// The session id a request names: the header for Streamable HTTP.
std::optional<std::string_view> SessionIdOf(const HttpRequest& request) {
  return request.Header(kSessionHeader);
}

// ?sessionId=... of the legacy transport's POST target.
std::string QueryParam(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
      return std::string(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// A cheap first look, then a real parse, at whether a body is an initialize request: only
// initialize may arrive without a session.
bool IsInitialize(std::string_view body) {
  if (body.find("\"initialize\"") == std::string_view::npos) return false;
  boost::system::error_code ec;
  auto v = boost::json::parse(boost::json::string_view(body.data(), body.size()), ec);
  if (ec || !v.is_object()) return false;
  const auto* m = v.get_object().if_contains("method");
  return m && m->is_string() && m->get_string() == "initialize";
}

bool SupportedVersion(std::string_view v) {
  return std::find(std::begin(protocol::kSupportedVersions),
                   std::end(protocol::kSupportedVersions), v) != std::end(protocol::kSupportedVersions);
}

// 400 for an MCP-Protocol-Version header naming a version Ferry does not speak (absent is fine:
// the spec then assumes 2025-03-26).
std::optional<Reply> RefuseUnsupportedVersion(const HttpRequest& request) {
  const auto version = request.Header(kVersionHeader);
  if (!version || SupportedVersion(*version)) return std::nullopt;
  return Reply{JsonRpcErrorResponse(400, jsonrpc::kInvalidRequest,
                                    "unsupported MCP-Protocol-Version: " + std::string(*version),
                                    request.keep_alive)};
}

std::int64_t NowTicks() {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

}  // namespace

struct McpEndpoint::HttpSession {
  std::string id;
  bool legacy = false;
  std::shared_ptr<EventStream> standalone;
  std::shared_ptr<protocol::Session> session;
  std::atomic<std::int64_t> last_activity{NowTicks()};

  std::mutex streams_mutex;  // guards streams
  std::unordered_map<std::string, std::weak_ptr<EventStream>> streams;

  void Remember(const std::shared_ptr<EventStream>& stream) {
    std::lock_guard lock(streams_mutex);
    if (streams.size() >= kMaxRememberedStreams) {
      std::erase_if(streams, [](const auto& kv) { return kv.second.expired(); });
    }
    if (streams.size() < kMaxRememberedStreams) streams.emplace(stream->id(), stream);
  }
  std::shared_ptr<EventStream> FindStream(std::string_view stream_id) {
    if (standalone && standalone->id() == stream_id) return standalone;
    std::lock_guard lock(streams_mutex);
    auto it = streams.find(std::string(stream_id));
    return it == streams.end() ? nullptr : it->second.lock();
  }
};

std::string RandomSessionId() {
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof(bytes)) {
    const ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

HttpResponse JsonRpcErrorResponse(int code, int rpc_code, std::string_view message,
                                  bool keep_alive) {
  HttpResponse r(code);
  r.set_keep_alive(keep_alive);
  r.Set("Content-Type", "application/json");
  r.body() = jsonrpc::SerializeError(std::nullopt, rpc_code, message);
  return r;
}

McpEndpoint::McpEndpoint(protocol::ServerCore& core, std::shared_ptr<EventStore> store)
    : core_(core), config_(core.config()), store_(std::move(store)) {}

McpEndpoint::~McpEndpoint() { CloseAll(); }

Reply McpEndpoint::Handle(const HttpRequest& request, const WakeFn& wake) {
  Reply reply = Route(request, wake);
  using telemetry::RejectReason;
  std::optional<RejectReason> reason;
  switch (reply.response.status()) {
    case 404: reason = RejectReason::kUnknownSession; break;
    case 406: reason = RejectReason::kNotAcceptable; break;
    case 415: reason = RejectReason::kUnsupportedMediaType; break;
    case 405: reason = RejectReason::kMethodNotAllowed; break;
    case 503: reason = RejectReason::kOverloaded; break;
    case 400:
      reason = reply.response.body().find("MCP-Protocol-Version") != std::string::npos
                   ? RejectReason::kBadProtocolVersion
                   : RejectReason::kBadRequest;
      break;
    default: break;
  }
  if (reason) core_.metrics().HttpRejection(*reason).Inc();
  return reply;
}

Reply McpEndpoint::Route(const HttpRequest& request, const WakeFn& wake) {
  const std::string_view path = request.Path();
  const auto method = request.method;
  if (path == "/mcp") {
    if (method == Method::kPost) return Post(request, wake);
    if (method == Method::kGet) return Get(request, wake);
    if (method == Method::kDelete) return Delete(request);
    Reply r{Plain(405, request, "use POST, GET or DELETE on /mcp\n")};
    r.response.Set("Allow", "GET, POST, DELETE");
    return r;
  }
  if (config_.http.legacy_sse && !config_.http.stateless) {
    if (path == "/sse" && method == Method::kGet) return LegacyOpen(request, wake);
    if (path == "/messages" && method == Method::kPost) return LegacyPost(request);
  }
  return Reply{Plain(404, request, "not found\n")};
}

Reply McpEndpoint::Post(const HttpRequest& request, const WakeFn& wake) {
  const bool ka = request.keep_alive;
  if (!IsJsonContentType(request)) {
    return Reply{JsonRpcErrorResponse(415, jsonrpc::kInvalidRequest,
                                      "Content-Type must be application/json", ka)};
  }
  const auto accept = request.Header("Accept").value_or("");
  if (!Accepts(accept, "application/json") || !Accepts(accept, "text/event-stream")) {
    return Reply{JsonRpcErrorResponse(
        406, jsonrpc::kInvalidRequest,
        "Accept must include application/json and text/event-stream", ka)};
  }
  if (auto refused = RefuseUnsupportedVersion(request)) return std::move(*refused);
  const auto version_header = request.Header(kVersionHeader);
  const std::string_view body = request.body;

  if (config_.http.stateless) {
    // No session: a fresh protocol session per request, alive as long as its stream.
    auto stateless = std::make_shared<HttpSession>();
    stateless->session =
        std::make_shared<protocol::Session>(core_, nullptr, telemetry::Transport::kHttp);
    if (!IsInitialize(body)) {
      stateless->session->InitializeImplicitly(version_header.value_or(kDefaultVersion));
    }
    return Dispatch(stateless, body, wake, false);
  }

  const auto id = SessionIdOf(request);
  if (!id) {
    if (!IsInitialize(body)) {
      return Reply{JsonRpcErrorResponse(400, jsonrpc::kInvalidRequest,
                                        "Bad Request: the Mcp-Session-Id header is required "
                                        "(send initialize first to get one)",
                                        ka)};
    }
    auto session = CreateSession(false);
    if (!session) {
      Reply r{JsonRpcErrorResponse(503, jsonrpc::kOverloaded,
                                   session.error().message, ka)};
      r.response.Set("Retry-After", "5");
      return r;
    }
    return Dispatch(*session, body, wake, true);
  }
  auto session = FindSession(*id);
  if (!session || session->legacy) {
    return Reply{JsonRpcErrorResponse(404, jsonrpc::kInvalidRequest,
                                      "Session not found: it ended or never existed; "
                                      "initialize a new one",
                                      ka)};
  }
  return Dispatch(session, body, wake, false);
}

Reply McpEndpoint::Dispatch(const std::shared_ptr<HttpSession>& session, std::string_view body,
                            const WakeFn& wake, bool new_session) {
  session->last_activity.store(NowTicks(), std::memory_order_relaxed);
  auto stream = std::make_shared<EventStream>(
      session->id, "r" + std::to_string(next_stream_.fetch_add(1) + 1), EventStream::Kind::kRequest,
      session->id.empty() ? nullptr : store_,
      static_cast<std::size_t>(config_.sse.max_queue_size), config_.http.response_mode == "sse",
      config_.sse.retry, &core_.metrics().sse_events_dropped());
  stream->Attach(wake);
  const auto intake = session->session->HandleText(body, stream);

  Reply reply;
  if (new_session) {
    if (!session->session->initialized()) {
      // initialize failed (bad params): the session is useless; the error goes back without an id.
      EndSession(session->id);
    } else {
      reply.response.Set(kSessionHeader, session->id);
      Log().debug("http: session {} started", session->id);
    }
  } else if (!session->id.empty()) {
    reply.response.Set(kSessionHeader, session->id);
  }
  if (intake == protocol::Session::Intake::kNoAnswer) {
    stream->Detach();
    reply.response.set_status(202);
    return reply;
  }
  // Input that is not JSON-RPC is refused at the HTTP level too (400 with the JSON-RPC error), as
  // the spec asks of a server that cannot accept what it was sent.
  reply.response.set_status(intake == protocol::Session::Intake::kRejected ? 400
                                                                        : 200);
  if (!session->id.empty()) session->Remember(stream);
  reply.stream = stream;
  // A stateless session lives as long as its stream is drained.
  if (session->id.empty()) reply.hold = session;
  reply.on_close = [stream] { stream->Detach(); };
  return reply;
}

Reply McpEndpoint::Get(const HttpRequest& request, const WakeFn& wake) {
  const bool ka = request.keep_alive;
  if (config_.http.stateless) {
    Reply r{Plain(405, request,
                  "this server is stateless: it opens no GET stream\n")};
    r.response.Set("Allow", "POST");
    return r;
  }
  if (!Accepts(request.Header("Accept").value_or(""), "text/event-stream")) {
    return Reply{JsonRpcErrorResponse(406, jsonrpc::kInvalidRequest,
                                      "Accept must include text/event-stream", ka)};
  }
  if (auto refused = RefuseUnsupportedVersion(request)) return std::move(*refused);
  const auto id = SessionIdOf(request);
  if (!id) {
    return Reply{JsonRpcErrorResponse(400, jsonrpc::kInvalidRequest,
                                      "Bad Request: the Mcp-Session-Id header is required", ka)};
  }
  auto session = FindSession(*id);
  if (!session || session->legacy) {
    return Reply{JsonRpcErrorResponse(404, jsonrpc::kInvalidRequest,
                                      "Session not found", ka)};
  }
  session->last_activity.store(NowTicks(), std::memory_order_relaxed);

  Reply reply;
  reply.response.set_status(200);
  reply.response.Set(kSessionHeader, session->id);

  if (const auto last = request.Header("Last-Event-ID")) {
    auto parts = ParseEventId(*last);
    if (!parts) {
      return Reply{JsonRpcErrorResponse(400, jsonrpc::kInvalidRequest,
                                        "malformed Last-Event-ID", ka)};
    }
    if (auto live = session->FindStream(parts->stream_id)) {
      auto resumed = live->Resume(*last, wake);
      if (!resumed) {
        const bool busy = resumed.error().code == ErrorCode::kInvalidRequest;
        return Reply{JsonRpcErrorResponse(busy ? 409 : 404,
                                          jsonrpc::kInvalidRequest, resumed.error().message,
                                          ka)};
      }
      reply.stream = live;
      reply.on_close = [live] { live->Detach(); };
      return reply;
    }
    // The stream is gone but may have left events: send them and end.
    auto replay = store_ ? store_->ReplayAfter(session->id, *last)
                         : Result<Replay>(Fail(ErrorCode::kNotFound, "no events are kept"));
    if (!replay) {
      return Reply{JsonRpcErrorResponse(404, jsonrpc::kInvalidRequest,
                                        replay.error().message, ka)};
    }
    std::string body;
    for (const auto& e : replay->events) body += FormatSseEvent(e.id, e.message);
    reply.response.Set("Content-Type", "text/event-stream");
    reply.response.Set("Cache-Control", "no-cache");
    reply.response.body() = std::move(body);
    return reply;
  }

  if (!session->standalone->Attach(wake)) {
    return Reply{JsonRpcErrorResponse(409, jsonrpc::kInvalidRequest,
                                      "this session already has a GET stream open", ka)};
  }
  reply.stream = session->standalone;
  // The idle clock starts when the listener leaves, so it has http.session_timeout to come back.
  reply.on_close = [stream = session->standalone, weak = std::weak_ptr<HttpSession>(session)] {
    stream->Detach();
    if (auto s = weak.lock()) s->last_activity.store(NowTicks(), std::memory_order_relaxed);
  };
  return reply;
}

Reply McpEndpoint::Delete(const HttpRequest& request) {
  if (config_.http.stateless) {
    Reply r{Plain(405, request, "this server is stateless\n")};
    r.response.Set("Allow", "POST");
    return r;
  }
  if (auto refused = RefuseUnsupportedVersion(request)) return std::move(*refused);
  const auto id = SessionIdOf(request);
  if (!id) {
    return Reply{JsonRpcErrorResponse(400, jsonrpc::kInvalidRequest,
                                      "Bad Request: the Mcp-Session-Id header is required",
                                      request.keep_alive)};
  }
  auto session = FindSession(*id);
  if (!session || session->legacy) {
    return Reply{JsonRpcErrorResponse(404, jsonrpc::kInvalidRequest,
                                      "Session not found", request.keep_alive)};
  }
  EndSession(session->id);
  return Reply{Plain(200, request)};
}

Reply McpEndpoint::LegacyOpen(const HttpRequest& request, const WakeFn& wake) {
  auto session = CreateSession(true);
  if (!session) {
    Reply r{Plain(503, request, session.error().message + "\n")};
    r.response.Set("Retry-After", "5");
    return r;
  }
  (*session)->standalone->Attach(wake);
  Reply reply;
  reply.response.set_status(200);
  reply.stream = (*session)->standalone;
  reply.sse_event_name = "message";
  reply.prelude = FormatSseEvent({}, "/messages?sessionId=" + (*session)->id, "endpoint");
  // The legacy session lives exactly as long as its SSE connection.
  reply.on_close = [this, id = (*session)->id] { EndSession(id); };
  return reply;
}

Reply McpEndpoint::LegacyPost(const HttpRequest& request) {
  const std::string_view target = request.target;
  auto session = FindSession(QueryParam(target, "sessionId"));
  if (!session || !session->legacy) {
    return Reply{Plain(404, request, "unknown sessionId\n")};
  }
  if (!IsJsonContentType(request)) {
    return Reply{Plain(415, request,
                       "Content-Type must be application/json\n")};
  }
  session->last_activity.store(NowTicks(), std::memory_order_relaxed);
  // Answers travel on the session's SSE stream; the POST itself is only acknowledged.
  session->session->HandleText(request.body);
  return Reply{Plain(202, request)};
}

Result<std::shared_ptr<McpEndpoint::HttpSession>> McpEndpoint::CreateSession(bool legacy) {
  auto s = std::make_shared<HttpSession>();
  s->id = RandomSessionId();
  s->legacy = legacy;
  s->standalone = std::make_shared<EventStream>(
      s->id, "g", EventStream::Kind::kStandalone, legacy ? nullptr : store_,
      static_cast<std::size_t>(config_.sse.max_queue_size), true, config_.sse.retry,
      &core_.metrics().sse_events_dropped());
  s->session = std::make_shared<protocol::Session>(
      core_, s->standalone, legacy ? telemetry::Transport::kSse : telemetry::Transport::kHttp);
  {
    std::lock_guard lock(sessions_mutex_);
    if (sessions_.size() >= static_cast<std::size_t>(config_.http.max_sessions)) {
      return Fail(ErrorCode::kOverloaded,
                  "too many sessions (http.max_sessions = " +
                      std::to_string(config_.http.max_sessions) + "); retry later");
    }
    sessions_.emplace(s->id, s);
  }
  core_.Attach(s->session);
  core_.metrics().sessions_created().Inc();
  core_.metrics().sessions_active().Inc();
  return s;
}

std::shared_ptr<McpEndpoint::HttpSession> McpEndpoint::FindSession(std::string_view id) {
  std::lock_guard lock(sessions_mutex_);
  auto it = sessions_.find(std::string(id));
  return it == sessions_.end() ? nullptr : it->second;
}

void McpEndpoint::EndSession(const std::string& id) {
  std::shared_ptr<HttpSession> session;
  {
    std::lock_guard lock(sessions_mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    session = std::move(it->second);
    sessions_.erase(it);
  }
  session->session->CancelAll("the session ended");
  session->standalone->Close();
  core_.metrics().sessions_active().Dec();
  core_.Detach(session->session.get());
  if (store_) store_->DropSession(id);
  Log().debug("http: session {} ended", id);
}

std::size_t McpEndpoint::ExpireIdle(std::chrono::steady_clock::time_point now) {
  const auto limit = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         config_.http.session_timeout)
                         .count();
  std::vector<std::string> idle;
  {
    std::lock_guard lock(sessions_mutex_);
    for (const auto& [id, s] : sessions_) {
      const bool connected = s->standalone->attached();
      if (!connected && now.time_since_epoch().count() - s->last_activity.load() > limit) {
        idle.push_back(id);
      }
    }
  }
  for (const auto& id : idle) EndSession(id);
  return idle.size();
}

void McpEndpoint::CloseAll() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(sessions_mutex_);
    for (const auto& [id, s] : sessions_) ids.push_back(id);
  }
  for (const auto& id : ids) EndSession(id);
}

std::size_t McpEndpoint::session_count() const {
  std::lock_guard lock(sessions_mutex_);
  return sessions_.size();
}

}  // namespace ferry::transport::http
