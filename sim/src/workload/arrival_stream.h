#pragma once
// One site's arrivals of one job class, drawn hour by hour with their own random numbers,
// and where each drawn job goes: a discrete job, or small work binned for aggregated
// fidelity. Internal to the workload (generate_workload, SmallJobFeed).
#include <cmath>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "dctwin/models/calendar.h"
#include "dctwin/models/job_duration.h"
#include "dctwin/sim/workload.h"

namespace dctwin::sim {

inline constexpr double kHoursPerMonth = 365.25 * 24.0 / 12.0;  // an average calendar month
inline constexpr std::size_t kResidualBins = 960;  // over the four steps a short job may last

inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

models::JobDuration duration_of(const JobClass& c);

// A site's long small jobs in the order the run takes them: by submission, then class. Drawn
// all at once or a week at a time (SmallJobFeed), they come out in the same order.
void sort_long_jobs(std::vector<LongSmallJob>& site_jobs);

// A served class's load: each aggregate step's GPU-seconds, demand x share / 730.5 h x the
// cycle at the step's middle (local time) x the step. No jobs, no randomness.
template <class PerStep>
void for_each_served_step(const Scenario& s, const models::SimCalendar& cal, std::size_t si, std::size_t ci,
                          PerStep&& per_step) {
  const Site& site = s.sites[si];
  const JobClass& jc = s.job_classes[ci];
  const double step = s.fidelity.step_s;
  const auto steps = static_cast<std::size_t>(std::ceil(cal.seconds_at(s.end) / step));
  for (std::size_t k = 0; k < steps; ++k) {
    const double mid = (static_cast<double>(k) + 0.5) * step;
    const double gpus = demand_gpu_hours_per_month(site, cal, mid) * jc.share_of_gpu_hours / kHoursPerMonth *
                        submission_cycle_factor(jc, cal, site.local_s(mid));
    per_step(k, gpus * step);
  }
}

// What one arrival stream (a site and class) keeps: its discrete jobs and long small jobs
// in order of drawing, and a trace's short jobs' durations for the residual life; its short work
// goes straight into the stream's own cells of AggregateArrivals (no other stream's).
struct StreamDraws {
  std::vector<Job> jobs;
  std::vector<std::pair<std::uint16_t, LongSmallJob>> long_jobs;  // with its site
  ShortJobDurations short_durations;
  std::uint64_t small_total = 0;
};

// Where a drawn job goes: a discrete job, a long small job, or short work added to its
// stream's own cells of AggregateArrivals (no other stream's).
class Keeper {
 public:
  Keeper(const Scenario& s, const models::SimCalendar& cal, AggregateArrivals& small, StreamDraws& out)
      : s_(s), cal_(cal), small_(small), out_(out), aggregate_(s.fidelity.aggregated), from_trace_(!s.trace.empty()) {
    out_.short_durations.bin_s = 4 * s.fidelity.step_s / kResidualBins;
  }

  void operator()(const Job& j) {
    if (!aggregate_ || !is_small(s_, j)) {
      out_.jobs.push_back(j);
      return;
    }
    out_.small_total += 1;
    if (j.duration_s > 4 * s_.fidelity.step_s) {
      out_.long_jobs.push_back(
          {j.site, {j.submit_s, static_cast<float>(j.duration_s), j.job_class, static_cast<std::uint16_t>(j.gpus)}});
    } else {
      const std::size_t cell = static_cast<std::size_t>(j.submit_s / s_.fidelity.step_s) * small_.classes + j.job_class;
      small_.count[j.site][cell] += 1;
      small_.gpu_s[j.site][cell] += j.gpus * j.duration_s;
      if (j.gpus < s_.sites[j.site].gpu.gpus_per_node) {
        small_.sub_node_count[j.site][cell] += 1;
        small_.sub_node_gpu_s[j.site][cell] += j.gpus * j.duration_s;
      }
      if (from_trace_) out_.short_durations.add(j.gpus, j.duration_s, kResidualBins);
    }
    if (j.outcome != JobOutcome::kCompleted) {
      const auto month = static_cast<std::size_t>(cal_.month_index_at(j.submit_s));
      small_.ended_early_gpu_s[j.site][(month * small_.classes + j.job_class) * 2 + (j.outcome == JobOutcome::kCancelled)] +=
          j.gpus * j.duration_s;
    }
  }

 private:
  const Scenario& s_;
  const models::SimCalendar& cal_;
  AggregateArrivals& small_;
  StreamDraws& out_;
  bool aggregate_;
  bool from_trace_;  // generated jobs' durations are known in expectation (expected_short_durations)
};

// A Poisson stream whose rate is held for each hour at the value of the hour's middle
// (demand and local submission cycle); a campaign class's stream is of campaigns (an
// attempt's followers are drawn with it, whatever hour they fall in). A served class's load
// is added whole at the first draw. Drawing it in pieces draws the same jobs as at once.
class ArrivalStream {
 public:
  ArrivalStream(const Scenario& s, const models::SimCalendar& cal, std::size_t site, std::size_t job_class,
                AggregateArrivals& small, StreamDraws& out);
  ArrivalStream(ArrivalStream&&) noexcept;
  ~ArrivalStream();

  // Draws the hours not yet drawn that begin before `t_s` (all of them: infinity).
  void draw_before(double t_s);

 private:
  struct Draw;
  std::unique_ptr<Draw> draw_;
};

}  // namespace dctwin::sim
