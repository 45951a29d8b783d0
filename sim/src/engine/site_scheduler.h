#pragma once
// One site's nodes, queue, running work, failures and power state, driven by one SimGrid
// actor. Jobs are activities (an exec on their first node, collective traffic as comms), never
// actors. Internal.
#include <simgrid/s4u.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <algorithm>
#include <limits>
#include <map>
#include <cmath>
#include <optional>
#include <queue>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "dctwin/models/climate.h"
#include "dctwin/models/facility.h"
#include "dctwin/models/gpu_model.h"
#include "dctwin/models/random_stream.h"
#include "dctwin/sim/easy_backfill.h"
#include "dctwin/sim/node_pool.h"
#include "dctwin/sim/platform.h"
#include "dctwin/sim/run_result.h"
#include "dctwin/sim/scenario.h"
#include "dctwin/sim/workload.h"
#include "held_jobs.h"

namespace dctwin::sim::engine {

// The first boundary of a grid of `step_s` seconds after `now`; an instant on a boundary
// (within a microsecond) counts as past it.
inline double next_boundary_s(double now, double step_s) { return (std::floor(now / step_s + 1e-6) + 1) * step_s; }

class Broker;

// The facility as built for `nodes` commissioned nodes: its power chain is rated for them.
models::FacilityModel build_facility(const Site& site, std::size_t nodes);

class SiteScheduler {
 public:
  SiteScheduler(const Scenario& scenario, std::size_t site_index, const SiteNodes& nodes,
                std::vector<JobRecord>& records, std::vector<models::Interval> outages,
                const std::vector<models::WeatherHour>& weather, double horizon_s, double& events,
                SiteSeries& series, Broker& broker, const AggregateArrivals& small,
                bool energy_from_plugin = false);

  void operator()();  // the actor's body: runs until the horizon

  void enqueue(std::uint32_t job);  // a job sent here to wait (by the broker or its home site)
  // Aggregated fidelity: small jobs of one class and aggregate step sent here to be served;
  // `node_sized_gpu_s` of their work is that of jobs of a node or more.
  void admit_small(std::size_t bin, std::size_t job_class, double jobs, double gpu_s, double node_sized_gpu_s);
  // Aggregated fidelity: a small job longer than a step, sent here to be served.
  void admit_long(const LongSmallJob& job);
  // A job sent here whose data is still crossing the WAN: it waits once `transfer` is done.
  void expect(std::uint32_t job, simgrid::s4u::CommPtr transfer);
  // Expected wait of a discrete job of `gpus` GPUs sent here now: the work exact fidelity's
  // queue would hold (not the short work in aggregate) over the usable GPUs, plus its EASY
  // reservation when it doesn't fit now.
  double expected_wait_s(int gpus, int priority);
  // Whether a job sent here now would start at once, whatever the queue: it fits (within the
  // power budget), and it would head the queue, or EASY would let it pass the head: within
  // `backfill_depth` places of it, ending by the head's reservation or leaving it room.
  bool would_start_now(const JobRecord& job);
  // How long one GPU waits for running work to end when none is free now (0 when one is).
  // Admitting work leaves it as it is, so the broker finds it once a routing round.
  double one_gpu_reservation_s();
  // Expected wait of a long small job in aggregate sent here: every queue here, the fluid's
  // too, over the usable GPUs, plus `one_gpu_reservation_s`.
  double fluid_wait_s(double one_gpu_reservation_s) const;
  // Expected wait of a bin of short work sent here: the discrete queue over the usable GPUs,
  // and the fluid's own queue over the GPUs discrete jobs leave to small work, plus
  // `one_gpu_reservation_s` (docs/models.md, "Aggregated fidelity").
  double short_work_wait_s(double one_gpu_reservation_s) const;
  // GPU-seconds free over the next `step_s` beyond the work already waiting here: the GPUs
  // neither discrete jobs nor held small jobs use, times the step, less the short work queued
  // and the GPUs of the long small jobs waiting, which take those for the step, not their
  // whole work.
  double spare_gpu_s(double step_s) const;
  // The same for jobs smaller than a node: the jobs of a node or more waiting here at a level
  // below the movable classes' take none of it. Those wait for whole nodes and leave the GPUs
  // free on partly used nodes to smaller jobs, which then start at once, as EASY lets them
  // pass; the fluid has no partly used nodes of its own.
  double sub_node_spare_gpu_s(double step_s) const;
  // Whether a long small job of `gpus` GPUs sent here now would start at once: the spare of
  // the step holds its GPUs (as `would_start_now` for a discrete job). Not the spare for jobs
  // smaller than a node, whatever its size: it would hold those GPUs for hours, where as a
  // job it would sit on a partly used node.
  bool has_room_for_long(int gpus, double step_s) const { return spare_gpu_s(step_s) >= gpus * step_s; }
  // Aggregated fidelity: the fluid's hold serves its work up to `now`, so that what the
  // broker then sees waiting here is work its GPUs have not yet done.
  void serve_fluid_until(double now);

