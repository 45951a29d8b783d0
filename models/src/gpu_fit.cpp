#include "dctwin/models/gpu_fit.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace dctwin::models {
namespace {

// log(1 + e^t) without overflow for large t.
double softplus(double t) { return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t)); }

// Parameters of the saturation curve in log space (ln y_max, ln x_half, ln p): positivity comes
// free and the problem is far better scaled than in the raw parameters.
struct LogFit {
  Eigen::Vector3d theta;
  double cost = 0;
};

double cost_of(const Eigen::Vector3d& th, const std::vector<double>& u, const std::vector<double>& ly) {
  const double p = std::exp(th[2]);
  double c = 0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const double r = th[0] - softplus(-p * (u[i] - th[1])) - ly[i];
    c += r * r;
  }
  return c;
}

LogFit levenberg_marquardt(Eigen::Vector3d th, const std::vector<double>& u, const std::vector<double>& ly) {
  const double u_lo = *std::min_element(u.begin(), u.end()), u_hi = *std::max_element(u.begin(), u.end());
  double cost = cost_of(th, u, ly), lambda = 1e-3;
  for (int iter = 0; iter < 500 && lambda < 1e12; ++iter) {
    const double p = std::exp(th[2]);
    Eigen::Matrix3d jtj = Eigen::Matrix3d::Zero();
    Eigen::Vector3d jtr = Eigen::Vector3d::Zero();
    for (std::size_t i = 0; i < u.size(); ++i) {
      const double z = p * (u[i] - th[1]);
      const double r = th[0] - softplus(-z) - ly[i];
      const double s = 1.0 / (1.0 + std::exp(z));  // d(-softplus(-z))/dz
      const Eigen::Vector3d j(1.0, -s * p, s * (u[i] - th[1]) * p);
      jtj += j * j.transpose();
      jtr += j * r;
    }
    Eigen::Matrix3d a = jtj;
    a.diagonal() += lambda * jtj.diagonal().cwiseMax(1e-12);
    Eigen::Vector3d next = th - a.ldlt().solve(jtr);
    // Keep the half point near the data and the exponent physical; outside, the curve is flat
    // in that parameter and the step would wander.
    next[1] = std::clamp(next[1], u_lo - 10.0, u_hi + 10.0);
    next[2] = std::clamp(next[2], std::log(0.05), std::log(20.0));
    const double c = cost_of(next, u, ly);
    if (c < cost) {
      const bool converged = cost - c <= 1e-14 * (1.0 + cost);
      th = next;
      cost = c;
      lambda = std::max(lambda / 3.0, 1e-12);
      if (converged) break;
    } else {
      lambda *= 4.0;
    }
  }
  return {th, cost};
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

// (x, y) pairs of one group sorted by x, split by the hold-out rule.
struct Split {
  std::vector<double> x_fit, y_fit, x_held, y_held;
};
Split split(std::vector<std::pair<double, double>> xy) {
  std::stable_sort(xy.begin(), xy.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Split s;
  for (std::size_t i = 0; i < xy.size(); ++i) {
    auto& xs = held_out(i) ? s.x_held : s.x_fit;
    auto& ys = held_out(i) ? s.y_held : s.y_fit;
    xs.push_back(xy[i].first);
    ys.push_back(xy[i].second);
  }
  return s;
}

template <typename Model>
HoldOut score(const Split& s, const Model& model) {
  HoldOut h{s.x_fit.size(), s.x_held.size(), 0};
  std::vector<double> predicted;
  for (double x : s.x_held) predicted.push_back(model(x));
  if (!predicted.empty()) h.mape_held_pct = mape_pct(predicted, s.y_held);
  return h;
}

void fit_gemm(const std::vector<CalibrationSample>& rows, GpuFit& out) {
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<double, double>>> groups;
  for (const auto& r : rows) {
    if (r.benchmark != "gemm" || r.metric != "throughput" || r.value <= 0) continue;
    const bool square = r.variant == "square";
    if (!square && r.variant.rfind("llm", 0) != 0) continue;
    if (!square && r.bytes <= 0) continue;
    const double flops = 2.0 * r.m * r.n * r.k;
    const double x = square ? std::cbrt(r.m * r.n * r.k) : flops / r.bytes;
    if (x > 0) groups[{r.dtype, square ? "square" : "llm"}].push_back({x, r.value});
  }
  for (auto& [key, xy] : groups) {
    const Split s = split(xy);
    if (s.x_fit.size() < 4) {
      out.notes.push_back("gemm " + key.first + " " + key.second + ": fewer than 4 rows to fit, no curve");
      continue;
    }
    GemmCurveFit f;
    f.dtype = key.first;
    f.family = key.second;
    f.size_variable = key.second == "square" ? "equivalent_side" : "flop_per_byte";
    f.tflops = fit_saturation(s.x_fit, s.y_fit);
    f.check = score(s, f.tflops);
    if (f.tflops.y_max > 3 * *std::max_element(s.y_fit.begin(), s.y_fit.end())) {
      out.notes.push_back("gemm " + f.dtype + " " + f.family +
                          ": the data does not reach the plateau; tflops_max is an extrapolation");
    }
    out.gemm.push_back(f);
  }
}

void fit_memory(const std::vector<CalibrationSample>& rows, GpuFit& out) {
  double l2 = 0;
  std::map<std::string, std::vector<std::pair<double, double>>> kernels;
  for (const auto& r : rows) {
    if (r.benchmark == "device" && r.metric == "l2_cache") l2 = r.value;
    if (r.benchmark == "stream" && r.metric == "bandwidth" && r.bytes > 0) kernels[r.variant].push_back({r.bytes, r.value});
  }
  if (kernels.empty()) return;
  // Four times the L2 is well past the knee on every GPU measured so far (docs/calibration.md).
  const double from_bytes = l2 > 0 ? 4 * l2 : 256.0 * (1 << 20);
  if (l2 <= 0) out.notes.push_back("no l2_cache device row: plateau taken from 256 MiB up");
  for (auto& [kernel, xy] : kernels) {
    std::vector<std::pair<double, double>> above;
    for (const auto& p : xy) {
      if (p.first >= from_bytes) above.push_back(p);
    }
    const Split s = split(above);
    if (s.x_fit.empty()) {
      out.notes.push_back("stream " + kernel + ": no sizes above the L2 knee, no plateau");
      continue;
    }
    MemoryFit f;
    f.kernel = kernel;
    f.l2_cache_bytes = l2;
    f.plateau_gbps = mean(s.y_fit);  // the least-squares constant
    f.check = score(s, [&](double) { return f.plateau_gbps; });
    std::sort(xy.begin(), xy.end());
    f.knee_bytes = xy.back().first;
    for (auto it = xy.rbegin(); it != xy.rend(); ++it) {
      if (std::abs(it->second / f.plateau_gbps - 1) > 0.10) break;
      f.knee_bytes = it->first;
    }
    for (const auto& p : xy) {
      if (l2 > 0 && p.first <= l2 / 2) f.cached_peak_gbps = std::max(f.cached_peak_gbps, p.second);
    }
    out.memory.push_back(f);
  }
}

void fit_power(const std::vector<CalibrationSample>& rows, GpuFit& out) {
  std::vector<double> idle;
  std::map<std::string, std::vector<std::pair<double, double>>> loads, capped;
  std::vector<std::pair<double, double>> full_tensor;  // (sm clock, watts) at 100 % duty
  for (const auto& r : rows) {
    if (r.benchmark != "power" || r.metric != "power") continue;
    if (r.variant == "idle") idle.push_back(r.value);
    if (r.variant == "tensor" || r.variant == "memory") {
      const bool at_limit = r.power_limit_w > 0 && r.value >= kPowerCapFraction * r.power_limit_w;
      (at_limit ? capped : loads)[r.variant].push_back({r.duty_pct / 100, r.value});
    }
    if (r.variant == "tensor" && r.duty_pct == 100 && r.sm_clock_mhz > 0) full_tensor.push_back({r.sm_clock_mhz, r.value});
  }
  if (idle.empty() && loads.empty()) return;
  PowerFit p;
  p.idle_w = median(idle);
  if (idle.empty()) out.notes.push_back("no idle power rows");
  for (auto& [load, xy] : loads) {
    const Split s = split(xy);
    if (s.x_fit.size() < 2) {
      out.notes.push_back("power " + load + ": fewer than 2 duty levels to fit");
      continue;
    }
    PowerLoadFit f;
    f.load = load;
    f.watts_vs_duty = fit_line(s.x_fit, s.y_fit);
    if (const auto it = capped.find(load); it != capped.end()) {
      f.capped_rows = it->second.size();
      for (const auto& [duty, w] : it->second) f.capped_w += w / static_cast<double>(f.capped_rows);
    }
    f.check = score(s, [&](double d) { return f.watts(d); });
    p.loads.push_back(f);
  }
  // Clock states: the suite never sets clocks, so different states come only from runs on
  // differently configured (or throttling) cards. Clocks within 5 % count as one state.
  std::sort(full_tensor.begin(), full_tensor.end());
  double state_start = -1;
  for (const auto& [f, w] : full_tensor) {
    if (state_start < 0 || f > 1.05 * state_start) {
      ++p.clock_states;
      state_start = f;
    }
  }
  if (!full_tensor.empty()) p.reference_clock_mhz = full_tensor.back().first;
  if (p.clock_states >= 2 && !idle.empty()) {
    std::vector<double> lf, lp;
    for (const auto& [f, w] : full_tensor) {
      if (w <= p.idle_w) continue;
      lf.push_back(std::log(f / p.reference_clock_mhz));
      lp.push_back(std::log(w - p.idle_w));
    }
    if (lf.size() >= 2) p.clock_exponent = fit_line(lf, lp).slope;
  }
  if (!p.clock_exponent) {
    out.notes.push_back("power vs clock not fitted: " + std::to_string(p.clock_states) +
                        " clock state(s) in the full-duty tensor rows");
  }
  out.power = p;
}

}  // namespace

double PowerLoadFit::watts(double duty) const {
  const double line = watts_vs_duty.intercept + watts_vs_duty.slope * duty;
  return capped_w > 0 ? std::min(line, capped_w) : line;
}

double SaturationCurve::operator()(double x) const {
  if (x <= 0) return 0;
  return y_max / (1.0 + std::pow(x_half / x, p));
}

SaturationCurve fit_saturation(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 3) throw std::invalid_argument("fit_saturation: need >= 3 (x, y) pairs");
  std::vector<double> u, ly;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] > 0) || !(y[i] > 0)) throw std::invalid_argument("fit_saturation: x and y must be positive");
    u.push_back(std::log(x[i]));
    ly.push_back(std::log(y[i]));
  }
  // Start at the largest y and the median size, with several exponents: the cost surface has
  // shallow valleys in p, and one start can stall in the wrong one.
  const double a0 = *std::max_element(ly.begin(), ly.end()) + 0.05;
  const double h0 = median(u);
  LogFit best{Eigen::Vector3d(a0, h0, 0.0), INFINITY};
  for (double p0 : {0.5, 1.0, 2.0, 4.0}) {
    const LogFit f = levenberg_marquardt(Eigen::Vector3d(a0, h0, std::log(p0)), u, ly);
    if (f.cost < best.cost) best = f;
  }
  return {std::exp(best.theta[0]), std::exp(best.theta[1]), std::exp(best.theta[2])};
}

