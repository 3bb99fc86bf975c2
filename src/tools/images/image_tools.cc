#include "tools/images/image_tools.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "image/analysis/features.h"
#include "image/decode.h"
#include "image/vectorize/optimize.h"
#include "image/vectorize/params.h"
#include "image/vectorize/svg_writer.h"
#include "image/vectorize/vectorize.h"
#include "tools/allowed_paths.h"
#include "tools/tool_support.h"

namespace ferry::tools::images {
namespace json = boost::json;
namespace vz = image::vectorize;
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

struct ImageTools {
  Server& server;
  const Config& config;
};
using ImageTool = GroupTool<ImageTools>;

// Arguments that are not vectorizer parameters (ApplyJson skips them).
constexpr std::string_view kNonParameters[] = {
    "path", "content", "filename", "uri", "preset", "measure_ssim", "output", "max_dimension",
    "paths", "out_dir", "overwrite", "target_ssim", "time_budget"};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// A call's deadline: images.timeout from now when set, never later than the call's own.
Clock::time_point ImageDeadline(const ImageTools& group, RequestContext& ctx) {
  const auto timeout = group.config.images.timeout;
  if (timeout.count() <= 0) return ctx.Deadline();
  return std::min(ctx.Deadline(), Clock::now() + timeout);
}

vz::Control ControlFor(const ImageTools& group, RequestContext& ctx) {
  vz::Control control;
  control.deadline = ImageDeadline(group, ctx);
  control.cancelled = [&ctx] { return ctx.IsCancelled(); };
  return control;
}

image::DecodeOptions DecodeOptionsFor(const ImageTools& group, const json::object& args) {
  image::DecodeOptions o;
  o.max_pixels = static_cast<std::size_t>(group.config.images.max_pixels);
  o.max_dimension = static_cast<int>(group.config.images.max_dimension);
  const std::int64_t asked = ArgInt(args, "max_dimension", 0);
  if (asked > 0 && (o.max_dimension == 0 || asked < o.max_dimension))
    o.max_dimension = static_cast<int>(asked);
  return o;
}

// The image named by the arguments (path, content or uri), decoded.
Result<image::Image> LoadImage(ImageTools& group, RequestContext& ctx, const json::object& args) {
  auto source =
      LoadSource(group.server, ctx, args, group.config.documents.allowed_roots,
                 static_cast<std::size_t>(group.config.images.max_file_size), "images.max_file_size");
  if (!source) return Fail(source.error());
  auto img = image::DecodeImage(source->bytes, DecodeOptionsFor(group, args));
  if (!img) return Fail(img.error().code, "image: " + img.error().message);
  return img;
}

Result<vz::VectorizeParams> ParamsFrom(const json::object& args) {
  const std::string preset = ArgString(args, "preset");
  auto base = vz::Preset(preset.empty() ? "default" : preset);
  if (!base) return base;
  return vz::ApplyJson(*base, args, kNonParameters);
}

// The SVG as the caller asked: text content (default) or an embedded resource.
void AddSvg(ToolResult& result, const json::object& args, const std::string& svg,
            std::string_view name) {
  if (ArgString(args, "output") == "resource") {
    result.AddEmbeddedText("ferry://vectorized/" + std::string(name) + ".svg", svg,
                           "image/svg+xml");
  } else {
    result.AddText(svg);
  }
}

std::string StemOf(const json::object& args) {
  std::string name = ArgString(args, "path");
  if (name.empty()) name = ArgString(args, "filename");
  if (name.empty()) name = ArgString(args, "uri");
  const std::string stem = fs::path(name).stem().string();
  return stem.empty() ? "image" : stem;
}

json::object FeaturesJson(const image::analysis::Features& f) {
  return {{"unique_colors", f.unique_colors},         {"edge_density", f.edge_density},
          {"entropy", f.entropy},                     {"corner_density", f.corner_density},
          {"gradient_strength", f.gradient_strength}, {"complexity", f.complexity}};
}

Result<ToolResult> VectorizeImage(ImageTools& group, RequestContext& ctx, const json::object& args) {
  auto params = ParamsFrom(args);
  if (!params) return ToolResult::Failure(params.error().message);
  auto img = LoadImage(group, ctx, args);
  if (!img) return ToolResult::Failure(img.error().message);
  const auto t0 = Clock::now();
  auto v = vz::Vectorize(*img, *params, ControlFor(group, ctx));
  if (!v) return ToolResult::Failure(v.error().message);
  const std::string svg = vz::WriteSvg(v->image, params->path_precision);
  json::object summary{{"width", img->width},
                       {"height", img->height},
                       {"svg_bytes", svg.size()},
                       {"paths", v->stats.paths},
                       {"seconds", Seconds(t0)},
                       {"parameters", vz::ToJson(*params)}};
  if (const auto* m = args.if_contains("measure_ssim"); m && m->is_bool() && m->get_bool()) {
    auto ssim = vz::MeasureSsim(*img, v->image);
    if (!ssim) return ToolResult::Failure("SSIM: " + ssim.error().message);
    summary["ssim"] = *ssim;
  }
  ToolResult result;
  result.AddText(json::serialize(summary));
  AddSvg(result, args, svg, StemOf(args));
  result.structured_content = std::move(summary);
  return result;
}

Result<ToolResult> AnalyzeImage(ImageTools& group, RequestContext& ctx, const json::object& args) {
  auto img = LoadImage(group, ctx, args);
  if (!img) return ToolResult::Failure(img.error().message);
  auto features = image::analysis::Analyze(*img);
  if (!features) return ToolResult::Failure(features.error().message);
  const auto c = image::analysis::Classify(*features);
  return Structured({{"width", img->width},
                     {"height", img->height},
                     {"features", FeaturesJson(*features)},
                     {"class", image::analysis::ToString(c.image_class)},
                     {"confidence", c.confidence},
                     {"suggested_preset", vz::StartPreset(c.image_class)}});
}

Result<ToolResult> OptimizeVectorization(ImageTools& group, RequestContext& ctx,
                                         const json::object& args) {
  auto img = LoadImage(group, ctx, args);
  if (!img) return ToolResult::Failure(img.error().message);
  vz::OptimizeOptions options;
  if (const auto* t = args.if_contains("target_ssim"); t && t->is_number())
    options.target_ssim = t->to_number<double>();
  if (const auto* b = args.if_contains("time_budget"); b && b->is_number())
    options.budget = std::chrono::milliseconds(static_cast<std::int64_t>(b->to_number<double>() * 1000));
  // The budget never outlasts the call.
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      ImageDeadline(group, ctx) - Clock::now());
  options.budget = std::min(options.budget, left);
  auto o = vz::Optimize(*img, options, ControlFor(group, ctx));
  if (!o) return ToolResult::Failure(o.error().message);
  json::array trials;
  for (const vz::Trial& t : o->trials) {
    trials.push_back(json::object{{"parameters", vz::ToJson(t.params)},
                                  {"ssim", t.ssim},
                                  {"seconds", t.seconds},
                                  {"svg_bytes", t.svg_bytes},
                                  {"paths", t.paths}});
  }
  const vz::Trial& best = o->trials[o->best_trial];
  json::object summary{{"width", img->width},
                       {"height", img->height},
                       {"class", image::analysis::ToString(o->classification.image_class)},
                       {"confidence", o->classification.confidence},
                       {"start_preset", o->start_preset},
                       {"target_ssim", options.target_ssim},
                       {"target_met", o->target_met},
                       {"ssim", best.ssim},
                       {"svg_bytes", best.svg_bytes},
                       {"paths", best.paths},
                       {"parameters", vz::ToJson(best.params)},
                       {"best_trial", o->best_trial},
                       {"trials", std::move(trials)}};
  ToolResult result;
  result.AddText(json::serialize(summary));
  AddSvg(result, args, o->svg, StemOf(args));
  result.structured_content = std::move(summary);
  return result;
}

