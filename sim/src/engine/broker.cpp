#include "broker.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include <simgrid/s4u.hpp>

#include "dctwin/sim/small_job_feed.h"
#include "site_scheduler.h"

namespace dctwin::sim::engine {
namespace {
constexpr double kTimeEpsilon_s = 1e-6;
}

Broker::Broker(const Scenario& scenario, const Platform& platform, std::vector<JobRecord>& records)
    : scenario_(scenario), platform_(platform), records_(records), fixed_(scenario.sites.size()), next_fixed_(scenario.sites.size(), 0) {
  for (const JobRecord& r : records_) {
    if (r.job.follows) continue;  // released by the attempt before it
    if (movable(r)) {
      movable_.push_back(r.job.id);
    } else {
      fixed_[r.job.site].push_back(r.job.id);
    }
  }
}

bool Broker::movable(const JobRecord& r) const { return movable_class(r.job.job_class); }

double Broker::next_arrival_s(std::size_t site) const {
  double next = std::numeric_limits<double>::infinity();
  if (next_fixed_[site] < fixed_[site].size()) next = records_[fixed_[site][next_fixed_[site]]].job.submit_s;
  if (next_movable_ < movable_.size()) next = std::min(next, records_[movable_[next_movable_]].job.submit_s);
  if (!released_.empty()) next = std::min(next, released_.top().first);
  return next;
}

void Broker::release_attempt(std::uint32_t job, double at_s) {
  JobRecord& r = records_[job];
  r.job.submit_s = at_s;
  released_.emplace(at_s, job);
}

void Broker::route_due(double now) {
  for (std::size_t si = 0; si < fixed_.size(); ++si) {
    auto& i = next_fixed_[si];
    while (i < fixed_[si].size() && records_[fixed_[si][i]].job.submit_s <= now + kTimeEpsilon_s) {
      sites_[si]->enqueue(fixed_[si][i++]);
      ++submitted_;
    }
  }
  while (next_movable_ < movable_.size() && records_[movable_[next_movable_]].job.submit_s <= now + kTimeEpsilon_s) {
    route(movable_[next_movable_++]);
  }
  while (!released_.empty() && released_.top().first <= now + kTimeEpsilon_s) {
    const std::uint32_t job = released_.top().second;
    released_.pop();
    route(job);
  }
}

void Broker::route(std::uint32_t job) {
  JobRecord& r = records_[job];
  r.state = JobState::kQueued;
  ++submitted_;
  if (!movable(r)) {
    sites_[r.job.site]->enqueue(job);
    return;
  }
  // Where the job would start at once its wait is 0 (EASY lets it pass the queue there), as a
  // multi-cluster submission asks each cluster for the job's earliest start; elsewhere the
  // queue's work over the GPUs and its reservation estimate it.
  auto wait_at = [&](std::size_t si) {
    SiteScheduler& site = *sites_[si];
    return site.would_start_now(r) ? 0.0 : site.expected_wait_s(r.job.gpus, scenario_.job_classes[r.job.job_class].priority);
  };
  std::size_t best = r.job.site;
  double best_wait = wait_at(best);
  const double dataset_gb = scenario_.job_classes[r.job.job_class].dataset_gb;
  for (std::size_t si = 0; si < sites_.size(); ++si) {
    if (si == r.job.site) continue;  // its wait is best_wait's
    const double wait = wait_at(si) + transfer_s_of(r.job.job_class);
    if (quicker(si, wait, best, best_wait, r.job.site)) {
      best = si;
      best_wait = wait;
    }
  }
  if (best == r.job.site || dataset_gb <= 0) {
    r.run_site = static_cast<std::uint16_t>(best);
    sites_[best]->enqueue(r.job.id);
    return;
  }
  r.moved_gb = dataset_gb;
  sites_[best]->expect(r.job.id, simgrid::s4u::Comm::sendto_async(platform_.wan_gateway(r.job.site),
                                                                  platform_.wan_gateway(best),
                                                                  static_cast<std::uint64_t>(dataset_gb * 1e9)));
}

// Shares of `work` per site: site i absorbs spare_i as soon as the level reaches wait_i, then
// rate_i per second of level above it; the level is the lowest that absorbs all the work.
std::vector<double> water_fill(const std::vector<double>& wait, const std::vector<double>& rate,
                               const std::vector<double>& spare, double work) {
  std::vector<double> share;
  std::vector<std::size_t> order;
  water_fill(wait, rate, spare, work, share, order);
  return share;
}

void water_fill(const std::vector<double>& wait, const std::vector<double>& rate, const std::vector<double>& spare,
                double work, std::vector<double>& share, std::vector<std::size_t>& order) {
  share.assign(wait.size(), 0.0);
  order.clear();
  for (std::size_t i = 0; i < wait.size(); ++i) {
    if (std::isfinite(wait[i]) && (rate[i] > 0 || spare[i] > 0)) order.push_back(i);
  }
  if (order.empty() || work <= 0) return;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return std::tie(wait[a], a) < std::tie(wait[b], b); });
  double spares = 0, weighted = 0, rates = 0;
  double level = 0;
  std::size_t active = 0;        // sites order[0 .. active) take part
  std::size_t tied_from = 0;     // when the level stops at a wait: the first site at that wait
  double spare_fraction = 1;     // ... and the fraction of their spare they take
  while (active < order.size()) {
    // Sites of equal wait join together and share what they take of their spare in
    // proportion to it, so that which of them is listed first changes nothing.
    const double w = wait[order[active]];
    std::size_t end = active;
    double group_spare = 0, group_rate = 0;
    for (; end < order.size() && wait[order[end]] == w; ++end) {
      group_spare += spare[order[end]];
      group_rate += rate[order[end]];
    }
    // Before they join: what the others absorb at level w.
    const double before = spares + w * rates - weighted;
    if (active > 0 && before >= work) {
      level = (work - spares + weighted) / rates;
      break;
    }
    if (before + group_spare >= work) {
      level = w;
      tied_from = active;
      spare_fraction = (work - before) / group_spare;
      active = end;
      break;
    }
    spares += group_spare;
    weighted += w * group_rate;
    rates += group_rate;
    active = end;
    tied_from = end;
  }
  if (tied_from == order.size()) level = rates > 0 ? (work - spares + weighted) / rates : wait[order.back()];
  for (std::size_t n = 0; n < active; ++n) {
    const std::size_t i = order[n];
    const double taken_spare = n >= tied_from ? spare_fraction * spare[i] : spare[i];
    share[i] = (taken_spare + std::max(0.0, level - wait[i]) * rate[i]) / work;
  }
}

