#include "site_scheduler.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "broker.h"
#include "hold_view.h"
#include "job_launch.h"

namespace dctwin::sim::engine {
namespace {
namespace sg4 = simgrid::s4u;
constexpr double kTimeEpsilon_s = 1e-6;
}  // namespace

models::FacilityModel build_facility(const Site& site, std::size_t nodes) {
  const double design_it_w = static_cast<double>(nodes) * models::GpuModel(site.gpu).node_peak_w();
  return models::FacilityModel(site.cooling, models::PowerChain::with_defaults(design_it_w));
}

SiteScheduler::SiteScheduler(const Scenario& scenario, std::size_t site_index,
                             const SiteNodes& nodes, std::vector<JobRecord>& records,
                             std::vector<models::Interval> outages,
                             const std::vector<models::WeatherHour>& weather, double horizon_s,
                             double& events, SiteSeries& series, Broker& broker,
                             const AggregateArrivals& small, bool energy_from_plugin)
    : scenario_(scenario),
      energy_from_plugin_(energy_from_plugin),
      fluid_(scenario.has_fluid()),
      site_(scenario.sites[site_index]),
      site_index_(site_index),
      nodes_(nodes),
      records_(records),
      outages_(std::move(outages)),
      weather_(weather),
      gpu_(site_.gpu),
      gpus_per_node_(site_.gpu.gpus_per_node),
      horizon_s_(horizon_s),
      events_(events),
      series_(series),
      broker_(broker),
      pool_(site_.gpu.gpus_per_node, nodes.hosts.size(), nodes.nodes_per_group, nodes.groups_per_pod),
      powered_(nodes.hosts.size(), 0),
      down_until_(nodes.hosts.size(), 0.0),
      small_(small),
      held_(small.steps + 1, scenario.fidelity.step_s),
      calendar_(scenario.start),
      failure_rng_(scenario.seed, models::stream_id("node failures", site_.id)),
      spares_(scenario.reliability.spare_nodes_per_site) {
  double per_million_gpu_h = 0;
  for (const auto& c : scenario.reliability.causes) {
    cause_weights_.push_back(c.per_million_gpu_h);
    per_million_gpu_h += c.per_million_gpu_h;
  }
  failure_rate_per_node_s_ = per_million_gpu_h / 1e6 * gpus_per_node_ / 3600.0;
  for (int p = 0; p < gpu_.pstate_count(); ++p) node_power_.push_back(gpu_.node_power(p));
  next_failure_s_ = std::numeric_limits<double>::infinity();
  if (fluid_) {
    node_free_s_ = node_free_quantiles(small.short_durations, gpus_per_node_);
    const int months = calendar_.month_index_at(horizon_s - 1) + 1;
    series_.aggregate.assign(static_cast<std::size_t>(months) * scenario.job_classes.size(), {});
    for (const JobClass& c : scenario.job_classes) {
      if (c.served && std::find(served_levels_.begin(), served_levels_.end(), c.priority) == served_levels_.end())
        served_levels_.push_back(c.priority);
    }
    // The broker sends the work of a class that may move where it would start at once, so
    // there it does not wait behind the site's own classes: it queues with the highest of them.
    int top = std::numeric_limits<int>::min();
    for (const JobClass& c : scenario.job_classes) {
      if (!c.served) top = std::max(top, c.priority);
    }
    for (const JobClass& c : scenario.job_classes) {
      const bool moves = scenario.scheduling.broker && c.may_move && !c.served;
      class_levels_.push_back(moves ? std::max(c.priority, top) : c.priority);
    }
    movable_level_ = top;
  }
}

void SiteScheduler::operator()() {
  while (true) {
    const double now = sg4::Engine::get_clock();
    // The step's small work is routed by the first site to reach the boundary, before any
    // site has closed its step, so every site's estimate is of the same moment whichever
    // site the engine happens to run first.
    if (fluid_) broker_.route_small_due(now);
    weather_due(now);
    outage_edges_due(now);
    commission_due(now);
    repairs_due(now);
    failures_due(now);
    if (fluid_) release_tail_due(now);
    if (fluid_) aggregate_boundary(now);
    broker_.route_due(now);
    // Small jobs in aggregate ahead of the discrete head take GPUs first, the rest after the
    // discrete jobs are placed; the fluid's hold is set at the instant it starts.
    const bool fluid = fluid_ && now < horizon_s_ - kTimeEpsilon_s &&
                       (!aggregate_running_ || aggregate_since_s_ >= now - kTimeEpsilon_s);
    if (fluid && backlog_gpu_s_ + long_waiting_gpu_s_ > 0) start_aggregate(now, true);
    schedule(now);
    if (fluid && backlog_gpu_s_ + long_waiting_gpu_s_ > 0 &&
        (!aggregate_running_ || aggregate_since_s_ >= now - kTimeEpsilon_s)) {
      start_aggregate(now, false);
    } else if (fluid_ && now < horizon_s_ - kTimeEpsilon_s && aggregate_running_ &&
               aggregate_since_s_ < now - kTimeEpsilon_s && fluid_wants_more(now)) {
      // GPUs the discrete jobs left free within a step go to small work the hold does not
      // cover, as they would to small jobs starting when GPUs free up: the hold is set again
      // from here, at once, so no discrete job takes the GPUs it had.
      stop_aggregate(now, true);
      start_aggregate(now, true);
      start_aggregate(now, false);
    }
    if (now >= horizon_s_ - kTimeEpsilon_s) break;
    wait_for_next(std::max(0.0, next_event_s() - now));
  }
  for (auto& [id, run] : running_) {
    for (auto& e : run.execs) e->cancel();
    for (auto& c : run.comms) c->cancel();
  }
  for (auto& [id, transfer] : incoming_) transfer->cancel();
  if (aggregate_running_) stop_aggregate(horizon_s_);
  account_busy(horizon_s_);
  mark_capped(horizon_s_, false);
}

// Waits for the next of: the compute that ends first (the progress clock says which), the
// traffic of jobs whose compute is done, data arriving over the WAN; or the timeout.
void SiteScheduler::wait_for_next(double timeout) {
  waiting_on_.clear();
  waiting_job_.clear();
  if (!by_progress_.empty()) {
    const std::uint32_t first = by_progress_.begin()->second;
    waiting_on_.push_back(running_.at(first).execs.front());
    waiting_job_.push_back(first);
  }
  for (std::uint32_t job : draining_) {
    for (const auto& c : running_.at(job).comms) {
      if (c->test()) continue;
      waiting_on_.push_back(c);
      waiting_job_.push_back(job);
    }
  }
  const std::size_t transfers_from = waiting_on_.size();
  for (const auto& [job, transfer] : incoming_) {
    waiting_on_.push_back(transfer);
    waiting_job_.push_back(job);
  }
  if (waiting_on_.empty()) {
    sg4::this_actor::sleep_for(timeout);
    return;
  }
  const ssize_t done = sg4::Activity::wait_any_for(waiting_on_, timeout);
  if (done < 0) return;
  const double now = sg4::Engine::get_clock();
  const std::uint32_t job = waiting_job_[static_cast<std::size_t>(done)];
  if (static_cast<std::size_t>(done) >= transfers_from) {
    incoming_.erase(incoming_.begin() + (static_cast<std::ptrdiff_t>(done) -
                                         static_cast<std::ptrdiff_t>(transfers_from)));
    records_[job].transfer_end_s = now;
    enqueue(job);
    return;
  }
  if (done == 0 && !by_progress_.empty() && by_progress_.begin()->second == job &&
      !running_.at(job).draining) {
    compute_done(job, now);
    return;
  }
  Running& run = running_.at(job);
  const bool all_sent = std::all_of(run.comms.begin(), run.comms.end(),
                                    [](const sg4::CommPtr& c) { return c->test(); });
  if (all_sent) finish(job, now);
}

void SiteScheduler::expect(std::uint32_t job, sg4::CommPtr transfer) {
  records_[job].run_site = static_cast<std::uint16_t>(site_index_);
  incoming_.emplace_back(job, std::move(transfer));
}

double SiteScheduler::next_event_s() const {
  const double now = sg4::Engine::get_clock();
  double next = std::min(horizon_s_, broker_.next_arrival_s(site_index_));
  if (online_ < nodes_.hosts.size()) next = std::min(next, nodes_.commission_s[online_]);
  if (next_outage_edge_ < 2 * outages_.size()) {
    const auto& o = outages_[next_outage_edge_ / 2];
    next = std::min(next, next_outage_edge_ % 2 == 0 ? o.start_s : o.end_s);
  }
  next = std::min(next, next_failure_s_);
  if (!repairs_.empty()) next = std::min(next, repairs_.top().first);
  if (!spare_returns_.empty()) next = std::min(next, spare_returns_.top());
  if (fluid_) {
    next = std::min(next, next_boundary_s(now, scenario_.fidelity.step_s));
    if (!tail_.empty()) next = std::min(next, tail_.front().expected_end_s);
  }
  // Weather changes every step; the power budget follows it.
  return std::min(next, next_boundary_s(now, scenario_.step_s));
}

void SiteScheduler::enqueue(std::uint32_t job) {
  const JobRecord& r = records_[job];
  queue_.insert({-scenario_.job_classes[r.job.job_class].priority, r.job.submit_s, job});
  queued_gpu_s_ += r.job.gpus * (r.job.duration_s - r.work_done_s);
}

double SiteScheduler::spare_gpu_s(double step_s) const { return spare_gpu_s(step_s, false); }

double SiteScheduler::sub_node_spare_gpu_s(double step_s) const { return spare_gpu_s(step_s, true); }

double SiteScheduler::spare_gpu_s(double step_s, bool sub_node) const {
  const int held_short = aggregate_running_ ? aggregate_gpus_ : 0;  // ends at this boundary
  const double free = pool_.usable_nodes() * gpus_per_node_ - (pool_.busy_gpus() - held_short);
  double short_waiting_gpu_s = backlog_gpu_s_ + inbox_gpu_s_ - inbox_long_gpu_s_;
  double long_waiting_gpus = long_waiting_gpus_ + inbox_long_gpus_;
  if (sub_node) {
    const NodeSizedBelowMovable& below = node_sized_below_;
    double node_sized = below.inbox_gpu_s;
    for (auto at = level_books_.upper_bound(movable_level_); at != level_books_.end(); ++at)
      node_sized += at->second.node_sized_left_gpu_s;
    short_waiting_gpu_s = std::max(0.0, short_waiting_gpu_s - node_sized);
    long_waiting_gpus -= below.long_gpus + below.inbox_long_gpus;
  }
  return std::max(0.0, (free - long_waiting_gpus) * step_s - short_waiting_gpu_s);
}

// Work queued ahead spread over the usable GPUs, plus, when the job doesn't fit now, the time
// until enough running work ends (its EASY reservation). A rough estimate, by design cheap.
double SiteScheduler::wait_behind_s(double queued_gpu_s, int gpus, int priority) {
  const int usable_gpus = pool_.usable_nodes() * gpus_per_node_;
  if (usable_gpus < gpus) return std::numeric_limits<double>::infinity();
  return queued_gpu_s / usable_gpus + reservation_s(gpus, priority);
}

double SiteScheduler::reservation_s(int gpus, int priority) {
  if (pool_.fits(gpus)) return 0;
  const double now = sg4::Engine::get_clock();
  RunningEndOrder by_end = running_by_end(priority);
  return easy_.shadow_time(pool_, by_end, gpus, now) - now;
}

// The queue as exact fidelity would hold it: waiting discrete jobs, long small jobs not yet
// started and the served load's work, without the short work in aggregate, which as jobs
// would mostly start at once where GPUs are free and then count as running work.
double SiteScheduler::expected_wait_s(int gpus, int priority) {
#ifndef NDEBUG
  std::int64_t afresh = 0;
  for (const auto& [priority, queue] : backlog_) {
    for (const Batch& b : queue) {
      if (!b.served) afresh += work_units(b.left_gpu_s);
    }
  }
  assert(afresh == jobs_left_units_);
#endif
  double short_gpu_s = jobs_left_gpu_s();
  for (const SmallArrival& in : small_inbox_) {
    if (!scenario_.job_classes[in.job_class].served) short_gpu_s += in.gpu_s;
  }
  const double waiting = queued_gpu_s_ + backlog_gpu_s_ + long_waiting_gpu_s_ + inbox_gpu_s_;
  return wait_behind_s(std::max(queued_gpu_s_, waiting - short_gpu_s), gpus, priority);
}

bool SiteScheduler::would_start_now(const JobRecord& job) {
  const int gpus = job.job.gpus;
  if (!pool_.fits(gpus)) return false;
  if (it_power_w(gpu_.pstate_count() - 1, powered_count_, gpus) > it_budget_w_) return false;
  const QueueKey key{-scenario_.job_classes[job.job.job_class].priority, job.job.submit_s, job.job.id};
  if (queue_.empty() || key < *queue_.begin()) return true;
  if (scenario_.scheduling.policy != SchedulingPolicy::kEasyBackfill) return false;
  const auto ahead = std::distance(queue_.begin(), queue_.lower_bound(key));
  if (ahead > scenario_.scheduling.backfill_depth) return false;
  const double now = sg4::Engine::get_clock();
  const std::uint32_t head = std::get<2>(*queue_.begin());
  const int head_gpus = records_[head].job.gpus;
  RunningEndOrder by_end = running_by_end(priority_of(head));
  const double shadow = easy_.shadow_time(pool_, by_end, head_gpus, now);
  return easy_.may_backfill(pool_, by_end, head_gpus, shadow, pool_.place(gpus),
                            now + job.job.duration_s - job.work_done_s);
}

double SiteScheduler::one_gpu_reservation_s() {
  // For small work of any class: every served load counts as ahead of it.
  return pool_.usable_nodes() > 0 ? reservation_s(1, std::numeric_limits<int>::min()) : 0;
}

double SiteScheduler::fluid_wait_s(double one_gpu_reservation_s) const {
  const int usable_gpus = pool_.usable_nodes() * gpus_per_node_;
  if (usable_gpus < 1) return std::numeric_limits<double>::infinity();
  return (queued_gpu_s_ + backlog_gpu_s_ + long_waiting_gpu_s_ + inbox_gpu_s_) / usable_gpus + one_gpu_reservation_s;
}

// A discrete job holds its GPUs for its run (a pre-training attempt for hours), so the
// small work's queue drains only on the rest: GPUs free, in the fluid's hold or held by long
// small jobs. Over all usable GPUs, a site whose discrete jobs hold most of it looked as
// quick as an idle one, and the short work sent there waited for hours.
double SiteScheduler::short_work_wait_s(double one_gpu_reservation_s) const {
  const int usable_gpus = pool_.usable_nodes() * gpus_per_node_;
  if (usable_gpus < 1) return std::numeric_limits<double>::infinity();
  const int discrete_gpus = pool_.busy_gpus() - fluid_gpus();
  return small_work_wait_s(queued_gpu_s_, backlog_gpu_s_ + long_waiting_gpu_s_ + inbox_gpu_s_, usable_gpus,
                           usable_gpus - discrete_gpus) +
         one_gpu_reservation_s;
}

void SiteScheduler::weather_due(double now) {
  const double local_h = std::max(0.0, site_.local_s(now) / 3600.0 + kTimeEpsilon_s);
  const auto hour = std::min(static_cast<std::size_t>(local_h), weather_.size() - 1);
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
    const bool ridden_through =
        b.generator_units == 0 && o.end_s - o.start_s <= b.ups_ride_through_s;
    in_outage_ = is_start && !ridden_through;
    // Generators slower to start than the UPS can bridge: the load drops for a moment.
    if (is_start && b.generator_units > 0 && b.generator_start_s > b.ups_ride_through_s) {
      FailureEvent e{now, 0, -1, 0, false, 0, 0};
      while (!running_.empty()) {
        std::uint32_t victim = running_.begin()->first;
        for (const auto& [id, unused] : running_) victim = std::min(victim, id);
        e.jobs_interrupted += interrupt(victim, now, e.lost_gpu_s);
      }
      if (e.jobs_interrupted > 0) series_.failures.push_back(e);
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
    if (!changed) account_it_energy(now);
    sg4::Host* host = nodes_.hosts[online_];
    if (!host->is_on()) host->turn_on();
    host->set_pstate(pstate_);
    powered_[online_] = 1;
    ++powered_count_;
    pool_.set_usable(online_, true);
    ++online_;
    changed = true;
  }
  if (!changed) return;
  facility_.emplace(build_facility(site_, online_));
  // More nodes, a higher rate: failures are memoryless, so the next one is drawn afresh.
  if (failure_rate_per_node_s_ > 0) {
    next_failure_s_ =
        now + failure_rng_.exponential(failure_rate_per_node_s_ * static_cast<double>(online_));
  }
  update_it_budget();
  rebalance(now);
}

// Failures arrive at the rate of all commissioned nodes; one that hits a node switched off or
// already down has no effect, which leaves exactly the powered nodes' rate (thinning).
void SiteScheduler::failures_due(double now) {
  bool failed = false;
  while (next_failure_s_ <= now + kTimeEpsilon_s) {
    const auto node =
        static_cast<std::uint32_t>(failure_rng_.uniform() * static_cast<double>(online_));
    const int cause = static_cast<int>(failure_rng_.weighted_index(cause_weights_));
    next_failure_s_ +=
        failure_rng_.exponential(failure_rate_per_node_s_ * static_cast<double>(online_));
    if (!powered_[node] || down_until_[node] > 0) continue;
    if (aggregate_running_) stop_aggregate(now);  // small jobs restart elsewhere at once
    move_long_off(node, now);
    FailureEvent e{now, node, cause, 0, false, 0, 0};
    std::vector<std::uint32_t> victims;
    for (const auto& [id, run] : running_) {
      for (const Slice& s : run.plan.slices) {
        if (s.node == node) victims.push_back(id);
      }
    }
    std::sort(victims.begin(), victims.end());
    victims.erase(std::unique(victims.begin(), victims.end()), victims.end());
    for (std::uint32_t v : victims) e.jobs_interrupted += interrupt(v, now, e.lost_gpu_s);
    const Reliability& rel = scenario_.reliability;
    e.used_spare = spares_ > 0;
    e.back_s = now + 3600.0 * (e.used_spare ? rel.swap_h
                                            : rel.causes[static_cast<std::size_t>(cause)].repair_h);
    if (e.used_spare) {
      --spares_;
      spare_returns_.push(now + 3600.0 * rel.causes[static_cast<std::size_t>(cause)].repair_h +
                          86400.0 * rel.spare_return_days);
    }
    down_until_[node] = e.back_s;
    ++down_count_;
    repairs_.push({e.back_s, node});
    set_node_power(node, false);
    series_.failures.push_back(e);
    events_ += 1;
    failed = true;
  }
  skip_failures_on_nodes_down();
  if (failed) rebalance(now);
}

// A failure drawn for a node under repair until after it comes has no effect, so its draws are
// taken now rather than waking the site for it: when failures outpace repairs, almost every
// one would. The same draws in the same order, as nothing else draws from the stream before
// the next commissioning (which draws the next failure afresh).
void SiteScheduler::skip_failures_on_nodes_down() {
  const double commissioning_s =
      online_ < nodes_.hosts.size() ? nodes_.commission_s[online_] : std::numeric_limits<double>::infinity();
  while (next_failure_s_ < std::min(commissioning_s, horizon_s_) - kTimeEpsilon_s) {
    models::RandomStream ahead = failure_rng_;
    const auto node = static_cast<std::uint32_t>(ahead.uniform() * static_cast<double>(online_));
    if (down_until_[node] <= next_failure_s_ + kTimeEpsilon_s) return;  // it may take effect
    ahead.weighted_index(cause_weights_);
    next_failure_s_ += ahead.exponential(failure_rate_per_node_s_ * static_cast<double>(online_));
    failure_rng_ = ahead;
  }
}

void SiteScheduler::repairs_due(double now) {
  bool changed = false;
  while (!repairs_.empty() && repairs_.top().first <= now + kTimeEpsilon_s) {
    down_until_[repairs_.top().second] = 0;
    --down_count_;
    repairs_.pop();
    changed = true;
  }
  while (!spare_returns_.empty() && spare_returns_.top() <= now + kTimeEpsilon_s) {
    spare_returns_.pop();
    ++spares_;
  }
  if (changed) rebalance(now);
}

// Highest priority first, then submission order. FCFS: nothing overtakes the head. EASY: the
// head gets a reservation and later jobs start now if they don't push it back.
void SiteScheduler::schedule(double now) {
  held_for_power_ = false;
  bool changed = false;
  // A job that would exceed the power budget even alone on the site at the slowest clock
  // can't start until the budget rises: it keeps its place but doesn't hold up the others.
  const int slowest = gpu_.pstate_count() - 1;
  auto head = [&] {
    auto it = queue_.begin();
    while (it != queue_.end() && it_power_w(slowest, powered_count_, records_[std::get<2>(*it)].job.gpus) > it_budget_w_) ++it;
    return it;
  };
  auto first = head();
  while (first != queue_.end()) {
    const std::uint32_t job = std::get<2>(*first);
    const std::vector<Slice> placement = pool_.place(records_[job].job.gpus);
    if (placement.empty() || !try_start(job, placement, now)) break;
    changed = true;
    first = head();
  }
  note_waiting_head(first == queue_.end() ? kNoJob : std::get<2>(*first), now);
  if (first != queue_.end() && !held_for_power_ &&
      scenario_.scheduling.policy == SchedulingPolicy::kEasyBackfill) {
    const int head_gpus = records_[std::get<2>(*first)].job.gpus;
    RunningEndOrder by_end = running_by_end(priority_of(std::get<2>(*first)));
    // The head's reservation, worked out when a candidate first fits (often none does), so
    // on the pool as the pass found it.
    double shadow = -1;
    bool reserved = false;  // the pool played forward to the shadow, for jobs that run past it
    int looked = 0;
    for (auto it = std::next(first);
         it != queue_.end() && looked < scenario_.scheduling.backfill_depth;) {
      ++looked;
      const std::uint32_t job = std::get<2>(*it);
      const JobRecord& r = records_[job];
      ++it;  // before a start erases the entry
      if (!pool_.fits(r.job.gpus)) continue;
      if (shadow < 0) shadow = easy_.shadow_time(pool_, by_end, head_gpus, now);
      const std::vector<Slice> placement = pool_.place(r.job.gpus);
      const double end = now + r.job.duration_s - r.work_done_s;
      if (end > shadow) {
        if (!reserved) easy_.reserve(pool_, by_end, shadow);
        reserved = true;
        if (!easy_.leaves_room(pool_, head_gpus, placement)) continue;
      }
      if (!try_start(job, placement, now)) break;
      reserved = false;
      changed = true;
      if (pool_.busy_gpus() == pool_.usable_nodes() * gpus_per_node_) break;
    }
  }
  if (changed || held_for_power_) rebalance(now);
}

int SiteScheduler::priority_of(std::uint32_t job) const {
  return scenario_.job_classes[records_[job].job.job_class].priority;
}

// In exact fidelity the hold is the served load alone. In aggregated fidelity it carries the
// short work too, and the served load's part is taken in proportion to its work left.
int SiteScheduler::served_hold_gpus_ahead_of(int head_priority) const {
  if (!aggregate_running_) return 0;
  double served_ahead = 0, all = 0;
  bool any_ahead = false, all_ahead = !scenario_.fidelity.aggregated;
  for (const int level : served_levels_) {
    if (level > head_priority) {
      any_ahead = true;
      const auto at = level_books_.find(level);
      if (at != level_books_.end()) served_ahead += at->second.left_gpu_s;
    } else {
      all_ahead = false;
    }
  }
  if (!any_ahead) return 0;
  for (const auto& [level, books] : level_books_) all += books.left_gpu_s;
  return served_gpus_of_hold(aggregate_gpus_ - tail_gpus_, served_ahead, all, all_ahead);
}

SiteScheduler::RunningEndOrder::RunningEndOrder(const SiteScheduler& site, int head_priority) : site_(site) {
  const int kept = site.served_hold_gpus_ahead_of(head_priority);
  if (kept == 0) {
    hold_ = &site.aggregate_plan_;
  } else if (kept < site.aggregate_gpus_ - site.tail_gpus_) {
    // Built when the walk reaches it: most walks end first, the head fitting at once.
    kept_gpus_ = kept;
    hold_freed_.expected_end_s = site.aggregate_plan_.expected_end_s;
    hold_ = &hold_freed_;
  }
  rewind();
}

void SiteScheduler::RunningEndOrder::rewind() {
  discrete_ = site_.by_end_.begin();
  aggregate_due_ = site_.aggregate_running_ && hold_ != nullptr;
  const double step_s = site_.scenario_.fidelity.step_s;
  const auto step = static_cast<std::size_t>(sg4::Engine::get_clock() / step_s + kTimeEpsilon_s);
  long_ = site_.held_.gpus() > 0 ? &site_.held_.view(step) : nullptr;
  next_long_ = 0;
  next_tail_ = 0;
}

// Of equal ends, the aggregate's hold comes first and the long holds last, as in the list this
// replaced; a reservation doesn't depend on that order, as freeing GPUs only helps the head fit.
const RunningJob* SiteScheduler::RunningEndOrder::next() {
  const RunningJob* first = discrete_ != site_.by_end_.end() ? &site_.running_.at(discrete_->second).plan : nullptr;
  enum class From { kDiscrete, kAggregate, kLong, kTail } from = From::kDiscrete;
  if (aggregate_due_ && (first == nullptr || hold_->expected_end_s <= first->expected_end_s)) {
    first = hold_;
    from = From::kAggregate;
  }
  if (long_ != nullptr && next_long_ < long_->size() &&
      (first == nullptr || (*long_)[next_long_]->expected_end_s < first->expected_end_s)) {
    first = (*long_)[next_long_];
    from = From::kLong;
  }
  const auto& tail = site_.tail_;
  if (next_tail_ < tail.size() && (first == nullptr || tail[next_tail_].expected_end_s < first->expected_end_s)) {
    first = &tail[next_tail_];
    from = From::kTail;
  }
  if (first == nullptr) return nullptr;
  switch (from) {
    case From::kDiscrete: ++discrete_; break;
    case From::kAggregate:
      aggregate_due_ = false;
      if (kept_gpus_ > 0) {
        hold_freed_ = hold_freed_at_end(site_.aggregate_plan_, kept_gpus_);
        kept_gpus_ = 0;
      }
      break;
    case From::kLong: ++next_long_; break;
    case From::kTail: ++next_tail_; break;
  }
  return first;
}

// Starts the job if the power budget holds it at the slowest clock; otherwise holds it.
bool SiteScheduler::try_start(std::uint32_t job, const std::vector<Slice>& placement, double now) {
  const int slowest = gpu_.pstate_count() - 1;
  if (it_power_w(slowest, powered_count_, pool_.busy_gpus() + records_[job].job.gpus) >
      it_budget_w_) {
    held_for_power_ = true;
    return false;
  }
  start(job, placement, now);
  return true;
}

void SiteScheduler::start(std::uint32_t job, const std::vector<Slice>& placement, double now) {
  JobRecord& r = records_[job];
  queue_.erase({-scenario_.job_classes[r.job.job_class].priority, r.job.submit_s, job});
  const double remaining_s = r.job.duration_s - r.work_done_s;
  queued_gpu_s_ -= r.job.gpus * remaining_s;
  account_busy(now);
  pool_.take(placement);
  r.state = JobState::kRunning;
  r.run_site = static_cast<std::uint16_t>(site_index_);
  if (r.first_start_s < 0) r.first_start_s = now;
  r.start_s = now;
  r.nodes = static_cast<int>(placement.size());
  r.groups = pool_.groups_spanned(placement);
  Running& run = running_[job];
  run.plan = {now + remaining_s, placement};
  run.progress_start_s = progress_s(now);
  run.progress_end_s = run.progress_start_s + remaining_s;
  JobActivities activities = launch_job(nodes_, placement, gpu_.gpu_flops(0), remaining_s,
                                        scenario_.job_classes[r.job.job_class], energy_from_plugin_);
  run.execs = std::move(activities.execs);
  run.comms = std::move(activities.comms);
  account_it_energy(now);
  run.computing_gpus = r.job.gpus;
  computing_gpus_ += run.computing_gpus;
  by_end_.insert({run.plan.expected_end_s, job});
  by_progress_.insert({run.progress_end_s, job});
  start_order_.push_back(job);
  events_ += 1;
}

// The compute of the first job to finish is done: the job ends now, or when its traffic does.
void SiteScheduler::compute_done(std::uint32_t job, double now) {
  Running& run = running_.at(job);
  end_modelled_load(run, now);
  // With an exec per node, the others end at the same instant: let the engine finish them.
  for (std::size_t i = 1; i < run.execs.size(); ++i) {
    if (!run.execs[i]->test()) run.execs[i]->wait();
  }
  by_progress_.erase({run.progress_end_s, job});
  const bool all_sent = std::all_of(run.comms.begin(), run.comms.end(),
                                    [](const sg4::CommPtr& c) { return c->test(); });
  if (all_sent) {
    finish(job, now);
    return;
  }
  run.draining = true;
  draining_.insert(job);
}

// Gives a job's GPUs back and forgets its run.
void SiteScheduler::end_modelled_load(Running& run, double now) {
  if (run.computing_gpus == 0) return;
  account_it_energy(now);
  computing_gpus_ -= run.computing_gpus;
  run.computing_gpus = 0;
}

void SiteScheduler::release(std::uint32_t job, double now) {
  Running& run = running_.at(job);
  end_modelled_load(run, now);
  account_busy(now);
  pool_.give(run.plan.slices);
  by_end_.erase({run.plan.expected_end_s, job});
  by_progress_.erase({run.progress_end_s, job});
  draining_.erase(job);
  running_.erase(job);
}

void SiteScheduler::finish(std::uint32_t job, double now) {
  JobRecord& r = records_[job];
  release(job, now);
  r.state = JobState::kFinished;
  r.work_done_s = r.job.duration_s;
  r.end_s = now;
  events_ += 1;
  ++finished_;
  if (r.job.next_attempt != kNoJob) {
    broker_.release_attempt(r.job.next_attempt, now + scenario_.job_classes[r.job.job_class].resubmit_gap_h * 3600.0);
  }
  rebalance(now);
}

// Stops a running job; it keeps the work up to its last checkpoint and waits again in the
// queue at its place. Returns 1.
int SiteScheduler::interrupt(std::uint32_t job, double now, double& lost_gpu_s) {
  JobRecord& r = records_[job];
  Running& run = running_.at(job);
  const double done_s =
      r.work_done_s + (std::min(progress_s(now), run.progress_end_s) - run.progress_start_s);
  const double interval_s = scenario_.job_classes[r.job.job_class].checkpoint_interval_h * 3600.0;
  const double kept_s = interval_s > 0 ? std::floor(done_s / interval_s + 1e-9) * interval_s : 0.0;
  const double lost = r.job.gpus * (done_s - kept_s);
  r.lost_gpu_s += lost;
  lost_gpu_s += lost;
  r.work_done_s = std::min(kept_s, r.job.duration_s);
  ++r.interruptions;
  for (auto& e : run.execs) e->cancel();
  for (auto& c : run.comms) c->cancel();
  release(job, now);
  r.state = JobState::kQueued;
  r.nodes = 0;
  enqueue(job);
  events_ += 1;
  return 1;
}

void SiteScheduler::account_busy(double now) {
  busy_gpu_s_ += pool_.busy_gpus() * (now - busy_since_s_);
  busy_since_s_ = now;
}

}  // namespace dctwin::sim::engine
