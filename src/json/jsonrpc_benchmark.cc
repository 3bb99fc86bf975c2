// Codec micro-benchmarks: parse + decode and serialize of tools/call messages of three sizes.
// Bytes processed are reported, so the output shows GB/s directly.
#include <string>

#include <benchmark/benchmark.h>

#include "json/jsonrpc.h"

namespace ferry::jsonrpc {
namespace {

std::string ToolCall(std::size_t payload) {
  return R"({"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"echo",)"
         R"("arguments":{"text":")" + std::string(payload, 'x') + R"("}}})";
}

void BM_ParseDecode(benchmark::State& state) {
  const std::string text = ToolCall(static_cast<std::size_t>(state.range(0)));
  Parser parser;
  for (auto _ : state) {
    auto value = parser.Parse(text);
    auto message = Decode(std::move(*value));
    benchmark::DoNotOptimize(message);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseDecode)->Arg(16)->Arg(1024)->Arg(1 << 20);

// A 1 MB payload of realistic text (escapes, digits, spaces), not one repeated byte.
void BM_ParseDecodeMixedText(benchmark::State& state) {
  std::string payload;
  while (payload.size() < (1u << 20)) {
    payload += R"(The quick brown fox \"jumps\" over 13 lazy dogs.\n\tLine )";
  }
  const std::string text =
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":")" +
      payload + R"("}}})";
  Parser parser;
  for (auto _ : state) {
    auto value = parser.Parse(text);
    auto message = Decode(std::move(*value));
    benchmark::DoNotOptimize(message);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseDecodeMixedText);

void BM_SerializeResult(benchmark::State& state) {
  const std::string text(static_cast<std::size_t>(state.range(0)), 'x');
  const json::value result = json::object{
      {"content", json::array{json::object{{"type", "text"}, {"text", text}}}}};
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto out = SerializeResult(Id(42), result);
    bytes += out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SerializeResult)->Arg(16)->Arg(1024)->Arg(1 << 20);

}  // namespace
}  // namespace ferry::jsonrpc
