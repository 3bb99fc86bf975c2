#include "transport/http/security.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace ferry::transport::http {
namespace {

std::string Hex(const BearerAuth::Digest& d) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (auto b : d) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string HeaderValue(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

bool HasHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return true;
  }
  return false;
}

// ----- Host ----------------------------------------------------------------------------------

TEST(CheckHostTest, DefaultPolicyAllowsLoopbackNamesWithAnyPort) {
  OriginPolicy policy;
  for (const char* host :
       {"localhost", "localhost:8080", "LOCALHOST:3000", "LocalHost", "localhost.", "localhost.:9",
        "127.0.0.1", "127.0.0.1:1", "127.0.0.1:65535", "[::1]", "[::1]:8080",
        "[0:0:0:0:0:0:0:1]:80", "[0::1]", " localhost:80 ", "localhost:"}) {
    EXPECT_TRUE(CheckHost(host, policy).has_value()) << host;
  }
}

TEST(CheckHostTest, DefaultPolicyRefusesOtherHosts) {
  OriginPolicy policy;
  for (const char* host : {"evil.example", "evil.example:8080", "localhost.evil.example",
                           "127.0.0.2", "127.0.0.1.nip.io", "[::2]", "0.0.0.0", "2130706433",
                           "[::ffff:127.0.0.1]", "mylocalhost", "localhostx"}) {
    auto result = CheckHost(host, policy);
    ASSERT_FALSE(result.has_value()) << host;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidRequest);
    EXPECT_NE(result.error().message.find("not allowed"), std::string::npos) << host;
  }
}

TEST(CheckHostTest, MissingHostIsRefused) {
  OriginPolicy policy;
  for (const char* host : {"", "   "}) {
    auto result = CheckHost(host, policy);
    ASSERT_FALSE(result.has_value());
    EXPECT_NE(result.error().message.find("missing Host"), std::string::npos);
  }
}

TEST(CheckHostTest, MalformedHostIsRefused) {
  OriginPolicy policy;
  policy.allowed_hosts = {"*"};  // even the wildcard accepts only well-formed values
  for (const char* host : {"local host",
                           "localhost:0",
                           "localhost:65536",
                           "localhost:123456",
                           "localhost:-1",
                           "localhost:8o",
                           "localhost:80:80",
                           "user@localhost",
                           "localhost/path",
                           "localhost?x",
                           "::1",
                           "[::1",
                           "::1]",
                           "[::1]x",
                           "[::1]:x",
                           "[]",
                           "[localhost]",
                           "[fe80::1%25eth0]",
                           "%6cocalhost",
                           ":80",
                           ".",
                           "..",
                           "local..host.",
                           ".localhost",
                           "lo\tcalhost",
                           "lo\rcalhost",
                           "lo\ncalhost",
                           "l\xc3\xb6kalhost",
                           "localhost:*",
                           "*",
                           "[::1]:*"}) {
    auto result = CheckHost(host, policy);
    ASSERT_FALSE(result.has_value()) << host;
    EXPECT_NE(result.error().message.find("malformed Host"), std::string::npos) << host;
  }
}

TEST(CheckHostTest, OversizedHostIsRefused) {
  OriginPolicy policy;
  policy.allowed_hosts = {"*"};
  EXPECT_FALSE(CheckHost(std::string(5000, 'a'), policy).has_value());
  EXPECT_TRUE(CheckHost(std::string(200, 'a'), policy).has_value());
}

TEST(CheckHostTest, ErrorMessagesEscapeControlCharactersAndTruncate) {
  OriginPolicy policy;
  auto result = CheckHost("evil\x01\x7f.example", policy);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("\\x01"), std::string::npos);
  EXPECT_NE(result.error().message.find("\\x7f"), std::string::npos);
  for (char c : result.error().message) EXPECT_GE(static_cast<unsigned char>(c), 0x20);

  auto long_result = CheckHost(std::string(300, 'x') + ".example", policy);
  ASSERT_FALSE(long_result.has_value());
  EXPECT_LT(long_result.error().message.size(), 250u);
  EXPECT_NE(long_result.error().message.find("..."), std::string::npos);
}

