#include "dctwin/models/outages.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dctwin::models {
namespace {
void require(bool ok, const std::string& id, const char* what) {
  if (!ok) throw std::invalid_argument("outage profile " + id + ": " + what);
}

// Mean of min + min(Exp(theta), range): min + theta (1 − exp(−range/theta)).
double clamped_excess_mean(double theta, double range) {
  return theta * -std::expm1(-range / theta);
}

// The exponential scale whose clamped excess has mean `target` (0 < target < range).
// The clamped mean rises monotonically from 0 to range with theta, so bisection is safe.
double solve_scale(double target, double range) {
  double lo = 0, hi = target;
  while (clamped_excess_mean(hi, range) < target) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (clamped_excess_mean(mid, range) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}
}  // namespace

void validate(const OutageProfile& p) {
  require(std::isfinite(p.events_per_year) && p.events_per_year >= 0, p.id,
          "events_per_year must be finite and >= 0");
  require(std::isfinite(p.max_duration_h), p.id, "durations must be finite");
  require(p.min_duration_h >= 0 && p.min_duration_h <= p.mean_duration_h &&
              p.mean_duration_h <= p.max_duration_h,
          p.id, "need 0 <= min_duration_h <= mean_duration_h <= max_duration_h");
}

double expected_hours_per_year(const OutageProfile& p) {
  validate(p);
  const double lambda_per_h = p.events_per_year / kHoursPerYear;
  return kHoursPerYear * -std::expm1(-lambda_per_h * p.mean_duration_h);
}

double events_per_year_for_hours(double target_hours_per_year, double mean_duration_h) {
  if (!(target_hours_per_year >= 0 && target_hours_per_year < kHoursPerYear) ||
      !(mean_duration_h > 0 && std::isfinite(mean_duration_h))) {
    throw std::invalid_argument("outages: need 0 <= target < 8760 h and a positive mean");
  }
  return -std::log1p(-target_hours_per_year / kHoursPerYear) / mean_duration_h * kHoursPerYear;
}

std::vector<Interval> generate_outages(const OutageProfile& p, double horizon_s,
                                       RandomStream& rng) {
  validate(p);
  require(std::isfinite(horizon_s) && horizon_s >= 0, p.id, "horizon must be >= 0");
  std::vector<Interval> out;
  if (p.events_per_year == 0 || p.max_duration_h == 0 || horizon_s == 0) return out;

  const double min_s = p.min_duration_h * 3600;
  const double range_s = (p.max_duration_h - p.min_duration_h) * 3600;
  const double excess_s = (p.mean_duration_h - p.min_duration_h) * 3600;
  // Degenerate ends: mean at min means every outage lasts min; at max, every one lasts max.
  const bool fixed = excess_s <= 0 || excess_s >= range_s;
  const double fixed_s = excess_s <= 0 ? min_s : min_s + range_s;
  const double theta_s = fixed ? 0 : solve_scale(excess_s, range_s);
  const double rate_per_s = p.events_per_year / kSecondsPerYear;

  for (double t = -(min_s + range_s);;) {
    t += rng.exponential(rate_per_s);
    if (t >= horizon_s) break;
    const double d = fixed ? fixed_s : min_s + std::min(rng.exponential(1 / theta_s), range_s);
    const double start = std::max(t, 0.0), end = std::min(t + d, horizon_s);
    if (end <= start) continue;
    if (!out.empty() && start <= out.back().end_s) {
      out.back().end_s = std::max(out.back().end_s, end);
    } else {
      out.push_back({start, end});
    }
  }
  return out;
}

}  // namespace dctwin::models
