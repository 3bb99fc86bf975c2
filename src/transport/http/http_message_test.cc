#include "transport/http/http_message.h"

#include <gtest/gtest.h>

#include <string>

namespace ferry::transport::http {
namespace {

RequestParser::Limits SmallLimits() { return {.max_header_bytes = 1024, .max_body_bytes = 100}; }

// Parses a complete request fed in one piece.
RequestParser::Status ParseAll(RequestParser& p, std::string_view text, HttpRequest& r) {
  return p.Parse(text, r);
}

TEST(RequestParserTest, ParsesARequestWithContentLength) {
  RequestParser p(SmallLimits());
  HttpRequest r;
  const std::string text =
      "POST /mcp?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type:  application/json \r\n"
      "Content-Length: 5\r\n\r\nhelloNEXT";
  ASSERT_EQ(ParseAll(p, text, r), RequestParser::Status::kDone);
  EXPECT_EQ(r.method, Method::kPost);
  EXPECT_EQ(r.method_text, "POST");
  EXPECT_EQ(r.target, "/mcp?x=1");
  EXPECT_EQ(r.Path(), "/mcp");
  EXPECT_EQ(r.minor_version, 1);
  EXPECT_TRUE(r.keep_alive);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("HOST"), "127.0.0.1:8080");
  EXPECT_FALSE(r.Header("Accept"));
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(p.consumed(), text.size() - 4);  // the pipelined "NEXT" is not part of it
}

TEST(RequestParserTest, WaitsForMoreBytesAndFollowsAMovingBuffer) {
  RequestParser p(SmallLimits());
  HttpRequest r;
  const std::string text = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789";
  // Byte by byte, each time from a fresh copy (the connection's buffer may move as it grows).
  RequestParser::Status s = RequestParser::Status::kNeedMore;
  std::string copy;
  for (std::size_t n = 1; n <= text.size(); ++n) {
    copy = std::string(text.substr(0, n));  // a new allocation each time
    s = p.Parse(copy, r);
    if (n < text.size()) ASSERT_EQ(s, RequestParser::Status::kNeedMore) << n;
  }
  ASSERT_EQ(s, RequestParser::Status::kDone);
  EXPECT_EQ(r.target, "/a");
  EXPECT_EQ(r.Header("Host"), "h");
  EXPECT_EQ(r.body, "0123456789");
  EXPECT_GE(r.target.data(), copy.data());
  EXPECT_LT(r.target.data(), copy.data() + copy.size());
}

TEST(RequestParserTest, DecodesChunkedBodiesInPieces) {
  RequestParser p(SmallLimits());
  HttpRequest r;
  const std::string text =
      "POST /mcp HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (std::size_t n = 1; n < text.size(); ++n) {
    ASSERT_EQ(p.Parse(std::string_view(text).substr(0, n), r), RequestParser::Status::kNeedMore)
        << n;
  }
  ASSERT_EQ(p.Parse(text, r), RequestParser::Status::kDone);
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(p.consumed(), text.size());
}

TEST(RequestParserTest, ResetAllowsTheNextRequest) {
  RequestParser p(SmallLimits());
  HttpRequest r;
  std::string text = "GET /health HTTP/1.1\r\nHost: h\r\n\r\nGET /ready HTTP/1.0\r\n\r\n";
  ASSERT_EQ(p.Parse(text, r), RequestParser::Status::kDone);
  EXPECT_EQ(r.Path(), "/health");
  EXPECT_EQ(r.body, "");
  const auto rest = std::string_view(text).substr(p.consumed());
  p.Reset();
  ASSERT_EQ(p.Parse(rest, r), RequestParser::Status::kDone);
  EXPECT_EQ(r.Path(), "/ready");
  EXPECT_EQ(r.minor_version, 0);
  EXPECT_FALSE(r.keep_alive);  // HTTP/1.0 without Connection: keep-alive
}

