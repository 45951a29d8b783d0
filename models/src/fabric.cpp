// Topology generators: a folded Clos with leaf groups, built tier by tier. One generator
// serves all three kinds; they differ only in how NICs map to leaves and how many tiers.
#include "dctwin/models/fabric.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace dctwin::models {
namespace {

int ceil_div(long a, long b) {
  return static_cast<int>((a + b - 1) / b);
}

// Smallest divisor s of `total` such that `lower` switches each sending total/s cables to
// every one of s upper switches fit the upper switches' `radix` ports. 0: none fits.
int upper_switch_count(int total, int lower, int radix) {
  for (int s = 1; s <= total; ++s) {
    if (total % s == 0 && static_cast<long>(lower) * (total / s) <= radix) return s;
  }
  return 0;
}

class Builder {
 public:
  explicit Builder(Fabric& f) : f_(f), s_(f.spec) {}

  int add(VertexKind kind) {
    f_.vertices.push_back(FabricVertex{kind});
    return static_cast<int>(f_.vertices.size()) - 1;
  }
  double half_latency(int v) const {
    const VertexKind k = f_.vertices[static_cast<std::size_t>(v)].kind;
    return k == VertexKind::kGpu ? 0.0 : 0.5 * s_.switch_latency_s;
  }
  // A link of `cables` parallel cables; latency counts half of each switch end so that a
  // path's latency is its cables plus one full traversal per switch on it.
  void link(int a, int b, int cables, double gbps_each, double cable_m) {
    FabricLink l{a, b, cables, cables * gbps_each, 0, LinkMedium::kOptical};
    l.latency_s = cable_m * s_.cable_s_per_m + half_latency(a) + half_latency(b);
    l.medium = cable_m <= s_.copper_max_m ? LinkMedium::kCopper : LinkMedium::kOptical;
    f_.links.push_back(l);
  }
  void nvlink(int gpu, int nvswitch) {
    f_.links.push_back(
        FabricLink{gpu, nvswitch, 1, s_.nvlink_gbps, half_latency(nvswitch), LinkMedium::kNvlink});
  }

 private:
  Fabric& f_;
  const FabricSpec& s_;
};

void validate(const FabricSpec& s) {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("fabric: ") + what);
  };
  require(s.nodes >= 1, "nodes must be at least 1");
  require(s.gpus_per_node >= 1, "gpus_per_node must be at least 1");
  require(s.nic_gbps > 0 && s.nvlink_gbps > 0, "link bandwidths must be positive");
  require(s.switch_radix >= 4 && s.switch_radix % 2 == 0,
          "switch_radix must be even and at least 4");
  require(s.oversubscription >= 1, "oversubscription must be at least 1 (1 = non-blocking)");
  require(s.nvlink_domain_gpus >= 0 && s.nvlink_domain_gpus % s.gpus_per_node == 0,
          "nvlink_domain_gpus must be 0 or a multiple of gpus_per_node");
  require(s.switch_latency_s >= 0 && s.cable_s_per_m >= 0, "latencies must not be negative");
}

}  // namespace

const char* to_string(FabricKind kind) {
  switch (kind) {
    case FabricKind::kLeafSpine:
      return "leaf-spine";
    case FabricKind::kFatTree:
      return "fat-tree";
    case FabricKind::kRailOptimized:
      return "rail-optimized";
  }
  return "?";
}

std::optional<FabricKind> parse_fabric_kind(std::string_view text) {
  for (FabricKind k : {FabricKind::kLeafSpine, FabricKind::kFatTree, FabricKind::kRailOptimized}) {
    if (text == to_string(k)) return k;
  }
  return std::nullopt;
}

int Fabric::leaf_of(int node, int gpu) const {
  const int leaf_base = gpu_count() + nvlink_domains;
  const int group = node / nodes_per_group;
  return spec.kind == FabricKind::kRailOptimized ? leaf_base + group * spec.gpus_per_node + gpu
                                                 : leaf_base + group;
}

