#include "dctwin/models/statistics.h"

#include <gtest/gtest.h>

#include "dctwin/models/random_stream.h"

using dctwin::models::wait_stats;
using dctwin::models::weighted_percentile;

TEST(Statistics, WaitStatsAgreesWithTheWeightedNearestRank) {
  dctwin::models::RandomStream rng(5, 2);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<double> plain;
    std::vector<std::pair<double, double>> weighted;
    const int n = 1 + static_cast<int>(rng.uniform() * 200);
    for (int i = 0; i < n; ++i) {
      plain.push_back(rng.exponential(1.0 / 3600));
      weighted.emplace_back(rng.exponential(1.0 / 600), rng.uniform() * 10);
    }
    auto all = weighted;
    for (double x : plain) all.emplace_back(x, 1.0);
    const auto w = wait_stats(plain, weighted);
    auto copy = all;
    EXPECT_DOUBLE_EQ(w.p50, weighted_percentile(copy, 50));
    EXPECT_DOUBLE_EQ(w.p95, weighted_percentile(copy, 95));
    EXPECT_DOUBLE_EQ(w.p99, weighted_percentile(copy, 99));
    EXPECT_NEAR(w.mean, dctwin::models::weighted_mean(all), 1e-9 * w.mean);
  }
}

TEST(Statistics, WaitStatsWithoutWeightsInterpolates) {
  const auto w = wait_stats({1, 2, 3, 4, 5}, {});
  EXPECT_DOUBLE_EQ(w.p50, 3);
  EXPECT_DOUBLE_EQ(w.mean, 3);
  EXPECT_DOUBLE_EQ(w.p95, 4.8);
}
