#include "image/vectorize/params.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

namespace ferry::image::vectorize {
namespace json = boost::json;
namespace {

constexpr NumericRange kRanges[] = {
    {"filter_speckle", 0, 16, true},    {"color_precision", 1, 8, true},
    {"layer_difference", 0, 255, true}, {"corner_threshold", 0, 180, true},
    {"length_threshold", 1, 10, false}, {"max_iterations", 1, 50, true},
    {"splice_threshold", 0, 180, true}, {"path_precision", 0, 16, true},
};

// The integer parameter `name` of `p` (const or not), or null.
template <typename Params>
auto IntField(Params& p, std::string_view name) -> decltype(&p.filter_speckle) {
  if (name == "filter_speckle") return &p.filter_speckle;
  if (name == "color_precision") return &p.color_precision;
  if (name == "layer_difference") return &p.layer_difference;
  if (name == "corner_threshold") return &p.corner_threshold;
  if (name == "max_iterations") return &p.max_iterations;
  if (name == "splice_threshold") return &p.splice_threshold;
  if (name == "path_precision") return &p.path_precision;
  return nullptr;
}

double Get(const VectorizeParams& p, std::string_view name) {
  if (name == "length_threshold") return p.length_threshold;
  return *IntField(p, name);
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Error OutOfRange(const NumericRange& r, double value) {
  return Error(ErrorCode::kInvalidParams, std::string(r.name) + ": " + Number(value) +
                                              " is out of range [" + Number(r.min) + ", " +
                                              Number(r.max) + "]");
}

template <typename Enum, std::size_t N>
Result<Enum> ParseEnum(std::string_view key, const json::value& v,
                       const std::pair<std::string_view, Enum> (&names)[N]) {
  std::string allowed;
  for (const auto& [name, value] : names) {
    if (v.is_string() && v.get_string() == name) return value;
    allowed += (allowed.empty() ? "" : ", ") + std::string(name);
  }
  return Fail(ErrorCode::kInvalidParams,
              std::string(key) + ": " + json::serialize(v) + " is not one of " + allowed);
}

constexpr std::pair<std::string_view, ColorMode> kColorModes[] = {{"color", ColorMode::kColor},
                                                                  {"binary", ColorMode::kBinary}};
constexpr std::pair<std::string_view, Hierarchy> kHierarchies[] = {
    {"stacked", Hierarchy::kStacked}, {"cutout", Hierarchy::kCutout}};
constexpr std::pair<std::string_view, TraceMode> kModes[] = {
    {"pixel", TraceMode::kPixel}, {"polygon", TraceMode::kPolygon}, {"spline", TraceMode::kSpline}};

template <typename Enum, std::size_t N>
std::string_view NameOf(Enum value, const std::pair<std::string_view, Enum> (&names)[N]) {
  for (const auto& [name, v] : names) {
    if (v == value) return name;
  }
  return "";
}

}  // namespace

std::span<const NumericRange> NumericRanges() { return kRanges; }

Result<VectorizeParams> Preset(std::string_view name) {
  VectorizeParams p;
  if (name == "default") return p;
  if (name == "speed") {
    p.color_precision = 3, p.layer_difference = 24, p.corner_threshold = 80, p.max_iterations = 5;
    p.path_precision = 3, p.length_threshold = 8.0, p.splice_threshold = 60;
    return p;
  }
  if (name == "balanced") {
    p.color_precision = 6, p.layer_difference = 16, p.corner_threshold = 60, p.max_iterations = 10;
    p.path_precision = 5, p.length_threshold = 5.0, p.splice_threshold = 45;
    return p;
  }
  if (name == "quality") {
    p.color_precision = 8, p.layer_difference = 8, p.corner_threshold = 30, p.max_iterations = 20;
    p.path_precision = 8, p.length_threshold = 2.0, p.splice_threshold = 30;
    return p;
  }
  return Fail(ErrorCode::kInvalidParams, "preset: \"" + std::string(name) +
                                             "\" is not one of default, speed, balanced, quality");
}

Result<void> Validate(const VectorizeParams& p) {
  for (const NumericRange& r : kRanges) {
    const double v = Get(p, r.name);
    if (!(v >= r.min && v <= r.max)) return Fail(OutOfRange(r, v));
  }
  return {};
}

Result<VectorizeParams> ApplyJson(VectorizeParams p, const json::object& args,
                                  std::span<const std::string_view> ignore) {
  for (const auto& [key, value] : args) {
    if (key == "preset" || std::find(ignore.begin(), ignore.end(), key) != ignore.end()) continue;
    if (key == "colormode") {
      auto v = ParseEnum(key, value, kColorModes);
      if (!v) return Fail(v.error());
      p.color_mode = *v;
    } else if (key == "hierarchical") {
      auto v = ParseEnum(key, value, kHierarchies);
      if (!v) return Fail(v.error());
      p.hierarchical = *v;
    } else if (key == "mode") {
      auto v = ParseEnum(key, value, kModes);
      if (!v) return Fail(v.error());
      p.mode = *v;
    } else {
      const auto range = std::find_if(std::begin(kRanges), std::end(kRanges),
                                      [&](const NumericRange& r) { return r.name == key; });
      if (range == std::end(kRanges)) {
        return Fail(ErrorCode::kInvalidParams, "unknown parameter " + std::string(key));
      }
      if (!value.is_number()) {
        return Fail(ErrorCode::kInvalidParams, std::string(key) + ": " + json::serialize(value) +
                                                   " is not a number");
      }
      const double v = value.to_number<double>();
      if (range->integer && v != std::floor(v)) {
        return Fail(ErrorCode::kInvalidParams,
                    std::string(key) + ": " + Number(v) + " is not an integer");
      }
      if (!(v >= range->min && v <= range->max)) return Fail(OutOfRange(*range, v));
      if (key == "length_threshold") {
        p.length_threshold = v;
      } else {
        *IntField(p, key) = static_cast<int>(v);
      }
    }
  }
  if (auto ok = Validate(p); !ok) return Fail(ok.error());
  return p;
}

json::object ToJson(const VectorizeParams& p) {
  json::object o{{"colormode", NameOf(p.color_mode, kColorModes)},
                 {"hierarchical", NameOf(p.hierarchical, kHierarchies)},
                 {"mode", NameOf(p.mode, kModes)}};
  for (const NumericRange& r : kRanges) {
    const double v = Get(p, r.name);
    if (r.integer) {
      o[r.name] = static_cast<std::int64_t>(v);
    } else {
      o[r.name] = v;
    }
  }
  return o;
}

}  // namespace ferry::image::vectorize
