#pragma once
// Grid energy prices by hour of day and day type. Tariffs live in data/grid/tariffs.csv;
// sources and estimates: docs/power-and-grid.md.
#include <vector>

#include "dctwin/models/calendar.h"

namespace dctwin::models {

// Hours [start_hour, end_hour) of the local day; start > end wraps past midnight
// (22 → 6 is 22:00-06:00). 0 → 24 is the whole day.
struct TouBand {
  int start_hour = 0;  // 0..23
  int end_hour = 24;   // 0..24, != start_hour
  bool weekdays = true;
  bool weekends = true;
  double usd_per_kwh = 0;
};

struct Tariff {
  double flat_usd_per_kwh = 0;   // price in any hour no band covers
  std::vector<TouBand> bands;    // the first band that matches wins
  double demand_usd_per_kva_month = 0;
};

// Throws std::invalid_argument on a band with hours out of range or start == end, or a
// negative or non-finite price.
void validate(const Tariff& t);

// Monday = 0 ... Sunday = 6, from the civil date.
int weekday(const Date& day);
bool is_weekend(const Date& day);

// The energy price for the hour starting at `hour` (0..23) on `day`. Public holidays are
// treated as the weekday they fall on. Throws std::invalid_argument on a bad hour or tariff.
double energy_price_usd_per_kwh(const Tariff& t, const Date& day, int hour);

}  // namespace dctwin::models