  int gpus_online() const { return static_cast<int>(online_) * gpus_per_node_; }
  double usable_gpus() const { return static_cast<double>(pool_.usable_nodes()) * gpus_per_node_; }
  int gpus_busy() const { return pool_.busy_gpus(); }
  int pstate() const { return pstate_; }
  std::size_t finished() const { return finished_; }
  double capped_s_until(double now) const;
  double busy_gpu_s_until(double now) const { return busy_gpu_s_ + pool_.busy_gpus() * (now - busy_since_s_); }
  // The site's IT energy since t=0 from the nodes' power model (models::GpuModel::node_power,
  // the energy plugin's linear model): powered nodes at idle plus busy GPUs' draw above it.
  // With energy_from_plugin, only the part no exec runs on (small jobs in aggregate): the
  // rest is the plugin's to read.
  double it_energy_j(double now);
  // With energy_from_plugin: the whole IT energy by the model, to check the plugin against.
  double model_check_energy_j(double now) {
    account_it_energy(now);
    return model_check_energy_j_;
  }

 private:
  struct Running {
    RunningJob plan;  // expected end at full clock and slices, for EASY
    std::vector<simgrid::s4u::ExecPtr> execs;  // one per node
    std::vector<simgrid::s4u::CommPtr> comms;  // the collective's traffic, one per edge
    double progress_start_s = 0;  // the site's progress clock when this run started
    double progress_end_s = 0;    // ... and when its compute will be done
    bool draining = false;        // compute done, traffic still flowing
    int computing_gpus = 0;       // its GPUs while its compute runs (0 once done)
  };
  using QueueKey = std::tuple<int, double, std::uint32_t>;  // -priority, submit, id

