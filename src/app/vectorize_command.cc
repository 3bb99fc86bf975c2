#include "app/vectorize_command.h"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "app/batch.h"
#include "image/decode.h"
#include "image/ssim.h"
#include "image/vectorize/svg_writer.h"
#include "image/vectorize/vectorize.h"

namespace ferry::app {
namespace fs = std::filesystem;
namespace json = boost::json;
namespace vz = image::vectorize;
namespace {

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Result<std::string> ReadFile(const fs::path& path, std::size_t max_size) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Fail(ErrorCode::kIo, ec.message());
  if (size > max_size)
    return Fail(ErrorCode::kInvalidParams, std::to_string(size) + " bytes is over the limit of " +
                                               std::to_string(max_size));
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return Fail(ErrorCode::kIo, "cannot read the file");
  return std::move(bytes).str();
}

Result<image::Image> LoadImage(const fs::path& path, std::size_t max_size,
                               const image::DecodeOptions& options) {
  auto bytes = ReadFile(path, max_size);
  if (!bytes) return Fail(bytes.error());
  return image::DecodeImage(*bytes, options);
}

bool IsImageFile(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".webp";
}

// The parameters: the preset, then each flag given (values parsed as JSON numbers or strings, so
// ApplyJson checks types and ranges the same way as the MCP tools).
Result<vz::VectorizeParams> ParamsOf(const VectorizeFlags& flags) {
  auto base = vz::Preset(flags.preset);
  if (!base) return base;
  json::object args;
  for (const auto& [name, text] : flags.params) {
    std::error_code ec;
    json::value v = json::parse(text, ec);
    args[name] = (ec || !v.is_number()) ? json::value(text) : v;
  }
  return vz::ApplyJson(*base, args);
}

}  // namespace

int Vectorize(const VectorizeFlags& flags) {
  auto params = ParamsOf(flags);
  if (!params) {
    std::fprintf(stderr, "ferry vectorize: %s\n", params.error().message.c_str());
    return 2;
  }
  std::vector<std::string> errors;
  const auto files = ExpandInputs(flags.inputs, IsImageFile, errors);
  for (const auto& e : errors) std::fprintf(stderr, "ferry vectorize: %s\n", e.c_str());
  std::error_code ec;
  fs::create_directories(flags.out, ec);
  if (ec) {
    std::fprintf(stderr, "ferry vectorize: --out %s: %s\n", flags.out.c_str(),
                 ec.message().c_str());
    return 2;
  }

  const unsigned jobs = BatchJobs(flags.jobs);
  const auto started = std::chrono::steady_clock::now();
  const image::DecodeOptions decode{.max_pixels = flags.max_pixels,
                                    .max_dimension = flags.max_dimension};
  OutputClaims claims;
  std::mutex report_mutex;  // guards rows, ssim_sum, measured
  json::array rows;
  double ssim_sum = 0;
  std::size_t measured = 0;

  const std::size_t failed = RunBatch(files, jobs, [&](const fs::path& file) {
    FileOutcome outcome;
    json::object row{{"input", file.string()}, {"ok", false}};
    auto finish = [&](std::string error) {
      outcome.error = error;
      if (!error.empty()) row["error"] = error;
      std::lock_guard lock(report_mutex);
      rows.push_back(std::move(row));
      return outcome;
    };
    const auto t0 = std::chrono::steady_clock::now();
    auto img = LoadImage(file, flags.max_file_size, decode);
    if (!img) return finish(img.error().message);
    const double decode_seconds = Since(t0);
    const fs::path target = fs::path(flags.out) / (file.stem().string() + ".svg");
    if (!claims.Claim(target)) return finish("another input already wrote " + target.string());

    vz::Control control;
    if (flags.timeout > 0)
      control.deadline = std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(flags.timeout));
    const auto t1 = std::chrono::steady_clock::now();
    auto result = vz::Vectorize(*img, *params, control);
    if (!result) return finish(result.error().message);
    const std::string svg = vz::WriteSvg(result->image, params->path_precision);
    const double vectorize_seconds = Since(t1);
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out << svg;
    out.close();
    if (!out) return finish("cannot write " + target.string());

    row["ok"] = true;
    row["output"] = target.string();
    row["width"] = img->width;
    row["height"] = img->height;
    row["decode_seconds"] = decode_seconds;
    row["vectorize_seconds"] = vectorize_seconds;
    row["svg_bytes"] = svg.size();
    row["paths"] = result->stats.paths;
    char line[160];
    std::snprintf(line, sizeof line, " (%.0f ms, %zu paths, %zu bytes", vectorize_seconds * 1000,
                  result->stats.paths, svg.size());
    outcome.done = "vectorized " + file.string() + " -> " + target.string() + line;
    if (flags.ssim) {
      auto ssim = vz::MeasureSsim(*img, result->image);
      if (!ssim) return finish("SSIM: " + ssim.error().message);
      row["ssim"] = *ssim;
      std::snprintf(line, sizeof line, ", SSIM %.4f", *ssim);
      outcome.done += line;
      std::lock_guard lock(report_mutex);
      ssim_sum += *ssim;
      ++measured;
    }
    outcome.done += ")";
    return finish("");
  });

  const double seconds = Since(started);
  std::string mean = "n/a";
  if (measured > 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", ssim_sum / static_cast<double>(measured));
    mean = buf;
  }
  std::fprintf(stderr, "%zu files, %zu failed, mean SSIM %s, %.3f s (%u jobs)\n", files.size(),
               failed, mean.c_str(), seconds, jobs);
  if (!flags.report.empty()) {
    json::object summary{{"files", files.size()},     {"failed", failed},
                         {"seconds", seconds},        {"jobs", jobs},
                         {"parameters", vz::ToJson(*params)}};
    if (measured > 0) summary["mean_ssim"] = ssim_sum / static_cast<double>(measured);
    std::ofstream report(flags.report, std::ios::binary | std::ios::trunc);
    report << json::serialize(json::object{{"files", std::move(rows)}, {"summary", summary}})
           << "\n";
    if (!report) {
      std::fprintf(stderr, "ferry vectorize: cannot write --report %s\n", flags.report.c_str());
      return 1;
    }
  }
  return (failed > 0 || !errors.empty() || files.empty()) ? 1 : 0;
}

int Ssim(const std::string& reference, const std::vector<std::string>& images) {
  const std::size_t max_size = 256 * 1024 * 1024;
  auto ref = LoadImage(reference, max_size, {});
  if (!ref) {
    std::fprintf(stderr, "ferry ssim: %s: %s\n", reference.c_str(), ref.error().message.c_str());
    return 1;
  }
  int status = 0;
  for (const auto& path : images) {
    auto img = LoadImage(path, max_size, {});
    auto ssim = img ? image::Ssim(*ref, *img) : Result<double>(Fail(img.error()));
    if (!ssim) {
      std::fprintf(stderr, "ferry ssim: %s: %s\n", path.c_str(), ssim.error().message.c_str());
      status = 1;
      continue;
    }
    std::printf("%.6f\t%s\n", *ssim, path.c_str());
  }
  return status;
}

}  // namespace ferry::app
