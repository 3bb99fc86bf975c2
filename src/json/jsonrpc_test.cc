#include "json/jsonrpc.h"

#include <gtest/gtest.h>

namespace ferry::jsonrpc {
namespace {

tl::expected<Message, DecodeError> DecodeText(std::string_view text) {
  Parser parser;
  auto value = parser.Parse(text);
  if (!value) return tl::unexpected(value.error());
  return Decode(std::move(*value));
}

DecodeError ExpectError(std::string_view text, int code) {
  auto m = DecodeText(text);
  EXPECT_FALSE(m) << text;
  if (m) return {};
  EXPECT_EQ(m.error().code, code) << text << ": " << m.error().message;
  return m.error();
}

TEST(JsonRpcDecode, Request) {
  auto m = DecodeText(R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"a":1}})");
  ASSERT_TRUE(m);
  auto& r = std::get<Request>(*m);
  EXPECT_EQ(r.id, Id(7));
  EXPECT_EQ(r.method, "tools/list");
  EXPECT_EQ(r.params.at("a").as_int64(), 1);
}

TEST(JsonRpcDecode, StringIdsAndIntegerIdsAreDistinct) {
  auto a = DecodeText(R"({"jsonrpc":"2.0","id":"7","method":"x"})");
  auto b = DecodeText(R"({"jsonrpc":"2.0","id":7,"method":"x"})");
  ASSERT_TRUE(a && b);
  EXPECT_NE(std::get<Request>(*a).id.Key(), std::get<Request>(*b).id.Key());
  EXPECT_EQ(std::get<Request>(*a).id.ToString(), "\"7\"");
}

TEST(JsonRpcDecode, Notification) {
  auto m = DecodeText(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::holds_alternative<Notification>(*m));
  EXPECT_TRUE(std::get<Notification>(*m).params.is_null());
}

TEST(JsonRpcDecode, ResponsesAndErrors) {
  auto r = DecodeText(R"({"jsonrpc":"2.0","id":1,"result":{"ok":true}})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::get<Response>(*r).result.at("ok").as_bool());
  auto e = DecodeText(R"({"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"no","data":3}})");
  ASSERT_TRUE(e);
  const auto& er = std::get<ErrorResponse>(*e);
  EXPECT_EQ(er.code, -1);
  EXPECT_EQ(er.message, "no");
  EXPECT_EQ(er.data.as_int64(), 3);
}

TEST(JsonRpcDecode, ParseErrors) {
  EXPECT_NE(ExpectError("{not json", kParseError).message.find("parse error"), std::string::npos);
  ExpectError(R"({"jsonrpc":"2.0","id":1,"method":"x")", kParseError);  // truncated
  ExpectError(R"({"jsonrpc":"2.0","id":1,"method":"x"} trailing)", kParseError);
  ExpectError("", kParseError);
}

TEST(JsonRpcDecode, InvalidRequests) {
  ExpectError("[1]", kInvalidRequest);  // arrays are batches: Decode sees the array itself
  ExpectError("42", kInvalidRequest);
  ExpectError(R"({"id":1,"method":"x"})", kInvalidRequest);                  // no jsonrpc
  ExpectError(R"({"jsonrpc":"1.0","id":1,"method":"x"})", kInvalidRequest);  // wrong version
  ExpectError(R"({"jsonrpc":"2.0","id":1,"method":5})", kInvalidRequest);
  ExpectError(R"({"jsonrpc":"2.0","id":1})", kInvalidRequest);
  ExpectError(R"({"jsonrpc":"2.0","id":1,"method":"x","params":3})", kInvalidRequest);
  ExpectError(R"({"jsonrpc":"2.0","id":1,"method":"x","params":"s"})", kInvalidRequest);
}

TEST(JsonRpcDecode, BadIdsAreRefusedWithoutAnId) {
  for (auto text : {R"({"jsonrpc":"2.0","id":null,"method":"x"})",
                    R"({"jsonrpc":"2.0","id":{},"method":"x"})",
                    R"({"jsonrpc":"2.0","id":true,"method":"x"})",
                    R"({"jsonrpc":"2.0","id":1.5,"method":"x"})",
                    R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"x"})"}) {
    auto e = ExpectError(text, kInvalidRequest);
    EXPECT_FALSE(e.id.has_value()) << text;
    EXPECT_TRUE(e.answerable);
  }
}

TEST(JsonRpcDecode, ErrorsKeepTheIdWhenItIsValid) {
  auto e = ExpectError(R"({"jsonrpc":"2.0","id":"abc","method":7})", kInvalidRequest);
  ASSERT_TRUE(e.id);
  EXPECT_EQ(*e.id, Id(std::string("abc")));
}

TEST(JsonRpcDecode, MalformedResponsesAreNotAnswered) {
  auto e = ExpectError(R"({"jsonrpc":"2.0","result":1})", kInvalidRequest);
  EXPECT_FALSE(e.answerable);
  e = ExpectError(R"({"jsonrpc":"2.0","id":1,"result":1,"error":{}})", kInvalidRequest);
  EXPECT_FALSE(e.answerable);
  e = ExpectError(R"({"jsonrpc":"2.0","id":1,"error":{"code":"x"}})", kInvalidRequest);
  EXPECT_FALSE(e.answerable);
}