TEST(CheckHostTest, PortPatterns) {
  OriginPolicy policy;
  policy.allowed_hosts = {"mcp.example.com", "api.example.com:8443", "any.example.com:*"};
  // A plain name: no port, or the default ports.
  EXPECT_TRUE(CheckHost("mcp.example.com", policy).has_value());
  EXPECT_TRUE(CheckHost("MCP.Example.COM:443", policy).has_value());
  EXPECT_TRUE(CheckHost("mcp.example.com:80", policy).has_value());
  EXPECT_FALSE(CheckHost("mcp.example.com:8080", policy).has_value());
  // An explicit port: only that one.
  EXPECT_TRUE(CheckHost("api.example.com:8443", policy).has_value());
  EXPECT_FALSE(CheckHost("api.example.com", policy).has_value());
  EXPECT_FALSE(CheckHost("api.example.com:8444", policy).has_value());
  // A port wildcard: any port or none.
  EXPECT_TRUE(CheckHost("any.example.com", policy).has_value());
  EXPECT_TRUE(CheckHost("any.example.com:1", policy).has_value());
  EXPECT_FALSE(CheckHost("sub.any.example.com", policy).has_value());
}

TEST(CheckHostTest, DefaultPortPatternsNormalize) {
  OriginPolicy policy;
  policy.allowed_hosts = {"web.example:443"};
  EXPECT_TRUE(CheckHost("web.example", policy).has_value());
  EXPECT_TRUE(CheckHost("web.example:443", policy).has_value());
}

TEST(CheckHostTest, Ipv6PatternsCompareByAddress) {
  OriginPolicy policy;
  policy.allowed_hosts = {"[2001:DB8:0:0::1]:9000"};
  EXPECT_TRUE(CheckHost("[2001:db8::1]:9000", policy).has_value());
  EXPECT_TRUE(CheckHost("[2001:0db8:0000:0000:0000:0000:0000:0001]:9000", policy).has_value());
  EXPECT_FALSE(CheckHost("[2001:db8::1]:9001", policy).has_value());
  EXPECT_FALSE(CheckHost("[2001:db8::2]:9000", policy).has_value());
}

TEST(CheckHostTest, WildcardAllowsEveryWellFormedHost) {
  OriginPolicy policy;
  policy.allowed_hosts = {"*"};
  EXPECT_TRUE(CheckHost("anything.example:1234", policy).has_value());
  EXPECT_TRUE(CheckHost("[::2]", policy).has_value());
}

TEST(CheckHostTest, EmptyListAllowsNothing) {
  OriginPolicy policy;
  policy.allowed_hosts.clear();
  EXPECT_FALSE(CheckHost("localhost", policy).has_value());
}

TEST(CheckHostTest, InvalidPatternsNeverMatch) {
  OriginPolicy policy;
  policy.allowed_hosts = {"local host", "localhost:99999", "*.example.com"};
  EXPECT_FALSE(CheckHost("localhost", policy).has_value());
  EXPECT_FALSE(CheckHost("a.example.com", policy).has_value());
}

// ----- Origin --------------------------------------------------------------------------------

TEST(CheckOriginTest, AbsentOriginIsAllowed) {
  OriginPolicy policy;
  policy.allowed_origins.clear();
  EXPECT_TRUE(CheckOrigin(std::nullopt, policy).has_value());
}

TEST(CheckOriginTest, DefaultPolicyAllowsLoopbackOrigins) {
  OriginPolicy policy;
  for (const char* origin :
       {"http://localhost", "http://localhost:6274", "https://localhost", "HTTP://LOCALHOST:80",
        "https://localhost:443", "http://127.0.0.1:3000", "https://127.0.0.1", "http://[::1]",
        "http://[::1]:5173", "https://[0:0::1]:8443", "http://localhost.:1"}) {
    EXPECT_TRUE(CheckOrigin(origin, policy).has_value()) << origin;
  }
}

