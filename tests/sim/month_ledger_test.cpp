// The reports' totals over many periods: sums of the flows and every period's waits merged.
#include <gtest/gtest.h>

#include <algorithm>

#include "dctwin/models/random_stream.h"
#include "reports/month_ledger.h"

using dctwin::sim::Flows;

TEST(MonthLedger, SumOfPeriodsEqualsMergingThemOneAtATime) {
  dctwin::models::RandomStream rng(3, 1);
  std::vector<Flows> months(13);  // an odd count: the pairwise merge carries a run over
  for (Flows& m : months) {
    m.it_j = rng.uniform() * 1e9;
    m.submitted = static_cast<long>(rng.uniform() * 100);
    m.peak_facility_w = rng.uniform() * 1e6;
    for (int i = static_cast<int>(rng.uniform() * 50); i > 0; --i) m.waits_s.push_back(rng.exponential(1.0 / 600));
    for (int i = static_cast<int>(rng.uniform() * 50); i > 0; --i) {
      m.aggregate_waits_s.emplace_back(rng.exponential(1.0 / 600), 1 + static_cast<int>(rng.uniform() * 3));
    }
    m.aggregate_waits_s.emplace_back(0.0, 2.0);  // equal samples across periods
    std::sort(m.waits_s.begin(), m.waits_s.end());
    std::sort(m.aggregate_waits_s.begin(), m.aggregate_waits_s.end());
  }
  Flows one_at_a_time;
  std::vector<const Flows*> parts;
  for (const Flows& m : months) {
    one_at_a_time.merge(m);
    parts.push_back(&m);
  }
  const Flows summed = dctwin::sim::sum_of(parts);
  EXPECT_EQ(summed.waits_s, one_at_a_time.waits_s);
  EXPECT_EQ(summed.aggregate_waits_s, one_at_a_time.aggregate_waits_s);
  EXPECT_TRUE(std::is_sorted(summed.aggregate_waits_s.begin(), summed.aggregate_waits_s.end()));
  EXPECT_EQ(summed.it_j, one_at_a_time.it_j);  // the same additions in the same order
  EXPECT_EQ(summed.submitted, one_at_a_time.submitted);
  EXPECT_EQ(summed.peak_facility_w, one_at_a_time.peak_facility_w);
  EXPECT_TRUE(dctwin::sim::sum_of({}).waits_s.empty());
}
