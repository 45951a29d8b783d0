#pragma once
// Aggregated fidelity: the small jobs of the classes that have only small jobs, drawn on a
// thread of their own while the run goes, a week of simulated time at a time, instead of
// all before the run starts. The draws and where they go are generate_workload's, so the run
// and its reports are the same; the run waits only if it catches up with the drawing.
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "dctwin/sim/scenario.h"
#include "dctwin/sim/workload.h"

namespace dctwin::sim {

class SmallJobFeed {
 public:
  SmallJobFeed();
  ~SmallJobFeed();  // stops the drawing
  SmallJobFeed(const SmallJobFeed&) = delete;
  SmallJobFeed& operator=(const SmallJobFeed&) = delete;

  // The classes the feed draws: every job of the class is small. The feed is used only when
  // each other class has no small job (a campaign, every size above small_max_gpus) or is
  // served, so that no discrete job is left to draw.
  static bool draws_class(const Scenario& scenario, const JobClass& job_class);
  static bool applies(const Scenario& scenario);

  // Begins drawing these (site, class) streams into `small`, whose cells generate_workload
  // has sized (and the other classes' filled).
  void start(const Scenario& scenario, AggregateArrivals& small, std::vector<std::pair<std::size_t, std::size_t>> streams);
  // Once this returns, every small job submitted before `t_s` is in `small`. Called from the
  // run's thread only.
  void ready_before(double t_s);
  // Draws the rest, and then `small` is complete (AggregateArrivals::total, the early ends).
  // Rethrows what the drawing threw.
  void finish();

 private:
  struct Drawing;
  std::unique_ptr<Drawing> drawing_;
  double ready_before_s_ = 0;  // how far the run's thread knows the drawing to be
};

}  // namespace dctwin::sim