TEST(CheckOriginTest, DefaultPolicyRefusesOtherOrigins) {
  OriginPolicy policy;
  for (const char* origin : {"http://evil.example", "https://evil.example:443",
                             "http://localhost.evil.example", "ws://localhost", "ftp://localhost",
                             "file://localhost", "http://127.0.0.2", "chrome-extension://abc"}) {
    auto result = CheckOrigin(origin, policy);
    ASSERT_FALSE(result.has_value()) << origin;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidRequest);
    EXPECT_NE(result.error().message.find("not allowed"), std::string::npos) << origin;
  }
}

TEST(CheckOriginTest, MalformedOriginIsRefused) {
  OriginPolicy policy;
  policy.allowed_origins = {"*"};
  for (const char* origin : {"",
                             "localhost",
                             "localhost:8080",
                             "http://",
                             "http:/localhost",
                             "://localhost",
                             "http://localhost/",
                             "http://localhost/path",
                             "http://localhost:0",
                             "http://localhost:x",
                             "http://user@localhost",
                             "http://localhost, http://evil.example",
                             "http://local host",
                             "1http://localhost",
                             "ht tp://localhost",
                             "http://[::1",
                             "http://::1",
                             "http://localhost:*",
                             "NULL",
                             "Null",
                             "null null",
                             "http://localhost?q",
                             "*"}) {
    auto result = CheckOrigin(origin, policy);
    ASSERT_FALSE(result.has_value()) << origin;
  }
}

TEST(CheckOriginTest, NullOriginNeedsExplicitAllowance) {
  OriginPolicy policy;
  auto refused = CheckOrigin("null", policy);
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().message.find("'null'"), std::string::npos);

  policy.allowed_origins = {"*"};
  EXPECT_FALSE(CheckOrigin("null", policy).has_value());

  policy.allowed_origins = {"null"};
  EXPECT_TRUE(CheckOrigin("null", policy).has_value());
  EXPECT_FALSE(CheckOrigin("http://localhost", policy).has_value());
}

TEST(CheckOriginTest, DefaultPortsNormalizePerScheme) {
  OriginPolicy policy;
  policy.allowed_origins = {"https://app.example", "http://plain.example:80",
                            "https://odd.example:80"};
  EXPECT_TRUE(CheckOrigin("https://app.example:443", policy).has_value());
  EXPECT_FALSE(CheckOrigin("https://app.example:80", policy).has_value());
  EXPECT_FALSE(CheckOrigin("http://app.example", policy).has_value());
  EXPECT_TRUE(CheckOrigin("http://plain.example", policy).has_value());
  EXPECT_TRUE(CheckOrigin("https://odd.example:80", policy).has_value());
  EXPECT_FALSE(CheckOrigin("https://odd.example", policy).has_value());
}

TEST(CheckOriginTest, PortWildcardAndExactPort) {
  OriginPolicy policy;
  policy.allowed_origins = {"http://dev.example:*", "https://prod.example:8443"};
  EXPECT_TRUE(CheckOrigin("http://dev.example", policy).has_value());
  EXPECT_TRUE(CheckOrigin("http://dev.example:5173", policy).has_value());
  EXPECT_FALSE(CheckOrigin("https://dev.example:5173", policy).has_value());
  EXPECT_TRUE(CheckOrigin("https://prod.example:8443", policy).has_value());
  EXPECT_FALSE(CheckOrigin("https://prod.example", policy).has_value());
}

TEST(CheckOriginTest, WildcardAllowsEveryWellFormedOrigin) {
  OriginPolicy policy;
  policy.allowed_origins = {"*"};
  EXPECT_TRUE(CheckOrigin("https://anything.example:9", policy).has_value());
  EXPECT_TRUE(CheckOrigin("moz-extension://abc-def", policy).has_value());
}

TEST(CheckOriginTest, OriginAllowedHelper) {
  std::vector<std::string> patterns = {"https://a.example", "null"};
  EXPECT_TRUE(OriginAllowed("https://A.example", patterns));
  EXPECT_TRUE(OriginAllowed("null", patterns));
  EXPECT_FALSE(OriginAllowed("https://b.example", patterns));
  EXPECT_FALSE(OriginAllowed("garbage", patterns));
}

