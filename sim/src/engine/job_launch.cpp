#include "job_launch.h"

namespace dctwin::sim::engine {

std::vector<CollectiveEdge> collective_edges(std::size_t n, JobClass::Collective collective, double comm_fraction,
                                             double run_s, double node_link_bytes_per_s) {
  std::vector<CollectiveEdge> edges;
  if (n < 2 || comm_fraction <= 0) return edges;
  const double ring_edge_bytes = comm_fraction * run_s * node_link_bytes_per_s;
  if (collective == JobClass::Collective::kRing) {
    for (std::size_t i = 0; i < n; ++i) edges.push_back({i, (i + 1) % n, ring_edge_bytes});
    return edges;
  }
  const double tree_edge_bytes = ring_edge_bytes * static_cast<double>(n) / (2.0 * static_cast<double>(n - 1));
  for (std::size_t i = 1; i < n; ++i) {
    edges.push_back({i, (i - 1) / 2, tree_edge_bytes});
    edges.push_back({(i - 1) / 2, i, tree_edge_bytes});
  }
  return edges;
}

JobActivities launch_job(const SiteNodes& nodes, const std::vector<Slice>& placement, double gpu_flops,
                         double remaining_s, const JobClass& jc, bool exec_per_node) {
  namespace sg4 = simgrid::s4u;
  JobActivities a;
  for (std::size_t i = 0; i < (exec_per_node ? placement.size() : 1); ++i) {
    auto exec = sg4::Exec::init()
                    ->set_name("job")
                    ->set_flops_amount(remaining_s * gpu_flops)  // per thread: one thread per GPU
                    ->set_host(nodes.hosts[placement[i].node])
                    ->set_thread_count(placement[i].gpus);
    exec->start();
    a.execs.push_back(std::move(exec));
  }
  for (const CollectiveEdge& e :
       collective_edges(placement.size(), jc.collective, jc.comm_fraction, remaining_s, nodes.node_link_bytes_per_s)) {
    // A ring edge inside one leaf group crosses only the sender's up and the receiver's down
    // node link, which carry no other flow (each node sends and receives one ring edge): it
    // runs alone at the node link's rate, so when that ends before the compute can (at full
    // clock; 0.1 % margin for latency) it changes no job's end and is not simulated.
    const std::uint32_t from = placement[e.from].node, to = placement[e.to].node;
    if (jc.collective == JobClass::Collective::kRing && nodes.nodes_per_group > 0 &&
        from / static_cast<std::uint32_t>(nodes.nodes_per_group) == to / static_cast<std::uint32_t>(nodes.nodes_per_group) &&
        e.bytes / nodes.node_link_bytes_per_s <= 0.999 * remaining_s) {
      continue;
    }
    a.comms.push_back(sg4::Comm::sendto_async(nodes.hosts[placement[e.from].node], nodes.hosts[placement[e.to].node],
                                              static_cast<std::uint64_t>(e.bytes)));
  }
  return a;
}

}  // namespace dctwin::sim::engine
