#include "dctwin/models/fabric.h"

#include <gtest/gtest.h>

#include <numbers>
#include <stdexcept>
#include <vector>

#include "dctwin/models/fabric_metrics.h"
#include "dctwin/models/fabric_wan.h"

namespace {
using namespace dctwin::models;

FabricSpec spec(FabricKind kind, int nodes, int gpus_per_node = 8, int radix = 64,
                double oversubscription = 1.0) {
  FabricSpec s;
  s.kind = kind;
  s.nodes = nodes;
  s.gpus_per_node = gpus_per_node;
  s.switch_radix = radix;
  s.oversubscription = oversubscription;
  return s;
}
}  // namespace

// A fat-tree of k-port switches with one host per NIC port: the standard counts and full
// bisection, the latter computed by max flow on the graph.
class FatTree : public ::testing::TestWithParam<int> {};

TEST_P(FatTree, MatchesClosedForm) {
  const int k = GetParam();
  const FatTreeCounts expect = fat_tree_closed_form(k, 400);
  EXPECT_EQ(expect.hosts, k * k * k / 4);
  EXPECT_EQ(expect.switches, 5 * k * k / 4);
  const Fabric f = build_fabric(spec(FabricKind::kFatTree, static_cast<int>(expect.hosts), 1, k));
  const FabricCounts c = count_fabric(f);
  EXPECT_EQ(f.tiers, 3);
  EXPECT_EQ(f.pods, k);
  EXPECT_EQ(c.leaves, expect.edge);
  EXPECT_EQ(c.spines, expect.aggregation);
  EXPECT_EQ(c.cores, expect.core);
  EXPECT_EQ(c.switches, expect.switches);
  EXPECT_EQ(c.ports_used, c.ports_total);  // a full fat-tree uses every port
  EXPECT_DOUBLE_EQ(bisection_gbps(f), expect.bisection_gbps);
  EXPECT_DOUBLE_EQ(bisection_closed_form_gbps(f), expect.bisection_gbps);
  EXPECT_EQ(hop_stats(f).diameter_hops, 6);
}

INSTANTIATE_TEST_SUITE_P(K, FatTree, ::testing::Values(4, 8, 16));

TEST(Fabric, FatTreeMeanHopsByHand) {
  // k = 4, 16 hosts. From one host: 1 on its edge (2 links), 2 in its pod (4), 12 elsewhere (6).
  const Fabric f = build_fabric(spec(FabricKind::kFatTree, 16, 1, 4));
  EXPECT_NEAR(hop_stats(f).mean_hops, (1 * 2 + 2 * 4 + 12 * 6) / 15.0, 1e-12);
}

TEST(Fabric, TwoToOneHalvesTwoTierBisection) {
  // 64 ports, 8 GPUs a node: 1:1 gives 32 down / 32 up (4 nodes a leaf); 2:1 gives 40 / 20
  // (5 nodes). 40 nodes fill both exactly: 10 and 8 leaves.
  const Fabric full = build_fabric(spec(FabricKind::kLeafSpine, 40));
  const Fabric half = build_fabric(spec(FabricKind::kLeafSpine, 40, 8, 64, 2.0));
  EXPECT_EQ(full.leaf_down, 32);
  EXPECT_EQ(full.leaf_up, 32);
  EXPECT_EQ(half.leaf_down, 40);
  EXPECT_EQ(half.leaf_up, 20);
  EXPECT_DOUBLE_EQ(bisection_gbps(full), 20 * 8 * 400.0);
  EXPECT_DOUBLE_EQ(bisection_gbps(half), bisection_gbps(full) / 2);
  EXPECT_DOUBLE_EQ(bisection_closed_form_gbps(half), bisection_gbps(half));
}

TEST(Fabric, RailOptimizedBisectionMatchesClosedForm) {
  // 32 nodes a scalable unit: 8 units fit two tiers (64 leaves), 16 units need three.
  for (int nodes : {32, 256, 512}) {
    const Fabric f = build_fabric(spec(FabricKind::kRailOptimized, nodes));
    EXPECT_EQ(f.tiers, nodes <= 256 ? 2 : 3) << nodes;
    EXPECT_DOUBLE_EQ(bisection_gbps(f), nodes / 2 * 8 * 400.0) << nodes;
    EXPECT_DOUBLE_EQ(bisection_closed_form_gbps(f), bisection_gbps(f)) << nodes;
  }
}

