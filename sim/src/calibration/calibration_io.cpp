#include "calibration_io.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <unistd.h>

#include "../scenario/data_files.h"
#include "dctwin/sim/scenario_error.h"

namespace dctwin::sim {
namespace {

namespace fs = std::filesystem;

// Units that the fitter relies on; a known metric with another unit is a mistake, an unknown
// metric is carried through (and ignored by the fit) so newer suites stay readable.
const std::map<std::string, std::string> kMetricUnits = {
    {"throughput", "tflops"}, {"bandwidth", "gbps"}, {"power", "w"},     {"latency", "us"},
    {"time", "us"},           {"energy", "j"},       {"window", "s"},    {"l2_cache", "bytes"},
    {"temperature", "c"},     {"sm_count", "count"}, {"memory", "bytes"}};

struct RowReader {
  const detail::CsvTable& t;
  const std::string& file;
  std::map<std::string, std::size_t> col;
  std::size_t row = 0;

  // Character column of a field, exact when no earlier field was quoted.
  int char_column(std::size_t c) const {
    int x = 1;
    for (std::size_t i = 0; i < c; ++i) x += static_cast<int>(t.rows[row][i].size()) + 1;
    return x;
  }
  [[noreturn]] void fail(const std::string& name, const std::string& problem) const {
    throw ScenarioError(file, t.row_lines[row], char_column(col.at(name)), name, problem);
  }
  const std::string& text(const std::string& name) const { return t.rows[row][col.at(name)]; }
  const std::string& required_text(const std::string& name) const {
    if (text(name).empty()) fail(name, "must not be empty");
    return text(name);
  }
  // Blank optional numbers mean "not applicable" and read as 0.
  double number(const std::string& name, bool required = false) const {
    const std::string& cell = text(name);
    if (cell.empty()) {
      if (required) fail(name, "expected a number, got an empty field");
      return 0;
    }
    char* end = nullptr;
    const double x = std::strtod(cell.c_str(), &end);
    if (end != cell.c_str() + cell.size() || !std::isfinite(x)) fail(name, "expected a number, got '" + cell + "'");
    if (x < 0) fail(name, "must not be negative, got '" + cell + "'");
    return x;
  }
};

void add_distinct(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}
std::string pct(double x) { return num(x) + " %"; }

void emit_holdout(YAML::Emitter& e, const models::HoldOut& h) {
  e << YAML::Key << "rows_fit" << YAML::Value << h.rows_fit << YAML::Key << "rows_held" << YAML::Value
    << h.rows_held << YAML::Key << "mape_held_pct" << YAML::Value << h.mape_held_pct;
}

}  // namespace

CalibrationData read_calibration_csv(const std::vector<fs::path>& files) {
  CalibrationData data;
  for (const auto& path : files) {
    const std::string file = path.string();
    const detail::CsvTable t = detail::read_csv(path);
    RowReader r{t, file, {}};
    for (const char* name : kCalibrationColumns) {
      const auto it = std::find(t.header.begin(), t.header.end(), name);
      if (it == t.header.end()) throw ScenarioError(file, 1, 1, "", std::string("header lacks the column '") + name + "'");
      r.col[name] = static_cast<std::size_t>(it - t.header.begin());
    }
    data.files.push_back(file);
    for (r.row = 0; r.row < t.rows.size(); ++r.row) {
      const std::string& gpu = r.required_text("gpu_name");
      if (data.gpu_name.empty()) data.gpu_name = gpu;
      if (gpu != data.gpu_name) {
        r.fail("gpu_name", "rows of two GPU models ('" + data.gpu_name + "' and '" + gpu + "'); fit one model at a time");
      }
      add_distinct(data.drivers, r.text("driver"));
      add_distinct(data.cuda_runtimes, r.text("cuda_runtime"));
      data.power_limit_w = std::max(data.power_limit_w, r.number("power_limit_w"));
      models::CalibrationSample s;
      s.benchmark = r.required_text("benchmark");
      s.variant = r.text("variant");
      s.dtype = r.text("dtype");
      s.m = r.number("m");
      s.n = r.number("n");
      s.k = r.number("k");
      s.bytes = r.number("bytes");
      s.duty_pct = r.number("duty_pct");
      if (s.duty_pct > 100) r.fail("duty_pct", "must be between 0 and 100");
      s.metric = r.required_text("metric");
      s.value = r.number("value", true);
      s.unit = r.required_text("unit");
      const auto unit = kMetricUnits.find(s.metric);
      if (unit != kMetricUnits.end() && unit->second != s.unit) {
        r.fail("unit", "metric '" + s.metric + "' is in " + unit->second + ", got '" + s.unit + "'");
      }
      s.sm_clock_mhz = r.number("sm_clock_mhz");
      s.power_limit_w = r.number("power_limit_w");
      r.number("mem_clock_mhz");  // validated; the fit does not use it yet
      r.number("repeats");
      r.number("check_rel_error");
      data.samples.push_back(s);
    }
  }
  if (data.samples.empty()) {
    throw ScenarioError(files.empty() ? "" : files.front().string(), 0, 0, "", "no measurement rows to fit");
  }
  return data;
}

std::string calibrated_profile_yaml(const models::GpuProfile& base, const fs::path& base_path,
                                    const models::GpuFit& fit, const CalibrationData& data,
                                    bool with_calibration_map) {
  // The rescaling of sustained_fraction below needs the datasheet peak, which a calibrated
  // base no longer holds.
  if (base.calibrated) {
    throw ScenarioError(base_path.string(), 0, 0, "calibrated", "the base must be a datasheet profile (calibrated: false)");
  }
  const YAML::Node base_yaml = YAML::LoadFile(base_path.string());
  auto from_base = [&](const char* key) {
    return "from base profile " + base.id + ": " + base_yaml["sources"][key].as<std::string>();
  };
  const std::string files = join(data.files);
  std::map<std::string, std::string> sources;
  for (const char* key : {"peak_dense_bf16_tflops", "sustained_fraction", "gpu_idle_w", "gpu_busy_w",
                          "host_idle_w", "host_busy_w", "power_clock_exponent", "pstate_clocks"}) {
    sources[key] = from_base(key);
  }

  const double datasheet_tflops = base.peak_dense_bf16_flops / 1e12;
  double peak_tflops = datasheet_tflops, sustained = base.sustained_fraction;
  if (const auto* g = fit.find_gemm("bf16", "square")) {
    peak_tflops = g->tflops.y_max;
    // MFU figures are quoted against the datasheet peak; keep the job mix's FLOP/s as it was.
    sustained = std::clamp(base.sustained_fraction * datasheet_tflops / peak_tflops, 0.01, 1.0);
    sources["peak_dense_bf16_tflops"] = "MEASURED: plateau (tflops_max) of the BF16 square-GEMM efficiency curve fitted to " +
                                        files + " (cuBLASLt; held-out MAPE " + pct(g->check.mape_held_pct) + ")";
    sources["sustained_fraction"] = "base MFU " + num(base.sustained_fraction) + " of the datasheet " + num(datasheet_tflops) +
                                    " TFLOP/s re-expressed against the measured peak, so the job-mix throughput is "
                                    "unchanged (microbenchmarks do not measure the job mix); " + sources["sustained_fraction"];
  }
  double idle_w = base.gpu_idle_w, busy_w = base.gpu_busy_w, exponent = base.power_clock_exponent;
  if (fit.power && fit.power->idle_w > 0) {
    idle_w = fit.power->idle_w;
    sources["gpu_idle_w"] = "MEASURED: median idle power, NVML energy-counter deltas over >= 5 s windows, " + files;
  }
  if (const auto* t = fit.find_load("tensor")) {
    busy_w = std::max(idle_w, t->full_w());
    const std::string how = t->held_at_limit()
                                ? "held at the card's power limit (mean of " + std::to_string(t->capped_rows) +
                                      " level(s) within " + pct(100 * (1 - models::kPowerCapFraction)) + " of it)"
                                : "from the linear duty fit";
    sources["gpu_busy_w"] = "MEASURED: BF16 GEMM load at 100 % duty, " + how + " (duty fit held-out MAPE " +
                            pct(t->check.mape_held_pct) + "), " + files +
                            "; a tensor-core-saturating load, so an upper bound of a training job's draw";
  }
  busy_w = std::max(busy_w, idle_w);
  if (fit.power && fit.power->clock_exponent && *fit.power->clock_exponent >= 0 && *fit.power->clock_exponent <= 4) {
    exponent = *fit.power->clock_exponent;
    sources["power_clock_exponent"] = "MEASURED: slope of ln(P - idle) against ln(SM clock) over " +
                                      std::to_string(fit.power->clock_states) + " clock states, " + files;
  } else if (fit.power) {
    sources["power_clock_exponent"] = "NOT FITTED: " + std::to_string(fit.power->clock_states) +
                                      " clock state(s) in " + files + "; " + sources["power_clock_exponent"];
  }

  YAML::Emitter e;
  e.SetDoublePrecision(6);
  e << YAML::Comment("GPU profile fitted by `dctwin calibrate fit` from dctwin-calibrate measurements.") << YAML::Newline;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << base.name;
  e << YAML::Key << "calibrated" << YAML::Value << true;
  e << YAML::Key << "basis" << YAML::Value
    << "measured with dctwin-calibrate on " + data.gpu_name + " (driver " + join(data.drivers) + ", CUDA " +
           join(data.cuda_runtimes) + "), fitted by dctwin calibrate fit; node and host figures from base profile " +
           base.id;
  e << YAML::Key << "gpus_per_node" << YAML::Value << base.gpus_per_node;
  e << YAML::Key << "peak_dense_bf16_tflops" << YAML::Value << peak_tflops;
  e << YAML::Key << "sustained_fraction" << YAML::Value << sustained;
  e << YAML::Key << "gpu_idle_w" << YAML::Value << idle_w;
  e << YAML::Key << "gpu_busy_w" << YAML::Value << busy_w;
  e << YAML::Key << "host_idle_w" << YAML::Value << base.host_idle_w;
  e << YAML::Key << "host_busy_w" << YAML::Value << base.host_busy_w;
  e << YAML::Key << "power_clock_exponent" << YAML::Value << exponent;
  e << YAML::Key << "pstate_clocks" << YAML::Value << YAML::Flow << base.pstate_clocks;
  e << YAML::Key << "sources" << YAML::Value << YAML::BeginMap;
  for (const auto& [key, text] : sources) e << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << text;
  e << YAML::EndMap;

  if (with_calibration_map) {
    e << YAML::Key << "calibration" << YAML::Value << YAML::BeginMap;
    e << YAML::Key << "data" << YAML::Value << YAML::Flow << data.files;
    e << YAML::Key << "gpu_name" << YAML::Value << data.gpu_name;
    e << YAML::Key << "drivers" << YAML::Value << YAML::Flow << data.drivers;
    e << YAML::Key << "cuda_runtimes" << YAML::Value << YAML::Flow << data.cuda_runtimes;
    e << YAML::Key << "power_limit_w" << YAML::Value << data.power_limit_w;
    e << YAML::Key << "held_out" << YAML::Value
      << "each group sorted by its size variable; rows with index % 5 == 2 are left out of the fit and scored";
    e << YAML::Key << "gemm" << YAML::Value << YAML::BeginSeq;
    for (const auto& g : fit.gemm) {
      e << YAML::BeginMap << YAML::Key << "dtype" << YAML::Value << g.dtype << YAML::Key << "family" << YAML::Value
        << g.family << YAML::Key << "size_variable" << YAML::Value << g.size_variable << YAML::Key << "tflops_max"
        << YAML::Value << g.tflops.y_max << YAML::Key << "size_half" << YAML::Value << g.tflops.x_half << YAML::Key
        << "exponent" << YAML::Value << g.tflops.p;
      emit_holdout(e, g.check);
      e << YAML::EndMap;
    }
    e << YAML::EndSeq << YAML::Key << "memory" << YAML::Value << YAML::BeginSeq;
    for (const auto& m : fit.memory) {
      e << YAML::BeginMap << YAML::Key << "kernel" << YAML::Value << m.kernel << YAML::Key << "plateau_gbps"
        << YAML::Value << m.plateau_gbps << YAML::Key << "knee_bytes" << YAML::Value << std::llround(m.knee_bytes) << YAML::Key
        << "l2_cache_bytes" << YAML::Value << std::llround(m.l2_cache_bytes) << YAML::Key << "cached_peak_gbps" << YAML::Value
        << m.cached_peak_gbps;
      emit_holdout(e, m.check);
      e << YAML::EndMap;
    }
    e << YAML::EndSeq;
    if (fit.power) {
      const auto& p = *fit.power;
      const auto* tensor = fit.find_load("tensor");
      const double epsilon_w = tensor ? tensor->epsilon_w() : idle_w;
      e << YAML::Key << "power" << YAML::Value << YAML::BeginMap << YAML::Key << "idle_w" << YAML::Value << p.idle_w;
      e << YAML::Key << "loads" << YAML::Value << YAML::BeginSeq;
      for (const auto& l : p.loads) {
        e << YAML::BeginMap << YAML::Key << "load" << YAML::Value << l.load << YAML::Key << "epsilon_w" << YAML::Value
          << l.epsilon_w() << YAML::Key << "full_w" << YAML::Value << l.full_w() << YAML::Key << "capped_w"
          << YAML::Value << l.capped_w << YAML::Key << "capped_rows" << YAML::Value << l.capped_rows;
        emit_holdout(e, l.check);
        e << YAML::EndMap;
      }
      e << YAML::EndSeq << YAML::Key << "clock_states" << YAML::Value << p.clock_states << YAML::Key
        << "reference_clock_mhz" << YAML::Value << p.reference_clock_mhz << YAML::Key << "clock_exponent_fitted"
        << YAML::Value << p.clock_exponent.has_value();
      // Per GPU, SimGrid's Idle:Epsilon:AllCores for each pstate of the base profile, with the
      // dynamic part scaled by clock^power_clock_exponent as GpuModel does.
      e << YAML::Key << "pstates" << YAML::Value << YAML::BeginSeq;
      for (double f : base.pstate_clocks) {
        e << YAML::Flow << YAML::BeginMap << YAML::Key << "clock" << YAML::Value << f << YAML::Key << "idle_w"
          << YAML::Value << idle_w << YAML::Key << "epsilon_w" << YAML::Value << epsilon_w << YAML::Key
          << "all_cores_w" << YAML::Value << std::max(epsilon_w, idle_w + (busy_w - idle_w) * std::pow(f, exponent))
          << YAML::EndMap;
      }
      e << YAML::EndSeq << YAML::EndMap;
    }
    e << YAML::Key << "transfers_gbps" << YAML::Value << YAML::BeginMap;
    for (const auto& [variant, gbps] : fit.transfers_gbps) e << YAML::Key << variant << YAML::Value << gbps;
    e << YAML::EndMap;
    if (fit.launch_us) e << YAML::Key << "launch_us" << YAML::Value << *fit.launch_us;
    e << YAML::Key << "notes" << YAML::Value << YAML::BeginSeq;
    for (const auto& n : fit.notes) e << n;
    e << YAML::EndSeq << YAML::EndMap;
  }
  e << YAML::EndMap;
  if (!e.good()) throw std::runtime_error("writing the profile YAML: " + e.GetLastError());
  return std::string(e.c_str()) + "\n";
}

void write_text_atomically(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw std::runtime_error("cannot write " + tmp.string());
    }
  }
  fs::rename(tmp, path);
}

}  // namespace dctwin::sim
