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

// The GPUs of held jobs smaller than a node (`sub_node_gpus` in all) take one GPU on each
// node of `slices` in turn, in order; the short work takes the rest. As jobs, long small
// ones run beside short ones on the nodes small jobs use, so such a node stays partly held
// when the short work lets go of it at a boundary (docs/models.md, "Where long holds sit").
// Held jobs of a node or more are not here: they start only on whole free nodes, as jobs do.
HeldSplit split_held(const std::vector<Slice>& slices, int sub_node_gpus);

}  // namespace dctwin::sim::engine