TEST(Fabric, DiameterByTopology) {
  EXPECT_EQ(hop_stats(build_fabric(spec(FabricKind::kLeafSpine, 4))).diameter_hops, 2);  // one leaf
  EXPECT_EQ(hop_stats(build_fabric(spec(FabricKind::kLeafSpine, 40))).diameter_hops, 4);
  EXPECT_EQ(hop_stats(build_fabric(spec(FabricKind::kRailOptimized, 32))).diameter_hops,
            4);  // across rails
  EXPECT_EQ(hop_stats(build_fabric(spec(FabricKind::kRailOptimized, 512))).diameter_hops, 6);
}

TEST(Fabric, RingBottleneckInOneLeafVersusSpread) {
  const Fabric f = build_fabric(spec(FabricKind::kLeafSpine, 40, 8, 64, 2.0));  // 5 nodes a leaf
  const std::vector<int> one_leaf = {0, 1, 2, 3, 4}, spread = {0, 5, 10, 15};
  const JobPath a = job_path(f, one_leaf);
  EXPECT_EQ(a.leaves, 1);
  EXPECT_EQ(a.top_tier, 1);
  EXPECT_DOUBLE_EQ(a.ring_gbps_per_node, 8 * 400.0);
  const JobPath b = job_path(f, spread);
  EXPECT_EQ(b.leaves, 4);
  EXPECT_EQ(b.top_tier, 2);
  EXPECT_DOUBLE_EQ(b.ring_gbps_per_node, 8 * 400.0 / 2);  // 20 uplinks for 40 NICs
  EXPECT_GT(b.ring_hop_latency_s, a.ring_hop_latency_s);
  const Fabric nonblocking = build_fabric(spec(FabricKind::kLeafSpine, 40));
  EXPECT_DOUBLE_EQ(job_path(nonblocking, spread).ring_gbps_per_node, 8 * 400.0);
  const std::vector<int> single = {7};
  EXPECT_DOUBLE_EQ(job_path(f, single).ring_gbps_per_node, 8 * 7200.0);  // NVLink only
  EXPECT_EQ(job_path(f, single).top_tier, 0);
}

TEST(Fabric, RailRingStaysOnRailLeavesWithinAUnit) {
  const Fabric f =
      build_fabric(spec(FabricKind::kRailOptimized, 84, 8, 64, 2.0));  // 42 nodes a unit
  const std::vector<int> unit = {0, 10, 41}, across = {0, 42};
  EXPECT_EQ(job_path(f, unit).leaves, 8);  // one rail leaf per GPU index
  EXPECT_DOUBLE_EQ(job_path(f, unit).ring_gbps_per_node, 8 * 400.0);
  EXPECT_DOUBLE_EQ(job_path(f, across).ring_gbps_per_node, 8 * 400.0 / 2);
  EXPECT_EQ(job_path(f, across).leaves, 16);
}

TEST(Fabric, Nvl72DomainKeepsRingOnNvlink) {
  FabricSpec s = spec(FabricKind::kRailOptimized, 18);
  s.nvlink_domain_gpus = 72;
  const Fabric f = build_fabric(s);
  EXPECT_EQ(f.nvlink_domains, 2);
  const std::vector<int> rack = {0, 1, 2, 3, 4, 5, 6, 7, 8}, two = {8, 9};
  EXPECT_DOUBLE_EQ(job_path(f, rack).ring_gbps_per_node, 8 * 7200.0);
  EXPECT_DOUBLE_EQ(job_path(f, two).ring_gbps_per_node, 8 * 400.0);
}

