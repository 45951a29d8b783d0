#include "dctwin/models/facility.h"

namespace dctwin::models {

FacilityModel::FacilityModel(CoolingParams cooling, PowerChain chain)
    : cooling_(std::move(cooling)), chain_(std::move(chain)) {}

FacilityPower FacilityModel::at(double it_w, const WeatherHour& weather) const {
  FacilityPower f;
  f.it_w = it_w;
  const PowerChainLosses indoor = chain_.losses(it_w, 0.0);
  const CoolingResult c = cooling_.at(it_w, indoor.pdu_w + indoor.ups_w, weather);
  f.cooling_w = c.electric_w;
  f.losses = chain_.losses(it_w, c.electric_w);
  f.facility_w = it_w + f.cooling_w + f.losses.total_w();
  f.water_kg_per_s = c.water_kg_per_s;
  f.free_cooling_fraction = c.free_cooling_fraction;
  return f;
}

double FacilityModel::max_it_w(double limit_w, const WeatherHour& weather) const {
  if (at(0, weather).facility_w > limit_w) return 0;
  double lo = 0, hi = limit_w;
  for (int i = 0; i < 60 && hi - lo > 1e-3; ++i) {
    const double mid = 0.5 * (lo + hi);
    (at(mid, weather).facility_w <= limit_w ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace dctwin::models
