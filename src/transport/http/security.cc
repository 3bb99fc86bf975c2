#include "transport/http/security.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_set>

namespace ferry::transport::http {
namespace {

// ----- small string helpers ---------------------------------------------------------------------

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 tchar: the characters of a token (header names, methods, auth schemes).
bool IsTchar(char c) {
  if (IsAlpha(c) || IsDigit(c)) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsTchar); }

// A header value quoted for an error message: at most 80 bytes, non-printable bytes as \xNN.
// Error messages end up in 403 bodies and logs; they must not carry control characters.
std::string Quote(std::string_view s) {
  constexpr std::size_t kMax = 80;
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f || c == '\\' || c == '\'') {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

// ----- authorities and origins ----------------------------------------------------------------

constexpr std::size_t kMaxHeaderValue = 2048;

// A parsed "host[:port]". host is lower case, without a trailing dot; an IPv6 literal is kept
// bracketed in the canonical text form of inet_ntop (RFC 5952), so equal addresses compare equal.
struct Authority {
  std::string host;
  std::optional<int> port;  // absent: no port (or the default port, after normalization)
  bool any_port = false;    // pattern "host:*"
};

bool IsRegNameChar(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// Parses the port after ':' ("" is no port, as RFC 3986 allows). Refuses 0 and > 65535.
bool ParsePort(std::string_view s, bool allow_wildcard, Authority& out) {
  if (s.empty()) return true;
  if (s == "*") {
    if (!allow_wildcard) return false;
    out.any_port = true;
    return true;
  }
  if (s.size() > 5) return false;
  int port = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    port = port * 10 + (c - '0');
  }
  if (port == 0 || port > 65535) return false;
  out.port = port;
  return true;
}

std::optional<Authority> ParseAuthority(std::string_view s, bool allow_wildcard) {
  if (s.empty() || s.size() > kMaxHeaderValue) return std::nullopt;
  Authority out;
  std::string_view rest;
  if (s.front() == '[') {
    std::size_t close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string inner(s.substr(1, close - 1));
    in6_addr addr{};
    if (inner.empty() || inet_pton(AF_INET6, inner.c_str(), &addr) != 1) return std::nullopt;
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, &addr, text, sizeof(text)) == nullptr) return std::nullopt;
    out.host = std::string("[") + text + "]";
    rest = s.substr(close + 1);
  } else {
    std::size_t colon = s.find(':');
    std::string_view name = s.substr(0, colon);
    if (colon != std::string_view::npos) rest = s.substr(colon);
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsRegNameChar)) {
      return std::nullopt;
    }
    if (name.back() == '.') name.remove_suffix(1);  // "localhost." is "localhost"
    // No empty labels: ".x", "x..y" and "x.." are not host names.
    if (name.empty() || name.front() == '.' || name.find("..") != std::string_view::npos ||
        name.back() == '.') {
      return std::nullopt;
    }
    out.host.reserve(name.size());
    for (char c : name) out.host += ToLower(c);
  }
  if (!rest.empty()) {
    if (rest.front() != ':') return std::nullopt;
    if (!ParsePort(rest.substr(1), allow_wildcard, out)) return std::nullopt;
  }
  return out;
}

// Host headers carry no scheme: 80 and 443 both count as "no port".
std::optional<Authority> ParseHost(std::string_view s, bool allow_wildcard) {
  auto authority = ParseAuthority(s, allow_wildcard);
  if (authority && (authority->port == 80 || authority->port == 443)) authority->port.reset();
  return authority;
}

struct Origin {
  std::string scheme;  // lower case
  Authority authority;
};

std::optional<int> DefaultPort(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  return std::nullopt;
}

// Parses a serialized origin "scheme://host[:port]" (RFC 6454): no path, no trailing slash, no
// userinfo, no list. The scheme's default port is normalized to no port.
std::optional<Origin> ParseOrigin(std::string_view s, bool allow_wildcard) {
  if (s.size() > kMaxHeaderValue) return std::nullopt;
  std::size_t sep = s.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  std::string_view scheme = s.substr(0, sep);
  if (!IsAlpha(scheme.front())) return std::nullopt;
  for (char c : scheme) {
    if (!(IsAlpha(c) || IsDigit(c) || c == '+' || c == '-' || c == '.')) return std::nullopt;
  }
  Origin out;
  for (char c : scheme) out.scheme += ToLower(c);
  auto authority = ParseAuthority(s.substr(sep + 3), allow_wildcard);
  if (!authority) return std::nullopt;
  out.authority = std::move(*authority);
  if (out.authority.port && out.authority.port == DefaultPort(out.scheme)) {
    out.authority.port.reset();
  }
  return out;
}

