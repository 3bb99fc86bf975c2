#include "protocol/json_schema.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <optional>
#include <regex>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <boost/json.hpp>

namespace ferry::protocol {
namespace {

namespace json = boost::json;

// Instances nested deeper than this are refused rather than risking the stack; the JSON-RPC
// parser refuses messages nested deeper than 64 anyway (jsonrpc::Parser::kMaxDepth).
constexpr std::size_t kMaxInstanceDepth = 64;
// Schemas evaluated at one instance location without descending into it: only a $ref cycle that
// never consumes input gets near this.
constexpr std::size_t kMaxLocationDepth = 128;
// Schemas evaluated in total on the current path; bounds the stack whatever the schema looks like
// (about 1 KiB per level in unoptimized builds, several under AddressSanitizer). Real tool schemas
// nest a few levels.
constexpr std::size_t kMaxEvaluationDepth = 512;
// Schema documents nested deeper than this are refused at Compile.
constexpr std::size_t kMaxSchemaNesting = 256;
// The regex compiler recurses per group; deeper nesting is refused at Compile.
constexpr std::size_t kMaxPatternNesting = 100;
// Patterns with back-references need the backtracking regex executor, whose recursion grows with
// the input; longer strings are refused instead of overflowing the stack.
constexpr std::size_t kMaxBacktrackingInput = 2000;
// Messages that nest other messages (anyOf, oneOf) cut each nested one to this length.
constexpr std::size_t kMaxDetailLength = 200;
constexpr std::size_t kMaxDescribeLength = 120;

// ---- Types ----

constexpr unsigned kTypeNull = 1u << 0;
constexpr unsigned kTypeBoolean = 1u << 1;
constexpr unsigned kTypeObject = 1u << 2;
constexpr unsigned kTypeArray = 1u << 3;
constexpr unsigned kTypeNumber = 1u << 4;
constexpr unsigned kTypeString = 1u << 5;
constexpr unsigned kTypeInteger = 1u << 6;

constexpr std::pair<std::string_view, unsigned> kTypeNames[] = {
    {"null", kTypeNull},       {"boolean", kTypeBoolean}, {"object", kTypeObject},
    {"array", kTypeArray},     {"number", kTypeNumber},   {"string", kTypeString},
    {"integer", kTypeInteger},
};

std::string_view InstanceTypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "integer";
    case json::kind::double_:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "unknown";
}

// 2020-12 defines integers by value, so 1.0 is an integer.
bool IsIntegral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  if (!v.is_double()) return false;
  const double d = v.get_double();
  return std::isfinite(d) && d == std::trunc(d);
}

bool MatchesType(const json::value& v, unsigned types) {
  switch (v.kind()) {
    case json::kind::null:
      return types & kTypeNull;
    case json::kind::bool_:
      return types & kTypeBoolean;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return (types & kTypeNumber) || ((types & kTypeInteger) && IsIntegral(v));
    case json::kind::string:
      return types & kTypeString;
    case json::kind::array:
      return types & kTypeArray;
    case json::kind::object:
      return types & kTypeObject;
  }
  return false;
}

std::string TypeList(unsigned types) {
  std::string out;
  for (const auto& [name, bit] : kTypeNames) {
    if (!(types & bit)) continue;
    if (!out.empty()) out += " or ";
    out += name;
  }
  return out;
}

// ---- Numbers: exact comparison across int64, uint64 and double ----

int CompareIntDouble(std::int64_t i, double d) {
  if (std::isnan(d)) return -1;
  if (d >= 9223372036854775808.0) return -1;
  if (d < -9223372036854775808.0) return 1;
  const double t = std::trunc(d);
  const auto it = static_cast<std::int64_t>(t);
  if (i != it) return i < it ? -1 : 1;
  const double frac = d - t;
  return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

int CompareUintDouble(std::uint64_t u, double d) {
  if (std::isnan(d)) return -1;
  if (d < 0) return 1;
  if (d >= 18446744073709551616.0) return -1;
  const double t = std::trunc(d);
  const auto ut = static_cast<std::uint64_t>(t);
  if (u != ut) return u < ut ? -1 : 1;
  const double frac = d - t;
  return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Both arguments must be numbers.
int CompareNumbers(const json::value& a, const json::value& b) {
  switch (a.kind()) {
    case json::kind::int64: {
      const std::int64_t x = a.get_int64();
      if (b.is_int64()) return Cmp(x, b.get_int64());
      if (b.is_uint64()) return x < 0 ? -1 : Cmp(static_cast<std::uint64_t>(x), b.get_uint64());
      return CompareIntDouble(x, b.get_double());
    }
    case json::kind::uint64: {
      const std::uint64_t x = a.get_uint64();
      if (b.is_uint64()) return Cmp(x, b.get_uint64());
      if (b.is_int64()) {
        const std::int64_t y = b.get_int64();
        return y < 0 ? 1 : Cmp(x, static_cast<std::uint64_t>(y));
      }
      return CompareUintDouble(x, b.get_double());
    }
    default:
      break;
  }
  if (b.is_double()) return Cmp(a.get_double(), b.get_double());
  return -CompareNumbers(b, a);
}

double ToDouble(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

std::uint64_t Magnitude(const json::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  const std::int64_t i = v.get_int64();
  return i < 0 ? 0 - static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i);
}

// `divisor` is a positive number (checked at Compile).
bool IsMultipleOf(const json::value& x, const json::value& divisor) {
  if (!x.is_double() && !divisor.is_double()) return Magnitude(x) % Magnitude(divisor) == 0;
  const double xd = ToDouble(x);
  const double md = ToDouble(divisor);
  // Exact when both are integers that doubles represent exactly.
  constexpr double kExact = 9007199254740992.0;  // 2^53
  if (IsIntegral(x) && IsIntegral(divisor) && std::fabs(xd) <= kExact && md <= kExact) {
    return std::fmod(xd, md) == 0.0;
  }
  const double q = xd / md;
  if (!std::isfinite(q)) return std::fmod(xd, md) == 0.0;
  // Decimal divisors such as 0.01 are inexact in binary; accept quotients within rounding noise.
  return std::fabs(q - std::round(q)) <= std::max(1e-9, std::fabs(q) * 1e-15);
}

std::string FormatNumber(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), v.get_double());
  if (ec != std::errc()) return "?";
  return std::string(buffer, end);
}

// ---- JSON equality (numbers by value, objects unordered) and a hash consistent with it ----

bool JsonEqual(const json::value& a, const json::value& b) {
  // Iterative so that deeply nested values cannot exhaust the stack.
  std::vector<std::pair<const json::value*, const json::value*>> stack{{&a, &b}};
  while (!stack.empty()) {
    auto [x, y] = stack.back();
    stack.pop_back();
    if (x->is_number() || y->is_number()) {
      if (!x->is_number() || !y->is_number() || CompareNumbers(*x, *y) != 0) return false;
      continue;
    }
    if (x->kind() != y->kind()) return false;
    switch (x->kind()) {
      case json::kind::bool_:
        if (x->get_bool() != y->get_bool()) return false;
        break;
      case json::kind::string:
        if (x->get_string() != y->get_string()) return false;
        break;
      case json::kind::array: {
        const auto& xa = x->get_array();
        const auto& ya = y->get_array();
        if (xa.size() != ya.size()) return false;
        for (std::size_t i = 0; i < xa.size(); ++i) stack.emplace_back(&xa[i], &ya[i]);
        break;
      }
      case json::kind::object: {
        const auto& xo = x->get_object();
        const auto& yo = y->get_object();
        if (xo.size() != yo.size()) return false;
        for (const auto& kv : xo) {
          const json::value* other = yo.if_contains(kv.key());
          if (other == nullptr) return false;
          stack.emplace_back(&kv.value(), other);
        }
        break;
      }
      default:
        break;
    }
  }
  return true;
}

std::uint64_t Mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Equal values hash equally; below a fixed depth the structure is not hashed, which only costs
// collisions.
std::uint64_t JsonHash(const json::value& v, int depth = 0) {
  constexpr int kHashDepth = 8;
  switch (v.kind()) {
    case json::kind::null:
      return 0x6e756c6cULL;
    case json::kind::bool_:
      return v.get_bool() ? 0x74727565ULL : 0x66616c73ULL;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: {
      double d = ToDouble(v);
      if (d == 0) d = 0;  // -0.0 == 0
      return Mix(std::hash<double>{}(d) + 0x6e756dULL);
    }
    case json::kind::string:
      return Mix(std::hash<std::string_view>{}(v.get_string()));
    case json::kind::array: {
      std::uint64_t h = Mix(v.get_array().size() + 0x617272ULL);
      if (depth < kHashDepth) {
        for (const auto& e : v.get_array()) h = Mix(h * 31 + JsonHash(e, depth + 1));
      }
      return h;
    }
    case json::kind::object: {
      std::uint64_t h = Mix(v.get_object().size() + 0x6f626aULL);
      if (depth < kHashDepth) {
        // A sum, so that key order does not matter.
        for (const auto& kv : v.get_object()) {
          h += Mix(std::hash<std::string_view>{}(kv.key()) * 31 + JsonHash(kv.value(), depth + 1));
        }
      }
      return h;
    }
  }
  return 0;
}

