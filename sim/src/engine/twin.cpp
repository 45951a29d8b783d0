// The engine adapter: one scheduler actor per site, one facility actor for the programme.
// Jobs are SimGrid activities (one exec per node a job holds), never actors.
#include "dctwin/sim/twin.h"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <deque>
#include <string>

#include "dctwin/models/calendar.h"
#include "dctwin/models/gpu_model.h"
#include "dctwin/models/pue_model.h"
#include "dctwin/sim/platform.h"

namespace dctwin::sim {
namespace {

namespace sg4 = simgrid::s4u;
constexpr double kTimeEpsilon_s = 1e-6;

struct Slice {
  std::uint32_t job;
  std::uint32_t node;
  int gpus;
};

// One site's nodes, queue and running work. Owned by the run; touched by the site's
// scheduler actor and read by the facility actor (actors never run at once).
class SiteScheduler {
 public:
  SiteScheduler(const Site& site, const SiteNodes& nodes, std::vector<JobRecord>& records,
                std::vector<std::uint32_t> arrivals, double horizon_s, double& events)
      : nodes_(nodes),
        records_(records),
        arrivals_(std::move(arrivals)),
        gpus_per_node_(site.gpu.gpus_per_node),
        gpu_flops_(models::GpuModel(site.gpu).gpu_flops(0)),
        horizon_s_(horizon_s),
        events_(events),
        free_gpus_(nodes.hosts.size(), 0),
        pending_slices_(records.size(), 0) {}

  void operator()() {
    while (true) {
      const double now = sg4::Engine::get_clock();
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
      if (done >= 0) finish_slice(static_cast<std::size_t>(done));
    }
    for (auto& e : execs_) e->cancel();
  }

  int gpus_online() const { return static_cast<int>(online_) * gpus_per_node_; }
  int gpus_busy() const { return gpus_busy_; }
  std::size_t submitted() const { return next_arrival_; }

 private:
  double next_event_s() const {
    double next = horizon_s_;
    if (next_arrival_ < arrivals_.size()) next = std::min(next, records_[arrivals_[next_arrival_]].job.submit_s);
    if (online_ < nodes_.hosts.size()) next = std::min(next, nodes_.commission_s[online_]);
    return next;
  }

  void commission_due(double now) {
    while (online_ < nodes_.hosts.size() && nodes_.commission_s[online_] <= now + kTimeEpsilon_s) {
      if (!nodes_.hosts[online_]->is_on()) nodes_.hosts[online_]->turn_on();
      free_gpus_[online_] = gpus_per_node_;
      ++fully_free_nodes_;
      ++online_;
    }
  }

  void admit_due(double now) {
    while (next_arrival_ < arrivals_.size() &&
           records_[arrivals_[next_arrival_]].job.submit_s <= now + kTimeEpsilon_s) {
      queue_.push_back(arrivals_[next_arrival_++]);
    }
  }

  // FCFS: the head of the queue starts as soon as it fits; nothing overtakes it.
  void start_what_fits(double now) {
    while (!queue_.empty()) {
      JobRecord& r = records_[queue_.front()];
      std::vector<Slice> placement = place(r.job);
      if (placement.empty()) return;
      queue_.pop_front();
      r.state = JobState::kRunning;
      r.start_s = now;
      r.nodes = static_cast<int>(placement.size());
      pending_slices_[r.job.id] = static_cast<std::uint32_t>(placement.size());
      for (const Slice& s : placement) {
        free_gpus_[s.node] -= s.gpus;
        if (free_gpus_[s.node] + s.gpus == gpus_per_node_) --fully_free_nodes_;
        gpus_busy_ += s.gpus;
        auto exec = sg4::Exec::init()
                        ->set_name("job")
                        ->set_flops_amount(r.job.duration_s * gpu_flops_)
                        ->set_host(nodes_.hosts[s.node])
                        ->set_thread_count(s.gpus);
        exec->start();
        execs_.push_back(std::move(exec));
        slices_.push_back(s);
      }
      events_ += 1;
    }
  }

  // Where a job would run now, or nothing if it doesn't fit. Jobs smaller than a node go to
  // the fullest node that still holds them (best fit); larger jobs take whole free nodes.
  std::vector<Slice> place(const Job& job) const {
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
      if (free_gpus_[n] == gpus_per_node_) out.push_back({job.id, static_cast<std::uint32_t>(n), gpus_per_node_});
    }
    return out;
  }

