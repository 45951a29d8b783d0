#include "dctwin/sim/workload.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <numbers>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "arrival_stream.h"
#include "dctwin/models/tariff.h"
#include "dctwin/sim/small_job_feed.h"

namespace dctwin::sim {
static_assert(sizeof(Job) <= 40, "a Job is held tens of millions of times: keep its fields unpadded");

double expected_gpu_hours(const JobClass& c) {
  double weight_sum = 0, gpus_mean = 0;
  for (std::size_t i = 0; i < c.gpus.size(); ++i) {
    weight_sum += c.gpus_weights[i];
    gpus_mean += c.gpus_weights[i] * c.gpus[i];
  }
  return gpus_mean / weight_sum * duration_of(c).mean_h();
}

namespace {
// The share of a class's jobs that are not small (is_small), from its sizes and durations.
double not_small_share(const Scenario& s, const JobClass& c) {
  if (!s.fidelity.aggregated || c.campaign) return 1.0;
  const models::JobDuration d = duration_of(c);
  const double max_h = s.fidelity.small_max_h;
  double short_enough = 1.0;  // P(duration <= max_h): durations are drawn at z <= z_max
  if (max_h < d.hours_at(d.z_max())) {
    double lo = -12, hi = d.z_max();
    for (int i = 0; i < 100 && hi - lo > 1e-9; ++i) {
      const double mid = 0.5 * (lo + hi);
      (d.hours_at(mid) <= max_h ? lo : hi) = mid;
    }
    short_enough = normal_cdf(lo) / normal_cdf(d.z_max());
  }
  double weights = 0, small_weights = 0;
  for (std::size_t i = 0; i < c.gpus.size(); ++i) {
    weights += c.gpus_weights[i];
    if (c.gpus[i] <= s.fidelity.small_max_gpus) small_weights += c.gpus_weights[i];
  }
  return 1.0 - small_weights / weights * short_enough;
}
}  // namespace

double expected_discrete_jobs(const Scenario& s) {
  if (!s.trace.empty()) return static_cast<double>(s.trace.size());
  double jobs_per_gpu_h = 0;  // of demand
  for (const JobClass& c : s.job_classes) {
    if (!c.served) jobs_per_gpu_h += c.share_of_gpu_hours / expected_gpu_hours(c) * not_small_share(s, c);
  }
  const models::SimCalendar cal(s.start);
  const double horizon = cal.seconds_at(s.end);
  double demand_gpu_h = 0;
  for (const Site& site : s.sites) {
    for (double t = 0; t < horizon; t += 3600.0) {
      const double hour = std::min(3600.0, horizon - t);
      demand_gpu_h += demand_gpu_hours_per_month(site, cal, t + 0.5 * hour) / kHoursPerMonth * hour / 3600.0;
    }
  }
  return demand_gpu_h * jobs_per_gpu_h;
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
  return j.gpus <= s.fidelity.small_max_gpus && j.duration_s <= s.fidelity.small_max_h * 3600.0 &&
         !s.job_classes[j.job_class].campaign;
}

const char* outcome_name(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::kFailed: return "failed";
    case JobOutcome::kCancelled: return "cancelled";
    case JobOutcome::kCompleted: break;
  }
  return "completed";
}

std::vector<Job> generate_workload(const Scenario& s) {
  AggregateArrivals unused;
  Scenario exact = s;
  exact.fidelity.aggregated = false;
  return generate_workload(exact, unused);
}

