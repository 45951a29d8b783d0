#include "dctwin/sim/small_job_feed.h"

#include <gtest/gtest.h>

#include <cmath>

#include "dctwin/sim/scenario_loader.h"

namespace {
// Two months of the trace mix at full scale, all five sites: about 1.5 million small jobs.
dctwin::sim::Scenario trace_mix() {
  auto s = dctwin::sim::ScenarioLoader(DCTWIN_DATA_DIR).load_text(dctwin::sim::default_scenario_yaml(), "default");
  s.start = {2029, 1, 1};
  s.end = {2029, 3, 1};
  return s;
}
}  // namespace

// The feed draws the same small jobs as drawing them all before the run, into the same cells
// and in the same order, and a week it has handed over is whole: the run may read it.
TEST(SmallJobFeed, DrawsWhatGenerateWorkloadDraws) {
  const auto s = trace_mix();
  ASSERT_TRUE(dctwin::sim::SmallJobFeed::applies(s));
  dctwin::sim::AggregateArrivals at_once, fed;
  const auto jobs = dctwin::sim::generate_workload(s, at_once);
  dctwin::sim::SmallJobFeed feed;
  const auto discrete = dctwin::sim::generate_workload(s, fed, feed);
  ASSERT_EQ(discrete.size(), jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    ASSERT_EQ(discrete[i].submit_s, jobs[i].submit_s);
    ASSERT_EQ(discrete[i].next_attempt, jobs[i].next_attempt);
  }
  const double ten_days = 10 * 86400.0;
  feed.ready_before(ten_days);
  const std::size_t classes = fed.classes;
  const auto steps_before = static_cast<std::size_t>(ten_days / s.fidelity.step_s);
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    for (std::size_t cell = 0; cell < steps_before * classes; ++cell) {
      ASSERT_EQ(fed.count[si][cell], at_once.count[si][cell]) << "site " << si << " cell " << cell;
      ASSERT_EQ(fed.gpu_s[si][cell], at_once.gpu_s[si][cell]) << "site " << si << " cell " << cell;
    }
    std::size_t before = 0;
    while (before < at_once.long_jobs[si].size() && at_once.long_jobs[si][before].submit_s < ten_days) ++before;
    ASSERT_GE(fed.long_jobs[si].size(), before);
    for (std::size_t k = 0; k < before; ++k) EXPECT_EQ(fed.long_jobs[si][k].submit_s, at_once.long_jobs[si][k].submit_s);
  }
  feed.finish();
  EXPECT_EQ(fed.total, at_once.total);
  EXPECT_GT(fed.total, 1000000u);
  EXPECT_EQ(fed.count, at_once.count);
  EXPECT_EQ(fed.gpu_s, at_once.gpu_s);
  EXPECT_EQ(fed.ended_early_gpu_s, at_once.ended_early_gpu_s);
  for (std::size_t si = 0; si < s.sites.size(); ++si) {
    ASSERT_EQ(fed.long_jobs[si].size(), at_once.long_jobs[si].size());
    for (std::size_t k = 0; k < fed.long_jobs[si].size(); ++k) {
      EXPECT_EQ(fed.long_jobs[si][k].submit_s, at_once.long_jobs[si][k].submit_s);
      EXPECT_EQ(fed.long_jobs[si][k].job_class, at_once.long_jobs[si][k].job_class);
    }
  }
}

// A class whose jobs may be small or not would leave discrete jobs to draw: then nothing is
// fed, and the workload is drawn before the run as without a feed.
TEST(SmallJobFeed, OnlyWhenNoClassMixesSmallAndDiscreteJobs) {
  auto s = trace_mix();
  s.fidelity.small_max_gpus = 8;  // multimodal's 16-GPU jobs are discrete, its others small
  EXPECT_FALSE(dctwin::sim::SmallJobFeed::applies(s));
  dctwin::sim::AggregateArrivals at_once, fed;
  dctwin::sim::SmallJobFeed feed;
  EXPECT_EQ(dctwin::sim::generate_workload(s, fed, feed).size(), dctwin::sim::generate_workload(s, at_once).size());
  EXPECT_EQ(fed.total, at_once.total);  // all drawn already
  EXPECT_EQ(fed.gpu_s, at_once.gpu_s);
  s = trace_mix();
  s.fidelity.aggregated = false;
  EXPECT_FALSE(dctwin::sim::SmallJobFeed::applies(s));
  s = trace_mix();
  s.fidelity.small_max_h = 168;  // evaluation's longest run, 168 h, could round above
  EXPECT_FALSE(dctwin::sim::SmallJobFeed::applies(s));
}

// A run that ends early (an error in the engine) lets the feed go unfinished: the drawing
// stops and its thread is joined wherever it was (a hang or std::terminate fails this), and
// `small` is not declared complete.
TEST(SmallJobFeed, StopsWhenLetGoUnfinished) {
  const auto s = trace_mix();
  dctwin::sim::AggregateArrivals fed;
  {
    dctwin::sim::SmallJobFeed feed;
    dctwin::sim::generate_workload(s, fed, feed);
    feed.ready_before(86400.0);
  }
  EXPECT_EQ(fed.total, 0u);  // counted by finish() only
  {
    dctwin::sim::SmallJobFeed never_asked;
    dctwin::sim::generate_workload(s, fed, never_asked);
  }
  EXPECT_EQ(fed.total, 0u);
}