// A short rendering of a value for messages.
void Describe(const json::value& v, std::string& out, int depth) {
  if (out.size() > kMaxDescribeLength) return;
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      return;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      out += FormatNumber(v);
      return;
    case json::kind::string:
      out += json::serialize(v.get_string());
      return;
    case json::kind::array: {
      if (depth > 4) {
        out += "[...]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        Describe(e, out, depth + 1);
        if (out.size() > kMaxDescribeLength) return;
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      if (depth > 4) {
        out += "{...}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::string_view(kv.key()));
        out += ':';
        Describe(kv.value(), out, depth + 1);
        if (out.size() > kMaxDescribeLength) return;
      }
      out += '}';
      return;
    }
  }
}

std::string Describe(const json::value& v) {
  std::string out;
  Describe(v, out, 0);
  if (out.size() > kMaxDescribeLength) {
    out.resize(kMaxDescribeLength);
    out += "...";
  }
  return out;
}

// ---- UTF-8 ----

std::size_t CodePointCount(std::string_view s) {
  std::size_t count = 0;
  for (unsigned char c : s) count += (c & 0xC0) != 0x80;
  return count;
}

// Decodes UTF-8 so that regular expressions see code points, not bytes; invalid sequences become
// U+FFFD.
std::wstring Utf8ToWide(std::string_view s) {
  std::wstring out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t extra = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      extra = 2;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      extra = 3;
    } else {
      out.push_back(static_cast<wchar_t>(0xFFFD));
      ++i;
      continue;
    }
    bool ok = i + extra < s.size();
    for (std::size_t k = 1; ok && k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (cc & 0x3F);
      }
    }
    if (!ok) {
      out.push_back(static_cast<wchar_t>(0xFFFD));
      ++i;
      continue;
    }
    out.push_back(static_cast<wchar_t>(cp));
    i += extra + 1;
  }
  return out;
}

// ---- Regular expressions ----

struct Pattern {
  std::string source;
  std::wregex regex;
  bool backtracking = false;  // uses the recursive executor; see kMaxBacktrackingInput
};

// ECMAScript's \s: WhiteSpace and LineTerminator, Unicode-wide. std::regex only knows the ASCII
// ones in the classic locale.
constexpr std::wstring_view kEcmaWhitespace =
    L"\t-\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";

// Rewrites the ECMAScript escapes std::regex gets wrong: \s and \S (Unicode whitespace) and \cX
// (control characters). Also reports how deeply groups nest.
std::wstring TranslatePattern(std::wstring_view pattern, std::size_t& max_nesting) {
  std::wstring out;
  bool in_class = false;
  std::size_t nesting = 0;
  max_nesting = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const wchar_t c = pattern[i];
    if (c != L'\\' || i + 1 >= pattern.size()) {
      if (c == L'[' && !in_class) {
        in_class = true;
      } else if (c == L']' && in_class) {
        in_class = false;
      } else if (c == L'(' && !in_class) {
        max_nesting = std::max(max_nesting, ++nesting);
      } else if (c == L')' && !in_class && nesting > 0) {
        --nesting;
      }
      out += c;
      continue;
    }
    const wchar_t next = pattern[i + 1];
    const bool letter =
        i + 2 < pattern.size() && ((pattern[i + 2] >= L'a' && pattern[i + 2] <= L'z') ||
                                   (pattern[i + 2] >= L'A' && pattern[i + 2] <= L'Z'));
    if (next == L's') {
      out += in_class ? std::wstring(kEcmaWhitespace) : L"[" + std::wstring(kEcmaWhitespace) + L"]";
    } else if (next == L'S' && !in_class) {
      out += L"[^" + std::wstring(kEcmaWhitespace) + L"]";
    } else if (next == L'c' && letter) {
      out += static_cast<wchar_t>(pattern[i + 2] % 32);
      ++i;
    } else {
      out += c;
      out += next;
    }
    ++i;
  }
  return out;
}

// Returns an error message when `source` is not a valid ECMAScript regular expression.
std::optional<std::string> CompilePattern(const std::string& source, Pattern& out) {
  out.source = source;
  if (source.find("\\p{") != std::string::npos || source.find("\\P{") != std::string::npos) {
    return std::string("Unicode property escapes (\\p{...}) are not supported");
  }
  std::size_t nesting = 0;
  const std::wstring wide = TranslatePattern(Utf8ToWide(source), nesting);
  if (nesting > kMaxPatternNesting) {
    return "groups are nested more than " + std::to_string(kMaxPatternNesting) + " levels deep";
  }
  try {
#if defined(__GLIBCXX__)
    // libstdc++'s default executor recurses once per input character and overflows the stack on
    // long strings; the polynomial (breadth-first) executor does not. It refuses back-references,
    // which fall back to the default executor with a bounded input length.
    try {
      out.regex.assign(wide, std::regex::ECMAScript | std::regex_constants::__polynomial);
      out.backtracking = false;
      return std::nullopt;
    } catch (const std::regex_error&) {
    }
#endif
    out.regex.assign(wide, std::regex::ECMAScript);
    out.backtracking = true;
    return std::nullopt;
  } catch (const std::regex_error& e) {
    return std::string(e.what());
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

enum class SearchResult { kMatch, kNoMatch, kUnchecked };

SearchResult Search(const Pattern& pattern, std::string_view text) {
  const std::wstring wide = Utf8ToWide(text);
  if (pattern.backtracking && wide.size() > kMaxBacktrackingInput) return SearchResult::kUnchecked;
  try {
    return std::regex_search(wide, pattern.regex) ? SearchResult::kMatch : SearchResult::kNoMatch;
  } catch (const std::exception&) {
    return SearchResult::kUnchecked;
  }
}

// ---- Formats (opt-in) ----

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int Number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsFullDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2))) {
    return false;
  }
  const int year = Number(s.substr(0, 4));
  const int month = Number(s.substr(5, 2));
  const int day = Number(s.substr(8, 2));
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// RFC 3339 full-time: HH:MM:SS[.frac](Z|+HH:MM|-HH:MM).
bool IsFullTime(std::string_view s) {
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') return false;
  if (!AllDigits(s.substr(0, 2)) || !AllDigits(s.substr(3, 2)) || !AllDigits(s.substr(6, 2))) {
    return false;
  }
  const int hour = Number(s.substr(0, 2));
  const int minute = Number(s.substr(3, 2));
  const int second = Number(s.substr(6, 2));
  if (hour > 23 || minute > 59 || second > 60) return false;
  std::size_t i = 8;
  if (i < s.size() && s[i] == '.') {
    const std::size_t start = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i >= s.size()) return false;
  int offset_minutes = 0;
  if (s[i] == 'Z' || s[i] == 'z') {
    if (i + 1 != s.size()) return false;
  } else if (s[i] == '+' || s[i] == '-') {
    const std::string_view off = s.substr(i + 1);
    if (off.size() != 5 || off[2] != ':' || !AllDigits(off.substr(0, 2)) ||
        !AllDigits(off.substr(3, 2))) {
      return false;
    }
    const int oh = Number(off.substr(0, 2));
    const int om = Number(off.substr(3, 2));
    if (oh > 23 || om > 59) return false;
    offset_minutes = (oh * 60 + om) * (s[i] == '+' ? 1 : -1);
  } else {
    return false;
  }
  if (second == 60) {
    // A leap second exists only at 23:59:60 UTC.
    const int utc = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59) return false;
  }
  return true;
}

bool IsDateTime(std::string_view s) {
  if (s.size() < 11 || (s[10] != 'T' && s[10] != 't')) return false;
  return IsFullDate(s.substr(0, 10)) && IsFullTime(s.substr(11));
}

bool IsHostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!IsAlpha(c) && !IsDigit(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view part =
        s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty() || part.size() > 3 || !AllDigits(part) || Number(part) > 255 ||
        (part.size() > 1 && part[0] == '0')) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

bool IsIpv6(std::string_view s) {
  // Up to eight groups of 1-4 hex digits, at most one "::", optionally ending in an IPv4 address
  // that counts as two groups.
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    compressed = true;
    i = 2;
  } else if (!s.empty() && s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    std::size_t end = i;
    while (end < s.size() && s[end] != ':') ++end;
    const std::string_view group = s.substr(i, end - i);
    if (group.find('.') != std::string_view::npos) {
      if (end != s.size() || !IsIpv4(group)) return false;
      groups += 2;
      break;
    }
    if (group.empty() || group.size() > 4 || !std::all_of(group.begin(), group.end(), IsHex)) {
      return false;
    }
    ++groups;
    if (end == s.size()) break;
    if (end + 1 < s.size() && s[end + 1] == ':') {
      if (compressed) return false;
      compressed = true;
      i = end + 2;
    } else {
      if (end + 1 == s.size()) return false;
      i = end + 1;
    }
  }
  return compressed ? groups < 8 : groups == 8;
}

bool IsEmail(std::string_view s) {
  const std::size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  const std::string_view local = s.substr(0, at);
  const std::string_view domain = s.substr(at + 1);
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    for (std::size_t i = 1; i + 1 < local.size(); ++i) {
      const char c = local[i];
      if (c == '\\') {
        ++i;
        if (i + 1 >= local.size()) return false;
      } else if (c == '"' || static_cast<unsigned char>(c) < 0x20 ||
                 static_cast<unsigned char>(c) > 0x7E) {
        return false;
      }
    }
  } else {
    static constexpr std::string_view kAtext = "!#$%&'*+-/=?^_`{|}~";
    if (local.size() > 64 || local.front() == '.' || local.back() == '.') return false;
    for (std::size_t i = 0; i < local.size(); ++i) {
      const char c = local[i];
      if (c == '.') {
        if (local[i - 1] == '.') return false;
      } else if (!IsAlpha(c) && !IsDigit(c) && kAtext.find(c) == std::string_view::npos) {
        return false;
      }
    }
  }
  if (domain.front() == '[') {
    if (domain.back() != ']') return false;
    const std::string_view literal = domain.substr(1, domain.size() - 2);
    if (literal.substr(0, 5) == "IPv6:") return IsIpv6(literal.substr(5));
    return IsIpv4(literal);
  }
  return IsHostname(domain);
}