Line fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2) throw std::invalid_argument("fit_line: need >= 2 (x, y) pairs");
  Eigen::MatrixXd a(x.size(), 2);
  Eigen::VectorXd b(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    a(static_cast<Eigen::Index>(i), 0) = 1.0;
    a(static_cast<Eigen::Index>(i), 1) = x[i];
    b(static_cast<Eigen::Index>(i)) = y[i];
  }
  const Eigen::Vector2d c = a.colPivHouseholderQr().solve(b);
  return {c[0], c[1]};
}

double mape_pct(const std::vector<double>& predicted, const std::vector<double>& actual) {
  if (predicted.size() != actual.size() || actual.empty()) throw std::invalid_argument("mape_pct: sizes differ or empty");
  double s = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) s += std::abs((predicted[i] - actual[i]) / actual[i]);
  return 100.0 * s / static_cast<double>(actual.size());
}

const GemmCurveFit* GpuFit::find_gemm(const std::string& dtype, const std::string& family) const {
  for (const auto& g : gemm) {
    if (g.dtype == dtype && g.family == family) return &g;
  }
  return nullptr;
}
const MemoryFit* GpuFit::find_memory(const std::string& kernel) const {
  for (const auto& m : memory) {
    if (m.kernel == kernel) return &m;
  }
  return nullptr;
}
const PowerLoadFit* GpuFit::find_load(const std::string& load) const {
  if (!power) return nullptr;
  for (const auto& l : power->loads) {
    if (l.load == load) return &l;
  }
  return nullptr;
}

GpuFit fit_gpu(const std::vector<CalibrationSample>& samples) {
  GpuFit out;
  fit_gemm(samples, out);
  fit_memory(samples, out);
  fit_power(samples, out);
  std::map<std::string, std::pair<double, std::vector<double>>> transfers;  // variant -> (max bytes, values there)
  std::vector<double> launch;
  for (const auto& r : samples) {
    if (r.benchmark == "memcpy" && r.metric == "bandwidth") {
      auto& t = transfers[r.variant];
      if (r.bytes > t.first) t = {r.bytes, {}};
      if (r.bytes == t.first) t.second.push_back(r.value);
    }
    if (r.benchmark == "launch" && r.variant == "async" && r.metric == "latency") launch.push_back(r.value);
  }
  for (const auto& [variant, t] : transfers) out.transfers_gbps.push_back({variant, median(t.second)});
  if (!launch.empty()) out.launch_us = median(launch);
  return out;
}

}  // namespace dctwin::models