// Writes `svg` to `target` unless it exists and `overwrite` is false.
Result<void> WriteSvgFile(const fs::path& target, const std::string& svg, bool overwrite) {
  std::error_code ec;
  if (!overwrite && fs::exists(target, ec))
    return Fail(ErrorCode::kInvalidParams, target.string() + " exists (pass overwrite: true)");
  const fs::path temp = target.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << svg;
    if (!out.flush()) return Fail(ErrorCode::kIo, "cannot write " + temp.string());
  }
  fs::rename(temp, target, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Fail(ErrorCode::kIo, "cannot write " + target.string());
  }
  return {};
}

Result<ToolResult> VectorizeImages(ImageTools& group, RequestContext& ctx,
                                   const json::object& args) {
  auto params = ParamsFrom(args);
  if (!params) return ToolResult::Failure(params.error().message);
  const auto& roots = group.config.documents.allowed_roots;
  auto out_dir = ResolveAllowedPath(ArgString(args, "out_dir"), roots);
  if (!out_dir) return ToolResult::Failure("out_dir: " + out_dir.error().message);
  std::error_code ec;
  if (!fs::is_directory(*out_dir, ec)) return ToolResult::Failure("out_dir: not a directory");
  const bool overwrite = args.contains("overwrite") && args.at("overwrite").as_bool();
  const bool measure = args.contains("measure_ssim") && args.at("measure_ssim").as_bool();

  const auto& paths = args.at("paths").as_array();
  json::array results;
  std::size_t failed = 0;
  double ssim_sum = 0;
  std::size_t measured = 0;
  const auto started = Clock::now();
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (ctx.IsCancelled()) return Fail(ErrorCode::kCancelled, "cancelled");
    const std::string path(paths[i].as_string());
    json::object row{{"path", path}};
    auto one = [&]() -> Result<void> {
      auto img = LoadImage(group, ctx, json::object{{"path", path}});
      if (!img) return Fail(img.error());
      const auto t0 = Clock::now();
      auto v = vz::Vectorize(*img, *params, ControlFor(group, ctx));
      if (!v) return Fail(v.error());
      const std::string svg = vz::WriteSvg(v->image, params->path_precision);
      const fs::path target = *out_dir / (fs::path(path).stem().string() + ".svg");
      if (auto w = WriteSvgFile(target, svg, overwrite); !w) return w;
      row["output"] = target.string();
      row["width"] = img->width;
      row["height"] = img->height;
      row["svg_bytes"] = svg.size();
      row["paths"] = v->stats.paths;
      row["seconds"] = Seconds(t0);
      if (measure) {
        auto ssim = vz::MeasureSsim(*img, v->image);
        if (!ssim) return Fail(ssim.error());
        row["ssim"] = *ssim;
        ssim_sum += *ssim;
        ++measured;
      }
      return {};
    };
    const auto done = one();
    if (!done) {
      ++failed;
      row["error"] = done.error().message;
    }
    results.push_back(std::move(row));
    ctx.ReportProgress(static_cast<double>(i + 1), static_cast<double>(paths.size()),
                       path + (done ? ": vectorized" : ": failed"));
  }
  json::object summary{{"files", paths.size()},
                       {"failed", failed},
                       {"seconds", Seconds(started)},
                       {"results", std::move(results)}};
  if (measured > 0) summary["mean_ssim"] = ssim_sum / static_cast<double>(measured);
  return Structured(std::move(summary));
}