bool IsUnreservedOrSubDelim(char c) {
  static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=";
  return IsAlpha(c) || IsDigit(c) || kAllowed.find(c) != std::string_view::npos;
}

// True when every character of `part` is unreserved, a sub-delimiter, one of `extra` or part of a
// well-formed %XX escape.
bool IsUriComponent(std::string_view part, std::string_view extra) {
  for (std::size_t i = 0; i < part.size(); ++i) {
    const char c = part[i];
    if (c == '%') {
      if (i + 2 >= part.size() || !IsHex(part[i + 1]) || !IsHex(part[i + 2])) return false;
      i += 2;
    } else if (!IsUnreservedOrSubDelim(c) && extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// An absolute RFC 3986 URI: scheme ":" hier-part [ "?" query ] [ "#" fragment ].
bool IsUri(std::string_view s) {
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !IsAlpha(s[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  std::string_view rest = s.substr(colon + 1);
  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
    if (!IsUriComponent(rest.substr(hash + 1), ":@/?")) return false;
    rest = rest.substr(0, hash);
  }
  if (const std::size_t question = rest.find('?'); question != std::string_view::npos) {
    if (!IsUriComponent(rest.substr(question + 1), ":@/?")) return false;
    rest = rest.substr(0, question);
  }
  if (rest.substr(0, 2) == "//") {
    rest = rest.substr(2);
    const std::size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
      if (!IsUriComponent(authority.substr(0, at), ":")) return false;
      authority = authority.substr(at + 1);
    }
    std::string_view port;
    if (!authority.empty() && authority[0] == '[') {
      const std::size_t close = authority.find(']');
      if (close == std::string_view::npos) return false;
      const std::string_view literal = authority.substr(1, close - 1);
      const bool future = !literal.empty() && (literal[0] == 'v' || literal[0] == 'V') &&
                          literal.find('.') != std::string_view::npos;
      if (!future && !IsIpv6(literal)) return false;
      if (close + 1 < authority.size()) {
        if (authority[close + 1] != ':') return false;
        port = authority.substr(close + 2);
      }
    } else {
      const std::size_t port_colon = authority.find(':');
      if (port_colon != std::string_view::npos) {
        port = authority.substr(port_colon + 1);
        authority = authority.substr(0, port_colon);
      }
      if (!IsUriComponent(authority, "")) return false;
    }
    if (!port.empty() && !AllDigits(port)) return false;
  }
  return IsUriComponent(rest, ":@/");
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!IsHex(s[i])) {
      return false;
    }
  }
  return true;
}

using FormatCheck = bool (*)(std::string_view);

FormatCheck FindFormat(std::string_view name) {
  if (name == "date-time") return IsDateTime;
  if (name == "date") return IsFullDate;
  if (name == "time") return IsFullTime;
  if (name == "email") return IsEmail;
  if (name == "uri") return IsUri;
  if (name == "uuid") return IsUuid;
  return nullptr;
}

// ---- URIs: RFC 3986 reference resolution, for $id and $ref ----

struct UriParts {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

// The split of RFC 3986 appendix B.
UriParts SplitUri(std::string_view s) {
  UriParts parts;
  const std::size_t hash = s.find('#');
  if (hash != std::string_view::npos) {
    parts.fragment = std::string(s.substr(hash + 1));
    s = s.substr(0, hash);
  }
  const std::size_t question = s.find('?');
  if (question != std::string_view::npos) {
    parts.query = std::string(s.substr(question + 1));
    s = s.substr(0, question);
  }
  const std::size_t colon = s.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      s.substr(0, colon).find('/') == std::string_view::npos) {
    parts.scheme = std::string(s.substr(0, colon));
    s = s.substr(colon + 1);
  }
  if (s.substr(0, 2) == "//") {
    s = s.substr(2);
    const std::size_t slash = s.find('/');
    parts.authority = std::string(s.substr(0, slash));
    s = slash == std::string_view::npos ? std::string_view() : s.substr(slash);
  }
  parts.path = std::string(s);
  return parts;
}

std::string RemoveDotSegments(std::string_view input) {
  std::string in(input);
  std::string out;
  while (!in.empty()) {
    if (in.rfind("../", 0) == 0) {
      in.erase(0, 3);
    } else if (in.rfind("./", 0) == 0) {
      in.erase(0, 2);
    } else if (in.rfind("/./", 0) == 0) {
      in.erase(0, 2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.rfind("/../", 0) == 0 || in == "/..") {
      in = in == "/.." ? "/" : in.substr(3);
      const std::size_t last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (in == "." || in == "..") {
      in.clear();
    } else {
      const std::size_t next = in.find('/', in[0] == '/' ? 1 : 0);
      out += in.substr(0, next);
      in.erase(0, next == std::string::npos ? in.size() : next);
    }
  }
  return out;
}

std::string JoinUri(const UriParts& p) {
  std::string out;
  if (p.scheme) out += *p.scheme + ":";
  if (p.authority) out += "//" + *p.authority;
  out += p.path;
  if (p.query) out += "?" + *p.query;
  if (p.fragment) out += "#" + *p.fragment;
  return out;
}

// RFC 3986 section 5.2.2.
std::string ResolveUri(std::string_view base, std::string_view reference) {
  const UriParts r = SplitUri(reference);
  const UriParts b = SplitUri(base);
  UriParts t;
  if (r.scheme) {
    t = r;
    t.path = RemoveDotSegments(r.path);
  } else {
    if (r.authority) {
      t.authority = r.authority;
      t.path = RemoveDotSegments(r.path);
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        t.path = b.path;
        t.query = r.query ? r.query : b.query;
      } else {
        if (r.path[0] == '/') {
          t.path = RemoveDotSegments(r.path);
        } else {
          std::string merged;
          if (b.authority && b.path.empty()) {
            merged = "/" + r.path;
          } else {
            const std::size_t slash = b.path.rfind('/');
            merged = (slash == std::string::npos ? "" : b.path.substr(0, slash + 1)) + r.path;
          }
          t.path = RemoveDotSegments(merged);
        }
        t.query = r.query;
      }
      t.authority = b.authority;
    }
    t.scheme = b.scheme;
  }
  t.fragment = r.fragment;
  return JoinUri(t);
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// ---- JSON pointers ----

std::string EscapeToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// Splits "/a/b~1c" into unescaped tokens; nullopt for a malformed pointer.
std::optional<std::vector<std::string>> ParsePointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') return std::nullopt;
  std::size_t i = 1;
  while (true) {
    std::string token;
    while (i < pointer.size() && pointer[i] != '/') {
      if (pointer[i] == '~') {
        if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
          return std::nullopt;
        }
        token += pointer[i + 1] == '0' ? '~' : '/';
        i += 2;
      } else {
        token += pointer[i++];
      }
    }
    tokens.push_back(std::move(token));
    if (i >= pointer.size()) break;
    ++i;
  }
  return tokens;
}

std::string DisplayPointer(std::string_view pointer) {
  return pointer.empty() ? std::string("/") : std::string(pointer);
}

bool IsAnchorName(std::string_view s) {
  if (s.empty() || (!IsAlpha(s[0]) && s[0] != '_')) return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

// ---- The compiled form ----

namespace {

struct Node {
  std::optional<bool> boolean;  // set for the schemas true and false
  int resource = 0;             // index into Compiled::resources

  bool has_type = false;
  unsigned types = 0;
  std::optional<json::array> enum_values;
  std::optional<json::value> const_value;

  std::optional<json::value> multiple_of;
  std::optional<json::value> maximum;
  std::optional<json::value> exclusive_maximum;
  std::optional<json::value> minimum;
  std::optional<json::value> exclusive_minimum;

  std::optional<std::uint64_t> max_length;
  std::optional<std::uint64_t> min_length;
  std::optional<Pattern> pattern;
  std::string format;
  FormatCheck format_check = nullptr;  // set only when formats are validated

  std::vector<int> prefix_items;
  int items = -1;
  int contains = -1;
  std::optional<std::uint64_t> max_contains;
  std::optional<std::uint64_t> min_contains;
  std::optional<std::uint64_t> max_items;
  std::optional<std::uint64_t> min_items;
  bool unique_items = false;
  int unevaluated_items = -1;

  std::vector<std::string> required;
  std::optional<std::uint64_t> max_properties;
  std::optional<std::uint64_t> min_properties;
  std::map<std::string, int, std::less<>> properties;
  std::vector<std::pair<Pattern, int>> pattern_properties;
  int additional_properties = -1;
  int property_names = -1;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, int>> dependent_schemas;
  int unevaluated_properties = -1;

  int ref = -1;
  int dynamic_ref = -1;
  std::string dynamic_anchor;  // non-empty when dynamic_ref is resolved through the dynamic scope

  std::vector<int> all_of;
  std::vector<int> any_of;
  std::vector<int> one_of;
  int not_schema = -1;
  int if_schema = -1;
  int then_schema = -1;
  int else_schema = -1;
};

struct SchemaResource {
  std::string uri;      // absolute URI without fragment; "" for an unnamed root
  int root = -1;        // node index of the resource's root schema
  std::string pointer;  // JSON pointer of that root in the document
  std::map<std::string, int, std::less<>> dynamic_anchors;
};

}  // namespace

struct JsonSchema::Compiled {
  std::deque<Node> nodes;  // a deque: compiling appends while references to nodes are held
  std::vector<SchemaResource> resources;
  int root = 0;
  JsonSchemaOptions options;
};

namespace {

using Compiled = JsonSchema::Compiled;

// ---- Compilation ----

class Compiler {
 public:
  Compiler(const json::value& document, Compiled& out) : document_(document), out_(out) {}

  Result<void> Run() {
    auto root = CompileSchema(document_, "", "", -1, 0);
    if (!root) return Fail(root.error());
    out_.root = *root;
    // Refs are resolved after the walk so that every $id and $anchor is known; resolving may
    // compile more schemas (pointers to locations no keyword reaches), which may add more refs.
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      const PendingRef pending = pending_[i];
      auto target = Resolve(pending);
      if (!target) return Fail(target.error());
      Node& node = out_.nodes[pending.node];
      if (pending.dynamic) {
        node.dynamic_ref = target->first;
        node.dynamic_anchor = target->second;
      } else {
        node.ref = target->first;
      }
    }
    return {};
  }

 private:
  struct PendingRef {
    int node;
    bool dynamic;
    std::string ref;
    std::string base;
    std::string location;
  };

  static Error Bad(std::string_view pointer, std::string_view message) {
    return Error(ErrorCode::kInvalidParams,
                 "invalid schema at " + DisplayPointer(pointer) + ": " + std::string(message));
  }

  Result<int> CompileSchema(const json::value& schema, const std::string& pointer, std::string base,
                            int resource, std::size_t depth) {
    if (auto it = nodes_by_pointer_.find(pointer); it != nodes_by_pointer_.end()) {
      return it->second;
    }
    if (depth > kMaxSchemaNesting) {
      return Fail(Bad(pointer, "schemas are nested more than " + std::to_string(kMaxSchemaNesting) +
                                   " levels deep"));
    }
    if (!schema.is_object() && !schema.is_bool()) {
      return Fail(Bad(pointer, std::string("a schema must be an object or a boolean, got ") +
                                   std::string(InstanceTypeName(schema))));
    }
    const int index = static_cast<int>(out_.nodes.size());
    Node& node = out_.nodes.emplace_back();
    nodes_by_pointer_[pointer] = index;

    const json::object* obj = schema.if_object();
    const json::value* id = obj ? obj->if_contains("$id") : nullptr;
    if (id != nullptr) {
      if (!id->is_string()) return Fail(Bad(pointer + "/$id", "must be a string"));
      std::string uri = ResolveUri(base, id->get_string());
      if (const std::size_t hash = uri.find('#'); hash != std::string::npos) {
        if (hash + 1 != uri.size()) {
          return Fail(Bad(pointer + "/$id", "must not contain a fragment; use $anchor"));
        }
        uri.resize(hash);
      }
      auto added = AddResource(uri, index, pointer, schema);
      if (!added) return Fail(Bad(pointer + "/$id", added.error()));
      resource = *added;
      base = uri;
    } else if (resource < 0) {
      auto added = AddResource(base, index, pointer, schema);
      if (!added) return Fail(Bad(pointer, added.error()));
      resource = *added;
    }
    node.resource = resource;
    if (!obj) {
      node.boolean = schema.get_bool();
      return index;
    }
    Context ctx{*obj, pointer, base, resource, depth, index};
    if (auto done = CompileKeywords(ctx, node); !done) return Fail(done.error());
    return index;
  }

  tl::expected<int, std::string> AddResource(const std::string& uri, int root,
                                             const std::string& pointer, const json::value& value) {
    if (resources_by_uri_.count(uri)) return tl::unexpected("duplicate $id '" + uri + "'");
    const int index = static_cast<int>(out_.resources.size());
    out_.resources.push_back(SchemaResource{uri, root, pointer, {}});
    resource_values_.push_back(&value);
    resources_by_uri_[uri] = index;
    return index;
  }

  // What keyword compilation needs to know about the schema object being compiled.
  struct Context {
    const json::object& obj;
    const std::string& pointer;
    const std::string& base;
    int resource;
    std::size_t depth;
    int index;
  };

  Result<int> Sub(const Context& ctx, const json::value& value, const std::string& pointer) {
    return CompileSchema(value, pointer, ctx.base, ctx.resource, ctx.depth + 1);
  }

  // A keyword whose value is one schema.
  Result<void> SchemaKeyword(const Context& ctx, std::string_view key, int& out) {
    const json::value* v = ctx.obj.if_contains(key);
    if (v == nullptr) return {};
    auto sub = Sub(ctx, *v, ctx.pointer + "/" + EscapeToken(key));
    if (!sub) return Fail(sub.error());
    out = *sub;
    return {};
  }

  // A keyword whose value is an array of schemas.
  Result<void> SchemaArray(const Context& ctx, std::string_view key, std::vector<int>& out) {
    const json::value* v = ctx.obj.if_contains(key);
    if (v == nullptr) return {};
    const std::string here = ctx.pointer + "/" + std::string(key);
    if (!v->is_array() || v->get_array().empty()) {
      return Fail(Bad(here, "must be a non-empty array of schemas"));
    }
    const auto& arr = v->get_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      auto sub = Sub(ctx, arr[i], here + "/" + std::to_string(i));
      if (!sub) return Fail(sub.error());
      out.push_back(*sub);
    }
    return {};
  }

  // A keyword whose value is an object of schemas; calls `add(name, node)` for each.
  template <typename Add>
  Result<void> SchemaMap(const Context& ctx, std::string_view key, Add&& add) {
    const json::value* v = ctx.obj.if_contains(key);
    if (v == nullptr) return {};
    const std::string here = ctx.pointer + "/" + std::string(key);
    if (!v->is_object()) return Fail(Bad(here, "must be an object whose values are schemas"));
    for (const auto& kv : v->get_object()) {
      const std::string child = here + "/" + EscapeToken(kv.key());
      auto sub = Sub(ctx, kv.value(), child);
      if (!sub) return Fail(sub.error());
      if (auto added = add(std::string(kv.key()), *sub, child); !added) return added;
    }
    return {};
  }

  static Result<std::uint64_t> NonNegativeInteger(const json::value& v, const std::string& here) {
    if (v.is_uint64()) return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
    if (v.is_double() && IsIntegral(v) && v.get_double() >= 0 &&
        v.get_double() < 18446744073709551616.0) {
      return static_cast<std::uint64_t>(v.get_double());
    }
    return Fail(Bad(here, "must be a non-negative integer"));
  }

  Result<void> CountKeyword(const Context& ctx, std::string_view key,
                            std::optional<std::uint64_t>& out) {
    const json::value* v = ctx.obj.if_contains(key);
    if (v == nullptr) return {};
    auto n = NonNegativeInteger(*v, ctx.pointer + "/" + std::string(key));
    if (!n) return Fail(n.error());
    out = *n;
    return {};
  }

  Result<void> NumberKeyword(const Context& ctx, std::string_view key,
                             std::optional<json::value>& out) {
    const json::value* v = ctx.obj.if_contains(key);
    if (v == nullptr) return {};
    if (!v->is_number()) return Fail(Bad(ctx.pointer + "/" + std::string(key), "must be a number"));
    out = *v;
    return {};
  }

  static Result<std::vector<std::string>> StringArray(const json::value& v,
                                                      const std::string& here) {
    if (!v.is_array()) return Fail(Bad(here, "must be an array of strings"));
    std::vector<std::string> out;
    for (const auto& e : v.get_array()) {
      if (!e.is_string()) return Fail(Bad(here, "must be an array of strings"));
      std::string s(e.get_string());
      // Duplicates are redundant, not harmful.
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
    }
    return out;
  }

  // Split by vocabulary so that only one small frame per level sits on the stack while nested
  // schemas compile.
  Result<void> CompileKeywords(const Context& ctx, Node& node) {
    if (auto r = CompileCore(ctx, node); !r) return r;
    if (auto r = CompileScalars(ctx, node); !r) return r;
    if (auto r = CompileArrays(ctx, node); !r) return r;
    if (auto r = CompileObjects(ctx, node); !r) return r;
    return CompileApplicators(ctx, node);
  }

  Result<void> CompileCore(const Context& ctx, Node& node) {
    const json::object& obj = ctx.obj;
    const std::string& p = ctx.pointer;
    if (const json::value* v = obj.if_contains("$schema"); v && !v->is_string()) {
      return Fail(Bad(p + "/$schema", "must be a string"));
    }
    for (const bool dynamic : {false, true}) {
      const char* key = dynamic ? "$dynamicAnchor" : "$anchor";
      const json::value* v = obj.if_contains(key);
      if (v == nullptr) continue;
      if (!v->is_string() || !IsAnchorName(v->get_string())) {
        return Fail(Bad(p + "/" + key, "must be a plain name such as \"node\""));
      }
      const std::string name(v->get_string());
      SchemaResource& res = out_.resources[ctx.resource];
      const std::string anchor = res.uri + "#" + name;
      auto [it, inserted] = anchors_.emplace(anchor, ctx.index);
      if (!inserted && it->second != ctx.index) {
        return Fail(Bad(p + "/" + key, "duplicate anchor '" + name + "'"));
      }
      if (dynamic) res.dynamic_anchors[name] = ctx.index;
    }

    // Identity and references.
    for (const bool dynamic : {false, true}) {
      const char* key = dynamic ? "$dynamicRef" : "$ref";
      const json::value* v = obj.if_contains(key);
      if (v == nullptr) continue;
      if (!v->is_string()) return Fail(Bad(p + "/" + key, "must be a string"));
      pending_.push_back(
          PendingRef{ctx.index, dynamic, std::string(v->get_string()), ctx.base, p + "/" + key});
    }
    for (const char* key : {"$defs", "definitions"}) {
      auto done = SchemaMap(
          ctx, key, [](const std::string&, int, const std::string&) { return Result<void>(); });
      if (!done) return done;
    }
    return {};
  }

  Result<void> CompileScalars(const Context& ctx, Node& node) {
    const json::object& obj = ctx.obj;
    const std::string& p = ctx.pointer;
    // Any instance.
    if (const json::value* v = obj.if_contains("type")) {
      const std::string here = p + "/type";
      auto add = [&](const json::value& name) -> Result<void> {
        if (!name.is_string()) return Fail(Bad(here, "must be a string or an array of strings"));
        for (const auto& [type_name, bit] : kTypeNames) {
          if (name.get_string() == type_name) {
            node.types |= bit;
            return {};
          }
        }
        return Fail(Bad(here, "unknown type \"" + std::string(name.get_string()) +
                                  "\"; expected null, boolean, object, array, number, "
                                  "string or integer"));
      };
      if (v->is_array()) {
        if (v->get_array().empty()) return Fail(Bad(here, "must not be an empty array"));
        for (const auto& e : v->get_array()) {
          if (auto r = add(e); !r) return r;
        }
      } else if (auto r = add(*v); !r) {
        return r;
      }
      node.has_type = true;
    }
    if (const json::value* v = obj.if_contains("enum")) {
      if (!v->is_array()) return Fail(Bad(p + "/enum", "must be an array"));
      node.enum_values = v->get_array();
    }
    if (const json::value* v = obj.if_contains("const")) node.const_value = *v;

    // Numbers.
    if (auto r = NumberKeyword(ctx, "multipleOf", node.multiple_of); !r) return r;
    if (node.multiple_of && CompareNumbers(*node.multiple_of, json::value(0)) <= 0) {
      return Fail(Bad(p + "/multipleOf", "must be greater than 0"));
    }
    if (auto r = NumberKeyword(ctx, "maximum", node.maximum); !r) return r;
    if (auto r = NumberKeyword(ctx, "exclusiveMaximum", node.exclusive_maximum); !r) return r;
    if (auto r = NumberKeyword(ctx, "minimum", node.minimum); !r) return r;
    if (auto r = NumberKeyword(ctx, "exclusiveMinimum", node.exclusive_minimum); !r) return r;

    // Strings.
    if (auto r = CountKeyword(ctx, "maxLength", node.max_length); !r) return r;
    if (auto r = CountKeyword(ctx, "minLength", node.min_length); !r) return r;
    if (const json::value* v = obj.if_contains("pattern")) {
      if (!v->is_string()) return Fail(Bad(p + "/pattern", "must be a string"));
      Pattern pattern;
      if (auto error = CompilePattern(std::string(v->get_string()), pattern)) {
        return Fail(Bad(p + "/pattern", "invalid regular expression \"" +
                                            std::string(v->get_string()) + "\": " + *error));
      }
      node.pattern = std::move(pattern);
    }
    if (const json::value* v = obj.if_contains("format")) {
      if (!v->is_string()) return Fail(Bad(p + "/format", "must be a string"));
      node.format = std::string(v->get_string());
      if (out_.options.validate_formats) node.format_check = FindFormat(node.format);
    }
    return {};
  }

  Result<void> CompileArrays(const Context& ctx, Node& node) {
    const json::object& obj = ctx.obj;
    const std::string& p = ctx.pointer;
    // Arrays. A draft-07 style array-valued "items" (with "additionalItems") is accepted as the
    // 2020-12 prefixItems/items pair, since many tool schemas are still generated that way.
    if (const json::value* v = obj.if_contains("items"); v && v->is_array()) {
      const auto& arr = v->get_array();
      for (std::size_t i = 0; i < arr.size(); ++i) {
        auto sub = Sub(ctx, arr[i], p + "/items/" + std::to_string(i));
        if (!sub) return Fail(sub.error());
        node.prefix_items.push_back(*sub);
      }
      if (auto r = SchemaKeyword(ctx, "additionalItems", node.items); !r) return r;
    } else {
      if (auto r = SchemaArray(ctx, "prefixItems", node.prefix_items); !r) return r;
      if (auto r = SchemaKeyword(ctx, "items", node.items); !r) return r;
    }
    if (auto r = SchemaKeyword(ctx, "contains", node.contains); !r) return r;
    if (auto r = CountKeyword(ctx, "maxContains", node.max_contains); !r) return r;
    if (auto r = CountKeyword(ctx, "minContains", node.min_contains); !r) return r;
    if (auto r = CountKeyword(ctx, "maxItems", node.max_items); !r) return r;
    if (auto r = CountKeyword(ctx, "minItems", node.min_items); !r) return r;
    if (const json::value* v = obj.if_contains("uniqueItems")) {
      if (!v->is_bool()) return Fail(Bad(p + "/uniqueItems", "must be a boolean"));
      node.unique_items = v->get_bool();
    }
    return SchemaKeyword(ctx, "unevaluatedItems", node.unevaluated_items);
  }

  Result<void> CompileObjects(const Context& ctx, Node& node) {
    const json::object& obj = ctx.obj;
    const std::string& p = ctx.pointer;
    if (const json::value* v = obj.if_contains("required")) {
      auto names = StringArray(*v, p + "/required");
      if (!names) return Fail(names.error());
      node.required = std::move(*names);
    }
    if (auto r = CountKeyword(ctx, "maxProperties", node.max_properties); !r) return r;
    if (auto r = CountKeyword(ctx, "minProperties", node.min_properties); !r) return r;
    if (auto r = SchemaMap(ctx, "properties",
                           [&](const std::string& name, int sub, const std::string&) {
                             node.properties[name] = sub;
                             return Result<void>();
                           });
        !r) {
      return r;
    }
    if (auto r = SchemaMap(ctx, "patternProperties",
                           [&](const std::string& name, int sub, const std::string& here) {
                             Pattern pattern;
                             if (auto error = CompilePattern(name, pattern)) {
                               return Result<void>(Fail(Bad(here, "invalid regular expression \"" +
                                                                      name + "\": " + *error)));
                             }
                             node.pattern_properties.emplace_back(std::move(pattern), sub);
                             return Result<void>();
                           });
        !r) {
      return r;
    }
    if (auto r = SchemaKeyword(ctx, "additionalProperties", node.additional_properties); !r) {
      return r;
    }
    if (auto r = SchemaKeyword(ctx, "propertyNames", node.property_names); !r) return r;
    if (const json::value* v = obj.if_contains("dependentRequired")) {
      const std::string here = p + "/dependentRequired";
      if (!v->is_object()) return Fail(Bad(here, "must be an object of string arrays"));
      for (const auto& kv : v->get_object()) {
        auto names = StringArray(kv.value(), here + "/" + EscapeToken(kv.key()));
        if (!names) return Fail(names.error());
        node.dependent_required.emplace_back(std::string(kv.key()), std::move(*names));
      }
    }
    if (auto r = SchemaMap(ctx, "dependentSchemas",
                           [&](const std::string& name, int sub, const std::string&) {
                             node.dependent_schemas.emplace_back(name, sub);
                             return Result<void>();
                           });
        !r) {
      return r;
    }
    // draft-07 "dependencies": string arrays are dependentRequired, schemas dependentSchemas.
    if (const json::value* v = obj.if_contains("dependencies")) {
      const std::string here = p + "/dependencies";
      if (!v->is_object()) return Fail(Bad(here, "must be an object"));
      for (const auto& kv : v->get_object()) {
        const std::string child = here + "/" + EscapeToken(kv.key());
        if (kv.value().is_array()) {
          auto names = StringArray(kv.value(), child);
          if (!names) return Fail(names.error());
          node.dependent_required.emplace_back(std::string(kv.key()), std::move(*names));
        } else {
          auto sub = Sub(ctx, kv.value(), child);
          if (!sub) return Fail(sub.error());
          node.dependent_schemas.emplace_back(std::string(kv.key()), *sub);
        }
      }
    }
    return SchemaKeyword(ctx, "unevaluatedProperties", node.unevaluated_properties);
  }

  Result<void> CompileApplicators(const Context& ctx, Node& node) {
    if (auto r = SchemaArray(ctx, "allOf", node.all_of); !r) return r;
    if (auto r = SchemaArray(ctx, "anyOf", node.any_of); !r) return r;
    if (auto r = SchemaArray(ctx, "oneOf", node.one_of); !r) return r;
    if (auto r = SchemaKeyword(ctx, "not", node.not_schema); !r) return r;
    if (auto r = SchemaKeyword(ctx, "if", node.if_schema); !r) return r;
    if (auto r = SchemaKeyword(ctx, "then", node.then_schema); !r) return r;
    if (auto r = SchemaKeyword(ctx, "else", node.else_schema); !r) return r;
    return {};
  }

  // Returns the target node and, for a $dynamicRef that lands on a $dynamicAnchor, the anchor name
  // to look up in the dynamic scope at validation time.
  Result<std::pair<int, std::string>> Resolve(const PendingRef& pending) {
    const std::string target = ResolveUri(pending.base, pending.ref);
    const std::size_t hash = target.find('#');
    const std::string uri = target.substr(0, hash);
    const std::string fragment =
        hash == std::string::npos ? std::string() : PercentDecode(target.substr(hash + 1));
    auto unresolvable = [&](std::string_view why) {
      return Fail(
          Bad(pending.location, "cannot resolve \"" + pending.ref + "\": " + std::string(why)));
    };
    auto res = resources_by_uri_.find(uri);
    if (res == resources_by_uri_.end()) {
      return unresolvable(uri.empty() ? "no such schema in this document"
                                      : "no schema with $id \"" + uri + "\" in this document");
    }
    const int resource = res->second;
    if (fragment.empty()) return std::make_pair(out_.resources[resource].root, std::string());
    if (fragment[0] == '/') {
      auto tokens = ParsePointer(fragment);
      if (!tokens) return unresolvable("malformed JSON pointer");
      std::string pointer = out_.resources[resource].pointer;
      const json::value* at = resource_values_[resource];
      for (const std::string& token : *tokens) {
        pointer += "/" + EscapeToken(token);
        if (at == nullptr) continue;
        if (at->is_object()) {
          at = at->get_object().if_contains(token);
        } else if (at->is_array() && !token.empty() &&
                   std::all_of(token.begin(), token.end(), IsDigit) && token.size() < 10 &&
                   std::stoul(token) < at->get_array().size()) {
          at = &at->get_array()[std::stoul(token)];
        } else {
          at = nullptr;
        }
      }
      if (auto it = nodes_by_pointer_.find(pointer); it != nodes_by_pointer_.end()) {
        return std::make_pair(it->second, std::string());
      }
      if (at == nullptr) return unresolvable("nothing at that JSON pointer");
      // A location no keyword reaches (for instance inside an unknown keyword): compile it now.
      auto sub = CompileSchema(*at, pointer, out_.resources[resource].uri, resource, 0);
      if (!sub) return Fail(sub.error());
      return std::make_pair(*sub, std::string());
    }
    auto anchor = anchors_.find(uri + "#" + fragment);
    if (anchor == anchors_.end()) return unresolvable("no $anchor named \"" + fragment + "\"");
    std::string dynamic_name;
    if (pending.dynamic) {
      const auto& dynamic = out_.resources[out_.nodes[anchor->second].resource].dynamic_anchors;
      if (auto it = dynamic.find(fragment); it != dynamic.end() && it->second == anchor->second) {
        dynamic_name = fragment;
      }
    }
    return std::make_pair(anchor->second, dynamic_name);
  }

  const json::value& document_;
  Compiled& out_;
  std::unordered_map<std::string, int> nodes_by_pointer_;
  std::unordered_map<std::string, int> resources_by_uri_;
  std::unordered_map<std::string, int> anchors_;  // "<resource uri>#<name>" -> node
  // Each resource's root value in the document, for refs to locations no keyword reached. Kept
  // here, not in Compiled, because the document need not outlive Compile.
  std::vector<const json::value*> resource_values_;
  std::vector<PendingRef> pending_;
};

// ---- Validation ----

// Which properties (by position in the object) or items of the instance at one location have been
// evaluated by successful schemas; unevaluatedProperties/unevaluatedItems look at the rest.
using Marks = std::vector<bool>;

void Merge(const Marks& from, Marks& into) {
  for (std::size_t i = 0; i < from.size() && i < into.size(); ++i) {
    if (from[i]) into[i] = true;
  }
}

struct Failure {
  std::string path;
  std::string message;
};

class Evaluator {
 public:
  Evaluator(const Compiled& compiled, std::vector<Failure>* errors, std::size_t limit)
      : compiled_(compiled), errors_(errors), limit_(limit) {}

  // Set when a depth limit cut validation short; the instance then counts as invalid.
  const std::optional<Failure>& limit_hit() const { return limit_hit_; }

  // Validates `instance` against node `index`. When `marks` is set, records evaluated
  // properties/items into it; it may be written even when validation fails, so callers that keep
  // going after a failure pass a scratch copy.
  bool Eval(int index, const json::value& instance, Marks* marks) {
    if (limit_hit_) return false;
    const Node& node = compiled_.nodes[index];
    if (node.boolean) {
      if (*node.boolean) return true;
      Report([] { return std::string("no value is allowed here (the schema is false)"); });
      return false;
    }
    if (instance_depth_ > kMaxInstanceDepth) {
      HitLimit("the instance is nested more than " + std::to_string(kMaxInstanceDepth) +
               " levels deep");
      return false;
    }
    if (depth_ >= kMaxEvaluationDepth || location_depth_ >= kMaxLocationDepth) {
      HitLimit(
          "schema recursion limit reached (a $ref cycle that never descends into the "
          "instance?)");
      return false;
    }
    ++depth_;
    ++location_depth_;
    const bool entered = dynamic_scope_.empty() || dynamic_scope_.back() != node.resource;
    if (entered) dynamic_scope_.push_back(node.resource);
    const bool valid = EvalNode(node, instance, marks);
    if (entered) dynamic_scope_.pop_back();
    --depth_;
    --location_depth_;
    return valid;
  }

 private:
  struct Segment {
    std::string_view key;
    std::size_t index;
    bool is_index;
  };

  // Moves the current instance location one level down for its lifetime.
  class Descend {
   public:
    Descend(Evaluator& e, std::string_view key) : e_(e), saved_(e.location_depth_) {
      e_.path_.push_back(Segment{key, 0, false});
      Enter();
    }
    Descend(Evaluator& e, std::size_t index) : e_(e), saved_(e.location_depth_) {
      e_.path_.push_back(Segment{{}, index, true});
      Enter();
    }
    ~Descend() {
      e_.path_.pop_back();
      --e_.instance_depth_;
      e_.location_depth_ = saved_;
    }
    Descend(const Descend&) = delete;
    Descend& operator=(const Descend&) = delete;

   private:
    void Enter() {
      ++e_.instance_depth_;
      e_.location_depth_ = 0;
    }
    Evaluator& e_;
    std::size_t saved_;
  };

  // Redirects errors (nullptr: discard them and stop at the first) for its lifetime.
  class Capture {
   public:
    Capture(Evaluator& e, std::vector<Failure>* sink, std::size_t limit)
        : e_(e), errors_(e.errors_), limit_(e.limit_) {
      e_.errors_ = errors_ ? sink : nullptr;
      e_.limit_ = limit;
    }
    ~Capture() {
      e_.errors_ = errors_;
      e_.limit_ = limit_;
    }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

   private:
    Evaluator& e_;
    std::vector<Failure>* errors_;
    std::size_t limit_;
  };

  std::string Path() const {
    if (path_.empty()) return "/";
    std::string out;
    for (const Segment& s : path_) {
      out += '/';
      out += s.is_index ? std::to_string(s.index) : EscapeToken(s.key);
    }
    return out;
  }

  // True when evaluation should stop: errors are discarded, enough were collected, or a depth
  // limit was hit.
  bool Stopped() const { return errors_ == nullptr || errors_->size() >= limit_ || limit_hit_; }

  // A depth limit makes the whole validation fail with this one message, even when hit inside
  // anyOf, not or contains, whose outcome would otherwise hide it.
  void HitLimit(std::string message) {
    if (!limit_hit_) limit_hit_ = Failure{Path(), std::move(message)};
  }

  // Records a failure at the current location (building the message only when it is kept) and
  // returns Stopped().
  template <typename MakeMessage>
  bool Report(MakeMessage&& make_message) {
    if (errors_ != nullptr && errors_->size() < limit_ && !limit_hit_) {
      errors_->push_back(Failure{Path(), make_message()});
    }
    return Stopped();
  }

  bool IsFalse(int index) const {
    const Node& node = compiled_.nodes[index];
    return node.boolean && !*node.boolean;
  }

  // Evaluates with errors sent to `sink` (at most one), or discarded when the caller discards.
  bool EvalCapturing(int index, const json::value& instance, Marks* marks,
                     std::vector<Failure>* sink) {
    Capture capture(*this, sink, 1);
    return Eval(index, instance, marks);
  }

  bool EvalNode(const Node& node, const json::value& instance, Marks* marks) {
    // A schema with unevaluated* keeps its own marks: annotations flow up from subschemas, never
    // across from sibling schemas.
    const bool tracks = (node.unevaluated_properties >= 0 && instance.is_object()) ||
                        (node.unevaluated_items >= 0 && instance.is_array());
    Marks local;
    Marks* own = nullptr;
    if (tracks) {
      local.assign(
          instance.is_object() ? instance.get_object().size() : instance.get_array().size(), false);
      own = &local;
    } else if (marks != nullptr && (instance.is_object() || instance.is_array())) {
      own = marks;
    }

    bool valid = true;
    // Folds one group's result into `valid`; true means stop now.
    auto failed = [&](bool ok) {
      if (ok) return false;
      valid = false;
      return Stopped();
    };
    if (failed(EvalGeneric(node, instance))) return false;
    if (failed(EvalReferences(node, instance, own))) return false;
    switch (instance.kind()) {
      case json::kind::int64:
      case json::kind::uint64:
      case json::kind::double_:
        if (failed(EvalNumber(node, instance))) return false;
        break;
      case json::kind::string:
        if (failed(EvalString(node, instance.get_string()))) return false;
        break;
      case json::kind::array:
        if (failed(EvalArray(node, instance.get_array(), own))) return false;
        break;
      case json::kind::object:
        if (failed(EvalObject(node, instance, own))) return false;
        break;
      default:
        break;
    }
    if (failed(EvalApplicators(node, instance, own))) return false;
    if (tracks && failed(EvalUnevaluated(node, instance, local))) return false;
    if (valid && tracks && marks != nullptr) Merge(local, *marks);
    return valid;
  }

  bool EvalGeneric(const Node& node, const json::value& instance) {
    bool ok = true;
    if (node.has_type && !MatchesType(instance, node.types)) {
      ok = false;
      if (Report([&] {
            return "expected " + TypeList(node.types) + ", got " +
                   std::string(InstanceTypeName(instance));
          })) {
        return false;
      }
    }
    if (node.enum_values) {
      const auto& values = *node.enum_values;
      const bool found = std::any_of(values.begin(), values.end(),
                                     [&](const json::value& v) { return JsonEqual(v, instance); });
      if (!found) {
        ok = false;
        if (Report([&] { return "value must be one of " + Describe(json::value(values)); })) {
          return false;
        }
      }
    }
    if (node.const_value && !JsonEqual(*node.const_value, instance)) {
      ok = false;
      if (Report([&] { return "value must be " + Describe(*node.const_value); })) return false;
    }
    return ok;
  }

  bool EvalReferences(const Node& node, const json::value& instance, Marks* marks) {
    bool ok = true;
    if (node.ref >= 0 && !Eval(node.ref, instance, marks)) {
      ok = false;
      if (Stopped()) return false;
    }
    if (node.dynamic_ref >= 0) {
      int target = node.dynamic_ref;
      if (!node.dynamic_anchor.empty()) {
        // The outermost resource in the dynamic scope that declares the anchor wins.
        for (const int resource : dynamic_scope_) {
          const auto& anchors = compiled_.resources[resource].dynamic_anchors;
          if (auto it = anchors.find(node.dynamic_anchor); it != anchors.end()) {
            target = it->second;
            break;
          }
        }
      }
      if (!Eval(target, instance, marks)) ok = false;
    }
    return ok;
  }

  bool EvalNumber(const Node& node, const json::value& x) {
    bool ok = true;
    auto check = [&](bool pass, auto&& make_message) {
      if (pass) return false;
      ok = false;
      return Report(make_message);
    };
    if (node.multiple_of && check(IsMultipleOf(x, *node.multiple_of), [&] {
          return FormatNumber(x) + " is not a multiple of " + FormatNumber(*node.multiple_of);
        })) {
      return false;
    }
    if (node.maximum && check(CompareNumbers(x, *node.maximum) <= 0, [&] {
          return FormatNumber(x) + " is greater than the maximum " + FormatNumber(*node.maximum);
        })) {
      return false;
    }
    if (node.exclusive_maximum && check(CompareNumbers(x, *node.exclusive_maximum) < 0, [&] {
          return FormatNumber(x) + " must be less than " + FormatNumber(*node.exclusive_maximum);
        })) {
      return false;
    }
    if (node.minimum && check(CompareNumbers(x, *node.minimum) >= 0, [&] {
          return FormatNumber(x) + " is less than the minimum " + FormatNumber(*node.minimum);
        })) {
      return false;
    }
    if (node.exclusive_minimum && check(CompareNumbers(x, *node.exclusive_minimum) > 0, [&] {
          return FormatNumber(x) + " must be greater than " + FormatNumber(*node.exclusive_minimum);
        })) {
      return false;
    }
    return ok;
  }

  bool EvalString(const Node& node, std::string_view s) {
    bool ok = true;
    if (node.max_length || node.min_length) {
      const std::size_t length = CodePointCount(s);
      if (node.min_length && length < *node.min_length) {
        ok = false;
        if (Report([&] {
              return "string must be at least " + std::to_string(*node.min_length) +
                     " characters long, got " + std::to_string(length);
            })) {
          return false;
        }
      }
      if (node.max_length && length > *node.max_length) {
        ok = false;
        if (Report([&] {
              return "string must be at most " + std::to_string(*node.max_length) +
                     " characters long, got " + std::to_string(length);
            })) {
          return false;
        }
      }
    }
    if (node.pattern) {
      const SearchResult found = Search(*node.pattern, s);
      if (found != SearchResult::kMatch) {
        ok = false;
        if (Report([&] {
              if (found == SearchResult::kUnchecked) {
                return "string could not be checked against pattern \"" + node.pattern->source +
                       "\" (too long for a pattern with back-references)";
              }
              return "string does not match pattern \"" + node.pattern->source + "\"";
            })) {
          return false;
        }
      }
    }
    if (node.format_check != nullptr && !node.format_check(s)) {
      ok = false;
      if (Report([&] { return "string is not a valid " + node.format; })) return false;
    }
    return ok;
  }

  bool EvalArray(const Node& node, const json::array& arr, Marks* marks) {
    bool ok = true;
    auto child_failed = [&](bool child_ok) {
      if (child_ok) return false;
      ok = false;
      return Stopped();
    };
    const std::size_t n = arr.size();
    const std::size_t prefix = std::min(n, node.prefix_items.size());
    for (std::size_t i = 0; i < prefix; ++i) {
      if (marks) (*marks)[i] = true;
      Descend descend(*this, i);
      if (child_failed(Eval(node.prefix_items[i], arr[i], nullptr))) return false;
    }
    if (node.items >= 0) {
      const bool none_allowed = IsFalse(node.items);
      for (std::size_t i = node.prefix_items.size(); i < n; ++i) {
        if (marks) (*marks)[i] = true;
        if (none_allowed) {
          ok = false;
          if (Report([&] {
                return "array must have at most " + std::to_string(node.prefix_items.size()) +
                       " items, got " + std::to_string(n);
              })) {
            return false;
          }
          break;
        }
        Descend descend(*this, i);
        if (child_failed(Eval(node.items, arr[i], nullptr))) return false;
      }
    }
    if (node.contains >= 0) {
      const std::uint64_t min = node.min_contains.value_or(1);
      std::uint64_t count = 0;
      for (std::size_t i = 0; i < n; ++i) {
        bool matched;
        {
          Descend descend(*this, i);
          matched = EvalCapturing(node.contains, arr[i], nullptr, nullptr);
        }
        if (matched) {
          ++count;
          if (marks) (*marks)[i] = true;
          // Without maxContains or annotations to collect, enough is enough.
          if (!marks && !node.max_contains && count >= min) break;
        }
      }
      if (count < min) {
        ok = false;
        if (Report([&] {
              return "array must contain at least " + std::to_string(min) +
                     (min == 1 ? " item" : " items") + " matching \"contains\", found " +
                     std::to_string(count);
            })) {
          return false;
        }
      }
      if (node.max_contains && count > *node.max_contains) {
        ok = false;
        if (Report([&] {
              return "array must contain at most " + std::to_string(*node.max_contains) +
                     (*node.max_contains == 1 ? " item" : " items") +
                     " matching \"contains\", found " + std::to_string(count);
            })) {
          return false;
        }
      }
    }
    if (node.min_items && n < *node.min_items) {
      ok = false;
      if (Report([&] {
            return "array must have at least " + std::to_string(*node.min_items) + " items, got " +
                   std::to_string(n);
          })) {
        return false;
      }
    }
    if (node.max_items && n > *node.max_items) {
      ok = false;
      if (Report([&] {
            return "array must have at most " + std::to_string(*node.max_items) + " items, got " +
                   std::to_string(n);
          })) {
        return false;
      }
    }
    if (node.unique_items && n > 1) {
      if (auto duplicate = FindDuplicate(arr)) {
        ok = false;
        if (Report([&] {
              return "array items " + std::to_string(duplicate->first) + " and " +
                     std::to_string(duplicate->second) + " are equal, but items must be unique";
            })) {
          return false;
        }
      }
    }
    return ok;
  }

  // The first pair (i < j) of equal items, found through hashing rather than comparing all pairs.
  static std::optional<std::pair<std::size_t, std::size_t>> FindDuplicate(const json::array& arr) {
    std::vector<std::pair<std::uint64_t, std::size_t>> hashed;
    hashed.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) hashed.emplace_back(JsonHash(arr[i]), i);
    std::sort(hashed.begin(), hashed.end());
    std::optional<std::pair<std::size_t, std::size_t>> best;
    for (std::size_t a = 0; a < hashed.size(); ++a) {
      for (std::size_t b = a + 1; b < hashed.size() && hashed[b].first == hashed[a].first; ++b) {
        const std::size_t i = hashed[a].second;
        const std::size_t j = hashed[b].second;
        if (JsonEqual(arr[i], arr[j]) && (!best || j < best->second)) best = std::make_pair(i, j);
      }
    }
    return best;
  }

  bool EvalObject(const Node& node, const json::value& instance, Marks* marks) {
    const json::object& obj = instance.get_object();
    bool ok = true;
    auto child_failed = [&](bool child_ok) {
      if (child_ok) return false;
      ok = false;
      return Stopped();
    };
    for (const std::string& name : node.required) {
      if (!obj.contains(name)) {
        ok = false;
        if (Report([&] { return "missing required property '" + name + "'"; })) return false;
      }
    }
    if (node.min_properties && obj.size() < *node.min_properties) {
      ok = false;
      if (Report([&] {
            return "object must have at least " + std::to_string(*node.min_properties) +
                   " properties, got " + std::to_string(obj.size());
          })) {
        return false;
      }
    }
    if (node.max_properties && obj.size() > *node.max_properties) {
      ok = false;
      if (Report([&] {
            return "object must have at most " + std::to_string(*node.max_properties) +
                   " properties, got " + std::to_string(obj.size());
          })) {
        return false;
      }
    }
    for (const auto& dependency : node.dependent_required) {
      const std::string& name = dependency.first;
      if (!obj.contains(name)) continue;
      for (const std::string& other : dependency.second) {
        if (obj.contains(other)) continue;
        ok = false;
        if (Report([&] {
              return "missing property '" + other + "', required when '" + name + "' is present";
            })) {
          return false;
        }
      }
    }
    const bool check_names = !node.properties.empty() || !node.pattern_properties.empty() ||
                             node.additional_properties >= 0 || node.property_names >= 0;
    for (std::size_t i = 0; check_names && i < obj.size(); ++i) {
      const auto& kv = obj.begin()[i];
      const std::string_view key = kv.key();
      bool evaluated = false;
      if (auto it = node.properties.find(key); it != node.properties.end()) {
        evaluated = true;
        if (marks) (*marks)[i] = true;
        if (IsFalse(it->second)) {
          ok = false;
          if (Report([&] { return "property '" + std::string(key) + "' is not allowed"; })) {
            return false;
          }
        } else {
          Descend descend(*this, key);
          if (child_failed(Eval(it->second, kv.value(), nullptr))) return false;
        }
      }
      for (const auto& pattern_property : node.pattern_properties) {
        const Pattern& pattern = pattern_property.first;
        const int sub = pattern_property.second;
        const SearchResult found = Search(pattern, key);
        if (found == SearchResult::kUnchecked) {
          ok = false;
          if (Report([&] {
                return "property name '" + std::string(key) +
                       "' could not be checked against pattern \"" + pattern.source + "\"";
              })) {
            return false;
          }
          continue;
        }
        if (found != SearchResult::kMatch) continue;
        evaluated = true;
        if (marks) (*marks)[i] = true;
        Descend descend(*this, key);
        if (child_failed(Eval(sub, kv.value(), nullptr))) return false;
      }
      if (!evaluated && node.additional_properties >= 0) {
        if (marks) (*marks)[i] = true;
        if (IsFalse(node.additional_properties)) {
          ok = false;
          if (Report([&] {
                return "property '" + std::string(key) +
                       "' is not allowed (no additional properties)";
              })) {
            return false;
          }
        } else {
          Descend descend(*this, key);
          if (child_failed(Eval(node.additional_properties, kv.value(), nullptr))) return false;
        }
      }
      if (node.property_names >= 0) {
        const json::value name(key);
        std::vector<Failure> why;
        if (!EvalCapturing(node.property_names, name, nullptr, &why)) {
          ok = false;
          if (Report([&] {
                std::string message = "property name '" + std::string(key) + "' is invalid";
                if (!why.empty() && !IsFalse(node.property_names)) {
                  message += ": " + why.front().message;
                }
                return message;
              })) {
            return false;
          }
        }
      }
    }
    for (const auto& [name, sub] : node.dependent_schemas) {
      if (obj.contains(name) && child_failed(Eval(sub, instance, marks))) return false;
    }
    return ok;
  }

  static std::string Detail(std::size_t branch, const std::vector<Failure>& why) {
    std::string out = "[" + std::to_string(branch) + "] ";
    if (why.empty()) return out + "invalid";
    std::string text = why.front().path + ": " + why.front().message;
    if (text.size() > kMaxDetailLength) {
      text.resize(kMaxDetailLength);
      text += "...";
    }
    return out + text;
  }

  bool EvalApplicators(const Node& node, const json::value& instance, Marks* marks) {
    bool ok = true;
    for (const int sub : node.all_of) {
      if (!Eval(sub, instance, marks)) {
        ok = false;
        if (Stopped()) return false;
      }
    }
    // Branches of anyOf/oneOf/if run on scratch marks that are merged only when they pass.
    auto scratch = [&]() { return marks ? Marks(marks->size(), false) : Marks(); };
    if (!node.any_of.empty()) {
      bool matched = false;
      std::string details;
      for (std::size_t i = 0; i < node.any_of.size(); ++i) {
        Marks branch = scratch();
        std::vector<Failure> why;
        if (EvalCapturing(node.any_of[i], instance, marks ? &branch : nullptr, &why)) {
          matched = true;
          if (!marks) break;
          Merge(branch, *marks);
        } else if (errors_ != nullptr) {
          details += (details.empty() ? "" : "; ") + Detail(i, why);
        }
      }
      if (!matched) {
        ok = false;
        if (Report([&] { return "value does not match any schema in anyOf: " + details; })) {
          return false;
        }
      }
    }
    if (!node.one_of.empty()) {
      std::vector<std::size_t> passing;
      Marks winner;
      std::string details;
      for (std::size_t i = 0; i < node.one_of.size() && passing.size() < 2; ++i) {
        Marks branch = scratch();
        std::vector<Failure> why;
        if (EvalCapturing(node.one_of[i], instance, marks ? &branch : nullptr, &why)) {
          passing.push_back(i);
          winner = std::move(branch);
        } else if (errors_ != nullptr) {
          details += (details.empty() ? "" : "; ") + Detail(i, why);
        }
      }
      if (passing.size() == 1) {
        if (marks) Merge(winner, *marks);
      } else {
        ok = false;
        if (Report([&] {
              if (passing.empty()) return "value does not match any schema in oneOf: " + details;
              return "value matches oneOf schemas " + std::to_string(passing[0]) + " and " +
                     std::to_string(passing[1]) + ", but must match exactly one";
            })) {
          return false;
        }
      }
    }
    if (node.not_schema >= 0 && EvalCapturing(node.not_schema, instance, nullptr, nullptr)) {
      ok = false;
      if (Report([] { return std::string("value must not match the schema in \"not\""); })) {
        return false;
      }
    }
    if (node.if_schema >= 0) {
      Marks branch = scratch();
      if (EvalCapturing(node.if_schema, instance, marks ? &branch : nullptr, nullptr)) {
        if (marks) Merge(branch, *marks);
        if (node.then_schema >= 0 && !Eval(node.then_schema, instance, marks)) {
          ok = false;
          if (Stopped()) return false;
        }
      } else if (node.else_schema >= 0 && !Eval(node.else_schema, instance, marks)) {
        ok = false;
        if (Stopped()) return false;
      }
    }
    return ok;
  }

  bool EvalUnevaluated(const Node& node, const json::value& instance, Marks& marks) {
    bool ok = true;
    if (instance.is_array() && node.unevaluated_items >= 0) {
      const json::array& arr = instance.get_array();
      const bool none_allowed = IsFalse(node.unevaluated_items);
      for (std::size_t i = 0; i < arr.size(); ++i) {
        if (marks[i]) continue;
        marks[i] = true;
        if (none_allowed) {
          ok = false;
          if (Report([&] {
                return "item " + std::to_string(i) + " is not allowed (unevaluated item)";
              })) {
            return false;
          }
          continue;
        }
        Descend descend(*this, i);
        if (!Eval(node.unevaluated_items, arr[i], nullptr)) {
          ok = false;
          if (Stopped()) return false;
        }
      }
    }
    if (instance.is_object() && node.unevaluated_properties >= 0) {
      const json::object& obj = instance.get_object();
      const bool none_allowed = IsFalse(node.unevaluated_properties);
      for (std::size_t i = 0; i < obj.size(); ++i) {
        if (marks[i]) continue;
        marks[i] = true;
        const auto& kv = obj.begin()[i];
        if (none_allowed) {
          ok = false;
          if (Report([&] {
                return "property '" + std::string(kv.key()) +
                       "' is not allowed (unevaluated property)";
              })) {
            return false;
          }
          continue;
        }
        Descend descend(*this, kv.key());
        if (!Eval(node.unevaluated_properties, kv.value(), nullptr)) {
          ok = false;
          if (Stopped()) return false;
        }
      }
    }
    return ok;
  }

  const Compiled& compiled_;
  std::optional<Failure> limit_hit_;
  std::vector<Failure>* errors_;
  std::size_t limit_;
  std::vector<Segment> path_;
  std::vector<int> dynamic_scope_;  // resources entered, outermost first
  std::size_t depth_ = 0;
  std::size_t location_depth_ = 0;
  std::size_t instance_depth_ = 0;
};

}  // namespace

