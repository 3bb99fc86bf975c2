#include "protocol/uri_template.h"

#include <algorithm>
#include <cstdint>
#include <unordered_set>

namespace ferry::protocol {
namespace {

constexpr std::string_view kOperators = "+#./;?&";
constexpr std::string_view kReservedOperators = "=,!@|";
constexpr std::size_t kMaxPrefixDigits = 4;  // RFC 6570: max-length < 10000
// Work (characters examined) one Match may do. Adjacent expressions such as "{+a}{+b}{+c}" make
// backtracking cost up to cubic time in the URI length; past the budget the URI does not match.
// Ordinary templates use a small multiple of the URI length.
constexpr std::size_t kMatchBudget = 4'000'000;

// How an operator expands (RFC 6570 appendix A).
struct Operator {
  std::string_view first;  // prefix before the first defined variable
  char separator;          // between variables, and between exploded items
  bool named;              // name=value pairs
  std::string_view if_empty;
  bool allow_reserved;  // reserved characters and %XX pass through unencoded
};

Operator Describe(char op) {
  switch (op) {
    case '+':
      return {"", ',', false, "", true};
    case '#':
      return {"#", ',', false, "", true};
    case '.':
      return {".", '.', false, "", false};
    case '/':
      return {"/", '/', false, "", false};
    case ';':
      return {";", ';', true, "", false};
    case '?':
      return {"?", '&', true, "=", false};
    case '&':
      return {"&", '&', true, "=", false};
    default:
      return {"", ',', false, "", false};
  }
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUnreserved(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsReserved(char c) {
  return std::string_view(":/?#[]@!$&'()*+,;=").find(c) != std::string_view::npos;
}
bool IsPctTriplet(std::string_view s, std::size_t i) {
  return i + 2 < s.size() && s[i] == '%' && IsHex(s[i + 1]) && IsHex(s[i + 2]);
}

void AppendPct(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0x0F];
}

// Unreserved characters pass; with `allow_reserved` reserved characters and existing %XX
// triplets pass too; every other byte is percent-encoded (UTF-8 bytes individually).
std::string Encode(std::string_view s, bool allow_reserved) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (IsUnreserved(c) || (allow_reserved && IsReserved(c))) {
      out += c;
    } else if (allow_reserved && IsPctTriplet(s, i)) {
      out.append(s.substr(i, 3));
      i += 2;
    } else {
      AppendPct(out, static_cast<unsigned char>(c));
    }
  }
  return out;
}

// The first `n` code points of UTF-8 `s`.
std::string_view PrefixOf(std::string_view s, std::size_t n) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (count == n) return s.substr(0, i);
      ++count;
    }
  }
  return s;
}

std::size_t CodePoints(std::string_view s) {
  std::size_t count = 0;
  for (unsigned char c : s) count += (c & 0xC0) != 0x80;
  return count;
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  return (c | 0x20) - 'a' + 10;
}

// %XX becomes the byte; a '%' that starts no valid triplet is kept as it is.
std::string Decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (IsPctTriplet(s, i)) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = s.find(separator, start);
    if (at == std::string_view::npos) {
      pieces.push_back(s.substr(start));
      return pieces;
    }
    pieces.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

// Characters a matched expression may not contain, by operator: the URI delimiters its expansion
// would have percent-encoded.
std::string_view Stoppers(char op) {
  switch (op) {
    case '+':
    case '#':
      return "";
    case '/':
      return "?#";
    case '?':
    case '&':
      return "#";
    default:  // simple, '.', ';'
      return "/?#";
  }
}

}  // namespace

