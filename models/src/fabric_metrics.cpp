// Counts, capex, power, per-job ring figures, table rows and Graphviz text of a fabric.
#include "dctwin/models/fabric_metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace dctwin::models {
namespace {

bool is_switch(VertexKind k) {
  return k == VertexKind::kLeaf || k == VertexKind::kSpine || k == VertexKind::kCore;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

FabricPrices default_fabric_prices(double link_gbps, int switch_radix) {
  FabricPrices p;
  const double port_scale = switch_radix / 64.0;  // ESTIMATE: price per port constant in radix
  if (link_gbps <= 400) {
    p.switch_usd = 36000 * port_scale;  // IB_400G_64port_switch (fs.com; NVIDIA list ~50,000)
    p.transceiver_usd = 700;            // optics_400G_QSFP-DD, 600-800 midpoint
  } else {
    p.switch_usd = 200000 * port_scale;  // switch_800G_64port, 150-250k midpoint
    p.transceiver_usd =
        1250 * std::ceil(link_gbps / 800);  // optics_800G_OSFP_DR8, 1100-1400 midpoint
  }
  p.transceiver_w =
      16 * link_gbps / 800;  // transceiver_800G_power 16 W, linear in speed (ESTIMATE)
  // ESTIMATE: 750 W for a 64 x 400G (51.2 Tb/s) switch without optics; scales with capacity.
  p.switch_w = 750 * (switch_radix * link_gbps) / (64 * 400.0);
  return p;
}

FabricCounts count_fabric(const Fabric& f) {
  FabricCounts c;
  for (const FabricVertex& v : f.vertices) {
    c.leaves += v.kind == VertexKind::kLeaf;
    c.spines += v.kind == VertexKind::kSpine;
    c.cores += v.kind == VertexKind::kCore;
  }
  c.switches = c.leaves + c.spines + c.cores;
  c.nvlink_domains = f.nvlink_domains;
  c.ports_total = static_cast<long>(c.switches) * f.spec.switch_radix;
  for (const FabricLink& l : f.links) {
    if (l.medium == LinkMedium::kNvlink) continue;  // inside the node or rack, not scale-out
    (l.medium == LinkMedium::kCopper ? c.copper_cables : c.optical_cables) += l.cables;
    for (int end : {l.a, l.b}) {
      if (is_switch(f.vertices[static_cast<std::size_t>(end)].kind)) c.ports_used += l.cables;
    }
  }
  c.transceivers = 2 * c.optical_cables;  // one module at each end
  return c;
}

FabricMetrics fabric_metrics(const Fabric& f, const FabricPrices& p) {
  FabricMetrics m;
  m.counts = count_fabric(f);
  m.oversubscription = f.leaf_up > 0 ? static_cast<double>(f.leaf_down) / f.leaf_up : 1.0;
  m.bisection_gbps = bisection_gbps(f);
  m.bisection_closed_form_gbps = bisection_closed_form_gbps(f);
  m.hops = hop_stats(f);
  m.switch_capex_usd = m.counts.switches * p.switch_usd;
  m.optics_capex_usd = static_cast<double>(m.counts.transceivers) * p.transceiver_usd;
  m.cable_capex_usd = static_cast<double>(m.counts.copper_cables) * p.copper_cable_usd;
  m.capex_usd = m.switch_capex_usd + m.optics_capex_usd + m.cable_capex_usd;
  m.switch_power_w = m.counts.switches * p.switch_w;
  m.optics_power_w = static_cast<double>(m.counts.transceivers) * p.transceiver_w;
  m.power_w = m.switch_power_w + m.optics_power_w;
  return m;
}

JobPath job_path(const Fabric& f, std::span<const int> nodes) {
  if (nodes.empty()) throw std::invalid_argument("job_path: no nodes");
  std::vector<int> ring(nodes.begin(), nodes.end());
  std::sort(ring.begin(), ring.end());
  ring.erase(std::unique(ring.begin(), ring.end()), ring.end());
  if (ring.front() < 0 || ring.back() >= f.spec.nodes)
    throw std::invalid_argument("job_path: node outside the fabric");
  const FabricSpec& s = f.spec;
  const int gpn = s.gpus_per_node;
  auto gpu = [&](int node) -> const FabricVertex& {
    return f.vertices[static_cast<std::size_t>(node * gpn)];
  };

  JobPath j;
  j.nodes = static_cast<int>(ring.size());
  std::set<int> leaves, pods, domains;
  for (int n : ring) {
    for (int i = 0; i < gpn; ++i) leaves.insert(f.leaf_of(n, i));
    pods.insert(gpu(n).pod);
    domains.insert(gpu(n).domain);
  }
  j.leaves = static_cast<int>(leaves.size());
  j.pods = static_cast<int>(pods.size());
  j.nvlink_domains = static_cast<int>(domains.size());

  // One-way latency of a hop that climbs to each tier: cables plus one traversal per switch.
  const double host_m = s.kind == FabricKind::kRailOptimized ? s.rail_host_cable_m : s.host_cable_m;
  const double lat[4] = {
      s.switch_latency_s, 2 * host_m * s.cable_s_per_m + s.switch_latency_s,
      2 * (host_m + s.leaf_spine_cable_m) * s.cable_s_per_m + 3 * s.switch_latency_s,
      2 * (host_m + s.leaf_spine_cable_m + s.spine_core_cable_m) * s.cable_s_per_m +
          5 * s.switch_latency_s};
  // Hosts on the leaves of a group (partly filled at the end): their uplinks' share per flow.
  auto leaf_share = [&](int group) {
    const int in_group = std::min(f.nodes_per_group, s.nodes - group * f.nodes_per_group);
    const int hosts = s.kind == FabricKind::kRailOptimized ? in_group : in_group * gpn;
    return std::min(1.0, static_cast<double>(f.leaf_up) / hosts);
  };
  j.ring_gbps_per_node = gpn * s.nvlink_gbps;
  j.ring_hop_latency_s = lat[0];
  const std::size_t hops = ring.size() > 1 ? ring.size() : 0;
  for (std::size_t h = 0; h < hops; ++h) {
    const FabricVertex& a = gpu(ring[h]);
    const FabricVertex& b = gpu(ring[(h + 1) % ring.size()]);
    int tier = 0;
    double gbps = gpn * s.nvlink_gbps;
    if (a.domain != b.domain) {
      tier = a.group == b.group ? 1 : (a.pod == b.pod ? 2 : 3);
      double share = tier >= 2 ? std::min(leaf_share(a.group), leaf_share(b.group)) : 1.0;
      if (tier == 3) share = std::min(share, static_cast<double>(f.spine_up) / f.spine_down);
      gbps = gpn * s.nic_gbps * share;
    }
    j.top_tier = std::max(j.top_tier, tier);
    j.ring_gbps_per_node = std::min(j.ring_gbps_per_node, gbps);
    j.ring_hop_latency_s = std::max(j.ring_hop_latency_s, lat[tier]);
  }
  return j;
}

std::vector<FabricRow> fabric_rows(const Fabric& f, const FabricMetrics& m) {
  const FabricCounts& c = m.counts;
  const double half_gpus = (f.spec.nodes / 2) * f.spec.gpus_per_node;  // half A of the bisection
  return {
      {"nodes", static_cast<double>(f.spec.nodes), 0},
      {"gpus", static_cast<double>(f.gpu_count()), 0},
      {"tiers", static_cast<double>(f.tiers), 0},
      {"pods", static_cast<double>(f.pods), 0},
      {"leaves", static_cast<double>(c.leaves), 0},
      {"spines", static_cast<double>(c.spines), 0},
      {"cores", static_cast<double>(c.cores), 0},
      {"switches", static_cast<double>(c.switches), 0},
      {"ports_total", static_cast<double>(c.ports_total), 0},
      {"ports_used", static_cast<double>(c.ports_used), 0},
      {"copper_cables", static_cast<double>(c.copper_cables), 0},
      {"optical_cables", static_cast<double>(c.optical_cables), 0},
      {"transceivers", static_cast<double>(c.transceivers), 0},
      {"nvlink_domains", static_cast<double>(c.nvlink_domains), 0},
      {"oversubscription", m.oversubscription, 2},
      {"bisection_gbps", m.bisection_gbps, 0},
      {"bisection_closed_form_gbps", m.bisection_closed_form_gbps, 0},
      {"bisection_per_gpu_gbps", half_gpus > 0 ? m.bisection_gbps / half_gpus : 0, 1},
      {"diameter_hops", static_cast<double>(m.hops.diameter_hops), 0},
      {"mean_hops", m.hops.mean_hops, 3},
      {"switch_capex_usd", m.switch_capex_usd, 0},
      {"optics_capex_usd", m.optics_capex_usd, 0},
      {"capex_usd", m.capex_usd, 0},
      {"switch_power_w", m.switch_power_w, 0},
      {"optics_power_w", m.optics_power_w, 0},
      {"power_w", m.power_w, 0},
  };
}

std::string fabric_dot(const Fabric& f, std::string_view name) {
  std::string quoted;
  for (char ch : name) {
    if (ch == '"' || ch == '\\') quoted += '\\';
    quoted += ch;
  }
  // Hosts at the bottom, one rank per tier, so dot draws the tree upright.
  std::string out = "graph \"" + quoted + "\" {\n  rankdir=BT;\n  node [shape=box, fontsize=10];\n";
  const VertexKind kinds[] = {VertexKind::kGpu, VertexKind::kNvSwitch, VertexKind::kLeaf,
                              VertexKind::kSpine, VertexKind::kCore};
  int counter[5] = {0, 0, 0, 0, 0};
  for (VertexKind kind : kinds) {
    out += "  { rank=same;\n";
    for (std::size_t i = 0; i < f.vertices.size(); ++i) {
      const FabricVertex& v = f.vertices[i];
      if (v.kind != kind) continue;
      const int n = counter[static_cast<int>(kind)]++;
      std::string label;
      switch (kind) {
        case VertexKind::kGpu:
          // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string&&
          label.append("n").append(std::to_string(v.node)).append(".g").append(std::to_string(v.rail));
          break;
        case VertexKind::kNvSwitch:
          label = "nvlink " + std::to_string(v.domain);
          break;
        case VertexKind::kLeaf:
          label =
              "leaf " + std::to_string(n) + (v.rail >= 0 ? " rail " + std::to_string(v.rail) : "");
          break;
        case VertexKind::kSpine:
          label = (f.tiers == 3 ? "agg " : "spine ") + std::to_string(n);
          break;
        case VertexKind::kCore:
          label = "core " + std::to_string(n);
          break;
      }
      out += "    v" + std::to_string(i) + " [label=\"" + label + "\"" +
             (kind == VertexKind::kGpu ? ", shape=ellipse" : "") + "];\n";
    }
    out += "  }\n";
  }
  for (const FabricLink& l : f.links) {
    const char* style = l.medium == LinkMedium::kNvlink   ? "color=darkgreen, style=dashed"
                        : l.medium == LinkMedium::kCopper ? "color=black"
                                                          : "color=blue";
    const std::string label = (l.cables > 1 ? std::to_string(l.cables) + "x" : "") +
                              number(l.bandwidth_gbps / l.cables) + "G";
    out += "  v" + std::to_string(l.a) + " -- v" + std::to_string(l.b) + " [label=\"" + label +
           "\", " + style + "];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace dctwin::models