JsonSchema::JsonSchema(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

Result<JsonSchema> JsonSchema::Compile(const json::value& schema) {
  return Compile(schema, JsonSchemaOptions());
}

Result<JsonSchema> JsonSchema::Compile(const json::value& schema,
                                       const JsonSchemaOptions& options) {
  try {
    auto compiled = std::make_shared<Compiled>();
    compiled->options = options;
    Compiler compiler(schema, *compiled);
    if (auto done = compiler.Run(); !done) return Fail(done.error());
    return JsonSchema(std::move(compiled));
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, std::string("compiling a JSON schema failed: ") + e.what());
  }
}

std::vector<std::string> JsonSchema::Validate(const json::value& instance,
                                              std::size_t max_errors) const {
  std::vector<std::string> messages;
  try {
    std::vector<Failure> failures;
    Evaluator evaluator(*compiled_, &failures, std::max<std::size_t>(1, max_errors));
    const bool valid = evaluator.Eval(compiled_->root, instance, nullptr);
    if (evaluator.limit_hit()) {
      failures.assign(1, *evaluator.limit_hit());
    } else if (!valid && failures.empty()) {
      failures.push_back(Failure{"/", "value is invalid"});
    }
    messages.reserve(failures.size());
    for (Failure& f : failures) messages.push_back(f.path + ": " + f.message);
  } catch (const std::exception& e) {
    messages.assign(1, std::string("/: validation failed: ") + e.what());
  }
  return messages;
}

}  // namespace ferry::protocol
