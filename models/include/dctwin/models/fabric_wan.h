#pragma once
// Wide-area links between sites. Latency from the great-circle distance stretched by a
// routing factor (fibre follows coasts and roads, not the geodesic) at 2/3 of c in glass.
// Coordinates come from the caller (data/fabric/site_coordinates.csv lists them with sources).
#include <string>
#include <vector>

namespace dctwin::models {

struct SiteLocation {
  std::string site;
  double lat_deg = 0;  // north positive
  double lon_deg = 0;  // east positive
};

struct WanSpec {
  double bandwidth_gbps = 100;             // ESTIMATE: one 100G wavelength per site pair
  double routing_factor = 1.5;             // ASSUMPTION: fibre route length / great-circle distance
  double fibre_fraction_of_c = 2.0 / 3.0;  // group index ~1.47-1.5 in silica fibre
  double usd_per_gb = 0.05;  // ESTIMATE: transfer price; not in reference/, set per scenario
};

struct WanLink {
  std::string site_a, site_b;
  double great_circle_km = 0;
  double bandwidth_gbps = 0;
  double latency_s = 0;  // one way, propagation only
  double usd_per_gb = 0;
};

// Haversine on a sphere of the IUGG mean Earth radius, 6371.0088 km.
double great_circle_km(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg);

WanLink wan_link(const SiteLocation& a, const SiteLocation& b, const WanSpec& spec);

// Every pair once, in the order the sites are given (a before b).
std::vector<WanLink> wan_full_mesh(const std::vector<SiteLocation>& sites, const WanSpec& spec);

}  // namespace dctwin::models