json::object ImageSourceProperties() {
  return json::object{
      {"path", StringProperty("An image file (PNG, JPEG, WebP) inside documents.allowed_roots")},
      {"content", StringProperty("The image's bytes, base64-encoded (instead of path)")},
      {"filename", StringProperty("With content or uri: a name for the image")},
      {"uri", StringProperty("A resource this server serves (instead of path or content)")},
      {"max_dimension", IntegerProperty("Scale the image down to this longest side first "
                                        "(never above images.max_dimension when that is set)",
                                        1, 1'000'000)}};
}

// The vectorizer's parameters, with VTracer's names, ranges and defaults.
void AddParameterProperties(json::object& props) {
  props["preset"] = EnumProperty({"default", "speed", "balanced", "quality"},
                                 "Starting parameters (default: VTracer's); parameters given "
                                 "override the preset's");
  props["colormode"] = EnumProperty({"color", "binary"}, "color (default) or binary (black on white)");
  props["hierarchical"] = EnumProperty({"stacked", "cutout"},
                                       "stacked (default): layers overlap; cutout: they do not");
  props["mode"] = EnumProperty({"pixel", "polygon", "spline"}, "Curve fitting (default spline)");
  const vz::VectorizeParams defaults;
  const json::object values = vz::ToJson(defaults);
  for (const auto& range : vz::NumericRanges()) {
    json::object p{{"type", range.integer ? "integer" : "number"},
                   {"minimum", range.min},
                   {"maximum", range.max},
                   {"description", "VTracer's " + std::string(range.name) + " (default " +
                                       json::serialize(values.at(range.name)) + ")"}};
    props[range.name] = std::move(p);
  }
}

