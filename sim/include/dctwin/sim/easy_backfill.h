#pragma once
// EASY backfilling (Lifka 1995; Mu'alem & Feitelson 2001): the job at the head of the queue
// gets a reservation at the earliest time it fits as running jobs end; a later job may start
// now only if it does not push that reservation back. Running jobs' ends are estimated at
// full clock from their remaining work. No engine: tested alone.
#include <vector>

#include "dctwin/sim/node_pool.h"

namespace dctwin::sim {

struct RunningJob {
  double expected_end_s = 0;
  std::vector<Slice> slices;
};

// Running jobs one at a time by expected end (equal ends in any order). The reservation is
// usually found among the first few, so a scheduler with thousands running need not list them
// all on every pass.
class EndOrder {
 public:
  virtual void rewind() = 0;                // back to the first
  virtual const RunningJob* next() = 0;     // nullptr after the last

 protected:
  ~EndOrder() = default;
};

// A list already sorted by expected end, as an EndOrder.
class ListedEndOrder final : public EndOrder {
 public:
  explicit ListedEndOrder(const std::vector<const RunningJob*>& jobs) : jobs_(jobs) {}
  void rewind() override { at_ = 0; }
  const RunningJob* next() override { return at_ < jobs_.size() ? jobs_[at_++] : nullptr; }

 private:
  const std::vector<const RunningJob*>& jobs_;
  std::size_t at_ = 0;
};

class EasyBackfill {
 public:
  // The head's reservation: the earliest time it fits as `by_end` release their GPUs, with
  // `also_taken` held throughout. Infinity if never.
  double shadow_time(const NodePool& pool, EndOrder& by_end, int head_gpus, double now_s,
                     const std::vector<Slice>& also_taken = {});
  double shadow_time(const NodePool& pool, const std::vector<const RunningJob*>& by_end, int head_gpus,
                     double now_s, const std::vector<Slice>& also_taken = {});

  // A job that fits now at `placement` and would end at `end_s` may start now: it ends by the
  // reservation, or the head still fits then with the job's GPUs held.
  bool may_backfill(const NodePool& pool, EndOrder& by_end, int head_gpus, double shadow_s,
                    const std::vector<Slice>& placement, double end_s);
  bool may_backfill(const NodePool& pool, const std::vector<const RunningJob*>& by_end, int head_gpus,
                    double shadow_s, const std::vector<Slice>& placement, double end_s);

  // The same test for many candidates against one reservation, without replaying the running
  // jobs for each: `reserve` plays the pool forward to `shadow_s` (every job of `by_end`
  // ending by then gone), then `leaves_room` says whether the head fits then with `placement`
  // held. Valid until the pool or the running jobs change.
  void reserve(const NodePool& pool, EndOrder& by_end, double shadow_s);
  bool leaves_room(const NodePool& pool, int head_gpus, const std::vector<Slice>& placement);

 private:
  void start_from(const NodePool& pool);  // the scenario played: the pool as it is now
  void adjust(const NodePool& pool, std::uint32_t node, int delta_gpus);
  bool head_fits(int head_gpus, int gpus_per_node) const;

  std::vector<int> histogram_;   // usable nodes by free GPUs, in the scenario being played
  std::vector<int> delta_;       // per node, GPUs freed (+) or taken (-) in that scenario
  std::vector<std::uint32_t> touched_;
};

}  // namespace dctwin::sim
