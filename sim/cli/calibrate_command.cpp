#include "calibrate_command.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "../src/calibration/calibration_io.h"
#include "../src/scenario/data_files.h"
#include "dctwin/models/gpu_fit.h"
#include "dctwin/sim/scenario_error.h"
#include "exit_status.h"

namespace dctwin::cli {
namespace {

struct FitOptions {
  std::vector<std::string> csv_files;
  std::string base;
  std::string out;
  bool profile_only = false;
};

void print_summary(const models::GpuFit& fit) {
  for (const auto& g : fit.gemm) {
    std::printf("gemm %-8s %-6s tflops_max %8.1f  size_half %9.4g  exponent %5.2f  held-out MAPE %5.2f %% (%zu rows)\n",
                g.dtype.c_str(), g.family.c_str(), g.tflops.y_max, g.tflops.x_half, g.tflops.p,
                g.check.mape_held_pct, g.check.rows_held);
  }
  for (const auto& m : fit.memory) {
    std::printf("stream %-6s plateau %7.0f GB/s  knee %.3g B  held-out MAPE %5.2f %% (%zu rows)\n", m.kernel.c_str(),
                m.plateau_gbps, m.knee_bytes, m.check.mape_held_pct, m.check.rows_held);
  }
  if (fit.power) {
    std::printf("power idle %.1f W\n", fit.power->idle_w);
    for (const auto& l : fit.power->loads) {
      std::printf("power %-6s %.1f W at 0 %% duty, %.1f W at 100 %%%s  held-out MAPE %5.2f %% (%zu rows)\n",
                  l.load.c_str(), l.epsilon_w(), l.full_w(), l.held_at_limit() ? " (held at the power limit)" : "",
                  l.check.mape_held_pct, l.check.rows_held);
    }
  }
  for (const auto& n : fit.notes) std::printf("note: %s\n", n.c_str());
}

int run_fit(const FitOptions& o) {
  std::vector<std::filesystem::path> files(o.csv_files.begin(), o.csv_files.end());
  const sim::CalibrationData data = sim::read_calibration_csv(files);
  const models::GpuFit fit = models::fit_gpu(data.samples);
  if (fit.gemm.empty() && fit.memory.empty() && !fit.power) {
    throw sim::ScenarioError(o.csv_files.front(), 0, 0, "",
                             "nothing to fit: no gemm throughput, stream bandwidth or power rows");
  }
  const std::filesystem::path base_path(o.base);
  const models::GpuProfile base = sim::detail::read_gpu_profile(base_path, base_path.stem().string());
  const std::string yaml = sim::calibrated_profile_yaml(base, base_path, fit, data, !o.profile_only);
  std::printf("%s: %zu rows from %zu file(s)\n", data.gpu_name.c_str(), data.samples.size(), files.size());
  print_summary(fit);
  sim::write_text_atomically(o.out, yaml);
  std::printf("calibrated profile written to %s\n", o.out.c_str());
  return 0;
}

}  // namespace

void add_calibrate_command(CLI::App& app, std::optional<int>& exit_status) {
  auto* calibrate = app.add_subcommand("calibrate", "fit the GPU model to dctwin-calibrate measurements");
  calibrate->require_subcommand(1);
  auto* fit = calibrate->add_subcommand("fit", "fit efficiency curves, memory bandwidth and power; write a GPU profile");
  // CLI11 binds options to addresses that must outlive parse(): the callback owns them.
  auto options = std::make_shared<FitOptions>();
  fit->add_option("CSV", options->csv_files, "dctwin-calibrate CSV files of one GPU model")->required();
  fit->add_option("--base", options->base, "datasheet profile to start from, e.g. data/gpus/h100-sxm.yaml")
      ->required();
  fit->add_option("--out", options->out, "profile to write, e.g. data/gpus/h100-sxm-calibrated.yaml")->required();
  fit->add_flag("--profile-only", options->profile_only, "leave out the optional calibration: map");
  fit->callback([options, &exit_status] {
    exit_status = run_guarded("dctwin calibrate fit", [&] { return run_fit(*options); });
  });
}

}  // namespace dctwin::cli
