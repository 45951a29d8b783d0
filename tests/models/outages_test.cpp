#include "dctwin/models/outages.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>

using dctwin::models::expected_hours_per_year;
using dctwin::models::generate_outages;
using dctwin::models::Interval;
using dctwin::models::kSecondsPerYear;
using dctwin::models::OutageProfile;
using dctwin::models::RandomStream;

namespace {
// Rows of data/grid/outage_profiles.csv (copied: models read no files).
const OutageProfile kZa2020{"za-loadshedding-2020", 361.64, 2.5, 2, 4};
const OutageProfile kZa2023{"za-loadshedding-2023", 5418.58, 2.5, 2, 4};
const OutageProfile kNg2014{"ng-wbes-2014", 393.6, 4, 0.5, 24};
const OutageProfile kEg2023{"eg-loadshedding-2023-24", 381.11, 2, 1, 3};

double hours(const std::vector<Interval>& v) {
  double s = 0;
  for (const auto& i : v) s += i.end_s - i.start_s;
  return s / 3600;
}

// Mean simulated outage hours over 200 one-year runs must match the closed form within
// 4 standard errors and within 3 %.
void expect_mean_matches(const OutageProfile& p) {
  const int n = 200;
  double sum = 0, sum2 = 0;
  for (int seed = 1; seed <= n; ++seed) {
    RandomStream rng(seed, 7);
    const double h = hours(generate_outages(p, kSecondsPerYear, rng));
    sum += h;
    sum2 += h * h;
  }
  const double mean = sum / n;
  const double se = std::sqrt((sum2 / n - mean * mean) / (n - 1));
  const double expected = expected_hours_per_year(p);
  EXPECT_LT(std::abs(mean - expected), 4 * se) << p.id << " mean " << mean << " se " << se;
  EXPECT_LT(std::abs(mean - expected), 0.03 * expected) << p.id << " mean " << mean;
  std::printf("%s: simulated %.1f h/yr, expected %.1f, se %.2f\n", p.id.c_str(), mean, expected, se);
}
}  // namespace

TEST(Outages, ClosedFormMatchesTheFittedTargets) {
  EXPECT_NEAR(expected_hours_per_year(kZa2020), 859, 0.1);
  EXPECT_NEAR(expected_hours_per_year(kZa2023), 6894, 0.1);
  EXPECT_NEAR(expected_hours_per_year(kEg2023), 730, 0.1);
  EXPECT_NEAR(dctwin::models::events_per_year_for_hours(6894, 2.5), 5418.58, 0.01);
  EXPECT_EQ(expected_hours_per_year({"ma-none", 0, 0, 0, 0}), 0);
}

TEST(Outages, SimulatedHoursMatchExpectedHours) {
  expect_mean_matches(kZa2020);
  expect_mean_matches(kZa2023);  // heavy overlap: the merge must count hours once
  expect_mean_matches(kNg2014);  // wide duration range, skewed
  expect_mean_matches(kEg2023);
}

TEST(Outages, ClampedDurationsKeepTheirMean) {
  // Rare outages hardly overlap, so hours / events is the mean duration after clamping.
  const OutageProfile p{"rare", 20, 3, 0.5, 6};
  double total_h = 0;
  long count = 0;
  for (int seed = 1; seed <= 2000; ++seed) {
    RandomStream rng(seed, 0);
    const auto v = generate_outages(p, kSecondsPerYear, rng);
    total_h += hours(v);
    count += static_cast<long>(v.size());
    for (const auto& i : v) {
      const double d_h = (i.end_s - i.start_s) / 3600;
      if (i.start_s > 0 && i.end_s < kSecondsPerYear) {
        EXPECT_GE(d_h, 0.5 - 1e-9);
      }
    }
  }
  EXPECT_NEAR(total_h / count, 3.0, 0.06);
}

TEST(Outages, IntervalsAreSortedDisjointAndInsideTheHorizon) {
  const double horizon_s = 90 * 86400.0;
  for (const auto& p : {kZa2023, kNg2014, kEg2023}) {
    RandomStream rng(42, 1);
    const auto v = generate_outages(p, horizon_s, rng);
    ASSERT_FALSE(v.empty());
    for (std::size_t i = 0; i < v.size(); ++i) {
      EXPECT_GE(v[i].start_s, 0);
      EXPECT_LT(v[i].start_s, v[i].end_s);
      EXPECT_LE(v[i].end_s, horizon_s);
      if (i > 0) {
        EXPECT_GT(v[i].start_s, v[i - 1].end_s);
      }
    }
  }
}

TEST(Outages, SameSeedSameIntervals) {
  RandomStream a(9, 3), b(9, 3), c(10, 3);
  const auto va = generate_outages(kNg2014, kSecondsPerYear, a);
  const auto vb = generate_outages(kNg2014, kSecondsPerYear, b);
  const auto vc = generate_outages(kNg2014, kSecondsPerYear, c);
  ASSERT_EQ(va.size(), vb.size());
  for (std::size_t i = 0; i < va.size(); ++i) {
    EXPECT_EQ(va[i].start_s, vb[i].start_s);
    EXPECT_EQ(va[i].end_s, vb[i].end_s);
  }
  EXPECT_NE(hours(va), hours(vc));
}

TEST(Outages, EdgeCases) {
  RandomStream rng(1, 0);
  EXPECT_TRUE(generate_outages({"ma-none", 0, 0, 0, 0}, kSecondsPerYear, rng).empty());
  EXPECT_TRUE(generate_outages(kZa2023, 0, rng).empty());
  // Fixed durations (min = mean = max) are allowed.
  for (const auto& i : generate_outages({"fixed", 50, 2, 2, 2}, kSecondsPerYear, rng)) {
    if (i.start_s > 0 && i.end_s < kSecondsPerYear) {
      EXPECT_GE(i.end_s - i.start_s, 7200 - 1e-6);
    }
  }
  EXPECT_THROW(generate_outages({"bad", 10, 5, 6, 8}, 1, rng), std::invalid_argument);
  EXPECT_THROW(generate_outages({"bad", -1, 2, 1, 3}, 1, rng), std::invalid_argument);
  EXPECT_THROW(generate_outages(kZa2020, -1, rng), std::invalid_argument);
  EXPECT_THROW(dctwin::models::events_per_year_for_hours(8760, 2), std::invalid_argument);
}
