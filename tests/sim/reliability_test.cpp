// Failures, checkpoints and the broker, on the tiny scenario (one engine per test process).
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>

#include "dctwin/sim/scenario_loader.h"
#include "dctwin/sim/twin.h"
#include "engine/broker.h"

namespace {

dctwin::sim::Scenario tiny() {
  return dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/tiny.yaml");
}

// One site of 16 GPUs for a year, grid without outages, many failures.
dctwin::sim::Scenario failure_prone(double per_million_gpu_h) {
  auto s = tiny();
  s.end = {2027, 1, 30};
  s.sites.resize(1);
  s.sites[0].grid.outages = {"none", 0, 0, 0, 0};
  s.reliability.causes = {{"gpu", per_million_gpu_h * 0.75, 1.0}, {"network", per_million_gpu_h * 0.25, 0.5}};
  s.reliability.spare_nodes_per_site = 0;
  s.job_classes[0].checkpoint_interval_h = 0.5;
  s.job_classes[1].checkpoint_interval_h = 1.0;
  return s;
}

}  // namespace

TEST(Reliability, FailuresPerGpuHourConvergeToTheConfiguredRate) {
  const double rate = 20000;  // per 10^6 GPU-hours: about 2,800 failures in the year
  const auto s = failure_prone(rate);
  const auto r = dctwin::sim::Twin(s).run();
  double failures = 0, down_gpu_h = 0, by_cause[2] = {0, 0};
  for (const auto& e : r.sites[0].failures) {
    if (e.cause < 0) continue;
    ++failures;
    by_cause[e.cause] += 1;
    down_gpu_h += 8 * (std::min(e.back_s, r.horizon_s) - e.at_s) / 3600;
  }
  const double powered_gpu_h = 16 * r.horizon_s / 3600 - down_gpu_h;
  const double measured = failures / powered_gpu_h * 1e6;
  // Poisson: the relative standard error is 1/sqrt(n), about 2 %; allow 4 standard errors.
  EXPECT_NEAR(measured / rate, 1.0, 4 / std::sqrt(failures)) << failures << " failures";
  EXPECT_NEAR(by_cause[0] / failures, 0.75, 0.04);
}

// Failures that outpace repairs: each node is down about 90 % of the time, so most failures
// drawn hit a node under repair and have no effect; those that count still come at the
// configured rate per GPU-hour up.
TEST(Reliability, FailuresOnNodesUnderRepairLeaveTheRateOfTheNodesUp) {
  const double rate = 200000;  // per 10^6 GPU-hours: a node fails 1.6 times an hour while up
  auto s = failure_prone(rate);
  s.reliability.causes = {{"gpu", rate, 6.0}};
  const auto r = dctwin::sim::Twin(s).run();
  double failures = 0, down_gpu_h = 0;
  for (const auto& e : r.sites[0].failures) {
    if (e.cause < 0) continue;
    ++failures;
    down_gpu_h += 8 * (std::min(e.back_s, r.horizon_s) - e.at_s) / 3600;
  }
  const double gpu_h = 16 * r.horizon_s / 3600;
  EXPECT_GT(down_gpu_h / gpu_h, 0.85);
  const double measured = failures / (gpu_h - down_gpu_h) * 1e6;
  EXPECT_NEAR(measured / rate, 1.0, 4 / std::sqrt(failures)) << failures << " failures";
}

TEST(Reliability, ARestartLosesAtMostOneCheckpointInterval) {
  const auto s = failure_prone(20000);
  const auto r = dctwin::sim::Twin(s).run();
  int interrupted = 0;
  for (const auto& j : r.jobs) {
    if (j.interruptions == 0) continue;
    ++interrupted;
    const double interval_s = s.job_classes[j.job.job_class].checkpoint_interval_h * 3600;
    EXPECT_LE(j.lost_gpu_s, j.interruptions * j.job.gpus * interval_s * (1 + 1e-9)) << "job " << j.job.id;
    EXPECT_GE(j.lost_gpu_s, 0);
    if (j.state == dctwin::sim::JobState::kFinished) {
      // It did all its work, however often it was thrown back.
      EXPECT_DOUBLE_EQ(j.work_done_s, j.job.duration_s);
    }
  }
  EXPECT_GT(interrupted, 20);
}

TEST(Reliability, WithoutCheckpointsAnInterruptedJobStartsOver) {
  auto s = failure_prone(20000);
  s.job_classes[0].checkpoint_interval_h = 0;
  s.job_classes[1].checkpoint_interval_h = 0;
  const auto r = dctwin::sim::Twin(s).run();
  int checked = 0;
  for (const auto& j : r.jobs) {
    if (j.interruptions == 0 || j.state != dctwin::sim::JobState::kFinished) continue;
    // The last run did the whole job from its start.
    EXPECT_GE(j.end_s - j.start_s, j.job.duration_s * (1 - 1e-9));
    ++checked;
  }
  EXPECT_GT(checked, 5);
}

