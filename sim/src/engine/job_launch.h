#pragma once
// Starts a job's activities on the platform: an exec on its first node (one thread per GPU
// there, running the job's remaining work at full clock) and, for a multi-node job, its
// collective's traffic between its nodes, overlapped with the compute. Internal.
#include <simgrid/s4u.hpp>

#include <vector>

#include "dctwin/sim/node_pool.h"
#include "dctwin/sim/platform.h"
#include "dctwin/sim/scenario.h"

namespace dctwin::sim::engine {

struct JobActivities {
  // One on the first node (every node of a job runs at the site's one pstate, so they all
  // finish together; the scheduler accounts for the load), or one per node when asked.
  std::vector<simgrid::s4u::ExecPtr> execs;
  std::vector<simgrid::s4u::CommPtr> comms;  // one per collective edge and direction
};

// The collective's edges over nodes 0..n-1 (in placement order), and the bytes each carries.
// A ring all-reduce of S bytes sends 2(n-1)/n S over each edge; a tree sends S up and S
// down each parent-child edge. comm_fraction sets the ring's edge volume to comm_fraction x
// run time x a node's link bandwidth: on an idle non-blocking fabric the traffic then takes
// comm_fraction of the run, so below 1 the job is compute-bound.
struct CollectiveEdge {
  std::size_t from = 0, to = 0;
  double bytes = 0;
};
std::vector<CollectiveEdge> collective_edges(std::size_t nodes, JobClass::Collective collective, double comm_fraction,
                                             double run_s, double node_link_bytes_per_s);

JobActivities launch_job(const SiteNodes& nodes, const std::vector<Slice>& placement, double gpu_flops,
                         double remaining_s, const JobClass& job_class, bool exec_per_node = false);

}  // namespace dctwin::sim::engine