  double next_event_s() const;
  void weather_due(double now);
  void outage_edges_due(double now);
  void commission_due(double now);
  void repairs_due(double now);
  void failures_due(double now);
  void skip_failures_on_nodes_down();
  void schedule(double now);
  bool try_start(std::uint32_t job, const std::vector<Slice>& placement, double now);
  void start(std::uint32_t job, const std::vector<Slice>& placement, double now);
  void release(std::uint32_t job, double now);
  // Aggregated fidelity: small jobs as a FIFO fluid that holds free GPUs one aggregate step
  // at a time, after the discrete jobs have been placed.
  void aggregate_boundary(double now);
  void drop_unserved(std::size_t current_step);
  void start_aggregate(double now, bool ahead_only);
  // Ends the hold: its work so far is served and its GPUs let go, all of them, or with
  // `keep_in_flight` all but the tail's, which then hold on alone from `now`.
  void stop_aggregate(double now, bool keep_in_flight = false);
  // At a boundary: the ending step's hold is served and its GPUs, `ending`, are let go except
  // those of the short work in flight, kept as a tail that frees them as the nodes of the jobs
  // that would hold them come free (node_free_quantiles).
  std::vector<Slice> end_step_hold(double now);
  void serve_hold_until(double now);
  void keep_tail(double now, std::vector<Slice> ending);
  void add_tail_part(RunningJob part);
  void release_tail_due(double now);
  bool fluid_wants_more(double now) const;
  // A long small job of class `job_class` admitted (+1) or started (-1).
  void note_long_waiting(int gpus, std::size_t job_class, int change);
  bool below_movable(std::size_t job_class) const { return class_levels_[job_class] < movable_level_; }
  double spare_gpu_s(double step_s, bool sub_node) const;
  // `spare_gpus`: free GPUs beside the hold that its jobs start on (note_hold_spare).
  void serve(double gpu_s, double from_s, double to_s, double spare_gpus);
  void account_it_energy(double now);
  void end_modelled_load(Running& run, double now);
  // `queued_gpu_s` over the usable GPUs, plus the EASY reservation of a job of `gpus` GPUs
  // that doesn't fit now.
  double wait_behind_s(double queued_gpu_s, int gpus, int priority);
  double reservation_s(int gpus, int priority);
  // Small jobs longer than a step hold their GPUs from step to step (pooled, not per job):
  // started at most once a step, released at the step their run ends in.
  struct DiscreteHead {
    bool any = false;
    int priority = 0;
    double submit_s = 0;
    int gpus = 0;
    std::uint32_t job = 0;
  };
  DiscreteHead discrete_head() const;
  // Notes when the queue's head began to wait, and the short work's GPUs then (keep_tail).
  void note_waiting_head(std::uint32_t job, double now);
  struct HeadRoom {
    double shadow_s = std::numeric_limits<double>::infinity();  // the head's reservation
    int extra_gpus = 0;  // GPUs free then beyond what the head needs
  };
  HeadRoom head_room(const DiscreteHead& head, double now);
  void note_hold_spare(const DiscreteHead& head, bool head_blocks, double end, int free_now,
                       const std::function<HeadRoom&()>& room_now);
  struct Batch;
  // Returns the GPUs the long jobs took; `sub_node_gpus` of them for jobs smaller than a node.
  // `room_now`: the head's reservation and spare GPUs, found once a pass; held jobs use up the
  // spare GPUs they take.
  int start_long(double now, int capacity, bool ahead_only, const DiscreteHead& head,
                 const std::function<HeadRoom&()>& room_now,
                 const std::function<void(int, const std::deque<Batch>&, int&)>& after_level,
                 int& sub_node_gpus);
  int gpus_for_short_before(const Batch& b, double submit_s, double earlier_gpu_s, double to_boundary_s) const;
  void release_long_due(std::size_t step, double now);
  void drop_long(double now);  // jobs lose their GPUs and wait again for their work
  void move_long_off(std::uint32_t node, double now);
  void add_served(std::size_t job_class, double jobs, double gpu_s, double from_s, double to_s);
  void requeue_work(double gpu_s, double now, bool running = false);
  int fluid_gpus() const { return (aggregate_running_ ? aggregate_gpus_ : 0) + held_.gpus(); }

  // Running work by expected end, as EASY sees it for a head of `head_priority`: the
  // aggregate's GPUs held to the next boundary (but for a served load ahead of the head, which
  // takes its GPUs back there), the long holds and the tail included, merged as EASY walks it
  // rather than listed whole on every pass.
  class RunningEndOrder final : public EndOrder {
   public:
    RunningEndOrder(const SiteScheduler& site, int head_priority);
    RunningEndOrder(const RunningEndOrder&) = delete;  // hold_ may point into it
    RunningEndOrder& operator=(const RunningEndOrder&) = delete;
    void rewind() override;
    const RunningJob* next() override;

   private:
    const SiteScheduler& site_;
    const RunningJob* hold_ = nullptr;  // the aggregate's GPUs that come free for the head
    RunningJob hold_freed_;             // storage when that is part of the hold
    int kept_gpus_ = 0;                 // > 0: hold_freed_'s slices are still to be worked out
    std::set<std::pair<double, std::uint32_t>>::const_iterator discrete_;
    bool aggregate_due_ = false;
    const std::vector<const RunningJob*>* long_ = nullptr;
    std::size_t next_long_ = 0;
    std::size_t next_tail_ = 0;
  };
  RunningEndOrder running_by_end(int head_priority) const { return RunningEndOrder(*this, head_priority); }
  // The aggregate's GPUs that stand for a served load ahead of a head of `head_priority`.
  int served_hold_gpus_ahead_of(int head_priority) const;
  int priority_of(std::uint32_t job) const;
  void finish(std::uint32_t job, double now);
  void compute_done(std::uint32_t job, double now);
  void wait_for_next(double timeout);
  // The site's progress clock: full-clock seconds of work done by any running GPU since t=0.
  // All powered nodes share one pstate, so every running job advances by the same amount and
  // jobs finish in the order of their progress_end_s, whatever the clock did in between:
  // the scheduler waits on the first one only, at a cost that doesn't grow with the number
  // of running jobs.
  double progress_s(double now) const { return progress_s_ + (now - progress_at_s_) * clock_; }
  int interrupt(std::uint32_t job, double now, double& lost_gpu_s);
  void account_busy(double now);

