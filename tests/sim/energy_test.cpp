// Energy bookkeeping: what the twin reads from SimGrid's energy plugin equals the same
// quantity worked out by hand from the node power model and the job records.
#include <gtest/gtest.h>

#include <cmath>

#include "dctwin/models/gpu_model.h"
#include "dctwin/sim/scenario_loader.h"
#include "dctwin/sim/twin.h"

namespace {

dctwin::sim::Scenario tiny() {
  return dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/tiny.yaml");
}

double site_it_energy_j(const dctwin::sim::RunResult& r, std::size_t site) {
  double j = 0;
  for (const auto& s : r.sites[site].steps) j += s.it_energy_j;
  return j;
}

}  // namespace

TEST(Energy, IdleNodesByHand) {
  auto s = tiny();
  for (auto& site : s.sites) site.demand = {{s.start, 0.0}};  // no work at all
  const auto r = dctwin::sim::Twin(s).run();
  EXPECT_TRUE(r.jobs.empty());
  // alpha: 2 nodes x 1760 W x 7 days. beta: one node for 5 days, one for 3.
  EXPECT_NEAR(site_it_energy_j(r, 0), 2 * 1760.0 * 7 * 86400, 1e-3);
  EXPECT_NEAR(site_it_energy_j(r, 1), 1760.0 * (5 + 3) * 86400, 1e-3);
  EXPECT_EQ(r.sites[0].steps.size(), 7u * 24);
}

TEST(Energy, BusyNodesMatchTheJobRecords) {
  const auto s = tiny();
  const auto r = dctwin::sim::Twin(s).run();
  ASSERT_GT(r.jobs.size(), 20u);
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    const dctwin::models::GpuModel gpu(s.sites[si].gpu);
    const auto power = gpu.node_power(0);
    const dctwin::models::SimCalendar cal(s.start);
    double expected = 0;
    for (const auto& p : s.sites[si].phases) {
      expected += power.idle_w * (p.gpus / 8) * (r.horizon_s - cal.seconds_at(p.commission));
    }
    int started = 0;
    for (const auto& j : r.jobs) {
      if (j.job.site != si || j.start_s < 0) continue;
      ++started;
      const double end = j.end_s >= 0 ? j.end_s : r.horizon_s;
      expected += (power.all_busy_w - power.epsilon_w) / 8 * j.job.gpus * (end - j.start_s);
    }
    EXPECT_GT(started, 5);
    EXPECT_NEAR(site_it_energy_j(r, si) / expected, 1.0, 1e-9) << "site " << si;
  }
}

TEST(Energy, FacilityIsItTimesPueEveryStep) {
  const auto s = tiny();
  const auto r = dctwin::sim::Twin(s).run();
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    const auto& pue = s.sites[si].pue;
    for (const auto& step : r.sites[si].steps) {
      const double expected_pue =
          pue.pue_at_reference + pue.pue_per_kelvin_above * std::max(0.0, step.drybulb_c - pue.reference_drybulb_c);
      EXPECT_DOUBLE_EQ(step.pue, expected_pue);
      EXPECT_NEAR(step.facility_energy_j, step.it_energy_j * expected_pue, 1e-6 * step.facility_energy_j + 1e-9);
      EXPECT_LE(step.gpus_busy, step.gpus_online);
    }
  }
}

TEST(Scheduling, FcfsJobsRunTheirDurationAndNeverOvertake) {
  const auto s = tiny();
  const auto r = dctwin::sim::Twin(s).run();
  std::vector<double> last_start(s.sites.size(), -1);
  int finished = 0;
  for (const auto& j : r.jobs) {  // in submission order
    if (j.state == dctwin::sim::JobState::kFinished) {
      ++finished;
      EXPECT_NEAR(j.end_s - j.start_s, j.job.duration_s, 1e-6 * j.job.duration_s);
      EXPECT_EQ(j.nodes, j.job.gpus < 8 ? 1 : j.job.gpus / 8);
    }
    if (j.start_s < 0) {
      last_start[j.job.site] = 1e300;  // nothing after a waiting job may start
      continue;
    }
    EXPECT_GE(j.start_s, j.job.submit_s);
    EXPECT_GE(j.start_s, last_start[j.job.site]) << "job " << j.job.id << " overtook an earlier one";
    last_start[j.job.site] = j.start_s;
  }
  EXPECT_GT(finished, 10);
}
