#pragma once
// Sends each arriving job to the site where it will wait: its home site, or, for a job whose
// class may run at any site, the site with the shortest expected wait when it arrives.
// Every site's actor calls route_due() when it wakes; whichever wakes first at an arrival
// routes it, so the target site sees it at once. Internal to the engine.
#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "dctwin/sim/platform.h"
#include "dctwin/sim/run_result.h"
#include "dctwin/sim/scenario.h"
#include "dctwin/sim/workload.h"

namespace dctwin::sim::engine {

class SiteScheduler;

// How a bin of small jobs' work spreads over sites (shares summing to 1): each takes its spare
// GPU-seconds once the common wait level reaches its expected wait, then `rate` per second
// of level above it (its usable GPUs). Sites of equal wait share what they take of their
// spare in proportion to it. Sites with an infinite wait, or with neither GPUs nor spare,
// take none; with spare and no rate, a site takes only its spare (the shares then sum to
// less than 1 if that is not enough).
std::vector<double> water_fill(const std::vector<double>& wait, const std::vector<double>& rate,
                               const std::vector<double>& spare, double work);
// The same into `share`, with `order` as scratch (no allocation once they have grown).
void water_fill(const std::vector<double>& wait, const std::vector<double>& rate, const std::vector<double>& spare,
                double work, std::vector<double>& share, std::vector<std::size_t>& order);

// A bin of short work's expected wait at a site: the discrete queue drains on all
// `usable_gpus`, the fluid's own queue only on the `small_work_gpus` that discrete jobs leave
// to small work (at least one).
double small_work_wait_s(double discrete_queue_gpu_s, double fluid_queue_gpu_s, int usable_gpus, int small_work_gpus);

class Broker {
 public:
  // A job moved away from its home site first sends its data set over the WAN (gateways).
  Broker(const Scenario& scenario, const Platform& platform, std::vector<JobRecord>& records);
  void set_sites(std::vector<SiteScheduler*> sites) { sites_ = std::move(sites); }
  // Aggregated fidelity: the small jobs' arrivals, and the feed that draws them as the run goes.
  void set_small(const AggregateArrivals& small, SmallJobFeed& feed) {
    small_ = &small;
    feed_ = &feed;
  }

  void route_due(double now);
  // A campaign's next attempt, submitted at `at_s` (its previous attempt has just ended).
  void release_attempt(std::uint32_t job, double at_s);
  // Aggregated fidelity: hands every site the small jobs binned up to the aggregate step
  // beginning at `now`, movable classes where the expected waits are least, whatever the
  // order of the sites.
  void route_small_due(double now);
  // The next arrival that site `site` must wake for (its own, or any movable job).
  double next_arrival_s(std::size_t site) const;
  std::size_t submitted() const { return submitted_; }

 private:
  bool movable(const JobRecord& r) const;
  void route(std::uint32_t job);
  bool movable_class(std::size_t job_class) const;
  double transfer_s_of(std::size_t job_class) const;
  // Whether site `si` at `wait` beats the best so far: a shorter wait, or, away from home, an
  // equal one at a site whose id comes first (not the site listed first, so that the order of
  // the sites in a scenario decides nothing).
  bool quicker(std::size_t si, double wait, std::size_t best, double best_wait, std::size_t home) const;
  void route_movable_bins(std::size_t bin, double step, std::vector<double>& reservation_s);
  // One part of the step's movable bins, the jobs smaller than a node (`sub_node`) or the
  // others, against the view of the sites in routing_.
  void route_movable_part(std::size_t bin, bool sub_node);
  double keep_home(std::size_t bin, bool sub_node);
  struct BinPart {
    double jobs = 0, gpu_s = 0;
  };
  BinPart bin_part(std::size_t home, std::size_t cell, bool sub_node) const;
  void route_long_small(double before_s, std::vector<double>& reservation_s);
  // Each site's one_gpu_reservation_s, found once per routing round (`reservation_s` empty
  // until then): admitting work does not change it.
  const std::vector<double>& reservations(std::vector<double>& reservation_s) const;

  const Scenario& scenario_;
  const Platform& platform_;
  std::vector<JobRecord>& records_;
  std::vector<SiteScheduler*> sites_;
  std::vector<std::vector<std::uint32_t>> fixed_;  // per home site: jobs that stay there
  std::vector<std::size_t> next_fixed_;
  std::vector<std::uint32_t> movable_;             // jobs the broker places
  std::size_t next_movable_ = 0;
  std::priority_queue<std::pair<double, std::uint32_t>, std::vector<std::pair<double, std::uint32_t>>, std::greater<>>
      released_;  // campaign attempts released by the end of the previous one
  std::size_t submitted_ = 0;
  const AggregateArrivals* small_ = nullptr;
  SmallJobFeed* feed_ = nullptr;  // draws the small jobs as the routing reaches them
  std::size_t next_small_bin_ = 0;
  std::vector<std::size_t> next_long_;  // per home site, into small_->long_jobs
  // Routing a bin of small work: per site, kept from bin to bin for their storage.
  struct SmallRouting {
    std::vector<double> reservation_s, wait, rate, spare, shares;
    std::vector<double> site_wait, site_rate, site_spare;  // every site as the round found it
    std::vector<double> kept;                             // [home * classes + class]: the part kept home
    std::vector<double> fraction;                         // a bin's part per site
    std::vector<std::size_t> order;
  } routing_;

};

}  // namespace dctwin::sim::engine
