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

// 1 MB payloads of text with escapes: dense (three escapes every 56 bytes) and document-like (a
// newline every 80 bytes, a quoted phrase now and then). Parse = Ferry's parser (simdjson above
// 16 KiB); ParseBoostOnly = Boost.JSON alone, the baseline it beats.
std::string MixedPayload(bool dense) {
  std::string payload;
  for (int i = 0; payload.size() < (1u << 20); ++i) {
    if (dense) {
      payload += R"(The quick brown fox \"jumps\" over 13 lazy dogs.\n\tLine )";
    } else {
      payload += R"(Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n)";
      if (i % 10 == 0) payload += R"(He said \"hi\". )";
    }
  }
  return R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":")" +
         payload + R"("}}})";
}

template <bool kBoostOnly>
void ParseMixed(benchmark::State& state) {
  const std::string text = MixedPayload(state.range(0) == 1);
  Parser parser;
  for (auto _ : state) {
    auto value = kBoostOnly ? parser.ParseWithBoost(text) : parser.Parse(text);
    auto message = Decode(std::move(*value));
    benchmark::DoNotOptimize(message);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
void BM_Parse1MBText(benchmark::State& state) { ParseMixed<false>(state); }
void BM_ParseBoostOnly1MBText(benchmark::State& state) { ParseMixed<true>(state); }
BENCHMARK(BM_Parse1MBText)->ArgName("dense")->Arg(0)->Arg(1);
BENCHMARK(BM_ParseBoostOnly1MBText)->ArgName("dense")->Arg(0)->Arg(1);

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
