#include "dctwin/models/calendar.h"

#include <cstdio>

namespace dctwin::models {
namespace {
constexpr double kSecondsPerDay = 86400.0;

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
}  // namespace

int days_in_month(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
std::int64_t days_since_epoch(const Date& d) {
  const int y = d.month <= 2 ? d.year - 1 : d.year;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(d.month > 2 ? d.month - 3 : d.month + 9);
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d.day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Date date_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const auto y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  return Date{y, static_cast<int>(m), static_cast<int>(d)};
}

std::optional<Date> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t from, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  Date d;
  if (!digits(0, 4, d.year) || !digits(5, 2, d.month) || !digits(8, 2, d.day)) return std::nullopt;
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month)) {
    return std::nullopt;
  }
  return d;
}

std::string format_date(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

Date add_months(const Date& d, int months) {
  const int total = d.year * 12 + (d.month - 1) + months;
  Date r{total / 12, total % 12 + 1, d.day};
  if (r.day > days_in_month(r.year, r.month)) r.day = days_in_month(r.year, r.month);
  return r;
}

SimCalendar::SimCalendar(const Date& start) : start_(start), start_days_(days_since_epoch(start)) {
  month_of_day_.reserve(static_cast<std::size_t>(kTabledYears) * 366);
  int days = days_in_month(start.year, start.month) - start.day + 1;  // left in the first month
  for (int month = 0; month < kTabledYears * 12; ++month) {
    month_of_day_.insert(month_of_day_.end(), static_cast<std::size_t>(days), static_cast<std::uint16_t>(month));
    const Date next = add_months(Date{start.year, start.month, 1}, month + 1);
    days = days_in_month(next.year, next.month);
  }
}

double SimCalendar::seconds_at(const Date& d) const {
  return static_cast<double>(days_since_epoch(d) - start_days_) * kSecondsPerDay;
}

Date SimCalendar::date_at(double t) const {
  return date_from_days(start_days_ + static_cast<std::int64_t>(t / kSecondsPerDay));
}

int SimCalendar::month_index_at(double t) const {
  const double day = t / kSecondsPerDay;
  if (day >= 0 && day < static_cast<double>(month_of_day_.size())) return month_of_day_[static_cast<std::size_t>(day)];
  const Date d = date_at(t);
  return (d.year - start_.year) * 12 + (d.month - start_.month);
}

double SimCalendar::month_start_seconds(int month_index) const {
  if (month_index <= 0) return 0.0;
  const Date first_of_start{start_.year, start_.month, 1};
  return seconds_at(add_months(first_of_start, month_index));
}

std::string SimCalendar::month_label(int month_index) const {
  const Date d = add_months(Date{start_.year, start_.month, 1}, month_index);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", d.year, d.month);
  return buf;
}

}  // namespace dctwin::models
