// What EASY sees of the fluid's hold: a served load ahead of the queue's head takes its GPUs
// back at the boundary, before any queued job is placed, so the head's reservation must not
// rest on them.
#include "engine/hold_view.h"

#include <gtest/gtest.h>

#include <vector>

namespace {

using dctwin::sim::EasyBackfill;
using dctwin::sim::NodePool;
using dctwin::sim::RunningJob;
using dctwin::sim::Slice;
using dctwin::sim::engine::hold_freed_at_end;
using dctwin::sim::engine::served_gpus_of_hold;

int gpus_of(const RunningJob& j) {
  int n = 0;
  for (const Slice& s : j.slices) n += s.gpus;
  return n;
}

}  // namespace

TEST(HoldView, TheServedLoadsGpusAreLeftOutFirstInPlacementOrder) {
  const RunningJob hold{900, {{3, 5}, {4, 8}, {7, 2}}};  // fullest nodes first, as placed
  const RunningJob freed = hold_freed_at_end(hold, 6);
  EXPECT_DOUBLE_EQ(freed.expected_end_s, 900);
  ASSERT_EQ(freed.slices.size(), 2u);
  EXPECT_EQ(freed.slices[0].node, 4u);
  EXPECT_EQ(freed.slices[0].gpus, 7);  // node 3's five and one of node 4's stay served
  EXPECT_EQ(freed.slices[1].node, 7u);
  EXPECT_EQ(freed.slices[1].gpus, 2);
  EXPECT_EQ(gpus_of(hold_freed_at_end(hold, 0)), 15);
  EXPECT_TRUE(hold_freed_at_end(hold, 15).slices.empty());
}

TEST(HoldView, TheServedLoadsShareOfTheHoldFollowsItsWorkLeft) {
  EXPECT_EQ(served_gpus_of_hold(100, 3000, 3000, true), 100);   // exact fidelity: all served
  EXPECT_EQ(served_gpus_of_hold(100, 750, 3000, false), 25);    // with short work beside it
  EXPECT_EQ(served_gpus_of_hold(100, 0, 3000, false), 0);       // none ahead of the head
  EXPECT_EQ(served_gpus_of_hold(100, 0, 0, true), 100);         // idle to the boundary, served only
  EXPECT_EQ(served_gpus_of_hold(100, 0, 0, false), 0);
  EXPECT_EQ(served_gpus_of_hold(0, 10, 10, true), 0);
}

TEST(HoldView, AHeadBehindTheServedLoadIsReservedAtARunningJobsEnd) {
  // Five nodes of 8 GPUs: the served load holds nodes 0 and 1 to the boundary (t = 900), a
  // discrete job nodes 2 and 3 to t = 5,000; node 4 is free. The head needs three nodes.
  NodePool pool(8, 5);
  for (std::size_t n = 0; n < 5; ++n) pool.set_usable(n, true);
  const RunningJob hold{900, {{0, 8}, {1, 8}}};
  const RunningJob discrete{5000, {{2, 8}, {3, 8}}};
  pool.take(hold.slices);
  pool.take(discrete.slices);
  EasyBackfill easy;
  // Counting on the hold, the head would fit at the boundary, and an 8-GPU job of 3,000 s
  // on node 4 would be held back as pushing it past then.
  const RunningJob with_hold = hold_freed_at_end(hold, 0);
  const std::vector<const RunningJob*> naive = {&with_hold, &discrete};
  const double naive_shadow = easy.shadow_time(pool, naive, 24, 0);
  EXPECT_DOUBLE_EQ(naive_shadow, 900);
  EXPECT_FALSE(easy.may_backfill(pool, naive, 24, naive_shadow, {{4, 8}}, 3000));
  // The served load takes its GPUs back at the boundary: the head fits when the discrete job
  // ends, and the 3,000-s job ends before then.
  const RunningJob freed = hold_freed_at_end(hold, served_gpus_of_hold(16, 1, 1, true));
  ASSERT_TRUE(freed.slices.empty());
  const std::vector<const RunningJob*> seen = {&discrete};
  const double shadow = easy.shadow_time(pool, seen, 24, 0);
  EXPECT_DOUBLE_EQ(shadow, 5000);
  EXPECT_TRUE(easy.may_backfill(pool, seen, 24, shadow, {{4, 8}}, 3000));
}
