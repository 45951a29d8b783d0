#include "dctwin/models/climate.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "dctwin/models/psychrometrics.h"
#include "dctwin/models/random_stream.h"
#include "require.h"

namespace dctwin::models {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kMinHour = 6.0;   // coolest hour, local solar time (ASSUMPTION, typical)
constexpr double kMaxHour = 15.0;  // warmest hour
constexpr double kMinRh = 0.01;    // keeps the interpolated RH strictly positive

constexpr detail::Require require{"climate"};

// Diurnal shape in [−1, 1]: a half cosine rising from the minimum to the maximum, another
// falling back over the remaining hours. Each half integrates to zero and the 24 whole-hour
// samples sum to zero, so the cycle leaves the daily mean untouched.
double diurnal_shape(double hour) {
  const double rise_h = kMaxHour - kMinHour;
  const double fall_h = 24.0 - rise_h;
  double h = std::fmod(hour - kMinHour + 24.0, 24.0);  // hours since the minimum
  if (h <= rise_h) return -std::cos(kPi * h / rise_h);
  return std::cos(kPi * (h - rise_h) / fall_h);
}

// Position in the year in "month units": each calendar month spans 2π/12 whatever its
// length, with θ = 0 at the middle of January. The monthly means are then means over θ.
double theta_at(const Date& d, double hour) {
  const double in_month = (d.day - 1 + hour / 24.0) / days_in_month(d.year, d.month);
  return 2.0 * kPi * (d.month - 1 + in_month - 0.5) / 12.0;
}

}  // namespace

double WeatherGenerator::Harmonics::at(double theta) const {
  double f = c0;
  for (int k = 1; k <= 6; ++k) f += a[k] * std::cos(k * theta) + b[k] * std::sin(k * theta);
  return f;
}

// Discrete Fourier series through the 12 monthly values, then each harmonic divided by its
// mean over a month, sinc(πk/12), so the curve's mean over every month equals that month's
// value exactly (plain interpolation through mid-month points would flatten the peaks).
WeatherGenerator::Harmonics WeatherGenerator::fit_month_means(const std::array<double, 12>& means) {
  Harmonics h;
  for (double v : means) h.c0 += v / 12.0;
  for (int k = 1; k <= 6; ++k) {
    const double weight = (k == 6 ? 1.0 : 2.0) / 12.0;
    const double x = kPi * k / 12.0;
    const double month_mean_of_harmonic = std::sin(x) / x;
    for (int m = 0; m < 12; ++m) {
      const double theta = 2.0 * kPi * m / 12.0;
      h.a[k] += weight * means[m] * std::cos(k * theta) / month_mean_of_harmonic;
      h.b[k] += weight * means[m] * std::sin(k * theta) / month_mean_of_harmonic;
    }
  }
  return h;
}

WeatherGenerator::WeatherGenerator(MonthlyClimate climate, std::uint64_t seed,
                                   std::uint64_t stream_id, double day_to_day_sigma_k,
                                   double day_to_day_autocorrelation)
    : climate_(climate),
      seed_(seed),
      stream_id_(stream_id),
      sigma_k_(day_to_day_sigma_k),
      phi_(day_to_day_autocorrelation) {
  for (int m = 0; m < 12; ++m) {
    require(std::isfinite(climate_.mean_drybulb_c[m]) && climate_.mean_drybulb_c[m] > -60 &&
                climate_.mean_drybulb_c[m] < 60,
            "monthly mean dry bulb must be within -60..60 C");
    require(std::isfinite(climate_.mean_daily_range_k[m]) && climate_.mean_daily_range_k[m] >= 0 &&
                climate_.mean_daily_range_k[m] < 40,
            "mean daily range must be within 0..40 K");
    require(climate_.mean_rh[m] > 0 && climate_.mean_rh[m] <= 1,
            "mean RH must be a fraction in (0, 1]");
  }
  require(std::isfinite(sigma_k_) && sigma_k_ >= 0, "day-to-day sigma must be >= 0");
  require(std::isfinite(phi_) && phi_ >= 0 && phi_ < 1,
          "day-to-day autocorrelation must be in [0, 1)");
  pressure_pa_ = pressure_at_altitude_pa(climate_.altitude_m);  // throws outside its range
  drybulb_ = fit_month_means(climate_.mean_drybulb_c);
  range_ = fit_month_means(climate_.mean_daily_range_k);
  rh_ = fit_month_means(climate_.mean_rh);
}

std::vector<WeatherHour> WeatherGenerator::generate(const Date& start, int days) const {
  require(days >= 0, "days must be >= 0");
  std::vector<WeatherHour> out;
  out.reserve(static_cast<std::size_t>(days) * 24);
  RandomStream rng(seed_, stream_id_);
  // Start from the stationary distribution so the first day is as variable as the rest.
  double anomaly_k = sigma_k_ * rng.standard_normal();
  const double innovation_k = sigma_k_ * std::sqrt(1.0 - phi_ * phi_);
  const std::int64_t day0 = days_since_epoch(start);
  for (int d = 0; d < days; ++d) {
    if (d > 0) anomaly_k = phi_ * anomaly_k + innovation_k * rng.standard_normal();
    const Date date = date_from_days(day0 + d);
    // The day's moisture is set by the seasonal mean state and held all day, so RH falls as
    // the air warms; hotter-than-normal days come out drier, as they tend to be.
    const double noon_theta = theta_at(date, 12.0);
    const double rh_mean = std::clamp(rh_.at(noon_theta), kMinRh, 1.0);
    const double w = humidity_ratio(drybulb_.at(noon_theta), rh_mean, pressure_pa_);
    for (int h = 0; h < 24; ++h) {
      const double theta = theta_at(date, h);
      const double half_range_k = 0.5 * std::max(0.0, range_.at(theta));
      WeatherHour wh;
      wh.drybulb_c = drybulb_.at(theta) + anomaly_k + half_range_k * diurnal_shape(h);
      wh.rh = std::max(relative_humidity(wh.drybulb_c, w, pressure_pa_), kMinRh);
      wh.wetbulb_c = std::min(wet_bulb_c(wh.drybulb_c, wh.rh, pressure_pa_), wh.drybulb_c);
      out.push_back(wh);
    }
  }
  return out;
}

}  // namespace dctwin::models
