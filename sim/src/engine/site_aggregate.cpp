// Aggregated fidelity: small short jobs as a fluid load beside the discrete jobs.
#include "site_scheduler.h"

#include "broker.h"

#include <algorithm>
#include <cmath>

namespace dctwin::sim::engine {
namespace {
namespace sg4 = simgrid::s4u;
constexpr double kTimeEpsilon_s = 1e-6;
}  // namespace

// At an aggregate step boundary: the last step's small jobs are done with their GPUs, and
// the small jobs arriving in the step now beginning join the queue: one batch, taken to
// arrive at the step's middle, whose work the fluid spreads over the step (as jobs arriving
// through the step and starting as they arrive would use it).
void SiteScheduler::aggregate_boundary(double now) {
  const double step = scenario_.fidelity.step_s;
  if (aggregate_running_ && now >= aggregate_plan_.expected_end_s - kTimeEpsilon_s)
    stop_aggregate(now);
  broker_.route_small_due(now);  // fills every site's inbox up to this step
  const std::size_t classes = small_.classes;
  // One batch per step and priority level: higher levels are served first, each in arrival
  // order.
  std::map<std::pair<std::size_t, int>, Batch> batches;
  for (const SmallArrival& in : small_inbox_) {
    Batch& b = batches[{in.bin, scenario_.job_classes[in.job_class].priority}];
    if (b.jobs.empty()) {
      b.arrive_s = (static_cast<double>(in.bin) + 0.5) * step;
      b.jobs.assign(classes, 0);
      b.gpu_s.assign(classes, 0);
    }
    b.jobs[in.job_class] += in.jobs;
    b.gpu_s[in.job_class] += in.gpu_s;
    b.total_gpu_s += in.gpu_s;
    const auto month = static_cast<std::size_t>(calendar_.month_index_at(b.arrive_s));
    auto& m = series_.aggregate[month * classes + in.job_class];
    m.jobs += in.jobs;
    m.work_gpu_s += in.gpu_s;
  }
  small_inbox_.clear();
  inbox_gpu_s_ = 0;
  for (auto& [key, b] : batches) {
    b.left_gpu_s = b.total_gpu_s;
    backlog_gpu_s_ += b.total_gpu_s;
    backlog_[key.second].push_back(std::move(b));
  }
}

// The fluid's GPUs hold no engine activity: their draw above idle is the energy plugin's
// linear model (models::GpuModel::node_power) applied to them, at the site's pstate.
void SiteScheduler::account_aggregate_energy(double now) {
  if (aggregate_running_ && now > aggregate_energy_at_s_) {
    const models::NodePowerState w = gpu_.node_power(pstate_);
    aggregate_energy_j_ += aggregate_gpus_ * (w.all_busy_w - w.epsilon_w) / gpus_per_node_ * (now - aggregate_energy_at_s_);
  }
  aggregate_energy_at_s_ = now;
}

double SiteScheduler::aggregate_energy_j(double now) {
  account_aggregate_energy(now);
  return aggregate_energy_j_;
}

void SiteScheduler::admit_small(std::size_t bin, std::size_t job_class, double jobs, double gpu_s) {
  small_inbox_.push_back({bin, job_class, jobs, gpu_s});
  inbox_gpu_s_ += gpu_s;
}

// Holds free GPUs (within the power budget at the slowest clock) until the next boundary,
// as many as the backlog needs at full clock.
void SiteScheduler::start_aggregate(double now) {
  const double step = scenario_.fidelity.step_s;
  const double end = (std::floor(now / step + kTimeEpsilon_s) + 1) * step;
  if (end - now <= kTimeEpsilon_s) return;
  const int free_gpus = pool_.usable_nodes() * gpus_per_node_ - pool_.busy_gpus();
  int want =
      static_cast<int>(std::min<double>(free_gpus, std::ceil(backlog_gpu_s_ / (end - now) - 1e-9)));
  const int slowest = gpu_.pstate_count() - 1;
  while (want > 0 && it_power_w(slowest, powered_count_, pool_.busy_gpus() + want) > it_budget_w_)
    --want;
  if (want <= 0) return;
  std::vector<Slice> slices = pool_.place_spread(want);
  account_busy(now);
  pool_.take(slices);
  aggregate_plan_ = {end, std::move(slices)};
  aggregate_gpus_ = want;
  aggregate_since_s_ = now;
  aggregate_energy_at_s_ = now;
  aggregate_progress_start_s_ = progress_s(now);
  aggregate_running_ = true;
  rebalance(now);
}

void SiteScheduler::stop_aggregate(double now) {
  account_aggregate_energy(now);
  aggregate_running_ = false;
  account_busy(now);
  pool_.give(aggregate_plan_.slices);
  const double served = aggregate_gpus_ * (progress_s(now) - aggregate_progress_start_s_);
  serve(served, aggregate_since_s_, now);
  aggregate_plan_.slices.clear();
  aggregate_gpus_ = 0;
}

// Highest priority first, then first in, first out: the work served in [from, to) finishes
// batches in that order. A
// batch's jobs arrive spread over its step [a, a + T) and start spread over its service
// [begin, end], so the job at fraction u waits begin - a + u ((end - begin) - T), never less
// than 0; four quarter-points of u stand for the batch's jobs.
void SiteScheduler::serve(double gpu_s, double from_s, double to_s) {
  const double total = gpu_s;
  double done = 0;
  const std::size_t classes = small_.classes;
  for (auto& [priority, queue] : backlog_) {
    while (gpu_s > 1e-9 && !queue.empty()) {
      Batch& b = queue.front();
      const double take = std::min(gpu_s, b.left_gpu_s);
      if (b.begin_s < 0) b.begin_s = from_s + (to_s - from_s) * (done / total);
      done += take;
      gpu_s -= take;
      b.left_gpu_s -= take;
      backlog_gpu_s_ -= take;
      if (b.left_gpu_s > 1e-6 * b.total_gpu_s) break;
      const double end = from_s + (to_s - from_s) * (done / total);
      const double step = scenario_.fidelity.step_s;
      const double arrived = b.arrive_s - 0.5 * step;  // the step's start
      const auto month =
          static_cast<std::size_t>(calendar_.month_index_at(std::min(end, horizon_s_ - 1)));
      for (std::size_t c = 0; c < classes; ++c) {
        if (b.jobs[c] <= 0) continue;
        auto& m = series_.aggregate[month * classes + c];
        m.served_jobs += b.jobs[c];
        m.served_gpu_s += b.gpu_s[c];
        for (double u : {0.125, 0.375, 0.625, 0.875}) {
          const double wait = std::max(0.0, b.begin_s - arrived + u * ((end - b.begin_s) - step));
          m.waits.emplace_back(wait, b.jobs[c] / 4);
        }
      }
      backlog_gpu_s_ = std::max(0.0, backlog_gpu_s_ - b.left_gpu_s);  // the rounding left over
      queue.pop_front();
    }
  }
}

}  // namespace dctwin::sim::engine
