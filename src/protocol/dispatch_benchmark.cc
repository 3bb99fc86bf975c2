// Dispatch micro-benchmarks: a whole request through a Session (parse, decode, lookup, schema
// validation, handler, serialize) with output discarded, for ping and for tools/call of the
// built-in echo tool.
#include <string>

#include <benchmark/benchmark.h>

#include "protocol/server_core.h"
#include "protocol/session.h"
#include "tools/diagnostics/echo.h"

namespace ferry::protocol {
namespace {

class Discard final : public Outbound {
 public:
  void Send(std::string message) override { bytes += message.size(); }
  std::size_t bytes = 0;
};

void Run(benchmark::State& state, const std::string& request) {
  Server server({"bench", "1", ""});
  if (!tools::diagnostics::Register(server)) state.SkipWithError("register failed");
  auto out = std::make_shared<Discard>();
  auto session = std::make_shared<Session>(server.core(), out);
  session->HandleText(
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}})");
  for (auto _ : state) session->HandleText(request);
  state.SetItemsProcessed(state.iterations());
  state.counters["out_bytes_per_req"] = static_cast<double>(out->bytes) /
                                        static_cast<double>(std::max<int64_t>(1, state.iterations()));
}

void BM_DispatchPing(benchmark::State& state) {
  Run(state, R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
}
BENCHMARK(BM_DispatchPing);

void BM_DispatchEcho(benchmark::State& state) {
  Run(state,
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}})");
}
BENCHMARK(BM_DispatchEcho);

}  // namespace
}  // namespace ferry::protocol