TEST(JsonRpcDecode, DeepNestingIsAParseError) {
  std::string deep(1000, '[');
  deep += std::string(1000, ']');
  ExpectError(deep, kParseError);
}

TEST(JsonRpcSerialize, Messages) {
  EXPECT_EQ(SerializeResult(Id(1), json::object{{"a", 1}}),
            R"({"jsonrpc":"2.0","id":1,"result":{"a":1}})");
  EXPECT_EQ(SerializeResult(Id(std::string("x\"y")), json::object{}),
            R"({"jsonrpc":"2.0","id":"x\"y","result":{}})");
  EXPECT_EQ(SerializeError(std::nullopt, kParseError, "bad \"json\""),
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad \"json\""}})");
  EXPECT_EQ(SerializeError(Id(3), kInvalidParams, "m", json::object{{"k", 1}}),
            R"({"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"m","data":{"k":1}}})");
  EXPECT_EQ(SerializeRequest(Id(4), "roots/list", nullptr),
            R"({"jsonrpc":"2.0","id":4,"method":"roots/list"})");
  EXPECT_EQ(SerializeNotification("notifications/progress", json::object{{"progress", 1}}),
            R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}})");
}

TEST(JsonRpcSerialize, RoundTripsThroughDecode) {
  Parser parser;
  auto v = parser.Parse(SerializeRequest(Id(-9), "a/b", json::object{{"x", json::array{1, 2}}}));
  ASSERT_TRUE(v);
  auto m = Decode(std::move(*v));
  ASSERT_TRUE(m);
  EXPECT_EQ(std::get<Request>(*m).id, Id(-9));
}

TEST(JsonRpcErrors, EveryErrorCodeMapsToAJsonRpcCode) {
  EXPECT_EQ(ToJsonRpcCode(ErrorCode::kParseError), kParseError);
  EXPECT_EQ(ToJsonRpcCode(ErrorCode::kInvalidRequest), kInvalidRequest);
  EXPECT_EQ(ToJsonRpcCode(ErrorCode::kMethodNotFound), kMethodNotFound);
  EXPECT_EQ(ToJsonRpcCode(ErrorCode::kInvalidParams), kInvalidParams);
  EXPECT_EQ(ToJsonRpcCode(ErrorCode::kInternal), kInternalError);
  EXPECT_EQ(ToJsonRpcCode(ErrorCode::kOverloaded), kOverloaded);
  EXPECT_EQ(ToJsonRpcCode(ErrorCode::kTimeout), kRequestTimeout);
  EXPECT_EQ(ToJsonRpcCode(ErrorCode::kResourceNotFound), kResourceNotFound);
}

}  // namespace
}  // namespace ferry::jsonrpc

namespace ferry::jsonrpc {
namespace {

// Large messages take the simdjson path; it must build exactly the value Boost.JSON builds.
TEST(JsonRpcParser, LargeMessagesParseTheSameOnBothPaths) {
  json::object params;
  json::array items;
  for (int i = 0; items.size() < 2000; ++i) {
    items.push_back(json::object{{"i", i},
                                 {"neg", -i},
                                 {"big", std::uint64_t{18446744073709551000u}},
                                 // Binary fractions: Boost.JSON 1.81 may round other doubles
                                 // one ulp off, where simdjson rounds correctly.
                                 {"f", i / 8.0},
                                 {"s", "é \"q\" \\ \n\t ☃ " + std::to_string(i)},
                                 {"b", i % 2 == 0},
                                 {"n", nullptr},
                                 {"nested", json::array{json::array{}, json::object{}}}});
  }
  params["items"] = std::move(items);
  const std::string text = SerializeRequest(Id(1), "tools/call", params);
  ASSERT_GE(text.size(), Parser::kSimdjsonThreshold);
  Parser parser;
  auto fast = parser.Parse(text);
  auto slow = parser.ParseWithBoost(text);
  ASSERT_TRUE(fast && slow);
  EXPECT_EQ(*fast, *slow);
}

TEST(JsonRpcParser, LargeMessageErrorsNameThePosition) {
  std::string text = R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"t":")" +
                     std::string(Parser::kSimdjsonThreshold, 'a') + R"("}})";
  Parser parser;
  ASSERT_TRUE(parser.Parse(text));
  text.insert(100, "\x01");  // a control character inside a string
  auto e = parser.Parse(text);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, kParseError);
  EXPECT_NE(e.error().message.find("byte"), std::string::npos);
  // Numbers beyond 64 bits: simdjson refuses them, Boost.JSON reads them as doubles.
  const std::string huge = R"({"jsonrpc":"2.0","id":1,"method":"x","params":{"n":)" +
                           std::string(30, '9') + R"(,"t":")" +
                           std::string(Parser::kSimdjsonThreshold, 'a') + R"("}})";
  auto h = parser.Parse(huge);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->at("params").at("n").is_double());
}

TEST(JsonRpcParser, DeepNestingIsRefusedOnBothPaths) {
  std::string deep = std::string(200, '[') + std::string(200, ']');
  std::string padded = deep + std::string(Parser::kSimdjsonThreshold, ' ');
  Parser parser;
  EXPECT_FALSE(parser.Parse(deep));
  EXPECT_FALSE(parser.Parse(padded));
}

}  // namespace
}  // namespace ferry::jsonrpc