bool AuthorityMatches(const Authority& pattern, const Authority& value) {
  if (pattern.host != value.host) return false;
  return pattern.any_port || pattern.port == value.port;
}

bool HostAllowed(const Authority& host, const std::vector<std::string>& patterns) {
  for (const std::string& p : patterns) {
    if (p == "*") return true;
    auto pattern = ParseHost(p, /*allow_wildcard=*/true);
    if (pattern && AuthorityMatches(*pattern, host)) return true;
  }
  return false;
}

bool OriginMatches(const Origin& origin, const std::vector<std::string>& patterns) {
  for (const std::string& p : patterns) {
    if (p == "*") return true;
    if (p == "null") continue;
    auto pattern = ParseOrigin(p, /*allow_wildcard=*/true);
    if (pattern && pattern->scheme == origin.scheme &&
        AuthorityMatches(pattern->authority, origin.authority)) {
      return true;
    }
  }
  return false;
}

bool IsOriginPattern(std::string_view p) {
  return p == "*" || p == "null" || ParseOrigin(p, /*allow_wildcard=*/true).has_value();
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool ContainsIgnoreCase(const std::vector<std::string>& list, std::string_view value) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& item) { return IEquals(item, value); });
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

// ----- SHA-256 (FIPS 180-4) ---------------------------------------------------------------------

constexpr std::uint32_t kSha256K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

std::uint32_t Rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void Sha256Block(std::uint32_t state[8], const std::uint8_t block[64]) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i) {
    w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
           (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
  }
  for (int i = 16; i < 64; ++i) {
    std::uint32_t s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    std::uint32_t s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 64; ++i) {
    std::uint32_t s1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
    std::uint32_t ch = (e & f) ^ (~e & g);
    std::uint32_t t1 = h + s1 + ch + kSha256K[i] + w[i];
    std::uint32_t s0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
    std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    std::uint32_t t2 = s0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

// Overwrites `s` in a way the compiler may not drop (the text of secrets we are done with).
void Wipe(std::string& s) {
  volatile char* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}

// ----- bearer tokens ----------------------------------------------------------------------------

constexpr std::size_t kMaxTokenLength = 4096;

// RFC 7235 token68: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool IsToken68(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (IsAlpha(s[i]) || IsDigit(s[i]) ||
                          std::string_view("-._~+/").find(s[i]) != std::string_view::npos)) {
    ++i;
  }
  if (i == 0) return false;
  while (i < s.size() && s[i] == '=') ++i;
  return i == s.size();
}

// Reads a whole (small) file; kIo naming the file on failure.
Result<std::string> ReadTokenFile(const std::string& path) {
  constexpr std::size_t kMaxFileSize = 1 << 20;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return Fail(ErrorCode::kIo,
                "cannot read bearer token file '" + path + "': " + std::strerror(errno));
  }
  std::string content;
  char buf[4096];
  bool too_big = false;
  while (true) {
    std::size_t n = std::fread(buf, 1, sizeof(buf), file);
    content.append(buf, n);
    if (content.size() > kMaxFileSize) {
      too_big = true;
      break;
    }
    if (n < sizeof(buf)) break;
  }
  bool failed = std::ferror(file) != 0;
  int saved_errno = errno;
  std::fclose(file);
  volatile char* p = buf;
  for (std::size_t i = 0; i < sizeof(buf); ++i) p[i] = 0;
  if (failed) {
    Wipe(content);
    return Fail(ErrorCode::kIo,
                "cannot read bearer token file '" + path + "': " + std::strerror(saved_errno));
  }
  if (too_big) {
    Wipe(content);
    return Fail(ErrorCode::kInvalidConfig, "bearer token file '" + path + "' is larger than 1 MiB");
  }
  return content;
}

struct DigestHash {
  std::size_t operator()(const BearerAuth::Digest& d) const {
    std::size_t h = 0;
    std::memcpy(&h, d.data(), sizeof(h));
    return h;
  }
};

std::string QuoteParam(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) continue;  // no control characters in a header
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

// ----- OriginPolicy -----------------------------------------------------------------------------