Fabric build_fabric(const FabricSpec& spec) {
  validate(spec);
  Fabric f;
  f.spec = spec;
  const int k = spec.switch_radix, gpn = spec.gpus_per_node, half = k / 2;
  const bool rail = spec.kind == FabricKind::kRailOptimized;
  const double r = spec.oversubscription;

  // Leaf ports: the most whole nodes whose NICs (one per node on a rail leaf) plus the
  // uplinks that ratio r asks for fit the radix. Whole nodes, so no node straddles leaves.
  const int per_node = rail ? 1 : gpn;
  for (int n = k / per_node; n >= 1 && f.nodes_per_group == 0; --n) {
    const int down = n * per_node, up = static_cast<int>(std::ceil(down / r - 1e-9));
    if (down + up <= k) {
      f.nodes_per_group = n;
      f.leaf_down = down;
      f.leaf_up = up;
    }
  }
  if (f.nodes_per_group == 0)
    throw std::invalid_argument("fabric: a leaf cannot hold one node's NICs and uplinks");
  f.groups = ceil_div(spec.nodes, f.nodes_per_group);
  const int leaves_per_group = rail ? gpn : 1;
  const int leaves = f.groups * leaves_per_group;

  // Two tiers fit while every leaf can reach every spine with one cable: leaves <= radix.
  if (spec.kind == FabricKind::kFatTree) {
    f.tiers = 3;
  } else if (spec.kind == FabricKind::kLeafSpine && leaves == 1) {
    f.tiers = 1;
  } else if (leaves <= k) {
    f.tiers = 2;
  } else if (spec.kind == FabricKind::kLeafSpine) {
    throw std::invalid_argument("fabric: " + std::to_string(leaves) +
                                " leaves exceed the spines' " + std::to_string(k) +
                                " ports; use fat-tree or rail-optimized");
  } else {
    f.tiers = 3;
  }
  if (f.tiers == 3) {
    f.groups_per_pod = rail ? half / gpn : half;  // a pod's leaves fill an aggregation's down ports
    if (f.groups_per_pod < 1)
      throw std::invalid_argument("fabric: a pod cannot hold one scalable unit");
    f.pods = ceil_div(f.groups, f.groups_per_pod);
    if (f.pods > k)
      throw std::invalid_argument("fabric: more than " + std::to_string(k) +
                                  " pods need a fourth tier");
    f.spine_down = half;
    f.spine_up = half;
  }

  Builder b(f);
  const int domain_gpus = spec.nvlink_domain_gpus > 0 ? spec.nvlink_domain_gpus : gpn;
  const int nodes_per_domain = domain_gpus / gpn;
  f.nvlink_domains = ceil_div(spec.nodes, nodes_per_domain);
  auto pod_of_group = [&](int g) { return f.tiers == 3 ? g / f.groups_per_pod : 0; };

  for (int n = 0; n < spec.nodes; ++n) {
    for (int g = 0; g < gpn; ++g) {
      const int grp = n / f.nodes_per_group;
      f.vertices.push_back(
          FabricVertex{VertexKind::kGpu, n, g, grp, pod_of_group(grp), n / nodes_per_domain});
    }
  }
  for (int d = 0; d < f.nvlink_domains; ++d)
    f.vertices[static_cast<std::size_t>(b.add(VertexKind::kNvSwitch))].domain = d;
  for (int grp = 0; grp < f.groups; ++grp) {
    for (int i = 0; i < leaves_per_group; ++i) {
      FabricVertex& v = f.vertices[static_cast<std::size_t>(b.add(VertexKind::kLeaf))];
      v.group = grp, v.pod = pod_of_group(grp), v.rail = rail ? i : -1;
    }
  }
  const int nvswitch_base = f.gpu_count(), leaf_base = nvswitch_base + f.nvlink_domains;
  for (int n = 0; n < spec.nodes; ++n) {
    for (int g = 0; g < gpn; ++g) {
      const int gpu = n * gpn + g;
      b.nvlink(gpu, nvswitch_base + n / nodes_per_domain);
      b.link(gpu, f.leaf_of(n, g), 1, spec.nic_gbps,
             rail ? spec.rail_host_cable_m : spec.host_cable_m);
    }
  }

  if (f.tiers == 2) {
    const int spines = upper_switch_count(f.leaf_up, leaves, k);
    const int base = static_cast<int>(f.vertices.size());
    for (int s = 0; s < spines; ++s) b.add(VertexKind::kSpine);
    for (int l = 0; l < leaves; ++l) {
      for (int s = 0; s < spines; ++s) {
        b.link(leaf_base + l, base + s, f.leaf_up / spines, spec.nic_gbps, spec.leaf_spine_cable_m);
      }
    }
  } else if (f.tiers == 3) {
    // Aggregation switch j of a pod takes one cable from every leaf of the pod; core group j
    // joins aggregation j of every pod (the k-ary fat-tree wiring when leaf_up = k/2).
    const int aggs = f.leaf_up;
    const int agg_base = static_cast<int>(f.vertices.size());
    for (int p = 0; p < f.pods; ++p) {
      for (int j = 0; j < aggs; ++j)
        f.vertices[static_cast<std::size_t>(b.add(VertexKind::kSpine))].pod = p;
    }
    for (int l = 0; l < leaves; ++l) {
      const int p = pod_of_group(l / leaves_per_group);
      for (int j = 0; j < aggs; ++j)
        b.link(leaf_base + l, agg_base + p * aggs + j, 1, spec.nic_gbps, spec.leaf_spine_cable_m);
    }
    const int per_group = upper_switch_count(half, f.pods, k);
    const int core_base = static_cast<int>(f.vertices.size());
    for (int c = 0; c < aggs * per_group; ++c) b.add(VertexKind::kCore);
    for (int p = 0; p < f.pods; ++p) {
      for (int j = 0; j < aggs; ++j) {
        for (int c = 0; c < per_group; ++c) {
          b.link(agg_base + p * aggs + j, core_base + j * per_group + c, half / per_group,
                 spec.nic_gbps, spec.spine_core_cable_m);
        }
      }
    }
  }
  return f;
}

FatTreeCounts fat_tree_closed_form(int k, double link_gbps) {
  FatTreeCounts c;
  const long kk = k;
  c.hosts = kk * kk * kk / 4;
  c.edge = kk * kk / 2;
  c.aggregation = kk * kk / 2;
  c.core = kk * kk / 4;
  c.switches = c.edge + c.aggregation + c.core;  // 5k^2/4
  c.bisection_gbps = static_cast<double>(c.hosts) / 2 * link_gbps;
  return c;
}

double bisection_closed_form_gbps(const Fabric& f) {
  // Half A is the first floor(nodes/2) nodes; every byte A sends to B crosses each tier's
  // uplinks once, so the tightest up:down ratio on the way bounds it (min, not product).
  const double hosts_a = std::floor(f.spec.nodes / 2.0) * f.spec.gpus_per_node;
  double share = 1.0;
  if (f.groups > 1) share = std::min(share, static_cast<double>(f.leaf_up) / f.leaf_down);
  if (f.tiers == 3 && f.pods > 1)
    share = std::min(share, static_cast<double>(f.spine_up) / f.spine_down);
  return hosts_a * f.spec.nic_gbps * share;
}

}  // namespace dctwin::models
