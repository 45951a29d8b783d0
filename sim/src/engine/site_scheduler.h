#pragma once
// One site's nodes, queue, running work and power state, driven by one SimGrid actor.
// Jobs are activities (one exec per node a job holds), never actors. Internal to the engine.
#include <simgrid/s4u.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "dctwin/models/climate.h"
#include "dctwin/models/facility.h"
#include "dctwin/models/gpu_model.h"
#include "dctwin/sim/platform.h"
#include "dctwin/sim/run_result.h"
#include "dctwin/sim/scenario.h"

namespace dctwin::sim::engine {

// The facility as built for `nodes` commissioned nodes: its power chain is rated for them.
models::FacilityModel build_facility(const Site& site, std::size_t nodes);

class SiteScheduler {
 public:
  SiteScheduler(const Site& site, const SiteNodes& nodes, std::vector<JobRecord>& records,
                std::vector<std::uint32_t> arrivals, std::vector<models::Interval> outages,
                const std::vector<models::WeatherHour>& weather, double step_s, double horizon_s, double& events);

  void operator()();  // the actor's body: runs until the horizon

  int gpus_online() const { return static_cast<int>(online_) * gpus_per_node_; }
  int gpus_busy() const { return gpus_busy_; }
  int pstate() const { return pstate_; }
  std::size_t submitted() const { return next_arrival_; }
  std::size_t finished() const { return finished_; }
  double capped_s_until(double now) const;  // cumulative
  bool on_generators() const { return in_outage_ && site_.backup.generator_units > 0; }

 private:
  struct Slice {
    std::uint32_t job;
    std::uint32_t node;
    int gpus;
  };

  double next_event_s() const;
  void commission_due(double now);
  void admit_due(double now);
  void outage_edges_due(double now);
  void weather_due(double now);
  void start_what_fits(double now);
  std::vector<Slice> place(const Job& job) const;
  void finish_slice(std::size_t index);
  void kill_job(std::uint32_t job, double now);

  // Power: the largest IT load the supply allows, and the pstate and powered nodes within it.
  double supply_limit_w() const;
  void update_it_budget();
  double it_power_w(int pstate, int powered_nodes, int busy_gpus) const;
  void rebalance(double now);
  void set_pstate(int p);
  void mark_capped(double now, bool capped);

  const Site& site_;
  const SiteNodes& nodes_;
  std::vector<JobRecord>& records_;
  std::vector<std::uint32_t> arrivals_;
  std::vector<models::Interval> outages_;
  models::GpuModel gpu_;
  std::optional<models::FacilityModel> facility_;
  int gpus_per_node_;
  double horizon_s_;
  double& events_;

  // nodes [0, online_) are commissioned; of those, powered_ ones are switched on
  std::vector<int> free_gpus_;
  std::vector<char> powered_;
  std::size_t online_ = 0;
  int powered_count_ = 0;
  int fully_free_nodes_ = 0;  // powered and idle
  int gpus_busy_ = 0;
  std::size_t next_arrival_ = 0;
  std::size_t finished_ = 0;
  std::deque<std::uint32_t> queue_;
  std::vector<simgrid::s4u::ExecPtr> execs_;
  std::vector<Slice> slices_;
  std::vector<std::uint32_t> pending_slices_;  // per job
  std::vector<std::uint32_t> start_order_;     // running jobs, most recent last (lazily pruned)

  const std::vector<models::WeatherHour>& weather_;  // hourly, from the scenario start
  double step_s_;
  std::size_t weather_hour_ = static_cast<std::size_t>(-1);
  std::size_t next_outage_edge_ = 0;  // index into outages_ * 2 (start, end alternate)
  bool in_outage_ = false;
  double it_budget_w_ = 0;
  int pstate_ = 0;
  bool held_for_power_ = false;
  bool capped_ = false;
  double capped_since_s_ = 0;
  double capped_total_s_ = 0;
};

}  // namespace dctwin::sim::engine
