#pragma once
// Civil dates and the simulated clock. Simulated time is seconds since the scenario's
// start date at 00:00 UTC; months are calendar months.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dctwin::models {

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  friend auto operator<=>(const Date&, const Date&) = default;
};

// Days since 1970-01-01 (proleptic Gregorian), and back.
std::int64_t days_since_epoch(const Date& d);
Date date_from_days(std::int64_t days);

// Parses exactly YYYY-MM-DD; nullopt if malformed or not a real day.
std::optional<Date> parse_date(std::string_view text);
std::string format_date(const Date& d);

Date add_months(const Date& d, int months);  // day clamped to the month's length
int days_in_month(int year, int month);

// The scenario's clock: converts between dates and simulated seconds, and numbers months.
class SimCalendar {
 public:
  explicit SimCalendar(const Date& start);

  const Date& start() const { return start_; }
  double seconds_at(const Date& d) const;      // midnight UTC of d
  Date date_at(double sim_seconds) const;      // the day containing that instant
  int month_index_at(double sim_seconds) const;  // 0 = the start's month
  double month_start_seconds(int month_index) const;  // clamped to 0 for the first month
  std::string month_label(int month_index) const;  // YYYY-MM

 private:
  Date start_;
  std::int64_t start_days_;
  // The month index of each day of the first kTabledYears (month_index_at is asked tens of
  // millions of times a run); later days are worked out.
  static constexpr int kTabledYears = 40;
  std::vector<std::uint16_t> month_of_day_;
};

}  // namespace dctwin::models
