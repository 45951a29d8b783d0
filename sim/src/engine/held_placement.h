#pragma once
// Aggregated fidelity: how the GPUs a pass takes split between the long small jobs it starts
// (held from step to step) and its short work. Internal to the engine.
#include <vector>

#include "dctwin/sim/node_pool.h"

namespace dctwin::sim::engine {

struct HeldSplit {
  std::vector<Slice> held;
  std::vector<Slice> short_work;
};

// The held jobs take a GPU on each node of `slices` in turn, in their order, until they have
// `held_gpus` (or all of them); the short work takes the rest. As jobs, long ones run beside
// short ones on the nodes small jobs use, so a node the short work lets go at a boundary
// stays partly held (docs/models.md, "Where long holds sit").
HeldSplit split_held(const std::vector<Slice>& slices, int held_gpus);

}  // namespace dctwin::sim::engine
