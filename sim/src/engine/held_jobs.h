#pragma once
// Aggregated fidelity: the small jobs longer than a few aggregate steps, each holding its GPUs
// from its start to the start of the step in which its run ends (the run's last part is short
// work of that step). Internal to the engine.
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "dctwin/sim/easy_backfill.h"
#include "dctwin/sim/node_pool.h"

namespace dctwin::sim::engine {

// The held jobs' GPUs, filed by the step in which each job's run ends, so that a job's end
// gives back the GPUs it was placed on and EASY sees which nodes come free when. Jobs ending
// at or past `steps` (the run's horizon) are held to the end and never counted as released.
class HeldJobs {
 public:
  struct Start {
    std::size_t release_step = 0;  // the step in which its run ends
    int gpus = 0;
    double work_in_release_step = 0;  // GPU-seconds of its run within that step
  };
  // A node's share of the holds, taken off it: its GPUs, and each step's jobs' part of them.
  struct OffNode {
    struct Part {
      std::size_t release_step = 0;
      int gpus = 0;
    };
    std::vector<Slice> slices;
    std::vector<Part> parts;  // by release step, earliest first
    int gpus = 0;
  };

  HeldJobs(std::size_t steps, double step_s) : steps_(steps), step_s_(step_s) {}

  int gpus() const { return gpus_; }
  // Jobs started together: each takes its GPUs from `slices` in turn, in order.
  void add(const std::vector<Start>& starts, const std::vector<Slice>& slices);
  bool due(std::size_t step) const;
  // The jobs whose runs end in `step` let go of their GPUs (returned); `work_gpu_s`: the work
  // their runs have left from the step's start.
  std::vector<Slice> release(std::size_t step, double& work_gpu_s);
  // Every job loses its GPUs (returned); `work_gpu_s`: the work their runs have left from `now`.
  std::vector<Slice> drop_all(double now, double& work_gpu_s);
  // The holds' GPUs on `node`, taken off it. `rehome` gives them `elsewhere` (as many GPUs as
  // it has, the earliest-ending jobs first); the rest lose them. Returns the work those have
  // left from `now`.
  OffNode take_off(std::uint32_t node);
  double rehome(const OffNode& off, const std::vector<Slice>& elsewhere, double now);
  // As EASY sees them at step `current`: each later step's GPUs, free at that step's start,
  // when release() gives them back. Valid until the holds change.
  const std::vector<const RunningJob*>& view(std::size_t current) const;

 private:
  struct Step {
    RunningJob jobs;  // its jobs' GPUs as one, free at the step's start: EASY reads it in place
    int gpus = 0;
    double work_gpu_s = 0;  // of its jobs' runs within the step
  };
  void file(std::size_t release_step, int gpus, double work_gpu_s, const std::vector<Slice>& slices,
            std::size_t& next, int& left_in_slice);
  // The jobs of `step` (its books `s`) lose `gpus` GPUs: returns their work left from `now`.
  double forget(std::size_t step, Step& s, int gpus, double now);

  std::size_t steps_;
  double step_s_;
  std::map<std::size_t, Step> by_release_;
  int gpus_ = 0;
  mutable std::vector<const RunningJob*> view_;  // into by_release_, whose nodes stay put
  mutable bool view_dirty_ = true;
  mutable std::size_t view_step_ = 0;
};

}  // namespace dctwin::sim::engine
