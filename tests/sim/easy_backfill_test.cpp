// EASY backfilling never delays the head job's reservation: a property test over random
// clusters, running jobs and queues, replayed forward with exact run times.
#include "dctwin/sim/easy_backfill.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>

#include "dctwin/models/random_stream.h"

using namespace dctwin::sim;

namespace {

struct Scenario {
  NodePool pool{8, 0};
  std::vector<RunningJob> running;
  std::vector<std::pair<int, double>> queue;  // gpus, duration
};

int random_size(dctwin::models::RandomStream& r, int nodes) {
  static const int kSizes[] = {1, 2, 4, 8, 16, 32, 64};
  for (;;) {
    const int g = kSizes[r.next_u64() % 7];
    if (g <= nodes * 8) return g;
  }
}

Scenario random_scenario(std::uint64_t seed) {
  dctwin::models::RandomStream r(seed, 0);
  const int nodes = 2 + static_cast<int>(r.next_u64() % 14);
  Scenario s{NodePool(8, static_cast<std::size_t>(nodes)), {}, {}};
  for (int n = 0; n < nodes; ++n) s.pool.set_usable(static_cast<std::size_t>(n), true);
  const double target = (0.3 + 0.65 * r.uniform()) * nodes * 8;
  for (int i = 0; i < 40 && s.pool.busy_gpus() < target; ++i) {  // partly filled with running jobs
    const int g = random_size(r, nodes);
    auto placement = s.pool.place(g);
    if (placement.empty()) continue;
    s.pool.take(placement);
    s.running.push_back({1 + r.uniform() * 100, placement});
  }
  // The head is large so that it usually waits; the others are any size.
  s.queue.push_back({std::max(8, nodes * 8 / 2 / 8 * 8), 1 + r.uniform() * 100});
  for (int i = 0; i < 12; ++i) s.queue.push_back({random_size(r, nodes), 1 + r.uniform() * 100});
  return s;
}

std::vector<const RunningJob*> by_end(const std::vector<RunningJob>& running) {
  std::vector<const RunningJob*> out;
  for (const auto& j : running) out.push_back(&j);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->expected_end_s < b->expected_end_s; });
  return out;
}

}  // namespace

TEST(EasyBackfill, NeverDelaysTheHeadsReservation) {
  int cases_with_backfill = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    Scenario s = random_scenario(seed);
    const int head = s.queue.front().first;
    if (s.pool.fits(head)) continue;  // the head would simply start
    EasyBackfill easy;
    const double shadow = easy.shadow_time(s.pool, by_end(s.running), head, 0.0);
    ASSERT_LT(shadow, std::numeric_limits<double>::infinity());
    int started = 0;
    for (std::size_t q = 1; q < s.queue.size(); ++q) {
      const auto [gpus, duration] = s.queue[q];
      if (!s.pool.fits(gpus)) continue;
      const auto placement = s.pool.place(gpus);
      if (!easy.may_backfill(s.pool, by_end(s.running), head, shadow, placement, duration)) continue;
      s.pool.take(placement);
      s.running.push_back({duration, placement});
      ++started;
    }
    cases_with_backfill += started > 0;
    // Replay: release every running job (backfilled ones included) at its exact end; the head
    // must fit no later than its reservation.
    auto order = by_end(s.running);
    double fits_at = s.pool.fits(head) ? 0.0 : std::numeric_limits<double>::infinity();
    for (const RunningJob* j : order) {
      if (fits_at <= j->expected_end_s) break;
      s.pool.give(j->slices);
      if (s.pool.fits(head)) fits_at = j->expected_end_s;
    }
    EXPECT_LE(fits_at, shadow + 1e-9) << "seed " << seed;
  }
  EXPECT_GT(cases_with_backfill, 50) << "the property must be exercised";
}

