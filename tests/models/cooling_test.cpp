#include "dctwin/models/cooling.h"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>

#include "dctwin/models/psychrometrics.h"

namespace m = dctwin::models;
using m::CoolingKind;

namespace {

constexpr std::array<CoolingKind, 4> kKinds = {CoolingKind::kAirCooledChiller,
                                               CoolingKind::kWaterCooledChiller,
                                               CoolingKind::kLiquidDryCooler, CoolingKind::kHybrid};
constexpr double kIt_w = 1e6;
constexpr double kOther_w = 5e4;

m::WeatherHour weather(double drybulb_c, double rh) {
  return {drybulb_c, rh, m::wet_bulb_c(drybulb_c, rh, 101325)};
}

m::CoolingPlant plant(CoolingKind k) {
  return m::CoolingPlant(m::CoolingParams::defaults(k));
}

}  // namespace

// reference/dc_cost_efficiency.csv: DOE-2 Centrifugal/5.50COP at 6.67 °C chilled water.
TEST(Chiller, CopMatchesReferenceTable) {
  const std::array<double, 11> tc = {18, 20, 22, 24, 26, 28, 29.4, 30, 32, 34, 35};
  const std::array<double, 11> cop = {6.87, 6.65, 6.42, 6.18, 5.93, 5.68,
                                      5.51, 5.43, 5.18, 4.93, 4.81};
  for (std::size_t i = 0; i < tc.size(); ++i) {
    EXPECT_NEAR(m::doe2_chiller_cop(5.5, 6.67, tc[i]), cop[i], 0.01 * cop[i]) << tc[i] << " C";
  }
  EXPECT_NEAR(m::doe2_centrifugal_eir_ft(6.67, 29.4), 1.0, 0.002);  // normalised at its rating
}

// A hotter or more humid hour never costs less, for any plant.
TEST(CoolingPlant, ElectricPowerMonotoneInWeather) {
  for (CoolingKind k : kKinds) {
    const auto p = plant(k);
    for (double db = -10; db <= 48; db += 0.5) {
      for (double wb = db - 25; wb <= db; wb += 0.5) {
        const double e = p.at(kIt_w, kOther_w, {db, 0.5, wb}).electric_w;
        const double hotter = p.at(kIt_w, kOther_w, {db + 0.5, 0.5, wb}).electric_w;
        ASSERT_GE(hotter, e - 1e-6)
            << "kind " << static_cast<int>(k) << " db " << db << " wb " << wb;
        if (wb + 0.5 <= db) {
          const double wetter = p.at(kIt_w, kOther_w, {db, 0.5, wb + 0.5}).electric_w;
          ASSERT_GE(wetter, e - 1e-6)
              << "kind " << static_cast<int>(k) << " db " << db << " wb " << wb;
        }
      }
    }
  }
}

TEST(CoolingPlant, PueLikeRatioAtThirtyFiveDegrees) {
  for (CoolingKind k : kKinds) {
    for (double rh : {0.2, 0.4, 0.6}) {
      const auto r = plant(k).at(kIt_w, kOther_w, weather(35, rh));
      const double ratio = (kIt_w + kOther_w + r.electric_w) / kIt_w;
      EXPECT_GT(ratio, 1.0) << static_cast<int>(k);
      EXPECT_LT(ratio, 1.6) << static_cast<int>(k);
    }
  }
}

TEST(CoolingPlant, LiquidCoolingBeatsAirCooledChillersAtThirty) {
  const auto w = weather(30, 0.5);
  const double air = plant(CoolingKind::kAirCooledChiller).at(kIt_w, kOther_w, w).electric_w;
  EXPECT_LT(plant(CoolingKind::kLiquidDryCooler).at(kIt_w, kOther_w, w).electric_w, air);
  EXPECT_LT(plant(CoolingKind::kHybrid).at(kIt_w, kOther_w, w).electric_w, air);
}

TEST(CoolingPlant, WaterOnlyWhereThereAreTowers) {
  for (double db : {5.0, 20.0, 35.0}) {
    const auto w = weather(db, 0.5);
    EXPECT_EQ(plant(CoolingKind::kAirCooledChiller).at(kIt_w, kOther_w, w).water_kg_per_s, 0.0);
    EXPECT_EQ(plant(CoolingKind::kLiquidDryCooler).at(kIt_w, kOther_w, w).water_kg_per_s, 0.0);
    EXPECT_GT(plant(CoolingKind::kHybrid).at(kIt_w, kOther_w, w).water_kg_per_s, 0.0);
    // Towers reject everything: evaporation = heat / 2.45 MJ/kg, blowdown = that / (cycles − 1).
    const auto r = plant(CoolingKind::kWaterCooledChiller).at(kIt_w, kOther_w, w);
    EXPECT_NEAR(r.water_kg_per_s, r.heat_rejected_w / 2.45e6 * 4.0 / 3.0, 1e-9);
  }
}

// Heat in = heat out: the load, in-building fan and pump work, and compressor work.
TEST(CoolingPlant, EnergyBalance) {
  for (CoolingKind k : kKinds) {
    const auto p = plant(k);
    const auto& q = p.params();
    for (double db : {0.0, 25.0, 40.0}) {
      const auto r = p.at(kIt_w, kOther_w, weather(db, 0.4));
      const double q_air = (1 - q.liquid_fraction) * kIt_w + kOther_w;
      const double inside_w = (q.crah_fan_w_per_w_heat + q.chw_pump_w_per_w_heat) * q_air +
                              q.liquid_pump_w_per_w_heat * q.liquid_fraction * kIt_w;
      EXPECT_NEAR(r.heat_rejected_w, kIt_w + kOther_w + inside_w + r.chiller_w, 1e-6);
      EXPECT_NEAR(r.electric_w, r.chiller_w + r.fans_pumps_w, 1e-9);
    }
  }
}

TEST(CoolingPlant, FreeCoolingInColdWeatherOnly) {
  for (CoolingKind k : kKinds) {
    const auto cold = plant(k).at(kIt_w, kOther_w, weather(-5, 0.6));
    EXPECT_DOUBLE_EQ(cold.free_cooling_fraction, 1.0) << static_cast<int>(k);
    EXPECT_DOUBLE_EQ(cold.chiller_w, 0.0);
    const auto hot = plant(k).at(kIt_w, kOther_w, weather(40, 0.5));
    EXPECT_LT(hot.free_cooling_fraction, 0.2) << static_cast<int>(k);
    EXPECT_GT(hot.chiller_w, 0.0);
  }
  // No load, no cooling power.
  EXPECT_DOUBLE_EQ(plant(CoolingKind::kHybrid).at(0, 0, weather(30, 0.5)).electric_w, 0.0);
}

TEST(CoolingPlant, RefusesBadInput) {
  auto p = m::CoolingParams::defaults(CoolingKind::kWaterCooledChiller);
  p.liquid_fraction = 0.5;  // no liquid loop to take it
  EXPECT_THROW(m::CoolingPlant{p}, std::invalid_argument);
  p = m::CoolingParams::defaults(CoolingKind::kHybrid);
  p.cycles_of_concentration = 1.0;
  EXPECT_THROW(m::CoolingPlant{p}, std::invalid_argument);
  p = m::CoolingParams::defaults(CoolingKind::kHybrid);
  p.crah_fan_w_per_w_heat = -0.1;
  EXPECT_THROW(m::CoolingPlant{p}, std::invalid_argument);
  EXPECT_THROW(plant(CoolingKind::kHybrid).at(-1, 0, weather(20, 0.5)), std::invalid_argument);
}
