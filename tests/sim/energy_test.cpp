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

TEST(Energy, FacilityBalanceHoldsEveryStep) {
  const auto s = tiny();
  const auto r = dctwin::sim::Twin(s).run();
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    for (const auto& step : r.sites[si].steps) {
      const double parts = step.it_energy_j + step.cooling_energy_j + step.pdu_loss_j + step.ups_loss_j +
                           step.transformer_loss_j;
      EXPECT_NEAR(step.facility_energy_j, parts, 1e-9 * parts + 1e-6);
      EXPECT_NEAR(step.grid_energy_j + step.generator_energy_j, step.facility_energy_j, 1e-9 * parts + 1e-6);
      if (step.it_energy_j > 0) {
        EXPECT_GT(step.pue, 1.0);
        EXPECT_LT(step.pue, 2.0);
        EXPECT_GT(step.cooling_energy_j, 0);
        EXPECT_GT(step.transformer_loss_j, 0);
      }
      EXPECT_LE(step.gpus_busy, step.gpus_online);
    }
  }
}

TEST(Scheduling, FcfsJobsRunTheirDurationAndNeverOvertake) {
  auto s = tiny();
  s.scheduling.policy = dctwin::sim::SchedulingPolicy::kFcfs;
  const auto r = dctwin::sim::Twin(s).run();
  std::vector<double> last_start(s.sites.size(), -1);
  int finished = 0;
  for (const auto& j : r.jobs) {  // in submission order
    if (j.state == dctwin::sim::JobState::kFinished && j.interruptions == 0) {
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

TEST(Capping, ACappedSiteDrawsNoMoreThanItsLimitAndJobsSlowDown) {
  auto s = tiny();
  s.sites.resize(1);
  s.sites[0].demand = {{s.start, 12000}};  // above the 16 GPUs' 11,700 GPU-hours a month
  s.sites[0].power_limit_w = 12000;        // design facility load is about 20 kW
  s.end = {2026, 2, 27};                   // four weeks: enough jobs finish under the cap
  const auto r = dctwin::sim::Twin(s).run();
  double capped_s = 0;
  for (const auto& step : r.sites[0].steps) {
    EXPECT_LE(step.facility_energy_j / 3600.0, 12000.0 * (1 + 1e-9));
    capped_s += step.capped_s;
    EXPECT_LE(step.pstate, 5);
  }
  EXPECT_GT(capped_s, 3600);
  int slowed = 0, finished = 0;
  for (const auto& j : r.jobs) {
    if (j.state != dctwin::sim::JobState::kFinished) continue;
    ++finished;
    EXPECT_GE(j.end_s - j.start_s, j.job.duration_s * (1 - 1e-9));
    slowed += j.end_s - j.start_s > j.job.duration_s * 1.05;
  }
  EXPECT_GT(finished, 5);
  EXPECT_GT(slowed, 0) << "throttled jobs run slower";
}

TEST(Outages, WithoutGeneratorsTheSiteGoesDarkAndJobsRestart) {
  auto s = tiny();
  s.sites.resize(1);
  s.sites[0].grid.outages = {"test", 2000, 3, 2, 4};  // about half the time without grid
  s.sites[0].backup.generator_units = 0;
  const auto r = dctwin::sim::Twin(s).run();
  const auto& site = r.sites[0];
  ASSERT_FALSE(site.outages.empty());
  int dark_steps = 0;
  for (const auto& step : site.steps) {
    EXPECT_EQ(step.generator_l, 0.0);
    if (step.outage_s >= 3600 - 1e-6) {  // the whole step without grid and no generator
      ++dark_steps;
      EXPECT_NEAR(step.it_energy_j, 0.0, 1e-6);
      EXPECT_NEAR(step.facility_energy_j, 0.0, 1e-6);
    }
  }
  EXPECT_GT(dark_steps, 5);
  int interrupted = 0;
  for (const auto& j : r.jobs) {
    if (j.interruptions == 0) continue;
    ++interrupted;
    EXPECT_GT(j.lost_gpu_s, 0);
  }
  EXPECT_GT(interrupted, 0);
}

TEST(Outages, GeneratorsCarryTheLoadAndBurnFuel) {
  auto s = tiny();
  s.sites.resize(1);
  s.sites[0].grid.outages = {"test", 2000, 3, 2, 4};
  const auto r = dctwin::sim::Twin(s).run();
  double fuel = 0, generator_j = 0;
  for (const auto& step : r.sites[0].steps) {
    if (step.outage_s > 0) {
      EXPECT_GT(step.generator_l, 0);
    }
    if (step.outage_s >= 3600 - 1e-6) {
      EXPECT_NEAR(step.grid_energy_j, 0.0, 1e-6);
    }
    fuel += step.generator_l;
    generator_j += step.generator_energy_j;
    EXPECT_NEAR(step.co2_diesel_kg, step.generator_l * 2.66155, 1e-9);
  }
  EXPECT_GT(fuel, 0);
  // A 1,664 kW genset at a few percent load burns far more per kWh than at full load.
  EXPECT_GT(fuel / (generator_j / 3.6e6), 0.24);
  for (const auto& j : r.jobs) EXPECT_EQ(j.interruptions, 0) << "the UPS bridges the 10 s start";
}

TEST(Weather, AnEpwYearDrivesEveryStep) {
  auto s = tiny();
  s.sites.resize(1);
  s.sites[0].weather_year.assign(8760, {31.0, 0.4, 21.0});
  s.sites[0].weather_year[24 * 30 + 5] = {40.0, 0.2, 22.0};  // 31 January 05:00
  const auto r = dctwin::sim::Twin(s).run();
  for (std::size_t k = 0; k < r.sites[0].steps.size(); ++k) {
    const bool hot = k + 2 == 24 + 5;  // from 30 January 00:00 UTC; Cape Town is UTC+2
    EXPECT_DOUBLE_EQ(r.sites[0].steps[k].drybulb_c, hot ? 40.0 : 31.0) << k;
  }
}

// The power model the scheduler integrates against SimGrid's energy plugin with an exec on
// every node of every job: the same IT energy in every step, throttling and failures included.
TEST(Energy, ThePowerModelMatchesTheEnergyPlugin) {
  auto s = tiny();
  s.sites[0].demand = {{s.start, 12000}};  // busy, and capped below
  s.sites[0].power_limit_w = 15000;
  dctwin::sim::RunOptions options;
  options.energy_from_plugin = true;
  const auto r = dctwin::sim::Twin(s).run(options);
  double plugin = 0, model = 0;
  int steps = 0;
  for (const auto& site : r.sites) {
    for (const auto& step : site.steps) {
      EXPECT_NEAR(step.it_energy_j, step.it_energy_check_j, 1e-9 * std::max(1.0, step.it_energy_j))
          << "site " << (&site - &r.sites[0]) << ", step ending " << step.end_s;
      plugin += step.it_energy_j;
      model += step.it_energy_check_j;
      steps += step.it_energy_j > 0;
    }
  }
  EXPECT_GT(steps, 100);
  EXPECT_GT(plugin, 0);
  EXPECT_NEAR(plugin, model, 1e-9 * plugin);
}
