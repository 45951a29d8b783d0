#include "dctwin/sim/workload.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <tuple>

#include "dctwin/models/random_stream.h"
#include "dctwin/models/tariff.h"

namespace dctwin::sim {
namespace {
constexpr double kHoursPerMonth = 365.25 * 24.0 / 12.0;  // an average calendar month
constexpr double kZ90 = 1.2815515655446004;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
}  // namespace

double expected_gpu_hours(const JobClass& c) {
  double weight_sum = 0, gpus_mean = 0;
  for (std::size_t i = 0; i < c.gpus.size(); ++i) {
    weight_sum += c.gpus_weights[i];
    gpus_mean += c.gpus_weights[i] * c.gpus[i];
  }
  gpus_mean /= weight_sum;
  // Mean of a lognormal(mu, sigma) conditioned on X <= max (draws above max are redrawn).
  const double mu = std::log(c.duration_median_h);
  const double sigma = std::log(c.duration_p90_h / c.duration_median_h) / kZ90;
  double duration_mean = c.duration_median_h;
  if (sigma > 0) {
    const double z = (std::log(c.duration_max_h) - mu) / sigma;
    duration_mean = std::exp(mu + sigma * sigma / 2) * normal_cdf(z - sigma) / normal_cdf(z);
  }
  return gpus_mean * duration_mean;
}

double demand_gpu_hours_per_month(const Site& site, const models::SimCalendar& cal, double t) {
  const auto& d = site.demand;
  if (d.empty() || t < cal.seconds_at(d.front().date)) return 0.0;
  for (std::size_t i = 1; i < d.size(); ++i) {
    const double t1 = cal.seconds_at(d[i].date);
    if (t < t1) {
      const double t0 = cal.seconds_at(d[i - 1].date);
      const double f = (t - t0) / (t1 - t0);
      return d[i - 1].gpu_hours_per_month + f * (d[i].gpu_hours_per_month - d[i - 1].gpu_hours_per_month);
    }
  }
  return d.back().gpu_hours_per_month;
}

double submission_cycle_factor(const JobClass& c, const models::SimCalendar& cal, double t_s) {
  if (c.daily_amplitude == 0 && c.weekend_factor == 1) return 1.0;
  const double hour = std::fmod(t_s / 3600.0, 24.0);
  const double daily = 1 + c.daily_amplitude * std::cos(2 * std::numbers::pi * (hour - c.peak_hour) / 24);
  const bool weekend = models::is_weekend(cal.date_at(t_s));
  const double weekly_mean = (5 + 2 * c.weekend_factor) / 7;
  return daily * (weekend ? c.weekend_factor : 1.0) / weekly_mean;
}

bool is_small(const Scenario& s, const Job& j) {
  return j.gpus <= s.fidelity.small_max_gpus && j.duration_s <= s.fidelity.small_max_h * 3600.0;
}

std::vector<Job> generate_workload(const Scenario& s) {
  AggregateArrivals unused;
  Scenario exact = s;
  exact.fidelity.aggregated = false;
  return generate_workload(exact, unused);
}

std::vector<Job> generate_workload(const Scenario& s, AggregateArrivals& small) {
  const models::SimCalendar cal(s.start);
  const bool aggregate = s.fidelity.aggregated;
  if (aggregate) {
    small.steps = static_cast<std::size_t>(std::ceil(cal.seconds_at(s.end) / s.fidelity.step_s));
    small.classes = s.job_classes.size();
    small.count.assign(s.sites.size(), std::vector<std::uint32_t>(small.steps * small.classes, 0));
    small.gpu_s.assign(s.sites.size(), std::vector<double>(small.steps * small.classes, 0.0));
  }
  auto keep = [&](const Job& j, std::vector<Job>& jobs) {
    if (!aggregate || !is_small(s, j)) {
      jobs.push_back(j);
      return;
    }
    const std::size_t cell = static_cast<std::size_t>(j.submit_s / s.fidelity.step_s) * small.classes + j.job_class;
    small.count[j.site][cell] += 1;
    small.gpu_s[j.site][cell] += j.gpus * j.duration_s;
    small.total += 1;
  };
  const double horizon = cal.seconds_at(s.end);
  std::vector<Job> jobs;
  if (!s.trace.empty()) {
    for (const TraceJob& t : s.trace) {
      Job j;
      j.site = t.site;
      j.job_class = t.job_class;
      j.submit_s = t.submit_s;
      j.gpus = t.gpus;
      j.duration_s = t.duration_s;
      keep(j, jobs);
    }
    std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.submit_s < b.submit_s; });
    for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i].id = static_cast<std::uint32_t>(i);
    return jobs;
  }
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    const Site& site = s.sites[si];
    double peak_demand = 0;
    for (const auto& p : site.demand) peak_demand = std::max(peak_demand, p.gpu_hours_per_month);
    const double first = std::max(0.0, cal.seconds_at(site.demand.front().date));
    for (std::size_t ci = 0; ci < s.job_classes.size(); ++ci) {
      const JobClass& jc = s.job_classes[ci];
      // jobs per second at peak demand; thinning gives the time-varying rate.
      const double jobs_per_s_per_gph_month = jc.share_of_gpu_hours / expected_gpu_hours(jc) / (kHoursPerMonth * 3600.0);
      const double cycle_peak = (1 + jc.daily_amplitude) * std::max(1.0, jc.weekend_factor) /
                                ((5 + 2 * jc.weekend_factor) / 7);
      const double peak_rate = peak_demand * jobs_per_s_per_gph_month * cycle_peak;
      if (peak_rate <= 0) continue;
      models::RandomStream arrivals(s.seed, (si << 20) | (ci << 1));
      models::RandomStream shapes(s.seed, (si << 20) | (ci << 1) | 1);
      for (double t = first + arrivals.exponential(peak_rate); t < horizon; t += arrivals.exponential(peak_rate)) {
        const double rate = demand_gpu_hours_per_month(site, cal, t) * jobs_per_s_per_gph_month *
                            submission_cycle_factor(jc, cal, site.local_s(t));
        if (arrivals.uniform() * peak_rate >= rate) continue;
        Job j;
        j.site = static_cast<std::uint16_t>(si);
        j.job_class = static_cast<std::uint16_t>(ci);
        j.submit_s = t;
        j.gpus = jc.gpus[shapes.weighted_index(jc.gpus_weights)];
        double hours;
        do {
          hours = shapes.lognormal_median_p90(jc.duration_median_h, jc.duration_p90_h);
        } while (hours > jc.duration_max_h);
        j.duration_s = hours * 3600.0;
        keep(j, jobs);
      }
    }
  }
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return std::tie(a.submit_s, a.site, a.job_class) < std::tie(b.submit_s, b.site, b.job_class);
  });
  for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i].id = static_cast<std::uint32_t>(i);
  return jobs;
}

}  // namespace dctwin::sim