Result<void> ValidateOriginPolicy(const OriginPolicy& policy) {
  for (const std::string& p : policy.allowed_hosts) {
    if (p != "*" && !ParseHost(p, /*allow_wildcard=*/true)) {
      return Fail(ErrorCode::kInvalidConfig,
                  "allowed host " + Quote(p) +
                      " is not a host pattern (expected name, name:port, name:* or *; IPv6 "
                      "addresses in brackets)");
    }
  }
  for (const std::string& p : policy.allowed_origins) {
    if (!IsOriginPattern(p)) {
      return Fail(ErrorCode::kInvalidConfig,
                  "allowed origin " + Quote(p) +
                      " is not an origin pattern (expected scheme://host, scheme://host:port, "
                      "scheme://host:*, null or *)");
    }
  }
  return {};
}

Result<void> CheckHost(std::string_view host_header, const OriginPolicy& policy) {
  std::string_view value = TrimOws(host_header);
  if (value.empty()) {
    return Fail(ErrorCode::kInvalidRequest, "missing Host header (HTTP/1.1 requires one)");
  }
  auto host = ParseHost(value, /*allow_wildcard=*/false);
  if (!host) {
    return Fail(ErrorCode::kInvalidRequest, "malformed Host header " + Quote(value));
  }
  if (!HostAllowed(*host, policy.allowed_hosts)) {
    return Fail(ErrorCode::kInvalidRequest,
                "Host " + Quote(value) +
                    " is not allowed (DNS rebinding protection); add it to the allowed hosts to "
                    "serve it");
  }
  return {};
}

Result<void> CheckOrigin(std::optional<std::string_view> origin_header,
                         const OriginPolicy& policy) {
  if (!origin_header) return {};
  std::string_view value = TrimOws(*origin_header);
  if (value == "null") {
    if (Contains(policy.allowed_origins, "null")) return {};
    return Fail(ErrorCode::kInvalidRequest,
                "Origin 'null' (a sandboxed or file: page) is not allowed");
  }
  auto origin = ParseOrigin(value, /*allow_wildcard=*/false);
  if (!origin) {
    return Fail(ErrorCode::kInvalidRequest, "malformed Origin header " + Quote(value));
  }
  if (!OriginMatches(*origin, policy.allowed_origins)) {
    return Fail(ErrorCode::kInvalidRequest,
                "Origin " + Quote(value) +
                    " is not allowed (DNS rebinding protection); add it to the allowed origins "
                    "to serve it");
  }
  return {};
}

bool OriginAllowed(std::string_view origin, const std::vector<std::string>& patterns) {
  std::string_view value = TrimOws(origin);
  if (value == "null") return Contains(patterns, "null");
  auto parsed = ParseOrigin(value, /*allow_wildcard=*/false);
  return parsed && OriginMatches(*parsed, patterns);
}

// ----- CORS -------------------------------------------------------------------------------------

Result<void> ValidateCorsPolicy(const CorsPolicy& policy) {
  for (const std::string& p : policy.allowed_origins) {
    if (!IsOriginPattern(p)) {
      return Fail(ErrorCode::kInvalidConfig,
                  "CORS allowed origin " + Quote(p) + " is not an origin pattern");
    }
  }
  for (const std::string& m : policy.allowed_methods) {
    if (!IsToken(m)) {
      return Fail(ErrorCode::kInvalidConfig, "CORS method " + Quote(m) + " is not an HTTP token");
    }
  }
  for (const auto* list : {&policy.allowed_headers, &policy.exposed_headers}) {
    for (const std::string& h : *list) {
      if (!IsToken(h)) {
        return Fail(ErrorCode::kInvalidConfig,
                    "CORS header name " + Quote(h) + " is not an HTTP token");
      }
    }
  }
  if (policy.max_age_seconds < 0) {
    return Fail(ErrorCode::kInvalidConfig, "CORS max age must not be negative");
  }
  if (policy.allow_credentials && Contains(policy.allowed_origins, "*")) {
    return Fail(ErrorCode::kInvalidConfig,
                "CORS allow_credentials with the '*' origin would let every web site use the "
                "browser's credentials; list the origins instead");
  }
  return {};
}

bool IsPreflight(std::string_view method, std::optional<std::string_view> origin,
                 std::optional<std::string_view> access_control_request_method) {
  return method == "OPTIONS" && origin.has_value() && access_control_request_method.has_value();
}

