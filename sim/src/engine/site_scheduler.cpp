#include "site_scheduler.h"

#include <algorithm>
#include <cmath>

namespace dctwin::sim::engine {
namespace {
namespace sg4 = simgrid::s4u;
constexpr double kTimeEpsilon_s = 1e-6;
}  // namespace

models::FacilityModel build_facility(const Site& site, std::size_t nodes) {
  const double design_it_w = static_cast<double>(nodes) * models::GpuModel(site.gpu).node_peak_w();
  return models::FacilityModel(site.cooling, models::PowerChain::with_defaults(design_it_w));
}

SiteScheduler::SiteScheduler(const Site& site, const SiteNodes& nodes, std::vector<JobRecord>& records,
                             std::vector<std::uint32_t> arrivals, std::vector<models::Interval> outages,
                             const std::vector<models::WeatherHour>& weather, double step_s, double horizon_s,
                             double& events)
    : site_(site),
      nodes_(nodes),
      records_(records),
      arrivals_(std::move(arrivals)),
      outages_(std::move(outages)),
      gpu_(site.gpu),
      gpus_per_node_(site.gpu.gpus_per_node),
      horizon_s_(horizon_s),
      events_(events),
      free_gpus_(nodes.hosts.size(), 0),
      powered_(nodes.hosts.size(), 0),
      pending_slices_(records.size(), 0),
      weather_(weather),
      step_s_(step_s) {}

void SiteScheduler::operator()() {
  while (true) {
    const double now = sg4::Engine::get_clock();
    weather_due(now);
    outage_edges_due(now);
    commission_due(now);
    admit_due(now);
    start_what_fits(now);
    if (now >= horizon_s_ - kTimeEpsilon_s) break;
    const double timeout = std::max(0.0, next_event_s() - now);
    if (execs_.empty()) {
      sg4::this_actor::sleep_for(timeout);
      continue;
    }
    const ssize_t done = sg4::Exec::wait_any_for(execs_, timeout);
    if (done >= 0) {
      finish_slice(static_cast<std::size_t>(done));
      rebalance(sg4::Engine::get_clock());
    }
  }
  for (auto& e : execs_) e->cancel();
  mark_capped(horizon_s_, false);
}

double SiteScheduler::next_event_s() const {
  double next = horizon_s_;
  if (next_arrival_ < arrivals_.size()) next = std::min(next, records_[arrivals_[next_arrival_]].job.submit_s);
  if (online_ < nodes_.hosts.size()) next = std::min(next, nodes_.commission_s[online_]);
  if (next_outage_edge_ < 2 * outages_.size()) {
    const auto& o = outages_[next_outage_edge_ / 2];
    next = std::min(next, next_outage_edge_ % 2 == 0 ? o.start_s : o.end_s);
  }
  // Weather changes every step; the power budget follows it.
  const double now = sg4::Engine::get_clock();
  next = std::min(next, (std::floor(now / step_s_ + kTimeEpsilon_s) + 1) * step_s_);
  return next;
}

void SiteScheduler::weather_due(double now) {
  const auto hour = std::min(static_cast<std::size_t>(now / 3600.0 + kTimeEpsilon_s), weather_.size() - 1);
  if (hour == weather_hour_) return;
  weather_hour_ = hour;
  update_it_budget();
  rebalance(now);
}

void SiteScheduler::outage_edges_due(double now) {
  bool changed = false;
  while (next_outage_edge_ < 2 * outages_.size()) {
    const auto& o = outages_[next_outage_edge_ / 2];
    const bool is_start = next_outage_edge_ % 2 == 0;
    if ((is_start ? o.start_s : o.end_s) > now + kTimeEpsilon_s) break;
    ++next_outage_edge_;
    changed = true;
    const Backup& b = site_.backup;
    const bool ridden_through = b.generator_units == 0 && o.end_s - o.start_s <= b.ups_ride_through_s;
    in_outage_ = is_start && !ridden_through;
    // Generators slower to start than the UPS can bridge: the load drops for a moment.
    if (is_start && b.generator_units > 0 && b.generator_start_s > b.ups_ride_through_s) {
      while (!slices_.empty()) kill_job(slices_.back().job, now);
    }
  }
  if (changed) {
    update_it_budget();
    rebalance(now);
  }
}

void SiteScheduler::commission_due(double now) {
  bool changed = false;
  while (online_ < nodes_.hosts.size() && nodes_.commission_s[online_] <= now + kTimeEpsilon_s) {
    sg4::Host* host = nodes_.hosts[online_];
    if (!host->is_on()) host->turn_on();
    host->set_pstate(pstate_);
    powered_[online_] = 1;
    ++powered_count_;
    free_gpus_[online_] = gpus_per_node_;
    ++fully_free_nodes_;
    ++online_;
    changed = true;
  }
  if (!changed) return;
  facility_.emplace(build_facility(site_, online_));
  update_it_budget();
  rebalance(now);
}

void SiteScheduler::admit_due(double now) {
  while (next_arrival_ < arrivals_.size() && records_[arrivals_[next_arrival_]].job.submit_s <= now + kTimeEpsilon_s) {
    queue_.push_back(arrivals_[next_arrival_++]);
  }
}

// FCFS: the head of the queue starts as soon as it fits, in GPUs and in the power budget at
// the lowest clock; nothing overtakes it.
void SiteScheduler::start_what_fits(double now) {
  const int slowest = gpu_.pstate_count() - 1;
  bool started = false;
  held_for_power_ = false;
  while (!queue_.empty()) {
    JobRecord& r = records_[queue_.front()];
    std::vector<Slice> placement = place(r.job);
    if (placement.empty()) break;
    if (it_power_w(slowest, powered_count_, gpus_busy_ + r.job.gpus) > it_budget_w_) {
      held_for_power_ = true;
      break;
    }
    queue_.pop_front();
    r.state = JobState::kRunning;
    r.start_s = now;
    r.nodes = static_cast<int>(placement.size());
    pending_slices_[r.job.id] = static_cast<std::uint32_t>(placement.size());
    for (const Slice& s : placement) {
      if (free_gpus_[s.node] == gpus_per_node_) --fully_free_nodes_;
      free_gpus_[s.node] -= s.gpus;
      gpus_busy_ += s.gpus;
      // flops per thread: the job's run time at full clock times one GPU's throughput
      auto exec = sg4::Exec::init()
                      ->set_name("job")
                      ->set_flops_amount(r.job.duration_s * gpu_.gpu_flops(0))
                      ->set_host(nodes_.hosts[s.node])
                      ->set_thread_count(s.gpus);
      exec->start();
      execs_.push_back(std::move(exec));
      slices_.push_back(s);
    }
    start_order_.push_back(r.job.id);
    events_ += 1;
    started = true;
  }
  if (started || held_for_power_) rebalance(now);
}

// Jobs smaller than a node go to the fullest powered node that still holds them (best fit);
// larger jobs take whole free nodes.
std::vector<SiteScheduler::Slice> SiteScheduler::place(const Job& job) const {
  std::vector<Slice> out;
  if (job.gpus < gpus_per_node_) {
    std::size_t best = online_;
    for (std::size_t n = 0; n < online_; ++n) {
      if (free_gpus_[n] >= job.gpus && (best == online_ || free_gpus_[n] < free_gpus_[best])) {
        best = n;
        if (free_gpus_[n] == job.gpus) break;
      }
    }
    if (best < online_) out.push_back({job.id, static_cast<std::uint32_t>(best), job.gpus});
    return out;
  }
  const int nodes_needed = job.gpus / gpus_per_node_;
  if (nodes_needed > fully_free_nodes_) return out;
  for (std::size_t n = 0; n < online_ && static_cast<int>(out.size()) < nodes_needed; ++n) {
    if (powered_[n] && free_gpus_[n] == gpus_per_node_) out.push_back({job.id, static_cast<std::uint32_t>(n), gpus_per_node_});
  }
  return out;
}

void SiteScheduler::finish_slice(std::size_t index) {
  const Slice s = slices_[index];
  execs_[index] = std::move(execs_.back());
  execs_.pop_back();
  slices_[index] = slices_.back();
  slices_.pop_back();
  free_gpus_[s.node] += s.gpus;
  if (free_gpus_[s.node] == gpus_per_node_) ++fully_free_nodes_;
  gpus_busy_ -= s.gpus;
  if (--pending_slices_[s.job] == 0) {
    JobRecord& r = records_[s.job];
    r.state = JobState::kFinished;
    r.end_s = sg4::Engine::get_clock();
    events_ += 1;
    ++finished_;
  }
}

// A power shortfall stops the job; it goes back to the head of the queue and restarts from
// the beginning (checkpoints come with the reliability model).
void SiteScheduler::kill_job(std::uint32_t job, double now) {
  JobRecord& r = records_[job];
  for (std::size_t i = slices_.size(); i-- > 0;) {
    if (slices_[i].job != job) continue;
    execs_[i]->cancel();
    const Slice s = slices_[i];
    execs_[i] = std::move(execs_.back());
    execs_.pop_back();
    slices_[i] = slices_.back();
    slices_.pop_back();
    free_gpus_[s.node] += s.gpus;
    if (free_gpus_[s.node] == gpus_per_node_) ++fully_free_nodes_;
    gpus_busy_ -= s.gpus;
  }
  pending_slices_[job] = 0;
  r.interruptions += 1;
  r.lost_gpu_s += r.job.gpus * (now - r.start_s);
  r.state = JobState::kQueued;
  r.start_s = -1;
  r.nodes = 0;
  queue_.push_front(job);
  events_ += 1;
}

double SiteScheduler::supply_limit_w() const {
  double limit = site_.grid.connection_w;
  if (in_outage_) {
    const Backup& b = site_.backup;
    limit = b.generator_units * b.generator_curve.rated_kw * 1000.0;
  }
  if (site_.power_limit_w > 0) limit = std::min(limit, site_.power_limit_w);
  return limit;
}

void SiteScheduler::update_it_budget() {
  it_budget_w_ = facility_ ? facility_->max_it_w(supply_limit_w(), weather_[weather_hour_]) : 0.0;
}

double SiteScheduler::it_power_w(int pstate, int powered_nodes, int busy_gpus) const {
  const models::NodePowerState w = gpu_.node_power(pstate);
  return powered_nodes * w.idle_w + (w.all_busy_w - w.epsilon_w) / gpus_per_node_ * busy_gpus;
}

// Keeps the IT load within the budget: the fastest clock that fits; failing that, idle nodes
// switched off; failing that, the most recently started jobs stopped. Nodes come back on
// when they fit without slowing the clock.
void SiteScheduler::rebalance(double now) {
  const int slowest = gpu_.pstate_count() - 1;
  auto fastest_fitting = [&](int powered) {
    for (int p = 0; p <= slowest; ++p) {
      if (it_power_w(p, powered, gpus_busy_) <= it_budget_w_) return p;
    }
    return -1;
  };
  while (fastest_fitting(powered_count_) < 0) {
    if (fully_free_nodes_ > 0) {
      for (std::size_t n = online_; n-- > 0;) {
        if (powered_[n] && free_gpus_[n] == gpus_per_node_) {
          nodes_.hosts[n]->turn_off();
          powered_[n] = 0;
          free_gpus_[n] = 0;
          --powered_count_;
          --fully_free_nodes_;
          break;
        }
      }
      continue;
    }
    while (!start_order_.empty() && records_[start_order_.back()].state != JobState::kRunning) start_order_.pop_back();
    if (start_order_.empty()) break;
    const std::uint32_t victim = start_order_.back();
    start_order_.pop_back();
    kill_job(victim, now);
  }
  int p = fastest_fitting(powered_count_);
  for (std::size_t n = 0; n < online_ && p >= 0; ++n) {
    if (powered_[n] || fastest_fitting(powered_count_ + 1) != p) continue;
    nodes_.hosts[n]->turn_on();
    nodes_.hosts[n]->set_pstate(pstate_);
    powered_[n] = 1;
    free_gpus_[n] = gpus_per_node_;
    ++powered_count_;
    ++fully_free_nodes_;
  }
  set_pstate(std::max(p, 0));
  mark_capped(now, p != 0 || powered_count_ < static_cast<int>(online_) || held_for_power_);
}

void SiteScheduler::set_pstate(int p) {
  if (p == pstate_) return;
  pstate_ = p;
  for (std::size_t n = 0; n < online_; ++n) {
    if (powered_[n]) nodes_.hosts[n]->set_pstate(p);
  }
}

void SiteScheduler::mark_capped(double now, bool capped) {
  if (capped && !capped_) capped_since_s_ = now;
  if (!capped && capped_) capped_total_s_ += now - capped_since_s_;
  capped_ = capped;
}

double SiteScheduler::capped_s_until(double now) const {
  return capped_total_s_ + (capped_ ? now - capped_since_s_ : 0.0);
}

}  // namespace dctwin::sim::engine
