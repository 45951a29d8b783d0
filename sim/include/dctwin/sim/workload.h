#pragma once
// The seeded workload: for each site and job class, a non-homogeneous Poisson stream of
// jobs whose GPU-hours follow the site's demand curve. Same scenario and seed, same jobs.
#include <cstdint>
#include <vector>

#include "dctwin/sim/scenario.h"

namespace dctwin::sim {

struct Job {
  std::uint32_t id = 0;          // in submission order over the whole programme
  std::uint16_t site = 0;        // index into Scenario::sites (the home site)
  std::uint16_t job_class = 0;   // index into Scenario::job_classes
  int gpus = 0;
  double submit_s = 0;           // simulated seconds since the scenario start
  double duration_s = 0;         // run time at full clock, unthrottled
};

// Expected GPU-hours of one job of the class (sizes and truncated lognormal duration).
double expected_gpu_hours(const JobClass& c);

// Demand of a site in GPU-hours per month at a given date (piecewise linear, zero before the
// first point, flat after the last).
double demand_gpu_hours_per_month(const Site& site, const models::SimCalendar& calendar, double t_s);

// The submission cycle's multiplier at local time t (seconds since the start date's local
// midnight), with a weekly mean of 1.
double submission_cycle_factor(const JobClass& c, const models::SimCalendar& calendar, double t_s);

// All jobs of the scenario (from its trace, if it has one) in submission order (ties broken by site, then class).
std::vector<Job> generate_workload(const Scenario& scenario);

// Small jobs in aggregated fidelity: per site, aggregate step and class, how many arrived and
// their work (GPU-seconds at full clock). The same draws as in exact fidelity, binned.
struct AggregateArrivals {
  std::size_t steps = 0, classes = 0;
  // [site][step * classes + class]
  std::vector<std::vector<std::uint32_t>> count;
  std::vector<std::vector<double>> gpu_s;
  std::uint64_t total = 0;
};

// The discrete jobs, and the small ones binned into `small` when the scenario's fidelity is
// aggregated (`small` untouched otherwise).
std::vector<Job> generate_workload(const Scenario& scenario, AggregateArrivals& small);

bool is_small(const Scenario& scenario, const Job& job);

}  // namespace dctwin::sim
