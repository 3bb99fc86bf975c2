// Request-level security checks for the Streamable HTTP transport, independent of any HTTP
// library: plain header values in, decisions out.
//
//   * OriginPolicy, CheckHost, CheckOrigin: DNS-rebinding protection. The MCP transport spec
//     (2025-11-25, "Security Warning") requires servers to validate the Origin header of every
//     request and answer 403 Forbidden when it is present and not allowed; checking Host as well
//     stops a rebinding page even when a browser leaves Origin out (same-origin GET, navigation).
//   * CorsPolicy, CorsPreflight, CorsActual: the CORS response headers for browser clients.
//   * BearerAuth, WwwAuthenticate: static bearer tokens (RFC 6750) compared in constant time.
//
// The transport is expected to run, for every request: CheckHost, then CheckOrigin (both 403 on
// failure), then for OPTIONS the CORS preflight (below), then BearerAuth::Check (401/400 with a
// WWW-Authenticate header), then its own handling, adding CorsActual's headers to the response.
//
// Thread-safety: the policies are plain values (share them read-only); the free functions are
// pure; BearerAuth is immutable after Create, so concurrent Check calls are safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/result.h"

namespace ferry::transport::http {

// ---------------------------------------------------------------------------------------------
// Host and Origin validation (DNS-rebinding protection)
// ---------------------------------------------------------------------------------------------

// Which Host and Origin header values a server accepts.
//
// Host patterns: "name", "name:PORT" or "name:*". Names compare case-insensitively (one trailing
// dot ignored); IPv6 literals are bracketed ("[::1]") and compare by address, so "[0:0::1]"
// matches "[::1]". Because the Host check does not know the scheme, a Host port of 80 or 443 is
// treated as no port: "name" accepts "name", "name:80" and "name:443"; "name:*" accepts any port
// or none; "name:8080" only that port.
//
// Origin patterns: "scheme://name", "scheme://name:PORT" or "scheme://name:*", with the scheme's
// default port (http/ws 80, https/wss 443) equal to no port, so "https://x" matches
// "https://x:443". "null" matches the opaque origin "null" (sandboxed iframes, file: pages); it is
// never matched by anything else, not even "*".
//
// "*" alone allows every well-formed Host (in allowed_hosts) or Origin (in allowed_origins). It
// turns DNS-rebinding protection off and is UNSAFE for a server bound to loopback without
// authentication: any web page the user opens could then call its tools.
//
// An empty list allows nothing. Patterns that do not parse never match; ValidateOriginPolicy
// reports them, so check the policy once at startup.
struct OriginPolicy {
  std::vector<std::string> allowed_hosts = {"localhost:*", "127.0.0.1:*", "[::1]:*"};
  std::vector<std::string> allowed_origins = {"http://localhost:*", "https://localhost:*",
                                              "http://127.0.0.1:*", "https://127.0.0.1:*",
                                              "http://[::1]:*",     "https://[::1]:*"};
};

// kInvalidConfig naming the first pattern that does not parse.
Result<void> ValidateOriginPolicy(const OriginPolicy& policy);

// Accepts a request whose Host header (empty = absent) the policy allows. An absent Host is
// refused, as HTTP/1.1 requires one; so is a malformed one (userinfo, path, bad port, spaces,
// non-ASCII, an unbracketed or invalid IPv6 address...). Failure: kInvalidRequest with a message
// fit for a 403 body and the log; the transport answers 403 Forbidden.
Result<void> CheckHost(std::string_view host_header, const OriginPolicy& policy);

// Accepts a request without an Origin header (non-browser clients send none) or with one the
// policy allows. A malformed Origin (a path, a trailing slash, a list, bad port) is refused, as is
// "null" unless the policy lists "null". Failure: kInvalidRequest; the transport answers 403.
Result<void> CheckOrigin(std::optional<std::string_view> origin_header, const OriginPolicy& policy);

// True when `origin` (a serialized origin such as "https://app.example:8443") matches one of
// `patterns` (the OriginPolicy::allowed_origins syntax). Malformed origins never match.
bool OriginAllowed(std::string_view origin, const std::vector<std::string>& patterns);

// ---------------------------------------------------------------------------------------------
// CORS
// ---------------------------------------------------------------------------------------------

using Header = std::pair<std::string, std::string>;
using HeaderList = std::vector<Header>;

// Cross-origin access for browser-based MCP clients (e.g. the MCP Inspector). Off by default.
//
// allowed_origins uses the OriginPolicy::allowed_origins syntax; the response always echoes the
// request's Origin (never "*"), with Vary: Origin. A "*" entry in allowed_methods or
// allowed_headers allows any method or header (the requested ones are echoed). Lists compare
// case-insensitively for header names and exactly for methods. The CORS origins should be a
// subset of OriginPolicy::allowed_origins, since CheckOrigin runs first.
//
// exposed_headers lets browser code read Mcp-Session-Id (needed to continue the session),
// MCP-Protocol-Version, and WWW-Authenticate (MCP clients read the resource_metadata URL from it
// after a 401).
struct CorsPolicy {
  bool enabled = false;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> allowed_methods = {"GET", "POST", "DELETE", "OPTIONS"};
  std::vector<std::string> allowed_headers = {"Content-Type",         "Accept",
                                              "Authorization",        "Mcp-Session-Id",
                                              "MCP-Protocol-Version", "Last-Event-ID"};
  std::vector<std::string> exposed_headers = {"Mcp-Session-Id", "MCP-Protocol-Version",
                                              "WWW-Authenticate"};
  int max_age_seconds = 600;  // Access-Control-Max-Age; 0 or less leaves the header out
  bool allow_credentials = false;
};

// kInvalidConfig for an origin pattern that does not parse, a method or header name that is not
// an HTTP token, a negative max age, or allow_credentials with a "*" origin (that would let every
// web site use the browser's cookies and HTTP credentials).
Result<void> ValidateCorsPolicy(const CorsPolicy& policy);

// What to add to a response. `allowed` says whether the cross-origin request is permitted;
// `headers` are added to the response either way (e.g. Vary, so caches keep answers for different
// origins apart).
struct CorsResult {
  bool allowed = false;
  HeaderList headers;
};

// True for an OPTIONS request that is a CORS preflight: it carries both Origin and
// Access-Control-Request-Method. Other OPTIONS requests are ordinary (answer 204 with Allow).
bool IsPreflight(std::string_view method, std::optional<std::string_view> origin,
                 std::optional<std::string_view> access_control_request_method);

// The answer to a preflight. Allowed when CORS is enabled, the origin matches, the requested
// method is allowed and every name in Access-Control-Request-Headers (a comma-separated list) is
// allowed; the headers are then Access-Control-Allow-Origin (the origin), -Allow-Methods,
// -Allow-Headers, -Max-Age, -Allow-Credentials (when enabled) and Vary. A refused preflight gets
// no Access-Control-* headers, only Vary when CORS is enabled.
//
// Transport answers: allowed -> 204 No Content with the headers; refused -> 403 Forbidden (the
// browser fails the preflight and never sends the real request; the 403 makes the refusal
// visible in its developer tools and in our logs).
CorsResult CorsPreflight(const CorsPolicy& policy, std::optional<std::string_view> origin,
                         std::optional<std::string_view> request_method,
                         std::optional<std::string_view> request_headers);

// The headers for an actual (non-preflight) response: with CORS enabled, Vary: Origin always,
// and for an allowed Origin also Access-Control-Allow-Origin, -Expose-Headers and
// -Allow-Credentials. `allowed` is false without an Origin or for one not allowed; the transport
// still serves the request (CORS is enforced by the browser; CheckOrigin is the server's guard).
CorsResult CorsActual(const CorsPolicy& policy, std::optional<std::string_view> origin);

// ---------------------------------------------------------------------------------------------
// Bearer tokens
// ---------------------------------------------------------------------------------------------

// RFC 6750 error codes for the WWW-Authenticate challenge.
enum class BearerError {
  kNone,            // no credentials were sent: 401, challenge without an error attribute
  kInvalidRequest,  // malformed Authorization header: 400, error="invalid_request"
  kInvalidToken,    // a token was sent and is not accepted: 401, error="invalid_token"
};

// Static bearer tokens: Authorization: Bearer <token> must carry one of them.
//
// Only SHA-256 digests of the tokens are kept. Check hashes the presented token once and
// compares its digest with every configured digest, accumulating differences with OR over all
// 32 bytes of all digests (no early exit on a differing byte or on a match). Its running time
// depends only on the presented token's length (which the sender knows) and on the number of
// configured tokens (fixed); comparing digests rather than tokens also hides the configured
// tokens' lengths.
//
// Check's errors, as BearerErrorOf reads them:
//   kNotFound        no Authorization header, an empty one, or another scheme (Basic ...)
//   kInvalidRequest  "Bearer" with no token, with characters outside token68, or a token over
//                    4096 bytes
//   kInvalidParams   a well-formed token that is not one of the configured ones
// Messages never contain the presented token.
//
// Thread-safety: immutable after Create; Check and Authenticate are safe from any thread.
class BearerAuth {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  // Builds the verifier from `tokens` (e.g. from the configuration) and, when given, the lines of
  // `token_file`: one token per line, surrounding spaces ignored, blank lines and lines starting
  // with '#' skipped. Tokens must be token68 (RFC 7235: letters, digits and -._~+/ then optional
  // '='). Errors: kIo naming the file when it cannot be read; kInvalidConfig naming the file and
  // line (or the list position) of an invalid token, never the token; kInvalidConfig when no
  // token at all is configured. Duplicates are kept once.
  static Result<BearerAuth> Create(const std::vector<std::string>& tokens,
                                   const std::optional<std::string>& token_file = std::nullopt);

