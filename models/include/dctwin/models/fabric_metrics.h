#pragma once
// What a fabric costs and delivers: counts of switches, ports, cables and optics; capex and
// power; bisection bandwidth and hop counts computed on the graph; and the per-job figures
// the engine needs to turn a ring all-reduce into time. Sources: docs/fabric.md.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dctwin/models/fabric.h"

namespace dctwin::models {

// Prices and power per item. The defaults come from default_fabric_prices().
struct FabricPrices {
  double switch_usd = 0;        // one switch of the fabric's radix and speed
  double transceiver_usd = 0;   // one optical module
  double switch_w = 0;          // one switch without its optics
  double transceiver_w = 0;     // one optical module
  double copper_cable_usd = 0;  // not priced in reference/: 0 unless the caller sets it
};
// reference/gpu_measured_cost.csv: 64x400G switch USD 36,000 (row IB_400G_64port_switch),
// 800G 64-port USD 200,000 (switch_800G_64port midpoint); optics USD 700 at 400G
// (optics_400G_QSFP-DD midpoint), USD 1,250 at 800G (optics_800G_OSFP_DR8 midpoint);
// transceiver 16 W per 800G (transceiver_800G_power), scaled by speed. Switch power
// ESTIMATE 750 W per 64x400G (51.2 Tb/s), scaled by capacity. Prices scale with radix.
FabricPrices default_fabric_prices(double link_gbps, int switch_radix);

struct FabricCounts {
  int leaves = 0, spines = 0, cores = 0, switches = 0;
  int nvlink_domains = 0;
  long ports_total = 0;  // switches x radix
  long ports_used = 0;   // switch ports with a cable
  long copper_cables = 0, optical_cables = 0;
  long transceivers = 0;  // two per optical cable
};
FabricCounts count_fabric(const Fabric& fabric);

// Max flow (push-relabel) from the first half of the nodes to the second half, NVLink
// included, every cable at its bandwidth in both directions at once.
double bisection_gbps(const Fabric& fabric);

struct HopStats {
  int diameter_hops = 0;  // most scale-out links between two GPUs (BFS, NVLink excluded)
  double mean_hops = 0;   // over ordered pairs of distinct GPUs
};
HopStats hop_stats(const Fabric& fabric);

struct FabricMetrics {
  FabricCounts counts;
  double oversubscription = 1;  // as built: leaf host ports / uplinks
  double bisection_gbps = 0;
  double bisection_closed_form_gbps = 0;
  HopStats hops;
  double switch_capex_usd = 0, optics_capex_usd = 0, cable_capex_usd = 0, capex_usd = 0;
  double switch_power_w = 0, optics_power_w = 0, power_w = 0;
};
FabricMetrics fabric_metrics(const Fabric& fabric, const FabricPrices& prices);

// A job on a set of nodes (node indices, any order; duplicates ignored). The ring visits the
// nodes in index order, which keeps each leaf group's nodes together. ASSUMPTION: the rest
// of the fabric is as busy as this job, so a flow leaving its leaf gets up/down of its NIC
// rate (the oversubscription share) and a flow within a leaf or NVLink domain gets all of it.
struct JobPath {
  int nodes = 0;
  int leaves = 0;          // distinct leaves the job's NICs plug into
  int pods = 0;            // distinct pods (1 at two tiers)
  int nvlink_domains = 0;  // distinct NVLink domains
  int top_tier = 0;        // highest tier a ring hop climbs: 0 NVLink, 1 leaf, 2 spine, 3 core
  double ring_gbps_per_node = 0;  // bottleneck over the ring's hops, all the node's GPUs
  double ring_hop_latency_s = 0;  // slowest hop, one way
};
// Throws std::invalid_argument for an empty set or a node outside the fabric.
JobPath job_path(const Fabric& fabric, std::span<const int> nodes);

// One quantity for `dctwin fabric`; the column name carries the unit (docs/fabric.md).
struct FabricRow {
  std::string column;
  double value = 0;
  int decimals = 0;
};
std::vector<FabricRow> fabric_rows(const Fabric& fabric, const FabricMetrics& metrics);

// Graphviz text of the topology (undirected `graph`); the caller writes the file.
std::string fabric_dot(const Fabric& fabric, std::string_view name);

}  // namespace dctwin::models
