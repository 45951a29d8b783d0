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
};

class Twin {
 public:
  explicit Twin(const Scenario& scenario);
  RunResult run(const RunOptions& options = {});

 private:
  const Scenario& scenario_;
};

}  // namespace dctwin::sim