Result<UriTemplate> UriTemplate::Parse(std::string_view text) {
  auto fail = [&](std::size_t position, const std::string& what) {
    return Fail(ErrorCode::kInvalidParams, "invalid URI template \"" + std::string(text) + "\": " +
                                               what + " at position " + std::to_string(position));
  };
  UriTemplate result;
  result.text_ = std::string(text);
  std::string literal;
  auto flush_literal = [&] {
    if (literal.empty()) return;
    Part part;
    part.literal = std::move(literal);
    result.parts_.push_back(std::move(part));
    literal.clear();
  };

  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '}') return fail(i, "unmatched '}'");
    if (c != '{') {
      // Literals expand to themselves, except characters a URI cannot hold.
      if (IsUnreserved(c) || IsReserved(c)) {
        literal += c;
      } else if (IsPctTriplet(text, i)) {
        literal.append(text.substr(i, 3));
        i += 2;
      } else {
        AppendPct(literal, static_cast<unsigned char>(c));
      }
      ++i;
      continue;
    }
    const std::size_t open = i;
    const std::size_t close = text.find_first_of("{}", open + 1);
    if (close == std::string_view::npos) return fail(open, "unclosed '{'");
    if (text[close] == '{') return fail(close, "'{' inside an expression");
    if (close == open + 1) return fail(open, "empty expression");
    flush_literal();

    Part part;
    part.is_literal = false;
    std::size_t j = open + 1;
    if (kOperators.find(text[j]) != std::string_view::npos) {
      part.op = text[j++];
    } else if (kReservedOperators.find(text[j]) != std::string_view::npos) {
      return fail(j, std::string("reserved operator '") + text[j] + "'");
    }
    while (true) {
      // varname = varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded
      const std::size_t start = j;
      bool needs_char = true;
      while (j < close) {
        if (IsAlpha(text[j]) || IsDigit(text[j]) || text[j] == '_') {
          ++j;
          needs_char = false;
        } else if (IsPctTriplet(text.substr(0, close), j)) {
          j += 3;
          needs_char = false;
        } else if (text[j] == '.' && !needs_char) {
          ++j;
          needs_char = true;
        } else {
          break;
        }
      }
      if (needs_char) return fail(j, "invalid variable name");
      VarSpec spec;
      spec.name = std::string(text.substr(start, j - start));
      if (j < close && text[j] == ':') {
        const std::size_t digits = ++j;
        while (j < close && IsDigit(text[j])) ++j;
        if (j == digits || j - digits > kMaxPrefixDigits || text[digits] == '0') {
          return fail(digits, "invalid prefix length (expected 1-9999)");
        }
        spec.prefix = std::stoul(std::string(text.substr(digits, j - digits)));
      } else if (j < close && text[j] == '*') {
        spec.explode = true;
        ++j;
      }
      part.vars.push_back(std::move(spec));
      if (j == close) break;
      if (text[j] != ',') {
        return fail(j, std::string("unexpected '") + text[j] + "' in expression");
      }
      ++j;
    }
    result.parts_.push_back(std::move(part));
    i = close + 1;
  }
  flush_literal();

  std::vector<std::string> seen;
  for (const Part& part : result.parts_) {
    for (const VarSpec& var : part.vars) {
      if (std::find(seen.begin(), seen.end(), var.name) != seen.end()) {
        result.repeats_names_ = true;
      } else {
        seen.push_back(var.name);
      }
    }
  }
  return result;
}

std::vector<std::string> UriTemplate::VariableNames() const {
  std::vector<std::string> names;
  for (const Part& part : parts_) {
    for (const VarSpec& var : part.vars) {
      if (std::find(names.begin(), names.end(), var.name) == names.end()) {
        names.push_back(var.name);
      }
    }
  }
  return names;
}

