// The fabric inside the simulation: jobs' collectives share the links of the platform, so
// oversubscription and placement change how long communication-bound jobs run.
#include <gtest/gtest.h>
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include "dctwin/models/gpu_model.h"
#include "dctwin/sim/platform.h"
#include "dctwin/sim/scenario_loader.h"
#include "engine/job_launch.h"

namespace {
namespace sg4 = simgrid::s4u;
using dctwin::sim::Slice;

constexpr double kRunS = 1000;

// Two sites, leaf-spine fabrics of 64-port switches; each test sets their oversubscription
// and sizes them to two full leaf groups.
struct FabricFixture : ::testing::Test {
  FabricFixture() {
    static char name[] = "fabric_sim_test";
    static char quiet[] = "--log=root.thres:critical";
    static char model[] = "--cfg=network/model:CM02";
    static char cross[] = "--cfg=network/crosstraffic:0";
    char* argv[] = {name, quiet, model, cross, nullptr};
    int argc = 4;
    engine = std::make_unique<sg4::Engine>(&argc, argv);
    sg_host_energy_plugin_init();
    job_class = scenario.job_classes[1];
  }

  // Two full leaf groups at this oversubscription; returns the nodes per group.
  int configure(std::size_t site_index, double oversubscription) {
    auto& site = scenario.sites[site_index];
    site.fabric.kind = dctwin::models::FabricKind::kLeafSpine;
    site.fabric.oversubscription = oversubscription;
    site.fabric.nodes = 64;
    const int per_group = dctwin::models::build_fabric(site.fabric).nodes_per_group;
    site.fabric.nodes = 2 * per_group;
    site.phases = {{site.phases.front().commission, 2 * per_group * 8}};
    return per_group;
  }

  // Every node of the two groups, alternating between them: every ring edge crosses.
  std::vector<Slice> interleaved(int per_group) {
    std::vector<Slice> out;
    for (int i = 0; i < per_group; ++i) {
      out.push_back({static_cast<std::uint32_t>(i), 8});
      out.push_back({static_cast<std::uint32_t>(per_group + i), 8});
    }
    return out;
  }

  std::vector<Slice> nodes(std::initializer_list<std::uint32_t> list) {
    std::vector<Slice> out;
    for (auto n : list) out.push_back({n, 8});
    return out;
  }

  // Runs each job (site, placement, comm_fraction) at t=0 and returns when each finished.
  std::vector<double> run(const dctwin::sim::Platform& platform,
                          std::vector<std::tuple<int, std::vector<Slice>, double>> jobs) {
    std::vector<double> done(jobs.size(), -1);
    sg4::Actor::create("test", platform.control_host(), [&] {
      std::vector<sg4::ActivityPtr> pending;
      std::vector<std::size_t> owner;
      std::vector<int> left(jobs.size(), 0);
      for (std::size_t j = 0; j < jobs.size(); ++j) {
        auto& [site, placement, fraction] = jobs[j];
        dctwin::sim::JobClass jc = job_class;
        jc.comm_fraction = fraction;
        const auto& hosts = platform.site(static_cast<std::size_t>(site));
        for (auto& h : hosts.hosts) {
          if (!h->is_on()) h->turn_on();
        }
        const double gpu_flops = dctwin::models::GpuModel(scenario.sites[static_cast<std::size_t>(site)].gpu).gpu_flops(0);
        auto a = dctwin::sim::engine::launch_job(hosts, placement, gpu_flops, kRunS, jc);
        for (auto& e : a.execs) pending.push_back(e), owner.push_back(j), ++left[j];
        for (auto& c : a.comms) pending.push_back(c), owner.push_back(j), ++left[j];
      }
      while (!pending.empty()) {
        const auto i = static_cast<std::size_t>(sg4::Activity::wait_any(pending));
        if (--left[owner[i]] == 0) done[owner[i]] = sg4::Engine::get_clock();
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
        owner.erase(owner.begin() + static_cast<std::ptrdiff_t>(i));
      }
    });
    engine->run();
    return done;
  }

  std::unique_ptr<sg4::Engine> engine;
  dctwin::sim::Scenario scenario =
      dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/tiny.yaml");
  dctwin::sim::JobClass job_class;
};

}  // namespace

TEST(Collectives, RingAndTreeEdges) {
  const auto ring = dctwin::sim::engine::collective_edges(4, dctwin::sim::JobClass::Collective::kRing, 0.5, 100, 10);
  ASSERT_EQ(ring.size(), 4u);
  EXPECT_EQ(ring[3].to, 0u);
  EXPECT_DOUBLE_EQ(ring[0].bytes, 0.5 * 100 * 10);
  const auto tree = dctwin::sim::engine::collective_edges(4, dctwin::sim::JobClass::Collective::kTree, 0.5, 100, 10);
  ASSERT_EQ(tree.size(), 6u);  // three parent-child edges, both ways
  EXPECT_DOUBLE_EQ(tree[0].bytes, 500.0 * 4 / 6);
  EXPECT_TRUE(dctwin::sim::engine::collective_edges(1, dctwin::sim::JobClass::Collective::kRing, 1, 1, 1).empty());
}

// Every ring edge of a job interleaved over the two leaf groups crosses the uplinks: at 2:1
// they carry half of what the nodes can send, so the traffic takes twice as long.
TEST_F(FabricFixture, OversubscriptionSlowsACommunicationBoundJobByItsRatio) {
  const int a = configure(0, 1), b = configure(1, 2);
  const dctwin::sim::Platform platform(scenario);
  const auto t = run(platform, {{0, interleaved(a), 1.5}, {1, interleaved(b), 1.5}});
  EXPECT_NEAR(t[0], 1.5 * kRunS, 1e-3 * kRunS);  // traffic at full speed: 1.5 x the compute
  EXPECT_NEAR(t[1] / t[0], 2.0, 1e-3);
}

TEST_F(FabricFixture, OversubscriptionLeavesAComputeBoundJobAlone) {
  const int a = configure(0, 1), b = configure(1, 2);
  const dctwin::sim::Platform platform(scenario);
  const auto t = run(platform, {{0, interleaved(a), 0.3}, {1, interleaved(b), 0.3}});
  EXPECT_NEAR(t[0], kRunS, 1e-6 * kRunS);
  EXPECT_NEAR(t[1], kRunS, 1e-6 * kRunS);  // its traffic takes 0.6 of the run even at 2:1
}

// Under cross-leaf background traffic, the same two-node job finishes sooner packed in one
// leaf group than spread across the spine.
TEST_F(FabricFixture, APackedJobFinishesSoonerThanASpreadOneUnderContention) {
  const int g = configure(0, 2);
  configure(1, 2);
  const dctwin::sim::Platform platform(scenario);
  const auto u = [](int n) { return static_cast<std::uint32_t>(n); };
  ASSERT_GE(g, 5);
  // Background: the first three nodes of each group in a ring that crosses at every edge.
  const auto background = nodes({0, u(g), 1, u(g + 1), 2, u(g + 2)});
  const auto t = run(platform, {{0, background, 3.0}, {1, background, 3.0}, {0, nodes({3, 4}), 1.5},
                                {1, nodes({3, u(g + 3)}), 1.5}});
  EXPECT_NEAR(t[2], 1.5 * kRunS, 1e-3 * kRunS);  // its links are its own
  // Spread, it shares each uplink (g/2 node links wide at 2:1) with three background flows.
  EXPECT_NEAR(t[3] / t[2], 4.0 / (g / 2.0), 1e-3);
  EXPECT_GT(t[3], t[2] * 1.3);
}