TEST(RequestParserTest, ConnectionAndExpectFields) {
  struct Case {
    std::string head;
    bool keep_alive;
  } cases[] = {
      {"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\n\r\n", false},
  };
  for (const auto& c : cases) {
    RequestParser p(SmallLimits());
    HttpRequest r;
    ASSERT_EQ(p.Parse(c.head, r), RequestParser::Status::kDone) << c.head;
    EXPECT_EQ(r.keep_alive, c.keep_alive) << c.head;
  }
  RequestParser p(SmallLimits());
  HttpRequest r;
  EXPECT_EQ(p.Parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
                    r),
            RequestParser::Status::kNeedMore);
  EXPECT_TRUE(p.headers_done());
  EXPECT_TRUE(r.expect_continue);
}

TEST(RequestParserTest, RefusesMalformedRequests) {
  struct Case {
    const char* label;
    std::string text;
    int status;
  } cases[] = {
      {"no spaces", "GARBAGE\r\n\r\n", 400},
      {"bad method", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
      {"unknown version", "GET / HTTP/9.9\r\nHost: h\r\n\r\n", 400},
      {"NUL in target", std::string("GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n", 31), 400},
      {"no colon", "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400},
      {"space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},
      {"obsolete folding", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  continued\r\n\r\n", 400},
      {"control in value", "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01z\r\n\r\n", 400},
      {"no Host in 1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400},
      {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"bad length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12a\r\n\r\n", 400},
      {"negative length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
      {"conflicting lengths",
       "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
      {"smuggling", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"gzip framing", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"bad chunk size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n", 400},
      {"chunk without CRLF",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", 400},
      {"length over the limit", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n", 413},
      {"chunks over the limit",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + std::string(64, 'x') +
           "\r\n40\r\n",
       413},
      {"huge chunk size",
       "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400},
      {"headers over the limit", "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(2000, 'a'), 431},
      {"complete headers over the limit",
       "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(2000, 'a') + "\r\n\r\n", 431},
  };
  for (const auto& c : cases) {
    RequestParser p(SmallLimits());
    HttpRequest r;
    ASSERT_EQ(p.Parse(c.text, r), RequestParser::Status::kError) << c.label;
    EXPECT_EQ(p.error_status(), c.status) << c.label << ": " << p.error();
    EXPECT_FALSE(p.error().empty()) << c.label;
  }
}

TEST(HttpResponseTest, SerializesStatusFieldsAndLength) {
  HttpResponse r(404);
  r.Set("Content-Type", "text/plain");
  r.Set("X-A", "1");
  r.Set("content-type", "application/json");  // replaces, whatever the case
  r.body() = "{}";
  std::string out;
  r.SerializeTo(out, 1);
  EXPECT_EQ(out,
            "HTTP/1.1 404 Not Found\r\nX-A: 1\r\ncontent-type: application/json\r\n"
            "Content-Length: 2\r\n\r\n{}");
  EXPECT_EQ(r.Get("Content-Type"), "application/json");
  EXPECT_EQ(r.Fields().size(), 2u);

  out.clear();
  r.set_keep_alive(false);
  r.SerializeTo(out, 1, /*head_only=*/true);
  EXPECT_EQ(out,
            "HTTP/1.1 404 Not Found\r\nX-A: 1\r\ncontent-type: application/json\r\n"
            "Connection: close\r\nContent-Length: 2\r\n\r\n");
}

TEST(HttpResponseTest, NoBodyFor204AndKeepAliveFor10) {
  HttpResponse r(204);
  r.body() = "ignored";
  std::string out;
  r.SerializeTo(out, 0);
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n");
}

TEST(HttpResponseTest, FieldValuesCannotInjectHeaders) {
  HttpResponse r;
  r.Set("X-Echo", "a\r\nSet-Cookie: evil");
  EXPECT_EQ(r.Get("X-Echo"), "a  Set-Cookie: evil");
  EXPECT_FALSE(r.Get("Set-Cookie"));
}

TEST(HttpResponseTest, ChunkedHeadAndClear) {
  HttpResponse r;
  r.Set("Content-Type", "text/event-stream");
  std::string out;
  r.SerializeChunkedHeadTo(out, 1);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
  r.body() = "x";
  r.Clear();
  EXPECT_EQ(r.status(), 200);
  EXPECT_TRUE(r.body().empty());
  EXPECT_TRUE(r.Fields().empty());
}

}  // namespace
}  // namespace ferry::transport::http
