// Fuzz target for the HTTP/1.1 request parser (src/transport/http/http_message.h): the first bytes
// a network client controls. The input is fed as a connection would see it, in pieces whose sizes
// come from the input's first byte, into a buffer that is copied (moved) at every step, and
// requests are parsed one after another as a pipelining client would send them. Beyond "no crash,
// no sanitizer report", it checks the parser's promises: a finished request lies within the bytes
// received, its views point into the current buffer, and the limits hold.
//
// With clang: cmake -DFERRY_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... builds `http_parser_fuzz`
// for libFuzzer. In every developer build, `http_parser_fuzz_corpus` replays corpus/http/*.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "transport/http/http_message.h"

namespace {

using ferry::transport::http::HttpRequest;
using ferry::transport::http::RequestParser;

void Require(bool ok) {
  if (!ok) std::abort();
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const RequestParser::Limits limits{.max_header_bytes = 512, .max_body_bytes = 256};
  RequestParser parser(limits);
  HttpRequest request;
  std::string buffer;  // what the connection holds: the current request and what follows
  std::size_t fed = 0;
  while (fed < input.size() || !buffer.empty()) {
    const std::size_t take = std::min(step, input.size() - fed);
    std::string grown = buffer;  // a new allocation: views must follow the buffer when it moves
    grown.append(input.substr(fed, take));
    buffer.swap(grown);
    fed += take;
    const auto status = parser.Parse(buffer, request);
    if (status == RequestParser::Status::kError) {
      Require(parser.error_status() >= 400 && parser.error_status() < 600);
      Require(!parser.error().empty());
      break;  // the connection closes after an error
    }
    if (status == RequestParser::Status::kNeedMore) {
      Require(parser.headers_done() || buffer.size() <= limits.max_header_bytes);
      if (fed == input.size()) break;  // the client stopped sending mid-request
      continue;
    }
    Require(parser.consumed() <= buffer.size());
    Require(request.body.size() <= limits.max_body_bytes);
    Require(Inside(request.target, buffer) && Inside(request.method_text, buffer));
    for (const auto& f : request.fields) Require(Inside(f.name, buffer) && Inside(f.value, buffer));
    Require(request.minor_version == 0 || request.minor_version == 1);
    buffer.erase(0, parser.consumed());
    parser.Reset();
  }
  return 0;
}
