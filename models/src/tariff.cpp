#include "dctwin/models/tariff.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include "require.h"

namespace dctwin::models {
namespace {
constexpr detail::Require require{"tariff"};

bool covers(const TouBand& b, int hour) {
  if (b.start_hour < b.end_hour) return hour >= b.start_hour && hour < b.end_hour;
  return hour >= b.start_hour || hour < b.end_hour;  // wraps past midnight
}
}  // namespace

void validate(const Tariff& t) {
  require(std::isfinite(t.flat_usd_per_kwh) && t.flat_usd_per_kwh >= 0, "flat price must be >= 0");
  require(std::isfinite(t.demand_usd_per_kva_month) && t.demand_usd_per_kva_month >= 0,
          "demand charge must be >= 0");
  for (const auto& b : t.bands) {
    require(b.start_hour >= 0 && b.start_hour <= 23, "band start_hour must be 0..23");
    require(b.end_hour >= 0 && b.end_hour <= 24, "band end_hour must be 0..24");
    require(b.start_hour != b.end_hour, "band start_hour and end_hour must differ");
    require(std::isfinite(b.usd_per_kwh) && b.usd_per_kwh >= 0, "band price must be >= 0");
  }
}

int weekday(const Date& day) {
  // 1970-01-01 was a Thursday (3 with Monday = 0); the double modulo handles earlier days.
  return static_cast<int>(((days_since_epoch(day) + 3) % 7 + 7) % 7);
}

bool is_weekend(const Date& day) { return weekday(day) >= 5; }

double energy_price_usd_per_kwh(const Tariff& t, const Date& day, int hour) {
  require(hour >= 0 && hour <= 23, "hour must be 0..23");
  validate(t);
  const bool weekend = is_weekend(day);
  for (const auto& b : t.bands) {
    if ((weekend ? b.weekends : b.weekdays) && covers(b, hour)) return b.usd_per_kwh;
  }
  return t.flat_usd_per_kwh;
}

}  // namespace dctwin::models
