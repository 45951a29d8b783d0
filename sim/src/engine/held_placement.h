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

// Held jobs of a node or more (`node_sized_gpus` in all) take whole nodes of `slices`, the
// last ones first (a pass takes its whole free nodes last); those smaller than a node
// (`sub_node_gpus`), and what found no whole node, take a GPU on each remaining node in
// turn, in order; the short work takes the rest. As jobs, long small ones run beside short
// ones on the nodes small jobs use, so such a node stays partly held when the short work
// lets go of it at a boundary (docs/models.md, "Where long holds sit").
HeldSplit split_held(const std::vector<Slice>& slices, int node_sized_gpus, int sub_node_gpus, int gpus_per_node);

}  // namespace dctwin::sim::engine