// One reservation played forward (reserve), then asked for many candidates (leaves_room),
// must answer as replaying the running jobs with each candidate's GPUs held would.
TEST(EasyBackfill, ReserveAnswersAsAReplayWould) {
  int asked = 0, refused = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    Scenario s = random_scenario(seed);
    const int head = s.queue.front().first;
    if (s.pool.fits(head)) continue;
    const auto order = by_end(s.running);
    EasyBackfill easy, replay;
    const double shadow = easy.shadow_time(s.pool, order, head, 0.0);
    ListedEndOrder walk(order);
    easy.reserve(s.pool, walk, shadow);
    for (std::size_t q = 1; q < s.queue.size(); ++q) {
      const int gpus = s.queue[q].first;
      if (!s.pool.fits(gpus)) continue;
      const auto placement = s.pool.place(gpus);
      const bool replayed = replay.shadow_time(s.pool, order, head, 0.0, placement) <= shadow;
      EXPECT_EQ(easy.leaves_room(s.pool, head, placement), replayed) << "seed " << seed << " candidate " << q;
      ++asked;
      refused += !replayed;
    }
  }
  EXPECT_GT(asked, 500);
  EXPECT_GT(refused, 50) << "both answers must be exercised";
}

TEST(EasyBackfill, ShadowIsWhenEnoughGpusFree) {
  NodePool pool(8, 3);
  for (std::size_t n = 0; n < 3; ++n) pool.set_usable(n, true);
  std::vector<RunningJob> running = {{10, {{0, 8}}}, {20, {{1, 4}}}, {30, {{2, 8}}}};
  for (const auto& j : running) pool.take(j.slices);
  EasyBackfill easy;
  // 16 GPUs: two whole nodes free once node 0 (t=10) and node 1 (t=20) are free.
  EXPECT_DOUBLE_EQ(easy.shadow_time(pool, by_end(running), 16, 0), 20);
  EXPECT_DOUBLE_EQ(easy.shadow_time(pool, by_end(running), 4, 0), 0);  // node 1 has 4 free now
  EXPECT_DOUBLE_EQ(easy.shadow_time(pool, by_end(running), 8, 0), 10);
  // A 4-GPU job on node 1 ending at 25 would delay a 16-GPU head from 20 to 30.
  EXPECT_FALSE(easy.may_backfill(pool, by_end(running), 16, 20, {{1, 4}}, 25));
  EXPECT_TRUE(easy.may_backfill(pool, by_end(running), 16, 20, {{1, 4}}, 19));
}

TEST(NodePool, BestFitAndWholeNodes) {
  NodePool pool(8, 4);
  for (std::size_t n = 0; n < 4; ++n) pool.set_usable(n, true);
  pool.take({{0, 6}, {1, 3}});
  EXPECT_EQ(pool.place(2).front().node, 0u);  // the fullest node that holds it
  EXPECT_EQ(pool.place(4).front().node, 1u);
  const auto whole = pool.place(16);
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(whole[0].node, 2u);
  EXPECT_EQ(pool.fully_free_nodes(), 2);
  EXPECT_FALSE(pool.fits(24));
  EXPECT_THROW(pool.set_usable(0, false), std::logic_error);
  pool.set_usable(3, false);
  EXPECT_FALSE(pool.fits(16));
  EXPECT_EQ(pool.busy_gpus(), 9);
}

TEST(NodePool, WholeNodeJobsPackIntoFewestGroupsAndPods) {
  // 4 groups of 2 nodes, 2 groups per pod: pods {0,1} and {2,3}.
  NodePool pool(8, 8, 2, 2);
  for (std::size_t n = 0; n < 8; ++n) pool.set_usable(n, true);
  pool.take({{0, 8}, {2, 8}});  // one node busy in groups 0 and 1 (pod 0)
  // 16 GPUs: group 2 holds both nodes, the fewest free that does.
  auto p = pool.place(16);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(pool.groups_spanned(p), 1);
  EXPECT_EQ(pool.group_of(p[0].node), 2);
  pool.take({{4, 8}, {6, 8}});  // now one node free in each group
  // 24 GPUs: no group holds it, pod 1 (nodes 5, 7) has two free, pod 0 (1, 3) two: no pod
  // holds three, so it spans pods; 16 GPUs fits in one pod.
  p = pool.place(16);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(pool.pod_of_group(static_cast<std::size_t>(pool.group_of(p[0].node))),
            pool.pod_of_group(static_cast<std::size_t>(pool.group_of(p[1].node))));
  EXPECT_EQ(pool.place(24).size(), 3u);
}
