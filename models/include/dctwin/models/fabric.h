#pragma once
// Scale-out network fabric of one site: a folded-Clos topology of GPU NICs and switches, plus
// each node's NVLink domain. Generated as plain vertex and link lists, so the platform builder
// can turn them into SimGrid links and the header stays free of Boost; the graph algorithms
// (max flow, BFS) build a Boost.Graph from them in fabric_graph.cpp. Equations: docs/fabric.md.
#include <optional>
#include <string_view>
#include <vector>

namespace dctwin::models {

enum class FabricKind {
  kLeafSpine,      // two tiers; endpoints fill leaves in order (top-of-rack style)
  kFatTree,        // three tiers (edge, aggregation, core); k-ary fat-tree at 1:1
  kRailOptimized,  // GPU i of every node in a scalable unit on rail leaf i; 2 tiers, 3 when too big
};
const char* to_string(FabricKind kind);  // "leaf-spine", "fat-tree", "rail-optimized"
std::optional<FabricKind> parse_fabric_kind(std::string_view text);

struct FabricSpec {
  FabricKind kind = FabricKind::kRailOptimized;
  int nodes = 0;
  int gpus_per_node = 8;
  double nic_gbps = 400;          // scale-out NIC per GPU (gpus.csv, H100 SXM5 scaleout_Gbps)
  int switch_radix = 64;          // ports per switch, each at nic_gbps (64 x 400G)
  double oversubscription = 1.0;  // leaf downlink : uplink capacity; 1 = non-blocking
  double nvlink_gbps = 7200;      // per GPU, 900 GB/s (gpus.csv nvlink_GBps)
  int nvlink_domain_gpus = 0;     // 0: the node; e.g. 72 for an NVL72-style rack domain
  // Latency. ASSUMPTION: 1 us per switch traversal (conservative; third-party pages give
  // 0.15-0.33 us port to port for Quantum-2), 5 ns/m in copper or fibre (NVIDIA DAC specs: 4.5).
  double switch_latency_s = 1e-6;
  double cable_s_per_m = 5e-9;
  // Cable lengths, ASSUMPTION: top-of-rack host links stay in the rack; rail leaves and
  // spines sit in network racks, so rail host links and switch-to-switch links run farther.
  double host_cable_m = 2;
  double rail_host_cable_m = 20;
  double leaf_spine_cable_m = 30;
  double spine_core_cable_m = 50;
  double copper_max_m = 3;  // ASSUMPTION: passive copper (DAC) reach at 400G; longer is optical
};

enum class VertexKind { kGpu, kNvSwitch, kLeaf, kSpine, kCore };  // spine = aggregation at 3 tiers
enum class LinkMedium { kNvlink, kCopper, kOptical };

struct FabricVertex {
  VertexKind kind = VertexKind::kGpu;
  int node = -1;    // GPUs: the node
  int rail = -1;    // GPUs: index in the node; rail leaves: the rail they serve
  int group = -1;   // GPUs and leaves: leaf group (a leaf, or a rail-optimized scalable unit)
  int pod = -1;     // GPUs, leaves, spines at three tiers: the pod; cores: -1
  int domain = -1;  // GPUs and NVSwitches: the NVLink domain
};

// Parallel cables between the same two vertices are bundled into one link.
struct FabricLink {
  int a = 0, b = 0;  // vertex indices, a at the lower tier
  int cables = 1;
  double bandwidth_gbps = 0;  // all cables together, each direction
  double latency_s = 0;       // cable plus half of each switch end's traversal
  LinkMedium medium = LinkMedium::kOptical;
};

struct Fabric {
  FabricSpec spec;
  int tiers = 0;            // switch tiers: 1 (a single leaf), 2 or 3
  int nodes_per_group = 0;  // nodes under one leaf (scalable unit for rail-optimized)
  int groups = 0;           // leaf groups
  int groups_per_pod = 0;   // three tiers only
  int pods = 1;
  int leaf_down = 0;   // host ports per full leaf
  int leaf_up = 0;     // uplinks per leaf
  int spine_down = 0;  // three tiers: leaf ports per aggregation switch (k/2)
  int spine_up = 0;    // three tiers: core ports per aggregation switch (k/2)
  int nvlink_domains = 0;
  // Vertices: GPUs first (GPU g of node n is vertex n * gpus_per_node + g), then NVLink
  // switches, leaves, spines, cores.
  std::vector<FabricVertex> vertices;
  std::vector<FabricLink> links;
  int gpu_count() const { return spec.nodes * spec.gpus_per_node; }
  int leaf_of(int node, int gpu) const;  // vertex index of the leaf a GPU's NIC plugs into
};

// Throws std::invalid_argument for an inconsistent spec or a fabric that needs more tiers
// than the kind allows (leaf-spine: 2, others: 3).
Fabric build_fabric(const FabricSpec& spec);

// Standard k-ary fat-tree (Al-Fares et al., SIGCOMM 2008): k pods of k/2 edge and k/2
// aggregation switches, (k/2)^2 core switches, k^3/4 hosts, full bisection.
struct FatTreeCounts {
  long hosts = 0, edge = 0, aggregation = 0, core = 0, switches = 0;
  double bisection_gbps = 0;  // hosts / 2 x link
};
FatTreeCounts fat_tree_closed_form(int k, double link_gbps);

// Bisection of a built fabric from its structure (docs/fabric.md): halves of whole leaf
// groups, full leaves; N/2 x nic x min(1, up/down) at each tier that the cut crosses.
double bisection_closed_form_gbps(const Fabric& fabric);

}  // namespace dctwin::models