TEST(Broker, MovableJobsGoWhereTheWaitIsShorter) {
  auto s = tiny();
  s.sites[1].demand = {{s.start, 0.0}};           // beta: idle, online from 1 February
  s.sites[0].demand = {{s.start, 30000}};         // alpha: over twice its capacity
  s.scheduling.broker = true;
  s.job_classes[0].may_move = true;
  s.job_classes[0].dataset_gb = 100;  // 8 s at the WAN's 100 Gb/s, alone on the link
  s.job_classes[1].may_move = false;
  const auto r = dctwin::sim::Twin(s).run();
  int moved = 0, fixed_moved = 0;
  for (const auto& j : r.jobs) {
    if (j.run_site == j.job.site) continue;
    ++moved;
    fixed_moved += j.job.job_class == 1;
    EXPECT_EQ(j.moved_gb, 100);
    if (j.transfer_end_s < 0) {  // still crossing the WAN at the horizon: sent in its last hour
      EXPECT_GT(j.job.submit_s, r.horizon_s - 3600) << "job " << j.job.id;
      continue;
    }
    EXPECT_GE(j.transfer_end_s - j.job.submit_s, 8.0);  // its data takes its time
    if (j.first_start_s >= 0) {
      EXPECT_GE(j.first_start_s, j.transfer_end_s);
    }
  }
  EXPECT_GT(moved, 10);
  EXPECT_EQ(fixed_moved, 0) << "a job that must stay in its country never moves";
}

TEST(Broker, WithoutTheBrokerNoJobMoves) {
  auto s = tiny();
  s.sites[1].demand = {{s.start, 0.0}};
  s.sites[0].demand = {{s.start, 30000}};
  s.scheduling.broker = false;
  s.job_classes[0].may_move = true;
  const auto r = dctwin::sim::Twin(s).run();
  for (const auto& j : r.jobs) EXPECT_EQ(j.run_site, j.job.site);
}

TEST(Campaigns, EachAttemptIsSubmittedWhenThePreviousOneEnds) {
  auto s = tiny();
  auto& large = s.job_classes[1];
  large.failed_fraction = 0.5;
  large.cancelled_fraction = 0.3;
  large.campaign = true;
  large.resubmit_gap_h = 0.25;
  s.sites[0].demand = {{s.start, 20000}};  // queues: attempts wait before they start
  const auto r = dctwin::sim::Twin(s).run();
  int chained = 0, unsubmitted = 0;
  for (const auto& j : r.jobs) {
    if (j.job.next_attempt == dctwin::sim::kNoJob) continue;
    const auto& next = r.jobs[j.job.next_attempt];
    if (j.state != dctwin::sim::JobState::kFinished || j.end_s + 900 >= r.horizon_s) {
      EXPECT_EQ(next.state, dctwin::sim::JobState::kUnsubmitted) << "job " << next.job.id;
      ++unsubmitted;
      continue;
    }
    ++chained;
    EXPECT_NEAR(next.job.submit_s, j.end_s + 900, 1e-6) << "job " << next.job.id;
    if (next.first_start_s >= 0) {
      EXPECT_GE(next.first_start_s, next.job.submit_s);
    }
  }
  EXPECT_GT(chained, 5);
  EXPECT_GT(unsubmitted, 0);
}

// A served class (inference) is a load, not jobs: each step it gets the GPUs it asks for
// (demand x share / 730.5 h x its cycle) ahead of batch work, and what a step can't serve is
// dropped, not queued. Returns {asked, served, unserved} GPU-seconds of the class.
std::array<double, 3> run_served(double site_multiple) {
  auto s = tiny();
  s.sites.resize(1);
  auto& inference = s.job_classes[0];
  inference.served = true;
  inference.priority = 3;
  inference.daily_amplitude = 0.33;
  inference.weekend_factor = 0.56;
  inference.share_of_gpu_hours = 0.5;
  s.job_classes[1].share_of_gpu_hours = 0.5;
  s.sites[0].demand = {{s.start, 16 * 730.5 * site_multiple}};
  const auto r = dctwin::sim::Twin(s).run();
  std::array<double, 3> out{0, 0, 0};
  const std::size_t classes = s.job_classes.size();
  for (std::size_t cell = 0; cell < r.sites[0].aggregate.size(); cell += classes) {
    const auto& a = r.sites[0].aggregate[cell];
    out[0] += a.work_gpu_s;
    out[1] += a.served_gpu_s;
    out[2] += a.unserved_gpu_s;
    EXPECT_EQ(a.jobs, 0);
  }
  for (const auto& j : r.jobs) EXPECT_NE(j.job.job_class, 0) << "no inference jobs";
  double busy = 0, online = 0;
  for (const auto& step : r.sites[0].steps) {
    busy += step.busy_gpu_s;
    online += step.gpus_online * (step.end_s - (&step == &r.sites[0].steps.front() ? 0.0 : (&step - 1)->end_s));
  }
  EXPECT_LE(busy, online * (1 + 1e-9));
  return out;
}

