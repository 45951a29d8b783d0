// The calibration fitter recovers known parameters from synthetic measurements with small
// noise (0.3 % multiplicative, fixed seed), within 1 %.
#include "dctwin/models/gpu_fit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

namespace {

using namespace dctwin::models;

class Noise {
 public:
  double operator()(double y) { return y * (1.0 + dist_(rng_)); }

 private:
  std::mt19937_64 rng_{20261201};
  std::normal_distribution<double> dist_{0.0, 0.003};
};

void expect_within_1pct(double got, double want) { EXPECT_NEAR(got / want, 1.0, 0.01) << got << " vs " << want; }

CalibrationSample row(const std::string& bench, const std::string& variant, const std::string& metric, double value) {
  CalibrationSample s;
  s.benchmark = bench;
  s.variant = variant;
  s.metric = metric;
  s.value = value;
  return s;
}

}  // namespace

TEST(GpuFit, SaturationCurveRecoversParameters) {
  const SaturationCurve truth{800.0, 1500.0, 2.3};
  Noise noise;
  std::vector<double> x, y;
  for (int i = 0; i < 40; ++i) {
    x.push_back(100.0 * std::pow(500.0, i / 39.0));  // 100 .. 50,000, log-spaced
    y.push_back(noise(truth(x.back())));
  }
  const SaturationCurve fit = fit_saturation(x, y);
  expect_within_1pct(fit.y_max, truth.y_max);
  expect_within_1pct(fit.x_half, truth.x_half);
  expect_within_1pct(fit.p, truth.p);
}

