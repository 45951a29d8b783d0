#include "dctwin/models/fabric_wan.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace dctwin::models {

double great_circle_km(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg) {
  constexpr double kEarthRadiusKm = 6371.0088;
  constexpr double kRad = std::numbers::pi / 180.0;
  const double dlat = (lat2_deg - lat1_deg) * kRad, dlon = (lon2_deg - lon1_deg) * kRad;
  const double h = std::pow(std::sin(dlat / 2), 2) + std::cos(lat1_deg * kRad) *
                                                         std::cos(lat2_deg * kRad) *
                                                         std::pow(std::sin(dlon / 2), 2);
  // Haversine: stable for short distances, where the spherical law of cosines is not.
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

WanLink wan_link(const SiteLocation& a, const SiteLocation& b, const WanSpec& spec) {
  if (spec.routing_factor < 1 || spec.fibre_fraction_of_c <= 0 || spec.fibre_fraction_of_c > 1 ||
      spec.bandwidth_gbps <= 0 || spec.usd_per_gb < 0) {
    throw std::invalid_argument(
        "wan: routing_factor >= 1, 0 < fibre_fraction_of_c <= 1, bandwidth > 0, price >= 0");
  }
  constexpr double kLightKmPerS = 299792.458;
  WanLink l;
  l.site_a = a.site;
  l.site_b = b.site;
  l.great_circle_km = great_circle_km(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg);
  l.bandwidth_gbps = spec.bandwidth_gbps;
  l.latency_s = l.great_circle_km * spec.routing_factor / (spec.fibre_fraction_of_c * kLightKmPerS);
  l.usd_per_gb = spec.usd_per_gb;
  return l;
}

std::vector<WanLink> wan_full_mesh(const std::vector<SiteLocation>& sites, const WanSpec& spec) {
  std::vector<WanLink> links;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    for (std::size_t j = i + 1; j < sites.size(); ++j)
      links.push_back(wan_link(sites[i], sites[j], spec));
  }
  return links;
}

}  // namespace dctwin::models