TEST(Served, InferenceWithinTheSiteIsServedInFull) {
  // Inference at 60 % of the site on average, peaks 2x troughs: served but for steps with
  // nodes down or every GPU held by earlier training work.
  const auto [asked, served, unserved] = run_served(1.2);
  EXPECT_GT(asked, 0);
  EXPECT_NEAR(served + unserved, asked, 1e-6 * asked);
  EXPECT_GT(served, 0.9 * asked);
}

TEST(Served, InferenceBeyondTheSiteIsDroppedNotQueued) {
  // Inference alone asks for 1.5 times the site on average: the excess is dropped each step.
  const auto [asked, served, unserved] = run_served(3.0);
  EXPECT_NEAR(served + unserved, asked, 1e-6 * asked);
  EXPECT_GT(unserved, 0.25 * asked);
  EXPECT_LT(served, 16 * 7 * 86400.0 * (1 + 1e-9));  // never more than all 16 GPUs for the week
}

TEST(Broker, WaterFillingTakesSpareGpusFirstThenLevelsTheWaits) {
  using dctwin::sim::engine::water_fill;
  // Site 0 has no queue and 100 GPU-s spare; site 1 a 10 s queue, no spare. 50 GPU-s fit in
  // site 0's spare.
  auto s = water_fill({0, 10}, {1, 1}, {100, 0}, 50);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[1], 0.0);
  // 300 GPU-s: site 0's spare (100), then its wait rises to 10 (10 more), then both rise
  // together: 190 left over 2 GPUs -> level 105; site 0 takes 100 + 105, site 1 takes 95.
  s = water_fill({0, 10}, {1, 1}, {100, 0}, 300);
  EXPECT_NEAR(s[0], 205.0 / 300, 1e-12);
  EXPECT_NEAR(s[1], 95.0 / 300, 1e-12);
  // Without spare it is plain water-filling by rate.
  s = water_fill({0, 0}, {3, 1}, {0, 0}, 40);
  EXPECT_NEAR(s[0], 0.75, 1e-12);
  EXPECT_NEAR(s[1], 0.25, 1e-12);
  // A site that can't take work gets none.
  s = water_fill({0, std::numeric_limits<double>::infinity()}, {1, 1}, {0, 100}, 10);
  EXPECT_DOUBLE_EQ(s[1], 0.0);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
}

TEST(Broker, WaterFillingSharesSpareAmongEqualWaitsWhateverTheirOrder) {
  using dctwin::sim::engine::water_fill;
  // Three idle sites (no wait) with 100, 300 and 0 GPU-s spare; 200 GPU-s fit in their spare.
  // Taken in the order listed, the first would have filled; tied, they share in proportion.
  auto s = water_fill({0, 0, 0}, {1, 1, 1}, {100, 300, 0}, 200);
  EXPECT_NEAR(s[0], 0.25, 1e-12);
  EXPECT_NEAR(s[1], 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(s[2], 0.0);
  s = water_fill({0, 0, 0}, {1, 1, 1}, {0, 300, 100}, 200);
  EXPECT_NEAR(s[1], 0.75, 1e-12);
  EXPECT_NEAR(s[2], 0.25, 1e-12);
  // A quicker site's spare first (50) and its wait up to the others' (5 more); the 95 left
  // from the tied pair's spare, a quarter and three quarters.
  s = water_fill({5, 0, 5}, {1, 1, 1}, {100, 50, 300}, 150);
  EXPECT_NEAR(s[1], 55.0 / 150, 1e-12);
  EXPECT_NEAR(s[0], 23.75 / 150, 1e-12);
  EXPECT_NEAR(s[2], 71.25 / 150, 1e-12);
  // Beyond all the spare the level rises over every site as before: 500 GPU-s, 400 spare and
  // the quick site's 5 s catching up with the others, then 95 over three GPUs.
  s = water_fill({5, 0, 5}, {1, 1, 1}, {100, 50, 250}, 500);
  EXPECT_NEAR(s[1], (50 + 5 + 95.0 / 3) / 500, 1e-12);
  EXPECT_NEAR(s[0], (100 + 95.0 / 3) / 500, 1e-12);
  EXPECT_NEAR(s[2], (250 + 95.0 / 3) / 500, 1e-12);
}

TEST(Broker, ShortWorkWaitsForTheGpusDiscreteJobsLeaveIt) {
  using dctwin::sim::engine::small_work_wait_s;
  // 100 usable GPUs: the discrete queue (1,000 GPU-s) drains on all of them, the fluid's
  // (5,000 GPU-s) on the 100 no discrete job holds.
  EXPECT_DOUBLE_EQ(small_work_wait_s(1000, 5000, 100, 100), 10.0 + 50.0);
  // Discrete jobs holding 90 of them leave the fluid's queue 10 GPUs: ten times the wait,
  // where counting every usable GPU would have made the two sites look alike.
  EXPECT_DOUBLE_EQ(small_work_wait_s(1000, 5000, 100, 10), 10.0 + 500.0);
  // All of them held: the queue still gets a finite wait, one GPU's.
  EXPECT_DOUBLE_EQ(small_work_wait_s(0, 5000, 100, 0), 5000.0);
}
