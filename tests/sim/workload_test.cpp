#include "dctwin/sim/workload.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dctwin/models/tariff.h"
#include "dctwin/sim/scenario_loader.h"

namespace {
dctwin::sim::Scenario tiny() {
  return dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_file(DCTWIN_TEST_DATA_DIR "/tiny.yaml");
}
}  // namespace

TEST(Workload, SameSeedSameJobsOtherSeedOtherJobs) {
  auto s = tiny();
  const auto a = dctwin::sim::generate_workload(s);
  const auto b = dctwin::sim::generate_workload(s);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].submit_s, b[i].submit_s);
    EXPECT_EQ(a[i].duration_s, b[i].duration_s);
    EXPECT_EQ(a[i].gpus, b[i].gpus);
  }
  s.seed = 8;
  const auto c = dctwin::sim::generate_workload(s);
  EXPECT_TRUE(c.size() != a.size() || c[0].submit_s != a[0].submit_s);
}

TEST(Workload, NoJobBeforeDemandStartsAndInOrder) {
  const auto s = tiny();
  const dctwin::models::SimCalendar cal(s.start);
  const auto jobs = dctwin::sim::generate_workload(s);
  ASSERT_FALSE(jobs.empty());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(jobs[i].id, i);
    if (i) {
      EXPECT_LE(jobs[i - 1].submit_s, jobs[i].submit_s);
    }
    EXPECT_GE(jobs[i].submit_s, cal.seconds_at(s.sites[jobs[i].site].demand.front().date));
    EXPECT_LE(jobs[i].duration_s, s.job_classes[jobs[i].job_class].duration_max_h * 3600);
  }
}

TEST(Workload, SubmittedGpuHoursFollowTheDemand) {
  // A long, flat demand: the GPU-hours submitted per month converge to the demand.
  auto s = tiny();
  s.end = {2027, 1, 30};
  s.sites.resize(1);
  s.sites[0].demand = {{{2026, 1, 30}, 50000}};
  const auto jobs = dctwin::sim::generate_workload(s);
  double gpu_hours = 0;
  for (const auto& j : jobs) gpu_hours += j.gpus * j.duration_s / 3600;
  const double months = 365.0 / (365.25 / 12);
  EXPECT_NEAR(gpu_hours / months, 50000, 50000 * 0.05);
}

TEST(Workload, DemandIsPiecewiseLinear) {
  const auto s = tiny();
  const dctwin::models::SimCalendar cal(s.start);
  const auto& beta = s.sites[1];
  EXPECT_EQ(dctwin::sim::demand_gpu_hours_per_month(beta, cal, 0), 0.0);
  EXPECT_DOUBLE_EQ(dctwin::sim::demand_gpu_hours_per_month(beta, cal, cal.seconds_at({2026, 2, 3})), 5500.0);
  EXPECT_DOUBLE_EQ(dctwin::sim::demand_gpu_hours_per_month(beta, cal, cal.seconds_at({2026, 2, 6})), 9000.0);
}

TEST(Workload, SubmissionsFollowTheDailyCycleInLocalTime) {
  auto s = tiny();
  s.end = {2027, 1, 30};
  s.sites.resize(1);  // Cape Town, UTC+2
  s.sites[0].demand = {{s.start, 100000}};
  for (auto& c : s.job_classes) {
    c.daily_amplitude = 0.5;  // peak / trough = 1.5 / 0.5 = 3
    c.peak_hour = 14;
    c.weekend_factor = 0.5;
  }
  const dctwin::models::SimCalendar cal(s.start);
  const auto jobs = dctwin::sim::generate_workload(s);
  std::vector<double> by_hour(24, 0), by_weekday(7, 0);
  for (const auto& j : jobs) {
    const double local = s.sites[0].local_s(j.submit_s);
    by_hour[static_cast<std::size_t>(std::fmod(local / 3600, 24))] += 1;
    by_weekday[static_cast<std::size_t>(dctwin::models::weekday(cal.date_at(local)))] += 1;
  }
  // Hourly counts follow 1 + 0.5 cos(2 pi (h + 0.5 - 14) / 24) within sampling noise.
  EXPECT_NEAR(by_hour[14] / by_hour[2], 3.0, 0.45);
  EXPECT_GT(by_hour[13], by_hour[8]);
  EXPECT_NEAR((by_weekday[5] + by_weekday[6]) / 2 / ((by_weekday[0] + by_weekday[1] + by_weekday[2]) / 3), 0.5, 0.06);
  // The cycle moves work within the week; the total still follows the demand.
  double gpu_hours = 0;
  for (const auto& j : jobs) gpu_hours += j.gpus * j.duration_s / 3600;
  EXPECT_NEAR(gpu_hours / (365.0 / (365.25 / 12)), 100000, 100000 * 0.05);
}