  double supply_limit_w() const;
  void update_it_budget();
  double it_power_w(int pstate, int powered_nodes, int busy_gpus) const;
  void rebalance(double now);
  void set_node_power(std::size_t node, bool on);
  void set_pstate(int p);
  void mark_capped(double now, bool capped);

  const Scenario& scenario_;
  bool energy_from_plugin_;
  bool fluid_;  // Scenario::has_fluid(): some load is carried in aggregate
  const Site& site_;
  std::size_t site_index_;
  const SiteNodes& nodes_;
  std::vector<JobRecord>& records_;
  std::vector<models::Interval> outages_;
  const std::vector<models::WeatherHour>& weather_;
  models::GpuModel gpu_;
  std::vector<models::NodePowerState> node_power_;  // gpu_.node_power(p), looked up often
  int gpus_per_node_;
  double horizon_s_;
  double& events_;
  SiteSeries& series_;
  Broker& broker_;

  NodePool pool_;
  std::vector<char> powered_;
  std::vector<double> down_until_;  // 0: in service
  std::size_t online_ = 0;
  int powered_count_ = 0;
  int down_count_ = 0;  // commissioned nodes out of service after a failure
  std::set<QueueKey> queue_;
  double queued_gpu_s_ = 0;  // work waiting here
  std::unordered_map<std::uint32_t, Running> running_;
  std::set<std::pair<double, std::uint32_t>> by_end_;       // expected end at full clock, for EASY
  std::set<std::pair<double, std::uint32_t>> by_progress_;  // progress_end_s: the finishing order
  std::vector<simgrid::s4u::ActivityPtr> waiting_on_;       // the next exec, draining traffic, transfers
  std::vector<std::uint32_t> waiting_job_;                  // the job of each
  std::set<std::uint32_t> draining_;
  std::vector<std::pair<std::uint32_t, simgrid::s4u::CommPtr>> incoming_;
  double progress_s_ = 0, progress_at_s_ = 0, clock_ = 1.0;
  std::vector<std::uint32_t> start_order_;    // running jobs, most recent last (lazily pruned)
  EasyBackfill easy_;
  std::size_t finished_ = 0;