TEST(ValidateOriginPolicyTest, AcceptsDefaultsAndReportsBadPatterns) {
  EXPECT_TRUE(ValidateOriginPolicy(OriginPolicy{}).has_value());
  EXPECT_TRUE(ValidateOriginPolicy(OriginPolicy{.allowed_hosts = {"*", "a.b:1", "[::1]:*"},
                                                .allowed_origins = {"*", "null", "x://y:*"}})
                  .has_value());

  auto bad_host = ValidateOriginPolicy(OriginPolicy{.allowed_hosts = {"ok", "bad host"}});
  ASSERT_FALSE(bad_host.has_value());
  EXPECT_EQ(bad_host.error().code, ErrorCode::kInvalidConfig);
  EXPECT_NE(bad_host.error().message.find("'bad host'"), std::string::npos);

  auto bad_origin = ValidateOriginPolicy(OriginPolicy{.allowed_origins = {"http://localhost/"}});
  ASSERT_FALSE(bad_origin.has_value());
  EXPECT_NE(bad_origin.error().message.find("'http://localhost/'"), std::string::npos);

  EXPECT_FALSE(ValidateOriginPolicy(OriginPolicy{.allowed_hosts = {"*.example.com"}}));
  EXPECT_FALSE(ValidateOriginPolicy(OriginPolicy{.allowed_origins = {"localhost"}}));
}

// ----- CORS ----------------------------------------------------------------------------------

CorsPolicy EnabledCors() {
  CorsPolicy policy;
  policy.enabled = true;
  policy.allowed_origins = {"http://localhost:*", "https://app.example"};
  return policy;
}

TEST(CorsTest, DefaultsMatchMcpHeaders) {
  CorsPolicy policy;
  EXPECT_FALSE(policy.enabled);
  EXPECT_EQ(policy.allowed_methods, (std::vector<std::string>{"GET", "POST", "DELETE", "OPTIONS"}));
  EXPECT_EQ(policy.allowed_headers,
            (std::vector<std::string>{"Content-Type", "Accept", "Authorization", "Mcp-Session-Id",
                                      "MCP-Protocol-Version", "Last-Event-ID"}));
  EXPECT_EQ(
      policy.exposed_headers,
      (std::vector<std::string>{"Mcp-Session-Id", "MCP-Protocol-Version", "WWW-Authenticate"}));
  EXPECT_EQ(policy.max_age_seconds, 600);
  EXPECT_FALSE(policy.allow_credentials);
  EXPECT_TRUE(ValidateCorsPolicy(policy).has_value());
}

TEST(CorsTest, DisabledPolicyAddsNothing) {
  CorsPolicy policy = EnabledCors();
  policy.enabled = false;
  auto preflight = CorsPreflight(policy, "https://app.example", "POST", "content-type");
  EXPECT_FALSE(preflight.allowed);
  EXPECT_TRUE(preflight.headers.empty());
  auto actual = CorsActual(policy, "https://app.example");
  EXPECT_FALSE(actual.allowed);
  EXPECT_TRUE(actual.headers.empty());
}

