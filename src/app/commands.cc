#include "app/commands.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app/convert_command.h"
#include "app/vectorize_command.h"
#include "image/vectorize/params.h"
#include "common/log.h"
#include "tools/builtin.h"
#include "runtime/stop_signal.h"

namespace ferry::app {
namespace {

constexpr const char* kVersion = "0.1.0";

// Flags shared by every subcommand that loads configuration.
struct ConfigFlags {
  std::string file;
  std::vector<std::string> profiles;
  std::vector<std::string> sets;

  void AddTo(CLI::App& cmd) {
    cmd.add_option("-c,--config", file, "YAML configuration file (also FERRY_CONFIG)");
    cmd.add_option("-p,--profile", profiles,
                   "Profile(s) to apply before the file, e.g. production,low_latency")
        ->delimiter(',');
    cmd.add_option("--set", sets, "Override one key: --set section.key=value (repeatable)");
  }

  Result<Config> Load(std::map<std::string, std::string> extra = {}) const {
    ConfigSources sources;
    if (!file.empty()) sources.file = file;
    sources.profiles = profiles;
    for (const auto& s : sets) {
      const auto eq = s.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Fail(ErrorCode::kInvalidConfig, "--set " + s + ": expected section.key=value");
      }
      sources.overrides[s.substr(0, eq)] = s.substr(eq + 1);
    }
    for (auto& [k, v] : extra) sources.overrides[k] = v;
    return LoadConfig(sources);
  }
};

void OnStopSignal(int) { runtime::RequestStop(); }

void InstallSignalHandlers() {
  struct sigaction sa{};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A client that closes its end of stdout must not kill us mid-write; write() reports EPIPE.
  signal(SIGPIPE, SIG_IGN);
}

struct ServeFlags {
  bool stdio = false;
  bool stateless = false;
  std::string host;
  int port = -1;

