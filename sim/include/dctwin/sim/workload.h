#pragma once
// The seeded workload: for each site and job class, a non-homogeneous Poisson stream of
// jobs whose GPU-hours follow the site's demand curve. Same scenario and seed, same jobs.
#include <array>
#include <cstdint>
#include <vector>

#include "dctwin/sim/scenario.h"

namespace dctwin::sim {

class SmallJobFeed;

// How an attempt ends when it runs its course (node failures come on top, from the engine).
enum class JobOutcome : std::uint8_t { kCompleted, kFailed, kCancelled };

inline constexpr std::uint32_t kNoJob = 0xffffffffu;

// Fields ordered so that no padding is needed (40 bytes): tens of millions are held at once.
struct Job {
  std::uint32_t id = 0;          // in submission order over the whole programme
  std::uint16_t site = 0;        // index into Scenario::sites (the home site)
  std::uint16_t job_class = 0;   // index into Scenario::job_classes
  int gpus = 0;
  JobOutcome outcome = JobOutcome::kCompleted;
  // Campaign classes: an attempt after the first is submitted when the one before it ends
  // (plus the class's resubmit gap), so its submit_s is only the earliest it could be until
  // the engine releases it.
  bool follows = false;
  double submit_s = 0;           // simulated seconds since the scenario start
  double duration_s = 0;         // run time at full clock, unthrottled
  std::uint32_t campaign = kNoJob;      // numbered per site and class
  std::uint32_t next_attempt = kNoJob;  // id of the campaign's next attempt
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

// The jobs that generate_workload would hand the engine one by one, in expectation, without
// drawing them: every job in exact fidelity, the jobs that are not small in aggregated
// fidelity. A trace's jobs are counted as they are. For refusing a run that cannot fit.
double expected_discrete_jobs(const Scenario& scenario);

// A small job longer than an aggregate step: carried in aggregate, but holding its GPUs from
// step to step for its whole run.
struct LongSmallJob {
  double submit_s = 0;
  float duration_s = 0;
  std::uint16_t job_class = 0;
  std::uint16_t gpus = 0;
};

// The parts in which small work in flight at a step boundary lets go of its GPUs.
inline constexpr std::size_t kTailTranches = 3;

// Short jobs' durations by job size: GPUs and GPU-seconds per bin of `bin_s` seconds of
// duration.
struct ShortJobDurations {
  double bin_s = 0;
  std::vector<int> gpus_per_job;                 // ascending
  std::vector<std::vector<double>> gpus, gpu_s;  // [size][bin]
  void add(int gpus_per_job, double duration_s, std::size_t bins, double jobs = 1);
  void add(const ShortJobDurations& other);

 private:
  std::size_t size_index(int gpus_per_job, std::size_t bins);  // adds the size if new
  std::vector<std::uint32_t> index_of_gpus_;  // gpus -> size index + 1 (0: not seen), for add()
};

// The short jobs' durations by size as the scenario's classes give them in expectation (per
// GPU-hour of demand, each class by its share of it), not as drawn: known before any job is.
// Empty in exact fidelity.
ShortJobDurations expected_short_durations(const Scenario& scenario);

// When the nodes of short work in flight at an instant are free again: the times by which
// (k + 1/2) / kTailTranches of them are (1/6, 1/2, 5/6), 0 without short work. A job of g GPUs
// and d seconds is in flight with a chance in proportion to g·d and then has U(0, d) left (the
// residual life of renewal theory), so P(left <= r) = F_g(r) = sum g min(d, r) / sum g d over
// the jobs of g GPUs.
// A node of g-GPU jobs (g below a node) holds gpus_per_node / g of them and is free once all
// have ended; a job of a node or more frees its nodes when it ends. So P(a node is free by r)
// = sum over sizes of w_g F_g(r)^max(1, gpus_per_node / g), w_g the size's share of the
// GPU-time (nodes taken to hold jobs of one size).
std::array<double, kTailTranches> node_free_quantiles(const ShortJobDurations& durations, int gpus_per_node);

// Small jobs in aggregated fidelity: per site, aggregate step and class, how many arrived and
// their work (GPU-seconds at full clock), for those no longer than a step; the longer ones one
// by one. The same draws as in exact fidelity.
struct AggregateArrivals {
  std::size_t steps = 0, classes = 0;
  // [site][step * classes + class]
  std::vector<std::vector<std::uint32_t>> count;
  std::vector<std::vector<double>> gpu_s;
  // Of count and gpu_s, the jobs smaller than a node of their site: they fit on the GPUs left
  // free on partly used nodes, which jobs of a node or more can't use, and are routed apart.
  std::vector<std::vector<std::uint32_t>> sub_node_count;
  std::vector<std::vector<double>> sub_node_gpu_s;
  std::vector<std::vector<LongSmallJob>> long_jobs;  // [site], by submit time
  std::uint64_t total = 0;
  std::size_t months = 0;
  // [site][(month * classes + class) * 2 + k]: work of the attempts arriving in the month
  // that fail (k = 0) or are cancelled (k = 1).
  std::vector<std::vector<double>> ended_early_gpu_s;
  // The short jobs' durations by size, for how short work in flight lets go of its GPUs
  // (node_free_quantiles): expected_short_durations, or a trace's own short jobs. Empty in
  // exact fidelity.
  ShortJobDurations short_durations;
};

// The discrete jobs, and the small ones binned into `small` when the scenario's fidelity is
// aggregated (`small` untouched otherwise).
std::vector<Job> generate_workload(const Scenario& scenario, AggregateArrivals& small);
// The same, but where SmallJobFeed::applies, the classes it draws are left to `feed`, which
// draws them into `small` while the run goes.
std::vector<Job> generate_workload(const Scenario& scenario, AggregateArrivals& small, SmallJobFeed& feed);

bool is_small(const Scenario& scenario, const Job& job);

// GPU-hours a served class (JobClass::served) asks for at a site over the whole scenario.
double served_gpu_hours(const Scenario& scenario, std::size_t site, std::size_t job_class);

const char* outcome_name(JobOutcome outcome);

}  // namespace dctwin::sim