TEST(CorsTest, AllowedPreflight) {
  CorsPolicy policy = EnabledCors();
  auto result = CorsPreflight(policy, "https://app.example", "POST",
                              "content-type, mcp-session-id,MCP-PROTOCOL-VERSION , authorization");
  ASSERT_TRUE(result.allowed);
  EXPECT_EQ(HeaderValue(result.headers, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(HeaderValue(result.headers, "Access-Control-Allow-Methods"),
            "GET, POST, DELETE, OPTIONS");
  EXPECT_EQ(HeaderValue(result.headers, "Access-Control-Allow-Headers"),
            "Content-Type, Accept, Authorization, Mcp-Session-Id, MCP-Protocol-Version, "
            "Last-Event-ID");
  EXPECT_EQ(HeaderValue(result.headers, "Access-Control-Max-Age"), "600");
  EXPECT_FALSE(HasHeader(result.headers, "Access-Control-Allow-Credentials"));
  EXPECT_NE(HeaderValue(result.headers, "Vary").find("Origin"), std::string::npos);
}

TEST(CorsTest, PreflightWithoutRequestHeadersAndWithPortWildcard) {
  CorsPolicy policy = EnabledCors();
  auto result = CorsPreflight(policy, "http://localhost:6274", "DELETE", std::nullopt);
  ASSERT_TRUE(result.allowed);
  EXPECT_EQ(HeaderValue(result.headers, "Access-Control-Allow-Origin"), "http://localhost:6274");
  auto empty_list = CorsPreflight(policy, "http://localhost:6274", "GET", " , ,");
  EXPECT_TRUE(empty_list.allowed);
}

TEST(CorsTest, RefusedPreflightsGetNoCorsHeaders) {
  CorsPolicy policy = EnabledCors();
  std::vector<CorsResult> refused = {
      CorsPreflight(policy, "https://evil.example", "POST", "content-type"),
      CorsPreflight(policy, "null", "POST", std::nullopt),
      CorsPreflight(policy, "garbage", "POST", std::nullopt),
      CorsPreflight(policy, std::nullopt, "POST", std::nullopt),
      CorsPreflight(policy, "https://app.example", std::nullopt, std::nullopt),
      CorsPreflight(policy, "https://app.example", "PUT", std::nullopt),
      CorsPreflight(policy, "https://app.example", "post", std::nullopt),
      CorsPreflight(policy, "https://app.example", "PO ST", std::nullopt),
      CorsPreflight(policy, "https://app.example", "POST", "content-type, x-custom"),
      CorsPreflight(policy, "https://app.example", "POST", "content-type, bad header"),
      CorsPreflight(policy, "https://app.example", "POST", "content-type, bad\x01"),
  };
  for (std::size_t i = 0; i < refused.size(); ++i) {
    EXPECT_FALSE(refused[i].allowed) << i;
    for (const auto& [name, value] : refused[i].headers) {
      EXPECT_EQ(name.rfind("Access-Control-", 0), std::string::npos) << i << " " << name;
    }
    EXPECT_TRUE(HasHeader(refused[i].headers, "Vary")) << i;
  }
}

TEST(CorsTest, WildcardMethodsAndHeadersEchoTheRequest) {
  CorsPolicy policy = EnabledCors();
  policy.allowed_methods = {"*"};
  policy.allowed_headers = {"*"};
  auto result = CorsPreflight(policy, "https://app.example", "PATCH", "X-One, x-two");
  ASSERT_TRUE(result.allowed);
  EXPECT_EQ(HeaderValue(result.headers, "Access-Control-Allow-Methods"), "PATCH");
  EXPECT_EQ(HeaderValue(result.headers, "Access-Control-Allow-Headers"), "x-one, x-two");
}

TEST(CorsTest, CredentialsAndMaxAge) {
  CorsPolicy policy = EnabledCors();
  policy.allow_credentials = true;
  policy.max_age_seconds = 0;
  auto preflight = CorsPreflight(policy, "https://app.example", "GET", std::nullopt);
  ASSERT_TRUE(preflight.allowed);
  EXPECT_EQ(HeaderValue(preflight.headers, "Access-Control-Allow-Credentials"), "true");
  EXPECT_FALSE(HasHeader(preflight.headers, "Access-Control-Max-Age"));
  auto actual = CorsActual(policy, "https://app.example");
  EXPECT_EQ(HeaderValue(actual.headers, "Access-Control-Allow-Credentials"), "true");
}

TEST(CorsTest, ActualRequestHeaders) {
  CorsPolicy policy = EnabledCors();
  auto allowed = CorsActual(policy, "https://app.example:443");
  ASSERT_TRUE(allowed.allowed);
  EXPECT_EQ(HeaderValue(allowed.headers, "Access-Control-Allow-Origin"), "https://app.example:443");
  EXPECT_EQ(HeaderValue(allowed.headers, "Access-Control-Expose-Headers"),
            "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate");
  EXPECT_EQ(HeaderValue(allowed.headers, "Vary"), "Origin");

  for (auto origin : {std::optional<std::string_view>{"https://evil.example"},
                      std::optional<std::string_view>{}}) {
    auto refused = CorsActual(policy, origin);
    EXPECT_FALSE(refused.allowed);
    ASSERT_EQ(refused.headers.size(), 1u);
    EXPECT_EQ(refused.headers[0], Header("Vary", "Origin"));
  }
}

TEST(CorsTest, ActualWithoutExposedHeaders) {
  CorsPolicy policy = EnabledCors();
  policy.exposed_headers.clear();
  auto result = CorsActual(policy, "https://app.example");
  EXPECT_TRUE(result.allowed);
  EXPECT_FALSE(HasHeader(result.headers, "Access-Control-Expose-Headers"));
}

TEST(CorsTest, IsPreflight) {
  EXPECT_TRUE(IsPreflight("OPTIONS", "https://a.example", "POST"));
  EXPECT_FALSE(IsPreflight("OPTIONS", std::nullopt, "POST"));
  EXPECT_FALSE(IsPreflight("OPTIONS", "https://a.example", std::nullopt));
  EXPECT_FALSE(IsPreflight("POST", "https://a.example", "POST"));
}

TEST(CorsTest, Validation) {
  CorsPolicy policy = EnabledCors();
  EXPECT_TRUE(ValidateCorsPolicy(policy).has_value());

  CorsPolicy bad_origin = policy;
  bad_origin.allowed_origins.push_back("https://x.example/path");
  EXPECT_EQ(ValidateCorsPolicy(bad_origin).error().code, ErrorCode::kInvalidConfig);

  CorsPolicy bad_method = policy;
  bad_method.allowed_methods.push_back("GE T");
  EXPECT_FALSE(ValidateCorsPolicy(bad_method).has_value());

  CorsPolicy bad_header = policy;
  bad_header.exposed_headers.push_back("X:Y");
  EXPECT_FALSE(ValidateCorsPolicy(bad_header).has_value());

  CorsPolicy bad_age = policy;
  bad_age.max_age_seconds = -1;
  EXPECT_FALSE(ValidateCorsPolicy(bad_age).has_value());

  CorsPolicy star_credentials = policy;
  star_credentials.allowed_origins = {"*"};
  star_credentials.allow_credentials = true;
  auto result = ValidateCorsPolicy(star_credentials);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("credentials"), std::string::npos);
}

// ----- SHA-256 -------------------------------------------------------------------------------

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // Padding boundaries: 55 bytes fit one block, 56..63 need two, 64 a full block plus padding.
  EXPECT_EQ(Hex(Sha256(std::string(55, 'a'))),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(Hex(Sha256(std::string(56, 'a'))),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(Hex(Sha256(std::string(63, 'a'))),
            "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  EXPECT_EQ(Hex(Sha256(std::string(64, 'a'))),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(Hex(Sha256(std::string(119, 'a'))),
            "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
  EXPECT_EQ(Hex(Sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// ----- BearerAuth ----------------------------------------------------------------------------

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char name[] = "/tmp/ferry_tokens_XXXXXX";
    int fd = mkstemp(name);
    path_ = name;
    if (fd >= 0) {
      ssize_t written = write(fd, content.data(), content.size());
      (void)written;
      close(fd);
    }
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(BearerAuthTest, AcceptsConfiguredTokens) {
  auto auth = BearerAuth::Create({"s3cret-token_1", "other.token~2+/=="});
  ASSERT_TRUE(auth.has_value()) << auth.error().message;
  EXPECT_EQ(auth->token_count(), 2u);
  EXPECT_TRUE(auth->Check("Bearer s3cret-token_1").has_value());
  EXPECT_TRUE(auth->Check("bearer other.token~2+/==").has_value());
  EXPECT_TRUE(auth->Check("BEARER   s3cret-token_1  ").has_value());
  EXPECT_TRUE(auth->Check("  Bearer\ts3cret-token_1").has_value());
  EXPECT_EQ(*auth->Authenticate("Bearer s3cret-token_1"), "token-1");
  EXPECT_EQ(*auth->Authenticate("Bearer other.token~2+/=="), "token-2");
}

TEST(BearerAuthTest, MissingCredentials) {
  auto auth = BearerAuth::Create({"token"});
  ASSERT_TRUE(auth.has_value());
  for (auto header :
       {std::optional<std::string_view>{}, std::optional<std::string_view>{""},
        std::optional<std::string_view>{"  "},
        std::optional<std::string_view>{"Basic dXNlcjpwYXNz"},
        std::optional<std::string_view>{"Bearertoken"}, std::optional<std::string_view>{"token"}}) {
    auto result = auth->Check(header);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(BearerErrorOf(result.error()), BearerError::kNone);
  }
}

TEST(BearerAuthTest, MalformedCredentials) {
  auto auth = BearerAuth::Create({"token"});
  ASSERT_TRUE(auth.has_value());
  std::string huge = "Bearer " + std::string(5000, 'a');
  for (std::string_view header :
       {std::string_view("Bearer"), std::string_view("Bearer   "),
        std::string_view("Bearer tok en"), std::string_view("Bearer tok\"en"),
        std::string_view("Bearer =abc"), std::string_view("Bearer a=b"),
        std::string_view("Bearer realm=\"x\", token=y"), std::string_view("Bearer t\xc3\xb6ken"),
        std::string_view(huge)}) {
    auto result = auth->Check(header);
    ASSERT_FALSE(result.has_value()) << header;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidRequest) << header;
    EXPECT_EQ(BearerErrorOf(result.error()), BearerError::kInvalidRequest);
  }
}

TEST(BearerAuthTest, WrongToken) {
  auto auth = BearerAuth::Create({"correct-token"});
  ASSERT_TRUE(auth.has_value());
  for (const char* header : {"Bearer wrong-token", "Bearer correct-toke", "Bearer correct-tokenx",
                             "Bearer CORRECT-TOKEN", "Bearer c"}) {
    auto result = auth->Check(header);
    ASSERT_FALSE(result.has_value()) << header;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidParams);
    EXPECT_EQ(BearerErrorOf(result.error()), BearerError::kInvalidToken);
    EXPECT_EQ(result.error().message.find("correct"), std::string::npos);  // no token echoed
  }
}

TEST(BearerAuthTest, CreateValidatesTokens) {
  auto empty = BearerAuth::Create({});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidConfig);

  auto bad = BearerAuth::Create({"good", "has space secret"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidConfig);
  EXPECT_NE(bad.error().message.find("#2"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("secret"), std::string::npos);

  EXPECT_FALSE(BearerAuth::Create({""}).has_value());
  EXPECT_FALSE(BearerAuth::Create({std::string(4097, 'a')}).has_value());
  EXPECT_TRUE(BearerAuth::Create({std::string(4096, 'a')}).has_value());
}

TEST(BearerAuthTest, DuplicatesCountOnce) {
  auto auth = BearerAuth::Create({"a-token", "b-token", "a-token"});
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->token_count(), 2u);
  EXPECT_EQ(*auth->Authenticate("Bearer b-token"), "token-2");
}

TEST(BearerAuthTest, TokenFile) {
  TempFile file(
      "# deployment tokens\n"
      "\n"
      "  file-token-1  \r\n"
      "\t# indented comment\n"
      "file-token-2\n"
      "file-token-3");  // no final newline
  auto auth = BearerAuth::Create({"list-token"}, file.path());
  ASSERT_TRUE(auth.has_value()) << auth.error().message;
  EXPECT_EQ(auth->token_count(), 4u);
  EXPECT_EQ(*auth->Authenticate("Bearer list-token"), "token-1");
  EXPECT_EQ(*auth->Authenticate("Bearer file-token-1"), "token-2");
  EXPECT_EQ(*auth->Authenticate("Bearer file-token-3"), "token-4");
  EXPECT_FALSE(auth->Check("Bearer #").has_value());
}

TEST(BearerAuthTest, TokenFileOnly) {
  TempFile file("only-token\n");
  auto auth = BearerAuth::Create({}, file.path());
  ASSERT_TRUE(auth.has_value());
  EXPECT_TRUE(auth->Check("Bearer only-token").has_value());
}

TEST(BearerAuthTest, TokenFileErrorsNameTheFile) {
  auto missing = BearerAuth::Create({"x"}, std::string("/nonexistent/ferry/tokens"));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_NE(missing.error().message.find("/nonexistent/ferry/tokens"), std::string::npos);

  TempFile bad("good-token\n# comment\nbad token secret\n");
  auto invalid = BearerAuth::Create({}, bad.path());
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidConfig);
  EXPECT_NE(invalid.error().message.find(bad.path()), std::string::npos);
  EXPECT_NE(invalid.error().message.find("line 3"), std::string::npos);
  EXPECT_EQ(invalid.error().message.find("secret"), std::string::npos);

  TempFile comments_only("# nothing here\n\n");
  auto none = BearerAuth::Create({}, comments_only.path());
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidConfig);
  EXPECT_NE(none.error().message.find(comments_only.path()), std::string::npos);

  TempFile huge(std::string(2 << 20, 'a'));
  auto too_big = BearerAuth::Create({}, huge.path());
  ASSERT_FALSE(too_big.has_value());
  EXPECT_NE(too_big.error().message.find(huge.path()), std::string::npos);
}

TEST(BearerAuthTest, DirectoryAsTokenFileIsAnIoError) {
  auto result = BearerAuth::Create({}, std::string("/tmp"));
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("/tmp"), std::string::npos);
}

TEST(BearerAuthTest, ConcurrentChecks) {
  auto auth = BearerAuth::Create({"alpha-token", "beta-token"});
  ASSERT_TRUE(auth.has_value());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        bool good = auth->Check(t % 2 ? "Bearer alpha-token" : "Bearer beta-token").has_value();
        bool bad = auth->Check("Bearer gamma-token").has_value();
        if (!good || bad) failures.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(WwwAuthenticateTest, Rfc6750Challenges) {
  EXPECT_EQ(WwwAuthenticate(BearerError::kNone), "Bearer realm=\"ferry\"");
  EXPECT_EQ(WwwAuthenticate(BearerError::kInvalidToken),
            "Bearer realm=\"ferry\", error=\"invalid_token\", "
            "error_description=\"the access token is not valid\"");
  EXPECT_EQ(WwwAuthenticate(BearerError::kInvalidRequest),
            "Bearer realm=\"ferry\", error=\"invalid_request\", "
            "error_description=\"malformed Authorization header\"");
  EXPECT_EQ(WwwAuthenticate(BearerError::kNone, "my \"realm\"\\",
                            "https://mcp.example/.well-known/oauth-protected-resource"),
            "Bearer realm=\"my \\\"realm\\\"\\\\\", "
            "resource_metadata=\"https://mcp.example/.well-known/oauth-protected-resource\"");
  EXPECT_EQ(WwwAuthenticate(BearerError::kNone, "a\r\nb"), "Bearer realm=\"ab\"");
}

TEST(WwwAuthenticateTest, StatusAndClassificationRoundTrip) {
  auto auth = BearerAuth::Create({"token"});
  ASSERT_TRUE(auth.has_value());
  auto missing = auth->Check(std::nullopt);
  auto wrong = auth->Check("Bearer nope");
  auto malformed = auth->Check("Bearer a b");
  EXPECT_EQ(HttpStatusFor(BearerErrorOf(missing.error())), 401);
  EXPECT_EQ(HttpStatusFor(BearerErrorOf(wrong.error())), 401);
  EXPECT_EQ(HttpStatusFor(BearerErrorOf(malformed.error())), 400);
  EXPECT_EQ(
      WwwAuthenticate(BearerErrorOf(wrong.error())).find("invalid_token") != std::string::npos,
      true);
}

}  // namespace
}  // namespace ferry::transport::http