json::object OutputProperty() {
  return EnumProperty({"text", "resource"},
                      "How the SVG comes back: text content (default) or an embedded resource "
                      "(image/svg+xml)");
}

std::vector<ImageTool> Definitions() {
  const json::object read{{"readOnlyHint", true}, {"openWorldHint", false}};
  json::object vectorize_props = ImageSourceProperties();
  AddParameterProperties(vectorize_props);
  vectorize_props["measure_ssim"] = json::object{
      {"type", "boolean"},
      {"description", "Also render the SVG back and report its SSIM against the image"}};
  vectorize_props["output"] = OutputProperty();

  json::object optimize_props = ImageSourceProperties();
  optimize_props["target_ssim"] = json::object{{"type", "number"}, {"minimum", 0}, {"maximum", 1},
                                               {"description", "SSIM to reach (default 0.9)"}};
  optimize_props["time_budget"] =
      json::object{{"type", "number"}, {"minimum", 0.1}, {"maximum", 3600},
                   {"description", "Seconds the search may take (default 10)"}};
  optimize_props["output"] = OutputProperty();

  json::object batch_props;
  batch_props["paths"] = json::object{{"type", "array"},
                                      {"items", json::object{{"type", "string"}}},
                                      {"minItems", 1},
                                      {"maxItems", 10000},
                                      {"description", "Image files inside documents.allowed_roots"}};
  batch_props["out_dir"] =
      StringProperty("A directory inside documents.allowed_roots; each image becomes "
                     "<name without extension>.svg there");
  batch_props["overwrite"] =
      json::object{{"type", "boolean"}, {"description", "Replace existing SVG files (default false)"}};
  batch_props["max_dimension"] = ImageSourceProperties().at("max_dimension");
  batch_props["measure_ssim"] = vectorize_props.at("measure_ssim");
  AddParameterProperties(batch_props);

  return {
      {"vectorize_image", "Vectorize an image",
       "Converts a PNG, JPEG or WebP image to SVG (VTracer's algorithm and parameters; a preset "
       "or explicit parameters), returning the SVG and its size, path count and time, and the "
       "SSIM against the image when measure_ssim is set.",
       ObjectSchema(std::move(vectorize_props)), read, &VectorizeImage},
      {"analyze_image", "Analyze an image",
       "Six features in [0, 1] (unique colors, edge density, entropy, corner density, gradient "
       "strength, complexity), the image's class (simple, text, gradient, complex) with its "
       "confidence, and the preset to start from.",
       ObjectSchema(ImageSourceProperties()), read, &AnalyzeImage},
      {"optimize_vectorization", "Find vectorization parameters",
       "Converts and measures: starts from the preset for the image's class and searches "
       "parameters until the SSIM target is met with the smallest SVG or the time budget ends; "
       "returns the best SVG and every trial.",
       ObjectSchema(std::move(optimize_props)), read, &OptimizeVectorization},
      {"vectorize_images", "Vectorize several images",
       "Vectorizes image files inside the allowed roots into out_dir, with a progress "
       "notification per file; returns one result per file (its SVG's path, size, paths, time "
       "and SSIM, or why it failed). A failure never stops the batch.",
       ObjectSchema(std::move(batch_props), json::array{"paths", "out_dir"}),
       json::object{{"readOnlyHint", false}, {"destructiveHint", false}, {"openWorldHint", false}},
       &VectorizeImages},
  };
}

}  // namespace

Result<void> Register(Server& server) {
  auto group = std::make_shared<ImageTools>(ImageTools{server, server.config()});
  return AddTools(server, group, Definitions());
}

}  // namespace ferry::tools::images
