#include "dctwin/models/generator.h"

#include <gtest/gtest.h>

#include <stdexcept>

using dctwin::models::FuelCurve;
using dctwin::models::GeneratorPlant;
using dctwin::models::qsk60_g4_prime_fuel_curve;

TEST(FuelCurve, Qsk60HitsTheDataSheetPoints) {
  const FuelCurve c = qsk60_g4_prime_fuel_curve();
  EXPECT_NEAR(c.rated_kw, 1730 * 0.962, 1e-9);
  // Engine kWm at each point times the alternator efficiency at that point.
  const double kwe[] = {1730 * 0.25 * 0.932, 1730 * 0.50 * 0.957, 1730 * 0.75 * 0.962,
                        1730 * 1.00 * 0.962};
  const double litres[] = {114, 200, 291, 394};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(c.fuel_l_per_h(kwe[i]), litres[i], 1e-9 * litres[i]) << "point " << i;
  }
}

TEST(FuelCurve, InterpolatesAndExtrapolatesLinearly) {
  const FuelCurve c{1000, {0.25, 0.5, 1.0}, {100, 150, 250}};
  EXPECT_DOUBLE_EQ(c.fuel_l_per_h(375), 125);  // halfway between the first two points
  EXPECT_DOUBLE_EQ(c.fuel_l_per_h(750), 200);
  EXPECT_DOUBLE_EQ(c.fuel_l_per_h(0), 50);     // first segment extended to zero load
  const FuelCurve steep{1000, {0.25, 0.5}, {10, 100}};
  EXPECT_EQ(steep.fuel_l_per_h(0), 0);         // never negative
  EXPECT_THROW(static_cast<void>(c.fuel_l_per_h(1000.1)), std::invalid_argument);
  EXPECT_THROW(static_cast<void>(c.fuel_l_per_h(-1)), std::invalid_argument);
}

TEST(FuelCurve, MonotoneInLoad) {
  const FuelCurve c = qsk60_g4_prime_fuel_curve();
  double last = -1;
  for (int i = 0; i <= 1000; ++i) {
    const double f = c.fuel_l_per_h(c.rated_kw * i / 1000.0);
    EXPECT_GE(f, last);
    EXPECT_GT(f, 0);
    last = f;
  }
}

TEST(FuelCurve, RejectsBadCurves) {
  EXPECT_THROW((FuelCurve{0, {0.5, 1}, {1, 2}}.validate()), std::invalid_argument);
  EXPECT_THROW((FuelCurve{1, {1}, {1}}.validate()), std::invalid_argument);
  EXPECT_THROW((FuelCurve{1, {0.5, 0.4}, {1, 2}}.validate()), std::invalid_argument);
  EXPECT_THROW((FuelCurve{1, {0.5, 1}, {2, 1}}.validate()), std::invalid_argument);
  EXPECT_THROW((FuelCurve{1, {0.5, 1.5}, {1, 2}}.validate()), std::invalid_argument);
  EXPECT_THROW(GeneratorPlant(0, qsk60_g4_prime_fuel_curve(), 10), std::invalid_argument);
  EXPECT_THROW(GeneratorPlant(1, qsk60_g4_prime_fuel_curve(), -1), std::invalid_argument);
}

TEST(GeneratorPlant, StagesUnitsAndSharesLoad) {
  const FuelCurve c = qsk60_g4_prime_fuel_curve();
  const GeneratorPlant plant(4, c, 10);
  EXPECT_DOUBLE_EQ(plant.capacity_kw(), 4 * c.rated_kw);
  EXPECT_EQ(plant.run(0, 3600).running_units, 0);
  EXPECT_EQ(plant.run(0, 3600).litres, 0);
  EXPECT_EQ(plant.run(1, 3600).running_units, 1);
  EXPECT_EQ(plant.run(c.rated_kw, 3600).running_units, 1);
  EXPECT_EQ(plant.run(c.rated_kw + 1, 3600).running_units, 2);
  EXPECT_EQ(plant.run(3 * c.rated_kw, 3600).running_units, 3);

  // 2.5 units' worth on 3 units: each at 5/6 of rating, fuel three times one unit's.
  const auto o = plant.run(2.5 * c.rated_kw, 1800);
  EXPECT_EQ(o.running_units, 3);
  EXPECT_DOUBLE_EQ(o.unit_load_kw, 2.5 * c.rated_kw / 3);
  EXPECT_DOUBLE_EQ(o.litres, 3 * c.fuel_l_per_h(o.unit_load_kw) * 0.5);
  EXPECT_DOUBLE_EQ(o.energy_kwh, 2.5 * c.rated_kw * 0.5);
  EXPECT_DOUBLE_EQ(o.co2_kg, o.litres * 2.66155);
  EXPECT_FALSE(o.overloaded);
}

TEST(GeneratorPlant, ClampsAndFlagsOverload) {
  const FuelCurve c = qsk60_g4_prime_fuel_curve();
  const GeneratorPlant plant(2, c, 10);
  const auto o = plant.run(5000, 3600);
  EXPECT_TRUE(o.overloaded);
  EXPECT_DOUBLE_EQ(o.served_kw, plant.capacity_kw());
  EXPECT_DOUBLE_EQ(o.unserved_kw, 5000 - plant.capacity_kw());
  EXPECT_EQ(o.running_units, 2);
  EXPECT_NEAR(o.litres, 2 * 394, 1e-9);
}

TEST(GeneratorPlant, ColdStartBridgesTheFirstSeconds) {
  const FuelCurve c = qsk60_g4_prime_fuel_curve();
  const GeneratorPlant plant(1, c, 10);
  const auto warm = plant.run(1000, 3600);
  const auto cold = plant.run(1000, 3600, true);
  EXPECT_EQ(cold.bridged_s, 10);
  EXPECT_DOUBLE_EQ(cold.litres, warm.litres * 3590 / 3600);
  EXPECT_EQ(plant.run(1000, 5, true).bridged_s, 5);
  EXPECT_EQ(plant.run(1000, 5, true).litres, 0);
  EXPECT_THROW(static_cast<void>(plant.run(-1, 1)), std::invalid_argument);
  EXPECT_THROW(static_cast<void>(plant.run(1, -1)), std::invalid_argument);
}