double small_work_wait_s(double discrete_queue_gpu_s, double fluid_queue_gpu_s, int usable_gpus, int small_work_gpus) {
  return discrete_queue_gpu_s / usable_gpus + fluid_queue_gpu_s / std::max(1, small_work_gpus);
}

void Broker::route_small_due(double now) {
  if (!small_ || small_->steps == 0) return;
  const double step = scenario_.fidelity.step_s;
  const auto current = static_cast<std::size_t>(now / step + kTimeEpsilon_s);
  if (next_small_bin_ <= current && feed_ != nullptr) feed_->ready_before(static_cast<double>(current + 1) * step);
  const std::size_t classes = small_->classes;
  std::vector<double>& reservation_s = routing_.reservation_s;  // the same for every bin routed now
  reservation_s.clear();
  // Each site's hold has served up to now: its short work paced to end at this boundary is
  // done, not waiting, as jobs running now would count as running, not queued.
  if (next_small_bin_ <= current && next_small_bin_ < small_->steps) {
    for (SiteScheduler* site : sites_) site->serve_fluid_until(now);
  }
  for (; next_small_bin_ <= current && next_small_bin_ < small_->steps; ++next_small_bin_) {
    // The bins that stay home first, so that the movable work sees every site's own.
    for (std::size_t home = 0; home < sites_.size(); ++home) {
      for (std::size_t c = 0; c < classes; ++c) {
        const std::size_t cell = next_small_bin_ * classes + c;
        const double jobs = small_->count[home][cell];
        const double work = small_->gpu_s[home][cell];
        if (jobs <= 0 && work <= 0) continue;  // a served class's load has work but no jobs
        if (!movable_class(c)) {
          const double node_sized = scenario_.job_classes[c].served ? 0.0 : bin_part(home, cell, false).gpu_s;
          sites_[home]->admit_small(next_small_bin_, c, jobs, work, node_sized);
        }
      }
    }
    route_movable_bins(next_small_bin_, step, reservation_s);
    route_long_small((static_cast<double>(next_small_bin_) + 1) * step, reservation_s);
  }
}

bool Broker::movable_class(std::size_t job_class) const {
  return scenario_.scheduling.broker && scenario_.job_classes[job_class].may_move;
}

