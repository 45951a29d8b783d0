#include "dctwin/models/psychrometrics.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace m = dctwin::models;

namespace {
constexpr double kSeaLevel_pa = 101325.0;
}  // namespace

// ASHRAE Handbook—Fundamentals 2017 ch.1 Table 1 (standard atmosphere).
TEST(Psychrometrics, StandardAtmosphere) {
  EXPECT_NEAR(m::pressure_at_altitude_pa(0), 101325, 1);
  EXPECT_NEAR(m::pressure_at_altitude_pa(500), 95461, 1);
  EXPECT_NEAR(m::pressure_at_altitude_pa(1000), 89875, 1);
  EXPECT_NEAR(m::pressure_at_altitude_pa(-500), 107478, 1);
  EXPECT_THROW(m::pressure_at_altitude_pa(20000), std::invalid_argument);
}

// ASHRAE 2017 ch.1 Table 3; the handbook states the formula agrees within 300 ppm.
TEST(Psychrometrics, SaturationPressureMatchesHandbookTable) {
  EXPECT_NEAR(m::saturation_vapour_pressure_pa(-20), 103.24, 103.24 * 3e-4);
  EXPECT_NEAR(m::saturation_vapour_pressure_pa(-5), 401.74, 401.74 * 3e-4);
  EXPECT_NEAR(m::saturation_vapour_pressure_pa(5), 872.6, 872.6 * 3e-4);
  EXPECT_NEAR(m::saturation_vapour_pressure_pa(25), 3169.7, 3169.7 * 3e-4);
  EXPECT_NEAR(m::saturation_vapour_pressure_pa(50), 12351.3, 12351.3 * 3e-4);
  EXPECT_THROW(m::saturation_vapour_pressure_pa(250), std::invalid_argument);
}

// Check values: 30 °C / 50 % at sea level is 22.0 °C wet bulb on the ASHRAE psychrometric
// chart No. 1. ASHRAE 2017 ch.1 Example 1: 40 °C dry bulb, 20 °C wet bulb at 101.325 kPa has
// W = 0.0065 kg/kg, relative humidity 14 % and dew point about 7 °C (the handbook rounds W;
// hence 0.1 K on the wet bulb and 0.7 K on the dew point).
TEST(Psychrometrics, WetBulbTextbookPoints) {
  EXPECT_NEAR(m::wet_bulb_c(30, 0.50, kSeaLevel_pa), 22.0, 0.1);
  const double rh = m::relative_humidity(40, 0.0065, kSeaLevel_pa);
  EXPECT_NEAR(rh, 0.14, 0.01);
  EXPECT_NEAR(m::wet_bulb_c(40, rh, kSeaLevel_pa), 20.0, 0.1);
  EXPECT_NEAR(m::dew_point_c(40, rh, kSeaLevel_pa), 7.0, 0.7);
}

// Humidity ratios that eq. 33 (above freezing) and eq. 35 (below) give for a known wet bulb
// at 95,461 Pa, from PsychroLib's SI tests (Meyer & Thevenard 2019, computed in Excel).
TEST(Psychrometrics, WetBulbInvertsThePsychrometricEquation) {
  const double p = 95461;
  const double rh_warm = m::relative_humidity(30, 0.0192281274241096, p);
  EXPECT_NEAR(m::wet_bulb_c(30, rh_warm, p), 25.0, 0.01);
  const double rh_cold = m::relative_humidity(-1, 0.00120399819933844, p);
  EXPECT_NEAR(m::wet_bulb_c(-1, rh_cold, p), -5.0, 0.01);
}

TEST(Psychrometrics, SaturatedAirAndRoundTrips) {
  EXPECT_NEAR(m::wet_bulb_c(25, 1.0, kSeaLevel_pa), 25.0, 1e-4);
  EXPECT_NEAR(m::dew_point_c(25, 1.0, kSeaLevel_pa), 25.0, 1e-4);
  const double w = m::humidity_ratio(25, 0.6, kSeaLevel_pa);
  EXPECT_NEAR(m::relative_humidity(25, w, kSeaLevel_pa), 0.6, 1e-9);
  // More water than saturation can hold is reported as saturated, not above it.
  EXPECT_DOUBLE_EQ(m::relative_humidity(10, 2 * w, kSeaLevel_pa), 1.0);
  EXPECT_THROW(m::humidity_ratio(25, 1.2, kSeaLevel_pa), std::invalid_argument);
  EXPECT_THROW(m::dew_point_c(25, 0.0, kSeaLevel_pa), std::invalid_argument);
}

TEST(Psychrometrics, AltitudeLowersWetBulb) {
  const double sea = m::wet_bulb_c(30, 0.5, kSeaLevel_pa);
  const double high = m::wet_bulb_c(30, 0.5, m::pressure_at_altitude_pa(1700));
  EXPECT_LT(high, sea - 0.2);
  EXPECT_LT(m::wet_bulb_c(30, 0.5, m::pressure_at_altitude_pa(3000)), high);
}

// Monthly means from reference/climate_monthly.csv (IWEC typical years). Those wet bulbs are
// means of hourly wet bulbs, not the wet bulb of the mean dry bulb and RH, and the relation is
// nonlinear, so agreement within 0.6 K is what to expect.
TEST(Psychrometrics, ReferenceMonthlyMeans) {
  EXPECT_NEAR(m::wet_bulb_c(19.9, 0.66, m::pressure_at_altitude_pa(1700)), 15.2,
              0.6);  // Johannesburg Jan
  EXPECT_NEAR(m::wet_bulb_c(28.2, 0.59, m::pressure_at_altitude_pa(23)), 21.7, 0.6);  // Cairo Jul
}