  // aggregated fidelity
  struct Batch {
    double arrive_s = 0;
    double left_gpu_s = 0, total_gpu_s = 0;
    std::vector<double> jobs, gpu_s;  // per class, jobs no longer than a step
    int points_started = 0;           // of its quarter-points of arrivals (u = 1/8 ... 7/8)
    double point_start_s[4] = {};     // when each started
    bool counted = false;             // work already counted as served (remainders, restarts)
    bool running = false;             // held jobs' last parts: counted, but coming in over the step
    bool served = false;              // a served class's load: what its step can't serve is dropped
    double node_sized_gpu_s = 0;      // of total_gpu_s, the work of jobs of a node or more
    std::vector<LongSmallJob> long_jobs;  // longer jobs not yet started, in arrival order
    bool done() const { return left_gpu_s <= 1e-6 * std::max(1.0, total_gpu_s) && long_jobs.empty(); }
  };
  bool ahead_of(const DiscreteHead& head, int priority, const Batch& b) const;
  const AggregateArrivals& small_;
  struct SmallArrival {
    std::size_t bin, job_class;
    double jobs, gpu_s, node_sized_gpu_s;
  };
  std::vector<SmallArrival> small_inbox_;
  std::vector<std::pair<std::tuple<std::size_t, int, bool>, Batch>> arriving_;  // aggregate_boundary's batches
  std::vector<LongSmallJob> long_inbox_;
  double inbox_gpu_s_ = 0;
  double inbox_long_gpu_s_ = 0;  // of it, long small jobs' work
  int inbox_long_gpus_ = 0;      // ... and their GPUs
  double long_waiting_gpu_s_ = 0;     // work of long small jobs admitted and not yet started
  int long_waiting_gpus_ = 0;          // ... their GPUs
  int long_waiting_sub_node_ = 0;      // ... of them smaller than a node
  std::map<int, int> long_waiting_nodes_;  // ... the others by the whole nodes each needs: how many
  HeldJobs held_;  // the long small jobs started, on their GPUs until their runs end
  std::vector<HeldJobs::Start> started_whole_, started_sub_node_;  // by start_long, to be placed
  double long_planned_at_s_[2] = {-1, -1};  // the instant each call of a pass last started long jobs
  models::SimCalendar calendar_;
  std::map<int, std::deque<Batch>, std::greater<>> backlog_;  // by priority, highest first
  double backlog_gpu_s_ = 0;
  int hold_spare_gpus_ = 0;  // note_hold_spare: free GPUs the fluid's jobs would start on
  // Each level's work left and its held jobs not yet started: kept as the batches change, so
  // that a pass need not walk a long backlog (an overloaded site's). A level's books start
  // again from zero once it empties.
  struct LevelBooks {
    double left_gpu_s = 0;
    int long_jobs = 0;
    std::size_t batches_before_long = 0;  // leading batches known to hold no long job waiting
    double node_sized_left_gpu_s = 0;     // of left_gpu_s, jobs of a node or more
  };
  std::map<int, LevelBooks, std::greater<>> level_books_;
  std::vector<int> served_levels_;  // the levels served classes queue at
  std::vector<int> class_levels_;   // each class's level in the fluid's queue
  int movable_level_ = 0;           // ... that of the classes that may move
  // The jobs of a node or more waiting at levels below movable_level_ (sub_node_spare_gpu_s):
  // short work admitted this routing round, and the GPUs of long jobs admitted, this round
  // and before (the short work queued is in level_books_).
  struct NodeSizedBelowMovable {
    double inbox_gpu_s = 0;
    int inbox_long_gpus = 0, long_gpus = 0;
  } node_sized_below_;
  // The jobs' work left in the backlog (a served load's apart), in whole units of 2^-10
  // GPU-seconds, so that kept batch by batch it is exactly the sum afresh: the broker's choice
  // between sites hangs on its last bits. Room for 2.5e12 GPU-hours, over
  // 10,000 times the default's whole demand (2.2e8 over four years).
  std::int64_t jobs_left_units_ = 0;
  static std::int64_t work_units(double gpu_s);
  static double node_sized_share(const Batch& b);
  void count_jobs_left(const Batch& b, double left_before);
  void add_work(int priority, const Batch& b);
  void take_work(int priority, Batch& b, double gpu_s);
  void pop_done(int priority, std::deque<Batch>& queue);
  double jobs_left_gpu_s() const;
  bool aggregate_running_ = false;
  RunningJob aggregate_plan_;
  int aggregate_gpus_ = 0;            // the hold's GPUs, the tail's included
  std::vector<RunningJob> tail_;      // GPUs of short work in flight at a boundary, by release
  int tail_gpus_ = 0;
  std::array<double, kTailTranches> node_free_s_{};  // node_free_quantiles for this site's nodes
  static constexpr std::uint32_t kNoJob = UINT32_MAX;
  std::uint32_t waiting_head_ = kNoJob;  // the discrete head that waits, since when, and the
  double waiting_since_s_ = 0;           // short work's GPUs then
  int waiting_hold_gpus_ = 0;
  double it_energy_j_ = 0, it_energy_at_s_ = 0;  // integrated up to it_energy_at_s_
  int computing_gpus_ = 0;            // GPUs of discrete jobs whose compute runs
  double model_check_energy_j_ = 0;   // with energy_from_plugin: the model's whole figure
  double aggregate_since_s_ = 0, aggregate_progress_start_s_ = 0;

  // reliability
  models::RandomStream failure_rng_;
  double failure_rate_per_node_s_ = 0;
  std::vector<double> cause_weights_;
  double next_failure_s_ = 0;
  std::priority_queue<std::pair<double, std::uint32_t>, std::vector<std::pair<double, std::uint32_t>>,
                      std::greater<>> repairs_;
  std::priority_queue<double, std::vector<double>, std::greater<>> spare_returns_;
  int spares_ = 0;

  // power
  std::optional<models::FacilityModel> facility_;
  std::size_t weather_hour_ = static_cast<std::size_t>(-1);
  std::size_t next_outage_edge_ = 0;
  bool in_outage_ = false;
  double it_budget_w_ = 0;
  int pstate_ = 0;
  bool held_for_power_ = false;
  bool capped_ = false;
  double capped_since_s_ = 0, capped_total_s_ = 0;
  double busy_gpu_s_ = 0, busy_since_s_ = 0;
};

}  // namespace dctwin::sim::engine