  std::map<std::string, std::string> Overrides() const {
    std::map<std::string, std::string> o;
    if (!host.empty()) o["server.host"] = host;
    if (port >= 0) o["server.port"] = std::to_string(port);
    if (stateless) o["http.stateless"] = "true";
    return o;
  }
};

int Serve(const ConfigFlags& flags, const ServeFlags& serve, const RegisterExtras& extras) {
  auto config = flags.Load(serve.Overrides());
  if (!config) {
    std::fprintf(stderr, "ferry: invalid configuration: %s\n", config.error().message.c_str());
    return 2;
  }
  if (auto r = InitLogging(config->logging.level); !r) {
    std::fprintf(stderr, "ferry: %s\n", r.error().message.c_str());
    return 2;
  }
  InstallSignalHandlers();
  Server server({.name = config->server.name, .version = kVersion, .title = "Ferry"}, *config);
  if (auto r = tools::RegisterBuiltinTools(server); !r) {
    Log().error("registering built-in tools failed: {}", r.error().message);
    return 1;
  }
  if (extras) {
    if (auto r = extras(server); !r) {
      Log().error("registering tools failed: {}", r.error().message);
      return 1;
    }
  }
  auto served = serve.stdio ? server.ServeStdio() : server.ServeHttp();
  if (!served) {
    Log().error("{}", served.error().message);
    if (served.error().code == ErrorCode::kTimeout) {
      // Handlers that ignore cancellation would block the pools' joins forever.
      std::fflush(stderr);
      std::_Exit(1);
    }
    return 1;
  }
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv, const RegisterExtras& extras) {
  CLI::App app{"Ferry: a high-performance Model Context Protocol server runtime", "ferry"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);

  ConfigFlags serve_flags;
  ServeFlags serve_options;
  auto* serve = app.add_subcommand(
      "serve", "Serve MCP over HTTP (http://127.0.0.1:8080/mcp by default) or stdio");
  serve->add_flag("--stdio", serve_options.stdio,
                  "Serve over stdin/stdout (newline-delimited JSON-RPC) instead of HTTP");
  serve->add_option("--host", serve_options.host, "Listen address (server.host)");
  serve->add_option("--port", serve_options.port, "Listen port, 0 for any free one (server.port)")
      ->check(CLI::Range(0, 65535));
  serve->add_flag("--stateless", serve_options.stateless,
                  "No sessions: every POST stands alone (http.stateless)");
  serve_flags.AddTo(*serve);

  ConfigFlags config_flags;
  bool describe = false, markdown = false, print = false;
  auto* config = app.add_subcommand("config", "Describe or print the configuration");
  config->add_flag("--describe", describe, "Print every key: type, default, range, meaning");
  config->add_flag("--markdown", markdown, "With --describe: Markdown (docs/configuration.md)");
  config->add_flag("--print", print, "Print the effective configuration as YAML");
  config_flags.AddTo(*config);

  ConvertFlags convert_flags;
  auto* convert = app.add_subcommand(
      "convert",
      "Convert documents (PDF, DOCX, PPTX, XLSX, HTML, Markdown, AsciiDoc, CSV, text) to "
      "Markdown, text, HTML, Docling JSON or chunks");
  convert->add_option("inputs", convert_flags.inputs, "Files or directories")->required();
  convert->add_option("--to", convert_flags.to, "md, json, html, text or chunks (default md)");
  convert->add_option("--out", convert_flags.out, "Output directory (default .)");
  convert->add_option("--jobs", convert_flags.jobs, "Parallel conversions (default: cores)")
      ->check(CLI::Range(0, 1024));
  convert->add_option("--max-file-size", convert_flags.max_file_size,
                      "Refuse larger inputs, in bytes (default 64 MiB)");
  convert->add_option("--max-memory", convert_flags.max_memory,
                      "Fail a document needing more memory, in bytes (default 1 GiB)");
  convert->add_option("--password", convert_flags.password, "PDF: the password");
  convert->add_option("--first-page", convert_flags.first_page, "PDF: first page (default 1)")
      ->check(CLI::Range(1, 1'000'000));
  convert->add_option("--last-page", convert_flags.last_page, "PDF: last page (default: the end)")
      ->check(CLI::Range(1, 1'000'000));
  convert->add_option("--max-pages", convert_flags.max_pages,
                      "PDF: refuse files with more pages (default 10000)")
      ->check(CLI::Range(1, 1'000'000));
  convert->add_option("--timeout", convert_flags.timeout,
                      "Seconds one document may take; PDF pages not started by then are left "
                      "out (default: no limit)")
      ->check(CLI::Range(0.0, 86400.0));
  convert->add_option("--chunker", convert_flags.chunker,
                      "With --to chunks: hybrid or hierarchical (default hybrid)");
  convert->add_option("--max-tokens", convert_flags.max_tokens,
                      "With --to chunks: hybrid chunks' token budget (default 512)")
      ->check(CLI::Range(16, 65536));
  convert->add_option("--tokenizer-file", convert_flags.tokenizer_file,
                      "With --to chunks: a tiktoken BPE rank file (default: approximate counts)");

  VectorizeFlags vectorize_flags;
  auto* vectorize = app.add_subcommand(
      "vectorize", "Convert PNG, JPEG and WebP images to SVG (VTracer's parameters and defaults)");
  vectorize->add_option("inputs", vectorize_flags.inputs, "Image files or directories")->required();
  vectorize->add_option("--out", vectorize_flags.out, "Output directory (default .)");
  vectorize->add_option("--jobs", vectorize_flags.jobs, "Parallel conversions (default: cores)")
      ->check(CLI::Range(0, 1024));
  vectorize->add_option("--preset", vectorize_flags.preset,
                        "default (VTracer's), speed, balanced or quality; parameters override it");
  // One flag per parameter, spelled with dashes; docs/tools.md lists ranges and meanings.
  auto param = [&](const std::string& name, const std::string& help) {
    std::string flag = "--" + name;
    std::replace(flag.begin(), flag.end(), '_', '-');
    vectorize->add_option_function<std::string>(
        flag, [&vectorize_flags, name](const std::string& v) { vectorize_flags.params[name] = v; },
        help);
  };
  param("colormode", "color or binary");
  param("hierarchical", "stacked or cutout");
  param("mode", "pixel, polygon or spline");
  for (const auto& range : image::vectorize::NumericRanges()) {
    char help[96];
    std::snprintf(help, sizeof help, "in [%g, %g]", range.min, range.max);
    param(std::string(range.name), help);
  }
  vectorize->add_flag("--ssim", vectorize_flags.ssim,
                      "Measure SSIM between each image and its SVG (over white)");
  vectorize->add_option("--report", vectorize_flags.report, "Write a JSON report to this file");
  vectorize->add_option("--max-pixels", vectorize_flags.max_pixels,
                        "Refuse images declaring more pixels (default 100000000)");
  vectorize->add_option("--max-dimension", vectorize_flags.max_dimension,
                        "Scale images down to this longest side first (default: as they are)")
      ->check(CLI::Range(0, 1'000'000));
  vectorize->add_option("--max-file-size", vectorize_flags.max_file_size,
                        "Refuse larger files, in bytes (default 64 MiB)");
  vectorize->add_option("--timeout", vectorize_flags.timeout,
                        "Seconds one image may take (default: no limit)")
      ->check(CLI::Range(0.0, 86400.0));

  std::string ssim_reference;
  std::vector<std::string> ssim_images;
  auto* ssim = app.add_subcommand(
      "ssim", "SSIM (Wang et al. 2004, luma over white) of images against a reference");
  ssim->add_option("reference", ssim_reference, "The reference image")->required();
  ssim->add_option("images", ssim_images, "Images of the same size to compare")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (serve->parsed()) return Serve(serve_flags, serve_options, extras);
  if (convert->parsed()) return Convert(convert_flags);
  if (vectorize->parsed()) return Vectorize(vectorize_flags);
  if (ssim->parsed()) return Ssim(ssim_reference, ssim_images);

  if (describe) {
    std::cout << DescribeConfig(markdown);
    return 0;
  }
  if (print) {
    auto loaded = config_flags.Load();
    if (!loaded) {
      std::fprintf(stderr, "ferry: invalid configuration: %s\n", loaded.error().message.c_str());
      return 2;
    }
    std::cout << PrintConfig(*loaded);
    return 0;
  }
  std::fprintf(stderr, "ferry config: give --describe or --print\n");
  return 2;
}

}  // namespace ferry::app
