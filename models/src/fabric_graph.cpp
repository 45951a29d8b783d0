// The only file that includes Boost.Graph: the fabric's vertex and link lists become an
// adjacency_list here for max flow and BFS, so the templates compile once.
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "dctwin/models/fabric_metrics.h"

namespace dctwin::models {
namespace {

using FlowTraits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using FlowGraph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<
        boost::edge_capacity_t, long long,
        boost::property<boost::edge_residual_capacity_t, long long,
                        boost::property<boost::edge_reverse_t, FlowTraits::edge_descriptor>>>>;
using HopGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;

// Capacities in whole Mbit/s: push-relabel on integers is exact, on doubles it is not.
long long mbps(double gbps) {
  return std::llround(gbps * 1000.0);
}

}  // namespace

double bisection_gbps(const Fabric& f) {
  const int nodes_a = f.spec.nodes / 2;
  if (nodes_a == 0) return 0;
  const int nv = static_cast<int>(f.vertices.size());
  FlowGraph g(static_cast<std::size_t>(nv) + 2);
  auto cap = boost::get(boost::edge_capacity, g);
  auto rev = boost::get(boost::edge_reverse, g);
  // An arc u->v of capacity c with its zero-capacity reverse; an undirected cable is two
  // such arcs, one each way, which keeps Boost's is_flow() check valid.
  auto arc = [&](int u, int v, long long c) {
    const auto e =
        boost::add_edge(static_cast<std::size_t>(u), static_cast<std::size_t>(v), g).first;
    const auto r =
        boost::add_edge(static_cast<std::size_t>(v), static_cast<std::size_t>(u), g).first;
    cap[e] = c;
    cap[r] = 0;
    rev[e] = r;
    rev[r] = e;
  };
  long long total = 1;
  for (const FabricLink& l : f.links) {
    arc(l.a, l.b, mbps(l.bandwidth_gbps));
    arc(l.b, l.a, mbps(l.bandwidth_gbps));
    total += mbps(l.bandwidth_gbps);
  }
  // Half A: the first floor(nodes/2) nodes; half B: the last as many. With an odd node count
  // the middle node is neither, only a transit vertex.
  const int source = nv, sink = nv + 1, gpn = f.spec.gpus_per_node;
  for (int n = 0; n < nodes_a; ++n) {
    for (int i = 0; i < gpn; ++i) {
      arc(source, n * gpn + i, total);
      arc((f.spec.nodes - 1 - n) * gpn + i, sink, total);
    }
  }
  const long long flow = boost::push_relabel_max_flow(g, static_cast<std::size_t>(source),
                                                      static_cast<std::size_t>(sink));
  return static_cast<double>(flow) / 1000.0;
}

HopStats hop_stats(const Fabric& f) {
  // Every GPU sits one link below its leaf, so a pair on leaves l and m is 2 + d(l, m) links
  // apart (2 on the same leaf): a BFS from each leaf gives all pairs exactly.
  const int nv = static_cast<int>(f.vertices.size());
  HopGraph g(static_cast<std::size_t>(nv));
  for (const FabricLink& l : f.links) {
    if (l.medium != LinkMedium::kNvlink)
      boost::add_edge(static_cast<std::size_t>(l.a), static_cast<std::size_t>(l.b), g);
  }
  std::vector<int> leaves;
  std::vector<double> hosts(static_cast<std::size_t>(nv), 0.0);
  for (int n = 0; n < f.spec.nodes; ++n) {
    for (int i = 0; i < f.spec.gpus_per_node; ++i)
      hosts[static_cast<std::size_t>(f.leaf_of(n, i))] += 1;
  }
  for (int v = 0; v < nv; ++v) {
    if (hosts[static_cast<std::size_t>(v)] > 0) leaves.push_back(v);
  }
  HopStats h;
  double sum = 0;
  const double n_gpus = f.gpu_count();
  std::vector<int> dist(static_cast<std::size_t>(nv));
  for (int l : leaves) {
    const double hl = hosts[static_cast<std::size_t>(l)];
    std::fill(dist.begin(), dist.end(), -1);
    dist[static_cast<std::size_t>(l)] = 0;
    boost::breadth_first_search(g, static_cast<std::size_t>(l),
                                boost::visitor(boost::make_bfs_visitor(
                                    boost::record_distances(dist.data(), boost::on_tree_edge()))));
    if (hl >= 2) {
      sum += hl * (hl - 1) * 2;
      h.diameter_hops = std::max(h.diameter_hops, 2);
    }
    for (int m : leaves) {
      if (m == l) continue;
      const int d = dist[static_cast<std::size_t>(m)];
      if (d < 0) throw std::logic_error("fabric: leaves not connected");
      sum += hl * hosts[static_cast<std::size_t>(m)] * (2 + d);
      h.diameter_hops = std::max(h.diameter_hops, 2 + d);
    }
  }
  h.mean_hops = n_gpus > 1 ? sum / (n_gpus * (n_gpus - 1)) : 0;
  return h;
}

}  // namespace dctwin::models
