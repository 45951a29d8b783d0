#pragma once
// Synthetic hourly weather from monthly climate normals: a smooth seasonal curve that keeps
// each month's mean, an asymmetric diurnal cycle, and a seeded AR(1) day-to-day anomaly.
// Equations and sources: docs/cooling-and-climate.md.
#include <array>
#include <cstdint>
#include <vector>

#include "dctwin/models/calendar.h"

namespace dctwin::models {

struct MonthlyClimate {
  std::array<double, 12> mean_drybulb_c{};      // January first
  std::array<double, 12> mean_daily_range_k{};  // mean daily maximum − mean daily minimum
  std::array<double, 12> mean_rh{};             // fraction, 0 < rh ≤ 1
  double altitude_m = 0;
};

struct WeatherHour {
  double drybulb_c = 0;
  double rh = 0;  // fraction, 0 < rh ≤ 1
  double wetbulb_c = 0;
};

class WeatherGenerator {
 public:
  // Throws std::invalid_argument for a negative range, RH outside (0, 1], an altitude outside
  // the standard atmosphere, sigma < 0 or an autocorrelation outside [0, 1).
  WeatherGenerator(MonthlyClimate climate, std::uint64_t seed, std::uint64_t stream_id,
                   double day_to_day_sigma_k = 2.0, double day_to_day_autocorrelation = 0.7);

  // days × 24 hours; element 24·d + h is local hour h (h:00 to h+1:00 taken at h:00) of day
  // d after `start`. Same arguments give the same series; the anomaly sequence starts afresh
  // at `start`. Throws std::invalid_argument if days < 0.
  std::vector<WeatherHour> generate(const Date& start, int days) const;

  const MonthlyClimate& climate() const { return climate_; }

 private:
  struct Harmonics {  // f(θ) = c0 + Σ a_k cos kθ + b_k sin kθ, θ = 0 at mid-January
    double c0 = 0;
    std::array<double, 7> a{};
    std::array<double, 7> b{};
    double at(double theta) const;
  };
  static Harmonics fit_month_means(const std::array<double, 12>& means);

  MonthlyClimate climate_;
  std::uint64_t seed_;
  std::uint64_t stream_id_;
  double sigma_k_;
  double phi_;
  double pressure_pa_;
  Harmonics drybulb_;
  Harmonics range_;
  Harmonics rh_;
};

}  // namespace dctwin::models
