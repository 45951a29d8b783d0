// Aggregated fidelity's held jobs: each job's GPUs are filed under the step its run ends in,
// so its end gives back the GPUs it was placed on.
#include "engine/held_jobs.h"

#include <gtest/gtest.h>

namespace {

using dctwin::sim::Slice;
using dctwin::sim::engine::HeldJobs;

constexpr double kStep = 900;

int gpus_on(const std::vector<Slice>& slices, std::uint32_t node) {
  int n = 0;
  for (const Slice& s : slices) n += s.node == node ? s.gpus : 0;
  return n;
}

// Two jobs started at once: four GPUs ending in step 8 on node 0, then four ending in step 80
// on node 1; a later start puts a two-GPU job ending in step 8 across nodes 2 and 3.
HeldJobs two_starts() {
  HeldJobs held(1000, kStep);
  held.add({{8, 4, 400.0}, {80, 4, 100.0}}, {{0, 4}, {1, 4}});
  held.add({{8, 2, 50.0}}, {{2, 1}, {3, 1}});
  return held;
}

}  // namespace

TEST(HeldJobs, AJobsEndGivesBackTheGpusItWasPlacedOn) {
  HeldJobs held = two_starts();
  EXPECT_EQ(held.gpus(), 10);
  EXPECT_FALSE(held.due(7));
  ASSERT_TRUE(held.due(8));
  double work = 0;
  const std::vector<Slice> freed = held.release(8, work);
  // Node 0's and nodes 2 and 3's, not node 1's, whose job was started last but ends later.
  EXPECT_EQ(gpus_on(freed, 0), 4);
  EXPECT_EQ(gpus_on(freed, 1), 0);
  EXPECT_EQ(gpus_on(freed, 2) + gpus_on(freed, 3), 2);
  EXPECT_DOUBLE_EQ(work, 450.0);  // what their runs have left within step 8
  EXPECT_EQ(held.gpus(), 4);
  EXPECT_FALSE(held.due(8));
}

// EASY must see the GPUs free when release() gives them back, at the start of the step a run
// ends in. Until the twenty-first session it saw them at the end of the step, and beyond the
// next eight steps at the end of a block of 24 steps: a waiting head's reservation then lay up
// to six hours late, and jobs behind it were let through as ending before it
// (docs/fidelity-experiments.md).
TEST(HeldJobs, EasySeesEachStepsGpusFreeWhenTheyAreGivenBack) {
  const HeldJobs held = two_starts();
  const auto& view = held.view(0);
  ASSERT_EQ(view.size(), 2u);
  EXPECT_DOUBLE_EQ(view[0]->expected_end_s, 8 * kStep);  // step 8: its start
  EXPECT_EQ(gpus_on(view[0]->slices, 0), 4);
  EXPECT_EQ(gpus_on(view[0]->slices, 1), 0);
  EXPECT_DOUBLE_EQ(view[1]->expected_end_s, 80 * kStep);
  EXPECT_EQ(gpus_on(view[1]->slices, 1), 4);
  // From step 8 on, only step 80's job is ahead.
  ASSERT_EQ(held.view(8).size(), 1u);
  EXPECT_EQ(gpus_on(held.view(8)[0]->slices, 1), 4);
}

// Hours ahead, each step's GPUs still come free at that step's start, not at the end of a
// block of steps that a later job's end closes.
TEST(HeldJobs, EasySeesJobsEndingHoursAheadFreeEachAtItsOwnStep) {
  HeldJobs held(1000, kStep);
  held.add({{60, 8, 0.0}, {75, 8, 0.0}}, {{0, 8}, {1, 8}});
  const auto& view = held.view(0);
  ASSERT_EQ(view.size(), 2u);
  EXPECT_DOUBLE_EQ(view[0]->expected_end_s, 60 * kStep);
  EXPECT_EQ(gpus_on(view[0]->slices, 0), 8);
  EXPECT_EQ(gpus_on(view[0]->slices, 1), 0);
  EXPECT_DOUBLE_EQ(view[1]->expected_end_s, 75 * kStep);
  EXPECT_EQ(gpus_on(view[1]->slices, 1), 8);
}

TEST(HeldJobs, DroppedJobsWaitAgainForTheWorkTheyHaveLeft) {
  HeldJobs held = two_starts();
  double work = 0;
  const std::vector<Slice> freed = held.drop_all(2 * kStep, work);
  int gpus = 0;
  for (const Slice& s : freed) gpus += s.gpus;
  EXPECT_EQ(gpus, 10);
  EXPECT_EQ(held.gpus(), 0);
  // Six GPUs until step 8 begins and their 450 GPU-s in it; four until step 80 and 100.
  EXPECT_DOUBLE_EQ(work, 6 * 6 * kStep + 450 + 4 * 78 * kStep + 100);
  EXPECT_TRUE(held.view(2).empty());
}

TEST(HeldJobs, AJobOffAFailedNodeKeepsItsEndWhereverItGoes) {
  HeldJobs held = two_starts();
  HeldJobs::OffNode off = held.take_off(0);
  EXPECT_EQ(off.gpus, 4);
  // Room for all four on node 5: nothing is lost, and they still end in step 8.
  EXPECT_DOUBLE_EQ(held.rehome(off, {{5, 4}}, kStep), 0.0);
  EXPECT_EQ(held.gpus(), 10);
  double work = 0;
  const std::vector<Slice> freed = held.release(8, work);
  EXPECT_EQ(gpus_on(freed, 5), 4);
  EXPECT_EQ(gpus_on(freed, 0), 0);

  // Room for one of node 1's four GPUs: three lose theirs, and their work waits again.
  off = held.take_off(1);
  EXPECT_DOUBLE_EQ(held.rehome(off, {{6, 1}}, kStep), 3 * 79 * kStep + 0.75 * 100);
  EXPECT_EQ(held.gpus(), 1);
  EXPECT_EQ(gpus_on(held.view(1).front()->slices, 6), 1);
}

TEST(HeldJobs, JobsEndingPastTheHorizonAreHeldToTheEnd) {
  HeldJobs held(100, kStep);
  held.add({{150, 2, 10.0}}, {{0, 2}});
  EXPECT_EQ(held.gpus(), 2);
  EXPECT_FALSE(held.due(150));
  EXPECT_TRUE(held.view(0).empty());  // never free within the run
  double work = 1;
  EXPECT_EQ(held.drop_all(0, work).size(), 1u);
  EXPECT_DOUBLE_EQ(work, 0.0);  // nothing to wait for within the run
}