namespace {

// Runs task(0 .. n-1) on up to the machine's cores; which thread runs which task changes
// nothing, as every task writes only its own output. The first exception a task throws is
// thrown here once every thread has stopped.
void run_tasks(std::size_t n, const std::function<void(std::size_t)>& task) {
  const std::size_t threads = std::min<std::size_t>(n, std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto worker = [&] {
    try {
      for (std::size_t i = next++; i < n; i = next++) task(i);
    } catch (...) {
      next = n;  // the others stop after their task at hand
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

double served_gpu_hours(const Scenario& s, std::size_t si, std::size_t ci) {
  double gpu_s = 0;
  for_each_served_step(s, models::SimCalendar(s.start), si, ci, [&](std::size_t, double step_gpu_s) { gpu_s += step_gpu_s; });
  return gpu_s / 3600.0;
}

std::size_t ShortJobDurations::size_index(int g, std::size_t bins) {
  const auto slot = static_cast<std::size_t>(g);
  if (slot < index_of_gpus_.size() && index_of_gpus_[slot] > 0) return index_of_gpus_[slot] - 1;
  auto at = std::lower_bound(gpus_per_job.begin(), gpus_per_job.end(), g);
  const auto size = static_cast<std::size_t>(at - gpus_per_job.begin());
  gpus_per_job.insert(at, g);
  gpus.insert(gpus.begin() + static_cast<std::ptrdiff_t>(size), std::vector<double>(bins, 0.0));
  gpu_s.insert(gpu_s.begin() + static_cast<std::ptrdiff_t>(size), std::vector<double>(bins, 0.0));
  index_of_gpus_.assign(static_cast<std::size_t>(gpus_per_job.back()) + 1, 0);
  for (std::size_t k = 0; k < gpus_per_job.size(); ++k) {
    index_of_gpus_[static_cast<std::size_t>(gpus_per_job[k])] = static_cast<std::uint32_t>(k + 1);
  }
  return size;
}

void ShortJobDurations::add(int g, double duration_s, std::size_t bins, double jobs) {
  const std::size_t size = size_index(g, bins);
  const auto bin = std::min(bins - 1, static_cast<std::size_t>(duration_s / bin_s));
  gpus[size][bin] += jobs * g;
  gpu_s[size][bin] += jobs * g * duration_s;
}

// Each class's jobs per GPU-hour of demand, spread over its sizes and over its durations
// (the standard normal draw z in steps of kStep, each carrying the normal's mass there, the
// draw cut at z_max as the generator redraws above it), as long as they are short.
ShortJobDurations expected_short_durations(const Scenario& s) {
  ShortJobDurations d;
  if (!s.fidelity.aggregated) return d;  // a served class alone has no jobs in flight
  d.bin_s = 4 * s.fidelity.step_s / kResidualBins;
  const double short_max_s = std::min(4 * s.fidelity.step_s, s.fidelity.small_max_h * 3600.0);
  constexpr double kStep = 1e-3, kLowest = -9;
  for (const JobClass& c : s.job_classes) {
    if (c.served || c.campaign || c.share_of_gpu_hours <= 0) continue;
    const models::JobDuration duration = duration_of(c);
    const double jobs_per_gpu_h = c.share_of_gpu_hours / expected_gpu_hours(c);
    double weights = 0;
    for (double w : c.gpus_weights) weights += w;
    const double below_max = normal_cdf(duration.z_max());
    for (double z = kLowest; z + kStep <= duration.z_max() + 1e-12; z += kStep) {
      const double seconds = 3600.0 * duration.hours_at(z + 0.5 * kStep);
      if (seconds > short_max_s) break;  // durations rise with z
      const double mass = (normal_cdf(z + kStep) - normal_cdf(z)) / below_max;
      for (std::size_t k = 0; k < c.gpus.size(); ++k) {
        if (c.gpus[k] > s.fidelity.small_max_gpus) continue;
        d.add(c.gpus[k], seconds, kResidualBins, jobs_per_gpu_h * c.gpus_weights[k] / weights * mass);
      }
    }
  }
  return d;
}

void ShortJobDurations::add(const ShortJobDurations& other) {
  for (std::size_t k = 0; k < other.gpus_per_job.size(); ++k) {
    const std::size_t size = size_index(other.gpus_per_job[k], other.gpus[k].size());
    for (std::size_t b = 0; b < other.gpus[k].size(); ++b) {
      gpus[size][b] += other.gpus[k][b];
      gpu_s[size][b] += other.gpu_s[k][b];
    }
  }
}

std::array<double, kTailTranches> node_free_quantiles(const ShortJobDurations& d, int gpus_per_node) {
  std::array<double, kTailTranches> out{};
  // Per size: done(r) = sum g min(d, r) at each bin's edges, linear within a bin, and its total.
  struct Size {
    std::vector<double> done_at_edge;
    double total = 0, jobs_per_node = 1;
  };
  std::vector<Size> sizes;
  double all = 0;
  std::size_t bins = 0;
  for (std::size_t k = 0; k < d.gpus_per_job.size(); ++k) {
    Size z;
    bins = d.gpus[k].size();
    double gpus_left = 0;
    for (double g : d.gpus[k]) gpus_left += g;
    z.done_at_edge.push_back(0);
    for (std::size_t b = 0; b < bins; ++b) {
      z.total += d.gpu_s[k][b];
      gpus_left -= d.gpus[k][b];
      z.done_at_edge.push_back(z.total + std::max(0.0, gpus_left) * static_cast<double>(b + 1) * d.bin_s);
    }
    if (z.total <= 0) continue;
    z.jobs_per_node = std::max(1.0, static_cast<double>(gpus_per_node) / d.gpus_per_job[k]);
    all += z.total;
    sizes.push_back(std::move(z));
  }
  if (all <= 0) return out;
  const double longest = static_cast<double>(bins) * d.bin_s;
  auto node_free_by = [&](double r) {
    const double x = std::clamp(r / d.bin_s, 0.0, static_cast<double>(bins));
    const auto b = std::min(bins - 1, static_cast<std::size_t>(x));
    double p = 0;
    for (const Size& z : sizes) {
      const double within = x - static_cast<double>(b);
      const double done = z.done_at_edge[b] + within * (z.done_at_edge[b + 1] - z.done_at_edge[b]);
      p += z.total / all * std::pow(std::min(1.0, done / z.total), z.jobs_per_node);
    }
    return p;
  };
  for (std::size_t k = 0; k < out.size(); ++k) {
    const double want = (static_cast<double>(k) + 0.5) / kTailTranches;
    double lo = 0, hi = longest;  // node_free_by rises from 0 to 1 over [0, longest]
    for (int i = 0; i < 60; ++i) {
      const double mid = 0.5 * (lo + hi);
      (node_free_by(mid) < want ? lo : hi) = mid;
    }
    out[k] = hi;
  }
  return out;
}

namespace {

// The streams the feed, if given one, draws are left to it.
std::vector<Job> draw_workload(const Scenario& s, AggregateArrivals& small, SmallJobFeed* feed) {
  const models::SimCalendar cal(s.start);
  if (s.has_fluid()) {
    small.steps = static_cast<std::size_t>(std::ceil(cal.seconds_at(s.end) / s.fidelity.step_s));
    small.classes = s.job_classes.size();
    small.count.assign(s.sites.size(), std::vector<std::uint32_t>(small.steps * small.classes, 0));
    small.gpu_s.assign(s.sites.size(), std::vector<double>(small.steps * small.classes, 0.0));
    small.sub_node_count.assign(s.sites.size(), std::vector<std::uint32_t>(small.steps * small.classes, 0));
    small.sub_node_gpu_s.assign(s.sites.size(), std::vector<double>(small.steps * small.classes, 0.0));
    small.months = static_cast<std::size_t>(cal.month_index_at(std::max(0.0, cal.seconds_at(s.end) - 1))) + 1;
    small.ended_early_gpu_s.assign(s.sites.size(), std::vector<double>(small.months * small.classes * 2, 0.0));
    small.long_jobs.assign(s.sites.size(), {});
  }
  std::vector<StreamDraws> streams(s.trace.empty() ? s.sites.size() * s.job_classes.size() : 1);
  std::vector<std::pair<std::size_t, std::size_t>> fed;  // (site, class) streams left to the feed
  if (!s.trace.empty()) {
    Keeper keep(s, cal, small, streams[0]);
    for (const TraceJob& t : s.trace) {
      Job j;
      j.site = t.site;
      j.job_class = t.job_class;
      j.submit_s = t.submit_s;
      j.gpus = t.gpus;
      j.duration_s = t.duration_s;
      keep(j);
    }
  } else {
    const std::size_t classes = s.job_classes.size();
    if (feed != nullptr && SmallJobFeed::applies(s)) {
      for (std::size_t k = 0; k < streams.size(); ++k) {
        if (SmallJobFeed::draws_class(s, s.job_classes[k % classes])) fed.emplace_back(k / classes, k % classes);
      }
    }
    run_tasks(streams.size(), [&](std::size_t k) {
      if (std::find(fed.begin(), fed.end(), std::pair(k / classes, k % classes)) != fed.end()) return;
      ArrivalStream(s, cal, k / classes, k % classes, small, streams[k]).draw_before(std::numeric_limits<double>::infinity());
    });
  }
  // The streams' draws in a fixed order (site, then class), whatever thread drew them.
  std::vector<Job> jobs;
  std::size_t discrete = 0;
  for (const StreamDraws& d : streams) discrete += d.jobs.size();
  jobs.reserve(discrete);
  small.short_durations = {};
  small.short_durations.bin_s = 4 * s.fidelity.step_s / kResidualBins;
  for (StreamDraws& d : streams) {
    jobs.insert(jobs.end(), d.jobs.begin(), d.jobs.end());
    std::vector<Job>().swap(d.jobs);
    for (const auto& [site, j] : d.long_jobs) small.long_jobs[site].push_back(j);
    small.total += d.small_total;
    if (!s.trace.empty()) small.short_durations.add(d.short_durations);
  }
  if (s.trace.empty()) small.short_durations = expected_short_durations(s);
  if (!s.trace.empty()) {
    std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.submit_s < b.submit_s; });
    for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i].id = static_cast<std::uint32_t>(i);
    for (auto& site_jobs : small.long_jobs) {
      std::stable_sort(site_jobs.begin(), site_jobs.end(),
                       [](const LongSmallJob& a, const LongSmallJob& b) { return a.submit_s < b.submit_s; });
    }
    return jobs;
  }
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return std::tie(a.submit_s, a.site, a.job_class, a.campaign) < std::tie(b.submit_s, b.site, b.job_class, b.campaign);
  });
  for (auto& site_jobs : small.long_jobs) sort_long_jobs(site_jobs);
  std::unordered_map<std::uint64_t, std::uint32_t> last_attempt;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    Job& j = jobs[i];
    j.id = static_cast<std::uint32_t>(i);
    if (j.campaign == kNoJob) continue;
    const std::uint64_t key = (std::uint64_t{j.site} << 48) | (std::uint64_t{j.job_class} << 32) | j.campaign;
    if (j.follows) jobs[last_attempt.at(key)].next_attempt = j.id;
    last_attempt[key] = j.id;
  }
  if (!fed.empty()) feed->start(s, small, std::move(fed));
  return jobs;
}

}  // namespace

std::vector<Job> generate_workload(const Scenario& s, AggregateArrivals& small) { return draw_workload(s, small, nullptr); }

std::vector<Job> generate_workload(const Scenario& s, AggregateArrivals& small, SmallJobFeed& feed) {
  return draw_workload(s, small, &feed);
}

}  // namespace dctwin::sim