  void finish_slice(std::size_t index) {
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

 public:
  std::size_t finished() const { return finished_; }

 private:
  const SiteNodes& nodes_;
  std::vector<JobRecord>& records_;
  std::vector<std::uint32_t> arrivals_;
  int gpus_per_node_;
  double gpu_flops_;
  double horizon_s_;
  double& events_;

  std::vector<int> free_gpus_;
  std::size_t online_ = 0;
  int fully_free_nodes_ = 0;
  int gpus_busy_ = 0;
  std::size_t next_arrival_ = 0;
  std::size_t finished_ = 0;
  std::deque<std::uint32_t> queue_;
  std::vector<sg4::ExecPtr> execs_;
  std::vector<Slice> slices_;
  std::vector<std::uint32_t> pending_slices_;
};

// Every step: IT energy per site from the energy plugin, then the facility model.
class FacilityMonitor {
 public:
  FacilityMonitor(const Scenario& scenario, const Platform& platform,
                  const std::vector<std::unique_ptr<SiteScheduler>>& schedulers, RunResult& result,
                  const RunOptions& options)
      : scenario_(scenario), platform_(platform), schedulers_(schedulers), result_(result), options_(options) {}

  void operator()() {
    const models::SimCalendar calendar(scenario_.start);
    const double step = scenario_.step_s;
    const double horizon = result_.horizon_s;
    const auto steps_per_day = static_cast<long>(std::max(1.0, 86400.0 / step));
    std::vector<double> previous_j(scenario_.sites.size(), 0.0);
    std::vector<models::PueModel> pue;
    for (const auto& site : scenario_.sites) pue.emplace_back(site.pue);
    for (long k = 1;; ++k) {
      const double start = static_cast<double>(k - 1) * step;
      const double end = std::min(static_cast<double>(k) * step, horizon);
      sg4::this_actor::sleep_for(end - sg4::Engine::get_clock());
      const int month = calendar.date_at(start).month;
      for (std::size_t si = 0; si < scenario_.sites.size(); ++si) {
        const SiteNodes& nodes = platform_.site(si);
        double energy_j = 0;
        for (std::size_t n = 0; n < nodes.hosts.size() && nodes.commission_s[n] <= end; ++n) {
          energy_j += sg_host_get_consumed_energy(nodes.hosts[n]);
        }
        FacilityStep row;
        row.end_s = end;
        row.it_energy_j = energy_j - previous_j[si];
        row.drybulb_c = scenario_.sites[si].climate.mean_drybulb_c[static_cast<std::size_t>(month - 1)];
        row.pue = pue[si].pue(row.drybulb_c);
        row.facility_energy_j = row.it_energy_j * row.pue;
        row.gpus_online = schedulers_[si]->gpus_online();
        row.gpus_busy = schedulers_[si]->gpus_busy();
        result_.sites[si].steps.push_back(row);
        previous_j[si] = energy_j;
      }
      if (options_.on_progress && (k % steps_per_day == 0 || end >= horizon)) report_progress(end);
      if (end >= horizon) break;
    }
  }

 private:
  void report_progress(double now) const {
    Progress p;
    p.sim_s = now;
    p.horizon_s = result_.horizon_s;
    for (const auto& s : schedulers_) {
      p.jobs_submitted += s->submitted();
      p.jobs_finished += s->finished();
    }
    options_.on_progress(p);
  }

  const Scenario& scenario_;
  const Platform& platform_;
  const std::vector<std::unique_ptr<SiteScheduler>>& schedulers_;
  RunResult& result_;
  const RunOptions& options_;
};

}  // namespace

Twin::Twin(const Scenario& scenario) : scenario_(scenario) {}

RunResult Twin::run(const RunOptions& options) {
  // SimGrid takes its configuration from argv; its own log lines are silenced.
  std::vector<std::string> args = {"dctwin", "--log=root.thres:critical", "--log=host_energy.thres:critical"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  sg4::Engine engine(&argc, argv.data());
  sg_host_energy_plugin_init();
  const Platform platform(scenario_);

  RunResult result;
  const models::SimCalendar calendar(scenario_.start);
  result.horizon_s = calendar.seconds_at(scenario_.end);
  result.sites.resize(scenario_.sites.size());
  const std::vector<Job> jobs = generate_workload(scenario_);
  std::vector<std::vector<std::uint32_t>> arrivals(scenario_.sites.size());
  result.jobs.reserve(jobs.size());
  for (const Job& j : jobs) {
    result.jobs.push_back(JobRecord{j});
    arrivals[j.site].push_back(j.id);
  }

  std::vector<std::unique_ptr<SiteScheduler>> schedulers;
  for (std::size_t si = 0; si < scenario_.sites.size(); ++si) {
    schedulers.push_back(std::make_unique<SiteScheduler>(scenario_.sites[si], platform.site(si), result.jobs,
                                                         std::move(arrivals[si]), result.horizon_s,
                                                         result.simulated_events));
    SiteScheduler* s = schedulers.back().get();
    sg4::Actor::create("scheduler-" + scenario_.sites[si].id, platform.control_host(), [s] { (*s)(); });
  }
  FacilityMonitor monitor(scenario_, platform, schedulers, result, options);
  sg4::Actor::create("facility", platform.control_host(), [&monitor] { monitor(); });
  engine.run();
  return result;
}

}  // namespace dctwin::sim