TEST(Fabric, CablesOpticsCapexAndPower) {
  // 10 leaves of 32 copper host links; 32 uplinks each to 8 spines (4 cables a pair), optical.
  const Fabric f = build_fabric(spec(FabricKind::kLeafSpine, 40));
  const FabricPrices p = default_fabric_prices(400, 64);
  const FabricMetrics m = fabric_metrics(f, p);
  EXPECT_EQ(m.counts.spines, 8);
  EXPECT_EQ(m.counts.copper_cables, 320);
  EXPECT_EQ(m.counts.optical_cables, 320);
  EXPECT_EQ(m.counts.transceivers, 2 * m.counts.optical_cables);
  EXPECT_EQ(m.counts.ports_used, 320 + 2 * 320);
  EXPECT_DOUBLE_EQ(m.capex_usd, 18 * 36000.0 + 640 * 700.0);
  EXPECT_DOUBLE_EQ(m.power_w, 18 * 750.0 + 640 * 8.0);
  for (FabricKind k : {FabricKind::kFatTree, FabricKind::kRailOptimized}) {
    const FabricCounts c = count_fabric(build_fabric(spec(k, 375)));
    EXPECT_EQ(c.transceivers, 2 * c.optical_cables);
  }
}

TEST(Fabric, DotIsWellFormed) {
  const std::string dot =
      fabric_dot(build_fabric(spec(FabricKind::kRailOptimized, 64)), "za \"Cape Town\"");
  ASSERT_EQ(dot.rfind("graph ", 0), 0u);
  int depth = 0;
  for (char c : dot) {
    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
    ASSERT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
  EXPECT_EQ(dot.back(), '\n');
  EXPECT_NE(dot.find(" -- "), std::string::npos);
  EXPECT_EQ(dot.find("->"), std::string::npos);  // undirected graph
}

TEST(Fabric, RowsCarryEveryMetric) {
  const Fabric f = build_fabric(spec(FabricKind::kRailOptimized, 64));
  const auto rows = fabric_rows(f, fabric_metrics(f, default_fabric_prices(400, 64)));
  ASSERT_FALSE(rows.empty());
  bool found = false;
  for (const auto& r : rows) found |= r.column == "bisection_gbps" && r.value == 32 * 8 * 400.0;
  EXPECT_TRUE(found);
}

TEST(Fabric, RefusesWhatCannotBeBuilt) {
  EXPECT_THROW(build_fabric(spec(FabricKind::kLeafSpine, 375)),
               std::invalid_argument);  // 94 leaves
  EXPECT_THROW(build_fabric(spec(FabricKind::kLeafSpine, 4, 8, 64, 0.5)), std::invalid_argument);
  EXPECT_THROW(build_fabric(spec(FabricKind::kLeafSpine, 0)), std::invalid_argument);
  EXPECT_THROW(build_fabric(spec(FabricKind::kLeafSpine, 4, 8, 8)),
               std::invalid_argument);  // 8 NICs + uplinks > 8 ports
  const Fabric f = build_fabric(spec(FabricKind::kLeafSpine, 4));
  const std::vector<int> outside = {4};
  EXPECT_THROW(job_path(f, outside), std::invalid_argument);
  EXPECT_EQ(parse_fabric_kind("rail-optimized"), FabricKind::kRailOptimized);
  EXPECT_FALSE(parse_fabric_kind("torus").has_value());
}

TEST(Wan, GreatCircleAndLatency) {
  EXPECT_NEAR(great_circle_km(0, 0, 0, 90), std::numbers::pi / 2 * 6371.0088, 1e-6);
  const SiteLocation za{"za", -33.98, 18.60}, eg{"eg", 30.12, 31.41};
  WanSpec w;
  const WanLink l = wan_link(za, eg, w);
  EXPECT_NEAR(l.great_circle_km, 7250, 100);  // Cape Town - Cairo, about 7,250 km
  EXPECT_NEAR(l.latency_s, l.great_circle_km * 1.5 / (2.0 / 3.0 * 299792.458), 1e-12);
  EXPECT_NEAR(wan_link(eg, za, w).latency_s, l.latency_s, 1e-15);
  const std::vector<SiteLocation> five = {
      za, eg, {"ng", 6.58, 3.32}, {"ke", -1.32, 36.93}, {"ma", 33.37, -7.59}};
  EXPECT_EQ(wan_full_mesh(five, w).size(), 10u);
  w.routing_factor = 0.9;
  EXPECT_THROW(wan_link(za, eg, w), std::invalid_argument);
}
