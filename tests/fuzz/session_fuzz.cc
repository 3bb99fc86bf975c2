// Fuzz target for everything a client's bytes reach first: the NDJSON framer, the JSON parser, the
// JSON-RPC decoder and the session's dispatch (with the built-in tools registered). Any crash,
// sanitizer report or hang is a bug; every input must get answers, not failures.
//
// With clang: cmake -DFERRY_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... builds `session_fuzz` for
// libFuzzer. In every developer build, `session_fuzz_corpus` replays corpus/session/* as a test.
#include <cstddef>
#include <cstdint>
#include <string>

#include "json/ndjson_framer.h"
#include "protocol/server_core.h"
#include "protocol/session.h"
#include "tools/builtin.h"

namespace {

class Discard final : public ferry::protocol::Outbound {
 public:
  void Send(std::string) override {}
};

ferry::Server& SharedServer() {
  static ferry::Server* server = [] {
    ferry::Config config;
    config.performance.worker_count = 1;
    config.protocol.max_message_size = 64 * 1024;
    auto* s = new ferry::Server({"fuzz", "1", ""}, config);
    (void)ferry::tools::RegisterBuiltinTools(*s);
    return s;
  }();
  return *server;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& server = SharedServer();
  auto session = std::make_shared<ferry::protocol::Session>(server.core(),
                                                            std::make_shared<Discard>());
  ferry::jsonrpc::NdjsonFramer framer(server.config().protocol.max_message_size);
  auto on_line = [&](std::string_view line) { session->HandleText(line); };
  framer.Feed(std::string_view(reinterpret_cast<const char*>(data), size), on_line,
              [&](std::size_t limit) { session->HandleOversized(limit); });
  framer.Finish(on_line);
  session->CancelAll("fuzz input done");
  session->WaitIdle(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  return 0;
}
