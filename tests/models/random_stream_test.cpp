#include "dctwin/models/random_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "dctwin/models/statistics.h"

using dctwin::models::RandomStream;

TEST(RandomStream, SameSeedSameNumbersOtherStreamOtherNumbers) {
  RandomStream a(7, 3), b(7, 3), c(7, 4);
  int differ = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    differ += x != c.next_u64();
  }
  EXPECT_GT(differ, 990);
}

TEST(RandomStream, StreamIdsFollowTheirNames) {
  using dctwin::models::stream_id;
  EXPECT_EQ(stream_id("arrivals", "za", "debug"), stream_id("arrivals", "za", "debug"));
  EXPECT_NE(stream_id("arrivals", "za", "debug"), stream_id("arrivals", "ng", "debug"));
  EXPECT_NE(stream_id("arrivals", "za", "debug"), stream_id("arrivals", "za", "other"));
  EXPECT_NE(stream_id("arrivals", "za", "debug"), stream_id("job shapes", "za", "debug"));
  EXPECT_NE(stream_id("weather", "ab", "c"), stream_id("weather", "a", "bc"));  // the parts stay apart
  EXPECT_NE(stream_id("weather", "za"), stream_id("weather", "za", ""  "x"));
  // Fixed by the FNV-1a definition, whatever the platform: a changed function would redraw
  // every scenario's jobs, weather, outages and failures.
  EXPECT_EQ(stream_id(""), 0xcbf29ce484222325ULL * 0x100000001b3ULL * 0x100000001b3ULL * 0x100000001b3ULL);
}

TEST(RandomStream, LognormalHitsItsMedianAndP90) {
  RandomStream r(1, 0);
  std::vector<double> x(200000);
  for (auto& v : x) v = r.lognormal_median_p90(10.0, 40.0);
  EXPECT_NEAR(dctwin::models::percentile(x, 50), 10.0, 0.2);
  EXPECT_NEAR(dctwin::models::percentile(x, 90), 40.0, 1.0);
}

TEST(RandomStream, ExponentialMeanAndWeightedChoice) {
  RandomStream r(2, 0);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) sum += r.exponential(4.0);
  EXPECT_NEAR(sum / 100000, 0.25, 0.005);
  const std::vector<double> w = {1, 3, 0, 6};
  std::vector<int> count(4);
  for (int i = 0; i < 100000; ++i) ++count[r.weighted_index(w)];
  EXPECT_EQ(count[2], 0);
  EXPECT_NEAR(count[3] / 100000.0, 0.6, 0.01);
  EXPECT_NEAR(count[1] / 100000.0, 0.3, 0.01);
}

TEST(Statistics, PercentileInterpolatesLikeNumpy) {
  std::vector<double> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(dctwin::models::percentile(v, 50), 2.5);
  EXPECT_DOUBLE_EQ(dctwin::models::percentile(v, 95), 3.85);
  std::vector<double> empty;
  EXPECT_DOUBLE_EQ(dctwin::models::percentile(empty, 95), 0.0);
}
