#include "dctwin/models/generator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include "require.h"

namespace dctwin::models {
namespace {
constexpr detail::Require require{"generator"};
}  // namespace

void FuelCurve::validate() const {
  require(std::isfinite(rated_kw) && rated_kw > 0, "rated_kw must be positive");
  require(load_fraction.size() >= 2 && load_fraction.size() == litres_per_hour.size(),
          "fuel curve needs >= 2 points, as many fractions as litres");
  for (std::size_t i = 0; i < load_fraction.size(); ++i) {
    require(load_fraction[i] > 0 && load_fraction[i] <= 1, "load fractions must be in (0, 1]");
    require(std::isfinite(litres_per_hour[i]) && litres_per_hour[i] > 0, "litres must be > 0");
    if (i > 0) {
      require(load_fraction[i] > load_fraction[i - 1], "load fractions must increase");
      require(litres_per_hour[i] >= litres_per_hour[i - 1], "fuel must not fall with load");
    }
  }
}

double FuelCurve::fuel_l_per_h(double load_kw) const {
  require(std::isfinite(load_kw) && load_kw >= 0, "load must be >= 0");
  require(load_kw <= rated_kw * (1 + 1e-12), "load above the unit's rating");
  const double x = load_kw / rated_kw;
  // Segment containing x; the end segments extend outwards.
  std::size_t i = 1;
  while (i + 1 < load_fraction.size() && x > load_fraction[i]) ++i;
  const double x0 = load_fraction[i - 1], x1 = load_fraction[i];
  const double y0 = litres_per_hour[i - 1], y1 = litres_per_hour[i];
  if (x == x0) return y0;  // exact at the data points, no rounding from the slope
  if (x == x1) return y1;
  return std::max(0.0, y0 + (y1 - y0) * (x - x0) / (x1 - x0));
}

FuelCurve qsk60_g4_prime_fuel_curve() {
  constexpr double kPrimeKwm = 1730;
  const double engine_fraction[] = {0.25, 0.50, 0.75, 1.00};
  const double alternator_eff[] = {0.932, 0.957, 0.962, 0.962};
  const double rated_kwe = kPrimeKwm * alternator_eff[3];
  FuelCurve c;
  c.rated_kw = rated_kwe;
  for (int i = 0; i < 4; ++i) {
    c.load_fraction.push_back(kPrimeKwm * engine_fraction[i] * alternator_eff[i] / rated_kwe);
  }
  c.load_fraction.back() = 1.0;  // exact, so a full-load request hits the 100 % point
  c.litres_per_hour = {114, 200, 291, 394};
  return c;
}

GeneratorPlant::GeneratorPlant(int units, FuelCurve per_unit, double start_s)
    : units_(units), per_unit_(std::move(per_unit)), start_s_(start_s) {
  require(units_ >= 1, "a plant needs at least one unit");
  require(std::isfinite(start_s_) && start_s_ >= 0, "start time must be >= 0");
  per_unit_.validate();
}

GeneratorOutput GeneratorPlant::run(double load_kw, double duration_s, bool from_cold) const {
  require(std::isfinite(load_kw) && load_kw >= 0, "load must be >= 0");
  require(std::isfinite(duration_s) && duration_s >= 0, "duration must be >= 0");
  GeneratorOutput o;
  const double cap = capacity_kw();
  o.overloaded = load_kw > cap;
  o.served_kw = std::min(load_kw, cap);
  o.unserved_kw = load_kw - o.served_kw;
  if (o.served_kw > 0) {
    // The tolerance keeps an exact multiple of the rating from staging one unit too many.
    const double needed = std::ceil(o.served_kw / per_unit_.rated_kw - 1e-9);
    o.running_units = std::clamp(static_cast<int>(needed), 1, units_);
    o.unit_load_kw = std::min(o.served_kw / o.running_units, per_unit_.rated_kw);
  }
  o.bridged_s = from_cold ? std::min(start_s_, duration_s) : 0;
  const double running_h = (duration_s - o.bridged_s) / 3600;
  o.energy_kwh = o.served_kw * running_h;
  if (o.running_units > 0) {
    o.litres = o.running_units * per_unit_.fuel_l_per_h(o.unit_load_kw) * running_h;
  }
  o.co2_kg = o.litres * kDieselKgCo2PerLitre;
  return o;
}

}  // namespace dctwin::models
