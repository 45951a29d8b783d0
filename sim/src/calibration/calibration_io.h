#pragma once
// Reading dctwin-calibrate's CSV and writing the fitted GPU profile YAML. The fitting itself is
// pure (models/gpu_fit.h); this file is its I/O. Schema and equations: docs/calibration.md.
#include <filesystem>
#include <string>
#include <vector>

#include "dctwin/models/gpu_fit.h"
#include "dctwin/models/gpu_model.h"

namespace dctwin::sim {

// The columns every calibration CSV has (any order; extra columns are ignored).
inline constexpr const char* kCalibrationColumns[] = {
    "gpu_name",  "driver", "cuda_runtime", "sm_clock_mhz", "mem_clock_mhz", "power_limit_w", "benchmark",
    "variant",   "dtype",  "m",            "n",            "k",             "bytes",         "duty_pct",
    "metric",    "value",  "unit",         "repeats",      "check_rel_error"};

struct CalibrationData {
  std::vector<models::CalibrationSample> samples;
  std::vector<std::string> files;    // as given, in order
  std::string gpu_name;              // one GPU model per fit
  std::vector<std::string> drivers;  // distinct, in order of appearance
  std::vector<std::string> cuda_runtimes;
  double power_limit_w = 0;  // as read from the card, never set by the suite
};

// Reads one or more CSV files of one GPU model. Throws ScenarioError
// ("file:line:col: column: problem") at the first bad cell, row or header.
CalibrationData read_calibration_csv(const std::vector<std::filesystem::path>& files);

// The calibrated profile: measured figures where the data has them, the rest (host power,
// gpus_per_node, pstate clocks) from `base`, a datasheet profile (calibrated: false) read
// from `base_path`. Every figure keeps a `sources` entry. With `with_calibration_map` the
// text also carries the optional `calibration:` map (fitted curves, MAPEs, notes).
std::string calibrated_profile_yaml(const models::GpuProfile& base, const std::filesystem::path& base_path,
                                    const models::GpuFit& fit, const CalibrationData& data,
                                    bool with_calibration_map = true);

// Writes `text` to `path` through a temporary file and a rename, so a failure never leaves a
// partial profile. Creates the parent folder.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace dctwin::sim
