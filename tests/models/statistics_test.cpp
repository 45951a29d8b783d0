#include "dctwin/models/statistics.h"

#include <gtest/gtest.h>

#include <algorithm>

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

TEST(Statistics, WaitStatsReadsSortedSamplesInPlaceAndUnsortedOnesAlike) {
  dctwin::models::RandomStream rng(9, 4);
  std::vector<double> plain;
  std::vector<std::pair<double, double>> weighted;
  for (int i = 0; i < 300; ++i) {
    plain.push_back(rng.exponential(1.0 / 3600));
    weighted.emplace_back(rng.exponential(1.0 / 600), 1 + static_cast<int>(rng.uniform() * 4));
  }
  const auto plain_before = plain;
  const auto unsorted = wait_stats(plain, weighted);
  EXPECT_EQ(plain, plain_before);  // the caller's samples are left as they were
  std::sort(plain.begin(), plain.end());
  std::sort(weighted.begin(), weighted.end());
  const auto sorted = wait_stats(plain, weighted);
  EXPECT_DOUBLE_EQ(unsorted.p50, sorted.p50);
  EXPECT_DOUBLE_EQ(unsorted.p95, sorted.p95);
  EXPECT_DOUBLE_EQ(unsorted.p99, sorted.p99);
  EXPECT_NEAR(unsorted.mean, sorted.mean, 1e-12 * sorted.mean);
  // A plain sample alone: linear interpolation, sorted or not.
  EXPECT_DOUBLE_EQ(wait_stats(plain_before, {}).p95, wait_stats(plain, {}).p95);
}
