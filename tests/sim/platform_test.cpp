// The platform built from a scenario: hosts, cores, pstates and power figures.
#include "dctwin/sim/platform.h"

#include <gtest/gtest.h>
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include "dctwin/sim/scenario_loader.h"

namespace {
namespace sg4 = simgrid::s4u;

struct EngineFixture : ::testing::Test {
  EngineFixture() {
    static char name[] = "platform_test";
    static char quiet[] = "--log=root.thres:critical";
    char* argv[] = {name, quiet, nullptr};
    int argc = 2;
    engine = std::make_unique<sg4::Engine>(&argc, argv);
    sg_host_energy_plugin_init();
  }
  std::unique_ptr<sg4::Engine> engine;
  dctwin::sim::Scenario scenario =
      dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/tiny.yaml");
};
}  // namespace

TEST_F(EngineFixture, HostsPstatesAndPowerFigures) {
  const dctwin::sim::Platform platform(scenario);
  ASSERT_EQ(platform.site_count(), 2u);
  EXPECT_EQ(platform.site(0).hosts.size(), 2u);  // 16 GPUs in 8-GPU nodes
  EXPECT_EQ(platform.site(1).hosts.size(), 2u);
  EXPECT_EQ(engine->get_host_count(), 7u);       // and the control host and two WAN gateways

  const sg4::Host* h = platform.site(0).hosts[1];
  EXPECT_EQ(h->get_name(), "alpha-n00001");
  EXPECT_EQ(h->get_core_count(), 8);
  ASSERT_EQ(h->get_pstate_count(), 6u);
  // One core per GPU at its sustained rate: 989.4 TFLOP/s * 0.40, scaled by the clock.
  EXPECT_DOUBLE_EQ(h->get_pstate_speed(0), 989.4e12 * 0.40);
  EXPECT_DOUBLE_EQ(h->get_pstate_speed(5), 989.4e12 * 0.40 * 0.5);
  // Idle 8 x 70 + 1200 = 1760 W; all busy 8 x 595 + 3000 = 7760 W; at clock 0.9 each GPU
  // draws 70 + 525 x 0.81 = 495.25 W, the node 6962 W.
  const std::string watts = h->get_property("wattage_per_state");
  EXPECT_EQ(watts.substr(0, 47), "1760.000:1760.000:7760.000, 1760.000:1760.000:6");
  EXPECT_NE(watts.find(":6962.000"), std::string::npos) << watts;
  EXPECT_STREQ(h->get_property("wattage_off"), "0");
}

TEST_F(EngineFixture, NodesWaitSwitchedOffUntilCommissioned) {
  const dctwin::sim::Platform platform(scenario);
  EXPECT_TRUE(platform.site(0).hosts[0]->is_on());   // commissioned on day 0
  EXPECT_FALSE(platform.site(1).hosts[0]->is_on());  // 2026-02-01
  EXPECT_FALSE(platform.site(1).hosts[1]->is_on());  // 2026-02-03
  EXPECT_DOUBLE_EQ(platform.site(1).commission_s[0], 2 * 86400.0);
  EXPECT_DOUBLE_EQ(platform.site(1).commission_s[1], 4 * 86400.0);
  EXPECT_TRUE(platform.control_host()->is_on());
}

TEST_F(EngineFixture, FabricRoutesThroughLeafGroups) {
  scenario.sites[0].fabric.nodes = 2;
  const dctwin::sim::Platform platform(scenario);
  const auto& alpha = platform.site(0);
  EXPECT_DOUBLE_EQ(alpha.node_link_bytes_per_s, 8 * 400e9 / 8);  // eight 400G NICs
  std::vector<sg4::Link*> links;
  double latency = 0;
  alpha.hosts[0]->route_to(alpha.hosts[1], links, &latency);
  ASSERT_EQ(links.size(), 2u);  // up one node link, down the other: same leaf group
  EXPECT_DOUBLE_EQ(links[0]->get_bandwidth(), 400e9);
  links.clear();
  platform.wan_gateway(0)->route_to(platform.wan_gateway(1), links, &latency);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_GT(latency, 0.01);  // Cape Town to Cairo: over 7,000 km of fibre
}
