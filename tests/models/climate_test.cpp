#include "dctwin/models/climate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

namespace m = dctwin::models;

namespace {

// Cape Town, reference/climate_extra.csv: mean dry bulb and mean daily max − min from the
// IWEC typical year (WMO 688160), RH from the UK Met Office; elevation 42 m (site_facts.csv).
m::MonthlyClimate cape_town() {
  m::MonthlyClimate c;
  c.mean_drybulb_c = {20.8, 20.9, 19.1, 16.5, 14.8, 12.8, 12.3, 12.9, 14.3, 16.0, 18.3, 19.8};
  const std::array<double, 12> max_c = {26.1, 25.8, 23.5, 21.1, 20.5, 18.1,
                                        17.4, 17.9, 19.1, 21.5, 22.4, 24.5};
  const std::array<double, 12> min_c = {16.1, 16.6, 15.4, 12.5, 10.4, 8.2,
                                        7.4,  8.7,  10.0, 10.3, 14.4, 15.3};
  for (int i = 0; i < 12; ++i) c.mean_daily_range_k[i] = max_c[i] - min_c[i];
  c.mean_rh = {0.67, 0.58, 0.72, 0.75, 0.79, 0.79, 0.77, 0.78, 0.75, 0.70, 0.67, 0.67};
  c.altitude_m = 42;
  return c;
}

constexpr m::Date kStart{2001, 1, 1};
constexpr int kYears = 100;  // sd of a month's mean anomaly ≈ 0.09 K, well inside 0.3 K

struct MonthStats {
  std::array<double, 12> mean_drybulb_c{};
  std::array<double, 12> mean_range_k{};
};

MonthStats by_month(const std::vector<m::WeatherHour>& hours, m::Date start) {
  std::array<double, 12> sum{}, range_sum{}, hours_n{}, days_n{};
  const auto day0 = m::days_since_epoch(start);
  for (std::size_t d = 0; d < hours.size() / 24; ++d) {
    const int month = m::date_from_days(day0 + static_cast<std::int64_t>(d)).month - 1;
    double lo = 1e9, hi = -1e9;
    for (std::size_t h = 0; h < 24; ++h) {
      const double t = hours[24 * d + h].drybulb_c;
      sum[month] += t;
      hours_n[month] += 1;
      lo = std::min(lo, t);
      hi = std::max(hi, t);
    }
    range_sum[month] += hi - lo;
    days_n[month] += 1;
  }
  MonthStats s;
  for (int i = 0; i < 12; ++i) {
    s.mean_drybulb_c[i] = sum[i] / hours_n[i];
    s.mean_range_k[i] = range_sum[i] / days_n[i];
  }
  return s;
}

int days_in_years(int years) {
  return static_cast<int>(m::days_since_epoch({kStart.year + years, 1, 1}) -
                          m::days_since_epoch(kStart));
}

}  // namespace

TEST(WeatherGenerator, MonthlyMeansMatchNormals) {
  const auto c = cape_town();
  const m::WeatherGenerator gen(c, 42, 1);
  const auto s = by_month(gen.generate(kStart, days_in_years(kYears)), kStart);
  for (int i = 0; i < 12; ++i)
    EXPECT_NEAR(s.mean_drybulb_c[i], c.mean_drybulb_c[i], 0.3) << "month " << i + 1;
  // Without the random anomaly the seasonal curve keeps each month's mean almost exactly.
  const m::WeatherGenerator calm(c, 42, 1, 0.0);
  const auto q = by_month(calm.generate(kStart, days_in_years(4)), kStart);
  for (int i = 0; i < 12; ++i)
    EXPECT_NEAR(q.mean_drybulb_c[i], c.mean_drybulb_c[i], 0.02) << "month " << i + 1;
}

TEST(WeatherGenerator, DiurnalRangeMatches) {
  const auto c = cape_town();
  const m::WeatherGenerator gen(c, 7, 3);
  const auto s = by_month(gen.generate(kStart, days_in_years(10)), kStart);
  for (int i = 0; i < 12; ++i) {
    EXPECT_NEAR(s.mean_range_k[i], c.mean_daily_range_k[i], 0.1 * c.mean_daily_range_k[i])
        << "month " << i + 1;
  }
}

TEST(WeatherGenerator, ColdestAtSixWarmestAtFifteen) {
  const m::WeatherGenerator calm(cape_town(), 1, 1, 0.0);
  const auto hours = calm.generate({2024, 7, 10}, 1);
  const auto coldest = std::min_element(hours.begin(), hours.end(),
                                        [](auto& a, auto& b) { return a.drybulb_c < b.drybulb_c; });
  const auto warmest = std::max_element(hours.begin(), hours.end(),
                                        [](auto& a, auto& b) { return a.drybulb_c < b.drybulb_c; });
  EXPECT_EQ(coldest - hours.begin(), 6);
  EXPECT_EQ(warmest - hours.begin(), 15);
  // Moisture is held through the day, so RH is highest when it is coldest.
  EXPECT_GT(hours[6].rh, hours[15].rh);
}

TEST(WeatherGenerator, DeterministicPerSeedAndStream) {
  const auto c = cape_town();
  const auto a = m::WeatherGenerator(c, 99, 5).generate(kStart, 60);
  const auto b = m::WeatherGenerator(c, 99, 5).generate(kStart, 60);
  const auto other = m::WeatherGenerator(c, 99, 6).generate(kStart, 60);
  ASSERT_EQ(a.size(), 60u * 24);
  bool differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].drybulb_c, b[i].drybulb_c);
    EXPECT_EQ(a[i].rh, b[i].rh);
    EXPECT_EQ(a[i].wetbulb_c, b[i].wetbulb_c);
    differs = differs || a[i].drybulb_c != other[i].drybulb_c;
  }
  EXPECT_TRUE(differs);
}

TEST(WeatherGenerator, HumidityAndWetBulbArePhysical) {
  auto c = cape_town();
  c.mean_rh.fill(0.95);  // humid nights must saturate, not exceed 100 %
  for (const auto& climate : {cape_town(), c}) {
    const auto hours = m::WeatherGenerator(climate, 3, 2, 3.0).generate(kStart, 3 * 365);
    for (const auto& h : hours) {
      ASSERT_GT(h.rh, 0.0);
      ASSERT_LE(h.rh, 1.0);
      ASSERT_LE(h.wetbulb_c, h.drybulb_c);
    }
  }
}

TEST(WeatherGenerator, RefusesBadInput) {
  auto c = cape_town();
  c.mean_rh[3] = 1.2;
  EXPECT_THROW(m::WeatherGenerator(c, 1, 1), std::invalid_argument);
  c = cape_town();
  c.mean_daily_range_k[0] = -1;
  EXPECT_THROW(m::WeatherGenerator(c, 1, 1), std::invalid_argument);
  EXPECT_THROW(m::WeatherGenerator(cape_town(), 1, 1, 2.0, 1.0), std::invalid_argument);
  EXPECT_THROW(m::WeatherGenerator(cape_town(), 1, 1, -1.0), std::invalid_argument);
  EXPECT_THROW(m::WeatherGenerator(cape_town(), 1, 1).generate(kStart, -1), std::invalid_argument);
}
