#pragma once
// Fitting the GPU model to dctwin-calibrate measurements: efficiency curves of GEMM throughput
// by dtype and size, the HBM bandwidth plateau above the L2 knee, and power against duty
// cycle and clock. Pure: sim/ reads the CSV and writes the profile. Equations and the CSV
// schema: docs/calibration.md.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dctwin::models {

// One row of dctwin-calibrate's long-format CSV as plain values; blank numbers are 0.
struct CalibrationSample {
  std::string benchmark;  // device, gemm, stream, memcpy, launch, power
  std::string variant;    // square, llm7b, llm70b; copy, triad; h2d_pinned; idle, tensor, memory
  std::string dtype;      // bf16, fp8e4m3, tf32, fp32 or ""
  double m = 0, n = 0, k = 0;
  double bytes = 0;     // gemm: A + B + D bytes; stream/memcpy: bytes moved per pass
  double duty_pct = 0;  // power rows
  std::string metric;   // throughput, bandwidth, power, latency, l2_cache, ...
  double value = 0;
  std::string unit;         // tflops, gbps, w, us, bytes, count
  double sm_clock_mhz = 0;  // SM clock read beside the measurement
  double power_limit_w = 0;  // the card's enforced power limit, as read beside it; 0: unknown
};

// y = y_max * x^p / (x^p + x_half^p): rises as x^p for small x, saturates at y_max.
struct SaturationCurve {
  double y_max = 0;
  double x_half = 1;
  double p = 1;
  double operator()(double x) const;
};

// Least squares on log residuals (ln model - ln y), i.e. relative error, by
// Levenberg-Marquardt from several starting exponents. Needs >= 3 points, all x, y > 0;
// throws std::invalid_argument otherwise.
SaturationCurve fit_saturation(const std::vector<double>& x, const std::vector<double>& y);

struct Line {
  double intercept = 0;
  double slope = 0;
};
Line fit_line(const std::vector<double>& x, const std::vector<double>& y);  // ordinary least squares

// Mean absolute percentage error of `predicted` against `actual` (actual != 0), in %.
double mape_pct(const std::vector<double>& predicted, const std::vector<double>& actual);

// The hold-out rule: within a group sorted by its size variable, index % 5 == 2 is held out
// (an interior row, so held-out MAPE tests interpolation, not extrapolation).
inline bool held_out(std::size_t index_in_group) { return index_in_group % 5 == 2; }

struct HoldOut {
  std::size_t rows_fit = 0;
  std::size_t rows_held = 0;
  double mape_held_pct = 0;  // 0 when nothing was held out
};

struct GemmCurveFit {
  std::string dtype;
  std::string family;         // square or llm
  std::string size_variable;  // equivalent_side = (m n k)^(1/3), or flop_per_byte
  SaturationCurve tflops;     // achieved TFLOP/s against the size variable
  HoldOut check;
};

struct MemoryFit {
  std::string kernel;  // the STREAM kernel (copy, scale, add, triad)
  double plateau_gbps = 0;
  double l2_cache_bytes = 0;  // 0 when the data has no device row
  double knee_bytes = 0;      // smallest size from which every larger one is within 10 % of the plateau
  double cached_peak_gbps = 0;  // best bandwidth at or below half the L2
  HoldOut check;
};

// Draw against duty cycle: a line through the levels the card runs unconstrained, and the
// level at which its power limit holds it where the load would draw more (a Hopper card at
// full tensor load sits at its 700 W limit with the SM clock pulled down).
struct PowerLoadFit {
  std::string load;      // tensor or memory
  Line watts_vs_duty;    // duty as a fraction 0..1, fitted on the levels below the limit
  double capped_w = 0;   // mean draw of the levels held at the power limit; 0: none was
  std::size_t capped_rows = 0;
  HoldOut check;         // of watts() on the held-out levels

  double watts(double duty) const;
  double epsilon_w() const { return watts(0); }
  double full_w() const { return watts(1); }
  bool held_at_limit() const { return capped_w > 0 && full_w() == capped_w; }  // at full duty
};
// A power row counts as held at the limit from this fraction of the card's enforced limit.
inline constexpr double kPowerCapFraction = 0.97;

struct PowerFit {
  double idle_w = 0;
  std::vector<PowerLoadFit> loads;
  std::size_t clock_states = 0;  // distinct SM clocks (5 % apart) in the full-duty tensor rows
  std::optional<double> clock_exponent;  // P - idle ~ f^exponent; only with >= 2 clock states
  double reference_clock_mhz = 0;
};

struct GpuFit {
  std::vector<GemmCurveFit> gemm;
  std::vector<MemoryFit> memory;
  std::optional<PowerFit> power;
  std::vector<std::pair<std::string, double>> transfers_gbps;  // variant -> bandwidth at largest size
  std::optional<double> launch_us;                             // median launch overhead
  std::vector<std::string> notes;  // what could not be fitted, and why

  const GemmCurveFit* find_gemm(const std::string& dtype, const std::string& family) const;
  const MemoryFit* find_memory(const std::string& kernel) const;
  const PowerLoadFit* find_load(const std::string& load) const;
};

GpuFit fit_gpu(const std::vector<CalibrationSample>& samples);

}  // namespace dctwin::models
