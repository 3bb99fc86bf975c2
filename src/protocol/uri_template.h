// UriTemplate: an RFC 6570 URI template (levels 1-4), parsed once. It expands variables into a URI
// and matches a concrete URI back to variables, which is how an MCP server routes resources/read
// to a resource template.
//
//   auto t = UriTemplate::Parse("/users{/id}{?fields,page}");
//   t->Expand({{"id", "42"}, {"fields", std::vector<std::string>{"a", "b"}}});
//       // "/users/42?fields=a,b"
//   t->Match("/users/42?page=2&fields=a,b");  // {{"id", "42"}, {"fields", "a,b"}, {"page", "2"}}
//
// Thread-safety: immutable after Parse; every method may be called from many threads at once.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ferry/result.h"
#include "ferry/server.h"

namespace ferry::protocol {

class UriTemplate {
 public:
  // A variable's value: a string, a list, or an associative array (ordered key/value pairs).
  using Value = std::variant<std::string, std::vector<std::string>,
                             std::vector<std::pair<std::string, std::string>>>;

  // Refuses an unclosed or stray brace, an empty expression, a reserved or unknown operator
  // ("=,!@|"), a malformed variable name and a prefix length outside 1-9999, naming the position
  // (0-based byte offset). Literal characters that may not appear in a URI are percent-encoded
  // on expansion rather than refused.
  static Result<UriTemplate> Parse(std::string_view text);

  // Expands per RFC 6570 section 3. Variables absent from the map, empty lists and empty
  // associative arrays are undefined and skipped. A prefix modifier (:N) applies to strings only,
  // counting code points; on lists and associative arrays it is ignored.
  std::string Expand(const std::map<std::string, Value>& variables) const;

  // Matches the whole of `uri` against the template and returns the variables it binds,
  // percent-decoded, or nullopt when it does not match.
  //  - {var} matches at least one character and never '/', '?' or '#'; {+var} matches at least
  //    one character of any kind; when several splits are possible the earliest variables take
  //    the shortest values.
  //  - {?a,b} and {&a,b} accept their parameters in any order and each may be absent; a parameter
  //    the expression does not name makes the URI not match, unless the expression has an
  //    exploded variable ({?opts*}), which then collects it as "name,value".
  //  - {/a} and {.a} segments, {;a} parameters and {#a} fragments may be absent.
  //  - A list or exploded variable's values are joined with ','; absent variables are left out.
  //  - A variable named twice must bind the same value both times.
  std::optional<UriVariables> Match(std::string_view uri) const;

  const std::string& text() const { return text_; }

  // Each variable name once, in order of first appearance.
  std::vector<std::string> VariableNames() const;

 private:
  struct VarSpec {
    std::string name;
    std::size_t prefix = 0;  // 0: no prefix modifier
    bool explode = false;
  };
  // A literal (already in its expanded, encoded form) or an expression.
  struct Part {
    bool is_literal = true;
    std::string literal;
    char op = '\0';  // '\0' for a simple expression, else one of + # . / ; ? &
    std::vector<VarSpec> vars;
  };
  class Matcher;

  UriTemplate() = default;

  std::string text_;
  std::vector<Part> parts_;
  bool repeats_names_ = false;
};

}  // namespace ferry::protocol