CorsResult CorsPreflight(const CorsPolicy& policy, std::optional<std::string_view> origin,
                         std::optional<std::string_view> request_method,
                         std::optional<std::string_view> request_headers) {
  CorsResult result;
  if (!policy.enabled) return result;
  const std::string vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
  auto refuse = [&] {
    result.allowed = false;
    result.headers = {{"Vary", vary}};
    return result;
  };
  if (!origin || !request_method) return refuse();
  std::string_view origin_value = TrimOws(*origin);
  if (!OriginAllowed(origin_value, policy.allowed_origins)) return refuse();

  std::string_view method = TrimOws(*request_method);
  if (!IsToken(method)) return refuse();
  bool any_method = Contains(policy.allowed_methods, "*");
  if (!any_method && !Contains(policy.allowed_methods, method)) return refuse();

  bool any_header = Contains(policy.allowed_headers, "*");
  std::vector<std::string> requested;
  if (request_headers) {
    std::string_view list = *request_headers;
    while (true) {
      std::size_t comma = list.find(',');
      std::string_view name = TrimOws(list.substr(0, comma));
      if (!name.empty()) {
        if (!IsToken(name)) return refuse();
        if (!any_header && !ContainsIgnoreCase(policy.allowed_headers, name)) return refuse();
        std::string lower;
        for (char c : name) lower += ToLower(c);
        requested.push_back(std::move(lower));
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }

  result.allowed = true;
  result.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin_value));
  result.headers.emplace_back("Access-Control-Allow-Methods",
                              any_method ? std::string(method) : Join(policy.allowed_methods));
  std::string allow_headers = any_header ? Join(requested) : Join(policy.allowed_headers);
  if (!allow_headers.empty()) {
    result.headers.emplace_back("Access-Control-Allow-Headers", std::move(allow_headers));
  }
  if (policy.max_age_seconds > 0) {
    result.headers.emplace_back("Access-Control-Max-Age", std::to_string(policy.max_age_seconds));
  }
  if (policy.allow_credentials) {
    result.headers.emplace_back("Access-Control-Allow-Credentials", "true");
  }
  result.headers.emplace_back("Vary", vary);
  return result;
}

CorsResult CorsActual(const CorsPolicy& policy, std::optional<std::string_view> origin) {
  CorsResult result;
  if (!policy.enabled) return result;
  if (origin && OriginAllowed(*origin, policy.allowed_origins)) {
    result.allowed = true;
    result.headers.emplace_back("Access-Control-Allow-Origin", std::string(TrimOws(*origin)));
    if (!policy.exposed_headers.empty()) {
      result.headers.emplace_back("Access-Control-Expose-Headers", Join(policy.exposed_headers));
    }
    if (policy.allow_credentials) {
      result.headers.emplace_back("Access-Control-Allow-Credentials", "true");
    }
  }
  result.headers.emplace_back("Vary", "Origin");
  return result;
}

// ----- Bearer tokens ----------------------------------------------------------------------------

BearerAuth::Digest Sha256(std::string_view data) {
  std::uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(data.data());
  std::size_t full = data.size() / 64;
  for (std::size_t i = 0; i < full; ++i) Sha256Block(state, bytes + 64 * i);

  std::uint8_t tail[128] = {};
  std::size_t rest = data.size() - 64 * full;
  if (rest > 0) std::memcpy(tail, bytes + 64 * full, rest);
  tail[rest] = 0x80;
  std::size_t tail_len = (rest + 1 + 8 <= 64) ? 64 : 128;
  std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
  for (int i = 0; i < 8; ++i) {
    tail[tail_len - 1 - i] = static_cast<std::uint8_t>(bits >> (8 * i));
  }
  Sha256Block(state, tail);
  if (tail_len == 128) Sha256Block(state, tail + 64);
  volatile std::uint8_t* wipe = tail;  // the tail held secret bytes
  for (std::size_t i = 0; i < sizeof(tail); ++i) wipe[i] = 0;

  BearerAuth::Digest out;
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = static_cast<std::uint8_t>(state[i] >> 24);
    out[4 * i + 1] = static_cast<std::uint8_t>(state[i] >> 16);
    out[4 * i + 2] = static_cast<std::uint8_t>(state[i] >> 8);
    out[4 * i + 3] = static_cast<std::uint8_t>(state[i]);
  }
  return out;
}