std::string UriTemplate::Expand(const std::map<std::string, Value>& variables) const {
  using List = std::vector<std::string>;
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  std::string out;
  for (const Part& part : parts_) {
    if (part.is_literal) {
      out += part.literal;
      continue;
    }
    const Operator op = Describe(part.op);
    bool first = true;
    for (const VarSpec& var : part.vars) {
      auto found = variables.find(var.name);
      if (found == variables.end()) continue;
      const Value& value = found->second;
      if (const List* list = std::get_if<List>(&value); list && list->empty()) continue;
      if (const Pairs* pairs = std::get_if<Pairs>(&value); pairs && pairs->empty()) continue;
      out += first ? op.first : std::string_view(&op.separator, 1);
      first = false;

      if (const std::string* s = std::get_if<std::string>(&value)) {
        if (op.named) {
          out += var.name;
          if (s->empty()) {
            out += op.if_empty;
            continue;
          }
          out += '=';
        }
        out +=
            Encode(var.prefix ? PrefixOf(*s, var.prefix) : std::string_view(*s), op.allow_reserved);
        continue;
      }
      if (!var.explode) {
        std::string joined;
        if (const List* list = std::get_if<List>(&value)) {
          for (std::size_t k = 0; k < list->size(); ++k) {
            if (k > 0) joined += ',';
            joined += Encode((*list)[k], op.allow_reserved);
          }
        } else {
          const Pairs& pairs = std::get<Pairs>(value);
          for (std::size_t k = 0; k < pairs.size(); ++k) {
            if (k > 0) joined += ',';
            joined += Encode(pairs[k].first, op.allow_reserved) + ',' +
                      Encode(pairs[k].second, op.allow_reserved);
          }
        }
        if (op.named) {
          out += var.name;
          out += joined.empty() ? std::string(op.if_empty) : "=";
        }
        out += joined;
        continue;
      }
      // Exploded: one item per separator; named operators name each item.
      if (const List* list = std::get_if<List>(&value)) {
        for (std::size_t k = 0; k < list->size(); ++k) {
          if (k > 0) out += op.separator;
          const std::string& item = (*list)[k];
          if (op.named) {
            out += var.name;
            if (item.empty()) {
              out += op.if_empty;
              continue;
            }
            out += '=';
          }
          out += Encode(item, op.allow_reserved);
        }
      } else {
        const Pairs& pairs = std::get<Pairs>(value);
        for (std::size_t k = 0; k < pairs.size(); ++k) {
          if (k > 0) out += op.separator;
          out += Encode(pairs[k].first, op.allow_reserved);
          if (op.named && pairs[k].second.empty()) {
            out += op.if_empty;
            continue;
          }
          out += '=';
          out += Encode(pairs[k].second, op.allow_reserved);
        }
      }
    }
  }
  return out;
}

// Backtracking over where each expression ends, with memoized failures so that the work stays
// polynomial.
class UriTemplate::Matcher {
 public:
  Matcher(const UriTemplate& t, std::string_view uri) : t_(t), uri_(uri) {}

  bool Run(UriVariables& vars) { return From(0, 0, vars); }

 private:
  bool From(std::size_t index, std::size_t pos, UriVariables& vars) {
    if (index == t_.parts_.size()) return pos == uri_.size();
    if (budget_ == 0) return false;
    // With repeated names the outcome depends on earlier bindings, so failures are not reusable.
    const std::uint64_t key = static_cast<std::uint64_t>(index) * (uri_.size() + 1) + pos;
    if (!t_.repeats_names_ && failed_.count(key)) return false;
    if (Try(index, pos, vars)) return true;
    if (!t_.repeats_names_) failed_.insert(key);
    return false;
  }

  bool Try(std::size_t index, std::size_t pos, UriVariables& vars) {
    const Part& part = t_.parts_[index];
    if (part.is_literal) {
      return uri_.compare(pos, part.literal.size(), part.literal) == 0 &&
             From(index + 1, pos + part.literal.size(), vars);
    }
    std::size_t limit = pos;
    const std::string_view stoppers = Stoppers(part.op);
    while (limit < uri_.size() && stoppers.find(uri_[limit]) == std::string_view::npos) ++limit;
    const Part* next = index + 1 < t_.parts_.size() ? &t_.parts_[index + 1] : nullptr;
    constexpr std::size_t kNone = std::string_view::npos;
    // Where the expression may end, from `from` on: the URI's end when it is the last part, just
    // before an occurrence of the literal that follows it, or anywhere before `limit`.
    auto next_end = [&](std::size_t from) -> std::size_t {
      if (from > limit) return kNone;
      if (next == nullptr) return limit == uri_.size() ? uri_.size() : kNone;
      if (!next->is_literal) return Spend(1) ? from : kNone;
      const std::size_t at = uri_.find(next->literal, from);
      if (!Spend((at == kNone ? uri_.size() : at) - from + 1)) return kNone;
      return at <= limit ? at : kNone;
    };
    // Shortest first: earlier expressions leave the rest to later parts.
    for (std::size_t end = next_end(pos); end != kNone; end = next_end(end + 1)) {
      if (!Spend(end - pos + 1)) return false;
      UriVariables found;
      if (!Bind(part, uri_.substr(pos, end - pos), found)) continue;
      std::vector<std::string> added;
      bool consistent = true;
      for (auto& [name, value] : found) {
        auto [it, inserted] = vars.emplace(name, value);
        if (inserted) {
          added.push_back(name);
        } else if (it->second != value) {
          consistent = false;
        }
      }
      if (consistent && From(index + 1, end, vars)) return true;
      for (const std::string& name : added) vars.erase(name);
    }
    return false;
  }