TEST(GpuFit, SaturationCurveRefusesTooFewOrNonPositivePoints) {
  EXPECT_THROW(fit_saturation({1, 2}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(fit_saturation({1, 2, 3}, {1, 0, 2}), std::invalid_argument);
}

TEST(GpuFit, LineAndMape) {
  const Line l = fit_line({0, 0.25, 0.5, 0.75, 1}, {100, 250, 400, 550, 700});
  EXPECT_NEAR(l.intercept, 100, 1e-9);
  EXPECT_NEAR(l.slope, 600, 1e-9);
  EXPECT_DOUBLE_EQ(mape_pct({110, 90}, {100, 100}), 10.0);
  EXPECT_TRUE(held_out(2));
  EXPECT_TRUE(held_out(7));
  EXPECT_FALSE(held_out(0));
}

TEST(GpuFit, WholeGpuFromSyntheticCsvRows) {
  Noise noise;
  std::vector<CalibrationSample> rows;
  // BF16 square GEMMs: 24 sides from 256 to 16384 on a known curve.
  const SaturationCurve bf16{780.0, 1900.0, 2.6};
  for (int i = 0; i < 24; ++i) {
    const double n = std::round(256.0 * std::pow(64.0, i / 23.0));
    auto r = row("gemm", "square", "throughput", noise(bf16(n)));
    r.dtype = "bf16";
    r.m = r.n = r.k = n;
    rows.push_back(r);
  }
  // STREAM triad: 50 MB L2, a cached bandwidth below, 3.1 TB/s above the knee.
  auto l2 = row("device", "", "l2_cache", 50e6);
  rows.push_back(l2);
  for (int i = 0; i < 14; ++i) {
    auto r = row("stream", "triad", "bandwidth", 0);
    r.bytes = std::pow(2.0, 20 + i);  // 1 MiB .. 8 GiB
    r.value = noise(r.bytes < 25e6 ? 7000.0 : (r.bytes < 200e6 ? 4000.0 : 3100.0));
    rows.push_back(r);
  }
  // Power: idle 70 W; tensor load linear in duty, 110 W at 0 % to 690 W at 100 %, two runs.
  for (int rep = 0; rep < 2; ++rep) {
    rows.push_back(row("power", "idle", "power", noise(70.0)));
    for (int d = 0; d <= 100; d += 25) {
      auto r = row("power", "tensor", "power", noise(110.0 + 5.8 * d));
      r.duty_pct = d;
      r.sm_clock_mhz = 1980;
      rows.push_back(r);
    }
  }
  const GpuFit fit = fit_gpu(rows);

  const GemmCurveFit* g = fit.find_gemm("bf16", "square");
  ASSERT_NE(g, nullptr);
  expect_within_1pct(g->tflops.y_max, bf16.y_max);
  expect_within_1pct(g->tflops.x_half, bf16.x_half);
  expect_within_1pct(g->tflops.p, bf16.p);
  EXPECT_EQ(g->check.rows_held, 5u);  // indices 2, 7, 12, 17, 22 of 24
  EXPECT_LT(g->check.mape_held_pct, 1.0);

  const MemoryFit* m = fit.find_memory("triad");
  ASSERT_NE(m, nullptr);
  expect_within_1pct(m->plateau_gbps, 3100.0);
  EXPECT_EQ(m->knee_bytes, std::pow(2.0, 28));  // 256 MiB: first size at the plateau
  expect_within_1pct(m->cached_peak_gbps, 7000.0);

  ASSERT_TRUE(fit.power.has_value());
  expect_within_1pct(fit.power->idle_w, 70.0);
  const PowerLoadFit* t = fit.find_load("tensor");
  ASSERT_NE(t, nullptr);
  expect_within_1pct(t->watts_vs_duty.intercept, 110.0);
  expect_within_1pct(t->watts_vs_duty.intercept + t->watts_vs_duty.slope, 690.0);
  EXPECT_EQ(fit.power->clock_states, 1u);
  EXPECT_FALSE(fit.power->clock_exponent.has_value());  // one clock state: said, not fitted
}

// A card at its power limit: the unconstrained draw would be 130 + 700 d W, but the 700 W
// limit holds the top levels at 695 W. The line must come from the levels below the limit
// only, and the full-duty draw must be the held level, not the line's 830 W.
TEST(GpuFit, PowerLevelsHeldAtTheCardsLimitAreNotOnTheLine) {
  Noise noise;
  std::vector<CalibrationSample> rows{row("power", "idle", "power", 120.0)};
  for (int step = 0; step <= 8; ++step) {
    const double duty = 12.5 * step;
    const double unconstrained = 130.0 + 7.0 * duty;
    auto r = row("power", "tensor", "power", noise(std::min(unconstrained, 695.0)));
    r.duty_pct = duty;
    r.power_limit_w = 700;
    rows.push_back(r);
  }
  const GpuFit fit = fit_gpu(rows);
  const PowerLoadFit* t = fit.find_load("tensor");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->capped_rows, 2u);  // 87.5 % and 100 %: 742 and 830 W unconstrained
  expect_within_1pct(t->watts_vs_duty.intercept, 130.0);
  expect_within_1pct(t->watts_vs_duty.slope, 700.0);
  expect_within_1pct(t->capped_w, 695.0);
  expect_within_1pct(t->full_w(), 695.0);
  expect_within_1pct(t->epsilon_w(), 130.0);
  EXPECT_TRUE(t->held_at_limit());
  EXPECT_LT(t->check.mape_held_pct, 1.0);
}

TEST(GpuFit, PowerClockExponentWithSeveralClockStates) {
  Noise noise;
  std::vector<CalibrationSample> rows{row("power", "idle", "power", 70.0)};
  for (double f : {1980.0, 1700.0, 1400.0, 1100.0}) {
    auto r = row("power", "tensor", "power", noise(70.0 + 620.0 * std::pow(f / 1980.0, 2.4)));
    r.duty_pct = 100;
    r.sm_clock_mhz = f;
    rows.push_back(r);
  }
  const GpuFit fit = fit_gpu(rows);
  ASSERT_TRUE(fit.power && fit.power->clock_exponent);
  EXPECT_EQ(fit.power->clock_states, 4u);
  EXPECT_NEAR(*fit.power->clock_exponent, 2.4, 0.024);
}