  // Ok when the header carries a configured token; see the class comment for the errors.
  Result<void> Check(std::optional<std::string_view> authorization_header) const;

  // As Check, but returns a stable identity of the matched token ("token-3": its position among
  // the configured tokens after de-duplication), not secret, usable as a rate-limit key or in
  // logs.
  Result<std::string> Authenticate(std::optional<std::string_view> authorization_header) const;

  std::size_t token_count() const { return digests_.size(); }

 private:
  explicit BearerAuth(std::vector<Digest> digests) : digests_(std::move(digests)) {}

  std::vector<Digest> digests_;
};

// Classifies an error from BearerAuth::Check (see there).
BearerError BearerErrorOf(const Error& error);

// The HTTP status for a refused request: 400 for kInvalidRequest, 401 otherwise.
int HttpStatusFor(BearerError error);

// The WWW-Authenticate value for a 401/400 answer, per RFC 6750 section 3:
//   Bearer realm="ferry"
//   Bearer realm="ferry", error="invalid_token", error_description="..."
// plus resource_metadata="<url>" (RFC 9728, which MCP clients use to find the authorization
// server) when `resource_metadata` is not empty. Quotes and backslashes in values are escaped.
std::string WwwAuthenticate(BearerError error, std::string_view realm = "ferry",
                            std::string_view resource_metadata = {});

// SHA-256 of `data` (FIPS 180-4). Exposed for the tests and for stores that key on token digests.
BearerAuth::Digest Sha256(std::string_view data);

}  // namespace ferry::transport::http