  bool Spend(std::size_t work) {
    if (work > budget_) {
      budget_ = 0;
      return false;
    }
    budget_ -= work;
    return true;
  }

  static void Append(UriVariables& found, const std::string& name, const std::string& value) {
    auto [it, inserted] = found.emplace(name, value);
    if (!inserted) it->second += "," + value;
  }

  static bool FitsPrefix(const VarSpec& var, const std::string& value) {
    return var.prefix == 0 || CodePoints(value) <= var.prefix;
  }

  // Binds the variables of one expression to `span`, the part of the URI it expanded to.
  static bool Bind(const Part& part, std::string_view span, UriVariables& found) {
    const std::vector<VarSpec>& vars = part.vars;
    switch (part.op) {
      case '\0':
      case '+':
      case '#': {
        if (part.op == '#') {
          if (span.empty()) return true;  // every variable undefined
          if (span[0] != '#') return false;
          span.remove_prefix(1);
        } else if (span.empty()) {
          return false;
        }
        // Values are separated by ','; surplus pieces belong to the last variable.
        const std::vector<std::string_view> pieces = Split(span, ',');
        for (std::size_t k = 0; k < vars.size() && k < pieces.size(); ++k) {
          std::string value;
          const std::size_t last = k + 1 == vars.size() ? pieces.size() : k + 1;
          for (std::size_t m = k; m < last; ++m) {
            if (m > k) value += ',';
            value += Decode(pieces[m]);
          }
          if (!FitsPrefix(vars[k], value)) return false;
          found[vars[k].name] = std::move(value);
        }
        return true;
      }
      case '.':
      case '/': {
        if (span.empty()) return true;
        if (span[0] != part.op) return false;
        const std::vector<std::string_view> pieces = Split(span.substr(1), part.op);
        std::size_t k = 0;
        for (std::size_t v = 0; v < vars.size() && k < pieces.size(); ++v) {
          std::size_t take = 1;
          if (vars[v].explode) {
            const std::size_t after = vars.size() - v - 1;
            take = pieces.size() - k > after ? pieces.size() - k - after : 1;
          } else if (v + 1 == vars.size() && part.op == '.') {
            // '.' is unreserved, so a value may itself contain dots.
            take = pieces.size() - k;
          }
          std::string value;
          for (std::size_t m = k; m < k + take; ++m) {
            if (m > k) value += vars[v].explode ? ',' : part.op;
            value += Decode(pieces[m]);
          }
          if (!FitsPrefix(vars[v], value)) return false;
          found[vars[v].name] = std::move(value);
          k += take;
        }
        return k == pieces.size();
      }
      default: {  // ';', '?', '&'
        if (span.empty()) return true;
        if (span[0] != part.op) return false;
        const char separator = part.op == ';' ? ';' : '&';
        for (std::string_view param : Split(span.substr(1), separator)) {
          const std::size_t eq = param.find('=');
          const std::string_view name = param.substr(0, eq);
          const std::string value =
              eq == std::string_view::npos ? std::string() : Decode(param.substr(eq + 1));
          if (name.empty()) return false;
          auto named = std::find_if(vars.begin(), vars.end(),
                                    [&](const VarSpec& var) { return var.name == name; });
          if (named != vars.end()) {
            if (!FitsPrefix(*named, value)) return false;
            Append(found, named->name, value);
            continue;
          }
          // An exploded associative array expands to its own keys.
          auto exploded = std::find_if(vars.begin(), vars.end(),
                                       [](const VarSpec& var) { return var.explode; });
          if (exploded == vars.end()) return false;
          Append(found, exploded->name, Decode(name) + "," + value);
        }
        return true;
      }
    }
  }

  const UriTemplate& t_;
  const std::string_view uri_;
  std::unordered_set<std::uint64_t> failed_;
  std::size_t budget_ = kMatchBudget;
};

std::optional<UriVariables> UriTemplate::Match(std::string_view uri) const {
  UriVariables vars;
  Matcher matcher(*this, uri);
  if (!matcher.Run(vars)) return std::nullopt;
  return vars;
}

}  // namespace ferry::protocol