bool Broker::quicker(std::size_t si, double wait, std::size_t best, double best_wait, std::size_t home) const {
  if (wait != best_wait) return wait < best_wait;
  return best != home && scenario_.sites[si].id < scenario_.sites[best].id;
}

// Away from home a class's data set must cross the WAN first (at the link's full rate).
double Broker::transfer_s_of(std::size_t job_class) const {
  return scenario_.job_classes[job_class].dataset_gb * 8 / scenario_.wan.bandwidth_gbps;
}

// What of each movable bin stays home: as much as its home's spare GPU-seconds take, as a job
// stays home when it would start there at once. A home's movable bins share its spare in
// proportion to their work. Fills routing_.kept, takes what they keep off routing_.site_spare
// and returns the work left.
double Broker::keep_home(std::size_t bin, bool sub_node) {
  const std::size_t classes = small_->classes;
  const std::size_t n = sites_.size();
  SmallRouting& r = routing_;
  r.kept.assign(n * classes, 0.0);
  double moving = 0;
  for (std::size_t home = 0; home < n; ++home) {
    double own = 0;
    for (std::size_t c = 0; c < classes; ++c) {
      if (movable_class(c)) own += bin_part(home, bin * classes + c, sub_node).gpu_s;
    }
    const double kept = own > 0 ? std::min(1.0, r.site_spare[home] / own) : 0.0;
    for (std::size_t c = 0; c < classes; ++c) {
      if (!movable_class(c)) continue;
      r.kept[home * classes + c] = kept;
      moving += (1 - kept) * bin_part(home, bin * classes + c, sub_node).gpu_s;
    }
    r.site_spare[home] = std::max(0.0, r.site_spare[home] - kept * own);
  }
  return moving;
}

// The step's movable bins are routed in two parts, the jobs smaller than a node and then the
// others; each part of every bin against the same view of the sites, as one body of work, so
// that neither the order of the sites nor that of the classes decides where it goes (each
// home's bin in turn raised the waits of the sites it filled, and the sites listed last got
// the most). What does not stay home (keep_home) is water-filled, each bin over its share of
// every site's GPUs, in proportion to its work, so that bins without a data set to carry all
// spread alike.
void Broker::route_movable_bins(std::size_t bin, double step, std::vector<double>& reservation_s) {
  const std::size_t n = sites_.size();
  SmallRouting& r = routing_;
  r.site_wait.resize(n);
  r.site_rate.resize(n);
  r.site_spare.resize(n);
  // The jobs smaller than a node first: where jobs of a node or more of the site's own lower
  // classes wait, these still start at once on the GPUs left on partly used nodes.
  for (std::size_t si = 0; si < n; ++si) {
    r.site_wait[si] = sites_[si]->short_work_wait_s(reservations(reservation_s)[si]);
    r.site_rate[si] = sites_[si]->usable_gpus();
    r.site_spare[si] = sites_[si]->sub_node_spare_gpu_s(step);
  }
  route_movable_part(bin, true);
  // Then the others, against the sites as the first part left them.
  for (std::size_t si = 0; si < n; ++si) {
    r.site_wait[si] = sites_[si]->short_work_wait_s(reservations(reservation_s)[si]);
    r.site_spare[si] = sites_[si]->spare_gpu_s(step);
  }
  route_movable_part(bin, false);
}

Broker::BinPart Broker::bin_part(std::size_t home, std::size_t cell, bool sub_node) const {
  const double sub_node_jobs = small_->sub_node_count[home][cell];
  const double sub_node_gpu_s = small_->sub_node_gpu_s[home][cell];
  if (sub_node) return {sub_node_jobs, sub_node_gpu_s};
  const double jobs = small_->count[home][cell] - sub_node_jobs;
  // Jobs without work are a served load's; with no jobs of a node or more, no work either.
  const double work = small_->gpu_s[home][cell] - sub_node_gpu_s;
  return {jobs, jobs > 0 || small_->count[home][cell] == 0 ? std::max(0.0, work) : 0.0};
}

