#pragma once
// The twin: runs a scenario on SimGrid and returns what happened. One run per process
// (SimGrid allows one engine per process).
#include <cstddef>
#include <functional>

#include "dctwin/sim/run_result.h"
#include "dctwin/sim/scenario.h"

namespace dctwin::sim {

struct Progress {
  double sim_s = 0;
  double horizon_s = 0;
  std::size_t jobs_submitted = 0;
  std::size_t jobs_finished = 0;
};

struct RunOptions {
  std::function<void(const Progress&)> on_progress;  // called about once per simulated day
  // A cross-check, slower: every node of a job runs an exec and the IT energy of the nodes
  // is read from SimGrid's host energy plugin instead of the scheduler's integration of the
  // same power model (docs/models.md, "IT energy"). Tests compare the two.
  bool energy_from_plugin = false;
};

class Twin {
 public:
  explicit Twin(const Scenario& scenario);
  RunResult run(const RunOptions& options = {});

 private:
  const Scenario& scenario_;
};

}  // namespace dctwin::sim
