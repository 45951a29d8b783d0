#include "dctwin/models/calendar.h"

#include <gtest/gtest.h>

using dctwin::models::Date;
using dctwin::models::SimCalendar;

TEST(Calendar, DaysSinceEpochRoundTrips) {
  EXPECT_EQ(dctwin::models::days_since_epoch({1970, 1, 1}), 0);
  EXPECT_EQ(dctwin::models::days_since_epoch({2000, 3, 1}), 11017);
  for (std::int64_t d = -1000; d < 40000; d += 37) {
    EXPECT_EQ(dctwin::models::days_since_epoch(dctwin::models::date_from_days(d)), d);
  }
}

TEST(Calendar, ParsesOnlyRealDates) {
  EXPECT_EQ(dctwin::models::parse_date("2028-02-29"), (Date{2028, 2, 29}));
  EXPECT_FALSE(dctwin::models::parse_date("2027-02-29"));
  EXPECT_FALSE(dctwin::models::parse_date("2027-13-01"));
  EXPECT_FALSE(dctwin::models::parse_date("2027-1-01"));
  EXPECT_FALSE(dctwin::models::parse_date("June 2027"));
}

TEST(Calendar, MonthsOfTheSimulatedClock) {
  const SimCalendar cal({2025, 6, 15});
  EXPECT_EQ(cal.seconds_at({2025, 6, 16}), 86400.0);
  EXPECT_EQ(cal.month_index_at(0), 0);
  EXPECT_EQ(cal.month_index_at(cal.seconds_at({2025, 7, 1})), 1);
  EXPECT_EQ(cal.month_index_at(cal.seconds_at({2026, 1, 31})), 7);
  EXPECT_EQ(cal.month_start_seconds(0), 0.0);  // the first month starts with the scenario
  EXPECT_EQ(cal.month_start_seconds(1), 16 * 86400.0);
  EXPECT_EQ(cal.month_label(7), "2026-01");
  EXPECT_EQ(dctwin::models::add_months({2025, 1, 31}, 1), (Date{2025, 2, 28}));
}

// Months are looked up per day for the first decades and worked out after: the same either
// way, at every day's first and last second, leap days and the table's end included.
TEST(Calendar, MonthOfEveryDayForFiftyYears) {
  for (const Date start : {Date{2025, 6, 15}, Date{2028, 2, 29}, Date{2027, 1, 1}}) {
    const SimCalendar cal(start);
    for (int day = 0; day < 50 * 366; ++day) {
      for (const double t : {day * 86400.0, day * 86400.0 + 86399.5}) {
        const Date d = cal.date_at(t);
        ASSERT_EQ(cal.month_index_at(t), (d.year - start.year) * 12 + d.month - start.month) << "day " << day;
      }
    }
  }
}
