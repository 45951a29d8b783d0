#include "dctwin/models/psychrometrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include "require.h"

namespace dctwin::models {
namespace {

constexpr double kKelvin = 273.15;
constexpr double kMinT_c = -100.0;  // Hyland–Wexler range (ASHRAE 2017 ch.1)
constexpr double kMaxT_c = 200.0;
constexpr double kWaterAirMassRatio = 0.621945;  // M_w / M_da, eq. 20

[[noreturn]] void fail(const std::string& what) {
  throw std::invalid_argument("psychrometrics: " + what);
}

constexpr detail::Require require{"psychrometrics"};

// Messages are built only on failure: these checks run millions of times per weather year.
void check_t(double t_c) {
  if (!(t_c >= kMinT_c && t_c <= kMaxT_c))
    fail("temperature " + std::to_string(t_c) + " C outside -100..200 C");
}

void check_p(double p_pa) {
  if (!(p_pa > 1000.0 && p_pa < 200000.0))
    fail("pressure " + std::to_string(p_pa) + " Pa outside 1..200 kPa");
}

void check_rh(double rh) {
  require(std::isfinite(rh) && rh >= 0.0 && rh <= 1.0, "relative humidity must be in [0, 1]");
}

// Saturation humidity ratio (eq. 23); defined only while p_ws < p.
double saturation_humidity_ratio(double t_c, double p_pa) {
  const double pws = saturation_vapour_pressure_pa(t_c);
  require(pws < p_pa, "saturation vapour pressure exceeds total pressure (boiling)");
  return kWaterAirMassRatio * pws / (p_pa - pws);
}

// Humidity ratio implied by a wet bulb t* (eq. 33 over water, eq. 35 over ice).
double humidity_ratio_from_wet_bulb(double t_c, double twb_c, double p_pa) {
  const double ws = saturation_humidity_ratio(twb_c, p_pa);
  if (twb_c >= 0.0) {
    return ((2501.0 - 2.326 * twb_c) * ws - 1.006 * (t_c - twb_c)) /
           (2501.0 + 1.86 * t_c - 4.186 * twb_c);
  }
  return ((2830.0 - 0.24 * twb_c) * ws - 1.006 * (t_c - twb_c)) /
         (2830.0 + 1.86 * t_c - 2.1 * twb_c);
}

}  // namespace

double pressure_at_altitude_pa(double altitude_m) {
  if (!(altitude_m >= -500.0 && altitude_m <= 11000.0)) {
    fail("altitude " + std::to_string(altitude_m) + " m outside -500..11,000 m");
  }
  return 101325.0 * std::pow(1.0 - 2.25577e-5 * altitude_m, 5.2559);
}

double saturation_vapour_pressure_pa(double t_c) {
  check_t(t_c);
  const double t = t_c + kKelvin;
  double ln_pws;
  if (t_c < 0.0) {  // eq. 5, over ice
    ln_pws = -5.6745359e3 / t + 6.3925247 - 9.6778430e-3 * t + 6.2215701e-7 * t * t +
             2.0747825e-9 * t * t * t - 9.4840240e-13 * t * t * t * t + 4.1635019 * std::log(t);
  } else {  // eq. 6, over liquid water
    ln_pws = -5.8002206e3 / t + 1.3914993 - 4.8640239e-2 * t + 4.1764768e-5 * t * t -
             1.4452093e-8 * t * t * t + 6.5459673 * std::log(t);
  }
  return std::exp(ln_pws);
}

double humidity_ratio(double t_c, double rh_fraction, double p_pa) {
  check_rh(rh_fraction);
  check_p(p_pa);
  const double pw = rh_fraction * saturation_vapour_pressure_pa(t_c);
  require(pw < p_pa, "vapour pressure exceeds total pressure");
  return kWaterAirMassRatio * pw / (p_pa - pw);
}

double relative_humidity(double t_c, double humidity_ratio, double p_pa) {
  require(std::isfinite(humidity_ratio) && humidity_ratio >= 0.0, "humidity ratio must be >= 0");
  check_p(p_pa);
  const double pw =
      p_pa * humidity_ratio / (kWaterAirMassRatio + humidity_ratio);  // eq. 20 inverted
  const double rh = pw / saturation_vapour_pressure_pa(t_c);
  return rh < 1.0 ? rh : 1.0;
}

double wet_bulb_c(double t_c, double rh_fraction, double p_pa) {
  const double w = humidity_ratio(t_c, rh_fraction, p_pa);
  // The implied humidity ratio rises with t*; at t* = t it is W_s(t) ≥ W, and 100 K below
  // (or at the formula's floor) the sensible term makes it negative, so the root is bracketed.
  // Illinois false position: bisection's guarantee in a handful of evaluations, not ~27.
  double lo = std::max(kMinT_c, t_c - 100.0);
  double hi = t_c;
  double f_lo = humidity_ratio_from_wet_bulb(t_c, lo, p_pa) - w;
  double f_hi = humidity_ratio_from_wet_bulb(t_c, hi, p_pa) - w;
  if (f_hi <= 0.0) return t_c;  // saturated
  int kept_side = 0;
  for (int i = 0; i < 200 && hi - lo > 1e-7; ++i) {
    const double x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
    const double f = humidity_ratio_from_wet_bulb(t_c, x, p_pa) - w;
    if (f == 0.0) return x;
    if (f < 0.0) {
      lo = x;
      f_lo = f;
      if (kept_side == -1) f_hi *= 0.5;
      kept_side = -1;
    } else {
      hi = x;
      f_hi = f;
      if (kept_side == 1) f_lo *= 0.5;
      kept_side = 1;
    }
    if (std::abs(f) < 1e-13) return x;  // ~1e-10 K at dW/dt* ≈ 1e-3 per K
  }
  return 0.5 * (lo + hi);
}

double dew_point_c(double t_c, double rh_fraction, double p_pa) {
  check_rh(rh_fraction);
  check_p(p_pa);
  require(rh_fraction > 0.0, "dew point of perfectly dry air is undefined");
  const double pw = rh_fraction * saturation_vapour_pressure_pa(t_c);
  // p_ws rises monotonically with t (both branches, and across 0 °C), so bisect below t.
  double lo = kMinT_c;
  double hi = t_c;
  require(saturation_vapour_pressure_pa(lo) <= pw, "dew point below -100 C");
  while (hi - lo > 1e-6) {
    const double mid = 0.5 * (lo + hi);
    if (saturation_vapour_pressure_pa(mid) < pw) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

}  // namespace dctwin::models
