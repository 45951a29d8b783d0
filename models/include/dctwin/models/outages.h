#pragma once
// Grid outages (load-shedding, faults) as a Poisson process with bounded durations.
// Profiles live in data/grid/outage_profiles.csv; equations: docs/power-and-grid.md.
#include <string>
#include <vector>

#include "dctwin/models/random_stream.h"

namespace dctwin::models {

inline constexpr double kHoursPerYear = 8760;  // 365 days; profiles are per such year
inline constexpr double kSecondsPerYear = kHoursPerYear * 3600;

struct OutageProfile {
  std::string id;
  double events_per_year = 0;  // Poisson arrival rate of outage starts
  double mean_duration_h = 0;  // mean of one outage's duration, after clamping
  double min_duration_h = 0;
  double max_duration_h = 0;
};

struct Interval {
  double start_s = 0;
  double end_s = 0;
};

// Throws std::invalid_argument unless events_per_year >= 0 and
// 0 <= min_duration_h <= mean_duration_h <= max_duration_h, all finite.
void validate(const OutageProfile& p);

// Expected hours per year with grid down, overlaps counted once:
//   8760 × (1 − exp(−λ·E[D])), λ = events_per_year / 8760 h, E[D] = mean_duration_h.
double expected_hours_per_year(const OutageProfile& p);

// The arrival rate that makes expected_hours_per_year equal target_hours_per_year for a
// given mean duration (inverse of the above). Throws unless 0 <= target < 8760, mean > 0.
double events_per_year_for_hours(double target_hours_per_year, double mean_duration_h);

// Outages over [0, horizon_s]: Poisson starts; each duration is min + Exp(θ) clamped to max,
// θ solved so the clamped mean is mean_duration_h. Starts are drawn from −max_duration so
// the process is already stationary at 0. Overlapping or touching outages are merged;
// the result is sorted, disjoint, with 0 <= start < end <= horizon_s. Throws on a bad
// profile or a negative horizon.
std::vector<Interval> generate_outages(const OutageProfile& p, double horizon_s,
                                       RandomStream& rng);

}  // namespace dctwin::models
