// Calibration CSV reading (bad rows refused with their line) and the fitted profile YAML,
// which must load back through the same reader the twin uses for data/gpus/.
// The CSVs here are synthetic, written by the test into a temporary folder: no measurement.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "../../sim/src/calibration/calibration_io.h"
#include "../../sim/src/scenario/data_files.h"
#include "dctwin/sim/scenario_error.h"

namespace {

namespace fs = std::filesystem;
using dctwin::sim::ScenarioError;

const char* kHeader =
    "gpu_name,driver,cuda_runtime,sm_clock_mhz,mem_clock_mhz,power_limit_w,benchmark,variant,dtype,m,n,k,bytes,"
    "duty_pct,metric,value,unit,repeats,check_rel_error\n";

std::string ctx(double sm = 1980) {
  std::ostringstream s;
  s << "\"SYNTHETIC GPU, test only\",580.00,13.0," << sm << ",2619,700,";
  return s.str();
}

// A synthetic run: BF16 square GEMMs on a known curve, STREAM triad, idle and duty power.
std::string synthetic_csv() {
  std::ostringstream s;
  s << kHeader << ctx() << "device,,,,,,,,l2_cache,52428800,bytes,1,\n";
  for (int i = 0; i < 12; ++i) {
    const double n = std::round(256 * std::pow(64.0, i / 11.0));
    const double tflops = 760.0 / (1 + std::pow(2000.0 / n, 2.5));
    s << ctx() << "gemm,square,bf16," << n << ',' << n << ',' << n << ',' << 6 * n * n << ",,throughput," << tflops
      << ",tflops,50,0.0021\n";
  }
  for (int i = 0; i < 12; ++i) {
    const double bytes = std::pow(2.0, 20 + i);
    s << ctx() << "stream,triad,fp32,,,," << bytes << ",,bandwidth," << (bytes < 30e6 ? 6500 : 3000)
      << ",gbps,30,0\n";
  }
  s << ctx(345) << "power,idle,,,,,,,power,72,w,1,\n";
  for (int d = 0; d <= 100; d += 25) s << ctx() << "power,tensor,bf16,,,,," << d << ",power," << 120 + 5.5 * d << ",w,1,\n";
  return s.str();
}

// The test process's scratch folder, removed when the process ends.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("dctwin-calib-" + std::to_string(::getpid()));
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

fs::path write_file(const std::string& name, const std::string& text) {
  static const ScratchDir scratch;
  const fs::path& dir = scratch.path;
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir / name;
}

// Runs the reader on `text` and returns the error it raised.
ScenarioError error_for(const std::string& text) {
  try {
    dctwin::sim::read_calibration_csv({write_file("bad.csv", text)});
  } catch (const ScenarioError& e) {
    return e;
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return ScenarioError("", 0, 0, "", "");
}

const fs::path kBase = fs::path(DCTWIN_DATA_DIR) / "gpus" / "h100-sxm.yaml";

}  // namespace

TEST(CalibrationIo, ReadsSyntheticRun) {
  const auto data = dctwin::sim::read_calibration_csv({write_file("run.csv", synthetic_csv())});
  EXPECT_EQ(data.gpu_name, "SYNTHETIC GPU, test only");
  EXPECT_EQ(data.samples.size(), 1u + 12 + 12 + 1 + 5);
  EXPECT_EQ(data.drivers, std::vector<std::string>{"580.00"});
  EXPECT_DOUBLE_EQ(data.power_limit_w, 700);
}

TEST(CalibrationIo, RefusesMalformedRowsWithTheirLine) {
  const std::string good = std::string(kHeader) + ctx() + "power,idle,,,,,,,power,72,w,1,\n";
  // Line 3: a value that is not a number, in the 16th column.
  const auto e1 = error_for(good + ctx() + "power,idle,,,,,,,power,hot,w,1,\n");
  EXPECT_EQ(e1.line(), 3);
  EXPECT_EQ(e1.key_path(), "value");
  EXPECT_GT(e1.column(), 1);
  EXPECT_NE(std::string(e1.what()).find("bad.csv:3:"), std::string::npos) << e1.what();
  // Line 3: a field missing.
  EXPECT_EQ(error_for(good + ctx() + "power,idle,,,,,,power,72,w,1,\n").line(), 3);
  // Line 2: a known metric in the wrong unit.
  const auto e3 = error_for(std::string(kHeader) + ctx() + "power,idle,,,,,,,power,72,kw,1,\n");
  EXPECT_EQ(e3.line(), 2);
  EXPECT_EQ(e3.key_path(), "unit");
  // Line 3: a second GPU model in the same fit.
  const std::string other = "\"OTHER GPU\",580.00,13.0,1980,2619,700,power,idle,,,,,,,power,72,w,1,\n";
  EXPECT_EQ(error_for(good + other).key_path(), "gpu_name");
  // Line 1: a header without a required column.
  EXPECT_EQ(error_for("gpu_name,value\nx,1\n").line(), 1);
}

TEST(CalibrationIo, FittedProfileLoadsBackWithoutTheCalibrationMap) {
  const auto data = dctwin::sim::read_calibration_csv({write_file("run.csv", synthetic_csv())});
  const auto fit = dctwin::models::fit_gpu(data.samples);
  const auto base = dctwin::sim::detail::read_gpu_profile(kBase, "h100-sxm");
  const fs::path out = write_file("unused", "").parent_path() / "gpus" / "synthetic.yaml";
  dctwin::sim::write_text_atomically(out, dctwin::sim::calibrated_profile_yaml(base, kBase, fit, data, false));

  const auto p = dctwin::sim::detail::read_gpu_profile(out, "synthetic");
  EXPECT_TRUE(p.calibrated);
  EXPECT_NEAR(p.peak_dense_bf16_flops / 1e12, fit.find_gemm("bf16", "square")->tflops.y_max, 0.01);
  EXPECT_NEAR(p.peak_dense_bf16_flops / 1e12, 760.0, 7.6);
  // The job-mix throughput (peak x sustained fraction) is the base profile's.
  EXPECT_NEAR(p.peak_dense_bf16_flops * p.sustained_fraction, base.peak_dense_bf16_flops * base.sustained_fraction,
              1e-4 * base.peak_dense_bf16_flops);
  EXPECT_NEAR(p.gpu_idle_w, 72, 0.01);
  EXPECT_NEAR(p.gpu_busy_w, 670, 0.01);
  EXPECT_EQ(p.host_idle_w, base.host_idle_w);
  EXPECT_EQ(p.pstate_clocks, base.pstate_clocks);
  EXPECT_EQ(p.power_clock_exponent, base.power_clock_exponent);  // one clock state: kept
}

// The full profile carries the optional `calibration:` map; read_gpu_profile must allow the
// key (docs/calibration.md names it). This fails until that key is in its allowed list.
TEST(CalibrationIo, FittedProfileLoadsBackWithTheCalibrationMap) {
  const auto data = dctwin::sim::read_calibration_csv({write_file("run.csv", synthetic_csv())});
  const auto fit = dctwin::models::fit_gpu(data.samples);
  const auto base = dctwin::sim::detail::read_gpu_profile(kBase, "h100-sxm");
  const std::string yaml = dctwin::sim::calibrated_profile_yaml(base, kBase, fit, data);
  EXPECT_NE(yaml.find("calibration:"), std::string::npos);
  EXPECT_NE(yaml.find("mape_held_pct"), std::string::npos);
  const fs::path out = write_file("full.yaml", yaml);
  try {
    EXPECT_TRUE(dctwin::sim::detail::read_gpu_profile(out, "synthetic").calibrated);
  } catch (const ScenarioError& e) {
    FAIL() << e.what() << "\n(read_gpu_profile must allow the optional top-level key 'calibration')";
  }
}

TEST(CalibrationIo, RefusesACalibratedBase) {
  auto base = dctwin::sim::detail::read_gpu_profile(kBase, "h100-sxm");
  base.calibrated = true;
  const auto data = dctwin::sim::read_calibration_csv({write_file("run.csv", synthetic_csv())});
  EXPECT_THROW(dctwin::sim::calibrated_profile_yaml(base, kBase, dctwin::models::fit_gpu(data.samples), data),
               ScenarioError);
}