Result<BearerAuth> BearerAuth::Create(const std::vector<std::string>& tokens,
                                      const std::optional<std::string>& token_file) {
  std::vector<Digest> digests;
  std::unordered_set<Digest, DigestHash> seen;
  auto add = [&](std::string_view token) {
    Digest d = Sha256(token);
    if (seen.insert(d).second) digests.push_back(d);
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::string_view token = TrimOws(tokens[i]);
    if (token.size() > kMaxTokenLength || !IsToken68(token)) {
      return Fail(ErrorCode::kInvalidConfig,
                  "bearer token #" + std::to_string(i + 1) +
                      " of the configured list is not a valid token (token68: letters, digits "
                      "and -._~+/ then optional '=', at most 4096 bytes)");
    }
    add(token);
  }
  if (token_file) {
    auto content = ReadTokenFile(*token_file);
    if (!content) return Fail(std::move(content.error()));
    std::string_view text = *content;
    std::size_t line_number = 0;
    Result<void> status;
    while (!text.empty() && status) {
      ++line_number;
      std::size_t eol = text.find('\n');
      std::string_view line = text.substr(0, eol);
      text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      line = TrimOws(line);
      if (line.empty() || line.front() == '#') continue;
      if (line.size() > kMaxTokenLength || !IsToken68(line)) {
        status =
            Fail(ErrorCode::kInvalidConfig,
                 "bearer token file '" + *token_file + "' line " + std::to_string(line_number) +
                     ": not a valid token (token68: letters, digits and -._~+/ then "
                     "optional '=', at most 4096 bytes)");
        break;
      }
      add(line);
    }
    Wipe(*content);
    if (!status) return Fail(std::move(status.error()));
  }
  if (digests.empty()) {
    return Fail(ErrorCode::kInvalidConfig, token_file
                                               ? "no bearer token configured (the token file '" +
                                                     *token_file + "' and the token list are empty)"
                                               : std::string("no bearer token configured"));
  }
  return BearerAuth(std::move(digests));
}

Result<std::string> BearerAuth::Authenticate(
    std::optional<std::string_view> authorization_header) const {
  std::string_view value = authorization_header ? TrimOws(*authorization_header) : "";
  if (value.empty()) {
    return Fail(ErrorCode::kNotFound, "missing Authorization header (a bearer token is required)");
  }
  std::size_t space = 0;
  while (space < value.size() && !IsOws(value[space])) ++space;
  std::string_view scheme = value.substr(0, space);
  if (!IEquals(scheme, "Bearer")) {
    return Fail(ErrorCode::kNotFound, "the Authorization header uses the " + Quote(scheme) +
                                          " scheme; a bearer token is required");
  }
  std::string_view token = TrimOws(value.substr(space));
  if (token.empty()) {
    return Fail(ErrorCode::kInvalidRequest, "the Authorization header has no bearer token");
  }
  if (token.size() > kMaxTokenLength || !IsToken68(token)) {
    return Fail(ErrorCode::kInvalidRequest, "malformed bearer token in the Authorization header");
  }

  // Constant time: every byte of every digest is visited; the only data-dependent operations
  // are XOR, OR and arithmetic on the accumulated values.
  Digest presented = Sha256(token);
  std::size_t found = 0;  // 1-based index of the match, 0 for none
  for (std::size_t i = 0; i < digests_.size(); ++i) {
    std::uint32_t diff = 0;
    for (std::size_t j = 0; j < presented.size(); ++j) diff |= presented[j] ^ digests_[i][j];
#if defined(__GNUC__)
    __asm__ __volatile__("" : "+r"(diff));  // keep the compiler from adding an early exit
#endif
    std::size_t equal = static_cast<std::size_t>((diff - 1) >> 8) & 1;  // 1 iff diff == 0
    found |= (i + 1) & (std::size_t{0} - equal);
  }
  if (found == 0) {
    return Fail(ErrorCode::kInvalidParams, "invalid bearer token");
  }
  return "token-" + std::to_string(found);
}

Result<void> BearerAuth::Check(std::optional<std::string_view> authorization_header) const {
  auto identity = Authenticate(authorization_header);
  if (!identity) return Fail(std::move(identity.error()));
  return {};
}

BearerError BearerErrorOf(const Error& error) {
  switch (error.code) {
    case ErrorCode::kNotFound:
      return BearerError::kNone;
    case ErrorCode::kInvalidRequest:
      return BearerError::kInvalidRequest;
    default:
      return BearerError::kInvalidToken;
  }
}

int HttpStatusFor(BearerError error) { return error == BearerError::kInvalidRequest ? 400 : 401; }

std::string WwwAuthenticate(BearerError error, std::string_view realm,
                            std::string_view resource_metadata) {
  std::string out = "Bearer realm=" + QuoteParam(realm);
  if (!resource_metadata.empty()) out += ", resource_metadata=" + QuoteParam(resource_metadata);
  switch (error) {
    case BearerError::kNone:
      break;
    case BearerError::kInvalidRequest:
      out += ", error=\"invalid_request\", error_description=\"malformed Authorization header\"";
      break;
    case BearerError::kInvalidToken:
      out += ", error=\"invalid_token\", error_description=\"the access token is not valid\"";
      break;
  }
  return out;
}

}  // namespace ferry::transport::http
