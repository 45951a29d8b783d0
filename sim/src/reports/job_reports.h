#pragma once
// Reports on jobs and failures by site, class and month (planner questions 6 and 7).
// Internal to the reports.
#include "dctwin/models/calendar.h"
#include "dctwin/sim/reports.h"

namespace dctwin::sim {

// Per run site, job class and month: demand, waits, slowdown, interruptions, goodput.
Table class_monthly(const Scenario& scenario, const RunResult& result, const models::SimCalendar& calendar);
// Per site, month and cause: node failures (and power shortfalls), jobs hit, work lost,
// node-hours out of service, spares used.
Table failures_monthly(const Scenario& scenario, const RunResult& result, const models::SimCalendar& calendar);

}  // namespace dctwin::sim
