#include "dctwin/models/facility.h"

#include <gtest/gtest.h>

#include "dctwin/models/climate.h"

using namespace dctwin::models;

namespace {
MonthlyClimate cape_town() {
  MonthlyClimate c;
  c.mean_drybulb_c = {20.8, 20.9, 19.1, 16.5, 14.8, 12.8, 12.3, 12.9, 14.3, 16.0, 18.3, 19.8};
  c.mean_daily_range_k = {10.0, 9.2, 8.1, 8.6, 10.1, 9.9, 10.0, 9.2, 9.1, 11.2, 8.0, 9.2};
  c.mean_rh = {0.67, 0.58, 0.72, 0.75, 0.79, 0.79, 0.77, 0.78, 0.75, 0.70, 0.67, 0.67};
  c.altitude_m = 42;
  return c;
}
}  // namespace

TEST(Facility, BalanceAndPueAboveOne) {
  const FacilityModel f(CoolingParams::defaults(CoolingKind::kWaterCooledChiller), PowerChain::with_defaults(3e6));
  const WeatherHour w{25, 0.6, 19.5};
  const FacilityPower p = f.at(2e6, w);
  EXPECT_DOUBLE_EQ(p.facility_w, p.it_w + p.cooling_w + p.losses.total_w());
  EXPECT_GT(p.facility_w / p.it_w, 1.05);
  EXPECT_LT(p.facility_w / p.it_w, 1.6);
  EXPECT_GT(p.water_kg_per_s, 0);
}

TEST(Facility, MaxItLoadInvertsTheFacilityPower) {
  const FacilityModel f(CoolingParams::defaults(CoolingKind::kAirCooledChiller), PowerChain::with_defaults(3e6));
  const WeatherHour w{30, 0.5, 22.0};
  const double it = f.max_it_w(2.5e6, w);
  EXPECT_NEAR(f.at(it, w).facility_w, 2.5e6, 1.0);
  EXPECT_EQ(f.max_it_w(1.0, w), 0.0);  // below the no-load losses nothing fits
}

// The same plant in a climate 3 K hotter every hour never has a lower PUE in any hour.
TEST(Facility, AHotterClimateNeverGivesALowerPue) {
  MonthlyClimate hot = cape_town();
  for (auto& t : hot.mean_drybulb_c) t += 3;
  const auto mild_hours = WeatherGenerator(cape_town(), 5, 0).generate({2026, 1, 1}, 365);
  const auto hot_hours = WeatherGenerator(hot, 5, 0).generate({2026, 1, 1}, 365);
  for (auto kind : {CoolingKind::kAirCooledChiller, CoolingKind::kWaterCooledChiller, CoolingKind::kLiquidDryCooler,
                    CoolingKind::kHybrid}) {
    CoolingParams params = CoolingParams::defaults(kind);
    const FacilityModel f(params, PowerChain::with_defaults(3e6));
    for (std::size_t h = 0; h < mild_hours.size(); ++h) {
      ASSERT_GT(hot_hours[h].drybulb_c, mild_hours[h].drybulb_c);
      const double mild = f.at(2e6, mild_hours[h]).facility_w;
      const double hotter = f.at(2e6, hot_hours[h]).facility_w;
      ASSERT_GE(hotter, mild - 1e-6) << "kind " << static_cast<int>(kind) << " hour " << h;
    }
  }
}
