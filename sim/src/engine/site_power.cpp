// The site's power governor: supply limit, IT budget, pstates, nodes on and off.
#include "site_scheduler.h"

#include <algorithm>
#include <cmath>

namespace dctwin::sim::engine {
namespace {
namespace sg4 = simgrid::s4u;
}  // namespace

double SiteScheduler::supply_limit_w() const {
  double limit = site_.grid.connection_w;
  if (in_outage_)
    limit = site_.backup.generator_units * site_.backup.generator_curve.rated_kw * 1000.0;
  if (site_.power_limit_w > 0) limit = std::min(limit, site_.power_limit_w);
  return limit;
}

void SiteScheduler::update_it_budget() {
  it_budget_w_ = facility_ ? facility_->max_it_w(supply_limit_w(), weather_[weather_hour_]) : 0.0;
}

double SiteScheduler::it_power_w(int pstate, int powered_nodes, int busy_gpus) const {
  const models::NodePowerState& w = node_power_[static_cast<std::size_t>(pstate)];
  return powered_nodes * w.idle_w + (w.all_busy_w - w.epsilon_w) / gpus_per_node_ * busy_gpus;
}

// The energy plugin's linear model (models::GpuModel::node_power: idle, and all-busy at each
// pstate, epsilon = idle) integrated over time: called before anything that changes the
// powered nodes, the pstate or the busy GPUs.
void SiteScheduler::account_it_energy(double now) {
  if (now > it_energy_at_s_) {
    const models::NodePowerState& w = node_power_[static_cast<std::size_t>(pstate_)];
    const double per_gpu_w = (w.all_busy_w - w.epsilon_w) / gpus_per_node_;
    const double dt = now - it_energy_at_s_;
    const double whole_w = powered_count_ * w.idle_w + (fluid_gpus() + computing_gpus_) * per_gpu_w;
    if (energy_from_plugin_) {
      it_energy_j_ += fluid_gpus() * per_gpu_w * dt;  // the execs' nodes are the plugin's
      model_check_energy_j_ += whole_w * dt;
    } else {
      it_energy_j_ += whole_w * dt;
    }
  }
  it_energy_at_s_ = now;
}

double SiteScheduler::it_energy_j(double now) {
  account_it_energy(now);
  return it_energy_j_;
}

void SiteScheduler::set_node_power(std::size_t n, bool on) {
  if (on == (powered_[n] != 0)) return;
  account_it_energy(sg4::Engine::get_clock());
  if (on) {
    nodes_.hosts[n]->turn_on();
    nodes_.hosts[n]->set_pstate(pstate_);
    ++powered_count_;
  } else {
    nodes_.hosts[n]->turn_off();
    --powered_count_;
  }
  powered_[n] = on;
  pool_.set_usable(n, on);
}

// Keeps the IT load within the budget: the fastest clock that fits; failing that, idle nodes
// switched off; failing that, the most recently started jobs stopped. Nodes in service come
// back on when they fit without slowing the clock.
void SiteScheduler::rebalance(double now) {
  const int slowest = gpu_.pstate_count() - 1;
  auto fastest_fitting = [&](int powered) {
    for (int p = 0; p <= slowest; ++p) {
      if (it_power_w(p, powered, pool_.busy_gpus()) <= it_budget_w_) return p;
    }
    return -1;
  };
  FailureEvent shortfall{now, 0, -1, 0, false, 0, 0};
  while (fastest_fitting(powered_count_) < 0) {
    if (aggregate_running_) {
      stop_aggregate(now);
      continue;
    }
    if (held_.gpus() > 0) {
      drop_long(now);
      continue;
    }
    if (pool_.fully_free_nodes() > 0) {
      for (std::size_t n = online_; n-- > 0;) {
        if (powered_[n] && pool_.free_gpus(n) == gpus_per_node_) {
          set_node_power(n, false);
          break;
        }
      }
      continue;
    }
    while (!start_order_.empty() && !running_.count(start_order_.back())) start_order_.pop_back();
    if (start_order_.empty()) break;
    const std::uint32_t victim = start_order_.back();
    start_order_.pop_back();
    shortfall.jobs_interrupted += interrupt(victim, now, shortfall.lost_gpu_s);
  }
  if (shortfall.jobs_interrupted > 0) series_.failures.push_back(shortfall);
  const int p = fastest_fitting(powered_count_);
  const int in_service = static_cast<int>(online_) - down_count_;
  for (std::size_t n = 0; n < online_ && p >= 0 && powered_count_ < in_service; ++n) {
    if (powered_[n] || down_until_[n] > 0 || fastest_fitting(powered_count_ + 1) != p) continue;
    set_node_power(n, true);
  }
  set_pstate(std::max(p, 0));
  mark_capped(now, p != 0 || powered_count_ < in_service || held_for_power_);
}

void SiteScheduler::set_pstate(int p) {
  if (p == pstate_) return;
  const double now = sg4::Engine::get_clock();
  account_it_energy(now);
  progress_s_ = progress_s(now);
  progress_at_s_ = now;
  clock_ = site_.gpu.pstate_clocks[static_cast<std::size_t>(p)];
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