void Broker::route_movable_part(std::size_t bin, bool sub_node) {
  const std::size_t classes = small_->classes;
  const std::size_t n = sites_.size();
  SmallRouting& r = routing_;
  const double moving = keep_home(bin, sub_node);
  r.wait.resize(2 * n);
  r.rate.resize(2 * n);
  r.spare.resize(2 * n);
  for (std::size_t home = 0; home < n; ++home) {
    for (std::size_t c = 0; c < classes; ++c) {
      if (!movable_class(c)) continue;
      const std::size_t cell = bin * classes + c;
      const auto [jobs, work] = bin_part(home, cell, sub_node);
      if (jobs <= 0 && work <= 0) continue;
      const double kept = r.kept[home * classes + c];
      r.fraction.assign(n, 0.0);
      r.fraction[home] = kept;
      const double rest = (1 - kept) * work;
      if (rest > 0) {
        const double portion = rest / moving;
        // Each site twice: its spare GPU-seconds, taken once the level reaches its transfer
        // (where jobs would start at once), then its GPUs beyond its expected wait.
        for (std::size_t si = 0; si < n; ++si) {
          const double transfer_s = si == home ? 0.0 : transfer_s_of(c);
          r.wait[si] = transfer_s;
          r.rate[si] = 0;
          r.spare[si] = portion * r.site_spare[si];
          r.wait[n + si] = r.site_wait[si] + transfer_s;
          r.rate[n + si] = portion * r.site_rate[si];
          r.spare[n + si] = 0;
        }
        water_fill(r.wait, r.rate, r.spare, rest, r.shares, r.order);
        const bool placed = std::any_of(r.shares.begin(), r.shares.end(), [](double x) { return x > 0; });
        for (std::size_t si = 0; si < n; ++si) {
          r.fraction[si] += placed ? (1 - kept) * (r.shares[si] + r.shares[n + si]) : 0.0;
        }
        if (!placed) r.fraction[home] = 1;
      } else if (work <= 0) {
        r.fraction[home] = 1;  // jobs without work: nothing to weigh, they stay home
      }
      // The site taking most gets what the others leave, so that the jobs and work admitted
      // add up to the bin's exactly (a bin that stays whole is admitted as it is).
      const auto most = static_cast<std::size_t>(std::max_element(r.fraction.begin(), r.fraction.end()) - r.fraction.begin());
      double jobs_left = jobs, work_left = work;
      for (std::size_t si = 0; si < n; ++si) {
        if (si == most || r.fraction[si] <= 0) continue;
        const double node_sized = sub_node ? 0.0 : work * r.fraction[si];
        sites_[si]->admit_small(bin, c, jobs * r.fraction[si], work * r.fraction[si], node_sized);
        jobs_left -= jobs * r.fraction[si];
        work_left -= work * r.fraction[si];
      }
      work_left = std::max(0.0, work_left);
      sites_[most]->admit_small(bin, c, std::max(0.0, jobs_left), work_left, sub_node ? 0.0 : work_left);
    }
  }
}

const std::vector<double>& Broker::reservations(std::vector<double>& reservation_s) const {
  if (reservation_s.empty()) {
    for (SiteScheduler* site : sites_) reservation_s.push_back(site->one_gpu_reservation_s());
  }
  return reservation_s;
}

// Small jobs longer than a step, one by one in submission order whatever their homes, as
// discrete jobs are routed: to their home site, or, for a class that may move, to a site where
// it would start at once (home first), else to the one with the least expected wait (each
// one takes its GPUs off the site's spare and raises its wait).
void Broker::route_long_small(double before_s, std::vector<double>& reservation_s) {
  if (next_long_.empty()) next_long_.assign(sites_.size(), 0);
  while (true) {
    std::size_t home = sites_.size();
    double first_s = before_s;
    for (std::size_t h = 0; h < sites_.size(); ++h) {
      const auto& jobs = small_->long_jobs[h];
      if (next_long_[h] < jobs.size() && jobs[next_long_[h]].submit_s < first_s) {
        home = h;
        first_s = jobs[next_long_[h]].submit_s;
      }
    }
    if (home == sites_.size()) return;
    const LongSmallJob& j = small_->long_jobs[home][next_long_[home]++];
    std::size_t best = home;
    if (movable_class(j.job_class)) {
      const std::vector<double>& reserve = reservations(reservation_s);
      const double step = scenario_.fidelity.step_s;
      auto wait_at = [&](std::size_t si) {
        return sites_[si]->has_room_for_long(j.gpus, step) ? 0.0 : sites_[si]->fluid_wait_s(reserve[si]);
      };
      double best_wait = wait_at(home);
      for (std::size_t si = 0; si < sites_.size(); ++si) {
        if (si == home) continue;  // its wait is best_wait's
        const double wait = wait_at(si) + transfer_s_of(j.job_class);
        if (quicker(si, wait, best, best_wait, home)) {
          best = si;
          best_wait = wait;
        }
      }
    }
    sites_[best]->admit_long(j);
  }
}

}  // namespace dctwin::sim::engine
