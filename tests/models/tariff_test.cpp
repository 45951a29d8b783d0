#include "dctwin/models/tariff.h"

#include <gtest/gtest.h>

#include <stdexcept>

using dctwin::models::Date;
using dctwin::models::energy_price_usd_per_kwh;
using dctwin::models::Tariff;
using dctwin::models::TouBand;

namespace {
// za-megaflex-2026 and ke-ci1-2025 as in data/grid/tariffs.csv.
Tariff megaflex_ld() {
  Tariff t;
  t.flat_usd_per_kwh = 0.067;
  t.bands = {{7, 9, true, false, 0.168},  {18, 21, true, false, 0.168},
             {6, 7, true, false, 0.094},  {9, 18, true, false, 0.094},
             {21, 22, true, false, 0.094}};
  return t;
}
Tariff kenya_ci1() { return Tariff{0.138, {{22, 6, true, true, 0.088}}, 0}; }

const Date kMonday{2026, 5, 4};
const Date kSaturday{2026, 5, 9};
const Date kSunday{2026, 5, 10};
}  // namespace

TEST(Tariff, WeekdayFromTheDate) {
  EXPECT_EQ(dctwin::models::weekday({1970, 1, 1}), 3);  // Thursday
  EXPECT_EQ(dctwin::models::weekday(kMonday), 0);
  EXPECT_EQ(dctwin::models::weekday(kSunday), 6);
  EXPECT_EQ(dctwin::models::weekday({1969, 12, 29}), 0);  // before the epoch
  EXPECT_TRUE(dctwin::models::is_weekend(kSaturday));
  EXPECT_FALSE(dctwin::models::is_weekend({2026, 5, 8}));  // Friday
}

TEST(Tariff, BandByHourOnWeekdays) {
  const Tariff t = megaflex_ld();
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 5), 0.067);   // off-peak
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 6), 0.094);   // standard
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 7), 0.168);   // morning peak
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 8), 0.168);
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 9), 0.094);   // end hour is exclusive
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 18), 0.168);  // evening peak
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 20), 0.168);
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 21), 0.094);
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 22), 0.067);
  EXPECT_EQ(energy_price_usd_per_kwh(t, kMonday, 23), 0.067);
}

TEST(Tariff, WeekendsFallBackToFlat) {
  const Tariff t = megaflex_ld();
  for (int h = 0; h < 24; ++h) {
    EXPECT_EQ(energy_price_usd_per_kwh(t, kSaturday, h), 0.067) << h;
    EXPECT_EQ(energy_price_usd_per_kwh(t, kSunday, h), 0.067) << h;
  }
}

TEST(Tariff, BandWrappingMidnight) {
  const Tariff t = kenya_ci1();
  for (const Date& d : {kMonday, kSunday}) {
    EXPECT_EQ(energy_price_usd_per_kwh(t, d, 22), 0.088);
    EXPECT_EQ(energy_price_usd_per_kwh(t, d, 0), 0.088);
    EXPECT_EQ(energy_price_usd_per_kwh(t, d, 5), 0.088);
    EXPECT_EQ(energy_price_usd_per_kwh(t, d, 6), 0.138);
    EXPECT_EQ(energy_price_usd_per_kwh(t, d, 21), 0.138);
  }
}

TEST(Tariff, FlatAndFirstMatchWins) {
  const Tariff flat{0.153, {}, 0};
  EXPECT_EQ(energy_price_usd_per_kwh(flat, kMonday, 12), 0.153);
  const Tariff overlap{0.1, {{8, 12, true, true, 0.3}, {0, 24, true, true, 0.2}}, 0};
  EXPECT_EQ(energy_price_usd_per_kwh(overlap, kMonday, 9), 0.3);
  EXPECT_EQ(energy_price_usd_per_kwh(overlap, kMonday, 13), 0.2);
}

TEST(Tariff, RejectsBadInput) {
  EXPECT_THROW(energy_price_usd_per_kwh(megaflex_ld(), kMonday, 24), std::invalid_argument);
  EXPECT_THROW(energy_price_usd_per_kwh(megaflex_ld(), kMonday, -1), std::invalid_argument);
  EXPECT_THROW(dctwin::models::validate(Tariff{0.1, {{5, 5, true, true, 0.2}}, 0}),
               std::invalid_argument);
  EXPECT_THROW(dctwin::models::validate(Tariff{0.1, {{0, 25, true, true, 0.2}}, 0}),
               std::invalid_argument);
  EXPECT_THROW(dctwin::models::validate(Tariff{-0.1, {}, 0}), std::invalid_argument);
}
