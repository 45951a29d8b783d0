#include "dctwin/models/job_duration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "dctwin/models/random_stream.h"

using dctwin::models::JobDuration;

TEST(JobDuration, PassesThroughTheMedianAndP90) {
  const JobDuration d(129.0 / 3600, 1208.0 / 3600, 168, 0.5);
  EXPECT_NEAR(d.hours_at(0), 129.0 / 3600, 1e-12);
  EXPECT_NEAR(d.hours_at(1.2815515655446004), 1208.0 / 3600, 1e-9);
  EXPECT_GT(d.sigma_tail(), d.sigma_body());  // Seren-like: heavier than the lognormal
}

TEST(JobDuration, SampledMeanIsTheMeanAskedFor) {
  for (double mean_h : {0.2, 0.5, 1.2}) {
    const JobDuration d(129.0 / 3600, 1208.0 / 3600, 168, mean_h);
    EXPECT_NEAR(d.mean_h(), mean_h, 1e-6 * mean_h);
    dctwin::models::RandomStream rng(3, 1);
    double sum = 0, sum_sq = 0;
    const int n = 2'000'000;
    for (int i = 0; i < n; ++i) {
      double z;
      do z = rng.standard_normal(); while (z > d.z_max());
      const double h = d.hours_at(z);
      EXPECT_LE(h, 168 * (1 + 1e-12));
      sum += h;
      sum_sq += h * h;
    }
    const double mean = sum / n, se = std::sqrt((sum_sq / n - mean * mean) / n);
    EXPECT_NEAR(mean, mean_h, 4 * se) << "mean " << mean_h;
  }
}

TEST(JobDuration, WithoutAMeanItIsTheLognormal) {
  const JobDuration d(1, 4, 1e6);
  EXPECT_DOUBLE_EQ(d.sigma_tail(), d.sigma_body());
  EXPECT_NEAR(d.mean_h(), std::exp(d.sigma_body() * d.sigma_body() / 2), 1e-9);
}

TEST(JobDuration, RefusesAMeanTheCapCannotAllow) {
  EXPECT_THROW(JobDuration(0.1, 1, 2, 5), std::invalid_argument);     // above the cap
  EXPECT_THROW(JobDuration(0.1, 1, 168, 0.01), std::invalid_argument);  // below even a tail held at p90
}
